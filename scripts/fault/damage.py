#!/usr/bin/env python3
"""Damages a partition log the way a crash can, never below the durable point.

    damage.py truncate|flip|garbage PARTITION_DIR DURABLE_OFFSET SEED

DURABLE_OFFSET is the highest acknowledged offset of the partition (-1 when
none): with --flush=always its batch was fsynced before the ack, so a crash
cannot take it. Only bytes after the end of that batch in the active segment
are touched, which is what a power cut can do to writes that were never
acknowledged:
  truncate  cut the active segment at a seeded point past the durable end
            (lost page-cache writes);
  flip      flip one byte of the last batch, if it lies past the durable end
            (a torn last write), else act as garbage;
  garbage   append 1..200 seeded bytes (a write that never completed).
Prints one JSON line saying what it did. Batch layout: man/gafka-wal.5
(length at byte 4, base_offset at 8, record_count at 48 of a 56-byte header).
"""
import glob
import json
import os
import random
import struct
import sys

HEADER = 56


def batches(path):
    """(start, end, base_offset, record_count) of each whole batch in a segment."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    while pos + HEADER <= len(data):
        length = struct.unpack_from("<I", data, pos + 4)[0]
        base = struct.unpack_from("<q", data, pos + 8)[0]
        count = struct.unpack_from("<i", data, pos + 48)[0]
        if length < HEADER or pos + length > len(data) or count < 1:
            break
        out.append((pos, pos + length, base, count))
        pos += length
    return out, len(data)


def main():
    mode, pdir, durable, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(seed)
    segments = sorted(glob.glob(os.path.join(pdir, "*.log")))
    if not segments:
        print(json.dumps({"mode": mode, "skipped": "no segment"}))
        return 0
    active = segments[-1]
    base_of_active = int(os.path.basename(active)[:-4])
    found, size = batches(active)
    durable_end = 0
    if durable >= base_of_active:
        for start, end, base, count in found:
            if base <= durable < base + count:
                durable_end = end
                break
        else:
            # The acknowledged batch is not whole in the file: never touch it.
            print(json.dumps({"mode": mode, "skipped": f"offset {durable} not found in {active}"}))
            return 0
    what = {"segment": active, "durable_end": durable_end, "size": size}
    if mode == "truncate" and size > durable_end:
        cut = rng.randint(durable_end, size - 1)
        os.truncate(active, cut)
        what.update(mode="truncate", to=cut)
    elif mode == "flip" and found and found[-1][0] >= durable_end:
        start, end = found[-1][0], found[-1][1]
        pos = rng.randrange(start, end)
        with open(active, "r+b") as f:
            f.seek(pos)
            b = f.read(1)
            f.seek(pos)
            f.write(bytes([b[0] ^ (1 << rng.randrange(8))]))
        what.update(mode="flip", at=pos)
    else:
        n = rng.randint(1, 200)
        with open(active, "ab") as f:
            f.write(bytes(rng.randrange(256) for _ in range(n)))
        what.update(mode="garbage", appended=n, asked=mode)
    print(json.dumps(what))
    return 0


if __name__ == "__main__":
    sys.exit(main())
