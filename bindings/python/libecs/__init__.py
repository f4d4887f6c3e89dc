"""libecs: the Amazon ECS control plane and placement engine, in process.

A ctypes binding of the libecs C library (no compiled extension, standard
library only):

* :class:`ControlPlane` mirrors boto3's ECS client (``boto3.client("ecs")``):
  the same methods, keyword arguments, dictionaries and error codes, over a
  deterministic, in-memory plane whose clock moves only when told
  (``step()``, ``advance_time()``, and boto3's waiters from ``get_waiter()``,
  which move it instead of sleeping). By default it plays the ECS agents,
  so tasks placed by ``run_task`` and services run by themselves.
* :class:`PlacementEngine` is the level-1 placement engine: where tasks go
  over instances the host describes, and why not.

Example::

    import libecs

    ecs = libecs.ControlPlane()
    ecs.create_cluster(clusterName="demo")
    try:
        ecs.describe_clusters(clusters=["nope"], include=["TAGS"])
    except ecs.exceptions.ClusterNotFoundException as e:
        print(e.response["Error"]["Code"])
"""

from __future__ import annotations

from . import errors
from ._ffi import C as _C
from ._native import library_path
from .client import ClusterInfo, ControlPlane, InstanceInfo, TaskDefinitionInfo
from .errors import ClosedError, EcsClientError, EcsError, WaiterError
from .place import PlacementEngine

__all__ = [
    "ControlPlane",
    "PlacementEngine",
    "ClusterInfo",
    "InstanceInfo",
    "TaskDefinitionInfo",
    "EcsClientError",
    "EcsError",
    "ClosedError",
    "WaiterError",
    "errors",
    "library_path",
    "library_version",
]

__version__ = "0.1.0"


def library_version() -> str:
    """The version of the loaded C library, such as ``"0.1.0"``."""
    return (_C.version_string() or b"").decode("ascii", "replace")
