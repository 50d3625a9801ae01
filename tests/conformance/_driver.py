"""Running one bound conformance case through the local runner and checking it.

A plain case is invoked with ``run`` and read when the invocation returns. An
``AsyncInvoke`` case is started with ``run_async``; its ``CallbackActions`` are
then carried out in ``Delay`` order (each one once its callback can be answered,
and the next one only after the invocation the previous one caused has ended,
as the seconds between them allow on the real service), and the result is
awaited with ``wait_for_result``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from dex_runner import DurableFunctionTestRunner
from dex_schema import ErrorObject

from ._cases import BoundCase
from ._handlers_common import Handler
from ._matcher import format_history, match_history

WALL_TIMEOUT = 60.0
"""Wall-clock seconds one case may take before it counts as hung."""

ASYNC_EXECUTION_TIMEOUT = 24 * 3600
"""Modeled execution timeout of async cases: above their longest wait (1 hour)."""

_POLL_SECONDS = 0.005
_TERMINAL_EVENTS = frozenset(
    {
        "InvocationCompleted",
        "ExecutionSucceeded",
        "ExecutionFailed",
        "ExecutionTimedOut",
        "ExecutionStopped",
    }
)
_ANSWER_EVENTS = frozenset({"CallbackSucceeded", "CallbackFailed"})


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What one run of a case produced.

    Attributes
    ----------
    execution_arn
        The execution the case ran as.
    execution_status
        The service's status of the execution (e.g. ``"SUCCEEDED"``).
    result
        The execution's result payload text, if any.
    history
        The GetDurableExecutionHistory events as JSON builtins.
    logs
        The captured log entries of every invocation, as JSON builtins.
    """

    execution_arn: str
    execution_status: str
    result: str | None
    history: list[dict[str, Any]]
    logs: list[dict[str, Any]]


def _status_text(status: Any) -> str:
    return str(getattr(status, "value", status))


def _input_payload(document: Mapping[str, Any]) -> str | None:
    # The payload text is passed, never a bare string: a generated string such
    # as "12e45678" would otherwise be read as a JSON number.
    value = document.get("Input")
    return None if value is None else json.dumps(value)


def _events(runner: DurableFunctionTestRunner, arn: str) -> list[dict[str, Any]]:
    return [msgspec.to_builtins(event) for event in runner.get_execution_history(arn)]


def run_case(bound: BoundCase, handler: Handler) -> Outcome:
    """Run the case's handler as the case says and collect what it produced.

    Raises
    ------
    TimeoutError
        If the execution does not end within ``WALL_TIMEOUT`` wall seconds.
    AssertionError
        If a ``CallbackActions`` entry is malformed.
    """
    document = bound.document
    payload = _input_payload(document)
    if not bound.is_async:
        with DurableFunctionTestRunner(handler) as runner:
            result = runner.run(input=payload)
            arn = result.execution_arn
            return _outcome(runner, arn, result)

    with DurableFunctionTestRunner(
        handler, execution_timeout=ASYNC_EXECUTION_TIMEOUT
    ) as runner:
        arn = runner.run_async(input=payload)
        perform_callback_actions(runner, arn, document.get("CallbackActions") or [])
        result = runner.wait_for_result(arn, timeout=WALL_TIMEOUT)
        return _outcome(runner, arn, result)


def _outcome(runner: DurableFunctionTestRunner, arn: str, result: Any) -> Outcome:
    return Outcome(
        execution_arn=arn,
        execution_status=_status_text(result.execution_status),
        result=result.result,
        history=_events(runner, arn),
        logs=[msgspec.to_builtins(entry) for entry in result.logs],
    )


def perform_callback_actions(
    runner: DurableFunctionTestRunner, arn: str, actions: Sequence[Mapping[str, Any]]
) -> None:
    """Answer callbacks as the case's ``CallbackActions`` say, in ``Delay`` order.

    Raises
    ------
    AssertionError
        If an action names an unknown ``Operation`` or a failure payload that is
        not an ``ErrorType``/``ErrorMessage`` mapping.
    """
    answered: set[str] = set()
    ordered = sorted(actions, key=lambda action: float(action.get("Delay") or 0))
    for index, action in enumerate(ordered):
        where = f"CallbackActions (in Delay order) [{index}]"
        name = action.get("CallbackName", "*")
        callback_id = _callback_to_answer(
            runner, arn, None if name == "*" else str(name), answered, where
        )
        operation = action.get("Operation")
        if operation == "heartbeat":
            runner.send_callback_heartbeat(callback_id)
            continue
        if operation == "success":
            text = None if "Payload" not in action else json.dumps(action["Payload"])
            runner.send_callback_success(callback_id, text)
        elif operation == "failure":
            runner.send_callback_failure(
                callback_id, _error(action.get("Payload"), where)
            )
        else:
            raise AssertionError(
                f"{where}: Operation {operation!r} is none of success, failure, "
                "heartbeat"
            )
        answered.add(callback_id)
        _wait_until_answer_handled(runner, arn, callback_id, where)


