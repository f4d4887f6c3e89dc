"""PlacementEngine: instances given as Python values, placements, reasons
and explanations, tasks, determinism and lifetime."""

from __future__ import annotations

import collections
import unittest

import tests.support  # noqa: F401  (the sanitizer check)

import libecs
from libecs import errors

ZONE = "ecs.availability-zone"
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")


def fleet(engine: libecs.PlacementEngine, n: int = 6, cpu: int = 2048, memory: int = 4096) -> None:
    for i in range(n):
        engine.set_instance(
            f"i-{i}", cpu=cpu, memory=memory, ec2_instance_id=f"i-{i:017x}",
            attributes={ZONE: ZONES[i % 3], "stack": "prod" if i < 4 else "dev", "gpu-ready": None},
        )


class PlacementTest(unittest.TestCase):
    def setUp(self) -> None:
        self.engine = libecs.PlacementEngine(seed=1)
        self.addCleanup(self.engine.close)
        fleet(self.engine)

    def zone(self, instance_id: str) -> str:
        return ZONES[int(instance_id.split("-")[1]) % 3]

    def test_spread_over_zones_then_binpack(self) -> None:
        out = self.engine.place(
            count=6, cpu=256, memory=512, group="service:web",
            strategies=[("spread", "attribute:" + ZONE), ("binpack", "memory")],
            task_ids=[f"t{i}" for i in range(6)],
        )
        self.assertTrue(all(o["placed"] for o in out))
        self.assertEqual(collections.Counter(self.zone(o["instance_id"]) for o in out), {z: 2 for z in ZONES})
        # binpack memory: within a zone the second task joins the first one.
        self.assertEqual(len({o["instance_id"] for o in out}), 3)
        placed = out[0]["instance_id"]
        self.assertEqual(self.engine.remaining(placed)["running_tasks"], 2)
        self.assertEqual(self.engine.remaining(placed)["memory"], 4096 - 1024)

    def test_ecs_strategy_dicts_and_distinct_instance(self) -> None:
        out = self.engine.place(
            count=6, cpu=10, memory=10, distinct_instance=True,
            strategies=[{"type": "spread", "field": "instanceId"}],
        )
        self.assertEqual(sorted(o["instance_id"] for o in out), [f"i-{i}" for i in range(6)])
        # Without task ids nothing is recorded, but the tasks of one request
        # see each other: the seventh finds no instance free of the others.
        out = self.engine.place(count=7, cpu=10, memory=10, distinct_instance=True)
        self.assertEqual(sum(o["placed"] for o in out), 6)
        self.assertFalse(out[-1]["placed"])
        self.assertTrue(out[-1]["explanation"])
        # A dry run says where each task would go on its own.
        out = self.engine.place(count=7, cpu=10, memory=10, distinct_instance=True, dry_run=True)
        self.assertEqual(sum(o["placed"] for o in out), 7)

    def test_member_of_and_required_attributes(self) -> None:
        out = self.engine.place(count=8, cpu=10, memory=10, member_of=["attribute:stack == dev"])
        self.assertEqual({o["instance_id"] for o in out} <= {"i-4", "i-5"}, True)
        out = self.engine.place(count=2, cpu=10, memory=10, required_attributes=["gpu-ready"], dry_run=True)
        self.assertTrue(all(o["placed"] for o in out))
        out = self.engine.place(count=1, cpu=10, memory=10, required_attributes=["no-such"], dry_run=True)
        self.assertEqual(out[0]["reason"], "ATTRIBUTE")
        with self.assertRaises(errors.EcsParseError) as cm:
            self.engine.place(member_of=["attribute:stack =="])
        self.assertIn("column", str(cm.exception))

    def test_failure_reason_closest_and_explanation(self) -> None:
        self.engine.add_task("big", "i-5", cpu=100, memory=100)
        out = self.engine.place(count=2, cpu=3000, memory=100)
        for o in out:
            self.assertFalse(o["placed"])
            self.assertIsNone(o["instance_id"])
            self.assertEqual(o["reason"], "RESOURCE:CPU")
            self.assertIn(o["closest"], [f"i-{i}" for i in range(5)])
            self.assertTrue(o["explanation"])
        out = self.engine.place(count=1, cpu=10, memory=5000)
        self.assertEqual(out[0]["reason"], "RESOURCE:MEMORY")
        self.assertIn("memory", out[0]["explanation"].lower())

    def test_partial_success(self) -> None:
        out = self.engine.place(count=8, cpu=2048, memory=10)
        self.assertEqual([o["placed"] for o in out], [True] * 6 + [False] * 2)
        self.assertEqual(out[-1]["reason"], "RESOURCE:CPU")

    def test_ports(self) -> None:
        ports = self.engine.add_task("t", "i-0", cpu=1, memory=1, ports=[8080, 0, (53, "udp")])
        self.assertEqual(ports[0], 8080)
        self.assertTrue(49153 <= ports[1] <= 65535)
        self.assertEqual(ports[2], 53)
        out = self.engine.place(count=6, cpu=1, memory=1, ports=[8080], distinct_instance=False)
        self.assertEqual(sum(o["placed"] for o in out), 5)
        self.assertNotIn("i-0", [o["instance_id"] for o in out if o["placed"]])
        self.assertEqual(out[-1]["reason"], "RESOURCE:PORTS")
        self.assertEqual([o["ports"] for o in out if o["placed"]], [[8080]] * 5)

    def test_held_dynamic_ports(self) -> None:
        for i in range(120):
            self.engine.add_task(f"h{i}", "i-1", cpu=1, memory=1,
                                 ports=[{"port": 50000 + i, "dynamic": True}])
        with self.assertRaises(libecs.EcsError):
            self.engine.add_task("x", "i-1", cpu=1, memory=1,
                                 ports=[{"port": 50007, "dynamic": True}])
        self.assertEqual(self.engine.add_task("s", "i-1", cpu=1, memory=1, ports=[8080]), [8080])

    def test_tasks_and_instances(self) -> None:
        engine = self.engine
        self.assertEqual(len(engine), 6)
        engine.add_task("a", "i-1", cpu=1000, memory=1000, group="family:x")
        self.assertEqual(engine.remaining("i-1")["cpu"], 1048)
        with self.assertRaises(errors.EcsConflictError):
            engine.add_task("a", "i-1", cpu=1, memory=1)
        with self.assertRaises(errors.EcsConflictError):
            engine.add_task("b", "i-1", cpu=2000, memory=1)
        with self.assertRaises(errors.EcsNotFoundError):
            engine.add_task("c", "i-99", cpu=1, memory=1)
        engine.remove_task("a")
        self.assertEqual(engine.remaining("i-1")["cpu"], 2048)
        with self.assertRaises(errors.EcsNotFoundError):
            engine.remove_task("a")
        engine.set_instance("i-1", cpu=2048, memory=4096, active=False)
        out = engine.place(count=6, cpu=1, memory=1, distinct_instance=True, dry_run=True)
        self.assertNotIn("i-1", [o["instance_id"] for o in out])
        engine.remove_instance("i-1")
        self.assertEqual(engine.instance_count, 5)
        with self.assertRaises(LookupError):
            engine.remaining("i-1")
        engine.unset_attribute("i-0", "stack")
        out = engine.place(count=1, cpu=1, memory=1, member_of=["attribute:stack exists"], dry_run=True)
        self.assertNotEqual(out[0]["instance_id"], "i-0")

    def test_agent_disconnected(self) -> None:
        with libecs.PlacementEngine() as engine:
            engine.set_instance("only", cpu=1024, memory=1024, agent_connected=False)
            out = engine.place(count=1, cpu=1, memory=1)
            self.assertEqual(out[0]["reason"], "AGENT")
            self.assertEqual(out[0]["closest"], None if out[0]["closest"] is None else "only")

    def test_bad_requests(self) -> None:
        with self.assertRaises(ValueError):
            self.engine.place(count=0)
        with self.assertRaises(ValueError):
            self.engine.place(strategies=[("binpack", "disk")])
        with self.assertRaises(libecs.EcsError):
            self.engine.place(strategies=[("random",)] * 6)
        with self.assertRaises(ValueError):
            self.engine.place(count=2, task_ids=["only-one"])


