"""Invariants over many random replications of every bundled scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mss_sim
from mss_sim.model import SERIES, STANDARD_SCALARS
from mss_sim.random import replication_seed

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.toml"))
RUNS = 300


@pytest.fixture(scope="module", params=SCENARIOS, ids=lambda p: p.stem)
def batch(request) -> tuple[mss_sim.Scenario, mss_sim.BatchResult]:
    scenario = mss_sim.load_scenario(request.param)
    return scenario, mss_sim.run_batch(scenario, RUNS, seed=2024)


def cents(x: np.ndarray) -> np.ndarray:
    return np.rint(x * 100).astype(np.int64)


def test_no_replication_failed(batch):
    _, res = batch
    assert res.failures == ()
    assert all(np.isfinite(res.series[k]).all() for k in SERIES)


def overdraft(scenario: mss_sim.Scenario, res: mss_sim.BatchResult, account: str) -> np.ndarray:
    """Each replication's overdraft limit of `account` (0 for in-kind accounts)."""
    if account not in ("trust_fund", "assessed"):
        return np.zeros(res.runs)
    path = f"funding.{account}.overdraft_usd"
    if path in res.parameters:
        return res.parameters[path]
    return np.full(res.runs, getattr(scenario.funding, account).overdraft_usd)


def pre_start(scenario: mss_sim.Scenario, res: mss_sim.BatchResult) -> np.ndarray:
    """Each replication's trust fund receipts before the start."""
    fund = scenario.funding.trust_fund
    key = "opening_balance_usd" if fund.received_before_usd is None else "received_before_usd"
    path = f"funding.trust_fund.{key}"
    if path in res.parameters:
        return res.parameters[path]
    return np.full(res.runs, getattr(fund, key))


def test_money_is_conserved_to_the_cent(batch):
    scenario, res = batch
    s = res.series
    accounts = scenario.funding.accounts()
    for total, kind in [("cash_balance", "balance"), ("received_cum", "received_cum")]:
        parts = sum(cents(s[f"{kind}.{a}"]) for a in accounts)
        assert np.array_equal(parts, cents(s[total]))
    assert np.array_equal(sum(cents(s[f"spent_cum.{a}"]) for a in accounts), cents(s["spent_cum"]))
    for a in accounts:
        assert np.array_equal(
            cents(s[f"received_cum.{a}"]) - cents(s[f"spent_cum.{a}"]), cents(s[f"balance.{a}"])
        )
        floor = -cents(overdraft(scenario, res, a))
        assert (cents(s[f"balance.{a}"]) >= floor[:, None]).all(), a
        assert (np.diff(s[f"spent_cum.{a}"], axis=1) >= 0).all()
    # No rescissions are bundled: receipts fall only by trust fund money a hold
    # returns (mss_2024: the US money the January 2025 freeze held).
    amounts = [shock.amount_usd for shock in scenario.funding.shocks if shock.kind == "hold"]
    assert all(isinstance(a, float) for a in amounts)  # the bundled holds are fixed amounts
    returnable = round(sum(a for a in amounts if isinstance(a, float)) * 100)
    falls = -np.minimum(np.diff(cents(s["received_cum"]), axis=1), 0).sum(axis=1)
    assert (falls <= returnable).all()
    assert (s["unpaid_obligations"] >= 0).all()
    assert (s["arrears_assessed"] >= 0).all()
    sc = res.scalars
    assert np.array_equal(cents(sc["total_received_usd"]), cents(s["received_cum"][:, -1]))
    assert np.array_equal(cents(sc["total_spent_usd"]), cents(s["spent_cum"][:, -1]))
    # Receipts are the donors', the assessed contributions and the trust fund's before the start.
    donors = sum(cents(sc[f"received_usd.{d.name}"]) for d in scenario.funding.donors)
    assessed = cents(s["received_cum.assessed"][:, -1])
    returned = donors + assessed + cents(pre_start(scenario, res)) - cents(sc["total_received_usd"])
    assert ((returned >= 0) & (returned <= returnable)).all()
    assert (returned > 0).any() == (returnable > 0)
    covered = sc["share_of_costs_covered"]
    assert ((covered > 0) & (covered <= 1)).all()
    first = sc["first_shortfall_month"]
    assert np.array_equal(np.isnan(first), sc["shortfall_months"] == 0)
    finite = np.isfinite(first)
    assert ((first[finite] >= 1) & (first[finite] <= scenario.scenario.horizon_months)).all()
    months_left = scenario.scenario.horizon_months - first[finite] + 1
    assert (sc["shortfall_months"][finite] <= months_left).all()


def test_strength_within_ceiling_and_zero_without_mandate(batch):
    _, res = batch
    deployed, ceiling, active = (res.series[k] for k in ("deployed", "ceiling", "mandate_active"))
    assert (deployed >= 0).all()
    assert (deployed <= ceiling).all()
    assert (deployed[active == 0] == 0).all()
    assert (ceiling[active == 0] == 0).all()
    assert (res.scalars["peak_deployed"] >= deployed.max(axis=1)).all()


