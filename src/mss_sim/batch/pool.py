"""The local process pool: workers fed chunks one at a time over pipes.

Workers start from a fork server that has the model imported already (where the
platform has one; elsewhere they are spawned), receive the scenario once as a
small pickle and then run one chunk at a time. Each worker gets its next chunk
as soon as it hands one back, before the main process writes the result, so a
worker never waits for the disk.

Until the first worker is ready, the main process runs small chunks itself, so
the time workers take to start is not lost. The pool knows which chunk each
worker holds, so:

* a worker that dies (killed, out of memory) has its chunk run again once on a
  new worker; if that one dies too, the chunk's replications are recorded as
  failures naming the chunk, and the batch goes on;
* a worker that dies before it is ready because the main script started another
  batch while being re-imported (no ``if __name__ == "__main__":`` guard) ends
  the batch at once with a :class:`~mss_sim.errors.BatchError` saying what to add;
* on an interrupt the pool stops handing out work, lets running chunks finish
  for a few seconds (a second interrupt cuts this short), then kills every
  worker and waits for each to be gone.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from mss_sim.batch.chunk import ChunkData, OutputNames, failed_chunk, run_chunk
from mss_sim.batch.plan import FIRST_CHUNK, ChunkPlanner
from mss_sim.batch.signals import second_signal_interrupts
from mss_sim.batch.worker import EXIT_UNGUARDED, worker_main
from mss_sim.errors import BatchError
from mss_sim.model.compiled import CompiledScenario

__all__ = ["GUARD_MESSAGE", "LocalPool", "pool_context"]

GUARD_MESSAGE = (
    "the worker processes stopped while importing the main script {script!r}: it starts "
    "a batch when imported. Put the code that runs the batch under\n"
    '    if __name__ == "__main__":\n'
    "so that worker processes can import the script without running it "
    "(or use backend='serial')"
)
_MAX_START_FAILURES = 3


def pool_context() -> Any:
    """Return the multiprocessing context the pool starts workers with.

    A fork server with this package preloaded where the platform has one (Linux,
    macOS), so that a new worker is a fork of a process that has imported the
    model already; ``spawn`` elsewhere.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["mss_sim.batch.worker"])
        return context
    return multiprocessing.get_context("spawn")


def _start_fork_server(context: Any) -> None:
    """Start the fork server (if it is not running) with Ctrl-C ignored.

    The fork server spends its first third of a second importing the model; a
    Ctrl-C then would print its KeyboardInterrupt traceback into the terminal.
    It ignores SIGINT afterwards anyway, and so do the workers.
    """
    if context.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the new process
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


@dataclass
class _Worker:
    process: Any
    conn: Connection
    child: Connection | None  # the worker's end, closed here once it has started
    started: bool = False
    ready: bool = False
    task: tuple[int, int, int] | None = None  # start, stop, attempt


Deliver = Callable[[ChunkData], None]
Task = Callable[[CompiledScenario, int, int, int], ChunkData]


