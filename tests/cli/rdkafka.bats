#!/usr/bin/env bats
# librdkafka's C API against gafka's Kafka port (issue 18): a producer with
# acks=all, and a consumer group of two members that rebalances when one
# leaves. The client is tests/kafka/rdkafka_client.c, built here with cc
# when pkg-config finds rdkafka (librdkafka-dev): a test-only program, kept
# out of the CMake build so the broker's builds (sanitizers, fuzzing) do not
# need librdkafka.

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
    CLIENT=$BATS_FILE_TMPDIR/rdkafka_client
    export CLIENT
    pkg-config --exists rdkafka || return 0
    # shellcheck disable=SC2046  # the flags are words
    cc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O1 -o "$CLIENT" \
        "$BATS_TEST_DIRNAME/../kafka/rdkafka_client.c" $(pkg-config --cflags --libs rdkafka)
}

setup() {
    [[ -x $CLIENT ]] || skip "librdkafka-dev is not installed (pkg-config rdkafka)"
}

teardown() {
    stop_all_brokers
}

# client ARGS...: the client against the test broker's Kafka port, bounded.
client() {
    timeout 120 "$CLIENT" "$1" "127.0.0.1:$BROKER_KAFKA_PORT" "${@:2}"
}

@test "a librdkafka producer with acks=all gets every record's offset, and gafka-consume reads them there" {
    start_broker
    create_topic acked 3
    run --separate-stderr client produce acked 30
    assert_success
    assert_equal "${#lines[@]}" 30
    # "produced PARTITION OFFSET KEY", as gafka-consume sees the records.
    assert_equal "$(sort <<<"$output")" \
        "$(gafka-consume --topic acked --from-beginning --exit-at-end | jq -r '"produced \(.partition) \(.offset) \(.key)"' | sort)"
    assert_equal "$(gafka-consume --topic acked --from-beginning --exit-at-end |
        jq -r 'select(.value != ("v" + .headers.n) or .key != ("k" + .headers.n)) | .offset')" ""
    # Spread by key over every partition.
    assert_equal "$(log_end_offsets acked | jq -c '[add, all(. > 0)]')" '[30,true]'
    stop_broker
    assert_equal "$BROKER_STATUS" 0
}

# group_of_two TOPIC GROUP [STRATEGY]: the client's rebalance run (a group of
# two sharing 4 partitions, then member 2 leaves) with that
# partition.assignment.strategy, and what it must have read: every record
# once, at the offset it was acknowledged at, across the leave.
group_of_two() {
    local topic=$1 group=$2
    start_broker
    create_topic "$topic" 4
    run --separate-stderr client rebalance "$topic" "$group" 4 40 ${3:+"$3"}
    ((status == 0)) || fail "exit $status: $stderr"
    # Before the leave the members share the partitions, each once (each
    # member's last assignment then; the first to join had them all).
    local before after
    before=$(sed -n '/^left 2$/q; /^assigned /p' <<<"$output")
    before=$(grep '^assigned 1 ' <<<"$before" | tail -1; grep '^assigned 2 ' <<<"$before" | tail -1)
    assert_equal "$(wc -l <<<"$before")" 2
    assert_equal "$(awk '{ for (i = 3; i <= NF; i++) print $i }' <<<"$before" | sort -n | paste -sd' ')" '0 1 2 3'
    after=$(sed -n '/^left 2$/,/^closing 1$/p' <<<"$output")
    assert_equal "$(grep '^assigned' <<<"$after" | sort -u)" 'assigned 1 0 1 2 3'
    # Every record produced (k1..k80) read once, at the offset it was
    # acknowledged at; the 40 produced after the leave by member 1.
    assert_equal "$(grep -c '^produced ' <<<"$output")" 80
    assert_equal "$(grep '^read ' <<<"$output" | awk '{ print "produced", $3, $4, $5 }' | sort)" \
        "$(grep '^produced ' <<<"$output" | sort)"
    assert_equal "$(grep '^read ' <<<"$output" | awk '$6 != "v" substr($5, 2)')" ""
    assert_equal "$(grep '^read ' <<<"$after" | awk '$2 != 1 || substr($5, 2) <= 40')" ""
    assert_equal "$(grep -c '^read ' <<<"$after")" 40
    # ListGroups and DescribeGroups (rd_kafka_list_groups) while both were
    # in: stable, with the assignor asked for, each member's client id and
    # host, and the assignment the leader gave it.
    assert_equal "$(grep -E '^(group|member) ' <<<"$output" | sort)" \
        "$(printf '%s\n' "group Stable consumer ${3:-range}" 'member member-1 /127.0.0.1' 'member member-2 /127.0.0.1')"
    # Member 2 read some of the first 40 before it left.
    sed -n '1,/^left 2$/p' <<<"$output" | grep -q '^read 2 ' || fail "$output"
    # Its committed offsets cover the whole topic.
    assert_equal "$(gafka-admin describe-group --group "$group" | jq .total_lag)" 0
    stop_broker
    assert_equal "$BROKER_STATUS" 0
}

@test "a librdkafka group of two (range) rebalances when one leaves: the survivor gets every partition and reads what comes next" {
    group_of_two work crew range
}

@test "a librdkafka group of two with the roundrobin assignor reads every record once across a leave" {
    group_of_two rounds rr-crew roundrobin
}

@test "a librdkafka group of two with cooperative-sticky rebalances incrementally and reads every record once across a leave" {
    group_of_two sticky sticky-crew cooperative-sticky
    # Incremental: when member 2 joined, member 1 gave back only the two
    # partitions that moved (an eager protocol takes back all four).
    assert_equal "$(sed -n '/^left 2$/q; /^revoked 1 /p' <<<"$output" | awk '{ print NF - 2 }' | sort -u)" 2
}
