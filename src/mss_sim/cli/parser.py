"""The argument parser of ``mss-sim`` and the types of its arguments."""

from __future__ import annotations

import argparse
import datetime as dt
import math
from collections.abc import Callable
from typing import Any, NamedTuple, NoReturn

from mss_sim._version import __version__
from mss_sim.analysis.backtest import CUTOFF
from mss_sim.batch.design import DESIGNS
from mss_sim.cli.commands import (
    _cmd_backtest,
    _cmd_compare,
    _cmd_discover,
    _cmd_experiment,
    _cmd_list,
    _cmd_run,
    _cmd_sensitivity,
    _cmd_validate,
)
from mss_sim.cli.views import cmd_plot, cmd_report, cmd_schema, cmd_trace
from mss_sim.scenario.overrides import parse_assignment

__all__ = ["build_parser"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


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


def _target(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    try:
        target = float(value)
    except ValueError:
        target = math.nan
    if not sep or not name.strip() or not target > 0:
        raise argparse.ArgumentTypeError(
            f"expected NAME=HALF_WIDTH with a number > 0, got {text!r}"
        )
    return name.strip(), target


class _Targets(argparse.Action):
    """Collect repeated ``--until NAME=HALF_WIDTH`` into a dict."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        targets = dict(getattr(namespace, self.dest) or {})
        targets[values[0]] = values[1]
        setattr(namespace, self.dest, targets)


class _Assignment(NamedTuple):
    key: str
    value: Any
    text: str


def _assignment(text: str) -> _Assignment:
    try:
        return _Assignment(*parse_assignment(text), text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date such as 2024-09-30, got {text!r}"
        ) from None


def _add_set(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        metavar="KEY=VALUE",
        type=_assignment,
        action="append",
        help="change a value by key path, the value written as in TOML "
        "(--set 'funding.donors[USA].pledge_usd=0'); repeatable",
    )


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
    run.add_argument(
        "--until",
        metavar="NAME=HALF_WIDTH",
        type=_target,
        action=_Targets,
        help="add runs until the 95%% interval of scalar output NAME is narrower than "
        "this half-width (repeatable; --runs is where it starts)",
    )
    run.add_argument(
        "--max-runs", type=_positive, help="the most runs --until may take (default 100 x runs)"
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

    exp = sub.add_parser(
        "experiment", help="run a scenario's [[policies]] on the same replications and compare"
    )
    exp.add_argument("scenario", help="a scenario file with [[policies]], or a bundled name")
    exp.add_argument("--runs", type=_positive, default=1000, help="replications per policy")
    exp.add_argument("--seed", type=_seed, default=0, help="batch seed (default 0)")
    exp.add_argument("--out", help="results directory (default out/<scenario>_experiment)")
    exp.add_argument("--overwrite", action="store_true", help="discard an earlier experiment")
    exp.add_argument("--design", choices=DESIGNS, default="monte_carlo", help="as for run")
    exp.add_argument("--outputs", help="comma-separated scalar outputs to tabulate")
    _add_set(exp)
    exp.add_argument("--no-progress", dest="progress", action="store_false", help="no bar")
    exp.set_defaults(func=_cmd_experiment, progress=None)

    cmp_ = sub.add_parser("compare", help="compare two results directories output by output")
    cmp_.add_argument("a", help="the baseline results directory")
    cmp_.add_argument("b", help="the alternative results directory")
    cmp_.add_argument(
        "--outputs",
        help="comma-separated scalar outputs (default: all shared but single members' "
        "ballots and vetoes)",
    )
    cmp_.set_defaults(func=_cmd_compare)

    sens = sub.add_parser(
        "sensitivity", help="rank the uncertain parameters by their effect on an output"
    )
    sens.add_argument("results", help="a results directory")
    sens.add_argument("--output", required=True, help="a scalar output, e.g. peak_deployed")
    sens.add_argument(
        "--method",
        choices=["sobol", "delta"],
        help="sobol (needs a batch run with --design saltelli) or delta (any batch); "
        "default: sobol for a saltelli batch, delta otherwise",
    )
    sens.add_argument("--fill", type=float, help="the value of the output where it is NaN")
    sens.add_argument("--plot", metavar="PNG", help="also draw the indices into this file")
    sens.set_defaults(func=_cmd_sensitivity)

    disc = sub.add_parser(
        "discover", help="find the parameter ranges where a condition on the outputs holds (PRIM)"
    )
    disc.add_argument("results", help="a results directory")
    disc.add_argument(
        "--where", required=True, help="e.g. 'peak_deployed >= 2775' (terms joined by 'and')"
    )
    disc.add_argument(
        "--threshold", type=float, default=0.8, help="the density the box should reach (0.8)"
    )
    disc.set_defaults(func=_cmd_discover)

    plot = sub.add_parser("plot", help="draw the figures of saved results")
    plot.add_argument("results", help="a results directory written by 'mss-sim run'")
    plot.add_argument("--compare", help="a second results directory to overlay on every figure")
    plot.add_argument(
        "--out",
        help="where to write the figures (default RESULTS/plots, or RESULTS/plots_vs_<DIR2> "
        "with --compare)",
    )
    plot.add_argument(
        "--format", choices=["png", "svg", "pdf"], default="png", help="file format (png)"
    )
    plot.set_defaults(func=cmd_plot)

    report = sub.add_parser("report", help="write a self-contained HTML report of saved results")
    report.add_argument("results", help="a results directory written by 'mss-sim run'")
    report.add_argument("--compare", help="a second results directory to compare with")
    report.add_argument(
        "--out",
        help="the HTML file (default RESULTS/report.html, or RESULTS/report_vs_<DIR2>.html "
        "with --compare)",
    )
    report.set_defaults(func=cmd_report)

    trace = sub.add_parser(
        "trace", help="narrate one replication as a dated timeline, with a timeline figure"
    )
    trace.add_argument("scenario", help="a scenario file, or a bundled scenario's name")
    trace.add_argument("--seed", type=_seed, default=0, help="the batch seed (default 0)")
    trace.add_argument(
        "--replication",
        type=_whole(0),
        default=0,
        help="which replication of the batch (default 0): the same run as in run --seed",
    )
    trace.add_argument(
        "--only",
        metavar="CATEGORIES",
        help="comma-separated: council, mandate, money, force, security, status",
    )
    trace.add_argument(
        "--no-status", action="store_true", help="leave out the state at each month's end"
    )
    trace.add_argument(
        "--plot",
        metavar="FILE",
        help="the figure's file (default out/<scenario>_trace_seed<S>_rep<I>.png)",
    )
    trace.add_argument("--no-plot", action="store_true", help="no figure")
    _add_set(trace)
    trace.set_defaults(func=cmd_trace)

    schema = sub.add_parser("schema", help="print the JSON Schema of the scenario file format")
    schema.add_argument("--out", metavar="FILE", help="write it to FILE instead")
    schema.set_defaults(func=cmd_schema)

    lister = sub.add_parser("list", help="list the bundled scenarios")
    lister.set_defaults(func=_cmd_list)
    return parser
