#!/usr/bin/env bash
# A three-broker cluster and an automatic failover, start to end, on this
# machine (docs/cluster.md has the same pieces for real hosts):
#
#     examples/cluster.sh
#     RECORDS=1000 KEEP=1 examples/cluster.sh    # more records; keep the dir and logs
#
# 1. starts a throwaway etcd and three brokers (ids 1-3, --cluster, a 2 s
#    session timeout) on free loopback ports, in a temporary dir, and
#    creates topic orders (3 partitions, replication factor 3);
# 2. prints `gafka-admin describe-cluster`;
# 3. pipes RECORDS (default 400) lines "k<N%6>|order-<N>", a few at a time,
#    into gafka-produce (keyed, acks=all, idempotent by default, given all
#    three brokers and --retries 30: enough to outlive a failover);
# 4. when half are acknowledged, kills the leader of orders/0 (kill -9: a
#    lost machine); the controller makes an in-sync replica leader within
#    about the session timeout, and the pipeline goes on without a break;
# 5. prints `gafka-admin describe-cluster` again, reads the topic back with
#    gafka-consume, and checks that every line sent is there exactly once
#    and each partition holds its lines in the order they were sent.
#
# The steps and both describe-cluster answers go to stderr as
# "cluster.sh: ..." lines; stdout gets one JSON summary,
# {"acked","read","duplicates","in_order","killed","leader_epoch"} (the
# new leader epoch of orders/0). The script sets GAFKA_BROKERS to its three
# brokers itself (what the environment had is not used). etcd and every
# broker are stopped and the dir removed on every exit, also on SIGTERM or
# SIGINT. Needs etcd (Debian: etcd-server), jq and python3 (for free ports).
# Exit status: 0 nothing was lost or duplicated, 1 a step failed (it says
# which), 2 usage.
set -euo pipefail

