"""dex-store-filesystem: one formatted JSON file per execution, with an index."""

from ._layout import StorePathError, check_store, check_store_path, is_store
from ._naming import file_name_for, is_record_name
from ._store import FilesystemExecutionStore

__all__ = (
    "FilesystemExecutionStore",
    "StorePathError",
    "check_store",
    "check_store_path",
    "file_name_for",
    "is_record_name",
    "is_store",
)
