"""Pieces the conformance handlers share: serdes, retry strategies, loggers.

Every handler is built by a factory (``() -> handler``) so that state a case
keeps across invocations (how often a step has run, standing in for the
external store a deployed function would use) is fresh for every run.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from aws_durable_execution_sdk_python.config import Duration, JitterStrategy
from aws_durable_execution_sdk_python.logger import Logger
from aws_durable_execution_sdk_python.retries import (
    RetryDecision,
    RetryStrategyConfig,
    create_retry_strategy,
)
from aws_durable_execution_sdk_python.serdes import SerDes, SerDesContext

Handler = Callable[..., Any]
"""A function decorated with ``durable_execution``."""

HandlerFactory = Callable[[], Handler]
"""Builds a fresh handler (with fresh cross-invocation state) for one run."""

RetryStrategy = Callable[[Exception, int], RetryDecision]


class TransientError(Exception):
    """An error a retry strategy may single out by type."""


class JsonSerDes(SerDes[Any]):
    """Plain JSON both ways: a callback payload becomes the value it encodes."""

    def serialize(self, value: Any, serdes_context: SerDesContext) -> str:
        return json.dumps(value)

    def deserialize(self, data: str, serdes_context: SerDesContext) -> Any:
        return json.loads(data)


def _upper_strings(value: Any) -> Any:
    if isinstance(value, str):
        return value.upper()
    if isinstance(value, dict):
        return {key: _upper_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_upper_strings(item) for item in value]
    return value


class UppercaseJsonSerDes(SerDes[Any]):
    """JSON, with every string value uppercased on the way out."""

    def serialize(self, value: Any, serdes_context: SerDesContext) -> str:
        return json.dumps(_upper_strings(value))

    def deserialize(self, data: str, serdes_context: SerDesContext) -> Any:
        return json.loads(data)


class UppercaseTextSerDes(SerDes[str]):
    """The value's text uppercased, stored as it is (not JSON-quoted)."""

    def serialize(self, value: str, serdes_context: SerDesContext) -> str:
        return value.upper()

    def deserialize(self, data: str, serdes_context: SerDesContext) -> str:
        return data


def fixed_retry(max_attempts: int, delay_seconds: int = 1) -> RetryStrategy:
    """Retry up to ``max_attempts`` attempts in all, ``delay_seconds`` apart."""
    return create_retry_strategy(
        RetryStrategyConfig(
            max_attempts=max_attempts,
            initial_delay=Duration.from_seconds(delay_seconds),
            max_delay=Duration.from_seconds(delay_seconds),
            backoff_rate=1,
            jitter_strategy=JitterStrategy.NONE,
        )
    )


def replay_logging(logger: Logger) -> Logger:
    """The same logger, logging during replay too (so re-execution shows)."""
    return logger.with_is_replaying(lambda: False)


def crash() -> NoReturn:
    """End the invocation as a crashed Lambda process does (``Runtime.ExitError``).

    In process, a ``SystemExit`` raised by the handler stands for the process
    exiting (issue 3).
    """
    sys.exit(1)


class Counter:
    """How often something ran, kept across the invocations of one run."""

    def __init__(self) -> None:
        self.count = 0

    def next(self) -> int:
        """Count one more run and return the new total."""
        self.count += 1
        return self.count
