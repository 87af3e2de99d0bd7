"""Shared test helpers: the bundled scenarios and small cached batches of them."""

from __future__ import annotations

import functools
from pathlib import Path

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
