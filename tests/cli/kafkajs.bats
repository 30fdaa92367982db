#!/usr/bin/env bats
# kafkajs 2.x (pinned in tests/kafkajs/package-lock.json) against gafka's
# Kafka port (issue 18): its admin client creates, lists and deletes topics,
# its producer writes records that gafka-consume reads at the offsets it was
# told, and a consumer group reads them back and commits offsets that
# gafka-admin shows. tests/kafkajs/run.js does the kafkajs side; it needs
# node and tests/kafkajs/node_modules (scripts/setup.sh runs
# `npm ci --prefix tests/kafkajs`).

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

KAFKAJS=$REPO/tests/kafkajs

setup() {
    command -v node >/dev/null || skip "node is not installed"
    [[ -d $KAFKAJS/node_modules/kafkajs ]] || skip "kafkajs is not installed: npm ci --prefix tests/kafkajs"
}

STARTED=()

teardown() {
    local pid
    for pid in "${STARTED[@]}"; do
        kill -TERM "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    stop_all_brokers
}

@test "kafkajs: admin creates, lists and deletes topics; a producer and a consumer group agree with gafka" {
    start_broker
    KAFKA_BROKER=127.0.0.1:$BROKER_KAFKA_PORT TOPIC=js GROUP=jsgroup \
        run --separate-stderr timeout 90 node "$KAFKAJS/run.js"
    ((status == 0)) || fail "exit $status: $stderr"
    local out=$output
    # Admin: created (a second create is false: it exists), listed, deleted.
    assert_equal "$(jq -c '[.created, .created_again, .topics, .topics_after_delete]' <<<"$out")" \
        '[true,false,["js","js-scratch"],["js"]]'
    assert_equal "$(gafka-admin list-topics | jq -r .name | sort | paste -sd' ')" 'js'
    # CreatePartitions grew the scratch topic to 4 and refused 2.
    assert_equal "$(jq -c '[.grown, .shrink]' <<<"$out")" '[4,"INVALID_PARTITIONS"]'
    assert_equal "$(gafka-admin describe-topic --name js | jq .partitions)" 3
    # Producer: one batch per partition from offset 0, as gafka stored them.
    assert_equal "$(jq -c '.produced' <<<"$out")" \
        '[{"partition":0,"errorCode":0,"baseOffset":0},{"partition":1,"errorCode":0,"baseOffset":0},{"partition":2,"errorCode":0,"baseOffset":0}]'
    # The consumer group read what gafka-consume reads, each record once.
    local fields='{partition, offset, key, value, headers}'
    assert_equal "$(jq -c ".consumed[] | $fields" <<<"$out")" \
        "$(gafka-consume --topic js --from-beginning --exit-at-end | jq -sc "sort_by(.partition, .offset)[] | $fields")"
    assert_equal "$(jq '.consumed | length' <<<"$out")" 12
    assert_equal "$(jq -r '.consumed[] | select(.key != "k" + .headers.n or .value != "v" + .headers.n or .partition != ((.headers.n | tonumber) % 3)) | .key' <<<"$out")" ""
    # DescribeGroups while the consumer was in the group: its client id and
    # host, and the assignment the leader (itself) gave it; ListGroups.
    assert_equal "$(jq -c '.described' <<<"$out")" \
        '{"state":"Stable","protocolType":"consumer","protocol":"RoundRobinAssigner","members":[{"clientId":"gafka-kafkajs-test","clientHost":"/127.0.0.1","assignment":{"js":[0,1,2]}}]}'
    assert_equal "$(jq -c '.listed' <<<"$out")" '[{"groupId":"jsgroup","protocolType":"consumer"}]'
    # Its commits, through kafkajs' fetchOffsets and gafka-admin.
    assert_equal "$(jq -c '.committed' <<<"$out")" \
        '[{"partition":0,"offset":4},{"partition":1,"offset":4},{"partition":2,"offset":4}]'
    assert_equal "$(gafka-admin describe-group --group jsgroup | jq -c '[.partitions[] | [.partition, .committed_offset, .lag]], .total_lag')" \
        "$(printf '%s\n' '[[0,4,0],[1,4,0],[2,4,0]]' 0)"
}

@test "kafkajs: admin lists and describes gafka's HTTP groups (one with commits only, one with a member) and an unknown group" {
    start_broker
    create_topic hj 1
    printf 'a\nb\n' | gafka-produce --topic hj
    # A group with committed offsets and no members, and one with a member.
    gafka-consume --topic hj --group done --exit-at-end >/dev/null
    gafka-consume --topic hj --group live </dev/null >"$BATS_TEST_TMPDIR/live.out" 2>&1 3>&- &
    STARTED+=("$!")
    member() { gafka-admin describe-group --group live 2>/dev/null | jq -e '.members | length == 1' >/dev/null; }
    wait_until member
    local id
    id=$(gafka-admin describe-group --group live | jq -r '.members[0].consumer_id')
    KAFKA_BROKER=127.0.0.1:$BROKER_KAFKA_PORT \
        run --separate-stderr timeout 60 node "$KAFKAJS/describe_groups.js" done live nosuch
    ((status == 0)) || fail "exit $status: $stderr"
    assert_equal "$(jq -c '.listed' <<<"$output")" \
        '[{"groupId":"done","protocolType":""},{"groupId":"live","protocolType":"gafka"}]'
    assert_equal "$(jq -c '.described[] | [.groupId, .errorCode, .state, .protocolType, [.members[] | [.memberId, .clientId, .assignment]]]' <<<"$output")" \
        "$(printf '%s\n' '["done",0,"Empty","",[]]' "[\"live\",0,\"Stable\",\"gafka\",[[\"$id\",\"$id\",null]]]" '["nosuch",0,"Dead","",[]]')"
}
