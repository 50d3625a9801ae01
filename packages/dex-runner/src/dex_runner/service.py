"""The emulated durable execution service, for code that serves or drives it.

``DurableFunctionTestRunner`` is how tests use the service; this module is for
front ends that put the same service behind another interface (``dex-server``
serves it over HTTP): everything ``dex_runner._service`` exports (the service
class, its invoker seam, the typed errors that carry AWS error codes), plus the
in-process invoker, the log capture and the function-ARN parser.
"""

from . import _service
from ._inprocess import InProcessInvoker
from ._logs import LogCapture
from ._service import *  # noqa: F403 - the service's own public names
from ._service._ids import function_arn as parse_function_arn

__all__ = (
    *_service.__all__,
    "InProcessInvoker",
    "LogCapture",
    "parse_function_arn",
)
