"""Shared test helpers: the bundled scenarios and small cached batches of them."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

import mss_sim

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@functools.cache
def small_batch(name: str, runs: int, seed: int) -> mss_sim.BatchResult:
    """A serial batch of a bundled scenario, computed once per test session."""
    return mss_sim.run_batch(mss_sim.load_scenario(SCENARIOS / f"{name}.toml"), runs, seed=seed)


@pytest.fixture(scope="session")
def run_small():
    """The :func:`small_batch` function, for tests that need a real result."""
    return small_batch


DELETE = object()
"""Pass to :func:`edit` to remove a key."""


def edit(path: str, new: Any):
    """Return a function setting the value at a dotted/indexed key path of scenario data.

    ``edit("funding.donors[2].pledge_usd", -5)``; `new` may be :data:`DELETE`.
    """

    def apply(data: dict[str, Any]) -> None:
        keys: list[Any] = []
        for part in path.split("."):
            name, *indexes = part.replace("]", "").split("[")
            keys.append(name)
            keys.extend(int(i) for i in indexes)
        node: Any = data
        for key in keys[:-1]:
            node = node[key]
        if new is DELETE:
            del node[keys[-1]]
        else:
            node[keys[-1]] = new

    return apply
