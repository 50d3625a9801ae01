"""The memory store passes the contract every store passes."""

from pathlib import Path

from dex_store import ExecutionStore
from dex_store.testing import ExecutionStoreContract
from dex_store_memory import MemoryExecutionStore


class TestMemoryStore(ExecutionStoreContract):
    max_examples = 15

    def make_store(self, directory: Path) -> ExecutionStore:
        return MemoryExecutionStore()
