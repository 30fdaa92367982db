# scripts/bench/kafka.bash: the kafka step of scripts/bench/run (sourced by
# it, using its bench, row, field and verdict helpers): the Kafka port
# against the HTTP API of the same broker, in the same run, with librdkafka
# (gafka-bench --protocol kafka) as the Kafka client.
#
#   fio     sequential 1 MiB writes with fdatasync after each, on the disk
#           of the broker's data dir: what durable appends could reach
#   produce durable (acks=all, --flush always) 1 KiB records through each
#           port, msg/s and MB/s, and the broker's CPU seconds (utime +
#           stime from /proc/PID/stat) per GB of values produced: HTTP with
#           gafka-bench's client (idempotent, its default) against Kafka
#           with librdkafka's own defaults (not idempotent) but acks=all;
#           and, for reference, Kafka idempotent, which librdkafka 2.0.2
#           holds to one request in flight per partition (docs/bench-history.md).
#           fio, HTTP and Kafka take turns for GAFKA_BENCH_KAFKA_ROUNDS
#           rounds, and each figure is the median of its rounds: a round
#           lasts under a second, and on the README's VM one in three or
#           four is halved by the host (first touches of memory it took
#           back), for fio and both ports alike
#   read    a catch-up read of one partition from its start through each
#           port (filled once over HTTP, untimed), msg/s and CPU s/GB;
#           10000 records a fetch (HTTP's count; the Kafka consumer's
#           max.partition.fetch.bytes, see gafka-bench); with the system's
#           TCP congestion control, then again with the broker restarted
#           with --tcp-congestion cubic (unless cubic is the system's)
#   e2e     end-to-end p99 at 10000 msg/s through each port: Kafka not
#           idempotent with gafka-bench's e2e settings (linger.ms=0,
#           socket.nagle.disable=true: each record sent at once on a
#           TCP_NODELAY socket, as its HTTP client does), and with
#           linger.ms=1 (batches of what comes within a millisecond);
#           HTTP and the two take turns for GAFKA_BENCH_KAFKA_ROUNDS
#           rounds, and each p50 and p99 is the median of its rounds;
#           for reference, librdkafka's defaults (linger.ms 5, Nagle on),
#           once; beside each p50, what its first round cost: the client's CPU
#           seconds (gafka-bench's, from the shell's `times`), the broker's,
#           and the broker's fsyncs and produce requests per 1000 records
#           (/metrics before and after): on a 2-core VM the Kafka port's
#           tail follows that CPU (README, issue 18)
#
# Sizes (environment; --quick divides the defaults by 10):
#   GAFKA_BENCH_FIO_MIB          fio's file (default 512)
#   GAFKA_BENCH_PRODUCE_RECORDS  1 KiB records per produce run (default 300000)
#   GAFKA_BENCH_READ_RECORDS     1 KiB records read (default 1048576: 1 GiB)
#   GAFKA_BENCH_E2E_SECONDS      seconds of e2e load per port (default 20)
#   GAFKA_BENCH_KAFKA_ROUNDS     rounds of fio and produce, and of e2e (default 3)
# The issue's targets (#18, point 7) are printed beside each figure.

# --quick divides each default by SCALE (10).
K_FIO_MIB=${GAFKA_BENCH_FIO_MIB:-$((512 / SCALE))}
K_PRODUCE=${GAFKA_BENCH_PRODUCE_RECORDS:-$((300000 / SCALE))}
K_READ=${GAFKA_BENCH_READ_RECORDS:-$((1048576 / SCALE))}
K_E2E_SECS=${GAFKA_BENCH_E2E_SECONDS:-$((20 / SCALE))}
K_ROUNDS=${GAFKA_BENCH_KAFKA_ROUNDS:-3}
for v in K_FIO_MIB K_PRODUCE K_READ K_E2E_SECS K_ROUNDS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "run: $v=${!v}: a whole number above 0, please" >&2; exit 2; }
done
# What every produce of the step sends (HTTP and Kafka alike).
K_PRODUCE_ARGS=(--partitions 2 --messages "$K_PRODUCE" --size 1024 --batch-size 500 --concurrency 4)
# What every e2e of the step runs (each port, each setting).
K_E2E_ARGS=(--partitions 2 --concurrency 2 --rate 10000 --messages $((10000 * K_E2E_SECS)) --size 1024
    --batch-size 1000)
