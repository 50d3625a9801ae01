"""What a subcommand of ``dex`` is, and how subcommands are registered."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ._console import Output

__all__ = ("Command", "register_commands")


@dataclass(frozen=True, kw_only=True)
class Command:
    """One ``dex`` subcommand.

    Attributes
    ----------
    name:
        What users type after ``dex``.
    summary:
        One line for ``dex --help``.
    description:
        The paragraphs of ``dex NAME --help``.
    examples:
        Command lines shown under "examples" in ``dex NAME --help``; at least
        one.
    add_arguments:
        Adds the command's arguments to its parser.
    run:
        Does the work; returns the exit status. Raises ``CliError`` for bad
        input.
    """

    name: str
    summary: str
    description: str
    examples: tuple[str, ...]
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Output], int]


def register_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    commands: Iterable[Command],
) -> None:
    """Add each command as a subparser; ``dex serve`` is added the same way.

    Raises
    ------
    ValueError
        A command has no summary, description or example (every command is
        documented in ``--help``).
    """
    for command in commands:
        if not (command.summary and command.description and command.examples):
            raise ValueError(
                f"dex command {command.name!r} needs a summary, a description "
                "and at least one example for its --help"
            )
        epilog = "examples:\n" + "\n".join(f"  {line}" for line in command.examples)
        parser = subparsers.add_parser(
            command.name,
            help=command.summary,
            description=textwrap.dedent(command.description).strip(),
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(parser)
        parser.set_defaults(command=command)
