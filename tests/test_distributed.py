"""tsgate.distributed: per-series fits, long format, thread caps, and the same on a Dask cluster.

The first half needs no Dask. The second starts one real
``dask.distributed.LocalCluster`` (2 worker processes on loopback) for the
module and checks that every result EQUALS the single-process one; it is
skipped when ``dask.distributed`` is not installed.
"""
import pickle
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import joblib
import numba
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

import tsgate
from tsgate import config
from tsgate.distributed import PerSeriesForecaster, available_cores, forecast_long, numba_threads_per_worker
from tsgate.threadplan import _joblib_plan, _run_capped, _ThreadPlan
from tests.conftest import FAST

ROOT = Path(__file__).resolve().parents[1]
QUICK = dict(FAST, window=8, max_iter=3)  # forecaster parameters
TINY = dict(horizon=3, **QUICK)


def make_wide(n_series, n_obs=60, seed=0):
    rng = np.random.default_rng(seed)
    index = pd.date_range("2021-01-01", periods=n_obs, freq="D", name="time")
    trend = np.linspace(0, 1, n_obs)[:, None] * rng.normal(size=n_series)
    values = 10 + np.cumsum(rng.normal(size=(n_obs, n_series)), axis=0) + trend
    return pd.DataFrame(values, index=index, columns=[f"s{i:02d}" for i in range(n_series)])


def to_long(wide):
    return (wide.rename_axis(index="ds", columns="unique_id").stack().rename("y").reset_index()
            .sort_values(["unique_id", "ds"], ignore_index=True)[["unique_id", "ds", "y"]])


@pytest.fixture(scope="module")
def wide50():
    return make_wide(50)


@pytest.fixture(scope="module")
def sequential50(wide50):
    """Single-process per-series fits of the 50 series (the reference for Dask)."""
    model = PerSeriesForecaster(tsgate.GRUForecaster(**TINY), n_jobs=1).fit(wide50)
    return model.predict(), model.predict_interval(0.8)


# ------------------------------------------------------------ thread caps
def test_numba_threads_per_worker():
    assert numba_threads_per_worker(1, cores=8) == 8
    assert numba_threads_per_worker(3, cores=8) == 2
    assert numba_threads_per_worker(16, cores=8) == 1
    assert numba_threads_per_worker(0, cores=8) == 8
    # joblib's n_jobs: -1 one task per core, -2 all cores but one (-1 took every core a task)
    assert numba_threads_per_worker(-1, cores=8) == 1
    assert numba_threads_per_worker(-5, cores=8) == 2
    for bad in (2.5, "2", True, None):
        with pytest.raises(TypeError, match="n_workers must be an int"):
            numba_threads_per_worker(bad, cores=8)
    with pytest.raises(ValueError, match="cores must be at least 1"):
        numba_threads_per_worker(2, cores=0)
    assert numba_threads_per_worker(2) == max(1, available_cores() // 2)


def test_run_capped_sets_and_restores_threads():
    before = numba.get_num_threads()
    assert _run_capped(_ThreadPlan(local_tasks=10**6), numba.get_num_threads) == 1
    assert _run_capped(_ThreadPlan(local_tasks=1), numba.get_num_threads) == min(
        available_cores(), numba.config.NUMBA_NUM_THREADS)
    assert numba.get_num_threads() == before
    with pytest.raises(ZeroDivisionError):
        _run_capped(_ThreadPlan(local_tasks=10**6), lambda: 1 / 0)
    assert numba.get_num_threads() == before


def test_a_plan_never_raises_the_callers_numba_threads():
    """A caller that set 1 Numba thread got per-series fits of cores // jobs
    (session 51's sweep): the plan keeps the caller's setting as a ceiling."""
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        plan = _joblib_plan(1, 3)
        assert plan.ceiling == 1 and plan.threads() == 1
        assert _run_capped(plan, numba.get_num_threads) == 1
    finally:
        numba.set_num_threads(before)
    assert _ThreadPlan(local_tasks=1).threads() == numba_threads_per_worker(1)


_THREADS_SEEN = []  # _ThreadProbe's record


class _ThreadProbe(tsgate.GRUForecaster):
    """Records the Numba threads each of its fits runs with."""

    def fit(self, y, X=None):
        _THREADS_SEEN.append(numba.get_num_threads())
        return super().fit(y, X)


def test_backtest_tasks_cap_their_numba_threads():
    """backtest(n_jobs=2) ran each fit on every core, as many fits at once
    (session 51's sweep); its tasks now cap their threads as
    PerSeriesForecaster's do."""
    y = pd.Series(10 + np.sin(np.arange(40.0)), index=pd.date_range("2020-01", periods=40,
                                                                   freq="MS"))
    _THREADS_SEEN.clear()
    with joblib.parallel_backend("threading"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tsgate.backtest(_ThreadProbe(horizon=3, n_models=1, **FAST), y, start=30, n_jobs=2)
    assert len(_THREADS_SEEN) > 1
    assert set(_THREADS_SEEN) == {min(numba_threads_per_worker(2), numba.get_num_threads())}


def test_joblib_plan_counts_active_jobs():
    assert _joblib_plan(None, 50).local_tasks == 1
    assert _joblib_plan(2, 50).local_tasks == 2
    assert _joblib_plan(4, 3).local_tasks == 3  # never more jobs than tasks
    with joblib.parallel_config(n_jobs=2):
        assert _joblib_plan(None, 50).local_tasks == 2


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 Numba threads")
@pytest.mark.parametrize("cls", [tsgate.LSTMForecaster, tsgate.GRUForecaster])
def test_results_bit_identical_for_any_thread_count(cls, monkeypatch):
    # The cap may only change speed: fits and forecasts with 1 thread and with
    # all of them must agree to the bit (tiles are independent, gradient
    # partials are summed in a fixed order). Small tiles and no work floor:
    # the parallel kernels really run on all threads, the serial twins on one.
    monkeypatch.setattr(config, "TILE_ROWS", 4)
    monkeypatch.setattr(config, "PARALLEL_MIN_WORK", 0)
    y = make_wide(2, n_obs=80)
    params = dict(horizon=4, hidden_size=8, num_layers=2, max_iter=2, batch_size=16, random_state=1)
    before = numba.get_num_threads()
    results = []
    try:
        for threads in (1, numba.config.NUMBA_NUM_THREADS):
            numba.set_num_threads(threads)
            model = cls(**params).fit(y)
            results.append((model.regressors_[0].params_, model.predict(7).to_numpy()))
    finally:
        numba.set_num_threads(before)
    (p1, f1), (p2, f2) = results
    np.testing.assert_array_equal(p1, p2)
    np.testing.assert_array_equal(f1, f2)


# ------------------------------------------------- PerSeriesForecaster, no Dask
def test_per_series_equals_sequential_loop():
    wide = make_wide(4)
    model = PerSeriesForecaster(tsgate.GRUForecaster(**TINY)).fit(wide)
    loop = {c: tsgate.GRUForecaster(**TINY).fit(wide[c]) for c in wide}
    pred = model.predict()
    expected = pd.DataFrame({c: m.predict() for c, m in loop.items()})
    pd.testing.assert_frame_equal(pred, expected, check_freq=False)
    assert list(model.estimators_) == list(wide.columns)
    band = model.predict_interval(0.8, horizon=5)
    assert band.shape == (5, 8) and list(band.columns[:2]) == [("s00", "lower"), ("s00", "upper")]
    np.testing.assert_array_equal(band["s02"].to_numpy(), loop["s02"].predict_interval(0.8, 5).to_numpy())
    assert (band.xs("lower", axis=1, level=1) <= model.predict(5)).all().all()


def test_per_series_score_and_new_history():
    wide = make_wide(3, n_obs=70)
    train, test = wide.iloc[:-5], wide.iloc[-5:]
    model = PerSeriesForecaster(tsgate.LSTMForecaster(**TINY)).fit(train)
    pred = model.predict(5).to_numpy()
    assert model.score(test) == pytest.approx(-np.mean(np.abs(pred - test.to_numpy())))
    moved = model.predict(y=wide)  # same weights, forecast from the longer history
    assert moved.index[0] == wide.index[-1] + pd.Timedelta("1D")
    # a subset of the series in any order: forecast in y's order by each one's model
    some = model.predict(y=wide[["s02", "s00"]])
    assert list(some.columns) == ["s02", "s00"]
    pd.testing.assert_frame_equal(some, moved[["s02", "s00"]])
    with pytest.raises(ValueError, match=r"\['s09'\] that the forecaster was not fitted on"):
        model.predict(y=wide.rename(columns={"s01": "s09"}))
    with pytest.raises(ValueError, match="n_jobs"):
        PerSeriesForecaster(tsgate.LSTMForecaster(**TINY), n_jobs=0).fit(train)


def test_per_series_threading_backend_equals_sequential():
    wide = make_wide(4)
    one = PerSeriesForecaster(tsgate.GRUForecaster(**TINY), n_jobs=1).fit(wide).predict()
    with joblib.parallel_backend("threading"):
        two = PerSeriesForecaster(tsgate.GRUForecaster(**TINY), n_jobs=2).fit(wide).predict()
    pd.testing.assert_frame_equal(one, two)


def test_per_series_estimator_contract():
    template = tsgate.GRUForecaster(**TINY)
    model = clone(PerSeriesForecaster(template, n_jobs=2))
    assert model.get_params()["forecaster__hidden_size"] == 4
    model.set_params(forecaster__hidden_size=5)
    assert template.hidden_size == 4 and model.forecaster.hidden_size == 5
    with pytest.raises(NotFittedError):
        model.predict()
    series = make_wide(1)["s00"]
    fitted = PerSeriesForecaster(tsgate.GRUForecaster(**TINY)).fit(series)
    assert isinstance(fitted.predict(), pd.Series)
    assert list(fitted.predict_interval().columns) == ["lower", "upper"]
    assert not hasattr(template, "regressors_")  # the template is never fitted
    with pytest.raises(ValueError, match="duplicate column"):
        PerSeriesForecaster(template).fit(make_wide(2).set_axis(["a", "a"], axis=1))
    with pytest.raises(ValueError, match="n_jobs"):
        PerSeriesForecaster(template, n_jobs="all").fit(make_wide(2))


# ---------------------------------------------------- forecast_long, pandas
def test_forecast_long_pandas_equals_per_id_models():
    wide = make_wide(5)
    long = to_long(wide)
    out = forecast_long(long, horizon=3, model="gru", **QUICK, coverage=0.8)
    assert list(out.columns) == ["unique_id", "ds", "y", "lower", "upper"]
    assert out.dtypes["ds"] == long.dtypes["ds"] and out.dtypes["unique_id"] == long.dtypes["unique_id"]
    assert len(out) == 5 * 3 and list(out["unique_id"].unique()) == list(wide.columns)
    per_series = PerSeriesForecaster(tsgate.GRUForecaster(**TINY)).fit(wide)
    np.testing.assert_array_equal(out["y"].to_numpy(), per_series.predict().to_numpy().T.ravel())
    band = per_series.predict_interval(0.8)
    np.testing.assert_array_equal(out["lower"].to_numpy(),
                                  band.xs("lower", axis=1, level=1).to_numpy().T.ravel())
    expected_times = pd.date_range(wide.index[-1], periods=4, freq="D")[1:]
    assert (out.loc[out["unique_id"] == "s03", "ds"].to_numpy() == expected_times.to_numpy()).all()
    # several coverages: a pair of columns each, as the forecasters' predict_interval
    both = forecast_long(long, horizon=3, model="gru", **QUICK, coverage=[0.8, 0.95])
    assert list(both.columns) == ["unique_id", "ds", "y", "lower_80", "upper_80", "lower_95",
                                  "upper_95"]
    np.testing.assert_array_equal(both["lower_80"].to_numpy(), out["lower"].to_numpy())
    bands = per_series.predict_interval([0.8, 0.95])
    np.testing.assert_array_equal(both["upper_95"].to_numpy(),
                                  bands.xs("upper_95", axis=1, level=1).to_numpy().T.ravel())
    quantiles = per_series.predict_quantiles([0.1, 0.9])
    np.testing.assert_array_equal(quantiles.xs("q_0.1", axis=1, level=1), band.xs("lower", axis=1, level=1))


def test_forecast_long_pandas_variants():
    long = to_long(make_wide(3))
    base = forecast_long(long, 3, model="lstm", **QUICK)
    # shuffled rows, id as the index, a forecaster template, parallel jobs: same result
    shuffled = long.sample(frac=1.0, random_state=0).set_index("unique_id")
    template = tsgate.LSTMForecaster(**QUICK)
    with joblib.parallel_backend("threading"):
        other = forecast_long(shuffled, 3, model=template, n_jobs=2)
    pd.testing.assert_frame_equal(base, other)
    # other column names, integer ids and times; gaps filled by freq
    renamed = long.rename(columns={"unique_id": "store", "ds": "t", "y": "sales"})
    renamed["store"] = renamed["store"].str[1:].astype(int)
    gappy = renamed.drop(index=[5, 6])
    out = forecast_long(gappy, 2, time_col="t", id_col="store", value_col="sales", freq="D",
                        **QUICK)
    assert list(out.columns) == ["store", "t", "sales"] and out["store"].dtype == np.int64
    assert np.isfinite(out["sales"]).all() and len(out) == 6
    steps = long.assign(ds=long.groupby("unique_id").cumcount())
    out = forecast_long(steps, 2, **QUICK)
    assert out["ds"].tolist() == [60, 61] * 3


def test_forecast_long_text_times_come_back_as_datetimes():
    """Text times are read as dates; the forecast's times are those dates,
    as the forecasters' long layout gives them (session 32: an object column
    of Timestamps on pandas, text on Dask)."""
    long = to_long(make_wide(2))
    text = long.assign(ds=long["ds"].dt.strftime("%Y-%m-%d"))
    expected = forecast_long(long, 2, **QUICK)
    got = forecast_long(text, 2, **QUICK)
    assert got["ds"].dtype == np.dtype("datetime64[ns]")
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    dd = pytest.importorskip("dask.dataframe")
    lazy = forecast_long(dd.from_pandas(text.set_index("unique_id"), npartitions=2), 2, **QUICK)
    assert lazy._meta["ds"].dtype == np.dtype("datetime64[ns]")
    result = lazy.compute().sort_values(["unique_id", "ds"], ignore_index=True)
    assert result["ds"].dtype == np.dtype("datetime64[ns]")
    np.testing.assert_array_equal(result["ds"].to_numpy(), expected["ds"].to_numpy())


def test_forecast_long_on_dask_text_times_with_a_utc_offset_and_its_divisions():
    """Text times carrying a UTC offset: the lazy frame said naive datetimes
    (read from an empty template) where its partitions held aware ones, and a
    ``.dt`` operation on it failed. The input's divisions by id were kept on
    a result indexed 0..n-1 per partition: ``.loc`` found no rows, joins
    were wrong."""
    dd = pytest.importorskip("dask.dataframe")
    long = to_long(make_wide(3))
    text = long.assign(ds=long["ds"].dt.tz_localize("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%z"))
    expected = forecast_long(text, 2, **QUICK)
    assert isinstance(expected["ds"].dtype, pd.DatetimeTZDtype) and str(expected["ds"].dt.tz) == "UTC"
    ddf = dd.from_pandas(text.set_index("unique_id"), npartitions=3, sort=True)
    assert ddf.known_divisions
    lazy = forecast_long(ddf, 2, **QUICK)
    assert lazy._meta["ds"].dtype == expected["ds"].dtype
    assert not lazy.known_divisions
    result = lazy.compute().sort_values(["unique_id", "ds"], ignore_index=True)
    assert result["ds"].dtype == expected["ds"].dtype
    np.testing.assert_array_equal(result["ds"].to_numpy(), expected["ds"].to_numpy())
    # an id filtered out of its partition: the empty partition has the same dtype
    fewer = forecast_long(ddf.map_partitions(lambda p: p[p.index != "s01"]), 2, **QUICK)
    berlin = fewer["ds"].dt.tz_convert("Europe/Berlin").compute()
    assert len(berlin) == 4 and str(berlin.dt.tz) == "Europe/Berlin"
    # ids at other offsets, in other partitions: pandas refuses the column; each
    # partition read its own, and the result mixed them in an object column
    offsets = text.assign(ds=np.where(text["unique_id"] == "s02",
                                      text["ds"].str.replace("+0000", "+0200"), text["ds"]))
    with pytest.raises(ValueError, match="different UTC offsets"):
        forecast_long(offsets, 2, **QUICK)
    lazy = forecast_long(dd.from_pandas(offsets.set_index("unique_id"), npartitions=3, sort=True),
                         2, **QUICK)
    with pytest.raises(ValueError, match="different UTC offsets .* in the first partition"):
        lazy.compute(scheduler="synchronous")


def test_forecast_long_warnings_name_their_id_and_keep_the_callers_filters():
    """forecast_long's ConvergenceWarnings did not say which id they were
    about, and on a Dask frame a caller's "ignore" did not reach the
    partitions (one printed warning per id; session 51's sweep)."""
    long = to_long(make_wide(2))
    with pytest.warns(Warning) as record:
        forecast_long(long, 3, hidden_size=4, max_iter=3, n_models=1, random_state=0)
    said = [str(w.message) for w in record if "max_iter=3" in str(w.message)]
    assert said and all(m.startswith(("forecast_long, id 's00'", "forecast_long, id 's01'"))
                        for m in said)
    dd = pytest.importorskip("dask.dataframe")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("ignore")
        lazy = forecast_long(dd.from_pandas(long.set_index("unique_id"), npartitions=2), 3,
                             hidden_size=4, max_iter=3, n_models=1, random_state=0)
    with warnings.catch_warnings(record=True) as later:
        warnings.simplefilter("always")
        lazy.compute(scheduler="sync")  # the graph carries the filters of the call
    assert not [w for w in later if "max_iter=3" in str(w.message)]
    with pytest.raises(TypeError, match="long format, got Series"):
        forecast_long(dd.from_pandas(long, npartitions=1)["y"], 3)


def test_a_missing_time_on_dask_is_named_by_its_row_in_the_frame_and_its_series():
    """A NaT in a Dask frame's second partition was "row 25 of the frame",
    its position in the partition, where it is row 65 (session 51's sweep)."""
    long = to_long(make_wide(4))
    row = int(np.flatnonzero(long["unique_id"] == "s03")[5])
    long.loc[row, "ds"] = pd.NaT
    with pytest.raises(ValueError, match=rf"NaT\) in row {row} of the frame \(series 's03'\)"):
        forecast_long(long, 3, **QUICK)
    dd = pytest.importorskip("dask.dataframe")
    lazy = forecast_long(dd.from_pandas(long, npartitions=2), 3, **QUICK)
    with pytest.raises(ValueError, match=rf"NaT\) in row {row} of the frame \(series 's03'\)"):
        lazy.compute(scheduler="sync")


def test_forecast_long_errors_name_the_id():
    long = to_long(make_wide(2))
    short = pd.concat([long, pd.DataFrame({"unique_id": ["tiny"] * 3, "ds": long["ds"][:3],
                                           "y": [1.0, 2, 3]})], ignore_index=True)
    with pytest.raises(ValueError, match="id 'tiny'"):
        forecast_long(short, 3, hidden_size=4, max_iter=3)
    with pytest.raises(ValueError, match="no column"):
        forecast_long(long.rename(columns={"y": "sales"}), 3)
    with pytest.raises(ValueError, match="model"):
        forecast_long(long, 3, model="arima")
    with pytest.raises(ValueError, match="horizon"):
        forecast_long(long, 0)
    with pytest.raises(ValueError, match="coverage"):
        forecast_long(long, 3, coverage=1.5)
    with pytest.raises(ValueError, match="hidden_size"):
        forecast_long(long, 3, hidden_size=0)
    with pytest.raises(TypeError, match="long format"):
        forecast_long(long.to_numpy(), 3)


def test_forecast_long_reads_the_former_default_columns_with_a_warning():
    """tsgate 0.1's defaults were id, time, value; such a frame still forecasts,
    as with those names given, and a FutureWarning says to give them."""
    long = to_long(make_wide(2)).rename(columns={"unique_id": "id", "ds": "time", "y": "value"})
    with pytest.warns(FutureWarning, match="default columns are now"):
        out = forecast_long(long, 2, **QUICK)
    given = forecast_long(long, 2, id_col="id", time_col="time", value_col="value", **QUICK)
    pd.testing.assert_frame_equal(out, given)
    assert list(out.columns) == ["id", "time", "value"]


def test_without_dask_installed():
    # A fresh interpreter in which importing dask or distributed fails.
    code = textwrap.dedent("""
        import sys
        for name in ("dask", "distributed"):
            sys.modules[name] = None
        import numpy as np, pandas as pd, tsgate
        from tsgate.distributed import PerSeriesForecaster, forecast_long
        idx = pd.date_range("2021-01-01", periods=40, freq="D", name="ds")
        wide = pd.DataFrame(np.cumsum(np.ones((40, 2)), axis=0), index=idx, columns=["a", "b"])
        model = PerSeriesForecaster(tsgate.GRUForecaster(horizon=2, hidden_size=4, max_iter=2,
                                                         random_state=0), n_jobs=1).fit(wide)
        assert model.predict().shape == (2, 2)
        long = wide.rename_axis(columns="unique_id").stack().rename("y").reset_index()
        out = forecast_long(long, 2, hidden_size=4, max_iter=2, random_state=0)
        assert out.shape == (4, 3)
        assert "dask" not in {m.split(".")[0] for m in sys.modules if sys.modules[m] is not None}
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"


def test_pickled_task_payload_is_small():
    # What a search or a per-series task ships: the unfitted estimator and the data.
    estimator = tsgate.GRUForecaster(horizon=12, hidden_size=32, random_state=0)
    assert len(pickle.dumps(estimator)) < 5_000
    assert len(pickle.dumps(PerSeriesForecaster(estimator))) < 5_000
    y = make_wide(1, n_obs=1000)["s00"]
    raw = y.to_numpy().nbytes + y.index.asi8.nbytes  # values + timestamps: 16 kB
    assert len(pickle.dumps(y)) < 2 * raw + 2_000  # pandas' own overhead: about 1.5x


# -------------------------------------------------------------- on Dask
@pytest.fixture(scope="module")
def client():
    """A real 2-process cluster on loopback, started once for the module."""
    distributed = pytest.importorskip("dask.distributed")
    # The GridSearchCV recipe of the module docstring: the workers' Numba
    # threads capped at start (PerSeriesForecaster/forecast_long also cap per task).
    env = {"NUMBA_NUM_THREADS": str(numba_threads_per_worker(2))}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None, env=env) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def test_dask_thread_cap_inside_tasks(client):
    with joblib.parallel_backend("dask"):
        plan = _joblib_plan(-1, 4)
        threads = joblib.Parallel(n_jobs=-1)(
            joblib.delayed(_run_capped)(plan, numba.get_num_threads) for _ in range(4))
    assert plan.host_tasks == (("127.0.0.1", 2),)
    assert threads == [numba_threads_per_worker(2)] * 4


def test_per_series_on_dask_equals_single_process(client, wide50, sequential50):
    from distributed import get_task_stream

    with get_task_stream(client) as stream, joblib.parallel_backend("dask"):
        model = PerSeriesForecaster(tsgate.GRUForecaster(**TINY), n_jobs=-1).fit(wide50)
    assert len({task["worker"] for task in stream.data}) == 2  # both workers fitted series
    assert len(model.estimators_) == 50
    pred, band = sequential50
    pd.testing.assert_frame_equal(model.predict(), pred)
    pd.testing.assert_frame_equal(model.predict_interval(0.8), band)


def test_grid_search_on_dask_equals_single_process(client):
    y = make_wide(1, n_obs=120, seed=3)["s00"]
    estimator = tsgate.GRUForecaster(horizon=3, hidden_size=4, max_iter=3, random_state=0)
    grid = {"hidden_size": [4, 8], "window": [8, 12]}
    cv = TimeSeriesSplit(n_splits=3, test_size=6)
    local = GridSearchCV(estimator, grid, cv=cv, n_jobs=1).fit(y)
    with joblib.parallel_backend("dask"):
        remote = GridSearchCV(estimator, grid, cv=cv, n_jobs=-1).fit(y)
    for key in ["mean_test_score"] + [f"split{i}_test_score" for i in range(3)]:
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(remote.best_estimator_.predict().to_numpy(),
                                  local.best_estimator_.predict().to_numpy())
    # shipped per task: the unfitted estimator (its parameters) and the series
    assert len(pickle.dumps(clone(estimator))) < 5_000
    assert len(pickle.dumps(y)) < 2 * (y.to_numpy().nbytes + y.index.asi8.nbytes) + 2_000


@pytest.fixture(scope="module")
def long16(wide50):
    """16 of the series in long format and their single-process forecast_long."""
    long = to_long(wide50.iloc[:, :16])
    return long, forecast_long(long, 3, model="gru", **QUICK, coverage=0.8)


@pytest.mark.parametrize("partitioning", ["set_index", "shuffle"])
def test_forecast_long_on_dask_dataframe(client, long16, sequential50, partitioning):
    dd = pytest.importorskip("dask.dataframe")
    long, expected = long16
    if partitioning == "set_index":
        ddf = dd.from_pandas(long.set_index("unique_id"), npartitions=4)  # ids never split
    else:
        ddf = dd.from_pandas(long, npartitions=4).shuffle(on="unique_id", npartitions=4)
    assert ddf.npartitions == 4
    lazy = forecast_long(ddf, 3, model="gru", **QUICK, coverage=0.8)
    assert list(lazy.columns) == ["unique_id", "ds", "y", "lower", "upper"]
    result = lazy.compute().sort_values(["unique_id", "ds"], ignore_index=True)
    assert result["unique_id"].dtype == lazy._meta["unique_id"].dtype
    result["unique_id"] = result["unique_id"].astype(long["unique_id"].dtype)  # Dask stores strings as pyarrow ones
    pd.testing.assert_frame_equal(result, expected)
    pred, _ = sequential50  # the same models as the per-series fits of these 16 columns
    np.testing.assert_array_equal(result["y"].to_numpy(), pred.iloc[:, :16].to_numpy().T.ravel())


def test_per_series_progress_names_the_series(capsys):
    """Two series printed two identical blocks of "LSTMForecaster, model 1/1 ..."."""
    wide = make_wide(2)
    template = tsgate.GRUForecaster(horizon=2, hidden_size=4, max_iter=2, n_models=1,
                                    random_state=0, verbose=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = PerSeriesForecaster(template).fit(wide)
    out = capsys.readouterr().out
    assert "PerSeriesForecaster, series 's00', model 1/1" in out
    assert "PerSeriesForecaster, series 's01', model 1/1" in out
    assert not any(hasattr(m, "_progress_name") for m in model.estimators_.values())


def test_forecast_long_shuffles_ids_split_over_dask_partitions(long16):
    """A Dask frame in row order, each id's rows over two partitions: every id
    was fitted once per part, on part of its rows, and came back with each
    future time twice. It is now shuffled on the id first, with a warning."""
    dd = pytest.importorskip("dask.dataframe")
    long, expected = long16
    ddf = dd.from_pandas(long.sample(frac=1.0, random_state=0), npartitions=3, sort=False)
    with pytest.warns(UserWarning, match=r"id\(s\) of the Dask frame have rows in more than one "
                                         r"partition .*ddf.shuffle\(on='unique_id'\)"):
        lazy = forecast_long(ddf, 3, model="gru", **QUICK, coverage=0.8)
    result = lazy.compute().sort_values(["unique_id", "ds"], ignore_index=True)
    result["unique_id"] = result["unique_id"].astype(long["unique_id"].dtype)
    pd.testing.assert_frame_equal(result, expected)
    # partitioned by id (a sorted index, or ids that happen not to span parts): no pass, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        forecast_long(dd.from_pandas(long.set_index("unique_id"), npartitions=3), 3,
                      model="gru", **QUICK)


def test_forecast_long_on_a_dask_concat_indexed_by_id(long16):
    """Frames indexed by id, joined by dd.concat (unknown divisions) with an
    id in both parts: counting the ids on a column of reset_index() failed
    inside dask's optimizer (IndexError); they are counted on the index."""
    dd = pytest.importorskip("dask.dataframe")
    long, expected = long16
    pdf = long.sort_values(["unique_id", "ds"]).set_index("unique_id")
    cut = len(pdf) // 2 + 1  # (inside one id's rows)
    ddf = dd.concat([dd.from_pandas(pdf.iloc[:cut], npartitions=1),
                     dd.from_pandas(pdf.iloc[cut:], npartitions=1)])
    with pytest.warns(UserWarning, match=r"have rows in more than one partition"):
        lazy = forecast_long(ddf, 3, model="gru", **QUICK, coverage=0.8)
    result = lazy.compute().sort_values(["unique_id", "ds"], ignore_index=True)
    result["unique_id"] = result["unique_id"].astype(long["unique_id"].dtype)
    pd.testing.assert_frame_equal(result, expected)


def test_per_series_set_params_after_fit_acts_at_the_next_fit(tmp_path):
    """predict read the template's id_col as set after the fit: set_params(
    forecaster__id_col="series") made predict(y=long) fail on a missing
    column, where the forecasters keep the format they were fitted on."""
    import tsgate
    from tsgate.distributed import PerSeriesForecaster

    index = pd.date_range("2000-01", periods=30, freq="MS")
    v = 10 + np.sin(np.arange(30) * np.pi / 6)
    long = pd.DataFrame({"unique_id": ["a"] * 30 + ["b"] * 30, "ds": list(index) * 2,
                         "y": np.r_[v, v + 3]})
    model = PerSeriesForecaster(tsgate.GRUForecaster(horizon=3, n_models=1, hidden_size=4,
                                                     max_iter=2, random_state=0)).fit(long)
    before = model.predict(y=long)
    model.set_params(forecaster__id_col="series")
    pd.testing.assert_frame_equal(model.predict(y=long), before)
    model.save(tmp_path / "m.npz")
    pd.testing.assert_frame_equal(tsgate.load(tmp_path / "m.npz").predict(y=long), before)
