"""``ControlPlane``: the libecs control plane as a boto3-shaped ECS client.

Code written for ``boto3.client("ecs")`` runs against it: every ECS
operation is a snake_case method taking boto3's keyword arguments and
returning boto3's dictionaries (timestamps as timezone-aware datetimes, a
``ResponseMetadata`` entry), and errors raise exceptions that carry the ECS
code as botocore's ``ClientError`` does. The plane keeps its own clock, which
moves only when told (:meth:`ControlPlane.step`,
:meth:`ControlPlane.advance_time`, :meth:`ControlPlane.set_time`, and the
waiters of :meth:`ControlPlane.get_waiter`, which move it instead of
sleeping).
"""

from __future__ import annotations

import base64
import ctypes
import datetime as _dt
import email.utils
import hashlib
import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Type

from . import _ffi
from ._ffi import C
from ._model import EXTENSIONS, OPERATIONS, PAGINATORS, TIMESTAMP_MEMBERS, WAITERS
from .errors import (
    ERROR_CODES,
    ClosedError,
    EcsClientError,
    EcsInvalidArgumentError,
    OperationNotPageableError,
    error_class_for_code,
)
from .paginate import Paginator
from .waiter import Waiter, WaiterModel

__all__ = ["ControlPlane", "ClusterInfo", "InstanceInfo", "TaskDefinitionInfo"]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_SNAKE_TO_OP: Dict[str, str] = {py: op for op, py in OPERATIONS + EXTENSIONS}
_OP_TO_SNAKE: Dict[str, str] = {op: py for op, py in OPERATIONS + EXTENSIONS}
_WAITER_MODEL = WaiterModel(WAITERS)
# boto3's waiter names ("services_stable") -> the model's ("ServicesStable").
_SNAKE_TO_WAITER: Dict[str, str] = {
    "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_"): name
    for name in WAITERS
}
_ORDER_KINDS: Dict[int, str] = {
    _ffi.ECS_ORDER_START: "START",
    _ffi.ECS_ORDER_STOP: "STOP",
    _ffi.ECS_ORDER_REGISTER_TARGET: "REGISTER_TARGET",
    _ffi.ECS_ORDER_DEREGISTER_TARGET: "DEREGISTER_TARGET",
}


def _to_ms(when: _dt.datetime) -> int:
    """Milliseconds since the epoch; a naive datetime is taken as UTC."""
    if not isinstance(when, _dt.datetime):
        raise TypeError(f"expected a datetime, not {type(when).__name__}")
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    delta = when - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _from_ms(ms: int) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(milliseconds=ms)


def _encode_default(value: Any) -> Any:
    """JSON encoding of the non-JSON values boto3 accepts."""
    if isinstance(value, _dt.datetime):
        ms = _to_ms(value)
        return ms // 1000 if ms % 1000 == 0 else ms / 1000.0
    if isinstance(value, _dt.date):
        return _to_ms(_dt.datetime(value.year, value.month, value.day)) // 1000
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"a value of type {type(value).__name__} cannot be sent to ECS")


def _convert_timestamps(value: Any) -> Any:
    """Replace, in place, numeric members whose API type is timestamp by
    UTC datetimes."""
    if isinstance(value, dict):
        for key, member in value.items():
            if key in TIMESTAMP_MEMBERS and isinstance(member, (int, float)) and not isinstance(member, bool):
                value[key] = _EPOCH + _dt.timedelta(seconds=member)
            elif isinstance(member, (dict, list)):
                _convert_timestamps(member)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                _convert_timestamps(item)
    return value


def _text(raw: Optional[bytes]) -> str:
    return raw.decode("utf-8", "replace") if raw else ""


@dataclass(frozen=True)
class ClusterInfo:
    """A cluster as the plane holds it (read without going through JSON)."""

    name: str
    arn: str
    status: str
    registered_instances: int
    running_tasks: int
    pending_tasks: int
    active_services: int


@dataclass(frozen=True)
class InstanceInfo:
    """A container instance (CPU units and MiB) with its attributes."""

    arn: str
    id: str
    ec2_instance_id: str
    availability_zone: str
    instance_type: str
    status: str
    agent_connected: bool
    cpu_registered: int
    cpu_remaining: int
    memory_registered: int
    memory_remaining: int
    running_tasks: int
    pending_tasks: int
    attributes: Dict[str, Optional[str]]


