"""The C interface of libecs as ctypes declarations.

One table, :data:`FUNCTIONS`, lists every function the binding calls with its
argument types, result type and error check. Handles (``ecs_ctx *``,
``ecs_plane *``, ``ecs_place *``, ``ecs_place_result *``) are ``c_void_p``;
every function returning a pointer declares it, so no pointer is ever cut to
a C ``int``.

Error checks: functions returning ``ecs_status`` whose failures are always
exceptional carry an errcheck that raises the :class:`~libecs.errors.EcsError`
subclass of the status with the context's message. The context is the first
argument (``ctx``), or is found from the handle in the first argument
(``handle``): wrappers register each handle with :func:`bind_handle` when
they create it and forget it with :func:`unbind_handle` before freeing it.
Functions whose failures are ordinary outcomes (``ecs_plane_call``, lookups
answering ``ECS_E_NOT_FOUND``) have no errcheck; their callers read the
status.
"""

from __future__ import annotations

import ctypes
from ctypes import (
    POINTER,
    Structure,
    c_bool,
    c_char_p,
    c_int,
    c_int64,
    c_size_t,
    c_uint,
    c_uint16,
    c_uint32,
    c_uint64,
    c_void_p,
)
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from . import _native
from .errors import EcsError, error_for_status

__all__ = [
    "lib",
    "FUNCTIONS",
    "bind_handle",
    "unbind_handle",
    "status_name",
    "ECS_OK",
    "ECS_PLANE_F_LENIENT_TASKDEF",
    "ECS_PLANE_F_SIMULATED_AGENTS",
    "ECS_ORDER_START",
    "ECS_ORDER_STOP",
    "ECS_ORDER_REGISTER_TARGET",
    "ECS_ORDER_DEREGISTER_TARGET",
]

ECS_OK = 0
ECS_DONE = 1
ECS_E_NOMEM = -1
ECS_E_INVALID_ARG = -2
ECS_E_NOT_FOUND = -4

ECS_PLANE_F_LENIENT_TASKDEF = 0x1
ECS_PLANE_F_SIMULATED_AGENTS = 0x2

# enum ecs_plane_order_kind
ECS_ORDER_START = 1
ECS_ORDER_STOP = 2
ECS_ORDER_REGISTER_TARGET = 3
ECS_ORDER_DEREGISTER_TARGET = 4

ECS_PLACE_BINPACK_CPU = 0
ECS_PLACE_BINPACK_MEMORY = 1
ECS_PLACE_SPREAD_INSTANCE = 2
ECS_PLACE_SPREAD_ATTRIBUTE = 3
ECS_PLACE_RANDOM = 4
ECS_PLACE_MAX_COUNT = 10000

ecs_status = c_int
handle = c_void_p


# --------------------------------------------------------------------------
# Structures (field for field as in the public headers).


class ecs_errpos(Structure):
    _fields_ = [("offset", c_size_t), ("line", c_size_t), ("column", c_size_t)]


class ecs_plane_options(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("flags", c_uint32),
        ("seed", c_uint64),
        ("region", c_char_p),
        ("account_id", c_char_p),
        ("start_ms", c_int64),
        ("max_instances_per_cluster", c_uint32),
    ]


class ecs_plane_order(Structure):
    # The kind is a C enum (ecs_plane_order_kind): an int.
    _fields_ = [
        ("kind", c_int),
        ("cluster_arn", c_char_p),
        ("task_arn", c_char_p),
        ("container_instance_arn", c_char_p),
        ("target_group_arn", c_char_p),
        ("target_id", c_char_p),
        ("target_port", c_uint32),
    ]


class ecs_cluster_info(Structure):
    _fields_ = [
        ("name", c_char_p),
        ("arn", c_char_p),
        ("status", c_char_p),
        ("registered_instances", c_uint32),
        ("running_tasks", c_uint32),
        ("pending_tasks", c_uint32),
        ("active_services", c_uint32),
    ]


class ecs_instance_info(Structure):
    _fields_ = [
        ("arn", c_char_p),
        ("id", c_char_p),
        ("ec2_instance_id", c_char_p),
        ("availability_zone", c_char_p),
        ("instance_type", c_char_p),
        ("status", c_char_p),
        ("agent_connected", c_bool),
        ("cpu_registered", c_int64),
        ("cpu_remaining", c_int64),
        ("memory_registered", c_int64),
        ("memory_remaining", c_int64),
        ("running_tasks", c_uint32),
        ("pending_tasks", c_uint32),
        ("attribute_count", c_size_t),
    ]


class ecs_taskdef_info(Structure):
    _fields_ = [
        ("family", c_char_p),
        ("arn", c_char_p),
        ("status", c_char_p),
        ("network_mode", c_char_p),
        ("revision", c_uint32),
        ("cpu_units", c_uint32),
        ("memory_mib", c_uint32),
        ("container_count", c_size_t),
    ]


class ecs_place_options(Structure):
    _fields_ = [("struct_size", c_uint32), ("seed", c_uint64)]


