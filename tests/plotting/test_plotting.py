"""Figures of batch results: what is drawn, on which axes, and lazy matplotlib import."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes

from mss_sim import plotting
from mss_sim.batch import BatchResult

RUNS = 30


@pytest.fixture(scope="module")
def gsf(run_small) -> BatchResult:
    return run_small("gsf_2025", RUNS, 1)


@pytest.fixture(scope="module")
def cuts(run_small) -> BatchResult:
    return run_small("us_budget_cuts", RUNS, 1)


@pytest.fixture
def with_nan() -> BatchResult:
    """A hand-made result with two NaN values in a scalar."""
    months = np.arange("2025-11", "2026-03", dtype="datetime64[M]")
    return BatchResult(
        scalars={
            "x": np.array([1.0, 2.0, np.nan, 3.0, np.nan]),
            "y": np.array([4.0, 4.0, 5.0, 6.0, 7.0]),
        },
        series={"deployed": np.arange(20, dtype=float).reshape(5, 4)},
        months=months,
        parameters={},
        meta={"scenario": "handmade", "runs": 5},
    )


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def first_of_next_month(month: np.datetime64) -> dt.date:
    year, mon = (int(part) for part in str(month).split("-"))
    return dt.date(year + 1, 1, 1) if mon == 12 else dt.date(year, mon + 1, 1)


def median_line(ax: Axes):
    lines = [line for line in ax.get_lines() if line.get_label().endswith(" median")]
    assert len(lines) == 1, [line.get_label() for line in ax.get_lines()]
    return lines[0]


def twin_of(ax: Axes) -> Axes:
    others = [other for other in ax.figure.axes if other is not ax]
    assert len(others) == 1
    return others[0]


# ----------------------------------------------------------------- return values


@pytest.mark.parametrize(
    ("function", "name"),
    [
        (plotting.plot_distribution, "peak_deployed"),
        (plotting.plot_fan, "deployed"),
    ],
)
def test_single_result_plots_return_axes(gsf, function, name):
    ax = function(gsf, name)
    assert isinstance(ax, Axes)
    assert ax.has_data()


@pytest.mark.parametrize(
    ("function", "name"),
    [
        (plotting.plot_distribution, "peak_deployed"),
        (plotting.plot_fan, "deployed"),
    ],
)
def test_single_result_plots_draw_on_the_given_axes(gsf, function, name):
    fig, ax = plt.subplots()
    assert not ax.has_data()
    out = function(gsf, name, ax=ax)
    assert out is ax
    assert ax.has_data()
    assert ax.figure is fig


@pytest.mark.parametrize("name", ["deployed", "peak_deployed"])
def test_plot_compare_returns_axes(gsf, cuts, name):
    ax = plotting.plot_compare(gsf, cuts, name)
    assert isinstance(ax, Axes)
    assert ax.has_data()
    _fig, given = plt.subplots()
    assert plotting.plot_compare(gsf, cuts, name, ax=given) is given
    assert given.has_data()


# --------------------------------------------------------------------------- fan


@pytest.mark.parametrize(("name", "scale"), [("deployed", 1.0), ("cash_balance", 1e6)])
def test_fan_median_is_the_median_of_the_series(gsf, name, scale):
    ax = plotting.plot_fan(gsf, name)
    values = gsf.series[name]
    assert np.all(np.isfinite(values))
    expected = np.median(values / scale, axis=0)
    ydata = np.asarray(median_line(ax).get_ydata(), dtype=float)
    assert np.array_equal(ydata, expected)
    if scale != 1.0:
        assert "US$ millions" in ax.get_ylabel()
    else:
        assert "millions" not in ax.get_ylabel()


def test_fan_x_data_are_calendar_dates(gsf):
    ax = plotting.plot_fan(gsf, "deployed")
    xdata = list(median_line(ax).get_xdata(orig=True))
    expected = [first_of_next_month(m) for m in gsf.months]
    assert len(xdata) == len(gsf.months) == 24
    assert [dt.date(d.year, d.month, d.day) for d in xdata] == expected
    # The scenario starts in Sep 2025: the first state is plotted on 1 Oct 2025,
    # and December rolls over into the next year.
    assert expected[0] == dt.date(2025, 10, 1)
    assert expected[3] == dt.date(2026, 1, 1)


def test_fan_draws_the_requested_bands(gsf):
    ax = plotting.plot_fan(gsf, "deployed", bands=(0.9, 0.5), label="base")
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "base median" in labels
    assert "90% band" in labels
    assert "50% band" in labels
    assert len(ax.collections) == 2


# ------------------------------------------------------------------ distribution


def test_distribution_leaves_out_nan(with_nan):
    ax = plotting.plot_distribution(with_nan, "x")
    assert ax.get_title() == "x: 3 of 5 replications"
    ecdf = twin_of(ax).get_lines()
    assert len(ecdf) == 1
    assert np.array_equal(np.asarray(ecdf[0].get_xdata(), float), [1.0, 2.0, 3.0])
    assert np.asarray(ecdf[0].get_ydata(), float)[-1] == pytest.approx(1.0)
    # The histogram is a density of the three finite values.
    area = sum(p.get_height() * p.get_width() for p in ax.patches)
    assert area == pytest.approx(1.0)


def test_distribution_title_counts_all_replications(gsf):
    ax = plotting.plot_distribution(gsf, "months_to_half_ceiling")
    values = gsf.scalars["months_to_half_ceiling"]
    shown = int(np.isfinite(values).sum())
    assert ax.get_title() == f"months_to_half_ceiling: {shown} of {RUNS} replications"
    assert ax.get_xlabel() == "months_to_half_ceiling"


def test_distribution_of_only_nan_draws_nothing(with_nan):
    all_nan = BatchResult(
        scalars={"z": np.full(4, np.nan)},
        series={},
        months=with_nan.months,
        parameters={},
        meta={"runs": 4},
    )
    ax = plotting.plot_distribution(all_nan, "z")
    assert ax.get_title() == "z: 0 of 4 replications"
    assert not ax.has_data()


def test_distribution_of_a_constant(with_nan):
    constant = BatchResult(
        scalars={"c": np.full(3, 7.0)},
        series={},
        months=with_nan.months,
        parameters={},
        meta={"runs": 3},
    )
    ax = plotting.plot_distribution(constant, "c")
    assert ax.get_title() == "c: 3 of 3 replications"
    lo, hi = ax.get_xlim()
    assert lo < 7.0 < hi


# ---------------------------------------------------------------------- compare


def test_compare_series_draws_both_medians(gsf, cuts):
    ax = plotting.plot_compare(gsf, cuts, "deployed", labels=("base", "cuts"))
    labels = sorted(line.get_label() for line in ax.get_lines())
    assert labels == ["base median", "cuts median"]
    by_label = {line.get_label(): line for line in ax.get_lines()}
    for label, result in (("base", gsf), ("cuts", cuts)):
        expected = np.median(result.series["deployed"], axis=0)
        ydata = np.asarray(by_label[f"{label} median"].get_ydata(), float)
        np.testing.assert_allclose(ydata, expected, rtol=1e-12)
    assert "base vs cuts" in ax.get_title()


def test_compare_default_labels_are_scenario_names(gsf, cuts):
    ax = plotting.plot_compare(gsf, cuts, "deployed")
    assert ax.get_title() == "deployed: gsf_2025 vs us_budget_cuts (median and 50% band)"


def test_compare_scalar_draws_two_ecdfs(gsf, cuts):
    ax = plotting.plot_compare(gsf, cuts, "peak_deployed", labels=("base", "cuts"))
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == [f"base (n={RUNS})", f"cuts (n={RUNS})"]
    for line, result in zip(lines, (gsf, cuts), strict=True):
        xdata = np.asarray(line.get_xdata(), float)
        ydata = np.asarray(line.get_ydata(), float)
        assert np.array_equal(xdata, np.sort(result.scalars["peak_deployed"]))
        assert np.allclose(ydata, np.arange(1, RUNS + 1) / RUNS)
    assert ax.get_title() == "peak_deployed: base vs cuts"


def test_compare_scalar_with_nan(with_nan):
    ax = plotting.plot_compare(with_nan, with_nan, "x", labels=("a", "b"))
    line = ax.get_lines()[0]
    assert line.get_label() == "a (n=3)"
    assert np.array_equal(np.asarray(line.get_xdata(), float), [1.0, 2.0, 3.0])
    # Shares are of all replications, NaN included, so the curve stops at 3/5.
    assert np.allclose(np.asarray(line.get_ydata(), float), [0.2, 0.4, 0.6])


# ---------------------------------------------------------------- unknown names


@pytest.mark.parametrize(
    ("call", "available"),
    [
        (lambda r: plotting.plot_distribution(r, "nope"), "peak_deployed"),
        (lambda r: plotting.plot_fan(r, "nope"), "deployed"),
        (lambda r: plotting.plot_fan(r, "peak_deployed"), "cash_balance"),
        (lambda r: plotting.plot_distribution(r, "deployed"), "peak_deployed"),
        (lambda r: plotting.plot_compare(r, r, "nope"), "peak_deployed"),
    ],
    ids=["distribution", "fan", "fan-of-scalar", "distribution-of-series", "compare"],
)
def test_unknown_names_raise_key_error_listing_names(gsf, call, available):
    with pytest.raises(KeyError) as exc:
        call(gsf)
    message = str(exc.value)
    assert "available" in message
    assert available in message


# --------------------------------------------------------------------- imports


def test_core_modules_do_not_import_matplotlib():
    code = (
        "import sys\n"
        "import mss_sim\n"
        "import mss_sim.batch, mss_sim.analysis, mss_sim.model, mss_sim.scenario, "
        "mss_sim.council\n"
        "print('matplotlib' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
