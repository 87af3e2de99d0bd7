"""How the security subsystem is wired into a replication: the bitwise rule with its
feedbacks off, what each feedback changes, and the feedbacks' exact semantics."""

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
from mss_sim.batch.chunk import ChunkData, run_chunk
from mss_sim.model import compile
from mss_sim.model.outputs import SECURITY_SCALARS, SECURITY_SERIES
from mss_sim.random import replication_seed
from mss_sim.scenario import load_raw, scenario_from_dict

ROOT = Path(__file__).parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
TINY = Path(__file__).with_name("tiny.toml")
RUNS = 100
SEED = 5
OFF = {"council": False, "donors": False, "contributors": False}


def with_feedback(sc: mss_sim.Scenario, **changes: Any) -> mss_sim.Scenario:
    """`sc` with some ``[security.feedback]`` values changed."""
    feedback = sc.security.feedback.model_copy(update=changes)
    return sc.model_copy(update={"security": sc.security.model_copy(update={"feedback": feedback})})


def with_security(sc: mss_sim.Scenario, **changes: Any) -> mss_sim.Scenario:
    """`sc` with some ``[security]`` values changed."""
    return sc.model_copy(update={"security": sc.security.model_copy(update=changes)})


def without_security(sc: mss_sim.Scenario) -> mss_sim.Scenario:
    return sc.model_copy(update={"security": None})


def chunk(sc: mss_sim.Scenario, runs: int = RUNS, seed: int = SEED) -> tuple[Any, ChunkData]:
    plan = compile(sc)
    out = run_chunk(plan, seed, 0, runs)
    assert out.failures == []
    return plan, out


def scalar(plan: Any, out: ChunkData, name: str) -> np.ndarray:
    return out.scalars[:, plan.scalar_names.index(name)]


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Bitwise equality (NaN equal to NaN of the same bits)."""
    return a.shape == b.shape and a.tobytes() == b.tobytes()


# ---------------------------------------------------------------- the bitwise rule


@pytest.fixture(scope="module", params=SCENARIOS, ids=lambda p: p.stem)
def bundled(request) -> mss_sim.Scenario:
    sc = mss_sim.load_scenario(request.param)
    assert sc.security is not None
    return sc


@pytest.fixture(scope="module")
def without(bundled) -> tuple[Any, ChunkData]:
    return chunk(without_security(bundled))


def test_feedback_off_leaves_every_other_output_bitwise_unchanged(bundled, without):
    plan, out = chunk(with_feedback(bundled, **OFF))
    plan0, out0 = without
    assert set(SECURITY_SERIES) <= set(plan.series_names)
    assert set(SECURITY_SCALARS) <= set(plan.scalar_names)
    assert not set(SECURITY_SERIES) & set(plan0.series_names)
    assert not set(SECURITY_SCALARS) & set(plan0.scalar_names)
    assert [n for n in plan.scalar_names if n not in SECURITY_SCALARS] == list(plan0.scalar_names)
    assert [n for n in plan.series_names if n not in SECURITY_SERIES] == list(plan0.series_names)
    for j, name in enumerate(plan0.scalar_names):
        i = plan.scalar_names.index(name)
        assert same(out.scalars[:, i], out0.scalars[:, j]), name
    for j, name in enumerate(plan0.series_names):
        i = plan.series_names.index(name)
        assert same(out.series[:, i, :], out0.series[:, j, :]), name
    paths = plan.parameters.paths
    others = [p for p in paths if not p.startswith("security.")]
    assert others == list(plan0.parameters.paths)
    assert len(others) < len(paths)
    for j, path in enumerate(plan0.parameters.paths):
        assert same(out.parameters[:, paths.index(path)], out0.parameters[:, j]), path
    # The security outputs are there, and move.
    killings = out.series[:, plan.series_names.index("killings"), :]
    assert np.isfinite(killings).all() and np.unique(killings).size > 1


def test_a_security_table_alone_changes_nothing_in_one_replication(bundled):
    """The same rule for simulate(): the event log too, but for the offensives."""
    off = mss_sim.simulate(with_feedback(bundled, **OFF), seed=123)
    none = mss_sim.simulate(without_security(bundled), seed=123)
    assert [e for e in off.events if e.kind != "offensive"] == list(none.events)
    for name, values in none.series.items():
        assert same(off.series[name], values), name


# ---------------------------------------------------------------- each feedback alone


@pytest.fixture(scope="module")
def gsf() -> mss_sim.Scenario:
    return mss_sim.load_scenario(ROOT / "scenarios" / "gsf_2025.toml")


@pytest.fixture(scope="module")
def gsf_without(gsf) -> tuple[Any, ChunkData]:
    return chunk(without_security(gsf), runs=300)


def donor_outcomes(plan: Any, out: ChunkData, sc: mss_sim.Scenario) -> np.ndarray:
    return np.array([scalar(plan, out, f"received_usd.{d.name}") for d in sc.funding.donors])


def renewal_outcomes(plan: Any, out: ChunkData) -> np.ndarray:
    names = [n for n in plan.scalar_names if n.startswith("gsf_renewal.")]
    return np.array([scalar(plan, out, n) for n in names])


def test_council_feedback_alone_moves_the_council_only(gsf, gsf_without):
    """gsf_2025's performance effect on the renewal reads the free share: some vote on
    the renewal changes; donors' receipts (independent of the Council here) do not."""
    plan0, out0 = gsf_without
    plan, out = chunk(with_feedback(gsf, **(OFF | {"council": True})), runs=300)
    assert not same(renewal_outcomes(plan, out), renewal_outcomes(plan0, out0))
    assert same(donor_outcomes(plan, out, gsf), donor_outcomes(plan0, out0, gsf))
    # The same replications with the switch off: every renewal outcome as without security.
    plan_off, out_off = chunk(with_feedback(gsf, **OFF), runs=300)
    assert same(renewal_outcomes(plan_off, out_off), renewal_outcomes(plan0, out0))


