"""Changing values by key path: with_values, [patch] in files, bundled names, --set."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

import mss_sim
from mss_sim.cli import main
from mss_sim.scenario.distributions import Uniform
from mss_sim.scenario.overrides import KeyPathError, parse_assignment, parse_value, set_value

ROOT = Path(__file__).parents[2]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="module")
def gsf() -> mss_sim.Scenario:
    return mss_sim.load_scenario(SCENARIOS / "gsf_2025.toml")


def contributor(scenario: mss_sim.Scenario, country: str) -> mss_sim.scenario.Contributor:
    return next(c for c in scenario.deployment.contributors if c.country == country)


# ------------------------------------------------------------------- with_values


def test_with_values_addresses_list_items_by_identifier_and_position(gsf):
    changed = gsf.with_values(
        {
            "funding.donors[USA].pledge_usd": 0,
            "deployment.contributors[BEN].pledged": 1500,
            "council.drafts[gsf].ceiling": 4000,
            "council.effects[1].size": {"dist": "uniform", "low": 0.2, "high": 0.4},
            "funding.assessed.payers.USA.lag_months": 2,
            "mandate.expiry": "2025-10-15",
        }
    )
    assert changed.funding.donors[0].name == "USA"
    assert changed.funding.donors[0].pledge_usd == 0.0
    assert contributor(changed, "BEN").pledged == 1500.0
    assert changed.council.drafts[0].ceiling == 4000
    assert changed.council.effects[1].size == Uniform(dist="uniform", low=0.2, high=0.4)
    assert changed.funding.assessed.payers["USA"].lag_months == 2.0
    assert changed.mandate.expiry == dt.date(2025, 10, 15)
    # Everything else is as it was, and the original is untouched.
    assert contributor(changed, "KEN") == contributor(gsf, "KEN")
    assert changed.funding.donors[1:] == gsf.funding.donors[1:]
    assert gsf.funding.donors[0].pledge_usd != 0.0
    # A fixed value is no longer an uncertain parameter; a new one is.
    assert "funding.donors[USA].pledge_usd" in gsf.uncertain_parameters()
    assert "funding.donors[USA].pledge_usd" not in changed.uncertain_parameters()
    assert "council.effects[1].size" in changed.uncertain_parameters()


@pytest.mark.parametrize(
    ("values", "where", "problem"),
    [
        ({"scenario.horizon_months": -3}, "scenario.horizon_months", "must be >= 1, got -3"),
        (
            {"funding.donors[XXX].pledge_usd": 0},
            "funding.donors[XXX].pledge_usd",
            "funding.donors has no item 'XXX' (items: USA, CAN, others)",
        ),
        (
            {"council.effects[7].size": 0.1},
            "council.effects[7].size",
            "council.effects has 2 items, so no item [7]",
        ),
        (
            {"scenario.name[0]": "x"},
            "scenario.name[0]",
            "scenario.name is not a list, so it has no item [0]",
        ),
        ({"funding..costs": 1}, "funding..costs", "not a key path"),
        (
            # Validation errors name list items by identifier too.
            {"deployment.contributors[KEN].pledged": 500},
            "deployment.contributors[KEN].initial_deployed",
            "must be <= pledged (500), got 760",
        ),
        (
            {"funding.costs.fixed_monthly_usd": "lots"},
            "funding.costs.fixed_monthly_usd",
            "lots",
        ),
    ],
)
def test_with_values_names_the_key_of_a_bad_value(gsf, values, where, problem):
    with pytest.raises(mss_sim.ScenarioError) as caught:
        gsf.with_values(values)
    message = str(caught.value)
    assert message.startswith(f"gsf_2025 (with values): {where}: "), message
    assert problem in message, message


def test_set_value_creates_missing_tables_but_not_list_items():
    data: dict = {"a": {"items": [{"id": "x", "v": 1}, {"v": 2}]}}
    set_value(data, "a.b.c", 3)
    set_value(data, "a.items[x].v", 10)
    set_value(data, "a.items[1].v", 20)
    assert data == {"a": {"items": [{"id": "x", "v": 10}, {"v": 20}], "b": {"c": 3}}}
    with pytest.raises(KeyPathError, match=r"a\.missing is not a list"):
        set_value(data, "a.missing[0].v", 1)
    with pytest.raises(KeyPathError, match=r"a.items has no item 'y' \(items: x, 1\)"):
        set_value(data, "a.items[y].v", 1)


# ------------------------------------------------------------------ bundled names


def test_bundled_scenarios_load_by_name(gsf):
    assert mss_sim.load_scenario("gsf_2025") == gsf
    assert mss_sim.Scenario.from_toml("mss_2023").name == "mss_2023"


def test_an_unknown_name_lists_the_bundled_scenarios():
    with pytest.raises(
        mss_sim.ScenarioError,
        match=r"no scenario file or bundled scenario named 'gsf_2052' \(bundled: gsf_2025, ",
    ):
        mss_sim.load_scenario("gsf_2052")
    # A path is a path: a missing file is not looked up among the bundled ones.
    with pytest.raises(mss_sim.ScenarioError, match="file not found"):
        mss_sim.load_scenario("somewhere/gsf_2025")


# --------------------------------------------------------------------------- [patch]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "patched.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_patch_changes_one_list_item_without_restating_the_list(tmp_path, gsf):
    path = write(
        tmp_path,
        f"""
        extends = "{SCENARIOS / "gsf_2025.toml"}"

        [scenario]
        name = "patched"

        [patch]
        "deployment.contributors[BEN].pledged" = 500
        "funding.donors[CAN].pledge_usd" = {{ dist = "uniform", low = 1e6, high = 2e6 }}
        """,
    )
    patched = mss_sim.load_scenario(path)
    assert patched.name == "patched"
    assert contributor(patched, "BEN").pledged == 500.0
    assert patched.funding.donors[1].pledge_usd == Uniform(dist="uniform", low=1e6, high=2e6)
    assert [c.country for c in patched.deployment.contributors] == [
        c.country for c in gsf.deployment.contributors
    ]
    for c in gsf.deployment.contributors:
        if c.country != "BEN":
            assert contributor(patched, c.country) == c
    # The same as with_values on the base.
    same = gsf.with_values(
        {
            "scenario.name": "patched",
            "deployment.contributors[BEN].pledged": 500,
            "funding.donors[CAN].pledge_usd": {"dist": "uniform", "low": 1e6, "high": 2e6},
        }
    )
    assert patched.content_hash() == same.content_hash()


@pytest.mark.parametrize(
    ("patch", "where", "problem"),
    [
        (
            '"deployment.contributors[XYZ].pledged" = 5',
            "deployment.contributors[XYZ].pledged",
            "has no item 'XYZ'",
        ),
        ("deployment.contributors = 5", "patch.deployment", "a [patch] key is a quoted key path"),
    ],
)
def test_a_bad_patch_names_the_file_and_key(tmp_path, patch, where, problem):
    path = write(
        tmp_path,
        f"""
        extends = "{SCENARIOS / "gsf_2025.toml"}"

        [patch]
        {patch}
        """,
    )
    with pytest.raises(mss_sim.ScenarioError) as caught:
        mss_sim.load_scenario(path)
    message = str(caught.value)
    assert message.startswith(f"patched.toml: {where}: "), message
    assert problem in message


# ------------------------------------------------------------------------- --set


def test_parse_value_reads_toml_and_bare_words():
    assert parse_value("500") == 500
    assert parse_value("1.5e6") == 1.5e6
    assert parse_value("2025-10-01") == dt.date(2025, 10, 1)
    assert parse_value("assessed") == "assessed"
    assert parse_value('"two words"') == "two words"
    assert parse_value("[1, 2]") == [1, 2]
    with pytest.raises(ValueError, match="is not a TOML value"):
        parse_value("two words")
    assert parse_assignment("a.b[KEN].c = 3") == ("a.b[KEN].c", 3)
    with pytest.raises(ValueError, match="expected KEY=VALUE"):
        parse_assignment("a.b")


def test_run_with_set_changes_the_scenario(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["run", "gsf_2025", "--runs", "4", "--seed", "3", "--no-plots", "--no-progress"]
    code = main([*args, "--out", str(out), "--set", "funding.donors[USA].pledge_usd=0"])
    assert code == 0
    result = mss_sim.BatchResult.load(out)
    assert (result.scalars["received_usd.USA"] == 0).all()
    assert "funding.donors[USA].pledge_usd" not in result.parameters
    assert "funding.donors[CAN].pledge_usd" in result.parameters


def test_run_with_a_bad_set_says_what_is_wrong(capsys):
    args = ["run", "gsf_2025", "--runs", "4", "--no-plots", "--no-progress"]
    assert main([*args, "--set", "funding.donors[XXX].pledge_usd=0"]) == 2
    err = capsys.readouterr().err
    assert "funding.donors[XXX].pledge_usd: funding.donors has no item 'XXX'" in err
    with pytest.raises(SystemExit):
        main([*args, "--set", "no_equals_sign"])
    assert "expected KEY=VALUE" in capsys.readouterr().err


def test_a_file_can_extend_a_bundled_scenario_by_name(tmp_path, gsf):
    path = tmp_path / "mine.toml"
    path.write_text(
        'extends = "gsf_2025"\n\n[patch]\n"deployment.contributors[BEN].pledged" = 300\n',
        encoding="utf-8",
    )
    mine = mss_sim.load_scenario(path)
    assert contributor(mine, "BEN").pledged == 300.0
    assert mine.with_values({"deployment.contributors[BEN].pledged": 0}) == gsf.with_values(
        {"deployment.contributors[BEN].pledged": 0}
    )
    path.write_text('extends = "gsf_2052"\n', encoding="utf-8")
    with pytest.raises(mss_sim.ScenarioError, match=r"or a bundled scenario \(gsf_2025, "):
        mss_sim.load_scenario(path)
