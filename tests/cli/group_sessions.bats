#!/usr/bin/env bats
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
members_of() { [[ $(api_json "/api/v1/consumer-groups/$1/status" | jq -c '[.members[]?.consumer_id]') == "$2" ]]; }
ended() { [[ -s $1.rc ]]; }

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
