"""Plots of batch results (matplotlib is imported here and nowhere else).

Every function takes ``ax=None`` (a new figure is made when it is None) and
returns the :class:`matplotlib.axes.Axes` it drew on.

Examples
--------
>>> import mss_sim
>>> from mss_sim import plotting
>>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")  # doctest: +SKIP
>>> res = mss_sim.run_batch(sc, 100, seed=1)  # doctest: +SKIP
>>> ax = plotting.plot_fan(res, "deployed")  # doctest: +SKIP
>>> ax.figure.savefig("deployed.png")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from mss_sim.analysis.sensitivity import Sensitivity
    from mss_sim.batch.results import BatchResult

__all__ = ["plot_compare", "plot_distribution", "plot_fan", "plot_sensitivity"]

_MONEY = {"cash_balance", "received_cum", "spent_cum", "unpaid_obligations"}


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=(8, 4.5), layout="constrained")
    return new


def _scalar(result: BatchResult, name: str) -> np.ndarray:
    if name not in result.scalars:
        raise KeyError(f"no scalar outcome named {name!r}; available: {list(result.scalars)}")
    values = np.asarray(result.scalars[name], dtype=float)
    finite: np.ndarray = values[np.isfinite(values)]
    return finite


def _series(result: BatchResult, name: str) -> tuple[np.ndarray, float, str]:
    if name not in result.series:
        raise KeyError(f"no series named {name!r}; available: {list(result.series)}")
    values = np.asarray(result.series[name], dtype=float)
    values = values[np.all(np.isfinite(values), axis=1)]
    if name in _MONEY:
        return values / 1e6, 1e6, f"{name} (US$ millions)"
    return values, 1.0, name


def _dates(result: BatchResult) -> Any:
    # Series entries are end-of-month states: plot them at the first of the next month.
    return (result.months + 1).astype("datetime64[D]").astype(object)


def _label(result: BatchResult, label: str | None) -> str:
    return label if label is not None else str(result.meta.get("scenario", ""))


def plot_distribution(
    result: BatchResult,
    name: str,
    *,
    ax: Axes | None = None,
    bins: int | str = "auto",
    color: str | None = None,
    label: str | None = None,
) -> Axes:
    """Histogram of a scalar outcome with its empirical CDF on a second axis.

    NaN values (for example ``months_to_half_ceiling`` when the force never got
    there) are left out; the title says how many replications are shown.

    Parameters
    ----------
    result : BatchResult
    name : str
        A scalar outcome, e.g. ``"peak_deployed"``.
    ax : matplotlib Axes, optional
    bins : int or str
        Passed to :func:`numpy.histogram_bin_edges`.
    color, label : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        The histogram's axes; the ECDF is drawn on a twin axis sharing its x-axis.
    """
    ax = _axes(ax)
    values = _scalar(result, name)
    total = len(result.scalars[name])
    if values.size:
        edges = np.histogram_bin_edges(values, bins=bins)
        if edges[0] == edges[-1]:
            edges = np.array([edges[0] - 0.5, edges[0] + 0.5])
        ax.hist(
            values,
            bins=list(edges),
            density=True,
            alpha=0.55,
            color=color,
            label=_label(result, label),
        )
        twin = ax.twinx()
        xs = np.sort(values)
        twin.step(
            xs,
            np.arange(1, xs.size + 1) / xs.size,
            where="post",
            color=color or "black",
            linewidth=1.2,
        )
        twin.set_ylim(0, 1.02)
        twin.set_ylabel("cumulative share")
    ax.set_xlabel(name)
    ax.set_ylabel("density")
    ax.set_title(f"{name}: {values.size} of {total} replications")
    return ax


def plot_fan(
    result: BatchResult,
    name: str,
    *,
    ax: Axes | None = None,
    color: str = "C0",
    label: str | None = None,
    bands: tuple[float, ...] = (0.9, 0.5),
) -> Axes:
    """Fan chart of a monthly series on calendar dates: median and central bands.

    Parameters
    ----------
    result : BatchResult
    name : str
        A series, e.g. ``"deployed"``; money series are shown in US$ millions.
    ax : matplotlib Axes, optional
    color : str
    label : str, optional
        Legend label of the median (default: the scenario's name).
    bands : tuple of float
        Central probability bands to shade (default 90% and 50%).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    values, _, ylabel = _series(result, name)
    dates = _dates(result)
    for i, band in enumerate(sorted(bands, reverse=True)):
        lo, hi = np.percentile(values, [50 * (1 - band), 50 * (1 + band)], axis=0)
        ax.fill_between(
            dates, lo, hi, color=color, alpha=0.15 + 0.15 * i, linewidth=0, label=f"{band:.0%} band"
        )
    ax.plot(
        dates,
        np.median(values, axis=0),
        color=color,
        linewidth=2,
        label=f"{_label(result, label)} median",
    )
    ax.set_ylabel(ylabel)
    ax.set_title(f"{name}: {values.shape[0]} replications")
    ax.legend(loc="best", fontsize="small")
    ax.figure.autofmt_xdate()
    return ax


def plot_compare(
    a: BatchResult,
    b: BatchResult,
    name: str,
    *,
    ax: Axes | None = None,
    labels: tuple[str, str] | None = None,
) -> Axes:
    """Overlay two results: fan charts for a series, empirical CDFs for a scalar.

    Parameters
    ----------
    a, b : BatchResult
        The two results (e.g. a baseline and a variant run with the same seed).
    name : str
        A series or scalar outcome present in both.
    ax : matplotlib Axes, optional
    labels : (str, str), optional
        Legend labels (default: the scenarios' names).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    la, lb = labels if labels is not None else (_label(a, None), _label(b, None))
    if name in a.series and name in b.series:
        plot_fan(a, name, ax=ax, color="C0", label=la, bands=(0.5,))
        plot_fan(b, name, ax=ax, color="C3", label=lb, bands=(0.5,))
        ax.set_title(f"{name}: {la} vs {lb} (median and 50% band)")
        return ax
    for result, label, color in ((a, la, "C0"), (b, lb, "C3")):
        values = np.sort(_scalar(result, name))
        if values.size:
            ax.step(
                values,
                np.arange(1, values.size + 1) / len(result.scalars[name]),
                where="post",
                color=color,
                label=f"{label} (n={values.size})",
            )
    ax.set_xlabel(name)
    ax.set_ylabel("share of replications <= x")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"{name}: {la} vs {lb}")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_sensitivity(sensitivity: Sensitivity, *, ax: Axes | None = None, top: int = 15) -> Axes:
    """Horizontal bars of the `top` parameters' indices, most influential at the top.

    Sobol' results show the first-order and total indices side by side; delta results
    the delta and the first-order index. Error bars are the 95% intervals.

    Parameters
    ----------
    sensitivity : Sensitivity
        From :func:`mss_sim.analysis.sensitivity.sobol_indices` or ``delta_indices``.
    ax : matplotlib Axes, optional
    top : int
        How many parameters to show.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    rows = sensitivity.rows[:top][::-1]
    y = np.arange(len(rows))
    total = "total" if sensitivity.method == "sobol" else "delta"
    ax.barh(
        y + 0.2,
        [r.total for r in rows],
        height=0.4,
        xerr=[r.total_conf for r in rows],
        label=total,
    )
    ax.barh(
        y - 0.2,
        [r.first for r in rows],
        height=0.4,
        xerr=[r.first_conf for r in rows],
        label="first order",
    )
    ax.set_yticks(y, [r.name for r in rows], fontsize=8)
    ax.set_xlabel("index")
    ax.set_title(f"{sensitivity.output}: {sensitivity.method} indices, {sensitivity.runs:,} runs")
    ax.legend(loc="lower right")
    return ax