class DeterminismTest(unittest.TestCase):
    def run_with(self, seed: int) -> list:
        with libecs.PlacementEngine(seed=seed) as engine:
            fleet(engine, n=12)
            return [o["instance_id"] for o in engine.place(
                count=20, cpu=64, memory=64, strategies=[("random",)], task_ids=[f"t{i}" for i in range(20)])]

    def test_same_seed_same_places(self) -> None:
        self.assertEqual(self.run_with(3), self.run_with(3))
        self.assertNotEqual(self.run_with(3), self.run_with(4))


class LifetimeTest(unittest.TestCase):
    def test_close(self) -> None:
        engine = libecs.PlacementEngine()
        engine.set_instance("i", cpu=1, memory=1)
        engine.close()
        engine.close()
        self.assertTrue(engine.closed)
        for call in (lambda: engine.place(), lambda: len(engine), lambda: engine.set_instance("j", cpu=1, memory=1),
                     lambda: engine.remove_task("x"), lambda: engine.remaining("i")):
            with self.assertRaises(libecs.ClosedError):
                call()

    def test_context_manager(self) -> None:
        with libecs.PlacementEngine() as engine:
            engine.set_instance("i", cpu=1, memory=1)
        self.assertTrue(engine.closed)


if __name__ == "__main__":
    unittest.main()
