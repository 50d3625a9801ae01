"""``MemoryExecutionStore``: executions kept in a dict, for one process."""

from __future__ import annotations

import logging
import threading
from typing import Any

import msgspec
from dex_schema import ExecutionRecord
from dex_store import (
    ExecutionAlreadyExistsError,
    ExecutionConflictError,
    ExecutionNotFoundError,
    ExecutionQuery,
    ExecutionSummaryRow,
    QueryPage,
    StoreConfig,
    StoreConfigError,
    run_query,
)

__all__ = ("MemoryExecutionStore",)

_log = logging.getLogger(__name__)


class MemoryExecutionStore:
    """An ``ExecutionStore`` that keeps every execution in memory.

    It is the default store: nothing is written anywhere and everything is
    gone when the process ends. Every method is thread-safe. Records are
    frozen ``msgspec`` structs, so the copy one caller loads can never be
    changed by another.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, ExecutionRecord] = {}
        self._rows: dict[str, ExecutionSummaryRow] = {}

    @classmethod
    def from_config(cls, config: StoreConfig, **options: Any) -> MemoryExecutionStore:
        """Make a store for ``open_store`` (the ``memory`` entry point).

        Parameters
        ----------
        config:
            The store configuration; its ``path`` is not used.
        options:
            None are accepted.

        Raises
        ------
        StoreConfigError
            An option was given.
        """
        if options:
            raise StoreConfigError(
                f"the memory store takes no options, got {', '.join(sorted(options))}"
            )
        return cls()

    def create(self, record: ExecutionRecord) -> ExecutionRecord:
        """Store a new execution; see ``ExecutionStore.create``."""
        stored = msgspec.structs.replace(record, revision=1)
        with self._lock:
            if record.arn in self._records:
                raise ExecutionAlreadyExistsError(record.arn)
            self._put(stored)
        _log.debug("created %s", record.arn)
        return stored

    def load(self, arn: str) -> ExecutionRecord:
        """Return the stored record; see ``ExecutionStore.load``."""
        with self._lock:
            try:
                return self._records[arn]
            except KeyError:
                raise ExecutionNotFoundError(arn, "the memory store") from None

    def update(self, record: ExecutionRecord) -> ExecutionRecord:
        """Replace a stored execution; see ``ExecutionStore.update``."""
        stored = msgspec.structs.replace(record, revision=record.revision + 1)
        with self._lock:
            current = self._records.get(record.arn)
            if current is None:
                raise ExecutionNotFoundError(record.arn, "the memory store")
            if current.revision != record.revision:
                raise ExecutionConflictError(
                    record.arn, record.revision, current.revision
                )
            self._put(stored)
        _log.debug("updated %s to revision %d", record.arn, stored.revision)
        return stored

    def delete(self, arn: str) -> None:
        """Remove a stored execution; see ``ExecutionStore.delete``."""
        with self._lock:
            if arn not in self._records:
                raise ExecutionNotFoundError(arn, "the memory store")
            del self._records[arn]
            del self._rows[arn]
        _log.debug("deleted %s", arn)

    def query(self, query: ExecutionQuery | None = None) -> QueryPage:
        """Return one page of summaries; see ``ExecutionStore.query``."""
        with self._lock:
            rows = list(self._rows.values())
        return run_query(query, rows)

    def close(self) -> None:
        """Forget every execution."""
        with self._lock:
            self._records.clear()
            self._rows.clear()

    def _put(self, record: ExecutionRecord) -> None:
        self._records[record.arn] = record
        self._rows[record.arn] = ExecutionSummaryRow.of(record)
