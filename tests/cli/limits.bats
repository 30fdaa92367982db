#!/usr/bin/env bats
# gafka-broker's limits on clients (issue 9): --idle-timeout and
# --header-timeout cut silent and slow clients, --max-connections answers the
# connection past the cap 503, --max-body-bytes and --max-header-bytes refuse
# what is too big before anything is written, --max-long-polls answers
# consumes at once past the cap. See man/gafka-broker.1 and
# docs/operations.md "Security and limits". No wall-clock assertion: every
# wait below is bounded and only its outcome is checked.

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

teardown() {
    [[ -n ${BG_PID:-} ]] && kill -KILL "$BG_PID" 2>/dev/null
    stop_all_brokers
}

# metric NAME: the value of an unlabelled sample on the broker's /metrics.
metric() {
    curl -s --max-time 5 "$BROKER_URL/metrics" | sed -n "s/^$1 //p"
}

metric_is() {
    [[ $(metric "$1") == "$2" ]]
}

# client SCRIPT: runs a python3 client against the broker; PORT is the port.
client() {
    python3 - "$BROKER_PORT" <<<"$1"
}

@test "a silent client is closed after the idle timeout" {
    start_broker --idle-timeout 1s
    run client '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(30)  # a bound, far past the 1 s the broker waits
try:
    print("closed" if s.recv(1) == b"" else "data")
except ConnectionResetError:
    print("closed")
except socket.timeout:
    print("still open")
'
    assert_output closed
}

@test "a client trickling its request is cut after the header timeout" {
    start_broker --header-timeout 1s
    run client '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
# One header line every 0.1 s, never the blank line that ends them: a
# slow-loris client. Bounded: 300 lines (30 s) at most, well under the
# 16 KiB header limit.
for i in range(300):
    try:
        s.sendall(b"X-Slow: %d\r\n" % i)
    except (BrokenPipeError, ConnectionResetError):
        print("cut"); sys.exit(0)
    s.settimeout(0.1)
    try:
        if s.recv(1) == b"":
            print("cut"); sys.exit(0)
        print("answered"); sys.exit(0)
    except socket.timeout:
        pass
    except ConnectionResetError:
        print("cut"); sys.exit(0)
print("never cut")
'
    assert_output cut
    api GET /healthz
    assert_equal "$HTTP_STATUS" 200
}

@test "a kept-alive connection idle longer than the header timeout still serves its next request" {
    start_broker --header-timeout 1s --idle-timeout 60s
    run client '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
req = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
def answer():
    data = b""
    while b"}" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return "closed"
        data += chunk
    return data.split(b"\r\n")[0].decode()
print(answer() if s.sendall(req) is None else "")
time.sleep(1.5)  # the scenario: idle past the header timeout, not a wait for the broker
print(answer() if s.sendall(req) is None else "")
'
    assert_line --index 0 "HTTP/1.1 200 OK"
    assert_line --index 1 "HTTP/1.1 200 OK"
}

@test "the connection past --max-connections is answered 503 too_many_connections and closed" {
    start_broker --max-connections 3
    run client '
import socket, sys, time
port = int(sys.argv[1])
def ask(s):
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while b"}" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data
# Hold 3 connections, each shown to be served (a connection of the start-up
# checks may still be closing: then ours is refused, and is tried again).
held = []
for attempt in range(200):
    if len(held) == 3:
        break
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(10)
    if ask(s).startswith(b"HTTP/1.1 200"):
        held.append(s)
    else:
        s.close()
        time.sleep(0.05)
assert len(held) == 3, "could not hold 3 connections"
extra = socket.create_connection(("127.0.0.1", port))
extra.settimeout(10)
answer = ask(extra)
head, _, body = answer.partition(b"\r\n\r\n")
print(head.split(b"\r\n")[0].decode())
print(body.decode().strip())
print("closed" if extra.recv(1) == b"" else "open")
'
    assert_success
    assert_line --index 0 "HTTP/1.1 503 Service Unavailable"
    assert_equal "$(jq -r .error.code <<<"${lines[1]}")" too_many_connections
    assert_line --index 2 closed
    # The held connections are gone with the client: room again.
    wait_until curl -sf -o /dev/null --max-time 2 "$BROKER_URL/healthz"
    [[ $(metric gafka_connections_refused_total) -ge 1 ]] || fail "no refused connection counted"
}

