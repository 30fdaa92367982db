#!/usr/bin/env bats
# gafka-admin's consumer-group subcommands against a real broker and real
# gafka-consume group members: list-groups, describe-group, delete-group,
# reset-offsets (the plan, --dry-run, --to-*, --partition, refusals) and
# their exit codes. See man/gafka-admin.1 and docs/api.md ("Consumer
# groups"). Every process started here is stopped in teardown.

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

MEMBERS=()

setup() {
    start_broker
}

teardown() {
    local pid
    for pid in "${MEMBERS[@]}"; do kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    stop_all_brokers
}

# topic_with_group TOPIC PARTITIONS: the topic with records 1..10 in
# partition 0, and group g having consumed (and committed) the first five.
topic_with_group() {
    create_topic "$1" "$2"
    seq 1 10 | gafka-produce --topic "$1" --partition 0 || fail "produce failed"
    consume_group "$1" g 5
    assert_equal "$(jq -s -c 'map(.value)' <<<"$output")" '["1","2","3","4","5"]'
}

# consume_group TOPIC GROUP N: reads N records as a member of GROUP, which
# commits them and leaves; $output holds the records.
consume_group() {
    run --separate-stderr timeout 30 gafka-consume --topic "$1" --group "$2" --max-messages "$3"
    assert_success
}

# committed TOPIC: [partition, committed_offset, lag] of group g, one line
# per partition of TOPIC.
committed() {
    gafka-admin describe-group --group g |
        jq -c --arg t "$1" '.partitions[] | select(.topic == $t) | [.partition, .committed_offset, .lag]'
}

# members_of GROUP: its number of members (nothing when it is unknown).
members_of() {
    gafka-admin describe-group --group "$1" 2>/dev/null | jq '.members | length'
}

# one_member GROUP: true when GROUP has exactly one member.
one_member() {
    [[ $(members_of "$1") == 1 ]]
}

@test "list-groups prints one line per group, sorted, once a group has consumed" {
    run --separate-stderr gafka-admin list-groups
    assert_success
    assert_output ""
    topic_with_group t 1
    consume_group t a-first 1
    run --separate-stderr gafka-admin list-groups
    assert_success
    assert_equal "$stderr" ""
    assert_equal "$(jq -c '[.group_id, .members, (.generation | type)]' <<<"$output")" \
        '["a-first",0,"number"]
["g",0,"number"]'
    assert_equal "$(jq -c 'keys' <<<"${lines[0]}")" '["generation","group_id","members","protocol"]'
    assert_equal "$(jq -r .protocol <<<"$output" | sort -u)" http
}

@test "describe-group shows the committed offset, the lag and the total lag" {
    topic_with_group t 1
    run --separate-stderr gafka-admin describe-group --group g
    assert_success
    assert_equal "${#lines[@]}" 1
    assert_equal "$(jq -c '[.group_id, .state, .members, .total_lag, (.generation | type)]' <<<"$output")" \
        '["g","empty",[],5,"number"]'
    assert_equal "$(jq -c '.partitions' <<<"$output")" \
        '[{"topic":"t","partition":0,"owner":null,"committed_offset":5,"log_end_offset":10,"lag":5}]'
    # Exactly what the broker's status call answers.
    api GET /api/v1/consumer-groups/g/status
    assert_equal "$(jq -c . <<<"$output")" "$(jq -c . <<<"$HTTP_BODY")"
}

@test "lag prints the total and per-partition lag and exits 1 only when over --max-lag" {
    topic_with_group t 1  # 10 records, 5 committed
    run --separate-stderr gafka-admin lag --group g
    assert_success
    assert_output '{"group":"g","total_lag":5,"max_lag":null,"over":false,"partitions":[{"topic":"t","partition":0,"lag":5}]}'
    run --separate-stderr gafka-admin lag --group g --max-lag 5
    assert_success
    assert_equal "$(jq -c '[.total_lag, .max_lag, .over]' <<<"$output")" '[5,5,false]'
    run --separate-stderr gafka-admin lag --group g --max-lag 4
    assert_failure 1
    assert_equal "$(jq -c '[.total_lag, .max_lag, .over]' <<<"$output")" '[5,4,true]'
    [[ $stderr == *"5 records behind, over --max-lag 4"* ]] || fail "stderr: $stderr"
    run --separate-stderr gafka-admin lag --group nope --max-lag 4
    assert_failure 1
    assert_output ""
    run --separate-stderr gafka-admin lag --group g --max-lag -1
    assert_failure 2
}

@test "describe-group and delete-group of an unknown group exit 1" {
    run --separate-stderr gafka-admin describe-group --group nosuch
    assert_failure 1
    assert_output ""
    assert_regex "$stderr" '^gafka-admin: error: .*nosuch'
    run --separate-stderr gafka-admin delete-group --group nosuch
    assert_failure 1
    assert_output ""
}

