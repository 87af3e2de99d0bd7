"""Donors: pledges paid in tranches after lags, conditions on drafts, and shocks
(freezes, cuts, rescissions, caps on assessed payments)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mss_sim.model.accounts import Treasury
from mss_sim.model.clock import DAYS_PER_MONTH, NOON, Clock
from mss_sim.model.events import EventKind
from mss_sim.model.shared import Bus, EventLog, Process, SecurityState
from mss_sim.random import Streams
from mss_sim.scenario.funding import Condition, Donor, Funding, Shock
from mss_sim.scenario.resolve import fixed

__all__ = ["DonorState", "Donors", "SecurityResponse"]


@dataclass(frozen=True, slots=True)
class SecurityResponse:
    """How donors respond to the security situation (``[security.feedback] donors``).

    Attributes
    ----------
    state : SecurityState
        The security situation as of the last month end.
    reference : float
        The share of the capital free of gang control at which donors act as pledged.
    sensitivity : float
        Change of the honour probability per unit of free share above `reference`.
    elasticity : float
        Relative change of a pledge made after the start, per unit of free share
        above `reference`.
    draws : dict of str to float
        Each donor's uniform number, compared at each tranche with its honour
        probability of the moment (from the stream ``security``, see
        :mod:`mss_sim.model.security`).
    """

    state: SecurityState
    reference: float
    sensitivity: float
    elasticity: float
    draws: dict[str, float]

    def honour(self, probability: float) -> float:
        """The honour probability `probability` shifted by the security situation now."""
        shifted = probability + self.sensitivity * (self.state.free_share - self.reference)
        return min(1.0, max(0.0, shifted))

    def pledge_scale(self) -> float:
        """The factor a pledge made now is scaled by (at least 0)."""
        return max(0.0, 1.0 + self.elasticity * (self.state.free_share - self.reference))


@dataclass(slots=True)
class DonorState:
    """A donor's pledge as it is paid, cut, frozen, cancelled."""

    outstanding_cents: int
    freezes: list[tuple[float, float, bool]] = field(default_factory=list)
    """Each freeze's start, end and whether it is lifted at its end."""
    ended: bool = False
    reneged: bool = False

    @property
    def supporting(self) -> bool:
        """Whether the donor still supports the mission (not reneged, not ended)."""
        return not (self.ended or self.reneged)

    def hold(self, due: float) -> tuple[float, bool]:
        """When a tranche due at `due` may be paid, and whether it is paid then.

        The freezes under way at `due` hold it until the last of them ends; it is
        paid only if all of them are lifted.
        """
        until, released = due, True
        for start, end, lifted in self.freezes:
            if start <= due < end:
                until, released = max(until, end), released and lifted
        return until, released


