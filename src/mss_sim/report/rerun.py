"""How to run a batch again: the command when it is exact, Python code otherwise.

A batch keeps the scenario it ran and its content hash. When the bundled scenario
of the same name has that hash, ``mss-sim run NAME`` repeats the batch; when the
batch's scenario is the bundled one with values changed (``--set``, a policy, an
edited copy) and those changes, given as ``--set`` arguments, give back that hash,
the command carries them. Anything else is re-run from the scenario the result
keeps, in three lines of Python.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from mss_sim.batch import BatchResult
from mss_sim.errors import ResultsError, ScenarioError
from mss_sim.scenario import Scenario, bundled_scenarios, load_scenario
from mss_sim.scenario.diff import Difference, differences

__all__ = ["changes_from_bundled", "rerun"]


def _bundled(result: BatchResult) -> Scenario | None:
    path = bundled_scenarios().get(str(result.meta.get("scenario")))
    try:
        return None if path is None else load_scenario(path)
    except ScenarioError:
        return None


def changes_from_bundled(
    result: BatchResult, base: Scenario | None = None
) -> list[Difference] | None:
    """The values the batch's scenario changes from the bundled scenario of its name.

    Parameters
    ----------
    result : BatchResult
    base : Scenario, optional
        The bundled scenario of the batch's name, if already loaded.

    Returns
    -------
    list of Difference or None
        Empty if the batch ran the bundled scenario; None if no scenario of that
        name is bundled or the result keeps no scenario.
    """
    base = base if base is not None else _bundled(result)
    if base is None:
        return None
    if base.content_hash() == result.meta.get("scenario_hash"):
        return []
    try:
        ran = result.scenario()
    except (ResultsError, ScenarioError):
        return None
    return differences(base, ran)


def _set_arguments(
    result: BatchResult, base: Scenario, changed: list[Difference]
) -> list[str] | None:
    """``--set`` arguments that turn the bundled scenario into the batch's, if any do."""
    if not changed:
        return []
    arguments = [d.as_set() for d in changed]
    if None in arguments:
        return None
    try:
        rebuilt = base.with_values({d.path: d.new for d in changed})
    except ScenarioError:
        return None
    if rebuilt.content_hash() != result.meta.get("scenario_hash"):
        return None
    return [a for a in arguments if a is not None]


def rerun(result: BatchResult) -> tuple[str, str]:
    """What runs the batch again, and why it is that.

    Parameters
    ----------
    result : BatchResult

    Returns
    -------
    command, note : str
        An ``mss-sim run`` command (with ``--set`` values where the batch changed
        the bundled scenario), or Python code; `command` is empty when neither can
        be given (the result keeps no scenario, or it is one policy of a designed
        experiment).
    """
    meta = result.meta
    name, design = str(meta.get("scenario")), str(meta.get("design", "monte_carlo"))
    runs, seed, store, policy = result.runs, meta.get("seed"), meta.get("store"), meta.get("policy")
    base = _bundled(result)
    changed = None if base is None else changes_from_bundled(result, base)
    shared_design = policy and design != "monte_carlo"
    sets = None
    if base is not None and changed is not None and not shared_design:
        sets = _set_arguments(result, base, changed)
    if sets is not None:
        words = ["mss-sim", "run", name, "--runs", str(runs), "--seed", str(seed)]
        words += ["--design", design] if design != "monte_carlo" else []
        for argument in sets or ():
            words += ["--set", argument]
        words += ["--out", _new_directory(store, policy)] if store is not None else []
        what = f"The bundled scenario {name}"
        if sets:
            what += f", with the {len(sets)} value{'s' if len(sets) > 1 else ''} set above,"
        where = " into a new directory (its own already holds it)" if store is not None else ""
        return shlex.join(words), f"{what} is the one the batch ran: this runs it again{where}."
    why = _why(name, policy, changed, base is not None)
    if meta.get("scenario_spec") is None:
        return "", f"{why}, and the result does not keep the scenario it ran."
    if shared_design:
        return "", (
            f"{why}, whose policies share one {design} design: run_experiment with the "
            "experiment's scenario, policies, runs and seed repeats it exactly."
        )
    return _code(store, runs, seed, design), (
        f"{why}; the result keeps the scenario it ran, and this runs it again."
    )


def _new_directory(store: Any, policy: Any) -> str:
    """Beside the batch's directory (beside its experiment, for a policy's)."""
    path = Path(str(store))
    if policy and path.parent.name == "policies":
        return str(path.parent.parent.with_name(f"{path.parent.parent.name}_{policy}_rerun"))
    return f"{path}_rerun"


def _why(name: str, policy: Any, changed: list[Difference] | None, bundled: bool) -> str:
    if policy:
        return f"The batch ran policy {policy} of an experiment on {name}"
    if not bundled:
        return f"No scenario bundled with this version is called {name}"
    if changed is None:
        return f"The batch ran a scenario that is not the bundled {name}"
    return (
        f"The batch ran the bundled {name} with {len(changed)} change"
        f"{'s' if len(changed) != 1 else ''} that --set cannot give"
    )


def _code(store: Any, runs: int, seed: Any, design: str) -> str:
    load = (
        f"res = mss_sim.BatchResult.load({str(store)!r})"
        if store is not None
        else "res = ...  # this result, in memory"
    )
    design_arg = f", design={design!r}" if design != "monte_carlo" else ""
    run = f"mss_sim.run_batch(res.scenario(), {runs}, seed={seed}{design_arg})"
    return f"import mss_sim\n{load}\n{run}"
