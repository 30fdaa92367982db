#!/usr/bin/env bats
# Replication with two real brokers (DESIGN.md section 7, docs/operations.md):
# a follower's byte-identical copy, acks=all and --min-insync, the high
# watermark, 421 routing, failover with kill -9 and promote, the divergent
# tail of a returning former leader, a follower that catches up, and one
# that grows its copy of a topic grown on the leader.
#
# Brokers are named a and b; node_* below start, stop and kill them by name,
# each on its own free port with its data dir in $BATS_TEST_TMPDIR/<name>.

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

setup() {
    declare -gA PORT=() PID=() LOG=() KPORT=()
    T=$BATS_TEST_TMPDIR
}

teardown() {
    [[ -n ${PRODUCER:-} ]] && kill -KILL "$PRODUCER" 2>/dev/null
    stop_all_brokers
}

# --- brokers by name ---------------------------------------------------------

# node_start NAME [gafka-broker args]: starts (or restarts, on the same port)
# broker NAME with its data in $T/NAME.
node_start() {
    local name=$1
    shift
    BROKER_DATA=$T/$name
    BROKER_PORT=${PORT[$name]:-}
    start_broker "$@"
    PORT[$name]=$BROKER_PORT
    PID[$name]=$BROKER_PID
    LOG[$name]=$BROKER_LOG
    KPORT[$name]=$BROKER_KAFKA_PORT
}

node_stop() {
    BROKER_PID=${PID[$1]}
    stop_broker
}

node_kill9() {
    BROKER_PID=${PID[$1]}
    kill9_broker
}

# leader_start / follower_start NAME ID [args]: a leader; a follower of a.
leader_start() {
    local name=$1 id=$2
    shift 2
    node_start "$name" --id "$id" "$@"
}

follower_start() {
    local name=$1 id=$2 of=$3
    shift 3
    node_start "$name" --id "$id" --role follower --leader "127.0.0.1:${PORT[$of]}" "$@"
}

addr() { printf '127.0.0.1:%s' "${PORT[$1]}"; }

# meta NAME JQ: a jq expression over broker NAME's /api/v1/metadata.
meta() {
    curl -s --max-time 5 "http://$(addr "$1")/api/v1/metadata" | jq -c "$2"
}

# has_topic NAME TOPIC: NAME knows TOPIC (a follower mirrors it).
has_topic() {
    [[ -n $(meta "$1" ".topics[] | select(.name == \"$2\") | .name") ]]
}

# isr_is NAME TOPIC PARTITION JSON: NAME reports that isr for the partition.
isr_is() {
    [[ $(meta "$1" ".topics[] | select(.name == \"$2\") | .partitions[$3].isr") == "$4" ]]
}

# ends_match TOPIC: every partition of TOPIC has the same log end on a and b,
# and b's log end equals what a says b has (b's fetch reported it).
ends_match() {
    local q=".topics[] | select(.name == \"$1\") | [.partitions[].log_end_offset]"
    local ea eb
    ea=$(meta a "$q") && eb=$(meta b "$q") && [[ -n $ea && $ea == "$eb" ]]
}

# same_logs TOPIC: gafka-walcheck --dump of the topic on a and b agree
# (records, offsets, timestamps, keys, values, headers: the same bytes).
same_logs() {
    gafka-walcheck --dump "$T/a/topics/$1" >"$T/a.dump" || fail "walcheck of a failed"
    gafka-walcheck --dump "$T/b/topics/$1" >"$T/b.dump" || fail "walcheck of b failed"
    [[ -s $T/a.dump ]] || fail "nothing in a's copy of $1"
    diff "$T/a.dump" "$T/b.dump" || fail "the logs of $1 differ between a and b"
}

