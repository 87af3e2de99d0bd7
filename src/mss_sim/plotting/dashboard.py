"""A one-page dashboard of a result (or two, compared)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mss_sim.plotting._style import COLOURS, subtitle
from mss_sim.plotting.distributions import plot_compare, plot_distribution, plot_probabilities
from mss_sim.plotting.fans import plot_deployment, plot_fan, plot_money

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from mss_sim.batch.results import BatchResult
    from mss_sim.model.outputs import Replication

__all__ = ["KEY_PROBABILITIES", "key_probabilities", "plot_dashboard"]

KEY_PROBABILITIES = (
    "target_reached",
    "mandate_active_at_end",
    "mandate_lapsed",
)
"""The probabilities the dashboard shows, with each draft's adoption after them."""


def key_probabilities(result: BatchResult, compare: BatchResult | None = None) -> list[str]:
    """:data:`KEY_PROBABILITIES` and each draft's adoption, those `result` (and
    `compare`) have."""
    drafts = [n for n in result.scalars if n.endswith(".adopted")]
    names = [n for n in (*KEY_PROBABILITIES, *drafts) if n in result.scalars]
    return [n for n in names if compare is None or n in compare.scalars]


def plot_dashboard(
    result: BatchResult,
    *,
    compare: BatchResult | None = None,
    typical: Replication | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Six panels on one page: deployment, money, time to target, key probabilities,
    and gang control and killings (or, without a security model, peak strength and
    money received).

    Parameters
    ----------
    result : BatchResult
    compare : BatchResult, optional
        A second result overlaid on every panel.
    typical : Replication, optional
        A replication with events to draw on the deployment panel.
    fig : matplotlib Figure, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import mss_sim
    >>> from mss_sim.plotting import plot_dashboard
    >>> res = mss_sim.run_batch(mss_sim.load_scenario("gsf_2025"), 20, seed=1)
    >>> len(plot_dashboard(res).axes) >= 6
    True
    """
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(16, 13), layout="constrained")
    grid = fig.subplots(3, 2)
    ax = grid.ravel()
    security = "gang_control" in result.series and (
        compare is None or "gang_control" in compare.series
    )
    if compare is None:
        plot_deployment(result, ax=ax[0], typical=typical)
        plot_money(result, ax=ax[1])
        plot_distribution(result, "months_to_target", ax=ax[2])
        plot_probabilities(result, key_probabilities(result), ax=ax[3])
        if security:
            plot_fan(result, "gang_control", ax=ax[4])
            plot_fan(result, "killings", ax=ax[5], color=COLOURS[1])
        else:
            plot_distribution(result, "peak_deployed", ax=ax[4])
            plot_distribution(result, "total_received_usd", ax=ax[5])
    else:
        shared = key_probabilities(result, compare)
        plot_compare(result, compare, "deployed", ax=ax[0])
        plot_compare(result, compare, "unpaid_obligations", ax=ax[1])
        plot_compare(result, compare, "months_to_target", ax=ax[2])
        plot_probabilities(result, shared, ax=ax[3], compare=compare)
        more = ("gang_control", "killings") if security else ("peak_deployed", "total_received_usd")
        for axis, name in zip(ax[4:], more, strict=True):
            plot_compare(result, compare, name, ax=axis)
    fig.suptitle(subtitle(result, *([compare] if compare is not None else [])), fontsize="large")
    return fig
