"""Comparing two batches: paired under common random numbers, Welch's interval otherwise.

Two scenarios run with the same batch seed share the draws of every parameter
and random element they have in common, so replication ``i`` of one is the
counterpart of replication ``i`` of the other. Their difference, replication by
replication, has a much smaller variance than the difference of two independent
batches; :func:`paired_difference` gives its mean and a Student-t interval.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from mss_sim.catalog import OutputKind, describe, is_described
from mss_sim.errors import ResultsError, ScenarioError
from mss_sim.formats import difference
from mss_sim.statistics import mean_interval

__all__ = [
    "Comparison",
    "PairedDifference",
    "caveats",
    "compare",
    "paired",
    "paired_difference",
    "welch_difference",
]


@dataclass(frozen=True, slots=True)
class PairedDifference:
    """The mean of paired differences ``b - a`` and its confidence interval.

    `n` counts the pairs used (both values finite); `missing` those left out.
    """

    mean: float
    low: float
    high: float
    n: int
    missing: int
    confidence: float

    def __iter__(self) -> Iterator[float]:
        """Unpack as ``mean, low, high``."""
        return iter((self.mean, self.low, self.high))

    def __str__(self) -> str:
        pct = f"{self.confidence:.0%}"
        return f"{self.mean:.4g} [{self.low:.4g}, {self.high:.4g}] ({pct}, {self.n} pairs)"


def paired_difference(
    a: np.ndarray, b: np.ndarray, *, confidence: float = 0.95
) -> PairedDifference:
    """Return the mean of ``b - a`` over paired replications, with a t interval.

    Parameters
    ----------
    a, b : numpy.ndarray
        One value per replication of the baseline and of the alternative, in
        replication order (``res.scalars[name]`` of two batches with the same seed).
    confidence : float
        Interval coverage, in (0, 1).

    Raises
    ------
    ValueError
        If `a` and `b` differ in length.

    Examples
    --------
    >>> import numpy as np
    >>> d = paired_difference(np.array([1.0, 2.0, 3.0, np.nan]), np.array([2.0, 2.5, 4.5, 9.0]))
    >>> round(d.mean, 3), d.n, d.missing
    (1.0, 3, 1)
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.shape != y.shape:
        raise ValueError(
            f"a and b must have one value per replication each, got {x.shape} and {y.shape}"
        )
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    diff = y - x
    finite = diff[np.isfinite(diff)]
    mean, low, high = mean_interval(finite, confidence)
    return PairedDifference(
        mean, low, high, int(finite.size), int(diff.size - finite.size), confidence
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    """The difference ``b - a`` of one output's mean between two batches.

    `method` is ``"paired"`` when the batches share their replications' seeds
    (same batch seed, runs and design: common random numbers), ``"welch"``
    otherwise (Welch's unequal-variance interval of two independent samples).
    """

    name: str
    method: str
    mean: float
    low: float
    high: float
    n_a: int
    n_b: int
    confidence: float
    pairs: int = 0
    """For a paired comparison, the replications where both values are finite."""

    def __str__(self) -> str:
        used = (
            f"{self.pairs} pair{'' if self.pairs == 1 else 's'} where both are defined"
            if self.method == "paired"
            else f"{self.n_a} and {self.n_b} runs"
        )
        if not is_described(self.name):
            interval = f"[{self.low:.4g}, {self.high:.4g}]"
            return f"{self.name}: {self.mean:.4g} {interval} ({self.method}, {used})"
        text, unit = self.shown()
        unit = f" {unit}" if math.isfinite(self.mean) else ""
        return f"{self.name}: {text}{unit} ({self.method}, {used})"

    def shown(self) -> tuple[str, str]:
        """The difference and its interval as text, and their unit, from the output's
        kind (:func:`mss_sim.formats.difference`); "undefined in every pair" where no
        pair defines it."""
        text, unit = difference(describe(self.name), self.mean, self.low, self.high)
        if not math.isfinite(self.mean):
            text = "undefined in every pair" if self.method == "paired" else "undefined"
        return text, unit


def _yes(ballots: np.ndarray) -> np.ndarray:
    """1 for a yes vote, 0 for an abstention or a no, NaN where no vote was held."""
    return np.where(np.isnan(ballots), np.nan, (ballots == 1).astype(float))


def paired(a: Any, b: Any) -> bool:
    """Whether two batches' replication ``i`` share their seed (same seed, runs, design)."""
    ma, mb = a.meta, b.meta
    if ma.get("seed") is None or (ma.get("seed"), ma.get("runs")) != (
        mb.get("seed"),
        mb.get("runs"),
    ):
        return False
    return bool(ma.get("design", "monte_carlo") == mb.get("design", "monte_carlo"))


def welch_difference(
    a: np.ndarray, b: np.ndarray, *, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Mean of ``b`` minus mean of ``a`` with Welch's interval (NaNs left out)."""
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    mean = float(y.mean() - x.mean()) if x.size and y.size else math.nan
    if x.size < 2 or y.size < 2:
        return mean, math.nan, math.nan
    va, vb = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se = math.sqrt(va + vb)
    if se == 0:
        return mean, mean, mean
    df = (va + vb) ** 2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    return mean, mean - half, mean + half


def compare(
    a: Any, b: Any, outputs: list[str] | None = None, *, confidence: float = 0.95
) -> list[Comparison]:
    """Compare two batches output by output: ``b - a`` with an interval.

    Paired differences (:func:`paired_difference`) when the runs share seeds,
    Welch's interval otherwise; each row says which. A member's ballot
    (``{draft}.vote.{member}``) is compared by its share of yes votes.

    Parameters
    ----------
    a, b : BatchResult
        The baseline and the alternative.
    outputs : list of str, optional
        Scalar outputs both batches have (default: all they share).

    Raises
    ------
    KeyError
        If an output is missing from either batch.

    Examples
    --------
    >>> import mss_sim
    >>> sc = mss_sim.load_scenario("gsf_2025")
    >>> a = mss_sim.run_batch(sc, 30, seed=1)
    >>> b = mss_sim.run_batch(sc.with_values({"funding.donors[USA].pledge_usd": 0}), 30, seed=1)
    >>> row = compare(a, b, ["received_usd.USA"])[0]
    >>> row.method, row.mean < 0
    ('paired', True)
    """
    names = outputs if outputs is not None else [n for n in a.scalars if n in b.scalars]
    for name in names:
        for label, result in (("a", a), ("b", b)):
            if name not in result.scalars:
                raise KeyError(f"{label} has no scalar output {name!r}")
    same = paired(a, b)
    rows = []
    for name in names:
        x, y = np.asarray(a.scalars[name], float), np.asarray(b.scalars[name], float)
        if is_described(name) and describe(name).kind is OutputKind.BALLOT:
            x, y = _yes(x), _yes(y)  # the share of yes votes, not the mean of +1/0/-1
        n_a, n_b = int(np.isfinite(x).sum()), int(np.isfinite(y).sum())
        if same:
            d = paired_difference(x, y, confidence=confidence)
            rows.append(
                Comparison(name, "paired", d.mean, d.low, d.high, n_a, n_b, confidence, d.n)
            )
        else:
            mean, low, high = welch_difference(x, y, confidence=confidence)
            rows.append(Comparison(name, "welch", mean, low, high, n_a, n_b, confidence))
    return rows


def caveats(a: Any, b: Any) -> list[str]:
    """What makes two batches' outputs mean different things: another period or target.

    Parameters
    ----------
    a, b : BatchResult
        Results that keep their scenarios (results that do not give no caveats).

    Returns
    -------
    list of str
        One sentence per difference, e.g. that "target reached" counts against
        2,775 personnel in one and 2,000 in the other.
    """
    try:
        sa, sb = a.scenario(), b.scenario()
    except (ResultsError, ScenarioError):
        return []
    out = []
    ta, tb = sa.target_strength(), sb.target_strength()
    if ta != tb:
        out.append(
            f"the target strength differs ({ta:,} and {tb:,} personnel): outputs about "
            "reaching the target measure against different strengths"
        )
    ia, ib = sa.scenario, sb.scenario
    if (ia.start, ia.horizon_months) != (ib.start, ib.horizon_months):
        out.append(
            f"the periods differ ({ia.horizon_months} months from {ia.start}, and "
            f"{ib.horizon_months} months from {ib.start}): totals and values at the end "
            "cover different times"
        )
    return out
