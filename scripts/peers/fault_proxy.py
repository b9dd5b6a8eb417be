#!/usr/bin/env python3
"""A fault-injecting, latency-adding HTTP/1.1 proxy for tests and benchmarks (loopback only).

It sits between surestep and a real server (index, registry, S3 store), forwards each request
on a fresh upstream connection, and can, per request:
  latency           delay each direction by --latency-ms (like an index across the internet)
  reset_request     read the request head, then reset the client connection (nothing forwarded)
  reset_response    forward the request, let the server answer, send part of the answer, reset
  502 / 503         answer that status without forwarding
  429               answer 429 with Retry-After: --retry-after seconds
  429_bare          answer 429 without Retry-After
  stall             forward, send the response head, then stall the body for --stall-seconds
  hang              read the request head, answer nothing for --stall-seconds, then reset
                    (nothing forwarded: a store that stops answering)
  endless           forward, send the response head (chunked), then an endless body
  corrupt           forward, but flip one bit of the body (same length): only a digest check notices
  huge              forward, send the response head with Content-Length: 1 GiB, then stream
                    filler until the client hangs up
  redirect          answer 307 with Location: --redirect-to + the request path

--match REGEX limits faults to requests whose head (request line and headers) matches, e.g.
'^DELETE .*if-match: "[0-9a-f]' (case-insensitive); --fail-first then counts matching requests.
--replace-in-head OLD=NEW (repeatable) rewrites upstream response heads (e.g. a token realm's
port, to put a second proxy in front of a token server).
--stale-seconds S makes the proxy an index that lists uploads late (a CDN in front of PyPI, a
mirror): a GET matching --stale-match (default: any GET) is answered with the newest upstream
answer that is at least S seconds old, so every change shows up S seconds late.
--drop-request-header NAME (repeatable) removes that header from every forwarded request (a
store that ignores If-None-Match, say); the upstream must then not check signatures.

Faults hit the first --fail-first requests, then each later request with --fault-rate
probability (seeded, so runs repeat). Every request is logged as one JSON line to --log:
{"n", "method", "path", "fault", "status", "ms", "t_start", "t_end", "auth"} (t_* are Unix
times in seconds: head received, answer finished; auth: the request carried Authorization).

Bounded: it exits by itself after --max-seconds (default 900) or --max-requests.

usage: fault_proxy.py --port P --upstream 127.0.0.1:Q [--latency-ms 50] [--faults 503,reset_request]
                      [--fault-rate 0.3] [--fail-first N] [--seed S] [--log FILE]
"""
import argparse
import asyncio
import json
import random
import re
import socket
import struct
import sys
import time

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--upstream", required=True, help="host:port of the real server (loopback)")
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--faults", default="", help="comma-separated fault kinds")
    p.add_argument("--fault-rate", type=float, default=0.0)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--retry-after", type=float, default=1.0)
    p.add_argument("--stall-seconds", type=float, default=5.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log", default=None)
    p.add_argument("--max-seconds", type=float, default=900.0)
    p.add_argument("--max-requests", type=int, default=100000)
    p.add_argument("--match", default=None, help="regex on the request head; only these get faults")
    p.add_argument("--redirect-to", default="", help="origin for the redirect fault")
    p.add_argument("--replace-in-head", action="append", default=[], help="OLD=NEW")
    p.add_argument("--stale-seconds", type=float, default=0.0,
                   help="serve the previous answer to a GET until a change is this old")
    p.add_argument("--stale-match", default="^GET ", help="regex on the request head")
    p.add_argument("--drop-request-header", action="append", default=[], help="header name")
    a = p.parse_args()
    host, _, port = a.upstream.rpartition(":")
    if host.strip("[]") not in LOOPBACK:
        sys.exit(f"fault_proxy: upstream must be a loopback address, got {a.upstream}")
    a.up_host, a.up_port = host.strip("[]"), int(port)
    a.fault_list = [f for f in a.faults.split(",") if f]
    known = {"reset_request", "reset_response", "502", "503", "429", "429_bare", "stall", "hang",
             "endless", "huge", "redirect", "corrupt"}
    bad = [f for f in a.fault_list if f not in known]
    if bad:
        sys.exit(f"fault_proxy: unknown faults {bad}; known: {sorted(known)}")
    a.match_re = re.compile(a.match, re.IGNORECASE | re.MULTILINE) if a.match else None
    a.replacements = [r.split("=", 1) for r in a.replace_in_head]
    a.stale_re = re.compile(a.stale_match, re.IGNORECASE | re.MULTILINE)
    a.dropped = {h.strip().lower() for h in a.drop_request_header}
    return a


class Proxy:
    def __init__(self, args):
        self.a = args
        self.rng = random.Random(args.seed)
        self.count = 0
        self.matched = 0
        self.log = open(args.log, "a", buffering=1) if args.log else None
        # --stale-seconds: path -> [(first seen, answer)], oldest first
        self.pages = {}

    def lagged(self, path, fresh):
        """The answer a lagging index gives: the newest answer that is at least --stale-seconds
        old (the first one seen when none is), so each change shows up that much later."""
        now = time.monotonic()
        history = self.pages.setdefault(path, [])
        if not history or not same_answer(fresh, history[-1][1]):
            history.append((now, fresh))
        old_enough = [answer for seen, answer in history if now - seen >= self.a.stale_seconds]
        served = old_enough[-1] if old_enough else history[0][1]
        # Entries older than the one served are never served again.
        while len(history) > 1 and now - history[1][0] >= self.a.stale_seconds:
            history.pop(0)
        return served, not same_answer(served, fresh)

    def pick_fault(self, head):
        self.count += 1
        if not self.a.fault_list:
            return None
        if self.a.match_re is not None and not self.a.match_re.search(head):
            return None
        self.matched += 1
        if self.matched <= self.a.fail_first or self.rng.random() < self.a.fault_rate:
            return self.rng.choice(self.a.fault_list)
        return None

    def record(self, n, method, path, fault, status, start, t_start=None, auth=False):
        if self.log:
            ms = (time.monotonic() - start) * 1000
            now = time.time()
            self.log.write(json.dumps({
                "n": n, "method": method, "path": path, "fault": fault, "status": status,
                "ms": round(ms, 1), "t_start": t_start if t_start is not None else now - ms / 1000,
                "t_end": now, "auth": auth,
            }) + "\n")

    async def delay(self):
        if self.a.latency_ms > 0:
            await asyncio.sleep(self.a.latency_ms / 1000.0)

    async def handle(self, reader, writer):
        try:
            await self.serve_one(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass
        if self.count >= self.a.max_requests:
            asyncio.get_running_loop().stop()

    async def serve_one(self, reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        start = time.monotonic()
        t_start = time.time()
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = (lines[0].split(" ", 2) + ["", ""])[:3]
        headers = [l for l in lines[1:] if l]
        length, chunked = 0, False
        kept = []
        auth = False
        for h in headers:
            k, _, v = h.partition(":")
            kl = k.strip().lower()
            if kl == "content-length":
                length = int(v.strip())
            if kl == "transfer-encoding" and "chunked" in v.lower():
                chunked = True
            if kl == "authorization":
                auth = True
            if kl in ("connection", "keep-alive", "proxy-connection") or kl in self.a.dropped:
                continue
            kept.append(h)
        kept.append("Connection: close")
        n = self.count + 1
        fault = self.pick_fault(head.decode("latin-1"))
        base_record = self.record

        def record(n, method, path, fault, status, start):
            base_record(n, method, path, fault, status, start, t_start, auth)

        if fault == "reset_request":
            record(n, method, path, fault, None, start)
            reset(writer)
            return
        if fault == "hang":
            await asyncio.sleep(self.a.stall_seconds)
            record(n, method, path, fault, None, start)
            reset(writer)
            return
        if fault in ("502", "503", "429", "429_bare", "redirect"):
            await drain_body(reader, length, chunked)
            status = 307 if fault == "redirect" else int(fault[:3])
            extra = f"Retry-After: {self.a.retry_after:g}\r\n" if fault == "429" else ""
            if fault == "redirect":
                extra = f"Location: {self.a.redirect_to}{path}\r\n"
            body = b"injected fault\n"
            await self.delay()
            writer.write(
                f"HTTP/1.1 {status} Injected\r\nContent-Type: text/plain\r\n{extra}"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
            await writer.drain()
            record(n, method, path, fault, status, start)
            return

        await self.delay()
        up_reader, up_writer = await asyncio.open_connection(self.a.up_host, self.a.up_port)
        if self.a.stale_seconds > 0 and self.a.stale_re.search(head.decode("latin-1")):
            try:
                up_writer.write(("\r\n".join([lines[0]] + kept) + "\r\n\r\n").encode("latin-1"))
                await pipe_body(reader, up_writer, length, chunked)
                await up_writer.drain()
                fresh = await up_reader.read()
            finally:
                up_writer.close()
            answer, stale = self.lagged(path, fresh)
            status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
            status = int(status_line.split(" ")[1]) if " " in status_line else None
            writer.write(answer)
            await writer.drain()
            record(n, method, path, "stale" if stale else fault, status, start)
            return
        try:
            up_writer.write(("\r\n".join([lines[0]] + kept) + "\r\n\r\n").encode("latin-1"))
            await pipe_body(reader, up_writer, length, chunked)
            await up_writer.drain()
            resp_head = await up_reader.readuntil(b"\r\n\r\n")
            status_line = resp_head.split(b"\r\n", 1)[0].decode("latin-1")
            status = int(status_line.split(" ")[1]) if " " in status_line else None
            for old, new in self.a.replacements:
                resp_head = resp_head.replace(old.encode("latin-1"), new.encode("latin-1"))
            await self.delay()
            if fault in ("endless", "huge"):
                await self.hostile_body(writer, resp_head, fault, method)
                record(n, method, path, fault, status, start)
                return
            if fault == "reset_response":
                writer.write(resp_head[: max(1, len(resp_head) // 2)])
                await writer.drain()
                record(n, method, path, fault, status, start)
                reset(writer)
                return
            writer.write(resp_head)
            await writer.drain()
            if fault == "stall":
                await asyncio.sleep(self.a.stall_seconds)
            flip = fault == "corrupt"
            while True:
                chunk = await up_reader.read(65536)
                if not chunk:
                    break
                if flip:
                    # Same length, one bit of the body flipped: only a digest check notices.
                    chunk = chunk[:-1] + bytes([chunk[-1] ^ 0x01])
                    flip = False
                writer.write(chunk)
                await writer.drain()
            record(n, method, path, fault, status, start)
        finally:
            up_writer.close()

    async def hostile_body(self, writer, resp_head, fault, method):
        """The upstream's status and headers, then a body that never ends (or claims 1 GiB)."""
        lines = resp_head.decode("latin-1").split("\r\n")
        keep = [l for l in lines[1:] if l and l.split(":", 1)[0].strip().lower()
                not in ("content-length", "transfer-encoding", "connection")]
        framing = "Transfer-Encoding: chunked" if fault == "endless" else "Content-Length: 1073741824"
        # Chunked framing needs HTTP/1.1 (wsgiref servers answer HTTP/1.0).
        status_line = "HTTP/1.1 " + lines[0].split(" ", 1)[1] if " " in lines[0] else lines[0]
        head = "\r\n".join([status_line] + keep + [framing, "Connection: close"]) + "\r\n\r\n"
        writer.write(head.encode("latin-1"))
        await writer.drain()
        if method == "HEAD":
            return
        filler = b'{"padding":"' + b"x" * 65500 + b'"}'
        sent = 0
        try:
            while sent < (1 << 30):
                data = filler if fault == "huge" else b"%x\r\n%s\r\n" % (len(filler), filler)
                writer.write(data)
                await writer.drain()
                sent += len(filler)
        except ConnectionError:
            pass  # the client hung up: what a bounded reader does


def same_answer(a, b):
    """Same status line and body (headers such as Date may differ)."""
    split = lambda r: (r.split(b"\r\n", 1)[0], r.partition(b"\r\n\r\n")[2])
    return split(a) == split(b)


def reset(writer):
    """Close with RST instead of FIN, as a crashed peer or a middlebox would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def drain_body(reader, length, chunked):
    await pipe_body(reader, None, length, chunked)


async def pipe_body(reader, up_writer, length, chunked):
    """Copies a request body (Content-Length or chunked) to up_writer (or discards it)."""
    def out(data):
        if up_writer is not None:
            up_writer.write(data)

    if chunked:
        while True:
            size_line = await reader.readuntil(b"\r\n")
            out(size_line)
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                # trailers end with an empty line
                while True:
                    line = await reader.readuntil(b"\r\n")
                    out(line)
                    if line == b"\r\n":
                        return
            data = await reader.readexactly(size + 2)
            out(data)
            if up_writer is not None:
                await up_writer.drain()
    remaining = length
    while remaining > 0:
        data = await reader.read(min(remaining, 1 << 20))
        if not data:
            raise ConnectionError("client closed mid-body")
        remaining -= len(data)
        out(data)
        if up_writer is not None:
            await up_writer.drain()


async def main():
    a = parse_args()
    proxy = Proxy(a)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", a.port, limit=1 << 20)
    print(f"fault_proxy listening on 127.0.0.1:{a.port} -> {a.upstream}", flush=True)
    async with server:
        try:
            await asyncio.wait_for(server.serve_forever(), timeout=a.max_seconds)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            pass


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except (KeyboardInterrupt, RuntimeError):
        pass
