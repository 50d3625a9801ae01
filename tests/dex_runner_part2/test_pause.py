"""Pause, resume and stop: the PAUSED states and their history events."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration
from aws_durable_execution_sdk_python.execution import InvocationStatus
from dex_runner import ResourceConflictError, ResourceNotFoundError
from dex_schema import (
    EventPauseReason,
    EventResumeReason,
    EventType,
    ExecutionStatus,
    PauseDetails,
)

from .conftest import outline


@durable_execution
def approval(event: Any, context: DurableContext) -> str:
    callback = context.create_callback(
        name="approve", config=CallbackConfig(timeout=Duration.from_hours(1))
    )
    return f"approved: {callback.result()}"


def _until(check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.005)


def _status(runner: Any, arn: str) -> ExecutionStatus:
    status: ExecutionStatus = runner.get_execution(arn).execution.status
    return status


def test_pausing_a_suspended_execution_pauses_it_at_once(make_runner: Any) -> None:
    runner = make_runner(approval)
    arn = runner.run_async()
    runner.wait_for_callback(arn)

    runner.pause_execution(arn, "maintenance window")

    record = runner.get_execution(arn)
    assert record.execution.status is ExecutionStatus.PAUSED
    paused = record.events[-1]
    assert paused.event_type is EventType.EXECUTION_PAUSED
    assert paused.execution_paused_details is not None
    details = paused.execution_paused_details
    assert details.reason == EventPauseReason(
        payload="maintenance window", truncated=False
    )
    assert details.execution_timeout_paused is True
    assert details.pause_request_timestamp == paused.event_timestamp


def test_the_stored_record_holds_the_pause_until_the_resume(
    make_runner: Any,
) -> None:
    runner = make_runner(approval)
    arn = runner.run_async()
    callback_id = runner.wait_for_callback(arn)

    runner.pause_execution(arn, "audit", execution_timeout_paused=False)
    paused = runner.get_execution(arn)
    runner.resume_execution(arn)
    resumed = runner.get_execution(arn)
    runner.send_callback_success(callback_id, "yes")
    ended = runner.wait_for_result(arn, timeout=10)

    pause_event = paused.events[-1].execution_paused_details
    assert pause_event is not None
    assert paused.execution.pause_details == PauseDetails(
        pause_request_timestamp=pause_event.pause_request_timestamp,
        reason="audit",
        execution_timeout_paused=False,
    )
    assert resumed.execution.pause_details is None
    assert runner.get_execution(ended.execution_arn).execution.pause_details is None


def test_a_callback_answered_while_paused_waits_for_the_resume(
    make_runner: Any,
) -> None:
    runner = make_runner(approval)
    arn = runner.run_async()
    callback_id = runner.wait_for_callback(arn)
    runner.pause_execution(arn)

    runner.send_callback_success(callback_id, "yes")
    runner.advance_time(arn, 0)  # returns once the execution is at rest

    assert _status(runner, arn) is ExecutionStatus.PAUSED
    assert len(runner.get_execution(arn).invocations) == 1
    runner.resume_execution(arn, "window over")
    result = runner.wait_for_result(arn, timeout=10)

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result == '"approved: yes"'
    assert outline(result.history) == [
        ("ExecutionStarted", None, None, None),
        ("CallbackStarted", "Callback", "approve", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionPaused", None, None, None),
        ("CallbackSucceeded", "Callback", "approve", None),
        ("ExecutionResumed", None, None, None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionSucceeded", None, None, None),
    ]
    resumed = result.history[5].execution_resumed_details
    assert resumed is not None
    assert resumed.reason == EventResumeReason(payload="window over", truncated=False)


def test_a_resume_with_nothing_completed_invokes_nothing(make_runner: Any) -> None:
    runner = make_runner(approval)
    arn = runner.run_async()
    callback_id = runner.wait_for_callback(arn)
    runner.pause_execution(arn)

    runner.resume_execution(arn)
    runner.advance_time(arn, 0)  # returns once the execution is at rest

    assert _status(runner, arn) is ExecutionStatus.RUNNING
    assert runner.wait_for_callback(arn) == callback_id
    assert len(runner.get_execution(arn).invocations) == 1
    runner.send_callback_success(callback_id, "ok")
    assert runner.wait_for_result(arn, timeout=10).result == '"approved: ok"'


class Gate:
    """Holds a step inside the handler until the test opens it."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()
        self.calls = 0

    def step(self, _: Any) -> str:
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            assert self.opened.wait(10), "the test never opened the gate"
        return "done"


