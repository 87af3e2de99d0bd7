"""How members vote: the latent-support model behind propensities.

Member ``i`` has a latent support ``U_i = sqrt(rho) Z + sqrt(1 - rho) e_i`` for a
draft, with ``Z`` the shared climate of the vote and ``e_i`` its own shock, both
standard normal. It votes yes when ``U_i > -Phi^-1(p_yes)``, no when
``U_i < Phi^-1(p_no)`` and abstains in between, so that its marginal
probabilities are exactly its propensities ``(p_yes, p_abstain, p_no)`` whatever
the correlation ``rho`` between two members' support. Given the climate ``Z = z``
the members vote independently with

    p_yes(z) = Phi((Phi^-1(p_yes) + sqrt(rho) z) / sqrt(1 - rho))
    p_no(z)  = Phi((Phi^-1(p_no)  - sqrt(rho) z) / sqrt(1 - rho))

Context moves a member by shifting the mean of its latent support by ``delta``
standard deviations: ``p_yes -> Phi(Phi^-1(p_yes) + delta)`` and
``p_no -> Phi(Phi^-1(p_no) - delta)``. The shifted propensities are again valid
(the abstention band keeps its width on the latent scale).

Examples
--------
>>> from mss_sim.council.behaviour import shift
>>> [round(p, 4) for p in shift((0.5, 0.3, 0.2), 0.0)]
[0.5, 0.3, 0.2]
>>> y, a, n = shift((0.5, 0.3, 0.2), 1.0)
>>> round(y, 4), round(n, 4)
(0.8413, 0.0328)
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

__all__ = ["conditional", "shift", "shift_latent", "shift_many"]


def shift(propensity: tuple[float, float, float], delta: float) -> tuple[float, float, float]:
    """Return `propensity` moved by `delta` standard deviations of latent support.

    Parameters
    ----------
    propensity : (p_yes, p_abstain, p_no)
        The member's vote probabilities.
    delta : float
        The shift: positive towards yes, negative towards no.

    Returns
    -------
    tuple of float
        The shifted ``(p_yes, p_abstain, p_no)``, summing to 1.
    """
    p_yes, _, p_no = propensity
    if delta == 0.0:
        return propensity
    yes = float(special.ndtr(special.ndtri(p_yes) + delta))
    no = float(special.ndtr(special.ndtri(p_no) - delta))
    return yes, max(0.0, 1.0 - yes - no), no


def shift_many(p: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Return the rows ``(p_yes, p_abstain, p_no)`` of `p` shifted by `delta` (one per row)."""
    return shift_latent(special.ndtri(p[:, 0]), special.ndtri(p[:, 2]), delta)


def shift_latent(z_yes: np.ndarray, z_no: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """:func:`shift_many` from the latent thresholds ``ndtri(p_yes)`` and ``ndtri(p_no)``.

    For callers that shift the same propensities often and keep their thresholds.
    """
    shifted = np.empty((len(z_yes), 3))
    yes = shifted[:, 0] = special.ndtr(z_yes + delta)
    no = shifted[:, 2] = special.ndtr(z_no - delta)
    shifted[:, 1] = np.maximum(1.0 - yes - no, 0.0)
    return shifted


def conditional(p: np.ndarray, z: np.ndarray, correlation: float) -> np.ndarray:
    """Return every member's vote probabilities given the climate of the vote.

    Parameters
    ----------
    p : numpy.ndarray
        Shape ``(members, 3)``: each member's ``(p_yes, p_abstain, p_no)``.
    z : numpy.ndarray
        Shape ``(nodes,)``: values of the shared climate ``Z``.
    correlation : float
        ``rho`` in [0, 1).

    Returns
    -------
    numpy.ndarray
        Shape ``(nodes, members, 3)``.
    """
    s, c = math.sqrt(correlation), math.sqrt(1.0 - correlation)
    zz = z[:, None]
    yes = special.ndtr((special.ndtri(p[:, 0]) + s * zz) / c)
    no = special.ndtr((special.ndtri(p[:, 2]) - s * zz) / c)
    return np.stack([yes, np.clip(1.0 - yes - no, 0.0, None), no], axis=-1)
