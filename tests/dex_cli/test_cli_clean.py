"""``dex clean``: removing stored executions by age and status."""

from __future__ import annotations

import datetime as dt

import pytest
from cli_records import arn_of, make_record
from dex_schema import ExecutionStatus
from dex_store import ExecutionQuery
from dex_store_filesystem import FilesystemExecutionStore

NOW = dt.datetime.now(dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def store_dir(tmp_path):
    """Executions started 10, 9, 3 and 1 days ago; the 9-day one is RUNNING."""
    path = tmp_path / "store"
    store = FilesystemExecutionStore(path)
    store.create(make_record("old-ok", start=NOW - 10 * DAY))
    store.create(
        make_record("old-running", start=NOW - 9 * DAY, status=ExecutionStatus.RUNNING)
    )
    store.create(
        make_record("new-failed", start=NOW - 3 * DAY, status=ExecutionStatus.FAILED)
    )
    store.create(make_record("new-ok", start=NOW - DAY))
    store.close()
    return path


def clean(dex, store_dir, *args, terminal=False):
    return dex(
        "clean",
        "--store",
        "filesystem",
        "--store-path",
        str(store_dir),
        *args,
        terminal=terminal,
    )


def stored_names(store_dir) -> list[str]:
    store = FilesystemExecutionStore(store_dir)
    try:
        rows = store.query(ExecutionQuery(limit=100)).rows
    finally:
        store.close()
    return sorted(row.execution_name for row in rows)


def test_clean_older_than_keeps_running_executions(dex, store_dir) -> None:
    ran = clean(dex, store_dir, "--older-than", "7d")

    assert ran.status == 0
    assert ran.out == f"removed 1 execution from {store_dir}\n"
    assert stored_names(store_dir) == ["new-failed", "new-ok", "old-running"]


def test_clean_by_status(dex, store_dir) -> None:
    ran = clean(dex, store_dir, "--status", "FAILED")

    assert ran.out == f"removed 1 execution from {store_dir}\n"
    assert stored_names(store_dir) == ["new-ok", "old-ok", "old-running"]


def test_running_executions_go_only_when_named(dex, store_dir) -> None:
    ran = clean(dex, store_dir, "--status", "RUNNING", "--older-than", "5d")

    assert ran.out == f"removed 1 execution from {store_dir}\n"
    assert stored_names(store_dir) == ["new-failed", "new-ok", "old-ok"]


def test_clean_all_removes_everything_but_running(dex, store_dir) -> None:
    ran = clean(dex, store_dir, "--all")

    assert ran.out == f"removed 3 executions from {store_dir}\n"
    assert stored_names(store_dir) == ["old-running"]


def test_dry_run_lists_and_removes_nothing(dex, store_dir) -> None:
    ran = clean(dex, store_dir, "--older-than", "2d", "--dry-run")

    assert ran.status == 0
    lines = ran.out.splitlines()
    assert lines[0].split() == ["name", "function", "status", "start"]
    assert [line.split()[0] for line in lines[1:-1]] == ["new-failed", "old-ok"]
    assert lines[-1] == "would remove 2 executions (dry run: nothing removed)"
    assert stored_names(store_dir) == ["new-failed", "new-ok", "old-ok", "old-running"]


def test_clean_without_a_criterion_is_refused(dex, store_dir) -> None:
    ran = clean(dex, store_dir)

    assert ran.status == 2
    assert ran.err == (
        "dex clean: error: say what to remove: --older-than AGE, --status S, or "
        "--all (add --dry-run to see what would go)\n"
    )
    assert len(stored_names(store_dir)) == 4


def test_a_bad_age_is_a_one_line_error(dex, store_dir) -> None:
    ran = clean(dex, store_dir, "--older-than", "a week")

    assert ran.status == 2
    assert ran.err == (
        "dex clean: error: --older-than expects an age like 30s, 15m, 12h, 7d or "
        "2w; got 'a week'\n"
    )


def test_a_corrupt_record_is_reported_and_left_in_place(dex, store_dir) -> None:
    store = FilesystemExecutionStore(store_dir)
    corrupt = store.path_for(arn_of("old-ok"))
    store.close()
    corrupt.write_text("{")

    ran = clean(dex, store_dir, "--all")

    assert ran.status == 0
    assert ran.out == f"removed 2 executions from {store_dir}\n"
    assert ran.err.startswith(f"unreadable record {corrupt} left in place: ")
    assert corrupt.exists()


def test_cleaning_many_executions_shows_progress_on_a_terminal(dex, tmp_path) -> None:
    path = tmp_path / "many"
    store = FilesystemExecutionStore(path)
    for index in range(60):
        store.create(make_record(f"bulk-{index:02d}", start=NOW - 30 * DAY))
    store.close()

    ran = clean(dex, path, "--older-than", "7d", terminal=True)

    assert ran.status == 0
    assert "removing" in ran.err
    assert "60/60" in ran.err
    assert stored_names(path) == []
