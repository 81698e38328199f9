"""Running an ensemble's fits (tsgate.ensemble.run_fits)."""
import threading
import time

import numba
import numpy as np
import pandas as pd
import pytest

from tsgate import GRURegressor, ensemble
from tsgate.backend import numba_threads
from tsgate.engine.training import Stopped, stop_when
from tsgate.ensemble import run_fits


def test_results_in_job_order_whatever_order_they_start_in():
    # numba_threads: what the fits' passes read; numba.get_num_threads() in a
    # pool thread before Numba's threading layer started (this test alone)
    # starts it at NUMBA_NUM_THREADS, past the thread's hold
    jobs = [lambda i=i: (i, numba_threads()) for i in range(5)]
    out = run_fits(jobs, True, sizes=[1, 5, 3, 2, 4])
    assert [i for i, _ in out] == list(range(5))
    if numba.config.NUMBA_NUM_THREADS >= 2:
        assert all(threads == 1 for _, threads in out)  # one Numba thread per fit


def test_a_follow_up_starts_once_its_job_is_done_not_after_every_job():
    """A member's final fit (``then``) starts while a longer validation fit
    still runs: two barriers left a core idle twice with three members."""
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("one Numba thread: the fits run in turn")
    slow_done = threading.Event()

    def slow():
        time.sleep(1.0)
        slow_done.set()
        return "slow"

    def then(i, result):
        return lambda: (result, i, slow_done.is_set(), numba_threads())

    results, follow = run_fits([slow, lambda: "fast"], True, sizes=[2, 1], then=then)
    assert results == ["slow", "fast"]
    assert follow[0] == ("slow", 0, True, 1)
    assert follow[1] == ("fast", 1, False, 1)  # ran while the slow fit still ran


@pytest.mark.parametrize("concurrent", [True, False])
def test_follow_ups_come_back_in_job_order_and_none_where_there_is_none(concurrent):
    ran = []

    def job(i):
        return lambda: ran.append(("job", i)) or i * 10

    def then(i, result):
        return None if i == 2 else (lambda: ran.append(("then", i)) or result + 1)

    results, follow = run_fits([job(i) for i in range(4)], concurrent, sizes=[1, 4, 2, 3],
                               then=then)
    assert results == [0, 10, 20, 30] and follow == [1, 11, None, 31]
    if not concurrent:  # in turn: every job, then every follow-up, in order
        assert ran == [("job", i) for i in range(4)] + [("then", i) for i in (0, 1, 3)]


def test_an_error_in_a_follow_up_stops_the_fits_running_beside_it():
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("one Numba thread: the fits run in turn")
    finished = []

    def boom():
        time.sleep(0.5)
        raise ValueError("this final fit failed")

    with pytest.raises(ValueError, match="this final fit failed"):
        run_fits([_endless_fit(finished), lambda: None], True,
                 then=lambda i, result: boom if i == 1 else None)
    assert finished == []


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


def _endless_fit(finished):
    """A job: a fit of several seconds (100 000 epochs), noting when it ends."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 4, 1)).astype(np.float32), rng.standard_normal(64)

    def job():
        reg = GRURegressor(hidden_size=4, batch_size=64, max_iter=100_000, n_iter_no_change=10**9,
                           random_state=0)
        reg.fit(X, y)
        finished.append(reg)
        return reg
    return job


def test_ctrl_c_stops_the_running_fits_before_their_next_batch(monkeypatch):
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("one Numba thread: the fits run in turn on the main thread")
    finished = []

    def ctrl_c_while_waiting(futures, return_when):
        # what Ctrl-C does to the waiting thread (CPython raises
        # KeyboardInterrupt out of the blocked wait), once the fits run
        time.sleep(1.0)
        raise KeyboardInterrupt

    monkeypatch.setattr(ensemble, "wait", ctrl_c_while_waiting)
    with pytest.raises(KeyboardInterrupt):
        run_fits([_endless_fit(finished), _endless_fit(finished)], True)
    # run_fits returns once its threads have ended: both fits stopped, neither finished
    assert finished == []
    assert not [t for t in threading.enumerate() if t.name.startswith("tsgate-fit")]


def test_an_error_stops_the_fits_running_beside_it():
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("one Numba thread: the fits run in turn")
    finished = []

    def boom():
        time.sleep(0.5)  # the other fit is well under way
        raise ValueError("this fit failed")

    with pytest.raises(ValueError, match="this fit failed"):
        run_fits([_endless_fit(finished), boom], True)
    assert finished == []


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_stopped_fit_raises_before_its_next_batch():
    finished, event = [], threading.Event()
    event.set()
    with stop_when(event), pytest.raises(Stopped, match="stopped from outside in epoch 1"):
        _endless_fit(finished)()
    assert finished == []
    X, y = np.zeros((8, 4, 1), np.float32), np.zeros(8)
    assert GRURegressor(hidden_size=4, max_iter=2).fit(X, y).n_iter_ == 2  # outside: as usual


def test_device_auto_without_a_gpu_trains_the_members_at_once(monkeypatch):
    """'auto' resolves every member to the CPU where no GPU is usable, but
    the members trained one after the other as off the CPU."""
    import tsgate
    import tsgate.backend
    from tests.conftest import spy_on_run_fits
    from tsgate import fitplan

    monkeypatch.setattr(tsgate.backend, "cuda_unavailable_reason", lambda: "no GPU (test)")
    seen = spy_on_run_fits(monkeypatch)
    monkeypatch.setattr(fitplan, "numba_threads", lambda: 2)
    y = pd.Series(np.sin(np.arange(60) / 3.0),
                  index=pd.date_range("2020-01-01", periods=60, freq="D"))
    model = tsgate.GRUForecaster(device="auto", window=6, horizon=2, hidden_size=4, max_iter=2,
                                 n_models=2, random_state=0).fit(y)
    assert seen and all(seen)
    assert {r.device_ for r in model.regressors_} == {"cpu"}
