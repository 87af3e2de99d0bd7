"""Security Council decision rules as pure functions.

Article 27(3) of the UN Charter, as practised since 1946: a substantive draft is
adopted with at least nine affirmative votes and no negative vote of a permanent
member; a permanent member's abstention is not a veto.

Examples
--------
>>> from mss_sim.council import Vote, decide
>>> p5 = {"CHN": Vote.ABSTAIN, "RUS": Vote.ABSTAIN, "USA": Vote.YES, "GBR": Vote.YES,
...       "FRA": Vote.YES}
>>> elected = {m: Vote.YES for m in ["DZA", "DNK", "GRC", "GUY", "PAK", "PAN", "KOR", "SLE",
...                                   "SVN", "SOM"]}
>>> decide({**p5, **elected})
Decision(adopted=True, vetoed_by=(), yes=13, no=0, abstain=2)
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from mss_sim.scenario.spec import PERMANENT_MEMBERS

__all__ = ["Decision", "Vote", "VotingRule", "adoption_probability", "decide"]


class Vote(enum.IntEnum):
    """A member's vote: +1 yes, 0 abstain, -1 no."""

    NO = -1
    ABSTAIN = 0
    YES = 1


@dataclass(frozen=True, slots=True)
class VotingRule:
    """How ballots become a decision.

    Parameters
    ----------
    threshold : int
        Affirmative votes needed.
    veto : bool
        Whether a negative vote of a permanent member defeats the draft.

    Examples
    --------
    >>> VotingRule.charter()
    VotingRule(threshold=9, veto=True)
    """

    threshold: int = 9
    veto: bool = True

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError(f"threshold must be >= 1, got {self.threshold}")

    @classmethod
    def charter(cls) -> VotingRule:
        """The Charter rule for substantive matters: nine yes votes, no permanent no."""
        return cls(threshold=9, veto=True)


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of a vote.

    Attributes
    ----------
    adopted : bool
        Whether the draft passed.
    vetoed_by : tuple of str
        Permanent members whose negative vote defeated it (sorted); empty when
        there was no veto (or the rule has none).
    yes, no, abstain : int
        Vote counts.
    """

    adopted: bool
    vetoed_by: tuple[str, ...]
    yes: int
    no: int
    abstain: int


def decide(
    ballots: Mapping[str, Vote | int],
    *,
    rule: VotingRule | None = None,
    permanent: Collection[str] = PERMANENT_MEMBERS,
) -> Decision:
    """Decide a draft from the members' ballots.

    Parameters
    ----------
    ballots : mapping of str to Vote
        Each voting member's ballot, by ISO3 code.
    rule : VotingRule, optional
        Defaults to :meth:`VotingRule.charter`.
    permanent : collection of str
        The permanent members (default: CHN, FRA, GBR, RUS, USA).

    Returns
    -------
    Decision

    Examples
    --------
    >>> ballots = {m: Vote.YES for m in "ABC DEF GHI JKL MNO PQR STU VWX YZA BCD".split()}
    >>> ballots.update({"USA": Vote.YES, "GBR": Vote.YES, "FRA": Vote.YES, "CHN": Vote.YES,
    ...                 "RUS": Vote.NO})
    >>> decide(ballots)
    Decision(adopted=False, vetoed_by=('RUS',), yes=14, no=1, abstain=0)
    """
    rule = rule or VotingRule.charter()
    yes = no = abstain = 0
    vetoes = []
    for member, ballot in ballots.items():
        vote = Vote(ballot)
        if vote is Vote.YES:
            yes += 1
        elif vote is Vote.NO:
            no += 1
            if rule.veto and member in permanent:
                vetoes.append(member)
        else:
            abstain += 1
    vetoed_by = tuple(sorted(vetoes))
    return Decision(
        adopted=yes >= rule.threshold and not vetoed_by,
        vetoed_by=vetoed_by,
        yes=yes,
        no=no,
        abstain=abstain,
    )


def _check_propensity(member: str, p: tuple[float, float, float]) -> np.ndarray:
    arr = np.asarray(p, dtype=float)
    if arr.shape != (3,) or np.any(arr < 0) or abs(arr.sum() - 1.0) > 1e-9:
        raise ValueError(
            f"propensities[{member!r}] must be (p_yes, p_abstain, p_no), non-negative and "
            f"summing to 1, got {p}"
        )
    return arr


def adoption_probability(
    propensities: Mapping[str, tuple[float, float, float]],
    *,
    rule: VotingRule | None = None,
    permanent: Collection[str] = PERMANENT_MEMBERS,
) -> float:
    """Return the exact probability that a draft is adopted, members voting independently.

    Dynamic programming over members of the distribution of the number of yes
    votes, restricted to outcomes with no permanent member voting no (when the
    rule has a veto); no sampling.

    Parameters
    ----------
    propensities : mapping of str to (p_yes, p_abstain, p_no)
        Each member's vote probabilities, by ISO3 code.
    rule : VotingRule, optional
        Defaults to :meth:`VotingRule.charter`.
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
    """
    rule = rule or VotingRule.charter()
    n = len(propensities)
    yes_count = np.zeros(n + 1)
    yes_count[0] = 1.0
    for member, p in propensities.items():
        p_yes, p_abstain, p_no = _check_propensity(member, p)
        stay = p_abstain if (rule.veto and member in permanent) else p_abstain + p_no
        shifted = np.zeros_like(yes_count)
        shifted[1:] = yes_count[:-1] * p_yes
        yes_count = yes_count * stay + shifted
    return float(min(1.0, yes_count[rule.threshold :].sum()))
