#!/usr/bin/env bash
# A leader/follower pair and a manual failover, start to end, on this
# machine (docs/operations.md "Fail over" has the same steps for two hosts):
#
#     examples/leader-follower.sh
#     KEEP=1 examples/leader-follower.sh     # keep the brokers' dir and logs
#
# 1. starts a leader (id 1, --min-insync 2) and its follower (id 2) on free
#    loopback ports, in a temporary dir;
# 2. produces RECORDS (default 100) records with --acks all, which the
#    leader acknowledges only once the follower has them too;
# 3. shows the follower caught up: every partition's isr is [1,2] and lag 0
#    (gafka-admin metadata), and gafka-walcheck --dump of both data dirs
#    prints the same records;
# 4. kills the leader (kill -9: a lost machine), promotes the follower with
#    `gafka-admin promote`, and produces and consumes on the new leader.
#
# The steps go to stderr as "leader-follower.sh: ..." lines; stdout gets one
# JSON summary, {"acked","follower_identical","leader_epoch","records"}. The
# script sets GAFKA_BROKERS to its two brokers itself (what the environment
# had is not used), as a client that knows both should. Both brokers are
# stopped and the dir removed on every exit, also on SIGTERM or SIGINT.
# Exit status: 0 the failover worked, 1 a step failed (it says which).
set -euo pipefail

prog=${0##*/}
records=${RECORDS:-100}
if (($#)) || ! [[ $records =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: [RECORDS=N] [KEEP=1] $prog" >&2
    exit 2
fi

say() { echo "$prog: $*" >&2; }
die() {
    say "error: $*"
    exit 1
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/gafka-leader-follower.XXXXXX")
declare -A pid=() port=()
child=""

# running PID: the process exists and has not exited (a zombie has).
running() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# stop NAME SIGNAL: signals broker NAME, waits (bounded: 10 s) for it to
# exit, then kills it.
stop() {
    local p=${pid[$1]:-} i
    [[ -n $p ]] || return 0
    kill "-$2" "$p" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
        running "$p" || break
        sleep 0.05
    done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
    pid[$1]=""
}

# in_background CMD...: runs CMD as a child and waits for it, so that a
# signal to this script is handled at once rather than after CMD (bash runs
# traps only between foreground commands, but interrupts a wait).
in_background() {
    local status=0
    "$@" <&0 &
    child=$!
    wait "$child" || status=$?
    child=""
    return "$status"
}

cleanup() {
    if [[ -n $child ]]; then
        kill -KILL "$child" 2>/dev/null || true   # the run is abandoned: nothing to finish
        wait "$child" 2>/dev/null || true
    fi
    stop leader TERM
    stop follower TERM
    if [[ ${KEEP:-0} == 1 ]]; then say "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 1' TERM INT   # through the EXIT trap

# start NAME ARGS...: starts a broker with its data in $dir/NAME on a free
# port (--port 0), and waits (bounded: 30 s, for a loaded machine) until it
# serves, from its log line "... serving ... on 127.0.0.1:PORT".
start() {
    local name=$1 i p=""
    shift
    : >"$dir/$name.log"  # before the background start, which opens it in its own time
    gafka-broker --data-dir "$dir/$name" --port 0 --kafka-port 0 "$@" </dev/null >/dev/null 2>"$dir/$name.log" &
    pid[$name]=$!
    for ((i = 0; i < 600; i++)); do
        p=$(sed -n 's/.* serving .* on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$dir/$name.log" | head -1)
        [[ -n $p ]] && break
        running "${pid[$name]}" || break
        sleep 0.05
    done
    [[ -n $p ]] || die "the $name did not start: $(cat "$dir/$name.log")"
    port[$name]=$p
}

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

# in_sync: every partition of orders on the leader has isr [1,2] and a follower lag of 0.
in_sync() {
    [[ $(gafka-admin metadata --broker "127.0.0.1:${port[leader]}" 2>/dev/null |
        jq -c '[.topics[] | select(.name == "orders") | .partitions[] | [.isr, .followers[0].lag]] | unique') == '[[[1,2],0]]' ]]
}

say "starting a leader and a follower in $dir"
start leader --id 1 --min-insync 2
start follower --id 2 --role follower --leader "127.0.0.1:${port[leader]}"
export GAFKA_BROKERS=127.0.0.1:${port[leader]},127.0.0.1:${port[follower]}
say "leader 127.0.0.1:${port[leader]}, follower 127.0.0.1:${port[follower]}"

gafka-admin create-topic --name orders --partitions 2 >/dev/null
until_true 300 in_sync || die "the follower did not join the in-sync replicas"

say "producing $records records with --acks all"
seq 1 "$records" | sed 's/^/order-/' >"$dir/orders.txt"
in_background gafka-produce --topic orders --acks all --print-acks <"$dir/orders.txt" >"$dir/acks.jsonl" ||
    die "gafka-produce failed"
acked=$(wc -l <"$dir/acks.jsonl")
((acked == records)) || die "only $acked of $records records were acknowledged"

say "the follower is caught up:"
until_true 300 in_sync || die "the follower is not in sync"
gafka-admin metadata --broker "127.0.0.1:${port[leader]}" |
    jq -c '.topics[] | select(.name == "orders") | .partitions[] | {partition, log_end_offset, isr, lag: .followers[0].lag}' >&2
gafka-walcheck --dump "$dir/leader/topics/orders" >"$dir/leader.dump"
gafka-walcheck --dump "$dir/follower/topics/orders" >"$dir/follower.dump"
identical=false
cmp -s "$dir/leader.dump" "$dir/follower.dump" && identical=true
say "gafka-walcheck --dump: $(wc -l <"$dir/leader.dump") records on the leader, the follower's identical: $identical"

say "killing the leader (kill -9) and promoting the follower"
stop leader KILL
promoted=$(gafka-admin promote --broker 2 --bootstrap-server "127.0.0.1:${port[follower]}") ||
    die "gafka-admin promote failed"
say "$promoted"
epoch=$(jq '.leader_epoch' <<<"$promoted")

# The clients know both brokers: they find the one that still answers.
say "producing 5 more records and consuming everything from the new leader"
seq 1 5 | sed 's/^/after-failover-/' | gafka-produce --topic orders --acks all >/dev/null ||
    die "producing to the new leader failed"
in_background gafka-consume --topic orders --from-beginning --exit-at-end </dev/null >"$dir/all.jsonl" ||
    die "gafka-consume failed"
total=$(wc -l <"$dir/all.jsonl")
((total == records + 5)) || die "the new leader has $total records, not $((records + 5))"

printf '{"acked":%d,"follower_identical":%s,"leader_epoch":%d,"records":%d}\n' \
    "$acked" "$identical" "$epoch" "$total"
[[ $identical == true ]] || die "the follower's log differs from the leader's"
