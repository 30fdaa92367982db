# scripts/bench/cluster.bash: the cluster step of scripts/bench/run (sourced
# by it after kafka.bash, using run's bench, row, field, free_port, stop_pid
# and PIDS, and kafka.bash's broker_ticks, CLK_TCK and ratio; issue #19,
# point 9). All on this machine, so ratios and CPU, not targets:
#
#   produce  run's produce workload (N 1 KiB records, 2 partitions, acks=all,
#            batches of 500, 8 connections) into a 3-broker cluster on a
#            throwaway one-member etcd (ids 1-3, --cluster-session-timeout
#            2s, --min-insync 2), topic created with --replication-factor 3
#            (gafka-bench follows each partition's leader), then into one
#            fresh standalone broker: msg/s of each, and the brokers' CPU
#            (utime + stime from /proc/PID/stat, the three summed) per
#            record; each broker on a data dir of its own in the run's
#            temporary directory, without the Kafka port
#   failover scripts/fault/cluster.sh --runs 1 --faults 4 --records 600
#            --kinds=broker9,zombie,controller9: the p50 and max of its
#            failover times (fault to the next acknowledgement of a
#            partition the victim led), against the session timeout + 2 s
#
# Size (environment; --quick divides the default by 10):
#   GAFKA_BENCH_CLUSTER_RECORDS  1 KiB records per produce run (default N,
#                                the produce step's: 1000000)

C_RECORDS=${GAFKA_BENCH_CLUSTER_RECORDS:-$N}
[[ $C_RECORDS =~ ^[1-9][0-9]*$ ]] ||
    { echo "run: GAFKA_BENCH_CLUSTER_RECORDS=$C_RECORDS: a whole number above 0, please" >&2; exit 2; }
C_SESSION_S=2
C_TOPIC=cluster-bench
C_PIDS=()  # the step's brokers and etcd, stopped at its end (and by run's cleanup)

# c_wait TRIES CMD...: bounded polling, TRIES x 0.1 s.
c_wait() {
    local i n=$1
    shift
    for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.1; done
    return 1
}

# c_etcd: a one-member etcd on free loopback ports, fresh data dir, short
# heartbeat and election, in a session of its own (setsid execs in place: $!
# is etcd); sets C_ETCD (etcd://127.0.0.1:PORT).
c_etcd() {
    local port peer_port client peer
    port=$(free_port)
    peer_port=$(free_port)
    client=http://127.0.0.1:$port peer=http://127.0.0.1:$peer_port
    setsid etcd --name bench --data-dir "$TMP/etcd" \
        --listen-client-urls "$client" --advertise-client-urls "$client" \
        --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "bench=$peer" \
        --heartbeat-interval 20 --election-timeout 100 </dev/null >/dev/null 2>"$TMP/etcd.log" &
    PIDS+=("$!")
    C_PIDS+=("$!")
    C_ETCD=etcd://127.0.0.1:$port C_ETCD_HTTP=$client
    c_wait 100 c_etcd_healthy && return 0
    echo "run: etcd did not become healthy on $client: $(tail -3 "$TMP/etcd.log")" >&2
    return 1
}
c_etcd_healthy() { [[ $(curl -s --max-time 1 "$C_ETCD_HTTP/health") == *'"health":"true"'* ]]; }

