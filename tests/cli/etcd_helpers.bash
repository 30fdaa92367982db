# A throwaway one-node etcd for the cluster tests (load after helpers):
#
#   start_etcd   starts etcd on two free 127.0.0.1 ports (client and peer)
#                with a fresh data dir in $BATS_TEST_TMPDIR, under setsid (a
#                session of its own, so no `wait` of the test waits on it,
#                and no signal meant for the test's process group reaches
#                it), and waits (bounded) until /health says true. Sets
#                ETCD_PID, ETCD_PORT, ETCD_PEER_PORT, ETCD_DATA, ETCD_LOG and
#                ETCD_URL (etcd://127.0.0.1:PORT, as --cluster takes it).
#                With ETCD_PORT and ETCD_DATA set it starts again there
#                (restart after stop_etcd).
#   stop_etcd    SIGCONT (it may be stopped), SIGTERM, a bounded wait, then
#                SIGKILL; call it from teardown().
#   etcd_keys P  the keys under prefix P, one a line (etcdctl).
#
# Short heartbeats and elections: one node is healthy ~0.15 s after start.

command -v etcd >/dev/null || skip "etcd is not installed (scripts/setup.sh installs etcd-server)"

ETCD_WAIT_TRIES=200  # x 0.05 s

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_etcd() {
    ETCD_PORT=${ETCD_PORT:-$(free_port)}
    ETCD_PEER_PORT=${ETCD_PEER_PORT:-$(free_port)}
    ETCD_DATA=${ETCD_DATA:-$BATS_TEST_TMPDIR/etcd}
    ETCD_LOG=$BATS_TEST_TMPDIR/etcd.log
    local client=http://127.0.0.1:$ETCD_PORT peer=http://127.0.0.1:$ETCD_PEER_PORT
    setsid etcd --name default --data-dir "$ETCD_DATA" \
        --listen-client-urls "$client" --advertise-client-urls "$client" \
        --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
        --initial-cluster "default=$peer" \
        --heartbeat-interval 20 --election-timeout 100 \
        </dev/null >/dev/null 2>>"$ETCD_LOG" 3>&- &
    ETCD_PID=$!
    ETCD_URL=etcd://127.0.0.1:$ETCD_PORT
    local i
    for ((i = 0; i < ETCD_WAIT_TRIES; i++)); do
        [[ $(curl -s --max-time 1 "$client/health" 2>/dev/null) == *'"health":"true"'* ]] && return 0
        broker_running "$ETCD_PID" || break
        sleep 0.05
    done
    fail "etcd did not become healthy on $client: $(tail -5 "$ETCD_LOG")"
}

stop_etcd() {
    [[ -n ${ETCD_PID:-} ]] || return 0
    local i
    kill -CONT "$ETCD_PID" 2>/dev/null
    kill -TERM "$ETCD_PID" 2>/dev/null
    for ((i = 0; i < ETCD_WAIT_TRIES; i++)); do
        broker_running "$ETCD_PID" || break
        sleep 0.05
    done
    broker_running "$ETCD_PID" && kill -KILL "$ETCD_PID" 2>/dev/null
    wait "$ETCD_PID" 2>/dev/null || true
    ETCD_PID=""
    return 0
}

etcd_keys() {
    ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$ETCD_PORT" --command-timeout 2s get --prefix --keys-only "$1" |
        sed '/^$/d'
}
