"""Summaries of batch outcomes: Wilson and Student-t intervals, percentiles, NaN handling."""

from __future__ import annotations

import math
import re
import sys

import numpy as np
import pytest
from scipy import stats

from mss_sim.analysis import Summary, SummaryRow, mean_interval, summarise, wilson_interval
from mss_sim.batch import BatchResult
from mss_sim.catalog import describe

RUNS = 40


@pytest.fixture(scope="module")
def real(run_small) -> BatchResult:
    return run_small("gsf_2025", RUNS, 8)


FLAG = [0.0, 1.0, 1.0, np.nan, 1.0, 0.0, 1.0]
KINDS = {"flag": "probability", "zeros": "probability", "ones": "probability"}
VALUE = [1.0, 2.0, 5.0, np.nan, 10.0, 3.0, 4.5]


@pytest.fixture
def small() -> BatchResult:
    n = len(FLAG)
    return BatchResult(
        scalars={
            "flag": np.array(FLAG),
            "value": np.array(VALUE),
            "all_nan": np.full(n, np.nan),
            "zeros": np.zeros(n),
            "ones": np.ones(n),
            "twos": np.full(n, 2.0),
            "single": np.array([7.0] + [np.nan] * (n - 1)),
        },
        series={},
        months=np.arange("2025-01", "2025-03", dtype="datetime64[M]"),
        parameters={},
        meta={"scenario": "small", "seed": 4, "runs": n},
    )


# ------------------------------------------------------------------ wilson


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        # Newcombe (1998), Statistics in Medicine 17:857-872, table I, method 3.
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_known_values(successes, n, low, high):
    lo, hi = wilson_interval(successes, n)
    assert round(lo, 4) == low
    assert round(hi, 4) == high
    assert 0.0 <= lo <= hi <= 1.0


def test_wilson_interval_contains_interior_proportions():
    for n in range(2, 120):
        for k in range(1, n):
            lo, hi = wilson_interval(k, n)
            assert 0.0 < lo < k / n < hi < 1.0, (k, n)


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_wilson_interval_boundaries_are_exact(confidence):
    for n in range(1, 101):
        lo, _ = wilson_interval(0, n, confidence)
        _, hi = wilson_interval(n, n, confidence)
        assert lo == 0.0, (0, n)
        assert hi == 1.0, (n, n)


def test_wilson_interval_is_symmetric_and_narrows_with_confidence():
    lo, hi = wilson_interval(3, 10)
    lo2, hi2 = wilson_interval(7, 10)
    assert lo == pytest.approx(1 - hi2)
    assert hi == pytest.approx(1 - lo2)
    lo90, hi90 = wilson_interval(3, 10, 0.90)
    assert lo < lo90 < 0.3 < hi90 < hi


@pytest.mark.parametrize(("successes", "n"), [(0, 0), (1, 0), (-1, 5), (6, 5)])
def test_wilson_interval_rejects_bad_counts(successes, n):
    with pytest.raises(ValueError):
        wilson_interval(successes, n)


# -------------------------------------------------------------------- mean


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_mean_interval_matches_scipy(confidence):
    x = np.array([3.1, 4.7, 2.2, 9.0, 5.5, 6.1, 1.0, 4.4])
    mean, lo, hi = mean_interval(x, confidence)
    exp_lo, exp_hi = stats.t.interval(confidence, df=x.size - 1, loc=x.mean(), scale=stats.sem(x))
    assert mean == pytest.approx(x.mean(), rel=1e-12)
    assert lo == pytest.approx(exp_lo, rel=1e-10)
    assert hi == pytest.approx(exp_hi, rel=1e-10)


def test_mean_interval_known_value():
    mean, lo, hi = mean_interval(np.array([1.0, 2.0, 3.0]))
    assert mean == 2.0
    assert round(lo, 3) == -0.484
    assert round(hi, 3) == 4.484


def test_mean_interval_degenerate_sizes():
    mean, lo, hi = mean_interval(np.array([4.0]))
    assert mean == 4.0
    assert math.isnan(lo) and math.isnan(hi)
    assert all(math.isnan(v) for v in mean_interval(np.array([])))


# ----------------------------------------------------------------- summary rows


def test_probability_rows_have_wilson_intervals(small):
    row = summarise(small, kinds=KINDS)["flag"]
    finite = np.array([v for v in FLAG if not math.isnan(v)])
    k, n = int(finite.sum()), finite.size
    assert row.kind == "probability"
    assert (row.n, row.missing) == (n, 1)
    assert row.undefined_share == pytest.approx(1 / 7)
    assert row.estimate == finite.mean() == k / n
    assert (row.low, row.high) == wilson_interval(k, n)
    assert math.isnan(row.p5) and math.isnan(row.p50) and math.isnan(row.p95)


