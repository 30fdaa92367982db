#!/usr/bin/env bats
# The fault harness (scripts/fault, issue #8): its checker is tested on logs
# with known faults, the write/fsync failure shim fails what it should, a
# log works again once a full disk is freed while a failed fsync keeps it
# failed until a restart (issue 17), and a short seeded campaign of kill -9,
# pauses, torn and damaged tails and I/O
# failures loses, duplicates, reorders and corrupts nothing acknowledged, nor
# does a short failover campaign (scripts/fault/failover.sh) on a leader and a
# follower, nor one on three brokers coordinated through etcd
# (scripts/fault/cluster.sh, with a group consumer reading through the faults
# and its committed offsets sampled; it needs etcd, which scripts/setup.sh
# installs).
# The long campaigns are `scripts/fault/campaign.sh --runs N --seed S`,
# `scripts/fault/failover.sh --runs N --seed S` and `scripts/fault/cluster.sh
# --runs N --seed S`.

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

SHIM=$BIN/../fault/libgafka_fail_io.so

teardown() {
    stop_all_brokers
}

@test "the checker reports a lost, a duplicated, a reordered record and each other fault (its unit tests)" {
    run python3 "$REPO/tests/fault/checker_test.py"
    assert_success
}

@test "the checker's command line prints the counts and exits 1 on a lost record" {
    dir=$BATS_TEST_TMPDIR
    python3 - "$REPO/scripts/fault" "$dir" <<'EOF'
import json, random, sys
sys.path.insert(0, sys.argv[1]); import checker
lines = checker.workload(5, 1, "x", random.Random(1))
d = sys.argv[2]
open(f"{d}/in", "w").write("\n".join(lines) + "\n")
open(f"{d}/acks", "w").write("".join(json.dumps({"line": i + 1, "partition": 0, "offset": i}) + "\n" for i in range(5)))
# Offsets 0-3 served; the acknowledged offset 4 is not.
open(f"{d}/all", "w").write("".join(json.dumps({"partition": 0, "offset": i, "value": json.loads(l)["value"]}) + "\n" for i, l in enumerate(lines[:4])))
EOF
    run --separate-stderr python3 "$REPO/scripts/fault/checker.py" --produced "$dir/in" "$dir/acks" --records "$dir/all"
    assert_failure 1
    assert_equal "$(jq -c '{lost, duplicates, reordered, gaps, bad_checksum, passed}' <<<"$output")" \
        '{"lost":1,"duplicates":0,"reordered":0,"gaps":0,"bad_checksum":0,"passed":false}'
}

# shim_refuses OPS: a broker under the shim, armed once the topic exists to
# fail every OPS (write or fsync) of its log: the produce fails, nothing is
# acknowledged, and after a restart without the shim the log end matches
# the regex $2.
shim_refuses() {
    [[ -f $SHIM ]] || fail "no shim at $SHIM"
    arm=$BATS_TEST_TMPDIR/arm
    GAFKA_FAIL_AFTER=0 GAFKA_FAIL_OPS=$1 GAFKA_FAIL_ARM=$arm LD_PRELOAD=$SHIM start_broker
    create_topic t 1
    touch "$arm"
    run --separate-stderr gafka-produce --topic t --message one --print-acks --retries 0 --timeout 5s
    assert_failure
    assert_output ""
    stop_broker
    start_broker
    ends=$(log_end_offsets t)
    [[ $ends =~ $2 ]] || fail "log end after the restart: $ends, expected $2"
}

@test "under the I/O failure shim a produce whose write fails is never acknowledged" {
    shim_refuses write '^\[0\]$'
}

@test "under the I/O failure shim a produce whose fsync fails is never acknowledged" {
    # The write reached the page cache before its fsync failed: whether the
    # unacknowledged record is there after the restart depends on whether
    # the broker cut it back (at-least-once allows either; the checker only
    # counts what was acknowledged).
    shim_refuses fsync '^\[[01]\]$'
}

# A disk that fills and is freed again: the shim fails every write to the
# data dir with ENOSPC (the first of each write loop half done, leaving part
# of a batch or of an index entry behind) while $arm exists.
disk_full_broker() {
    [[ -f $SHIM ]] || fail "no shim at $SHIM"
    arm=$BATS_TEST_TMPDIR/arm
    GAFKA_FAIL_AFTER=0 GAFKA_FAIL_OPS=write GAFKA_FAIL_ERRNO=28 GAFKA_FAIL_SHORT=1 \
        GAFKA_FAIL_PATH=$BATS_TEST_TMPDIR/data/ GAFKA_FAIL_ARM=$arm LD_PRELOAD=$SHIM start_broker "$@"
}

