"""``dex list --limit 20`` over 10,000 stored executions opens few files."""

from __future__ import annotations

import builtins
import datetime as dt
import io
import os
from pathlib import Path

import pytest
from cli_records import make_record
from dex_schema import ExecutionStatus, encode
from dex_store import ExecutionQuery
from dex_store_filesystem import FilesystemExecutionStore, file_name_for

EXECUTIONS = 10_000
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def big_store(tmp_path_factory) -> Path:
    """A filesystem store with 10,000 executions and its index built.

    The first record goes through the store (which makes the store); the
    rest are written as files, the way another tool or an old dex would
    leave them, and the index is built by one query before the tests.
    """
    path = tmp_path_factory.mktemp("big") / "store"
    store = FilesystemExecutionStore(path)
    store.create(make_record("order-00000", start=T0))
    for index in range(1, EXECUTIONS):
        record = make_record(
            f"order-{index:05d}",
            start=T0 + dt.timedelta(minutes=index),
            status=(
                ExecutionStatus.FAILED
                if index % 100 == 0
                else ExecutionStatus.SUCCEEDED
            ),
        )
        (path / file_name_for(record.arn)).write_bytes(encode(record))
    assert len(store.query(ExecutionQuery(limit=1)).rows) == 1
    store.close()
    return path


class FileCounter:
    """Counts the record files opened (any way) and stat-ed under a directory."""

    def __init__(self, root: Path) -> None:
        self.root = str(root.resolve())
        self.opened: list[str] = []
        self.stated: list[str] = []

    def is_record(self, path: object) -> bool:
        if isinstance(path, int):
            return False
        text = os.fspath(path)
        text = text if isinstance(text, str) else text.decode()
        full = os.path.abspath(text)
        return (
            full.startswith(self.root + os.sep)
            and full.endswith(".json")
            and os.sep + "." not in full[len(self.root) :]
        )

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_open, real_os_open, real_stat = builtins.open, os.open, os.stat

        def counting_open(file, *args, **kwargs):
            if self.is_record(file):
                self.opened.append(os.fspath(file))
            return real_open(file, *args, **kwargs)

        def counting_os_open(path, *args, **kwargs):
            if self.is_record(path):
                self.opened.append(os.fspath(path))
            return real_os_open(path, *args, **kwargs)

        def counting_stat(path, *args, **kwargs):
            if self.is_record(path):
                self.stated.append(os.fspath(path))
            return real_stat(path, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", counting_open)
        monkeypatch.setattr(io, "open", counting_open)
        monkeypatch.setattr(os, "open", counting_os_open)
        monkeypatch.setattr(os, "stat", counting_stat)


@pytest.mark.parametrize(
    ("filters", "first"),
    [((), "order-09999"), (("--status", "FAILED"), "order-09900")],
    ids=["all", "failed"],
)
def test_list_limit_20_opens_at_most_20_record_files(
    dex, big_store, monkeypatch, filters, first
) -> None:
    counter = FileCounter(big_store)
    counter.install(monkeypatch)

    ran = dex(
        "list",
        "--store",
        "filesystem",
        "--store-path",
        str(big_store),
        "--limit",
        "20",
        *filters,
    )
    monkeypatch.undo()

    assert ran.status == 0, ran.err
    rows = ran.out.splitlines()
    assert len(rows) == 1 + 20 + 1
    assert rows[1].split()[0] == first
    assert rows[-1] == "(more than 20 match; raise --limit to see more)"
    assert len(counter.opened) <= 20, counter.opened[:5]
    assert len(counter.stated) <= 20 * 2, counter.stated[:5]


def test_the_counter_sees_files_opened_through_pathlib(big_store, monkeypatch) -> None:
    counter = FileCounter(big_store)
    counter.install(monkeypatch)
    some = next(p for p in big_store.iterdir() if p.suffix == ".json")

    some.read_bytes()
    os.stat(some)
    monkeypatch.undo()

    assert counter.opened == [str(some)]
    assert counter.stated == [str(some)]
