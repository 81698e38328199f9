"""How many Numba threads each task gets when several run at once.

Per-series fits run as joblib jobs or Dask tasks; each caps its Numba
threads so that tasks x threads never exceed the cores of its machine. The
caller decides a :class:`_ThreadPlan` (tasks at once per machine), each
task reads it where it runs (a Dask worker knows its host).
"""
import os
import sys
from dataclasses import dataclass

import numpy as np
from joblib import effective_n_jobs
from joblib.parallel import get_active_backend

from .backend import numba_threads


def available_cores():
    """Cores this process may run on (its CPU affinity where the OS tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def numba_threads_per_worker(n_workers, cores=None):
    """Numba threads per task when ``n_workers`` tasks share one machine.

    ``max(1, cores // n_workers)``, so that workers x threads never exceed
    the cores.

    Parameters
    ----------
    n_workers : int
        Tasks that run at once on the machine (Dask workers x their
        ``nthreads``, or joblib jobs); negative as joblib's ``n_jobs``:
        -1 is one task per core, -2 all cores but one (0: none, as 1).
    cores : int, optional
        Cores of the machine; default: those this process may run on.

    Returns
    -------
    int
    """
    for name, value in (("n_workers", n_workers), ("cores", cores)):
        if (value is not None or name == "n_workers") and (isinstance(value, (bool, np.bool_))
                                  or not isinstance(value, (int, np.integer))):
            raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__}).")
    if cores is not None and cores < 1:
        raise ValueError(f"cores must be at least 1, got {cores}.")
    cores = available_cores() if cores is None else int(cores)
    workers = max(1, int(n_workers)) if n_workers >= 0 else max(1, cores + 1 + int(n_workers))
    return max(1, cores // workers)


def _dask_worker():
    """The Dask worker running this code, or None (never imports distributed)."""
    if sys.modules.get("distributed") is None:  # not imported (or blocked): not on a worker
        return None
    from distributed import get_worker

    try:
        return get_worker()
    except ValueError:
        return None


def _host_slots(client):
    """((host, task slots), ...) of a Dask cluster: the workers' nthreads summed per host."""
    from distributed.comm import get_address_host

    slots = {}
    for address, nthreads in client.ncores().items():
        host = get_address_host(address)
        slots[host] = slots.get(host, 0) + nthreads
    return tuple(sorted(slots.items()))


@dataclass(frozen=True)
class _ThreadPlan:
    """Tasks that run at once per machine, decided by the caller, read by each task.

    local_tasks: on the caller's machine (joblib's local backends);
    host_tasks: ((host, slots), ...) of a Dask cluster; a worker on a host
    not listed (one that joined later) counts its own nthreads;
    ceiling: the caller's own Numba threads when it made the plan (0: none),
    never exceeded on its machine (a service that set 1 thread got fits of
    2 from ``PerSeriesForecaster(n_jobs=1)``).
    """

    local_tasks: int = 1
    host_tasks: tuple = ()
    ceiling: int = 0

    def threads(self):
        worker = _dask_worker()
        if worker is None:
            threads = numba_threads_per_worker(self.local_tasks)
            return min(threads, self.ceiling) if self.ceiling else threads
        from distributed.comm import get_address_host

        own = getattr(getattr(worker, "state", worker), "nthreads", 1)
        return numba_threads_per_worker(dict(self.host_tasks).get(get_address_host(worker.address), own))


def _callers_threads():
    """This thread's Numba threads (the caller's setting: thread-local, so a
    worker thread would read the default instead)."""
    return numba_threads()


def _joblib_plan(n_jobs, n_tasks):
    """The plan for ``Parallel(n_jobs)`` over ``n_tasks`` tasks under the active backend."""
    backend, _ = get_active_backend()
    if type(backend).__name__ == "DaskDistributedBackend":
        return _ThreadPlan(host_tasks=_host_slots(backend.client), ceiling=_callers_threads())
    return _ThreadPlan(local_tasks=min(max(1, n_tasks), effective_n_jobs(n_jobs)),
                       ceiling=_callers_threads())


def _dask_plan(n_partitions):
    """The plan for a Dask collection computed by the default client, or the local scheduler."""
    if sys.modules.get("distributed") is not None:
        from distributed import default_client

        try:
            return _ThreadPlan(host_tasks=_host_slots(default_client()), ceiling=_callers_threads())
        except ValueError:  # no client: the local threaded scheduler
            pass
    return _ThreadPlan(local_tasks=min(max(1, n_partitions), available_cores()),
                       ceiling=_callers_threads())


def _run_capped(plan, func, *args):
    """``func(*args)`` with this thread's Numba threads capped by ``plan``, then restored."""
    import numba

    before, cap = numba_threads(), min(plan.threads(), numba.config.NUMBA_NUM_THREADS)
    if cap == before:  # nothing to cap: the threading layer is not started for it
        return func(*args)
    numba.set_num_threads(cap)
    try:
        return func(*args)
    finally:
        numba.set_num_threads(before)
