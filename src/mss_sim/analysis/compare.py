"""Paired comparison of two batches run with the same seed (common random numbers).

Two scenarios run with the same batch seed share the draws of every parameter
and random element they have in common, so replication ``i`` of one is the
counterpart of replication ``i`` of the other. Their difference, replication by
replication, has a much smaller variance than the difference of two independent
batches; :func:`paired_difference` gives its mean and a Student-t interval.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from mss_sim.statistics import mean_interval

__all__ = ["PairedDifference", "paired_difference"]


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
