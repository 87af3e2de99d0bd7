"""Checking a batch against the record: milestones, intervals and scores.

The record ships with the package (``mss_sim/data/record.toml``): each
:class:`Milestone` names an output of a replication (a monthly series at a month's
end, a series summed over months, or a scalar) and what was recorded (a value, a
range, a bound, or a yes/no outcome). :func:`backtest` reads a
:class:`~mss_sim.BatchResult` at each milestone the scenario covers and scores it:

* a value or a range is *inside* when the model's 90% interval (5th to 95th
  percentile) contains the value, or overlaps the range; its *width* is the
  interval's width over the recorded value (the range's middle);
* a bound (``at_least``, ``at_most``) is *met* when the model's median meets it;
* a yes/no outcome gets the Brier score of the model's probability, and counts as
  inside when the probability is on the right side of one half.

Milestones dated after `cutoff` are the held-out ones: the record a scenario was not
calibrated on.

Examples
--------
>>> record = load_record()
>>> len(record) >= 10 and record[0].id
'police_dec_2022'
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

__all__ = ["CUTOFF", "Backtest", "Check", "Milestone", "as_date", "backtest", "load_record"]

CUTOFF = dt.date(2024, 9, 30)
"""The bundled scenarios' calibration cut-off: the end of the MSS's first year."""


@dataclass(frozen=True, slots=True)
class Milestone:
    """One recorded fact about an output (see the module's description)."""

    id: str
    quantity: str
    date: dt.date
    source: str
    month: str | None = None
    months: tuple[str, str] | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    at_least: float | None = None
    at_most: float | None = None
    outcome: int | None = None

    @property
    def recorded(self) -> str:
        """The record as text."""
        if self.outcome is not None:
            return "yes" if self.outcome else "no"
        if self.at_least is not None:
            return f">= {_fmt(self.at_least)}"
        if self.at_most is not None:
            return f"<= {_fmt(self.at_most)}"
        if self.low is not None and self.high is not None:
            return f"{_fmt(self.low)}-{_fmt(self.high)}"
        assert self.value is not None
        return _fmt(self.value)

    @property
    def where(self) -> str:
        """The output and month(s) read."""
        if self.months is not None:
            return f"{self.quantity}, {self.months[0]} to {self.months[1]}"
        return f"{self.quantity}, {self.month}" if self.month else self.quantity


_KEYS = ("value", "low", "high", "at_least", "at_most", "outcome")


def _milestone(entry: Mapping[str, Any], where: str) -> Milestone:
    unknown = set(entry) - {*Milestone.__dataclass_fields__}
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    given = [k for k in _KEYS if k in entry]
    if given not in (["value"], ["low", "high"], ["at_least"], ["at_most"], ["outcome"]):
        raise ValueError(f"{where}: give value, low and high, at_least, at_most or outcome")
    months = entry.get("months")
    return Milestone(
        id=entry["id"],
        quantity=entry["quantity"],
        date=entry["date"],
        source=entry["source"],
        month=entry.get("month"),
        months=None if months is None else (months[0], months[1]),
        **{k: entry[k] for k in given},
    )


def load_record(path: str | None = None) -> tuple[Milestone, ...]:
    """Return the milestones of the record (the package's, or those in the TOML at `path`).

    Raises
    ------
    ValueError
        If a milestone is malformed (the message names it).
    """
    if path is None:
        text = resources.files("mss_sim").joinpath("data/record.toml").read_text("utf-8")
    else:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    entries = tomllib.loads(text).get("milestone", [])
    return tuple(_milestone(e, f"milestone[{i}]") for i, e in enumerate(entries))


@dataclass(frozen=True, slots=True)
class Check:
    """A milestone checked against a batch."""

    milestone: Milestone
    median: float
    low: float
    high: float
    inside: bool
    width: float
    """The 90% interval's width over the recorded value (NaN for bounds and outcomes)."""
    brier: float
    """The Brier score of a yes/no outcome (NaN otherwise)."""
    held_out: bool


@dataclass(frozen=True)
class Backtest:
    """The checks of one batch, in the record's order."""

    scenario: str
    runs: int
    cutoff: dt.date | None
    checks: tuple[Check, ...]

    def held_out(self) -> tuple[Check, ...]:
        """The checks of milestones after the cut-off (all without one)."""
        return tuple(c for c in self.checks if c.held_out)

    @property
    def share_inside(self) -> float:
        """Share of the held-out milestones inside the model's 90% interval (or met)."""
        held = self.held_out()
        return sum(c.inside for c in held) / len(held) if held else math.nan

    def __str__(self) -> str:
        if not self.checks:
            return (
                f"{self.scenario}: no milestone of the record falls in the scenario's months "
                "or names one of its outputs (the record runs to 31 Aug 2025)"
            )
        lines = [
            f"{self.scenario}: {self.runs} replications, cut-off "
            f"{self.cutoff or 'none'} ({len(self.held_out())} of {len(self.checks)} "
            "milestones held out)",
            f"{'milestone':24s} {'record':>15s} {'median':>12s} {'5%-95%':>25s}  "
            f"{'in':3s} {'width':>6s}",
        ]
        for c in self.checks:
            m = c.milestone
            interval = f"{_fmt(c.low)}-{_fmt(c.high)}"
            score = (
                f"B={c.brier:.3f}"
                if not math.isnan(c.brier)
                else ("" if math.isnan(c.width) else f"{c.width:.2f}")
            )
            mark = ("yes" if c.inside else "NO") + ("" if c.held_out else "*")
            lines.append(
                f"{m.id:24s} {m.recorded:>15s} {_fmt(c.median):>12s} {interval:>25s}  "
                f"{mark:3s} {score:>6s}"
            )
        held = self.held_out()
        lines.append(
            f"held out: {sum(c.inside for c in held)} of {len(held)} inside the 90% "
            f"interval or met ({self.share_inside:.0%}); * fitted period"
        )
        return "\n".join(lines)


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.3g}M"
    if abs(x) >= 1000 or x == int(x):
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _values(result: Any, m: Milestone) -> np.ndarray | None:
    """The batch's values of milestone `m` per replication (None: not covered)."""
    if m.month is None and m.months is None:
        scalar = result.scalars.get(m.quantity)
        return None if scalar is None else np.asarray(scalar, dtype=float)
    series = result.series.get(m.quantity)
    if series is None:
        return None
    months = [str(x) for x in np.asarray(result.months).astype("datetime64[M]")]
    first, last = (m.month, m.month) if m.month is not None else m.months  # type: ignore[misc]
    if first not in months or last not in months:
        return None
    i, j = months.index(first), months.index(last)
    summed: np.ndarray = np.asarray(series, dtype=float)[:, i : j + 1].sum(axis=1)
    return summed


