"""The record the security model is calibrated on, and the values derived from it.

Everything the ``[security]`` tables of the bundled scenarios take from the record
is derived here, in one place, so that the calibration can be redone when the
record grows: :data:`SECURITY_RECORD` lists the observations with their sources,
:data:`FIT_CUTOFF` splits them into those used to derive values (on or before
it) and those kept for checking the model (after it), and
:func:`derive_security` turns the former into the values and ranges the
scenarios carry. ``docs/security.md`` explains each step.

Examples
--------
>>> derived = derive_security()
>>> round(derived["displaced_per_killing"].value)
130
>>> all(o.date <= FIT_CUTOFF for o in derived["gang_growth"].observations)
True
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

__all__ = [
    "FIT_CUTOFF",
    "SECURITY_RECORD",
    "Derived",
    "Observation",
    "derive_security",
    "kept_for_checking",
]


@dataclass(frozen=True, slots=True)
class Observation:
    """One recorded value.

    Attributes
    ----------
    quantity : str
        What was measured (``killings``, ``displaced``, ``gang_control``, ...).
    date : datetime.date
        The end of the period it covers (or the day it was reported for).
    value : float
        The value.
    period_months : int
        For a flow (killings, attrition), the months it covers; 0 for a stock.
    source : str
        Who reported it, and the tag of ``docs/sources.md`` ([C] one source, [C2]
        two or more).
    """

    quantity: str
    date: dt.date
    value: float
    period_months: int
    source: str


SECURITY_RECORD: tuple[Observation, ...] = (
    Observation("killings", dt.date(2023, 12, 31), 4789, 12, "OHCHR [C2]"),
    Observation("killings", dt.date(2024, 12, 31), 5601, 12, "OHCHR [C2]"),
    Observation("killings", dt.date(2025, 3, 31), 1600, 3, "OHCHR, 'over 1,600' [C]"),
    Observation("killings", dt.date(2025, 6, 30), 1520, 3, "OHCHR [C]"),
    Observation("displaced", dt.date(2023, 12, 31), 315_000, 0, "record [C2]"),
    Observation("displaced", dt.date(2024, 12, 31), 1_041_000, 0, "record [C2]"),
    Observation("displaced", dt.date(2025, 6, 30), 1_300_000, 0, "record, 'about 1.3M' [C2]"),
    Observation("gang_control", dt.date(2024, 6, 30), 0.80, 0, "UN, 'about 80%' in 2024 [C2]"),
    Observation("gang_control", dt.date(2024, 12, 31), 0.85, 0, "UN, 85% late 2024 [C2]"),
    Observation("gang_control", dt.date(2025, 3, 31), 0.85, 0, "UN, 85% early 2025 [C2]"),
    Observation("police_available", dt.date(2022, 12, 31), 9700, 0, "police figures [C2]"),
    Observation("police_roster", dt.date(2022, 12, 31), 14_817, 0, "police figures [C2]"),
    Observation("police_attrition", dt.date(2023, 6, 30), 774, 6, "police figures, H1 2023 [C2]"),
)
"""The security record to 31 August 2025 (``docs/sources.md`` gives the references)."""

FIT_CUTOFF = dt.date(2024, 12, 31)
"""Observations up to this date are used to derive values; later ones check the model."""


@dataclass(frozen=True, slots=True)
class Derived:
    """A value derived from the record, and the range a scenario carries it over.

    Attributes
    ----------
    value : float
        The central value derived from the observations.
    low, high : float
        The range carried as an uncertain value (uniform unless the scenario says).
    method : str
        How it was derived.
    observations : tuple of Observation
        The observations it uses (all on or before :data:`FIT_CUTOFF`).
    """

    value: float
    low: float
    high: float
    method: str
    observations: tuple[Observation, ...]


def _get(quantity: str, date: dt.date) -> Observation:
    for obs in SECURITY_RECORD:
        if obs.quantity == quantity and obs.date == date:
            if obs.date > FIT_CUTOFF:
                raise ValueError(f"{quantity} on {date} is kept for checking, not for fitting")
            return obs
    raise KeyError(f"no {quantity} observation on {date}")  # pragma: no cover


def derive_security() -> dict[str, Derived]:
    """Derive the security model's values from the record up to :data:`FIT_CUTOFF`.

    Returns
    -------
    dict of str to Derived
        By ``[security]`` key: ``gang_growth`` (monthly log-growth of violence
        2023 to 2024, carried as the gangs' growth at the force of the time),
        ``displaced_per_killing`` (new displacement in 2024 per person killed),
        ``police_attrition`` (monthly share of available officers lost, H1 2023),
        ``killings_per_month_2024`` (the 2024 monthly mean) and
        ``displaced_sep_2024`` (linear between the end-2023 and end-2024 counts).

    Examples
    --------
    >>> d = derive_security()
    >>> round(d["gang_growth"].value, 4)
    0.0131
    """
    k23 = _get("killings", dt.date(2023, 12, 31))
    k24 = _get("killings", dt.date(2024, 12, 31))
    d23 = _get("displaced", dt.date(2023, 12, 31))
    d24 = _get("displaced", dt.date(2024, 12, 31))
    available = _get("police_available", dt.date(2022, 12, 31))
    lost = _get("police_attrition", dt.date(2023, 6, 30))
    growth = math.log(k24.value / k23.value) / 12
    per_killing = (d24.value - d23.value) / k24.value
    attrition = lost.value / lost.period_months / available.value
    monthly_2024 = k24.value / k24.period_months
    displaced_sep = d23.value + (d24.value - d23.value) * 9 / 12
    return {
        "gang_growth": Derived(
            growth,
            growth / 2,
            growth * 1.5,
            "log(killings 2024 / killings 2023) / 12: violence grows with the gangs' "
            "strength while the force stays as it was; range one half to one and a half",
            (k23, k24),
        ),
        "displaced_per_killing": Derived(
            per_killing,
            per_killing * 0.7,
            per_killing * 1.15,
            "(displaced end 2024 - displaced end 2023) / killings 2024; range -30% to +15%",
            (d23, d24, k24),
        ),
        "police_attrition": Derived(
            attrition,
            attrition * 0.6,
            attrition * 1.2,
            "officers lost in H1 2023 / 6 / officers available end 2022; "
            "range -40% (the higher rate was exceptional) to +20%",
            (available, lost),
        ),
        "killings_per_month_2024": Derived(
            monthly_2024,
            monthly_2024,
            monthly_2024,
            "killings 2024 / 12",
            (k24,),
        ),
        "displaced_sep_2024": Derived(
            displaced_sep,
            displaced_sep,
            displaced_sep,
            "end 2023 + 9/12 of the 2024 increase",
            (d23, d24),
        ),
    }


def kept_for_checking() -> tuple[Observation, ...]:
    """Return the observations after :data:`FIT_CUTOFF`, kept for checking the model.

    Examples
    --------
    >>> [o.quantity for o in kept_for_checking()][:2]
    ['killings', 'killings']
    """
    return tuple(o for o in SECURITY_RECORD if o.date > FIT_CUTOFF)
