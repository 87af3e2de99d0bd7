"""Policy experiments: every policy run on the same replications (common random numbers).

A *policy* is a named set of values set by key path (``[[policies]]`` in a scenario
file, :class:`mss_sim.scenario.Policy`, or a dict in Python). :func:`run_experiment`
runs the scenario under each policy with the same seed, runs and design, so that
replication ``i`` of one policy is the counterpart of replication ``i`` of another:
they share every parameter draw and random element the policies do not change. The
design spans the base scenario's uncertain parameters; a policy that fixes one of
them uses its value in all its runs, and a policy may not add an uncertain
parameter to a design other than Monte Carlo (the design has no column for it).

With ``out=DIR`` each policy's batch streams to ``DIR/policies/<name>`` and
``DIR/experiment.json`` describes the experiment; :meth:`ExperimentResult.load`
opens it again, and running the same experiment into it resumes it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mss_sim.batch.design import check_design, design_points
from mss_sim.batch.results import BatchResult
from mss_sim.batch.runner import Backend, _run_batch
from mss_sim.batch.store import EXPERIMENT
from mss_sim.catalog import describe, is_described
from mss_sim.errors import ResultsError
from mss_sim.model.compiled import compile
from mss_sim.scenario.spec import Policy, Scenario

__all__ = ["TABLE_OUTPUTS", "ExperimentResult", "run_experiment"]

TABLE_OUTPUTS = ("target_reached", "peak_deployed", "gang_control_at_end", "killings_total")
"""The outputs :meth:`ExperimentResult.table` shows by default."""


@dataclass
class ExperimentResult:
    """One :class:`BatchResult` per policy, all run on the same replications.

    Attributes
    ----------
    results : dict of str to BatchResult
        By policy name, in the order the policies were given.
    policies : dict of str to dict
        Each policy's values by key path.
    meta : dict
        ``scenario``, ``seed``, ``runs``, ``design`` and, for a stored experiment,
        ``out`` (its directory).

    Examples
    --------
    >>> import mss_sim
    >>> sc = mss_sim.load_scenario("gsf_2025")
    >>> exp = mss_sim.run_experiment(
    ...     sc, {"as_is": {}, "no_us": {"funding.donors[USA].pledge_usd": 0}}, runs=8, seed=1
    ... )
    >>> exp.names
    ['as_is', 'no_us']
    >>> float(exp["no_us"].scalars["received_usd.USA"].max())
    0.0
    """

    results: dict[str, BatchResult]
    policies: dict[str, dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """The policies, in order."""
        return list(self.results)

    def __getitem__(self, name: str) -> BatchResult:
        try:
            return self.results[name]
        except KeyError:
            raise KeyError(f"no policy {name!r} (policies: {', '.join(self.results)})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __repr__(self) -> str:
        return (
            f"ExperimentResult(scenario={self.meta.get('scenario')!r}, "
            f"policies={self.names}, runs={self.meta.get('runs')}, seed={self.meta.get('seed')})"
        )

    def table(self, outputs: Sequence[str] | None = None) -> str:
        """A text table of each output's estimate and 95% interval under each policy.

        `outputs` defaults to :data:`TABLE_OUTPUTS` (those the results have).

        Probabilities as P(1), other outputs as means, in their units (money in
        US$ millions, shares in percent: :mod:`mss_sim.catalog`), with the share of
        runs in which an output was undefined ("never reached").
        """
        heads, rows = self._rows(outputs)
        widths = [max(len(row[i]) for row in (heads, *rows)) for i in range(len(heads))]
        lines = []
        for row in (heads, *rows):
            rest = (cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True))
            lines.append("  ".join([row[0].ljust(widths[0]), *rest]))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        heads, rows = self._rows(None)
        head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
        )
        caption = html.escape(
            f"{self.meta.get('scenario', 'experiment')}: {len(self)} policies, "
            f"{self.meta.get('runs')} runs each, seed {self.meta.get('seed')}"
        )
        return f"<table><caption>{caption}</caption><tr>{head}</tr>{body}</table>"

    def _rows(self, outputs: Sequence[str] | None) -> tuple[list[str], list[list[str]]]:
        """The table's header and one row of cells per policy."""
        if outputs is None:
            first = next(iter(self.results.values()))
            outputs = [n for n in TABLE_OUTPUTS if n in first.scalars]
        heads, rows = ["policy"], [[name] for name in self.names]
        never = {}
        for name in outputs:
            info = describe(name) if is_described(name) else None
            unit = "" if info is None else "%" if info.kind == "share" else info.display_unit
            heads.append(f"{name} ({unit})" if unit else name)
            never[name] = f"{(info.undefined if info else '') or 'undefined'} in every run"
        for row, result in zip(rows, self.results.values(), strict=True):
            summary = result.summary(list(outputs))
            for name in outputs:
                if name in summary.omitted:
                    row.append(never[name])
                    continue
                _, estimate, interval, *_, undefined = summary[name].cells()
                row.append(f"{estimate} {interval}" + (f"; {undefined}" if undefined else ""))
        return heads, rows

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> ExperimentResult:
        """Open an experiment written by :func:`run_experiment` with ``out=``.

        Raises
        ------
        ResultsError
            If the directory holds no experiment, or a policy's results are missing
            or damaged.
        """
        path = Path(directory)
        file = path / EXPERIMENT
        try:
            described = json.loads(file.read_text(encoding="utf-8"))
            names = list(described["policies"])
        except FileNotFoundError:
            raise ResultsError(f"{path}: not an experiment (no {EXPERIMENT})") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ResultsError(f"{file}: unreadable ({exc})") from None
        # each policy's results name it and its values (BatchResult.load sees the layout)
        results = {name: BatchResult.load(path / "policies" / name) for name in names}
        meta = {k: v for k, v in described.items() if k != "policies"} | {"out": str(path)}
        return cls(results, dict(described["policies"]), meta)


