#!/usr/bin/env bats
# The Kafka listener (issue 18, docs/kafka.md): kcat 1.7 (librdkafka 2.0)
# reads gafka's metadata, creates topics through it when allowed, and asks
# for offsets by time; SASL/PLAIN takes a broker token as the password; TLS
# covers the Kafka port too; a frame over --max-body-bytes, an API gafka
# does not serve and a malformed frame close their connection and nothing
# else. Raw frames are written by kafka_raw below.

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

setup() {
    T=$BATS_TEST_TMPDIR
}

teardown() {
    [[ -n ${KCAT_PID:-} ]] && kill "$KCAT_PID" 2>/dev/null
    stop_all_brokers
}

# kcat_to ARGS...: kcat against the test broker's Kafka port, bounded.
kcat_to() {
    timeout 30 kcat -b "127.0.0.1:$BROKER_KAFKA_PORT" -m 10 "$@"
}

# kafka_raw HEX...: connects to the Kafka port, sends each HEX string as raw
# bytes (one after the other), and prints what came back: the hex of each
# answer frame (size prefix included) on its own line, then "closed" if the
# broker closed the connection, or "open" if it was still open 3 s after
# the last answer.
kafka_raw() {
    python3 - "$BROKER_KAFKA_PORT" "$@" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
for h in sys.argv[2:]:
    s.sendall(bytes.fromhex(h))
buf = b""
s.settimeout(3)
state = "open"
while True:
    try:
        chunk = s.recv(65536)
    except socket.timeout:
        break
    except ConnectionResetError:
        state = "closed"
        break
    if not chunk:
        state = "closed"
        break
    buf += chunk
while len(buf) >= 4:
    n = int.from_bytes(buf[:4], "big")
    print(buf[:4 + n].hex())
    buf = buf[4 + n:]
print(state)
PY
}

