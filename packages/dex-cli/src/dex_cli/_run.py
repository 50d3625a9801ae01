"""``dex run``: run a durable handler with the local runner, print the outcome."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

import msgspec
from dex_schema import (
    ErrorObject,
    ExecutionRecord,
    ExecutionStatus,
    Operation,
    OperationStatus,
    OperationSubType,
    OperationType,
)
from dex_store import ExecutionStore, StoreError, StoreType, open_store

from ._command import Command
from ._console import Output
from ._errors import EXIT_FAILURE, EXIT_OK, CliError
from ._handler import load_handler, parse_json_option
from ._show import print_execution, record_location
from ._store import (
    StoreChoice,
    add_store_arguments,
    check_writable_store,
    choose_store,
    path_origin_hint,
)

if TYPE_CHECKING:
    # dex_runner imports the SDK and boto3, which take a second or two; only
    # ``dex run`` needs them, so it imports them when it runs.
    from dex_runner import DurableFunctionTestRunner

__all__ = ("RUN", "PendingCallback", "pending_callbacks")

_CALLBACK_POLL_SECONDS = 0.05
"""How long one wait for a callback lasts before the execution is checked."""
_WAIT_GRACE_SECONDS = 5.0
"""Wall seconds given beyond the execution timeout for its end to be recorded."""


class PendingCallback(msgspec.Struct, frozen=True, kw_only=True):
    """A callback the execution waits on that nobody has answered yet.

    Attributes
    ----------
    name:
        The callback's name, or the name of the ``wait_for_callback`` that
        made it; its operation id when neither has one.
    callback_id:
        The id answers are sent to.
    operation_id:
        The CALLBACK operation's id.
    """

    name: str
    callback_id: str
    operation_id: str


def pending_callbacks(record: ExecutionRecord) -> list[PendingCallback]:
    """The callbacks of ``record`` that are started and not answered."""
    by_id = {op.id: op for op in record.operations}
    pending = []
    for op in record.operations:
        if op.type is not OperationType.CALLBACK:
            continue
        if op.status is not OperationStatus.STARTED:
            continue
        details = op.callback_details
        if details is None or not details.callback_id:
            continue
        pending.append(
            PendingCallback(
                name=_callback_name(op, by_id),
                callback_id=details.callback_id,
                operation_id=op.id,
            )
        )
    return pending


def _callback_name(op: Operation, by_id: dict[str, Operation]) -> str:
    # wait_for_callback names its context; the CALLBACK inside gets a name
    # the SDK derives from it ("NAME create callback id"), which users never
    # wrote, so the context's name is the callback's name.
    parent = by_id.get(op.parent_id or "")
    if (
        parent is not None
        and parent.name
        and parent.sub_type == OperationSubType.WAIT_FOR_CALLBACK
    ):
        return parent.name
    return op.name or op.id


def _parse_callbacks(values: list[str] | None) -> dict[str, str]:
    answers: dict[str, str] = {}
    for value in values or ():
        name, sep, payload = value.partition("=")
        if not sep or not name:
            raise CliError(
                f"--callback expects NAME=JSON (like approval='{{\"ok\": true}}'); "
                f"got {value!r}"
            )
        answers[name] = parse_json_option(payload, f"--callback {name}")
    return answers


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "handler",
        metavar="MODULE:HANDLER",
        help="the durable handler: a module importable from the current "
        "directory and the name of the @durable_execution function in it",
    )
    parser.add_argument(
        "--input",
        metavar="JSON",
        default=None,
        help="the execution's input, as JSON (or @FILE to read it from a file)",
    )
    parser.add_argument(
        "--callback",
        action="append",
        metavar="NAME=JSON",
        help="answer the callback NAME with this JSON result when it starts "
        "(repeatable); unanswered callbacks are asked for on a terminal and stop "
        "the execution otherwise",
    )
    parser.add_argument(
        "--no-skip-time",
        action="store_true",
        help="let waits and retry delays take real time (by default they are "
        "skipped and only recorded)",
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=int,
        default=300,
        help="the execution timeout, also the most the command waits (default 300)",
    )
    parser.add_argument(
        "--name", metavar="NAME", help="the execution name (default: generated)"
    )
    parser.add_argument(
        "--function-name",
        metavar="NAME",
        help="the function name in the execution's ARN (default: the module name)",
    )
    add_store_arguments(parser)


def stdin_is_terminal() -> bool:
    """Whether a person can answer questions on standard input."""
    return sys.stdin is not None and sys.stdin.isatty()


def _ask(output: Output, callback: PendingCallback) -> tuple[str, str | None]:
    from rich.prompt import Prompt

    output.err.print(
        f"callback [bold]{callback.name}[/] (id {callback.callback_id}) is waiting"
    )
    choice = Prompt.ask(
        "answer with (s)uccess, (f)ailure or (h)eartbeat",
        choices=["s", "f", "h"],
        default="s",
        console=output.err,
    )
    if choice == "h":
        return "heartbeat", None
    if choice == "f":
        message = Prompt.ask("error message", console=output.err)
        return "failure", message
    while True:
        text = Prompt.ask("result JSON", default="null", console=output.err)
        try:
            return "success", parse_json_option(text, "result")
        except CliError as error:
            output.note(str(error))


def _open_store(choice: StoreChoice) -> ExecutionStore:
    try:
        return open_store(choice.config)
    except StoreError as error:
        raise CliError(str(error)) from None


def _find(record: ExecutionRecord, callback_id: str) -> PendingCallback | None:
    for callback in pending_callbacks(record):
        if callback.callback_id == callback_id:
            return callback
    return None


class _Unanswered(msgspec.Struct, frozen=True, kw_only=True):
    """A callback nobody answered, and why, after the execution was stopped."""

    name: str
    reason: str


def _stop_unanswered(
    runner: DurableFunctionTestRunner, arn: str, name: str, why: str
) -> None:
    runner.stop_execution(
        arn,
        error=ErrorObject(
            error_type="UnansweredCallback",
            error_message=f"dex run stopped the execution: callback {name!r} {why}",
        ),
    )


def _answer(
    runner: DurableFunctionTestRunner,
    arn: str,
    callback: PendingCallback,
    answers: dict[str, str],
    output: Output,
) -> _Unanswered | None:
    """Answer one callback; say why not when nobody could and it was stopped."""
    if callback.name in answers:
        runner.send_callback_success(
            callback.callback_id, result=answers[callback.name]
        )
        output.note(f"answered callback {callback.name!r} from --callback", "dim")
        return None
    if stdin_is_terminal():
        try:
            kind, value = _ask(output, callback)
        except EOFError:
            _stop_unanswered(
                runner, arn, callback.name, "got no answer: standard input ended"
            )
            return _Unanswered(
                name=callback.name,
                reason=(
                    "standard input ended before an answer, and no --callback "
                    f"{callback.name}=JSON given"
                ),
            )
        if kind == "success":
            runner.send_callback_success(callback.callback_id, result=value)
        elif kind == "failure":
            runner.send_callback_failure(
                callback.callback_id,
                error=ErrorObject(error_type="CallbackFailure", error_message=value),
            )
        else:
            runner.send_callback_heartbeat(callback.callback_id)
        return None
    _stop_unanswered(
        runner,
        arn,
        callback.name,
        "had no --callback answer and no terminal to ask on",
    )
    return _Unanswered(
        name=callback.name,
        reason=f"not on a terminal, and no --callback {callback.name}=JSON given",
    )


def _drive(
    runner: DurableFunctionTestRunner,
    arn: str,
    answers: dict[str, str],
    output: Output,
    deadline: float,
) -> _Unanswered | None:
    """Answer callbacks until the execution ends; return the unanswered one."""
    while time.monotonic() < deadline:
        try:
            callback_id = runner.wait_for_callback(
                arn, name=None, timeout=_CALLBACK_POLL_SECONDS
            )
        except TimeoutError:
            record = runner.get_execution(arn)
            if record.execution.status is not ExecutionStatus.RUNNING:
                return None
            continue
        callback = _find(runner.get_execution(arn), callback_id)
        if callback is None:
            continue
        unanswered = _answer(runner, arn, callback, answers, output)
        if unanswered is not None:
            return unanswered
    return None


def callback_names(record: ExecutionRecord) -> list[str]:
    """The names of every callback ``record`` started, in the order started."""
    by_id = {op.id: op for op in record.operations}
    names: list[str] = []
    for op in record.operations:
        if op.type is OperationType.CALLBACK:
            name = _callback_name(op, by_id)
            if name not in names:
                names.append(name)
    return names


def _warn_unused_answers(
    output: Output, answers: dict[str, str], record: ExecutionRecord
) -> None:
    started = callback_names(record)
    for name in answers:
        if name in started:
            continue
        seen = (
            "the callbacks that started: " + ", ".join(repr(n) for n in started)
            if started
            else "no callback started"
        )
        output.note(
            f"warning: --callback {name}=... answered nothing: no callback named "
            f"{name!r} started ({seen})"
        )


def _stop_interrupted(
    runner: DurableFunctionTestRunner, arn: str, output: Output, location: str
) -> None:
    """Stop an execution a Ctrl-C left running, so its record does not stay RUNNING."""
    from dex_runner import ServiceError

    try:
        if runner.get_execution(arn).execution.status is ExecutionStatus.RUNNING:
            runner.stop_execution(
                arn,
                error=ErrorObject(
                    error_type="Interrupted",
                    error_message="dex run was interrupted (Ctrl-C)",
                ),
            )
            output.note(f"dex run: stopped execution {arn}; its record: {location}")
    except ServiceError as error:
        output.note(f"dex run: could not stop execution {arn}: {error}")


def _function_name(args: argparse.Namespace) -> str:
    if args.function_name:
        return str(args.function_name)
    spec: str = args.handler
    module = spec.partition(":")[0].rsplit(".", 1)[-1]
    return module.replace("_", "-")


def _run(args: argparse.Namespace, output: Output) -> int:
    from dex_runner import (
        DurableFunctionTestRunner,
        ExecutionWaitTimeoutError,
        InvalidInputError,
        NotDurableHandlerError,
        ServiceError,
        is_durable_handler,
    )
    from dex_store import StoreNotFoundError

    payload = (
        parse_json_option(args.input, "--input") if args.input is not None else None
    )
    answers = _parse_callbacks(args.callback)
    if args.timeout < 1:
        raise CliError(f"--timeout must be 1 or more seconds; got {args.timeout}")
    handler = load_handler(args.handler)
    if not is_durable_handler(handler):
        raise CliError(
            f"{args.handler!r} is not a durable handler: it is not decorated with "
            "@durable_execution from aws_durable_execution_sdk_python"
        )
    choice = choose_store(args)
    check_writable_store(choice)
    store = _open_store(choice)
    unanswered: _Unanswered | None = None
    try:
        with DurableFunctionTestRunner(
            handler,
            store=store,
            skip_time=not args.no_skip_time,
            execution_timeout=args.timeout,
            function_name=_function_name(args),
        ) as runner:
            arn = runner.run_async(payload, execution_name=args.name)
            try:
                deadline = time.monotonic() + args.timeout
                unanswered = _drive(runner, arn, answers, output, deadline)
                remaining = max(deadline - time.monotonic(), 0.0)
                runner.wait_for_result(arn, timeout=remaining + _WAIT_GRACE_SECONDS)
            except KeyboardInterrupt:
                _stop_interrupted(runner, arn, output, _location(choice, store, arn))
                raise
            record = runner.get_execution(arn)
    except StoreNotFoundError as error:
        raise CliError(f"{error} {path_origin_hint(choice)}") from None
    except (NotDurableHandlerError, InvalidInputError, ServiceError) as error:
        raise CliError(str(error)) from None
    except ExecutionWaitTimeoutError as error:
        output.note(f"dex run: {error}", style="red")
        return EXIT_FAILURE
    finally:
        store.close()

    print_execution(output, record, _location(choice, store, arn))
    if unanswered is not None:
        output.note(
            f"callback {unanswered.name!r} was left unanswered ({unanswered.reason}): "
            "the execution was stopped"
        )
    _warn_unused_answers(output, answers, record)
    status = record.execution.status
    if status is ExecutionStatus.TIMED_OUT:
        output.note(
            "dex run: modeled time (waits, retry delays, callback timeouts) counts "
            f"against the execution timeout of {args.timeout:g} s; raise --timeout"
        )
    return EXIT_OK if status is ExecutionStatus.SUCCEEDED else EXIT_FAILURE


def _location(choice: StoreChoice, store: ExecutionStore, arn: str) -> str:
    if choice.config.store_type == StoreType.MEMORY.value:
        return "memory (not kept after this command; use --store filesystem to keep it)"
    return record_location(store, arn) or str(choice.config.path)


RUN = Command(
    name="run",
    summary="run a durable handler locally and print its outcome",
    description="""
        Run a durable handler (a function decorated with @durable_execution)
        with the local runner: its waits and retry delays take no wall time
        unless --no-skip-time is given. Prints the status, the result or the
        error, the operation tree and where the record was stored. A callback
        is answered by --callback NAME=JSON; on a terminal an unanswered
        callback is asked for, otherwise (or when standard input ends) the
        execution is stopped and the callback named; a --callback that
        answered nothing is warned about. Ctrl-C stops and records the
        execution, then exits 130. Exit status 0 when the execution
        SUCCEEDED, 1 otherwise, 2 for bad input.
        """,
    examples=(
        'dex run examples.order_workflow:handler --input \'{"order_id": "o-1"}\'',
        "dex run app:handler --store filesystem --callback approval='{\"ok\": true}'",
        "AWS_DEX_STORE_TYPE=filesystem dex run app:handler --no-skip-time",
    ),
    add_arguments=_add_arguments,
    run=_run,
)
