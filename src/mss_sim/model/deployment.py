"""Deployment: contingents get ready, deploy in waves up to the ceiling, lose personnel.

A contingent deploys a wave only while the mandate is active, the ceiling has
room and the account paying personnel covers the larger force (see
:meth:`mss_sim.model.accounts.Treasury.can_cover`); while logistics bills go
unpaid, waves come ``funding.logistics_slowdown`` times less often. A lapsed
mandate withdraws every contingent; they deploy again, without a new readiness
period, if a later draft restores the mandate. A contingent whose allowances go
unpaid beyond the grace period may withdraw for good (:meth:`Force.withdrawals`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from mss_sim.model.airlift import Airlift
from mss_sim.model.clock import DAYS_PER_MONTH, Clock
from mss_sim.model.events import EventKind
from mss_sim.model.shared import Bus, EventLog, MandateState, Process, Strength
from mss_sim.random import Streams
from mss_sim.scenario.deployment import Contributor
from mss_sim.scenario.resolve import fixed

__all__ = ["Contingent", "Force", "Funds"]


class Funds(Protocol):
    """What deployment asks of the money (see :class:`mss_sim.model.accounts.Treasury`)."""

    logistics_slowdown: float
    withdrawal_hazard: float

    def can_cover(self, strength: int, *, first: bool = False) -> bool: ...

    def logistics_short(self) -> bool: ...

    def allowances_overdue(self) -> bool: ...


@dataclass(slots=True)
class Contingent:
    """A contributing country's contingent as the replication runs."""

    country: str
    pledged: int
    deployed: int
    lead_nation: bool
    wave_size: int
    wave_interval: float
    readiness: float
    available_day: float
    attrition: float
    deferred: bool = False
    arrived: bool = False
    withdrawn: bool = False
    rotating: bool = False
    """Its personnel are being relieved (its waves wait)."""
    relief_since: float = -1.0
    """When the group now waiting for its relief went home (-1: none waiting)."""

    @classmethod
    def from_spec(cls, spec: Contributor, clock: Clock) -> Contingent:
        """The contingent of a resolved contributor at the start.

        Readiness counts from the later of its availability and its pledge, and lasts
        until both its personnel and its equipment are ready.
        """
        pledged = round(fixed(spec.pledged))
        available = clock.day(spec.available_from) if spec.available_from else 0.0
        if spec.pledge_date is not None:
            available = max(available, clock.day(spec.pledge_date))
        readiness = max(
            [fixed(spec.readiness_months)] + [fixed(e.ready_months) for e in spec.equipment]
        )
        return cls(
            country=spec.country,
            pledged=max(pledged, spec.initial_deployed),
            deployed=spec.initial_deployed,
            lead_nation=spec.lead_nation,
            wave_size=max(1, round(fixed(spec.wave_size))),
            wave_interval=fixed(spec.wave_interval_months) * DAYS_PER_MONTH,
            readiness=readiness * DAYS_PER_MONTH,
            available_day=available,
            attrition=fixed(spec.monthly_attrition),
            arrived=spec.initial_deployed > 0,
        )


