# fish completion for gafka-bench(1). Keep in step with
# `gafka-bench [SUBCOMMAND] --help` and man/gafka-bench.1;
# tests/cli/docs_agree.bats checks that they agree.

set -l subcommands append recover

complete -c gafka-bench -f
complete -c gafka-bench -s h -l help -d 'Print help and exit'
complete -c gafka-bench -l version -d 'Print version and exit'

complete -c gafka-bench -n "not __fish_seen_subcommand_from $subcommands" \
    -a append -d 'Append records straight into a partition log and time it'
complete -c gafka-bench -n "not __fish_seen_subcommand_from $subcommands" \
    -a recover -d 'Open a partition log as the broker does and time recovery'

complete -c gafka-bench -n "__fish_seen_subcommand_from $subcommands" \
    -l dir -x -a '(__fish_complete_directories)' -d 'Partition directory'

set -l append "__fish_seen_subcommand_from append"
complete -c gafka-bench -n $append -l messages -x -d 'Number of records (default 1000000)'
complete -c gafka-bench -n $append -l size -x -d 'Bytes per record (default 1024)'
complete -c gafka-bench -n $append -l batch-size -x -d 'Records per batch (default 100)'
complete -c gafka-bench -n $append -l fsync -d 'Fsync after every batch'
complete -c gafka-bench -n $append -l segment-bytes -x -d 'Segment size in bytes (default 134217728)'
complete -c gafka-bench -n $append -l crash -d 'End without a clean close, as kill -9 would'
