"""Distributions of scalar outcomes, and comparisons of two results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from mss_sim.catalog import OutputInfo, OutputKind
from mss_sim.formats import percent
from mss_sim.plotting._style import (
    COLOURS,
    axes,
    label_of,
    number_axis,
    result_labels,
    scalar_values,
    series_values,
    subtitle,
    title,
)
from mss_sim.plotting.fans import _fan, _finish
from mss_sim.statistics import wilson_interval

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from mss_sim.batch.results import BatchResult

__all__ = ["plot_compare", "plot_distribution", "plot_probabilities"]


def _undefined_text(info: OutputInfo, share: float) -> str:
    return f"{info.undefined or 'undefined'}: {percent(share)} of runs"


def _bars(
    ax: Axes, results: Sequence[BatchResult], names: Sequence[str], labels: Sequence[str]
) -> None:
    width = 0.8 / len(results)
    for j, (result, label) in enumerate(zip(results, labels, strict=True)):
        estimates: list[float] = []
        errors: list[list[float]] = [[], []]
        for name in names:
            values, _ = scalar_values(result, name)
            finite = values[np.isfinite(values)]
            k, n = int(np.count_nonzero(finite == 1)), finite.size
            p = k / n if n else np.nan
            lo, hi = wilson_interval(k, n) if n else (np.nan, np.nan)
            estimates.append(p)
            errors[0].append(p - lo)
            errors[1].append(hi - p)
        y = np.arange(len(names)) + (j - (len(results) - 1) / 2) * width
        ax.barh(
            y,
            estimates,
            height=width,
            xerr=errors,
            color=COLOURS[j % len(COLOURS)],
            alpha=0.8,
            capsize=3,
            label=label,
        )
    ax.set_yticks(np.arange(len(names)), [_label(results[0], n) for n in names])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability (95% interval)")


def _label(result: BatchResult, name: str) -> str:
    return scalar_values(result, name)[1].label


def plot_probabilities(
    result: BatchResult,
    names: Sequence[str],
    *,
    ax: Axes | None = None,
    compare: BatchResult | None = None,
    labels: tuple[str, ...] | None = None,
) -> Axes:
    """Horizontal bars of probability outcomes with their Wilson 95% intervals.

    Parameters
    ----------
    result : BatchResult
    names : sequence of str
        Probability outcomes (``target_reached``, ``gsf.adopted``...).
    ax : matplotlib Axes, optional
    compare : BatchResult, optional
        A second result drawn beside the first.
    labels : tuple of str, optional
        Legend labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = axes(ax)
    results = [result] if compare is None else [result, compare]
    labels = labels or result_labels(*results)
    _bars(ax, results, names, labels)
    ax.set_title(f"Key probabilities\n{subtitle(*results)}", fontsize="medium")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize="small")
    return ax


