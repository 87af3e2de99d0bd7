"""The ``mss-sim`` command: run, validate, plot and list scenarios.

Bad arguments and bad files give one line on standard error and exit code 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

from mss_sim._version import __version__
from mss_sim.analysis.backtest import CUTOFF, backtest
from mss_sim.batch import BatchResult, run_batch
from mss_sim.batch.design import DESIGNS, check_design
from mss_sim.batch.runner import Backend
from mss_sim.errors import BatchInterrupted, MssSimError, ResultsError, ScenarioError
from mss_sim.model.outputs import is_member_outcome
from mss_sim.scenario import Scenario, bundled_scenarios, load_scenario
from mss_sim.scenario.overrides import parse_assignment

__all__ = ["main"]

DEFAULT_SCALAR_PLOTS = ("peak_deployed", "months_to_target", "total_received_usd")
DEFAULT_SERIES_PLOTS = ("deployed", "cash_balance")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _first_line(exc: Exception) -> str:
    """The error's first line, and how many further problems it found."""
    first = str(exc).splitlines()[0]
    further = getattr(exc, "further", 0)
    return first + (f" (+{further} more)" if further else "")


def _fail(message: str) -> int:
    print(f"mss-sim: error: {message}", file=sys.stderr)
    return 2


def _whole(minimum: int) -> Callable[[str], int]:
    """Return an argparse type for whole numbers >= `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value

    return parse


_positive = _whole(1)
_seed = _whole(0)


class _Assignment(NamedTuple):
    key: str
    value: Any
    text: str


def _assignment(text: str) -> _Assignment:
    try:
        return _Assignment(*parse_assignment(text), text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _load(args: argparse.Namespace) -> Scenario:
    """The scenario named on the command line, with its ``--set`` values."""
    scenario = load_scenario(args.scenario)
    values = {a.key: a.value for a in getattr(args, "set", None) or ()}
    return scenario.with_values(values) if values else scenario


def _add_set(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        metavar="KEY=VALUE",
        type=_assignment,
        action="append",
        help="change a value by key path, the value written as in TOML "
        "(--set 'funding.donors[USA].pledge_usd=0'); repeatable",
    )


def write_plots(
    result: BatchResult, folder: Path, *, compare: BatchResult | None = None
) -> list[Path]:
    """Write the standard figures of `result` (and a comparison) as PNG files."""
    from matplotlib.figure import Figure

    from mss_sim import plotting

    folder.mkdir(parents=True, exist_ok=True)
    written = []

    def save(fig: Figure, name: str) -> None:
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=110)
        written.append(path)

    for name in DEFAULT_SERIES_PLOTS:
        fig = Figure(figsize=(8, 4.5), layout="constrained")
        plotting.plot_fan(result, name, ax=fig.add_subplot())
        save(fig, f"fan_{name}")
    for name in DEFAULT_SCALAR_PLOTS:
        fig = Figure(figsize=(8, 4.5), layout="constrained")
        plotting.plot_distribution(result, name, ax=fig.add_subplot())
        save(fig, f"dist_{name}")
    if compare is not None:
        for name in ("deployed", "peak_deployed"):
            fig = Figure(figsize=(8, 4.5), layout="constrained")
            plotting.plot_compare(result, compare, name, ax=fig.add_subplot())
            save(fig, f"compare_{name}")
    return written


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
    for assignment in args.set or ():
        words += ["--set", assignment.text]
    return shlex.join(words)


def _cmd_run(args: argparse.Namespace) -> int:
    scenario = _load(args)
    out = Path(args.out) if args.out else Path("out") / scenario.name
    if args.scheduler and args.backend not in (None, "dask"):
        return _fail(f"--scheduler is for --backend dask, not --backend {args.backend}")
    try:
        check_design(args.design, args.runs, len(scenario.uncertain_parameters()))
    except ValueError as exc:
        return _fail(f"--design {args.design}: {exc}")
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
        )
    except BatchInterrupted as exc:
        for sig in (signal.SIGINT, signal.SIGTERM):  # no traceback from a further Ctrl-C
            signal.signal(sig, signal.SIG_IGN)
        print(f"mss-sim: {exc}", file=sys.stderr)
        if exc.done:
            print(f"mss-sim: to resume: {_resume_command(args, out)}", file=sys.stderr)
        return 128 + exc.signal
    plots = [] if args.no_plots else write_plots(result, out / "plots")
    shown = [n for n in result.scalars if args.all_outcomes or not is_member_outcome(n)]
    print(result.summary(shown))
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
    print(backtest(result, cutoff=args.cutoff))
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date such as 2024-09-30, got {text!r}"
        ) from None


def _cmd_validate(args: argparse.Namespace) -> int:
    status = 0
    for name in args.files:
        try:
            scenario = load_scenario(name)
        except ScenarioError as exc:
            print(f"error  {_first_line(exc)}")
            status = 2
        else:
            n = len(scenario.uncertain_parameters())
            print(
                f"ok     {name}: {scenario.name}, {scenario.scenario.horizon_months} months, "
                f"{len(scenario.council.drafts)} drafts, {n} uncertain parameters"
            )
    return status


def _cmd_plot(args: argparse.Namespace) -> int:
    result = BatchResult.load(args.results)
    compare = BatchResult.load(args.compare) if args.compare else None
    out = Path(args.out) if args.out else Path(args.results) / "plots"
    written = write_plots(result, out, compare=compare)
    for path in written:
        print(path)
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    bundled = bundled_scenarios()
    if not bundled:
        return _fail("no bundled scenarios found")
    width = max(len(n) for n in bundled)
    for name, path in bundled.items():
        try:
            description = load_scenario(path).scenario.description
        except ScenarioError as exc:
            description = f"(invalid: {exc})"
        print(f"{name.ljust(width)}  {description}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``mss-sim``."""
    parser = _Parser(
        prog="mss-sim",
        description="Scenario simulation of the Haiti security mission (MSS, GSF and successors).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run a Monte Carlo batch, save results and plots")
    run.add_argument("scenario", help="a scenario file, or a bundled scenario's name")
    run.add_argument("--runs", type=_positive, default=1000, help="replications (default 1000)")
    run.add_argument("--seed", type=_seed, default=0, help="batch seed (default 0)")
    run.add_argument(
        "--out",
        help="results directory (default out/<scenario name>); the same command run again "
        "continues the replications found there",
    )
    run.add_argument(
        "--overwrite", action="store_true", help="discard an earlier result in the directory"
    )
    run.add_argument(
        "--backend",
        choices=["serial", "process", "dask"],
        help="default: process for 200 runs or more on several CPUs; dask with --scheduler",
    )
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786); --backend dask without it starts "
        "a local cluster",
    )
    run.add_argument("--workers", type=_positive, help="worker processes (default: CPUs)")
    run.add_argument("--chunk-size", type=_positive, help="replications per task")
    _add_set(run)
    run.add_argument(
        "--design",
        choices=DESIGNS,
        default="monte_carlo",
        help="how the uncertain parameters are drawn: monte_carlo (default), lhs (Latin "
        "hypercube), sobol (a power of two runs), halton",
    )
    run.add_argument("--no-plots", action="store_true", help="skip the figures")
    run.add_argument(
        "--all-outcomes",
        action="store_true",
        help="also summarise each member's ballot and veto on each draft",
    )
    bar = run.add_mutually_exclusive_group()
    bar.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="always show a progress bar",
    )
    bar.add_argument(
        "--no-progress", dest="progress", action="store_false", help="never show a progress bar"
    )
    run.set_defaults(func=_cmd_run)

    check = sub.add_parser(
        "backtest", help="run a batch and check it against the record's milestones"
    )
    check.add_argument("scenario", help="a scenario file, or a bundled scenario's name")
    check.add_argument("--runs", type=_positive, default=1000, help="replications (default 1000)")
    check.add_argument("--seed", type=_seed, default=0, help="batch seed (default 0)")
    check.add_argument(
        "--cutoff",
        type=_date,
        default=CUTOFF,
        help=f"calibration cut-off: later milestones are held out (default {CUTOFF})",
    )
    _add_set(check)
    check.add_argument(
        "--no-progress", dest="progress", action="store_false", help="no progress bar"
    )
    check.set_defaults(func=_cmd_backtest, progress=None)

    validate = sub.add_parser("validate", help="check scenario files; exit 2 on any error")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.set_defaults(func=_cmd_validate)

    plot = sub.add_parser("plot", help="draw the figures of saved results")
    plot.add_argument("results", help="a results directory written by 'mss-sim run'")
    plot.add_argument("--compare", help="a second results directory to overlay")
    plot.add_argument("--out", help="where to write the PNG files (default RESULTS/plots)")
    plot.set_defaults(func=_cmd_plot)

    lister = sub.add_parser("list", help="list the bundled scenarios")
    lister.set_defaults(func=_cmd_list)
    return parser


def _log_to_stderr() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("mss-sim: %(message)s"))
    logger = logging.getLogger("mss_sim")
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``mss-sim`` with `argv` (default: the command line); return the exit code.

    Called with `argv` (from Python), the caller's signal handlers are restored on
    return. Run as the command, they are not: after an interrupted batch a further
    Ctrl-C stays ignored until the process has exited.
    """
    args = build_parser().parse_args(argv)
    handler = _log_to_stderr()
    handlers = (
        {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        if argv is not None and threading.current_thread() is threading.main_thread()
        else {}
    )
    try:
        return int(args.func(args))
    except (ScenarioError, ResultsError) as exc:
        return _fail(_first_line(exc))
    except MssSimError as exc:
        return _fail(str(exc))
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or exc}")
    except KeyboardInterrupt:
        print("mss-sim: interrupted", file=sys.stderr)
        return 130
    finally:
        logging.getLogger("mss_sim").removeHandler(handler)
        for sig, old in handlers.items():  # ignored after an interrupted batch
            signal.signal(sig, old if old is not None else signal.SIG_DFL)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
