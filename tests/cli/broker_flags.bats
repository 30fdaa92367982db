#!/usr/bin/env bats
# gafka-broker refuses an out-of-range number at start, as a usage error
# (exit 2) with a message naming the flag and its range, before it creates
# anything in the data dir: on the command line and in a --config file
# alike (man/gafka-broker.1). Before, --segment-bytes 100 started a broker
# whose every produce then failed.

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

teardown() { stop_all_brokers; }

# Every numeric flag of gafka-broker and its range: "FLAG LO HI".
RANGES=(
    "--id 0 2147483647"
    "--port 0 65535"
    "--kafka-port 0 65535"
    "--default-partitions 1 100"
    "--segment-bytes 1024 4227858431"
    "--io-threads 1 64"
    "--min-insync 1 16"
    "--max-connections 1 1000000"
    "--max-body-bytes 1024 1073741824"
    "--max-header-bytes 1024 1048576"
    "--max-long-polls 0 1000000"
    "--replication-factor 1 100"
)

# refused HOW FLAG VALUE LO HI: gafka-broker given FLAG=VALUE on the command
# line (HOW=flag) or in a --config file (HOW=config) exits 2, names the flag
# and its range, and leaves no data dir behind.
refused() {
    local how=$1 flag=$2 value=$3 lo=$4 hi=$5 data=$BATS_TEST_TMPDIR/data-$RANDOM
    local args=(--data-dir "$data")
    [[ $flag == --port ]] || args+=(--port 0)
    if [[ $how == flag ]]; then
        args+=("$flag" "$value")
    else
        printf '%s = %s\n' "${flag#--}" "$value" >"$BATS_TEST_TMPDIR/broker.toml"
        args+=(--config "$BATS_TEST_TMPDIR/broker.toml")
    fi
    run --separate-stderr timeout 20 gafka-broker "${args[@]}"
    [[ $status == 2 ]] || fail "$how $flag $value: exit $status, stderr: $stderr"
    [[ $stderr == *"$flag: $value is not in $lo..$hi"* ]] || fail "$how $flag $value: stderr: $stderr"
    [[ ! -e $data ]] || fail "$how $flag $value: created $data"
}

@test "the table below names every numeric flag gafka-broker has" {
    run gafka-broker --help
    assert_success
    local listed=() flag
    for r in "${RANGES[@]}"; do listed+=("${r%% *}"); done
    # Numeric options show INT, UINT or a range in the help.
    while read -r flag; do
        [[ " ${listed[*]} " == *" $flag "* ]] || fail "$flag is numeric but not in RANGES"
    done < <(grep -oE -- '--[a-z-]+ (INT|UINT)[^ ]*' <<<"$output" | cut -d' ' -f1)
}

@test "every numeric flag out of its range is a usage error naming the flag and its range, on the command line and in --config" {
    local r flag lo hi how value
    for r in "${RANGES[@]}"; do
        read -r flag lo hi <<<"$r"
        for how in flag config; do
            for value in $((lo - 1)) $((hi + 1)) 99999999999 -99999999999; do
                refused "$how" "$flag" "$value" "$lo" "$hi"
            done
        done
    done
}

@test "--segment-bytes 100 is refused at start, where it used to fail every produce" {
    refused flag --segment-bytes 100 1024 4227858431
    refused flag --segment-bytes 0 1024 4227858431
}

@test "a number that is no number is a usage error naming the flag" {
    run --separate-stderr timeout 20 gafka-broker --data-dir "$BATS_TEST_TMPDIR/x" --port 0 --io-threads two
    assert_equal "$status" 2
    [[ $stderr == *"--io-threads: 'two' is not a whole number"* ]] || fail "stderr: $stderr"
    [[ ! -e $BATS_TEST_TMPDIR/x ]] || fail "created the data dir"
}

@test "--fsync-gather takes a number from 0 to 10, fractions too, and refuses the rest naming the flag" {
    local how value
    for how in flag config; do
        for value in -0.5 10.5 1e9 nan; do
            refused "$how" --fsync-gather "$value" 0 10
        done
    done
    run --separate-stderr timeout 20 gafka-broker --data-dir "$BATS_TEST_TMPDIR/x" --port 0 --fsync-gather lots
    assert_equal "$status" 2
    [[ $stderr == *"--fsync-gather: 'lots' is not a number"* ]] || fail "stderr: $stderr"
    [[ ! -e $BATS_TEST_TMPDIR/x ]] || fail "created the data dir"
    # In range, fractions included: the broker starts and takes a durable produce.
    start_broker --fsync-gather 0.5
    run gafka-produce --topic t <<<"v"
    assert_success
}

# The congestion control of the connection accepted on 127.0.0.1:PORT, as
# ss(8) shows it (the broker's end: source port PORT).
congestion_on_port() {
    ss -tinH state established "( sport = :$1 )" | grep -oE '^[[:space:]]+[a-z0-9_]+ ' | tr -d '[:space:]'
}

@test "--tcp-congestion: both ports' connections use it; a name the kernel does not offer is a usage error" {
    local how data
    for how in flag config; do
        data=$BATS_TEST_TMPDIR/data-$how
        if [[ $how == flag ]]; then
            run --separate-stderr timeout 20 gafka-broker --data-dir "$data" --port 0 --tcp-congestion no-such-cc
        else
            printf 'tcp-congestion = "no-such-cc"\n' >"$BATS_TEST_TMPDIR/broker.toml"
            run --separate-stderr timeout 20 gafka-broker --data-dir "$data" --port 0 --config "$BATS_TEST_TMPDIR/broker.toml"
        fi
        assert_equal "$status" 2
        [[ $stderr == *"--tcp-congestion no-such-cc is not offered by this kernel (net.ipv4.tcp_available_congestion_control: "*reno* ]] ||
            fail "$how: stderr: $stderr"
        [[ ! -e $data ]] || fail "$how: created $data"
    done
    # reno is in every kernel; another than the system's, so that it shows.
    local other=reno
    [[ $(</proc/sys/net/ipv4/tcp_congestion_control) == reno ]] && other=cubic
    start_broker --tcp-congestion "$other"
    exec 5<>"/dev/tcp/127.0.0.1/$BROKER_PORT" 6<>"/dev/tcp/127.0.0.1/$BROKER_KAFKA_PORT"  # not 3: bats's
    local http kafka
    http=$(congestion_on_port "$BROKER_PORT")
    kafka=$(congestion_on_port "$BROKER_KAFKA_PORT")
    exec 5<&- 6<&-
    assert_equal "$http" "$other"
    assert_equal "$kafka" "$other"
    # And records still go through both ports.
    run gafka-produce --topic t <<<"v"
    assert_success
    run kcat -b "127.0.0.1:$BROKER_KAFKA_PORT" -C -t t -o beginning -e -q
    assert_output "v"
}
