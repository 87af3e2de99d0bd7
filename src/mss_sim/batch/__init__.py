"""Monte Carlo batches: seeding, backends, the results store and results."""

from mss_sim.batch.chunk import Failure, output_names
from mss_sim.batch.experiment import ExperimentResult, run_experiment
from mss_sim.batch.results import BatchResult
from mss_sim.batch.runner import run_batch

__all__ = [
    "BatchResult",
    "ExperimentResult",
    "Failure",
    "output_names",
    "run_batch",
    "run_experiment",
]
