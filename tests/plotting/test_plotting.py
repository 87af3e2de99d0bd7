"""Figures of batch results: what is drawn, on which axes, and lazy matplotlib import."""

from __future__ import annotations

import dataclasses
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


@pytest.mark.parametrize("name", ["deployed", "peak_deployed", "target_reached"])
def test_plot_compare_returns_axes(gsf, cuts, name):
    ax = plotting.plot_compare(gsf, cuts, name)
    assert isinstance(ax, Axes)
    assert ax.has_data()
    _fig, given = plt.subplots()
    assert plotting.plot_compare(gsf, cuts, name, ax=given) is given
    assert given.has_data()


# ------------------------------------------------------------- labels and units


UNITS = {"personnel", "US$ million", "%", "months", "people per month"}


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("deployed", "personnel"),
        ("cash_balance", "US$ million"),
        ("gang_control", "%"),
        ("killings", "people per month"),
        ("balance.trust_fund", "US$ million"),
    ],
)
def test_fan_axes_carry_words_and_units(gsf, name, unit):
    ax = plotting.plot_fan(gsf, name)
    assert ax.get_ylabel().endswith(f"({unit})")
    assert name not in ax.get_title()  # words, not the variable's name
    assert ax.get_title().splitlines()[-1] == f"gsf_2025 (seed 1), {RUNS} runs"


def test_money_axes_have_no_offset_or_exponent(gsf):
    ax = plotting.plot_fan(gsf, "received_cum")
    ax.figure.canvas.draw()
    assert ax.yaxis.get_offset_text().get_text() == ""
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and all("e" not in t for t in ticks)
    assert max(float(t.replace(",", "").replace("\N{MINUS SIGN}", "-")) for t in ticks) < 5000


@pytest.mark.parametrize(("name", "scale"), [("deployed", 1.0), ("cash_balance", 1e6)])
def test_fan_median_is_the_median_of_the_series(gsf, name, scale):
    ax = plotting.plot_fan(gsf, name)
    values = gsf.series[name]
    assert np.all(np.isfinite(values))
    expected = np.median(values / scale, axis=0)
    ydata = np.asarray(median_line(ax).get_ydata(), dtype=float)
    assert np.array_equal(ydata, expected)


def test_fan_x_data_are_month_ends(gsf):
    ax = plotting.plot_fan(gsf, "deployed")
    xdata = list(median_line(ax).get_xdata(orig=True))
    assert len(xdata) == len(gsf.months) == 24
    # The scenario starts in Sep 2025: the first state is that at the end of September.
    assert xdata[0] == dt.date(2025, 9, 30)
    assert xdata[5] == dt.date(2026, 2, 28)


def test_fan_draws_the_requested_bands_once_in_the_legend(gsf):
    ax = plotting.plot_fan(gsf, "deployed", bands=(0.9, 0.5), label="base")
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["base median"]
    assert len(ax.collections) == 2
    assert "central 90% and 50% of runs shaded" in ax.get_title()


def test_a_zero_one_series_is_a_share_of_runs(gsf):
    ax = plotting.plot_fan(gsf, "mandate_active")
    (line,) = ax.get_lines()
    expected = gsf.series["mandate_active"].mean(axis=0)
    assert np.array_equal(np.asarray(line.get_ydata(), float), expected)
    assert "share of runs" in ax.get_title()


def test_deployment_fan_has_ceiling_votes_and_typical_run(gsf):
    from mss_sim.batch import replay_result, typical_replication

    rep = replay_result(gsf, typical_replication(gsf))
    ax = plotting.plot_deployment(gsf, typical=rep)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "ceiling in force (median)" in labels
    assert "scheduled Council vote" in labels
    assert "typical run" in labels
    ceiling = next(line for line in ax.get_lines() if line.get_label().startswith("ceiling"))
    assert np.array_equal(
        np.asarray(ceiling.get_ydata(), float), np.median(gsf.series["ceiling"], axis=0)
    )
    votes = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    vote_days = sorted(line.get_xdata()[0] for line in votes)
    assert vote_days == [dt.date(2025, 9, 30), dt.date(2026, 9, 29)]


