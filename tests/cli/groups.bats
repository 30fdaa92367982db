#!/usr/bin/env bats
# Consumer groups with real brokers and real gafka-consume processes: the
# original design's five calls, partition sharing, failover after kill -9,
# committed offsets across restarts. Every process started here is stopped
# in teardown (helpers.bash stops the brokers).

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

MEMBERS=()

teardown() {
    local pid
    for pid in "${MEMBERS[@]}"; do kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    stop_all_brokers
}

# start_member ID OUTFILE [FLAGS...]: a group member in the background.
start_member() {
    local id=$1 out=$2
    shift 2
    gafka-consume --topic g6 --group grp --consumer-id "$id" "$@" >"$out" 2>"$out.err" </dev/null 3>&- &
    MEMBERS+=("$!")
}

lines_total() { (( $(cat "$@" | wc -l) == WANT )); }
group_owners() { [[ $(api_json /api/v1/consumer-groups/grp/status | jq -c '[.members[] | (.assignment | length)] | sort') == "$1" ]]; }
api_json() { curl -s "$BROKER_URL$1"; }

@test "the five calls of the original design answer 2xx with the documented JSON" {
    start_broker
    local b=$BROKER_URL
    for i in $(seq 1 120); do echo "{\"value\":\"m$i\"}"; done |
        curl -sf -X POST "$b/api/v1/produce?topic=test-topic" -H "Content-Type: application/x-ndjson" --data-binary @- >/dev/null
    run curl -sf -X POST "$b/api/v1/produce" -H "Content-Type: application/json" \
        -d '{"topic":"test-topic","key":"user123","value":"Hello World"}'
    assert_success
    assert_equal "$(jq -c . <<<"$output")" '{"topic":"test-topic","partition":0,"offset":120}'
    run curl -sf "$b/api/v1/consume?topic=test-topic&count=10&consumer_id=consumer-1&group_id=test-group&timeout=30s"
    assert_success
    assert_equal "$(jq -c '[.group_id, .consumer_id, .generation, (.records | length), .records[0].value]' <<<"$output")" \
        '["test-group","consumer-1",1,10,"m1"]'
    run curl -sf "$b/api/v1/consume?topic=test-topic&partition=0&offset=100&count=10&timeout=30s"
    assert_success
    assert_equal "$(jq -c '[.partition, .records[0].offset, (.records | length), .next_offset]' <<<"$output")" '[0,100,10,110]'
    run curl -sf "$b/api/v1/consumer-groups/test-group/status"
    assert_success
    assert_equal "$(jq -c '[.group_id, .members[0].consumer_id, .partitions[0].log_end_offset]' <<<"$output")" \
        '["test-group","consumer-1",121]'
    run curl -sf -X POST "$b/api/v1/consumer-groups/test-group/members/consumer-1/heartbeat"
    assert_success
    assert_equal "$(jq -c '[.generation, .assignment]' <<<"$output")" '[1,[{"topic":"test-topic","partition":0}]]'
}

@test "two members split six partitions three and three and read every record exactly once" {
    start_broker
    create_topic g6 6
    start_member a "$BATS_TEST_TMPDIR/a.out"
    start_member b "$BATS_TEST_TMPDIR/b.out"
    wait_until group_owners '[3,3]'
    seq 1 600 | gafka-produce --topic g6 --batch-size 10
    WANT=600
    wait_until lines_total "$BATS_TEST_TMPDIR/a.out" "$BATS_TEST_TMPDIR/b.out"
    kill -TERM "${MEMBERS[@]}"
    for pid in "${MEMBERS[@]}"; do wait "$pid"; done
    MEMBERS=()
    # No record in both outputs, none missing, none twice.
    run bash -c "cat '$BATS_TEST_TMPDIR/a.out' '$BATS_TEST_TMPDIR/b.out' | jq -r .value | sort -n | uniq -d | wc -l"
    assert_output 0
    assert_equal "$(cat "$BATS_TEST_TMPDIR"/a.out "$BATS_TEST_TMPDIR"/b.out | jq -r .value | sort -u | wc -l)" 600
    assert_equal "$(jq -r .partition "$BATS_TEST_TMPDIR/a.out" | sort -u | wc -l)" 3
    # Both left on SIGTERM, everything committed.
    assert_equal "$(api_json /api/v1/consumer-groups/grp/status | jq -c '[.state, .total_lag]')" '["empty",0]'
}

@test "after kill -9 of one member the other takes all six partitions and every record is read" {
    start_broker
    create_topic g6 6
    start_member a "$BATS_TEST_TMPDIR/a.out"
    start_member b "$BATS_TEST_TMPDIR/b.out"
    wait_until group_owners '[3,3]'
    seq 1 300 | gafka-produce --topic g6 --batch-size 10  # batches spread over all six partitions
    WANT=300
    wait_until lines_total "$BATS_TEST_TMPDIR/a.out" "$BATS_TEST_TMPDIR/b.out"
    kill -KILL "${MEMBERS[1]}"
    seq 301 600 | gafka-produce --topic g6 --batch-size 10
    # After b's 10 s session runs out, a owns all six and reads on.
    wait_until group_owners '[6]'
    WANT=600
    wait_until bash -c "(( \$(cat '$BATS_TEST_TMPDIR/a.out' '$BATS_TEST_TMPDIR/b.out' | jq -r .value | sort -u | wc -l) == 600 ))"
    # Everything produced after the kill, on b's former partitions too, reached a.
    assert_equal "$(jq -r .value "$BATS_TEST_TMPDIR/a.out" | awk '$1 > 300' | sort -u | wc -l)" 300
}

