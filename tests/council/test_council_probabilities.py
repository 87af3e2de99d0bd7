"""Voting-rule variants, exact vote probabilities with correlated members, sampling and shifts."""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import replace

import numpy as np
import pytest
from scipy import integrate, stats

from mss_sim.council import (
    Decision,
    Vote,
    VotingRule,
    adoption_probability,
    decide,
    sample_ballots,
    vote_distribution,
)
from mss_sim.council.behaviour import conditional, shift, shift_many
from mss_sim.scenario import RULE_PRESETS, Rule

P5 = ("CHN", "FRA", "GBR", "RUS", "USA")
E10 = ("DZA", "DNK", "GRC", "GUY", "PAK", "PAN", "KOR", "SLE", "SVN", "SOM")
MEMBERS = P5 + E10

RULES = {
    "charter": VotingRule.charter(),
    "double_veto": VotingRule.double_veto(),
    "abstention_veto": VotingRule.abstention_veto(),
}


def ballots(yes=(), no=(), abstain=()):
    out = dict.fromkeys(yes, Vote.YES) | dict.fromkeys(no, Vote.NO)
    return out | dict.fromkeys(abstain, Vote.ABSTAIN)


def random_propensities(seed, members=MEMBERS):
    rng = np.random.default_rng(seed)
    out = {}
    for m in members:
        w = rng.dirichlet((4.0, 1.5, 1.0) if m in P5 else (6.0, 2.0, 1.0))
        out[m] = (float(w[0]), float(w[1]), float(1.0 - w[0] - w[1]))
    return out


def as_array(propensities):
    return np.array([propensities[m] for m in propensities])


# --------------------------------------------------------------------------- rule variants


def test_procedural_and_no_veto_adopt_over_a_permanent_no():
    b = ballots(yes=E10 + ("FRA", "GBR"), no=("RUS", "CHN", "USA"))
    assert decide(b) == Decision(False, ("CHN", "RUS", "USA"), 12, 3, 0)
    assert decide(b, rule=VotingRule.procedural()) == Decision(True, (), 12, 3, 0)
    assert decide(b, rule=VotingRule.no_veto()) == Decision(True, (), 12, 3, 0)
    assert decide(b, rule=VotingRule.no_veto(12)).adopted
    assert decide(b, rule=VotingRule.no_veto(13)) == Decision(False, (), 12, 3, 0)


def test_double_veto_needs_two_permanent_nos():
    rule = VotingRule.double_veto()
    one = ballots(yes=E10 + ("CHN", "FRA", "GBR", "USA"), no=("RUS",))
    assert decide(one, rule=rule) == Decision(True, (), 14, 1, 0)
    two = ballots(yes=E10 + ("FRA", "GBR", "USA"), no=("RUS", "CHN"))
    assert decide(two, rule=rule) == Decision(False, ("CHN", "RUS"), 13, 2, 0)
    three = ballots(yes=E10 + ("FRA",), no=("USA", "RUS", "GBR"), abstain=("CHN",))
    assert decide(three, rule=rule) == Decision(False, ("GBR", "RUS", "USA"), 11, 3, 1)
    # Abstentions are not vetoes under the double veto either.
    abstained = ballots(yes=E10 + ("FRA", "GBR"), no=("RUS",), abstain=("CHN", "USA"))
    assert decide(abstained, rule=rule) == Decision(True, (), 12, 1, 2)


def test_abstention_veto():
    rule = VotingRule.abstention_veto()
    b = ballots(yes=E10 + ("FRA", "GBR", "USA", "RUS"), abstain=("CHN",))
    assert decide(b) == Decision(True, (), 14, 0, 1)
    assert decide(b, rule=rule) == Decision(False, ("CHN",), 14, 0, 1)
    mixed = ballots(yes=E10[:9] + ("FRA",), no=("RUS", E10[9]), abstain=("CHN", "GBR", "USA"))
    assert decide(mixed, rule=rule) == Decision(False, ("CHN", "GBR", "RUS", "USA"), 10, 2, 3)
    # An elected member's abstention is never a veto.
    elected = ballots(yes=P5 + E10[:9], abstain=E10[9:])
    assert decide(elected, rule=rule) == Decision(True, (), 14, 0, 1)
    # Too few votes: the draft fails, whatever the permanent members did.
    short = ballots(yes=E10[:8], abstain=("CHN",), no=E10[8:] + ("FRA", "GBR", "RUS", "USA"))
    assert decide(short, rule=rule) == Decision(False, (), 8, 6, 1)


