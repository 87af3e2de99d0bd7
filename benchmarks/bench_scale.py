"""Batches at scale: memory and time streamed to a store, the pool's costs, Dask.

Prints, for gsf_2025:

* ``scale``: wall time and peak memory of 10,000, 100,000 and 1,000,000 runs
  streamed to a results store by the process backend on 2 workers, each in a
  fresh interpreter: the main process's peak RSS (``ru_maxrss``) and its RSS when
  a tenth, half and all of the runs were done, each worker's peak RSS (``VmHWM``),
  the store's size and chunk count, then the time and peak RSS of opening the
  store and printing the summary and drawing the fan chart of ``deployed``;
* ``fixed``: the pool's fixed cost, start to first result and the shutdown after
  the last result, with the fork server cold (a fresh interpreter) and warm;
* ``efficiency``: 2-worker wall efficiency, pool rate / (2 x serial rate), timed
  alternating with serial, in one warm interpreter and with each batch in a fresh
  interpreter (as ``mss-sim run`` is);
* ``dask``: the throughput of a 2-worker Dask ``LocalCluster`` (started once,
  not timed) as a ratio to the process pool, timed alternating.

    python benchmarks/bench_scale.py [--parts scale fixed efficiency dask]
        [--scale 10000 100000 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import mss_sim

ROOT = Path(__file__).resolve().parents[1]
GSF = ROOT / "scenarios" / "gsf_2025.toml"


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _fresh(*args: str) -> dict[str, Any]:
    """Run this script's hidden sub-command in a new interpreter; return its JSON line."""
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# ----------------------------------------------------------------------- scale


