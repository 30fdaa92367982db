#!/usr/bin/env bats
# gafka-broker as a process: health, HTTP details, clean shutdown and crash
# recovery, the data dir lock, --config. See man/gafka-broker.1 and
# docs/api.md. Every broker runs on a free 127.0.0.1 port with its data in
# $BATS_TEST_TMPDIR and is stopped in teardown (helpers.bash).

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

teardown() {
    [[ -n ${BG_PID:-} ]] && kill -KILL "$BG_PID" 2>/dev/null
    stop_all_brokers
}

# wait_done PID: waits (bounded: 100 x 0.05 s) until PID has exited; fails
# when it still runs.
wait_done() {
    local i
    for ((i = 0; i < 100; i++)); do
        broker_running "$1" || return 0
        sleep 0.05
    done
    fail "process $1 still runs"
}

# requests_total: the broker's gafka_requests_total (counting this request).
requests_total() {
    curl -s "$BROKER_URL/metrics" | sed -n 's/^gafka_requests_total //p'
}

@test "GET /healthz answers 200 with the broker id" {
    start_broker --id 7
    api GET /healthz
    assert_equal "$HTTP_STATUS" 200
    assert_equal "$(jq -c . <<<"$HTTP_BODY")" '{"status":"ok","broker_id":7}'
}

@test "HEAD /healthz answers 200 with no body" {
    start_broker
    # A raw exchange: curl -I would not show a body the broker wrongly sent.
    run --separate-stderr raw_http 'HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'
    assert_success
    assert_equal "${lines[0]}" "HTTP/1.1 200 OK"
    assert_equal "${lines[1]}" 0
}

@test "two requests on one curl invocation reuse the keep-alive connection" {
    start_broker
    run bash -c "curl -sv '$BROKER_URL/healthz' '$BROKER_URL/api/v1/topics' 2>&1 | grep -c 'Re-using\|Reusing'"
    assert_success
    assert_output 1
}

@test "SIGTERM stops the broker cleanly with exit 0 and the next start has nothing to scan" {
    start_broker
    create_topic t 2
    seq 1 3000 | gafka-produce --topic t --batch-size 100 || fail "produce failed"
    ends=$(log_end_offsets t)
    stop_broker
    assert_equal "$BROKER_STATUS" 0
    run grep -c 'stopped cleanly' "$BROKER_LOG"
    assert_output 1
    # Each partition has a recovery point at its log end, so recovery only
    # re-reads the last index interval (4 KiB) before it, not the log.
    for p in 0 1; do
        dir=$BROKER_DATA/topics/t/$p
        assert [ -f "$dir/recovery-point" ]
        assert_equal "$(cat "$dir/recovery-point")" "$(jq ".[$p]" <<<"$ends")"
        run --separate-stderr gafka-bench recover --dir "$dir"
        assert_success
        size=$(file_size "$(seg0 "$dir")")
        scanned=$(jq .bytes_scanned <<<"$output")
        (( size > 16384 )) || fail "segment only $size bytes"
        (( scanned <= 8192 )) || fail "partition $p: scanned $scanned of $size bytes after a clean stop"
    done
    restart_broker
    run grep -E 'warn|error|torn|corrupt' "$BROKER_LOG"
    assert_failure
    assert_equal "$(log_end_offsets t)" "$ends"
}

@test "SIGHUP (the terminal of a broker started with & closing) stops it cleanly too; restart scans nothing" {
    start_broker
    create_topic t 1
    seq 1 100 | gafka-produce --topic t || fail "produce failed"
    ends=$(log_end_offsets t)
    _stop_pid "$BROKER_PID" HUP
    BROKER_PID=""
    assert_equal "$BROKER_STATUS" 0
    grep -q 'signal 1: shutting down' "$BROKER_LOG" || fail "$(cat "$BROKER_LOG")"
    grep -q 'stopped cleanly' "$BROKER_LOG" || fail "$(cat "$BROKER_LOG")"
    assert_equal "$(cat "$BROKER_DATA/topics/t/0/recovery-point")" "$(jq '.[0]' <<<"$ends")"
    start_broker
    run grep -E 'warn|error|torn|corrupt' "$BROKER_LOG"
    assert_failure
    assert_equal "$(log_end_offsets t)" "$ends"
}

@test "a broker started with SIGHUP ignored (as nohup does) keeps ignoring it" {
    trap '' HUP
    start_broker
    trap - HUP
    kill -HUP "$BROKER_PID"
    stop_broker
    assert_equal "$BROKER_STATUS" 0
    run grep -c 'signal 1:' "$BROKER_LOG"
    assert_output 0
    grep -q 'signal 15: shutting down' "$BROKER_LOG" || fail "$(cat "$BROKER_LOG")"
}

@test "a long poll returns as soon as a record is produced, long before its timeout" {
    start_broker
    create_topic lp 1
    n0=$(requests_total)
    curl -s "$BROKER_URL/api/v1/consume?topic=lp&partition=0&offset=0&timeout=10s" \
        >"$BATS_TEST_TMPDIR/poll.json" 2>/dev/null 3>&- &
    BG_PID=$!
    # Wait (bounded) until the broker has the consume: requests_total then
    # counts it and the metrics request that reads it.
    for ((i = 0; i < 100; i++)); do
        (( $(requests_total) >= n0 + 2 )) && break
        sleep 0.05
    done
    broker_running "$BG_PID" || fail "the consume answered before anything was produced: $(cat "$BATS_TEST_TMPDIR/poll.json")"
    gafka-produce --topic lp --message late || fail "produce failed"
    wait_done "$BG_PID"
    wait "$BG_PID" || fail "curl failed"
    BG_PID=""
    assert_equal "$(jq -c '[.records[] | {offset, value}]' "$BATS_TEST_TMPDIR/poll.json")" '[{"offset":0,"value":"late"}]'
}

