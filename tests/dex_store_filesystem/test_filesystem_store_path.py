"""Store paths that cannot hold a store, damaged markers, and stores without one."""

import os
import shutil
import sys
from pathlib import Path

import pytest
from dex_schema import ExecutionStatus
from dex_store import ExecutionQuery, StoreNotFoundError
from dex_store.testing import sample_record
from dex_store_filesystem import (
    FilesystemExecutionStore,
    StorePathError,
    check_store_path,
    file_name_for,
    is_store,
)

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="uses /proc and /dev/null"
)


def test_a_file_as_the_store_path_is_a_typed_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "myflow.py").write_text("print('hi')\n")
    store = FilesystemExecutionStore(tmp_path / "myflow.py")

    with pytest.raises(StorePathError) as caught:
        store.create(sample_record("x"))

    assert str(caught.value) == (
        f"cannot use {tmp_path / 'myflow.py'} as a dex store: it is a file, "
        "not a directory"
    )
    assert isinstance(caught.value, StoreNotFoundError)
    assert (tmp_path / "myflow.py").read_text() == "print('hi')\n"


def test_a_path_under_a_file_is_a_typed_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("mine")
    store = FilesystemExecutionStore(tmp_path / "notes" / "runs")

    with pytest.raises(StorePathError) as caught:
        store.create(sample_record("x"))

    assert str(caught.value) == (
        f"cannot use {tmp_path / 'notes' / 'runs'} as a dex store: "
        f"{tmp_path / 'notes'} is a file, not a directory"
    )


@linux_only
def test_dev_null_and_proc_are_typed_errors() -> None:
    with pytest.raises(StorePathError) as under_null:
        FilesystemExecutionStore("/dev/null/x").create(sample_record("x"))
    with pytest.raises(StorePathError) as in_proc:
        FilesystemExecutionStore("/proc/nope").create(sample_record("x"))

    assert str(under_null.value) == (
        "cannot use /dev/null/x as a dex store: /dev/null is a file, not a directory"
    )
    assert str(in_proc.value) == (
        "cannot use /proc/nope as a dex store: /proc does not let a directory be "
        "made in it (No such file or directory)"
    )


@linux_only
def test_check_store_path_refuses_bad_paths_and_creates_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "empty").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())

    check_store_path(tmp_path / "new" / "store")
    check_store_path(tmp_path / "empty")

    assert sorted(p.name for p in tmp_path.iterdir()) == before
    with pytest.raises(StorePathError) as caught:
        check_store_path(tmp_path / "file")
    assert str(caught.value) == (
        f"cannot use {tmp_path / 'file'} as a dex store: it is a file, not a directory"
    )
    with pytest.raises(StorePathError) as caught:
        check_store_path("/proc/nope")
    assert str(caught.value) == (
        "cannot use /proc/nope as a dex store: /proc does not let a directory be "
        "made in it (No such file or directory)"
    )


def test_check_store_path_accepts_a_store_and_refuses_a_foreign_folder(
    tmp_path: Path,
) -> None:
    FilesystemExecutionStore(tmp_path / "store").create(sample_record("x"))
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")

    check_store_path(tmp_path / "store")
    with pytest.raises(StoreNotFoundError) as caught:
        check_store_path(tmp_path / "photos")

    assert str(caught.value) == (
        f"{tmp_path / 'photos'} is not a dex store and not empty (it holds "
        "cat.jpg); refusing to write executions into it: use a new or empty "
        "directory"
    )


def test_a_garbage_marker_is_reported_clearly(tmp_path: Path) -> None:
    store = FilesystemExecutionStore(tmp_path)
    store.create(sample_record("x"))
    store.close()
    marker = tmp_path / ".dex-store" / "store.json"
    marker.write_bytes(b"garbage!")
    again = FilesystemExecutionStore(tmp_path)

    with pytest.raises(StoreNotFoundError) as caught:
        again.query()

    assert str(caught.value) == (
        f"{tmp_path} is not a usable dex store: its marker {marker} is not a dex "
        "store marker (it holds b'garbage!'); if this directory is a dex store, "
        "delete the marker and dex writes it again on the next write"
    )
    assert not is_store(tmp_path)


