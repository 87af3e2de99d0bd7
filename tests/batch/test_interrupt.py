"""Real processes: signals, kill -9 and resume, a missing ``__main__`` guard, a foreign DIR.

Each test runs the ``mss-sim`` command (or a script) in a subprocess, as a user
would, and checks its exit code, what it kept on disk and that no process it
started is left (every descendant's pid is collected while it runs).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import mss_sim

ROOT = Path(__file__).parents[2]
MSS_SIM = str(Path(sys.executable).with_name("mss-sim"))
RUNS = 3000
SEED = 17

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended


def wait_gone(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = {p for p in pids if running(p)}
        if not left:
            return left
        time.sleep(0.05)
    return {p for p in pids if running(p)}


def journal_lines(out: Path) -> int:
    try:
        return len((out / "chunks.jsonl").read_text().splitlines())
    except FileNotFoundError:
        return 0


def start_run(out: Path, *extra: str) -> tuple[subprocess.Popen[str], set[int]]:
    """Start a process-backend run and return it once it has saved a chunk and has workers."""
    argv = [MSS_SIM, "run", "gsf_2025", "--runs", str(RUNS), "--seed", str(SEED)]
    argv += ["--out", str(out), "--no-plots", "--no-progress", "--backend", "process"]
    argv += ["--workers", "2", *extra]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        seen |= descendants(proc.pid)
        # The resource tracker, the fork server and two workers.
        if journal_lines(out) >= 2 and len(seen) >= 4:
            return proc, seen
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    proc.kill()
    raise AssertionError(f"the run did not get going: {proc.communicate()}")


@pytest.fixture(scope="module")
def reference() -> mss_sim.BatchResult:
    scenario = mss_sim.load_scenario(ROOT / "scenarios" / "gsf_2025.toml")
    return mss_sim.run_batch(scenario, RUNS, seed=SEED, backend="process", workers=2)


def assert_bitwise(result: mss_sim.BatchResult, reference: mss_sim.BatchResult) -> None:
    for group in ("scalars", "series", "parameters"):
        theirs = getattr(reference, group)
        assert list(getattr(result, group)) == list(theirs)
        # read the store in few passes over its chunk files, not one per column
        for name, ours in result.iter_columns(list(theirs), kind=group):
            assert ours.tobytes() == theirs[name].tobytes(), (group, name)
    assert result.failures == reference.failures


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_keeps_finished_chunks_ends_every_worker_and_says_how_to_resume(
    tmp_path, reference, sig, code
):
    out = tmp_path / "gsf"
    proc, pids = start_run(out)
    began = time.monotonic()
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == code, stderr
    assert time.monotonic() - began < 8  # running chunks get about 3 s, then are cut off
    assert "Traceback" not in stderr
    assert f"interrupted by {signal.Signals(sig).name}" in stderr
    assert f"to resume: mss-sim run gsf_2025 --runs {RUNS} --seed {SEED} --out {out}" in stderr
    assert wait_gone(pids, 5) == set()
    saved = journal_lines(out)
    assert saved >= 2
    # The same command again finishes the batch, bitwise equal to an uninterrupted run.
    again = subprocess.run(proc.args, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    assert "replications on disk; running the other" in again.stderr
    assert_bitwise(mss_sim.BatchResult.load(out), reference)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_to_the_whole_process_group_is_handled_by_the_main_process(tmp_path, sig, code):
    # As Ctrl-C in a terminal, or a job scheduler ending the job, does.
    out = tmp_path / "gsf"
    proc, pids = start_run(out)
    os.killpg(proc.pid, sig)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    assert f"interrupted by {signal.Signals(sig).name}" in stderr
    assert wait_gone(pids, 5) == set()
    crashed = [
        line for line in (out / "chunks.jsonl").read_text().splitlines() if '"crashed":true' in line
    ]
    assert crashed == []  # no chunk is recorded as failed


def test_a_second_ctrl_c_stops_at_once_without_orphans_or_tracebacks(tmp_path):
    out = tmp_path / "gsf"
    proc, pids = start_run(out, "--chunk-size", "1000")  # chunks of about 2 s
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    began = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert time.monotonic() - began < 2
    assert "Traceback" not in stderr
    assert wait_gone(pids, 5) == set()


def test_kill_9_then_the_same_command_gives_the_uninterrupted_arrays(tmp_path, reference):
    out = tmp_path / "gsf"
    proc, pids = start_run(out)
    proc.kill()
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # The workers notice that the main process has gone and end by themselves.
    assert wait_gone(pids, 10) == set()
    saved = journal_lines(out)
    time.sleep(0.5)
    assert journal_lines(out) == saved  # nothing writes into DIR any more
    again = subprocess.run(proc.args, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    assert_bitwise(mss_sim.BatchResult.load(out), reference)


def test_another_scenario_in_the_directory_exits_2_before_any_work(tmp_path):
    out = tmp_path / "gsf"
    scenario = mss_sim.load_scenario(ROOT / "scenarios" / "gsf_2025.toml")
    mss_sim.run_batch(scenario, 10, seed=SEED, out=out)
    before = {p.name: p.stat().st_mtime_ns for p in out.rglob("*")}
    argv = [MSS_SIM, "run", "mss_2024", "--runs", "5000", "--seed", str(SEED), "--out", str(out)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mss-sim: error: {out}: holds another batch")
    assert "--overwrite" in lines[0]
    assert {p.name: p.stat().st_mtime_ns for p in out.rglob("*") if p.name != ".lock"} == {
        k: v for k, v in before.items() if k != ".lock"
    }
    manifest = json.loads((out / "store.json").read_text())
    assert manifest["scenario"] == "gsf_2025"


def test_an_unguarded_script_raises_batch_error_quickly(tmp_path):
    script = tmp_path / "snip.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import mss_sim
            scenario = mss_sim.load_scenario({str(ROOT / "scenarios" / "gsf_2025.toml")!r})
            res = mss_sim.run_batch(scenario, runs=2000, seed=7, backend="process", workers=2)
            print(res.summary())
            """
        )
    )
    began = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert time.monotonic() - began < 30
    assert proc.returncode == 1
    assert "mss_sim.errors.BatchError" in proc.stderr
    assert 'if __name__ == "__main__":' in proc.stderr
    assert str(script) in proc.stderr


def test_a_guarded_script_runs(tmp_path):
    script = tmp_path / "guarded.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import mss_sim
            if __name__ == "__main__":
                sc = mss_sim.load_scenario({str(ROOT / "scenarios" / "gsf_2025.toml")!r})
                res = mss_sim.run_batch(sc, runs=40, seed=7, backend="process", workers=2)
                print(res.runs, len(res.failures))
            """
        )
    )
    proc = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["40", "0"]


def test_a_script_read_from_standard_input_gets_a_clear_error():
    script = textwrap.dedent(
        f"""
        import mss_sim
        sc = mss_sim.load_scenario({str(ROOT / "scenarios" / "gsf_2025.toml")!r})
        mss_sim.run_batch(sc, runs=40, seed=7, backend="process", workers=2)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-"], input=script, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 1
    assert "BatchError: the main script '<stdin>' is not a file" in proc.stderr
    assert proc.stderr.count("Traceback") == 1  # ours only: no worker started
