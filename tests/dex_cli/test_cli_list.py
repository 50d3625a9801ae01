"""``dex list``: stored executions as a table, newest first."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cli_records import T0, arn_of, make_record, order_operations
from dex_schema import ExecutionStatus
from dex_store_filesystem import FilesystemExecutionStore


@pytest.fixture
def store_dir(tmp_path):
    """A filesystem store holding four executions, one per hour from T0."""
    path = tmp_path / "store"
    store = FilesystemExecutionStore(path)
    hour = dt.timedelta(hours=1)
    store.create(make_record("o-1", start=T0, operations=order_operations(T0)))
    store.create(
        make_record("o-2", start=T0 + hour, status=ExecutionStatus.FAILED, seconds=90)
    )
    store.create(
        make_record("o-3", start=T0 + 2 * hour, status=ExecutionStatus.RUNNING)
    )
    store.create(make_record("i-1", start=T0 + 3 * hour, function="invoices"))
    store.close()
    return path


def list_(dex, store_dir, *args, terminal=False):
    return dex(
        "list",
        "--store",
        "filesystem",
        "--store-path",
        str(store_dir),
        *args,
        terminal=terminal,
    )


def test_list_shows_a_table_newest_first(dex, store_dir) -> None:
    ran = list_(dex, store_dir)

    assert ran.status == 0
    assert ran.err == ""
    assert ran.out.splitlines() == [
        "name  function  status     start                 duration  operations",
        "i-1   invoices  SUCCEEDED  2026-11-20 12:00:00Z  2.500s    1",
        "o-3   orders    RUNNING    2026-11-20 11:00:00Z  -         1",
        "o-2   orders    FAILED     2026-11-20 10:00:00Z  1m30s     1",
        "o-1   orders    SUCCEEDED  2026-11-20 09:00:00Z  2.500s    5",
    ]


def test_list_filters_by_status_function_and_start(dex, store_dir) -> None:
    by_status = list_(dex, store_dir, "--status", "failed,running")
    by_function = list_(dex, store_dir, "--function", "invoices")
    since = list_(dex, store_dir, "--since", "2026-11-20T10:30:00Z")

    assert [line.split()[0] for line in by_status.out.splitlines()[1:]] == [
        "o-3",
        "o-2",
    ]
    assert [line.split()[0] for line in by_function.out.splitlines()[1:]] == ["i-1"]
    assert [line.split()[0] for line in since.out.splitlines()[1:]] == ["i-1", "o-3"]


def test_list_limit_says_when_more_match(dex, store_dir) -> None:
    ran = list_(dex, store_dir, "--limit", "2")

    assert ran.out.splitlines()[1:] == [
        "i-1   invoices  SUCCEEDED  2026-11-20 12:00:00Z  2.500s    1",
        "o-3   orders    RUNNING    2026-11-20 11:00:00Z  -         1",
        "(more than 2 match; raise --limit to see more)",
    ]


def test_list_with_nothing_matching(dex, store_dir) -> None:
    ran = list_(dex, store_dir, "--function", "payroll")

    assert ran.status == 0
    assert ran.out == "no stored executions match\n"


def test_list_json_is_for_scripts(dex, store_dir) -> None:
    ran = list_(dex, store_dir, "--limit", "1", "--json")

    document = json.loads(ran.out)
    assert document["More"] is True
    assert document["Unreadable"] == []
    assert document["Executions"] == [
        {
            "ExecutionName": "i-1",
            "DurableExecutionArn": arn_of("i-1", "invoices"),
            "FunctionName": "invoices",
            "FunctionArn": (
                "arn:aws:lambda:us-east-1:123456789012:function:invoices:$LATEST"
            ),
            "Status": "SUCCEEDED",
            "StartTimestamp": "2026-11-20T12:00:00Z",
            "EndTimestamp": "2026-11-20T12:00:02.500000Z",
            "OperationCount": 1,
        }
    ]


def test_a_corrupt_record_is_listed_and_reported_not_fatal(dex, store_dir) -> None:
    store = FilesystemExecutionStore(store_dir)
    record = make_record("o-9", start=T0 + dt.timedelta(hours=9))
    store.create(record)
    corrupt = store.path_for(record.arn)
    store.close()
    corrupt.write_text('{"SchemaVersion": 1, "Execution": {"Status": 7')

    ran = list_(dex, store_dir)

    assert ran.status == 0
    rows = ran.out.splitlines()
    assert [row.split()[0] for row in rows[1:5]] == ["i-1", "o-3", "o-2", "o-1"]
    assert rows[5].split() == [corrupt.name, "-", "UNREADABLE", "-", "-", "-"]
    assert ran.err.startswith(f"unreadable record {corrupt}: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--limit", "0"), "--limit must be at least 1; got 0"),
        (
            ("--status", "DONE"),
            "--status 'DONE' is not an execution status; use one of RUNNING, "
            "SUCCEEDED, FAILED, TIMED_OUT, STOPPED, DELETING, PAUSING, PAUSED",
        ),
        (
            ("--since", "last tuesday"),
            "--since expects an ISO 8601 date (2026-12-01, 2026-12-01T10:30Z) or "
            "an age (7d); got 'last tuesday'",
        ),
    ],
)
def test_bad_filters_are_one_line_errors(dex, store_dir, args, message) -> None:
    ran = list_(dex, store_dir, *args)

    assert ran.status == 2
    assert ran.out == ""
    assert ran.err == f"dex list: error: {message}\n"


def test_list_on_a_terminal_draws_a_table(dex, store_dir) -> None:
    ran = list_(dex, store_dir, terminal=True)

    assert ran.status == 0
    assert ran.out.splitlines()[1].startswith("───")  # the rule under the head
    assert "name" in ran.out
    assert "o-1" in ran.out
