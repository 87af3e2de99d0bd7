"""mss-sim trace and mss-sim schema."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

import mss_sim
from mss_sim.batch import replay
from mss_sim.cli import main
from mss_sim.model.narrate import timeline

TINY = Path(__file__).parents[1] / "model" / "tiny.toml"


def run_main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's errors
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_trace_of_the_tiny_scenario(tmp_path):
    figure = tmp_path / "tiny.png"
    code, out, err = run_main(["trace", str(TINY), "--seed", "3", "--plot", str(figure)])
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == (
        "tiny, replication 0 of a batch with seed 3 (the same run as in run_batch(..., seed=3))"
    )
    rep = replay(mss_sim.load_scenario(TINY), seed=3, replication=0)
    assert lines[1:19] == [str(e) for e in timeline(rep)]
    assert lines[-2] == (
        "Peak strength 300; target 200 reached; 1 draft adopted; 0 months with unpaid bills"
    )
    assert lines[-1] == f"figure: {figure}"
    assert figure.read_bytes()[:4] == b"\x89PNG"


def test_a_trace_with_set_values_says_so_and_keeps_its_own_figure(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_main(["trace", str(TINY), "--seed", "3"])[0] == 0
    argv = ["trace", str(TINY), "--seed", "3", "--set", "scenario.horizon_months=3"]
    code, out, err = run_main(argv)
    assert code == 0, err
    assert out.splitlines()[0].endswith("; set: scenario.horizon_months=3")
    changed = mss_sim.load_scenario(TINY).with_values({"scenario.horizon_months": 3})
    own = Path("out") / f"tiny_set{changed.content_hash()[:8]}_trace_seed3_rep0.png"
    assert out.splitlines()[-1] == f"figure: {own}"
    assert sorted(p.name for p in Path("out").iterdir()) == sorted(
        ["tiny_trace_seed3_rep0.png", own.name]
    )


def test_trace_is_the_batch_replication():
    code, out, err = run_main(
        ["trace", "gsf_2025", "--seed", "7", "--replication", "4", "--no-plot", "--only", "force"]
    )
    assert code == 0, err
    batch = mss_sim.run_batch(mss_sim.load_scenario("gsf_2025"), 5, seed=7)
    peak = batch.scalars["peak_deployed"][4]
    assert f"Peak strength {peak:,.0f};" in out
    body = out.splitlines()[1:-2]  # the header, then the timeline, a blank line, the summary
    assert body and all("  force  " in line for line in body)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--only", "votes"], "--only: no category 'votes'"),
        (["--replication", "-1"], "--replication"),
        (["--seed", "x"], "--seed"),
    ],
)
def test_trace_rejects_bad_arguments(argv, message):
    code, _out, err = run_main(["trace", str(TINY), "--no-plot", *argv])
    assert code == 2
    assert message in err


def test_trace_of_a_missing_scenario():
    code, _out, err = run_main(["trace", "no_such_scenario", "--no-plot"])
    assert code == 2
    assert err.startswith("mss-sim: error:") and "no_such_scenario" in err


def test_schema_prints_or_writes_the_shipped_schema(tmp_path):
    code, out, _ = run_main(["schema"])
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == "mss_sim scenario file"
    target = tmp_path / "new" / "dir" / "scenario.schema.json"
    code, out, _err = run_main(["schema", "--out", str(target)])
    assert code == 0 and out == ""
    assert json.loads(target.read_text()) == schema
    blocked = tmp_path / "a_file"
    blocked.write_text("", encoding="utf-8")
    code, out, err = run_main(["schema", "--out", str(blocked / "x.json")])
    assert code == 2 and out == ""
    assert err.startswith(f"mss-sim: error: --out {blocked / 'x.json'}: ")


def test_the_trace_in_the_readme_is_what_the_command_prints():
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    command = "mss-sim trace gsf_2025 --seed 1 --replication 17"
    assert command in readme
    block = readme.split(command, 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    shown = block.strip().splitlines()
    code, out, err = run_main([*command.split()[1:], "--no-plot"])
    assert code == 0, err
    printed = out.splitlines()
    start = printed.index(shown[0])
    assert printed[start : start + len(shown)] == shown
