#!/usr/bin/env bats
# gafka-consume against a real broker: the lossless round trip with
# gafka-produce --json, quiet ends under | head, output formats, where it
# starts and stops, exit codes. See man/gafka-consume.1.

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

# records TOPIC [jq filter]: every record of TOPIC, one compact JSON line
# each (through the filter, default `.`).
records() {
    gafka-consume --topic "$1" --from-beginning --exit-at-end | jq -c "${2:-.}"
}

@test "consume | produce --json copies a topic: keys, values, binary bytes, headers and timestamps" {
    create_topic a 2
    create_topic b 2
    # Records with: headers, explicit timestamps, a value and a key that are
    # not UTF-8 (base64), a tombstone, a NUL and non-ASCII text, no key.
    cat >"$BATS_TEST_TMPDIR/in.jsonl" <<'EOF'
{"key":"k1","value":"v1","headers":{"h1":"x","h2":"y"},"timestamp":1700000000000}
{"key":null,"value_b64":"3q2+7w==","timestamp":1700000000001,"partition":0}
{"key_b64":"/w==","value":"binary key","partition":1}
{"key":"t","value":null,"headers":{"reason":"deleted"}}
{"value":"nul\u0000 é ✓ \"quoted\"","timestamp":1}
EOF
    gafka-produce --json --topic a <"$BATS_TEST_TMPDIR/in.jsonl" || fail "produce to a failed"
    run --separate-stderr bash -c 'set -o pipefail
        gafka-consume --topic a --from-beginning --exit-at-end | gafka-produce --json --topic b'
    assert_success
    assert_equal "$stderr" ""
    # Field by field, per partition in offset order; topic and offset aside.
    canon='del(.topic, .offset)'
    a=$(records a "$canon" | jq -s -c 'sort_by(.partition)')
    b=$(records b "$canon" | jq -s -c 'sort_by(.partition)')
    assert_equal "$b" "$a"
    # And a holds what was produced, nothing altered.
    run jq -c '[.[] | select(.value_b64 == "3q2+7w==" and .timestamp == 1700000000001 and .key == null)] | length' <<<"$a"
    assert_output 1
    run jq -c '[.[] | select(.key_b64 == "/w==" and .value == "binary key" and .partition == 1)] | length' <<<"$a"
    assert_output 1
    run jq -c '.[] | select(.key == "k1") | [.value, .headers, .timestamp]' <<<"$a"
    assert_output '["v1",{"h1":"x","h2":"y"},1700000000000]'
    run jq -c '.[] | select(.key == "t") | [has("value"), .value, .headers]' <<<"$a"
    assert_output '[true,null,{"reason":"deleted"}]'
    run jq -c '.[] | select(.timestamp == 1) | .value' <<<"$a"
    assert_output '"nul\u0000 é ✓ \"quoted\""'
    assert_equal "$(jq length <<<"$a")" 5
}

@test "consume | head -1 exits 0 quietly although more records are left" {
    create_topic h 1
    seq 1 2000 | gafka-produce --topic h || fail "produce failed"
    # No --exit-at-end: only the closed pipe ends it (timeout bounds a hang).
    run --separate-stderr bash -c 'set -o pipefail
        timeout 20 gafka-consume --topic h --from-beginning --fetch-size 500 | head -1'
    assert_success
    assert_equal "$stderr" ""
    assert_equal "$(jq -c '[.offset, .value]' <<<"$output")" '[0,"1"]'
}

@test "--format value writes each raw value on a line, empty for a tombstone" {
    create_topic v 1
    printf '%s\n' '{"value":"a b"}' '{"value":"{\"json\":1}"}' '{"value":null}' '{"value_b64":"3q2+7w=="}' |
        gafka-produce --json --topic v || fail "produce failed"
    gafka-consume --topic v --from-beginning --exit-at-end --format value >"$BATS_TEST_TMPDIR/out" ||
        fail "consume failed"
    printf 'a b\n{"json":1}\n\n\xde\xad\xbe\xef\n' >"$BATS_TEST_TMPDIR/expected"
    cmp "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/expected" || fail "raw values differ: $(od -c "$BATS_TEST_TMPDIR/out")"
}

