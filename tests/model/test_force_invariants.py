"""Invariants of force generation over many random replications.

Each bundled scenario, and a small scenario where most of force generation is
uncertain (airlift seats and their donor, tours, hazards, handovers and their gaps,
pledges, equipment, a renewal that may fail and lowers the ceiling, money that may
run short), is run a few hundred times; every replication must keep the per-contributor
series consistent with the total and within the ceiling, and the counts of handovers,
withdrawals and rotation gaps within their bounds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import mss_sim
from conftest import replications
from mss_sim.scenario import scenario_from_dict

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.toml"))
RUNS = 300


def uniform(low: float, high: float) -> dict[str, Any]:
    return {"dist": "uniform", "low": low, "high": high}


UNCERTAIN: dict[str, Any] = {
    "scenario": {"name": "fg_uncertain", "start": dt.date(2025, 1, 1), "horizon_months": 12},
    "mandate": {
        "active": True,
        "expiry": dt.date(2025, 7, 1),
        "ceiling": 1000,
        "funding_model": "voluntary",
    },
    "council": {
        "elected": {"2025": ["DZA", "DNK", "GRC", "GUY", "PAK", "PAN", "KOR", "SLE", "SVN", "SOM"]},
        "propensities": {"default": {"renewal": [0.85, 0.05, 0.1]}},
        "drafts": [
            {
                "id": "renew",
                "date": dt.date(2025, 6, 20),
                "kind": "renewal",
                "duration_months": 12,
                "ceiling": 600,
            }
        ],
    },
    "funding": {
        "deploy_reserve_months": 1,
        "withdrawal_hazard": 0.2,
        "grace_months": 1,
        "costs": {"personnel_per_person_month_usd": 1000},
        "trust_fund": {"opening_balance_usd": uniform(1e5, 5e6)},
        "donors": [
            {
                "name": "USA",
                "pledge_usd": uniform(1e6, 5e6),
                "honour_probability": 0.7,
                "pledge_date": dt.date(2025, 2, 1),
                "tranches": 3,
            }
        ],
    },
    "deployment": {
        "airlift": {"seats_per_month": uniform(50, 300), "supplied_by": "USA"},
        "handovers": [
            {
                "date": dt.date(2025, 3, 1),
                "successor": "GTM",
                "gap_months": uniform(0, 2),
                "probability": 0.6,
            },
            {
                "date": dt.date(2025, 8, 1),
                "successor": "KEN",
                "gap_months": 1,
                "probability": uniform(0, 1),
            },
        ],
        "contributors": [
            {
                "country": "KEN",
                "lead_nation": True,
                "pledged": {"dist": "triangular", "low": 200, "mode": 600, "high": 900},
                "initial_deployed": 200,
                "wave_size": uniform(50, 200),
                "wave_interval_months": uniform(0.5, 2),
                "tour_months": uniform(1, 4),
                "monthly_attrition": 0.01,
                "leave_hazard_per_month": uniform(0, 0.2),
                "drawdowns": [{"date": dt.date(2025, 9, 1), "to": 150}],
            },
            {
                "country": "GTM",
                "pledged": uniform(100, 400),
                "initial_deployed": 50,
                "pledge_probability": uniform(0.3, 1),
                "wave_size": 150,
                "equipment": [{"kind": "vehicles", "count": 5, "ready_months": uniform(0, 3)}],
                "tour_months": uniform(2, 6),
                "leave_hazard_per_month": 0.05,
            },
            {
                "country": "JAM",
                "pledged": 100,
                "pledge_date": dt.date(2025, 4, 1),
                "readiness_months": uniform(0, 2),
                "wave_size": 25,
                "tour_months": 3,
                "drawdowns": [{"date": dt.date(2025, 10, 1), "to": 0}],
            },
        ],
    },
}


def uncertain_scenario() -> mss_sim.Scenario:
    return scenario_from_dict(UNCERTAIN, source="fg_uncertain.toml")


@pytest.fixture(
    scope="module",
    params=[*SCENARIOS, "uncertain"],
    ids=[*(p.stem for p in SCENARIOS), "uncertain"],
)
def runs(request) -> tuple[mss_sim.Scenario, dict, dict]:
    if request.param == "uncertain":
        sc = uncertain_scenario()
    else:
        sc = mss_sim.load_scenario(request.param)
    return (sc, *replications(sc, RUNS, 2025))


def test_outputs_are_finite(runs):
    _, series, scalars = runs
    assert all(np.isfinite(v).all() for v in series.values())
    for name in ("lead_nation_changes", "contingents_withdrawn", "rotation_gap_days"):
        assert np.isfinite(scalars[name]).all(), name


def test_contingents_add_up_to_the_force(runs):
    sc, series, _ = runs
    parts = [series[f"deployed.{c.country}"] for c in sc.deployment.contributors]
    assert all((p >= 0).all() and (p == np.rint(p)).all() for p in parts)
    assert np.array_equal(sum(parts), series["deployed"])


def test_force_stays_within_the_ceiling(runs):
    _, series, scalars = runs
    active = series["mandate_active"] == 1
    assert (series["deployed"][active] <= series["ceiling"][active]).all()
    # Without a mandate nobody stays.
    assert (series["deployed"][~active] == 0).all()
    assert (scalars["peak_deployed"] >= series["deployed"].max(axis=1)).all()


def test_airlift_queue_is_never_negative(runs):
    sc, series, _ = runs
    queue = series["airlift_queue"]
    assert (queue >= 0).all()
    assert (queue == np.rint(queue)).all()
    if sc.deployment.airlift is None:
        assert (queue == 0).all()


def test_counts_are_within_bounds(runs):
    sc, _, scalars = runs
    gaps = scalars["rotation_gap_days"]
    assert (gaps >= 0).all()
    if sc.deployment.airlift is None:
        assert (gaps == 0).all()
    withdrawn = scalars["contingents_withdrawn"]
    assert (withdrawn == np.rint(withdrawn)).all()
    assert ((withdrawn >= 0) & (withdrawn <= len(sc.deployment.contributors))).all()
    changes = scalars["lead_nation_changes"]
    assert (changes == np.rint(changes)).all()
    assert ((changes >= 0) & (changes <= len(sc.deployment.handovers))).all()


def test_uncertain_scenario_exercises_force_generation():
    """The uncertain scenario reaches the cases the invariants are about."""
    sc = uncertain_scenario()
    series, scalars = replications(sc, RUNS, 2025)
    assert set(np.unique(scalars["lead_nation_changes"])) == {0, 1, 2}
    assert (scalars["rotation_gap_days"] > 0).mean() > 0.1
    assert (series["airlift_queue"] > 0).any(axis=1).mean() > 0.1
    assert (scalars["contingents_withdrawn"] >= 2).any()
    assert 0 < scalars["mandate_lapsed"].mean() < 1
    assert (scalars["shortfall_months"] > 0).any()
    # Ceiling cuts after the renewal (ceiling 600) happen.
    active = series["mandate_active"] == 1
    assert (series["deployed"][active] == 600).any()
