#!/usr/bin/env bats
# Kafka clients against gafka (issue 18, docs/kafka.md): kcat 1.7
# (librdkafka 2.0) writes records that gafka-consume reads, and reads what
# gafka-produce wrote, at the same offsets, keys, values and headers, byte
# for byte; kcat -G consumer groups share partitions, commit offsets that
# gafka-admin and /metrics show, and do not mix with gafka's HTTP groups.
# Every kcat started here is stopped in teardown.

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154,SC2030,SC2031

bats_require_minimum_version 1.5.0

load helpers

STARTED=()

setup() {
    T=$BATS_TEST_TMPDIR
}

teardown() {
    local pid i
    for pid in "${STARTED[@]}"; do
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < 200; i++)); do
            broker_running "$pid" || break
            sleep 0.05
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    stop_all_brokers
}

# exited PID: the process has exited.
exited() {
    ! broker_running "$1"
}

# kcat_to ARGS...: kcat against the test broker's Kafka port, bounded.
kcat_to() {
    timeout 30 kcat -b "127.0.0.1:$BROKER_KAFKA_PORT" "$@"
}

# hex FILE: FILE's bytes as one line of hex.
hex() {
    od -An -v -tx1 "$1" | tr -d ' \n'
}

# all_bytes FILE: writes the 256 byte values, 0 to 255, to FILE.
all_bytes() {
    python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)))' >"$1"
}

# start_member NAME GROUP TOPIC [kcat args...]: a kcat -G member in the
# background, reading from the earliest offset and committing every 100 ms;
# its records go to $T/NAME.out as "partition offset key value" lines, its
# messages (rebalances) to $T/NAME.err. Sets MEMBER_PID.
start_member() {
    local name=$1 group=$2 topic=$3
    shift 3
    kcat -b "127.0.0.1:$BROKER_KAFKA_PORT" -G "$group" -u \
        -X auto.offset.reset=earliest -X auto.commit.interval.ms=100 \
        -f '%p %o %k %s\n' "$@" "$topic" </dev/null >"$T/$name.out" 2>"$T/$name.err" 3>&- &
    MEMBER_PID=$!
    STARTED+=("$MEMBER_PID")
}

# assigned NAME: the partitions of the member's last rebalance, if that
# was an assignment ("t [0], t [2]" -> "0 2"); nothing after a revoke.
assigned() {
    grep 'rebalanced' "$T/$1.err" 2>/dev/null | tail -1 | grep 'assigned:' |
        sed 's/.*assigned: //' | grep -o '\[[0-9]*\]' | tr -d '[]' | sort -n | paste -sd' '
}

# members_hold A B PARTITIONS: members A and B are both assigned, and
# between them they hold PARTITIONS ("0 1 2 3"), each once.
members_hold() {
    local a b
    a=$(assigned "$1") b=$(assigned "$2")
    [[ -n $a && -n $b ]] || return 1
    [[ $(tr ' ' '\n' <<<"$a $b" | sort -n | paste -sd' ') == "$3" ]]
}

# lines_in N FILES...: the files hold N lines between them.
lines_in() {
    local n=$1
    shift
    [[ $(cat "$@" 2>/dev/null | wc -l) == "$n" ]]
}

# committed GROUP JSON: the group's committed offsets, as describe-group
# shows them ([[topic, partition, offset]...]), are JSON.
committed() {
    [[ $(gafka-admin describe-group --group "$1" 2>/dev/null |
        jq -c '[.partitions[] | [.topic, .partition, .committed_offset]]') == "$2" ]]
}

# produce_spread TOPIC N PARTITIONS: records "k<i>"/"v<i>", i = 1..N, over
# HTTP, record i to partition i % PARTITIONS.
produce_spread() {
    local i
    for ((i = 1; i <= $2; i++)); do
        printf '{"partition":%d,"key":"k%d","value":"v%d"}\n' $((i % $3)) "$i" "$i"
    done | gafka-produce --topic "$1" --json >/dev/null || fail "gafka-produce to $1 failed"
}

