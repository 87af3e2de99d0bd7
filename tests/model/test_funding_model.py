"""Exact behaviour of the funding model on small deterministic scenarios."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

import mss_sim
from mss_sim.model import DAYS_PER_MONTH
from mss_sim.scenario import load_raw, merge, scenario_from_dict

TINY = Path(__file__).with_name("tiny.toml")
M = DAYS_PER_MONTH
KEN = {"country": "KEN", "lead_nation": True, "pledged": 100, "initial_deployed": 100}
"""The quiet scenario's contingent: 100 in the field from the start."""


def quiet(**changes: Any) -> mss_sim.Scenario:
    """Six months of a 100-strong force under a mandate that outlasts them, no drafts.

    Personnel $1,000, logistics $500 per person-month, base $10,000 a month; the
    trust fund opens with $1M. `changes` are merged into the scenario data.
    """
    data = load_raw(TINY)
    data["scenario"]["horizon_months"] = 6
    data["mandate"]["expiry"] = data["mandate"]["expiry"].replace(year=2026)
    data["council"]["drafts"] = []
    data["funding"] = {
        "deploy_reserve_months": 1,
        "costs": {
            "personnel_per_person_month_usd": 1000,
            "logistics_per_person_month_usd": 500,
            "fixed_monthly_usd": 10_000,
        },
        "trust_fund": {"opening_balance_usd": 1_000_000},
    }
    data["deployment"]["contributors"] = [KEN]
    return scenario_from_dict(merge(data, changes), source="quiet.toml")


def tiny(**changes: Any) -> mss_sim.Scenario:
    """tests/model/tiny.toml (a renewal voted on 10 Feb 2025) with `changes` merged in."""
    return scenario_from_dict(merge(load_raw(TINY), changes), source="tiny.toml")


def bills(months: float, *, people: int = 100) -> dict[str, float]:
    """Costs in cents of `months` of the quiet scenario's force, by category."""
    return {
        "personnel": people * 100_000 * months,
        "logistics": people * 50_000 * months,
        "fixed": 1_000_000 * months,
    }


def paid(rep: mss_sim.Replication, account: str) -> list[tuple[float, dict[str, Any]]]:
    return [(e.day, dict(e.details)) for e in rep.events_of("paid") if e.actor == account]


# ---------------------------------------------------------------------------- accounts


def test_in_kind_pays_its_categories_first_then_the_trust_fund():
    sc = quiet(
        funding={"donors": [{"name": "USA", "pledge_usd": 20_000, "in_kind": ["logistics"]}]}
    )
    rep = mss_sim.simulate(sc, seed=0)
    january = bills(31 / M)
    assert rep.events_of("received")[0].details == {"cents": 2_000_000, "account": "in_kind.USA"}
    assert paid(rep, "in_kind.USA") == [(31.0, {"cents": 2_000_000, "logistics": 2_000_000})]
    first = paid(rep, "trust_fund")[0]
    logistics = round(january["logistics"]) - 2_000_000
    expected = {"personnel": round(january["personnel"]), "logistics": logistics}
    expected["fixed"] = round(january["fixed"])
    assert first == (31.0, {"cents": sum(expected.values()), **expected})
    s = rep.series
    assert s["balance.in_kind.USA"].tolist() == [0.0] * 6
    assert s["received_cum.in_kind.USA"][-1] == s["spent_cum.in_kind.USA"][-1] == 20_000
    assert rep.scalars["received_usd.USA"] == 20_000


def test_in_kind_support_left_over_stays_in_its_account():
    sc = quiet(funding={"donors": [{"name": "USA", "pledge_usd": 10e6, "in_kind": ["deployment"]}]})
    rep = mss_sim.simulate(sc, seed=0)
    # Nobody new deploys, so in-kind airlift is never used.
    assert rep.series["balance.in_kind.USA"].tolist() == [10e6] * 6
    assert paid(rep, "in_kind.USA") == []
    assert rep.scalars["share_of_costs_covered"] == 1.0


