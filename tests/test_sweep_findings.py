"""Defects found by a sweep of scikit-learn and forecasting uses (session 32),
each with the test that would have caught it: NumPy settings that could not
be saved, training series scaled by another series' column, an early
stopping that trained on nothing, scorers that scaled per-series fits by
another lag, a template's freq ignored, quantiles next to the median."""
import io
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV

import tsgate
from tests.conftest import FAST
from tsgate import metrics
from tsgate.distributed import PerSeriesForecaster, forecast_long

MONTHS = pd.date_range("2020-01-01", periods=60, freq="MS")


def _seasonal(scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(len(MONTHS))
    return scale * (20 + 5 * np.sin(2 * np.pi * t / 12) + 0.1 * t + rng.normal(size=len(t)))


def test_numpy_settings_from_a_grid_are_saved():
    """``GridSearchCV`` over ``np.arange`` sets ``hidden_size`` to an
    ``np.int64``: ``save`` raised JSON's TypeError."""
    X = np.random.default_rng(0).normal(size=(30, 6))
    y = X[:, -1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(tsgate.GRURegressor(max_iter=3, random_state=0),
                              {"hidden_size": np.arange(4, 6)}, cv=2).fit(X, y)
        others = [tsgate.GRURegressor(hidden_size=np.int64(4), max_iter=2, random_state=0,
                                      bidirectional=np.True_, dropout=np.float32(0.1)).fit(X, y)]
    for model in [search.best_estimator_, *others]:
        buffer = io.BytesIO()
        model.save(buffer)
        buffer.seek(0)
        np.testing.assert_array_equal(tsgate.load(buffer).predict(X), model.predict(X))


def test_a_damaged_weight_vector_is_refused_at_load():
    X = np.random.default_rng(0).normal(size=(30, 6))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tsgate.GRURegressor(hidden_size=4, max_iter=2, random_state=0).fit(X, X[:, -1])
    buffer = io.BytesIO()
    model.save(buffer)
    buffer.seek(0)
    arrays = dict(np.load(buffer))
    key = next(k for k, v in arrays.items() if k != "__meta__" and v.size == model.params_.size)

    def damaged(weights):
        out = io.BytesIO()
        np.savez(out, **{**arrays, key: weights})
        out.seek(0)
        return out

    with pytest.raises(ValueError, match=r"weights hold \d+ numbers where its network has"):
        tsgate.load(damaged(arrays[key][:-1]))
    # NaN or inf weights loaded, and predict blamed the inputs ("scale the inputs"; session 37)
    for bad in (np.nan, np.inf):
        weights = arrays[key].copy()
        weights[3] = bad
        with pytest.raises(ValueError, match="damaged: a GRURegressor's weights or optimizer "
                                             "state hold NaN or inf"):
            tsgate.load(damaged(weights))


def test_training_columns_in_another_order_are_refused():
    train = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [10.0, 30, 50, 70, 90]})
    test = pd.DataFrame({"a": [6.0, 7], "b": [110.0, 130]})
    forecast = pd.DataFrame({"a": [6.5, 7.5], "b": [111.0, 131]})
    assert metrics.mase(test, forecast, train) == pytest.approx((0.5 / 1 + 1 / 20) / 2)
    with pytest.raises(ValueError, match="y_true and y_train are labelled differently"):
        metrics.mase(test, forecast, train[["b", "a"]])
    with pytest.raises(ValueError, match="y_true and y_train are labelled differently"):
        metrics.msis(test, forecast * 0.99, forecast * 1.01, train[["b", "a"]])
    # arrays compare by position, on purpose
    assert metrics.mase(test.to_numpy(), forecast.to_numpy(), train.to_numpy()) == \
        metrics.mase(test, forecast, train)


def test_early_stopping_that_leaves_nothing_to_train_on_is_refused():
    X = np.random.default_rng(0).normal(size=(30, 6))
    with pytest.raises(ValueError, match=r"validation_fraction=0.97 of the 30 samples \(30\), "
                                         "leaving none to train on"):
        tsgate.GRURegressor(hidden_size=4, max_iter=2, early_stopping=True,
                            validation_fraction=0.97).fit(X, X[:, -1])


