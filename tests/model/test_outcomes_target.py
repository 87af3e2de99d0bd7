"""Time to a target strength the analyst names: ``[outcomes] target_strength``."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import mss_sim
from mss_sim.model import DAYS_PER_MONTH
from mss_sim.scenario import load_raw, merge, scenario_from_dict

TINY = Path(__file__).with_name("tiny.toml")
ROOT = Path(__file__).parents[2]


def tiny(**changes: object) -> mss_sim.Scenario:
    return scenario_from_dict(merge(load_raw(TINY), dict(changes)), source="tiny.toml")


def test_the_default_target_is_half_the_largest_ceiling_a_draft_authorises():
    # tiny: the mandate's ceiling is 300, the renewal's 400.
    assert tiny().target_strength() == 200
    assert tiny(outcomes={"target_strength": 250}).target_strength() == 250
    no_drafts = tiny(council={"drafts": []})
    assert no_drafts.target_strength() == 150  # the mandate's ceiling
    assert mss_sim.load_scenario(ROOT / "scenarios" / "gsf_2025.toml").target_strength() == 2775
    assert mss_sim.load_scenario(ROOT / "scenarios" / "mss_2023.toml").target_strength() == 1250


@pytest.mark.parametrize("target", [None, 250, 300, 400])
def test_months_to_target_is_when_the_force_first_reaches_it(target):
    outcomes = {} if target is None else {"target_strength": target}
    rep = mss_sim.simulate(tiny(outcomes=outcomes), seed=0)
    goal = target or 200
    # The force: 100 at the start, then waves of 100 (see the deployed events).
    reached = [e.day for e in rep.events_of("deployed") if e.details["total"] >= goal]
    months = rep.scalars["months_to_target"]
    if reached:
        assert months == pytest.approx(reached[0] / DAYS_PER_MONTH)
    else:
        assert goal > rep.scalars["peak_deployed"]
        assert math.isnan(months)
    assert rep.scalars["target_reached"] == float(bool(reached))
    # Half the ceiling in force (150 of 300) came with the first wave, whatever the target.
    assert rep.scalars["months_to_half_ceiling"] == pytest.approx(1.0)


def test_a_force_whose_larger_mandate_fails_does_not_reach_the_target_sooner():
    # gsf_2025 with the GSF draft certain to meet a Chinese no: the MSS goes on at 2,500.
    gsf = mss_sim.load_scenario(ROOT / "scenarios" / "gsf_2025.toml")
    blocked = gsf.with_values(
        {
            "council.propensities.CHN.force_authorisation": [0.0, 0.0, 1.0],
            "council.negotiation.force_vote": 1.0,
            "council.retabling.attempts": 1,
        }
    )
    res = mss_sim.run_batch(blocked, 60, seed=4)
    assert np.nansum(res.scalars["gsf.adopted"]) == 0
    # Half of the 2,500 in force is reached in some runs, the GSF's 2,775 in none.
    assert np.isfinite(res.scalars["months_to_half_ceiling"]).any()
    assert np.isnan(res.scalars["months_to_target"]).all()
    assert (res.scalars["peak_deployed"] < 2775).all()
