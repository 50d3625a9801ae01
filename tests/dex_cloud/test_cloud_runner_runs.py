"""The cloud runner drives a function deployed behind ``dex serve``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import msgspec
import pytest
from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import Duration, StepConfig
from aws_durable_execution_sdk_python.execution import InvocationStatus
from aws_durable_execution_sdk_python.lambda_service import OperationStatus
from aws_durable_execution_sdk_python.retries import (
    RetryStrategyConfig,
    create_retry_strategy,
)
from dex_cli import Output, main
from dex_cloud_helpers import assert_valid_record_files, boto3_lambda
from dex_runner import DurableFunctionTestRunner, ExecutionWaitTimeoutError
from dex_schema import ExecutionStatus, InvocationOutcome
from dex_store_memory import MemoryExecutionStore


def checkout(event: Any, context: Any) -> Any:
    total = context.step(lambda _: sum(event["prices"]), name="total")
    context.wait(Duration.from_seconds(120), name="fraud-check")

    def pack(child: Any) -> str:
        return child.step(lambda _: f"{len(event['prices'])} items", name="count")

    packed = context.run_in_child_context(pack, name="packing")
    return {"total": total, "packed": packed}


def approval(event: Any, context: Any) -> Any:
    answer = context.wait_for_callback(lambda callback_id, _: None, name="manager")
    return {"approved": answer}


def broken(event: Any, context: Any) -> Any:
    context.step(lambda _: "reserved", name="reserve")
    raise RuntimeError(f"card {event['card']} declined")


_ATTEMPTS: dict[str, int] = {}


def flaky(event: Any, context: Any) -> Any:
    def charge(_: Any) -> str:
        key = event["key"]
        _ATTEMPTS[key] = _ATTEMPTS.get(key, 0) + 1
        if _ATTEMPTS[key] < 3:
            raise ConnectionError(f"attempt {_ATTEMPTS[key]} lost the line")
        return "charged"

    retry = create_retry_strategy(
        RetryStrategyConfig(max_attempts=4, initial_delay=Duration.from_seconds(10))
    )
    return context.step(charge, name="charge", config=StepConfig(retry_strategy=retry))


def many_steps(event: Any, context: Any) -> Any:
    for index in range(event["steps"]):
        context.step(lambda _, i=index: i, name=f"step-{index}")
    return event["steps"]


def _shape(record: Any) -> list[dict[str, Any]]:
    """Operations without times and the execution's random id."""
    shaped = []
    for operation in record.operations:
        data = msgspec.to_builtins(operation)
        data.pop("StartTimestamp", None)
        data.pop("EndTimestamp", None)
        for value in data.values():
            if isinstance(value, dict):
                for key in [key for key in value if key.endswith("Timestamp")]:
                    del value[key]
        if data["Type"] == "EXECUTION":
            del data["Id"]
        shaped.append(data)
    return shaped


def test_a_run_with_steps_and_a_wait_is_saved_as_the_local_runner_saves_it(
    cloud: Any, deploy: Any, server: Any, store: Any, tmp_path: Path
) -> None:
    deploy("checkout", checkout)
    runner = cloud("checkout")

    result = runner.run({"prices": [3, 4]}, execution_name="order-1")
    local_handler = durable_execution(checkout, boto3_client=boto3_lambda(server.url))
    with DurableFunctionTestRunner(
        local_handler, store=MemoryExecutionStore()
    ) as local:
        expected = local.run({"prices": [3, 4]}, execution_name="order-1")

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.execution_status is ExecutionStatus.SUCCEEDED
    assert result.result == '{"total": 7, "packed": "2 items"}'
    assert [op.name for op in result.operations] == ["total", "fraud-check", "packing"]
    assert result.get_wait("fraud-check").status is OperationStatus.SUCCEEDED
    assert result.get_context("packing").child_operations[0].name == "count"
    stored = store.load(result.execution_arn)
    assert stored.execution.status is ExecutionStatus.SUCCEEDED
    assert _shape(stored) == _shape(expected.record)
    assert [event.event_type for event in stored.events] == [
        event.event_type for event in expected.history
    ]
    assert [invocation.outcome for invocation in stored.invocations] == [
        InvocationOutcome.PENDING,
        InvocationOutcome.SUCCEEDED,
    ]
    assert assert_valid_record_files(tmp_path / "store") == 1


def test_a_step_retried_twice_is_saved_as_the_local_runner_saves_it(
    cloud: Any, deploy: Any, server: Any, store: Any
) -> None:
    deploy("pay", flaky)

    result = cloud("pay").run({"key": "cloud"}, execution_name="pay-1")
    local_handler = durable_execution(flaky, boto3_client=boto3_lambda(server.url))
    with DurableFunctionTestRunner(
        local_handler, store=MemoryExecutionStore()
    ) as local:
        expected = local.run({"key": "local"}, execution_name="pay-1")

    assert result.result == '"charged"'
    step = result.get_step("charge")
    assert step.attempt == expected.get_step("charge").attempt
    assert [event.event_type.value for event in result.history].count("StepFailed") == 2
    stored = store.load(result.execution_arn)
    shaped, local_shaped = _shape(stored), _shape(expected.record)
    for operation in (*shaped, *local_shaped):
        if operation["Type"] == "EXECUTION":
            operation["ExecutionDetails"] = {}
    assert shaped == local_shaped


