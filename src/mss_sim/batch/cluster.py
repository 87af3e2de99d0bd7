"""The Dask backend: chunks as tasks on a ``distributed`` cluster.

The compiled scenario is scattered to every worker once; chunks are submitted a few at a
time per worker thread (so memory stays bounded) and written to the results as
their futures complete, in whatever order. A task that raises is retried once by
Dask; a chunk that still fails (or whose workers kept dying) is recorded as
failed replications naming the chunk. Results are bitwise identical to the
serial backend: replication ``i`` runs with the same seed wherever it runs.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from concurrent.futures import CancelledError
from typing import Any

from mss_sim.batch.chunk import ChunkData, OutputNames, failed_chunk, run_chunk
from mss_sim.batch.plan import ChunkPlanner
from mss_sim.batch.pool import Deliver
from mss_sim.errors import BatchError
from mss_sim.model.compiled import CompiledScenario

__all__ = ["run_on_dask"]

_TASKS_PER_THREAD = 2
_WAIT_FOR_WORKERS = 60.0
log = logging.getLogger("mss_sim.batch")


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise BatchError(
            "backend='dask' needs dask.distributed; install it with pip install 'mss-sim[dask]'"
        ) from None
    return distributed


CONNECT_TIMEOUT = "20s"
"""How long to try to reach a Dask scheduler given by its address."""


def _connect(
    distributed: Any, client: Any, address: str | None, workers: int | None
) -> tuple[Any, list[Any]]:
    """Return a client and what to close afterwards (what this call created)."""
    if client is not None:
        return client, []
    if address is not None:
        try:
            new = distributed.Client(address, timeout=CONNECT_TIMEOUT)
        except Exception as exc:  # OSError, TimeoutError, ValueError (a malformed address)
            raise BatchError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        return new, [new]
    try:
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    except Exception as exc:
        raise BatchError(
            f"cannot start a local Dask cluster ({type(exc).__name__}: {exc}). From a script, "
            'put the code that runs the batch under\n    if __name__ == "__main__":\n'
            "so that worker processes can import the script without running it"
        ) from exc
    new = distributed.Client(cluster)
    return new, [cluster, new]


def run_on_dask(
    plan: CompiledScenario,
    seed: int,
    names: OutputNames,
    planner: ChunkPlanner,
    deliver: Deliver,
    *,
    client: Any = None,
    address: str | None = None,
    workers: int | None = None,
) -> None:
    """Run every chunk `planner` hands out on a Dask cluster, delivering each as it completes.

    Parameters
    ----------
    client : distributed.Client, optional
        A connected client; it is left open.
    address : str, optional
        A scheduler address (``tcp://host:8786``) to connect to when no client is given.
    workers : int, optional
        Workers of the ``LocalCluster`` started when neither is given.
    """
    distributed = _import_distributed()
    client, owned = _connect(distributed, client, address, workers)
    token = uuid.uuid4().hex[:8]
    months = len(plan.months)
    in_flight: dict[Any, tuple[int, int]] = {}
    delivering = False
    try:
        if not client.nthreads():
            log.info("waiting up to %.0f s for a Dask worker to join", _WAIT_FOR_WORKERS)
            try:
                client.wait_for_workers(1, timeout=_WAIT_FOR_WORKERS)
            except TimeoutError:
                raise BatchError(
                    f"no Dask worker joined the scheduler at "
                    f"{getattr(client.scheduler, 'address', '?')} "
                    f"within {_WAIT_FOR_WORKERS:.0f} s"
                ) from None
        shared = client.scatter(plan, broadcast=True, hash=False)
        completed = distributed.as_completed()

        def submit() -> None:
            bounds = planner.next()
            if bounds is None:
                return
            future = client.submit(
                run_chunk,
                shared,
                seed,
                *bounds,
                key=f"mss-sim-chunk-{token}-{bounds[0]}-{bounds[1]}",
                retries=1,
                pure=False,
            )
            in_flight[future] = bounds
            completed.add(future)

        def top_up() -> None:
            # Workers may join (or leave) while the batch runs: keep about two tasks
            # per worker thread in flight, no more (memory stays bounded).
            wanted = _TASKS_PER_THREAD * max(1, sum(client.nthreads().values()))
            while len(in_flight) < wanted and planner.remaining:
                submit()

        top_up()
        for future in completed:
            start, stop = in_flight.pop(future)
            try:
                chunk: ChunkData = future.result()
            except CancelledError as exc:
                raise BatchError(
                    f"Dask cancelled the task of chunk {start}-{stop - 1} ({exc}); chunks "
                    "already in a results directory are kept: run the same batch again "
                    "to resume it"
                ) from None
            except Exception as exc:
                chunk = failed_chunk(
                    names,
                    months,
                    start,
                    stop,
                    f"Dask task for chunk {start}-{stop - 1} failed: {type(exc).__name__}: {exc}",
                )
            future.release()
            top_up()
            planner.observe(chunk.size, chunk.seconds)
            delivering = True
            deliver(chunk)  # its errors (a full disk, say) are not the cluster's
            delivering = False
    except BaseException as exc:
        if in_flight:  # on a client the caller keeps, nothing of this batch runs on
            with contextlib.suppress(Exception):
                client.cancel(list(in_flight), force=True)
        if (
            delivering
            or isinstance(exc, BatchError | KeyboardInterrupt)
            or not isinstance(exc, Exception)
        ):
            raise
        # the scheduler gone, the client closed, ...
        raise BatchError(
            f"the Dask cluster failed ({type(exc).__name__}: {exc}); chunks already in a "
            "results directory are kept: run the same batch again to resume it"
        ) from exc
    finally:
        for thing in reversed(owned):
            with contextlib.suppress(Exception):
                thing.close()
