"""An order workflow: a small but real durable function.

It reserves stock (the warehouse is flaky, so the step retries), waits out
a fraud-check window, asks the payment service for approval through a
callback, packs every item in parallel with a map, and ships the parcel in
a child context of its own. Run it with ``just demo`` or
``dex run examples.order_workflow:handler``; its tests are in ``examples/tests``.
"""

from __future__ import annotations

import json
from typing import Any

from aws_durable_execution_sdk_python import (
    DurableContext,
    StepContext,
    durable_execution,
)
from aws_durable_execution_sdk_python.config import (
    Duration,
    JitterStrategy,
    StepConfig,
    WaitForCallbackConfig,
)
from aws_durable_execution_sdk_python.retries import (
    RetryStrategyConfig,
    create_retry_strategy,
)
from aws_durable_execution_sdk_python.types import WaitForCallbackContext

PAYMENT_CALLBACK = "payment-approval"
"""The name of the callback the payment service answers."""

FRAUD_CHECK_WINDOW = Duration.from_minutes(2)
"""How long an order waits before payment is asked for."""


class WarehouseBusyError(Exception):
    """The warehouse could not take the reservation now; try again later."""


class PaymentDeclinedError(Exception):
    """The payment service answered, and it said no."""


RESERVE_RETRIES = StepConfig(
    retry_strategy=create_retry_strategy(
        RetryStrategyConfig(
            max_attempts=3,
            initial_delay=Duration.from_seconds(2),
            backoff_rate=2.0,
            jitter_strategy=JitterStrategy.NONE,
            retryable_error_types=[WarehouseBusyError],
        )
    )
)


def reserve_stock(order: dict[str, Any], step: StepContext) -> str:
    """Reserve the order's items; the warehouse is busy on the first try."""
    if step.attempt == 1 and order.get("warehouse_busy", True):
        raise WarehouseBusyError("warehouse busy, try again in a moment")
    return f"reservation-{order['order_id']}"


def request_payment(
    order: dict[str, Any], callback_id: str, context: WaitForCallbackContext
) -> None:
    """Send the payment request; the payment service answers the callback."""
    context.logger.info(
        "payment requested for %s, answer callback %s", order["order_id"], callback_id
    )


def pack_item(
    context: DurableContext, item: str, index: int, items: list[str]
) -> dict[str, Any]:
    """Pack one item (each item is its own branch of the map)."""
    box = context.step(lambda _: f"box-{index + 1}-of-{len(items)}", name="box")
    return {"item": item, "box": box}


def ship(order: dict[str, Any], context: DurableContext) -> str:
    """Book a courier and print the label, grouped in one child context."""
    courier = context.step(lambda _: "courier-7", name="book-courier")
    return context.step(lambda _: f"{courier}/{order['order_id']}", name="print-label")


@durable_execution
def handler(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    """Process one order: ``{"order_id": "o-1", "items": ["book", "lamp"]}``."""
    order = dict(event)
    items: list[str] = list(order.get("items", []))

    reservation = context.step(
        lambda step: reserve_stock(order, step),
        name="reserve-stock",
        config=RESERVE_RETRIES,
    )

    context.wait(FRAUD_CHECK_WINDOW, name="fraud-check-window")

    answer = context.wait_for_callback(
        lambda callback_id, ctx: request_payment(order, callback_id, ctx),
        name=PAYMENT_CALLBACK,
        config=WaitForCallbackConfig(timeout=Duration.from_hours(24)),
    )
    approval = json.loads(answer) if isinstance(answer, str) else answer
    if not approval or not approval.get("approved"):
        raise PaymentDeclinedError(f"payment for {order['order_id']} was declined")

    packed = context.map(items, pack_item, name="pack-items")

    tracking = context.run_in_child_context(
        lambda child: ship(order, child), name="ship"
    )

    return {
        "order_id": order["order_id"],
        "reservation": reservation,
        "boxes": [entry["box"] for entry in packed.get_results()],
        "tracking": tracking,
    }
