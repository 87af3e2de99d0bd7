"""Policy experiments: policies in files and in Python, common random numbers, storage."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

import mss_sim
from mss_sim.analysis import compare
from mss_sim.cli import main
from mss_sim.statistics import mean_interval, wilson_interval

ROOT = Path(__file__).parents[2]
NO_US = {"funding.donors[USA].pledge_usd": 0}
POLICIES = """
extends = "gsf_2025"

[scenario]
name = "gsf_policies"

[[policies]]
name = "baseline"

[[policies]]
name = "no_us"
values = { "funding.donors[USA].pledge_usd" = 0 }

[[policies]]
name = "benin_early"
[policies.values]
"deployment.contributors[BEN].pledged" = 2000
"deployment.contributors[BEN].readiness_months" = 2
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policies.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_policies_in_a_file_run_on_the_same_replications(tmp_path):
    scenario = mss_sim.load_scenario(write(tmp_path, POLICIES))
    assert [p.name for p in scenario.policies] == ["baseline", "no_us", "benin_early"]
    exp = mss_sim.run_experiment(scenario, runs=12, seed=6)
    assert exp.names == ["baseline", "no_us", "benin_early"]
    base, no_us = exp["baseline"], exp["no_us"]
    assert (no_us.scalars["received_usd.USA"] == 0).all()
    assert (base.scalars["received_usd.USA"] > 0).any()
    # Common random numbers: every draw the policies share is the same.
    shared = set(base.parameters) & set(no_us.parameters)
    assert "funding.donors[USA].pledge_usd" not in no_us.parameters
    for path in shared:
        assert base.parameters[path].tobytes() == no_us.parameters[path].tobytes(), path
    # The baseline policy is the scenario as it is.
    plain = mss_sim.run_batch(scenario, 12, seed=6)
    assert plain.scalars["peak_deployed"].tobytes() == base.scalars["peak_deployed"].tobytes()


def test_policies_as_a_dict_and_a_design_over_the_base_parameters(gsf):
    exp = mss_sim.run_experiment(gsf, {"as_is": {}, "no_us": NO_US}, runs=16, seed=2, design="lhs")
    a, b = exp["as_is"], exp["no_us"]
    hazard = "funding.withdrawal_hazard"  # uniform(0, 0.02): one run per sixteenth
    assert sorted((a.parameters[hazard] / 0.02 * 16).astype(int).tolist()) == list(range(16))
    assert a.parameters[hazard].tobytes() == b.parameters[hazard].tobytes()
    # A policy may not add a parameter the design does not span.
    new = {"funding.donors[CAN].honour_probability": {"dist": "uniform", "low": 0.5, "high": 1}}
    with pytest.raises(ValueError, match="which the base scenario's design does not span"):
        mss_sim.run_experiment(gsf, {"x": new}, runs=16, seed=2, design="lhs")
    # With Monte Carlo it may.
    mss_sim.run_experiment(gsf, {"x": new}, runs=4, seed=2)


def test_the_table_is_in_units_and_names_undefined_outputs():
    cuts = mss_sim.load_scenario("us_budget_cuts")
    exp = mss_sim.run_experiment(cuts, {"as_is": {}, "no_us": NO_US}, runs=6, seed=1)
    assert np.isnan(exp["as_is"].scalars["months_to_target"]).all()
    lines = exp.table(["months_to_target", "total_received_usd"]).splitlines()
    assert "months_to_target (months)" in lines[0]
    assert "total_received_usd (US$ million)" in lines[0]
    as_is = next(line for line in lines if line.startswith("as_is"))
    assert "never reached in every run" in as_is
    mean = exp["as_is"].scalars["total_received_usd"].mean() / 1e6
    assert f" {mean:,.1f} [" in as_is
    lines = exp.table(["target_reached", "killings_total", "gang_control_at_end"]).splitlines()
    assert lines[0].split()[1:] == [
        "target_reached",
        "killings_total",
        "(people)",
        "gang_control_at_end",
        "(%)",
    ]
    as_is = next(line for line in lines if line.startswith("as_is"))
    reached = exp["as_is"].scalars["target_reached"]
    lo, hi = wilson_interval(int(reached.sum()), reached.size)
    assert f"P={reached.mean():.3f} [{lo:.3f}, {hi:.3f}]" in as_is
    killings = exp["as_is"].scalars["killings_total"]
    assert f" {killings.mean():,.0f} [" in as_is and killings.mean() >= 1000