@test "reset-offsets --dry-run prints the plan and changes nothing" {
    topic_with_group t 1
    before=$(gafka-admin describe-group --group g)
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-earliest --dry-run
    assert_success
    assert_output '{"group":"g","topic":"t","partition":0,"current_offset":5,"new_offset":0}'
    assert_equal "$(gafka-admin describe-group --group g)" "$before"
}

@test "reset-offsets --to-earliest applies: the group reads offset 0 again" {
    topic_with_group t 1
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-earliest
    assert_success
    assert_output '{"group":"g","topic":"t","partition":0,"current_offset":5,"new_offset":0}'
    assert_equal "$(committed t)" '[0,0,10]'
    consume_group t g 1
    assert_equal "$(jq -c '[.partition, .offset, .value]' <<<"$output")" '[0,0,"1"]'
}

@test "reset-offsets --to-latest leaves no lag" {
    topic_with_group t 1
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-latest
    assert_success
    assert_output '{"group":"g","topic":"t","partition":0,"current_offset":5,"new_offset":10}'
    assert_equal "$(gafka-admin describe-group --group g | jq -c '[.partitions[0].committed_offset, .partitions[0].lag, .total_lag]')" \
        '[10,0,0]'
}

@test "reset-offsets --to-offset 3 --partition 0 moves only partition 0" {
    topic_with_group t 2
    seq 11 14 | gafka-produce --topic t --partition 1 || fail "produce failed"
    run timeout 30 gafka-consume --topic t --group g --exit-at-end
    assert_success
    assert_equal "$(committed t)" '[0,10,0]
[1,4,0]'
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-offset 3 --partition 0
    assert_success
    assert_output '{"group":"g","topic":"t","partition":0,"current_offset":10,"new_offset":3}'
    assert_equal "$(committed t)" '[0,3,7]
[1,4,0]'
    consume_group t g 1
    assert_equal "$(jq -c '[.partition, .offset, .value]' <<<"$output")" '[0,3,"4"]'
}

@test "reset-offsets --to-offset is clamped to the log of each partition" {
    create_topic t 2
    seq 1 10 | gafka-produce --topic t --partition 0 || fail "produce failed"
    seq 11 14 | gafka-produce --topic t --partition 1 || fail "produce failed"
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-offset 7 --dry-run
    assert_success
    assert_equal "$(jq -c '[.partition, .new_offset]' <<<"$output")" '[0,7]
[1,4]'
    assert_equal "$stderr" "gafka-admin: warning: offset 7 is outside [0, 4] of t/1; using 4"
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-offset=-5 --dry-run
    assert_success
    assert_equal "$(jq -c '[.partition, .new_offset]' <<<"$output")" '[0,0]
[1,0]'
}

@test "reset-offsets of a group with nothing committed shows current_offset null" {
    create_topic t 1
    seq 1 10 | gafka-produce --topic t || fail "produce failed"
    run --separate-stderr gafka-admin reset-offsets --group fresh --topic t --to-offset 2 --dry-run
    assert_success
    assert_output '{"group":"fresh","topic":"t","partition":0,"current_offset":null,"new_offset":2}'
    run --separate-stderr gafka-admin describe-group --group fresh
    assert_failure 1
}

@test "reset-offsets needs exactly one --to-* (exit 2), and nothing changes" {
    topic_with_group t 1
    before=$(gafka-admin describe-group --group g)
    run --separate-stderr gafka-admin reset-offsets --group g --topic t
    assert_failure 2
    assert_output ""
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-earliest --to-latest
    assert_failure 2
    assert_output ""
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-latest --to-offset 1
    assert_failure 2
    assert_output ""
    assert_equal "$(gafka-admin describe-group --group g)" "$before"
}

# stamped_topic TOPIC: records "1".."10" in partition 0 stamped 1000, 2000, ..
# 10000 ms after the epoch; group g has consumed (and committed) all ten.
stamped_topic() {
    create_topic "$1" 1
    for i in $(seq 1 10); do echo "{\"value\":\"$i\",\"timestamp\":$((i * 1000))}"; done |
        gafka-produce --json --topic "$1" || fail "produce failed"
    consume_group "$1" g 10
}

@test "reset-offsets --to-time moves to the first record at or after the time, and the group reads from there" {
    stamped_topic t
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-time 1970-01-01T00:00:04.500Z --dry-run
    assert_success
    assert_output '{"group":"g","topic":"t","partition":0,"current_offset":10,"new_offset":4}'
    assert_equal "$(committed t)" '[0,10,0]'
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-time 1970-01-01T01:00:07+01:00
    assert_success
    assert_output '{"group":"g","topic":"t","partition":0,"current_offset":10,"new_offset":6}'
    consume_group t g 1
    assert_equal "$(jq -c '[.offset, .value, .timestamp]' <<<"$output")" '[6,"7",7000]'
}