def test_donor_feedback_alone_moves_the_donors(gsf, gsf_without):
    plan0, out0 = gsf_without
    plan, out = chunk(with_feedback(gsf, **(OFF | {"donors": True})), runs=300)
    for donor in gsf.funding.donors:
        name = f"received_usd.{donor.name}"
        assert not same(scalar(plan, out, name), scalar(plan0, out0, name)), name


def test_contributor_feedback_alone_moves_the_force(gsf, gsf_without):
    plan0, out0 = gsf_without
    sc = with_security(gsf, casualties_per_1000=20.0)
    plan, out = chunk(with_feedback(sc, **(OFF | {"contributors": True})), runs=300)
    assert not same(scalar(plan, out, "deployed_at_end"), scalar(plan0, out0, "deployed_at_end"))
    assert same(donor_outcomes(plan, out, gsf), donor_outcomes(plan0, out0, gsf))


def casualty_withdrawals(sc: mss_sim.Scenario, seeds: range) -> list[mss_sim.Event]:
    plan = compile(sc)
    events = []
    for seed in seeds:
        rep = mss_sim.simulate(plan, seed)
        events += [e for e in rep.events_of("repatriated") if e.details["reason"] == "casualties"]
    return events


def test_casualties_withdraw_contingents_only_with_the_switch_on(gsf):
    """About 19 casualties a month among 950 and half a chance per casualty, each
    contingent weighted by its share of the personnel: Kenya (760 of 950) leaves
    after the first month with probability 1 - exp(-0.5 * 19 * 0.8), nearly surely;
    whoever leaves does so once and for good."""
    sc = with_security(gsf, casualties_per_1000=20.0)
    on = with_feedback(sc, **(OFF | {"contributors": True, "casualty_withdrawal": 0.5}))
    off = with_feedback(sc, **(OFF | {"casualty_withdrawal": 0.5}))
    assert casualty_withdrawals(on, range(3))
    initial = {c.country for c in gsf.deployment.contributors if c.initial_deployed}
    for seed in range(3):
        rep = mss_sim.simulate(on, seed)
        assert rep.series["casualties"][0] > 0
        left = [e for e in rep.events_of("repatriated") if e.details["reason"] == "casualties"]
        actors = [e.actor for e in left]
        assert len(actors) == len(set(actors))  # each leaves once
        first_month = {e.actor for e in left if e.date == dt.date(2025, 10, 1)}
        assert "KEN" in first_month and first_month <= initial
        for e in left:
            later = [d for d in rep.events_of("deployed") if d.actor == e.actor and d.day > e.day]
            assert later == [], e.actor
        assert rep.series["deployed"][0] <= 950 - 760
    assert casualty_withdrawals(off, range(3)) == []
    assert casualty_withdrawals(with_feedback(sc, **OFF), range(3)) == []


