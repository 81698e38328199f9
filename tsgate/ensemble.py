"""Running the member fits of an ensemble: at once on the cores, with the bits of one at a time.

The kernels release the GIL (``nogil=True``), so fits in Python threads run
on separate cores. Each fit's thread is capped to one Numba thread, so its
passes run on the serial builds of the kernels, which give the same bits as
the parallel ones (``kernels/cpu/serial.py``): the forecasts do not depend
on how many fits ran at once, nor on the machine's core count.
"""
import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

import numba

from .engine.training import stop_when


def run_fits(jobs, concurrent, sizes=None):
    """Run the member fits ``jobs`` (callables returning a fitted regressor).

    With ``concurrent``, on up to ``numba.get_num_threads()`` Python threads
    at once (the kernels release the GIL), each capped to ONE Numba thread:
    its passes then run on the serial builds of the kernels, which give the
    same bits as the parallel ones (``kernels/cpu/serial.py``), so the fits
    are those of a sequential run. The members of a default ensemble are
    small fits that a second Numba thread barely speeds up (a batch of 64
    rows splits into at most two tiles), so on two cores two members at once
    take about half the wall time of one after the other. A caller that caps
    this thread's Numba threads (``tsgate.distributed`` does, per task) caps
    the number of fits at once too. ``sizes`` (one number per job, e.g. the
    window length) starts the largest first, so that a short fit fills the
    last gap rather than a long one.

    After an error in one fit, or Ctrl-C while waiting, the fits not yet
    started never start, and the running ones stop before their next batch
    (:func:`tsgate.engine.training.stop_when`): the error or the
    ``KeyboardInterrupt`` comes back within a batch, not after whole fits.

    Parameters
    ----------
    jobs : list of callables
        Each takes no argument and returns its fitted regressor.
    concurrent : bool
        Run them on a thread pool; False runs them in turn on this thread.
    sizes : sequence of float, optional
        One per job: larger ones start first.

    Returns
    -------
    list
        The jobs' results, in order.
    """
    workers = min(len(jobs), numba.get_num_threads()) if concurrent else 1
    if workers < 2:
        return [job() for job in jobs]

    stop = threading.Event()

    def run(job):
        numba.set_num_threads(1)  # thread-local; the pool's threads end with the pool
        with stop_when(stop):
            return job()

    order = sorted(range(len(jobs)), key=lambda i: -sizes[i]) if sizes else range(len(jobs))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tsgate-fit")
    futures = [None] * len(jobs)
    try:
        for i in order:
            futures[i] = pool.submit(run, jobs[i])
        wait(futures, return_when=FIRST_EXCEPTION)  # all done, or one failed
        failed = [f for f in futures if f.done() and not f.cancelled() and f.exception()]
        if failed:
            failed[0].result()  # raises its error (the failed job first in the list)
        return [f.result() for f in futures]
    except BaseException:  # a fit's error, or Ctrl-C while waiting
        stop.set()  # the running fits raise Stopped before their next batch
        raise
    finally:
        # the fits not yet started never start; the running ones end (stopped) first
        pool.shutdown(wait=True, cancel_futures=True)
