"""dex-cli: the ``dex`` command: run, list, show, validate and clean executions."""

from ._app import COMMAND_ENTRY_POINT_GROUP, COMMANDS, all_commands, build_parser, main
from ._command import Command, register_commands
from ._console import Node, Output
from ._errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CliError
from ._render import operation_tree
from ._show import print_execution
from ._validate import Problem, validate_file

__all__ = (
    "COMMANDS",
    "COMMAND_ENTRY_POINT_GROUP",
    "EXIT_FAILURE",
    "EXIT_OK",
    "EXIT_USAGE",
    "CliError",
    "Command",
    "Node",
    "Output",
    "Problem",
    "all_commands",
    "build_parser",
    "main",
    "operation_tree",
    "print_execution",
    "register_commands",
    "validate_file",
)
