#!/usr/bin/env bash
# Copy every record of a topic into another, losslessly: keys, values
# (binary ones too), headers, timestamps and partitions, with the
# consume -> produce round trip no other Kafka tool offers:
#
#     examples/copy-topic.sh orders orders-backup
#
# The target is created with as many partitions as the source when it does
# not exist (records keep their partition, so it needs at least as many);
# copy into an empty target to get the same records at the same offsets.
# The copy reads what the source holds when it starts and then stops; what
# is produced to the source meanwhile is not copied. Prints one JSON line,
# {"from","to","records"}. The broker comes from GAFKA_BROKERS (else
# localhost:9001); the copy goes through this host, so between two clusters
# give the two sides their own --broker:
#
#     gafka-consume --broker a:9001 --topic t --from-beginning --exit-at-end |
#         gafka-produce --broker b:9001 --json --topic t
#
# Exit status: 0 copied, 1 the broker failed or the target has fewer
# partitions, 2 usage, 3 some records were refused (gafka-produce says which).
set -euo pipefail

if (($# != 2)); then
    echo "usage: ${0##*/} SOURCE-TOPIC TARGET-TOPIC" >&2
    exit 2
fi
from=$1 to=$2

partitions=$(gafka-admin describe-topic --name "$from" | jq '.partitions')
gafka-admin create-topic --name "$to" --partitions "$partitions" --if-not-exists >/dev/null
target_partitions=$(gafka-admin describe-topic --name "$to" | jq '.partitions')
if ((target_partitions < partitions)); then
    echo "${0##*/}: $to has $target_partitions partitions, $from has $partitions" >&2
    exit 1
fi

acks=$(mktemp)
trap 'rm -f "$acks"' EXIT
gafka-consume --topic "$from" --from-beginning --exit-at-end |
    gafka-produce --json --topic "$to" --print-acks >"$acks"
jq -cn --arg from "$from" --arg to "$to" --argjson records "$(wc -l <"$acks")" '{$from, $to, $records}'
