#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The iflow2api authors

"""Mixed load for bench/soak: drives the proxy on loopback for a fixed time,
samples its RSS and open file descriptors every 10 s, and judges growth
after the warm-up. Standard library only; every loop is bounded in time and
in count; only 127.0.0.1.

Started by bench/soak, which owns the processes; this script never starts
or stops any.
"""
import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time

SAMPLE_SECONDS = 10
MAX_ITERATIONS = 5_000_000  # per worker: a bound in count besides the deadline
REQUEST_TIMEOUT = 30


def now():
    return time.monotonic()


class Stats:
    def __init__(self):
        self.counts = {}

        self.examples = {}

    def add(self, scenario, outcome, body=b""):
        key = f"{scenario} {outcome}"
        self.counts[key] = self.counts.get(key, 0) + 1
        if body and key not in self.examples and not str(outcome).startswith("2"):
            tail = body.split(b"\r\n\r\n", 1)[-1][:200]
            self.examples[key] = tail.decode("utf-8", "replace")


def close_wait(port):
    """Server sockets of @port in CLOSE-WAIT: the client closed, the proxy
    has not (a leaked connection stays there)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "08" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        count += 1
        except FileNotFoundError:
            pass
    return count


def proc_sample(pid):
    rss_kb = 0
    threads = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss_kb, fds, threads


class Client:
    def __init__(self, port, token):
        self.port = port
        self.token = token

    def request_bytes(self, method, path, body=None, headers=None, content_type="application/json",
                      keep_alive=False):
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if not keep_alive:
            lines.append("Connection: close")
        if self.token:
            lines.append(f"Authorization: Bearer {self.token}")
        if body is not None:
            if content_type:
                lines.append(f"Content-Type: {content_type}")
            lines.append(f"Content-Length: {len(body)}")
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")

    async def exchange(self, raw, stop_after_events=0, read_limit=8 << 20):
        """Send raw bytes; read until EOF (or [DONE] / N events). Returns
        (status or 0, body bytes, saw_done)."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(raw)
            await writer.drain()
            data = bytearray()
            events = 0
            done = False
            while len(data) < read_limit:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                data += chunk
                if b"data: [DONE]" in data:
                    done = True
                    break
                if stop_after_events:
                    events = data.count(b"\ndata: ") + data.count(b"\r\ndata:")
                    if events >= stop_after_events:
                        break
            status = 0
            if data.startswith(b"HTTP/1."):
                try:
                    status = int(data.split(b" ", 2)[1])
                except (IndexError, ValueError):
                    status = 0
            return status, bytes(data), done
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass


