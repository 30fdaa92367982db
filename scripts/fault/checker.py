#!/usr/bin/env python3
"""Checks what a fault run produced against what the brokers served.

    checker.py --produced INPUT ACKS [--produced INPUT ACKS ...]
               --records ALL.jsonl [--group-records G.jsonl ...]
               [--damage DAMAGE.jsonl] [--fail-on-duplicates]
               [--consumer C.jsonl [--consumer-err E.jsonl]] [--offset-samples S.jsonl]
               [--committed O.jsonl]

INPUT is what one gafka-produce session read (one JSON record per line, as
workload() in this file writes them) and ACKS its --print-acks output
({"line","partition","offset"} per acknowledged record, line counted from 1).
ALL is every record read back with gafka-consume --from-beginning after the
run; G the output of group consumers during and after it. DAMAGE lists the
places the harness damaged acknowledged data on purpose,
{"partition":P,"from_offset":O}: acknowledged records of P at O and later may
be cut (and are counted as lost_to_damage, not lost).

C is what one gafka-consume --group session wrote while the faults happened:
it must hold every acknowledged record once, each partition in offset
order, each the record the log holds at that offset (consumer_lost,
consumer_duplicates, consumer_reordered, consumer_mismatched). S holds the
group's committed offsets sampled during the run (offsets_sampler.py): none
may go down (offset_regressions); E is C's stderr, each line stamped
{"t","line"}: a partition handed to it again from offset F (its note) had
the committed offset F then, so a sample above F before it is a regression
too (consumer_redelivered counts the notes, consumer_redelivered_records
the records handed again). O holds {"source","offsets"} lines, the
group's committed offsets as each replica or coordinator has them at the
end: each must equal C's last position (offsets_disagree). See group_check.py.

Every value the workload writes is "f1:ID:PARTITION:SEQ:CRC" where SEQ counts
the records of one partition in input order and CRC is the CRC-32 (zlib) of
the text before it, so a record that reaches a consumer damaged is caught
even if the broker's own checksum missed it.

Prints one JSON object of counts and exits 0 when the run passes: no
acknowledged record lost, no reordering, no gap in offsets, no record served
with a bad checksum, no acknowledged record a group never delivered.
Duplicates are counted but only fail with --fail-on-duplicates: without an
idempotent producer a retry may legitimately write a record twice.
"""
import argparse
import json
import sys
import zlib

import group_check

PREFIX = "f1"


def make_value(rid, partition, seq):
    body = f"{PREFIX}:{rid}:{partition}:{seq}"
    return f"{body}:{zlib.crc32(body.encode()):08x}"


def parse_value(value):
    """(id, partition, seq) of a workload value, or None when it is damaged."""
    if not isinstance(value, str):
        return None
    body, sep, crc = value.rpartition(":")
    if not sep or len(crc) != 8:
        return None
    try:
        if int(crc, 16) != zlib.crc32(body.encode()):
            return None
        prefix, rid, partition, seq = body.split(":")
        if prefix != PREFIX:
            return None
        return rid, int(partition), int(seq)
    except ValueError:
        return None


def workload(n, partitions, run_id, rng):
    """n JSON lines for gafka-produce --json, spread at random over partitions."""
    seqs = [0] * partitions
    out = []
    for i in range(n):
        p = rng.randrange(partitions)
        seqs[p] += 1
        out.append(json.dumps({"partition": p, "value": make_value(f"{run_id}-{i}", p, seqs[p])},
                              separators=(",", ":")))
    return out


def read_jsonl(path, problems):
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                problems.append(f"{path}:{n}: not JSON")
    return rows


def acknowledged(pairs, problems):
    """{id: (partition, seq, offset)} of every acknowledged record."""
    acked = {}
    for input_path, acks_path in pairs:
        inputs = read_jsonl(input_path, problems)
        for ack in read_jsonl(acks_path, problems):
            line = ack.get("line")
            if not isinstance(line, int) or not 1 <= line <= len(inputs):
                problems.append(f"{acks_path}: ack of line {line} not in {input_path}")
                continue
            parsed = parse_value(inputs[line - 1].get("value"))
            if parsed is None:
                problems.append(f"{input_path}:{line}: not a workload value")
                continue
            rid, partition, seq = parsed
            if ack.get("partition") != partition:
                problems.append(f"{acks_path}: line {line} acknowledged in partition "
                                f"{ack.get('partition')}, sent to {partition}")
            # The same id acknowledged twice (a resend of an acknowledged
            # record) keeps its first place; the second is a duplicate.
            acked.setdefault(rid, (partition, seq, ack.get("offset")))
    return acked


