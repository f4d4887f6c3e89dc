"""100,000 calls through the binding do not grow the resident memory."""

from __future__ import annotations

import gc
import os
import time
import unittest

from tests.support import register_instance

import libecs

STATM = "/proc/self/statm"
CALLS = 100_000
TOLERANCE = 2 * 1024 * 1024  # bytes


def resident_bytes() -> int:
    with open(STATM) as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@unittest.skipUnless(os.path.exists(STATM), "no /proc/self/statm on this system: memory test skipped")
class MemoryTest(unittest.TestCase):
    def test_no_growth_over_100000_calls(self) -> None:
        with libecs.ControlPlane() as ecs:
            ecs.create_cluster(clusterName="demo")
            register_instance(ecs, "demo", 1, "us-east-1a")
            call = ecs.describe_clusters

            def loop(n: int) -> None:
                for _ in range(n):
                    r = call(clusters=["demo", "nope"])
                assert r["clusters"][0]["registeredContainerInstancesCount"] == 1

            loop(5_000)  # warm-up: allocator pools, caches
            try:
                ecs.delete_cluster(cluster="nope")
            except ecs.exceptions.ClusterNotFoundException:
                pass
            gc.collect()
            before = resident_bytes()
            start = time.monotonic()
            loop(CALLS)
            for _ in range(1_000):  # the error path too
                try:
                    ecs.delete_cluster(cluster="nope")
                except ecs.exceptions.ClusterNotFoundException:
                    pass
            elapsed = time.monotonic() - start
            gc.collect()
            growth = resident_bytes() - before
        self.assertLess(growth, TOLERANCE, f"resident memory grew by {growth} bytes over {CALLS} calls")
        print(f"\n  ({CALLS} calls in {elapsed:.1f} s, resident growth {growth} bytes)", end=" ")

    def test_planes_and_engines_made_and_freed(self) -> None:
        def cycle(n: int) -> None:
            for _ in range(n):
                with libecs.ControlPlane() as ecs:
                    ecs.create_cluster(clusterName="x")
                with libecs.PlacementEngine() as engine:
                    engine.set_instance("i-1", cpu=1024, memory=1024)
                    engine.place(count=2, cpu=10, memory=10)

        cycle(300)
        gc.collect()
        before = resident_bytes()
        cycle(3_000)
        gc.collect()
        growth = resident_bytes() - before
        self.assertLess(growth, TOLERANCE, f"resident memory grew by {growth} bytes")


if __name__ == "__main__":
    unittest.main()
