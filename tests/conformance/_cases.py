"""Finding, reading and binding the conformance case files.

The files come from the public package ``aws-durable-execution-conformance-tests``
(see docs/conformance.md). They are looked up in the directory named by
``DEX_CONFORMANCE_DIR``; without it the wheel is fetched once into a cache
directory, like any other dependency, and its YAML files are used. No YAML text
lives in this repository.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)

ENV_VAR = "DEX_CONFORMANCE_DIR"
PACKAGE = "aws-durable-execution-conformance-tests"
VERSION = "1.0.0"

SUITES: Mapping[str, int] = {
    "step": 20,
    "wait": 5,
    "child": 18,
    "callback": 19,
    "wait_for_callback": 15,
}
"""The suites issue 3 covers and how many cases each holds in version 1.0.0.

The published package holds further suites (map, parallel, invoke, ...); their
cases belong to later issues and are not collected here.
"""

# libyaml's loader reads the 77 files in a tenth of the pure-Python one's time.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_GEN_STR = re.compile(r"^\$\{GEN_STR:(\d+)\}$")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ALPHABET = string.ascii_lowercase + string.digits

HOW_TO_GET_THEM = (
    f"Set {ENV_VAR} to a directory holding the suite folders "
    f"({', '.join(SUITES)}), e.g. ../shared/conformance/requirements as CI does, "
    f"or let the tests fetch {PACKAGE}=={VERSION} from PyPI (needs network and "
    "pip, or uv on PATH)."
)


class ConformanceFilesError(Exception):
    """The conformance case files cannot be found, fetched or read."""


@dataclasses.dataclass(frozen=True)
class Case:
    """One conformance case as read from its YAML file (not yet bound).

    Attributes
    ----------
    case_id
        The file stem, e.g. ``"4-1"``.
    suite
        The folder the file lives in, e.g. ``"callback"``.
    path
        Where the file was read from.
    document
        The parsed YAML mapping, unchanged.
    """

    case_id: str
    suite: str
    path: Path
    document: Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class BoundCase:
    """A case whose ``Variables`` are generated and substituted.

    Attributes
    ----------
    case
        The case this was bound from.
    variables
        The name of each variable and the string bound to it.
    document
        The case document with every ``${NAME}`` of a bound variable replaced,
        in every string value (binders like ``${ID1}`` and ``${/re/}`` stay).
    """

    case: Case
    variables: Mapping[str, str]
    document: Mapping[str, Any]

    @property
    def is_async(self) -> bool:
        """Whether the case is started and left to run (``AsyncInvoke``)."""
        return bool(self.document.get("AsyncInvoke") or self.document.get("async"))


def case_sort_key(case_id: str) -> tuple[int, ...]:
    """Order case ids numerically (``1-2`` before ``1-10``)."""
    return tuple(int(part) for part in case_id.split("-"))


def requirements_dir() -> Path:
    """Return the directory holding the suite folders of the case files.

    Returns
    -------
    Path
        ``$DEX_CONFORMANCE_DIR`` when set, otherwise the ``test_requirements``
        folder of the published wheel, fetched into the cache on first use.

    Raises
    ------
    ConformanceFilesError
        If ``DEX_CONFORMANCE_DIR`` names no directory, or the wheel cannot be
        fetched; the message says how to get the files.
    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        path = Path(configured).expanduser()
        if not path.is_dir():
            raise ConformanceFilesError(
                f"{ENV_VAR}={configured!r} is not a directory (resolved to "
                f"{path.resolve()}). {HOW_TO_GET_THEM}"
            )
        return path
    return fetch_into_cache(cache_dir())