CLK_TCK=$(getconf CLK_TCK)

# The broker's CPU time so far, in clock ticks (utime + stime).
broker_ticks() {
    local stat
    stat=$(<"/proc/$BROKER_PID/stat")
    stat=${stat##*) }  # fields from the state on: utime and stime are the 12th and 13th
    awk '{ print $12 + $13 }' <<<"$stat"
}

# cpu_bench NAME RECORDS ARGS...: bench NAME ARGS... and sets CPU_PER_GB to
# the broker's CPU seconds per GB (10^9 bytes) of RECORDS 1 KiB values.
cpu_bench() {
    local name=$1 records=$2 t0 t1
    shift 2
    t0=$(broker_ticks)
    bench "$name" "$@" || return 1
    t1=$(broker_ticks)
    CPU_PER_GB=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$records" \
        'BEGIN { printf "%.2f", (d / hz) / (n * 1024 / 1e9) }')
}

# free_topic NAME: deletes a measured topic, so that the next writer gets
# the page-cache pages it frees. On this VM a page the guest has not
# touched lately costs the host a fault on first write (about 12 us a
# 4 KiB page against 3.4 us for one in use lately; perf then puts 56-66% of
# the broker's CPU in pwrite's copy into the page cache), so without this
# the first writer after fio would get fio's freed pages and the next one
# fresh ones (README and docs/bench-history.md, issue 18).
free_topic() { gafka-admin delete-topic --broker "$BROKER" --name "$1" >/dev/null 2>&1 || true; }

# median V...: the middle value (the lower middle one of an even count)
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# rounds V...: "V1 / V2 / ..." for a row, when there is more than one
rounds() { (($# > 1)) && printf ' (rounds: %s)' "$(printf '%s / ' "$@" | sed 's| / $||')"; }

# ratio A B: A / B with two decimals ("-" when B is 0)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

# kafka_fio: one fio run; sets FIO_MBS (empty when fio failed, which it says).
kafka_fio() {
    FIO_MBS=""
    local out
    echo "run: fio sequential write, 1 MiB blocks, fdatasync after each, ${K_FIO_MIB} MiB in $TMP" >&2
    if out=$(fio --name=seqsync --directory="$TMP" --rw=write --bs=1M --size="${K_FIO_MIB}M" --fdatasync=1 \
        --ioengine=psync --end_fsync=1 --output-format=json 2>"$TMP/fio.err"); then
        FIO_MBS=$(jq -r '.jobs[0].write.bw_bytes / 1e6 | . * 10 | round / 10' <<<"$out")
    fi
    rm -f "$TMP"/seqsync.*
    [[ -n $FIO_MBS ]] || echo "run: fio failed: $(cat "$TMP/fio.err")" >&2
}

# kafka_produce_round R: one round of fio, HTTP and Kafka produce,
# appended to the arrays kafka_produce keeps; 1 when one of them failed.
kafka_produce_round() {
    local r=$1
    kafka_fio
    [[ -n $FIO_MBS ]] || return 1
    fio_mbs+=("$FIO_MBS")
    cpu_bench "kprod-http-$r" "$K_PRODUCE" produce --topic "kprod-http-$r" "${K_PRODUCE_ARGS[@]}" || return 1
    http_rate+=("$(field "kprod-http-$r" .msgs_per_sec)")
    http_mbs+=("$(field "kprod-http-$r" .mb_per_sec)")
    http_cpu+=("$CPU_PER_GB")
    free_topic "kprod-http-$r"
    # The target: librdkafka's defaults (enable.idempotence=false) with acks=all.
    BENCH_BROKER=$KAFKA_BROKER cpu_bench "kprod-kafka-$r" "$K_PRODUCE" produce --protocol kafka \
        --topic "kprod-kafka-$r" --no-idempotence "${K_PRODUCE_ARGS[@]}" || return 1
    kafka_rate+=("$(field "kprod-kafka-$r" .msgs_per_sec)")
    kafka_mbs+=("$(field "kprod-kafka-$r" .mb_per_sec)")
    kafka_cpu+=("$CPU_PER_GB")
    free_topic "kprod-kafka-$r"
}

kafka_produce() {
    local fio_mbs=() http_rate=() http_mbs=() http_cpu=() kafka_rate=() kafka_mbs=() kafka_cpu=() r
    for ((r = 1; r <= K_ROUNDS; r++)); do
        kafka_produce_round "$r" || {
            failed_step "Kafka produce against fio and HTTP, round $r" ">= 0.80 fio, >= HTTP"
            return
        }
    done
    local fio http kafka kafka_mb hcpu kcpu
    fio=$(median "${fio_mbs[@]}")
    http=$(median "${http_rate[@]}")
    kafka=$(median "${kafka_rate[@]}")
    kafka_mb=$(median "${kafka_mbs[@]}")
    hcpu=$(median "${http_cpu[@]}")
    kcpu=$(median "${kafka_cpu[@]}")
    row "fio seq write, fdatasync per MiB (MB/s)" "reference" "$fio$(rounds "${fio_mbs[@]}")" "-"
    row "HTTP produce, acks=all (msg/s; MB/s)" "reference" "$http; $(median "${http_mbs[@]}")$(rounds "${http_rate[@]}")" "-"
    row "HTTP produce, broker CPU (s/GB)" "reference" "$hcpu$(rounds "${http_cpu[@]}")" "-"
    row "Kafka produce / fio (MB/s; ratio)" ">= 0.80" "$kafka_mb; $(ratio "$kafka_mb" "$fio")$(rounds "${kafka_mbs[@]}")" \
        "$(at_least "$(ratio "$kafka_mb" "$fio")" 0.80)"
    # For reference, once: idempotent, one request in flight per partition (the client's cap).
    if BENCH_BROKER=$KAFKA_BROKER cpu_bench kprod-kafka-idem "$K_PRODUCE" produce --protocol kafka \
        --topic kprod-kafka-idem "${K_PRODUCE_ARGS[@]}"; then
        row "Kafka produce, idempotent: client-bound (msg/s; broker CPU s/GB)" "reference" \
            "$(field kprod-kafka-idem .msgs_per_sec); $CPU_PER_GB" "-"
        free_topic kprod-kafka-idem
    fi
    row "Kafka produce, acks=all, not idempotent (msg/s; / HTTP)" ">= 1.00x" \
        "$kafka; $(ratio "$kafka" "$http")x$(rounds "${kafka_rate[@]}")" "$(at_least "$kafka" "$http")"
    row "Kafka produce not idempotent, broker CPU (s/GB; / HTTP)" "<= 0.50x" \
        "$kcpu; $(ratio "$kcpu" "$hcpu")x$(rounds "${kafka_cpu[@]}")" "$(at_most "$(ratio "$kcpu" "$hcpu")" 0.5)"
}

# kafka_read_fill: the topic both reads read, filled over HTTP (untimed).
kafka_read_fill() {
    bench kread-fill produce --topic kread --partitions 1 --messages "$K_READ" --size 1024 --batch-size 1000 \
        --concurrency 2 || { failed_step "catch-up read: filling the topic" "-"; return 1; }
}

# kafka_read WITH: a catch-up read through each port, its rows saying WITH
# (the broker's TCP congestion control).
kafka_read() {
    local with=$1 figure="catch-up read, $((K_READ / 1024)) MiB, 1 partition" http_rate http_cpu rate cpu
    if ! cpu_bench kread-http "$K_READ" consume --topic kread --messages "$K_READ" --size 1024 --batch-size 10000; then
        failed_step "HTTP $figure, $with (msg/s)" "reference"
        return
    fi
    http_rate=$(field kread-http .msgs_per_sec)
    http_cpu=$CPU_PER_GB
    row "HTTP $figure, $with (msg/s)" "reference" "$http_rate" "-"
    row "HTTP catch-up read, $with, broker CPU (s/GB)" "reference" "$http_cpu" "-"
    if ! BENCH_BROKER=$KAFKA_BROKER cpu_bench kread-kafka "$K_READ" consume --protocol kafka --topic kread \
        --messages "$K_READ" --size 1024 --batch-size 10000; then
        failed_step "Kafka $figure, $with (msg/s)" ">= HTTP"
        return
    fi
    rate=$(field kread-kafka .msgs_per_sec)
    cpu=$CPU_PER_GB
    row "Kafka $figure, $with (msg/s; / HTTP)" ">= 1.00x" "$rate; $(ratio "$rate" "$http_rate")x" \
        "$(at_least "$rate" "$http_rate")"
    row "Kafka catch-up read, $with, broker CPU (s/GB; / HTTP)" "<= 0.25x" "$cpu; $(ratio "$cpu" "$http_cpu")x" \
        "$(at_most "$(ratio "$cpu" "$http_cpu")" 0.25)"
}

# metric_value LINE: the value of the broker's /metrics line LINE (name and
# labels, exactly as printed); 0 when there is none.
metric_value() {
    curl -sf "http://$BROKER/metrics" | awk -v m="$1 " 'index($0, m) == 1 { print substr($0, length(m) + 1); f = 1 }
        END { if (!f) print 0 }'
}

# children_cpu: the CPU seconds (user + system) of this shell's finished
# children, in CHILDREN_CPU (`times` in a $(...) would count the subshell's).
children_cpu() {
    times >"$TMP/times"
    CHILDREN_CPU=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, "m"); s += t[1] * 60 + t[2] }
        printf "%.2f", s }' "$TMP/times")
}

# e2e_costed NAME REQUESTS ARGS...: bench NAME e2e ARGS..., then sets
# E2E_COST to "client CPU s / broker CPU s; fsyncs / produce requests", the
# last two per 1000 records; REQUESTS is the /metrics line counting the
# port's produce requests.
e2e_costed() {
    local name=$1 requests=$2 t0 t1 f0 f1 r0 r1 c0 c1 n
    shift 2
    t0=$(broker_ticks) f0=$(fsync_count) r0=$(metric_value "$requests")
    children_cpu
    c0=$CHILDREN_CPU
    bench "$name" e2e "$@" || return 1
    children_cpu
    c1=$CHILDREN_CPU
    t1=$(broker_ticks) f1=$(fsync_count) r1=$(metric_value "$requests")
    n=$(field "$name" .messages)
    E2E_COST=$(awk -v c="$c1" -v c0="$c0" -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v f=$((f1 - f0)) \
        -v r=$((r1 - r0)) -v n="$n" 'BEGIN { printf "%.2f / %.2f; %.0f / %.0f", c - c0, d / hz, 1000 * f / n, 1000 * r / n }')
}

# e2e_sample PREFIX NAME REQUESTS ARGS...: e2e_costed NAME REQUESTS --topic
# NAME ARGS..., then appends its p50, p99 and cost to the arrays PREFIX_p50,
# PREFIX_p99 and PREFIX_cost (kafka_e2e's) and frees the topic.
e2e_sample() {
    local -n p50s=$1_p50 p99s=$1_p99 costs=$1_cost
    local name=$2 requests=$3
    shift 3
    e2e_costed "$name" "$requests" --topic "$name" "$@" || return 1
    p50s+=("$(field "$name" .latency_ms.p50)")
    p99s+=("$(field "$name" .latency_ms.p99)")
    costs+=("$E2E_COST")
    free_topic "$name"
}

# kafka_e2e_round R: one round of e2e at 10000 msg/s, HTTP then Kafka (not
# idempotent, gafka-bench's e2e settings) with linger.ms=0 then 1; 1 when
# one of them failed.
kafka_e2e_round() {
    local r=$1 linger
    e2e_sample http "ke2e-http-$r" 'gafka_request_duration_seconds_count{route="POST /api/v1/produce"}' \
        "${K_E2E_ARGS[@]}" || return 1
    for linger in 0 1; do
        BENCH_BROKER=$KAFKA_BROKER e2e_sample "l$linger" "ke2e-kafka-l$linger-$r" \
            'gafka_kafka_requests_total{api="Produce"}' --protocol kafka --no-idempotence -X "linger.ms=$linger" \
            "${K_E2E_ARGS[@]}" || return 1
        e2e_settings[linger]=$(field "ke2e-kafka-l$linger-$r" .kafka_settings)
    done
}

kafka_e2e() {
    local http_p50=() http_p99=() http_cost=() l0_p50=() l0_p99=() l0_cost=() l1_p50=() l1_p99=() l1_cost=()
    local cost="client / broker CPU (s); fsyncs / requests a 1000 records" r http p0 p1
    local e2e_settings=()
    for ((r = 1; r <= K_ROUNDS; r++)); do
        kafka_e2e_round "$r" || {
            failed_step "e2e at 10000 msg/s through each port, round $r, p99 (ms)" "Kafka <= HTTP"
            return
        }
    done
    http=$(median "${http_p99[@]}") p0=$(median "${l0_p99[@]}") p1=$(median "${l1_p99[@]}")
    row "HTTP e2e at 10000 msg/s, p50 (ms)" "reference" "$(median "${http_p50[@]}")$(rounds "${http_p50[@]}")" "-"
    row "HTTP e2e at 10000 msg/s, $cost, round 1" "reference" "${http_cost[0]}" "-"
    row "HTTP e2e at 10000 msg/s, p99 (ms)" "reference" "$http$(rounds "${http_p99[@]}")" "-"
    for linger in 0 1; do
        local -n p50s=l${linger}_p50 costs=l${linger}_cost
        row "Kafka e2e, linger.ms=$linger, p50 (ms)" "reference" "$(median "${p50s[@]}")$(rounds "${p50s[@]}")" "-"
        row "Kafka e2e, linger.ms=$linger, $cost, round 1" "reference" "${costs[0]}" "-"
        unset -n p50s costs
    done
    if BENCH_BROKER=$KAFKA_BROKER bench ke2e-kafka-lib e2e --protocol kafka --topic ke2e-kafka-lib --no-idempotence \
        -X linger.ms=5 -X socket.nagle.disable=false "${K_E2E_ARGS[@]}"; then
        row "Kafka e2e, not idempotent, librdkafka's defaults (linger 5 ms, Nagle), p99 (ms)" "reference" \
            "$(field ke2e-kafka-lib .latency_ms.p99)" "-"
    fi
    # With linger.ms=0 librdkafka sends a request a record, at 2.5x the CPU of
    # gafka-bench's HTTP client, which batches what comes while a request is
    # out; with linger.ms=1 it batches what comes within a millisecond, and
    # that millisecond is its floor. Which wins depends on how short the
    # host keeps the cores (README, issue 18).
    row "Kafka e2e at 10000 msg/s, not idempotent, ${e2e_settings[0]}, p99 (ms; HTTP's)" "<= HTTP" \
        "$p0; $http$(rounds "${l0_p99[@]}")" "$(at_most "$p0" "$http")"
    row "Kafka e2e at 10000 msg/s, not idempotent, ${e2e_settings[1]}, p99 (ms; HTTP's)" "<= HTTP" \
        "$p1; $http$(rounds "${l1_p99[@]}")" "$(at_most "$p1" "$http")"
}

kafka_step() {
    local system_cc
    system_cc=$(</proc/sys/net/ipv4/tcp_congestion_control)
    kafka_produce
    kafka_read_fill && kafka_read "system's $system_cc"
    kafka_e2e
    # BBR without the fq qdisc paces with a timer per packet: most of a
    # sendfile read's CPU on the README's VM (docs/operations.md).
    if [[ $system_cc != cubic ]] && grep -qw cubic /proc/sys/net/ipv4/tcp_available_congestion_control; then
        restart_broker --tcp-congestion cubic
        kafka_read "--tcp-congestion cubic"
    fi
}
