#!/usr/bin/env bats
# `cmake --install` with the prefix /usr into a staging dir (DESTDIR): every
# file lands where Debian expects it, the installed programs run from there
# (their RPATH finds the installed libgafka, no LD_LIBRARY_PATH), an
# installed broker serves a produce and a consume, and every installed man
# page renders without a warning. The .deb itself is built by
# scripts/package.sh from the same rules (not here: cpack may rebuild).

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

PROGRAMS=(gafka-admin gafka-bench gafka-broker gafka-consume gafka-produce gafka-walcheck)

# One staged install for the whole file (the unstripped build is large).
setup_file() {
    local build
    build=$(cd "$BIN/.." && pwd)
    [[ -f $build/CMakeCache.txt ]] || return 0   # each test skips
    DESTDIR=$BATS_FILE_TMPDIR/stage cmake --install "$build" --prefix /usr >"$BATS_FILE_TMPDIR/install.log" 2>&1 ||
        echo failed >"$BATS_FILE_TMPDIR/install.failed"
}

setup() {
    BUILD=$(cd "$BIN/.." && pwd)
    [[ -f $BUILD/CMakeCache.txt ]] || skip "no CMake build dir above $BIN"
    [[ ! -e $BATS_FILE_TMPDIR/install.failed ]] ||
        fail "cmake --install failed: $(cat "$BATS_FILE_TMPDIR/install.log")"
    STAGE=$BATS_FILE_TMPDIR/stage
    MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
}

teardown() {
    stop_all_brokers
}

@test "programs, library, man pages, completions and docs land where Debian expects them" {
    local missing=() f p
    for p in "${PROGRAMS[@]}"; do
        f=usr/bin/$p;                                        [[ -x $STAGE/$f ]] || missing+=("$f")
        f=usr/share/man/man1/$p.1;                           [[ -f $STAGE/$f ]] || missing+=("$f")
        f=usr/share/bash-completion/completions/$p;          [[ -f $STAGE/$f ]] || missing+=("$f")
        f=usr/share/zsh/vendor-completions/_$p;              [[ -f $STAGE/$f ]] || missing+=("$f")
        f=usr/share/fish/vendor_completions.d/$p.fish;       [[ -f $STAGE/$f ]] || missing+=("$f")
    done
    for f in "usr/lib/$MULTIARCH/libgafka.so.0" usr/share/man/man5/gafka-wal.5 usr/share/man/man7/gafka.7 \
        usr/share/doc/gafka/README.md usr/share/doc/gafka/operations.md usr/share/doc/gafka/api.md \
        usr/share/doc/gafka/examples/gafka-broker.service usr/share/doc/gafka/examples/gafka-broker@.service \
        usr/share/doc/gafka/examples/broker.toml; do
        [[ -e $STAGE/$f ]] || missing+=("$f")
    done
    for f in "$REPO"/examples/*.sh; do
        [[ -x $STAGE/usr/share/doc/gafka/examples/${f##*/} ]] || missing+=("usr/share/doc/gafka/examples/${f##*/}")
    done
    ((${#missing[@]} == 0)) || fail "not installed: ${missing[*]}"
    # Nothing outside /usr, and no development link without headers.
    run ls "$STAGE"
    assert_output usr
    [[ ! -e $STAGE/usr/lib/$MULTIARCH/libgafka.so ]] || fail "libgafka.so (a -dev link) is installed"
}

@test "the installed programs run from the staging dir and find the installed library" {
    local p
    for p in "${PROGRAMS[@]}"; do
        run --separate-stderr env -u LD_LIBRARY_PATH "$STAGE/usr/bin/$p" --version
        assert_success
        assert_output --regexp "^$p [0-9]+\.[0-9]+\.[0-9]+$"
    done
    run ldd "$STAGE/usr/bin/gafka-broker"
    assert_line --regexp "libgafka\.so\.0 => $STAGE/usr/bin/\.\./lib/$MULTIARCH/libgafka\.so\.0 "
}

@test "an installed broker serves a produce and a consume by the installed clients" {
    PATH=$STAGE/usr/bin:$PATH
    [[ $(command -v gafka-broker) == "$STAGE/usr/bin/gafka-broker" ]] || fail "not the installed gafka-broker"
    start_broker
    run --separate-stderr bash -c 'seq 1 3 | gafka-produce --topic installed --print-acks'
    assert_success
    assert_equal "${#lines[@]}" 3
    run --separate-stderr gafka-consume --topic installed --from-beginning --exit-at-end --format value
    assert_success
    assert_output $'1\n2\n3'
    stop_broker
    run --separate-stderr gafka-walcheck --format nagios "$BROKER_DATA"
    assert_success
    assert_output --regexp '^WALCHECK OK - [0-9]+ segments? clean, 3 records, '
}

@test "every installed man page renders without a warning" {
    local page count=0 warnings
    for page in "$STAGE"/usr/share/man/man[1-8]/*; do
        count=$((count + 1))
        warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
        [[ -z $warnings ]] || fail "${page#"$STAGE"/}: $warnings"
        [[ -n $(MANWIDTH=80 man -l "$page" 2>/dev/null) ]] || fail "${page#"$STAGE"/} renders empty"
    done
    ((count == ${#PROGRAMS[@]} + 2)) || fail "expected $((${#PROGRAMS[@]} + 2)) man pages, found $count"
}

@test "the installed systemd units verify, their man: links included (when systemd-analyze is present)" {
    command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
    local unit=$BATS_TEST_TMPDIR/gafka-broker.service
    sed "s|/usr/bin/gafka-broker|$STAGE/usr/bin/gafka-broker|" \
        "$STAGE/usr/share/doc/gafka/examples/gafka-broker.service" >"$unit"
    MANPATH=$STAGE/usr/share/man run systemd-analyze verify "$unit"
    assert_success
    assert_output ""
    # The template, as its instance 1.
    unit=$BATS_TEST_TMPDIR/gafka-broker@1.service
    sed "s|/usr/bin/gafka-broker|$STAGE/usr/bin/gafka-broker|" \
        "$STAGE/usr/share/doc/gafka/examples/gafka-broker@.service" >"$unit"
    MANPATH=$STAGE/usr/share/man run systemd-analyze verify "$unit"
    assert_success
    assert_output ""
}
