"""ControlPlane: a full scenario, errors, argument rules, lifetime,
pagination, determinism, the clock and the typed readers."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import unittest

from tests.support import (
    HERE,
    WEB_TASKDEF,
    example,
    register_instance,
)

import libecs
from libecs import errors

UTC = dt.timezone.utc
START = dt.datetime(2026, 1, 1, tzinfo=UTC)
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")


def zone_of(instance: dict) -> str:
    return {a["name"]: a.get("value") for a in instance["attributes"]}["ecs.availability-zone"]


class ScenarioTest(unittest.TestCase):
    """Cluster, instances in three zones, task definitions, tasks, services."""

    def setUp(self) -> None:
        self.ecs = libecs.ControlPlane(seed=42)
        self.addCleanup(self.ecs.close)

    def test_full_scenario(self) -> None:
        ecs = self.ecs
        # The cluster.
        created = ecs.create_cluster(clusterName="demo", tags=[{"key": "team", "value": "platform"}])
        arn = created["cluster"]["clusterArn"]
        self.assertEqual(arn, "arn:aws:ecs:us-east-1:123456789012:cluster/demo")
        self.assertEqual(created["ResponseMetadata"]["HTTPStatusCode"], 200)
        described = ecs.describe_clusters(clusters=["demo"], include=["TAGS"])
        self.assertEqual(described["clusters"][0]["tags"], [{"key": "team", "value": "platform"}])
        self.assertEqual(described["failures"], [])
        self.assertIn(arn, ecs.list_clusters()["clusterArns"])

        # Six instances over three zones.
        arns = []
        for i in range(6):
            r = register_instance(ecs, "demo", i, ZONES[i % 3], attributes={"stack": "prod"})
            inst = r["containerInstance"]
            self.assertEqual(inst["status"], "ACTIVE")
            self.assertEqual(zone_of(inst), ZONES[i % 3])
            self.assertIsInstance(inst["registeredAt"], dt.datetime)
            self.assertEqual(inst["registeredAt"], START)
            arns.append(inst["containerInstanceArn"])
        listed = ecs.list_container_instances(cluster="demo")["containerInstanceArns"]
        self.assertEqual(sorted(listed), sorted(arns))
        described = ecs.describe_container_instances(cluster="demo", containerInstances=arns)
        self.assertEqual(len(described["containerInstances"]), 6)
        self.assertEqual(
            sorted(zone_of(i) for i in described["containerInstances"]), sorted(ZONES * 2)
        )
        self.assertEqual(
            ecs.describe_clusters(clusters=["demo"])["clusters"][0]["registeredContainerInstancesCount"], 6
        )

        # Custom attributes.
        ecs.put_attributes(
            cluster="demo", attributes=[{"name": "tier", "value": "gold", "targetId": arns[0]}]
        )
        listed = ecs.list_attributes(cluster="demo", targetType="container-instance", attributeName="tier")
        self.assertEqual([a["targetId"] for a in listed["attributes"]], [arns[0]])

        # Task definitions: the README's my-api (Fargate) and an EC2 web server.
        ecs.advance_time(60)
        my_api = example("my-api-taskdef.json")
        td = ecs.register_task_definition(**my_api)["taskDefinition"]
        self.assertEqual(td["taskDefinitionArn"], "arn:aws:ecs:us-east-1:123456789012:task-definition/my-api:1")
        self.assertEqual(td["revision"], 1)
        self.assertEqual(td["status"], "ACTIVE")
        self.assertEqual(td["registeredAt"], START + dt.timedelta(seconds=60))
        self.assertEqual(td["containerDefinitions"][0]["name"], "api-container")
        self.assertIn("FARGATE", td["compatibilities"])
        td2 = ecs.register_task_definition(**my_api)["taskDefinition"]
        self.assertEqual(td2["revision"], 2)
        web = ecs.register_task_definition(**copy.deepcopy(WEB_TASKDEF))["taskDefinition"]
        self.assertEqual(web["family"], "web")

        got = ecs.describe_task_definition(taskDefinition="my-api", include=["TAGS"])
        self.assertEqual(got["taskDefinition"]["revision"], 2)
        self.assertEqual(ecs.describe_task_definition(taskDefinition="my-api:1")["taskDefinition"]["revision"], 1)
        self.assertEqual(
            ecs.list_task_definition_families(status="ACTIVE")["families"], ["my-api", "web"]
        )
        self.assertEqual(
            ecs.list_task_definitions(familyPrefix="my-api")["taskDefinitionArns"],
            [td["taskDefinitionArn"], td2["taskDefinitionArn"]],
        )
        ecs.advance_time(5)
        gone = ecs.deregister_task_definition(taskDefinition="my-api:1")["taskDefinition"]
        self.assertEqual(gone["status"], "INACTIVE")
        self.assertEqual(gone["deregisteredAt"], START + dt.timedelta(seconds=65))
        self.assertEqual(
            ecs.list_task_definitions(familyPrefix="my-api", status="ACTIVE")["taskDefinitionArns"],
            [td2["taskDefinitionArn"]],
        )
        self.assertEqual(
            ecs.list_task_definitions(familyPrefix="my-api", status="INACTIVE")["taskDefinitionArns"],
            [td["taskDefinitionArn"]],
        )

        # Draining and leaving.
        drained = ecs.update_container_instances_state(cluster="demo", containerInstances=[arns[5]], status="DRAINING")
        self.assertEqual(drained["containerInstances"][0]["status"], "DRAINING")
        ecs.deregister_container_instance(cluster="demo", containerInstance=arns[5], force=True)
        self.assertEqual(len(ecs.list_container_instances(cluster="demo")["containerInstanceArns"]), 5)

        # Tasks and services last.
        self._tasks(arns[:5])

    def _tasks(self, arns: list) -> None:
        ecs = self.ecs
        run = ecs.run_task(
            cluster="demo",
            taskDefinition="web",
            count=3,
            launchType="EC2",
            placementStrategy=[{"type": "spread", "field": "attribute:ecs.availability-zone"}],
        )
        self.assertEqual(run["failures"], [])
        self.assertEqual(len(run["tasks"]), 3)
        on = [t["containerInstanceArn"] for t in run["tasks"]]
        self.assertTrue(set(on) <= set(arns))
        described = ecs.describe_container_instances(cluster="demo", containerInstances=on)
        self.assertEqual(sorted(zone_of(i) for i in described["containerInstances"]), sorted(ZONES))
        # Each task reserves exactly what its definition says (cpu 256, memory 512).
        remaining = {
            i["containerInstanceArn"]: {r["name"]: r.get("integerValue") for r in i["remainingResources"]}
            for i in described["containerInstances"]
        }
        for arn_ in on:
            self.assertEqual(remaining[arn_]["CPU"], 2048 - 256)
            self.assertEqual(remaining[arn_]["MEMORY"], 7680 - 512)
        task_arns = [t["taskArn"] for t in run["tasks"]]
        self.assertEqual(sorted(ecs.list_tasks(cluster="demo")["taskArns"]), sorted(task_arns))
        tasks = ecs.describe_tasks(cluster="demo", tasks=task_arns)["tasks"]
        self.assertEqual(len(tasks), 3)
        for t in tasks:
            self.assertIsInstance(t["createdAt"], dt.datetime)
            self.assertTrue(t["taskDefinitionArn"].endswith("task-definition/web:1"))

        # Fargate: the README's my-api in awsvpc subnets.
        subnets = [{"subnetId": f"subnet-{z[-1]}", "availabilityZone": z} for z in ZONES]
        ecs.register_subnets(subnets=subnets)
        fargate = ecs.run_task(
            cluster="demo",
            taskDefinition="my-api",
            count=2,
            launchType="FARGATE",
            networkConfiguration={
                "awsvpcConfiguration": {"subnets": [s["subnetId"] for s in subnets], "assignPublicIp": "DISABLED"}
            },
        )
        self.assertEqual(fargate["failures"], [])
        self.assertEqual([t["launchType"] for t in fargate["tasks"]], ["FARGATE", "FARGATE"])
        self.assertEqual(sorted(t["availabilityZone"] for t in fargate["tasks"]), ["us-east-1a", "us-east-1b"])
        # A Fargate capacity limit (a libecs extension) gives ECS's capacity failure beyond it.
        ecs.set_fargate_capacity(maxTasks=3)
        more = ecs.run_task(
            cluster="demo", taskDefinition="my-api", count=2, launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-a"]}},
        )
        self.assertEqual((len(more["tasks"]), len(more["failures"])), (1, 1))
        self.assertIn("Capacity is unavailable", more["failures"][0]["reason"])
        # Too big for any instance: a placement failure with ECS's reason.
        huge = copy.deepcopy(WEB_TASKDEF)
        huge["family"] = "huge"
        huge["containerDefinitions"][0]["memory"] = 7000
        ecs.register_task_definition(**huge)
        big = ecs.run_task(cluster="demo", taskDefinition="huge", count=10, launchType="EC2")
        self.assertEqual(len(big["tasks"]), 5)
        self.assertTrue(big["failures"])
        self.assertEqual({f["reason"] for f in big["failures"]}, {"RESOURCE:MEMORY"})

        # The agent's report (SubmitTaskStateChange): the task is RUNNING at once.
        report = ecs.submit_task_state_change(cluster="demo", task=task_arns[0], status="RUNNING",
                                              pullStartedAt=ecs.now, pullStoppedAt=ecs.now)
        self.assertIn("acknowledgment", report)
        self.assertEqual(ecs.describe_tasks(cluster="demo", tasks=[task_arns[0]])["tasks"][0]["lastStatus"], "RUNNING")
        # The simulated agents run the others: tasks_running waits for them,
        # moving the clock 6 s (the waiter's delay) between attempts.
        before = ecs.now
        ecs.get_waiter("tasks_running").wait(cluster="demo", tasks=task_arns)
        self.assertGreater(ecs.now, before)
        self.assertEqual((ecs.now - before).total_seconds() % 6, 0)
        tasks = ecs.describe_tasks(cluster="demo", tasks=task_arns)["tasks"]
        self.assertEqual({t["lastStatus"] for t in tasks}, {"RUNNING"})
        ecs.advance_time(120)
        stopped = ecs.stop_task(cluster="demo", task=fargate["tasks"][0]["taskArn"], reason="test")
        self.assertEqual(stopped["task"]["desiredStatus"], "STOPPED")
        self.assertEqual(stopped["task"]["stoppedReason"], "test")
        # The huge tasks take almost every instance's memory: stop them and wait.
        huge_arns = [t["taskArn"] for t in big["tasks"]]
        for task in huge_arns:
            ecs.stop_task(cluster="demo", task=task)
        ecs.get_waiter("tasks_stopped").wait(
            cluster="demo", tasks=huge_arns + [fargate["tasks"][0]["taskArn"]], WaiterConfig={"Delay": 1})
        gone = ecs.describe_tasks(cluster="demo", tasks=huge_arns)["tasks"]
        self.assertEqual({t["lastStatus"] for t in gone}, {"STOPPED"})
        self.assertEqual({t["stopCode"] for t in gone}, {"UserInitiated"})

        # A service, and the waiter boto3 users reach for.
        service = ecs.create_service(
            cluster="demo",
            serviceName="web",
            taskDefinition="web",
            desiredCount=2,
            launchType="EC2",
            placementStrategy=[{"type": "spread", "field": "attribute:ecs.availability-zone"}],
        )["service"]
        self.assertEqual(service["serviceName"], "web")
        self.assertEqual(service["serviceArn"], "arn:aws:ecs:us-east-1:123456789012:service/demo/web")
        self.assertEqual((service["status"], service["desiredCount"], service["runningCount"]), ("ACTIVE", 2, 0))
        self.assertEqual(ecs.list_services(cluster="demo")["serviceArns"], [service["serviceArn"]])
        ecs.get_waiter("services_stable").wait(cluster="demo", services=["web"])
        described = ecs.describe_services(cluster="demo", services=["web"])["services"][0]
        self.assertEqual((described["desiredCount"], described["runningCount"]), (2, 2))
        self.assertEqual(len(described["deployments"]), 1)
        self.assertEqual(len(ecs.list_tasks(cluster="demo", serviceName="web")["taskArns"]), 2)

        # Scale out and wait again.
        updated = ecs.update_service(cluster="demo", service="web", desiredCount=4)["service"]
        self.assertEqual(updated["desiredCount"], 4)
        ecs.get_waiter("services_stable").wait(cluster="demo", services=["web"], WaiterConfig={"Delay": 5})
        described = ecs.describe_services(cluster="demo", services=["web"])["services"][0]
        self.assertEqual((described["desiredCount"], described["runningCount"]), (4, 4))
        self.assertEqual(ecs.cluster_infos()[0].active_services, 1)

        # A rolling deployment of a new revision: a second deployment while
        # it rolls, the new revision alone once services_stable says so.
        web2 = copy.deepcopy(WEB_TASKDEF)
        web2["containerDefinitions"][0]["image"] = web2["containerDefinitions"][0]["image"] + "-v2"
        rev2 = ecs.register_task_definition(**web2)["taskDefinition"]["taskDefinitionArn"]
        rolling = ecs.update_service(cluster="demo", service="web", taskDefinition=rev2,
                                     deploymentConfiguration={"minimumHealthyPercent": 50,
                                                              "maximumPercent": 150})["service"]
        self.assertEqual(rolling["taskDefinition"], rev2)
        self.assertEqual([d["status"] for d in rolling["deployments"]], ["PRIMARY", "ACTIVE"])
        self.assertEqual(rolling["deployments"][0]["rolloutState"], "IN_PROGRESS")
        ecs.step(1)
        mid = ecs.describe_services(cluster="demo", services=["web"])["services"][0]
        self.assertEqual(len(mid["deployments"]), 2)
        live = sum(d["runningCount"] + d["pendingCount"] for d in mid["deployments"])
        self.assertLessEqual(live, 6)  # maximumPercent 150 of 4
        ecs.get_waiter("services_stable").wait(cluster="demo", services=["web"], WaiterConfig={"Delay": 5})
        # the waiter looks at counts only (as boto3's does); COMPLETED also
        # needs the new tasks healthy: 40 s RUNNING without health checks
        ecs.step(60)
        done = ecs.describe_services(cluster="demo", services=["web"])["services"][0]
        self.assertEqual(len(done["deployments"]), 1)
        self.assertEqual(done["deployments"][0]["taskDefinition"], rev2)
        self.assertEqual(done["deployments"][0]["rolloutState"], "COMPLETED")
        self.assertTrue(any("deployment completed." in e["message"] for e in done["events"]))
        arns = ecs.list_tasks(cluster="demo", serviceName="web")["taskArns"]
        self.assertEqual({t["taskDefinitionArn"] for t in ecs.describe_tasks(cluster="demo", tasks=arns)["tasks"]},
                         {rev2})

        # Delete it (force: it still wants tasks) and wait for INACTIVE.
        deleted = ecs.delete_service(cluster="demo", service="web", force=True)["service"]
        self.assertEqual(deleted["status"], "DRAINING")
        ecs.get_waiter("services_inactive").wait(cluster="demo", services=["web"], WaiterConfig={"Delay": 5})
        self.assertEqual(ecs.describe_services(cluster="demo", services=["web"])["services"][0]["status"], "INACTIVE")
        self.assertEqual(ecs.list_services(cluster="demo")["serviceArns"], [])


class ErrorTest(unittest.TestCase):
    def setUp(self) -> None:
        self.ecs = libecs.ControlPlane()
        self.addCleanup(self.ecs.close)

    def test_modeled_error(self) -> None:
        with self.assertRaises(self.ecs.exceptions.ClusterNotFoundException) as cm:
            self.ecs.delete_cluster(cluster="nope")
        e = cm.exception
        self.assertIsInstance(e, libecs.EcsClientError)
        self.assertIsInstance(e, errors.ClusterNotFoundException)
        self.assertIs(type(e), self.ecs.exceptions.from_code("ClusterNotFoundException"))
        self.assertEqual(e.response["Error"]["Code"], "ClusterNotFoundException")
        self.assertTrue(e.response["Error"]["Message"])
        self.assertEqual(e.operation_name, "DeleteCluster")
        self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertTrue(str(e).startswith("An error occurred (ClusterNotFoundException) when calling the DeleteCluster operation: "))
        again = pickle.loads(pickle.dumps(e))
        self.assertIs(type(again), type(e))
        self.assertEqual(again.response, e.response)

    def test_every_ecs_error_code_has_a_class(self) -> None:
        for code in errors.ERROR_CODES:
            cls = getattr(self.ecs.exceptions, code)
            self.assertEqual(cls.__name__, code)
            self.assertTrue(issubclass(cls, libecs.EcsClientError))
        self.assertEqual(len(errors.ERROR_CODES), 31)
        self.assertIs(self.ecs.exceptions.from_code("NoSuchThing"), libecs.EcsClientError)

    def test_invalid_parameter(self) -> None:
        with self.assertRaises(self.ecs.exceptions.InvalidParameterException) as cm:
            self.ecs.describe_clusters(clusterz=["a"])
        self.assertIn("clusterz", cm.exception.response["Error"]["Message"])
        bad = copy.deepcopy(WEB_TASKDEF)
        bad["containerDefinitions"][0]["memoryReservation"] = 1024  # above memory (512)
        with self.assertRaises(libecs.EcsClientError) as cm:
            self.ecs.register_task_definition(**bad)
        self.assertIn(cm.exception.response["Error"]["Code"], ("ClientException", "InvalidParameterException"))

    def test_unmodeled_codes_raise_the_base_class(self) -> None:
        with self.assertRaises(libecs.EcsClientError) as cm:
            self.ecs.describe_clusters(clusters="demo")
        self.assertIs(type(cm.exception), libecs.EcsClientError)
        self.assertEqual(cm.exception.response["Error"]["Code"], "SerializationException")

    def test_positional_arguments_are_refused(self) -> None:
        with self.assertRaises(TypeError) as cm:
            self.ecs.create_cluster("demo")
        self.assertEqual(str(cm.exception), "create_cluster() only accepts keyword arguments.")
        self.assertEqual(self.ecs.list_clusters()["clusterArns"], [])

    def test_values_json_cannot_carry(self) -> None:
        with self.assertRaises(ValueError):
            self.ecs.create_cluster(clusterName="x", settings=[{"name": "containerInsights", "value": float("nan")}])
        with self.assertRaises(TypeError):
            self.ecs.create_cluster(clusterName=object())

    def test_every_sdk_operation_is_a_method(self) -> None:
        from libecs._model import OPERATIONS

        self.assertEqual(len(OPERATIONS), 88)
        for op, py in OPERATIONS:
            self.assertTrue(callable(getattr(self.ecs, py)), py)
        for py in ("register_task_definition", "run_task", "create_service", "describe_services",
                   "submit_task_state_change", "list_services_by_namespace"):
            self.assertTrue(hasattr(libecs.ControlPlane, py), py)


class LifetimeTest(unittest.TestCase):
    def test_close(self) -> None:
        ecs = libecs.ControlPlane()
        kept = ecs.create_cluster(clusterName="a")
        ecs.close()
        self.assertTrue(ecs.closed)
        ecs.close()  # twice is fine
        for call in (
            lambda: ecs.describe_clusters(),
            lambda: ecs.create_cluster(clusterName="b"),
            lambda: ecs.now,
            lambda: ecs.dump(),
            lambda: ecs.advance_time(1),
            lambda: ecs.set_time(dt.datetime(2030, 1, 1)),
            lambda: ecs.cluster_infos(),
            lambda: list(ecs.get_paginator("list_clusters").paginate()),
        ):
            with self.assertRaises(libecs.ClosedError):
                call()
        # What was returned before stays usable: it is Python's own.
        self.assertEqual(kept["cluster"]["clusterName"], "a")

    def test_context_manager(self) -> None:
        with libecs.ControlPlane() as ecs:
            ecs.create_cluster(clusterName="a")
            self.assertFalse(ecs.closed)
        self.assertTrue(ecs.closed)
        with self.assertRaises(libecs.ClosedError):
            ecs.list_clusters()

    def test_garbage_collection_frees(self) -> None:
        for _ in range(200):
            libecs.ControlPlane().create_cluster(clusterName="x")


class PaginationTest(unittest.TestCase):
    def setUp(self) -> None:
        self.ecs = libecs.ControlPlane()
        self.addCleanup(self.ecs.close)
        for i in range(25):
            self.ecs.create_cluster(clusterName=f"c{i:02d}")
        self.all = self.ecs.list_clusters()["clusterArns"]
        self.assertEqual(len(self.all), 25)

    def test_pages(self) -> None:
        pages = list(self.ecs.get_paginator("list_clusters").paginate(PaginationConfig={"PageSize": 10}))
        self.assertEqual([len(p["clusterArns"]) for p in pages], [10, 10, 5])
        self.assertEqual(sum((p["clusterArns"] for p in pages), []), self.all)
        self.assertIn("ResponseMetadata", pages[0])

    def test_full_result_and_resume(self) -> None:
        paginator = self.ecs.get_paginator("list_clusters")
        self.assertEqual(paginator.paginate().build_full_result(), {"clusterArns": self.all})
        first = paginator.paginate(PaginationConfig={"MaxItems": 12, "PageSize": 5}).build_full_result()
        self.assertEqual(first["clusterArns"], self.all[:12])
        rest = paginator.paginate(
            PaginationConfig={"PageSize": 5, "StartingToken": first["NextToken"]}
        ).build_full_result()
        self.assertEqual(rest, {"clusterArns": self.all[12:]})
        # On a page boundary.
        first = paginator.paginate(PaginationConfig={"MaxItems": 10, "PageSize": 5}).build_full_result()
        rest = paginator.paginate(PaginationConfig={"StartingToken": first["NextToken"]}).build_full_result()
        self.assertEqual(first["clusterArns"] + rest["clusterArns"], self.all)

    def test_other_list_operations(self) -> None:
        for i in range(7):
            self.ecs.register_task_definition(**copy.deepcopy(WEB_TASKDEF))
        pages = list(self.ecs.get_paginator("list_task_definitions").paginate(
            familyPrefix="web", PaginationConfig={"PageSize": 3}))
        self.assertEqual([len(p["taskDefinitionArns"]) for p in pages], [3, 3, 1])
        self.assertTrue(self.ecs.can_paginate("list_tasks"))
        self.assertFalse(self.ecs.can_paginate("describe_clusters"))

    def test_not_pageable(self) -> None:
        with self.assertRaises(errors.OperationNotPageableError):
            self.ecs.get_paginator("describe_clusters")


def script(ecs: libecs.ControlPlane) -> list:
    """A few calls whose answers depend on the seed (ids) and the clock."""
    out = [ecs.create_cluster(clusterName="demo")]
    for i in range(4):
        out.append(register_instance(ecs, "demo", i, ZONES[i % 3]))
        ecs.advance_time(1.25)
    out.append(ecs.register_task_definition(**example("my-api-taskdef.json")))
    out.append(ecs.list_container_instances(cluster="demo"))
    try:
        ecs.delete_cluster(cluster="nope")
    except libecs.EcsClientError as e:
        out.append(e.response)
    out.append(ecs.dump())
    return out


class DeterminismTest(unittest.TestCase):
    def test_same_seed_same_results(self) -> None:
        with libecs.ControlPlane(seed=7) as a, libecs.ControlPlane(seed=7) as b:
            self.assertEqual(script(a), script(b))
        with libecs.ControlPlane(seed=7) as a, libecs.ControlPlane(seed=8) as b:
            ra, rb = script(a), script(b)
        self.assertNotEqual(ra[-3]["containerInstanceArns"], rb[-3]["containerInstanceArns"])


class ClockTest(unittest.TestCase):
    def test_clock(self) -> None:
        with libecs.ControlPlane() as ecs:
            self.assertEqual(ecs.now, START)
            self.assertEqual(ecs.advance_time(90.5), START + dt.timedelta(seconds=90.5))
            self.assertEqual(ecs.set_time(dt.datetime(2026, 2, 1)), dt.datetime(2026, 2, 1, tzinfo=UTC))
            with self.assertRaises(ValueError):
                ecs.set_time(dt.datetime(2026, 1, 2, tzinfo=UTC))
            with self.assertRaises(ValueError):
                ecs.advance_time(-1)
            self.assertEqual(ecs.now, dt.datetime(2026, 2, 1, tzinfo=UTC))
            ecs.create_cluster(clusterName="c")
            inst = register_instance(ecs, "c", 1, "us-east-1a")["containerInstance"]
            self.assertEqual(inst["registeredAt"], dt.datetime(2026, 2, 1, tzinfo=UTC))
            self.assertEqual(ecs.dump()["nowMs"], int(ecs.now.timestamp() * 1000))

    def test_start_time_and_region(self) -> None:
        start = dt.datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
        with libecs.ControlPlane(region="eu-west-1", account_id="210987654321", start_time=start) as ecs:
            self.assertEqual(ecs.now, start)
            arn = ecs.create_cluster(clusterName="x")["cluster"]["clusterArn"]
            self.assertEqual(arn, "arn:aws:ecs:eu-west-1:210987654321:cluster/x")
            self.assertEqual(ecs.meta.region_name, "eu-west-1")
        with self.assertRaises(libecs.EcsError):
            libecs.ControlPlane(region="Not A Region")
        with self.assertRaises(ValueError):
            libecs.ControlPlane(seed=-1)

    def test_lenient(self) -> None:
        with libecs.ControlPlane() as a, libecs.ControlPlane(lenient=True) as b:
            described = a.register_task_definition(**copy.deepcopy(WEB_TASKDEF))
            described = a.describe_task_definition(taskDefinition="web")
            pasted = json.loads(json.dumps({"taskDefinition": described["taskDefinition"]}, default=str))
            pasted["taskDefinition"].pop("registeredAt")
            with self.assertRaises(libecs.EcsClientError):
                a.register_task_definition(**pasted["taskDefinition"])
            td = b.register_task_definition(**pasted)["taskDefinition"]
            self.assertEqual(td["family"], "web")


class TypedReaderTest(unittest.TestCase):
    def test_readers(self) -> None:
        with libecs.ControlPlane() as ecs:
            ecs.create_cluster(clusterName="demo")
            for i in range(3):
                register_instance(ecs, "demo", i, ZONES[i], attributes={"stack": "prod"})
            ecs.register_task_definition(**copy.deepcopy(WEB_TASKDEF))
            clusters = ecs.cluster_infos()
            self.assertEqual([(c.name, c.status, c.registered_instances) for c in clusters], [("demo", "ACTIVE", 3)])
            instances = ecs.instance_infos("demo")
            self.assertEqual([i.availability_zone for i in instances], list(ZONES))
            self.assertEqual(instances[0].cpu_registered, 2048)
            self.assertEqual(instances[0].attributes["stack"], "prod")
            td = ecs.task_definition_info("web")
            self.assertEqual((td.family, td.revision, td.cpu_units, td.memory_mib), ("web", 1, 256, 512))
            self.assertIsNone(ecs.task_definition_info("nope"))
            with self.assertRaises(ecs.exceptions.ClusterNotFoundException):
                ecs.instance_infos("nope")


class LoaderTest(unittest.TestCase):
    def _import_in(self, package_root: str, env_path: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, PYTHONPATH=package_root, ECS_LIBRARY_PATH=env_path)
        return subprocess.run(
            [sys.executable, "-c", "import libecs; print(libecs.library_path())"],
            env=env, capture_output=True, text=True, timeout=60, cwd=package_root,
        )

    def test_not_found_says_where_and_how(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(os.path.join(HERE, "..", "libecs"), os.path.join(tmp, "libecs"),
                            ignore=shutil.ignore_patterns("lib", "__pycache__"))
            proc = self._import_in(tmp, os.path.join(tmp, "no-such-libecs.so"))
            if proc.returncode == 0:
                # A libecs on the system loader path answered.
                self.assertNotIn("no-such-libecs", proc.stdout)
                return
            self.assertIn("ImportError", proc.stderr)
            self.assertIn("no-such-libecs.so", proc.stderr)
            self.assertIn("cmake -S . -B build && cmake --build build", proc.stderr)

    def test_directory_in_env_and_copy_next_to_package(self) -> None:
        lib = libecs.library_path()
        if not lib or not os.path.isfile(lib):
            self.skipTest("the library was found by name through the system loader")
        with tempfile.TemporaryDirectory() as tmp:
            proc = self._import_in(os.path.join(HERE, ".."), os.path.dirname(lib))
            self.assertEqual(proc.returncode, 0, proc.stderr)
            shutil.copytree(os.path.join(HERE, "..", "libecs"), os.path.join(tmp, "libecs"),
                            ignore=shutil.ignore_patterns("__pycache__"))
            os.makedirs(os.path.join(tmp, "libecs", "lib"), exist_ok=True)
            shutil.copy(lib, os.path.join(tmp, "libecs", "lib", "libecs.so"))
            env = dict(os.environ, PYTHONPATH=tmp)
            env.pop("ECS_LIBRARY_PATH", None)
            proc = subprocess.run(
                [sys.executable, "-c", "import libecs; print(libecs.library_path())"],
                env=env, capture_output=True, text=True, timeout=60, cwd=tmp,
            )
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(proc.stdout.strip(), os.path.join(tmp, "libecs", "lib", "libecs.so"))


if __name__ == "__main__":
    unittest.main()