@pytest.mark.parametrize(("name", "estimate"), [("zeros", 0.0), ("ones", 1.0)])
def test_constant_probabilities(small, name, estimate):
    row = summarise(small, kinds=KINDS)[name]
    assert row.kind == "probability"
    assert row.estimate == estimate
    assert (row.low, row.high) == wilson_interval(int(estimate) * 7, 7)


def test_the_format_does_not_follow_the_data(small):
    # Without a kind, an all-0/1 column is a quantity, not a probability.
    summary = summarise(small)
    assert summary["zeros"].kind == summary["flag"].kind == "quantity"
    assert summary["flag"].estimate == pytest.approx(4 / 6)
    assert not math.isnan(summary["flag"].p50)


def test_a_zero_one_count_stays_a_count():
    n = 50
    res = BatchResult(
        scalars={
            "drafts_vetoed": np.r_[np.zeros(n - 5), np.ones(5)],
            "received_usd.USA": np.zeros(n),
            "target_reached": np.r_[np.ones(10), np.zeros(n - 10)],
        },
        series={},
        months=np.arange("2025-01", "2025-03", dtype="datetime64[M]"),
        parameters={},
        meta={"scenario": "x", "seed": 1},
    )
    summary = res.summary()
    vetoed = summary["drafts_vetoed"]
    assert (vetoed.kind, vetoed.unit) == ("count", "drafts")
    assert vetoed.estimate == pytest.approx(0.1)
    assert (vetoed.p50, vetoed.p95) == (0.0, 1.0)
    usd = summary["received_usd.USA"]
    assert (usd.kind, usd.unit, usd.estimate) == ("money", "US$ million", 0.0)
    assert summary["target_reached"].kind == "probability"
    text = str(summary)
    assert "P=" not in next(line for line in text.splitlines() if "drafts_vetoed" in line)
    assert "P=0.200" in text


def test_probability_with_another_value_is_an_error():
    res = BatchResult(
        scalars={"target_reached": np.array([0.0, 1.0, 2.0])},
        series={},
        months=np.arange("2025-01", "2025-02", dtype="datetime64[M]"),
        parameters={},
        meta={},
    )
    with pytest.raises(ValueError, match=r"target_reached: a probability .* found 2"):
        res.summary()


def ballot_result(ballots: np.ndarray) -> BatchResult:
    """A result whose one output is China's ballot on the GSF draft."""
    months = np.arange("2025-01", "2025-02", dtype="datetime64[M]")
    return BatchResult({"gsf.vote.CHN": ballots}, {}, months, {}, (), {})


def test_ballots_are_shares_of_yes_abstain_and_no():
    ballots = np.array([1.0, 1.0, 0.0, -1.0, np.nan, 1.0, 0.0, 1.0])
    res = ballot_result(ballots)
    row = res.summary()["gsf.vote.CHN"]
    assert row.kind == "ballot"
    assert (row.estimate, row.abstain, row.no) == (4 / 7, 2 / 7, 1 / 7)
    assert (row.low, row.high) == wilson_interval(4, 7)
    assert row.missing == 1
    assert "yes 57%, abstain 29%, no 14%" in str(res.summary())


def test_money_is_shown_in_millions(real):
    row = real.summary(["total_received_usd"])["total_received_usd"]
    values = real.scalars["total_received_usd"]
    assert row.unit == "US$ million"
    assert row.estimate == pytest.approx(values.mean() / 1e6, rel=1e-12)
    assert row.p50 == pytest.approx(np.median(values) / 1e6, rel=1e-12)


def test_quantities_have_means_and_percentiles(small):
    row = summarise(small)["value"]
    finite = np.array([v for v in VALUE if not math.isnan(v)])
    assert row.kind == "quantity"
    assert (row.n, row.missing) == (finite.size, 1)
    assert row.estimate == pytest.approx(finite.mean(), rel=1e-12)
    exp_lo, exp_hi = stats.t.interval(
        0.95, df=finite.size - 1, loc=finite.mean(), scale=stats.sem(finite)
    )
    assert row.low == pytest.approx(exp_lo, rel=1e-10)
    assert row.high == pytest.approx(exp_hi, rel=1e-10)
    p5, p50, p95 = np.percentile(finite, [5, 50, 95])
    assert (row.p5, row.p50, row.p95) == (p5, p50, p95)


