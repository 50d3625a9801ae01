"""Chained invoke: durable targets as linked executions, plain targets, unknown ones."""

from __future__ import annotations

import json
import time
from typing import Any

import msgspec
import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration
from aws_durable_execution_sdk_python.execution import InvocationStatus
from aws_durable_execution_sdk_python.lambda_service import OperationStatus
from dex_runner import DurableFunctionTestRunner, InvalidParameterValueError
from dex_schema import ErrorObject, ExecutionStatus
from dex_store_filesystem import FilesystemExecutionStore

from .conftest import outline

ORDERS_ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders"


@durable_execution
def caller(event: Any, context: DurableContext) -> Any:
    return context.invoke(event["target"], event["payload"], name="call")


@durable_execution
def orders(event: Any, context: DurableContext) -> dict[str, Any]:
    total = context.step(lambda _: sum(event["items"]), name="total")
    context.wait(Duration.from_seconds(3600), name="settle")
    return {"total": total}


@durable_execution
def failing_orders(event: Any, context: DurableContext) -> None:
    def reject(_: Any) -> None:
        raise ValueError("out of stock")

    context.step(reject, name="reserve")


def plain_tax(event: Any, context: Any) -> dict[str, float]:
    return {"tax": event["amount"] * 0.25}


def plain_broken(event: Any, context: Any) -> None:
    raise KeyError("rate")


