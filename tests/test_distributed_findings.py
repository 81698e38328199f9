"""One model per series, as Dask and statsforecast users drive it (a sweep,
session 47): divisions that repeat an id, duplicate column names, n_jobs,
a template's column names and freq, bound names that clash, a Dask frame
given to a forecaster, a float32 coverage."""
import warnings

import numpy as np
import pandas as pd
import pytest

import tsgate
from tsgate.distributed import PerSeriesForecaster, forecast_long

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SMALL = {"max_iter": 2, "window": 8, "hidden_size": 4, "n_models": 1, "random_state": 0}


def _long(sizes=(("a", 60), ("b", 20)), names=("unique_id", "ds", "y")):
    rng = np.random.default_rng(0)
    return pd.concat([pd.DataFrame({names[0]: key,
                                    names[1]: pd.date_range("2020-01-01", periods=n, freq="D"),
                                    names[2]: np.sin(np.arange(n) / 3) + rng.normal(0, 0.1, n)})
                      for key, n in sizes], ignore_index=True)


def test_known_divisions_that_repeat_an_id_are_not_trusted(tmp_path):
    """read_parquet of row groups gives divisions ('a', 'a', 'a', 'b', 'b'):
    'a' was fitted 3 times on fragments, with 6 rows at wrong dates."""
    dd = pytest.importorskip("dask.dataframe")
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    df = _long().set_index("unique_id")
    pq.write_table(pa.Table.from_pandas(df), str(tmp_path / "part.parquet"), row_group_size=25)
    ddf = dd.read_parquet(str(tmp_path), index="unique_id", calculate_divisions=True,
                          split_row_groups=True)
    if not (ddf.known_divisions and len(set(ddf.divisions)) < len(ddf.divisions)):
        pytest.skip(f"this Dask gives divisions {ddf.divisions}: no id repeated")
    with pytest.warns(UserWarning, match="more than one partition"):
        out = forecast_long(ddf, 2, model="gru", **SMALL).compute()
    expected = forecast_long(df.reset_index(), 2, model="gru", **SMALL)
    out = out.astype({"unique_id": object}).sort_values(["unique_id", "ds"], ignore_index=True)
    pd.testing.assert_frame_equal(out, expected.astype({"unique_id": object}))


@pytest.mark.parametrize("column", ["unique_id", "ds", "y"])
def test_a_long_frame_with_a_column_twice_is_refused_by_name(column):
    """pd.concat(axis=1) of two long frames: pandas' "truth value of a
    Series is ambiguous", "Data must be 1-dimensional" or AttributeError."""
    df = _long()
    twice = pd.concat([df, df[[column]]], axis=1)
    message = rf"duplicate column names \['{column}'\]"
    with pytest.raises(ValueError, match=message):
        forecast_long(twice, 2, model="gru", **SMALL)
    with pytest.raises(ValueError, match=message):
        tsgate.GRUForecaster(horizon=2, **SMALL).fit(twice)
    with pytest.raises(ValueError, match=message):
        PerSeriesForecaster(tsgate.GRUForecaster(horizon=2, **SMALL)).fit(twice)


@pytest.mark.parametrize("n_jobs", [0, 2.5, True, "2"])
def test_forecast_long_checks_n_jobs(n_jobs):
    """2.5 and True ran; "2" was a TypeError from joblib's comparison."""
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="'n_jobs' parameter of forecast_long"):
        forecast_long(_long(), 2, model="gru", n_jobs=n_jobs, **SMALL)


def test_forecast_long_reads_a_templates_column_names_and_the_calls_freq():
    """A template with id_col="store" was read with the defaults ("no
    column(s) ['unique_id', 'ds', 'y']"); an explicit freq="D" was undone
    by the template's own freq="h" in every fit."""
    df = _long(names=("store", "date", "sales"))
    template = tsgate.GRUForecaster(id_col="store", time_col="date", value_col="sales", **SMALL)
    out = forecast_long(df, 2, model=template)
    assert list(out.columns) == ["store", "date", "sales"] and len(out) == 4
    expected = PerSeriesForecaster(template.set_params(horizon=2)).fit(df).predict()
    np.testing.assert_allclose(out["sales"], expected["sales"])
    hourly = tsgate.GRUForecaster(freq="h", **SMALL)
    daily = forecast_long(_long(), 2, freq="D", model=hourly)
    assert (daily.groupby("unique_id")["ds"].diff().dropna() == pd.Timedelta("1D")).all()
    pd.testing.assert_frame_equal(daily, forecast_long(_long(), 2, model="gru", **SMALL))