def test_unpaid_obligations_are_carried_and_paid_first():
    sc = quiet(
        funding={
            "trust_fund": {"opening_balance_usd": 0},
            "donors": [
                {"name": "CAN", "pledge_usd": 1e6, "pledge_date": "2025-03-10"},
            ],
        }
    )
    rep = mss_sim.simulate(sc, seed=0)
    owed = rep.series["unpaid_obligations"]
    assert owed[0] > 0 and owed[1] > owed[0]
    assert owed[2] == 0  # the March receipt pays January and February first
    assert rep.scalars["first_shortfall_month"] == 1
    assert rep.scalars["shortfall_months"] == 2
    shortfall = rep.events_of("shortfall")[0]
    assert shortfall.details["unpaid_cents"] == shortfall.details["trust_fund"]
    assert rep.scalars["share_of_costs_covered"] == 1.0


def test_no_shortfall_gives_nan_first_month_and_full_coverage():
    rep = mss_sim.simulate(quiet(), seed=0)
    assert math.isnan(rep.scalars["first_shortfall_month"])
    assert rep.scalars["shortfall_months"] == 0
    assert rep.scalars["share_of_costs_covered"] == 1.0


def test_share_of_costs_covered_counts_what_is_left_unpaid():
    sc = quiet(funding={"trust_fund": {"opening_balance_usd": 100_000}})
    rep = mss_sim.simulate(sc, seed=0)
    spent = rep.scalars["total_spent_usd"]
    unpaid = rep.series["unpaid_obligations"][-1]
    assert spent == 100_000
    assert rep.scalars["share_of_costs_covered"] == pytest.approx(spent / (spent + unpaid))


def test_overdraft_lets_an_account_go_below_zero_up_to_its_limit():
    sc = quiet(funding={"trust_fund": {"opening_balance_usd": 0, "overdraft_usd": 500_000}})
    rep = mss_sim.simulate(sc, seed=0)
    balance = rep.series["balance.trust_fund"]
    assert balance.min() == -500_000
    assert balance[0] < 0 and rep.series["unpaid_obligations"][0] == 0
    assert rep.series["unpaid_obligations"][-1] > 0


def test_received_before_counts_receipts_before_the_start():
    sc = quiet(funding={"trust_fund": {"opening_balance_usd": 1e6, "received_before_usd": 5e6}})
    rep = mss_sim.simulate(sc, seed=0)
    assert rep.events[0].kind == "opening"
    assert rep.events[0].details == {
        "balance_cents": 100_000_000,
        "received_cents": 500_000_000,
        "spent_cents": 400_000_000,
    }
    s = rep.series
    assert s["received_cum.trust_fund"][0] == 5e6
    cents = {k: round(s[k][0] * 100) for k in ("received_cum", "spent_cum", "cash_balance")}
    assert cents["received_cum"] - cents["spent_cum"] == cents["cash_balance"]


# ---------------------------------------------------------------------------- deployment


def with_benin(pledged: int, **funding: Any) -> mss_sim.Scenario:
    """The quiet scenario with a Beninese contingent of `pledged` arriving in waves of 100."""
    benin = {"country": "BEN", "pledged": pledged, "wave_size": 100, "wave_interval_months": 1}
    return quiet(funding=funding, deployment={"contributors": [KEN, benin]})


def test_first_wave_pays_the_one_off_deployment_cost():
    sc = with_benin(200, costs={"deployment_per_contingent_usd": 200_000})
    rep = mss_sim.simulate(sc, seed=0)
    costs = rep.events_of("deployment_cost")
    assert [(e.day, e.actor, e.details["cents"]) for e in costs] == [(0.0, "BEN", 20_000_000)]
    assert paid(rep, "trust_fund")[0][1]["deployment"] == 20_000_000
    assert [e.day for e in rep.events_of("deployed") if e.actor == "BEN"] == [0.0, M]


def test_deployment_waits_for_cover_including_the_deployment_cost():
    # $1M covers a month of 200 people ($310k) but not with $800k to deploy.
    sc = with_benin(100, costs={"deployment_per_contingent_usd": 800_000})
    rep = mss_sim.simulate(sc, seed=0)
    assert rep.events_of("deployment_cost") == []
    assert rep.events_of("deferred")[0].details == {"count": 100, "reason": "funds"}


