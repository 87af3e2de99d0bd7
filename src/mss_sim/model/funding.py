"""Funding: the accounts, donors, shocks and assessed contributions, started together.

The parts: :mod:`mss_sim.model.accounts` (accounts in cents and the treasury that
bills costs), :mod:`mss_sim.model.assessed` (assessed contributions) and
:mod:`mss_sim.model.donors` (pledges, conditions and shocks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mss_sim.model.events import EventKind

if TYPE_CHECKING:
    from mss_sim.model.mission import Mission
from mss_sim.model.accounts import Account, Treasury
from mss_sim.model.assessed import assessment_process
from mss_sim.model.donors import DonorState, condition_process, donor_process, shock_process

__all__ = [
    "Account",
    "DonorState",
    "Treasury",
    "assessment_process",
    "condition_process",
    "donor_process",
    "shock_process",
    "start_funding",
]


def start_funding(mission: Mission) -> None:
    """Credit the opening balance and start every donor's, condition's and shock's process."""
    spec = mission.scenario.funding
    treasury = mission.treasury
    env = mission.env
    if treasury.received_before_cents:
        fund = treasury.accounts["trust_fund"]
        fund.credit(treasury.received_before_cents)
        fund.pay(treasury.spent_before_cents)
        mission.log(
            EventKind.OPENING,
            "trust_fund",
            balance_cents=fund.balance,
            received_cents=fund.received,
            spent_cents=fund.spent,
        )
    donors = {d.name: d for d in spec.donors}
    states = {
        d.name: DonorState(
            round(mission.value(d.pledge_usd, f"funding.donors[{i}].pledge_usd") * 100)
        )
        for i, d in enumerate(spec.donors)
    }
    # Shocks first: at equal times a freeze or cap comes before the payments it hits.
    for i, shock in enumerate(spec.shocks):
        name = shock.donor
        env.process(
            shock_process(
                mission,
                shock,
                f"funding.shocks[{i}]",
                donors.get(name) if name else None,
                states.get(name) if name else None,
            )
        )
    for i, donor in enumerate(spec.donors):
        env.process(donor_process(mission, donor, f"funding.donors[{i}]", states[donor.name]))
    for condition in spec.conditions:
        if condition.kind == "ends_unless_adopted":
            env.process(condition_process(mission, condition, states[condition.donor]))
    if treasury.assessed_set_up:
        env.process(assessment_process(mission))
