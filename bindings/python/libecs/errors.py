"""Exceptions raised by the binding.

Two families:

* :class:`EcsClientError` and its subclasses, one per error code of the ECS
  API (``ClusterNotFoundException``, ``InvalidParameterException``, ...),
  raised by :class:`libecs.ControlPlane` methods the way botocore raises
  ``ClientError``: ``e.response["Error"]["Code"]`` holds the code,
  ``e.response["Error"]["Message"]`` the message and ``e.operation_name`` the
  action. Codes outside the ECS model (``SerializationException``,
  ``UnknownOperationException``, ...) raise the base class itself, as botocore
  does for unmodelled errors.
* :class:`EcsError` and its subclasses, one per negative ``ecs_status`` of the
  C library, raised by the lower-level calls (the placement engine, the
  clock, the typed readers) with the context's message.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Tuple, Type

__all__ = [
    "ERROR_CODES",
    "EcsClientError",
    "EcsError",
    "EcsNoMemoryError",
    "EcsInvalidArgumentError",
    "EcsParseError",
    "EcsNotFoundError",
    "EcsConflictError",
    "EcsNoCapacityError",
    "EcsLimitError",
    "EcsStateError",
    "EcsInternalError",
    "ClosedError",
    "OperationNotPageableError",
    "WaiterError",
    "error_class_for_code",
    "error_for_status",
]

# The error shapes of the ECS API (from the published SDK's model), one
# exception class each.
ERROR_CODES: Tuple[str, ...] = (
    "AccessDeniedException",
    "AttributeLimitExceededException",
    "BlockedException",
    "ClientException",
    "ClusterContainsCapacityProviderException",
    "ClusterContainsContainerInstancesException",
    "ClusterContainsServicesException",
    "ClusterContainsTasksException",
    "ClusterNotFoundException",
    "ConflictException",
    "DaemonNotActiveException",
    "DaemonNotFoundException",
    "GatewayNotFoundException",
    "InvalidParameterException",
    "LimitExceededException",
    "MissingVersionException",
    "NamespaceNotFoundException",
    "NoUpdateAvailableException",
    "PlatformTaskDefinitionIncompatibilityException",
    "PlatformUnknownException",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "ServerException",
    "ServiceDeploymentNotFoundException",
    "ServiceNotActiveException",
    "ServiceNotFoundException",
    "TargetNotConnectedException",
    "TargetNotFoundException",
    "TaskSetNotFoundException",
    "UnsupportedFeatureException",
    "UpdateInProgressException",
)


class EcsClientError(Exception):
    """An ECS API error, shaped like botocore's ``ClientError``.

    Attributes:
        response: ``{"Error": {"Code": ..., "Message": ...},
            "ResponseMetadata": {...}}``, as botocore gives it.
        operation_name: The ECS action that failed, such as
            ``"DescribeClusters"``.
    """

    MSG_TEMPLATE = (
        "An error occurred ({error_code}) when calling the {operation_name} "
        "operation: {error_message}"
    )

    def __init__(self, error_response: Mapping[str, Any], operation_name: str) -> None:
        self.response: Dict[str, Any] = dict(error_response)
        self.operation_name: str = operation_name
        error = self.response.get("Error", {})
        super().__init__(
            self.MSG_TEMPLATE.format(
                error_code=error.get("Code", "Unknown"),
                operation_name=operation_name,
                error_message=error.get("Message", "Unknown"),
            )
        )

    def __reduce__(self) -> Tuple[Any, ...]:
        return (self.__class__, (self.response, self.operation_name))


def _make_code_class(code: str) -> Type[EcsClientError]:
    cls = type(
        code,
        (EcsClientError,),
        {
            "__doc__": f"The ECS error ``{code}`` (a subclass of :class:`EcsClientError`).",
            "__module__": __name__,
            "__qualname__": code,
        },
    )
    return cls


_CODE_CLASSES: Dict[str, Type[EcsClientError]] = {}
for _code in ERROR_CODES:
    _CODE_CLASSES[_code] = _make_code_class(_code)
    globals()[_code] = _CODE_CLASSES[_code]
    __all__.append(_code)
del _code


def error_class_for_code(code: str) -> Type[EcsClientError]:
    """The exception class of an ECS error code; the base class for unknown codes."""
    return _CODE_CLASSES.get(code, EcsClientError)


# --------------------------------------------------------------------------
# Status errors of the C library.


class EcsError(Exception):
    """A libecs call failed. ``status`` is the negative ``ecs_status`` value,
    ``status_name`` its name (``"ECS_E_NOT_FOUND"``) and ``message`` the
    context's explanation."""

    status: int = 0
    status_name: str = "ECS_E_UNKNOWN"

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        if status is not None:
            self.status = status
        self.message = message
        super().__init__(message)


