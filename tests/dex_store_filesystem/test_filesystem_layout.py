"""Where the filesystem store writes, and what it refuses to read or write."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from dex_schema import ExecutionStatus, encode
from dex_store import (
    ExecutionQuery,
    StoreConfig,
    StoreConfigError,
    StoreNotFoundError,
    open_store,
)
from dex_store.testing import sample_record
from dex_store_filesystem import FilesystemExecutionStore, file_name_for, is_store


def test_nothing_is_created_before_the_first_write(tmp_path: Path) -> None:
    root = tmp_path / "a" / "b" / "store"
    store = FilesystemExecutionStore(root)

    with pytest.raises(StoreNotFoundError):
        store.query()
    assert not (tmp_path / "a").exists()

    store.create(sample_record("first"))

    assert sorted(p.name for p in root.iterdir()) == [
        ".dex-store",
        file_name_for(sample_record("first").arn),
    ]
    assert sorted(p.name for p in (root / ".dex-store").iterdir()) == [
        "index.jsonl",
        "lock",
        "store.json",
    ]


def test_the_file_is_the_formatted_record(tmp_path: Path) -> None:
    store = FilesystemExecutionStore(tmp_path / "store")

    stored = store.create(sample_record("first", operations=2))

    path = store.path_for(stored.arn)
    assert path.read_bytes() == encode(stored)
    assert path.read_text().startswith('{\n  "SchemaVersion": 1,\n  "Revision": 1,\n')
    assert store.record_paths() == [path]


def test_a_relative_path_is_resolved_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = FilesystemExecutionStore("runs")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")

    stored = store.create(sample_record("first"))

    assert store.path == tmp_path / "runs"
    assert (tmp_path / "runs" / file_name_for(stored.arn)).is_file()
    assert not (tmp_path / "elsewhere" / "runs").exists()


def test_is_store_tells_a_store_from_any_folder(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "notes.json").write_text("{}")
    store = FilesystemExecutionStore(tmp_path / "store")

    assert not is_store(tmp_path / "missing")
    assert not is_store(tmp_path / "folder")
    assert not is_store(tmp_path / "store")
    store.create(sample_record("x"))
    store.delete(sample_record("x").arn)
    assert is_store(tmp_path / "store")
    assert store.query().rows == ()


def test_reading_a_missing_directory_says_so(tmp_path: Path) -> None:
    root = tmp_path / "missing"
    store = FilesystemExecutionStore(root)
    message = (
        f"no dex store at {root}: the directory does not exist (a filesystem "
        "store creates it on its first write)"
    )

    for read in (
        store.query,
        store.record_paths,
        lambda: store.load("arn"),
        lambda: store.delete("arn"),
        lambda: store.update(sample_record("x")),
    ):
        with pytest.raises(StoreNotFoundError) as caught:
            read()
        assert str(caught.value) == message
    assert not root.exists()


def test_reading_a_folder_that_is_no_store_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    store = FilesystemExecutionStore(tmp_path)

    with pytest.raises(StoreNotFoundError) as caught:
        store.load(sample_record("x").arn)

    assert str(caught.value) == (
        f"{tmp_path} is not a dex store: it has neither a .dex-store/store.json "
        "nor execution record files; use a directory a dex filesystem store wrote"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_writing_into_a_folder_that_is_no_store_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    store = FilesystemExecutionStore(tmp_path)

    with pytest.raises(StoreNotFoundError) as caught:
        store.create(sample_record("x"))

    assert str(caught.value) == (
        f"{tmp_path} is not a dex store and not empty (it holds notes.txt); "
        "refusing to write executions into it: use a new or empty directory"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_an_existing_empty_directory_becomes_a_store(tmp_path: Path) -> None:
    store = FilesystemExecutionStore(tmp_path)

    store.create(sample_record("x"))

    assert is_store(tmp_path)


def test_open_store_finds_the_filesystem_store(tmp_path: Path) -> None:
    config = StoreConfig(store_type="filesystem", path=tmp_path / "store")

    store = open_store(config)

    assert isinstance(store, FilesystemExecutionStore)
    assert store.path == tmp_path / "store"
    with pytest.raises(StoreConfigError) as caught:
        open_store(config, cache=True)
    assert str(caught.value) == "the filesystem store takes no options, got cache"


def test_a_second_store_object_reads_what_the_first_wrote(tmp_path: Path) -> None:
    writer = FilesystemExecutionStore(tmp_path / "store")
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    for index in range(3):
        writer.create(
            sample_record(f"r{index}", start=start + dt.timedelta(seconds=index))
        )
    reader = FilesystemExecutionStore(tmp_path / "store")

    rows = reader.query(ExecutionQuery(statuses=(ExecutionStatus.SUCCEEDED,))).rows

    assert [row.execution_name for row in rows] == ["r2", "r1", "r0"]
    assert [row.revision for row in rows] == [1, 1, 1]


def test_a_file_where_the_store_should_be_is_named(tmp_path: Path) -> None:
    (tmp_path / "runs").write_text("not a directory")
    store = FilesystemExecutionStore(tmp_path / "runs")

    with pytest.raises(StoreNotFoundError) as caught:
        store.query()

    assert str(caught.value) == (
        f"cannot use {tmp_path / 'runs'} as a dex store: it is a file, not a directory"
    )


def test_a_store_removed_under_a_store_object_is_noticed(tmp_path: Path) -> None:
    store = FilesystemExecutionStore(tmp_path / "store")
    store.create(sample_record("before"))
    shutil.rmtree(tmp_path / "store")

    for read in (
        store.query,
        lambda: store.load(sample_record("before").arn),
        lambda: store.update(sample_record("before")),
    ):
        with pytest.raises(StoreNotFoundError):
            read()
    stored = store.create(sample_record("after"))

    assert [row.arn for row in store.query().rows] == [stored.arn]
