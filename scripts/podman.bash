# Sourced by scripts/image.sh and the container tests: podman with gafka's
# settings (scripts/podman/containers.conf) unless CONTAINERS_CONF names
# other ones. `gafka_podman ARGS` runs podman with the runc runtime.
: "${CONTAINERS_CONF:=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/podman/containers.conf}"
export CONTAINERS_CONF

gafka_podman() {
  podman --runtime runc "$@"
}
export -f gafka_podman
