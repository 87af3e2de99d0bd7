"""The values the security model takes from the record, and which period they come from.

The record is kept once, as the package's milestones (``mss_sim/data/record.toml``,
read by :func:`mss_sim.analysis.backtest.load_record`); :func:`security_record`
turns its security entries into observations. :data:`FIT_CUTOFF` (30 September
2024, the end of the MSS's first year, the backtest's cut-off) splits them into
those a calibration may use and those kept for checking the model, and
:func:`derive_security` derives the values the scenarios carry from the
observations up to a cut-off:

* with :data:`FIT_CUTOFF`, what the backtest scenario ``mss_2023`` may know: the
  2023 killings, the displaced at the end of 2023, police attrition;
* with :data:`RECORD_END`, what the forward scenarios (``mss_2024``, ``gsf_2025``)
  use once the backtest has checked the method: also the growth of violence from
  2023 to 2024 and the displacement per killing of 2024.

``docs/security.md`` explains each step.

Examples
--------
>>> derived = derive_security()
>>> sorted(derived)
['displaced_dec_2023', 'killings_per_month_2023', 'police_attrition']
>>> round(derive_security(RECORD_END)["displaced_per_killing"].value)
130
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass

from mss_sim.analysis.backtest import CUTOFF, Milestone, as_date, load_record

__all__ = [
    "FIT_CUTOFF",
    "RECORD_END",
    "SECURITY_QUANTITIES",
    "Derived",
    "Observation",
    "derive_security",
    "kept_for_checking",
    "security_record",
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
        The value (a bound's value for "over ...", a range's middle).
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


SECURITY_QUANTITIES = (
    "killings",
    "displaced",
    "gang_control",
    "police_available",
    "police_roster",
    "police_attrition",
)
"""The quantities of the record that describe the security situation."""

FIT_CUTOFF = CUTOFF
"""Observations up to this date may be used to derive values; later ones check the model."""

RECORD_END = dt.date(2025, 8, 31)
"""The end of the record the package ships."""


def _months(first: str, last: str) -> int:
    (y0, m0), (y1, m1) = (map(int, first.split("-")), map(int, last.split("-")))
    return (y1 - y0) * 12 + m1 - m0 + 1


def _observation(m: Milestone) -> Observation:
    if m.value is not None:
        value = m.value
    elif m.at_least is not None:
        value = m.at_least
    elif m.at_most is not None:
        value = m.at_most
    else:
        assert m.low is not None
        assert m.high is not None
        value = (m.low + m.high) / 2
    period = 0 if m.months is None else _months(*m.months)
    return Observation(m.quantity, m.date, float(value), period, m.source)


@functools.cache
def security_record() -> tuple[Observation, ...]:
    """Return the security observations of the package's record, in its order.

    Examples
    --------
    >>> [o.value for o in security_record() if o.quantity == "killings"][:2]
    [4789.0, 5601.0]
    """
    return tuple(_observation(m) for m in load_record() if m.quantity in SECURITY_QUANTITIES)


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
        The observations it uses (all on or before the cut-off it was derived at).
    """

    value: float
    low: float
    high: float
    method: str
    observations: tuple[Observation, ...]


def _get(quantity: str, date: dt.date, cutoff: dt.date) -> Observation | None:
    """The observation of `quantity` on `date`, or None if it is after `cutoff`."""
    for obs in security_record():
        if obs.quantity == quantity and obs.date == date:
            return obs if obs.date <= cutoff else None
    raise KeyError(f"no {quantity} observation on {date}")


