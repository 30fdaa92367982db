#!/usr/bin/env bats
# A topic whose files cannot be read at start keeps only itself offline: the
# broker serves the other topics, reports the damaged one (log, /healthz,
# /metrics, gafka-walcheck), answers requests for it with 503 topic_damaged
# and never deletes or overwrites its files (docs/operations.md "A damaged
# topic", docs/api.md "Errors").

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

teardown() {
    stop_all_brokers
}

# h2_segments: a checksum line per segment file of h2, sorted.
h2_segments() {
    (cd "$BROKER_DATA/topics/h2" && find . -type f -name '*.log' -exec sha256sum {} + | sort)
}

# Two topics with records, h1 and h2, then a stop and h2's topic.json cut
# short, as a crash of a non-atomic editor or a full disk could leave it.
setup_damaged_h2() {
    start_broker
    create_topic h1 1
    create_topic h2 2
    printf 'a\nb\n' | gafka-produce --topic h1
    printf 'c\nd\n' | gafka-produce --topic h2
    stop_broker
    H2_META=$BROKER_DATA/topics/h2/topic.json
    truncate -s 10 "$H2_META"
    cp "$H2_META" "$BATS_TEST_TMPDIR/h2-meta.before"
    h2_segments >"$BATS_TEST_TMPDIR/h2-logs.before"
    unset BROKER_PORT
}

# h2's files are exactly as they were before the broker saw them.
assert_h2_untouched() {
    cmp "$H2_META" "$BATS_TEST_TMPDIR/h2-meta.before" || fail "topic.json of h2 changed"
    h2_segments >"$BATS_TEST_TMPDIR/h2-logs.after"
    cmp "$BATS_TEST_TMPDIR/h2-logs.before" "$BATS_TEST_TMPDIR/h2-logs.after" || fail "segments of h2 changed"
}

@test "a damaged topic.json keeps only that topic offline; the broker starts and serves the others" {
    setup_damaged_h2
    start_broker
    grep -q "not serving topic 'h2'.*topics/h2/topic.json" "$BROKER_LOG" || fail "no log line: $(cat "$BROKER_LOG")"
    run --separate-stderr gafka-consume --topic h1 --from-beginning --exit-at-end --format value
    assert_success
    assert_output $'a\nb'
    printf 'e\n' | gafka-produce --topic h1
}

@test "produce, consume, describe, delete and create of a damaged topic get 503 topic_damaged naming the file" {
    setup_damaged_h2
    start_broker
    api POST /api/v1/produce -H 'Content-Type: application/json' -d '{"topic":"h2","value":"x"}'
    assert_equal "$HTTP_STATUS" 503
    assert_equal "$(jq -r .error.code <<<"$HTTP_BODY")" topic_damaged
    [[ $(jq -r .error.message <<<"$HTTP_BODY") == *"$H2_META"* ]] || fail "no path: $HTTP_BODY"
    api GET '/api/v1/consume?topic=h2&partition=0&offset=0'
    assert_equal "$HTTP_STATUS" 503
    assert_equal "$(jq -r .error.code <<<"$HTTP_BODY")" topic_damaged
    api GET /api/v1/topics/h2
    assert_equal "$HTTP_STATUS" 503
    api DELETE /api/v1/topics/h2
    assert_equal "$HTTP_STATUS" 503
    api POST /api/v1/topics -H 'Content-Type: application/json' -d '{"name":"h2","partitions":1}'
    assert_equal "$HTTP_STATUS" 503
    assert_equal "$(jq -r .error.code <<<"$HTTP_BODY")" topic_damaged
    run --separate-stderr gafka-produce --topic h2 --message x
    assert_equal "$status" 1
    [[ $stderr == *"topic 'h2' is damaged"* ]] || fail "stderr: $stderr"
    run --separate-stderr gafka-admin create-topic --name h2 --partitions 1
    assert_failure
    [[ $stderr == *damaged* ]] || fail "stderr: $stderr"
    assert_h2_untouched
    # A restart still leaves it as it is.
    restart_broker
    assert_h2_untouched
}

@test "/healthz, /metrics and gafka-walcheck report the damaged topic" {
    setup_damaged_h2
    start_broker
    api GET /healthz
    assert_equal "$HTTP_STATUS" 200
    assert_equal "$(jq -c '[.status, .damaged_topics[0].topic, .damaged_topics[0].path]' <<<"$HTTP_BODY")" \
        "[\"degraded\",\"h2\",\"$H2_META\"]"
    run curl -s "$BROKER_URL/metrics"
    assert_line 'gafka_damaged_topics 1'
    stop_broker
    run --separate-stderr gafka-walcheck "$BROKER_DATA"
    assert_equal "$status" 1
    assert_equal "$(jq -sc 'map(select(.status == "corrupt_metadata")) | map([.topic, .file])' <<<"$output")" \
        "[[\"h2\",\"$H2_META\"]]"
    [[ $stderr == *"$H2_META"* ]] || fail "stderr: $stderr"
}

@test "a repaired topic.json brings the topic back with its records" {
    setup_damaged_h2
    echo '{"name":"h2","partitions":2,"retention_bytes":-1,"retention_ms":-1,"created_ms":0}' >"$H2_META"
    start_broker
    api GET /healthz
    assert_equal "$(jq -r .status <<<"$HTTP_BODY")" ok
    run curl -s "$BROKER_URL/metrics"
    assert_line 'gafka_damaged_topics 0'
    run --separate-stderr gafka-consume --topic h2 --from-beginning --exit-at-end --format value
    assert_success
    assert_equal "$(sort <<<"$output")" $'c\nd'
}

@test "a damaged topic keeps its groups' committed offsets until it is repaired" {
    start_broker
    create_topic h2 1
    printf 'c\nd\n' | gafka-produce --topic h2
    gafka-consume --topic h2 --group keep --exit-at-end >/dev/null
    stop_broker
    H2_META=$BROKER_DATA/topics/h2/topic.json
    cp "$H2_META" "$BATS_TEST_TMPDIR/h2-meta.good"
    truncate -s 10 "$H2_META"
    unset BROKER_PORT
    start_broker
    grep -q "not serving topic 'h2'" "$BROKER_LOG" || fail "h2 was not set aside: $(cat "$BROKER_LOG")"
    stop_broker
    cp "$BATS_TEST_TMPDIR/h2-meta.good" "$H2_META"
    unset BROKER_PORT
    start_broker
    printf 'e\n' | gafka-produce --topic h2
    run --separate-stderr gafka-consume --topic h2 --group keep --exit-at-end --format value
    assert_success
    assert_output e
}
