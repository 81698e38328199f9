"""One bad-input test per row of README.md's "Accepted inputs and errors" table,
each matching tsgate's own message (not merely any ValueError)."""
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

import tsgate
from tsgate import cli
from tests.conftest import FAST
from tests.conftest import monthly as shared_monthly

ONE_MODEL = dict(FAST, n_models=1)  # the quickest forecaster


def monthly(n=40):
    return shared_monthly(n, start="2020-01-01", level=10.0)


def test_regressor_X():
    with pytest.raises(ValueError, match="2-D \\(n_samples, window\\) or 3-D"):
        tsgate.LSTMRegressor(max_iter=1).fit(np.zeros((4, 3, 1, 1)), np.zeros(4))


def test_regressor_y():
    with pytest.raises(ValueError, match="all NaN: there is nothing to learn"):
        tsgate.GRURegressor(max_iter=1).fit(np.zeros((4, 3)), np.full(4, np.nan))


def test_forecaster_y():
    with pytest.raises(ValueError, match="at least 4 are needed"):
        tsgate.GRUForecaster(horizon=6, **ONE_MODEL).fit(monthly(3))
    with pytest.raises(TypeError, match="must be a pandas Series"):
        tsgate.GRUForecaster(**ONE_MODEL).fit(np.arange(30.0))
    long = pd.DataFrame({"unique_id": ["a"] * 30, "ds": monthly(30).index, "sales": 1.0})
    with pytest.raises(ValueError, match="no column\\(s\\) \\['y'\\].*value_col="):
        tsgate.GRUForecaster(**ONE_MODEL).fit(long)


def test_forecaster_X():
    y = monthly()
    X = pd.DataFrame({"x": np.arange(40.0)}, index=y.index)
    model = tsgate.GRUForecaster(horizon=2, **ONE_MODEL).fit(y, X)
    with pytest.raises(ValueError, match="pass their future values for the 2 forecast steps"):
        model.predict()
    with pytest.raises(ValueError, match="NaN or inf; exogenous features must be complete"):
        tsgate.GRUForecaster(horizon=2, **ONE_MODEL).fit(y, X.where(X > 3))
    future = pd.DataFrame({"z": [40.0, 41.0]}, index=pd.date_range(y.index[-1], periods=3,
                                                                    freq="MS")[1:])
    with pytest.raises(ValueError, match=r"missing \['x'\], not seen in fit \['z'\]"):
        model.predict(X=future)


def test_forecaster_new_history_of_another_frequency():
    y = monthly()
    model = tsgate.GRUForecaster(horizon=2, **ONE_MODEL).fit(y)
    with pytest.raises(ValueError, match="steps by QS-JAN, the training data by MS"):
        model.predict(y=y.resample("QS").mean())
    as_periods = y.copy()
    as_periods.index = y.index.to_period("M")  # the same months: accepted
    np.testing.assert_array_equal(model.predict(y=as_periods).to_numpy(), model.predict().to_numpy())


def test_forecaster_score():
    y = monthly()
    model = tsgate.GRUForecaster(horizon=2, **ONE_MODEL).fit(y.iloc[:-2])
    with pytest.raises(ValueError, match="must hold the steps after the training data"):
        model.score(y.iloc[:2])


def test_horizon_and_coverage():
    model = tsgate.GRUForecaster(horizon=2, **ONE_MODEL).fit(monthly())
    with pytest.raises(ValueError, match="horizon must be a positive integer"):
        model.predict(horizon=-1)
    with pytest.raises(ValueError, match="coverage must be a number in \\(0, 1\\)"):
        model.predict_interval(coverage=95)


def test_parameters():
    with pytest.raises(InvalidParameterError, match="'hidden_size' parameter"):
        tsgate.GRUForecaster(hidden_size=0).fit(monthly())
    # bool is an Integral to scikit-learn's checks: refused for integer parameters
    with pytest.raises(InvalidParameterError, match="'horizon' parameter .* got True \\(a bool\\)"):
        tsgate.GRUForecaster(horizon=True).fit(monthly())
    with pytest.raises(InvalidParameterError, match="'window' parameter"):
        tsgate.GRUForecaster(window=True).fit(monthly())
    with pytest.raises(InvalidParameterError, match="'hidden_size' parameter"):
        tsgate.LSTMRegressor(hidden_size=False).fit(np.zeros((5, 3)), np.zeros(5))


