#!/usr/bin/env bats
# gafka-produce against a real broker: lines in, records out, acks, keys and
# partitioning, a producer whose input stays open, bad lines, exit codes.
# See man/gafka-produce.1.

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

setup() {
    start_broker
}

teardown() {
    [[ -n ${BG_PID:-} ]] && kill -KILL "$BG_PID" 2>/dev/null
    stop_all_brokers
}

# records TOPIC [jq filter]: every record of TOPIC, one compact JSON line
# each (through the filter, default `.`).
records() {
    gafka-consume --topic "$1" --from-beginning --exit-at-end | jq -c "${2:-.}"
}

@test "100000 lines into 3 partitions come back exactly once each, in offset order per partition" {
    create_topic t 3
    run --separate-stderr bash -c 'seq 1 100000 | gafka-produce --topic t'
    assert_success
    assert_equal "$stderr" ""
    out=$BATS_TEST_TMPDIR/t.jsonl
    gafka-consume --topic t --from-beginning --exit-at-end >"$out" || fail "consume failed"
    assert_equal "$(wc -l <"$out")" 100000
    # Offsets strictly increase within each partition, and so do the values
    # (the input order is kept per partition).
    run jq -n 'reduce inputs as $r ({last: {}, ok: true};
                 ($r.partition | tostring) as $p
                 | .ok = (.ok and ((.last[$p] // [-1, -1]) as [$o, $v]
                                   | $o < $r.offset and $v < ($r.value | tonumber)))
                 | .last[$p] = [$r.offset, ($r.value | tonumber)])
               | [.ok, (.last | keys)]' "$out"
    assert_equal "$(jq -c . <<<"$output")" '[true,["0","1","2"]]'
    jq -r .value "$out" | sort -n | diff - <(seq 1 100000) >/dev/null || fail "values are not exactly 1..100000"
    assert_equal "$(log_end_offsets t | jq add)" 100000
}

@test "--key-separator splits each line at the first separator into key and value" {
    printf 'k1=v1\nk2=v=2\nno key here\n' | gafka-produce --topic ks --key-separator = || fail "produce failed"
    run records ks '[.key, .value]'
    assert_output '["k1","v1"]
["k2","v=2"]
[null,"no key here"]'
}

@test "a separator of several characters works too" {
    printf 'user1::login\n' | gafka-produce --topic ks2 --key-separator :: || fail "produce failed"
    assert_equal "$(records ks2 '[.key, .value]')" '["user1","login"]'
}

@test "--message sends one record, with --key as its key" {
    run --separate-stderr gafka-produce --topic m --message 'hello world' --key user123 --print-acks
    assert_success
    assert_output '{"line":1,"partition":0,"offset":0}'
    assert_equal "$(records m '[.key, .value]')" '["user123","hello world"]'
}

@test "--print-acks writes one line per record with its input line number, blank lines counted" {
    create_topic pa 1
    run --separate-stderr bash -c "printf 'a\n\nc\n' | gafka-produce --topic pa --print-acks"
    assert_success
    assert_output '{"line":1,"partition":0,"offset":0}
{"line":2,"partition":0,"offset":1}
{"line":3,"partition":0,"offset":2}'
    assert_equal "$(records pa .value | paste -sd,)" '"a","","c"'
    # With --json blank lines are skipped, but still counted.
    run --separate-stderr bash -c "printf '%s\n' '{\"value\":\"d\"}' '' '{\"value\":\"e\"}' |
        gafka-produce --json --topic pa --print-acks"
    assert_success
    assert_output '{"line":1,"partition":0,"offset":3}
{"line":3,"partition":0,"offset":4}'
}

