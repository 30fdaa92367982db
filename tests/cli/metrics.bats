#!/usr/bin/env bats
# GET /metrics with a real broker: per-topic traffic counters, request and
# fsync latency histograms, group lag, and the whole page through
# `promtool check metrics` (scripts/promtool.sh fetches promtool from
# Debian's prometheus package into a cache when it is not on PATH). See
# docs/api.md "GET /metrics".

bats_require_minimum_version 1.5.0

load helpers

teardown() {
    stop_all_brokers
}

# metric TEXT SERIES: the value of the sample named exactly SERIES (name and
# labels as printed, e.g. 'gafka_records_in_total{topic="alpha"}').
metric() {
    local line
    while IFS= read -r line; do
        [[ $line == "$2 "* ]] && { printf '%s\n' "${line#"$2 "}"; return 0; }
    done <<<"$1"
    fail "no sample $2 in /metrics"
}

# post PATH JSON: a POST that must answer 2xx.
post() {
    api POST "$1" -H 'Content-Type: application/json' -d "$2"
    [[ $HTTP_STATUS == 2* ]] || fail "POST $1 answered $HTTP_STATUS: $HTTP_BODY"
}

# get PATH: a GET that must answer 200; the body is in HTTP_BODY.
get() {
    api GET "$1"
    [[ $HTTP_STATUS == 200 ]] || fail "GET $1 answered $HTTP_STATUS: $HTTP_BODY"
}

# payload_bytes JSON: the key + value bytes of the records of a consume answer.
payload_bytes() {
    jq '[.records[] | ((.key // "") | utf8bytelength) + ((.value // "") | utf8bytelength)] | add // 0' <<<"$1"
}

# traffic: two topics, records in both, a plain consume of alpha and two
# group fetches of beta by group g1. Sets GROUP_OUT and GROUP_BYTES.
traffic() {
    post /api/v1/topics '{"name":"alpha","partitions":1}'
    post /api/v1/topics '{"name":"beta","partitions":2}'
    # alpha: 3 records, 2+5 + 3+6 + 0+1 = 17 key and value bytes
    post /api/v1/produce '{"topic":"alpha","records":[{"key":"k1","value":"hello"},{"key":"k22","value":"world!"},{"value":"x"}]}'
    # beta: 3 + 1 records, 4 + 4 + 2+2 + 1 = 13 bytes
    post /api/v1/produce '{"topic":"beta","records":[{"partition":0,"value":"aaaa"},{"partition":1,"value":"bbbb"},{"partition":1,"key":"kk","value":"cc"}]}'
    post /api/v1/produce '{"topic":"beta","partition":0,"value":"z"}'
    # alpha out: 3 records (17 bytes) and then 2 more (3+6 + 0+1 = 10 bytes)
    get '/api/v1/consume?topic=alpha&partition=0&offset=0'
    get '/api/v1/consume?topic=alpha&partition=0&offset=1'
    # beta out, through group g1: one record, then (committing it) one more
    GROUP_OUT=0 GROUP_BYTES=0
    local i n
    for i in 1 2; do
        get '/api/v1/consume?topic=beta&group_id=g1&consumer_id=c1&count=1'
        n=$(jq '.records | length' <<<"$HTTP_BODY")
        ((GROUP_OUT += n))
        ((GROUP_BYTES += $(payload_bytes "$HTTP_BODY")))
    done
    assert_equal "$GROUP_OUT" 2
}

@test "per-topic records and bytes in and out count exactly what was produced and consumed" {
    start_broker
    traffic
    get /metrics
    local m=$HTTP_BODY
    assert_equal "$(metric "$m" 'gafka_records_in_total{topic="alpha"}')" 3
    assert_equal "$(metric "$m" 'gafka_bytes_in_total{topic="alpha"}')" 17
    assert_equal "$(metric "$m" 'gafka_records_in_total{topic="beta"}')" 4
    assert_equal "$(metric "$m" 'gafka_bytes_in_total{topic="beta"}')" 13
    assert_equal "$(metric "$m" 'gafka_records_out_total{topic="alpha"}')" 5
    assert_equal "$(metric "$m" 'gafka_bytes_out_total{topic="alpha"}')" 27
    assert_equal "$(metric "$m" 'gafka_records_out_total{topic="beta"}')" "$GROUP_OUT"
    assert_equal "$(metric "$m" 'gafka_bytes_out_total{topic="beta"}')" "$GROUP_BYTES"
    assert_equal "$(metric "$m" 'gafka_log_end_offset{topic="beta",partition="0"}')" 2
    assert_equal "$(metric "$m" 'gafka_high_watermark{topic="beta",partition="1"}')" 2
    assert_equal "$(metric "$m" 'gafka_isr_size{topic="alpha",partition="0"}')" 1
    # At least this GET /metrics's connection (earlier ones may still be closing).
    [[ $(metric "$m" 'gafka_open_connections') -ge 1 ]] || fail "gafka_open_connections below 1"
}

@test "group lag in /metrics equals the status endpoint's, per partition and in total" {
    start_broker
    traffic
    get /api/v1/consumer-groups/g1/status
    local status=$HTTP_BODY
    get /metrics
    local m=$HTTP_BODY p
    assert_equal "$(metric "$m" 'gafka_group_total_lag{group="g1"}')" "$(jq .total_lag <<<"$status")"
    for p in 0 1; do
        assert_equal "$(metric "$m" "gafka_group_lag{group=\"g1\",topic=\"beta\",partition=\"$p\"}")" \
            "$(jq ".partitions[] | select(.topic == \"beta\" and .partition == $p) | .lag" <<<"$status")"
    done
    # 4 records in beta, 2 delivered, 1 of them committed (by the second fetch).
    assert_equal "$(jq .total_lag <<<"$status")" 3
}