def test_scorers_scale_per_series_fits_by_their_season():
    wide = pd.DataFrame({"a": _seasonal(), "b": 3 * _seasonal(seed=1) + 5}, index=MONTHS)
    train, test = wide.iloc[:54], wide.iloc[54:57]
    per_series = PerSeriesForecaster(tsgate.GRUForecaster(horizon=3, n_models=1, **FAST)).fit(train)
    assert per_series.season_length_ == 12
    expected = metrics.mase(test, per_series.predict(), train, season_length=12)
    assert metrics.neg_mase_scorer(per_series, test) == pytest.approx(-expected)


def test_forecast_long_takes_the_templates_freq():
    long = pd.DataFrame({"unique_id": "a", "ds": MONTHS, "y": _seasonal()}).drop(index=[10])
    template = tsgate.GRUForecaster(freq="MS", n_models=1, **FAST)
    got = forecast_long(long, 2, model=template)
    expected = forecast_long(long, 2, model=tsgate.GRUForecaster(n_models=1, **FAST), freq="MS")
    pd.testing.assert_frame_equal(got, expected)


def test_quantiles_next_to_the_median_and_their_names():
    y = pd.Series(_seasonal(), index=MONTHS)
    model = tsgate.GRUForecaster(horizon=4, n_models=2, **FAST).fit(y)
    q = model.predict_quantiles([0.5 - 1e-13, 0.5 + 1e-13, 0.5 + 1e-9, 0.95])
    assert list(q.columns) == ["q_0.4999999999999", "q_0.5000000000001", "q_0.500000001",
                               "q_0.95"]
    np.testing.assert_array_equal(q.iloc[:, 0], model.predict())  # not the widest residual
    np.testing.assert_array_equal(q.iloc[:, 1], model.predict())
    assert (q.iloc[:, 2] >= model.predict()).all() and (q.iloc[:, 2] <= q.iloc[:, 3]).all()
    names = model.predict_quantiles([0.1234561, 0.1234562]).columns  # 6 digits made them one
    assert list(names) == ["q_0.1234561", "q_0.1234562"]


def test_a_fitted_model_keeps_no_training_workspace():
    """The training plans' buffers stayed alive with the model: 470 MB for a
    week-ahead hourly forecaster whose pickle is 1.3 MB (session 32)."""
    X = np.random.default_rng(0).normal(size=(300, 24)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tsgate.GRURegressor(hidden_size=8, max_iter=2, random_state=0).fit(X, X[:, -1])
    net = model._network()
    assert not net._plans[True]  # no plan with backward buffers
    before = model.predict(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.set_params(warm_start=True, max_iter=1).fit(X, X[:, -1])  # builds them again
    assert not net._plans[True] and model.predict(X).shape == before.shape


def test_session_38_messages_give_fixes_that_work():
    """Three messages of session 38's sweep: a wide frame's columns in another
    order were to be fixed with ``reindex(y_true.columns)``, which reindexes
    rows; Decimal values were called text and sent to ``pd.get_dummies(X)``;
    dates held as text in a Series' index got no word of ``pd.to_datetime``."""
    import decimal

    from tsgate import metrics

    t = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 3.0, 5.0]})
    with pytest.raises(ValueError, match=r"reindex\(columns=y_true.columns\)") as info:
        metrics.mae(t, t[["b", "a"]])
    assert metrics.mae(t, t[["b", "a"]].reindex(columns=t.columns)) == 0.0  # the advice works
    assert "reindex(y_true.columns)" not in str(info.value)
    money = pd.Series([decimal.Decimal("1.5")] * 30, pd.date_range("2020-01-01", periods=30))
    with pytest.raises(TypeError, match=r"Python objects \(Decimal, ...\) with pd.to_numeric "
                                        r"or .astype\(float\)"):
        tsgate.GRUForecaster(horizon=2).fit(money)
    text = pd.Series(np.arange(30.0), index=[f"2020-01-{d:02d}" for d in range(1, 31)])
    with pytest.raises(ValueError, match=r"parse them with y.index = pd.to_datetime\(y.index\)"):
        tsgate.GRUForecaster(horizon=2).fit(text)
    text.index = pd.to_datetime(text.index)  # the advice works
    assert len(tsgate.GRUForecaster(horizon=2, max_iter=2, n_models=1).fit(text).predict()) == 2
