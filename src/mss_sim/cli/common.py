"""What every command uses: one-line error messages."""

from __future__ import annotations

import argparse
import sys

from mss_sim.scenario import Scenario, load_scenario

__all__ = ["fail", "first_line", "load_with_values"]


def load_with_values(args: argparse.Namespace) -> Scenario:
    """The scenario named on the command line, with its ``--set`` values."""
    scenario = load_scenario(args.scenario)
    values = {a.key: a.value for a in getattr(args, "set", None) or ()}
    return scenario.with_values(values) if values else scenario


def first_line(exc: Exception) -> str:
    """The error's first line, and how many further problems it found."""
    first = str(exc).splitlines()[0]
    further = getattr(exc, "further", 0)
    return first + (f" (+{further} more)" if further else "")


def fail(message: str) -> int:
    print(f"mss-sim: error: {message}", file=sys.stderr)
    return 2
