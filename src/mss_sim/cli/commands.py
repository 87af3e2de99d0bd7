"""The commands of ``mss-sim``: run, backtest, validate, plot and list."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
from pathlib import Path

from mss_sim.analysis.backtest import backtest
from mss_sim.analysis.compare import caveats, compare
from mss_sim.batch import BatchResult, output_names, run_batch, run_experiment
from mss_sim.batch.design import check_design
from mss_sim.batch.experiment import TABLE_OUTPUTS
from mss_sim.batch.runner import Backend
from mss_sim.cli.common import fail, first_line
from mss_sim.cli.common import load_with_values as _load
from mss_sim.cli.views import typical_of, write_plots
from mss_sim.errors import BatchInterrupted, ScenarioError
from mss_sim.model.outputs import is_member_outcome
from mss_sim.scenario import bundled_scenarios, load_scenario

__all__ = ["fail", "first_line"]  # re-exported from mss_sim.cli.common


def _resume_command(args: argparse.Namespace, out: Path) -> str:
    words = ["mss-sim", "run", args.scenario, "--runs", str(args.runs), "--seed", str(args.seed)]
    words += ["--out", str(out)]
    if args.backend:
        words += ["--backend", args.backend]
    if args.scheduler:
        words += ["--scheduler", args.scheduler]
    if args.workers:
        words += ["--workers", str(args.workers)]
    if args.design != "monte_carlo":
        words += ["--design", args.design]
    for name, target in (args.until or {}).items():
        words += ["--until", f"{name}={target:g}"]
    if args.max_runs:
        words += ["--max-runs", str(args.max_runs)]
    for assignment in args.set or ():
        words += ["--set", assignment.text]
    return shlex.join(words)


def _cmd_run(args: argparse.Namespace) -> int:
    scenario = _load(args)
    out = Path(args.out) if args.out else Path("out") / scenario.name
    if args.scheduler and args.backend not in (None, "dask"):
        return fail(f"--scheduler is for --backend dask, not --backend {args.backend}")
    try:
        check_design(args.design, args.runs, len(scenario.uncertain_parameters()))
    except ValueError as exc:
        return fail(f"--design {args.design}: {exc}")
    parallel = args.runs >= 200 and (os.cpu_count() or 1) > 1
    backend: Backend = args.backend or (
        "dask" if args.scheduler else "process" if parallel else "serial"
    )
    try:
        result = run_batch(
            scenario,
            args.runs,
            seed=args.seed,
            backend=backend,
            workers=args.workers,
            chunk_size=args.chunk_size,
            progress=args.progress,
            out=out,
            resume=not args.overwrite,
            overwrite=args.overwrite,
            address=args.scheduler,
            design=args.design,
            until=args.until,
            max_runs=args.max_runs,
        )
    except ValueError as exc:  # the arguments were checked; what is left is --until's
        return fail(str(exc))
    except BatchInterrupted as exc:
        for sig in (signal.SIGINT, signal.SIGTERM):  # no traceback from a further Ctrl-C
            signal.signal(sig, signal.SIG_IGN)
        print(f"mss-sim: {exc}", file=sys.stderr)
        if exc.done:
            print(f"mss-sim: to resume: {_resume_command(args, out)}", file=sys.stderr)
        return 128 + exc.signal
    plots = [] if args.no_plots else write_plots(result, out / "plots", typical=typical_of(result))
    shown = [n for n in result.scalars if args.all_outcomes or not is_member_outcome(n)]
    print(result.summary(shown))
    until = result.meta.get("until")
    if until:
        reached = ", ".join(
            f"{name} ±{until['half_widths'][name]:.4g} (target {target:g})"
            for name, target in until["targets"].items()
        )
        verdict = "every target met" if until["met"] else "NOT every target met (--max-runs)"
        rounds = " -> ".join(map(str, until["rounds"]))
        print(f"until: {result.runs:,} runs ({rounds}); {reached}; {verdict}")
    hidden = len(result.scalars) - len(shown)
    if hidden:
        print(f"({hidden} ballots and vetoes of single members not shown; --all-outcomes)")
    if result.failures:
        first = result.failures[0]
        print(
            f"\n{len(result.failures)} replication(s) failed; the first, "
            f"{first.index}: {first.error}",
            file=sys.stderr,
        )
    print(
        f"\nresults: {out}"
        + (f"\nplots:   {out / 'plots'} ({len(plots)} figures)" if plots else "")
    )
    return 0


def _cmd_backtest(args: argparse.Namespace) -> int:
    scenario = _load(args)
    parallel = args.runs >= 200 and (os.cpu_count() or 1) > 1
    result = run_batch(
        scenario,
        args.runs,
        seed=args.seed,
        backend="process" if parallel else "serial",
        progress=args.progress,
    )
    checked = backtest(result, cutoff=args.cutoff)
    if not checked.checks:
        return fail(str(checked))
    print(checked)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    status = 0
    for name in args.files:
        try:
            scenario = load_scenario(name)
        except ScenarioError as exc:
            print(f"error  {first_line(exc)}")
            status = 2
        else:
            n = len(scenario.uncertain_parameters())
            print(
                f"ok     {name}: {scenario.name}, {scenario.scenario.horizon_months} months, "
                f"{len(scenario.council.drafts)} drafts, {n} uncertain parameters"
            )
    return status


def _outputs(text: str | None, default: tuple[str, ...]) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()] if text else list(default)


def _cmd_experiment(args: argparse.Namespace) -> int:
    scenario = _load(args)
    if not scenario.policies:
        return fail(
            f"{args.scenario} has no [[policies]]; add them to the scenario file, or to one "
            "that extends it (see docs/experiments.md)"
        )
    out = Path(args.out) if args.out else Path("out") / f"{scenario.name}_experiment"
    names = _outputs(args.outputs, TABLE_OUTPUTS)
    known = output_names(scenario).scalars
    unknown = [n for n in names if n not in known]
    if unknown:
        return fail(f"--outputs: {unknown[0]!r} is not a scalar output of {scenario.name}")
    parallel = args.runs >= 200 and (os.cpu_count() or 1) > 1
    try:
        experiment = run_experiment(
            scenario,
            runs=args.runs,
            seed=args.seed,
            design=args.design,
            backend="process" if parallel else "serial",
            progress=args.progress,
            out=out,
            resume=not args.overwrite,
            overwrite=args.overwrite,
        )
    except ValueError as exc:
        return fail(str(exc))
    print(f"{scenario.name}: {len(experiment)} policies, {args.runs:,} runs each, seed {args.seed}")
    print(experiment.table(names))
    first = experiment.names[0]
    for other in experiment.names[1:]:
        print(f"\n{other} - {first}:")
        for row in compare(experiment[first], experiment[other], names):
            print(f"  {row}")
    print(f"\nresults: {out}")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    a, b = BatchResult.load(args.a), BatchResult.load(args.b)
    shared = [n for n in a.scalars if n in b.scalars and not is_member_outcome(n)]
    names = _outputs(args.outputs, tuple(shared))
    for directory, result in ((args.a, a), (args.b, b)):
        unknown = [n for n in names if n not in result.scalars]
        if unknown:
            return fail(f"--outputs: {directory} has no scalar output {unknown[0]!r}")
    rows = compare(a, b, names)
    method = rows[0].method if rows else "paired"
    how = "paired (same seed and runs)" if method == "paired" else "unpaired (Welch)"
    print(f"{args.b} - {args.a}, {how}, 95% intervals:")
    for row in rows:
        print(f"  {row}")
    for caveat in caveats(a, b):
        print(f"note: {caveat}")
    return 0


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from mss_sim.analysis.sensitivity import delta_indices, sobol_indices

    result = BatchResult.load(args.results)
    method = args.method or ("sobol" if result.meta.get("design") == "saltelli" else "delta")
    try:
        if method == "sobol":
            sens = sobol_indices(result, args.output, fill=args.fill)
        else:
            sens = delta_indices(result, args.output, fill=args.fill)
    except (KeyError, ValueError) as exc:
        return fail(str(exc.args[0]) if exc.args else str(exc))
    print(sens)
    if args.plot:
        from matplotlib.figure import Figure

        from mss_sim.plotting import plot_sensitivity

        fig = Figure(figsize=(9, 6), layout="constrained")
        plot_sensitivity(sens, ax=fig.add_subplot())
        fig.savefig(args.plot, dpi=110)
        print(f"plot: {args.plot}")
    return 0


def _cmd_discover(args: argparse.Namespace) -> int:
    from mss_sim.analysis.discovery import discover

    result = BatchResult.load(args.results)
    try:
        box = discover(result, args.where, threshold=args.threshold)
    except (KeyError, ValueError) as exc:
        return fail(str(exc.args[0]) if exc.args else str(exc))
    print(box)
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    bundled = bundled_scenarios()
    if not bundled:
        return fail("no bundled scenarios found")
    width = max(len(n) for n in bundled)
    for name, path in bundled.items():
        try:
            description = load_scenario(path).scenario.description
        except ScenarioError as exc:
            description = f"(invalid: {exc})"
        print(f"{name.ljust(width)}  {description}")
    return 0
