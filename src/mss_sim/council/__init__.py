"""Security Council decision rules: ballots, Article 27 and exact adoption probabilities."""

from mss_sim.council.rules import Decision, Vote, VotingRule, adoption_probability, decide

__all__ = ["Decision", "Vote", "VotingRule", "adoption_probability", "decide"]
