#!/usr/bin/env zsh
# zsh_complete.zsh COMPLETION_DIR LINE: prints what zsh's completion system
# offers for LINE, completed at its end, one candidate per line (unsorted,
# without descriptions). Used by tests/cli/completions.bats.
#
# Completion runs only inside the line editor of an interactive shell, so
# this starts one on a pseudo-terminal (zsh/zpty) with compinit and the
# completions of COMPLETION_DIR first in fpath, types LINE and a Tab, and
# catches the candidates by wrapping compadd: each call is made again with
# -A, which leaves the candidates that match what is typed in an array.
# The inner shell exits right after the completion; the caller bounds the
# whole run (e.g. `timeout 30 zsh -f zsh_complete.zsh ...`).

if [[ $1 == --inner ]]; then  # sourced by the shell on the pty
    PS1= RPS1= PS2=
    unset zle_bracketed_paste
    fpath=($GAFKA_ZSH_COMPLETIONS $fpath)
    autoload -Uz compinit && compinit -u -D
    zstyle ':completion:*' list-grouped false
    zstyle ':completion:*' insert-tab false
    bindkey '^I' complete-word
    _gafka_capture_begin() { print -r -- '<<gafka''-begin>>'; }
    _gafka_capture_end() { print -r -- '<<gafka''-end>>'; exit 0; }
    compprefuncs=(_gafka_capture_begin)
    comppostfuncs=(_gafka_capture_end)
    compadd() {
        # Calls that only compute (-O, -A, -D) are the completers' own business.
        if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
            builtin compadd "$@"
            return
        fi
        local -a __gafka_hits
        builtin compadd -A __gafka_hits "$@"
        (( $#__gafka_hits )) && print -rl -- $__gafka_hits
        builtin compadd "$@"
    }
    print -r -- '<<gafka''-ready>>'
    return 0
fi

zmodload zsh/zpty || exit 1
export GAFKA_ZSH_COMPLETIONS=$1
zpty gafka_zsh zsh -f -i || exit 1
zpty -w gafka_zsh "source ${(q)0:A} --inner"
zpty -r -m gafka_zsh out '*<<gafka-ready>>*' || exit 1
zpty -w -n gafka_zsh "$2"$'\t'
zpty -r -m gafka_zsh out '*<<gafka-end>>*'
zpty -d gafka_zsh
out=${out//$'\r'/}
out=${out#*<<gafka-begin>>$'\n'}
print -rn -- ${out%<<gafka-end>>*}
