"""The one error the ``dex`` command reports as a one-line message."""

from __future__ import annotations

__all__ = ("EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "CliError")

EXIT_OK = 0
"""The command did what was asked (and, for ``run``, the execution succeeded)."""
EXIT_FAILURE = 1
"""The command ran but the outcome is a failure (invalid files, failed run)."""
EXIT_USAGE = 2
"""Bad input: the command could not start (``argparse`` uses 2 as well)."""


class CliError(Exception):
    """Bad input a user can fix: printed as ``dex CMD: error: MESSAGE``.

    The message is one line that names the problem and what to do about it;
    the command exits with ``EXIT_USAGE`` and no traceback is shown.
    """
