"""Differences between scenarios, as key paths that --set can give back."""

from __future__ import annotations

import pytest

import mss_sim
from mss_sim.scenario.diff import differences, toml_value
from mss_sim.scenario.overrides import parse_value


@pytest.mark.parametrize("name", ["us_budget_cuts", "kenya_drawdown"])
def test_the_differences_set_on_the_base_give_the_variant(name):
    base, variant = mss_sim.load_scenario("gsf_2025"), mss_sim.load_scenario(name)
    changed = differences(base, variant)
    assert changed[0].path == "scenario.name" and changed[0].new == name
    assert all(d.as_set() is not None for d in changed)
    rebuilt = base.with_values({d.path: d.new for d in changed})
    assert rebuilt.content_hash() == variant.content_hash()
    assert differences(variant, variant) == []


def test_named_items_are_compared_by_name():
    base = mss_sim.load_scenario("kenya_drawdown")
    other = base.with_values({"deployment.contributors[TCD].pledge_probability": 0.25})
    [d] = differences(base, other)
    assert (d.path, d.old, d.new) == ("deployment.contributors[TCD].pledge_probability", 0.5, 0.25)


@pytest.mark.parametrize(
    "value",
    [0, -2.5, 1e-05, 3e20, True, 'a "quoted" – text', [1, 2.0], {"dist": "uniform", "low": 0}],
)
def test_toml_values_parse_back(value):
    assert parse_value(toml_value(value)) == value


def test_what_toml_cannot_write_is_none():
    assert toml_value(None) is None and toml_value([1, None]) is None
