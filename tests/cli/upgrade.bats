#!/usr/bin/env bats
# A data dir written by gafka 0.1 (batch magic 1, tests/cli/data/magic1)
# opens with this release: walcheck reads it as it is, the broker rewrites
# each segment as magic 2 (Kafka's RecordBatch v2) once, and serves the same
# records at the same offsets with the group's offsets kept.

bats_require_minimum_version 1.5.0

load helpers

setup() {
    FIXTURE=$REPO/tests/cli/data/magic1
    BROKER_DATA=$BATS_TEST_TMPDIR/data
    cp -r "$FIXTURE/data" "$BROKER_DATA"
}

teardown() {
    stop_all_brokers
}

# magic_of FILE: the byte where a magic-2 batch keeps its magic (16).
magic_of() {
    od -An -tu1 -j16 -N1 "$1" | tr -d ' '
}

read_all() {
    local p
    for p in 0 1; do
        gafka-consume --topic legacy --partition "$p" --from-beginning --exit-at-end || return 1
    done
}

@test "gafka-walcheck checks a magic-1 data dir as it is, without changing it" {
    run --separate-stderr gafka-walcheck --dump "$BROKER_DATA"
    assert_success
    [[ $(magic_of "$BROKER_DATA/topics/legacy/1/00000000000000000012.log") != 2 ]]
    # --dump reads the records out of the magic-1 batches.
    assert_equal "$(grep -c '"topic":"legacy"' <<<"$output")" 33
    assert_output --partial '"value_b64":"AP8Q/w=="'
}

@test "the broker serves a magic-1 data dir: same records, same offsets, group offsets kept" {
    start_broker
    run read_all
    assert_success
    assert_equal "$output" "$(cat "$FIXTURE/records.jsonl")"
    run gafka-admin describe-group --group readers
    assert_success
    assert_equal "$(jq -c '[.partitions[] | .committed_offset]' <<<"$output")" "[7,13]"
    grep -q "rewrote .* magic-1 batch(es)" "$BROKER_LOG" || fail "no rewrite logged: $(cat "$BROKER_LOG")"
    local f
    for f in "$BROKER_DATA"/topics/legacy/*/*.log "$BROKER_DATA"/groups/offsets/*.log; do
        assert_equal "$(magic_of "$f")" 2
    done
}

@test "after the rewrite new records follow the old ones, and a restart and walcheck find everything" {
    start_broker
    gafka-produce --topic legacy --partition 1 --message "after the upgrade"
    stop_broker
    run --separate-stderr gafka-walcheck "$BROKER_DATA"
    assert_success
    start_broker
    run gafka-consume --topic legacy --partition 1 --offset 26 --exit-at-end
    assert_success
    assert_equal "$(jq -r '"\(.offset) \(.value)"' <<<"$output")" "26 after the upgrade"
    run read_all
    assert_success
    assert_equal "$(head -33 <<<"$output")" "$(cat "$FIXTURE/records.jsonl")"
    # Started a second time, nothing is left to rewrite.
    ! grep -q "rewrote" "$BROKER_LOG"
}

@test "a magic-1 segment damaged mid-log is refused with the repair to run, not rewritten" {
    local seg=$BROKER_DATA/topics/legacy/1/00000000000000000000.log
    # Flip a byte inside the first batch's records: the batches after it are valid.
    printf '\xff' | dd of="$seg" bs=1 seek=70 conv=notrunc status=none
    local before
    before=$(cksum <"$seg")
    run --separate-stderr gafka-walcheck "$BROKER_DATA/topics/legacy/1"
    assert_failure
    start_broker
    assert_equal "$(cksum <"$seg")" "$before"
    grep -q "magic-1 segment damaged at position 0 (crc mismatch); gafka-walcheck --repair" "$BROKER_LOG" ||
        fail "$(cat "$BROKER_LOG")"
    # The topic is set aside as damaged (docs/operations.md), the broker serves the rest.
    run curl -s -o /dev/null -w '%{http_code}' "$BROKER_URL/api/v1/topics/legacy"
    assert_output 503
}