def test_pre_1966_council():
    rule = VotingRule.pre_1966()
    assert (rule.threshold, rule.seats, rule.veto, rule.vetoes_needed) == (7, 11, True, 1)
    elected = E10[:6]
    seven = ballots(yes=P5 + elected[:2], no=elected[2:])
    assert decide(seven, rule=rule) == Decision(True, (), 7, 4, 0)
    six = ballots(yes=P5 + elected[:1], no=elected[1:])
    assert decide(six, rule=rule) == Decision(False, (), 6, 5, 0)
    vetoed = ballots(yes=("CHN", "FRA", "GBR", "USA") + elected, no=("RUS",))
    assert decide(vetoed, rule=rule) == Decision(False, ("RUS",), 10, 1, 0)
    with pytest.raises(ValueError, match="12 ballots"):
        decide(ballots(yes=P5 + E10[:7]), rule=rule)
    # The same twelve ballots are fine for the fifteen-member Council.
    assert decide(ballots(yes=P5 + E10[:7])).adopted


def test_custom_threshold():
    rule = VotingRule(threshold=11)
    ten = ballots(yes=P5 + E10[:5], abstain=E10[5:])
    assert decide(ten) == Decision(True, (), 10, 0, 5)
    assert decide(ten, rule=rule) == Decision(False, (), 10, 0, 5)
    eleven = ballots(yes=P5 + E10[:6], no=E10[6:])
    assert decide(eleven, rule=rule) == Decision(True, (), 11, 4, 0)
    vetoed = ballots(yes=P5[:4] + E10[:7], no=("USA",) + E10[7:])
    assert decide(vetoed, rule=rule) == Decision(False, ("USA",), 11, 4, 0)
    short = ballots(yes=P5[:4] + E10[:6], no=("USA",) + E10[6:])
    assert decide(short, rule=rule) == Decision(False, (), 10, 5, 0)
    unanimity = VotingRule(threshold=15)
    assert decide(dict.fromkeys(MEMBERS, Vote.YES), rule=unanimity).adopted
    assert not decide(ballots(yes=MEMBERS[1:], abstain=MEMBERS[:1]), rule=unanimity).adopted


@pytest.mark.parametrize("name", ["charter", "double_veto", "abstention_veto", "pre_1966"])
def test_short_of_votes_with_permanent_no_fails_not_vetoed(name):
    rule = VotingRule.named(name)
    yes = P5[:3] + E10[: rule.threshold - 4]  # one vote short
    no = ("RUS", "USA")
    rest = E10[rule.threshold - 4 : rule.seats - 5]
    assert len(yes) == rule.threshold - 1
    d = decide(ballots(yes=yes, no=no, abstain=rest), rule=rule)
    assert d == Decision(False, (), rule.threshold - 1, 2, rule.seats - rule.threshold - 1)
    one_more = ballots(yes=yes + rest[:1], no=no, abstain=rest[1:])
    assert decide(one_more, rule=rule) == Decision(
        False, ("RUS", "USA"), rule.threshold, 2, rule.seats - rule.threshold - 2
    )


def test_eight_yes_and_a_permanent_no_fails():
    b = ballots(yes=E10[:8], no=("RUS",), abstain=("CHN", "FRA", "GBR", "USA") + E10[8:])
    assert decide(b) == Decision(False, (), 8, 1, 6)
    assert decide(b, rule=VotingRule.abstention_veto()).vetoed_by == ()


@pytest.mark.parametrize("name", sorted(RULE_PRESETS))
def test_named_rules_match_scenario_presets(name):
    rule = VotingRule.named(name)
    assert rule == VotingRule.from_spec(Rule(name=name))
    assert rule == VotingRule(**RULE_PRESETS[name])


def test_named_constructors():
    assert VotingRule.charter() == VotingRule()
    assert VotingRule.procedural() == VotingRule(veto=False)
    assert VotingRule.no_veto() == VotingRule(veto=False)
    assert VotingRule.no_veto(7) == VotingRule(threshold=7, veto=False)
    assert VotingRule.double_veto() == VotingRule(vetoes_needed=2)
    assert VotingRule.abstention_veto() == VotingRule(abstention_is_veto=True)
    assert VotingRule.pre_1966() == VotingRule(threshold=7, seats=11)
    changed = VotingRule.from_spec(Rule(name="double_veto", threshold=10, seats=17))
    assert changed == VotingRule(threshold=10, vetoes_needed=2, seats=17)


def test_unknown_rule_name_raises():
    with pytest.raises(ValueError, match="unknown voting rule"):
        VotingRule.named("unanimity")


@pytest.mark.parametrize(
    "params",
    [
        {"threshold": 16},
        {"threshold": 12, "seats": 11},
        {"threshold": 0},
        {"vetoes_needed": 0},
        {"seats": 0, "threshold": 1},
    ],
)
def test_invalid_rule_parameters_raise(params):
    with pytest.raises(ValueError):
        VotingRule(**params)


