"""Re-run one replication of a batch with its event log on.

Batches keep no events. Any replication can be run again alone, exactly: with the
batch's seed and the replication's index (:func:`mss_sim.random.replication_seed`)
and, for a batch with an experiment design, the parameter values the batch
recorded for it.
"""

from __future__ import annotations

import numpy as np

from mss_sim.batch.results import BatchResult
from mss_sim.errors import ResultsError
from mss_sim.model.outputs import Replication
from mss_sim.model.simulate import simulate
from mss_sim.random import replication_seed
from mss_sim.scenario import Scenario

__all__ = ["replay", "replay_result", "typical_replication"]


def replay(scenario: Scenario, *, seed: int, replication: int = 0) -> Replication:
    """Replication `replication` of ``run_batch(scenario, ..., seed=seed)``, with events.

    The same run as in the batch (a Monte Carlo batch: the default design).

    Parameters
    ----------
    scenario : Scenario
    seed : int
        The batch's seed.
    replication : int
        The replication's index (>= 0).

    Examples
    --------
    >>> import mss_sim
    >>> from mss_sim.batch import replay
    >>> sc = mss_sim.load_scenario("gsf_2025")
    >>> rep = replay(sc, seed=1, replication=3)
    >>> res = mss_sim.run_batch(sc, 4, seed=1)
    >>> rep.scalars["peak_deployed"] == res.scalars["peak_deployed"][3]
    np.True_
    """
    if isinstance(replication, bool) or not isinstance(replication, int | np.integer):
        raise TypeError(f"replication must be an integer, got {replication!r}")
    if replication < 0:
        raise ValueError(f"replication must be >= 0, got {replication}")
    return simulate(scenario, replication_seed(seed, int(replication)))


def replay_result(
    result: BatchResult, replication: int, *, scenario: Scenario | None = None
) -> Replication:
    """Re-run replication `replication` of `result`, with its event log.

    Uses the parameter values `result` recorded for it, so a batch run with an
    experiment design is reproduced too.

    Parameters
    ----------
    result : BatchResult
    replication : int
        An index within the batch's replications.
    scenario : Scenario, optional
        The scenario the batch ran (default: the one kept in its metadata).

    Raises
    ------
    ResultsError
        If `scenario` is not the one the batch ran, or the result keeps no
        scenario, content hash or seed.
    IndexError
        If `replication` is not in the batch.
    """
    given = scenario is not None
    scenario = scenario if scenario is not None else result.scenario()
    for key in ("scenario_hash", "seed"):
        if result.meta.get(key) is None:
            raise ResultsError(f"the result keeps no {key.replace('_', ' ')}: it cannot be re-run")
    if scenario.content_hash() != result.meta["scenario_hash"]:
        raise ResultsError(
            f"the scenario {scenario.name!r} given is not the one the batch ran "
            "(its content hash differs)"
            if given
            else "the scenario the result keeps does not match its content hash (the "
            "result's metadata was altered): it cannot be re-run"
        )
    start = int(result.meta.get("replications", [0, result.runs])[0])
    if not 0 <= replication - start < result.runs:
        raise IndexError(
            f"replication {replication} is not in the batch (it holds {start} to "
            f"{start + result.runs - 1})"
        )
    row = replication - start
    paths = list(scenario.uncertain_parameters())
    columns = dict(result.iter_columns(paths, kind="parameters"))
    draws = [float(columns[p][row]) for p in paths]
    seed = int(result.meta["seed"])
    return simulate(scenario, replication_seed(seed, replication), draws=draws)


def typical_replication(result: BatchResult, output: str = "peak_deployed") -> int:
    """The index of the replication whose `output` is the batch's median.

    The median is taken as a value some replication had (the lower middle value
    of an even number, ``numpy.percentile(..., method="inverted_cdf")``), so the
    first replication with that value is returned. Replications where `output` is
    undefined (NaN) are passed over.

    Raises
    ------
    KeyError
        If `output` is not a scalar outcome of `result`.
    ValueError
        If `output` is undefined in every replication.

    Examples
    --------
    >>> import numpy as np
    >>> from mss_sim.batch import BatchResult
    >>> res = BatchResult({"peak_deployed": np.array([10.0, 40, np.nan, 22, 30])}, {},
    ...                   np.array([], "datetime64[M]"), {}, meta={"runs": 5})
    >>> typical_replication(res)
    3
    """
    if output not in result.scalars:
        raise KeyError(f"no scalar outcome named {output!r}")
    values = np.asarray(result.scalars[output], dtype=float)
    finite = np.isfinite(values)
    if not finite.any():
        raise ValueError(f"{output} is undefined in every replication")
    median = float(np.percentile(values[finite], 50, method="inverted_cdf"))
    distance = np.where(finite, np.abs(values - median), np.inf)
    start = int(result.meta.get("replications", [0, result.runs])[0])
    return start + int(np.argmin(distance))
