"""The commands that show results: plot, trace, report and schema."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mss_sim.batch import BatchResult, replay, replay_result, typical_replication
from mss_sim.cli.common import fail, load_with_values
from mss_sim.errors import MssSimError
from mss_sim.model.narrate import CATEGORIES, timeline
from mss_sim.model.outputs import Replication

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["cmd_plot", "cmd_report", "cmd_schema", "cmd_trace", "typical_of", "write_plots"]

DISTRIBUTIONS = ("months_to_target", "peak_deployed", "total_received_usd")
"""The scalar outcomes ``mss-sim plot`` draws the distribution of."""


def typical_of(result: BatchResult) -> Replication | None:
    """The typical replication of `result`, re-run with its events.

    Parameters
    ----------
    result : BatchResult

    Returns
    -------
    Replication or None
        None, with a logged reason, when the result keeps no scenario or the
        replication cannot be re-run; the figures are then drawn without it.
    """
    if "scenario_spec" not in result.meta or "peak_deployed" not in result.scalars:
        return None
    try:
        return replay_result(result, typical_replication(result))
    except (ValueError, MssSimError) as exc:  # every run failed, or the spec is unusable
        logging.getLogger("mss_sim").warning("no typical run drawn: %s", exc)
        return None


def _figure(size: tuple[float, float] = (9, 5)) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=size, layout="constrained")


def write_plots(
    result: BatchResult,
    folder: Path,
    *,
    compare: BatchResult | None = None,
    typical: Replication | None = None,
    fmt: str = "png",
) -> list[Path]:
    """Write the standard figures of `result` (each overlaid with `compare`, if given).

    Deployment, money, security (when the model has it), the distributions of
    :data:`DISTRIBUTIONS`, the key probabilities and a one-page dashboard.

    Parameters
    ----------
    result : BatchResult
    folder : pathlib.Path
        Where to write them (created if missing).
    compare : BatchResult, optional
        A second result drawn on every figure.
    typical : Replication, optional
        A replication with events for the deployment figure and the dashboard.
    fmt : str
        ``"png"``, ``"svg"`` or ``"pdf"``.

    Returns
    -------
    list of pathlib.Path
        The files written, in order.
    """
    from mss_sim import plotting

    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(fig: Figure, name: str) -> None:
        path = folder / f"{name}.{fmt}"
        fig.savefig(path, dpi=110)
        written.append(path)

    security = "gang_control" in result.series and (
        compare is None or "gang_control" in compare.series
    )
    fig = _figure()
    if compare is None:
        plotting.plot_deployment(result, ax=fig.add_subplot(), typical=typical)
    else:
        plotting.plot_compare(result, compare, "deployed", ax=fig.add_subplot())
    save(fig, "deployment")
    fig = _figure()
    if compare is None:
        plotting.plot_money(result, ax=fig.add_subplot())
    else:
        plotting.plot_compare(result, compare, "unpaid_obligations", ax=fig.add_subplot())
    save(fig, "money")
    if security:
        fig = _figure((13, 5))
        if compare is None:
            plotting.plot_security(result, fig=fig)
        else:
            left, right = fig.subplots(1, 2)
            plotting.plot_compare(result, compare, "gang_control", ax=left)
            plotting.plot_compare(result, compare, "killings", ax=right)
        save(fig, "security")
    for name in DISTRIBUTIONS:
        if name not in result.scalars or (compare is not None and name not in compare.scalars):
            continue
        fig = _figure()
        if compare is None:
            plotting.plot_distribution(result, name, ax=fig.add_subplot())
        else:
            plotting.plot_compare(result, compare, name, ax=fig.add_subplot())
        save(fig, f"dist_{name}")
    fig = _figure()
    names = plotting.dashboard.key_probabilities(result, compare)
    plotting.plot_probabilities(result, names, ax=fig.add_subplot(), compare=compare)
    save(fig, "probabilities")
    fig = _figure((16, 13))
    plotting.plot_dashboard(result, compare=compare, typical=typical, fig=fig)
    save(fig, "dashboard")
    return written


def cmd_plot(args: argparse.Namespace) -> int:
    """``mss-sim plot RESULTS [--compare DIR] [--out DIR] [--format FMT]``; return the exit code.

    Prints the path of each figure written.
    """
    result = BatchResult.load(args.results)
    compare = BatchResult.load(args.compare) if args.compare else None
    default = "plots" if compare is None else f"plots_vs_{Path(args.compare).name}"
    out = Path(args.out) if args.out else Path(args.results) / default
    typical = typical_of(result) if compare is None else None
    for path in write_plots(result, out, compare=compare, typical=typical, fmt=args.format):
        print(path)
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    """``mss-sim trace SCENARIO --seed S [--replication I]``; return the exit code.

    Prints replication I of ``run_batch(scenario, ..., seed=S)`` as a dated timeline
    (:func:`mss_sim.model.narrate.timeline`) and a line of its outcomes, and draws
    its timeline figure unless ``--no-plot``.
    """
    scenario = load_with_values(args)
    wanted = None
    if args.only is not None:
        wanted = tuple(c.strip() for c in args.only.split(",") if c.strip())
        if not wanted:
            return fail("--only: give at least one category")
        known = (*CATEGORIES, "status")
        unknown = [c for c in wanted if c not in known]
        if unknown:
            return fail(
                f"--only: no category {unknown[0]!r}; the categories are {', '.join(known)}"
            )
    changed = [a.text for a in getattr(args, "set", None) or ()]
    figure = None
    if not args.no_plot:  # a path that cannot be written fails before the timeline
        # --set values change the run: its figure gets a name of its own
        tag = f"_set{scenario.content_hash()[:8]}" if changed else ""
        name = f"{scenario.name}{tag}_trace_seed{args.seed}_rep{args.replication}.png"
        figure = Path(args.plot) if args.plot else Path("out") / name
        from mss_sim.report import check_target

        check_target(figure)
        figure.parent.mkdir(parents=True, exist_ok=True)
    rep = replay(scenario, seed=args.seed, replication=args.replication)
    print(
        f"{scenario.name}, replication {args.replication} of a batch with seed {args.seed} "
        f"(the same run as in run_batch(..., seed={args.seed}))"
        + (f"; set: {', '.join(changed)}" if changed else "")
    )
    for entry in timeline(rep, categories=wanted, status=not args.no_status):
        print(entry)
    s = rep.scalars
    reached = "reached" if s["target_reached"] else "not reached"
    adopted, short = int(s["drafts_adopted"]), int(s["shortfall_months"])
    print(
        f"\nPeak strength {s['peak_deployed']:,.0f}; target {scenario.target_strength():,} "
        f"{reached}; {adopted} draft{'s' * (adopted != 1)} adopted; "
        f"{short} month{'s' * (short != 1)} with unpaid bills"
    )
    if figure is not None:
        from mss_sim.plotting import plot_timeline

        fig = _figure((11, 5))
        title = f"{scenario.name}: replication {args.replication} of seed {args.seed}"
        plot_timeline(rep, ax=fig.add_subplot(), title=title)
        fig.savefig(figure, dpi=110)
        print(f"figure: {figure}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """``mss-sim report RESULTS [--compare DIR] [--out FILE]``; return the exit code.

    Writes the HTML report (:func:`mss_sim.report.write_report`) and prints its path.
    """
    from mss_sim.report import check_target, write_report

    default = "report.html" if not args.compare else f"report_vs_{Path(args.compare).name}.html"
    out = Path(args.out) if args.out else Path(args.results) / default
    if out.is_dir():
        out = out / "report.html"
    check_target(out)
    result = BatchResult.load(args.results)
    compare = BatchResult.load(args.compare) if args.compare else None
    path = write_report(result, out, compare=compare)
    print(f"report: {path}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """``mss-sim schema [--out FILE]``: the scenario format's JSON Schema; return the exit code."""
    from mss_sim.scenario.schema import shipped_schema_text

    text = shipped_schema_text()
    if args.out:
        out = Path(args.out)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            return fail(f"--out {out}: {exc.strerror or exc}")
        print(f"schema: {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
