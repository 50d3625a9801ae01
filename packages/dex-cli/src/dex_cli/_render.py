"""Turning a stored execution into lines: summary, operation tree, timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from dex_schema import (
    ErrorObject,
    Event,
    EventError,
    ExecutionRecord,
    ExecutionStatus,
    Operation,
    OperationStatus,
    OperationType,
)

from ._console import Node

__all__ = (
    "describe_error",
    "format_duration",
    "format_timestamp",
    "operation_tree",
    "status_style",
    "summary_lines",
    "timeline_rows",
)

_PAYLOAD_WIDTH = 200
_LABEL_WIDTH = 13

_STYLES = {
    "SUCCEEDED": "green",
    "FAILED": "red",
    "TIMED_OUT": "red",
    "STOPPED": "magenta",
    "CANCELLED": "magenta",
    "RUNNING": "cyan",
    "STARTED": "cyan",
    "PENDING": "yellow",
    "READY": "yellow",
}


def status_style(status: ExecutionStatus | OperationStatus) -> str:
    """The colour a status is drawn in on a terminal."""
    return _STYLES.get(status.value, "")


def format_timestamp(moment: dt.datetime | None) -> str:
    """``2026-12-03 17:15:04Z`` (UTC, whole seconds), or ``-`` for none."""
    if moment is None:
        return "-"
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def format_duration(start: dt.datetime, end: dt.datetime | None) -> str:
    """A short human duration (``0.042s``, ``12.5s``, ``3m05s``, ``2d04h``).

    ``-`` when the operation has not ended.
    """
    if end is None:
        return "-"
    seconds = max((end - start).total_seconds(), 0.0)
    if seconds < 10:
        return f"{seconds:.3f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s"


def _offset(start: dt.datetime, moment: dt.datetime | None) -> str:
    if moment is None:
        return "-"
    return "+" + format_duration(start, moment)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _PAYLOAD_WIDTH:
        return text[: _PAYLOAD_WIDTH - 3] + "..."
    return text


def describe_error(error: ErrorObject | None) -> str:
    """``Type: message`` of an error object (either part may be missing)."""
    if error is None:
        return ""
    parts = [part for part in (error.error_type, error.error_message) if part]
    return ": ".join(parts) or "(no message)"


def summary_lines(record: ExecutionRecord, location: str | None) -> list[str]:
    """The execution's summary, one ``Key: value`` line each, values aligned."""
    execution = record.execution
    fields = [
        ("Execution", execution.durable_execution_name),
        ("ARN", execution.durable_execution_arn),
        ("Function", execution.function_arn),
        ("Status", execution.status.value),
        ("Started", format_timestamp(execution.start_timestamp)),
        ("Ended", format_timestamp(execution.end_timestamp)),
        (
            "Duration",
            format_duration(execution.start_timestamp, execution.end_timestamp),
        ),
        ("Invocations", str(len(record.invocations))),
    ]
    if execution.input_payload is not None:
        fields.append(("Input", _shorten(execution.input_payload)))
    if execution.result is not None:
        fields.append(("Result", _shorten(execution.result)))
    if execution.error is not None:
        fields.append(("Error", describe_error(execution.error)))
    if location is not None:
        fields.append(("Stored in", location))
    return [f"{label + ':':<{_LABEL_WIDTH}}{value}" for label, value in fields]


def _kind(operation: Operation) -> str:
    kind = operation.type.value
    if operation.sub_type and operation.sub_type.lower() != kind.lower():
        return f"{kind}/{operation.sub_type}"
    return kind


