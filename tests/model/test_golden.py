"""What the model computes, against a golden sample saved from commit 47ebfd4.

``tests/data/golden_47ebfd4/<scenario>.npz`` holds every scalar, series and
parameter draw of 200 replications (seed 2026) of each bundled scenario, as
commit 47ebfd4 (before the model core was reorganised) computed them. Changes to
how the model is wired or how fast it runs must leave these bitwise unchanged.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mss_sim

ROOT = Path(__file__).parents[2]
GOLDEN = ROOT / "tests" / "data" / "golden_47ebfd4"
RUNS, SEED = 200, 2026


@pytest.mark.parametrize("name", ["mss_2024", "gsf_2025", "us_budget_cuts", "pko_assessed"])
def test_outputs_equal_the_golden_sample(name):
    scenario = mss_sim.load_scenario(ROOT / "scenarios" / f"{name}.toml")
    result = mss_sim.run_batch(scenario, RUNS, seed=SEED)
    ours = {f"scalar:{k}": v for k, v in result.scalars.items()}
    ours |= {f"series:{k}": v for k, v in result.series.items()}
    ours |= {f"param:{k}": v for k, v in result.parameters.items()}
    with np.load(GOLDEN / f"{name}.npz", allow_pickle=False) as golden:
        assert sorted(golden.files) == sorted(ours)
        for key in golden.files:
            assert golden[key].tobytes() == ours[key].tobytes(), key
