#!/usr/bin/env bash
# Sets up, builds and runs every test: GoogleTest unit tests through ctest,
# then the bats suites in tests/cli on the normal build, then the unit tests
# again under ASan+UBSan, each libFuzzer target for GAFKA_FUZZ_SECONDS
# (default 10) after replaying its corpus, and the unit tests that start
# threads under TSan (clang builds in build-asan and build-tsan; all unit
# tests with GAFKA_TSAN_TESTS=.). GAFKA_SANITIZERS=0 skips the sanitizer and
# fuzz stages. Each stage says how long it took, each build its CPU seconds.
# Under CI (CI=true) the normal build, whose dir serves only that run, keeps
# line tables only (-g1, same -O2 code). All builds link with lld when it is
# installed, and the clang builds use precompiled headers (GAFKA_PCH). The
# two clang builds run in the background, niced, while the tests of the
# normal build run (bats mostly waits on brokers: 420 s of a CI run).
# Measured on 2 shared cores, in CPU seconds: the normal build 930 with -g
# and ld.bfd, 550 under CI (-g1, lld); before precompiled headers and lld the
# ASan+UBSan build with the fuzz targets took 680, the TSan build 430; the
# runs are short (ASan+UBSan unit tests 40, TSan's thread suites 9, all unit
# tests under TSan 40, fuzz 50 s).
# Ends with "N passed, N failed, N skipped".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GAFKA_BUILD_DIR:-$root/build}
asan_build=${GAFKA_ASAN_BUILD_DIR:-$root/build-asan}
tsan_build=${GAFKA_TSAN_BUILD_DIR:-$root/build-tsan}

"$root/scripts/setup.sh" || { echo "setup failed"; exit 1; }
# Linker flags for the clang builds (scripts/build.sh picks lld for the normal
# one itself): lld links the big debug-info binaries several times faster than
# ld.bfd (same code).
link_flags=()
if command -v ld.lld >/dev/null; then
  link_flags=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld)
fi
build_flags=()
[[ ${CI:-} == true ]] && build_flags+=("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
TIMEFORMAT='   (build: %0R s, %0U+%0S CPU seconds)'
time "$root/scripts/build.sh" "${build_flags[@]}" || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0 skipped=0
# stage NAME: prints the stage header, and how long the previous stage took.
stage_start=$SECONDS
stage() {
  ((SECONDS > stage_start)) && echo "   (took $((SECONDS - stage_start))s)"
  stage_start=$SECONDS
  echo "== $1"
}

# The two clang builds (ASan+UBSan with the fuzz targets, TSan) start now, in
# the background at a lower priority, each on half the cores: the unit and
# bats tests of the normal build mostly wait on their brokers, so the builds
# take the idle CPU, and the sanitizer stages below wait for what is left.
# Only what the tests need is built: the library, the unit tests and the fuzz
# targets (the programs are covered by bats on the normal build), at -O1 with
# line tables only, as OSS-Fuzz builds.
sanitizers=1
[[ ${GAFKA_SANITIZERS:-1} == 0 || ${GAFKA_SKIP_SANITIZERS:-0} == 1 ]] && sanitizers=0
san_logs=$(mktemp -d)
san_pids=()
if ((sanitizers)); then
  sanitizer_flags=(-G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" "${link_flags[@]}")
  if [[ ! -f $asan_build/build.ninja ]]; then
    CC=clang CXX=clang++ cmake -S "$root" -B "$asan_build" "${sanitizer_flags[@]}" \
      -DGAFKA_FUZZ=ON -DGAFKA_SANITIZE=address,undefined >/dev/null
  fi
  if [[ ! -f $tsan_build/build.ninja ]]; then
    CC=clang CXX=clang++ cmake -S "$root" -B "$tsan_build" "${sanitizer_flags[@]}" -DGAFKA_SANITIZE=thread >/dev/null
  fi
  fuzz_targets=()
  for src in "$root"/tests/fuzz/*_fuzz.cpp; do fuzz_targets+=("$(basename "$src" .cpp)"); done
  jobs=$(($(nproc) > 1 ? $(nproc) / 2 : 1))
  { time nice -n 10 cmake --build "$asan_build" --target gafka_unit_tests "${fuzz_targets[@]}" -- -j"$jobs"; } \
    >"$san_logs/asan" 2>&1 &
  san_pids+=($!)
  { time nice -n 10 cmake --build "$tsan_build" --target gafka_unit_tests -- -j"$jobs"; } >"$san_logs/tsan" 2>&1 &
  san_pids+=($!)
fi
stage_start=$SECONDS  # the configure steps above are not a stage
# wait_build PID LOG: waits for a background build; prints its time, or its
# log's end if it failed.
wait_build() {
  if wait "$1"; then
    tail -1 "$2"
  else
    tail -40 "$2"
    return 1
  fi
}

ctest_log=$(mktemp)
trap 'rm -f "$ctest_log"; rm -rf "$san_logs"; kill $(jobs -pr) 2>/dev/null' EXIT
# run_ctest DIR [CTEST ARGS...]: runs ctest in build dir DIR and adds its counts.
run_ctest() {
  local dir=$1
  shift
  (cd "$dir" && ctest --output-on-failure -j"$(nproc)" --timeout 300 "$@") | tee "$ctest_log" | grep -vE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed'
  if summary=$(grep -E '[0-9]+ tests failed out of [0-9]+' "$ctest_log"); then
    f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$summary")
    n=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$summary")
    passed=$((passed + n - f)) failed=$((failed + f))
  else
    echo "ctest did not report a summary"; failed=$((failed + 1))
  fi
}

stage "unit tests (ctest)"
run_ctest "$build"

stage "CLI tests (bats)"
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

if ((!sanitizers)); then
  stage "sanitizer and fuzz runs skipped (GAFKA_SANITIZERS=0)"
else
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp}
  stage "unit tests under ASan+UBSan (clang, $asan_build; the rest of its build, then the run)"
  if wait_build "${san_pids[0]}" "$san_logs/asan"; then
    run_ctest "$asan_build"
    stage "fuzz targets (corpus replay + ${GAFKA_FUZZ_SECONDS:-10}s each)"
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
  stage "unit tests that start threads, under TSan (clang, $tsan_build; the rest of its build, then the run)"
  if wait_build "${san_pids[1]}" "$san_logs/tsan"; then
    # The suites of the unit test files that start threads (the broker's
    # concurrent paths); GAFKA_TSAN_TESTS=. runs every unit test.
    tsan_suites=$(grep -lE 'std::thread|thread_pool' "$root"/tests/unit/*_test.cpp |
      xargs grep -ohE '^TEST(_F)?\([A-Za-z0-9_]+' | sed 's/.*(//' | sort -u | paste -sd'|')
    run_ctest "$tsan_build" -R "${GAFKA_TSAN_TESTS:-^(${tsan_suites})\.}"
  else
    echo "not ok TSan build failed"; failed=$((failed + 1))
  fi
fi

stage "done"
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
