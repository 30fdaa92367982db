#!/bin/bash
# The image's entrypoint (installed as /usr/local/bin/gafka-entrypoint).
#
#   IMAGE [FLAG...]            runs gafka-broker with a flag for each GAFKA_*
#                              variable (GAFKA_DATA_DIR=/d gives --data-dir=/d,
#                              GAFKA_KAFKA=false gives --kafka=false), then
#                              the FLAGs; a FLAG names a setting the variable
#                              then leaves alone
#   IMAGE PROGRAM [ARG...]     runs PROGRAM (gafka-consume, gafka-walcheck,
#                              ...) as given
#
# GAFKA_BROKERS, GAFKA_AUTH_TOKEN_FILE and GAFKA_TLS_CA are read by the
# programs themselves; the broker takes the last two as flags of the same
# meaning, and GAFKA_BROKERS is no broker flag. The image sets
# GAFKA_LISTEN=0.0.0.0 (inside the container's own network) and
# GAFKA_DATA_DIR=/var/lib/gafka (the volume).
set -euo pipefail

case ${1:-} in
  "" | -*) ;;
  *) exec "$@" ;;
esac

# The settings the command line names: --name, --name=value, --no-name.
declare -A given=()
for arg in "$@"; do
  [[ $arg == --* ]] || continue
  name=${arg#--}
  name=${name%%=*}
  given[$name]=1
  given[${name#no-}]=1
done

flags=()
while IFS= read -r -d '' kv; do
  var=${kv%%=*}
  [[ $var == GAFKA_?* && $var != GAFKA_BROKERS ]] || continue
  name=${var#GAFKA_}
  name=${name,,}
  name=${name//_/-}
  [[ -z ${given[$name]:-} ]] || continue
  flags+=("--$name=${kv#*=}")
done < <(env -0)

exec gafka-broker "${flags[@]}" "$@"
