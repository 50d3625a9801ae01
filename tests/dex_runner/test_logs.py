"""Log lines go to the invocation that produced them, whatever thread wrote them."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration
from dex_runner import DurableFunctionTestResult, DurableFunctionTestRunner

_EXECUTIONS = 4


def _chatty(barrier: threading.Barrier) -> Any:
    orders = logging.getLogger("orders")

    def in_step(tag: str) -> str:
        print(f"{tag}: step before")
        # Every execution is inside its step at once: the lines below are
        # written while all four invocations run.
        barrier.wait(10)
        print(f"{tag}: step after")
        orders.warning("%s: step log", tag)
        return tag

    def in_branch(tag: str, item: int) -> int:
        print(f"{tag}: item {item}")
        orders.info("%s: item %d log", tag, item)
        return item

    @durable_execution
    def chatty(event: Any, context: DurableContext) -> str:
        tag = event["tag"]
        print(f"{tag}: handler")
        orders.info("%s: handler log", tag)
        context.step(lambda _: in_step(tag), name="step")
        context.map(
            [1, 2],
            lambda ctx, item, index, items: in_branch(tag, item),
            name="items",
        )
        context.wait(Duration.from_seconds(1), name="pause")
        print(f"{tag}: after the wait")
        return tag

    return chatty


def _lines(result: DurableFunctionTestResult) -> list[list[tuple[str, str, str]]]:
    return [
        sorted((entry.level, entry.logger, entry.message) for entry in inv.logs)
        for inv in result.invocations
    ]


def test_concurrent_executions_each_keep_exactly_their_own_lines(
    make_runner: Any,
) -> None:
    barrier = threading.Barrier(_EXECUTIONS)
    runner = make_runner(_chatty(barrier))
    tags = [f"run{number}" for number in range(_EXECUTIONS)]

    with ThreadPoolExecutor(max_workers=_EXECUTIONS) as pool:
        results = list(pool.map(lambda tag: runner.run({"tag": tag}, timeout=60), tags))

    for tag, result in zip(tags, results, strict=True):
        assert result.result == f'"{tag}"'
        handler = [
            ("INFO", "orders", f"{tag}: handler log"),
            ("INFO", "stdout", f"{tag}: handler"),
        ]
        assert _lines(result) == [
            sorted(
                [
                    *handler,
                    ("INFO", "orders", f"{tag}: item 1 log"),
                    ("INFO", "orders", f"{tag}: item 2 log"),
                    ("INFO", "stdout", f"{tag}: item 1"),
                    ("INFO", "stdout", f"{tag}: item 2"),
                    ("INFO", "stdout", f"{tag}: step after"),
                    ("INFO", "stdout", f"{tag}: step before"),
                    ("WARNING", "orders", f"{tag}: step log"),
                ]
            ),
            sorted([*handler, ("INFO", "stdout", f"{tag}: after the wait")]),
        ], tag


def test_threads_the_function_starts_log_to_its_invocation(make_runner: Any) -> None:
    @durable_execution
    def starts_threads(event: Any, context: DurableContext) -> str:
        def grandchild() -> None:
            print("from a grandchild thread")

        def child() -> None:
            logging.getLogger("worker").info("from a child thread")
            inner = threading.Thread(target=grandchild)
            inner.start()
            inner.join()

        outer = threading.Thread(target=child)
        outer.start()
        outer.join()
        return "done"

    other_running = threading.Event()
    release = threading.Event()

    @durable_execution
    def blocks(event: Any, context: DurableContext) -> str:
        other_running.set()
        release.wait(10)
        return "released"

    runner = make_runner(starts_threads, functions={"blocks": blocks})
    blocked = runner.run_async(function_name="blocks")
    assert other_running.wait(10)
    try:
        result = runner.run()
    finally:
        release.set()

    assert [(e.level, e.logger, e.message) for e in result.logs] == [
        ("INFO", "worker", "from a child thread"),
        ("INFO", "stdout", "from a grandchild thread"),
    ]
    assert runner.wait_for_result(blocked).logs == []


def test_thread_start_is_wrapped_only_while_a_runner_is_open(store: Any) -> None:
    @durable_execution
    def quiet(event: Any, context: DurableContext) -> None:
        return None

    before = threading.Thread.start
    first = DurableFunctionTestRunner(quiet, store=store)
    second = DurableFunctionTestRunner(quiet, store=store)
    wrapped = threading.Thread.start
    assert wrapped is not before

    first.close()
    assert threading.Thread.start is wrapped
    second.close()
    assert threading.Thread.start is before
