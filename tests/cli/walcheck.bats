#!/usr/bin/env bats
# gafka-walcheck against real partition logs written by the library (through
# gafka-bench append) and damaged the way disks and crashes damage them:
# flipped bytes, torn tails, zero-filled tails. See man/gafka-walcheck.1.

# `run --separate-stderr` sets $stderr.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers

setup() {
    P=$BATS_TEST_TMPDIR/p
}

# Sets BATCH to the size in bytes of one batch of the log in DIR, as
# walcheck itself reports it (every batch is the same size: same values).
batch_size_of() {
    run --separate-stderr gafka-walcheck "$1"
    assert_success
    BATCH=$(jq -r '.bytes / .batches' <<<"$output")
    [[ $BATCH =~ ^[0-9]+$ ]] || fail "uneven batches: $output"
}

# --- clean logs -------------------------------------------------------------

@test "a clean log exits 0 with one ok line whose offsets and counts are what was written" {
    make_log "$P" 30
    run --separate-stderr gafka-walcheck "$P"
    assert_success
    assert_equal "$stderr" ""
    assert_equal "${#lines[@]}" 1
    assert_equal "$(jq -c '{file, base_offset, first_offset, last_offset, batches, records, status}' <<<"$output")" \
        "{\"file\":\"$(seg0 "$P")\",\"base_offset\":0,\"first_offset\":0,\"last_offset\":29,\"batches\":3,\"records\":30,\"status\":\"ok\"}"
    assert_equal "$(jq '.bytes' <<<"$output")" "$(file_size "$(seg0 "$P")")"
    assert_equal "$(jq -c '[.topic, .partition, has("problem")]' <<<"$output")" '[null,null,false]'
}

@test "a single segment file can be checked on its own" {
    make_log "$P" 20
    run --separate-stderr gafka-walcheck "$(seg0 "$P")"
    assert_success
    assert_equal "$(jq -c '[.records, .status]' <<<"$output")" '[20,"ok"]'
}

@test "a data dir gives the topic and partition from the path" {
    make_log "$BATS_TEST_TMPDIR/data/topics/t/0" 20
    run --separate-stderr gafka-walcheck "$BATS_TEST_TMPDIR/data"
    assert_success
    assert_equal "${#lines[@]}" 1
    assert_equal "$(jq -c '[.topic, .partition, .records, .status]' <<<"$output")" '["t",0,20,"ok"]'
}

@test "a data dir with no segments yet is clean" {
    mkdir -p "$BATS_TEST_TMPDIR/data/topics"
    run --separate-stderr gafka-walcheck "$BATS_TEST_TMPDIR/data"
    assert_success
    assert_output ""
}

@test "a log of several segments gives one line per segment in offset order" {
    # 936-byte batches and 2000-byte segments: two batches per segment.
    make_log "$P" 50 --segment-bytes 2000
    run --separate-stderr gafka-walcheck "$P"
    assert_success
    assert_equal "${#lines[@]}" 3
    assert_equal "$(jq -c '[.base_offset, .first_offset, .last_offset, .records, .status]' <<<"$output")" \
        '[0,0,19,20,"ok"]
[20,20,39,20,"ok"]
[40,40,49,10,"ok"]'
}

# --- damage -----------------------------------------------------------------

@test "a flipped byte inside the second batch is corruption at that batch's position" {
    make_log "$P" 30
    batch_size_of "$P"
    flip_byte "$(seg0 "$P")" $((BATCH + 100))   # in the records, past the 61-byte header
    run --separate-stderr gafka-walcheck "$P"
    assert_failure 1
    assert_equal "$(jq -c '[.status, .problem.position, .problem.offset, .problem.reason]' <<<"$output")" \
        "[\"corrupt\",$BATCH,10,\"crc mismatch\"]"
    assert_equal "$(jq -c '[.batches, .records, .last_offset]' <<<"$output")" '[1,10,9]'
}