class Donors:
    """Donors' pledges, the conditions they attach and the shocks that hit them.

    Parameters
    ----------
    spec : Funding
        The resolved ``[funding]`` table.
    clock, log, bus, streams : Clock, EventLog, Bus, Streams
        The replication's shared pieces (the bus tells when a draft is adopted).
    treasury : Treasury
        Where payments go.
    security : SecurityResponse, optional
        When given, donors respond to the security situation
        (``[security.feedback] donors``).
    """

    def __init__(
        self,
        spec: Funding,
        clock: Clock,
        log: EventLog,
        bus: Bus,
        streams: Streams,
        treasury: Treasury,
        security: SecurityResponse | None = None,
    ):
        self._spec = spec
        self._clock, self._log, self._bus, self._streams = clock, log, bus, streams
        self._treasury = treasury
        self._security = security
        self.states = {d.name: DonorState(round(fixed(d.pledge_usd) * 100)) for d in spec.donors}

    def start(self) -> None:
        """Credit the opening balance and start every shock's, donor's and condition's process."""
        spec = self._spec
        treasury = self._treasury
        env = self._clock.env
        if treasury.received_before_cents:
            fund = treasury.accounts["trust_fund"]
            fund.credit(treasury.received_before_cents)
            fund.pay(treasury.spent_before_cents)
            self._log(
                EventKind.OPENING,
                "trust_fund",
                balance_cents=fund.balance,
                received_cents=fund.received,
                spent_cents=fund.spent,
            )
        donors = {d.name: d for d in spec.donors}
        # Shocks first: at equal times a freeze or cap comes before the payments it hits.
        for i, shock in enumerate(spec.shocks):
            name = shock.donor
            env.process(
                self._shock(
                    shock,
                    f"funding/shocks[{i}]",
                    donors.get(name) if name else None,
                    self.states.get(name) if name else None,
                )
            )
        for donor in spec.donors:
            env.process(self._pledge(donor, self.states[donor.name]))
        for condition in spec.conditions:
            if condition.kind == "ends_unless_adopted":
                env.process(self._condition(condition, self.states[condition.donor]))

    def _pledge(self, spec: Donor, state: DonorState) -> Process:
        """Pay a donor's pledge in equal tranches after the disbursement lag.

        Tranches falling before the start are taken as paid before it (they belong to
        the opening balance) and are not received again.
        """
        clock = self._clock
        env = clock.env
        log = self._log
        treasury = self._treasury
        end_day = clock.calendar.end_day
        pledge_day = clock.day(spec.pledge_date) if spec.pledge_date else 0.0
        lag = fixed(spec.disbursement_lag_months) * DAYS_PER_MONTH
        interval = fixed(spec.tranche_interval_months) * DAYS_PER_MONTH
        honour = fixed(spec.honour_probability)
        security = self._security
        if security is None:
            draw = 0.0
            honoured = (
                honour >= 1.0 or self._streams[f"funding/{spec.name}/honour"].random() < honour
            )
        else:
            # One draw, compared at each tranche with the honour probability of the moment.
            draw = security.draws[spec.name]
            honoured = True
        if pledge_day > 0:
            yield env.timeout(pledge_day)
            if security is not None:
                state.outstanding_cents = round(state.outstanding_cents * security.pledge_scale())
            log(EventKind.PLEDGE, spec.name, cents=state.outstanding_cents, tranches=spec.tranches)
        for condition in self._spec.conditions:
            if condition.donor == spec.name and condition.kind == "starts_if_adopted":
                adopted = self._bus.adoption(condition.draft)
                if not adopted.triggered:
                    yield adopted
                pledge_day = max(pledge_day, env.now)
        if not honoured:
            log(EventKind.RENEGED, spec.name, cents=state.outstanding_cents)
            state.outstanding_cents = 0
            state.reneged = True
            return
        for k in range(spec.tranches):
            due = pledge_day + lag + k * interval
            left = spec.tranches - k
            if state.ended:
                return
            if due < 0:
                state.outstanding_cents -= state.outstanding_cents // left
                continue
            if due >= end_day:
                return
            if due > env.now:
                yield env.timeout(due - env.now)
            until, released = state.hold(due)
            if until > env.now:
                yield env.timeout(until - env.now)
            if not released:
                amount = state.outstanding_cents // left
                state.outstanding_cents -= amount
                log(EventKind.CANCELLED, spec.name, cents=amount, reason="freeze not lifted")
                continue
            if state.ended:
                return
            if security is not None and draw >= security.honour(honour):
                log(EventKind.RENEGED, spec.name, cents=state.outstanding_cents)
                state.outstanding_cents = 0
                state.reneged = True
                return
            amount = state.outstanding_cents if left == 1 else state.outstanding_cents // left
            if amount > 0:
                state.outstanding_cents -= amount
                treasury.receive(amount, spec)

    def _condition(self, condition: Condition, state: DonorState) -> Process:
        """End a donor's support at the end of the condition's date unless its draft was adopted.

        A vote on that date counts.
        """
        assert condition.date is not None
        yield self._clock.env.timeout(max(0.0, self._clock.day(condition.date) + NOON))
        if self._bus.was_adopted(condition.draft) or state.ended:
            return
        state.ended = True
        self._log(
            EventKind.CANCELLED,
            condition.donor,
            cents=state.outstanding_cents,
            reason=f"{condition.draft} not adopted",
        )
        state.outstanding_cents = 0

    def _shock(
        self, spec: Shock, stream: str, donor: Donor | None, state: DonorState | None
    ) -> Process:
        """Apply a freeze, cut, rescission or cap on its date or at its hazard's time."""
        clock = self._clock
        env = clock.env
        log = self._log
        # A shock dated on or before the start is in force from the start.
        start = 0.0
        if spec.date is not None and spec.date > clock.calendar.start:
            start = clock.day(spec.date)
        rng: np.random.Generator | None = None
        if spec.hazard_per_month is not None:
            rng = self._streams[stream]
            rate = fixed(spec.hazard_per_month) / DAYS_PER_MONTH
            start += rng.exponential(1.0 / rate)
            if start >= clock.calendar.end_day:
                return
        if start > env.now:
            yield env.timeout(start - env.now)
        if spec.kind == "hold":
            yield from self._hold(spec, rng or self._streams[stream])
            return
        actor = spec.member if spec.kind == "cap" else spec.donor
        assert actor is not None
        if spec.kind == "cap":
            share = fixed(spec.share)
            self._treasury.caps[actor] = share
            log(EventKind.CAP, actor, share=share)
            return
        assert donor is not None
        assert state is not None
        fraction = fixed(spec.fraction)
        if spec.kind == "rescission":
            self._treasury.rescind(donor, fraction)
        elif spec.kind == "cut":
            amount = round(state.outstanding_cents * fraction)
            state.outstanding_cents -= amount
            log(EventKind.CUT, actor, cents=amount, fraction=fraction)
        else:
            duration = fixed(spec.duration_months) * DAYS_PER_MONTH
            p_release = fixed(spec.release_probability)
            rng = rng or self._streams[stream]
            now = env.now
            lifted = bool(rng.random() < p_release)
            state.freezes.append((now, now + duration, lifted))
            if log.record:
                log(EventKind.FREEZE, actor, until=clock.date(now + duration), released=lifted)

    def _hold(self, spec: Shock, rng: np.random.Generator) -> Process:
        """Hold trust fund money from now for the shock's duration, then release or return it."""
        clock = self._clock
        env = clock.env
        assert spec.amount_usd is not None
        cents = self._treasury.hold(round(fixed(spec.amount_usd) * 100))
        duration = fixed(spec.duration_months) * DAYS_PER_MONTH
        released = bool(rng.random() < fixed(spec.release_probability))
        until = env.now + duration
        self._log(
            EventKind.HOLD, "trust_fund", cents=cents, until=clock.date(until), released=released
        )
        if until >= clock.calendar.end_day:
            return
        yield env.timeout(duration)
        self._treasury.end_hold(cents, released=released)
        self._log(EventKind.HOLD_ENDED, "trust_fund", cents=cents, released=released)
