"""Running an ensemble's fits (tsgate.ensemble.run_fits)."""
import time

import numba
import pytest

from tsgate.ensemble import run_fits


def test_results_in_job_order_whatever_order_they_start_in():
    jobs = [lambda i=i: (i, numba.get_num_threads()) for i in range(5)]
    out = run_fits(jobs, True, sizes=[1, 5, 3, 2, 4])
    assert [i for i, _ in out] == list(range(5))
    if numba.config.NUMBA_NUM_THREADS >= 2:
        assert all(threads == 1 for _, threads in out)  # one Numba thread per fit


def test_an_error_stops_the_fits_not_yet_started():
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("one Numba thread: the fits run in turn")
    ran = []

    def boom():
        raise ValueError("this fit failed")

    def slow(i):
        def job():
            time.sleep(0.3)
            ran.append(i)
        return job

    with pytest.raises(ValueError, match="this fit failed"):
        run_fits([boom] + [slow(i) for i in range(1, 6)], True)
    time.sleep(0.5)  # anything still queued would run now
    assert set(ran) <= {1, 2}  # the fit running beside it, at most one more
