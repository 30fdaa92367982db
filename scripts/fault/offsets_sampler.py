#!/usr/bin/env python3
"""Samples a consumer group's committed offsets while a fault run goes on.

    offsets_sampler.py --brokers HOST:PORT,... --group G --topic T [--every 0.2] >SAMPLES.jsonl

Every --every seconds it asks GET /api/v1/consumer-groups/G/status of the
broker that answered last, then of the others in turn (1 s timeout each),
and prints one line from the first that answers for the group (200, or 404
unknown_group: the coordinator has no offsets for it):
{"t","broker","offsets":{"PARTITION":COMMITTED,...}} (every partition of T
the answer lists, null where it has no committed offset; {} for a 404). A
broker that is not the coordinator or is still loading (421
not_coordinator), or does not answer, is skipped, not sampled. Runs until SIGTERM or SIGINT; then
prints {"summary":true,"samples":N,"skipped":M} on stderr.
"""
import argparse
import json
import signal
import sys
import time
import urllib.error
import urllib.request

stop = False


def on_signal(*_):
    global stop
    stop = True


def status_of(broker, group, topic):
    """The committed offsets broker answers with, or None."""
    url = f"http://{broker}/api/v1/consumer-groups/{group}/status"
    try:
        with urllib.request.urlopen(url, timeout=1) as r:
            body = json.loads(r.read())
    except urllib.error.HTTPError as e:
        try:
            unknown = e.code == 404 and json.loads(e.read())["error"]["code"] == "unknown_group"
        except (ValueError, KeyError, TypeError, OSError):
            unknown = False
        return {} if unknown else None
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return {str(p["partition"]): p.get("committed_offset") for p in body.get("partitions", [])
            if p.get("topic") == topic}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--brokers", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--every", type=float, default=0.2)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    brokers = args.brokers.split(",")
    first, samples, skipped = 0, 0, 0
    while not stop:
        began = time.monotonic()
        for i in range(len(brokers)):
            b = brokers[(first + i) % len(brokers)]
            offsets = status_of(b, args.group, args.topic)
            if offsets is None:
                skipped += 1
                continue
            first = (first + i) % len(brokers)
            samples += 1
            print(json.dumps({"t": round(time.time(), 3), "broker": b, "offsets": offsets},
                             separators=(",", ":")), flush=True)
            break
        time.sleep(max(0.0, args.every - (time.monotonic() - began)))
    print(json.dumps({"summary": True, "samples": samples, "skipped": skipped}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
