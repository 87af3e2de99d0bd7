"""The ``[security]`` table: gangs, violence, displacement and the police.

The state at the start (the share of Port-au-Prince under gang control, the
month's killings, the people displaced, the police available for duty, the
gangs' armed strength) comes from the record; the effect sizes are uncertain
values with priors from the peacekeeping literature, and the feedbacks of the
security situation on the Council, the donors and the contributing governments
are switched in ``[security.feedback]``. The equations are in
:mod:`mss_sim.model.security` and ``docs/security.md``.

Examples
--------
>>> sec = Security.model_validate({
...     "gang_control": 0.85, "killings_per_month": 500, "displaced": 1_300_000,
...     "gang_strength": 12_000, "police_available": 9_000})
>>> sec.feedback.council, sec.police_weight
(True, 0.3)
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool

from mss_sim.scenario.fields import (
    ISO3,
    Identifier,
    NonNegative,
    Number,
    Positive,
    Probability,
    _bounded,
    _Spec,
)

__all__ = ["Feedback", "Security"]

OpenShare = Annotated[Number, AfterValidator(_bounded(gt=0.0, lt=1.0))]
"""A share strictly between 0 and 1."""


class Feedback(_Spec):
    """The ``[security.feedback]`` table: how the security situation acts on the mission.

    Each switch is on by default. With all three off, security changes none of
    the mission's outputs (the Council, money and deployment run exactly as
    without a ``[security]`` table).

    Attributes
    ----------
    council : bool
        The Council's ``performance`` context factor reads the share of the capital
        free of gang control, less `performance_reference`, instead of the force's
        share of its ceiling less ``council.context.performance_reference``.
    donors : bool
        A donor honours each tranche while its one draw stays below its honour
        probability plus ``donor_sensitivity * (free share - performance_reference)``
        (clipped to [0, 1]); a pledge made after the start is scaled by
        ``1 + pledge_elasticity * (free share - performance_reference)`` (at least 0).
    contributors : bool
        After each month, each contingent in the field withdraws for good with
        probability ``1 - exp(-casualty_withdrawal * casualties * share)``: the
        mission's casualties of that month times the contingent's share of the
        personnel deployed (its expected share of the casualties).
    """

    council: StrictBool = True
    donors: StrictBool = True
    contributors: StrictBool = True
    performance_reference: Probability = 0.25
    donor_sensitivity: NonNegative = 0.5
    pledge_elasticity: NonNegative = 1.0
    casualty_withdrawal: NonNegative = 0.0


class Security(_Spec):
    """The ``[security]`` table (see :mod:`mss_sim.model.security` for the equations).

    Attributes
    ----------
    gang_control : float
        Share of Port-au-Prince under gang control at the start, in (0, 1).
    killings_per_month : float
        People killed in the month before the start (all victims of violence).
    displaced : float
        People internally displaced at the start.
    gang_strength : float
        Armed gang members at the start.
    police_available : float
        National police officers available for duty at the start.
    gang_growth : float
        Monthly log-growth of the gangs' strength while the effective force stays
        as at the start (negative: they shrink).
    suppression : float
        Reduction of that monthly log-growth per 1,000 effective personnel above
        the start's.
    killing_reduction : float
        Log-reduction of monthly killings per 1,000 effective personnel above the
        start's.
    control_adjustment : float
        Share of the gap between gang control and its balance with the force that
        closes in a month.
    gang_noise, violence_noise : float
        Standard deviations of the monthly log-normal shocks to the gangs' growth
        and to killings.
    police_recruitment_per_month : float
        Officers joining in a month.
    police_attrition : float
        Share of the available officers lost in a month.
    police_weight : float
        One police officer's weight in the effective force, as a share of one
        mission member's.
    displaced_per_killing : float
        People newly displaced for each person killed.
    return_rate : float
        Share of the displaced who return in a month, times the share of the
        capital free of gang control.
    logistics_penalty : float
        Share of the mission's effectiveness lost in a month whose logistics bills
        went unpaid.
    powers : dict of str to float
        Per power of the mandate in force, the uplift of the mission's
        effectiveness (``arrest_detain = 0.3``: 30% more).
    contingents : dict of str to float
        Per contributing country, the effectiveness of one of its personnel
        relative to the rest (default 1).
    casualties_per_1000 : float
        Mission personnel killed or wounded per month per 1,000 deployed, at the
        start's level of violence.
    offensive_hazard : float
        Monthly probability of a coordinated gang offensive.
    offensive_killings : float
        Relative surge of killings in an offensive's month.
    offensive_control : float
        Share of the area free of gangs that an offensive takes.
    feedback : Feedback
        The ``[security.feedback]`` table.
    """

    gang_control: OpenShare
    killings_per_month: NonNegative
    displaced: NonNegative
    gang_strength: Positive
    police_available: Positive
    gang_growth: Number = 0.0
    suppression: NonNegative = 0.0
    killing_reduction: NonNegative = 0.0
    control_adjustment: Probability = 0.1
    gang_noise: NonNegative = 0.0
    violence_noise: NonNegative = 0.0
    police_recruitment_per_month: NonNegative = 0.0
    police_attrition: Probability = 0.0
    police_weight: Positive = 0.3
    displaced_per_killing: NonNegative = 0.0
    return_rate: Probability = 0.0
    logistics_penalty: Probability = 0.0
    powers: dict[Identifier, NonNegative] = Field(default_factory=dict)
    contingents: dict[ISO3, NonNegative] = Field(default_factory=dict)
    casualties_per_1000: NonNegative = 0.0
    offensive_hazard: Probability = 0.0
    offensive_killings: NonNegative = 0.0
    offensive_control: Probability = 0.0
    feedback: Feedback = Field(default_factory=Feedback)