class Force:
    """The contingents, their processes, and the strength they add up to.

    Parameters
    ----------
    contributors : list of Contributor
        The resolved contributors, in the scenario's order.
    clock, log, bus, streams : Clock, EventLog, Bus, Streams
        The replication's shared pieces.
    mandate : MandateState
        The mandate in force (deployment needs one, within its ceiling).
    strength : Strength
        The shared count of personnel deployed, kept up to date here.
    funds : Funds
        Whether the money allows another wave.
    airlift : Airlift, optional
        Seats that waves wait for (none: waves fly at once).
    """

    def __init__(
        self,
        contributors: list[Contributor],
        clock: Clock,
        log: EventLog,
        bus: Bus,
        streams: Streams,
        mandate: MandateState,
        strength: Strength,
        funds: Funds,
        airlift: Airlift | None = None,
    ):
        self._clock, self._log, self._bus, self._streams = clock, log, bus, streams
        self._mandate, self._strength, self._funds = mandate, strength, funds
        self.airlift = airlift
        self.contingents = [Contingent.from_spec(c, clock) for c in contributors]
        for spec, c in zip(contributors, self.contingents, strict=True):
            # The pledge beyond what is in the field materialises or not, once.
            probability = fixed(spec.pledge_probability)
            if probability < 1.0 and self.draw(c, "pledge") >= probability:
                c.pledged = c.deployed
        strength.deployed = strength.peak = sum(c.deployed for c in self.contingents)
        self.set_cut_order()
        self._rngs: dict[str, np.random.Generator] = {}
        self._attriting = [c for c in self.contingents if c.attrition > 0]
        self.paused_until = 0.0
        """No wave deploys before this day (a handover of the lead)."""
        self.lead_changes = 0
        self.rotation_gap_days = 0.0
        self.check_half_ceiling()

    def draw(self, c: Contingent, what: str) -> float:
        """One uniform number from the stream ``deployment/<country>/<what>``."""
        return float(self._streams[f"deployment/{c.country}/{what}"].random())

    def set_cut_order(self) -> None:
        """Non-lead contingents leave first when the ceiling falls, the last listed first."""
        self._cut_order = [c for c in reversed(self.contingents) if not c.lead_nation]
        self._cut_order += [c for c in self.contingents if c.lead_nation]

    @property
    def withdrawn(self) -> int:
        """How many contingents that had been in the field have left for good."""
        return sum(c.withdrawn and c.arrived for c in self.contingents)

    def rotation_gaps(self, end_day: float) -> float:
        """Days groups waited for their relief, counting those still waiting at `end_day`."""
        waiting = sum(end_day - c.relief_since for c in self.contingents if c.relief_since >= 0)
        return self.rotation_gap_days + waiting

    def start(self) -> None:
        """Start every contingent's process."""
        for c in self.contingents:
            self._clock.env.process(self._contingent(c))

    # ------------------------------------------------------------------ strength

    def check_half_ceiling(self) -> None:
        """Note the first time the force reaches half the ceiling in force, and the target."""
        s, m = self._strength, self._mandate
        if math.isnan(s.half_ceiling_day) and m.active and 0 < m.ceiling <= 2 * s.deployed:
            s.half_ceiling_day = self._clock.env.now
        if math.isnan(s.target_day) and 0 < s.target <= s.deployed:
            s.target_day = self._clock.env.now

    def add(self, contingent: Contingent, count: int, *, reason: str | None = None) -> None:
        """Deploy `count` more personnel of `contingent` (its first wave costs extra).

        `reason` is given for what is not a wave (``relief``: a rotation's relief).
        """
        self._bus.before_change()
        if not contingent.arrived:
            contingent.arrived = True
            self._bus.announce_arrival(contingent.country)
        contingent.deployed += count
        s = self._strength
        s.deployed += count
        if s.deployed > s.peak:
            s.peak = s.deployed
        if self._log.record:
            details: dict[str, object] = {"count": count, "total": s.deployed}
            if reason is not None:  # a relief (a wave has no reason)
                details["reason"] = reason
            self._log(EventKind.DEPLOYED, contingent.country, **details)
        self.check_half_ceiling()

    def remove(self, contingent: Contingent, count: int, *, reason: str) -> None:
        """Withdraw `count` personnel of `contingent` (attrition, ceiling, lapse)."""
        if count <= 0:
            return
        self._bus.before_change()
        contingent.deployed -= count
        self._strength.deployed -= count
        if self._log.record:
            kind = EventKind.ATTRITION if reason == "attrition" else EventKind.REPATRIATED
            total = self._strength.deployed
            self._log(kind, contingent.country, count=count, total=total, reason=reason)

    def mandate_changed(self) -> None:
        """Withdraw everyone if the mandate lapsed, else bring the force under the ceiling."""
        if not self._mandate.active:
            for contingent in self.contingents:
                self.remove(contingent, contingent.deployed, reason="mandate lapsed")
        else:
            excess = self._strength.deployed - self._mandate.ceiling
            for contingent in self._cut_order:
                if excess <= 0:
                    break
                cut = min(excess, contingent.deployed)
                self.remove(contingent, cut, reason="ceiling lowered")
                excess -= cut
        self.check_half_ceiling()

    # ------------------------------------------------------------------ processes

    def _contingent(self, c: Contingent) -> Process:
        """Readiness, then a wave every interval while the mandate, ceiling and funds allow."""
        env = self._clock.env
        if c.pledged == 0:
            return
        if c.deployed == 0:
            # Ready `readiness` after it became available (which may be before the start).
            delay = max(0.0, c.available_day + c.readiness)
            if delay > 0:
                yield env.timeout(delay)
            if self._log.record:
                self._log(EventKind.READY, c.country, pledged=c.pledged)
        else:
            # A contingent already in the field sends its next wave one interval on
            # (and not before a later pledge is made).
            yield env.timeout(max(c.wave_interval, c.available_day))
        funds, mandate, strength = self._funds, self._mandate, self._strength
        while not c.withdrawn:
            if not mandate.active:
                yield self._bus.next_mandate_change()
                continue
            if self.paused_until > env.now:
                yield env.timeout(self.paused_until - env.now)
                continue
            size = min(c.wave_size, c.pledged - c.deployed, mandate.ceiling - strength.deployed)
            if size > 0 and not c.rotating:
                if funds.can_cover(strength.deployed + size, first=not c.arrived):
                    c.deferred = False
                    if self.airlift is None:
                        self.add(c, size)
                    else:
                        yield from self.fly_in(c, size)
                elif not c.deferred:
                    c.deferred = True
                    self._log(EventKind.DEFERRED, c.country, count=size, reason="funds")
            yield env.timeout(c.wave_interval)
            if funds.logistics_short() and funds.logistics_slowdown > 1.0:
                # Unpaid logistics bills: the wave that is due waits longer.
                yield env.timeout(c.wave_interval * (funds.logistics_slowdown - 1.0))

    def fly_in(self, c: Contingent, count: int) -> Process:
        """Wait for `count` airlift seats, then deploy as many as the mandate still allows.

        Seats left over (the mandate lapsed or the ceiling filled meanwhile) go back.
        """
        assert self.airlift is not None
        env = self._clock.env
        yield from self.airlift.board(count)
        if self.paused_until > env.now:
            yield env.timeout(self.paused_until - env.now)  # a handover's pause
        m = self._mandate
        allowed = 0
        if m.active and not c.withdrawn:
            allowed = max(
                0, min(count, c.pledged - c.deployed, m.ceiling - self._strength.deployed)
            )
        if allowed:
            self.add(c, allowed)
        self.airlift.give_back(count - allowed)

    def draw_down(self, c: Contingent, to: int, *, reason: str) -> None:
        """Bring `c` down to `to` personnel for good (``to == 0``: it leaves)."""
        c.pledged = min(c.pledged, to)
        self.remove(c, c.deployed - to, reason=reason)
        if to == 0 and not c.withdrawn:
            c.withdrawn = True
        self._bus.announce_reduced(c.country)

    def attrition(self) -> None:
        """Remove a month's attrition from every contingent (binomial, own stream each)."""
        for c in self._attriting:
            if c.deployed > 0:
                rng = self._rngs.get(c.country)
                if rng is None:
                    rng = self._rngs[c.country] = self._streams["deployment/" + c.country]
                lost = int(rng.binomial(c.deployed, c.attrition))
                self.remove(c, lost, reason="attrition")

    def withdrawals(self) -> None:
        """Withdraw contingents whose allowances have gone unpaid beyond the grace period.

        Each contingent in the field leaves with probability ``funding.withdrawal_hazard``
        and does not come back. The draws come from the stream ``deployment/withdrawals``,
        one per contingent in the field, in the order of the scenario.
        """
        funds = self._funds
        if funds.withdrawal_hazard <= 0 or not funds.allowances_overdue():
            return
        in_field = [c for c in self.contingents if c.deployed > 0 and not c.withdrawn]
        if not in_field:
            return
        draws = self._streams["deployment/withdrawals"].random(len(in_field))
        for c, u in zip(in_field, draws, strict=True):
            if u < funds.withdrawal_hazard:
                self.draw_down(c, 0, reason="allowances unpaid")

    def casualty_withdrawals(
        self, casualties: int, per_casualty: float, draws: list[float]
    ) -> None:
        """Withdraw contingents after a month with `casualties` among the mission's personnel.

        Each contingent in the field leaves for good with probability
        ``1 - exp(-per_casualty * casualties * share)``, `share` its part of the
        personnel deployed (its expected share of the casualties): if its number in
        `draws` (one per contingent, in the order of the scenario) is below it.
        """
        total = self._strength.deployed
        if casualties <= 0 or per_casualty <= 0 or total <= 0:
            return
        rate = per_casualty * casualties / total
        leaving = [
            c
            for c, u in zip(self.contingents, draws, strict=True)
            if c.deployed > 0 and not c.withdrawn and u < -math.expm1(-rate * c.deployed)
        ]
        for c in leaving:
            self.draw_down(c, 0, reason="casualties")
