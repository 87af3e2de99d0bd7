"""Sensitivity analysis: Sobol' indices from a Saltelli design, delta from any batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mss_sim
from mss_sim.analysis.sensitivity import delta_indices, sobol_indices
from mss_sim.batch.design import design_points
from mss_sim.cli import main
from mss_sim.scenario import load_raw, merge, scenario_from_dict
from mss_sim.scenario.distributions import parse_uncertain

ROOT = Path(__file__).parents[2]
PLEDGE = "funding.donors[CAN].pledge_usd"
CORRELATION = "council.correlation"


def driven() -> mss_sim.Scenario:
    """tiny.toml where the Canadian pledge drives the money and the climate of votes does not."""
    changes = {
        "funding": {
            "donors": [
                {
                    **load_raw(ROOT / "tests/model/tiny.toml")["funding"]["donors"][0],
                    "pledge_usd": {"dist": "uniform", "low": 0, "high": 1e6},
                }
            ]
        },
        "council": {"correlation": {"dist": "uniform", "low": 0.0, "high": 0.4}},
    }
    return scenario_from_dict(merge(load_raw(ROOT / "tests/model/tiny.toml"), changes), source="t")


class _Batch:
    """The parts of a BatchResult the analysis reads."""

    def __init__(self, parameters, scalars, design):
        self.parameters, self.scalars, self.meta = parameters, scalars, {"design": design}


def test_sobol_indices_of_the_ishigami_function_match_its_known_values():
    # Through the batch's path: the Saltelli design's uniforms, a uniform(-pi, pi)
    # parameter's quantile function, then the indices.
    n, d = 2048, 3
    points = design_points("saltelli", n * (d + 2), d, seed=5)
    dist = parse_uncertain({"dist": "uniform", "low": -np.pi, "high": np.pi})
    x = np.vectorize(dist.ppf)(points)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    batch = _Batch({f"x{i + 1}": x[:, i] for i in range(d)}, {"y": y}, "saltelli")
    sens = sobol_indices(batch, "y", seed=1)
    rows = {r.name: r for r in sens.rows}
    known_first = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
    known_total = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
    for name in rows:
        assert rows[name].first == pytest.approx(known_first[name], abs=0.04), name
        assert rows[name].total == pytest.approx(known_total[name], abs=0.04), name
    assert sens.ranked == ["x1", "x2", "x3"]


def test_the_parameter_that_drives_an_output_comes_first():
    scenario = driven()
    assert set(scenario.uncertain_parameters()) == {PLEDGE, CORRELATION}
    saltelli = mss_sim.run_batch(scenario, 128 * 4, seed=3, design="saltelli")
    sobol = sobol_indices(saltelli, "total_received_usd")
    assert sobol.ranked[0] == PLEDGE
    first = {r.name: r for r in sobol.rows}
    assert first[PLEDGE].total == pytest.approx(1.0, abs=0.05)
    assert abs(first[CORRELATION].total) < 0.02
    mc = mss_sim.run_batch(scenario, 400, seed=3)
    delta = delta_indices(mc, "total_received_usd", resamples=20)
    assert delta.ranked[0] == PLEDGE
    assert delta.rows[0].total > 5 * max(delta.rows[1].total, 0.01)
    assert "total_received_usd: delta indices from 400 runs" in str(delta)


def test_wrong_uses_say_what_to_do(gsf):
    mc = mss_sim.run_batch(driven(), 20, seed=1)
    with pytest.raises(ValueError, match="design='saltelli'"):
        sobol_indices(mc, "total_received_usd")
    res = mss_sim.run_batch(gsf, 30, seed=1)
    with pytest.raises(ValueError, match="pass fill="):
        delta_indices(res, "months_to_target")
    delta_indices(res, "months_to_target", fill=24.0, resamples=5)
    with pytest.raises(KeyError, match="no scalar output 'nope'"):
        delta_indices(res, "nope")
    with pytest.raises(
        ValueError, match=r"N x \(d \+ 2\) replications .* d = 2 parameters: 256, 512"
    ):
        mss_sim.run_batch(driven(), 100, seed=1, design="saltelli")


def test_the_command_ranks_and_plots(tmp_path, capsys):
    out = tmp_path / "r"
    mss_sim.run_batch(driven(), 256, seed=2, design="saltelli", out=out)
    png = tmp_path / "sens.png"
    assert (
        main(["sensitivity", str(out), "--output", "total_received_usd", "--plot", str(png)]) == 0
    )
    printed = capsys.readouterr().out
    assert "total_received_usd: sobol indices from 256 runs" in printed
    assert printed.index(PLEDGE) < printed.index(CORRELATION)
    assert png.stat().st_size > 5000
    assert main(["sensitivity", str(out), "--output", "nope"]) == 2
