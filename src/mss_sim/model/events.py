"""Typed records of what happened in a replication."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Event", "EventKind", "event_kind"]


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
        Kind-specific facts (amounts in integer cents, counts, ballots).
    """

    day: float
    date: dt.date
    kind: EventKind
    actor: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        extra = ", ".join(f"{k}={v}" for k, v in self.details.items())
        return f"{self.date} {self.kind:<10} {self.actor}" + (f" ({extra})" if extra else "")