# kafka_leaders NAME TOPIC: [[partition, leader, leader_epoch], ...] of
# TOPIC in a Kafka Metadata v7 answer from NAME's Kafka listener.
kafka_leaders() {
    python3 - "${KPORT[$1]}" "$2" <<'PY'
import json, socket, struct, sys
port, topic = int(sys.argv[1]), sys.argv[2].encode()
body = struct.pack(">hhih", 3, 7, 1, 1) + b"t" + struct.pack(">ih", 1, len(topic)) + topic + b"\0"
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(struct.pack(">i", len(body)) + body)
buf = b""
while len(buf) < 4 or len(buf) < 4 + struct.unpack(">i", buf[:4])[0]:
    chunk = s.recv(65536)
    if not chunk:
        sys.exit("the broker closed the connection")
    buf += chunk
at = 12  # size, correlation id, throttle time
def take(fmt):
    global at
    (v,) = struct.unpack_from(fmt, buf, at)
    at += struct.calcsize(fmt)
    return v
def string():
    global at
    n = max(take(">h"), 0)
    at += n
    return buf[at - n:at]
for _ in range(take(">i")):  # brokers: id, host, port, rack
    take(">i"), string(), take(">i"), string()
string(), take(">i")  # cluster id, controller id
out = []
for _ in range(take(">i")):  # topics: error, name, is_internal, partitions
    take(">h")
    name = string()
    take(">b")
    for _ in range(take(">i")):
        take(">h")
        row = [take(">i"), take(">i"), take(">i")]  # partition, leader, leader epoch
        for _ in range(3):  # replicas, isr, offline replicas
            for _ in range(take(">i")):
                take(">i")
        if name == topic:
            out.append(row)
print(json.dumps(sorted(out), separators=(",", ":")))
PY
}

# produce_n BROKERS TOPIC FROM TO ACKS [PREFIX]: records PREFIX$i, one per line.
produce_n() {
    seq -f "${6:-r}%g" "$3" "$4" | gafka-produce --broker "$1" --topic "$2" --acks "$5" --batch-size 7 ||
        fail "gafka-produce to $1 failed"
}

# --- the copy ----------------------------------------------------------------

@test "records produced with acks=all are on both brokers at the same offsets, byte for byte" {
    leader_start a 1
    follower_start b 2 a
    gafka-admin create-topic --broker "$(addr a)" --name t --partitions 3 >/dev/null
    produce_n "$(addr a)" t 1 300 all
    gafka-produce --broker "$(addr a)" --topic t --json --acks all <<<'{"key":"k","value_b64":"AAEC/w==","headers":{"h":"v"}}' ||
        fail "binary record"
    wait_until isr_is a t 0 '[1,2]'
    run meta b '[.role, .controller_id, (.brokers | map(.id)), .topics[0].partitions[0].replicas]'
    assert_output '["follower",1,[1,2],[1,2]]'
    # Every acks=all record is on b already: stop both and compare the WALs.
    node_stop a
    node_stop b
    same_logs t
    assert_equal "$(wc -l <"$T/a.dump")" 301
}

@test "a follower answers writes with 421 and the leader's address; clients route to the leader" {
    leader_start a 1
    follower_start b 2 a
    gafka-admin create-topic --broker "$(addr a)" --name r --partitions 2 >/dev/null
    wait_until has_topic b r
    run curl -s -o "$T/body" -w '%{http_code}' -X POST "http://$(addr b)/api/v1/produce" -d '{"topic":"r","value":"x"}'
    assert_output 421
    assert_equal "$(jq -c '.error | [.code, .leader, .leader_id]' "$T/body")" "[\"not_leader\",\"$(addr a)\",1]"
    run curl -s -o /dev/null -w '%{http_code}' -X POST "http://$(addr b)/api/v1/topics" -d '{"name":"x"}'
    assert_output 421
    # Reads are served by the follower, up to the high watermark.
    run curl -s -o /dev/null -w '%{http_code}' "http://$(addr b)/api/v1/consume?topic=r&partition=0&offset=0"
    assert_output 200
    # Given only the follower, the programs learn the leader and carry on.
    produce_n "$(addr b)" r 1 20 all
    run --separate-stderr gafka-produce --broker "$(addr b)" --topic r --partition 1 --message m1 --print-acks
    assert_success
    assert_equal "$(jq -c '[.line, .partition]' <<<"$output")" '[1,1]'
    run --separate-stderr gafka-consume --broker "$(addr b)" --topic r --from-beginning --exit-at-end --format value
    assert_success
    assert_equal "$(wc -l <<<"$output")" 21
}