def test_device_cuda_without_a_gpu(monkeypatch):
    from tsgate import backend

    monkeypatch.setattr(backend, "cuda_unavailable_reason", lambda: "no NVIDIA driver found")
    with pytest.raises(RuntimeError, match="no NVIDIA driver found"):
        tsgate.GRUForecaster(device="cuda", **ONE_MODEL).fit(monthly())


def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        tsgate.GRUForecaster().predict()
    # whatever the arguments (scikit-learn's check_estimators_unfitted passes an array)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        tsgate.GRUForecaster().predict(np.ones((3, 2)))
    with pytest.raises(NotFittedError, match="not fitted yet"):
        tsgate.LSTMForecaster().predict_interval(coverage=2.0)


def test_load_something_else(tmp_path):
    path = tmp_path / "x.npz"
    np.savez(path, a=np.zeros(2))
    with pytest.raises(ValueError, match="is an .npz file but not a tsgate model"):
        tsgate.load(path)
    with open(path) as text, pytest.raises(TypeError, match="opened in binary mode"):
        tsgate.load(text)


def test_command_line_mistake(capsys):
    code = cli.main(["forecast", "--dataset", "no-such-data"])
    assert code == 2
    assert capsys.readouterr().err.startswith("tsgate: error: unknown dataset 'no-such-data'")


def test_wide_frame_with_multiindex_columns_is_refused_at_fit():
    y = tsgate.datasets.load_airline().iloc[:40]
    wide = pd.DataFrame({("x", 1): y.to_numpy(), ("y", 2): 2.0 * y.to_numpy()}, index=y.index)
    with pytest.raises(ValueError, match="columns are a MultiIndex; name each series by one label"):
        tsgate.GRUForecaster(horizon=3).fit(wide)


def test_messages_name_the_real_problem_and_its_fix():
    """Found by a sweep: each used to get advice that did not fix it, or
    no error at all (complex values lost their imaginary part)."""
    rng = np.random.default_rng(0)
    idx = pd.date_range("2021-01-01", periods=40, freq="D")
    model = tsgate.GRUForecaster(horizon=3, max_iter=2, n_models=1, hidden_size=4)
    with pytest.raises(TypeError, match=r"has dtype bool: .*\.astype\(float\)"):
        model.fit(pd.Series(rng.random(40) > 0.5, index=idx))
    with pytest.raises(TypeError, match=r"complex numbers; pass their real part"):
        model.fit(pd.Series(rng.normal(size=40) + 1j, index=idx))
    with pytest.raises(TypeError, match=r"complex numbers"):
        model.fit(pd.DataFrame({"unique_id": "a", "ds": idx, "y": rng.normal(size=40) + 1j}))
    X = pd.DataFrame(rng.normal(size=(40, 2)), index=idx, columns=["x", "x"])
    with pytest.raises(ValueError, match=r"X has duplicate column names \['x'\]"):
        model.fit(pd.Series(rng.normal(size=40), index=idx), X)
    with pytest.raises(ValueError, match=r"X has no feature columns.*X=None"):
        model.fit(pd.Series(rng.normal(size=40), index=idx), X.iloc[:, :0])
    long = pd.DataFrame({"unique_id": "a", "ds": idx, "y": rng.normal(size=40)})
    with pytest.raises(ValueError, match=r"X \(series 'a'\) has no feature columns"):
        model.fit(long, long[["unique_id", "ds"]])
    swapped = pd.Series(rng.normal(size=80), index=pd.MultiIndex.from_product([idx, ["a", "b"]]))
    with pytest.raises(ValueError, match=r"dates first.*swaplevel"):
        model.fit(swapped)
    # the frequency to set: the data's own grid, not the step of its first dates
    gaps = pd.Timestamp("2020-01-01") + pd.to_timedelta(np.cumsum([3, 3, 3] + [1, 2] * 20), "D")
    with pytest.raises(ValueError, match=r"freq='D'"):
        model.fit(pd.Series(rng.normal(size=len(gaps)), index=gaps))
    months = pd.date_range("2000-01-01", periods=30, freq="MS").delete([3, 10, 20])
    with pytest.raises(ValueError, match=r"freq='MS'"):
        model.fit(pd.Series(rng.normal(size=len(months)), index=months))


