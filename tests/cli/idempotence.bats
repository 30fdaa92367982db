#!/usr/bin/env bats
# Idempotent producers (issue #8): a retried batch is answered with the
# offsets it already has and not appended again, also after a kill -9; a gap
# in the sequence is refused; gafka-produce retries without duplicates.

bats_require_minimum_version 1.5.0

load helpers

teardown() {
    [[ -n ${BROKER_PID:-} ]] && kill -CONT "$BROKER_PID" 2>/dev/null
    [[ -n ${PRODUCER_PID:-} ]] && { kill -KILL "$PRODUCER_PID" 2>/dev/null; wait "$PRODUCER_PID" 2>/dev/null; }
    stop_all_brokers
}

BATCH='{"topic":"orders","records":[{"value":"a","partition":0},{"value":"b","partition":0}]}'

# produce_numbered PRODUCER SEQUENCE: the two-record batch above, numbered.
produce_numbered() {
    api POST "/api/v1/produce?producer_id=$1&sequence=$2" -H 'Content-Type: application/json' -d "$BATCH"
}

new_producer_id() {
    api POST /api/v1/producers
    assert_equal "$HTTP_STATUS" 200
    PRODUCER=$(jq -r .producer_id <<<"$HTTP_BODY")
    [[ $PRODUCER =~ ^[0-9]+$ ]] || fail "no producer id in $HTTP_BODY"
}

@test "a retried batch gets its first offsets and duplicate:true, and nothing is appended" {
    start_broker
    create_topic orders 1
    new_producer_id
    produce_numbered "$PRODUCER" 0
    assert_equal "$HTTP_STATUS" 200
    first=$(jq -c .offsets <<<"$HTTP_BODY")
    produce_numbered "$PRODUCER" 0
    assert_equal "$HTTP_STATUS" 200
    assert_equal "$(jq -c .offsets <<<"$HTTP_BODY")" "$first"
    assert_equal "$(jq .duplicate <<<"$HTTP_BODY")" true
    assert_equal "$(log_end_offsets orders)" "[2]"
    produce_numbered "$PRODUCER" 2
    assert_equal "$(jq -c '[.offsets[].offset]' <<<"$HTTP_BODY")" "[2,3]"
    assert_equal "$(jq .duplicate <<<"$HTTP_BODY")" null
}

@test "a gap in the sequence is refused with 409 out_of_order_sequence and writes nothing" {
    start_broker
    create_topic orders 1
    new_producer_id
    produce_numbered "$PRODUCER" 0
    produce_numbered "$PRODUCER" 5
    assert_equal "$HTTP_STATUS" 409
    assert_equal "$(jq -r .error.code <<<"$HTTP_BODY")" out_of_order_sequence
    [[ $(jq -r .error.message <<<"$HTTP_BODY") == *"2 was due"* ]] || fail "$HTTP_BODY"
    assert_equal "$(log_end_offsets orders)" "[2]"
}

@test "malformed producer ids and sequences are 400, and an idempotent request may not span partitions" {
    start_broker
    create_topic orders 2
    for query in "producer_id=1" "sequence=0" "producer_id=x&sequence=0" "producer_id=1&sequence=-1" \
        "producer_id=1&sequence=2147483648" "producer_id=-5&sequence=0"; do
        api POST "/api/v1/produce?$query" -H 'Content-Type: application/json' -d "$BATCH"
        assert_equal "$HTTP_STATUS $query" "400 $query"
    done
    api POST "/api/v1/produce?producer_id=1&sequence=0" -H 'Content-Type: application/json' \
        -d '{"topic":"orders","records":[{"value":"a","partition":0},{"value":"b","partition":1}]}'
    assert_equal "$HTTP_STATUS" 400
    assert_equal "$(log_end_offsets orders)" "[0,0]"
}

