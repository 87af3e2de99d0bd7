"""Seeding: one SeedSequence per replication, named sub-streams inside it.

The contract (see the package documentation):

* a batch run with seed ``s`` gives replication ``i`` the seed sequence
  ``SeedSequence(s, spawn_key=(i,))``, which is exactly child ``i`` of
  ``SeedSequence(s).spawn(n)`` for any ``n >= i + 1``;
* inside a replication every random element draws from its own stream, named by
  a string (``"council/gsf"``, ``"param/funding.donors[0].pledge_usd"``), so
  that adding a draw in one place never shifts the numbers drawn elsewhere.

Examples
--------
>>> from mss_sim.random import replication_seed, stream
>>> ss = replication_seed(7, 3)
>>> ss.spawn_key
(3,)
>>> float(stream(ss, "council/gsf").random()) == float(stream(ss, "council/gsf").random())
True
"""

from __future__ import annotations

import functools
import zlib
from typing import Any

import numpy as np

__all__ = [
    "SeedLike",
    "Streams",
    "replication_seed",
    "stream",
    "stream_key",
    "stream_uniform",
    "stream_uniforms",
]

SeedLike = int | np.random.SeedSequence


def replication_seed(seed: int, index: int) -> np.random.SeedSequence:
    """Return the seed sequence of replication `index` of a batch seeded with `seed`.

    Parameters
    ----------
    seed : int
        The batch seed (a non-negative integer).
    index : int
        The replication index, from 0.

    Returns
    -------
    numpy.random.SeedSequence
        Identical in state to ``SeedSequence(seed).spawn(index + 1)[index]``.

    Examples
    --------
    >>> import numpy as np
    >>> a = replication_seed(1, 4).generate_state(2)
    >>> b = np.random.SeedSequence(1).spawn(5)[4].generate_state(2)
    >>> bool((a == b).all())
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if index < 0:
        raise ValueError(f"replication index must be >= 0, got {index}")
    return np.random.SeedSequence(int(seed), spawn_key=(int(index),))


def as_seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """Return `seed` as a SeedSequence (an int ``s`` becomes ``SeedSequence(s)``)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or a SeedSequence, got {seed!r}")
    return np.random.SeedSequence(int(seed))


def stream_key(name: str) -> int:
    """Return the stable 32-bit key of the stream called `name` (CRC-32 of its UTF-8)."""
    return zlib.crc32(name.encode("utf-8"))


def stream(parent: np.random.SeedSequence, name: str) -> np.random.Generator:
    """Return the generator of the sub-stream `name` of `parent`.

    The stream is a child of `parent` whose spawn key appends ``stream_key(name)``,
    so it depends only on the parent's entropy and spawn key and on `name`.

    Parameters
    ----------
    parent : numpy.random.SeedSequence
        The replication's seed sequence.
    name : str
        The stream's name, e.g. ``"deployment/KEN"``.

    Returns
    -------
    numpy.random.Generator
        A PCG64 generator.
    """
    child = np.random.SeedSequence(parent.entropy, spawn_key=(*parent.spawn_key, stream_key(name)))
    return np.random.Generator(np.random.PCG64(child))


def stream_uniform(parent: np.random.SeedSequence, name: str) -> float:
    """Return one uniform number in (0, 1) from the sub-stream `name` of `parent`.

    The number comes from the first 53 bits of the stream's seed state, without
    building a generator: about half the cost of ``stream(parent, name).random()``
    (a different number, equally uniform). Used for parameter draws, which need one
    number each.

    Examples
    --------
    >>> import numpy as np
    >>> u = stream_uniform(np.random.SeedSequence(1), "param/x")
    >>> 0 < u < 1 and u == stream_uniform(np.random.SeedSequence(1), "param/x")
    True
    """
    child = np.random.SeedSequence(parent.entropy, spawn_key=(*parent.spawn_key, stream_key(name)))
    bits = int(child.generate_state(1, np.uint64)[0]) >> 11
    return (bits or 0.5) * 2.0**-53


# SeedSequence's hashing constants (numpy.random.bit_generator), for the fast paths below.
_POOL = 4
_MASK = 0xFFFFFFFF
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715