# --------------------------------------------------------------------------- analytic answers


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 11])
def test_equicorrelated_orthant_probability(n):
    # P(n standard normals with pairwise correlation 1/2 are all positive) = 1 / (n + 1).
    coins = {f"M{i:02d}": (0.5, 0.5, 0.0) for i in range(n)}
    rule = VotingRule(threshold=n, veto=False, seats=max(n, 11))
    assert adoption_probability(coins, rule=rule, correlation=0.5) == pytest.approx(
        1.0 / (n + 1), abs=1e-9
    )


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.9, 0.999, 1 - 1e-6, 1 - 1e-7])
def test_two_member_arcsine_law(rho):
    pair = {"A": (0.5, 0.0, 0.5), "B": (0.5, 0.0, 0.5)}
    rule = VotingRule(threshold=2, veto=False)
    expected = 0.25 + math.asin(rho) / (2 * math.pi)
    assert adoption_probability(pair, rule=rule, correlation=rho) == pytest.approx(
        expected, abs=1e-9
    )
    d = vote_distribution(pair, rule=rule, correlation=rho)
    assert d.probability(yes=2, no=0) == pytest.approx(expected, abs=1e-9)
    assert d.probability(yes=0, no=2) == pytest.approx(expected, abs=1e-9)
    assert d.probability(yes=1, no=1) == pytest.approx(1 - 2 * expected, abs=1e-9)


@pytest.mark.parametrize("seed", [3, 4])
def test_independent_members_multiply(seed):
    p = random_propensities(seed)
    certain = dict.fromkeys(E10, (1.0, 0.0, 0.0))
    p5 = {m: p[m] for m in P5}
    yes = np.array([p5[m][0] for m in P5])
    no = np.array([p5[m][2] for m in P5])
    # Unanimity: everyone must vote yes.
    assert adoption_probability(p, rule=VotingRule(threshold=15)) == pytest.approx(
        np.prod(as_array(p)[:, 0]), abs=1e-15
    )
    # Ten certain yes votes: only the vetoes matter.
    council = certain | p5
    assert adoption_probability(council) == pytest.approx(np.prod(1 - no), abs=1e-14)
    assert adoption_probability(council, rule=VotingRule.abstention_veto()) == pytest.approx(
        np.prod(yes), abs=1e-14
    )
    at_most_one_no = np.prod(1 - no) + sum(no[i] * np.prod(np.delete(1 - no, i)) for i in range(5))
    assert adoption_probability(council, rule=VotingRule.double_veto()) == pytest.approx(
        at_most_one_no, abs=1e-14
    )


def test_identical_members_binomial_and_multinomial():
    py, pa, pn = 0.6, 0.25, 0.15
    same = dict.fromkeys(MEMBERS, (py, pa, pn))
    for t in range(1, 16):
        assert adoption_probability(same, rule=VotingRule.no_veto(t)) == pytest.approx(
            stats.binom.sf(t - 1, 15, py), abs=1e-14
        )
    # Charter: k permanent yes votes, 5 - k permanent abstentions, 9 - k elected yes votes.
    expected = sum(
        math.comb(5, k) * py**k * pa ** (5 - k) * stats.binom.sf(8 - k, 10, py) for k in range(6)
    )
    d = vote_distribution(same)
    assert d.adopted == pytest.approx(expected, abs=1e-14)
    assert adoption_probability(same) == pytest.approx(expected, abs=1e-14)
    for y in range(16):
        for k in range(16 - y):
            multinomial = stats.multinomial.pmf([y, k, 15 - y - k], 15, [py, pn, pa])
            assert d.joint[y, k] == pytest.approx(multinomial, abs=1e-14)
    assert d.abstain == pytest.approx(stats.binom.pmf(np.arange(16), 15, pa), abs=1e-14)


# --------------------------------------------------------------------------- exact vs reference

P5_COMBOS = np.array(list(itertools.product((1, 0, -1), repeat=5)))


def given_climate(p, z, rho):
    """Each member's (yes, abstain, no) probabilities given the climate z (independent)."""
    s, c = math.sqrt(rho), math.sqrt(1 - rho)
    yes = stats.norm.cdf((stats.norm.ppf(p[:, 0]) + s * z) / c)
    no = stats.norm.cdf((stats.norm.ppf(p[:, 2]) - s * z) / c)
    return np.stack([yes, 1 - yes - no, no], axis=1)


def kinks(p, rho, limit=9.0):
    with np.errstate(divide="ignore"):
        points = np.concatenate([-stats.norm.ppf(p[:, 0]), stats.norm.ppf(p[:, 2])])
    points = points / math.sqrt(rho)
    return sorted(set(points[np.isfinite(points) & (np.abs(points) < limit)].tolist()))


@functools.cache
def p5_outcomes(rule):
    """table[c, e] = [adopted, vetoed, failed, CHN..USA among vetoes] for the P5 ballots c and
    e elected yes votes (the other elected members vote no), decided by `decide`."""
    table = np.zeros((len(P5_COMBOS), 11, 3 + 5))
    for c, combo in enumerate(P5_COMBOS):
        for e in range(11):
            b = dict(zip(P5, combo.tolist(), strict=True))
            b |= dict.fromkeys(E10[:e], 1) | dict.fromkeys(E10[e:], -1)
            d = decide(b, rule=rule)
            outcome = 0 if d.adopted else (1 if d.vetoed_by else 2)
            table[c, e, outcome] = 1.0
            for m in d.vetoed_by:
                table[c, e, 3 + P5.index(m)] = 1.0
    return table


