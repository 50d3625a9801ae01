"""A handler with steps and a wait runs end to end, with the service's history."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration
from aws_durable_execution_sdk_python.execution import InvocationStatus
from aws_durable_execution_sdk_python.lambda_service import (
    OperationStatus,
    OperationSubType,
    OperationType,
)
from dex_schema import ExecutionStatus, encode


@durable_execution
def greet_then_wait(event: Any, context: DurableContext) -> str:
    greeting = context.step(lambda _: f"Hello, {event}!", name="greet")
    context.wait(Duration.from_seconds(5), name="pause")
    return context.step(lambda _: greeting.upper(), name="shout")


def _types(result: Any) -> list[tuple[int, str]]:
    return [(event.event_id, event.event_type.value) for event in result.history]


def test_steps_and_a_wait_succeed_with_the_result(make_runner: Any) -> None:
    result = make_runner(greet_then_wait).run("World")

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.execution_status is ExecutionStatus.SUCCEEDED
    assert result.result == '"HELLO, WORLD!"'
    assert result.error is None


def test_history_is_numbered_as_the_service_numbers_it(make_runner: Any) -> None:
    result = make_runner(greet_then_wait).run("World")

    assert _types(result) == [
        (1, "ExecutionStarted"),
        (2, "StepStarted"),
        (3, "StepSucceeded"),
        (4, "WaitStarted"),
        (5, "InvocationCompleted"),
        (6, "WaitSucceeded"),
        (7, "StepStarted"),
        (8, "StepSucceeded"),
        (9, "InvocationCompleted"),
        (10, "ExecutionSucceeded"),
    ]


def test_wait_keeps_its_modeled_duration_in_virtual_time(make_runner: Any) -> None:
    result = make_runner(greet_then_wait).run("World")

    wait = result.get_wait("pause")
    started = result.history[3].wait_started_details
    succeeded = result.history[5].wait_succeeded_details
    assert started is not None and succeeded is not None
    assert started.duration == 5
    assert succeeded.duration == 5
    assert wait.scheduled_end_timestamp == wait.start_timestamp + dt.timedelta(
        seconds=5
    )
    assert wait.end_timestamp == wait.scheduled_end_timestamp
    assert wait.status is OperationStatus.SUCCEEDED


def test_operations_are_views_with_the_sdk_enums(make_runner: Any) -> None:
    result = make_runner(greet_then_wait).run("World")

    assert [op.name for op in result.operations] == ["greet", "pause", "shout"]
    step = result.get_step("greet")
    assert step.operation_type is OperationType.STEP
    assert step.sub_type is OperationSubType.STEP
    assert step.status is OperationStatus.SUCCEEDED
    assert step.result == '"Hello, World!"'
    assert step.attempt == 1
    assert step.child_operations == []


def test_each_invocation_is_recorded(make_runner: Any) -> None:
    result = make_runner(greet_then_wait).run("World")

    assert [invocation.outcome.value for invocation in result.invocations] == [
        "PENDING",
        "SUCCEEDED",
    ]


def test_the_store_holds_the_finished_record(make_runner: Any, store: Any) -> None:
    result = make_runner(greet_then_wait).run("World")

    stored = store.load(result.execution_arn)
    assert stored.execution.status is ExecutionStatus.SUCCEEDED
    assert stored.events == result.history
    assert stored.execution.result == '"HELLO, WORLD!"'


def test_manual_time_moves_only_when_advanced(make_runner: Any) -> None:
    runner = make_runner(greet_then_wait, skip_time="manual")
    arn = runner.run_async("World")

    runner.advance_time(arn, 4)
    assert runner.get_execution(arn).execution.status is ExecutionStatus.RUNNING

    runner.advance_time(arn, 1)
    result = runner.wait_for_result(arn, timeout=10)
    assert result.result == '"HELLO, WORLD!"'
    wait = result.get_wait("pause")
    assert wait.end_timestamp == wait.scheduled_end_timestamp


def test_the_stored_record_validates_against_the_published_schema(
    make_runner: Any, store: Any
) -> None:
    schema_path = (
        Path(__file__).resolve().parents[2] / "schemas" / "execution-record.schema.json"
    )
    schema = json.loads(schema_path.read_text())
    result = make_runner(greet_then_wait).run("World")

    document = json.loads(encode(store.load(result.execution_arn)))

    jsonschema.validate(document, schema)
    assert document["Execution"]["Status"] == "SUCCEEDED"


def test_events_have_the_service_json_shape(make_runner: Any) -> None:
    result = make_runner(greet_then_wait).run("World")
    events = [msgspec.to_builtins(event) for event in result.history]
    greet = result.get_step("greet")

    for event in events:
        event.pop("EventTimestamp")
    assert events[0]["ExecutionStartedDetails"] == {
        "Input": {"Payload": '"World"', "Truncated": False},
        "ExecutionTimeout": 300,
    }
    assert events[2] == {
        "EventType": "StepSucceeded",
        "SubType": "Step",
        "EventId": 3,
        "Id": greet.id,
        "Name": "greet",
        "StepSucceededDetails": {
            "Result": {"Payload": '"Hello, World!"', "Truncated": False},
            "RetryDetails": {"CurrentAttempt": 1},
        },
    }
    assert events[3]["WaitStartedDetails"]["Duration"] == 5
    assert set(events[4]) == {"EventType", "EventId", "InvocationCompletedDetails"}
    assert set(events[4]["InvocationCompletedDetails"]) == {
        "StartTimestamp",
        "EndTimestamp",
        "RequestId",
    }
    assert events[-1]["ExecutionSucceededDetails"] == {
        "Result": {"Payload": '"HELLO, WORLD!"', "Truncated": False}
    }