def test_deployment_fan_draws_the_record_where_the_scenario_covers_it(run_small):
    m23 = run_small("mss_2023", 10, 1)
    ax = plotting.plot_deployment(m23)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "recorded" in labels
    from mss_sim.plotting.record import record_points

    points = record_points(m23, "deployed")
    assert points and all(m.quantity == "deployed" for *_, m in points)


def test_an_account_that_never_holds_money_is_left_out(run_small):
    m23 = run_small("mss_2023", 10, 1)
    assert not np.any(m23.series["balance.assessed"])
    labels = [line.get_label() for line in plotting.plot_money(m23).get_lines()]
    assert "Balance of the assessed account" not in labels
    assert "Balance of the trust fund account" in labels


def test_whole_numbers_get_one_bar_per_value(gsf):
    ax = plotting.plot_distribution(gsf, "gsf.yes")
    values = gsf.scalars["gsf.yes"]
    values = values[np.isfinite(values)]
    lefts = sorted(p.get_x() for p in ax.patches)
    assert lefts == [v - 0.5 for v in range(int(values.min()), int(values.max()) + 1)]
    heights = {p.get_x() + 0.5: p.get_height() for p in ax.patches}
    v = float(values[0])
    assert heights[v] == np.count_nonzero(values == v)


def test_money_per_account_and_unpaid(gsf):
    ax = plotting.plot_money(gsf)
    labels = [line.get_label() for line in ax.get_lines()]
    accounts = [n for n in gsf.series if n.startswith("balance.")]
    assert len(labels) == len(accounts) + 1
    assert "Unpaid obligations" in labels
    assert ax.get_ylabel() == "US$ million"
    assert "Balance of the trust fund account" in labels
    assert "Balance of the USA in-kind account" in labels
    trust = next(line for line in ax.get_lines() if "trust fund" in line.get_label())
    expected = np.median(gsf.series["balance.trust_fund"], axis=0) / 1e6
    assert np.allclose(np.asarray(trust.get_ydata(), float), expected)


def test_security_figure(gsf, with_nan):
    fig = plotting.plot_security(gsf)
    assert [ax.get_ylabel() for ax in fig.axes] == [
        "Gang control of Port-au-Prince (%)",
        "People killed (people per month)",
    ]
    with pytest.raises(KeyError, match=r"no security series"):
        plotting.plot_security(with_nan)


# ------------------------------------------------------------------ distribution


def test_distribution_counts_runs_and_its_curve_stops_at_the_defined_share(with_nan):
    ax = plotting.plot_distribution(with_nan, "x")
    assert ax.get_ylabel() == "runs"
    assert sum(p.get_height() for p in ax.patches) == 3  # counts, not densities
    assert "defined in 3 of 5 runs" in ax.get_title()
    twin = twin_of(ax)
    ecdf = twin.get_lines()[0]
    assert np.array_equal(np.asarray(ecdf.get_xdata(), float), [1.0, 2.0, 3.0])
    assert np.allclose(np.asarray(ecdf.get_ydata(), float), [0.2, 0.4, 0.6])
    assert [t.get_text() for t in twin.texts] == ["defined in 60% of runs; undefined: 40% of runs"]


def test_distribution_names_the_runs_that_never_reach(gsf):
    ax = plotting.plot_distribution(gsf, "months_to_half_ceiling")
    values = gsf.scalars["months_to_half_ceiling"]
    shown = int(np.isfinite(values).sum())
    assert ax.get_xlabel() == "Months to half the ceiling (months)"
    if shown < RUNS:
        share = 1 - shown / RUNS
        assert [t.get_text() for t in twin_of(ax).texts] == [
            f"defined in {1 - share:.0%} of runs; never reached: {share:.0%} of runs"
        ]
        assert f"defined in {shown} of {RUNS} runs" in ax.get_title()


def test_distribution_of_money_is_in_millions(gsf):
    ax = plotting.plot_distribution(gsf, "total_received_usd")
    assert ax.get_xlabel() == "Money received (US$ million)"
    _lo, hi = ax.get_xlim()
    assert hi < 1e5


