"""Security Council decision rules: ballots, Article 27 and its variants, exact probabilities."""

from mss_sim.council.behaviour import shift
from mss_sim.council.exact import VoteDistribution, adoption_probability, vote_distribution
from mss_sim.council.rules import Decision, Vote, VotingRule, decide
from mss_sim.council.sampling import sample_ballots

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
