"""Designs over the uncertain parameters: Latin hypercube, Sobol', Halton."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import qmc

import mss_sim
from mss_sim.batch.design import design_points

HAZARD = "funding.withdrawal_hazard"  # uniform(0, 0.02) in gsf_2025


def test_a_latin_hypercube_puts_one_point_in_each_stratum_of_every_parameter():
    points = design_points("lhs", 50, 7, seed=2)
    assert points.shape == (50, 7)
    for column in points.T:
        assert sorted((column * 50).astype(int).tolist()) == list(range(50))


def test_the_batch_draws_go_through_the_design(gsf):
    res = mss_sim.run_batch(gsf, 40, seed=5, design="lhs")
    assert res.meta["design"] == "lhs"
    # A uniform(0, 0.02) parameter: one replication in each fortieth of its range.
    strata = (res.parameters[HAZARD] / 0.02 * 40).astype(int)
    assert sorted(strata.tolist()) == list(range(40))
    # Monte Carlo draws of the same batch do not have that property (almost surely).
    mc = mss_sim.run_batch(gsf, 40, seed=5)
    assert mc.meta["design"] == "monte_carlo"
    assert len(set((mc.parameters[HAZARD] / 0.02 * 40).astype(int).tolist())) < 40


def test_a_sobol_design_is_more_even_than_monte_carlo_draws():
    sobol = design_points("sobol", 256, 5, seed=1)
    mc = np.random.default_rng(1).random((256, 5))
    assert qmc.discrepancy(sobol) < qmc.discrepancy(mc) / 2


def test_the_same_seed_gives_the_same_design_on_every_backend(gsf):
    serial = mss_sim.run_batch(gsf, 32, seed=8, design="sobol")
    pooled = mss_sim.run_batch(
        gsf, 32, seed=8, design="sobol", backend="process", workers=2, chunk_size=5
    )
    for name in serial.parameters:
        assert serial.parameters[name].tobytes() == pooled.parameters[name].tobytes(), name
    for name in serial.scalars:
        assert serial.scalars[name].tobytes() == pooled.scalars[name].tobytes(), name
    other = mss_sim.run_batch(gsf, 32, seed=9, design="sobol")
    assert not np.array_equal(other.parameters[HAZARD], serial.parameters[HAZARD])


@pytest.mark.parametrize("design", ["sobol", "halton"])
def test_sequences_extend_by_taking_more_points(tmp_path, gsf, design):
    out = tmp_path / design
    mss_sim.run_batch(gsf, 16, seed=4, design=design, out=out)
    extended = mss_sim.run_batch(gsf, 32, seed=4, design=design, out=out, resume=True)
    fresh = mss_sim.run_batch(gsf, 32, seed=4, design=design)
    for name in fresh.parameters:
        assert extended.parameters[name].tobytes() == fresh.parameters[name].tobytes(), name
    assert np.load(out / "design.npy").shape == (32, len(fresh.parameters))


def test_a_latin_hypercube_is_not_extended(tmp_path, gsf):
    out = tmp_path / "lhs"
    mss_sim.run_batch(gsf, 16, seed=4, design="lhs", out=out)
    with pytest.raises(mss_sim.BatchError, match="a Latin hypercube drawn for 16 replications"):
        mss_sim.run_batch(gsf, 32, seed=4, design="lhs", out=out, resume=True)
    with pytest.raises(mss_sim.BatchError, match="holds a batch with a lhs design, not sobol"):
        mss_sim.run_batch(gsf, 16, seed=4, design="sobol", out=out, resume=True)
    # The same batch resumes.
    again = mss_sim.run_batch(gsf, 16, seed=4, design="lhs", out=out, resume=True)
    assert again.runs == 16


def test_design_errors_say_what_to_do(gsf):
    with pytest.raises(ValueError, match=r"power of two replications, got 60 \(take 32 or 64\)"):
        mss_sim.run_batch(gsf, 60, seed=1, design="sobol")
    with pytest.raises(ValueError, match="design must be one of monte_carlo, lhs, sobol, halton"):
        mss_sim.run_batch(gsf, 8, seed=1, design="latin")


def test_a_design_needs_uncertain_parameters():
    with pytest.raises(ValueError, match="it has none"):
        design_points("lhs", 8, 0, seed=1)


def test_the_command_runs_a_design_and_checks_it_first(tmp_path, capsys):
    from mss_sim.cli import main

    args = ["run", "gsf_2025", "--no-plots", "--no-progress", "--out", str(tmp_path / "r")]
    assert main([*args, "--runs", "24", "--design", "sobol"]) == 2
    assert "--design sobol: a Sobol design needs a power of two" in capsys.readouterr().err
    assert main([*args, "--runs", "16", "--design", "halton"]) == 0
    assert mss_sim.BatchResult.load(tmp_path / "r").meta["design"] == "halton"


def test_a_saltelli_design_extends_by_taking_more_base_points():
    small, large = (
        design_points("saltelli", 8 * 5, 3, seed=1),
        design_points("saltelli", 16 * 5, 3, seed=1),
    )
    assert np.array_equal(small, large[:40])