@test "committed offsets survive a broker restart" {
    start_broker
    create_topic g6 6
    seq 1 60 | gafka-produce --topic g6 --partition 2
    run --separate-stderr gafka-consume --topic g6 --group grp --consumer-id x --max-messages 25
    assert_success
    assert_equal "$(wc -l <<<"$output")" 25
    restart_broker
    assert_equal "$(api_json /api/v1/consumer-groups/grp/status | jq -c '.partitions[] | select(.partition == 2) | [.committed_offset, .lag]')" '[25,35]'
    run --separate-stderr gafka-consume --topic g6 --group grp --consumer-id y --exit-at-end
    assert_success
    assert_equal "$(jq -s -c '[.[0].value, length]' <<<"$output")" '["26",35]'
}

@test "a group member with --exit-at-end reads what is there, commits it and leaves" {
    start_broker
    create_topic g6 6
    seq 1 100 | gafka-produce --topic g6
    run --separate-stderr gafka-consume --topic g6 --group grp --exit-at-end
    assert_success
    assert_equal "$(wc -l <<<"$output")" 100
    assert_equal "$(api_json /api/v1/consumer-groups/grp/status | jq -c '[.state, .total_lag]')" '["empty",0]'
}

@test "a commit with a stale generation or for another member's partition gets 409 with the current assignment" {
    start_broker
    create_topic g6 2
    api POST /api/v1/consumer-groups/grp/members/a/heartbeat -d '{"topic":"g6"}'
    assert_equal "$HTTP_STATUS" 200
    api POST /api/v1/consumer-groups/grp/members/b/heartbeat -d '{"topic":"g6"}'
    assert_equal "$(jq -c '[.generation, .assignment]' <<<"$HTTP_BODY")" '[2,[{"topic":"g6","partition":1}]]'
    api POST /api/v1/consumer-groups/grp/offsets -d '{"consumer_id":"a","generation":1,"offsets":[{"topic":"g6","partition":0,"offset":0}]}'
    assert_equal "$HTTP_STATUS" 409
    assert_equal "$(jq -c '.error | [.code, .generation, .assignment]' <<<"$HTTP_BODY")" '["not_owner",2,[{"topic":"g6","partition":0}]]'
    api POST /api/v1/consumer-groups/grp/offsets -d '{"consumer_id":"a","offsets":[{"topic":"g6","partition":1,"offset":0}]}'
    assert_equal "$HTTP_STATUS" 409
    api POST /api/v1/consumer-groups/grp/offsets -d '{"consumer_id":"a","generation":2,"offsets":[{"topic":"g6","partition":0,"offset":0}]}'
    assert_equal "$HTTP_STATUS" 200
}

@test "--assignor range deals contiguous runs; a member asking for roundrobin is refused with 409" {
    start_broker
    create_topic g6 6
    start_member a "$BATS_TEST_TMPDIR/a.out" --assignor range
    wait_until group_owners '[6]'  # a is the first member: it chose the strategy
    start_member b "$BATS_TEST_TMPDIR/b.out"  # follows the group's strategy
    wait_until group_owners '[3,3]'
    assert_equal "$(api_json /api/v1/consumer-groups/grp/status |
        jq -c '[.assignor, (.members[] | [.consumer_id, [.assignment[].partition]])]')" \
        '["range",["a",[0,1,2]],["b",[3,4,5]]]'
    run --separate-stderr timeout 30 gafka-consume --topic g6 --group grp --consumer-id c --assignor roundrobin \
        --exit-at-end
    assert_failure 1
    [[ $stderr == *"inconsistent_assignor"* || $stderr == *"assigns by range"* ]] || fail "stderr: $stderr"
    # c was never a member: a and b still hold three each.
    group_owners '[3,3]'
}

@test "a member id reused by a new session gets the uncommitted batch again instead of committing it" {
    start_broker
    create_topic t1 1
    seq 1 8 | gafka-produce --topic t1
    local q="$BROKER_URL/api/v1/consume?topic=t1&group_id=gs&consumer_id=w&count=5&timeout=0ms"
    run curl -sf "$q&session_id=first"
    assert_equal "$(jq -c '[.records[].offset]' <<<"$output")" '[0,1,2,3,4]'
    # "first" was killed before writing them: the next process, same id, reads them again.
    run curl -sf "$q&session_id=second"
    assert_equal "$(jq -c '[.records[].offset]' <<<"$output")" '[0,1,2,3,4]'
    # The same session asking again has processed them: they are committed and it reads on.
    run curl -sf "$q&session_id=second"
    assert_equal "$(jq -c '[.records[].offset]' <<<"$output")" '[5,6,7]'
    assert_equal "$(api_json /api/v1/consumer-groups/gs/status | jq -c '.partitions[0].committed_offset')" 5
    run curl -s "$q&session_id=bad/id"
    assert_equal "$(jq -r .error.code <<<"$output")" invalid_session
}
