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
