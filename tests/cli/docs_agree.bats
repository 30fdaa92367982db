#!/usr/bin/env bats
# One check that keeps --help, the man pages and the shell completions in
# agreement (STYLE.md), for every gafka-* program in the build directory:
#
#   - every long flag that `PROG --help` (and `PROG SUB --help` for each
#     subcommand it lists) shows must appear in man/PROG.1,
#     completions/bash/PROG, completions/zsh/_PROG and
#     completions/fish/PROG.fish;
#   - every subcommand must appear in the same four files;
#   - every --flag named in the OPTIONS section of man/PROG.1 must exist in
#     that --help output, so the docs cannot promise flags the program lacks.
#
# Each test collects all disagreements and fails once, naming program, flag
# and file for each, so one run shows all the drift.
#
# GAFKA_BIN overrides where the programs are looked for.

# Each @test runs in its own subshell; problems=() is per test on purpose.
# shellcheck disable=SC2030,SC2031

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
    REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
    BIN=${GAFKA_BIN:-$REPO/build/bin}
    problems=()
}

# Sets PROGRAMS to the gafka-* programs in $BIN; skips the test when there
# are none, since then there is nothing to compare the docs with.
need_programs() {
    PROGRAMS=()
    local f
    for f in "$BIN"/gafka-*; do
        [[ -f $f && -x $f ]] && PROGRAMS+=("$f")
    done
    if ((${#PROGRAMS[@]} == 0)); then
        skip "no gafka-* programs in $BIN (build first, or set GAFKA_BIN)"
    fi
}

# --- reading --help (CLI11 layout) -----------------------------------------

# Long flags of one help text on stdin, one per line. CLI11 lists an option
# on a line indented by a few spaces that starts with its names, e.g.
# `  -q,--quiet`, `  -h,     --help` (CLI11 2.4), `  --dir TEXT REQUIRED`,
# `  --flag{false}`; continuation lines of descriptions are indented much
# further. Names are the leading words that start with `-`, for as long as
# each ends with a comma.
help_flags() {
    awk 'match($0, /[^ ]/) && RSTART >= 2 && RSTART <= 5 && /^ *-/ {
             for (i = 1; i <= NF && $i ~ /^-/; i++) {
                 print $i
                 if ($i !~ /,$/) break
             }
         }' |
        tr ',' '\n' |
        grep -oE '^--[A-Za-z0-9][A-Za-z0-9_-]*' || true
}

# Subcommands of one help text on stdin: the first word of each line of the
# block under a `Subcommands:` (CLI11 2.1) or `SUBCOMMANDS:` (CLI11 2.3+)
# heading, up to the next blank line.
help_subcommands() {
    awk 'tolower($0) ~ /^subcommands:[[:space:]]*$/ { inside = 1; next }
         inside && /^[[:space:]]*$/ { inside = 0 }
         inside && match($0, /[^ ]/) && RSTART >= 2 && RSTART <= 5 && /^ *[^ -]/ { print $1 }'
}

# Sets HELP to the output of `PROG [SUB] --help`, recording a problem when
# it does not exit 0. Not run in a subshell, so that problems are kept.
help_of() {
    local prog=$1
    shift
    if ! HELP=$(timeout 20 "$prog" "$@" --help </dev/null); then
        problems+=("$(basename "$prog"): '$(basename "$prog") ${*:+$* }--help' did not exit 0")
    fi
}

# Sets SUBCOMMANDS to the subcommands of a program and FLAGS to its long
# flags, its own and those of each subcommand, one per line, sorted, unique.
program_flags() {
    local prog=$1 sub all
    help_of "$prog"
    all=$(help_flags <<<"$HELP")
    SUBCOMMANDS=$(help_subcommands <<<"$HELP")
    for sub in $SUBCOMMANDS; do
        help_of "$prog" "$sub"
        all+=$'\n'$(help_flags <<<"$HELP")
    done
    FLAGS=$(sed '/^$/d' <<<"$all" | sort -u)
}

# --- reading the docs ------------------------------------------------------

# A file's text with roff escapes that hide a flag undone: `\-` is a
# hyphen, `\fB` and friends and `\%` are font changes and hyphenation marks.
plain_text() {
    sed -e 's/\\-/-/g' -e 's/\\f(..//g' -e 's/\\f\[[^]]*\]//g' \
        -e 's/\\f.//g' -e 's/\\%//g' -e 's/\\&//g' "$1"
}

# True when FLAG (--name) is mentioned in FILE as a whole word; in fish
# completions a long option is written `-l name` / `--long-option name`.
mentions_flag() {
    local file=$1 flag=$2 name=${2#--}
    if plain_text "$file" | grep -qE "(^|[^A-Za-z0-9_-])$flag(\$|[^A-Za-z0-9_-])"; then
        return 0
    fi
    [[ $file == *.fish ]] &&
        grep -qE "(^|[[:space:]])(-l|--long-option|--long)[[:space:]=]+['\"]?$name(\$|['\"[:space:]])" "$file"
}

# True when subcommand SUB of program NAME is in FILE: as `NAME SUB` in a
# man page (its SYNOPSIS), as a whole word in a completion.
mentions_subcommand() {
    local file=$1 name=$2 sub=$3
    if [[ $file == *.1 ]]; then
        plain_text "$file" | grep -qE "(^|[^A-Za-z0-9_-])${name}[[:space:]]+${sub}(\$|[^A-Za-z0-9_-])"
    else
        grep -qE "(^|[^A-Za-z0-9_-])$sub(\$|[^A-Za-z0-9_-])" "$file"
    fi
}

# The four files that must document program NAME.
doc_files() {
    local name=$1
    printf '%s\n' "man/$name.1" "completions/bash/$name" \
        "completions/zsh/_$name" "completions/fish/$name.fish"
}

# Long flags named in the OPTIONS section of a man page.
man_options_flags() {
    plain_text "$1" |
        awk '/^\.SH/ { inside = ($0 ~ /^\.SH[[:space:]]+"?OPTIONS"?[[:space:]]*$/); next }
             inside' |
        grep -oE '(^|[^A-Za-z0-9_-])--[A-Za-z0-9][A-Za-z0-9_-]*' |
        grep -oE -- '--[A-Za-z0-9_-]+' | sort -u || true
}

# Fails the test when problems were recorded, listing every one.
report() {
    if ((${#problems[@]} > 0)); then
        fail "$(printf '%d disagreement(s) between --help and the docs:\n' ${#problems[@]}
                printf '  %s\n' "${problems[@]}")"
    fi
}

# --- tests -----------------------------------------------------------------

@test "every program has a man page and bash, zsh and fish completions" {
    need_programs
    local prog name file
    for prog in "${PROGRAMS[@]}"; do
        name=$(basename "$prog")
        while read -r file; do
            [[ -f $REPO/$file ]] || problems+=("$name: $file is missing")
        done < <(doc_files "$name")
    done
    report
}

@test "every long flag in --help is in the man page and every completion" {
    need_programs
    local prog name flag file
    for prog in "${PROGRAMS[@]}"; do
        name=$(basename "$prog")
        program_flags "$prog"
        [[ -n $FLAGS ]] || problems+=("$name: no long flags found in its --help")
        for flag in $FLAGS; do
            while read -r file; do
                [[ -f $REPO/$file ]] || continue   # reported by the test above
                mentions_flag "$REPO/$file" "$flag" ||
                    problems+=("$name: $flag is missing from $file")
            done < <(doc_files "$name")
        done
    done
    report
}

@test "every subcommand in --help is in the man page and every completion" {
    need_programs
    local prog name sub file
    for prog in "${PROGRAMS[@]}"; do
        name=$(basename "$prog")
        program_flags "$prog"
        for sub in $SUBCOMMANDS; do
            while read -r file; do
                [[ -f $REPO/$file ]] || continue
                mentions_subcommand "$REPO/$file" "$name" "$sub" ||
                    problems+=("$name: subcommand $sub is missing from $file")
            done < <(doc_files "$name")
        done
    done
    report
}

@test "every --flag in a man page's OPTIONS section exists in --help" {
    need_programs
    local prog name man flag documented
    for prog in "${PROGRAMS[@]}"; do
        name=$(basename "$prog")
        man=man/$name.1
        [[ -f $REPO/$man ]] || continue   # reported by the first test
        program_flags "$prog"
        documented=$(man_options_flags "$REPO/$man")
        [[ -n $documented ]] ||
            problems+=("$name: $man has no --flags in an OPTIONS section")
        for flag in $documented; do
            grep -qxF -- "$flag" <<<"$FLAGS" ||
                problems+=("$name: $man documents $flag, which its --help does not list")
        done
    done
    report
}

@test "the --help parser reads CLI11's layout" {
    local help='gafka benchmarks
Usage: gafka-bench [OPTIONS] SUBCOMMAND

Options:
  -h,--help                   Print this help message and exit
  --version                   Display program version information and exit
  -q,--quiet{false}           only --not-a-flag in the description
  -v,     --verbose           CLI11 2.4 aligns the long names
  --dir TEXT REQUIRED         a --not-a-flag-either
  --segment-bytes INT=134217728
                              --also-not-a-flag on a continuation line

SUBCOMMANDS:
  append                      append records
  recover                     time recovery
'
    run help_flags <<<"$help"
    assert_output $'--help\n--version\n--quiet\n--verbose\n--dir\n--segment-bytes'
    run help_subcommands <<<"$help"
    assert_output $'append\nrecover'
}