def test_in_kind_support_counts_towards_cover():
    # The trust fund alone cannot cover a month of 200 ($310k needed, $250k held); with
    # $100k of logistics in kind it needs only $210k.
    poor = {"opening_balance_usd": 250_000}
    without = with_benin(100, trust_fund=poor)
    assert mss_sim.simulate(without, seed=0).events_of("deferred")
    usa = {"name": "USA", "pledge_usd": 100_000, "in_kind": ["logistics"]}
    with_kind = with_benin(100, trust_fund=poor, donors=[usa])
    rep = mss_sim.simulate(with_kind, seed=0)
    assert not rep.events_of("deferred")
    assert [e.actor for e in rep.events_of("deployed")] == ["BEN"]


def penniless(grace_months: int, withdrawal_hazard: float) -> mss_sim.Scenario:
    """The quiet scenario without money: allowances go unpaid from the first month."""
    return quiet(
        funding={
            "trust_fund": {"opening_balance_usd": 0},
            "grace_months": grace_months,
            "withdrawal_hazard": withdrawal_hazard,
        }
    )


def test_unpaid_allowances_beyond_grace_withdraw_contingents():
    sc = penniless(1, 1.0)
    rep = mss_sim.simulate(sc, seed=0)
    gone = rep.events_of("repatriated")
    assert [(e.day, e.actor, e.details) for e in gone] == [
        (59.0, "KEN", {"count": 100, "total": 0, "reason": "allowances unpaid"})
    ]
    assert rep.series["deployed"].tolist() == [100, 0, 0, 0, 0, 0]


def test_no_withdrawal_within_grace_or_without_hazard():
    for sc in (penniless(6, 1.0), penniless(0, 0.0)):
        rep = mss_sim.simulate(sc, seed=0)
        assert rep.events_of("repatriated") == []
        assert rep.series["deployed"].tolist() == [100] * 6


def test_withdrawal_hazard_matches_its_probability():
    sc = penniless(4, 0.3)
    # Months 5 and 6 are beyond the grace period: P(still there) = 0.7 ** 2.
    runs = 2000
    stayed = [mss_sim.simulate(sc, seed=s).series["deployed"][-1] == 100 for s in range(runs)]
    p = np.mean(stayed)
    assert abs(p - 0.49) < 3 * math.sqrt(0.49 * 0.51 / runs)


def test_logistics_shortfall_slows_waves():
    base = {
        "mandate": {"funding_model": "support_office", "ceiling": 1000},
        "funding": {
            "trust_fund": {"opening_balance_usd": 5e6},
            "logistics_slowdown": 2.0,
            "assessed": {"shares": {"others": 1.0}, "payers": {"default": {"lag_months": 2.5}}},
        },
        "deployment": {
            "contributors": [
                {
                    "country": "KEN",
                    "lead_nation": True,
                    "pledged": 400,
                    "initial_deployed": 100,
                    "wave_size": 100,
                    "wave_interval_months": 1,
                }
            ]
        },
    }
    rep = mss_sim.simulate(quiet(**base), seed=0)
    days = [e.day for e in rep.events_of("deployed")]
    # The first wave comes before January's logistics bill goes unpaid; the next
    # wait twice as long while it is, and the pace recovers once it is paid.
    assert days == [M, 3 * M, 4 * M]
    assert rep.series["unpaid_obligations"][0] > 0
    fast = merge(base, {"funding": {"logistics_slowdown": 1.0}})
    assert [e.day for e in mss_sim.simulate(quiet(**fast), seed=0).events_of("deployed")] == [
        M,
        2 * M,
        3 * M,
    ]


# ---------------------------------------------------------------------------- assessed


def assessed_quiet(**changes: Any) -> mss_sim.Scenario:
    base = {
        "mandate": {"funding_model": "support_office", "ceiling": 1000},
        "funding": {
            "assessed": {
                "shares": {"USA": 0.269, "others": 0.731},
                "payers": {"USA": {"lag_months": 2}},
            }
        },
    }
    return quiet(**merge(base, changes))