# values TOPIC: every value in the topic, in order, on one line.
values() {
    gafka-consume --topic "$1" --from-beginning --exit-at-end --format value | paste -sd' '
}

@test "after a full disk is freed, produce and group commits work again and nothing acknowledged is lost" {
    # Small segments and one record per batch: 24 batches of ~80 bytes fill
    # two segments, so the failed produce's roll runs into the full disk
    # (sealing the old segment fails writing its index) and ends after it.
    disk_full_broker --segment-bytes 1024
    create_topic t 1
    seq 1 24 | gafka-produce --topic t --batch-size 1 >/dev/null
    assert_equal "$(gafka-consume --topic t --group g --exit-at-end --format value | paste -sd' ')" "$(seq -s' ' 1 24)"

    touch "$arm"
    run --separate-stderr gafka-produce --topic t --message lost --print-acks --retries 0 --timeout 5s
    assert_failure
    assert_output ""
    [[ $stderr == *"No space left on device"* ]] || fail "produce stderr: $stderr"
    # The offsets log is on the same full disk: a commit fails too.
    api POST /api/v1/consumer-groups/g2/offsets -d '{"offsets":[{"topic":"t","partition":0,"offset":1}]}'
    assert_equal "$HTTP_STATUS" 503
    rm "$arm"

    seq 25 40 | gafka-produce --topic t --batch-size 1 >/dev/null
    run --separate-stderr gafka-consume --topic t --group g --exit-at-end --format value
    assert_success
    assert_equal "$(paste -sd' ' <<<"$output")" "$(seq -s' ' 25 40)"
    [[ $stderr != *"commit failed"* ]] || fail "consume stderr: $stderr"
    run --separate-stderr gafka-consume --topic t --group g --exit-at-end --format value
    assert_success
    assert_output ""  # committed: nothing delivered again

    stop_broker
    assert_equal "$BROKER_STATUS" 0
    for line in "topics/t/0: disk full, refusing appends" "groups/offsets: disk full, refusing appends" \
        "topics/t/0: appends succeed again" "groups/offsets: appends succeed again" "stopped cleanly"; do
        grep -q "$line" "$BROKER_LOG" || fail "no '$line' in: $(cat "$BROKER_LOG")"
    done
    start_broker
    assert_equal "$(values t)" "$(seq -s' ' 1 40)"
    (( $(find "$BROKER_DATA/topics/t/0" -name '*.log' | wc -l) > 2 )) || fail "no segment rolled"
    run --separate-stderr gafka-consume --topic t --group g --exit-at-end --format value
    assert_output ""
    run gafka-walcheck --quiet "$BROKER_DATA"
    assert_success
}

@test "a failed fsync leaves its log failed until a restart, and other logs and group commits work on" {
    [[ -f $SHIM ]] || fail "no shim at $SHIM"
    arm=$BATS_TEST_TMPDIR/arm
    # ENOSPC from fsync: not a full disk to wait out, the data may be lost.
    GAFKA_FAIL_AFTER=0 GAFKA_FAIL_OPS=fsync GAFKA_FAIL_ERRNO=28 GAFKA_FAIL_PATH=/topics/t/ \
        GAFKA_FAIL_ARM=$arm LD_PRELOAD=$SHIM start_broker
    create_topic t 1
    create_topic u 1
    gafka-produce --topic t --message one >/dev/null
    touch "$arm"
    run --separate-stderr gafka-produce --topic t --message two --retries 0 --timeout 5s
    assert_failure
    rm "$arm"
    run --separate-stderr gafka-produce --topic t --message three --retries 0 --timeout 5s
    assert_failure
    [[ $stderr == *"until the broker is restarted"* ]] || fail "produce stderr: $stderr"
    gafka-produce --topic u --message other >/dev/null
    run --separate-stderr gafka-consume --topic t --group g --exit-at-end --format value
    assert_success
    assert_output "one"
    [[ $stderr != *"commit failed"* ]] || fail "consume stderr: $stderr"

    stop_broker
    assert_equal "$BROKER_STATUS" 1
    ! grep -q "stopped cleanly" "$BROKER_LOG" || fail "$(cat "$BROKER_LOG")"
    grep -q "not every log closed cleanly" "$BROKER_LOG" || fail "$(cat "$BROKER_LOG")"
    start_broker
    gafka-produce --topic t --message four >/dev/null
    [[ $(values t) =~ ^one( two)?\ four$ ]] || fail "t holds: $(values t)"
    assert_equal "$(values u)" "other"
    run --separate-stderr gafka-consume --topic t --group g --exit-at-end --format value
    assert_success
    [[ $output != *one* ]] || fail "delivered again: $output"
}

