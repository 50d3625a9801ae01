"""``dex show`` of an execution in the configured store, by ARN or by name."""

from __future__ import annotations

import datetime as dt

import pytest
from cli_records import T0, arn_of, make_record, order_operations
from dex_schema import ExecutionStatus, ExecutionSummary
from dex_store_filesystem import FilesystemExecutionStore


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    """A filesystem store (configured through the environment) with two records."""
    path = tmp_path / "store"
    store = FilesystemExecutionStore(path)
    store.create(make_record("o-1", operations=order_operations()))
    store.create(make_record("o-2", status=ExecutionStatus.FAILED))
    store.close()
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "filesystem")
    monkeypatch.setenv("AWS_DEX_STORE_PATH", str(path))
    return path


def test_show_by_arn(dex, store_dir) -> None:
    ran = dex("show", arn_of("o-1"))

    assert ran.status == 0, ran.err
    lines = ran.out.splitlines()
    assert lines[0] == "Execution:   o-1"
    stored = FilesystemExecutionStore(store_dir).path_for(arn_of("o-1"))
    assert f"Stored in:   {stored}" in lines
    assert "    label  STEP  FAILED  at +1m02s  took 0.300s  attempt 3  " in ran.out


def test_show_by_execution_name(dex, store_dir) -> None:
    ran = dex("show", "o-2")

    assert ran.status == 0, ran.err
    assert ran.out.splitlines()[0] == "Execution:   o-2"
    assert "Error:       OutOfStock: no widgets left" in ran.out.splitlines()


def test_an_arn_that_is_not_stored(dex, store_dir) -> None:
    missing = arn_of("o-404")

    ran = dex("show", missing)

    assert ran.status == 2
    assert ran.out == ""
    assert ran.err == (
        f"dex show: error: no execution stored under {missing!r}; "
        "`dex list` shows what is stored\n"
    )


def test_a_name_that_is_not_stored(dex, store_dir) -> None:
    ran = dex("show", "o-404")

    assert ran.status == 2
    assert ran.err == (
        "dex show: error: 'o-404' is neither a file, nor an ARN, nor the name of a "
        "stored execution; `dex list` shows what is stored\n"
    )


def test_a_name_shared_by_two_executions_needs_the_arn(dex, store_dir) -> None:
    store = FilesystemExecutionStore(store_dir)
    twin = make_record("o-1", start=T0 + dt.timedelta(hours=1))
    execution = ExecutionSummary(
        **{
            **{f: getattr(twin.execution, f) for f in twin.execution.__struct_fields__},
            "durable_execution_arn": twin.arn.replace("0f0e0d0c", "99999999"),
        }
    )
    store.create(type(twin)(execution=execution, operations=twin.operations))
    store.close()

    ran = dex("show", "o-1")

    assert ran.status == 2
    assert ran.err == (
        "dex show: error: more than one stored execution is named 'o-1'; pass its "
        "ARN (`dex list --json` shows the ARNs)\n"
    )


def test_a_corrupt_stored_record(dex, store_dir) -> None:
    path = FilesystemExecutionStore(store_dir).path_for(arn_of("o-2"))
    path.write_text('{"SchemaVersion": 1}')

    ran = dex("show", arn_of("o-2"))

    assert ran.status == 2
    assert ran.err.startswith(
        f"dex show: error: the record of {arn_of('o-2')!r} is corrupt: "
    )
    assert ran.err.endswith("; `dex validate` lists every problem\n")
