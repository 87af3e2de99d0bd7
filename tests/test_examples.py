"""The examples run (with few replications)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

EXAMPLES = Path(__file__).parents[1] / "examples"


def test_quickstart_writes_a_plot(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(
        sys, "argv", ["quickstart.py", "--runs", "30", "--seed", "2", "--out", str(tmp_path)]
    )
    runpy.run_path(str(EXAMPLES / "quickstart.py"), run_name="__main__")
    png = tmp_path / "deployed.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = capsys.readouterr().out
    assert "gsf.adopted" in out
    assert "30 replications, seed 2" in out


def test_veto_threats_compares_rules(capsys):
    namespace = runpy.run_path(str(EXAMPLES / "veto_threats.py"))
    outcomes = namespace["main"](["--runs", "40", "--seed", "3"])
    # Without a veto nothing is threatened: the draft is always put to the vote.
    assert outcomes["no_veto"]["withdrawn"] == 0 and outcomes["no_veto"]["voted"] == 1
    assert outcomes["no_veto"]["vetoes_cast"] == 0
    # Under the Charter China's and Russia's threats stop it most of the time.
    assert outcomes["charter"]["withdrawn"] > 0.8
    out = capsys.readouterr().out
    assert "P(adopted) if put to the vote, exact:" in out
    assert "mss_2024, 40 replications, seed 3:" in out


def test_us_cuts_pairs_the_scenarios(capsys):
    namespace = runpy.run_path(str(EXAMPLES / "us_cuts.py"))
    differences = namespace["main"](["--runs", "60", "--seed", "4"])
    mean, low, high = differences["received (US$ M)"]
    assert low <= mean <= high < 0
    assert differences["months to the target (2,775)"][0] >= 0
    # Less force on the ground: if anything, more people killed.
    assert differences["people killed over 24 months"][2] > 0
    out = capsys.readouterr().out
    assert "us_budget_cuts minus gsf_2025, 60 paired replications, seed 4:" in out
    assert "assessed arrears at the end" in out


def test_large_batch_streams_and_resumes(tmp_path, capsys):
    namespace = runpy.run_path(str(EXAMPLES / "large_batch.py"))
    out = str(tmp_path / "store")
    first = namespace["main"](["--runs", "40", "--seed", "5", "--out", out])
    longer = namespace["main"](["--runs", "60", "--seed", "5", "--out", out])
    assert first.runs == 40 and longer.runs == 60
    for name, values in first.scalars.items():
        assert longer.scalars[name][:40].tobytes() == values.tobytes(), name
    printed = capsys.readouterr().out
    assert "P(target strength within 12 months) =" in printed
    assert "over 60 runs" in printed


def test_security_pairs_the_scenarios(capsys):
    namespace = runpy.run_path(str(EXAMPLES / "security.py"))
    out = namespace["main"](["--runs", "40", "--seed", "3"])
    # More force on the ground, fewer people killed; less money, more.
    full = out["gsf_full_strength - gsf_2025"]["people killed over 24 months"]
    assert full[2] < 0
    cuts = out["us_budget_cuts - gsf_2025"]["people killed over 24 months"]
    assert cuts[2] > 0 or cuts[0] > 0
    printed = capsys.readouterr().out
    assert "40 paired replications, seed 3" in printed
    assert "gsf_2025 minus mss_as_it_was:" in printed


def test_policy_sweep_ranks_the_policies_and_finds_the_conditions(capsys):
    namespace = runpy.run_path(str(EXAMPLES / "policy_sweep.py"))
    table = namespace["main"](["--runs", "150", "--seed", "2"])
    assert len(table) == 8
    # More US money, and an assessed force, reach the target more often.
    assert table["us_300m_assessed"][0] > table["us_0_office"][0]
    assert table["us_200m_assessed"][0] > table["us_200m_office"][0]
    out = capsys.readouterr().out
    assert "P(reaching 2,775) within 12 and 24 months, 150 runs per policy" in out
    assert "where us_200m_assessed reaches 2,775 within 24 months (PRIM):" in out


def test_report_example_writes_the_report_and_dashboard(tmp_path, capsys):
    namespace = runpy.run_path(str(EXAMPLES / "report.py"))
    written = namespace["main"](["--runs", "30", "--seed", "2", "--out", str(tmp_path)])
    page = written["report"].read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'id="differences"' in page
    assert written["dashboard"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = capsys.readouterr().out
    assert "council   Vote on draft gsf" in out
