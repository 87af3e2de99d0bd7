"""Objects show briefly in a console and as tables in a notebook."""

from __future__ import annotations

import pytest

import mss_sim
from mss_sim.scenario import bundled_scenarios


@pytest.fixture(scope="module")
def result() -> mss_sim.BatchResult:
    return mss_sim.run_batch(mss_sim.load_scenario("gsf_2025"), 10, seed=2)


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_scenario_repr_is_short(name):
    sc = mss_sim.load_scenario(name)
    text = repr(sc)
    assert len(text) < 300, text
    assert text.startswith(f"Scenario({name!r}, ")
    assert f"{len(sc.uncertain_parameters())} uncertain parameters" in text


def test_scenario_html_lists_its_uncertain_values():
    sc = mss_sim.load_scenario("gsf_2025")
    page = sc._repr_html_()
    assert sc.scenario.description.split(":")[0] in page
    assert page.count("<tr>") == len(sc.uncertain_parameters()) + 1
    assert "council.negotiation.round_days" in page
    assert "triangular(low=3, mode=7, high=14)" in page


def test_replication_repr_is_short():
    rep = mss_sim.simulate(mss_sim.load_scenario("gsf_2025"), seed=1)
    text = repr(rep)
    assert len(text) < 300, text
    assert text == (
        f"Replication('gsf_2025', 2025-09 to 2027-08, {len(rep.series)} series, "
        f"{len(rep.scalars)} scalars, {len(rep.events)} events, {len(rep.parameters)} parameters)"
    )


def test_result_reprs(result):
    assert len(repr(result)) < 300
    page = result._repr_html_()
    assert "<table>" in page and "peak_deployed" in page
    assert "gsf.vote.CHN" not in page  # the headline outcomes only
    summary = result.summary()
    assert len(repr(summary)) < 300
    assert summary._repr_html_().startswith("<table>")
