#!/usr/bin/env bash
# Sets up, builds and runs every test: GoogleTest unit tests through ctest,
# then the bats suites in tests/cli, then (with GAFKA_SANITIZERS=1; not yet
# by default: the clang builds are not yet proven inside CI's 20 minutes)
# the unit tests again under ASan+UBSan and under TSan (clang builds in
# build-asan and build-tsan) and each libFuzzer target for
# GAFKA_FUZZ_SECONDS (default 10) after replaying its corpus.
# Ends with "N passed, N failed, N skipped".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GAFKA_BUILD_DIR:-$root/build}
asan_build=${GAFKA_ASAN_BUILD_DIR:-$root/build-asan}
tsan_build=${GAFKA_TSAN_BUILD_DIR:-$root/build-tsan}

"$root/scripts/setup.sh" || { echo "setup failed"; exit 1; }
"$root/scripts/build.sh" || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0 skipped=0

ctest_log=$(mktemp)
trap 'rm -f "$ctest_log"' EXIT
# Runs ctest in build dir $1 and adds its counts.
run_ctest() {
  (cd "$1" && ctest --output-on-failure -j"$(nproc)" --timeout 300) | tee "$ctest_log" | grep -vE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed'
  if summary=$(grep -E '[0-9]+ tests failed out of [0-9]+' "$ctest_log"); then
    f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$summary")
    n=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$summary")
    passed=$((passed + n - f)) failed=$((failed + f))
  else
    echo "ctest did not report a summary"; failed=$((failed + 1))
  fi
}

echo "== unit tests (ctest)"
run_ctest "$build"

echo "== CLI tests (bats)"
export GAFKA_BIN="$build/bin"
shopt -s nullglob
suites=("$root"/tests/cli/*.bats)
if ((${#suites[@]})); then
  while IFS= read -r line; do
    echo "$line"
    case $line in
      "not ok "*) failed=$((failed + 1)) ;;
      "ok "*"# skip"*) skipped=$((skipped + 1)) ;;
      "ok "*) passed=$((passed + 1)) ;;
    esac
  done < <(bats --tap "${suites[@]}" 2>&1)
fi

if [[ ${GAFKA_SANITIZERS:-0} != 1 || ${GAFKA_SKIP_SANITIZERS:-0} == 1 ]]; then
  echo "== sanitizer and fuzz runs skipped (GAFKA_SANITIZERS=1 runs them)"
else
  # Only what the tests need is built: the library, the unit tests and the
  # fuzz targets (the programs are covered by bats on the normal build), at
  # -O1 with line tables only, as OSS-Fuzz builds, to keep the builds short.
  sanitizer_flags=(-G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only")
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp}
  echo "== unit tests under ASan+UBSan (clang, $asan_build)"
  if [[ ! -f $asan_build/build.ninja ]]; then
    CC=clang CXX=clang++ cmake -S "$root" -B "$asan_build" "${sanitizer_flags[@]}" \
      -DGAFKA_FUZZ=ON -DGAFKA_SANITIZE=address,undefined >/dev/null
  fi
  fuzz_targets=()
  for src in "$root"/tests/fuzz/*_fuzz.cpp; do fuzz_targets+=("$(basename "$src" .cpp)"); done
  if cmake --build "$asan_build" --target gafka_unit_tests "${fuzz_targets[@]}" -- -j"$(nproc)" >&2; then
    run_ctest "$asan_build"
    echo "== fuzz targets (corpus replay + ${GAFKA_FUZZ_SECONDS:-10}s each)"
    while IFS= read -r line; do
      echo "$line"
      case $line in
        "not ok "*) failed=$((failed + 1)) ;;
        "ok "*) passed=$((passed + 1)) ;;
      esac
    done < <(GAFKA_FUZZ_BUILD_DIR=$asan_build "$root/scripts/fuzz.sh" --no-build --seconds "${GAFKA_FUZZ_SECONDS:-10}")
  else
    echo "not ok ASan+UBSan build failed"; failed=$((failed + 1))
  fi
  echo "== unit tests under TSan (clang, $tsan_build)"
  if [[ ! -f $tsan_build/build.ninja ]]; then
    CC=clang CXX=clang++ cmake -S "$root" -B "$tsan_build" "${sanitizer_flags[@]}" -DGAFKA_SANITIZE=thread >/dev/null
  fi
  if cmake --build "$tsan_build" --target gafka_unit_tests -- -j"$(nproc)" >&2; then
    run_ctest "$tsan_build"
  else
    echo "not ok TSan build failed"; failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
