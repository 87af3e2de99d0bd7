"""Funding: money in integer cents, donors' tranches, shocks, monthly costs.

The foundation keeps one voluntary account (the trust fund and the bilateral
money that pays the force) and treats assessed UN funding as paid in full and
on time: what the mandate's funding model puts on assessed budgets is received
and spent in the same instant. Which costs are assessed:

========================  ===========================  ======================
funding model             personnel (allowances)       logistics and fixed
========================  ===========================  ======================
``voluntary``             voluntary                    voluntary
``support_office``        voluntary, less logistics    assessed
``assessed``              assessed                     assessed
========================  ===========================  ======================

where logistics is the share ``funding.logistics_share`` of the cost per person.
Costs accrue continuously with strength and are charged at each month end; what
the voluntary account cannot pay is carried as unpaid obligations and paid first
from later receipts.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mss_sim.model.clock import DAYS_PER_MONTH
from mss_sim.scenario.spec import Donor, Shock

if TYPE_CHECKING:
    from mss_sim.model.mission import Mission

__all__ = ["DonorState", "Treasury", "donor_process", "shock_process", "start_funding"]


class Treasury:
    """The mission's money, in integer cents.

    Invariant: ``received_cents - spent_cents == balance_cents`` at all times
    (assessed money is received and spent together, so it adds to both).
    """

    def __init__(self, mission: Mission):
        self.mission = mission
        spec = mission.scenario.funding
        value = mission.value
        self.person_month_cents = (
            value(spec.cost_per_person_month_usd, "funding.cost_per_person_month_usd") * 100
        )
        self.fixed_month_cents = (
            value(spec.fixed_monthly_cost_usd, "funding.fixed_monthly_cost_usd") * 100
        )
        self.logistics_share = value(spec.logistics_share, "funding.logistics_share")
        self.reserve_months = value(spec.deploy_reserve_months, "funding.deploy_reserve_months")
        self.opening_cents = round(
            value(spec.opening_balance_usd, "funding.opening_balance_usd") * 100
        )
        self.balance_cents = 0
        self.received_cents = 0
        self.spent_cents = 0
        self.unpaid_cents = 0
        self.shortfall_months = 0
        self._accrued_voluntary = 0.0
        self._accrued_assessed = 0.0
        self._last_accrual = 0.0

    # ------------------------------------------------------------------ cost shares

    def _voluntary_shares(self) -> tuple[float, float]:
        """Return the voluntary shares of (personnel cost, fixed cost) under the mandate."""
        model = self.mission.mandate.funding_model
        if model == "voluntary":
            return 1.0, 1.0
        if model == "support_office":
            return 1.0 - self.logistics_share, 0.0
        return 0.0, 0.0

    def monthly_voluntary_cost(self, strength: int) -> float:
        """Return the voluntary account's monthly cost (cents) of a force of `strength`."""
        personnel, fixed = self._voluntary_shares()
        return strength * self.person_month_cents * personnel + self.fixed_month_cents * fixed

    # ------------------------------------------------------------------ flows

    def receive(self, cents: int, source: str) -> None:
        """Credit `cents` from `source` to the voluntary account."""
        self.balance_cents += cents
        self.received_cents += cents
        self.mission.log("received", source, cents=cents)

    def accrue(self) -> None:
        """Accrue costs from the last accrual to now at the current strength and mandate."""
        mission = self.mission
        now = mission.env.now
        elapsed = now - self._last_accrual
        self._last_accrual = now
        if elapsed <= 0 or not mission.mandate.active:
            return
        months = elapsed / DAYS_PER_MONTH
        personnel_cost = mission.deployed * self.person_month_cents * months
        fixed_cost = self.fixed_month_cents * months
        personnel, fixed = self._voluntary_shares()
        voluntary = personnel_cost * personnel + fixed_cost * fixed
        self._accrued_voluntary += voluntary
        self._accrued_assessed += personnel_cost + fixed_cost - voluntary

    def charge_month(self) -> None:
        """Charge the month's accrued costs; carry what cannot be paid as unpaid obligations."""
        self.accrue()
        assessed = round(self._accrued_assessed)
        self._accrued_assessed -= assessed
        if assessed:
            self.received_cents += assessed
            self.spent_cents += assessed
        voluntary = round(self._accrued_voluntary)
        self._accrued_voluntary -= voluntary
        due = voluntary + self.unpaid_cents
        paid = min(due, self.balance_cents)
        self.balance_cents -= paid
        self.spent_cents += paid
        self.unpaid_cents = due - paid
        if self.unpaid_cents > 0:
            self.shortfall_months += 1
            self.mission.log("shortfall", "mission", unpaid_cents=self.unpaid_cents)

    def can_cover(self, strength: int) -> bool:
        """Whether the voluntary account can carry a force of `strength` for the reserve period.

        The balance, less unpaid obligations and costs accrued but not yet charged,
        must cover ``funding.deploy_reserve_months`` months of the force's voluntary cost.
        """
        self.accrue()
        free = self.balance_cents - self.unpaid_cents - self._accrued_voluntary
        return free >= self.reserve_months * self.monthly_voluntary_cost(strength)


