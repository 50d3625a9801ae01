"""The plugin's run-wide settings: command line, environment, ini file, default.

Every setting has a ``--dex-`` option and a ``dex_`` ini key; some also have an
environment variable. The first source that gives a value wins, in the order
command line, environment, ini file, default.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from dex_store import (
    DEFAULT_STORE_PATH,
    STORE_PATH_ENV,
    STORE_TYPE_ENV,
    installed_store_names,
)

__all__ = (
    "MODE_ENV",
    "DexMode",
    "DexSettings",
    "Setting",
    "add_options",
    "resolve_settings",
    "settings_from_dict",
    "settings_to_dict",
)

MODE_ENV = "AWS_DEX_MODE"
REGION_ENV = "AWS_REGION"
ENDPOINT_ENV = "AWS_DEX_ENDPOINT"
FUNCTION_MAP_ENV = "AWS_DEX_FUNCTION_MAP"


class DexMode(enum.StrEnum):
    """Where the handler under test runs."""

    LOCAL = "local"
    """In-process, under dex's emulated service (``DurableFunctionTestRunner``)."""
    CLOUD = "cloud"
    """Deployed, driven through the Lambda API (``DurableFunctionCloudTestRunner``)."""


@dataclass(frozen=True)
class Setting:
    """One setting: its option, ini key, environment variable and help text."""

    name: str
    option: str
    ini: str
    env: str | None
    help: str
    metavar: str


MODE = Setting(
    "mode",
    "--dex-mode",
    "dex_mode",
    MODE_ENV,
    "where durable handlers run: local (in-process, the default) or cloud "
    "(the deployed function)",
    "{local,cloud}",
)
STORE = Setting(
    "store",
    "--dex-store",
    "dex_store",
    STORE_TYPE_ENV,
    "the execution store: memory (the default), filesystem, or any installed "
    "store's name",
    "NAME",
)
STORE_PATH = Setting(
    "store_path",
    "--dex-store-path",
    "dex_store_path",
    STORE_PATH_ENV,
    f"the directory of stores that keep files (default {DEFAULT_STORE_PATH}); "
    "a relative path is taken from the directory pytest was started in",
    "DIR",
)
REGION = Setting(
    "region",
    "--dex-region",
    "dex_region",
    REGION_ENV,
    "cloud mode: the AWS region of the deployed functions",
    "REGION",
)
ENDPOINT = Setting(
    "endpoint",
    "--dex-endpoint",
    "dex_endpoint",
    ENDPOINT_ENV,
    "cloud mode: the Lambda endpoint URL (for example a `dex serve` address)",
    "URL",
)
FUNCTION_MAP = Setting(
    "function_map",
    "--dex-function-map",
    "dex_function_map",
    FUNCTION_MAP_ENV,
    "cloud mode: NAME=FUNCTION pairs, comma-separated, mapping a marker's "
    "lambda_function_name to the deployed function's name or ARN",
    "NAME=FUNCTION,...",
)
SETTINGS = (MODE, STORE, STORE_PATH, REGION, ENDPOINT, FUNCTION_MAP)


@dataclass(frozen=True)
class DexSettings:
    """The effective settings of one pytest run.

    Attributes
    ----------
    mode:
        Where handlers run.
    store_type:
        The name of the store every test uses unless its marker names another.
    store_path:
        The absolute directory of stores that keep files.
    region, endpoint:
        Cloud mode's AWS region and Lambda endpoint URL; ``None`` leaves the
        choice to boto3.
    function_map:
        Cloud mode's map from a marker's ``lambda_function_name`` to the
        deployed function's name or ARN.
    sources:
        For each setting's name, where its value came from (``"--dex-store"``,
        ``"AWS_DEX_STORE_TYPE"``, ``"ini dex_store"`` or ``"default"``).
    invocation_dir:
        The directory pytest was started in (the controller's, under
        pytest-xdist); relative paths in markers are taken from it.
    """

    mode: DexMode = DexMode.LOCAL
    store_type: str = "memory"
    store_path: Path = Path(DEFAULT_STORE_PATH)
    region: str | None = None
    endpoint: str | None = None
    function_map: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    invocation_dir: Path = Path()

    def describe(self) -> str:
        """One line for ``pytest_report_header``."""
        parts = [f"mode {self.mode.value}"]
        if self.mode is DexMode.CLOUD:
            parts.append(f"region {self.region or '(boto3 default)'}")
            if self.endpoint:
                parts.append(f"endpoint {self.endpoint}")
        store = f"store {self.store_type}"
        if self.store_type != "memory":
            store += f" at {self.store_path}"
        store += f" (from {self.sources.get('store', 'default')})"
        parts.append(store)
        return "dex: " + ", ".join(parts)


def add_options(parser: pytest.Parser) -> None:
    """Add every ``--dex-`` option and ``dex_`` ini key to pytest's parser."""
    group = parser.getgroup("dex", "dex: durable execution testing")
    for setting in SETTINGS:
        env = f" [env {setting.env}]" if setting.env else ""
        group.addoption(
            setting.option,
            dest=f"dex_{setting.name}",
            default=None,
            metavar=setting.metavar,
            help=f"{setting.help}{env} [ini {setting.ini}]",
        )
        parser.addini(setting.ini, f"{setting.help} (see {setting.option})")


