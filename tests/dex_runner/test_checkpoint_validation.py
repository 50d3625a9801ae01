"""Checkpoint validation: every rejection with the service's error, nothing applied.

These call the in-process client as the SDK does (boto3's keyword arguments)
and check the botocore ``ClientError`` shape, and how the SDK classifies it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aws_durable_execution_sdk_python.exceptions import CheckpointError
from botocore.exceptions import ClientError
from dex_runner._client import InProcessLambdaClient
from dex_runner._service import (
    ClockMode,
    DurableExecutionService,
    Invocation,
    InvocationResult,
)
from dex_store_memory import MemoryExecutionStore


class _Holding:
    """An invoker that keeps the invocation open until the test releases it."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.invocation: Invocation | None = None

    def invoke(self, invocation: Invocation) -> InvocationResult:
        self.invocation = invocation
        self.started.set()
        self.release.wait(10)
        return InvocationResult(output={"Status": "PENDING"})


@pytest.fixture
def held() -> Iterator[tuple[InProcessLambdaClient, _Holding, str, Any]]:
    invoker = _Holding()
    service = DurableExecutionService(
        MemoryExecutionStore(), invoker, clock_mode=ClockMode.MANUAL
    )
    arn = service.start_execution("fn").durable_execution_arn
    assert invoker.started.wait(5)
    yield InProcessLambdaClient(service), invoker, arn, service
    invoker.release.set()
    service.close()


def _token(invoker: _Holding) -> str:
    assert invoker.invocation is not None
    return invoker.invocation.input.checkpoint_token


def _step(op_id: str, action: str, **extra: Any) -> dict[str, Any]:
    return {"Id": op_id, "Type": "STEP", "Action": action, **extra}


