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

    ``@FILE`` reads the JSON from a file.

    Raises
    ------
    CliError
        The text (or file) is not JSON, or the file cannot be read.
    """
    source = text
    if text.startswith("@"):
        try:
            source = Path(text[1:]).read_text()
        except OSError as error:
            raise CliError(
                f"{option} {text!r}: cannot read {text[1:]!r}: {error.strerror}"
            ) from None
    try:
        json.loads(source)
    except ValueError as error:
        raise CliError(
            f"{option} is not JSON: {error} in {source.strip()[:60]!r}; "
            """quote strings as JSON ('"text"')"""
        ) from None
    return source.strip()
