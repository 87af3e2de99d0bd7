"""Seeding contract, backend/worker/chunk invariance and failure isolation."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest

import mss_sim
import mss_sim.batch.chunk as chunk_module
from mss_sim.random import replication_seed

ROOT = Path(__file__).parents[2]
RUNS = 24


@pytest.fixture(scope="module")
def reference(gsf) -> mss_sim.BatchResult:
    return mss_sim.run_batch(gsf, RUNS, seed=11)


def assert_identical(a: mss_sim.BatchResult, b: mss_sim.BatchResult) -> None:
    assert list(a.scalars) == list(b.scalars)
    for group in ("scalars", "series", "parameters"):
        x, y = getattr(a, group), getattr(b, group)
        assert list(x) == list(y)
        for name in x:
            # Bitwise: same bytes, NaN in the same places.
            assert x[name].tobytes() == y[name].tobytes(), (group, name)
    assert np.array_equal(a.months, b.months)
    assert a.failures == b.failures


@pytest.mark.parametrize("chunk_size", [1, 5, 7, 100])
def test_serial_chunk_size_does_not_matter(gsf, reference, chunk_size):
    assert_identical(reference, mss_sim.run_batch(gsf, RUNS, seed=11, chunk_size=chunk_size))


@pytest.mark.parametrize(("workers", "chunk_size"), [(1, None), (2, 5), (2, 1)])
def test_process_backend_is_bitwise_identical(gsf, reference, workers, chunk_size):
    res = mss_sim.run_batch(
        gsf, RUNS, seed=11, backend="process", workers=workers, chunk_size=chunk_size
    )
    assert_identical(reference, res)


def test_prefix_of_a_longer_batch_is_the_same(gsf, reference):
    longer = mss_sim.run_batch(gsf, RUNS + 9, seed=11)
    for name, values in reference.scalars.items():
        assert values.tobytes() == longer.scalars[name][:RUNS].tobytes()


def test_replication_seed_is_the_spawned_child():
    for index in (0, 3, 99):
        expected = np.random.SeedSequence(5).spawn(index + 1)[index].generate_state(4)
        assert np.array_equal(replication_seed(5, index).generate_state(4), expected)


def test_different_seeds_differ(gsf, reference):
    other = mss_sim.run_batch(gsf, RUNS, seed=12)
    assert not np.array_equal(
        reference.parameters["funding.trust_fund.opening_balance_usd"],
        other.parameters["funding.trust_fund.opening_balance_usd"],
    )


def test_common_random_numbers_across_scenarios(gsf, reference):
    cuts = mss_sim.load_scenario(ROOT / "scenarios" / "us_budget_cuts.toml")
    res = mss_sim.run_batch(cuts, RUNS, seed=11)
    shared = set(reference.parameters) & set(res.parameters)
    assert "funding.costs.personnel_per_person_month_usd" in shared
    for path in shared:
        assert np.array_equal(reference.parameters[path], res.parameters[path]), path
    # The shocks only remove US money: receipts never exceed the baseline's.
    assert (
        res.scalars["total_received_usd"] <= reference.scalars["total_received_usd"] + 1e-6
    ).all()


def test_metadata(gsf, reference):
    meta = reference.meta
    assert meta["scenario"] == "gsf_2025"
    assert meta["scenario_hash"] == gsf.content_hash()
    assert (meta["seed"], meta["runs"], meta["replications"]) == (11, RUNS, [0, RUNS])
    assert meta["version"] == mss_sim.__version__
    assert reference.runs == RUNS
    assert reference.months[0] == np.datetime64("2025-09")
    assert reference.series["deployed"].shape == (RUNS, 24)


def test_failed_replication_keeps_the_others(gsf, reference, monkeypatch):
    real = chunk_module.run

    def flaky(plan, seed, **kwargs):
        if seed.spawn_key == (5,):
            raise RuntimeError("boom")
        return real(plan, seed, **kwargs)

    monkeypatch.setattr(chunk_module, "run", flaky)
    res = mss_sim.run_batch(gsf, RUNS, seed=11, chunk_size=4)
    assert [f.index for f in res.failures] == [5]
    assert "RuntimeError: boom" in res.failures[0].error
    for name, values in res.scalars.items():
        assert np.isnan(values[5])
        keep = np.arange(RUNS) != 5
        assert values[keep].tobytes() == reference.scalars[name][keep].tobytes()
    assert np.isnan(res.series["deployed"][5]).all()
    assert "peak_deployed" in str(res.summary())


def test_all_failures_raise(gsf, monkeypatch):
    def broken(plan, seed, **kwargs):
        raise ValueError("nothing works")

    monkeypatch.setattr(chunk_module, "run", broken)
    with pytest.raises(mss_sim.SimulationError, match=r"all 3 replications.*nothing works"):
        mss_sim.run_batch(gsf, 3, seed=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"runs": 0}, "runs must be a positive integer"),
        ({"runs": 2.5}, "runs must be a positive integer"),
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"seed": 1.5}, "seed must be a non-negative integer"),
        ({"backend": "threads"}, "backend must be one of 'serial', 'process', 'dask'"),
        ({"workers": 0}, "workers must be a positive integer"),
        ({"chunk_size": 0}, "chunk_size must be a positive integer"),
        ({"resume": True}, "need a results directory"),
        ({"address": "tcp://x:1"}, "for backend='dask'"),
    ],
)
def test_bad_arguments(gsf, kwargs, message):
    args = {"runs": 2, "seed": 0} | kwargs
    runs = args.pop("runs")
    with pytest.raises(ValueError, match=message):
        mss_sim.run_batch(gsf, runs, **args)


def test_scenario_type_is_checked():
    with pytest.raises(TypeError, match="load_scenario"):
        mss_sim.run_batch("scenarios/gsf_2025.toml", 2, seed=0)  # type: ignore[arg-type]


def test_progress_bar_only_when_asked_or_on_a_terminal(gsf, capsys):
    mss_sim.run_batch(gsf, 4, seed=0, chunk_size=2, progress=True)
    assert "4/4" in capsys.readouterr().err
    # Under pytest standard error is not a terminal: no bar by default.
    mss_sim.run_batch(gsf, 4, seed=0)
    assert capsys.readouterr().err == ""


class _SignalsWhenCollected:
    """An object whose finaliser sends SIGINT: Python ignores what a finaliser raises."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_signal_whose_interrupt_a_finaliser_swallowed_still_stops_the_batch(monkeypatch, gsf):
    calls = []

    def run_chunk(*args):
        calls.append(args)
        chunk = real_run_chunk(*args)
        if len(calls) == 2:
            _SignalsWhenCollected()  # collected at once: the interrupt is lost in __del__
        return chunk

    real_run_chunk = mss_sim.batch.runner.run_chunk
    monkeypatch.setattr(mss_sim.batch.runner, "run_chunk", run_chunk)
    with pytest.raises(mss_sim.BatchInterrupted, match="interrupted by SIGINT") as caught:
        mss_sim.run_batch(gsf, 40, seed=1, chunk_size=5, progress=False)
    # The second chunk was delivered, then the batch stopped.
    assert len(calls) == 2
    assert caught.value.done == 10
