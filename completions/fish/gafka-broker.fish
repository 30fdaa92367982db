# fish completion for gafka-broker(1). Keep in step with
# `gafka-broker --help` and man/gafka-broker.1; tests/cli/docs_agree.bats
# checks that they agree.

complete -c gafka-broker -f
complete -c gafka-broker -s h -l help -d 'Print help and exit'
complete -c gafka-broker -l version -d 'Print version and exit'
complete -c gafka-broker -l config -r -F -d 'Read settings from a TOML/INI file (flags win)'
complete -c gafka-broker -l id -x -d 'Broker id (default 1)'
complete -c gafka-broker -l port -x -d 'TCP port to listen on, 0 for any free (default 9001)'
complete -c gafka-broker -l listen -x -a '127.0.0.1 0.0.0.0 ::1 ::' -d 'Address to listen on (default 127.0.0.1)'
complete -c gafka-broker -l advertised-host -x -a '(__fish_print_hostnames)' -d 'Host name given to clients in metadata'
complete -c gafka-broker -l data-dir -x -a '(__fish_complete_directories)' -d 'Directory holding the logs'
complete -c gafka-broker -l flush -x -a 'always interval:1000 never' -d 'When to fsync (default always)'
complete -c gafka-broker -l default-partitions -x -d 'Partitions of auto-created topics, 1-100 (default 1)'
complete -c gafka-broker -l auto-create-topics -d 'Create a topic on its first produce (default)'
complete -c gafka-broker -l no-auto-create-topics -d 'Answer 404 to a produce to an unknown topic'
complete -c gafka-broker -l segment-bytes -x -d 'Segment size at which a log rolls (default 134217728)'
complete -c gafka-broker -l io-threads -x -d 'Threads serving connections, 1-64 (default 2)'
complete -c gafka-broker -l role -x -a 'leader follower' -d 'leader, or follower of --leader (default leader)'
complete -c gafka-broker -l leader -x -a '(__fish_print_hostnames)' -d 'HOST:PORT of the leader a follower copies'
complete -c gafka-broker -l min-insync -x -d 'In-sync replicas acks=all needs, leader included (default 1)'
complete -c gafka-broker -l replica-lag-max -x -a '10s 30s 1m' -d 'A follower behind or silent this long leaves the ISR (default 10s)'
