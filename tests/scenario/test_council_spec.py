"""The ``[council]`` table: voting rules, compositions, propensities, drafts and their errors."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from scipy import stats

import mss_sim
from conftest import DELETE, edit, to_toml
from mss_sim.model import resolve
from mss_sim.scenario import (
    PERMANENT_MEMBERS,
    RULE_PRESETS,
    Council,
    Draft,
    Effect,
    ElectedChoice,
    Negotiation,
    Retabling,
    Rule,
    Softening,
    load_raw,
    scenario_from_dict,
)
from mss_sim.scenario.members import (
    REGIONAL_GROUPS,
    package_compositions,
    package_permanent,
    regional_group,
    regional_members,
)

ROOT = Path(__file__).parents[2]
GSF = ROOT / "scenarios" / "gsf_2025.toml"
MSS = ROOT / "scenarios" / "mss_2024.toml"

PERMANENT = ("CHN", "FRA", "GBR", "RUS", "USA")
COMPOSITIONS = {
    2023: ("ALB", "BRA", "ECU", "GAB", "GHA", "JPN", "MLT", "MOZ", "CHE", "ARE"),
    2024: ("DZA", "ECU", "GUY", "JPN", "MLT", "MOZ", "KOR", "SLE", "SVN", "CHE"),
    2025: ("DZA", "DNK", "GRC", "GUY", "PAK", "PAN", "KOR", "SLE", "SVN", "SOM"),
    2026: ("BHR", "COL", "COD", "DNK", "GRC", "LVA", "LBR", "PAK", "PAN", "SOM"),
}
GSF_2027 = (
    ("BHR", "COL", "COD", "LVA", "LBR", "AUT", "DEU", "PHL", "TTO", "ZWE"),
    ("BHR", "COL", "COD", "LVA", "LBR", "AUT", "PRT", "KGZ", "TTO", "ZWE"),
    ("BHR", "COL", "COD", "LVA", "LBR", "DEU", "PRT", "PHL", "TTO", "ZWE"),
)
SIX = ["DZA", "DNK", "GUY", "PAK", "SVN", "SOM"]


# --------------------------------------------------------------------------- helpers


@functools.cache
def _raw(path: Path) -> dict[str, Any]:
    return load_raw(path)


def raw(path: Path = GSF) -> dict[str, Any]:
    """A fresh copy of a bundled scenario's data, as read from TOML."""
    return copy.deepcopy(_raw(path))


def build(data: dict[str, Any], source: str = "gsf_2025.toml") -> mss_sim.Scenario:
    return scenario_from_dict(data, source=source)


def error_of(data: dict[str, Any], source: str = "gsf_2025.toml") -> mss_sim.ScenarioError:
    with pytest.raises(mss_sim.ScenarioError) as info:
        scenario_from_dict(data, source=source)
    return info.value


def load_error(tmp_path: Path, data: dict[str, Any], name: str) -> mss_sim.ScenarioError:
    path = tmp_path / name
    path.write_text(to_toml(data), encoding="utf-8")
    with pytest.raises(mss_sim.ScenarioError) as info:
        mss_sim.load_scenario(path)
    return info.value


def outcome(data: dict[str, Any]) -> mss_sim.Scenario | mss_sim.ScenarioError:
    """The scenario `data` describes, or the error it gives."""
    try:
        return build(data)
    except mss_sim.ScenarioError as exc:
        return exc


# --------------------------------------------------------------------------- bad files

POSTURE = [{"date": dt.date(2025, 8, 1), "value": 1.0}]
BELOW_MINUS_ONE = {"dist": "uniform", "low": -2, "high": 0}

