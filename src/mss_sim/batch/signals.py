"""SIGINT and SIGTERM while a batch runs: both become a KeyboardInterrupt.

Inside :func:`stop_on_signals`, the first SIGINT or SIGTERM raises
:class:`KeyboardInterrupt` in the main thread, so the runner can stop handing
out work, keep the finished chunks and end its workers; a second signal raises
again, which cuts the wait for running chunks short. The signals' earlier
handlers are restored afterwards. Outside the main thread nothing is changed.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["stop_on_signals"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def stop_on_signals() -> Iterator[list[int]]:
    """Turn SIGINT and SIGTERM into KeyboardInterrupt; yield the signals received."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    for sig in _SIGNALS:
        signal.signal(sig, handler)
    try:
        yield received
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)