# ---------------------------------------------------------------- the feedbacks' semantics

TINY_SECURITY: dict[str, Any] = {
    "gang_control": 0.6,
    "killings_per_month": 400,
    "displaced": 100_000,
    "gang_strength": 10_000,
    "police_available": 5_000,
    "control_adjustment": 0.0,  # gang control stays where it starts
}


def tiny_data() -> dict[str, Any]:
    """tiny.toml with a force of 100 of a ceiling of 250 throughout the vote."""
    data = copy.deepcopy(load_raw(TINY))
    data["mandate"]["ceiling"] = 250
    data["deployment"]["contributors"][0]["pledged"] = 100
    return data


def council_scenario(
    gang_control: float | None, reference: float, *, effect: bool = True
) -> mss_sim.Scenario:
    """A renewal whose adoption is uncertain and moved by the ``performance`` factor.

    Every member votes yes or abstains half and half; the renewal needs nine yes.
    `gang_control` None: no ``[security]`` table.
    """
    data = tiny_data()
    council = data["council"]
    council["propensities"] = {"default": {"renewal": [0.5, 0.5, 0.0]}}
    if effect:
        council["effects"] = [{"factor": "performance", "size": 1.0, "kinds": ["renewal"]}]
    council["context"] = {"performance_reference": 0.2}  # the force's share is 0.4
    council["drafts"] = [
        {"id": "renew", "date": dt.date(2025, 2, 10), "kind": "renewal", "duration_months": 12}
    ]
    if gang_control is not None:
        feedback = OFF | {"council": True, "performance_reference": reference}
        data["security"] = TINY_SECURITY | {"gang_control": gang_control, "feedback": feedback}
    return scenario_from_dict(data, source="tiny.toml")


def renew_outcomes(sc: mss_sim.Scenario) -> np.ndarray:
    plan, out = chunk(sc, runs=300, seed=3)
    names = [n for n in plan.scalar_names if n.startswith("renew.")]
    return np.array([scalar(plan, out, n) for n in names])


def adoption_rate(sc: mss_sim.Scenario) -> float:
    plan, out = chunk(sc, runs=300, seed=3)
    return float(scalar(plan, out, "renew.adopted").mean())


def test_performance_factor_is_the_free_share_less_the_reference():
    """(1 - 0.6) - 0.2 with the feedback equals 100 / 250 - 0.2 without it: every
    vote of 300 replications is the same; with the factor at 0 it is as if the
    effect were not there."""
    by_force = renew_outcomes(council_scenario(None, 0.0))
    by_security = renew_outcomes(council_scenario(0.6, 0.2))
    assert same(by_force, by_security)
    adopted = by_force[0]
    assert 0.1 < adopted.mean() < 0.9  # the comparison means something
    no_effect = renew_outcomes(council_scenario(None, 0.0, effect=False))
    assert same(renew_outcomes(council_scenario(0.6, 0.4)), no_effect)
    assert not same(no_effect, by_force)


