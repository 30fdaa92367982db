#!/usr/bin/env bash
# A seeded fault campaign against real gafka programs (issue #8).
#
#   scripts/fault/campaign.sh --runs N [--seed S] [--faults K] [--records M]
#                             [--bin DIR] [--keep DIR] [--allow-duplicates]
#                             [--same-consumer-id]
#
# Each run starts a broker (127.0.0.1, free port, temporary data dir), creates
# a 3-partition topic and feeds it M workload records (scripts/fault/checker.py
# writes them: unique id, per-partition sequence, own CRC) through
# gafka-produce --json --acks all --print-acks, with a group consumer reading
# alongside. K times, at a seeded moment (after a seeded number of acks), it
# injects one seeded fault:
#   kill9     kill -9 of the broker, restart
#   pause     kill -STOP, a seeded pause (0.1-2.5 s, longer than the
#             producer's 1 s timeout sometimes), kill -CONT
#   truncate  kill -9, cut the active segment of a partition past its
#             durable point, restart
#   flip      kill -9, flip a bit of the last batch if past the durable point
#   garbage   kill -9, append seeded junk bytes to a segment, restart
#   iofail    kill -9, restart under an LD_PRELOAD shim that fails the log's
#             writes/fsyncs after a seeded number of calls (EIO or ENOSPC);
#             the next fault (or the end) restarts it without the shim
#   consumer9 kill -9 of the group consumer, a new member takes over
# Damage never touches acknowledged data (see damage.py): every acknowledged
# record must survive every fault. The producer is idempotent (gafka-produce's
# default) and retries long enough (--retries 60, about 90 s) to live through every fault,
# so a batch it sends again after a lost answer is not appended twice: any
# duplicate fails the run. Only when a producer gives up does the next session
# resend from its first unacknowledged line, as a new producer (duplicates
# from that are possible, as with Kafka's idempotent producer across
# restarts; --allow-duplicates reports them without failing).
# At the end: the rest is produced without faults, the broker stops cleanly,
# gafka-walcheck checks the data dir, the broker restarts, everything is read
# back, a group drain runs, and checker.py counts lost, duplicated,
# reordered records, offset gaps, bad checksums and undelivered group records.
#
# Each group consumer session has its own --consumer-id, as by default
# (HOST-PID); --same-consumer-id reuses one id, as a supervised consumer
# with a fixed id would (the broker commits what it last delivered to an id
# on that id's next fetch, so a kill -9 between fetch and write loses records
# for the group: group_undelivered finds it).
#
# Prints one JSON line per run and a summary line; exits 0 when every run
# passed, 1 otherwise, 2 on usage.
# The seed fixes every choice; timings still vary, so a rerun injects the same
# faults at the same ack counts but not at the same nanosecond.
set -uo pipefail
[[ -n ${FAULT_TRACE:-} ]] && { PS4='+ $EPOCHREALTIME '; set -x; }

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/fault/common.sh
. "$here/common.sh"
root=$(cd "$here/../.." && pwd)
runs=1 seed=1 faults=6 records=4000 keep="" strict=--fail-on-duplicates same_id=""
bin=${GAFKA_BIN:-${GAFKA_BUILD_DIR:-$root/build}/bin}
usage() { sed -n '4,6p' "$0" | sed 's/^# *//'; exit "$1"; }
extra_arg() {
  case $1 in
    --allow-duplicates) strict="" ;;
    --same-consumer-id) same_id=1 ;;
    *) return 1 ;;
  esac
}
parse_args campaign.sh "$@"
shim=$bin/../fault/libgafka_fail_io.so
[[ -x $bin/gafka-broker ]] || { echo "campaign.sh: error: no gafka-broker in $bin" >&2; exit 2; }
[[ -f $shim ]] || { echo "campaign.sh: error: no fault shim at $shim (build the tree)" >&2; exit 2; }
export PATH=$bin:$PATH
P=3 TOPIC=fault

work="" broker_pid="" producer_pid="" consumer_pid=""
cleanup() {
  local p
  for p in $producer_pid $consumer_pid $broker_pid; do
    sig CONT "$p"; sig KILL "$p"; wait_gone "$p" 100
  done
  producer_pid="" consumer_pid="" broker_pid=""
  [[ -n $work && -z $keep ]] && rm -rf "$work"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "campaign: $*" >&2; }
