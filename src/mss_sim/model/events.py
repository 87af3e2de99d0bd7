"""Typed records of what happened in a replication."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Event"]


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened in a replication.

    Attributes
    ----------
    day : float
        Days since the scenario's start (calendar events happen at noon, ``.5``).
    date : datetime.date
        The calendar date of `day`.
    kind : str
        What happened: ``softened``, ``withdrawn`` (a draft), ``retabled``, ``vote``,
        ``adopted``, ``vetoed``, ``failed``, ``rollover``, ``not_tabled``, ``mandate``,
        ``lapsed``, ``received``, ``pledge``, ``cut``, ``freeze``, ``cancelled``,
        ``shortfall``, ``ready``, ``deployed``, ``deferred``, ``attrition``,
        ``repatriated`` (personnel leaving).
    actor : str
        Who did it: a member, donor or contributor code, a draft id, or ``mission``.
    details : mapping
        Kind-specific facts (amounts in integer cents, counts, ballots).
    """

    day: float
    date: dt.date
    kind: str
    actor: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        extra = ", ".join(f"{k}={v}" for k, v in self.details.items())
        return f"{self.date} {self.kind:<10} {self.actor}" + (f" ({extra})" if extra else "")