def derive_security(cutoff: dt.date | str = FIT_CUTOFF) -> dict[str, Derived]:
    """Derive the security model's values from the record up to `cutoff`.

    Parameters
    ----------
    cutoff : datetime.date or str, default FIT_CUTOFF
        Only observations on or before it are used; a value that needs a later
        one is left out. An ISO string (``"2024-12-31"``) is read as a date.

    Returns
    -------
    dict of str to Derived
        ``killings_per_month_2023`` (the 2023 monthly mean), ``displaced_dec_2023``,
        ``police_attrition`` (monthly share of available officers lost, H1 2023)
        and, once the 2024 figures are in (`cutoff` from 31 December 2024):
        ``gang_growth`` (monthly log-growth of violence from 2023 to 2024, carried
        as the gangs' growth at the force of the time), ``displaced_per_killing``
        (new displacement in 2024 per person killed), ``killings_per_month_2024``
        and ``displaced_sep_2024`` (linear between the end-2023 and end-2024 counts).

    Examples
    --------
    >>> d = derive_security(RECORD_END)
    >>> round(d["gang_growth"].value, 4)
    0.0131
    >>> "gang_growth" in derive_security()
    False
    """
    cutoff = _date(cutoff)
    k23 = _get("killings", dt.date(2023, 12, 31), cutoff)
    k24 = _get("killings", dt.date(2024, 12, 31), cutoff)
    d23 = _get("displaced", dt.date(2023, 12, 31), cutoff)
    d24 = _get("displaced", dt.date(2024, 12, 31), cutoff)
    available = _get("police_available", dt.date(2022, 12, 31), cutoff)
    lost = _get("police_attrition", dt.date(2023, 6, 30), cutoff)
    derived: dict[str, Derived] = {}
    if k23 is not None:
        monthly = k23.value / k23.period_months
        derived["killings_per_month_2023"] = Derived(
            monthly, monthly, monthly, "killings 2023 / 12", (k23,)
        )
    if d23 is not None:
        derived["displaced_dec_2023"] = Derived(
            d23.value, d23.value, d23.value, "displaced at the end of 2023", (d23,)
        )
    if available is not None and lost is not None:
        attrition = lost.value / lost.period_months / available.value
        derived["police_attrition"] = Derived(
            attrition,
            attrition * 0.6,
            attrition * 1.2,
            "officers lost in H1 2023 / 6 / officers available end 2022; "
            "range -40% (the higher rate was exceptional) to +20%",
            (available, lost),
        )
    if k23 is not None and k24 is not None:
        growth = math.log(k24.value / k23.value) / 12
        derived["gang_growth"] = Derived(
            growth,
            growth / 2,
            growth * 1.5,
            "log(killings 2024 / killings 2023) / 12: violence grows with the gangs' "
            "strength while the force stays as it was; range one half to one and a half",
            (k23, k24),
        )
        monthly_2024 = k24.value / k24.period_months
        derived["killings_per_month_2024"] = Derived(
            monthly_2024, monthly_2024, monthly_2024, "killings 2024 / 12", (k24,)
        )
    if d23 is not None and d24 is not None and k24 is not None:
        per_killing = (d24.value - d23.value) / k24.value
        derived["displaced_per_killing"] = Derived(
            per_killing,
            per_killing * 0.7,
            per_killing * 1.15,
            "(displaced end 2024 - displaced end 2023) / killings 2024; range -30% to +15%",
            (d23, d24, k24),
        )
        sep = d23.value + (d24.value - d23.value) * 9 / 12
        derived["displaced_sep_2024"] = Derived(
            sep, sep, sep, "end 2023 + 9/12 of the 2024 increase", (d23, d24)
        )
    return derived


def kept_for_checking(cutoff: dt.date | str = FIT_CUTOFF) -> tuple[Observation, ...]:
    """Return the observations after `cutoff`, kept for checking the model.

    Examples
    --------
    >>> [o.quantity for o in kept_for_checking()][:2]
    ['gang_control', 'displaced']
    """
    day = _date(cutoff)
    return tuple(o for o in security_record() if o.date > day)


def _date(cutoff: dt.date | str) -> dt.date:
    day = as_date(cutoff)
    if day is None:
        raise TypeError("cutoff must be a date, not None")
    return day
