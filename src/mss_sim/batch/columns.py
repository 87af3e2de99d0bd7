"""The columns of a results store, read from its chunk files when asked for."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from typing import Literal

import numpy as np

from mss_sim.batch.store import Store

__all__ = ["Kind", "StoredColumns"]

Kind = Literal["scalars", "series", "parameters"]
_CACHE_BYTES = 64 * 2**20  # bytes of recently read columns kept per mapping


class StoredColumns(Mapping[str, np.ndarray]):
    """The columns of one kind in a results store, read when asked for.

    Behaves as a read-only ``dict`` of NumPy arrays. Recently read columns are
    kept (up to 64 MB); asking for one reads the columns after it too (up to 16 MB),
    so a loop over the columns makes few passes over the chunk files. Use
    :meth:`read_many` to read chosen columns in one pass.
    """

    def __init__(self, store: Store, kind: Kind, names: Sequence[str]):
        self._store = store
        self._kind = kind
        self._names = tuple(names)
        self._index = {n: i for i, n in enumerate(self._names)}
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._names:
            raise KeyError(name)
        if name in self._cache:
            self._cache.move_to_end(name)
            return self._cache[name]
        # Read the next columns too, as many as a quarter of the cache holds: a loop
        # over the columns then makes a few passes over the chunk files, not one each.
        per_column = max(1, self._store.runs * self.width() * 8)
        ahead = max(1, _CACHE_BYTES // 4 // per_column)
        start = self._index[name]
        wanted = [n for n in self._names[start : start + ahead] if n not in self._cache]
        return self.read_many(wanted)[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __repr__(self) -> str:
        return f"<{len(self)} {self._kind} in {self._store.path}>"

    def read_many(self, names: Sequence[str]) -> dict[str, np.ndarray]:
        """Read the columns `names` in one pass over the chunk files."""
        unknown = [n for n in names if n not in self._names]
        if unknown:
            raise KeyError(unknown[0])
        out = self._store.read(list(dict.fromkeys(names)), kind=self._kind)
        for name, values in out.items():
            values.flags.writeable = False
            self._cache[name] = values
        while len(self._cache) > 1 and sum(v.nbytes for v in self._cache.values()) > _CACHE_BYTES:
            self._cache.popitem(last=False)
        return out

    @property
    def store(self) -> Store:
        """The store the columns are read from."""
        return self._store

    def width(self) -> int:
        """Values per replication in one column (months for series, else 1)."""
        return self._store.months if self._kind == "series" else 1
