"""The errors every execution store raises, whatever its backend."""

from __future__ import annotations

__all__ = (
    "CorruptRecordError",
    "ExecutionAlreadyExistsError",
    "ExecutionConflictError",
    "ExecutionNotFoundError",
    "InvalidQueryError",
    "StoreConfigError",
    "StoreError",
    "StoreNotFoundError",
)


class StoreError(Exception):
    """Base class of every error an execution store raises."""


class ExecutionNotFoundError(StoreError, LookupError):
    """No execution is stored under the ARN asked for."""

    def __init__(self, arn: str, where: str | None = None) -> None:
        self.arn = arn
        suffix = f" in {where}" if where else ""
        super().__init__(f"no execution stored under {arn!r}{suffix}")


class ExecutionAlreadyExistsError(StoreError):
    """``create`` was asked for an ARN that is already stored."""

    def __init__(self, arn: str) -> None:
        self.arn = arn
        super().__init__(
            f"an execution is already stored under {arn!r}; use update() to change it"
        )


class ExecutionConflictError(StoreError):
    """An update was made from a stale copy of the record.

    Attributes
    ----------
    arn:
        The execution's ARN.
    expected:
        The revision the caller's copy had.
    actual:
        The revision stored now.
    """

    def __init__(self, arn: str, expected: int, actual: int) -> None:
        self.arn = arn
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"execution {arn!r} was updated by someone else: the update was "
            f"made from revision {expected} but revision {actual} is stored; "
            "load it again and retry"
        )


class CorruptRecordError(StoreError):
    """A stored record cannot be read.

    Attributes
    ----------
    location:
        Where the record lives (a file path, or the ARN for stores without
        files).
    reason:
        What is wrong, usually the schema decode error with its JSON path.
    """

    def __init__(self, location: str, reason: str) -> None:
        self.location = location
        self.reason = reason
        super().__init__(f"corrupt execution record {location}: {reason}")


class InvalidQueryError(StoreError, ValueError):
    """A query parameter is out of range or malformed (limit, marker...)."""


class StoreConfigError(StoreError, ValueError):
    """The store configuration names an unknown store or is malformed."""


class StoreNotFoundError(StoreError):
    """A store was opened for reading where there is no store."""