@test "a log cut a few bytes short is a torn tail" {
    make_log "$P" 30
    batch_size_of "$P"
    truncate -s -3 "$(seg0 "$P")"
    run --separate-stderr gafka-walcheck "$P"
    assert_failure 1
    assert_equal "$(jq -c '[.status, .problem.position, .problem.offset, .problem.reason, .records]' <<<"$output")" \
        "[\"torn_tail\",$((2 * BATCH)),20,\"truncated batch\",20]"
}

@test "damage at the end of a segment that is not the last is corruption, not a torn tail" {
    make_log "$P" 50 --segment-bytes 2000
    truncate -s -3 "$(seg0 "$P")"
    run --separate-stderr gafka-walcheck "$P"
    assert_failure 1
    assert_equal "$(jq -c '[.base_offset, .status]' <<<"$output")" '[0,"corrupt"]
[20,"ok"]
[40,"ok"]'
}

@test "--repair saves the cut bytes beside the segment, drops the index and leaves a clean log" {
    make_log "$P" 30
    batch_size_of "$P"
    local seg pos
    seg=$(seg0 "$P")
    pos=$((2 * BATCH))
    truncate -s -3 "$seg"
    tail -c +$((pos + 1)) "$seg" >"$BATS_TEST_TMPDIR/tail"
    [[ -f ${seg%.log}.idx ]] || fail "a closed log should have an index"

    run --separate-stderr gafka-walcheck --repair "$P"
    assert_failure 1
    assert_equal "$(jq -c '[.status, .repaired]' <<<"$output")" \
        "[\"torn_tail\",{\"cut_bytes\":$((BATCH - 3)),\"saved_to\":\"$seg.cut-$pos\"}]"
    assert_regex "$stderr" "repaired .*cut $((BATCH - 3)) bytes at position $pos"
    cmp "$BATS_TEST_TMPDIR/tail" "$seg.cut-$pos"
    assert_equal "$(file_size "$seg")" "$pos"
    [[ ! -e ${seg%.log}.idx ]] || fail "the index should be removed"

    run --separate-stderr gafka-walcheck "$P"
    assert_success
    assert_equal "$(jq -c '[.status, .records, .last_offset]' <<<"$output")" '["ok",20,19]'

    run --separate-stderr gafka-bench recover --dir "$P"
    assert_success
}

@test "--repair of corruption mid-segment cuts from the bad batch and keeps the valid batches after it in the saved file" {
    make_log "$P" 30
    batch_size_of "$P"
    local seg
    seg=$(seg0 "$P")
    flip_byte "$seg" $((BATCH + 100))
    tail -c +$((BATCH + 1)) "$seg" >"$BATS_TEST_TMPDIR/tail"

    run --separate-stderr gafka-walcheck --repair "$P"
    assert_failure 1
    assert_equal "$(jq -c '[.status, .repaired.cut_bytes]' <<<"$output")" "[\"corrupt\",$((2 * BATCH))]"
    cmp "$BATS_TEST_TMPDIR/tail" "$seg.cut-$BATCH"

    run --separate-stderr gafka-walcheck "$P"
    assert_success
    assert_equal "$(jq -c '[.status, .records]' <<<"$output")" '["ok",10]'
}

@test "a second --repair at the same position keeps the bytes the first one saved" {
    make_log "$P" 30
    batch_size_of "$P"
    local seg pos f first=false second=false
    seg=$(seg0 "$P")
    pos=$((2 * BATCH))
    truncate -s -3 "$seg"
    tail -c +$((pos + 1)) "$seg" >"$BATS_TEST_TMPDIR/first"
    run --separate-stderr gafka-walcheck --repair "$P"
    assert_failure 1
    # The broker dies again in the middle of writing the same batch.
    head -c 100 /dev/urandom >>"$seg"
    tail -c +$((pos + 1)) "$seg" >"$BATS_TEST_TMPDIR/second"
    run --separate-stderr gafka-walcheck --repair "$P"
    assert_failure 1
    for f in "$seg".cut-*; do
        cmp -s "$BATS_TEST_TMPDIR/first" "$f" && first=true
        cmp -s "$BATS_TEST_TMPDIR/second" "$f" && second=true
    done
    assert_equal "$first,$second" true,true
}

