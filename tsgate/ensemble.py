"""Running the member fits of an ensemble: at once on the cores, with the bits of one at a time.

The kernels release the GIL (``nogil=True``), so fits in Python threads run
on separate cores. Each fit's thread is capped to one Numba thread, so its
passes run on the serial builds of the kernels, which give the same bits as
the parallel ones (``kernels/cpu/serial.py``): the forecasts do not depend
on how many fits ran at once, nor on the machine's core count.
"""
from concurrent.futures import ThreadPoolExecutor

import numba


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

    def run(job):
        numba.set_num_threads(1)  # thread-local; the pool's threads end with the pool
        return job()

    order = sorted(range(len(jobs)), key=lambda i: -sizes[i]) if sizes else range(len(jobs))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tsgate-fit")
    try:
        futures = {i: pool.submit(run, jobs[i]) for i in order}
        return [futures[i].result() for i in range(len(jobs))]
    finally:
        # after an error or Ctrl-C, the fits not yet started never start;
        # the running ones end first (a thread cannot be stopped from outside)
        pool.shutdown(wait=True, cancel_futures=True)
