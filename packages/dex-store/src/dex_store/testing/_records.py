"""Small hand-made records for tests that want exact values."""

from __future__ import annotations

import datetime as dt
import uuid as _uuid

from dex_schema import (
    ExecutionRecord,
    ExecutionStatus,
    ExecutionSummary,
    Operation,
    OperationStatus,
    OperationType,
    StepDetails,
)

__all__ = ("execution_arn", "sample_record")


def execution_arn(
    name: str, *, function_name: str = "orders", region: str = "us-east-1"
) -> str:
    """A realistic execution ARN for ``name`` of function ``function_name``."""
    uuid = _uuid.uuid5(_uuid.NAMESPACE_URL, f"{function_name}/{name}")
    return (
        f"arn:aws:lambda:{region}:123456789012:function:{function_name}:$LATEST"
        f"/durable-execution/{name}/{uuid}"
    )


def sample_record(
    name: str,
    *,
    function_name: str = "orders",
    status: ExecutionStatus = ExecutionStatus.SUCCEEDED,
    start: dt.datetime = dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    operations: int = 1,
    arn: str | None = None,
) -> ExecutionRecord:
    """A valid record with exact, readable values.

    Parameters
    ----------
    name:
        The execution name; the ARN is derived from it unless ``arn`` is given.
    function_name:
        The function's name, put into the function ARN.
    status:
        The execution status.
    start:
        The start timestamp (timezone-aware).
    operations:
        How many STEP operations the record holds, ids ``"1"``, ``"2"``...
    arn:
        The execution ARN, when the derived one is not wanted.
    """
    function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
    steps = tuple(
        Operation(
            id=str(index),
            name=f"step {index}",
            type=OperationType.STEP,
            start_timestamp=start,
            end_timestamp=start + dt.timedelta(seconds=1),
            status=OperationStatus.SUCCEEDED,
            step_details=StepDetails(attempt=1, result=f'{{"value": {index}}}'),
        )
        for index in range(1, operations + 1)
    )
    finished = status not in (ExecutionStatus.RUNNING, ExecutionStatus.PAUSED)
    return ExecutionRecord(
        execution=ExecutionSummary(
            durable_execution_arn=arn
            or execution_arn(name, function_name=function_name),
            durable_execution_name=name,
            function_arn=function_arn + ":$LATEST",
            input_payload='{"order": 1}',
            start_timestamp=start,
            status=status,
            end_timestamp=start + dt.timedelta(minutes=1) if finished else None,
        ),
        operations=steps,
    )
