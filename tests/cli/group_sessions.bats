#!/usr/bin/env bats
# One consumer id, two client processes: the newer fences the older (the
# broker refuses the older session with 409 fenced_member, gafka-consume
# exits 1 saying so), and nothing is read twice while both run. And
# --exit-at-end waits for a partition its previous owner is still handing
# over instead of exiting with records unread. Real brokers, real
# gafka-consume processes; every process started here is stopped in
# teardown (helpers.bash stops the brokers).

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

# start_member OUTFILE FLAGS...: a gafka-consume in the background; its
# exit status goes to OUTFILE.rc when it ends.
start_member() {
    local out=$1
    shift
    (
        set +e  # bats runs with -e: keep the subshell alive to record the status
        gafka-consume "$@" >"$out" 2>"$out.err" </dev/null
        echo $? >"$out.rc"
    ) 3>&- &
    MEMBERS+=("$!")
}

api_json() { curl -s "$BROKER_URL$1"; }
lines_in() { [[ -f $1 ]] && (($(wc -l <"$1") == $2)); }
members_of() { [[ $(api_json "/api/v1/consumer-groups/$1/status" | jq -c '[.members[]?.consumer_id]') == "$2" ]]; }
lag_of() { [[ $(api_json "/api/v1/consumer-groups/$1/status" | jq -c .total_lag) == "$2" ]]; }
ended() { [[ -s $1.rc ]]; }

@test "a second gafka-consume with the same --consumer-id fences the first, which exits 1; every record is read once" {
    start_broker
    create_topic t3 3
    local a=$BATS_TEST_TMPDIR/a.out b=$BATS_TEST_TMPDIR/b.out
    start_member "$a" --topic t3 --group g --consumer-id x
    seq 1 500 | gafka-produce --topic t3 --batch-size 10
    wait_until lines_in "$a" 500
    wait_until lag_of g 0  # a asked for more: everything it wrote is committed
    start_member "$b" --topic t3 --group g --consumer-id x
    wait_until ended "$a"
    assert_equal "$(<"$a.rc")" 1
    run cat "$a.err"
    assert_output --partial "gafka-consume: error: fenced: another process joined group 'g' with --consumer-id x"
    seq 501 1000 | gafka-produce --topic t3 --batch-size 10
    wait_until lines_in "$b" 500
    # b is the member x now, read on from where a stopped, and nothing was read twice.
    members_of g '["x"]'
    assert_equal "$(jq -r .value "$b" | sort -n | head -1)" 501
    assert_equal "$(cat "$a" "$b" | jq -r .value | sort -n | uniq -d | wc -l)" 0
    assert_equal "$(cat "$a" "$b" | jq -r .value | sort -u | wc -l)" 1000
}

@test "the fenced session's long poll in flight answers 409 fenced_member; its heartbeat, HEAD, commit and leave change nothing" {
    start_broker
    create_topic t1 1
    local q="$BROKER_URL/api/v1/consume?topic=t1&group_id=g&consumer_id=w&count=10"
    # "one" waits for records; "two", the same member id, takes over meanwhile.
    curl -s -o "$BATS_TEST_TMPDIR/one.json" -w '%{http_code}' "$q&timeout=20s&session_id=one" \
        >"$BATS_TEST_TMPDIR/one.status" 3>&- &
    MEMBERS+=("$!")
    wait_until members_of g '["w"]'
    run curl -sf "$q&timeout=0ms&session_id=two"
    assert_success
    seq 1 5 | gafka-produce --topic t1
    wait_until test -s "$BATS_TEST_TMPDIR/one.status"
    assert_equal "$(<"$BATS_TEST_TMPDIR/one.status")" 409
    assert_equal "$(jq -r .error.code "$BATS_TEST_TMPDIR/one.json")" fenced_member
    # The records go to "two" alone.
    run curl -sf "$q&timeout=0ms&session_id=two"
    assert_equal "$(jq -c '[.records[].value]' <<<"$output")" '["1","2","3","4","5"]'
    # Whatever "one" sends now is refused and changes nothing.
    api POST "/api/v1/consumer-groups/g/members/w/heartbeat?session_id=one"
    assert_equal "$HTTP_STATUS $(jq -r .error.code <<<"$HTTP_BODY")" "409 fenced_member"
    run curl -s -o /dev/null -w '%{http_code}' -I "$q&timeout=0ms&session_id=one"
    assert_output 405  # as any HEAD of a group consume: it would take records
    api POST "/api/v1/consumer-groups/g/offsets?session_id=one" \
        -d '{"consumer_id":"w","offsets":[{"topic":"t1","partition":0,"offset":1}]}'
    assert_equal "$HTTP_STATUS $(jq -r .error.code <<<"$HTTP_BODY")" "409 fenced_member"
    api DELETE "/api/v1/consumer-groups/g/members/w?session_id=one"
    assert_equal "$HTTP_STATUS $(jq -r .error.code <<<"$HTTP_BODY")" "409 fenced_member"
    members_of g '["w"]'
    # "two" asking again commits what it got; calls without a session still work.
    run curl -sf "$q&timeout=0ms&session_id=two"
    assert_equal "$(api_json /api/v1/consumer-groups/g/status | jq -c '.partitions[0].committed_offset')" 5
    api POST /api/v1/consumer-groups/g/members/w/heartbeat
    assert_equal "$HTTP_STATUS" 200
}