@test "every record acknowledged with acks=all before a kill -9 is there after restart, in order" {
    start_broker
    create_topic d 3
    acks=$BATS_TEST_TMPDIR/acks.jsonl
    # Many small batches, killed while the producer is still sending.
    seq 1 1000000 | gafka-produce --topic d --acks all --batch-size 10 --retries 0 --print-acks \
        >"$acks" 2>/dev/null 3>&- &
    BG_PID=$!
    for ((i = 0; i < 200; i++)); do
        [[ -f $acks ]] && (( $(wc -l <"$acks") >= 500 )) && break
        sleep 0.05
    done
    kill9_broker
    wait_done "$BG_PID"
    wait "$BG_PID" && fail "the producer did not notice the broker was gone"
    BG_PID=""
    acked=$(wc -l <"$acks")
    (( acked >= 500 )) || fail "only $acked acks before the kill"
    restart_broker
    gafka-consume --topic d --from-beginning --exit-at-end >"$BATS_TEST_TMPDIR/all.jsonl" || fail "consume failed"
    # Each acknowledged (partition, offset) holds the line it acknowledged.
    run jq -n --slurpfile acks "$acks" --slurpfile recs "$BATS_TEST_TMPDIR/all.jsonl" '
        ($recs | map({key: "\(.partition)/\(.offset)", value: .value}) | from_entries) as $at
        | [$acks[] | select($at["\(.partition)/\(.offset)"] != (.line | tostring))] | length'
    assert_output 0
    # Within a partition, acknowledged offsets follow the input order.
    run jq -s 'group_by(.partition) | map(sort_by(.line) | map(.offset)
                 | . == (sort | unique)) | all' "$acks"
    assert_output true
}

@test "the active segment keeps zeros ahead of its end: walcheck passes it live and after a kill -9, restart keeps every record" {
    start_broker
    create_topic z 1
    seq 1 300 | gafka-produce --topic z --acks all --batch-size 7 || fail "produce failed"
    local seg=$BROKER_DATA/topics/z/0/00000000000000000000.log
    run --separate-stderr gafka-walcheck "$BROKER_DATA/topics/z"
    assert_success
    jq -e '.status == "ok" and .records == 300 and .preallocated_bytes > 0' <<<"$output" >/dev/null || fail "$output"
    (( $(file_size "$seg") == $(jq '.bytes' <<<"$output") )) || fail "bytes is not the file size: $output"
    kill9_broker
    run --separate-stderr gafka-walcheck "$BROKER_DATA/topics/z"
    assert_success
    jq -e '.status == "ok" and .records == 300 and .preallocated_bytes > 0' <<<"$output" >/dev/null || fail "$output"
    start_broker
    run grep -c "torn tail" "$BROKER_LOG"
    assert_output 0
    seq 301 310 | gafka-produce --topic z --acks all || fail "produce after restart failed"
    run gafka-consume --topic z --from-beginning --exit-at-end --format value
    assert_success
    assert_equal "$output" "$(seq 1 310)"
    # A clean stop gives the zeros back.
    stop_broker
    run --separate-stderr gafka-walcheck "$BROKER_DATA/topics/z"
    assert_success
    jq -e '.records == 310 and (has("preallocated_bytes") | not)' <<<"$output" >/dev/null || fail "$output"
}

@test "a second broker on the same data dir refuses to start with exit 1" {
    start_broker
    run --separate-stderr timeout 10 gafka-broker --data-dir "$BROKER_DATA" --port 0
    assert_failure 1
    api GET /healthz
    assert_equal "$HTTP_STATUS" 200
}

@test "--config reads settings from a file and flags override it" {
    cat >"$BATS_TEST_TMPDIR/broker.toml" <<EOF
id = 5
port = 9
default-partitions = 4
EOF
    start_broker --config "$BATS_TEST_TMPDIR/broker.toml"   # its --port 0 wins over port = 9
    api GET /healthz
    assert_equal "$(jq .broker_id <<<"$HTTP_BODY")" 5
    gafka-produce --topic auto --message m || fail "produce failed"
    assert_equal "$(gafka-admin describe-topic --name auto | jq .partitions)" 4
}

@test "--config with an unknown key exits 2" {
    printf 'id = 1\nprot = 9001\n' >"$BATS_TEST_TMPDIR/bad.toml"
    run --separate-stderr timeout 10 gafka-broker --config "$BATS_TEST_TMPDIR/bad.toml" \
        --data-dir "$BATS_TEST_TMPDIR/data" --port 0
    assert_failure 2
    assert [ -n "$stderr" ]
}

@test "topics and their records survive a restart" {
    start_broker
    create_topic keep 3
    gafka-admin create-topic --name empty --partitions 2 --retention-ms 60000 >/dev/null
    seq 1 30 | gafka-produce --topic keep || fail "produce failed"
    before_topics=$(gafka-admin list-topics | jq -c 'del(.created_ms)')
    before=$(gafka-consume --topic keep --from-beginning --exit-at-end | jq -c '[.partition, .offset, .value]')
    restart_broker
    assert_equal "$(gafka-admin list-topics | jq -c 'del(.created_ms)')" "$before_topics"
    assert_equal "$(gafka-consume --topic keep --from-beginning --exit-at-end | jq -c '[.partition, .offset, .value]')" "$before"
}
