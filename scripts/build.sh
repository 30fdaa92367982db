#!/usr/bin/env bash
# Configures and builds gafka into build/ (or $GAFKA_BUILD_DIR).
# Extra arguments go to cmake's configure step. GAFKA_BUILD_TARGETS (a
# space-separated list, e.g. "gafka-broker gafka-produce") builds only those
# targets and what they need; unset, everything (the tests too) is built.
# Links with lld when it is installed (several times faster than ld.bfd).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GAFKA_BUILD_DIR:-$root/build}
if [[ ! -f $build/build.ninja ]]; then
  link_flags=()
  if command -v ld.lld >/dev/null; then
    link_flags=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld)
  fi
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${link_flags[@]}" "$@" >/dev/null
fi
targets=()
for t in ${GAFKA_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build" "${targets[@]}" -- -j"$(nproc)" >&2