def _operation_label(operation: Operation, start: dt.datetime) -> str:
    name = operation.name or f"#{operation.id}"
    parts = [
        name,
        _kind(operation),
        operation.status.value,
        f"at {_offset(start, operation.start_timestamp)}",
        f"took {format_duration(operation.start_timestamp, operation.end_timestamp)}",
    ]
    step = operation.step_details
    if step is not None and step.attempt is not None:
        parts.append(f"attempt {step.attempt}")
    wait = operation.wait_details
    if wait is not None and wait.scheduled_end_timestamp is not None:
        parts.append(
            "until " + _offset(start, wait.scheduled_end_timestamp).lstrip("+")
        )
    callback = operation.callback_details
    if (
        callback is not None
        and callback.callback_id
        and operation.status
        in (
            OperationStatus.STARTED,
            OperationStatus.PENDING,
        )
    ):
        parts.append(f"callback id {callback.callback_id}")
    error = _operation_error(operation)
    if error is not None:
        parts.append(f"error {describe_error(error)}")
    return "  ".join(parts)


def _operation_error(operation: Operation) -> ErrorObject | None:
    for details in (
        operation.step_details,
        operation.context_details,
        operation.callback_details,
        operation.chained_invoke_details,
    ):
        if details is not None and details.error is not None:
            return details.error
    return None


def operation_tree(record: ExecutionRecord) -> Node:
    """The execution's operations as a tree under the execution.

    Children are listed in the order they started; an operation whose parent
    is not stored is shown at the top level rather than hidden.
    """
    execution = record.execution
    start = execution.start_timestamp
    operations = [
        op for op in record.operations if op.type is not OperationType.EXECUTION
    ]
    root_ids = {op.id for op in record.operations if op.type is OperationType.EXECUTION}
    known = {op.id for op in operations}
    children: dict[str | None, list[Operation]] = {}
    for operation in operations:
        parent = operation.parent_id
        if parent is None or parent in root_ids or parent not in known:
            parent = None
        children.setdefault(parent, []).append(operation)

    def build(parent: str | None) -> tuple[Node, ...]:
        ordered = sorted(children.get(parent, ()), key=lambda op: op.start_timestamp)
        return tuple(
            Node(
                label=_operation_label(op, start),
                style=status_style(op.status),
                children=build(op.id),
            )
            for op in ordered
        )

    label = (
        f"{execution.durable_execution_name}  {execution.status.value}  "
        f"took {format_duration(start, execution.end_timestamp)}"
    )
    return Node(label=label, style=status_style(execution.status), children=build(None))


def _event_detail(event: Event) -> str:
    parts: list[str] = []
    for name in event.__struct_fields__:
        if not name.endswith("_details"):
            continue
        details = getattr(event, name)
        if details is None:
            continue
        for field in details.__struct_fields__:
            value = getattr(details, field)
            if value is None:
                continue
            parts.append(f"{field}={_detail_value(value)}")
    return " ".join(parts)


def _detail_value(value: object) -> str:
    if isinstance(value, EventError):
        return describe_error(value.payload) or "-"
    if isinstance(value, ErrorObject):
        return describe_error(value)
    payload = getattr(value, "payload", None)
    if payload is not None:
        return _shorten(str(payload))
    if isinstance(value, dt.datetime):
        return format_timestamp(value)
    fields = getattr(value, "__struct_fields__", None)
    if fields is not None:
        inner = [
            f"{field}={getattr(value, field)}"
            for field in fields
            if getattr(value, field) is not None
        ]
        return "(" + ", ".join(inner) + ")"
    return _shorten(str(value))


def timeline_rows(record: ExecutionRecord) -> list[list[str]]:
    """The history events as table rows: id, time offset, type, operation, detail."""
    start = record.execution.start_timestamp
    execution_ids = {
        operation.id
        for operation in record.operations
        if operation.type is OperationType.EXECUTION
    }
    rows: list[list[str]] = []
    for event in record.events:
        if event.name:
            operation = event.name
        elif event.id in execution_ids:
            operation = "(execution)"
        else:
            operation = f"#{event.id}" if event.id else ""
        rows.append(
            [
                str(event.event_id or ""),
                _offset(start, event.event_timestamp),
                event.event_type.value if event.event_type else "-",
                operation,
                _event_detail(event),
            ]
        )
    return rows


def history_columns() -> Sequence[str]:
    """The columns of ``timeline_rows``."""
    return ("#", "at", "event", "operation", "details")
