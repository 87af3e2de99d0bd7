"""The worker process of the local pool, and the check for a missing ``__main__`` guard.

A worker receives ranges of replications over a pipe, runs them and sends the
chunk back. It ignores SIGINT and SIGTERM (the main process decides how a batch
stops, and kills its workers) and
exits by itself as soon as the main process is gone: a thread watches a pipe
whose other end only the main process holds, so that after a ``kill -9`` of the
main process nothing keeps computing.

This module is preloaded by the fork server, so a worker starts with the model
already imported.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import threading
from multiprocessing.connection import Connection, wait
from typing import Any

import mss_sim.batch.chunk  # noqa: F401 - preloaded with the model by the fork server
from mss_sim.errors import BatchError

__all__ = ["EXIT_UNGUARDED", "check_main_importable", "exit_if_reimported", "worker_main"]

EXIT_UNGUARDED = 86
"""Exit code of a worker that found itself re-running the script's batch."""


def exit_if_reimported() -> None:
    """End this process if it is a new worker re-running the main script.

    Worker processes start by importing the main script again (as
    ``__mp_main__``). A script without the ``if __name__ == "__main__":`` guard
    then starts another batch inside the worker; this ends the worker at once
    with :data:`EXIT_UNGUARDED`, and the main process reports the missing guard.
    """
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        os._exit(EXIT_UNGUARDED)


def check_main_importable() -> None:
    """Raise BatchError if worker processes could not import the main script again.

    Worker processes start by importing the main script; a script read from
    standard input (``python - < script.py``) has no file they can import.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if getattr(main, "__spec__", None) is None and path is not None and not os.path.exists(path):
        raise BatchError(
            f"the main script {path!r} is not a file that worker processes can import "
            "again (a script read from standard input?); save it as a file and run that, "
            "or use backend='serial'"
        )


def _exit_with_parent(alive: Connection) -> None:
    def watch() -> None:
        try:
            wait([alive])  # readable only at EOF: the main process has gone
        finally:
            os._exit(0)

    threading.Thread(target=watch, name="mss-sim-parent-watch", daemon=True).start()


def worker_main(conn: Connection, alive: Connection, payload: bytes) -> None:
    """Serve chunks on `conn` until told to stop (``None``) or the main process goes.

    Messages from the main process: ``(start, stop)`` to run a chunk, ``None`` to
    stop. Messages to it: ``("ready", pid)`` once, then ``("done", chunk)`` per
    chunk.
    """
    # The main process decides how a batch stops (a signal to the whole process group
    # included), and ends its workers itself, or they see it gone.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _exit_with_parent(alive)
    plan, seed, task = pickle.loads(payload)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message: Any = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        start, stop = message
        chunk = task(plan, seed, start, stop)
        try:
            conn.send(("done", chunk))
        except (BrokenPipeError, OSError):
            return