def _error(payload: Any, where: str) -> ErrorObject:
    if payload is None:
        return ErrorObject()
    if not isinstance(payload, dict):
        raise AssertionError(
            f"{where}: a failure Payload must map ErrorType/ErrorMessage, got "
            f"{payload!r}"
        )
    return ErrorObject(
        error_type=payload.get("ErrorType"),
        error_message=payload.get("ErrorMessage"),
    )


def _callback_to_answer(
    runner: DurableFunctionTestRunner,
    arn: str,
    name: str | None,
    answered: set[str],
    where: str,
) -> str:
    """The id of the first callback (by name, if given) not answered yet."""
    deadline = time.monotonic() + WALL_TIMEOUT
    while True:
        remaining = deadline - time.monotonic()
        callback_id = str(runner.wait_for_callback(arn, name=name, timeout=remaining))
        if callback_id not in answered:
            return callback_id
        for event in _events(runner, arn):
            details = event.get("CallbackStartedDetails") or {}
            if (
                event.get("EventType") == "CallbackStarted"
                and details.get("CallbackId") not in answered
                and (name is None or event.get("Name") == name)
            ):
                return str(details["CallbackId"])
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{where}: no callback{'' if name is None else f' named {name!r}'} "
                f"besides the answered {sorted(answered)} appeared in "
                f"{WALL_TIMEOUT} s; history:\n{format_history(_events(runner, arn))}"
            )
        time.sleep(_POLL_SECONDS)


def _wait_until_answer_handled(
    runner: DurableFunctionTestRunner, arn: str, callback_id: str, where: str
) -> None:
    """Wait until the invocation the answer caused has ended (or the execution)."""
    deadline = time.monotonic() + WALL_TIMEOUT
    while True:
        history = _events(runner, arn)
        operation_ids = {
            event.get("Id")
            for event in history
            if event.get("EventType") == "CallbackStarted"
            and (event.get("CallbackStartedDetails") or {}).get("CallbackId")
            == callback_id
        }
        answer_at = next(
            (
                position
                for position, event in enumerate(history)
                if event.get("EventType") in _ANSWER_EVENTS
                and event.get("Id") in operation_ids
            ),
            None,
        )
        if answer_at is not None and any(
            event.get("EventType") in _TERMINAL_EVENTS for event in history[answer_at:]
        ):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{where}: the answer to callback {callback_id} was not followed by "
                f"an ended invocation within {WALL_TIMEOUT} s; history:\n"
                f"{format_history(history)}"
            )
        time.sleep(_POLL_SECONDS)


def check_outcome(bound: BoundCase, outcome: Outcome) -> None:
    """Assert the outcome against the case's expectations.

    Raises
    ------
    AssertionError
        Naming the case, the expectation and what the run produced.
    MatchError
        If the history does not match (a subclass of ``AssertionError``).
    """
    document = bound.document
    label = f"conformance case {bound.case.case_id} ({bound.case.path.name})"
    expected_result = document.get("ExpectedResult")
    if expected_result is not None:
        expected_status = expected_result.get("ExecutionStatus")
        assert outcome.execution_status == expected_status, (
            f"{label}: ExecutionStatus expected {expected_status}, got "
            f"{outcome.execution_status} (result {outcome.result!r}); history:\n"
            f"{format_history(outcome.history)}"
        )
        if "Result" in expected_result:
            actual = None if outcome.result is None else json.loads(outcome.result)
            assert actual == expected_result["Result"], (
                f"{label}: Result expected {expected_result['Result']!r}, got "
                f"{actual!r} (payload text {outcome.result!r})"
            )

    match_history(document.get("ExpectedExecutionHistory") or [], outcome.history)

    for index, expectation in enumerate(document.get("ExpectedLogs") or []):
        check_logs(expectation, outcome.logs, f"{label}: ExpectedLogs[{index}]")


def check_logs(
    expectation: Mapping[str, Any], logs: Sequence[Mapping[str, Any]], where: str
) -> None:
    """Count the log entries matching ``expectation['match']`` against ``count``.

    Each key of ``match`` names a log entry member (e.g. ``message``); a value
    written ``/regex/`` must be found in the member's text, any other value must
    equal it.

    Raises
    ------
    AssertionError
        If the number of matching entries differs from ``count``.
    """
    criteria = expectation.get("match") or {}
    expected_count = expectation.get("count")

    def matches(entry: Mapping[str, Any]) -> bool:
        # The spec writes ``message``; dex's stored LogEntry spells it ``Message``.
        members = {str(key).lower(): value for key, value in entry.items()}
        for key, wanted in criteria.items():
            value = members.get(str(key).lower())
            if (
                isinstance(wanted, str)
                and len(wanted) >= 2
                and wanted[0] == "/" == wanted[-1]
            ):
                if value is None or re.search(wanted[1:-1], str(value)) is None:
                    return False
            elif value != wanted:
                return False
        return True

    found = [entry for entry in logs if matches(entry)]
    assert len(found) == expected_count, (
        f"{where}: expected {expected_count} log entries matching {criteria}, found "
        f"{len(found)}: {[_message(entry) for entry in found]}; all messages: "
        f"{[_message(entry) for entry in logs]}"
    )


def _message(entry: Mapping[str, Any]) -> Any:
    return entry.get("Message", entry.get("message"))
