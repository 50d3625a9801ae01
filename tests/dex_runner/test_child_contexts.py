"""Child contexts: START/SUCCEED/FAIL, parent ids, results over the size limit."""

from __future__ import annotations

from typing import Any

import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration
from aws_durable_execution_sdk_python.exceptions import ChildContextError
from aws_durable_execution_sdk_python.execution import InvocationStatus
from aws_durable_execution_sdk_python.lambda_service import OperationSubType


@durable_execution
def nested(event: Any, context: DurableContext) -> str:
    def inner(child: DurableContext) -> str:
        value = child.step(lambda _: "inner", name="work")
        child.wait(Duration.from_seconds(2), name="rest")
        return value

    return context.run_in_child_context(inner, name="child")


def test_a_child_context_records_its_children_under_it(make_runner: Any) -> None:
    result = make_runner(nested).run()

    assert result.result == '"inner"'
    child = result.get_context("child")
    assert child.sub_type is OperationSubType.RUN_IN_CHILD_CONTEXT
    assert child.result == '"inner"'
    assert [op.name for op in child.child_operations] == ["work", "rest"]
    assert all(op.parent_id == child.id for op in child.child_operations)
    assert [op.name for op in result.operations] == ["child"]
    assert [op.name for op in result.get_all_operations()] == ["child", "work", "rest"]
    assert child.get_operation_by_name("rest").operation_type.value == "WAIT"


def test_child_context_events_carry_parent_ids_and_result(make_runner: Any) -> None:
    result = make_runner(nested).run()

    child = result.get_context("child")
    events = [(e.event_type.value, e.parent_id) for e in result.history]
    assert events == [
        ("ExecutionStarted", None),
        ("ContextStarted", None),
        ("StepStarted", child.id),
        ("StepSucceeded", child.id),
        ("WaitStarted", child.id),
        ("InvocationCompleted", None),
        ("WaitSucceeded", child.id),
        ("ContextSucceeded", None),
        ("InvocationCompleted", None),
        ("ExecutionSucceeded", None),
    ]
    succeeded = result.history[7].context_succeeded_details
    assert succeeded is not None and succeeded.result.payload == '"inner"'


def test_a_failing_child_context_records_context_failed(make_runner: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        def inner(child: DurableContext) -> str:
            raise ValueError("child broke")

        try:
            context.run_in_child_context(inner, name="child")
        except ChildContextError as error:
            return f"caught {error.message}"
        return "not reached"

    result = make_runner(handler).run()

    assert result.result == '"caught child broke"'
    failed = result.history[2]
    assert failed.event_type.value == "ContextFailed"
    assert failed.context_failed_details is not None
    assert failed.context_failed_details.error.payload is not None
    assert failed.context_failed_details.error.payload.error_message == "child broke"
    assert result.get_context("child").error is not None


def test_a_result_over_the_checkpoint_limit_is_rebuilt_by_replaying_children(
    make_runner: Any,
) -> None:
    part = "x" * 100_000

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        # Each step's payload is under the 256 KB limit; the context's is not.
        def inner(child: DurableContext) -> str:
            return "".join(
                child.step(lambda _: part, name=f"part-{index}") for index in range(3)
            )

        value = context.run_in_child_context(inner, name="large")
        context.wait(Duration.from_seconds(1))
        return len(context.run_in_child_context(lambda _: value, name="again"))

    result = make_runner(handler).run()

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result == "300000"
    large = result.get_context("large")
    assert large.replay_children is True
    assert large.result != '"' + part * 3 + '"'


@pytest.mark.parametrize("size", [7 * 1024 * 1024])
def test_an_execution_result_over_the_response_limit_is_checkpointed(
    make_runner: Any, size: int
) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return "y" * size

    result = make_runner(handler).run()

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result is not None and len(result.result) == size + 2
    assert [event.event_type.value for event in result.history] == [
        "ExecutionStarted",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
