"""The index: queries read it, not the record files; it heals when stale."""

import datetime as dt
import os
import shutil
from pathlib import Path

import msgspec
import pytest
from dex_schema import ExecutionStatus, encode
from dex_store import ExecutionQuery, Unreadable
from dex_store.testing import sample_record
from dex_store_filesystem import FilesystemExecutionStore
from dex_store_filesystem import _store as store_module
from dex_store_filesystem._index import Index

START = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def populate(store: FilesystemExecutionStore, count: int) -> None:
    statuses = (ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED)
    for index in range(count):
        store.create(
            sample_record(
                f"run-{index}",
                status=statuses[index % 2],
                start=START + dt.timedelta(seconds=index),
            )
        )


def names(store: FilesystemExecutionStore, **filters: object) -> list[str]:
    query = ExecutionQuery(**filters)  # type: ignore[arg-type]
    return [row.execution_name for row in store.query(query).rows]


@pytest.fixture
def count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    decoded: list[str] = []
    real = store_module.decode

    def counting(data: bytes | str, *, source: str | None = None) -> object:
        decoded.append(str(source))
        return real(data, source=source)

    monkeypatch.setattr(store_module, "decode", counting)
    return decoded


def test_queries_read_no_record_file(tmp_path: Path, count_decodes: list[str]) -> None:
    store = FilesystemExecutionStore(tmp_path / "store")
    populate(store, 20)

    warm = names(store, statuses=(ExecutionStatus.FAILED,), limit=3)
    cold = names(
        FilesystemExecutionStore(tmp_path / "store"),
        statuses=(ExecutionStatus.FAILED,),
        limit=3,
    )

    assert warm == cold == ["run-19", "run-17", "run-15"]
    assert count_decodes == []


def test_a_missing_index_is_rebuilt_from_the_files(
    tmp_path: Path, count_decodes: list[str]
) -> None:
    store = FilesystemExecutionStore(tmp_path / "store")
    populate(store, 4)
    journal = tmp_path / "store" / ".dex-store" / "index.jsonl"
    journal.unlink()

    fresh = FilesystemExecutionStore(tmp_path / "store")

    assert names(fresh) == ["run-3", "run-2", "run-1", "run-0"]
    assert len(count_decodes) == 4
    assert journal.is_file()
    assert names(FilesystemExecutionStore(tmp_path / "store")) == names(fresh)
    assert len(count_decodes) == 4


def test_a_damaged_index_is_rebuilt(tmp_path: Path) -> None:
    store = FilesystemExecutionStore(tmp_path / "store")
    populate(store, 3)
    journal = tmp_path / "store" / ".dex-store" / "index.jsonl"
    with journal.open("ab") as handle:
        handle.write(b'["put", "half a line\n')

    assert names(FilesystemExecutionStore(tmp_path / "store")) == [
        "run-2",
        "run-1",
        "run-0",
    ]


def test_files_removed_or_copied_in_by_hand_are_noticed(tmp_path: Path) -> None:
    store = FilesystemExecutionStore(tmp_path / "store")
    populate(store, 3)
    other = FilesystemExecutionStore(tmp_path / "other")
    copied = other.create(
        sample_record("copied", start=START - dt.timedelta(minutes=1))
    )
    assert names(store) == ["run-2", "run-1", "run-0"]

    store.path_for(sample_record("run-1").arn).unlink()
    shutil.copy(other.path_for(copied.arn), store.path_for(copied.arn))

    assert names(store) == ["run-2", "run-0", "copied"]
    assert store.load(copied.arn) == copied


def test_a_file_replaced_by_hand_is_reindexed(tmp_path: Path) -> None:
    store = FilesystemExecutionStore(tmp_path / "store")
    populate(store, 2)
    changed = msgspec.structs.replace(
        sample_record("run-0", status=ExecutionStatus.STOPPED, start=START),
        revision=7,
    )
    temporary = tmp_path / "new.json"
    temporary.write_bytes(encode(changed))

    os.replace(temporary, store.path_for(changed.arn))

    rows = store.query(ExecutionQuery(statuses=(ExecutionStatus.STOPPED,))).rows
    assert [(row.execution_name, row.revision) for row in rows] == [("run-0", 7)]
    assert names(store, statuses=(ExecutionStatus.SUCCEEDED,)) == []


def test_a_file_damaged_by_replacement_is_reported(tmp_path: Path) -> None:
    store = FilesystemExecutionStore(tmp_path / "store")
    populate(store, 2)
    path = store.path_for(sample_record("run-1").arn)
    temporary = tmp_path / "new.json"
    temporary.write_bytes(b"[]")

    os.replace(temporary, path)

    page = store.query()
    assert [row.execution_name for row in page.rows] == ["run-0"]
    assert page.unreadable == (
        Unreadable(location=str(path), reason="$: expected object, got array"),
    )


def test_stale_temporary_files_are_removed(tmp_path: Path) -> None:
    store = FilesystemExecutionStore(tmp_path / "store")
    populate(store, 1)
    leftover = tmp_path / "store" / ".tmp-0123456789abcdef.json"
    leftover.write_bytes(b'{"half": ')
    half_index = tmp_path / "store" / ".dex-store" / ".index.jsonl.4242"
    half_index.write_bytes(b'["put", ')

    store.create(sample_record("next"))

    assert not leftover.exists()
    assert not half_index.exists()
    assert names(store) == ["run-0", "next"]


def test_the_journal_is_rewritten_when_it_grows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Index, "slack", 10)
    store = FilesystemExecutionStore(tmp_path / "store")
    record = store.create(sample_record("busy"))
    journal = tmp_path / "store" / ".dex-store" / "index.jsonl"
    sizes = []
    for _ in range(40):
        record = store.update(record)
        sizes.append(len(journal.read_bytes().splitlines()))

    # Each write adds three lines (intent, put, mark); past 2 x 1 + 10 lines
    # the journal is rewritten to one line per record file and the mark.
    assert sizes[:6] == [7, 10, 2, 5, 8, 11]
    assert sizes[6:10] == [2, 5, 8, 11]
    assert max(sizes) == 11
    assert store.query().rows[0].revision == 41
    assert FilesystemExecutionStore(tmp_path / "store").query().rows[0].revision == (41)


def test_rebuild_index_reads_every_file(
    tmp_path: Path, count_decodes: list[str]
) -> None:
    store = FilesystemExecutionStore(tmp_path / "store")
    populate(store, 3)

    store.rebuild_index()

    assert len(count_decodes) == 3
    assert names(store) == ["run-2", "run-1", "run-0"]
