# fish completion for gafka-admin(1). Keep in step with
# `gafka-admin [SUBCOMMAND] --help` and man/gafka-admin.1;
# tests/cli/docs_agree.bats checks that they agree.

# Topic names from the broker named on the command line (else the default
# one): quietly none when no broker answers within a second.
function __gafka_topics
    command -q gafka-admin; and command -q timeout; or return
    set -l args list-topics
    set -l tokens (commandline -opc)
    for i in (seq (count $tokens))
        if string match -q -- '--broker=*' $tokens[$i]
            set args $args $tokens[$i]
        else if test "$tokens[$i]" = --broker; and test $i -lt (count $tokens)
            set args $args --broker=$tokens[(math $i + 1)]
        end
    end
    timeout 1 gafka-admin $args </dev/null 2>/dev/null |
        string replace -rf '^\{"name":"([^"]*)".*' '$1'
end

# Consumer group ids, likewise.
function __gafka_groups
    command -q gafka-admin; and command -q timeout; or return
    set -l args list-groups
    set -l tokens (commandline -opc)
    for i in (seq (count $tokens))
        if string match -q -- '--broker=*' $tokens[$i]
            set args $args $tokens[$i]
        else if test "$tokens[$i]" = --broker; and test $i -lt (count $tokens)
            set args $args --broker=$tokens[(math $i + 1)]
        end
    end
    timeout 1 gafka-admin $args </dev/null 2>/dev/null |
        string replace -rf '^\{"group_id":"([^"]*)".*' '$1'
end

set -l subcommands create-topic alter-topic elect-leaders list-topics describe-topic delete-topic metadata describe-cluster promote partition-for \
    list-groups describe-group lag delete-group reset-offsets

complete -c gafka-admin -f
complete -c gafka-admin -s h -l help -d 'Print help and exit'
complete -c gafka-admin -n "not __fish_seen_subcommand_from $subcommands" -l version -d 'Print version and exit'

set -l none "not __fish_seen_subcommand_from $subcommands"
complete -c gafka-admin -n $none -a create-topic -d 'Create a topic'
complete -c gafka-admin -n $none -a alter-topic -d 'Add partitions to a topic'
complete -c gafka-admin -n $none -a elect-leaders -d "Move each partition's leadership back to its preferred replica"
complete -c gafka-admin -n $none -a list-topics -d 'List topics, one JSON line each'
complete -c gafka-admin -n $none -a describe-topic -d 'Describe a topic and its partitions'
complete -c gafka-admin -n $none -a delete-topic -d 'Delete a topic and its data'
complete -c gafka-admin -n $none -a metadata -d "Print the cluster metadata, with each follower's lag"
complete -c gafka-admin -n $none -a describe-cluster -d "Print the etcd cluster's brokers, controller and controller epoch"
complete -c gafka-admin -n $none -a promote -d 'Make a follower the leader at a new epoch (manual failover)'
complete -c gafka-admin -n $none -a partition-for -d 'Print the partition a key goes to'
complete -c gafka-admin -n $none -a list-groups -d 'List consumer groups, one JSON line each'
complete -c gafka-admin -n $none -a describe-group -d 'Members, assignment, committed offsets and lag of a group'
complete -c gafka-admin -n $none -a lag -d "A group's total lag, for cron: exit 1 when over --max-lag"
complete -c gafka-admin -n $none -a delete-group -d 'Delete a group without members and its offsets'
complete -c gafka-admin -n $none -a reset-offsets -d "Move a group's committed offsets (prints the plan)"

complete -c gafka-admin -n "__fish_seen_subcommand_from $subcommands; and not __fish_seen_subcommand_from promote" \
    -l broker -x -d 'Brokers HOST:PORT,... (env GAFKA_BROKERS)'
complete -c gafka-admin -n "__fish_seen_subcommand_from promote" -l broker -x -d 'Id of the follower to promote'
complete -c gafka-admin -n "__fish_seen_subcommand_from $subcommands" -l auth-token-file -r -F \
    -d 'Send the first token of FILE as a bearer token (env GAFKA_AUTH_TOKEN_FILE)'
complete -c gafka-admin -n "__fish_seen_subcommand_from $subcommands" -l tls-ca -r -F \
    -d 'Use HTTPS, trusting the CA certificates in FILE (env GAFKA_TLS_CA)'
complete -c gafka-admin -n "__fish_seen_subcommand_from promote" -l bootstrap-server -x \
    -d 'Brokers HOST:PORT,... to find it by (env GAFKA_BROKERS)'

set -l create "__fish_seen_subcommand_from create-topic"
complete -c gafka-admin -n $create -l name -x -d 'Name of the new topic'
complete -c gafka-admin -n $create -l partitions -x -d 'Number of partitions, 1-100 (default 1)'
complete -c gafka-admin -n $create -l retention-bytes -x -d 'Keep at most this many bytes per partition'
complete -c gafka-admin -n $create -l retention-ms -x -d 'Delete segments older than this many milliseconds'
complete -c gafka-admin -n $create -l compression -x -a 'producer uncompressed gzip snappy lz4 zstd' \
    -d 'Codec the broker stores batches with'
complete -c gafka-admin -n $create -l replication-factor -x -d 'Replicas of each partition, in a cluster'
complete -c gafka-admin -n $create -l if-not-exists -d 'Succeed quietly when the topic exists'

complete -c gafka-admin -n "__fish_seen_subcommand_from describe-topic delete-topic" \
    -l name -x -a '(__gafka_topics)' -d 'Topic name'

set -l alter "__fish_seen_subcommand_from alter-topic"
complete -c gafka-admin -n $alter -a '(__gafka_topics)' -d 'Topic'
complete -c gafka-admin -n $alter -l name -x -a '(__gafka_topics)' -d 'Topic name'
complete -c gafka-admin -n $alter -l partitions -x -d 'The new number of partitions, above the current one'

complete -c gafka-admin -n "__fish_seen_subcommand_from elect-leaders" -l topic -x -a '(__gafka_topics)' \
    -d "Only this topic's partitions"

set -l pf "__fish_seen_subcommand_from partition-for"
complete -c gafka-admin -n $pf -l topic -x -a '(__gafka_topics)' -d 'Topic'
complete -c gafka-admin -n $pf -l key -x -d 'Key'

complete -c gafka-admin -n "__fish_seen_subcommand_from describe-group lag delete-group reset-offsets" \
    -l group -x -a '(__gafka_groups)' -d 'Consumer group'

complete -c gafka-admin -n "__fish_seen_subcommand_from lag" -l max-lag -x -d 'Exit 1 when the total lag is over N records'

set -l reset "__fish_seen_subcommand_from reset-offsets"
complete -c gafka-admin -n $reset -l topic -x -a '(__gafka_topics)' -d 'Topic whose offsets to move'
complete -c gafka-admin -n $reset -l partition -x -d 'Move only this partition'
complete -c gafka-admin -n $reset -l to-earliest -d 'Move to the log start'
complete -c gafka-admin -n $reset -l to-latest -d 'Move to the log end'
complete -c gafka-admin -n $reset -l to-offset -x -d 'Move to this offset (clamped to the log)'
complete -c gafka-admin -n $reset -l to-time -x -d 'Move to the first record at or after this time (RFC 3339, -1h)'
complete -c gafka-admin -n $reset -l dry-run -d 'Print the plan and change nothing'
