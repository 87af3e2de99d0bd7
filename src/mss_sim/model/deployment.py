"""Deployment: contingents get ready, deploy in waves up to the ceiling, lose personnel.

A contingent deploys a wave only while the mandate is active, the ceiling has
room and the account paying personnel covers the larger force (see
:meth:`mss_sim.model.accounts.Treasury.can_cover`); while logistics bills go
unpaid, waves come ``funding.logistics_slowdown`` times less often. A lapsed
mandate withdraws every contingent; they deploy again, without a new readiness
period, if a later draft restores the mandate. A contingent whose allowances go
unpaid beyond the grace period may withdraw for good
(:func:`apply_withdrawals`).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mss_sim.model.clock import DAYS_PER_MONTH
from mss_sim.model.events import EventKind
from mss_sim.scenario.spec import Contributor

if TYPE_CHECKING:
    from mss_sim.model.mission import Mission

__all__ = [
    "Contingent",
    "apply_attrition",
    "apply_withdrawals",
    "contingent_process",
    "start_deployment",
]


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
    rng: np.random.Generator
    deferred: bool = False
    arrived: bool = False
    withdrawn: bool = False

    @classmethod
    def from_spec(cls, mission: Mission, spec: Contributor, path: str) -> Contingent:
        """Resolve a contributor's parameters for this replication."""
        value = mission.value
        pledged = round(value(spec.pledged, path + ".pledged"))
        return cls(
            country=spec.country,
            pledged=max(pledged, spec.initial_deployed),
            deployed=spec.initial_deployed,
            lead_nation=spec.lead_nation,
            wave_size=max(1, round(value(spec.wave_size, path + ".wave_size"))),
            wave_interval=value(spec.wave_interval_months, path + ".wave_interval_months")
            * DAYS_PER_MONTH,
            readiness=value(spec.readiness_months, path + ".readiness_months") * DAYS_PER_MONTH,
            available_day=mission.day(spec.available_from) if spec.available_from else 0.0,
            attrition=value(spec.monthly_attrition, path + ".monthly_attrition"),
            rng=mission.rng("deployment/" + spec.country),
            arrived=spec.initial_deployed > 0,
        )


def contingent_process(mission: Mission, c: Contingent) -> Generator[Any, Any, None]:
    """Readiness, then a wave every interval while the mandate, ceiling and funds allow."""
    env = mission.env
    if c.pledged == 0:
        return
    if c.deployed == 0:
        delay = max(0.0, c.available_day) + c.readiness
        if delay > 0:
            yield env.timeout(delay)
        mission.log(EventKind.READY, c.country, pledged=c.pledged)
    else:
        # A contingent already in the field sends its next wave one interval on.
        yield env.timeout(c.wave_interval)
    treasury = mission.treasury
    while not c.withdrawn:
        mandate = mission.mandate
        if not mandate.active:
            yield mission.mandate_changed
            continue
        size = min(c.wave_size, c.pledged - c.deployed, mandate.ceiling - mission.deployed)
        if size > 0:
            if treasury.can_cover(mission.deployed + size, first=not c.arrived):
                c.deferred = False
                mission.add_personnel(c, size)
            elif not c.deferred:
                c.deferred = True
                mission.log(EventKind.DEFERRED, c.country, count=size, reason="funds")
        yield env.timeout(c.wave_interval)
        if treasury.logistics_short() and treasury.logistics_slowdown > 1.0:
            # Unpaid logistics bills: the wave that is due waits longer.
            yield env.timeout(c.wave_interval * (treasury.logistics_slowdown - 1.0))


def apply_attrition(mission: Mission) -> None:
    """Remove a month's attrition from every contingent (binomial, own stream)."""
    for c in mission.contingents:
        if c.deployed > 0 and c.attrition > 0:
            lost = int(c.rng.binomial(c.deployed, c.attrition))
            mission.remove_personnel(c, lost, reason="attrition")


def apply_withdrawals(mission: Mission) -> None:
    """Withdraw contingents whose allowances have gone unpaid beyond the grace period.

    Each contingent in the field leaves with probability ``funding.withdrawal_hazard``
    and does not come back. The draws come from the stream ``deployment/withdrawals``,
    one per contingent in the field, in the order of the scenario.
    """
    treasury = mission.treasury
    if treasury.withdrawal_hazard <= 0 or not treasury.allowances_overdue():
        return
    in_field = [c for c in mission.contingents if c.deployed > 0 and not c.withdrawn]
    if not in_field:
        return
    if mission.withdrawal_rng is None:
        mission.withdrawal_rng = mission.rng("deployment/withdrawals")
    draws = mission.withdrawal_rng.random(len(in_field))
    for c, u in zip(in_field, draws, strict=True):
        if u < treasury.withdrawal_hazard:
            c.withdrawn = True
            mission.remove_personnel(c, c.deployed, reason="allowances unpaid")


def start_deployment(mission: Mission) -> None:
    """Start every contingent's process."""
    for c in mission.contingents:
        mission.env.process(contingent_process(mission, c))
