"""Analysis of batch results: summaries with confidence intervals, paired comparisons."""

from mss_sim.analysis.compare import PairedDifference, paired_difference
from mss_sim.statistics import (
    Summary,
    SummaryRow,
    mean_interval,
    summarise,
    wilson_interval,
)

__all__ = [
    "PairedDifference",
    "Summary",
    "SummaryRow",
    "mean_interval",
    "paired_difference",
    "summarise",
    "wilson_interval",
]
