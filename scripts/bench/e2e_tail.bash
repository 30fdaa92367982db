# scripts/bench/e2e_tail.bash: the e2e step's account of its tail (issue
# #20, point 2), sourced by scripts/bench/run (its row, field and TMP).
#
# A record produced while its partition's fsync stalls for D ms waits for
# the rest of that fsync: records arriving in the first D - T ms of the
# stall take longer than T ms end to end. So the share of the records over
# T that the disk's own stalls explain is sum(max(0, D - T)) over the
# fsyncs of the run, divided by (partitions x run time). The broker's
# gafka_fsync_duration_seconds histogram, read before and after the run,
# gives each fsync's D within its bucket, so the account is a range: from
# the buckets' lower bounds to their upper bounds. What the records over
# T exceed that range by is not the disk's: the broker's own scheduling,
# the client's, or the machine's (printed as "not disk +SHARE"). Then fio, alone on the same disk, does fdatasyncs
# of 4 KiB writes at the rate the broker fsynced: the disk's tail with no
# broker at all.

# The fsync histogram's cumulative buckets, "LE COUNT" a line (LE in s).
fsync_buckets() {
    curl -sf "http://$BROKER/metrics" |
        sed -n 's/^gafka_fsync_duration_seconds_bucket{le="\([^"]*\)"} \([0-9]*\)$/\1 \2/p'
}

# e2e_tail_rows BEFORE AFTER PARTITIONS SECONDS: rows for T = 5 and 15 ms
# from the e2e summary (field e2e) and the two bucket snapshots (files).
e2e_tail_rows() {
    local before=$1 after=$2 parts=$3 secs=$4 samples t over share fsyncs range
    samples=$(field e2e .samples)
    # Per-bucket counts of the run: (lo, hi] seconds and how many fsyncs.
    paste "$before" "$after" | awk '{ n = $4 - $2; c = n - prev; prev = n; print lo, $1, c; lo = $1 }
        BEGIN { lo = 0 }' >"$TMP/fsync_run"
    fsyncs=$(awk '{ s += $3 } END { print s + 0 }' "$TMP/fsync_run")
    row "e2e fsyncs during the run: all / over 10 ms / over 25 ms" "reference" "$fsyncs / $(awk '
        $1 >= 0.01 { a += $3 } $1 >= 0.025 { b += $3 } END { print a + 0 " / " b + 0 }' "$TMP/fsync_run")" "-"
    for t in 5 15; do
        over=$(field e2e ".over_${t}ms")
        share=$(awk -v o="$over" -v n="$samples" 'BEGIN { printf "%.3f", n ? 100 * o / n : 0 }')
        range=$(awk -v t="$t" -v p="$parts" -v s="$secs" '
            { lo = $1 * 1000; hi = ($2 == "+Inf") ? lo : $2 * 1000
              if (lo > t) low += $3 * (lo - t); if (hi > t) high += $3 * (hi - t) }
            END { d = p * s * 1000; printf "%.3f %.3f", 100 * low / d, 100 * high / d }' "$TMP/fsync_run")
        row "e2e records over $t ms: share of all (%)" "reference" "$share ($over of $samples)" "-"
        row "  explained by fsync stalls over $t ms (%)" "reference" "${range% *}-${range#* }" \
            "$(awk -v s="$share" -v h="${range#* }" 'BEGIN { print (s <= h) ? "disk" : "not disk +" sprintf("%.3f", s - h) }')"
    done
    fio_tail_row "$(awk -v n="$fsyncs" -v s="$secs" 'BEGIN { printf "%d", (n / s > 1) ? n / s : 1 }')"
}

# fio_tail_row RATE: fio's fdatasync latency, 4 KiB writes at RATE a second
# for 30 s (3 s with --quick), alone on the disk of the broker's data dir.
fio_tail_row() {
    local rate=$1 out
    command -v fio >/dev/null || { row "fio fdatasync alone, p99 / p99.9 / max (ms)" "reference" "no fio" "-"; return; }
    echo "run: fio fdatasync after each 4 KiB write, $rate a second, alone, in $TMP" >&2
    if ! out=$(fio --name=synctail --directory="$TMP" --rw=write --bs=4k --size=256M --fdatasync=1 \
        --ioengine=psync --rate_iops="$rate" --runtime=$((30 / SCALE)) --time_based --output-format=json \
        2>"$TMP/fio_tail.err"); then
        echo "run: fio failed: $(cat "$TMP/fio_tail.err")" >&2
        row "fio fdatasync alone, p99 / p99.9 / max (ms)" "reference" "error" "-"
        return
    fi
    rm -f "$TMP"/synctail.*
    row "fio fdatasync alone at $rate/s, p99 / p99.9 / max (ms)" "reference" "$(jq -r '.jobs[0].sync.lat_ns |
        [.percentile["99.000000"], .percentile["99.900000"], .max] | map(. / 1e6 * 100 | round / 100) |
        join(" / ")' <<<"$out")" "-"
}
