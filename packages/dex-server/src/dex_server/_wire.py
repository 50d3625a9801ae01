"""The HTTP wire form of the service's structs and of request parameters.

Bodies are JSON with botocore's PascalCase member names; timestamps travel as
epoch seconds, which is what botocore's ``rest-json`` parser reads. Query
string timestamps arrive as ISO 8601 (botocore's default for the query
string).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec
from dex_runner import InvalidParameterValueError
from starlette.requests import Request
from starlette.responses import Response

from ._errors import InvalidRequestContentError, RequestTooLargeError

__all__ = (
    "MAX_REQUEST_BYTES",
    "json_body",
    "json_type",
    "query_bool",
    "query_int",
    "query_timestamp",
    "read_body",
    "to_wire",
    "wire_response",
)

MAX_REQUEST_BYTES = 6 * 1024 * 1024
"""The largest request body any route accepts (Lambda's 6 MB request limit)."""


def to_wire(value: Any) -> Any:
    """A struct (or builtins holding structs) as JSON-ready builtins.

    Datetimes become epoch seconds (a float); ``None`` members are left out.
    """
    return _seconds(msgspec.to_builtins(value, builtin_types=(dt.datetime,)))


def _seconds(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {key: _seconds(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_seconds(item) for item in value]
    return value


def wire_response(body: dict[str, Any], status: int = 200) -> Response:
    """A JSON response with ``body`` in its wire form."""
    return Response(
        json.dumps(to_wire(body)),
        status_code=status,
        media_type="application/json",
    )


async def read_body(request: Request, limit: int = MAX_REQUEST_BYTES) -> bytes:
    """The request body, refused once it passes ``limit`` bytes.

    Raises
    ------
    RequestTooLargeError
        The declared or actual body size is over ``limit``.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(size, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> RequestTooLargeError:
    return RequestTooLargeError(
        f"Request must be smaller than {limit} bytes for this operation; got "
        f"{size} bytes or more"
    )


def json_body(raw: bytes, operation: str) -> dict[str, Any]:
    """Decode a JSON object body; an empty body is ``{}``.

    Raises
    ------
    InvalidRequestContentError
        The body is not JSON, or not a JSON object.
    """
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise InvalidRequestContentError(
            f"Could not parse the {operation} request body as JSON: {error}"
        ) from None
    if not isinstance(data, dict):
        raise InvalidRequestContentError(
            f"The {operation} request body must be a JSON object; got "
            f"{type(data).__name__}"
        )
    return data


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type (for error messages)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def query_int(request: Request, name: str) -> int | None:
    """An integer query parameter; ``None`` when absent.

    Raises
    ------
    InvalidParameterValueError
        The value is not an integer.
    """
    text = request.query_params.get(name)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidParameterValueError(
            f"Invalid {name} {text!r}: expected an integer"
        ) from None


def query_bool(request: Request, name: str) -> bool | None:
    """A boolean query parameter (``true``/``false``); ``None`` when absent.

    Raises
    ------
    InvalidParameterValueError
        The value is neither ``true`` nor ``false``.
    """
    text = request.query_params.get(name)
    if text is None:
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    raise InvalidParameterValueError(f"Invalid {name} {text!r}: expected true or false")


def query_timestamp(request: Request, name: str) -> dt.datetime | None:
    """A timestamp query parameter (ISO 8601 or epoch seconds); ``None`` if absent.

    Raises
    ------
    InvalidParameterValueError
        The value is neither an ISO 8601 timestamp nor a number.
    """
    text = request.query_params.get(name)
    if text is None:
        return None
    try:
        return dt.datetime.fromtimestamp(float(text), dt.UTC)
    except ValueError:
        pass
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidParameterValueError(
            f"Invalid {name} {text!r}: expected an ISO 8601 timestamp"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
