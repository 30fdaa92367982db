#!/usr/bin/env bats
# librdkafka's idempotent producer against gafka (issue 18, docs/kafka.md):
# InitProducerId hands out a producer id, and its batches go through the
# producer-state table gafka-produce uses, so records arrive once and in
# order even when the client times requests out and sends them again.
# tests/kafka/idempotent_producer.c is the client of the second test.

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

setup() {
    T=$BATS_TEST_TMPDIR
}

teardown() {
    [[ -n ${BROKER_PID:-} ]] && kill -CONT "$BROKER_PID" 2>/dev/null
    [[ -n ${PRODUCER_PID:-} ]] && { kill -KILL "$PRODUCER_PID" 2>/dev/null; wait "$PRODUCER_PID" 2>/dev/null; }
    stop_all_brokers
}

# offsets_and_values TOPIC: "offset value" of every record of TOPIC, as
# gafka-consume reads them.
offsets_and_values() {
    timeout 30 gafka-consume --topic "$1" --from-beginning --exit-at-end | jq -r '"\(.offset) \(.value)"'
}

# dense N: "0 0" .. "N-1 N-1", what offsets_and_values prints when the
# values 0 .. N-1 were each stored once, in order, from offset 0.
dense() {
    local i
    for ((i = 0; i < $1; i++)); do echo "$i $i"; done
}

@test "kcat -X enable.idempotence=true -P: records arrive once, in order, at dense offsets" {
    start_broker
    create_topic idem 1
    seq 0 499 | timeout 60 kcat -b "127.0.0.1:$BROKER_KAFKA_PORT" -X enable.idempotence=true -P -t idem -p 0 ||
        fail "kcat -P failed"
    assert_equal "$(offsets_and_values idem)" "$(dense 500)"
}

@test "an idempotent librdkafka producer whose requests time out while the broker is stopped stores each record once" {
    # shellcheck disable=SC2046 # pkg-config prints several words
    cc -Wall -Wextra -Werror -o "$T/idempotent_producer" "$BATS_TEST_DIRNAME/../kafka/idempotent_producer.c" \
        $(pkg-config --cflags --libs rdkafka) || fail "cannot build tests/kafka/idempotent_producer.c"
    start_broker
    create_topic stopped 1
    "$T/idempotent_producer" "127.0.0.1:$BROKER_KAFKA_PORT" stopped 200 "$T/go" >"$T/out" 2>"$T/err" 3>&- &
    PRODUCER_PID=$!
    wait_until grep -q "half delivered" "$T/out"
    stop_process "$BROKER_PID"
    touch "$T/go"
    # librdkafka times the in-flight requests out (socket.timeout.ms 1 s),
    # drops the connection and sends them again once the broker answers.
    wait_until grep -q "REQTMOUT" "$T/err"
    kill -CONT "$BROKER_PID"
    wait "$PRODUCER_PID" || fail "idempotent_producer failed: $(cat "$T/err")"
    PRODUCER_PID=""
    assert_equal "$(offsets_and_values stopped)" "$(dense 200)"
}
