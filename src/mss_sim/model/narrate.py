"""A replication told in words: each event as a dated sentence, money in US$ millions.

:func:`timeline` turns a replication's event log (and, optionally, its month-end
state) into :class:`Entry` records; :func:`narrate` gives one event's sentence.

Examples
--------
>>> import mss_sim
>>> from mss_sim.model.narrate import timeline
>>> rep = mss_sim.simulate(mss_sim.load_scenario("gsf_2025"), seed=1)
>>> votes = [e for e in timeline(rep) if e.category == "council"]
>>> print(votes[0].date, votes[0].text.split(":")[0])
2025-09-30 Vote on draft gsf (force authorisation)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mss_sim.catalog import account_name
from mss_sim.model.events import Event, EventKind, usd_millions
from mss_sim.model.outputs import Replication

__all__ = ["CATEGORIES", "Entry", "category", "narrate", "timeline"]

CATEGORIES: dict[str, tuple[EventKind, ...]] = {
    "council": (
        EventKind.SOFTENED, EventKind.WITHDRAWN, EventKind.RETABLED, EventKind.VOTE,
        EventKind.ADOPTED, EventKind.VETOED, EventKind.FAILED, EventKind.ROLLOVER,
        EventKind.NOT_TABLED,
    ),
    "mandate": (EventKind.MANDATE, EventKind.LAPSED),
    "money": (
        EventKind.OPENING, EventKind.RECEIVED, EventKind.PLEDGE, EventKind.RENEGED,
        EventKind.CUT, EventKind.FREEZE, EventKind.RESCINDED, EventKind.CAP,
        EventKind.CANCELLED, EventKind.HOLD, EventKind.HOLD_ENDED, EventKind.ASSESSED,
        EventKind.CONTRIBUTION, EventKind.PAID, EventKind.SHORTFALL, EventKind.DEPLOYMENT_COST,
    ),
    "force": (
        EventKind.READY, EventKind.DEPLOYED, EventKind.DEFERRED, EventKind.ATTRITION,
        EventKind.REPATRIATED, EventKind.HANDOVER,
    ),
    "security": (EventKind.OFFENSIVE,),
}  # fmt: skip
"""The kinds of event in each category of the timeline (``status`` comes in addition:
the state at each month's end)."""

_CATEGORY = {kind: name for name, kinds in CATEGORIES.items() for kind in kinds}


def category(event: Event) -> str:
    """The timeline category of `event`: council, mandate, money, force or security."""
    return _CATEGORY[event.kind]


def _names(codes: Any) -> str:
    codes = list(codes or ())
    return ", ".join(map(str, codes)) if codes else "nobody"


def _kind(text: Any) -> str:
    return str(text).replace("_", " ")


def _account(name: Any) -> str:
    return account_name(str(name))


def _does(actor: str, verb: str) -> str:
    """`actor` and `verb` agreeing: a donor named ``others`` stands for several."""
    if actor == "others":
        return f"Other donors {verb.removesuffix('s')}"
    return f"{actor} {verb}"


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _vote(e: Event, d: Mapping[str, Any]) -> str:
    ballots: Mapping[str, int] = d.get("ballots", {})
    against = [m for m, b in ballots.items() if b == -1]
    abstaining = [m for m, b in ballots.items() if b == 0]
    text = (
        f"Vote on draft {e.actor} ({_kind(d['kind'])}): {d['yes']} yes, {d['no']} no, "
        f"{_count(d['abstain'], 'abstention')}"
    )
    if against:
        text += f"; against: {', '.join(sorted(against))}"
    if abstaining:
        text += f"; abstaining: {', '.join(sorted(abstaining))}"
    return text


def _split(d: Mapping[str, Any], skip: tuple[str, ...]) -> str:
    parts = [f"{k.replace('_', ' ')} {usd_millions(v)}" for k, v in d.items() if k not in skip]
    return f" ({', '.join(parts)})" if parts else ""


def _deployed(e: Event, d: Mapping[str, Any]) -> str:
    why = " to relieve a group" if d.get("reason") else ""
    return f"{d['count']:,} personnel from {e.actor} arrive{why}; {d['total']:,} deployed"


def _rollover(e: Event, d: Mapping[str, Any]) -> str:
    verdict = "adopted" if d["adopted"] else "rejected"
    veto = f", vetoed by {_names(d['vetoed_by'])}" if d.get("vetoed_by") else ""
    return (
        f"Technical roll-over of the mandate ({e.actor}) {verdict}: {d['yes']} yes, "
        f"{d['no']} no, {_count(d['abstain'], 'abstention')}{veto}"
    )


_POWERS = {
    "arrest_detain": "to arrest and detain",
    "independent_operations": "to act independently",
}


def _mandate(e: Event, d: Mapping[str, Any]) -> str:
    powers = [_POWERS.get(str(p), _kind(p)) for p in d.get("powers") or ()]
    granted = f"; powers {' and '.join(powers)}" if powers else "; no further powers"
    return (
        f"Mandate in force ({e.actor}): ceiling {d['ceiling']:,} personnel until "
        f"{d['expiry']}, {_kind(d['funding_model'])} funding{granted}"
    )


def _assessed(e: Event, d: Mapping[str, Any]) -> str:
    credit = f", after crediting {usd_millions(d['credited'])} unspent" if d.get("credited") else ""
    return f"Assessed budget of {usd_millions(d['cents'])} for {d['months']} months{credit}"


_SENTENCES: dict[EventKind, Callable[[Event, Mapping[str, Any]], str]] = {
    EventKind.SOFTENED: lambda e, d: (
        f"Draft {e.actor} softened (step {d['step']}, now {_kind(d['kind'])}) "
        f"after veto threats from {_names(d['by'])}"
    ),
    EventKind.WITHDRAWN: lambda e, d: (
        f"Draft {e.actor} withdrawn before the vote: {d['reason']}"
        + (f" ({_names(d['by'])})" if d.get("by") else "")
    ),
    EventKind.RETABLED: lambda e, d: (
        f"Draft {e.actor} tabled again for a vote on {d['date']} (attempt {d['attempt']})"
    ),
    EventKind.VOTE: _vote,
    EventKind.ADOPTED: lambda e, d: f"Draft {e.actor} adopted ({_kind(d['kind'])})",
    EventKind.VETOED: lambda e, d: f"Draft {e.actor} vetoed by {_names(d['by'])}",
    EventKind.FAILED: lambda e, d: (
        f"Draft {e.actor} failed with {d['yes']} yes votes (nine needed)"
    ),
    EventKind.ROLLOVER: _rollover,
    EventKind.NOT_TABLED: lambda e, d: f"Draft {e.actor} not tabled: {d['reason']}",
    EventKind.MANDATE: _mandate,
    EventKind.LAPSED: lambda e, d: f"Mandate lapsed ({d['reason']}); the force withdraws",
    EventKind.OPENING: lambda e, d: (
        f"The {_account(e.actor)} account opens with {usd_millions(d['balance_cents'])} held "
        f"({usd_millions(d['received_cents'])} received, "
        f"{usd_millions(d['spent_cents'])} spent before the start)"
    ),
    EventKind.RECEIVED: lambda e, d: (
        f"{_does(e.actor, 'pays')} {usd_millions(d['cents'])} into the {_account(d['account'])} "
        "account"
    ),
    EventKind.PLEDGE: lambda e, d: (
        f"{_does(e.actor, 'pledges')} {usd_millions(d['cents'])} in {d['tranches']} tranches"
    ),
    EventKind.RENEGED: lambda e, d: (
        f"{_does(e.actor, 'reneges')} on the {usd_millions(d['cents'])} still owed"
    ),
    EventKind.CUT: lambda e, d: (
        f"{_does(e.actor, 'cuts')} {d['fraction']:.0%} of what is not yet paid "
        f"({usd_millions(d['cents'])})"
    ),
    EventKind.FREEZE: lambda e, d: (
        f"{_does(e.actor, 'freezes')} payments until {d['until']}; "
        + ("they are released then" if d["released"] else "they will not be released")
    ),
    EventKind.RESCINDED: lambda e, d: (
        f"{_does(e.actor, 'takes')} back {usd_millions(d['cents'])} from the "
        f"{_account(d['account'])} "
        f"account ({usd_millions(d['asked_cents'])} asked)"
    ),
    EventKind.CAP: lambda e, d: f"{e.actor} caps its share of each assessment at {d['share']:.0%}",
    EventKind.CANCELLED: lambda e, d: (
        f"{e.actor}'s remaining {usd_millions(d['cents'])} cancelled: {d['reason']}"
    ),
    EventKind.HOLD: lambda e, d: (
        f"{usd_millions(d['cents'])} of the trust fund on hold until {d['until']}"
    ),
    EventKind.HOLD_ENDED: lambda e, d: (
        f"Hold on {usd_millions(d['cents'])} ends: "
        + ("released for spending" if d["released"] else "returned to its donor")
    ),
    EventKind.ASSESSED: _assessed,
    EventKind.CONTRIBUTION: lambda e, d: (
        f"{_does(e.actor, 'pays')} {usd_millions(d['cents'])} of assessed contributions"
    ),
    EventKind.PAID: lambda e, d: (
        f"The {_account(e.actor)} account pays {usd_millions(d['cents'])} of bills"
        + _split(d, ("cents",))
    ),
    EventKind.SHORTFALL: lambda e, d: (
        f"{usd_millions(d['unpaid_cents'])} of bills unpaid at the month's end"
        + _split(d, ("unpaid_cents",))
    ),
    EventKind.DEPLOYMENT_COST: lambda e, d: (
        f"{e.actor}'s deployment costs {usd_millions(d['cents'])}"
    ),
    EventKind.READY: lambda e, d: f"{e.actor}'s contingent of {d['pledged']:,} is ready",
    EventKind.DEPLOYED: _deployed,
    EventKind.DEFERRED: lambda e, d: (
        f"{e.actor}'s next {d['count']:,} personnel wait: "
        + ("no money to pay for them" if d["reason"] == "funds" else str(d["reason"]))
    ),
    EventKind.ATTRITION: lambda e, d: (
        f"{e.actor} loses {d['count']:,} personnel to attrition; {d['total']:,} deployed"
    ),
    EventKind.REPATRIATED: lambda e, d: (
        f"{d['count']:,} personnel from {e.actor} "
        + (
            "go home at the end of their tour"
            if d["reason"] == "rotation"
            else f"leave ({_kind(d['reason'])})"
        )
        + f"; {d['total']:,} deployed"
    ),
    EventKind.HANDOVER: lambda e, d: (
        f"{e.actor} takes over the lead from {d['previous'] or 'nobody'}; "
        f"deployments pause for {d['gap_days']:.0f} days"
    ),
    EventKind.OFFENSIVE: lambda e, d: (
        f"A gang offensive this month: {d['killings']:,} people killed in the month; gangs "
        f"control {d['gang_control']:.0%} of Port-au-Prince"
    ),
}


def narrate(event: Event) -> str:
    """One event as a sentence in words (money in US$ millions).

    Examples
    --------
    >>> import datetime as dt
    >>> from mss_sim.model.events import Event, EventKind
    >>> narrate(Event(30.5, dt.date(2025, 10, 1), EventKind.PLEDGE, "CAN",
    ...               {"cents": 6_000_000_000, "tranches": 4}))
    'CAN pledges US$ 60.0 million in 4 tranches'
    """
    return _SENTENCES[event.kind](event, event.details)


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a timeline: a date, a category and a sentence.

    `day` (days since the start) orders the lines; `kind` is the event's kind
    (empty for a month's status).
    """

    date: dt.date
    category: str
    text: str
    kind: str = ""
    day: float = 0.0

    def __str__(self) -> str:
        return f"{self.date}  {self.category:<8}  {self.text}"


def _status(rep: Replication) -> list[Entry]:
    """The state sampled at each month's end, dated the next month's first day (the
    sample is taken at midnight, after that night's bills, attrition and withdrawals)."""
    s = rep.series
    first = rep.events[0]
    origin = first.date - dt.timedelta(days=math.floor(first.day))
    out = []
    for j, month in enumerate(rep.months):
        boundary = (month + 1).astype("datetime64[D]").astype(dt.date)
        name = month.astype(dt.date).strftime("%B %Y")
        parts = [f"{int(s['deployed'][j]):,} deployed (ceiling {int(s['ceiling'][j]):,})"]
        if not s["mandate_active"][j]:
            parts[0] += ", no mandate in force"
        parts.append(f"cash {usd_millions(s['cash_balance'][j] * 100)}")
        if s["unpaid_obligations"][j] > 0:
            parts.append(f"unpaid bills {usd_millions(s['unpaid_obligations'][j] * 100)}")
        if "gang_control" in s and not math.isnan(s["gang_control"][j]):
            parts.append(f"gangs control {s['gang_control'][j]:.0%}")
            parts.append(f"{int(s['killings'][j]):,} killed in the month")
        day = float((boundary - origin).days)
        out.append(Entry(boundary, "status", f"End of {name}: " + "; ".join(parts), "", day))
    return out


def timeline(
    rep: Replication, *, categories: tuple[str, ...] | None = None, status: bool = True
) -> list[Entry]:
    """The replication's events as dated sentences, in order.

    Parameters
    ----------
    rep : Replication
        A replication with its event log (``simulate(..., record_events=True)``).
    categories : tuple of str, optional
        Keep only these categories (see :data:`CATEGORIES`, plus ``"status"``).
    status : bool
        Add the state at each month's end (strength, cash, unpaid bills, security).

    Raises
    ------
    ValueError
        If a category is unknown, or `rep` has no event log.
    """
    known = (*CATEGORIES, "status")
    wanted = known if categories is None else tuple(categories)
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise ValueError(f"no timeline category {unknown[0]!r}; the categories are {known}")
    if not rep.events:
        raise ValueError("the replication has no event log; run it with record_events=True")
    states = _status(rep) if status and "status" in wanted else []
    marks = list(rep.month_marks)
    if states and len(marks) != len(states):  # a replication made without the marks
        marks = [sum(e.day <= s.day for e in rep.events) for s in states]
    entries: list[Entry] = []
    k = 0
    for i, e in enumerate(rep.events):
        while k < len(states) and marks[k] <= i:  # the state sampled before this event
            entries.append(states[k])
            k += 1
        if category(e) in wanted:
            entries.append(Entry(e.date, category(e), narrate(e), e.kind.value, e.day))
    return entries + states[k:]