BAD = [
    (
        "unknown rule name",
        GSF,
        [edit("council.rule", "veto_all")],
        "council.rule.name",
        "must be one of 'charter', 'procedural', 'no_veto', 'double_veto', "
        "'abstention_veto' or 'pre_1966', got 'veto_all'",
    ),
    (
        "rule table threshold above seats",
        GSF,
        [edit("council.rule", {"name": "charter", "threshold": 16})],
        "council.rule.threshold",
        "must be <= the 15 seats, got 16",
    ),
    (
        "pre_1966 threshold above its eleven seats",
        GSF,
        [edit("council.rule", {"name": "pre_1966", "threshold": 12})],
        "council.rule.threshold",
        "must be <= the 11 seats, got 12",
    ),
    (
        "seats below the threshold",
        GSF,
        [edit("council.rule", {"name": "charter", "seats": 8})],
        "council.rule.threshold",
        "must be <= the 8 seats, got 9",
    ),
    (
        "seats fewer than the permanent members",
        GSF,
        [edit("council.rule", {"name": "charter", "seats": 4, "threshold": 3})],
        "council.rule",
        "4 seats cannot hold 5 members",
    ),
    (
        "vetoes needed above the permanent members",
        GSF,
        [edit("council.rule", {"name": "charter", "vetoes_needed": 6})],
        "council.rule.vetoes_needed",
        "must be <= 5 permanent members",
    ),
    (
        "correlation of one",
        GSF,
        [edit("council.correlation", 1.0)],
        "council.correlation",
        "must be < 1, got 1",
    ),
    (
        "negative correlation",
        GSF,
        [edit("council.correlation", -0.1)],
        "council.correlation",
        "must be >= 0, got -0.1",
    ),
    (
        "uncertain correlation beyond one",
        GSF,
        [edit("council.correlation", {"dist": "uniform", "low": 0.0, "high": 1.2})],
        "council.correlation",
        "must be < 1, but uniform values can be 1.2",
    ),
    (
        "choice correlation with one",
        GSF,
        [edit("council.correlation", {"dist": "choice", "values": [0.2, 1.0]})],
        "council.correlation",
        "must be < 1, but choice values can be 1",
    ),
    (
        "unknown effect factor",
        GSF,
        [edit("council.effects[0].factor", "mood")],
        "council.effects[0].factor",
        "must be one of 'host_request', 'endorsement', 'performance' or 'funder_posture', "
        "got 'mood'",
    ),
    (
        "effect size above three",
        GSF,
        [edit("council.effects[0].size", 5)],
        "council.effects[0].size",
        "must be <= 3, got 5",
    ),
    (
        "effect size below minus three",
        GSF,
        [edit("council.effects[1].size", -5)],
        "council.effects[1].size",
        "must be >= -3, got -5",
    ),
    (
        "uncertain effect size beyond three",
        GSF,
        [edit("council.effects[0].size", {"dist": "uniform", "low": 0, "high": 5})],
        "council.effects[0].size",
        "must be <= 3, but uniform values can be 5",
    ),
    (
        "body on a posture effect",
        GSF,
        [edit("council.effects[0].body", "OAS")],
        "council.effects[0].body",
        "only an 'endorsement' effect names a body",
    ),
    (
        "unknown member selector",
        GSF,
        [edit("council.effects[1].members", ["CHN", "nordic"])],
        "council.effects[1].members[1]",
        "must be 'all', an ISO 3166-1 alpha-3 code or a group (all, permanent, elected, "
        "african, asia_pacific, eastern_european, latin_american_caribbean, "
        "western_european_other), got 'nordic'",
    ),
    (
        "default as a member selector",
        GSF,
        [edit("council.effects[1].members", ["default"])],
        "council.effects[1].members[0]",
        "got 'default'",
    ),
    (
        "unknown propensity key",
        GSF,
        [edit("council.propensities.nordic", {"renewal": [1.0, 0.0, 0.0]})],
        "council.propensities.nordic",
        "must be 'default', an ISO 3166-1 alpha-3 code or a group (all, permanent, elected",
    ),
    (
        "lower-case code as propensity key",
        GSF,
        [edit("council.propensities.chn", {"renewal": [1.0, 0.0, 0.0]})],
        "council.propensities.chn",
        "must be 'default', an ISO 3166-1 alpha-3 code or a group",
    ),
    (
        "all as propensity key",
        GSF,
        [edit("council.propensities.all", {"renewal": [1.0, 0.0, 0.0]})],
        "council.propensities.all",
        "must be 'default', an ISO 3166-1 alpha-3 code or a group",
    ),
    (
        "custom group named elected",
        GSF,
        [edit("council.groups", {"elected": ["DNK"]})],
        "council.groups.elected",
        "'elected' is a built-in group name",
    ),
    (
        "custom group named african",
        GSF,
        [edit("council.groups", {"nordic": ["DNK"], "african": ["SOM"]})],
        "council.groups.african",
        "'african' is a built-in group name",
    ),
    (
        "custom group named default",
        GSF,
        [edit("council.groups", {"default": ["SOM"]})],
        "council.groups.default",
        "'default' is a built-in group name",
    ),
    (
        "elected choice p too short",
        GSF,
        [edit("council.elected.2027.p", [0.5, 0.5])],
        "council.elected.2027",
        "p must have one probability per list (3), got 2",
    ),
    (
        "elected choice p sum",
        GSF,
        [edit("council.elected.2027.p", [0.5, 0.3, 0.3])],
        "council.elected.2027",
        "p must sum to 1, got 1.1",
    ),
    (
        "elected choice with nine members",
        GSF,
        [edit("council.elected.2027.choice[1]", list(GSF_2027[1][:9]))],
        "council.elected.2027.choice[1]",
        "must list 10 different members, got 9",
    ),
    (
        "elected choice with a permanent member",
        GSF,
        [edit("council.elected.2027.choice[2]", [*GSF_2027[2][:9], "CHN"])],
        "council.elected.2027.choice[2]",
        "['CHN'] are permanent members",
    ),
    (
        "elected choice with an unknown key",
        GSF,
        [edit("council.elected.2027.weights", [1, 1, 1])],
        "council.elected.2027",
        "weights: unknown key",
    ),
    (
        "elected choice with a bad code",
        GSF,
        [edit("council.elected.2027.choice[0][0]", "bhr")],
        "council.elected.2027",
        "choice[0][0]: must be an ISO 3166-1 alpha-3 code",
    ),
    (
        "elected year as a number",
        GSF,
        [edit("council.elected.2027", 3)],
        "council.elected.2027",
        "expected a list of members or an uncertain choice",
    ),
    (
        "elected key not a year",
        GSF,
        [edit("council.elected.next", list(COMPOSITIONS[2026]))],
        "council.elected.next",
        "a year such as 2025 is expected as the key",
    ),
    (
        "softening step changing nothing",
        GSF,
        [edit("council.drafts[0].soften[1]", {"description": "nothing changes"})],
        "council.drafts[0].soften[1]",
        "a softening step must change at least one of kind, duration_months, ceiling, "
        "funding_model, powers",
    ),
    (
        "draft rule with other seats",
        GSF,
        [edit("council.drafts[0].rule", "pre_1966")],
        "council.drafts[0].rule",
        "has 11 seats but the Council's rule has 15",
    ),
    (
        "draft rule threshold above seats",
        GSF,
        [edit("council.drafts[1].rule", {"name": "procedural", "threshold": 16})],
        "council.drafts[1].rule.threshold",
        "must be <= the 15 seats, got 16",
    ),
    (
        "pre_1966 rule with the package compositions",
        MSS,
        [edit("council.rule", "pre_1966")],
        "council.elected.2024",
        "the rule has 6 elected seats but the package's 2024 composition lists 10: "
        "list 6 members for 2024",
    ),
    (
        "pre_1966 rule with the package's 2025",
        GSF,
        [edit("council.rule", "pre_1966"), edit("council.elected.2027", SIX)],
        "council.elected.2025",
        "the rule has 6 elected seats but the package's 2025 composition lists 10: "
        "list 6 members for 2025",
    ),
    (
        "pre_1966 rule with ten listed members",
        GSF,
        [edit("council.rule", "pre_1966")],
        "council.elected.2027.choice[0]",
        "must list 6 different members, got 10",
    ),
    (
        "posture dates equal",
        GSF,
        [
            edit(
                "council.context.funder_posture",
                [*POSTURE, {"date": dt.date(2025, 8, 1), "value": 0.5}],
            )
        ],
        "council.context.funder_posture[1].date",
        "dates must increase, got 2025-08-01 after 2025-08-01",
    ),
    (
        "posture dates decreasing",
        MSS,
        [
            edit(
                "council.context.funder_posture",
                [
                    {"date": dt.date(2024, 3, 1), "value": 1.0},
                    {"date": dt.date(2024, 1, 1), "value": 0.5},
                ],
            )
        ],
        "council.context.funder_posture[1].date",
        "dates must increase, got 2024-01-01 after 2024-03-01",
    ),
    (
        "posture above one",
        GSF,
        [edit("council.context.funder_posture[0].value", 1.5)],
        "council.context.funder_posture[0].value",
        "must be <= 1, got 1.5",
    ),
    (
        "posture below minus one",
        MSS,
        [edit("council.context.funder_posture[0].value", -1.5)],
        "council.context.funder_posture[0].value",
        "must be >= -1, got -1.5",
    ),
    (
        "uncertain posture below minus one",
        MSS,
        [edit("council.context.funder_posture[0].value", BELOW_MINUS_ONE)],
        "council.context.funder_posture[0].value",
        "must be >= -1, but uniform values can be -2",
    ),
    (
        "negotiation threshold above one",
        GSF,
        [edit("council.negotiation.threshold", 1.5)],
        "council.negotiation.threshold",
        "must be <= 1, got 1.5",
    ),
    (
        "retabling attempts zero",
        GSF,
        [edit("council.retabling.attempts", 0)],
        "council.retabling.attempts",
        "must be >= 1, got 0",
    ),
    (
        "re-tablable draft reaching a year without members",
        GSF,
        [edit("council.elected.2027", DELETE)],
        "council.drafts[0].date",
        "the draft can be voted on in 2027 (it can be re-tabled until then), but no Council "
        "composition is known for 2027: add council.elected.2027 (10 members",
    ),
]


