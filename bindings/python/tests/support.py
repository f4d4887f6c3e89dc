"""Shared helpers of the binding's tests.

Importing this module skips the test module that imports it when the library
named by ECS_LIBRARY_PATH is built with AddressSanitizer (an instrumented
libecs cannot be loaded into an uninstrumented Python).
"""

from __future__ import annotations

import json
import os
import unittest
from typing import Any, Dict, Optional

HERE = os.path.dirname(os.path.abspath(__file__))


def _sanitized(path: str) -> bool:
    try:
        with open(os.path.realpath(path), "rb") as f:
            data = f.read()
    except OSError:
        return False
    return b"__asan_init" in data or b"__tsan_init" in data


_lib = os.environ.get("ECS_LIBRARY_PATH", "")
if _lib and os.path.isfile(_lib) and _sanitized(_lib):
    raise unittest.SkipTest(
        f"{_lib} is built with a sanitizer; it cannot be loaded into this Python (skipped)"
    )

import libecs  # noqa: E402  (after the sanitizer check)

SOURCE_DIR = os.environ.get("ECS_SOURCE_DIR") or os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SHARED_DIR = os.environ.get("ECS_SHARED_DIR") or os.path.abspath(os.path.join(SOURCE_DIR, "..", "shared"))
API_MODEL = os.path.join(SHARED_DIR, "reference", "ecs-2014-11-13.api.json")


def example(name: str) -> Dict[str, Any]:
    """A JSON file of the source tree's examples/ directory."""
    with open(os.path.join(SOURCE_DIR, "examples", name), encoding="utf-8") as f:
        return json.load(f)


def identity_document(instance_id: str, zone: str, instance_type: str = "m5.large") -> str:
    """An EC2 instance identity document, as the ECS agent sends it."""
    return json.dumps(
        {
            "instanceId": instance_id,
            "availabilityZone": zone,
            "instanceType": instance_type,
            "imageId": "ami-0abcdef1234567890",
            "architecture": "x86_64",
            "region": zone[:-1],
        }
    )


def register_instance(
    ecs: "libecs.ControlPlane",
    cluster: str,
    index: int,
    zone: str,
    cpu: int = 2048,
    memory: int = 7680,
    attributes: Optional[Dict[str, str]] = None,
) -> Dict[str, Any]:
    """Register an EC2 container instance as the agent does; its response."""
    return ecs.register_container_instance(
        cluster=cluster,
        instanceIdentityDocument=identity_document(f"i-{index:017x}", zone),
        totalResources=[
            {"name": "CPU", "type": "INTEGER", "integerValue": cpu},
            {"name": "MEMORY", "type": "INTEGER", "integerValue": memory},
        ],
        versionInfo={"agentVersion": "1.89.0", "dockerVersion": "DockerVersion: 25.0.8"},
        attributes=[{"name": k, "value": v} for k, v in (attributes or {}).items()],
    )


WEB_TASKDEF: Dict[str, Any] = {
    "family": "web",
    "networkMode": "bridge",
    "requiresCompatibilities": ["EC2"],
    "containerDefinitions": [
        {
            "name": "nginx",
            "image": "public.ecr.aws/nginx/nginx:1.27",
            "cpu": 256,
            "memory": 512,
            "essential": True,
            "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}],
        }
    ],
}


def served(ecs: "libecs.ControlPlane", call: Any, **kwargs: Any) -> Optional[Dict[str, Any]]:
    """Run call(**kwargs); None when libecs answers UnknownOperationException."""
    try:
        return call(**kwargs)
    except libecs.EcsClientError as e:
        if e.response["Error"]["Code"] == "UnknownOperationException":
            return None
        raise
