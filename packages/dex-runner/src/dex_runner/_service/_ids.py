"""Identifiers the service issues: ARNs, checkpoint tokens, callback ids, markers."""

from __future__ import annotations

import base64
import binascii
import re
import uuid

from ._errors import InvalidParameterValueError, ResourceNotFoundError

__all__ = (
    "DEFAULT_ACCOUNT",
    "DEFAULT_QUALIFIER",
    "DEFAULT_REGION",
    "ExecutionArn",
    "decode_callback_id",
    "decode_marker",
    "encode_callback_id",
    "encode_marker",
    "function_arn",
)

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_QUALIFIER = "$LATEST"

_FUNCTION_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"function:(?P<name>[a-zA-Z0-9_-]+)(?::(?P<qualifier>[a-zA-Z0-9$_-]+))?$"
)
_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_EXECUTION_ARN = re.compile(
    r"^(?P<function>arn:[^/]+)/durable-execution/(?P<name>[^/]+)/(?P<id>[^/]+)$"
)


def function_arn(name_or_arn: str) -> tuple[str, str]:
    """Return ``(unqualified function ARN, qualifier)`` for a name or ARN.

    Raises
    ------
    InvalidParameterValueError
        The value is neither a function name nor a function ARN.
    """
    match = _FUNCTION_ARN.match(name_or_arn)
    if match:
        unqualified = (
            name_or_arn.rsplit(":", 1)[0] if match["qualifier"] else name_or_arn
        )
        return unqualified, match["qualifier"] or DEFAULT_QUALIFIER
    if _NAME.match(name_or_arn):
        arn = (
            f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:function:{name_or_arn}"
        )
        return arn, DEFAULT_QUALIFIER
    raise InvalidParameterValueError(
        f"Invalid function name {name_or_arn!r}: expected a name of 1-64 letters, "
        "digits, '-' or '_', or a function ARN "
        "(arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER])"
    )


class ExecutionArn:
    """The parts of a durable execution ARN.

    ``arn:aws:lambda:REGION:ACCOUNT:function:NAME:QUALIFIER/durable-execution/
    EXECUTION_NAME/ID``; ``ID`` is also the id of the EXECUTION operation.
    """

    def __init__(self, function: str, qualifier: str, name: str, id_: str) -> None:
        self.function = function
        self.qualifier = qualifier
        self.name = name
        self.id = id_

    @classmethod
    def new(cls, function: str, qualifier: str, name: str | None) -> ExecutionArn:
        """A fresh ARN; ``name`` defaults to a random UUID.

        Raises
        ------
        InvalidParameterValueError
            ``name`` is not 1-64 letters, digits, '-' or '_'.
        """
        id_ = str(uuid.uuid4())
        if name is None:
            name = str(uuid.uuid4())
        elif not _NAME.match(name):
            raise InvalidParameterValueError(
                f"Invalid durable execution name {name!r}: use 1-64 letters, "
                "digits, '-' or '_'"
            )
        return cls(function, qualifier, name, id_)

    def __str__(self) -> str:
        return (
            f"{self.function}:{self.qualifier}/durable-execution/{self.name}/{self.id}"
        )


def encode_callback_id(execution_arn: str, operation_id: str) -> str:
    """A callback id that names its execution and operation."""
    raw = f"{execution_arn}\n{operation_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_callback_id(callback_id: str) -> tuple[str, str]:
    """Return ``(execution ARN, operation id)`` of a callback id.

    Raises
    ------
    ResourceNotFoundError
        The id was not issued by this service.
    """
    try:
        padded = callback_id + "=" * (-len(callback_id) % 4)
        arn, operation_id = (
            base64.urlsafe_b64decode(padded.encode()).decode().split("\n")
        )
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ResourceNotFoundError(
            f"Callback {callback_id!r} not found: this service did not issue it; "
            "use the CallbackId of a CallbackStarted event"
        ) from None
    if not _EXECUTION_ARN.match(arn):
        raise ResourceNotFoundError(
            f"Callback {callback_id!r} not found: this service did not issue it; "
            "use the CallbackId of a CallbackStarted event"
        )
    return arn, operation_id


def encode_marker(kind: str, offset: int) -> str:
    """An opaque paging marker for position ``offset`` of a ``kind`` listing."""
    return base64.urlsafe_b64encode(f"{kind}:{offset}".encode()).decode()


def decode_marker(kind: str, marker: str | None) -> int:
    """The position a marker stands for (0 for no marker).

    Raises
    ------
    InvalidParameterValueError
        The marker was not issued for this kind of listing.
    """
    if not marker:
        return 0
    try:
        text = base64.urlsafe_b64decode(marker.encode()).decode()
        prefix, offset = text.split(":")
        if prefix != kind or int(offset) < 0:
            raise ValueError(text)
        return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidParameterValueError(
            f"Invalid marker {marker!r}: pass the NextMarker of the previous "
            f"{kind} page unchanged"
        ) from None
