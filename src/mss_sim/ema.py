"""An EMA Workbench adapter: drive the model with EMA's samplers, evaluators and analyses.

:func:`model` returns an ``ema_workbench.Model`` (the ``discovery`` extra installs EMA
Workbench) whose

* uncertainties are the scenario's uncertain parameters, by key path (a range for a
  continuous one, its values for a ``choice``, the list's position for an uncertain
  Council composition), plus ``replication``, the replication index;
* constant ``seed`` is the batch seed;
* levers are key paths a policy sets: by default every key the scenario's
  ``[[policies]]`` set, over the values they give and the scenario's own (the
  category ``"scenario"`` where the scenario's own value is uncertain: that run
  keeps its draw);
  a key path that is a lever is not also an uncertainty;
* outcomes are the scalar outputs.

A run takes replication ``replication`` of the batch seeded with ``seed``: the values
an experiment gives replace the draws of the same parameters, and every other random
element (votes, waves, the security situation) comes from the replication's own
streams. So experiments that carry the replication index and the parameter values a
batch drew reproduce that batch's outputs exactly (``tests/test_ema.py``).

Examples
--------
>>> import mss_sim
>>> from mss_sim.ema import model
>>> m = model(mss_sim.load_scenario("gsf_2025"), seed=1)  # doctest: +SKIP
>>> [u.name for u in m.uncertainties][:2]  # doctest: +SKIP
['council.correlation', 'council.effects[0].size']
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from mss_sim.model.compiled import CompiledScenario, compile
from mss_sim.model.simulate import run
from mss_sim.random import replication_seed
from mss_sim.scenario.council import ElectedChoice
from mss_sim.scenario.distributions import Choice
from mss_sim.scenario.overrides import get_value
from mss_sim.scenario.spec import Scenario

__all__ = ["SCENARIO", "model"]

SCENARIO = "scenario"
"""The lever value that keeps the scenario's own (uncertain) value."""


def _ema() -> Any:
    try:
        with warnings.catch_warnings():  # it warns of evaluators it cannot offer
            warnings.simplefilter("ignore")
            import ema_workbench
    except ImportError:
        raise ImportError(
            "the EMA Workbench adapter needs ema_workbench; install it with "
            "pip install 'mss-sim[discovery]'"
        ) from None
    return ema_workbench


class _Runner:
    """The model function: one replication with the experiment's values (picklable)."""

    def __init__(self, scenario: Scenario, levers: Sequence[str], outputs: Sequence[str]):
        self.scenario = scenario
        self.levers = tuple(levers)
        self.outputs = tuple(outputs)
        self._plans: dict[str, CompiledScenario] = {}

    def plan(self, values: Mapping[str, Any]) -> CompiledScenario:
        key = repr(sorted(values.items()))
        if key not in self._plans:
            scenario = self.scenario.with_values(dict(values)) if values else self.scenario
            self._plans[key] = compile(scenario)
        return self._plans[key]

    def __call__(self, **experiment: Any) -> dict[str, float]:
        seed = int(experiment.pop("seed"))
        index = int(experiment.pop("replication"))
        chosen = {k: experiment.pop(k) for k in self.levers if k in experiment}
        plan = self.plan({k: v for k, v in chosen.items() if v != SCENARIO})
        rep_seed = replication_seed(seed, index)
        draws = plan.parameters.draw(rep_seed)
        for j, path in enumerate(plan.parameters.paths):
            if path in experiment:
                draws[j] = float(experiment[path])
        out = run(plan, rep_seed, draws=draws)
        by_name = dict(zip(plan.scalar_names, out.scalars.tolist(), strict=True))
        return {name: by_name.get(name, math.nan) for name in self.outputs}


def _uncertainty(ema: Any, path: str, dist: Any) -> Any:
    if isinstance(dist, ElectedChoice):
        return ema.CategoricalParameter(path, list(range(len(dist.options))))
    if isinstance(dist, Choice):
        return ema.CategoricalParameter(path, list(dict.fromkeys(dist.values)))
    low, high = dist.support()
    if not math.isfinite(low):
        low = dist.ppf(0.001)
    if not math.isfinite(high):
        high = dist.ppf(0.999)
    return ema.RealParameter(path, float(low), float(high))


def _lever(ema: Any, path: str, values: Any) -> Any:
    if (
        isinstance(values, tuple)
        and len(values) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    ):
        return ema.RealParameter(path, float(values[0]), float(values[1]))
    return ema.CategoricalParameter(path, list(values))


def model(
    scenario: Scenario,
    *,
    seed: int = 0,
    levers: Mapping[str, Any] | None = None,
    outputs: Sequence[str] | None = None,
    name: str | None = None,
) -> Any:
    """Return an ``ema_workbench.Model`` of `scenario` (see the module's description).

    Parameters
    ----------
    scenario : Scenario
    seed : int
        The batch seed (a constant of the model).
    levers : mapping, optional
        Key paths to a ``(low, high)`` range or a list of values. By default the keys
        the scenario's ``[[policies]]`` set, over the values they give.
    outputs : sequence of str, optional
        Scalar outputs to report (default: all).
    name : str, optional
        The model's name, letters and digits (default: the scenario's without others).

    Raises
    ------
    ImportError
        Without EMA Workbench.
    KeyError
        If an output is not a scalar output of the scenario.
    """
    ema = _ema()
    plan = compile(scenario)
    names = list(plan.scalar_names) if outputs is None else list(outputs)
    for output in names:
        if output not in plan.scalar_names:
            raise KeyError(f"no scalar output {output!r} in {scenario.name}")
    if levers is None:
        found: dict[str, list[Any]] = {}
        for policy in scenario.policies:
            for key, value in policy.values.items():
                found.setdefault(key, [])
                if value not in found[key]:
                    found[key].append(value)
        data = scenario.model_dump(mode="python")
        for key, values in found.items():
            base = get_value(data, key)  # the scenario's own value: a policy that keeps it
            own = base if isinstance(base, int | float | str) else SCENARIO
            if own not in values:
                values.insert(0, own)
        levers = found
    label = name or "".join(ch for ch in scenario.name if ch.isalnum()) or "mss"
    m = ema.Model(label, function=_Runner(scenario, list(levers), names))
    # A key path a lever or constant sets is not also an uncertainty.
    uncertain = [p for p in plan.parameters.parameters if p.path not in levers]
    m.uncertainties = [_uncertainty(ema, p.path, p.dist) for p in uncertain] + [
        ema.IntegerParameter("replication", 0, 2**31 - 1)
    ]
    # A key given one value only is a constant, not a lever.
    choices = {k: v for k, v in levers.items() if not (isinstance(v, list) and len(v) < 2)}
    fixed = {k: v[0] for k, v in levers.items() if k not in choices and v}
    m.levers = [_lever(ema, path, values) for path, values in choices.items()]
    m.constants = [ema.Constant("seed", int(seed))] + [
        ema.Constant(path, value) for path, value in fixed.items()
    ]
    m.outcomes = [ema.ScalarOutcome(output) for output in names]
    return m
