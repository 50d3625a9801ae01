"""Stored executions the dex command's tests list, show, validate and clean."""

from __future__ import annotations

import datetime as dt

from dex_schema import (
    ErrorObject,
    ExecutionRecord,
    ExecutionStatus,
    ExecutionSummary,
    Operation,
    OperationStatus,
    OperationType,
    StepDetails,
    WaitDetails,
)

T0 = dt.datetime(2026, 11, 20, 9, 0, 0, tzinfo=dt.UTC)


def arn_of(name: str, function: str = "orders") -> str:
    return (
        f"arn:aws:lambda:us-east-1:123456789012:function:{function}:$LATEST"
        f"/durable-execution/{name}/0f0e0d0c"
    )


def make_record(
    name: str,
    *,
    status: ExecutionStatus = ExecutionStatus.SUCCEEDED,
    start: dt.datetime = T0,
    seconds: float = 2.5,
    function: str = "orders",
    operations: tuple[Operation, ...] = (),
) -> ExecutionRecord:
    """A small stored execution: ``operations`` under an EXECUTION operation."""
    end = (
        None
        if status is ExecutionStatus.RUNNING
        else start + dt.timedelta(seconds=seconds)
    )
    arn = arn_of(name, function)
    execution_op = Operation(
        id="exec",
        type=OperationType.EXECUTION,
        start_timestamp=start,
        end_timestamp=end,
        status=OperationStatus.STARTED,
    )
    return ExecutionRecord(
        execution=ExecutionSummary(
            durable_execution_arn=arn,
            durable_execution_name=name,
            function_arn=(
                f"arn:aws:lambda:us-east-1:123456789012:function:{function}:$LATEST"
            ),
            input_payload='{"order_id": "o-1"}',
            result='"shipped"' if status is ExecutionStatus.SUCCEEDED else None,
            error=(
                ErrorObject(error_type="OutOfStock", error_message="no widgets left")
                if status is ExecutionStatus.FAILED
                else None
            ),
            start_timestamp=start,
            end_timestamp=end,
            status=status,
        ),
        operations=(execution_op, *operations),
    )


def order_operations(start: dt.datetime = T0) -> tuple[Operation, ...]:
    """A step retried once, a wait, and a child context holding a step."""
    at = lambda seconds: start + dt.timedelta(seconds=seconds)  # noqa: E731
    return (
        Operation(
            id="1",
            name="reserve",
            type=OperationType.STEP,
            sub_type="Step",
            start_timestamp=at(0),
            end_timestamp=at(1.5),
            status=OperationStatus.SUCCEEDED,
            step_details=StepDetails(attempt=2, result='"r-1"'),
        ),
        Operation(
            id="2",
            name="cool-off",
            type=OperationType.WAIT,
            sub_type="Wait",
            start_timestamp=at(1.5),
            end_timestamp=at(61.5),
            status=OperationStatus.SUCCEEDED,
            wait_details=WaitDetails(scheduled_end_timestamp=at(61.5)),
        ),
        Operation(
            id="3",
            name="ship",
            type=OperationType.CONTEXT,
            sub_type="RunInChildContext",
            start_timestamp=at(61.5),
            end_timestamp=at(62),
            status=OperationStatus.FAILED,
        ),
        Operation(
            id="4",
            parent_id="3",
            name="label",
            type=OperationType.STEP,
            sub_type="Step",
            start_timestamp=at(61.6),
            end_timestamp=at(61.9),
            status=OperationStatus.FAILED,
            step_details=StepDetails(
                attempt=3,
                error=ErrorObject(error_type="PrinterJam", error_message="tray 2"),
            ),
        ),
    )
