"""The paired comparison against scipy's paired t-test."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mss_sim.analysis import paired_difference


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_the_interval_is_scipys_paired_t_interval(confidence):
    rng = np.random.default_rng(7)
    a = rng.normal(10, 3, size=200)
    b = a + rng.normal(0.4, 1, size=200)
    d = paired_difference(a, b, confidence=confidence)
    ci = stats.ttest_rel(b, a).confidence_interval(confidence_level=confidence)
    assert d.mean == pytest.approx(float(np.mean(b - a)), rel=1e-12)
    assert (d.low, d.high) == pytest.approx((ci.low, ci.high), rel=1e-12)
    assert (d.n, d.missing, d.confidence) == (200, 0, confidence)
    assert tuple(d) == (d.mean, d.low, d.high)


def test_pairs_with_a_nan_are_left_out_and_counted():
    a = np.array([1.0, np.nan, 3.0, 4.0, 5.0])
    b = np.array([2.0, 2.0, np.inf, 6.0, 5.5])
    d = paired_difference(a, b)
    assert (d.n, d.missing) == (3, 2)
    assert d.mean == pytest.approx((1.0 + 2.0 + 0.5) / 3)


def test_coverage_of_a_known_difference():
    # 400 experiments with a true paired difference of 1: the 90% interval covers it
    # in about 90% of them (binomial 3-sigma band).
    rng = np.random.default_rng(3)
    covered = 0
    for _ in range(400):
        a = rng.normal(0, 5, size=30)
        b = a + 1 + rng.normal(0, 2, size=30)
        d = paired_difference(a, b, confidence=0.9)
        covered += d.low <= 1 <= d.high
    assert abs(covered / 400 - 0.9) < 3 * np.sqrt(0.9 * 0.1 / 400)


def test_bad_arguments():
    with pytest.raises(ValueError, match="one value per replication each"):
        paired_difference(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="confidence must be in"):
        paired_difference(np.zeros(3), np.zeros(3), confidence=1.0)