def test_distribution_of_a_probability_is_a_bar_with_its_interval(gsf):
    from mss_sim.statistics import wilson_interval

    ax = plotting.plot_distribution(gsf, "gsf.adopted")
    (bar,) = ax.patches
    k = int(np.nansum(gsf.scalars["gsf.adopted"]))
    n = int(np.isfinite(gsf.scalars["gsf.adopted"]).sum())
    assert bar.get_width() == k / n
    assert ax.get_xlabel() == "probability (95% interval)"
    ((start, end),) = [seg for coll in ax.collections for seg in coll.get_segments()]
    assert (start[0], end[0]) == pytest.approx(wilson_interval(k, n))


def test_distribution_of_only_nan_draws_nothing(with_nan):
    all_nan = BatchResult(
        scalars={"z": np.full(4, np.nan)},
        series={},
        months=with_nan.months,
        parameters={},
        meta={"runs": 4},
    )
    ax = plotting.plot_distribution(all_nan, "z")
    assert "defined in 0 of 4 runs" in ax.get_title()
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
    lo, hi = ax.get_xlim()
    assert lo < 7.0 < hi


# ---------------------------------------------------------------------- compare


def test_compare_series_draws_both_medians_in_distinct_colours(gsf, cuts):
    ax = plotting.plot_compare(gsf, cuts, "deployed", labels=("base", "cuts"))
    lines = ax.get_lines()
    assert sorted(line.get_label() for line in lines) == ["base median", "cuts median"]
    assert lines[0].get_color() != lines[1].get_color()
    by_label = {line.get_label(): line for line in lines}
    for label, result in (("base", gsf), ("cuts", cuts)):
        expected = np.median(result.series["deployed"], axis=0)
        ydata = np.asarray(by_label[f"{label} median"].get_ydata(), float)
        np.testing.assert_allclose(ydata, expected, rtol=1e-12)
    assert "gsf_2025 (seed 1), 30 runs vs us_budget_cuts (seed 1), 30 runs" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["base median", "cuts median"]


def test_compare_default_labels_name_scenario_and_seed(gsf, cuts):
    ax = plotting.plot_compare(gsf, cuts, "deployed")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["gsf_2025 (seed 1) median", "us_budget_cuts (seed 1) median"]
    assert ax.get_ylim()[0] == 0  # strengths are never negative: the axis starts at zero
    money = plotting.plot_money(gsf)
    assert money.get_title().splitlines()[-1] == f"gsf_2025 (seed 1), {RUNS} runs"


def test_compare_two_runs_of_one_scenario_get_distinct_labels(gsf):
    ax = plotting.plot_compare(gsf, gsf, "deployed")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["gsf_2025 (seed 1) [1] median", "gsf_2025 (seed 1) [2] median"]


def test_compare_titles_say_which_seed_is_which(gsf):
    other = dataclasses.replace(gsf, meta={**gsf.meta, "seed": 3})
    ax = plotting.plot_compare(gsf, other, "peak_deployed")
    assert ax.get_title().splitlines()[-1] == (
        f"gsf_2025 (seed 1), {RUNS} runs vs gsf_2025 (seed 3), {RUNS} runs"
    )
    fig = plotting.plot_dashboard(gsf, compare=other)
    assert fig.get_suptitle() == f"gsf_2025 (seed 1), {RUNS} runs vs gsf_2025 (seed 3), {RUNS} runs"
    plt.close(fig)


def test_two_stores_of_one_batch_are_told_apart_by_directory(gsf):
    a = dataclasses.replace(gsf, meta={**gsf.meta, "store": "out/first"})
    b = dataclasses.replace(gsf, meta={**gsf.meta, "store": "out/second"})
    ax = plotting.plot_compare(a, b, "deployed")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["gsf_2025 (seed 1), first median", "gsf_2025 (seed 1), second median"]
    a, b = (
        dataclasses.replace(
            gsf, meta={**gsf.meta, "policy": "baseline", "store": f"out/{e}/policies/baseline"}
        )
        for e in ("exp_a", "exp_b")
    )
    ax = plotting.plot_compare(a, b, "deployed")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["baseline (seed 1), exp_a median", "baseline (seed 1), exp_b median"]


