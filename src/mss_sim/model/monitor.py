"""The monthly grid: month-end charges and attrition, then a snapshot of the state."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from mss_sim.model.clock import DAYS_PER_MONTH
from mss_sim.model.deployment import apply_attrition, apply_withdrawals
from mss_sim.model.events import Event, event_kind
from mss_sim.scenario.council import Draft
from mss_sim.scenario.spec import Scenario

if TYPE_CHECKING:
    from mss_sim.model.chamber import DraftRecord
    from mss_sim.model.mission import Mission

__all__ = [
    "ACCOUNT_SERIES",
    "DRAFT_SCALARS",
    "SERIES",
    "STANDARD_SCALARS",
    "Replication",
    "draft_members",
    "is_member_outcome",
    "month_end_process",
    "scalar_names",
    "series_names",
]

SERIES: tuple[str, ...] = (
    "deployed",
    "ceiling",
    "mandate_active",
    "cash_balance",
    "received_cum",
    "spent_cum",
    "unpaid_obligations",
    "arrears_assessed",
)
"""Monthly series of every replication. Money is in US dollars, exact to the cent:
``cash_balance``, ``received_cum`` and ``spent_cum`` are sums over the accounts,
``unpaid_obligations`` what the accounts owe, ``arrears_assessed`` assessed
contributions issued and not (yet) paid. Per account ``<a>`` (see
:func:`series_names`) come ``balance.<a>``, ``received_cum.<a>`` and ``spent_cum.<a>``."""

ACCOUNT_SERIES: tuple[str, ...] = ("balance", "received_cum", "spent_cum")
"""Monthly series of each account, named ``<series>.<account>``."""

STANDARD_SCALARS: tuple[str, ...] = (
    "mandate_active_at_end",
    "peak_deployed",
    "deployed_at_end",
    "months_to_half_ceiling",
    "drafts_adopted",
    "drafts_vetoed",
    "drafts_withdrawn",
    "vetoes_cast",
    "mandate_lapsed",
    "days_without_mandate",
    "total_received_usd",
    "total_spent_usd",
    "shortfall_months",
    "first_shortfall_month",
    "share_of_costs_covered",
)
"""Scalar outcomes of every replication (per-draft and per-donor outcomes come in
addition: ``received_usd.<donor>``, what each donor paid, net of money returned).
``first_shortfall_month`` is the month (1 = the first of the horizon) at whose end
obligations first went unpaid, NaN if none did; ``share_of_costs_covered`` is the
share of the costs incurred over the horizon that were paid (NaN without costs)."""

DRAFT_SCALARS: tuple[str, ...] = (
    "adopted",
    "vetoed",
    "failed",
    "withdrawn",
    "softened",
    "vote_held",
    "yes",
    "no",
    "abstain",
)
"""Per-draft outcomes, named ``<draft id>.<outcome>``, NaN if the draft never came up.

``adopted``, ``vetoed``, ``failed`` and ``withdrawn`` are 1 if it happened at least
once (a re-tabled draft can be withdrawn, then adopted); ``softened`` counts the
softening steps; ``vote_held`` is 1 if a vote was held, and ``yes``, ``no`` and
``abstain`` count the ballots of the last vote (NaN without a vote). Besides
these, ``<draft>.vote.<ISO3>`` is each member's ballot in the last vote (+1, 0,
-1; NaN without a vote or when not a member then) and ``<draft>.vetoed_by.<ISO3>``
is 1 if that permanent member vetoed the draft in any of its votes (0 otherwise)."""


_MEMBER_OUTCOME = re.compile(r"\.(vote|vetoed_by)\.[A-Z]{3}$")


def is_member_outcome(name: str) -> bool:
    """Whether the scalar `name` is one member's ballot or veto on a draft.

    Examples
    --------
    >>> is_member_outcome("gsf.vote.CHN"), is_member_outcome("gsf.adopted")
    (True, False)
    """
    return _MEMBER_OUTCOME.search(name) is not None


def draft_members(scenario: Scenario, draft: Draft) -> tuple[str, ...]:
    """Return everyone who can vote on `draft` within the horizon (permanent members first)."""
    council = scenario.council
    last_year = (scenario.scenario.end - dt.timedelta(days=1)).year
    return council.possible_members(council.vote_years(draft, last_year))


def _draft_names(scenario: Scenario) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each draft's id and the names of its outputs, in :func:`scalar_names` order."""
    out = []
    for draft in scenario.council.drafts:
        names = [f"{draft.id}.{name}" for name in DRAFT_SCALARS]
        names += [f"{draft.id}.vote.{m}" for m in draft_members(scenario, draft)]
        names += [f"{draft.id}.vetoed_by.{m}" for m in scenario.council.permanent]
        out.append((draft.id, tuple(names)))
    return tuple(out)


def scalar_names(scenario: Scenario) -> tuple[str, ...]:
    """Return the names of every scalar outcome of `scenario`, in a fixed order."""
    per_draft = scenario.derived("draft_output_names", _draft_names)
    donors = tuple(f"received_usd.{d.name}" for d in scenario.funding.donors)
    return STANDARD_SCALARS + donors + tuple(name for _, names in per_draft for name in names)


