"""The ``[funding]`` table: assessed shares and payers, trust fund, donors, conditions, shocks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import mss_sim
from conftest import DELETE, SCENARIOS, edit, error_of, write
from mss_sim.scenario import Payer

FREEZE: dict[str, Any] = {
    "kind": "freeze",
    "donor": "USA",
    "date": dt.date(2025, 10, 1),
    "duration_months": 3,
}
CONDITION: dict[str, Any] = {"donor": "USA", "kind": "starts_if_adopted", "draft": "gsf"}

CASES = [
    # ------------------------------------------------------------------ assessed
    (
        "shares do not sum to 1",
        edit("funding.assessed.shares", {"USA": 0.3, "others": 0.6}),
        "funding.assessed.shares",
        "must sum to 1, got 0.9",
    ),
    (
        "share zero",
        edit("funding.assessed.shares", {"USA": 0.0, "others": 1.0}),
        "funding.assessed.shares.USA",
        "a share must be in (0, 1], got 0",
    ),
    (
        "share negative",
        edit("funding.assessed.shares", {"USA": -0.1, "others": 0.9}),
        "funding.assessed.shares.USA",
        "a share must be in (0, 1], got -0.1",
    ),
    (
        "share above one",
        edit("funding.assessed.shares", {"USA": 1.5}),
        "funding.assessed.shares.USA",
        "a share must be in (0, 1], got 1.5",
    ),
    (
        "boolean share",
        edit("funding.assessed.shares", {"USA": True, "others": 0.731}),
        "funding.assessed.shares.USA",
        "a share must be a number (not uncertain), got True",
    ),
    (
        "text share",
        edit("funding.assessed.shares", {"USA": "0.269", "others": 0.731}),
        "funding.assessed.shares.USA",
        "a share must be a number (not uncertain), got '0.269'",
    ),
    (
        "no shares",
        edit("funding.assessed.shares", {}),
        "funding.assessed.shares",
        "needs at least one member's share",
    ),
    (
        "payer without a share",
        edit("funding.assessed.payers.FRA", {"lag_months": 1}),
        "funding.assessed.payers.FRA",
        "FRA has no share (shares: USA, others); add it to shares or use 'default'",
    ),
    (
        "paid fraction above one",
        edit("funding.assessed.payers.USA.paid_fraction", 1.2),
        "funding.assessed.payers.USA.paid_fraction",
        "must be <= 1, got 1.2",
    ),
    (
        "paid fraction negative",
        edit("funding.assessed.payers.default.paid_fraction", -0.1),
        "funding.assessed.payers.default.paid_fraction",
        "must be >= 0, got -0.1",
    ),
    (
        "negative payment lag",
        edit("funding.assessed.payers.USA.lag_months", -1),
        "funding.assessed.payers.USA.lag_months",
        "must be >= 0, got -1",
    ),
    (
        "budget period of zero months",
        edit("funding.assessed.period_months", 0),
        "funding.assessed.period_months",
        "must be >= 1, got 0",
    ),
    # ---------------------------------------------------------------- trust fund
    (
        "received before below opening balance",
        edit("funding.trust_fund", {"opening_balance_usd": 20e6, "received_before_usd": 10e6}),
        "funding.trust_fund.received_before_usd",
        "must be at least the opening balance ($20,000,000), got $10,000,000",
    ),
    (
        "uncertain received before can fall below opening balance",
        edit(
            "funding.trust_fund.received_before_usd",
            {"dist": "uniform", "low": 30e6, "high": 115e6},
        ),
        "funding.trust_fund.received_before_usd",
        "can be as low as $30,000,000, below the largest opening balance ($50,000,000)",
    ),
    # -------------------------------------------------------------------- donors
    (
        "unknown in-kind category",
        edit("funding.donors[1].in_kind", ["catering"]),
        "funding.donors[1].in_kind[0]",
        "must be one of 'personnel', 'logistics', 'deployment' or 'fixed', got 'catering'",
    ),
    (
        "in-kind category twice",
        edit("funding.donors[1].in_kind", ["logistics", "fixed", "logistics"]),
        "funding.donors[1].in_kind",
        "lists 'logistics' twice",
    ),
    (
        "donor name with a space",
        edit("funding.donors[1].name", "Canada Fund"),
        "funding.donors[1].name",
        "must be letters, digits and '_', starting with a letter (it names outputs such as "
        "received_usd.<donor>), got 'Canada Fund'",
    ),
    (
        "donor name with a dot",
        edit("funding.donors[1].name", "CAN.gov"),
        "funding.donors[1].name",
        "starting with a letter (it names outputs such as received_usd.<donor>), got 'CAN.gov'",
    ),
    (
        "honour probability above one",
        edit("funding.donors[0].honour_probability", 1.5),
        "funding.donors[0].honour_probability",
        "must be <= 1, got 1.5",
    ),
    # ---------------------------------------------------------------- conditions
    (
        "condition on an unknown donor",
        edit("funding.conditions", [{**CONDITION, "donor": "GBR"}]),
        "funding.conditions[0].donor",
        "no donor named 'GBR' (donors: USA, CAN, others)",
    ),
    (
        "condition on an unknown draft",
        edit("funding.conditions", [{**CONDITION, "draft": "pko"}]),
        "funding.conditions[0].draft",
        "no draft named 'pko' (council.drafts: gsf, gsf_renewal)",
    ),
    (
        "ends_unless_adopted without a date",
        edit("funding.conditions", [{**CONDITION, "kind": "ends_unless_adopted"}]),
        "funding.conditions[0].date",
        "ends_unless_adopted needs the date the support ends",
    ),
    (
        "starts_if_adopted with a date",
        edit("funding.conditions", [{**CONDITION, "date": dt.date(2026, 1, 1)}]),
        "funding.conditions[0].date",
        "starts_if_adopted takes no date",
    ),
    (
        "unknown condition kind",
        edit("funding.conditions", [{**CONDITION, "kind": "ends_if_vetoed"}]),
        "funding.conditions[0].kind",
        "must be one of 'ends_unless_adopted' or 'starts_if_adopted', got 'ends_if_vetoed'",
    ),
    # -------------------------------------------------------------------- shocks
    (
        "cap without a member",
        edit("funding.shocks[0].member", DELETE),
        "funding.shocks[0].member",
        "a cap needs the member whose payments it caps",
    ),
    (
        "cap without a share",
        edit("funding.shocks[0].share", DELETE),
        "funding.shocks[0].share",
        "a cap needs the share of an assessment it allows",
    ),
    (
        "cap with a donor",
        edit("funding.shocks[0].donor", "USA"),
        "funding.shocks[0].donor",
        "a cap names a member, not a donor",
    ),
    (
        "freeze with a member",
        edit("funding.shocks", [{**FREEZE, "member": "USA"}]),
        "funding.shocks[0].member",
        "a freeze names a donor, not a member",
    ),
    (
        "freeze with a share",
        edit("funding.shocks", [{**FREEZE, "share": 0.5}]),
        "funding.shocks[0].share",
        "only a cap takes a share",
    ),
    (
        "hold without an amount",
        edit("funding.shocks", [{"kind": "hold", "date": dt.date(2025, 10, 1)}]),
        "funding.shocks[0].amount_usd",
        "a hold needs the amount of money it holds",
    ),
    (
        "hold naming a donor",
        edit(
            "funding.shocks",
            [{"kind": "hold", "donor": "USA", "amount_usd": 1e6, "date": dt.date(2025, 10, 1)}],
        ),
        "funding.shocks[0].donor",
        "a hold takes no donor: it holds trust fund money",
    ),
    (
        "freeze with a fraction",
        edit("funding.shocks", [{**FREEZE, "fraction": 0.5}]),
        "funding.shocks[0].fraction",
        "a freeze takes no fraction (only a cut or a rescission)",
    ),
    (
        "cut with a release probability",
        edit(
            "funding.shocks",
            [
                {
                    "kind": "cut",
                    "donor": "USA",
                    "date": dt.date(2025, 10, 1),
                    "release_probability": 0.5,
                }
            ],
        ),
        "funding.shocks[0].release_probability",
        "a cut takes no release_probability (only a freeze or a hold)",
    ),
    (
        "freeze with an amount",
        edit("funding.shocks", [{**FREEZE, "amount_usd": 1e6}]),
        "funding.shocks[0].amount_usd",
        "only a hold takes an amount_usd",
    ),
    (
        "shock without date or hazard",
        edit("funding.shocks", [{"kind": "cut", "donor": "USA", "fraction": 0.5}]),
        "funding.shocks[0].date",
        "a shock needs a date, a hazard_per_month, or both",
    ),
    (
        "zero hazard",
        edit("funding.shocks[0].hazard_per_month", 0),
        "funding.shocks[0].hazard_per_month",
        "must be > 0, got 0",
    ),
    (
        "shock on an unknown donor",
        edit("funding.shocks", [{**FREEZE, "donor": "GBR"}]),
        "funding.shocks[0].donor",
        "no donor named 'GBR' (donors: USA, CAN, others)",
    ),
    (
        "cap on a member without an assessed share",
        edit("funding.shocks[0].member", "FRA"),
        "funding.shocks[0].member",
        "'FRA' has no assessed share (funding.assessed.shares: USA, others)",
    ),
    # --------------------------------------------------------- coupling and costs
    (
        "logistics slowdown below one",
        edit("funding.logistics_slowdown", 0.5),
        "funding.logistics_slowdown",
        "must be >= 1, got 0.5",
    ),
    (
        "uncertain logistics slowdown can be below one",
        edit("funding.logistics_slowdown", {"dist": "uniform", "low": 0.8, "high": 2.0}),
        "funding.logistics_slowdown",
        "must be >= 1, but uniform values can be 0.8",
    ),
    (
        "unknown cost key",
        edit("funding.costs.fuel_usd", 5),
        "funding.costs.fuel_usd",
        "unknown key",
    ),
    (
        "missing personnel cost",
        edit("funding.costs.personnel_per_person_month_usd", DELETE),
        "funding.costs.personnel_per_person_month_usd",
        "missing required key",
    ),
]


@pytest.mark.parametrize(("label", "change", "key", "problem"), CASES, ids=[c[0] for c in CASES])
def test_bad_funding_value_names_the_key(tmp_path, data, label, change, key, problem):
    change(data)
    message = error_of(write(tmp_path, data))
    assert "\n" not in message, message  # this problem and no other
    assert message.startswith(f"gsf_2025.toml: {key}: "), message
    assert problem in message, message


# --------------------------------------------------------------------------- accepted


@pytest.mark.parametrize(
    ("name", "in_kind"),
    [
        ("gsf_2025", ("USA",)),
        ("us_budget_cuts", ("USA",)),
        ("pko_assessed", ("USA",)),
        ("mss_2024", ("USA",)),
        ("mss_2023", ("USA",)),
    ],
)
def test_bundled_scenario_accounts(name, in_kind):
    sc = mss_sim.load_scenario(SCENARIOS / f"{name}.toml")
    expected = ("trust_fund", "assessed", *(f"in_kind.{donor}" for donor in in_kind))
    assert sc.funding.accounts() == expected


def test_in_kind_donor_has_an_account_of_its_own(tmp_path, data):
    data["funding"]["donors"][0]["in_kind"] = []
    data["funding"]["donors"][1]["in_kind"] = ["personnel", "fixed"]
    funding = mss_sim.load_scenario(write(tmp_path, data)).funding
    assert [d.account for d in funding.donors] == ["trust_fund", "in_kind.CAN", "trust_fund"]
    assert funding.accounts() == ("trust_fund", "assessed", "in_kind.CAN")


def test_payer_by_member_and_default():
    assessed = mss_sim.load_scenario(SCENARIOS / "gsf_2025.toml").funding.assessed
    usa, usa_key = assessed.payer("USA")
    assert usa is assessed.payers["USA"]
    assert usa_key == "funding.assessed.payers.USA"
    assert usa.lag_months.support() == (0.0, 9.0)
    fra, fra_key = assessed.payer("FRA")
    assert fra is assessed.payers["default"]
    assert fra_key == "funding.assessed.payers.default"
    assert fra.lag_months.support() == (0.0, 4.0)
    assert assessed.payer("others") == (fra, fra_key)


def test_default_payer_alone_is_accepted(tmp_path, data):
    data["funding"]["assessed"]["payers"] = {"default": {"lag_months": 2, "paid_fraction": 0.5}}
    assessed = mss_sim.load_scenario(write(tmp_path, data)).funding.assessed
    payer, key = assessed.payer("USA")
    assert key == "funding.assessed.payers.default"
    assert (payer.lag_months, payer.paid_fraction) == (2.0, 0.5)


def test_without_payers_every_member_pays_in_full_on_time(tmp_path, data):
    del data["funding"]["assessed"]["payers"]
    assessed = mss_sim.load_scenario(write(tmp_path, data)).funding.assessed
    assert assessed.payer("USA") == (Payer(), "funding.assessed.payers.default")
    assert (Payer().lag_months, Payer().paid_fraction) == (0.0, 1.0)


def test_received_before_equal_to_opening_balance_is_accepted(tmp_path, data):
    data["funding"]["trust_fund"] = {"opening_balance_usd": 20e6, "received_before_usd": 20e6}
    trust_fund = mss_sim.load_scenario(write(tmp_path, data)).funding.trust_fund
    assert trust_fund.received_before_usd == trust_fund.opening_balance_usd == 20e6


def test_shock_with_a_hazard_and_no_date_is_accepted(tmp_path, data):
    del data["funding"]["shocks"][0]["date"]
    data["funding"]["shocks"][0]["hazard_per_month"] = 0.1
    (shock,) = mss_sim.load_scenario(write(tmp_path, data)).funding.shocks
    assert (shock.kind, shock.date, shock.hazard_per_month) == ("cap", None, 0.1)
