"""Article 27 decisions and exact adoption probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mss_sim.council import Decision, Vote, VotingRule, adoption_probability, decide

P5 = ("CHN", "FRA", "GBR", "RUS", "USA")
E10 = ("DZA", "DNK", "GRC", "GUY", "PAK", "PAN", "KOR", "SLE", "SVN", "SOM")
MEMBERS = P5 + E10


def ballots(yes=(), no=(), abstain=()):
    out = dict.fromkeys(yes, Vote.YES) | dict.fromkeys(no, Vote.NO)
    return out | dict.fromkeys(abstain, Vote.ABSTAIN)


def test_nine_yes_with_permanent_abstention_adopts():
    b = ballots(yes=E10[:9], abstain=("CHN", "RUS", "USA", "GBR", "FRA", E10[9]))
    assert decide(b) == Decision(True, (), 9, 0, 6)


def test_fourteen_yes_and_one_permanent_no_is_vetoed():
    b = ballots(yes=[m for m in MEMBERS if m != "RUS"], no=("RUS",))
    assert decide(b) == Decision(False, ("RUS",), 14, 1, 0)


def test_eight_yes_fails_without_veto():
    b = ballots(yes=E10[:8], abstain=P5 + E10[8:])
    assert decide(b) == Decision(False, (), 8, 0, 7)


def test_elected_no_votes_are_not_vetoes():
    b = ballots(yes=P5 + E10[:5], no=E10[5:])
    assert decide(b) == Decision(True, (), 10, 5, 0)


def test_double_veto_is_sorted():
    b = ballots(yes=E10 + ("FRA", "GBR", "USA"), no=("RUS", "CHN"))
    assert decide(b).vetoed_by == ("CHN", "RUS")


def test_rule_without_veto_and_other_threshold():
    b = ballots(yes=MEMBERS[:7], no=MEMBERS[7:])
    assert not decide(b).adopted
    assert decide(b, rule=VotingRule(threshold=7, veto=False)).adopted
    assert decide(b, rule=VotingRule(threshold=7, veto=True)).adopted  # no P5 said no
    b = ballots(yes=MEMBERS[1:], no=("CHN",))
    assert decide(b, rule=VotingRule(threshold=9, veto=False)) == Decision(True, (), 14, 1, 0)


def test_integer_ballots_are_accepted_and_checked():
    assert decide(dict.fromkeys(MEMBERS, 1)).adopted
    with pytest.raises(ValueError):
        decide({"USA": 2})
    with pytest.raises(ValueError):
        VotingRule(threshold=0)


def test_custom_permanent_members():
    b = ballots(yes=MEMBERS[:14], no=("SOM",))
    assert decide(b, permanent=("SOM",)).vetoed_by == ("SOM",)


def test_adoption_probability_exact_cases():
    certain_yes = dict.fromkeys(MEMBERS, (1.0, 0.0, 0.0))
    assert adoption_probability(certain_yes) == 1.0
    nine = dict.fromkeys(MEMBERS[:9], (1.0, 0.0, 0.0)) | dict.fromkeys(MEMBERS[9:], (0.0, 1.0, 0.0))
    assert adoption_probability(nine) == 1.0
    eight = dict.fromkeys(MEMBERS[:8], (1.0, 0.0, 0.0)) | dict.fromkeys(E10[3:], (0.0, 0.0, 1.0))
    assert adoption_probability(eight) == 0.0
    coin_veto = certain_yes | {"RUS": (0.5, 0.0, 0.5)}
    assert adoption_probability(coin_veto) == pytest.approx(0.5, abs=1e-15)
    assert adoption_probability(coin_veto, rule=VotingRule(veto=False)) == 1.0


def test_adoption_probability_two_independent_vetoes_multiply():
    p = dict.fromkeys(MEMBERS, (1.0, 0.0, 0.0)) | {"RUS": (0.3, 0.3, 0.4), "CHN": (0.0, 0.8, 0.2)}
    assert adoption_probability(p) == pytest.approx(0.6 * 0.8, abs=1e-14)


def test_adoption_probability_binomial_threshold():
    # Fifteen elected-like members with p_yes = 0.6, no vetoes: P(Bin(15, 0.6) >= 9).
    from scipy import stats

    p = dict.fromkeys(MEMBERS, (0.6, 0.4, 0.0))
    expected = float(stats.binom.sf(8, 15, 0.6))
    assert adoption_probability(p) == pytest.approx(expected, abs=1e-14)


def test_adoption_probability_rejects_bad_propensities():
    with pytest.raises(ValueError, match="USA"):
        adoption_probability({"USA": (0.5, 0.5, 0.5)})
    with pytest.raises(ValueError):
        adoption_probability({"USA": (1.2, -0.2, 0.0)})


def _simulated_adoption(p: dict, draws: int, rng: np.random.Generator) -> float:
    members = list(p)
    probs = np.array([p[m] for m in members])
    u = rng.random((draws, len(members)))
    votes = np.where(u < probs[:, 0], 1, np.where(u < probs[:, 0] + probs[:, 1], 0, -1))
    adopted = 0
    for row in votes:
        adopted += decide(dict(zip(members, row.tolist(), strict=True))).adopted
    return adopted / draws


@settings(max_examples=12, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1))
def test_adoption_probability_matches_simulation(seed):
    rng = np.random.default_rng(seed)
    # Random propensities: elected members mostly favourable, permanent ones mixed.
    p = {}
    for m in MEMBERS:
        w = rng.dirichlet([6.0, 2.0, 1.0] if m in E10 else [4.0, 2.0, 0.6])
        p[m] = (float(w[0]), float(w[1]), float(1.0 - w[0] - w[1]))
    exact = adoption_probability(p)
    draws = 4000
    sim = _simulated_adoption(p, draws, rng)
    se = max(np.sqrt(exact * (1 - exact) / draws), 1e-3)
    assert abs(sim - exact) <= 3 * se + 1e-12