@test "an --exec member fenced while its command runs stops before the next record" {
    start_broker
    create_topic t1 1
    seq 1 3 | gafka-produce --topic t1
    local a=$BATS_TEST_TMPDIR/a.out b=$BATS_TEST_TMPDIR/b.out ran=$BATS_TEST_TMPDIR
    # a's command outlasts its heartbeats (every 3 s), which is where a hears of b.
    start_member "$a" --topic t1 --group g --consumer-id x --format value --exec "cat >>'$ran/a.ran'; sleep 7"
    wait_until test -s "$ran/a.ran"
    start_member "$b" --topic t1 --group g --consumer-id x --format value --exec "cat >>'$ran/b.ran'"
    wait_until ended "$a"
    assert_equal "$(<"$a.rc")" 1
    run cat "$a.err"
    assert_output --partial "gafka-consume: error: fenced:"
    assert_equal "$(paste -sd, "$ran/a.ran")" 1  # records 2 and 3 were left to b
    wait_until lines_in "$ran/b.ran" 3
}

@test "a gafka-consume restarted after kill -9 with the same --consumer-id takes over at once and gets the old batch again" {
    start_broker
    create_topic t1 1
    seq 1 20 | gafka-produce --topic t1
    # A process that got a batch and was killed before writing it.
    run curl -sf "$BROKER_URL/api/v1/consume?topic=t1&group_id=g&consumer_id=x&count=8&timeout=0ms&session_id=killed"
    assert_equal "$(jq -c '.records | length' <<<"$output")" 8
    # Its member is still in the group (its session has not run out): the new one needs no wait.
    run --separate-stderr timeout 60 gafka-consume --topic t1 --group g --consumer-id x --exit-at-end
    assert_success
    assert_equal "$(jq -r .value <<<"$output" | paste -sd,)" "$(seq 1 20 | paste -sd,)"
}

@test "--exit-at-end with --group waits for a partition being handed over, then reads it to the end" {
    start_broker
    create_topic t2 2
    seq 1 50 | gafka-produce --topic t2 --partition 0
    seq 51 100 | gafka-produce --topic t2 --partition 1
    local q="$BROKER_URL/api/v1/consume?topic=t2&group_id=g&consumer_id=a&timeout=0ms&session_id=a1"
    # a owns both partitions and holds an uncommitted batch: all of 0 and 1/0..9.
    run curl -sf "$q&count=60"
    assert_equal "$(jq -c '[(.records | length), .records[-1].value]' <<<"$output")" '[60,"60"]'
    local b=$BATS_TEST_TMPDIR/b.out
    start_member "$b" --topic t2 --group g --consumer-id b --exit-at-end --timeout 30s
    wait_until members_of g '["a","b"]'  # b got partition 1, which a still hands over
    ! ended "$b" || fail "b ended before the hand-over: $(cat "$b.err")"
    # a asks again: its batch is processed and committed, the hand-over ends.
    run curl -sf "$q&count=1"
    wait_until ended "$b"
    assert_equal "$(<"$b.rc")" 0
    assert_equal "$(jq -r .value "$b" | paste -sd,)" "$(seq 61 100 | paste -sd,)"
}

@test "--exit-at-end with --group exits 1 when a hand-over outlasts --timeout" {
    start_broker
    create_topic t2 2
    seq 1 10 | gafka-produce --topic t2 --partition 1
    # a holds an uncommitted batch of partition 1 and a 60 s session.
    api POST /api/v1/consumer-groups/g/members/a/heartbeat -d '{"topic":"t2","session_timeout_ms":60000}'
    run curl -sf "$BROKER_URL/api/v1/consume?topic=t2&group_id=g&consumer_id=a&count=5&timeout=0ms"
    assert_equal "$(jq -c '.records | length' <<<"$output")" 5
    run --separate-stderr timeout 60 gafka-consume --topic t2 --group g --consumer-id b --exit-at-end --timeout 1s
    assert_failure 1
    assert_output ""
    [[ $stderr == *"gafka-consume: error: --exit-at-end: t2/1 is still being handed over"* ]] || fail "stderr: $stderr"
    members_of g '["a"]'  # b left
}
