"""The service's own surface: the invocation event, error shapes, lookups."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from dex_runner import DurableFunctionTestRunner
from dex_runner._service import (
    DurableExecutionService,
    InvalidParameterValueError,
    InvocationInput,
    ResourceNotFoundError,
    ServiceInternalError,
)
from dex_schema import Operation, OperationStatus, OperationType
from dex_store import StoreError


def test_the_invocation_event_has_the_lambda_json_shape() -> None:
    started = dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)
    event = InvocationInput(
        durable_execution_arn="arn",
        checkpoint_token="token",
        operations=(
            Operation(
                id="op",
                type=OperationType.STEP,
                status=OperationStatus.STARTED,
                start_timestamp=started,
            ),
        ),
        next_marker=None,
        updated_operation_ids=("op",),
    ).to_event()

    assert event == {
        "DurableExecutionArn": "arn",
        "CheckpointToken": "token",
        "InitialExecutionState": {
            "Operations": [
                {
                    "Id": "op",
                    "Type": "STEP",
                    "StartTimestamp": 1767323045678,
                    "Status": "STARTED",
                }
            ],
            "NextMarker": "",
        },
        "UpdatedOperationIds": ["op"],
    }


def test_errors_carry_the_aws_error_shape() -> None:
    error = ResourceNotFoundError("gone")

    assert error.to_error_shape() == {
        "Error": {"Code": "ResourceNotFoundException", "Message": "gone"},
        "Message": "gone",
        "ResponseMetadata": {"HTTPStatusCode": 404, "HTTPHeaders": {}},
    }


def test_an_unknown_execution_is_not_found(store: Any) -> None:
    service = DurableExecutionService(store)
    arn = (
        "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST/"
        "durable-execution/x/y"
    )

    with pytest.raises(ResourceNotFoundError) as caught:
        service.get_execution(arn)
    service.close()

    assert str(caught.value) == f"Durable execution {arn!r} not found"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "bad name!",
            "Invalid function name 'bad name!': expected a name of 1-64 letters, "
            "digits, '-' or '_', or a function ARN "
            "(arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER])",
        ),
    ],
)
def test_a_malformed_function_name_is_rejected(
    store: Any, name: str, message: str
) -> None:
    service = DurableExecutionService(store)

    with pytest.raises(InvalidParameterValueError) as caught:
        service.start_execution(name)
    service.close()

    assert str(caught.value) == message


def test_a_function_arn_keeps_its_qualifier(store: Any) -> None:
    service = DurableExecutionService(store)

    summary = service.start_execution(
        "arn:aws:lambda:eu-west-1:111122223333:function:orders:7",
        execution_name="order-1",
    )
    service.close()

    assert (
        summary.function_arn == "arn:aws:lambda:eu-west-1:111122223333:function:orders"
    )
    assert summary.version == "7"
    assert summary.durable_execution_arn.startswith(
        "arn:aws:lambda:eu-west-1:111122223333:function:orders:7/durable-execution/"
        "order-1/"
    )


class _BrokenStore:
    """A memory store whose updates fail, as a full disk would make them."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def update(self, record: Any) -> Any:
        raise StoreError("disk full")


def test_a_store_failure_is_reported_to_whoever_waits(store: Any) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return "done"

    with DurableFunctionTestRunner(handler, store=_BrokenStore(store)) as runner:
        arn = runner.run_async()

        with pytest.raises(ServiceInternalError) as caught:
            runner.wait_for_result(arn, timeout=10)

    assert str(caught.value) == (
        f"the service failed while running execution {arn}: StoreError('disk "
        "full'); the store holds its last consistent state"
    )
