#!/usr/bin/env bash
# Ship a log file to a gafka topic, one record per line, following the file
# across rotation the way `tail -F` does:
#
#     examples/ship-logs.sh /var/log/app.log app-logs
#     examples/ship-logs.sh /var/log/app.log app-logs --key-separator '|'
#
# The broker comes from GAFKA_BROKERS (else localhost:9001). Arguments after
# the topic go to gafka-produce(1). Lines appended from now on are shipped;
# with FROM_START=1 the lines already in the file are shipped first.
# gafka-produce sends each line within its --linger (10ms) even while the
# file stays quiet. On SIGTERM or SIGINT the script stops reading the file,
# gafka-produce sends what it holds and exits, and so does the script, with
# gafka-produce's exit status (0; 1 when the broker could not be reached).
#
# As a systemd service, where KillMode=mixed sends `systemctl stop`'s
# SIGTERM to this script only (the default sends it to gafka-produce too,
# which then drops the batch it holds):
#     ExecStart=/usr/share/doc/gafka/examples/ship-logs.sh /var/log/app.log app-logs
#     KillMode=mixed
set -euo pipefail

if (($# < 2)); then
    echo "usage: ${0##*/} FILE TOPIC [gafka-produce options...]" >&2
    exit 2
fi
file=$1 topic=$2
shift 2
start=0
[[ ${FROM_START:-0} == 1 ]] && start=+1

# tail feeds gafka-produce through a pipe this script holds the ends of, so
# that a signal can stop tail alone: gafka-produce then reads end-of-file,
# flushes its last batch and exits by itself.
exec {lines}< <(exec tail -n "$start" -F -- "$file" 2>/dev/null)
tail_pid=$!
gafka-produce --topic "$topic" "$@" <&"$lines" &
produce_pid=$!
exec {lines}<&-
trap 'kill -TERM "$tail_pid" 2>/dev/null' TERM INT

# A trapped signal interrupts wait (status > 128) while gafka-produce still
# runs: then wait again, for its own exit status.
while :; do
    wait "$produce_pid" && status=0 || status=$?
    ((status > 128)) && kill -0 "$produce_pid" 2>/dev/null && continue
    break
done
kill -TERM "$tail_pid" 2>/dev/null || true   # gafka-produce gave up: stop tail too
exit "$status"
