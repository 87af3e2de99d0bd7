"""Force generation on tiny deterministic scenarios: exact event logs, exact times, frequencies.

Every scenario here starts on 1 January 2025 with an active mandate (ceiling 1,000)
until 2026, money enough for any force and no attrition, so that a replication is
deterministic unless a probability or hazard is set. Times are model days since the
start: dated events happen at noon (``day + 0.5``), durations in months are
``M = 365.25 / 12 = 30.4375`` days, and a month ends at midnight before the first of
the next (``JAN = 31.0`` is the end of January). Airlift seats are filled at the
start and refilled to capacity at every month end but the last; a month end's row of
the series is written as the month closes, before personnel waiting for the refill
take their seats, so those personnel count as waiting (``airlift_queue``) in that
row and as deployed only in the next.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from typing import Any

import numpy as np
import pytest

import mss_sim
from conftest import replications
from mss_sim.batch.chunk import run_chunk
from mss_sim.model import DAYS_PER_MONTH, compile
from mss_sim.model.airlift import Airlift
from mss_sim.model.clock import Calendar, Clock
from mss_sim.random import Streams, as_seed_sequence, replication_seed
from mss_sim.scenario import scenario_from_dict
from mss_sim.scenario.deployment import Airlift as AirliftSpec

M = DAYS_PER_MONTH
assert M == 30.4375

# Month ends of 2025 as model days.
JAN, FEB, MAR, APR, MAY, JUN = 31.0, 59.0, 90.0, 120.0, 151.0, 181.0


def noon(month: int, day: int) -> float:
    """The model day of noon on a date of 2025."""
    return (dt.date(2025, month, day) - dt.date(2025, 1, 1)).days + 0.5


BASE: dict[str, Any] = {
    "scenario": {"name": "fg", "start": dt.date(2025, 1, 1), "horizon_months": 6},
    "mandate": {
        "active": True,
        "expiry": dt.date(2026, 1, 1),
        "ceiling": 1000,
        "funding_model": "voluntary",
    },
    "funding": {
        "deploy_reserve_months": 0,
        "costs": {"personnel_per_person_month_usd": 1},
        "trust_fund": {"opening_balance_usd": 1_000_000_000},
    },
}

# A Council that renews the mandate unanimously on 10 April 2025 with a ceiling of 550.
COUNCIL: dict[str, Any] = {
    "elected": {"2025": ["DZA", "DNK", "GRC", "GUY", "PAK", "PAN", "KOR", "SLE", "SVN", "SOM"]},
    "propensities": {"default": {"renewal": [1.0, 0.0, 0.0]}},
    "drafts": [
        {
            "id": "renew",
            "date": dt.date(2025, 4, 10),
            "kind": "renewal",
            "duration_months": 6,
            "ceiling": 550,
        }
    ],
}

PERSONNEL = {"ready", "deployed", "deferred", "attrition", "repatriated", "handover"}


def scenario(deployment: dict[str, Any], **tables: dict[str, Any]) -> mss_sim.Scenario:
    """BASE with a ``[deployment]`` table and other tables merged one level deep."""
    data = copy.deepcopy(BASE)
    data["deployment"] = copy.deepcopy(deployment)
    for name, values in tables.items():
        data[name] = {**data.get(name, {}), **copy.deepcopy(values)}
    return scenario_from_dict(data, source="fg.toml")


def personnel(rep: mss_sim.Replication) -> list[tuple[float, str, str, dict[str, Any]]]:
    """The events about personnel and the lead: (day, kind, actor, details)."""
    return [(e.day, e.kind, e.actor, dict(e.details)) for e in rep.events if e.kind in PERSONNEL]


def deployed(day: float, actor: str, count: int, total: int, reason: str | None = None) -> tuple:
    """A ``deployed`` event: a wave (no reason) or a rotation's ``relief``."""
    details: dict[str, Any] = {"count": count, "total": total}
    if reason is not None:
        details["reason"] = reason
    return (day, "deployed", actor, details)


def repatriated(day: float, actor: str, count: int, total: int, reason: str) -> tuple:
    return (day, "repatriated", actor, {"count": count, "total": total, "reason": reason})


def ready(day: float, actor: str, pledged: int) -> tuple:
    return (day, "ready", actor, {"pledged": pledged})