def test_gang_control_below_the_reference_helps_the_renewal_and_above_hurts_it():
    free_above = adoption_rate(council_scenario(0.3, 0.4))  # factor +0.3
    at_reference = adoption_rate(council_scenario(0.6, 0.4))  # 0
    free_below = adoption_rate(council_scenario(0.9, 0.4))  # -0.3
    assert free_above > at_reference + 0.1
    assert at_reference > free_below + 0.1


def donor_scenario(gang_control: float, donor: dict[str, Any], **feedback: Any) -> mss_sim.Scenario:
    data = tiny_data()
    data["funding"]["donors"] = [{"name": "CAN", "pledge_usd": 500_000, **donor}]
    data["security"] = TINY_SECURITY | {
        "gang_control": gang_control,
        "feedback": OFF | {"donors": True} | feedback,
    }
    return scenario_from_dict(data, source="tiny.toml")


def test_donors_renege_as_the_shifted_honour_probability_says():
    """Honour probability 1 + 1 * ((1 - 0.2) - 1.0) = 0.8: a fifth of the donors renege."""
    runs = 400
    donor = {"tranches": 1, "honour_probability": 1.0}
    sc = donor_scenario(0.2, donor, donor_sensitivity=1.0, performance_reference=1.0)
    plan, out = chunk(sc, runs=runs, seed=8)
    received = scalar(plan, out, "received_usd.CAN")
    assert set(received.tolist()) == {0.0, 500_000.0}
    reneged = int((received == 0).sum())
    ci = stats.binomtest(reneged, runs, 0.2).proportion_ci(confidence_level=0.999)
    assert ci.low <= 0.2 <= ci.high
    # A replication in which the donor paid nothing logs that it reneged.
    rep = next(
        mss_sim.simulate(plan, replication_seed(8, i)) for i in range(runs) if received[i] == 0
    )
    assert [e.actor for e in rep.events_of("reneged")] == ["CAN"]
    # Without the feedback a certain donor always pays.
    plan_off, out_off = chunk(with_feedback(sc, donors=False), runs=runs, seed=8)
    assert (scalar(plan_off, out_off, "received_usd.CAN") == 500_000).all()


@pytest.mark.parametrize(
    ("gang_control", "elasticity", "reference"),
    [(0.6, 0.5, 0.25), (0.3, 1.5, 0.5), (0.9, 0.7, 0.25), (0.6, 2.0, 1.0)],
)
def test_a_later_pledge_is_scaled_by_the_free_share(gang_control, elasticity, reference):
    """received = pledge * max(0, 1 + e * (free - reference)), to the cent."""
    donor = {"tranches": 1, "pledge_date": dt.date(2025, 2, 5)}
    feedback = {"donor_sensitivity": 0.0, "pledge_elasticity": elasticity}
    sc = donor_scenario(gang_control, donor, performance_reference=reference, **feedback)
    scale = max(0.0, 1 + elasticity * ((1 - gang_control) - reference))
    expected = round(500_000 * 100 * scale) / 100
    for seed in (0, 1):
        rep = mss_sim.simulate(sc, seed)
        assert rep.scalars["received_usd.CAN"] == expected
        assert rep.events_of("pledge")[0].details["cents"] == round(expected * 100)
    if gang_control == 0.6 and elasticity == 0.5:
        assert expected == 537_500.0
    if reference == 1.0:
        assert expected == 0.0


