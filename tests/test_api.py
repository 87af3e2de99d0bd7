"""The public API: names, no side effects on import."""

from __future__ import annotations

import subprocess
import sys

import mss_sim


def test_all_is_sorted_and_complete():
    assert mss_sim.__all__ == sorted(mss_sim.__all__)
    assert set(mss_sim.__all__) == {
        "BatchError",
        "BatchInterrupted",
        "BatchResult",
        "Event",
        "ExperimentResult",
        "MssSimError",
        "Replication",
        "ResultsError",
        "Scenario",
        "ScenarioError",
        "SimulationError",
        "__version__",
        "load_scenario",
        "run_batch",
        "run_experiment",
        "simulate",
    }
    for name in mss_sim.__all__:
        assert hasattr(mss_sim, name)


def test_errors_are_catchable_together():
    for cls in (
        mss_sim.ScenarioError,
        mss_sim.SimulationError,
        mss_sim.ResultsError,
        mss_sim.BatchError,
    ):
        assert issubclass(cls, mss_sim.MssSimError)
    # An interrupted batch stops a script or a notebook cell as Ctrl-C does.
    assert issubclass(mss_sim.BatchInterrupted, KeyboardInterrupt)
    assert not issubclass(mss_sim.BatchInterrupted, Exception)
    err = mss_sim.ScenarioError("must be >= 0, got -5", source="a.toml", path="funding.x")
    assert str(err) == "a.toml: funding.x: must be >= 0, got -5"
    assert (err.source, err.path, err.problem) == ("a.toml", "funding.x", "must be >= 0, got -5")


def test_import_has_no_side_effects():
    code = (
        "import sys, multiprocessing as mp\n"
        "before = mp.get_start_method(allow_none=True)\n"
        "import mss_sim, mss_sim.council, mss_sim.scenario, mss_sim.model, mss_sim.batch\n"
        "import mss_sim.analysis, mss_sim.cli\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
        "assert 'pyarrow' not in sys.modules, 'pyarrow imported'\n"
        "assert 'distributed' not in sys.modules, 'distributed imported'\n"
        "assert mp.get_start_method(allow_none=True) == before\n"
        "from mss_sim.scenario import members\n"
        "assert members._data.cache_info().misses == 0, 'package data read at import'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
