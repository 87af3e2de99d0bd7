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

RUNS = 40


@pytest.fixture(scope="module")
def real(run_small) -> BatchResult:
    return run_small("gsf_2025", RUNS, 8)


FLAG = [0.0, 1.0, 1.0, np.nan, 1.0, 0.0, 1.0]
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


def test_zero_one_outcome_is_a_probability(small):
    row = summarise(small)["flag"]
    finite = np.array([v for v in FLAG if not math.isnan(v)])
    k, n = int(finite.sum()), finite.size
    assert row.kind == "probability"
    assert (row.n, row.missing) == (n, 1)
    assert row.estimate == finite.mean() == k / n
    assert (row.low, row.high) == wilson_interval(k, n)
    assert math.isnan(row.p5) and math.isnan(row.p50) and math.isnan(row.p95)


@pytest.mark.parametrize(("name", "estimate"), [("zeros", 0.0), ("ones", 1.0)])
def test_constant_zero_one_outcomes_are_probabilities(small, name, estimate):
    row = summarise(small)[name]
    assert row.kind == "probability"
    assert row.estimate == estimate
    assert (row.low, row.high) == wilson_interval(int(estimate) * 7, 7)


def test_probability_rows_contain_their_estimate(small):
    for name in ("zeros", "ones", "flag"):
        row = summarise(small)[name]
        assert row.low <= row.estimate <= row.high, name


def test_other_outcomes_are_means_with_percentiles(small):
    row = summarise(small)["value"]
    finite = np.array([v for v in VALUE if not math.isnan(v)])
    assert row.kind == "mean"
    assert (row.n, row.missing) == (finite.size, 1)
    assert row.estimate == pytest.approx(finite.mean(), rel=1e-12)
    exp_lo, exp_hi = stats.t.interval(
        0.95, df=finite.size - 1, loc=finite.mean(), scale=stats.sem(finite)
    )
    assert row.low == pytest.approx(exp_lo, rel=1e-10)
    assert row.high == pytest.approx(exp_hi, rel=1e-10)
    p5, p50, p95 = np.percentile(finite, [5, 50, 95])
    assert (row.p5, row.p50, row.p95) == (p5, p50, p95)


def test_constant_non_binary_outcome(small):
    row = summarise(small)["twos"]
    assert row.kind == "mean"
    assert (row.estimate, row.low, row.high) == (2.0, 2.0, 2.0)
    assert (row.p5, row.p50, row.p95) == (2.0, 2.0, 2.0)


def test_all_nan_outcome_is_counted_as_missing(small):
    row = summarise(small)["all_nan"]
    assert (row.n, row.missing) == (0, len(FLAG))
    assert math.isnan(row.estimate) and math.isnan(row.low) and math.isnan(row.high)
    assert math.isnan(row.p50)


def test_single_finite_value(small):
    row = summarise(small)["single"]
    assert (row.n, row.missing) == (1, len(FLAG) - 1)
    assert row.estimate == 7.0
    assert math.isnan(row.low) and math.isnan(row.high)
    assert row.p50 == 7.0


def test_confidence_changes_the_intervals(small):
    wide = summarise(small, ["flag", "value"], confidence=0.99)
    narrow = summarise(small, ["flag", "value"], confidence=0.8)
    for name in ("flag", "value"):
        assert wide[name].low < narrow[name].low
        assert wide[name].high > narrow[name].high
        assert wide[name].estimate == narrow[name].estimate
    assert wide.confidence == 0.99
    assert wide["flag"].low == wilson_interval(4, 6, 0.99)[0]


def test_rows_on_a_batch(real):
    summary = real.summary()
    assert [row.name for row in summary] == list(real.scalars)
    assert len(summary) == len(real.scalars)
    for row in summary:
        values = real.scalars[row.name]
        finite = values[np.isfinite(values)]
        assert row.n == finite.size
        assert row.missing == values.size - finite.size
        if finite.size == 0:  # e.g. a member's ballot on a vote that is never held
            assert row.kind == "mean" and np.isnan(row.estimate), row.name
        elif np.all((finite == 0) | (finite == 1)):
            assert row.kind == "probability", row.name
            assert row.estimate == finite.mean()
            assert (row.low, row.high) == wilson_interval(int(finite.sum()), finite.size)
        else:
            assert row.kind == "mean", row.name
            assert row.estimate == pytest.approx(finite.mean(), rel=1e-12)
            assert [row.p5, row.p50, row.p95] == list(np.percentile(finite, [5, 50, 95]))
    assert summary["gsf.adopted"].kind == "probability"
    assert summary["peak_deployed"].kind == "mean"


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


def test_str_lists_every_outcome(small, real):
    for result in (small, real):
        text = str(result.summary())
        names = [line.split()[0] for line in text.splitlines()[3:]]
        assert names == list(result.scalars)
        for name in result.scalars:
            assert name in text
        assert "95% interval" in text


def test_str_has_title_header_and_counts(small):
    text = str(summarise(small, confidence=0.9))
    lines = text.splitlines()
    assert lines[0] == "small: 7 replications, seed 4"
    assert "90% interval" in lines[1]
    assert set(lines[2]) == {"-"}
    flag = next(line for line in lines if line.startswith("flag"))
    assert "P=0.667" in flag
    assert "(+1 NaN)" in flag


def test_to_dicts(small):
    summary = summarise(small, ["value"])
    (row,) = summary.to_dicts()
    assert row["name"] == "value"
    assert row["kind"] == "mean"
    assert row["estimate"] == summary["value"].estimate


def test_to_frame(small):
    pd = pytest.importorskip("pandas")
    summary = summarise(small)
    frame = summary.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == list(small.scalars)
    assert frame.loc["flag", "kind"] == "probability"
    assert frame.loc["value", "estimate"] == summary["value"].estimate
    assert frame.loc["value", "p95"] == summary["value"].p95
    assert {"n", "missing", "low", "high", "p5", "p50"} <= set(frame.columns)


def test_to_frame_without_pandas(small, monkeypatch):
    summary = summarise(small)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=re.escape("mss-sim[pandas]")):
        summary.to_frame()
