#!/usr/bin/env bats
# The shell completions in completions/, run the way each shell runs them:
# subcommands, flags, flag values, and topic names asked of a real broker
# (the one in GAFKA_BROKERS, or the one named by --broker on the line being
# completed). docs_agree.bats checks that they offer what --help lists;
# this checks that they work.

# `run --separate-stderr` sets $stderr; each @test runs in a subshell, so
# what it changes is its own; single quotes hold code for another shell.
# shellcheck disable=SC2154,SC2030,SC2031,SC2016

bats_require_minimum_version 1.5.0

load helpers

teardown() {
    stop_all_brokers
}

# A broker with three topics, two of whose names start with "or".
start_broker_with_topics() {
    start_broker
    create_topic orders 1
    create_topic orders-eu 1
    create_topic payments 1
}

# bash_complete PROGRAM LINE: what bash's completion of PROGRAM offers for
# LINE (completed at its end), one word per line, sorted. Words are split
# on blanks only; `--opt=value` is split as bash does by default.
bash_complete() {
    local program=$1 line=$2
    bash --norc --noprofile -c '
        source "$1"
        COMP_LINE=$2
        COMP_POINT=${#COMP_LINE}
        read -ra COMP_WORDS <<<"$COMP_LINE"
        [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        complete_fn=$(complete -p "$3" | sed -E "s/.*-F ([^ ]+).*/\1/")
        "$complete_fn" "$3" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}"
    ' _ "$REPO/completions/bash/$program" "$line" "$program" | sed '/^$/d' | sort
}

# fish_complete PROGRAM LINE: what fish's completion offers, words only.
fish_complete() {
    fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
        "$REPO/completions/fish/$1.fish" "$2" | cut -f1 | sort
}

# zsh_topics PROGRAM [BROKER]: the topic names zsh's _gafka_topics of
# PROGRAM's completion offers, with the completion system's functions
# stubbed (zsh cannot complete without a terminal).
zsh_topics() {
    zsh -f -c '
        _arguments() { :; }
        _wanted() { shift 3; "$@"; }
        compadd() { [[ $1 == -a ]] && print -l -- ${(P)2}; }
        typeset -A opt_args
        [[ -n $2 ]] && opt_args[--broker]=$2
        source "$1"
        _gafka_topics
    ' _ "$REPO/completions/zsh/_$1" "${2:-}" | sort
}

# --- bash ----------------------------------------------------------------------

@test "bash completes topic names from the broker in GAFKA_BROKERS" {
    start_broker_with_topics
    run bash_complete gafka-consume "gafka-consume --topic or"
    assert_output $'orders\norders-eu'
    run bash_complete gafka-consume "gafka-consume -t "
    assert_output $'orders\norders-eu\npayments'
    run bash_complete gafka-produce "gafka-produce --topic pay"
    assert_output payments
    run bash_complete gafka-admin "gafka-admin describe-topic --name orders-"
    assert_output orders-eu
}

@test "bash completes topic names from the broker named by --broker on the line" {
    start_broker_with_topics
    local broker=$GAFKA_BROKERS
    export GAFKA_BROKERS=127.0.0.1:1   # nothing listens there
    run bash_complete gafka-consume "gafka-consume --broker $broker --topic or"
    assert_output $'orders\norders-eu'
    run bash_complete gafka-consume "gafka-consume --topic or"
    assert_output ""
}

@test "bash offers no topic names, quietly, when no broker answers" {
    export GAFKA_BROKERS=127.0.0.1:1
    run --separate-stderr bash_complete gafka-consume "gafka-consume --topic "
    assert_success
    assert_output ""
    assert_equal "$stderr" ""
}

@test "bash completes subcommands, flags and flag values" {
    run bash_complete gafka-admin "gafka-admin describe-"
    assert_line describe-group
    assert_line describe-topic
    refute_line list-topics
    run bash_complete gafka-consume "gafka-consume --from-b"
    assert_output --from-beginning
    run bash_complete gafka-consume "gafka-consume --format "
    assert_output $'json\nvalue'
    run bash_complete gafka-walcheck "gafka-walcheck --format "
    assert_output $'json\nnagios\nprometheus'
    run bash_complete gafka-walcheck "gafka-walcheck --format na"
    assert_output nagios
    run bash_complete gafka-walcheck "gafka-walcheck --"
    assert_line --format
    assert_line --repair
}

# --- fish ----------------------------------------------------------------------

@test "fish completes topic names from the broker, and subcommands and flags" {
    command -v fish >/dev/null || skip "fish is not installed"
    start_broker_with_topics
    run fish_complete gafka-consume "gafka-consume --topic or"
    assert_output $'orders\norders-eu'
    run fish_complete gafka-admin "gafka-admin describe-"
    assert_line describe-group
    assert_line describe-topic
    refute_line list-topics
    run fish_complete gafka-walcheck "gafka-walcheck --format "
    assert_output $'json\nnagios\nprometheus'
}

# --- zsh -----------------------------------------------------------------------

# zsh_complete PROGRAM LINE: what zsh's completion system (compinit, with
# completions/zsh first in fpath) offers for LINE, completed at its end, one
# word per line, sorted; run on a pseudo-terminal by zsh_complete.zsh,
# bounded by timeout. PROGRAM is not used: zsh finds its #compdef itself.
zsh_complete() {
    timeout 30 zsh -f "$BATS_TEST_DIRNAME/zsh_complete.zsh" "$REPO/completions/zsh" "$2" </dev/null | sort -u
}


@test "zsh's topic completer asks the broker in GAFKA_BROKERS or in --broker" {
    command -v zsh >/dev/null || skip "zsh is not installed"
    start_broker_with_topics
    run zsh_topics gafka-consume
    assert_output $'orders\norders-eu\npayments'
    local broker=$GAFKA_BROKERS
    export GAFKA_BROKERS=127.0.0.1:1
    run zsh_topics gafka-produce "$broker"
    assert_output $'orders\norders-eu\npayments'
    run zsh_topics gafka-admin
    assert_output ""
}

@test "zsh completes subcommands, flags and flag values (the real completion system)" {
    command -v zsh >/dev/null || skip "zsh is not installed"
    run zsh_complete gafka-admin "gafka-admin describe-"
    assert_output $'describe-cluster\ndescribe-group\ndescribe-topic'
    run zsh_complete gafka-admin "gafka-admin reset-offsets --to-"
    assert_output $'--to-earliest\n--to-latest\n--to-offset\n--to-time'
    run zsh_complete gafka-consume "gafka-consume --from-b"
    assert_output --from-beginning
    run zsh_complete gafka-produce "gafka-produce --acks "
    assert_output $'0\n1\nall'
    run zsh_complete gafka-walcheck "gafka-walcheck --"
    assert_line --format
    assert_line --repair
    assert_line --dump
}

@test "zsh completes topic names from the broker through the real completion system" {
    command -v zsh >/dev/null || skip "zsh is not installed"
    start_broker_with_topics
    run zsh_complete gafka-consume "gafka-consume --topic or"
    assert_output $'orders\norders-eu'
}

@test "every completion file is valid in its shell" {
    local f
    for f in "$REPO"/completions/bash/*; do bash -n "$f" || fail "$f"; done
    if command -v zsh >/dev/null; then
        for f in "$REPO"/completions/zsh/_*; do zsh -n "$f" || fail "$f"; done
    fi
    if command -v fish >/dev/null; then
        for f in "$REPO"/completions/fish/*.fish; do fish --no-execute "$f" || fail "$f"; done
    fi
}
