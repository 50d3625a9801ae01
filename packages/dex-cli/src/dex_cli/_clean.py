"""``dex clean``: remove stored executions by age and status."""

from __future__ import annotations

import argparse
import datetime as dt

from dex_schema import ExecutionStatus
from dex_store import (
    ExecutionNotFoundError,
    ExecutionQuery,
    ExecutionStore,
    ExecutionSummaryRow,
    StoreError,
    Unreadable,
)

from ._command import Command
from ._console import Output
from ._errors import EXIT_OK, CliError
from ._render import format_timestamp
from ._store import add_store_arguments, choose_store, open_for_reading
from ._timeparse import parse_age, parse_statuses

__all__ = ("CLEAN",)

_PAGE = 1000


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--older-than",
        metavar="AGE",
        help="remove executions started more than AGE ago (30m, 12h, 7d, 2w)",
    )
    parser.add_argument(
        "--status",
        action="append",
        metavar="S",
        help="remove executions with this status (repeatable or comma-separated); "
        "RUNNING executions are only removed when named here",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="remove every execution that is not RUNNING (needed when neither "
        "--older-than nor --status is given)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="list what would be removed and remove nothing",
    )
    add_store_arguments(parser)


def _matching(
    store: ExecutionStore, query: ExecutionQuery
) -> tuple[list[ExecutionSummaryRow], list[Unreadable]]:
    rows: list[ExecutionSummaryRow] = []
    unreadable: list[Unreadable] = []
    marker: str | None = None
    while True:
        page = store.query(
            ExecutionQuery(
                statuses=query.statuses,
                started_before=query.started_before,
                limit=_PAGE,
                marker=marker,
            )
        )
        rows.extend(page.rows)
        unreadable.extend(page.unreadable)
        marker = page.next_marker
        if marker is None:
            return rows, unreadable


def _run(args: argparse.Namespace, output: Output) -> int:
    statuses = parse_statuses(args.status, "--status")
    age = parse_age(args.older_than, "--older-than") if args.older_than else None
    if age is None and not statuses and not args.all:
        raise CliError(
            "say what to remove: --older-than AGE, --status S, or --all "
            "(add --dry-run to see what would go)"
        )
    query = ExecutionQuery(
        statuses=statuses or None,
        started_before=dt.datetime.now(dt.UTC) - age if age is not None else None,
    )

    choice = choose_store(args)
    store = open_for_reading(choice, "dex clean")
    try:
        rows, unreadable = _matching(store, query)
        if not statuses:
            rows = [row for row in rows if row.status is not ExecutionStatus.RUNNING]
        if args.dry_run:
            _report_dry_run(output, rows)
        else:
            removed = _remove(store, rows, output)
            noun = "execution" if removed == 1 else "executions"
            output.line(f"removed {removed} {noun} from {choice.config.path}")
    except StoreError as error:
        raise CliError(str(error)) from None
    finally:
        store.close()

    for item in unreadable:
        output.note(f"unreadable record {item.location} left in place: {item.reason}")
    return EXIT_OK


def _report_dry_run(output: Output, rows: list[ExecutionSummaryRow]) -> None:
    if rows:
        output.table(
            ("name", "function", "status", "start"),
            [
                [
                    row.execution_name,
                    row.function_name,
                    row.status.value,
                    format_timestamp(row.start_timestamp),
                ]
                for row in rows
            ],
        )
    noun = "execution" if len(rows) == 1 else "executions"
    output.line(f"would remove {len(rows)} {noun} (dry run: nothing removed)")


def _remove(
    store: ExecutionStore, rows: list[ExecutionSummaryRow], output: Output
) -> int:
    removed = 0
    with output.progress("removing", len(rows)) as advance:
        for row in rows:
            try:
                store.delete(row.arn)
                removed += 1
            except ExecutionNotFoundError:
                # Another process removed it first; it is gone either way.
                pass
            advance()
    return removed


CLEAN = Command(
    name="clean",
    summary="remove stored executions by age and status",
    description="""
        Remove executions from the configured store. The filesystem store
        never removes anything by itself, so this is how its directory is
        kept small. Say what to remove with --older-than, --status or --all;
        RUNNING executions are kept unless --status names RUNNING. Unreadable
        records are reported and left in place.
        """,
    examples=(
        "dex clean --store filesystem --older-than 7d",
        "dex clean --status SUCCEEDED --dry-run",
        "AWS_DEX_STORE_TYPE=filesystem dex clean --all",
    ),
    add_arguments=_add_arguments,
    run=_run,
)
