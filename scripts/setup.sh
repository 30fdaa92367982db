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
  clang libclang-rt-14-dev lld   # sanitizer builds and libFuzzer targets; lld links (scripts/test.sh, scripts/fuzz.sh)
)
# Not installed: prometheus (96 MB, a daemon). The tests that run
# `promtool check metrics` (metrics.bats, walcheck.bats) get promtool from
# scripts/promtool.sh, which extracts only usr/bin/promtool from the package
# into a cache (`apt-get download`, no install).

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=()
((EUID == 0)) || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >&2
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
