"""Streaming a batch into a results directory: resume, extension, repair, refusals, the lock."""

from __future__ import annotations

import fcntl
import json
import logging
import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import mss_sim
from mss_sim.batch.store import JOURNAL, MANIFEST, Store
from mss_sim.errors import BatchError, ResultsError

ROOT = Path(__file__).parents[2]
BUNDLED = ("mss_2024", "gsf_2025", "us_budget_cuts", "pko_assessed")
RUNS = 30
SEED = 21


@pytest.fixture(scope="module")
def reference(gsf) -> mss_sim.BatchResult:
    return mss_sim.run_batch(gsf, RUNS + 20, seed=SEED)


def assert_rows_equal(a: mss_sim.BatchResult, b: mss_sim.BatchResult, rows: int) -> None:
    """The first `rows` replications of `a` and `b` are bitwise identical in every output."""
    for group in ("scalars", "series", "parameters"):
        x, y = getattr(a, group), getattr(b, group)
        assert list(x) == list(y), group
        for name in x:
            assert x[name][:rows].tobytes() == y[name][:rows].tobytes(), (group, name)
    assert np.array_equal(a.months, b.months)
    assert [f for f in a.failures if f.index < rows] == [f for f in b.failures if f.index < rows]


def journal(path: Path) -> list[dict]:
    return [json.loads(line) for line in (path / JOURNAL).read_text().splitlines()]


@pytest.mark.parametrize("name", BUNDLED)
def test_store_round_trips_every_output_of_every_bundled_scenario(name, tmp_path):
    scenario = mss_sim.load_scenario(ROOT / "scenarios" / f"{name}.toml")
    memory = mss_sim.run_batch(scenario, 12, seed=4)
    stored = mss_sim.run_batch(scenario, 12, seed=4, chunk_size=5, out=tmp_path / name)
    assert_rows_equal(memory, stored, 12)
    reopened = mss_sim.BatchResult.load(tmp_path / name)
    assert_rows_equal(memory, reopened, 12)
    assert reopened.meta["scenario_hash"] == scenario.content_hash()
    assert (reopened.meta["seed"], reopened.meta["runs"]) == (4, 12)
    assert [(r["start"], r["stop"]) for r in journal(tmp_path / name)] == [
        (0, 5),
        (5, 10),
        (10, 12),
    ]


def test_resume_after_losing_chunks_is_bitwise_identical(gsf, reference, tmp_path, caplog):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, RUNS, seed=SEED, chunk_size=4, out=out)
    # As after an interruption: the journal's last lines and one file never written.
    lines = (out / JOURNAL).read_text().splitlines()
    kept, lost = lines[:3], lines[3:]
    (out / JOURNAL).write_text("\n".join(kept) + "\n")
    (out / json.loads(lost[0])["file"]).unlink()
    with caplog.at_level(logging.INFO, logger="mss_sim"):
        resumed = mss_sim.run_batch(gsf, RUNS, seed=SEED, chunk_size=4, out=out, resume=True)
    assert "found 12 of 30 replications on disk" in caplog.text
    assert_rows_equal(reference, resumed, RUNS)
    assert Store.open(out).complete


def test_a_torn_journal_line_is_skipped_and_its_chunk_run_again(gsf, reference, tmp_path):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, RUNS, seed=SEED, chunk_size=10, out=out)
    text = (out / JOURNAL).read_text()
    (out / JOURNAL).write_text(text[: len(text) - 40])  # the last line cut short
    resumed = mss_sim.run_batch(gsf, RUNS, seed=SEED, chunk_size=10, out=out, resume=True)
    assert_rows_equal(reference, resumed, RUNS)
    assert len(journal(out)) == 3


def test_a_larger_run_count_extends_a_finished_store(gsf, reference, tmp_path):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, RUNS, seed=SEED, out=out)
    first = (out / journal(out)[0]["file"]).read_bytes()
    longer = mss_sim.run_batch(gsf, RUNS + 20, seed=SEED, out=out, resume=True)
    assert longer.runs == RUNS + 20 == longer.meta["runs"]
    assert longer.meta["replications"] == [0, RUNS + 20]
    assert_rows_equal(reference, longer, RUNS + 20)
    assert (out / journal(out)[0]["file"]).read_bytes() == first  # untouched


