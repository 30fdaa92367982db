#!/usr/bin/env bats
# gafka-admin against a real broker: the JSON each subcommand prints and its
# exit codes. See man/gafka-admin.1 and docs/api.md ("Topics", "Cluster").

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

@test "create-topic prints the new topic object" {
    run --separate-stderr gafka-admin create-topic --name orders --partitions 3 --retention-ms 604800000
    assert_success
    assert_equal "${#lines[@]}" 1
    assert_equal "$(jq -c 'del(.created_ms)' <<<"$output")" \
        '{"name":"orders","partitions":3,"retention_bytes":-1,"retention_ms":604800000,"compression":"producer"}'
    assert_equal "$(jq '.created_ms | type' <<<"$output")" '"number"'
    assert_equal "$stderr" ""
}

@test "list-topics prints one line per topic, sorted by name, in the create-topic form" {
    run --separate-stderr gafka-admin list-topics
    assert_success
    assert_output ""
    gafka-admin create-topic --name zeta --partitions 2 --retention-bytes 1000000 >/dev/null
    gafka-admin create-topic --name alpha >/dev/null
    run --separate-stderr gafka-admin list-topics
    assert_success
    assert_equal "$(jq -c 'del(.created_ms)' <<<"$output")" \
        '{"name":"alpha","partitions":1,"retention_bytes":-1,"retention_ms":-1,"compression":"producer"}
{"name":"zeta","partitions":2,"retention_bytes":1000000,"retention_ms":-1,"compression":"producer"}'
}

@test "describe-topic adds partition_info with offsets and sizes per partition" {
    create_topic d 2
    seq 1 5 | gafka-produce --topic d --partition 1 || fail "produce failed"
    run --separate-stderr gafka-admin describe-topic --name d
    assert_success
    assert_equal "${#lines[@]}" 1
    assert_equal "$(jq -c '[.name, .partitions, (.partition_info | length)]' <<<"$output")" '["d",2,2]'
    assert_equal "$(jq -c '.partition_info[] | [.partition, .leader, .log_start_offset, .log_end_offset, .high_watermark, .segments]' <<<"$output")" \
        '[0,1,0,0,0,1]
[1,1,0,5,5,1]'
    assert_equal "$(jq -c '.partition_info | map(.size_bytes > 0) ' <<<"$output")" '[false,true]'
    assert_equal "$(jq -c '.partition_info | map(has("corrupt_at_offset")) | any' <<<"$output")" false
}

@test "delete-topic prints the deleted name and the topic is gone" {
    create_topic gone 2
    gafka-produce --topic gone --message m || fail "produce failed"
    run --separate-stderr gafka-admin delete-topic --name gone
    assert_success
    assert_output '{"deleted":"gone"}'
    run --separate-stderr gafka-admin list-topics
    assert_success
    assert_output ""
    run --separate-stderr gafka-admin describe-topic --name gone
    assert_failure 1
}

@test "metadata lists the broker, the controller and every partition's leader, replicas and isr" {
    create_topic m 2
    run --separate-stderr gafka-admin metadata
    assert_success
    # The replication fields (role, lag, ...) are checked in replication.bats.
    assert_equal "$(jq -c 'del(.role, .leader_epoch) | .topics[].partitions[] |= del(.log_end_offset, .high_watermark, .followers)' <<<"$output")" \
        "{\"brokers\":[{\"id\":1,\"host\":\"127.0.0.1\",\"port\":$BROKER_PORT}],\"controller_id\":1,\"topics\":[{\"name\":\"m\",\"partitions\":[{\"partition\":0,\"leader\":1,\"leader_epoch\":0,\"replicas\":[1],\"isr\":[1]},{\"partition\":1,\"leader\":1,\"leader_epoch\":0,\"replicas\":[1],\"isr\":[1]}]}]}"
}

@test "partition-for prints topic, key, partition and partition count" {
    create_topic p 3
    run --separate-stderr gafka-admin partition-for --topic p --key user123
    assert_success
    assert_equal "$(jq -c '[.topic, .key, .partitions, (.partition | . >= 0 and . < 3)]' <<<"$output")" '["p","user123",3,true]'
}

