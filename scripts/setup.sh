#!/usr/bin/env bash
# Installs the Debian packages gafka needs, only those missing. Idempotent and
# quiet when nothing is missing. Usage: scripts/setup.sh [--with-tools]
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libboost-dev libcli11-dev rapidjson-dev libspdlog-dev libfmt-dev
  zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev   # Kafka's batch codecs (lib/gafka/log/compression.cpp)
  libssl-dev openssl   # TLS (Boost.Asio SSL); tests/cli/tls.bats makes its certificates with openssl
  libgtest-dev bats bats-support bats-assert jq gcovr man-db curl python3
  zsh fish   # tests/cli/completions.bats runs the completions in every shell
  iproute2   # ss: tests read connections' state (broker_flags.bats, cluster.bats, idempotence.bats)
  clang libclang-rt-14-dev lld   # sanitizer builds and libFuzzer targets; lld links (scripts/test.sh, scripts/fuzz.sh)
  podman runc mmdebstrap netavark aardvark-dns iptables   # the container image (scripts/image.sh, tests/cli/container.bats)
  kcat librdkafka-dev   # Kafka clients against the Kafka port (tests/cli/kafka*.bats, rdkafka.bats; gafka-bench --protocol kafka links librdkafka)
  etcd-server etcd-client   # the coordinator of clusters (gafka-broker --cluster); tests/cli/cluster.bats starts a throwaway one
)
# node and npm for tests/cli/kafkajs.bats: Debian's nodejs and npm, unless
# the commands are there already (a NodeSource nodejs has npm and conflicts
# with Debian's npm package).
# Not installed: prometheus (96 MB, a daemon). The tests that run
# `promtool check metrics` (metrics.bats, walcheck.bats) get promtool from
# scripts/promtool.sh, which extracts only usr/bin/promtool from the package
# into a cache (`apt-get download`, no install).

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >&2
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# npm packages of the tests, at the versions their package-lock.json pins
# (npm ci: nothing else is downloaded, the lock is not changed): kafkajs
# for tests/cli/kafkajs.bats, kubernetes-models and js-yaml for
# tests/cli/kubernetes.bats.
root=$(cd "$(dirname "$0")/.." && pwd)
for dir in tests/kafkajs tests/kubernetes; do
  if [[ ! -d $root/$dir/node_modules ]]; then
    echo "setup: npm ci --prefix $dir" >&2
    npm ci --prefix "$root/$dir" --no-audit --no-fund >&2
  fi
done