def test_scalars_are_consistent(batch):
    scenario, res = batch
    sc = res.scalars
    assert list(sc) == list(mss_sim.model.scalar_names(scenario))
    for name in STANDARD_SCALARS:
        assert name in sc
    assert np.array_equal(sc["deployed_at_end"], res.series["deployed"][:, -1])
    assert np.array_equal(sc["mandate_active_at_end"], res.series["mandate_active"][:, -1])
    drafts = scenario.council.drafts
    for total, name in [("drafts_adopted", "adopted"), ("drafts_vetoed", "vetoed")]:
        assert np.array_equal(sc[total], sum(np.nan_to_num(sc[f"{d.id}.{name}"]) for d in drafts))
    withdrawn = sum(np.nan_to_num(sc[f"{d.id}.withdrawn"]) for d in drafts)
    assert np.array_equal(sc["drafts_withdrawn"], withdrawn)
    vetoes = 0
    for d in drafts:
        tabled = np.isfinite(sc[f"{d.id}.adopted"])
        held = sc[f"{d.id}.vote_held"] == 1
        for name in ("adopted", "vetoed", "failed", "withdrawn", "softened", "vote_held"):
            assert np.array_equal(np.isfinite(sc[f"{d.id}.{name}"]), tabled)
        for name in ("yes", "no", "abstain"):
            assert np.array_equal(np.isfinite(sc[f"{d.id}.{name}"]), held)
        assert (sc[f"{d.id}.yes"] + sc[f"{d.id}.no"] + sc[f"{d.id}.abstain"])[held].tolist() == [
            15.0
        ] * held.sum()
        ballots = np.array([v for k, v in sc.items() if k.startswith(f"{d.id}.vote.")])
        assert np.array_equal(np.isfinite(ballots).sum(axis=0), np.where(held, 15, 0))
        assert np.array_equal(np.nansum(ballots == 1, axis=0)[held], sc[f"{d.id}.yes"][held])
        assert np.array_equal(np.nansum(ballots == -1, axis=0)[held], sc[f"{d.id}.no"][held])
        by = np.array([sc[f"{d.id}.vetoed_by.{m}"] for m in scenario.council.permanent])
        assert np.array_equal(np.isfinite(by).all(axis=0), tabled)
        assert np.array_equal(by.max(axis=0)[tabled], sc[f"{d.id}.vetoed"][tabled])
        vetoes = vetoes + np.nan_to_num(by).sum(axis=0)
        # An adopted draft had a vote with nine yes (its last); a draft that was not
        # adopted was withdrawn, vetoed or failed; vetoes and failures need a vote.
        assert (sc[f"{d.id}.yes"][sc[f"{d.id}.adopted"] == 1] >= 9).all()
        lost = tabled & (sc[f"{d.id}.adopted"] == 0)
        ended = sc[f"{d.id}.withdrawn"] + sc[f"{d.id}.vetoed"] + sc[f"{d.id}.failed"]
        assert (ended[lost] >= 1).all()
        assert held[(sc[f"{d.id}.vetoed"] == 1) | (sc[f"{d.id}.failed"] == 1)].all()
        assert (sc[f"{d.id}.softened"][tabled] <= len(d.soften)).all()
    assert (sc["vetoes_cast"] >= vetoes).all()
    assert set(np.unique(sc["mandate_lapsed"])) <= {0.0, 1.0}
    horizon_days = (scenario.scenario.end - scenario.scenario.start).days
    idle = sc["days_without_mandate"]
    assert ((idle >= 0) & (idle <= horizon_days)).all()
    # A mandate that never lapsed (and was active at the start) leaves no idle days.
    assert (idle[sc["mandate_lapsed"] == 0] == 0).all()
    assert (idle[res.series["mandate_active"].min(axis=1) == 0] > 0).all()
    assert (sc["shortfall_months"] <= scenario.scenario.horizon_months).all()
    finite = np.isfinite(sc["months_to_half_ceiling"])
    assert (sc["months_to_half_ceiling"][finite] >= 0).all()


def test_parameters_are_drawn_within_their_supports(batch):
    scenario, res = batch
    for path, dist in scenario.uncertain_parameters().items():
        lo, hi = dist.support()
        values = res.parameters[path]
        assert ((values >= lo) & (values <= hi)).all(), path
        assert np.unique(values).size > 1, path


def test_replication_can_be_rerun_alone(batch):
    scenario, res = batch
    for index in (0, 17, RUNS - 1):
        rep = mss_sim.simulate(scenario, replication_seed(2024, index))
        for name in res.scalars:
            assert np.array_equal(res.scalars[name][index], rep.scalars[name], equal_nan=True)
        for name in res.series:
            assert np.array_equal(res.series[name][index], rep.series[name])
        for path in res.parameters:
            assert res.parameters[path][index] == rep.parameters[path]


def test_event_log_is_ordered_and_typed(batch):
    scenario, _ = batch
    rep = mss_sim.simulate(scenario, seed=5)
    days = [e.day for e in rep.events]
    assert days == sorted(days)
    for e in rep.events:
        assert (e.date - scenario.scenario.start).days == int(e.day)
    came_up = [e.actor for e in rep.events if e.kind in ("vote", "withdrawn", "not_tabled")]
    assert list(dict.fromkeys(came_up)) == [d.id for d in scenario.council.drafts]
