#!/usr/bin/env bats
# The runnable examples in examples/, each run as documented against a real
# broker (which they find through GAFKA_BROKERS, as start_broker exports
# it). Every process started here is stopped in teardown.

# `run --separate-stderr` sets $stderr; each @test runs in a subshell, so
# what it changes is its own; single quotes hold code for another shell.
# shellcheck disable=SC2154,SC2030,SC2031,SC2016

bats_require_minimum_version 1.5.0

load helpers

EXAMPLES=$REPO/examples
STARTED=()

teardown() {
    local pid
    for pid in "${STARTED[@]}"; do
        kill -TERM "$pid" 2>/dev/null
        wait_gone "$pid"
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    stop_all_brokers
}

# wait_gone PID: polls (bounded: 200 x 0.05 s) until PID has exited.
wait_gone() {
    local i
    for ((i = 0; i < 200; i++)); do
        broker_running "$1" || return 0
        sleep 0.05
    done
    return 1
}

# records_in TOPIC: the number of records in TOPIC (sum of log end offsets).
records_in() {
    gafka-admin describe-topic --name "$1" | jq '[.partition_info[].log_end_offset] | add'
}

has_records() { [[ $(records_in "$1" 2>/dev/null) == "$2" ]]; }

# --- ship-logs.sh -------------------------------------------------------------

@test "ship-logs.sh ships the lines of a file, follows what is appended and rotation, and exits 0 on SIGTERM" {
    start_broker
    local log=$BATS_TEST_TMPDIR/app.log
    printf 'svc-a|started\nsvc-b|started\n' >"$log"
    FROM_START=1 "$EXAMPLES/ship-logs.sh" "$log" app-logs --key-separator '|' \
        </dev/null >"$BATS_TEST_TMPDIR/ship.out" 2>"$BATS_TEST_TMPDIR/ship.err" 3>&- &
    local pid=$!
    STARTED+=("$pid")
    wait_until has_records app-logs 2
    printf 'svc-a|request 1\nsvc-a|request 2\n' >>"$log"
    wait_until has_records app-logs 4
    # A rotated file is followed too (tail -F).
    mv "$log" "$log.1"
    printf 'svc-b|after rotation\n' >"$log"
    wait_until has_records app-logs 5
    # On SIGTERM the script stops tail; gafka-produce sends what it holds and
    # exits 0, and so does the script.
    kill -TERM "$pid"
    wait_gone "$pid" || fail "ship-logs.sh did not exit on SIGTERM"
    local status=0
    wait "$pid" || status=$?
    assert_equal "$status" 0
    run --separate-stderr gafka-consume --topic app-logs --from-beginning --exit-at-end
    assert_success
    assert_equal "$(jq -c '[.key, .value]' <<<"$output" | sort | tr '\n' ' ')" \
        '["svc-a","request 1"] ["svc-a","request 2"] ["svc-a","started"] ["svc-b","after rotation"] ["svc-b","started"] '
}

# tail_has_read PID FILE: the tail under ship-logs.sh PID has read FILE to its end.
tail_has_read() {
    local child pos fd
    for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do  # space-separated pids
        [[ $(cat /proc/"$child"/comm 2>/dev/null) == tail ]] || continue
        for fd in /proc/"$child"/fd/*; do
            [[ $(readlink "$fd") == "$2" ]] || continue
            pos=$(awk '/^pos:/ { print $2 }' "/proc/$child/fdinfo/${fd##*/}")
            [[ $pos == $(file_size "$2") ]] && return 0
        done
    done
    return 1
}

# produce_has_read PID: ship-logs.sh PID has become gafka-produce (exec) and
# that has read everything its input pipe holds.
produce_has_read() {
    [[ $(cat /proc/"$1"/comm 2>/dev/null) == gafka-produce ]] || return 1
    [[ $(pipe_unread "/proc/$1/fd/0" 2>/dev/null) == 0 ]]
}

