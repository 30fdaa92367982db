#!/usr/bin/env bash
# Replay a topic from a moment, in either of two ways:
#
#     examples/replay-from-time.sh orders -2h
#         writes every record of orders stamped at or after two hours ago,
#         partition by partition, as JSON lines (gafka-consume's format), and
#         exits: pipe them into the program that has to see them again;
#
#     examples/replay-from-time.sh orders 2026-11-23T09:00:00Z billing
#         moves consumer group billing's committed offsets on every partition
#         of orders to the first record at or after that time, so the group's
#         workers read again from there when they start: stop them first,
#         the broker refuses to move the offsets of a group with live
#         members. Prints the plan, one line per partition:
#         {"group","topic","partition","current_offset","new_offset"}.
#         With DRY_RUN=1 it only prints the plan.
#
# TIME is RFC 3339, relative to now (-10m, -2h, -7d), now, or milliseconds
# since the epoch. A partition with nothing that new starts at its end. The
# broker comes from GAFKA_BROKERS (else localhost:9001). Exit status as
# gafka-consume(1) and gafka-admin(1): 0 ok, 1 the broker failed, 2 usage
# (a TIME that is none of the above, too).
set -euo pipefail

if (($# < 2 || $# > 3)); then
    echo "usage: ${0##*/} TOPIC TIME [GROUP]" >&2
    exit 2
fi
topic=$1 time=$2 group=${3:-}

if [[ -z $group ]]; then
    exec gafka-consume --topic "$topic" --from-time "$time" --exit-at-end
fi
dry_run=()
[[ ${DRY_RUN:-0} == 1 ]] && dry_run=(--dry-run)
exec gafka-admin reset-offsets --group "$group" --topic "$topic" --to-time "$time" "${dry_run[@]}"