def series_names(scenario: Scenario) -> tuple[str, ...]:
    """Return the names of every monthly series of `scenario`, in a fixed order.

    Examples
    --------
    >>> import mss_sim
    >>> names = series_names(mss_sim.load_scenario("scenarios/gsf_2025.toml"))
    >>> names[-3:]
    ('balance.assessed', 'received_cum.assessed', 'spent_cum.assessed')
    """
    accounts = scenario.funding.accounts()
    return SERIES + tuple(f"{kind}.{a}" for a in accounts for kind in ACCOUNT_SERIES)


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
        """Return the events of one `kind`, in order.

        Raises
        ------
        ValueError
            If `kind` is not an :class:`EventKind` (a typo would otherwise give
            an empty list).
        """
        wanted = event_kind(kind)
        return [e for e in self.events if e.kind == wanted]


def month_end_process(mission: Mission, rows: np.ndarray) -> Generator[Any, Any, None]:
    """At each month end: charge costs, apply attrition, record one row of `rows`."""
    env = mission.env
    treasury = mission.treasury
    for k, day in enumerate(mission.month_ends):
        yield env.timeout(day - env.now)
        treasury.charge_month(k)
        apply_attrition(mission)
        apply_withdrawals(mission)
        m = mission.mandate
        row = [
            mission.deployed,
            m.ceiling if m.active else 0,
            float(m.active),
            treasury.balance_cents / 100,
            treasury.received_cents / 100,
            treasury.spent_cents / 100,
            treasury.unpaid_cents / 100,
            treasury.arrears_cents / 100,
        ]
        for account in treasury.accounts.values():
            row += [account.balance / 100, account.received / 100, account.spent / 100]
        rows[k] = row


def _draft_values(record: DraftRecord, names: tuple[str, ...]) -> list[float]:
    """The outputs of one draft, in the order of `names` (see :func:`_draft_names`)."""
    nan = math.nan
    fixed = len(DRAFT_SCALARS)
    if record.text is None:
        return [nan] * len(names)
    vote = record.last_vote
    counts = (nan, nan, nan) if vote is None else (vote[0].yes, vote[0].no, vote[0].abstain)
    values = [
        float(record.adopted),
        float(record.vetoed),
        float(record.failed),
        float(record.withdrawn),
        float(record.text.steps),
        float(vote is not None),
        *map(float, counts),
    ]
    ballots = {} if vote is None else vote[1]
    for name in names[fixed:]:
        _, what, member = name.rsplit(".", 2)
        if what == "vote":
            values.append(float(ballots.get(member, nan)))
        else:
            values.append(float(member in record.vetoed_by))
    return values


def collect(mission: Mission, rows: np.ndarray) -> Replication:
    """Build the :class:`Replication` of a finished mission."""
    scenario = mission.scenario
    names = scenario.derived("series_names", series_names)
    series = {name: rows[:, j].copy() for j, name in enumerate(names)}
    treasury = mission.treasury
    paid = treasury.spent_cents - treasury.spent_before_cents
    incurred = paid + treasury.unpaid_cents
    records = mission.council.records
    tabled = [r for r in records.values() if r.text is not None]
    idle = mission.days_without_mandate
    if mission.inactive_since is not None:
        idle += mission.end_day - mission.inactive_since
    scalars: dict[str, float] = {
        "mandate_active_at_end": float(series["mandate_active"][-1]),
        "peak_deployed": float(mission.peak_deployed),
        "deployed_at_end": float(series["deployed"][-1]),
        "months_to_half_ceiling": mission.half_ceiling_day / DAYS_PER_MONTH,
        "drafts_adopted": float(sum(r.adopted for r in tabled)),
        "drafts_vetoed": float(sum(r.vetoed for r in tabled)),
        "drafts_withdrawn": float(sum(r.withdrawn for r in tabled)),
        "vetoes_cast": float(mission.council.vetoes_cast),
        "mandate_lapsed": float(mission.lapses > 0),
        "days_without_mandate": idle,
        "total_received_usd": treasury.received_cents / 100,
        "total_spent_usd": treasury.spent_cents / 100,
        "shortfall_months": float(treasury.shortfall_months),
        "first_shortfall_month": float(treasury.first_shortfall_month),
        "share_of_costs_covered": paid / incurred if incurred else math.nan,
    }
    for donor, cents in treasury.received_by.items():
        scalars[f"received_usd.{donor}"] = cents / 100
    for draft_id, names in scenario.derived("draft_output_names", _draft_names):
        scalars.update(zip(names, _draft_values(records[draft_id], names), strict=True))
    info = scenario.scenario
    first = np.datetime64(info.start.replace(day=1), "M")
    return Replication(
        scenario=info.name,
        months=first + np.arange(info.horizon_months),
        series=series,
        scalars=scalars,
        events=tuple(mission.events),
        parameters=dict(mission.params),
    )