def cache_dir() -> Path:
    """Return where the fetched wheel is unpacked (under ``$XDG_CACHE_HOME``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dex" / "conformance" / VERSION


def fetch_into_cache(target: Path) -> Path:
    """Fetch the published wheel once and unpack it into ``target``.

    Parameters
    ----------
    target
        The cache directory for this version; reused when already filled.

    Returns
    -------
    Path
        The wheel's ``test_requirements`` folder inside ``target``.

    Raises
    ------
    ConformanceFilesError
        If no pip can be run, the download fails or the wheel has no
        ``test_requirements`` folder.
    """
    found = _find_requirements(target)
    if found is not None:
        return found

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        wheel = _download_wheel(Path(scratch) / "download")
        unpacked = Path(scratch) / "unpacked"
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(unpacked)
        if _find_requirements(unpacked) is None:
            raise ConformanceFilesError(
                f"{wheel.name} holds no test_requirements folder. {HOW_TO_GET_THEM}"
            )
        try:
            unpacked.rename(target)
        except OSError:
            # Another worker filled the cache first; its copy is as good.
            if _find_requirements(target) is None:
                raise

    found = _find_requirements(target)
    assert found is not None
    return found


def _find_requirements(root: Path) -> Path | None:
    if not root.is_dir():
        return None
    for candidate in sorted(root.glob("*/test_requirements")):
        if candidate.is_dir():
            return candidate
    return None


def _pip_command() -> list[str] | None:
    if find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    uv = shutil.which("uv")
    if uv is not None:
        return [uv, "tool", "run", "pip"]
    return None


def _download_wheel(into: Path) -> Path:
    pip = _pip_command()
    if pip is None:
        raise ConformanceFilesError(
            f"Cannot fetch {PACKAGE}=={VERSION}: neither pip nor uv is available. "
            + HOW_TO_GET_THEM
        )
    # The package declares Requires-Python >=3.14 although it holds only data,
    # so the download names that version explicitly.
    command = [
        *pip,
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        "3.14",
        f"{PACKAGE}=={VERSION}",
        "--dest",
        str(into),
    ]
    logger.info("fetching the conformance cases: %s", " ".join(command))
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False
    )
    wheels = sorted(into.glob("*.whl"))
    if completed.returncode != 0 or not wheels:
        raise ConformanceFilesError(
            f"Fetching {PACKAGE}=={VERSION} failed (exit {completed.returncode}): "
            f"{completed.stderr.strip()[-2000:]}\n{HOW_TO_GET_THEM}"
        )
    return wheels[0]


def load_cases(root: Path) -> list[Case]:
    """Read every case file of the covered suites under ``root``.

    Parameters
    ----------
    root
        A directory with one folder per suite (``step``, ``wait``, ...).

    Returns
    -------
    list[Case]
        The cases ordered by id.

    Raises
    ------
    ConformanceFilesError
        If a covered suite folder is missing, a file is not valid YAML or is not
        a mapping, or two files have the same id.
    """
    cases: dict[str, Case] = {}
    for suite in SUITES:
        folder = root / suite
        if not folder.is_dir():
            raise ConformanceFilesError(
                f"{root} has no {suite!r} folder, so it does not hold the "
                f"conformance cases. {HOW_TO_GET_THEM}"
            )
        for path in sorted(folder.glob("*.yaml")):
            case = _read_case(path, suite)
            if case.case_id in cases:
                raise ConformanceFilesError(
                    f"Case id {case.case_id} appears twice: "
                    f"{cases[case.case_id].path} and {path}"
                )
            cases[case.case_id] = case
    return sorted(cases.values(), key=lambda case: case_sort_key(case.case_id))


def _read_case(path: Path, suite: str) -> Case:
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except (OSError, yaml.YAMLError) as error:
        raise ConformanceFilesError(f"Cannot read case file {path}: {error}") from error
    if not isinstance(document, dict):
        raise ConformanceFilesError(
            f"Case file {path} holds a {type(document).__name__}, "
            "expected a mapping with ExpectedExecutionHistory and the rest"
        )
    return Case(case_id=path.stem, suite=suite, path=path, document=document)


def generate(spec: str, *, where: str) -> str:
    """Produce the value of one variable from its specification.

    Parameters
    ----------
    spec
        ``${GEN_STR:N}`` (a random lowercase-alphanumeric string of length N)
        or a literal string, used as it is.
    where
        Where the specification came from, for the error message.

    Raises
    ------
    ValueError
        If the specification is not a string.
    """
    if not isinstance(spec, str):
        raise ValueError(
            f"Variable {where} is {spec!r} ({type(spec).__name__}); expected a "
            "string such as '${GEN_STR:8}'"
        )
    match = _GEN_STR.match(spec)
    if match is None:
        return spec
    return "".join(secrets.choice(_ALPHABET) for _ in range(int(match.group(1))))


def substitute(value: Any, variables: Mapping[str, str]) -> Any:
    """Replace ``${NAME}`` of every bound variable in every string of ``value``.

    Strings are walked inside mappings and lists; keys are left alone, and so
    is any ``${...}`` that names no bound variable (history binders, regexes).
    """
    if isinstance(value, str):
        return _VARIABLE.sub(
            lambda match: variables.get(match.group(1), match.group(0)), value
        )
    if isinstance(value, dict):
        return {key: substitute(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, variables) for item in value]
    return value


def bind(case: Case) -> BoundCase:
    """Generate the case's ``Variables`` and substitute them into the document.

    Raises
    ------
    ValueError
        If ``Variables`` is not a mapping of names to string specifications.
    """
    specs = case.document.get("Variables") or {}
    if not isinstance(specs, dict):
        raise ValueError(
            f"{case.path}: Variables is {type(specs).__name__}, expected a mapping"
        )
    variables = {
        str(name): generate(spec, where=f"{case.path}: Variables.{name}")
        for name, spec in specs.items()
    }
    document = {
        key: value if key == "Variables" else substitute(value, variables)
        for key, value in case.document.items()
    }
    return BoundCase(case=case, variables=variables, document=document)
