#!/usr/bin/env bash
# Replay one partition of a topic from an offset, in either of two ways:
#
#     examples/replay-from-offset.sh orders 3 1200
#         writes the records of orders/3 from offset 1200 to the end as JSON
#         lines (gafka-consume's format) and exits: pipe them into the
#         program that has to see them again;
#
#     examples/replay-from-offset.sh orders 3 1200 billing
#         moves consumer group billing's committed offset on orders/3 back
#         (or forward) to 1200, so the group's workers read from there when
#         they start: stop them first, the broker refuses to move the
#         offsets of a group with live members. Prints the plan
#         {"group","topic","partition","current_offset","new_offset"}.
#         With DRY_RUN=1 it only prints the plan.
#
# The broker comes from GAFKA_BROKERS (else localhost:9001). A group's new
# offset is clamped to the log (its start, its end). Exit status as
# gafka-consume(1) and gafka-admin(1): 0 ok, 1 the broker failed, 2 usage.
set -euo pipefail

if (($# < 3 || $# > 4)); then
    echo "usage: ${0##*/} TOPIC PARTITION OFFSET [GROUP]" >&2
    exit 2
fi
topic=$1 partition=$2 offset=$3 group=${4:-}

if [[ -z $group ]]; then
    exec gafka-consume --topic "$topic" --partition "$partition" --offset "$offset" --exit-at-end
fi
dry_run=()
[[ ${DRY_RUN:-0} == 1 ]] && dry_run=(--dry-run)
exec gafka-admin reset-offsets --group "$group" --topic "$topic" --partition "$partition" \
    --to-offset "$offset" "${dry_run[@]}"