async def read_response(reader, stop_after_events=0):
    """One HTTP/1.1 response from a kept-alive connection: (status, body,
    saw [DONE], server closes). Bodies have a Content-Length or are chunked
    (streams); a stream cut short after N events returns early."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length, chunked, close = None, False, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value:
            chunked = True
        elif name == b"connection" and b"close" in value:
            close = True
    body = bytearray()
    if length is not None:
        body += await reader.readexactly(length)
    elif chunked:
        for _ in range(MAX_ITERATIONS):
            size = int((await reader.readline()).split(b";")[0].strip(), 16)
            body += (await reader.readexactly(size + 2))[:size]
            if size == 0:
                break
            if stop_after_events and body.count(b"data: ") >= stop_after_events:
                return status, bytes(body), False, True
    else:
        body += await reader.read()
        close = True
    return status, bytes(body), b"data: [DONE]" in body, close


class KeptConnection:
    """A connection used for several requests in a row, as HTTP clients
    with a connection pool do."""

    def __init__(self, client):
        self.client = client
        self.reader = None
        self.writer = None
        self.used = 0

    async def exchange(self, raw, stop_after_events=0):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.client.port)
            self.used = 0
        try:
            self.writer.write(raw)
            await self.writer.drain()
            status, body, done, close = await read_response(self.reader, stop_after_events)
        except BaseException:
            await self.close()
            raise
        self.used += 1
        if close:
            await self.close()
        return status, body, done

    async def close(self):
        if self.writer is None:
            return
        writer, self.writer, self.reader = self.writer, None, None
        writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionError, OSError):
            pass


def chat(content, stream=False, model="glm-4.6"):
    body = {"model": model, "messages": [{"role": "user", "content": content}]}
    if stream:
        body["stream"] = True
    return json.dumps(body).encode()


def bad_inputs(client):
    deep = b'{"model":"m","messages":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    hidden = (b'{"model":"m","messages":[{"role":"user","content":"\\u12" ", "x": '
              + b"[" * 100_000 + b"]" * 100_000 + b"}]}")
    return [
        ("bad-json", client.request_bytes("POST", "/v1/chat/completions", b'{"model":')),
        ("deep-nesting", client.request_bytes("POST", "/v1/chat/completions", deep)),
        ("hidden-nesting", client.request_bytes("POST", "/v1/chat/completions", hidden)),
        ("lone-surrogate", client.request_bytes("POST", "/v1/chat/completions",
                                                b'{"model":"\\ud83dx","messages":[{"role":"user","content":"x"}]}')),
        ("text-plain", client.request_bytes("POST", "/v1/chat/completions", chat("x"), content_type="text/plain")),
        ("no-type", client.request_bytes("POST", "/v1/chat/completions", chat("x"), content_type=None)),
        ("huge-length", f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{client.port}\r\n"
                        f"Authorization: Bearer {client.token}\r\nContent-Type: application/json\r\n"
                        "Content-Length: 9223372036854775807\r\n\r\n{".encode()),
        ("short-body", f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{client.port}\r\n"
                       f"Authorization: Bearer {client.token}\r\nContent-Type: application/json\r\n"
                       "Content-Length: 100\r\n\r\n{}".encode()),
        ("evil-origin", client.request_bytes("POST", "/v1/chat/completions", chat("x"),
                                             headers={"Origin": "http://evil.example"})),
        ("evil-host", b"GET /debug/accounts HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"),
        ("garbage", b"\x00\xff\xfe GET / HTTP/9.9\r\n\r\n"),
        ("partial-headers", f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{client.port}\r\nContent-".encode()),
        ("bad-messages", client.request_bytes("POST", "/v1/messages", b'{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"nope"}]}]}',
                                              headers={"anthropic-version": "2023-06-01"})),
    ]


async def keep_alive_turn(conn, scenario, client, stats, rng):
    """One scenario on a kept-alive connection, then maybe let it go: at
    once, after idling a moment, or after outliving the server's idle
    timeout (the server closes it)."""
    if conn.writer is not None and conn.reader.at_eof():
        stats.add("keep-alive", "closed by the server while idle")
        await conn.close()
    if conn.writer is None:
        stats.add("keep-alive", "connections opened")
    if scenario == "nonstream":
        status, body, _ = await conn.exchange(
            client.request_bytes("POST", "/v1/chat/completions", chat("hello"), keep_alive=True))
        stats.add(f"{scenario} kept-alive", status, body)
    elif scenario == "stream":
        status, _, done = await conn.exchange(
            client.request_bytes("POST", "/v1/chat/completions", chat("fake:slow 5 20", True), keep_alive=True))
        stats.add(f"{scenario} kept-alive", f"{status}{'' if done else ' no-DONE'}")
    elif scenario == "hangup":
        status, _, _ = await conn.exchange(
            client.request_bytes("POST", "/v1/chat/completions", chat("fake:slow 40 50", True), keep_alive=True),
            stop_after_events=2)
        stats.add(f"{scenario} kept-alive", status)
        await conn.close()
        return
    elif scenario == "health":
        status, _, _ = await conn.exchange(client.request_bytes("GET", "/health", keep_alive=True))
        stats.add(f"{scenario} kept-alive", status)
    elif scenario == "retry-after":
        status, _, _ = await conn.exchange(
            client.request_bytes("POST", "/v1/chat/completions", chat("fake:retry-after 1"), keep_alive=True))
        stats.add(f"{scenario} kept-alive", status)
    elif scenario == "messages":
        body = json.dumps({"model": "glm-4.6", "max_tokens": 64, "stream": rng.random() < 0.5,
                           "messages": [{"role": "user", "content": "hi\u00a0there"}]}).encode()
        status, _, _ = await conn.exchange(
            client.request_bytes("POST", "/v1/messages", body, headers={"anthropic-version": "2023-06-01"},
                                 keep_alive=True))
        stats.add(f"{scenario} kept-alive", status)
    if conn.writer is None:
        return
    roll = rng.random()
    if conn.used >= rng.randint(2, 20) or roll < 0.05:
        await conn.close()
    elif roll < 0.15:
        # Idle a moment, then hang up while the server waits for a request.
        await asyncio.sleep(rng.uniform(0.2, 3.0))
        stats.add("keep-alive", "closed by the client while idle")
        await conn.close()
    elif roll < 0.16:
        # Outlive the server's idle keep-alive timeout (30 s by default).
        await asyncio.sleep(rng.uniform(31, 35))


async def worker(wid, client, deadline, stats, rng, keep_alive):
    bad = bad_inputs(client)
    scenarios = [
        ("nonstream", 30), ("stream", 25), ("hangup", 10), ("bad", 20),
        ("health", 5), ("retry-after", 1), ("messages", 8),
    ]
    names = [s for s, _ in scenarios]
    weights = [w for _, w in scenarios]
    conn = KeptConnection(client) if keep_alive else None
    try:
        for _ in range(MAX_ITERATIONS):
            if now() >= deadline:
                return
            scenario = rng.choices(names, weights)[0]
            try:
                if conn is not None and scenario != "bad":
                    await asyncio.wait_for(keep_alive_turn(conn, scenario, client, stats, rng),
                                           REQUEST_TIMEOUT + 40)
                else:
                    await one_shot(scenario, client, stats, rng, bad)
            except asyncio.TimeoutError:
                stats.add(scenario, "timeout")
            except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError) as e:
                stats.add(scenario, type(e).__name__)
    finally:
        if conn is not None:
            await conn.close()


async def one_shot(scenario, client, stats, rng, bad):
    """One scenario on a connection of its own (Connection: close)."""
    if scenario == "nonstream":
        status, body, _ = await asyncio.wait_for(client.exchange(
            client.request_bytes("POST", "/v1/chat/completions", chat("hello"))), REQUEST_TIMEOUT)
        stats.add(scenario, status, body)
    elif scenario == "stream":
        status, _, done = await asyncio.wait_for(client.exchange(
            client.request_bytes("POST", "/v1/chat/completions", chat("fake:slow 5 20", True))),
            REQUEST_TIMEOUT)
        stats.add(scenario, f"{status}{'' if done else ' no-DONE'}")
    elif scenario == "hangup":
        # Reads the first events, then closes mid-stream.
        status, _, _ = await asyncio.wait_for(client.exchange(
            client.request_bytes("POST", "/v1/chat/completions", chat("fake:slow 40 50", True)),
            stop_after_events=2), REQUEST_TIMEOUT)
        stats.add(scenario, status)
    elif scenario == "bad":
        name, raw = rng.choice(bad)
        # A client that stops mid-headers or mid-body is closed by the
        # server only after its read timeout: hang up after a moment.
        limit = 2 if name in ("partial-headers", "short-body") else REQUEST_TIMEOUT
        try:
            status, body, _ = await asyncio.wait_for(client.exchange(raw), limit)
            stats.add(f"bad:{name}", status, body)
        except asyncio.TimeoutError:
            stats.add(f"bad:{name}", "hung up by the client" if limit == 2 else "timeout")
    elif scenario == "health":
        status, _, _ = await asyncio.wait_for(client.exchange(
            client.request_bytes("GET", "/health")), REQUEST_TIMEOUT)
        stats.add(scenario, status)
    elif scenario == "retry-after":
        status, _, _ = await asyncio.wait_for(client.exchange(
            client.request_bytes("POST", "/v1/chat/completions", chat("fake:retry-after 1"))),
            REQUEST_TIMEOUT)
        stats.add(scenario, status)
    elif scenario == "messages":
        body = json.dumps({"model": "glm-4.6", "max_tokens": 64, "stream": rng.random() < 0.5,
                           "messages": [{"role": "user", "content": "hi\u00a0there"}]}).encode()
        status, _, _ = await asyncio.wait_for(client.exchange(
            client.request_bytes("POST", "/v1/messages", body,
                                 headers={"anthropic-version": "2023-06-01"})), REQUEST_TIMEOUT)
        stats.add(scenario, status)


async def reloader(keys_path, deadline, stats, interval):
    """Rewrites keys.json (atomically) every @interval seconds."""
    n = 0
    for _ in range(MAX_ITERATIONS):
        if now() + interval >= deadline:
            return
        await asyncio.sleep(interval)
        with open(keys_path) as f:
            doc = json.load(f)
        n += 1
        for i, acc in enumerate(doc["accounts"].values()):
            acc["label"] = f"soak {i} reload {n}"
            acc["max_concurrency"] = 4 + (n + i) % 4
        tmp = keys_path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(doc, f, indent=2)
        os.rename(tmp, keys_path)
        stats.add("keys.json", "reloaded")


async def sampler(pid, client, start, deadline, samples, log):
    for _ in range(MAX_ITERATIONS):
        t0 = now()
        try:
            rss, fds, threads = proc_sample(pid)
        except FileNotFoundError:
            samples.append({"t": t0 - start, "dead": True})
            log(f"{t0 - start:7.0f} s  the proxy is gone")
            return
        cw = close_wait(client.port)
        h0 = now()
        try:
            status, _, _ = await asyncio.wait_for(client.exchange(client.request_bytes("GET", "/health")), 10)
        except (asyncio.TimeoutError, ConnectionError, OSError):
            status = 0
        health_ms = (now() - h0) * 1000
        samples.append({"t": t0 - start, "rss_kb": rss, "fds": fds, "threads": threads,
                        "health_ms": health_ms, "health": status, "close_wait": cw})
        log(f"{t0 - start:7.0f} s  RSS {rss / 1024:7.1f} MB  FDs {fds:5d}  threads {threads:3d}  "
            f"CLOSE-WAIT {cw:3d}  /health {status} in {health_ms:6.1f} ms")
        if now() + SAMPLE_SECONDS > deadline:
            return
        await asyncio.sleep(max(0.0, SAMPLE_SECONDS - (now() - t0)))


def judge(samples, warmup, idle_before, idle_after, close_wait_after):
    """Returns (ok, lines)."""
    lines = []
    ok = True
    if any(s.get("dead") for s in samples):
        return False, ["the proxy died during the run"]
    after = [s for s in samples if s["t"] >= warmup]
    if len(after) < 6:
        lines.append(f"only {len(after)} samples after the {warmup:.0f} s warm-up: growth not judged")
    else:
        first = after[:3]
        last = after[-3:]
        rss0 = statistics.mean(s["rss_kb"] for s in first) / 1024
        rss1 = statistics.mean(s["rss_kb"] for s in last) / 1024
        fd0 = statistics.mean(s["fds"] for s in first)
        fd1 = statistics.mean(s["fds"] for s in last)
        rss_limit = max(16.0, 0.25 * rss0)
        lines.append(f"RSS after warm-up: {rss0:.1f} MB (first 3 samples) -> {rss1:.1f} MB (last 3); "
                     f"growth {rss1 - rss0:+.1f} MB, limit +{rss_limit:.1f} MB")
        lines.append(f"FDs under load: {fd0:.0f} -> {fd1:.0f} (limit +64)")
        if rss1 - rss0 > rss_limit:
            ok = False
            lines.append("FAIL: RSS grew after the warm-up")
        if fd1 - fd0 > 64:
            ok = False
            lines.append("FAIL: open file descriptors grew under load")
        worst_cw = max(s["close_wait"] for s in samples)
        lines.append(f"CLOSE-WAIT sockets under load: at most {worst_cw} in a sample")
        peak = max(s["rss_kb"] for s in samples) / 1024
        worst = max(s["health_ms"] for s in samples)
        lines.append(f"peak RSS {peak:.1f} MB; slowest /health sample {worst:.1f} ms")
        if any(s["health"] != 200 for s in samples):
            ok = False
            lines.append("FAIL: /health did not answer 200 in every sample")
    lines.append(f"FDs idle: {idle_before} before the load, {idle_after} after it (limit +8)")
    if idle_after > idle_before + 8:
        ok = False
        lines.append("FAIL: file descriptors stayed open after the load")
    lines.append(f"CLOSE-WAIT sockets after the load: {close_wait_after} (limit 0)")
    if close_wait_after > 0:
        ok = False
        lines.append("FAIL: connections the clients closed were never closed by the proxy")
    return ok, lines


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--keys", required=True)
    ap.add_argument("--minutes", type=float, required=True)
    ap.add_argument("--workers", type=int, default=12)
    ap.add_argument("--reload-seconds", type=float, default=20)
    ap.add_argument("--report", required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    client = Client(args.port, args.token)
    stats = Stats()
    samples = []
    lines_out = []

    def log(text):
        print(text, file=sys.stderr, flush=True)
        lines_out.append(text)

    duration = args.minutes * 60
    warmup = max(60.0, 0.2 * duration)
    idle_before = proc_sample(args.pid)[1]
    start = now()
    deadline = start + duration
    rng = random.Random(args.seed)
    # Every other client keeps its connection alive across requests.
    tasks = [asyncio.create_task(worker(i, client, deadline, stats, random.Random(rng.random()), i % 2 == 0))
             for i in range(args.workers)]
    tasks.append(asyncio.create_task(reloader(args.keys, deadline, stats, args.reload_seconds)))
    tasks.append(asyncio.create_task(sampler(args.pid, client, start, deadline, samples, log)))
    await asyncio.gather(*tasks)

    # Idle again: in-flight work must wind down and its sockets close.
    idle_after = None
    for _ in range(30):
        await asyncio.sleep(1)
        try:
            idle_after = proc_sample(args.pid)[1]
        except FileNotFoundError:
            samples.append({"t": now() - start, "dead": True})
            break
        if idle_after <= idle_before + 8 and close_wait(args.port) == 0:
            break
    try:
        rss_end = proc_sample(args.pid)[0]
    except FileNotFoundError:
        rss_end = 0
    ok, verdict = judge(samples, warmup, idle_before, idle_after if idle_after is not None else -1,
                        close_wait(args.port))

    total = sum(stats.counts.values())
    with open(args.report, "w") as f:
        f.write(f"duration {args.minutes:g} min, {args.workers} clients "
                f"({(args.workers + 1) // 2} on kept-alive connections), warm-up {warmup:.0f} s, "
                f"{total} operations\n\n")
        f.write("samples (every 10 s):\n")
        for line in lines_out:
            f.write(f"  {line}\n")
        f.write(f"\nRSS idle at the end: {rss_end / 1024:.1f} MB\n")
        f.write("\noutcomes (scenario status-or-error: count):\n")
        for key in sorted(stats.counts):
            f.write(f"  {key}: {stats.counts[key]}\n")
        f.write("\nfirst body of each non-2xx outcome:\n")
        for key in sorted(stats.examples):
            f.write(f"  {key}: {stats.examples[key]}\n")
        f.write("\nverdict:\n")
        for line in verdict:
            f.write(f"  {line}\n")
        f.write(f"  {'PASS' if ok else 'FAIL'}\n")
    with open(args.report) as f:
        sys.stdout.write(f.read())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