def reference_outcomes(p, z, rho, rule):
    """[adopted, vetoed, failed, veto by CHN..USA] given the climate, by enumerating the P5."""
    q = given_climate(p, z, rho) if rho > 0 else p
    combo = np.prod(q[np.arange(5), 1 - P5_COMBOS], axis=1)
    pmf = np.array([1.0])
    for y in q[5:, 0]:
        pmf = np.convolve(pmf, [1 - y, y])
    return np.einsum("c,e,cek->k", combo, pmf, p5_outcomes(rule))


@pytest.mark.parametrize("rule_name", sorted(RULES))
@pytest.mark.parametrize("rho", [0.3, 0.9])
@pytest.mark.parametrize("seed", [11, 12])
def test_adoption_matches_quadrature_reference(seed, rho, rule_name):
    rule = RULES[rule_name]
    p = random_propensities(seed)
    arr = as_array(p)
    expected, _ = integrate.quad(
        lambda z: reference_outcomes(arr, z, rho, rule)[0] * stats.norm.pdf(z),
        -9,
        9,
        points=kinks(arr, rho),
        limit=500,
        epsabs=1e-13,
        epsrel=1e-12,
    )
    assert 0.05 < expected < 0.95
    assert adoption_probability(p, rule=rule, correlation=rho) == pytest.approx(expected, abs=1e-8)


@pytest.mark.parametrize("rule_name", sorted(RULES))
def test_outcomes_and_vetoes_match_quadrature_reference(rule_name):
    rule, rho = RULES[rule_name], 0.9
    p = random_propensities(21)
    arr = as_array(p)
    expected, _ = integrate.quad_vec(
        lambda z: reference_outcomes(arr, z, rho, rule) * stats.norm.pdf(z),
        -9,
        9,
        points=kinks(arr, rho),
        epsabs=1e-13,
        epsrel=1e-12,
    )
    d = vote_distribution(p, rule=rule, correlation=rho)
    got = [d.adopted, d.vetoed, d.failed, *(d.veto[m] for m in P5)]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-8)
    assert expected[1] > 0.01
    # Independent members: no integral at all.
    independent = vote_distribution(p, rule=rule)
    got = [independent.adopted, independent.vetoed, independent.failed]
    got += [independent.veto[m] for m in P5]
    np.testing.assert_allclose(got, reference_outcomes(arr, 0.0, 0.0, rule), rtol=0, atol=1e-13)


SMALL = ("CHN", "RUS", "USA", "DZA", "DNK", "GRC")
SMALL_COMBOS = np.array(list(itertools.product((1, 0, -1), repeat=len(SMALL))))


@functools.cache
def small_table(rule):
    """Per ballot combination: one-hot (yes, no) cell, one-hot outcome, vetoes by CHN, RUS, USA."""
    n = len(SMALL)
    table = np.zeros((len(SMALL_COMBOS), (n + 1) ** 2 + 3 + 3))
    for c, combo in enumerate(SMALL_COMBOS):
        d = decide(dict(zip(SMALL, combo.tolist(), strict=True)), rule=rule)
        table[c, d.yes * (n + 1) + d.no] = 1.0
        outcome = 0 if d.adopted else (1 if d.vetoed_by else 2)
        table[c, (n + 1) ** 2 + outcome] = 1.0
        for m in d.vetoed_by:
            table[c, (n + 1) ** 2 + 3 + SMALL[:3].index(m)] = 1.0
    return table


def enumerate_small(p, z, rho, rule):
    q = given_climate(p, z, rho) if rho > 0 else p
    probs = np.prod(q[np.arange(len(SMALL)), 1 - SMALL_COMBOS], axis=1)
    return probs @ small_table(rule)


