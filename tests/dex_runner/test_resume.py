"""A service with ``resume_stored`` takes up executions an earlier one left running."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from dex_runner._inprocess import InProcessInvoker
from dex_runner._service import (
    DurableExecutionService,
    ExecutionAlreadyStartedError,
    ResourceNotFoundError,
)
from dex_schema import ExecutionStatus
from dex_store_filesystem import FilesystemExecutionStore


@durable_execution
def approval(event: Any, context: DurableContext) -> Any:
    step = context.step(lambda _: "prepared", name="prepare")
    return [step, context.create_callback(name="approval").result()]


def _service(path: Path, *, resume: bool) -> DurableExecutionService:
    return DurableExecutionService(
        FilesystemExecutionStore(path),
        InProcessInvoker({"fn": approval}, None),
        resume_stored=resume,
    )


def _suspended_execution(path: Path) -> tuple[str, str]:
    first = _service(path, resume=False)
    arn = first.start_execution("fn").durable_execution_arn
    callback_id = first.wait_for_callback(arn, None, 30)
    first.close()
    return arn, callback_id


def test_an_answer_to_a_stored_execution_resumes_it(tmp_path: Path) -> None:
    arn, callback_id = _suspended_execution(tmp_path)
    second = _service(tmp_path, resume=True)

    second.send_callback_success(callback_id, "yes")
    record = second.wait_for_completion(arn, 30)
    second.close()

    assert record is not None
    assert record.execution.status is ExecutionStatus.SUCCEEDED
    assert record.execution.result == '["prepared", "yes"]'
    assert [event.event_type.value for event in record.events] == [
        "ExecutionStarted",
        "StepStarted",
        "StepSucceeded",
        "CallbackStarted",
        "InvocationCompleted",
        "CallbackSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]


def test_without_resume_a_stored_execution_is_not_taken_up(tmp_path: Path) -> None:
    arn, callback_id = _suspended_execution(tmp_path)
    second = _service(tmp_path, resume=False)

    with pytest.raises(ResourceNotFoundError) as caught:
        second.send_callback_success(callback_id, "yes")
    second.close()

    assert str(caught.value) == f"Durable execution {arn!r} not found"


def test_an_execution_never_invoked_is_invoked_when_resumed(tmp_path: Path) -> None:
    first = DurableExecutionService(FilesystemExecutionStore(tmp_path))
    arn = first.start_execution("fn").durable_execution_arn
    first.close()
    second = _service(tmp_path, resume=True)

    callback_id = second.wait_for_callback(arn, "approval", 30)
    second.send_callback_success(callback_id, "ok")
    record = second.wait_for_completion(arn, 30)
    second.close()

    assert record is not None
    assert record.execution.result == '["prepared", "ok"]'


def test_a_resuming_service_keeps_the_execution_names_of_its_store(
    tmp_path: Path,
) -> None:
    first = _service(tmp_path, resume=False)
    arn = first.start_execution(
        "fn", '{"order": 1}', execution_name="nightly"
    ).durable_execution_arn
    first.wait_for_callback(arn, None, 30)
    first.close()
    second = _service(tmp_path, resume=True)

    again = second.start_execution("fn", '{"order": 1}', execution_name="nightly")
    with pytest.raises(ExecutionAlreadyStartedError) as caught:
        second.start_execution("fn", '{"order": 2}', execution_name="nightly")
    second.close()

    assert again.durable_execution_arn == arn
    assert str(caught.value) == (
        f"Durable execution 'nightly' of fn was already started ({arn}) with "
        "another input; use a new DurableExecutionName"
    )


def test_a_runner_counts_only_the_names_of_its_own_executions(
    tmp_path: Path,
) -> None:
    first = _service(tmp_path, resume=False)
    arn = first.start_execution(
        "fn", '{"order": 1}', execution_name="nightly"
    ).durable_execution_arn
    first.wait_for_callback(arn, None, 30)
    first.close()
    second = _service(tmp_path, resume=False)

    fresh = second.start_execution("fn", '{"order": 2}', execution_name="nightly")
    second.wait_for_callback(fresh.durable_execution_arn, None, 30)
    second.stop_execution(fresh.durable_execution_arn)
    second.close()

    assert fresh.durable_execution_arn != arn
    assert fresh.durable_execution_name == "nightly"
