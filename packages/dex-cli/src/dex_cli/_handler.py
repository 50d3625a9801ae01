"""Finding the handler ``dex run MODULE:HANDLER`` names."""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._errors import CliError

__all__ = ("load_handler", "parse_json_option")


def load_handler(spec: str) -> Callable[..., Any]:
    """Import ``MODULE:HANDLER`` (``HANDLER`` may be dotted: ``app:Flows.order``).

    The current directory is searched first, as ``python -m`` does, so a
    handler next to the user's shell is found.

    Raises
    ------
    CliError
        ``spec`` is not ``MODULE:HANDLER``, the module cannot be imported
        (or raised while importing), or it has no such callable.
    """
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise CliError(
            "expected MODULE:HANDLER (like examples.order_workflow:handler); "
            f"got {spec!r}"
        )
    cwd = os.getcwd()
    if cwd not in sys.path and str(Path(cwd)) not in sys.path:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        missing = error.name or module_name
        if module_name == missing or module_name.startswith(missing + "."):
            raise CliError(
                f"cannot import module {module_name!r} (from {spec!r}): no module "
                f"named {missing!r} on the path; run dex from the directory that "
                "holds it or add that directory to PYTHONPATH"
            ) from None
        raise CliError(
            f"importing {module_name!r} (from {spec!r}) failed: it imports "
            f"{missing!r}, which is not installed"
        ) from None
    except Exception as error:
        raise CliError(
            f"importing {module_name!r} (from {spec!r}) raised "
            f"{type(error).__name__}: {error}"
        ) from None

    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise CliError(
                f"module {module_name!r} has no attribute {attribute!r} (from {spec!r})"
            ) from None
    if not callable(target):
        raise CliError(
            f"{spec!r} is a {type(target).__name__}, not a durable handler; "
            "point at a function decorated with @durable_execution"
        )
    handler: Callable[..., Any] = target
    return handler


def parse_json_option(text: str, option: str) -> str:
    """Check that ``text`` is JSON and return it as the payload text.

    ``@FILE`` reads the JSON from a file, which must be UTF-8. JSON is read
    strictly: ``NaN`` and ``Infinity`` are refused.

    Raises
    ------
    CliError
        The text (or file) is not JSON, or the file cannot be read or is not
        UTF-8.
    """
    source = text
    if text.startswith("@"):
        file = text[1:]
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CliError(
                f"{option} {text!r}: cannot read {file!r}: {error.strerror}"
            ) from None
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CliError(
                f"{option} {text!r}: {file!r} is not UTF-8 text (byte "
                f"{error.object[error.start]:#04x} at offset {error.start}); "
                "save the JSON as UTF-8"
            ) from None
    try:
        json.loads(source, parse_constant=_refuse_constant)
    except ValueError as error:
        raise CliError(
            f"{option} is not JSON: {error} in {source.strip()[:60]!r}; "
            """quote strings as JSON ('"text"')"""
        ) from None
    return source.strip()


def _refuse_constant(name: str) -> object:
    # Python's json reads NaN and Infinity, which JSON does not have: the
    # service, and every other JSON reader, would refuse the payload.
    raise ValueError(f"{name} is not a JSON value (JSON has no NaN or Infinity)")
