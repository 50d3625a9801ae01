"""``DurableExecutionService``: the emulated durable execution service.

Its public methods are the service's operations, in wire terms:
StartDurableExecution (Lambda's Invoke of a durable function),
CheckpointDurableExecution, GetDurableExecutionState, GetDurableExecution,
GetDurableExecutionHistory, ListDurableExecutionsByFunction,
SendDurableExecutionCallbackSuccess / Failure / Heartbeat and
StopDurableExecution. Errors are ``ServiceError`` subclasses carrying the AWS
error code and HTTP status. The runner and the HTTP server both drive this
class; neither adds behaviour of its own.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Sequence

import msgspec
from dex_schema import (
    CallbackFailedDetails,
    CallbackSucceededDetails,
    DurableConfig,
    ErrorObject,
    Event,
    EventInput,
    EventType,
    Execution,
    ExecutionDetails,
    ExecutionRecord,
    ExecutionStartedDetails,
    ExecutionStatus,
    ExecutionStoppedDetails,
    ExecutionSummary,
    InvocationOutcome,
    Operation,
    OperationStatus,
    OperationType,
    OperationUpdate,
)
from dex_store import (
    ExecutionNotFoundError,
    ExecutionQuery,
    ExecutionStore,
    InvalidQueryError,
    QueryOrder,
    function_name_of,
)

from ._api import (
    CheckpointOutput,
    ExecutionListOutput,
    HistoryOutput,
    Invoker,
    StateOutput,
)
from ._checkpoint import apply_updates
from ._clock import ClockMode, VirtualClock
from ._driver import MAX_INVOCATION_ATTEMPTS, Driver
from ._errors import (
    CallbackTimeoutError,
    InvalidCheckpointTokenError,
    InvalidParameterValueError,
    ResourceConflictError,
    ResourceNotFoundError,
    ServiceInternalError,
)
from ._execution import LiveExecution, event_error, event_result
from ._group import join_group, settle
from ._ids import ExecutionArn, decode_callback_id, decode_marker, encode_marker
from ._ids import function_arn as parse_function_arn
from ._invoke import ChainedInvokes, FunctionCatalog
from ._pause import begin_pause, forget, pause_at_checkpoint, resume

__all__ = (
    "DEFAULT_HISTORY_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "STATE_PAGE_SIZE",
    "DurableExecutionService",
)

logger = logging.getLogger(__name__)

_replace = msgspec.structs.replace

STATE_PAGE_SIZE = 1000
"""Operations per page of the invocation's initial state and of
GetDurableExecutionState (the most ``MaxItems`` may ask for)."""
DEFAULT_HISTORY_PAGE_SIZE = 100
"""Events per GetDurableExecutionHistory page when ``MaxItems`` is 0 or absent."""
MAX_PAGE_SIZE = 1000
"""The largest ``MaxItems`` any listing accepts."""


class DurableExecutionService:
    """The emulated durable execution service over one ``ExecutionStore``.

    Parameters
    ----------
    store:
        Where executions are kept; every execution is in it, consistent, at
        each invocation boundary.
    invoker:
        Invokes the function of an execution; may be set later with
        ``set_invoker``.
    clock_mode:
        How time passes for executions started without a clock of their own.
    state_page_size:
        Operations per page of initial state and GetDurableExecutionState.
    max_invocation_attempts:
        Failed invocations in a row before the execution fails.
    resume_stored:
        Take up executions found only in the store (left running by an
        earlier service on the same store) when a request names them: their
        driver starts again and re-invokes the function, as Lambda re-drives
        an execution whose invocation was lost. Off for the local runner, on
        for a long-lived server.
    invocation_timeout:
        Wall seconds an invocation of a resumed execution may take.
    """

    def __init__(
        self,
        store: ExecutionStore,
        invoker: Invoker | None = None,
        *,
        clock_mode: ClockMode = ClockMode.SKIP,
        state_page_size: int = STATE_PAGE_SIZE,
        max_invocation_attempts: int = MAX_INVOCATION_ATTEMPTS,
        resume_stored: bool = False,
        invocation_timeout: float = 900,
    ) -> None:
        self.store = store
        self.resume_stored = resume_stored
        self.invocation_timeout = invocation_timeout
        self._resume_lock = threading.Lock()
        self.clock_mode = clock_mode
        self.state_page_size = state_page_size
        self._invoker = invoker
        self._lock = threading.Lock()
        self._live: dict[str, LiveExecution] = {}
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._driver = Driver(
            invoker=lambda: self._invoker,
            persist=self._persist,
            first_page=self._first_page,
            service=self,
            max_invocation_attempts=max_invocation_attempts,
        )

        self._driver.on_complete = self._on_complete
        self._chained = ChainedInvokes(self)

    def set_invoker(self, invoker: Invoker) -> None:
        """Use ``invoker`` for every invocation from now on."""
        self._invoker = invoker

    # -- StartDurableExecution -----------------------------------------------

    def start_execution(
        self,
        function_name: str,
        input_payload: str | None = None,
        *,
        execution_name: str | None = None,
        execution_timeout: int = 300,
        invocation_timeout: float = 900,
        clock: VirtualClock | None = None,
        parent_execution_arn: str | None = None,
        parent_operation_id: str | None = None,
    ) -> ExecutionSummary:
        """Start a durable execution of ``function_name`` and return its summary.

        Parameters
        ----------
        function_name:
            A function name or ARN (with an optional qualifier).
        input_payload:
            The execution's input as JSON text, or ``None`` for no input.
        execution_name:
            The durable execution name; a random UUID when ``None``.
        execution_timeout:
            Seconds (of the execution's clock) before it times out.
        invocation_timeout:
            Wall seconds one invocation may take before it is timed out.
        clock:
            The clock to run on (chained executions share their parent's); a
            new one in the service's ``clock_mode`` when ``None``.

        Raises
        ------
        InvalidParameterValueError
            A malformed function or execution name, or a timeout below 1.
        """
        if self._closed:
            raise InvalidParameterValueError("the service is closed")
        if execution_timeout < 1:
            raise InvalidParameterValueError(
                f"Invalid ExecutionTimeout {execution_timeout}: must be 1 or more "
                "seconds"
            )
        function, qualifier = parse_function_arn(function_name)
        arn = ExecutionArn.new(function, qualifier, execution_name)
        clock = clock or VirtualClock(self.clock_mode)
        now = clock.now()
        summary = ExecutionSummary(
            durable_execution_arn=str(arn),
            durable_execution_name=arn.name,
            function_arn=function,
            input_payload=input_payload,
            start_timestamp=now,
            status=ExecutionStatus.RUNNING,
            version=qualifier,
            durable_config=DurableConfig(execution_timeout=execution_timeout),
            expected_execution_timeout_timestamp=now
            + dt.timedelta(seconds=execution_timeout),
        )
        execution_op = Operation(
            id=arn.id,
            name=arn.name,
            type=OperationType.EXECUTION,
            start_timestamp=now,
            status=OperationStatus.STARTED,
            execution_details=ExecutionDetails(input_payload=input_payload),
        )
        record = ExecutionRecord(execution=summary, operations=(execution_op,))
        live = LiveExecution(
            record,
            clock,
            invocation_timeout=invocation_timeout,
            execution_timeout=execution_timeout,
        )
        live.parent_execution_arn = parent_execution_arn
        live.parent_operation_id = parent_operation_id
        live.add_event(
            Event(
                event_type=EventType.EXECUTION_STARTED,
                id=arn.id,
                name=arn.name,
                event_timestamp=now,
                execution_started_details=ExecutionStartedDetails(
                    input=EventInput(payload=input_payload, truncated=False),
                    execution_timeout=execution_timeout,
                ),
            )
        )
        live.invoke_requested = True
        with live.condition:
            stored = self.store.create(live.to_record())
            live.revision = stored.revision
        self._adopt(live)
        logger.debug("started %s", live.arn)
        return live.summary

    def _drive(self, live: LiveExecution) -> None:
        try:
            self._driver.drive(live)
        except Exception as error:
            logger.exception("the driver of %s failed", live.arn)
            with live.condition:
                live.broken = error
                live.closed = True
                live.condition.notify_all()

    def _check_broken(self, live: LiveExecution) -> None:
        if live.broken is not None:
            raise ServiceInternalError(
                f"the service failed while running execution {live.arn}: "
                f"{live.broken!r}; the store holds its last consistent state"
            )

    def _adopt(self, live: LiveExecution) -> None:
        clock = live.clock
        clock.subscribe(lambda: _wake(live))
        join_group(live)
        thread = threading.Thread(
            target=self._drive,
            args=(live,),
            name=f"dex-execution-{live.summary.durable_execution_name}",
            daemon=True,
        )
        with self._lock:
            self._live[live.arn] = live
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    # -- CheckpointDurableExecution ------------------------------------------

    def checkpoint(
        self,
        execution_arn: str,
        checkpoint_token: str,
        updates: Sequence[OperationUpdate],
        client_token: str | None = None,
    ) -> CheckpointOutput:
        """Apply ``updates`` and return the new token and the changed operations.

        Raises
        ------
        InvalidCheckpointTokenError
            The token is not the newest one issued to the running invocation.
        InvalidParameterValueError
            An update is invalid (nothing is applied) or the ARN is unknown.
        """
        live = self._get_live(execution_arn, InvalidParameterValueError)
        with live.condition:
            pause_at_checkpoint(live, self._driver._fence)
            self._check_token(live, checkpoint_token)
            completes = apply_updates(live, updates, live.clock.now())
            self._chained.on_checkpoint(live)
            # XXX: the changed operations all go in this one response; the
            # service may page them with NewExecutionState.NextMarker.
            operations = tuple(live.operations[op_id] for op_id in live.changed_ids)
            live.changed_ids.clear()
            if completes:
                live.token = None
            else:
                live.issue_token()
            live.condition.notify_all()
            return CheckpointOutput(checkpoint_token=live.token, operations=operations)

    def _check_token(self, live: LiveExecution, token: str) -> None:
        if live.token is None:
            raise InvalidCheckpointTokenError(
                f"execution {live.arn} accepts no checkpoint now: the invocation "
                "that held this token has ended, was timed out or the execution "
                "is over"
            )
        if token != live.token:
            raise InvalidCheckpointTokenError(
                f"token {token!r} is not the current token of execution "
                f"{live.arn}; every checkpoint returns a new token and only the "
                "newest is accepted"
            )

    # -- GetDurableExecutionState --------------------------------------------

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

    # -- GetDurableExecution, history and listing ------------------------------

    def get_execution(self, execution_arn: str) -> ExecutionSummary:
        """Return the execution's summary (GetDurableExecution).

        Raises
        ------
        ResourceNotFoundError
            No execution has this ARN.
        """
        return self.load(execution_arn).execution

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
        except ExecutionNotFoundError:
            raise _not_found(execution_arn) from None

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
        except InvalidQueryError as error:
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

    # -- callbacks ---------------------------------------------------------------

    def send_callback_success(self, callback_id: str, result: str | None) -> None:
        """Complete a callback with ``result`` (the payload text as stored).

        Raises
        ------
        ResourceNotFoundError
            No callback has this id.
        CallbackTimeoutError
            The callback timed out already.
        InvalidParameterValueError
            The callback was answered already or its execution has ended.
        """
        self._answer(callback_id, result=result, error=None)

    def send_callback_failure(
        self, callback_id: str, error: ErrorObject | None
    ) -> None:
        """Fail a callback with ``error``; raises as ``send_callback_success``."""
        self._answer(callback_id, result=None, error=error or ErrorObject())

    def send_callback_heartbeat(self, callback_id: str) -> None:
        """Restart the callback's heartbeat timeout; raises as the success call."""
        live, op = self._callback(callback_id)
        with live.condition:
            op = self._open_callback(live, callback_id, op.id)
            timer = live.callbacks[op.id]
            live.callbacks[op.id] = _replace(
                timer, last_heartbeat_timestamp=live.clock.now()
            )
            if live.running is None:
                self._persist(live)
            live.condition.notify_all()

    def _answer(
        self, callback_id: str, *, result: str | None, error: ErrorObject | None
    ) -> None:
        live, op = self._callback(callback_id)
        with live.condition:
            op = self._open_callback(live, callback_id, op.id)
            now = live.clock.now()
            details = op.callback_details
            assert details is not None
            if error is None:
                op = _replace(
                    op,
                    status=OperationStatus.SUCCEEDED,
                    end_timestamp=now,
                    callback_details=_replace(details, result=result),
                )
                event = live.op_event(
                    EventType.CALLBACK_SUCCEEDED,
                    op,
                    now,
                    callback_succeeded_details=CallbackSucceededDetails(
                        result=event_result(result)
                    ),
                )
            else:
                op = _replace(
                    op,
                    status=OperationStatus.FAILED,
                    end_timestamp=now,
                    callback_details=_replace(details, error=error),
                )
                event = live.op_event(
                    EventType.CALLBACK_FAILED,
                    op,
                    now,
                    callback_failed_details=CallbackFailedDetails(
                        error=event_error(error)
                    ),
                )
            live.put(op)
            live.add_event(event)
            live.callbacks.pop(op.id, None)
            live.updated_ids[op.id] = None
            if live.running is None:
                live.invoke_requested = True
                self._persist(live)
            live.condition.notify_all()

    def _callback(self, callback_id: str) -> tuple[LiveExecution, Operation]:
        arn, op_id = decode_callback_id(callback_id)
        live = self._get_live(arn, ResourceNotFoundError)
        with live.condition:
            op = live.operations.get(op_id)
        if op is None or op.type is not OperationType.CALLBACK:
            raise ResourceNotFoundError(
                f"Callback {callback_id!r} not found in execution {arn}"
            )
        return live, op

    def _open_callback(
        self, live: LiveExecution, callback_id: str, op_id: str
    ) -> Operation:
        op = live.operations[op_id]
        if live.terminal:
            raise InvalidParameterValueError(
                f"Callback {callback_id!r} can no longer be answered: execution "
                f"{live.arn} has ended ({live.summary.status.value})"
            )
        if op.status is OperationStatus.TIMED_OUT:
            raise CallbackTimeoutError(
                f"Callback {callback_id!r} timed out at {op.end_timestamp} and can "
                "no longer be answered"
            )
        if op.status is not OperationStatus.STARTED:
            raise InvalidParameterValueError(
                f"Callback {callback_id!r} was already completed "
                f"({op.status.value}); a callback is answered once"
            )
        return op

    # -- StopDurableExecution --------------------------------------------------

    def stop_execution(
        self, execution_arn: str, error: ErrorObject | None = None
    ) -> dt.datetime:
        """Stop a running execution; return the stop timestamp.

        Raises
        ------
        ResourceNotFoundError
            No execution has this ARN.
        InvalidParameterValueError
            The execution has ended already.
        """
        live = self._get_live(execution_arn, ResourceNotFoundError)
        with live.condition:
            if live.terminal:
                raise InvalidParameterValueError(
                    f"Execution {execution_arn} has already ended "
                    f"({live.summary.status.value}) and cannot be stopped"
                )
            now = live.clock.now()
            if live.running is not None:
                self._driver._fence(live, live.running, "the execution was stopped")
            self._driver.complete(
                live,
                ExecutionStatus.STOPPED,
                error=error,
                when=now,
                event=Event(
                    event_type=EventType.EXECUTION_STOPPED,
                    event_timestamp=now,
                    execution_stopped_details=ExecutionStoppedDetails(
                        error=event_error(error)
                    ),
                ),
            )
            return now

    # -- PauseDurableExecution and ResumeDurableExecution -------------------------

    def pause_execution(
        self,
        execution_arn: str,
        reason: str | None = None,
        *,
        execution_timeout_paused: bool = True,
    ) -> None:
        """Pause a running execution (see ``_pause`` for the states it goes through).

        Parameters
        ----------
        reason:
            Recorded in the ExecutionPaused event (at most 1024 characters).
        execution_timeout_paused:
            Whether the execution timeout stops while paused (the default).

        Raises
        ------
        ResourceNotFoundError
            No execution has this ARN.
        ResourceConflictError
            The execution is not RUNNING (ended, paused or pausing).
        InvalidParameterValueError
            ``reason`` is too long.
        """
        live = self._get_live(execution_arn, ResourceNotFoundError)
        with live.condition:
            begin_pause(live, reason, execution_timeout_paused, self._persist)

    def resume_execution(self, execution_arn: str, reason: str | None = None) -> None:
        """Resume a PAUSED execution, or cancel the pause of a PAUSING one.

        Raises
        ------
        ResourceNotFoundError
            No execution has this ARN.
        ResourceConflictError
            The execution is neither PAUSED nor PAUSING.
        InvalidParameterValueError
            ``reason`` is too long.
        """
        live = self._get_live(execution_arn, ResourceNotFoundError)
        with live.condition:
            resume(live, reason, self._persist)

    # -- chained invokes ---------------------------------------------------------

    def set_functions(self, catalog: FunctionCatalog | None) -> None:
        """Look chained invoke targets up in ``catalog`` from now on.

        With no catalog (the default) every target is run as a durable
        execution by the invoker.
        """
        self._chained.catalog = catalog

    def persist(self, live: LiveExecution) -> None:
        """Write ``live``'s record to the store (hold its lock)."""
        self._persist(live)

    def track_thread(self, thread: threading.Thread) -> None:
        """Have ``close`` wait for ``thread`` too."""
        with self._lock:
            self._threads.append(thread)

    def _on_complete(self, live: LiveExecution) -> None:
        forget(live.arn)
        self._chained.child_completed(live)

    # -- DeleteDurableExecution ------------------------------------------------

    def delete_execution(self, execution_arn: str) -> dt.datetime:
        """Delete an ended execution from the store; return the deletion time.

        Raises
        ------
        ResourceNotFoundError
            No execution has this ARN.
        ResourceConflictError
            The execution has not ended (stop it first).
        """
        with self._lock:
            live = self._live.get(execution_arn)
        if live is not None:
            with live.condition:
                if not live.terminal or live.running is not None:
                    raise ResourceConflictError(
                        f"Execution {execution_arn} is "
                        f"{live.summary.status.value} and cannot be deleted; stop "
                        "it first (StopDurableExecution)"
                    )
        try:
            self.store.delete(execution_arn)
        except ExecutionNotFoundError:
            raise _not_found(execution_arn) from None
        with self._lock:
            self._live.pop(execution_arn, None)
        return dt.datetime.now(dt.UTC)

    # -- observing (for runners) -----------------------------------------------

    def wait_for_completion(
        self, execution_arn: str, timeout: float | None
    ) -> ExecutionRecord | None:
        """Block until the execution ends; ``None`` when ``timeout`` passes first.

        While a caller waits here, outstanding callbacks no longer hold the
        execution's clock. Raises ``ResourceNotFoundError`` for an unknown ARN.
        """
        live = self._get_live(execution_arn, ResourceNotFoundError)
        with live.condition:
            live.result_waiters += 1
            live.condition.notify_all()
            try:
                done = live.condition.wait_for(
                    lambda: (live.terminal and live.running is None) or live.closed,
                    timeout,
                )
            finally:
                live.result_waiters -= 1
            self._check_broken(live)
            return live.to_record() if done and live.terminal else None

    def wait_for_callback(
        self, execution_arn: str, name: str | None, timeout: float | None
    ) -> str:
        """Block until a callback can be answered; return its callback id.

        A callback can be answered once it is started and no invocation is
        running (the function has suspended). ``name`` selects by the
        callback's name or its parent's (``wait_for_callback``'s) name.

        Raises
        ------
        ResourceNotFoundError
            No execution has this ARN.
        TimeoutError
            ``timeout`` passed first, or the execution ended; the message
            names the callbacks that did appear.
        """
        live = self._get_live(execution_arn, ResourceNotFoundError)
        deadline = None if timeout is None else time.monotonic() + timeout
        with live.condition:
            while True:
                if live.running is None:
                    for op in live.outstanding_callbacks():
                        if name is None or name in _names(live, op):
                            assert op.callback_details is not None
                            assert op.callback_details.callback_id is not None
                            return op.callback_details.callback_id
                self._check_broken(live)
                if live.terminal or live.closed:
                    raise TimeoutError(_no_callback(live, name, "the execution ended"))
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(
                        _no_callback(live, name, f"{timeout:g} seconds passed")
                    )
                live.condition.wait(remaining)

    def close(self) -> None:
        """Start no more invocations, and return once every driver has ended.

        An invocation still running may finish until its invocation timeout;
        one running past it is fenced (its checkpoints are rejected) as
        usual. Nothing of the service writes to the store once this returns.
        """
        self._closed = True
        with self._lock:
            lives = list(self._live.values())
            threads = list(self._threads)
        for live in lives:
            with live.condition:
                live.closing = True
                live.condition.notify_all()
        for thread in threads:
            thread.join()
        for live in lives:
            with live.condition:
                live.closed = True
                live.token = None
                live.condition.notify_all()

    def advance_time(self, execution_arn: str, seconds: float) -> None:
        """Move the execution's clock (and its chained executions') forward.

        Timers that come due fire. Meant for ``ClockMode.MANUAL``; in the
        other modes it skips time too. Returns once every execution on the
        clock has fired the timers that came due and run the invocations they
        caused (at most ``SETTLE_TIMEOUT`` wall seconds), so what a test reads
        next reflects the new time. Raises ``ResourceNotFoundError`` for an
        unknown ARN and ``ValueError`` for negative ``seconds``.
        """
        live = self._get_live(execution_arn, ResourceNotFoundError)
        live.clock.advance(seconds)
        settle(live)

    def clock_for(self, execution_arn: str) -> Callable[[], dt.datetime]:
        """The execution clock's ``now`` (``ResourceNotFoundError`` if unknown)."""
        return self._get_live(execution_arn, ResourceNotFoundError).clock.now

    # -- helpers -----------------------------------------------------------------

    def _get_live(
        self,
        execution_arn: str,
        error: type[InvalidParameterValueError] | type[ResourceNotFoundError],
    ) -> LiveExecution:
        with self._lock:
            live = self._live.get(execution_arn)
        if live is None and self.resume_stored and not self._closed:
            live = self._resume(execution_arn)
        if live is None:
            raise _not_found(execution_arn, error)
        return live

    def _resume(self, execution_arn: str) -> LiveExecution | None:
        """Take up a stored execution this service does not run (yet)."""
        with self._resume_lock:
            with self._lock:
                live = self._live.get(execution_arn)
            if live is not None:
                return live
            try:
                record = self.store.load(execution_arn)
            except ExecutionNotFoundError:
                return None
            clock = VirtualClock(self.clock_mode)
            saved = record.service_state.clock
            if saved is not None and self.clock_mode is not ClockMode.REAL:
                clock.skip_to(saved)
            config = record.execution.durable_config
            live = LiveExecution(
                record,
                clock,
                invocation_timeout=self.invocation_timeout,
                execution_timeout=(config.execution_timeout if config else None) or 300,
            )
            # Whatever invocation was running when the record was written is
            # gone with the service that ran it: its token is void and the
            # function is invoked again, as it is when one had failed or an
            # operation changed since the last one.
            live.token = None
            last = record.invocations[-1].outcome if record.invocations else None
            live.invoke_requested = not live.terminal and (
                last in (None, InvocationOutcome.RUNNING, InvocationOutcome.ERROR)
                or bool(live.updated_ids)
            )
            logger.debug("resuming %s from the store", execution_arn)
            self._adopt(live)
            return live

    def _persist(self, live: LiveExecution) -> None:
        if live.closed:
            return
        stored = self.store.update(live.to_record())
        live.revision = stored.revision


def _wake(live: LiveExecution) -> None:
    with live.condition:
        live.condition.notify_all()


def _names(live: LiveExecution, op: Operation) -> set[str | None]:
    names = {op.name}
    if op.parent_id is not None:
        parent = live.operations.get(op.parent_id)
        if parent is not None:
            names.add(parent.name)
    return names


def _no_callback(live: LiveExecution, name: str | None, why: str) -> str:
    seen = [
        op.name or op.id
        for op_id in live.order
        if (op := live.operations[op_id]).type is OperationType.CALLBACK
    ]
    wanted = f"named {name!r} " if name is not None else ""
    return (
        f"no callback {wanted}could be answered in execution {live.arn} before "
        f"{why}; callbacks that appeared: {', '.join(map(repr, seen)) or 'none'}"
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


def _not_found(
    arn: str,
    error: type[InvalidParameterValueError]
    | type[ResourceNotFoundError] = ResourceNotFoundError,
) -> Exception:
    return error(f"Durable execution {arn!r} not found")


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
