#!/usr/bin/env bash
# Line coverage of lib/ from the unit and CLI tests, with gcovr. Builds an
# instrumented copy in build-coverage/, prints the per-file table and fails
# under the bar (80%, the original design's).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-coverage
bar=${GAFKA_COVERAGE_BAR:-80}

"$root/scripts/setup.sh"
GAFKA_BUILD_DIR=$build "$root/scripts/build.sh" -DGAFKA_COVERAGE=ON -DCMAKE_BUILD_TYPE=Debug
find "$build" -name '*.gcda' -delete
(cd "$build" && ctest -j"$(nproc)" --timeout 600 >/dev/null) || echo "coverage: some unit tests failed" >&2
GAFKA_BIN=$build/bin bats "$root"/tests/cli/*.bats >/dev/null || echo "coverage: some CLI tests failed" >&2
gcovr --root "$root" --filter "$root/lib/" --object-directory "$build" --print-summary \
  --fail-under-line "$bar" "$build"
