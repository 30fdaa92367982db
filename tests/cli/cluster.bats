#!/usr/bin/env bats
# Brokers in a cluster coordinated through a real etcd (docs/cluster.md):
# registration under a lease, controller election and failover, a duplicate
# id refused, degraded service while etcd is stopped, and a standalone broker
# that never touches etcd. Session timeout 2s throughout.

bats_require_minimum_version 1.5.0

setup() {
    load helpers
    load etcd_helpers
    start_etcd
    PORTS=()
    PIDS=()
}

teardown() {
    local pid
    for pid in "${PIDS[@]}"; do kill -CONT "$pid" 2>/dev/null || true; done  # a test may have stopped one
    stop_all_brokers
    stop_etcd
}

# start_member ID [gafka-broker args]: broker ID in the cluster (at
# CLUSTER_URL, default ETCD_URL; session timeout SESSION, default 2s), its
# data in data.ID; sets PORTS[ID] and PIDS[ID].
start_member() {
    local id=$1
    shift
    BROKER_DATA=$BATS_TEST_TMPDIR/data.$id
    unset BROKER_PORT
    start_broker --id "$id" --cluster "${CLUSTER_URL:-$ETCD_URL}" --cluster-session-timeout "${SESSION:-2s}" "$@"
    PORTS[id]=$BROKER_PORT
    PIDS[id]=$BROKER_PID
}

describe() {
    gafka-admin describe-cluster --broker "127.0.0.1:${PORTS[$1]}"
}

# poll_until TRIES CMD...: runs CMD every 0.05 s until it succeeds, TRIES times at most
# (helpers.bash's wait_until waits 30 s and fails the test itself).
poll_until() {
    local tries=$1 i
    shift
    for ((i = 0; i < tries; i++)); do
        "$@" && return 0
        sleep 0.05
    done
    return 1
}

# live_ids ID: the ids broker ID lists as live, space-separated.
live_ids() {
    describe "$1" | jq -r '[.brokers[] | select(.live) | .id] | map(tostring) | join(" ")'
}
lists_live() { [[ $(live_ids "$1") == "$2" ]]; }

# controller_of ID: "CONTROLLER_ID EPOCH" as broker ID knows them.
controller_of() {
    describe "$1" | jq -r '"\(.controller.id) \(.controller.epoch)"'
}
# all_agree_on_a_controller ID...: every broker names the same controller (not -1).
all_agree_on_a_controller() {
    local first id c
    first=$(controller_of "$1")
    [[ $first != -1* ]] || return 1
    for id in "$@"; do
        c=$(controller_of "$id")
        [[ $c == "$first" ]] || return 1
    done
}

healthz_status() {
    curl -s "http://127.0.0.1:${PORTS[$1]}/healthz" | jq -r .status
}
healthz_is() { [[ $(healthz_status "$1") == "$2" ]]; }

metric() {
    curl -s "http://127.0.0.1:${PORTS[$1]}/metrics" | awk -v m="$2" '$1 == m { print $2 }'
}

@test "three brokers register and describe-cluster lists them with their addresses" {
    start_member 1
    start_member 2
    start_member 3
    poll_until 100 lists_live 1 "1 2 3" || fail "broker 1 lists: $(describe 1)"
    run --separate-stderr describe 1
    assert_success
    assert_equal "$(jq -r .name <<<"$output")" gafka
    assert_equal "$(jq -r '.etcd_up and .registered' <<<"$output")" true
    assert_equal "$(jq -r '.brokers[] | select(.id == 2) | "\(.host):\(.port)"' <<<"$output")" "127.0.0.1:${PORTS[2]}"
    assert_equal "$(jq -r '.brokers[] | select(.id == 3) | .kafka_port > 0' <<<"$output")" true
    assert_equal "$(etcd_keys /gafka/gafka/brokers/ | tr '\n' ' ')" "/gafka/gafka/brokers/1 /gafka/gafka/brokers/2 /gafka/gafka/brokers/3 "
}

@test "exactly one broker is the controller, and every broker knows which at the same epoch" {
    start_member 1
    start_member 2
    start_member 3
    poll_until 100 all_agree_on_a_controller 1 2 3 || fail "no agreement: $(controller_of 1) / $(controller_of 2) / $(controller_of 3)"
    read -r controller epoch <<<"$(controller_of 1)"
    ((epoch > 0))
    local id sum=0
    for id in 1 2 3; do
        sum=$((sum + $(metric "$id" gafka_cluster_is_controller)))
        assert_equal "$(metric "$id" gafka_cluster_controller_epoch)" "$epoch"
        assert_equal "$(metric "$id" gafka_cluster_etcd_up)" 1
    done
    assert_equal "$sum" 1
    assert_equal "$(metric "$controller" gafka_cluster_is_controller)" 1
    assert_equal "$(curl -s "http://127.0.0.1:${PORTS[controller]}/healthz" | jq -r .cluster.is_controller)" true
}

@test "kill -9 of the controller: another broker takes over within the session timeout + 2 s, at a higher epoch" {
    start_member 1
    start_member 2
    start_member 3
    poll_until 100 all_agree_on_a_controller 1 2 3 || fail "no controller"
    read -r controller epoch <<<"$(controller_of 1)"
    local survivors=() id
    for id in 1 2 3; do [[ $id == "$controller" ]] || survivors+=("$id"); done
    new_controller() {
        local c e
        read -r c e <<<"$(controller_of "${survivors[0]}")"
        [[ $c != -1 && $c != "$controller" ]] && ((e > epoch))
    }
    local start=$(date +%s%N)
    _stop_pid "${PIDS[controller]}" KILL
    poll_until 200 new_controller || fail "no new controller: $(describe "${survivors[0]}")"
    local took_ms=$((($(date +%s%N) - start) / 1000000))
    ((took_ms <= 4000)) || fail "the takeover took ${took_ms} ms"
    poll_until 40 all_agree_on_a_controller "${survivors[@]}" || fail "the survivors disagree"
    run --separate-stderr describe "${survivors[1]}"
    assert_equal "$(jq -r ".brokers[] | select(.id == $controller) | .live" <<<"$output")" false
}

@test "a second broker with the same id is refused at start, exit 1, and the first stays registered" {
    start_member 1
    run --separate-stderr timeout 20 gafka-broker --id 1 --data-dir "$BATS_TEST_TMPDIR/dup" --port 0 --kafka-port 0 \
        --cluster "$ETCD_URL" --cluster-session-timeout 2s
    assert_failure 1
    [[ $stderr == *"broker id 1 is already registered in cluster 'gafka' by the broker at 127.0.0.1:${PORTS[1]}"* ]] ||
        fail "stderr: $stderr"
    [[ $stderr != *serving* ]] || fail "it served: $stderr"
    assert_equal "$(etcd_keys /gafka/gafka/brokers/)" /gafka/gafka/brokers/1
    assert_equal "$(healthz_status 1)" ok
}

@test "a clean stop revokes the lease: the broker's key goes at once" {
    start_member 1
    start_member 2
    poll_until 100 lists_live 2 "1 2" || fail "not registered"
    _stop_pid "${PIDS[1]}" TERM
    assert_equal "$BROKER_STATUS" 0
    assert_equal "$(etcd_keys /gafka/gafka/brokers/)" /gafka/gafka/brokers/2
    poll_until 40 lists_live 2 "2" || fail "broker 2 still lists: $(describe 2)"
}

# topic_t_on_both: topic t created through the controller, held by brokers 1 and 2
# (in a cluster a topic is created only where etcd records it first).
topic_t_on_both() {
    gafka-admin create-topic --broker "127.0.0.1:${PORTS[1]}" --name t >/dev/null || fail "create-topic t"
    local id
    for id in 1 2; do
        poll_until 100 eval 'gafka-admin describe-topic --broker "127.0.0.1:${PORTS['"$id"']}" --name t >/dev/null 2>&1' ||
            fail "broker $id does not hold t"
    done
}
# produce_new ID: one record to topic "new", which nobody has, on broker ID; prints the HTTP status.
produce_new() {
    curl -s -o "$BATS_TEST_TMPDIR/answer" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -d '{"topic":"new","records":[{"value":"v"}]}' "http://127.0.0.1:${PORTS[$1]}/api/v1/produce"
}

@test "with etcd stopped the brokers serve on and say degraded; they recover when it is back" {
    start_member 1
    start_member 2
    poll_until 100 all_agree_on_a_controller 1 2 || fail "no controller"
    topic_t_on_both
    kill -STOP "$ETCD_PID"
    poll_until 100 healthz_is 1 degraded || fail "healthz: $(curl -s "http://127.0.0.1:${PORTS[1]}/healthz")"
    run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORTS[1]}/healthz"
    assert_output 200
    assert_equal "$(curl -s "http://127.0.0.1:${PORTS[1]}/healthz" | jq -r .cluster.etcd_up)" false
    assert_equal "$(metric 1 gafka_cluster_etcd_up)" 0
    # No broker can have been sure of its lease for 2 s: none is the controller.
    poll_until 100 eval '[[ $(metric 1 gafka_cluster_is_controller)$(metric 2 gafka_cluster_is_controller) == 00 ]]' ||
        fail "a controller without etcd"
    # No topic is created without etcd: a retriable 503, nothing on disk.
    assert_equal "$(produce_new 1)" 503
    [[ ! -e $BATS_TEST_TMPDIR/data.1/topics/new ]] || fail "topic new was created without etcd"
    printf 'a\nb\n' | gafka-produce --broker "127.0.0.1:${PORTS[1]}" --topic t
    run --separate-stderr gafka-consume --broker "127.0.0.1:${PORTS[1]}" --topic t --from-beginning --exit-at-end --format value
    assert_success
    assert_output $'a\nb'
    kill -CONT "$ETCD_PID"
    poll_until 100 healthz_is 1 ok || fail "healthz: $(curl -s "http://127.0.0.1:${PORTS[1]}/healthz")"
    poll_until 100 healthz_is 2 ok || fail "healthz of 2"
    poll_until 100 lists_live 1 "1 2" || fail "broker 1 lists: $(describe 1)"
    poll_until 100 all_agree_on_a_controller 1 2 || fail "no controller after etcd came back"
}