@pytest.mark.parametrize(
    ("base", "changes", "key", "problem"), [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_bad_council_value_names_file_and_key(tmp_path, base, changes, key, problem):
    data = raw(base)
    for change in changes:
        change(data)
    error = load_error(tmp_path, data, base.name)
    first = str(error).splitlines()[0]
    assert (error.source, error.path) == (base.name, key)
    assert first == f"{base.name}: {key}: {error.problem.splitlines()[0]}"
    assert problem in first, first


def test_errors_from_data_name_the_source_given():
    data = raw()
    data["council"]["negotiation"]["threshold"] = 2
    error = error_of(data, source="mine.toml")
    assert str(error) == "mine.toml: council.negotiation.threshold: must be <= 1, got 2"
    with pytest.raises(mss_sim.ScenarioError, match=r"^council\.negotiation\.threshold: "):
        scenario_from_dict(data)


def test_custom_groups_are_offered_as_selectors():
    data = raw()
    data["council"]["groups"] = {"nordic": ["DNK"]}
    data["council"]["propensities"]["baltic"] = {"renewal": [1.0, 0.0, 0.0]}
    error = error_of(data)
    assert error.path == "council.propensities.baltic"
    assert error.problem.endswith("western_european_other, nordic)")
    data["council"]["propensities"]["nordic"] = data["council"]["propensities"].pop("baltic")
    data["council"]["effects"][1]["members"] = ["CHN", "nordic", "african", "permanent"]
    sc = build(data)
    assert sc.council.effects[1].members == ["CHN", "nordic", "african", "permanent"]
    assert sc.council.propensity("DNK", "renewal") == (1.0, 0.0, 0.0)


def test_draft_rule_vetoes_needed_is_checked_like_the_councils():
    data = raw()
    data["council"]["drafts"][0]["rule"] = {"name": "double_veto", "vetoes_needed": 9}
    error = error_of(data)
    assert error.path.startswith("council.drafts[0].rule"), str(error)
    assert "permanent" in error.problem, str(error)


def test_negotiation_before_the_vote_needs_that_years_members():
    data = raw()
    council = data["council"]
    council["elected"] = {"2028": list(GSF_2027[0])}
    council["negotiation"] = {"threshold": 0.25, "rounds": 2, "round_days": 7}
    council["drafts"] = [
        {"id": "renew", "date": dt.date(2028, 1, 5), "kind": "renewal", "retable": False}
    ]
    data["scenario"].update(start=dt.date(2027, 6, 1), horizon_months=12)
    data["mandate"]["expiry"] = dt.date(2028, 3, 1)
    for contributor in data["deployment"]["contributors"]:
        contributor.pop("available_from", None)
    error = error_of(data)
    assert error.path.startswith("council.drafts[0]"), str(error)
    assert "council.elected.2027" in error.problem, str(error)


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "uniform", "low": 0.0, "high": 1.0},
        {"dist": "triangular", "low": 0.0, "mode": 1.0, "high": 1.0},
        {"dist": "beta", "a": 1.0, "b": 0.1},
    ],
    ids=["uniform", "triangular", "beta"],
)
def test_an_accepted_correlation_never_draws_one(spec):
    data = raw()
    data["council"]["correlation"] = spec
    result = outcome(data)
    if isinstance(result, mss_sim.ScenarioError):
        assert result.path == "council.correlation"
    else:
        draws = [resolve(result, seed).draws["council.correlation"] for seed in range(200)]
        assert min(draws) >= 0.0 and max(draws) < 1.0, max(draws)