def assert_binomial(hits: int, runs: int, p: float) -> None:
    """The share `hits / runs` is within 3 standard errors of `p`."""
    se = math.sqrt(p * (1 - p) / runs)
    assert abs(hits / runs - p) < 3 * se, (hits, runs, p, se)


def replication_draw(seed: int, name: str) -> np.random.Generator:
    """The stream `name` of ``mss_sim.simulate(sc, seed)`` (a fresh copy)."""
    return Streams(as_seed_sequence(seed))[name]


# --------------------------------------------------------------------------- the example


EXAMPLE: dict[str, Any] = {
    "airlift": {"seats_per_month": 150},
    "handovers": [{"date": dt.date(2025, 3, 1), "successor": "GTM", "gap_months": 1}],
    "contributors": [
        {
            "country": "KEN",
            "lead_nation": True,
            "pledged": 400,
            "initial_deployed": 200,
            "wave_size": 100,
            "wave_interval_months": 1,
            "tour_months": 2,
            "drawdowns": [{"date": dt.date(2025, 3, 1), "to": 100}],
        },
        {
            "country": "GTM",
            "pledged": 300,
            "initial_deployed": 0,
            "wave_size": 200,
            "wave_interval_months": 1,
            "equipment": [{"kind": "vehicles", "count": 10, "ready_months": 1}],
        },
    ],
}


def test_example_event_log_is_exact():
    rep = mss_sim.simulate(scenario(EXAMPLE), 1)
    mar1 = noon(3, 1)
    assert mar1 == 59.5
    assert personnel(rep) == [
        # GTM's vehicles are ready a month after the start; KEN's next wave comes a
        # month on and takes 100 of January's 150 seats.
        ready(M, "GTM", 300),
        deployed(M, "KEN", 100, 300),
        # GTM's 200 take January's 50 seats left, February's refill (JAN) and 50 of
        # March's (FEB): 50 + 150 = 200 at FEB.
        deployed(FEB, "GTM", 200, 500),
        # 1 March: KEN down to 100, and the lead passes to GTM with a month's gap.
        repatriated(mar1, "KEN", 200, 300, "drawdown"),
        (mar1, "handover", "GTM", {"previous": "KEN", "gap_days": round(M, 2)}),
        # KEN's first tour ends two months after the start; its 100 are relieved
        # with March's 100 seats left (rotations go on during the gap).
        repatriated(2 * M, "KEN", 100, 200, "rotation"),
        deployed(2 * M, "KEN", 100, 300, reason="relief"),
        # GTM's last 100 wait for the gap (to 59.5 + M = 89.9375), then for the
        # April seats (March's were used up): MAR.
        deployed(MAR, "GTM", 100, 400),
        # KEN's next tour ends two months after its relief.
        repatriated(4 * M, "KEN", 100, 300, "rotation"),
        deployed(4 * M, "KEN", 100, 400, reason="relief"),
    ]
    s = rep.series
    assert s["deployed.KEN"].tolist() == [300, 300, 100, 100, 100, 100]
    assert s["deployed.GTM"].tolist() == [0, 0, 200, 300, 300, 300]
    # January's end: GTM's 200 wait (its 150 seats come at that instant); February's:
    # 50; March's: the last 100.
    assert s["airlift_queue"].tolist() == [200, 50, 100, 0, 0, 0]
    assert rep.scalars["lead_nation_changes"] == 1
    assert rep.scalars["contingents_withdrawn"] == 0
    assert rep.scalars["rotation_gap_days"] == 0


# --------------------------------------------------------------------------- handovers


def handover_scenario(probability: Any = 1.0) -> mss_sim.Scenario:
    """KEN leads; the lead passes to GTM on 15 February with a month's gap."""
    deployment = {
        "handovers": [
            {
                "date": dt.date(2025, 2, 15),
                "successor": "GTM",
                "gap_months": 1,
                "probability": probability,
            }
        ],
        "contributors": [
            {
                "country": "KEN",
                "lead_nation": True,
                "pledged": 400,
                "initial_deployed": 200,
                "wave_size": 100,
            },
            {"country": "GTM", "pledged": 300, "initial_deployed": 100, "wave_size": 100},
        ],
    }
    return scenario(deployment, mandate={"expiry": dt.date(2025, 5, 1)}, council=COUNCIL)