@test "an admin call waiting on etcd holds no io thread: with one io thread the broker answers the others meanwhile" {
    # A 6 s session: the broker stays the controller while etcd is stopped
    # long enough for the create to reach etcd and wait there.
    SESSION=6s start_member 1 --io-threads 1
    poll_until 100 all_agree_on_a_controller 1 || fail "no controller: $(describe 1)"
    local conns
    conns=$(metric 1 gafka_open_connections)
    kill -STOP "$ETCD_PID"
    curl -s -o "$BATS_TEST_TMPDIR/create.body" -w '%{http_code}' --max-time 60 -X POST \
        -H 'Content-Type: application/json' -d '{"name":"slow"}' \
        "http://127.0.0.1:${PORTS[1]}/api/v1/topics" >"$BATS_TEST_TMPDIR/create.code" 3>&- &
    local create=$!
    # The create's connection is open (each scrape counts its own).
    poll_until 100 eval '(($(metric 1 gafka_open_connections) > conns))' || fail "the create never connected"
    run curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORTS[1]}/api/v1/topics"
    assert_output 200
    run curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORTS[1]}/healthz"
    assert_output 200
    kill -0 "$create" 2>/dev/null || fail "the create ended before the others were answered: $(cat "$BATS_TEST_TMPDIR/create.code")"
    kill -CONT "$ETCD_PID"
    wait "$create" || true
    # Recorded once etcd is back, or a retriable 503 if its call timed out first.
    [[ $(cat "$BATS_TEST_TMPDIR/create.code") =~ ^(201|503)$ ]] ||
        fail "create: $(cat "$BATS_TEST_TMPDIR/create.code") $(cat "$BATS_TEST_TMPDIR/create.body")"
}

@test "with etcd killed and started again the brokers serve on degraded, then rejoin and elect a controller" {
    start_member 1
    start_member 2
    poll_until 100 all_agree_on_a_controller 1 2 || fail "no controller"
    topic_t_on_both
    stop_etcd
    poll_until 100 healthz_is 1 degraded || fail "healthz: $(curl -s "http://127.0.0.1:${PORTS[1]}/healthz")"
    printf 'x\n' | gafka-produce --broker "127.0.0.1:${PORTS[2]}" --topic t
    run --separate-stderr gafka-consume --broker "127.0.0.1:${PORTS[2]}" --topic t --from-beginning --exit-at-end --format value
    assert_output x
    start_etcd
    poll_until 100 healthz_is 1 ok || fail "healthz: $(curl -s "http://127.0.0.1:${PORTS[1]}/healthz")"
    poll_until 100 healthz_is 2 ok || fail "healthz of 2"
    poll_until 100 lists_live 2 "1 2" || fail "broker 2 lists: $(describe 2)"
    poll_until 100 all_agree_on_a_controller 1 2 || fail "no controller after etcd came back"
}

@test "an etcd endpoint that refuses connections is skipped for the next one" {
    local dead
    dead=$(free_port)
    CLUSTER_URL=etcd://127.0.0.1:$dead,127.0.0.1:$ETCD_PORT start_member 1
    poll_until 100 all_agree_on_a_controller 1 || fail "no controller: $(describe 1)"
    assert_equal "$(healthz_status 1)" ok
    assert_equal "$(etcd_keys /gafka/gafka/brokers/)" /gafka/gafka/brokers/1
}

# produce_one ID: one record to topic t on broker ID; prints the HTTP status.
produce_one() {
    curl -s -o "$BATS_TEST_TMPDIR/answer" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -d '{"topic":"t","records":[{"value":"v"}]}' "http://127.0.0.1:${PORTS[$1]}/api/v1/produce"
}

@test "a broker that starts while etcd is down serves degraded, takes no write until it has read its roles, and joins when etcd comes" {
    stop_etcd
    start_member 1
    assert_equal "$(healthz_status 1)" degraded
    # Its partitions may be led elsewhere by now: it cannot know.
    assert_equal "$(produce_one 1)" 421
    assert_equal "$(jq -r .error.code "$BATS_TEST_TMPDIR/answer")" not_leader
    start_etcd
    poll_until 100 healthz_is 1 ok || fail "healthz: $(curl -s "http://127.0.0.1:${PORTS[1]}/healthz")"
    poll_until 100 all_agree_on_a_controller 1 || fail "no controller: $(describe 1)"
    poll_until 100 eval '[[ $(produce_one 1) == 200 ]]' || fail "after etcd came: $(cat "$BATS_TEST_TMPDIR/answer")"
}

# etcd_value KEY: the value of KEY (etcdctl), empty when absent.
etcd_value() {
    ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$ETCD_PORT" --command-timeout 2s get --print-value-only "$1"
}
# The controller records the internal __consumer_offsets itself: user_* leave it out.
partitions_known() { [[ $(describe "$1" | jq '[.partitions[] | select(.topic != "__consumer_offsets")] | length') == "$2" ]]; }
user_keys() { etcd_keys "$1" | grep -v __consumer_offsets || true; }
three_with_a_controller() {
    start_member 1
    start_member 2
    start_member 3
    poll_until 100 all_agree_on_a_controller 1 2 3 || fail "no controller"
    poll_until 100 lists_live 1 "1 2 3" || fail "broker 1 lists: $(describe 1)"
    read -r controller epoch <<<"$(controller_of 1)"
    other=$((controller % 3 + 1))
}

@test "create-topic with 6 partitions and replication factor 3: the controller records 6 partitions, leaders 2/2/2" {
    three_with_a_controller
    # Through a broker that is not the controller: gafka-admin finds the controller.
    run --separate-stderr gafka-admin create-topic --broker "127.0.0.1:${PORTS[other]}" --name orders --partitions 6 --replication-factor 3
    assert_success
    assert_equal "$(etcd_value /gafka/gafka/topics/orders)" '{"partitions":6,"replication_factor":3,"retention_ms":-1,"retention_bytes":-1,"compression":"producer"}'
    assert_equal "$(etcd_keys /gafka/gafka/partitions/orders/ | wc -l)" 6
    local p values=""
    for p in 0 1 2 3 4 5; do values+="$(etcd_value "/gafka/gafka/partitions/orders/$p")"$'\n'; done
    assert_equal "$(jq -s -c '[.[].leader] | group_by(.) | map(length)' <<<"$values")" "[2,2,2]"
    assert_equal "$(jq -s -c '[.[] | (.replicas | unique | length) == 3 and .isr == .replicas and .leader == .replicas[0] and .leader_epoch == 0 and .controller_epoch == '"$epoch"'] | all' <<<"$values")" true
    # Every broker sees them through its watch.
    poll_until 100 partitions_known "$other" 6 || fail "broker $other: $(describe "$other")"
    run --separate-stderr describe "$other"
    assert_equal "$(jq -c '[.partitions[] | select(.topic == "orders") | .partition]' <<<"$output")" "[0,1,2,3,4,5]"
    assert_equal "$(jq -r .under_replicated_partitions <<<"$output")" 0
    # The controller serves the topic (the data path is unchanged) and shows the assignment.
    run --separate-stderr gafka-admin describe-topic --broker "127.0.0.1:${PORTS[controller]}" --name orders
    assert_success
    assert_equal "$(jq -c '[.partition_info[].cluster.replicas | length]' <<<"$output")" "[3,3,3,3,3,3]"
    # Created again: refused, etcd unchanged.
    run --separate-stderr gafka-admin create-topic --broker "127.0.0.1:${PORTS[controller]}" --name orders --partitions 6
    assert_failure 1
}

@test "a replication factor above the live brokers is refused and nothing is recorded or created" {
    three_with_a_controller
    run --separate-stderr gafka-admin create-topic --broker "127.0.0.1:${PORTS[1]}" --name wide --partitions 2 --replication-factor 4
    assert_failure 1
    [[ $stderr == *"replication factor 4"* ]] || fail "stderr: $stderr"
    assert_equal "$(user_keys /gafka/gafka/topics/)" ""
    assert_equal "$(user_keys /gafka/gafka/partitions/)" ""
    run --separate-stderr gafka-admin describe-topic --broker "127.0.0.1:${PORTS[controller]}" --name wide
    assert_failure 1
    # Without one, a topic gets min(3, live brokers) = 3.
    run --separate-stderr gafka-admin create-topic --broker "127.0.0.1:${PORTS[1]}" --name narrow
    assert_success
    assert_equal "$(etcd_value /gafka/gafka/topics/narrow)" '{"partitions":1,"replication_factor":3,"retention_ms":-1,"retention_bytes":-1,"compression":"producer"}'
}

@test "a broker that is not the controller answers 421 not_controller with the controller's address" {
    three_with_a_controller
    run curl -s -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
        -d '{"name":"direct","partitions":1}' "http://127.0.0.1:${PORTS[other]}/api/v1/topics"
    assert_equal "${lines[1]}" 421
    assert_equal "$(jq -r .error.code <<<"${lines[0]}")" not_controller
    assert_equal "$(jq -r .error.controller <<<"${lines[0]}")" "127.0.0.1:${PORTS[controller]}"
    assert_equal "$(user_keys /gafka/gafka/topics/)" ""
    run gafka-admin describe-topic --broker "127.0.0.1:${PORTS[other]}" --name direct
    assert_failure 1
}

@test "a deposed controller (stopped past its session) does not write when it comes back" {
    three_with_a_controller
    local survivor=$other
    stop_process "${PIDS[controller]}"
    new_controller() {
        local c e
        read -r c e <<<"$(controller_of "$survivor")"
        [[ $c != -1 && $c != "$controller" ]] && ((e > epoch))
    }
    poll_until 200 new_controller || fail "no new controller: $(describe "$survivor")"
    kill -CONT "${PIDS[controller]}"
    run curl -s -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
        -d '{"name":"zombie","partitions":3}' "http://127.0.0.1:${PORTS[controller]}/api/v1/topics"
    assert_equal "${lines[1]}" 421
    assert_equal "$(user_keys /gafka/gafka/topics/)" ""
    assert_equal "$(user_keys /gafka/gafka/partitions/)" ""
    # The new controller records it.
    run --separate-stderr gafka-admin create-topic --broker "127.0.0.1:${PORTS[survivor]}" --name zombie --partitions 3
    assert_success
    assert_equal "$(etcd_keys /gafka/gafka/partitions/zombie/ | wc -l)" 3
}

