"""Scenario discovery with PRIM: the parameter ranges where a condition holds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mss_sim
from mss_sim.analysis.discovery import condition_mask, discover
from mss_sim.cli import main
from mss_sim.scenario import load_raw, merge, scenario_from_dict

ROOT = Path(__file__).parents[2]
PLEDGE = "funding.donors[CAN].pledge_usd"


def driven() -> mss_sim.Scenario:
    """tiny.toml where the Canadian pledge (uniform $0-1M) drives the money received."""
    raw = load_raw(ROOT / "tests/model/tiny.toml")
    donor = {
        **raw["funding"]["donors"][0],
        "pledge_usd": {"dist": "uniform", "low": 0, "high": 1e6},
    }
    changes = {
        "funding": {"donors": [donor]},
        "council": {"correlation": {"dist": "uniform", "low": 0.0, "high": 0.4}},
        "deployment": {
            "contributors": [
                {
                    **raw["deployment"]["contributors"][0],
                    "monthly_attrition": {"dist": "uniform", "low": 0, "high": 0.01},
                }
            ]
        },
    }
    return scenario_from_dict(merge(raw, changes), source="driven.toml")


def test_prim_finds_the_parameter_that_drives_the_condition(tmp_path):
    res = mss_sim.run_batch(driven(), 600, seed=2)
    # The fund opens with $1M; receipts under $1.25M mean a Canadian pledge under $250,000.
    box = discover(res, "total_received_usd < 1250000", threshold=0.9)
    assert next(iter(box.limits)) == PLEDGE
    low, high = box.limits[PLEDGE]
    assert low == pytest.approx(0, abs=30_000)
    assert high == pytest.approx(250_000, rel=0.15)
    assert box.density >= 0.9 and box.coverage > 0.8
    assert box.base_rate == pytest.approx(0.25, abs=0.06)
    assert "holds in" in str(box) and PLEDGE in str(box)


def test_conditions_are_read_and_checked():
    res = mss_sim.run_batch(driven(), 40, seed=1)
    mask = condition_mask(res, "total_received_usd < 1250000 and peak_deployed >= 0")
    assert mask.dtype == bool and mask.shape == (40,)
    assert np.array_equal(mask, res.scalars["total_received_usd"] < 1_250_000)
    with pytest.raises(ValueError, match="write NAME OP NUMBER"):
        condition_mask(res, "total_received_usd is small")
    with pytest.raises(KeyError, match="no scalar output 'nope'"):
        condition_mask(res, "nope < 3")
    with pytest.raises(ValueError, match="nothing to tell apart"):
        discover(res, "total_received_usd < 0")
    with pytest.raises(ValueError, match=r"threshold is a density in \(0, 1\], got 1.5"):
        discover(res, "total_received_usd < 1250000", threshold=1.5)
    with pytest.raises(ValueError, match="already above the density threshold"):
        discover(res, "total_received_usd > 1100000", threshold=0.5)


def test_the_command_discovers(tmp_path, capsys):
    out = tmp_path / "r"
    mss_sim.run_batch(driven(), 300, seed=3, out=out)
    assert (
        main(
            ["discover", str(out), "--where", "total_received_usd < 1250000", "--threshold", "0.9"]
        )
        == 0
    )
    assert PLEDGE in capsys.readouterr().out
    assert main(["discover", str(out), "--where", "nope < 1"]) == 2