def test_handover_event_log_is_exact():
    rep = mss_sim.simulate(handover_scenario(), 0)
    handover, renewal = noon(2, 15), noon(4, 10)
    assert (handover, renewal) == (45.5, 99.5)
    gap_end = handover + M  # 75.9375
    assert personnel(rep) == [
        # Both contingents send a wave a month after the start.
        deployed(M, "KEN", 100, 400),
        deployed(M, "GTM", 100, 500),
        (handover, "handover", "GTM", {"previous": "KEN", "gap_days": round(M, 2)}),
        # The waves due at 2M = 60.875 wait for the gap's end.
        deployed(gap_end, "KEN", 100, 600),
        deployed(gap_end, "GTM", 100, 700),
        # The new ceiling (550) cuts the 150 over it from KEN, no longer the lead.
        repatriated(renewal, "KEN", 150, 550, "ceiling lowered"),
    ]
    days = [e.day for e in rep.events_of("deployed")]
    assert not [d for d in days if handover < d < gap_end]
    assert rep.scalars["lead_nation_changes"] == 1
    assert rep.series["deployed.KEN"].tolist() == [300, 300, 400, 250, 250, 250]
    assert rep.series["deployed.GTM"].tolist() == [200, 200, 300, 300, 300, 300]


def test_handover_with_probability_zero_never_happens():
    rep = mss_sim.simulate(handover_scenario(0.0), 0)
    assert personnel(rep) == [
        deployed(M, "KEN", 100, 400),
        deployed(M, "GTM", 100, 500),
        # No gap: the waves come at 2M.
        deployed(2 * M, "KEN", 100, 600),
        deployed(2 * M, "GTM", 100, 700),
        # KEN still leads: the non-lead GTM goes first.
        repatriated(noon(4, 10), "GTM", 150, 550, "ceiling lowered"),
    ]
    assert rep.scalars["lead_nation_changes"] == 0
    _, scalars = replications(handover_scenario(0.0), 100, 5)
    assert (scalars["lead_nation_changes"] == 0).all()


def test_handover_happens_with_its_probability():
    p, runs = 0.3, 400
    _, scalars = replications(handover_scenario(p), runs, 2024)
    changes = scalars["lead_nation_changes"]
    assert set(np.unique(changes)) <= {0.0, 1.0}
    assert_binomial(int(changes.sum()), runs, p)


def test_handover_pauses_a_wave_already_waiting_for_seats():
    # GTM's 400 board from the start: 150 seats then, 150 at JAN, 100 at FEB. The
    # handover on 15 February pauses waves until 45.5 + M = 75.9375: the wave must not
    # deploy within the gap even though its last seats come at FEB = 59.0.
    deployment = {
        "airlift": {"seats_per_month": 150},
        "handovers": [{"date": dt.date(2025, 2, 15), "successor": "GTM", "gap_months": 1}],
        "contributors": [
            {"country": "KEN", "lead_nation": True, "pledged": 200, "initial_deployed": 200},
            {"country": "GTM", "pledged": 400, "wave_size": 400},
        ],
    }
    rep = mss_sim.simulate(scenario(deployment), 0)
    handover = noon(2, 15)
    assert rep.events_of("handover")[0].day == handover
    days = [e.day for e in rep.events_of("deployed")]
    assert days, "GTM's wave never deployed"
    assert not [d for d in days if handover < d < handover + M], days


# --------------------------------------------------------------------------- airlift


def one_wave(airlift: bool) -> mss_sim.Scenario:
    """GTM, ready at the start, sends all its 400 in one wave."""
    deployment: dict[str, Any] = {
        "contributors": [{"country": "GTM", "pledged": 400, "wave_size": 400}],
    }
    if airlift:
        deployment["airlift"] = {"seats_per_month": 150}
    return scenario(deployment)


def test_wave_waits_for_seats():
    rep = mss_sim.simulate(one_wave(airlift=True), 0)
    # 150 seats at the start, 150 at January's refill, 100 of February's: 400 at FEB.
    assert 150 + 150 + 100 == 400
    assert personnel(rep) == [ready(0.0, "GTM", 400), deployed(FEB, "GTM", 400, 400)]
    # Waiting at the month ends: 400 - 150 at JAN, 400 - 300 at FEB, none after.
    assert rep.series["airlift_queue"].tolist() == [250, 100, 0, 0, 0, 0]
    assert rep.series["deployed.GTM"].tolist() == [0, 0, 400, 400, 400, 400]
    assert rep.series["deployed"].tolist() == rep.series["deployed.GTM"].tolist()


