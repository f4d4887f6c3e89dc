"""``PlacementEngine``: libecs's level-1 placement engine.

The host describes its container instances and the tasks already on them;
the engine says where new tasks go under ECS's rules (resources, ports,
required attributes, zones, distinctInstance and memberOf constraints, and a
chain of binpack/spread/random strategies), and why a task cannot be placed.

Example::

    with libecs.PlacementEngine(seed=1) as engine:
        engine.set_instance("i-1", cpu=2048, memory=4096,
                            attributes={"ecs.availability-zone": "us-east-1a"})
        engine.set_instance("i-2", cpu=2048, memory=4096,
                            attributes={"ecs.availability-zone": "us-east-1b"})
        for outcome in engine.place(count=2, cpu=256, memory=512,
                                    strategies=[("spread", "attribute:ecs.availability-zone")]):
            print(outcome["instance_id"])
"""

from __future__ import annotations

import ctypes
import datetime as _dt
import threading
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _ffi
from ._ffi import C
from .errors import ClosedError, EcsError

__all__ = ["PlacementEngine", "PortSpec", "StrategySpec"]

#: A host port: ``8080`` (TCP), ``(53, "udp")``, ``{"port": 53, "protocol": "udp"}``;
#: port 0 asks for a dynamic port.
PortSpec = Union[int, Tuple[int, str], Mapping[str, Any]]
#: A strategy: ``("binpack", "memory")``, ``("spread", "attribute:NAME")``,
#: ``("random",)``, or ECS's ``{"type": "spread", "field": "instanceId"}``.
StrategySpec = Union[Tuple[str, ...], Mapping[str, Any], str]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def _b(value: str, what: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{what}: a string, not {type(value).__name__}")
    return value.encode("utf-8")


def _u32(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**32:
        raise ValueError(f"{what}: an integer in 0 .. 2**32-1, not {value!r}")
    return value


def _u16_array(ports: Iterable[int], what: str) -> Tuple[Any, int]:
    values = list(ports)
    for p in values:
        if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p < 65536:
            raise ValueError(f"{what}: ports are integers in 0 .. 65535, not {p!r}")
    if not values:
        return None, 0
    return (ctypes.c_uint16 * len(values))(*values), len(values)


def _str_array(values: Sequence[str], what: str) -> Tuple[Any, Any, int]:
    encoded = [_b(v, what) for v in values]
    if not encoded:
        return None, None, 0
    ptrs = (ctypes.c_char_p * len(encoded))(*encoded)
    lens = (ctypes.c_size_t * len(encoded))(*[len(e) for e in encoded])
    return ptrs, lens, len(encoded)


def _as_pointer(array: Any, ctype: Any) -> Any:
    return ctypes.cast(array, ctypes.POINTER(ctype)) if array is not None else None


def _ports(ports: Sequence[PortSpec]) -> Tuple[Any, int]:
    specs: List[Tuple[int, bool, bool]] = []
    for p in ports:
        dynamic = False
        if isinstance(p, Mapping):
            number, protocol = p.get("port", p.get("hostPort", 0)), p.get("protocol", "tcp")
            dynamic = bool(p.get("dynamic", False))
        elif isinstance(p, tuple):
            number, protocol = p[0], (p[1] if len(p) > 1 else "tcp")
        else:
            number, protocol = p, "tcp"
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number < 65536:
            raise ValueError(f"ports: a port number in 0 .. 65535, not {number!r}")
        if protocol not in ("tcp", "udp"):
            raise ValueError(f"ports: protocol 'tcp' or 'udp', not {protocol!r}")
        specs.append((number, protocol == "udp", dynamic))
    if not specs:
        return None, 0
    array = (_ffi.ecs_place_port * len(specs))()
    for i, (number, udp, dynamic) in enumerate(specs):
        array[i].port = number
        array[i].udp = udp
        array[i].dynamic = dynamic
    return array, len(specs)


def _strategy(spec: StrategySpec) -> Tuple[int, Optional[bytes]]:
    if isinstance(spec, str):
        kind, field = spec, None
    elif isinstance(spec, Mapping):
        kind, field = spec.get("type"), spec.get("field")
    else:
        kind = spec[0] if spec else None
        field = spec[1] if len(spec) > 1 else None
    if kind == "random":
        return _ffi.ECS_PLACE_RANDOM, None
    if kind == "binpack":
        if field == "cpu":
            return _ffi.ECS_PLACE_BINPACK_CPU, None
        if field == "memory":
            return _ffi.ECS_PLACE_BINPACK_MEMORY, None
        raise ValueError(f"binpack: field 'cpu' or 'memory', not {field!r}")
    if kind == "spread":
        if field in ("instanceId", "host"):
            return _ffi.ECS_PLACE_SPREAD_INSTANCE, None
        if isinstance(field, str) and field.startswith("attribute:") and len(field) > len("attribute:"):
            return _ffi.ECS_PLACE_SPREAD_ATTRIBUTE, field[len("attribute:"):].encode("utf-8")
        raise ValueError(f"spread: field 'instanceId', 'host' or 'attribute:NAME', not {field!r}")
    raise ValueError(f"strategy type 'binpack', 'spread' or 'random', not {kind!r}")


class PlacementEngine:
    """The level-1 placement engine over instances the host describes.

    Args:
        seed: Seed of the tie ranks and of the random strategy (the same seed
            and the same calls place the same way).

    Failures of the C library raise :class:`~libecs.errors.EcsError`
    subclasses (``EcsNotFoundError`` for an unknown instance or task,
    ``EcsConflictError`` for a duplicate task or a task that does not fit,
    ``EcsParseError`` for a memberOf expression that does not compile, ...).
    """

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.RLock()
        self._engine: Optional[int] = None
        self._ctx: Optional[int] = None
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
            raise ValueError(f"seed: an integer in 0 .. 2**64-1, not {seed!r}")
        if not C.has("place_new"):
            raise EcsError("this libecs has no placement engine (ecs_place_new is missing)")
        opts = _ffi.ecs_place_options(ctypes.sizeof(_ffi.ecs_place_options), seed)
        ctx = _ffi.new_context()
        out = _ffi.handle()
        try:
            C.place_new(ctx, ctypes.byref(opts), ctypes.byref(out))
        except BaseException:
            C.ctx_free(ctx)
            raise
        self._ctx = ctx
        self._engine = out.value
        _ffi.bind_handle(self._engine, self._ctx)

    # ------------------------------------------------------------------
    # Lifetime

    def close(self) -> None:
        """Free the engine. Further calls raise :class:`~libecs.errors.ClosedError`."""
        with self._lock:
            engine, ctx = self._engine, self._ctx
            self._engine = self._ctx = None
            if engine:
                _ffi.unbind_handle(engine)
                C.place_free(engine)
            if ctx:
                C.ctx_free(ctx)

    @property
    def closed(self) -> bool:
        """Whether close() has been called."""
        return self._engine is None

    def __enter__(self) -> "PlacementEngine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # A safety net only: close() (or a with block) is the way to free.
        try:
            self.close()
        except Exception:
            pass

    def _handle(self, what: str) -> int:
        engine = self._engine
        if engine is None:
            raise ClosedError(f"{what}: this PlacementEngine is closed")
        return engine

    # ------------------------------------------------------------------
    # Instances

    def set_instance(
        self,
        id: str,
        *,
        cpu: int,
        memory: int,
        gpus: int = 0,
        eni_slots: int = 0,
        ec2_instance_id: Optional[str] = None,
        agent_version: Optional[str] = None,
        registered_at: Optional[Union[_dt.datetime, int]] = None,
        active: bool = True,
        agent_connected: bool = True,
        reserved_tcp: Sequence[int] = (),
        reserved_udp: Sequence[int] = (),
        ephemeral_range: Optional[Tuple[int, int]] = None,
        attributes: Optional[Mapping[str, Optional[str]]] = None,
    ) -> None:
        """Add an instance, or update the one with this id (its tasks and
        attributes stay).

        Args:
            id: The instance's unique key (e.g. its container instance ARN).
            cpu, memory, gpus: Registered CPU units, MiB and GPUs.
            eni_slots: Task ENIs it can attach (awsvpc tasks need one each).
            ec2_instance_id, agent_version: For memberOf expressions.
            registered_at: Registration time (datetime, or ms since the epoch).
            active: False (DRAINING...) is never chosen.
            agent_connected: False fails placement with AGENT.
            reserved_tcp, reserved_udp: Host ports reserved at registration.
            ephemeral_range: (first, last) dynamic host ports; default
                49153..65535.
            attributes: Attributes to set as well ({name: value or None}).
        """
        key = _b(id, "id")
        ec2 = None if ec2_instance_id is None else _b(ec2_instance_id, "ec2_instance_id")
        agent = None if agent_version is None else _b(agent_version, "agent_version")
        tcp, ntcp = _u16_array(reserved_tcp, "reserved_tcp")
        udp, nudp = _u16_array(reserved_udp, "reserved_udp")
        first, last = ephemeral_range if ephemeral_range is not None else (0, 0)
        if isinstance(registered_at, _dt.datetime):
            when = registered_at if registered_at.tzinfo else registered_at.replace(tzinfo=_dt.timezone.utc)
            registered_ms = int((when - _EPOCH) / _dt.timedelta(milliseconds=1))
        else:
            registered_ms = int(registered_at or 0)
        inst = _ffi.ecs_place_instance()
        inst.struct_size = ctypes.sizeof(_ffi.ecs_place_instance)
        inst.id, inst.id_len = key, len(key)
        inst.ec2_instance_id, inst.ec2_instance_id_len = ec2, len(ec2 or b"")
        inst.agent_version, inst.agent_version_len = agent, len(agent or b"")
        inst.registered_at_ms = registered_ms
        inst.active = bool(active)
        inst.agent_connected = bool(agent_connected)
        inst.cpu = _u32(cpu, "cpu")
        inst.memory_mib = _u32(memory, "memory")
        inst.gpus = _u32(gpus, "gpus")
        inst.eni_slots = _u32(eni_slots, "eni_slots")
        if tcp is not None:
            inst.reserved_tcp = ctypes.cast(tcp, ctypes.POINTER(ctypes.c_uint16))
        inst.nreserved_tcp = ntcp
        if udp is not None:
            inst.reserved_udp = ctypes.cast(udp, ctypes.POINTER(ctypes.c_uint16))
        inst.nreserved_udp = nudp
        _u16_array((first, last), "ephemeral_range")
        inst.ephemeral_first, inst.ephemeral_last = first, last
        with self._lock:
            engine = self._handle("set_instance")
            C.place_set_instance(engine, ctypes.byref(inst))
            for name, value in (attributes or {}).items():
                self.set_attribute(id, name, value)

    def remove_instance(self, id: str) -> None:
        """Remove an instance and forget its tasks (EcsNotFoundError when absent)."""
        key = _b(id, "id")
        with self._lock:
            C.place_remove_instance(self._handle("remove_instance"), key, len(key))

    def set_attribute(self, instance_id: str, name: str, value: Optional[str] = None) -> None:
        """Set an attribute of an instance (value None: an attribute without a value)."""
        key, n = _b(instance_id, "instance_id"), _b(name, "name")
        v = None if value is None else _b(value, "value")
        with self._lock:
            C.place_set_attribute(self._handle("set_attribute"), key, len(key), n, len(n), v, len(v or b""))

    def unset_attribute(self, instance_id: str, name: str) -> None:
        """Remove an attribute of an instance."""
        key, n = _b(instance_id, "instance_id"), _b(name, "name")
        with self._lock:
            C.place_unset_attribute(self._handle("unset_attribute"), key, len(key), n, len(n))

    def __len__(self) -> int:
        with self._lock:
            return C.place_instance_count(self._handle("len"))

    @property
    def instance_count(self) -> int:
        """Number of instances the engine knows."""
        return len(self)

    def remaining(self, instance_id: str) -> Dict[str, int]:
        """What an instance has left: cpu, memory, gpus, eni_slots and its
        running_tasks count."""
        key = _b(instance_id, "instance_id")
        vals = [ctypes.c_uint32() for _ in range(5)]
        with self._lock:
            C.place_remaining(self._handle("remaining"), key, len(key), *[ctypes.byref(v) for v in vals])
        return dict(zip(("cpu", "memory", "gpus", "eni_slots", "running_tasks"), (v.value for v in vals)))

    # ------------------------------------------------------------------
    # Tasks

    @staticmethod
    def _need(cpu: int, memory: int, gpus: int, eni: bool, ports: Sequence[PortSpec],
              group: Optional[str]) -> Tuple[Any, List[Any]]:
        need = _ffi.ecs_place_need()
        need.cpu = _u32(cpu, "cpu")
        need.memory_mib = _u32(memory, "memory")
        need.gpus = _u32(gpus, "gpus")
        need.eni = bool(eni)
        keep: List[Any] = []
        array, n = _ports(ports)
        if array is not None:
            need.ports = ctypes.cast(array, ctypes.POINTER(_ffi.ecs_place_port))
            keep.append(array)
        need.nports = n
        if group is not None:
            g = _b(group, "group")
            need.group, need.group_len = g, len(g)
            keep.append(g)
        return need, keep

    def add_task(
        self,
        task_id: str,
        instance_id: str,
        *,
        cpu: int = 0,
        memory: int = 0,
        gpus: int = 0,
        eni: bool = False,
        ports: Sequence[PortSpec] = (),
        group: Optional[str] = None,
    ) -> List[int]:
        """Record a task already running on an instance; returns its host
        ports (dynamic ones, given as 0, assigned). A dynamic port the task
        already holds is given as {"port": N, "dynamic": True}: taken, but
        not counted against the instance's 100 static ports."""
        tid, iid = _b(task_id, "task_id"), _b(instance_id, "instance_id")
        need, keep = self._need(cpu, memory, gpus, eni, ports, group)
        out = (ctypes.c_uint16 * max(need.nports, 1))()
        with self._lock:
            C.place_add_task(self._handle("add_task"), tid, len(tid), iid, len(iid), ctypes.byref(need), out)
        del keep
        return list(out[: need.nports])

    def remove_task(self, task_id: str) -> None:
        """Give a task's resources back (EcsNotFoundError when unknown)."""
        tid = _b(task_id, "task_id")
        with self._lock:
            C.place_remove_task(self._handle("remove_task"), tid, len(tid))

    # ------------------------------------------------------------------
    # Placing

    def place(
        self,
        count: int = 1,
        *,
        cpu: int = 0,
        memory: int = 0,
        gpus: int = 0,
        eni: bool = False,
        ports: Sequence[PortSpec] = (),
        group: Optional[str] = None,
        required_attributes: Sequence[str] = (),
        zones: Optional[Sequence[str]] = None,
        distinct_instance: bool = False,
        member_of: Sequence[str] = (),
        strategies: Sequence[StrategySpec] = (),
        dry_run: bool = False,
        task_ids: Optional[Sequence[str]] = None,
    ) -> List[Dict[str, Any]]:
        """Place ``count`` tasks alike, one after the other.

        Args:
            count: Tasks to place (1 .. 10,000).
            cpu, memory, gpus, eni, ports: What each task needs.
            group: Task group ("service:web", "family:web") for spread and
                task:group expressions.
            required_attributes: Attribute names an instance must have.
            zones: awsvpc on EC2: the zones allowed (None: any).
            distinct_instance: The distinctInstance constraint.
            member_of: memberOf expressions in the cluster query language.
            strategies: Up to five, applied in order, e.g.
                ``[("spread", "attribute:ecs.availability-zone"), ("binpack", "memory")]``.
            dry_run: Say where, reserve nothing.
            task_ids: Ids to record the placed tasks under (``count`` of
                them); None records nothing (later tasks of the request still
                see earlier ones).

        Returns:
            One dict per task: ``placed`` (bool), ``instance_id`` (where it
            went, or None), ``ports`` (its host ports), and for a task not
            placed ``reason`` (ECS's text, e.g. ``"RESOURCE:MEMORY"``),
            ``closest`` (the closest-matching instance or None) and
            ``explanation``; those three are None for a placed task.
        """
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= _ffi.ECS_PLACE_MAX_COUNT:
            raise ValueError(f"count: 1 .. {_ffi.ECS_PLACE_MAX_COUNT}, not {count!r}")
        need, keep = self._need(cpu, memory, gpus, eni, ports, group)
        req = _ffi.ecs_place_request()
        req.struct_size = ctypes.sizeof(_ffi.ecs_place_request)
        req.count = count
        req.need = need
        req.distinct_instance = bool(distinct_instance)
        req.dry_run = bool(dry_run)

        def strs(values: Sequence[str], what: str) -> Tuple[Any, Any, int]:
            if isinstance(values, str):
                raise TypeError(f"{what}: a list of strings, not a string")
            ptrs, lens, n = _str_array(list(values), what)
            keep.extend((ptrs, lens))
            return _as_pointer(ptrs, ctypes.c_char_p), _as_pointer(lens, ctypes.c_size_t), n

        req.required_attributes, req.required_attribute_lens, req.nrequired_attributes = strs(
            required_attributes, "required_attributes")
        if zones is not None:
            req.zones, req.zone_lens, req.nzones = strs(zones, "zones")
        req.member_of, req.member_of_lens, req.nmember_of = strs(member_of, "member_of")
        if task_ids is not None:
            if len(task_ids) != count:
                raise ValueError(f"task_ids: {count} ids, one per task, not {len(task_ids)}")
            req.task_ids, req.task_id_lens, _ = strs(task_ids, "task_ids")
        parsed = [_strategy(s) for s in strategies]
        if parsed:
            array = (_ffi.ecs_place_strategy * len(parsed))()
            for i, (kind, attr) in enumerate(parsed):
                array[i].type = kind
                array[i].attribute = attr
                array[i].attribute_len = len(attr or b"")
            keep.append(array)
            req.strategies = ctypes.cast(array, ctypes.POINTER(_ffi.ecs_place_strategy))
        req.nstrategies = len(parsed)

        result = _ffi.handle()
        with self._lock:
            C.place_tasks(self._handle("place"), ctypes.byref(req), ctypes.byref(result))
        try:
            return self._outcomes(result.value)
        finally:
            if result.value:
                C.place_result_free(result.value)

    @staticmethod
    def _outcomes(result: Optional[int]) -> List[Dict[str, Any]]:
        outcomes: List[Dict[str, Any]] = []
        if not result:
            return outcomes
        oc = _ffi.ecs_place_outcome()
        for i in range(C.place_result_count(result)):
            if C.place_result_get(result, i, ctypes.byref(oc)) < 0:
                raise EcsError(f"ecs_place_result_get({i}) failed")
            instance = None
            if oc.instance_id:
                instance = ctypes.string_at(oc.instance_id, oc.instance_id_len).decode("utf-8", "replace")
            ports = [oc.ports[j] for j in range(oc.nports)] if oc.nports else []
            if oc.reason == 0:
                outcomes.append({"placed": True, "instance_id": instance, "ports": ports,
                                 "reason": None, "closest": None, "explanation": None})
            else:
                reason = (C.place_reason_str(oc.reason) or b"").decode("utf-8", "replace")
                explanation = (oc.explanation or b"").decode("utf-8", "replace")
                outcomes.append({"placed": False, "instance_id": None, "ports": ports,
                                 "reason": reason, "closest": instance, "explanation": explanation})
        return outcomes
