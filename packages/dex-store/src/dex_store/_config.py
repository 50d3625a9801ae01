"""Choosing a store: ``StoreType``, ``StoreConfig`` and ``open_store``."""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import msgspec

from ._errors import StoreConfigError
from ._protocol import ExecutionStore

__all__ = (
    "DEFAULT_STORE_PATH",
    "ENTRY_POINT_GROUP",
    "STORE_PATH_ENV",
    "STORE_TYPE_ENV",
    "StoreConfig",
    "StoreType",
    "installed_store_names",
    "open_store",
)

STORE_TYPE_ENV = "AWS_DEX_STORE_TYPE"
STORE_PATH_ENV = "AWS_DEX_STORE_PATH"
DEFAULT_STORE_PATH = ".durable_executions"
ENTRY_POINT_GROUP = "dex.stores"
"""Entry-point group a store package registers its store class under.

The entry point's name is the store's name (the value of
``AWS_DEX_STORE_TYPE``); its object is a callable taking the ``StoreConfig``
and returning an ``ExecutionStore``.
"""


class StoreType(enum.StrEnum):
    """The names of the stores that ship with dex."""

    MEMORY = "memory"
    FILESYSTEM = "filesystem"


class StoreConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Which store to open and where.

    Attributes
    ----------
    store_type:
        A store name: ``"memory"``, ``"filesystem"`` or any name a third-party
        store registers in the ``dex.stores`` entry-point group.
    path:
        The store directory for stores that keep files.
    """

    store_type: str = StoreType.MEMORY.value
    path: Path = Path(DEFAULT_STORE_PATH)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StoreConfig:
        """Read ``AWS_DEX_STORE_TYPE`` and ``AWS_DEX_STORE_PATH``.

        Unset or empty variables take the defaults (``memory`` and
        ``.durable_executions``). Raises ``StoreConfigError`` when the type
        names no installed store, listing the installed names.
        """
        env = os.environ if environ is None else environ
        store_type = env.get(STORE_TYPE_ENV, "").strip().lower()
        raw_path = env.get(STORE_PATH_ENV, "").strip()
        config = cls(
            store_type=store_type or StoreType.MEMORY.value,
            path=Path(raw_path or DEFAULT_STORE_PATH),
        )
        _check_name(config.store_type, f"{STORE_TYPE_ENV}={store_type!r}")
        return config


def installed_store_names() -> list[str]:
    """The names of every store installed, sorted."""
    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


def _check_name(name: str, where: str) -> None:
    names = installed_store_names()
    if name not in names:
        raise StoreConfigError(
            f"unknown store type {name!r} (from {where}); "
            f"installed stores: {', '.join(names) or 'none'}"
        )


def open_store(config: StoreConfig | None = None, **options: Any) -> ExecutionStore:
    """Open the store ``config`` names (``StoreConfig.from_env()`` when None).

    Extra keyword ``options`` go to the store's factory. Raises
    ``StoreConfigError`` when no installed store has that name.
    """
    config = StoreConfig.from_env() if config is None else config
    matches = [
        ep
        for ep in entry_points(group=ENTRY_POINT_GROUP)
        if ep.name == config.store_type
    ]
    if not matches:
        _check_name(config.store_type, "StoreConfig.store_type")
    factory = matches[0].load()
    store: ExecutionStore = factory.from_config(config, **options)
    return store
