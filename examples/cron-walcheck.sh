#!/usr/bin/env bash
# A cron job that checks a broker's WAL and says something only when there
# is something to say (cron mails a job's output):
#
#     # /etc/cron.d/gafka-walcheck
#     MAILTO=ops@example.com
#     17 * * * *  gafka  /usr/share/doc/gafka/examples/cron-walcheck.sh
#
# GAFKA_DATA_DIR is the data dir to check (default /var/lib/gafka).
# GAFKA_BROKERS, when set, names the broker that serves it; one that does
# not answer /healthz is reported too. With GAFKA_TEXTFILE_DIR set, the
# result is also written there as gafka-walcheck.prom for the Prometheus
# node exporter's textfile collector, every run, damaged or not.
#
# gafka-walcheck reads the segments without the broker, so it can run while
# the broker writes. A batch being written at that moment can look like a
# torn tail; so a segment counts as damaged only when a second look finds
# it damaged the same way. Exit status: 0 clean, 1 damage (or the broker
# down), 3 the data dir cannot be read; nothing is printed when all is well.
set -uo pipefail

dir=${GAFKA_DATA_DIR:-/var/lib/gafka}
status=0

if [[ -n ${GAFKA_TEXTFILE_DIR:-} ]]; then
    prom=$GAFKA_TEXTFILE_DIR/gafka-walcheck.prom
    gafka-walcheck --format prometheus "$dir" >"$prom.$$" 2>/dev/null
    mv -f "$prom.$$" "$prom"
fi

# The segments that are not ok, as "file status position" lines.
damaged() {
    gafka-walcheck "$dir" | jq -r 'select(.status != "ok") | "\(.file) \(.status) \(.problem.position // "-")"' | sort
    return "${PIPESTATUS[0]}"
}

first=$(damaged)
code=$?
if ((code == 1)); then
    second=$(damaged)
    code=$?
    persistent=$(comm -12 <(printf '%s\n' "$first") <(printf '%s\n' "$second"))
    if [[ -n $persistent ]]; then
        echo "gafka WAL damage in $dir (see man gafka-walcheck, docs/operations.md):"
        printf '  %s\n' "${persistent//$'\n'/$'\n'  }"
        status=1
    elif ((code == 1)); then
        code=0   # what the first look saw has gone: a write in progress
    fi
fi
if ((code != 0 && code != 1)); then
    echo "gafka-walcheck could not read $dir" >&2
    status=3
fi

if [[ -n ${GAFKA_BROKERS:-} ]]; then
    broker=${GAFKA_BROKERS%%,*}
    if ! curl -sf -o /dev/null --max-time 5 "http://$broker/healthz"; then
        echo "gafka broker $broker does not answer /healthz"
        ((status == 0)) && status=1
    fi
fi
exit "$status"