@test "a zero-filled tail is preallocated space: ok, exit 0, counted in preallocated_bytes" {
    make_log "$P" 30
    local size
    size=$(file_size "$(seg0 "$P")")
    head -c 4096 /dev/zero >>"$(seg0 "$P")"
    run --separate-stderr gafka-walcheck "$P"
    assert_success
    assert_equal "$stderr" ""
    assert_equal "$(jq -c '[.status, .records, .bytes, .preallocated_bytes, has("problem")]' <<<"$output")" \
        "[\"ok\",30,$((size + 4096)),4096,false]"
}

@test "a byte that is not zero after the zeros makes the tail torn again (reason zero-filled)" {
    make_log "$P" 30
    local size
    size=$(file_size "$(seg0 "$P")")
    { head -c 4096 /dev/zero; printf x; } >>"$(seg0 "$P")"
    run --separate-stderr gafka-walcheck "$P"
    assert_failure 1
    assert_equal "$(jq -c '[.status, .problem.position, .problem.reason, .records, has("preallocated_bytes")]' \
        <<<"$output")" "[\"torn_tail\",$size,\"zero-filled\",30,false]"
}

# --- --dump -----------------------------------------------------------------

@test "--dump prints every record as a JSON line with offsets in order" {
    make_log "$P" 30
    run --separate-stderr gafka-walcheck --dump "$P"
    assert_success
    assert_equal "$stderr" ""
    assert_equal "${#lines[@]}" 30
    # Every line is JSON on its own, with every field.
    local line
    for line in "${lines[@]}"; do
        jq -e 'has("topic") and has("partition") and has("offset") and has("timestamp") and has("key") and has("value")' \
            <<<"$line" >/dev/null || fail "bad record line: $line"
    done
    assert_equal "$(jq -s -c '[.[].offset] == [range(30)]' <<<"$output")" true
    assert_equal "$(jq -r -s '[.[].value | length] | unique | @csv' <<<"$output")" 64
}

@test "--dump of a data dir names the topic and partition of each record" {
    make_log "$BATS_TEST_TMPDIR/data/topics/t/0" 10
    run --separate-stderr gafka-walcheck --dump "$BATS_TEST_TMPDIR/data"
    assert_success
    assert_equal "$(jq -s -c '[.[] | [.topic, .partition]] | unique' <<<"$output")" '[["t",0]]'
}

@test "--dump of a corrupt log prints the records before the damage and exits 1" {
    make_log "$P" 30
    batch_size_of "$P"
    flip_byte "$(seg0 "$P")" $((BATCH + 100))
    run --separate-stderr gafka-walcheck --dump "$P"
    assert_failure 1
    assert_equal "$(jq -s -c '[.[].offset] == [range(10)]' <<<"$output")" true
    assert_regex "$stderr" "corrupt: crc mismatch at position $BATCH"
}

@test "--dump piped into head ends quietly" {
    # Megabytes of records, so walcheck is still writing when head leaves.
    make_log "$P" 20000
    # shellcheck disable=SC2016  # $1 is expanded by the inner bash
    run --separate-stderr bash -c 'set -o pipefail; gafka-walcheck --dump "$1" | head -1' _ "$P"
    assert_success
    assert_equal "$stderr" ""
    assert_equal "$(jq -r '.offset' <<<"$output")" 0
}

# --- --quiet ----------------------------------------------------------------

@test "--quiet prints nothing for a clean log and exits 0" {
    make_log "$P" 30
    run --separate-stderr gafka-walcheck --quiet "$P"
    assert_success
    assert_output ""
}

@test "--quiet prints nothing on stdout for a damaged log and exits 1" {
    make_log "$P" 30
    truncate -s -3 "$(seg0 "$P")"
    run --separate-stderr gafka-walcheck -q "$P"
    assert_failure 1
    assert_output ""
}

# --- usage and unreadable input ---------------------------------------------

