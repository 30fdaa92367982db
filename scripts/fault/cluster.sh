#!/usr/bin/env bash
# A seeded fault campaign against a 3-broker cluster on etcd (issue #19).
#
#   scripts/fault/cluster.sh --runs N [--seed S] [--faults K] [--records M]
#                            [--bin DIR] [--keep DIR] [--kinds=KIND,...]
#
# Each run starts a 3-member etcd cluster and three brokers on 127.0.0.1
# (ids 1-3, --cluster-session-timeout 2s, --min-insync 2), creates a
# 3-partition topic with --replication-factor 3 and feeds it M workload
# records (checker.py's), fed at 50 a second at most, through one idempotent gafka-produce --acks all
# --print-acks --retries 60 that knows all three brokers (it follows 421
# not_leader and refreshes its metadata). One gafka-consume --group campaign
# --retries 60 (it knows all three brokers too, and follows the groups'
# coordinator, the leader of __consumer_offsets/0) reads the topic meanwhile,
# and offsets_sampler.py asks the coordinator for the group's committed
# offsets every 200 ms. K times, after a seeded number of acks, it injects
# one seeded fault (--kinds limits them):
#   broker9      kill -9 of a random broker, restarted (same id, port, data
#                dir) after a seeded 0.1-4 s
#   zombie       kill -STOP of a partition's leader for the session timeout
#                and a seeded 0.5-2.5 s more, then kill -CONT
#   controller9  kill -9 of the controller, restarted after 0.1-4 s
#   etcd9        kill -9 of one etcd member of three, restarted after 0.1-3 s
#   etcdpause    kill -STOP of every etcd member for 1-4 s, then kill -CONT
#   coordinator9 kill -9 of the groups' coordinator, restarted after 0.1-4 s
# At the end the producer finishes, every broker is up, every partition's
# ISR (the topic's and __consumer_offsets') holds all three and their log
# ends agree (bounded polling); the consumer reads to the end and is stopped
# (SIGTERM: it commits what it wrote and leaves); the group's committed
# offsets are read from the coordinator, the brokers stop, and
# gafka-walcheck --dump of the three data dirs must hold the same records
# (the offsets topic's too), from which each replica's committed offsets are
# replayed as a new coordinator would. Everything is read back and
# checker.py counts lost, duplicated, reordered records, offset gaps and bad
# checksums, and for the consumer (group_check.py) records lost, written
# twice, out of offset order or not the log's, committed offsets that went
# down between two samples, and coordinator or replica offsets that differ
# from the consumer's last position: each must be zero, every record must
# have been acknowledged in the end (the producer gives up after about a
# minute without progress), and neither a broker (it is restarted) nor the
# consumer may have exited by itself. For each fault that took down a
# partition leader (broker9, controller9, coordinator9 or zombie of a broker
# that led partitions of the topic just before) the failover time is from
# the fault to the first acknowledgement (of any partition the victim led) that
# arrived after it (50 ms after it at the earliest: one that arrives sooner
# was on its way); each run's line has their p50 and max.
#
# Prints one JSON line per run (the checker's counts, consumer_* and
# offset_* figures included) and a summary line; exits 0 when every run
# passed, 1 otherwise, 2 on usage. The seed fixes every choice, not timings.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/fault/common.sh
. "$here/common.sh"
root=$(cd "$here/../.." && pwd)
runs=1 seed=1 faults=6 records=3000 keep=""
bin=${GAFKA_BIN:-$root/build/bin}
all_kinds=(broker9 zombie controller9 etcd9 etcdpause coordinator9)
kinds=("${all_kinds[@]}")
usage() { sed -n '4,5p' "$0" | sed 's/^# *//'; exit "$1"; }
extra_arg() {
  [[ $1 == --kinds=* ]] || return 1
  local k
  IFS=, read -r -a kinds <<<"${1#--kinds=}"
  for k in "${kinds[@]}"; do
    [[ " ${all_kinds[*]} " == *" $k "* ]] ||
      { echo "cluster.sh: error: unknown fault kind '$k' (${all_kinds[*]})" >&2; exit 2; }
  done
  ((${#kinds[@]})) || { echo "cluster.sh: error: --kinds needs a kind" >&2; exit 2; }
}
parse_args cluster.sh "$@"
[[ -x $bin/gafka-broker ]] || { echo "cluster.sh: error: no gafka-broker in $bin" >&2; exit 2; }
command -v etcd >/dev/null || { echo "cluster.sh: error: no etcd (scripts/setup.sh installs etcd-server)" >&2; exit 2; }
export PATH=$bin:$PATH
P=3 TOPIC=cluster SESSION=2 IDS=(1 2 3) RATE=50 GROUP=campaign OFFSETS=__consumer_offsets

work="" producer_pid="" stamp_pid="" feeder_pid="" consumer_pid="" sampler_pid="" crashed=()
declare -A PID=() PORT=() LOG=() ETCD_PID=() ETCD_CPORT=() ETCD_PPORT=()
addr() { echo "127.0.0.1:${PORT[$1]}"; }
all_addrs() { local i; for i in "${IDS[@]}"; do addr "$i"; done | paste -sd, -; }

say() { echo "cluster: $*" >&2; }
cleanup() {
  local p
  for p in "$producer_pid" "$consumer_pid" "$sampler_pid" "${PID[@]}"; do
    sig CONT "$p"; sig KILL "$p"; wait_gone "$p" 100
  done
  wait_gone "$stamp_pid" 100
  wait_gone "$feeder_pid" 100
  producer_pid="" stamp_pid="" feeder_pid="" consumer_pid="" sampler_pid="" PID=()
  etcd_down
  [[ -n $work && -z $keep ]] && rm -rf "$work"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start ID: broker ID (on its port once it had one). A broker restarted
# before its killed self's lease expired may find its id still registered
# and refuse to start after waiting a session timeout: started again then.
starts=0
start() {
  local id=$1 log i try got=""
  for ((try = 0; try < 3; try++)); do
    starts=$((starts + 1))
    log=$work/b$id.$starts.log
    LOG[$id]=$log
    : >"$log"  # before the background start, which opens it in its own time
    # setsid: a session of its own, so a broker stopped by a fault is never in
    # a process group the kernel hangs up (SIGHUP) as orphaned with a stopped
    # member. Not a group leader here, so setsid execs in place: $! is the broker.
    setsid gafka-broker --id "$id" --data-dir "$work/b$id" --port "${PORT[$id]:-0}" --no-kafka \
      --cluster "etcd://$ETCD_ENDPOINTS" --cluster-session-timeout "${SESSION}s" --min-insync 2 \
      --replica-lag-max 2s --segment-bytes 65536 </dev/null >/dev/null 2>"$log" &
    PID[$id]=$!
    disown "${PID[$id]}"
    for ((i = 0; i < 300; i++)); do
      got=$(sed -n 's/.* serving .* on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)
      [[ -n $got ]] && break
      alive "${PID[$id]}" || break
      sleep 0.05
    done
    [[ -n $got ]] && { PORT[$id]=$got; return 0; }
    wait_gone "${PID[$id]}" 100
    grep -q "already registered" "$log" || break
  done
  say "broker $id did not start: $(tail -3 "$log")"
  return 1
}
kill9() { sig KILL "${PID[$1]}"; wait_gone "${PID[$1]}" 100; PID[$1]=""; }
# revive: restarts each broker that exited without being told to (a crash:
# the run fails), adding its id to crashed.
revive() {
  local id
  for id in "${IDS[@]}"; do
    alive "${PID[$id]}" && continue
    say "broker $id exited by itself: $(tail -3 "${LOG[$id]}")"
    crashed+=("$id")
    start "$id" || return 1
  done
}

# describe JQ: a jq expression over describe-cluster of the first live broker that answers.
describe() {
  local id out
  for id in "${IDS[@]}"; do
    alive "${PID[$id]:-}" || continue
    out=$(gafka-admin describe-cluster --broker "$(addr "$id")" 2>/dev/null | jq -c "$1" 2>/dev/null) &&
      [[ -n $out && $out != null ]] && { echo "$out"; return 0; }
  done
  return 1
}
# known_id JQ: the broker id JQ picks from describe-cluster, once it is one
# (bounded: 10 s; -1 while there is no controller or leader).
known_id() {
  local i v
  for ((i = 0; i < 100; i++)); do
    v=$(describe "$1") && [[ " ${IDS[*]} " == *" $v "* ]] && { echo "$v"; return 0; }
    sleep 0.1
  done
  return 1
}
# led_by ID: the partitions of the topic ID leads, as a JSON array.
led_by() { describe "[.partitions[] | select(.topic == \"$TOPIC\" and .leader == $1) | .partition]" || echo '[]'; }
# meta ID JQ: a jq expression over broker ID's /api/v1/metadata.
meta() { curl -s --max-time 5 "http://$(addr "$1")/api/v1/metadata" | jq -c "$2" 2>/dev/null; }
# in_sync [offsets]: every partition's ISR holds all three brokers, and
# each broker holds the same log end of every partition: of the topic, and
# with `offsets` of the group offsets' internal topic too (whose log end
# moves while the consumer runs).
in_sync() {
  local names="\"$TOPIC\"" n=$P id ends
  [[ ${1:-} == offsets ]] && names+=",\"$OFFSETS\"" n=$((P + 1))
  local q="[.topics[] | select(.name | IN($names)) | .name as \$t | .partitions[] | [\$t, .partition, .log_end_offset]] | sort"
  [[ $(describe "[.partitions[] | select(.topic | IN($names)) | .isr | length] | unique") == "[3]" ]] || return 1
  ends=$(meta 1 "$q")
  [[ $(jq length <<<"${ends:-[]}") == "$n" ]] || return 1
  for id in 2 3; do [[ $(meta "$id" "$q") == "$ends" ]] || return 1; done
}
all_live() { [[ $(describe "[.brokers[] | select(.live)] | length") == 3 ]]; }

acked_count() { wc -l <"$work/acks"; }

# The group consumer: one gafka-consume --group for the whole run (it must
# outlive every fault: 60 retries), and the sampler of its committed offsets.
start_group() {
  gafka-consume --broker "$(all_addrs)" --topic "$TOPIC" --group "$GROUP" --consumer-id c1 --timeout 1s \
    --retries 60 </dev/null >"$work/group.jsonl" 2> >(tee "$work/group.err" | stamp_lines >"$work/group.err.jsonl") &
  consumer_pid=$!
  disown "$consumer_pid"
  python3 -u "$here/offsets_sampler.py" --brokers "$(all_addrs)" --group "$GROUP" --topic "$TOPIC" \
    --every 0.2 </dev/null >"$work/samples.jsonl" 2>"$work/sampler.err" &
  sampler_pid=$!
  disown "$sampler_pid"
}
# consumer_done: the consumer wrote up to every partition's high watermark.
consumer_done() {
  local hw pos
  hw=$(meta 1 "[.topics[] | select(.name == \"$TOPIC\") | .partitions[] | [.partition, .high_watermark]] | sort")
  pos=$(jq -s -c 'group_by(.partition) | map([.[0].partition, (map(.offset) | max) + 1]) | sort' "$work/group.jsonl" 2>/dev/null)
  [[ -n $hw && $hw == "$pos" ]]
}
# coordinator_offsets: {"source","offsets"} of the group's committed offsets
# as the broker that answers for the group (its coordinator) has them.
coordinator_offsets() {
  local id out
  for id in "${IDS[@]}"; do
    out=$(curl -sf --max-time 5 "http://$(addr "$id")/api/v1/consumer-groups/$GROUP/status" |
      jq -c --arg id "$id" --arg t "$TOPIC" '{source: ("coordinator " + $id),
        offsets: ([.partitions[] | select(.topic == $t and .committed_offset != null) |
                   {key: (.partition | tostring), value: .committed_offset}] | from_entries)}' 2>/dev/null) &&
      [[ -n $out ]] && { echo "$out"; return 0; }
  done
  return 1
}
# pause_s MIN MAX: sets pause to a seeded MIN-MAX tenths of a second (not
# in a $(...) subshell, which would not move this shell's RANDOM on).
pause_s() { pause="$((RANDOM % ($2 - $1 + 1) + $1))e-1"; }

# failover_ms: from faults.jsonl and the stamped acks, the milliseconds from
# each leader fault to the first later ack of a partition the victim led.
failover_ms() {
  python3 - "$work/faults.jsonl" "$work/acks" <<'EOF'
import json, sys
faults = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
acks = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
out = []
for f in faults:
    if not f.get("led"):
        continue
    # An answer already on its way at the fault is no failover.
    later = [a["t"] for a in acks if a.get("partition") in f["led"] and a.get("t", 0) > f["t"] + 0.05]
    out.append(round((min(later) - f["t"]) * 1000) if later else None)
print(json.dumps(out))
EOF
}

total_faults=0 failed_runs=0
declare -A by_kind=() sums=()

one_run() {  # one_run RUN_SEED
  local rs=$1 k kind id
  RANDOM=$rs
  PORT=() PID=() starts=0
  if [[ -n $keep ]]; then mkdir -p "$keep" && work=$(mktemp -d "$keep/run-$rs.XXXXXX")
  else work=$(mktemp -d "${TMPDIR:-/tmp}/gafka-cluster.XXXXXX"); fi
  write_workload "$records" "$P" "$rs" "$work/input.jsonl"
  etcd_up 3 "$work" || { say "etcd did not become healthy: $(tail -2 "$work"/etcd.*.log)"; return 1; }
  for id in "${IDS[@]}"; do start "$id" || return 1; done
  wait_for 100 all_live ||
    { say "the brokers never saw each other"; return 1; }
  gafka-admin create-topic --broker "$(all_addrs)" --name "$TOPIC" --partitions "$P" --replication-factor 3 \
    >/dev/null || { say "create-topic failed"; return 1; }
  wait_for 300 in_sync offsets || { say "the replicas never got in sync"; return 1; }
  start_group
  : >"$work/acks"
  mkfifo "$work/acks.fifo" "$work/input.fifo"
  feed "$RATE" "$work/input.jsonl" >"$work/input.fifo" &
  feeder_pid=$!
  disown "$feeder_pid"
  stamp_acks <"$work/acks.fifo" >>"$work/acks" &
  stamp_pid=$!
  disown "$stamp_pid"
  local batch=$((RANDOM % 8 + 1))  # here: the words of a command run with & are expanded in its subshell
  gafka-produce --broker "$(all_addrs)" --topic "$TOPIC" --json --acks all --print-acks \
    --batch-size "$batch" --timeout 1s --retries 60 \
    <"$work/input.fifo" >"$work/acks.fifo" 2>"$work/produce.err" &
  producer_pid=$!
  disown "$producer_pid"
  : >"$work/faults.jsonl"
  local gap=$((records / (faults + 1) + 1))
  crashed=()
  local consumer_exited=false
  for ((k = 1; k <= faults; k++)); do
    alive "$producer_pid" || break
    alive "$consumer_pid" || consumer_exited=true
    revive || return 1
    local at=$(($(acked_count) + RANDOM % gap + 1)) who="" led="[]" t m pause
    kind=${kinds[RANDOM % ${#kinds[@]}]}
    wait_acks_within 60 "$at"
    case $kind in
      broker9|controller9|coordinator9)
        if [[ $kind == broker9 ]]; then who=${IDS[RANDOM % 3]}
        elif [[ $kind == controller9 ]]; then who=$(known_id .controller.id) || { say "no controller for 10 s"; return 1; }
        else
          who=$(known_id "[.partitions[] | select(.topic == \"$OFFSETS\" and .partition == 0)][0].leader") ||
            { say "the group offsets had no leader (coordinator) for 10 s"; return 1; }
        fi
        led=$(led_by "$who")
        kill9 "$who"; t=$EPOCHREALTIME
        pause_s 1 40
        sleep "$pause"  # the fault itself, not a synchronisation
        start "$who" || return 1 ;;
      zombie)
        local p=$((RANDOM % P))
        who=$(known_id "[.partitions[] | select(.topic == \"$TOPIC\" and .partition == $p)][0].leader") ||
          { say "partition $p had no leader for 10 s"; return 1; }
        led=$(led_by "$who")
        sig STOP "${PID[$who]}"; t=$EPOCHREALTIME
        pause_s $((SESSION * 10 + 5)) $((SESSION * 10 + 25))
        sleep "$pause"  # past the session timeout: the fault itself
        sig CONT "${PID[$who]}" ;;
      etcd9)
        who=$((RANDOM % 3 + 1))
        sig KILL "${ETCD_PID[$who]}"; wait_gone "${ETCD_PID[$who]}" 100; t=$EPOCHREALTIME
        pause_s 1 30
        sleep "$pause"
        etcd_start "$who" ;;
      etcdpause)
        for m in "${ETCD_PID[@]}"; do sig STOP "$m"; done; t=$EPOCHREALTIME
        pause_s 10 40
        sleep "$pause"
        for m in "${ETCD_PID[@]}"; do sig CONT "$m"; done ;;
    esac
    echo "{\"fault\":$k,\"kind\":\"$kind\",\"at_acks\":$at,\"victim\":${who:-null},\"led\":$led,\"t\":$t}" \
      >>"$work/faults.jsonl"
    by_kind[$kind]=$((${by_kind[$kind]:-0} + 1))
    total_faults=$((total_faults + 1))
  done
  wait_gone "$producer_pid" $((records * 20 / RATE + 2400))  # bounded: the feed's time + 120 s
  producer_pid=""
  wait_gone "$feeder_pid" 100
  feeder_pid=""
  wait_gone "$stamp_pid" 100
  stamp_pid=""
  revive || return 1
  local synced=true caught_up=true
  wait_for 600 in_sync || { synced=false; say "the replicas did not get in sync: $(describe .partitions)"; }
  # The consumer reads to the end, then stops (SIGTERM: it commits what it
  # wrote, waiting until every in-sync replica has it, and leaves).
  wait_for 600 consumer_done || { caught_up=false; say "the group consumer did not reach the end"; }
  alive "$consumer_pid" || consumer_exited=true
  [[ $consumer_exited == true ]] && say "the group consumer exited by itself: $(tail -3 "$work/group.err")"
  sig TERM "$consumer_pid"; wait_gone "$consumer_pid" 400; consumer_pid=""
  wait_for 600 in_sync offsets || { synced=false; say "the offsets replicas did not get in sync: $(describe .partitions)"; }
  coordinator_offsets >"$work/committed.jsonl" || say "no broker answered for group $GROUP"
  sig TERM "$sampler_pid"; wait_gone "$sampler_pid" 100; sampler_pid=""
  gafka-consume --broker "$(all_addrs)" --topic "$TOPIC" --from-beginning --exit-at-end --timeout 1s \
    >"$work/all.jsonl" 2>"$work/all.err"
  for id in "${IDS[@]}"; do sig TERM "${PID[$id]}"; done
  for id in "${IDS[@]}"; do wait_gone "${PID[$id]}" 400; done
  PID=()
  local wal=() identical=true first=""
  for id in "${IDS[@]}"; do
    gafka-walcheck --dump "$work/b$id" >"$work/b$id.dump" 2>&1
    wal+=($?)
    # The records (topic, partition, offset, key, value) of each copy;
    # segment names and positions may differ after truncations.
    jq -c 'select(.offset != null) | [.topic, .partition, .offset, .key, .value]' "$work/b$id.dump" 2>/dev/null |
      sort >"$work/b$id.records"
    # What broker $id would load as the group's committed offsets if it became
    # the coordinator: its replica of the offsets topic, replayed.
    python3 "$here/group_check.py" offsets "$GROUP" "$TOPIC" "replica $id" "$work/b$id.dump" >>"$work/committed.jsonl"
    [[ -z $first ]] && first=$work/b$id.records
    cmp -s "$first" "$work/b$id.records" || identical=false
  done
  local result ok=0 times
  result=$(python3 "$here/checker.py" --fail-on-duplicates --produced "$work/input.jsonl" "$work/acks" \
    --records "$work/all.jsonl" --consumer "$work/group.jsonl" --offset-samples "$work/samples.jsonl" \
    --committed "$work/committed.jsonl" --consumer-err "$work/group.err.jsonl") || ok=1
  local unacked=$((records - $(jq .acknowledged <<<"$result")))
  # Every replica's copy of the offsets topic is compared above; it must hold commits.
  local offsets_records
  offsets_records=$(grep -c "^\[\"$OFFSETS\"" "$first")
  [[ ${wal[*]} == "0 0 0" && $identical == true && $synced == true && ${#crashed[@]} == 0 && $unacked == 0 &&
     $consumer_exited == false && $caught_up == true && $offsets_records -gt 0 &&
     $(wc -l <"$work/committed.jsonl") == 4 ]] || ok=1
  times=$(failover_ms)
  jq -c --argjson seed "$rs" --argjson w "[$(IFS=,; echo "${wal[*]}")]" --argjson same "$identical" \
    --argjson synced "$synced" --argjson ok "$ok" --argjson ms "$times" --argjson unacked "$unacked" \
    --argjson crashed "[$(IFS=,; echo "${crashed[*]}")]" --slurpfile f "$work/faults.jsonl" \
    --argjson cexit "$consumer_exited" --argjson caught "$caught_up" --argjson orecs "$offsets_records" \
    '($ms | map(select(. != null)) | sort) as $s |
     {seed: $seed, faults: ($f | map(.kind)), unacknowledged: $unacked, walcheck_exit: $w, replicas_identical: $same, in_sync: $synced,
      crashed: $crashed, consumer_exited: $cexit, consumer_caught_up: $caught, offsets_log_records: $orecs,
      failover_ms: $ms, failover_p50_ms: (if $s == [] then null else $s[($s | length - 1) / 2 | floor] end),
      failover_max_ms: ($s | max)} + . + {passed: ($ok == 0)}' <<<"$result"
  for k in acknowledged lost duplicates reordered gaps bad_checksum consumer_records consumer_duplicates \
    consumer_lost consumer_reordered consumer_mismatched offset_regressions offset_samples offsets_disagree \
    consumer_redelivered consumer_redelivered_records; do
    sums[$k]=$((${sums[$k]:-0} + $(jq ".$k // 0" <<<"$result")))
  done
  [[ $consumer_exited == true ]] && sums[consumer_exited]=$((${sums[consumer_exited]:-0} + 1))
  cleanup
  return $ok
}

run_all cluster
