"""Monte Carlo batches: seeding, backends, the results store and results."""

from mss_sim.batch.chunk import Failure, output_names
from mss_sim.batch.experiment import ExperimentResult, run_experiment
from mss_sim.batch.replay import replay, replay_result, typical_replication
from mss_sim.batch.results import BatchResult
from mss_sim.batch.runner import run_batch

__all__ = [
    "BatchResult",
    "ExperimentResult",
    "Failure",
    "output_names",
    "replay",
    "replay_result",
    "run_batch",
    "run_experiment",
    "typical_replication",
]
