"""The funding model against the record, and the US cuts against the GSF baseline."""

from __future__ import annotations

import numpy as np

from conftest import small_batch
from mss_sim.analysis import paired_difference

RUNS = 400


def month(res, label: str) -> int:
    return list(res.months.astype(str)).index(label)


def test_trust_fund_receipts_match_the_record():
    # $85M received by the end of 2024 and about $110-115M by mid-2025 (haiti_facts [C]).
    res = small_batch("mss_2024", RUNS, 7)
    received = res.series["received_cum.trust_fund"] / 1e6
    end_2024 = received[:, month(res, "2024-12")]
    mid_2025 = received[:, month(res, "2025-06")]
    low, high = np.percentile(end_2024, [5, 95])
    assert low <= 85 <= high
    low, high = np.percentile(mid_2025, [5, 95])
    assert low <= 110 and high >= 115
    # Receipts keep coming in the first half of 2025; only US money held by the
    # January 2025 freeze ($13.3M) and not released goes back.
    assert (mid_2025 >= end_2024 - 13.3).all() and np.median(mid_2025 - end_2024) > 10
    assert (mid_2025 < end_2024).any()


def test_us_budget_cuts_against_the_gsf_with_common_random_numbers():
    gsf = small_batch("gsf_2025", RUNS, 3)
    cuts = small_batch("us_budget_cuts", RUNS, 3)
    # Common random numbers: the parameters the two scenarios share are drawn alike.
    shared = set(gsf.parameters) & set(cuts.parameters)
    assert "funding.costs.personnel_per_person_month_usd" in shared
    for path in shared:
        assert np.array_equal(gsf.parameters[path], cuts.parameters[path]), path
    mean, low, high = paired_difference(
        gsf.scalars["total_received_usd"], cuts.scalars["total_received_usd"]
    )
    assert high < 0, (mean, low, high)
    # Time to half the ceiling, a run that never gets there counted at the horizon.
    horizon = gsf.months.size

    def half(res) -> np.ndarray:
        return np.nan_to_num(res.scalars["months_to_half_ceiling"], nan=horizon)

    mean, low, high = paired_difference(half(gsf), half(cuts))
    assert mean >= 0, (mean, low, high)
    # The US money itself: less of it arrives, and more only in the rare run where
    # the donors' security feedback, met at other times, has it renege in gsf_2025.
    usa = cuts.scalars["received_usd.USA"] - gsf.scalars["received_usd.USA"]
    assert usa.mean() < 0
    more = usa > 0.01
    assert more.mean() <= 0.01
    assert (gsf.scalars["received_usd.USA"][more] == 0).all()
