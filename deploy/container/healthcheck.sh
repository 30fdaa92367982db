#!/bin/bash
# The image's healthcheck (installed as /usr/local/bin/gafka-healthcheck):
# exits 0 when the broker in this container answers GET /healthz with 200.
# The port is GAFKA_PORT's, else 9001. bash's /dev/tcp, so the image needs
# no HTTP client of its own.
set -euo pipefail
port=${GAFKA_PORT:-9001}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 3 status <&3
[[ $status == "HTTP/1.1 200"* ]]
