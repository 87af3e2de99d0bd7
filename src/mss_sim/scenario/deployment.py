"""The ``[deployment]`` table: contributors, their pledges and politics, rotations, airlift.

A contributor pledges personnel (the pledge may not materialise, or may come later),
gets them ready (vetting, training, equipment), deploys them in waves, rotates them
at the end of each tour, loses some to attrition, and may draw down or leave on a
date or at a random time. One contributor leads; the lead can pass to a named
successor, with a gap during which no wave deploys. Waves and rotations can be
limited by airlift seats, refilled every month. ``docs/model.md`` describes the
runtime; :mod:`mss_sim.model.deployment` implements it.

Examples
--------
>>> c = Contributor.model_validate({"country": "KEN", "pledged": 1000, "tour_months": 9})
>>> c.pledge_probability, c.tour_months
(1.0, 9.0)
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from mss_sim.scenario.fields import (
    ISO3,
    Identifier,
    NonNegative,
    Positive,
    Probability,
    _KeyedError,
    _Spec,
    check_unique,
)

__all__ = ["Airlift", "Contributor", "Deployment", "Drawdown", "Equipment", "Handover"]


class Drawdown(_Spec):
    """Draw a contingent down to `to` personnel on `date` (0: it leaves for good)."""

    date: dt.date
    to: int = Field(ge=0)


class Equipment(_Spec):
    """Equipment a contingent needs before its first wave (vehicles, helicopters...).

    The contingent's first wave waits until every item is ready, `ready_months` after
    the contingent could start getting ready.
    """

    kind: Identifier
    count: int = Field(default=1, ge=1)
    ready_months: NonNegative = 0.0


class Contributor(_Spec):
    """A country contributing personnel.

    Attributes
    ----------
    country : str
        ISO3 code.
    pledged : float
        Personnel pledged (the most it deploys).
    initial_deployed : int
        Personnel in the field at the start.
    pledge_probability : float
        The chance that the pledge materialises (one draw per replication); if it does
        not, the contingent stays at `initial_deployed`.
    pledge_date : date, optional
        When the pledge is made (a pledge arriving during the horizon); readiness
        counts from the later of this and `available_from`.
    available_from : date, optional
        When the contingent can start getting ready.
    readiness_months : float
        Months to get ready before the first wave.
    equipment : list of Equipment
        Equipment its first wave waits for.
    wave_size, wave_interval_months : float
        Personnel per wave and months between waves.
    tour_months : float, optional
        Tour length: at each tour's end the personnel in the field go home, in groups
        of `wave_size`, and as many relieve each group, flown in as airlift allows (a
        gap until they arrive).
    monthly_attrition : float
        Share of its personnel lost each month.
    leave_hazard_per_month : float
        Monthly hazard of the government withdrawing the contingent for good
        (domestic politics).
    drawdowns : list of Drawdown
        Dated reductions (``to = 0``: it leaves on that date).
    lead_nation : bool
        Whether it leads at the start.
    """

    country: ISO3
    pledged: NonNegative
    initial_deployed: int = Field(default=0, ge=0)
    pledge_probability: Probability = 1.0
    pledge_date: dt.date | None = None
    available_from: dt.date | None = None
    readiness_months: NonNegative = 0.0
    equipment: list[Equipment] = Field(default_factory=list)
    wave_size: Positive = 100.0
    wave_interval_months: Positive = 1.0
    tour_months: Positive | None = None
    monthly_attrition: Probability = 0.0
    leave_hazard_per_month: NonNegative = 0.0
    drawdowns: list[Drawdown] = Field(default_factory=list)
    lead_nation: bool = False

    @model_validator(mode="after")
    def _check(self) -> Contributor:
        if isinstance(self.pledged, float) and self.initial_deployed > self.pledged:
            raise _KeyedError(
                "initial_deployed",
                f"must be <= pledged ({self.pledged:g}), got {self.initial_deployed}; "
                "to draw down from the start, add a drawdown",
            )
        for i in range(1, len(self.drawdowns)):
            before, step = self.drawdowns[i - 1], self.drawdowns[i]
            if step.date <= before.date:
                raise _KeyedError(
                    f"drawdowns[{i}].date",
                    f"must be later than the previous drawdown's date ({before.date}), "
                    f"got {step.date}",
                )
            if step.to > before.to:
                raise _KeyedError(
                    f"drawdowns[{i}].to",
                    f"a drawdown cannot raise the strength: must be <= {before.to} (the "
                    f"previous drawdown's), got {step.to}",
                )
        return self


class Handover(_Spec):
    """The lead passing to `successor` on `date` (with `probability`), waves paused for a gap.

    During ``gap_months`` after the handover no contingent deploys a wave (rotations
    go on).
    """

    date: dt.date
    successor: ISO3
    gap_months: NonNegative = 0.0
    probability: Probability = 1.0


class Airlift(_Spec):
    """Seats to fly personnel in: `seats_per_month`, refilled at each month's start.

    Unused seats do not carry over. With `supplied_by` (a donor's name) the seats
    come only while that donor's support lasts (not reneged or cancelled).
    """

    seats_per_month: Positive
    supplied_by: str | None = None


class Deployment(_Spec):
    """The ``[deployment]`` table: the contributors, handovers of the lead, airlift."""

    contributors: list[Contributor] = Field(min_length=1)
    handovers: list[Handover] = Field(default_factory=list)
    airlift: Airlift | None = None

    @model_validator(mode="after")
    def _check(self) -> Deployment:
        countries = [c.country for c in self.contributors]
        check_unique(countries, lambda i: f"contributors[{i}].country", "")
        leads = [i for i, c in enumerate(self.contributors) if c.lead_nation]
        if len(leads) > 1:
            raise _KeyedError(
                f"contributors[{leads[1]}].lead_nation", "only one lead nation is allowed"
            )
        lead = countries[leads[0]] if leads else None
        for i, handover in enumerate(self.handovers):
            if handover.successor not in countries:
                raise _KeyedError(
                    f"handovers[{i}].successor",
                    f"{handover.successor} is not a contributor ({', '.join(countries)})",
                )
            if i and handover.date <= self.handovers[i - 1].date:
                raise _KeyedError(
                    f"handovers[{i}].date",
                    f"must be later than the previous handover's date "
                    f"({self.handovers[i - 1].date}), got {handover.date}",
                )
            if handover.successor == lead:
                raise _KeyedError(
                    f"handovers[{i}].successor", f"{lead} already leads at that point"
                )
            lead = handover.successor
        return self