def test_assessments_are_issued_for_the_budget_and_paid_by_shares():
    rep = mss_sim.simulate(assessed_quiet(), seed=0)
    budget = 12 * (1000 * 50_000 + 1_000_000)  # cents: ceiling x logistics + base, 12 months
    usa = math.floor(budget * 0.269)
    assert [(e.day, e.details) for e in rep.events_of("assessed")] == [
        (0.0, {"cents": budget, "months": 12})
    ]
    contributions = [(e.day, e.actor, e.details["cents"]) for e in rep.events_of("contribution")]
    assert contributions == [(0.0, "others", budget - usa), (2 * M, "USA", usa)]
    arrears = rep.series["arrears_assessed"]
    assert arrears.tolist() == [usa / 100, usa / 100, 0, 0, 0, 0]
    # Logistics and the base are paid by the assessed account, allowances by the trust fund.
    assert set(paid(rep, "assessed")[0][1]) == {"cents", "logistics", "fixed"}
    assert set(paid(rep, "trust_fund")[0][1]) == {"cents", "personnel"}


def test_cap_and_partial_payment_accumulate_arrears():
    sc = assessed_quiet(
        funding={
            "assessed": {"payers": {"USA": {"lag_months": 0, "paid_fraction": 0.5}}},
            "shocks": [{"kind": "cap", "member": "USA", "date": "2025-01-01", "share": 0.1}],
        }
    )
    rep = mss_sim.simulate(sc, seed=0)
    budget = 12 * (1000 * 50_000 + 1_000_000)
    usa = math.floor(budget * 0.269)
    # Half of what is left of its dues under the cap.
    usa_paid = round(min(usa, round(budget * 0.1)) * 0.5)
    assert [e.details["cents"] for e in rep.events_of("contribution") if e.actor == "USA"] == [
        usa_paid
    ]
    assert rep.series["arrears_assessed"].tolist() == [(usa - usa_paid) / 100] * 6


def test_support_office_takes_over_after_its_lead_time():
    data = load_raw(TINY)
    data["council"]["drafts"][0]["funding_model"] = "support_office"
    data["council"]["drafts"][0]["duration_months"] = 12
    data["funding"]["costs"]["logistics_per_person_month_usd"] = 500
    data["funding"]["assessed"] = {"lead_months": 1, "shares": {"others": 1.0}}
    sc = scenario_from_dict(data, source="tiny.toml")
    rep = mss_sim.simulate(sc, seed=0)
    adopted = rep.events_of("adopted")[0].day
    assessed = rep.events_of("assessed")
    assert [e.day for e in assessed] == [adopted + M]
    # Budget: 12 months of logistics at the new ceiling of 400.
    assert assessed[0].details == {"cents": 12 * 400 * 50_000, "months": 12}
    # February's logistics were the trust fund's; March's are split at the take-over.
    assert "logistics" in paid(rep, "trust_fund")[1][1]
    march = paid(rep, "assessed")[0]
    assert march[0] == 90.0 and set(march[1]) == {"cents", "logistics"}
    assert "logistics" in paid(rep, "trust_fund")[2][1]
    assert rep.series["received_cum.assessed"][-1] == 12 * 400 * 500


def test_mandate_assessed_at_the_start_is_set_up():
    rep = mss_sim.simulate(quiet(mandate={"funding_model": "assessed"}), seed=0)
    assert rep.events_of("assessed")[0].day == 0.0
    assert paid(rep, "trust_fund") == []


# ---------------------------------------------------------------------------- donors


def test_support_that_starts_only_if_a_draft_is_adopted():
    condition = {"donor": "CAN", "kind": "starts_if_adopted", "draft": "renew"}
    rep = mss_sim.simulate(tiny(funding={"conditions": [condition]}), seed=0)
    adopted = rep.events_of("adopted")[0].day
    received = [e.day for e in rep.events_of("received") if e.actor == "CAN"]
    assert received == [adopted, adopted + M]
    vetoed = tiny(
        funding={"conditions": [condition]},
        council={
            "propensities": {"CHN": {"renewal": [0, 0, 1]}},
            "negotiation": {"force_vote": 1.0},
        },
    )
    rep = mss_sim.simulate(vetoed, seed=0)
    assert rep.events_of("vetoed")
    assert [e for e in rep.events_of("received") if e.actor == "CAN"] == []
    assert rep.scalars["received_usd.CAN"] == 0


