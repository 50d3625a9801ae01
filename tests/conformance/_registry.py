"""Which handler runs which conformance case."""

from __future__ import annotations

from collections.abc import Mapping

from ._handlers_callback import CALLBACK_HANDLERS
from ._handlers_child import CHILD_HANDLERS
from ._handlers_common import Handler, HandlerFactory
from ._handlers_step import STEP_HANDLERS
from ._handlers_wait import WAIT_HANDLERS
from ._handlers_wait_for_callback import WAIT_FOR_CALLBACK_HANDLERS

HANDLERS: Mapping[str, HandlerFactory] = {
    **STEP_HANDLERS,
    **WAIT_HANDLERS,
    **CHILD_HANDLERS,
    **CALLBACK_HANDLERS,
    **WAIT_FOR_CALLBACK_HANDLERS,
}


class MissingHandlerError(LookupError):
    """A case file has no handler written for it."""


def handler_for(case_id: str, path: str) -> Handler:
    """Build a fresh handler for one run of the case ``case_id``.

    Parameters
    ----------
    case_id
        The case file's stem, e.g. ``"4-1"``.
    path
        The case file, for the error message.

    Raises
    ------
    MissingHandlerError
        If no handler is registered for ``case_id``.
    """
    factory = HANDLERS.get(case_id)
    if factory is None:
        raise MissingHandlerError(
            f"Conformance case {case_id} ({path}) has no handler. Write one from "
            "the case's 'handler' and 'invocations' text in "
            "tests/conformance/_handlers_<suite>.py and register it under "
            f"{case_id!r} in that module's table."
        )
    return factory()
