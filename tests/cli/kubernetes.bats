#!/usr/bin/env bats
# deploy/kubernetes: the manifests are valid against the Kubernetes API's
# schemas (kubernetes-models from npm, tests/kubernetes/validate.mjs), the
# base renders three brokers on a three-member etcd and the single-broker
# overlay one standalone broker (`kubectl kustomize`, where kubectl is
# installed), with what docs/kubernetes.md says they have.

load helpers

K8S=$REPO/deploy/kubernetes

setup() {
    [[ -d $REPO/tests/kubernetes/node_modules ]] ||
        skip "tests/kubernetes/node_modules is missing (scripts/setup.sh runs npm ci there)"
}

# objects DIR: the kustomization in DIR rendered and validated, one JSON
# object a line; without kubectl, the base's own files validated as they are.
objects() {
    if command -v kubectl >/dev/null; then
        kubectl kustomize "$1" | node "$REPO/tests/kubernetes/validate.mjs"
    else
        cat "$1"/*.yaml | grep -v '^kind: Kustomization' |
            node "$REPO/tests/kubernetes/validate.mjs"
    fi
}

need_kubectl() {
    command -v kubectl >/dev/null || skip "kubectl is not installed: kustomize overlays are not rendered"
}

@test "the validator refuses an object the API would refuse" {
    run node "$REPO/tests/kubernetes/validate.mjs" <<'EOF'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: bad}
spec: {replicas: "3", serviceName: x}
EOF
    assert_failure
    assert_output --partial "StatefulSet/bad"
    assert_output --partial "replicas must be integer"
}

@test "the base: etcd and gafka brokers as StatefulSets with services and disruption budgets" {
    run objects "$K8S/base"
    assert_success
    kinds=$(echo "$output" | jq -r '"\(.kind)/\(.metadata.name)"' | grep -v '^ConfigMap/' | sort | tr '\n' ' ')
    [ "$kinds" = "PodDisruptionBudget/etcd PodDisruptionBudget/gafka Service/etcd Service/gafka Service/gafka-brokers StatefulSet/etcd StatefulSet/gafka " ]
    sts=$(echo "$output" | jq -c 'select(.kind == "StatefulSet" and .metadata.name == "gafka")')
    [ "$(jq .spec.replicas <<<"$sts")" -eq 3 ]
    [ "$(jq -r .spec.serviceName <<<"$sts")" = gafka-brokers ]
    [ "$(jq -r '.spec.template.spec.containers[0].readinessProbe.httpGet.path' <<<"$sts")" = /healthz ]
    [ "$(jq -r '.spec.template.spec.enableServiceLinks' <<<"$sts")" = false ]
    [ "$(jq -r '.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey' <<<"$sts")" = kubernetes.io/hostname ]
    [ "$(jq -r '.spec.template.spec.containers[0].resources.requests.cpu' <<<"$sts")" != null ]
    [ "$(jq -r '.spec.volumeClaimTemplates[0].metadata.name' <<<"$sts")" = data ]
    [ "$(echo "$output" | jq -r 'select(.kind == "Service" and .metadata.name == "gafka-brokers") | .spec.clusterIP')" = None ]
    [ "$(echo "$output" | jq -r 'select(.kind == "PodDisruptionBudget" and .metadata.name == "gafka") | .spec.maxUnavailable')" = 1 ]
    [ "$(echo "$output" | jq -r 'select(.kind == "StatefulSet" and .metadata.name == "etcd") | .spec.replicas')" -eq 3 ]
}

@test "the base's brokers join the cluster through etcd with per-pod advertised names" {
    need_kubectl
    run objects "$K8S/base"
    assert_success
    env=$(echo "$output" | jq -c 'select(.kind == "ConfigMap") | .data')
    [ "$(jq -r .GAFKA_CLUSTER <<<"$env")" = "etcd://etcd-0.etcd:2379,etcd-1.etcd:2379,etcd-2.etcd:2379" ]
    sts=$(echo "$output" | jq -c 'select(.kind == "StatefulSet" and .metadata.name == "gafka")')
    [ "$(jq -r '.spec.template.spec.containers[0].env[] | select(.name == "GAFKA_ADVERTISED_HOST") | .value' <<<"$sts")" = '$(POD_NAME).gafka-brokers.$(POD_NAMESPACE).svc' ]
    # the ConfigMap the pods read is the generated one
    [ "$(jq -r '.spec.template.spec.containers[0].envFrom[0].configMapRef.name' <<<"$sts")" = "$(echo "$output" | jq -r 'select(.kind == "ConfigMap") | .metadata.name')" ]
    # every GAFKA_* setting names a flag gafka-broker has
    for v in $(jq -r 'keys[]' <<<"$env"); do
        flag=${v#GAFKA_}; flag=${flag,,}; flag=--${flag//_/-}
        gafka-broker --help | grep -q -- "$flag" || fail "$v: gafka-broker has no $flag"
    done
}

@test "the broker id comes from the pod's ordinal" {
    run objects "$K8S/base"
    assert_success
    cmd=$(echo "$output" | jq -r 'select(.kind == "StatefulSet" and .metadata.name == "gafka") | .spec.template.spec.containers[0].command[2]')
    # the command as the pod runs it, with an entrypoint that shows its id
    mkdir "$BATS_TEST_TMPDIR/bin"
    printf '#!/bin/sh\necho "$GAFKA_ID"\n' >"$BATS_TEST_TMPDIR/bin/gafka-entrypoint"
    chmod +x "$BATS_TEST_TMPDIR/bin/gafka-entrypoint"
    run env HOSTNAME=gafka-2 PATH="$BATS_TEST_TMPDIR/bin:$PATH" bash -c "$cmd"
    assert_output 3
    run env HOSTNAME=gafka-0 PATH="$BATS_TEST_TMPDIR/bin:$PATH" bash -c "$cmd"
    assert_output 1
}

@test "the single-broker overlay: one standalone broker, no etcd" {
    need_kubectl
    run objects "$K8S/overlays/single-broker"
    assert_success
    [ "$(echo "$output" | jq -r 'select(.kind == "StatefulSet") | .metadata.name')" = gafka ]
    [ "$(echo "$output" | jq -r 'select(.kind == "StatefulSet") | .spec.replicas')" -eq 1 ]
    [ -z "$(echo "$output" | jq -r 'select(.metadata.name == "etcd")')" ]
    [ "$(echo "$output" | jq -r 'select(.kind == "ConfigMap") | .data.GAFKA_CLUSTER')" = null ]
}
