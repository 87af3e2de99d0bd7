"""The quantile functions agree with scipy.stats, or with closed forms where the
distribution's own scipy object is built from the same code."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from mss_sim.scenario.distributions import parse_uncertain

CASES = [
    {"dist": "uniform", "low": 2, "high": 5},
    {"dist": "triangular", "low": 1, "mode": 4, "high": 9},
    {"dist": "triangular", "low": 1, "mode": 1, "high": 9},
    {"dist": "triangular", "low": 1, "mode": 9, "high": 9},
    {"dist": "normal", "mean": 3, "sd": 2},
    {"dist": "lognormal", "median": 2, "sigma": 0.7},
    {"dist": "beta", "a": 2, "b": 5, "low": 1, "high": 3},
    {"dist": "choice", "values": [0, 500, 2000], "p": [0.5, 0.35, 0.15]},
]


@pytest.mark.parametrize("spec", CASES, ids=lambda c: c["dist"])
def test_ppf_matches_scipy(spec):
    dist = parse_uncertain(spec)
    rv = dist.distribution()
    for u in np.linspace(0.0005, 0.9995, 201):
        assert dist.ppf(float(u)) == pytest.approx(float(rv.ppf(u)), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(("low", "high"), [(0, None), (None, 4.5), (-1, 6)])
def test_truncated_normal_ppf_is_the_inverse_of_the_truncated_cdf(low, high):
    # Closed form: F^-1(u) = mean + sd * ndtri(Phi(a) + u * (Phi(b) - Phi(a))).
    dist = parse_uncertain({"dist": "normal", "mean": 3, "sd": 2, "low": low, "high": high})
    a = special.ndtr((low - 3) / 2) if low is not None else 0.0
    b = special.ndtr((high - 3) / 2) if high is not None else 1.0
    for u in np.linspace(0.0005, 0.9995, 201):
        expected = 3 + 2 * special.ndtri(a + u * (b - a))
        assert dist.ppf(float(u)) == pytest.approx(float(expected), rel=1e-9, abs=1e-9)


def test_choice_of_real_values_is_a_step_function_over_sorted_values():
    # Equal probabilities over [0.5, 0.1, 0.5]: 0.1 with 1/3, 0.5 with 2/3.
    dist = parse_uncertain({"dist": "choice", "values": [0.5, 0.1, 0.5]})
    for u in np.linspace(0.001, 0.999, 199):
        assert dist.ppf(float(u)) == (0.1 if u <= 1 / 3 else 0.5)
    assert dist.distribution().mean() == pytest.approx(0.1 / 3 + 0.5 * 2 / 3)