def gated(gate: Gate) -> Any:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        first = context.step(gate.step, name="gated")
        return context.step(lambda _: f"{first} twice", name="after")

    return handler


def test_a_pause_during_an_invocation_takes_effect_at_its_next_checkpoint(
    make_runner: Any,
) -> None:
    gate = Gate()
    runner = make_runner(gated(gate))
    arn = runner.run_async()
    assert gate.entered.wait(10)

    runner.pause_execution(arn, execution_timeout_paused=False)
    assert _status(runner, arn) is ExecutionStatus.PAUSING
    gate.opened.set()
    _until(lambda: _status(runner, arn) is ExecutionStatus.PAUSED, "PAUSED")

    _until(
        lambda: len(runner.get_execution_history(arn)) == 3,
        "the interrupted invocation's end",
    )
    paused = runner.get_execution(arn).events[1]
    assert paused.event_type is EventType.EXECUTION_PAUSED
    assert paused.execution_paused_details is not None
    assert paused.execution_paused_details.execution_timeout_paused is False
    runner.resume_execution(arn)
    result = runner.wait_for_result(arn, timeout=10)

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result == '"done twice"'
    assert gate.calls == 2
    interrupted = result.history[2].invocation_completed_details
    assert interrupted is not None and interrupted.error is not None
    assert interrupted.error.payload is not None
    assert interrupted.error.payload.error_type == "CheckpointError"
    assert [record.outcome.value for record in result.invocations] == [
        "ERROR",
        "SUCCEEDED",
    ]
    # The step's START and SUCCEED went in one checkpoint, the one the pause
    # refused: the invocation ends with the SDK's CheckpointError, and the
    # step runs again after the resume.
    assert outline(result.history) == [
        ("ExecutionStarted", None, None, None),
        ("ExecutionPaused", None, None, None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionResumed", None, None, None),
        ("StepStarted", "Step", "gated", None),
        ("StepSucceeded", "Step", "gated", None),
        ("StepStarted", "Step", "after", None),
        ("StepSucceeded", "Step", "after", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionSucceeded", None, None, None),
    ]


def test_a_resume_while_pausing_cancels_the_pause(make_runner: Any) -> None:
    gate = Gate()
    runner = make_runner(gated(gate))
    arn = runner.run_async()
    assert gate.entered.wait(10)
    runner.pause_execution(arn)

    runner.resume_execution(arn)
    gate.opened.set()
    result = runner.wait_for_result(arn, timeout=10)

    assert result.result == '"done twice"'
    assert gate.calls == 1
    types = {row[0] for row in outline(result.history)}
    assert "ExecutionPaused" not in types
    assert "ExecutionResumed" not in types


def test_a_paused_execution_can_be_stopped(make_runner: Any) -> None:
    runner = make_runner(approval)
    arn = runner.run_async()
    runner.wait_for_callback(arn)
    runner.pause_execution(arn)

    runner.stop_execution(arn)
    result = runner.wait_for_result(arn, timeout=10)

    assert result.execution_status is ExecutionStatus.STOPPED
    assert [row[0] for row in outline(result.history)][-2:] == [
        "ExecutionPaused",
        "ExecutionStopped",
    ]


def test_pausing_twice_is_a_conflict(make_runner: Any) -> None:
    runner = make_runner(approval)
    arn = runner.run_async()
    runner.wait_for_callback(arn)
    runner.pause_execution(arn)

    with pytest.raises(ResourceConflictError) as raised:
        runner.pause_execution(arn)

    assert str(raised.value) == (
        f"Execution {arn} is PAUSED and cannot be paused; only a RUNNING "
        "execution can be"
    )
    assert raised.value.code == "ResourceConflictException"


def test_resuming_a_running_execution_is_a_conflict(make_runner: Any) -> None:
    runner = make_runner(approval)
    arn = runner.run_async()
    runner.wait_for_callback(arn)

    with pytest.raises(ResourceConflictError) as raised:
        runner.resume_execution(arn)

    assert str(raised.value) == (
        f"Execution {arn} is RUNNING and cannot be resumed; only a PAUSED or "
        "PAUSING execution can be"
    )


def test_pausing_an_ended_execution_is_a_conflict(make_runner: Any) -> None:
    runner = make_runner(approval)
    arn = runner.run_async()
    runner.wait_for_callback(arn)
    runner.stop_execution(arn)
    runner.wait_for_result(arn, timeout=10)

    with pytest.raises(ResourceConflictError, match="is STOPPED and cannot be"):
        runner.pause_execution(arn)


def test_pausing_an_unknown_execution_is_not_found(make_runner: Any) -> None:
    runner = make_runner(approval)
    arn = (
        "arn:aws:lambda:us-east-1:123456789012:function:test-function:$LATEST"
        "/durable-execution/nope/0000"
    )

    with pytest.raises(ResourceNotFoundError, match="not found"):
        runner.pause_execution(arn)


def test_the_execution_timeout_stops_while_paused(make_runner: Any) -> None:
    runner = make_runner(approval, skip_time="manual")
    arn = runner.run_async(timeout=60)
    runner.wait_for_callback(arn)
    runner.pause_execution(arn)

    runner.advance_time(arn, 1000)
    assert _status(runner, arn) is ExecutionStatus.PAUSED
    runner.resume_execution(arn)
    runner.advance_time(arn, 59)
    assert _status(runner, arn) is ExecutionStatus.RUNNING
    runner.advance_time(arn, 1)

    result = runner.wait_for_result(arn, timeout=10)
    assert result.execution_status is ExecutionStatus.TIMED_OUT
    timed_out = result.history[-1]
    started = result.history[0].event_timestamp
    assert (timed_out.event_timestamp - started).total_seconds() == pytest.approx(
        1060, abs=0.5
    )


def test_an_execution_paused_without_its_timeout_still_times_out(
    make_runner: Any,
) -> None:
    runner = make_runner(approval, skip_time="manual")
    arn = runner.run_async(timeout=60)
    runner.wait_for_callback(arn)
    runner.pause_execution(arn, execution_timeout_paused=False)

    runner.advance_time(arn, 60)

    result = runner.wait_for_result(arn, timeout=10)
    assert result.execution_status is ExecutionStatus.TIMED_OUT
    assert [row[0] for row in outline(result.history)][-2:] == [
        "ExecutionPaused",
        "ExecutionTimedOut",
    ]


def test_a_pause_completes_when_the_invocation_ends_without_a_checkpoint(
    make_runner: Any,
) -> None:
    gate = Gate()

    @durable_execution
    def flaky(event: Any, context: DurableContext) -> str:
        gate.step(None)
        if gate.calls == 1:
            sys.exit(3)  # the Lambda process exits: an invocation error
        return "recovered"

    runner = make_runner(flaky)
    arn = runner.run_async()
    assert gate.entered.wait(10)
    runner.pause_execution(arn)
    gate.opened.set()
    _until(lambda: _status(runner, arn) is ExecutionStatus.PAUSED, "PAUSED")

    assert len(runner.get_execution(arn).invocations) == 1
    runner.resume_execution(arn)
    result = runner.wait_for_result(arn, timeout=10)

    assert result.result == '"recovered"'
    assert outline(result.history) == [
        ("ExecutionStarted", None, None, None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionPaused", None, None, None),
        ("ExecutionResumed", None, None, None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionSucceeded", None, None, None),
    ]
    crashed = result.history[1].invocation_completed_details
    assert crashed is not None and crashed.error is not None
    assert crashed.error.payload is not None
    assert crashed.error.payload.error_type == "Runtime.ExitError"


def test_the_pause_events_have_the_services_json_keys(make_runner: Any) -> None:
    runner = make_runner(approval)
    arn = runner.run_async()
    callback_id = runner.wait_for_callback(arn)
    runner.pause_execution(arn, "audit")
    runner.resume_execution(arn, "audit done")
    runner.send_callback_success(callback_id, "ok")
    runner.wait_for_result(arn, timeout=10)

    events = [msgspec.to_builtins(e) for e in runner.get_execution_history(arn)]

    paused, resumed = events[3], events[4]
    assert paused["EventType"] == "ExecutionPaused"
    assert paused["ExecutionPausedDetails"] == {
        "PauseRequestTimestamp": paused["EventTimestamp"],
        "Reason": {"Payload": "audit", "Truncated": False},
        "ExecutionTimeoutPaused": True,
    }
    assert resumed["EventType"] == "ExecutionResumed"
    assert resumed["ExecutionResumedDetails"] == {
        "ResumeRequestTimestamp": resumed["EventTimestamp"],
        "Reason": {"Payload": "audit done", "Truncated": False},
    }
