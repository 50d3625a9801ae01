"""Fixtures shared by the runner's tests: a memory store and a runner factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dex_runner import DurableFunctionTestRunner
from dex_store_memory import MemoryExecutionStore


@pytest.fixture
def store() -> Iterator[MemoryExecutionStore]:
    memory = MemoryExecutionStore()
    yield memory
    memory.close()


@pytest.fixture
def make_runner(
    store: MemoryExecutionStore,
) -> Iterator[Callable[..., DurableFunctionTestRunner]]:
    """Make runners on the test's store; each is closed when the test ends."""
    runners: list[DurableFunctionTestRunner] = []

    def make(handler: Any, **options: Any) -> DurableFunctionTestRunner:
        options.setdefault("store", store)
        runner = DurableFunctionTestRunner(handler, **options)
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        runner.close()
