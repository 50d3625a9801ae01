"""Query semantics every store shares: checking, filtering, ordering, paging.

A store that holds its summaries in memory (the memory store, the
filesystem store's index) hands them to ``run_query`` and gets back exactly
the page every other store returns for the same query.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable
from typing import Protocol, TypeVar

import msgspec
from dex_schema import ExecutionStatus

from ._errors import InvalidQueryError
from ._protocol import ExecutionQuery, ExecutionSummaryRow, QueryOrder, QueryPage

__all__ = ("Summary", "check_query", "row_matches", "run_query", "select")

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_MARKER_PREFIX = "dex1."


class Summary(Protocol):
    """What paging reads of a row: ``ExecutionSummaryRow`` or a store's own."""

    @property
    def arn(self) -> str: ...

    @property
    def execution_name(self) -> str: ...

    @property
    def function_name(self) -> str: ...

    @property
    def status(self) -> ExecutionStatus: ...

    @property
    def start_timestamp(self) -> dt.datetime: ...


S = TypeVar("S", bound=Summary)


class _Marker(msgspec.Struct, array_like=True, frozen=True):
    order: str
    start_us: int
    arn: str


def _encode_marker(order: QueryOrder, row: Summary) -> str:
    start_us = (row.start_timestamp - _EPOCH) // _MICROSECOND
    data = msgspec.json.encode(_Marker(order.value, start_us, row.arn))
    return _MARKER_PREFIX + base64.urlsafe_b64encode(data).decode("ascii")


def _decode_marker(marker: str, order: QueryOrder) -> tuple[dt.datetime, str]:
    problem = (
        f"malformed page marker {marker[:60]!r}: pass the next_marker of the "
        "page before, unchanged, or None for the first page"
    )
    if not marker.startswith(_MARKER_PREFIX):
        raise InvalidQueryError(problem)
    try:
        data = base64.urlsafe_b64decode(marker[len(_MARKER_PREFIX) :].encode())
        decoded = msgspec.json.decode(data, type=_Marker)
        start = _EPOCH + decoded.start_us * _MICROSECOND
    except (binascii.Error, ValueError, OverflowError, msgspec.DecodeError):
        raise InvalidQueryError(problem) from None
    if decoded.order != order.value:
        raise InvalidQueryError(
            f"page marker was issued for order {decoded.order!r} but the query "
            f"asks for {order.value!r}; keep the order while paging"
        )
    return start, decoded.arn


def check_query(query: ExecutionQuery) -> None:
    """Refuse a query no store can run.

    Parameters
    ----------
    query:
        The query to check.

    Raises
    ------
    InvalidQueryError
        ``limit`` is below 1, a datetime bound is naive, or ``marker`` is
        not one a store issued for this order.
    """
    if query.limit < 1:
        raise InvalidQueryError(f"query limit must be at least 1, got {query.limit}")
    for name in ("started_after", "started_before"):
        bound = getattr(query, name)
        if bound is not None and bound.utcoffset() is None:
            raise InvalidQueryError(
                f"query {name} must be a timezone-aware datetime, got the naive "
                f"{bound.isoformat()}; add tzinfo (datetime.UTC)"
            )
    if query.marker is not None:
        _decode_marker(query.marker, query.order)


def row_matches(query: ExecutionQuery, row: Summary) -> bool:
    """Say whether ``row`` passes every filter of ``query`` (paging aside)."""
    if query.function_name is not None and row.function_name != query.function_name:
        return False
    if query.execution_name is not None and row.execution_name != query.execution_name:
        return False
    if query.statuses and row.status not in query.statuses:
        return False
    if query.started_after is not None and not (
        row.start_timestamp > query.started_after
    ):
        return False
    return query.started_before is None or row.start_timestamp <= query.started_before


def select(query: ExecutionQuery, rows: Iterable[S]) -> tuple[list[S], str | None]:
    """Filter, order and page ``rows``; return the page and the next marker.

    The store-side half of ``run_query``, for stores whose own row type
    (an index entry, say) has the attributes of ``Summary``.

    Raises
    ------
    InvalidQueryError
        As ``check_query``.
    """
    check_query(query)
    newest = query.order is QueryOrder.NEWEST_FIRST
    if (
        query.function_name is None
        and query.execution_name is None
        and not query.statuses
        and query.started_after is None
        and query.started_before is None
    ):
        matched = list(rows)
    else:
        matched = [row for row in rows if row_matches(query, row)]

    if query.marker is not None:
        start, arn = _decode_marker(query.marker, query.order)
        if newest:
            matched = [
                row
                for row in matched
                if row.start_timestamp < start
                or (row.start_timestamp == start and row.arn > arn)
            ]
        else:
            matched = [
                row
                for row in matched
                if row.start_timestamp > start
                or (row.start_timestamp == start and row.arn > arn)
            ]

    # Two stable sorts: by ARN, then by start (descending for newest first),
    # so rows starting together stay in ARN order either way.
    matched.sort(key=_arn_of)
    matched.sort(key=_start_of, reverse=newest)
    page = matched[: query.limit]
    more = len(matched) > query.limit
    return page, _encode_marker(query.order, page[-1]) if more else None


def _arn_of(row: Summary) -> str:
    return row.arn


def _start_of(row: Summary) -> dt.datetime:
    return row.start_timestamp


def run_query(
    query: ExecutionQuery | None, rows: Iterable[ExecutionSummaryRow]
) -> QueryPage:
    """Filter, order and page ``rows`` as every store does.

    Rows are ordered by start timestamp (newest first or oldest first) and
    then by ARN; the marker holds the position of the last row of the page
    before, so a page stays correct when executions are added or removed
    between pages.

    Parameters
    ----------
    query:
        The query; ``None`` is ``ExecutionQuery()`` (everything, 100 rows).
    rows:
        Every execution the store holds, in any order.

    Raises
    ------
    InvalidQueryError
        As ``check_query``.
    """
    query = ExecutionQuery() if query is None else query
    page, marker = select(query, rows)
    return QueryPage(rows=tuple(page), next_marker=marker)
