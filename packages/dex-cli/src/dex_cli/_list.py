"""``dex list``: a table of stored executions, newest first."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import msgspec
from dex_schema import ExecutionStatus
from dex_store import ExecutionQuery, ExecutionSummaryRow, QueryPage, StoreError

from ._command import Command
from ._console import Output
from ._errors import EXIT_OK, CliError
from ._render import format_duration, format_timestamp, status_style
from ._store import add_store_arguments, choose_store, open_for_reading
from ._timeparse import parse_since, parse_statuses

__all__ = ("LIST",)

_COLUMNS = ("name", "function", "status", "start", "duration", "operations")


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--status",
        action="append",
        metavar="S",
        help="keep executions with this status (repeatable, or comma-separated: "
        "SUCCEEDED,FAILED)",
    )
    parser.add_argument(
        "--function", metavar="F", help="keep executions of this function name"
    )
    parser.add_argument(
        "--since",
        metavar="DATE",
        help="keep executions started after DATE: an ISO 8601 date or date-time "
        "(UTC unless it has an offset) or an age like 7d or 12h",
    )
    parser.add_argument(
        "--limit",
        metavar="N",
        type=int,
        default=20,
        help="show at most N executions (default 20)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print JSON for scripts instead"
    )
    add_store_arguments(parser)


def _row(row: ExecutionSummaryRow) -> list[str]:
    return [
        row.execution_name,
        row.function_name,
        row.status.value,
        format_timestamp(row.start_timestamp),
        format_duration(row.start_timestamp, row.end_timestamp),
        str(row.operation_count),
    ]


class _JsonRow(msgspec.Struct, kw_only=True, rename="pascal"):
    execution_name: str
    durable_execution_arn: str
    function_name: str
    function_arn: str
    status: ExecutionStatus
    start_timestamp: dt.datetime
    end_timestamp: dt.datetime | None
    operation_count: int

    @classmethod
    def of(cls, row: ExecutionSummaryRow) -> _JsonRow:
        return cls(
            execution_name=row.execution_name,
            durable_execution_arn=row.arn,
            function_name=row.function_name,
            function_arn=row.function_arn,
            status=row.status,
            start_timestamp=row.start_timestamp,
            end_timestamp=row.end_timestamp,
            operation_count=row.operation_count,
        )


class _JsonUnreadable(msgspec.Struct, kw_only=True, rename="pascal"):
    location: str
    reason: str


class _ListJson(msgspec.Struct, kw_only=True, rename="pascal"):
    executions: tuple[_JsonRow, ...]
    unreadable: tuple[_JsonUnreadable, ...]
    more: bool


def _run(args: argparse.Namespace, output: Output) -> int:
    if args.limit < 1:
        raise CliError(f"--limit must be at least 1; got {args.limit}")
    query = ExecutionQuery(
        function_name=args.function,
        statuses=parse_statuses(args.status, "--status") or None,
        started_after=(
            parse_since(args.since, "--since", dt.datetime.now(dt.UTC))
            if args.since
            else None
        ),
        limit=args.limit,
    )
    store = open_for_reading(choose_store(args), "dex list")
    try:
        page: QueryPage = store.query(query)
    except StoreError as error:
        raise CliError(str(error)) from None
    finally:
        store.close()

    if args.json:
        document = _ListJson(
            executions=tuple(_JsonRow.of(row) for row in page.rows),
            unreadable=tuple(
                _JsonUnreadable(location=item.location, reason=item.reason)
                for item in page.unreadable
            ),
            more=page.next_marker is not None,
        )
        output.raw(
            msgspec.json.format(msgspec.json.encode(document), indent=2).decode()
        )
        return EXIT_OK

    rows = [_row(row) for row in page.rows]
    styles = [status_style(row.status) for row in page.rows]
    for item in page.unreadable:
        # The file's name: its directory is the store's, and the full path
        # is on standard error with the reason.
        rows.append([Path(item.location).name, "-", "UNREADABLE", "-", "-", "-"])
        styles.append("red")
    if rows:
        output.table(_COLUMNS, rows, styles=styles, wrap=(0, 1), share_room=False)
    else:
        output.line("no stored executions match")
    if page.next_marker is not None:
        output.line(f"(more than {args.limit} match; raise --limit to see more)")
    for item in page.unreadable:
        output.note(f"unreadable record {item.location}: {item.reason}")
    return EXIT_OK


LIST = Command(
    name="list",
    summary="list stored executions, newest first",
    description="""
        Show a table of the executions the configured store holds, newest
        first: name, function, status, start time (UTC), duration and the
        number of operations. Records that cannot be read are listed as
        UNREADABLE and explained on standard error; they do not stop the
        listing. Needs a persistent store (the filesystem store).
        """,
    examples=(
        "dex list --store filesystem",
        "dex list --status FAILED --since 7d --limit 50",
        "AWS_DEX_STORE_TYPE=filesystem dex list --function orders --json",
    ),
    add_arguments=_add_arguments,
    run=_run,
)