@test "kcat -P writes keys, binary values and headers that gafka-consume reads at the same offsets" {
    start_broker
    create_topic kc 1
    # Two keyed lines (the second's value is not UTF-8 and holds a NUL), then a
    # file as one message: every byte value, newlines included, no key.
    printf 'k1\tv1\nk2\tv\xff\xfe\x002\n' |
        kcat_to -P -t kc -p 0 -K '\t' -H h1=x -H h2=y || fail "kcat -P failed"
    all_bytes "$T/bin"
    kcat_to -P -t kc -p 0 -H file=yes "$T/bin" || fail "kcat -P FILE failed"
    run --separate-stderr gafka-consume --topic kc --from-beginning --exit-at-end
    assert_success
    assert_equal "$(jq -c '[.partition, .offset, .key, .value, .value_b64, .headers]' <<<"$output")" \
        "$(printf '%s\n' '[0,0,"k1","v1",null,{"h1":"x","h2":"y"}]' \
            "[0,1,\"k2\",null,\"$(printf 'v\xff\xfe\x002' | base64)\",{\"h1\":\"x\",\"h2\":\"y\"}]" \
            "[0,2,null,null,\"$(base64 -w0 "$T/bin")\",{\"file\":\"yes\"}]")"
}

@test "gafka-produce writes records that kcat -C -e reads at the same offsets, byte for byte" {
    start_broker
    create_topic gp 2
    all_bytes "$T/bin"
    printf '%s\n' '{"partition":0,"key":"a","value":"first","headers":{"h":"1","g":"2"}}' \
        '{"partition":1,"key":"b","value":"second"}' \
        "{\"partition\":1,\"key\":\"c\",\"value_b64\":\"$(base64 -w0 "$T/bin")\",\"headers\":{\"bin\":\"yes\"}}" \
        '{"partition":0,"value":"no key"}' |
        gafka-produce --topic gp --json >/dev/null || fail "gafka-produce failed"
    run --separate-stderr kcat_to -C -e -q -t gp -f '%p %o %k %h|%S\n'
    assert_success
    assert_equal "$(sort <<<"$output")" "$(printf '%s\n' '0 0 a h=1,g=2|5' '0 1  |6' '1 0 b |6' '1 1 c bin=yes|256')"
    # The binary value, byte for byte.
    kcat_to -C -e -q -t gp -p 1 -o 1 -c 1 -f '%s' >"$T/read" || fail "kcat -C failed"
    assert_equal "$(hex "$T/read")" "$(hex "$T/bin")"
}

@test "kcat -C -e -o starts at an offset, and at an offset from the end" {
    start_broker
    create_topic from 1
    seq 1 10 | gafka-produce --topic from >/dev/null || fail "gafka-produce failed"
    run --separate-stderr kcat_to -C -e -q -t from -p 0 -o 6 -f '%o:%s\n'
    assert_success
    assert_equal "$(paste -sd' ' <<<"$output")" '6:7 7:8 8:9 9:10'
    run --separate-stderr kcat_to -C -e -q -t from -p 0 -o -2 -f '%o:%s\n'
    assert_success
    assert_equal "$(paste -sd' ' <<<"$output")" '8:9 9:10'
    run --separate-stderr kcat_to -C -e -q -t from -p 0 -o beginning -c 1 -f '%o:%s\n'
    assert_success
    assert_output '0:1'
}

@test "kcat -G: two members share a 4-partition topic and read every record exactly once between them" {
    start_broker
    create_topic shared 4
    start_member a pool shared
    start_member b pool shared
    wait_until members_hold a b "0 1 2 3"
    produce_spread shared 200 4
    wait_until lines_in 200 "$T/a.out" "$T/b.out"
    # Every record once, at the offset gafka gave it, from the member that
    # holds its partition.
    local want
    want=$(for ((i = 1; i <= 200; i++)); do echo "$((i % 4)) $(((i - 1) / 4)) k$i v$i"; done | sort)
    assert_equal "$(cat "$T/a.out" "$T/b.out" | sort)" "$want"
    local p
    for p in $(assigned a); do
        assert_equal "$(awk -v p="$p" '$1 != p' "$T/b.out" | wc -l)" "$(wc -l <"$T/b.out")"
    done
    assert [ -s "$T/a.out" ]
    assert [ -s "$T/b.out" ]
}

