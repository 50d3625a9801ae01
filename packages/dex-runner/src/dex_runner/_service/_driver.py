"""What the service does on its own: fire timers, invoke, settle invocations.

Every execution has one driver thread running ``drive``. It decides when to
(re)invoke the function (the execution started, a timer fired, a callback was
answered, an invocation failed and the retry budget allows another), starts
each invocation on a thread of its own, times it out, and completes the
execution when the function returns its outcome.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import msgspec
from dex_schema import (
    CallbackDetails,
    CallbackTimedOutDetails,
    ErrorObject,
    Event,
    EventType,
    ExecutionFailedDetails,
    ExecutionStatus,
    ExecutionSucceededDetails,
    ExecutionTimedOutDetails,
    InvocationCompletedDetails,
    InvocationOutcome,
    InvocationRecord,
    OperationStatus,
    WaitSucceededDetails,
)

from ._api import Invocation, InvocationInput, InvocationResult, Invoker
from ._execution import LiveExecution, RunningInvocation, event_error, event_result
from ._group import holds, may_skip, wait_cap
from ._pause import interrupted, pause_after_invocation

__all__ = (
    "EXECUTION_ENDED_ERROR_TYPE",
    "MAX_INVOCATION_ATTEMPTS",
    "NOT_DURABLE_ERROR_TYPE",
    "Driver",
)

logger = logging.getLogger(__name__)

_replace = msgspec.structs.replace

MAX_INVOCATION_ATTEMPTS = 3
"""Invocations in a row that may fail (raise, crash, time out) before the
execution fails with the last one's error."""

EXECUTION_ENDED_ERROR_TYPE = "dex.ExecutionEnded"
"""``ErrorType`` of an invocation cut off because its execution timed out or was
stopped while it ran."""

NOT_DURABLE_ERROR_TYPE = "dex.NotDurableHandler"
"""``ErrorType`` of an execution whose function did not answer as a durable
handler does (with ``{"Status": ...}``)."""

_JOIN_SECONDS = 5.0
"""Longest wait for an invocation thread that has posted its result to end."""

_STATUSES = frozenset({"SUCCEEDED", "FAILED", "PENDING"})


