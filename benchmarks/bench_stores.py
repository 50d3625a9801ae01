"""Benchmark of the stores: save, load, update and queries, next to the floor.

``run()`` reports, in one run on this machine:

- save (``update`` of a stored execution), first save (``create``) and load
  of executions with 10, 100 and 1,000 operations through the memory and
  the filesystem store, next to the floor for the same bytes: msgspec encode
  and format, write, flush, fsync and ``os.replace`` for a save; read and
  decode for a load. Target: the filesystem store within 2x of the floor.
- a query (limit 50) filtered by status and one filtered by function name
  over 1,000 and 10,000 stored executions, answered from the index by a
  store object that has queried before (warm) and by a new one (cold, as a
  CLI process is), next to reading and decoding every file, which is what a
  store without an index does; once right after the index was rewritten and
  once after 500 updates appended to it. Target: under 1/50 of reading every
  file.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import msgspec
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
from dex_store import ExecutionQuery, ExecutionStore
from dex_store_filesystem import FilesystemExecutionStore, file_name_for
from dex_store_memory import MemoryExecutionStore

SIZES = (10, 100, 1_000)
REPEATS = {10: 200, 100: 100, 1_000: 50}
STORED = (1_000, 10_000)
QUERY_REPEATS = 20
APPENDED_WRITES = 500
SCAN_REPEATS = 3
SAVE_TARGET = 2.0
QUERY_TARGET = 1 / 50
STATUSES = (
    ExecutionStatus.SUCCEEDED,
    ExecutionStatus.FAILED,
    ExecutionStatus.RUNNING,
    ExecutionStatus.TIMED_OUT,
)
FUNCTIONS = 10
_T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(ExecutionRecord)


def record(index: int, operations: int) -> ExecutionRecord:
    """An execution with ``operations`` finished steps, each with a result."""
    start = _T0 + dt.timedelta(seconds=index)
    function = f"fn-{index % FUNCTIONS}"
    name = f"run-{index:06d}"
    steps = tuple(
        Operation(
            id=f"{step:08x}",
            name=f"charge card {step}",
            type=OperationType.STEP,
            sub_type="Step",
            start_timestamp=start,
            end_timestamp=start + dt.timedelta(milliseconds=5),
            status=OperationStatus.SUCCEEDED,
            step_details=StepDetails(
                attempt=1, result=f'{{"order": {step}, "total": "12.50"}}'
            ),
        )
        for step in range(operations)
    )
    return ExecutionRecord(
        execution=ExecutionSummary(
            durable_execution_arn=(
                f"arn:aws:lambda:us-east-1:123456789012:function:{function}:$LATEST"
                f"/durable-execution/{name}/00000000-0000-4000-8000-{index:012d}"
            ),
            durable_execution_name=name,
            function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{function}",
            input_payload='{"order": 1}',
            start_timestamp=start,
            status=STATUSES[index % len(STATUSES)],
            end_timestamp=start + dt.timedelta(seconds=2),
        ),
        operations=steps,
    )


def median_seconds(action: Callable[[], object], repeats: int) -> float:
    """The median wall time of ``action`` over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:9.3f}"


# -- save and load ------------------------------------------------------------------


def floor_save(directory: Path, item: ExecutionRecord) -> Callable[[], None]:
    target = directory / "floor.json"
    temporary = directory / "floor.json.tmp"

    def save() -> None:
        data = msgspec.json.format(_encoder.encode(item), indent=2)
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)

    return save


def floor_load(directory: Path) -> Callable[[], ExecutionRecord]:
    target = directory / "floor.json"
    return lambda: _decoder.decode(target.read_bytes())


def interleaved(
    actions: dict[str, Callable[[], object]], repeats: int
) -> dict[str, float]:
    """Median seconds of each action, run in turns so load drifts hit all alike."""
    times: dict[str, list[float]] = {label: [] for label in actions}
    # As timeit does, the cyclic collector is kept out of the timings: its
    # pauses would fall on whichever contender happens to trigger them.
    enabled = gc.isenabled()
    try:
        for _ in range(repeats):
            gc.collect()
            gc.disable()
            for label, action in actions.items():
                started = time.perf_counter()
                action()
                times[label].append(time.perf_counter() - started)
            if enabled:
                gc.enable()
    finally:
        if enabled:
            gc.enable()
    return {label: statistics.median(values) for label, values in times.items()}


def measure_size(directory: Path, size: int) -> dict[str, dict[str, float]]:
    """Save, create and load times at ``size`` operations, per contender."""
    repeats = REPEATS[size]
    item = record(0, size)
    floor_dir = directory / f"floor-{size}"
    floor_dir.mkdir()
    floor_save(floor_dir, item)()
    files = FilesystemExecutionStore(directory / f"store-{size}")
    memory = MemoryExecutionStore()
    current = {"fs": files.create(item), "mem": memory.create(item)}
    fresh = iter(range(1, 3 * repeats))

    def update(label: str, store: ExecutionStore) -> None:
        current[label] = store.update(current[label])

    def create(store: ExecutionStore) -> None:
        store.create(_with_index(item, next(fresh)))

    results = {
        "save": interleaved(
            {
                "floor": floor_save(floor_dir, item),
                "filesystem": lambda: update("fs", files),
                "memory": lambda: update("mem", memory),
            },
            repeats,
        ),
        "create": interleaved(
            {
                "floor": floor_save(floor_dir, item),
                "filesystem": lambda: create(files),
                "memory": lambda: create(memory),
            },
            repeats,
        ),
        "load": interleaved(
            {
                "floor": floor_load(floor_dir),
                "filesystem": lambda: files.load(item.arn),
                "memory": lambda: memory.load(item.arn),
            },
            repeats,
        ),
    }
    files.close()
    return results


