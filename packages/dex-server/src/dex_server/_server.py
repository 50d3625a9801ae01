"""``DexServer``: the emulated service and its functions behind uvicorn."""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

import uvicorn
from dex_runner import ClockMode, DurableExecutionService
from dex_runner.service import LogCapture
from dex_store import ExecutionStore, StoreConfig, open_store

from ._app import create_app
from ._functions import (
    DEFAULT_EXECUTION_TIMEOUT,
    Handler,
    ServedFunctions,
    check_execution_timeout,
)

__all__ = ("DEFAULT_HOST", "DexServer", "ServerStartError", "own_log_to_stderr")

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
"""Where the server listens unless told otherwise: this machine only."""

_START_TIMEOUT = 10.0


@contextmanager
def own_log_to_stderr() -> Iterator[logging.Handler]:
    """Send dex-server's own warnings and errors to stderr, and only there.

    The ``dex_server`` logger gets a stderr handler of its own and stops
    propagating: the root logger carries the log capture that files
    in-process handlers' lines into their invocations, so without this a
    server error (a ServiceException's traceback) would vanish into an
    execution's logs instead of reaching the console. Undone on exit.
    """
    own = logging.getLogger("dex_server")
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(
        logging.Formatter("dex serve: %(levelname)s: %(message)s (%(name)s)")
    )
    before = (own.propagate, own.level)
    own.addHandler(handler)
    own.propagate = False
    if own.getEffectiveLevel() > logging.WARNING:
        own.setLevel(logging.WARNING)
    try:
        yield handler
    finally:
        own.removeHandler(handler)
        own.propagate = before[0]
        own.setLevel(before[1])


class ServerStartError(RuntimeError):
    """The server could not bind its address or did not start in time."""


class DexServer:
    """The Lambda durable execution API over HTTP, for the functions it serves.

    Parameters
    ----------
    store:
        Where executions are kept; from ``StoreConfig.from_env()``
        (``AWS_DEX_STORE_TYPE``, ``AWS_DEX_STORE_PATH``) when ``None``, and
        closed with the server then.
    host:
        The address to bind; loopback (``127.0.0.1``) by default.
    port:
        The port; 0 picks a free one (read it from ``port`` or ``url``).
    skip_time:
        ``True`` (the default): waits and retry delays take no wall time while
        the history keeps the modeled times; ``False``: real time.
    execution_timeout:
        The durable ExecutionTimeout, in seconds of the execution's clock, of
        every served function that does not set its own (default 300).

    Examples
    --------
    >>> with DexServer() as server:  # doctest: +SKIP
    ...     server.add_handler("orders", handler)
    ...     boto3.client("lambda", endpoint_url=server.url, ...)
    """

    def __init__(
        self,
        store: ExecutionStore | None = None,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        skip_time: bool = True,
        execution_timeout: int = DEFAULT_EXECUTION_TIMEOUT,
    ) -> None:
        # Refused before anything is acquired that closing would release.
        check_execution_timeout(execution_timeout)
        self._owns_store = store is None
        self.store: ExecutionStore = (
            store if store is not None else open_store(StoreConfig.from_env())
        )
        self._capture = LogCapture.acquire()
        self.functions = ServedFunctions(
            self._capture, execution_timeout=execution_timeout
        )
        # A server outlives its executions' invocations: executions an earlier
        # server left running in a persistent store are taken up on request.
        self.service = DurableExecutionService(
            self.store,
            self.functions,
            clock_mode=ClockMode.of(skip_time),
            resume_stored=True,
        )
        self._server: uvicorn.Server | None = None
        self.app = create_app(self.service, self.functions, stopping=self._stopping)
        try:
            self._socket = _bind(host, port)
        except BaseException:
            self._release()
            raise
        self.host, self.port = self._socket.getsockname()[:2]
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def url(self) -> str:
        """The endpoint URL to give boto3 (``endpoint_url``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def add_handler(
        self, name: str, handler: Handler, *, execution_timeout: int | None = None
    ) -> None:
        """Serve ``handler`` (a ``@durable_execution`` function) as ``name``.

        ``execution_timeout``: the function's durable ExecutionTimeout in seconds
        (the server's ``execution_timeout`` when ``None``).
        """
        self.functions.add_handler(name, handler, execution_timeout=execution_timeout)

    def add_runtime(self, name: str, url: str) -> None:
        """Forward Invoke of ``name`` to the Lambda runtime endpoint at ``url``."""
        self.functions.add_runtime(name, url)

    # -- running ---------------------------------------------------------------

    def _stopping(self) -> bool:
        return self._closed or (self._server is not None and self._server.should_exit)

    def _uvicorn(self) -> uvicorn.Server:
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        return uvicorn.Server(config)

    def start(self) -> DexServer:
        """Serve on a background thread; return once requests are answered.

        Raises
        ------
        ServerStartError
            The server did not start within 10 seconds.
        """
        if self._thread is not None:
            return self
        self._server = self._uvicorn()
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.run(sockets=[self._socket]),
            name=f"dex-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ServerStartError(
                    f"dex-server did not start on {self.url} within "
                    f"{_START_TIMEOUT:g} seconds"
                )
            time.sleep(0.01)
        logger.debug("serving on %s", self.url)
        return self

    def serve_forever(self) -> None:
        """Serve on this thread until interrupted (Ctrl-C), then close."""
        self._server = self._uvicorn()
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self.close()

    def close(self) -> None:
        """Stop serving, stop every execution and release the store.

        Calling it again does nothing.
        """
        if self._closed:
            return
        self._closed = True
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(_START_TIMEOUT)
        self._socket.close()
        try:
            self.service.close()
            self.functions.warn_still_running()
        finally:
            self._release()

    def _release(self) -> None:
        self._capture.release()
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> DexServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns Nagle's algorithm off (TCP_NODELAY)
    # only on connections of sockets that say so, and with it on every
    # response waits for a delayed ACK (about 40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ServerStartError(
            f"cannot listen on {host}:{port}: {error.strerror}; pick another "
            "--port (0 takes a free one)"
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock
