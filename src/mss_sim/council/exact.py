"""Exact probabilities of Security Council outcomes under the latent-support model.

Members vote independently given the shared climate of a vote, whose strength is
`correlation` (:mod:`mss_sim.council.behaviour`). :func:`adoption_probability`
and :func:`vote_distribution` are exact: dynamic programming over members,
integrated over the climate by adaptive Gauss-Legendre quadrature when the votes
are correlated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from mss_sim.council.behaviour import conditional
from mss_sim.council.rules import Propensities, VotingRule
from mss_sim.scenario.council import PERMANENT_MEMBERS

if TYPE_CHECKING:
    pass

__all__ = [
    "VoteDistribution",
    "adoption_probability",
    "check_correlation",
    "propensity_table",
    "vote_distribution",
]


def propensity_table(
    propensities: Propensities, permanent: Collection[str], seats: int | None = None
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Return the members, their propensities ``(n, 3)`` and which are permanent."""
    members = tuple(propensities)
    if seats is not None and len(members) > seats:
        raise ValueError(f"{len(members)} members for a Council of {seats} seats")
    p = np.empty((len(members), 3))
    for i, member in enumerate(members):
        row = np.asarray(propensities[member], dtype=float)
        if (
            row.shape != (3,)
            or not np.isfinite(row).all()
            or np.any(row < 0)
            or abs(row.sum() - 1.0) > 1e-9
        ):
            raise ValueError(
                f"propensities[{member!r}] must be (p_yes, p_abstain, p_no), non-negative and "
                f"summing to 1, got {propensities[member]}"
            )
        p[i] = row
    return members, p, np.array([m in permanent for m in members], dtype=bool)


def check_correlation(correlation: float) -> float:
    """Return `correlation` as a float; raise ValueError unless it is in [0, 1)."""
    if not 0.0 <= correlation < 1.0:
        raise ValueError(f"correlation must be in [0, 1), got {correlation}")
    return float(correlation)


def _shift(a: np.ndarray, axis: int, cap: bool) -> np.ndarray:
    """Move every entry one step up `axis`; with `cap`, the last entry stays put."""
    out = np.zeros_like(a)
    n = a.shape[axis]
    src = [slice(None)] * a.ndim
    dst = [slice(None)] * a.ndim
    src[axis], dst[axis] = slice(0, n - 1), slice(1, n)
    out[tuple(dst)] = a[tuple(src)]
    if cap:
        last = [slice(None)] * a.ndim
        last[axis] = slice(n - 1, n)
        out[tuple(last)] += a[tuple(last)]
    return out


def _counts(p: np.ndarray, perm: np.ndarray, rule: VotingRule, *, track_no: bool) -> np.ndarray:
    """Distribution of (yes votes, no votes, vetoes cast) over members voting independently.

    `p` has shape ``(..., members, 3)``; the result has shape ``(..., members + 1,
    members + 1 or 1, V + 1)``, the last axis counting permanent members whose vote
    blocks, capped at ``V = rule.vetoes_needed`` (no axis to speak of without a veto).
    """
    lead, n = p.shape[:-2], p.shape[-2]
    cap = rule.vetoes_needed if rule.veto else 0
    a = np.zeros((*lead, n + 1, n + 1 if track_no else 1, cap + 1))
    a[..., 0, 0, 0] = 1.0
    for i in range(n):
        py, pa, pn = (p[..., i, j][..., None, None, None] for j in range(3))
        blocks_no = bool(rule.veto and perm[i])
        blocks_abstain = blocks_no and rule.abstention_is_veto
        new = _shift(a, -3, cap=False) * py
        new += (_shift(a, -1, cap=True) if blocks_abstain else a) * pa
        moved = _shift(a, -2, cap=False) if track_no else a
        new += (_shift(moved, -1, cap=True) if blocks_no else moved) * pn
        a = new
    return a


def _outcomes(a: np.ndarray, rule: VotingRule) -> tuple[float, float, float]:
    """Return P(adopted), P(vetoed), P(failed) from a distribution of :func:`_counts`."""
    t = rule.threshold
    enough = a[..., t:, :, :]
    if rule.veto:
        vetoed = float(enough[..., -1].sum())
        adopted = float(enough[..., :-1].sum())
    else:
        vetoed, adopted = 0.0, float(enough.sum())
    failed = float(a[..., :t, :, :].sum())
    return min(1.0, adopted), min(1.0, vetoed), min(1.0, failed)


def _veto_probabilities(p: np.ndarray, perm: np.ndarray, rule: VotingRule) -> np.ndarray:
    """P(member j's vote is one of the vetoes that defeat the draft), for each member.

    Shape ``(..., members)``; zero for elected members or without a veto.
    """
    lead, n = p.shape[:-2], p.shape[-2]
    out = np.zeros((*lead, n))
    if not rule.veto:
        return out
    need = rule.vetoes_needed
    for j in np.flatnonzero(perm):
        others = np.delete(p, j, axis=-2)
        rest = _counts(others, np.delete(perm, j), rule, track_no=False)
        # Enough yes votes among the others, and at least need - 1 other vetoes.
        ok = rest[..., rule.threshold :, :, max(need - 1, 0) :].sum(axis=(-3, -2, -1))
        blocking = p[..., j, 2] + (p[..., j, 1] if rule.abstention_is_veto else 0.0)
        out[..., j] = blocking * ok
    return out


_HALF_WIDTH = 8.5  # P(|Z| > 8.5) < 2e-17
_LOW = np.polynomial.legendre.leggauss(10)
_HIGH = np.polynomial.legendre.leggauss(21)


def _integrate_climate(
    f: Callable[[np.ndarray], np.ndarray], breaks: np.ndarray, *, tol: float = 1e-10
) -> np.ndarray:
    """Integrate ``f(z) phi(z)`` over the climate ``z`` (f maps ``(m,)`` to ``(m, d)``).

    Adaptive Gauss-Legendre: each panel is integrated with 10 and 21 points; a
    panel whose two results differ by more than its share of `tol` (in any
    component) is halved, until every panel is accepted.
    """
    ends = np.array([-_HALF_WIDTH, _HALF_WIDTH])
    edges = np.unique(np.clip(np.concatenate([breaks, ends]), -_HALF_WIDTH, _HALF_WIDTH))
    lo, hi = edges[:-1], edges[1:]
    keep = hi - lo > 1e-12
    lo, hi = lo[keep], hi[keep]
    total: np.ndarray | None = None
    nodes = np.concatenate([_LOW[0], _HIGH[0]])
    for _ in range(60):
        mid, half = (lo + hi) / 2, (hi - lo) / 2
        z = (mid[:, None] + half[:, None] * nodes).ravel()
        values = f(z) * (np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi))[:, None]
        values = values.reshape(len(lo), len(nodes), -1)
        coarse = np.einsum("k,pkd->pd", _LOW[1], values[:, : len(_LOW[0])]) * half[:, None]
        fine = np.einsum("k,pkd->pd", _HIGH[1], values[:, len(_LOW[0]) :]) * half[:, None]
        error = np.abs(fine - coarse).max(axis=1)
        done = error <= tol * (hi - lo) / (2 * _HALF_WIDTH)
        part = fine[done].sum(axis=0)
        total = part if total is None else total + part
        if done.all():
            return total
        if (~done).sum() > 50_000:  # pragma: no cover - guards against a runaway split
            break
        lo, hi = lo[~done], hi[~done]
        mid = (lo + hi) / 2
        lo, hi = np.concatenate([lo, mid]), np.concatenate([mid, hi])
    raise RuntimeError("climate quadrature did not converge")  # pragma: no cover


def _over_climate(
    p: np.ndarray, correlation: float, f: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Return E[f(p(Z))] with `f` mapping propensities ``(m, n, 3)`` to ``(m, d)``."""
    if correlation == 0.0:
        out: np.ndarray = f(p[None])[0]
        return out
    s = math.sqrt(correlation)
    with np.errstate(divide="ignore"):
        centres = np.concatenate([-special.ndtri(p[:, 0]) / s, special.ndtri(p[:, 2]) / s])
    centres = np.unique(centres[np.isfinite(centres)])
    # A member's probabilities change over a width sqrt(1 - rho) / sqrt(rho) around its
    # centres; when that is narrow, panels that resolve it keep the quadrature from
    # stepping over it.
    width = math.sqrt(1.0 - correlation) / s
    steps = np.array([0.0]) if width > 0.1 else np.array([0.0, 0.5, 2.0, 6.0])
    near = (centres[:, None] + width * np.concatenate([-steps[1:], steps])).ravel()
    breaks = np.concatenate([np.linspace(-4, 4, 9), near])
    return _integrate_climate(lambda z: f(conditional(p, z, correlation)), breaks)


def adoption_probability(
    propensities: Propensities,
    *,
    rule: VotingRule | None = None,
    correlation: float = 0.0,
    permanent: Collection[str] = PERMANENT_MEMBERS,
) -> float:
    """Return the exact probability that a draft is adopted.

    Dynamic programming over members of the joint distribution of yes votes and
    vetoes; with `correlation` > 0, integrated over the shared climate by
    adaptive quadrature (accurate to about 1e-9). No sampling.

    Parameters
    ----------
    propensities : mapping of str to (p_yes, p_abstain, p_no)
        Each member's vote probabilities, by ISO3 code.
    rule : VotingRule, optional
        Defaults to :meth:`VotingRule.charter`.
    correlation : float
        Strength of the shared climate of the vote, in [0, 1); 0: independent votes.
    permanent : collection of str
        The permanent members.

    Returns
    -------
    float

    Examples
    --------
    >>> members = {m: (1.0, 0.0, 0.0) for m in "ABC DEF GHI JKL MNO PQR STU VWX YZA".split()}
    >>> members["USA"] = (0.5, 0.0, 0.5)
    >>> adoption_probability(members)
    0.5
    >>> coin = {m: (0.5, 0.5, 0.0) for m in "ABC DEF".split()}
    >>> round(adoption_probability(coin, rule=VotingRule(threshold=2), correlation=0.5), 9)
    0.333333333
    """
    rule = rule or VotingRule.charter()
    correlation = check_correlation(correlation)
    _, p, perm = propensity_table(propensities, permanent, rule.seats)

    def f(q: np.ndarray) -> np.ndarray:
        return _counts(q, perm, rule, track_no=False).reshape(len(q), -1)

    a = _over_climate(p, correlation, f).reshape(len(p) + 1, 1, -1)
    return _outcomes(a, rule)[0]


@dataclass(frozen=True)
class VoteDistribution:
    """The exact distribution of a vote's outcome.

    Attributes
    ----------
    members : tuple of str
        The voting members, in the order given.
    joint : numpy.ndarray
        ``joint[y, k]`` is the probability of ``y`` yes and ``k`` no votes (the
        other members abstain); shape ``(n + 1, n + 1)``.
    adopted, vetoed, failed : float
        Probabilities of the three outcomes (they sum to 1). A draft *fails*
        when it has too few yes votes; it is *vetoed* when it has enough but
        permanent members block it.
    veto : dict of str to float
        For each permanent member, the probability that it is among those whose
        veto defeats the draft.
    rule : VotingRule
        The rule applied.
    """

    members: tuple[str, ...]
    joint: np.ndarray = field(repr=False)
    adopted: float
    vetoed: float
    failed: float
    veto: dict[str, float]
    rule: VotingRule

    def probability(self, *, yes: int, no: int, abstain: int | None = None) -> float:
        """Return the probability of exactly `yes` yes and `no` no votes."""
        n = len(self.members)
        if abstain is not None and yes + no + abstain != n:
            return 0.0
        if not (0 <= yes <= n and 0 <= no <= n):
            return 0.0
        return float(self.joint[yes, no])

    @property
    def yes(self) -> np.ndarray:
        """The distribution of the number of yes votes, shape ``(n + 1,)``."""
        out: np.ndarray = self.joint.sum(axis=1)
        return out

    @property
    def no(self) -> np.ndarray:
        """The distribution of the number of no votes, shape ``(n + 1,)``."""
        out: np.ndarray = self.joint.sum(axis=0)
        return out

    @property
    def abstain(self) -> np.ndarray:
        """The distribution of the number of abstentions, shape ``(n + 1,)``."""
        n = len(self.members)
        y, k = np.indices(self.joint.shape)
        return np.bincount((n - y - k).clip(0).ravel(), weights=self.joint.ravel(), minlength=n + 1)


def vote_distribution(
    propensities: Propensities,
    *,
    rule: VotingRule | None = None,
    correlation: float = 0.0,
    permanent: Collection[str] = PERMANENT_MEMBERS,
) -> VoteDistribution:
    """Return the exact joint distribution of yes/no/abstain counts and of vetoes.

    Parameters are those of :func:`adoption_probability`.

    Returns
    -------
    VoteDistribution

    Examples
    --------
    >>> members = {m: (0.9, 0.1, 0.0) for m in "ABC DEF GHI JKL MNO PQR STU VWX YZA BCD".split()}
    >>> members |= {"USA": (1.0, 0.0, 0.0), "GBR": (1.0, 0.0, 0.0), "FRA": (1.0, 0.0, 0.0),
    ...             "CHN": (0.1, 0.8, 0.1), "RUS": (0.1, 0.7, 0.2)}
    >>> d = vote_distribution(members)
    >>> round(d.adopted + d.vetoed + d.failed, 12)
    1.0
    >>> round(d.veto["RUS"], 4), round(d.probability(yes=15, no=0), 6)
    (0.1997, 0.003487)
    """
    rule = rule or VotingRule.charter()
    correlation = check_correlation(correlation)
    members, p, perm = propensity_table(propensities, permanent, rule.seats)
    n = len(members)

    def f(q: np.ndarray) -> np.ndarray:
        counts = _counts(q, perm, rule, track_no=True).reshape(len(q), -1)
        return np.concatenate([counts, _veto_probabilities(q, perm, rule)], axis=1)

    flat = _over_climate(p, correlation, f)
    size = len(flat) - n
    a = flat[:size].reshape(n + 1, n + 1, -1)
    adopted, vetoed, failed = _outcomes(a, rule)
    veto = {m: float(min(1.0, flat[size + i])) for i, m in enumerate(members) if perm[i]}
    return VoteDistribution(members, a.sum(axis=-1), adopted, vetoed, failed, veto, rule)