def _policies(scenario: Scenario, policies: Any) -> list[Policy]:
    if policies is None:
        if not scenario.policies:
            raise ValueError(
                f"{scenario.name} has no [[policies]]; pass policies={{name: {{key: value}}}}"
            )
        return list(scenario.policies)
    if not isinstance(policies, Mapping) or not policies:
        raise ValueError("policies must map policy names to {key path: value} dicts")
    out = []
    for name, values in policies.items():
        if isinstance(values, Policy):
            out.append(values)
        elif isinstance(values, Mapping):
            out.append(Policy(name=name, values=dict(values)))
        else:
            raise ValueError(f"policy {name!r} must be a dict of key paths to values")
    return out


def _columns(
    base: np.ndarray, base_paths: tuple[str, ...], paths: tuple[str, ...], name: str
) -> np.ndarray:
    """The base design's columns for a policy's parameters, by key path."""
    index = {p: i for i, p in enumerate(base_paths)}
    extra = [p for p in paths if p not in index]
    if extra:
        raise ValueError(
            f"policy {name!r} makes {extra[0]!r} uncertain, which the base scenario's "
            "design does not span; use design='monte_carlo' or make it uncertain in the base"
        )
    return np.ascontiguousarray(base[:, [index[p] for p in paths]])


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    text = json.dumps(
        dict(values), default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v)
    )
    out: dict[str, Any] = json.loads(text)
    return out


def run_experiment(
    scenario: Scenario,
    policies: Mapping[str, Any] | None = None,
    *,
    runs: int,
    seed: int,
    design: str = "monte_carlo",
    backend: Backend = "serial",
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    overwrite: bool = False,
    client: Any = None,
    address: str | None = None,
) -> ExperimentResult:
    """Run `scenario` under each policy on the same replications.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    policies : mapping, optional
        Policy names to ``{key path: value}`` dicts (or :class:`Policy` objects); an
        empty dict runs the scenario as it is. By default the scenario's
        ``[[policies]]``.
    runs, seed, design, backend, workers, chunk_size, progress, out, resume, overwrite
        As for :func:`mss_sim.run_batch`; every policy gets the same. With `out`,
        policy ``p`` streams to ``out/policies/p``.
    client, address
        As for :func:`mss_sim.run_batch` (the Dask backend).

    Returns
    -------
    ExperimentResult

    Raises
    ------
    ValueError
        If there are no policies, or a policy adds an uncertain parameter to a
        design other than Monte Carlo, or an argument is out of range.
    ScenarioError
        Naming the policy and the key, if a policy's values do not apply.
    """
    chosen = _policies(scenario, policies)
    scenarios = {p.name: scenario.with_policy(p) for p in chosen}
    base = compile(scenario).parameters.paths
    check_design(design, runs, len(base))
    points = design_points(design, runs, len(base), seed=seed) if design != "monte_carlo" else None
    root = None if out is None else Path(out)
    if root is not None:
        root.mkdir(parents=True, exist_ok=True)
    described = {
        "scenario": scenario.name,
        "scenario_hash": scenario.content_hash(),
        "seed": seed,
        "runs": runs,
        "design": design,
        "policies": {p.name: _jsonable(p.values) for p in chosen},
    }
    results = {}
    for policy in chosen:
        variant = scenarios[policy.name]
        own = None
        if points is not None:
            own = _columns(points, base, compile(variant).parameters.paths, policy.name)
        where = None if root is None else root / "policies" / policy.name
        results[policy.name] = _run_batch(
            variant, runs, seed, backend, workers, chunk_size, progress, where, resume,
            overwrite, client, address, design, own,
        )  # fmt: skip
        named = {"policy": policy.name, "policy_values": _jsonable(policy.values)}
        results[policy.name].meta.update(named)  # names it in tables and figures
    if root is not None:
        tmp = root / f"{EXPERIMENT}.tmp"
        tmp.write_text(json.dumps(described, indent=1), encoding="utf-8")
        os.replace(tmp, root / EXPERIMENT)
    meta = {k: v for k, v in described.items() if k != "policies"}
    if root is not None:
        meta["out"] = str(root)
    return ExperimentResult(results, {p.name: dict(p.values) for p in chosen}, meta)
