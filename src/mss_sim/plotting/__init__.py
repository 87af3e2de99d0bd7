"""Figures of results. matplotlib is imported only by this package and by the parts
that draw with it (the report and the command line), never by ``import mss_sim``.

Every function that draws one panel takes ``ax=None`` (a new figure is made when
it is None) and returns the :class:`matplotlib.axes.Axes` it drew on; those that
draw several (:func:`plot_security`, :func:`plot_dashboard`) take ``fig=None`` and
return the :class:`matplotlib.figure.Figure`. Titles, units and axis labels come
from the output registry (:mod:`mss_sim.catalog`); money is in US$ millions,
series are on calendar dates.

Examples
--------
>>> import mss_sim
>>> from mss_sim import plotting
>>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")  # doctest: +SKIP
>>> res = mss_sim.run_batch(sc, 100, seed=1)  # doctest: +SKIP
>>> ax = plotting.plot_deployment(res)  # doctest: +SKIP
>>> ax.figure.savefig("deployed.svg")  # doctest: +SKIP
"""

from mss_sim.plotting.dashboard import plot_dashboard
from mss_sim.plotting.distributions import plot_compare, plot_distribution, plot_probabilities
from mss_sim.plotting.fans import plot_deployment, plot_fan, plot_money, plot_security
from mss_sim.plotting.sensitivity import plot_sensitivity
from mss_sim.plotting.timeline import plot_timeline

__all__ = [
    "plot_compare",
    "plot_dashboard",
    "plot_deployment",
    "plot_distribution",
    "plot_fan",
    "plot_money",
    "plot_probabilities",
    "plot_security",
    "plot_sensitivity",
    "plot_timeline",
]
