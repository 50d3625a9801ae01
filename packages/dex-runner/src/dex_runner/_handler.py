"""Telling a durable handler from a plain function; the error for one that is not."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ("NotDurableHandlerError", "handler_name", "is_durable_handler")

_WRAPPER = "durable_execution.<locals>.wrapper"
_SDK_FILE = "aws_durable_execution_sdk_python"


class NotDurableHandlerError(TypeError):
    """The function is not a durable handler (no ``@durable_execution``).

    Attributes
    ----------
    handler:
        The name of the callable.
    """

    def __init__(self, handler: str, detail: str) -> None:
        self.handler = handler
        super().__init__(
            f"{handler} is not a durable handler: {detail}; decorate it with "
            "@durable_execution from aws_durable_execution_sdk_python"
        )


def is_durable_handler(obj: object) -> bool:
    """Whether ``obj`` is a handler made by the SDK's ``@durable_execution``.

    Looks through ``functools.partial`` and bound methods; anything that is
    not callable is not a handler.

    Parameters
    ----------
    obj:
        Any object, typically what ``MODULE:HANDLER`` names.
    """
    while isinstance(obj, functools.partial):
        obj = obj.func
    function = getattr(obj, "__func__", obj)
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    return bool(
        getattr(code, "co_qualname", "") == _WRAPPER and _SDK_FILE in code.co_filename
    )


def handler_name(handler: Callable[..., Any]) -> str:
    """A readable ``module.qualname`` for ``handler``."""
    target = getattr(handler, "__wrapped__", handler)
    module = getattr(target, "__module__", None) or "?"
    name = getattr(target, "__qualname__", None) or repr(target)
    return f"{module}.{name}"
