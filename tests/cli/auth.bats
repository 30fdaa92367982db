#!/usr/bin/env bats
# Bearer tokens (issue 9): gafka-broker --auth-token-file makes every
# endpoint but /healthz need `Authorization: Bearer <token>`; the programs
# send the first token of their --auth-token-file (or
# $GAFKA_AUTH_TOKEN_FILE), and a follower its own file's first token. See
# man/gafka-broker.1 and docs/operations.md "Security and limits".

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

setup() {
    T=$BATS_TEST_TMPDIR
    printf '# gafka tokens\n\nfirst-token-1234\n  second-token-5678  \n' >"$T/tokens"
    printf 'second-token-5678\n' >"$T/second"
    printf 'wrong-token\n' >"$T/wrong"
}

teardown() {
    stop_all_brokers
}

# A token file for the programs run by helpers (create_topic, log_end_offsets).
with_token() {
    export GAFKA_AUTH_TOKEN_FILE=$T/tokens
}

@test "a request without the token gets 401 and writes nothing" {
    start_broker --auth-token-file "$T/tokens"
    with_token
    create_topic sec 1
    gafka-produce --topic sec --message kept >/dev/null
    before=$(log_end_offsets sec)
    assert_equal "$before" '[1]'
    for auth in "" "Authorization: Bearer wrong-token" "Authorization: Bearer first-token-123" \
        "Authorization: Basic Zmlyc3QtdG9rZW4tMTIzNA==" "Authorization: first-token-1234"; do
        run curl -s -D "$T/head" -o "$T/body" -w '%{http_code}' -X POST "$BROKER_URL/api/v1/produce" \
            -H 'Content-Type: application/json' ${auth:+-H "$auth"} -d '{"topic":"sec","value":"sneaky"}'
        assert_output 401
        assert_equal "$(jq -r .error.code "$T/body")" unauthorized
        grep -qi '^WWW-Authenticate: Bearer' "$T/head" || fail "no WWW-Authenticate: Bearer for '$auth'"
    done
    # Nor does it create or delete a topic, or tell which paths exist.
    api POST /api/v1/topics -H 'Content-Type: application/json' -d '{"name":"made","partitions":1}'
    assert_equal "$HTTP_STATUS" 401
    api DELETE /api/v1/topics/sec
    assert_equal "$HTTP_STATUS" 401
    api GET /no/such/path
    assert_equal "$HTTP_STATUS" 401
    assert_equal "$(log_end_offsets sec)" "$before"
    assert_equal "$(gafka-admin list-topics | jq -r .name)" sec
    [[ $(curl -s -H 'Authorization: Bearer first-token-1234' "$BROKER_URL/metrics" |
        sed -n 's/^gafka_unauthorized_total //p') -ge 8 ]] || fail "401s not counted"
}

@test "/healthz answers without the token; everything else needs it" {
    start_broker --auth-token-file "$T/tokens"
    api GET /healthz
    assert_equal "$HTTP_STATUS" 200
    for path in /metrics /api/v1/topics /api/v1/metadata /api/v1/consumer-groups; do
        api GET "$path"
        assert_equal "$HTTP_STATUS" 401
        api GET "$path" -H 'Authorization: Bearer second-token-5678'
        assert_equal "$HTTP_STATUS" 200
    done
}

@test "with the token gafka-produce and gafka-consume work, by flag or environment" {
    start_broker --auth-token-file "$T/tokens"
    gafka-admin create-topic --name pc --partitions 2 --auth-token-file "$T/tokens" >/dev/null
    seq 1 20 | gafka-produce --topic pc --auth-token-file "$T/second"
    GAFKA_AUTH_TOKEN_FILE=$T/tokens gafka-produce --topic pc --message 21 --key k
    run --separate-stderr gafka-consume --topic pc --from-beginning --exit-at-end --format value \
        --auth-token-file "$T/tokens"
    assert_success
    assert_equal "$(sort -n <<<"$output" | tr '\n' ' ')" "$(seq 1 21 | tr '\n' ' ')"
    GAFKA_AUTH_TOKEN_FILE=$T/second run --separate-stderr gafka-consume --topic pc --group g \
        --exit-at-end --format value
    assert_success
    assert_equal "${#lines[@]}" 21
    run --separate-stderr gafka-bench produce --topic pc --messages 50 --size 16 --auth-token-file "$T/tokens"
    assert_success
    assert_equal "$(jq -r .messages <<<"$output")" 50
}

@test "a program without the right token fails with the broker's answer" {
    start_broker --auth-token-file "$T/tokens"
    GAFKA_AUTH_TOKEN_FILE=$T/tokens create_topic pw 1
    run --separate-stderr gafka-produce --topic pw --message x --auth-token-file "$T/wrong"
    assert_equal "$status" 1
    assert_regex "$stderr" 'unauthorized|[Bb]earer'
    run --separate-stderr gafka-consume --topic pw --from-beginning --exit-at-end
    assert_equal "$status" 1
    assert_regex "$stderr" 'unauthorized|[Bb]earer'
    run --separate-stderr gafka-admin list-topics
    assert_equal "$status" 1
    assert_regex "$stderr" 'unauthorized|[Bb]earer'
    assert_equal "$(GAFKA_AUTH_TOKEN_FILE=$T/tokens log_end_offsets pw)" '[0]'
}

@test "a follower fetches from a leader that needs a token with its own file's first token" {
    start_broker --id 1 --auth-token-file "$T/tokens"
    leader=$GAFKA_BROKERS
    with_token
    create_topic rep 1
    gafka-produce --topic rep --message replicated >/dev/null
    BROKER_DATA=$T/follower
    unset BROKER_PORT
    start_broker --id 2 --role follower --leader "$leader" --auth-token-file "$T/second"
    # Read from the follower itself (the programs would go to the leader).
    follower_has_it() {
        [[ $(curl -s --max-time 5 -H 'Authorization: Bearer second-token-5678' \
            "$BROKER_URL/api/v1/consume?topic=rep&partition=0&offset=0" | jq -r '.records[0].value') == replicated ]]
    }
    wait_until follower_has_it
}

@test "bad token files are usage errors for the broker and the programs" {
    : >"$T/empty"
    printf '# only comments\n\n' >"$T/comments"
    for f in "$T/empty" "$T/comments" "$T/missing" "$T"; do
        run --separate-stderr timeout 20 gafka-broker --data-dir "$T/d" --port 0 --auth-token-file "$f"
        assert_equal "$status" 2
        assert_regex "$stderr" 'auth-token-file'
        run --separate-stderr gafka-produce --broker 127.0.0.1:1 --topic t --message x --auth-token-file "$f"
        assert_equal "$status" 2
        GAFKA_AUTH_TOKEN_FILE=$f run --separate-stderr gafka-admin list-topics --broker 127.0.0.1:1
        assert_equal "$status" 2
    done
}

@test "the broker's token file can come from --config" {
    printf 'auth-token-file = "%s"\n' "$T/tokens" >"$T/broker.toml"
    start_broker --config "$T/broker.toml"
    api GET /api/v1/topics
    assert_equal "$HTTP_STATUS" 401
    api GET /api/v1/topics -H 'Authorization: Bearer first-token-1234'
    assert_equal "$HTTP_STATUS" 200
}