@test "a key always lands on the same partition, the one gafka-admin partition-for names" {
    create_topic keyed 5
    for round in 1 2 3; do
        for k in $(seq 0 19); do printf 'user%s\t%s\n' "$k" "$round"; done
    done >"$BATS_TEST_TMPDIR/in.txt"
    gafka-produce --topic keyed --key-separator $'\t' --print-acks <"$BATS_TEST_TMPDIR/in.txt" \
        >"$BATS_TEST_TMPDIR/acks.jsonl" || fail "produce failed"
    assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/acks.jsonl")" 60
    # Line n carries key user((n-1) % 20).
    placed=$(jq -s -c 'map({key: "user\((.line - 1) % 20)", partition})
                       | group_by(.key) | map({key: .[0].key, value: (map(.partition) | unique)})
                       | from_entries' "$BATS_TEST_TMPDIR/acks.jsonl")
    run jq '[.[] | length] | unique' <<<"$placed"
    assert_equal "$(jq -c . <<<"$output")" '[1]'
    (( $(jq '[.[][0]] | unique | length' <<<"$placed") > 1 )) || fail "20 keys all on one partition: $placed"
    for k in $(seq 0 19); do
        gafka-admin partition-for --topic keyed --key "user$k" || fail "partition-for user$k failed"
    done >"$BATS_TEST_TMPDIR/for.jsonl"
    run jq -s -c --argjson placed "$placed" \
        'map(select(.topic == "keyed" and .partitions == 5 and [.partition] == $placed[.key])) | length' \
        "$BATS_TEST_TMPDIR/for.jsonl"
    assert_output 20
    # And the consumer sees each key on that partition.
    run records keyed '{key, partition}'
    assert_equal "$(jq -s -c 'group_by(.key) | map(map(.partition) | unique | length) | unique' <<<"$output")" '[1]'
}

@test "pipelined requests (--max-in-flight) ack every line once, with the partition and offset that hold it, in order per key" {
    create_topic piped 3
    for n in $(seq 1 3000); do printf 'user%s\t%s\n' "$((n % 20))" "$n"; done >"$BATS_TEST_TMPDIR/in.txt"
    gafka-produce --topic piped --key-separator $'\t' --batch-size 7 --max-in-flight 8 --print-acks \
        <"$BATS_TEST_TMPDIR/in.txt" >"$BATS_TEST_TMPDIR/acks.jsonl" || fail "produce failed"
    records piped '{partition, offset, key, value}' >"$BATS_TEST_TMPDIR/stored.jsonl"
    assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/stored.jsonl")" 3000
    # Each ack names the record of its own line (line n's value is n).
    run jq -n -c --slurpfile acks "$BATS_TEST_TMPDIR/acks.jsonl" \
        '[inputs | {key: "\(.partition)/\(.offset)", value: .value}] | from_entries as $at
         | [$acks[] | select($at["\(.partition)/\(.offset)"] != (.line | tostring))] | length' \
        "$BATS_TEST_TMPDIR/stored.jsonl"
    assert_output 0
    assert_equal "$(jq .line "$BATS_TEST_TMPDIR/acks.jsonl" | sort -n | uniq | wc -l)" 3000
    # Every key's values come in input order along its partition.
    run jq -s -c 'group_by(.key) | map(sort_by(.offset) | map(.value | tonumber) | . == sort) | unique' \
        "$BATS_TEST_TMPDIR/stored.jsonl"
    assert_output '[true]'
}

@test "a producer whose input stays open delivers each line while it keeps running" {
    create_topic f 1
    fifo=$BATS_TEST_TMPDIR/in.fifo
    mkfifo "$fifo"
    gafka-produce --topic f <"$fifo" >/dev/null 2>"$BATS_TEST_TMPDIR/produce.err" 3>&- &
    BG_PID=$!
    exec 4>"$fifo"   # hold it open, as tail -F does (fd 3 is bats')
    echo 'first line' >&4
    got=""
    for ((i = 0; i < 100; i++)); do
        got=$(gafka-consume --topic f --from-beginning --exit-at-end --format value 4>&-)
        [[ -n $got ]] && break
        sleep 0.05
    done
    assert_equal "$got" 'first line'
    broker_running "$BG_PID" || fail "the producer exited while its input was open"
    exec 4>&-
    for ((i = 0; i < 100; i++)); do
        broker_running "$BG_PID" || break
        sleep 0.05
    done
    broker_running "$BG_PID" && fail "the producer still runs after its input was closed"
    status=0
    wait "$BG_PID" || status=$?
    BG_PID=""
    assert_equal "$status" 0
    assert_equal "$(cat "$BATS_TEST_TMPDIR/produce.err")" ""
}

pipe_drained() { [[ $(pipe_unread "$1") == 0 ]]; }

# signal_held_lines SIGNAL [launcher...]: gafka-produce (started through the
# launcher, if any) reads two lines from a fifo that stays open and holds
# them, its --linger far longer than the test; a third line is written while
# it is stopped (SIGSTOP), then it gets SIGNAL and goes on (SIGCONT), so the
# signal finds the third line still unread. Waits (bounded) for it to exit
# and sets BG_STATUS to its exit status.
signal_held_lines() {
    local sig=$1 i
    shift
    fifo=$BATS_TEST_TMPDIR/in.fifo
    mkfifo "$fifo"
    "$@" gafka-produce --topic held --linger 10m --print-acks --retries 1 --timeout 2s <"$fifo" \
        >"$BATS_TEST_TMPDIR/acks" 2>"$BATS_TEST_TMPDIR/produce.err" 3>&- &
    BG_PID=$!
    exec 4>"$fifo"   # hold it open, as tail -F does (fd 3 is bats')
    printf 'one\ntwo\n' >&4
    wait_until pipe_drained "$fifo"
    kill -STOP "$BG_PID"
    printf 'three\n' >&4
    kill "-$sig" "$BG_PID"
    kill -CONT "$BG_PID"
    for ((i = 0; i < 200; i++)); do
        broker_running "$BG_PID" || break
        sleep 0.05
    done
    exec 4>&-
    broker_running "$BG_PID" && fail "gafka-produce still runs after SIG$sig"
    BG_STATUS=0
    wait "$BG_PID" || BG_STATUS=$?
    BG_PID=""
}

# With the linger far away, the lines are only sent because of the signal.
@test "SIGTERM ends the input like EOF: what it holds and what was written before are sent, exit status 0" {
    create_topic held 1
    signal_held_lines TERM
    assert_equal "$BG_STATUS" 0
    assert_equal "$(cat "$BATS_TEST_TMPDIR/produce.err")" ""
    assert_equal "$(records held .value | tr '\n' ' ')" '"one" "two" "three" '
    assert_equal "$(jq -c '[.line, .offset]' "$BATS_TEST_TMPDIR/acks" | tr '\n' ' ')" '[1,0] [2,1] [3,2] '
}

@test "SIGINT does the same (unless it was ignored at start, as bash does for background jobs)" {
    create_topic held 1
    signal_held_lines INT python3 -c \
        'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])'
    assert_equal "$BG_STATUS" 0
    assert_equal "$(records held .value | tr '\n' ' ')" '"one" "two" "three" '
}

@test "SIGTERM with the broker gone: the bounded wait for acks ends with exit status 1" {
    stop_broker
    signal_held_lines TERM
    assert_equal "$BG_STATUS" 1
    run cat "$BATS_TEST_TMPDIR/produce.err"
    assert_output --partial 'gafka-produce: error:'
}

@test "--json reports bad lines with their line numbers, delivers the good ones and exits 3" {
    python3 - >"$BATS_TEST_TMPDIR/in.jsonl" <<'EOF'
import json
print(json.dumps({"value": "ok1"}))
print('{"value": "broken"')
print(json.dumps({"value": "typo", "vaule": "x"}))
print(json.dumps({"value": "x" * (1024 * 1024 + 1)}))
print(json.dumps({"key": "k", "value": "ok2"}))
EOF
    run --separate-stderr gafka-produce --json --topic j --print-acks <"$BATS_TEST_TMPDIR/in.jsonl"
    assert_failure 3
    assert_equal "$(jq -c .line <<<"$output" | paste -sd,)" 1,5
    assert_equal "$(grep -c . <<<"$stderr")" 3
    assert_equal "$(grep -o 'line [0-9]*' <<<"$stderr" | paste -sd,)" 'line 2,line 3,line 4'
    assert_regex "$(grep 'line 3' <<<"$stderr")" 'vaule'
    assert_regex "$(grep 'line 4' <<<"$stderr")" '1048576'
    run records j '[.key, .value]'
    assert_output '[null,"ok1"]
["k","ok2"]'
}

@test "a line over 1 MiB without --json is reported and skipped, exit 3" {
    { echo small; head -c 1048577 /dev/zero | tr '\0' x; echo; echo after; } >"$BATS_TEST_TMPDIR/in.txt"
    run --separate-stderr gafka-produce --topic big <"$BATS_TEST_TMPDIR/in.txt"
    assert_failure 3
    assert_regex "$stderr" 'line 2'
    assert_equal "$(records big .value | paste -sd,)" '"small","after"'
}

@test "a line megabytes over the limit is skipped as it streams by: good lines delivered, line number reported, exit 3" {
    # 48 MiB in one line, then good lines. It used to be held whole (and
    # searched for a newline again on every read) before it was refused.
    { echo before; head -c $((48 << 20)) /dev/zero | tr '\0' x; echo; echo after1; echo after2; } \
        >"$BATS_TEST_TMPDIR/in.txt"
    run --separate-stderr /usr/bin/time -o "$BATS_TEST_TMPDIR/time.txt" -v \
        gafka-produce --topic huge <"$BATS_TEST_TMPDIR/in.txt"
    assert_failure 3
    assert_equal "$stderr" "gafka-produce: line 2: line is $((48 << 20)) bytes; a record may be at most 1048576 bytes"
    assert_equal "$(records huge .value | paste -sd,)" '"before","after1","after2"'
    # Memory: far less than the line (the limit is 1 MiB; the rest is the
    # program itself).
    rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$BATS_TEST_TMPDIR/time.txt")
    (( rss_kb < 24 * 1024 )) || fail "max RSS ${rss_kb} KiB for a 48 MiB line"
}

@test "input with no newline at all is refused as one too-long line without growing" {
    run --separate-stderr /usr/bin/time -o "$BATS_TEST_TMPDIR/time.txt" -v \
        bash -c 'head -c $((32 << 20)) /dev/zero | gafka-produce --topic nonl'
    assert_failure 3
    assert_equal "$stderr" "gafka-produce: line 1: line is $((32 << 20)) bytes; a record may be at most 1048576 bytes"
    rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$BATS_TEST_TMPDIR/time.txt")
    (( rss_kb < 24 * 1024 )) || fail "max RSS ${rss_kb} KiB for 32 MiB without a newline"
}

@test "a record the broker refuses is reported as its input line, not its place in the batch" {
    create_topic two 2
    printf '%s\n' '{"value":"a"}' '{"value":"b","partition":5}' '{"value":"c"}' >"$BATS_TEST_TMPDIR/in.jsonl"
    run --separate-stderr gafka-produce --json --topic two <"$BATS_TEST_TMPDIR/in.jsonl"
    assert_failure 3
    assert_equal "$stderr" "gafka-produce: line 2: rejected: partition 5 does not exist; 'two' has 2"
    assert_equal "$(records two .value | sort | paste -sd,)" '"a","c"'
}

@test "an unreachable broker exits 1" {
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    run --separate-stderr gafka-produce --broker "127.0.0.1:$port" --retries 0 --topic x --message m
    assert_failure 1
    assert_regex "$stderr" "127\.0\.0\.1:$port"
}

@test "usage errors exit 2 with a message" {
    cases=(
        "--message m"
        "--topic x --key k"
        "--topic x --json --key-separator :"
        "--topic x --bogus"
        "--topic x --linger abc"
        "--topic x --acks 2"
        "--topic x --batch-size 0"
        "--topic x --max-in-flight 0"
        "--topic x --max-in-flight 17"
        "--topic x --retries 101"
        "--topic x --broker nocolon"
        "--topic x --timeout -1s"
    )
    for c in "${cases[@]}"; do
        # shellcheck disable=SC2086  # the case is a list of words
        run --separate-stderr gafka-produce $c </dev/null
        [[ $status == 2 && -n $stderr ]] || fail "gafka-produce $c: exit $status, stderr '$stderr'"
    done
}
