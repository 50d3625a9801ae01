"""Benchmark of the dex command over a big filesystem store.

``run()`` fills a temporary filesystem store with 10,000 executions, then
times ``dex list --limit 20`` (answered from the store's index, with and
without a status filter) and ``dex validate`` over 1,000 record files.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import tempfile
import time
from pathlib import Path

from dex_cli import Output, main
from dex_schema import (
    ExecutionRecord,
    ExecutionStatus,
    ExecutionSummary,
    Operation,
    OperationStatus,
    OperationType,
    StepDetails,
    encode,
)
from dex_store import ExecutionQuery
from dex_store_filesystem import FilesystemExecutionStore, file_name_for

EXECUTIONS = 10_000
VALIDATED = 1_000
REPEATS = 5
_CREATED = 200
_T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
_FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST"


def _record(index: int) -> ExecutionRecord:
    start = _T0 + dt.timedelta(minutes=index)
    end = start + dt.timedelta(seconds=3)
    name = f"order-{index:05d}"
    steps = tuple(
        Operation(
            id=str(step),
            name=f"step-{step}",
            type=OperationType.STEP,
            sub_type="Step",
            start_timestamp=start,
            end_timestamp=end,
            status=OperationStatus.SUCCEEDED,
            step_details=StepDetails(attempt=1, result=f'"{step}"'),
        )
        for step in range(5)
    )
    return ExecutionRecord(
        execution=ExecutionSummary(
            durable_execution_arn=f"{_FUNCTION}/durable-execution/{name}/{index:08x}",
            durable_execution_name=name,
            function_arn=_FUNCTION,
            start_timestamp=start,
            end_timestamp=end,
            status=(
                ExecutionStatus.FAILED if index % 10 == 0 else ExecutionStatus.SUCCEEDED
            ),
            result='"done"',
        ),
        operations=steps,
    )


def _time(argv: list[str]) -> tuple[float, int]:
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    status = main(argv, output=Output(out, err, terminal=False))
    return time.perf_counter() - started, status


def _fill(path: Path) -> tuple[float, float]:
    """Fill the store; return seconds per ``create`` and the index build time.

    ``create`` fsyncs every record, so 10,000 of them take long; the first
    ``_CREATED`` go through the store (timed), the rest are written as plain
    files, as another tool would leave them, and the store indexes them on
    its next query (timed: the cost of a fresh index).
    """
    store = FilesystemExecutionStore(path)
    started = time.perf_counter()
    for index in range(_CREATED):
        store.create(_record(index))
    per_create = (time.perf_counter() - started) / _CREATED
    for index in range(_CREATED, EXECUTIONS):
        record = _record(index)
        (path / file_name_for(record.arn)).write_bytes(encode(record))
    store.close()
    started = time.perf_counter()
    store = FilesystemExecutionStore(path)
    store.query(ExecutionQuery(limit=1))
    index_build = time.perf_counter() - started
    store.close()
    return per_create, index_build


def run() -> str:
    """Run the benchmark; return its report, one measurement a line."""
    with tempfile.TemporaryDirectory(prefix="dex-bench-cli-") as directory:
        path = Path(directory) / "store"
        per_create, index_build = _fill(path)

        store_args = ["--store", "filesystem", "--store-path", str(path)]
        list_times = [
            _time(["list", *store_args, "--limit", "20"])[0] for _ in range(REPEATS)
        ]
        failed_times = [
            _time(["list", *store_args, "--status", "FAILED", "--limit", "20"])[0]
            for _ in range(REPEATS)
        ]
        files = [str(file) for file in sorted(path.glob("*.json"))[:VALIDATED]]
        validate_time, _ = _time(["validate", *files])

    return "\n".join(
        [
            f"cli: store.create, one execution of 5 steps: {per_create * 1e3:.2f} ms "
            f"(mean of {_CREATED})",
            f"cli: index build over {EXECUTIONS} record files: {index_build:.2f} s",
            f"cli: dex list --limit 20 over {EXECUTIONS}: median "
            f"{statistics.median(list_times) * 1e3:.1f} ms of {REPEATS}",
            f"cli: dex list --status FAILED --limit 20 over {EXECUTIONS}: median "
            f"{statistics.median(failed_times) * 1e3:.1f} ms of {REPEATS}",
            f"cli: dex validate {VALIDATED} files: {validate_time:.2f} s "
            f"({validate_time / VALIDATED * 1e3:.2f} ms a file)",
        ]
    )


if __name__ == "__main__":
    print(run())