@pytest.mark.parametrize("rule_name", sorted(RULES))
@pytest.mark.parametrize("rho", [0.0, 0.3, 0.9])
def test_joint_matches_full_enumeration(rho, rule_name):
    rule = replace(RULES[rule_name], threshold=4)
    p = random_propensities(31, SMALL)
    arr = as_array(p)
    if rho == 0.0:
        expected = enumerate_small(arr, 0.0, 0.0, rule)
    else:
        expected, _ = integrate.quad_vec(
            lambda z: enumerate_small(arr, z, rho, rule) * stats.norm.pdf(z),
            -9,
            9,
            points=kinks(arr, rho),
            epsabs=1e-13,
            epsrel=1e-12,
        )
    n = len(SMALL)
    d = vote_distribution(p, rule=rule, correlation=rho)
    np.testing.assert_allclose(d.joint.ravel(), expected[: (n + 1) ** 2], rtol=0, atol=1e-9)
    got = [d.adopted, d.vetoed, d.failed, d.veto["CHN"], d.veto["RUS"], d.veto["USA"]]
    np.testing.assert_allclose(got, expected[(n + 1) ** 2 :], rtol=0, atol=1e-9)
    assert set(d.veto) == {"CHN", "RUS", "USA"}
    for y in range(n + 1):
        for k in range(n + 1):
            cell = expected[y * (n + 1) + k]
            assert d.probability(yes=y, no=k) == pytest.approx(cell, abs=1e-9)
            if y + k <= n:
                assert d.probability(yes=y, no=k, abstain=n - y - k) == pytest.approx(
                    cell, abs=1e-9
                )
                assert d.probability(yes=y, no=k, abstain=n - y - k + 1) == 0.0
    assert d.probability(yes=n + 1, no=0) == 0.0
    assert d.probability(yes=-1, no=2) == 0.0


@pytest.mark.parametrize("rule_name", sorted(RULES))
@pytest.mark.parametrize("rho", [0.0, 0.3, 0.9])
def test_distribution_is_consistent(rho, rule_name):
    rule = RULES[rule_name]
    p = random_propensities(41)
    arr = as_array(p)
    d = vote_distribution(p, rule=rule, correlation=rho)
    assert d.members == MEMBERS
    assert d.rule == rule
    assert d.adopted == pytest.approx(
        adoption_probability(p, rule=rule, correlation=rho), abs=1e-12
    )
    assert d.adopted + d.vetoed + d.failed == pytest.approx(1.0, abs=1e-12)
    assert d.joint.shape == (16, 16)
    assert d.joint.sum() == pytest.approx(1.0, abs=1e-12)
    assert d.joint.min() > -1e-15
    y, k = np.indices(d.joint.shape)
    assert np.abs(d.joint[y + k > 15]).max() < 1e-15
    counts = np.arange(16)
    for pmf in (d.yes, d.no, d.abstain):
        assert pmf.shape == (16,)
        assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
    # Marginals are preserved whatever the correlation.
    assert d.yes @ counts == pytest.approx(arr[:, 0].sum(), abs=1e-9)
    assert d.abstain @ counts == pytest.approx(arr[:, 1].sum(), abs=1e-9)
    assert d.no @ counts == pytest.approx(arr[:, 2].sum(), abs=1e-9)
    # P(failed) is P(fewer yes votes than the threshold).
    assert d.failed == pytest.approx(d.yes[:9].sum(), abs=1e-12)
    assert set(d.veto) == set(P5)
    for m in P5:
        assert 0.0 <= d.veto[m] <= d.vetoed + 1e-12
    # With a single veto each veto alone defeats the draft: the vetoes cover P(vetoed).
    if rule.vetoes_needed == 1:
        assert max(d.veto.values()) <= d.vetoed <= sum(d.veto.values()) + 1e-12


@pytest.mark.parametrize("rho", [0.99, 1 - 1e-5, 1 - 1e-7])
def test_marginals_preserved_at_extreme_correlation(rho):
    arr = as_array(MIXED)
    d = vote_distribution(MIXED, correlation=rho)
    counts = np.arange(16)
    assert d.yes @ counts == pytest.approx(arr[:, 0].sum(), abs=1e-9)
    assert d.abstain @ counts == pytest.approx(arr[:, 1].sum(), abs=1e-9)
    assert d.no @ counts == pytest.approx(arr[:, 2].sum(), abs=1e-9)


@pytest.mark.parametrize("rho", [0.0, 0.4, 0.85])
def test_yes_count_variance_matches_bivariate_normal(rho):
    p = random_propensities(51)
    arr = as_array(p)
    d = vote_distribution(p, rule=VotingRule.procedural(), correlation=rho)
    a = stats.norm.ppf(arr[:, 0])
    variance = float(np.sum(arr[:, 0] * (1 - arr[:, 0])))
    for i, j in itertools.combinations(range(len(arr)), 2):
        both = stats.multivariate_normal.cdf([a[i], a[j]], mean=[0, 0], cov=[[1, rho], [rho, 1]])
        variance += 2 * (both - arr[i, 0] * arr[j, 0])
    counts = np.arange(16)
    mean = d.yes @ counts
    assert d.yes @ (counts - mean) ** 2 == pytest.approx(variance, abs=1e-8)


# --------------------------------------------------------------------------- sampled vs exact

MIXED = {
    "USA": (0.9, 0.08, 0.02),
    "GBR": (0.85, 0.1, 0.05),
    "FRA": (0.8, 0.17, 0.03),
    "CHN": (0.4, 0.45, 0.15),
    "RUS": (0.3, 0.45, 0.25),
    "DZA": (0.55, 0.3, 0.15),
    "DNK": (1.0, 0.0, 0.0),
    "GRC": (0.9, 0.1, 0.0),
    "GUY": (0.75, 0.25, 0.0),
    "PAK": (0.5, 0.3, 0.2),
    "PAN": (0.8, 0.1, 0.1),
    "KOR": (0.85, 0.15, 0.0),
    "SLE": (0.7, 0.2, 0.1),
    "SVN": (0.95, 0.05, 0.0),
    "SOM": (0.6, 0.25, 0.15),
}
DRAWS = 20_000


