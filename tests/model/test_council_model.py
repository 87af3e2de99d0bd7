"""The Council in the model: negotiation, re-tabling, roll-overs, composition and context."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import mss_sim
from mss_sim.council import adoption_probability, shift
from mss_sim.model import compile, resolve
from mss_sim.model.chamber import Chamber
from mss_sim.model.clock import Clock
from mss_sim.model.shared import Bus, EventLog, MandateState, Strength
from mss_sim.scenario import load_raw, scenario_from_dict

TINY = Path(__file__).with_name("tiny.toml")
E2024 = ("DZA", "ECU", "GUY", "JPN", "MLT", "MOZ", "KOR", "SLE", "SVN", "CHE")
E2025 = ("DZA", "DNK", "GRC", "GUY", "PAK", "PAN", "KOR", "SLE", "SVN", "SOM")


def council_variant(
    start: dt.date | None = None, expiry: dt.date | None = None, **council: Any
) -> mss_sim.Scenario:
    """The tiny scenario with its council table (and optionally start and expiry) changed."""
    data = load_raw(TINY)
    data["council"] = {**data["council"], **council}
    if start is not None:
        data["scenario"] = {**data["scenario"], "start": start}
    if expiry is not None:
        data["mandate"] = {**data["mandate"], "expiry": expiry}
    return scenario_from_dict(data, source="tiny.toml")


def mandate(day: float, expiry: dt.date, ceiling: int) -> tuple[float, str, str, dict]:
    """The log entry of a mandate that `renew` set on `day`."""
    details = {"expiry": expiry, "ceiling": ceiling, "funding_model": "voluntary", "powers": ()}
    return (day, "mandate", "renew", details)


def log(rep: mss_sim.Replication, *kinds: str) -> list[tuple[float, str, str, dict]]:
    """The events of some kinds, as (day, kind, actor, details) without the ballots."""
    out = []
    for e in rep.events:
        if e.kind in kinds:
            details = {k: v for k, v in e.details.items() if k != "ballots"}
            out.append((e.day, e.kind, e.actor, details))
    return out


def test_a_threat_softens_the_text_then_it_passes():
    sc = council_variant(
        propensities={
            "default": {"renewal": [1, 0, 0], "renewal_plus": [1, 0, 0]},
            "CHN": {"renewal_plus": [0.2, 0.3, 0.5]},
        },
        negotiation={"threshold": 0.25, "rounds": 2, "round_days": 5},
        drafts=[
            {
                "id": "renew",
                "date": dt.date(2025, 2, 10),
                "kind": "renewal_plus",
                "duration_months": 1,
                "ceiling": 400,
                "soften": [{"kind": "renewal", "description": "extra paragraph dropped"}],
            }
        ],
    )
    rep = mss_sim.simulate(sc, seed=0)
    # Negotiation opens two rounds of five days before the vote on day 40.5.
    assert log(rep, "softened", "withdrawn", "vote", "adopted", "mandate") == [
        (30.5, "softened", "renew", {"attempt": 1, "step": 1, "kind": "renewal", "by": ("CHN",)}),
        (
            40.5,
            "vote",
            "renew",
            {"kind": "renewal", "attempt": 1, "yes": 15, "no": 0, "abstain": 0},
        ),
        (40.5, "adopted", "renew", {"kind": "renewal"}),
        mandate(40.5, dt.date(2025, 3, 15), 400),
    ]
    s = rep.scalars
    assert (s["renew.adopted"], s["renew.softened"], s["renew.withdrawn"]) == (1, 1, 0)
    assert s["renew.vote.CHN"] == 1 and s["renew.vote_held"] == 1
    assert s["vetoes_cast"] == 0 and s["drafts_withdrawn"] == 0


def test_a_threat_without_a_softer_text_withdraws_then_the_draft_is_retabled():
    # The funder's posture turns on 12 Feb; it moves China's latent support by 3 sd.
    sc = council_variant(
        expiry=dt.date(2025, 3, 1),
        propensities={"default": {"renewal": [1, 0, 0]}, "CHN": {"renewal": [0.5, 0.0, 0.5]}},
        context={
            "max_shift": 5,
            "funder_posture": [
                {"date": dt.date(2025, 1, 1), "value": -1},
                {"date": dt.date(2025, 2, 12), "value": 1},
            ],
        },
        effects=[{"factor": "funder_posture", "size": 3, "members": ["CHN"]}],
        negotiation={"rounds": 0},
        retabling={"attempts": 2, "interval_days": 7},
        drafts=[
            {"id": "renew", "date": dt.date(2025, 2, 10), "kind": "renewal", "duration_months": 1}
        ],
    )
    rep = mss_sim.simulate(sc, seed=0)
    assert log(rep, "withdrawn", "retabled", "vote", "adopted", "mandate", "lapsed") == [
        (40.5, "withdrawn", "renew", {"attempt": 1, "by": ("CHN",), "reason": "veto threat"}),
        (40.5, "retabled", "renew", {"attempt": 2, "date": dt.date(2025, 2, 17)}),
        (
            47.5,
            "vote",
            "renew",
            {"kind": "renewal", "attempt": 2, "yes": 15, "no": 0, "abstain": 0},
        ),
        (47.5, "adopted", "renew", {"kind": "renewal"}),
        mandate(47.5, dt.date(2025, 4, 1), 300),
        (90.5, "lapsed", "mission", {"reason": "expired"}),
    ]
    s = rep.scalars
    assert (s["renew.withdrawn"], s["renew.adopted"], s["drafts_withdrawn"]) == (1, 1, 1)


def test_no_retabling_after_the_mandate_expires():
    sc = council_variant(
        propensities={"default": {"renewal": [1, 0, 0]}, "CHN": {"renewal": [0, 0, 1]}},
        negotiation={"rounds": 0},
        retabling={"attempts": 5, "interval_days": 7},
        drafts=[
            {"id": "renew", "date": dt.date(2025, 2, 10), "kind": "renewal", "duration_months": 1}
        ],
    )
    rep = mss_sim.simulate(sc, seed=0)
    # The re-tabled vote would fall on 17 Feb, after the 15 Feb expiry.
    assert [e.kind for e in rep.events if e.actor in ("renew", "mission")] == [
        "withdrawn",
        "lapsed",
    ]
    s = rep.scalars
    assert (s["mandate_lapsed"], s["days_without_mandate"]) == (1, 120 - 45.5)
    assert s["renew.vote_held"] == 0 and np.isnan(s["renew.yes"])
    assert np.isnan(s["renew.vote.CHN"]) and s["renew.vetoed_by.CHN"] == 0


def test_a_vetoed_renewal_gets_a_technical_rollover():
    sc = council_variant(
        propensities={
            "default": {"renewal": [1, 0, 0], "renewal_plus": [1, 0, 0]},
            "CHN": {"renewal_plus": [0, 0, 1]},
        },
        negotiation={"force_vote": 1.0},
        retabling={"attempts": 1, "rollover_months": 3},
        drafts=[
            {
                "id": "renew",
                "date": dt.date(2025, 2, 10),
                "kind": "renewal_plus",
                "duration_months": 1,
                "ceiling": 400,
                "retable": True,
            }
        ],
    )
    rep = mss_sim.simulate(sc, seed=0)
    assert log(rep, "vote", "vetoed", "rollover", "mandate", "lapsed") == [
        (
            40.5,
            "vote",
            "renew",
            {"kind": "renewal_plus", "attempt": 1, "yes": 14, "no": 1, "abstain": 0},
        ),
        (40.5, "vetoed", "renew", {"by": ("CHN",)}),
        (
            44.5,
            "rollover",
            "renew",
            {"adopted": True, "yes": 15, "no": 0, "abstain": 0, "vetoed_by": ()},
        ),
        mandate(44.5, dt.date(2025, 5, 15), 300),
    ]
    s = rep.scalars
    assert (s["renew.vetoed"], s["renew.adopted"], s["vetoes_cast"]) == (1, 0, 1)
    assert (s["renew.vetoed_by.CHN"], s["renew.vetoed_by.RUS"]) == (1, 0)
    assert (s["mandate_lapsed"], s["mandate_active_at_end"]) == (0, 1)
    assert s["days_without_mandate"] == 0


def test_a_renewal_is_not_retabled_more_than_its_attempts():
    sc = council_variant(
        propensities={"default": {"renewal": [1, 0, 0]}, "CHN": {"renewal": [0, 0, 1]}},
        negotiation={"rounds": 0},
        retabling={"attempts": 3, "interval_days": 2},
        drafts=[
            {"id": "renew", "date": dt.date(2025, 2, 1), "kind": "renewal", "duration_months": 1}
        ],
    )
    rep = mss_sim.simulate(sc, seed=0)
    kinds = [(e.kind, e.details.get("attempt")) for e in rep.events if e.actor == "renew"]
    assert kinds == [
        ("withdrawn", 1),
        ("retabled", 2),
        ("withdrawn", 2),
        ("retabled", 3),
        ("withdrawn", 3),
    ]


def test_termination_is_not_a_lapse():
    sc = council_variant(
        propensities={"default": {"termination": [1, 0, 0]}},
        drafts=[
            {
                "id": "end",
                "date": dt.date(2025, 1, 10),
                "kind": "termination",
                "duration_months": 1,
            }
        ],
    )
    rep = mss_sim.simulate(sc, seed=0)
    lapse = rep.events_of("lapsed")[0]
    assert (lapse.date, lapse.details) == (dt.date(2025, 2, 10), {"reason": "terminated"})
    assert rep.scalars["mandate_lapsed"] == 0
    assert rep.scalars["days_without_mandate"] == 120 - 40.5


# --------------------------------------------------------------------------- rules


def test_rules_without_veto_or_with_a_double_veto_let_one_no_pass():
    for rule in ("no_veto", "procedural", "double_veto"):
        sc = council_variant(
            rule=rule,
            propensities={"default": {"renewal": [1, 0, 0]}, "CHN": {"renewal": [0, 0, 1]}},
        )
        rep = mss_sim.simulate(sc, seed=0)
        # No threat is seen either: one permanent no cannot block under these rules.
        assert [e.kind for e in rep.events if e.actor == "renew"][:2] == ["vote", "adopted"]
        assert rep.scalars["renew.vote.CHN"] == -1 and rep.scalars["renew.adopted"] == 1


def test_abstention_counts_as_a_veto_under_that_rule():
    sc = council_variant(rule="abstention_veto", negotiation={"force_vote": 1.0})
    rep = mss_sim.simulate(sc, seed=0)  # Russia abstains on the renewal
    assert rep.events_of("vetoed")[0].details == {"by": ("RUS",)}


def test_a_draft_rule_overrides_the_councils():
    council = load_raw(TINY)["council"]
    drafts = [{**council["drafts"][0], "rule": "procedural"}]
    sc = council_variant(
        propensities={"default": {"renewal": [1, 0, 0]}, "RUS": {"renewal": [0, 0, 1]}},
        drafts=drafts,
    )
    rep = mss_sim.simulate(sc, seed=0)
    assert rep.scalars["renew.adopted"] == 1 and rep.scalars["renew.no"] == 1


# --------------------------------------------------------------------------- members


def test_the_composition_changes_on_1_january():
    drafts = [
        {"id": "dec", "date": dt.date(2024, 12, 31), "kind": "force_authorisation"},
        {"id": "jan", "date": dt.date(2025, 1, 1), "kind": "force_authorisation"},
    ]
    sc = council_variant(
        start=dt.date(2024, 12, 1),
        elected={},
        propensities={"default": {"force_authorisation": [1, 0, 0], "renewal": [1, 0, 0]}},
        drafts=drafts,
    )
    rep = mss_sim.simulate(sc, seed=0)
    ballots = [tuple(e.details["ballots"]) for e in rep.events_of("vote")]
    p5 = ("CHN", "FRA", "GBR", "RUS", "USA")
    assert ballots == [p5 + E2024, p5 + E2025]
    s = rep.scalars
    assert s["dec.vote.ECU"] == 1 and "dec.vote.DNK" not in s
    assert s["jan.vote.DNK"] == 1 and "jan.vote.ECU" not in s


def test_a_retabled_draft_votes_with_the_new_years_members():
    sc = council_variant(
        start=dt.date(2024, 12, 1),
        elected={},
        propensities={
            "default": {"renewal": [1, 0, 0]},
            "CHN": {"renewal": [0.5, 0.0, 0.5]},
        },
        context={
            "max_shift": 5,
            "funder_posture": [{"date": dt.date(2025, 1, 1), "value": 1}],
        },
        effects=[{"factor": "funder_posture", "size": 3, "members": ["CHN"]}],
        negotiation={"rounds": 0},
        retabling={"interval_days": 7},
        drafts=[{"id": "renew", "date": dt.date(2024, 12, 29), "kind": "renewal"}],
    )
    rep = mss_sim.simulate(sc, seed=0)
    assert [e.kind for e in rep.events if e.actor == "renew"][:4] == [
        "withdrawn",
        "retabled",
        "vote",
        "adopted",
    ]
    vote = rep.events_of("vote")[0]
    assert vote.date == dt.date(2025, 1, 5)
    assert set(vote.details["ballots"]) == {"CHN", "FRA", "GBR", "RUS", "USA", *E2025}
    s = rep.scalars
    # Columns cover both years' members; only the last vote's are filled in.
    assert s["renew.vote.DNK"] == 1 and np.isnan(s["renew.vote.ECU"])


def test_an_uncertain_composition_is_drawn_per_replication():
    other = ["BHR", "COL", "COD", "DNK", "GRC", "LVA", "LBR", "PAK", "PAN", "SOM"]
    sc = council_variant(elected={"2025": {"choice": [list(E2025), other], "p": [0.5, 0.5]}})
    seen = set()
    for seed in range(12):
        rep = mss_sim.simulate(sc, seed=seed)
        index = int(rep.parameters["council.elected.2025"])
        members = tuple(rep.events_of("vote")[0].details["ballots"])[5:]
        assert members == (E2025, tuple(other))[index]
        seen.add(index)
        # Every possible member has a column; non-members of the drawn year are NaN.
        assert np.isnan(rep.scalars[f"renew.vote.{('BHR', 'DZA')[index]}"])
    assert seen == {0, 1}


# --------------------------------------------------------------------------- context


def _propensities_at_start(sc: mss_sim.Scenario, kind: str) -> np.ndarray:
    plan = compile(sc)
    spec = resolve(sc, 0).scenario
    clock = Clock(plan.calendar)
    mandate = MandateState(spec.mandate, clock, EventLog(clock, record=False), Bus(clock.env, ()))
    deployed = sum(c.initial_deployed for c in spec.deployment.contributors)
    strength = Strength(deployed, deployed)
    return Chamber(plan.council, spec.council, clock, mandate, strength).propensities(2025, kind)


def test_context_effects_shift_latent_support_by_their_sizes():
    base = [0.4, 0.3, 0.3]
    context = {
        "requests": [{"kind": "pko", "date": dt.date(2024, 10, 22)}],
        "endorsements": [
            {"body": "OAS", "kind": "pko", "date": dt.date(2024, 11, 1)},
            {"body": "CARICOM", "kind": "pko", "date": dt.date(2024, 12, 1)},
            {"body": "OAS", "kind": "renewal", "date": dt.date(2024, 12, 1)},
        ],
        "endorsement_half_life_months": 2,
        "funder_posture": [{"date": dt.date(2024, 6, 1), "value": -0.5}],
        "performance_reference": 0.5,
        "max_shift": 5,
    }
    effects = [
        {"factor": "host_request", "size": 0.4, "members": ["elected"]},
        {"factor": "endorsement", "size": 0.3, "members": ["latin_american_caribbean"]},
        {"factor": "endorsement", "size": -0.2, "members": ["CHN"], "body": "OAS"},
        {"factor": "performance", "size": 1.0, "members": ["permanent"], "kinds": ["pko"]},
        {"factor": "funder_posture", "size": 0.6, "members": ["all"], "kinds": ["renewal"]},
    ]
    sc = council_variant(
        propensities={"default": {"renewal": [1, 0, 0], "pko": base}},
        context=context,
        effects=effects,
    )
    p = _propensities_at_start(sc, "pko")
    members = sc.council.members(2025)
    month = 365.25 / 12
    # Ages at the start (1 Jan 2025, day 0), endorsements counting from noon.
    oas, caricom = 0.5 ** (60.5 / month / 2), 0.5 ** (30.5 / month / 2)
    share = 100 / 300 - 0.5  # 100 deployed of a 300 ceiling at the start
    for i, m in enumerate(members):
        delta = 0.4 * (m not in ("CHN", "FRA", "GBR", "RUS", "USA"))
        delta += 0.3 * (oas + caricom) * (m in ("GUY", "PAN"))
        delta += -0.2 * oas * (m == "CHN")
        delta += share * (m in ("CHN", "FRA", "GBR", "RUS", "USA"))
        assert p[i] == pytest.approx(shift(tuple(base), delta), abs=1e-12), m
    # Effects restricted to other kinds leave renewals alone but for the posture.
    renewal = _propensities_at_start(sc, "renewal")
    assert renewal[:, 0] == pytest.approx(np.ones(15))


def test_context_effects_are_bounded_and_dated():
    sc = council_variant(
        propensities={"default": {"renewal": [1, 0, 0], "pko": [0.4, 0.3, 0.3]}},
        context={
            "requests": [{"kind": "pko", "date": dt.date(2025, 3, 1)}],
            "funder_posture": [{"date": dt.date(2024, 1, 1), "value": 1}],
            "max_shift": 0.5,
        },
        effects=[
            {"factor": "host_request", "size": 3, "members": ["all"]},
            {"factor": "funder_posture", "size": 3, "members": ["USA"]},
        ],
    )
    p = _propensities_at_start(sc, "pko")
    # The request comes after the start; the posture's 3 sd are clipped to 0.5.
    assert p[0] == pytest.approx([0.4, 0.3, 0.3])
    assert p[4] == pytest.approx(shift((0.4, 0.3, 0.3), 0.5), abs=1e-12)


def test_noise_in_the_penholders_estimates_leaves_the_ballots_alone():
    # Common random numbers: the estimates have their own stream.
    kwargs = {"correlation": 0.3, "propensities": {"default": {"renewal": [0.8, 0.15, 0.05]}}}
    quiet = council_variant(negotiation={"threshold": 0.9}, **kwargs)
    noisy = council_variant(negotiation={"threshold": 0.9, "signal_noise": 1.0}, **kwargs)
    for seed in range(5):
        a, b = mss_sim.simulate(quiet, seed=seed), mss_sim.simulate(noisy, seed=seed)
        assert a.events_of("vote")[0].details == b.events_of("vote")[0].details


# --------------------------------------------------------------------------- statistics


def test_model_votes_match_the_exact_adoption_probability():
    propensities = {
        "default": {"renewal": [0.75, 0.2, 0.05]},
        "CHN": {"renewal": [0.5, 0.45, 0.05]},
        "RUS": {"renewal": [0.4, 0.5, 0.1]},
    }
    sc = council_variant(
        correlation=0.5,
        propensities=propensities,
        negotiation={"threshold": 0.99},
        retabling={"attempts": 1},
    )
    runs = 4000
    res = mss_sim.run_batch(sc, runs, seed=11)
    members = sc.council.members(2025)
    exact = {m: tuple(sc.council.propensity(m, "renewal")) for m in members}
    p = adoption_probability(exact, correlation=0.5)
    se = np.sqrt(p * (1 - p) / runs)
    assert abs(res.scalars["renew.adopted"].mean() - p) < 4 * se
    expected_yes = sum(q[0] for q in exact.values())
    yes = res.scalars["renew.yes"]
    assert abs(yes.mean() - expected_yes) < 4 * yes.std() / np.sqrt(runs)


@pytest.fixture(scope="module")
def mss_2024(run_small) -> mss_sim.BatchResult:
    return run_small("mss_2024", 400, 2024)


@pytest.fixture(scope="module")
def gsf_2025(run_small) -> mss_sim.BatchResult:
    return run_small("gsf_2025", 400, 2024)


def test_calibrated_2024_record_patterns(mss_2024):
    s = mss_2024.scalars
    # Res 2751: the Sep 2024 renewal adopted, after the peacekeeping paragraph went.
    assert s["mss_renewal.adopted"].mean() > 0.9
    assert (s["mss_renewal.softened"] >= 1).mean() > 0.9
    # The Nov 2024 peacekeeping draft: stopped before a vote, or softened.
    stopped = (s["pko_transition.withdrawn"] == 1) | (s["pko_transition.softened"] >= 1)
    assert stopped.mean() > 0.8
    assert s["pko_transition.vote_held"].mean() < 0.2
    # No Haiti draft has been vetoed: most replications cast no veto.
    assert (s["vetoes_cast"] == 0).mean() > 0.85


def test_calibrated_2025_china_and_russia_abstain_on_force_and_back_renewals(gsf_2025):
    s = gsf_2025.scalars
    assert s["gsf.adopted"].mean() > 0.9
    assert (s["vetoes_cast"] == 0).mean() > 0.85
    for member in ("CHN", "RUS"):
        on_force = s[f"gsf.vote.{member}"]
        assert (on_force == 0).mean() > 0.75, member
        renewal = s[f"gsf_renewal.vote.{member}"]
        held = np.isfinite(renewal)
        assert held.mean() > 0.9
        assert (renewal[held] == 1).mean() > 0.75, member


# --------------------------------------------------------------------------- timing


def test_a_retabled_draft_is_negotiated_in_rounds_again():
    kinds = ["k0", "k1", "k2", "k3", "k4"]
    sc = council_variant(
        expiry=dt.date(2025, 4, 30),
        propensities={
            "default": {"renewal": [1, 0, 0], **{k: [1, 0, 0] for k in kinds}},
            "CHN": {k: [0.2, 0.3, 0.5] for k in kinds[:4]},
        },
        negotiation={"rounds": 2, "round_days": 10},
        retabling={"attempts": 2, "interval_days": 7},
        drafts=[
            {
                "id": "renew",
                "date": dt.date(2025, 2, 10),
                "kind": "k0",
                "renewal": True,
                "duration_months": 1,
                "soften": [{"kind": k} for k in kinds[1:]],
            }
        ],
    )
    rep = mss_sim.simulate(sc, seed=0)
    got = [(e.day, e.kind, e.details.get("attempt"), e.details.get("kind")) for e in rep.events]
    got = [g for g in got if g[1] in ("softened", "withdrawn", "retabled", "vote", "adopted")]
    # Rounds every ten days up to the vote; the re-tabled draft reopens a week after
    # its withdrawal and is voted two rounds later, from its softest text so far.
    assert got == [
        (20.5, "softened", 1, "k1"),
        (30.5, "softened", 1, "k2"),
        (40.5, "withdrawn", 1, None),
        (40.5, "retabled", 2, None),
        (47.5, "softened", 2, "k3"),
        (57.5, "softened", 2, "k4"),
        (67.5, "vote", 2, "k4"),
        (67.5, "adopted", None, "k4"),
    ]
    assert rep.events_of("retabled")[0].details["date"] == dt.date(2025, 3, 9)
    assert rep.scalars["renew.softened"] == 4


def test_a_draft_that_renews_is_not_tabled_without_a_mandate():
    # The text's kind is not 'renewal' but the draft says it renews.
    sc = council_variant(
        expiry=dt.date(2025, 1, 20),
        propensities={"default": {"renewal": [1, 0, 0], "renewal_plus": [1, 0, 0]}},
        drafts=[
            {
                "id": "renew",
                "date": dt.date(2025, 2, 10),
                "kind": "renewal_plus",
                "renewal": True,
            }
        ],
    )
    rep = mss_sim.simulate(sc, seed=0)
    assert [e.kind for e in rep.events if e.actor == "renew"] == ["not_tabled"]
    assert np.isnan(rep.scalars["renew.adopted"])


def test_a_termination_needs_a_mandate_and_never_extends_one():
    drafts = [
        {"id": "end", "date": dt.date(2025, 1, 10), "kind": "termination", "duration_months": 3}
    ]
    sc = council_variant(propensities={"default": {"termination": [1, 0, 0]}}, drafts=drafts)
    rep = mss_sim.simulate(sc, seed=0)
    # The mandate runs to 15 Feb; a three-month termination leaves that date alone.
    assert rep.events_of("mandate")[0].details["expiry"] == dt.date(2025, 2, 15)
    assert rep.events_of("lapsed")[0].details == {"reason": "terminated"}
    late = [{**drafts[0], "date": dt.date(2025, 3, 10)}]
    sc = council_variant(propensities={"default": {"termination": [1, 0, 0]}}, drafts=late)
    rep = mss_sim.simulate(sc, seed=0)
    assert [e.kind for e in rep.events if e.actor == "end"] == ["not_tabled"]
    assert rep.scalars["days_without_mandate"] == 120 - 45.5


def test_a_later_attempts_ballots_do_not_depend_on_earlier_attempts():
    def scenario(force_vote: float) -> mss_sim.Scenario:
        return council_variant(
            expiry=dt.date(2025, 3, 1),
            propensities={
                "default": {"renewal": [0.8, 0.2, 0.0]},
                "CHN": {"renewal": [0.5, 0.0, 0.5]},
            },
            context={
                "max_shift": 5,
                "funder_posture": [
                    {"date": dt.date(2025, 1, 1), "value": -1},
                    {"date": dt.date(2025, 2, 12), "value": 1},
                ],
            },
            effects=[{"factor": "funder_posture", "size": 3, "members": ["CHN"]}],
            negotiation={"rounds": 0, "force_vote": force_vote},
            drafts=[{"id": "renew", "date": dt.date(2025, 2, 10), "kind": "renewal"}],
        )

    for seed in range(4):
        withdrawn = mss_sim.simulate(scenario(0.0), seed=seed)
        voted = mss_sim.simulate(scenario(1.0), seed=seed)
        assert [e.kind for e in withdrawn.events_of("vote")] == ["vote"]
        assert len(voted.events_of("vote")) == 2
        assert withdrawn.events_of("vote")[0].details == voted.events_of("vote")[1].details


def test_a_mandate_lapses_and_a_new_authorisation_restores_it():
    sc = council_variant(
        propensities={
            "default": {"renewal": [1, 0, 0], "force_authorisation": [1, 0, 0]},
            "RUS": {"renewal": [0, 0, 1]},
        },
        drafts=[
            {
                "id": "renew",
                "date": dt.date(2025, 2, 10),
                "kind": "renewal",
                "duration_months": 1,
                "ceiling": 400,
            },
            {
                "id": "restore",
                "date": dt.date(2025, 3, 10),
                "kind": "force_authorisation",
                "duration_months": 2,
                "ceiling": 200,
            },
        ],
    )
    rep = mss_sim.simulate(sc, seed=0)
    kinds = ("withdrawn", "lapsed", "repatriated", "mandate", "deployed")
    got = [(day, kind, actor) for day, kind, actor, _ in log(rep, *kinds)]
    # Russia's threat stops the renewal at the first round of negotiation (two rounds
    # of seven days before the vote on day 40.5), the mandate expires on 15 February
    # (day 45.5), the force leaves; the authorisation of 10 March (day 68.5) brings it
    # back in waves.
    assert got == [
        (26.5, "withdrawn", "renew"),
        (30.4375, "deployed", "KEN"),
        (45.5, "lapsed", "mission"),
        (45.5, "repatriated", "KEN"),
        (68.5, "mandate", "restore"),
        (68.5, "deployed", "KEN"),
        (98.9375, "deployed", "KEN"),
    ]
    restored = rep.events_of("mandate")[-1].details
    assert (restored["expiry"], restored["ceiling"]) == (dt.date(2025, 5, 10), 200)
    assert rep.series["deployed"].tolist() == [200, 0, 100, 200]
    assert rep.scalars["mandate_active_at_end"] == 1


def test_softening_can_change_ceiling_duration_powers_and_funding_model():
    sc = council_variant(
        propensities={
            "default": {"renewal": [1, 0, 0], "renewal_plus": [1, 0, 0]},
            "CHN": {"renewal_plus": [0.2, 0.3, 0.5]},
        },
        negotiation={"threshold": 0.25, "rounds": 2, "round_days": 5},
        drafts=[
            {
                "id": "renew",
                "date": dt.date(2025, 2, 10),
                "kind": "renewal_plus",
                "duration_months": 2,
                "ceiling": 400,
                "powers": ["arrest"],
                "soften": [
                    {
                        "kind": "renewal",
                        "ceiling": 300,
                        "duration_months": 1,
                        "powers": [],
                        "funding_model": "support_office",
                    }
                ],
            }
        ],
    )
    rep = mss_sim.simulate(sc, seed=0)
    # Unsoftened, the mandate would run to 15 April with 400 and arrest powers.
    assert log(rep, "mandate") == [
        (
            40.5,
            "mandate",
            "renew",
            {
                "expiry": dt.date(2025, 3, 15),
                "ceiling": 300,
                "funding_model": "support_office",
                "powers": (),
            },
        )
    ]
