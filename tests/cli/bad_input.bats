#!/usr/bin/env bats
# Bad input never crashes the broker, never gets a 500, always gets the
# documented status and JSON error, and never writes anything (docs/api.md
# "Errors", DESIGN.md section 5); the programs answer bad input with their
# documented exit codes (DESIGN.md section 6).

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

setup() {
    start_broker
}

teardown() {
    stop_all_brokers
}

# Files for bodies that do not fit in a table cell; a case names one as @NAME.
make_bodies() {
    local d=$BATS_TEST_TMPDIR
    python3 - "$d" <<'EOF'
import json, sys
d = sys.argv[1]
big = "x" * (1024 * 1024 + 1)
def write(name, text):
    with open(f"{d}/{name}", "w") as f:
        f.write(text)
write("big.json", json.dumps({"topic": "new-big", "value": big}))
write("big-batch.json", json.dumps({"topic": "bt", "records": [{"value": "fine"}, {"value": big}]}))
write("big.ndjson", json.dumps({"value": "fine"}) + "\n" + json.dumps({"value": big}) + "\n")
write("bad-line-2.ndjson", '{"value":"fine"}\n{"value":\n{"value":"also fine"}\n')
write("other-topic.ndjson", '{"value":"fine"}\n{"topic":"zz","value":"b"}\n')
write("deep.json", "[" * 100000 + "]" * 100000)
write("deep-headers.json",
      '{"topic":"bt","value":"v","headers":' + '{"a":' * 50000 + '"x"' + '}' * 50000 + '}')
write("long-topic.json", json.dumps({"topic": "x" * 256, "value": "v"}))
EOF
}

# send METHOD PATH CONTENT-TYPE BODY: one request; BODY may be empty (none)
# or @NAME (a file made by make_bodies). Sets HTTP_STATUS and HTTP_BODY.
send() {
    local method=$1 path=$2 ct=$3 body=$4 args=(--path-as-is -H 'Expect:')
    [[ -n $ct ]] && args+=(-H "Content-Type: $ct")
    if [[ $body == @* ]]; then
        args+=(--data-binary "@$BATS_TEST_TMPDIR/${body#@}")
    elif [[ -n $body ]]; then
        args+=(--data-binary "$body")
    fi
    api "$method" "$path" "${args[@]}"
}

J=application/json
ND=application/x-ndjson

