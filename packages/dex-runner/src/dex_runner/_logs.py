"""Capturing what a function logs during each invocation.

While a runner is open, one handler on the root logger and one tee on
``sys.stdout`` attribute each record or printed line to the invocation that
produced it: by thread (the invocation's thread and every thread started from
it, at any depth: the SDK's handler worker, map and parallel branches, the
function's own threads), by the ``executionArn`` the SDK's context logger
attaches, or, when one invocation is running, to that one. Lambda writes the
same lines to the invocation's log stream.

Which thread started which is learnt by wrapping ``threading.Thread.start``
while the capture is installed.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any, TextIO, cast

from dex_schema import LogEntry

__all__ = ("InvocationLog", "LogCapture")

_CAPTURE_LEVEL = logging.INFO


class InvocationLog:
    """The lines one invocation logged, stamped with its execution's clock."""

    def __init__(self, execution_arn: str, now: Callable[[], dt.datetime]) -> None:
        self.execution_arn = execution_arn
        self.now = now
        self.entries: list[LogEntry] = []
        self._partial: dict[int, str] = {}
        self._lock = threading.Lock()

    def add(self, level: str, logger: str, message: str) -> None:
        entry = LogEntry(
            timestamp=self.now(), level=level, logger=logger, message=message
        )
        with self._lock:
            self.entries.append(entry)

    def write(self, thread: int, text: str) -> None:
        with self._lock:
            buffered = self._partial.pop(thread, "") + text
            *lines, rest = buffered.split("\n")
            if rest:
                self._partial[thread] = rest
        for line in lines:
            self.add("INFO", "stdout", line)

    def snapshot(self) -> tuple[LogEntry, ...]:
        """The complete lines so far (a partial line stays buffered)."""
        with self._lock:
            return tuple(self.entries)

    def flush(self) -> tuple[LogEntry, ...]:
        with self._lock:
            rests = list(self._partial.values())
            self._partial.clear()
        for rest in rests:
            self.add("INFO", "stdout", rest)
        with self._lock:
            return tuple(self.entries)


class _Tee:
    """Writes through to the real stdout; every other member is the real one's.

    Not an ``io`` subclass, so ``fileno()`` and the rest reach the original
    (a subprocess given ``sys.stdout`` still gets a real descriptor).
    """

    def __init__(self, capture: LogCapture, original: TextIO) -> None:
        self._capture = capture
        self.original = original

    def write(self, text: str) -> int:
        log = self._capture.log_for(threading.get_ident(), None)
        if log is not None:
            log.write(threading.get_ident(), text)
        return self.original.write(text)

    def flush(self) -> None:
        self.original.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.original, name)


class _Handler(logging.Handler):
    def __init__(self, capture: LogCapture) -> None:
        super().__init__(level=_CAPTURE_LEVEL)
        self._capture = capture

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("dex_"):
            return
        log = self._capture.log_for(
            record.thread or 0, getattr(record, "executionArn", None)
        )
        if log is None:
            return
        message = record.getMessage()
        if record.exc_info:
            message = (
                f"{message}\n{logging.Formatter().formatException(record.exc_info)}"
            )
        log.add(record.levelname, record.name, message)


