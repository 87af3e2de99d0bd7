# mss_sim: `make demo` and `make test` work on a fresh clone with only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,pandas,dask,sensitivity,discovery,report]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mss-sim run scenarios/gsf_2025.toml --runs 2000 --seed 1 --out out/gsf_2025
	$(BIN)/mss-sim report out/gsf_2025

test: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/ruff format --check src tests examples benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/ruff format --check src tests examples benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_replication.py
	$(BIN)/python benchmarks/bench_council.py
	$(BIN)/python benchmarks/bench_scale.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
