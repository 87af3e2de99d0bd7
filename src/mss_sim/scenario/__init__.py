"""Scenario files: typed, frozen, validated specifications and their loading."""

from mss_sim.scenario.distributions import UncertainValue, parse_uncertain
from mss_sim.scenario.io import (
    bundled_scenarios,
    load_raw,
    load_scenario,
    merge,
    scenario_from_dict,
)
from mss_sim.scenario.spec import (
    DRAFT_KINDS,
    FUNDING_MODELS,
    PERMANENT_MEMBERS,
    Contributor,
    Council,
    Deployment,
    Donor,
    Draft,
    Funding,
    Mandate,
    Scenario,
    ScenarioInfo,
    Shock,
    add_months,
)

__all__ = [
    "DRAFT_KINDS",
    "FUNDING_MODELS",
    "PERMANENT_MEMBERS",
    "Contributor",
    "Council",
    "Deployment",
    "Donor",
    "Draft",
    "Funding",
    "Mandate",
    "Scenario",
    "ScenarioInfo",
    "Shock",
    "UncertainValue",
    "add_months",
    "bundled_scenarios",
    "load_raw",
    "load_scenario",
    "merge",
    "parse_uncertain",
    "scenario_from_dict",
]
