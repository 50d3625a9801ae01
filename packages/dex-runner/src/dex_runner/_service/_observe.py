"""What runners wait for: an execution's end, a callback they can answer."""

from __future__ import annotations

import time

from dex_schema import (
    ExecutionRecord,
    ExecutionStatus,
    Operation,
    OperationType,
)

from ._core import ServiceCore
from ._errors import (
    ResourceNotFoundError,
)
from ._execution import LiveExecution

__all__ = ("Observing",)


class Observing(ServiceCore):
    """Blocking waits on executions, for runners (not service operations)."""

    def wait_for_completion(
        self, execution_arn: str, timeout: float | None
    ) -> ExecutionRecord | None:
        """Block until the execution ends; ``None`` when ``timeout`` passes first.

        While a caller waits here, outstanding callbacks no longer hold the
        execution's clock. Raises ``ResourceNotFoundError`` for an unknown ARN.
        """
        live = self._get_live(execution_arn, ResourceNotFoundError)
        with live.condition:
            live.result_waiters += 1
            live.condition.notify_all()
            try:
                done = live.condition.wait_for(
                    lambda: (live.terminal and live.running is None) or live.closed,
                    timeout,
                )
            finally:
                live.result_waiters -= 1
            self._check_broken(live)
            return live.to_record() if done and live.terminal else None

    def wait_for_callback(
        self, execution_arn: str, name: str | None, timeout: float | None
    ) -> str:
        """Block until a callback can be answered; return its callback id.

        A callback can be answered once it is started and the function has
        suspended: no invocation is running or about to start. ``name`` selects by the
        callback's name or its parent's (``wait_for_callback``'s) name.

        Raises
        ------
        ResourceNotFoundError
            No execution has this ARN.
        TimeoutError
            ``timeout`` passed first, or the execution ended; the message
            names the callbacks that did appear.
        """
        live = self._get_live(execution_arn, ResourceNotFoundError)
        deadline = None if timeout is None else time.monotonic() + timeout
        with live.condition:
            while True:
                if _suspended(live):
                    for op in live.outstanding_callbacks():
                        if name is None or name in _names(live, op):
                            assert op.callback_details is not None
                            assert op.callback_details.callback_id is not None
                            return op.callback_details.callback_id
                self._check_broken(live)
                if live.terminal or live.closed:
                    raise TimeoutError(_no_callback(live, name, "the execution ended"))
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(
                        _no_callback(live, name, f"{timeout:g} seconds passed")
                    )
                live.condition.wait(remaining)


def _suspended(live: LiveExecution) -> bool:
    """No invocation running, and none about to start (unless paused)."""
    if live.running is not None:
        return False
    return not live.invoke_requested or live.summary.status is ExecutionStatus.PAUSED


def _names(live: LiveExecution, op: Operation) -> set[str | None]:
    names = {op.name}
    if op.parent_id is not None:
        parent = live.operations.get(op.parent_id)
        if parent is not None:
            names.add(parent.name)
    return names


def _no_callback(live: LiveExecution, name: str | None, why: str) -> str:
    seen = [
        op.name or op.id
        for op_id in live.order
        if (op := live.operations[op_id]).type is OperationType.CALLBACK
    ]
    wanted = f"named {name!r} " if name is not None else ""
    return (
        f"no callback {wanted}could be answered in execution {live.arn} before "
        f"{why}; callbacks that appeared: {', '.join(map(repr, seen)) or 'none'}"
    )
