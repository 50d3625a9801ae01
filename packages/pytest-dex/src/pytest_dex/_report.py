"""The failure report section: what a durable execution did, as text."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import msgspec
from dex_schema import (
    ErrorObject,
    Event,
    ExecutionRecord,
    ExecutionStatus,
    LogEntry,
    Operation,
    OperationType,
)

__all__ = ("LAST_EVENTS", "LAST_LOG_LINES", "MAX_MESSAGE_LINES", "render_execution")

LAST_EVENTS = 15
"""How many of the last history events the section shows."""

LAST_LOG_LINES = 50
"""How many of the last captured log entries the section shows."""

MAX_MESSAGE_LINES = 12
"""How many continuation lines of one log message (a traceback) are shown."""

_MAX_TEXT = 200


def _short(text: str) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


def _error(error: ErrorObject | None) -> str:
    if error is None:
        return ""
    kind = error.error_type or "Error"
    return _short(f"{kind}: {error.error_message or ''}".rstrip(": "))


def _operation_line(operation: Operation) -> str:
    label = operation.name or f"(id {operation.id})"
    parts = [f"{operation.type.value} {label}"]
    if operation.sub_type:
        parts.append(f"[{operation.sub_type}]")
    parts.append(operation.status.value)
    error: ErrorObject | None = None
    if operation.step_details is not None:
        if operation.step_details.attempt is not None:
            parts.append(f"attempt {operation.step_details.attempt}")
        error = operation.step_details.error
    for details in (
        operation.context_details,
        operation.callback_details,
        operation.chained_invoke_details,
    ):
        if details is not None and details.error is not None:
            error = details.error
    if (
        operation.callback_details is not None
        and operation.callback_details.callback_id
    ):
        parts.append(f"callback {operation.callback_details.callback_id}")
    if error is not None:
        parts.append(f"- {_error(error)}")
    return " ".join(parts)


def _operation_tree(record: ExecutionRecord) -> list[str]:
    operations = [o for o in record.operations if o.type is not OperationType.EXECUTION]
    ids = {o.id for o in operations}
    children: dict[str | None, list[Operation]] = defaultdict(list)
    for operation in operations:
        parent = operation.parent_id if operation.parent_id in ids else None
        children[parent].append(operation)

    lines: list[str] = []

    def walk(parent: str | None, depth: int) -> None:
        for operation in children.get(parent, []):
            lines.append("  " * (depth + 1) + _operation_line(operation))
            walk(operation.id, depth + 1)

    walk(None, 0)
    return lines or ["  (none)"]


def _event_line(event: Event) -> str:
    event_type = event.event_type.value if event.event_type else "?"
    parts = [f"  #{event.event_id or '?'} {event_type}"]
    if event.name:
        parts.append(event.name)
    if event.id:
        parts.append(f"(id {event.id})")
    builtins = msgspec.to_builtins(event)
    details = {k: v for k, v in builtins.items() if k.endswith("Details")}
    for value in details.values():
        parts.append(_short(msgspec.json.encode(value).decode()))
    return " ".join(parts)


def render_execution(record: ExecutionRecord, path: Path | None = None) -> str:
    """Describe one execution for a failed test's report.

    Parameters
    ----------
    record:
        The execution as stored.
    path:
        The file the execution is stored in (filesystem store), or ``None``.

    Returns
    -------
    str
        The status, the error, the file, the operation tree (names, types,
        statuses, attempts, errors), the last ``LAST_EVENTS`` history events
        and the last ``LAST_LOG_LINES`` lines the function logged.
    """
    execution = record.execution
    lines = [
        f"execution {execution.durable_execution_arn}",
        f"status: {execution.status.value}",
    ]
    if execution.error is not None:
        lines.append(f"error: {_error(execution.error)}")
    if execution.status is ExecutionStatus.TIMED_OUT:
        lines.append(
            "hint: modeled time (waits, retry delays, callback timeouts) counts "
            "against the execution timeout: raise timeout= / execution_timeout= on "
            "run(), or the marker's execution_timeout"
        )
    if execution.result is not None:
        lines.append(f"result: {_short(execution.result)}")
    if path is not None:
        lines.append(f"file: {path}")
    lines.append(f"invocations: {len(record.invocations)}")

    lines.append("operations:")
    lines.extend(_operation_tree(record))

    events = record.events[-LAST_EVENTS:]
    lines.append(f"last {len(events)} of {len(record.events)} history events:")
    lines.extend(_event_line(event) for event in events)

    entries = [entry for invocation in record.invocations for entry in invocation.logs]
    shown = entries[-LAST_LOG_LINES:]
    lines.append(f"last {len(shown)} of {len(entries)} log lines:")
    lines.extend(_log_lines(entry) for entry in shown)
    if not shown:
        lines.append("  (none)")
    return "\n".join(lines) + "\n"


def _log_lines(entry: LogEntry) -> str:
    """One log entry; a multi-line message (a traceback) continues indented."""
    first, *rest = entry.message.rstrip("\n").split("\n") or [""]
    text = f"  {entry.timestamp.isoformat()} {entry.level} {entry.logger}: {first}"
    if len(rest) > MAX_MESSAGE_LINES:
        hidden = len(rest) - MAX_MESSAGE_LINES
        rest = [*rest[:MAX_MESSAGE_LINES], f"... ({hidden} more lines)"]
    return "\n".join([text, *(f"    {line}" for line in rest)])