@test "ship-logs.sh sends the lines gafka-produce still holds when it gets SIGTERM" {
    start_broker
    local log=$BATS_TEST_TMPDIR/app.log
    seq 1 5 >"$log"
    # A linger far longer than the test: nothing is sent before the SIGTERM.
    FROM_START=1 "$EXAMPLES/ship-logs.sh" "$log" held --linger 60s --batch-size 1000 \
        </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/ship.err" 3>&- &
    local pid=$!
    STARTED+=("$pid")
    wait_until tail_has_read "$pid" "$log"
    wait_until produce_has_read "$pid"
    kill -TERM "$pid"
    wait_gone "$pid" || fail "ship-logs.sh did not exit on SIGTERM"
    local status=0
    wait "$pid" || status=$?
    assert_equal "$status" 0
    assert_equal "$(gafka-consume --topic held --from-beginning --exit-at-end | jq -r .value | tr '\n' ' ')" '1 2 3 4 5 '
}

@test "ship-logs.sh without a file and topic is a usage error" {
    run --separate-stderr "$EXAMPLES/ship-logs.sh" only-a-file
    assert_failure 2
    assert_equal "$stderr" "usage: ship-logs.sh FILE TOPIC [gafka-produce options...]"
}

# --- cron-walcheck.sh -----------------------------------------------------------