@test "creating a topic twice exits 1, and 0 with --if-not-exists without changing it" {
    create_topic twice 2
    before=$(gafka-admin describe-topic --name twice)
    run --separate-stderr gafka-admin create-topic --name twice --partitions 2
    assert_failure 1
    assert_regex "$stderr" 'already exists'
    run --separate-stderr gafka-admin create-topic --name twice --partitions 5 --if-not-exists
    assert_success
    assert_output ""
    assert_equal "$(gafka-admin describe-topic --name twice)" "$before"
}

@test "describe, delete and partition-for of an unknown topic exit 1" {
    for sub in "describe-topic --name nope" "delete-topic --name nope" "partition-for --topic nope --key k"; do
        # shellcheck disable=SC2086  # the subcommand is a list of words
        run --separate-stderr gafka-admin $sub
        [[ $status == 1 && $stderr == *nope* && -z $output ]] || fail "gafka-admin $sub: exit $status, stderr '$stderr'"
    done
}

@test "an invalid topic name is a usage error, exit 2, with the reason" {
    for name in .. __internal 'a/b' "$(printf 'x%.0s' {1..256})"; do
        run --separate-stderr gafka-admin create-topic --name "$name"
        [[ $status == 2 && -n $stderr ]] || fail "create-topic --name $name: exit $status, stderr '$stderr'"
    done
    run --separate-stderr gafka-admin list-topics
    assert_success
    assert_output ""
}

@test "101 partitions is out of range: exit 2 from the CLI and 400 from the broker" {
    run --separate-stderr gafka-admin create-topic --name big --partitions 101
    assert_failure 2
    assert_regex "$stderr" '--partitions: 101 is not in 1\.\.100'
    api POST /api/v1/topics -H 'Content-Type: application/json' -d '{"name":"big","partitions":101}'
    assert_equal "$HTTP_STATUS" 400
    assert_equal "$(jq -r .error.code <<<"$HTTP_BODY")" too_many_partitions
    run --separate-stderr gafka-admin list-topics
    assert_success
    assert_output ""
}

@test "usage errors exit 2 with a message" {
    cases=(
        ""
        "frobnicate"
        "create-topic"
        "create-topic --name x --partitions 0"
        "create-topic --name x --partitions abc"
        "create-topic --name x --bogus"
        "describe-topic"
        "delete-topic"
        "partition-for --topic x"
        "partition-for --key k"
        "list-topics --broker nocolon"
    )
    for c in "${cases[@]}"; do
        # shellcheck disable=SC2086  # the case is a list of words
        run --separate-stderr gafka-admin $c
        [[ $status == 2 && -n $stderr ]] || fail "gafka-admin $c: exit $status, stderr '$stderr'"
    done
}

# --- alter-topic: adding partitions ---

@test "alter-topic grows a topic; old records stay, the new partitions start empty" {
    create_topic grow 2
    seq 1 3 | gafka-produce --topic grow --partition 1 || fail "produce failed"
    run --separate-stderr gafka-admin alter-topic grow --partitions 5
    assert_success
    assert_output '{"name":"grow","partitions":5}'
    assert_equal "$stderr" ""
    assert_equal "$(log_end_offsets grow)" '[0,3,0,0,0]'
    gafka-produce --topic grow --partition 4 --message new || fail "produce to a new partition failed"
    run --separate-stderr gafka-consume --topic grow --partition 4 --offset 0 --exit-at-end --format value
    assert_success
    assert_output new
    # --name works as well as the argument.
    run --separate-stderr gafka-admin alter-topic --name grow --partitions 6
    assert_success
    assert_equal "$(jq .partitions <<<"$output")" 6
}