def check(pairs, records_path, group_paths=(), damage_path=None, consumer_path=None, samples_path=None,
          committed_path=None, consumer_err_path=None):
    problems = []
    acked = acknowledged(pairs, problems)
    damage = {}
    if damage_path:
        for d in read_jsonl(damage_path, problems):
            p, o = d["partition"], d["from_offset"]
            damage[p] = min(o, damage.get(p, o))

    served = {}          # partition -> {offset: parsed or None}
    for r in read_jsonl(records_path, problems):
        served.setdefault(r.get("partition"), {})[r.get("offset")] = parse_value(r.get("value"))

    counts = {"acknowledged": len(acked), "served": sum(len(v) for v in served.values()),
              "lost": 0, "lost_to_damage": 0, "duplicates": 0, "reordered": 0, "gaps": 0,
              "bad_checksum": 0, "group_undelivered": 0, "group_checked": bool(group_paths)}
    examples = {}

    def note(kind, what):
        counts[kind] += 1
        examples.setdefault(kind, [])
        if len(examples[kind]) < 5:
            examples[kind].append(what)

    for p, by_offset in sorted(served.items(), key=lambda kv: str(kv[0])):
        offsets = sorted(o for o in by_offset if isinstance(o, int))
        # Dense offsets from 0 (nothing here deletes by retention).
        expected = 0
        for o in offsets:
            if o > expected:
                for missing in range(expected, o):
                    if missing < damage.get(p, float("inf")):
                        note("gaps", {"partition": p, "offset": missing})
            expected = o + 1
        seen, last_seq = set(), 0
        for o in offsets:
            parsed = by_offset[o]
            if parsed is None:
                note("bad_checksum", {"partition": p, "offset": o})
                continue
            rid, vp, seq = parsed
            if vp != p:
                note("reordered", {"partition": p, "offset": o, "id": rid, "sent_to": vp})
                continue
            if rid in seen:
                note("duplicates", {"partition": p, "offset": o, "id": rid})
                continue
            seen.add(rid)
            # First copies follow the input order; a resend's second copy is
            # a duplicate above, not a reordering.
            if seq <= last_seq:
                note("reordered", {"partition": p, "offset": o, "id": rid, "seq": seq,
                                   "after_seq": last_seq})
            last_seq = max(last_seq, seq)

    # Each acknowledged record is at the offset its ack named.
    by_partition = {}
    for rid, (p, seq, offset) in acked.items():
        by_partition.setdefault(p, []).append((seq, offset, rid))
        got = served.get(p, {}).get(offset)
        if got is not None and got[0] == rid:
            continue
        if offset is not None and offset >= damage.get(p, float("inf")):
            counts["lost_to_damage"] += 1
        else:
            note("lost", {"id": rid, "partition": p, "offset": offset,
                          "found": got[0] if got else None})
    # Acknowledged offsets follow the input order within a partition.
    for p, rows in by_partition.items():
        rows.sort()
        for (s1, o1, _), (s2, o2, rid) in zip(rows, rows[1:]):
            if isinstance(o1, int) and isinstance(o2, int) and o2 <= o1:
                note("reordered", {"partition": p, "id": rid, "seq": s2, "offset": o2,
                                   "after_offset": o1})

    if group_paths:
        delivered = set()
        for g in group_paths:
            for r in read_jsonl(g, problems):
                parsed = parse_value(r.get("value"))
                if parsed is None:
                    note("bad_checksum", {"group_output": g, "partition": r.get("partition"),
                                          "offset": r.get("offset")})
                else:
                    delivered.add(parsed[0])
        for rid, (p, seq, offset) in acked.items():
            if rid in delivered:
                continue
            if offset is not None and offset >= damage.get(p, float("inf")):
                continue
            note("group_undelivered", {"id": rid, "partition": p, "offset": offset})

    if consumer_path:
        rows = read_jsonl(consumer_path, problems)
        c, ex = group_check.consumer_counts(rows, acked, served, parse_value)
        counts.update(c)
        examples.update(ex)
        if committed_path:
            off = group_check.disagreements(read_jsonl(committed_path, problems), group_check.position(rows))
            counts["offsets_disagree"] = len(off)
            if off:
                examples["offsets_disagree"] = off[:5]
    if samples_path:
        samples = read_jsonl(samples_path, problems)
        counts["offset_samples"] = len(samples)
        if consumer_err_path:
            again = group_check.redeliveries(read_jsonl(consumer_err_path, problems))
            counts["consumer_redelivered"] = len(again)
            counts["consumer_redelivered_records"] = sum(r["redelivered"] for r in again)
            samples += again
        counts["offset_regressions"], ex = group_check.offset_regressions(samples)
        if ex:
            examples["offset_regressions"] = ex

    counts["input_problems"] = len(problems)
    return counts, examples, problems


def passed(counts, fail_on_duplicates=False):
    failing = ["lost", "reordered", "gaps", "bad_checksum", "group_undelivered", "input_problems",
               "consumer_duplicates", "consumer_lost", "consumer_reordered", "consumer_mismatched",
               "offset_regressions", "offsets_disagree"]
    if fail_on_duplicates:
        failing.append("duplicates")
    return all(counts.get(k, 0) == 0 for k in failing)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--produced", nargs=2, action="append", default=[], metavar=("INPUT", "ACKS"))
    ap.add_argument("--records", required=True)
    ap.add_argument("--group-records", action="append", default=[])
    ap.add_argument("--damage")
    ap.add_argument("--fail-on-duplicates", action="store_true")
    ap.add_argument("--consumer")
    ap.add_argument("--consumer-err")
    ap.add_argument("--offset-samples")
    ap.add_argument("--committed")
    args = ap.parse_args(argv)
    try:
        counts, examples, problems = check(args.produced, args.records, args.group_records,
                                           args.damage, args.consumer, args.offset_samples, args.committed,
                                           args.consumer_err)
    except OSError as e:
        print(f"checker: error: {e}", file=sys.stderr)
        return 1
    for p in problems[:20]:
        print(f"checker: {p}", file=sys.stderr)
    counts["passed"] = passed(counts, args.fail_on_duplicates)
    if examples:
        counts["examples"] = examples
    print(json.dumps(counts, separators=(",", ":")))
    return 0 if counts["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
