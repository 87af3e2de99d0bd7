"""Invariants of the security outputs over random replications of every bundled scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mss_sim

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.toml"))
RUNS = 300


@pytest.fixture(scope="module", params=SCENARIOS, ids=lambda p: p.stem)
def batch(request) -> tuple[mss_sim.Scenario, mss_sim.BatchResult]:
    scenario = mss_sim.load_scenario(request.param)
    assert scenario.security is not None
    res = mss_sim.run_batch(scenario, RUNS, seed=77)
    assert res.failures == ()
    return scenario, res


def cents(x: np.ndarray) -> np.ndarray:
    return np.rint(x * 100).astype(np.int64)


def parameter(scenario: mss_sim.Scenario, res: mss_sim.BatchResult, key: str) -> np.ndarray:
    """Each replication's value of ``security.<key>`` (drawn or fixed), shape ``(runs, 1)``."""
    path = f"security.{key}"
    if path in res.parameters:
        return res.parameters[path][:, None]
    return np.full((res.runs, 1), float(getattr(scenario.security, key)))


def test_security_series_stay_in_range(batch):
    _, res = batch
    s = res.series
    control = s["gang_control"]
    assert np.isfinite(control).all()
    assert ((control > 0) & (control < 1)).all()
    for name in ("killings", "casualties"):
        counts = s[name]
        assert (counts >= 0).all(), name
        assert (counts == np.round(counts)).all(), name
    assert (s["displaced"] >= 0).all()
    assert (s["police_available"] >= 0).all()
    assert (s["gang_strength"] > 0).all()
    assert (s["effective_force"] >= 0).all()
    active = s["mandate_active"] == 1
    assert (s["deployed"][active] <= s["ceiling"][active]).all()
    # Violence varies across replications and months; casualties happen somewhere.
    assert np.unique(s["killings"]).size > 100
    assert s["casualties"].sum() > 0


def test_security_scalars_sum_and_end_the_series(batch):
    _, res = batch
    s, sc = res.series, res.scalars
    assert np.array_equal(sc["killings_total"], s["killings"].sum(axis=1))
    assert np.array_equal(sc["casualties_total"], s["casualties"].sum(axis=1))
    assert np.array_equal(sc["gang_control_at_end"], s["gang_control"][:, -1])
    assert np.array_equal(sc["displaced_at_end"], s["displaced"][:, -1])


def test_police_and_displacement_follow_their_recurrences(batch):
    """P' = P (1 - a) + R and D' = D (1 - r (1 - C')) + d K in every replication."""
    scenario, res = batch
    s = res.series
    a = parameter(scenario, res, "police_attrition")
    r = parameter(scenario, res, "police_recruitment_per_month")
    police = s["police_available"]
    assert police[:, 1:] == pytest.approx(police[:, :-1] * (1 - a) + r, rel=1e-12)
    start = parameter(scenario, res, "police_available")
    assert police[:, :1] == pytest.approx(start * (1 - a) + r, rel=1e-12)
    returns = parameter(scenario, res, "return_rate")
    per_killing = parameter(scenario, res, "displaced_per_killing")
    displaced, control, killings = s["displaced"], s["gang_control"], s["killings"]
    expected = (
        displaced[:, :-1] * (1 - returns * (1 - control[:, 1:])) + per_killing * killings[:, 1:]
    )
    assert displaced[:, 1:] == pytest.approx(expected, rel=1e-12)
    # The month's effective force counts the police at the month's start.
    weight = parameter(scenario, res, "police_weight")
    assert (s["effective_force"][:, 1:] >= weight * police[:, :-1] * (1 - 1e-12)).all()


def test_money_is_conserved_to_the_cent(batch):
    scenario, res = batch
    s = res.series
    assert np.array_equal(
        cents(s["cash_balance"]), cents(s["received_cum"]) - cents(s["spent_cum"])
    )
    for a in scenario.funding.accounts():
        assert np.array_equal(
            cents(s[f"received_cum.{a}"]) - cents(s[f"spent_cum.{a}"]), cents(s[f"balance.{a}"])
        )
    sc = res.scalars
    assert np.array_equal(cents(sc["total_received_usd"]), cents(s["received_cum"][:, -1]))
    assert np.array_equal(cents(sc["total_spent_usd"]), cents(s["spent_cum"][:, -1]))
    assert (np.diff(s["spent_cum"], axis=1) >= 0).all()
