"""The closed-form quantile functions agree with scipy.stats."""

from __future__ import annotations

import numpy as np
import pytest

from mss_sim.scenario.distributions import parse_uncertain

CASES = [
    {"dist": "uniform", "low": 2, "high": 5},
    {"dist": "triangular", "low": 1, "mode": 4, "high": 9},
    {"dist": "triangular", "low": 1, "mode": 1, "high": 9},
    {"dist": "triangular", "low": 1, "mode": 9, "high": 9},
    {"dist": "normal", "mean": 3, "sd": 2},
    {"dist": "normal", "mean": 3, "sd": 2, "low": 0},
    {"dist": "lognormal", "median": 2, "sigma": 0.7},
    {"dist": "beta", "a": 2, "b": 5, "low": 1, "high": 3},
    {"dist": "choice", "values": [0, 500, 2000], "p": [0.5, 0.35, 0.15]},
    {"dist": "choice", "values": [0.5, 0.1, 0.5]},
]


@pytest.mark.parametrize("spec", CASES, ids=lambda c: c["dist"])
def test_ppf_matches_scipy(spec):
    dist = parse_uncertain(spec)
    rv = dist.distribution()
    for u in np.linspace(0.0005, 0.9995, 201):
        assert dist.ppf(float(u)) == pytest.approx(float(rv.ppf(u)), rel=1e-12, abs=1e-12)
