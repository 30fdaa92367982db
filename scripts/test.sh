#!/usr/bin/env bash
# Sets up, builds and runs every test: GoogleTest unit tests through ctest,
# then the bats suites in tests/cli. Ends with "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GAFKA_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh" || { echo "setup failed"; exit 1; }
"$root/scripts/build.sh" || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0 skipped=0

echo "== unit tests (ctest)"
ctest_log=$(mktemp)
trap 'rm -f "$ctest_log"' EXIT
(cd "$build" && ctest --output-on-failure -j"$(nproc)" --timeout 300) | tee "$ctest_log" | grep -vE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed'
if summary=$(grep -E '[0-9]+ tests failed out of [0-9]+' "$ctest_log"); then
  f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$summary")
  n=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$summary")
  passed=$((passed + n - f)) failed=$((failed + f))
else
  echo "ctest did not report a summary"; failed=$((failed + 1))
fi

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

echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
