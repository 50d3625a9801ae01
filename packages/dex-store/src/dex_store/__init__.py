"""dex-store: the protocol every execution store implements, its errors and config."""

from ._config import (
    DEFAULT_STORE_PATH,
    ENTRY_POINT_GROUP,
    STORE_PATH_ENV,
    STORE_TYPE_ENV,
    StoreConfig,
    StoreType,
    installed_store_names,
    open_store,
)
from ._errors import (
    CorruptRecordError,
    ExecutionAlreadyExistsError,
    ExecutionConflictError,
    ExecutionNotFoundError,
    InvalidQueryError,
    StoreConfigError,
    StoreError,
    StoreNotFoundError,
)
from ._paging import Summary, check_query, row_matches, run_query, select
from ._protocol import (
    ExecutionQuery,
    ExecutionStore,
    ExecutionSummaryRow,
    QueryOrder,
    QueryPage,
    Unreadable,
    function_name_of,
)

__all__ = (
    "DEFAULT_STORE_PATH",
    "ENTRY_POINT_GROUP",
    "STORE_PATH_ENV",
    "STORE_TYPE_ENV",
    "CorruptRecordError",
    "ExecutionAlreadyExistsError",
    "ExecutionConflictError",
    "ExecutionNotFoundError",
    "ExecutionQuery",
    "ExecutionStore",
    "ExecutionSummaryRow",
    "InvalidQueryError",
    "QueryOrder",
    "QueryPage",
    "StoreConfig",
    "StoreConfigError",
    "StoreError",
    "StoreNotFoundError",
    "StoreType",
    "Summary",
    "Unreadable",
    "check_query",
    "function_name_of",
    "installed_store_names",
    "open_store",
    "row_matches",
    "run_query",
    "select",
)
