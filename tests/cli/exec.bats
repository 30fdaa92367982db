#!/usr/bin/env bats
# gafka-consume --group --exec: per-record acknowledgement for shell
# pipelines, against a real broker. A record is committed only once the
# command exits 0 for it; a failure is retried up to --max-attempts, then
# the record goes to --dead-letter, or the run ends with exit 1 and the
# record stays uncommitted. See man/gafka-consume.1.

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

setup() {
    start_broker
    create_topic jobs 1
    OUT=$BATS_TEST_TMPDIR/done
}

teardown() {
    stop_all_brokers
}

# committed GROUP: the group's committed offset of jobs/0 (null when none).
committed() {
    curl -s "$BROKER_URL/api/v1/consumer-groups/$1/status" | jq -c '.partitions[0].committed_offset'
}

@test "--exec runs the command once per record, the record on stdin, and commits everything" {
    seq 1 20 | gafka-produce --topic jobs || fail "produce failed"
    run --separate-stderr timeout 60 gafka-consume --topic jobs --group g --exit-at-end --format value \
        --exec "read -r v; echo \"\$v \$GAFKA_TOPIC \$GAFKA_PARTITION \$GAFKA_OFFSET \$GAFKA_GROUP \$GAFKA_ATTEMPT\" >> '$OUT'"
    assert_success
    assert_output ""
    assert_equal "$(wc -l <"$OUT")" 20
    assert_equal "$(head -1 "$OUT")" "1 jobs 0 0 g 1"
    assert_equal "$(tail -1 "$OUT")" "20 jobs 0 19 g 1"
    assert_equal "$(committed g)" 20
}

@test "a record the command fails on every attempt ends the run with exit 1, uncommitted, and is delivered again" {
    printf '%s\n' ok1 ok2 bad ok3 | gafka-produce --topic jobs || fail "produce failed"
    cmd="read -r v; [ \"\$v\" != bad ] || [ -e '$BATS_TEST_TMPDIR/fixed' ] && echo \"\$v\" >> '$OUT'"
    run --separate-stderr timeout 60 gafka-consume --topic jobs --group g --exit-at-end --format value \
        --max-attempts 2 --exec "$cmd"
    assert_failure 1
    assert_equal "$(cat "$OUT")" "ok1
ok2"
    [[ $stderr == *"--exec exited 1 for jobs/0@2 (attempt 2 of 2)"* ]] || fail "stderr: $stderr"
    assert_equal "$(committed g)" 2  # ok1 and ok2 only
    # Once the command works, the next member starts at the failed record.
    touch "$BATS_TEST_TMPDIR/fixed"
    run --separate-stderr timeout 60 gafka-consume --topic jobs --group g --exit-at-end --format value --exec "$cmd"
    assert_success
    assert_equal "$(cat "$OUT")" "ok1
ok2
bad
ok3"
    assert_equal "$(committed g)" 4
}

@test "--dead-letter takes a record that failed every attempt, with where it came from, and the run goes on" {
    printf '%s\n' '{"key":"k1","value":"ok1"}' '{"key":"k2","value":"bad","headers":{"h":"x"}}' \
        '{"key":"k3","value":"ok2"}' | gafka-produce --json --topic jobs || fail "produce failed"
    run --separate-stderr timeout 60 gafka-consume --topic jobs --group g --exit-at-end --format value \
        --max-attempts 1 --dead-letter jobs-dead --exec "read -r v; [ \"\$v\" != bad ] && echo \"\$v\" >> '$OUT'"
    assert_success
    assert_equal "$(cat "$OUT")" "ok1
ok2"
    assert_equal "$(committed g)" 3
    run --separate-stderr gafka-consume --topic jobs-dead --from-beginning --exit-at-end
    assert_success
    assert_equal "$(jq -c '[.key, .value, .headers]' <<<"$output")" \
        '["k2","bad",{"h":"x","gafka.dead_letter.topic":"jobs","gafka.dead_letter.partition":"0","gafka.dead_letter.offset":"1","gafka.dead_letter.exit_status":"1","gafka.dead_letter.attempts":"1"}]'
}

@test "--exec, --max-attempts and --dead-letter are usage errors (exit 2) where they make no sense" {
    run --separate-stderr gafka-consume --topic jobs --exec true --exit-at-end
    assert_failure 2
    run --separate-stderr gafka-consume --topic jobs --group g --exec true --max-attempts 0 --exit-at-end
    assert_failure 2
    run --separate-stderr gafka-consume --topic jobs --group g --max-attempts 2 --exit-at-end
    assert_failure 2
    run --separate-stderr gafka-consume --topic jobs --group g --exec true --dead-letter 'bad/name' --exit-at-end
    assert_failure 2
    # No run got as far as joining: the group does not exist.
    assert_equal "$(curl -s -o /dev/null -w '%{http_code}' "$BROKER_URL/api/v1/consumer-groups/g/status")" 404
}