def test_the_pledge_reads_the_gang_control_of_the_last_month_end():
    """Gang control moves in January (growth, adjustment 0.5): a pledge on 5 Feb is
    scaled by the free share at the end of January, not at the start."""
    donor = {"tranches": 1, "pledge_date": dt.date(2025, 2, 5)}
    data = tiny_data()
    data["funding"]["donors"] = [{"name": "CAN", "pledge_usd": 500_000, **donor}]
    c0, g = 0.6, 0.1
    data["security"] = TINY_SECURITY | {
        "gang_control": c0,
        "gang_growth": g,
        "control_adjustment": 0.5,
        "feedback": OFF | {"donors": True, "pledge_elasticity": 2.0, "donor_sensitivity": 0.0},
    }
    rep = mss_sim.simulate(scenario_from_dict(data), 0)
    # Force unchanged: C* = G1 / (G1 + G0 (1 - C0) / C0) with G1 = G0 e^g.
    target = math.exp(g) / (math.exp(g) + (1 - c0) / c0)
    c1 = c0 + 0.5 * (target - c0)
    assert rep.series["gang_control"][0] == pytest.approx(c1, rel=1e-12)
    scale = 1 + 2.0 * ((1 - c1) - 0.25)
    assert rep.scalars["received_usd.CAN"] == round(50_000_000 * scale) / 100


# ---------------------------------------------------------------- common random numbers

NOISY = TINY_SECURITY | {
    "gang_growth": 0.01,
    "control_adjustment": 0.2,
    "gang_noise": 0.1,
    "violence_noise": 0.3,
    "offensive_hazard": 0.3,
    "offensive_killings": 0.5,
    "offensive_control": 0.05,
    "casualties_per_1000": 5.0,
    "feedback": OFF,
}
SITUATION = ("gang_control", "gang_strength", "killings", "displaced", "effective_force")


def noisy(**changes: Any) -> dict[str, Any]:
    data = tiny_data()
    data["security"] = NOISY | changes
    return data


def situation(data: dict[str, Any]) -> np.ndarray:
    plan, out = chunk(scenario_from_dict(data), runs=50, seed=9)
    return np.array([out.series[:, plan.series_names.index(n), :] for n in SITUATION])


def test_a_parameter_or_a_donor_more_shifts_no_security_draw():
    """The casualties' rate moves only the casualties; a donor more takes its number
    after every month's: the gangs, killings and displacement stay bitwise the same."""
    reference = situation(noisy())
    assert np.unique(reference[2]).size > 20  # noisy killings
    assert same(situation(noisy(casualties_per_1000=0.5)), reference)
    data = noisy()
    data["funding"]["donors"].append({"name": "USA", "pledge_usd": 1_000, "tranches": 1})
    assert same(situation(data), reference)
    assert not same(situation(noisy(offensive_hazard=0.6)), reference)


def test_casualty_withdrawals_weigh_each_contingent_by_its_share():
    """Over many months of 10 casualties, a contingent of 90 among 100 leaves with
    probability 1 - exp(-0.05 * 10 * 0.9) after each, one of 10 with 1 - exp(-0.05)."""
    force = _two_contingents()
    k, casualties, trials = 0.05, 10, 4000
    rng = np.random.default_rng(11)
    left = {"AAA": 0, "BBB": 0}
    for _ in range(trials):
        for c, n in zip(force.contingents, (90, 10), strict=True):
            c.deployed, c.withdrawn = n, False
        force._strength.deployed = 100
        force.casualty_withdrawals(casualties, k, rng.random(2).tolist())
        for c in force.contingents:
            left[c.country] += c.withdrawn
    for country, share in (("AAA", 0.9), ("BBB", 0.1)):
        p = -math.expm1(-k * casualties * share)
        ci = stats.binomtest(left[country], trials, p).proportion_ci(confidence_level=0.999)
        assert ci.low <= p <= ci.high, (country, left[country] / trials, p)


def _two_contingents() -> Any:
    """A Force of two contingents with stand-ins for what removing personnel touches."""
    from types import SimpleNamespace

    from mss_sim.model.deployment import Contingent, Force

    force = Force.__new__(Force)
    force.contingents = [
        Contingent("AAA", 90, 90, True, 10, 30.0, 0.0, 0.0, 0.0),
        Contingent("BBB", 10, 10, False, 10, 30.0, 0.0, 0.0, 0.0),
    ]
    force._strength = SimpleNamespace(deployed=100)
    force._bus = SimpleNamespace(before_change=lambda: None, announce_reduced=lambda _: None)
    force._log = SimpleNamespace(record=False)
    return force
