# Shared helpers for the bats tests of the gafka programs (STYLE.md "Tests").
#
#   load helpers
#
# sets BIN (the programs; GAFKA_BIN overrides the build directory), puts it
# first on PATH, loads bats-support and bats-assert, and provides small
# functions that write and damage real logs. Everything temporary lives in
# $BATS_TEST_TMPDIR, which bats removes after each test.

# shellcheck disable=SC2034  # BIN and REPO are used by the test files

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BIN=${GAFKA_BIN:-$REPO/build/bin}
PATH=$BIN:$PATH

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

# --- logs on disk ----------------------------------------------------------

# make_log DIR N [extra gafka-bench append args]
# Writes a partition log of N records into DIR with the library's own writer
# (gafka-bench append): by default one batch is 10 records of 64-byte values,
# so a batch is 791 bytes and files stay small. Extra arguments are passed on,
# e.g. `make_log D 50 --segment-bytes 2000` or `make_log D 30 --crash`; a
# --size or --batch-size among them replaces the default.
make_log() {
    local dir=$1 n=$2
    shift 2
    local defaults=()
    [[ " $* " == *" --size "* ]] || defaults+=(--size 64)
    [[ " $* " == *" --batch-size "* ]] || defaults+=(--batch-size 10)
    gafka-bench append --dir "$dir" --messages "$n" "${defaults[@]}" "$@" >/dev/null ||
        fail "gafka-bench append --dir $dir --messages $n ${defaults[*]} $* failed"
}

# seg0 DIR: the first segment file of the partition log in DIR.
seg0() {
    printf '%s/00000000000000000000.log\n' "$1"
}

# flip_byte FILE POS: xors the byte at POS with 0x40, in place.
flip_byte() {
    python3 - "$1" "$2" <<'EOF' || fail "flip_byte $1 $2 failed"
import sys
path, pos = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(pos)
    b = f.read(1)
    if len(b) != 1:
        sys.exit(f"{path}: no byte at {pos}")
    f.seek(pos)
    f.write(bytes([b[0] ^ 0x40]))
EOF
}

# file_size FILE: its size in bytes.
file_size() {
    stat -c %s "$1"
}

# pipe_unread PIPE: how many bytes written to PIPE (a fifo, or a pipe as
# /proc/PID/fd/N) nobody has read yet: FIONREAD, through an open for reading
# and writing, which never blocks on Linux.
pipe_unread() {
    python3 - "$1" <<'EOF'
import fcntl, os, struct, sys, termios
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NONBLOCK)
print(struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0])
EOF
}

# --- brokers ---------------------------------------------------------------
# Broker helpers go here (later issues): start a gafka-broker on a free
# 127.0.0.1 port with its data dir in $BATS_TEST_TMPDIR, wait until it
# answers, and stop it in teardown() whatever the test did. Test files that
# start brokers will call the stop helper from their teardown().
#
#   start_broker [extra gafka-broker args]
#       Starts gafka-broker --data-dir "$BROKER_DATA" (default
#       $BATS_TEST_TMPDIR/data) on port 0, reads the port the kernel gave it
#       from its log line "serving ... on 127.0.0.1:PORT", waits (bounded)
#       until /healthz answers, and sets BROKER_PID, BROKER_PORT, BROKER_LOG
#       (its stderr, a new file per start), BROKER_ARGS, and exports
#       GAFKA_BROKERS=127.0.0.1:PORT and BROKER_URL=http://127.0.0.1:PORT.
#       With BROKER_PORT set it listens there instead (restart_broker).
#       The Kafka listener takes a free port too (--kafka-port 0, unless
#       the args give --kafka-port or --no-kafka: several test brokers
#       would collide on the default 9092), read from its log line "Kafka
#       listener on 127.0.0.1:PORT" into BROKER_KAFKA_PORT (empty with
#       --no-kafka); a restart may give it another port.
#       With BROKER_CACERT set (a broker given --tls-cert/--tls-key signed
#       by that CA) BROKER_URL is https:// and /healthz is checked with
#       curl --cacert "$BROKER_CACERT".
#   stop_broker       SIGTERM, a bounded wait, then SIGKILL; sets BROKER_STATUS
#                     to the exit status (137 when it had to be killed).
#   kill9_broker      SIGKILL at once (a crash); sets BROKER_STATUS.
#   restart_broker    stops it if it runs, then starts it again on the same
#                     port and data dir with the same extra args.
#   stop_all_brokers  stops every broker this test started; call it from
#                     teardown(), so a failing test never leaves one running.
#
# A second broker: save the BROKER_* variables (or just GAFKA_BROKERS), set
# BROKER_DATA to another dir, unset BROKER_PORT and call start_broker again;
# stop_all_brokers still stops both.