@test "consumers read only up to the high watermark; a lagging in-sync follower holds it back" {
    leader_start a 1 --replica-lag-max 30s
    follower_start b 2 a
    gafka-admin create-topic --broker "$(addr a)" --name h --partitions 1 >/dev/null
    produce_n "$(addr a)" h 1 10 all
    node_stop b  # still in the ISR for 30 s
    produce_n "$(addr a)" h 11 15 1
    run meta a '.topics[0].partitions[0] | [.log_end_offset, .high_watermark, .isr]'
    assert_output '[15,10,[1,2]]'
    run curl -s "http://$(addr a)/api/v1/consume?topic=h&partition=0&offset=0&count=100"
    assert_equal "$(jq -c '[(.records | length), .high_watermark]' <<<"$output")" '[10,10]'
    follower_start b 2 a
    wait_until isr_is a h 0 '[1,2]'
    hw_is_15() { [[ $(meta a '.topics[0].partitions[0].high_watermark') == 15 ]]; }
    wait_until hw_is_15
    run curl -s "http://$(addr a)/api/v1/consume?topic=h&partition=0&offset=0&count=100"
    assert_equal "$(jq -c '(.records | length)' <<<"$output")" 15
}

@test "acks=all with fewer in-sync replicas than --min-insync is 503 and writes nothing; acks=1 is fine" {
    leader_start a 1 --min-insync 2 --replica-lag-max 1s
    gafka-admin create-topic --broker "$(addr a)" --name m --partitions 1 >/dev/null
    run curl -s -o "$T/body" -w '%{http_code}' -X POST "http://$(addr a)/api/v1/produce?acks=all" -d '{"topic":"m","value":"x"}'
    assert_output 503
    assert_equal "$(jq -r .error.code "$T/body")" not_enough_replicas
    assert_equal "$(meta a '.topics[0].partitions[0].log_end_offset')" 0
    run curl -s -o /dev/null -w '%{http_code}' -X POST "http://$(addr a)/api/v1/produce?acks=1" -d '{"topic":"m","value":"x"}'
    assert_output 200
    follower_start b 2 a
    wait_until isr_is a m 0 '[1,2]'
    run curl -s -o /dev/null -w '%{http_code}' -X POST "http://$(addr a)/api/v1/produce?acks=all" -d '{"topic":"m","value":"y"}'
    assert_output 200
    # The follower goes away: after --replica-lag-max it leaves the ISR and acks=all is refused again.
    node_stop b
    wait_until isr_is a m 0 '[1]'
    run curl -s -o /dev/null -w '%{http_code}' -X POST "http://$(addr a)/api/v1/produce?acks=all" -d '{"topic":"m","value":"z"}'
    assert_output 503
}

@test "follower lag is in /metrics and in gafka-admin metadata" {
    leader_start a 1
    follower_start b 2 a
    gafka-admin create-topic --broker "$(addr a)" --name l --partitions 1 >/dev/null
    produce_n "$(addr a)" l 1 5 all
    wait_until isr_is a l 0 '[1,2]'
    run --separate-stderr gafka-admin metadata --broker "$(addr a)"
    assert_success
    assert_equal "$(jq -c '.topics[0].partitions[0].followers[0] | [.id, .log_end_offset, .lag, .in_sync]' <<<"$output")" '[2,5,0,true]'
    run curl -s "http://$(addr a)/metrics"
    assert_line 'gafka_replica_lag_records{topic="l",partition="0",replica="2"} 0'
    assert_line 'gafka_replica_in_sync{topic="l",partition="0",replica="2"} 1'
    assert_line 'gafka_isr_size{topic="l",partition="0"} 2'
    run curl -s "http://$(addr b)/metrics"
    assert_line 'gafka_leader 0'
    assert_line 'gafka_replica_lag_records{topic="l",partition="0",replica="2"} 0'
}

