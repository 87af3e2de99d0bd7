"""The security equations, checked against arithmetic done by hand on tiny scenarios.

Every scenario here is tests/model/tiny.toml with a ``[security]`` table, no
uncertain values and no noise, so a replication is deterministic and each month
can be computed from the equations of :mod:`mss_sim.model.security`. The force is
the one contingent of 100 already in the field with nothing more pledged (no
waves), under a mandate active beyond the horizon, with no attrition and money
enough (except where logistics go unpaid on purpose).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

import mss_sim
from mss_sim.batch.chunk import run_chunk
from mss_sim.model import compile
from mss_sim.model.outputs import SECURITY_SERIES
from mss_sim.model.security import poisson_quantile
from mss_sim.scenario import load_raw, scenario_from_dict

TINY = Path(__file__).with_name("tiny.toml")
OFF = {"council": False, "donors": False, "contributors": False}

# The state at the start and the rates shared by most cases.
C0, K0, D0, G0, P0 = 0.8, 400, 100_000.0, 10_000.0, 5_000.0
DEPLOYED = 100
PI = 0.3  # police_weight
SECURITY: dict[str, Any] = {
    "gang_control": C0,
    "killings_per_month": K0,
    "displaced": D0,
    "gang_strength": G0,
    "police_available": P0,
    "police_weight": PI,
    "gang_growth": 0.02,
    "suppression": 0.05,
    "killing_reduction": 0.3,
    "control_adjustment": 0.2,
    "displaced_per_killing": 50.0,
    "return_rate": 0.1,
    "gang_noise": 0.0,
    "violence_noise": 0.0,
    "offensive_hazard": 0.0,
    "casualties_per_1000": 0.0,
    "feedback": OFF,
}


def base() -> dict[str, Any]:
    """The tiny scenario's data with a constant force and no drafts or donors."""
    data = copy.deepcopy(load_raw(TINY))
    data["mandate"]["expiry"] = dt.date(2026, 6, 1)
    data["council"].pop("drafts")
    data["funding"]["donors"] = []
    contributor = data["deployment"]["contributors"][0]
    contributor["pledged"] = contributor["initial_deployed"] = DEPLOYED
    data["security"] = copy.deepcopy(SECURITY)
    return data


def scenario(data: dict[str, Any], **security: Any) -> mss_sim.Scenario:
    """`data` with some ``[security]`` values changed, validated."""
    data = copy.deepcopy(data)
    data["security"].update(security)
    return scenario_from_dict(data, source="tiny.toml")


def security_series(rep: mss_sim.Replication) -> dict[str, np.ndarray]:
    return {name: rep.series[name] for name in SECURITY_SERIES}


# ---------------------------------------------------------------- one force throughout


def test_constant_force_follows_the_equations():
    """With the force as at the start, x = 0: the gangs grow at gang_growth a month."""
    rep = mss_sim.simulate(scenario(base()), seed=0)
    s = security_series(rep)
    g, a, dpk, rr = 0.02, 0.2, 50.0, 0.1
    e0 = DEPLOYED + PI * P0  # 1,600
    phi = G0 * (1 - C0) / (C0 * e0)
    # Month 1 (January): G1 = G0 e^g, C* = G1 / (G1 + phi E).
    g1 = G0 * math.exp(g)
    c1 = C0 + a * (g1 / (g1 + phi * e0) - C0)
    k1 = round(K0 * g1 / G0)
    d1 = D0 * (1 - rr * (1 - c1)) + dpk * k1
    # Month 2.
    g2 = g1 * math.exp(g)
    c2 = c1 + a * (g2 / (g2 + phi * e0) - c1)
    k2 = round(K0 * g2 / G0)
    d2 = d1 * (1 - rr * (1 - c2)) + dpk * k2
    # Month 3.
    g3 = g2 * math.exp(g)
    c3 = c2 + a * (g3 / (g3 + phi * e0) - c2)
    k3 = round(K0 * g3 / G0)
    d3 = d2 * (1 - rr * (1 - c3)) + dpk * k3
    assert (k1, k2, k3) == (408, 416, 425)
    assert s["killings"][:3].tolist() == [k1, k2, k3]
    assert s["gang_strength"][:3] == pytest.approx([g1, g2, g3], rel=1e-12)
    assert s["gang_control"][:3] == pytest.approx([c1, c2, c3], rel=1e-12)
    assert s["displaced"][:3] == pytest.approx([d1, d2, d3], rel=1e-12)
    assert s["police_available"].tolist() == [P0] * 4
    assert s["effective_force"].tolist() == [e0] * 4
    assert s["casualties"].tolist() == [0] * 4
    assert rep.scalars["killings_total"] == s["killings"].sum()
    assert rep.scalars["gang_control_at_end"] == s["gang_control"][-1]