@test "cron-walcheck.sh is silent for a healthy broker's data dir and writes metrics" {
    start_broker
    seq 1 50 | gafka-produce --topic orders >/dev/null
    mkdir "$BATS_TEST_TMPDIR/textfile"
    GAFKA_DATA_DIR=$BROKER_DATA GAFKA_TEXTFILE_DIR=$BATS_TEST_TMPDIR/textfile run --separate-stderr "$EXAMPLES/cron-walcheck.sh"
    assert_success
    assert_output ""
    assert_equal "$stderr" ""
    run grep -E '^gafka_walcheck_(records|damaged_segments)\{' "$BATS_TEST_TMPDIR/textfile/gafka-walcheck.prom"
    assert_output "gafka_walcheck_damaged_segments{data_dir=\"$BROKER_DATA\"} 0
gafka_walcheck_records{data_dir=\"$BROKER_DATA\"} 50"
    run ls "$BATS_TEST_TMPDIR/textfile"
    assert_output gafka-walcheck.prom
}

@test "cron-walcheck.sh reports damage and a broker that does not answer, and exits 1" {
    start_broker
    seq 1 50 | gafka-produce --topic orders --batch-size 10 >/dev/null
    stop_broker
    local seg=$BROKER_DATA/topics/orders/0/00000000000000000000.log
    flip_byte "$seg" 100
    mkdir "$BATS_TEST_TMPDIR/textfile"
    GAFKA_DATA_DIR=$BROKER_DATA GAFKA_TEXTFILE_DIR=$BATS_TEST_TMPDIR/textfile run --separate-stderr "$EXAMPLES/cron-walcheck.sh"
    assert_failure 1
    assert_line --index 0 "gafka WAL damage in $BROKER_DATA (see man gafka-walcheck, docs/operations.md):"
    assert_line --index 1 "  $seg corrupt 0"
    assert_line --index 2 "gafka broker $GAFKA_BROKERS does not answer /healthz"
    run grep -E '^gafka_walcheck_damaged_segments\{' "$BATS_TEST_TMPDIR/textfile/gafka-walcheck.prom"
    assert_output "gafka_walcheck_damaged_segments{data_dir=\"$BROKER_DATA\"} 1"
}

# --- replay-from-offset.sh ------------------------------------------------------

@test "replay-from-offset.sh prints a partition from an offset to its end" {
    start_broker
    create_topic events 2
    seq 1 10 | gafka-produce --topic events --partition 1 >/dev/null
    run --separate-stderr "$EXAMPLES/replay-from-offset.sh" events 1 6
    assert_success
    assert_equal "$(jq -c '[.partition, .offset, .value]' <<<"$output" | tr '\n' ' ')" \
        '[1,6,"7"] [1,7,"8"] [1,8,"9"] [1,9,"10"] '
}

@test "replay-from-offset.sh with a group rewinds it, and the group reads again from there" {
    start_broker
    seq 1 10 | gafka-produce --topic events >/dev/null
    gafka-consume --topic events --group billing --exit-at-end >/dev/null
    run --separate-stderr "$EXAMPLES/replay-from-offset.sh" events 0 7 billing
    assert_success
    assert_equal "$(jq -c '[.group, .topic, .partition, .current_offset, .new_offset]' <<<"$output")" \
        '["billing","events",0,10,7]'
    run --separate-stderr gafka-consume --topic events --group billing --exit-at-end
    assert_success
    assert_equal "$(jq -c '.offset' <<<"$output" | tr '\n' ' ')" '7 8 9 '
}

# --- replay-from-time.sh --------------------------------------------------------

# stamped_events: records "1".."6" in events/0 stamped 1000 .. 6000 ms after the epoch.
stamped_events() {
    for i in $(seq 1 6); do echo "{\"value\":\"$i\",\"timestamp\":$((i * 1000))}"; done |
        gafka-produce --json --topic events >/dev/null
}

@test "replay-from-time.sh prints every record at or after a time" {
    start_broker
    stamped_events
    run --separate-stderr "$EXAMPLES/replay-from-time.sh" events 1970-01-01T00:00:04Z
    assert_success
    assert_equal "$(jq -c '[.offset, .value]' <<<"$output" | tr '\n' ' ')" '[3,"4"] [4,"5"] [5,"6"] '
    run --separate-stderr "$EXAMPLES/replay-from-time.sh" events -1h
    assert_success
    assert_output ""
    run --separate-stderr "$EXAMPLES/replay-from-time.sh" events last-tuesday
    assert_failure 2
}

@test "replay-from-time.sh with a group rewinds it to the time, and the group reads again from there" {
    start_broker
    stamped_events
    gafka-consume --topic events --group billing --exit-at-end >/dev/null
    DRY_RUN=1 run --separate-stderr "$EXAMPLES/replay-from-time.sh" events 5000 billing
    assert_success
    assert_equal "$(jq -c '[.current_offset, .new_offset]' <<<"$output")" '[6,4]'
    run --separate-stderr "$EXAMPLES/replay-from-time.sh" events 5000 billing
    assert_success
    run --separate-stderr gafka-consume --topic events --group billing --exit-at-end
    assert_success
    assert_equal "$(jq -c '.value' <<<"$output" | tr '\n' ' ')" '"5" "6" '
}

# --- copy-topic.sh --------------------------------------------------------------

@test "copy-topic.sh copies keys, values (binary too), headers, timestamps and partitions" {
    start_broker
    create_topic orders 3
    seq 1 30 | sed 's/^/k/; s/$/|v/' | gafka-produce --topic orders --key-separator '|' >/dev/null
    # A record with headers, a timestamp of its own and a value that is not UTF-8.
    curl -sf -X POST "$BROKER_URL/api/v1/produce" -H 'Content-Type: application/json' \
        -d '{"topic":"orders","partition":2,"key":"bin","value_b64":"/wD+","headers":{"h":"1"},"timestamp":1000}' >/dev/null
    run --separate-stderr "$EXAMPLES/copy-topic.sh" orders orders-copy
    assert_success
    assert_output '{"from":"orders","to":"orders-copy","records":31}'
    assert_equal "$(gafka-admin describe-topic --name orders-copy | jq .partitions)" 3
    local fields='[.partition, .offset, .timestamp, .key, .value, .value_b64, .headers]'
    assert_equal "$(gafka-consume --topic orders-copy --from-beginning --exit-at-end | jq -c "$fields" | sort)" \
        "$(gafka-consume --topic orders --from-beginning --exit-at-end | jq -c "$fields" | sort)"
}

@test "copy-topic.sh refuses a target with fewer partitions" {
    start_broker
    create_topic wide 3
    create_topic narrow 1
    seq 1 3 | gafka-produce --topic wide >/dev/null
    run --separate-stderr "$EXAMPLES/copy-topic.sh" wide narrow
    assert_failure 1
    assert_equal "$stderr" "copy-topic.sh: narrow has 1 partitions, wide has 3"
}

# --- kcat-filter.sh -------------------------------------------------------------

@test "kcat-filter.sh copies the records whose value matches, with their keys, through kcat and the Kafka port" {
    start_broker
    printf 'web|INFO started\napi|ERROR disk full\nweb|INFO ok\napi|FATAL gone\nno key at all ERROR\n' |
        gafka-produce --topic app-logs --key-separator '|' >/dev/null
    KAFKA_BROKERS=127.0.0.1:$BROKER_KAFKA_PORT run --separate-stderr "$EXAMPLES/kcat-filter.sh" app-logs app-errors 'ERROR|FATAL'
    assert_success
    assert_output '{"from":"app-logs","to":"app-errors","read":5,"written":3}'
    run --separate-stderr gafka-consume --topic app-errors --from-beginning --exit-at-end
    assert_success
    assert_equal "$(jq -c '[.offset, .key, .value]' <<<"$output" | tr '\n' ' ')" \
        '[0,"api","ERROR disk full"] [1,"api","FATAL gone"] [2,"","no key at all ERROR"] '
}

@test "kcat-filter.sh with a source that does not exist fails with kcat's error; without arguments it is a usage error" {
    start_broker
    KAFKA_BROKERS=127.0.0.1:$BROKER_KAFKA_PORT run --separate-stderr "$EXAMPLES/kcat-filter.sh" nosuch out x
    assert_failure 1
    [[ $stderr == *"Topic nosuch error: Broker: Unknown topic or partition"* ]] || fail "$stderr"
    run --separate-stderr "$EXAMPLES/kcat-filter.sh" only-one
    assert_failure 2
    assert_equal "$stderr" "usage: kcat-filter.sh SOURCE-TOPIC TARGET-TOPIC REGEX"
}

# --- group-workers.sh -----------------------------------------------------------

@test "group-workers.sh with EXIT_AT_END=1 has its workers read every record between them" {
    start_broker
    create_topic jobs 4
    seq 1 200 | sed 's/^/job-/' | gafka-produce --topic jobs >/dev/null
    EXIT_AT_END=1 run --separate-stderr "$EXAMPLES/group-workers.sh" jobs pool 3
    assert_success
    # At-least-once: every record, each whole line valid JSON with its worker.
    assert_equal "$(jq -r .value <<<"$output" | sort -u | wc -l)" 200
    assert_equal "$(jq -c 'select(.worker < 1 or .worker > 3)' <<<"$output")" ""
    run gafka-admin describe-group --group pool
    assert_success
    assert_equal "$(jq .total_lag <<<"$output")" 0
}

@test "group-workers.sh runs its workers until SIGTERM, then they leave the group" {
    start_broker
    create_topic jobs 4
    local out=$BATS_TEST_TMPDIR/workers.out
    "$EXAMPLES/group-workers.sh" jobs pool 2 sh -c 'cat >"$0.$WORKER"' "$out" \
        </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/workers.err" 3>&- &
    local pid=$!
    STARTED+=("$pid")
    members() { [[ $(gafka-admin describe-group --group pool 2>/dev/null | jq '.members | length') == "$1" ]]; }
    wait_until members 2
    seq 1 40 | gafka-produce --topic jobs >/dev/null
    all_written() { (($(cat "$out".1 "$out".2 2>/dev/null | sort -u | wc -l) == 40)); }
    wait_until all_written
    kill -TERM "$pid"
    wait_gone "$pid" || fail "group-workers.sh did not exit on SIGTERM"
    local status=0
    wait "$pid" || status=$?
    assert_equal "$status" 0
    assert_equal "$(gafka-admin describe-group --group pool | jq -c '[(.members | length), .total_lag]')" '[0,0]'
}

# --- leader-follower.sh ---------------------------------------------------------

# procs_under DIR: the pids of processes whose command line names DIR.
procs_under() {
    pgrep -f -- "$1" || true
}

@test "leader-follower.sh replicates with acks=all, fails over by promote and leaves nothing behind" {
    mkdir "$BATS_TEST_TMPDIR/tmp"
    TMPDIR=$BATS_TEST_TMPDIR/tmp RECORDS=40 run --separate-stderr "$EXAMPLES/leader-follower.sh"
    ((status == 0)) || fail "exit $status: $stderr"
    assert_output '{"acked":40,"follower_identical":true,"leader_epoch":1,"records":45}'
    [[ $stderr == *"killing the leader (kill -9) and promoting the follower"* ]] || fail "$stderr"
    assert_equal "$(ls -A "$BATS_TEST_TMPDIR/tmp")" ""
    assert_equal "$(procs_under "$BATS_TEST_TMPDIR/tmp")" ""
}

@test "leader-follower.sh stops both brokers and removes its dir on SIGTERM" {
    mkdir "$BATS_TEST_TMPDIR/tmp"
    local err=$BATS_TEST_TMPDIR/lf.err
    # Many records, so that the SIGTERM comes while it is still at work.
    TMPDIR=$BATS_TEST_TMPDIR/tmp RECORDS=100000 "$EXAMPLES/leader-follower.sh" \
        </dev/null >/dev/null 2>"$err" 3>&- &
    local pid=$!
    STARTED+=("$pid")
    # Started, or ended early (a failed start): then its stderr says why.
    started() { grep -q 'leader 127.0.0.1:' "$err" || ! kill -0 "$pid" 2>/dev/null; }
    wait_until started
    grep -q 'leader 127.0.0.1:' "$err" || fail "leader-follower.sh did not start its brokers: $(cat "$err")"
    kill -TERM "$pid"
    wait_gone "$pid" || fail "leader-follower.sh did not exit on SIGTERM"
    local status=0
    wait "$pid" || status=$?
    assert_equal "$status" 1
    assert_equal "$(ls -A "$BATS_TEST_TMPDIR/tmp")" ""
    assert_equal "$(procs_under "$BATS_TEST_TMPDIR/tmp")" ""
}

@test "leader-follower.sh with arguments is a usage error" {
    run --separate-stderr "$EXAMPLES/leader-follower.sh" extra
    assert_failure 2
    assert_equal "$stderr" "usage: [RECORDS=N] [KEEP=1] leader-follower.sh"
}

# --- cluster.sh -----------------------------------------------------------------

@test "cluster.sh: etcd and three brokers, kill -9 of a leader mid-pipeline, every line read back once and in order, nothing left behind" {
    command -v etcd >/dev/null || skip "etcd is not installed (scripts/setup.sh installs etcd-server)"
    mkdir "$BATS_TEST_TMPDIR/tmp"
    TMPDIR=$BATS_TEST_TMPDIR/tmp RECORDS=200 run --separate-stderr "$EXAMPLES/cluster.sh"
    ((status == 0)) || fail "exit $status: $stderr"
    assert_equal "$(jq -c '[.acked, .read, .duplicates, .in_order, .leader_epoch]' <<<"$output")" '[200,200,0,true,1]'
    [[ $stderr == *"the leader of orders/0 (kill -9)"* && $stderr == *"the pipeline goes on"* ]] || fail "$stderr"
    # describe-cluster before (all live, nothing under-replicated) and after (the killed one not live,
    # each partition of orders under-replicated).
    local killed
    killed=$(jq .killed <<<"$output")
    # (Counted over orders: the internal __consumer_offsets is under-replicated too after.)
    assert_equal "$(grep '^{' <<<"$stderr" | jq -c '[([.partitions[] | select(.topic == "orders" and (.isr | length) < (.replicas | length))] | length),
        (.brokers[] | select(.id == '"$killed"') | .live)]' | tr '\n' ' ')" '[0,true] [3,false] '
    assert_equal "$(ls -A "$BATS_TEST_TMPDIR/tmp")" ""
    assert_equal "$(procs_under "$BATS_TEST_TMPDIR/tmp")" ""
}

