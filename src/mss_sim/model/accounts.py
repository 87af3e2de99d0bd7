"""Accounts in integer cents and the treasury that bills costs to them.

Accounts (:class:`~mss_sim.model.ledger.Account`; see :mod:`mss_sim.scenario.funding`):
the voluntary ``trust_fund``, the ``assessed`` account of a UN support office or
peacekeeping operation, and one ``in_kind.<donor>`` account per donor giving support
in kind. Every account keeps ``received - spent == balance`` exactly, in cents;
money returned to a donor (a rescission) is a negative receipt. No account goes
below minus its overdraft.

Costs accrue continuously by category while a mandate is in force: personnel and
logistics per person-month, the fixed monthly base while personnel are deployed
(always, with ``fixed_while = "mandate"``), and a one-off cost when a
contingent first deploys; each accrues to the account the mandate's funding model
names for it at that moment (:data:`~mss_sim.scenario.funding.MODEL_PAYERS`).
At each month end the costs are paid: first by in-kind accounts that cover the
category (in donor order), then by the account that owes them, which pays its
carried obligations first, then the month's, category by category (personnel,
logistics, deployment, fixed). What it cannot pay is carried as unpaid
obligations.
"""

from __future__ import annotations

import math

from mss_sim.model.clock import DAYS_PER_MONTH, Clock
from mss_sim.model.events import EventKind
from mss_sim.model.ledger import PER_PERSON, Account, add_to
from mss_sim.model.shared import EventLog, MandateState, Strength
from mss_sim.scenario.funding import COST_CATEGORIES, MODEL_PAYERS, Donor, Funding
from mss_sim.scenario.resolve import fixed

__all__ = ["Treasury"]


_OWING_ACCOUNTS = ("trust_fund", "assessed")
"""The accounts that owe bills (in-kind accounts only ever pay what they hold)."""
_NeedTerm = tuple[str, float, bool, tuple[Account, ...]]
"""A category paid by an account: its rate, whether per person, the in-kind accounts covering it."""
_Route = tuple[dict[str, float], str, float, bool]
"""Where a category accrues: the owing account's accrued costs, the category, rate, per person."""


_ACCRUING = ("personnel", "logistics", "fixed")
"""The categories that accrue over time (deployment is a one-off cost)."""