@test "latency histograms have cumulative buckets, +Inf equal to _count, and count requests by route" {
    start_broker
    local i
    for i in 1 2 3; do post /api/v1/produce '{"topic":"h","value":"v"}'; done
    api GET /no/such/endpoint
    assert_equal "$HTTP_STATUS" 404
    api GET "/api/v1/topics/nosuchtopic"
    get /metrics
    local m=$HTTP_BODY
    assert_equal "$(metric "$m" 'gafka_request_duration_seconds_count{route="POST /api/v1/produce"}')" 3
    assert_equal "$(metric "$m" 'gafka_request_duration_seconds_count{route="other"}')" 1
    assert_equal "$(metric "$m" 'gafka_request_duration_seconds_count{route="GET /api/v1/topics/{name}"}')" 1
    assert_equal "$(metric "$m" 'gafka_request_duration_seconds_count{route="DELETE /api/v1/topics/{name}"}')" 0
    # --flush always (the default): every produce waited for an fsync.
    [[ $(metric "$m" 'gafka_fsync_duration_seconds_count') -ge 1 ]] || fail "no fsync was timed"
    # Every histogram series: buckets ascend in le and in count, the last is
    # +Inf and equals _count.
    run python3 -c '
import re, sys
series = {}
counts = {}
for line in sys.stdin.read().splitlines():
    if line.startswith("#"):
        continue
    name, value = line.rsplit(" ", 1)
    b = re.match(r"(\w+)_bucket\{(.*?),?le=\"([^\"]+)\"\}$", name)
    if b:
        series.setdefault((b.group(1), b.group(2)), []).append((float(b.group(3)), int(value)))
        continue
    c = re.match(r"(\w+)_count(?:\{(.*)\})?$", name)
    if c:
        counts[(c.group(1), c.group(2) or "")] = int(value)
assert series, "no histogram in /metrics"
for key, buckets in series.items():
    les = [le for le, _ in buckets]
    ns = [n for _, n in buckets]
    assert les == sorted(les) and les[-1] == float("inf"), f"{key}: le not ascending to +Inf: {les}"
    assert ns == sorted(ns), f"{key}: buckets not cumulative: {ns}"
    assert ns[-1] == counts[key], f"{key}: +Inf {ns[-1]} != _count {counts[key]}"
print(len(series))
' <<<"$m"
    assert_success
    [[ $output -ge 20 ]] || fail "only $output histogram series"
}

@test "the whole /metrics page passes promtool check metrics" {
    local promtool
    promtool=$("$REPO/scripts/promtool.sh") || skip "no promtool: scripts/promtool.sh could not fetch it (apt unreachable?)"
    start_broker
    traffic
    get /metrics
    run --separate-stderr "$promtool" check metrics <<<"$HTTP_BODY"
    [[ $status -eq 0 ]] || fail "promtool check metrics: $output $stderr"
}

@test "Kafka requests by API, error codes answered and open Kafka connections are in /metrics" {
    start_broker
    create_topic kt 1
    printf 'a\nb\n' | timeout 30 kcat -b "127.0.0.1:$BROKER_KAFKA_PORT" -P -t kt || fail "kcat -P failed"
    # One connection held open, on which two Metadata v1 requests ask for a
    # name that cannot be a topic (error 17 each); then /metrics, read until
    # kcat's connections are gone and the held one is the only one.
    run python3 - "$BROKER_PORT" "$BROKER_KAFKA_PORT" <<'PY'
import socket, struct, sys, time, urllib.request
http_port, kafka_port = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", kafka_port), timeout=10)
name = b"bad name!"
for corr in (1, 2):
    body = struct.pack(">hhih", 3, 1, corr, 1) + b"t" + struct.pack(">ih", 1, len(name)) + name
    s.sendall(struct.pack(">i", len(body)) + body)
    size = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
    s.recv(size, socket.MSG_WAITALL)
wanted = ('gafka_kafka_requests_total{api="Metadata"}', 'gafka_kafka_requests_total{api="Produce"}',
          'gafka_kafka_requests_total{api="unknown"}', 'gafka_kafka_errors_total{code="17"}',
          'gafka_kafka_open_connections')
for _ in range(100):
    page = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % http_port, timeout=5).read().decode()
    got = dict(l.rsplit(" ", 1) for l in page.splitlines() if l.startswith(wanted))
    if got.get("gafka_kafka_open_connections") == "1":
        break
    time.sleep(0.1)
for w in wanted:
    print(w, got.get(w))
PY
    assert_success
    metadata=$(metric "$output" 'gafka_kafka_requests_total{api="Metadata"}')
    produce=$(metric "$output" 'gafka_kafka_requests_total{api="Produce"}')
    ((metadata >= 3 && produce >= 1)) || fail "$output"
    assert_equal "$(metric "$output" 'gafka_kafka_requests_total{api="unknown"}')" 0
    assert_equal "$(metric "$output" 'gafka_kafka_errors_total{code="17"}')" 2
    assert_equal "$(metric "$output" gafka_kafka_open_connections)" 1
}
