#!/usr/bin/env bash
# A seeded fault campaign against a leader and a follower (issue #8).
#
#   scripts/fault/failover.sh --runs N [--seed S] [--faults K] [--records M]
#                             [--bin DIR] [--keep DIR]
#
# Each run starts two brokers on 127.0.0.1 (ids 1 and 2, --min-insync 2, so
# an acks=all record is on both before it is acknowledged), creates a
# 3-partition topic and feeds it M workload records (checker.py's) through
# one idempotent gafka-produce --acks all --print-acks that knows both
# brokers and retries long enough (--retries 60) to live through each fault.
# K times, after a seeded number of acks, it injects one seeded fault:
#   follower9  kill -9 of the follower, restarted as follower
#   failover   kill -9 of the leader, gafka-admin promote of the follower,
#              the old leader restarted as follower of the new one (it cuts
#              its divergent tail)
#   pause      kill -STOP of the leader or the follower for 0.1-2.5 s
# At the end the producer finishes, the follower catches up, both stop, and
# gafka-walcheck --dump of both data dirs must be identical; everything is
# read back from the leader and checker.py counts lost, duplicated,
# reordered records, offset gaps and bad checksums: each must be zero.
# (Group consumers are left out: committed offsets are not replicated yet,
# see docs/operations.md.)
#
# Prints one JSON line per run and a summary line; exits 0 when every run
# passed, 1 otherwise, 2 on usage. The seed fixes every choice, not timings.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/fault/common.sh
. "$here/common.sh"
root=$(cd "$here/../.." && pwd)
runs=1 seed=1 faults=6 records=3000 keep=""
bin=${GAFKA_BIN:-$root/build/bin}
usage() { sed -n '4,5p' "$0" | sed 's/^# *//'; exit "$1"; }
parse_args failover.sh "$@"
[[ -x $bin/gafka-broker ]] || { echo "failover.sh: error: no gafka-broker in $bin" >&2; exit 2; }
export PATH=$bin:$PATH
P=3 TOPIC=failover

work="" producer_pid=""
declare -A PID=() PORT=()
leader=a follower=b
id_of() { [[ $1 == a ]] && echo 1 || echo 2; }
addr() { echo "127.0.0.1:${PORT[$1]}"; }

