"""The report's way to run a batch again: a command when it is exact, code otherwise."""

from __future__ import annotations

import shlex
import subprocess
import sys

import numpy as np

import mss_sim
from mss_sim.cli import main
from mss_sim.report.content import batch_info, rerun
from mss_sim.scenario import bundled_scenarios, scenario_from_dict

RUNS = 4


def same_outputs(a: mss_sim.BatchResult, b: mss_sim.BatchResult) -> bool:
    return a.runs == b.runs and all(
        np.array_equal(a.scalars[n], b.scalars[n], equal_nan=True) for n in a.scalars
    )


def run_code(code: str) -> mss_sim.BatchResult:
    namespace: dict[str, object] = {}
    *setup, last = code.splitlines()
    exec("\n".join(setup), namespace)  # the code as the report prints it
    result = eval(last, namespace)
    assert isinstance(result, mss_sim.BatchResult)
    return result


def test_a_bundled_scenario_run_from_a_file_path_gets_the_command(tmp_path, capsys):
    path = bundled_scenarios()["gsf_2025"]
    out = tmp_path / "by_path"
    args = ["run", str(path), "--runs", str(RUNS), "--seed", "2", "--out", str(out)]
    assert main([*args, "--no-plots", "--no-progress"]) == 0
    capsys.readouterr()
    command, note = rerun(mss_sim.BatchResult.load(out))
    again = f"{out}_rerun"
    assert command == f"mss-sim run gsf_2025 --runs {RUNS} --seed 2 --out {again}"
    assert note == (
        "The bundled scenario gsf_2025 is the one the batch ran: this runs it again into a "
        "new directory (its own already holds it)."
    )
    assert main([*command.split()[1:], "--no-plots", "--no-progress"]) == 0
    assert same_outputs(mss_sim.BatchResult.load(out), mss_sim.BatchResult.load(again))


def test_set_values_are_given_back_as_set_arguments(tmp_path, capsys):
    out = tmp_path / "cuts"
    args = ["run", "gsf_2025", "--runs", str(RUNS), "--seed", "3", "--out", str(out)]
    args += ["--set", "funding.donors[USA].pledge_usd=0", "--set", "council.correlation=0.1"]
    assert main([*args, "--no-plots", "--no-progress"]) == 0
    capsys.readouterr()
    stored = mss_sim.BatchResult.load(out)
    command, note = rerun(stored)
    assert command == (
        f"mss-sim run gsf_2025 --runs {RUNS} --seed 3 --set council.correlation=0.1 "
        f"--set 'funding.donors[USA].pledge_usd=0.0' --out {out}_rerun"
    )
    assert note.startswith("The bundled scenario gsf_2025, with the 2 values set above, is the")
    assert main([*shlex.split(command)[1:], "--no-plots", "--no-progress"]) == 0
    assert same_outputs(stored, mss_sim.BatchResult.load(f"{out}_rerun"))
    assert batch_info(stored, "x").facts.endswith(
        "changed from the bundled gsf_2025: council.correlation = 0.1, "
        "funding.donors[USA].pledge_usd = 0.0"
    )


def test_a_change_set_cannot_give_gets_code(tmp_path):
    spec = mss_sim.load_scenario("gsf_2025").to_dict()
    del spec["council"]["drafts"][0]["soften"]
    scenario = scenario_from_dict(spec, source="edited")
    stored = mss_sim.run_batch(scenario, RUNS, seed=2, out=tmp_path / "edited")
    command, note = rerun(stored)
    assert note == (
        "The batch ran the bundled gsf_2025 with 1 change that --set cannot give; the "
        "result keeps the scenario it ran, and this runs it again."
    )
    assert same_outputs(stored, run_code(command))