def test_support_that_ends_unless_a_draft_is_adopted():
    def run(date: str) -> mss_sim.Replication:
        condition = {"donor": "CAN", "kind": "ends_unless_adopted", "draft": "renew"}
        sc = tiny(funding={"conditions": [{**condition, "date": date}]})
        return mss_sim.simulate(sc, seed=0)

    early = run("2025-02-01")  # checked at the end of 1 Feb, before the vote on 10 Feb
    cancelled = early.events_of("cancelled")
    assert [(e.day, e.actor, e.details) for e in cancelled] == [
        (32.0, "CAN", {"cents": 25_000_000, "reason": "renew not adopted"})
    ]
    assert early.scalars["received_usd.CAN"] == 250_000
    late = run("2025-02-10")  # adopted on that day: nothing changes
    assert late.events_of("cancelled") == []
    assert late.scalars["received_usd.CAN"] == 500_000


def test_a_donor_that_does_not_honour_its_pledge_pays_nothing():
    rep = mss_sim.simulate(tiny(funding={"donors": [{**CAN, "honour_probability": 0}]}), seed=0)
    assert [(e.day, e.details) for e in rep.events_of("reneged")] == [(19.5, {"cents": 50_000_000})]
    assert rep.scalars["received_usd.CAN"] == 0


def test_honour_probability_matches_its_frequency():
    sc = tiny(funding={"donors": [{**CAN, "honour_probability": 0.3}]})
    runs = 1500
    paid_any = [mss_sim.simulate(sc, seed=s).scalars["received_usd.CAN"] > 0 for s in range(runs)]
    assert abs(np.mean(paid_any) - 0.3) < 3 * math.sqrt(0.3 * 0.7 / runs)


CAN = {
    "name": "CAN",
    "pledge_usd": 500_000,
    "pledge_date": "2025-01-20",
    "tranches": 2,
    "tranche_interval_months": 1,
}


# ---------------------------------------------------------------------------- shocks


def test_rescission_returns_money_as_far_as_the_balance_allows():
    shock = {"kind": "rescission", "donor": "CAN", "date": "2025-03-05", "fraction": 0.5}
    rep = mss_sim.simulate(tiny(funding={"shocks": [shock]}), seed=0)
    event = rep.events_of("rescinded")[0]
    assert event.details == {
        "cents": 25_000_000,
        "asked_cents": 25_000_000,
        "account": "trust_fund",
    }
    assert rep.scalars["received_usd.CAN"] == 250_000
    assert rep.series["received_cum"][-1] == 1_000_000 + 250_000
    shock["fraction"] = 1.0
    poor = tiny(funding={"trust_fund": {"opening_balance_usd": 0}, "shocks": [shock]})
    rep = mss_sim.simulate(poor, seed=0)
    event = rep.events_of("rescinded")[0]
    assert event.details["cents"] < event.details["asked_cents"]
    assert rep.series["balance.trust_fund"].min() >= 0


def test_cut_and_freeze_on_dates():
    shocks = [
        {"kind": "freeze", "donor": "CAN", "date": "2025-01-10", "duration_months": 1.5},
        {"kind": "cut", "donor": "CAN", "date": "2025-02-15", "fraction": 0.5},
    ]
    rep = mss_sim.simulate(tiny(funding={"shocks": shocks}), seed=0)
    thaw = 9.5 + 1.5 * M
    assert rep.events_of("freeze")[0].details["released"] is True
    # The cut on 15 Feb halves what is still to come; both tranches (due 20 Jan and
    # 19 Feb) are held by the freeze and paid when it ends.
    assert rep.events_of("cut")[0].details == {"cents": 25_000_000, "fraction": 0.5}
    received = [(e.day, e.details["cents"]) for e in rep.events_of("received") if e.actor == "CAN"]
    assert received == [(thaw, 12_500_000), (thaw, 12_500_000)]