def test_score_reads_periods_for_timestamps_and_refuses_integers_for_dates():
    y = pd.Series(np.arange(48.0) % 12 + 10 + np.sin(np.arange(48.0)),
                  index=pd.date_range("2000-01-31", periods=48, freq="ME"))
    model = tsgate.GRUForecaster(horizon=3, max_iter=2, n_models=1, hidden_size=4,
                                 random_state=0).fit(y.iloc[:-3].to_period("M"))
    test = y.iloc[-3:]
    assert model.score(test) == model.score(test.to_period("M"))
    with pytest.raises(ValueError, match=r"indexed by RangeIndex of dtype int64, the training data by "
                                         r"PeriodIndex"):
        model.score(test.reset_index(drop=True))


def test_a_long_frame_with_a_missing_id_names_the_row():
    idx = pd.date_range("2021-01-01", periods=20, freq="D")
    df = pd.DataFrame({"unique_id": ["a"] * 20 + ["b"] * 20, "ds": list(idx) * 2,
                       "y": np.arange(40.0)})
    df.loc[25, "unique_id"] = None
    with pytest.raises(ValueError, match="'unique_id' has a missing series id \\(row 25"):
        tsgate.GRUForecaster(horizon=2, max_iter=2, n_models=1).fit(df)


def test_an_integer_index_with_a_gap_says_where():
    y = pd.Series(np.arange(30.0), index=list(range(10)) + list(range(11, 31)))
    with pytest.raises(ValueError, match=r"steps by 1, then 2 from 9 to 11\); give every step"):
        tsgate.GRUForecaster(horizon=2, max_iter=2, n_models=1).fit(y)


def test_a_period_index_that_skips_periods_is_refused_unless_freq_fills_it():
    # a peak every December; three months missing before the last one
    y = pd.Series(100 + 30.0 * (np.arange(48) % 12 == 11),
                  index=pd.period_range("2000-01", periods=48, freq="M"))
    gappy = y.drop(y.index[[44, 45, 46]])
    model = tsgate.GRUForecaster(horizon=3, **ONE_MODEL)
    with pytest.raises(ValueError, match=r"PeriodIndex skips periods \(2003-12 follows 2003-08\)"
                                         r".*freq='M'"):
        model.fit(gappy)
    with pytest.raises(ValueError, match=r"series 'a'\)'s PeriodIndex skips periods"):
        model.fit(pd.concat({"a": gappy, "b": y}))
    fitted = tsgate.GRUForecaster(horizon=3, freq="M", **ONE_MODEL).fit(gappy)
    assert fitted.collection_.indexes[0].equals(y.index)  # the missing months are NaN
    assert np.isnan(fitted.collection_.values[0][[44, 45, 46]]).all()
    # a new history skipping periods takes the fitted grid (predict has no freq=)
    out = tsgate.GRUForecaster(horizon=3, **ONE_MODEL).fit(y).predict(y=gappy)
    assert out.index.equals(pd.period_range("2004-01", periods=3, freq="M"))


def test_values_beyond_float32_forecast_as_their_scaled_copy():
    """The networks compute in float32 (up to 3.4e38); the inputs are in
    units of the series' typical change, so a series at 1e38 forecasts as
    the same series at 1e8 does (session 32; before, a ValueError said to
    divide y by a constant)."""
    t = np.arange(40)
    y = pd.Series((10 + 3 * np.sin(t * 2 * np.pi / 12) + t / 10) * 1e38,
                  index=pd.date_range("2020-01-01", periods=40, freq="MS"))
    for normalize in ("smooth", "last"):  # the log scale, and the series' own
        big = tsgate.GRUForecaster(horizon=3, normalize=normalize, **ONE_MODEL).fit(y).predict()
        small = tsgate.GRUForecaster(horizon=3, normalize=normalize, **ONE_MODEL).fit(
            y / 1e30).predict()
        np.testing.assert_allclose(big / 1e30, small, rtol=1e-4)


