"""Security Council decision rules: ballots, Article 27 and its variants, exact probabilities."""

from mss_sim.council.behaviour import shift
from mss_sim.council.rules import (
    Decision,
    Vote,
    VoteDistribution,
    VotingRule,
    adoption_probability,
    decide,
    sample_ballots,
    vote_distribution,
)

__all__ = [
    "Decision",
    "Vote",
    "VoteDistribution",
    "VotingRule",
    "adoption_probability",
    "decide",
    "sample_ballots",
    "shift",
    "vote_distribution",
]
