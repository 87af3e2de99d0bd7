"""Drawing Security Council ballots from the latent-support model.

The same model as the exact probabilities of :mod:`mss_sim.council.exact`: a
shared climate of strength `correlation` and one shock per member.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from mss_sim.council.exact import check_correlation, propensity_table
from mss_sim.council.rules import Propensities

if TYPE_CHECKING:
    pass

__all__ = ["draw_ballots", "sample_ballots"]


def sample_ballots(
    propensities: Propensities,
    *,
    correlation: float = 0.0,
    size: int,
    rng: np.random.Generator | int,
) -> np.ndarray:
    """Draw ballots from the latent-support model (see :mod:`mss_sim.council.behaviour`).

    Draws `size` climate values, then `size` shocks per member, from `rng`.

    Parameters
    ----------
    propensities : mapping of str to (p_yes, p_abstain, p_no)
        Each member's vote probabilities.
    correlation : float
        Strength of the shared climate, in [0, 1).
    size : int
        Number of votes to draw.
    rng : numpy.random.Generator or int
        The generator (or a seed for a new one).

    Returns
    -------
    numpy.ndarray
        ``int8`` of shape ``(size, members)``: +1 yes, 0 abstain, -1 no, columns in
        the order of `propensities`.

    Examples
    --------
    >>> import numpy as np
    >>> b = sample_ballots({"USA": (1, 0, 0), "RUS": (0, 0, 1)}, size=3, rng=1)
    >>> b.tolist()
    [[1, -1], [1, -1], [1, -1]]
    """
    correlation = check_correlation(correlation)
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 0:
        raise ValueError(f"size must be a non-negative integer, got {size!r}")
    _, p, _ = propensity_table(propensities, ())
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    return draw_ballots(p, correlation, int(size), gen)


def draw_ballots(
    p: np.ndarray, correlation: float, size: int, rng: np.random.Generator
) -> np.ndarray:
    """Draw `size` votes of members with propensities `p` (shape ``(members, 3)``).

    The unchecked core of :func:`sample_ballots`, for callers that hold arrays.
    """
    climate = rng.standard_normal(size)
    own = rng.standard_normal((size, len(p)))
    support = math.sqrt(correlation) * climate[:, None] + math.sqrt(1.0 - correlation) * own
    with np.errstate(divide="ignore"):
        yes_above = -special.ndtri(p[:, 0])
        no_below = special.ndtri(p[:, 2])
    ballots = np.where(support > yes_above, 1, np.where(support < no_below, -1, 0))
    return ballots.astype(np.int8)
