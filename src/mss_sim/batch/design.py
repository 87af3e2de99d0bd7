"""Designs over a scenario's uncertain parameters: which draws each replication gets.

Every uncertain value is drawn by turning a uniform number in (0, 1) into a value
through its distribution's quantile function (``ppf``). A *design* chooses those
uniform numbers for all the batch's replications at once:

``monte_carlo``
    Each replication's own streams (the default): independent draws, and a batch
    can be extended to any size.
``lhs``
    A Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`, scrambled): each
    parameter's range is cut into as many strata of equal probability as there are
    replications and each stratum gets exactly one. It is drawn for its number of
    points and cannot be extended.
``sobol``
    A scrambled Sobol' sequence (:class:`scipy.stats.qmc.Sobol`); the number of
    replications must be a power of two, and a batch extends by taking more of
    the sequence.
``halton``
    A scrambled Halton sequence (:class:`scipy.stats.qmc.Halton`); any number of
    replications, extended by taking more of the sequence.
``saltelli``
    Saltelli's scheme for Sobol' indices (SALib's ``sample.sobol``, first and total
    order): ``N * (d + 2)`` replications for ``d`` parameters, ``N`` a power of two;
    :func:`mss_sim.analysis.sensitivity.sobol_indices` reads them. Needs the
    ``sensitivity`` extra (``pip install 'mss-sim[sensitivity]'``); extended by
    taking more base points (the runs staying ``N * (d + 2)``).

The design is seeded from the batch seed, so the same seed gives the same points;
the rest of each replication's randomness (votes, waves, security) still comes
from its own streams.

Examples
--------
>>> points = design_points("lhs", 4, 2, seed=1)
>>> sorted((points[:, 0] * 4).astype(int).tolist())
[0, 1, 2, 3]
"""

from __future__ import annotations

from typing import Literal

import numpy as np

__all__ = ["DESIGNS", "Design", "check_design", "design_points", "extensible"]

Design = Literal["monte_carlo", "lhs", "sobol", "halton", "saltelli"]

DESIGNS: tuple[str, ...] = ("monte_carlo", "lhs", "sobol", "halton", "saltelli")
"""The designs :func:`mss_sim.run_batch` accepts."""

_DESIGN_KEY = 0x6D73735F
"""Mixed into the batch seed so that the design's randomness is its own."""

_EPS = 2.0**-53


def extensible(design: str) -> bool:
    """Whether a batch with this design can grow by taking more points."""
    return design != "lhs"


def check_design(design: str, runs: int, dims: int) -> None:
    """Raise ValueError if `design` cannot give `runs` points over `dims` parameters."""
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}, got {design!r}")
    if design == "monte_carlo":
        return
    if dims == 0:
        raise ValueError(
            f"a {design} design spans the scenario's uncertain parameters, and it has none"
        )
    if design == "saltelli":
        base, left = divmod(runs, dims + 2)
        if left or base < 2 or base & (base - 1):
            sizes = ", ".join(f"{n * (dims + 2):,}" for n in (64, 128, 256, 512))
            raise ValueError(
                f"a Saltelli design needs N x (d + 2) replications with N a power of two; "
                f"with d = {dims} parameters: {sizes}, ... (got {runs:,})"
            )
    if design == "sobol" and runs & (runs - 1):
        below = 1 << (runs.bit_length() - 1)
        raise ValueError(
            f"a Sobol design needs a power of two replications, got {runs:,} "
            f"(take {below:,} or {below * 2:,})"
        )


def design_points(design: str, runs: int, dims: int, *, seed: int) -> np.ndarray:
    """Return the design's uniform numbers: shape ``(runs, dims)``, inside (0, 1).

    Raises
    ------
    ValueError
        For an unknown design, a Sobol design of other than a power of two points,
        or a design over no parameters. ``monte_carlo`` has no points of its own.
    """
    check_design(design, runs, dims)
    if design == "monte_carlo":
        raise ValueError("a Monte Carlo design draws from each replication's streams")
    from scipy.stats import qmc

    rng = np.random.default_rng(np.random.SeedSequence([seed, _DESIGN_KEY]))
    if design == "saltelli":
        return _saltelli(runs, dims, rng)
    engine: qmc.QMCEngine
    if design == "lhs":
        engine = qmc.LatinHypercube(dims, scramble=True, seed=rng)
    elif design == "sobol":
        engine = qmc.Sobol(dims, scramble=True, seed=rng)
    else:
        engine = qmc.Halton(dims, scramble=True, seed=rng)
    points: np.ndarray = np.clip(np.asarray(engine.random(runs), dtype=float), _EPS, 1.0 - _EPS)
    return points


def _saltelli(runs: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    try:
        from SALib.sample import sobol
    except ImportError:
        raise ImportError(
            "the saltelli design needs SALib; install it with pip install 'mss-sim[sensitivity]'"
        ) from None
    problem = {"num_vars": dims, "names": [f"x{i}" for i in range(dims)], "bounds": [[0, 1]] * dims}
    seed = int(rng.integers(2**31 - 1))
    points = sobol.sample(problem, runs // (dims + 2), calc_second_order=False, seed=seed)
    out: np.ndarray = np.clip(np.asarray(points, dtype=float), _EPS, 1.0 - _EPS)
    return out
