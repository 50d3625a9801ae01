"""The ``dex`` command line: the parser, the command list, ``main``."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

from dex_store import StoreError

from ._clean import CLEAN
from ._command import Command, register_commands
from ._console import Output
from ._errors import EXIT_FAILURE, EXIT_USAGE, CliError
from ._list import LIST
from ._run import RUN
from ._show import SHOW
from ._validate import VALIDATE

__all__ = (
    "COMMANDS",
    "COMMAND_ENTRY_POINT_GROUP",
    "all_commands",
    "build_parser",
    "main",
)

logger = logging.getLogger(__name__)

COMMANDS: tuple[Command, ...] = (RUN, LIST, SHOW, VALIDATE, CLEAN)
"""The commands dex-cli itself provides, in the order ``dex --help`` lists them."""

COMMAND_ENTRY_POINT_GROUP = "dex.commands"
"""Entry-point group other packages add commands through.

Each entry point's object is a ``Command``; ``dex serve`` (dex-server) is
added this way.
"""


def all_commands() -> list[Command]:
    """dex-cli's own commands, then those other installed packages register.

    Raises
    ------
    TypeError
        An entry point in ``dex.commands`` is not a ``Command``.
    """
    commands = list(COMMANDS)
    names = {command.name for command in commands}
    for entry_point in sorted(
        entry_points(group=COMMAND_ENTRY_POINT_GROUP), key=lambda ep: ep.name
    ):
        command = entry_point.load()
        if not isinstance(command, Command):
            raise TypeError(
                f"entry point {entry_point.value!r} in {COMMAND_ENTRY_POINT_GROUP!r} "
                f"is a {type(command).__name__}, not a dex_cli.Command"
            )
        if command.name in names:
            logger.debug("command %r already registered; keeping the first", command)
            continue
        names.add(command.name)
        commands.append(command)
    return commands


def build_parser(commands: Sequence[Command] | None = None) -> argparse.ArgumentParser:
    """The ``dex`` parser with a subcommand for each of ``commands``.

    ``commands`` defaults to ``all_commands()``.
    """
    parser = argparse.ArgumentParser(
        prog="dex",
        description=(
            "Run durable functions locally and inspect, validate and clean the "
            "executions they stored."
        ),
        epilog="`dex COMMAND --help` shows a command's options and examples.",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    register_commands(subparsers, all_commands() if commands is None else commands)
    return parser


def main(argv: Sequence[str] | None = None, *, output: Output | None = None) -> int:
    """Run the ``dex`` command; return its exit status.

    Parameters
    ----------
    argv:
        The arguments after ``dex``; ``sys.argv[1:]`` when None.
    output:
        Where to write; standard output and error when None.
    """
    output = output or Output()
    parser = build_parser()
    # argparse writes help and usage errors to sys.stdout and sys.stderr.
    with (
        contextlib.redirect_stdout(output.out.file),
        contextlib.redirect_stderr(output.err.file),
    ):
        try:
            args = parser.parse_args(_join_negative_values(argv))
        except SystemExit as exit_:
            return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
        command: Command | None = getattr(args, "command", None)
        if command is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
    try:
        return command.run(args, output)
    except CliError as error:
        output.note(f"dex {command.name}: error: {error}", style="red")
        return EXIT_USAGE
    except StoreError as error:
        output.note(f"dex {command.name}: error: {error}", style="red")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        output.note(f"dex {command.name}: interrupted", style="red")
        return 130
    except BrokenPipeError:
        # The reader went away (``dex list | head``): stop quietly, and keep
        # Python from complaining when it flushes stdout at exit.
        _silence_stdout()
        return EXIT_FAILURE


_NEGATIVE_VALUE = re.compile(r"-(\d|\.\d|Infinity$)")


def _join_negative_values(argv: Sequence[str] | None) -> list[str]:
    """Turn ``--older-than -1d`` into ``--older-than=-1d``.

    argparse takes a value starting with ``-`` for an option and says
    "expected one argument"; no dex option starts with a digit (or is
    ``-Infinity``), so the value is kept and the command explains what is
    wrong with it.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    joined: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        following = args[index + 1] if index + 1 < len(args) else ""
        if (
            arg.startswith("--")
            and "=" not in arg
            and arg != "--"
            and _NEGATIVE_VALUE.match(following)
        ):
            joined.append(f"{arg}={following}")
            index += 2
            continue
        joined.append(arg)
        index += 1
    return joined


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        # stdout is not a real file (captured in a test): nothing to flush.
        pass
