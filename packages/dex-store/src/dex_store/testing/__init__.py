"""Testing aids for store authors: record strategies and the contract suite.

Needs the ``testing`` extra (``pip install dex-store[testing]``), which
brings hypothesis and pytest.
"""

import pytest

pytest.register_assert_rewrite("dex_store.testing._base", "dex_store.testing._contract")

from ._contract import ExecutionStoreContract  # noqa: E402
from ._records import execution_arn, sample_record  # noqa: E402
from ._strategies import (  # noqa: E402
    arns,
    error_objects,
    events,
    execution_records,
    function_arns,
    invocations,
    operations,
    payloads,
    texts,
    timestamps,
)

__all__ = (
    "ExecutionStoreContract",
    "arns",
    "error_objects",
    "events",
    "execution_arn",
    "execution_records",
    "function_arns",
    "invocations",
    "operations",
    "payloads",
    "sample_record",
    "texts",
    "timestamps",
)
