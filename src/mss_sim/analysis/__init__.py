"""Analysis of batch results: summaries with confidence intervals, paired comparisons,
the record's milestones (:mod:`mss_sim.analysis.backtest`)."""

from mss_sim.analysis.backtest import Backtest, backtest, load_record
from mss_sim.analysis.compare import Comparison, PairedDifference, compare, paired_difference
from mss_sim.statistics import mean_interval, wilson_interval
from mss_sim.summary import Summary, SummaryRow, summarise

__all__ = [
    "Backtest",
    "Comparison",
    "PairedDifference",
    "Summary",
    "SummaryRow",
    "backtest",
    "compare",
    "load_record",
    "mean_interval",
    "paired_difference",
    "summarise",
    "wilson_interval",
]