@test "every format writes what the DOM path writes, byte for byte: copied and rebuilt lines agree" {
    # gafka-consume copies the records of a plain read from the broker's
    # answer; the group form still parses and writes each one again
    # (man/gafka-consume.1). One partition, so both see the same order.
    create_topic same 1
    cat >"$BATS_TEST_TMPDIR/in.jsonl" <<'EOF'
{"key":"k1","value":"v1","headers":{"h1":"x","h1":"y","é":"✓"},"timestamp":1700000000000}
{"key":null,"value_b64":"3q2+7w==","timestamp":1700000000001}
{"key_b64":"/w==","value":"binary key"}
{"key":"t","value":null,"headers":{"reason":"deleted"}}
{"value":""}
{"value":"nul\u0000 é ✓ \"quoted\" back\\slash \/ tab\t nl\n cr\r \u0001\u001f\u007f \ud83d\ude00 <\/script>","timestamp":1}
{"value":"{\"json\":[1,2.5,null]}"}
EOF
    gafka-produce --json --topic same <"$BATS_TEST_TMPDIR/in.jsonl" || fail "produce failed"
    # A header that is not UTF-8 (headers_b64), through the Kafka port.
    printf 'from kafka' | timeout 60 kcat -b "127.0.0.1:$BROKER_KAFKA_PORT" -P -t same -p 0 -H "bin=$(printf '\xff\xfe')" ||
        fail "kcat failed"
    local format
    for format in json value; do
        gafka-consume --topic same --from-beginning --exit-at-end --format "$format" >"$BATS_TEST_TMPDIR/copied.$format" ||
            fail "consume --format $format failed"
        gafka-consume --topic same --group "g-$format" --exit-at-end --format "$format" \
            >"$BATS_TEST_TMPDIR/rebuilt.$format" || fail "consume --group --format $format failed"
        cmp "$BATS_TEST_TMPDIR/copied.$format" "$BATS_TEST_TMPDIR/rebuilt.$format" ||
            fail "--format $format: $(diff <(od -c "$BATS_TEST_TMPDIR/copied.$format") <(od -c "$BATS_TEST_TMPDIR/rebuilt.$format"))"
    done
    assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/copied.json")" 8
    # The escapes as rapidjson writes them, whoever wrote the line.
    run grep -cF '"value":"nul\u0000 é ✓ \"quoted\" back\\slash / tab\t nl\n cr\r \u0001\u001F'"$(printf '\x7f')"' 😀 </script>"' \
        "$BATS_TEST_TMPDIR/copied.json"
    assert_output 1
    run grep -cF '"headers_b64":{"Ymlu":"//4="}' "$BATS_TEST_TMPDIR/copied.json"
    assert_output 1
    run grep -cF '"headers":{"h1":"x","h1":"y","é":"✓"}' "$BATS_TEST_TMPDIR/copied.json"
    assert_output 1
}

@test "--max-messages N writes N records and exits 0" {
    create_topic mm 1
    seq 1 10 | gafka-produce --topic mm || fail "produce failed"
    run --separate-stderr timeout 20 gafka-consume --topic mm --from-beginning --max-messages 3
    assert_success
    assert_equal "$(jq -c .value <<<"$output" | paste -sd,)" '"1","2","3"'
}

