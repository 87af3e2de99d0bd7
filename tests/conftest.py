"""Shared test helpers: the bundled scenarios and small cached batches of them."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

import pytest

import mss_sim
from mss_sim.scenario import load_raw

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


def replications(
    sc: mss_sim.Scenario, runs: int, seed: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each series (runs, months) and each scalar (runs,) of `runs` replications, by name."""
    from mss_sim.batch.chunk import run_chunk
    from mss_sim.model import compile

    plan = compile(sc)
    chunk = run_chunk(plan, seed, 0, runs)
    assert chunk.failures == []
    series = {name: chunk.series[:, j, :] for j, name in enumerate(plan.series_names)}
    scalars = {name: chunk.scalars[:, j] for j, name in enumerate(plan.scalar_names)}
    return series, scalars


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


def to_toml(data: dict[str, Any]) -> str:
    """Serialise scenario data to TOML (tables, arrays of tables, inline tables)."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, int | float):
            return repr(v)
        if isinstance(v, list | tuple):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{json.dumps(k)} = {value(x)}" for k, x in v.items()) + " }"
        raise TypeError(type(v))

    lines: list[str] = []

    def table(prefix: str, d: dict[str, Any]) -> None:
        scalars = {k: v for k, v in d.items() if not _is_table(v) and not _is_table_array(v)}
        if prefix and (scalars or not d):
            lines.append(f"[{prefix}]")
        for k, v in scalars.items():
            lines.append(f"{json.dumps(k)} = {value(v)}")
        for k, v in d.items():
            name = f"{prefix}.{json.dumps(k)}" if prefix else json.dumps(k)
            if _is_table(v):
                table(name, v)
            elif _is_table_array(v):
                for item in v:
                    lines.append(f"[[{name}]]")
                    for ik, iv in item.items():
                        lines.append(f"{json.dumps(ik)} = {value(iv)}")

    table("", data)
    return "\n".join(lines) + "\n"


def _is_table(v: Any) -> bool:
    # Uncertain values ({dist = ...}) are written inline.
    return isinstance(v, dict) and "dist" not in v


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def write(tmp_path: Path, data: dict[str, Any], name: str = "gsf_2025.toml") -> Path:
    """Write scenario `data` as TOML to `tmp_path / name` and return the path."""
    path = tmp_path / name
    path.write_text(to_toml(data), encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    """Return the message of the ScenarioError that loading `path` raises."""
    with pytest.raises(mss_sim.ScenarioError) as info:
        mss_sim.load_scenario(path)
    return str(info.value)


@pytest.fixture
def data() -> dict[str, Any]:
    """A fresh copy of the data of scenarios/gsf_2025.toml."""
    return copy.deepcopy(load_raw(SCENARIOS / "gsf_2025.toml"))


@pytest.fixture(scope="session")
def gsf() -> mss_sim.Scenario:
    """The bundled gsf_2025 scenario."""
    return mss_sim.load_scenario(SCENARIOS / "gsf_2025.toml")
