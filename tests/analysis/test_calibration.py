"""The security record and the values derived from it for the bundled scenarios."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import mss_sim
from mss_sim.analysis.backtest import load_record
from mss_sim.analysis.calibration import (
    FIT_CUTOFF,
    RECORD_END,
    SECURITY_QUANTITIES,
    derive_security,
    kept_for_checking,
    security_record,
)
from mss_sim.scenario.distributions import Uniform

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def derived():
    """Derived from the whole record, as the forward scenarios are."""
    return derive_security(RECORD_END)


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
    assert derived["killings_per_month_2023"].value == pytest.approx(4789 / 12)
    assert derived["displaced_sep_2024"].value == pytest.approx(315_000 + 726_000 * 9 / 12)


def test_the_cutoff_leaves_out_what_needs_the_2024_figures():
    # By 30 Sep 2024 only one year of killings and displacement was on record.
    assert FIT_CUTOFF.isoformat() == "2024-09-30"
    early = derive_security()
    assert set(early) == {"killings_per_month_2023", "displaced_dec_2023", "police_attrition"}
    late = derive_security(RECORD_END)
    for name, d in early.items():
        assert d == late[name], name


def test_ranges_bracket_the_central_values(derived):
    for name, d in derived.items():
        assert d.low <= d.value <= d.high, name
    growth = math.log(5601 / 4789) / 12
    assert (derived["gang_growth"].low, derived["gang_growth"].high) == pytest.approx(
        (growth / 2, growth * 1.5)
    )


@pytest.mark.parametrize("cutoff", [FIT_CUTOFF, RECORD_END])
def test_derivations_use_only_observations_up_to_the_cutoff(cutoff):
    derived = derive_security(cutoff)
    record = security_record()
    for name, d in derived.items():
        assert d.observations, name
        assert all(o.date <= cutoff for o in d.observations), name
        assert all(o in record for o in d.observations), name
    kept = kept_for_checking(cutoff)
    assert all(o.date > cutoff for o in kept)
    used = {o for d in derived.values() for o in d.observations}
    assert not used & set(kept)
    # Together they are the whole record, each observation once.
    assert set(kept) | {o for o in record if o.date <= cutoff} == set(record)
    assert len(kept) == sum(o.date > cutoff for o in record)
    if cutoff == FIT_CUTOFF:
        # The 2024 and 2025 figures are all kept for checking.
        assert {(o.quantity, o.date.year) for o in kept} >= {("killings", 2024), ("killings", 2025)}


def test_the_record_is_kept_once_in_the_package_data():
    milestones = [m for m in load_record() if m.quantity in SECURITY_QUANTITIES]
    record = security_record()
    assert len(record) == len(milestones) >= 13
    for m, o in zip(milestones, record, strict=True):
        assert (o.quantity, o.date, o.source) == (m.quantity, m.date, m.source)
    over = next(o for o in record if o.source.startswith("OHCHR: over 1,600"))
    assert (over.value, over.period_months) == (1600, 3)


def test_the_record_is_well_formed():
    for o in security_record():
        assert o.value > 0 and o.period_months >= 0 and o.source
        if o.quantity in ("killings", "police_attrition"):
            assert o.period_months > 0
        if o.quantity == "gang_control":
            assert 0 < o.value < 1


@pytest.mark.parametrize("name", ["gsf_2025", "mss_2024"])
@pytest.mark.parametrize("key", ["gang_growth", "displaced_per_killing", "police_attrition"])
def test_forward_priors_contain_the_values_derived_from_the_whole_record(derived, name, key):
    sc = mss_sim.load_scenario(ROOT / "scenarios" / f"{name}.toml")
    prior = getattr(sc.security, key)
    assert isinstance(prior, Uniform)
    assert prior.low <= derived[key].value <= prior.high
    # The prior is the derived range, to the precision written in the file.
    assert prior.low == pytest.approx(derived[key].low, rel=0.02)
    assert prior.high == pytest.approx(derived[key].high, rel=0.02)


def test_the_backtest_scenario_uses_only_what_the_cutoff_allows():
    sc = mss_sim.load_scenario(ROOT / "scenarios" / "mss_2023.toml")
    early = derive_security()
    assert sc.security is not None
    assert sc.security.killings_per_month == round(early["killings_per_month_2023"].value)
    attrition = sc.security.police_attrition
    assert isinstance(attrition, Uniform)
    assert attrition.low == pytest.approx(early["police_attrition"].low, rel=0.02)
    assert attrition.high == pytest.approx(early["police_attrition"].high, rel=0.02)
    # The 2024 growth of violence and displacement per killing were not yet known:
    # the priors are wide and do not centre on the later figures by construction.
    late = derive_security(RECORD_END)
    growth = sc.security.gang_growth
    assert isinstance(growth, Uniform)
    assert growth.high - growth.low > 2 * (late["gang_growth"].high - late["gang_growth"].low)


def test_cutoffs_can_be_iso_strings():
    assert derive_security("2025-08-31") == derive_security(RECORD_END)
    assert kept_for_checking("2024-09-30") == kept_for_checking()
    with pytest.raises(TypeError, match="not None"):
        derive_security(None)  # type: ignore[arg-type]
