"""The group consumer's side of a cluster fault run, for checker.py.

- consumer_counts: what one gafka-consume --group session wrote (JSON
  lines), against the acknowledged records and what the brokers served:
  every acknowledged record once, each partition in offset order, each
  record the one the log holds at its offset.
- offset_regressions: the committed offsets sampled during the run
  (offsets_sampler.py's lines, in time order): a partition's committed
  offset going down between two samples is a regression.
- committed_offsets / disagreements: the group's committed offsets from
  each source (a replica's __consumer_offsets records as gafka-walcheck
  --dump prints them, or the coordinator's answer) against the consumer's
  last position (one past the last offset it wrote, per partition).
"""
import json
import re

# gafka-consume's note when it is handed records it already wrote: the
# coordinator served the partition from its committed offset FROM.
REDELIVERED = re.compile(r"note: (\S+)/(\d+) delivered again from offset (\d+), behind the (\d+)")

OFFSETS_TOPIC = "__consumer_offsets"


def consumer_counts(rows, acked, served, parse_value):
    """rows: the consumer's records in output order; acked: {id: (p, seq,
    offset)}; served: {p: {offset: parsed}}; parse_value: checker's."""
    counts = {"consumer_records": len(rows), "consumer_duplicates": 0, "consumer_lost": 0,
              "consumer_reordered": 0, "consumer_mismatched": 0}
    examples = {}

    def note(kind, what):
        counts[kind] += 1
        if len(examples.setdefault(kind, [])) < 5:
            examples[kind].append(what)

    seen_ids, seen_at, last = set(), set(), {}
    for r in rows:
        p, o = r.get("partition"), r.get("offset")
        parsed = parse_value(r.get("value"))
        if (p, o) in seen_at or (parsed and parsed[0] in seen_ids):
            note("consumer_duplicates", {"partition": p, "offset": o})
            continue
        seen_at.add((p, o))
        if parsed:
            seen_ids.add(parsed[0])
        if isinstance(o, int) and o <= last.get(p, -1):
            note("consumer_reordered", {"partition": p, "offset": o, "after_offset": last[p]})
        last[p] = max(o, last.get(p, -1)) if isinstance(o, int) else last.get(p, -1)
        if served.get(p, {}).get(o) != parsed:
            note("consumer_mismatched", {"partition": p, "offset": o})
    for rid, (p, _seq, offset) in acked.items():
        if rid not in seen_ids:
            note("consumer_lost", {"id": rid, "partition": p, "offset": offset})
    return counts, examples


def position(rows):
    """{partition (str): one past the last offset written}."""
    pos = {}
    for r in rows:
        p, o = r.get("partition"), r.get("offset")
        if isinstance(o, int):
            pos[str(p)] = max(pos.get(str(p), 0), o + 1)
    return pos


def redeliveries(err_rows):
    """Pseudo-samples from the consumer's stamped stderr ({"t","line"}): a
    partition served again from offset FROM had the committed offset FROM
    then (a group fetch reads from it)."""
    out = []
    for r in err_rows:
        m = REDELIVERED.search(r.get("line", ""))
        if m:
            out.append({"t": r.get("t", 0), "broker": "consumer", "partial": True,
                        "offsets": {m.group(2): int(m.group(3))}, "redelivered": int(m.group(4)) - int(m.group(3))})
    return out


def offset_regressions(samples):
    """(regressions, examples) over samples {"t","broker","offsets":{p: n}}:
    a partition's offset lower than in the previous sample, or gone (null,
    or not listed: the coordinator no longer has it) once it had one. A
    "partial" sample (redeliveries()) speaks only of the partitions it lists."""
    last, found, examples = {}, 0, []
    for s in sorted(samples, key=lambda s: s.get("t", 0)):
        offsets = s.get("offsets") or {}
        for p in sorted(set(offsets) if s.get("partial") else set(last) | set(offsets)):
            n = offsets.get(p)
            if p in last and (not isinstance(n, int) or n < last[p][0]):
                found += 1
                if len(examples) < 5:
                    examples.append({"partition": p, "from": last[p][0], "from_broker": last[p][1],
                                     "to": n, "broker": s.get("broker"), "t": s.get("t")})
            if isinstance(n, int):
                last[p] = (n, s.get("broker"))
    return found, examples


def committed_offsets(dump_rows, group, topic):
    """{partition (str): offset} that replaying the offsets records of a
    walcheck dump gives for group's topic, as a new coordinator's take-over does."""
    out = {}
    for r in sorted((r for r in dump_rows if r.get("topic") == OFFSETS_TOPIC and r.get("offset") is not None),
                    key=lambda r: r["offset"]):
        parts = (r.get("key") or "").split("\n")
        if len(parts) != 3 or parts[0] != group or parts[1] != topic:
            continue
        try:
            n = int(r.get("value"))
        except (TypeError, ValueError):
            continue
        if n < 0:
            out.pop(parts[2], None)
        else:
            out[parts[2]] = n
    return out


def disagreements(sources, pos):
    """The sources ({"source","offsets"}) whose offsets differ from pos."""
    return [{"source": s.get("source"), "offsets": s.get("offsets"), "consumer": pos}
            for s in sources if {str(k): v for k, v in (s.get("offsets") or {}).items()} != pos]


def main_dump_offsets(argv):
    """group_check.py offsets GROUP TOPIC SOURCE DUMP: prints one committed line."""
    group, topic, source, path = argv
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    print(json.dumps({"source": source, "offsets": committed_offsets(rows, group, topic)},
                     separators=(",", ":")))


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 6 and sys.argv[1] == "offsets":
        main_dump_offsets(sys.argv[2:])
    else:
        print("usage: group_check.py offsets GROUP TOPIC SOURCE DUMP", file=sys.stderr)
        sys.exit(2)