@functools.cache
def mixed_sample(rho, seed=2024):
    return sample_ballots(MIXED, correlation=rho, size=DRAWS, rng=seed)


def decide_rows(b, members, rule):
    """Vectorised :func:`decide`: adopted, vetoed, failed and the blockers of each row."""
    perm = np.array([m in P5 for m in members])
    yes = (b == 1).sum(axis=1)
    blocking = perm & ((b == -1) | ((b == 0) & rule.abstention_is_veto)) & rule.veto
    enough = yes >= rule.threshold
    vetoed = enough & (blocking.sum(axis=1) >= rule.vetoes_needed)
    return enough & ~vetoed, vetoed, ~enough, blocking & vetoed[:, None], yes


def test_vectorised_decision_agrees_with_decide():
    b = mixed_sample(0.6)[:300]
    for rule in RULES.values():
        adopted, vetoed, _, blockers, yes = decide_rows(b, list(MIXED), rule)
        for row in range(len(b)):
            d = decide(dict(zip(MIXED, b[row].tolist(), strict=True)), rule=rule)
            assert (d.adopted, bool(d.vetoed_by), d.yes) == (adopted[row], vetoed[row], yes[row])
            assert d.vetoed_by == tuple(sorted(np.array(list(MIXED))[blockers[row]]))


def within(frequency, probability, draws=DRAWS, k=4.0):
    se = math.sqrt(max(probability * (1 - probability), 1e-4) / draws)
    return abs(frequency - probability) <= k * se


@pytest.mark.parametrize("rule_name", sorted(RULES))
def test_sampled_outcomes_agree_with_exact(rule_name):
    rule, rho = RULES[rule_name], 0.6
    b = mixed_sample(rho)
    members = list(MIXED)
    d = vote_distribution(MIXED, rule=rule, correlation=rho)
    adopted, vetoed, failed, blockers, yes = decide_rows(b, members, rule)
    assert 0.1 < d.adopted < 0.9 and d.vetoed > 0.01 and d.failed > 0.02
    assert within(adopted.mean(), d.adopted)
    assert within(vetoed.mean(), d.vetoed)
    assert within(failed.mean(), d.failed)
    for m in P5:
        assert within(blockers[:, members.index(m)].mean(), d.veto[m]), m
    counts = np.arange(16)
    mean = d.yes @ counts
    var = d.yes @ (counts - mean) ** 2
    fourth = d.yes @ (counts - mean) ** 4
    assert abs(yes.mean() - mean) <= 4 * math.sqrt(var / DRAWS)
    assert abs(yes.var() - var) <= 4 * math.sqrt((fourth - var**2) / DRAWS)
    # Correlation widens the yes count well beyond the independent-votes spread.
    independent = vote_distribution(MIXED, rule=rule)
    assert var > 2 * (independent.yes @ (counts - independent.yes @ counts) ** 2)
    for y in range(16):
        assert within(np.mean(yes == y), d.yes[y]), y


@pytest.mark.parametrize("rho", [0.0, 0.6])
def test_sampled_marginals_match_propensities(rho):
    b = mixed_sample(rho)
    assert b.shape == (DRAWS, 15) and b.dtype == np.int8
    for i, (m, (py, pa, pn)) in enumerate(MIXED.items()):
        column = b[:, i]
        assert within(np.mean(column == 1), py), m
        assert within(np.mean(column == 0), pa), m
        assert within(np.mean(column == -1), pn), m
        for value, p in ((1, py), (0, pa), (-1, pn)):
            if p == 0.0:
                assert not np.any(column == value), m


def test_sampled_pairwise_correlation():
    pair = {"A": (0.5, 0.2, 0.3), "B": (0.7, 0.1, 0.2)}
    a = stats.norm.ppf([0.5, 0.7])
    for rho in (0.0, 0.8):
        b = sample_ballots(pair, correlation=rho, size=DRAWS, rng=np.random.default_rng(7))
        r = np.corrcoef(b[:, 0] == 1, b[:, 1] == 1)[0, 1]
        both = stats.multivariate_normal.cdf(a, mean=[0, 0], cov=[[1, rho], [rho, 1]])
        exact = (both - 0.5 * 0.7) / math.sqrt(0.5 * 0.5 * 0.7 * 0.3)
        assert abs(r - exact) <= 4 * (1 - exact**2) / math.sqrt(DRAWS)
        if rho == 0.0:
            assert abs(r) < 0.03
        else:
            assert r > 0.4