def test_wave_does_not_wait_without_airlift():
    rep = mss_sim.simulate(one_wave(airlift=False), 0)
    assert personnel(rep) == [ready(0.0, "GTM", 400), deployed(0.0, "GTM", 400, 400)]
    assert rep.series["airlift_queue"].tolist() == [0] * 6
    assert rep.series["deployed.GTM"].tolist() == [400] * 6


def test_waves_share_the_months_seats_in_turn():
    # Two waves of 100 a month apart, 150 seats a month: the first flies at once, the
    # second (due at M = 30.4375) finds 50 seats and waits for January's refill (JAN).
    deployment = {
        "airlift": {"seats_per_month": 150},
        "contributors": [{"country": "GTM", "pledged": 200, "wave_size": 100}],
    }
    rep = mss_sim.simulate(scenario(deployment), 0)
    assert personnel(rep) == [
        ready(0.0, "GTM", 200),
        deployed(0.0, "GTM", 100, 100),
        deployed(JAN, "GTM", 100, 200),
    ]
    assert rep.series["airlift_queue"].tolist() == [100, 0, 0, 0, 0, 0]


# --------------------------------------------------------------------------- rotations


def rotation_scenario(airlift: bool, *, wave_size: int = 100, months: int = 5) -> mss_sim.Scenario:
    """KEN's 300 in the field (nothing more pledged) on two-month tours."""
    contributor = {
        "country": "KEN",
        "pledged": 300,
        "initial_deployed": 300,
        "wave_size": wave_size,
        "tour_months": 2,
    }
    deployment: dict[str, Any] = {"contributors": [contributor]}
    if airlift:
        deployment["airlift"] = {"seats_per_month": 150}
    return scenario(deployment, scenario={"horizon_months": months})


def test_rotation_waits_for_seats():
    rep = mss_sim.simulate(rotation_scenario(airlift=True), 0)
    tour_end = 2 * M  # 60.875
    assert personnel(rep) == [
        # In groups of the wave size (100): the first is relieved at once with 100 of
        # the 150 seats refilled at FEB = 59.0; the second finds 50 and waits for the
        # next refill, MAR; the third goes then, finds 50 and waits for APR.
        repatriated(tour_end, "KEN", 100, 200, "rotation"),
        deployed(tour_end, "KEN", 100, 300, reason="relief"),
        repatriated(tour_end, "KEN", 100, 200, "rotation"),
        deployed(MAR, "KEN", 100, 300, reason="relief"),
        repatriated(MAR, "KEN", 100, 200, "rotation"),
        deployed(APR, "KEN", 100, 300, reason="relief"),
    ]
    gap = (MAR - tour_end) + (APR - MAR)
    assert gap == 29.125 + 30.0
    assert rep.scalars["rotation_gap_days"] == gap
    # A group is away at the ends of March and April (it is relieved at that instant).
    assert rep.series["deployed.KEN"].tolist() == [300, 300, 200, 200, 300]
    assert rep.series["airlift_queue"].tolist() == [0, 0, 100, 100, 0]


def test_rotation_of_one_group_waits_for_the_refill():
    # All 300 go home at once; 150 seats then, 150 at MAR: the relief arrives at MAR.
    # (Four months: the next tour ends at MAR + 2M = 150.875, after the horizon.)
    rep = mss_sim.simulate(rotation_scenario(airlift=True, wave_size=300, months=4), 0)
    tour_end = 2 * M
    assert personnel(rep) == [
        repatriated(tour_end, "KEN", 300, 0, "rotation"),
        deployed(MAR, "KEN", 300, 300, reason="relief"),
    ]
    assert rep.scalars["rotation_gap_days"] == MAR - tour_end
    assert rep.series["deployed.KEN"].tolist() == [300, 300, 0, 300]
    assert rep.series["airlift_queue"].tolist() == [0, 0, 150, 0]


def test_rotation_without_airlift_has_no_gap():
    rep = mss_sim.simulate(rotation_scenario(airlift=False), 0)
    expected = []
    for day in (2 * M, 4 * M):  # a tour after the start, then a tour after the relief
        group = [
            repatriated(day, "KEN", 100, 200, "rotation"),
            deployed(day, "KEN", 100, 300, reason="relief"),
        ]
        expected += group * 3  # three groups of the wave size, each relieved at once
    assert personnel(rep) == expected
    assert rep.scalars["rotation_gap_days"] == 0
    assert rep.series["deployed"].tolist() == [300] * 5
    assert rep.series["airlift_queue"].tolist() == [0] * 5