def test_a_column_named_as_a_bound_is_refused_at_the_call():
    """A value column 'upper' with coverage=0.8: the empty result swapped the
    forecast for the bound, and a Dask frame failed only at compute."""
    df = _long().rename(columns={"y": "upper"})
    with pytest.raises(ValueError, match="column 'upper' has the name of a bound's column"):
        forecast_long(df, 2, model="gru", value_col="upper", coverage=0.8, **SMALL)
    with pytest.raises(ValueError, match="column 'upper' has the name of a bound's column"):
        forecast_long(df.iloc[:0], 2, model="gru", value_col="upper", coverage=0.8, **SMALL)
    out = forecast_long(df, 2, model="gru", value_col="upper", **SMALL)  # no band: no clash
    assert list(out.columns) == ["unique_id", "ds", "upper"]


def test_a_dask_frame_given_to_a_forecaster_points_to_forecast_long():
    """"must be a pandas Series ... or DataFrame, got DataFrame"."""
    dd = pytest.importorskip("dask.dataframe")
    ddf = dd.from_pandas(_long(), npartitions=2)
    with pytest.raises(TypeError, match="got a Dask DataFrame: .*forecast_long.*compute"):
        PerSeriesForecaster(tsgate.GRUForecaster(horizon=2, **SMALL)).fit(ddf)
    with pytest.raises(TypeError, match="got a Dask DataFrame"):
        tsgate.GRUForecaster(horizon=2, **SMALL).fit(ddf)


def test_a_float32_coverage_is_the_decimal_it_shows():
    """np.float32(0.8) is 0.800000011920929: its conformal rank rounded up
    past 0.8's, the 90% band at a step."""
    y = _long(sizes=(("a", 20),)).set_index("ds")["y"]
    model = tsgate.GRUForecaster(horizon=2, **SMALL).fit(y)
    band = model.predict_interval(np.float32(0.8))
    pd.testing.assert_frame_equal(band, model.predict_interval(0.8))
    assert band.attrs["coverage"] == 0.8
    listed = model.predict_interval([np.float32(0.8), np.float32(0.95)])
    assert list(listed.columns) == ["lower_80", "upper_80", "lower_95", "upper_95"]


@pytest.mark.parametrize("fit_name, new_name", [(None, "sales"), ("sales", "revenue")])
def test_per_series_matches_a_series_history_whatever_its_name(fit_name, new_name):
    """Fitted on one Series, predict(y=...) refused a history of another
    name ("fitted on [0]"), where the forecasters and score take a Series
    against a model fitted on a Series, whatever their names."""
    index = pd.date_range("2020-01-01", periods=40, freq="D")
    y = pd.Series(20 + np.sin(np.arange(40.0)), index=index, name=fit_name)
    model = PerSeriesForecaster(tsgate.GRUForecaster(horizon=3, **SMALL)).fit(y)
    single = tsgate.GRUForecaster(horizon=3, **SMALL).fit(y)
    history = y.iloc[:-5].rename(new_name)
    got = model.predict(y=history)
    expected = single.predict(y=history)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy())
    assert got.name == expected.name and got.index.equals(expected.index)
    band = model.predict_interval(coverage=0.8, y=history)
    assert band.index.equals(expected.index)


def test_forecast_long_reads_id_and_time_as_multiindex_levels():
    """A long frame set_index(["unique_id", "ds"]) was told its columns are
    missing and to name them with id_col= and time_col=, which it had."""
    index = pd.date_range("2020-01-01", periods=30, freq="D")
    df = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 30), "ds": list(index) * 2,
                       "y": np.r_[np.sin(np.arange(30.0)), np.cos(np.arange(30.0))] + 5})
    expected = forecast_long(df, 3, model="gru", **SMALL)
    got = forecast_long(df.set_index(["unique_id", "ds"]), 3, model="gru", **SMALL)
    pd.testing.assert_frame_equal(got, expected)


