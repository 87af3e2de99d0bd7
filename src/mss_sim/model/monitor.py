"""The monthly grid: month-end charges and attrition, then a snapshot of the state."""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from mss_sim.model.clock import DAYS_PER_MONTH
from mss_sim.model.deployment import apply_attrition
from mss_sim.model.events import Event

if TYPE_CHECKING:
    from mss_sim.model.mission import Mission

__all__ = ["DRAFT_SCALARS", "SERIES", "STANDARD_SCALARS", "Replication", "month_end_process"]

SERIES: tuple[str, ...] = (
    "deployed",
    "ceiling",
    "mandate_active",
    "cash_balance",
    "received_cum",
    "spent_cum",
    "unpaid_obligations",
)
"""Monthly series of every replication. Money is in US dollars, exact to the cent."""

STANDARD_SCALARS: tuple[str, ...] = (
    "mandate_active_at_end",
    "peak_deployed",
    "deployed_at_end",
    "months_to_half_ceiling",
    "drafts_adopted",
    "drafts_vetoed",
    "total_received_usd",
    "total_spent_usd",
    "shortfall_months",
)
"""Scalar outcomes of every replication (per-draft outcomes come in addition)."""

DRAFT_SCALARS: tuple[str, ...] = ("adopted", "vetoed", "yes", "no", "abstain")
"""Per-draft outcomes, named ``<draft id>.<outcome>``; NaN counts if no vote was held."""


@dataclass(frozen=True)
class Replication:
    """The outcome of one replication.

    Attributes
    ----------
    scenario : str
        The scenario's name.
    months : numpy.ndarray
        ``datetime64[M]``: the calendar month of each series entry.
    series : dict of str to numpy.ndarray
        Monthly values at the end of each month (see :data:`SERIES`).
    scalars : dict of str to float
        Outcomes (see :data:`STANDARD_SCALARS`), plus ``<draft>.adopted`` etc.
    events : tuple of Event
        Everything that happened, in order.
    parameters : dict of str to float
        This replication's draws of the scenario's uncertain values, by key path.
    """

    scenario: str
    months: np.ndarray
    series: dict[str, np.ndarray]
    scalars: dict[str, float]
    events: tuple[Event, ...] = field(repr=False)
    parameters: dict[str, float]

    def events_of(self, kind: str) -> list[Event]:
        """Return the events of one `kind`, in order."""
        return [e for e in self.events if e.kind == kind]


def month_end_process(mission: Mission, rows: np.ndarray) -> Generator[Any, Any, None]:
    """At each month end: charge costs, apply attrition, record one row of `rows`."""
    env = mission.env
    treasury = mission.treasury
    for k, day in enumerate(mission.month_ends):
        yield env.timeout(day - env.now)
        treasury.charge_month()
        apply_attrition(mission)
        m = mission.mandate
        rows[k] = (
            mission.deployed,
            m.ceiling if m.active else 0,
            float(m.active),
            treasury.balance_cents / 100,
            treasury.received_cents / 100,
            treasury.spent_cents / 100,
            treasury.unpaid_cents / 100,
        )


def collect(mission: Mission, rows: np.ndarray) -> Replication:
    """Build the :class:`Replication` of a finished mission."""
    series = {name: rows[:, j].copy() for j, name in enumerate(SERIES)}
    treasury = mission.treasury
    outcomes = mission.draft_outcomes
    scalars: dict[str, float] = {
        "mandate_active_at_end": float(series["mandate_active"][-1]),
        "peak_deployed": float(mission.peak_deployed),
        "deployed_at_end": float(series["deployed"][-1]),
        "months_to_half_ceiling": mission.half_ceiling_day / DAYS_PER_MONTH,
        "drafts_adopted": float(sum(o[0] for o in outcomes.values())),
        "drafts_vetoed": float(sum(o[1] for o in outcomes.values())),
        "total_received_usd": treasury.received_cents / 100,
        "total_spent_usd": treasury.spent_cents / 100,
        "shortfall_months": float(treasury.shortfall_months),
    }
    for draft in mission.scenario.council.drafts:
        values = outcomes.get(draft.id, (math.nan,) * len(DRAFT_SCALARS))
        for name, value in zip(DRAFT_SCALARS, values, strict=True):
            scalars[f"{draft.id}.{name}"] = value
    info = mission.scenario.scenario
    first = np.datetime64(info.start.replace(day=1), "M")
    return Replication(
        scenario=info.name,
        months=first + np.arange(info.horizon_months),
        series=series,
        scalars=scalars,
        events=tuple(mission.events),
        parameters=dict(mission.params),
    )
