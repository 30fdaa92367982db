# fish completion for gafka-produce(1). Keep in step with
# `gafka-produce --help` and man/gafka-produce.1; tests/cli/docs_agree.bats
# checks that they agree.

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

complete -c gafka-produce -f
complete -c gafka-produce -s h -l help -d 'Print help and exit'
complete -c gafka-produce -l version -d 'Print version and exit'
complete -c gafka-produce -l broker -x -d 'Bootstrap brokers HOST:PORT,... (env GAFKA_BROKERS)'
complete -c gafka-produce -l auth-token-file -r -F -d 'Send the first token of FILE as a bearer token (env GAFKA_AUTH_TOKEN_FILE)'
complete -c gafka-produce -l tls-ca -r -F -d 'Use HTTPS, trusting the CA certificates in FILE (env GAFKA_TLS_CA)'
complete -c gafka-produce -s t -l topic -x -a '(__gafka_topics)' -d 'Topic to write to'
complete -c gafka-produce -l key-separator -x -d 'Split each line at SEP into key and value'
complete -c gafka-produce -l json -d 'Read JSON records, as gafka-consume writes them'
complete -c gafka-produce -l message -x -d 'Send this one record instead of reading stdin'
complete -c gafka-produce -l key -x -d 'Key of the --message record'
complete -c gafka-produce -l partition -x -d 'Send every record to this partition'
complete -c gafka-produce -l batch-size -x -d 'Records per request at most (default 100)'
complete -c gafka-produce -l max-in-flight -x -d 'Requests in flight per partition (default 5)'
complete -c gafka-produce -l linger -x -a '0ms 10ms 100ms 1s' -d 'Longest wait to fill a batch (default 10ms)'
complete -c gafka-produce -l acks -x -a '0 1 all' -d 'When the broker answers (default all)'
complete -c gafka-produce -l print-acks -d 'Print {"line","partition","offset"} per acknowledged record'
complete -c gafka-produce -l timeout -x -a '1s 5s 30s' -d 'Per-request timeout (default 30s)'
complete -c gafka-produce -l retries -x -d 'Retries after a failed connection (default 5)'
complete -c gafka-produce -l no-idempotence -d 'Send without producer id and sequence numbers'
