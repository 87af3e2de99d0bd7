"""Properties of the funding model over random scenarios (hypothesis)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mss_sim
from mss_sim.scenario import COST_CATEGORIES, load_raw, scenario_from_dict

TINY = Path(__file__).with_name("tiny.toml")
START = dt.date(2025, 1, 1)
MEMBERS = ("USA", "CHN", "others")
DONORS = ("CAN", "USA", "FRA")


def dates(months: int) -> st.SearchStrategy[dt.date]:
    return st.integers(0, 31 * months).map(lambda d: START + dt.timedelta(days=d))


money = st.integers(0, 5_000_000).map(float)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Scenario data: tiny.toml's Council, random money, contingents and shocks."""
    data = load_raw(TINY)
    months = draw(st.integers(2, 8))
    data["scenario"]["horizon_months"] = months
    models = st.sampled_from(["voluntary", "support_office", "assessed"])
    data["mandate"] = {
        "active": True,
        "expiry": draw(dates(months + 3)) + dt.timedelta(days=1),
        "ceiling": draw(st.integers(100, 2000)),
        "funding_model": draw(models),
    }
    draft = data["council"]["drafts"][0]
    draft.update(
        date=draw(dates(months - 1)) + dt.timedelta(days=1),
        funding_model=draw(models),
        ceiling=draw(st.integers(100, 2000)),
        duration_months=draw(st.integers(1, 12)),
    )
    weights = draw(st.lists(st.integers(1, 10), min_size=3, max_size=3))
    shares = {m: w / sum(weights) for m, w in zip(MEMBERS, weights, strict=True)}
    shares["others"] = 1.0 - shares["USA"] - shares["CHN"]
    payers = {
        m: {"lag_months": draw(st.integers(0, 6)), "paid_fraction": draw(st.floats(0, 1))}
        for m in draw(st.lists(st.sampled_from([*MEMBERS, "default"]), unique=True))
    }
    opening = draw(money)
    trust_fund: dict[str, Any] = {"opening_balance_usd": opening, "overdraft_usd": draw(money)}
    if draw(st.booleans()):
        trust_fund["received_before_usd"] = opening + draw(money)
    donors = []
    for name in draw(st.lists(st.sampled_from(DONORS), unique=True, max_size=3)):
        donor: dict[str, Any] = {
            "name": name,
            "pledge_usd": draw(money),
            "tranches": draw(st.integers(1, 4)),
            "tranche_interval_months": draw(st.floats(0, 3)),
            "disbursement_lag_months": draw(st.floats(0, 3)),
            "honour_probability": draw(st.sampled_from([0.0, 0.5, 1.0])),
            "in_kind": draw(st.lists(st.sampled_from(COST_CATEGORIES), unique=True)),
        }
        if draw(st.booleans()):
            donor["pledge_date"] = draw(dates(months))
        donors.append(donor)
    names = [d["name"] for d in donors]
    conditions = []
    for name in names:
        kind = draw(st.sampled_from([None, "starts_if_adopted", "ends_unless_adopted"]))
        if kind is not None:
            condition = {"donor": name, "kind": kind, "draft": "renew"}
            if kind == "ends_unless_adopted":
                condition["date"] = draw(dates(months))
            conditions.append(condition)
    shocks = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["freeze", "cut", "rescission", "cap", "hold"]))
        shock: dict[str, Any] = {"kind": kind}
        if kind == "cap":
            shock.update(member=draw(st.sampled_from(MEMBERS)), share=draw(st.floats(0, 1)))
        elif kind == "hold":
            shock.update(amount_usd=draw(st.floats(0, 2e6)))
            shock.update(release_probability=draw(st.floats(0, 1)))
            shock.update(duration_months=draw(st.floats(0, 4)))
        elif names:
            shock["donor"] = draw(st.sampled_from(names))
            if kind == "freeze":
                shock.update(release_probability=draw(st.floats(0, 1)))
                shock.update(duration_months=draw(st.floats(0, 4)))
            else:
                shock.update(fraction=draw(st.floats(0, 1)))
        else:
            continue
        if draw(st.booleans()):
            shock["date"] = draw(dates(months))
        else:
            shock["hazard_per_month"] = draw(st.floats(0.05, 2))
        shocks.append(shock)
    data["funding"] = {
        "deploy_reserve_months": draw(st.floats(0, 3)),
        "grace_months": draw(st.integers(0, 3)),
        "withdrawal_hazard": draw(st.floats(0, 1)),
        "logistics_slowdown": draw(st.floats(1, 3)),
        "costs": {
            "personnel_per_person_month_usd": draw(st.integers(0, 20_000)),
            "logistics_per_person_month_usd": draw(st.integers(0, 20_000)),
            "deployment_per_contingent_usd": draw(st.integers(0, 1_000_000)),
            "fixed_monthly_usd": draw(st.integers(0, 1_000_000)),
        },
        "trust_fund": trust_fund,
        "assessed": {
            "lead_months": draw(st.floats(0, 3)),
            "period_months": draw(st.integers(1, 12)),
            "budget_share": draw(st.floats(0, 1)),
            "overdraft_usd": draw(money),
            "shares": shares,
            "payers": payers,
        },
        "donors": donors,
        "conditions": conditions,
        "shocks": shocks,
    }
    contributors = []
    countries = st.lists(st.sampled_from(["KEN", "JAM", "BEN"]), min_size=1, max_size=3)
    for i, country in enumerate(draw(countries)):
        pledged = draw(st.integers(0, 800))
        contributors.append(
            {
                "country": country,
                "lead_nation": i == 0,
                "pledged": pledged,
                "initial_deployed": draw(st.integers(0, min(pledged, 33))),
                "wave_size": draw(st.integers(1, 300)),
                "wave_interval_months": draw(st.floats(0.2, 3)),
                "monthly_attrition": draw(st.floats(0, 0.2)),
            }
        )
    data["deployment"]["contributors"] = list({c["country"]: c for c in contributors}.values())
    return data


