"""A hold: trust fund money received but kept from spending, then released or returned."""

from __future__ import annotations

import pytest
from test_funding_model import quiet

import mss_sim
from mss_sim.model import DAYS_PER_MONTH

M = DAYS_PER_MONTH
FEB_1 = 31.5  # dates fall at noon


def held(release_probability: float, amount: float = 900_000) -> mss_sim.Replication:
    shock = {
        "kind": "hold",
        "date": "2025-02-01",
        "amount_usd": amount,
        "duration_months": 1,
        "release_probability": release_probability,
    }
    return mss_sim.simulate(quiet(funding={"shocks": [shock]}), seed=0)


@pytest.mark.parametrize("released", [True, False])
def test_a_hold_stops_spending_and_then_releases_or_returns_the_money(released):
    rep = held(1.0 if released else 0.0)
    s = rep.series
    # The quiet force costs $160,000 a month; at the end of January $1M less
    # January's bills is left, and all of it (less than $900,000) is held.
    left_in_january = s["balance.trust_fund"][0] * 100
    assert 800_000_00 < left_in_january < 900_000_00
    [hold] = rep.events_of("hold")
    assert (hold.day, hold.details["cents"], hold.details["released"]) == (
        FEB_1,
        left_in_january,
        released,
    )
    [ended] = rep.events_of("hold_ended")
    assert ended.day == pytest.approx(FEB_1 + M)
    assert ended.details == {"cents": left_in_january, "released": released}
    # Nothing is spent in February: its bills are carried.
    assert s["spent_cum.trust_fund"][1] == s["spent_cum.trust_fund"][0]
    assert s["unpaid_obligations"][1] > 0
    # The hold is not a receipt: the money counts as received until it is returned.
    assert s["received_cum.trust_fund"][1] == 1_000_000
    if released:
        assert s["received_cum.trust_fund"][-1] == 1_000_000
        # In March the carried bills and March's are paid from the released money.
        assert s["spent_cum.trust_fund"][2] == pytest.approx(
            s["spent_cum.trust_fund"][0] + 2 * 160_000 * (28 + 31) / (2 * M), rel=0.02
        )
    else:
        assert s["received_cum.trust_fund"][-1] == (1_000_000_00 - left_in_january) / 100
        assert s["balance.trust_fund"][-1] == 0
        assert s["spent_cum.trust_fund"][-1] == s["spent_cum.trust_fund"][0]


def test_a_hold_takes_only_what_the_balance_holds_and_money_is_conserved():
    rep = held(0.5, amount=100_000)
    [hold] = rep.events_of("hold")
    assert hold.details["cents"] == 100_000_00
    s = rep.series
    assert s["received_cum.trust_fund"] - s["spent_cum.trust_fund"] == pytest.approx(
        s["balance.trust_fund"], abs=1e-6
    )
    # With $100,000 held, February's bills are still paid from the rest.
    assert s["unpaid_obligations"][1] == 0