# holds NAME PARTITIONS: the member's last rebalance assigned it PARTITIONS ("0 1").
holds() {
    [[ $(assigned "$1") == "$2" ]]
}

# offsets_from FILE FROM: FILE holds offsets FROM..FROM+4 of partitions 0 and 1, each once.
offsets_from() {
    assert_equal "$(cut -d' ' -f1,2 "$1" | sort | paste -sd' ')" \
        "$(for p in 0 1; do for ((o = $2; o < $2 + 5; o++)); do echo "$p $o"; done; done | paste -sd' ')"
}

@test "kcat -G with one group.instance.id: a second process fences the first, and a restart takes over at once" {
    start_broker
    create_topic st 2
    produce_spread st 10 2
    # Static membership (KIP-345). A session timeout of 120 s: a restarted
    # member that had to wait for its old self's session to pass would not
    # read within wait_until's 30 s.
    local static=(-X group.instance.id=host-1 -X session.timeout.ms=120000)
    start_member first fixed st "${static[@]}"
    local first=$MEMBER_PID
    wait_until lines_in 10 "$T/first.out"
    wait_until committed fixed '[["st",0,5],["st",1,5]]'
    # A second process with the same identity takes its place; the first
    # is fenced (82), which librdkafka makes fatal, and stops.
    start_member second fixed st "${static[@]}"
    wait_until exited "$first"
    grep -q 'fenced' "$T/first.err" || fail "first: $(cat "$T/first.err")"
    wait_until holds second "0 1"
    # gafka-admin shows the Kafka group as it is: one member, the leader,
    # with its instance id, client id and host; generation 1.
    run --separate-stderr gafka-admin describe-group --group fixed
    assert_success
    assert_equal "$(jq -c '[.protocol, .state, .generation, .assignor, (.members | length),
        (.members[0] | [.leader, .instance_id, .client_id, .client_host])]' <<<"$output")" \
        '["kafka","stable",1,"range",1,[true,"host-1","rdkafka","/127.0.0.1"]]'
    run --separate-stderr gafka-admin list-groups
    assert_success
    assert_output '{"group_id":"fixed","protocol":"kafka","generation":1,"members":1}'
    produce_spread st 10 2
    wait_until lines_in 10 "$T/second.out"
    offsets_from "$T/second.out" 5
    assert_equal "$(wc -l <"$T/first.out")" 10
    wait_until committed fixed '[["st",0,10],["st",1,10]]'
    # A crash and a restart: no LeaveGroup, and no wait for a session timeout.
    kill -KILL "$MEMBER_PID"
    wait_until exited "$MEMBER_PID"
    produce_spread st 10 2
    start_member third fixed st "${static[@]}"
    wait_until lines_in 10 "$T/third.out"
    offsets_from "$T/third.out" 10
    # One generation throughout: neither newcomer made the group rebalance.
    assert_equal "$(grep -c 'group fixed: generation' "$BROKER_LOG")" 1
}

@test "a kcat -G group's committed offsets show in gafka-admin describe-group and its lag in /metrics" {
    start_broker
    create_topic lagged 2
    produce_spread lagged 10 2
    start_member solo billing lagged
    wait_until lines_in 10 "$T/solo.out"
    wait_until committed billing '[["lagged",0,5],["lagged",1,5]]'
    # Leaving commits what it read; records produced then are the lag.
    kill -TERM "$MEMBER_PID"
    wait_until exited "$MEMBER_PID"
    seq 1 3 | gafka-produce --topic lagged --partition 1 >/dev/null
    run gafka-admin describe-group --group billing
    assert_success
    assert_equal "$(jq -c '[.partitions[] | [.partition, .committed_offset, .log_end_offset, .lag]], .total_lag' <<<"$output")" \
        "$(printf '%s\n' '[[0,5,5,0],[1,5,8,3]]' 3)"
    run curl -sf "$BROKER_URL/metrics"
    assert_success
    assert_equal "$(grep -E '^gafka_group_(total_)?lag\{group="billing"' <<<"$output")" \
        "$(printf '%s\n' 'gafka_group_lag{group="billing",topic="lagged",partition="0"} 0' \
            'gafka_group_lag{group="billing",topic="lagged",partition="1"} 3' \
            'gafka_group_total_lag{group="billing"} 3')"
}

