"""Statistics of batch outcomes: confidence intervals and summary tables.

A leaf module (it imports nothing else of the package), so that both the batch
layer (``BatchResult.summary()``) and the analysis layer use it.

For an outcome that only takes the values 0 and 1 the summary gives the
probability of 1 with a Wilson score interval; for any other outcome, the mean
with a Student-t interval and the 5th, 50th and 95th percentiles. NaN values
(an event that never happened, a failed replication) are left out and counted.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
from scipy import stats

__all__ = [
    "Outcomes",
    "Summary",
    "SummaryRow",
    "mean_interval",
    "summarise",
    "wilson_interval",
]


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Return the Wilson score interval for a binomial proportion.

    :func:`scipy.stats.binomtest`'s ``proportion_ci(method="wilson")``; with 0
    (or `n`) successes the lower (upper) end is exactly 0 (1).

    Parameters
    ----------
    successes : int
        Number of successes.
    n : int
        Number of trials (> 0).
    confidence : float
        Coverage, in (0, 1).

    Examples
    --------
    >>> lo, hi = wilson_interval(0, 10)
    >>> lo, round(hi, 4)
    (0.0, 0.2775)
    """
    if n <= 0:
        raise ValueError(f"n must be > 0, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be in [0, n={n}], got {successes}")
    ci = stats.binomtest(int(successes), int(n)).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return float(ci.low), float(ci.high)


def mean_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Return the mean and its Student-t confidence interval (:func:`scipy.stats.t`).

    Examples
    --------
    >>> import numpy as np
    >>> m, lo, hi = mean_interval(np.array([1.0, 2.0, 3.0]))
    >>> m, round(lo, 3), round(hi, 3)
    (2.0, -0.484, 4.484)
    """
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n == 1:
        return mean, math.nan, math.nan
    scale = float(stats.sem(x))
    if scale == 0.0:  # every value the same: no spread, the interval is the mean
        return mean, mean, mean
    low, high = stats.t.interval(confidence, n - 1, loc=mean, scale=scale)
    return mean, float(low), float(high)


class Outcomes(Protocol):
    """What :func:`summarise` needs of a batch result (a ``BatchResult``)."""

    @property
    def scalars(self) -> Mapping[str, np.ndarray]: ...

    @property
    def meta(self) -> dict[str, Any]: ...

    @property
    def runs(self) -> int: ...

    def iter_columns(
        self, names: Sequence[str], *, kind: Literal["scalars", "series", "parameters"] = ...
    ) -> Iterator[tuple[str, np.ndarray]]: ...


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One outcome's summary.

    `kind` is ``"probability"`` (0/1 outcome: `estimate` is P(1)) or ``"mean"``.
    `n` counts the finite values used; `missing` the NaN values left out.
    Percentiles are NaN for probabilities.
    """

    name: str
    kind: Literal["probability", "mean"]
    n: int
    missing: int
    estimate: float
    low: float
    high: float
    p5: float
    p50: float
    p95: float


@dataclass(frozen=True)
class Summary:
    """A table of :class:`SummaryRow`, printable, indexable by outcome name."""

    rows: tuple[SummaryRow, ...]
    confidence: float = 0.95
    title: str = ""

    def __iter__(self) -> Iterator[SummaryRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, name: str) -> SummaryRow:
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(name)

    def to_dicts(self) -> list[dict[str, Any]]:
        """Return the rows as dictionaries."""
        return [{f: getattr(r, f) for f in SummaryRow.__slots__} for r in self.rows]

    def to_frame(self) -> Any:
        """Return the table as a pandas DataFrame indexed by outcome (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "Summary.to_frame() needs pandas; install it with pip install 'mss-sim[pandas]'"
            ) from None
        return pd.DataFrame(self.to_dicts()).set_index("name")

    def __str__(self) -> str:
        pct = f"{self.confidence:.0%}"
        header = ("outcome", "estimate", f"{pct} interval", "p5", "p50", "p95", "n")
        lines = []
        for r in self.rows:
            if r.kind == "probability":
                est, ci = f"P={r.estimate:.3f}", f"[{r.low:.3f}, {r.high:.3f}]"
                p5 = p50 = p95 = ""
            else:
                est, ci = _fmt(r.estimate), f"[{_fmt(r.low)}, {_fmt(r.high)}]"
                p5, p50, p95 = _fmt(r.p5), _fmt(r.p50), _fmt(r.p95)
            n = f"{r.n}" + (f" (+{r.missing} NaN)" if r.missing else "")
            lines.append((r.name, est, ci, p5, p50, p95, n))
        widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]

        def render(row: tuple[str, ...]) -> str:
            cells = [row[0].ljust(widths[0])]
            cells += [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
            return "  ".join(cells).rstrip()

        table = [render(header), "-" * (sum(widths) + 2 * (len(widths) - 1))]
        table += [render(row) for row in lines]
        return "\n".join([self.title, *table] if self.title else table)


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "nan"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.1f}M"
    if abs(x) >= 100 or x == round(x):
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _summarise_one(name: str, values: np.ndarray, confidence: float) -> SummaryRow:
    finite = values[np.isfinite(values)]
    n, missing = int(finite.size), int(values.size - finite.size)
    if n and np.all((finite == 0) | (finite == 1)):
        k = int(finite.sum())
        low, high = wilson_interval(k, n, confidence)
        return SummaryRow(name, "probability", n, missing, k / n, low, high, *(math.nan,) * 3)
    mean, low, high = mean_interval(finite, confidence)
    if n:
        p5, p50, p95 = (float(q) for q in np.percentile(finite, [5, 50, 95]))
    else:
        p5 = p50 = p95 = math.nan
    return SummaryRow(name, "mean", n, missing, mean, low, high, p5, p50, p95)


def summarise(
    result: Outcomes, names: Sequence[str] | None = None, *, confidence: float = 0.95
) -> Summary:
    """Summarise scalar outcomes of a batch.

    Parameters
    ----------
    result : BatchResult
        The batch.
    names : sequence of str, optional
        Outcomes to include (default: every scalar, in order).
    confidence : float
        Interval coverage, in (0, 1).

    Returns
    -------
    Summary

    Examples
    --------
    >>> import mss_sim
    >>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")  # doctest: +SKIP
    >>> res = mss_sim.run_batch(sc, 50, seed=1)  # doctest: +SKIP
    >>> print(res.summary(["peak_deployed", "gsf.adopted"]))  # doctest: +SKIP
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    chosen = list(result.scalars) if names is None else list(names)
    unknown = [n for n in chosen if n not in result.scalars]
    if unknown:
        raise KeyError(f"no scalar outcome named {unknown}; available: {list(result.scalars)}")
    rows = tuple(
        _summarise_one(n, np.asarray(values, float), confidence)
        for n, values in result.iter_columns(chosen)
    )
    meta = result.meta
    title = f"{meta.get('scenario', '')}: {result.runs} replications, seed {meta.get('seed')}"
    return Summary(rows, confidence, title)