def plot_distribution(
    result: BatchResult,
    name: str,
    *,
    ax: Axes | None = None,
    bins: int | str = "auto",
    color: str | None = None,
    label: str | None = None,
) -> Axes:
    """The distribution of a scalar outcome over the runs, in its units.

    A histogram counting runs, and on a second axis the share of *all* runs with
    a value at most x: for an outcome that is undefined in some runs (the months to
    the target, in runs that never reach it) the curve ends below 1, at the share
    of runs where it is defined, and the figure says how many runs it leaves out.
    A probability is drawn as a bar with its Wilson 95% interval; a ballot as the
    shares of yes, abstain and no.

    Parameters
    ----------
    result : BatchResult
    name : str
        A scalar outcome, e.g. ``"months_to_target"``.
    ax : matplotlib Axes, optional
    bins : int or str
        Passed to :func:`numpy.histogram_bin_edges`; with ``"auto"``, whole numbers
        over a range of at most 60 get one bar per value.
    color, label : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        The histogram's axes (the cumulative share is on a twin axis).
    """
    ax = axes(ax)
    values, info = scalar_values(result, name)
    color = color or COLOURS[0]
    if info.kind is OutputKind.PROBABILITY:
        _bars(ax, [result], [name], [label_of(result, label)])
        title(ax, info, result)
        return ax
    finite = values[np.isfinite(values)]
    total = values.size
    if info.kind is OutputKind.BALLOT:
        shares = [np.mean(finite == v) if finite.size else np.nan for v in (1, 0, -1)]
        ax.bar(["yes", "abstain", "no"], shares, color=["#2ca02c", "0.6", "#d62728"])
        ax.set_ylabel("share of runs with a vote")
        ax.set_ylim(0, 1)
        title(ax, info, result)
        return ax
    if finite.size:
        whole = bool(np.all(finite == np.round(finite)))
        short = finite.max() - finite.min() <= 60
        if bins == "auto" and whole and short:
            # whole numbers over a short range: one bar per value
            edges = np.arange(finite.min() - 0.5, finite.max() + 1.5)
        elif bins == "auto" and info.kind is OutputKind.MONTHS and short:
            edges = np.arange(np.floor(finite.min()), np.floor(finite.max()) + 2)  # by month
        else:
            edges = np.histogram_bin_edges(finite, bins=bins)
        if edges[0] == edges[-1]:
            edges = np.array([edges[0] - 0.5, edges[0] + 0.5])
        ax.hist(finite, bins=list(edges), alpha=0.55, color=color, label=label_of(result, label))
        twin = ax.twinx()
        xs = np.sort(finite)
        twin.step(xs, np.arange(1, xs.size + 1) / total, where="post", color=color, linewidth=1.4)
        share = xs.size / total
        twin.set_ylim(0, min(1.02, max(1.25 * share, share + 0.02)))
        twin.set_ylabel("share of all runs at most x")
        from matplotlib.ticker import PercentFormatter

        twin.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
        if finite.size < total:
            reached = finite.size / total
            twin.axhline(reached, color=color, linestyle=":", linewidth=1)
            twin.annotate(
                f"defined in {percent(reached)} of runs; {_undefined_text(info, 1 - reached)}",
                (0.02, reached),
                xycoords=("axes fraction", "data"),
                va="bottom",
                fontsize="small",
            )
    elif total:
        ax.text(0.5, 0.5, _undefined_text(info, 1.0), transform=ax.transAxes, ha="center")
    ax.set_xlabel(info.axis_label())
    number_axis(ax, info, axis="x")
    ax.set_ylabel("runs")
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    note = f"defined in {finite.size:,} of {total:,} runs" if finite.size < total else ""
    title(ax, info, result, note=note)
    return ax


def plot_compare(
    a: BatchResult,
    b: BatchResult,
    name: str,
    *,
    ax: Axes | None = None,
    labels: tuple[str, str] | None = None,
) -> Axes:
    """Overlay two results: fans (median, central 50%) for a series; for a scalar,
    the share of all runs at most x (ending below 1 where runs leave it undefined),
    or bars for a probability.

    Parameters
    ----------
    a, b : BatchResult
        The two results (e.g. a baseline and a variant run with the same seed).
    name : str
        A series or scalar outcome present in both.
    ax : matplotlib Axes, optional
    labels : (str, str), optional
        Legend labels (default: scenario or policy and seed, made distinct).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = axes(ax)
    la, lb = labels if labels is not None else result_labels(a, b)
    if name in a.series and name in b.series:
        for result, label, colour in ((a, la, COLOURS[0]), (b, lb, COLOURS[1])):
            _fan(ax, result, name, color=colour, label=label, bands=(0.5,))
        _finish(ax, a, name, (0.5,))
        _, info = series_values(a, name)
        title(ax, info, a, b, note="median, central 50% of runs shaded")
        return ax
    if name not in a.scalars or name not in b.scalars:
        missing = a if name not in a.scalars else b
        raise KeyError(
            f"no series or scalar outcome named {name!r} in both results; "
            f"available: {list(missing.scalars)}"
        )
    _, info = scalar_values(a, name)
    if info.kind is OutputKind.PROBABILITY:
        return plot_probabilities(a, [name], ax=ax, compare=b, labels=(la, lb))
    shares = []
    for result, label, colour in ((a, la, COLOURS[0]), (b, lb, COLOURS[1])):
        values, _ = scalar_values(result, name)
        xs = np.sort(values[np.isfinite(values)])
        shares.append(xs.size / max(values.size, 1))
        if not xs.size:  # nothing to draw, but the legend says so
            ax.plot([], [], color=colour, label=f"{label}; {_undefined_text(info, 1.0)}")
        else:
            gone = 1 - xs.size / values.size
            extra = f"; {_undefined_text(info, gone)}" if gone else ""
            ax.step(
                xs,
                np.arange(1, xs.size + 1) / values.size,
                where="post",
                color=colour,
                marker="o" if xs.size < 5 else None,  # a run or two: points, not a flat line
                label=f"{label}{extra}",
            )
    ax.set_xlabel(info.axis_label())
    number_axis(ax, info, axis="x")
    ax.set_ylabel("share of all runs at most x")
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
    top = max((s for s in shares), default=1.0)
    ax.set_ylim(0, min(1.02, 1.15 * top + 0.05))
    title(ax, info, a, b)
    if ax.get_lines():
        ax.legend(loc="best", fontsize="small")
    return ax
