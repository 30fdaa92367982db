#!/usr/bin/env python3
"""Unit tests of scripts/fault/checker.py: fed logs with one known fault
each (a lost, a duplicated, a reordered record, a gap, a damaged value, an
undelivered group record, a group consumer's duplicate, loss, reordering or
committed offset going down), it reports exactly that fault.

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
import group_check  # noqa: E402


class log_fixture(unittest.TestCase):
    """12 acknowledged records over 2 partitions, served and delivered as written."""

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

    def in_partition(self, p):
        return [r for r in self.records if r["partition"] == p]


class checker_test(log_fixture):
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


class group_check_test(log_fixture):
    """The group consumer's part (--consumer, --offset-samples, --committed)."""

    def consumer_run(self, consumer, samples=(), committed=()):
        pairs = [(self.write("in", self.inputs), self.write("acks", self.acks))]
        counts, examples, problems = checker.check(
            pairs, self.write("all", self.records), consumer_path=self.write("consumer", consumer),
            samples_path=self.write("samples", list(samples)), committed_path=self.write("committed", list(committed)))
        self.assertEqual(problems, [])
        return counts

    def consumer_faults(self, counts):
        keys = ["consumer_lost", "consumer_duplicates", "consumer_reordered", "consumer_mismatched",
                "offset_regressions", "offsets_disagree"]
        return {k: counts[k] for k in keys if counts.get(k)}

    def position(self):
        return {"0": len(self.in_partition(0)), "1": len(self.in_partition(1))}

    def test_a_consumer_that_wrote_every_record_once_in_order_passes(self):
        samples = [{"t": 1, "offsets": {"0": 1}}, {"t": 2, "offsets": {"0": 3, "1": 2}}]
        counts = self.consumer_run(self.group, samples, [{"source": "replica 1", "offsets": self.position()}])
        self.assertEqual(self.consumer_faults(counts), {})
        self.assertEqual((counts["consumer_records"], counts["offset_samples"]), (12, 2))
        self.assertTrue(checker.passed(counts))

    def test_a_record_written_twice_is_a_consumer_duplicate_and_fails(self):
        self.group.insert(4, dict(self.group[2]))
        counts = self.consumer_run(self.group)
        self.assertEqual(self.consumer_faults(counts), {"consumer_duplicates": 1})
        self.assertFalse(checker.passed(counts))

    def test_a_record_never_written_is_consumer_lost(self):
        self.group.pop(5)
        counts = self.consumer_run(self.group)
        self.assertEqual(self.consumer_faults(counts), {"consumer_lost": 1})

    def test_a_partition_written_out_of_offset_order_is_consumer_reordered(self):
        p1 = [i for i, r in enumerate(self.group) if r["partition"] == 1]
        self.group[p1[0]], self.group[p1[1]] = self.group[p1[1]], self.group[p1[0]]
        counts = self.consumer_run(self.group)
        self.assertEqual(self.consumer_faults(counts), {"consumer_reordered": 1})

    def test_a_record_other_than_the_logs_is_consumer_mismatched(self):
        p0 = [r for r in self.group if r["partition"] == 0]
        p0[0]["value"], p0[1]["value"] = p0[1]["value"], p0[0]["value"]
        counts = self.consumer_run(self.group)
        self.assertEqual(self.consumer_faults(counts), {"consumer_mismatched": 2})

    def test_a_committed_offset_going_down_between_samples_is_a_regression(self):
        samples = [{"t": 1, "broker": "a", "offsets": {"0": 3}}, {"t": 3, "broker": "b", "offsets": {"0": 2, "1": 1}},
                   {"t": 2, "broker": "a", "offsets": {"0": 4, "1": 1}}]
        counts = self.consumer_run(self.group, samples)
        # In time order: 3, 4, then 2 (partition 1 stays at 1).
        self.assertEqual(self.consumer_faults(counts), {"offset_regressions": 1})
        self.assertFalse(checker.passed(counts))

    def test_a_committed_offset_that_vanishes_is_a_regression(self):
        # The coordinator answered 404 unknown_group ({}), then listed partition 0 without one.
        samples = [{"t": 1, "offsets": {}}, {"t": 2, "offsets": {"0": 3, "1": None}}, {"t": 3, "offsets": {}},
                   {"t": 4, "offsets": {"0": None}}, {"t": 5, "offsets": {"0": 3}}]
        counts = self.consumer_run(self.group, samples)
        self.assertEqual(self.consumer_faults(counts), {"offset_regressions": 2})

    def test_a_partition_served_again_below_a_sampled_commit_is_a_regression(self):
        note = "gafka-consume: note: t/{} delivered again from offset {}, behind the {} already written"
        err = [{"t": 1.5, "line": note.format(0, 2, 3)}, {"t": 3, "line": note.format(1, 0, 4)},
               {"t": 4, "line": "gafka-consume: something else"}]
        samples = [{"t": 1, "offsets": {"0": 2, "1": 4}}, {"t": 2, "offsets": {"0": 3, "1": 4}}]
        pairs = [(self.write("in", self.inputs), self.write("acks", self.acks))]
        counts, _, problems = checker.check(
            pairs, self.write("all", self.records), consumer_path=self.write("consumer", self.group),
            samples_path=self.write("samples", samples), consumer_err_path=self.write("err", err))
        self.assertEqual(problems, [])
        # Partition 0 served from 2 before 3 was sampled: no regression; partition 1 from 0 after 4 was.
        self.assertEqual(self.consumer_faults(counts), {"offset_regressions": 1})
        self.assertEqual((counts["consumer_redelivered"], counts["consumer_redelivered_records"]), (2, 5))

    def test_committed_offsets_behind_the_consumers_position_disagree(self):
        behind = dict(self.position(), **{"1": 2})
        counts = self.consumer_run(self.group, committed=[{"source": "coordinator 1", "offsets": self.position()},
                                                          {"source": "replica 2", "offsets": behind}])
        self.assertEqual(self.consumer_faults(counts), {"offsets_disagree": 1})

    def test_a_replicas_offsets_are_its_last_commit_per_partition_in_log_order(self):
        def commit(offset, key, value):
            return {"topic": "__consumer_offsets", "partition": 0, "offset": offset, "key": key, "value": value}
        dump = [{"file": "x", "status": "ok"}, commit(2, "g\nt\n0", "7"), commit(0, "g\nt\n0", "5"),
                commit(1, "g\nt\n1", "4"), commit(3, "other\nt\n0", "9"), commit(4, "g\nu\n0", "3"),
                commit(5, "g\nt\n1", "-1"), commit(6, "g\nt\n2", "1"),
                {"topic": "t", "partition": 0, "offset": 9, "key": "g\nt\n2", "value": "8"}]
        self.assertEqual(group_check.committed_offsets(dump, "g", "t"), {"0": 7, "2": 1})


if __name__ == "__main__":
    unittest.main(verbosity=1)
