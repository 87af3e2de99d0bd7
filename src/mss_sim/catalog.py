"""What every output means: its kind, unit and a one-line description.

One registry for the scalar outcomes and monthly series of a replication. The
summary, the figures, data frames and the report read it, so nothing has to guess
from the data whether a column is a probability, a count or money. Names that are
generated per draft, member, donor, account or contributor are described by
pattern: ``{draft}.vote.{member}``, ``balance.{account}``.

A leaf module: plain names and strings, no model.

Examples
--------
>>> info = describe("total_received_usd")
>>> info.kind.value, info.unit, info.display_unit
('money', 'US$', 'US$ million')
>>> describe("gsf.vote.CHN").description
'CHN: ballot in the last vote on draft gsf (+1 yes, 0 abstain, -1 no)'
>>> describe("balance.in_kind.USA", series=True).label
'Balance of the USA in-kind account'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

__all__ = [
    "SCALAR_INFO",
    "SERIES_INFO",
    "OutputInfo",
    "OutputKind",
    "account_name",
    "describe",
    "is_described",
]


class OutputKind(StrEnum):
    """How an output is read and summarised.

    ``probability``: 1 if something happened in a run, else 0 (summarised as a
    probability with a Wilson interval); ``count``: a number of things (personnel,
    drafts, people); ``quantity``: a continuous amount that is not money; ``money``:
    US dollars (shown in millions); ``months`` and ``days``: durations; ``share``: a
    fraction between 0 and 1; ``ballot``: +1 yes, 0 abstain, -1 no (summarised as
    shares of each).
    """

    PROBABILITY = "probability"
    COUNT = "count"
    QUANTITY = "quantity"
    MONEY = "money"
    MONTHS = "months"
    DAYS = "days"
    SHARE = "share"
    BALLOT = "ballot"


@dataclass(frozen=True, slots=True)
class OutputInfo:
    """The metadata of one output (or of a family of outputs named by a pattern).

    Attributes
    ----------
    pattern : str
        The name, or a pattern with ``{draft}``, ``{member}``, ``{donor}``,
        ``{account}`` or ``{country}`` fields.
    kind : OutputKind
        How the values are read (see :class:`OutputKind`).
    unit : str
        Unit of the stored values (``""`` for probabilities and shares).
    label : str
        A short title in words (fields filled in by :func:`describe`).
    description : str
        One line saying what the output is.
    undefined : str
        What a NaN value means for this output ("never reached"); empty if it is
        always defined in a run that did not fail.
    """

    pattern: str
    kind: OutputKind
    unit: str
    label: str
    description: str
    undefined: str = ""

    @property
    def scale(self) -> float:
        """Divide stored values by this to show them (money in US$ millions)."""
        return 1e6 if self.kind is OutputKind.MONEY else 1.0

    @property
    def display_unit(self) -> str:
        """The unit values are shown in (``"US$ million"`` for money)."""
        return "US$ million" if self.kind is OutputKind.MONEY else self.unit

    def axis_label(self) -> str:
        """The label of an axis showing this output, unit in parentheses.

        Shares and probabilities are shown as percentages.
        """
        unit = self.display_unit
        if self.kind is OutputKind.SHARE:
            unit = "%"
        elif self.kind is OutputKind.PROBABILITY:
            unit = "% of runs"
        return f"{self.label} ({unit})" if unit else self.label


K = OutputKind
_DRAFT_NAN = "draft never came up"
_NO_VOTE = "no vote held"

# fmt: off
SCALAR_INFO: tuple[OutputInfo, ...] = (
    OutputInfo("mandate_active_at_end", K.PROBABILITY, "", "Mandate in force at the end",
               "1 if a mandate was in force at the end of the horizon"),
    OutputInfo("peak_deployed", K.COUNT, "personnel", "Peak strength",
               "Most personnel deployed at any time"),
    OutputInfo("deployed_at_end", K.COUNT, "personnel", "Strength at the end",
               "Personnel deployed at the end of the horizon"),
    OutputInfo("months_to_half_ceiling", K.MONTHS, "months", "Months to half the ceiling",
               "Months until the force first reached half the ceiling in force",
               "never reached"),
    OutputInfo("months_to_target", K.MONTHS, "months", "Months to the target strength",
               "Months until the force first reached the scenario's target strength",
               "never reached"),
    OutputInfo("target_reached", K.PROBABILITY, "", "Target strength reached",
               "1 if the force reached the target strength within the horizon"),
    OutputInfo("drafts_adopted", K.COUNT, "drafts", "Drafts adopted",
               "Drafts the Council adopted"),
    OutputInfo("drafts_vetoed", K.COUNT, "drafts", "Drafts vetoed",
               "Drafts that failed on a permanent member's veto"),
    OutputInfo("drafts_withdrawn", K.COUNT, "drafts", "Drafts withdrawn",
               "Drafts the penholder withdrew before a vote"),
    OutputInfo("vetoes_cast", K.COUNT, "vetoes", "Vetoes cast",
               "No votes cast by permanent members on drafts that had nine yes votes"),
    OutputInfo("mandate_lapsed", K.PROBABILITY, "", "Mandate lapsed",
               "1 if a mandate expired without renewal at least once"),
    OutputInfo("days_without_mandate", K.DAYS, "days", "Days without a mandate",
               "Days of the horizon after a first mandate with none in force"),
    OutputInfo("total_received_usd", K.MONEY, "US$", "Money received",
               "Money received over the horizon, all accounts"),
    OutputInfo("total_spent_usd", K.MONEY, "US$", "Money spent",
               "Money spent over the horizon, all accounts"),
    OutputInfo("shortfall_months", K.MONTHS, "months", "Months with unpaid bills",
               "Months at whose end obligations were unpaid"),
    OutputInfo("first_shortfall_month", K.MONTHS, "month of the horizon",
               "First month with unpaid bills",
               "Month (1 = the first) at whose end obligations first went unpaid",
               "no shortfall"),
    OutputInfo("share_of_costs_covered", K.SHARE, "", "Share of costs paid",
               "Share of the costs incurred over the horizon that were paid", "no costs"),
    OutputInfo("lead_nation_changes", K.COUNT, "handovers", "Lead nation handovers",
               "Times the lead nation handed over to another contributor"),
    OutputInfo("contingents_withdrawn", K.COUNT, "contingents", "Contingents withdrawn",
               "Contingents that left for good"),
    OutputInfo("rotation_gap_days", K.DAYS, "days", "Days waiting for relief",
               "Days rotations left a contingent waiting for its relief, summed"),
    OutputInfo("received_usd.{donor}", K.MONEY, "US$", "Money from {donor}",
               "{donor}: money paid over the horizon, net of money returned"),
    OutputInfo("{draft}.adopted", K.PROBABILITY, "", "Draft {draft} adopted",
               "1 if draft {draft} was adopted", _DRAFT_NAN),
    OutputInfo("{draft}.vetoed", K.PROBABILITY, "", "Draft {draft} vetoed",
               "1 if draft {draft} failed on a veto in any vote", _DRAFT_NAN),
    OutputInfo("{draft}.failed", K.PROBABILITY, "", "Draft {draft} failed",
               "1 if draft {draft} failed for want of nine yes votes", _DRAFT_NAN),
    OutputInfo("{draft}.withdrawn", K.PROBABILITY, "", "Draft {draft} withdrawn",
               "1 if draft {draft} was withdrawn before a vote", _DRAFT_NAN),
    OutputInfo("{draft}.softened", K.COUNT, "steps", "Draft {draft} softened",
               "Softening steps draft {draft} went through", _DRAFT_NAN),
    OutputInfo("{draft}.vote_held", K.PROBABILITY, "", "Vote held on {draft}",
               "1 if draft {draft} was put to a vote", _DRAFT_NAN),
    OutputInfo("{draft}.yes", K.COUNT, "votes", "Yes votes on {draft}",
               "Yes votes in the last vote on draft {draft}", _NO_VOTE),
    OutputInfo("{draft}.no", K.COUNT, "votes", "No votes on {draft}",
               "No votes in the last vote on draft {draft}", _NO_VOTE),
    OutputInfo("{draft}.abstain", K.COUNT, "votes", "Abstentions on {draft}",
               "Abstentions in the last vote on draft {draft}", _NO_VOTE),
    OutputInfo("{draft}.vote.{member}", K.BALLOT, "", "{member}'s ballot on {draft}",
               "{member}: ballot in the last vote on draft {draft} (+1 yes, 0 abstain, -1 no)",
               "no vote, or not a member then"),
    OutputInfo("{draft}.vetoed_by.{member}", K.PROBABILITY, "", "{member} vetoed {draft}",
               "1 if {member} vetoed draft {draft} in any of its votes", _DRAFT_NAN),
    OutputInfo("gang_control_at_end", K.SHARE, "", "Gang control at the end",
               "Share of Port-au-Prince under gang control at the end of the horizon"),
    OutputInfo("killings_total", K.COUNT, "people", "People killed",
               "People killed in gang-related violence over the horizon"),
    OutputInfo("displaced_at_end", K.COUNT, "people", "People displaced at the end",
               "People internally displaced at the end of the horizon"),
    OutputInfo("casualties_total", K.COUNT, "personnel", "Mission casualties",
               "Mission personnel killed or wounded over the horizon"),
)
# fmt: on
"""Metadata of every scalar outcome (see :data:`mss_sim.model.outputs.STANDARD_SCALARS`)."""

# fmt: off
SERIES_INFO: tuple[OutputInfo, ...] = (
    OutputInfo("deployed", K.COUNT, "personnel", "Deployed strength",
               "Mission personnel deployed at the month's end"),
    OutputInfo("ceiling", K.COUNT, "personnel", "Authorised ceiling",
               "Personnel ceiling of the mandate in force at the month's end"),
    OutputInfo("mandate_active", K.PROBABILITY, "", "Mandate in force",
               "1 if a mandate was in force at the month's end"),
    OutputInfo("cash_balance", K.MONEY, "US$", "Cash held, all accounts",
               "Money held at the month's end, summed over the accounts"),
    OutputInfo("received_cum", K.MONEY, "US$", "Money received to date",
               "Money received since the start, all accounts"),
    OutputInfo("spent_cum", K.MONEY, "US$", "Money spent to date",
               "Money spent since the start, all accounts"),
    OutputInfo("unpaid_obligations", K.MONEY, "US$", "Unpaid obligations",
               "What the accounts owe at the month's end"),
    OutputInfo("arrears_assessed", K.MONEY, "US$", "Assessed arrears",
               "Assessed contributions issued and not (yet) paid"),
    OutputInfo("balance.{account}", K.MONEY, "US$", "Balance of the {account} account",
               "Money held by the {account} account at the month's end"),
    OutputInfo("received_cum.{account}", K.MONEY, "US$", "Received by {account} to date",
               "Money received by the {account} account since the start"),
    OutputInfo("spent_cum.{account}", K.MONEY, "US$", "Spent by {account} to date",
               "Money spent by the {account} account since the start"),
    OutputInfo("deployed.{country}", K.COUNT, "personnel", "Personnel from {country}",
               "{country}'s personnel deployed at the month's end"),
    OutputInfo("airlift_queue", K.COUNT, "personnel", "Waiting for airlift",
               "Personnel waiting for airlift seats at the month's end"),
    OutputInfo("gang_control", K.SHARE, "", "Gang control of Port-au-Prince",
               "Share of Port-au-Prince under gang control at the month's end"),
    OutputInfo("gang_strength", K.COUNT, "gang members", "Gangs' armed strength",
               "Armed gang members at the month's end"),
    OutputInfo("killings", K.COUNT, "people per month", "People killed",
               "People killed in gang-related violence in the month"),
    OutputInfo("displaced", K.COUNT, "people", "People displaced",
               "People internally displaced at the month's end"),
    OutputInfo("police_available", K.COUNT, "officers", "Police available",
               "Haitian National Police officers available at the month's end"),
    OutputInfo("effective_force", K.QUANTITY, "personnel equivalents", "Effective force",
               "Mission personnel weighted by contingent, powers and logistics, plus police"),
    OutputInfo("casualties", K.COUNT, "personnel per month", "Mission casualties",
               "Mission personnel killed or wounded in the month"),
)
# fmt: on
"""Metadata of every monthly series (see :func:`mss_sim.model.outputs.series_names`)."""

_FIELDS = {
    "draft": r"[a-z][a-z0-9_]*",
    "member": r"[A-Z]{3}",
    "country": r"[A-Z]{3}",
    "donor": r"[A-Za-z0-9_]+",
    "account": r"[A-Za-z0-9_.]+",
}


_Compiled = tuple[dict[str, OutputInfo], list[tuple[re.Pattern[str], OutputInfo]]]


def _compile(infos: tuple[OutputInfo, ...]) -> _Compiled:
    exact: dict[str, OutputInfo] = {}
    patterns = []
    for info in infos:
        if "{" not in info.pattern:
            exact[info.pattern] = info
            continue
        parts = re.split(r"\{(\w+)\}", info.pattern)
        regex = "".join(
            re.escape(p) if i % 2 == 0 else f"(?P<{p}>{_FIELDS[p]})" for i, p in enumerate(parts)
        )
        patterns.append((re.compile(f"^{regex}$"), info))
    return exact, patterns


_SCALARS = _compile(SCALAR_INFO)
_SERIES = _compile(SERIES_INFO)


def _find(name: str, series: bool) -> OutputInfo | None:
    exact, patterns = _SERIES if series else _SCALARS
    if name in exact:
        return exact[name]
    for regex, info in patterns:
        match = regex.match(name)
        if match:
            fields = match.groupdict()
            if "account" in fields:
                fields["account"] = account_name(fields["account"])
            return replace(
                info,
                pattern=name,
                label=info.label.format(**fields),
                description=info.description.format(**fields),
            )
    return None


def account_name(account: str) -> str:
    """An account in words: ``trust_fund`` is the trust fund, ``in_kind.USA`` USA in-kind.

    Examples
    --------
    >>> account_name("trust_fund"), account_name("in_kind.USA"), account_name("assessed")
    ('trust fund', 'USA in-kind', 'assessed')
    """
    if account.startswith("in_kind."):
        return f"{account.removeprefix('in_kind.')} in-kind"
    return account.replace("_", " ")


def is_described(name: str, *, series: bool = False) -> bool:
    """Whether the registry knows the output `name`.

    Examples
    --------
    >>> is_described("peak_deployed"), is_described("peak_deployed", series=True)
    (True, False)
    """
    return _find(name, series) is not None


def describe(name: str, *, series: bool = False) -> OutputInfo:
    """Return the metadata of the scalar outcome (or, with ``series=True``, series) `name`.

    Fields of a pattern are filled in: ``describe("gsf.adopted").label`` is
    ``"Draft gsf adopted"``; `pattern` is then the name itself.

    Raises
    ------
    KeyError
        If the registry has no entry for `name`.

    Examples
    --------
    >>> describe("months_to_target").undefined
    'never reached'
    >>> describe("deployed.KEN", series=True).label
    'Personnel from KEN'
    """
    info = _find(name, series)
    if info is None:
        kind = "series" if series else "scalar outcome"
        other = "a series" if is_described(name, series=not series) else ""
        hint = f" ({name!r} is {other})" if other else ""
        raise KeyError(f"no {kind} named {name!r} in the output registry{hint}")
    return info
