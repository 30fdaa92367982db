#!/usr/bin/env bats
# A topic's compression (Kafka's compression.type): gafka-admin create-topic
# --compression, the HTTP create-topic body, what describe-topic shows, and
# that the records read back (gafka-consume, gafka-walcheck --dump) are the
# ones produced whatever codec stores them. See docs/api.md ("Topics").

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

setup() {
    start_broker
    IN=$BATS_TEST_TMPDIR/in
    # Log lines as the demo ships them: repetitive, so every codec shrinks them.
    for ((i = 1; i <= 2000; i++)); do
        printf '2026-05-01T12:%02d:%02dZ INFO api request served method=GET path=/api/v1/orders/%d status=200 ms=%d\n' \
            $((i / 60 % 60)) $((i % 60)) $((i % 97)) $((i % 13))
    done >"$IN"
}

teardown() {
    stop_all_brokers
}

# kcat_to ARGS...: kcat against the test broker's Kafka port, bounded.
kcat_to() {
    timeout 60 kcat -b "127.0.0.1:$BROKER_KAFKA_PORT" "$@"
}

# size_of TOPIC: the bytes of partition 0's segments.
size_of() {
    gafka-admin describe-topic --name "$1" | jq '.partition_info[0].size_bytes'
}

@test "each codec: gafka-consume reads back what gafka-produce sent, and the log is smaller than as it came" {
    create_topic plain 1
    gafka-produce --topic plain <"$IN" || fail "produce into plain failed"
    local plain_size codec
    plain_size=$(size_of plain)
    for codec in gzip snappy lz4 zstd uncompressed; do
        run --separate-stderr gafka-admin create-topic --name "t-$codec" --compression "$codec"
        assert_success
        assert_equal "$(jq -r .compression <<<"$output")" "$codec"
        gafka-produce --topic "t-$codec" <"$IN" || fail "produce into t-$codec failed"
        gafka-consume --topic "t-$codec" --from-beginning --exit-at-end --format value >"$BATS_TEST_TMPDIR/out-$codec" ||
            fail "consume of t-$codec failed"
        cmp "$IN" "$BATS_TEST_TMPDIR/out-$codec" || fail "t-$codec: the records read back differ"
        assert_equal "$(gafka-admin describe-topic --name "t-$codec" | jq -r .compression)" "$codec"
        local size
        size=$(size_of "t-$codec")
        if [[ $codec == uncompressed ]]; then
            ((size > plain_size * 9 / 10)) || fail "uncompressed: $size bytes, plain $plain_size"
        else
            ((size * 3 < plain_size)) || fail "$codec: $size bytes is not a third of $plain_size"
        fi
    done
}

@test "gafka-walcheck --dump of the data dir shows the records of a compressed topic" {
    gafka-admin create-topic --name z --compression zstd >/dev/null || fail "create-topic failed"
    gafka-produce --topic z <"$IN" || fail "produce failed"
    stop_broker
    run --separate-stderr gafka-walcheck --dump "$BROKER_DATA"
    assert_success
    assert_equal "$(jq -r 'select(.topic == "z") | .value' <<<"$output")" "$(cat "$IN")"
    assert_equal "$(jq -s -c '[.[] | select(.topic == "z") | .offset] == [range(2000)]' <<<"$output")" true
    run --separate-stderr gafka-walcheck "$BROKER_DATA"
    assert_success
}

@test "a group consumer and an offset search read a compressed topic" {
    gafka-admin create-topic --name g --compression lz4 >/dev/null || fail "create-topic failed"
    gafka-produce --topic g <"$IN" || fail "produce failed"
    gafka-consume --topic g --group readers --exit-at-end --format value >"$BATS_TEST_TMPDIR/out" ||
        fail "group consume failed"
    cmp "$IN" "$BATS_TEST_TMPDIR/out" || fail "the group read other records"
    api GET "/api/v1/topics/g/offsets?time=-1h"
    assert_equal "$HTTP_STATUS" 200
    assert_equal "$(jq -c '[.partitions[].offset]' <<<"$HTTP_BODY")" '[0]'
}