@test "a short seeded campaign loses, duplicates, reorders and corrupts nothing acknowledged" {
    run --separate-stderr "$REPO/scripts/fault/campaign.sh" --runs 1 --seed 5 --faults 4 --records 4000 --bin "$BIN"
    echo "$output" "$stderr"
    assert_success
    summary=$(tail -1 <<<"$output")
    assert_equal "$(jq -c '[.failed_runs, .totals.lost, .totals.duplicates, .totals.reordered, .totals.gaps, .totals.bad_checksum, .totals.group_undelivered]' <<<"$summary")" \
        '[0,0,0,0,0,0,0]'
    (( $(jq .faults <<<"$summary") >= 3 )) || fail "too few faults injected: $summary"
}

@test "a short seeded failover campaign (follower kill -9, leader kill -9 and promote, pauses) loses nothing acknowledged" {
    run --separate-stderr "$REPO/scripts/fault/failover.sh" --runs 1 --seed 3 --faults 5 --records 1500 --bin "$BIN"
    echo "$output" "$stderr"
    assert_success
    summary=$(tail -1 <<<"$output")
    assert_equal "$(jq -c '[.failed_runs, .totals.lost, .totals.duplicates, .totals.reordered, .totals.gaps, .totals.bad_checksum]' <<<"$summary")" \
        '[0,0,0,0,0,0]'
    assert_equal "$(jq -s -c '[.[] | select(.replicas_identical == false)] | length' <<<"$output")" 0
    (( $(jq '.by_kind.failover // 0' <<<"$summary") >= 1 )) || fail "no failover injected: $summary"
}

@test "a short seeded cluster campaign (3 brokers on a 3-member etcd: kill -9, zombie leader, controller, coordinator and etcd faults) loses nothing acknowledged, and its group consumer neither" {
    command -v etcd >/dev/null || fail "etcd is not installed (scripts/setup.sh installs etcd-server)"
    run --separate-stderr "$REPO/scripts/fault/cluster.sh" --runs 1 --seed 5 --faults 4 --records 600 --bin "$BIN"
    echo "$output" "$stderr"
    assert_success
    summary=$(tail -1 <<<"$output")
    assert_equal "$(jq -c '[.failed_runs, .totals.lost, .totals.duplicates, .totals.reordered, .totals.gaps, .totals.bad_checksum]' <<<"$summary")" \
        '[0,0,0,0,0,0]'
    assert_equal "$(jq -s -c '[.[] | select(.replicas_identical == false or .in_sync == false)] | length' <<<"$output")" 0
    (( $(jq .faults <<<"$summary") >= 3 )) || fail "too few faults injected: $summary"
    # The group consumer ran through the faults: every acknowledged record
    # once, in offset order; its committed offsets, sampled, never went
    # down and agree at the end on the coordinator and every replica.
    assert_equal "$(jq -c '[.totals.consumer_lost, .totals.consumer_duplicates, .totals.consumer_reordered, .totals.consumer_mismatched, .totals.offset_regressions, .totals.offsets_disagree, .totals.consumer_exited // 0]' <<<"$summary")" \
        '[0,0,0,0,0,0,0]'
    (( $(jq .totals.consumer_records <<<"$summary") == $(jq .totals.acknowledged <<<"$summary") )) ||
        fail "the consumer wrote other than the acknowledged records: $summary"
    (( $(jq .totals.offset_samples <<<"$summary") >= 20 )) || fail "too few offset samples: $summary"
    jq -s -e 'map(select(.summary | not)) | all(.offsets_log_records > 0 and .consumer_caught_up)' <<<"$output" >/dev/null ||
        fail "the offsets topic was not compared, or the consumer did not reach the end: $output"
    # At least one leader fault, and its failover time measured.
    jq -s -e 'map(select(.summary | not)) | length > 0 and all(.failover_max_ms > 0)' <<<"$output" >/dev/null ||
        fail "no failover time: $output"
}
