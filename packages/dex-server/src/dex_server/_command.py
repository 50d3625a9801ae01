"""``dex serve``: the durable execution API over HTTP for local functions.

dex-cli finds this command through the ``dex.commands`` entry-point group.
"""

from __future__ import annotations

import argparse
import os

from dex_cli import (
    EXIT_OK,
    CliError,
    Command,
    Output,
    add_store_arguments,
    check_writable_store,
    choose_store,
    load_handler,
)
from dex_runner import ServiceError, is_durable_handler
from dex_store import StoreConfigError, open_store

from ._functions import DEFAULT_EXECUTION_TIMEOUT
from ._server import DEFAULT_HOST, DexServer, ServerStartError, own_log_to_stderr

__all__ = ("DEFAULT_PORT", "SERVE")

DEFAULT_PORT = 9014
"""The port ``dex serve`` listens on unless ``--port`` says otherwise."""

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "handlers",
        nargs="*",
        metavar="[NAME=]MODULE:HANDLER",
        help=(
            "a @durable_execution handler to serve in this process, as the "
            "function NAME (default: the handler's attribute name)"
        ),
    )
    parser.add_argument(
        "--runtime",
        action="append",
        default=[],
        metavar="NAME=URL",
        help=(
            "forward Invoke of the function NAME to the Lambda runtime endpoint "
            "at URL (the runtime interface emulator, sam local start-lambda); "
            "repeatable"
        ),
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"the address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"the port to listen on (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--execution-timeout",
        type=int,
        default=DEFAULT_EXECUTION_TIMEOUT,
        metavar="SECONDS",
        help=(
            "the durable ExecutionTimeout of the served functions, in seconds of "
            f"the execution's clock (default {DEFAULT_EXECUTION_TIMEOUT}); a "
            "function's waits and retries must fit in it"
        ),
    )
    parser.add_argument(
        "--real-time",
        action="store_true",
        help="let waits and retry delays take wall time (default: skip them)",
    )
    add_store_arguments(parser)


def _split(spec: str, option: str) -> tuple[str | None, str]:
    name, sep, rest = spec.partition("=")
    if not sep:
        return None, spec
    if not name or not rest:
        raise CliError(f"{option} {spec!r}: expected NAME=VALUE")
    return name, rest


def _run(args: argparse.Namespace, output: Output) -> int:
    if not args.handlers and not args.runtime:
        raise CliError(
            "nothing to serve: give a MODULE:HANDLER or a --runtime NAME=URL"
        )
    choice = choose_store(args)
    # A path no store can be made at is refused now, not at the first Invoke;
    # one that does not exist yet is fine (the first execution creates it).
    check_writable_store(choice)
    specs = [_split(spec, "handler") for spec in args.handlers]
    runtimes = []
    for spec in args.runtime:
        name, url = _split(spec, "--runtime")
        if name is None:
            raise CliError(f"--runtime {spec!r}: expected NAME=URL")
        runtimes.append((name, url))

    try:
        store = open_store(choice.config)
    except StoreConfigError as error:
        raise CliError(str(error)) from None
    try:
        server = DexServer(
            store,
            host=args.host,
            port=args.port,
            skip_time=not args.real_time,
            execution_timeout=args.execution_timeout,
        )
    except ServiceError as error:
        store.close()
        raise CliError(error.message) from None
    except ServerStartError as error:
        store.close()
        raise CliError(str(error)) from None
    try:
        # Bound first, so the SDK is pointed here before the handlers' modules
        # are imported (one may make its boto3 client at import).
        _point_sdk_at(server.url, output)
        served: dict[str, str] = {}
        for name, target in specs:
            function = name or target.rsplit(":", 1)[-1].split(".")[-1]
            if function in served:
                raise CliError(
                    f"{served[function]} and {target} would both be served as the "
                    f"function {function!r}; name them: NAME={target}"
                )
            served[function] = target
            handler = load_handler(target)
            if not is_durable_handler(handler):
                output.note(
                    f"dex serve: {target} is not decorated with @durable_execution; "
                    "its executions will fail with dex.NotDurableHandler"
                )
            server.add_handler(function, handler)
        for name, url in runtimes:
            server.add_runtime(name, url)
    except ServiceError as error:
        server.close()
        store.close()
        raise CliError(error.message) from None
    except CliError:
        server.close()
        store.close()
        raise

    where = "this machine only" if args.host in _LOOPBACK else "other machines too"
    output.line(f"dex serve: listening on {server.url} ({where})")
    output.line(
        f"dex serve: store {choice.config.store_type}"
        + (
            f" at {choice.config.path}"
            if choice.config.store_type != "memory"
            else " (kept until this server stops)"
        )
    )
    for name in server.functions.names:
        output.line(f"dex serve: function {name}")
    output.line("dex serve: press Ctrl-C to stop")
    output.out.file.flush()
    try:
        with own_log_to_stderr():
            server.serve_forever()
    finally:
        store.close()
    return EXIT_OK


def _point_sdk_at(url: str, output: Output) -> None:
    """Make the SDK's own boto3 client (made on first use) call this server."""
    current = os.environ.get("AWS_ENDPOINT_URL_LAMBDA")
    if current and current != url:
        output.note(
            f"dex serve: AWS_ENDPOINT_URL_LAMBDA is {current}, not this server; "
            "in-process handlers will checkpoint there"
        )
    else:
        os.environ["AWS_ENDPOINT_URL_LAMBDA"] = url
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    import boto3

    if boto3.Session().get_credentials() is None:
        # The local endpoint checks no signature, but botocore signs every
        # request and refuses to without credentials.
        os.environ["AWS_ACCESS_KEY_ID"] = "dex"
        os.environ["AWS_SECRET_ACCESS_KEY"] = "dex"


SERVE = Command(
    name="serve",
    summary="serve the Lambda durable execution API over HTTP",
    description="""
        Serve the durable execution API (CheckpointDurableExecution,
        GetDurableExecution, GetDurableExecutionHistory, callbacks, stop, ...)
        and Invoke for the given functions, so boto3 clients and Lambda
        runtimes can use the emulated service. Handlers given as
        MODULE:HANDLER run in this process and checkpoint over HTTP with the
        SDK's own boto3 client (AWS_ENDPOINT_URL_LAMBDA is pointed at this
        server); --runtime forwards Invoke to a Lambda runtime endpoint whose
        handler must call back here (set AWS_ENDPOINT_URL_LAMBDA there).
        Executions go to the store chosen as everywhere (--store, --store-path,
        $AWS_DEX_STORE_TYPE, $AWS_DEX_STORE_PATH). Listens on 127.0.0.1 unless
        --host says otherwise.
    """,
    examples=(
        "dex serve examples.order_workflow:handler",
        "dex serve orders=app:handler --port 0 --store filesystem",
        "dex serve --runtime orders=http://127.0.0.1:9000",
    ),
    add_arguments=_add_arguments,
    run=_run,
)
