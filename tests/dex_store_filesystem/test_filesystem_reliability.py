"""Many processes, killed writers: no lost update, no corrupt or empty file.

The normal run uses the sizes CI affords (8 processes x 50 updates, 30
kills); ``just soak`` runs the ``soak`` versions, ten times bigger.
"""

import multiprocessing
import os
import random
import signal
import time
from pathlib import Path
from typing import Any

import msgspec
import pytest
from dex_schema import ExecutionRecord
from dex_store import ExecutionConflictError, ExecutionQuery
from dex_store.testing import sample_record
from dex_store_filesystem import FilesystemExecutionStore

FORK = multiprocessing.get_context("fork")


def bumped(record: ExecutionRecord) -> ExecutionRecord:
    state = record.service_state
    return msgspec.structs.replace(
        record,
        service_state=msgspec.structs.replace(
            state, token_sequence=state.token_sequence + 1
        ),
    )


def read_modify_write(root: Path, arns: list[str], updates: int) -> None:
    """Add 1 to each ARN's token_sequence ``updates`` times, retrying conflicts."""
    store = FilesystemExecutionStore(root)
    for update in range(updates):
        arn = arns[update % len(arns)]
        while True:
            try:
                store.update(bumped(store.load(arn)))
                break
            except ExecutionConflictError:
                continue
    store.close()


def save_forever(root: Path, arn: str, saving: Any) -> None:
    store = FilesystemExecutionStore(root)
    store.update(bumped(store.load(arn)))
    saving.set()
    while True:
        store.update(bumped(store.load(arn)))


def run_workers(root: Path, work: list[list[str]], updates: int) -> None:
    workers = [
        FORK.Process(target=read_modify_write, args=(root, arns, updates))
        for arns in work
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0] * len(workers)


def assert_store_sound(root: Path) -> None:
    """Every file decodes, and the index agrees with the files."""
    store = FilesystemExecutionStore(root)
    page = store.query(ExecutionQuery(limit=1000))
    assert page.unreadable == ()
    loaded = {row.arn: store.load(row.arn).revision for row in page.rows}
    assert {row.arn: row.revision for row in page.rows} == loaded
    assert len(store.record_paths()) == len(page.rows)


def check_shared_execution(root: Path, processes: int, updates: int) -> None:
    store = FilesystemExecutionStore(root)
    arn = store.create(sample_record("shared", operations=3)).arn

    run_workers(root, [[arn]] * processes, updates)

    final = store.load(arn)
    assert final.service_state.token_sequence == processes * updates
    assert final.revision == 1 + processes * updates
    assert_store_sound(root)


def check_own_executions(root: Path, processes: int, updates: int) -> None:
    store = FilesystemExecutionStore(root)
    shared = store.create(sample_record("shared")).arn
    own = [store.create(sample_record(f"own-{n}")).arn for n in range(processes)]

    run_workers(root, [[mine, shared] for mine in own], updates)

    for arn in own:
        assert store.load(arn).service_state.token_sequence == updates // 2
    final = store.load(shared)
    assert final.service_state.token_sequence == processes * (updates // 2)
    assert_store_sound(root)


def check_killed_writer(root: Path, kills: int) -> None:
    store = FilesystemExecutionStore(root)
    arn = store.create(sample_record("killed", operations=50)).arn
    chance = random.Random(kills)
    revisions = [1]

    for _ in range(kills):
        saving = FORK.Event()
        writer = FORK.Process(target=save_forever, args=(root, arn, saving))
        writer.start()
        assert saving.wait(timeout=60)
        time.sleep(chance.uniform(0.0, 0.02))
        os.kill(writer.pid or 0, signal.SIGKILL)
        writer.join()
        assert writer.exitcode == -signal.SIGKILL

        record = FilesystemExecutionStore(root).load(arn)
        assert record.service_state.token_sequence == record.revision - 1
        assert record.revision > revisions[-1]  # each writer saved at least once
        revisions.append(record.revision)
        assert_store_sound(root)

    store.update(store.load(arn))
    assert [p.name for p in root.iterdir() if p.name.startswith(".tmp-")] == []


def create_one(root: Path, name: str, start: Any) -> None:
    start.wait(timeout=60)
    FilesystemExecutionStore(root).create(sample_record(name))


def test_8_processes_making_the_same_new_store_all_succeed(tmp_path: Path) -> None:
    root = tmp_path / "new" / "store"
    start = FORK.Event()
    workers = [
        FORK.Process(target=create_one, args=(root, f"worker-{n}", start))
        for n in range(8)
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=60)

    assert [worker.exitcode for worker in workers] == [0] * 8
    rows = FilesystemExecutionStore(root).query().rows
    assert sorted(row.execution_name for row in rows) == [
        f"worker-{n}" for n in range(8)
    ]
    assert_store_sound(root)


def test_8_processes_x_50_updates_of_one_execution_lose_nothing(
    tmp_path: Path,
) -> None:
    check_shared_execution(tmp_path / "store", processes=8, updates=50)


def test_8_processes_x_50_updates_of_their_own_and_a_shared_execution(
    tmp_path: Path,
) -> None:
    check_own_executions(tmp_path / "store", processes=8, updates=50)


def test_a_writer_killed_30_times_leaves_no_corrupt_or_empty_file(
    tmp_path: Path,
) -> None:
    check_killed_writer(tmp_path / "store", kills=30)


@pytest.mark.soak
def test_soak_16_processes_x_500_updates_of_one_execution(tmp_path: Path) -> None:
    check_shared_execution(tmp_path / "store", processes=16, updates=500)


@pytest.mark.soak
def test_soak_16_processes_x_500_updates_of_their_own(tmp_path: Path) -> None:
    check_own_executions(tmp_path / "store", processes=16, updates=500)


@pytest.mark.soak
def test_soak_a_writer_killed_300_times(tmp_path: Path) -> None:
    check_killed_writer(tmp_path / "store", kills=300)