def test_a_horizon_beyond_memory_or_pandas_dates_is_refused_before_the_fit():
    # nanoseconds, whatever pandas' default unit (pandas 3 makes microsecond dates, which
    # reach the year 294,000)
    y = pd.Series(100 + np.arange(48.0),
                  index=pd.date_range("2000-01-01", periods=48, freq="MS").as_unit("ns"))
    with pytest.raises(ValueError, match=r"horizon=10000000 .* GiB .* give a shorter horizon"):
        tsgate.GRUForecaster(horizon=10**7, **ONE_MODEL).fit(y)
    with pytest.raises(ValueError, match=r"100000 steps of MS after 2003-12-01 .*as_unit\('s'\)"):
        tsgate.GRUForecaster(horizon=100000, **ONE_MODEL).fit(y)
    late = y.set_axis(pd.date_range(end="2262-04-01", periods=48, freq="D").as_unit("ns"))
    model = tsgate.GRUForecaster(horizon=5, **ONE_MODEL).fit(late)  # to 2262-04-06: fine
    assert model.predict().index[-1] == pd.Timestamp("2262-04-06")
    with pytest.raises(ValueError, match="pass the latest time pandas holds"):
        model.predict(horizon=30)
    # a horizon past the recursion's bound is refused at once; one within it runs
    # (10**7 steps ran for hours, and dates past pandas' last were found after the work)
    steps = tsgate.GRUForecaster(horizon=2, **ONE_MODEL).fit(y.reset_index(drop=True))
    with pytest.raises(ValueError, match=r"horizon=2001 is 1,000.50 times the fitted horizon 2; "
                                         r".* at most 1000 fitted horizons \(2000 steps\)"):
        steps.predict(horizon=2001)
    assert np.isfinite(steps.predict(horizon=2000)).all()
    seconds = late.set_axis(late.index.as_unit("s"))
    future = tsgate.GRUForecaster(horizon=30, **ONE_MODEL).fit(seconds).predict().index
    assert future[-1] == pd.Timestamp("2262-05-01")


def test_a_new_history_on_another_kind_of_index_is_refused():
    y = monthly()
    dated = tsgate.GRUForecaster(horizon=2, **ONE_MODEL).fit(y)
    with pytest.raises(ValueError, match="is on an integer index, the training data on dates"):
        dated.predict(y=y.reset_index(drop=True))
    undated = tsgate.GRUForecaster(horizon=2, **ONE_MODEL).fit(y.reset_index(drop=True))
    with pytest.raises(ValueError, match=r"is on dates \(MS\), the training data on an integer"):
        undated.predict(y=y)


def test_score_matches_series_by_id_unless_both_are_one_series():
    y = monthly()
    model = tsgate.GRUForecaster(horizon=2, **ONE_MODEL).fit(y.iloc[:-2])
    test = y.iloc[-2:]
    assert model.score(test.rename("renamed")) == model.score(test)
    with pytest.raises(ValueError, match="'zz' is not one the forecaster was fitted on"):
        model.score(pd.concat({"zz": test}))
    with pytest.raises(ValueError, match="'zz' is not one the forecaster was fitted on"):
        model.score(test.to_frame("zz"))


def test_metrics_labels():
    dates = pd.date_range("2020-01-01", periods=3, freq="MS")
    with pytest.raises(ValueError, match="y_pred are labelled differently .* Align them"):
        tsgate.metrics.mae(pd.Series([1.0, 2, 3], index=dates),
                           pd.Series([1.0, 2, 3], index=dates.shift(1)))


@pytest.mark.parametrize("day, alias", [(3, "MS"), (14, "MS"), (9, "QS")])
def test_dates_one_a_month_on_another_day_are_told_to_be_periods(day, alias):
    """Month starts beside months on the 4th: the message advised freq='D'
    (or 'SMS' on the 15th), which puts them on a grid 30 times as dense and
    is refused in turn. It now says to give them as periods, which fits."""
    starts = pd.date_range("2020-01-01", periods=24, freq=alias)
    y = pd.DataFrame({"unique_id": ["A"] * 24 + ["B"] * 24,
                      "ds": list(starts) + list(starts + pd.Timedelta(days=day)),
                      "y": np.r_[np.arange(24.0), 10 + np.arange(24.0)]})
    period = alias[0]
    message = rf"series 'B'\)'s dates step by one .*\.to_period\('{period}'\)"
    with pytest.raises(ValueError, match=message):
        tsgate.GRUForecaster(horizon=2, n_models=1, max_iter=2).fit(y)
    y["ds"] = y["ds"].dt.to_period(period)  # the fix it gives
    fc = tsgate.GRUForecaster(horizon=2, n_models=1, max_iter=2).fit(y).predict()
    assert fc["ds"].tolist() == list(pd.period_range(starts[-1], periods=3, freq=period)[1:]) * 2
