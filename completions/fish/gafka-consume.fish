# fish completion for gafka-consume(1). Keep in step with
# `gafka-consume --help` and man/gafka-consume.1; tests/cli/docs_agree.bats
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

complete -c gafka-consume -f
complete -c gafka-consume -s h -l help -d 'Print help and exit'
complete -c gafka-consume -l version -d 'Print version and exit'
complete -c gafka-consume -l broker -x -d 'Bootstrap brokers HOST:PORT,... (env GAFKA_BROKERS)'
complete -c gafka-consume -l auth-token-file -r -F -d 'Send the first token of FILE as a bearer token (env GAFKA_AUTH_TOKEN_FILE)'
complete -c gafka-consume -l tls-ca -r -F -d 'Use HTTPS, trusting the CA certificates in FILE (env GAFKA_TLS_CA)'
complete -c gafka-consume -s t -l topic -x -a '(__gafka_topics)' -d 'Topic to read'
complete -c gafka-consume -s p -l partition -x -d 'Read only this partition'
complete -c gafka-consume -l offset -x -a 'earliest latest' -d 'Start offset: a number (with --partition), earliest or latest'
complete -c gafka-consume -l from-beginning -d 'Start at the earliest record'
complete -c gafka-consume -l from-time -x -a 'now -10m -1h -1d' -d 'Start at the first record at or after this time (RFC 3339, -1h)'
complete -c gafka-consume -l max-messages -x -d 'Exit after this many records'
complete -c gafka-consume -l exit-at-end -d 'Exit once every partition reaches the end it had at start'
complete -c gafka-consume -l timeout -x -a '500ms 1s 5s 30s' -d 'Long-poll wait per request, at most 30s (default 30s)'
complete -c gafka-consume -l format -x -a 'json value' -d 'Output format (default json)'
complete -c gafka-consume -l fetch-size -x -d 'Records per request (default 500)'
complete -c gafka-consume -l retries -x -d 'Retries after a failed connection or while a leader moves (default 5)'
complete -c gafka-consume -l group -x -d 'Consume as a member of this consumer group'
complete -c gafka-consume -l consumer-id -x -d 'Member id within the group (default HOST-PID)'
complete -c gafka-consume -l exec -x -a '(__fish_complete_command)' -d 'Run CMD per record (record on stdin); commit when it exits 0'
complete -c gafka-consume -l max-attempts -x -d '--exec runs per record before giving up (default 3)'
complete -c gafka-consume -l dead-letter -x -a '(__gafka_topics)' -d 'Topic for records --exec failed on every attempt'
complete -c gafka-consume -l assignor -x -a 'roundrobin range' -d 'How the group deals partitions (default roundrobin)'