@test "a broker without --cluster does not touch etcd and says it is standalone" {
    start_broker
    PORTS[1]=$BROKER_PORT
    run --separate-stderr curl -s "$BROKER_URL/healthz"
    assert_equal "$(jq -c 'has("cluster")' <<<"$output")" false
    run curl -s "$BROKER_URL/metrics"
    refute_output --partial gafka_cluster_
    run --separate-stderr gafka-admin describe-cluster
    assert_failure 1
    [[ $stderr == *"not in a cluster"* ]] || fail "stderr: $stderr"
    run --separate-stderr gafka-admin create-topic --name two --replication-factor 2
    assert_failure 1
    [[ $stderr == *"replication factor 1"* ]] || fail "stderr: $stderr"
    run --separate-stderr gafka-admin create-topic --name one --replication-factor 1
    assert_success
    assert_equal "$(etcd_keys /)" ""
    run grep cluster "$BROKER_LOG"
    assert_failure
}

@test "bad cluster flags are usage errors" {
    run --separate-stderr gafka-broker --data-dir "$BATS_TEST_TMPDIR/d" --cluster http://127.0.0.1:2379
    assert_failure 2
    [[ $stderr == *"etcd://HOST:PORT"* ]] || fail "$stderr"
    run --separate-stderr gafka-broker --data-dir "$BATS_TEST_TMPDIR/d" --cluster "$ETCD_URL" --cluster-session-timeout 500ms
    assert_failure 2
    [[ $stderr == *"at least 1s"* ]] || fail "$stderr"
    run --separate-stderr gafka-broker --data-dir "$BATS_TEST_TMPDIR/d" --cluster "$ETCD_URL" --cluster-name a/b
    assert_failure 2
    [[ $stderr == *"--cluster-name"* ]] || fail "$stderr"
    [[ ! -e $BATS_TEST_TMPDIR/d ]]
    assert_equal "$(etcd_keys /)" ""
}

# --- replicas: partitions live on their replicas, followers copy their leaders ---

# three_replicating: three_with_a_controller, acks=all needing 2 in-sync
# replicas and a follower leaving the ISR after 1 s of silence, and topic
# rep (3 partitions, replication factor 3) created through the controller.
three_replicating() {
    start_member 1 --min-insync 2 --replica-lag-max 1s
    start_member 2 --min-insync 2 --replica-lag-max 1s
    start_member 3 --min-insync 2 --replica-lag-max 1s
    poll_until 100 all_agree_on_a_controller 1 2 3 || fail "no controller"
    poll_until 100 lists_live 1 "1 2 3" || fail "broker 1 lists: $(describe 1)"
    read -r controller epoch <<<"$(controller_of 1)"
    run --separate-stderr gafka-admin create-topic --broker "127.0.0.1:${PORTS[controller]}" --name rep --partitions 3 --replication-factor 3
    assert_success
}
leader_of() { etcd_value "/gafka/gafka/partitions/rep/$1" | jq -r .leader; }
# produce_to ID P FROM TO: records "P-FROM".."P-TO" to partition P on broker ID, acks=all; prints the HTTP status.
produce_to() {
    local body
    body=$(seq -f "$2-%g" "$3" "$4" | jq -R -s -c --argjson p "$2" '{topic:"rep",records:split("\n")[:-1] | map({partition:$p,value:.})}')
    curl -s -o "$BATS_TEST_TMPDIR/answer" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -d "$body" "http://127.0.0.1:${PORTS[$1]}/api/v1/produce?acks=all"
}
dump() { gafka-walcheck --dump "$BATS_TEST_TMPDIR/data.$1/topics/rep/$2" 2>/dev/null; }
# same_copy P ID: broker ID's copy of partition P holds what its leader's holds, record for record.
same_copy() {
    local a b
    a=$(dump "$(leader_of "$1")" "$1") && b=$(dump "$2" "$1") && [[ -n $a && $a == "$b" ]]
}
has_topic_dirs() { [[ -d $BATS_TEST_TMPDIR/data.$1/topics/rep/0 && -d $BATS_TEST_TMPDIR/data.$1/topics/rep/2 ]]; }

@test "replicas: a topic with replication factor 3 lives on all three brokers, and each follower copies each leader" {
    three_replicating
    local id p l
    for id in 1 2 3; do poll_until 100 has_topic_dirs "$id" || fail "broker $id has no rep: $(ls -R "$BATS_TEST_TMPDIR/data.$id")"; done
    for p in 0 1 2; do
        l=$(leader_of "$p")
        assert_equal "$(produce_to "$l" "$p" 1 50)" 200
    done
    # acks=all answered: every replica (all three in sync) holds the records, no waiting.
    for p in 0 1 2; do
        [[ $(dump "$(leader_of "$p")" "$p" | wc -l) == 50 ]] || fail "leader of $p holds: $(dump "$(leader_of "$p")" "$p")"
        for id in 1 2 3; do same_copy "$p" "$id" || fail "broker $id's copy of rep/$p differs"; done
    done
    # The three leaders are three brokers: each leads one and follows two.
    assert_equal "$(for p in 0 1 2; do leader_of "$p"; done | sort -u | wc -l)" 3
}

@test "replicas: a follower refuses a produce with 421 not_leader naming the partition's leader" {
    three_replicating
    local l f
    l=$(leader_of 0)
    f=$((l % 3 + 1))
    poll_until 100 has_topic_dirs "$f" || fail "broker $f has no rep"
    poll_until 100 eval '[[ $(produce_to '"$f"' 0 1 1) == 421 ]]' || fail "broker $f answered: $(cat "$BATS_TEST_TMPDIR/answer")"
    assert_equal "$(jq -r .error.code "$BATS_TEST_TMPDIR/answer")" not_leader
    assert_equal "$(jq -r .error.leader "$BATS_TEST_TMPDIR/answer")" "127.0.0.1:${PORTS[l]}"
    assert_equal "$(jq -r .error.leader_id "$BATS_TEST_TMPDIR/answer")" "$l"
    [[ -z $(dump "$f" 0) ]] || fail "the refused record is in broker $f's log"
}

@test "replicas: with a follower killed, acks=all and --min-insync 2 go on with 2 of 3; it catches up when back" {
    three_replicating
    local id p l victim
    for id in 1 2 3; do poll_until 100 has_topic_dirs "$id" || fail "broker $id has no rep"; done
    l=$(leader_of 0)
    victim=$((l % 3 + 1))
    for p in 0 1 2; do assert_equal "$(produce_to "$(leader_of "$p")" "$p" 1 10)" 200; done
    for p in 0 1 2; do poll_until 100 same_copy "$p" "$victim" || fail "broker $victim's copy of rep/$p differs"; done
    _stop_pid "${PIDS[victim]}" KILL
    # Partitions led elsewhere (not by the dead broker) take acks=all writes once it leaves their ISR.
    for p in 0 1 2; do
        [[ $(leader_of "$p") == "$victim" ]] && continue
        assert_equal "$(produce_to "$(leader_of "$p")" "$p" 11 30)" 200
    done
    BROKER_DATA=$BATS_TEST_TMPDIR/data.$victim
    start_member "$victim" --min-insync 2 --replica-lag-max 1s
    # It read its roles before serving: at once a follower of rep/0, not a leader at epoch 0.
    assert_equal "$(produce_to "$victim" 0 99 99)" 421
    for p in 0 1 2; do poll_until 200 same_copy "$p" "$victim" || fail "broker $victim did not catch up on rep/$p"; done
    [[ $(dump "$l" 0 | wc -l) == 30 ]] || fail "rep/0 on its leader: $(dump "$l" 0 | wc -l) records"
}

# --- failover: the controller moves leadership off a broker whose lease expired ---

partition_state() { etcd_value "/gafka/gafka/partitions/rep/$1"; }
leader_epoch_of() { partition_state "$1" | jq -r .leader_epoch; }
isr_of() { partition_state "$1" | jq -c '.isr | sort'; }
# led_by_another P ID: rep/P has a leader, and not broker ID.
led_by_another() { local l; l=$(leader_of "$1"); [[ $l != "$2" && $l != -1 && -n $l ]]; }
isr_is() { [[ $(isr_of "$1") == "$2" ]]; }
# produce_answers ID P FROM TO CODE: produce_to answers CODE; every answer is kept in answers.
produce_answers() {
    local code
    code=$(produce_to "$1" "$2" "$3" "$4")
    echo "$code $(cat "$BATS_TEST_TMPDIR/answer")" >>"$BATS_TEST_TMPDIR/answers"
    [[ $code == "$5" ]]
}
# values ID P: the values of broker ID's copy of rep/P, one per line, in log order.
values() { dump "$1" "$2" | jq -r .value; }

@test "failover: after kill -9 of a leader an in-sync replica leads at a higher epoch with every acknowledged record, and the old one rejoins" {
    three_replicating
    local id l n epoch
    for id in 1 2 3; do poll_until 100 has_topic_dirs "$id" || fail "broker $id has no rep"; done
    l=$(leader_of 0)
    epoch=$(leader_epoch_of 0)
    assert_equal "$(produce_to "$l" 0 1 50)" 200
    _stop_pid "${PIDS[l]}" KILL
    poll_until 200 led_by_another 0 "$l" || fail "rep/0 still: $(partition_state 0)"
    n=$(leader_of 0)
    (($(leader_epoch_of 0) > epoch)) || fail "the epoch did not move: $(partition_state 0)"
    assert_equal "$(isr_of 0)" "$(jq -c -n --argjson l "$l" '[1,2,3] - [$l]')"
    # The new leader takes its role within a reconcile pass, then acks=all with the other survivor.
    poll_until 100 produce_answers "$n" 0 51 100 200 || fail "broker $n answered: $(cat "$BATS_TEST_TMPDIR/answer")"
    [[ $(values "$n" 0) == "$(seq -f '0-%g' 1 100)" ]] ||
        fail "broker $n holds: $(values "$n" 0 | paste -sd ' '); it answered: $(cat "$BATS_TEST_TMPDIR/answers")"
    BROKER_DATA=$BATS_TEST_TMPDIR/data.$l
    start_member "$l" --min-insync 2 --replica-lag-max 1s
    assert_equal "$(produce_to "$l" 0 999 999)" 421
    poll_until 200 same_copy 0 "$l" || fail "broker $l did not catch up on rep/0"
    # Caught up, it is back in the ISR the leader records in etcd.
    poll_until 200 isr_is 0 "[1,2,3]" || fail "rep/0's ISR: $(partition_state 0)"
    assert_equal "$(leader_of 0)" "$n"
}

