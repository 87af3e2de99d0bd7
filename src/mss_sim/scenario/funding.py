"""The ``[funding]`` table: accounts, costs, donors, shocks and assessed contributions.

Money flows through accounts. The voluntary **trust fund** receives donors' cash;
each donor giving support **in kind** has an account of its own that pays only
the cost categories it covers; the **assessed** account receives member states'
assessed contributions once a UN support office or peacekeeping operation is set
up. The mandate's funding model decides which account pays each cost category
(:data:`MODEL_PAYERS`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    PlainValidator,
    StrictBool,
    field_validator,
    model_validator,
)

from mss_sim.scenario.distributions import _Dist
from mss_sim.scenario.fields import (
    NonNegative,
    Number,
    Probability,
    _bounded,
    _KeyedError,
    _Spec,
    check_unique,
)
from mss_sim.scenario.shocks import Condition, Shock

__all__ = [
    "COST_CATEGORIES",
    "DEFAULT_ASSESSED_SHARES",
    "MODEL_PAYERS",
    "Assessed",
    "Condition",
    "Costs",
    "Donor",
    "Funding",
    "Payer",
    "Shock",
    "TrustFund",
]

AtLeastOne = Annotated[Number, AfterValidator(_bounded(ge=1.0))]


def _share(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"a share must be a number (not uncertain), got {value!r}")
    if not (math.isfinite(value) and 0.0 < value <= 1.0):
        raise ValueError(f"a share must be in (0, 1], got {value:g}")
    return float(value)


Share = Annotated[float, PlainValidator(_share)]
"""A member's share of an assessment: a fixed number in (0, 1]."""


def _donor_name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(
            "must be letters, digits and '_', starting with a letter (it names outputs "
            f"such as received_usd.<donor>), got {value!r}"
        )
    return value


_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

Category = Literal["personnel", "logistics", "deployment", "fixed"]

COST_CATEGORIES: tuple[str, ...] = ("personnel", "logistics", "deployment", "fixed")
"""Cost categories, in the order an account pays them: personnel allowances,
logistics (both per person-month), the one-off cost of deploying a contingent
(airlift, equipment), and the fixed monthly cost of the base."""

MODEL_PAYERS: dict[str, dict[str, str]] = {
    "voluntary": dict.fromkeys(COST_CATEGORIES, "trust_fund"),
    "support_office": {
        "personnel": "trust_fund",
        "logistics": "assessed",
        "deployment": "trust_fund",
        "fixed": "assessed",
    },
    "assessed": dict.fromkeys(COST_CATEGORIES, "assessed"),
}
"""Which account pays each cost category under each funding model: voluntary only
(the MSS); personnel voluntary with logistics and the base assessed through a UN
support office (the Gang Suppression Force); everything assessed (a UN
peacekeeping operation). Until the assessed account is set up
(``funding.assessed.lead_months`` after the model first needs it) the trust fund
pays in its place."""

DEFAULT_ASSESSED_SHARES: dict[str, float] = {
    "USA": 0.269,
    "CHN": 0.187,
    "JPN": 0.068,
    "DEU": 0.051,
    "GBR": 0.044,
    "FRA": 0.040,
    "others": 0.341,
}
"""Peacekeeping scale of assessments by default: the six largest contributors and
everyone else together. The United States is assessed just under 27% (haiti_facts
[C2]); the other shares are rounded from the UN peacekeeping scale of recent years
and carried as an assumption [A]."""


class Costs(_Spec):
    """The ``[funding.costs]`` table: what the force costs, by category.

    The fixed monthly cost (the base) runs while personnel are deployed, or with
    `fixed_while` ``"mandate"`` whenever a mandate is in force.
    """

    personnel_per_person_month_usd: NonNegative
    logistics_per_person_month_usd: NonNegative = 0.0
    deployment_per_contingent_usd: NonNegative = 0.0
    fixed_monthly_usd: NonNegative = 0.0
    fixed_while: Literal["deployed", "mandate"] = "deployed"


class TrustFund(_Spec):
    """The ``[funding.trust_fund]`` table: the voluntary trust fund.

    `opening_balance_usd` is what it holds at the start; `received_before_usd`, if
    given, is everything it had received by then (the record reports receipts to
    date), so that its ``received_cum`` counts from the fund's creation. It must be
    at least the opening balance; the difference was spent before the start.
    """

    opening_balance_usd: NonNegative = 0.0
    received_before_usd: NonNegative | None = None
    overdraft_usd: NonNegative = 0.0

    @model_validator(mode="after")
    def _check(self) -> TrustFund:
        if self.received_before_usd is not None:
            low = _range(self.received_before_usd)[0]
            high = _range(self.opening_balance_usd)[1]
            fixed = isinstance(self.received_before_usd, float) and isinstance(
                self.opening_balance_usd, float
            )
            if low < high and fixed:
                raise _KeyedError(
                    "received_before_usd",
                    f"must be at least the opening balance (${high:,.0f}), got ${low:,.0f}: "
                    "the opening balance is what is left of the receipts before the start",
                )
            if low < high:
                raise _KeyedError(
                    "received_before_usd",
                    f"can be as low as ${low:,.0f}, below the largest opening balance "
                    f"(${high:,.0f}): the opening balance is what is left of the receipts "
                    "before the start, so their ranges must not overlap",
                )
        return self


def _range(value: float | _Dist) -> tuple[float, float]:
    """The smallest and largest value a scenario number can take."""
    return (value, value) if isinstance(value, float) else value.support()


class Payer(_Spec):
    """How one member (or ``default``: any member not listed) pays its assessments.

    It pays `paid_fraction` of each assessment (of its cap, if one is in force and
    lower when it pays) `lag_months` after it is issued; what it does not pay
    accumulates as arrears.
    """

    lag_months: NonNegative = 0.0
    paid_fraction: Probability = 1.0