def cents(x: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(x) * 100).astype(np.int64)


def ledger(rep: mss_sim.Replication) -> tuple[dict[str, int], dict[str, int]]:
    """Each account's receipts and payments rebuilt from the event log alone."""
    received: dict[str, int] = defaultdict(int)
    spent: dict[str, int] = defaultdict(int)
    for e in rep.events:
        d = e.details
        if e.kind == "opening":
            received[e.actor] += d["received_cents"]
            spent[e.actor] += d["spent_cents"]
        elif e.kind == "received":
            received[d["account"]] += d["cents"]
        elif e.kind == "rescinded":
            received[d["account"]] -= d["cents"]
        elif e.kind == "hold_ended" and not d["released"]:
            received["trust_fund"] -= d["cents"]  # held money returned
        elif e.kind == "contribution":
            received["assessed"] += d["cents"]
        elif e.kind == "paid":
            spent[e.actor] += d["cents"]
            assert d["cents"] == sum(d[c] for c in COST_CATEGORIES if c in d)
    return received, spent


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_money_is_conserved_in_every_account(data, seed):
    sc = scenario_from_dict(data, source="random.toml")
    rep = mss_sim.simulate(sc, seed)
    s = rep.series
    funding = sc.funding
    accounts = funding.accounts()
    limits = {
        "trust_fund": funding.trust_fund.overdraft_usd,
        "assessed": funding.assessed.overdraft_usd,
    }
    received, spent = ledger(rep)
    for a in accounts:
        balance = cents(s[f"balance.{a}"])
        assert np.array_equal(cents(s[f"received_cum.{a}"]) - cents(s[f"spent_cum.{a}"]), balance)
        assert (balance >= -cents(limits.get(a, 0.0))).all(), a
        assert (np.diff(s[f"spent_cum.{a}"]) >= 0).all()
        # Every transfer is an event: the log alone gives the final position.
        assert cents(s[f"received_cum.{a}"][-1]) == received[a], a
        assert cents(s[f"spent_cum.{a}"][-1]) == spent[a], a
    for total, kind in [
        ("cash_balance", "balance"),
        ("received_cum", "received_cum"),
        ("spent_cum", "spent_cum"),
    ]:
        assert np.array_equal(sum(cents(s[f"{kind}.{a}"]) for a in accounts), cents(s[total]))
    assert (s["unpaid_obligations"] >= 0).all()
    assert (s["arrears_assessed"] >= 0).all()
    assert (s["deployed"] <= s["ceiling"]).all()
    sc_ = rep.scalars
    assert cents(sc_["total_received_usd"]) == cents(s["received_cum"][-1])
    donors = sum(cents(sc_[f"received_usd.{d.name}"]) for d in funding.donors)
    before = sum(e.details["received_cents"] for e in rep.events_of("opening"))
    assessed = sum(e.details["cents"] for e in rep.events_of("contribution"))
    ended = rep.events_of("hold_ended")
    returned = sum(e.details["cents"] for e in ended if not e.details["released"])
    assert donors + before + assessed - returned == cents(s["received_cum"][-1])
    covered = sc_["share_of_costs_covered"]
    assert math.isnan(covered) or 0.0 <= covered <= 1.0
    assert math.isnan(sc_["first_shortfall_month"]) == (sc_["shortfall_months"] == 0)
