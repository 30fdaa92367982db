#!/usr/bin/env bats
# The container image (deploy/container, scripts/image.sh) under rootful
# podman: built from Debian's packages with no registry, a broker container
# on a host volume that keeps every acknowledged record across kill and
# restart, a clean SIGTERM stop, and the programs run from the image.
# Skips, saying why, only where podman is absent.

load helpers

IMAGE=localhost/gafka:bats

setup_file() {
    command -v podman >/dev/null || return 0
    # The build dir of the programs under test: the image packages them.
    GAFKA_BUILD_DIR=$(cd "$BIN/.." && pwd) "$REPO/scripts/image.sh" --tag "$IMAGE" >/dev/null
}

setup() {
    command -v podman >/dev/null || skip "podman is not installed (scripts/setup.sh installs it)"
    source "$REPO/scripts/podman.bash"
    NAME=gafka-bats-$$-$BATS_TEST_NUMBER
    VOL=$BATS_TEST_TMPDIR/vol
    mkdir -p "$VOL"
    chown 999:999 "$VOL"   # the image's user gafka
}

teardown() {
    command -v podman >/dev/null || return 0
    gafka_podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
    rm -rf "$VOL"   # files of uid 999: bats removes the rest
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

healthy() {
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1
}

# start_container [podman run args...]: a broker container on $VOL, its HTTP
# and Kafka ports published on 127.0.0.1 under the same numbers (the broker
# advertises them), waited for until /healthz answers.
start_container() {
    PORT=$(free_port) KPORT=$(free_port)
    gafka_podman run -d --name "$NAME" -v "$VOL:/var/lib/gafka" \
        -p "127.0.0.1:$PORT:$PORT" -p "127.0.0.1:$KPORT:$KPORT" \
        -e GAFKA_PORT="$PORT" -e GAFKA_KAFKA_PORT="$KPORT" \
        -e GAFKA_ADVERTISED_HOST=127.0.0.1 -e GAFKA_AUTO_CREATE_TOPICS=true \
        "$@" "$IMAGE" >/dev/null 2>&1
    export GAFKA_BROKERS=127.0.0.1:$PORT
    wait_until healthy
}

restart_container() {
    gafka_podman start "$NAME" >/dev/null 2>&1
    wait_until healthy
}

# run_image ARGS...: a one-shot container of the image (no periodic
# healthcheck: podman would ask systemd for its timer).
run_image() {
    gafka_podman run --rm --no-healthcheck "$@"
}
export -f run_image

exit_code() {
    gafka_podman inspect "$NAME" --format '{{.State.ExitCode}}'
}

@test "the image runs its programs as the non-root user gafka" {
    run run_image "$IMAGE" id -un
    assert_success
    assert_output gafka
    for p in gafka-broker gafka-produce gafka-consume gafka-admin gafka-walcheck gafka-bench; do
        run run_image "$IMAGE" "$p" --version
        assert_success
        assert_output --partial "$p"
    done
}

@test "a killed broker container keeps every acknowledged record after its restart" {
    start_container
    seq 1 2000 | gafka-produce --topic t
    gafka_podman kill "$NAME" >/dev/null 2>&1   # SIGKILL
    [ "$(exit_code)" -eq 137 ]
    restart_container
    run bash -c 'gafka-consume --topic t --from-beginning --exit-at-end | jq -r .value'
    assert_success
    diff <(seq 1 2000) <(echo "$output")
    # and over the Kafka port, published as advertised
    run kcat -b "127.0.0.1:$KPORT" -C -t t -e -q -f '%s\n'
    assert_success
    [ "$(echo "$output" | wc -l)" -eq 2000 ]
}

@test "SIGTERM stops the broker cleanly within the 10 s grace period" {
    start_container
    seq 1 10 | gafka-produce --topic t
    gafka_podman stop -t 10 "$NAME" >/dev/null 2>&1
    # 137 would mean podman had to SIGKILL it after the grace period
    [ "$(exit_code)" -eq 0 ]
    run gafka_podman logs "$NAME"
    assert_output --partial "stopped cleanly"
}

@test "gafka-walcheck checks the volume from a second container" {
    start_container
    seq 1 100 | gafka-produce --topic t
    gafka_podman stop -t 10 "$NAME" >/dev/null 2>&1
    run run_image -v "$VOL:/var/lib/gafka:ro" "$IMAGE" gafka-walcheck /var/lib/gafka
    assert_success
    assert_output --partial '"topic":"t","partition":0,"base_offset":0,"first_offset":0,"last_offset":99'
    assert_output --partial '"status":"ok"'
}

@test "the image's programs work in a pipeline on the host's side" {
    start_container
    seq 1 3 | run_image -i --network host -e GAFKA_BROKERS "$IMAGE" gafka-produce --topic p
    run bash -c "run_image --network host -e GAFKA_BROKERS $IMAGE \
        gafka-consume --topic p --from-beginning --exit-at-end 2>/dev/null | jq -r .value"
    assert_success
    assert_output "$(printf '1\n2\n3')"
}

@test "GAFKA_* variables become broker flags, and a flag on the command line wins" {
    start_container -e GAFKA_ID=7
    run curl -fsS "http://127.0.0.1:$PORT/healthz"
    assert_output --partial '"broker_id":7'
    gafka_podman rm -f -t 0 "$NAME" >/dev/null 2>&1
    PORT=$(free_port)
    gafka_podman run -d --name "$NAME" -p "127.0.0.1:$PORT:$PORT" -e GAFKA_PORT="$PORT" \
        -e GAFKA_ID=7 "$IMAGE" --id=8 --no-kafka >/dev/null 2>&1
    wait_until healthy
    run curl -fsS "http://127.0.0.1:$PORT/healthz"
    assert_output --partial '"broker_id":8'
}

@test "a GAFKA_* variable that is no broker flag stops the container with a usage error" {
    run run_image -e GAFKA_NOT_A_FLAG=1 "$IMAGE"
    assert_failure 2
    assert_output --partial "--not-a-flag"
}

@test "the healthcheck asks /healthz" {
    start_container
    run gafka_podman healthcheck run "$NAME"
    assert_success
    gafka_podman pause "$NAME" >/dev/null 2>&1
    run gafka_podman healthcheck run "$NAME"
    assert_failure
    gafka_podman unpause "$NAME" >/dev/null 2>&1
}

@test "the etcd image for deploy/kubernetes serves etcd's v3 gateway" {
    "$REPO/scripts/image.sh" --etcd --tag localhost/gafka-etcd:bats >/dev/null
    PORT=$(free_port)
    gafka_podman run -d --name "$NAME" --no-healthcheck -p "127.0.0.1:$PORT:2379" localhost/gafka-etcd:bats \
        --data-dir /var/lib/etcd/data --listen-client-urls http://0.0.0.0:2379 \
        --advertise-client-urls "http://127.0.0.1:$PORT" >/dev/null 2>&1
    put() { curl -fsS -X POST "http://127.0.0.1:$PORT/v3/kv/put" -d '{"key":"Z2Fma2E=","value":"b2s="}'; }
    wait_until put
    run curl -fsS -X POST "http://127.0.0.1:$PORT/v3/kv/range" -d '{"key":"Z2Fma2E="}'
    assert_success
    [ "$(echo "$output" | jq -r '.kvs[0].value' | base64 -d)" = ok ]
    run gafka_podman run --rm --no-healthcheck --entrypoint id localhost/gafka-etcd:bats -u
    assert_output 999
}