def _error(call: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call()
    response: dict[str, Any] = caught.value.response  # type: ignore[assignment]
    return {
        "code": response["Error"]["Code"],
        "message": response["Error"]["Message"],
        "status": response["ResponseMetadata"]["HTTPStatusCode"],
        "retryable": CheckpointError.from_exception(caught.value).is_retryable(),
    }


def test_each_checkpoint_returns_a_new_token_and_the_changed_operations(
    held: Any,
) -> None:
    client, invoker, arn, _ = held
    first = _token(invoker)

    response = client.checkpoint_durable_execution(
        DurableExecutionArn=arn,
        CheckpointToken=first,
        Updates=[_step("s1", "START", Name="one", SubType="Step")],
    )

    assert response["CheckpointToken"] != first
    assert [
        (op["Id"], op["Type"], op["Status"], op["Name"])
        for op in response["NewExecutionState"]["Operations"]
    ] == [("s1", "STEP", "STARTED", "one")]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_a_used_token_is_rejected_as_retryable(held: Any) -> None:
    client, invoker, arn, _ = held
    first = _token(invoker)
    client.checkpoint_durable_execution(
        DurableExecutionArn=arn, CheckpointToken=first, Updates=[]
    )

    error = _error(
        lambda: client.checkpoint_durable_execution(
            DurableExecutionArn=arn, CheckpointToken=first, Updates=[]
        )
    )

    assert error == {
        "code": "InvalidParameterValueException",
        "message": (
            f"Invalid checkpoint token: token {first!r} is not the current token "
            f"of execution {arn}; every checkpoint returns a new token and only "
            "the newest is accepted"
        ),
        "status": 400,
        "retryable": True,
    }


def test_an_update_under_an_unknown_parent_is_rejected(held: Any) -> None:
    client, invoker, arn, service = held

    error = _error(
        lambda: client.checkpoint_durable_execution(
            DurableExecutionArn=arn,
            CheckpointToken=_token(invoker),
            Updates=[_step("s1", "START", ParentId="ghost")],
        )
    )

    assert error == {
        "code": "InvalidParameterValueException",
        "message": (
            "Updates[0] (Id 's1'): unknown parent operation 'ghost'; a parent "
            "must be a CONTEXT operation started before its children"
        ),
        "status": 400,
        "retryable": False,
    }
    assert [op.id for op in service.load(arn).operations][1:] == []


def test_an_action_the_type_does_not_allow_is_rejected(held: Any) -> None:
    client, invoker, arn, _ = held

    error = _error(
        lambda: client.checkpoint_durable_execution(
            DurableExecutionArn=arn,
            CheckpointToken=_token(invoker),
            Updates=[{"Id": "w1", "Type": "WAIT", "Action": "SUCCEED"}],
        )
    )

    assert error["message"] == (
        "Updates[0] (Id 'w1'): action SUCCEED is not allowed for a WAIT "
        "operation; allowed: CANCEL, START"
    )
    assert error["retryable"] is False


def test_a_second_start_is_rejected_and_the_batch_is_not_applied(held: Any) -> None:
    client, invoker, arn, service = held
    token = client.checkpoint_durable_execution(
        DurableExecutionArn=arn,
        CheckpointToken=_token(invoker),
        Updates=[_step("s1", "START")],
    )["CheckpointToken"]
    events_before = len(service.load(arn).events)

    error = _error(
        lambda: client.checkpoint_durable_execution(
            DurableExecutionArn=arn,
            CheckpointToken=token,
            Updates=[_step("s2", "START"), _step("s1", "START")],
        )
    )

    assert error["message"] == (
        "Updates[1] (Id 's1'): operation 's1' was already started (it is "
        "STARTED); a START is allowed once per operation"
    )
    record = service.load(arn)
    assert [op.id for op in record.operations][1:] == ["s1"]
    assert len(record.events) == events_before


def test_completing_an_operation_that_was_never_started_is_rejected(
    held: Any,
) -> None:
    client, invoker, arn, _ = held

    error = _error(
        lambda: client.checkpoint_durable_execution(
            DurableExecutionArn=arn,
            CheckpointToken=_token(invoker),
            Updates=[_step("s9", "SUCCEED", Payload='"x"')],
        )
    )

    assert (
        error["message"]
        == "Updates[0] (Id 's9'): no operation 's9' to SUCCEED; START it first"
    )


def test_completing_a_completed_operation_is_rejected(held: Any) -> None:
    client, invoker, arn, _ = held
    token = client.checkpoint_durable_execution(
        DurableExecutionArn=arn,
        CheckpointToken=_token(invoker),
        Updates=[_step("s1", "START"), _step("s1", "SUCCEED", Payload="1")],
    )["CheckpointToken"]

    error = _error(
        lambda: client.checkpoint_durable_execution(
            DurableExecutionArn=arn,
            CheckpointToken=token,
            Updates=[_step("s1", "FAIL", Error={"ErrorMessage": "no"})],
        )
    )

    assert error["message"] == (
        "Updates[0] (Id 's1'): cannot FAIL operation 's1': it is SUCCEEDED, and "
        "only a STARTED operation can be completed"
    )


def test_a_type_that_differs_from_the_stored_operation_is_rejected(
    held: Any,
) -> None:
    client, invoker, arn, _ = held
    token = client.checkpoint_durable_execution(
        DurableExecutionArn=arn,
        CheckpointToken=_token(invoker),
        Updates=[_step("s1", "START")],
    )["CheckpointToken"]

    error = _error(
        lambda: client.checkpoint_durable_execution(
            DurableExecutionArn=arn,
            CheckpointToken=token,
            Updates=[{"Id": "s1", "Type": "CONTEXT", "Action": "SUCCEED"}],
        )
    )

    assert error["message"] == (
        "Updates[0] (Id 's1'): operation 's1' is a STEP operation, the update "
        "says CONTEXT"
    )


def test_a_malformed_update_is_rejected(held: Any) -> None:
    client, invoker, arn, _ = held

    error = _error(
        lambda: client.checkpoint_durable_execution(
            DurableExecutionArn=arn,
            CheckpointToken=_token(invoker),
            Updates=[{"Id": "s1", "Type": "STEP", "Action": "JUMP"}],
        )
    )

    assert error["code"] == "InvalidParameterValueException"
    assert (
        error["message"]
        == "Invalid Updates[0]: Invalid enum value 'JUMP' - at `$.Action`"
    )


def test_a_checkpoint_after_the_invocation_ended_is_rejected(held: Any) -> None:
    client, invoker, arn, service = held
    token = _token(invoker)
    invoker.release.set()
    deadline = threading.Event()
    for _ in range(500):
        if service.load(arn).invocations[0].end_timestamp is not None:
            break
        deadline.wait(0.01)

    error = _error(
        lambda: client.checkpoint_durable_execution(
            DurableExecutionArn=arn, CheckpointToken=token, Updates=[]
        )
    )

    assert error["message"] == (
        f"Invalid checkpoint token: execution {arn} accepts no checkpoint now: "
        "the invocation that held this token has ended, was timed out or the "
        "execution is over"
    )


def test_a_checkpoint_returns_operations_the_service_changed_meanwhile(
    held: Any,
) -> None:
    client, invoker, arn, service = held
    started = client.checkpoint_durable_execution(
        DurableExecutionArn=arn,
        CheckpointToken=_token(invoker),
        Updates=[{"Id": "c1", "Type": "CALLBACK", "Action": "START", "Name": "cb"}],
    )
    (callback,) = started["NewExecutionState"]["Operations"]
    callback_id = callback["CallbackDetails"]["CallbackId"]

    service.send_callback_success(callback_id, "answer")
    refreshed = client.checkpoint_durable_execution(
        DurableExecutionArn=arn, CheckpointToken=started["CheckpointToken"], Updates=[]
    )

    assert [
        (op["Id"], op["Status"], op["CallbackDetails"]["Result"])
        for op in refreshed["NewExecutionState"]["Operations"]
    ] == [("c1", "SUCCEEDED", "answer")]


def test_an_answer_during_a_suspending_invocation_invokes_again(held: Any) -> None:
    client, invoker, arn, service = held
    started = client.checkpoint_durable_execution(
        DurableExecutionArn=arn,
        CheckpointToken=_token(invoker),
        Updates=[{"Id": "c1", "Type": "CALLBACK", "Action": "START"}],
    )
    callback_id = started["NewExecutionState"]["Operations"][0]["CallbackDetails"][
        "CallbackId"
    ]
    service.send_callback_success(callback_id, "answer")
    invoker.started.clear()

    invoker.release.set()

    assert invoker.started.wait(5)
    assert invoker.invocation is not None
    assert invoker.invocation.input.updated_operation_ids == ("c1",)
