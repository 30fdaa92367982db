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
