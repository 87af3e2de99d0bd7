"""A self-contained HTML report of a batch (or two, compared).

One file: the scenario and its uncertain values, key probabilities with intervals,
the headline outcomes, the figures inline as SVG, the narrated timeline of a
typical replication (re-run with its event log), what the model leaves out, and
what is needed to reproduce the batch. It loads nothing from the network.

Needs Jinja2 (``pip install 'mss-sim[report]'``).

Examples
--------
>>> import mss_sim
>>> from mss_sim.report import write_report
>>> res = mss_sim.run_batch(mss_sim.load_scenario("gsf_2025"), 200, seed=1)  # doctest: +SKIP
>>> write_report(res, "gsf_2025.html")  # doctest: +SKIP
PosixPath('gsf_2025.html')
"""

from __future__ import annotations

import errno
import os
from importlib import resources
from pathlib import Path
from typing import Any

from mss_sim.analysis.compare import caveats
from mss_sim.batch import BatchResult
from mss_sim.plotting import (
    plot_compare,
    plot_deployment,
    plot_distribution,
    plot_money,
    plot_probabilities,
    plot_security,
    plot_timeline,
)
from mss_sim.plotting._style import result_labels
from mss_sim.plotting.dashboard import key_probabilities
from mss_sim.plotting.record import record_points
from mss_sim.report import content
from mss_sim.report.figures import new_figure, svg

__all__ = ["check_target", "render_report", "write_report"]


def _deployment_caption(result: BatchResult, typical: content.Typical | None) -> str:
    """What the deployment figure shows, and only that."""
    parts = [
        "Median strength with the central 50% and 90% of runs shaded, the median "
        "ceiling in force and the scheduled Council votes"
    ]
    if record_points(result, "deployed"):
        parts.append("the recorded strengths (points, with their ranges)")
    text = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    if typical is not None:
        marks = [
            what
            for kind, what in (("lapsed", "lapses"), ("handover", "lead handovers"))
            if typical.rep.events_of(kind)
        ]
        text += "; in black, the typical run" + (f" and its {' and '.join(marks)}" if marks else "")
    return text + "."


def _figures(batches: list[content.Batch], typical: content.Typical | None) -> list[dict[str, str]]:
    a = batches[0].result
    b = batches[1].result if len(batches) > 1 else None
    out: list[dict[str, str]] = []

    def add(fig: Any, key: str, title: str, caption: str) -> None:
        out.append({"id": key, "title": title, "caption": caption, "svg": svg(fig, key)})

    fig = new_figure()
    if b is None:
        plot_deployment(a, ax=fig.add_subplot(), typical=typical.rep if typical else None)
        caption = _deployment_caption(a, typical)
    else:
        plot_compare(a, b, "deployed", ax=fig.add_subplot())
        caption = "Median strength of each result with the central 50% of runs shaded."
    add(fig, "fig-deployment", "Deployment", caption)
    fig = new_figure()
    if b is None:
        plot_money(a, ax=fig.add_subplot())
        caption = (
            "Money held by each account and the bills left unpaid (medians, central 50% "
            "shaded). An account pays only its own bills."
        )
    else:
        plot_compare(a, b, "unpaid_obligations", ax=fig.add_subplot())
        caption = "Bills left unpaid at each month's end."
    add(fig, "fig-money", "Money", caption)
    fig = new_figure()
    if b is None:
        plot_distribution(a, "months_to_target", ax=fig.add_subplot())
        caption = (
            "Runs by the months they took to reach the target strength; the curve is the "
            "share of all runs that had reached it, and stops at the share that ever did."
        )
    else:
        plot_compare(a, b, "months_to_target", ax=fig.add_subplot())
        caption = (
            "The share of all runs that had reached the target strength after x months; "
            "each curve stops at the share of runs that ever did."
        )
    add(fig, "fig-target", "Time to the target strength", caption)
    fig = new_figure()
    plot_probabilities(a, key_probabilities(a, b), ax=fig.add_subplot(), compare=b)
    add(fig, "fig-probabilities", "Key probabilities", "Bars: 95% Wilson intervals.")
    if "gang_control" in a.series and (b is None or "gang_control" in b.series):
        fig = new_figure((12, 4.8))
        if b is None:
            plot_security(a, fig=fig)
        else:
            left, right = fig.subplots(1, 2)
            plot_compare(a, b, "gang_control", ax=left)
            plot_compare(a, b, "killings", ax=right)
        add(
            fig,
            "fig-security",
            "Security",
            "Share of Port-au-Prince under gang control and people killed per month"
            + (
                ", with recorded values where the horizon covers them."
                if b is None
                else " (medians, central 50% of runs shaded)."
            ),
        )
    if typical is not None:
        fig = new_figure((10, 4.5))
        title = f"{batches[0].label}, replication {typical.index}: the typical run"
        plot_timeline(typical.rep, ax=fig.add_subplot(), title=title)
        add(
            fig,
            "fig-timeline",
            "The typical run",
            "Strength and ceiling of the typical run with its events marked.",
        )
    return out


def render_report(result: BatchResult, *, compare: BatchResult | None = None) -> str:
    """Return the report of `result` (compared with `compare`) as one HTML page.

    Raises
    ------
    ImportError
        If Jinja2 is not installed.
    """
    try:
        import jinja2
    except ImportError:
        raise ImportError(
            "the report needs Jinja2; install it with pip install 'mss-sim[report]'"
        ) from None
    results = [result] if compare is None else [result, compare]
    labels = result_labels(*results)
    batches = [content.batch_info(r, lab) for r, lab in zip(results, labels, strict=True)]
    typical = content.typical(batches[0])
    how, differences = content.comparison_rows(result, compare) if compare else ("", [])
    text = resources.files("mss_sim").joinpath("report/template.html").read_text("utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(text)
    return template.render(
        batches=batches,
        scenario=batches[0].scenario,
        probabilities=content.probability_rows(results),
        outcomes=content.outcome_rows(results),
        comparison_method=how,
        differences=differences,
        caveats=caveats(result, compare) if compare else [],
        figures=_figures(batches, typical),
        typical=typical,
        parameters=[(b, content.parameters(b.scenario)) for b in batches],
        limitations=content.limitations(security="gang_control" in result.series),
        generated=content.generated(),
    )


def check_target(target: Path) -> None:
    """Raise an OSError naming `target` (or its parent) if a file cannot be written there."""
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory, not a file", str(target))
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "is a file, not a directory", str(parent))
            break


def write_report(
    result: BatchResult,
    path: str | os.PathLike[str],
    *,
    compare: BatchResult | None = None,
) -> Path:
    """Write the report of `result` (compared with `compare`) to `path`; return the path.

    See :func:`render_report`. The file is written whole or not at all.

    Raises
    ------
    IsADirectoryError
        If `path` is a directory.
    NotADirectoryError
        If a folder on the way to `path` is a file.
    """
    target = Path(path)
    check_target(target)
    page = render_report(result, compare=compare)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target
