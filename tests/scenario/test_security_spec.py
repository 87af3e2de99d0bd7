"""The ``[security]`` table: bad values give ScenarioErrors naming the key, and every
uncertain value resolves to a plain number."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

import mss_sim
from conftest import DELETE, edit, error_of, write
from mss_sim.errors import ScenarioError
from mss_sim.model import resolve
from mss_sim.scenario import load_raw
from mss_sim.scenario.distributions import _Dist

ROOT = Path(__file__).parents[2]
TINY = ROOT / "tests" / "model" / "tiny.toml"
BUNDLED = sorted((ROOT / "scenarios").glob("*.toml"))

CASES = [
    ("gang_control 1", edit("security.gang_control", 1.0), "security.gang_control", "< 1"),
    ("gang_control 0", edit("security.gang_control", 0.0), "security.gang_control", "> 0"),
    ("gang_control 1.2", edit("security.gang_control", 1.2), "security.gang_control", "< 1"),
    (
        "gang_control may reach 1",
        edit("security.gang_control", {"dist": "uniform", "low": 0.5, "high": 1.0}),
        "security.gang_control",
        "uniform values can be 1",
    ),
    (
        "no police",
        edit("security.police_available", 0),
        "security.police_available",
        "must be > 0",
    ),
    ("unknown key", edit("security.gang_controll", 0.5), "security.gang_controll", "unknown key"),
    (
        "not a contributor",
        edit("security.contingents", {"KEN": 1.0, "FRA": 1.2}),
        "security.contingents.FRA",
        "FRA is not a contributor",
    ),
    (
        "negative killings",
        edit("security.killings_per_month", -3),
        "security.killings_per_month",
        "must be >= 0, got -3",
    ),
    (
        "unknown feedback key",
        edit("security.feedback.councils", True),
        "security.feedback.councils",
        "unknown key",
    ),
    (
        "missing start",
        edit("security.gang_strength", DELETE),
        "security.gang_strength",
        "missing required key",
    ),
    (
        "reference above 1",
        edit("security.feedback.performance_reference", 1.5),
        "security.feedback.performance_reference",
        "<= 1",
    ),
    (
        "negative uplift",
        edit("security.powers.arrest_detain", -0.1),
        "security.powers.arrest_detain",
        ">= 0",
    ),
]


@pytest.mark.parametrize(
    ("change", "path", "problem"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_security_values_name_the_key(tmp_path, data, change, path, problem):
    change(data)
    message = error_of(write(tmp_path, data))
    assert message.startswith(f"gsf_2025.toml: {path}: "), message
    assert problem in message


def test_gang_control_message_is_exact(tmp_path, data):
    data["security"]["gang_control"] = 1.0
    with pytest.raises(mss_sim.ScenarioError) as info:
        mss_sim.load_scenario(write(tmp_path, data))
    assert str(info.value) == "gsf_2025.toml: security.gang_control: must be < 1, got 1"
    assert info.value.path == "security.gang_control"


def test_contingents_of_the_tiny_scenario(tmp_path):
    data = copy.deepcopy(load_raw(TINY))
    data["security"] = {
        "gang_control": 0.8,
        "killings_per_month": 400,
        "displaced": 1e5,
        "gang_strength": 1e4,
        "police_available": 5000,
        "contingents": {"KEN": 1.5},
    }
    sc = mss_sim.load_scenario(write(tmp_path, data, "tiny.toml"))
    assert sc.security.contingents == {"KEN": 1.5}
    data["security"]["contingents"] = {"KEN": 1.5, "HTI": 1.0}
    message = error_of(write(tmp_path, data, "tiny.toml"))
    assert message.startswith("tiny.toml: security.contingents.HTI: HTI is not a contributor")
    assert "(deployment.contributors: KEN)" in message


def test_defaults_of_a_minimal_table(tmp_path):
    data = copy.deepcopy(load_raw(TINY))
    data["security"] = {
        "gang_control": 0.5,
        "killings_per_month": 0,
        "displaced": 0,
        "gang_strength": 1,
        "police_available": 1,
    }
    sec = mss_sim.load_scenario(write(tmp_path, data, "tiny.toml")).security
    fb = sec.feedback
    assert (fb.council, fb.donors, fb.contributors) == (True, True, True)
    assert (fb.performance_reference, fb.casualty_withdrawal) == (0.25, 0.0)
    assert (sec.police_weight, sec.offensive_hazard, sec.powers, sec.contingents) == (
        0.3,
        0.0,
        {},
        {},
    )


def security_numbers(sec) -> dict[str, object]:
    """Every number of a ``[security]`` table by its key path below ``security.``."""
    skip = ("powers", "contingents", "feedback")
    numbers = {k: getattr(sec, k) for k in type(sec).model_fields if k not in skip}
    numbers |= {f"powers.{k}": v for k, v in sec.powers.items()}
    numbers |= {f"contingents.{k}": v for k, v in sec.contingents.items()}
    fb = sec.feedback
    numbers |= {
        f"feedback.{k}": getattr(fb, k)
        for k in type(fb).model_fields
        if not isinstance(getattr(fb, k), bool)
    }
    return numbers


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_uncertain_security_value_resolves(path):
    sc = mss_sim.load_scenario(path)
    uncertain = {p: d for p, d in sc.uncertain_parameters().items() if p.startswith("security.")}
    # Powers only where a draft grants them (the MSS scenarios' drafts grant none).
    granted = {p for d in sc.council.drafts for p in d.powers or ()}
    assert ("security.powers.arrest_detain" in uncertain) == ("arrest_detain" in granted)
    assert "security.feedback.casualty_withdrawal" in uncertain
    numbers = security_numbers(sc.security)
    assert {p for p, v in numbers.items() if isinstance(v, _Dist)} == {
        p.removeprefix("security.") for p in uncertain
    }
    for seed in (1, 2):
        resolved = resolve(sc, seed)
        numbers = security_numbers(resolved.scenario.security)
        for key, value in numbers.items():
            assert isinstance(value, float | int) and not isinstance(value, bool), key
        for p, dist in uncertain.items():
            value = numbers[p.removeprefix("security.")]
            assert isinstance(value, float), p
            assert value == resolved.draws[p], p
            low, high = dist.support()
            assert low <= value <= high, p


def test_uncertain_contingent_weights_resolve(tmp_path, data):
    data["security"]["contingents"] = {"KEN": {"dist": "uniform", "low": 0.8, "high": 1.6}}
    sc = mss_sim.load_scenario(write(tmp_path, data))
    assert "security.contingents.KEN" in sc.uncertain_parameters()
    weight = resolve(sc, 4).scenario.security.contingents["KEN"]
    assert isinstance(weight, float) and 0.8 <= weight <= 1.6


def test_a_power_no_mandate_or_draft_grants_is_an_error(tmp_path, data):
    """A typo in [security.powers] would silently drop an uplift."""
    data["security"]["powers"] = {"arest_detain": 0.2}
    with pytest.raises(ScenarioError) as info:
        mss_sim.load_scenario(write(tmp_path, data))
    message = str(info.value)
    assert "security.powers.arest_detain" in message
    assert "no mandate or draft grants the power 'arest_detain'" in message
    assert "arrest_detain" in message.split("powers in the scenario:")[1]


def test_feedback_switches_must_be_true_or_false(tmp_path, data):
    data["security"]["feedback"] = {"council": "yes"}
    with pytest.raises(ScenarioError, match=r"security\.feedback\.council"):
        mss_sim.load_scenario(write(tmp_path, data))