def test_first_tour_of_a_later_contingent_counts_from_its_first_wave():
    # Ready after a month; waves of 100 at M and 2M; tours of two months from the first
    # wave: rotations at M + 2M = 3M and 5M (not at 2M, two months after the start).
    deployment = {
        "contributors": [
            {
                "country": "GTM",
                "pledged": 200,
                "wave_size": 100,
                "readiness_months": 1,
                "tour_months": 2,
            }
        ]
    }
    rep = mss_sim.simulate(scenario(deployment), 0)
    expected = [
        ready(M, "GTM", 200),
        deployed(M, "GTM", 100, 100),
        deployed(2 * M, "GTM", 100, 200),
    ]
    for day in (3 * M, 5 * M):
        expected += [
            repatriated(day, "GTM", 100, 100, "rotation"),
            deployed(day, "GTM", 100, 200, reason="relief"),
        ] * 2
    assert personnel(rep) == expected


# --------------------------------------------------------------------------- drawdowns


def test_contributor_leaves_on_a_date():
    deployment = {
        "contributors": [
            {
                "country": "KEN",
                "lead_nation": True,
                "pledged": 400,
                "initial_deployed": 200,
                "wave_size": 100,
            },
            {
                "country": "GTM",
                "pledged": 500,
                "initial_deployed": 100,
                "wave_size": 100,
                "drawdowns": [{"date": dt.date(2025, 3, 1), "to": 0}],
            },
        ]
    }
    rep = mss_sim.simulate(scenario(deployment), 0)
    leaves = noon(3, 1)
    assert personnel(rep) == [
        deployed(M, "KEN", 100, 400),
        deployed(M, "GTM", 100, 500),
        repatriated(leaves, "GTM", 200, 300, "drawdown"),
        deployed(2 * M, "KEN", 100, 400),
    ]
    assert rep.series["deployed.GTM"].tolist() == [200, 200, 0, 0, 0, 0]
    assert not [e for e in rep.events if e.actor == "GTM" and e.day > leaves]
    assert rep.scalars["contingents_withdrawn"] == 1


def test_drawdown_caps_later_waves():
    deployment = {
        "contributors": [
            {
                "country": "KEN",
                "pledged": 1000,
                "initial_deployed": 200,
                "wave_size": 100,
                "drawdowns": [
                    {"date": dt.date(2025, 2, 15), "to": 350},
                    {"date": dt.date(2025, 4, 15), "to": 250},
                ],
            }
        ]
    }
    rep = mss_sim.simulate(scenario(deployment), 0)
    assert personnel(rep) == [
        deployed(M, "KEN", 100, 300),
        # 15 February: 300 in the field, at most 350 from now on (nobody leaves); the
        # wave at 2M brings only 350 - 300 = 50, and none follow.
        deployed(2 * M, "KEN", 50, 350),
        # 15 April: down to 250.
        repatriated(noon(4, 15), "KEN", 100, 250, "drawdown"),
    ]
    # The wave at 2M = 60.875 comes after February's end (FEB = 59.0).
    assert rep.series["deployed.KEN"].tolist() == [300, 300, 350, 250, 250, 250]
    assert rep.scalars["contingents_withdrawn"] == 0


# --------------------------------------------------------------------------- readiness


def readiness_scenario(**contributor: Any) -> mss_sim.Scenario:
    spec = {"country": "GTM", "pledged": 100, "wave_size": 100, "readiness_months": 1.5}
    return scenario({"contributors": [spec | contributor]})


VEHICLES = {"kind": "vehicles", "count": 10, "ready_months": 2}
HELICOPTERS = {"kind": "helicopters", "count": 3, "ready_months": 3.5}