# --------------------------------------------------------------------------- package data


def test_package_compositions_are_the_reference_facts():
    assert package_compositions() == COMPOSITIONS
    assert package_permanent() == PERMANENT == PERMANENT_MEMBERS


def test_each_year_has_ten_distinct_elected_members():
    for year, members in package_compositions().items():
        assert len(members) == len(set(members)) == 10, year
        assert not set(members) & set(PERMANENT), year


def test_regional_groups_are_disjoint_and_cover_every_member():
    for a, b in itertools.combinations(REGIONAL_GROUPS, 2):
        assert not regional_members(a) & regional_members(b), (a, b)
    everyone = set(PERMANENT).union(*package_compositions().values())
    assert all(regional_group(code) is not None for code in everyone)
    assert {code: regional_group(code) for code in PERMANENT} == {
        "CHN": "asia_pacific",
        "FRA": "western_european_other",
        "GBR": "western_european_other",
        "RUS": "eastern_european",
        "USA": "western_european_other",
    }
    assert regional_group("GUY") == "latin_american_caribbean"
    assert regional_group("NZL") is None
    with pytest.raises(KeyError):
        regional_members("arab")


SEATS = {
    "african": 3,
    "asia_pacific": 2,
    "eastern_european": 1,
    "latin_american_caribbean": 2,
    "western_european_other": 2,
}


