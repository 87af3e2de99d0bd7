"""Bars of sensitivity indices (:mod:`mss_sim.analysis.sensitivity`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mss_sim.catalog import describe, is_described
from mss_sim.plotting._style import axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from mss_sim.analysis.sensitivity import Sensitivity

__all__ = ["plot_sensitivity"]


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
    ax = axes(ax)
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
    what = "share of the output's variance" if sensitivity.method == "sobol" else "index"
    ax.set_xlabel(f"{what} (bars: 95% intervals)")
    label = (
        describe(sensitivity.output).label
        if is_described(sensitivity.output)
        else (sensitivity.output)
    )
    method = "Sobol'" if sensitivity.method == "sobol" else "delta"
    ax.set_title(
        f"What drives {label}: {method} indices\n{sensitivity.runs:,} runs", fontsize="medium"
    )
    ax.legend(loc="lower right")
    return ax
