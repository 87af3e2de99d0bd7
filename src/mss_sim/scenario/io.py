"""Loading scenario files: :func:`load_scenario` and the helpers it builds on."""

from __future__ import annotations

from pathlib import Path

from mss_sim.scenario.spec import Scenario, scenario_from_dict
from mss_sim.scenario.toml import bundled_scenarios, load_raw, merge

__all__ = ["bundled_scenarios", "load_raw", "load_scenario", "merge", "scenario_from_dict"]


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A TOML scenario file, such as ``scenarios/gsf_2025.toml``, or the name of a
        bundled scenario (``gsf_2025``; ``mss-sim list`` shows them).

    Returns
    -------
    Scenario
        The validated, frozen scenario.

    Raises
    ------
    ScenarioError
        If the file cannot be read, is not valid TOML, extends a missing file or
        itself, or does not describe a valid scenario, or if a name is neither a
        file nor a bundled scenario (the message lists the bundled ones). The message names the file
        and the key path: ``gsf_2025.toml: funding.donors[2].pledge_usd: must be
        >= 0, got -5``.

    Examples
    --------
    >>> import mss_sim
    >>> sc = mss_sim.load_scenario("scenarios/gsf_2025.toml")
    >>> sc.name
    'gsf_2025'
    >>> mss_sim.load_scenario("mss_2024").scenario.horizon_months
    13
    """
    return Scenario.from_toml(path)