def test_elected_seats_follow_the_regional_allocation():
    for year, members in package_compositions().items():
        assert Counter(regional_group(m) for m in members) == SEATS, year
    for option in mss_sim.load_scenario(GSF).council.elected_options(2027) or ():
        assert Counter(regional_group(m) for m in option) == SEATS, option


# --------------------------------------------------------------------------- composition


def test_without_elected_the_package_compositions_are_used():
    council = mss_sim.load_scenario(MSS).council
    assert council.elected == {}
    for year, members in COMPOSITIONS.items():
        assert council.members(year) == (*PERMANENT, *members)
        assert council.elected_options(year) == (members,)
    assert council.elected_options(2030) is None
    with pytest.raises(KeyError, match="no Council composition for 2030"):
        council.members(2030)


def test_a_listed_year_overrides_the_package_for_that_year_only():
    data = raw(MSS)
    data["council"]["elected"] = {"2025": list(COMPOSITIONS[2026])}
    council = build(data, "mss_2024.toml").council
    assert council.members(2025) == (*PERMANENT, *COMPOSITIONS[2026])
    assert council.members(2024) == (*PERMANENT, *COMPOSITIONS[2024])
    assert council.members(2026) == (*PERMANENT, *COMPOSITIONS[2026])
    assert council.members(2023) == (*PERMANENT, *COMPOSITIONS[2023])
    assert "council.elected.2025" not in mss_sim.load_scenario(MSS).uncertain_parameters()


def test_elected_choice_is_an_uncertain_parameter():
    sc = mss_sim.load_scenario(GSF)
    choice = sc.uncertain_parameters()["council.elected.2027"]
    assert isinstance(choice, ElectedChoice)
    assert choice.options == GSF_2027
    assert choice.p == [0.4, 0.3, 0.3]
    assert choice.support() == (0.0, 2.0)
    assert [choice.ppf(u) for u in (0.1, 0.39, 0.41, 0.69, 0.71, 0.99)] == [0, 0, 1, 1, 2, 2]
    for j, option in enumerate(GSF_2027):
        assert sc.council.members(2027, j) == (*PERMANENT, *option)
    assert sc.council.members(2027) == (*PERMANENT, *GSF_2027[0])


def test_elected_choice_draws_follow_p():
    p = [0.6, 0.3, 0.1]
    data = raw()
    data["council"]["elected"]["2027"]["p"] = p
    sc = build(data)
    n = 1200
    draws = [resolve(sc, seed).draws["council.elected.2027"] for seed in range(n)]
    assert set(draws) <= {0.0, 1.0, 2.0}
    counts = [draws.count(float(i)) for i in range(3)]
    assert stats.chisquare(counts, [n * q for q in p]).pvalue > 1e-3, counts
    assert resolve(sc, 5).draws == resolve(sc, 5).draws


def test_elected_choice_without_p_is_uniform():
    choice = ElectedChoice.model_validate({"choice": [list(GSF_2027[0]), list(GSF_2027[1])]})
    assert choice.ppf(0.49) == 0
    assert choice.ppf(0.51) == 1


