#!/usr/bin/env bash
# Filter a topic into another with kcat through gafka's Kafka port: the
# records of SOURCE whose value matches REGEX (an awk extended regular
# expression) are written to TARGET with their keys, in one pipeline,
#
#     kcat -C -e (SOURCE, beginning to end) | awk (the filter) | kcat -P (TARGET)
#
#     examples/kcat-filter.sh app-logs app-errors 'ERROR|FATAL'
#
# Records travel as "key<TAB>value" lines, so this is for text records
# without tabs or newlines (for anything else see copy-topic.sh); a record
# without a key arrives in TARGET with an empty key. TARGET is created as
# the broker auto-creates topics when it does not exist. It reads what
# SOURCE holds when it starts and then stops. Prints one JSON line,
# {"from","to","read","written"}.
#
# kcat talks to the Kafka listener, KAFKA_BROKERS (HOST:PORT, else
# localhost:9092), not to the HTTP API that GAFKA_BROKERS names for the
# gafka-* programs: both ports serve the same topics, so gafka-consume
# reads TARGET too.
#
# Exit status: 0 done, 1 kcat failed (it says why), 2 usage.
set -euo pipefail

if (($# != 3)); then
    echo "usage: ${0##*/} SOURCE-TOPIC TARGET-TOPIC REGEX" >&2
    exit 2
fi
from=$1 to=$2 regex=$3
brokers=${KAFKA_BROKERS:-localhost:9092}

counts=$(mktemp)
trap 'rm -f "$counts"' EXIT
kcat -b "$brokers" -C -e -q -t "$from" -f '%k\t%s\n' |
    awk -F'\t' -v re="$regex" -v counts="$counts" '
        $2 ~ re { print; n++ }
        END { print NR, n + 0 > counts }' |
    kcat -b "$brokers" -P -t "$to" -K '\t'
read -r read written <"$counts"
printf '{"from":"%s","to":"%s","read":%d,"written":%d}\n' "$from" "$to" "$read" "$written"