@pytest.mark.parametrize(
    ("changes", "ready_day"),
    [
        # Available from 1 February (31.5); personnel ready 1.5 months on.
        ({"available_from": dt.date(2025, 2, 1)}, 31.5 + 1.5 * M),
        # The slowest equipment item (3.5 months) sets the day.
        (
            {"available_from": dt.date(2025, 2, 1), "equipment": [VEHICLES, HELICOPTERS]},
            31.5 + 3.5 * M,
        ),
        # Equipment quicker than the personnel does not delay them.
        (
            {"available_from": dt.date(2025, 2, 1), "equipment": [{"kind": "radios"}]},
            31.5 + 1.5 * M,
        ),
        # A pledge on 1 March (59.5), after the availability: readiness counts from it.
        (
            {
                "available_from": dt.date(2025, 2, 1),
                "pledge_date": dt.date(2025, 3, 1),
                "equipment": [VEHICLES, HELICOPTERS],
            },
            59.5 + 3.5 * M,
        ),
        # A pledge before the availability: the availability counts.
        (
            {"available_from": dt.date(2025, 2, 1), "pledge_date": dt.date(2025, 1, 15)},
            31.5 + 1.5 * M,
        ),
        ({"pledge_date": dt.date(2025, 3, 1)}, 59.5 + 1.5 * M),
    ],
    ids=["personnel", "equipment", "quick-equipment", "pledge-later", "pledge-earlier", "pledge"],
)
def test_first_wave_waits_for_readiness(changes, ready_day):
    rep = mss_sim.simulate(readiness_scenario(**changes), 0)
    assert ready_day < JUN
    assert personnel(rep) == [ready(ready_day, "GTM", 100), deployed(ready_day, "GTM", 100, 100)]


def test_later_pledge_of_a_contingent_in_the_field_waits_for_its_date():
    # KEN has 200 in the field and pledges 200 more on 1 April (90.5): the waves of
    # the new pledge cannot come before it is made (not at M and 2M as an earlier
    # pledge's would); with no readiness period they come from 90.5 on.
    pledge = noon(4, 1)
    assert pledge == 90.5
    contributor = {
        "country": "KEN",
        "pledged": 400,
        "initial_deployed": 200,
        "wave_size": 100,
        "pledge_date": dt.date(2025, 4, 1),
    }
    rep = mss_sim.simulate(scenario({"contributors": [contributor]}), 0)
    days = [e.day for e in rep.events_of("deployed")]
    assert days, "the pledge never deployed"
    assert min(days) >= pledge, days
    assert rep.series["deployed.KEN"][:3].tolist() == [200, 200, 200]
    assert rep.series["deployed.KEN"][-1] == 400


# --------------------------------------------------------------------------- politics


def politics_scenario(hazard: float) -> mss_sim.Scenario:
    contributor = {
        "country": "GTM",
        "pledged": 100,
        "initial_deployed": 100,
        "leave_hazard_per_month": hazard,
    }
    return scenario({"contributors": [contributor]})


def test_government_leaves_at_its_exponential_time():
    hazard = 0.1
    sc = politics_scenario(hazard)
    # The first seed whose draw falls within the horizon (JUN = 181 days).
    seed = next(
        s
        for s in range(100)
        if replication_draw(s, "deployment/GTM/politics").exponential(M / hazard) < JUN
    )
    day = float(replication_draw(seed, "deployment/GTM/politics").exponential(M / hazard))
    rep = mss_sim.simulate(sc, seed)
    assert personnel(rep) == [repatriated(day, "GTM", 100, 0, "politics")]
    assert rep.scalars["contingents_withdrawn"] == 1
    month = next(k for k, end in enumerate((JAN, FEB, MAR, APR, MAY, JUN)) if day < end)
    assert rep.series["deployed.GTM"].tolist() == [100] * month + [0] * (6 - month)


def test_governments_leave_at_the_hazard_rate():
    hazard, runs = 0.1, 400
    series, scalars = replications(politics_scenario(hazard), runs, 77)
    months = JUN / M  # the horizon, 181 days, in months
    p = 1 - math.exp(-hazard * months)
    left = scalars["contingents_withdrawn"]
    assert set(np.unique(left)) <= {0.0, 1.0}
    assert ((series["deployed.GTM"][:, -1] == 0) == (left == 1)).all()
    assert_binomial(int(left.sum()), runs, p)


# --------------------------------------------------------------------------- pledges


def pledge_scenario(initial: int, probability: float | None, **extra: Any) -> mss_sim.Scenario:
    contributor: dict[str, Any] = {
        "country": "GTM",
        "pledged": 300,
        "initial_deployed": initial,
        "wave_size": 100,
    } | extra
    if probability is not None:
        contributor["pledge_probability"] = probability
    return scenario({"contributors": [contributor]}, scenario={"horizon_months": 3})