def test_control_stays_put_at_the_balance():
    """No growth and a constant force: the start is the balance, nothing moves."""
    rep = mss_sim.simulate(scenario(base(), gang_growth=0.0, return_rate=0.0), seed=3)
    s = security_series(rep)
    assert s["gang_control"] == pytest.approx([C0] * 4, rel=1e-14)
    assert s["gang_strength"].tolist() == [G0] * 4
    assert s["killings"].tolist() == [K0] * 4
    assert s["displaced"].tolist() == [D0 + 50.0 * K0 * k for k in (1, 2, 3, 4)]


def test_the_mandates_powers_raise_the_effective_force():
    """A renewal adopted on 10 Feb adds two powers with uplifts: from February the
    mission counts 1.3 * 1.1 times, and the gangs feel the added force."""
    data = base()
    data["council"]["drafts"] = [
        {
            "id": "renew",
            "date": dt.date(2025, 2, 10),
            "kind": "renewal",
            "duration_months": 12,
            "powers": ["arrest_detain", "independent_operations", "curfew"],
        }
    ]
    powers = {"arrest_detain": 0.3, "independent_operations": 0.1}
    rep = mss_sim.simulate(scenario(data, powers=powers), seed=0)
    assert rep.scalars["renew.adopted"] == 1
    s = security_series(rep)
    g, sup, kr, a, dpk, rr = 0.02, 0.05, 0.3, 0.2, 50.0, 0.1
    e0 = DEPLOYED + PI * P0
    uplift = 1.3 * 1.1  # "curfew" has no uplift
    e1 = uplift * DEPLOYED + PI * P0
    assert s["effective_force"].tolist() == pytest.approx([e0, e1, e1, e1], rel=1e-14)
    phi = G0 * (1 - C0) / (C0 * e0)
    # January: the force of the start.
    g1 = G0 * math.exp(g)
    c1 = C0 + a * (g1 / (g1 + phi * e0) - C0)
    k1 = round(K0 * g1 / G0)
    d1 = D0 * (1 - rr * (1 - c1)) + dpk * k1
    # February: x = (E - E0) / 1000 = 0.043.
    x = (e1 - e0) / 1000
    assert x == pytest.approx(0.043)
    g2 = g1 * math.exp(g - sup * x)
    c2 = c1 + a * (g2 / (g2 + phi * e1) - c1)
    k2 = round(K0 * (g2 / G0) * math.exp(-kr * x))
    d2 = d1 * (1 - rr * (1 - c2)) + dpk * k2
    # March.
    g3 = g2 * math.exp(g - sup * x)
    c3 = c2 + a * (g3 / (g3 + phi * e1) - c2)
    k3 = round(K0 * (g3 / G0) * math.exp(-kr * x))
    d3 = d2 * (1 - rr * (1 - c3)) + dpk * k3
    assert s["killings"][:3].tolist() == [k1, k2, k3]
    assert s["gang_strength"][:3] == pytest.approx([g1, g2, g3], rel=1e-12)
    assert s["gang_control"][:3] == pytest.approx([c1, c2, c3], rel=1e-12)
    assert s["displaced"][:3] == pytest.approx([d1, d2, d3], rel=1e-12)


def test_powers_of_the_mandate_at_the_start_count_from_the_start():
    data = base()
    data["mandate"]["powers"] = ["arrest_detain"]
    rep = mss_sim.simulate(scenario(data, powers={"arrest_detain": 0.25}), seed=0)
    e0 = 1.25 * DEPLOYED + PI * P0
    assert rep.series["effective_force"].tolist() == pytest.approx([e0] * 4, rel=1e-14)
    # The start is the balance at that force: x = 0 and the gangs grow at gang_growth.
    assert rep.series["gang_strength"][0] == pytest.approx(G0 * math.exp(0.02), rel=1e-12)


