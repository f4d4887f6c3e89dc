"""Services, task lifecycles, the step function and boto3's waiters."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import pickle
import unittest
from typing import Any, Dict, List

from tests.support import SHARED_DIR, WEB_TASKDEF, register_instance

import libecs
from libecs import errors

ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
WAITERS_MODEL = os.path.join(SHARED_DIR, "reference", "ecs-2014-11-13.waiters2.json")


def make_plane(simulated_agents: bool = True, instances: int = 3) -> libecs.ControlPlane:
    ecs = libecs.ControlPlane(seed=11, simulated_agents=simulated_agents)
    ecs.create_cluster(clusterName="demo")
    for i in range(instances):
        register_instance(ecs, "demo", i, ZONES[i % 3])
    ecs.register_task_definition(**copy.deepcopy(WEB_TASKDEF))
    return ecs


def statuses(ecs: libecs.ControlPlane, tasks: List[str]) -> List[str]:
    described = ecs.describe_tasks(cluster="demo", tasks=tasks)["tasks"]
    by_arn = {t["taskArn"]: t["lastStatus"] for t in described}
    return [by_arn[t] for t in tasks]


class SimulatedAgentsTest(unittest.TestCase):
    def test_tasks_run_by_themselves(self) -> None:
        with make_plane() as ecs:
            self.assertTrue(ecs.simulated_agents)
            run = ecs.run_task(cluster="demo", taskDefinition="web", count=2)
            arns = [t["taskArn"] for t in run["tasks"]]
            self.assertEqual(statuses(ecs, arns), ["PROVISIONING"] * 2)
            # The orders are still handed out (the simulated agent carries them out).
            orders = ecs.step()
            self.assertEqual(sorted(o["taskArn"] for o in orders), sorted(arns))
            self.assertEqual({o["order"] for o in orders}, {"START"})
            ecs.step(2)
            self.assertEqual(statuses(ecs, arns), ["PENDING"] * 2)
            ecs.step(3)
            self.assertEqual(statuses(ecs, arns), ["RUNNING"] * 2)
            ecs.stop_task(cluster="demo", task=arns[0])
            self.assertEqual(ecs.step(), [{
                "order": "STOP",
                "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/demo",
                "taskArn": arns[0],
                "containerInstanceArn": run["tasks"][0]["containerInstanceArn"],
            }])
            ecs.step(2)
            self.assertEqual(statuses(ecs, arns), ["STOPPED", "RUNNING"])

    def test_fail_start_label_fails_tasks_running(self) -> None:
        with make_plane() as ecs:
            bad = copy.deepcopy(WEB_TASKDEF)
            bad["family"] = "broken"
            bad["containerDefinitions"][0]["dockerLabels"] = {"libecs.sim.fail-start": "CannotPullContainerError"}
            ecs.register_task_definition(**bad)
            arns = [t["taskArn"] for t in ecs.run_task(cluster="demo", taskDefinition="broken")["tasks"]]
            start = ecs.now
            with self.assertRaises(libecs.WaiterError) as cm:
                ecs.get_waiter("tasks_running").wait(cluster="demo", tasks=arns, WaiterConfig={"Delay": 2})
            e = cm.exception
            self.assertEqual(
                str(e),
                'Waiter TasksRunning failed: Waiter encountered a terminal failure state: For expression '
                '"tasks[].lastStatus" we matched expected path: "STOPPED" at least once',
            )
            task = e.last_response["tasks"][0]
            self.assertEqual((task["lastStatus"], task["stopCode"]), ("STOPPED", "TaskFailedToStart"))
            self.assertEqual(task["stoppedReason"], "CannotPullContainerError")
            self.assertEqual((ecs.now - start).total_seconds() % 2, 0)

    def test_submit_container_health(self) -> None:
        with make_plane() as ecs:
            checked = copy.deepcopy(WEB_TASKDEF)
            checked["family"] = "checked"
            checked["containerDefinitions"][0]["healthCheck"] = {
                "command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], "interval": 30}
            ecs.register_task_definition(**checked)
            arn = ecs.run_task(cluster="demo", taskDefinition="checked")["tasks"][0]["taskArn"]
            ecs.get_waiter("tasks_running").wait(cluster="demo", tasks=[arn], WaiterConfig={"Delay": 1})
            ecs.submit_container_health(cluster="demo", task=arn, containerName="nginx", healthStatus="UNHEALTHY")
            task = ecs.describe_tasks(cluster="demo", tasks=[arn])["tasks"][0]
            self.assertEqual(task["healthStatus"], "UNHEALTHY")
            self.assertEqual(task["containers"][0]["healthStatus"], "UNHEALTHY")


class ManualAgentsTest(unittest.TestCase):
    """simulated_agents=False: the host is the agent."""

    def setUp(self) -> None:
        self.ecs = make_plane(simulated_agents=False)
        self.addCleanup(self.ecs.close)

    def test_orders_and_reports(self) -> None:
        ecs = self.ecs
        self.assertFalse(ecs.simulated_agents)
        run = ecs.run_task(cluster="demo", taskDefinition="web", count=2)
        arns = [t["taskArn"] for t in run["tasks"]]
        orders = ecs.step()
        self.assertEqual(orders, [
            {
                "order": "START",
                "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/demo",
                "taskArn": t["taskArn"],
                "containerInstanceArn": t["containerInstanceArn"],
            }
            for t in run["tasks"]
        ])
        self.assertEqual(ecs.step(), [])  # each order once
        ecs.step(60)
        self.assertEqual(statuses(ecs, arns), ["PROVISIONING"] * 2)  # nobody runs them
        ack = ecs.submit_task_state_change(cluster="demo", task=arns[0], status="RUNNING")
        self.assertIn("acknowledgment", ack)
        self.assertEqual(statuses(ecs, arns), ["RUNNING", "PROVISIONING"])
        # A report that would move the task backwards is refused.
        with self.assertRaises(ecs.exceptions.ClientException):
            ecs.submit_task_state_change(cluster="demo", task=arns[0], status="PENDING")
        # Stop: the order, then the agent's report.
        ecs.stop_task(cluster="demo", task=arns[0], reason="done")
        self.assertEqual([(o["order"], o["taskArn"]) for o in ecs.step(1)], [("STOP", arns[0])])
        self.assertEqual(statuses(ecs, arns)[0], "RUNNING")
        ecs.submit_container_state_change(
            cluster="demo", task=arns[0], containerName="nginx", status="STOPPED", exitCode=0)
        ecs.submit_task_state_change(cluster="demo", task=arns[0], status="STOPPED", reason="done")
        ecs.get_waiter("tasks_stopped").wait(cluster="demo", tasks=[arns[0]])
        task = ecs.describe_tasks(cluster="demo", tasks=[arns[0]])["tasks"][0]
        self.assertEqual((task["lastStatus"], task["stopCode"]), ("STOPPED", "UserInitiated"))

    def test_fargate_orders_have_no_instance(self) -> None:
        ecs = self.ecs
        ecs.register_subnets(subnets=[{"subnetId": "subnet-a", "availabilityZone": "us-east-1a"}])
        ecs.register_task_definition(
            family="api", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
            containerDefinitions=[{"name": "api", "image": "api:1", "essential": True}])
        run = ecs.run_task(cluster="demo", taskDefinition="api", launchType="FARGATE",
                           networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-a"]}})
        orders = ecs.step()
        self.assertEqual(orders, [{
            "order": "START",
            "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/demo",
            "taskArn": run["tasks"][0]["taskArn"],
        }])

    def test_waiter_times_out_and_keeps_the_orders(self) -> None:
        ecs = self.ecs
        ecs.create_service(cluster="demo", serviceName="web", taskDefinition="web", desiredCount=1)
        start = ecs.now
        with self.assertRaises(libecs.WaiterError) as cm:
            ecs.get_waiter("services_stable").wait(
                cluster="demo", services=["web"], WaiterConfig={"Delay": 10, "MaxAttempts": 4})
        e = cm.exception
        self.assertIsInstance(e, errors.WaiterError)
        self.assertEqual(str(e), "Waiter ServicesStable failed: Max attempts exceeded")
        self.assertEqual(e.name, "ServicesStable")
        self.assertEqual(e.kwargs, {"name": "ServicesStable", "reason": "Max attempts exceeded"})
        service = e.last_response["services"][0]
        self.assertEqual((service["desiredCount"], service["runningCount"]), (1, 0))
        # As botocore: a pause between attempts, none after the last.
        self.assertEqual(ecs.now - start, dt.timedelta(seconds=10 * (4 - 1)))
        # The START order the waiter's steps gave is kept for the host.
        orders = ecs.step()
        self.assertEqual([o["order"] for o in orders], ["START"])
        task = ecs.list_tasks(cluster="demo", serviceName="web")["taskArns"][0]
        self.assertEqual(orders[0]["taskArn"], task)
        ecs.submit_task_state_change(cluster="demo", task=task, status="RUNNING")
        ecs.get_waiter("services_stable").wait(cluster="demo", services=["web"])
        self.assertEqual(ecs.now, start + dt.timedelta(seconds=30))  # succeeded at the first attempt
        again = pickle.loads(pickle.dumps(e))
        self.assertEqual((type(again), str(again)), (type(e), str(e)))


class WaiterTest(unittest.TestCase):
    def setUp(self) -> None:
        self.ecs = make_plane()
        self.addCleanup(self.ecs.close)

    def test_names_and_config(self) -> None:
        ecs = self.ecs
        self.assertEqual(ecs.waiter_names, ["services_inactive", "services_stable", "tasks_running", "tasks_stopped"])
        waiter = ecs.get_waiter("services_stable")
        self.assertEqual((waiter.name, waiter.config.operation), ("ServicesStable", "DescribeServices"))
        self.assertEqual((waiter.config.delay, waiter.config.max_attempts), (15, 40))
        tasks = ecs.get_waiter("tasks_running")
        self.assertEqual((tasks.config.delay, tasks.config.max_attempts), (6, 100))
        with self.assertRaises(ValueError) as cm:
            ecs.get_waiter("cluster_active")
        self.assertEqual(str(cm.exception), "Waiter does not exist: cluster_active")
        for config in ({"Delay": -1}, {"MaxAttempts": 0}, {"Delay": "5"}, {"Sleep": 1}):
            with self.assertRaises(ValueError):
                waiter.wait(cluster="demo", services=["x"], WaiterConfig=config)

    @unittest.skipUnless(os.path.isfile(WAITERS_MODEL), "the ECS waiters model is absent")
    def test_acceptors_are_the_models(self) -> None:
        from libecs._model import WAITERS

        with open(WAITERS_MODEL, encoding="utf-8") as f:
            model = json.load(f)["waiters"]
        self.assertEqual(sorted(model), sorted(WAITERS))
        for name, spec in model.items():
            operation, delay, attempts, acceptors = WAITERS[name]
            self.assertEqual((operation, delay, attempts), (spec["operation"], spec["delay"], spec["maxAttempts"]))
            self.assertEqual(
                [tuple(a) for a in acceptors],
                [(a["state"], a["matcher"], a["argument"], a["expected"]) for a in spec["acceptors"]],
            )

    def test_missing_service_fails(self) -> None:
        with self.assertRaises(libecs.WaiterError) as cm:
            self.ecs.get_waiter("services_stable").wait(cluster="demo", services=["nope"])
        self.assertEqual(
            str(cm.exception),
            'Waiter ServicesStable failed: Waiter encountered a terminal failure state: For expression '
            '"failures[].reason" we matched expected path: "MISSING" at least once',
        )
        self.assertEqual(cm.exception.last_response["failures"][0]["reason"], "MISSING")

    def test_error_response_fails(self) -> None:
        start = self.ecs.now
        with self.assertRaises(libecs.WaiterError) as cm:
            self.ecs.get_waiter("tasks_stopped").wait(cluster="nope", tasks=["t"])
        e = cm.exception
        self.assertTrue(str(e).startswith(
            "Waiter TasksStopped failed: An error occurred (ClusterNotFoundException): "), str(e))
        self.assertEqual(e.last_response["Error"]["Code"], "ClusterNotFoundException")
        self.assertEqual(self.ecs.now, start)

    def test_draining_service_fails_stable_and_reaches_inactive(self) -> None:
        ecs = self.ecs
        ecs.create_service(cluster="demo", serviceName="web", taskDefinition="web", desiredCount=3)
        ecs.get_waiter("services_stable").wait(cluster="demo", services=["web"])
        ecs.delete_service(cluster="demo", service="web", force=True)
        with self.assertRaises(libecs.WaiterError) as cm:
            ecs.get_waiter("services_stable").wait(cluster="demo", services=["web"])
        self.assertIn('"services[].status" we matched expected path: "DRAINING"', str(cm.exception))
        ecs.get_waiter("services_inactive").wait(cluster="demo", services=["web"], WaiterConfig={"Delay": 1})
        service = ecs.describe_services(cluster="demo", services=["web"])["services"][0]
        self.assertEqual(service["status"], "INACTIVE")
        tasks = ecs.list_tasks(cluster="demo", desiredStatus="STOPPED")["taskArns"]
        self.assertEqual(len(tasks), 3)

    def test_stable_over_several_services(self) -> None:
        ecs = self.ecs
        for name, count in (("a", 1), ("b", 2)):
            ecs.create_service(cluster="demo", serviceName=name, taskDefinition="web", desiredCount=count)
        start = ecs.now
        ecs.get_waiter("services_stable").wait(cluster="demo", services=["a", "b"], WaiterConfig={"Delay": 2})
        services = ecs.describe_services(cluster="demo", services=["a", "b"])["services"]
        self.assertEqual([s["runningCount"] for s in services], [1, 2])
        # RUNNING about 5 s after placement: three pauses of 2 s.
        self.assertEqual(ecs.now - start, dt.timedelta(seconds=6))


class StepTest(unittest.TestCase):
    def test_step_and_the_other_clocks(self) -> None:
        with make_plane(simulated_agents=False) as ecs:
            start = ecs.now
            self.assertEqual(ecs.step(), [])
            self.assertEqual(ecs.now, start)
            ecs.step(1.5)
            self.assertEqual(ecs.now, start + dt.timedelta(seconds=1.5))
            for bad in (-1, "1", True, float("nan")):
                with self.assertRaises(ValueError):
                    ecs.step(bad)  # type: ignore[arg-type]
            # advance_time and set_time drop the orders.
            ecs.run_task(cluster="demo", taskDefinition="web")
            ecs.advance_time(1)
            self.assertEqual(ecs.step(), [])
            ecs.run_task(cluster="demo", taskDefinition="web")
            ecs.set_time(ecs.now + dt.timedelta(seconds=1))
            self.assertEqual(ecs.step(), [])
        with self.assertRaises(libecs.ClosedError):
            ecs.step()

    def test_lenient_with_agents(self) -> None:
        with libecs.ControlPlane(lenient=True, simulated_agents=True) as ecs:
            td = ecs.register_task_definition(**copy.deepcopy(WEB_TASKDEF))
            pasted: Dict[str, Any] = json.loads(json.dumps(td, default=str))
            pasted.pop("ResponseMetadata")
            self.assertEqual(ecs.register_task_definition(**pasted)["taskDefinition"]["revision"], 2)


if __name__ == "__main__":
    unittest.main()


class SnapshotTest(unittest.TestCase):
    """snapshot() and ControlPlane.restore(): a restored plane answers as the
    original does, mid-rollout included; damaged documents are refused."""

    def test_restored_plane_answers_like_the_original(self) -> None:
        ecs = make_plane()
        ecs.create_service(cluster="demo", serviceName="web", taskDefinition="web", desiredCount=3)
        ecs.step(60)
        web2 = copy.deepcopy(WEB_TASKDEF)
        web2["containerDefinitions"][0]["image"] += "-v2"
        rev2 = ecs.register_task_definition(**web2)["taskDefinition"]["taskDefinitionArn"]
        ecs.update_service(cluster="demo", service="web", taskDefinition=rev2)
        ecs.step(3)  # mid-rollout
        doc = ecs.snapshot()
        self.assertEqual(json.loads(doc)["format"], "libecs-snapshot")
        back = libecs.ControlPlane.restore(doc)
        self.addCleanup(back.close)
        self.assertTrue(back.simulated_agents)
        self.assertEqual(back.now, ecs.now)
        self.assertEqual(back.snapshot(), doc)
        for plane in (ecs, back):
            plane.step(120)
        a = ecs.describe_services(cluster="demo", services=["web"])["services"][0]
        b = back.describe_services(cluster="demo", services=["web"])["services"][0]
        a.pop("ResponseMetadata", None)
        b.pop("ResponseMetadata", None)
        self.assertEqual(a, b)
        self.assertEqual(a["deployments"][0]["taskDefinition"], rev2)
        self.assertEqual(a["deployments"][0]["rolloutState"], "COMPLETED")
        self.assertEqual(ecs.snapshot(), back.snapshot())
        ecs.close()

    def test_damaged_snapshot_is_refused(self) -> None:
        ecs = make_plane()
        doc = ecs.snapshot()
        ecs.close()
        with self.assertRaises(errors.EcsError) as cm:
            libecs.ControlPlane.restore(doc[: len(doc) // 2])
        self.assertIn("snapshot", str(cm.exception))
        with self.assertRaises(errors.EcsError):
            libecs.ControlPlane.restore(doc.replace('"libecs-snapshot"', '"other"'))
        with self.assertRaises(TypeError):
            libecs.ControlPlane.restore(42)