def test_a_durable_target_runs_as_its_own_linked_execution(make_runner: Any) -> None:
    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function("orders", orders)

    result = runner.run({"target": "orders", "payload": {"items": [1, 2, 3]}})

    assert result.status is InvocationStatus.SUCCEEDED
    assert json.loads(result.result) == {"total": 6}
    assert outline(result.history) == [
        ("ExecutionStarted", None, None, None),
        ("ChainedInvokeStarted", "ChainedInvoke", "call", None),
        ("InvocationCompleted", None, None, None),
        ("ChainedInvokeSucceeded", "ChainedInvoke", "call", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionSucceeded", None, None, None),
    ]
    started = result.history[1].chained_invoke_started_details
    assert started is not None
    assert started.function_name == "orders"
    assert started.input is not None
    assert started.input.payload == '{"items": [1, 2, 3]}'
    child_arn = started.durable_execution_arn
    assert child_arn is not None
    assert child_arn.startswith(f"{ORDERS_ARN}:$LATEST/durable-execution/")

    child = runner.get_execution(child_arn)
    assert child.execution.status is ExecutionStatus.SUCCEEDED
    assert child.execution.result == '{"total": 6}'
    assert child.service_state.parent_execution_arn == result.execution_arn
    assert child.service_state.parent_operation_id == result.get_invoke("call").id
    assert outline(child.events) == [
        ("ExecutionStarted", None, None, None),
        ("StepStarted", "Step", "total", None),
        ("StepSucceeded", "Step", "total", None),
        ("WaitStarted", "Wait", "settle", None),
        ("InvocationCompleted", None, None, None),
        ("WaitSucceeded", "Wait", "settle", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionSucceeded", None, None, None),
    ]


def test_the_invoke_records_the_child_result(make_runner: Any) -> None:
    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function("orders", orders)

    result = runner.run({"target": "orders", "payload": {"items": [5]}})

    invoke = result.get_invoke("call")
    assert invoke.status is OperationStatus.SUCCEEDED
    assert invoke.result == '{"total": 5}'
    succeeded = result.history[3].chained_invoke_succeeded_details
    assert succeeded is not None
    assert succeeded.result.payload == '{"total": 5}'


def test_a_chained_execution_shares_its_parents_clock(make_runner: Any) -> None:
    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function("orders", orders)

    result = runner.run({"target": "orders", "payload": {"items": [1]}})

    invoke = result.get_invoke("call")
    assert invoke.end_timestamp is not None
    assert round((invoke.end_timestamp - invoke.start_timestamp).total_seconds()) == (
        3600
    )


def test_a_target_registered_by_arn_is_found_by_name_and_arn(
    make_runner: Any,
) -> None:
    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function(ORDERS_ARN, orders)

    by_name = runner.run({"target": "orders", "payload": {"items": [2]}})
    by_arn = runner.run({"target": f"{ORDERS_ARN}:$LATEST", "payload": {"items": [3]}})

    assert json.loads(by_name.result) == {"total": 2}
    assert json.loads(by_arn.result) == {"total": 3}


def test_a_target_is_found_by_name_and_qualifier_or_partial_arn(
    make_runner: Any,
) -> None:
    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function("orders:prod", orders)

    qualified = runner.run({"target": "orders:$LATEST", "payload": {"items": [1]}})
    partial = runner.run(
        {"target": "123456789012:function:orders", "payload": {"items": [2]}}
    )

    assert json.loads(qualified.result) == {"total": 1}
    assert json.loads(partial.result) == {"total": 2}
    started = qualified.history[1].chained_invoke_started_details
    assert started is not None and started.durable_execution_arn is not None
    assert started.durable_execution_arn.startswith(
        f"{ORDERS_ARN}:$LATEST/durable-execution/"
    )


def test_functions_on_the_constructor_are_registered(make_runner: Any) -> None:
    runner = make_runner(
        caller, execution_timeout=86400, functions={"orders": orders, "tax": plain_tax}
    )

    durable = runner.run({"target": "orders", "payload": {"items": [4]}})
    plain = runner.run({"target": "tax", "payload": {"amount": 8}})

    assert json.loads(durable.result) == {"total": 4}
    assert json.loads(plain.result) == {"tax": 2.0}


def test_a_failing_durable_target_fails_the_invoke_with_its_error(
    make_runner: Any,
) -> None:
    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function("orders", failing_orders)

    result = runner.run({"target": "orders", "payload": {}})

    assert result.status is InvocationStatus.FAILED
    assert outline(result.history)[:4] == [
        ("ExecutionStarted", None, None, None),
        ("ChainedInvokeStarted", "ChainedInvoke", "call", None),
        ("InvocationCompleted", None, None, None),
        ("ChainedInvokeFailed", "ChainedInvoke", "call", None),
    ]
    failed = result.history[3].chained_invoke_failed_details
    assert failed is not None
    assert failed.error.payload is not None
    assert failed.error.payload.error_message == "out of stock"
    assert result.get_invoke("call").status is OperationStatus.FAILED
    assert result.error is not None
    assert result.error.message == "out of stock"


@durable_execution
def slow_orders(event: Any, context: DurableContext) -> None:
    context.wait(Duration.from_seconds(600), name="forever")


def test_a_target_past_its_own_timeout_times_the_invoke_out(
    make_runner: Any,
) -> None:
    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function("orders", slow_orders, execution_timeout=60)

    result = runner.run({"target": "orders", "payload": {}})

    assert result.status is InvocationStatus.FAILED
    assert outline(result.history) == [
        ("ExecutionStarted", None, None, None),
        ("ChainedInvokeStarted", "ChainedInvoke", "call", None),
        ("InvocationCompleted", None, None, None),
        ("ChainedInvokeTimedOut", "ChainedInvoke", "call", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionFailed", None, None, None),
    ]
    timed_out = result.history[3].chained_invoke_timed_out_details
    assert timed_out is not None
    assert timed_out.error.payload == ErrorObject(
        error_type="Execution.TimedOut",
        error_message="Execution timed out after 60 seconds",
    )
    invoke = result.get_invoke("call")
    assert invoke.status is OperationStatus.TIMED_OUT
    assert invoke.end_timestamp is not None
    span = (invoke.end_timestamp - invoke.start_timestamp).total_seconds()
    assert round(span) == 60


def test_the_parents_timeout_ends_it_before_a_slower_target(
    make_runner: Any,
) -> None:
    runner = make_runner(caller, execution_timeout=900)
    runner.register_function("orders", slow_orders)

    result = runner.run({"target": "orders", "payload": {}}, timeout=300)

    assert result.execution_status is ExecutionStatus.TIMED_OUT
    assert [row[0] for row in outline(result.history)] == [
        "ExecutionStarted",
        "ChainedInvokeStarted",
        "InvocationCompleted",
        "ExecutionTimedOut",
    ]


def test_a_target_timeout_below_one_second_is_refused(make_runner: Any) -> None:
    runner = make_runner(caller)

    with pytest.raises(
        ValueError, match="execution_timeout for 'orders' must be 1 or more seconds"
    ):
        runner.register_function("orders", orders, execution_timeout=0)


def test_a_stopped_target_stops_the_invoke(make_runner: Any) -> None:
    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function("orders", slow_orders)
    arn = runner.run_async({"target": "orders", "payload": {}})
    child_arn = _child_arn(runner, arn)
    _wait_for_event(runner, arn, "InvocationCompleted")

    runner.stop_execution(child_arn, ErrorObject(error_message="cancelled"))
    result = runner.wait_for_result(arn, timeout=10)

    assert outline(result.history)[3] == (
        "ChainedInvokeStopped",
        "ChainedInvoke",
        "call",
        None,
    )
    stopped = result.history[3].chained_invoke_stopped_details
    assert stopped is not None
    assert stopped.error.payload == ErrorObject(error_message="cancelled")
    assert result.get_invoke("call").status is OperationStatus.STOPPED


def _wait_for_event(runner: Any, arn: str, event_type: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        types = [event.event_type.value for event in runner.get_execution_history(arn)]
        if event_type in types:
            return
        time.sleep(0.01)
    raise AssertionError(f"no {event_type} event in {arn} within 10 s")


def _child_arn(runner: Any, arn: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for event in runner.get_execution_history(arn):
            details = event.chained_invoke_started_details
            if details is not None and details.durable_execution_arn:
                return str(details.durable_execution_arn)
        time.sleep(0.01)
    raise AssertionError("no chained execution started within 10 s")


def test_a_plain_target_is_called_once_with_the_payload(make_runner: Any) -> None:
    calls: list[Any] = []

    def tax(event: Any, context: Any) -> dict[str, float]:
        calls.append(event)
        return plain_tax(event, context)

    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function("tax", tax, durable=False)

    result = runner.run({"target": "tax", "payload": {"amount": 40}})

    assert json.loads(result.result) == {"tax": 10.0}
    assert calls == [{"amount": 40}]
    assert outline(result.history) == [
        ("ExecutionStarted", None, None, None),
        ("ChainedInvokeStarted", "ChainedInvoke", "call", None),
        ("InvocationCompleted", None, None, None),
        ("ChainedInvokeSucceeded", "ChainedInvoke", "call", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionSucceeded", None, None, None),
    ]
    started = result.history[1].chained_invoke_started_details
    assert started is not None
    assert started.durable_execution_arn is None


def test_a_plain_target_that_raises_fails_the_invoke(make_runner: Any) -> None:
    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function("tax", plain_broken, durable=False)

    result = runner.run({"target": "tax", "payload": {}})

    assert result.status is InvocationStatus.FAILED
    failed = result.history[3].chained_invoke_failed_details
    assert failed is not None
    assert failed.error.payload == ErrorObject(
        error_type="KeyError", error_message="'rate'"
    )


def test_an_unregistered_target_fails_as_the_service_fails_it(
    make_runner: Any,
) -> None:
    result = make_runner(caller).run({"target": "nowhere", "payload": {}})

    assert result.status is InvocationStatus.FAILED
    assert outline(result.history) == [
        ("ExecutionStarted", None, None, None),
        ("ChainedInvokeStarted", "ChainedInvoke", "call", None),
        ("ChainedInvokeFailed", "ChainedInvoke", "call", None),
        ("InvocationCompleted", None, None, None),
        ("ExecutionFailed", None, None, None),
    ]
    failed = result.history[2].chained_invoke_failed_details
    assert failed is not None
    assert failed.error.payload == ErrorObject(
        error_type="ResourceNotFoundException",
        error_message=(
            "Function not found: "
            "arn:aws:lambda:us-east-1:123456789012:function:nowhere:$LATEST"
        ),
    )
    assert result.error is not None
    assert result.error.message == failed.error.payload.error_message


def test_register_function_rejects_a_bad_name(make_runner: Any) -> None:
    runner = make_runner(caller, execution_timeout=86400)

    with pytest.raises(InvalidParameterValueError, match="Invalid function name"):
        runner.register_function("not a name", orders)


def test_register_function_rejects_what_is_not_callable(make_runner: Any) -> None:
    runner = make_runner(caller, execution_timeout=86400)

    with pytest.raises(TypeError, match="the handler for 'orders' must be callable"):
        runner.register_function("orders", "orders.handler")


@durable_execution
def needs_approval(event: Any, context: DurableContext) -> str:
    callback = context.create_callback(
        name="approve", config=CallbackConfig(timeout=Duration.from_hours(1))
    )
    return f"approved: {callback.result()}"


def test_a_chained_executions_callback_can_be_answered_by_the_test(
    make_runner: Any,
) -> None:
    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function("approvals", needs_approval)
    arn = runner.run_async({"target": "approvals", "payload": {}})
    child_arn = _child_arn(runner, arn)
    callback_id = runner.wait_for_callback(child_arn, name="approve")

    runner.send_callback_success(callback_id, "yes")
    result = runner.wait_for_result(arn, timeout=10)

    assert result.result == '"approved: yes"'
    child = runner.get_execution(child_arn)
    assert [event.event_type.value for event in child.events] == [
        "ExecutionStarted",
        "CallbackStarted",
        "InvocationCompleted",
        "CallbackSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]


def test_waiting_for_the_parent_lets_a_chained_callback_time_out(
    make_runner: Any,
) -> None:
    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function("approvals", needs_approval)
    arn = runner.run_async({"target": "approvals", "payload": {}})
    child_arn = _child_arn(runner, arn)
    runner.wait_for_callback(child_arn)

    result = runner.wait_for_result(arn, timeout=10)

    assert result.status is InvocationStatus.FAILED
    assert outline(result.history)[3] == (
        "ChainedInvokeFailed",
        "ChainedInvoke",
        "call",
        None,
    )
    invoke = result.get_invoke("call")
    assert invoke.end_timestamp is not None
    elapsed = (invoke.end_timestamp - invoke.start_timestamp).total_seconds()
    assert round(elapsed) == 3600
    child = runner.get_execution(child_arn)
    assert child.events[3].event_type.value == "CallbackTimedOut"


def test_a_chained_execution_is_stored_linked_in_the_filesystem_store(
    tmp_path: Any,
) -> None:
    store = FilesystemExecutionStore(tmp_path / "store")
    with DurableFunctionTestRunner(
        caller, store=store, execution_timeout=86400
    ) as runner:
        runner.register_function("orders", orders)
        result = runner.run({"target": "orders", "payload": {"items": [7]}})
    store.close()

    reopened = FilesystemExecutionStore(tmp_path / "store")
    started = result.history[1].chained_invoke_started_details
    assert started is not None and started.durable_execution_arn is not None
    child = reopened.load(started.durable_execution_arn)
    parent = reopened.load(result.execution_arn)
    reopened.close()
    assert child.execution.status is ExecutionStatus.SUCCEEDED
    assert child.service_state.parent_execution_arn == result.execution_arn
    assert parent.execution.result == '{"total": 7}'
    assert parent.events == result.history


def test_a_plain_target_returning_what_json_cannot_hold_fails_the_invoke(
    make_runner: Any,
) -> None:
    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function("odd", lambda event, context: {1, 2}, durable=False)

    result = runner.run({"target": "odd", "payload": {}})

    failed = result.history[3].chained_invoke_failed_details
    assert failed is not None
    assert failed.error.payload == ErrorObject(
        error_type="Runtime.MarshalError",
        error_message=(
            "Unable to marshal response: Object of type set is not JSON serializable"
        ),
    )


def test_an_invoke_of_a_malformed_name_fails_with_the_services_message(
    make_runner: Any,
) -> None:
    result = make_runner(caller, execution_timeout=86400).run(
        {"target": "no such function!", "payload": {}}
    )

    assert outline(result.history)[:3] == [
        ("ExecutionStarted", None, None, None),
        ("ChainedInvokeStarted", "ChainedInvoke", "call", None),
        ("ChainedInvokeFailed", "ChainedInvoke", "call", None),
    ]
    failed = result.history[2].chained_invoke_failed_details
    assert failed is not None
    assert failed.error.payload == ErrorObject(
        error_type="InvalidParameterValueException",
        error_message=(
            "Invalid function name 'no such function!': expected a name of 1-64 "
            "letters, digits, '-' or '_', or a function ARN "
            "(arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER])"
        ),
    )


@durable_execution
def middle(event: Any, context: DurableContext) -> Any:
    inner = context.invoke("orders", event, name="call")
    context.wait(Duration.from_seconds(60), name="after")
    return {"middle": inner}


def test_a_chain_of_three_executions_runs_on_one_clock(make_runner: Any) -> None:
    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function("middle", middle)
    runner.register_function("orders", orders)

    result = runner.run({"target": "middle", "payload": {"items": [1, 2]}})

    assert json.loads(result.result) == {"middle": {"total": 3}}
    invoke = result.get_invoke("call")
    assert invoke.end_timestamp is not None
    span = (invoke.end_timestamp - invoke.start_timestamp).total_seconds()
    assert round(span) == 3600 + 60


def test_the_invoke_events_have_the_services_json_keys(make_runner: Any) -> None:
    runner = make_runner(caller, execution_timeout=86400)
    runner.register_function("orders", orders)
    result = runner.run({"target": "orders", "payload": {"items": [1, 2]}})

    events = [
        msgspec.to_builtins(e)
        for e in runner.get_execution_history(result.execution_arn)
    ]

    started, succeeded = events[1], events[3]
    child_arn = started["ChainedInvokeStartedDetails"]["DurableExecutionArn"]
    assert started["ChainedInvokeStartedDetails"] == {
        "FunctionName": "orders",
        "Input": {"Payload": '{"items": [1, 2]}', "Truncated": False},
        "DurableExecutionArn": child_arn,
    }
    assert {
        key: started[key] for key in ("EventType", "SubType", "EventId", "Name")
    } == {
        "EventType": "ChainedInvokeStarted",
        "SubType": "ChainedInvoke",
        "EventId": 2,
        "Name": "call",
    }
    assert succeeded["ChainedInvokeSucceededDetails"] == {
        "Result": {"Payload": '{"total": 3}', "Truncated": False}
    }
    assert succeeded["Id"] == started["Id"]