def test_a_freeze_that_is_not_lifted_cancels_what_it_held():
    shock = {
        "kind": "freeze",
        "donor": "CAN",
        "date": "2025-01-10",
        "duration_months": 1.5,
        "release_probability": 0.0,
    }
    rep = mss_sim.simulate(tiny(funding={"shocks": [shock]}), seed=0)
    cancelled = [(e.details["cents"], e.details["reason"]) for e in rep.events_of("cancelled")]
    assert cancelled == [(25_000_000, "freeze not lifted")] * 2
    assert rep.scalars["received_usd.CAN"] == 0


def test_hazard_shock_times_are_exponential():
    rate = 0.2  # per month, over a four-month horizon
    shock = {"kind": "cut", "donor": "CAN", "hazard_per_month": rate, "fraction": 1.0}
    sc = tiny(funding={"shocks": [shock]})
    runs = 1500
    times = []
    for s in range(runs):
        cuts = mss_sim.simulate(sc, seed=s).events_of("cut")
        if cuts:
            times.append(cuts[0].day / M)
    horizon = 120 / M  # 1 Jan to 1 May 2025
    p = 1 - math.exp(-rate * horizon)
    assert abs(len(times) / runs - p) < 3 * math.sqrt(p * (1 - p) / runs)
    truncated = stats.truncexpon(b=rate * horizon, scale=1 / rate)
    assert stats.kstest(times, truncated.cdf).pvalue > 0.001


def test_a_budget_period_opens_every_period_months():
    on_ceiling = {"budget_basis": "ceiling", "credit_unspent": False}
    sc = assessed_quiet(
        funding={"assessed": {"period_months": 2, "budget_share": 0.5, **on_ceiling}}
    )
    rep = mss_sim.simulate(sc, seed=0)
    budget = 2 * (0.5 * 1000 * 50_000 + 1_000_000)
    assert [(e.day, e.details) for e in rep.events_of("assessed")] == [
        (day, {"cents": budget, "months": 2}) for day in (0.0, 2 * M, 4 * M)
    ]


def test_the_budget_follows_the_strength_deployed():
    # 100 deployed under a ceiling of 1,000: the budget plans for 100 + 0.5 x 900.
    assessed = {"period_months": 2, "budget_share": 0.5, "credit_unspent": False}
    rep = mss_sim.simulate(assessed_quiet(funding={"assessed": assessed}), seed=0)
    budget = 2 * (550 * 50_000 + 1_000_000)
    assert [(e.day, e.details) for e in rep.events_of("assessed")] == [
        (day, {"cents": budget, "months": 2}) for day in (0.0, 2 * M, 4 * M)
    ]


@pytest.mark.parametrize("credit", [True, False])
def test_unspent_assessed_money_is_credited_against_the_next_assessment(credit):
    # Budgets for 200 of the 100 deployed: $220,000 a period against $120,000 spent
    # (logistics $50,000 and base $10,000 a month), all paid at once.
    assessed = {
        "period_months": 2,
        "budget_basis": "ceiling",
        "budget_share": 0.2,
        "credit_unspent": credit,
        "payers": {"USA": {"lag_months": 0}},
    }
    rep = mss_sim.simulate(assessed_quiet(funding={"assessed": assessed}), seed=0)
    issued = [(e.day, e.details) for e in rep.events_of("assessed")]
    gross, spent = 22_000_000, 12_000_000
    if credit:
        unspent = gross - spent
        assert issued == [
            (0.0, {"cents": gross, "months": 2}),
            (2 * M, {"cents": gross - unspent, "months": 2, "credited": unspent}),
            (4 * M, {"cents": gross - unspent, "months": 2, "credited": unspent}),
        ]
    else:
        assert issued == [(day, {"cents": gross, "months": 2}) for day in (0.0, 2 * M, 4 * M)]
    # Six calendar months (181 days) cost a little less than 3 x $120,000.
    spent_total = rep.series["spent_cum.assessed"][-1] * 100
    assert 3 * spent - 400_000 < spent_total < 3 * spent
    left = rep.series["balance.assessed"][-1] * 100
    assert left == pytest.approx(sum(e["cents"] for _, e in issued) - spent_total, abs=1e-6)
    # Credited, the balance stays near one period's unspent money; kept, it piles up.
    assert (left < 1.1 * (gross - spent)) if credit else (left > 2.9 * (gross - spent))


