#!/usr/bin/env bash
# Prints the path of a promtool to use, getting one if needed: the one on PATH,
# else one extracted before into the cache, else `apt-get download prometheus`
# (Debian's package; no daemon is installed or run) and `dpkg-deb -x` of only
# usr/bin/promtool into the cache. Exit 1, with the reason on stderr, when
# none can be had (e.g. apt is unreachable).
# Usage: scripts/promtool.sh            cache: $GAFKA_TOOL_CACHE (default ~/.cache/gafka)
set -euo pipefail

if command -v promtool >/dev/null 2>&1; then
  command -v promtool
  exit 0
fi
cache=${GAFKA_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gafka}
bin=$cache/promtool/usr/bin/promtool
if [[ -x $bin ]]; then
  echo "$bin"
  exit 0
fi
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || {
  echo "promtool.sh: no promtool on PATH and no apt-get/dpkg-deb to fetch one" >&2
  exit 1
}
mkdir -p "$cache/promtool"
work=$(mktemp -d "$cache/promtool/download.XXXXXX")
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && timeout 300 apt-get download -qq prometheus >/dev/null 2>"$work/apt.err"); then
  echo "promtool.sh: apt-get download prometheus failed: $(tail -n 2 "$work/apt.err" | tr '\n' ' ')" >&2
  exit 1
fi
deb=$(ls "$work"/prometheus_*.deb)
mkdir -p "$work/x"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/x" ./usr/bin/promtool
[[ -x $work/x/usr/bin/promtool ]] || { echo "promtool.sh: $deb holds no usr/bin/promtool" >&2; exit 1; }
mkdir -p "$cache/promtool/usr/bin"
mv "$work/x/usr/bin/promtool" "$bin.tmp.$$" && mv "$bin.tmp.$$" "$bin"
echo "$bin"