class EcsNoMemoryError(EcsError, MemoryError):
    """ECS_E_NOMEM: the allocator refused memory; nothing changed."""

    status, status_name = -1, "ECS_E_NOMEM"


class EcsInvalidArgumentError(EcsError, ValueError):
    """ECS_E_INVALID_ARG: an out-of-range argument or misuse."""

    status, status_name = -2, "ECS_E_INVALID_ARG"


class EcsParseError(EcsError, ValueError):
    """ECS_E_PARSE: input that is not well-formed (JSON, a query expression...)."""

    status, status_name = -3, "ECS_E_PARSE"


class EcsNotFoundError(EcsError, LookupError):
    """ECS_E_NOT_FOUND: a named thing does not exist."""

    status, status_name = -4, "ECS_E_NOT_FOUND"


class EcsConflictError(EcsError):
    """ECS_E_CONFLICT: the request conflicts with the existing state."""

    status, status_name = -5, "ECS_E_CONFLICT"


class EcsNoCapacityError(EcsError):
    """ECS_E_NO_CAPACITY: nowhere to put it."""

    status, status_name = -6, "ECS_E_NO_CAPACITY"


class EcsLimitError(EcsError):
    """ECS_E_LIMIT: a size, depth, count or range limit was exceeded."""

    status, status_name = -7, "ECS_E_LIMIT"


class EcsStateError(EcsError):
    """ECS_E_STATE: the object is in the wrong state for the call."""

    status, status_name = -8, "ECS_E_STATE"


class EcsInternalError(EcsError):
    """ECS_E_INTERNAL: a bug in libecs; please report it."""

    status, status_name = -99, "ECS_E_INTERNAL"


class ClosedError(EcsStateError, ValueError):
    """The object was closed; its native handle is gone and it cannot be used."""


class OperationNotPageableError(EcsError, ValueError):
    """get_paginator() was asked for an operation that has no paginator."""


class WaiterError(Exception):
    """A waiter ended without success, as botocore's ``WaiterError``: a
    failure acceptor matched, the operation answered an error, or the
    attempts ran out. ``name`` is the waiter's name (``"ServicesStable"``),
    ``reason`` why it stopped, ``last_response`` the operation's last
    response (its error response when it failed), and the message reads
    ``"Waiter ServicesStable failed: Max attempts exceeded"``."""

    fmt = "Waiter {name} failed: {reason}"

    def __init__(self, name: str, reason: str, last_response: Optional[Dict[str, Any]]) -> None:
        self.name = name
        self.reason = reason
        self.last_response = last_response
        self.kwargs: Dict[str, Any] = {"name": name, "reason": reason}
        super().__init__(self.fmt.format(name=name, reason=reason))

    def __reduce__(self) -> Tuple[Any, ...]:
        return (self.__class__, (self.name, self.reason, self.last_response))


_STATUS_CLASSES: Dict[int, Type[EcsError]] = {
    cls.status: cls
    for cls in (
        EcsNoMemoryError,
        EcsInvalidArgumentError,
        EcsParseError,
        EcsNotFoundError,
        EcsConflictError,
        EcsNoCapacityError,
        EcsLimitError,
        EcsStateError,
        EcsInternalError,
    )
}


def error_for_status(status: int, message: str) -> EcsError:
    """The exception for a negative ``ecs_status`` value and its message."""
    cls = _STATUS_CLASSES.get(status, EcsError)
    if cls is EcsError:
        return EcsError(message or f"libecs status {status}", status)
    return cls(message or cls.status_name)