@pytest.mark.parametrize("initial", [0, 50])
def test_pledge_materialises_with_its_probability(initial):
    p, runs, seed = 0.3, 400, 99
    series, _ = replications(pledge_scenario(initial, p), runs, seed)
    beyond = series["deployed.GTM"][:, -1] > initial
    assert_binomial(int(beyond.sum()), runs, p)
    # Exactly the replications whose draw of deployment/GTM/pledge is below p.
    draws = [
        replication_draw(replication_seed(seed, i), "deployment/GTM/pledge").random()
        for i in range(runs)
    ]
    assert (beyond == (np.asarray(draws) < p)).all()
    # When it does not materialise, the contingent stays at what it had.
    assert (series["deployed.GTM"][~beyond] == initial).all()


def test_pledge_not_materialising_means_no_readiness_and_no_wave():
    seed = next(
        s for s in range(100) if replication_draw(s, "deployment/GTM/pledge").random() >= 0.5
    )
    rep = mss_sim.simulate(pledge_scenario(0, 0.5), seed)
    assert personnel(rep) == []
    seed = next(
        s for s in range(100) if replication_draw(s, "deployment/GTM/pledge").random() < 0.5
    )
    rep = mss_sim.simulate(pledge_scenario(0, 0.5), seed)
    assert personnel(rep)[:2] == [ready(0.0, "GTM", 300), deployed(0.0, "GTM", 100, 100)]


def test_certain_pledge_draws_nothing(monkeypatch):
    names: list[str] = []
    getitem = Streams.__getitem__

    def spy(self: Streams, name: str) -> np.random.Generator:
        names.append(name)
        return getitem(self, name)

    monkeypatch.setattr(Streams, "__getitem__", spy)
    uncertain = {
        "monthly_attrition": 0.05,
        "wave_size": {"dist": "uniform", "low": 50, "high": 150},
    }
    certain = pledge_scenario(50, 1.0, **uncertain)
    without = pledge_scenario(50, None, **uncertain)
    mss_sim.simulate(certain, 3)
    assert "deployment/GTM/pledge" not in names
    mss_sim.simulate(pledge_scenario(50, 0.5), 3)
    assert "deployment/GTM/pledge" in names
    monkeypatch.undo()
    a, b = compile(certain), compile(without)
    ca, cb = run_chunk(a, 8, 0, 30), run_chunk(b, 8, 0, 30)
    assert np.array_equal(ca.series, cb.series, equal_nan=True)
    assert np.array_equal(ca.scalars, cb.scalars, equal_nan=True)
    assert np.array_equal(ca.parameters, cb.parameters, equal_nan=True)
    # The outputs do vary with the seed (the comparison is not between constants).
    assert len({tuple(row) for row in ca.series[:, 0, :]}) > 1


# --------------------------------------------------------------------------- airlift donor


def supplied_scenario(honour: float, pledge_date: dt.date | None = None) -> mss_sim.Scenario:
    donor: dict[str, Any] = {"name": "USA", "pledge_usd": 1000, "honour_probability": honour}
    if pledge_date is not None:
        donor["pledge_date"] = pledge_date
    funding = copy.deepcopy(BASE["funding"]) | {"donors": [donor]}
    deployment = {
        "airlift": {"seats_per_month": 150, "supplied_by": "USA"},
        "contributors": [{"country": "GTM", "pledged": 600, "wave_size": 100}],
    }
    return scenario(deployment, funding=funding)


def test_airlift_of_a_reneging_donor_brings_no_seats():
    rep = mss_sim.simulate(supplied_scenario(0.0), 0)
    assert [e.kind for e in rep.events_of("reneged")] == ["reneged"]
    # The donor reneges on its pledge at the start: no seats ever, so the first wave
    # (100, ready at the start) waits all along and nobody deploys.
    assert rep.events_of("deployed") == []
    assert rep.series["deployed"].tolist() == [0] * 6
    assert rep.series["airlift_queue"].tolist() == [100] * 6


