# fish completion for gafka-bench(1). Keep in step with
# `gafka-bench [SUBCOMMAND] --help` and man/gafka-bench.1;
# tests/cli/docs_agree.bats checks that they agree.

set -l subcommands produce consume e2e append recover

complete -c gafka-bench -f
complete -c gafka-bench -s h -l help -d 'Print help and exit'
complete -c gafka-bench -l version -d 'Print version and exit'

complete -c gafka-bench -n "not __fish_seen_subcommand_from $subcommands" \
    -a produce -d 'Send records to a broker and time their acknowledgements'
complete -c gafka-bench -n "not __fish_seen_subcommand_from $subcommands" \
    -a consume -d 'Read records from the start of a topic and time it'
complete -c gafka-bench -n "not __fish_seen_subcommand_from $subcommands" \
    -a e2e -d 'Produce and consume at once; latency end to end'
complete -c gafka-bench -n "not __fish_seen_subcommand_from $subcommands" \
    -a append -d 'Append records straight into a partition log and time it'
complete -c gafka-bench -n "not __fish_seen_subcommand_from $subcommands" \
    -a recover -d 'Open a partition log as the broker does and time recovery'

complete -c gafka-bench -n "__fish_seen_subcommand_from append recover" \
    -l dir -x -a '(__fish_complete_directories)' -d 'Partition directory'

set -l append "__fish_seen_subcommand_from append"
complete -c gafka-bench -n $append -l messages -x -d 'Number of records (default 1000000)'
complete -c gafka-bench -n $append -l size -x -d 'Bytes per record (default 1024)'
complete -c gafka-bench -n $append -l batch-size -x -d 'Records per batch (default 100)'
complete -c gafka-bench -n $append -l fsync -d 'Fsync after every batch'
complete -c gafka-bench -n $append -l segment-bytes -x -d 'Segment size in bytes (default 134217728)'
complete -c gafka-bench -n $append -l crash -d 'End without a clean close, as kill -9 would'

set -l load "__fish_seen_subcommand_from produce consume e2e"
complete -c gafka-bench -n $load -l broker -x -d 'Broker HOST:PORT list (default $GAFKA_BROKERS)'
complete -c gafka-bench -n $load -l auth-token-file -r -F -d 'Send the first token of FILE as a bearer token (env GAFKA_AUTH_TOKEN_FILE)'
complete -c gafka-bench -n $load -l tls-ca -r -F -d 'Use HTTPS, trusting the CA certificates in FILE (env GAFKA_TLS_CA)'
complete -c gafka-bench -n $load -l topic -x -d 'Topic (default gafka-bench-pN)'
complete -c gafka-bench -n $load -l messages -x -d 'Number of records (default 1000000)'
complete -c gafka-bench -n $load -l size -x -d 'Bytes per record value (default 1024)'
complete -c gafka-bench -n $load -l partitions -x -d 'Partitions of a topic it creates (default 1)'
complete -c gafka-bench -n $load -l batch-size -x -d 'Records per request or fetch (default 100)'
complete -c gafka-bench -n $load -l concurrency -x -d 'Connections (default 1)'
complete -c gafka-bench -n $load -l acks -x -a '0 1 all' -d 'Produce acknowledgement (default all)'
complete -c gafka-bench -n $load -l no-idempotence -d 'Produce without producer ids and sequence numbers'
complete -c gafka-bench -n $load -l protocol -x -a 'http kafka' -d 'HTTP API or Kafka port via librdkafka (default http)'
complete -c gafka-bench -n $load -s X -l kafka-option -x -d 'A librdkafka setting KEY=VALUE (--protocol kafka)'
complete -c gafka-bench -n "__fish_seen_subcommand_from produce e2e" -l rate -x -d 'Records a second, open loop'
