"""The paired comparison against scipy's paired t-test."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mss_sim.analysis import paired_difference
from mss_sim.analysis.compare import Comparison


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_the_interval_is_scipys_paired_t_interval(confidence):
    rng = np.random.default_rng(7)
    a = rng.normal(10, 3, size=200)
    b = a + rng.normal(0.4, 1, size=200)
    d = paired_difference(a, b, confidence=confidence)
    ci = stats.ttest_rel(b, a).confidence_interval(confidence_level=confidence)
    assert d.mean == pytest.approx(float(np.mean(b - a)), rel=1e-12)
    assert (d.low, d.high) == pytest.approx((ci.low, ci.high), rel=1e-12)
    assert (d.n, d.missing, d.confidence) == (200, 0, confidence)
    assert tuple(d) == (d.mean, d.low, d.high)


def test_pairs_with_a_nan_are_left_out_and_counted():
    a = np.array([1.0, np.nan, 3.0, 4.0, 5.0])
    b = np.array([2.0, 2.0, np.inf, 6.0, 5.5])
    d = paired_difference(a, b)
    assert (d.n, d.missing) == (3, 2)
    assert d.mean == pytest.approx((1.0 + 2.0 + 0.5) / 3)


def test_coverage_of_a_known_difference():
    # 400 experiments with a true paired difference of 1: the 90% interval covers it
    # in about 90% of them (binomial 3-sigma band).
    rng = np.random.default_rng(3)
    covered = 0
    for _ in range(400):
        a = rng.normal(0, 5, size=30)
        b = a + 1 + rng.normal(0, 2, size=30)
        d = paired_difference(a, b, confidence=0.9)
        covered += d.low <= 1 <= d.high
    assert abs(covered / 400 - 0.9) < 3 * np.sqrt(0.9 * 0.1 / 400)


def test_bad_arguments():
    with pytest.raises(ValueError, match="one value per replication each"):
        paired_difference(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="confidence must be in"):
        paired_difference(np.zeros(3), np.zeros(3), confidence=1.0)


def test_a_comparison_reads_in_the_outputs_units():
    def text(name, mean, low, high, method="paired", pairs=300):
        return str(Comparison(name, method, mean, low, high, 300, 300, 0.95, pairs))

    used = "(paired, 300 pairs where both are defined)"
    assert text("target_reached", 0.045, -0.012, 0.101) == (
        f"target_reached: +4.5 (-1.2 to +10.1) percentage points {used}"
    )
    assert text("total_received_usd", -21.5e6, -30e6, -13e6) == (
        f"total_received_usd: -21.5 (-30.0 to -13.0) US$ million {used}"
    )
    assert text("displaced_at_end", 214352.7, 200000.2, 228705.1) == (
        f"displaced_at_end: +214,353 (+200,000 to +228,705) people {used}"
    )
    assert text("months_to_target", 1.0, 0.5, 1.5) == (
        f"months_to_target: +1.0 (+0.5 to +1.5) months {used}"
    )
    nan = float("nan")
    assert text("months_to_target", nan, nan, nan, pairs=0) == (
        "months_to_target: undefined in every pair (paired, 0 pairs where both are defined)"
    )
    assert text("months_to_target", nan, nan, nan, method="welch") == (
        "months_to_target: undefined (welch, 300 and 300 runs)"
    )
    assert text("not_in_the_registry", 0.5, 0.25, 0.75) == (
        f"not_in_the_registry: 0.5 [0.25, 0.75] {used}"
    )


def test_a_difference_that_rounds_to_zero_has_no_sign_and_one_pair_is_one():
    row = Comparison("gang_control_at_end", "paired", -0.0004, -0.0012, 0.00001, 9, 9, 0.95, 1)
    assert str(row) == (
        "gang_control_at_end: 0.0 (-0.1 to 0.0) percentage points "
        "(paired, 1 pair where both are defined)"
    )
    same = Comparison("peak_deployed", "paired", 0.0, 0.0, 0.0, 9, 9, 0.95, 9)
    assert str(same).startswith("peak_deployed: 0 (0 to 0) personnel")


def test_ballots_are_compared_by_their_share_of_yes():
    from mss_sim.analysis.compare import compare as compare_batches
    from mss_sim.batch import BatchResult

    months = np.arange("2025-01", "2025-02", dtype="datetime64[M]")
    nan = np.nan
    before = np.array([1.0, 0, 0, 0, 0, 0, 0, 0, nan])  # yes 1 of 8
    after = np.array([1.0, 1, -1, -1, 0, 0, 0, 0, nan])  # yes 2 of 8; two abstentions became no

    def result(ballots):
        return BatchResult({"gsf.vote.CHN": ballots}, {}, months, {}, (), {"seed": 1, "runs": 9})

    [row] = compare_batches(result(before), result(after))
    assert row.method == "paired" and row.pairs == 8
    assert row.mean == pytest.approx(1 / 8)  # the mean ballot fell by 1/8; the yes share rose
    assert str(row).startswith("gsf.vote.CHN: +12.5 (")
    assert "percentage points (paired, 8 pairs where both are defined)" in str(row)
    months_row = Comparison("first_shortfall_month", "paired", 1.0, 0.5, 1.5, 9, 9, 0.95, 9)
    assert str(months_row).startswith("first_shortfall_month: +1.0 (+0.5 to +1.5) months (")


def test_caveats_name_another_target_or_period(tmp_path, capsys):
    import mss_sim
    from mss_sim.analysis.compare import caveats
    from mss_sim.cli import main

    gsf = mss_sim.load_scenario("gsf_2025")
    shorter = gsf.with_values({"scenario.horizon_months": 18, "outcomes.target_strength": 2000})
    a = mss_sim.run_batch(gsf, 3, seed=1, out=tmp_path / "a")
    b = mss_sim.run_batch(shorter, 3, seed=1, out=tmp_path / "b")
    assert caveats(a, a) == []
    assert caveats(a, b) == [
        "the target strength differs (2,775 and 2,000 personnel): outputs about reaching "
        "the target measure against different strengths",
        "the periods differ (24 months from 2025-09-01, and 18 months from 2025-09-01): "
        "totals and values at the end cover different times",
    ]
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[-2:] == [f"note: {c}" for c in caveats(a, b)]