def save_and_load(directory: Path) -> tuple[list[str], list[str]]:
    lines = [
        "ms per call (median)  ops    floor  filesystem  ratio    memory",
    ]
    verdicts = []
    for size in SIZES:
        for action, times in measure_size(directory, size).items():
            ratio = times["filesystem"] / times["floor"]
            lines.append(
                f"{action:<20} {size:5d} {_ms(times['floor'])} "
                f"{_ms(times['filesystem'])}   {ratio:5.2f}x "
                f"{_ms(times['memory'])}"
            )
            if action != "create":
                verdicts.append(
                    f"filesystem {action} at {size} operations: {ratio:.2f}x the "
                    f"floor (target <= {SAVE_TARGET:.0f}x): "
                    f"{'met' if ratio <= SAVE_TARGET else 'MISSED'}"
                )
    return lines, verdicts


def _with_index(item: ExecutionRecord, index: int) -> ExecutionRecord:
    execution = msgspec.structs.replace(
        item.execution,
        durable_execution_arn=f"{item.arn}-{index}",
    )
    return msgspec.structs.replace(item, execution=execution)


# -- queries ------------------------------------------------------------------------


def fill(directory: Path, count: int) -> FilesystemExecutionStore:
    """A store of ``count`` executions (10 operations each), built quickly.

    The first record goes through the store, which makes the directory a
    store; the rest are written as the store writes them (same bytes, same
    file names) without the fsync, and the index is rebuilt from them.
    """
    store = FilesystemExecutionStore(directory)
    store.create(record(0, 10))
    for index in range(1, count):
        item = msgspec.structs.replace(record(index, 10), revision=1)
        (directory / file_name_for(item.arn)).write_bytes(encode(item))
    store.rebuild_index()
    return store


def read_every_file(directory: Path) -> int:
    count = 0
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.endswith(".json") and not entry.name.startswith("."):
                _decoder.decode(Path(entry.path).read_bytes())
                count += 1
    return count


def query_times(
    store: FilesystemExecutionStore, query: ExecutionQuery
) -> dict[str, float]:
    """Median query time from ``store`` (warm) and from new store objects (cold)."""
    assert len(store.query(query).rows) == query.limit
    return interleaved(
        {
            "warm": lambda: store.query(query),
            "cold": lambda: FilesystemExecutionStore(store.path).query(query),
        },
        QUERY_REPEATS,
    )


def churn(store: FilesystemExecutionStore, count: int, writes: int) -> None:
    """Update ``writes`` stored executions, some changing status."""
    for write in range(writes):
        current = store.load(record((write * 7919) % count, 10).arn)
        status = STATUSES[(write + 1) % len(STATUSES)]
        execution = msgspec.structs.replace(current.execution, status=status)
        store.update(msgspec.structs.replace(current, execution=execution))


def queries(directory: Path) -> tuple[list[str], list[str]]:
    lines = [
        "ms per query (median)  stored  appended  read every file    warm  ratio"
        "    cold  ratio",
    ]
    verdicts = []
    filters = {
        "by status": ExecutionQuery(statuses=(ExecutionStatus.FAILED,), limit=50),
        "by function name": ExecutionQuery(function_name="fn-3", limit=50),
    }
    for count in STORED:
        root = directory / f"stored-{count}"
        started = time.perf_counter()
        store = fill(root, count)
        built = time.perf_counter() - started
        started = time.perf_counter()
        store.rebuild_index()
        rebuilt = time.perf_counter() - started
        scan = median_seconds(functools.partial(read_every_file, root), SCAN_REPEATS)
        worst: dict[str, dict[str, float]] = {}
        for state in ("rewritten", "appended"):
            if state == "appended":
                churn(store, count, APPENDED_WRITES)
            index = store._index  # what the report states, not what it measures
            appended = index.line_count - index.rewritten_lines
            for label, query in filters.items():
                times = query_times(store, query)
                lines.append(
                    f"{label:<21} {count:7d} {appended:9d} {_ms(scan)}       "
                    f"{_ms(times['warm'])} {times['warm'] / scan:6.4f} "
                    f"{_ms(times['cold'])} {times['cold'] / scan:6.4f}"
                )
                kept = worst.setdefault(label, times)
                worst[label] = {k: max(v, times[k]) for k, v in kept.items()}
        if count == STORED[-1]:
            for label, times in worst.items():
                for kind, seconds in times.items():
                    ratio = seconds / scan
                    verdicts.append(
                        f"query {label} over {count} executions, {kind} (worse of "
                        f"the two): 1/{scan / seconds:.0f} of reading every file "
                        f"(target under 1/{1 / QUERY_TARGET:.0f}): "
                        f"{'met' if ratio < QUERY_TARGET else 'MISSED'}"
                    )
        lines.append(
            f"  ({count} executions written in {built:.2f} s; index rebuilt from "
            f"every file in {rebuilt:.2f} s; then {APPENDED_WRITES} updates)"
        )
        store.close()
    return lines, verdicts


def run() -> str:
    """Measure everything; return the report."""
    with tempfile.TemporaryDirectory(prefix="dex-bench-stores-") as temporary:
        directory = Path(temporary)
        save_lines, save_verdicts = save_and_load(directory)
        query_lines, query_verdicts = queries(directory)
    return "\n".join(
        [
            "save = update of a stored execution; floor = encode+format, write, "
            "fsync, replace (save) or read, decode (load)",
            *save_lines,
            "",
            "filtered query, limit 50; warm = a store object that queried before, "
            "cold = a new one (reads the index groups the filter needs); appended ="
            " index lines written since its last rewrite",
            *query_lines,
            "",
            *save_verdicts,
            *query_verdicts,
        ]
    )