@test "failover: a leader stopped past its session acknowledges no acks=1 write when it continues, and copies the new leader's log" {
    three_replicating
    local id l n answer
    for id in 1 2 3; do poll_until 100 has_topic_dirs "$id" || fail "broker $id has no rep"; done
    l=$(leader_of 0)
    assert_equal "$(produce_to "$l" 0 1 10)" 200
    stop_process "${PIDS[l]}"
    poll_until 200 led_by_another 0 "$l" || fail "rep/0 still: $(partition_state 0)"
    n=$(leader_of 0)
    poll_until 100 produce_answers "$n" 0 11 20 200 || fail "broker $n answered: $(cat "$BATS_TEST_TMPDIR/answer")"
    # A write waiting in the stopped leader's socket, acks=1: once it runs again
    # its lease is gone, and so is its right to acknowledge.
    curl -s -o "$BATS_TEST_TMPDIR/zombie" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -d '{"topic":"rep","records":[{"partition":0,"value":"zombie"}]}' \
        "http://127.0.0.1:${PORTS[l]}/api/v1/produce?acks=1" >"$BATS_TEST_TMPDIR/zombie.code" &
    local curl_pid=$!
    poll_until 100 eval '[[ $(ss -tnH state established dst "127.0.0.1:${PORTS[l]}" | wc -l) -ge 1 ]]'
    kill -CONT "${PIDS[l]}"
    wait "$curl_pid" || true
    answer=$(cat "$BATS_TEST_TMPDIR/zombie.code")
    [[ $answer == 421 ]] || fail "the zombie answered $answer: $(cat "$BATS_TEST_TMPDIR/zombie")"
    assert_equal "$(jq -r .error.code "$BATS_TEST_TMPDIR/zombie")" not_leader
    # It follows the new leader, with nothing of its own in its log.
    poll_until 200 same_copy 0 "$l" || fail "broker $l did not copy rep/0: $(values "$l" 0 | tail -3)"
    [[ $(values "$l" 0) == "$(seq -f '0-%g' 1 20)" ]] ||
        fail "broker $l holds: $(values "$l" 0 | paste -sd ' '); the new leader answered: $(cat "$BATS_TEST_TMPDIR/answers")"
}

@test "failover: an idempotent Kafka producer (kcat, acks=all) goes on through kill -9 of the leader: every record once, in order" {
    three_replicating
    local id l bootstrap=() survivor
    for id in 1 2 3; do
        poll_until 100 has_topic_dirs "$id" || fail "broker $id has no rep"
        bootstrap+=("127.0.0.1:$(describe 1 | jq -r --argjson id "$id" '.brokers[] | select(.id == $id) | .kafka_port')")
    done
    l=$(leader_of 0)
    # 3000 lines, paced so that the kill falls in the middle of them.
    (for ((i = 1; i <= 3000; i++)); do
        echo "$i"
        ((i % 100 == 0)) && sleep 0.1
    done) | timeout 120 kcat -P -b "$(IFS=,; echo "${bootstrap[*]}")" -t rep -p 0 -X enable.idempotence=true \
        -X acks=all 2>"$BATS_TEST_TMPDIR/kcat.err" &
    local kcat_pid=$!
    poll_until 100 eval '[[ $(dump '"$l"' 0 | wc -l) -ge 500 ]]' || fail "nothing reached the leader"
    _stop_pid "${PIDS[l]}" KILL
    wait "$kcat_pid" || fail "kcat failed: $(tail -5 "$BATS_TEST_TMPDIR/kcat.err")"
    survivor=$(leader_of 0)
    [[ $survivor != "$l" ]] || fail "no failover: $(partition_state 0)"
    [[ $(values "$survivor" 0) == "$(seq 1 3000)" ]] ||
        fail "the new leader holds $(values "$survivor" 0 | wc -l) records, $(values "$survivor" 0 | sort -u | wc -l) distinct"
}

@test "failover: gafka-produce with its default --retries goes on through kill -9 of the leader (it waits out the cluster's failover window)" {
    # A failover takes about the session timeout, 5 s here: longer than
    # the default 5 retries (about 3 s) alone would wait.
    SESSION=5s three_replicating
    local id l brokers=() survivor
    for id in 1 2 3; do
        poll_until 100 has_topic_dirs "$id" || fail "broker $id has no rep"
        brokers+=("127.0.0.1:${PORTS[id]}")
    done
    # The window the programs wait a failover out for is 2 x 5 s + 2 s.
    assert_equal "$(describe 1 | jq .session_timeout_ms)" 5000
    l=$(leader_of 0)
    (for ((i = 1; i <= 2000; i++)); do
        echo "$i"
        ((i % 100 == 0)) && sleep 0.1
    done) | timeout 120 gafka-produce --broker "$(IFS=,; echo "${brokers[*]}")" --topic rep --partition 0 \
        --acks all --print-acks >"$BATS_TEST_TMPDIR/acks" 2>"$BATS_TEST_TMPDIR/produce.err" &
    local produce_pid=$!
    poll_until 100 eval '[[ $(dump '"$l"' 0 | wc -l) -ge 400 ]]' || fail "nothing reached the leader"
    _stop_pid "${PIDS[l]}" KILL
    wait "$produce_pid" || fail "gafka-produce gave up: $(tail -5 "$BATS_TEST_TMPDIR/produce.err")"
    assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/acks")" 2000
    survivor=$(leader_of 0)
    [[ $survivor != "$l" ]] || fail "no failover: $(partition_state 0)"
    [[ $(values "$survivor" 0) == "$(seq 1 2000)" ]] ||
        fail "the new leader holds $(values "$survivor" 0 | wc -l) records, $(values "$survivor" 0 | sort -u | wc -l) distinct"
}

# --- What clients see (docs/cluster.md): every broker's metadata is the cluster's ---

# kafka_port_of ID: broker ID's Kafka port, as the cluster lists it.
kafka_port_of() {
    describe 1 | jq -r --argjson id "$1" '.brokers[] | select(.id == $id) | .kafka_port'
}
# etcd_partitions TOPIC N: its partitions 0..N-1 as etcd holds them.
etcd_partitions() {
    local p
    for ((p = 0; p < $2; p++)); do
        etcd_value "/gafka/gafka/partitions/$1/$p" |
            jq -c --argjson p "$p" '{partition: $p, leader, leader_epoch, replicas, isr}'
    done | jq -s -c .
}
# http_metadata ID: broker ID's /api/v1/metadata.
http_metadata() {
    curl -s --max-time 5 "http://127.0.0.1:${PORTS[$1]}/api/v1/metadata"
}
# kcat_metadata ID TOPIC: kcat -L -J against broker ID's Kafka listener.
kcat_metadata() {
    timeout 30 kcat -b "127.0.0.1:$(kafka_port_of "$1")" -m 10 -L -J -t "$2"
}
http_partitions() {
    jq -c --arg t "$2" '[.topics[] | select(.name == $t) | .partitions[] | {partition, leader, leader_epoch, replicas, isr}]' <<<"$1"
}
kcat_partitions() {
    jq -c '[.topics[0].partitions[] | {partition, leader, replicas: [.replicas[].id], isr: [.isrs[].id]}]' <<<"$1"
}
knows_topic() { [[ $(http_metadata "$1" | jq --arg t "$2" '[.topics[] | select(.name == $t)] | length') == 1 ]]; }

@test "clients see the cluster: /api/v1/metadata and kcat -L -J on every broker give the brokers, controller and leaders etcd holds" {
    three_with_a_controller
    run --separate-stderr gafka-admin create-topic --broker "127.0.0.1:${PORTS[other]}" --name orders --partitions 6 --replication-factor 2
    assert_success
    local want want_kafka http_brokers kafka_brokers id out
    want=$(etcd_partitions orders 6)
    http_brokers=$(jq -c -n --arg a "${PORTS[1]}" --arg b "${PORTS[2]}" --arg c "${PORTS[3]}" \
        '[[1,$a],[2,$b],[3,$c]] | map({id: .[0], host: "127.0.0.1", port: (.[1] | tonumber)})')
    kafka_brokers=$(jq -c -n --arg a "$(kafka_port_of 1)" --arg b "$(kafka_port_of 2)" --arg c "$(kafka_port_of 3)" \
        '[[1,$a],[2,$b],[3,$c]] | map({id: .[0], name: "127.0.0.1:\(.[1])"})')
    want_kafka=$(jq -c 'map({partition, leader, replicas, isr})' <<<"$want")
    # Three leaders, so a broker that routed every partition to itself would fail here.
    assert_equal "$(jq -c '[.[].leader] | unique' <<<"$want")" "[1,2,3]"
    for id in 1 2 3; do
        poll_until 100 knows_topic "$id" orders || fail "broker $id: $(http_metadata "$id")"
        out=$(http_metadata "$id")
        assert_equal "$(jq -c '.brokers' <<<"$out")" "$http_brokers"
        assert_equal "$(jq -c '.controller_id' <<<"$out")" "$controller"
        assert_equal "$(http_partitions "$out" orders)" "$want"
        out=$(kcat_metadata "$id" orders)
        assert_equal "$(jq -c '.brokers | sort_by(.id)' <<<"$out")" "$kafka_brokers"
        assert_equal "$(jq -c '.controllerid' <<<"$out")" "$controller"
        assert_equal "$(kcat_partitions "$out")" "$want_kafka"
    done
    # Each broker adds its copy's offsets to the partitions it is a replica of, and only to those.
    for id in 1 2 3; do
        poll_until 100 knows_topic "$id" orders || fail "broker $id: $(http_metadata "$id")"
        out=$(http_metadata "$id")
        assert_equal "$(jq -c --argjson id "$id" '[.topics[] | select(.name == "orders") | .partitions[]
            | select(has("log_end_offset")) | .partition] | sort' <<<"$out")" \
            "$(jq -c --argjson id "$id" '[.[] | select(.replicas | index($id)) | .partition] | sort' <<<"$want")"
    done
}

