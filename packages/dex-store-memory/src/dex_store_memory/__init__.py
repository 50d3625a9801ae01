"""dex-store-memory: the in-memory execution store (the default)."""

from ._store import MemoryExecutionStore

__all__ = ("MemoryExecutionStore",)
