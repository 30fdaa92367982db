#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzz.cpp; clang, ASan+UBSan)
# and runs each one, seeded from tests/fuzz/corpus/<target>/, which every
# run replays first (seeds and the inputs of past crashes kept as
# regression cases). Prints "ok fuzz <target>" or "not ok fuzz <target>"
# per target; a crash leaves its input in the artifacts dir, to be added to
# the target's corpus once fixed.
#
# Usage: scripts/fuzz.sh [--seconds N] [--no-build] [TARGET...]
#   --seconds N   fuzz each target N seconds after the replay (default 60;
#                 0: replay the corpus only)
#   --no-build    use the build as it is
# Environment: GAFKA_FUZZ_BUILD_DIR (default build-asan, shared with the
# sanitizer unit tests), GAFKA_FUZZ_ARTIFACTS (default build-asan/fuzz-artifacts).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GAFKA_FUZZ_BUILD_DIR:-$root/build-asan}
artifacts=${GAFKA_FUZZ_ARTIFACTS:-$build/fuzz-artifacts}
seconds=60 do_build=1 targets=()
while (($#)); do
  case $1 in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --no-build) do_build=0; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ $seconds =~ ^[0-9]+$ ]] || { echo "fuzz.sh: --seconds needs a number" >&2; exit 2; }

if ((do_build)); then
  if [[ ! -f $build/build.ninja ]]; then  # as scripts/test.sh configures it
    link_flags=()
    if command -v ld.lld >/dev/null; then
      link_flags=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld)
    fi
    CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug "${link_flags[@]}" \
      "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" -DGAFKA_FUZZ=ON -DGAFKA_SANITIZE=address,undefined >/dev/null
  fi
  names=()
  for src in "$root"/tests/fuzz/*_fuzz.cpp; do names+=("$(basename "$src" .cpp)"); done
  cmake --build "$build" --target "${names[@]}" -- -j"$(nproc)" >&2 || { echo "not ok fuzz build"; exit 1; }
fi
if ((${#targets[@]} == 0)); then
  for src in "$root"/tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "$src" .cpp)"); done
fi

mkdir -p "$artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
for t in "${targets[@]}"; do
  bin=$build/fuzz/$t seeds=$root/tests/fuzz/corpus/$t
  if [[ ! -x $bin ]]; then echo "not ok fuzz $t # no binary $bin"; failed=1; continue; fi
  work=$(mktemp -d)  # new inputs go here, not into the repo's corpus
  log=$artifacts/$t.log
  args=(-artifact_prefix="$artifacts/$t-" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1)
  if ((seconds > 0)); then args+=(-max_total_time="$seconds"); else args+=(-runs=0); fi
  if "$bin" "${args[@]}" "$work" "$seeds" >"$log" 2>&1; then
    echo "ok fuzz $t # $(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$') runs"
  else
    echo "not ok fuzz $t # see $log"
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -5 | sed 's/^/#   /'
    failed=1
  fi
  rm -rf "$work"
done
exit "$failed"