def test_a_renamed_scenario_file_and_a_policy_get_code(tmp_path):
    text = bundled_scenarios()["gsf_2025"].read_text(encoding="utf-8")
    path = tmp_path / "mine.toml"
    path.write_text(text.replace('name = "gsf_2025"', 'name = "mine"', 1), encoding="utf-8")
    scenario = mss_sim.load_scenario(path)
    assert scenario.name == "mine"
    stored = mss_sim.run_batch(scenario, RUNS, seed=1, out=tmp_path / "mine")
    command, note = rerun(stored)
    assert note.startswith("No scenario bundled with this version is called mine;")
    assert same_outputs(stored, run_code(command))
    policies = {"as_is": {}, "no_us": {"funding.donors[USA].pledge_usd": 0}}
    exp = mss_sim.run_experiment(scenario, policies, runs=RUNS, seed=1, out=tmp_path / "e")
    policy = mss_sim.BatchResult.load(tmp_path / "e" / "policies" / "no_us")
    command, note = rerun(policy)
    assert note.startswith("The batch ran policy no_us of an experiment on mine;")
    assert same_outputs(exp["no_us"], run_code(command))
    assert batch_info(policy, "no_us").facts == (
        f"{RUNS} replications; 24 months from 2025-09-01; target strength 2,775 "
        "personnel; policy no_us: funding.donors[USA].pledge_usd = 0"
    )


def test_a_result_in_memory_is_named_as_such():
    scenario = mss_sim.load_scenario("gsf_2025").with_values({"scenario.name": "mine"})
    stored = mss_sim.run_batch(scenario, RUNS, seed=1)
    command, _ = rerun(stored)
    assert command.splitlines()[1] == "res = ...  # this result, in memory"
    assert command.splitlines()[2] == f"mss_sim.run_batch(res.scenario(), {RUNS}, seed=1)"


def test_without_its_scenario_nothing_is_offered():
    stored = mss_sim.run_batch(mss_sim.load_scenario("gsf_2025"), RUNS, seed=1)
    stored.meta.pop("scenario_spec")
    stored.meta["scenario_hash"] = "0" * 64
    command, note = rerun(stored)
    assert command == ""
    assert note == (
        "The batch ran a scenario that is not the bundled gsf_2025, and the result does not "
        "keep the scenario it ran."
    )


def test_a_designed_batch_names_its_design(tmp_path):
    out = tmp_path / "d"
    stored = mss_sim.run_batch(mss_sim.load_scenario("gsf_2025"), 8, seed=1, design="lhs", out=out)
    command, _ = rerun(stored)
    assert command == f"mss-sim run gsf_2025 --runs 8 --seed 1 --design lhs --out {out}_rerun"
    done = subprocess.run(
        [sys.executable, "-m", "mss_sim", *command.split()[1:], "--no-plots", "--no-progress"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert same_outputs(stored, mss_sim.BatchResult.load(f"{out}_rerun"))


def test_a_policy_of_a_bundled_scenario_gets_the_command_beside_its_experiment(tmp_path):
    gsf = mss_sim.load_scenario("gsf_2025")
    policies = {"as_is": {}, "no_us": {"funding.donors[USA].pledge_usd": 0}}
    exp = mss_sim.run_experiment(gsf, policies, runs=RUNS, seed=4, out=tmp_path / "e")
    stored = mss_sim.BatchResult.load(tmp_path / "e" / "policies" / "no_us")
    command, _ = rerun(stored)
    again = tmp_path / "e_no_us_rerun"
    assert command == (
        f"mss-sim run gsf_2025 --runs {RUNS} --seed 4 "
        f"--set 'funding.donors[USA].pledge_usd=0.0' --out {again}"
    )
    assert main([*shlex.split(command)[1:], "--no-plots", "--no-progress"]) == 0
    assert same_outputs(exp["no_us"], mss_sim.BatchResult.load(again))
    assert batch_info(stored, "no_us").facts.endswith(
        "policy no_us: funding.donors[USA].pledge_usd = 0; changed from the bundled "
        "gsf_2025: funding.donors[USA].pledge_usd = 0.0"
    )
