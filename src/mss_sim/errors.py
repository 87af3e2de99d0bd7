"""Exceptions raised by mss_sim.

Every error the library raises on purpose derives from :class:`MssSimError`, so a
caller can catch them all in one place while letting programming errors through.
"""

from __future__ import annotations

__all__ = ["MssSimError", "ResultsError", "ScenarioError", "SimulationError"]


class MssSimError(Exception):
    """Base class of the errors mss_sim raises on purpose."""


class ScenarioError(MssSimError, ValueError):
    """A scenario file or specification is invalid.

    The message names the file (when there is one), the key path inside it and
    what is wrong, for example
    ``gsf_2025.toml: funding.donors[2].pledge_usd: must be >= 0, got -5``.

    Parameters
    ----------
    message : str
        What is wrong.
    source : str or None
        The file name the problem was found in, if any.
    path : str or None
        The key path inside the scenario (``funding.donors[2].pledge_usd``).
    """

    def __init__(self, message: str, *, source: str | None = None, path: str | None = None):
        self.source = source
        self.path = path
        self.problem = message
        parts = [p for p in (source, path) if p]
        super().__init__(": ".join([*parts, message]))


class SimulationError(MssSimError, RuntimeError):
    """A replication could not be simulated (or every replication of a batch failed)."""


class ResultsError(MssSimError, ValueError):
    """A results directory is missing, corrupt or not an mss_sim result."""
