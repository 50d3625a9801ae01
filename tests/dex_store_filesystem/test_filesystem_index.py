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
from dex_store_filesystem._index import Index, Intent, encode_lines

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

    # Each write appends three lines (intent, put, mark); once more than
    # 1 // 8 + 10 lines were appended since the last rewrite, the journal is
    # rewritten to a head, one line per record file, and the mark.
    assert sizes[:6] == [8, 11, 3, 6, 9, 12]
    assert sizes[6:10] == [3, 6, 9, 12]
    assert max(sizes) == 12
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


def test_a_new_store_object_reads_only_the_groups_a_filter_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count_decodes: list[str]
) -> None:
    writer = FilesystemExecutionStore(tmp_path / "store")
    records = {}
    for index in range(12):
        records[index] = writer.create(
            sample_record(
                f"run-{index}",
                function_name=("orders", "billing")[index % 2],
                status=(ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED)[
                    index % 3 % 2
                ],
                start=START + dt.timedelta(seconds=index),
            )
        )
    writer.rebuild_index()
    count_decodes.clear()
    # Appended after the rewrite: a status change, a deletion, a new one.
    writer.update(
        msgspec.structs.replace(
            records[0],
            execution=msgspec.structs.replace(
                records[0].execution, status=ExecutionStatus.FAILED
            ),
        )
    )
    writer.delete(records[1].arn)
    writer.create(
        sample_record(
            "late",
            function_name="billing",
            status=ExecutionStatus.FAILED,
            start=START - dt.timedelta(seconds=1),
        )
    )

    def whole_index_read(self: Index) -> bool:
        raise AssertionError("a filtered query from a new object read it all")

    monkeypatch.setattr(Index, "catch_up", whole_index_read)
    failed = names(
        FilesystemExecutionStore(tmp_path / "store"),
        statuses=(ExecutionStatus.FAILED,),
    )
    billing = names(
        FilesystemExecutionStore(tmp_path / "store"), function_name="billing"
    )

    assert failed == ["run-10", "run-7", "run-4", "run-0", "late"]
    assert billing == ["run-11", "run-9", "run-7", "run-5", "run-3", "late"]
    assert count_decodes == []


def test_a_new_store_object_reads_everything_when_a_write_was_cut_short(
    tmp_path: Path,
) -> None:
    writer = FilesystemExecutionStore(tmp_path / "store")
    populate(writer, 4)
    writer.rebuild_index()
    stored = writer.load(sample_record("run-2").arn)
    journal = tmp_path / "store" / ".dex-store" / "index.jsonl"
    changed = msgspec.structs.replace(
        stored,
        revision=2,
        execution=msgspec.structs.replace(
            stored.execution, status=ExecutionStatus.STOPPED
        ),
    )
    # A writer that died after replacing the file, before indexing it.
    with journal.open("ab") as handle:
        handle.write(encode_lines([Intent(writer.path_for(stored.arn).name)]))
    writer.path_for(stored.arn).write_bytes(encode(changed))

    stopped = FilesystemExecutionStore(tmp_path / "store").query(
        ExecutionQuery(statuses=(ExecutionStatus.STOPPED,))
    )

    assert [(row.execution_name, row.revision) for row in stopped.rows] == [
        ("run-2", 2)
    ]


def test_a_new_store_object_survives_a_damaged_index_group(tmp_path: Path) -> None:
    writer = FilesystemExecutionStore(tmp_path / "store")
    populate(writer, 4)
    writer.rebuild_index()
    journal = tmp_path / "store" / ".dex-store" / "index.jsonl"
    head, rest = journal.read_bytes().split(b"\n", 1)
    journal.write_bytes(head + b"\n" + b"#" * 40 + rest[40:])

    rows = FilesystemExecutionStore(tmp_path / "store").query(
        ExecutionQuery(statuses=(ExecutionStatus.FAILED,))
    )

    assert [row.execution_name for row in rows.rows] == ["run-3", "run-1"]