def _raw(
    config: pytest.Config, setting: Setting, environ: Mapping[str, str]
) -> tuple[str | None, str]:
    """The raw value of ``setting`` and where it came from."""
    value = config.getoption(f"dex_{setting.name}")
    if value is not None and str(value).strip():
        return str(value).strip(), setting.option
    if setting.env is not None:
        value = environ.get(setting.env, "").strip()
        if value:
            return value, setting.env
    value = config.getini(setting.ini)
    if value is not None and str(value).strip():
        return str(value).strip(), f"ini {setting.ini}"
    return None, "default"


def _usage_error(what: str, value: str, where: str, valid: str) -> pytest.UsageError:
    return pytest.UsageError(f"dex: invalid {what} {value!r} (from {where}); {valid}")


def _parse_function_map(raw: str, where: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in raw.replace("\n", ",").split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, target = item.partition("=")
        if not sep or not name.strip() or not target.strip():
            raise _usage_error(
                "function map entry",
                item,
                where,
                "write NAME=FUNCTION pairs separated by commas, for example "
                "orders=arn:aws:lambda:us-east-1:123456789012:function:orders",
            )
        pairs[name.strip()] = target.strip()
    return pairs


def _check_store_path(path: Path, raw: str | None, where: str) -> None:
    """Refuse, before any test runs, a store path no store can be written to.

    Nothing is created: the path must be a store, an empty directory, or a
    directory that can be made.
    """
    from dex_store import StoreNotFoundError
    from dex_store_filesystem import check_store_path

    try:
        check_store_path(path)
    except StoreNotFoundError as error:
        raise _usage_error(
            "store path",
            raw or DEFAULT_STORE_PATH,
            where,
            f"{error}; point it at a dex store, an empty directory or one dex "
            "can create",
        ) from None


def resolve_settings(
    config: pytest.Config, environ: Mapping[str, str] | None = None
) -> DexSettings:
    """Resolve the run's settings: command line, environment, ini, default.

    Parameters
    ----------
    config:
        pytest's config, whose options and ini values are read.
    environ:
        The environment (``os.environ`` when None).

    Raises
    ------
    pytest.UsageError
        When a value is not valid; the message names the value, where it came
        from and the valid values. With the filesystem store, a store path
        that is a file, cannot be made, or is a folder of other files.
    """
    env = os.environ if environ is None else environ
    sources: dict[str, str] = {}

    raw_mode, sources["mode"] = _raw(config, MODE, env)
    try:
        mode = DexMode((raw_mode or DexMode.LOCAL.value).lower())
    except ValueError:
        valid = ", ".join(m.value for m in DexMode)
        raise _usage_error(
            "mode", str(raw_mode), sources["mode"], f"valid modes: {valid}"
        ) from None

    raw_store, sources["store"] = _raw(config, STORE, env)
    store_type = (raw_store or "memory").lower()
    names = installed_store_names()
    if store_type not in names:
        raise _usage_error(
            "store",
            str(raw_store),
            sources["store"],
            f"installed stores: {', '.join(names) or 'none'}",
        )

    raw_path, sources["store_path"] = _raw(config, STORE_PATH, env)
    store_path = Path(raw_path or DEFAULT_STORE_PATH).expanduser()
    if not store_path.is_absolute():
        store_path = Path(config.invocation_params.dir) / store_path
    if store_type == "filesystem":
        _check_store_path(store_path, raw_path, sources["store_path"])

    region, sources["region"] = _raw(config, REGION, env)
    if region is None and env.get("AWS_DEFAULT_REGION", "").strip():
        region = env["AWS_DEFAULT_REGION"].strip()
        sources["region"] = "AWS_DEFAULT_REGION"

    endpoint, sources["endpoint"] = _raw(config, ENDPOINT, env)
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        raise _usage_error(
            "endpoint",
            endpoint,
            sources["endpoint"],
            "give a URL starting with http:// or https://",
        )

    raw_map, sources["function_map"] = _raw(config, FUNCTION_MAP, env)
    function_map = (
        {} if raw_map is None else _parse_function_map(raw_map, sources["function_map"])
    )

    return DexSettings(
        mode=mode,
        store_type=store_type,
        store_path=store_path,
        region=region,
        endpoint=endpoint,
        function_map=function_map,
        sources=sources,
        invocation_dir=Path(config.invocation_params.dir),
    )


def settings_to_dict(settings: DexSettings) -> dict[str, object]:
    """The settings as plain values, to hand to pytest-xdist workers."""
    return {
        "mode": settings.mode.value,
        "store_type": settings.store_type,
        "store_path": str(settings.store_path),
        "region": settings.region,
        "endpoint": settings.endpoint,
        "function_map": dict(settings.function_map),
        "sources": dict(settings.sources),
        "invocation_dir": str(settings.invocation_dir),
    }


def settings_from_dict(data: Mapping[str, object]) -> DexSettings:
    """Rebuild settings from ``settings_to_dict``'s output (in a worker)."""
    function_map = data["function_map"]
    sources = data["sources"]
    assert isinstance(function_map, dict) and isinstance(sources, dict)
    region, endpoint = data["region"], data["endpoint"]
    return DexSettings(
        mode=DexMode(str(data["mode"])),
        store_type=str(data["store_type"]),
        store_path=Path(str(data["store_path"])),
        region=None if region is None else str(region),
        endpoint=None if endpoint is None else str(endpoint),
        function_map={str(k): str(v) for k, v in function_map.items()},
        sources={str(k): str(v) for k, v in sources.items()},
        invocation_dir=Path(str(data["invocation_dir"])),
    )
