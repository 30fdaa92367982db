#!/usr/bin/env bats
# What a group's committed offsets may point at, with real brokers and real
# programs: a deleted topic takes its offsets along (also across a restart,
# and for offsets left by a broker that stopped before recording that), a
# commit is checked against the log, and a HEAD on a group consume takes and
# commits nothing. See docs/api.md ("Consumer groups", "DELETE
# /api/v1/topics/{name}"). helpers.bash stops the brokers in teardown.

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

# read_all GROUP TOPIC: the values GROUP reads of TOPIC up to its end.
read_all() {
    run --separate-stderr timeout 30 gafka-consume --topic "$2" --group "$1" --exit-at-end --format value
    assert_success
}

# group_status GROUP: sets HTTP_STATUS and HTTP_BODY.
group_status() { api GET "/api/v1/consumer-groups/$1/status"; }

@test "a deleted and re-created topic is read from its start by groups that read the old one, also after a restart" {
    create_topic rc 1
    seq 1 5 | gafka-produce --topic rc
    read_all g1 rc
    read_all g2 rc
    run --separate-stderr gafka-admin delete-topic --name rc
    assert_success
    group_status g1
    assert_equal "$HTTP_STATUS" 404  # nothing committed is left: the group is gone
    create_topic rc 1
    seq 101 110 | gafka-produce --topic rc
    read_all g1 rc
    assert_output "$(seq 101 110)"
    restart_broker  # the offsets log recorded the deletion
    read_all g2 rc
    assert_output "$(seq 101 110)"
}

@test "a batch a member got from a deleted topic is not committed onto the re-created one" {
    create_topic rc 1
    seq 1 5 | gafka-produce --topic rc
    local q="$BROKER_URL/api/v1/consume?topic=rc&group_id=gb&consumer_id=m&count=100&session_id=s1"
    run curl -sf "$q"
    assert_equal "$(jq -c '[.records[].value]' <<<"$output")" '["1","2","3","4","5"]'
    gafka-admin delete-topic --name rc >/dev/null
    create_topic rc 1
    seq 101 110 | gafka-produce --topic rc
    # This fetch acknowledges the old batch: it must not move the new topic to 5.
    run curl -sf "$q"
    assert_equal "$(jq -c '[.records[].value] | [.[0], length]' <<<"$output")" '["101",10]'
}

@test "offsets of a topic that is gone when the broker starts are removed" {
    create_topic rc 1
    seq 1 5 | gafka-produce --topic rc
    read_all g1 rc
    # A deletion whose offsets were never recorded as gone: the broker
    # stopped in between, or an older gafka deleted the topic.
    stop_broker
    rm -r "$BROKER_DATA/topics/rc"
    start_broker "${BROKER_ARGS[@]}"
    create_topic rc 1
    seq 101 103 | gafka-produce --topic rc
    read_all g1 rc
    assert_output "$(seq 101 103)"
    grep -q "removing the group offsets of topic 'rc'" "$BROKER_LOG" || fail "$(cat "$BROKER_LOG")"
}

@test "a commit outside the log is refused with 416 and a request with one such offset commits none" {
    create_topic t 2
    seq 1 30 | gafka-produce --topic t --partition 0
    local bad='{"topic":"t","partition":1,"offset":99999}' good='{"topic":"t","partition":0,"offset":10}'
    # An administrator's reset, then a member's commit.
    for body in "{\"offsets\":[$good,$bad]}" "{\"consumer_id\":\"m\",\"offsets\":[$good,$bad]}"; do
        api POST /api/v1/consumer-groups/gc/offsets -d "$body"
        assert_equal "$HTTP_STATUS" 416
        assert_equal "$(jq -r .error.code <<<"$HTTP_BODY")" offset_out_of_range
        [[ $(jq -r .error.message <<<"$HTTP_BODY") == *"t/1 [0, 0]"* ]] || fail "$HTTP_BODY"
        group_status gc
        assert_equal "$(jq -c '[.partitions[]?.committed_offset | select(. != null)]' <<<"$HTTP_BODY")" '[]'  # none committed
        api POST /api/v1/consumer-groups/gc/members/m/heartbeat -d '{"topic":"t"}'
    done
    api DELETE /api/v1/consumer-groups/gc/members/m
    api POST /api/v1/consumer-groups/gc/offsets -d "{\"offsets\":[$good,{\"topic\":\"t\",\"partition\":1,\"offset\":0}]}"
    assert_equal "$HTTP_STATUS" 200
    api POST /api/v1/consumer-groups/gc/offsets -d '{"offsets":[{"topic":"t","partition":0,"offset":30}]}'
    assert_equal "$HTTP_STATUS" 200  # the log end itself is fine: nothing left to read
    # The group then reads what comes next instead of waiting past the end.
    seq 31 32 | gafka-produce --topic t --partition 0
    read_all gc t
    assert_output "$(seq 31 32)"
}

@test "a HEAD on a group consume is refused with 405 and takes, commits and joins nothing" {
    create_topic t 1
    seq 1 10 | gafka-produce --topic t
    local q="/api/v1/consume?topic=t&group_id=gh&consumer_id=c1&count=5"
    run curl -sI "$BROKER_URL$q"
    [[ $output == "HTTP/1.1 405"* ]] || fail "$output"
    [[ $output == *$'\nAllow: GET\r'* ]] || fail "$output"
    # Joins and heartbeats are POSTs: a HEAD there is 405 too, and does nothing.
    run curl -sI "$BROKER_URL/api/v1/consumer-groups/gh/members/c1/heartbeat"
    [[ $output == "HTTP/1.1 405"* ]] || fail "$output"
    group_status gh
    assert_equal "$HTTP_STATUS" 404  # no member joined
    api GET "$q"
    assert_equal "$(jq -c '[.records[].value]' <<<"$HTTP_BODY")" '["1","2","3","4","5"]'
}

@test "a HEAD on a plain consume answers as the GET would and serves no records" {
    create_topic t 1
    seq 1 10 | gafka-produce --topic t
    local q="$BROKER_URL/api/v1/consume?topic=t&partition=0&offset=0&count=5"
    run curl -sI "$q"
    [[ $output == "HTTP/1.1 200"* ]] || fail "$output"
    local length
    length=$(tr -d '\r' <<<"$output" | sed -n 's/^Content-Length: //p')
    assert_equal "$length" "$(curl -s "$q" | wc -c)"
    # Only the GET served records.
    assert_equal "$(curl -s "$BROKER_URL/metrics" | sed -n 's/^gafka_records_out_total{topic="t"} //p')" 5
}