class Assessed(_Spec):
    """The ``[funding.assessed]`` table: assessed contributions to a UN operation.

    Once the mandate's funding model puts a cost category on assessed funding, the
    account is set up `lead_months` later; from then on, at the start of every
    budget period of `period_months`, members are assessed the period's budget: the
    assessed categories' cost for the planned strength, plus the fixed cost if it is
    assessed. With `budget_basis` ``"deployed"`` (the default) the planned strength
    is the strength deployed when the budget is issued plus `budget_share` of the
    gap to the ceiling, so that the budget follows what the force costs; with
    ``"ceiling"`` it is `budget_share` of the ceiling. With `credit_unspent` (the
    default) what the account holds beyond the obligations it carries is credited
    to the members against the new assessment, as the UN credits unspent balances,
    so that unspent money does not pile up. Each member owes its share (``shares``;
    ``others`` stands for everyone not named) and pays as its ``payers`` entry says.
    """

    lead_months: NonNegative = 6.0
    period_months: int = Field(default=12, ge=1, le=120)
    budget_share: Probability = 1.0
    budget_basis: Literal["deployed", "ceiling"] = "deployed"
    credit_unspent: StrictBool = True
    overdraft_usd: NonNegative = 0.0
    shares: dict[str, Share] = Field(default_factory=lambda: dict(DEFAULT_ASSESSED_SHARES))
    payers: dict[str, Payer] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Assessed:
        if not self.shares:
            raise _KeyedError("shares", "needs at least one member's share")
        total = math.fsum(self.shares.values())
        if abs(total - 1.0) > 1e-9:
            raise _KeyedError("shares", f"must sum to 1, got {total:.12g}")
        for member in self.payers:
            if member != "default" and member not in self.shares:
                raise _KeyedError(
                    f"payers.{member}",
                    f"{member} has no share (shares: {', '.join(self.shares)}); "
                    "add it to shares or use 'default'",
                )
        return self

    def payer(self, member: str) -> tuple[Payer, str]:
        """Return how `member` pays and the key path of that entry."""
        if member in self.payers:
            return self.payers[member], f"funding.assessed.payers.{member}"
        return self.payers.get("default", _ON_TIME), "funding.assessed.payers.default"


_ON_TIME = Payer()


class Donor(_Spec):
    """A donor: a pledge paid in equal tranches after a lag, in cash or in kind.

    With `in_kind` empty the money goes to the trust fund; otherwise the donor's
    support is an account of its own (``in_kind.<name>``) that pays only the cost
    categories listed, before any other account. The donor honours its pledge
    with `honour_probability` (one draw per replication) and may attach
    conditions (:class:`Condition`).
    """

    name: Annotated[str, AfterValidator(_donor_name)]
    pledge_usd: NonNegative
    pledge_date: dt.date | None = None
    tranches: int = Field(default=1, ge=1, le=120)
    tranche_interval_months: NonNegative = 3.0
    disbursement_lag_months: NonNegative = 0.0
    honour_probability: Probability = 1.0
    in_kind: list[Category] = Field(default_factory=list)

    @field_validator("in_kind")
    @classmethod
    def _check_in_kind(cls, value: list[str]) -> list[str]:
        for i, category in enumerate(value):
            if category in value[:i]:
                raise ValueError(f"lists {category!r} twice")
        return value

    @property
    def account(self) -> str:
        """The account the donor pays into."""
        return f"in_kind.{self.name}" if self.in_kind else "trust_fund"


class Funding(_Spec):
    """The ``[funding]`` table: accounts, costs, donors, shocks and their coupling.

    A contingent deploys a wave only when the account that pays personnel can
    cover `deploy_reserve_months` of the force's costs to it with the wave (and a
    first wave's deployment cost). Once allowances have gone unpaid for more
    than `grace_months`, each contingent withdraws with probability
    `withdrawal_hazard` per month. While logistics bills go unpaid, waves come
    `logistics_slowdown` times less often.
    """

    costs: Costs
    trust_fund: TrustFund = Field(default_factory=TrustFund)
    assessed: Assessed = Field(default_factory=Assessed)
    deploy_reserve_months: NonNegative = 1.0
    grace_months: NonNegative = 2.0
    withdrawal_hazard: Probability = 0.0
    logistics_slowdown: AtLeastOne = 2.0
    donors: list[Donor] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    shocks: list[Shock] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Funding:
        names = [d.name for d in self.donors]
        check_unique([repr(n) for n in names], lambda i: f"donors[{i}].name", "donor ")
        listed = ", ".join(names) or "none"
        for i, condition in enumerate(self.conditions):
            if condition.donor not in names:
                raise _KeyedError(
                    f"conditions[{i}].donor",
                    f"no donor named {condition.donor!r} (donors: {listed})",
                )
        for i, shock in enumerate(self.shocks):
            if shock.donor is not None and shock.donor not in names:
                raise _KeyedError(
                    f"shocks[{i}].donor", f"no donor named {shock.donor!r} (donors: {listed})"
                )
            if shock.member is not None and shock.member not in self.assessed.shares:
                raise _KeyedError(
                    f"shocks[{i}].member",
                    f"{shock.member!r} has no assessed share "
                    f"(funding.assessed.shares: {', '.join(self.assessed.shares)})",
                )
        return self

    def accounts(self) -> tuple[str, ...]:
        """Return the names of the accounts: trust fund, assessed, then in kind by donor."""
        in_kind = tuple(d.account for d in self.donors if d.in_kind)
        return ("trust_fund", "assessed", *in_kind)