BROKER_WAIT_TRIES=200   # x 0.05 s for start and stop
BROKER_PIDS=()

# broker_running PID: the process exists and has not exited (a zombie has).
broker_running() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

start_broker() {
    BROKER_DATA=${BROKER_DATA:-$BATS_TEST_TMPDIR/data}
    BROKER_ARGS=("$@")
    BROKER_STARTS=$((${BROKER_STARTS:-0} + 1))
    BROKER_LOG=$BATS_TEST_TMPDIR/broker.$BROKER_STARTS.log
    # fd 3 is bats' own output: a background process holding it would hang bats.
    local kafka=(--kafka-port 0)
    [[ " $* " == *" --kafka-port "* || " $* " == *" --no-kafka "* ]] && kafka=()
    gafka-broker --data-dir "$BROKER_DATA" --port "${BROKER_PORT:-0}" "${kafka[@]}" "$@" \
        </dev/null >/dev/null 2>"$BROKER_LOG" 3>&- &
    BROKER_PID=$!
    BROKER_PIDS+=("$BROKER_PID")
    local i port=""
    for ((i = 0; i < BROKER_WAIT_TRIES; i++)); do
        port=$(sed -n 's/.* serving .* on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$BROKER_LOG" | head -1)
        [[ -n $port ]] && break
        broker_running "$BROKER_PID" || break
        sleep 0.05
    done
    [[ -n $port ]] || fail "gafka-broker did not start: $(cat "$BROKER_LOG")"
    BROKER_PORT=$port
    BROKER_KAFKA_PORT=$(sed -n 's/.* Kafka listener on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$BROKER_LOG" | head -1)
    local scheme=http
    [[ -n ${BROKER_CACERT:-} ]] && scheme=https
    export GAFKA_BROKERS=127.0.0.1:$port BROKER_URL=$scheme://127.0.0.1:$port
    for ((i = 0; i < BROKER_WAIT_TRIES; i++)); do
        curl -sf -o /dev/null --max-time 2 ${BROKER_CACERT:+--cacert "$BROKER_CACERT"} "$BROKER_URL/healthz" && return 0
        sleep 0.05
    done
    fail "gafka-broker on port $port does not answer /healthz: $(cat "$BROKER_LOG")"
}

# _stop_pid PID SIGNAL: signals PID, waits (bounded) for it to exit, kills
# it if it does not, reaps it and forgets it; sets BROKER_STATUS. Only PIDs
# in BROKER_PIDS (not yet reaped, so never reused by another process).
_stop_pid() {
    local pid=$1 sig=$2 i p kept=()
    BROKER_STATUS=""
    [[ " ${BROKER_PIDS[*]} " == *" $pid "* ]] || return 0
    for p in "${BROKER_PIDS[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
    BROKER_PIDS=("${kept[@]}")
    if broker_running "$pid"; then
        kill "-$sig" "$pid" 2>/dev/null
        for ((i = 0; i < BROKER_WAIT_TRIES; i++)); do
            broker_running "$pid" || break
            sleep 0.05
        done
        broker_running "$pid" && kill -KILL "$pid" 2>/dev/null
    fi
    BROKER_STATUS=0
    wait "$pid" 2>/dev/null || BROKER_STATUS=$?
}

stop_broker() {
    [[ -n ${BROKER_PID:-} ]] || return 0
    _stop_pid "$BROKER_PID" TERM
    BROKER_PID=""
}

kill9_broker() {
    [[ -n ${BROKER_PID:-} ]] || return 0
    _stop_pid "$BROKER_PID" KILL
    BROKER_PID=""
}

restart_broker() {
    stop_broker
    start_broker "${BROKER_ARGS[@]}"
}

stop_all_brokers() {
    local pid
    for pid in "${BROKER_PIDS[@]}"; do
        _stop_pid "$pid" TERM
    done
    BROKER_PID=""
    return 0
}

# --- TLS -------------------------------------------------------------------

# make_pki DIR: ca.crt/ca.key, server.crt/server.key (signed by ca, for IP
# 127.0.0.1 only) and other-ca.crt, an unrelated CA.
make_pki() {
    local d=$1
    mkdir -p "$d"
    {
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -subj "/CN=gafka test CA" -keyout "$d/ca.key" -out "$d/ca.crt" &&
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
                -subj "/CN=127.0.0.1" -keyout "$d/server.key" -out "$d/server.csr" &&
            openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
                -extfile <(printf 'subjectAltName=IP:127.0.0.1\n') -out "$d/server.crt" &&
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
                -subj "/CN=another CA" -keyout "$d/other-ca.key" -out "$d/other-ca.crt"
    } 2>"$d/openssl.log" || fail "openssl failed: $(cat "$d/openssl.log")"
}

# stopped PID: every thread of PID is stopped. kill -STOP only queues the
# signal: a busy broker can still read and answer a request after kill
# returns, so a test that needs it stopped waits for this first.
stopped() {
    local f stat
    for f in /proc/"$1"/task/*/stat; do
        stat=$(<"$f") || return 1
        stat=${stat##*) }
        [[ ${stat%% *} == T ]] || return 1
    done
}

# stop_process PID: SIGSTOP, then a bounded wait until it has taken effect.
stop_process() {
    kill -STOP "$1"
    wait_until stopped "$1"
}

# --- talking to a broker ---------------------------------------------------

# wait_until CMD...: polls CMD (bounded: 300 x 0.1 s) until it succeeds.
wait_until() {
    local i
    for ((i = 0; i < 300; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    fail "timed out waiting for: $*"
}

# raw_http REQUEST: sends REQUEST (with \r\n escapes) as raw bytes to the
# broker and prints the answer's status line, its body length, and its body;
# for what curl would hide or refuse to send.
raw_http() {
    python3 - "$BROKER_PORT" "$1" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
print(head.split(b"\r\n")[0].decode())
print(len(body))
print(body.decode().strip())
EOF
}

# api METHOD PATH [curl args...]: one request to $BROKER_URL; sets
# HTTP_STATUS and HTTP_BODY (the response body).
api() {
    local method=$1 path=$2 out
    shift 2
    out=$(curl -s -X "$method" -o "$BATS_TEST_TMPDIR/.body" -w '%{http_code}' "$@" "$BROKER_URL$path") ||
        fail "curl $method $path failed"
    HTTP_STATUS=$out
    HTTP_BODY=$(<"$BATS_TEST_TMPDIR/.body")
}

# create_topic NAME PARTITIONS
create_topic() {
    gafka-admin create-topic --name "$1" --partitions "$2" >/dev/null ||
        fail "gafka-admin create-topic --name $1 --partitions $2 failed"
}

# log_end_offsets TOPIC: the log end offset of each partition, as a JSON array.
log_end_offsets() {
    gafka-admin describe-topic --name "$1" | jq -c '[.partition_info[].log_end_offset]'
}