@dataclass(frozen=True)
class TaskDefinitionInfo:
    """A task definition revision (what a task reserves, in CPU units and MiB)."""

    family: str
    arn: str
    status: str
    network_mode: str
    revision: int
    cpu_units: int
    memory_mib: int
    container_count: int


class _Exceptions:
    """``client.exceptions``: one class per ECS error code, as botocore has it."""

    def __init__(self) -> None:
        for code in ERROR_CODES:
            setattr(self, code, error_class_for_code(code))
        self.ClientError: Type[EcsClientError] = EcsClientError

    def from_code(self, code: str) -> Type[EcsClientError]:
        """The class of an error code (the base class for codes ECS does not model)."""
        return error_class_for_code(code)


_EXCEPTIONS = _Exceptions()


class _Meta:
    """``client.meta``: the few attributes of botocore's that apply here."""

    def __init__(self, region_name: str, account_id: str) -> None:
        self.region_name = region_name
        self.account_id = account_id
        self.service_name = "ecs"
        self.partition = "aws"
        self.endpoint_url = f"libecs://ecs.{region_name}"


class ControlPlane:
    """An in-process ECS control plane with boto3's ECS client interface.

    Args:
        seed: Seed of every random choice (ids, placement ties). The same seed
            and the same calls give the same responses.
        region: AWS region used in ARNs.
        account_id: Twelve-digit account id used in ARNs.
        lenient: Accept pasted DescribeTaskDefinition output in
            register_task_definition (``ECS_PLANE_F_LENIENT_TASKDEF``).
        simulated_agents: Play the part of every container instance's ECS
            agent, and of Fargate (``ECS_PLANE_F_SIMULATED_AGENTS``), as the
            clock moves: a task placed by run_task or a service goes PENDING
            after 1 s and RUNNING after about 5 s, a stopped task is STOPPED
            2 s after stop_task, so code written for boto3 sees its tasks
            run (``get_waiter("tasks_running")``, ``"services_stable"``).
            With False, the plane has no agents: :meth:`step` hands out the
            START and STOP orders, and tasks move only when the host reports
            for them with submit_task_state_change (as real agents do).
        start_time: The clock at creation (default 2026-01-01T00:00:00Z); a
            naive datetime is taken as UTC.
        max_instances_per_cluster: Container instance quota per cluster
            (0: ECS's, 5,000).

    Every ECS operation is a method named as boto3 names it
    (``create_cluster``, ``register_task_definition``, ``run_task``, ...),
    taking keyword arguments only; ``get_paginator`` and ``get_waiter``
    give boto3's paginators and waiters. Operations libecs does not serve yet raise
    :class:`~libecs.errors.EcsClientError` with the code
    ``UnknownOperationException``.
    """

    exceptions = _EXCEPTIONS

    def __init__(
        self,
        seed: int = 0,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        lenient: bool = False,
        start_time: Optional[_dt.datetime] = None,
        max_instances_per_cluster: int = 0,
        simulated_agents: bool = True,
    ) -> None:
        self._lock = threading.RLock()
        self._plane: Optional[int] = None
        self._ctx: Optional[int] = None
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**64:
            raise ValueError(f"seed: an integer in 0 .. 2**64-1, not {seed!r}")
        if not isinstance(region, str) or not isinstance(account_id, str):
            raise TypeError("region and account_id are strings")
        if not isinstance(max_instances_per_cluster, int) or not 0 <= max_instances_per_cluster < 2**32:
            raise ValueError("max_instances_per_cluster: an integer in 0 .. 2**32-1")
        start_ms = 0
        if start_time is not None:
            start_ms = _to_ms(start_time)
            if start_ms <= 0:
                raise ValueError("start_time: after 1970-01-01T00:00:00Z")
        self._seed = seed
        self._region = region
        self._account_id = account_id
        self._seq = 0
        self._simulated_agents = bool(simulated_agents)
        # Orders handed out by steps a waiter took, kept for the next step().
        self._held_orders: List[Dict[str, Any]] = []
        self.meta = _Meta(region, account_id)

        opts = _ffi.ecs_plane_options()
        opts.struct_size = ctypes.sizeof(_ffi.ecs_plane_options)
        opts.flags = (_ffi.ECS_PLANE_F_LENIENT_TASKDEF if lenient else 0) | (
            _ffi.ECS_PLANE_F_SIMULATED_AGENTS if simulated_agents else 0
        )
        opts.seed = seed
        opts.region = region.encode("utf-8")
        opts.account_id = account_id.encode("utf-8")
        opts.start_ms = start_ms
        opts.max_instances_per_cluster = max_instances_per_cluster

        ctx = _ffi.new_context()
        out = _ffi.handle()
        try:
            C.plane_new(ctx, ctypes.byref(opts), ctypes.byref(out))
        except BaseException:
            C.ctx_free(ctx)
            raise
        self._ctx = ctx
        self._plane = out.value
        _ffi.bind_handle(self._plane, self._ctx)

    # ------------------------------------------------------------------
    # Lifetime

    def close(self) -> None:
        """Free the plane and its context. Further calls raise
        :class:`~libecs.errors.ClosedError`. Closing twice is fine."""
        with self._lock:
            plane, ctx = self._plane, self._ctx
            self._plane = self._ctx = None
            if plane:
                _ffi.unbind_handle(plane)
                C.plane_free(plane)
            if ctx:
                C.ctx_free(ctx)

    @property
    def closed(self) -> bool:
        """Whether close() has been called."""
        return self._plane is None

    def __enter__(self) -> "ControlPlane":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # A safety net only: close() (or a with block) is the way to free.
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<libecs.ControlPlane region={self._region} seed={self._seed} {state}>"

    def _handle(self, what: str) -> int:
        plane = self._plane
        if plane is None:
            raise ClosedError(f"{what}: this ControlPlane is closed")
        return plane

    # ------------------------------------------------------------------
    # API calls

    def _request_id(self) -> str:
        digest = hashlib.sha256(
            f"libecs:{self._seed}:{self._region}:{self._account_id}:{self._seq}".encode("ascii")
        ).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    @staticmethod
    def _metadata(status: int, length: int, now_ms: int, request_id: str) -> Dict[str, Any]:
        return {
            "RequestId": request_id,
            "HTTPStatusCode": status,
            "HTTPHeaders": {
                "x-amzn-requestid": request_id,
                "content-type": "application/x-amz-json-1.1",
                "content-length": str(length),
                "date": email.utils.formatdate(now_ms / 1000.0, usegmt=True),
            },
            "RetryAttempts": 0,
        }

    def _make_api_call(self, operation_name: str, params: Dict[str, Any]) -> Dict[str, Any]:
        """Run one action (its name as in the API, e.g. ``"DescribeClusters"``)."""
        request = json.dumps(
            params, default=_encode_default, ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode("utf-8")
        action = operation_name.encode("utf-8")
        out = ctypes.c_void_p()
        out_len = ctypes.c_size_t()
        with self._lock:
            plane = self._handle(_OP_TO_SNAKE.get(operation_name, operation_name))
            rc = C.plane_call(
                plane, action, len(action), request, len(request), ctypes.byref(out), ctypes.byref(out_len)
            )
            text = ctypes.string_at(out.value, out_len.value) if out.value else b""
            if rc < 0:
                code = _text(C.plane_error_code(plane))
                message = _text(C.ctx_errmsg(self._ctx))
            now_ms = C.plane_now_ms(plane)
            self._seq += 1
            request_id = self._request_id()
        if rc < 0:
            raise self._error(operation_name, rc, code, message, text, now_ms, request_id)
        response = json.loads(text) if text else {}
        if not isinstance(response, dict):
            raise EcsInvalidArgumentError(f"{operation_name}: the response is not a JSON object")
        _convert_timestamps(response)
        response["ResponseMetadata"] = self._metadata(200, len(text), now_ms, request_id)
        return response

    def _error(
        self,
        operation_name: str,
        rc: int,
        code: str,
        message: str,
        text: bytes,
        now_ms: int,
        request_id: str,
    ) -> EcsClientError:
        if text:
            try:
                doc = json.loads(text)
            except ValueError:
                doc = None
            if isinstance(doc, dict):
                typ = doc.get("__type")
                if isinstance(typ, str) and typ:
                    code = typ.rsplit("#", 1)[-1]
                msg = doc.get("message", doc.get("Message"))
                if isinstance(msg, str):
                    message = msg
        if not code:
            code = "ServerException" if rc == _ffi.ECS_E_NOMEM else "ClientException"
        status = 500 if code == "ServerException" else 400
        response: Dict[str, Any] = {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": self._metadata(status, len(text), now_ms, request_id),
        }
        if code in ERROR_CODES:
            # botocore adds the members of a modeled error shape (ECS's: message).
            response["message"] = message
        return error_class_for_code(code)(response, operation_name)

    def can_paginate(self, operation_name: str) -> bool:
        """Whether get_paginator() serves the operation (snake_case name)."""
        return _SNAKE_TO_OP.get(operation_name, "") in PAGINATORS

    def get_paginator(self, operation_name: str) -> Paginator:
        """A paginator for a List* operation, named as boto3 names it
        (``"list_clusters"``, ``"list_task_definitions"``, ...)."""
        op = _SNAKE_TO_OP.get(operation_name)
        if op is None or op not in PAGINATORS:
            raise OperationNotPageableError(f"Operation cannot be paginated: {operation_name}")
        return Paginator(getattr(self, operation_name), operation_name, PAGINATORS[op])

    @property
    def waiter_names(self) -> List[str]:
        """The waiters get_waiter() gives, named as boto3 names them."""
        return sorted(_SNAKE_TO_WAITER)

    def get_waiter(self, waiter_name: str) -> Waiter:
        """A waiter of the ECS model, named as boto3 names it:
        ``"services_stable"``, ``"services_inactive"``, ``"tasks_running"``
        or ``"tasks_stopped"``. Its ``wait(**params, WaiterConfig={"Delay":
        s, "MaxAttempts": n})`` behaves as botocore's, except that between
        attempts the plane's clock moves forward by ``Delay`` seconds instead
        of the process sleeping (orders those steps give are kept for the
        next :meth:`step`). Raises ValueError for an unknown name, as boto3
        does; a failed wait raises :class:`~libecs.errors.WaiterError`."""
        name = _SNAKE_TO_WAITER.get(waiter_name)
        if name is None:
            raise ValueError(f"Waiter does not exist: {waiter_name}")
        config = _WAITER_MODEL.get_waiter(name)
        method = getattr(self, _OP_TO_SNAKE[config.operation])
        return Waiter(name, config, method, self._wait_pause, EcsClientError)

    def _wait_pause(self, seconds: float) -> None:
        orders = self.step(seconds)
        with self._lock:
            self._held_orders.extend(orders)

    # ------------------------------------------------------------------
    # The clock and the state (beyond boto3)

    @property
    def now(self) -> _dt.datetime:
        """The plane's clock, as a UTC datetime."""
        with self._lock:
            return _from_ms(C.plane_now_ms(self._handle("now")))

    @property
    def simulated_agents(self) -> bool:
        """Whether the plane plays the agents (the constructor's argument)."""
        return self._simulated_agents

    def step(self, seconds: float = 0.0) -> List[Dict[str, Any]]:
        """Move the clock forward by ``seconds`` (0: do only the work due
        now), do the work that falls due on the way (the service scheduler,
        task health, retention and, with ``simulated_agents``, the agents),
        and return the orders for the host's agents that arose since the
        last step, in the order they arose, each once::

            {"order": "START" | "STOP" | "REGISTER_TARGET" | "DEREGISTER_TARGET",
             "clusterArn": ..., "taskArn": ...,
             "containerInstanceArn": ...,   # absent for a Fargate task
             "targetGroupArn": ..., "targetId": ..., "targetPort": N}  # target orders

        A host without simulated agents carries the orders out and reports
        back with submit_task_state_change. Orders that arose while
        advance_time() or set_time() moved the clock are not returned (those
        drop them); those of the steps a waiter took are."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds >= 0:
            raise ValueError(f"step: a number of seconds >= 0, not {seconds!r}")
        orders_p = ctypes.POINTER(_ffi.ecs_plane_order)()
        count = ctypes.c_size_t()
        with self._lock:
            plane = self._handle("step")
            now = C.plane_now_ms(plane)
            C.plane_step(plane, now + int(round(seconds * 1000)), ctypes.byref(orders_p), ctypes.byref(count))
            result, self._held_orders = self._held_orders, []
            for i in range(count.value):
                order = orders_p[i]
                item = {
                    "order": _ORDER_KINDS.get(order.kind, str(order.kind)),
                    "clusterArn": _text(order.cluster_arn),
                    "taskArn": _text(order.task_arn),
                }
                if order.container_instance_arn:
                    item["containerInstanceArn"] = _text(order.container_instance_arn)
                if order.target_group_arn:
                    item["targetGroupArn"] = _text(order.target_group_arn)
                    item["targetId"] = _text(order.target_id)
                    item["targetPort"] = order.target_port
                result.append(item)
        return result

    def set_time(self, when: _dt.datetime) -> _dt.datetime:
        """Move the clock to ``when`` (naive: UTC) and do the work that falls
        due, as :meth:`step` does but dropping the orders. Time never runs
        backwards: an earlier time raises ValueError."""
        ms = _to_ms(when)
        with self._lock:
            plane = self._handle("set_time")
            C.plane_set_time(plane, ms)
            return _from_ms(C.plane_now_ms(plane))

    def advance_time(self, seconds: float) -> _dt.datetime:
        """Move the clock forward by ``seconds`` (milliseconds are kept), do
        the work that falls due as :meth:`step` does but dropping the orders,
        and return the new time."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds >= 0:
            raise ValueError(f"advance_time: a number of seconds >= 0, not {seconds!r}")
        with self._lock:
            plane = self._handle("advance_time")
            now = C.plane_now_ms(plane)
            C.plane_set_time(plane, now + int(round(seconds * 1000)))
            return _from_ms(C.plane_now_ms(plane))

    def dump(self) -> Dict[str, Any]:
        """The whole state (clusters, instances, task definitions, the clock)
        as a dict, in the library's canonical form (times in milliseconds)."""
        out = ctypes.c_void_p()
        out_len = ctypes.c_size_t()
        with self._lock:
            C.plane_dump(self._handle("dump"), ctypes.byref(out), ctypes.byref(out_len))
            text = ctypes.string_at(out.value, out_len.value)
        return json.loads(text)

    def snapshot(self) -> str:
        """The whole plane as one versioned JSON document (the library's
        ``ecs_plane_snapshot``), from which :meth:`restore` makes a plane that
        answers every later call exactly as this one would."""
        out = ctypes.c_void_p()
        out_len = ctypes.c_size_t()
        with self._lock:
            C.plane_snapshot(self._handle("snapshot"), ctypes.byref(out), ctypes.byref(out_len))
            return ctypes.string_at(out.value, out_len.value).decode("utf-8")

    @classmethod
    def restore(cls, snapshot: Any) -> "ControlPlane":
        """A new plane from a :meth:`snapshot` document (str or bytes): the
        same clock, seed, options and state. A damaged or foreign document
        raises :class:`~libecs.errors.EcsError` naming the member at fault,
        and nothing is made."""
        if isinstance(snapshot, str):
            data = snapshot.encode("utf-8")
        elif isinstance(snapshot, (bytes, bytearray)):
            data = bytes(snapshot)
        else:
            raise TypeError(f"restore: a str or bytes snapshot, not {type(snapshot).__name__}")
        ctx = _ffi.new_context()
        out = _ffi.handle()
        try:
            C.plane_restore(ctx, data, len(data), ctypes.byref(out))
        except BaseException:
            C.ctx_free(ctx)
            raise
        self = cls.__new__(cls)
        self._lock = threading.RLock()
        self._ctx = ctx
        self._plane = out.value
        _ffi.bind_handle(self._plane, self._ctx)
        header = json.loads(data)
        self._seed = int(header.get("seed", "0"), 16) if isinstance(header.get("seed"), str) else 0
        self._region = header.get("region", "us-east-1")
        self._account_id = header.get("account", "123456789012")
        self._seq = 0
        self._simulated_agents = bool(int(header.get("flags", 0)) & _ffi.ECS_PLANE_F_SIMULATED_AGENTS)
        self._held_orders = []
        self.meta = _Meta(self._region, self._account_id)
        return self

    # ------------------------------------------------------------------
    # Typed readers (beyond boto3)

    def cluster_infos(self) -> List[ClusterInfo]:
        """Every cluster (INACTIVE ones included), in creation order."""
        with self._lock:
            plane = self._handle("cluster_infos")
            result = []
            info = _ffi.ecs_cluster_info()
            for i in range(C.plane_cluster_count(plane)):
                C.plane_cluster_info(plane, i, ctypes.byref(info))
                result.append(
                    ClusterInfo(
                        _text(info.name), _text(info.arn), _text(info.status),
                        info.registered_instances, info.running_tasks,
                        info.pending_tasks, info.active_services,
                    )
                )
            return result

    def instance_infos(self, cluster: str = "default") -> List[InstanceInfo]:
        """The container instances of a cluster (name or ARN), in
        registration order. Raises ``ClusterNotFoundException``."""
        ref = cluster.encode("utf-8")
        with self._lock:
            plane = self._handle("instance_infos")
            index = ctypes.c_size_t()
            if C.plane_find_cluster(plane, ref, len(ref), ctypes.byref(index)) < 0:
                raise error_class_for_code("ClusterNotFoundException")(
                    {"Error": {"Code": "ClusterNotFoundException", "Message": "Cluster not found."}},
                    "InstanceInfos",
                )
            ci = index.value
            result = []
            info = _ffi.ecs_instance_info()
            name = ctypes.c_char_p()
            value = ctypes.c_char_p()
            for i in range(C.plane_instance_count(plane, ci)):
                C.plane_instance_info(plane, ci, i, ctypes.byref(info))
                attrs: Dict[str, Optional[str]] = {}
                for a in range(info.attribute_count):
                    C.plane_instance_attribute(plane, ci, i, a, ctypes.byref(name), ctypes.byref(value))
                    attrs[_text(name.value)] = None if value.value is None else _text(value.value)
                result.append(
                    InstanceInfo(
                        _text(info.arn), _text(info.id), _text(info.ec2_instance_id),
                        _text(info.availability_zone), _text(info.instance_type),
                        _text(info.status), bool(info.agent_connected),
                        info.cpu_registered, info.cpu_remaining,
                        info.memory_registered, info.memory_remaining,
                        info.running_tasks, info.pending_tasks, attrs,
                    )
                )
            return result

    def task_definition_info(self, task_definition: str) -> Optional[TaskDefinitionInfo]:
        """A task definition as a ``taskDefinition`` member resolves it
        ("family", "family:revision" or the ARN), or None."""
        ref = task_definition.encode("utf-8")
        with self._lock:
            plane = self._handle("task_definition_info")
            info = _ffi.ecs_taskdef_info()
            if C.plane_find_taskdef(plane, ref, len(ref), ctypes.byref(info)) < 0:
                return None
            return TaskDefinitionInfo(
                _text(info.family), _text(info.arn), _text(info.status), _text(info.network_mode),
                info.revision, info.cpu_units, info.memory_mib, info.container_count,
            )


def _make_method(operation_name: str, py_name: str) -> Any:
    def api_call(self: ControlPlane, *args: Any, **kwargs: Any) -> Dict[str, Any]:
        if args:
            raise TypeError(f"{py_name}() only accepts keyword arguments.")
        return self._make_api_call(operation_name, kwargs)

    api_call.__name__ = py_name
    api_call.__qualname__ = f"ControlPlane.{py_name}"
    api_call.__doc__ = (
        f"The ECS action {operation_name}: keyword arguments as in its request, "
        f"the response as a dict (timestamps as UTC datetimes, plus ResponseMetadata). "
        f"Errors raise the exception class of their ECS code."
    )
    return api_call


for _op, _py in OPERATIONS + EXTENSIONS:
    setattr(ControlPlane, _py, _make_method(_op, _py))
del _op, _py
