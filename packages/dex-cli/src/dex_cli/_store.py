"""Which store a command uses: the environment, overridden by flags."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import msgspec
from dex_store import (
    STORE_PATH_ENV,
    STORE_TYPE_ENV,
    ExecutionStore,
    StoreConfig,
    StoreConfigError,
    StoreNotFoundError,
    StoreType,
    installed_store_names,
    open_store,
)
from dex_store_filesystem import check_store, check_store_path

from ._errors import CliError

__all__ = (
    "StoreChoice",
    "add_store_arguments",
    "check_store_directory",
    "check_writable_store",
    "choose_store",
    "open_for_reading",
    "path_origin_hint",
    "require_persistent",
)


class StoreChoice(msgspec.Struct, frozen=True, kw_only=True):
    """The store a command uses and where each part of that choice came from.

    Attributes
    ----------
    config:
        The store type and path.
    type_origin, path_origin:
        Where the type and the path came from, for messages: a flag, an
        environment variable or the default.
    """

    config: StoreConfig
    type_origin: str
    path_origin: str


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--store`` and ``--store-path`` to a command's parser."""
    group = parser.add_argument_group(
        "store", f"default: ${STORE_TYPE_ENV} and ${STORE_PATH_ENV}"
    )
    group.add_argument(
        "--store",
        metavar="TYPE",
        help=(
            "the store type: memory or filesystem (or any installed store); "
            f"overrides ${STORE_TYPE_ENV} (default memory)"
        ),
    )
    group.add_argument(
        "--store-path",
        metavar="PATH",
        type=Path,
        help=(
            f"the store directory; overrides ${STORE_PATH_ENV} "
            "(default .durable_executions)"
        ),
    )


def choose_store(args: argparse.Namespace) -> StoreChoice:
    """Read the environment's store configuration and apply the flags to it.

    Raises
    ------
    CliError
        The type (from the flag or the environment) names no installed store.
    """
    try:
        config = StoreConfig.from_env()
    except StoreConfigError as error:
        if args.store is None:
            raise CliError(str(error)) from None
        config = StoreConfig()
    type_origin = (
        f"${STORE_TYPE_ENV}" if os.environ.get(STORE_TYPE_ENV, "").strip() else None
    )
    path_origin = (
        f"${STORE_PATH_ENV}" if os.environ.get(STORE_PATH_ENV, "").strip() else None
    )
    if args.store is not None:
        name = args.store.strip().lower()
        if name not in installed_store_names():
            names = ", ".join(installed_store_names())
            raise CliError(
                f"--store {args.store!r} names no installed store; "
                f"installed stores: {names}"
            )
        config = msgspec.structs.replace(config, store_type=name)
        type_origin = "--store"
    if args.store_path is not None:
        config = msgspec.structs.replace(config, path=args.store_path)
        path_origin = "--store-path"
    return StoreChoice(
        config=config,
        type_origin=type_origin or "the default",
        path_origin=path_origin or "the default",
    )


def require_persistent(choice: StoreChoice, what: str) -> None:
    """Refuse to read stored executions from the memory store.

    Raises
    ------
    CliError
        The chosen store is the memory store, which keeps nothing once the
        process that wrote it ends.
    """
    if choice.config.store_type == StoreType.MEMORY.value:
        raise CliError(
            f"{what} needs a persistent store, but the store is 'memory' "
            f"(from {choice.type_origin}), which keeps nothing after the run "
            f"that wrote it; use --store filesystem or set "
            f"{STORE_TYPE_ENV}=filesystem"
        )


def check_store_directory(choice: StoreChoice) -> Path:
    """Check that the filesystem store's directory exists and is a store.

    Nothing is created. Returns the directory.

    Raises
    ------
    CliError
        The directory does not exist, is a file, or holds no dex store.
    """
    path = choice.config.path
    origin = f"from {choice.path_origin}"
    if not path.exists():
        raise CliError(
            f"no store at {str(path)!r} ({origin}): the directory does not exist; "
            f"run an execution with the filesystem store first, or point "
            f"--store-path or ${STORE_PATH_ENV} at a store"
        )
    if not path.is_dir():
        raise CliError(
            f"{str(path)!r} ({origin}) is a file, not a store directory; "
            f"point --store-path or ${STORE_PATH_ENV} at a store directory"
        )
    try:
        check_store(path)
    except StoreNotFoundError as error:
        raise CliError(f"{error} {path_origin_hint(choice)}") from None
    return path


def path_origin_hint(choice: StoreChoice) -> str:
    """Where the store path came from, in parentheses, for an error message."""
    if choice.path_origin == "the default":
        return (
            "(the default store path; choose another with --store-path or "
            f"${STORE_PATH_ENV})"
        )
    return f"(store path from {choice.path_origin})"


def check_writable_store(choice: StoreChoice) -> None:
    """Check, creating nothing, that a filesystem store can be written where chosen.

    Raises
    ------
    CliError
        The path is a file, cannot be made, or is a folder of other files.
    """
    if choice.config.store_type != StoreType.FILESYSTEM.value:
        return
    try:
        check_store_path(choice.config.path)
    except StoreNotFoundError as error:
        raise CliError(f"{error} {path_origin_hint(choice)}") from None


def open_for_reading(choice: StoreChoice, what: str) -> ExecutionStore:
    """Open the chosen store to read (or delete) what it holds.

    Raises
    ------
    CliError
        The store is the memory store, or (filesystem) its directory is
        missing or not a store.
    """
    require_persistent(choice, what)
    if choice.config.store_type == StoreType.FILESYSTEM.value:
        check_store_directory(choice)
    try:
        return open_store(choice.config)
    except StoreConfigError as error:
        raise CliError(str(error)) from None