def test_possible_members_lists_every_option_once_permanent_first():
    council = mss_sim.load_scenario(GSF).council
    everyone = council.possible_members(range(2025, 2028))
    assert everyone == (
        *PERMANENT,
        *COMPOSITIONS[2025],
        *("BHR", "COL", "COD", "LVA", "LBR"),
        *("AUT", "DEU", "PHL", "TTO", "ZWE"),
        *("PRT", "KGZ"),
    )
    assert len(everyone) == len(set(everyone))
    assert council.possible_members([2031]) == PERMANENT
    assert council.possible_members([2026]) == (*PERMANENT, *COMPOSITIONS[2026])


# --------------------------------------------------------------------------- propensities

D, R, E, P, M, G1, G2 = (
    (0.9, 0.1, 0.0),
    (0.8, 0.2, 0.0),
    (0.7, 0.3, 0.0),
    (0.6, 0.4, 0.0),
    (0.5, 0.5, 0.0),
    (0.4, 0.6, 0.0),
    (0.3, 0.7, 0.0),
)


def probe_council(groups: dict[str, list[str]]) -> Council:
    data = raw(MSS)
    council = data["council"]
    council["groups"] = groups
    council["propensities"].update(
        {
            "DNK": {"probe": list(M)},
            "nordic": {"probe": list(G1)},
            "friends": {"probe": list(G2)},
            "permanent": {"probe": list(P)},
            "elected": {"probe": list(E)},
            "western_european_other": {"probe": list(R), "region": list(R)},
            "african": {"region": list(M)},
        }
    )
    council["propensities"]["default"].update(probe=list(D), region=list(D))
    council["propensities"]["CHN"]["own"] = list(M)
    return build(data, "mss_2024.toml").council


NORDIC_FIRST = {"nordic": ["DNK", "SWE"], "friends": ["DNK", "SWE", "GRC", "FRA"]}


def test_member_entry_wins_over_every_group():
    assert probe_council(NORDIC_FIRST).propensity("DNK", "probe") == M


def test_custom_groups_win_in_file_order():
    council = probe_council(NORDIC_FIRST)
    assert council.propensity("SWE", "probe") == G1
    assert council.propensity("GRC", "probe") == G2
    assert council.propensity("FRA", "probe") == G2
    reversed_order = dict(reversed(list(NORDIC_FIRST.items())))
    assert probe_council(reversed_order).propensity("SWE", "probe") == G2


def test_status_wins_over_region_and_region_over_default():
    council = probe_council(NORDIC_FIRST)
    assert council.propensity("GBR", "probe") == P
    assert council.propensity("USA", "probe") == P
    assert council.propensity("MLT", "probe") == E
    assert council.propensity("NZL", "probe") == E
    assert council.propensity("MLT", "region") == R
    assert council.propensity("USA", "region") == R
    assert council.propensity("SLE", "region") == M
    assert council.propensity("GUY", "region") == D
    assert council.propensity("NZL", "region") == D


def test_uncovered_kind_gives_none():
    council = probe_council(NORDIC_FIRST)
    assert council.propensity("DNK", "sanctions") is None
    assert council.propensity("CHN", "own") == M
    assert council.propensity("RUS", "own") is None


def test_groups_of_runs_from_specific_to_default():
    council = probe_council(NORDIC_FIRST)
    assert council.groups_of("DNK") == (
        "nordic",
        "friends",
        "elected",
        "western_european_other",
        "default",
    )
    assert council.groups_of("RUS") == ("permanent", "eastern_european", "default")
    assert council.groups_of("NZL") == ("elected", "default")


def test_bundled_propensities():
    council = mss_sim.load_scenario(GSF).council
    assert council.propensity("CHN", "force_authorisation") == (0.05, 0.93, 0.02)
    assert council.propensity("FRA", "renewal") == (0.986, 0.014, 0.0)
    assert council.propensity("DNK", "pko_transition") is None


def test_council_equality_ignores_the_propensity_cache():
    a, b = mss_sim.load_scenario(GSF), mss_sim.load_scenario(GSF)
    assert a.council.propensity("CHN", "pko_transition") is None
    assert a.content_hash() == b.content_hash()
    assert a.council == b.council
    assert a == b


# --------------------------------------------------------------------------- rules


