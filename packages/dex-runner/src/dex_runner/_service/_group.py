"""The executions that share one clock, and when their clock may skip.

An execution and the chained executions it starts run on one clock: a
day-long wait in the child moves the parent's time too. Time may jump to the
next timer only across a period in which nothing but a timer can change any
execution on the clock: no invocation running or about to start, no plain
chained function in flight, no execution paused, and no callback the test
can still answer (a callback holds the clock until someone blocks waiting
for the result of an execution on it). The jump goes to the earliest timer of
the whole group, never past another member's.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import weakref

from dex_schema import ExecutionStatus

from ._clock import VirtualClock
from ._execution import LiveExecution

__all__ = (
    "SETTLE_TIMEOUT",
    "ClockGroup",
    "group_of",
    "join_group",
    "may_skip",
    "settle",
    "wait_cap",
)

SETTLE_TIMEOUT = 10.0
"""Longest wall wait of ``settle``."""

_GROUP_POLL_SECONDS = 0.01
"""Longest wall wait of an idle driver whose clock other executions share,
so a jump made by one member is seen by the others promptly."""


class ClockGroup:
    """The live executions on one clock, and the work in flight outside them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Weak, so that the group (a value of ``_groups``) does not keep its
        # own clock (the key) alive through its members.
        self._members: weakref.WeakSet[LiveExecution] = weakref.WeakSet()
        self.calls_in_flight = 0
        """Plain (non-durable) chained functions running for a member."""
        self.undelivered: set[tuple[str, str]] = set()
        """``(parent execution ARN, parent operation id)`` of chained
        executions whose outcome has not reached their parent yet: between
        its end and that delivery a chained execution still counts as busy."""

    def add(self, live: LiveExecution) -> None:
        with self._lock:
            self._members.add(live)

    def members(self) -> list[LiveExecution]:
        """The members that have not ended, or whose end is not delivered yet."""
        with self._lock:
            members = list(self._members)
            undelivered = set(self.undelivered)
        return [
            member
            for member in members
            if not member.terminal or _undelivered(member, undelivered)
        ]

    def begin_call(self) -> None:
        with self._lock:
            self.calls_in_flight += 1

    def end_call(self) -> None:
        with self._lock:
            self.calls_in_flight -= 1

    @property
    def shared(self) -> bool:
        """Whether more than one execution that has not ended is on this clock."""
        return len(self.members()) > 1

    def expect_delivery(self, parent_arn: str, parent_operation_id: str) -> None:
        """A chained execution for this parent operation is about to start."""
        with self._lock:
            self.undelivered.add((parent_arn, parent_operation_id))

    def delivered(self, parent_arn: str, parent_operation_id: str) -> None:
        """The chained execution's outcome has reached the parent."""
        with self._lock:
            self.undelivered.discard((parent_arn, parent_operation_id))


def _undelivered(member: LiveExecution, undelivered: set[tuple[str, str]]) -> bool:
    parent, op_id = member.parent_execution_arn, member.parent_operation_id
    return parent is not None and op_id is not None and (parent, op_id) in undelivered


_groups: weakref.WeakKeyDictionary[VirtualClock, ClockGroup] = (
    weakref.WeakKeyDictionary()
)
_groups_lock = threading.Lock()


def group_of(clock: VirtualClock) -> ClockGroup:
    """The group of executions on ``clock`` (created on first use)."""
    with _groups_lock:
        group = _groups.get(clock)
        if group is None:
            group = _groups[clock] = ClockGroup()
        return group


def join_group(live: LiveExecution) -> None:
    """Add ``live`` to the group of its clock."""
    group_of(live.clock).add(live)


def _busy(member: LiveExecution) -> bool:
    return member.running is not None or (
        member.invoke_requested and member.summary.status is not ExecutionStatus.PAUSED
    )


class _Others:
    """The other members of ``live``'s group, each locked while in use.

    The caller holds ``live``'s lock. Another member's lock is only tried,
    never waited for (two drivers each holding their own lock would deadlock
    otherwise): a member whose lock is taken is doing something, so time must
    not jump now, and ``locked`` is ``False``.
    """

    def __init__(self, live: LiveExecution) -> None:
        self.members = [m for m in group_of(live.clock).members() if m is not live]
        self._held: list[LiveExecution] = []
        self.locked = True

    def __enter__(self) -> _Others:
        for member in self.members:
            if not member.condition.acquire(blocking=False):
                self.locked = False
                break
            self._held.append(member)
        return self

    def __exit__(self, *exc: object) -> None:
        for member in self._held:
            member.condition.release()


def _holds(live: LiveExecution, others: list[LiveExecution]) -> bool:
    members = [live, *others]
    undelivered = group_of(live.clock).undelivered
    waiting_for_result = any(m.result_waiters for m in members)
    for member in members:
        if member.terminal:
            if _undelivered(member, undelivered):
                return True
            continue
        if member is not live and _busy(member):
            return True
        if waiting_for_result:
            continue
        if member.summary.status is ExecutionStatus.PAUSED:
            return True
        if member.outstanding_callbacks():
            return True
    return False


def holds(live: LiveExecution) -> bool:
    """Whether something other than a timer may change an execution on the clock.

    Call it holding ``live``'s lock, with ``live`` idle (no invocation
    running or due to start).
    """
    if group_of(live.clock).calls_in_flight:
        return True
    with _Others(live) as others:
        return not others.locked or _holds(live, others.members)


def may_skip(live: LiveExecution, due: dt.datetime) -> bool:
    """Whether ``live``'s driver may jump the clock to ``due`` (its next timer).

    Call it holding ``live``'s lock, with ``live`` idle.
    """
    if group_of(live.clock).calls_in_flight:
        return False
    with _Others(live) as others:
        if not others.locked or _holds(live, others.members):
            return False
        for member in others.members:
            if member.terminal:
                continue
            upcoming = member.next_timer()
            if upcoming is not None and upcoming[0] < due:
                return False
    return True


def wait_cap(live: LiveExecution, wait: float | None) -> float | None:
    """``wait`` bounded for a driver whose clock other executions share."""
    if not group_of(live.clock).shared:
        return wait
    if wait is None:
        return _GROUP_POLL_SECONDS
    return min(wait, _GROUP_POLL_SECONDS)


def _settled(member: LiveExecution) -> bool:
    if member.terminal or member.closed or member.closing:
        return True
    if member.running is not None:
        return False
    paused = member.summary.status is ExecutionStatus.PAUSED
    if member.invoke_requested and not paused:
        return False
    upcoming = member.next_timer()
    return upcoming is None or upcoming[0] > member.clock.now()


def settle(live: LiveExecution, timeout: float = SETTLE_TIMEOUT) -> bool:
    """Wait until every execution on ``live``'s clock is at rest.

    At rest: ended, or no invocation running or due to start and no timer due
    at the clock's current time. Returns whether that happened within
    ``timeout`` wall seconds. Call it holding no execution's lock.
    """
    deadline = time.monotonic() + timeout
    for member in group_of(live.clock).members() or [live]:
        with member.condition:
            while not _settled(member):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                member.condition.wait(min(remaining, _GROUP_POLL_SECONDS))
    return True
