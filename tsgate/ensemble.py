"""Running the member fits of an ensemble: at once on the cores, with the bits of one at a time.

The kernels release the GIL (``nogil=True``), so fits in Python threads run
on separate cores. Each fit's thread is capped to one Numba thread, so its
passes run on the serial builds of the kernels, which give the same bits as
the parallel ones (``kernels/cpu/serial.py``): the forecasts do not depend
on how many fits ran at once, nor on the machine's core count.
"""
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from .backend import hold_to_one_thread, numba_threads
from .engine.training import stop_when


def run_fits(jobs, concurrent, sizes=None, then=None):
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

    ``then`` gives the fit that continues a job's result (a member's final
    fit after its validation fit): it starts as soon as a thread is free
    once that job is done, after the jobs not yet started, and no thread
    waits for the other jobs to end first. Three members on two cores left
    one core idle twice, for the third validation fit and again for the
    third final one (the bundled airline's default LSTM fit: 0.87 s, of which
    0.20 s the final fits; ``benchmarks/README.md``).

    After an error in one fit, or Ctrl-C while waiting, the fits not yet
    started never start, and the running ones stop before their next batch
    (:func:`tsgate.engine.training.stop_when`): the error or the
    ``KeyboardInterrupt`` comes back within a batch, not after whole fits.

    Parameters
    ----------
    jobs : list of callables
        Each takes no argument and returns its fitted regressor.
    concurrent : bool
        Run them on a thread pool; False runs them in turn on this thread
        (every job, then every follow-up, in order).
    sizes : sequence of float, optional
        One per job: larger ones start first.
    then : callable, optional
        ``then(i, result)``: the follow-up of job ``i`` (a callable as the
        jobs are), or None for none. Called on this thread.

    Returns
    -------
    list
        The jobs' results, in order; with ``then``, the pair (results,
        the follow-ups' results, None where a job had none).
    """
    workers = min(len(jobs), numba_threads()) if concurrent else 1
    if workers < 2:
        results = [job() for job in jobs]
        if then is None:
            return results
        follow = [then(i, r) for i, r in enumerate(results)]
        return results, [None if job is None else job() for job in follow]

    stop = threading.Event()

    def run(job):
        hold_to_one_thread()  # thread-local; the pool's threads end with the pool
        with stop_when(stop):
            return job()

    # the jobs not yet started, largest first; the follow-ups ready to start,
    # each (size of its job, job index, callable): the largest first too
    queued = sorted(range(len(jobs)), key=lambda i: -sizes[i]) if sizes else list(range(len(jobs)))
    ready = []
    results, follow = [None] * len(jobs), [None] * len(jobs)
    running = {}  # future -> (job index, whether it is a follow-up)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tsgate-fit")
    try:
        while queued or ready or running:
            while len(running) < workers and (queued or ready):
                if queued:
                    i = queued.pop(0)
                    running[pool.submit(run, jobs[i])] = (i, False)
                else:
                    _, i, job = ready.pop(0)
                    running[pool.submit(run, job)] = (i, True)
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            # the failed job first in the list raises its error
            for future in sorted(done, key=lambda f: running[f]):
                i, second = running.pop(future)
                (follow if second else results)[i] = future.result()
                if not second and then is not None:
                    job = then(i, results[i])
                    if job is not None:
                        ready.append((sizes[i] if sizes else 0, i, job))
                        ready.sort(key=lambda entry: (-entry[0], entry[1]))
        return results if then is None else (results, follow)
    except BaseException:  # a fit's error, or Ctrl-C while waiting
        stop.set()  # the running fits raise Stopped before their next batch
        raise
    finally:
        # the fits not yet started never start; the running ones end (stopped) first
        pool.shutdown(wait=True, cancel_futures=True)
