"""Deployment: contingents get ready, deploy in waves up to the ceiling, lose personnel.

A contingent deploys a wave only while the mandate is active, the ceiling has
room and the funds cover the larger force (see
:meth:`mss_sim.model.funding.Treasury.can_cover`). A lapsed mandate withdraws
every contingent; they deploy again, without a new readiness period, if a later
draft restores the mandate.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mss_sim.model.clock import DAYS_PER_MONTH
from mss_sim.scenario.spec import Contributor

if TYPE_CHECKING:
    from mss_sim.model.mission import Mission

__all__ = ["Contingent", "apply_attrition", "contingent_process", "start_deployment"]


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
        mission.log("ready", c.country, pledged=c.pledged)
    else:
        # A contingent already in the field sends its next wave one interval on.
        yield env.timeout(c.wave_interval)
    while True:
        mandate = mission.mandate
        if not mandate.active:
            yield mission.mandate_changed
            continue
        size = min(c.wave_size, c.pledged - c.deployed, mandate.ceiling - mission.deployed)
        if size > 0:
            if mission.treasury.can_cover(mission.deployed + size):
                c.deferred = False
                mission.add_personnel(c, size)
            elif not c.deferred:
                c.deferred = True
                mission.log("deferred", c.country, count=size, reason="funds")
        yield env.timeout(c.wave_interval)


def apply_attrition(mission: Mission) -> None:
    """Remove a month's attrition from every contingent (binomial, own stream)."""
    for c in mission.contingents:
        if c.deployed > 0 and c.attrition > 0:
            lost = int(c.rng.binomial(c.deployed, c.attrition))
            mission.remove_personnel(c, lost, reason="attrition")


def start_deployment(mission: Mission) -> None:
    """Start every contingent's process."""
    for c in mission.contingents:
        mission.env.process(contingent_process(mission, c))