def test_constant_quantity(small):
    row = summarise(small)["twos"]
    assert (row.estimate, row.low, row.high) == (2.0, 2.0, 2.0)
    assert (row.p5, row.p50, row.p95) == (2.0, 2.0, 2.0)


def test_outcomes_undefined_in_every_run_are_left_out_with_a_note(small):
    summary = summarise(small)
    assert "all_nan" not in [row.name for row in summary]
    assert summary.omitted == ("all_nan",)
    with pytest.raises(KeyError, match="undefined in every run"):
        summary["all_nan"]
    assert str(summary).splitlines()[-1] == "Undefined in every run, not shown (1): all_nan"


def test_undefined_share_is_named_by_the_registry():
    months = np.array([7.0, np.nan, np.nan, 9.0, np.nan])
    res = BatchResult(
        scalars={"months_to_target": months},
        series={},
        months=np.arange("2025-01", "2025-02", dtype="datetime64[M]"),
        parameters={},
        meta={},
    )
    row = res.summary()["months_to_target"]
    assert (row.unit, row.undefined, row.undefined_share) == ("months", "never reached", 0.6)
    assert "never reached: 60%" in str(res.summary())


def test_single_finite_value(small):
    row = summarise(small)["single"]
    assert (row.n, row.missing) == (1, len(FLAG) - 1)
    assert row.estimate == 7.0
    assert math.isnan(row.low) and math.isnan(row.high)
    assert row.p50 == 7.0


def test_confidence_changes_the_intervals(small):
    wide = summarise(small, ["flag", "value"], confidence=0.99, kinds=KINDS)
    narrow = summarise(small, ["flag", "value"], confidence=0.8, kinds=KINDS)
    for name in ("flag", "value"):
        assert wide[name].low < narrow[name].low
        assert wide[name].high > narrow[name].high
        assert wide[name].estimate == narrow[name].estimate
    assert wide.confidence == 0.99
    assert wide["flag"].low == wilson_interval(4, 6, 0.99)[0]


def test_rows_on_a_batch_follow_the_registry(real):
    summary = real.summary()
    shown = [row.name for row in summary]
    assert shown == [n for n in real.scalars if n not in summary.omitted]
    for row in summary:
        values = real.scalars[row.name]
        finite = values[np.isfinite(values)]
        assert finite.size > 0
        assert (row.n, row.missing) == (finite.size, values.size - finite.size)
        assert row.kind == describe(row.name).kind
        if row.kind == "probability":
            assert row.estimate == finite.mean()
        elif row.kind == "ballot":
            assert row.estimate == np.mean(finite == 1)
        else:
            scale = 1e6 if row.kind == "money" else 1.0
            assert row.estimate == pytest.approx(finite.mean() / scale, rel=1e-12)
    for name in summary.omitted:
        assert np.isnan(real.scalars[name]).all()
    assert summary["gsf.adopted"].kind == "probability"
    assert summary["peak_deployed"].kind == "count"


def test_names_select_and_order_rows(small):
    summary = summarise(small, ["value", "flag"])
    assert [row.name for row in summary] == ["value", "flag"]
    assert isinstance(summary, Summary)
    assert all(isinstance(row, SummaryRow) for row in summary)


# ------------------------------------------------------------------- errors


def test_unknown_names_raise_key_error(small):
    with pytest.raises(KeyError) as exc:
        summarise(small, ["value", "nope"])
    assert "nope" in str(exc.value)
    assert "flag" in str(exc.value)
    with pytest.raises(KeyError):
        small.summary(["nope"])


def test_unknown_row_raises_key_error(small):
    summary = summarise(small)
    with pytest.raises(KeyError):
        summary["nope"]


@pytest.mark.parametrize("confidence", [0.0, 1.0, -0.5, 1.5, 95])
def test_confidence_out_of_range(small, confidence):
    with pytest.raises(ValueError, match="confidence"):
        summarise(small, confidence=confidence)
    with pytest.raises(ValueError, match="confidence"):
        small.summary(confidence=confidence)


# -------------------------------------------------------------------- output


def test_str_lists_every_defined_outcome(small, real):
    for result in (small, real):
        summary = result.summary()
        lines = str(summary).splitlines()[3:]
        if summary.omitted:
            lines = lines[:-1]
        assert [line.split()[0] for line in lines] == [row.name for row in summary]
        assert "95% interval" in str(summary)


