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
from collections.abc import Sequence

import msgspec
from dex_schema import (
    DurableConfig,
    ErrorObject,
    Event,
    EventInput,
    EventType,
    ExecutionDetails,
    ExecutionRecord,
    ExecutionStartedDetails,
    ExecutionStatus,
    ExecutionStoppedDetails,
    ExecutionSummary,
    Operation,
    OperationStatus,
    OperationType,
    OperationUpdate,
)
from dex_store import (
    ExecutionNotFoundError,
    ExecutionQuery,
    StoreNotFoundError,
    function_name_of,
)

from ._api import (
    CheckpointOutput,
)
from ._callbacks import Callbacks
from ._checkpoint import apply_updates
from ._clock import VirtualClock
from ._core import (
    DEFAULT_HISTORY_PAGE_SIZE,
    MAX_PAGE_SIZE,
    STATE_PAGE_SIZE,
    not_found,
)
from ._errors import (
    ExecutionAlreadyStartedError,
    InvalidParameterValueError,
    ResourceConflictError,
    ResourceNotFoundError,
)
from ._execution import LiveExecution, event_error
from ._ids import ExecutionArn
from ._ids import function_arn as parse_function_arn
from ._observe import Observing
from ._pause import begin_pause, pause_at_checkpoint, resume
from ._reads import Reads

__all__ = (
    "DEFAULT_HISTORY_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "STATE_PAGE_SIZE",
    "DurableExecutionService",
)

logger = logging.getLogger(__name__)

_replace = msgspec.structs.replace


class DurableExecutionService(Reads, Callbacks, Observing):
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

    _names_lock = threading.Lock()
    """Makes "is the execution name taken?" and taking it one step."""

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
            The durable execution name; a random UUID when ``None``. A name
            is an idempotency key, as in Lambda: when the function already
            has an execution of that name with the same input, that
            execution's summary is returned and nothing starts.
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
        ExecutionAlreadyStartedError
            The function has an execution named ``execution_name`` whose
            input is not ``input_payload``.
        """
        if execution_name is None:
            return self._start(
                function_name,
                input_payload,
                execution_name=None,
                execution_timeout=execution_timeout,
                invocation_timeout=invocation_timeout,
                clock=clock,
                parent_execution_arn=parent_execution_arn,
                parent_operation_id=parent_operation_id,
            )
        with self._names_lock:
            # XXX: a name stays taken, whatever its execution's status, as
            # long as the execution is known; the service's idempotency
            # window is not modeled.
            existing = self._named(function_name, execution_name)
            if existing is not None:
                if existing.input_payload != input_payload:
                    raise ExecutionAlreadyStartedError(
                        f"Durable execution {execution_name!r} of {function_name} "
                        f"was already started ({existing.durable_execution_arn}) "
                        "with another input; use a new DurableExecutionName"
                    )
                return existing
            return self._start(
                function_name,
                input_payload,
                execution_name=execution_name,
                execution_timeout=execution_timeout,
                invocation_timeout=invocation_timeout,
                clock=clock,
                parent_execution_arn=parent_execution_arn,
                parent_operation_id=parent_operation_id,
            )

    def _named(
        self, function_name: str, execution_name: str
    ) -> ExecutionSummary | None:
        """The function's execution named ``execution_name``, if it has one.

        The executions this service started count, and with ``resume_stored``
        those of its store too (a server restarted on its store keeps the
        names taken).
        """
        function = function_name_of(parse_function_arn(function_name)[0])
        with self._lock:
            lives = list(self._live.values())
        for live in lives:
            summary = live.summary
            if (
                summary.durable_execution_name == execution_name
                and function_name_of(summary.function_arn) == function
            ):
                return summary
        if not self.resume_stored:
            # XXX: a runner, which cannot take up an execution of an earlier
            # run, counts only the names of the executions it started: names
            # in a store from earlier runs are free again.
            return None
        try:
            page = self.store.query(
                ExecutionQuery(
                    function_name=function, execution_name=execution_name, limit=1
                )
            )
        except StoreNotFoundError:
            # A store that does not exist yet holds no executions.
            return None
        if not page.rows:
            return None
        return self.load(page.rows[0].arn).execution

    def _start(
        self,
        function_name: str,
        input_payload: str | None,
        *,
        execution_name: str | None,
        execution_timeout: int,
        invocation_timeout: float,
        clock: VirtualClock | None,
        parent_execution_arn: str | None,
        parent_operation_id: str | None,
    ) -> ExecutionSummary:
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
        # XXX: ClientToken does not make a repeated request idempotent (the
        # SDK sends none); a repeat is refused for its spent token.
        del client_token
        live = self._get_live(execution_arn, InvalidParameterValueError)
        with live.condition:
            pause_at_checkpoint(live)
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
            self._driver.cut_off(live, ExecutionStatus.STOPPED, now)
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
            raise not_found(execution_arn) from None
        with self._lock:
            self._live.pop(execution_arn, None)
        return dt.datetime.now(dt.UTC)
