"""The service's core: its executions, their drivers, the store and closing.

``DurableExecutionService`` is put together from this core and the groups of
operations in ``_reads``, ``_callbacks`` and ``_observe``; the operations that
change an execution's course are in ``_service``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import msgspec
from dex_schema import (
    InvocationOutcome,
    Operation,
)
from dex_store import (
    ExecutionNotFoundError,
    ExecutionStore,
    StoreNotFoundError,
)

from ._api import (
    Invoker,
)
from ._clock import ClockMode, VirtualClock
from ._driver import MAX_INVOCATION_ATTEMPTS, Driver
from ._errors import (
    InvalidCheckpointTokenError,
    InvalidParameterValueError,
    ResourceNotFoundError,
    ServiceInternalError,
)
from ._execution import LiveExecution
from ._group import join_group, settle
from ._invoke import ChainedInvokes, FunctionCatalog
from ._pause import forget

if TYPE_CHECKING:
    from ._service import DurableExecutionService

__all__ = (
    "DEFAULT_HISTORY_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "STATE_PAGE_SIZE",
    "ServiceCore",
    "not_found",
)

logger = logging.getLogger(__name__)

_replace = msgspec.structs.replace

STATE_PAGE_SIZE = 1000
"""Operations per page of the invocation's initial state and of
GetDurableExecutionState (the most ``MaxItems`` may ask for)."""
DEFAULT_HISTORY_PAGE_SIZE = 100
"""Events per GetDurableExecutionHistory page when ``MaxItems`` is 0 or absent."""
MAX_PAGE_SIZE = 1000
"""The largest ``MaxItems`` any listing accepts."""


class ServiceCore:
    """State shared by every group of the service's operations."""

    def __init__(
        self,
        store: ExecutionStore,
        invoker: Invoker | None = None,
        *,
        clock_mode: ClockMode = ClockMode.SKIP,
        state_page_size: int = STATE_PAGE_SIZE,
        max_invocation_attempts: int = MAX_INVOCATION_ATTEMPTS,
        resume_stored: bool = False,
        invocation_timeout: float = 900,
    ) -> None:
        self.store = store
        self.resume_stored = resume_stored
        self.invocation_timeout = invocation_timeout
        self._resume_lock = threading.Lock()
        self.clock_mode = clock_mode
        self.state_page_size = state_page_size
        self._invoker = invoker
        self._lock = threading.Lock()
        self._live: dict[str, LiveExecution] = {}
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._driver = Driver(
            invoker=lambda: self._invoker,
            persist=self._persist,
            first_page=self._first_page,
            service=self,
            max_invocation_attempts=max_invocation_attempts,
        )

        self._driver.on_complete = self._on_complete
        self._chained = ChainedInvokes(cast("DurableExecutionService", self))

    def set_invoker(self, invoker: Invoker) -> None:
        """Use ``invoker`` for every invocation from now on."""
        self._invoker = invoker

    def _drive(self, live: LiveExecution) -> None:
        try:
            self._driver.drive(live)
        except Exception as error:
            logger.exception("the driver of %s failed", live.arn)
            with live.condition:
                live.broken = error
                live.closed = True
                live.condition.notify_all()

    def _check_broken(self, live: LiveExecution) -> None:
        if live.broken is not None:
            raise ServiceInternalError(
                f"the service failed while running execution {live.arn}: "
                f"{live.broken!r}; the store holds its last consistent state"
            )

    def _adopt(self, live: LiveExecution) -> None:
        clock = live.clock
        clock.subscribe(lambda: _wake(live))
        join_group(live)
        thread = threading.Thread(
            target=self._drive,
            args=(live,),
            name=f"dex-execution-{live.summary.durable_execution_name}",
            daemon=True,
        )
        with self._lock:
            self._live[live.arn] = live
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def set_functions(self, catalog: FunctionCatalog | None) -> None:
        """Look chained invoke targets up in ``catalog`` from now on.

        With no catalog (the default) every target is run as a durable
        execution by the invoker.
        """
        self._chained.catalog = catalog

    def persist(self, live: LiveExecution) -> None:
        """Write ``live``'s record to the store (hold its lock)."""
        self._persist(live)

    def track_thread(self, thread: threading.Thread) -> None:
        """Have ``close`` wait for ``thread`` too."""
        with self._lock:
            self._threads.append(thread)

    def _on_complete(self, live: LiveExecution) -> None:
        forget(live.arn)
        self._chained.child_completed(live)

    def close(self) -> None:
        """Start no more invocations, and return once every driver has ended.

        An invocation still running may finish until its invocation timeout;
        one running past it is fenced (its checkpoints are rejected) as
        usual. Nothing of the service writes to the store once this returns.
        """
        self._closed = True
        with self._lock:
            lives = list(self._live.values())
            threads = list(self._threads)
        for live in lives:
            with live.condition:
                live.closing = True
                live.condition.notify_all()
        for thread in threads:
            thread.join()
        for live in lives:
            with live.condition:
                live.closed = True
                live.token = None
                live.condition.notify_all()

    def advance_time(self, execution_arn: str, seconds: float) -> None:
        """Move the execution's clock (and its chained executions') forward.

        Timers that come due fire. Meant for ``ClockMode.MANUAL``; in the
        other modes it skips time too. It first waits for the executions on
        the clock to come to rest, so a wait the function is about to start
        is scheduled before time moves. Returns once every execution on the
        clock has fired the timers that came due and run the invocations they
        caused (at most ``SETTLE_TIMEOUT`` wall seconds), so what a test reads
        next reflects the new time. Raises ``ResourceNotFoundError`` for an
        unknown ARN and ``ValueError`` for negative ``seconds``.
        """
        live = self._get_live(execution_arn, ResourceNotFoundError)
        # First let what is under way (an invocation just started, say) come
        # to rest, so the timers it creates count from the time before.
        settle(live)
        live.clock.advance(seconds)
        settle(live)

    def clock_for(self, execution_arn: str) -> Callable[[], dt.datetime]:
        """The execution clock's ``now`` (``ResourceNotFoundError`` if unknown)."""
        return self._get_live(execution_arn, ResourceNotFoundError).clock.now

    def _check_token(self, live: LiveExecution, token: str) -> None:
        if live.token is None:
            raise InvalidCheckpointTokenError(
                f"execution {live.arn} accepts no checkpoint now: the invocation "
                "that held this token has ended, was timed out or the execution "
                "is over"
            )
        if token != live.token:
            raise InvalidCheckpointTokenError(
                f"token {token!r} is not the current token of execution "
                f"{live.arn}; every checkpoint returns a new token and only the "
                "newest is accepted"
            )

    def _get_live(
        self,
        execution_arn: str,
        error: type[InvalidParameterValueError] | type[ResourceNotFoundError],
    ) -> LiveExecution:
        with self._lock:
            live = self._live.get(execution_arn)
        if live is None and self.resume_stored and not self._closed:
            live = self._resume(execution_arn)
        if live is None:
            raise not_found(execution_arn, error)
        return live

    def _resume(self, execution_arn: str) -> LiveExecution | None:
        """Take up a stored execution this service does not run (yet)."""
        with self._resume_lock:
            with self._lock:
                live = self._live.get(execution_arn)
            if live is not None:
                return live
            try:
                record = self.store.load(execution_arn)
            except (ExecutionNotFoundError, StoreNotFoundError):
                # A store that does not exist yet holds no executions.
                return None
            clock = VirtualClock(self.clock_mode)
            saved = record.service_state.clock
            if saved is not None and self.clock_mode is not ClockMode.REAL:
                clock.skip_to(saved)
            config = record.execution.durable_config
            live = LiveExecution(
                record,
                clock,
                invocation_timeout=self.invocation_timeout,
                execution_timeout=(config.execution_timeout if config else None) or 300,
            )
            # Whatever invocation was running when the record was written is
            # gone with the service that ran it: its token is void and the
            # function is invoked again, as it is when one had failed or an
            # operation changed since the last one.
            live.token = None
            last = record.invocations[-1].outcome if record.invocations else None
            live.invoke_requested = not live.terminal and (
                last in (None, InvocationOutcome.RUNNING, InvocationOutcome.ERROR)
                or bool(live.updated_ids)
            )
            logger.debug("resuming %s from the store", execution_arn)
            self._adopt(live)
            return live

    def _persist(self, live: LiveExecution) -> None:
        if live.closed:
            return
        try:
            stored = self.store.update(live.to_record())
        except Exception as error:
            # Mark the execution broken before the error unwinds out of any
            # lock held around this write: a waiter woken in between must see
            # the failure, not the terminal state the store never took.
            live.broken = error
            live.closed = True
            raise
        live.revision = stored.revision

    def _first_page(
        self, live: LiveExecution
    ) -> tuple[tuple[Operation, ...], str | None]:
        raise NotImplementedError  # pragma: no cover - ``Reads`` provides it


def _wake(live: LiveExecution) -> None:
    with live.condition:
        live.condition.notify_all()


def not_found(
    arn: str,
    error: type[InvalidParameterValueError]
    | type[ResourceNotFoundError] = ResourceNotFoundError,
) -> Exception:
    return error(f"Durable execution {arn!r} not found")
