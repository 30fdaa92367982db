#!/usr/bin/env python3
"""The load of scripts/bench/longpoll-load (which starts the broker and
passes its port and pid): CONSUMERS long-poll consumers and PRODUCERS
fixed-rate producers on keep-alive HTTP/1.1 connections to 127.0.0.1, for
DURATION seconds, sampling the broker's open fds and VmRSS. Prints a table
on stdout as it goes, then one JSON summary line. Python 3 standard
library only (asyncio)."""

import argparse
import asyncio
import json
import os
import sys
import time

REQUEST_TIMEOUT = 20.0  # a long poll waits 5 s: an answer later than this is lost


class Stats:
    def __init__(self):
        self.sent = 0
        self.answered = 0
        self.errors = 0  # an answer other than 200, a broken connection or a timeout
        self.error_kinds = {}
        self.records_produced = 0
        self.records_consumed = 0
        self.empty_polls = 0

    def error(self, kind):
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


class Connection:
    """One keep-alive connection; reopened after a failure."""

    def __init__(self, port):
        self.port = port
        self.reader = None
        self.writer = None

    async def request(self, method, target, body=b""):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = (f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
                + ("Content-Type: application/json\r\n" if body else "") + "\r\n").encode()
        self.writer.write(head + body)
        await self.writer.drain()
        header = await self.reader.readuntil(b"\r\n\r\n")
        lines = header.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        close = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        payload = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, payload

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def call(conn, stats, method, target, body=b""):
    stats.sent += 1
    try:
        status, payload = await asyncio.wait_for(conn.request(method, target, body), REQUEST_TIMEOUT)
    except asyncio.TimeoutError:
        conn.close()
        stats.error("timeout")
        return None
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError) as e:
        conn.close()
        stats.error(type(e).__name__)
        return None
    if status != 200:
        stats.error(f"http_{status}")
        return None
    stats.answered += 1
    return payload


async def consumer(i, args, stats, stop):
    conn = Connection(args.port)
    partition = i % args.partitions
    offset = "latest"
    while not stop.is_set():
        payload = await call(conn, stats, "GET",
                             f"/api/v1/consume?topic={args.topic}&partition={partition}"
                             f"&offset={offset}&count=100&timeout=5s")
        if payload is None:
            await asyncio.sleep(0.1)  # pace retries after an error
            continue
        answer = json.loads(payload)
        offset = answer["next_offset"]
        got = len(answer["records"])
        stats.records_consumed += got
        if got == 0:
            stats.empty_polls += 1
    conn.close()


async def producer(i, args, stats, stop):
    conn = Connection(args.port)
    period = 1.0 / args.rate if args.rate > 0 else None
    n = 0
    next_at = time.monotonic()
    while not stop.is_set() and period:
        records = ",".join(json.dumps({"value": f"p{i}-{n}-{k}"}) for k in range(args.batch))
        body = f'{{"topic":"{args.topic}","records":[{records}]}}'.encode()
        if await call(conn, stats, "POST", "/api/v1/produce?acks=1", body) is not None:
            stats.records_produced += args.batch
        n += 1
        next_at += period
        delay = next_at - time.monotonic()
        if delay > 0:
            try:
                await asyncio.wait_for(stop.wait(), delay)
            except asyncio.TimeoutError:
                pass
        else:
            next_at = time.monotonic()  # behind: open loop would pile up; start again from now
    conn.close()


def broker_sample(pid):
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    rss_kib = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss_kib = int(line.split()[1])
    return fds, rss_kib


async def metric(port, names):
    conn = Connection(port)
    try:
        status, payload = await asyncio.wait_for(conn.request("GET", "/metrics"), 5)
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
        return {}
    finally:
        conn.close()
    out = {}
    for line in payload.decode().splitlines():
        parts = line.split(" ")
        if len(parts) == 2 and parts[0] in names:
            out[parts[0]] = int(float(parts[1]))
    return out


async def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--topic", default="longpoll")
    p.add_argument("--duration", type=float, default=120)
    p.add_argument("--consumers", type=int, default=1000)
    p.add_argument("--producers", type=int, default=2)
    p.add_argument("--partitions", type=int, default=8)
    p.add_argument("--rate", type=float, default=5)
    p.add_argument("--batch", type=int, default=10)
    p.add_argument("--sample", type=float, default=5)
    args = p.parse_args()

    stats = Stats()
    stop = asyncio.Event()
    started = time.monotonic()
    tasks = [asyncio.create_task(consumer(i, args, stats, stop)) for i in range(args.consumers)]
    tasks += [asyncio.create_task(producer(i, args, stats, stop)) for i in range(args.producers)]

    samples = []
    print(f"{'t_s':>6} {'fds':>6} {'rss_mib':>8} {'conns':>6} {'polls':>6} {'sent':>9} {'answered':>9} "
          f"{'errors':>7} {'produced':>9} {'consumed':>10}", flush=True)
    names = {"gafka_open_connections", "gafka_long_polls_waiting"}
    while True:
        elapsed = time.monotonic() - started
        fds, rss = broker_sample(args.pid)
        m = await metric(args.port, names)
        samples.append({"t": round(elapsed, 1), "fds": fds, "rss_kib": rss,
                        "connections": m.get("gafka_open_connections", -1),
                        "long_polls": m.get("gafka_long_polls_waiting", -1)})
        print(f"{elapsed:6.0f} {fds:6d} {rss / 1024:8.1f} {samples[-1]['connections']:6d} "
              f"{samples[-1]['long_polls']:6d} {stats.sent:9d} {stats.answered:9d} {stats.errors:7d} "
              f"{stats.records_produced:9d} {stats.records_consumed:10d}", flush=True)
        if elapsed >= args.duration:
            break
        await asyncio.sleep(min(args.sample, max(0.0, args.duration - elapsed)))

    # Stop asking; every request in flight is waited for (each is bounded
    # by REQUEST_TIMEOUT), so "answered" counts every one that was sent.
    stop.set()
    await asyncio.gather(*tasks)
    fds_after, rss_after = broker_sample(args.pid)

    def third(k):
        n = len(samples)
        return samples[n * k // 3:n * (k + 1) // 3] or samples[-1:]

    middle, last = third(1), third(2)
    flat_fds = max(s["fds"] for s in last) <= max(s["fds"] for s in middle) * 1.10
    flat_rss = max(s["rss_kib"] for s in last) <= max(s["rss_kib"] for s in middle) * 1.25
    steady = samples[1:] or samples  # past the first sample, taken before the consumers connected
    summary = {
        "duration_s": round(time.monotonic() - started, 1),
        "consumers": args.consumers,
        "producers": args.producers,
        "partitions": args.partitions,
        "requests_sent": stats.sent,
        "requests_answered": stats.answered,
        "errors": stats.errors,
        "error_kinds": stats.error_kinds,
        "unanswered": stats.sent - stats.answered - stats.errors,
        "records_produced": stats.records_produced,
        "records_consumed": stats.records_consumed,
        "empty_polls": stats.empty_polls,
        "fds": {"min": min(s["fds"] for s in steady), "max": max(s["fds"] for s in steady),
                "after": fds_after},
        "rss_mib": {"min": round(min(s["rss_kib"] for s in steady) / 1024, 1),
                    "max": round(max(s["rss_kib"] for s in steady) / 1024, 1),
                    "after": round(rss_after / 1024, 1)},
        "long_polls_waiting_max": max(s["long_polls"] for s in samples),
        "flat": flat_fds and flat_rss,
    }
    print(json.dumps(summary), flush=True)
    ok = stats.errors == 0 and summary["unanswered"] == 0 and summary["flat"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
