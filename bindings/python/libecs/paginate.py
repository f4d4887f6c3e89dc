"""Paginators for the List* operations, shaped like boto3's.

``client.get_paginator("list_clusters").paginate(cluster=..., PaginationConfig=
{"MaxItems": 10, "PageSize": 2, "StartingToken": token})`` gives an iterable
of pages (each a full response); ``build_full_result()`` merges the pages'
result lists into one dict, with ``"NextToken"`` when ``MaxItems`` stopped
early (pass it back as ``StartingToken`` to go on).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

__all__ = ["Paginator", "PageIterator"]

_TRUNCATE_KEY = "libecs_truncate_amount"


def _encode_token(service_token: Optional[str], skip: int) -> str:
    if skip == 0 and service_token is not None:
        return service_token
    doc = {"nextToken": service_token, _TRUNCATE_KEY: skip}
    return base64.b64encode(json.dumps(doc, sort_keys=True).encode("utf-8")).decode("ascii")


def _decode_token(token: Optional[str]) -> Tuple[Optional[str], int]:
    if not token:
        return None, 0
    try:
        doc = json.loads(base64.b64decode(token.encode("ascii"), validate=True))
    except (ValueError, binascii.Error, UnicodeError):
        return token, 0
    if isinstance(doc, dict) and _TRUNCATE_KEY in doc:
        skip = doc.get(_TRUNCATE_KEY)
        service = doc.get("nextToken")
        if isinstance(skip, int) and skip >= 0 and (service is None or isinstance(service, str)):
            return service, skip
    return token, 0


class PageIterator:
    """The pages of one paginated call. Iterate over it, or call
    :meth:`build_full_result`. ``resume_token`` is set, once iteration has
    stopped because of ``MaxItems``, to the token that carries on."""

    def __init__(
        self,
        method: Callable[..., Dict[str, Any]],
        config: Tuple[str, str, str, str],
        op_kwargs: Mapping[str, Any],
        max_items: Optional[int],
        page_size: Optional[int],
        starting_token: Optional[str],
    ) -> None:
        self._method = method
        self._input_token, self._limit_key, self._output_token, self._result_key = config
        self._op_kwargs = dict(op_kwargs)
        self._max_items = max_items
        self._page_size = page_size
        self._starting_token = starting_token
        self.resume_token: Optional[str] = None

    @property
    def result_keys(self) -> List[str]:
        """The member each page's items are listed under."""
        return [self._result_key]

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        kwargs = dict(self._op_kwargs)
        if self._page_size is not None:
            kwargs[self._limit_key] = self._page_size
        token, skip = _decode_token(self._starting_token)
        self.resume_token = None
        seen = 0
        previous: Optional[str] = None
        while True:
            if token is not None:
                kwargs[self._input_token] = token
            else:
                kwargs.pop(self._input_token, None)
            page = self._method(**kwargs)
            items = list(page.get(self._result_key, []))
            offset = skip
            if skip:
                items = items[skip:]
                skip = 0
            next_token = page.get(self._output_token)
            if self._max_items is not None and seen + len(items) >= self._max_items:
                take = self._max_items - seen
                if take < len(items):
                    self.resume_token = _encode_token(token, offset + take)
                elif next_token:
                    self.resume_token = _encode_token(next_token, 0)
                page[self._result_key] = items[:take]
                page.pop(self._output_token, None)
                yield page
                return
            page[self._result_key] = items
            seen += len(items)
            yield page
            if not next_token:
                return
            if next_token == previous or next_token == token:
                raise RuntimeError(
                    f"pagination loop: the service gave the token {next_token!r} twice"
                )
            previous, token = token, next_token

    def build_full_result(self) -> Dict[str, Any]:
        """All pages' items in one dict (``{result_key: [...]}``), with
        ``"NextToken"`` when ``MaxItems`` stopped the iteration early."""
        items: List[Any] = []
        for page in self:
            items.extend(page.get(self._result_key, []))
        result: Dict[str, Any] = {self._result_key: items}
        if self.resume_token is not None:
            result["NextToken"] = self.resume_token
        return result


class Paginator:
    """A paginator for one List* operation (see :meth:`paginate`)."""

    def __init__(
        self,
        method: Callable[..., Dict[str, Any]],
        operation_name: str,
        config: Tuple[str, str, str, str],
    ) -> None:
        self._method = method
        self._config = config
        self.operation_name = operation_name

    def paginate(self, **kwargs: Any) -> PageIterator:
        """Pages of the operation called with ``kwargs`` (the operation's own
        arguments, without its token and limit, and optionally
        ``PaginationConfig={"MaxItems": n, "PageSize": n, "StartingToken": t}``)."""
        config = dict(kwargs.pop("PaginationConfig", None) or {})
        unknown = set(config) - {"MaxItems", "PageSize", "StartingToken"}
        if unknown:
            raise ValueError(f"unknown PaginationConfig keys: {sorted(unknown)}")
        max_items = config.get("MaxItems")
        page_size = config.get("PageSize")
        for name, value in (("MaxItems", max_items), ("PageSize", page_size)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise ValueError(f"PaginationConfig {name}: a positive integer, not {value!r}")
        starting = config.get("StartingToken")
        if starting is not None and not isinstance(starting, str):
            raise ValueError("PaginationConfig StartingToken: a string")
        return PageIterator(self._method, self._config, kwargs, max_items, page_size, starting)
