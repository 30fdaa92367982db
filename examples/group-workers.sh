#!/usr/bin/env bash
# A pool of N workers that share the partitions of a topic as one consumer
# group; each worker is `gafka-consume --group` piped into a handler:
#
#     examples/group-workers.sh orders billing 3
#     examples/group-workers.sh orders billing 3 ./bill-one-order --batch
#
# Without a handler each worker writes its records as JSON lines with a
# "worker" field added (1..N) on standard output, one whole line at a time.
# A handler is run once per worker with the records on its standard input
# and WORKER (1..N) in its environment; to keep large lines whole, have
# each write its own file ("out.$WORKER").
#
# The group commits only what a worker's gafka-consume has handed to its
# handler (at-least-once): a record whose handler died half-way is read
# again after a restart. When a worker joins or leaves, the broker moves
# partitions between the members (round-robin). With EXIT_AT_END=1 each
# worker exits once its partitions are read to the end (a batch job);
# otherwise the pool runs until SIGTERM or SIGINT, which it passes to the
# workers so that each leaves the group cleanly. The broker comes from
# GAFKA_BROKERS (else localhost:9001). Exit status: 0 when every worker
# ended well, else the last failing worker's status.
set -uo pipefail

if (($# < 3)) || ! [[ $3 =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: ${0##*/} TOPIC GROUP N [HANDLER [ARGS...]]" >&2
    exit 2
fi
topic=$1 group=$2 n=$3
shift 3
handler=("$@")
((${#handler[@]})) || handler=(jq -c --unbuffered '. + {worker: (env.WORKER | tonumber)}')
flags=()
[[ ${EXIT_AT_END:-0} == 1 ]] && flags+=(--exit-at-end)

# wait_for PID: waits for PID and returns its exit status. A trapped signal
# interrupts wait (status > 128) while PID still runs: then wait again.
wait_for() {
    local code
    while :; do
        wait "$1"
        code=$?
        ((code > 128)) && kill -0 "$1" 2>/dev/null && continue
        return "$code"
    done
}

# One worker: gafka-consume writing into its handler through a pipe, in a
# subshell that passes SIGTERM on to gafka-consume (which then commits what
# it wrote, leaves the group and exits) and waits for the handler to finish
# the last records before it exits itself.
worker() {
    export WORKER=$1
    local out consume handler_pid code
    exec {out}> >(exec "${handler[@]}")
    handler_pid=$!
    gafka-consume --topic "$topic" --group "$group" --consumer-id "${HOSTNAME:-host}-$$-worker-$WORKER" \
        "${flags[@]}" >&"$out" &
    consume=$!
    exec {out}>&-
    trap 'kill -TERM "$consume" 2>/dev/null' TERM
    wait_for "$consume"
    code=$?
    wait_for "$handler_pid"
    exit "$code"
}

pids=()
for ((i = 1; i <= n; i++)); do
    worker "$i" &
    pids+=($!)
done
trap 'kill -TERM "${pids[@]}" 2>/dev/null' TERM INT

status=0
for pid in "${pids[@]}"; do
    wait_for "$pid" || status=$?
done
exit "$status"