@test "alter-topic on the leader grows the follower's copy, which copies the new partitions" {
    leader_start a 1
    follower_start b 2 a
    gafka-admin create-topic --broker "$(addr a)" --name g --partitions 1 >/dev/null
    produce_n "$(addr a)" g 1 10 all
    wait_until has_topic b g
    run --separate-stderr gafka-admin alter-topic g --partitions 3 --broker "$(addr a)"
    assert_success
    b_has_3() { [[ $(meta b '.topics[] | select(.name == "g") | .partitions | length') == 3 ]]; }
    wait_until b_has_3
    grep -q "topic 'g' has 3 partitions, as on the leader" "${LOG[b]}" || fail "no growth logged: $(cat "${LOG[b]}")"
    seq -f 'n%g' 1 5 | gafka-produce --broker "$(addr a)" --topic g --partition 2 --acks all ||
        fail "gafka-produce to the new partition failed"
    wait_until isr_is a g 2 '[1,2]'
    # The follower serves them up to the high watermark the leader sent it.
    on_b() {
        [[ $(curl -s --max-time 5 "http://$(addr b)/api/v1/consume?topic=g&partition=2&offset=0&count=100" |
            jq -c '[.records[].value]') == '["n1","n2","n3","n4","n5"]' ]]
    }
    wait_until on_b
    wait_until ends_match g
    node_stop a
    node_stop b
    same_logs g
    assert_equal "$(wc -l <"$T/a.dump")" 15
}

# --- failover ------------------------------------------------------------------

# acks_after N: the producer has printed more than N acknowledgements.
acks_after() { (($(wc -l <"$T/acks") > $1)); }

@test "failover: kill -9 the leader under an acks=all producer, promote the follower, lose no acknowledged record" {
    leader_start a 1
    follower_start b 2 a
    gafka-admin create-topic --broker "$(addr a)" --name f --partitions 1 >/dev/null
    wait_until has_topic b f
    mkfifo "$T/in"
    gafka-produce --broker "$(addr a),$(addr b)" --topic f --acks all --print-acks --retries 40 \
        --batch-size 10 --linger 5ms <"$T/in" >"$T/acks" 2>"$T/produce.err" 3>&- &
    PRODUCER=$!
    exec 5>"$T/in"
    seq -f 'r%g' 1 200 >&5
    wait_until acks_after 199
    seq -f 'r%g' 201 400 >&5  # in flight when the leader dies
    node_kill9 a
    local killed_at acked_at_kill promoted_at first_at i
    killed_at=$(date +%s%N)
    acked_at_kill=$(wc -l <"$T/acks")
    run --separate-stderr gafka-admin promote --broker 2 --bootstrap-server "$(addr a),$(addr b)"
    promoted_at=$(date +%s%N)
    assert_success
    assert_equal "$(jq -c '[.broker_id, .role, .leader_epoch, .changed]' <<<"$output")" '[2,"leader",1,true]'
    seq -f 'r%g' 401 600 >&5
    for ((i = 0; i < 1500; i++)); do  # bounded: 30 s
        acks_after "$acked_at_kill" && break
        sleep 0.02
    done
    first_at=$(date +%s%N)
    acks_after "$acked_at_kill" || fail "no produce succeeded on the new leader: $(cat "$T/produce.err")"
    echo "# failover: kill -9 -> first acks=all produce on the new leader: $(((first_at - killed_at) / 1000000)) ms" \
        "(promote took $(((promoted_at - killed_at) / 1000000)) ms, then $(((first_at - promoted_at) / 1000000)) ms)" >&3
    exec 5>&-
    wait "$PRODUCER" || fail "gafka-produce failed: $(cat "$T/produce.err")"
    PRODUCER=""
    assert_equal "$(wc -l <"$T/acks")" 600
    # Every acknowledged record is on the new leader at its acknowledged offset, in order.
    gafka-consume --broker "$(addr b)" --topic f --from-beginning --exit-at-end >"$T/consumed"
    run jq -sc --slurpfile got "$T/consumed" '
        ($got | map({key: (.offset | tostring), value: .value}) | from_entries) as $at
        | [.[] | select($at[.offset | tostring] != "r\(.line)")] | length' "$T/acks"
    assert_output 0
    run jq -sc 'sort_by(.line) | [.[].offset] | . == sort and (unique | length) == length' "$T/acks"
    assert_output true
}

