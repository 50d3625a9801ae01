"""``dex validate``: check record files against the published JSON Schema."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from dex_schema import SchemaError, decode, json_schemas
from dex_store_filesystem import (
    FilesystemExecutionStore,
    file_name_for,
    is_record_name,
    is_store,
)

from ._command import Command
from ._console import Output
from ._errors import EXIT_FAILURE, EXIT_OK, CliError
from ._store import add_store_arguments, choose_store, require_persistent

if TYPE_CHECKING:
    # jsonschema is imported when something is validated, not by every dex.
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

__all__ = ("VALIDATE", "Problem", "record_files", "validate_file")

SCHEMA_FILE = "execution-record.schema.json"
"""The published schema (``schemas/`` in the repository) files are checked against."""

_REASON_WIDTH = 240
_MAX_PROBLEMS = 20


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """One reason a file is not a valid execution record.

    Attributes
    ----------
    path:
        The JSON path of the problem, like ``$.Operations[3].StepDetails``.
    reason:
        What is wrong there.
    """

    path: str
    reason: str


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    schema = json.loads(json_schemas()[SCHEMA_FILE])
    return Draft202012Validator(schema)


def _json_path(parts: Iterable[Any]) -> str:
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier():
            text += f".{part}"
        else:
            text += f"[{json.dumps(part)}]"
    return text


def _shorten(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) > _REASON_WIDTH:
        return reason[: _REASON_WIDTH - 3] + "..."
    return reason


def _deepest(error: ValidationError) -> ValidationError:
    from jsonschema.exceptions import best_match

    # An optional member is ``anyOf: [X, null]``: the useful reason is the one
    # from X, as deep in the document as the schema could follow it.
    while error.context:
        candidates = [
            inner
            for inner in error.context
            if not (inner.validator == "type" and inner.validator_value == "null")
        ]
        if not candidates:
            break
        deepest = max(len(inner.absolute_path) for inner in candidates)
        error = (
            best_match(
                inner for inner in candidates if len(inner.absolute_path) == deepest
            )
            or candidates[0]
        )
    return error


def validate_file(path: Path, *, in_store: bool = False) -> list[Problem]:
    """Check one file; return its problems (empty when it is valid).

    The file is checked against the published JSON Schema; a file the schema
    accepts is then decoded as dex reads it, which also checks what a schema
    cannot say (timestamps, a ``SchemaVersion`` newer than this dex).

    Parameters
    ----------
    path:
        The record file.
    in_store:
        The file is in a filesystem store directory: it must also be where
        the store looks for its execution (the file name the store gives
        the ARN inside), or the store refuses to read it.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        if path.is_symlink() and not path.exists():
            return [
                Problem(
                    path="$",
                    reason="cannot read the file: it is a symbolic link to "
                    f"{str(path.readlink())!r}, which does not exist",
                )
            ]
        return [Problem(path="$", reason=f"cannot read the file: {error.strerror}")]
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        return [Problem(path="$", reason=f"not JSON: {error}")]

    errors = sorted(
        (_deepest(error) for error in _validator().iter_errors(document)),
        key=lambda error: [str(part) for part in error.absolute_path],
    )
    if errors:
        return [
            Problem(
                path=_json_path(error.absolute_path), reason=_shorten(error.message)
            )
            for error in errors
        ]
    try:
        record = decode(data, source=str(path))
    except SchemaError as error:
        return [Problem(path=error.path, reason=_shorten(error.reason))]
    if in_store and file_name_for(record.arn) != path.name:
        return [
            Problem(
                path="$.Execution.DurableExecutionArn",
                reason=(
                    f"the file holds {record.arn!r}, which the store keeps in "
                    f"{file_name_for(record.arn)!r}, not {path.name!r}, so the "
                    "store cannot read it (renamed, copied or edited by hand); "
                    "rename it or move it out of the store"
                ),
            )
        ]
    return []


def record_files(directory: Path) -> list[Path]:
    """The execution record files under ``directory``, sorted.

    In a filesystem store these are the files the store names records (its
    own ``.dex-store`` bookkeeping and temporary files are not records);
    in any other directory, every ``*.json`` file below it outside hidden
    directories, symbolic links to nothing included (they are reported).
    """
    if is_store(directory):
        records = FilesystemExecutionStore(directory).record_paths()
        return [directory / path.name for path in records]
    return sorted(_walk(directory))


def _walk(directory: Path) -> Iterator[Path]:
    for path in directory.rglob("*.json"):
        relative = path.relative_to(directory)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() or (path.is_symlink() and not path.exists()):
            yield path


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        type=Path,
        help="record files or directories of them (default: the configured "
        "store's directory)",
    )
    add_store_arguments(parser)


def _files(args: argparse.Namespace) -> list[tuple[Path, bool]]:
    """The files to check, each with whether it lies in a store directory."""
    paths: list[Path] = list(args.paths)
    if not paths:
        choice = choose_store(args)
        require_persistent(choice, "dex validate without a PATH")
        paths = [choice.config.path]
    files: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir():
            found = record_files(path)
            if not found:
                raise CliError(
                    f"{str(path)!r} holds no record files (*.json); "
                    "pass a store directory or record files"
                )
            in_store = is_store(path)
            files.extend((file, in_store) for file in found)
        elif path.is_file() or path.is_symlink():
            files.append((path, is_record_name(path.name) and is_store(path.parent)))
        else:
            raise CliError(f"no such file or directory {str(path)!r}")
    return files


def _run(args: argparse.Namespace, output: Output) -> int:
    files = _files(args)
    invalid = 0
    with output.progress("validating", len(files)) as advance:
        for path, in_store in files:
            problems = validate_file(path, in_store=in_store)
            advance()
            if not problems:
                continue
            invalid += 1
            for problem in problems[:_MAX_PROBLEMS]:
                output.line(f"{path}: {problem.path}: {problem.reason}", style="red")
            if len(problems) > _MAX_PROBLEMS:
                more = len(problems) - _MAX_PROBLEMS
                output.line(f"{path}: ... and {more} more problems", style="red")
    valid = len(files) - invalid
    noun = "file" if len(files) == 1 else "files"
    output.line(
        f"checked {len(files)} {noun} against {SCHEMA_FILE}: "
        f"{valid} valid, {invalid} invalid",
        style="red" if invalid else "green",
    )
    return EXIT_FAILURE if invalid else EXIT_OK


VALIDATE = Command(
    name="validate",
    summary="check record files against the published JSON Schema",
    description=f"""
        Check execution record files, written by dex or any other tool,
        against the published schema ({SCHEMA_FILE}). Each problem is printed
        as FILE: JSON-PATH: REASON. Directories are searched for *.json
        files; with no PATH the configured store's directory is checked. A
        file in a store directory must also hold the execution the store
        keeps under its name (a record renamed or copied by hand is invalid:
        the store cannot read it).
        Exit status 1 when any file is invalid, 0 when all are valid.
        """,
    examples=(
        "dex validate .durable_executions",
        "dex validate exported/run-1.json exported/run-2.json",
        "AWS_DEX_STORE_TYPE=filesystem dex validate",
    ),
    add_arguments=_add_arguments,
    run=_run,
)