def test_contingents_count_with_their_weights():
    """KEN's 100 weigh 1.5 each and JAM's 50 one each (the default)."""
    data = base()
    data["mandate"]["powers"] = ["arrest_detain"]
    data["deployment"]["contributors"].append(
        {"country": "JAM", "pledged": 50, "initial_deployed": 50, "wave_size": 10}
    )
    sec = {"contingents": {"KEN": 1.5}, "powers": {"arrest_detain": 0.2}}
    rep = mss_sim.simulate(scenario(data, **sec), seed=0)
    assert rep.series["deployed"].tolist() == [150] * 4
    e0 = 1.2 * (1.5 * DEPLOYED + 1.0 * 50) + PI * P0
    assert rep.series["effective_force"].tolist() == pytest.approx([e0] * 4, rel=1e-14)


def test_unpaid_logistics_cut_the_mission_by_the_penalty():
    """Logistics cost money the mission does not have: every month's bills go
    unpaid and the mission counts 1 - logistics_penalty of its strength."""
    data = base()
    data["funding"]["costs"] = {
        "personnel_per_person_month_usd": 0,
        "logistics_per_person_month_usd": 1000,
    }
    data["funding"]["trust_fund"] = {"opening_balance_usd": 0}
    rep = mss_sim.simulate(scenario(data, logistics_penalty=0.4), seed=0)
    assert (rep.series["unpaid_obligations"] > 0).all()
    assert rep.series["deployed"].tolist() == [DEPLOYED] * 4
    s = security_series(rep)
    g, sup, kr, a, dpk, rr = 0.02, 0.05, 0.3, 0.2, 50.0, 0.1
    e0 = DEPLOYED + PI * P0
    e = (1 - 0.4) * DEPLOYED + PI * P0
    assert s["effective_force"].tolist() == pytest.approx([e] * 4, rel=1e-14)
    x = (e - e0) / 1000  # -0.04: the gangs grow faster, kill more
    phi = G0 * (1 - C0) / (C0 * e0)
    g1 = G0 * math.exp(g - sup * x)
    c1 = C0 + a * (g1 / (g1 + phi * e) - C0)
    k1 = round(K0 * (g1 / G0) * math.exp(-kr * x))
    d1 = D0 * (1 - rr * (1 - c1)) + dpk * k1
    g2 = g1 * math.exp(g - sup * x)
    c2 = c1 + a * (g2 / (g2 + phi * e) - c1)
    k2 = round(K0 * (g2 / G0) * math.exp(-kr * x))
    d2 = d1 * (1 - rr * (1 - c2)) + dpk * k2
    assert s["killings"][:2].tolist() == [k1, k2]
    assert s["gang_strength"][:2] == pytest.approx([g1, g2], rel=1e-12)
    assert s["gang_control"][:2] == pytest.approx([c1, c2], rel=1e-12)
    assert s["displaced"][:2] == pytest.approx([d1, d2], rel=1e-12)


def test_offensive_every_month_takes_ground_and_surges_killings():
    sec = {"offensive_hazard": 1.0, "offensive_control": 0.1, "offensive_killings": 0.5}
    rep = mss_sim.simulate(scenario(base(), **sec), seed=0)
    s = security_series(rep)
    g, a, dpk, rr = 0.02, 0.2, 50.0, 0.1
    e0 = DEPLOYED + PI * P0
    phi = G0 * (1 - C0) / (C0 * e0)
    g1 = G0 * math.exp(g)
    c1 = C0 + a * (g1 / (g1 + phi * e0) - C0)
    c1 = c1 + 0.1 * (1 - c1)
    k1 = round(K0 * (g1 / G0) * (1 + 0.5))
    d1 = D0 * (1 - rr * (1 - c1)) + dpk * k1
    g2 = g1 * math.exp(g)
    c2 = c1 + a * (g2 / (g2 + phi * e0) - c1)
    c2 = c2 + 0.1 * (1 - c2)
    k2 = round(K0 * (g2 / G0) * (1 + 0.5))
    d2 = d1 * (1 - rr * (1 - c2)) + dpk * k2
    assert s["killings"][:2].tolist() == [k1, k2]
    assert s["gang_strength"][:2] == pytest.approx([g1, g2], rel=1e-12)
    assert s["gang_control"][:2] == pytest.approx([c1, c2], rel=1e-12)
    assert s["displaced"][:2] == pytest.approx([d1, d2], rel=1e-12)
    offensives = rep.events_of("offensive")
    assert [e.date for e in offensives] == [
        dt.date(2025, 2, 1),
        dt.date(2025, 3, 1),
        dt.date(2025, 4, 1),
        dt.date(2025, 5, 1),
    ]
    assert offensives[0].details["killings"] == k1
    assert offensives[1].details["gang_control"] == pytest.approx(c2, rel=1e-12)


