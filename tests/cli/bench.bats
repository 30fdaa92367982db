#!/usr/bin/env bats
# gafka-bench produce, consume and e2e against a real broker, with tiny
# numbers: the JSON summary's shape, that the records counted are the
# records sent, and usage errors. A benchmark is measured by scripts/bench,
# never timed here. See man/gafka-bench.1.

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

setup() {
    start_broker
}

teardown() {
    stop_all_brokers
}

# assert_summary MODE MESSAGES: $output is one JSON summary line of MODE
# with MESSAGES records, every field present and of the right type.
assert_summary() {
    assert_equal "$(wc -l <<<"$output")" 1
    jq -e --arg mode "$1" --argjson n "$2" '
        .mode == $mode and .messages == $n
        and (.size | type) == "number" and (.seconds | type) == "number"
        and (.msgs_per_sec | type) == "number" and (.mb_per_sec | type) == "number"
        and (.latency_ms | keys) == ["avg", "max", "p50", "p95", "p99", "p999"]
        and ([.latency_ms[]] | all(type == "number" and . >= 0))
        and .latency_ms.p50 <= .latency_ms.p99 and .latency_ms.p99 <= .latency_ms.max
        and .samples > 0 and .over_15ms <= .over_5ms and .over_5ms <= .samples
        and (.over_15ms == 0 or .latency_ms.max >= 15) and (.latency_ms.max <= 15.001 or .over_15ms > 0)' <<<"$output" >/dev/null ||
        fail "not a $1 summary of $2 records: $output"
}

@test "produce sends every record and prints one summary" {
    run --separate-stderr gafka-bench produce --messages 2000 --size 100 --partitions 2 --batch-size 50 \
        --concurrency 3
    assert_success
    assert_summary produce 2000
    assert_equal "$(jq -r '.topic, .partitions, .concurrency, .acks, .rate' <<<"$output" | paste -sd' ')" \
        "gafka-bench-p2 2 3 all null"
    # The topic it created holds exactly what was sent, spread over both partitions.
    run gafka-admin describe-topic --name gafka-bench-p2
    assert_success
    assert_equal "$(jq -c '[.partition_info[].log_end_offset] | add' <<<"$output")" 2000
    assert_equal "$(jq -c '[.partition_info[].log_end_offset | select(. > 0)] | length' <<<"$output")" 2
}

@test "produce writes records of --size bytes to --topic" {
    create_topic given 1
    run --separate-stderr gafka-bench produce --topic given --messages 30 --size 7 --batch-size 4 --acks 1
    assert_success
    assert_summary produce 30
    run bash -c 'gafka-consume --topic given --from-beginning --exit-at-end | jq -r .value | sort -u'
    assert_output abcdefg
}

@test "produce at a fixed --rate is an open loop and still sends everything" {
    run --separate-stderr gafka-bench produce --messages 300 --size 64 --rate 2000 --concurrency 2
    assert_success
    assert_summary produce 300
    assert_equal "$(jq .rate <<<"$output")" 2000
}

@test "consume fills a short topic and then reads the asked number from the start" {
    run --separate-stderr gafka-bench consume --messages 2000 --size 100 --partitions 3 --batch-size 300 \
        --concurrency 2
    assert_success
    assert_summary consume 2000
    assert_equal "$(log_end_offsets gafka-bench-p3 | jq add)" 2000
    # A second run finds enough and adds nothing.
    run --separate-stderr gafka-bench consume --messages 1500 --size 100 --partitions 3
    assert_success
    assert_summary consume 1500
    assert_equal "$(log_end_offsets gafka-bench-p3 | jq add)" 2000
}

@test "e2e receives every record it sends" {
    run --separate-stderr gafka-bench e2e --messages 2000 --size 64 --partitions 2 --rate 20000
    assert_success
    assert_summary e2e 2000
    assert_equal "$(log_end_offsets gafka-bench-p2 | jq add)" 2000
    # Each value starts with its intended send time: one writer per
    # partition keeps them in order within each partition. All 2000 are
    # read back, over both partitions (the check is false on no input).
    run bash -c 'set -o pipefail; gafka-consume --topic gafka-bench-p2 --from-beginning --exit-at-end |
        jq -se "length == 2000 and (group_by(.partition) | length == 2
            and all(map(.value[0:20] | tonumber) | . == sort))"'
    assert_success
    assert_output true
}

@test "e2e without a rate, on a topic that already holds records" {
    create_topic busy 2
    gafka-produce --topic busy <<<$'old1\nold2\nold3' || fail "produce failed"
    run --separate-stderr gafka-bench e2e --topic busy --messages 500 --size 32 --batch-size 20
    assert_success
    assert_summary e2e 500
}

