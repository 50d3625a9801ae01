"""The service's read operations: execution state, the execution, history, lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec
from dex_schema import (
    Event,
    Execution,
    ExecutionRecord,
    ExecutionStatus,
    ExecutionSummary,
    Operation,
    PauseDetails,
)
from dex_store import (
    ExecutionNotFoundError,
    ExecutionQuery,
    InvalidQueryError,
    QueryOrder,
    QueryPage,
    StoreNotFoundError,
    function_name_of,
)

from ._api import (
    ExecutionListOutput,
    HistoryOutput,
    StateOutput,
)
from ._core import (
    DEFAULT_HISTORY_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ServiceCore,
    not_found,
)
from ._errors import (
    InvalidParameterValueError,
)
from ._execution import LiveExecution
from ._ids import decode_marker, encode_marker
from ._ids import function_arn as parse_function_arn

__all__ = ("Reads",)

_replace = msgspec.structs.replace


class Reads(ServiceCore):
    """GetDurableExecutionState, GetDurableExecution, GetDurableExecutionHistory
    and ListDurableExecutionsByFunction."""

    def get_execution_state(
        self,
        execution_arn: str,
        checkpoint_token: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> StateOutput:
        """Return one page of the execution's operations, in creation order.

        ``max_items`` of ``None`` or 0 means ``state_page_size``.

        Raises
        ------
        InvalidCheckpointTokenError
            The token is not the current one.
        InvalidParameterValueError
            A marker this listing did not issue, ``max_items`` outside 0-1000,
            or an unknown ARN.
        """
        live = self._get_live(execution_arn, InvalidParameterValueError)
        limit = min(_page_size(max_items, self.state_page_size), self.state_page_size)
        with live.condition:
            self._check_token(live, checkpoint_token)
            start = decode_marker("state", marker)
            return self._page(live, start, limit)

    def _first_page(
        self, live: LiveExecution
    ) -> tuple[tuple[Operation, ...], str | None]:
        page = self._page(live, 0, self.state_page_size)
        return page.operations, page.next_marker

    def _page(self, live: LiveExecution, start: int, limit: int) -> StateOutput:
        ids = live.order[start : start + limit]
        more = start + limit < len(live.order)
        return StateOutput(
            operations=tuple(live.operations[op_id] for op_id in ids),
            next_marker=encode_marker("state", start + limit) if more else None,
        )

    def get_execution(self, execution_arn: str) -> ExecutionSummary:
        """Return the execution's summary (GetDurableExecution).

        A PAUSING or PAUSED execution's summary has its ``pause_details``
        (when the pause was asked for, why, whether its timeout is paused);
        any other's has none, as the model says.

        Raises
        ------
        ResourceNotFoundError
            No execution has this ARN.
        """
        record = self.load(execution_arn)
        summary = record.execution
        if summary.status not in (ExecutionStatus.PAUSING, ExecutionStatus.PAUSED):
            return _replace(summary, pause_details=None)
        return _replace(
            summary, pause_details=summary.pause_details or _pause_details(record)
        )

    def load(self, execution_arn: str) -> ExecutionRecord:
        """Return the execution's whole record as it stands now.

        Raises
        ------
        ResourceNotFoundError
            No execution has this ARN.
        """
        with self._lock:
            live = self._live.get(execution_arn)
        if live is not None:
            with live.condition:
                return live.to_record()
        try:
            return self.store.load(execution_arn)
        except (ExecutionNotFoundError, StoreNotFoundError):
            # A store that does not exist yet (a filesystem store before its
            # first write) holds no executions.
            raise not_found(execution_arn) from None

    def get_execution_history(
        self,
        execution_arn: str,
        *,
        marker: str | None = None,
        max_items: int | None = None,
        reverse_order: bool = False,
        include_execution_data: bool = True,
    ) -> HistoryOutput:
        """Return one page of the execution's history events.

        ``max_items`` of ``None`` or 0 means 100; the most is 1000.

        Raises
        ------
        ResourceNotFoundError
            No execution has this ARN.
        InvalidParameterValueError
            A bad marker or ``max_items``.
        """
        limit = _page_size(max_items, DEFAULT_HISTORY_PAGE_SIZE)
        events = list(self.load(execution_arn).events)
        if reverse_order:
            events.reverse()
        start = decode_marker("history", marker)
        page = events[start : start + limit]
        if not include_execution_data:
            # XXX: only payloads are left out; the service may also leave out
            # error details when execution data is excluded.
            page = [_without_data(event) for event in page]
        more = start + limit < len(events)
        return HistoryOutput(
            events=tuple(page),
            next_marker=encode_marker("history", start + limit) if more else None,
        )

    def list_executions_by_function(
        self,
        function_name: str,
        *,
        execution_name: str | None = None,
        statuses: Sequence[ExecutionStatus] | None = None,
        started_after: dt.datetime | None = None,
        started_before: dt.datetime | None = None,
        reverse_order: bool = False,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> ExecutionListOutput:
        """Return one page of the function's executions, newest first.

        ``reverse_order`` lists oldest first. Raises
        ``InvalidParameterValueError`` for a bad marker, name or ``max_items``.
        """
        limit = _page_size(max_items, DEFAULT_HISTORY_PAGE_SIZE)
        parse_function_arn(function_name)
        query = ExecutionQuery(
            function_name=function_name_of(function_name),
            execution_name=execution_name,
            statuses=tuple(statuses) if statuses else None,
            started_after=started_after,
            started_before=started_before,
            limit=limit,
            marker=marker,
            order=QueryOrder.OLDEST_FIRST if reverse_order else QueryOrder.NEWEST_FIRST,
        )
        try:
            page = self.store.query(query)
        except StoreNotFoundError:
            # A store that does not exist yet holds no executions; the first
            # execution started creates it.
            page = QueryPage(rows=(), next_marker=None)
        except InvalidQueryError as error:
            if marker is not None:
                raise InvalidParameterValueError(
                    f"Invalid Marker {marker[:60]!r}: pass the NextMarker of the "
                    "previous ListDurableExecutionsByFunction page unchanged, "
                    "with the same ReverseOrder"
                ) from None
            raise InvalidParameterValueError(str(error)) from None
        rows = tuple(
            Execution(
                durable_execution_arn=row.arn,
                durable_execution_name=row.execution_name,
                function_arn=row.function_arn,
                status=row.status,
                start_timestamp=row.start_timestamp,
                end_timestamp=row.end_timestamp,
            )
            for row in page.rows
        )
        return ExecutionListOutput(
            durable_executions=rows, next_marker=page.next_marker
        )


def _page_size(max_items: int | None, default: int) -> int:
    if max_items is None or max_items == 0:
        return default
    if not 1 <= max_items <= MAX_PAGE_SIZE:
        raise InvalidParameterValueError(
            f"Invalid MaxItems {max_items}: must be 0 (the default page size) to "
            f"{MAX_PAGE_SIZE}"
        )
    return max_items


def _pause_details(record: ExecutionRecord) -> PauseDetails | None:
    """The pause of a PAUSING or PAUSED record written without its details.

    Records dex writes now keep the pause in ``ExecutionSummary.pause_details``;
    for one that does not, the last ExecutionPaused event tells it.
    """
    for event in reversed(record.events):
        details = event.execution_paused_details
        if details is not None:
            return PauseDetails(
                pause_request_timestamp=details.pause_request_timestamp,
                reason=details.reason.payload if details.reason else None,
                execution_timeout_paused=details.execution_timeout_paused,
            )
    return None


def _without_data(event: Event) -> Event:
    changes = {}
    for field in event.__struct_fields__:
        value = getattr(event, field)
        if field.endswith("_details") and value is not None:
            for member in ("result", "input"):
                inner = getattr(value, member, None)
                if inner is not None:
                    value = _replace(value, **{member: _replace(inner, payload=None)})
            changes[field] = value
    return _replace(event, **changes)
