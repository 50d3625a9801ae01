"""``dex show``: one execution's summary, operation tree and history."""

from __future__ import annotations

import argparse
from pathlib import Path

from dex_schema import ExecutionRecord, SchemaError, decode, encode
from dex_store import (
    CorruptRecordError,
    ExecutionNotFoundError,
    ExecutionQuery,
    ExecutionStore,
    QueryPage,
    StoreError,
)

from ._command import Command
from ._console import Output
from ._errors import EXIT_OK, CliError
from ._render import history_columns, operation_tree, summary_lines, timeline_rows
from ._store import add_store_arguments, choose_store, open_for_reading

__all__ = ("SHOW", "print_execution", "record_location")

_UNREADABLE_NAMED = 5
"""How many unreadable records an error names before saying how many more."""


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "execution",
        metavar="ARN|FILE|NAME",
        help="an execution ARN, a record file, or an execution name in the store",
    )
    parser.add_argument(
        "--history",
        action="store_true",
        help="also show the history events as a timeline",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the stored record as JSON for scripts instead",
    )
    add_store_arguments(parser)


def read_record_file(path: Path) -> ExecutionRecord:
    """Read and decode one record file.

    Raises
    ------
    CliError
        The file cannot be read or is not a valid execution record.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CliError(f"cannot read {str(path)!r}: {error.strerror}") from None
    try:
        return decode(data, source=str(path))
    except SchemaError as error:
        raise CliError(
            f"{str(path)!r} is not a valid execution record: at {error.path}: "
            f"{error.reason}; `dex validate {path}` lists every problem"
        ) from None


def record_location(store: ExecutionStore, arn: str) -> str | None:
    """The file a store keeps ``arn`` in, when the store keeps files."""
    path_for = getattr(store, "path_for", None)
    if path_for is None:
        return None
    return str(path_for(arn))


def _unreadable_hint(store: ExecutionStore, page: QueryPage | None = None) -> str:
    """``; it may be one of ...`` naming the records the store cannot read."""
    try:
        page = page or store.query(ExecutionQuery(limit=1))
    except StoreError:
        return ""
    names = [Path(item.location).name for item in page.unreadable]
    if not names:
        return ""
    shown = ", ".join(names[:_UNREADABLE_NAMED])
    if len(names) > _UNREADABLE_NAMED:
        shown += f" and {len(names) - _UNREADABLE_NAMED} more"
    noun = "record" if len(names) == 1 else "records"
    return (
        f"; it may be in one of the {len(names)} {noun} the store cannot read "
        f"({shown}): `dex validate` says what is wrong with them"
    )


def _load_from_store(args: argparse.Namespace) -> tuple[ExecutionRecord, str | None]:
    reference: str = args.execution
    store = open_for_reading(choose_store(args), "dex show")
    try:
        arn = reference
        if not reference.startswith("arn:"):
            page = store.query(ExecutionQuery(execution_name=reference, limit=2))
            if not page.rows:
                raise CliError(
                    f"{reference!r} is neither a file, nor an ARN, nor the name of a "
                    "stored execution; `dex list` shows what is stored"
                    + _unreadable_hint(store, page)
                )
            if len(page.rows) > 1:
                raise CliError(
                    f"more than one stored execution is named {reference!r}; "
                    "pass its ARN (`dex list --json` shows the ARNs)"
                )
            arn = page.rows[0].arn
        record = store.load(arn)
        return record, record_location(store, arn)
    except ExecutionNotFoundError:
        raise CliError(
            f"no execution stored under {reference!r}; `dex list` shows what is "
            "stored" + _unreadable_hint(store)
        ) from None
    except CorruptRecordError as error:
        raise CliError(
            f"the record of {reference!r} is corrupt: {error.reason}; "
            "`dex validate` lists every problem"
        ) from None
    except StoreError as error:
        raise CliError(str(error)) from None
    finally:
        store.close()


def print_execution(
    output: Output,
    record: ExecutionRecord,
    location: str | None,
    *,
    history: bool = False,
) -> None:
    """Write the summary, the operation tree and (``history``) the timeline."""
    for line in summary_lines(record, location):
        output.line(line)
    output.line()
    output.tree(operation_tree(record))
    if history:
        output.line()
        output.line(f"History ({len(record.events)} events):")
        output.table(history_columns(), timeline_rows(record), wrap=(3, 4))


def _run(args: argparse.Namespace, output: Output) -> int:
    path = Path(args.execution)
    looks_like_file = path.suffix == ".json" or (
        "/" in args.execution and not args.execution.startswith("arn:")
    )
    location: str | None
    if path.is_file():
        record, location = read_record_file(path), str(path)
    elif looks_like_file:
        raise CliError(f"no such file {args.execution!r}")
    else:
        record, location = _load_from_store(args)
    if args.json:
        output.raw(encode(record).decode())
        return EXIT_OK
    print_execution(output, record, location, history=args.history)
    return EXIT_OK


SHOW = Command(
    name="show",
    summary="show one execution: summary, operation tree, history",
    description="""
        Show one stored execution: its summary (status, result or error,
        times), the operation tree with each operation's timing, attempt and
        error, and with --history the history events as a timeline. The
        execution is a record file, an ARN in the configured store, or the
        name of an execution in the store.
        """,
    examples=(
        "dex show .durable_executions/orders/demo-order.json",
        "dex show --store filesystem demo-order --history",
        "dex show arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST"
        "/durable-execution/demo-order/1 --json",
    ),
    add_arguments=_add_arguments,
    run=_run,
)
