"""The backtest: scoring rules on a hand-made batch, the record, the command."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import mss_sim
from mss_sim.analysis.backtest import CUTOFF, Milestone, backtest, load_record
from mss_sim.cli import main
from mss_sim.model import compile

ROOT = Path(__file__).parents[2]
MONTHS = np.array(["2025-01", "2025-02", "2025-03"], dtype="datetime64[M]")


def batch() -> SimpleNamespace:
    """100 replications: `x` is 0..99 in every month; `flag` is 1 in 70 of them."""
    x = np.tile(np.arange(100.0)[:, None], (1, 3))
    flag = (np.arange(100) < 70).astype(float)
    return SimpleNamespace(
        scalars={"flag": flag, "y": np.arange(100.0)},
        series={"x": x},
        months=MONTHS,
        runs=100,
        meta={"scenario": "hand"},
    )


def milestone(**kw: object) -> Milestone:
    base: dict[str, object] = {"id": "m", "quantity": "x", "date": dt.date(2025, 2, 1)}
    base["source"] = "test"
    return Milestone(**(base | kw))  # type: ignore[arg-type]


def only(**kw: object):
    (check,) = backtest(batch(), record=[milestone(**kw)]).checks
    return check


def test_a_value_is_inside_the_5_to_95_percentile_interval():
    # numpy's percentiles of 0..99: 4.95, 49.5, 94.05.
    inside = only(month="2025-02", value=90.0)
    assert (inside.low, inside.median, inside.high) == pytest.approx((4.95, 49.5, 94.05))
    assert inside.inside
    assert inside.width == pytest.approx((94.05 - 4.95) / 90.0)
    assert not only(month="2025-02", value=95.0).inside
    assert not only(month="2025-02", value=4.0).inside


def test_a_range_counts_when_it_overlaps_the_interval():
    assert only(month="2025-01", low=94.0, high=200.0).inside
    assert not only(month="2025-01", low=94.1, high=200.0).inside
    assert only(month="2025-01", low=90.0, high=110.0).width == pytest.approx(89.1 / 100.0)


def test_a_sum_over_months_is_read_per_replication():
    check = only(months=("2025-01", "2025-03"), value=150.0)
    assert check.median == pytest.approx(3 * 49.5)


def test_a_bound_is_met_by_the_median():
    assert only(month="2025-03", at_least=49.5).inside
    assert not only(month="2025-03", at_least=49.6).inside
    assert only(month="2025-03", at_most=49.5).inside
    assert math.isnan(only(month="2025-03", at_most=49.5).width)


def test_a_yes_no_outcome_gets_its_brier_score():
    yes = only(quantity="flag", outcome=1)
    assert yes.brier == pytest.approx((0.7 - 1) ** 2)
    assert yes.inside
    no = only(quantity="flag", outcome=0)
    assert no.brier == pytest.approx(0.7**2)
    assert not no.inside


def test_milestones_outside_the_outputs_or_months_are_skipped():
    record = [
        milestone(month="2024-12", value=1.0),
        milestone(quantity="absent", month="2025-01", value=1.0),
        milestone(quantity="nothing"),
    ]
    assert backtest(batch(), record=record).checks == ()


def test_held_out_milestones_are_those_after_the_cutoff():
    record = [
        milestone(id="a", month="2025-01", value=10.0, date=dt.date(2024, 9, 30)),
        milestone(id="b", month="2025-01", value=10.0, date=dt.date(2024, 10, 1)),
        milestone(id="c", month="2025-01", value=1000.0, date=dt.date(2025, 1, 1)),
    ]
    result = backtest(batch(), cutoff=dt.date(2024, 9, 30), record=record)
    assert [c.milestone.id for c in result.held_out()] == ["b", "c"]
    assert result.share_inside == 0.5
    text = str(result)
    assert "held out: 1 of 2 inside" in text and "yes*" in text


def test_the_record_is_well_formed_and_names_outputs_of_the_bundled_scenarios():
    record = load_record()
    assert len({m.id for m in record}) == len(record)
    held = [m for m in record if m.date > CUTOFF]
    assert len(held) >= 10
    assert all(m.date <= dt.date(2025, 8, 31) for m in record)
    names: set[str] = set()
    for path in (mss_sim.scenario.bundled_scenarios()).values():
        plan = compile(mss_sim.load_scenario(path))
        names |= set(plan.series_names) | set(plan.scalar_names)
    # All but the two police figures the calibration alone uses name outputs.
    assert {m.quantity for m in record} - names == {"police_roster", "police_attrition"}


def test_a_malformed_milestone_is_named(tmp_path):
    bad = tmp_path / "record.toml"
    bad.write_text(
        '[[milestone]]\nid = "x"\nquantity = "deployed"\ndate = 2025-01-01\n'
        'source = "s"\nvalue = 1\nat_least = 2\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"milestone\[0\]: give value"):
        load_record(str(bad))


def test_the_backtest_command_prints_the_table(capsys):
    assert main(["backtest", "mss_2024", "--runs", "6", "--seed", "2", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "mss_2024: 6 replications, cut-off 2024-09-30" in out
    assert "kenya_feb_2025" in out and "killings_q2_2025" in out
    assert "held out:" in out


@pytest.mark.parametrize("name", ["mss_2023", "mss_2024"])
def test_the_tables_in_validation_md_come_from_the_command(capsys, name):
    # docs/validation.md prints `mss-sim backtest NAME --runs 2000 --seed 1` verbatim.
    assert main(["backtest", name, "--runs", "2000", "--seed", "1", "--no-progress"]) == 0
    table = capsys.readouterr().out.strip()
    doc = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert f"```\n{table}\n```" in doc


def test_cutoffs_can_be_iso_strings_and_the_default_is_the_package_cutoff():
    result = backtest(batch(), record=load_record())
    assert result.cutoff == CUTOFF
    assert backtest(batch(), cutoff="2024-09-30").cutoff == CUTOFF
    assert backtest(batch(), cutoff=None).cutoff is None
    with pytest.raises(ValueError, match="cutoff must be a date such as 2024-09-30, got 'soon'"):
        backtest(batch(), cutoff="soon")
    with pytest.raises(TypeError, match="cutoff must be a date or a string"):
        backtest(batch(), cutoff=20240930)


def test_a_batch_no_milestone_covers_says_so(capsys):
    empty = backtest(batch(), record=[])
    assert "no milestone of the record falls in the scenario's months" in str(empty)
    assert main(["backtest", "gsf_2025", "--runs", "4", "--no-progress"]) == 2
    assert "gsf_2025: no milestone of the record" in capsys.readouterr().err
