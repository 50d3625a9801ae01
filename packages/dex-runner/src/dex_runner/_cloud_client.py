"""Calling the Lambda API with retries that never start a function twice.

Throttling (HTTP 429), the service's 5xx answers and connection failures
before a request was sent are retried with exponential backoff. A request
that may have reached the service (a read timeout, a dropped connection) is
retried only when repeating it cannot change anything: reads and callbacks
answers are checked by the caller; an Invoke is never repeated blindly (see
``CloudLambda.invoke``).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

__all__ = (
    "THROTTLING_CODES",
    "AmbiguousInvokeError",
    "CloudLambda",
    "is_retryable",
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

THROTTLING_CODES = frozenset(
    {
        "TooManyRequestsException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "EC2ThrottledException",
        "ResourceNotReadyException",
    }
)
"""Error codes that say "try again later": the request changed nothing."""

_UNSENT = (EndpointConnectionError, ConnectTimeoutError)
"""Failures before the request reached the service: safe to repeat."""

_MAYBE_SENT = (ReadTimeoutError, ConnectionClosedError)
"""Failures after the request may have reached the service."""


class AmbiguousInvokeError(RuntimeError):
    """An Invoke may or may not have started the execution, and dex cannot tell.

    Attributes
    ----------
    execution_name:
        The durable execution name the Invoke used; look it up with
        ListDurableExecutionsByFunction.
    """

    def __init__(self, function_name: str, execution_name: str, cause: str) -> None:
        self.execution_name = execution_name
        super().__init__(
            f"Invoke of {function_name} (DurableExecutionName {execution_name!r}) "
            f"failed after the request may have been sent ({cause}), and no "
            "execution of that name could be found; dex does not invoke again, "
            "to not start the function twice: look the name up with "
            "ListDurableExecutionsByFunction, or run again with a new name"
        )


def is_retryable(error: BaseException, *, sent_is_safe: bool) -> bool:
    """Whether ``error`` may be answered by sending the same request again.

    Parameters
    ----------
    error:
        What the call raised.
    sent_is_safe:
        Whether repeating a request that may already have been processed is
        harmless (reads are; an Invoke is not).
    """
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return code in THROTTLING_CODES or (status >= 500 and sent_is_safe)
    if isinstance(error, _UNSENT):
        return True
    return isinstance(error, _MAYBE_SENT) and sent_is_safe


class CloudLambda:
    """A boto3 ``lambda`` client with dex's retry rules.

    Parameters
    ----------
    client:
        The boto3 client (its own retries turned off).
    max_attempts:
        Attempts per call, the first included.
    base_delay:
        Seconds before the first retry; doubled each time, at most 10 s, with
        jitter.
    sleep:
        How to wait (tests pass a recorder).
    """

    def __init__(
        self,
        client: Any,
        *,
        max_attempts: int = 6,
        base_delay: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self._sleep = sleep

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """Call a read or an idempotent operation, retrying transient failures.

        Raises
        ------
        botocore.exceptions.ClientError
            The service's error (after the retries for a transient one).
        """
        method = getattr(self.client, operation)
        return self._retrying(operation, lambda: method(**params), sent_is_safe=True)

    def _retrying(
        self, operation: str, send: Callable[[], T], *, sent_is_safe: bool
    ) -> T:
        attempt = 1
        while True:
            try:
                return send()
            except Exception as error:
                if attempt >= self.max_attempts or not is_retryable(
                    error, sent_is_safe=sent_is_safe
                ):
                    raise
                delay = min(10.0, self.base_delay * 2 ** (attempt - 1))
                delay *= 0.5 + random.random() / 2
                logger.info(
                    "%s failed (%s); attempt %d of %d in %.2f s",
                    operation,
                    _describe(error),
                    attempt + 1,
                    self.max_attempts,
                    delay,
                )
                self._sleep(delay)
                attempt += 1

    def invoke(
        self,
        function_name: str,
        execution_name: str,
        payload: bytes,
        lookup: Callable[[], str | None],
    ) -> str:
        """Start one durable execution with an ``Event`` Invoke; return its ARN.

        Throttling and failures before the request was sent are retried. When
        the request may have been processed (a read timeout, a dropped
        connection, a 5xx), the execution is looked up by its name with
        ``lookup`` instead of invoking again.

        Raises
        ------
        AmbiguousInvokeError
            The request may have been processed but no execution of that name
            can be found, or looking it up failed (chained as its cause).
        botocore.exceptions.ClientError
            The service refused the Invoke.
        """

        def send() -> str:
            response = self.client.invoke(
                FunctionName=function_name,
                InvocationType="Event",
                DurableExecutionName=execution_name,
                Payload=payload,
            )
            arn: str | None = response.get("DurableExecutionArn")
            if not arn:
                raise RuntimeError(
                    f"Invoke of {function_name} answered without a "
                    "DurableExecutionArn: is it a durable function?"
                )
            return arn

        try:
            return self._retrying("Invoke", send, sent_is_safe=False)
        except Exception as error:
            if not _maybe_sent(error):
                raise
            logger.warning(
                "Invoke of %s may have been processed (%s); looking up execution "
                "%r instead of invoking again",
                function_name,
                _describe(error),
                execution_name,
            )
            for attempt in range(self.max_attempts):
                try:
                    found = lookup()
                except Exception as lookup_error:
                    raise AmbiguousInvokeError(
                        function_name,
                        execution_name,
                        f"{_describe(error)}; looking it up failed too: "
                        f"{_describe(lookup_error)}",
                    ) from lookup_error
                if found is not None:
                    return found
                self._sleep(min(10.0, self.base_delay * 2**attempt))
            raise AmbiguousInvokeError(
                function_name, execution_name, _describe(error)
            ) from error


def _maybe_sent(error: BaseException) -> bool:
    if isinstance(error, _MAYBE_SENT):
        return True
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return bool(status >= 500)
    return False


def _describe(error: BaseException) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "ClientError"))
    return type(error).__name__
