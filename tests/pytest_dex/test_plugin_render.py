"""The failure report's text for one execution, and the recording store view."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec
import pytest
from dex_schema import (
    CallbackDetails,
    ContextDetails,
    ErrorObject,
    Event,
    EventError,
    EventType,
    ExecutionRecord,
    ExecutionStatus,
    ExecutionSummary,
    InvocationOutcome,
    InvocationRecord,
    LogEntry,
    Operation,
    OperationStatus,
    OperationType,
    RetryDetails,
    StepDetails,
    StepFailedDetails,
)
from dex_store import ExecutionNotFoundError, StoreConfig, open_store
from pytest_dex import render_execution
from pytest_dex._recording import RecordingStore

T0 = dt.datetime(2026, 12, 3, 17, 0, tzinfo=dt.UTC)
ARN = (
    "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST"
    "/durable-execution/run-1/0001"
)
DECLINED = ErrorObject(error_type="ValueError", error_message="card declined")


def _record(events: int = 3, logs: int = 2) -> ExecutionRecord:
    operations = (
        Operation(
            id="exec",
            type=OperationType.EXECUTION,
            start_timestamp=T0,
            status=OperationStatus.FAILED,
        ),
        Operation(
            id="op-1",
            name="validate",
            type=OperationType.STEP,
            sub_type="Step",
            start_timestamp=T0,
            status=OperationStatus.SUCCEEDED,
            step_details=StepDetails(attempt=1, result='"ok"'),
        ),
        Operation(
            id="op-2",
            name="payment",
            type=OperationType.CONTEXT,
            sub_type="RunInChildContext",
            start_timestamp=T0,
            status=OperationStatus.FAILED,
            context_details=ContextDetails(error=DECLINED),
        ),
        Operation(
            id="op-3",
            parent_id="op-2",
            name="charge",
            type=OperationType.STEP,
            sub_type="Step",
            start_timestamp=T0,
            status=OperationStatus.FAILED,
            step_details=StepDetails(attempt=3, error=DECLINED),
        ),
        Operation(
            id="op-4",
            type=OperationType.CALLBACK,
            start_timestamp=T0,
            status=OperationStatus.STARTED,
            callback_details=CallbackDetails(callback_id="cb-1"),
        ),
    )
    history = tuple(
        Event(
            event_type=EventType.STEP_FAILED,
            event_id=n + 1,
            id="op-3",
            name="charge",
            event_timestamp=T0,
            step_failed_details=StepFailedDetails(
                error=EventError(payload=DECLINED),
                retry_details=RetryDetails(current_attempt=n + 1),
            ),
        )
        for n in range(events)
    )
    invocation = InvocationRecord(
        request_id="req-1",
        start_timestamp=T0,
        end_timestamp=T0,
        outcome=InvocationOutcome.FAILED,
        logs=tuple(
            LogEntry(timestamp=T0, level="INFO", logger="orders", message=f"line {n}")
            for n in range(logs)
        ),
    )
    return ExecutionRecord(
        execution=ExecutionSummary(
            durable_execution_arn=ARN,
            durable_execution_name="run-1",
            function_arn="arn:aws:lambda:us-east-1:123456789012:function:orders",
            start_timestamp=T0,
            status=ExecutionStatus.FAILED,
            error=DECLINED,
        ),
        operations=operations,
        events=history,
        invocations=(invocation,),
    )


def test_render_shows_status_tree_events_and_logs() -> None:
    text = render_execution(_record(), Path("/runs/orders.json"))

    step_failed = (
        '{"Error":{"Payload":{"ErrorMessage":"card declined",'
        '"ErrorType":"ValueError"}},"RetryDetails":{"CurrentAttempt":%d}}'
    )
    assert text.splitlines() == [
        f"execution {ARN}",
        "status: FAILED",
        "error: ValueError: card declined",
        "file: /runs/orders.json",
        "invocations: 1",
        "operations:",
        "  STEP validate [Step] SUCCEEDED attempt 1",
        "  CONTEXT payment [RunInChildContext] FAILED - ValueError: card declined",
        "    STEP charge [Step] FAILED attempt 3 - ValueError: card declined",
        "  CALLBACK (id op-4) STARTED callback cb-1",
        "last 3 of 3 history events:",
        "  #1 StepFailed charge (id op-3) " + step_failed % 1,
        "  #2 StepFailed charge (id op-3) " + step_failed % 2,
        "  #3 StepFailed charge (id op-3) " + step_failed % 3,
        "last 2 of 2 log lines:",
        "  2026-12-03T17:00:00+00:00 INFO orders: line 0",
        "  2026-12-03T17:00:00+00:00 INFO orders: line 1",
    ]


def test_render_keeps_only_the_last_events_and_log_lines() -> None:
    text = render_execution(_record(events=40, logs=70))

    lines = text.splitlines()
    assert "last 15 of 40 history events:" in lines
    assert lines[lines.index("last 15 of 40 history events:") + 1].startswith(
        "  #26 StepFailed"
    )
    assert "last 50 of 70 log lines:" in lines
    assert lines[-1] == "  2026-12-03T17:00:00+00:00 INFO orders: line 69"
    assert not any(line.startswith("file:") for line in lines)


def test_render_without_operations_events_or_logs() -> None:
    record = _record(events=0, logs=0)
    record = ExecutionRecord(execution=record.execution)

    assert render_execution(record).splitlines()[-6:] == [
        "invocations: 0",
        "operations:",
        "  (none)",
        "last 0 of 0 history events:",
        "last 0 of 0 log lines:",
        "  (none)",
    ]


def test_render_of_a_timed_out_execution_says_modeled_time_counts() -> None:
    execution = msgspec.structs.replace(
        _record().execution,
        status=ExecutionStatus.TIMED_OUT,
        error=ErrorObject(
            error_type="States.Timeout",
            error_message="Execution timed out after 10 seconds",
        ),
    )

    lines = render_execution(ExecutionRecord(execution=execution)).splitlines()

    assert lines[1:4] == [
        "status: TIMED_OUT",
        "error: States.Timeout: Execution timed out after 10 seconds",
        "hint: modeled time (waits, retry delays, callback timeouts) counts against "
        "the execution timeout: raise timeout= / execution_timeout= on run(), or the "
        "marker's execution_timeout",
    ]


def test_recording_store_notes_created_arns_and_forwards() -> None:
    store = open_store(StoreConfig(store_type="memory"))
    recording = RecordingStore(store)
    record = _record()

    stored = recording.create(record)
    recording.note(ARN)

    assert recording.created_arns == (ARN,)
    assert stored.revision == 1
    assert recording.load(ARN).revision == 1
    assert recording.update(stored).revision == 2
    assert [row.arn for row in recording.query().rows] == [ARN]
    recording.close()  # the plugin closes the real store, not the runner
    recording.delete(ARN)
    with pytest.raises(ExecutionNotFoundError, match="no execution stored under"):
        store.load(ARN)
    store.close()