@test "clients see the cluster: a partition whose leader is gone has no leader (Kafka error 5), the others keep theirs" {
    three_with_a_controller
    run --separate-stderr gafka-admin create-topic --broker "127.0.0.1:${PORTS[controller]}" --name solo --partitions 3 --replication-factor 1
    assert_success
    local want gone=$other survivor=$controller id out
    want=$(etcd_partitions solo 3)
    assert_equal "$(jq -c '[.[].leader] | sort' <<<"$want")" "[1,2,3]"
    local port
    port=$(kafka_port_of "$survivor")
    _stop_pid "${PIDS[gone]}" TERM
    poll_until 40 lists_live "$survivor" "$(tr ' ' '\n' <<<"1 2 3" | grep -vx "$gone" | paste -sd ' ')" ||
        fail "still listed: $(describe "$survivor")"
    # One replica each: no ISR member can take over, so whatever the
    # controller does the gone broker's partition has no live leader.
    out=$(timeout 30 kcat -b "127.0.0.1:$port" -m 10 -L -J -t solo)
    assert_equal "$(jq -c '[.brokers[].id] | sort' <<<"$out")" "$(jq -c -n --argjson g "$gone" '[1,2,3] - [$g]')"
    assert_equal "$(jq -c --argjson g "$gone" '[.topics[0].partitions[] | .leader == -1 and (.error // "" | test("Leader not available"))]' <<<"$out")" \
        "$(jq -c --argjson g "$gone" '[.[] | .leader == $g]' <<<"$want")"
    assert_equal "$(jq -c '[.topics[0].partitions[] | select(.leader != -1) | .leader] | sort' <<<"$out")" \
        "$(jq -c --argjson g "$gone" '[.[] | select(.leader != $g) | .leader] | sort' <<<"$want")"
    # Over HTTP the gone broker is not listed, so clients find no address for its partitions.
    out=$(http_metadata "$survivor")
    assert_equal "$(jq -c '[.brokers[].id] | index('"$gone"')' <<<"$out")" null
}

# --- alter-topic: partitions added to a replicated topic ---

# local_partitions ID TOPIC: the partition count of broker ID's own copy.
local_partitions() {
    gafka-admin describe-topic --broker "127.0.0.1:${PORTS[$1]}" --name "$2" 2>/dev/null | jq .partitions
}

@test "alter-topic grows a replicated topic: etcd, every broker's metadata and copy, and records to a new partition read back" {
    three_replicating
    local id p before other=$((controller % 3 + 1))
    for id in 1 2 3; do poll_until 100 has_topic_dirs "$id" || fail "broker $id has no rep"; done
    before=$(etcd_partitions rep 3)
    # Asked of a broker that is not the controller: 421 not_controller with its address, which gafka-admin follows.
    curl -s -o "$BATS_TEST_TMPDIR/answer" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -d '{"partitions":5}' "http://127.0.0.1:${PORTS[other]}/api/v1/topics/rep/partitions" >"$BATS_TEST_TMPDIR/code"
    assert_equal "$(<"$BATS_TEST_TMPDIR/code")" 421
    assert_equal "$(jq -c '[.error.code, .error.controller]' "$BATS_TEST_TMPDIR/answer")" \
        "[\"not_controller\",\"127.0.0.1:${PORTS[controller]}\"]"
    assert_equal "$(etcd_value /gafka/gafka/topics/rep)" '{"partitions":3,"replication_factor":3,"retention_ms":-1,"retention_bytes":-1,"compression":"producer"}'
    run --separate-stderr gafka-admin alter-topic rep --partitions 5 --broker "127.0.0.1:${PORTS[other]}"
    assert_success
    assert_output '{"name":"rep","partitions":5}'
    assert_equal "$(etcd_value /gafka/gafka/topics/rep)" '{"partitions":5,"replication_factor":3,"retention_ms":-1,"retention_bytes":-1,"compression":"producer"}'
    # The old partitions keep their state; the new ones continue the leaders' round-robin, all in sync.
    local want
    want=$(etcd_partitions rep 5)
    assert_equal "$(jq -c '.[:3]' <<<"$want")" "$before"
    assert_equal "$(jq -c '[.[3].leader == .[0].leader, .[4].leader == .[1].leader]' <<<"$want")" '[true,true]'
    assert_equal "$(jq -c '[.[3:][] | (.replicas | length) == 3 and .isr == .replicas and .leader_epoch == 0] | all' <<<"$want")" true
    # Not fewer, and nothing changes.
    run --separate-stderr gafka-admin alter-topic rep --partitions 4 --broker "127.0.0.1:${PORTS[other]}"
    assert_failure 1
    assert_regex "$stderr" 'has 5 partitions'
    assert_equal "$(etcd_keys /gafka/gafka/partitions/rep/ | wc -l)" 5
    # Every broker's metadata shows the new partitions with their replicas, and its own copy has them.
    for id in 1 2 3; do
        poll_until 100 eval '[[ $(http_partitions "$(http_metadata '"$id"')" rep) == "$want" ]]' ||
            fail "broker $id: $(http_metadata "$id")"
        poll_until 100 eval '[[ $(local_partitions '"$id"' rep) == 5 ]]' || fail "broker $id's copy of rep did not grow"
    done
    # Records produced to a new partition reach every replica and read back from its leader.
    local l
    l=$(leader_of 4)
    poll_until 100 eval '[[ $(produce_to '"$l"' 4 1 10) == 200 ]]' || fail "produce to rep/4: $(cat "$BATS_TEST_TMPDIR/answer")"
    run --separate-stderr gafka-consume --broker "127.0.0.1:${PORTS[l]}" --topic rep --partition 4 --offset 0 --exit-at-end --format value
    assert_success
    assert_equal "$output" "$(seq -f '4-%g' 1 10)"
    for id in 1 2 3; do poll_until 100 same_copy 4 "$id" || fail "broker $id's copy of rep/4 differs"; done
    # The new partitions outlive a restart of a follower.
    local f=$(((l % 3) + 1))
    _stop_pid "${PIDS[f]}" TERM
    BROKER_DATA=$BATS_TEST_TMPDIR/data.$f
    start_member "$f" --min-insync 2 --replica-lag-max 1s
    assert_equal "$(local_partitions "$f" rep)" 5
    same_copy 4 "$f" || fail "broker $f's copy of rep/4 differs after its restart"
}

# --- group offsets: kept in __consumer_offsets, whose partition 0's leader coordinates the groups ---

offsets_state() { etcd_value "/gafka/gafka/partitions/__consumer_offsets/0"; }
offsets_in_sync() { [[ $(offsets_state | jq -c '.isr | sort') == "[1,2,3]" ]]; }
offsets_led_by_another() { local l; l=$(offsets_state | jq -r .leader); [[ -n $l && $l != -1 && $l != "$1" ]]; }
# rep_readable ID N: broker ID's copy of rep has N records below its high watermarks.
rep_readable() {
    [[ $(http_metadata "$1" | jq '[.topics[] | select(.name == "rep") | .partitions[].high_watermark // 0] | add') == "$2" ]]
}

@test "group offsets: after kill -9 of the group coordinator (leader of __consumer_offsets/0) the group goes on from its committed offsets" {
    three_replicating
    local all c id n kp out first second
    all="127.0.0.1:${PORTS[1]},127.0.0.1:${PORTS[2]},127.0.0.1:${PORTS[3]}"
    poll_until 200 offsets_in_sync || fail "__consumer_offsets/0: $(offsets_state)"
    seq 1 60 | sed 's/.*/k&:r&/' | gafka-produce --broker "$all" --topic rep --key-separator :  # keyed: over the 3 partitions
    for id in 1 2 3; do poll_until 200 rep_readable "$id" 60 || fail "broker $id: $(http_metadata "$id")"; done
    c=$(offsets_state | jq -r .leader)
    # A broker that is not the coordinator refuses group calls, naming it.
    id=$((c % 3 + 1))
    out=$(curl -s "http://127.0.0.1:${PORTS[id]}/api/v1/consumer-groups/g/status")
    assert_equal "$(jq -r '.error.code' <<<"$out")" not_coordinator
    assert_equal "$(jq -r '.error.leader_id' <<<"$out")" "$c"
    run --separate-stderr gafka-consume --broker "127.0.0.1:${PORTS[id]}" --topic rep --group g --max-messages 25
    assert_success
    first=$(jq -r .value <<<"$output")
    assert_equal "$(wc -l <<<"$first")" 25
    _stop_pid "${PIDS[c]}" KILL
    poll_until 300 offsets_led_by_another "$c" || fail "__consumer_offsets/0 still: $(offsets_state)"
    n=$(offsets_state | jq -r .leader)
    poll_until 200 rep_readable "$n" 60 || fail "broker $n: $(http_metadata "$n")"
    run --separate-stderr gafka-consume --broker "$all" --topic rep --group g --exit-at-end
    assert_success
    second=$(jq -r .value <<<"$output")
    # Nothing committed is read again, nothing is skipped.
    assert_equal "$(printf '%s\n%s\n' "$first" "$second" | sort)" "$(seq -f 'r%g' 1 60 | sort)"
    out=$(gafka-admin describe-group --broker "$all" --group g)
    assert_equal "$(jq '[.partitions[].committed_offset] | add' <<<"$out")" 60
    # A Kafka client asking a broker that is not the coordinator is sent to it
    # (FindCoordinator), and its group's commits land there.
    id=$((n % 3 + 1))
    [[ $id == "$c" ]] && id=$((id % 3 + 1))
    kp=$(describe "$n" | jq -r --argjson id "$id" '.brokers[] | select(.id == $id) | .kafka_port')
    run timeout 60 kcat -b "127.0.0.1:$kp" -G kg -X auto.offset.reset=earliest -c 60 -q -f '%s\n' rep
    assert_success
    assert_equal "$(sort <<<"$output")" "$(seq -f 'r%g' 1 60 | sort)"
    out=$(gafka-admin describe-group --broker "127.0.0.1:${PORTS[id]}" --group kg)
    assert_equal "$(jq '[.partitions[].committed_offset] | add' <<<"$out")" 60
}

# --- elect-leaders: leadership back to the preferred replica ---

preferred_of() { partition_state "$1" | jq -r '.replicas[0]'; }