@test "cluster.sh stops etcd and the brokers and removes its dir on SIGTERM" {
    command -v etcd >/dev/null || skip "etcd is not installed (scripts/setup.sh installs etcd-server)"
    mkdir "$BATS_TEST_TMPDIR/tmp"
    local err=$BATS_TEST_TMPDIR/cluster.err
    TMPDIR=$BATS_TEST_TMPDIR/tmp RECORDS=100000 "$EXAMPLES/cluster.sh" </dev/null >/dev/null 2>"$err" 3>&- &
    local pid=$!
    STARTED+=("$pid")
    # Producing, or ended early (a failed start): then its stderr says why.
    started() { grep -q 'producing 100000 records' "$err" || ! kill -0 "$pid" 2>/dev/null; }
    wait_until started
    grep -q 'producing 100000 records' "$err" || fail "cluster.sh did not start its cluster: $(cat "$err")"
    kill -TERM "$pid"
    wait_gone "$pid" || fail "cluster.sh did not exit on SIGTERM"
    local status=0
    wait "$pid" || status=$?
    assert_equal "$status" 1
    assert_equal "$(ls -A "$BATS_TEST_TMPDIR/tmp")" ""
    assert_equal "$(procs_under "$BATS_TEST_TMPDIR/tmp")" ""
}