class LocalPool:
    """A pool of worker processes running chunks of one batch.

    Parameters
    ----------
    plan : CompiledScenario
        The compiled scenario, sent once to each worker.
    seed : int
        The batch seed.
    workers : int
        Worker processes.
    names : OutputNames
        The scenario's output names (for chunks recorded as failed).
    grace_seconds : float
        How long running chunks may go on after an interrupt.
    help_while_starting : bool
        Run small chunks in this process until a worker is ready.
    task : callable
        What runs a chunk: ``task(plan, seed, start, stop) -> ChunkData``, a
        module-level function (it is pickled by reference); :func:`run_chunk`.
    """

    def __init__(
        self,
        plan: CompiledScenario,
        seed: int,
        workers: int,
        names: OutputNames,
        *,
        grace_seconds: float = 3.0,
        help_while_starting: bool = True,
        task: Task = run_chunk,
    ):
        self._help = help_while_starting
        self._plan, self._seed, self._task = plan, seed, task
        self._payload = pickle.dumps((plan, seed, task), protocol=pickle.HIGHEST_PROTOCOL)
        self._months = len(plan.months)
        self._names = names
        self._n = workers
        self._grace = grace_seconds
        self._context = pool_context()
        self._workers: list[_Worker] = []
        self._retry: deque[tuple[int, int, int]] = deque()
        self._alive_r, self._alive_w = self._context.Pipe(duplex=False)
        self._start_failures = 0

    # ------------------------------------------------------------------ lifecycle

    def run(self, planner: ChunkPlanner, deliver: Deliver) -> None:
        """Run every chunk `planner` hands out, passing each finished one to `deliver`.

        Raises
        ------
        BatchError
            If workers cannot start (a script without the ``__main__`` guard).
        KeyboardInterrupt
            Re-raised after the workers are gone, when the batch was interrupted.
        """
        try:
            _start_fork_server(self._context)
            starting = [self._new_worker() for _ in range(min(self._n, planner.remaining))]
            if self._help:
                self._help_while_starting(starting, planner, deliver)
            else:
                self._launch(starting)
            self._loop(planner, deliver)
            self._stop_workers()
        except KeyboardInterrupt:
            self._drain(deliver)
            raise
        finally:
            self._kill_workers()

    def _new_worker(self) -> _Worker:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=worker_main,
            args=(child, self._alive_r, self._payload),
            name="mss-sim-worker",
            daemon=True,
        )
        worker = _Worker(process, parent, child)
        self._workers.append(worker)
        return worker

    def _launch(self, workers: list[_Worker]) -> None:
        for worker in workers:
            try:
                worker.process.start()
            except OSError as exc:
                raise BatchError(f"cannot start a worker process: {exc}") from exc
            finally:
                if worker.child is not None:
                    worker.child.close()
                    worker.child = None
            worker.started = True

    def _start_worker(self) -> None:
        self._launch([self._new_worker()])

    def _stop_workers(self) -> None:
        started = [w for w in self._workers if w.started]
        for worker in started:
            if not worker.ready:  # still starting, nothing to finish: do not wait for it
                worker.process.kill()
                continue
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        deadline = time.monotonic() + 2.0
        for worker in started:
            worker.process.join(max(0.0, deadline - time.monotonic()))

    def _kill_workers(self) -> None:
        started = [w for w in self._workers if w.started]
        for worker in started:
            if worker.process.is_alive():
                worker.process.kill()
        for worker in started:
            worker.process.join(5.0)
        for worker in self._workers:
            worker.conn.close()
            if worker.child is not None:
                worker.child.close()
        self._workers = []
        self._alive_w.close()
        self._alive_r.close()

    # ------------------------------------------------------------------ main loop

    def _dispatch(self, worker: _Worker, planner: ChunkPlanner) -> None:
        if not worker.ready or worker.task is not None:
            return
        if self._retry:
            task = self._retry.popleft()
        else:
            bounds = planner.next()
            if bounds is None:
                return
            task = (*bounds, 0)
        worker.task = task
        worker.conn.send(task[:2])

    def _help_while_starting(
        self, starting: list[_Worker], planner: ChunkPlanner, deliver: Deliver
    ) -> None:
        """Start `starting` in a thread and run small chunks here until one is ready.

        Starting the first worker waits for the fork server to import the model;
        this process computes meanwhile instead of waiting idle.
        """
        failed: list[BaseException] = []

        def launch() -> None:
            try:
                self._launch(starting)
            except BaseException as exc:
                failed.append(exc)

        starter = threading.Thread(target=launch, name="mss-sim-pool-start", daemon=True)
        # Starting a process takes many short blocking calls, each of which must win
        # the GIL back from the computing thread: with the default 5 ms switch
        # interval the start takes seconds instead of a third of one.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, 2e-4))
        starter.start()
        try:
            # Until one is ready, or all have started (the main loop then waits on
            # them and notices one that died).
            while starter.is_alive():
                for worker in starting:
                    # A worker can say it is ready before the starting thread's
                    # start() has returned (and set its sentinel): wait for that.
                    if worker.started and worker.conn.poll():
                        self._service(worker, planner, deliver)
                if any(w.ready for w in starting):
                    break
                bounds = planner.next(limit=FIRST_CHUNK)
                if bounds is None:
                    break
                chunk = self._task(self._plan, self._seed, *bounds)
                planner.observe(chunk.size, chunk.seconds)
                deliver(chunk)
        finally:
            sys.setswitchinterval(interval)
            starter.join()
        if failed:
            raise failed[0]

    def _loop(self, planner: ChunkPlanner, deliver: Deliver) -> None:
        while True:
            for worker in self._workers:
                self._dispatch(worker, planner)
            busy = any(w.task is not None for w in self._workers)
            if not busy and not self._retry and planner.remaining == 0:
                return
            if not self._workers:
                self._start_worker()
            handles: list[Any] = [w.conn for w in self._workers]
            handles += [w.process.sentinel for w in self._workers]
            ready = set(wait(handles, timeout=1.0))
            for worker in list(self._workers):
                if worker.conn in ready or worker.process.sentinel in ready:
                    self._service(worker, planner, deliver)

    def _service(self, worker: _Worker, planner: ChunkPlanner | None, deliver: Deliver) -> None:
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message[0] == "ready":
                    worker.ready = True
                elif message[0] == "done":
                    chunk: ChunkData = message[1]
                    worker.task = None
                    if planner is not None:
                        self._dispatch(worker, planner)  # keep it busy before writing
                        planner.observe(chunk.size, chunk.seconds)
                    deliver(chunk)
        except (EOFError, OSError):
            pass
        if worker.process.sentinel in wait([worker.process.sentinel], timeout=0):
            self._died(worker, planner, deliver)
        elif planner is not None:
            self._dispatch(worker, planner)

    def _died(self, worker: _Worker, planner: ChunkPlanner | None, deliver: Deliver) -> None:
        worker.process.join(1.0)
        code = worker.process.exitcode
        worker.conn.close()
        self._workers.remove(worker)
        if not worker.ready:
            if code == EXIT_UNGUARDED:
                script = getattr(sys.modules.get("__main__"), "__file__", "__main__")
                raise BatchError(GUARD_MESSAGE.format(script=script))
            self._start_failures += 1
            if self._start_failures >= _MAX_START_FAILURES:
                raise BatchError(
                    f"worker processes fail to start ({_describe_exit(code)}); "
                    "see their messages above, or use backend='serial'"
                )
        elif worker.task is not None:
            start, stop, attempt = worker.task
            if attempt == 0:
                self._retry.append((start, stop, 1))
            else:
                deliver(
                    failed_chunk(
                        self._names,
                        self._months,
                        start,
                        stop,
                        f"worker process died running chunk {start}-{stop - 1} "
                        f"({_describe_exit(code)}), twice",
                    )
                )
        if planner is not None and (planner.remaining or self._retry):
            self._start_worker()

    def _drain(self, deliver: Deliver) -> None:
        """After an interrupt: keep chunks that finish within the grace period."""
        deadline = time.monotonic() + self._grace
        try:
            with second_signal_interrupts():
                self._wait_for_running(deadline, deliver)
        except KeyboardInterrupt:
            return  # a second interrupt: stop at once

    def _wait_for_running(self, deadline: float, deliver: Deliver) -> None:
        while True:
            busy = [w for w in self._workers if w.task is not None and w.started]
            left = deadline - time.monotonic()
            if not busy or left <= 0:
                return
            handles = [w.conn for w in busy] + [w.process.sentinel for w in busy]
            ready = set(wait(handles, timeout=left))
            for worker in busy:
                if worker.conn in ready or worker.process.sentinel in ready:
                    self._service(worker, None, deliver)
