"""The EMA Workbench adapter reproduces run_batch and runs EMA's own sampling."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import mss_sim

ema = pytest.importorskip("ema_workbench")
from mss_sim.ema import model  # noqa: E402

warnings.filterwarnings("ignore", message="ipyparallel not installed")


def evaluate(m, **kwargs):
    with ema.SequentialEvaluator(m) as evaluator:
        return ema.perform_experiments(m, evaluator=evaluator, **kwargs)


def test_experiments_carrying_the_replications_reproduce_run_batch(gsf):
    res = mss_sim.run_batch(gsf, 6, seed=3)
    m = model(gsf, seed=3)
    names = {u.name for u in m.uncertainties}
    assert names == set(res.parameters) | {"replication"}
    scenarios = [
        ema.Scenario(f"r{i}", replication=i, **{p: res.parameters[p][i] for p in res.parameters})
        for i in range(6)
    ]
    _, outcomes = evaluate(m, scenarios=scenarios)
    assert set(outcomes) == set(res.scalars)
    for name, values in res.scalars.items():
        assert np.asarray(outcomes[name], float).tobytes() == values.tobytes(), name


def test_ema_samples_uncertainties_and_the_policies_levers(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        'extends = "gsf_2025"\n\n[[policies]]\nname = "us_100m"\n'
        'values = { "funding.donors[USA].pledge_usd" = 1e8 }\n\n[[policies]]\nname = "no_us"\n'
        'values = { "funding.donors[USA].pledge_usd" = 0 }\n',
        encoding="utf-8",
    )
    scenario = mss_sim.load_scenario(path)
    m = model(scenario, seed=1, outputs=["peak_deployed", "received_usd.USA"])
    assert [lever.name for lever in m.levers] == ["funding.donors[USA].pledge_usd"]
    # The scenario's own (uncertain) pledge is a category of its own: the baseline.
    assert "scenario" in [c.value for c in m.levers[0].categories]
    experiments, outcomes = evaluate(
        m, scenarios=4, policies=[ema.Policy("none", **{"funding.donors[USA].pledge_usd": 0})]
    )
    assert len(experiments) == 4
    assert (outcomes["received_usd.USA"] == 0).all()
    assert (outcomes["peak_deployed"] > 0).all()
    with pytest.raises(KeyError, match="no scalar output 'nope'"):
        model(scenario, outputs=["nope"])
