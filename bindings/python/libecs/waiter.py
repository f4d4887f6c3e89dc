"""Waiters for the ECS operations, shaped like botocore's.

``client.get_waiter("services_stable").wait(cluster=..., services=[...],
WaiterConfig={"Delay": 15, "MaxAttempts": 40})`` calls the waiter's
operation until one of its acceptors (those of the ECS waiters model,
written out in :data:`libecs._model.WAITERS`) says success or failure, as
botocore's ``Waiter.wait`` does:

* each attempt calls the operation; an ECS error is not raised but matched
  as botocore matches it (no ECS waiter has an error acceptor, so an error
  ends the wait with :class:`~libecs.errors.WaiterError`);
* the first acceptor that matches decides: ``success`` returns None,
  ``failure`` raises ``WaiterError`` ("Waiter encountered a terminal
  failure state: ...");
* after ``MaxAttempts`` attempts without a decision, ``WaiterError``
  ("Max attempts exceeded").

Where botocore sleeps ``Delay`` seconds between two attempts, the plane's
clock is moved forward by ``Delay`` seconds instead (nothing sleeps). As in
botocore there is no pause after the last attempt, so a wait that runs out
has moved the clock by ``Delay * (MaxAttempts - 1)`` seconds.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

from .errors import WaiterError

__all__ = ["Waiter", "WaiterModel", "SingleWaiterConfig", "AcceptorConfig"]


def _is_error(response: Any) -> bool:
    """botocore's is_valid_waiter_error: a response carrying an error code."""
    if not isinstance(response, dict):
        return False
    error = response.get("Error")
    return isinstance(error, dict) and "Code" in error


def _projection(argument: str) -> Callable[[Dict[str, Any]], Any]:
    """JMESPath ``list[].member`` (the only path form the list matchers of
    the ECS waiters use): the non-null members, or None when ``list`` is
    not a list."""
    if argument.count("[].") != 1:
        raise ValueError(f"unsupported waiter path: {argument}")
    outer, inner = argument.split("[].")
    if not outer.isidentifier() or not inner.isidentifier():
        raise ValueError(f"unsupported waiter path: {argument}")

    def search(response: Dict[str, Any]) -> Any:
        items = response.get(outer)
        if not isinstance(items, list):
            return None
        values = []
        for item in items:
            if isinstance(item, dict) and item.get(inner) is not None:
                values.append(item[inner])
        return values

    return search


def _services_stable(response: Dict[str, Any]) -> Any:
    """``length(services[?!(length(deployments) == `1` && runningCount ==
    desiredCount)]) == `0```: every service has one deployment and runs
    as many tasks as it wants."""
    services = response.get("services")
    if not isinstance(services, list):
        return None
    unstable = 0
    for service in services:
        if not isinstance(service, dict):
            continue
        deployments = service.get("deployments")
        one = isinstance(deployments, list) and len(deployments) == 1
        if not (one and service.get("runningCount") == service.get("desiredCount")):
            unstable += 1
    return unstable == 0


# The path expressions of the ECS waiters that are not plain projections.
_EXPRESSIONS: Dict[str, Callable[[Dict[str, Any]], Any]] = {
    "length(services[?!(length(deployments) == `1` && runningCount == desiredCount)]) == `0`":
        _services_stable,
}


class AcceptorConfig:
    """One acceptor: ``state`` ("success", "failure" or "retry"),
    ``matcher`` ("path", "pathAll", "pathAny"), ``argument`` and
    ``expected``, as in the waiters model."""

    def __init__(self, state: str, matcher: str, argument: str, expected: Any) -> None:
        self.state = state
        self.matcher = matcher
        self.argument = argument
        self.expected = expected
        search = _EXPRESSIONS.get(argument) or _projection(argument)
        if matcher == "path":
            self.matcher_func = self._path(search, expected)
        elif matcher == "pathAll":
            self.matcher_func = self._path_all(search, expected)
        elif matcher == "pathAny":
            self.matcher_func = self._path_any(search, expected)
        else:
            raise ValueError(f"unsupported waiter matcher: {matcher}")

    @staticmethod
    def _path(search: Callable[[Dict[str, Any]], Any], expected: Any) -> Callable[[Any], bool]:
        def matches(response: Any) -> bool:
            if _is_error(response):
                return False
            return bool(search(response) == expected)
        return matches

    @staticmethod
    def _path_all(search: Callable[[Dict[str, Any]], Any], expected: Any) -> Callable[[Any], bool]:
        def matches(response: Any) -> bool:
            if _is_error(response):
                return False
            result = search(response)
            if not isinstance(result, list) or not result:
                return False
            return all(element == expected for element in result)
        return matches

    @staticmethod
    def _path_any(search: Callable[[Dict[str, Any]], Any], expected: Any) -> Callable[[Any], bool]:
        def matches(response: Any) -> bool:
            if _is_error(response):
                return False
            result = search(response)
            if not isinstance(result, list) or not result:
                return False
            return any(element == expected for element in result)
        return matches

    @property
    def explanation(self) -> str:
        """botocore's words for what matched."""
        if self.matcher == "path":
            return f'For expression "{self.argument}" we matched expected path: "{self.expected}"'
        if self.matcher == "pathAll":
            return f'For expression "{self.argument}" all members matched expected path: "{self.expected}"'
        return f'For expression "{self.argument}" we matched expected path: "{self.expected}" at least once'