@test "a group id is one protocol's: gafka-consume is refused a kcat group, kcat -G a gafka-consume group" {
    start_broker
    create_topic mixed 2
    start_member k kgroup mixed
    holds() { [[ $(assigned k) == "0 1" ]]; }
    wait_until holds
    run --separate-stderr timeout 30 gafka-consume --topic mixed --group kgroup --exit-at-end
    assert_failure 1
    assert_output ""
    [[ $stderr == *"group 'kgroup' has Kafka consumers; a group id is served by one protocol at a time"* ]] ||
        fail "$stderr"
    # The Kafka member keeps its partitions.
    assert_equal "$(assigned k)" "0 1"
    # An HTTP member holds hgroup: a Kafka join is INCONSISTENT_GROUP_PROTOCOL (23).
    gafka-consume --topic mixed --group hgroup </dev/null >"$T/h.out" 2>"$T/h.err" 3>&- &
    STARTED+=("$!")
    http_member() { gafka-admin describe-group --group hgroup 2>/dev/null | jq -e '.members | length == 1' >/dev/null; }
    wait_until http_member
    run --separate-stderr kcat_to -G hgroup -X auto.offset.reset=earliest mixed
    assert_failure
    [[ $stderr == *"JoinGroup failed: Broker: Inconsistent group protocol"* ]] || fail "$stderr"
    run gafka-admin describe-group --group hgroup
    assert_equal "$(jq '.members | length' <<<"$output")" 1
}

@test "kcat -L -J after kcat -P shows each partition led by the broker, and kcat -Q its end" {
    start_broker
    create_topic led 3
    printf 'a\nb\nc\n' | kcat_to -P -t led -p 2 || fail "kcat -P failed"
    run --separate-stderr kcat_to -L -J -t led
    assert_success
    assert_equal "$(jq -c '.topics[] | [.topic, [.partitions[] | [.partition, .leader]]]' <<<"$output")" \
        '["led",[[0,1],[1,1],[2,1]]]'
    run --separate-stderr kcat_to -Q -t led:2:-1
    assert_success
    assert_output 'led [2] offset 3'
    assert_equal "$(log_end_offsets led)" '[0,0,3]'
}

@test "the broker stops cleanly on SIGTERM after a kcat consumer left while its fetch long-polled" {
    start_broker
    create_topic idle 2
    printf 'a\n' | kcat_to -P -t idle -p 0 || fail "kcat -P failed"
    # A consumer at the end of the topic, whose fetches wait up to 10 s; it
    # goes away while one waits, and the broker stops before that wait ends
    # (it could crash then: the wait's wake-up outlived its io_context).
    kcat -b "127.0.0.1:$BROKER_KAFKA_PORT" -C -u -t idle -X fetch.wait.max.ms=10000 -f '%o:%s\n' \
        </dev/null >"$T/c.out" 2>"$T/c.err" 3>&- &
    local pid=$!
    STARTED+=("$pid")
    read_a() { [[ $(cat "$T/c.out") == 0:a ]]; }
    wait_until read_a
    polling() { curl -sf "$BROKER_URL/metrics" | grep -qx 'gafka_long_polls_waiting [1-9][0-9]*'; }
    wait_until polling
    kill -KILL "$pid"
    wait_until exited "$pid"
    stop_broker
    assert_equal "$BROKER_STATUS" 0
    grep -q 'stopped cleanly' "$BROKER_LOG" || fail "$(cat "$BROKER_LOG")"
}