@test "no PATH is a usage error" {
    run --separate-stderr gafka-walcheck
    assert_failure 2
    assert_output ""
    assert_regex "$stderr" "PATH"
}

@test "an unknown flag is a usage error" {
    make_log "$P" 10
    run --separate-stderr gafka-walcheck --no-such-flag "$P"
    assert_failure 2
    assert_regex "$stderr" "--no-such-flag"
}

@test "--help and --version exit 0" {
    run --separate-stderr gafka-walcheck --help
    assert_success
    assert_output --partial "--repair"
    run --separate-stderr gafka-walcheck --version
    assert_success
    assert_output --regexp '^gafka-walcheck [0-9]'
}

@test "a missing path exits 3" {
    run --separate-stderr gafka-walcheck "$BATS_TEST_TMPDIR/nope"
    assert_failure 3
    assert_output ""
    assert_regex "$stderr" "nope"
}

@test "a file that is not a .log segment exits 3" {
    echo hello >"$BATS_TEST_TMPDIR/notes.txt"
    run --separate-stderr gafka-walcheck "$BATS_TEST_TMPDIR/notes.txt"
    assert_failure 3
    assert_output ""
}

@test "an empty dir that is not a data dir exits 3" {
    mkdir "$BATS_TEST_TMPDIR/empty"
    run --separate-stderr gafka-walcheck "$BATS_TEST_TMPDIR/empty"
    assert_failure 3
    assert_output ""
}

@test "damage wins over an unreadable path in the exit status" {
    make_log "$P" 30
    truncate -s -3 "$(seg0 "$P")"
    run --separate-stderr gafka-walcheck "$BATS_TEST_TMPDIR/nope" "$P"
    assert_failure 1
    assert_equal "$(jq -r '.status' <<<"$output")" torn_tail
}

@test "a clean log and an unreadable path exit 3 and still check the log" {
    make_log "$P" 30
    run --separate-stderr gafka-walcheck "$P" "$BATS_TEST_TMPDIR/nope"
    assert_failure 3
    assert_equal "$(jq -r '.status' <<<"$output")" ok
}

@test "a missing middle segment is reported as a gap and exits 1" {
    make_log "$P" 50 --segment-bytes 2000
    rm "$P/00000000000000000020.log" "$P/00000000000000000020.idx"
    run --separate-stderr gafka-walcheck "$P"
    assert_failure 1
    assert_equal "$(jq -c 'select(.base_offset == 40) | [.status, .gap.from_offset, .gap.to_offset, .gap.explained_by_repair]' <<<"$output")" \
        '["gap",20,40,false]'
}

@test "the gap a repair leaves behind is reported but is not damage" {
    make_log "$P" 50 --segment-bytes 2000
    truncate -s -3 "$(seg0 "$P")"
    run --separate-stderr gafka-walcheck --repair "$P"
    assert_failure 1
    run --separate-stderr gafka-walcheck "$P"
    assert_success
    assert_equal "$(jq -c 'select(.base_offset == 20) | [.status, .gap.from_offset, .gap.explained_by_repair]' <<<"$output")" \
        '["ok",10,true]'
}

# --- --format nagios and prometheus (monitoring from cron) -------------------

# prom_value TEXT METRIC: the value of METRIC's one sample in TEXT.
prom_value() {
    awk -v m="$2" '$1 ~ "^"m"[{]" { print $2 }' <<<"$1"
}

# A minimal check of the Prometheus text format, for when promtool is not
# installed: HELP and TYPE before each metric's samples, and every sample
# `name{label="value"} number`.
check_prom_text() {
    awk '
        /^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/ { help[$3] = 1; next }
        /^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (gauge|counter)$/ { if (!help[$3]) exit 1; type[$3] = 1; next }
        /^[a-zA-Z_:][a-zA-Z0-9_:]*\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"\} -?[0-9]+(\.[0-9]+)?$/ {
            name = $0; sub(/\{.*/, "", name); if (!type[name]) exit 1; next
        }
        { exit 1 }' <<<"$1"
}