# METHOD|path|content-type|body|status|error code. A status or code may list
# alternatives separated by commas. Topic names that appear in bad requests
# (new-*, and the ones below) must not exist afterwards.
CASES=(
    # produce: the body
    "POST|/api/v1/produce|$J|{\"topic\":\"bt\",|400|invalid_json"
    "POST|/api/v1/produce|$J|hello|400|invalid_json"
    "POST|/api/v1/produce|$J||400|invalid_json"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-a\",\"value\":\"v\"} trailing|400|invalid_json"
    "POST|/api/v1/produce|$J|[1,2]|400|bad_request,invalid_json"
    "POST|/api/v1/produce|$J|@deep.json|400|bad_request,invalid_json"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-b\",\"value\":\"\\ud800\"}|400|invalid_json"
    # produce: fields
    "POST|/api/v1/produce|$J|{\"topic\":\"new-c\",\"value\":5}|400|bad_request"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-d\",\"key\":7,\"value\":\"v\"}|400|bad_request"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-e\"}|400|missing_value"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-e\",\"key\":\"k\"}|400|missing_value"
    "POST|/api/v1/produce|$J|{\"value\":\"v\"}|400|missing_topic"
    "POST|/api/v1/produce|$J|{\"topic\":\"\",\"value\":\"v\"}|400|missing_topic,invalid_topic"
    "POST|/api/v1/produce|$J|{\"topic\":5,\"value\":\"v\"}|400|bad_request,invalid_topic"
    "POST|/api/v1/produce|$J|{\"topic\":\"..\",\"value\":\"v\"}|400|invalid_topic"
    "POST|/api/v1/produce|$J|{\"topic\":\".\",\"value\":\"v\"}|400|invalid_topic"
    "POST|/api/v1/produce|$J|{\"topic\":\"a/b\",\"value\":\"v\"}|400|invalid_topic"
    "POST|/api/v1/produce|$J|{\"topic\":\"../../etc\",\"value\":\"v\"}|400|invalid_topic"
    "POST|/api/v1/produce|$J|{\"topic\":\"__internal\",\"value\":\"v\"}|400|invalid_topic"
    "POST|/api/v1/produce|$J|{\"topic\":\"new\\u0000f\",\"value\":\"v\"}|400|invalid_topic"
    "POST|/api/v1/produce|$J|@long-topic.json|400|invalid_topic"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-g\",\"value\":\"v\",\"bogus\":1}|400|bad_request"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-h\",\"value\":\"v\",\"value_b64\":\"dg==\"}|400|bad_request"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-i\",\"value_b64\":\"!!!\"}|400|bad_request"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-i\",\"key_b64\":\"%%\",\"value\":\"v\"}|400|bad_request"
    "POST|/api/v1/produce|$J|{\"topic\":\"bt\",\"value\":\"v\",\"partition\":-1}|400|bad_request,unknown_partition"
    "POST|/api/v1/produce|$J|{\"topic\":\"bt\",\"value\":\"v\",\"partition\":2}|400|unknown_partition"
    "POST|/api/v1/produce|$J|{\"topic\":\"bt\",\"value\":\"v\",\"partition\":\"0\"}|400|bad_request"
    "POST|/api/v1/produce|$J|{\"topic\":\"bt\",\"value\":\"v\",\"partition\":99999999999999999999}|400|bad_request,unknown_partition"
    "POST|/api/v1/produce|$J|@big.json|413|record_too_large"
    "POST|/api/v1/produce|$J|@big-batch.json|413|record_too_large"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-j\",\"value\":\"v\",\"headers\":{\"h\":1}}|400|bad_request"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-j\",\"value\":\"v\",\"headers\":[\"h\"]}|400|bad_request"
    "POST|/api/v1/produce|$J|@deep-headers.json|400|bad_request"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-k\",\"value\":\"v\",\"timestamp\":-5}|400|bad_request"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-k\",\"value\":\"v\",\"timestamp\":\"now\"}|400|bad_request"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-k\",\"value\":\"v\",\"timestamp\":1.5}|400|bad_request"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-l\",\"records\":{\"value\":\"v\"}}|400|bad_request"
    "POST|/api/v1/produce|$J|{\"topic\":\"new-l\",\"records\":[]}|400|bad_request"
    "POST|/api/v1/produce|$J|{\"topic\":\"bt\",\"records\":[{\"value\":\"fine\"},{\"value\":\"v\",\"partition\":9}]}|400|unknown_partition"
    "POST|/api/v1/produce|$J|{\"topic\":\"bt\",\"records\":[{\"value\":\"fine\"},{\"topic\":\"new-m\",\"value\":\"v\"}]}|400|bad_request"
    "POST|/api/v1/produce?acks=2|$J|{\"topic\":\"bt\",\"value\":\"v\"}|400|bad_request"
    "POST|/api/v1/produce?topic=b%ZZt|$J|{\"value\":\"v\"}|400|bad_request"
    # produce: NDJSON
    "POST|/api/v1/produce?topic=new-n|$ND|@bad-line-2.ndjson|400|invalid_json"
    "POST|/api/v1/produce?topic=bt|$ND|@bad-line-2.ndjson|400|invalid_json"
    "POST|/api/v1/produce?topic=bt|$ND|@big.ndjson|413|record_too_large"
    "POST|/api/v1/produce?topic=bt|$ND|@other-topic.ndjson|400|bad_request"
    "POST|/api/v1/produce?topic=bt|$ND|[1]|400|bad_request,invalid_json"
    "POST|/api/v1/produce|$ND|{\"value\":\"v\"}|400|missing_topic"
    # consume
    "GET|/api/v1/consume?partition=0|||400|missing_topic"
    "GET|/api/v1/consume?topic=&partition=0|||400|missing_topic"
    "GET|/api/v1/consume?topic=nope&partition=0|||404|unknown_topic"
    "GET|/api/v1/consume?topic=..&partition=0|||404,400|unknown_topic,invalid_topic"
    "GET|/api/v1/consume?topic=bt|||400|bad_request"
    "GET|/api/v1/consume?topic=bt&partition=0&count=0|||400|bad_request"
    "GET|/api/v1/consume?topic=bt&partition=0&count=10001|||400|bad_request"
    "GET|/api/v1/consume?topic=bt&partition=0&count=100001|||400|bad_request"
    "GET|/api/v1/consume?topic=bt&partition=0&count=abc|||400|bad_request"
    "GET|/api/v1/consume?topic=bt&partition=0&timeout=1h|||400|bad_request"
    "GET|/api/v1/consume?topic=bt&partition=0&timeout=31s|||400|bad_request"
    "GET|/api/v1/consume?topic=bt&partition=0&timeout=abc|||400|bad_request"
    "GET|/api/v1/consume?topic=bt&partition=0&timeout=-1s|||400|bad_request"
    "GET|/api/v1/consume?topic=bt&partition=0&offset=-1|||400|bad_request"
    "GET|/api/v1/consume?topic=bt&partition=0&offset=abc|||400|bad_request"
    "GET|/api/v1/consume?topic=bt&partition=0&offset=99999999999999999999|||400|bad_request"
    "GET|/api/v1/consume?topic=bt&partition=0&offset=5|||416|offset_out_of_range"
    "GET|/api/v1/consume?topic=bt&partition=0&offset=9223372036854775807|||416|offset_out_of_range"
    "GET|/api/v1/consume?topic=bt&partition=abc|||400|bad_request"
    "GET|/api/v1/consume?topic=bt&partition=2|||400|unknown_partition"
    "GET|/api/v1/consume?topic=bt&partition=-1|||400|unknown_partition,bad_request"
    "GET|/api/v1/consume?topic=b%ZZt&partition=0|||400|bad_request"
    # topics
    "POST|/api/v1/topics|$J|{\"name\":\"new-o\",\"partitions\":0}|400|too_many_partitions"
    "POST|/api/v1/topics|$J|{\"name\":\"new-o\",\"partitions\":101}|400|too_many_partitions"
    "POST|/api/v1/topics|$J|{\"name\":\"new-o\",\"partitions\":\"3\"}|400|bad_request"
    "POST|/api/v1/topics|$J|{\"name\":\"new-o\",\"partitions\":1.5}|400|bad_request"
    "POST|/api/v1/topics|$J|{\"name\":\"new-o\",\"retention_ms\":-2}|400|bad_request"
    "POST|/api/v1/topics|$J|{\"name\":\"new-o\",\"bogus\":1}|400|bad_request"
    "POST|/api/v1/topics|$J|{\"partitions\":1}|400|missing_topic"
    "POST|/api/v1/topics|$J|{\"name\":[\"new-o\"]}|400|missing_topic,bad_request"
    "POST|/api/v1/topics|$J|{\"name\":\"..\"}|400|invalid_topic"
    "POST|/api/v1/topics|$J|{\"name\":\"a b\"}|400|invalid_topic"
    "POST|/api/v1/topics|$J|{\"name\":\"bt\"}|409|topic_exists"
    "POST|/api/v1/topics|$J|{\"name\":\"bt\",\"partitions\":5}|409|topic_exists"
    "POST|/api/v1/topics|$J|{\"name\":|400|invalid_json"
    "GET|/api/v1/topics/nope|||404|unknown_topic"
    "DELETE|/api/v1/topics/nope|||404|unknown_topic"
    "GET|/api/v1/topics/a%2Fb|||404,400|not_found,invalid_topic,unknown_topic"
    "DELETE|/api/v1/topics/a%2Fb|||404,400|not_found,invalid_topic,unknown_topic"
    "DELETE|/api/v1/topics/..|||404,400|not_found,invalid_topic,unknown_topic"
    "DELETE|/api/v1/topics/%2E%2E|||404,400|not_found,invalid_topic,unknown_topic"
    "DELETE|/api/v1/topics/%2E%2E%2F%2E%2E|||404,400|not_found,invalid_topic,unknown_topic"
    "GET|/api/v1/topics/../../../etc/passwd|||404,400|not_found,invalid_topic"
    # routing
    "GET|/api/v1/nothing|||404|not_found"
    "GET|/|||404|not_found"
    "PUT|/api/v1/topics|||405|method_not_allowed"
    "DELETE|/api/v1/produce|||405|method_not_allowed"
    "POST|/api/v1/consume|$J|{}|405|method_not_allowed"
    "POST|/healthz|||405|method_not_allowed"
    "PATCH|/api/v1/topics/bt|||405|method_not_allowed"
)

