"""Unreadable record files: load names them, queries report them, never hide."""

from pathlib import Path

import pytest
from dex_schema import encode
from dex_store import CorruptRecordError, ExecutionNotFoundError, Unreadable
from dex_store.testing import sample_record
from dex_store_filesystem import FilesystemExecutionStore

GOOD = sample_record("good")
BROKEN = sample_record("broken", operations=2)


@pytest.fixture
def store(tmp_path: Path) -> FilesystemExecutionStore:
    store = FilesystemExecutionStore(tmp_path / "store")
    store.create(GOOD)
    store.create(BROKEN)
    return store


def damage(store: FilesystemExecutionStore, content: bytes) -> Path:
    path = store.path_for(BROKEN.arn)
    path.write_bytes(content)
    return path


CASES = {
    "truncated": (lambda data: data[:80], "$: input data was truncated"),
    "empty": (lambda data: b"", "$: input data was truncated"),
    "not UTF-8": (
        lambda data: data.replace(b"step 1", b"st\xffep 1"),
        "$: invalid UTF-8 encoded string",
    ),
    "not JSON": (
        lambda data: b"\xff\xfe" + data,
        "$: JSON is malformed: invalid character (byte 0)",
    ),
    "schema-invalid": (
        lambda data: data.replace(b'"Attempt": 1', b'"Attempt": "1"', 1),
        "$.Operations[0].StepDetails.Attempt: expected int, got str",
    ),
    "newer schema": (
        lambda data: data.replace(b'"SchemaVersion": 1', b'"SchemaVersion": 9'),
        "$.SchemaVersion: schema version 9 is newer than this dex reads (up to 1); "
        "upgrade dex to a release that writes SchemaVersion 9",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_load_of_an_unreadable_file_names_the_file_and_the_problem(
    store: FilesystemExecutionStore, case: str
) -> None:
    change, reason = CASES[case]
    path = damage(store, change(encode(store.load(BROKEN.arn))))

    with pytest.raises(CorruptRecordError) as caught:
        store.load(BROKEN.arn)

    assert caught.value.location == str(path)
    assert caught.value.reason == reason
    assert str(caught.value) == f"corrupt execution record {path}: {reason}"


@pytest.mark.parametrize("case", CASES)
def test_query_reports_unreadable_files_and_still_lists_the_rest(
    store: FilesystemExecutionStore, case: str
) -> None:
    change, reason = CASES[case]
    path = damage(store, change(encode(store.load(BROKEN.arn))))
    fresh = FilesystemExecutionStore(store.path)

    for reader in (store, fresh):
        page = reader.query()
        assert [row.arn for row in page.rows] == [GOOD.arn]
        assert page.unreadable == (Unreadable(location=str(path), reason=reason),)


def test_a_file_renamed_by_hand_is_refused(store: FilesystemExecutionStore) -> None:
    moved = store.path_for(sample_record("elsewhere").arn)
    store.path_for(GOOD.arn).rename(moved)

    with pytest.raises(CorruptRecordError) as caught:
        store.load(sample_record("elsewhere").arn)

    assert caught.value.reason == (
        f"$.Execution.DurableExecutionArn: the file holds {GOOD.arn!r}, not "
        f"{sample_record('elsewhere').arn!r}; it was renamed or copied by hand"
    )
    assert store.query().unreadable == (
        Unreadable(
            location=str(moved),
            reason=(
                f"$.Execution.DurableExecutionArn: the file holds {GOOD.arn!r}, "
                f"whose file is {store.path_for(GOOD.arn).name!r}; it was renamed "
                "or copied by hand"
            ),
        ),
    )


def test_update_and_create_over_an_unreadable_file_raise_corrupt(
    store: FilesystemExecutionStore,
) -> None:
    path = damage(store, b"{")

    with pytest.raises(CorruptRecordError) as caught:
        store.update(store.load(GOOD.arn) and sample_record("broken"))
    assert str(caught.value) == (
        f"corrupt execution record {path}: $: input data was truncated"
    )
    with pytest.raises(CorruptRecordError):
        store.create(BROKEN)


def test_delete_removes_an_unreadable_file(store: FilesystemExecutionStore) -> None:
    path = damage(store, b"{")
    assert store.query().unreadable != ()

    store.delete(BROKEN.arn)

    assert not path.exists()
    assert store.query().unreadable == ()
    with pytest.raises(ExecutionNotFoundError):
        store.load(BROKEN.arn)