@test "elect-leaders: after a failover and the old leader's return to the ISR, rep/0 is led by its first replica again at a higher epoch" {
    three_replicating
    local id p epoch other
    for id in 1 2 3; do poll_until 100 has_topic_dirs "$id" || fail "broker $id has no rep"; done
    p=$(preferred_of 0)
    assert_equal "$(leader_of 0)" "$p"
    assert_equal "$(produce_to "$p" 0 1 20)" 200
    _stop_pid "${PIDS[p]}" KILL
    poll_until 200 led_by_another 0 "$p" || fail "rep/0 still: $(partition_state 0)"
    BROKER_DATA=$BATS_TEST_TMPDIR/data.$p
    start_member "$p" --min-insync 2 --replica-lag-max 1s
    poll_until 200 isr_is 0 "[1,2,3]" || fail "rep/0's ISR: $(partition_state 0)"
    epoch=$(leader_epoch_of 0)
    [[ $(leader_of 0) != "$p" ]] || fail "it leads again by itself: $(partition_state 0)"
    # A broker that is not the controller refuses with the controller's address.
    poll_until 100 all_agree_on_a_controller 1 2 3 || fail "no controller"
    read -r controller _ <<<"$(controller_of 1)"
    other=$((controller % 3 + 1))
    run curl -s -o "$BATS_TEST_TMPDIR/answer" -w '%{http_code}' -X POST "http://127.0.0.1:${PORTS[other]}/api/v1/cluster/elect-leaders"
    assert_output 421
    assert_equal "$(jq -c '[.error.code, .error.controller]' "$BATS_TEST_TMPDIR/answer")" \
        "[\"not_controller\",\"127.0.0.1:${PORTS[controller]}\"]"
    assert_equal "$(leader_epoch_of 0)" "$epoch"
    # An unknown topic: 404, nothing changes.
    run --separate-stderr gafka-admin elect-leaders --topic nosuch --broker "127.0.0.1:${PORTS[other]}"
    assert_failure 1
    assert_regex "$stderr" "unknown topic 'nosuch'"
    assert_equal "$(leader_epoch_of 0)" "$epoch"
    # gafka-admin follows the controller; the change is printed and recorded.
    run --separate-stderr gafka-admin elect-leaders --topic rep --broker "127.0.0.1:${PORTS[other]}"
    assert_success
    assert_output "{\"topic\":\"rep\",\"partition\":0,\"leader\":$p,\"leader_epoch\":$((epoch + 1))}"
    assert_equal "$(leader_of 0)" "$p"
    assert_equal "$(leader_epoch_of 0)" $((epoch + 1))
    assert_equal "$(isr_of 0)" "[1,2,3]"
    # Nothing left to move: an empty answer.
    run --separate-stderr gafka-admin elect-leaders --broker "127.0.0.1:${PORTS[other]}"
    assert_success
    assert_output ""
    # The preferred replica takes its role and the writes; the others refuse them.
    poll_until 100 produce_answers "$p" 0 21 40 200 || fail "broker $p answered: $(cat "$BATS_TEST_TMPDIR/answer")"
    assert_equal "$(produce_to $((p % 3 + 1)) 0 99 99)" 421
    [[ $(values "$p" 0) == "$(seq -f '0-%g' 1 40)" ]] || fail "broker $p holds: $(values "$p" 0 | paste -sd ' ')"
}

@test "elect-leaders on a standalone broker: 400 not_in_cluster, exit 1; bad bodies 400" {
    BROKER_DATA=$BATS_TEST_TMPDIR/alone
    start_broker
    run curl -s -o "$BATS_TEST_TMPDIR/answer" -w '%{http_code}' -X POST "http://127.0.0.1:$BROKER_PORT/api/v1/cluster/elect-leaders"
    assert_output 400
    assert_equal "$(jq -r .error.code "$BATS_TEST_TMPDIR/answer")" not_in_cluster
    run --separate-stderr gafka-admin elect-leaders --broker "127.0.0.1:$BROKER_PORT"
    assert_failure 1
    assert_regex "$stderr" 'standalone'
    # Bad bodies are refused before anything else.
    local body code
    for body in '[1]:invalid_json' '{"topic":"t","x":1}:bad_request' '{"topic":7}:bad_request' '{"topic":"a/b"}:invalid_topic'; do
        code=$(curl -s -o "$BATS_TEST_TMPDIR/answer" -w '%{http_code}' -X POST -d "${body%:*}" \
            "http://127.0.0.1:$BROKER_PORT/api/v1/cluster/elect-leaders")
        assert_equal "$code $(jq -r .error.code "$BATS_TEST_TMPDIR/answer")" "400 ${body##*:}"
    done
    run --separate-stderr gafka-admin elect-leaders --topic a/b --broker "127.0.0.1:$BROKER_PORT"
    assert_failure 2
}

# --- C: deleting and re-creating a topic in a cluster ---

rep_dir_gone() { [[ ! -e $BATS_TEST_TMPDIR/data.$1/topics/rep ]]; }
# rep_gone_everywhere ID...: etcd has no key of rep, and neither the metadata nor the data dir of any broker ID has it.
rep_gone_everywhere() {
    local id
    [[ -z $(etcd_keys /gafka/gafka/topics/rep) && -z $(etcd_keys /gafka/gafka/partitions/rep/) ]] || return 1
    for id in "$@"; do
        ! knows_topic "$id" rep && rep_dir_gone "$id" || return 1
    done
}
# kafka_delete PORT TOPIC: a raw Kafka DeleteTopics v1 of TOPIC; prints [[name, error_code]...].
kafka_delete() {
    python3 - "$1" "$2" <<'PY'
import json, socket, struct, sys
port, topic = int(sys.argv[1]), sys.argv[2].encode()
body = struct.pack(">hhih", 20, 1, 7, 1) + b"t" + struct.pack(">ih", 1, len(topic)) + topic + struct.pack(">i", 5000)
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(struct.pack(">i", len(body)) + body)
def take(n):
    got = b""
    while len(got) < n:
        more = s.recv(n - len(got))
        if not more:
            sys.exit("the broker closed the connection")
        got += more
    return got
answer = take(struct.unpack(">i", take(4))[0])
_, _, count = struct.unpack(">iii", answer[:12])
at, out = 12, []
for _ in range(count):
    (n,) = struct.unpack(">h", answer[at:at + 2])
    name = answer[at + 2:at + 2 + n].decode()
    (error,) = struct.unpack(">h", answer[at + 2 + n:at + 4 + n])
    at += 4 + n
    out.append([name, error])
print(json.dumps(out, separators=(",", ":")))
PY
}

@test "topic delete: a non-controller answers 421 with the controller's address; gafka-admin delete-topic reaches the controller, and etcd, every metadata and every data dir lose the topic" {
    three_replicating
    local id p other=$((controller % 3 + 1))
    for id in 1 2 3; do poll_until 100 has_topic_dirs "$id" || fail "broker $id has no rep"; done
    for p in 0 1 2; do assert_equal "$(produce_to "$(leader_of "$p")" "$p" 1 5)" 200; done
    # A group's committed offsets of rep (at the groups' coordinator, wherever it is) go with the topic.
    # (gafka-admin clamps a reset to the high watermark the coordinator's copy shows, which a follower copy learns late: asked again until all three took 3.)
    committed() { gafka-admin describe-group --broker "127.0.0.1:${PORTS[other]}" --group g 2>/dev/null | jq -c '[.partitions[].committed_offset]'; }
    poll_until 200 eval 'gafka-admin reset-offsets --broker "127.0.0.1:${PORTS[other]}" --group g --topic rep --to-offset 3 >/dev/null 2>&1 &&
        [[ $(committed) == "[3,3,3]" ]]' || fail "group g has: $(committed)"
    run curl -s -w '\n%{http_code}' -X DELETE "http://127.0.0.1:${PORTS[other]}/api/v1/topics/rep"
    assert_equal "${lines[1]}" 421
    assert_equal "$(jq -c '[.error.code, .error.controller]' <<<"${lines[0]}")" \
        "[\"not_controller\",\"127.0.0.1:${PORTS[controller]}\"]"
    assert_equal "$(etcd_keys /gafka/gafka/partitions/rep/ | wc -l)" 3
    has_topic_dirs "$other" || fail "the refused delete removed broker $other's copy"
    # gafka-admin, given the same broker, follows the metadata to the controller.
    run --separate-stderr gafka-admin delete-topic --broker "127.0.0.1:${PORTS[other]}" --name rep
    assert_success
    assert_output '{"deleted":"rep"}'
    poll_until 400 rep_gone_everywhere 1 2 3 ||
        fail "etcd: $(etcd_keys /gafka/gafka/ | grep rep); metadata: $(for id in 1 2 3; do http_metadata "$id" | jq -c '[.topics[].name]'; done)"
    committed_of_rep() { gafka-admin describe-group --broker "127.0.0.1:${PORTS[other]}" --group g 2>/dev/null | jq -c '[.partitions[]? | select(.topic == "rep")]'; }
    poll_until 100 eval '[[ $(committed_of_rep) == "[]" || -z $(committed_of_rep) ]]' || fail "group g still has: $(committed_of_rep)"
    # Gone: a second delete is an unknown topic, at any broker.
    run --separate-stderr gafka-admin delete-topic --broker "127.0.0.1:${PORTS[controller]}" --name rep
    assert_failure 1
    # The internal offsets topic stays: 400, its key kept.
    poll_until 100 eval '[[ -n $(etcd_value /gafka/gafka/partitions/__consumer_offsets/0) ]]' || fail "no __consumer_offsets"
    run curl -s -o /dev/null -w '%{http_code}' -X DELETE "http://127.0.0.1:${PORTS[controller]}/api/v1/topics/__consumer_offsets"
    assert_output 400
    [[ -n $(etcd_value /gafka/gafka/partitions/__consumer_offsets/0) ]] || fail "__consumer_offsets was deleted from etcd"
}

