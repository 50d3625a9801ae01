"""The filesystem store passes the contract every store passes."""

from pathlib import Path

from dex_store import ExecutionStore
from dex_store.testing import ExecutionStoreContract
from dex_store_filesystem import FilesystemExecutionStore


class TestFilesystemStore(ExecutionStoreContract):
    max_examples = 15

    def make_store(self, directory: Path) -> ExecutionStore:
        return FilesystemExecutionStore(directory)

    def open_again(self, directory: Path) -> ExecutionStore | None:
        return FilesystemExecutionStore(directory)
