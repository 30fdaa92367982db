#!/usr/bin/env bats
# Topic and group names never reach a path outside the data dir (issue 9):
# whatever a request calls a topic or a group (../x, %2e%2e, a/b, a NUL, a
# name far too long), it is refused or 404, and the data dir holds nothing
# it should not. The rules are in rules/names.h and docs/api.md.

bats_require_minimum_version 1.5.0

load helpers

teardown() {
    stop_all_brokers
}

@test "names like ../x, %2e%2e, a/b, NUL and very long ones never make a file outside topics/" {
    start_broker
    long=$(head -c 300 /dev/zero | tr '\0' n)
    max=$(head -c 255 /dev/zero | tr '\0' m)
    J='Content-Type: application/json'
    # Through the JSON body of topic creation and produce.
    for name in '../x' '..' '.' 'a/b' '/etc' 'a\u0000b' '..\\x' "$long" '.deleted-1-x' '%2e%2e'; do
        api POST /api/v1/topics -H "$J" -d "{\"name\":\"$name\",\"partitions\":1}"
        assert_equal "$HTTP_STATUS" 400
        api POST /api/v1/produce -H "$J" -d "{\"topic\":\"$name\",\"value\":\"v\"}"
        assert_equal "$HTTP_STATUS" 400
    done
    # Through the path and the query string, percent-encoded.
    for enc in '..' '%2e%2e' '%2E%2E' '%2e%2e%2fx' 'a%2fb' '%00' 'a%00b' "$long"; do
        api GET "/api/v1/topics/$enc"
        [[ $HTTP_STATUS == 400 || $HTTP_STATUS == 404 ]] || fail "GET topics/$enc: $HTTP_STATUS"
        api DELETE "/api/v1/topics/$enc"
        [[ $HTTP_STATUS == 400 || $HTTP_STATUS == 404 ]] || fail "DELETE topics/$enc: $HTTP_STATUS"
        api GET "/api/v1/consume?topic=$enc&partition=0&offset=0"
        [[ $HTTP_STATUS == 400 || $HTTP_STATUS == 404 ]] || fail "consume $enc: $HTTP_STATUS"
        api GET "/api/v1/consume?topic=t&group_id=$enc&consumer_id=c"
        [[ $HTTP_STATUS == 400 || $HTTP_STATUS == 404 ]] || fail "group $enc: $HTTP_STATUS"
        api POST "/api/v1/consumer-groups/$enc/members/c/heartbeat"
        [[ $HTTP_STATUS == 400 || $HTTP_STATUS == 404 ]] || fail "heartbeat $enc: $HTTP_STATUS"
        api POST "/api/v1/consumer-groups/g/offsets" -H "$J" \
            -d "{\"topic\":\"$enc\",\"partition\":0,\"offset\":0}"
        [[ $HTTP_STATUS == 400 || $HTTP_STATUS == 404 ]] || fail "commit $enc: $HTTP_STATUS"
    done
    # The longest legal name is one directory, and can be deleted again.
    api POST /api/v1/topics -H "$J" -d "{\"name\":\"$max\",\"partitions\":1}"
    assert_equal "$HTTP_STATUS" 201
    [[ -d $BROKER_DATA/topics/$max ]] || fail "no directory for the 255-character topic"
    api DELETE "/api/v1/topics/$max"
    assert_equal "$HTTP_STATUS" 200
    # Nothing was made but what the broker makes for itself.
    run bash -c "cd '$BROKER_DATA' && find . -mindepth 1 -not -path './groups*' -not -name meta.json \
        -not -name .lock -not -path './topics' -not -path './replication*' | sort"
    assert_output ''
    run find "$BATS_TEST_TMPDIR" -maxdepth 1 -name x
    assert_output ''
}
