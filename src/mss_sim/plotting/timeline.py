"""One replication on a timeline: strength and ceiling, with its events marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mss_sim.catalog import describe
from mss_sim.plotting._style import axes, date_axis, number_axis

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from mss_sim.model.outputs import Replication

__all__ = ["plot_timeline"]

_MARKS = (  # event kind, marker, colour, legend label
    ("adopted", "^", "#2ca02c", "draft adopted"),
    ("vetoed", "v", "#d62728", "draft vetoed"),
    ("failed", "v", "#ff7f0e", "draft failed"),
    ("withdrawn", "x", "#ff7f0e", "draft withdrawn"),
    ("lapsed", "X", "black", "mandate lapsed"),
    ("withdrawn_personnel", "<", "#7f7f7f", "personnel withdrawn"),
    ("handover", "D", "#9467bd", "lead handover"),
    ("shortfall", "|", "#d62728", "bills unpaid"),
    ("offensive", "*", "#8c564b", "gang offensive"),
)


def plot_timeline(rep: Replication, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Strength and ceiling of one replication, its Council decisions, lapses, handovers,
    unpaid bills and gang offensives marked along the bottom.

    Parameters
    ----------
    rep : Replication
        With its event log (``simulate(..., record_events=True)``, the default).
    ax : matplotlib Axes, optional
    title : str, optional
        Default: the scenario's name.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import mss_sim
    >>> from mss_sim.plotting import plot_timeline
    >>> ax = plot_timeline(mss_sim.simulate(mss_sim.load_scenario("gsf_2025"), seed=1))
    >>> ax.get_ylabel()
    'Deployed strength (personnel)'
    """
    ax = axes(ax, size=(10, 4.5))
    ends = ((rep.months + 1).astype("datetime64[D]") - np.timedelta64(1, "D")).astype(object)
    ax.plot(ends, rep.series["deployed"], color="#1f77b4", linewidth=2, label="deployed")
    ax.step(
        ends,
        rep.series["ceiling"],
        where="pre",
        color="0.3",
        linestyle="--",
        linewidth=1.2,
        label="ceiling in force",
    )
    top = max(float(np.max(rep.series["ceiling"])), float(np.max(rep.series["deployed"])), 1.0)
    for i, (kind, marker, colour, label) in enumerate(_MARKS):
        if kind == "withdrawn_personnel":  # leaving for good, not rotating
            events = [
                e for e in rep.events_of("repatriated") if e.details.get("reason") != "rotation"
            ]
        else:
            events = rep.events_of(kind)
        days = np.array([e.date for e in events], dtype="datetime64[D]")
        if days.size:
            y = -0.05 * top * (1 + i % 3)
            ax.plot(
                days,
                [y] * len(days),
                marker=marker,
                linestyle="none",
                color=colour,
                markersize=8,
                label=label,
            )
    info = describe("deployed", series=True)
    ax.set_ylabel(info.axis_label())
    number_axis(ax, info)
    ax.axhline(0, color="0.75", linewidth=0.8)
    date_axis(ax)
    ax.set_ylim(-0.2 * top, 1.08 * top)
    ax.set_yticks([t for t in ax.get_yticks() if 0 <= t <= 1.08 * top])  # none by the events
    ax.set_title(title or f"One run of {rep.scenario}", fontsize="medium")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="x-small")
    return ax