def test_a_stored_experiment_loads_and_resumes(tmp_path, gsf):
    out = tmp_path / "exp"
    exp = mss_sim.run_experiment(gsf, {"as_is": {}, "no_us": NO_US}, runs=10, seed=3, out=out)
    loaded = mss_sim.ExperimentResult.load(out)
    assert loaded.names == ["as_is", "no_us"]
    assert loaded.policies == {"as_is": {}, "no_us": NO_US}
    for name in exp:
        assert (
            exp[name].scalars["peak_deployed"].tobytes()
            == loaded[name].scalars["peak_deployed"].tobytes()
        )
    more = mss_sim.run_experiment(
        gsf, {"as_is": {}, "no_us": NO_US}, runs=14, seed=3, out=out, resume=True
    )
    assert more["no_us"].runs == 14
    with pytest.raises(mss_sim.ResultsError, match="not an experiment"):
        mss_sim.ExperimentResult.load(tmp_path)


def test_bad_policies_are_named(tmp_path, gsf):
    bad = POLICIES.replace(
        '"funding.donors[USA].pledge_usd" = 0', '"funding.donors[XX].pledge_usd" = 0'
    )
    with pytest.raises(
        mss_sim.ScenarioError, match=r"policies\[no_us\]\.values: funding\.donors\[XX\]"
    ):
        mss_sim.load_scenario(write(tmp_path, bad))
    with pytest.raises(ValueError, match="has no \\[\\[policies\\]\\]"):
        mss_sim.run_experiment(gsf, runs=4, seed=1)
    with pytest.raises(KeyError, match="no policy 'nope'"):
        mss_sim.run_experiment(gsf, {"as_is": {}}, runs=4, seed=1)["nope"]


def test_paired_comparison_is_tighter_than_unpaired_on_the_same_runs(gsf):
    exp = mss_sim.run_experiment(gsf, {"as_is": {}, "no_us": NO_US}, runs=120, seed=4)
    a, b = exp["as_is"], exp["no_us"]
    [paired] = compare(a, b, ["killings_total"])
    assert paired.method == "paired"
    # The same runs compared as if independent: Welch's interval.
    b_unpaired = mss_sim.BatchResult(b.scalars, b.series, b.months, b.parameters, (), {"seed": 99})
    [welch] = compare(a, b_unpaired, ["killings_total"])
    assert welch.method == "welch"
    assert paired.mean == pytest.approx(welch.mean)
    assert (paired.high - paired.low) < (welch.high - welch.low) / 2
    diff = b.scalars["killings_total"] - a.scalars["killings_total"]
    assert paired.mean == pytest.approx(np.mean(diff))


def test_the_commands_run_an_experiment_and_compare_two_stores(tmp_path, capsys):
    path = write(tmp_path, POLICIES)
    out = tmp_path / "exp"
    args = ["experiment", str(path), "--runs", "8", "--seed", "1", "--no-progress"]
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "gsf_policies: 3 policies, 8 runs each" in printed
    assert "no_us - baseline:" in printed and "(paired, " in printed
    a, b = out / "policies" / "baseline", out / "policies" / "no_us"
    assert main(["compare", str(a), str(b), "--outputs", "peak_deployed"]) == 0
    printed = capsys.readouterr().out
    assert "paired (same seed and runs)" in printed and "peak_deployed: " in printed
    assert main(["compare", str(a), str(b), "--outputs", "peak_deployed,nope"]) == 2
    assert (
        capsys.readouterr().err == f"mss-sim: error: --outputs: {a} has no scalar output 'nope'\n"
    )
    assert main(["experiment", "gsf_2025", "--runs", "2", "--out", str(tmp_path / "no")]) == 2
    assert capsys.readouterr().err == (
        "mss-sim: error: gsf_2025 has no [[policies]]; add them to the scenario file, or to "
        "one that extends it (see docs/experiments.md)\n"
    )
    assert not (tmp_path / "no").exists()
    # An unknown output is refused before anything runs.
    fresh = tmp_path / "fresh"
    assert main([*args, "--out", str(fresh), "--outputs", "peak"]) == 2
    assert "--outputs: 'peak' is not a scalar output" in capsys.readouterr().err
    assert not fresh.exists()