class Treasury:
    """The mission's accounts, cost rates and what the assessed contributions brought in.

    Parameters
    ----------
    spec : Funding
        The resolved ``[funding]`` table (see :func:`mss_sim.scenario.resolve.resolve`).
    clock : Clock
        The replication's clock.
    log : EventLog
        The event log.
    mandate : MandateState
        The mandate in force (its funding model names who pays; costs accrue
        only while it is active).
    strength : Strength
        The personnel deployed (costs per person accrue on it).
    """

    def __init__(
        self,
        spec: Funding,
        clock: Clock,
        log: EventLog,
        mandate: MandateState,
        strength: Strength,
    ):
        self._env = clock.env
        self._log = log
        self._mandate = mandate
        self._strength = strength
        costs = spec.costs
        self.rates = {
            "personnel": fixed(costs.personnel_per_person_month_usd) * 100,
            "logistics": fixed(costs.logistics_per_person_month_usd) * 100,
            "deployment": fixed(costs.deployment_per_contingent_usd) * 100,
            "fixed": fixed(costs.fixed_monthly_usd) * 100,
        }
        self._accruing = tuple(
            (category, self.rates[category], category in PER_PERSON)
            for category in _ACCRUING
            if self.rates[category]
        )
        self._fixed_always = costs.fixed_while == "mandate"
        self.reserve_months = fixed(spec.deploy_reserve_months)
        self.grace_months = fixed(spec.grace_months)
        self.withdrawal_hazard = fixed(spec.withdrawal_hazard)
        self.logistics_slowdown = fixed(spec.logistics_slowdown)
        trust = spec.trust_fund
        self.opening_cents = round(fixed(trust.opening_balance_usd) * 100)
        self.received_before_cents = (
            self.opening_cents
            if trust.received_before_usd is None
            else round(fixed(trust.received_before_usd) * 100)
        )
        self.spent_before_cents = self.received_before_cents - self.opening_cents
        """What the trust fund spent before the start (not a cost of the horizon)."""
        # In the order of the scenario's accounts, which names the series.
        covers = {d.account: tuple(d.in_kind) for d in spec.donors if d.in_kind}
        overdrafts = {
            name: round(fixed(getattr(spec, name).overdraft_usd) * 100) for name in _OWING_ACCOUNTS
        }
        self.accounts: dict[str, Account] = {
            name: Account(name, overdraft=overdrafts.get(name, 0), covers=covers.get(name, ()))
            for name in spec.accounts()
        }
        self.in_kind = [a for a in self.accounts.values() if a.covers]
        self._fund = self.accounts["trust_fund"]
        self._assessed = self.accounts["assessed"]
        self.lead_days = fixed(spec.assessed.lead_months) * DAYS_PER_MONTH
        # A mandate assessed at the start has its account set up already.
        self.assessed_set_up = self.needs_assessed()
        self.assessed_from = 0.0 if self.assessed_set_up else math.inf
        self.received_by: dict[str, int] = {d.name: 0 for d in spec.donors}
        self.caps: dict[str, float] = {}
        self.issued_cents = 0
        self.contributed_cents = 0
        self.shortfall_months = 0
        self.first_shortfall_month = math.nan
        self.personnel_unpaid_months = 0
        self.unpaid_cents = 0
        """All unpaid obligations carried (as of the last month end)."""
        self.logistics_unpaid = False
        self._accrued: dict[str, dict[str, float]] = {name: {} for name in _OWING_ACCOUNTS}
        """Costs accrued and not yet charged, by owing account and category."""
        self._last_accrual = 0.0
        self._routes: dict[tuple[str, bool], tuple[_Route, ...]] = {}
        self._needs: dict[tuple[str, bool, str], tuple[_NeedTerm, ...]] = {}

    # ------------------------------------------------------------------ who pays

    def needs_assessed(self) -> bool:
        """Whether the mandate in force puts any cost category on assessed funding."""
        m = self._mandate
        return m.active and "assessed" in MODEL_PAYERS[m.funding_model].values()

    def payer(self, category: str, at: float | None = None) -> str:
        """Return the account that pays `category` now (or at time `at`, same mandate)."""
        name = MODEL_PAYERS[self._mandate.funding_model][category]
        if name == "assessed" and (self._env.now if at is None else at) < self.assessed_from:
            return "trust_fund"
        return name

    def mandate_changed(self) -> None:
        """Start setting up the assessed account when the mandate first needs it."""
        if not self.assessed_set_up and self.needs_assessed():
            self.assessed_set_up = True
            self.assessed_from = self._env.now + self.lead_days

    def _owner(self, category: str, funding_model: str, before_takeover: bool) -> str:
        name = MODEL_PAYERS[funding_model][category]
        return "trust_fund" if name == "assessed" and before_takeover else name

    def _need(self, account: str, strength: int, months: float, first: bool) -> float:
        """What `account` must hold to pay `months` of a force of `strength` (cents).

        Support in kind on hand for a category reduces what the account needs for it.
        """
        key = (self._mandate.funding_model, self._env.now < self.assessed_from, account)
        terms = self._needs.get(key)
        if terms is None:
            owner = self._owner
            terms = self._needs[key] = tuple(
                (
                    category,
                    self.rates[category],
                    category in PER_PERSON,
                    tuple(k for k in self.in_kind if category in k.covers),
                )
                for category in COST_CATEGORIES
                if owner(category, key[0], key[1]) == account
            )
        left: dict[str, float] | None = None
        need = 0.0
        for category, rate, per_person, kinds in terms:
            if category == "deployment":
                amount = rate if first else 0.0
            else:
                amount = months * rate * (strength if per_person else 1)
            if kinds:
                if left is None:
                    left = {k.name: float(max(0, k.balance)) for k in self.in_kind}
                for kind in kinds:
                    if amount > 0:
                        take = min(amount, left[kind.name])
                        left[kind.name] -= take
                        amount -= take
            need += amount
        return need

    # ------------------------------------------------------------------ flows

    def receive(self, cents: int, donor: Donor) -> None:
        """Credit `cents` from `donor` to its account."""
        self.accounts[donor.account].credit(cents)
        self.received_by[donor.name] += cents
        if self._log.record:
            self._log(EventKind.RECEIVED, donor.name, cents=cents, account=donor.account)

    def rescind(self, donor: Donor, fraction: float) -> None:
        """Return `fraction` of what `donor` has paid, as far as its account's balance allows."""
        account = self.accounts[donor.account]
        asked = round(self.received_by[donor.name] * fraction)
        cents = max(0, min(asked, account.balance - account.held))
        account.credit(-cents)
        self.received_by[donor.name] -= cents
        self._log(
            EventKind.RESCINDED, donor.name, cents=cents, asked_cents=asked, account=account.name
        )

    def hold(self, cents: int) -> int:
        """Hold up to `cents` of the trust fund's balance from spending; return what is held."""
        fund = self._fund
        held = max(0, min(cents, fund.balance - fund.held))
        fund.held += held
        return held

    def end_hold(self, cents: int, *, released: bool) -> None:
        """End a hold of `cents`: release the money, or return it to its donor."""
        fund = self._fund
        fund.held -= cents
        if not released:
            fund.credit(-cents)

    def contribute(self, member: str, owed: int, budget: int, fraction: float) -> None:
        """Pay `fraction` of what `member` owes of an assessment of `budget`, after its cap.

        A cap in force at the time of payment limits the payment to its share of the
        assessment; what is not paid stays in arrears.
        """
        if member in self.caps:
            owed = min(owed, round(budget * self.caps[member]))
        cents = round(owed * fraction)
        if cents > 0:
            self._assessed.credit(cents)
            self.contributed_cents += cents
            if self._log.record:
                self._log(EventKind.CONTRIBUTION, member, cents=cents)

    def accrue(self) -> None:
        """Accrue costs from the last accrual to now at the current strength and mandate."""
        now = self._env.now
        last = self._last_accrual
        if now <= last:
            return
        self._last_accrual = now
        mandate = self._mandate
        if not mandate.active:
            return
        deployed = self._strength.deployed
        # The assessed account taking over splits the span.
        switch = self.assessed_from
        model = mandate.funding_model
        if last < switch < now:
            self._accrue_span(model, True, (switch - last) / DAYS_PER_MONTH, deployed)
            self._accrue_span(model, False, (now - switch) / DAYS_PER_MONTH, deployed)
        else:
            self._accrue_span(model, last < switch, (now - last) / DAYS_PER_MONTH, deployed)

    def _accrue_span(self, funding_model: str, before: bool, months: float, deployed: int) -> None:
        routes = self._routes.get((funding_model, before))
        if routes is None:
            routes = self._routes[funding_model, before] = tuple(
                (self._accrued[self._owner(category, funding_model, before)], category, rate, pp)
                for category, rate, pp in self._accruing
            )
        base = 1 if self._fixed_always else min(deployed, 1)
        for accrued, category, rate, per_person in routes:
            amount = rate * months * (deployed if per_person else base)
            accrued[category] = accrued.get(category, 0.0) + amount

    def deployment_cost(self, country: str) -> None:
        """Accrue the one-off cost of the first deployment of `country`'s contingent."""
        rate = self.rates["deployment"]
        if rate:
            accrued = self._accrued[self.payer("deployment")]
            accrued["deployment"] = accrued.get("deployment", 0.0) + rate
            self._log(EventKind.DEPLOYMENT_COST, country, cents=round(rate))

    def charge_month(self, month: int) -> None:
        """Pay the month's costs and carried obligations (month `month`, from 0)."""
        self.accrue()
        record = self._log.record
        due: dict[str, list[tuple[str, int]]] = {"trust_fund": [], "assessed": []}
        paid: dict[str, dict[str, int]] = {}
        in_kind = self.in_kind
        owing = [(self._accrued[name], due[name]) for name in _OWING_ACCOUNTS]
        for category in COST_CATEGORIES:
            for accrued, bills in owing:
                amount = accrued.get(category)
                if amount is None:
                    continue
                cents = round(amount)
                accrued[category] = amount - cents
                if not cents:
                    continue
                for kind in in_kind:
                    if category in kind.covers:
                        got = kind.pay(cents)
                        if got:
                            cents -= got
                            if record:
                                add_to(paid.setdefault(kind.name, {}), category, got)
                        if not cents:
                            break
                if cents:
                    bills.append((category, cents))
        for account in (self._fund, self._assessed):
            bills = due[account.name]
            unpaid = account.unpaid
            if account.owed_cents:
                bills = [(c, unpaid[c]) for c in COST_CATEGORIES] + bills
                unpaid = account.unpaid = dict.fromkeys(COST_CATEGORIES, 0)
            owed = 0
            for category, cents in bills:
                # Account.pay, inlined: this is the model's busiest loop.
                got = max(0, min(cents, account.balance + account.overdraft - account.held))
                account.balance -= got
                account.spent += got
                if got < cents:
                    unpaid[category] += cents - got
                    owed += cents - got
                if got and record:
                    add_to(paid.setdefault(account.name, {}), category, got)
            account.owed_cents = owed
        for name, by_category in paid.items():
            self._log(EventKind.PAID, name, cents=sum(by_category.values()), **by_category)
        fund, assessed = self._fund, self._assessed
        self.unpaid_cents = unpaid_cents = fund.owed_cents + assessed.owed_cents
        if unpaid_cents > 0:
            self.logistics_unpaid = bool(fund.unpaid["logistics"] or assessed.unpaid["logistics"])
            personnel = fund.unpaid["personnel"] or assessed.unpaid["personnel"]
            self.shortfall_months += 1
            if math.isnan(self.first_shortfall_month):
                self.first_shortfall_month = month + 1
            if record:
                by_account = {a.name: a.owed_cents for a in (fund, assessed) if a.owed_cents}
                self._log(EventKind.SHORTFALL, "mission", unpaid_cents=unpaid_cents, **by_account)
        else:
            self.logistics_unpaid = False
            personnel = 0
        self.personnel_unpaid_months = self.personnel_unpaid_months + 1 if personnel else 0

    # ------------------------------------------------------------------ state

    @property
    def received_cents(self) -> int:
        """The sum of the accounts' receipts."""
        return sum(a.received for a in self.accounts.values())

    @property
    def spent_cents(self) -> int:
        """The sum of the accounts' payments."""
        return sum(a.spent for a in self.accounts.values())

    @property
    def arrears_cents(self) -> int:
        """Assessed contributions issued and not (yet) paid."""
        return self.issued_cents - self.contributed_cents

    def assessed_unspent(self) -> int:
        """What the assessed account holds beyond its obligations and the costs accrued to it."""
        self.accrue()
        account = self._assessed
        accrued = math.ceil(sum(self._accrued["assessed"].values()))
        return max(0, account.balance - account.owed_cents - accrued)

    def logistics_short(self) -> bool:
        """Whether logistics bills went unpaid at the last month end."""
        return self.logistics_unpaid

    def allowances_overdue(self) -> bool:
        """Whether allowances have gone unpaid for longer than the grace period."""
        return self.personnel_unpaid_months > self.grace_months

    def can_cover(self, strength: int, *, first: bool = False) -> bool:
        """Whether the personnel account can carry a force of `strength` for the reserve period.

        Its balance and overdraft, less the obligations it carries and the costs
        accrued to it but not yet charged, must cover ``funding.deploy_reserve_months``
        months of what it pays for that force, plus the one-off deployment cost of a
        contingent's `first` wave when it pays that too; support in kind on hand for a
        category counts against what is needed for it.
        """
        self.accrue()
        name = self.payer("personnel")
        account = self.accounts[name]
        accrued = sum(self._accrued[name].values())
        free = account.available - account.owed_cents - accrued
        return free >= self._need(name, strength, self.reserve_months, first)