def test_backtest_of_a_search_says_to_backtest_its_choice():
    """backtest(GridSearchCV(...)) was refused as a regressor ("a regressor
    forecasts no steps")."""
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

    search = GridSearchCV(tsgate.GRUForecaster(horizon=3, **SMALL), {"hidden_size": [4]},
                          cv=TimeSeriesSplit(2, test_size=3))
    y = pd.Series(np.arange(30.0), index=pd.date_range("2020-01-01", periods=30, freq="D"))
    with pytest.raises(TypeError, match=r"got a search \(GridSearchCV\).*"
                                        r"backtest\(search\.best_estimator_, y\)"):
        tsgate.backtest(search, y)


def test_kept_warnings_puts_the_callers_filters_and_showwarning_back():
    """Before Python 3.14 the filters are the process's and catch_warnings
    saves and restores them: threads whose blocks interleave restore each
    other's state (one of 20 forecast_long calls on joblib threads left
    ('ignore', Warning) behind, silencing every later warning)."""
    from tsgate._callers import kept_warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="a caller's own filter")
        before, show = warnings.filters[:], warnings.showwarning
        with kept_warnings():
            warnings.simplefilter("ignore")  # left behind, as an interleaving leaves it
            warnings.showwarning = lambda *args, **kwargs: None
        assert warnings.filters == before and warnings.showwarning is show
        with pytest.warns(UserWarning, match="canary"):
            warnings.warn("canary", UserWarning)


@pytest.mark.parametrize("entry", ["forecast_long", "PerSeriesForecaster", "backtest"])
def test_threaded_tasks_run_inside_kept_warnings(entry, monkeypatch):
    """Each entry point whose tasks may run on joblib threads puts the
    caller's warning state back after them (kept_warnings, above)."""
    import contextlib
    import importlib

    module = importlib.import_module({"forecast_long": "tsgate.longforecast",
                                      "PerSeriesForecaster": "tsgate.distributed",
                                      "backtest": "tsgate.backtest"}[entry])
    entered = []

    @contextlib.contextmanager
    def spy():
        entered.append(True)
        yield

    monkeypatch.setattr(module, "kept_warnings", spy)
    model = tsgate.GRUForecaster(horizon=2, n_models=1, hidden_size=4, max_iter=2,
                                 random_state=0)
    idx = pd.date_range("2020-01-01", periods=30, freq="D")
    wide = pd.DataFrame({"a": np.sin(np.arange(30.0)), "b": np.cos(np.arange(30.0))}, index=idx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tiny fits' own warnings
        if entry == "forecast_long":
            long = wide.stack().rename("y").rename_axis(["ds", "unique_id"]).reset_index()
            forecast_long(long, 2, model=model)
        elif entry == "PerSeriesForecaster":
            PerSeriesForecaster(model).fit(wide)
        else:
            tsgate.backtest(model, wide["a"], horizon=2, start=26)
    assert entered == [True]


def test_off_the_main_thread_tsgate_leaves_the_warning_filters_alone():
    """Dask's threads left ('ignore', Warning) in the caller's process in 5
    of 30 forecast_long runs (tsgate's catch_warnings blocks interleaving
    on threads restore each other's filters), and lost or doubled ids'
    warnings. Off the main thread, named_warnings and quiet now change no
    filter: the warnings reach the process's filters as they are."""
    import threading

    from tsgate._callers import named_warnings, quiet

    seen = {}

    def member():
        seen["filters"], seen["show"] = warnings.filters, warnings.showwarning
        with quiet(Warning):
            seen["quiet"] = warnings.filters
            warnings.warn("from a thread", UserWarning)
        return 1

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        filters, show = warnings.filters, warnings.showwarning
        thread = threading.Thread(target=lambda: seen.update(out=named_warnings("series 'a'",
                                                                                 member)))
        thread.start()
        thread.join()
    assert seen["out"] == 1
    assert seen["filters"] is filters and seen["show"] is show and seen["quiet"] is filters
    assert [str(w.message) for w in caught] == ["from a thread"]  # as it was, not hidden
    with warnings.catch_warnings(record=True) as caught:  # the main thread: named and quieted
        warnings.simplefilter("always")
        named_warnings("series 'a'", member)
    assert caught == []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        named_warnings("series 'a'", lambda: warnings.warn("odd", UserWarning))
    assert [str(w.message) for w in caught] == ["series 'a': odd"]
