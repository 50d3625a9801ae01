"""Stores a first try left odd: no marker, a damaged marker, unreadable records."""

from __future__ import annotations

import re
import shutil

import pytest
from cli_records import T0, arn_of, make_record
from dex_store_filesystem import FilesystemExecutionStore, file_name_for, is_store


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    """A filesystem store (configured through the environment) with o-1 and o-2."""
    path = tmp_path / "store"
    store = FilesystemExecutionStore(path)
    store.create(make_record("o-1"))
    store.create(make_record("o-2"))
    store.close()
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "filesystem")
    monkeypatch.setenv("AWS_DEX_STORE_PATH", str(path))
    return path


def test_records_whose_marker_was_deleted_are_listed_and_shown(dex, store_dir) -> None:
    shutil.rmtree(store_dir / ".dex-store")

    listed = dex("list")
    shown = dex("show", "o-2")

    assert listed.status == 0, listed.err
    assert sorted(line.split()[0] for line in listed.out.splitlines()[1:]) == [
        "o-1",
        "o-2",
    ]
    assert shown.status == 0, shown.err
    assert shown.out.splitlines()[0] == "Execution:   o-2"
    assert not (store_dir / ".dex-store").exists()  # reading wrote nothing


def test_cleaning_records_without_marker_rebuilds_it(dex, store_dir) -> None:
    shutil.rmtree(store_dir / ".dex-store")

    ran = dex("clean", "--all")

    assert ran.status == 0, ran.err
    assert ran.out == f"removed 2 executions from {store_dir}\n"
    assert is_store(store_dir)
    assert (store_dir / ".dex-store" / "index.jsonl").is_file()


def test_a_damaged_marker_is_reported_clearly(dex, store_dir) -> None:
    marker = store_dir / ".dex-store" / "store.json"
    marker.write_text("<html>oops</html>")

    ran = dex("list")

    assert ran.status == 2
    assert ran.err == (
        f"dex list: error: {store_dir} is not a usable dex store: its marker "
        f"{marker} is not a dex store marker (it holds b'<html>oops</html>'); if "
        "this directory is a dex store, delete the marker and dex writes it "
        "again on the next write (store path from $AWS_DEX_STORE_PATH)\n"
    )


def test_the_default_path_is_named_as_the_default(dex, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "filesystem")
    (tmp_path / ".durable_executions").mkdir()
    (tmp_path / ".durable_executions" / "notes.txt").write_text("mine")

    ran = dex("list")

    assert ran.status == 2
    assert ran.err.endswith(
        "(the default store path; choose another with --store-path or "
        "$AWS_DEX_STORE_PATH)\n"
    )


def test_show_of_a_name_says_it_may_be_an_unreadable_record(dex, store_dir) -> None:
    path = store_dir / file_name_for(arn_of("o-2"))
    path.write_text("{ cut short")

    by_name = dex("show", "o-2")
    by_arn = dex("show", arn_of("o-3"))

    hint = (
        f"; it may be in one of the 1 record the store cannot read ({path.name}): "
        "`dex validate` says what is wrong with them\n"
    )
    assert by_name.status == 2
    assert by_name.err == (
        "dex show: error: 'o-2' is neither a file, nor an ARN, nor the name of a "
        "stored execution; `dex list` shows what is stored" + hint
    )
    assert by_arn.status == 2
    assert by_arn.err == (
        f"dex show: error: no execution stored under {arn_of('o-3')!r}; "
        "`dex list` shows what is stored" + hint
    )


def test_an_empty_status_is_an_error_listing_the_statuses(dex, store_dir) -> None:
    ran = dex("list", "--status", "")

    assert ran.status == 2
    assert ran.err == (
        "dex list: error: --status '' names no status; use one of RUNNING, "
        "SUCCEEDED, FAILED, TIMED_OUT, STOPPED, DELETING, PAUSING, PAUSED\n"
    )


@pytest.mark.parametrize(
    "args", [("--older-than", "-1d"), ("--older-than=-1d",)], ids=["space", "equals"]
)
def test_a_negative_age_is_a_clear_error(dex, store_dir, args) -> None:
    ran = dex("clean", *args)

    assert ran.status == 2
    assert ran.err == (
        "dex clean: error: --older-than takes an age counted back from now, which "
        "cannot be negative; got '-1d' (use 0s for everything up to now)\n"
    )


def test_on_80_columns_the_list_keeps_every_column(dex, store_dir, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    store = FilesystemExecutionStore(store_dir)
    long = make_record(
        "order-2026-12-03-customer-123456-priority",
        start=T0,
        function="invoices-processing-pipeline",
    )
    store.create(long)
    store.close()
    shutil.copy(
        store.path_for(long.arn), store_dir / "renamed-by-hand-copy-of-order.json"
    )

    ran = dex("list", terminal=True)

    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", ran.out)
    lines = plain.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0].split() == [
        "name",
        "function",
        "status",
        "start",
        "duration",
        "operations",
    ]
    unreadable = next(line for line in lines if "UNREADABLE" in line)
    assert unreadable.split()[0].startswith("renamed-by")  # the file's name
    assert str(store_dir) not in plain  # not its whole path
    assert "2026-11-20 09:00:00Z" in plain
    assert "…" not in plain
