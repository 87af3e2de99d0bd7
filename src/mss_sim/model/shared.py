"""What a replication's subsystems share: the event log, the bus, the mandate, the strength.

:func:`mss_sim.model.simulate` builds one of each and hands each subsystem the
ones it needs. Subsystems do not know each other: they react to what the
:class:`Bus` announces.

* ``strength changing``: just before the deployed strength or the mandate
  changes (the treasury accrues costs up to that moment);
* ``mandate changed``: just after the mandate changed (deployment enforces the
  ceiling or withdraws, the assessed budget is set up), and as a SimPy event
  that processes can wait for;
* ``contingent arrived``: a contingent's first wave (its one-off cost);
* ``draft adopted``: a SimPy event per draft, fired at its first adoption;
* ``security updated``: after the month-end update of the security situation
  (contributors weigh the month's casualties);
* ``contingent reduced``: a contingent drawn down or gone for good (a relief it
  awaits may no longer be wanted).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Any, TypeAlias

import simpy

from mss_sim.model.clock import Clock
from mss_sim.model.events import Event, EventKind
from mss_sim.scenario.spec import Mandate as MandateSpec

__all__ = ["Bus", "EventLog", "MandateState", "Process", "SecurityState", "Strength"]

Process: TypeAlias = Generator[simpy.Event, Any, None]
"""A SimPy process: a generator of events."""


class EventLog:
    """The replication's record of what happened (kept only when `record` is true).

    Callers on hot paths test :attr:`record` before building an event's details.
    """

    __slots__ = ("clock", "events", "month_marks", "record")

    def __init__(self, clock: Clock, *, record: bool):
        self.clock = clock
        self.record = record
        self.events: list[Event] = []
        self.month_marks: list[int] = []  # events logged before each month-end sample

    def mark_month_end(self) -> None:
        """Note how many events came before this month-end sample (when recording)."""
        if self.record:
            self.month_marks.append(len(self.events))

    def __call__(self, kind: EventKind, actor: str, /, **details: Any) -> None:
        """Append an event at the current time (nothing when not recording)."""
        if self.record:
            now = self.clock.env.now
            self.events.append(Event(now, self.clock.date(now), kind, actor, details))


class Bus:
    """Announcements between subsystems (see the module's description).

    Parameters
    ----------
    env : simpy.Environment
        The replication's environment.
    drafts : iterable of str
        The ids of the scheduled drafts.
    """

    def __init__(self, env: simpy.Environment, drafts: Iterable[str]):
        self._env = env
        self.strength_changing: list[Callable[[], None]] = []
        self.mandate_changed: list[Callable[[], None]] = []
        self.contingent_arrived: list[Callable[[str], None]] = []
        self.security_updated: list[Callable[[], None]] = []
        self.contingent_reduced: list[Callable[[str], None]] = []
        self._mandate_event = env.event()
        self._adopted = {d: env.event() for d in drafts}

    def before_change(self) -> None:
        """Announce that the strength or the mandate is about to change."""
        for listener in self.strength_changing:
            listener()

    def announce_mandate(self) -> None:
        """Announce a change of the mandate: listeners first, then waiting processes."""
        for listener in self.mandate_changed:
            listener()
        fired, self._mandate_event = self._mandate_event, self._env.event()
        fired.succeed()

    def next_mandate_change(self) -> simpy.Event:
        """An event that fires at the next change of the mandate."""
        return self._mandate_event

    def announce_security(self) -> None:
        """Announce that the security situation was updated (at a month end)."""
        for listener in self.security_updated:
            listener()

    def announce_reduced(self, country: str) -> None:
        """Announce that `country`'s contingent was drawn down or left for good."""
        for listener in self.contingent_reduced:
            listener(country)

    def announce_arrival(self, country: str) -> None:
        """Announce the first wave of `country`'s contingent."""
        for listener in self.contingent_arrived:
            listener(country)

    def announce_adoption(self, draft: str) -> None:
        """Announce that `draft` was adopted (its event fires the first time only)."""
        event = self._adopted[draft]
        if not event.triggered:
            event.succeed()

    def adoption(self, draft: str) -> simpy.Event:
        """The event that fires when `draft` is first adopted."""
        return self._adopted[draft]

    def was_adopted(self, draft: str) -> bool:
        """Whether `draft` has been adopted."""
        return self._adopted[draft].triggered


@dataclass(slots=True)
class Strength:
    """Personnel deployed, the peak so far, and when half the ceiling and the target came."""

    deployed: int
    peak: int
    half_ceiling_day: float = math.nan
    target: int = 0
    """The scenario's target strength (``[outcomes] target_strength``)."""
    target_day: float = math.nan


@dataclass(slots=True)
class SecurityState:
    """The security situation as of the last month end (see :mod:`mss_sim.model.security`).

    Attributes
    ----------
    gang_control : float
        Share of Port-au-Prince under gang control.
    gang_strength : float
        Armed gang members.
    killings : int
        People killed in the last month.
    displaced : float
        People internally displaced.
    police_available : float
        Police officers available for duty.
    effective_force : float
        The effective force in the last month (mission personnel equivalents).
    casualties : int
        Mission personnel killed or wounded in the last month.
    """

    gang_control: float
    gang_strength: float
    killings: int
    displaced: float
    police_available: float
    effective_force: float = 0.0
    casualties: int = 0

    @property
    def free_share(self) -> float:
        """The share of the capital free of gang control."""
        return 1.0 - self.gang_control


class MandateState:
    """The authorisation in force: whether active, its expiry, ceiling, funding model, powers.

    `ceiling` keeps the last authorised value while the mandate is inactive, so a
    draft that restores the mandate without naming a ceiling restores it too.
    `terminating` is set when a termination fixed the expiry. Changes go through
    :meth:`set` and :meth:`lapse`, which announce them on the bus.
    """

    __slots__ = (
        "_bus",
        "_clock",
        "_log",
        "active",
        "ceiling",
        "days_without",
        "expiry_day",
        "funding_model",
        "inactive_since",
        "lapses",
        "powers",
        "terminating",
    )

    def __init__(self, spec: MandateSpec, clock: Clock, log: EventLog, bus: Bus):
        self._clock, self._log, self._bus = clock, log, bus
        self.active = spec.active
        self.expiry_day = clock.day(spec.expiry) if spec.expiry is not None else math.inf
        self.ceiling = spec.ceiling
        self.funding_model: str = spec.funding_model
        self.powers: tuple[str, ...] = tuple(spec.powers)
        self.terminating = False
        self.inactive_since: float | None = None if spec.active else 0.0
        self.days_without = 0.0
        self.lapses = 0

    def set(
        self,
        *,
        expiry_day: float,
        ceiling: int,
        funding_model: str,
        powers: tuple[str, ...],
        terminating: bool = False,
        actor: str,
    ) -> None:
        """Make the mandate active with a new expiry, ceiling, funding model and powers."""
        self._bus.before_change()
        now = self._clock.env.now
        if self.inactive_since is not None:
            self.days_without += now - self.inactive_since
            self.inactive_since = None
        self.active, self.expiry_day, self.ceiling = True, expiry_day, ceiling
        self.funding_model, self.powers, self.terminating = funding_model, powers, terminating
        if self._log.record:
            self._log(
                EventKind.MANDATE,
                actor,
                expiry=self._clock.date(expiry_day),
                ceiling=ceiling,
                funding_model=funding_model,
                powers=powers,
            )
        self._bus.announce_mandate()

    def lapse(self, reason: str) -> None:
        """End the mandate now (nothing if none is in force); the force withdraws."""
        if not self.active:
            return
        self._bus.before_change()
        self.active = False
        self.inactive_since = self._clock.env.now
        self.lapses += reason == "expired"
        self._log(EventKind.LAPSED, "mission", reason=reason)
        self._bus.announce_mandate()

    def days_inactive(self, end_day: float) -> float:
        """Days without a mandate in force up to `end_day`."""
        idle = self.days_without
        if self.inactive_since is not None:
            idle += end_day - self.inactive_since
        return idle