def test_a_run_answered_by_callbacks(cloud: Any, deploy: Any) -> None:
    deploy("approve", approval)
    runner = cloud("approve")

    arn = runner.run_async({})
    callback_id = runner.wait_for_callback(arn, name="manager", timeout=20)
    runner.send_callback_heartbeat(callback_id)
    runner.send_callback_success(callback_id, "granted")
    result = runner.wait_for_result(arn, timeout=20)

    assert result.status is InvocationStatus.SUCCEEDED
    assert result.result == '{"approved": "granted"}'
    callback = result.get_callback("manager create callback id")
    assert callback.callback_id == callback_id
    assert callback.status is OperationStatus.SUCCEEDED


def test_a_callback_answered_with_failure(cloud: Any, deploy: Any) -> None:
    deploy("approve", approval)
    runner = cloud("approve")

    arn = runner.run_async({})
    callback_id = runner.wait_for_callback(arn, timeout=20)
    runner.send_callback_failure(callback_id, ValueError("over budget"))
    result = runner.wait_for_result(arn, timeout=20)

    assert result.status is InvocationStatus.FAILED
    assert result.error is not None
    assert result.error.message == "over budget"
    assert (
        result.get_callback("manager create callback id").status
        is OperationStatus.FAILED
    )


def test_waiting_for_a_callback_that_never_comes_names_what_appeared(
    cloud: Any, deploy: Any
) -> None:
    deploy("approve", approval)
    runner = cloud("approve")
    arn = runner.run_async({})
    runner.wait_for_callback(arn, timeout=20)

    with pytest.raises(TimeoutError) as raised:
        runner.wait_for_callback(arn, name="director", timeout=0.3)

    assert str(raised.value) == (
        f"no callback named 'director' could be answered in execution {arn} "
        "before 0.3 seconds passed; callbacks that appeared: "
        "'manager create callback id'"
    )
    runner.stop_execution(arn)


def test_a_failing_run_reports_and_saves_the_error(
    cloud: Any, deploy: Any, store: Any, tmp_path: Path
) -> None:
    deploy("pay", broken)
    runner = cloud("pay")

    result = runner.run({"card": "4242"})

    assert result.status is InvocationStatus.FAILED
    assert result.execution_status is ExecutionStatus.FAILED
    assert result.error is not None
    assert result.error.type == "RuntimeError"
    assert result.error.message == "card 4242 declined"
    assert result.get_step("reserve").result == '"reserved"'
    assert store.load(result.execution_arn).execution.status is ExecutionStatus.FAILED
    assert assert_valid_record_files(tmp_path / "store") == 1


def test_a_history_of_several_pages_is_read_whole(
    cloud: Any, deploy: Any, server: Any, store: Any, tmp_path: Path
) -> None:
    pages: list[str] = []
    inner = server.app

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/history"):
            pages.append(scope["query_string"].decode())
        await inner(scope, receive, send)

    server.app = counting
    deploy("batch", many_steps)
    runner = cloud("batch", history_page_size=7)

    result = runner.run({"steps": 12})
    pages.clear()
    events = runner.get_execution_history(result.execution_arn)

    assert len(pages) == 4
    assert all("MaxItems=7" in page for page in pages)
    assert [event.event_id for event in events] == list(range(1, 28))
    assert [event.event_id for event in result.history] == list(range(1, 28))
    assert len(result.get_all_operations()) == 12
    assert result.get_step("step-11").result == "11"
    assert len(store.load(result.execution_arn).events) == 27
    assert assert_valid_record_files(tmp_path / "store") == 1


def test_a_run_past_its_timeout_is_stopped_and_saved(
    cloud: Any, deploy: Any, store: Any
) -> None:
    deploy("approve", approval)
    runner = cloud("approve")

    with pytest.raises(ExecutionWaitTimeoutError) as raised:
        runner.run({}, timeout=0.5, execution_name="forgotten")

    assert "did not end within 0.5 wall seconds (it is RUNNING" in str(raised.value)
    [row] = store.query(store_query()).rows
    stored = store.load(row.arn)
    assert stored.execution.status is ExecutionStatus.STOPPED
    assert stored.execution.error is not None
    assert stored.execution.error.error_type == "dex.RunTimedOut"
    assert stored.events[-1].event_type.value == "ExecutionStopped"


def store_query() -> Any:
    from dex_store import ExecutionQuery

    return ExecutionQuery()


def test_dex_list_and_show_read_cloud_executions(
    cloud: Any, deploy: Any, tmp_path: Path
) -> None:
    deploy("checkout", checkout)
    result = cloud("checkout").run({"prices": [1]}, execution_name="listed")
    args = ["--store", "filesystem", "--store-path", str(tmp_path / "store")]

    out, err = io.StringIO(), io.StringIO()
    listed = main(["list", *args], output=Output(out, err, terminal=False))
    shown_out = io.StringIO()
    shown = main(
        ["show", result.execution_arn, *args],
        output=Output(shown_out, io.StringIO(), terminal=False),
    )

    assert listed == 0, err.getvalue()
    assert "listed" in out.getvalue()
    assert shown == 0
    assert "fraud-check" in shown_out.getvalue()