@test "cluster.sh with arguments or too few records is a usage error" {
    run --separate-stderr "$EXAMPLES/cluster.sh" extra
    assert_failure 2
    assert_equal "$stderr" "usage: [RECORDS=N (at least 20)] [KEEP=1] cluster.sh"
    RECORDS=5 run --separate-stderr "$EXAMPLES/cluster.sh"
    assert_failure 2
}

# --- gafka-broker.service -------------------------------------------------------

@test "gafka-broker.service is a valid unit (systemd-analyze verify, when present)" {
    local unit=$BATS_TEST_TMPDIR/gafka-broker.service
    # The unit names /usr/bin/gafka-broker; verify it against the built one.
    sed "s|/usr/bin/gafka-broker|$BIN/gafka-broker|" "$EXAMPLES/gafka-broker.service" >"$unit"
    grep -qx 'ExecStart=/usr/bin/gafka-broker --config /etc/gafka/broker.toml' "$EXAMPLES/gafka-broker.service"
    grep -qx '\[Install\]' "$unit"
    if ! command -v systemd-analyze >/dev/null; then
        skip "systemd-analyze is not installed (the unit was only parsed)"
    fi
    run systemd-analyze verify --man=no "$unit"
    assert_success
    assert_output ""
}

@test "gafka-broker@.service is a valid template: instance N is broker id N with its own config and data dir" {
    local unit=$BATS_TEST_TMPDIR/gafka-broker@2.service
    sed "s|/usr/bin/gafka-broker|$BIN/gafka-broker|" "$EXAMPLES/gafka-broker@.service" >"$unit"
    grep -qx 'ExecStart=/usr/bin/gafka-broker --config /etc/gafka/broker-%i.toml --id %i --data-dir /var/lib/gafka/%i' \
        "$EXAMPLES/gafka-broker@.service"
    grep -qx 'After=network-online.target etcd.service' "$unit"
    grep -qx 'StateDirectory=gafka/%i' "$unit"
    if ! command -v systemd-analyze >/dev/null; then
        skip "systemd-analyze is not installed (the unit was only parsed)"
    fi
    run systemd-analyze verify --man=no "$unit"
    assert_success
    assert_output ""
}

@test "every example script is executable, has a usage comment and passes bash -n" {
    local f
    for f in "$EXAMPLES"/*.sh; do
        [[ -x $f ]] || fail "$f is not executable"
        bash -n "$f" || fail "$f: syntax error"
        grep -q 'GAFKA_BROKERS' "$f" || fail "$f does not say where the broker comes from"
    done
}
