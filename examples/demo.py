"""The main job: run the order workflow end to end and inspect what was stored.

``just demo`` (or ``python examples/demo.py``) runs the example order
workflow (``examples/order_workflow.py``) with the local runner and the filesystem
store, answers its payment callback the way the payment service would,
prints the outcome and the operation tree, then lists and validates what
was stored, with the ``dex`` command's own code. The store directory is
``$AWS_DEX_STORE_PATH``, or ``.durable_executions`` in the current
directory.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from dex_cli import Output, main, print_execution
from dex_runner import DurableFunctionTestRunner
from dex_store import STORE_PATH_ENV, StoreConfig, StoreType, open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))

import order_workflow

ORDER = {"order_id": "o-1001", "items": ["book", "lamp", "kettle"]}
APPROVAL = {"approved": True, "payment_id": "pay-77"}


def heading(output: Output, text: str) -> None:
    output.line()
    output.line(f"== {text}", style="bold")


def run_demo() -> int:
    """Run the workflow and inspect its record; return the exit status."""
    output = Output()
    store_path = Path(os.environ.get(STORE_PATH_ENV) or ".durable_executions")
    config = StoreConfig(store_type=StoreType.FILESYSTEM.value, path=store_path)
    store = open_store(config)

    heading(output, f"running order_workflow.handler with {json.dumps(ORDER)}")
    with DurableFunctionTestRunner(
        order_workflow.handler, store=store, function_name="orders"
    ) as runner:
        arn = runner.run_async(ORDER, execution_name="demo-order")
        callback_id = runner.wait_for_callback(
            arn, name=order_workflow.PAYMENT_CALLBACK, timeout=30
        )
        output.line(
            "the payment service answers callback "
            f"{order_workflow.PAYMENT_CALLBACK!r}: {json.dumps(APPROVAL)}"
        )
        runner.send_callback_success(callback_id, result=json.dumps(APPROVAL))
        result = runner.wait_for_result(arn, timeout=30)
        record = runner.get_execution(arn)
    location = getattr(store, "path_for", lambda _: store_path)(arn)
    store.close()

    heading(output, f"outcome: {result.status.value}")
    print_execution(output, record, str(location))

    store_args = ["--store", "filesystem", "--store-path", str(store_path)]
    heading(output, "dex list")
    main(["list", *store_args], output=output)
    heading(output, "dex validate")
    invalid = main(["validate", str(store_path)], output=output)

    succeeded = record.execution.status.value == "SUCCEEDED"
    return 0 if succeeded and invalid == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(run_demo())
    except BrokenPipeError:  # piped into `head`: the reader has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
