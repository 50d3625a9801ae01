"""The local runner end to end: 10, 100 and 1,000 sequential steps.

Each run starts a fresh runner, runs a handler of N steps to completion and
measures the wall time of ``run``, with the memory store and with the
filesystem store. The report gives the filesystem/memory ratio at 1,000 steps
(target: at most 2x) and the marginal cost of a step from 100 to 1,000 steps
against that from 10 to 100 (memory store; target: at most 1.5x), which says
whether a checkpoint's cost grows with the execution.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from dex_runner import DurableFunctionTestRunner
from dex_store import ExecutionStore
from dex_store_filesystem import FilesystemExecutionStore
from dex_store_memory import MemoryExecutionStore

SIZES = (10, 100, 1000)
REPEATS = 5


def _handler(steps: int) -> Callable[..., Any]:
    @durable_execution
    def sequential(event: Any, context: DurableContext) -> int:
        total = 0
        for index in range(steps):
            total += context.step(lambda _, n=index: n, name=f"step-{index}")
        return total

    return sequential


def _run_once(steps: int, store: ExecutionStore) -> float:
    with DurableFunctionTestRunner(_handler(steps), store=store) as runner:
        started = time.perf_counter()
        result = runner.run(timeout=3600)
        elapsed = time.perf_counter() - started
    expected = str(steps * (steps - 1) // 2)
    if result.result != expected:
        raise AssertionError(f"{steps} steps gave {result.result}, not {expected}")
    return elapsed


def _measure(steps: int, kind: str) -> float:
    times = []
    for _ in range(REPEATS):
        with tempfile.TemporaryDirectory() as directory:
            store: ExecutionStore = (
                MemoryExecutionStore()
                if kind == "memory"
                else FilesystemExecutionStore(Path(directory) / "store")
            )
            try:
                times.append(_run_once(steps, store))
            finally:
                store.close()
    return min(times)


def run() -> str:
    """Measure and return the report."""
    results = {
        (kind, steps): _measure(steps, kind)
        for kind in ("memory", "filesystem")
        for steps in SIZES
    }
    lines = [f"{'steps':>6} {'memory s':>10} {'filesystem s':>13} {'fs/mem':>7}"]
    for steps in SIZES:
        memory = results["memory", steps]
        filesystem = results["filesystem", steps]
        lines.append(
            f"{steps:>6} {memory:>10.3f} {filesystem:>13.3f} "
            f"{filesystem / memory:>6.2f}x"
        )
    ratio = results["filesystem", 1000] / results["memory", 1000]
    early = (results["memory", 100] - results["memory", 10]) / 90
    late = (results["memory", 1000] - results["memory", 100]) / 900
    growth = late / early if early > 0 else float("inf")
    lines += [
        f"filesystem/memory at 1,000 steps: {ratio:.2f}x (target <= 2x)",
        f"marginal cost per step, memory: 10->100 {early * 1000:.3f} ms, "
        f"100->1,000 {late * 1000:.3f} ms, ratio {growth:.2f}x (target <= 1.5x)",
        f"(best of {REPEATS} runs each; wall time of run(), fresh runner per run)",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