# in_list VALUE A,B,C: VALUE is one of them.
in_list() {
    [[ ",$2," == *",$1,"* ]]
}

@test "every bad request gets its status and a JSON error, and none writes anything" {
    (( ${#CASES[@]} >= 30 )) || fail "only ${#CASES[@]} cases"
    make_bodies
    create_topic bt 2
    seq 1 4 | gafka-produce --topic bt --partition 0 || fail "produce failed"
    seq 1 3 | gafka-produce --topic bt --partition 1 || fail "produce failed"
    before_ends=$(log_end_offsets bt)
    before_topics=$(gafka-admin list-topics)
    # One curl per case (forks are what is slow here): each response body,
    # one line of JSON, goes to bodies.jsonl, its status to statuses.
    d=$BATS_TEST_TMPDIR
    : >"$d/bodies.jsonl"
    statuses=()
    for c in "${CASES[@]}"; do
        IFS='|' read -r method path ct body _ <<<"$c"
        args=(--path-as-is -H 'Expect:')
        [[ -n $ct ]] && args+=(-H "Content-Type: $ct")
        if [[ $body == @* ]]; then
            args+=(--data-binary "@$d/${body#@}")
        elif [[ -n $body ]]; then
            args+=(--data-binary "$body")
        fi
        curl -s -X "$method" "${args[@]}" -o "$d/body" -w '%{http_code}\n' "$BROKER_URL$path" >"$d/status"
        read -r st <"$d/status"
        statuses+=("$st")
        IFS= read -r line <"$d/body" || true
        printf '%s\n' "$line" >>"$d/bodies.jsonl"
    done
    # Per case: the error code and whether the message is a non-empty string
    # ("-" for a body that is not such a JSON error).
    mapfile -t checked < <(jq -R -r 'try (fromjson | "\(.error.code) \(.error.message | strings | length > 0)")
                                      catch "-"' "$d/bodies.jsonl")
    problems=()
    for i in "${!CASES[@]}"; do
        IFS='|' read -r method path _ body want_status want_code <<<"${CASES[i]}"
        read -r code has_message <<<"${checked[i]}"
        if ! in_list "${statuses[i]}" "$want_status" || ! in_list "$code" "$want_code" ||
            [[ $has_message != true ]]; then
            problems+=("$method $path [${body:0:60}]: want $want_status $want_code, got ${statuses[i]} $(sed -n "$((i + 1))p" "$d/bodies.jsonl" | cut -c1-200)")
        fi
    done
    (( ${#problems[@]} == 0 )) || fail "$(printf '%s\n' "${problems[@]}")"
    api GET /healthz
    assert_equal "$HTTP_STATUS" 200
    assert_equal "$(log_end_offsets bt)" "$before_ends"
    assert_equal "$(gafka-admin list-topics)" "$before_topics"
    assert_equal "$(find "$BROKER_DATA/topics" -mindepth 1 -maxdepth 1 -printf '%f\n')" bt
}

@test "error messages say which record or line was bad" {
    make_bodies
    create_topic bt 2
    send POST '/api/v1/produce?topic=bt' "$ND" @bad-line-2.ndjson
    assert_regex "$(jq -r .error.message <<<"$HTTP_BODY")" 'line 2'
    send POST '/api/v1/produce?topic=bt' "$ND" @big.ndjson
    assert_regex "$(jq -r .error.message <<<"$HTTP_BODY")" 'line 2'
    send POST /api/v1/produce "$J" @big-batch.json
    assert_regex "$(jq -r .error.message <<<"$HTTP_BODY")" 'record 1'
    send POST /api/v1/produce "$J" '{"topic":"bt","records":[{"value":"a"},{"value":"b","partition":7}]}'
    assert_regex "$(jq -r .error.message <<<"$HTTP_BODY")" 'record 1.*partition 7'
    send GET '/api/v1/consume?topic=bt&partition=0&offset=4' '' ''
    assert_regex "$(jq -r .error.message <<<"$HTTP_BODY")" '\[0, 0\]'
    run curl -s -o /dev/null -D - -X PUT "$BROKER_URL/api/v1/topics"
    assert_line --regexp '^Allow: GET, POST'
}

@test "a malformed HTTP request and oversized headers get JSON errors and the broker goes on" {
    run --separate-stderr raw_http 'GARBAGE\r\n\r\n'
    assert_success
    assert_equal "${lines[0]}" "HTTP/1.1 400 Bad Request"
    assert_equal "$(jq -r .error.code <<<"${lines[2]}")" bad_request
    api GET /healthz -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)"
    assert_equal "$HTTP_STATUS" 431
    assert_equal "$(jq -r .error.code <<<"$HTTP_BODY")" headers_too_large
    api GET /healthz
    assert_equal "$HTTP_STATUS" 200
}

@test "the programs answer bad input with their exit codes and write nothing" {
    create_topic bt 2
    before=$(log_end_offsets bt)
    # command | stdin | expected exit (an illegal topic name is a usage error,
    # caught before any request)
    cases=(
        "gafka-produce --topic bt --acks 7||2"
        "gafka-produce --topic bt --linger soon||2"
        "gafka-produce --topic bt --batch-size 100001||2"
        "gafka-produce --topic bt --json --key-separator :||2"
        "gafka-produce --topic bt --broker 127.0.0.1:notaport --message m||2"
        "gafka-produce --topic .. --message m||2"
        "gafka-produce --topic a/b --message m||2"
        "gafka-produce --topic bt --json|{bad|3"
        "gafka-produce --topic bt --json|{\"value\":\"v\",\"value_b64\":\"dg==\"}|3"
        "gafka-produce --topic bt --json|{\"value\":\"v\",\"headers\":{\"h\":1}}|3"
        "gafka-produce --topic bt --json|[1]|3"
        "gafka-produce --topic bt --partition 5|line|3"
        "gafka-consume --topic bt --partition 0 --offset -1||2"
        "gafka-consume --topic bt --fetch-size -5||2"
        "gafka-consume --topic .. --from-beginning --exit-at-end||2"
        "gafka-consume --topic bt --partition 7 --from-beginning --exit-at-end||1"
        "gafka-admin create-topic --name 'a b'||2"
        "gafka-admin create-topic --name bt --partitions 101||2"
        "gafka-admin create-topic --name x --retention-ms abc||2"
        "gafka-admin describe-topic --name ..||2"
        "gafka-admin delete-topic --name a/b||2"
    )
    problems=()
    for c in "${cases[@]}"; do
        IFS='|' read -r cmd input want <<<"$c"
        if [[ -n $input ]]; then
            run --separate-stderr timeout 20 bash -c "$cmd" <<<"$input"
        else
            run --separate-stderr timeout 20 bash -c "$cmd" </dev/null
        fi
        if [[ $status != "$want" || -z $stderr ]]; then
            problems+=("$cmd <<< '$input': want exit $want, got $status, stderr '$stderr'")
        fi
    done
    (( ${#problems[@]} == 0 )) || fail "$(printf '%s\n' "${problems[@]}")"
    assert_equal "$(log_end_offsets bt)" "$before"
    assert_equal "$(gafka-admin list-topics | jq -r .name)" bt
}

@test "gafka-produce --timeout 0 is refused as a usage error instead of resending the records" {
    create_topic bt 1
    run --separate-stderr gafka-produce --topic bt --timeout 0 --message m
    assert_failure 2
    assert_equal "$(log_end_offsets bt)" '[0]'
}

@test "a number out of range reads as the flag and its range, the same in every program" {
    cases=(
        "gafka-consume --topic bt --max-messages 0|--max-messages: 0 is not 1 or more"
        "gafka-admin lag --group g --max-lag -1|--max-lag: -1 is not 0 or more"
        "gafka-produce --topic bt --batch-size 0|--batch-size: 0 is not in 1..100000"
        "gafka-admin create-topic --name x --partitions 101|--partitions: 101 is not in 1..100"
        "gafka-bench produce --rate 0|--rate: 0 is not more than 0"
        "gafka-consume --topic bt --fetch-size ten|--fetch-size: 'ten' is not a whole number"
    )
    for c in "${cases[@]}"; do
        IFS='|' read -r cmd want <<<"$c"
        run --separate-stderr timeout 20 bash -c "$cmd" </dev/null
        assert_equal "$status" 2
        prog=${cmd%% *}
        assert_equal "${stderr%%$'\n'*}" "$prog: error: $want"
    done
}
