"""pytest-dex: the ``durable_runner`` fixture and the ``durable_execution`` marker.

Installing the package registers the plugin (the ``pytest11`` entry point
``dex``); these names are for code that inspects or filters what it reports.
"""

from ._marker import KEYWORDS, MARKER, DurableExecutionOptions, MarkerError
from ._report import render_execution
from ._run import (
    CloudModeUnavailableError,
    DexWarning,
    ExecutionLeftRunningWarning,
    ThreadLeftRunningWarning,
)
from ._settings import DexMode, DexSettings

__all__ = (
    "KEYWORDS",
    "MARKER",
    "CloudModeUnavailableError",
    "DexMode",
    "DexSettings",
    "DexWarning",
    "DurableExecutionOptions",
    "ExecutionLeftRunningWarning",
    "MarkerError",
    "ThreadLeftRunningWarning",
    "render_execution",
)
