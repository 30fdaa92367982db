#!/usr/bin/env bash
# The main job, for now: write a real partition log, check it with
# gafka-walcheck, damage it, see the damage reported, repair it. (Once the
# broker lands this becomes a broker with a produce/consume pipeline.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
bin=${GAFKA_BIN:-$root/build/bin}
data=$(mktemp -d /tmp/gafka-demo.XXXXXX)
trap 'rm -rf "$data"' EXIT
part=$data/topics/demo/0
say() { printf '\n\033[1m# %s\033[0m\n' "$*" >&2; }

say "write 100000 records of 1 KiB into $part"
"$bin/gafka-bench" append --dir "$part" --messages 100000 --size 1024 --batch-size 100 --segment-bytes 33554432
say "check the data dir: one JSON line per segment"
"$bin/gafka-walcheck" "$data"
say "the first three records, as gafka-consume will print them"
"$bin/gafka-walcheck" --dump "$part/00000000000000000000.log" | head -3 | cut -c1-160
last=$(ls "$part"/*.log | tail -1)
say "simulate a crash mid-write: cut 100 bytes off the end of $(basename "$last")"
truncate -s -100 "$last"
"$bin/gafka-walcheck" "$data" && echo "unexpected: reported clean" || echo "exit $?: damage found" >&2
say "repair: the torn tail is cut, and saved beside the segment"
"$bin/gafka-walcheck" --repair "$data" >/dev/null || true
ls "$part" >&2
say "check again"
"$bin/gafka-walcheck" --quiet "$data" && echo "clean" >&2
say "reopen as the broker would and time recovery"
"$bin/gafka-bench" recover --dir "$part"