class Driver:
    """Runs executions forward; shared by every execution of one service.

    Parameters
    ----------
    invoker:
        Returns the invoker to call (looked up on each invocation).
    persist:
        Writes an execution's record to the store; called holding its lock.
    first_page:
        Returns the first page of operations and its marker for an invocation.
    service:
        Handed to the invoker with each invocation.
    """

    def __init__(
        self,
        invoker: Callable[[], Invoker | None],
        persist: Callable[[LiveExecution], None],
        first_page: Callable[[LiveExecution], tuple[Any, str | None]],
        service: object,
        max_invocation_attempts: int = MAX_INVOCATION_ATTEMPTS,
    ) -> None:
        self._invoker = invoker
        self._persist = persist
        self._first_page = first_page
        self._service = service
        self.max_invocation_attempts = max_invocation_attempts
        self.on_complete: Callable[[LiveExecution], None] | None = None
        """Called (holding the execution's lock) once an execution has ended."""

    # -- the loop --------------------------------------------------------------

    def drive(self, live: LiveExecution) -> None:
        """Run ``live`` until it ends or the service closes."""
        with live.condition:
            while not live.closed:
                run = live.running
                if run is not None:
                    self._while_running(live, run)
                    continue
                if live.terminal or live.closing:
                    return
                if live.summary.status is ExecutionStatus.PAUSING:
                    pause_after_invocation(live)
                    self._persist(live)
                paused = live.summary.status is ExecutionStatus.PAUSED
                if live.invoke_requested and not paused:
                    self._begin(live)
                    continue
                if self.fire_due_timers(live):
                    continue
                upcoming = live.next_timer()
                if (
                    upcoming is not None
                    and live.clock.can_skip
                    and may_skip(live, upcoming[0])
                ):
                    live.clock.skip_to(upcoming[0])
                    continue
                wait = live.clock.seconds_until(upcoming[0]) if upcoming else None
                live.condition.wait(wait_cap(live, wait))

    def _while_running(self, live: LiveExecution, run: RunningInvocation) -> None:
        if run.done:
            self._settle(live, run)
            return
        remaining = run.deadline - time.monotonic()
        if remaining <= 0:
            self._time_out(live, run)
            return
        self.fire_due_timers(live)
        upcoming = live.next_timer()
        wait = live.clock.seconds_until(upcoming[0]) if upcoming else None
        live.condition.wait(remaining if wait is None else min(wait, remaining))

    # -- timers ---------------------------------------------------------------

    def fire_due_timers(self, live: LiveExecution) -> bool:
        """Fire every timer due now, oldest first; return whether any fired."""
        now = live.clock.now()
        fired = False
        while (upcoming := live.next_timer()) is not None and upcoming[0] <= now:
            due, kind, op_id = upcoming
            fired = True
            if kind == "execution":
                self._time_out_execution(live, due)
                return True
            op = live.operations[op_id]
            if kind == "wait":
                op = _replace(op, status=OperationStatus.SUCCEEDED, end_timestamp=due)
                duration = None
                if op.wait_details and op.wait_details.scheduled_end_timestamp:
                    span = op.wait_details.scheduled_end_timestamp - op.start_timestamp
                    duration = round(span.total_seconds())
                event = live.op_event(
                    EventType.WAIT_SUCCEEDED,
                    op,
                    due,
                    wait_succeeded_details=WaitSucceededDetails(duration=duration),
                )
            elif kind == "retry":
                op = _replace(op, status=OperationStatus.READY)
                event = None
            else:
                heartbeat = kind == "callback-heartbeat"
                error = ErrorObject(
                    error_type="Callback.Heartbeat"
                    if heartbeat
                    else "Callback.Timeout",
                    error_message=(
                        "Callback heartbeat timed out"
                        if heartbeat
                        else "Callback timed out"
                    ),
                )
                details = op.callback_details or CallbackDetails()
                op = _replace(
                    op,
                    status=OperationStatus.TIMED_OUT,
                    end_timestamp=due,
                    callback_details=_replace(details, error=error),
                )
                live.callbacks.pop(op_id, None)
                event = live.op_event(
                    EventType.CALLBACK_TIMED_OUT,
                    op,
                    due,
                    callback_timed_out_details=CallbackTimedOutDetails(
                        error=event_error(error)
                    ),
                )
            live.put(op)
            if event is not None:
                live.add_event(event)
            live.updated_ids[op.id] = None
            if live.running is None:
                live.invoke_requested = True
        if fired:
            live.condition.notify_all()
        return fired

    def _time_out_execution(self, live: LiveExecution, due: dt.datetime) -> None:
        seconds = live.execution_timeout
        error = ErrorObject(
            error_type="Execution.TimedOut",
            error_message=f"Execution timed out after {seconds} seconds",
        )
        self.cut_off(live, ExecutionStatus.TIMED_OUT, due)
        self.complete(
            live,
            ExecutionStatus.TIMED_OUT,
            error=error,
            when=due,
            event=Event(
                event_type=EventType.EXECUTION_TIMED_OUT,
                event_timestamp=due,
                execution_timed_out_details=ExecutionTimedOutDetails(
                    error=event_error(error)
                ),
            ),
        )

    # -- invocations -----------------------------------------------------------

    def _begin(self, live: LiveExecution) -> None:
        live.invoke_requested = False
        invoker = self._invoker()
        if invoker is None:
            live.condition.wait(0.05)
            live.invoke_requested = True
            return
        token = live.issue_token()
        operations, marker = self._first_page(live)
        started = live.clock.now()
        live.invocation_count += 1
        run = RunningInvocation(
            request_id=str(uuid.uuid4()),
            started=started,
            deadline=time.monotonic() + live.invocation_timeout,
            number=live.invocation_count,
        )
        request = Invocation(
            function_arn=live.summary.function_arn,
            qualifier=live.summary.version or "$LATEST",
            request_id=run.request_id,
            input=InvocationInput(
                durable_execution_arn=live.arn,
                checkpoint_token=token,
                operations=operations,
                next_marker=marker,
                updated_operation_ids=tuple(live.updated_ids),
            ),
            timeout_seconds=live.invocation_timeout,
            service=self._service,
        )
        live.updated_ids.clear()
        live.running = run
        live.invocations.append(
            InvocationRecord(request_id=run.request_id, start_timestamp=started)
        )
        thread = threading.Thread(
            target=self._invoke,
            args=(live, run, invoker, request),
            name=f"dex-invocation-{live.summary.durable_execution_name}-{run.number}",
            daemon=True,
        )
        run.thread = thread
        thread.start()

    def _invoke(
        self,
        live: LiveExecution,
        run: RunningInvocation,
        invoker: Invoker,
        request: Invocation,
    ) -> None:
        try:
            result = invoker.invoke(request)
        except BaseException as error:
            logger.exception("invoker failed for %s", live.arn)
            result = InvocationResult(
                error=ErrorObject(
                    error_type="dex.InvokerError",
                    error_message=f"the invoker raised {error!r}",
                )
            )
        with live.condition:
            run.result = result
            run.done = True
            live.condition.notify_all()

    def _settle(self, live: LiveExecution, run: RunningInvocation) -> None:
        """Record how the invocation ended and what the execution does next."""
        if run.thread is not None:
            # It has posted its result and only returns now; joining it here
            # means no invocation thread outlives its execution's driver.
            run.thread.join(_JOIN_SECONDS)
        result: InvocationResult = run.result
        live.running = None
        live.token = None
        end = live.clock.now()
        output = result.output
        error = result.error
        outcome = InvocationOutcome.ERROR
        status = None
        if error is None:
            if isinstance(output, dict) and output.get("Status") in _STATUSES:
                status = output["Status"]
                outcome = InvocationOutcome(status)
            else:
                error = ErrorObject(
                    error_type=NOT_DURABLE_ERROR_TYPE,
                    error_message=(
                        f"the function returned {_describe(output)} instead of a "
                        "durable execution output ({'Status': 'SUCCEEDED' | "
                        "'FAILED' | 'PENDING', ...}); decorate the handler with "
                        "@durable_execution"
                    ),
                )
        self._record_invocation(live, run, end, outcome, error, result)
        if live.terminal:
            return
        if interrupted(run.request_id):
            live.invoke_requested = True
            self._persist(live)
            live.condition.notify_all()
            return
        if error is not None:
            if error.error_type == NOT_DURABLE_ERROR_TYPE:
                # XXX: fails at once, without invocation retries, so a plain
                # function's side effects do not run three times.
                self.complete(live, ExecutionStatus.FAILED, error=error, when=end)
                return
            self._after_error(live, error, end)
            return
        live.failed_invocations = 0
        if live.completion is not None:
            kind, payload, checkpointed_error = live.completion
            if kind == "SUCCEEDED":
                self.complete(live, ExecutionStatus.SUCCEEDED, result=payload, when=end)
            else:
                self.complete(
                    live, ExecutionStatus.FAILED, error=checkpointed_error, when=end
                )
            return
        if status == "SUCCEEDED":
            self.complete(
                live, ExecutionStatus.SUCCEEDED, result=output.get("Result"), when=end
            )
        elif status == "FAILED":
            raw = output.get("Error")
            failure = (
                msgspec.convert(raw, ErrorObject)
                if isinstance(raw, dict)
                else ErrorObject(error_message="The function reported a failure")
            )
            self.complete(live, ExecutionStatus.FAILED, error=failure, when=end)
        else:
            if live.updated_ids:
                live.invoke_requested = True
            self._persist(live)
        live.condition.notify_all()

    def _record_invocation(
        self,
        live: LiveExecution,
        run: RunningInvocation,
        end: dt.datetime,
        outcome: InvocationOutcome,
        error: ErrorObject | None,
        result: InvocationResult | None,
    ) -> None:
        for index in range(len(live.invocations) - 1, -1, -1):
            record = live.invocations[index]
            if record.request_id == run.request_id:
                live.invocations[index] = _replace(
                    record,
                    end_timestamp=end,
                    outcome=outcome,
                    error=error,
                    logs=record.logs + (result.logs if result else ()),
                )
                break
        live.add_event(
            Event(
                event_type=EventType.INVOCATION_COMPLETED,
                event_timestamp=end,
                invocation_completed_details=InvocationCompletedDetails(
                    start_timestamp=run.started,
                    end_timestamp=end,
                    request_id=run.request_id,
                    error=event_error(error) if error is not None else None,
                ),
            )
        )

    def _after_error(
        self, live: LiveExecution, error: ErrorObject, end: dt.datetime
    ) -> None:
        live.failed_invocations += 1
        live.last_invocation_error = error
        if live.failed_invocations >= self.max_invocation_attempts:
            self.complete(live, ExecutionStatus.FAILED, error=error, when=end)
        else:
            # XXX: the failed invocation is retried at once; Lambda waits
            # (with backoff) between retries of a failed invocation.
            live.invoke_requested = True
            self._persist(live)
        live.condition.notify_all()

    def _fence(self, live: LiveExecution, run: RunningInvocation, why: str) -> None:
        """Stop accepting the invocation's checkpoints and forget it.

        ``why`` completes "the invocation is still running but ..." and is
        handed to the invoker, which names it when it warns about handlers
        still running.
        """
        live.running = None
        live.token = None
        logger.warning(
            "invocation %s of %s is still running but %s; it is fenced off: its "
            "later checkpoints are rejected",
            run.request_id,
            live.arn,
            why,
        )
        fenced = getattr(self._invoker(), "fenced", None)
        if callable(fenced):
            fenced(run.request_id, why)

    def _partial_logs(self, run: RunningInvocation) -> tuple[Any, ...]:
        # What the function logged before it was cut off, when the invoker
        # can tell (the in-process one can; Lambda's log stream would too).
        partial = getattr(self._invoker(), "partial_logs", None)
        return tuple(partial(run.request_id)) if callable(partial) else ()

    def cut_off(
        self, live: LiveExecution, status: ExecutionStatus, when: dt.datetime
    ) -> None:
        """End the running invocation, if any, of an execution ending with ``status``.

        Its record ends at ``when`` (the execution's end) with outcome ERROR
        and an error saying the execution ended while it ran, and an
        InvocationCompleted event comes before the execution's own, so no
        ended execution keeps a RUNNING invocation. The handler is fenced.
        """
        run = live.running
        if run is None:
            return
        why = (
            "its execution timed out"
            if status is ExecutionStatus.TIMED_OUT
            else "its execution was stopped"
        )
        self._fence(live, run, why)
        error = ErrorObject(
            error_type=EXECUTION_ENDED_ERROR_TYPE,
            error_message=(
                f"The execution ended ({status.value}) while this invocation was "
                "running; the invocation was cut off and its later checkpoints "
                "are rejected"
            ),
        )
        # XXX: the cut-off invocation is recorded as ended (InvocationCompleted
        # with this error) when its execution ends; in Lambda the function
        # runs on until it returns or times out.
        self._record_invocation(
            live,
            run,
            when,
            InvocationOutcome.ERROR,
            error,
            InvocationResult(error=error, logs=self._partial_logs(run)),
        )

    def _time_out(self, live: LiveExecution, run: RunningInvocation) -> None:
        seconds = live.invocation_timeout
        self._fence(
            live, run, f"it passed its invocation timeout of {seconds:g} seconds"
        )
        end = live.clock.now()
        error = ErrorObject(
            error_type="Sandbox.Timedout",
            error_message=f"Task timed out after {seconds:.2f} seconds",
        )
        self._record_invocation(
            live,
            run,
            end,
            InvocationOutcome.ERROR,
            error,
            InvocationResult(error=error, logs=self._partial_logs(run)),
        )
        if live.completion is not None:
            kind, payload, checkpointed_error = live.completion
            status = ExecutionStatus(kind)
            self.complete(
                live, status, result=payload, error=checkpointed_error, when=end
            )
            return
        self._after_error(live, error, end)

    # -- completion ------------------------------------------------------------

    def complete(
        self,
        live: LiveExecution,
        status: ExecutionStatus,
        *,
        result: str | None = None,
        error: ErrorObject | None = None,
        when: dt.datetime,
        event: Event | None = None,
    ) -> None:
        """End the execution with ``status``, record its event and persist it."""
        live.completion = None
        live.invoke_requested = False
        live.summary = _replace(
            live.summary,
            status=status,
            end_timestamp=when,
            result=result,
            error=error,
            pause_details=None,
        )
        execution_op = live.operations.get(live.execution_operation_id)
        if execution_op is not None:
            live.put(
                _replace(
                    execution_op,
                    status=OperationStatus(status.value),
                    end_timestamp=when,
                )
            )
        if event is None:
            if status is ExecutionStatus.SUCCEEDED:
                event = Event(
                    event_type=EventType.EXECUTION_SUCCEEDED,
                    event_timestamp=when,
                    execution_succeeded_details=ExecutionSucceededDetails(
                        result=event_result(result)
                    ),
                )
            else:
                event = Event(
                    event_type=EventType.EXECUTION_FAILED,
                    event_timestamp=when,
                    execution_failed_details=ExecutionFailedDetails(
                        error=event_error(error)
                    ),
                )
        live.add_event(
            _replace(event, id=live.execution_operation_id)
            if event.id is None
            else event
        )
        self._persist(live)
        live.condition.notify_all()
        if self.on_complete is not None:
            self.on_complete(live)


def held(live: LiveExecution) -> bool:
    """Whether something other than a timer may change an execution on the clock.

    A callback the test can still answer holds it, until someone blocks
    waiting for the result of an execution on that clock (see ``_group``).
    """
    return holds(live)


def _describe(value: object) -> str:
    if value is None:
        return "None"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"
