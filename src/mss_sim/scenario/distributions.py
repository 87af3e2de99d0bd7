"""Uncertain parameter values and the distributions behind them.

A numeric parameter of a scenario is either a plain number or an *uncertain
value*, a TOML inline table such as ``{ dist = "triangular", low = 2, mode = 4,
high = 9 }``, drawn once per replication. Each distribution is backed by
:mod:`scipy.stats` (:meth:`UncertainValue.distribution`) and is sampled by
inverse transform (:meth:`UncertainValue.ppf`) so that experiment designs can
feed it their own uniform numbers.

Examples
--------
>>> from mss_sim.scenario.distributions import parse_uncertain
>>> u = parse_uncertain({"dist": "uniform", "low": 2.0, "high": 4.0})
>>> u.ppf(0.5)
3.0
>>> float(u.distribution().mean())
3.0
"""

from __future__ import annotations

import bisect
import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, TypeAdapter, model_validator
from scipy import special

__all__ = [
    "Beta",
    "Choice",
    "LogNormal",
    "Normal",
    "Triangular",
    "UncertainValue",
    "Uniform",
    "parse_uncertain",
    "without_caches",
]


def without_caches(model: BaseModel, state: dict[Any, Any]) -> dict[Any, Any]:
    """Return `model`'s pickle `state` with its private caches reset to their defaults.

    A pickled scenario then carries only its fields: it stays small and unpickling
    it imports nothing beyond what the fields need (no frozen :mod:`scipy.stats`
    distributions), which keeps worker processes quick to start.
    """
    private = type(model).__private_attributes__
    if private:
        state = dict(state)
        fresh = {}
        for key, attr in private.items():
            factory: Any = attr.default_factory  # no-argument factories here
            fresh[key] = factory() if factory is not None else attr.default
        state["__pydantic_private__"] = fresh
    return state


class FieldEquality(BaseModel):
    """A frozen model compared by its fields only, not by values it caches privately."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __eq__(self, other: object) -> bool:
        # Equal when the fields are equal, whatever has been cached privately.
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in type(self).model_fields)

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[Any, Any]:
        return without_caches(self, super().__getstate__())


class _Dist(FieldEquality):
    _rv: Any = PrivateAttr(default=None)

    def _make_rv(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def distribution(self) -> Any:
        """Return the frozen :mod:`scipy.stats` distribution of this value."""
        if self._rv is None:
            self._rv = self._make_rv()
        return self._rv

    def ppf(self, u: float) -> float:
        """Return the quantile at probability `u` in (0, 1): inverse-transform sampling.

        Subclasses use closed forms that agree with :meth:`distribution`'s ``ppf``
        (a test checks) and are much faster than the generic scipy call.
        """
        return float(self.distribution().ppf(u))

    def sample(self, rng: np.random.Generator) -> float:
        """Draw one value with `rng` (by inverse transform of one uniform number).

        The uniform number is in the open interval (0, 1), so that a value never
        sits on an open end of the support.
        """
        return self.ppf(float(rng.random()) or 2.0**-54)

    def support(self) -> tuple[float, float]:
        """Return the smallest and largest value the distribution can give."""
        lo, hi = self.distribution().support()
        return float(lo), float(hi)


def _finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")


def _interval(low: float, high: float) -> None:
    _finite("low", low)
    _finite("high", high)
    if not low < high:
        raise ValueError(f"low must be < high, got low={low}, high={high}")


class Uniform(_Dist):
    """Uniform on ``[low, high]``."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Uniform:
        _interval(self.low, self.high)
        return self

    def _make_rv(self) -> Any:
        from scipy import stats

        return stats.uniform(loc=self.low, scale=self.high - self.low)

    def ppf(self, u: float) -> float:
        return self.low + u * (self.high - self.low)