@test "produce --protocol kafka sends every record through the Kafka port" {
    run --separate-stderr gafka-bench produce --protocol kafka --broker "127.0.0.1:$BROKER_KAFKA_PORT" \
        --messages 2000 --size 100 --partitions 2 --batch-size 50 --concurrency 3
    assert_success
    assert_summary produce 2000
    assert_equal "$(jq -r '.protocol, .topic, .partitions, .concurrency, .acks' <<<"$output" | paste -sd' ')" \
        "kafka gafka-bench-p2 2 3 all"
    # CreateTopics made the topic; it holds exactly what was sent, over both partitions.
    assert_equal "$(log_end_offsets gafka-bench-p2 | jq add)" 2000
    assert_equal "$(log_end_offsets gafka-bench-p2 | jq '[.[] | select(. > 0)] | length')" 2
    run bash -c 'gafka-consume --topic gafka-bench-p2 --from-beginning --exit-at-end | jq -r .value | sort -u'
    assert_output "$(printf %s {a..z} {a..z} {a..z} {a..v})"  # 100 bytes of gafka-bench's filler
}

@test "consume --protocol kafka fills the topic and reads the asked number from the start" {
    run --separate-stderr gafka-bench consume --protocol kafka --broker "127.0.0.1:$BROKER_KAFKA_PORT" \
        --messages 3000 --size 100 --partitions 3 --batch-size 300 --concurrency 2 --no-idempotence
    assert_success
    assert_summary consume 3000
    assert_equal "$(jq -r .protocol <<<"$output")" kafka
    assert_equal "$(log_end_offsets gafka-bench-p3 | jq add)" 3000
    # Records written over HTTP are read through Kafka; nothing is added.
    create_topic http-written 1
    gafka-bench produce --topic http-written --messages 500 --size 10 >/dev/null || fail "HTTP produce failed"
    run --separate-stderr gafka-bench consume --protocol kafka --broker "127.0.0.1:$BROKER_KAFKA_PORT" \
        --topic http-written --messages 500
    assert_success
    assert_summary consume 500
    assert_equal "$(log_end_offsets http-written | jq add)" 500
}

@test "e2e --protocol kafka receives every record it sends" {
    run --separate-stderr gafka-bench e2e --protocol kafka --broker "127.0.0.1:$BROKER_KAFKA_PORT" \
        --messages 2000 --size 64 --partitions 2 --rate 20000
    assert_success
    assert_summary e2e 2000
    assert_equal "$(jq -r .protocol <<<"$output")" kafka
    assert_equal "$(log_end_offsets gafka-bench-p2 | jq add)" 2000
    run bash -c 'set -o pipefail; gafka-consume --topic gafka-bench-p2 --from-beginning --exit-at-end |
        jq -se "length == 2000 and (group_by(.partition) | length == 2
            and all(map(.value[0:20] | tonumber) | . == sort))"'
    assert_success
    assert_output true
}

@test "--protocol kafka refuses what it cannot honour, and an unknown protocol (exit 2)" {
    local bad
    echo token >"$BATS_TEST_TMPDIR/token"
    for bad in "--protocol kafka --auth-token-file $BATS_TEST_TMPDIR/token" "--protocol grpc"; do
        # shellcheck disable=SC2086  # the flags are meant to split
        run --separate-stderr gafka-bench produce --broker "127.0.0.1:$BROKER_KAFKA_PORT" --messages 10 $bad
        ((status == 2)) || fail "gafka-bench produce $bad: exit $status, not 2 (stderr: $stderr)"
        [[ $stderr == gafka-bench* ]] || fail "gafka-bench produce $bad: stderr does not name the program: $stderr"
    done
    run --separate-stderr gafka-admin list-topics
    assert_output ""
}

@test "no progress line when stderr is not a terminal" {
    run --separate-stderr gafka-bench produce --messages 100 --size 10
    assert_success
    assert_equal "$stderr" ""
}

@test "bad flags are usage errors (exit 2) and send nothing" {
    local bad
    for bad in "produce --messages 0" "produce --messages x" "produce --acks 2" "produce --partitions 101" \
        "produce --batch-size 0" "produce --batch-size 10001" "produce --concurrency 0" "produce --rate 0" \
        "produce --rate -5" "produce --size -1" "produce --size 2000000" "produce --no-such-flag" \
        "consume --rate 100" "e2e --size 20" "produce --size 1000000 --batch-size 100" \
        "produce --topic bad/name" "produce --topic .." "produce --broker nohostport" "bogus"; do
        # shellcheck disable=SC2086  # the flags are meant to split
        run --separate-stderr gafka-bench $bad </dev/null
        ((status == 2)) || fail "gafka-bench $bad: exit $status, not 2 (stderr: $stderr)"
        [[ $stderr == gafka-bench* ]] || fail "gafka-bench $bad: stderr does not name the program: $stderr"
        assert_equal "$output" ""
    done
    run --separate-stderr gafka-admin list-topics
    assert_success
    assert_output ""
}

@test "an unreachable broker is an operational failure (exit 1)" {
    local port=$BROKER_PORT
    stop_broker
    run --separate-stderr timeout 60 gafka-bench produce --broker "127.0.0.1:$port" --messages 10
    assert_failure 1
    assert_output ""
    [[ $stderr == *"gafka-bench: error:"* ]] || fail "no error message: $stderr"
}
