"""SIGINT and SIGTERM while a batch runs: the first one becomes a KeyboardInterrupt.

Inside :func:`stop_on_signals`, the first SIGINT or SIGTERM raises
:class:`KeyboardInterrupt` in the main thread, so the runner can stop handing
out work, keep the finished chunks and end its workers. Later signals are only
noted, so that they cannot break off the clean-up half way (and leave worker
processes behind), except inside :func:`second_signal_interrupts`, where the
runner waits for running chunks: there a second signal cuts the wait short.
The signals' earlier handlers are restored afterwards. Outside the main thread
nothing is changed.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["second_signal_interrupts", "stop_on_signals"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_waiting = threading.Event()  # set while a second signal may interrupt
_received: list[int] = []  # the signals received inside the current stop_on_signals


@contextmanager
def stop_on_signals() -> Iterator[list[int]]:
    """Turn the first SIGINT or SIGTERM into KeyboardInterrupt; yield the signals received."""
    global _received
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    _received = received

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        if len(received) == 1 or _waiting.is_set():
            raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    for sig in _SIGNALS:
        signal.signal(sig, handler)
    try:
        yield received
    finally:
        _received = []
        for sig, old in previous.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)


@contextmanager
def second_signal_interrupts() -> Iterator[None]:
    """Let a further SIGINT or SIGTERM raise KeyboardInterrupt inside this block.

    If one came already (between the first and this block), raise at once.
    """
    if len(_received) > 1:
        raise KeyboardInterrupt(signal.Signals(_received[-1]).name)
    _waiting.set()
    try:
        yield
    finally:
        _waiting.clear()