class ecs_place_instance(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("id", c_char_p),
        ("id_len", c_size_t),
        ("ec2_instance_id", c_char_p),
        ("ec2_instance_id_len", c_size_t),
        ("agent_version", c_char_p),
        ("agent_version_len", c_size_t),
        ("registered_at_ms", c_int64),
        ("active", c_bool),
        ("agent_connected", c_bool),
        ("cpu", c_uint32),
        ("memory_mib", c_uint32),
        ("gpus", c_uint32),
        ("eni_slots", c_uint32),
        ("reserved_tcp", POINTER(c_uint16)),
        ("nreserved_tcp", c_size_t),
        ("reserved_udp", POINTER(c_uint16)),
        ("nreserved_udp", c_size_t),
        ("ephemeral_first", c_uint16),
        ("ephemeral_last", c_uint16),
    ]


class ecs_place_port(Structure):
    _fields_ = [("port", c_uint16), ("udp", c_bool), ("dynamic", c_bool)]


class ecs_place_need(Structure):
    _fields_ = [
        ("cpu", c_uint32),
        ("memory_mib", c_uint32),
        ("gpus", c_uint32),
        ("eni", c_bool),
        ("ports", POINTER(ecs_place_port)),
        ("nports", c_size_t),
        ("group", c_char_p),
        ("group_len", c_size_t),
    ]


class ecs_place_strategy(Structure):
    _fields_ = [("type", c_int), ("attribute", c_char_p), ("attribute_len", c_size_t)]


class ecs_place_request(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("count", c_uint32),
        ("need", ecs_place_need),
        ("required_attributes", POINTER(c_char_p)),
        ("required_attribute_lens", POINTER(c_size_t)),
        ("nrequired_attributes", c_size_t),
        ("zones", POINTER(c_char_p)),
        ("zone_lens", POINTER(c_size_t)),
        ("nzones", c_size_t),
        ("distinct_instance", c_bool),
        ("member_of", POINTER(c_char_p)),
        ("member_of_lens", POINTER(c_size_t)),
        ("nmember_of", c_size_t),
        ("strategies", POINTER(ecs_place_strategy)),
        ("nstrategies", c_size_t),
        ("dry_run", c_bool),
        ("task_ids", POINTER(c_char_p)),
        ("task_id_lens", POINTER(c_size_t)),
    ]


class ecs_place_outcome(Structure):
    _fields_ = [
        ("reason", c_int),
        ("instance_id", c_void_p),
        ("instance_id_len", c_size_t),
        ("ports", POINTER(c_uint16)),
        ("nports", c_size_t),
        ("explanation", c_char_p),
    ]


# --------------------------------------------------------------------------
# Error checks.

lib = _native.load()

_ctx_errmsg = lib.ecs_ctx_errmsg
_ctx_errmsg.argtypes = [handle]
_ctx_errmsg.restype = c_char_p

_status_str = lib.ecs_status_str
_status_str.argtypes = [ecs_status]
_status_str.restype = c_char_p

# handle address -> its context's address.
_CTX_OF: Dict[int, int] = {}


def bind_handle(obj: Optional[int], ctx: Optional[int]) -> None:
    """Record that the handle at address ``obj`` was made through ``ctx``."""
    if obj and ctx:
        _CTX_OF[obj] = ctx


def unbind_handle(obj: Optional[int]) -> None:
    """Forget a handle (call before freeing it)."""
    if obj:
        _CTX_OF.pop(obj, None)


def status_name(status: int) -> str:
    """The C name of a status, such as ``"ECS_E_NOT_FOUND"``."""
    return (_status_str(status) or b"").decode("utf-8", "replace")


def _address(arg: Any) -> Optional[int]:
    if isinstance(arg, c_void_p):
        return arg.value
    if isinstance(arg, int):
        return arg
    return None


def _raise_status(status: int, ctx: Optional[int]) -> None:
    message = ""
    if ctx:
        message = (_ctx_errmsg(ctx) or b"").decode("utf-8", "replace")
    if not message:
        message = status_name(status)
    raise error_for_status(status, message)


def _check_ctx(result: int, func: Any, args: Tuple[Any, ...]) -> int:
    if result < 0:
        _raise_status(result, _address(args[0]))
    return result


def _check_handle(result: int, func: Any, args: Tuple[Any, ...]) -> int:
    if result < 0:
        obj = _address(args[0])
        _raise_status(result, _CTX_OF.get(obj) if obj else None)
    return result


def _check_noctx(result: int, func: Any, args: Tuple[Any, ...]) -> int:
    if result < 0:
        _raise_status(result, None)
    return result


_CHECKS: Dict[Optional[str], Optional[Callable[..., int]]] = {
    None: None,
    "ctx": _check_ctx,
    "handle": _check_handle,
    "noctx": _check_noctx,
}

P = POINTER