class SingleWaiterConfig:
    """``waiter.config``: ``operation``, ``delay``, ``max_attempts`` and
    ``acceptors``, as botocore has them."""

    def __init__(self, operation: str, delay: float, max_attempts: int,
                 acceptors: Tuple[Tuple[str, str, str, Any], ...]) -> None:
        self.operation = operation
        self.delay = delay
        self.max_attempts = max_attempts
        self.description = ""
        self.acceptors: List[AcceptorConfig] = [AcceptorConfig(*a) for a in acceptors]


class WaiterModel:
    """The waiters of a table shaped like :data:`libecs._model.WAITERS`."""

    def __init__(self, table: Dict[str, Tuple[str, int, int, Tuple[Tuple[str, str, str, Any], ...]]]) -> None:
        self._table = table
        self.waiter_names = sorted(table)

    def get_waiter(self, name: str) -> SingleWaiterConfig:
        if name not in self._table:
            raise ValueError(f"Waiter does not exist: {name}")
        return SingleWaiterConfig(*self._table[name])


def _check_config(config: Any, defaults: SingleWaiterConfig) -> Tuple[float, int]:
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise TypeError("WaiterConfig: a dict with Delay and/or MaxAttempts")
    unknown = set(config) - {"Delay", "MaxAttempts"}
    if unknown:
        raise ValueError(f"unknown WaiterConfig keys: {sorted(unknown)}")
    delay = config.get("Delay", defaults.delay)
    attempts = config.get("MaxAttempts", defaults.max_attempts)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not delay >= 0:
        raise ValueError(f"WaiterConfig Delay: a number of seconds >= 0, not {delay!r}")
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise ValueError(f"WaiterConfig MaxAttempts: a positive integer, not {attempts!r}")
    return delay, attempts


class Waiter:
    """One waiter (see :meth:`wait`). ``name`` is the model's name
    (``"ServicesStable"``), ``config`` its :class:`SingleWaiterConfig`."""

    def __init__(
        self,
        name: str,
        config: SingleWaiterConfig,
        operation_method: Callable[..., Dict[str, Any]],
        pause: Callable[[float], Any],
        error_class: type,
    ) -> None:
        self.name = name
        self.config = config
        self._operation_method = operation_method
        self._pause = pause
        self._error_class = error_class

    def _call(self, kwargs: Dict[str, Any]) -> Dict[str, Any]:
        # botocore's NormalizedOperationMethod: an ECS error becomes its response.
        try:
            return self._operation_method(**kwargs)
        except self._error_class as e:
            return e.response

    def wait(self, **kwargs: Any) -> None:
        """Call the operation with ``kwargs`` until an acceptor decides.

        ``WaiterConfig={"Delay": seconds, "MaxAttempts": n}`` overrides the
        model's defaults. Between two attempts the plane's clock moves
        forward by ``Delay`` seconds (the plane's own time: nothing sleeps).

        Raises:
            WaiterError: a failure acceptor matched, the operation answered
                an error, or ``MaxAttempts`` attempts decided nothing.
        """
        delay, max_attempts = _check_config(kwargs.pop("WaiterConfig", None), self.config)
        acceptors = list(self.config.acceptors)
        current_state = "waiting"
        last_matched: Optional[AcceptorConfig] = None
        num_attempts = 0
        while True:
            response = self._call(kwargs)
            num_attempts += 1
            matched: Optional[AcceptorConfig] = None
            for acceptor in acceptors:
                if acceptor.matcher_func(response):
                    matched = last_matched = acceptor
                    current_state = acceptor.state
                    break
            else:
                if _is_error(response):
                    error = response["Error"]
                    raise WaiterError(
                        name=self.name,
                        reason="An error occurred ({}): {}".format(
                            error.get("Code", "Unknown"), error.get("Message", "Unknown")
                        ),
                        last_response=response,
                    )
            if current_state == "success":
                return None
            if current_state == "failure":
                assert matched is not None
                raise WaiterError(
                    name=self.name,
                    reason=f"Waiter encountered a terminal failure state: {matched.explanation}",
                    last_response=response,
                )
            if num_attempts >= max_attempts:
                if last_matched is None:
                    reason = "Max attempts exceeded"
                else:
                    reason = f"Max attempts exceeded. Previously accepted state: {last_matched.explanation}"
                raise WaiterError(name=self.name, reason=reason, last_response=response)
            self._pause(delay)
