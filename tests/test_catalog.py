"""The output registry describes every output the model can produce."""

from __future__ import annotations

import pytest

import mss_sim
from mss_sim.batch import output_names
from mss_sim.catalog import SCALAR_INFO, SERIES_INFO, OutputKind, describe, is_described
from mss_sim.model.outputs import (
    DRAFT_SCALARS,
    SECURITY_SCALARS,
    SECURITY_SERIES,
    SERIES,
    STANDARD_SCALARS,
)
from mss_sim.scenario import bundled_scenarios


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_output_of_every_bundled_scenario_is_described(name):
    names = output_names(mss_sim.load_scenario(name))
    assert [n for n in names.scalars if not is_described(n)] == []
    assert [n for n in names.series if not is_described(n, series=True)] == []


def test_every_output_of_a_replication_is_described():
    rep = mss_sim.simulate(mss_sim.load_scenario("gsf_2025"), seed=2)
    for name in rep.scalars:
        assert describe(name).label, name
    for name in rep.series:
        assert describe(name, series=True).label, name


@pytest.mark.parametrize("name", STANDARD_SCALARS + SECURITY_SCALARS)
def test_each_standard_scalar_has_its_own_entry(name):
    # A new scalar must be added to the registry by name, not caught by a pattern.
    assert describe(name).pattern == name
    assert name in {info.pattern for info in SCALAR_INFO}


@pytest.mark.parametrize("name", SERIES + SECURITY_SERIES + ("airlift_queue",))
def test_each_standard_series_has_its_own_entry(name):
    assert name in {info.pattern for info in SERIES_INFO}


@pytest.mark.parametrize("outcome", DRAFT_SCALARS)
def test_each_draft_outcome_has_a_pattern(outcome):
    assert f"{{draft}}.{outcome}" in {info.pattern for info in SCALAR_INFO}


def test_an_output_missing_from_the_registry_is_not_described():
    assert not is_described("peak_killings")
    assert not is_described("gsf.unheard_of")
    with pytest.raises(KeyError, match=r"no scalar outcome named 'deployed'.*is a series"):
        describe("deployed")


def test_patterns_fill_in_their_fields():
    info = describe("gsf_renewal.vetoed_by.RUS")
    assert info.kind is OutputKind.PROBABILITY
    assert info.label == "RUS vetoed gsf_renewal"
    assert info.pattern == "gsf_renewal.vetoed_by.RUS"
    assert describe("received_usd.others").description.startswith("others: ")
    assert describe("balance.in_kind.USA", series=True).label == (
        "Balance of the USA in-kind account"
    )


def test_every_entry_is_complete():
    for info in SCALAR_INFO + SERIES_INFO:
        assert info.label and info.description, info.pattern
        if info.kind in (OutputKind.PROBABILITY, OutputKind.SHARE, OutputKind.BALLOT):
            assert info.unit == "", info.pattern
        else:
            assert info.unit, info.pattern
    assert len({i.pattern for i in SCALAR_INFO}) == len(SCALAR_INFO)
    assert len({i.pattern for i in SERIES_INFO}) == len(SERIES_INFO)


def test_money_is_shown_in_millions():
    info = describe("cash_balance", series=True)
    assert (info.scale, info.display_unit) == (1e6, "US$ million")
    assert info.axis_label() == "Cash held, all accounts (US$ million)"
    assert describe("gang_control_at_end").axis_label() == "Gang control at the end (%)"
    assert describe("target_reached").axis_label() == "Target strength reached (% of runs)"
    assert describe("peak_deployed").scale == 1.0


def test_the_documentation_lists_the_registry():
    import re
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "outputs.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \| (\w+) \| ([^|]+) \| ([^|]+) \|", text, re.MULTILINE)
    documented = {name: (kind, unit.strip(), meaning.strip()) for name, kind, unit, meaning in rows}
    for info in SCALAR_INFO + SERIES_INFO:
        assert documented.get(info.pattern) == (
            info.kind.value,
            info.display_unit or "–",
            info.description,
        ), info.pattern
    assert len(documented) == len(SCALAR_INFO) + len(SERIES_INFO)


def test_frames_carry_units_and_descriptions():
    pytest.importorskip("pandas")
    res = mss_sim.run_batch(mss_sim.load_scenario("gsf_2025"), 3, seed=1)
    frame = res.to_frame(["total_received_usd", "peak_deployed"])
    assert frame.attrs["units"] == {"total_received_usd": "US$", "peak_deployed": "personnel"}
    assert frame.attrs["descriptions"]["peak_deployed"] == "Most personnel deployed at any time"