def test_rule_string_and_table_forms_load(tmp_path):
    data = raw()
    data["council"]["rule"] = "double_veto"
    path = tmp_path / "gsf_2025.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    rule = mss_sim.load_scenario(path).council.rule
    assert rule == Rule(name="double_veto")
    assert rule.parameters() == {**RULE_PRESETS["charter"], "vetoes_needed": 2}

    data["council"]["rule"] = {"name": "charter", "threshold": 8}
    path.write_text(to_toml(data), encoding="utf-8")
    rule = mss_sim.load_scenario(path).council.rule
    assert (rule.name, rule.threshold, rule.veto) == ("charter", 8, None)
    assert rule.parameters() == {**RULE_PRESETS["charter"], "threshold": 8}


def test_rule_presets():
    assert set(RULE_PRESETS) == {
        "charter",
        "procedural",
        "no_veto",
        "double_veto",
        "abstention_veto",
        "pre_1966",
    }
    assert dict(RULE_PRESETS["charter"]) == {
        "threshold": 9,
        "veto": True,
        "vetoes_needed": 1,
        "abstention_is_veto": False,
        "seats": 15,
    }
    assert RULE_PRESETS["pre_1966"]["threshold"] == 7
    assert RULE_PRESETS["pre_1966"]["seats"] == 11
    assert not RULE_PRESETS["procedural"]["veto"]
    assert not RULE_PRESETS["no_veto"]["veto"]
    assert RULE_PRESETS["abstention_veto"]["abstention_is_veto"]
    for name, preset in RULE_PRESETS.items():
        assert Rule(name=name).parameters() == dict(preset)
    assert Rule() == Rule(name="charter")


def test_rule_parameters_overlay_the_preset():
    rule = Rule.model_validate({"name": "abstention_veto", "veto": False, "seats": 20})
    assert rule.parameters() == {
        "threshold": 9,
        "veto": False,
        "vetoes_needed": 1,
        "abstention_is_veto": True,
        "seats": 20,
    }
    assert Rule(name="pre_1966", threshold=6).parameters()["seats"] == 11
    params = Rule().parameters()
    params["threshold"] = 1
    assert RULE_PRESETS["charter"]["threshold"] == 9


def test_pre_1966_council_with_six_members_a_year():
    data = raw(MSS)
    data["council"]["rule"] = "pre_1966"
    data["council"]["elected"] = {"2024": SIX, "2025": SIX}
    data["council"]["drafts"][1]["rule"] = {"name": "pre_1966", "threshold": 9}
    council = build(data, "mss_2024.toml").council
    assert council.members(2025) == (*PERMANENT, *SIX)
    assert council.rule_for(council.drafts[1]).parameters()["threshold"] == 9
    assert council.rule_for(council.drafts[0]) == Rule(name="pre_1966")
    data["council"]["drafts"][1]["rule"] = "charter"
    error = error_of(data, "mss_2024.toml")
    assert str(error) == (
        "mss_2024.toml: council.drafts[1].rule: has 15 seats but the Council's rule has 11"
    )


def test_draft_rule_replaces_the_councils():
    data = raw()
    data["council"]["drafts"][1]["rule"] = "procedural"
    council = build(data).council
    assert council.rule_for(council.drafts[1]) == Rule(name="procedural")
    assert council.rule_for(council.drafts[0]) is council.rule


# --------------------------------------------------------------------------- drafts


def draft(kind: str, **fields: Any) -> Draft:
    return Draft.model_validate({"id": "d", "date": dt.date(2025, 9, 30), "kind": kind, **fields})


def test_only_renewals_are_retablable_by_default():
    assert draft("renewal").retablable
    for kind in ("force_authorisation", "pko_transition", "support_office", "termination"):
        assert not draft(kind).retablable, kind
    assert not draft("renewal", retable=False).retablable
    assert draft("force_authorisation", retable=True).retablable
    gsf = mss_sim.load_scenario(GSF).council
    mss = mss_sim.load_scenario(MSS).council
    assert [d.retablable for d in gsf.drafts] == [True, True]
    assert [d.retablable for d in mss.drafts] == [True, False]


def test_kinds_lists_the_softened_kinds_once_after_the_drafts_own():
    d = draft(
        "force_authorisation",
        soften=[
            {"ceiling": 2500},
            {"kind": "renewal"},
            {"kind": "support_office", "ceiling": 1000},
            {"kind": "renewal"},
            {"kind": "force_authorisation"},
        ],
    )
    assert d.kinds() == ("force_authorisation", "renewal", "support_office")
    assert draft("renewal").kinds() == ("renewal",)
    mss = mss_sim.load_scenario(MSS).council
    assert mss.drafts[0].kinds() == ("renewal_pko_language", "renewal")