@test "alter-topic to the same or fewer partitions exits 1 with the count, and nothing changes" {
    create_topic keep 3
    before=$(gafka-admin describe-topic --name keep)
    json=$(<"$BROKER_DATA/topics/keep/topic.json")
    for n in 3 2; do
        run --separate-stderr gafka-admin alter-topic keep --partitions "$n"
        assert_failure 1
        assert_regex "$stderr" "has 3 partitions; partitions can only be added"
        assert_output ""
    done
    api POST /api/v1/topics/keep/partitions -H 'Content-Type: application/json' -d '{"partitions":1}'
    assert_equal "$HTTP_STATUS" 400
    assert_equal "$(jq -r .error.code <<<"$HTTP_BODY")" invalid_partitions
    for body in '{"partitions":101}' '{"partitions":"4"}' '{}' '{"partitions":4,"extra":1}' 'nope'; do
        api POST /api/v1/topics/keep/partitions -H 'Content-Type: application/json' -d "$body"
        assert_equal "$HTTP_STATUS" 400
    done
    assert_equal "$(gafka-admin describe-topic --name keep)" "$before"
    assert_equal "$(<"$BROKER_DATA/topics/keep/topic.json")" "$json"
    [[ ! -e $BROKER_DATA/topics/keep/3 ]] || fail "a refused alter-topic created partition dir 3"
}

@test "alter-topic of an unknown topic exits 1 (404), and bad arguments exit 2" {
    run --separate-stderr gafka-admin alter-topic nope --partitions 4
    assert_failure 1
    assert_regex "$stderr" "unknown topic 'nope'"
    api POST /api/v1/topics/nope/partitions -H 'Content-Type: application/json' -d '{"partitions":4}'
    assert_equal "$HTTP_STATUS" 404
    assert_equal "$(jq -r .error.code <<<"$HTTP_BODY")" unknown_topic
    for c in "alter-topic" "alter-topic x" "alter-topic --partitions 3" "alter-topic x --partitions 101" \
        "alter-topic x --partitions 1" "alter-topic .. --partitions 3"; do
        # shellcheck disable=SC2086  # the case is a list of words
        run --separate-stderr gafka-admin $c
        [[ $status == 2 && -n $stderr ]] || fail "gafka-admin $c: exit $status, stderr '$stderr'"
    done
    run --separate-stderr gafka-admin list-topics
    assert_output ""
}

@test "added partitions survive a restart and gafka-walcheck accepts them" {
    create_topic durable 1
    gafka-produce --topic durable --message before || fail "produce failed"
    gafka-admin alter-topic durable --partitions 4 >/dev/null || fail "alter-topic failed"
    gafka-produce --topic durable --partition 3 --message after || fail "produce failed"
    restart_broker
    assert_equal "$(gafka-admin describe-topic --name durable | jq .partitions)" 4
    assert_equal "$(log_end_offsets durable)" '[1,0,0,1]'
    stop_broker
    run --separate-stderr gafka-walcheck "$BROKER_DATA"
    assert_success
    assert_equal "$(jq -s -c '[.[] | select(.topic == "durable") | .partition] | unique' <<<"$output")" '[0,1,2,3]'
}

@test "after alter-topic, keyed records go to hash(key) % the new count; old ones stay" {
    create_topic keyed 1
    gafka-produce --topic keyed --key-separator : <<<"user7:old" || fail "produce failed"
    gafka-admin alter-topic keyed --partitions 7 >/dev/null || fail "alter-topic failed"
    want=$(gafka-admin partition-for --topic keyed --key user7 | jq -c '[.partitions, .partition]')
    [[ $(jq ".[1]" <<<"$want") != 0 ]] || fail "user7 hashes to partition 0 of 7, which proves nothing: pick another key"
    gafka-produce --topic keyed --key-separator : <<<"user7:new" || fail "produce failed"
    run --separate-stderr gafka-consume --topic keyed --from-beginning --exit-at-end
    assert_success
    assert_equal "$(jq -s -c 'map([.partition, .value])' <<<"$output" | jq -c 'sort')" \
        "$(jq -c --argjson p "$(jq '.[1]' <<<"$want")" -n '[[0,"old"],[$p,"new"]]')"
    assert_equal "$(jq '.[0]' <<<"$want")" 7
}