@dataclass(slots=True)
class DonorState:
    """A donor's pledge as it is paid, cut and frozen."""

    name: str
    outstanding_cents: int
    rng: np.random.Generator
    frozen_until: float = -1.0
    freeze_released: bool = True


def donor_process(
    mission: Mission, spec: Donor, path: str, state: DonorState
) -> Generator[Any, Any, None]:
    """Pay a donor's pledge in equal tranches after the disbursement lag.

    Tranches falling before the start are taken as paid before it (they belong to
    the opening balance) and are not received again.
    """
    value = mission.value
    env = mission.env
    pledge_day = mission.day(spec.pledge_date) if spec.pledge_date else 0.0
    lag = value(spec.disbursement_lag_months, path + ".disbursement_lag_months") * DAYS_PER_MONTH
    interval = (
        value(spec.tranche_interval_months, path + ".tranche_interval_months") * DAYS_PER_MONTH
    )
    if pledge_day > 0:
        yield env.timeout(pledge_day)
        mission.log("pledge", spec.name, cents=state.outstanding_cents, tranches=spec.tranches)
    for k in range(spec.tranches):
        due = pledge_day + lag + k * interval
        left = spec.tranches - k
        if due < 0:
            state.outstanding_cents -= state.outstanding_cents // left
            continue
        if due >= mission.end_day:
            return
        yield env.timeout(due - env.now)
        if env.now < state.frozen_until:
            yield env.timeout(state.frozen_until - env.now)
            if not state.freeze_released:
                amount = state.outstanding_cents // left
                state.outstanding_cents -= amount
                mission.log("cancelled", spec.name, cents=amount, reason="freeze not lifted")
                continue
        amount = state.outstanding_cents if left == 1 else state.outstanding_cents // left
        if amount > 0:
            state.outstanding_cents -= amount
            mission.treasury.receive(amount, spec.name)


def shock_process(
    mission: Mission, spec: Shock, path: str, state: DonorState
) -> Generator[Any, Any, None]:
    """Apply a cut or a freeze to a donor on its date."""
    value = mission.value
    yield mission.env.timeout(max(0.0, mission.day(spec.date)))
    if spec.kind == "cut":
        fraction = value(spec.fraction, path + ".fraction")
        amount = round(state.outstanding_cents * fraction)
        state.outstanding_cents -= amount
        mission.log("cut", spec.donor, cents=amount, fraction=fraction)
    else:
        duration = value(spec.duration_months, path + ".duration_months") * DAYS_PER_MONTH
        p_release = value(spec.release_probability, path + ".release_probability")
        state.frozen_until = max(state.frozen_until, mission.env.now + duration)
        state.freeze_released = bool(state.rng.random() < p_release)
        mission.log(
            "freeze",
            spec.donor,
            until=mission.date(state.frozen_until),
            released=state.freeze_released,
        )


def start_funding(mission: Mission) -> None:
    """Credit the opening balance and start every donor's and shock's process."""
    spec = mission.scenario.funding
    treasury = mission.treasury
    if treasury.opening_cents:
        treasury.receive(treasury.opening_cents, "opening balance")
    states = {}
    for i, donor in enumerate(spec.donors):
        path = f"funding.donors[{i}]"
        cents = round(mission.value(donor.pledge_usd, path + ".pledge_usd") * 100)
        state = DonorState(donor.name, cents, mission.rng("funding/" + donor.name))
        states[donor.name] = state
        mission.env.process(donor_process(mission, donor, path, state))
    for i, shock in enumerate(spec.shocks):
        mission.env.process(
            shock_process(mission, shock, f"funding.shocks[{i}]", states[shock.donor])
        )
