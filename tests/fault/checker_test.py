#!/usr/bin/env python3
"""Unit tests of scripts/fault/checker.py: fed logs with one known fault
each (a lost, a duplicated, a reordered record, a gap, a damaged value, an
undelivered group record), it reports exactly that fault.

    python3 tests/fault/checker_test.py      (run by tests/cli/fault.bats)
"""
import json
import os
import random
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "fault"))
import checker  # noqa: E402


class checker_test(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        # 12 records over 2 partitions, all acknowledged, served as written.
        self.inputs = checker.workload(12, 2, "r", random.Random(1))
        self.acks, self.records = [], []
        ends = [0, 0]
        for line, text in enumerate(self.inputs, 1):
            rec = json.loads(text)
            p = rec["partition"]
            self.acks.append({"line": line, "partition": p, "offset": ends[p]})
            self.records.append({"topic": "t", "partition": p, "offset": ends[p], "value": rec["value"]})
            ends[p] += 1
        self.group = [dict(r) for r in self.records]

    def tearDown(self):
        self.dir.cleanup()

    def write(self, name, rows):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            for r in rows:
                f.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
        return path

    def run_checker(self, damage=None):
        pairs = [(self.write("in", self.inputs), self.write("acks", self.acks))]
        counts, _, problems = checker.check(pairs, self.write("all", self.records),
                                            [self.write("group", self.group)],
                                            self.write("damage", damage) if damage else None)
        self.assertEqual(problems, [])
        return counts

    def faults(self, counts):
        keys = ["lost", "lost_to_damage", "duplicates", "reordered", "gaps", "bad_checksum",
                "group_undelivered"]
        return {k: counts[k] for k in keys if counts[k]}

    def in_partition(self, p):
        return [r for r in self.records if r["partition"] == p]

    def test_a_clean_run_reports_nothing_and_passes(self):
        counts = self.run_checker()
        self.assertEqual(self.faults(counts), {})
        self.assertEqual(counts["acknowledged"], 12)
        self.assertTrue(checker.passed(counts))

    def test_a_lost_acknowledged_record_at_the_log_end_is_reported_as_lost(self):
        last = self.in_partition(0)[-1]
        self.records.remove(last)
        self.group.remove(last)
        counts = self.run_checker()
        self.assertEqual(self.faults(counts), {"lost": 1, "group_undelivered": 1})
        self.assertFalse(checker.passed(counts))

    def test_a_lost_record_in_the_middle_is_lost_and_a_gap(self):
        self.records.remove(self.in_partition(1)[2])
        counts = self.run_checker()
        self.assertEqual(self.faults(counts), {"lost": 1, "gaps": 1})

    def test_a_duplicated_record_is_reported_but_does_not_fail(self):
        p0 = self.in_partition(0)
        dup = dict(p0[1], offset=p0[-1]["offset"] + 1)
        self.records.append(dup)
        counts = self.run_checker()
        self.assertEqual(self.faults(counts), {"duplicates": 1})
        self.assertTrue(checker.passed(counts))
        self.assertFalse(checker.passed(counts, fail_on_duplicates=True))

    def test_two_swapped_records_are_reported_as_reordered(self):
        p1 = self.in_partition(1)
        a, b = p1[1], p1[2]
        a["offset"], b["offset"] = b["offset"], a["offset"]
        counts = self.run_checker()
        # Served out of input order, and each ack now names the other's offset.
        self.assertEqual(counts["reordered"], 1)
        self.assertEqual(counts["lost"], 2)
        self.assertFalse(checker.passed(counts))

    def test_acks_out_of_input_order_are_reordered(self):
        p0 = [a for a in self.acks if a["partition"] == 0]
        p0[0]["offset"], p0[1]["offset"] = p0[1]["offset"], p0[0]["offset"]
        p0_records = self.in_partition(0)
        p0_records[0]["offset"], p0_records[1]["offset"] = 1, 0
        counts = self.run_checker()
        self.assertEqual(counts["lost"], 0)
        self.assertGreaterEqual(counts["reordered"], 1)

    def test_a_record_served_with_a_flipped_byte_fails_its_checksum(self):
        r = self.in_partition(0)[2]
        v = r["value"]
        r["value"] = v[:5] + chr(ord(v[5]) ^ 1) + v[6:]
        counts = self.run_checker()
        self.assertEqual(counts["bad_checksum"], 1)
        self.assertFalse(checker.passed(counts))

    def test_a_record_the_group_never_delivered_is_reported(self):
        self.group.pop(3)
        counts = self.run_checker()
        self.assertEqual(self.faults(counts), {"group_undelivered": 1})

    def test_records_cut_after_deliberate_damage_are_lost_to_damage_not_lost(self):
        p1 = self.in_partition(1)
        cut_from = p1[2]["offset"]
        for r in p1[2:]:
            self.records.remove(r)
            self.group.remove(r)
        counts = self.run_checker(damage=[{"partition": 1, "from_offset": cut_from}])
        self.assertEqual(self.faults(counts), {"lost_to_damage": len(p1) - 2})
        self.assertTrue(checker.passed(counts))

    def test_an_unacknowledged_record_may_be_missing(self):
        last = self.inputs.index(json.dumps(
            {"partition": 0, "value": self.in_partition(0)[-1]["value"]}, separators=(",", ":")))
        self.acks = [a for a in self.acks if a["line"] != last + 1]
        self.records.remove(self.in_partition(0)[-1])
        counts = self.run_checker()
        self.assertEqual(self.faults(counts), {})

    def test_the_command_line_prints_counts_and_exits_1_on_a_loss(self):
        self.records.pop()
        args = ["--produced", self.write("in", self.inputs), self.write("acks", self.acks),
                "--records", self.write("all", self.records)]
        self.assertEqual(checker.main(args), 1)


if __name__ == "__main__":
    unittest.main(verbosity=1)