def test_each_policy_result_is_named_in_figures(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from mss_sim import plotting

    gsf = mss_sim.load_scenario("gsf_2025")
    exp = mss_sim.run_experiment(
        gsf, {"as_is": {}, "no_us": NO_US}, runs=4, seed=1, out=tmp_path / "e"
    )
    alone = {name: mss_sim.BatchResult.load(tmp_path / "e" / "policies" / name) for name in exp}
    for loaded in (exp, mss_sim.ExperimentResult.load(tmp_path / "e"), alone):
        assert loaded["no_us"].meta["policy"] == "no_us"
        ax = plotting.plot_compare(loaded["as_is"], loaded["no_us"], "deployed")
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == ["as_is (seed 1) median", "no_us (seed 1) median"]


def test_an_experiment_directory_is_not_taken_for_one_result(tmp_path, gsf):
    out = tmp_path / "exp"
    mss_sim.run_experiment(gsf, {"as_is": {}, "no_us": NO_US}, runs=3, seed=1, out=out)
    with pytest.raises(mss_sim.ResultsError) as exc:
        mss_sim.BatchResult.load(out)
    assert str(exc.value) == (
        f"{out}: an experiment (2 policies), not one result; open one policy's results, "
        f"e.g. {out / 'policies' / 'as_is'}, or the whole experiment with ExperimentResult.load"
    )
    # A store that merely sits in a folder called "policies" is not a policy.
    copy = tmp_path / "policies" / "as_is"
    shutil.copytree(out / "policies" / "as_is", copy)
    assert "policy" not in mss_sim.BatchResult.load(copy).meta


def test_the_table_says_how_often_an_output_was_undefined():
    months = np.arange("2025-01", "2025-02", dtype="datetime64[M]")

    def result(values):
        scalars = {"months_to_target": np.array(values)}
        return mss_sim.BatchResult(scalars, {}, months, {}, (), {"seed": 1})

    exp = mss_sim.ExperimentResult(
        {"a": result([10.0, np.nan, np.nan, 14.0]), "longer_name": result([np.nan] * 4)},
        {"a": {}, "longer_name": {}},
        {},
    )
    high = mean_interval(np.array([10.0, 14.0]), 0.95)[2]  # the low end, -13.4, clips to 0
    assert exp.table(["months_to_target"]).splitlines() == [
        "policy                  months_to_target (months)",
        f"a            12.0 [0.0, {high:.1f}]; never reached: 50%",
        "longer_name            never reached in every run",
    ]


def test_the_table_has_default_outputs(gsf):
    exp = mss_sim.run_experiment(gsf, {"as_is": {}, "no_us": NO_US}, runs=3, seed=1)
    head = exp.table().splitlines()[0].split()
    assert head == [
        "policy",
        "target_reached",
        "peak_deployed",
        "(personnel)",
        "gang_control_at_end",
        "(%)",
        "killings_total",
        "(people)",
    ]


def test_an_experiment_shows_as_a_table_in_a_notebook(gsf):
    from html.parser import HTMLParser

    exp = mss_sim.run_experiment(gsf, {"as_is": {}, "no_us": NO_US}, runs=3, seed=1)
    page = exp._repr_html_()

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []
            self.caption = ""
            self._in = ""

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.rows.append([])
            self._in = tag

        def handle_data(self, data):
            if self._in in ("td", "th"):
                self.rows[-1].append(data)
            elif self._in == "caption":
                self.caption += data

    parser = Cells()
    parser.feed(page)
    assert parser.caption == "gsf_2025: 2 policies, 3 runs each, seed 1"
    text_rows = [line.split("  ")[0].strip() for line in exp.table().splitlines()]
    assert [row[0] for row in parser.rows] == text_rows  # policy, as_is, no_us
    assert parser.rows[0][1:] == [
        "target_reached",
        "peak_deployed (personnel)",
        "gang_control_at_end (%)",
        "killings_total (people)",
    ]
    assert all(len(row) == 5 for row in parser.rows)
