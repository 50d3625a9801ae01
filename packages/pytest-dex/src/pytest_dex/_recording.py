"""A store view that notes every execution a test creates.

The plugin hands the runner this view instead of the store itself, so it
knows, without asking the runner, which executions one test started (chained
executions included): the failure report shows them and teardown stops the
ones left running. With the filesystem store shared by many tests and
pytest-xdist workers, this is what keeps one test from touching another's.
"""

from __future__ import annotations

import threading
from typing import Any

from dex_schema import ExecutionRecord
from dex_store import ExecutionQuery, ExecutionStore, QueryPage

__all__ = ("RecordingStore",)


class RecordingStore:
    """An ``ExecutionStore`` that forwards to ``store`` and notes created ARNs.

    Parameters
    ----------
    store:
        The store every call goes to. Attributes this class does not define
        (such as the filesystem store's ``path_for``) are read from it.
    """

    def __init__(self, store: ExecutionStore) -> None:
        self.wrapped = store
        self._lock = threading.Lock()
        self._created: list[str] = []

    @property
    def created_arns(self) -> tuple[str, ...]:
        """The ARNs of the executions created through this view, in order."""
        with self._lock:
            return tuple(self._created)

    def note(self, arn: str) -> None:
        """Note ``arn`` as created by the test (for runners given no store)."""
        with self._lock:
            if arn not in self._created:
                self._created.append(arn)

    def create(self, record: ExecutionRecord) -> ExecutionRecord:
        """Create ``record`` in the wrapped store and note its ARN."""
        stored = self.wrapped.create(record)
        self.note(stored.arn)
        return stored

    def load(self, arn: str) -> ExecutionRecord:
        """Load from the wrapped store."""
        return self.wrapped.load(arn)

    def update(self, record: ExecutionRecord) -> ExecutionRecord:
        """Update in the wrapped store."""
        return self.wrapped.update(record)

    def delete(self, arn: str) -> None:
        """Delete from the wrapped store."""
        self.wrapped.delete(arn)

    def query(self, query: ExecutionQuery | None = None) -> QueryPage:
        """Query the wrapped store."""
        return self.wrapped.query(query)

    def close(self) -> None:
        """Do nothing: the plugin closes the wrapped store after the runner.

        A runner closing the store it was given would otherwise leave the
        failure report and teardown nothing to read.
        """

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)

    def __repr__(self) -> str:
        return f"RecordingStore({self.wrapped!r})"
