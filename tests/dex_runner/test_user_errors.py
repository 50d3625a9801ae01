"""Mistakes a test can make, each with a message saying what and where."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.lambda_service import (
    ErrorObject as SdkErrorObject,
)
from dex_runner import (
    DurableFunctionTestRunner,
    InvalidParameterValueError,
    ResourceNotFoundError,
)
from dex_runner._runner import to_error
from dex_schema import ErrorObject

_ARN = (
    "arn:aws:lambda:us-east-1:123456789012:function:test-function:$LATEST/"
    "durable-execution/nope/0000"
)


@durable_execution
def waits(event: Any, context: DurableContext) -> Any:
    return context.create_callback(name="cb").result()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, None),
        ("plain message", ErrorObject(error_message="plain message")),
        (ValueError("bad"), ErrorObject(error_type="ValueError", error_message="bad")),
        (
            {"ErrorType": "Rejected", "ErrorMessage": "no", "ErrorData": "{}"},
            ErrorObject(error_type="Rejected", error_message="no", error_data="{}"),
        ),
        (
            SdkErrorObject(message="m", type="T", data=None, stack_trace=["a", "b"]),
            ErrorObject(error_message="m", error_type="T", stack_trace=("a", "b")),
        ),
        (ErrorObject(error_type="X"), ErrorObject(error_type="X")),
    ],
)
def test_errors_are_accepted_in_every_documented_form(
    given: Any, expected: ErrorObject | None
) -> None:
    assert to_error(given) == expected


def test_an_error_of_another_kind_is_refused() -> None:
    with pytest.raises(TypeError) as caught:
        to_error(42)  # type: ignore[arg-type]

    assert str(caught.value) == (
        "expected an ErrorObject, an exception, a mapping or a message, got int"
    )


def test_an_error_mapping_with_unknown_keys_is_refused() -> None:
    with pytest.raises(TypeError) as caught:
        to_error({"Message": "no"})

    assert str(caught.value) == (
        "an error mapping needs the keys ErrorMessage, ErrorType, ErrorData, "
        "StackTrace: Object contains unknown field `Message`"
    )


def test_stopping_an_unknown_execution_is_not_found(make_runner: Any) -> None:
    with pytest.raises(ResourceNotFoundError) as caught:
        make_runner(waits).stop_execution(_ARN)

    assert str(caught.value) == f"Durable execution {_ARN!r} not found"


def test_waiting_for_an_unknown_execution_is_not_found(make_runner: Any) -> None:
    with pytest.raises(ResourceNotFoundError) as caught:
        make_runner(waits).wait_for_result(_ARN, timeout=1)

    assert str(caught.value) == f"Durable execution {_ARN!r} not found"


def test_a_callback_id_naming_an_unknown_execution_is_not_found(
    make_runner: Any,
) -> None:
    forged = base64.urlsafe_b64encode(f"{_ARN}\nop".encode()).decode().rstrip("=")

    with pytest.raises(ResourceNotFoundError) as caught:
        make_runner(waits).send_callback_heartbeat(forged)

    assert str(caught.value) == f"Durable execution {_ARN!r} not found"


def test_a_malformed_execution_name_is_refused(make_runner: Any) -> None:
    with pytest.raises(InvalidParameterValueError) as caught:
        make_runner(waits).run_async(execution_name="has spaces")

    assert str(caught.value) == (
        "Invalid durable execution name 'has spaces': use 1-64 letters, digits, "
        "'-' or '_'"
    )


def test_an_execution_timeout_below_one_second_is_refused(make_runner: Any) -> None:
    with pytest.raises(InvalidParameterValueError) as caught:
        make_runner(waits).run_async(timeout=0)

    assert str(caught.value) == (
        "Invalid ExecutionTimeout 0: must be 1 or more seconds"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"execution_timeout": 0}, "execution_timeout must be 1 or more, got 0"),
        ({"invocation_timeout": 0}, "invocation_timeout must be positive, got 0"),
    ],
)
def test_runner_timeouts_must_be_positive(
    store: Any, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        DurableFunctionTestRunner(waits, store=store, **options)

    assert str(caught.value) == message