@test "a former leader brought back as a follower cuts its divergent tail and ends byte-identical" {
    leader_start a 1
    follower_start b 2 a
    gafka-admin create-topic --broker "$(addr a)" --name d --partitions 1 >/dev/null
    produce_n "$(addr a)" d 1 50 all
    node_stop b
    produce_n "$(addr a)" d 51 60 1 old  # only a has offsets 50..59
    node_kill9 a
    follower_start b 2 a
    gafka-admin promote --broker 2 --bootstrap-server "$(addr b)" >/dev/null || fail "promote failed"
    produce_n "$(addr b)" d 61 90 all new  # epoch 1 at offsets 50..79 on b
    follower_start a 1 b
    wait_until isr_is b d 0 '[2,1]'
    wait_until ends_match d
    grep -q 'cut the divergent tail: offsets 50..59' "${LOG[a]}" || fail "no truncation logged: $(cat "${LOG[a]}")"
    run meta a '[.role, .controller_id, .leader_epoch]'
    assert_output '["follower",2,1]'
    node_stop a
    node_stop b
    same_logs d
    run grep -c '"value":"old' "$T/a.dump"
    assert_output 0
    assert_equal "$(wc -l <"$T/a.dump")" 80
}

@test "a follower's partitions take the leader's epoch: Kafka Metadata on it names the new leader at the new epoch" {
    leader_start a 1
    follower_start b 2 a
    gafka-admin create-topic --broker "$(addr a)" --name e --partitions 2 >/dev/null
    kafka_leaders_are() { [[ $(kafka_leaders "$1" e) == "$2" ]]; }
    wait_until kafka_leaders_are b '[[0,1,0],[1,1,0]]'
    node_stop a
    gafka-admin promote --broker 2 --bootstrap-server "$(addr b)" >/dev/null || fail "promote failed"
    follower_start a 1 b  # its partitions open at epoch 0, the epoch it led at
    wait_until kafka_leaders_are a '[[0,2,1],[1,2,1]]'
    run kafka_leaders b e
    assert_output '[[0,2,1],[1,2,1]]'
}

@test "a follower that was stopped catches up after its restart and rejoins the isr" {
    leader_start a 1 --replica-lag-max 1s
    follower_start b 2 a
    gafka-admin create-topic --broker "$(addr a)" --name c --partitions 2 >/dev/null
    produce_n "$(addr a)" c 1 100 all
    node_stop b
    wait_until isr_is a c 0 '[1]'
    produce_n "$(addr a)" c 101 300 all  # the leader alone is the ISR now
    run meta a '.topics[0].partitions | map(.followers[0].in_sync)'
    assert_output '[false,false]'
    follower_start b 2 a
    wait_until isr_is a c 0 '[1,2]'
    wait_until isr_is a c 1 '[1,2]'
    run meta a '.topics[0].partitions | map(.followers[0].lag)'
    assert_output '[0,0]'
    node_stop a
    node_stop b
    same_logs c
    assert_equal "$(wc -l <"$T/a.dump")" 300
}

@test "bad replication flags are usage errors; promote finds its broker or says why" {
    run --separate-stderr gafka-broker --data-dir "$T/x" --role follower
    assert_failure 2
    assert_regex "$stderr" 'needs --leader'
    run --separate-stderr gafka-broker --data-dir "$T/x" --leader 127.0.0.1:1
    assert_failure 2
    run --separate-stderr gafka-broker --data-dir "$T/x" --role boss
    assert_failure 2
    run --separate-stderr gafka-broker --data-dir "$T/x" --replica-lag-max 0
    assert_failure 2
    run --separate-stderr gafka-admin promote --broker one
    assert_failure 2
    leader_start a 1
    run --separate-stderr gafka-admin promote --broker 9 --bootstrap-server "$(addr a)"
    assert_failure 1
    assert_regex "$stderr" 'no broker 9'
    run --separate-stderr gafka-admin promote --broker 1 --bootstrap-server "$(addr a)"
    assert_success
    assert_equal "$(jq -c '[.role, .changed]' <<<"$output")" '["leader",false]'
}
