"""Fixtures and helpers for part 2's tests: a runner factory and history outlines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dex_runner import DurableFunctionTestRunner
from dex_store_memory import MemoryExecutionStore

Outline = list[tuple[str, str | None, str | None, str | None]]


@pytest.fixture
def store() -> Iterator[MemoryExecutionStore]:
    memory = MemoryExecutionStore()
    yield memory
    memory.close()


@pytest.fixture
def make_runner(
    store: MemoryExecutionStore,
) -> Iterator[Callable[..., DurableFunctionTestRunner]]:
    runners: list[DurableFunctionTestRunner] = []

    def make(handler: Any, **options: Any) -> DurableFunctionTestRunner:
        options.setdefault("store", store)
        runner = DurableFunctionTestRunner(handler, **options)
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        runner.close()


def outline(events: Any) -> Outline:
    """Each event as ``(type, sub-type, name, parent's name)``.

    The names stand in for the random operation ids, so an expected history
    can be written out in full.
    """
    names: dict[str, str | None] = {}
    for event in events:
        if event.id is not None and event.name is not None:
            names.setdefault(event.id, event.name)
    rows: Outline = []
    for event in events:
        name = event.name
        if event.event_type.value.startswith("Execution"):
            name = None
        sub_type = None if event.sub_type is None else str(event.sub_type)
        parent = names.get(event.parent_id) if event.parent_id else None
        rows.append((event.event_type.value, sub_type, name, parent))
    return rows
