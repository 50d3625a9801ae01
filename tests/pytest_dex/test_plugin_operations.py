"""Each kind of durable operation tested through the fixture, as the docs show."""

from __future__ import annotations

import pytest

OPERATIONS = """
import json

import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration
from aws_durable_execution_sdk_python.execution import InvocationStatus
from aws_durable_execution_sdk_python.lambda_service import OperationStatus


@durable_execution
def total_handler(event, context: DurableContext):
    total = context.step(lambda _: sum(event["amounts"]), name="total")
    return {"total": total}


@pytest.mark.durable_execution(handler=total_handler)
def test_step(durable_runner):
    with durable_runner:
        result = durable_runner.run(input={"amounts": [1, 2, 3]})
    step = result.get_step("total")
    assert step.status is OperationStatus.SUCCEEDED
    assert step.result == "6"
    assert step.attempt == 1


@durable_execution
def wait_handler(event, context: DurableContext):
    context.wait(Duration.from_days(1), name="cool-off")
    return "done"


@pytest.mark.durable_execution(handler=wait_handler, execution_timeout=2 * 86400)
def test_wait(durable_runner):
    with durable_runner:
        result = durable_runner.run()
    assert result.get_wait("cool-off").status is OperationStatus.SUCCEEDED
    started = [e for e in result.history if e.wait_started_details is not None]
    assert started[0].wait_started_details.duration == 86400


@durable_execution
def approval_handler(event, context: DurableContext):
    approval = context.create_callback(name="approval")
    return {"approved": approval.result()}


@pytest.mark.durable_execution(handler=approval_handler)
def test_callback(durable_runner):
    with durable_runner:
        arn = durable_runner.run_async(input={})
        callback_id = durable_runner.wait_for_callback(arn, name="approval", timeout=5)
        durable_runner.send_callback_success(callback_id, result='"yes"')
        result = durable_runner.wait_for_result(arn, timeout=5)
    assert result.status is InvocationStatus.SUCCEEDED
    assert result.get_callback("approval").result == '"yes"'


@durable_execution
def map_handler(event, context: DurableContext):
    doubled = context.map(
        event["items"], lambda ctx, item, index, items: item * 2, name="double"
    )
    return doubled.get_results()


@pytest.mark.durable_execution(handler=map_handler)
def test_map(durable_runner):
    with durable_runner:
        result = durable_runner.run(input={"items": [1, 2, 3]})
    assert json.loads(result.result) == [2, 4, 6]
    assert len(result.get_context("double").child_operations) == 3


@durable_execution
def parallel_handler(event, context: DurableContext):
    both = context.parallel(
        [lambda ctx: "a", lambda ctx: "b"], name="both"
    )
    return both.get_results()


@pytest.mark.durable_execution(handler=parallel_handler)
def test_parallel(durable_runner):
    with durable_runner:
        result = durable_runner.run()
    assert json.loads(result.result) == ["a", "b"]
    assert len(result.get_context("both").child_operations) == 2


@durable_execution
def payments(event, context: DurableContext):
    return {"charged": event["amount"]}


@durable_execution
def orders(event, context: DurableContext):
    return context.invoke("payments", {"amount": 10}, name="charge")


@pytest.mark.durable_execution(handler=orders, functions={"payments": payments})
def test_chained_invoke(durable_runner):
    with durable_runner:
        result = durable_runner.run()
    assert result.status is InvocationStatus.SUCCEEDED
    assert json.loads(result.get_invoke("charge").result) == {"charged": 10}
"""


def test_each_operation_kind_through_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_operations=OPERATIONS)

    result = pytester.runpytest("-v")

    result.stdout.fnmatch_lines(
        [
            "test_operations.py::test_step PASSED*",
            "test_operations.py::test_wait PASSED*",
            "test_operations.py::test_callback PASSED*",
            "test_operations.py::test_map PASSED*",
            "test_operations.py::test_parallel PASSED*",
            "test_operations.py::test_chained_invoke PASSED*",
        ]
    )
    result.assert_outcomes(passed=6)