def test_compare_scalar_draws_two_shares_of_all_runs(gsf, cuts):
    ax = plotting.plot_compare(gsf, cuts, "peak_deployed", labels=("base", "cuts"))
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["base", "cuts"]
    for line, result in zip(lines, (gsf, cuts), strict=True):
        xdata = np.asarray(line.get_xdata(), float)
        ydata = np.asarray(line.get_ydata(), float)
        assert np.array_equal(xdata, np.sort(result.scalars["peak_deployed"]))
        assert np.allclose(ydata, np.arange(1, RUNS + 1) / RUNS)
    assert ax.get_xlabel() == "Peak strength (personnel)"


def test_compare_scalar_with_nan(with_nan):
    ax = plotting.plot_compare(with_nan, with_nan, "x", labels=("a", "b"))
    line = ax.get_lines()[0]
    assert line.get_label() == "a; undefined: 40% of runs"
    assert np.array_equal(np.asarray(line.get_xdata(), float), [1.0, 2.0, 3.0])
    # Shares are of all replications, NaN included, so the curve stops at 3/5.
    assert np.allclose(np.asarray(line.get_ydata(), float), [0.2, 0.4, 0.6])


# ----------------------------------------------------------- dashboard, timeline


def test_dashboard_one_and_two_results(gsf, cuts):
    fig = plotting.plot_dashboard(gsf)
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert len(titled) == 6
    assert fig.get_suptitle() == "gsf_2025 (seed 1), 30 runs"
    fig2 = plotting.plot_dashboard(gsf, compare=cuts)
    assert "vs us_budget_cuts" in fig2.get_suptitle()
    for ax in fig.axes + fig2.axes:
        assert ax.has_data() or not ax.get_title(), ax.get_title()


def test_timeline_marks_the_events_of_a_replication():
    import mss_sim

    rep = mss_sim.simulate(mss_sim.load_scenario("gsf_2025"), seed=1)
    ax = plotting.plot_timeline(rep)
    adopted = next(line for line in ax.get_lines() if line.get_label() == "draft adopted")
    assert list(adopted.get_xdata()) == [
        np.datetime64(e.date, "D") for e in rep.events_of("adopted")
    ]
    deployed = ax.get_lines()[0]
    assert np.array_equal(np.asarray(deployed.get_ydata(), float), rep.series["deployed"])
    ax.figure.canvas.draw()
    ticks = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels()), strict=True))
    assert ax.get_ylim()[0] < 0  # the events' strip, with no scale
    assert min(ticks) == 0 and ticks[0.0] == "0"
    assert ax.get_xticklabels()[0].get_text()[-4:].isdigit()  # the first date has its year
    plt.close(ax.figure)


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


def test_tick_labels_keep_the_decimals_the_ticks_have():
    months = np.arange("2025-11", "2026-03", dtype="datetime64[M]")
    values = np.array([17.2, 17.9, 18.4, 18.6, 19.1, 19.8, 20.3, 20.9, np.nan])
    res = BatchResult({"months_to_target": values}, {}, months, {}, (), {"scenario": "m"})
    ax = plotting.plot_distribution(res, "months_to_target")
    ax.figure.canvas.draw()
    lo, hi = ax.get_xlim()
    shown = [
        label.get_text()
        for tick, label in zip(ax.get_xticks(), ax.get_xticklabels(), strict=True)
        if lo <= tick <= hi
    ]
    assert len(shown) >= 3 and len(set(shown)) == len(shown), shown
    assert [float(t) for t in shown] == sorted(float(t) for t in shown)
    plt.close(ax.figure)


def test_one_run_in_two_hundred_is_a_visible_point_and_not_rounded_to_all():
    months = np.arange("2025-11", "2026-03", dtype="datetime64[M]")
    values = np.full(200, np.nan)
    values[7] = 18.0
    res = BatchResult({"months_to_target": values}, {}, months, {}, (), {"scenario": "m"})
    ax = plotting.plot_compare(res, res, "months_to_target", labels=("a", "b"))
    first = ax.get_lines()[0]
    assert first.get_label() == "a; never reached: 99.5% of runs"
    assert first.get_marker() == "o"
    plt.close(ax.figure)
    never = BatchResult(
        {"months_to_target": np.full(200, np.nan)}, {}, months, {}, (), {"scenario": "n"}
    )
    ax = plotting.plot_compare(res, never, "months_to_target", labels=("a", "b"))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["a; never reached: 99.5% of runs", "b; never reached: 100% of runs"]
    plt.close(ax.figure)
