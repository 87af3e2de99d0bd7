"""Any replication of a batch can be re-run alone with its event log, exactly."""

from __future__ import annotations

import numpy as np
import pytest

import mss_sim
from mss_sim.batch import BatchResult, replay, replay_result, typical_replication
from mss_sim.errors import ResultsError


@pytest.fixture(scope="module")
def gsf() -> mss_sim.Scenario:
    return mss_sim.load_scenario("gsf_2025")


def same_outputs(rep: mss_sim.Replication, result: BatchResult, row: int) -> None:
    for name, value in rep.scalars.items():
        assert np.array_equal(value, result.scalars[name][row], equal_nan=True), name
    for name, values in rep.series.items():
        assert values.tobytes() == result.series[name][row].tobytes(), name


def test_replay_is_the_batch_replication(gsf):
    result = mss_sim.run_batch(gsf, 6, seed=11)
    for i in (0, 5):
        rep = replay(gsf, seed=11, replication=i)
        assert rep.events
        same_outputs(rep, result, i)


def test_replay_result_reproduces_a_design_batch(gsf, tmp_path):
    result = mss_sim.run_batch(gsf, 8, seed=4, design="lhs", out=tmp_path / "lhs")
    loaded = BatchResult.load(tmp_path / "lhs")
    rep = replay_result(loaded, 6)
    same_outputs(rep, result, 6)
    # replay() draws the parameters itself, so for a design batch it is another run
    plain = replay(gsf, seed=4, replication=6)
    assert plain.parameters != rep.parameters


def test_the_scenario_kept_by_a_result(gsf, tmp_path):
    result = mss_sim.run_batch(gsf, 2, seed=1, out=tmp_path / "r")
    assert BatchResult.load(tmp_path / "r").scenario().content_hash() == gsf.content_hash()
    assert result.scenario().content_hash() == gsf.content_hash()


def test_replay_result_refuses_another_scenario_or_index(gsf):
    result = mss_sim.run_batch(gsf, 3, seed=1)
    other = gsf.with_values({"council.correlation": 0.1})
    with pytest.raises(ResultsError, match="not the one the batch ran"):
        replay_result(result, 0, scenario=other)
    with pytest.raises(IndexError, match="holds 0 to 2"):
        replay_result(result, 3)
    result.meta["scenario_spec"]["council"]["correlation"] = 0.1  # altered by hand
    with pytest.raises(ResultsError) as exc:
        replay_result(result, 0)
    assert str(exc.value) == (
        "the scenario the result keeps does not match its content hash (the result's "
        "metadata was altered): it cannot be re-run"
    )


def test_a_result_without_its_scenario(gsf):
    result = mss_sim.run_batch(gsf, 2, seed=1)
    bare = BatchResult(
        result.scalars,
        result.series,
        result.months,
        result.parameters,
        meta={k: v for k, v in result.meta.items() if k != "scenario_spec"},
    )
    with pytest.raises(ResultsError, match="keeps no scenario"):
        bare.scenario()
    rep = replay_result(bare, 1, scenario=gsf)
    same_outputs(rep, result, 1)


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_replay_checks_the_index(gsf, bad):
    with pytest.raises((TypeError, ValueError)):
        replay(gsf, seed=1, replication=bad)


def test_typical_replication_is_closest_to_the_median():
    values = np.array([5.0, np.nan, 9.0, 7.2, 6.8, 100.0])
    res = BatchResult(
        {"peak_deployed": values}, {}, np.array([], "datetime64[M]"), {}, meta={"runs": 6}
    )
    # the median of the five defined values is 7.2
    assert typical_replication(res) == 3
    ties = BatchResult({"x": np.array([1.0, 3.0, 2.0, 2.0])}, {}, res.months, {}, meta={})
    assert typical_replication(ties, "x") == 2  # 2.0 is the median; first of the tie
    with pytest.raises(ValueError, match="undefined in every"):
        typical_replication(BatchResult({"x": np.full(3, np.nan)}, {}, res.months, {}), "x")
    with pytest.raises(KeyError):
        typical_replication(res, "nope")
