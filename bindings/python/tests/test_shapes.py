"""Every response of a short script, checked against the output shapes of
the ECS API model (../shared/reference/ecs-2014-11-13.api.json, read at
test time; the test skips when it is absent)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import unittest
from typing import Any, Callable, Dict, List, Optional, Tuple

from tests.support import API_MODEL, WEB_TASKDEF, example, register_instance

import libecs


# Members the current ECS API returns that the model read here (SDK v2's,
# aws-sdk 2.1693.0) predates; the SDK v3 model and today's botocore have
# them. (structure member name -> the model shape that lacks it.)
NEWER_MEMBERS: Dict[str, str] = {}


class ShapeChecker:
    """Checks values against the shapes of the model (the compact form of
    the ECS API model: shapes inline or referenced by "shape", type defaulting
    to string)."""

    def __init__(self, model: Dict[str, Any]) -> None:
        self.model = model
        self.shapes = model["shapes"]

    def resolve(self, shape: Dict[str, Any]) -> Dict[str, Any]:
        while "shape" in shape:
            shape = self.shapes[shape["shape"]]
        return shape

    def output_shape(self, operation: str) -> Optional[Dict[str, Any]]:
        return self.model["operations"][operation].get("output")

    def check(self, value: Any, shape: Dict[str, Any], path: str) -> List[str]:
        """Problems found (an empty list when the value fits)."""
        shape = self.resolve(shape)
        kind = shape.get("type", "string")
        problems: List[str] = []
        if kind == "structure":
            if not isinstance(value, dict):
                return [f"{path}: expected an object, got {type(value).__name__}"]
            members = shape.get("members", {})
            for name, member in value.items():
                if name in NEWER_MEMBERS and shape is self.shapes.get(NEWER_MEMBERS[name]):
                    continue
                if name not in members:
                    problems.append(f"{path}.{name}: not a member of the output shape")
                else:
                    problems += self.check(member, members[name], f"{path}.{name}")
        elif kind == "list":
            if not isinstance(value, list):
                return [f"{path}: expected a list, got {type(value).__name__}"]
            for i, item in enumerate(value):
                problems += self.check(item, shape["member"], f"{path}[{i}]")
        elif kind == "map":
            if not isinstance(value, dict):
                return [f"{path}: expected a map, got {type(value).__name__}"]
            for key, item in value.items():
                problems += self.check(key, shape["key"], f"{path} key")
                problems += self.check(item, shape["value"], f"{path}[{key!r}]")
        elif kind in ("string", "blob"):
            if not isinstance(value, str):
                problems.append(f"{path}: expected a string, got {type(value).__name__}")
        elif kind in ("integer", "long"):
            if not isinstance(value, int) or isinstance(value, bool):
                problems.append(f"{path}: expected an integer, got {value!r}")
        elif kind in ("double", "float"):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                problems.append(f"{path}: expected a number, got {value!r}")
        elif kind == "boolean":
            if not isinstance(value, bool):
                problems.append(f"{path}: expected a boolean, got {value!r}")
        elif kind == "timestamp":
            if not isinstance(value, dt.datetime) or value.tzinfo is None:
                problems.append(f"{path}: expected an aware datetime, got {value!r}")
        else:
            problems.append(f"{path}: unknown model type {kind}")
        return problems


def service_tasks(ecs: libecs.ControlPlane) -> List[str]:
    """The tasks of the service web (started by the service scheduler)."""
    return ecs.list_tasks(cluster="demo", serviceName="web")["taskArns"]


_STANDALONE: Dict[int, List[str]] = {}


def standalone_tasks(ecs: libecs.ControlPlane) -> List[str]:
    """The run_task tasks of the script (read once, before any stops)."""
    key = id(ecs)
    if key not in _STANDALONE:
        everything = ecs.list_tasks(cluster="demo")["taskArns"]
        started = set(service_tasks(ecs))
        _STANDALONE[key] = [t for t in everything if t not in started]
    return _STANDALONE[key]


def short_script(ecs: libecs.ControlPlane) -> List[Tuple[str, Callable[[], Dict[str, Any]]]]:
    """(operation, call) pairs; the calls run in order."""
    zones = ("us-east-1a", "us-east-1b", "us-east-1c")
    steps: List[Tuple[str, Callable[[], Dict[str, Any]]]] = [
        ("CreateCluster", lambda: ecs.create_cluster(
            clusterName="demo", tags=[{"key": "team", "value": "platform"}],
            settings=[{"name": "containerInsights", "value": "enabled"}])),
        ("CreateCluster", lambda: ecs.create_cluster(clusterName="spare")),
    ]
    for i in range(3):
        steps.append(("RegisterContainerInstance",
                      lambda i=i: register_instance(ecs, "demo", i, zones[i], attributes={"stack": "prod"})))
    steps += [
        ("DescribeClusters", lambda: ecs.describe_clusters(
            clusters=["demo", "nope"], include=["TAGS", "SETTINGS", "STATISTICS", "ATTACHMENTS"])),
        ("ListClusters", lambda: ecs.list_clusters(maxResults=1)),
        ("ListContainerInstances", lambda: ecs.list_container_instances(cluster="demo")),
        ("DescribeContainerInstances", lambda: ecs.describe_container_instances(
            cluster="demo",
            containerInstances=ecs.list_container_instances(cluster="demo")["containerInstanceArns"] + ["nope"],
            include=["TAGS"])),
        ("PutAttributes", lambda: ecs.put_attributes(cluster="demo", attributes=[
            {"name": "tier", "value": "gold",
             "targetId": ecs.list_container_instances(cluster="demo")["containerInstanceArns"][0]}])),
        ("ListAttributes", lambda: ecs.list_attributes(cluster="demo", targetType="container-instance")),
        ("DeleteAttributes", lambda: ecs.delete_attributes(cluster="demo", attributes=[
            {"name": "tier",
             "targetId": ecs.list_container_instances(cluster="demo")["containerInstanceArns"][0]}])),
        ("RegisterTaskDefinition", lambda: ecs.register_task_definition(
            tags=[{"key": "app", "value": "my-api"}], **example("my-api-taskdef.json"))),
        ("RegisterTaskDefinition", lambda: ecs.register_task_definition(**copy.deepcopy(WEB_TASKDEF))),
        ("DescribeTaskDefinition", lambda: ecs.describe_task_definition(taskDefinition="my-api", include=["TAGS"])),
        ("ListTaskDefinitions", lambda: ecs.list_task_definitions()),
        ("ListTaskDefinitionFamilies", lambda: ecs.list_task_definition_families()),
        ("UpdateContainerInstancesState", lambda: ecs.update_container_instances_state(
            cluster="demo",
            containerInstances=ecs.list_container_instances(cluster="demo")["containerInstanceArns"][:1],
            status="DRAINING")),
        ("RunTask", lambda: ecs.run_task(cluster="demo", taskDefinition="web", count=2, launchType="EC2")),
        ("ListTasks", lambda: ecs.list_tasks(cluster="demo")),
        ("DescribeTasks", lambda: ecs.describe_tasks(
            cluster="demo", tasks=ecs.list_tasks(cluster="demo")["taskArns"] + ["nope"])),
        ("ListTasks", lambda: standalone_tasks(ecs) and ecs.list_tasks(cluster="demo")),
        # Services and task lifecycles (the clock moved with advance_time).
        ("CreateService", lambda: ecs.create_service(
            cluster="demo", serviceName="web", taskDefinition="web", desiredCount=2, launchType="EC2",
            tags=[{"key": "app", "value": "web"}],
            placementStrategy=[{"type": "spread", "field": "attribute:ecs.availability-zone"}])),
        ("DescribeServices", lambda: (ecs.advance_time(60), ecs.describe_services(
            cluster="demo", services=["web", "nope"], include=["TAGS"]))[1]),
        ("UpdateService", lambda: ecs.update_service(cluster="demo", service="web", desiredCount=3)),
        ("ListServices", lambda: (ecs.advance_time(60), ecs.list_services(cluster="demo", launchType="EC2"))[1]),
        ("UpdateTaskProtection", lambda: ecs.update_task_protection(
            cluster="demo", tasks=service_tasks(ecs)[:1] + ["nope"], protectionEnabled=True, expiresInMinutes=60)),
        ("GetTaskProtection", lambda: ecs.get_task_protection(cluster="demo", tasks=service_tasks(ecs)[:2])),
        ("StopTask", lambda: ecs.stop_task(cluster="demo", task=standalone_tasks(ecs)[0], reason="shape check")),
        ("DescribeTasks", lambda: (ecs.advance_time(10), ecs.describe_tasks(
            cluster="demo", tasks=[standalone_tasks(ecs)[0]], include=["TAGS"]))[1]),
        ("UpdateService", lambda: ecs.update_service(cluster="demo", service="web", desiredCount=0)),
        ("DeleteService", lambda: ecs.delete_service(cluster="demo", service="web", force=True)),
        ("DescribeServices", lambda: (ecs.advance_time(30), ecs.describe_services(
            cluster="demo", services=["web"]))[1]),
        ("DeregisterTaskDefinition", lambda: ecs.deregister_task_definition(taskDefinition="my-api:1")),
        ("DeleteTaskDefinitions", lambda: ecs.delete_task_definitions(taskDefinitions=["my-api:1"])),
        ("DeregisterContainerInstance", lambda: ecs.deregister_container_instance(
            cluster="demo",
            containerInstance=ecs.list_container_instances(cluster="demo")["containerInstanceArns"][0],
            force=True)),
        ("DeleteCluster", lambda: ecs.delete_cluster(cluster="spare")),
    ]
    return steps


@unittest.skipUnless(os.path.isfile(API_MODEL), f"the ECS API model is absent ({API_MODEL}); shape checks skipped")
class ResponseShapeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        with open(API_MODEL, encoding="utf-8") as f:
            cls.checker = ShapeChecker(json.load(f))

    def test_script_responses_fit_the_model(self) -> None:
        checked, unserved = [], []
        with libecs.ControlPlane(seed=5) as ecs:
            for operation, call in short_script(ecs):
                try:
                    response = call()
                except libecs.EcsClientError as e:
                    if e.response["Error"]["Code"] == "UnknownOperationException":
                        unserved.append(operation)
                        continue
                    raise
                with self.subTest(operation=operation):
                    metadata = response.pop("ResponseMetadata")
                    self.assertEqual(metadata["HTTPStatusCode"], 200)
                    output = self.checker.output_shape(operation)
                    if output is None:
                        self.assertEqual(response, {})
                    else:
                        self.assertEqual(self.checker.check(response, output, operation), [])
                    checked.append(operation)
        self.assertGreaterEqual(len(checked), 30)
        if unserved:
            print(f"\n  (not served by this libecs yet, not checked: {', '.join(unserved)})", end=" ")

    def test_timestamps_are_datetimes(self) -> None:
        with libecs.ControlPlane() as ecs:
            td = ecs.register_task_definition(**example("my-api-taskdef.json"))["taskDefinition"]
            self.assertIsInstance(td["registeredAt"], dt.datetime)
            self.assertEqual(td["registeredAt"].utcoffset(), dt.timedelta(0))

    def test_checker_finds_problems(self) -> None:
        output = self.checker.output_shape("DescribeClusters")
        bad = {"clusters": [{"clusterName": 5, "bogus": 1}], "failures": "x"}
        problems = self.checker.check(bad, output, "DescribeClusters")
        self.assertEqual(len(problems), 3, problems)


if __name__ == "__main__":
    unittest.main()