say() { echo "failover: $*" >&2; }
cleanup() {
  local p
  for p in "$producer_pid" "${PID[a]:-}" "${PID[b]:-}"; do sig CONT "$p"; sig KILL "$p"; wait_gone "$p" 100; done
  producer_pid="" PID=()
  [[ -n $work && -z $keep ]] && rm -rf "$work"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NODE ROLE: broker NODE (on its port once it had one) as leader or
# as follower of the current leader.
starts=0
start() {
  local node=$1 role=$2 log i got="" args=()
  starts=$((starts + 1))
  log=$work/$node.$starts.log
  : >"$log"  # before the background start, which opens it in its own time
  [[ $role == follower ]] && args=(--role follower --leader "$(addr "$leader")")
  gafka-broker --id "$(id_of "$node")" --data-dir "$work/$node" --port "${PORT[$node]:-0}" --kafka-port 0 --min-insync 2 \
    --replica-lag-max 2s --segment-bytes 65536 "${args[@]}" </dev/null >/dev/null 2>"$log" &
  PID[$node]=$!
  disown "${PID[$node]}"
  for ((i = 0; i < 200; i++)); do
    got=$(sed -n 's/.* serving .* on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)
    [[ -n $got ]] && break
    alive "${PID[$node]}" || break
    sleep 0.05
  done
  [[ -n $got ]] || { say "$node did not start: $(tail -3 "$log")"; return 1; }
  PORT[$node]=$got
}
kill9() { sig KILL "${PID[$1]}"; wait_gone "${PID[$1]}" 100; PID[$1]=""; }

# meta NODE JQ: a jq expression over NODE's metadata.
meta() { curl -s --max-time 5 "http://$(addr "$1")/api/v1/metadata" | jq -c "$2" 2>/dev/null; }
# in_sync: the leader has both brokers in the ISR of every partition.
in_sync() { [[ $(meta "$leader" "[.topics[] | select(.name == \"$TOPIC\") | .partitions[].isr | length] | unique") == "[2]" ]]; }

acked_count() { wc -l <"$work/acks"; }

kinds=(follower9 failover pause)
total_faults=0 failed_runs=0
declare -A by_kind=() sums=()

one_run() {  # one_run RUN_SEED
  local rs=$1 k kind
  RANDOM=$rs
  leader=a follower=b PORT=() PID=() starts=0
  if [[ -n $keep ]]; then mkdir -p "$keep" && work=$(mktemp -d "$keep/run-$rs.XXXXXX")
  else work=$(mktemp -d "${TMPDIR:-/tmp}/gafka-failover.XXXXXX"); fi
  write_workload "$records" "$P" "$rs" "$work/input.jsonl"
  start a leader || return 1
  start b follower || return 1
  gafka-admin create-topic --broker "$(addr a)" --name "$TOPIC" --partitions "$P" >/dev/null ||
    { say "create-topic failed"; return 1; }
  wait_for 300 in_sync || { say "the follower never joined the ISR"; return 1; }
  : >"$work/acks"
  gafka-produce --broker "$(addr a),$(addr b)" --topic "$TOPIC" --json --acks all --print-acks \
    --batch-size "$((RANDOM % 8 + 1))" --timeout 1s --retries 60 \
    <"$work/input.jsonl" >>"$work/acks" 2>"$work/produce.err" &
  producer_pid=$!
  disown "$producer_pid"
  : >"$work/faults.jsonl"
  for ((k = 1; k <= faults; k++)); do
    alive "$producer_pid" || break
    local at=$(($(acked_count) + RANDOM % 300 + 1)) who
    kind=${kinds[RANDOM % ${#kinds[@]}]}
    wait_acks_within 20 "$at"
    case $kind in
      follower9)
        kill9 "$follower"; start "$follower" follower || return 1 ;;
      failover)
        local old=$leader
        kill9 "$leader"
        gafka-admin promote --broker "$(id_of "$follower")" --bootstrap-server "$(addr "$follower")" \
          >>"$work/promote.jsonl" 2>&1 || { say "promote failed: $(tail -1 "$work/promote.jsonl")"; return 1; }
        leader=$follower follower=$old
        start "$follower" follower || return 1 ;;
      pause)
        who=$([[ $((RANDOM % 2)) == 0 ]] && echo "$leader" || echo "$follower")
        sig STOP "${PID[$who]}"
        sleep "$((RANDOM % 25 + 1))e-1"  # the fault itself, not a synchronisation
        sig CONT "${PID[$who]}" ;;
    esac
    echo "{\"fault\":$k,\"kind\":\"$kind\",\"at_acks\":$at,\"leader\":\"$leader\"}" >>"$work/faults.jsonl"
    by_kind[$kind]=$((${by_kind[$kind]:-0} + 1))
    total_faults=$((total_faults + 1))
  done
  wait_gone "$producer_pid" 2400  # bounded: 120 s
  producer_pid=""
  wait_for 600 in_sync || say "the follower did not catch up"
  wait_for 300 ends_match || say "the logs' ends differ"
  sig TERM "${PID[$follower]}"; wait_gone "${PID[$follower]}" 400
  gafka-consume --broker "$(addr "$leader")" --topic "$TOPIC" --from-beginning --exit-at-end --timeout 1s \
    >"$work/all.jsonl" 2>"$work/all.err"
  sig TERM "${PID[$leader]}"; wait_gone "${PID[$leader]}" 400
  PID=()
  gafka-walcheck --dump "$work/a" >"$work/a.dump" 2>&1
  local wal_a=$?
  gafka-walcheck --dump "$work/b" >"$work/b.dump" 2>&1
  local wal_b=$? identical=true
  # The records (offset, timestamp, key, value) of both copies; segment
  # names and positions may differ after truncations.
  cmp -s <(jq -c 'select(.offset != null) | [.partition, .offset, .key, .value]' "$work/a.dump" 2>/dev/null | sort) \
    <(jq -c 'select(.offset != null) | [.partition, .offset, .key, .value]' "$work/b.dump" 2>/dev/null | sort) ||
    identical=false
  local result ok=0
  result=$(python3 "$here/checker.py" --fail-on-duplicates --produced "$work/input.jsonl" "$work/acks" \
    --records "$work/all.jsonl") || ok=1
  ((wal_a == 0 && wal_b == 0)) && [[ $identical == true ]] || ok=1
  jq -c --argjson seed "$rs" --argjson wa "$wal_a" --argjson wb "$wal_b" --argjson same "$identical" \
    --slurpfile f "$work/faults.jsonl" \
    '{seed: $seed, faults: ($f | map(.kind)), walcheck_exit: [$wa, $wb], replicas_identical: $same} + .' <<<"$result"
  for k in acknowledged lost duplicates reordered gaps bad_checksum; do
    sums[$k]=$((${sums[$k]:-0} + $(jq ".$k // 0" <<<"$result")))
  done
  cleanup
  return $ok
}

# ends_match: leader and follower hold the same log end of every partition.
ends_match() {
  local q="[.topics[] | select(.name == \"$TOPIC\") | .partitions[].log_end_offset]"
  [[ $(meta "$leader" "$q") == "$(meta "$follower" "$q")" ]]
}

run_all failover
