"""Letting the interpreter exit past handlers that never return.

Lambda ends a function that runs past its timeout by ending its process. In one
Python process a thread cannot be stopped, and the SDK runs each handler on a
worker of a ``ThreadPoolExecutor`` (non-daemon threads named ``dex-handler_N``),
which the interpreter joins at exit: one handler stuck in a loop would keep
``dex run``, or a whole pytest session, from ever exiting. Once a runner has
fenced off a handler that is still running, a hook that runs at interpreter
exit, before threads are joined, leaves those SDK workers out of the join.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import thread as _futures_thread

__all__ = ("release_hung_handlers_at_exit",)

logger = logging.getLogger(__name__)

SDK_WORKER_PREFIX = "dex-handler"
"""The name prefix of the SDK's handler worker threads."""

_registered = False
_registered_lock = threading.Lock()


def release_hung_handlers_at_exit() -> None:
    """Make sure hung handler threads do not keep the interpreter from exiting.

    Safe to call often; the exit hook is registered once.
    """
    global _registered
    with _registered_lock:
        if _registered:
            return
        _registered = True
    register = getattr(threading, "_register_atexit", None)
    if register is None:  # pragma: no cover - every supported Python has it
        logger.warning("cannot release hung handler threads at exit")
        return
    register(_release)


def _release() -> None:
    # XXX: this leans on CPython internals (concurrent.futures' registry of
    # workers to join and threading's shutdown locks, as in 3.11 and 3.12);
    # where they differ, a hung handler still keeps the process from exiting.
    current = threading.current_thread()
    queues = getattr(_futures_thread, "_threads_queues", None)
    shutdown_locks = getattr(threading, "_shutdown_locks", None)
    for worker in threading.enumerate():
        if worker is current or not worker.name.startswith(SDK_WORKER_PREFIX):
            continue
        if queues is not None:
            queues.pop(worker, None)
        lock = getattr(worker, "_tstate_lock", None)
        if shutdown_locks is not None and lock is not None:
            shutdown_locks.discard(lock)