def test_airlift_stops_when_its_donor_reneges():
    # The donor pledges (and reneges) on 15 February: January's refill (JAN) comes,
    # February's (FEB) and later ones do not.
    rep = mss_sim.simulate(supplied_scenario(0.0, dt.date(2025, 2, 15)), 0)
    assert rep.events_of("reneged")[0].day == noon(2, 15)
    assert personnel(rep) == [
        ready(0.0, "GTM", 600),
        # 100 of the first 150 seats; the wave due at M finds 50 and waits for JAN.
        deployed(0.0, "GTM", 100, 100),
        deployed(JAN, "GTM", 100, 200),
    ]
    # The next wave (due at JAN + M = 61.4375) finds 50 seats and waits for good.
    assert rep.series["airlift_queue"].tolist() == [100, 0, 100, 100, 100, 100]
    assert rep.series["deployed.GTM"].tolist() == [100, 200, 200, 200, 200, 200]


def test_airlift_of_an_honouring_donor_brings_seats():
    rep = mss_sim.simulate(supplied_scenario(1.0), 0)
    assert rep.events_of("reneged") == []
    # As many seats as without a donor: the waves of 100 come at 0, JAN, then a month
    # after each other while 150 seats a month suffice.
    free = mss_sim.simulate(
        scenario(
            {
                "airlift": {"seats_per_month": 150},
                "contributors": [{"country": "GTM", "pledged": 600, "wave_size": 100}],
            }
        ),
        0,
    )
    assert personnel(rep) == personnel(free)
    assert personnel(rep)[:3] == [
        ready(0.0, "GTM", 600),
        deployed(0.0, "GTM", 100, 100),
        deployed(JAN, "GTM", 100, 200),
    ]
    assert rep.series["deployed.GTM"][-1] == 600


# ---------------------------------------------------------------- reliefs no longer wanted


def test_a_drawdown_cancels_the_relief_waiting_for_seats():
    """20 seats a month. KEN's first group goes home at 2M and its relief gets 20 seats,
    then 20 more at the April refill (day 90); the drawdown to 100 on 1 April (day 90.5)
    leaves no room for it, so the request is withdrawn and 20 seats go back (a month's
    capacity at most). The next group goes home at once; its relief takes those 20 and
    waits for the rest. Gap: 90.5 - 2M for the first group, the horizon (MAY, 151) - 90.5 for
    the second, still waiting."""
    deployment = {
        "contributors": [
            {
                "country": "KEN",
                "pledged": 300,
                "initial_deployed": 300,
                "wave_size": 100,
                "tour_months": 2,
                "drawdowns": [{"date": dt.date(2025, 4, 1), "to": 100}],
            }
        ],
        "airlift": {"seats_per_month": 20},
    }
    rep = mss_sim.simulate(scenario(deployment, scenario={"horizon_months": 5}), 0)
    apr1 = noon(4, 1)
    assert personnel(rep) == [
        repatriated(2 * M, "KEN", 100, 200, "rotation"),
        repatriated(apr1, "KEN", 100, 100, "drawdown"),
        repatriated(apr1, "KEN", 100, 0, "rotation"),
    ]
    # Without the cancellation the first relief would still wait: 60 + 100 in April.
    assert rep.series["airlift_queue"].tolist() == [0, 0, 80, 80, 60]
    assert rep.scalars["rotation_gap_days"] == pytest.approx((apr1 - 2 * M) + (MAY - apr1))


def test_seats_left_over_go_when_the_supplier_stops():
    """A month's seats that nobody used do not outlast the supplier's support."""
    env_clock = _clock(months=3)
    supported = [True]
    airlift = Airlift(AirliftSpec(seats_per_month=50), env_clock, supplied=lambda: supported[0])
    airlift.start()
    env = env_clock.env
    env.run(until=1)
    assert airlift.seats.level == 50
    supported[0] = False
    env.run(until=JAN + 1)  # the February refill finds no support: the 50 left go
    assert airlift.seats.level == 0


def test_the_lead_does_not_pass_to_a_contingent_that_has_left():
    """GTM leaves on 1 February; the handover to it on 1 March does not happen."""
    data = copy.deepcopy(EXAMPLE)
    data["contributors"][1]["drawdowns"] = [{"date": dt.date(2025, 2, 1), "to": 0}]
    rep = mss_sim.simulate(scenario(data), 1)
    assert rep.events_of("handover") == []
    assert rep.scalars["lead_nation_changes"] == 0


def _clock(months: int) -> Clock:
    start = dt.date(2025, 1, 1)
    ends = tuple(float((dt.date(2025, k + 2, 1) - start).days) for k in range(months))
    return Clock(Calendar(start=start, end_day=ends[-1], month_ends=ends))