def test_str_has_title_header_and_undefined_share(small):
    text = str(summarise(small, confidence=0.9, kinds=KINDS))
    lines = text.splitlines()
    assert lines[0] == "small: 7 replications, seed 4"
    assert "90% interval" in lines[1]
    assert set(lines[2]) == {"-"}
    flag = next(line for line in lines if line.startswith("flag"))
    assert "P=0.667" in flag
    assert "undefined: 14%" in flag


def test_reprs_are_short_and_html_is_a_table(real):
    summary = real.summary()
    assert len(repr(summary)) < 300
    assert repr(summary).startswith("<Summary gsf_2025")
    page = summary._repr_html_()
    assert page.startswith("<table>") and page.count("<tr>") == len(summary) + 1
    assert "US$ million" in page
    assert "Undefined in every run" in page


def test_to_dicts(small):
    summary = summarise(small, ["value"])
    (row,) = summary.to_dicts()
    assert row["name"] == "value"
    assert row["kind"] == "quantity"
    assert row["estimate"] == summary["value"].estimate


def test_to_frame(small):
    pd = pytest.importorskip("pandas")
    summary = summarise(small, kinds=KINDS)
    frame = summary.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == [n for n in small.scalars if n != "all_nan"]
    assert frame.loc["flag", "kind"] == "probability"
    assert frame.loc["value", "estimate"] == summary["value"].estimate
    assert frame.loc["value", "p95"] == summary["value"].p95
    assert {"n", "missing", "low", "high", "p5", "p50", "unit", "label"} <= set(frame.columns)


def test_to_frame_without_pandas(small, monkeypatch):
    summary = summarise(small)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=re.escape("mss-sim[pandas]")):
        summary.to_frame()


def test_failed_replications_are_left_out_not_counted_as_undefined():
    from mss_sim.batch import Failure

    months = np.array([7.0, np.nan, np.nan, 9.0, np.nan, 8.0])
    res = BatchResult(
        scalars={"months_to_target": months, "target_reached": np.array([1, 0, np.nan, 1, 0, 1.0])},
        series={},
        months=np.arange("2025-01", "2025-02", dtype="datetime64[M]"),
        parameters={},
        failures=(Failure(102, "boom"),),  # the batch's replications 100 to 105: row 2
        meta={"scenario": "x", "seed": 1, "runs": 6, "replications": [100, 106]},
    )
    summary = res.summary()
    row = summary["months_to_target"]
    assert (row.n, row.missing, row.failed) == (3, 2, 1)
    assert row.undefined_share == 0.4
    assert summary["target_reached"].estimate == 3 / 5
    assert summary.title == "x: 6 replications, seed 1 (1 failed and left out)"
    assert "never reached: 40%" in str(summary)


def test_count_percentiles_are_values_some_run_had():
    res = BatchResult(
        scalars={"casualties_total": np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 40])},
        series={},
        months=np.arange("2025-01", "2025-02", dtype="datetime64[M]"),
        parameters={},
        meta={},
    )
    row = res.summary()["casualties_total"]
    assert {row.p5, row.p50, row.p95} <= {1.0, 2, 3, 4, 5, 6, 7, 8, 9, 40}


def test_a_rare_ballot_is_not_rounded_away():
    ballots = np.array([1.0] * 996 + [0.0] * 3 + [-1.0])
    res = ballot_result(ballots)
    assert "yes 99.6%, abstain 0.3%, no 0.1%" in str(res.summary())


def test_decimals_follow_the_kind_not_whether_values_are_whole():
    months = np.array([2.0, 15.0, 16.0, 23.0])  # whole months, a median of 15.5
    counts = np.array([0.0, 1.0, 1.0, 2.0, 1.0])
    res = BatchResult(
        scalars={"shortfall_months": months, "contingents_withdrawn": counts},
        series={},
        months=np.arange("2025-01", "2025-02", dtype="datetime64[M]"),
        parameters={},
        meta={},
    )
    summary = res.summary()
    _, est, ci, p50, spread, *_ = summary["shortfall_months"].cells()
    low, high = mean_interval(months, 0.95)[1:]
    assert (est, ci, p50) == ("14.0", f"[{low:.1f}, {high:.1f}]", "15.5")
    assert spread == " to ".join(f"{v:.1f}" for v in np.percentile(months, [5, 95]))
    _, est, _, p50, spread, *_ = summary["contingents_withdrawn"].cells()
    assert (est, p50, spread) == ("1.00", "1", "0 to 2")  # percentiles are run values