class LogCapture:
    """Process-wide capture, installed while at least one runner is open."""

    _instance: LogCapture | None = None
    _instance_lock = threading.Lock()

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_thread: dict[int, InvocationLog] = {}
        self._owners: dict[threading.Thread, InvocationLog] = {}
        self._parents: weakref.WeakKeyDictionary[threading.Thread, threading.Thread]
        self._parents = weakref.WeakKeyDictionary()
        self._original_start: Callable[[threading.Thread], None] | None = None
        self._start: Callable[[threading.Thread], None] | None = None
        self._active: list[InvocationLog] = []
        self._users = 0
        self._handler = _Handler(self)
        self._tee: _Tee | None = None
        self._root_level: int | None = None

    @classmethod
    def acquire(cls) -> LogCapture:
        """Install the capture (once per process) and return it."""
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = LogCapture()
            capture = cls._instance
            capture._users += 1
            if capture._users == 1:
                capture._install()
            return capture

    def release(self) -> None:
        """Undo one ``acquire``; the last one uninstalls the capture."""
        with LogCapture._instance_lock:
            self._users -= 1
            if self._users == 0:
                self._uninstall()

    def _install(self) -> None:
        root = logging.getLogger()
        root.addHandler(self._handler)
        # Lambda's runtime logs INFO from the root logger, which the SDK's
        # context logger writes to; Python's default (WARNING) would drop it.
        if root.level == logging.NOTSET or root.level > _CAPTURE_LEVEL:
            self._root_level = root.level
            root.setLevel(_CAPTURE_LEVEL)
        self._tee = _Tee(self, sys.stdout)
        sys.stdout = cast(TextIO, self._tee)
        original = threading.Thread.start
        parents = self._parents
        lock = self._lock

        def start(thread: threading.Thread) -> None:
            # Remember who started the thread, so that what it logs goes
            # where its starter's lines go (see ``log_for``).
            with lock:
                parents[thread] = threading.current_thread()
            original(thread)

        self._original_start = original
        self._start = start
        setattr(threading.Thread, "start", start)  # noqa: B010

    def _uninstall(self) -> None:
        root = logging.getLogger()
        root.removeHandler(self._handler)
        if self._root_level is not None:
            root.setLevel(self._root_level)
            self._root_level = None
        if self._tee is not None and sys.stdout is cast(TextIO, self._tee):
            sys.stdout = self._tee.original
        self._tee = None
        if self._original_start is not None:
            # When someone wrapped ``start`` over ours, theirs stays (and ours
            # under it only records parents, which nothing reads meanwhile).
            if threading.Thread.start is self._start:
                setattr(threading.Thread, "start", self._original_start)  # noqa: B010
            self._original_start = None
            self._start = None

    def begin(self, log: InvocationLog) -> None:
        """Attribute what the calling thread logs to ``log`` from now on."""
        with self._lock:
            self._by_thread[threading.get_ident()] = log
            self._owners[threading.current_thread()] = log
            self._active.append(log)

    def end(self, log: InvocationLog) -> None:
        """Stop attributing anything to ``log``."""
        with self._lock:
            self._active = [active for active in self._active if active is not log]
            for thread, owner in list(self._by_thread.items()):
                if owner is log:
                    del self._by_thread[thread]
            for started, owner in list(self._owners.items()):
                if owner is log:
                    del self._owners[started]

    def log_for(self, thread: int, execution_arn: object) -> InvocationLog | None:
        """The log of the invocation a line from ``thread`` belongs to, if any.

        Parameters
        ----------
        thread:
            The ident of the thread that wrote the line or made the record.
        execution_arn:
            The ``executionArn`` the SDK's context logger attached, if any.
        """
        with self._lock:
            if thread == threading.get_ident():
                log = self._owner_of(threading.current_thread())
                if log is not None:
                    return log
            log = self._by_thread.get(thread)
            if log is not None:
                return log
            if isinstance(execution_arn, str):
                for active in self._active:
                    if active.execution_arn == execution_arn:
                        self._by_thread[thread] = active
                        return active
            if thread == threading.main_thread().ident:
                # The test itself runs there; handlers never do in-process.
                return None
            if len(self._active) == 1:
                # XXX: a line from a thread no invocation started (one of a
                # pool made before, say) is given to the one invocation
                # running; with several running it is not captured unless
                # the SDK's logger names its execution.
                self._by_thread[thread] = self._active[0]
                return self._active[0]
            return None

    def _owner_of(self, thread: threading.Thread) -> InvocationLog | None:
        """The invocation ``thread`` or the thread that started it (and so on) runs.

        An invocation's thread is in ``_owners`` from ``begin`` to ``end``,
        alive all that time, so a thread object found there is never one whose
        ident was reused.
        """
        node: threading.Thread | None = thread
        while node is not None:
            log = self._owners.get(node)
            if log is not None:
                return log
            node = self._parents.get(node)
        return None