def test_sample_ballots_order_and_reproducibility():
    p = {"A": (1.0, 0.0, 0.0), "B": (0.0, 0.0, 1.0), "C": (0.0, 1.0, 0.0)}
    for rho in (0.0, 0.5):
        b = sample_ballots(p, correlation=rho, size=50, rng=3)
        assert b.dtype == np.int8 and b.shape == (50, 3)
        assert (b == [1, -1, 0]).all()
        reverse = dict(reversed(p.items()))
        assert (sample_ballots(reverse, correlation=rho, size=5, rng=3) == [0, -1, 1]).all()
    first = sample_ballots(MIXED, correlation=0.3, size=100, rng=5)
    again = sample_ballots(MIXED, correlation=0.3, size=100, rng=np.random.default_rng(5))
    assert (first == again).all()
    assert not (first == sample_ballots(MIXED, correlation=0.3, size=100, rng=6)).all()
    assert sample_ballots(MIXED, size=0, rng=1).shape == (0, 15)
    for size in (-1, 2.5, True):
        with pytest.raises(ValueError, match="size"):
            sample_ballots(MIXED, size=size, rng=1)


# --------------------------------------------------------------------------- veto probabilities


@pytest.mark.parametrize("rho", [0.0, 0.7])
def test_single_uncertain_permanent_member(rho):
    council = dict.fromkeys(MEMBERS, (1.0, 0.0, 0.0)) | {"RUS": (0.2, 0.3, 0.5)}
    tol = 1e-15 if rho == 0.0 else 1e-9
    d = vote_distribution(council, correlation=rho)
    assert d.veto["RUS"] == pytest.approx(0.5, abs=tol)
    assert d.vetoed == pytest.approx(0.5, abs=tol)
    assert all(d.veto[m] == 0.0 for m in P5 if m != "RUS")
    strict = vote_distribution(council, rule=VotingRule.abstention_veto(), correlation=rho)
    assert strict.veto["RUS"] == pytest.approx(0.8, abs=tol)
    assert strict.adopted == pytest.approx(0.2, abs=tol)
    loose = vote_distribution(council, rule=VotingRule.double_veto(), correlation=rho)
    assert loose.veto["RUS"] == 0.0 and loose.adopted == pytest.approx(1.0, abs=tol)
    free = vote_distribution(council, rule=VotingRule.procedural(), correlation=rho)
    assert all(v == 0.0 for v in free.veto.values()) and free.vetoed == 0.0


def test_double_veto_probabilities_independent():
    council = dict.fromkeys(MEMBERS, (1.0, 0.0, 0.0)) | {
        "RUS": (0.2, 0.3, 0.5),
        "CHN": (0.3, 0.3, 0.4),
        "USA": (0.5, 0.2, 0.3),
    }
    d = vote_distribution(council, rule=VotingRule.double_veto())
    assert d.veto["RUS"] == pytest.approx(0.5 * (1 - 0.6 * 0.7), abs=1e-15)
    assert d.veto["CHN"] == pytest.approx(0.4 * (1 - 0.5 * 0.7), abs=1e-15)
    assert d.veto["USA"] == pytest.approx(0.3 * (1 - 0.5 * 0.6), abs=1e-15)
    assert d.veto["GBR"] == d.veto["FRA"] == 0.0
    at_least_two = 1 - 0.5 * 0.6 * 0.7 - (0.5 * 0.6 * 0.7 + 0.4 * 0.5 * 0.7 + 0.3 * 0.5 * 0.6)
    assert d.vetoed == pytest.approx(at_least_two, abs=1e-15)
    assert d.adopted == pytest.approx(1 - at_least_two, abs=1e-15)


# --------------------------------------------------------------------------- shift

PROPENSITIES = [(0.5, 0.3, 0.2), (0.1, 0.1, 0.8), (0.9, 0.1, 0.0), (0.3, 0.0, 0.7), (0.0, 0.6, 0.4)]
DELTAS = np.linspace(-2.5, 2.5, 11)


@pytest.mark.parametrize("p", PROPENSITIES)
def test_shift_zero_is_identity(p):
    assert shift(p, 0.0) == p
    assert shift_many(np.array([p]), np.zeros(1))[0] == pytest.approx(p, abs=1e-15)