def test_a_cap_applies_to_payments_made_after_it():
    # The US pays three months late; a 10% cap from 1 Feb limits that payment too.
    sc = assessed_quiet(
        funding={
            "assessed": {"payers": {"USA": {"lag_months": 3}}},
            "shocks": [{"kind": "cap", "member": "USA", "date": "2025-02-01", "share": 0.1}],
        }
    )
    rep = mss_sim.simulate(sc, seed=0)
    budget = 12 * (1000 * 50_000 + 1_000_000)
    usa = [(e.day, e.details["cents"]) for e in rep.events_of("contribution") if e.actor == "USA"]
    assert usa == [(3 * M, round(budget * 0.1))]
    assert rep.series["arrears_assessed"][-1] == (math.floor(budget * 0.269) - usa[0][1]) / 100


def test_overlapping_freezes_release_only_what_all_of_them_lift():
    shocks = [
        {
            "kind": "freeze",
            "donor": "CAN",
            "date": "2025-01-10",
            "duration_months": 1.5,
            "release_probability": 0.0,
        },
        {
            "kind": "freeze",
            "donor": "CAN",
            "date": "2025-02-01",
            "duration_months": 0.5,
            "release_probability": 1.0,
        },
    ]
    rep = mss_sim.simulate(tiny(funding={"shocks": shocks}), seed=0)
    # Both tranches (20 Jan, 19 Feb) fall in the first freeze, which is not lifted.
    assert [e.details["reason"] for e in rep.events_of("cancelled")] == ["freeze not lifted"] * 2
    assert rep.scalars["received_usd.CAN"] == 0


def test_a_freeze_holds_a_tranche_due_on_its_first_day():
    shock = {
        "kind": "freeze",
        "donor": "CAN",
        "date": "2025-01-20",
        "duration_months": 1,
        "release_probability": 0.0,
    }
    rep = mss_sim.simulate(tiny(funding={"shocks": [shock]}), seed=0)
    cancelled = rep.events_of("cancelled")
    assert [(e.day, e.details["cents"]) for e in cancelled] == [(19.5 + M, 25_000_000)]
    # The second tranche falls due as the freeze ends, outside it, and is paid.
    assert rep.scalars["received_usd.CAN"] == 250_000


def test_spending_before_the_start_is_not_a_cost_of_the_horizon():
    def covered(**trust_fund: float) -> float:
        sc = quiet(funding={"trust_fund": {"opening_balance_usd": 10_000, **trust_fund}})
        return mss_sim.simulate(sc, seed=0).scalars["share_of_costs_covered"]

    assert covered(received_before_usd=100e6) == covered()
    assert covered() < 0.05


@pytest.mark.parametrize("fixed_while", ["deployed", "mandate"])
def test_the_base_costs_money_while_personnel_are_deployed(fixed_while):
    # Nobody deployed before 1 Mar 2025 (day 59); then 100 for the rest of the six months.
    late = {**KEN, "initial_deployed": 0, "available_from": "2025-03-01", "wave_size": 100}
    sc = quiet(
        funding={"costs": {"fixed_while": fixed_while}},
        deployment={"contributors": [late]},
    )
    rep = mss_sim.simulate(sc, seed=0)
    [wave] = rep.events_of("deployed")
    assert wave.day == 59.5
    fixed = [e.details.get("fixed", 0) for e in rep.events_of("paid")]
    months = [round(e.day) for e in rep.events_of("paid")]
    if fixed_while == "deployed":
        # January and February cost nothing; March from its second half-day on.
        assert months == [90, 120, 151, 181]
        assert fixed[0] == round(1_000_000 * (90 - 59.5) / M)
    else:
        assert months == [31, 59, 90, 120, 151, 181]
        assert fixed[:2] == [round(1_000_000 * 31 / M), round(1_000_000 * 28 / M)]
    assert fixed[-1] == round(1_000_000 * 30 / M)
