"""The ``ExecutionStore`` protocol and the shapes its queries use."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Protocol, runtime_checkable

import msgspec
from dex_schema import ExecutionRecord, ExecutionStatus

__all__ = (
    "ExecutionQuery",
    "ExecutionStore",
    "ExecutionSummaryRow",
    "QueryOrder",
    "QueryPage",
    "Unreadable",
    "function_name_of",
)


class QueryOrder(enum.Enum):
    """The order of a query's results, by start time then ARN."""

    NEWEST_FIRST = "newest_first"
    OLDEST_FIRST = "oldest_first"


class ExecutionQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Filters, page size and order of one store query.

    Every filter left at ``None`` matches everything.

    Attributes
    ----------
    function_name:
        The function's name (the ``NAME`` in its ARN), not its ARN.
    execution_name:
        The durable execution name.
    statuses:
        The statuses to keep; an empty tuple or ``None`` keeps all.
    started_after, started_before:
        Timezone-aware bounds on the start timestamp (exclusive, inclusive).
    limit:
        The most rows one page holds; at least 1.
    marker:
        The ``next_marker`` of the page before, to continue from it.
    order:
        ``QueryOrder.NEWEST_FIRST`` (the default) or ``OLDEST_FIRST``.
    """

    function_name: str | None = None
    execution_name: str | None = None
    statuses: tuple[ExecutionStatus, ...] | None = None
    started_after: dt.datetime | None = None
    started_before: dt.datetime | None = None
    limit: int = 100
    marker: str | None = None
    order: QueryOrder = QueryOrder.NEWEST_FIRST


class ExecutionSummaryRow(msgspec.Struct, frozen=True, kw_only=True):
    """What a query returns for one execution: enough to list it.

    The full record is loaded with ``ExecutionStore.load(arn)``.
    """

    arn: str
    execution_name: str
    function_name: str
    function_arn: str
    status: ExecutionStatus
    start_timestamp: dt.datetime
    end_timestamp: dt.datetime | None
    operation_count: int
    revision: int

    @classmethod
    def of(cls, record: ExecutionRecord) -> ExecutionSummaryRow:
        """Summarise a record."""
        execution = record.execution
        return cls(
            arn=execution.durable_execution_arn,
            execution_name=execution.durable_execution_name,
            function_name=function_name_of(execution.function_arn),
            function_arn=execution.function_arn,
            status=execution.status,
            start_timestamp=execution.start_timestamp,
            end_timestamp=execution.end_timestamp,
            operation_count=len(record.operations),
            revision=record.revision,
        )


class Unreadable(msgspec.Struct, frozen=True, kw_only=True):
    """A stored record a query could not read, reported instead of hidden."""

    location: str
    reason: str


class QueryPage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of query results.

    Attributes
    ----------
    rows:
        The matching executions on this page, in the query's order.
    next_marker:
        Pass it as ``ExecutionQuery.marker`` for the next page; ``None`` on the
        last page.
    unreadable:
        Records the store holds but could not read (corrupt files); never
        silently dropped.
    """

    rows: tuple[ExecutionSummaryRow, ...]
    next_marker: str | None = None
    unreadable: tuple[Unreadable, ...] = ()


def function_name_of(function_arn: str) -> str:
    """Return the function name of a function ARN (or of a plain name).

    ``arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST`` gives
    ``orders``.
    """
    parts = function_arn.split(":")
    if len(parts) >= 7 and parts[0] == "arn" and parts[5] == "function":
        return parts[6]
    return function_arn


@runtime_checkable
class ExecutionStore(Protocol):
    """Where durable executions are kept.

    Records are immutable values; a store hands back its own copy and never
    lets one caller change what another loads. Every write sets the stored
    record's ``revision`` one higher than before (1 on ``create``).
    """

    def create(self, record: ExecutionRecord) -> ExecutionRecord:
        """Store a new execution; return it as stored (``revision`` 1).

        Raises ``ExecutionAlreadyExistsError`` when the ARN is stored already.
        """
        ...

    def load(self, arn: str) -> ExecutionRecord:
        """Return the stored record for ``arn``.

        Raises ``ExecutionNotFoundError`` when nothing is stored under it and
        ``CorruptRecordError`` when what is stored cannot be read.
        """
        ...

    def update(self, record: ExecutionRecord) -> ExecutionRecord:
        """Replace a stored execution with ``record``; return it as stored.

        ``record.revision`` must be the revision stored now (the one the
        caller loaded); the stored copy gets ``revision + 1``. Raises
        ``ExecutionNotFoundError`` when the ARN is not stored and
        ``ExecutionConflictError`` when the stored revision differs.
        """
        ...

    def delete(self, arn: str) -> None:
        """Remove a stored execution.

        Raises ``ExecutionNotFoundError`` when nothing is stored under it.
        """
        ...

    def query(self, query: ExecutionQuery | None = None) -> QueryPage:
        """Return one page of summaries matching ``query`` (all, when None).

        Raises ``InvalidQueryError`` for a limit below 1, a naive datetime
        bound or a marker this store did not issue.
        """
        ...

    def close(self) -> None:
        """Release what the store holds open; it is not used afterwards."""
        ...