def _words(value: int) -> list[int]:
    """An int as little-endian 32-bit words, as SeedSequence reads it (0 is one word)."""
    words = []
    while True:
        words.append(value & _MASK)
        value >>= 32
        if not value:
            return words


def _hash_constants(start: int, n: int, mult: int) -> list[int]:
    """The `n` successive values of a SeedSequence hash constant from `start`."""
    out = []
    h = start
    for _ in range(n):
        out.append(h)
        h = h * mult & _MASK
    return out


_A_AFTER_KEY = _hash_constants(_INIT_A, 64, _MULT_A)
_B_OUT = _hash_constants(_INIT_B, 8, _MULT_B)


_last_prefix: list[Any] = [None, None]
"""The last parent seen by :func:`_prefix_pool` and its result (a replication asks twice)."""


def _prefix_pool(parent: np.random.SeedSequence) -> tuple[list[int], int] | None:
    """The entropy pool of `parent`'s children before their last spawn-key word.

    Returns the pool and how many hash steps it took (the children's last word
    continues from there), or None if `parent` is not a plain integer sequence.
    """
    if _last_prefix[0] is parent:
        cached: tuple[list[int], int] | None = _last_prefix[1]
        return cached
    result = _compute_prefix_pool(parent)
    _last_prefix[:] = [parent, result]
    return result


def _compute_prefix_pool(parent: np.random.SeedSequence) -> tuple[list[int], int] | None:
    entropy = parent.entropy
    if not isinstance(entropy, int) or any(not isinstance(k, int) for k in parent.spawn_key):
        return None
    run = _words(entropy)
    run += [0] * (_POOL - len(run))  # a spawn key pads the run entropy to the pool size
    prefix = run + [w for k in parent.spawn_key for w in _words(k)]
    steps = 0
    hash_a = _INIT_A

    def hashmix(value: int) -> int:
        nonlocal hash_a, steps
        value = ((value ^ hash_a) * (hash_a * _MULT_A & _MASK)) & _MASK
        hash_a = hash_a * _MULT_A & _MASK
        steps += 1
        return value ^ (value >> 16)

    def mix(x: int, y: int) -> int:
        result = (_MIX_L * x - _MIX_R * y) & _MASK
        return result ^ (result >> 16)

    pool = [hashmix(prefix[i]) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, len(prefix)):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(prefix[src]))
    return pool, steps


@functools.lru_cache(maxsize=4096)
def _hashed_key(name: str, steps: int) -> tuple[int, ...]:
    """A stream's spawn-key word hashed for each pool word, after the parent's `steps`."""
    key = stream_key(name)
    out = []
    for dst in range(_POOL):
        h = _A_AFTER_KEY[steps + dst] if steps + dst < 64 else _hash_step(steps + dst)
        value = ((key ^ h) * (h * _MULT_A & _MASK)) & _MASK
        out.append(value ^ (value >> 16))
    return tuple(out)


def _child_pool(pool: list[int], steps: int, name: str) -> list[int]:
    """Mix the spawn-key word of stream `name` into a copy of `pool`."""
    out = []
    for word, value in zip(pool, _hashed_key(name, steps), strict=True):
        result = (_MIX_L * word - _MIX_R * value) & _MASK
        out.append(result ^ (result >> 16))
    return out


def _hash_step(n: int) -> int:
    h = _INIT_A
    for _ in range(n):
        h = h * _MULT_A & _MASK
    return h


def _state_words(pool: list[int]) -> list[int]:
    """``generate_state(4, uint64)`` of a SeedSequence with entropy pool `pool`."""
    words = []
    for word, (h, hm) in zip(pool + pool, _B_PAIRS, strict=True):
        value = ((word ^ h) * hm) & _MASK
        words.append(value ^ (value >> 16))
    return [words[0] | words[1] << 32, words[2] | words[3] << 32,
            words[4] | words[5] << 32, words[6] | words[7] << 32]  # fmt: skip


_B_PAIRS = tuple((h, h * _MULT_B & _MASK) for h in _B_OUT)


class _FixedSeed(np.random.bit_generator.ISeedSequence):
    """A seed sequence whose state is already known (the words of a child SeedSequence)."""

    __slots__ = ("_state",)

    def __init__(self, state: np.ndarray):
        self._state = state

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> np.ndarray:
        if n_words != 4 or np.dtype(dtype) != np.uint64:  # pragma: no cover - PCG64 asks this
            raise ValueError("only PCG64's seeding is supported")
        return self._state