def test_a_finished_store_is_returned_without_running(gsf, reference, tmp_path, caplog):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, RUNS, seed=SEED, out=out)
    before = (out / JOURNAL).read_text()
    with caplog.at_level(logging.INFO, logger="mss_sim"):
        again = mss_sim.run_batch(gsf, RUNS, seed=SEED, out=out, resume=True)
    assert "all 30 replications of this batch are on disk; nothing to run" in caplog.text
    assert (out / JOURNAL).read_text() == before
    assert_rows_equal(reference, again, RUNS)


def test_a_corrupt_chunk_is_reported_and_run_again(gsf, reference, tmp_path, caplog):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, RUNS, seed=SEED, chunk_size=10, out=out)
    victim = out / journal(out)[1]["file"]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    with pytest.raises(
        ResultsError, match=r"000000000010-000000000020-\w+\.parquet: checksum mismatch"
    ):
        mss_sim.BatchResult.load(out)
    with caplog.at_level(logging.WARNING, logger="mss_sim"):
        repaired = mss_sim.run_batch(gsf, RUNS, seed=SEED, chunk_size=10, out=out, resume=True)
    assert "chunk 10-19" in caplog.text and "checksum mismatch; running it again" in caplog.text
    assert_rows_equal(reference, repaired, RUNS)
    assert not Store.open(out).verify()


def test_fewer_runs_open_the_first_ones_and_keep_the_rest_for_later(
    gsf, reference, tmp_path, caplog
):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, RUNS, seed=SEED, chunk_size=7, out=out)
    before = (out / JOURNAL).read_text()
    with caplog.at_level(logging.INFO, logger="mss_sim"):
        fewer = mss_sim.run_batch(gsf, 10, seed=SEED, chunk_size=7, out=out, resume=True)
    assert "all 10 replications of this batch are on disk; nothing to run" in caplog.text
    assert fewer.runs == 10 and fewer.scalars["peak_deployed"].shape == (10,)
    assert_rows_equal(reference, fewer, 10)
    assert (out / JOURNAL).read_text() == before  # the other chunks stay
    again = mss_sim.run_batch(gsf, RUNS, seed=SEED, out=out, resume=True)
    assert_rows_equal(reference, again, RUNS)
    assert (out / JOURNAL).read_text() == before


def test_an_extension_interrupted_at_once_can_be_taken_back(gsf, reference, tmp_path):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, RUNS, seed=SEED, out=out)
    manifest = json.loads((out / MANIFEST).read_text())
    (out / MANIFEST).write_text(json.dumps({**manifest, "runs": 400_000}))  # as after a typo
    with pytest.raises(ResultsError, match="incomplete"):
        mss_sim.BatchResult.load(out)
    back = mss_sim.run_batch(gsf, RUNS, seed=SEED, out=out, resume=True)
    assert_rows_equal(reference, back, RUNS)
    assert mss_sim.BatchResult.load(out).runs == RUNS


def test_a_result_opened_before_an_overwrite_never_reads_the_new_batch(gsf, tmp_path):
    out = tmp_path / "gsf"
    first = mss_sim.run_batch(gsf, 10, seed=1, out=out)
    mss_sim.run_batch(gsf, 10, seed=2, out=out, overwrite=True)
    with pytest.raises(ResultsError, match="the chunk file is gone; the results directory was"):
        first.scalars["peak_deployed"]