class Triangular(_Dist):
    """Triangular on ``[low, high]`` with its peak at `mode`."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Triangular:
        _interval(self.low, self.high)
        _finite("mode", self.mode)
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                f"mode must lie in [low, high] = [{self.low}, {self.high}], got {self.mode}"
            )
        return self

    def _make_rv(self) -> Any:
        from scipy import stats

        width = self.high - self.low
        return stats.triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)

    def ppf(self, u: float) -> float:
        width = self.high - self.low
        c = (self.mode - self.low) / width
        if u < c:
            return self.low + math.sqrt(u * width * (self.mode - self.low))
        return self.high - math.sqrt((1.0 - u) * width * (self.high - self.mode))


class Normal(_Dist):
    """Normal with `mean` and standard deviation `sd`, optionally truncated to ``[low, high]``."""

    dist: Literal["normal"]
    mean: float
    sd: float
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _check(self) -> Normal:
        _finite("mean", self.mean)
        if not (math.isfinite(self.sd) and self.sd > 0):
            raise ValueError(f"sd must be > 0, got {self.sd}")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low must be < high, got low={self.low}, high={self.high}")
        return self

    def _make_rv(self) -> Any:
        from scipy import stats

        if self.low is None and self.high is None:
            return stats.norm(loc=self.mean, scale=self.sd)
        a = -np.inf if self.low is None else (self.low - self.mean) / self.sd
        b = np.inf if self.high is None else (self.high - self.mean) / self.sd
        return stats.truncnorm(a, b, loc=self.mean, scale=self.sd)

    def ppf(self, u: float) -> float:
        if self.low is None and self.high is None:
            return self.mean + self.sd * float(special.ndtri(u))
        return float(self.distribution().ppf(u))


class LogNormal(_Dist):
    """Log-normal with the given `median` and log-scale standard deviation `sigma`."""

    dist: Literal["lognormal"]
    median: float
    sigma: float

    @model_validator(mode="after")
    def _check(self) -> LogNormal:
        if not (math.isfinite(self.median) and self.median > 0):
            raise ValueError(f"median must be > 0, got {self.median}")
        if not (math.isfinite(self.sigma) and self.sigma > 0):
            raise ValueError(f"sigma must be > 0, got {self.sigma}")
        return self

    def _make_rv(self) -> Any:
        from scipy import stats

        return stats.lognorm(s=self.sigma, scale=self.median)

    def ppf(self, u: float) -> float:
        return self.median * math.exp(self.sigma * float(special.ndtri(u)))


class Beta(_Dist):
    """Beta(`a`, `b`) rescaled to ``[low, high]`` (default ``[0, 1]``)."""

    dist: Literal["beta"]
    a: float
    b: float
    low: float = 0.0
    high: float = 1.0

    @model_validator(mode="after")
    def _check(self) -> Beta:
        for name in ("a", "b"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be > 0, got {value}")
        _interval(self.low, self.high)
        return self

    def _make_rv(self) -> Any:
        from scipy import stats

        return stats.beta(self.a, self.b, loc=self.low, scale=self.high - self.low)

    def ppf(self, u: float) -> float:
        return self.low + (self.high - self.low) * float(special.betaincinv(self.a, self.b, u))


class Choice(_Dist):
    """One of `values`, with probabilities `p` (equal if omitted)."""

    dist: Literal["choice"]
    values: list[float] = Field(min_length=1)
    p: list[float] | None = None
    _finite: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check(self) -> Choice:
        for value in self.values:
            _finite("every value", value)
        if self.p is not None:
            if len(self.p) != len(self.values):
                raise ValueError(
                    f"p must have one probability per value ({len(self.values)}), got {len(self.p)}"
                )
            if any(not (0.0 <= q <= 1.0) for q in self.p):
                raise ValueError(f"every probability in p must be in [0, 1], got {self.p}")
            if abs(sum(self.p) - 1.0) > 1e-9:
                raise ValueError(f"p must sum to 1, got {sum(self.p):.12g}")
        return self

    def _probabilities(self) -> np.ndarray:
        n = len(self.values)
        return np.full(n, 1.0 / n) if self.p is None else np.asarray(self.p, dtype=float)

    def _make_rv(self) -> Any:
        from scipy import stats

        table = self._table()
        if np.all(table.xk == np.round(table.xk)):
            return stats.rv_discrete(values=(table.xk.astype(np.int64), table.pk))
        return table

    def ppf(self, u: float) -> float:
        return self._table().ppf(u)

    def _table(self) -> _FiniteDiscrete:
        if self._finite is None:
            values = np.asarray(self.values, dtype=float)
            order = np.argsort(values, kind="stable")
            xk, inverse = np.unique(values[order], return_inverse=True)
            pk = np.zeros(len(xk))
            np.add.at(pk, inverse, self._probabilities()[order])
            self._finite = _FiniteDiscrete(xk, pk)
        table: _FiniteDiscrete = self._finite
        return table


class _FiniteDiscrete:
    """A finite discrete distribution on arbitrary real values (scipy's needs integers)."""

    def __init__(self, xk: np.ndarray, pk: np.ndarray):
        self.xk = xk
        self.pk = pk
        self.cdf = np.cumsum(pk)
        self._cdf = self.cdf.tolist()
        self._xk = xk.tolist()

    def support(self) -> tuple[float, float]:
        return float(self.xk[0]), float(self.xk[-1])

    def mean(self) -> float:
        return float(np.dot(self.xk, self.pk))

    def var(self) -> float:
        return float(np.dot((self.xk - self.mean()) ** 2, self.pk))

    def ppf(self, u: float) -> float:
        # numpy.searchsorted(self.cdf, u, side="left"), on lists: the first value of
        # the cumulative distribution at or above u.
        xk = self._xk
        return float(xk[min(bisect.bisect_left(self._cdf, u), len(xk) - 1)])


UncertainValue = Annotated[
    Uniform | Triangular | Normal | LogNormal | Beta | Choice, Field(discriminator="dist")
]
"""An uncertain value: one of the distribution models, told apart by ``dist``."""

DIST_NAMES: tuple[str, ...] = ("uniform", "triangular", "normal", "lognormal", "beta", "choice")

_ADAPTER: TypeAdapter[Uniform | Triangular | Normal | LogNormal | Beta | Choice] = TypeAdapter(
    UncertainValue
)


def parse_uncertain(data: Any) -> Uniform | Triangular | Normal | LogNormal | Beta | Choice:
    """Validate a mapping such as ``{"dist": "normal", "mean": 1, "sd": 0.1}``.

    Raises
    ------
    pydantic.ValidationError
        If the mapping is not a valid uncertain value.
    """
    return _ADAPTER.validate_python(data)