# c_broker NAME ARGS...: gafka-broker ARGS on data dir $TMP/NAME, HTTP on a
# free port, no Kafka port, in a session of its own; sets C_ADDR and C_PID.
c_broker() {
    local name=$1 log=$TMP/$1.log port="" i
    shift
    : >"$log"  # before the background start, which opens it in its own time
    setsid gafka-broker --data-dir "$TMP/$name" --port 0 --no-kafka "$@" </dev/null >/dev/null 2>"$log" &
    C_PID=$!
    PIDS+=("$C_PID")
    C_PIDS+=("$C_PID")
    for ((i = 0; i < 200; i++)); do
        port=$(sed -n 's/.* serving .* on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)
        [[ -n $port ]] && break
        kill -0 "$C_PID" 2>/dev/null || break
        sleep 0.05
    done
    [[ -n $port ]] || { echo "run: gafka-broker $* did not start: $(tail -3 "$log")" >&2; return 1; }
    C_ADDR=127.0.0.1:$port
}

# c_stop: stops the step's processes (newest first), takes them off run's
# list and removes their data dirs.
c_stop() {
    local i p keep=()
    for ((i = ${#C_PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${C_PIDS[i]}"; done
    for p in "${PIDS[@]}"; do [[ " ${C_PIDS[*]} " == *" $p "* ]] || keep+=("$p"); done
    PIDS=("${keep[@]}")
    C_PIDS=()
    rm -rf "$TMP"/etcd "$TMP"/cb[0-9] "$TMP"/cb-standalone
}

# c_ticks PID...: their CPU time so far (utime + stime), summed, in clock ticks.
c_ticks() {
    local BROKER_PID sum=0  # broker_ticks (kafka.bash) reads BROKER_PID
    # shellcheck disable=SC2034
    for BROKER_PID; do sum=$((sum + $(broker_ticks))); done
    echo "$sum"
}

# c_describe JQ: jq JQ over describe-cluster of the cluster ("" when it fails).
c_describe() { gafka-admin describe-cluster --broker "$C_BROKERS" 2>/dev/null | jq -c "$1" 2>/dev/null; }
c_ready() {
    [[ $(c_describe '[.brokers[] | select(.live)] | length') == 3 &&
        $(c_describe '.controller.id') =~ ^[123]$ ]]
}
c_topic_in_sync() {
    [[ $(c_describe "[.partitions[] | select(.topic == \"$C_TOPIC\") | [(.isr | length), (.leader > 0)]] | unique") == \
        "[[3,true]]" ]]
}

# c_produce NAME PID...: run's produce workload into $BENCH_BROKER; sets
# C_RATE (msg/s) and C_CPU (us of the PIDs' CPU per record).
c_produce() {
    local name=$1 t0 t1
    shift
    t0=$(c_ticks "$@")
    bench "$name" produce --topic "$C_TOPIC" --partitions 2 --messages "$C_RECORDS" --size 1024 --batch-size 500 \
        --concurrency 8 || return 1
    t1=$(c_ticks "$@")
    C_RATE=$(field "$name" .msgs_per_sec)
    C_CPU=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$C_RECORDS" 'BEGIN { printf "%.1f", d / hz * 1e6 / n }')
}

# c_fail MESSAGE: says why on stderr, stops what the step started; false.
c_fail() {
    echo "run: $1" >&2
    c_stop
    return 1
}

# cluster_produce: etcd, three brokers, the RF 3 topic, the workload; sets
# C_CLUSTER_RATE and C_CLUSTER_CPU.
cluster_produce() {
    local id addrs=() pids=()
    c_etcd || c_fail "no etcd" || return 1
    for id in 1 2 3; do
        c_broker "cb$id" --id "$id" --cluster "$C_ETCD" --cluster-session-timeout "${C_SESSION_S}s" --min-insync 2 ||
            c_fail "no broker $id" || return 1
        addrs+=("$C_ADDR")
        pids+=("$C_PID")
    done
    C_BROKERS=$(IFS=,; echo "${addrs[*]}")
    c_wait 200 c_ready || c_fail "the 3 brokers never were all live with a controller: $(c_describe .)" || return 1
    # create-topic goes to the controller itself (it follows not_controller).
    gafka-admin create-topic --broker "$C_BROKERS" --name "$C_TOPIC" --partitions 2 --replication-factor 3 \
        >/dev/null && c_wait 200 c_topic_in_sync ||
        c_fail "topic $C_TOPIC (RF 3) not created or never in sync: $(c_describe .partitions)" || return 1
    echo "run: cluster $C_BROKERS, $(c_describe "{controller: .controller.id, leaders: \
[.partitions[] | select(.topic == \"$C_TOPIC\") | .leader]}")" >&2
    BENCH_BROKER=$C_BROKERS c_produce cluster-produce "${pids[@]}" || c_fail "the cluster's produce failed" || return 1
    c_stop
    C_CLUSTER_RATE=$C_RATE C_CLUSTER_CPU=$C_CPU
}

# standalone_produce: the same workload into one fresh standalone broker;
# sets C_RATE and C_CPU.
standalone_produce() {
    c_broker cb-standalone || c_fail "no standalone broker" || return 1
    BENCH_BROKER=$C_ADDR c_produce standalone-produce "$C_PID" || c_fail "the standalone produce failed" || return 1
    c_stop
}

# cluster_failover: scripts/fault/cluster.sh's failover times.
cluster_failover() {
    local out=$TMP/failover.jsonl run p50 max limit=$((C_SESSION_S * 1000 + 2000))
    local target="<= $limit" note="(ms; <= session timeout ${C_SESSION_S} s + 2 s)"
    # shellcheck disable=SC2054
    local args=(--runs 1 --faults 4 --records 600 --kinds=broker9,zombie,controller9 --bin "$BIN")
    echo "run: scripts/fault/cluster.sh ${args[*]}" >&2
    # Its work dir under $TMP, so run's cleanup removes it whatever happens.
    TMPDIR=$TMP "$REPO/scripts/fault/cluster.sh" "${args[@]}" >"$out" 2>"$TMP/failover.err" || true
    cat "$out" >&2
    run=$(jq -cs '[.[] | select(.summary | not)][0] // {}' "$out" 2>/dev/null) || run='{}'
    if [[ $(jq -r '.passed' <<<"$run") != true ]]; then
        echo "run: cluster.sh's run failed: $(tail -5 "$TMP/failover.err")" >&2
        row "cluster.sh run (broker9, zombie, controller9) passed" "yes" "no" "miss"
        ERRORS=$((ERRORS + 1))
    fi
    p50=$(jq -r '.failover_p50_ms // empty' <<<"$run")
    max=$(jq -r '.failover_max_ms // empty' <<<"$run")
    if [[ -z $p50 ]]; then  # no fault took a leader away while the producer ran
        row "failover p50 $note" "$target" "none measured" "-"
        return 0
    fi
    row "failover p50 $note" "$target" "$p50" "$(at_most "$p50" "$limit")"
    row "failover max $note" "$target" "$max" "$(at_most "$max" "$limit")"
}

cluster_step() {
    local c="cluster RF3 acks=all produce" s="standalone acks=all produce"
    C_CLUSTER_RATE="" C_CLUSTER_CPU="" C_RATE="" C_CPU=""
    cluster_produce || failed_step "$c (msg/s)" "reference"
    standalone_produce || failed_step "$s (msg/s)" "reference"
    [[ -n $C_CLUSTER_RATE ]] && row "$c (msg/s; 3 brokers, min-insync 2)" "reference" "$C_CLUSTER_RATE" "-"
    [[ -n $C_RATE ]] && row "$s (msg/s)" "reference" "$C_RATE" "-"
    [[ -n $C_CLUSTER_RATE && -n $C_RATE ]] &&
        row "cluster / standalone produce (msg/s)" "reference" "$(ratio "$C_CLUSTER_RATE" "$C_RATE")x" "-"
    [[ -n $C_CLUSTER_CPU ]] &&
        row "cluster RF3 produce: broker CPU per record (us; 3 summed)" "reference" "$C_CLUSTER_CPU" "-"
    [[ -n $C_CPU ]] && row "standalone produce: broker CPU per record (us)" "reference" "$C_CPU" "-"
    [[ -n $C_CLUSTER_CPU && -n $C_CPU ]] &&
        row "cluster / standalone broker CPU per record" "reference" "$(ratio "$C_CLUSTER_CPU" "$C_CPU")x" "-"
    cluster_failover
}
