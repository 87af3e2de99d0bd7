"""Security Council decision rules as pure functions.

Article 27(3) of the UN Charter, as practised since 1946: a substantive draft is
adopted with at least nine affirmative votes and no negative vote of a permanent
member; a permanent member's abstention is not a veto. As in the UN's own
record, a draft that does not get nine votes has *failed*, whatever the
permanent members voted; a permanent member's no *vetoes* a draft that had the
votes. :class:`VotingRule` also describes structural variants (procedural
votes, no veto, a veto that needs two permanent members, abstention counted as
a veto, the eleven-member Council before 1966, other thresholds).

The probabilities of these outcomes are in :mod:`mss_sim.council.exact`, and
ballots are drawn in :mod:`mss_sim.council.sampling`.

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
from typing import TYPE_CHECKING

import numpy as np

from mss_sim.scenario.council import PERMANENT_MEMBERS, RULE_PRESETS

if TYPE_CHECKING:
    from mss_sim.scenario.council import Rule

__all__ = ["Decision", "Propensities", "Vote", "VotingRule", "decide", "tally"]

Propensities = Mapping[str, tuple[float, float, float]]


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
        Whether permanent members can veto.
    vetoes_needed : int
        How many permanent members must cast a veto to defeat a draft.
    abstention_is_veto : bool
        Whether a permanent member's abstention counts as a veto.
    seats : int
        Members of the Council.

    Examples
    --------
    >>> VotingRule.charter()
    VotingRule(threshold=9, veto=True, vetoes_needed=1, abstention_is_veto=False, seats=15)
    >>> VotingRule.named("pre_1966").threshold
    7
    """

    threshold: int = 9
    veto: bool = True
    vetoes_needed: int = 1
    abstention_is_veto: bool = False
    seats: int = 15

    def __post_init__(self) -> None:
        if self.seats < 1:
            raise ValueError(f"seats must be >= 1, got {self.seats}")
        if not 1 <= self.threshold <= self.seats:
            raise ValueError(f"threshold must be in [1, seats={self.seats}], got {self.threshold}")
        if self.vetoes_needed < 1:
            raise ValueError(f"vetoes_needed must be >= 1, got {self.vetoes_needed}")

    @classmethod
    def named(cls, name: str) -> VotingRule:
        """Return a named rule: one of ``charter``, ``procedural``, ``no_veto``,
        ``double_veto``, ``abstention_veto``, ``pre_1966``."""
        try:
            preset = RULE_PRESETS[name]
        except KeyError:
            raise ValueError(
                f"unknown voting rule {name!r}; expected one of {', '.join(RULE_PRESETS)}"
            ) from None
        return cls(**preset)  # type: ignore[arg-type]

    @classmethod
    def from_spec(cls, spec: Rule) -> VotingRule:
        """Return the rule a scenario's ``rule`` entry describes."""
        return cls(**spec.parameters())  # type: ignore[arg-type]

    @classmethod
    def charter(cls) -> VotingRule:
        """Article 27(3) as practised: nine yes votes, no permanent member voting no."""
        return cls.named("charter")

    @classmethod
    def procedural(cls) -> VotingRule:
        """Procedural matters (Article 27(2)): nine votes, no veto."""
        return cls.named("procedural")

    @classmethod
    def no_veto(cls, threshold: int = 9) -> VotingRule:
        """No veto at all: `threshold` yes votes adopt."""
        return cls(threshold=threshold, veto=False)

    @classmethod
    def double_veto(cls) -> VotingRule:
        """A veto needs the negative votes of two permanent members."""
        return cls.named("double_veto")

    @classmethod
    def abstention_veto(cls) -> VotingRule:
        """A permanent member's abstention counts as a veto ("concurring votes")."""
        return cls.named("abstention_veto")

    @classmethod
    def pre_1966(cls) -> VotingRule:
        """The eleven-member Council before 1966: seven votes, with the veto."""
        return cls.named("pre_1966")

    def blocks(self, vote: Vote) -> bool:
        """Whether a permanent member's `vote` counts towards a veto under this rule."""
        return self.veto and (vote is Vote.NO or (self.abstention_is_veto and vote is Vote.ABSTAIN))


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of a vote.

    Attributes
    ----------
    adopted : bool
        Whether the draft passed.
    vetoed_by : tuple of str
        Permanent members whose vetoes defeated a draft that had enough votes
        (sorted); empty when there was no veto.
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
        Each voting member's ballot, by ISO3 code (absent members are left out).
    rule : VotingRule, optional
        Defaults to :meth:`VotingRule.charter`.
    permanent : collection of str
        The permanent members (default: CHN, FRA, GBR, RUS, USA).

    Returns
    -------
    Decision

    Raises
    ------
    ValueError
        If a ballot is not -1, 0 or 1, or there are more ballots than seats.

    Examples
    --------
    >>> ballots = {m: Vote.YES for m in "ABC DEF GHI JKL MNO PQR STU VWX YZA BCD".split()}
    >>> ballots.update({"USA": Vote.YES, "GBR": Vote.YES, "FRA": Vote.YES, "CHN": Vote.YES,
    ...                 "RUS": Vote.NO})
    >>> decide(ballots)
    Decision(adopted=False, vetoed_by=('RUS',), yes=14, no=1, abstain=0)
    >>> decide(ballots, rule=VotingRule.double_veto()).adopted
    True
    """
    rule = rule or VotingRule.charter()
    if len(ballots) > rule.seats:
        raise ValueError(f"{len(ballots)} ballots for a Council of {rule.seats} seats")
    members = tuple(ballots)
    votes = np.array([Vote(b) for b in ballots.values()], dtype=np.int8)
    return tally(members, votes, np.array([m in permanent for m in members], dtype=bool), rule)


def tally(
    members: tuple[str, ...], votes: np.ndarray, permanent: np.ndarray, rule: VotingRule
) -> Decision:
    """Decide a draft from arrays of votes (+1, 0, -1) and a permanent-member mask.

    The unchecked core of :func:`decide`, for callers that hold arrays.
    """
    ballots = votes.tolist()
    yes = ballots.count(1)
    no = ballots.count(-1)
    enough = yes >= rule.threshold
    vetoed_by: tuple[str, ...] = ()
    if enough and rule.veto:
        abstention = rule.abstention_is_veto
        blocking = [
            member
            for member, vote, is_permanent in zip(members, ballots, permanent.tolist(), strict=True)
            if is_permanent and (vote == -1 or (abstention and vote == 0))
        ]
        if len(blocking) >= rule.vetoes_needed:
            vetoed_by = tuple(sorted(blocking))
    return Decision(enough and not vetoed_by, vetoed_by, yes, no, len(votes) - yes - no)