# name, argtypes, restype, errcheck (None, "ctx", "handle" or "noctx").
FUNCTIONS: Sequence[Tuple[str, Sequence[Any], Any, Optional[str]]] = (
    ("ecs_version", [], c_uint, None),
    ("ecs_version_string", [], c_char_p, None),
    ("ecs_status_str", [ecs_status], c_char_p, None),
    # context.h
    ("ecs_ctx_new", [c_void_p, P(handle)], ecs_status, "noctx"),
    ("ecs_ctx_free", [handle], None, None),
    ("ecs_ctx_errmsg", [handle], c_char_p, None),
    ("ecs_ctx_errcode", [handle], ecs_status, None),
    ("ecs_ctx_errpos", [handle, P(ecs_errpos)], c_bool, None),
    ("ecs_ctx_clear_error", [handle], None, None),
    # plane.h
    ("ecs_plane_new", [handle, P(ecs_plane_options), P(handle)], ecs_status, "ctx"),
    ("ecs_plane_free", [handle], None, None),
    ("ecs_plane_call",
     [handle, c_char_p, c_size_t, c_char_p, c_size_t, P(c_void_p), P(c_size_t)],
     ecs_status, None),
    ("ecs_plane_error_code", [handle], c_char_p, None),
    ("ecs_plane_now_ms", [handle], c_int64, None),
    ("ecs_plane_set_time", [handle, c_int64], ecs_status, "handle"),
    ("ecs_plane_step",
     [handle, c_int64, P(P(ecs_plane_order)), P(c_size_t)], ecs_status, "handle"),
    ("ecs_plane_snapshot", [handle, P(c_void_p), P(c_size_t)], ecs_status, "handle"),
    ("ecs_plane_restore", [handle, c_char_p, c_size_t, P(handle)], ecs_status, "ctx"),
    ("ecs_plane_dump", [handle, P(c_void_p), P(c_size_t)], ecs_status, "handle"),
    ("ecs_plane_cluster_count", [handle], c_size_t, None),
    ("ecs_plane_cluster_info", [handle, c_size_t, P(ecs_cluster_info)], ecs_status, "handle"),
    ("ecs_plane_find_cluster", [handle, c_char_p, c_size_t, P(c_size_t)], ecs_status, None),
    ("ecs_plane_instance_count", [handle, c_size_t], c_size_t, None),
    ("ecs_plane_instance_info",
     [handle, c_size_t, c_size_t, P(ecs_instance_info)], ecs_status, "handle"),
    ("ecs_plane_instance_attribute",
     [handle, c_size_t, c_size_t, c_size_t, P(c_char_p), P(c_char_p)], ecs_status, "handle"),
    ("ecs_plane_find_taskdef", [handle, c_char_p, c_size_t, P(ecs_taskdef_info)], ecs_status, None),
    # place.h
    ("ecs_place_new", [handle, P(ecs_place_options), P(handle)], ecs_status, "ctx"),
    ("ecs_place_free", [handle], None, None),
    ("ecs_place_set_instance", [handle, P(ecs_place_instance)], ecs_status, "handle"),
    ("ecs_place_remove_instance", [handle, c_char_p, c_size_t], ecs_status, "handle"),
    ("ecs_place_set_attribute",
     [handle, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p, c_size_t], ecs_status, "handle"),
    ("ecs_place_unset_attribute",
     [handle, c_char_p, c_size_t, c_char_p, c_size_t], ecs_status, "handle"),
    ("ecs_place_instance_count", [handle], c_size_t, None),
    ("ecs_place_remaining",
     [handle, c_char_p, c_size_t, P(c_uint32), P(c_uint32), P(c_uint32), P(c_uint32), P(c_uint32)],
     ecs_status, "handle"),
    ("ecs_place_add_task",
     [handle, c_char_p, c_size_t, c_char_p, c_size_t, P(ecs_place_need), P(c_uint16)],
     ecs_status, "handle"),
    ("ecs_place_remove_task", [handle, c_char_p, c_size_t], ecs_status, "handle"),
    ("ecs_place_tasks", [handle, P(ecs_place_request), P(handle)], ecs_status, "handle"),
    ("ecs_place_reason_str", [c_int], c_char_p, None),
    ("ecs_place_result_count", [handle], c_size_t, None),
    ("ecs_place_result_get", [handle, c_size_t, P(ecs_place_outcome)], ecs_status, None),
    ("ecs_place_result_free", [handle], None, None),
)


class _Functions:
    """The declared functions, as attributes named without the ``ecs_`` prefix."""

    def __init__(self) -> None:
        missing = []
        for name, argtypes, restype, check in FUNCTIONS:
            try:
                fn = getattr(lib, name)
            except AttributeError:
                missing.append(name)
                continue
            fn.argtypes = list(argtypes)
            fn.restype = restype
            errcheck = _CHECKS[check]
            if errcheck is not None:
                fn.errcheck = errcheck
            setattr(self, name[len("ecs_"):], fn)
        self.missing = tuple(missing)

    def has(self, name: str) -> bool:
        """Whether the loaded library exports ``ecs_<name>``."""
        return hasattr(self, name)


C = _Functions()


def new_context() -> int:
    """A new ``ecs_ctx`` with the default allocator and limits; its address."""
    out = handle()
    C.ctx_new(None, ctypes.byref(out))
    if not out.value:
        raise EcsError("ecs_ctx_new gave no context")
    return out.value
