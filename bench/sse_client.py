#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The iflow2api authors

"""Streaming client for bench/run (Python 3 stdlib only).

Plain HTTP/1.1 over asyncio.open_connection, so thousands of streams fit in
one process. Every SSE "data:" line is timestamped when the bytes carrying it
arrive, which gives time-to-first-byte, per-event lateness and completeness.

  probe  URL --events N --delay MS --streams S --concurrency C
         -> JSON: ttfb and per-event lateness percentiles (ms)
  hold   URL --streams N --events N --delay MS [--ramp-per-sec R] [--pid PID]
         -> JSON: how many streams completed, errors, peak open streams and
            (with --pid) the peak RSS / FD count of that process.

Lateness of event i = arrival - request_sent - (i + 1) * delay: the fake
upstream emits event i on a repeating delay timer, so (i + 1) * delay is its
schedule. The same formula is applied through the proxy and directly; the
difference of the two is what the proxy adds.
"""

import argparse
import asyncio
import json
import os
import sys
import time
import urllib.parse

KEY = "sk-0123456789abcdef0123456789abcdef"


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def build_request(url, content, model="glm-4.6"):
    u = urllib.parse.urlsplit(url)
    body = json.dumps({"model": model, "stream": True,
                       "messages": [{"role": "user", "content": content}]}).encode()
    head = (f"POST {u.path} HTTP/1.1\r\n"
            f"Host: {u.hostname}:{u.port}\r\n"
            f"Authorization: Bearer {KEY}\r\n"
            "Content-Type: application/json\r\n"
            "Accept: text/event-stream\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode()
    return u.hostname, u.port, head + body


class Result:
    __slots__ = ("status", "t_sent", "t_connected", "t_first_byte", "events",
                 "done", "error_event", "error", "t_end", "body")

    def __init__(self):
        self.status = None
        self.t_sent = None
        self.t_connected = None
        self.t_first_byte = None
        self.events = []        # arrival times of content "data:" lines
        self.done = False       # saw "data: [DONE]"
        self.error_event = False
        self.error = None
        self.t_end = None
        self.body = b""         # the first bytes of a non-200 answer


class SseLines:
    """Feeds decoded body bytes, calls back per complete SSE line."""

    def __init__(self, result):
        self.buf = b""
        self.r = result

    def feed(self, data, now):
        if self.r.status != 200 and len(self.r.body) < 300:
            self.r.body += data[:300]
        self.buf += data
        while True:
            i = self.buf.find(b"\n")
            if i < 0:
                return
            line = self.buf[:i].rstrip(b"\r")
            self.buf = self.buf[i + 1:]
            if not line.startswith(b"data:"):
                continue        # blank separators, ": keep-alive" comments
            payload = line[5:].strip()
            if payload == b"[DONE]":
                self.r.done = True
            elif b'"error"' in payload[:200]:
                self.r.error_event = True
            elif b'"content"' in payload:
                self.r.events.append(now)


async def one_stream(url, content, timeout, state=None):
    r = Result()
    host, port, req = build_request(url, content)
    writer = None
    try:
        t0 = time.monotonic()
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        r.t_connected = time.monotonic() - t0
        r.t_sent = time.monotonic()
        writer.write(req)
        await writer.drain()
        await asyncio.wait_for(_read_response(reader, r, state), timeout)
    except asyncio.TimeoutError:
        r.error = "timeout"
    except (OSError, ValueError, asyncio.IncompleteReadError) as e:
        r.error = f"{type(e).__name__}: {e}"
    finally:
        r.t_end = time.monotonic()
        if writer is not None:
            writer.close()
    return r


async def _read_response(reader, r, state):
    status_line = await reader.readline()
    r.t_first_byte = time.monotonic()
    if not status_line:
        raise ValueError("connection closed before the status line")
    r.status = int(status_line.split()[1])
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        k, _, v = line.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    sse = SseLines(r)
    if state is not None:
        state["open"] += 1
        state["peak"] = max(state["peak"], state["open"])
    try:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size_line = await reader.readline()
                if not size_line:
                    raise ValueError("truncated chunked body")
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    await reader.readline()
                    break
                data = await reader.readexactly(size + 2)
                sse.feed(data[:-2], time.monotonic())
        elif "content-length" in headers:
            data = await reader.readexactly(int(headers["content-length"]))
            sse.feed(data, time.monotonic())
        else:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                sse.feed(data, time.monotonic())
    finally:
        if state is not None:
            state["open"] -= 1


def ms(x):
    return None if x is None else round(x * 1000.0, 3)


# ---- probe ------------------------------------------------------------------

async def probe(args):
    content = f"fake:slow {args.events} {args.delay}"
    sem = asyncio.Semaphore(args.concurrency)
    delay = args.delay / 1000.0

    async def run_one():
        async with sem:
            return await one_stream(args.url, content, args.timeout)

    results = await asyncio.gather(*[run_one() for _ in range(args.streams)])
    ttfb, late, gaps, errors = [], [], [], []
    for r in results:
        if r.error or r.status != 200 or not r.done or r.error_event or len(r.events) != args.events:
            errors.append(r.error or f"status={r.status} events={len(r.events)} done={r.done} "
                                     f"body={r.body[:200].decode('utf-8', 'replace')}")
            continue
        ttfb.append(r.t_first_byte - r.t_sent)
        for i, t in enumerate(r.events):
            late.append(t - r.t_sent - (i + 1) * delay)
            if i:
                gaps.append(t - r.events[i - 1] - delay)
    out = {
        "streams": args.streams, "concurrency": args.concurrency, "ok": args.streams - len(errors),
        "errors": len(errors), "error_samples": errors[:3],
        "ttfb_p50_ms": ms(pct(ttfb, 50)), "ttfb_p99_ms": ms(pct(ttfb, 99)),
        "late_p50_ms": ms(pct(late, 50)), "late_p99_ms": ms(pct(late, 99)),
        "gap_jitter_p50_ms": ms(pct(gaps, 50)), "gap_jitter_p99_ms": ms(pct(gaps, 99)),
        "events_measured": len(late),
    }
    print(json.dumps(out))


# ---- hold -------------------------------------------------------------------

def proc_sample(pid):
    rss = hwm = None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None
    return rss, hwm, fds


async def hold(args):
    content = f"fake:slow {args.events} {args.delay}"
    state = {"open": 0, "peak": 0}
    peak = {"rss_kb": 0, "hwm_kb": 0, "fds": 0}
    stop = asyncio.Event()

    async def sampler():
        while not stop.is_set():
            s = proc_sample(args.pid) if args.pid else None
            if s:
                peak["rss_kb"] = max(peak["rss_kb"], s[0] or 0)
                peak["hwm_kb"] = max(peak["hwm_kb"], s[1] or 0)
                peak["fds"] = max(peak["fds"], s[2])
            try:
                await asyncio.wait_for(stop.wait(), 0.5)
            except asyncio.TimeoutError:
                pass

    async def launch(i):
        # Ramp: start stream i at i / rate seconds, so the listen queue is
        # exercised but not flooded in one instant.
        await asyncio.sleep(i / args.ramp_per_sec)
        return await one_stream(args.url, content, args.timeout, state)

    samp = asyncio.ensure_future(sampler())
    t0 = time.monotonic()
    results = await asyncio.gather(*[launch(i) for i in range(args.streams)])
    wall = time.monotonic() - t0
    stop.set()
    await samp

    complete = [r for r in results
                if not r.error and r.status == 200 and r.done and not r.error_event
                and len(r.events) == args.events]
    reasons = {}
    for r in results:
        if r in complete:
            continue
        key = r.error or (f"status={r.status} events={len(r.events)} done={r.done} error_event={r.error_event} "
                          f"body={r.body[:160].decode('utf-8', 'replace')}")
        reasons[key[:240]] = reasons.get(key[:240], 0) + 1
    connect = [r.t_connected for r in results if r.t_connected is not None]
    durations = [r.t_end - r.t_sent for r in complete]
    out = {
        "streams": args.streams, "completed": len(complete), "failed": args.streams - len(complete),
        "failure_reasons": reasons, "peak_open_streams": state["peak"], "wall_s": round(wall, 2),
        "connect_p50_ms": ms(pct(connect, 50)), "connect_p99_ms": ms(pct(connect, 99)),
        "connect_max_ms": ms(max(connect) if connect else None),
        "stream_p50_s": round(pct(durations, 50), 3) if durations else None,
        "stream_p99_s": round(pct(durations, 99), 3) if durations else None,
        "peak_rss_kb": peak["rss_kb"], "peak_hwm_kb": peak["hwm_kb"], "peak_fds": peak["fds"],
    }
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("probe")
    p.add_argument("url")
    p.add_argument("--events", type=int, default=20)
    p.add_argument("--delay", type=int, default=50)
    p.add_argument("--streams", type=int, default=5)
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--timeout", type=float, default=30)
    h = sub.add_parser("hold")
    h.add_argument("url")
    h.add_argument("--streams", type=int, default=2000)
    h.add_argument("--events", type=int, default=40)
    h.add_argument("--delay", type=int, default=500)
    h.add_argument("--ramp-per-sec", type=float, default=1000)
    h.add_argument("--pid", type=int, default=0)
    h.add_argument("--timeout", type=float, default=90)
    args = ap.parse_args()
    asyncio.run(probe(args) if args.cmd == "probe" else hold(args))


if __name__ == "__main__":
    sys.exit(main())
