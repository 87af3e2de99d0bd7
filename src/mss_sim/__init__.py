"""mss_sim: scenario simulation of the Haiti security mission and what follows it.

A discrete-event model (SimPy) of the Multinational Security Support mission,
the Gang Suppression Force and a possible UN peacekeeping operation: Security
Council votes, funding flows and force deployment, configured by TOML scenario
files and run as reproducible Monte Carlo batches.

Examples
--------
>>> import mss_sim
>>> scenario = mss_sim.load_scenario("scenarios/gsf_2025.toml")  # doctest: +SKIP
>>> rep = mss_sim.simulate(scenario, seed=7)  # doctest: +SKIP
>>> res = mss_sim.run_batch(scenario, runs=1000, seed=7)  # doctest: +SKIP
>>> print(res.summary())  # doctest: +SKIP
"""

from mss_sim._version import __version__
from mss_sim.batch import BatchResult, ExperimentResult, run_batch, run_experiment
from mss_sim.errors import (
    BatchError,
    BatchInterrupted,
    MssSimError,
    ResultsError,
    ScenarioError,
    SimulationError,
)
from mss_sim.model import Event, Replication, simulate
from mss_sim.scenario import Scenario, load_scenario

__all__ = [
    "BatchError",
    "BatchInterrupted",
    "BatchResult",
    "Event",
    "ExperimentResult",
    "MssSimError",
    "Replication",
    "ResultsError",
    "Scenario",
    "ScenarioError",
    "SimulationError",
    "__version__",
    "load_scenario",
    "run_batch",
    "run_experiment",
    "simulate",
]
