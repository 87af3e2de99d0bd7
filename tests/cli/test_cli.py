"""The mss-sim command: run, validate, plot and list, and its error handling."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

import mss_sim
from mss_sim.cli import main

ROOT = Path(__file__).parents[2]
SCENARIOS = ROOT / "scenarios"
GSF = SCENARIOS / "gsf_2025.toml"
CUTS = SCENARIOS / "us_budget_cuts.toml"
BUNDLED = ("mss_2024", "gsf_2025", "us_budget_cuts", "pko_assessed", "kenya_drawdown", "mss_2023")
RUNS = 20
SEED = 3
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """Call main(argv) and return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def assert_single_error_line(code: int, out: str, err: str) -> None:
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mss-sim: error:"), err
    assert "Traceback" not in out + err


def assert_png(path: Path) -> None:
    assert path.is_file(), path
    assert path.read_bytes()[:8] == PNG_MAGIC, path


def broken_scenario(folder: Path, name: str = "broken.toml") -> Path:
    """A copy of gsf_2025 with a negative mandate ceiling."""
    text = GSF.read_text(encoding="utf-8")
    assert "ceiling = 2500" in text
    path = folder / name
    path.write_text(text.replace("ceiling = 2500", "ceiling = -5", 1), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory) -> tuple[int, str, str, Path]:
    out_dir = tmp_path_factory.mktemp("cli") / "gsf"
    argv = ["run", str(GSF), "--runs", str(RUNS), "--seed", str(SEED)]
    code, out, err = run_main([*argv, "--out", str(out_dir), "--no-progress"])
    return code, out, err, out_dir


@pytest.fixture(scope="module")
def cli_run_no_plots(tmp_path_factory) -> tuple[int, str, str, Path]:
    out_dir = tmp_path_factory.mktemp("cli") / "cuts"
    argv = ["run", str(CUTS), "--runs", str(RUNS), "--seed", str(SEED), "--out", str(out_dir)]
    code, out, err = run_main([*argv, "--no-progress", "--no-plots"])
    return code, out, err, out_dir


@pytest.fixture(scope="module")
def reference() -> mss_sim.BatchResult:
    return mss_sim.run_batch(mss_sim.load_scenario(GSF), RUNS, seed=SEED)


# ---------------------------------------------------------------- console script


def test_console_script_version():
    script = Path(sys.executable).parent / "mss-sim"
    assert script.is_file(), f"console script not installed at {script}"
    proc = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"mss-sim {mss_sim.__version__}"