# start_member_6s ID: as start_member, with a 6 s session: a broker killed
# stays registered that long, so a topic created meanwhile gets a replica on it.
start_member_6s() {
    BROKER_DATA=$BATS_TEST_TMPDIR/data.$1
    unset BROKER_PORT
    start_broker --id "$1" --cluster "$ETCD_URL" --cluster-session-timeout 6s --replica-lag-max 1s
    PORTS[$1]=$BROKER_PORT
    PIDS[$1]=$BROKER_PID
}
# produce_values ID PREFIX N: records PREFIX-1..PREFIX-N to rep/0 on broker ID, acks=1; prints the HTTP status.
produce_values() {
    local body
    body=$(seq -f "$2-%g" 1 "$3" | jq -R -s -c '{topic:"rep",records:split("\n")[:-1] | map({partition:0,value:.})}')
    curl -s -o "$BATS_TEST_TMPDIR/answer" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -d "$body" "http://127.0.0.1:${PORTS[$1]}/api/v1/produce?acks=1"
}
# served_values ID: the values broker ID serves from rep/0, from offset 0.
served_values() {
    curl -s --max-time 5 "http://127.0.0.1:${PORTS[$1]}/api/v1/consume?topic=rep&partition=0&offset=0&count=1000&timeout=0ms" |
        jq -r '.records[]?.value'
}
incarnation_in_etcd() {
    ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$ETCD_PORT" --command-timeout 2s get -w json /gafka/gafka/partitions/rep/0 |
        jq -r '.kvs[0].create_revision'
}
local_incarnation() { jq -r '.cluster_incarnation // "none"' "$BATS_TEST_TMPDIR/data.$1/topics/rep/topic.json" 2>/dev/null; }

# replica_fetch ID INCARNATION: broker ID's answer to a replica fetch of rep/0 from offset 0 by a copy of
# INCARNATION (the line of rep/0 of it).
replica_fetch() {
    curl -s -X POST -H 'Content-Type: application/json' "http://127.0.0.1:${PORTS[$1]}/api/v1/replica/fetch" \
        -d '{"replica_id":9,"host":"127.0.0.1","port":1,"leader_epoch":0,"max_wait_ms":0,"partitions":[{"topic":"rep","partition":0,"offset":0,"last_epoch":-1,"incarnation":'"$2"'}]}' |
        grep -a '"topic":"rep"'
}

@test "topic delete: a leader refuses a replica fetch from a copy of another life of the topic (other_incarnation), and serves its own" {
    three_replicating
    local leader incarnation
    poll_until 100 eval '[[ $(leader_of 0) =~ ^[123]$ ]]' || fail "rep/0 has no leader"
    leader=$(leader_of 0)
    poll_until 100 eval 'incarnation=$(jq -r ".cluster_incarnation // 0" "$BATS_TEST_TMPDIR/data.$leader/topics/rep/topic.json"); ((incarnation > 0))' ||
        fail "the leader's copy of rep has no incarnation: $(cat "$BATS_TEST_TMPDIR/data.$leader/topics/rep/topic.json")"
    poll_until 100 eval 'replica_fetch "$leader" "$incarnation" | jq -e "has(\"error\") | not" >/dev/null' ||
        fail "the leader refused its own incarnation: $(replica_fetch "$leader" "$incarnation")"
    run replica_fetch "$leader" $((incarnation + 1))
    assert_success
    assert_equal "$(jq -r .error <<<"$output")" other_incarnation
    [[ $(jq -r .message <<<"$output") == *"incarnation $incarnation"* ]] || fail "$output"
}

@test "topic delete: deleted and created again while a replica is down (kill -9), that replica's copy becomes the new topic's and no old record is served" {
    local id l victim live=()
    for id in 1 2 3; do start_member_6s "$id"; done
    poll_until 100 all_agree_on_a_controller 1 2 3 || fail "no controller"
    poll_until 100 lists_live 1 "1 2 3" || fail "broker 1 lists: $(describe 1)"
    read -r controller epoch <<<"$(controller_of 1)"
    run --separate-stderr gafka-admin create-topic --broker "127.0.0.1:${PORTS[controller]}" --name rep --partitions 1 --replication-factor 3
    assert_success
    l=$(leader_of 0)
    # The victim: a broker that neither leads rep/0 nor is the controller.
    for id in 1 2 3; do
        if [[ -z $victim && $id != "$l" && $id != "$controller" ]]; then victim=$id; else live+=("$id"); fi
    done
    # The old life: 10 records on every replica, each copy stamped with its incarnation.
    poll_until 100 eval '[[ $(produce_values '"$l"' old 10) == 200 ]]' || fail "produce: $(cat "$BATS_TEST_TMPDIR/answer")"
    local old_incarnation
    old_incarnation=$(incarnation_in_etcd)
    for id in 1 2 3; do
        poll_until 100 same_copy 0 "$id" || fail "broker $id's copy of rep/0 differs"
        poll_until 100 eval '[[ $(local_incarnation '"$id"') == '"$old_incarnation"' ]]' ||
            fail "broker $id's topic.json: $(cat "$BATS_TEST_TMPDIR/data.$id/topics/rep/topic.json")"
    done
    _stop_pid "${PIDS[victim]}" KILL
    run --separate-stderr gafka-admin delete-topic --broker "127.0.0.1:${PORTS[controller]}" --name rep
    assert_success
    poll_until 400 rep_gone_everywhere "${live[@]}" || fail "rep is not gone from brokers ${live[*]}"
    ! rep_dir_gone "$victim" || fail "broker $victim (down) lost its copy"
    # Created again under the name while the victim is down but still registered: the same assignment.
    run --separate-stderr gafka-admin create-topic --broker "127.0.0.1:${PORTS[controller]}" --name rep --partitions 1 --replication-factor 3
    assert_success
    [[ $(etcd_value /gafka/gafka/partitions/rep/0 | jq --argjson v "$victim" '.replicas | index($v) != null') == true ]] ||
        fail "broker $victim's lease ran out before the create: $(etcd_value /gafka/gafka/partitions/rep/0)"
    assert_equal "$(leader_of 0)" "$l"
    [[ $(incarnation_in_etcd) -gt $old_incarnation ]] || fail "the new life has incarnation $(incarnation_in_etcd)"
    # The new life: 20 records, at the same leader epoch (0) as the old ones: a copy that kept the
    # old 10 would not be cut by leader epoch, but go on from offset 10 with new-11.
    poll_until 100 eval '[[ $(produce_values '"$l"' new 20) == 200 ]]' || fail "produce: $(cat "$BATS_TEST_TMPDIR/answer")"
    BROKER_DATA=$BATS_TEST_TMPDIR/data.$victim
    start_member_6s "$victim"
    poll_until 200 same_copy 0 "$victim" || fail "broker $victim's copy: $(dump "$victim" 0 | jq -c -s 'map(.value)')"
    assert_equal "$(dump "$l" 0 | jq -r .value)" "$(seq -f 'new-%g' 1 20)"
    grep -q "deleted topic 'rep': it was deleted and created again" "$BATS_TEST_TMPDIR"/broker.*.log ||
        fail "no replacement logged"
    poll_until 100 eval '[[ $(local_incarnation '"$victim"') == $(incarnation_in_etcd) ]]' ||
        fail "broker $victim's topic.json: $(cat "$BATS_TEST_TMPDIR/data.$victim/topics/rep/topic.json")"
    # No broker serves an old record (a follower serves its copy up to the high watermark).
    for id in 1 2 3; do
        [[ -z $(served_values "$id" | grep old-) ]] || fail "broker $id serves old records: $(served_values "$id")"
    done
    assert_equal "$(served_values "$l")" "$(seq -f 'new-%g' 1 20)"
}

@test "topic delete: Kafka DeleteTopics on a broker that is not the controller is NOT_CONTROLLER (41); at the controller it deletes" {
    three_replicating
    local id other=$((controller % 3 + 1))
    for id in 1 2 3; do poll_until 100 has_topic_dirs "$id" || fail "broker $id has no rep"; done
    run kafka_delete "$(kafka_port_of "$other")" rep
    assert_success
    assert_output '[["rep",41]]'
    assert_equal "$(etcd_keys /gafka/gafka/partitions/rep/ | wc -l)" 3
    run kafka_delete "$(kafka_port_of "$controller")" rep
    assert_success
    assert_output '[["rep",0]]'
    poll_until 400 rep_gone_everywhere 1 2 3 || fail "rep is not gone everywhere: $(http_metadata 1 | jq -c "[.topics[].name]"), dirs: $(ls -d "$BATS_TEST_TMPDIR"/data.*/topics/rep 2>/dev/null)"
    run kafka_delete "$(kafka_port_of "$controller")" rep
    assert_output '[["rep",3]]'
}

@test "topic delete: kafkajs admin deleteTopics, given a broker that is not the controller, deletes the topic everywhere" {
    command -v node >/dev/null || skip "node is not installed"
    [[ -d $REPO/tests/kafkajs/node_modules/kafkajs ]] || skip "kafkajs is not installed: npm ci --prefix tests/kafkajs"
    three_replicating
    local id other=$((controller % 3 + 1))
    for id in 1 2 3; do poll_until 100 has_topic_dirs "$id" || fail "broker $id has no rep"; done
    KAFKA_BROKER=127.0.0.1:$(kafka_port_of "$other") TOPIC=rep run --separate-stderr timeout 60 node "$REPO/tests/kafkajs/delete_topic.js"
    ((status == 0)) || fail "exit $status: $stderr"
    poll_until 400 rep_gone_everywhere 1 2 3 || fail "rep is not gone everywhere: $(http_metadata 1 | jq -c "[.topics[].name]"), dirs: $(ls -d "$BATS_TEST_TMPDIR"/data.*/topics/rep 2>/dev/null)"
}

# --- B: topics created through the controller (Kafka CreateTopics, auto-creation, config in etcd) ---

