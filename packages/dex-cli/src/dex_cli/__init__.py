"""dex-cli: the ``dex`` command: run, list, show, validate and clean executions."""

from ._app import COMMAND_ENTRY_POINT_GROUP, COMMANDS, all_commands, build_parser, main
from ._command import Command, register_commands
from ._console import Node, Output
from ._errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CliError
from ._handler import load_handler, parse_json_option
from ._render import operation_tree
from ._show import print_execution
from ._store import (
    StoreChoice,
    add_store_arguments,
    check_writable_store,
    choose_store,
    open_for_reading,
    path_origin_hint,
    require_persistent,
)
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
    "StoreChoice",
    "add_store_arguments",
    "all_commands",
    "build_parser",
    "check_writable_store",
    "choose_store",
    "load_handler",
    "main",
    "open_for_reading",
    "operation_tree",
    "parse_json_option",
    "path_origin_hint",
    "print_execution",
    "register_commands",
    "require_persistent",
    "validate_file",
)