def test_another_seed_or_scenario_is_refused_before_any_work(gsf, tmp_path):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, 8, seed=SEED, out=out)
    before = (out / JOURNAL).read_text()
    with pytest.raises(BatchError, match=rf"{out}: holds another batch .*seed {SEED}.*seed 99"):
        mss_sim.run_batch(gsf, 8, seed=99, out=out, resume=True)
    cuts = mss_sim.load_scenario(ROOT / "scenarios" / "us_budget_cuts.toml")
    with pytest.raises(BatchError, match=r"holds another batch .*'gsf_2025'.*'us_budget_cuts'"):
        mss_sim.run_batch(cuts, 8, seed=SEED, out=out, resume=True)
    assert (out / JOURNAL).read_text() == before


def test_results_there_need_resume_or_overwrite(gsf, reference, tmp_path):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, 8, seed=SEED, out=out)
    with pytest.raises(
        BatchError, match="already holds results of this batch; continue them with resume=True"
    ):
        mss_sim.run_batch(gsf, 8, seed=SEED, out=out)
    fresh = mss_sim.run_batch(gsf, 8, seed=SEED + 1, out=out, overwrite=True)
    assert fresh.meta["seed"] == SEED + 1
    assert all(r["start"] < 8 for r in journal(out))


def test_a_file_or_foreign_directory_is_refused_before_any_work(gsf, tmp_path):
    target = tmp_path / "file"
    target.write_text("keep me")
    with pytest.raises(BatchError, match="exists and is not a directory"):
        mss_sim.run_batch(gsf, 4, seed=0, out=target)
    with pytest.raises(BatchError, match="is not a directory"):
        mss_sim.run_batch(gsf, 4, seed=0, out=target / "below")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    for flags in ({}, {"overwrite": True}, {"resume": True}):
        with pytest.raises(BatchError, match="is not an mss_sim result"):
            mss_sim.run_batch(gsf, 4, seed=0, out=foreign, **flags)
    assert target.read_text() == "keep me"
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]


def test_an_earlier_format_result_is_refused_unless_overwritten(gsf, tmp_path):
    out = tmp_path / "old"
    out.mkdir()
    (out / "result.json").write_text(json.dumps({"format": "mss_sim.BatchResult"}))
    (out / "arrays.npz").write_bytes(b"")
    with pytest.raises(BatchError, match="earlier single-file format"):
        mss_sim.run_batch(gsf, 4, seed=0, out=out, resume=True)
    mss_sim.run_batch(gsf, 4, seed=0, out=out, overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == [".lock", "chunks", JOURNAL, MANIFEST]


def test_a_held_lock_refuses_a_second_writer_and_a_stale_one_is_taken_over(gsf, tmp_path):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, 8, seed=SEED, out=out)
    with open(out / ".lock", "a+") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        holder.truncate(0)
        holder.write("4242424\n")
        holder.flush()
        with pytest.raises(BatchError, match=r"another run \(process 4242424\) is writing"):
            mss_sim.run_batch(gsf, 12, seed=SEED, out=out, resume=True)
    # The holder is gone (its lock released), its pid still written: the lock is taken over.
    assert "4242424" in (out / ".lock").read_text()
    longer = mss_sim.run_batch(gsf, 12, seed=SEED, out=out, resume=True)
    assert longer.runs == 12


def test_resume_and_overwrite_together_are_refused(gsf, tmp_path):
    with pytest.raises(ValueError, match="contradict"):
        mss_sim.run_batch(gsf, 4, seed=0, out=tmp_path / "x", resume=True, overwrite=True)


def test_an_incomplete_store_does_not_load(gsf, tmp_path):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, 20, seed=SEED, chunk_size=5, out=out)
    lines = (out / JOURNAL).read_text().splitlines()
    (out / JOURNAL).write_text("\n".join(lines[:2]) + "\n")
    with pytest.raises(ResultsError, match="incomplete, 10 of 20 replications on disk"):
        mss_sim.BatchResult.load(out)


def test_saving_over_a_store_that_a_batch_is_writing_is_refused(gsf, run_small, tmp_path):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, 8, seed=SEED, out=out)
    with open(out / ".lock", "a+") as holder:  # as a running batch holds it
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ResultsError, match=r"another run .* refusing to replace it"):
            run_small("gsf_2025", 5, 1).save(out)
    assert Store.open(out).manifest["seed"] == SEED