# three_auto: three_with_a_controller, each broker auto-creating topics with 3 partitions.
three_auto() {
    local id
    for id in 1 2 3; do start_member "$id" --default-partitions 3; done
    poll_until 100 all_agree_on_a_controller 1 2 3 || fail "no controller"
    poll_until 100 lists_live 1 "1 2 3" || fail "broker 1 lists: $(describe 1)"
    read -r controller epoch <<<"$(controller_of 1)"
    other=$((controller % 3 + 1))
}
# topic_dump ID TOPIC P: broker ID's copy of TOPIC/P, record by record.
topic_dump() { gafka-walcheck --dump "$BATS_TEST_TMPDIR/data.$1/topics/$2/$3" 2>/dev/null; }
topic_leader() { etcd_value "/gafka/gafka/partitions/$1/$2" | jq -r .leader; }
# copy_is_leaders TOPIC P ID: broker ID has a copy of TOPIC/P, the same record for record as its leader's.
copy_is_leaders() {
    [[ -d $BATS_TEST_TMPDIR/data.$3/topics/$1/$2 ]] &&
        [[ $(topic_dump "$(topic_leader "$1" "$2")" "$1" "$2") == "$(topic_dump "$3" "$1" "$2")" ]]
}
# recorded_as TOPIC PARTITIONS RF: etcd holds TOPIC with that many partitions, each on RF brokers.
recorded_as() {
    local p
    [[ $(etcd_value "/gafka/gafka/topics/$1" | jq -c '[.partitions, .replication_factor]') == "[$2,$3]" ]] || return 1
    [[ $(etcd_keys "/gafka/gafka/partitions/$1/" | wc -l) == "$2" ]] || return 1
    for ((p = 0; p < $2; p++)); do
        [[ $(etcd_value "/gafka/gafka/partitions/$1/$p" | jq '.replicas | unique | length') == "$3" ]] || return 1
    done
}

@test "B: kcat -P auto-creates a topic through a broker that is not the controller: recorded in etcd (replication factor 3), on every broker, the same records on every replica" {
    three_auto
    local kp id p n total=0
    kp=$(kafka_port_of "$other")
    seq 1 60 | sed 's/.*/k&:v&/' | timeout 60 kcat -P -b "127.0.0.1:$kp" -t auto -K : -X acks=all \
        2>"$BATS_TEST_TMPDIR/kcat.err" || fail "kcat -P: $(cat "$BATS_TEST_TMPDIR/kcat.err")"
    # Only `other` was asked, and only the controller records topics: the creation went through it.
    recorded_as auto 3 3 || fail "etcd: $(etcd_value /gafka/gafka/topics/auto)"
    # Read back from the leaders: every record once.
    run --separate-stderr timeout 60 kcat -C -b "127.0.0.1:$kp" -t auto -o beginning -e -q -f '%k:%s\n'
    assert_success
    assert_equal "$(sort <<<"$output")" "$(seq 1 60 | sed 's/.*/k&:v&/' | sort)"
    # Every broker holds each partition, record for record as its leader does.
    for p in 0 1 2; do
        for id in 1 2 3; do poll_until 100 copy_is_leaders auto "$p" "$id" || fail "broker $id's copy of auto/$p differs"; done
        n=$(topic_dump "$(topic_leader auto "$p")" auto "$p" | wc -l)
        total=$((total + n))
    done
    assert_equal "$total" 60
}

# web_to ID: records w1 and w2 to web/0 on broker ID, acks=all; prints the HTTP status.
web_to() {
    curl -s -o "$BATS_TEST_TMPDIR/answer" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -d '{"topic":"web","records":[{"partition":0,"value":"w1"},{"partition":0,"value":"w2"}]}' \
        "http://127.0.0.1:${PORTS[$1]}/api/v1/produce?acks=all"
}

@test "B: an HTTP produce auto-creates a topic through a broker that is not the controller; its acks=all answer means every replica has the records" {
    three_auto
    local l id code
    # 503 is the retriable answer of a broker whose new partitions took longer than a second to take their roles.
    poll_until 100 eval 'code=$(web_to "$other"); [[ $code != 503 ]]' || fail "broker $other: $(cat "$BATS_TEST_TMPDIR/answer")"
    recorded_as web 3 3 || fail "etcd: $(etcd_value /gafka/gafka/topics/web)"
    l=$(topic_leader web 0)
    if [[ $l != "$other" ]]; then
        # web/0 took its role there (a follower) before the answer: 421 naming its leader, nothing written.
        assert_equal "$code $(jq -c '[.error.code, .error.leader_id]' "$BATS_TEST_TMPDIR/answer")" "421 [\"not_leader\",$l]"
        [[ -z $(topic_dump "$other" web 0) ]] || fail "the refused records are in broker $other's log"
        code=$(web_to "$l")
    fi
    assert_equal "$code $(jq -c '[.offsets[].offset]' "$BATS_TEST_TMPDIR/answer")" "200 [0,1]"
    # acks=all answered: every replica holds both, no waiting.
    for id in 1 2 3; do copy_is_leaders web 0 "$id" || fail "broker $id's copy of web/0 differs"; done
    run --separate-stderr gafka-consume --broker "127.0.0.1:${PORTS[l]}" --topic web --partition 0 --offset 0 --exit-at-end --format value
    assert_success
    assert_output "$(printf 'w1\nw2')"
}

@test "B: kafkajs CreateTopics: replication factor 3 and retention.ms recorded in etcd and on every replica; a factor of 4 on 3 brokers is 38, nothing recorded" {
    command -v node >/dev/null || skip "node is not installed"
    [[ -d $REPO/tests/kafkajs/node_modules/kafkajs ]] || skip "kafkajs is not installed: npm ci --prefix tests/kafkajs"
    three_with_a_controller
    local id
    KAFKA_BROKERS="127.0.0.1:$(kafka_port_of 1),127.0.0.1:$(kafka_port_of 2),127.0.0.1:$(kafka_port_of 3)" TOPIC=kept \
        run --separate-stderr timeout 90 node "$REPO/tests/kafkajs/create_topics.js"
    ((status == 0)) || fail "exit $status: $stderr"
    assert_equal "$(jq -c . <<<"$output")" '{"created":true,"wide":"INVALID_REPLICATION_FACTOR 38"}'
    assert_equal "$(etcd_value /gafka/gafka/topics/kept)" \
        '{"partitions":2,"replication_factor":3,"retention_ms":3600000,"retention_bytes":-1,"compression":"producer"}'
    recorded_as kept 2 3 || fail "etcd: $(etcd_keys /gafka/gafka/partitions/kept/)"
    assert_equal "$(etcd_keys /gafka/gafka/topics/kept-wide)$(etcd_keys /gafka/gafka/partitions/kept-wide/)" ""
    # Every replica created its copy with the recorded config.
    for id in 1 2 3; do
        poll_until 100 eval '[[ $(jq .retention_ms "$BATS_TEST_TMPDIR/data.'"$id"'/topics/kept/topic.json" 2>/dev/null) == 3600000 ]]' ||
            fail "broker $id's topic.json: $(cat "$BATS_TEST_TMPDIR/data.$id/topics/kept/topic.json")"
        assert_equal "$(gafka-admin describe-topic --broker "127.0.0.1:${PORTS[id]}" --name kept | jq -c '[.partitions, .retention_ms]')" \
            "[2,3600000]"
    done
}

# --- A: the idempotent producer's state survives failover (issue 19, point 5) ---

# idempotent_produce ID PRODUCER SEQUENCE VALUE...: one HTTP produce of VALUEs to
# rep/0 on broker ID, acks=all, as idempotent producer PRODUCER from SEQUENCE;
# prints the HTTP status, the answer in $BATS_TEST_TMPDIR/answer.
idempotent_produce() {
    local id=$1 producer=$2 sequence=$3 body
    shift 3
    body=$(printf '%s\n' "$@" | jq -R -s -c '{topic:"rep",records:split("\n")[:-1] | map({partition:0,value:.})}')
    curl -s -o "$BATS_TEST_TMPDIR/answer" -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d "$body" \
        "http://127.0.0.1:${PORTS[$id]}/api/v1/produce?acks=all&producer_id=$producer&sequence=$sequence"
}

@test "idempotence after failover: the same produce (producer id, sequence) retried at the new leader gets its first offsets and is appended once" {
    three_replicating
    local id l n producer first
    for id in 1 2 3; do poll_until 100 has_topic_dirs "$id" || fail "broker $id has no rep"; done
    poll_until 200 isr_is 0 "[1,2,3]" || fail "rep/0's ISR: $(partition_state 0)"
    l=$(leader_of 0)
    assert_equal "$(produce_to "$l" 0 1 5)" 200  # so that the batch's offsets are not 0
    producer=$(curl -s -X POST "http://127.0.0.1:${PORTS[l]}/api/v1/producers" | jq -r .producer_id)
    [[ $producer =~ ^[0-9]+$ ]] || fail "no producer id: $producer"
    assert_equal "$(idempotent_produce "$l" "$producer" 0 once-a once-b)" 200
    first=$(jq -c .offsets "$BATS_TEST_TMPDIR/answer")
    assert_equal "$first" '[{"partition":0,"offset":5},{"partition":0,"offset":6}]'
    # acks=all with all three in the ISR: both followers hold the batch. Its
    # leader dies before the producer (say) saw the answer.
    _stop_pid "${PIDS[l]}" KILL
    poll_until 200 led_by_another 0 "$l" || fail "rep/0 still: $(partition_state 0)"
    n=$(leader_of 0)
    # The very same request at the new leader: the first offsets, flagged a duplicate.
    poll_until 100 eval '[[ $(idempotent_produce "$n" "$producer" 0 once-a once-b) == 200 ]]' ||
        fail "broker $n answered: $(cat "$BATS_TEST_TMPDIR/answer")"
    assert_equal "$(jq -c .offsets "$BATS_TEST_TMPDIR/answer")" "$first"
    assert_equal "$(jq -c .duplicate "$BATS_TEST_TMPDIR/answer")" true
    # The producer's next batch follows it; a sequence skipped is refused.
    assert_equal "$(idempotent_produce "$n" "$producer" 2 once-c)" 200
    assert_equal "$(jq -c .offsets "$BATS_TEST_TMPDIR/answer")" '[{"partition":0,"offset":7}]'
    assert_equal "$(idempotent_produce "$n" "$producer" 9 skipped)" 409
    assert_equal "$(jq -r .error.code "$BATS_TEST_TMPDIR/answer")" out_of_order_sequence
    # Every record once, on the new leader and on the other survivor.
    [[ $(values "$n" 0) == "$(printf '%s\n' 0-1 0-2 0-3 0-4 0-5 once-a once-b once-c)" ]] ||
        fail "broker $n holds: $(values "$n" 0 | paste -sd ' ')"
    for id in 1 2 3; do
        [[ $id == "$l" || $id == "$n" ]] && continue
        poll_until 200 same_copy 0 "$id" || fail "broker $id's copy of rep/0: $(values "$id" 0 | paste -sd ' ')"
    done
}
