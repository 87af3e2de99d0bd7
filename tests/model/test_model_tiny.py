"""Exact behaviour of a tiny deterministic scenario (tests/model/tiny.toml)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

import mss_sim
from mss_sim.model import DAYS_PER_MONTH
from mss_sim.scenario import load_raw, scenario_from_dict

TINY = Path(__file__).with_name("tiny.toml")
M = DAYS_PER_MONTH


@pytest.fixture(scope="module")
def tiny() -> mss_sim.Scenario:
    return mss_sim.load_scenario(TINY)


def variant(**changes: dict) -> mss_sim.Scenario:
    """The tiny scenario with some tables changed (merged one level deep)."""
    data = load_raw(TINY)
    for table, values in changes.items():
        data[table] = {**data[table], **values}
    return scenario_from_dict(data, source="tiny.toml")


def test_event_log_is_exact(tiny):
    rep = mss_sim.simulate(tiny, seed=0)
    ballots = dict.fromkeys(tiny.council.members(2025), 1) | {"RUS": 0}
    # Month-end bills in cents ($1,000 per person-month), whole cents carried on.
    january = 100 * 100_000 * 31 / M + 100 * 100_000 * (31 - M) / M
    february = 200 * 100_000 * 28 / M
    march = 200 * 100_000 * (2 * M - 59) / M + 300 * 100_000 * (73.5 - 2 * M) / M
    paid = []
    carry = 0.0
    for amount in (january, february, march):
        cents = round(amount + carry)
        carry = amount + carry - cents
        paid.append(cents)
    expected = [
        (
            0.0,
            "opening",
            "trust_fund",
            {"balance_cents": 100_000_000, "received_cents": 100_000_000, "spent_cents": 0},
        ),
        (19.5, "pledge", "CAN", {"cents": 50_000_000, "tranches": 2}),
        (19.5, "received", "CAN", {"cents": 25_000_000, "account": "trust_fund"}),
        (M, "deployed", "KEN", {"count": 100, "total": 200}),
        (31.0, "paid", "trust_fund", {"cents": paid[0], "personnel": paid[0]}),
        (
            40.5,
            "vote",
            "renew",
            {
                "kind": "renewal",
                "attempt": 1,
                "yes": 14,
                "no": 0,
                "abstain": 1,
                "ballots": ballots,
            },
        ),
        (40.5, "adopted", "renew", {"kind": "renewal"}),
        (
            40.5,
            "mandate",
            "renew",
            {
                "expiry": dt.date(2025, 3, 15),
                "ceiling": 400,
                "funding_model": "voluntary",
                "powers": (),
            },
        ),
        (19.5 + M, "received", "CAN", {"cents": 25_000_000, "account": "trust_fund"}),
        (59.0, "paid", "trust_fund", {"cents": paid[1], "personnel": paid[1]}),
        (2 * M, "deployed", "KEN", {"count": 100, "total": 300}),
        (73.5, "lapsed", "mission", {"reason": "expired"}),
        (73.5, "repatriated", "KEN", {"count": 300, "total": 0, "reason": "mandate lapsed"}),
        (90.0, "paid", "trust_fund", {"cents": paid[2], "personnel": paid[2]}),
    ]
    got = [(e.day, e.kind, e.actor, dict(e.details)) for e in rep.events]
    assert got == expected
    assert [e.date for e in rep.events][-2:] == [dt.date(2025, 3, 15), dt.date(2025, 4, 1)]


def test_series_and_scalars(tiny):
    rep = mss_sim.simulate(tiny, seed=0)
    assert rep.months.tolist() == np.arange("2025-01", "2025-05", dtype="datetime64[M]").tolist()
    assert rep.series["deployed"].tolist() == [200, 200, 0, 0]
    assert rep.series["ceiling"].tolist() == [300, 400, 0, 0]
    assert rep.series["mandate_active"].tolist() == [1, 1, 0, 0]
    assert rep.series["received_cum"].tolist() == [1_250_000, 1_500_000, 1_500_000, 1_500_000]
    # January: 100 people all month (31 days) plus 100 more from day M.
    january = 100 * 1000 * 31 / M + 100 * 1000 * (31 - M) / M
    assert rep.series["spent_cum"][0] == round(january, 2)
    # Nothing is spent once the mandate has lapsed and the force has gone.
    assert rep.series["spent_cum"][2] == rep.series["spent_cum"][3]
    s = rep.scalars
    assert s["peak_deployed"] == 300
    assert s["deployed_at_end"] == 0
    assert s["mandate_active_at_end"] == 0
    assert s["months_to_half_ceiling"] == pytest.approx(1.0)
    assert (s["drafts_adopted"], s["drafts_vetoed"], s["shortfall_months"]) == (1, 0, 0)
    assert (s["renew.adopted"], s["renew.yes"], s["renew.no"], s["renew.abstain"]) == (1, 14, 0, 1)
    assert s["total_received_usd"] == 1_500_000
    assert s["total_spent_usd"] == rep.series["spent_cum"][-1]


def test_deterministic_scenario_ignores_seed(tiny):
    a, b = mss_sim.simulate(tiny, seed=1), mss_sim.simulate(tiny, seed=2)
    assert a.events == b.events
    assert all(np.array_equal(a.series[k], b.series[k]) for k in a.series)


def test_veto_keeps_old_mandate_and_it_lapses():
    # Penholders put the draft to the vote despite the threat; too late to re-table.
    sc = variant(
        council={
            **load_raw(TINY)["council"],
            "propensities": {
                "default": {"renewal": [1.0, 0.0, 0.0]},
                "CHN": {"renewal": [0, 0, 1]},
            },
            "negotiation": {"force_vote": 1.0},
        }
    )
    rep = mss_sim.simulate(sc, seed=0)
    kinds = [e.kind for e in rep.events]
    assert "vetoed" in kinds and "adopted" not in kinds
    assert rep.events_of("vetoed")[0].details == {"by": ("CHN",)}
    lapse = rep.events_of("lapsed")[0]
    assert lapse.date == dt.date(2025, 2, 15)
    assert rep.series["deployed"].tolist() == [200, 0, 0, 0]
    assert rep.scalars["renew.vetoed"] == 1 and rep.scalars["drafts_vetoed"] == 1


def test_eight_yes_votes_fail():
    council = load_raw(TINY)["council"]
    elected = council["elected"]["2025"]
    abstainers = {m: {"renewal": [0.0, 1.0, 0.0]} for m in elected[:7]}
    sc = variant(council={**council, "propensities": {**council["propensities"], **abstainers}})
    rep = mss_sim.simulate(sc, seed=0)
    vote = rep.events_of("vote")[0]
    assert (vote.details["yes"], vote.details["abstain"]) == (7, 8)
    assert rep.events_of("failed")[0].details == {"yes": 7}
    assert rep.scalars["renew.adopted"] == 0 and rep.scalars["renew.vetoed"] == 0


def test_no_money_no_new_waves():
    sc = variant(funding={"trust_fund": {"opening_balance_usd": 0}, "donors": []})
    rep = mss_sim.simulate(sc, seed=0)
    assert rep.events_of("deployed") == []
    deferred = rep.events_of("deferred")
    assert len(deferred) == 1 and deferred[0].details == {"count": 100, "reason": "funds"}
    assert rep.series["deployed"].tolist() == [100, 100, 0, 0]
    # Costs that cannot be paid are carried, and each such month counts.
    assert rep.series["unpaid_obligations"][0] > 0
    assert rep.scalars["shortfall_months"] == 4
    assert rep.series["cash_balance"].tolist() == [0, 0, 0, 0]


def test_lower_ceiling_withdraws_the_excess():
    council = load_raw(TINY)["council"]
    drafts = [{**council["drafts"][0], "ceiling": 150}]
    sc = variant(council={**council, "drafts": drafts})
    rep = mss_sim.simulate(sc, seed=0)
    withdrawn = rep.events_of("repatriated")[0]
    assert withdrawn.details == {"count": 50, "total": 150, "reason": "ceiling lowered"}
    assert rep.series["deployed"][1] == 150


def test_attrition_is_binomial_per_month():
    sc = variant(
        deployment={
            "contributors": [
                {
                    "country": "KEN",
                    "pledged": 100,
                    "initial_deployed": 100,
                    "monthly_attrition": 0.1,
                }
            ]
        },
        mandate={"expiry": dt.date(2025, 12, 31)},
        council={"elected": load_raw(TINY)["council"]["elected"]},
    )
    losses = []
    for seed in range(300):
        rep = mss_sim.simulate(sc, seed=seed)
        losses.append(100 - rep.series["deployed"][0])
    losses_arr = np.asarray(losses, dtype=float)
    # Binomial(100, 0.1) for the first month: mean 10, sd 3.
    assert abs(losses_arr.mean() - 10) < 4 * 3 / np.sqrt(len(losses_arr))
    assert losses_arr.std(ddof=1) == pytest.approx(3, rel=0.2)


def test_freeze_and_cut_shocks():
    funding = {
        "donors": [
            {
                "name": "USA",
                "pledge_usd": 400_000,
                "tranches": 4,
                "tranche_interval_months": 1,
                "pledge_date": dt.date(2025, 1, 5),
            }
        ],
        "shocks": [
            {
                "kind": "freeze",
                "donor": "USA",
                "date": dt.date(2025, 1, 10),
                "duration_months": 1,
                "release_probability": 1.0,
            },
            {"kind": "cut", "donor": "USA", "date": dt.date(2025, 3, 20), "fraction": 0.5},
        ],
    }
    rep = mss_sim.simulate(variant(funding=funding), seed=0)
    received = [(e.date, e.details["cents"]) for e in rep.events_of("received") if e.actor == "USA"]
    # Tranche 1 (5 Jan) is paid before the freeze; tranche 2 (4 Feb) waits for its end
    # (9 Feb); tranche 3 (7 Mar) is paid; the cut on 20 Mar halves the $100,000 left,
    # and tranche 4 (6 Apr) pays the $50,000 that remain.
    assert received == [
        (dt.date(2025, 1, 5), 10_000_000),
        (dt.date(2025, 2, 9), 10_000_000),
        (dt.date(2025, 3, 7), 10_000_000),
        (dt.date(2025, 4, 6), 5_000_000),
    ]
    assert rep.events_of("cut")[0].details == {"cents": 5_000_000, "fraction": 0.5}


def test_freeze_not_lifted_cancels_the_frozen_tranche():
    funding = {
        "donors": [
            {
                "name": "USA",
                "pledge_usd": 300_000,
                "tranches": 3,
                "tranche_interval_months": 1,
                "pledge_date": dt.date(2025, 1, 5),
            }
        ],
        "shocks": [
            {
                "kind": "freeze",
                "donor": "USA",
                "date": dt.date(2025, 1, 10),
                "duration_months": 1,
                "release_probability": 0.0,
            }
        ],
    }
    rep = mss_sim.simulate(variant(funding=funding), seed=0)
    received = [e.date for e in rep.events_of("received") if e.actor == "USA"]
    assert received == [dt.date(2025, 1, 5), dt.date(2025, 3, 7)]
    assert rep.events_of("cancelled")[0].details == {
        "cents": 10_000_000,
        "reason": "freeze not lifted",
    }
    assert rep.scalars["total_received_usd"] == 1_000_000 + 200_000


def test_renewal_is_not_tabled_without_a_mandate():
    council = load_raw(TINY)["council"]
    first = {**council["drafts"][0], "id": "widen", "kind": "force_authorisation"}
    later = {**council["drafts"][0], "date": dt.date(2025, 3, 20)}
    propensities = {
        "default": {"renewal": [1.0, 0.0, 0.0], "force_authorisation": [1.0, 0.0, 0.0]},
        "CHN": {"force_authorisation": [0.0, 0.0, 1.0]},
    }
    negotiation = {"force_vote": 1.0}
    sc = variant(
        council={
            **council,
            "drafts": [first, later],
            "propensities": propensities,
            "negotiation": negotiation,
        }
    )
    rep = mss_sim.simulate(sc, seed=0)
    kinds = [(e.kind, e.actor) for e in rep.events if e.actor in ("widen", "renew", "mission")]
    assert kinds == [
        ("vote", "widen"),
        ("vetoed", "widen"),
        ("lapsed", "mission"),
        ("not_tabled", "renew"),
    ]
    assert np.isnan(rep.scalars["renew.adopted"])
    assert np.isnan(rep.scalars["renew.yes"])
    assert rep.scalars["drafts_adopted"] == 0
    assert rep.scalars["drafts_vetoed"] == 1
