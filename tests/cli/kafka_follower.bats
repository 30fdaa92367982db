#!/usr/bin/env bats
# Kafka clients and a leader/follower pair (issue 18, docs/kafka.md): a
# follower's Metadata names the leader (its id and Kafka listener) as the
# leader of every partition, so a Kafka producer given only the follower
# writes to the leader; a Produce sent to the follower itself is refused with
# NOT_LEADER_OR_FOLLOWER (6).
#
# Brokers are named a (leader, id 1) and b (follower, id 2), each on free
# ports with its data in $BATS_TEST_TMPDIR/<name>.

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

setup() {
    declare -gA PORT=() KPORT=()
    T=$BATS_TEST_TMPDIR
}

teardown() {
    stop_all_brokers
}

# node_start NAME [gafka-broker args]: broker NAME, its data in $T/NAME.
node_start() {
    local name=$1
    shift
    BROKER_DATA=$T/$name
    BROKER_PORT=""
    start_broker "$@"
    PORT[$name]=$BROKER_PORT
    KPORT[$name]=$BROKER_KAFKA_PORT
}

# a_and_b [follower args]: leader a (id 1) and its follower b (id 2).
a_and_b() {
    node_start a --id 1
    node_start b --id 2 --role follower --leader "127.0.0.1:${PORT[a]}" "$@"
}

# kcat_on NAME ARGS...: kcat bootstrapped from broker NAME's Kafka port only.
kcat_on() {
    local name=$1
    shift
    timeout 30 kcat -b "127.0.0.1:${KPORT[$name]}" "$@"
}

# leaders_are NAME TOPIC JSON: NAME's Kafka Metadata gives TOPIC's partitions
# these leaders, [[partition, leader], ...].
leaders_are() {
    [[ $(kcat_on "$1" -L -J -t "$2" 2>/dev/null |
        jq -c "[.topics[] | select(.topic == \"$2\") | .partitions[] | [.partition, .leader]]") == "$3" ]]
}

# reads NAME TOPIC PARTITION TEXT: kcat on NAME reads TEXT (the values, each
# followed by a space) from the partition's start to its end.
reads() {
    [[ $(kcat_on "$1" -C -t "$2" -p "$3" -o beginning -e -f '%s ' 2>/dev/null) == "$4" ]]
}

# produce_raw NAME TOPIC PARTITION ACKS VALUE: one Produce v3 request with a
# one-record batch, straight to NAME's Kafka port; prints the partition's
# error code from the answer.
produce_raw() {
    python3 - "${KPORT[$1]}" "$2" "$3" "$4" "$5" <<'PY'
import socket, struct, sys, time
port, topic, part, acks, value = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5].encode()

def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF

def varint(n):
    z, out = (n << 1) ^ (n >> 63), b""
    while True:
        if z < 0x80:
            return out + bytes([z])
        out += bytes([(z & 0x7F) | 0x80])
        z >>= 7

record = b"\0" + varint(0) + varint(0) + varint(-1) + varint(len(value)) + value + varint(0)
record = varint(len(record)) + record
now = int(time.time() * 1000)
after_crc = struct.pack(">hiqqqhii", 0, 0, now, now, -1, -1, -1, 1) + record
batch_tail = struct.pack(">ib", 0, 2) + struct.pack(">I", crc32c(after_crc)) + after_crc
batch = struct.pack(">qi", 0, len(batch_tail)) + batch_tail
body = struct.pack(">hhih", 0, 3, 42, 1) + b"t" + struct.pack(">hhii", -1, acks, 10000, 1)
body += struct.pack(">h", len(topic)) + topic + struct.pack(">iii", 1, part, len(batch)) + batch
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(struct.pack(">i", len(body)) + body)
buf = b""
while len(buf) < 4 or len(buf) < 4 + struct.unpack(">i", buf[:4])[0]:
    chunk = s.recv(65536)
    if not chunk:
        sys.exit("the broker closed the connection")
    buf += chunk
at = 4 + 4 + 4  # size, correlation id, topic count
at += 2 + struct.unpack(">h", buf[at:at + 2])[0] + 4 + 4  # name, partition count, index
print(struct.unpack(">h", buf[at:at + 2])[0])
PY
}

@test "a follower's Kafka Metadata names the leader, and kcat -P given only the follower writes to the leader" {
    a_and_b
    gafka-admin create-topic --broker "127.0.0.1:${PORT[a]}" --name f --partitions 2 >/dev/null
    wait_until leaders_are b f '[[0,1],[1,1]]'
    run --separate-stderr kcat_on b -L -J
    assert_success
    assert_equal "$(jq -c '[.brokers[] | [.id, .name]] | sort' <<<"$output")" \
        "[[1,\"127.0.0.1:${KPORT[a]}\"],[2,\"127.0.0.1:${KPORT[b]}\"]]"
    printf 'x1\nx2\nx3\n' | kcat_on b -P -t f -p 1 || fail "kcat -P through the follower failed"
    # On the leader, where the producer was sent; the follower copies them.
    run --separate-stderr kcat_on a -C -t f -p 1 -o beginning -e -f '%o %s\n'
    assert_success
    assert_output $'0 x1\n1 x2\n2 x3'
    wait_until reads b f 1 'x1 x2 x3 '
}

@test "a Produce sent to a follower is refused with NOT_LEADER_OR_FOLLOWER, whatever its acks, and writes nothing" {
    # --min-insync 2 on the follower: acks=all must still say "not the leader", not "not enough replicas".
    a_and_b --min-insync 2
    gafka-admin create-topic --broker "127.0.0.1:${PORT[a]}" --name g --partitions 1 >/dev/null
    wait_until leaders_are b g '[[0,1]]'
    run produce_raw b g 0 1 v
    assert_output 6
    run produce_raw b g 0 -1 v
    assert_output 6
    run produce_raw a g 0 1 v
    assert_output 0
    run --separate-stderr kcat_on a -C -t g -p 0 -o beginning -e -f '%o %s\n'
    assert_output '0 v'
}