def test_version_in_process(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"mss-sim {mss_sim.__version__}"


# ---------------------------------------------------------------------- validate


def test_validate_all_bundled_scenarios(capsys):
    files = sorted(SCENARIOS.glob("*.toml"))
    assert {f.stem for f in files} == set(BUNDLED)
    code = main(["validate", *map(str, files)])
    captured = capsys.readouterr()
    assert code == 0
    lines = captured.out.splitlines()
    assert len(lines) == len(files)
    for line, file in zip(lines, files, strict=True):
        assert line.startswith("ok"), line
        assert str(file) in line
    assert captured.err == ""


def test_validate_good_and_bad_file(tmp_path, capsys):
    bad = broken_scenario(tmp_path)
    code = main(["validate", str(GSF), str(bad)])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.out.splitlines()
    assert len(lines) == 2, captured.out
    assert lines[0].startswith("ok")
    assert lines[1].startswith("error")
    assert "broken.toml" in lines[1]
    assert "mandate.ceiling" in lines[1]
    assert "Traceback" not in captured.out + captured.err


def test_validate_reports_every_file_after_an_error(tmp_path, capsys):
    syntax = tmp_path / "syntax.toml"
    syntax.write_text("[scenario\nname = 1\n", encoding="utf-8")
    missing = tmp_path / "missing.toml"
    code = main(["validate", str(syntax), str(GSF), str(missing)])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.out.splitlines()
    assert len(lines) == 3, captured.out
    assert lines[0].startswith("error") and "syntax.toml" in lines[0]
    assert lines[1].startswith("ok")
    assert lines[2].startswith("error") and "missing.toml" in lines[2]
    assert "Traceback" not in captured.out + captured.err


def test_validate_accepts_a_bundled_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = main(["validate", "gsf_2025"])
    captured = capsys.readouterr()
    assert code == 0
    lines = captured.out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("ok")
    assert "gsf_2025" in lines[0]


# --------------------------------------------------------------------------- run


def test_run_writes_results_and_plots(cli_run):
    code, _, err, out_dir = cli_run
    assert code == 0, err
    assert (out_dir / "store.json").is_file()
    assert (out_dir / "chunks.jsonl").is_file()
    pngs = sorted((out_dir / "plots").glob("*.png"))
    assert len(pngs) >= 3
    for png in pngs:
        assert_png(png)


def test_run_prints_the_summary(cli_run):
    code, out, err, _ = cli_run
    assert code == 0, err
    assert "peak_deployed" in out
    assert "95% interval" in out
    assert "Traceback" not in out + err
    assert err == ""


def test_run_result_equals_run_batch_bitwise(cli_run, reference):
    code, _, err, out_dir = cli_run
    assert code == 0, err
    saved = mss_sim.BatchResult.load(out_dir)
    assert list(saved.scalars) == list(reference.scalars)
    for name, values in reference.scalars.items():
        assert saved.scalars[name].dtype == values.dtype, name
        assert np.array_equal(saved.scalars[name], values, equal_nan=True), name
    for name, values in reference.series.items():
        assert np.array_equal(saved.series[name], values, equal_nan=True), name
    for name, values in reference.parameters.items():
        assert np.array_equal(saved.parameters[name], values, equal_nan=True), name
    assert np.array_equal(saved.months, reference.months)
    assert saved.meta["seed"] == SEED
    assert saved.meta["runs"] == RUNS
    assert saved.meta["scenario"] == "gsf_2025"


def test_run_no_plots_writes_no_plots_dir(cli_run_no_plots):
    code, out, err, out_dir = cli_run_no_plots
    assert code == 0, err
    assert (out_dir / "store.json").is_file()
    assert not (out_dir / "plots").exists()
    assert "peak_deployed" in out


def test_run_accepts_a_bundled_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(
        ["run", "mss_2024", "--runs", "3", "--out", "res", "--no-progress", "--no-plots"]
    )
    assert code == 0, err
    assert mss_sim.BatchResult.load(tmp_path / "res").meta["scenario"] == "mss_2024"


def test_run_missing_file(tmp_path):
    missing = tmp_path / "missing.toml"
    out_dir = tmp_path / "out"
    code, out, err = run_main(["run", str(missing), "--runs", "2", "--out", str(out_dir)])
    assert_single_error_line(code, out, err)
    assert "missing.toml" in err
    assert not out_dir.exists()


def test_run_bad_scenario(tmp_path):
    bad = broken_scenario(tmp_path)
    out_dir = tmp_path / "out"
    code, out, err = run_main(["run", str(bad), "--runs", "2", "--out", str(out_dir)])
    assert_single_error_line(code, out, err)
    assert "broken.toml" in err
    assert "mandate.ceiling" in err
    assert not out_dir.exists()


def test_run_bad_scenario_with_several_problems_is_one_line(tmp_path):
    text = GSF.read_text(encoding="utf-8")
    text = text.replace("ceiling = 2500", "ceiling = -5", 1)
    text = text.replace("horizon_months = 24", "horizon_months = -1", 1)
    bad = tmp_path / "twice.toml"
    bad.write_text(text, encoding="utf-8")
    code, out, err = run_main(["run", str(bad), "--runs", "2", "--out", str(tmp_path / "o")])
    assert_single_error_line(code, out, err)
    assert "twice.toml" in err
    assert err.rstrip().endswith("(+1 more)"), err


def test_validate_counts_the_further_problems(tmp_path, capsys):
    """Four required keys missing: the first is named, three more are counted."""
    text = GSF.read_text(encoding="utf-8")
    for key in ("killings_per_month = ", "displaced = ", "gang_control = "):
        start = text.index("\n" + key) + 1
        text = text[:start] + text[text.index("\n", start) + 1 :]
    text = text.replace("gang_strength = {", "gang_strength_typo = {", 1)
    bad = tmp_path / "four.toml"
    bad.write_text(text, encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    line = capsys.readouterr().out.strip()
    assert line.startswith("error  four.toml") and line.endswith("(+4 more)"), line


def test_run_refuses_to_overwrite_a_foreign_directory(tmp_path):
    out_dir = tmp_path / "mine"
    out_dir.mkdir()
    (out_dir / "notes.txt").write_text("keep me", encoding="utf-8")
    code, out, err = run_main(["run", str(GSF), "--runs", "2", "--out", str(out_dir)])
    assert_single_error_line(code, out, err)
    assert sorted(p.name for p in out_dir.iterdir()) == ["notes.txt"]
    assert (out_dir / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_run_out_is_a_regular_file(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("keep me", encoding="utf-8")
    try:
        code, out, err = run_main(
            ["run", str(GSF), "--runs", "2", "--out", str(target), "--no-progress"]
        )
    finally:
        assert target.read_text(encoding="utf-8") == "keep me"
    assert_single_error_line(code, out, err)


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "gsf_2025", "--runs", "0"],
        ["run", "gsf_2025", "--runs", "abc"],
        ["run", "gsf_2025", "--runs", "-3"],
        ["run", "gsf_2025", "--seed", "-1"],
        ["run", "gsf_2025", "--seed", "x"],
        ["run", "gsf_2025", "--backend", "threads"],
        ["run", "gsf_2025", "--progress", "--no-progress"],
        ["frobnicate"],
        [],
        ["validate"],
    ],
    ids=[
        "runs-0",
        "runs-abc",
        "runs-negative",
        "seed-negative",
        "seed-text",
        "backend",
        "progress-both",
        "unknown-command",
        "no-command",
        "validate-no-files",
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert "error" in lines[0]
    assert "Traceback" not in captured.out + captured.err
    assert list(tmp_path.iterdir()) == []


# -------------------------------------------------------------------------- plot


STANDARD_FIGURES = {
    "deployment",
    "money",
    "security",
    "dist_months_to_target",
    "dist_peak_deployed",
    "dist_total_received_usd",
    "probabilities",
    "dashboard",
}


def test_plot_writes_the_standard_figures(cli_run, tmp_path, capsys):
    _, _, _, results = cli_run
    out_dir = tmp_path / "figs"
    code = main(["plot", str(results), "--out", str(out_dir)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    pngs = sorted(out_dir.glob("*.png"))
    assert {p.stem for p in pngs} == STANDARD_FIGURES
    for png in pngs:
        assert_png(png)
    printed = sorted(Path(line) for line in captured.out.splitlines())
    assert printed == pngs


def test_plot_svg(cli_run, tmp_path, capsys):
    _, _, _, results = cli_run
    code = main(["plot", str(results), "--out", str(tmp_path), "--format", "svg"])
    assert code == 0, capsys.readouterr().err
    svgs = sorted(tmp_path.glob("*.svg"))
    assert {p.stem for p in svgs} == STANDARD_FIGURES
    assert svgs[0].read_text().lstrip().startswith("<?xml")


def test_plot_compare_overlays_every_figure(cli_run, cli_run_no_plots, tmp_path, capsys):
    _, _, _, a = cli_run
    _, _, _, b = cli_run_no_plots
    out_dir = tmp_path / "figs"
    code = main(["plot", str(a), "--compare", str(b), "--out", str(out_dir)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    pngs = sorted(out_dir.glob("*.png"))
    assert {p.stem for p in pngs} == STANDARD_FIGURES
    for png in pngs:
        assert_png(png)
    # without --out, next to the result's own figures, not over them
    code = main(["plot", str(a), "--compare", str(b)])
    assert code == 0
    assert {p.stem for p in (a / f"plots_vs_{b.name}").glob("*.png")} == STANDARD_FIGURES


def test_plot_out_is_a_regular_file(cli_run, tmp_path):
    _, _, _, results = cli_run
    target = tmp_path / "file.txt"
    target.write_text("keep me", encoding="utf-8")
    code, out, err = run_main(["plot", str(results), "--out", str(target)])
    assert_single_error_line(code, out, err)
    assert target.read_text(encoding="utf-8") == "keep me"


def test_plot_on_a_non_result_directory(tmp_path):
    folder = tmp_path / "stuff"
    folder.mkdir()
    (folder / "data.txt").write_text("not a result", encoding="utf-8")
    code, out, err = run_main(["plot", str(folder)])
    assert_single_error_line(code, out, err)
    assert "stuff" in err
    assert sorted(p.name for p in folder.iterdir()) == ["data.txt"]


def test_plot_compare_with_a_missing_directory(cli_run, tmp_path):
    _, _, _, a = cli_run
    code, out, err = run_main(
        ["plot", str(a), "--compare", str(tmp_path / "nope"), "--out", str(tmp_path / "f")]
    )
    assert_single_error_line(code, out, err)
    assert "nope" in err


# -------------------------------------------------------------------------- list


def test_list_prints_bundled_scenarios_with_descriptions(capsys):
    code = main(["list"])
    captured = capsys.readouterr()
    assert code == 0
    lines = captured.out.splitlines()
    assert len(lines) == len(BUNDLED)
    by_name = {line.split()[0]: line for line in lines}
    assert set(by_name) == set(BUNDLED)
    for name in BUNDLED:
        with open(SCENARIOS / f"{name}.toml", "rb") as fh:
            description = tomllib.load(fh)["scenario"]["description"]
        assert by_name[name].split(None, 1)[1].strip() == description


def test_run_summary_hides_member_ballots_unless_asked(tmp_path):
    argv = ["run", str(SCENARIOS / "mss_2024.toml"), "--runs", "5", "--no-plots", "--no-progress"]
    code, out, err = run_main([*argv, "--out", str(tmp_path / "a")])
    assert code == 0, err
    assert "mss_renewal.adopted" in out and "mss_renewal.vote.CHN" not in out
    saved = mss_sim.BatchResult.load(tmp_path / "a")
    hidden = sum(".vote." in n or ".vetoed_by." in n for n in saved.scalars)
    assert f"({hidden} ballots and vetoes of single members not shown; --all-outcomes)" in out
    code, out, err = run_main([*argv, "--out", str(tmp_path / "b"), "--all-outcomes"])
    assert code == 0, err
    assert "mss_renewal.vote.CHN" in out and "pko_transition.vetoed_by.RUS" in out
    assert "ballots and vetoes of single members not shown" not in out


def test_an_unknown_scenario_name_lists_the_bundled_ones(tmp_path):
    code, out, err = run_main(["run", "gsf_2052", "--runs", "2", "--out", str(tmp_path / "x")])
    assert_single_error_line(code, out, err)
    assert "no scenario file or bundled scenario named 'gsf_2052'" in err
    assert "gsf_2025" in err and "mss-sim list" in err
    assert not (tmp_path / "x").exists()


def test_scheduler_needs_the_dask_backend(tmp_path):
    argv = ["run", "gsf_2025", "--runs", "2", "--backend", "process", "--scheduler", "tcp://x:1"]
    code, out, err = run_main([*argv, "--out", str(tmp_path / "x")])
    assert_single_error_line(code, out, err)
    assert "--scheduler is for --backend dask" in err