# frame HEX: HEX (a request header and body) with its size prefix.
frame() {
    printf '%08x%s' $((${#1} / 2)) "$1"
}

# api_keys HEX: the "key min max" lines of an ApiVersions v0 answer frame.
api_keys() {
    python3 - "$1" <<'PY'
import sys
b = bytes.fromhex(sys.argv[1])[4 + 4 + 2:]  # size, correlation id, error code
n = int.from_bytes(b[:4], "big")
for i in range(n):
    e = b[4 + 6 * i:10 + 6 * i]
    print(int.from_bytes(e[:2], "big"), int.from_bytes(e[2:4], "big"), int.from_bytes(e[4:], "big"))
PY
}

# An ApiVersions v0 request, correlation id 7, client id "t".
API_VERSIONS_V0=$(frame 001200000000000700017400)

@test "kcat -L -J shows the broker at its advertised host and Kafka port, the topics and their partitions" {
    start_broker --advertised-host localhost
    [[ -n $BROKER_KAFKA_PORT && $BROKER_KAFKA_PORT != "$BROKER_PORT" ]] || fail "no Kafka port: $(cat "$BROKER_LOG")"
    create_topic orders 3
    create_topic logs 1
    run --separate-stderr kcat_to -L -J
    assert_success
    jq -e --arg b "localhost:$BROKER_KAFKA_PORT" '
        .controllerid == 1 and .brokers == [{"id": 1, "name": $b}] and
        ([.topics[] | {topic, n: (.partitions | length)}] | sort_by(.topic)) ==
            [{"topic": "logs", "n": 1}, {"topic": "orders", "n": 3}] and
        all(.topics[].partitions[]; .leader == 1 and .replicas == [{"id": 1}] and .isrs == [{"id": 1}])' \
        <<<"$output" >/dev/null || fail "$output"
}

@test "a metadata request creates a topic when the broker auto-creates, and not with --no-auto-create-topics" {
    start_broker --default-partitions 2
    run --separate-stderr kcat_to -L -J -t made
    assert_success
    assert_equal "$(gafka-admin describe-topic --name made | jq .partitions)" 2
    stop_broker
    BROKER_DATA=$T/data2 BROKER_PORT="" start_broker --no-auto-create-topics
    run --separate-stderr kcat_to -L -J -t notmade
    assert_success
    jq -e '.topics == [{"topic": "notmade", "partitions": [], "error": "Broker: Unknown topic or partition"}]' \
        <<<"$output" >/dev/null || fail "$output"
    run gafka-admin describe-topic --name notmade
    assert_failure
}

@test "kcat -Q finds offsets by time, and the earliest and latest, of records produced over HTTP" {
    start_broker
    create_topic q 1
    printf '%s\n' '{"value":"a","timestamp":1000}' '{"value":"b","timestamp":2000}' '{"value":"c","timestamp":3000}' |
        gafka-produce --topic q --json >/dev/null || fail "produce failed"
    for at in "1000 0" "1500 1" "2000 1" "3000 2" "-2 0" "-1 3" "3001 -1"; do
        read -r ts want <<<"$at"
        run --separate-stderr kcat_to -Q -t "q:0:$ts"
        assert_success
        assert_output "q [0] offset $want"
    done
    run --separate-stderr kcat_to -Q -t "q:5:-1"
    assert_failure
}

# list_offsets_v1 TOPIC TIMESTAMP: one ListOffsets v1 request for partition 0;
# prints the answer's "error_code timestamp offset".
list_offsets_v1() {
    python3 - "$BROKER_KAFKA_PORT" "$1" "$2" <<'PY'
import socket, struct, sys
port, topic, ts = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3])
body = struct.pack(">hhih", 2, 1, 9, 1) + b"t" + struct.pack(">ii", -1, 1)
body += struct.pack(">h", len(topic)) + topic + struct.pack(">iiq", 1, 0, ts)
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(struct.pack(">i", len(body)) + body)
size = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
answer = s.recv(size, socket.MSG_WAITALL)
at = 4 + 4 + 2 + len(topic) + 4 + 4  # correlation id, topic count and name, partition count and index
print(*struct.unpack(">hqq", answer[at:at + 18]))
PY
}

@test "ListOffsets by time answers the offset and the timestamp of the first record at least that new; -1, -2 and none answer timestamp -1" {
    start_broker
    create_topic lt 1
    # Timestamps out of order: the first record in offset order that is new enough.
    printf '%s\n' '{"value":"a","timestamp":1000}' '{"value":"b","timestamp":3000}' '{"value":"c","timestamp":2000}' |
        gafka-produce --topic lt --json >/dev/null || fail "produce failed"
    for at in "0 1000 0" "1000 1000 0" "1001 3000 1" "2500 3000 1" "3000 3000 1" "3001 -1 -1" "-1 -1 3" "-2 -1 0"; do
        read -r ask ts offset <<<"$at"
        run list_offsets_v1 lt "$ask"
        assert_success
        assert_output "0 $ts $offset"  # error_code timestamp offset
    done
}

@test "with --auth-token-file the Kafka port wants SASL/PLAIN with a token as the password" {
    printf 'tok-1234\nother-5678\n' >"$T/tokens"
    start_broker --auth-token-file "$T/tokens"
    grep -q "Kafka listener on .*(SASL_PLAINTEXT)" "$BROKER_LOG" || fail "$(cat "$BROKER_LOG")"
    export GAFKA_AUTH_TOKEN_FILE=$T/tokens
    create_topic sec 2
    sasl=(-X security.protocol=SASL_PLAINTEXT -X sasl.mechanisms=PLAIN -X sasl.username=anyone)
    run --separate-stderr kcat_to "${sasl[@]}" -X sasl.password=other-5678 -L -J
    assert_success
    jq -e '[.topics[].topic] == ["sec"]' <<<"$output" >/dev/null || fail "$output"
    run --separate-stderr kcat_to "${sasl[@]}" -X sasl.password=wrong -L -J
    assert_failure
    grep -q "SASL/PLAIN authentication failed for user 'anyone'" "$BROKER_LOG" || fail "$(cat "$BROKER_LOG")"
    # Without SASL nothing but ApiVersions is answered: the metadata
    # request closes the connection.
    run --separate-stderr kcat_to -L -J
    assert_failure
    grep -q "Metadata before SASL authentication; closing the connection" "$BROKER_LOG" || fail "$(cat "$BROKER_LOG")"
    run kafka_raw "$API_VERSIONS_V0" "$(frame 000300010000000800017400000000)"
    assert_equal "${lines[-1]}" closed
    assert_equal "${#lines[@]}" 2  # the ApiVersions answer, then the close
    # SaslHandshake v0 is followed by a bare PLAIN message (Kafka before
    # SaslAuthenticate), answered by an empty frame; then Metadata is served.
    handshake_v0=$(frame 00110000000000050001740005504c41494e)
    metadata_v1=$(frame 0003000100000008000174ffffffff)
    run kafka_raw "$handshake_v0" "$(frame 007500746f6b2d31323334)" "$metadata_v1"  # "\0u\0tok-1234"
    assert_equal "${lines[1]}" 00000000
    [[ ${lines[2]} == ????????00000008* ]] || fail "$output"
    assert_equal "${lines[-1]}" open
    run kafka_raw "$handshake_v0" "$(frame 00750077)"  # password "w"
    assert_equal "${lines[-1]}" closed
    assert_equal "${#lines[@]}" 2
}

@test "with --tls-cert the Kafka port speaks TLS: kcat with the CA reads metadata, plain TCP is closed" {
    make_pki "$T/pki"
    BROKER_CACERT=$T/pki/ca.crt start_broker --tls-cert "$T/pki/server.crt" --tls-key "$T/pki/server.key"
    grep -q "Kafka listener on .*(SSL)" "$BROKER_LOG" || fail "$(cat "$BROKER_LOG")"
    export GAFKA_TLS_CA=$T/pki/ca.crt
    create_topic secure 1
    run --separate-stderr kcat_to -X security.protocol=SSL -X "ssl.ca.location=$T/pki/ca.crt" -L -J
    assert_success
    jq -e '[.topics[].topic] == ["secure"]' <<<"$output" >/dev/null || fail "$output"
    run --separate-stderr kcat_to -X security.protocol=SSL -X "ssl.ca.location=$T/pki/other-ca.crt" -L -J
    assert_failure
    run kafka_raw "$API_VERSIONS_V0"
    assert_output closed
    # Records over TLS: a Fetch answer's batches are read and encrypted
    # (no sendfile), and come back as they were produced.
    seq 1 3000 | kcat_to -X security.protocol=SSL -X "ssl.ca.location=$T/pki/ca.crt" -P -t secure ||
        fail "kcat -P over TLS failed"
    run --separate-stderr kcat_to -X security.protocol=SSL -X "ssl.ca.location=$T/pki/ca.crt" -C -t secure -e -f '%o %s\n'
    assert_success
    assert_equal "$(wc -l <<<"$output")" 3000
    assert_equal "$(sed -n '1p;3000p' <<<"$output")" "$(printf '0 1\n2999 3000')"
}

@test "a fetch sends the stored batches with sendfile: kcat reads back 100000 records exactly, from any offset" {
    start_broker
    seq 1 100000 | kcat_to -P -t big || fail "kcat -P failed"
    run --separate-stderr kcat_to -C -t big -e -f '%s\n'
    assert_success
    assert_equal "$(md5sum <<<"$output")" "$(seq 1 100000 | md5sum)"
    run --separate-stderr kcat_to -C -t big -o 77777 -e -f '%o %s\n'
    assert_success
    assert_equal "$(head -1 <<<"$output")" "77777 77778"
    assert_equal "$(wc -l <<<"$output")" 22223
    # Consumers that go away in the middle of their answers (head closes
    # the pipe, kcat dies, its socket closes under sendfile) cost the broker
    # nothing: it does not die of SIGPIPE.
    local i
    for i in 1 2 3 4 5; do
        timeout 30 kcat -b "127.0.0.1:$BROKER_KAFKA_PORT" -C -t big -e -X fetch.max.bytes=52428800 -f '%s\n' |
            head -c 10 >/dev/null || true
    done
    broker_running "$BROKER_PID" || fail "the broker died: $(cat "$BROKER_LOG")"
    run --separate-stderr kcat_to -C -t big -o -1 -e -f '%s\n'
    assert_output 100000
}

# produce_pipelined N RECORDS: N Produce v3 requests (acks=all, one batch
# of RECORDS records each to p/0, correlation ids 0..N-1) written at once on
# one connection; prints "correlation error base_offset" of each answer, in
# the order they came.
produce_pipelined() {
    python3 - "$BROKER_KAFKA_PORT" "$1" "$2" <<'PY'
import socket, struct, sys
port, n, k = (int(a) for a in sys.argv[1:])
T = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    T.append(c)
def crc32c(b):
    c = 0xFFFFFFFF
    for x in b:
        c = T[(c ^ x) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF
def varint(v):
    v = (v << 1) ^ (v >> 63)
    out = b""
    while v >= 0x80:
        out += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return out + bytes([v])
def batch(i):
    recs = b""
    for d in range(k):
        value = b"r%d-%d" % (i, d)
        body = b"\0" + varint(0) + varint(d) + varint(-1) + varint(len(value)) + value + varint(0)
        recs += varint(len(body)) + body
    # attributes .. records: what the CRC covers
    tail = struct.pack(">hiqqqhii", 0, k - 1, 1000, 1000, -1, -1, -1, k) + recs
    head = struct.pack(">ib", 0, 2) + struct.pack(">I", crc32c(tail))  # leader epoch, magic, crc
    return struct.pack(">qi", 0, len(head) + len(tail)) + head + tail
def request(i):
    b = batch(i)
    body = struct.pack(">hhi", 0, 3, i) + struct.pack(">h", 1) + b"t"  # Produce v3, client id "t"
    body += struct.pack(">hhi", -1, -1, 30000)  # no transactional id, acks=all, timeout
    body += struct.pack(">ih", 1, 1) + b"p" + struct.pack(">iii", 1, 0, len(b)) + b
    return struct.pack(">i", len(body)) + body
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(b"".join(request(i) for i in range(n)))
buf = b""
for _ in range(n):
    while len(buf) < 4 or len(buf) < 4 + struct.unpack(">i", buf[:4])[0]:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("closed after %d answers" % _)
        buf += chunk
    size = struct.unpack(">i", buf[:4])[0]
    a, buf = buf[4:4 + size], buf[4 + size:]
    corr, = struct.unpack(">i", a[:4])
    # one topic "p", one partition: index, error code, base offset
    err, base = struct.unpack(">hq", a[4 + 4 + 2 + 1 + 4 + 4:4 + 4 + 2 + 1 + 4 + 4 + 10])
    print(corr, err, base)
PY
}

@test "pipelined produce requests on one connection are answered in order, at consecutive offsets, sharing fsyncs" {
    start_broker
    create_topic p 1
    run produce_pipelined 200 3
    assert_success
    local want="" i
    for ((i = 0; i < 200; i++)); do want+="$i 0 $((3 * i))"$'\n'; done
    assert_output "${want%$'\n'}"
    # Their appends did not wait for each other's fsync: with one at a
    # time (--flush always) there would be 200 fsyncs of p/0 at least.
    local fsyncs
    fsyncs=$(curl -sf "http://127.0.0.1:$BROKER_PORT/metrics" | sed -n 's/^gafka_fsync_duration_seconds_count //p')
    [[ -n $fsyncs && $fsyncs -lt 200 ]] || fail "fsyncs: '$fsyncs'"
    # Each batch at its place: record d of request i at offset 3i + d.
    run --separate-stderr kcat_to -C -t p -p 0 -o beginning -e -f '%o %s\n'
    assert_success
    want=""
    for ((i = 0; i < 600; i++)); do want+="$i r$((i / 3))-$((i % 3))"$'\n'; done
    assert_output "${want%$'\n'}"
}

@test "an ApiVersions version gafka does not serve is answered as v0 with error 35 and the served list" {
    start_broker
    # ApiVersions v9, correlation id 7, client id "t".
    run kafka_raw "$(frame 001200090000000700017400)"
    assert_equal "${lines[-1]}" open
    # size, correlation id 7, error 35, then the api keys array.
    [[ ${lines[0]} == ????????00000007"0023"* ]] || fail "$output"
    answer=${lines[0]}
    run kafka_raw "$API_VERSIONS_V0"
    [[ ${lines[0]} == ????????00000007"0000"* ]] || fail "$output"
    # The same list either way: what is dispatched (docs/kafka.md).
    assert_equal "$(api_keys "$answer")" "$(api_keys "${lines[0]}")"
    assert_equal "$(api_keys "$answer")" "$(printf '%s\n' "0 0 7" "1 4 11" "2 0 3" "3 0 9" "8 0 7" "9 0 5" "10 0 2" \
        "11 0 5" "12 0 3" "13 0 3" "14 0 3" "15 0 4" "16 0 2" "17 0 1" "18 0 3" "19 0 4" "20 0 3" "22 0 1" "36 0 1" "37 0 1")"
}

@test "a frame over --max-body-bytes, an unknown api key and a malformed frame each close their connection, and only it" {
    start_broker --max-body-bytes 1024
    run kafka_raw 00100000  # announces 1 MiB
    assert_output closed
    grep -q "exceeds the limit of 1024 (--max-body-bytes); closing the connection" "$BROKER_LOG" ||
        fail "$(cat "$BROKER_LOG")"
    run kafka_raw "$(frame 03e700000000000100017400)"  # api key 999
    assert_output closed
    grep -q "api key 999 is not served" "$BROKER_LOG" || fail "$(cat "$BROKER_LOG")"
    run kafka_raw "$(frame 0000000800000002)"  # Produce v8: a version not served
    assert_output closed
    run kafka_raw "$(frame 00030001000000030001)"  # Metadata v1 cut inside its client id
    assert_output closed
    grep -q "malformed frame" "$BROKER_LOG" || fail "$(cat "$BROKER_LOG")"
    # Answers before a bad frame still go out, in order.
    run kafka_raw "$API_VERSIONS_V0" "$(frame 001200000000000900017400)" "$(frame 03e700000000000100017400)"
    assert_equal "${#lines[@]}" 3
    [[ ${lines[0]} == ????????00000007* && ${lines[1]} == ????????00000009* && ${lines[2]} == closed ]] ||
        fail "$output"
    # The broker serves on.
    run --separate-stderr kcat_to -L -J
    assert_success
}

@test "--no-kafka (kafka = false in --config) starts no Kafka listener; --kafka-port takes a fixed port" {
    start_broker --no-kafka
    assert_equal "$BROKER_KAFKA_PORT" ""
    stop_broker
    printf 'kafka = false\n' >"$T/broker.toml"
    BROKER_PORT="" start_broker --config "$T/broker.toml" --kafka-port 1
    assert_equal "$BROKER_KAFKA_PORT" ""
    stop_broker
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    BROKER_PORT="" start_broker --kafka-port "$port"
    assert_equal "$BROKER_KAFKA_PORT" "$port"
    run --separate-stderr kcat_to -L -J
    assert_success
}

@test "a Kafka port in use stops the broker at start with exit 1, naming it" {
    start_broker
    taken=$BROKER_KAFKA_PORT
    run --separate-stderr timeout 20 gafka-broker --data-dir "$T/other" --port 0 --kafka-port "$taken"
    assert_equal "$status" 1
    [[ $stderr == *"bind 127.0.0.1:$taken (Kafka)"* ]] || fail "$stderr"
}

# long_polls N: the broker has N long polls waiting.
long_polls() {
    [[ $(curl -sf "http://127.0.0.1:$BROKER_PORT/metrics" | sed -n 's/^gafka_long_polls_waiting //p') == "$1" ]]
}

# exited PID: the process is gone, or a zombie.
exited() { ! broker_running "$1"; }

@test "a fetch waiting on an empty partition is answered when a record is acknowledged, not at its max wait" {
    start_broker
    create_topic w 1
    # librdkafka waits up to 200 s a fetch: only the broker's wake-up at the
    # record's fsync can answer it within the bounded waits below.
    kcat -b "127.0.0.1:$BROKER_KAFKA_PORT" -X fetch.wait.max.ms=200000 -X socket.timeout.ms=300000 \
        -C -t w -p 0 -o end -c 1 -f '%o %s\n' >"$T/got" 2>"$T/kcat.err" 3>&- &
    KCAT_PID=$!
    wait_until long_polls 1
    echo hello | gafka-produce --topic w >/dev/null || fail "produce failed"
    wait_until exited "$KCAT_PID"
    wait "$KCAT_PID" || fail "kcat failed: $(cat "$T/kcat.err")"
    KCAT_PID=
    assert_equal "$(cat "$T/got")" "0 hello"
}
