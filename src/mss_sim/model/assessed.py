"""Assessed contributions: budget periods issued to members, paid late, partly or capped.

The assessed account is set up ``funding.assessed.lead_months`` after the
mandate's funding model first puts a category on it (a mandate that is assessed
at the start is taken as set up); until then the trust fund pays in its place.
Assessments for a budget period are issued at its start; each member pays its
share after its lag, partly, or up to a cap, and what is not paid is arrears.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from mss_sim.model.clock import DAYS_PER_MONTH

if TYPE_CHECKING:
    from mss_sim.model.mission import Mission

__all__ = ["assessment_process", "pay_later"]


def pay_later(
    mission: Mission, member: str, bill: tuple[int, int, float], lag: float
) -> Generator[Any, Any, None]:
    """Pay a member's assessed `bill` (owed, budget, paid fraction) after `lag` days."""
    yield mission.env.timeout(lag)
    mission.treasury.contribute(member, *bill)


def assessment_process(mission: Mission) -> Generator[Any, Any, None]:
    """Issue assessments at the start of each budget period while assessed funding is needed."""
    env = mission.env
    treasury = mission.treasury
    period = mission.scenario.funding.assessed.period_months * DAYS_PER_MONTH
    due = treasury.assessed_from
    while True:
        if due > env.now:
            yield env.timeout(due - env.now)
        if treasury.needs_assessed():
            treasury.assess()
            due = env.now + period
        else:
            # No new budget period opens before the current one has run out.
            yield mission.mandate_changed