@test "--format nagios on a clean log prints one OK line with perfdata and exits 0" {
    make_log "$P" 30
    run --separate-stderr gafka-walcheck --format nagios "$P"
    assert_success
    assert_equal "$stderr" ""
    local size
    size=$(file_size "$(seg0 "$P")")
    assert_output "WALCHECK OK - 1 segment clean, 30 records, $size bytes in $P | segments=1;;;0 damaged_segments=0;;0;0 records=30;;;0 bytes=${size}B;;;0 unreadable=0;;;0"
}

@test "--format nagios on a damaged log is CRITICAL and exits 2" {
    make_log "$P" 30
    batch_size_of "$P"
    flip_byte "$(seg0 "$P")" $((BATCH + 100))
    run --separate-stderr gafka-walcheck --format nagios "$P"
    assert_failure 2
    assert_equal "${#lines[@]}" 1
    assert_output --regexp "^WALCHECK CRITICAL - 1 of 1 segment damaged: $(seg0 "$P") corrupt \(crc mismatch at position $BATCH\) \| .* damaged_segments=1;;0;0 "
}

@test "--format nagios on a path it cannot read is UNKNOWN and exits 3" {
    run --separate-stderr gafka-walcheck --format nagios "$BATS_TEST_TMPDIR/nope"
    assert_failure 3
    assert_output --regexp "^WALCHECK UNKNOWN - cannot read $BATS_TEST_TMPDIR/nope: .* \| segments=0;;;0 .* unreadable=1;;;0$"
}

@test "--format nagios with a usage error exits 2 and --dump is refused" {
    make_log "$P" 10
    run --separate-stderr gafka-walcheck --format nagios --dump "$P"
    assert_failure 2
    assert_output ""
    run --separate-stderr gafka-walcheck --format xml "$P"
    assert_failure 2
}

@test "--format prometheus writes every gauge per data dir and keeps the json exit codes" {
    make_log "$BATS_TEST_TMPDIR/data/topics/t/0" 30
    make_log "$BATS_TEST_TMPDIR/data/topics/t/1" 20
    run --separate-stderr gafka-walcheck --format prometheus "$BATS_TEST_TMPDIR/data"
    assert_success
    check_prom_text "$output" || fail "not Prometheus text format: $output"
    assert_equal "$(prom_value "$output" gafka_walcheck_segments)" 2
    assert_equal "$(prom_value "$output" gafka_walcheck_damaged_segments)" 0
    assert_equal "$(prom_value "$output" gafka_walcheck_records)" 50
    assert_equal "$(prom_value "$output" gafka_walcheck_unreadable)" 0
    assert_equal "$(prom_value "$output" gafka_walcheck_bytes)" \
        $(($(file_size "$(seg0 "$BATS_TEST_TMPDIR/data/topics/t/0")") + $(file_size "$(seg0 "$BATS_TEST_TMPDIR/data/topics/t/1")")))
    [[ $(prom_value "$output" gafka_walcheck_last_run_timestamp_seconds) =~ ^[1-9][0-9]{9}\.[0-9]{3}$ ]] ||
        fail "bad timestamp in: $output"
    assert_line "gafka_walcheck_segments{data_dir=\"$BATS_TEST_TMPDIR/data\"} 2"

    truncate -s -3 "$(seg0 "$BATS_TEST_TMPDIR/data/topics/t/1")"
    run --separate-stderr gafka-walcheck --format prometheus "$BATS_TEST_TMPDIR/data"
    assert_failure 1
    assert_equal "$(prom_value "$output" gafka_walcheck_damaged_segments)" 1
}

@test "--format prometheus output passes promtool check metrics" {
    local promtool
    promtool=$("$REPO/scripts/promtool.sh") || skip "no promtool: scripts/promtool.sh could not fetch it (apt unreachable?)"
    make_log "$BATS_TEST_TMPDIR/data/topics/t/0" 30
    run --separate-stderr bash -c "gafka-walcheck --format prometheus '$BATS_TEST_TMPDIR/data' '$BATS_TEST_TMPDIR/nope' | '$promtool' check metrics"
    assert_success
}
