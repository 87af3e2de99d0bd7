"""Assessed contributions: budget periods issued to members, paid late, partly or capped.

The assessed account is set up ``funding.assessed.lead_months`` after the
mandate's funding model first puts a category on it (a mandate that is assessed
at the start is taken as set up); until then the trust fund pays in its place.
Assessments for a budget period are issued at its start, sized on the strength
deployed then (or on the ceiling) and less the unspent balance credited back;
each member pays its share after its lag, partly, or up to a cap, and what is not
paid is arrears.
"""

from __future__ import annotations

import math

from mss_sim.model.accounts import Treasury
from mss_sim.model.clock import DAYS_PER_MONTH, Clock
from mss_sim.model.events import EventKind
from mss_sim.model.ledger import PER_PERSON
from mss_sim.model.shared import Bus, EventLog, MandateState, Process, Strength
from mss_sim.scenario.funding import Assessed
from mss_sim.scenario.resolve import fixed

__all__ = ["Assessments"]


class Assessments:
    """The assessed budget: issued each period while a mandate needs assessed funding.

    Parameters
    ----------
    spec : Assessed
        The resolved ``[funding.assessed]`` table.
    clock, log, bus : Clock, EventLog, Bus
        The replication's shared pieces.
    treasury : Treasury
        Where contributions are credited (its ``assessed`` account).
    mandate : MandateState
        The mandate in force (its ceiling sizes the budget).
    strength : Strength
        The personnel deployed (with ``budget_basis = "deployed"`` it sizes the budget).
    """

    def __init__(
        self,
        spec: Assessed,
        clock: Clock,
        log: EventLog,
        bus: Bus,
        treasury: Treasury,
        mandate: MandateState,
        strength: Strength,
    ):
        self._spec = spec
        self._strength = strength
        self._clock, self._log, self._bus = clock, log, bus
        self._treasury, self._mandate = treasury, mandate
        self.period_days = spec.period_months * DAYS_PER_MONTH
        self.budget_share = fixed(spec.budget_share)
        members = list(spec.shares)
        self._members = [(m, spec.shares[m], *self._terms(m)) for m in members]
        self._started = False

    def _terms(self, member: str) -> tuple[float, float]:
        payer, _ = self._spec.payer(member)
        return fixed(payer.lag_months) * DAYS_PER_MONTH, fixed(payer.paid_fraction)

    def start(self) -> None:
        """Start issuing budgets if the account is set up (at the start, or once it is)."""
        if self._treasury.assessed_set_up and not self._started:
            self._started = True
            self._clock.env.process(self._periods())

    def _periods(self) -> Process:
        """Issue assessments at each budget period's start while assessed funding is needed."""
        env = self._clock.env
        treasury = self._treasury
        due = treasury.assessed_from
        while True:
            if due > env.now:
                yield env.timeout(due - env.now)
            if treasury.needs_assessed():
                self.assess()
                due = env.now + self.period_days
            else:
                # No new budget period opens before the current one has run out.
                yield self._bus.next_mandate_change()

    def assess(self) -> None:
        """Issue the assessments of one budget period and start the members' payments."""
        treasury = self._treasury
        env = self._clock.env
        months = self._spec.period_months
        rates = treasury.rates
        per_person = sum(rates[c] for c in PER_PERSON if treasury.payer(c) == "assessed")
        fixed_cost = rates["fixed"] if treasury.payer("fixed") == "assessed" else 0.0
        ceiling = self._mandate.ceiling
        if self._spec.budget_basis == "ceiling":
            planned = self.budget_share * ceiling
        else:
            deployed = min(self._strength.deployed, ceiling)
            planned = deployed + self.budget_share * (ceiling - deployed)
        gross = round(months * (planned * per_person + fixed_cost))
        credit = 0
        if self._spec.credit_unspent:
            credit = min(gross, treasury.assessed_unspent())
        budget = gross - credit
        if budget <= 0:
            if credit and self._log.record:
                self._log(EventKind.ASSESSED, "assessed", cents=0, months=months, credited=credit)
            return
        owed = [math.floor(budget * share) for _, share, _, _ in self._members]
        owed[-1] = budget - sum(owed[:-1])
        treasury.issued_cents += budget
        if self._log.record:
            details = {"credited": credit} if credit else {}
            self._log(EventKind.ASSESSED, "assessed", cents=budget, months=months, **details)
        end_day = self._clock.calendar.end_day
        for (member, _, lag, fraction), amount in zip(self._members, owed, strict=True):
            if lag <= 0:
                treasury.contribute(member, amount, budget, fraction)
            elif env.now + lag < end_day:
                env.process(self._pay_later(member, (amount, budget, fraction), lag))

    def _pay_later(self, member: str, bill: tuple[int, int, float], lag: float) -> Process:
        """Pay a member's assessed `bill` (owed, budget, paid fraction) after `lag` days."""
        yield self._clock.env.timeout(lag)
        self._treasury.contribute(member, *bill)
