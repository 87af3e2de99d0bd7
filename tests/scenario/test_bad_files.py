"""Every kind of bad scenario file gives a ScenarioError naming the file and the key."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from pathlib import Path

import pytest

import mss_sim
from conftest import DELETE, edit, error_of, write
from mss_sim.scenario import load_raw

ROOT = Path(__file__).parents[2]
GSF = ROOT / "scenarios" / "gsf_2025.toml"


def test_round_trip_of_the_writer(tmp_path, data):
    assert mss_sim.load_scenario(write(tmp_path, data)) == mss_sim.load_scenario(GSF)


def test_negative_pledge_message_is_exact(tmp_path, data):
    data["funding"]["donors"][2]["pledge_usd"] = -5
    message = error_of(write(tmp_path, data))
    assert message == "gsf_2025.toml: funding.donors[2].pledge_usd: must be >= 0, got -5"


E10 = ["DZA", "DNK", "GRC", "GUY", "PAK", "PAN", "KOR", "SLE", "SVN", "SOM"]

CASES = [
    (
        "unknown key",
        edit("funding.donors[0].pledged_usd", 5),
        "funding.donors[0].pledged_usd",
        "unknown key",
    ),
    (
        "missing key",
        edit("funding.costs.personnel_per_person_month_usd", DELETE),
        "funding.costs.personnel_per_person_month_usd",
        "missing required key",
    ),
    (
        "uniform low >= high",
        edit(
            "funding.trust_fund.opening_balance_usd", {"dist": "uniform", "low": 5e6, "high": 1e6}
        ),
        "funding.trust_fund.opening_balance_usd",
        "low must be < high",
    ),
    (
        "triangular mode",
        edit(
            "funding.costs.personnel_per_person_month_usd",
            {"dist": "triangular", "low": 1, "mode": 9, "high": 5},
        ),
        "funding.costs.personnel_per_person_month_usd",
        "mode must lie in [low, high]",
    ),
    (
        "normal sd",
        edit(
            "funding.costs.logistics_per_person_month_usd", {"dist": "normal", "mean": 0.4, "sd": 0}
        ),
        "funding.costs.logistics_per_person_month_usd",
        "sd must be > 0",
    ),
    (
        "lognormal sigma",
        edit(
            "funding.donors[0].disbursement_lag_months",
            {"dist": "lognormal", "median": 2, "sigma": -1},
        ),
        "funding.donors[0].disbursement_lag_months",
        "sigma must be > 0",
    ),
    (
        "choice p sum",
        edit(
            "deployment.contributors[6].pledged",
            {"dist": "choice", "values": [0, 1], "p": [0.5, 0.6]},
        ),
        "deployment.contributors[6].pledged",
        "p must sum to 1",
    ),
    (
        "choice p length",
        edit(
            "deployment.contributors[6].pledged", {"dist": "choice", "values": [0, 1], "p": [1.0]}
        ),
        "deployment.contributors[6].pledged",
        "one probability per value",
    ),
    (
        "unknown dist",
        edit("funding.costs.fixed_monthly_usd", {"dist": "gamma", "a": 1}),
        "funding.costs.fixed_monthly_usd",
        "unknown dist 'gamma'",
    ),
    (
        "dist without dist",
        edit("funding.costs.fixed_monthly_usd", {"low": 1, "high": 2}),
        "funding.costs.fixed_monthly_usd",
        "needs a 'dist' key",
    ),
    (
        "extra key in dist",
        edit(
            "funding.costs.fixed_monthly_usd", {"dist": "uniform", "low": 1, "high": 2, "mode": 1}
        ),
        "funding.costs.fixed_monthly_usd",
        "mode: unknown key",
    ),
    (
        "support below zero",
        edit("funding.donors[1].pledge_usd", {"dist": "normal", "mean": 1e7, "sd": 1e6}),
        "funding.donors[1].pledge_usd",
        "must be >= 0, but normal values can be -inf",
    ),
    (
        "probability above one",
        edit("deployment.contributors[0].monthly_attrition", 1.5),
        "deployment.contributors[0].monthly_attrition",
        "must be <= 1, got 1.5",
    ),
    (
        "string for number",
        edit("funding.costs.fixed_monthly_usd", "lots"),
        "funding.costs.fixed_monthly_usd",
        "expected a number or an uncertain value",
    ),
    (
        "boolean for number",
        edit("funding.costs.fixed_monthly_usd", True),
        "funding.costs.fixed_monthly_usd",
        "expected a number, got True",
    ),
    (
        "propensities sum",
        edit("council.propensities.CHN.renewal", [0.5, 0.2, 0.2]),
        "council.propensities.CHN.renewal",
        "must sum to 1",
    ),
    (
        "propensity missing for kind",
        edit("council.drafts[0].kind", "pko_transition"),
        "council.drafts[0].kind",
        "no propensity for CHN on 'pko_transition' drafts",
    ),
    (
        "nine elected",
        edit("council.elected.2025", E10[:9]),
        "council.elected.2025",
        "must list 10 different members, got 9",
    ),
    (
        "permanent among elected",
        edit("council.elected.2025", [*E10[:9], "USA"]),
        "council.elected.2025",
        "['USA'] are permanent members",
    ),
    (
        "draft outside horizon",
        edit("council.drafts[1].date", dt.date(2030, 1, 1)),
        "council.drafts[1].date",
        "2030-01-01 is outside the horizon [2025-09-01, 2027-09-01)",
    ),
    (
        "draft after horizon end",
        edit("scenario.horizon_months", 6),
        "council.drafts[1].date",
        "is outside the horizon",
    ),
    (
        "duplicate draft id",
        edit("council.drafts[1].id", "gsf"),
        "council.drafts[1].id",
        "duplicate draft id 'gsf'",
    ),
    (
        "duplicate donor",
        edit("funding.donors[1].name", "USA"),
        "funding.donors[1].name",
        "duplicate donor 'USA'",
    ),
    (
        "shock for unknown donor",
        edit(
            "funding.shocks",
            [{"kind": "cut", "donor": "GBR", "date": dt.date(2026, 1, 1), "fraction": 0.5}],
        ),
        "funding.shocks[0].donor",
        "no donor named 'GBR'",
    ),
    (
        "two lead nations",
        edit("deployment.contributors[1].lead_nation", True),
        "deployment.contributors[1].lead_nation",
        "only one lead nation",
    ),
    (
        "initial above pledge",
        edit(
            "deployment.contributors[2]", {"country": "JAM", "pledged": 24, "initial_deployed": 25}
        ),
        "deployment.contributors[2].initial_deployed",
        "must be <= pledged",
    ),
    (
        "initial above ceiling",
        edit("mandate.ceiling", 500),
        "deployment.contributors",
        "exceed the mandate's ceiling (500)",
    ),
    (
        "bad ISO3",
        edit("deployment.contributors[0].country", "Kenya"),
        "deployment.contributors[0].country",
        "ISO 3166-1 alpha-3",
    ),
    (
        "bad funding model",
        edit("mandate.funding_model", "private"),
        "mandate.funding_model",
        "must be one of",
    ),
    (
        "expiry before start",
        edit("mandate.expiry", dt.date(2025, 1, 1)),
        "mandate.expiry",
        "must expire after the start",
    ),
    (
        "active mandate without expiry",
        edit("mandate.expiry", DELETE),
        "mandate.expiry",
        "needs an expiry date",
    ),
    ("bad name", edit("scenario.name", "GSF 2025"), "scenario.name", "lower-case letters"),
]


@pytest.mark.parametrize(("label", "change", "key", "problem"), CASES, ids=[c[0] for c in CASES])
def test_bad_value_names_file_and_key(tmp_path, data, label, change, key, problem):
    change(data)
    message = error_of(write(tmp_path, data))
    first = message.splitlines()[0]
    assert first.startswith(f"gsf_2025.toml: {key}: "), first
    assert problem in first, first


def test_truncated_normal_is_accepted(tmp_path, data):
    spec = {"dist": "normal", "mean": 1e7, "sd": 1e6, "low": 0.0}
    data["funding"]["donors"][1]["pledge_usd"] = spec
    sc = mss_sim.load_scenario(write(tmp_path, data))
    assert sc.uncertain_parameters()["funding.donors[CAN].pledge_usd"].support()[0] == 0.0


def test_several_problems_are_all_reported(tmp_path, data):
    data["funding"]["donors"][0]["pledge_usd"] = -1
    data["funding"]["donors"][1]["tranches"] = 0
    message = error_of(write(tmp_path, data))
    assert message.startswith("gsf_2025.toml: funding.donors[0].pledge_usd: must be >= 0")
    assert "also: funding.donors[1].tranches: must be >= 1, got 0" in message


def test_toml_syntax_error_gives_line_and_column(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[scenario]\nname = "x"\nstart = 2025-09-01\nhorizon_months = = 3\n')
    message = error_of(path)
    assert message.startswith("broken.toml: line 4, column 18: TOML syntax error")


def test_missing_file_and_directory(tmp_path):
    assert error_of(tmp_path / "nope.toml").endswith("nope.toml: file not found")
    assert "is a directory" in error_of(tmp_path)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(b'name = "Cura\xe7ao"\n')
    assert error_of(path).startswith("latin.toml: not UTF-8")


# ---------------------------------------------------------------------------- extends


def test_extends_merges_tables_and_replaces_arrays(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    base = copy.deepcopy(load_raw(GSF))
    write(sub, base, "base.toml")
    child = {
        "extends": "sub/base.toml",
        "scenario": {"name": "child"},
        # The base's airlift is supplied by USA, so the new donor list keeps one.
        "funding": {
            "donors": [{"name": "CAN", "pledge_usd": 1e6}, {"name": "USA", "pledge_usd": 1}]
        },
    }
    sc = mss_sim.load_scenario(write(tmp_path, child, "child.toml"))
    assert sc.name == "child"
    assert sc.scenario.horizon_months == 24  # sibling kept
    assert [d.name for d in sc.funding.donors] == ["CAN", "USA"]  # array replaced
    assert (
        sc.funding.costs.personnel_per_person_month_usd
        == mss_sim.load_scenario(GSF).funding.costs.personnel_per_person_month_usd
    )
    assert [d.id for d in sc.council.drafts] == ["gsf", "gsf_renewal"]


def test_bundled_extends(tmp_path):
    cuts = mss_sim.load_scenario(ROOT / "scenarios" / "us_budget_cuts.toml")
    gsf = mss_sim.load_scenario(GSF)
    assert cuts.name == "us_budget_cuts"
    assert cuts.council == gsf.council
    assert cuts.deployment == gsf.deployment
    assert [s.kind for s in cuts.funding.shocks] == ["cap", "freeze", "cut"]
    assert [c.donor for c in cuts.funding.conditions] == ["USA"]
    assert cuts.funding.assessed.shares == gsf.funding.assessed.shares  # tables merge


def test_extends_cycle(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    assert (
        error_of(tmp_path / "a.toml")
        == "b.toml: extends: extends cycle: a.toml -> b.toml -> a.toml"
    )
    (tmp_path / "self.toml").write_text('extends = "self.toml"\n')
    assert "extends cycle: self.toml -> self.toml" in error_of(tmp_path / "self.toml")


def test_extends_missing_file(tmp_path):
    (tmp_path / "child.toml").write_text('extends = "gone.toml"\n')
    message = error_of(tmp_path / "child.toml")
    assert message.startswith("child.toml: extends: extended file not found")


def test_extends_bad_value(tmp_path):
    (tmp_path / "child.toml").write_text("extends = 3\n")
    assert error_of(tmp_path / "child.toml").startswith("child.toml: extends: must be a file name")


def test_error_in_base_names_the_child_and_its_base(tmp_path, data):
    data["funding"]["donors"][0]["pledge_usd"] = -1
    write(tmp_path, data, "base.toml")
    (tmp_path / "child.toml").write_text('extends = "base.toml"\n[scenario]\nname = "child"\n')
    message = error_of(tmp_path / "child.toml")
    assert message.startswith("child.toml (extends base.toml): funding.donors[0].pledge_usd: ")


# ---------------------------------------------------------------------------- objects


def test_scenario_is_frozen_hashable_content_and_picklable(tmp_path, data):
    sc = mss_sim.load_scenario(GSF)
    with pytest.raises(Exception, match="frozen"):
        sc.scenario.horizon_months = 3  # type: ignore[misc]
    assert sc.content_hash() == mss_sim.load_scenario(GSF).content_hash()
    data["funding"]["costs"]["fixed_monthly_usd"] = 1.0
    other = mss_sim.load_scenario(write(tmp_path, data))
    assert other.content_hash() != sc.content_hash()
    for dist in sc.uncertain_parameters().values():
        dist.distribution()
    assert pickle.loads(pickle.dumps(sc)) == sc


def test_every_bundled_scenario_loads():
    names = sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))
    assert names == [
        "gsf_2025",
        "kenya_drawdown",
        "mss_2023",
        "mss_2024",
        "pko_assessed",
        "us_budget_cuts",
    ]
    for name in names:
        sc = mss_sim.load_scenario(ROOT / "scenarios" / f"{name}.toml")
        assert sc.name == name
        assert sc.scenario.description
