"""Monte Carlo batches: seeding, backends and results."""

from mss_sim.batch.results import BatchResult, Failure
from mss_sim.batch.runner import output_names, run_batch

__all__ = ["BatchResult", "Failure", "output_names", "run_batch"]