@test "reset-offsets --to-time takes milliseconds and relative times; past the newest record is the end" {
    stamped_topic t
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-time 2000
    assert_output '{"group":"g","topic":"t","partition":0,"current_offset":10,"new_offset":1}'
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-time 10001
    assert_output '{"group":"g","topic":"t","partition":0,"current_offset":1,"new_offset":10}'
    # Records stamped now: an hour ago is before all of them, a minute ahead after all.
    seq 11 12 | gafka-produce --topic t || fail "produce failed"
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-time -1h --dry-run
    assert_output '{"group":"g","topic":"t","partition":0,"current_offset":10,"new_offset":10}'
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-time now --dry-run
    assert_output '{"group":"g","topic":"t","partition":0,"current_offset":10,"new_offset":12}'
}

@test "reset-offsets --to-time with a malformed time is a usage error (exit 2) and changes nothing" {
    stamped_topic t
    for bad in yesterday 2026-11-23 2026-11-23T10:00:00 -1y 2026-02-30T00:00:00Z; do
        run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-time "$bad"
        assert_failure 2
        assert_output ""
        [[ $stderr == *"invalid time '$bad'"* ]] || fail "stderr for $bad: $stderr"
    done
    assert_equal "$(committed t)" '[0,10,0]'
}

@test "the offsets endpoint answers per partition and refuses a bad time with 400" {
    stamped_topic t
    run curl -s "$BROKER_URL/api/v1/topics/t/offsets?time=3500"
    assert_equal "$(jq -c '[.topic, .time, .partitions]' <<<"$output")" '["t",3500,[{"partition":0,"offset":3}]]'
    run curl -s "$BROKER_URL/api/v1/topics/t/offsets?time=1970-01-01T00:00:01Z"
    assert_equal "$(jq -c '.partitions[0].offset' <<<"$output")" 0
    run curl -s -o /dev/null -w '%{http_code}' "$BROKER_URL/api/v1/topics/t/offsets?time=soon"
    assert_output 400
    run curl -s "$BROKER_URL/api/v1/topics/t/offsets"
    assert_equal "$(jq -r .error.code <<<"$output")" invalid_time
    run curl -s -o /dev/null -w '%{http_code}' "$BROKER_URL/api/v1/topics/nope/offsets?time=0"
    assert_output 404
}

@test "reset-offsets of an unknown topic or partition exits 1" {
    topic_with_group t 1
    run --separate-stderr gafka-admin reset-offsets --group g --topic nosuch --to-earliest
    assert_failure 1
    assert_output ""
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-earliest --partition 1
    assert_failure 1
    assert_output ""
    assert_equal "$(committed t)" '[0,5,5]'
}

@test "delete-group prints the deleted group and it is gone" {
    topic_with_group t 1
    run --separate-stderr gafka-admin delete-group --group g
    assert_success
    assert_output '{"deleted":"g"}'
    run --separate-stderr gafka-admin describe-group --group g
    assert_failure 1
    run --separate-stderr gafka-admin list-groups
    assert_success
    assert_output ""
}

@test "reset-offsets and delete-group are refused (exit 1) while a member is active" {
    topic_with_group t 1
    gafka-consume --topic t --group g --consumer-id m \
        >"$BATS_TEST_TMPDIR/m.out" 2>"$BATS_TEST_TMPDIR/m.err" </dev/null 3>&- &
    MEMBERS+=("$!")
    wait_until one_member g
    run --separate-stderr gafka-admin reset-offsets --group g --topic t --to-earliest
    assert_failure 1
    assert_output ""
    assert_regex "$stderr" '^gafka-admin: error: .*active members'
    run --separate-stderr gafka-admin delete-group --group g
    assert_failure 1
    assert_output ""
    assert_regex "$stderr" '^gafka-admin: error: .*active members'
    assert_equal "$(members_of g)" 1
    # The member read on from offset 5; nothing moved it back.
    wait_until bash -c "(( \$(wc -l <'$BATS_TEST_TMPDIR/m.out') == 5 ))"
    assert_equal "$(jq -r .value "$BATS_TEST_TMPDIR/m.out" | head -1)" 6
}

@test "the group subcommands exit 1 when no broker answers" {
    local port
    port=$BROKER_PORT
    stop_all_brokers
    for sub in list-groups "describe-group --group g" "delete-group --group g" \
        "reset-offsets --group g --topic t --to-earliest --dry-run"; do
        # shellcheck disable=SC2086  # $sub is several words on purpose
        run --separate-stderr gafka-admin $sub --broker "127.0.0.1:$port"
        assert_failure 1
        assert_output ""
    done
}