def as_date(value: dt.date | str | None, what: str = "cutoff") -> dt.date | None:
    """`value` as a date: a date, an ISO string such as ``"2024-09-30"``, or None.

    Raises
    ------
    TypeError, ValueError
        Naming `what`, for anything else.
    """
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{what} must be a date such as 2024-09-30, got {value!r}") from None
    raise TypeError(f"{what} must be a date or a string such as '2024-09-30', got {value!r}")


def backtest(
    result: Any,
    *,
    cutoff: dt.date | str | None = CUTOFF,
    record: Sequence[Milestone] | None = None,
) -> Backtest:
    """Check `result` against the record's milestones it covers.

    Parameters
    ----------
    result : BatchResult
        A batch of the scenario to check.
    cutoff : datetime.date or str, optional
        The scenario's calibration cut-off: milestones after it are the held-out ones
        (default :data:`CUTOFF`, 30 September 2024; None holds out every milestone).
    record : sequence of Milestone, optional
        The milestones (default: :func:`load_record`).

    Returns
    -------
    Backtest
        One :class:`Check` per milestone the scenario's outputs and months cover.
    """
    cutoff = as_date(cutoff)
    record = load_record() if record is None else record
    checks = []
    for m in record:
        values = _values(result, m)
        if values is None:
            continue
        values = values[~np.isnan(values)]
        if values.size == 0:
            continue
        low, median, high = (float(v) for v in np.percentile(values, [5, 50, 95]))
        width = brier = math.nan
        if m.outcome is not None:
            p = float(np.mean(values))
            brier = (p - m.outcome) ** 2
            inside = (p > 0.5) == bool(m.outcome)
        elif m.at_least is not None:
            inside = median >= m.at_least
        elif m.at_most is not None:
            inside = median <= m.at_most
        else:
            lo, hi = (m.value, m.value) if m.value is not None else (m.low, m.high)
            assert lo is not None
            assert hi is not None
            inside = low <= hi and high >= lo
            centre = (lo + hi) / 2
            width = (high - low) / abs(centre) if centre else math.inf
        held = cutoff is None or m.date > cutoff
        checks.append(Check(m, median, low, high, inside, width, brier, held))
    name = str(getattr(result, "meta", {}).get("scenario", "?"))
    return Backtest(name, int(getattr(result, "runs", 0)), cutoff, tuple(checks))