def test_no_offensive_without_hazard():
    rep = mss_sim.simulate(scenario(base(), offensive_control=0.5, offensive_killings=3.0), seed=1)
    assert rep.events_of("offensive") == []


def test_police_recruitment_and_attrition_in_closed_form():
    """P_k = P0 (1-a)^k + R (1 - (1-a)^k) / a; the month's force uses the police at
    its start, and the gangs' strength sums the months' suppression."""
    data = base()
    data["scenario"]["horizon_months"] = 6
    a, r = 0.05, 200.0
    g, sup = 0.02, 0.05
    rep = mss_sim.simulate(
        scenario(data, police_attrition=a, police_recruitment_per_month=r), seed=0
    )
    s = security_series(rep)
    police = [P0 * (1 - a) ** k + r * (1 - (1 - a) ** k) / a for k in range(7)]
    assert police[1] == pytest.approx(P0 * 0.95 + 200)
    assert s["police_available"] == pytest.approx(police[1:], rel=1e-12)
    force = [DEPLOYED + PI * p for p in police[:6]]
    assert s["effective_force"] == pytest.approx(force, rel=1e-12)
    x = [(f - force[0]) / 1000 for f in force]
    strength = [G0 * math.exp(g * n - sup * sum(x[:n])) for n in range(1, 7)]
    assert s["gang_strength"] == pytest.approx(strength, rel=1e-12)


# ---------------------------------------------------------------- casualties


@pytest.mark.parametrize(
    "mean", [0.1, 0.5, 1.0, 2.0, 3.7, 5.0, 10.0, 17.5, 25.0, 33.3, 50.0], ids=str
)
def test_poisson_quantile_is_scipys_ppf(mean):
    us = np.linspace(0.0005, 0.9995, 397)
    got = [poisson_quantile(float(u), mean) for u in us]
    assert got == stats.poisson.ppf(us, mean).astype(int).tolist()
    assert all(isinstance(k, int) for k in got)


def test_poisson_quantile_edge_cases():
    assert poisson_quantile(0.999, 0.0) == 0
    assert poisson_quantile(0.5, -1.0) == 0
    assert poisson_quantile(0.0, 3.0) == 0
    for u in (0.001, 0.1, 0.5, 0.9, 0.999):
        assert abs(poisson_quantile(u, 1000.0) - stats.poisson.ppf(u, 1000.0)) <= 3


def test_poisson_quantile_takes_every_uniform_number_at_a_large_mean():
    """The casualties' uniform number comes from Generator.random(), in [0, 1): 0 is
    a possible draw, and the smallest k with P(N <= k) >= 0 is 0 at any mean."""
    assert poisson_quantile(0.0, 400.0) == 0
    assert poisson_quantile(0.0, 1000.0) == 0
    assert poisson_quantile(1.0 - 2.0**-53, 1000.0) >= 1000


def test_mean_casualties_match_the_poisson_mean():
    """casualties_per_1000 * deployed / 1000 * level a month, the level growing with
    the gangs: the total over 300 replications of 4 months is Poisson."""
    data = base()
    data["deployment"]["contributors"][0]["pledged"] = 200
    data["deployment"]["contributors"][0]["initial_deployed"] = 200
    g, per_1000, runs = 0.2, 5.0, 300
    sc = scenario(data, gang_growth=g, casualties_per_1000=per_1000, killing_reduction=0.0)
    chunk = run_chunk(compile(sc), 11, 0, runs)
    names = compile(sc).series_names
    casualties = chunk.series[:, names.index("casualties"), :]
    assert (casualties == np.round(casualties)).all() and (casualties >= 0).all()
    # The force never changes (x = 0), so the level is G_k / G0 = e^(g k).
    means = [per_1000 * 200 / 1000 * math.exp(g * k) for k in (1, 2, 3, 4)]
    assert casualties.mean(axis=0) == pytest.approx(means, rel=0.25)
    low, high = stats.poisson.interval(0.999, runs * sum(means))
    assert low <= casualties.sum() <= high
    assert np.array_equal(
        chunk.scalars[:, compile(sc).scalar_names.index("casualties_total")],
        casualties.sum(axis=1),
    )