prog=${0##*/}
records=${RECORDS:-400}
if (($#)) || ! [[ $records =~ ^[1-9][0-9]*$ ]] || ((records < 20)); then
    echo "usage: [RECORDS=N (at least 20)] [KEEP=1] $prog" >&2
    exit 2
fi

say() { echo "$prog: $*" >&2; }
die() {
    say "error: $*"
    exit 1
}
command -v etcd >/dev/null || die "etcd is not installed (Debian: apt-get install etcd-server)"

dir=$(mktemp -d "${TMPDIR:-/tmp}/gafka-cluster.XXXXXX")
declare -A pid=() port=()
child=""

# running PID: the process exists and has not exited (a zombie has).
running() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# stop NAME SIGNAL: signals process NAME (etcd or a broker id), waits
# (bounded: 10 s) for it to exit, then kills it.
stop() {
    local p=${pid[$1]:-} i
    [[ -n $p ]] || return 0
    disown "$p" 2>/dev/null || true  # no "Killed" notice from bash: running() polls instead of wait
    kill "-$2" "$p" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
        running "$p" || break
        sleep 0.05
    done
    kill -KILL "$p" 2>/dev/null || true
    pid[$1]=""
}

cleanup() {
    if [[ -n $child ]]; then
        kill -KILL "$child" 2>/dev/null || true   # the run is abandoned: nothing to finish
        wait "$child" 2>/dev/null || true
    fi
    stop 1 TERM
    stop 2 TERM
    stop 3 TERM
    stop etcd TERM
    if [[ ${KEEP:-0} == 1 ]]; then say "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 1' TERM INT   # through the EXIT trap

# until_true TRIES CMD...: runs CMD every 0.1 s until it succeeds, at most TRIES times.
until_true() {
    local tries=$1 i
    shift
    for ((i = 0; i < tries; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

etcd_healthy() { [[ $(curl -s --max-time 1 "$etcd_url/health" 2>/dev/null) == *'"health":"true"'* ]]; }

start_etcd() {
    local peer
    peer=http://127.0.0.1:$(free_port)
    etcd_url=http://127.0.0.1:$(free_port)
    etcd --name default --data-dir "$dir/etcd" --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
        --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "default=$peer" \
        </dev/null >/dev/null 2>"$dir/etcd.log" &
    pid[etcd]=$!
    until_true 300 etcd_healthy || die "etcd did not start: $(tail -5 "$dir/etcd.log")"
}

# start ID: starts broker ID in the cluster, its data in $dir/ID, on a free
# port (--port 0), and waits (bounded: 30 s) until it serves, from its log
# line "... serving ... on 127.0.0.1:PORT".
start() {
    local id=$1 i p=""
    : >"$dir/$id.log"  # before the background start, which opens it in its own time
    gafka-broker --id "$id" --data-dir "$dir/$id" --port 0 --kafka-port 0 --cluster "etcd://${etcd_url#http://}" \
        --cluster-session-timeout 2s </dev/null >/dev/null 2>"$dir/$id.log" &
    pid[$id]=$!
    for ((i = 0; i < 300; i++)); do
        p=$(sed -n 's/.* serving .* on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$dir/$id.log" | head -1)
        [[ -n $p ]] && break
        running "${pid[$id]}" || break
        sleep 0.1
    done
    [[ -n $p ]] || die "broker $id did not start: $(cat "$dir/$id.log")"
    port[$id]=$p
}

cluster() { gafka-admin describe-cluster 2>/dev/null; }
# three_live: the cluster has a controller and three live brokers.
three_live() {
    [[ $(cluster | jq -c '[.controller.id >= 0, ([.brokers[] | select(.live)] | length)]') == '[true,3]' ]]
}
partition_0() { cluster | jq -c '.partitions[] | select(.topic == "orders" and .partition == 0)'; }
leader_of_0() { partition_0 | jq .leader; }
has_leader_0() { [[ $(leader_of_0) =~ ^[1-3]$ ]]; }
# led_by_another ID: orders/0 has a live leader that is not broker ID.
led_by_another() {
    local l
    l=$(leader_of_0)
    [[ -n $l && $l != -1 && $l != "$1" ]]
}
acked() { wc -l <"$dir/acks.jsonl"; }
half_acked() { (($(acked) >= records / 2)); }

say "starting etcd and three brokers in $dir"
start_etcd
start 1
start 2
start 3
export GAFKA_BROKERS=127.0.0.1:${port[1]},127.0.0.1:${port[2]},127.0.0.1:${port[3]}
say "etcd $etcd_url, brokers $GAFKA_BROKERS"
until_true 300 three_live || die "no controller with three live brokers: $(cluster)"
gafka-admin create-topic --name orders --partitions 3 --replication-factor 3 >/dev/null
until_true 100 has_leader_0 || die "orders/0 has no leader: $(cluster)"
say "gafka-admin describe-cluster, before:"
cluster >&2

: >"$dir/acks.jsonl"
say "producing $records records through a pipeline (acks=all, idempotent, --retries 30)"
# A paced source, so that the kill lands in the middle of the stream.
seq 1 "$records" | awk '{ printf "k%d|order-%d\n", $1 % 6, $1; fflush() } NR % 20 == 0 { system("sleep 0.1") }' |
    tee "$dir/sent.txt" |
    gafka-produce --topic orders --key-separator '|' --acks all --retries 30 --print-acks >"$dir/acks.jsonl" &
child=$!

until_true 300 half_acked || die "the pipeline did not get half way: $(acked) acknowledged"
killed=$(leader_of_0)
say "$(acked) acknowledged; killing broker $killed, the leader of orders/0 (kill -9)"
stop "$killed" KILL
until_true 300 led_by_another "$killed" || die "orders/0 did not fail over: $(cluster)"
say "orders/0 failed over to broker $(leader_of_0); the pipeline goes on"

status=0
wait "$child" || status=$?
child=""
((status == 0)) || die "the pipeline failed (gafka-produce exit $status)"
((records == $(acked))) || die "only $(acked) of $records records were acknowledged"

say "gafka-admin describe-cluster, after:"
cluster >&2
epoch=$(partition_0 | jq .leader_epoch)

gafka-consume --topic orders --from-beginning --exit-at-end </dev/null >"$dir/read.jsonl" ||
    die "gafka-consume failed"
read_count=$(wc -l <"$dir/read.jsonl")
duplicates=$(jq -r .value "$dir/read.jsonl" | sort | uniq -d | wc -l)
missing=$(comm -23 <(cut -d'|' -f2 "$dir/sent.txt" | sort) <(jq -r .value "$dir/read.jsonl" | sort) | wc -l)
# In order: within each partition, in offset order, the numbers only rise.
in_order=$(jq -s '[group_by(.partition)[] | sort_by(.offset) | map(.value | ltrimstr("order-") | tonumber) |
    . == sort] | all' "$dir/read.jsonl")
say "read back $read_count records: $missing missing, $duplicates duplicated, in order per partition: $in_order"

printf '{"acked":%d,"read":%d,"duplicates":%d,"in_order":%s,"killed":%d,"leader_epoch":%d}\n' \
    "$(acked)" "$read_count" "$duplicates" "$in_order" "$killed" "$epoch"
((missing == 0 && duplicates == 0 && read_count == records)) || die "records were lost or duplicated"
[[ $in_order == true ]] || die "a partition's records are out of order"
