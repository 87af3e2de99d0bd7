"""The public record drawn over a series: recorded values as points, ranges as bars."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from mss_sim.analysis.backtest import Milestone, load_record
from mss_sim.plotting._style import series_values

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from mss_sim.batch.results import BatchResult

__all__ = ["draw_record", "record_points"]


def _month_end(month: str) -> dt.date:
    end = np.datetime64(month, "M") + 1
    return (end.astype("datetime64[D]") - np.timedelta64(1, "D")).astype(dt.date)  # type: ignore[no-any-return]


def record_points(
    result: BatchResult, name: str
) -> list[tuple[dt.date, float, float, float, Milestone]]:
    """The record's values of series `name` within the result's months.

    Each as ``(date, value, low, high, milestone)`` in the series' stored units
    (a single value has ``low == high == value``); flows summed over several months
    and bounds are left out.
    """
    if not len(result.months):
        return []
    first, last = result.months[0], result.months[-1]
    out = []
    for m in load_record():
        if m.quantity != name or m.month is None:
            continue
        if not first <= np.datetime64(m.month, "M") <= last:
            continue
        if m.value is not None:
            out.append((_month_end(m.month), m.value, m.value, m.value, m))
        elif m.low is not None and m.high is not None:
            mid = (m.low + m.high) / 2
            out.append((_month_end(m.month), mid, m.low, m.high, m))
    return out


def draw_record(ax: Axes, result: BatchResult, name: str) -> int:
    """Draw the record's values of `name` on `ax`; return how many were drawn."""
    points = record_points(result, name)
    if not points:
        return 0
    _, info = series_values(result, name)
    days = np.array([p[0] for p in points], dtype="datetime64[D]")
    mid = np.array([p[1] for p in points]) / info.scale
    low = np.array([p[2] for p in points]) / info.scale
    high = np.array([p[3] for p in points]) / info.scale
    ax.errorbar(
        days,
        mid,
        yerr=[mid - low, high - mid],
        fmt="o",
        color="black",
        markerfacecolor="white",
        markersize=6,
        capsize=3,
        zorder=5,
        label="recorded",
    )
    return len(points)
