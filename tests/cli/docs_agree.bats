#!/usr/bin/env bats
# One check that keeps --help, the man pages and the shell completions in
# agreement (STYLE.md), for every gafka-* program in the build directory:
#
#   - every long flag that `PROG --help` (and `PROG SUB --help` for each
#     subcommand it lists) shows must appear in man/PROG.1,
#     completions/bash/PROG, completions/zsh/_PROG and
#     completions/fish/PROG.fish;
#   - every subcommand must appear in the same four files;
#   - every --flag named in the OPTIONS section of man/PROG.1, and every
#     --flag a completion offers, must exist in that --help output, and
#     every subcommand the man page's SYNOPSIS or a completion names must
#     be one --help lists, so the docs cannot promise what the program lacks;
#   - every man page has the sections a reader looks for (NAME, SYNOPSIS,
#     DESCRIPTION, OPTIONS, EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES,
#     SEE ALSO);
#   - man/gafka.7, the overview, names every program and every page, names
#     only pages that exist, and its OPTIONS only flags some program has.
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

# Long flags a completion file offers: every --word outside comments (in
# fish also `-l word` / `--long word`), minus quoting and `=`.
completion_flags() {
    local file=$1
    {
        grep -v '^[[:space:]]*#' "$file" | grep -oE -- '(^|[^A-Za-z0-9_-])--[A-Za-z0-9][A-Za-z0-9_-]*' |
            grep -oE -- '--[A-Za-z0-9_-]+'
        if [[ $file == *.fish ]]; then
            # `-l` is a long option only in a `complete` command (which may
            # go on over lines ending in `\`); elsewhere it is `set -l`.
            awk '{ line = line $0 } /\\$/ { sub(/\\$/, " ", line); next } { print line; line = "" }' "$file" |
                grep -E '^[[:space:]]*complete[[:space:]]' |
                grep -oE -- "(^|[[:space:]])(-l|--long-option|--long)[[:space:]=]+['\"]?[A-Za-z0-9][A-Za-z0-9_-]*" |
                sed -E "s/.*(-l|--long-option|--long)[[:space:]=]+['\"]?/--/"
        fi
    } | sort -u
}

# Subcommands a completion file offers, by each shell's convention here:
# bash `local subcommands='a b ...'`, zsh `subcommands=( 'a:what' ... )`,
# fish `set -l subcommands a b ...` (each may continue over lines).
completion_subcommands() {
    local file=$1
    case ${file##*/} in
        *.fish)
            awk '/^set -l subcommands / { inside = 1; sub(/^set -l subcommands /, "") }
                 inside { line = $0; sub(/\\$/, "", line); print line; if ($0 !~ /\\$/) inside = 0 }' "$file" |
                tr ' ' '\n'
            ;;
        _*)
            awk '/subcommands=\(/ { inside = 1; next } inside && /^[[:space:]]*\)/ { inside = 0 }
                 inside' "$file" | sed -nE "s/^[[:space:]]*'([A-Za-z0-9][A-Za-z0-9_-]*):.*/\1/p"
            ;;
        *)
            awk '/subcommands=\047/ { inside = 1; sub(/.*subcommands=\047/, "") }
                 inside { line = $0; last = (line ~ /\047/); sub(/\047.*/, "", line); print line; if (last) inside = 0 }' "$file" |
                tr ' ' '\n'
            ;;
    esac | sed '/^[[:space:]]*$/d' | sort -u
}

# Subcommands a man page's SYNOPSIS names as `PROG WORD` on a .B line.
man_synopsis_subcommands() {
    local file=$1 name=$2
    plain_text "$file" |
        awk '/^\.SH/ { inside = ($0 ~ /^\.SH[[:space:]]+"?SYNOPSIS"?[[:space:]]*$/); next } inside' |
        sed -nE "s/^\.B[[:space:]]+${name}[[:space:]]+([a-z][a-z0-9-]*)[[:space:]]*\$/\1/p" | sort -u
}

# The .SH headings of a man page, one per line, quotes removed.
man_sections() {
    sed -nE 's/^\.SH[[:space:]]+"?([^"]*)"?[[:space:]]*$/\1/p' "$1"
}