@test "after kill -9 the broker rebuilds its producers from the log: the retry is still a duplicate" {
    start_broker
    create_topic orders 1
    new_producer_id
    produce_numbered "$PRODUCER" 0
    produce_numbered "$PRODUCER" 2
    first=$(jq -c .offsets <<<"$HTTP_BODY")
    kill9_broker
    start_broker "${BROKER_ARGS[@]}"
    produce_numbered "$PRODUCER" 2
    assert_equal "$HTTP_STATUS" 200
    assert_equal "$(jq .duplicate <<<"$HTTP_BODY")" true
    assert_equal "$(jq -c .offsets <<<"$HTTP_BODY")" "$first"
    assert_equal "$(log_end_offsets orders)" "[4]"
}

# client_connections: open sockets of clients connected to the broker's
# port (those closed and waiting out TIME-WAIT not counted).
client_connections() {
    ss -tnH state established state fin-wait-1 state fin-wait-2 dst "127.0.0.1:$BROKER_PORT" | wc -l
}
a_retry_is_under_way() { (($(client_connections) >= 2)); }
# The broker can append a line and be stopped before its answer is out:
# the first line counts as in once gafka-produce has printed its ack.
first_line_is_acked() { grep -q '"offset":0' "$BATS_TEST_TMPDIR/acks"; }

# produce_through_a_pause [gafka-produce flags]: gafka-produce sends a first
# line, then the broker is stopped and a second line sent: its request waits
# unread, the answer never comes within --timeout, and gafka-produce retries
# on a new connection. Both requests reach the broker once it continues.
# Sets COPIES to how many copies of the second line the topic then holds.
# Not for `run`: its subshell would keep the broker from teardown.
produce_through_a_pause() {
    start_broker
    create_topic orders 1
    mkfifo "$BATS_TEST_TMPDIR/in"
    gafka-produce --topic orders --partition 0 --timeout 1s --retries 5 --linger 0ms --print-acks "$@" \
        <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/acks" 2>"$BATS_TEST_TMPDIR/produce.err" &
    PRODUCER_PID=$!
    exec {input}>"$BATS_TEST_TMPDIR/in"
    echo first >&"$input"
    wait_until first_line_is_acked
    stop_process "$BROKER_PID"
    echo second >&"$input"
    wait_until a_retry_is_under_way  # the first try timed out
    kill -CONT "$BROKER_PID"
    exec {input}>&-
    wait "$PRODUCER_PID" || fail "gafka-produce failed: $(cat "$BATS_TEST_TMPDIR/produce.err")"
    PRODUCER_PID=""
    COPIES=$(gafka-consume --topic orders --from-beginning --exit-at-end --format value | grep -c '^second$')
}

@test "gafka-produce retries a request whose answer was lost without appending it twice" {
    produce_through_a_pause
    assert_equal "$COPIES" 1
}

@test "with --no-idempotence the same lost answer duplicates the record (the test above can fail)" {
    produce_through_a_pause --no-idempotence
    ((COPIES >= 2)) || fail "expected a duplicate without idempotence, got $COPIES record(s)"
}

@test "pipelined batches whose answers were lost are sent again, in order, each appended once" {
    start_broker
    create_topic orders 1
    mkfifo "$BATS_TEST_TMPDIR/in"
    gafka-produce --topic orders --partition 0 --timeout 1s --retries 5 --linger 0ms --batch-size 10 \
        --max-in-flight 5 --print-acks <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/acks" 2>"$BATS_TEST_TMPDIR/produce.err" &
    PRODUCER_PID=$!
    exec {input}>"$BATS_TEST_TMPDIR/in"
    echo 0 >&"$input"
    wait_until first_line_is_acked  # the partition knows the producer: what follows is pipelined
    stop_process "$BROKER_PID"
    seq 1 300 >&"$input"
    wait_until a_retry_is_under_way  # the pipelined requests' answers timed out
    kill -CONT "$BROKER_PID"
    exec {input}>&-
    wait "$PRODUCER_PID" || fail "gafka-produce failed: $(cat "$BATS_TEST_TMPDIR/produce.err")"
    PRODUCER_PID=""
    run gafka-consume --topic orders --from-beginning --exit-at-end --format value
    assert_success
    assert_equal "$output" "$(seq 0 300)"
}
