"""The ``[deployment]`` table's force generation keys: errors name the file and key path."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import mss_sim
from conftest import error_of, write

NAME = "force.toml"

DATA: dict[str, Any] = {
    "scenario": {"name": "force", "start": dt.date(2025, 1, 1), "horizon_months": 6},
    "mandate": {
        "active": True,
        "expiry": dt.date(2026, 1, 1),
        "ceiling": 1000,
        "funding_model": "voluntary",
    },
    "funding": {
        "costs": {"personnel_per_person_month_usd": 1},
        "trust_fund": {"opening_balance_usd": 1_000_000},
        "donors": [{"name": "CAN", "pledge_usd": 1000}],
    },
    "deployment": {
        "airlift": {"seats_per_month": 150, "supplied_by": "CAN"},
        "handovers": [{"date": dt.date(2025, 3, 1), "successor": "GTM", "gap_months": 1}],
        "contributors": [
            {
                "country": "KEN",
                "lead_nation": True,
                "pledged": 400,
                "initial_deployed": 200,
                "tour_months": 6,
                "leave_hazard_per_month": 0.01,
                "drawdowns": [
                    {"date": dt.date(2025, 3, 1), "to": 100},
                    {"date": dt.date(2025, 5, 1), "to": 0},
                ],
            },
            {
                "country": "GTM",
                "pledged": 300,
                "pledge_probability": 0.5,
                "pledge_date": dt.date(2025, 2, 1),
                "equipment": [{"kind": "vehicles", "count": 10, "ready_months": 1}],
            },
        ],
    },
}


def path_with(tmp_path: Path, change) -> Path:
    data = copy.deepcopy(DATA)
    change(data["deployment"])
    return write(tmp_path, data, NAME)


def test_valid_deployment_is_accepted(tmp_path):
    sc = mss_sim.load_scenario(path_with(tmp_path, lambda d: None))
    ken, gtm = sc.deployment.contributors
    assert [d.to for d in ken.drawdowns] == [100, 0]
    assert (gtm.pledge_probability, gtm.equipment[0].count) == (0.5, 10)
    assert sc.deployment.handovers[0].probability == 1.0
    assert sc.deployment.airlift.supplied_by == "CAN"


CASES = [
    (
        "handover successor not a contributor",
        lambda d: d["handovers"][0].update(successor="HTI"),
        "deployment.handovers[0].successor",
        "HTI is not a contributor (KEN, GTM)",
    ),
    (
        "handovers out of date order",
        lambda d: d["handovers"].insert(0, {"date": dt.date(2025, 4, 1), "successor": "GTM"}),
        "deployment.handovers[1].date",
        "must be later than the previous handover's date (2025-04-01), got 2025-03-01",
    ),
    (
        "handovers on the same date",
        lambda d: d["handovers"].append({"date": dt.date(2025, 3, 1), "successor": "KEN"}),
        "deployment.handovers[1].date",
        "must be later than the previous handover's date (2025-03-01), got 2025-03-01",
    ),
    (
        "a handover to the contributor already leading",
        lambda d: d["handovers"].append({"date": dt.date(2025, 4, 1), "successor": "GTM"}),
        "deployment.handovers[1].successor",
        "GTM already leads at that point",
    ),
    (
        "drawdowns out of date order",
        lambda d: d["contributors"][0]["drawdowns"].reverse(),
        "deployment.contributors[0].drawdowns[1].date",
        "must be later than the previous drawdown's date (2025-05-01), got 2025-03-01",
    ),
    (
        "a later drawdown raising the strength",
        lambda d: d["contributors"][0]["drawdowns"][1].update(to=10_000),
        "deployment.contributors[0].drawdowns[1].to",
        "a drawdown cannot raise the strength: must be <=",
    ),
    (
        "a handover before the start",
        lambda d: d["handovers"][0].update(date=dt.date(2024, 12, 1)),
        "deployment.handovers[0].date",
        "must be after the start (2025-01-01), got 2024-12-01",
    ),
    (
        "airlift supplied by an unknown donor",
        lambda d: d["airlift"].update(supplied_by="USA"),
        "deployment.airlift.supplied_by",
        "no donor named 'USA' (funding.donors: CAN)",
    ),
    (
        "no airlift seats",
        lambda d: d["airlift"].update(seats_per_month=0),
        "deployment.airlift.seats_per_month",
        "must be > 0, got 0",
    ),
    (
        "negative drawdown",
        lambda d: d["contributors"][0]["drawdowns"][0].update(to=-5),
        "deployment.contributors[0].drawdowns[0].to",
        "must be >= 0, got -5",
    ),
    (
        "unknown key in a contributor",
        lambda d: d["contributors"][1].update(tour_length=3),
        "deployment.contributors[1].tour_length",
        "unknown key",
    ),
    (
        "pledge probability above one",
        lambda d: d["contributors"][1].update(pledge_probability=1.5),
        "deployment.contributors[1].pledge_probability",
        "must be <= 1, got 1.5",
    ),
    (
        "negative leave hazard",
        lambda d: d["contributors"][0].update(leave_hazard_per_month=-0.1),
        "deployment.contributors[0].leave_hazard_per_month",
        "must be >= 0, got -0.1",
    ),
    (
        "zero tour",
        lambda d: d["contributors"][0].update(tour_months=0),
        "deployment.contributors[0].tour_months",
        "must be > 0, got 0",
    ),
    (
        "equipment count zero",
        lambda d: d["contributors"][1]["equipment"][0].update(count=0),
        "deployment.contributors[1].equipment[0].count",
        "must be >= 1, got 0",
    ),
    (
        "handover probability above one",
        lambda d: d["handovers"][0].update(probability=2),
        "deployment.handovers[0].probability",
        "must be <= 1, got 2",
    ),
]


@pytest.mark.parametrize(
    ("label", "change", "key", "problem"), CASES, ids=[case[0] for case in CASES]
)
def test_bad_deployment_names_file_and_key(tmp_path, label, change, key, problem):
    message = error_of(path_with(tmp_path, change))
    assert "\n" not in message, message  # this problem and no other
    assert message.startswith(f"{NAME}: {key}: "), message
    assert problem in message, message


def test_initial_deployed_above_pledged_points_to_drawdowns(tmp_path):
    path = path_with(tmp_path, lambda d: d["contributors"][0].update(initial_deployed=500))
    message = error_of(path)
    assert message.startswith(f"{NAME}: deployment.contributors[0].initial_deployed: "), message
    assert "must be <= pledged (400), got 500" in message
    assert "drawdown" in message
