"""Fan charts of monthly series: any series, the deployment, money per account, security."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mss_sim.catalog import OutputKind
from mss_sim.plotting._style import (
    COLOURS,
    axes,
    date_axis,
    dates,
    label_of,
    number_axis,
    series_values,
    subtitle,
    title,
)
from mss_sim.plotting.record import draw_record

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from mss_sim.batch.results import BatchResult
    from mss_sim.model.outputs import Replication

__all__ = ["plot_deployment", "plot_fan", "plot_money", "plot_security"]


def _fan(
    ax: Axes,
    result: BatchResult,
    name: str,
    *,
    color: str,
    label: str,
    bands: tuple[float, ...],
) -> np.ndarray:
    values, info = series_values(result, name)
    x = dates(result)
    if not values.shape[0]:
        return values
    if info.kind is OutputKind.PROBABILITY:  # a 0/1 series: the share of runs
        ax.plot(x, values.mean(axis=0), color=color, linewidth=2, label=f"{label}: share of runs")
        return values
    for i, band in enumerate(sorted(bands, reverse=True)):
        lo, hi = np.percentile(values, [50 * (1 - band), 50 * (1 + band)], axis=0)
        ax.fill_between(x, lo, hi, color=color, alpha=0.12 + 0.13 * i, linewidth=0)
    ax.plot(x, np.median(values, axis=0), color=color, linewidth=2, label=f"{label} median")
    return values


def _finish(ax: Axes, result: BatchResult, name: str, bands: tuple[float, ...]) -> None:
    _, info = series_values(result, name)
    ax.set_ylabel(info.axis_label())
    number_axis(ax, info)
    date_axis(ax)
    shaded = " and ".join(f"{b:.0%}" for b in sorted(bands, reverse=True))
    note = f"median, central {shaded} of runs shaded" if bands else "median"
    if info.kind is OutputKind.PROBABILITY:
        note = "share of runs"
    title(ax, info, result, note=note)
    if ax.dataLim.y0 >= 0:  # nothing negative drawn: the axis starts at zero
        ax.set_ylim(bottom=0)
    ax.legend(loc="best", fontsize="small")


def plot_fan(
    result: BatchResult,
    name: str,
    *,
    ax: Axes | None = None,
    color: str = COLOURS[0],
    label: str | None = None,
    bands: tuple[float, ...] = (0.9, 0.5),
    record: bool = True,
) -> Axes:
    """Fan chart of a monthly series on calendar dates: the median and central bands.

    Units and labels come from the output registry; money is in US$ millions; a
    0/1 series (``mandate_active``) is drawn as the share of runs. Where the record
    (:func:`mss_sim.analysis.load_record`) has values of the series within the
    horizon, they are drawn as points.

    Parameters
    ----------
    result : BatchResult
    name : str
        A series, e.g. ``"deployed"`` or ``"balance.trust_fund"``.
    ax : matplotlib Axes, optional
    color : str
    label : str, optional
        Legend label (default: the scenario's name and seed).
    bands : tuple of float
        Central shares of runs to shade (default 90% and 50%).
    record : bool
        Draw the recorded values.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import mss_sim
    >>> from mss_sim import plotting
    >>> res = mss_sim.run_batch(mss_sim.load_scenario("gsf_2025"), 20, seed=1)
    >>> ax = plotting.plot_fan(res, "cash_balance")
    >>> ax.get_ylabel()
    'Cash held, all accounts (US$ million)'
    """
    ax = axes(ax)
    _fan(ax, result, name, color=color, label=label_of(result, label), bands=bands)
    if record:
        draw_record(ax, result, name)
    _finish(ax, result, name, bands)
    return ax


def _vote_dates(result: BatchResult) -> list[tuple[Any, str]]:
    if "scenario_spec" not in result.meta or not len(result.months):
        return []  # a result that keeps no scenario: no vote dates to draw
    first, end = result.months[0], result.months[-1] + 1
    drafts = result.scenario().council.drafts
    return [(d.date, d.id) for d in drafts if first <= np.datetime64(d.date, "M") < end]


def plot_deployment(
    result: BatchResult,
    *,
    ax: Axes | None = None,
    typical: Replication | None = None,
    color: str = COLOURS[0],
    label: str | None = None,
) -> Axes:
    """The deployment fan with the median ceiling in force and the scheduled votes.

    Adds the recorded strengths within the horizon, and, given the `typical`
    replication (re-run with its event log, :func:`mss_sim.batch.replay_result`),
    its strength and its lapses and lead-nation handovers.

    Parameters
    ----------
    result : BatchResult
    ax : matplotlib Axes, optional
    typical : Replication, optional
        A replication with events to draw over the fan.
    color, label : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = axes(ax)
    _fan(ax, result, "deployed", color=color, label=label_of(result, label), bands=(0.9, 0.5))
    x = dates(result)
    ceiling, _ = series_values(result, "ceiling")
    if ceiling.shape[0]:
        ax.step(
            x,
            np.median(ceiling, axis=0),
            where="pre",
            color="0.3",
            linestyle="--",
            linewidth=1.2,
            label="ceiling in force (median)",
        )
    for i, (day, draft) in enumerate(_vote_dates(result)):
        ax.axvline(
            day,
            color="0.55",
            linestyle=":",
            linewidth=1,
            label="scheduled Council vote" if i == 0 else None,
        )
        ax.annotate(
            draft,
            (day, 0.985),
            xycoords=("data", "axes fraction"),
            xytext=(-2, 0),
            textcoords="offset points",
            rotation=90,
            fontsize="x-small",
            va="top",
            ha="right",
            color="0.3",
        )
    if typical is not None:
        ax.plot(x, typical.series["deployed"], color="black", linewidth=1, label="typical run")
        lapses = np.array([e.date for e in typical.events_of("lapsed")], dtype="datetime64[D]")
        handovers = np.array([e.date for e in typical.events_of("handover")], dtype="datetime64[D]")
        for days, marker, what in ((lapses, "X", "lapse"), (handovers, "D", "lead handover")):
            if days.size:
                ax.plot(
                    days,
                    [0] * len(days),
                    marker=marker,
                    linestyle="none",
                    color="black",
                    markersize=8,
                    clip_on=False,
                    label=f"{what} (typical run)",
                )
    draw_record(ax, result, "deployed")
    _finish(ax, result, "deployed", (0.9, 0.5))
    _, top = ax.get_ylim()
    ax.set_ylim(0, top * 1.12)  # room above the ceiling for the votes' labels
    return ax


def plot_money(result: BatchResult, *, ax: Axes | None = None) -> Axes:
    """Money held per account (trust fund, assessed, in kind) and unpaid obligations.

    Medians with central 50% bands, in US$ millions: an account's money pays only
    its own bills, so a full assessed account can sit beside an empty trust fund
    and unpaid bills. An account that never holds money is left out.

    Parameters
    ----------
    result : BatchResult
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = axes(ax)
    accounts = [n for n in result.series if n.startswith("balance.")]
    used = [n for n in accounts if np.any(np.asarray(result.series[n]) != 0)]  # skip unused
    names = [*used, "unpaid_obligations"]
    for i, name in enumerate(names):
        values, info = series_values(result, name)
        if not values.shape[0]:
            continue
        colour = "black" if name == "unpaid_obligations" else COLOURS[i % len(COLOURS)]
        lo, mid, hi = np.percentile(values, [25, 50, 75], axis=0)
        x = dates(result)
        ax.fill_between(x, lo, hi, color=colour, alpha=0.15, linewidth=0)
        style = "--" if name == "unpaid_obligations" else "-"
        ax.plot(x, mid, color=colour, linestyle=style, linewidth=2, label=info.label)
    _, info = series_values(result, "cash_balance")
    ax.set_ylabel("US$ million")
    number_axis(ax, info)
    date_axis(ax)
    ax.set_ylim(bottom=0)
    ax.set_title(
        f"Money held per account and unpaid bills (median, central 50% shaded)\n{subtitle(result)}",
        fontsize="medium",
    )
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_security(result: BatchResult, *, fig: Figure | None = None) -> Figure:
    """Gang control and monthly killings (fans with the record), side by side.

    Parameters
    ----------
    result : BatchResult
        A result of a scenario with a ``[security]`` table.
    fig : matplotlib Figure, optional
        The figure to draw on (two axes are added); a new one when None.

    Raises
    ------
    KeyError
        If the result has no security series (a scenario without ``[security]``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if "gang_control" not in result.series:
        raise KeyError(
            "no security series in this result (its scenario has no [security] table); "
            f"available: {list(result.series)}"
        )
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(12, 4.5), layout="constrained")
    left, right = fig.subplots(1, 2)
    plot_fan(result, "gang_control", ax=left)
    plot_fan(result, "killings", ax=right, color=COLOURS[1])
    return fig
