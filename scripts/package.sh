#!/usr/bin/env bash
# Builds the Debian package, gafka_<version>_<arch>.deb, with CPack from the
# same install rules as `cmake --install` (prefix /usr), into dist/ or the
# directory given. Builds first (scripts/build.sh; GAFKA_BUILD_DIR as there).
# Prints the package's path. Check it with `dpkg-deb -c` / `dpkg-deb -I`,
# install it with `sudo apt install ./dist/gafka_*.deb`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GAFKA_BUILD_DIR:-$root/build}
out=$(mkdir -p "${1:-$root/dist}" && cd "${1:-$root/dist}" && pwd)

"$root/scripts/build.sh"
(cd "$build" && cpack -G DEB -B "$out" >&2)
rm -rf "$out/_CPack_Packages"
ls "$out"/gafka_*.deb