def _orphaned_store(root: Path) -> list[str]:
    """A store of three records whose .dex-store was deleted; their ARNs."""
    store = FilesystemExecutionStore(root)
    arns = [store.create(sample_record(f"r{index}")).arn for index in range(3)]
    store.close()
    shutil.rmtree(root / ".dex-store")
    return arns


def test_records_without_their_marker_are_still_a_store_read_without_writing(
    tmp_path: Path,
) -> None:
    arns = _orphaned_store(tmp_path)
    before = sorted(os.listdir(tmp_path))
    store = FilesystemExecutionStore(tmp_path)

    rows = store.query(ExecutionQuery(statuses=(ExecutionStatus.SUCCEEDED,))).rows

    assert is_store(tmp_path)
    assert sorted(row.arn for row in rows) == sorted(arns)
    assert store.load(arns[0]).arn == arns[0]
    assert [path.name for path in store.record_paths()] == sorted(
        file_name_for(arn) for arn in arns
    )
    assert sorted(os.listdir(tmp_path)) == before  # nothing created by reading


def test_the_first_write_rebuilds_the_marker_and_index(tmp_path: Path) -> None:
    arns = _orphaned_store(tmp_path)
    store = FilesystemExecutionStore(tmp_path)

    new = store.create(sample_record("new")).arn

    assert is_store(tmp_path)
    assert sorted(p.name for p in (tmp_path / ".dex-store").iterdir()) == [
        "index.jsonl",
        "lock",
        "store.json",
    ]
    reader = FilesystemExecutionStore(tmp_path)
    assert sorted(row.arn for row in reader.query().rows) == sorted([*arns, new])


def test_an_update_or_rebuild_of_records_without_marker_works(tmp_path: Path) -> None:
    arns = _orphaned_store(tmp_path)
    store = FilesystemExecutionStore(tmp_path)

    updated = store.update(store.load(arns[1]))
    FilesystemExecutionStore(tmp_path).rebuild_index()

    assert updated.revision == 2
    assert (tmp_path / ".dex-store" / "store.json").is_file()
    assert len(FilesystemExecutionStore(tmp_path).query().rows) == 3


def test_a_copied_record_without_marker_is_unreadable_not_hidden(
    tmp_path: Path,
) -> None:
    arns = _orphaned_store(tmp_path)
    shutil.copy(tmp_path / file_name_for(arns[0]), tmp_path / "copy.json")

    page = FilesystemExecutionStore(tmp_path).query()

    assert len(page.rows) == 3
    assert [item.location for item in page.unreadable] == [str(tmp_path / "copy.json")]


def test_records_beside_other_files_are_not_taken_for_a_store(tmp_path: Path) -> None:
    _orphaned_store(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")

    with pytest.raises(StoreNotFoundError) as caught:
        FilesystemExecutionStore(tmp_path).query()

    assert str(caught.value) == (
        f"{tmp_path} is not a dex store: it has no .dex-store/store.json, and "
        "besides *.json files it holds notes.txt, so it is not taken for a store "
        "whose marker was deleted; move those out if it is one; use a directory "
        "a dex filesystem store wrote"
    )


def test_json_files_that_are_no_records_are_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "web"}')

    with pytest.raises(StoreNotFoundError) as caught:
        FilesystemExecutionStore(tmp_path).query()

    assert str(caught.value) == (
        f"{tmp_path} is not a dex store: it has no .dex-store/store.json, and none "
        "of its 1 *.json files is an execution record under the name a store "
        "gives it (`dex validate` says why); use a directory a dex filesystem "
        "store wrote"
    )
