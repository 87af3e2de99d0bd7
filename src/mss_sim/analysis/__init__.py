"""Analysis of batch results: summaries with confidence intervals."""

from mss_sim.analysis.summary import (
    Summary,
    SummaryRow,
    mean_interval,
    summarise,
    wilson_interval,
)

__all__ = ["Summary", "SummaryRow", "mean_interval", "summarise", "wilson_interval"]