class Streams:
    """The named sub-streams of one replication, built on first use and kept.

    ``Streams(ss)[name]`` is bitwise the generator ``stream(ss, name)`` would
    give (same numbers, same state), built in about a quarter of the time: the
    hashing that all the replication's streams share is done once, and each
    stream's own step in plain integer arithmetic.

    Parameters
    ----------
    parent : numpy.random.SeedSequence
        The replication's seed sequence.

    Examples
    --------
    >>> import numpy as np
    >>> ss = replication_seed(7, 3)
    >>> streams = Streams(ss)
    >>> a = streams["council/gsf/1"].random(3)
    >>> bool((a == stream(ss, "council/gsf/1").random(3)).all())
    True
    """

    __slots__ = ("_cache", "_parent", "_prefix")

    def __init__(self, parent: np.random.SeedSequence):
        self._parent = parent
        self._prefix = _prefix_pool(parent)
        self._cache: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        rng = self._cache.get(name)
        if rng is None:
            if self._prefix is None:
                rng = stream(self._parent, name)
            else:
                pool = _child_pool(*self._prefix, name)
                state = np.array(_state_words(pool), dtype=np.uint64)
                seeded = np.random.PCG64(_FixedSeed(state))  # type: ignore[arg-type]
                rng = np.random.Generator(seeded)
            self._cache[name] = rng
        return rng


@functools.lru_cache(maxsize=256)
def _hashed_keys(names: tuple[str, ...], steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The streams' keys hashed into the first two pool words (read-only arrays).

    This part of a child's hashing depends on the name and on how many hash steps
    the parent took, not on the parent's entropy: a batch asks for the same names.
    """
    keys = np.array([stream_key(name) for name in names], dtype=np.uint64)
    out = []
    for dst in range(2):
        h = _A_AFTER_KEY[steps + dst] if steps + dst < 64 else _hash_step(steps + dst)
        value = ((keys ^ np.uint64(h)) * np.uint64(h * _MULT_A & _MASK)) & np.uint64(_MASK)
        value ^= value >> np.uint64(16)
        value.flags.writeable = False
        out.append(value)
    return out[0], out[1]


def stream_uniforms(parent: np.random.SeedSequence, names: list[str]) -> np.ndarray:
    """Return ``[stream_uniform(parent, n) for n in names]``, bitwise, in one pass.

    Runs numpy's SeedSequence hashing on all the streams' spawn keys at once
    (they differ only in their last word), instead of building one
    SeedSequence per name: the draws are the same numbers, about ten times faster.

    Examples
    --------
    >>> import numpy as np
    >>> ss = np.random.SeedSequence(3, spawn_key=(5,))
    >>> u = stream_uniforms(ss, ["param/a", "param/b"])
    >>> bool(u[0] == stream_uniform(ss, "param/a") and u[1] == stream_uniform(ss, "param/b"))
    True
    """
    if not names:
        return np.empty(0)
    prefix = _prefix_pool(parent)
    if prefix is None:
        return np.array([stream_uniform(parent, name) for name in names])
    pool, steps = prefix
    m32 = np.uint64(_MASK)
    sixteen = np.uint64(16)
    words: list[np.ndarray] = []
    # Only the first two pool words make the 64-bit state.
    for dst, value in enumerate(_hashed_keys(tuple(names), steps)):
        result = (np.uint64(_MIX_L * pool[dst] & _MASK) - np.uint64(_MIX_R) * value) & m32
        words.append(result ^ (result >> sixteen))
    # generate_state(1, uint64): two 32-bit words of the pool, little-endian.
    state = []
    for word, h in zip(words, _B_OUT[:2], strict=True):
        value = ((word ^ np.uint64(h)) * np.uint64(h * _MULT_B & _MASK)) & m32
        state.append(value ^ (value >> sixteen))
    bits = (state[0] | (state[1] << np.uint64(32))) >> np.uint64(11)
    out = bits.astype(np.float64)
    out[bits == 0] = 0.5  # as stream_uniform: never exactly 0
    uniforms: np.ndarray = out * 2.0**-53
    return uniforms
