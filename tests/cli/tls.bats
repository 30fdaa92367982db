#!/usr/bin/env bats
# TLS (issue 9): a broker given --tls-cert/--tls-key serves HTTPS only; the
# programs reach it with --tls-ca (or GAFKA_TLS_CA), checking the
# certificate's CA and that it is for the host they asked for. Each test
# makes its own throwaway CA and a server certificate for IP 127.0.0.1 with
# openssl, as docs/operations.md tells an operator to.

bats_require_minimum_version 1.5.0

load helpers

setup() {
    T=$BATS_TEST_TMPDIR
    make_pki "$T/pki"
}

teardown() {
    stop_all_brokers
}

# start_tls_broker [args]: a broker serving HTTPS with the test's certificate.
start_tls_broker() {
    BROKER_CACERT=$T/pki/ca.crt start_broker --tls-cert "$T/pki/server.crt" --tls-key "$T/pki/server.key" "$@"
}

@test "gafka-produce and gafka-consume with --tls-ca round-trip records through a TLS broker" {
    start_tls_broker
    grep -q "over HTTPS" "$BROKER_LOG"
    [[ $BROKER_URL == https://* ]]
    run --separate-stderr bash -c "seq 1 5 | gafka-produce --topic t --tls-ca '$T/pki/ca.crt' --print-acks"
    assert_success
    [[ $(wc -l <<<"$output") -eq 5 ]]
    run --separate-stderr gafka-consume --topic t --from-beginning --exit-at-end --format value --tls-ca "$T/pki/ca.crt"
    assert_success
    assert_output "$(seq 1 5)"
    # GAFKA_TLS_CA is the default of --tls-ca, for every program.
    GAFKA_TLS_CA=$T/pki/ca.crt run --separate-stderr gafka-admin describe-topic --name t
    assert_success
    [[ $(jq -c '[.partition_info[].log_end_offset]' <<<"$output") == "[5]" ]]
    GAFKA_TLS_CA=$T/pki/ca.crt run --separate-stderr gafka-bench produce --messages 200 --size 16 --topic b
    assert_success
    [[ $(jq .messages <<<"$output") == 200 ]]
}

@test "curl --cacert works; plain HTTP to the TLS port gets 400 tls_required and the broker keeps serving" {
    start_tls_broker
    api GET /healthz --cacert "$T/pki/ca.crt"
    assert_equal "$HTTP_STATUS" 200
    run curl -s -w '\n%{http_code}' "http://127.0.0.1:$BROKER_PORT/api/v1/topics"
    assert_success
    assert_line --index 1 400
    [[ $(head -1 <<<"$output" | jq -r .error.code) == tls_required ]]
    # Bytes that are neither TLS nor HTTP, and a client that leaves
    # mid-handshake, do not hurt either.
    run raw_http 'garbage\r\n\r\n'
    assert_line --index 0 'HTTP/1.1 400 Bad Request'
    python3 - "$BROKER_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"\x16\x03\x01\x00\x05hello")  # the start of a handshake record, then gone
s.close()
PY
    api GET /api/v1/topics --cacert "$T/pki/ca.crt"
    assert_equal "$HTTP_STATUS" 200
    # Without the CA, curl refuses the self-signed chain.
    run curl -sS "$BROKER_URL/healthz"
    assert_failure
}

@test "a program without --tls-ca fails with exit 1 and says the broker serves HTTPS only" {
    start_tls_broker
    run --separate-stderr gafka-produce --topic t --message m
    assert_failure 1
    assert_equal "$stderr" "gafka-produce: error: 127.0.0.1:$BROKER_PORT serves HTTPS only: give --tls-ca FILE (or set GAFKA_TLS_CA), the CA that signed its certificate"
    run --separate-stderr gafka-consume --topic t --from-beginning --exit-at-end
    assert_failure 1
    [[ $stderr == *"serves HTTPS only"* ]]
    run --separate-stderr gafka-admin list-topics
    assert_failure 1
    [[ $stderr == *"serves HTTPS only"* ]]
}

@test "a certificate from another CA, or for another host, is refused with exit 1" {
    start_tls_broker
    run --separate-stderr gafka-produce --topic t --message m --tls-ca "$T/pki/other-ca.crt"
    assert_failure 1
    [[ $stderr == *"refused the certificate of 127.0.0.1:$BROKER_PORT: it is not signed by a CA in --tls-ca"* ]]
    # The certificate names IP 127.0.0.1, not the name localhost.
    run --separate-stderr gafka-admin list-topics --broker "localhost:$BROKER_PORT" --tls-ca "$T/pki/ca.crt"
    assert_failure 1
    [[ $stderr == *"it is not for 'localhost'"* ]]
    # Nothing reached the broker: no topic was auto-created.
    run --separate-stderr gafka-admin list-topics --tls-ca "$T/pki/ca.crt"
    assert_success
    assert_output ""
}

@test "--tls-ca to a plain broker fails the handshake with exit 1" {
    start_broker
    run --separate-stderr gafka-admin list-topics --tls-ca "$T/pki/ca.crt"
    assert_failure 1
    [[ $stderr == *"TLS handshake with 127.0.0.1:$BROKER_PORT failed"* ]]
}

@test "bad TLS flags are usage errors (exit 2) at start" {
    run --separate-stderr gafka-broker --data-dir "$T/d" --port 0 --tls-cert "$T/pki/server.crt"
    assert_failure 2
    assert_equal "$stderr" "gafka-broker: error: --tls-cert needs --tls-key (its private key)"
    run --separate-stderr gafka-broker --data-dir "$T/d" --port 0 --tls-key "$T/pki/server.key"
    assert_failure 2
    run --separate-stderr gafka-broker --data-dir "$T/d" --port 0 --tls-cert "$T/pki/nope.crt" \
        --tls-key "$T/pki/server.key"
    assert_failure 2
    assert_equal "$stderr" "gafka-broker: error: cannot read TLS certificate '$T/pki/nope.crt'"
    run --separate-stderr gafka-broker --data-dir "$T/d" --port 0 --tls-cert "$T/pki/server.crt" \
        --tls-key "$T/pki/other-ca.key"
    assert_failure 2
    [[ $stderr == *"does not belong to the certificate"* ]]
    run --separate-stderr gafka-broker --data-dir "$T/d" --port 0 --tls-ca "$T/pki/ca.crt"
    assert_failure 2
    [[ $stderr == *"--tls-ca is only for --role follower"* ]]
    run --separate-stderr gafka-produce --topic t --message m --tls-ca "$T/pki/server.key"
    assert_failure 2
    [[ $stderr == *"bad TLS CA file"* ]]
    GAFKA_TLS_CA=$T/pki/missing.crt run --separate-stderr gafka-consume --topic t
    assert_failure 2
    [[ $stderr == *"cannot read TLS CA file"* ]]
    [[ ! -e $T/d ]]
}

@test "a follower copies a TLS leader over HTTPS with --tls-ca" {
    BROKER_DATA=$T/a start_tls_broker --id 1
    local leader=127.0.0.1:$BROKER_PORT
    seq 1 20 | gafka-produce --topic t --tls-ca "$T/pki/ca.crt" >/dev/null
    unset BROKER_PORT
    BROKER_DATA=$T/b start_tls_broker --id 2 --role follower --leader "$leader" --tls-ca "$T/pki/ca.crt"
    export GAFKA_TLS_CA=$T/pki/ca.crt
    follower_has() {
        [[ $(gafka-admin describe-topic --broker "$GAFKA_BROKERS" --name t 2>/dev/null |
            jq -c '[.partition_info[].log_end_offset]') == "[$1]" ]]
    }
    wait_until follower_has 20
    # acks=all needs the follower in sync: it is, over TLS.
    run --separate-stderr gafka-produce --broker "$leader" --topic t --acks all --message m21
    assert_success
    wait_until follower_has 21
}
