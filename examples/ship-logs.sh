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
# file stays quiet. On SIGTERM or SIGINT gafka-produce (which this script
# becomes) stops reading, sends what it holds and exits with its status (0;
# 1 when the broker could not be reached); tail follows it within a second.
#
# As a systemd service (the default KillMode is fine: gafka-produce itself
# finishes its last batch on systemctl stop's SIGTERM):
#     ExecStart=/usr/share/doc/gafka/examples/ship-logs.sh /var/log/app.log app-logs
set -euo pipefail

if (($# < 2)); then
    echo "usage: ${0##*/} FILE TOPIC [gafka-produce options...]" >&2
    exit 2
fi
file=$1 topic=$2
shift 2
start=0
[[ ${FROM_START:-0} == 1 ]] && start=+1

# This shell's pid becomes gafka-produce's; --pid makes tail exit once that
# process has.
exec gafka-produce --topic "$topic" "$@" < <(exec tail -n "$start" -F --pid=$$ -- "$file" 2>/dev/null)
