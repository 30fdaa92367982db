#!/usr/bin/env bash
# The main job: a broker with a demo pipeline. Starts gafka-broker on a free
# loopback port with a fresh data dir, ships log lines through gafka-produce,
# reads them back with gafka-consume (and the HTTP API's consumer groups),
# stops the broker cleanly and checks its WAL with gafka-walcheck.
# Everything it starts is stopped, and its temporary dir removed, on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
# Only what the demo runs: the library and five programs (no unit tests).
GAFKA_BUILD_TARGETS="gafka-broker gafka-produce gafka-consume gafka-admin gafka-walcheck" "$root/scripts/build.sh"
bin=${GAFKA_BIN:-$root/build/bin}
export PATH="$bin:$PATH"
work=$(mktemp -d /tmp/gafka-demo.XXXXXX)
broker_pid=
cleanup() {
  if [[ -n $broker_pid ]] && kill -0 "$broker_pid" 2>/dev/null; then
    kill -TERM "$broker_pid"; wait "$broker_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
say() { printf '\n\033[1m# %s\033[0m\n' "$*" >&2; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export GAFKA_BROKERS=127.0.0.1:$port
say "start a broker on 127.0.0.1:$port (data in $work/data)"
gafka-broker --data-dir "$work/data" --port "$port" --kafka-port 0 2>"$work/broker.log" &
broker_pid=$!
for _ in $(seq 1 100); do curl -sf "http://$GAFKA_BROKERS/healthz" >/dev/null && break; sleep 0.05; done
curl -s "http://$GAFKA_BROKERS/healthz"

say "create a topic with 3 partitions"
gafka-admin create-topic --name app-logs --partitions 3

say "ship 10000 log lines (key = service name) through gafka-produce"
now=$(date -u +%FT%TZ)
seq 1 10000 | awk -v now="$now" '{ level = ($1 % 250 == 0) ? "ERROR" : "INFO";
  printf "svc-%d|%s %s request %d served\n", $1 % 4, now, level, $1 }' |
  gafka-produce --topic app-logs --key-separator '|'

say "read them back and keep only the errors, with jq"
gafka-consume --topic app-logs --from-beginning --exit-at-end | jq -c 'select(.value | test("ERROR")) | {partition, offset, key, value}' | head -5

say "the same key always lands on the same partition"
gafka-admin partition-for --topic app-logs --key svc-1

say "a consumer group over HTTP (the original design's calls)"
curl -s "http://$GAFKA_BROKERS/api/v1/consume?topic=app-logs&count=3&consumer_id=worker-1&group_id=indexer&timeout=1s" | jq -c '{generation, assignment, offsets: [.records[].offset]}'
curl -s -X POST "http://$GAFKA_BROKERS/api/v1/consumer-groups/indexer/members/worker-1/heartbeat" | jq -c .
curl -s "http://$GAFKA_BROKERS/api/v1/consumer-groups/indexer/status" | jq -c '{generation, total_lag}'

say "copy the topic, losslessly: consume | produce --json (partitions are kept, so the copy has as many)"
gafka-admin create-topic --name app-logs-copy --partitions 3 >/dev/null
gafka-consume --topic app-logs --from-beginning --exit-at-end | gafka-produce --json --topic app-logs-copy
gafka-admin describe-topic --name app-logs-copy | jq -c '{name, records: ([.partition_info[].log_end_offset] | add)}'

say "stop the broker (SIGTERM) and check its WAL offline"
kill -TERM "$broker_pid"; wait "$broker_pid"; broker_pid=
tail -1 "$work/broker.log" >&2
gafka-walcheck "$work/data" | jq -c '{file: (.file | split("/")[-4:] | join("/")), records, status}'
