"""Shared pieces of the figures: labels and units from the output registry, date axes,
titles with the scenario and runs, and a colour per result."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mss_sim.catalog import OutputInfo, OutputKind, describe
from mss_sim.summary import failed_rows

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from mss_sim.batch.results import BatchResult

__all__ = [
    "COLOURS",
    "axes",
    "date_axis",
    "dates",
    "label_of",
    "number_axis",
    "plain_number",
    "result_labels",
    "scalar_values",
    "series_values",
    "subtitle",
    "title",
]

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
"""One colour per result in a comparison (blue, red, green, purple, orange, brown)."""


def axes(ax: Axes | None, size: tuple[float, float] = (8, 4.5)) -> Axes:
    """`ax`, or the axes of a new pyplot figure."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def scalar_values(result: BatchResult, name: str) -> tuple[np.ndarray, OutputInfo]:
    """A scalar outcome's values in display units (NaN where undefined; failed
    replications left out), and its metadata."""
    if name not in result.scalars:
        raise KeyError(f"no scalar outcome named {name!r}; available: {list(result.scalars)}")
    info = _info(name, series=False)
    values = np.asarray(result.scalars[name], dtype=float) / info.scale
    failed = failed_rows(result)
    return (values[~failed] if failed.any() else values), info


def series_values(result: BatchResult, name: str) -> tuple[np.ndarray, OutputInfo]:
    """A series' complete rows (failed replications left out), in display units."""
    if name not in result.series:
        raise KeyError(f"no series named {name!r}; available: {list(result.series)}")
    info = _info(name, series=True)
    values = np.asarray(result.series[name], dtype=float)
    return values[np.all(np.isfinite(values), axis=1)] / info.scale, info


def _info(name: str, *, series: bool) -> OutputInfo:
    try:
        return describe(name, series=series)
    except KeyError:  # a hand-made result: the name is all there is
        return OutputInfo(name, OutputKind.QUANTITY, "", name, name)


def dates(result: BatchResult) -> Any:
    """The series' dates: each entry is the state at its month's end."""
    ends = (result.months + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    return ends.astype(object)


def date_axis(ax: Axes) -> None:
    """Concise calendar dates on the x-axis, the first tick with its year ("Oct 2025")."""
    import matplotlib.dates as mdates

    class Dates(mdates.ConciseDateFormatter):
        def format_ticks(self, values: Any) -> list[str]:
            labels: list[str] = super().format_ticks(values)  # type: ignore[no-untyped-call]
            offset = self.get_offset()  # type: ignore[no-untyped-call]
            if labels and not offset and labels[0][:1].isalpha():  # a month's name alone
                year = mdates.num2date(values[0]).year  # type: ignore[no-untyped-call]
                labels[0] = f"{labels[0]} {year}"
            return labels

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(Dates(locator))  # type: ignore[no-untyped-call]


def plain_number(x: float) -> str:
    """A tick's number: thousands separators, the decimals it has, never an exponent.

    Examples
    --------
    >>> plain_number(17.5), plain_number(18.0), plain_number(2_500_000.0), plain_number(0.25)
    ('17.5', '18', '2,500,000', '0.25')
    """
    whole = round(x)
    if abs(x - whole) <= 1e-9 * max(1.0, abs(x)):
        return f"{whole:,d}"
    return f"{x:,.{max(0, 9 - len(str(abs(whole))))}f}".rstrip("0").rstrip(".")


def number_axis(ax: Axes, info: OutputInfo, axis: str = "y") -> None:
    """Plain numbers with thousands separators (no offset, no 1e9), shares as percentages."""
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    if info.kind in (OutputKind.SHARE, OutputKind.PROBABILITY):
        target.set_major_formatter(PercentFormatter(1.0, decimals=None))
        return
    target.set_major_formatter(FuncFormatter(lambda x, _: plain_number(x)))


def label_of(result: BatchResult, label: str | None = None) -> str:
    """A result's legend label: the policy or scenario, with the seed."""
    if label is not None:
        return label
    meta = result.meta
    name = str(meta.get("policy") or meta.get("scenario") or "result")
    return f"{name} (seed {meta['seed']})" if meta.get("seed") is not None else name


def result_labels(*results: BatchResult) -> tuple[str, ...]:
    """The results' labels, made distinct: by their directories (a policy's by its
    experiment's) when the scenario, policy and seed are the same, numbered in the
    order given when those are too."""
    labels = [label_of(r) for r in results]
    if len(set(labels)) == len(labels):
        return tuple(labels)
    places = [_place(r) for r in results]
    if all(places) and len(set(places)) == len(places):
        return tuple(f"{lab}, {place}" for lab, place in zip(labels, places, strict=True))
    return tuple(f"{lab} [{i + 1}]" for i, lab in enumerate(labels))


def _place(result: BatchResult) -> str:
    """The result's directory by name (its experiment's, for a policy's), or ""."""
    if not result.meta.get("store"):
        return ""
    path = Path(str(result.meta["store"]))
    if result.meta.get("policy") and path.parent.name == "policies":
        return path.parent.parent.name
    return path.name


def subtitle(*results: BatchResult) -> str:
    """Each result's label (scenario or policy, and seed) and runs, for a title."""
    labels = result_labels(*results)
    return " vs ".join(f"{lab}, {r.runs:,} runs" for lab, r in zip(labels, results, strict=True))


def title(ax: Axes, info: OutputInfo, *results: BatchResult, note: str = "") -> None:
    """Set the title: the output in words, then scenario and runs (and a note)."""
    extra = f" ({note})" if note else ""
    ax.set_title(f"{info.label}{extra}\n{subtitle(*results)}", fontsize="medium")
