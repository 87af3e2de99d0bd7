"""Confidence intervals: Wilson score intervals for proportions, Student-t for means.

A leaf module (it imports nothing else of the package); the summary tables
(:mod:`mss_sim.summary`) and the analysis layer use it.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["mean_interval", "wilson_interval"]


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
