"""Donors: pledges paid in tranches after lags, conditions on drafts, and shocks
(freezes, cuts, rescissions, caps on assessed payments)."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from mss_sim.model.clock import DAYS_PER_MONTH, NOON
from mss_sim.model.events import EventKind
from mss_sim.scenario.funding import Condition, Donor, Shock

if TYPE_CHECKING:
    from mss_sim.model.mission import Mission

__all__ = ["DonorState", "condition_process", "donor_process", "shock_process"]


@dataclass(slots=True)
class DonorState:
    """A donor's pledge as it is paid, cut, frozen, cancelled."""

    outstanding_cents: int
    freezes: list[tuple[float, float, bool]] = field(default_factory=list)
    """Each freeze's start, end and whether it is lifted at its end."""
    ended: bool = False

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


def donor_process(
    mission: Mission, spec: Donor, path: str, state: DonorState
) -> Generator[Any, Any, None]:
    """Pay a donor's pledge in equal tranches after the disbursement lag.

    Tranches falling before the start are taken as paid before it (they belong to
    the opening balance) and are not received again.
    """
    value = mission.value
    env = mission.env
    treasury = mission.treasury
    pledge_day = mission.day(spec.pledge_date) if spec.pledge_date else 0.0
    lag = value(spec.disbursement_lag_months, path + ".disbursement_lag_months") * DAYS_PER_MONTH
    interval = (
        value(spec.tranche_interval_months, path + ".tranche_interval_months") * DAYS_PER_MONTH
    )
    honour = value(spec.honour_probability, path + ".honour_probability")
    honoured = honour >= 1.0 or mission.rng(f"funding/{spec.name}/honour").random() < honour
    if pledge_day > 0:
        yield env.timeout(pledge_day)
        mission.log(
            EventKind.PLEDGE, spec.name, cents=state.outstanding_cents, tranches=spec.tranches
        )
    for condition in mission.scenario.funding.conditions:
        if condition.donor == spec.name and condition.kind == "starts_if_adopted":
            adopted = mission.council.adoption[condition.draft]
            if not adopted.triggered:
                yield adopted
            pledge_day = max(pledge_day, env.now)
    if not honoured:
        mission.log(EventKind.RENEGED, spec.name, cents=state.outstanding_cents)
        state.outstanding_cents = 0
        return
    for k in range(spec.tranches):
        due = pledge_day + lag + k * interval
        left = spec.tranches - k
        if state.ended:
            return
        if due < 0:
            state.outstanding_cents -= state.outstanding_cents // left
            continue
        if due >= mission.end_day:
            return
        if due > env.now:
            yield env.timeout(due - env.now)
        until, released = state.hold(due)
        if until > env.now:
            yield env.timeout(until - env.now)
        if not released:
            amount = state.outstanding_cents // left
            state.outstanding_cents -= amount
            mission.log(EventKind.CANCELLED, spec.name, cents=amount, reason="freeze not lifted")
            continue
        if state.ended:
            return
        amount = state.outstanding_cents if left == 1 else state.outstanding_cents // left
        if amount > 0:
            state.outstanding_cents -= amount
            treasury.receive(amount, spec)


def condition_process(
    mission: Mission, condition: Condition, state: DonorState
) -> Generator[Any, Any, None]:
    """End a donor's support at the end of the condition's date unless its draft was adopted.

    A vote on that date counts.
    """
    assert condition.date is not None
    yield mission.env.timeout(max(0.0, mission.day(condition.date) + NOON))
    if mission.council.records[condition.draft].adopted or state.ended:
        return
    state.ended = True
    mission.log(
        EventKind.CANCELLED,
        condition.donor,
        cents=state.outstanding_cents,
        reason=f"{condition.draft} not adopted",
    )
    state.outstanding_cents = 0


def shock_process(
    mission: Mission, spec: Shock, path: str, donor: Donor | None, state: DonorState | None
) -> Generator[Any, Any, None]:
    """Apply a freeze, cut, rescission or cap on its date or at its hazard's time."""
    value = mission.value
    stream = "funding/" + path.removeprefix("funding.")
    # A shock dated on or before the start is in force from the start.
    start = 0.0
    if spec.date is not None and spec.date > mission.start:
        start = mission.day(spec.date)
    rng: np.random.Generator | None = None
    if spec.hazard_per_month is not None:
        rng = mission.rng(stream)
        rate = value(spec.hazard_per_month, path + ".hazard_per_month") / DAYS_PER_MONTH
        start += rng.exponential(1.0 / rate)
        if start >= mission.end_day:
            return
    if start > mission.env.now:
        yield mission.env.timeout(start - mission.env.now)
    actor = spec.member if spec.kind == "cap" else spec.donor
    assert actor is not None
    if spec.kind == "cap":
        share = value(spec.share, path + ".share")
        mission.treasury.caps[actor] = share
        mission.log(EventKind.CAP, actor, share=share)
        return
    assert donor is not None
    assert state is not None
    fraction = value(spec.fraction, path + ".fraction")
    if spec.kind == "rescission":
        mission.treasury.rescind(donor, fraction)
    elif spec.kind == "cut":
        amount = round(state.outstanding_cents * fraction)
        state.outstanding_cents -= amount
        mission.log(EventKind.CUT, actor, cents=amount, fraction=fraction)
    else:
        duration = value(spec.duration_months, path + ".duration_months") * DAYS_PER_MONTH
        p_release = value(spec.release_probability, path + ".release_probability")
        rng = rng or mission.rng(stream)
        now = mission.env.now
        lifted = bool(rng.random() < p_release)
        state.freezes.append((now, now + duration, lifted))
        mission.log(EventKind.FREEZE, actor, until=mission.date(now + duration), released=lifted)
