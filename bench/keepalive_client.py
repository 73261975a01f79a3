#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The iflow2api authors

"""Keep-alive client for bench/run (Python 3 stdlib only).

  keepalive URL --requests N --clients C [--pipeline K]

C clients share N non-streaming chat requests. Each client opens a
connection, sends 1 to 8 requests on it one after the other, and then
closes it: at once, or after idling up to 50 ms (so the server sees clients
close both busy and idle connections). Every tenth connection also sends K
requests in one write (pipelining) and checks that the K answers come back
in order. Prints JSON: requests, failures, connections, pipelined batches
checked, seconds.
"""

import argparse
import asyncio
import json
import random
import sys
import time
import urllib.parse

KEY = "sk-0123456789abcdef0123456789abcdef"


def request(host, port, path, content):
    body = json.dumps({"model": "glm-4.6", "messages": [{"role": "user", "content": content}]}).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


async def read_response(reader):
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
        elif name == b"connection" and value == b"close":
            close = True
    body = b""
    if length is not None:
        body = await reader.readexactly(length)
    elif chunked:
        while True:
            size = int((await reader.readline()).strip(), 16)
            body += (await reader.readexactly(size + 2))[:size]
            if size == 0:
                break
    return status, body, close


async def main(args):
    u = urllib.parse.urlsplit(args.url)
    host, port, path = u.hostname, u.port, u.path
    plain = request(host, port, path, "hi")
    state = {"left": args.requests, "done": 0, "failed": 0, "conns": 0, "batches": 0, "reasons": {}}

    def fail(reason):
        state["failed"] += 1
        state["reasons"][reason] = state["reasons"].get(reason, 0) + 1

    async def client(rng):
        while state["left"] > 0:
            reader, writer = await asyncio.open_connection(host, port)
            state["conns"] += 1
            try:
                if args.pipeline > 1 and state["conns"] % 10 == 0 and state["left"] >= args.pipeline:
                    # fake:echo makes the fake answer with the prompt, so
                    # the order of the answers is visible.
                    state["left"] -= args.pipeline
                    batch = [request(host, port, path, f"fake:echo pipelined-{i}") for i in range(args.pipeline)]
                    writer.write(b"".join(batch))
                    await writer.drain()
                    ok = True
                    for i in range(args.pipeline):
                        status, body, _ = await read_response(reader)
                        state["done"] += 1
                        if status != 200 or f"pipelined-{i}".encode() not in body:
                            ok = False
                    state["batches"] += 1
                    if not ok:
                        fail("pipelined answers missing or out of order")
                for _ in range(rng.randint(1, 8)):
                    if state["left"] <= 0:
                        break
                    state["left"] -= 1
                    writer.write(plain)
                    await writer.drain()
                    status, _, close = await read_response(reader)
                    state["done"] += 1
                    if status != 200:
                        fail(f"status {status}")
                    if close:
                        fail("server closed a keep-alive connection")
                        break
                if rng.random() < 0.3:
                    await asyncio.sleep(rng.random() * 0.05)
            except (OSError, asyncio.IncompleteReadError, ValueError) as e:
                fail(type(e).__name__)
            writer.close()

    t0 = time.monotonic()
    await asyncio.gather(*[client(random.Random(i)) for i in range(args.clients)])
    print(json.dumps({"requests": state["done"], "failed": state["failed"], "connections": state["conns"],
                      "pipelined_batches": state["batches"], "reasons": state["reasons"],
                      "seconds": round(time.monotonic() - t0, 2)}))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url")
    ap.add_argument("--requests", type=int, default=100000)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--pipeline", type=int, default=4)
    sys.exit(asyncio.run(main(ap.parse_args())))