@test "--partition with --offset N starts there and reads only that partition" {
    create_topic po 2
    seq 1 10 | gafka-produce --topic po --partition 1 || fail "produce failed"
    seq 11 20 | gafka-produce --topic po --partition 0 || fail "produce failed"
    run --separate-stderr timeout 20 gafka-consume --topic po --partition 1 --offset 7 --exit-at-end
    assert_success
    assert_equal "$(jq -c '[.partition, .offset, .value]' <<<"$output")" '[1,7,"8"]
[1,8,"9"]
[1,9,"10"]'
    run --separate-stderr timeout 20 gafka-consume --topic po --partition 1 --offset 2 --max-messages 2
    assert_success
    assert_equal "$(jq -c '[.partition, .offset]' <<<"$output" | paste -sd' ')" '[1,2] [1,3]'
}

@test "--offset at the log end with --exit-at-end writes nothing and exits 0" {
    create_topic e 1
    seq 1 5 | gafka-produce --topic e || fail "produce failed"
    run --separate-stderr timeout 20 gafka-consume --topic e --partition 0 --offset 5 --exit-at-end
    assert_success
    assert_output ""
}

@test "--from-time starts each partition at its first record at or after the time" {
    create_topic t 2
    for i in $(seq 1 8); do echo "{\"value\":\"$i\",\"partition\":$((i % 2)),\"timestamp\":$((i * 1000))}"; done |
        gafka-produce --json --topic t || fail "produce failed"
    run --separate-stderr gafka-consume --topic t --from-time 1970-01-01T00:00:05Z --exit-at-end
    assert_success
    assert_equal "$(jq -s -c 'map(.value) | sort' <<<"$output")" '["5","6","7","8"]'
    run --separate-stderr gafka-consume --topic t --partition 1 --from-time 2500 --exit-at-end
    assert_equal "$(jq -s -c 'map(.value)' <<<"$output")" '["3","5","7"]'
    run --separate-stderr gafka-consume --topic t --from-time now --exit-at-end
    assert_success
    assert_output ""
}

@test "--from-time with a malformed time or with --offset is a usage error, exit 2" {
    create_topic t 1
    run --separate-stderr gafka-consume --topic t --from-time tomorrow --exit-at-end
    assert_failure 2
    [[ $stderr == *"invalid time 'tomorrow'"* ]] || fail "stderr: $stderr"
    run --separate-stderr gafka-consume --topic t --from-time -1h --from-beginning --exit-at-end
    assert_failure 2
}

@test "--offset N without --partition is a usage error, exit 2" {
    create_topic u 1
    run --separate-stderr timeout 20 gafka-consume --topic u --offset 5
    assert_failure 2
    assert_regex "$stderr" 'partition'
}

@test "an unknown topic exits 1 and names it" {
    run --separate-stderr timeout 20 gafka-consume --topic nope --from-beginning --exit-at-end
    assert_failure 1
    assert_regex "$stderr" 'nope'
    assert_output ""
}

@test "an offset past the log end or a partition the topic lacks exits 1" {
    create_topic r 2
    seq 1 3 | gafka-produce --topic r --partition 0 || fail "produce failed"
    run --separate-stderr timeout 20 gafka-consume --topic r --partition 0 --offset 4 --exit-at-end
    assert_failure 1
    assert_regex "$stderr" 'offset 4'
    run --separate-stderr timeout 20 gafka-consume --topic r --partition 2 --from-beginning --exit-at-end
    assert_failure 1
    assert_regex "$stderr" 'partition 2'
}

@test "usage errors exit 2 with a message" {
    cases=(
        ""
        "--topic x --bogus"
        "--topic x --offset 3 --partition 0 --from-beginning"
        "--topic x --offset soon --partition 0"
        "--topic x --format xml"
        "--topic x --timeout 31s"
        "--topic x --timeout abc"
        "--topic x --max-messages abc"
        "--topic x --fetch-size 0"
        "--topic x --fetch-size 10001"
        "--topic x --broker nocolon"
    )
    for c in "${cases[@]}"; do
        # shellcheck disable=SC2086  # the case is a list of words
        run --separate-stderr timeout 20 gafka-consume $c
        [[ $status == 2 && -n $stderr ]] || fail "gafka-consume $c: exit $status, stderr '$stderr'"
    done
}
