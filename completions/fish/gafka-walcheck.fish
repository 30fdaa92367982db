# fish completion for gafka-walcheck(1). Keep in step with
# `gafka-walcheck --help` and man/gafka-walcheck.1; tests/cli/docs_agree.bats
# checks that they agree.

# PATH arguments are data dirs, partition dirs or *.log segment files.
complete -c gafka-walcheck -f -a '(__fish_complete_suffix .log)'
complete -c gafka-walcheck -s h -l help -d 'Print help and exit'
complete -c gafka-walcheck -l version -d 'Print version and exit'
complete -c gafka-walcheck -l repair -d 'Truncate damaged segments at the first bad batch'
complete -c gafka-walcheck -l dump -d 'Print every readable record as a JSON line'
complete -c gafka-walcheck -s q -l quiet -d 'Print nothing; only the exit status speaks'
complete -c gafka-walcheck -l format -x -a 'json nagios prometheus' -d 'JSON lines, a Nagios status line or Prometheus metrics'