def test_the_finished_part_of_an_interrupted_extension_opens_with_runs(gsf, reference, tmp_path):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, RUNS, seed=SEED, chunk_size=10, out=out)
    mss_sim.run_batch(gsf, RUNS + 20, seed=SEED, chunk_size=10, out=out, resume=True)
    lines = (out / JOURNAL).read_text().splitlines()
    (out / JOURNAL).write_text("\n".join(lines[:-1]) + "\n")  # the extension's last chunk lost
    with pytest.raises(ResultsError, match=r"40 of 50 .* BatchResult.load\(\.\.\., runs=40\)"):
        mss_sim.BatchResult.load(out)
    first = mss_sim.BatchResult.load(out, runs=RUNS)
    assert first.runs == RUNS == first.meta["runs"] and first.meta["replications"] == [0, RUNS]
    assert_rows_equal(reference, first, RUNS)
    assert first.scalars["peak_deployed"].shape == (RUNS,)
    with pytest.raises(ValueError, match=r"runs must be in \[1, 50\]"):
        mss_sim.BatchResult.load(out, runs=51)


def test_a_damaged_journal_and_unlisted_files_are_reported(gsf, reference, tmp_path, caplog):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, RUNS, seed=SEED, chunk_size=10, out=out)
    lines = (out / JOURNAL).read_text().splitlines()
    (out / JOURNAL).write_text(lines[0] + "\n" + lines[1][:30] + "\n" + lines[2] + "\n")
    with caplog.at_level(logging.WARNING, logger="mss_sim"):
        repaired = mss_sim.run_batch(gsf, RUNS, seed=SEED, chunk_size=10, out=out, resume=True)
    assert "1 damaged line(s) in chunks.jsonl skipped" in caplog.text
    assert "1 chunk file(s) not in chunks.jsonl removed" in caplog.text
    assert_rows_equal(reference, repaired, RUNS)


def test_a_chunk_damaged_after_its_checksum_was_checked_fails_to_read(gsf, tmp_path):
    out = tmp_path / "gsf"
    mss_sim.run_batch(gsf, 20, seed=SEED, out=out)
    victim = out / journal(out)[0]["file"]
    meta = pq.ParquetFile(victim).metadata.row_group(0)
    names = [meta.column(i).path_in_schema for i in range(meta.num_columns)]
    column = meta.column(names.index("peak_deployed"))
    start = min(column.data_page_offset, column.dictionary_page_offset or column.data_page_offset)
    data = bytearray(victim.read_bytes())
    data[start + column.total_compressed_size - 2] ^= 0x01  # in its last page's values
    victim.write_bytes(bytes(data))
    opened = mss_sim.BatchResult.load(out, verify=False)
    with pytest.raises(ResultsError, match="unreadable chunk"):
        opened.scalars["peak_deployed"]


def test_a_failed_batch_leaves_no_empty_directory_behind(gsf, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "new"
    with pytest.raises(BatchError, match="cannot reach the Dask scheduler at nonsense"):
        mss_sim.run_batch(gsf, 8, seed=0, backend="dask", address="nonsense", out=out)
    assert not out.exists()


def test_to_frame_names_what_a_column_is_called(gsf):
    res = mss_sim.run_batch(gsf, 3, seed=0)
    key = next(iter(res.parameters))
    with pytest.raises(KeyError, match=f"parameters are named 'param:{re.escape(key)}'"):
        res.to_frame([key])
    with pytest.raises(KeyError, match="series are not columns of the frame"):
        res.to_frame(["series:deployed"])
    frame = res.to_frame(["peak_deployed", f"param:{key}"])
    assert list(frame.columns) == ["peak_deployed", f"param:{key}"]


def test_a_saved_result_has_the_permissions_of_a_new_directory(run_small, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    saved = run_small("gsf_2025", 5, 1).save(tmp_path / "saved")
    assert saved.stat().st_mode == plain.stat().st_mode