def test_vote_years_reach_the_horizon_only_for_retablable_drafts():
    council = mss_sim.load_scenario(GSF).council
    assert council.vote_years(council.drafts[0], 2027) == range(2025, 2028)
    assert council.vote_years(draft("termination"), 2027) == range(2025, 2026)


def test_softening_steps():
    assert Softening(kind="renewal").kind == "renewal"
    assert Softening(powers=[]).powers == []
    with pytest.raises(ValueError, match="must change at least one of"):
        Softening(description="only words")


def test_defaults():
    council = Council()
    assert council.permanent == list(PERMANENT)
    assert council.rule == Rule(name="charter")
    assert council.correlation == 0.0
    assert (council.elected, council.groups, council.effects, council.drafts) == ({}, {}, [], [])
    assert council.negotiation == Negotiation(
        threshold=0.25, rounds=2, round_days=7.0, signal_noise=0.0, force_vote=0.0
    )
    assert council.retabling == Retabling(attempts=2, interval_days=7.0, rollover_months=0)
    assert council.context.max_shift == 2.0
    assert council.context.endorsement_half_life_months is None
    effect = Effect(factor="endorsement", size=1.0, body="OAS")
    assert (effect.members, effect.kinds) == (["all"], [])


# --------------------------------------------------------------------------- bundled files


def test_gsf_council_section():
    council = mss_sim.load_scenario(GSF).council
    assert council.rule == Rule(name="charter")
    assert council.correlation.support() == (0.0, 0.4)
    assert list(council.elected) == ["2027"]
    assert [e.factor for e in council.effects] == ["funder_posture", "performance"]
    assert [d.id for d in council.drafts] == ["gsf", "gsf_renewal"]
    assert [s.description for s in council.drafts[0].soften] == [
        "no independent operations",
        "ceiling lowered to the MSS planning target of 2,500",
    ]
    assert council.retabling.rollover_months == 6
    assert council.context.funder_posture[0].value == 1.0


def test_mss_council_section():
    council = mss_sim.load_scenario(MSS).council
    assert council.elected == {}
    assert [(r.kind, r.date) for r in council.context.requests] == [
        ("pko_transition", dt.date(2024, 10, 22))
    ]
    assert [(e.body, e.kind) for e in council.context.endorsements] == [("OAS", "pko_transition")]
    assert [e.body for e in council.effects] == [None, "OAS", None, None]
    assert [d.id for d in council.drafts] == ["mss_renewal", "pko_transition"]
    assert council.retabling.rollover_months == 0


def test_written_and_read_back_is_the_same_scenario(tmp_path):
    for source in (GSF, MSS):
        path = tmp_path / source.name
        path.write_text(to_toml(raw(source)), encoding="utf-8")
        again = mss_sim.load_scenario(path)
        original = mss_sim.load_scenario(source)
        assert again == original
        assert again.content_hash() == original.content_hash()


def test_content_hash_is_stable_and_follows_council_values():
    for source in (GSF, MSS):
        first = mss_sim.load_scenario(source).content_hash()
        assert first == mss_sim.load_scenario(source).content_hash()
        assert first == build(raw(source), source.name).content_hash()
    base = build(raw()).content_hash()
    changes = [
        edit("council.negotiation.threshold", 0.3),
        edit("council.elected.2027.p", [0.5, 0.25, 0.25]),
        edit("council.rule", "double_veto"),
        edit("council.correlation", 0.1),
        edit("council.propensities.CHN.renewal", [0.9, 0.09, 0.01]),
    ]
    hashes = set()
    for change in changes:
        data = raw()
        change(data)
        hashes.add(build(data).content_hash())
    assert base not in hashes
    assert len(hashes) == len(changes)
    data = raw()
    data["council"]["rule"] = {"name": "charter"}
    assert build(data).content_hash() == base


def test_a_permanent_member_sitting_as_elected_in_the_package_years_is_an_error():
    data = raw(MSS)
    data["council"]["permanent"] = ["CHN", "FRA", "GBR", "RUS", "JPN"]
    error = error_of(data, source="mss_2024.toml")
    assert error.path == "council.permanent"
    assert "['JPN'] sit on the Council in 2024 as elected members" in error.problem


def test_negotiation_rounds_are_bounded_in_length():
    data = raw()
    data["council"]["negotiation"] = {"rounds": 2, "round_days": 1e9}
    error = error_of(data)
    assert error.path == "council.negotiation.round_days"
    assert error.problem == "must be <= 365, got 1e+09"