# start_broker [env...]: on the run's port (0 the first time), data in $work/data.
starts=0 port=0
start_broker() {
  starts=$((starts + 1))
  local log=$work/broker.$starts.log i got=""
  : >"$log"  # before the background start, which opens it in its own time
  env "$@" gafka-broker --data-dir "$work/data" --port "$port" --kafka-port 0 --segment-bytes 65536 \
    </dev/null >/dev/null 2>"$log" &
  broker_pid=$!
  disown "$broker_pid"   # reaped by bash all the same, without "Killed" notices
  for ((i = 0; i < 200; i++)); do
    got=$(sed -n 's/.* serving .* on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)
    [[ -n $got ]] && break
    alive "$broker_pid" || break
    sleep 0.05
  done
  [[ -n $got ]] || { say "broker did not start: $(tail -3 "$log")"; return 1; }
  port=$got
  export GAFKA_BROKERS=127.0.0.1:$port
  for ((i = 0; i < 200; i++)); do
    curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz" && return 0
    sleep 0.05
  done
  say "broker does not answer: $(tail -3 "$log")"
  return 1
}

kill9_broker() { [[ -n $broker_pid ]] && { sig KILL "$broker_pid"; wait_gone "$broker_pid" 100; broker_pid=""; }; }
stop_broker() { [[ -n $broker_pid ]] && { sig TERM "$broker_pid"; wait_gone "$broker_pid" 400; broker_pid=""; }; }

# Acknowledged lines so far, over every session: first unacknowledged line.
next_line=1
sessions=0
acked_count() { cat "$work"/s*.acks 2>/dev/null | wc -l; }

# start_session: a producer for lines next_line.. (a group consumer too).
start_session() {
  sessions=$((sessions + 1))
  local s=$work/s$sessions
  tail -n "+$next_line" "$work/input.jsonl" >"$s.in"
  echo "$next_line" >"$s.first"
  gafka-produce --topic "$TOPIC" --json --acks all --print-acks --batch-size "$((RANDOM % 8 + 1))" \
    --timeout 1s --retries 60 <"$s.in" >"$s.acks" 2>"$s.err" &
  producer_pid=$!
  disown "$producer_pid"
  ensure_consumer
}

# ensure_consumer: a group member reading alongside, restarted when it gave up.
consumers=0
ensure_consumer() {
  alive "$consumer_pid" && return 0
  [[ -n $consumer_pid ]] && wait "$consumer_pid" 2>/dev/null
  consumers=$((consumers + 1))
  gafka-consume --topic "$TOPIC" --group g --consumer-id "c${same_id:-$consumers}" --timeout 1s \
    >"$work/g$consumers.jsonl" 2>"$work/g$consumers.err" </dev/null &
  consumer_pid=$!
  disown "$consumer_pid"
}

# end_session: waits (bounded) for the producer and moves next_line to the
# first line this session did not get acknowledged.
end_session() {
  wait_gone "$producer_pid" "${1:-600}"
  producer_pid=""
  local s=$work/s$sessions first
  [[ -s $s.err ]] && say "producer session $sessions said: $(tail -2 "$s.err" | tr '\n' ' ')"
  first=$(cat "$s.first")
  next_line=$(python3 - "$s.acks" "$first" <<'EOF'
import json, sys
acked = set()
for l in open(sys.argv[1]):
    try: acked.add(json.loads(l)["line"])
    except Exception: pass
n = 1
while n in acked: n += 1
print(int(sys.argv[2]) + n - 1)
EOF
)
}

# durable OFFSET of partition P: its highest acknowledged offset, or -1.
durable() {
  local s out=-1 f
  for s in "$work"/s*.acks; do
    [[ -s $s ]] || continue
    f=$(jq -s --argjson p "$1" '[.[] | select(.partition == $p) | .offset] | max // -1' "$s")
    ((f > out)) && out=$f
  done
  echo "$out"
}

# quiesce_producer: stops the broker (kill -STOP) and waits (bounded) until
# the producer has read and printed every answer the broker sent: it sleeps
# with nothing unread on its sockets. Its acks are then final until the
# broker runs again, so damage past them touches nothing acknowledged.
producer_idle() {
  local state
  state=$(awk '{print $3}' "/proc/$producer_pid/stat" 2>/dev/null) || return 0  # gone: final too
  [[ $state == S ]] || return 1
  ss -tnpH 2>/dev/null | awk -v p="pid=$producer_pid," 'index($0, p) && $2 > 0 {busy = 1} END {exit busy}'
}
quiesce_producer() {
  local i
  sig STOP "$broker_pid"
  for ((i = 0; i < 200; i++)); do
    producer_idle && return 0
    sleep 0.05
  done
  say "producer $producer_pid did not go idle"
}

# wait_acks N [STOP_PATTERN]: until N acks in total, the producer ends, the
# broker's log shows STOP_PATTERN, or 10 s (by the clock: a loaded machine
# makes each check slower; the producer keeps retrying for about 90 s).
wait_acks() {
  local end=$((SECONDS + 10))
  while ((SECONDS < end)); do
    (($(acked_count) >= $1)) && return 0
    alive "$producer_pid" || return 0
    [[ -n ${2:-} ]] && grep -q -- "$2" "$work/broker.$starts.log" && return 0
    sleep 0.05
  done
}

kinds=(kill9 pause truncate flip garbage iofail consumer9)
total_faults=0 failed_runs=0
declare -A by_kind=()
declare -A sums=()

one_run() {  # one_run RUN_SEED
  local rs=$1 k kind
  RANDOM=$rs
  if [[ -n $keep ]]; then
    mkdir -p "$keep" && work=$(mktemp -d "$keep/run-$rs.XXXXXX")
  else
    work=$(mktemp -d "${TMPDIR:-/tmp}/gafka-fault.XXXXXX")
  fi
  starts=0 port=0 next_line=1 sessions=0 consumers=0
  write_workload "$records" "$P" "$rs" "$work/input.jsonl"
  start_broker || return 1
  gafka-admin create-topic --name "$TOPIC" --partitions "$P" >/dev/null || { say "create-topic failed"; return 1; }
  : >"$work/faults.jsonl"
  for ((k = 1; k <= faults; k++)); do
    (( next_line > records )) && break
    alive "$producer_pid" || { [[ -n $producer_pid ]] && end_session; start_session; }
    ensure_consumer
    local at=$(( $(acked_count) + RANDOM % 150 + 1 ))
    kind=${kinds[RANDOM % ${#kinds[@]}]}
    wait_acks "$at"
    local p=$((RANDOM % P)) dseed=$RANDOM detail="{}"
    case $kind in
      pause)
        sig STOP "$broker_pid"
        sleep "$(( RANDOM % 25 + 1 ))e-1"   # the fault itself, not a synchronisation
        sig CONT "$broker_pid" ;;
      kill9)
        kill9_broker; start_broker || return 1 ;;
      consumer9)
        # At-least-once: what it committed it must have written first.
        sig KILL "$consumer_pid"
        wait_gone "$consumer_pid" 100; consumer_pid=""; ensure_consumer ;;
      truncate|flip|garbage)
        # The producer lives on and retries its batch once the broker is
        # back (an idempotent producer: no duplicate if it was kept).
        quiesce_producer; kill9_broker
        detail=$(python3 "$here/damage.py" "$kind" "$work/data/topics/$TOPIC/$p" "$(durable "$p")" "$dseed")
        start_broker || return 1 ;;
      iofail)
        kill9_broker
        local after=$((RANDOM % 400 + 1)) errno=$(( RANDOM % 2 ? 5 : 28 ))
        detail="{\"fail_after\":$after,\"errno\":$errno}"
        # A broker may refuse to open its data dir when the failures start
        # during recovery (an index rebuild writes): then it runs without.
        if ! start_broker LD_PRELOAD="$shim" GAFKA_FAIL_AFTER="$after" GAFKA_FAIL_ERRNO="$errno"; then
          detail="{\"fail_after\":$after,\"errno\":$errno,\"refused_to_start\":true}"
          start_broker || return 1
        fi ;;
    esac
    echo "{\"fault\":$k,\"kind\":\"$kind\",\"at_acks\":$at,\"partition\":$p,\"detail\":$detail}" >>"$work/faults.jsonl"
    by_kind[$kind]=$(( ${by_kind[$kind]:-0} + 1 ))
    total_faults=$((total_faults + 1))
    # A broker that stopped itself (an fsync error) or runs under the shim
    # is replaced before the next session.
    if ! alive "$broker_pid" || [[ $kind == iofail ]]; then
      if [[ $kind == iofail ]]; then
        alive "$producer_pid" || { [[ -n $producer_pid ]] && end_session; start_session; }
        wait_acks "$(( $(acked_count) + 200 ))" "refusing further appends"; kill9_broker
      else
        broker_pid=""
      fi
      start_broker || return 1
    fi
  done
  # The rest without faults, then a clean stop, walcheck and the read-back.
  [[ -n $producer_pid ]] && end_session 1200
  local tries
  ensure_consumer
  for ((tries = 0; tries < 5 && next_line <= records; tries++)); do
    start_session; end_session 1200
  done
  sig TERM "$consumer_pid"; wait_gone "$consumer_pid" 200; consumer_pid=""
  stop_broker
  gafka-walcheck --quiet "$work/data" >"$work/walcheck.jsonl" 2>&1
  local wal=$?
  start_broker || return 1
  gafka-consume --topic "$TOPIC" --from-beginning --exit-at-end --timeout 1s >"$work/all.jsonl" 2>"$work/all.err"
  gafka-consume --topic "$TOPIC" --group g --consumer-id "c${same_id:-final}" --exit-at-end --timeout 1s \
    >"$work/gfinal.jsonl" 2>"$work/gfinal.err"
  stop_broker
  local args=() s
  for ((s = 1; s <= sessions; s++)); do args+=(--produced "$work/s$s.in" "$work/s$s.acks"); done
  for s in "$work"/g*.jsonl; do args+=(--group-records "$s"); done  # g1.. and gfinal
  local result ok=0
  result=$(python3 "$here/checker.py" ${strict:+"$strict"} "${args[@]}" --records "$work/all.jsonl") || ok=1
  ((wal == 0)) || ok=1
  jq -c --argjson seed "$rs" --argjson wal "$wal" --slurpfile f "$work/faults.jsonl" \
    '{seed: $seed, faults: ($f | map(.kind)), walcheck_exit: $wal} + .' <<<"$result"
  for k in acknowledged lost duplicates reordered gaps bad_checksum group_undelivered; do
    sums[$k]=$(( ${sums[$k]:-0} + $(jq ".$k // 0" <<<"$result") ))
  done
  cleanup
  return $ok
}

run_all campaign