def _scale_child(runs: int, folder: str) -> None:
    scenario = mss_sim.load_scenario(GSF)
    me = os.getpid()
    workers: dict[int, int] = {}
    stop = threading.Event()

    def watch() -> None:  # the workers' peak RSS, read while they live
        while not stop.wait(0.5):
            for pid in _descendants(me):
                workers[pid] = max(workers.get(pid, 0), _status_kb(pid, "VmHWM"))

    threading.Thread(target=watch, daemon=True).start()
    marks: dict[str, float] = {}
    journal = Path(folder) / "chunks.jsonl"

    def sample() -> None:  # the main process's RSS at a tenth, half and all the runs
        while not stop.wait(0.5):
            try:
                done = _done(journal)
            except OSError:
                continue
            for label, share in (("10%", 0.1), ("50%", 0.5)):
                if label not in marks and done >= share * runs:
                    marks[label] = _status_kb(me, "VmRSS") / 1024

    threading.Thread(target=sample, daemon=True).start()
    began = time.perf_counter()
    result = mss_sim.run_batch(scenario, runs, seed=1, backend="process", workers=2, out=folder)
    wall = time.perf_counter() - began
    marks["100%"] = _status_kb(me, "VmRSS") / 1024
    run_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stop.set()
    size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    chunks = len(list((Path(folder) / "chunks").iterdir()))
    began = time.perf_counter()
    opened = mss_sim.BatchResult.load(folder)
    str(opened.summary())
    from matplotlib.figure import Figure

    from mss_sim import plotting

    plotting.plot_fan(opened, "deployed", ax=Figure().add_subplot())
    analysis = time.perf_counter() - began
    print(
        json.dumps(
            {
                "runs": result.runs,
                "wall": wall,
                "main_peak_mb": run_peak,
                "main_rss_mb": marks,
                "worker_peak_mb": sorted(v / 1024 for v in workers.values() if v),
                "store_mb": size / 2**20,
                "chunks": chunks,
                "analysis_s": analysis,
                "peak_after_analysis_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def _done(journal: Path) -> int:
    total = 0
    for line in journal.read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        total += record["stop"] - record["start"]
    return total


def scale(sizes: list[int]) -> None:
    print("\n== batches streamed to a store (process backend, 2 workers, fresh interpreter)")
    for runs in sizes:
        folder = tempfile.mkdtemp(prefix="mss-sim-scale-")
        try:
            r = _fresh("_scale", str(runs), folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        rss = r["main_rss_mb"]
        print(
            f"{runs:>9,} runs: {r['wall']:8.1f} s ({runs / r['wall']:,.0f} rep/s); main peak RSS "
            f"{r['main_peak_mb']:.0f} MB (RSS at 10%/50%/100%: "
            + "/".join(f"{rss.get(k, float('nan')):.0f}" for k in ("10%", "50%", "100%"))
            + " MB); worker peaks "
            + ", ".join(f"{w:.0f}" for w in r["worker_peak_mb"])
            + f" MB; store {r['store_mb']:.0f} MB in {r['chunks']} chunks; load + summary + "
            f"fan chart {r['analysis_s']:.1f} s, peak RSS then {r['peak_after_analysis_mb']:.0f} MB"
        )


# ----------------------------------------------------------------------- fixed cost


def _fixed_child(repeat: int) -> None:
    from mss_sim.batch.chunk import output_names
    from mss_sim.batch.plan import ChunkPlanner
    from mss_sim.batch.pool import LocalPool

    scenario = mss_sim.load_scenario(GSF)
    names = output_names(scenario)
    rows = []
    for _ in range(repeat):
        stamps: list[float] = []
        pool = LocalPool(scenario, 1, 2, names, help_while_starting=False)
        began = time.perf_counter()
        pool.run(
            ChunkPlanner([(0, 2)], workers=2, chunk_size=1),
            lambda chunk, stamps=stamps: stamps.append(time.perf_counter()),
        )
        ended = time.perf_counter()
        rows.append((stamps[0] - began, ended - stamps[-1]))
    print(json.dumps(rows))


def fixed(repeat: int) -> None:
    print("\n== the pool's fixed cost (2 workers, one replication each)")
    cold = [_fresh("_fixed", "1")[0] for _ in range(repeat)]
    warm = _fresh("_fixed", str(repeat + 1))[1:]
    for label, rows in (("cold (fork server starts)", cold), ("warm", warm)):
        first = [r[0] for r in rows]
        down = [r[1] for r in rows]
        print(
            f"{label:>26}: start to first result best {min(first):.3f} s, median "
            f"{statistics.median(first):.3f} s; shutdown best {min(down):.3f} s, median "
            f"{statistics.median(down):.3f} s"
        )


# ----------------------------------------------------------------------- efficiency


def _timed_child(runs: int, backend: str) -> None:
    scenario = mss_sim.load_scenario(GSF)
    began = time.perf_counter()
    mss_sim.run_batch(scenario, runs, seed=1, backend=backend, workers=2)  # type: ignore[arg-type]
    print(json.dumps(time.perf_counter() - began))


def efficiency(sizes: list[int], repeat: int) -> None:
    print("\n== 2-worker wall efficiency: pool rate / (2 x serial rate), alternating with serial")
    scenario = mss_sim.load_scenario(GSF)
    mss_sim.run_batch(scenario, 2, seed=1, backend="process", workers=2)  # fork server up
    for runs in sizes:
        warm, cold = [], []
        for _ in range(repeat):
            began = time.perf_counter()
            mss_sim.run_batch(scenario, runs, seed=1)
            serial = time.perf_counter() - began
            began = time.perf_counter()
            mss_sim.run_batch(scenario, runs, seed=1, backend="process", workers=2)
            warm.append(serial / (2 * (time.perf_counter() - began)))
            serial = _fresh("_timed", str(runs), "serial")
            cold.append(serial / (2 * _fresh("_timed", str(runs), "process")))
        for label, ratios in (("one interpreter", warm), ("fresh interpreters", cold)):
            print(
                f"{runs:>7,} runs, {label:>18}: best {max(ratios):.3f}, median "
                f"{statistics.median(ratios):.3f} (" + ", ".join(f"{r:.3f}" for r in ratios) + ")"
            )


# ----------------------------------------------------------------------- dask


def dask(runs: int, repeat: int) -> None:
    from distributed import Client, LocalCluster

    print(f"\n== Dask LocalCluster (2 workers, 1 thread each) vs the process pool, {runs:,} runs")
    scenario = mss_sim.load_scenario(GSF)
    began = time.perf_counter()
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        print(f"cluster start (not in the ratio): {time.perf_counter() - began:.2f} s")
        mss_sim.run_batch(scenario, 2, seed=1, backend="process", workers=2)
        mss_sim.run_batch(scenario, 20, seed=1, backend="dask", client=client)
        ratios = []
        for _ in range(repeat):
            began = time.perf_counter()
            mss_sim.run_batch(scenario, runs, seed=1, backend="process", workers=2)
            pool = time.perf_counter() - began
            began = time.perf_counter()
            mss_sim.run_batch(scenario, runs, seed=1, backend="dask", client=client)
            on_dask = time.perf_counter() - began
            ratios.append(pool / on_dask)
            print(f"process {runs / pool:,.0f} rep/s, dask {runs / on_dask:,.0f} rep/s")
        print(
            f"dask / process throughput: best {max(ratios):.3f}, median "
            f"{statistics.median(ratios):.3f}"
        )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        command, *rest = sys.argv[1:]
        if command == "_scale":
            _scale_child(int(rest[0]), rest[1])
        elif command == "_fixed":
            _fixed_child(int(rest[0]))
        elif command == "_timed":
            _timed_child(int(rest[0]), rest[1])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parts",
        nargs="+",
        default=["fixed", "efficiency", "dask", "scale"],
        choices=["scale", "fixed", "efficiency", "dask"],
    )
    parser.add_argument("--scale", nargs="+", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"mss_sim {mss_sim.__version__}"
    )
    if "fixed" in args.parts:
        fixed(args.repeat)
    if "efficiency" in args.parts:
        efficiency([2_000, 10_000], args.repeat)
    if "dask" in args.parts:
        dask(10_000, args.repeat)
    if "scale" in args.parts:
        scale(args.scale)


if __name__ == "__main__":
    main()
