# Shared helpers for the bats tests of the gafka programs (STYLE.md "Tests").
#
#   load helpers
#
# sets BIN (the programs; GAFKA_BIN overrides the build directory), puts it
# first on PATH, loads bats-support and bats-assert, and provides small
# functions that write and damage real logs. Everything temporary lives in
# $BATS_TEST_TMPDIR, which bats removes after each test.

# shellcheck disable=SC2034  # BIN and REPO are used by the test files

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BIN=${GAFKA_BIN:-$REPO/build/bin}
PATH=$BIN:$PATH

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

# --- logs on disk ----------------------------------------------------------

# make_log DIR N [extra gafka-bench append args]
# Writes a partition log of N records into DIR with the library's own writer
# (gafka-bench append): by default one batch is 10 records of 64-byte values,
# so a batch is 936 bytes and files stay small. Extra arguments are passed on,
# e.g. `make_log D 50 --segment-bytes 2000` or `make_log D 30 --crash`; a
# --size or --batch-size among them replaces the default.
make_log() {
    local dir=$1 n=$2
    shift 2
    local defaults=()
    [[ " $* " == *" --size "* ]] || defaults+=(--size 64)
    [[ " $* " == *" --batch-size "* ]] || defaults+=(--batch-size 10)
    gafka-bench append --dir "$dir" --messages "$n" "${defaults[@]}" "$@" >/dev/null ||
        fail "gafka-bench append --dir $dir --messages $n ${defaults[*]} $* failed"
}

# seg0 DIR: the first segment file of the partition log in DIR.
seg0() {
    printf '%s/00000000000000000000.log\n' "$1"
}

# flip_byte FILE POS: xors the byte at POS with 0x40, in place.
flip_byte() {
    python3 - "$1" "$2" <<'EOF' || fail "flip_byte $1 $2 failed"
import sys
path, pos = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(pos)
    b = f.read(1)
    if len(b) != 1:
        sys.exit(f"{path}: no byte at {pos}")
    f.seek(pos)
    f.write(bytes([b[0] ^ 0x40]))
EOF
}

# file_size FILE: its size in bytes.
file_size() {
    stat -c %s "$1"
}

# --- brokers ---------------------------------------------------------------
# Broker helpers go here (later issues): start a gafka-broker on a free
# 127.0.0.1 port with its data dir in $BATS_TEST_TMPDIR, wait until it
# answers, and stop it in teardown() whatever the test did. Test files that
# start brokers will call the stop helper from their teardown().
