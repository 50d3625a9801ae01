"""The virtual clock an execution's timers run on.

Each execution has one clock (chained executions share their parent's). Its
``now()`` is wall time plus the time skipped so far, so the durations the
history records are the modeled ones while skipped periods take no wall time.
"""

from __future__ import annotations

import datetime as dt
import enum
import threading
from collections.abc import Callable

__all__ = ("ClockMode", "VirtualClock", "utc_now")


def utc_now() -> dt.datetime:
    """The wall-clock time, timezone-aware (UTC)."""
    return dt.datetime.now(dt.UTC)


class ClockMode(enum.Enum):
    """How an execution's time passes."""

    SKIP = "skip"
    """Timers fire at once when nothing but a timer can change the execution."""
    REAL = "real"
    """Timers fire in wall time."""
    MANUAL = "manual"
    """Time stands still until ``VirtualClock.advance`` moves it."""

    @classmethod
    def of(cls, skip_time: bool | str) -> ClockMode:
        """Map the runner's ``skip_time`` argument to a mode.

        Raises
        ------
        ValueError
            ``skip_time`` is not ``True``, ``False`` or ``"manual"``.
        """
        if skip_time is True:
            return cls.SKIP
        if skip_time is False:
            return cls.REAL
        if skip_time == "manual":
            return cls.MANUAL
        raise ValueError(
            f"skip_time must be True, False or 'manual', got {skip_time!r}"
        )


class VirtualClock:
    """Wall time plus an offset that grows when time is skipped.

    Parameters
    ----------
    mode:
        How time passes (see ``ClockMode``).
    """

    def __init__(self, mode: ClockMode = ClockMode.SKIP) -> None:
        self.mode = mode
        self._lock = threading.Lock()
        self._offset = dt.timedelta(0)
        self._frozen: dt.datetime | None = (
            utc_now() if mode is ClockMode.MANUAL else None
        )
        self._listeners: list[Callable[[], None]] = []

    @property
    def can_skip(self) -> bool:
        """Whether the service may jump to the next timer on its own."""
        return self.mode is ClockMode.SKIP

    @property
    def skipped(self) -> dt.timedelta:
        """The total time skipped so far (or advanced, in manual mode)."""
        return self._offset

    def now(self) -> dt.datetime:
        """The execution's current time."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen + self._offset
            return utc_now() + self._offset

    def seconds_until(self, when: dt.datetime) -> float | None:
        """Wall seconds until ``when``; ``None`` when only ``advance`` gets there."""
        remaining = (when - self.now()).total_seconds()
        if remaining <= 0:
            return 0.0
        return None if self._frozen is not None else remaining

    def skip_to(self, when: dt.datetime) -> None:
        """Jump forward to ``when`` (no effect when it is not in the future)."""
        with self._lock:
            base = self._frozen if self._frozen is not None else utc_now()
            gap = when - (base + self._offset)
            if gap > dt.timedelta(0):
                self._offset += gap

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` and wake every execution on it.

        Raises
        ------
        ValueError
            ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"time only moves forward: got seconds={seconds}")
        with self._lock:
            self._offset += dt.timedelta(seconds=seconds)
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` whenever ``advance`` moves the time."""
        with self._lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        """Stop calling ``listener``."""
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)
