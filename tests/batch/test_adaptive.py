"""Adaptive stopping: run_batch(until=..., max_runs=...)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

import mss_sim


def wilson_half_width(values: np.ndarray) -> float:
    ok = values[~np.isnan(values)]
    ci = stats.binomtest(int(ok.sum()), ok.size).proportion_ci(method="wilson")
    return (ci.high - ci.low) / 2


def mean_half_width(values: np.ndarray) -> float:
    ok = values[~np.isnan(values)]
    return float(stats.t.ppf(0.975, ok.size - 1) * stats.sem(ok))


def test_it_stops_with_every_half_width_under_target(gsf):
    until = {"gsf.adopted": 0.006, "peak_deployed": 55.0}
    res = mss_sim.run_batch(gsf, 50, seed=2, until=until, max_runs=20_000)
    report = res.meta["until"]
    assert report["met"] is True
    assert res.runs == report["runs"] > 50
    assert wilson_half_width(res.scalars["gsf.adopted"]) < 0.006
    assert mean_half_width(res.scalars["peak_deployed"]) < 55.0
    # It is the batch of that many runs: stopping adaptively changes only how many.
    fixed = mss_sim.run_batch(gsf, res.runs, seed=2)
    for name in ("peak_deployed", "gsf.adopted", "killings_total"):
        assert res.scalars[name].tobytes() == fixed.scalars[name].tobytes()
    # The round before the last had not met a target, and each round grew by at most 8x.
    rounds = report["rounds"]
    assert rounds[0] == 50 and rounds[-1] == res.runs and len(rounds) >= 2
    before = mss_sim.run_batch(gsf, rounds[-2], seed=2)
    assert (
        mean_half_width(before.scalars["peak_deployed"]) >= 55.0
        or wilson_half_width(before.scalars["gsf.adopted"]) >= 0.006
    )
    assert all(b <= 8 * a for a, b in itertools.pairwise(rounds))


def test_it_stops_at_max_runs_and_says_the_target_was_not_met(gsf, tmp_path):
    res = mss_sim.run_batch(
        gsf, 40, seed=3, until={"peak_deployed": 0.5}, max_runs=130, out=tmp_path / "b"
    )
    assert res.runs == 130
    assert res.meta["until"]["met"] is False
    assert res.meta["until"]["half_widths"]["peak_deployed"] >= 0.5
    # The store holds the runs made.
    assert mss_sim.BatchResult.load(tmp_path / "b").runs == 130


def test_a_target_met_at_once_adds_no_runs(gsf):
    res = mss_sim.run_batch(gsf, 30, seed=3, until={"peak_deployed": 1e9})
    assert res.runs == 30 and res.meta["until"]["met"] is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"until": {"peak_deployd": 5}}, "'peak_deployd' is not a scalar output"),
        ({"until": {"peak_deployed": 0}}, "must be a number > 0"),
        ({"until": {"peak_deployed": 5}, "design": "lhs"}, "Monte Carlo design only"),
        (
            {"until": {"peak_deployed": 5}, "max_runs": 10},
            r"max_runs must be an integer >= runs \(20\)",
        ),
        ({"max_runs": 100}, "max_runs= goes with until="),
    ],
)
def test_wrong_targets_are_refused(gsf, kwargs, message):
    with pytest.raises(ValueError, match=message):
        mss_sim.run_batch(gsf, 20, seed=1, **kwargs)


def test_the_command_stops_adaptively_and_says_so(tmp_path, capsys):
    from mss_sim.cli import main

    args = ["run", "gsf_2025", "--runs", "40", "--no-plots", "--no-progress"]
    out = ["--out", str(tmp_path / "u")]
    assert main([*args, *out, "--until", "peak_deployed=80", "--max-runs", "3000"]) == 0
    printed = capsys.readouterr().out
    assert "until: " in printed and "every target met" in printed
    assert main([*args, "--until", "peak_deployd=80"]) == 2
    assert "'peak_deployd' is not a scalar output" in capsys.readouterr().err


def test_a_money_target_is_in_dollars(gsf):
    res = mss_sim.run_batch(gsf, 20, seed=2, until={"total_received_usd": 20e6}, max_runs=400)
    report = res.meta["until"]
    width = mean_half_width(res.scalars["total_received_usd"])
    assert report["half_widths"]["total_received_usd"] == pytest.approx(width, rel=1e-9)
    assert report["met"] is (width < 20e6)
    assert width > 1e6  # dollars, not millions


def test_an_output_undefined_in_every_run_so_far_asks_for_more_runs():
    cuts = mss_sim.load_scenario("us_budget_cuts")
    first = mss_sim.run_batch(cuts, 10, seed=1)
    assert np.isnan(first.scalars["months_to_target"]).all()
    res = mss_sim.run_batch(cuts, 10, seed=1, until={"months_to_target": 1.0}, max_runs=25)
    assert res.runs == 25
    assert res.meta["until"]["met"] is False