@test "--max-connections is one count over the HTTP and Kafka ports: past it, either port refuses" {
    start_broker --max-connections 2
    run python3 - "$BROKER_PORT" "$BROKER_KAFKA_PORT" <<'PY'
import socket, struct, sys, time
http_port, kafka_port = int(sys.argv[1]), int(sys.argv[2])
def connect(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(10)
    return s
def http_ok(s):  # the status line of a /healthz answer on s
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while b"}" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n")[0].decode()
def kafka_answers(s):  # True when an ApiVersions v0 is answered on s
    s.sendall(struct.pack(">ihhih", 11, 18, 0, 7, 1) + b"t")
    try:
        return len(s.recv(4096)) > 0
    except ConnectionResetError:
        return False
def hold(port, served):  # a connection shown to be served (start-up checks may still be closing)
    for _ in range(200):
        s = connect(port)
        if served(s):
            return s
        s.close()
        time.sleep(0.05)
    sys.exit("could not hold a connection on %d" % port)
h = hold(http_port, lambda s: http_ok(s).startswith("HTTP/1.1 200"))
k = hold(kafka_port, kafka_answers)
print("kafka past the limit:", "answered" if kafka_answers(connect(kafka_port)) else "closed")
print("http past the limit:", http_ok(connect(http_port)))
h.close()  # a place for a Kafka client again
k2 = hold(kafka_port, kafka_answers)
print("kafka after the http one left: answered")
print("http past the limit:", http_ok(connect(http_port)))
PY
    assert_success
    assert_line --index 0 "kafka past the limit: closed"
    assert_line --index 1 "http past the limit: HTTP/1.1 503 Service Unavailable"
    assert_line --index 2 "kafka after the http one left: answered"
    assert_line --index 3 "http past the limit: HTTP/1.1 503 Service Unavailable"
    wait_until curl -sf -o /dev/null --max-time 2 "$BROKER_URL/healthz"
    [[ $(metric gafka_kafka_connections_refused_total) -ge 1 ]] || fail "no refused Kafka connection counted"
}

@test "a body over --max-body-bytes gets 413 JSON and writes nothing" {
    start_broker --max-body-bytes 1024
    create_topic big 1
    before=$(log_end_offsets big)
    value=$(head -c 2000 /dev/zero | tr '\0' v)
    api POST /api/v1/produce -H 'Content-Type: application/json' -d "{\"topic\":\"big\",\"value\":\"$value\"}"
    assert_equal "$HTTP_STATUS" 413
    assert_equal "$(jq -r .error.code <<<"$HTTP_BODY")" body_too_large
    assert_equal "$(log_end_offsets big)" "$before"
    # Under the limit it goes through.
    api POST /api/v1/produce -H 'Content-Type: application/json' -d '{"topic":"big","value":"small"}'
    assert_equal "$HTTP_STATUS" 200
    assert_equal "$(log_end_offsets big)" '[1]'
}

@test "headers over --max-header-bytes get 431 JSON" {
    start_broker --max-header-bytes 1024
    api GET /healthz -H "X-Big: $(head -c 1500 /dev/zero | tr '\0' a)"
    assert_equal "$HTTP_STATUS" 431
    assert_equal "$(jq -r .error.code <<<"$HTTP_BODY")" headers_too_large
    api GET /healthz -H "X-Small: $(head -c 500 /dev/zero | tr '\0' a)"
    assert_equal "$HTTP_STATUS" 200
}

@test "a consume past --max-long-polls is answered at once with an empty batch, not an error" {
    start_broker --max-long-polls 1
    create_topic lp 1
    curl -s --max-time 40 -o "$BATS_TEST_TMPDIR/first" \
        "$BROKER_URL/api/v1/consume?topic=lp&partition=0&offset=0&timeout=30s" 3>&- &
    BG_PID=$!
    wait_until metric_is gafka_long_polls_waiting 1
    api GET '/api/v1/consume?topic=lp&partition=0&offset=0&timeout=30s'
    assert_equal "$HTTP_STATUS" 200
    assert_equal "$(jq -c '[.records, .next_offset]' <<<"$HTTP_BODY")" '[[],0]'
    assert_equal "$(metric gafka_long_polls_over_limit_total)" 1
    # The waiting one still gets the record when it comes.
    gafka-produce --topic lp --message hello >/dev/null
    wait "$BG_PID"
    BG_PID=""
    assert_equal "$(jq -r '.records[0].value' "$BATS_TEST_TMPDIR/first")" hello
    wait_until metric_is gafka_long_polls_waiting 0
}

@test "--max-long-polls 0 answers every consume at once" {
    start_broker --max-long-polls 0
    create_topic lp0 1
    api GET '/api/v1/consume?topic=lp0&partition=0&offset=0&timeout=30s'
    assert_equal "$HTTP_STATUS" 200
    assert_equal "$(jq -c .records <<<"$HTTP_BODY")" '[]'
}

@test "the limits can come from --config" {
    cat >"$BATS_TEST_TMPDIR/broker.toml" <<'TOML'
max-connections = 50
max-long-polls = 0
idle-timeout = "5s"
header-timeout = "2s"
max-body-bytes = 2048
max-header-bytes = 4096
TOML
    start_broker --config "$BATS_TEST_TMPDIR/broker.toml"
    create_topic cf 1
    api POST /api/v1/produce -H 'Content-Type: application/json' \
        -d "{\"topic\":\"cf\",\"value\":\"$(head -c 3000 /dev/zero | tr '\0' v)\"}"
    assert_equal "$HTTP_STATUS" 413
    api GET '/api/v1/consume?topic=cf&partition=0&offset=0&timeout=30s'
    assert_equal "$(jq -c .records <<<"$HTTP_BODY")" '[]'
}

@test "bad limit flags are usage errors" {
    for args in "--max-connections 0" "--idle-timeout 0s" "--header-timeout soon" "--max-body-bytes 10" \
        "--max-header-bytes 99999999" "--max-long-polls -1"; do
        # shellcheck disable=SC2086  # split on purpose
        run --separate-stderr timeout 20 gafka-broker --data-dir "$BATS_TEST_TMPDIR/d" --port 0 $args
        assert_equal "$status" 2 || fail "$args: exit $status"
        [[ -n $stderr ]] || fail "$args: no message"
    done
}