@pytest.mark.parametrize("p", PROPENSITIES)
def test_shift_is_valid_and_monotone(p):
    shifted = np.array([shift(p, float(d)) for d in DELTAS])
    assert shifted.min() >= 0.0
    np.testing.assert_allclose(shifted.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    if 0.0 < p[0] < 1.0:
        assert np.all(np.diff(shifted[:, 0]) > 0)
    if 0.0 < p[2] < 1.0:
        assert np.all(np.diff(shifted[:, 2]) < 0)
    # Exactly zero yes or no propensities stay zero.
    for j in (0, 2):
        if p[j] == 0.0:
            assert np.all(shifted[:, j] == 0.0)


def test_shift_moves_latent_support():
    y, a, n = shift((0.5, 0.5, 0.0), 1.0)
    assert (y, a, n) == pytest.approx((stats.norm.cdf(1.0), stats.norm.cdf(-1.0), 0.0), abs=1e-15)
    y, a, n = shift((0.5, 0.3, 0.2), -0.5)
    assert y == pytest.approx(stats.norm.cdf(-0.5), abs=1e-15)
    assert n == pytest.approx(stats.norm.cdf(stats.norm.ppf(0.2) + 0.5), abs=1e-15)


@pytest.mark.parametrize("p", PROPENSITIES)
@pytest.mark.parametrize(("a", "b"), [(0.3, 0.4), (1.2, -0.7), (-1.5, -0.25), (2.0, -2.0)])
def test_shift_composes(p, a, b):
    assert shift(shift(p, a), b) == pytest.approx(shift(p, a + b), abs=1e-12)


@pytest.mark.parametrize(
    "p", [(0.5, 0.0, 0.5), (0.3, 0.0, 0.7), (0.9, 0.0, 0.1), (0.01, 0.0, 0.99)]
)
def test_shift_keeps_zero_abstention(p):
    for d in DELTAS:
        y, a, n = shift(p, float(d))
        assert a == pytest.approx(0.0, abs=1e-15)
        assert y + n == pytest.approx(1.0, abs=1e-15)


def test_shift_many_matches_shift():
    p = np.array(PROPENSITIES)
    delta = np.array([0.4, -1.1, 2.0, 0.0, -0.3])
    many = shift_many(p, delta)
    assert many.shape == p.shape
    for row, d, got in zip(PROPENSITIES, delta, many, strict=True):
        np.testing.assert_allclose(got, shift(row, float(d)), rtol=0, atol=1e-15)


@pytest.mark.parametrize("rho", [0.3, 0.9])
def test_conditional_averages_to_propensities(rho):
    p = np.array(PROPENSITIES)
    z = np.linspace(-3, 3, 13)
    given = conditional(p, z, rho)
    assert given.shape == (13, 5, 3)
    assert given.min() >= 0.0
    np.testing.assert_allclose(given.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    assert np.all(np.diff(given[:, :, 0], axis=0) >= 0)
    assert np.all(np.diff(given[:, :, 2], axis=0) <= 0)
    mean, _ = integrate.quad_vec(
        lambda x: conditional(p, np.array([x]), rho)[0] * stats.norm.pdf(x),
        -10,
        10,
        epsabs=1e-13,
        epsrel=1e-12,
    )
    np.testing.assert_allclose(mean, p, rtol=0, atol=1e-10)
    np.testing.assert_allclose(conditional(p, z, 0.0), np.broadcast_to(p, (13, 5, 3)), atol=1e-15)


# --------------------------------------------------------------------------- argument checks

FUNCTIONS = {
    "adoption_probability": adoption_probability,
    "vote_distribution": vote_distribution,
    "sample_ballots": functools.partial(sample_ballots, size=10, rng=0),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("rho", [-0.1, 1.0, 1.5, float("nan")])
def test_correlation_out_of_range_raises(name, rho):
    with pytest.raises(ValueError, match="correlation"):
        FUNCTIONS[name](MIXED, correlation=rho)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize(
    "bad",
    [
        (0.5, 0.5, 0.5),
        (1.2, -0.2, 0.0),
        (0.5, 0.5),
        (0.25, 0.25, 0.25, 0.25),
        (float("nan"), 0.5, 0.5),
    ],
    ids=["sum", "negative", "short", "long", "nan"],
)
def test_bad_propensities_raise_naming_the_member(name, bad):
    p = MIXED | {"GRC": bad}
    with pytest.raises(ValueError, match="GRC"):
        FUNCTIONS[name](p)


def test_more_members_than_seats_raises():
    twelve = {m: MIXED[m] for m in MEMBERS[:12]}
    with pytest.raises(ValueError, match="12 members"):
        adoption_probability(twelve, rule=VotingRule.pre_1966())
    with pytest.raises(ValueError, match="12 members"):
        vote_distribution(twelve, rule=VotingRule.pre_1966(), correlation=0.5)
    sixteen = MIXED | {"BRA": (0.5, 0.5, 0.0)}
    with pytest.raises(ValueError, match="16 members"):
        adoption_probability(sixteen)
    with pytest.raises(ValueError, match="16 members"):
        vote_distribution(sixteen)
    eleven = {m: MIXED[m] for m in MEMBERS[:11]}
    assert 0.0 < adoption_probability(eleven, rule=VotingRule.pre_1966()) < 1.0


def test_vote_distribution_of_empty_council():
    assert adoption_probability({}) == 0.0
    d = vote_distribution({})
    assert (d.adopted, d.vetoed, d.failed) == (0.0, 0.0, 1.0)
    assert d.joint.tolist() == [[1.0]]
    assert d.veto == {}
