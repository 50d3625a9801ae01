"""Choosing a store: StoreConfig.from_env and open_store through entry points."""

from pathlib import Path

import pytest
from dex_store import (
    ExecutionStore,
    StoreConfig,
    StoreConfigError,
    installed_store_names,
    open_store,
)
from dex_store_filesystem import FilesystemExecutionStore
from dex_store_memory import MemoryExecutionStore


def test_the_built_in_stores_are_installed() -> None:
    assert {"filesystem", "memory"} <= set(installed_store_names())


def test_defaults_are_the_memory_store_and_durable_executions() -> None:
    config = StoreConfig.from_env({})

    assert config == StoreConfig(store_type="memory", path=Path(".durable_executions"))
    assert isinstance(open_store(config), MemoryExecutionStore)


def test_the_variables_choose_the_filesystem_store(tmp_path: Path) -> None:
    config = StoreConfig.from_env(
        {"AWS_DEX_STORE_TYPE": " FileSystem ", "AWS_DEX_STORE_PATH": str(tmp_path)}
    )

    store = open_store(config)

    assert isinstance(store, FilesystemExecutionStore)
    assert isinstance(store, ExecutionStore)
    assert store.path == tmp_path


def test_an_unknown_store_type_lists_the_installed_ones() -> None:
    names = ", ".join(installed_store_names())

    with pytest.raises(StoreConfigError) as caught:
        StoreConfig.from_env({"AWS_DEX_STORE_TYPE": "dynamo"})

    assert str(caught.value) == (
        "unknown store type 'dynamo' (from AWS_DEX_STORE_TYPE='dynamo'); "
        f"installed stores: {names}"
    )


def test_open_store_refuses_an_unknown_name_and_unknown_options() -> None:
    with pytest.raises(StoreConfigError) as caught:
        open_store(StoreConfig(store_type="nope"))
    assert str(caught.value).startswith(
        "unknown store type 'nope' (from StoreConfig.store_type); installed stores: "
    )

    with pytest.raises(StoreConfigError) as caught:
        open_store(StoreConfig(), colour="red")
    assert str(caught.value) == "the memory store takes no options, got colour"
