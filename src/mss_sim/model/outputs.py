"""What a replication produces: the names of its outputs and the :class:`Replication`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np

from mss_sim.model.events import Event, event_kind
from mss_sim.scenario.council import Draft
from mss_sim.scenario.spec import Scenario

__all__ = [
    "ACCOUNT_SERIES",
    "DRAFT_SCALARS",
    "SECURITY_SCALARS",
    "SECURITY_SERIES",
    "SERIES",
    "STANDARD_SCALARS",
    "Replication",
    "draft_members",
    "draft_output_names",
    "is_member_outcome",
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
"""Monthly series of every replication (then come, per account ``<a>``, ``balance.<a>``,
``received_cum.<a>`` and ``spent_cum.<a>``; per contributor ``deployed.<ISO3>``; and
``airlift_queue``, the personnel waiting for airlift seats at the month's end). Money is
in US dollars, exact to the cent:
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
    "months_to_target",
    "target_reached",
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
    "lead_nation_changes",
    "contingents_withdrawn",
    "rotation_gap_days",
)
"""Scalar outcomes of every replication (per-draft and per-donor outcomes come in
addition: ``received_usd.<donor>``, what each donor paid, net of money returned).
``first_shortfall_month`` is the month (1 = the first of the horizon) at whose end
obligations first went unpaid, NaN if none did; ``share_of_costs_covered`` is the
share of the costs incurred over the horizon that were paid (NaN without costs);
``lead_nation_changes`` counts handovers of the lead, ``contingents_withdrawn`` the
contingents that left for good, ``rotation_gap_days`` the days rotations left a
contingent waiting for its relief (summed over rotations). ``months_to_half_ceiling``
counts the months until the force first reached half the ceiling in force then,
``months_to_target`` until it first reached the scenario's target strength
(:meth:`mss_sim.Scenario.target_strength`); NaN if it never did. ``target_reached``
is 1 if it did within the horizon, else 0."""

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


SECURITY_SERIES: tuple[str, ...] = (
    "gang_control",
    "gang_strength",
    "killings",
    "displaced",
    "police_available",
    "effective_force",
    "casualties",
)
"""Monthly series of a scenario with a ``[security]`` table (after the account series):
the share of Port-au-Prince under gang control and the gangs' armed strength at the
month's end, people killed in the month, people displaced and police officers
available at its end, the effective force during the month (mission personnel
weighted by contingent, powers and logistics, plus weighted police, in mission
personnel equivalents) and the mission's casualties (personnel killed or wounded)
in the month. See :mod:`mss_sim.model.security`."""

SECURITY_SCALARS: tuple[str, ...] = (
    "gang_control_at_end",
    "killings_total",
    "displaced_at_end",
    "casualties_total",
)
"""Scalar outcomes of a scenario with a ``[security]`` table (after all the others):
gang control and people displaced at the end of the horizon, people killed and
mission casualties over it."""


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


def draft_output_names(scenario: Scenario) -> tuple[tuple[str, tuple[str, ...]], ...]:
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
    per_draft = draft_output_names(scenario)
    donors = tuple(f"received_usd.{d.name}" for d in scenario.funding.donors)
    security = SECURITY_SCALARS if scenario.security is not None else ()
    drafts = tuple(name for _, names in per_draft for name in names)
    return STANDARD_SCALARS + donors + drafts + security


def series_names(scenario: Scenario) -> tuple[str, ...]:
    """Return the names of every monthly series of `scenario`, in a fixed order.

    Examples
    --------
    >>> import mss_sim
    >>> names = series_names(mss_sim.load_scenario("scenarios/gsf_2025.toml"))
    >>> names[:2], names[-3:]
    (('deployed', 'ceiling'), ('police_available', 'effective_force', 'casualties'))
    >>> [n for n in names if n.startswith("deployed.")][:2]
    ['deployed.KEN', 'deployed.GTM']
    """
    accounts = scenario.funding.accounts()
    per_account = tuple(f"{kind}.{a}" for a in accounts for kind in ACCOUNT_SERIES)
    per_contributor = tuple(f"deployed.{c.country}" for c in scenario.deployment.contributors)
    security = SECURITY_SERIES if scenario.security is not None else ()
    return SERIES + per_account + per_contributor + ("airlift_queue",) + security


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
    month_marks : tuple of int
        With the event log: for each month, how many events came before the state
        at its end was sampled (so a timeline can place that state among them).
    """

    scenario: str
    months: np.ndarray
    series: dict[str, np.ndarray]
    scalars: dict[str, float]
    events: tuple[Event, ...] = field(repr=False)
    parameters: dict[str, float]
    month_marks: tuple[int, ...] = field(default=(), repr=False)

    def __repr__(self) -> str:
        span = f"{self.months[0]} to {self.months[-1]}" if len(self.months) else "no months"
        return (
            f"Replication({self.scenario!r}, {span}, {len(self.series)} series, "
            f"{len(self.scalars)} scalars, {len(self.events)} events, "
            f"{len(self.parameters)} parameters)"
        )

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
