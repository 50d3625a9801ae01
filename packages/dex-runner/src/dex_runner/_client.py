"""The in-process stand-in for boto3's ``lambda`` client that the SDK calls.

The SDK's own ``LambdaClient`` wraps it, so everything above the boto3 call
is the production code path: requests arrive as the dicts the SDK hands to
boto3, answers leave as the dicts botocore returns (``datetime`` timestamps),
and service errors are raised as ``botocore.exceptions.ClientError`` with the
real error shape, so the SDK classifies them exactly as in Lambda.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from botocore.exceptions import ClientError
from dex_schema import Operation, OperationUpdate

from ._service import DurableExecutionService, InvalidParameterValueError, ServiceError

__all__ = ("InProcessLambdaClient",)


def _metadata() -> dict[str, Any]:
    return {"HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0}


def _operation_dict(operation: Operation) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(operation, builtin_types=(dt.datetime,))
    return data


class InProcessLambdaClient:
    """Answers ``checkpoint_durable_execution`` and ``get_durable_execution_state``.

    Parameters
    ----------
    service:
        The emulated service every call goes to.
    """

    def __init__(self, service: DurableExecutionService) -> None:
        self._service = service

    def checkpoint_durable_execution(
        self,
        *,
        DurableExecutionArn: str,
        CheckpointToken: str,
        Updates: Sequence[Mapping[str, Any]] = (),
        ClientToken: str | None = None,
    ) -> dict[str, Any]:
        """CheckpointDurableExecution, as ``boto3.client("lambda")`` has it."""
        operation = "CheckpointDurableExecution"
        try:
            updates = [self._update(index, raw) for index, raw in enumerate(Updates)]
            output = self._service.checkpoint(
                DurableExecutionArn, CheckpointToken, updates, ClientToken
            )
        except ServiceError as error:
            raise ClientError(error.to_error_shape(), operation) from None
        state: dict[str, Any] = {
            "Operations": [_operation_dict(op) for op in output.operations]
        }
        if output.next_marker:
            state["NextMarker"] = output.next_marker
        response: dict[str, Any] = {
            "NewExecutionState": state,
            "ResponseMetadata": _metadata(),
        }
        if output.checkpoint_token is not None:
            response["CheckpointToken"] = output.checkpoint_token
        return response

    def get_durable_execution_state(
        self,
        *,
        DurableExecutionArn: str,
        CheckpointToken: str,
        Marker: str | None = None,
        MaxItems: int | None = None,
    ) -> dict[str, Any]:
        """GetDurableExecutionState, as ``boto3.client("lambda")`` has it."""
        try:
            output = self._service.get_execution_state(
                DurableExecutionArn, CheckpointToken, Marker, MaxItems
            )
        except ServiceError as error:
            raise ClientError(
                error.to_error_shape(),
                "GetDurableExecutionState",
            ) from None
        response: dict[str, Any] = {
            "Operations": [_operation_dict(op) for op in output.operations],
            "ResponseMetadata": _metadata(),
        }
        if output.next_marker:
            response["NextMarker"] = output.next_marker
        return response

    @staticmethod
    def _update(index: int, raw: Mapping[str, Any]) -> OperationUpdate:
        try:
            return msgspec.convert(raw, OperationUpdate)
        except msgspec.ValidationError as error:
            raise InvalidParameterValueError(
                f"Invalid Updates[{index}]: {error}"
            ) from None
