"""A replication told in words: the exact timeline of the tiny scenario, every kind narrated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import mss_sim
from mss_sim.model.events import Event, EventKind, money_details, usd_millions
from mss_sim.model.narrate import CATEGORIES, category, narrate, timeline

TINY = Path(__file__).with_name("tiny.toml")

# Checked by hand against tiny.toml: a US$ 1M trust fund, CAN's US$ 0.5M in two
# tranches a month apart, KEN's waves of 100 a month up to the ceiling, a renewal
# that RUS abstains on, the lapse on 15 March and bills of $1,000 per person-month
# paid at each month's start for the month before. The state at each month's end is
# sampled at midnight after that bookkeeping: cash is after the month's bills.
EXPECTED = """\
2025-01-01  money     The trust fund account opens with US$ 1.0 million held (US$ 1.0 million received, US$ 0 spent before the start)
2025-01-20  money     CAN pledges US$ 0.5 million in 2 tranches
2025-01-20  money     CAN pays US$ 0.25 million into the trust fund account
2025-01-31  force     100 personnel from KEN arrive; 200 deployed
2025-02-01  money     The trust fund account pays US$ 0.1 million of bills (personnel US$ 0.1 million)
2025-02-01  status    End of January 2025: 200 deployed (ceiling 300); cash US$ 1.1 million
2025-02-10  council   Vote on draft renew (renewal): 14 yes, 0 no, 1 abstention; abstaining: RUS
2025-02-10  council   Draft renew adopted (renewal)
2025-02-10  mandate   Mandate in force (renew): ceiling 400 personnel until 2025-03-15, voluntary funding; no further powers
2025-02-19  money     CAN pays US$ 0.25 million into the trust fund account
2025-03-01  money     The trust fund account pays US$ 0.18 million of bills (personnel US$ 0.18 million)
2025-03-01  status    End of February 2025: 200 deployed (ceiling 400); cash US$ 1.2 million
2025-03-02  force     100 personnel from KEN arrive; 300 deployed
2025-03-15  mandate   Mandate lapsed (expired); the force withdraws
2025-03-15  force     300 personnel from KEN leave (mandate lapsed); 0 deployed
2025-04-01  money     The trust fund account pays US$ 0.14 million of bills (personnel US$ 0.14 million)
2025-04-01  status    End of March 2025: 0 deployed (ceiling 0), no mandate in force; cash US$ 1.1 million
2025-05-01  status    End of April 2025: 0 deployed (ceiling 0), no mandate in force; cash US$ 1.1 million"""  # noqa: E501


@pytest.fixture(scope="module")
def tiny_rep() -> mss_sim.Replication:
    return mss_sim.simulate(mss_sim.load_scenario(TINY), seed=0)


def test_the_timeline_of_the_tiny_scenario_is_exact(tiny_rep):
    assert "\n".join(str(e) for e in timeline(tiny_rep)) == EXPECTED


def test_the_tiny_timeline_does_not_depend_on_the_seed(tiny_rep):
    other = mss_sim.simulate(mss_sim.load_scenario(TINY), seed=99)
    assert [str(e) for e in timeline(other)] == EXPECTED.splitlines()


def test_categories_filter_and_status_lines(tiny_rep):
    council = timeline(tiny_rep, categories=("council", "mandate"))
    assert [e.category for e in council] == ["council", "council", "mandate", "mandate"]
    quiet = timeline(tiny_rep, status=False)
    assert all(e.category != "status" for e in quiet)
    assert len(quiet) == len(tiny_rep.events)
    with pytest.raises(ValueError, match="no timeline category 'votes'"):
        timeline(tiny_rep, categories=("votes",))


def test_a_replication_without_events_has_no_timeline():
    rep = mss_sim.simulate(mss_sim.load_scenario(TINY), seed=0, record_events=False)
    with pytest.raises(ValueError, match="record_events=True"):
        timeline(rep)


def test_every_event_kind_has_a_category_and_a_sentence():
    kinds = [k for kinds in CATEGORIES.values() for k in kinds]
    assert sorted(kinds) == sorted(EventKind)
    assert len(kinds) == len(set(kinds))


def test_every_kind_logged_by_the_bundled_scenarios_is_narrated():
    seen = set()
    for name in ("gsf_2025", "us_budget_cuts", "pko_assessed", "kenya_drawdown", "mss_2023"):
        scenario = mss_sim.load_scenario(name)
        for seed in range(8):
            for event in mss_sim.simulate(scenario, seed).events:
                text = narrate(event)
                assert text and "{" not in text and "cents" not in text, (event, text)
                assert category(event) in CATEGORIES
                seen.add(event.kind)
    assert len(seen) >= 20


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "US$ 0"),
        (1, "US$ 0.01"),
        (123_456, "US$ 1,234.56"),
        (12_345_678_901, "US$ 123.5 million"),
    ],
)
def test_money_in_millions(cents, text):
    assert usd_millions(cents) == text


def test_event_text_shows_money_in_millions_and_keeps_counts():
    paid = Event(
        31.0,
        dt.date(2025, 2, 1),
        EventKind.PAID,
        "trust_fund",
        {"cents": 250_000_000, "personnel": 150_000_000, "fixed": 100_000_000},
    )
    assert str(paid) == (
        "2025-02-01 paid       trust_fund (amount=US$ 2.5 million, personnel=US$ 1.5 million, "
        "fixed=US$ 1.0 million)"
    )
    assessed = {"cents": 10**10, "months": 6, "credited": 5 * 10**8}
    assert money_details(EventKind.ASSESSED, assessed) == {
        "amount": "US$ 100.0 million",
        "months": 6,
        "credited": "US$ 5.0 million",
    }
    deployed = {"count": 100, "total": 300}
    assert money_details(EventKind.DEPLOYED, deployed) == deployed
