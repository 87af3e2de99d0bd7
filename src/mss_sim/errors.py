"""Exceptions raised by mss_sim.

Every error the library raises on purpose derives from :class:`MssSimError`, so a
caller can catch them all in one place while letting programming errors through.
"""

from __future__ import annotations

__all__ = [
    "BatchError",
    "BatchInterrupted",
    "MssSimError",
    "ResultsError",
    "ScenarioError",
    "SimulationError",
]


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
    further : int
        How many more problems were found besides this one (the message lists
        the next few on a second line).
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        path: str | None = None,
        further: int = 0,
    ):
        self.source = source
        self.path = path
        self.problem = message
        self.further = further
        parts = [p for p in (source, path) if p]
        super().__init__(": ".join([*parts, message]))


class SimulationError(MssSimError, RuntimeError):
    """A replication could not be simulated (or every replication of a batch failed)."""


class ResultsError(MssSimError, ValueError):
    """A results directory is missing, corrupt or not an mss_sim result."""


class BatchError(MssSimError, RuntimeError):
    """A batch cannot start or go on: a bad results directory, a missing
    ``if __name__ == "__main__":`` guard, worker processes that cannot start."""


class BatchInterrupted(KeyboardInterrupt):
    """A batch stopped by SIGINT (Ctrl-C) or SIGTERM; the finished chunks are kept.

    A subclass of :class:`KeyboardInterrupt`, so an interrupted batch stops a
    script or a notebook cell as Ctrl-C always does.

    Attributes
    ----------
    signal : int
        The signal's number (``signal.SIGINT`` or ``signal.SIGTERM``).
    done : int
        Replications finished, saved ones included.
    runs : int
        Replications asked for.
    out : str or None
        The results directory holding the finished chunks (None without one).
    """

    def __init__(self, message: str, *, signal: int, done: int, runs: int, out: str | None):
        super().__init__(message)
        self.signal = signal
        self.done = done
        self.runs = runs
        self.out = out
