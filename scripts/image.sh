#!/usr/bin/env bash
# Builds gafka's container image with podman, from Debian's packages only:
#
#   scripts/image.sh [--base IMAGE] [--tag NAME] [--etcd]
#
# 1. the base: IMAGE if given (e.g. debian:bookworm-slim on a machine that
#    can pull it), else localhost/gafka-base:bookworm, made once with
#    `mmdebstrap --variant=minbase bookworm | podman import` (documentation,
#    man pages, locales and iconv's gconv modules left out, and usrmerge
#    with the perl it needs swapped for usr-is-merged, as in Debian's own
#    images);
# 2. the Debian package, by scripts/package.sh (which builds first);
# 3. deploy/container/Containerfile on that base, tagged NAME (default
#    localhost/gafka:VERSION and localhost/gafka:latest); the image the
#    name had before is removed unless something else still uses it.
# With --etcd, step 2 is skipped and step 3 builds etcd.Containerfile
# instead (Debian's etcd-server, for deploy/kubernetes), tagged NAME
# (default localhost/gafka-etcd:latest).
# Prints the image's name. Needs podman, runc and mmdebstrap
# (scripts/setup.sh installs them) and root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/podman.bash"

base='' tag='' etcd=''
while (($#)); do
  case $1 in
    --base) base=${2:?--base needs an image}; shift 2 ;;
    --tag) tag=${2:?--tag needs a name}; shift 2 ;;
    --etcd) etcd=1; shift ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "image.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT

if [[ -z $base ]]; then
  base=localhost/gafka-base:bookworm
  if ! gafka_podman image exists "$base"; then
    echo "image.sh: making $base with mmdebstrap" >&2
    mmdebstrap --variant=minbase --quiet \
      --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      --dpkgopt='path-exclude=/usr/share/man/*' \
      --dpkgopt='path-exclude=/usr/share/info/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' \
      --dpkgopt='path-exclude=/usr/share/zoneinfo/right/*' \
      --dpkgopt='path-exclude=/usr/lib/*/gconv/*' \
      --include=usr-is-merged \
      --customize-hook='chroot "$1" dpkg --purge usrmerge libfile-find-rule-perl libnumber-compare-perl libtext-glob-perl perl perl-modules-5.36 libperl5.36' \
      --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
      bookworm "$context/base.tar"
    gafka_podman import "$context/base.tar" "$base" >/dev/null
  fi
fi

if [[ -n $etcd ]]; then
  containerfile=$root/deploy/container/etcd.Containerfile
  name=${tag:-localhost/gafka-etcd:latest}
  tags=(--tag "$name")
else
  containerfile=$root/deploy/container/Containerfile
  deb=$("$root/scripts/package.sh" "$context/dist")
  cp "$deb" "$context/gafka.deb"
  cp "$root"/deploy/container/{entrypoint.sh,healthcheck.sh} "$context/"
  version=$(basename "$deb" | cut -d_ -f2)
  name=${tag:-localhost/gafka:$version}
  tags=(--tag "$name")
  [[ -n $tag ]] || tags+=(--tag localhost/gafka:latest)
fi
old=$(gafka_podman image inspect --format '{{.Id}}' "$name" 2>/dev/null || true)

# docker format: OCI images have no HEALTHCHECK. The build's network is the
# host's, for apt-get to reach the Debian mirror.
gafka_podman build --quiet --format docker --network host \
  --build-arg "BASE=$base" -f "$containerfile" \
  "${tags[@]}" "$context" >/dev/null
new=$(gafka_podman image inspect --format '{{.Id}}' "$name")
[[ -z $old || $old == "$new" ]] || gafka_podman rmi "$old" >/dev/null 2>&1 || true
echo "$name"
