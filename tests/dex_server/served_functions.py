"""Durable handlers ``dex serve`` serves in the subprocess tests.

They are decorated with the SDK's plain ``@durable_execution``: no client is
injected, so the SDK makes its own boto3 client from the environment.
"""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration


@durable_execution
def order_flow(event: Any, context: DurableContext) -> Any:
    price = context.step(lambda _: event["quantity"] * 5, name="price")
    context.wait(Duration.from_seconds(60), name="cool-off")

    def pack(child: DurableContext) -> str:
        box = child.step(lambda _: f"box-{price}", name="box")
        return child.step(lambda _: f"{box}-taped", name="tape")

    parcel = context.run_in_child_context(pack, name="packing")
    return {"price": price, "parcel": parcel}


@durable_execution
def approval(event: Any, context: DurableContext) -> Any:
    """Waits for a callback nobody answers."""
    return context.wait_for_callback(lambda callback_id, _: None, name="approve")
