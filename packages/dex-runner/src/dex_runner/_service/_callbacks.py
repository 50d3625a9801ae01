"""SendDurableExecutionCallbackSuccess, Failure and Heartbeat."""

from __future__ import annotations

import msgspec
from dex_schema import (
    CallbackFailedDetails,
    CallbackSucceededDetails,
    ErrorObject,
    EventType,
    Operation,
    OperationStatus,
    OperationType,
)

from ._core import ServiceCore
from ._errors import (
    CallbackTimeoutError,
    InvalidParameterValueError,
    ResourceNotFoundError,
)
from ._execution import LiveExecution, event_error, event_result
from ._ids import decode_callback_id

__all__ = ("Callbacks",)

_replace = msgspec.structs.replace


class Callbacks(ServiceCore):
    """Answering callbacks from outside the function."""

    def send_callback_success(self, callback_id: str, result: str | None) -> None:
        """Complete a callback with ``result`` (the payload text as stored).

        Raises
        ------
        ResourceNotFoundError
            No callback has this id.
        CallbackTimeoutError
            The callback timed out already.
        InvalidParameterValueError
            The callback was answered already or its execution has ended.
        """
        self._answer(callback_id, result=result, error=None)

    def send_callback_failure(
        self, callback_id: str, error: ErrorObject | None
    ) -> None:
        """Fail a callback with ``error``; raises as ``send_callback_success``."""
        self._answer(callback_id, result=None, error=error or ErrorObject())

    def send_callback_heartbeat(self, callback_id: str) -> None:
        """Restart the callback's heartbeat timeout; raises as the success call."""
        live, op = self._callback(callback_id)
        with live.condition:
            op = self._open_callback(live, callback_id, op.id)
            timer = live.callbacks[op.id]
            live.callbacks[op.id] = _replace(
                timer, last_heartbeat_timestamp=live.clock.now()
            )
            if live.running is None:
                self._persist(live)
            live.condition.notify_all()

    def _answer(
        self, callback_id: str, *, result: str | None, error: ErrorObject | None
    ) -> None:
        live, op = self._callback(callback_id)
        with live.condition:
            op = self._open_callback(live, callback_id, op.id)
            now = live.clock.now()
            details = op.callback_details
            assert details is not None
            if error is None:
                op = _replace(
                    op,
                    status=OperationStatus.SUCCEEDED,
                    end_timestamp=now,
                    callback_details=_replace(details, result=result),
                )
                event = live.op_event(
                    EventType.CALLBACK_SUCCEEDED,
                    op,
                    now,
                    callback_succeeded_details=CallbackSucceededDetails(
                        result=event_result(result)
                    ),
                )
            else:
                op = _replace(
                    op,
                    status=OperationStatus.FAILED,
                    end_timestamp=now,
                    callback_details=_replace(details, error=error),
                )
                event = live.op_event(
                    EventType.CALLBACK_FAILED,
                    op,
                    now,
                    callback_failed_details=CallbackFailedDetails(
                        error=event_error(error)
                    ),
                )
            live.put(op)
            live.add_event(event)
            live.callbacks.pop(op.id, None)
            live.updated_ids[op.id] = None
            if live.running is None:
                live.invoke_requested = True
                self._persist(live)
            live.condition.notify_all()

    def _callback(self, callback_id: str) -> tuple[LiveExecution, Operation]:
        arn, op_id = decode_callback_id(callback_id)
        live = self._get_live(arn, ResourceNotFoundError)
        with live.condition:
            op = live.operations.get(op_id)
        if op is None or op.type is not OperationType.CALLBACK:
            raise ResourceNotFoundError(
                f"Callback {callback_id!r} not found in execution {arn}"
            )
        return live, op

    def _open_callback(
        self, live: LiveExecution, callback_id: str, op_id: str
    ) -> Operation:
        op = live.operations[op_id]
        # A callback that timed out says so even once its execution has
        # ended (most often because of that timeout).
        if op.status is OperationStatus.TIMED_OUT:
            raise CallbackTimeoutError(
                f"Callback {callback_id!r} timed out at {op.end_timestamp} and can "
                "no longer be answered"
            )
        if live.terminal:
            raise InvalidParameterValueError(
                f"Callback {callback_id!r} can no longer be answered: execution "
                f"{live.arn} has ended ({live.summary.status.value})"
            )
        if op.status is not OperationStatus.STARTED:
            raise InvalidParameterValueError(
                f"Callback {callback_id!r} was already completed "
                f"({op.status.value}); a callback is answered once"
            )
        return op
