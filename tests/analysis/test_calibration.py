"""The security record and the values derived from it for the bundled scenarios."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import mss_sim
from mss_sim.analysis.calibration import (
    FIT_CUTOFF,
    SECURITY_RECORD,
    derive_security,
    kept_for_checking,
)
from mss_sim.scenario.distributions import Uniform

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def derived():
    return derive_security()


def test_derived_values_are_the_records_arithmetic(derived):
    # Killings 4,789 (2023) and 5,601 (2024); displaced 315,000 and 1,041,000 at the
    # ends of 2023 and 2024; 774 officers lost in H1 2023 of 9,700 available.
    assert derived["gang_growth"].value == pytest.approx(math.log(5601 / 4789) / 12, rel=1e-15)
    assert derived["gang_growth"].value == pytest.approx(0.01305, abs=1e-5)
    per_killing = (1_041_000 - 315_000) / 5601
    assert derived["displaced_per_killing"].value == pytest.approx(per_killing, rel=1e-15)
    assert round(per_killing) == 130
    attrition = 774 / 6 / 9700
    assert derived["police_attrition"].value == pytest.approx(attrition, rel=1e-15)
    assert derived["police_attrition"].value == pytest.approx(0.0133, abs=1e-4)
    assert derived["killings_per_month_2024"].value == pytest.approx(5601 / 12)
    assert derived["displaced_sep_2024"].value == pytest.approx(315_000 + 726_000 * 9 / 12)


def test_ranges_bracket_the_central_values(derived):
    for name, d in derived.items():
        assert d.low <= d.value <= d.high, name
    growth = math.log(5601 / 4789) / 12
    assert (derived["gang_growth"].low, derived["gang_growth"].high) == pytest.approx(
        (growth / 2, growth * 1.5)
    )


def test_derivations_use_only_observations_up_to_the_cutoff(derived):
    for name, d in derived.items():
        assert d.observations, name
        assert all(o.date <= FIT_CUTOFF for o in d.observations), name
        assert all(o in SECURITY_RECORD for o in d.observations), name
    kept = kept_for_checking()
    assert kept
    assert all(o.date > FIT_CUTOFF for o in kept)
    used = {o for d in derived.values() for o in d.observations}
    assert not used & set(kept)
    # Together they are the whole record, each observation once.
    assert set(kept) | {o for o in SECURITY_RECORD if o.date <= FIT_CUTOFF} == set(SECURITY_RECORD)
    assert len(kept) == sum(o.date > FIT_CUTOFF for o in SECURITY_RECORD)


def test_the_record_is_well_formed():
    for o in SECURITY_RECORD:
        assert o.value > 0 and o.period_months >= 0 and o.source
        if o.quantity in ("killings", "police_attrition"):
            assert o.period_months > 0
        if o.quantity == "gang_control":
            assert 0 < o.value < 1


@pytest.mark.parametrize("name", ["gsf_2025", "mss_2024"])
@pytest.mark.parametrize("key", ["gang_growth", "displaced_per_killing", "police_attrition"])
def test_bundled_priors_contain_the_derived_values(derived, name, key):
    sc = mss_sim.load_scenario(ROOT / "scenarios" / f"{name}.toml")
    prior = getattr(sc.security, key)
    assert isinstance(prior, Uniform)
    assert prior.low <= derived[key].value <= prior.high
    # The prior is the derived range, to the precision written in the file.
    assert prior.low == pytest.approx(derived[key].low, rel=0.02)
    assert prior.high == pytest.approx(derived[key].high, rel=0.02)