@test "the setting survives a restart, and a topic.json without it opens as producer" {
    gafka-admin create-topic --name kept --compression snappy >/dev/null || fail "create-topic failed"
    create_topic old 1
    stop_broker
    local meta=$BROKER_DATA/topics/old/topic.json
    jq -c 'del(.compression)' "$meta" >"$meta.new" && mv "$meta.new" "$meta"
    start_broker
    assert_equal "$(gafka-admin describe-topic --name kept | jq -r .compression)" snappy
    assert_equal "$(gafka-admin describe-topic --name old | jq -r .compression)" producer
    gafka-produce --topic kept <"$IN" || fail "produce failed"
    gafka-produce --topic old <"$IN" || fail "produce failed"
    (($(size_of kept) * 3 < $(size_of old))) || fail "kept is not compressed after the restart"
}

@test "kcat -C reads every codec the broker compressed with, xerial snappy and lz4 frames included" {
    local codec
    for codec in gzip snappy lz4 zstd; do
        gafka-admin create-topic --name "k-$codec" --compression "$codec" >/dev/null || fail "create-topic failed"
        gafka-produce --topic "k-$codec" <"$IN" || fail "produce into k-$codec failed"
        kcat_to -C -t "k-$codec" -e -q -f '%s\n' >"$BATS_TEST_TMPDIR/out-$codec" || fail "kcat -C of k-$codec failed"
        cmp "$IN" "$BATS_TEST_TMPDIR/out-$codec" || fail "kcat read other records from k-$codec"
    done
}

@test "kcat -P with each codec: gafka-consume reads what kcat sent, and a producer topic keeps the batches compressed" {
    local codec
    for codec in none gzip snappy lz4 zstd; do
        create_topic "p-$codec" 1
        sed 's/^/key\t/' "$IN" | kcat_to -P -t "p-$codec" -K '\t' -z "$codec" -X linger.ms=50 ||
            fail "kcat -P -z $codec failed"
        gafka-consume --topic "p-$codec" --from-beginning --exit-at-end >"$BATS_TEST_TMPDIR/out-$codec" ||
            fail "consume of p-$codec failed"
        assert_equal "$(jq -r .value "$BATS_TEST_TMPDIR/out-$codec")" "$(cat "$IN")"
        assert_equal "$(jq -r .key "$BATS_TEST_TMPDIR/out-$codec" | sort -u)" key
    done
    # gafka lists Produce from v0, so librdkafka 2.0 compresses with every
    # codec (gzip, snappy and lz4 only for such a broker): stored as it came.
    for codec in gzip snappy lz4 zstd; do
        (($(size_of "p-$codec") * 2 < $(size_of p-none))) || fail "kcat's $codec batches were not kept compressed"
    done
}

@test "a bad codec is exit 2 from gafka-admin and 400 over HTTP, and creates nothing" {
    run --separate-stderr gafka-admin create-topic --name bad --compression brotli
    assert_failure 2
    assert_regex "$stderr" "brotli"
    assert_regex "$stderr" "zstd"
    api POST /api/v1/topics -H 'Content-Type: application/json' -d '{"name":"bad","compression":"brotli"}'
    assert_equal "$HTTP_STATUS" 400
    assert_equal "$(jq -r .error.code <<<"$HTTP_BODY")" invalid_compression
    assert_equal "$(jq -r .error.message <<<"$HTTP_BODY")" \
        "'compression' must be one of producer, uncompressed, gzip, snappy, lz4, zstd"
    api POST /api/v1/topics -H 'Content-Type: application/json' -d '{"name":"bad","compression":4}'
    assert_equal "$HTTP_STATUS" 400
    run --separate-stderr gafka-admin list-topics
    assert_success
    assert_output ""
    [[ ! -e $BROKER_DATA/topics/bad ]] || fail "a directory for 'bad' was made"
}