MAN_SECTIONS=(NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO")

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

@test "every --flag a completion offers exists in --help" {
    need_programs
    local prog name file flag
    for prog in "${PROGRAMS[@]}"; do
        name=$(basename "$prog")
        program_flags "$prog"
        while read -r file; do
            [[ $file == man/* || ! -f $REPO/$file ]] && continue
            for flag in $(completion_flags "$REPO/$file"); do
                grep -qxF -- "$flag" <<<"$FLAGS" ||
                    problems+=("$name: $file offers $flag, which its --help does not list")
            done
        done < <(doc_files "$name")
    done
    report
}

@test "every subcommand a man page's SYNOPSIS or a completion names exists in --help" {
    need_programs
    local prog name file sub found
    for prog in "${PROGRAMS[@]}"; do
        name=$(basename "$prog")
        program_flags "$prog"
        while read -r file; do
            [[ -f $REPO/$file ]] || continue
            if [[ $file == man/* ]]; then
                found=$(man_synopsis_subcommands "$REPO/$file" "$name")
            else
                found=$(completion_subcommands "$REPO/$file")
            fi
            for sub in $found; do
                grep -qxF -- "$sub" <<<"$SUBCOMMANDS" ||
                    problems+=("$name: $file names subcommand $sub, which its --help does not list")
            done
            # A program with subcommands needs its completions to offer them.
            if [[ -n $SUBCOMMANDS && $file == completions/* && -z $found ]]; then
                problems+=("$name: $file has no subcommands list (see completion_subcommands)")
            fi
        done < <(doc_files "$name")
    done
    report
}

@test "every man page has NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES, SEE ALSO" {
    need_programs
    local prog page section
    local pages=("$REPO/man/gafka.7")
    for prog in "${PROGRAMS[@]}"; do pages+=("$REPO/man/$(basename "$prog").1"); done
    for page in "${pages[@]}"; do
        [[ -f $page ]] || { problems+=("${page#"$REPO"/} is missing"); continue; }
        for section in "${MAN_SECTIONS[@]}"; do
            man_sections "$page" | grep -qxF -- "$section" ||
                problems+=("${page#"$REPO"/}: no $section section")
        done
    done
    report
}

@test "gafka.7 names every program and man page, and only pages that exist" {
    need_programs
    local overview=$REPO/man/gafka.7 prog name page ref
    [[ -f $overview ]] || fail "man/gafka.7 is missing"
    for prog in "${PROGRAMS[@]}"; do
        name=$(basename "$prog")
        plain_text "$overview" | grep -qE "(^|[^A-Za-z0-9_-])$name \\(1\\)" ||
            problems+=("man/gafka.7 does not refer to $name(1)")
    done
    for page in "$REPO"/man/gafka-*.[1-8]; do
        name=$(basename "$page")
        plain_text "$overview" | grep -qE "(^|[^A-Za-z0-9_-])${name%.*} \\(${name##*.}\\)" ||
            problems+=("man/gafka.7 does not refer to ${name%.*}(${name##*.})")
    done
    while read -r ref; do
        [[ -f $REPO/man/${ref% *}.${ref#* } ]] ||
            problems+=("man/gafka.7 refers to ${ref% *}(${ref#* }), but man/${ref% *}.${ref#* } does not exist")
    done < <(plain_text "$overview" | grep -oE 'gafka-[a-z0-9-]+ \([1-8]\)' | tr -d '()' | sort -u)
    report
}

@test "every --flag in gafka.7's OPTIONS exists in the --help of some program" {
    need_programs
    local prog all='' flag
    for prog in "${PROGRAMS[@]}"; do
        program_flags "$prog"
        all+=$'\n'$FLAGS
    done
    for flag in $(man_options_flags "$REPO/man/gafka.7"); do
        grep -qxF -- "$flag" <<<"$all" || problems+=("man/gafka.7 documents $flag, which no program's --help lists")
    done
    report
}

@test "the completion readers read each shell's subcommand list" {
    local d=$BATS_TEST_TMPDIR
    printf '%s\n' "    local subcommands='produce consume" "        e2e append'" "    local x='no'" >"$d/bash"
    run completion_subcommands "$d/bash"
    assert_output $'append\nconsume\ne2e\nproduce'
    printf '%s\n' "    subcommands=(" "      'create-topic:create a topic'" "      'list-topics:list'" "    )" "'x:y'" >"$d/_zsh"
    run completion_subcommands "$d/_zsh"
    assert_output $'create-topic\nlist-topics'
    printf '%s\n' "set -l subcommands a-b c \\" '    d' 'set -l other x' >"$d/f.fish"
    run completion_subcommands "$d/f.fish"
    assert_output $'a-b\nc\nd'
    printf '%s\n' "# --not-a-flag" "complete -c p -l from-beginning -d 'x --also'" "set -l args x" \
        "complete -c p -n 'y' \\" "    -l next-line" >"$d/g.fish"
    run completion_flags "$d/g.fish"
    assert_output $'--also\n--from-beginning\n--next-line'
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
