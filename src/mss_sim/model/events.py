"""Typed records of what happened in a replication."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["MONEY_KINDS", "Event", "EventKind", "event_kind", "money_details", "usd_millions"]


class EventKind(StrEnum):
    """What an :class:`Event` records. Members equal their names in lower case.

    Council: ``softened``, ``withdrawn`` (a draft), ``retabled``, ``vote``,
    ``adopted``, ``vetoed``, ``failed``, ``rollover``, ``not_tabled``; the mandate:
    ``mandate``, ``lapsed``; money: ``opening``, ``received``, ``pledge``,
    ``reneged``, ``cut``, ``freeze``, ``rescinded``, ``cap``, ``cancelled``,
    ``assessed``, ``contribution``, ``paid``, ``shortfall``, ``deployment_cost``;
    personnel: ``ready``, ``deployed``, ``deferred``, ``attrition``,
    ``repatriated`` (personnel leaving).
    """

    SOFTENED = "softened"
    WITHDRAWN = "withdrawn"
    RETABLED = "retabled"
    VOTE = "vote"
    ADOPTED = "adopted"
    VETOED = "vetoed"
    FAILED = "failed"
    ROLLOVER = "rollover"
    NOT_TABLED = "not_tabled"
    MANDATE = "mandate"
    LAPSED = "lapsed"
    OPENING = "opening"
    RECEIVED = "received"
    PLEDGE = "pledge"
    RENEGED = "reneged"
    CUT = "cut"
    FREEZE = "freeze"
    RESCINDED = "rescinded"
    CAP = "cap"
    CANCELLED = "cancelled"
    HOLD = "hold"
    HOLD_ENDED = "hold_ended"
    ASSESSED = "assessed"
    CONTRIBUTION = "contribution"
    PAID = "paid"
    SHORTFALL = "shortfall"
    DEPLOYMENT_COST = "deployment_cost"
    READY = "ready"
    DEPLOYED = "deployed"
    DEFERRED = "deferred"
    ATTRITION = "attrition"
    REPATRIATED = "repatriated"
    OFFENSIVE = "offensive"
    HANDOVER = "handover"


def event_kind(kind: str) -> EventKind:
    """Return `kind` as an :class:`EventKind`; raise ValueError naming the known kinds.

    Examples
    --------
    >>> event_kind("adopted") is EventKind.ADOPTED
    True
    """
    try:
        return EventKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in EventKind)
        raise ValueError(f"no event kind {kind!r}; the kinds are: {known}") from None


MONEY_KINDS = frozenset(
    {
        EventKind.OPENING, EventKind.RECEIVED, EventKind.PLEDGE, EventKind.RENEGED,
        EventKind.CUT, EventKind.RESCINDED, EventKind.CANCELLED, EventKind.HOLD,
        EventKind.HOLD_ENDED, EventKind.ASSESSED, EventKind.CONTRIBUTION, EventKind.PAID,
        EventKind.SHORTFALL, EventKind.DEPLOYMENT_COST,
    }
)  # fmt: skip
"""Kinds of event whose integer details are amounts in cents (but `months`, `tranches`)."""

_NOT_MONEY = frozenset({"months", "tranches", "attempt"})


def usd_millions(cents: float) -> str:
    """An amount in cents as text in US$ millions.

    Examples
    --------
    >>> usd_millions(2_855_592_882), usd_millions(4_000_000), usd_millions(-150_000_000_000)
    ('US$ 28.6 million', 'US$ 0.04 million', 'US$ -1,500.0 million')
    >>> usd_millions(0)
    'US$ 0'
    """
    millions = float(cents) / 1e8
    if millions == 0:
        return "US$ 0"
    if abs(millions) < 0.01:  # under US$ 10,000: in dollars
        return f"US$ {float(cents) / 100:,.2f}"
    return f"US$ {millions:,.1f} million" if abs(millions) >= 1 else f"US$ {millions:.2g} million"


def money_details(kind: EventKind, details: Mapping[str, Any]) -> dict[str, Any]:
    """`details` with amounts in cents as text in US$ millions, ``_cents`` dropped from keys.

    Examples
    --------
    >>> money_details(EventKind.PLEDGE, {"cents": 6_000_000_000, "tranches": 4})
    {'amount': 'US$ 60.0 million', 'tranches': 4}
    """
    if kind not in MONEY_KINDS:
        return dict(details)
    out: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, int) and not isinstance(value, bool) and key not in _NOT_MONEY:
            name = "amount" if key == "cents" else key.removesuffix("_cents")
            out[name] = usd_millions(value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened in a replication.

    Attributes
    ----------
    day : float
        Days since the scenario's start (calendar events happen at noon, ``.5``).
    date : datetime.date
        The calendar date of `day`.
    kind : EventKind
        What happened (a string enumeration: ``event.kind == "adopted"`` works).
    actor : str
        Who did it: a member, donor or contributor code, a draft id, or ``mission``.
    details : mapping
        Kind-specific facts (amounts in integer cents, counts, ballots); ``str()``
        shows amounts in US$ millions.
    """

    day: float
    date: dt.date
    kind: EventKind
    actor: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        shown = money_details(self.kind, self.details)
        extra = ", ".join(f"{k}={v}" for k, v in shown.items())
        return f"{self.date} {self.kind:<10} {self.actor}" + (f" ({extra})" if extra else "")
