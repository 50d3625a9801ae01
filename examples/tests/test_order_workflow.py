"""The order workflow's own tests, run by the pytest-dex ``durable_runner``."""

from __future__ import annotations

import datetime as dt
import json

import order_workflow
import pytest
from aws_durable_execution_sdk_python.execution import InvocationStatus
from aws_durable_execution_sdk_python.lambda_service import (
    OperationStatus,
    OperationSubType,
    OperationType,
)
from dex_runner import OperationNotFoundError

ORDER = {"order_id": "o-1", "items": ["book", "lamp"]}

pytestmark = pytest.mark.durable_execution(
    handler=order_workflow.handler, lambda_function_name="orders"
)


def approve(durable_runner, arn: str, answer: dict) -> None:
    callback_id = durable_runner.wait_for_callback(
        arn, name=order_workflow.PAYMENT_CALLBACK, timeout=30
    )
    durable_runner.send_callback_success(callback_id, result=json.dumps(answer))


def test_an_approved_order_is_reserved_packed_and_shipped(durable_runner) -> None:
    arn = durable_runner.run_async(ORDER)
    approve(durable_runner, arn, {"approved": True})

    result = durable_runner.wait_for_result(arn, timeout=30)

    assert result.status is InvocationStatus.SUCCEEDED
    assert json.loads(result.result) == {
        "order_id": "o-1",
        "reservation": "reservation-o-1",
        "boxes": ["box-1-of-2", "box-2-of-2"],
        "tracking": "courier-7/o-1",
    }
    assert [op.name for op in result.operations] == [
        "reserve-stock",
        "fraud-check-window",
        "payment-approval",
        "pack-items",
        "ship",
    ]


def test_the_busy_warehouse_is_retried_after_two_seconds(durable_runner) -> None:
    arn = durable_runner.run_async(ORDER)
    approve(durable_runner, arn, {"approved": True})

    result = durable_runner.wait_for_result(arn, timeout=30)

    reserve = result.get_step("reserve-stock")
    assert reserve.status is OperationStatus.SUCCEEDED
    assert reserve.attempt == 2
    assert json.loads(reserve.result) == "reservation-o-1"
    failed = [
        event
        for event in result.history
        if event.event_type is not None and event.event_type.value == "StepFailed"
    ]
    assert len(failed) == 1
    details = failed[0].step_failed_details
    assert details.error.payload.error_type == "order_workflow.WarehouseBusyError"
    assert details.retry_details.next_attempt_delay_seconds == 2


def test_the_fraud_check_wait_takes_two_modeled_minutes(durable_runner) -> None:
    arn = durable_runner.run_async(ORDER)
    approve(durable_runner, arn, {"approved": True})

    result = durable_runner.wait_for_result(arn, timeout=30)

    wait = result.get_wait("fraud-check-window")
    assert wait.operation_type is OperationType.WAIT
    assert wait.status is OperationStatus.SUCCEEDED
    assert wait.end_timestamp - wait.start_timestamp == dt.timedelta(minutes=2)


def test_every_item_is_packed_in_its_own_map_iteration(durable_runner) -> None:
    arn = durable_runner.run_async(ORDER)
    approve(durable_runner, arn, {"approved": True})

    result = durable_runner.wait_for_result(arn, timeout=30)

    pack = result.get_context("pack-items")
    assert pack.sub_type is OperationSubType.MAP
    iterations = pack.child_operations
    assert [op.sub_type for op in iterations] == [
        OperationSubType.MAP_ITERATION,
        OperationSubType.MAP_ITERATION,
    ]
    assert [json.loads(op.child_operations[0].result) for op in iterations] == [
        "box-1-of-2",
        "box-2-of-2",
    ]


def test_shipping_runs_in_a_child_context(durable_runner) -> None:
    arn = durable_runner.run_async(ORDER)
    approve(durable_runner, arn, {"approved": True})

    result = durable_runner.wait_for_result(arn, timeout=30)

    ship = result.get_context("ship")
    assert ship.sub_type is OperationSubType.RUN_IN_CHILD_CONTEXT
    assert [op.name for op in ship.child_operations] == [
        "book-courier",
        "print-label",
    ]
    assert json.loads(ship.result) == "courier-7/o-1"


def test_a_declined_payment_fails_the_order(durable_runner) -> None:
    arn = durable_runner.run_async(ORDER)
    approve(durable_runner, arn, {"approved": False})

    result = durable_runner.wait_for_result(arn, timeout=30)

    assert result.status is InvocationStatus.FAILED
    assert result.error.type == "order_workflow.PaymentDeclinedError"
    assert result.error.message == "payment for o-1 was declined"
    with pytest.raises(OperationNotFoundError):
        result.get_context("ship")


def test_a_failed_payment_callback_fails_the_order(durable_runner) -> None:
    arn = durable_runner.run_async(ORDER)
    callback_id = durable_runner.wait_for_callback(
        arn, name=order_workflow.PAYMENT_CALLBACK, timeout=30
    )
    durable_runner.send_callback_failure(callback_id, error="card expired")

    result = durable_runner.wait_for_result(arn, timeout=30)

    assert result.status is InvocationStatus.FAILED
    assert result.error.message == "card expired"
