import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from tsgate.metrics import (
    SCORERS,
    coverage,
    mae,
    make_forecast_scorer,
    mase,
    msis,
    neg_mae_scorer,
    neg_mase_scorer,
    neg_msis_scorer,
    neg_rmse_scorer,
    neg_smape_scorer,
    pinball_loss,
    rmse,
    smape,
)

Y_TRUE = [1.0, 2.0, 3.0, 4.0]
Y_PRED = [2.0, 2.0, 1.0, 8.0]  # errors 1, 0, 2, 4


# -------------------------------------------------------------------- metrics


def test_mae_rmse_hand_computed():
    assert mae(Y_TRUE, Y_PRED) == pytest.approx(7 / 4)
    assert rmse(Y_TRUE, Y_PRED) == pytest.approx(np.sqrt(21 / 4))
    assert isinstance(mae(Y_TRUE, Y_PRED), float)


def test_smape_hand_computed():
    # |e| / (|y| + |f|): 1/3, 0/4, 2/4, 4/12
    assert smape(Y_TRUE, Y_PRED) == pytest.approx(200 * (1 / 3 + 0 + 0.5 + 1 / 3) / 4)
    assert smape([0.0, 1.0], [0.0, 1.0]) == 0.0  # 0/0 = 0
    assert smape([0.0, 0.0], [0.0, 3.0]) == pytest.approx(100.0)
    assert smape([2.0], [-2.0]) == pytest.approx(200.0)


def test_mase_hand_computed():
    y_train = [1.0, 3.0, 2.0, 5.0]  # naive errors 2, 1, 3 -> scale 2
    assert mase(Y_TRUE, Y_PRED, y_train) == pytest.approx((7 / 4) / 2)


def test_interval_and_quantile_metrics_hand_computed():
    y = [1.0, 2.0, 3.0, 4.0]
    lower = [0.0, 2.5, 2.0, 4.0]  # misses y = 2 by 0.5 below
    upper = [2.0, 3.0, 2.5, 5.0]  # misses y = 3 by 0.5 above; y = 4 on its bound: inside
    assert coverage(y, lower, upper) == pytest.approx(2 / 4)
    # widths 2, 0.5, 0.5, 1; a = 0.2: penalties 2/a * 0.5 = 5 twice; scale 2 (naive errors 2, 1, 3)
    y_train = [1.0, 3.0, 2.0, 5.0]
    assert msis(y, lower, upper, y_train, coverage=0.8) == pytest.approx((4 + 10) / 4 / 2)
    # at 0.95 the penalty is 2 / 0.05 = 40 per unit missed
    assert msis(y, lower, upper, y_train) == pytest.approx((4 + 40) / 4 / 2)
    # errors y - f: -1, 0, 2, -4; at q = 0.9: 0.1, 0, 1.8, 0.4
    assert pinball_loss(Y_TRUE, Y_PRED, 0.9) == pytest.approx((0.1 + 1.8 + 0.4) / 4)
    assert pinball_loss(Y_TRUE, Y_PRED, 0.5) == pytest.approx(mae(Y_TRUE, Y_PRED) / 2)
    # NaN observations are ignored, as by the other metrics
    assert coverage([1.0, np.nan], [0.0, np.nan], [2.0, np.nan]) == 1.0
    frame = pd.DataFrame({"a": y, "b": y})
    assert msis(frame, pd.DataFrame({"a": lower, "b": lower}), pd.DataFrame({"a": upper, "b": upper}),
                pd.DataFrame({"a": y_train, "b": y_train}), 0.8) == pytest.approx(14 / 4 / 2)


def test_interval_and_quantile_metric_errors():
    with pytest.raises(ValueError, match="lower is above upper"):
        coverage([1.0, 2.0], [0.0, 3.0], [2.0, 2.5])
    with pytest.raises(ValueError, match="same shape as y_true"):
        coverage([1.0, 2.0], [0.0], [2.0, 3.0])
    with pytest.raises(ValueError, match="coverage must be a number in \\(0, 1\\)"):
        msis([1.0], [0.0], [2.0], [1.0, 2.0], coverage=95)
    with pytest.raises(ValueError, match="scale is 0"):
        msis([1.0], [0.0], [2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="quantile must be a number in \\(0, 1\\)"):
        pinball_loss([1.0], [1.0], 1.5)
    with pytest.raises(ValueError, match="lower contains NaN"):
        coverage([1.0], [np.nan], [2.0])


def test_mase_season_length_12():
    t = np.arange(36)
    y_train = np.tile(np.arange(12.0), 3) + t / 6  # lag-12 error = 2 everywhere
    y_true = np.arange(12.0) + np.arange(36, 48) / 6
    seasonal_naive = y_train[-12:]  # each error is 2 -> MASE 1
    assert mase(y_true, seasonal_naive, y_train, season_length=12) == pytest.approx(1.0)
    assert mase(y_true, y_true + 3.0, y_train, season_length=12) == pytest.approx(1.5)


def test_mase_constant_at_lag_raises():
    y_train = np.tile(np.arange(12.0), 3)
    with pytest.raises(ValueError, match=r"scale is 0: y_train is constant at lag 12.*another metric"):
        mase(np.arange(12.0), np.arange(12.0), y_train, season_length=12)
    # at lag 1 the same series is not constant
    assert mase([0.0, 1.0], [1.0, 1.0], y_train) > 0


def test_mase_training_too_short_and_bad_season():
    with pytest.raises(ValueError, match=r"no pair of observed values 12 steps apart.*longer"):
        mase([1.0], [1.0], np.arange(12.0), season_length=12)
    with pytest.raises(TypeError, match=r"season_length must be an int.*season_length=12"):
        mase([1.0], [1.0], np.arange(5.0), season_length=1.5)
    with pytest.raises(ValueError, match=r"season_length must be >= 1"):
        mase([1.0], [1.0], np.arange(5.0), season_length=0)
    with pytest.raises(ValueError, match=r"y_train has shape \(5, 2\) but y_true has shape \(1,\)"):
        mase([1.0], [1.0], np.ones((5, 2)))


def test_mase_dataframe_scales_each_column():
    y_train = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [0.0, 2.0, 4.0]})  # scales 1 and 2
    y_true = pd.DataFrame({"a": [3.0, 4.0], "b": [6.0, 8.0]})
    y_pred = pd.DataFrame({"a": [4.0, 5.0], "b": [4.0, 2.0]})  # |e|: a 1, 1; b 2, 6
    # scaled: 1, 1, 1, 3 -> mean 1.5
    assert mase(y_true, y_pred, y_train) == pytest.approx(1.5)
    with pytest.raises(ValueError, match=r"y_train's series 'b' is constant at lag 1"):
        mase(y_true, y_pred, pd.DataFrame({"a": [0.0, 1.0], "b": [3.0, 3.0]}))


def test_mase_pairs_training_values_by_date_not_by_row():
    # one missing day: by row, every lag-7 pair across it spans 8 days
    rng = np.random.default_rng(0)
    days = pd.date_range("2020-01-01", periods=60, freq="D")
    full = pd.Series(10 + 5 * np.sin(np.arange(60) * 2 * np.pi / 7) + rng.normal(size=60),
                     index=days)
    gap, nan = full.drop(days[20]), full.where(full.index != days[20])
    yt = pd.Series([10.0, 11.0], index=pd.date_range("2020-03-01", periods=2))
    expected = mase(yt, yt + 1, nan, 7)  # the missing day as NaN: its pairs left out
    with pytest.raises(ValueError, match=r"The dates of y_train skip steps.*freq='D'"):
        mase(yt, yt + 1, gap, 7)
    assert mase(yt, yt + 1, gap, 7, freq="D") == pytest.approx(expected)
    assert msis(yt, yt - 1, yt + 1, gap, season_length=7, freq="D") == pytest.approx(
        msis(yt, yt - 1, yt + 1, nan, season_length=7))
    long = pd.DataFrame({"unique_id": "a", "ds": gap.index, "y": gap.to_numpy()})
    true = pd.DataFrame({"unique_id": "a", "ds": yt.index, "y": yt.to_numpy()})
    with pytest.raises(ValueError, match=r"The dates of y_train's series 'a' skip steps"):
        mase(true, true.assign(y=true.y + 1), long, 7)
    assert mase(true, true.assign(y=true.y + 1), long, 7, freq="D") == pytest.approx(expected)
    # a PeriodIndex knows its step: a missing period counts as missing
    months = pd.period_range("2020-01", periods=60, freq="M")
    monthly = pd.Series(full.to_numpy(), index=months)
    assert mase([1.0], [2.0], monthly.drop(months[20]), 12) == pytest.approx(
        mase([1.0], [2.0], monthly.where(monthly.index != months[20]), 12))


def test_dataframe_metrics_over_all_entries():
    y_true = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    y_pred = pd.DataFrame({"a": [2.0, 2.0], "b": [1.0, 8.0]})
    assert mae(y_true, y_pred) == pytest.approx(7 / 4)
    assert rmse(y_true, y_pred) == pytest.approx(np.sqrt(21 / 4))


def test_nan_in_y_true_is_ignored():
    y_true = pd.Series([1.0, np.nan, 3.0, np.nan])
    y_pred = pd.Series([2.0, 100.0, 3.0, np.nan])
    assert mae(y_true, y_pred) == pytest.approx(0.5)
    assert rmse(y_true, y_pred) == pytest.approx(np.sqrt(0.5))
    assert smape(y_true, y_pred) == pytest.approx(200 * (1 / 3) / 2)
    y_train = [0.0, np.nan, 2.0, 3.0, 5.0]  # valid lag-1 errors 1, 2 -> scale 1.5
    assert mase(y_true, y_pred, y_train) == pytest.approx(0.5 / 1.5)
    df_true = pd.DataFrame({"a": [1.0, np.nan], "b": [np.nan, 4.0]})
    df_pred = pd.DataFrame({"a": [3.0, 0.0], "b": [0.0, 5.0]})
    assert mae(df_true, df_pred) == pytest.approx(1.5)


def test_no_valid_pair_raises():
    with pytest.raises(ValueError, match=r"No valid pair.*at least one observed"):
        mae([np.nan, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="No valid pair"):
        rmse([], [])


def test_shape_mismatch_raises():
    with pytest.raises(ValueError, match=r"y_true has shape \(3,\) but y_pred has shape \(2,\).*same shape"):
        mae([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"shape \(2,\) but y_pred has shape \(2, 1\)"):
        smape([1.0, 2.0], [[1.0], [2.0]])


def test_misaligned_pandas_labels_raise_and_other_kinds_pair_by_position():
    dates = pd.date_range("2020-01-01", periods=4, freq="MS")
    y = pd.Series(Y_TRUE, index=dates)
    assert mae(y, pd.Series(Y_PRED, index=dates)) == 1.75
    # a forecast a step off: the same kind of labels, different ones
    with pytest.raises(ValueError, match=r"labelled differently \(rows: Timestamp\('2020-01-01.*"
                                         r"Timestamp\('2020-02-01.*at position 0\).*reindex"):
        mae(y, pd.Series(Y_PRED, index=dates + pd.offsets.MonthBegin()))
    with pytest.raises(ValueError, match="lower are labelled differently"):
        coverage(y, pd.Series(Y_PRED, index=dates[::-1]), pd.Series(Y_PRED, index=dates) + 9)
    # a wide frame's columns in another order
    wide = pd.DataFrame({"a": Y_TRUE, "b": Y_PRED}, index=dates)
    with pytest.raises(ValueError, match=r"columns: 'a' against 'b'"):
        rmse(wide, wide[["b", "a"]])
    assert rmse(wide, wide) == 0.0
    # labels of another kind, or none: by position, as documented
    assert mae(y.reset_index(drop=True), pd.Series(Y_PRED, index=dates)) == 1.75
    assert mae(y, Y_PRED) == 1.75
    assert mae(pd.Series(Y_TRUE, index=dates.to_period("M")), pd.Series(Y_PRED, index=dates)) == 1.75


def test_invalid_forecast_and_non_numeric_raise():
    with pytest.raises(ValueError, match=r"y_pred contains NaN/inf where y_true is observed"):
        mae([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(ValueError, match=r"y_true contains inf.*NaN"):
        mae([1.0, np.inf], [1.0, 2.0])
    with pytest.raises(TypeError, match=r"y_true must be numeric.*astype\(float\)"):
        mae(np.array(["a", "b"]), [1.0, 2.0])
    with pytest.raises(TypeError, match=r"y_pred column 'c' has non-numeric dtype"):
        mae([1.0, 2.0], pd.DataFrame({"c": ["x", "y"]}))


# -------------------------------------------------------------------- scorers


class SeasonalNaive(BaseEstimator):
    """Fake tsgate forecaster: repeats the last season of the training data."""

    def __init__(self, season_length=1, bias=0.0):
        self.season_length = season_length
        self.bias = bias

    def fit(self, y, X=None):
        self.y_ = y
        self.season_length_ = self.season_length
        return self

    def predict(self, horizon=None, X=None):
        m = self.season_length_
        last = self.y_.iloc[-m:].to_numpy()  # (m,) or (m, k)
        values = last[np.arange(horizon) % m] + self.bias  # (horizon,) or (horizon, k)
        start = len(self.y_)
        index = pd.RangeIndex(start, start + horizon)  # differs from y_test's index
        if isinstance(self.y_, pd.DataFrame):
            return pd.DataFrame(values, index=index, columns=self.y_.columns)
        return pd.Series(values, index=index)


def test_scorers_direct_call():
    idx = pd.date_range("2024-01-01", periods=6, freq="D")
    y = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], index=idx)
    model = SeasonalNaive().fit(y.iloc[:4])
    y_test = y.iloc[4:]  # forecast [4, 4] -> errors 1, 2
    assert neg_mae_scorer(model, y_test) == pytest.approx(-1.5)
    assert neg_rmse_scorer(model, y_test, None) == pytest.approx(-np.sqrt(2.5))
    assert neg_smape_scorer(model, y_test) == pytest.approx(-200 * (1 / 9 + 2 / 10) / 2)
    assert neg_mase_scorer(model, y_test) == pytest.approx(-1.5)  # training scale 1
    assert set(SCORERS) == {"neg_mae", "neg_rmse", "neg_smape", "neg_mase"}
    assert SCORERS["neg_mae"] is neg_mae_scorer


def test_mase_scorer_uses_estimator_season_length():
    y = pd.Series([0.0, 10.0, 1.0, 11.0, 2.0, 12.0, 3.0, 13.0])
    model = SeasonalNaive(season_length=2).fit(y.iloc[:6])  # forecast [2, 12]
    # lag-2 training errors: all 1 -> scale 1; test errors 1, 1
    assert neg_mase_scorer(model, y.iloc[6:]) == pytest.approx(-1.0)


def test_scorer_dataframe_and_one_column_forecast():
    y = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 4.0, 6.0, 8.0]})
    model = SeasonalNaive().fit(y.iloc[:3])  # forecast a 3, b 6
    assert neg_mae_scorer(model, y.iloc[3:]) == pytest.approx(-1.5)
    assert neg_mase_scorer(model, y.iloc[3:]) == pytest.approx(-1.0)  # 1/1 and 2/2

    class OneColumn(SeasonalNaive):
        def predict(self, horizon=None, X=None):
            return super().predict(horizon).to_frame("forecast")

    model = OneColumn().fit(pd.Series([1.0, 2.0, 3.0]))
    assert neg_mae_scorer(model, pd.Series([4.0, 5.0])) == pytest.approx(-1.5)


def test_make_forecast_scorer_options_and_errors():
    model = SeasonalNaive().fit(pd.Series([1.0, 2.0, 3.0]))
    assert make_forecast_scorer(mae, greater_is_better=True)(model, [4.0, 5.0]) == pytest.approx(1.5)
    assert "mae" in repr(neg_mae_scorer)
    with pytest.raises(TypeError, match=r"metric must be a callable.*pass the function"):
        make_forecast_scorer("mae")
    with pytest.raises(TypeError, match=r"greater_is_better must be a bool"):
        make_forecast_scorer(mae, greater_is_better="no")

    class NoTrain(BaseEstimator):
        def fit(self, y, X=None):
            return self

        def predict(self, horizon=None, X=None):
            return pd.Series(np.zeros(horizon))

    with pytest.raises(ValueError, match=r"has no attribute y_.*self\.y_"):
        neg_mase_scorer(NoTrain().fit(None), [1.0, 2.0])


def _seasonal_series():
    pattern = np.array([1.0, 5.0, 2.0, 8.0, 3.0])
    t = np.arange(40)
    return pd.Series(np.tile(pattern, 8) + 0.1 * t, index=pd.date_range("2020-01", periods=40, freq="MS"))


@pytest.mark.parametrize("name", ["neg_mae", "neg_rmse", "neg_smape"])
def test_grid_search_picks_true_season(name):
    y = _seasonal_series()
    search = GridSearchCV(
        SeasonalNaive(),
        {"season_length": [1, 5]},
        scoring=SCORERS[name],
        cv=TimeSeriesSplit(n_splits=3, test_size=5),
    )
    search.fit(y)
    assert search.best_params_ == {"season_length": 5}
    assert search.best_score_ < 0
    if name == "neg_mae":
        assert search.best_score_ == pytest.approx(-0.5)  # trend 0.1 * 5 steps


def test_grid_search_mase_scale_follows_candidate_season_length():
    # neg_mase scales by each candidate's own season_length_, so candidates with
    # different season lengths are scored on different scales: here the
    # random-walk candidate looks better on MASE although its MAE is worse.
    y = _seasonal_series()
    search = GridSearchCV(
        SeasonalNaive(),
        {"season_length": [1, 5]},
        scoring=SCORERS,
        refit="neg_mae",
        cv=TimeSeriesSplit(n_splits=3, test_size=5),
    )
    search.fit(y)
    assert search.best_params_ == {"season_length": 5}
    mase_scores = search.cv_results_["mean_test_neg_mase"]
    assert mase_scores[1] == pytest.approx(-1.0)  # error equals its lag-5 naive scale
    assert mase_scores[0] > mase_scores[1]  # season 1 divides by a much larger lag-1 scale


@pytest.mark.parametrize("name", ["neg_mae", "neg_rmse", "neg_smape", "neg_mase"])
def test_grid_search_picks_best_bias(name):
    # season 5 forecasts miss the trend by 0.5 per season, so bias=0.5 is exact
    y = _seasonal_series()
    search = GridSearchCV(
        SeasonalNaive(season_length=5),
        {"bias": [0.0, 0.5, 3.0]},
        scoring=SCORERS[name],
        cv=TimeSeriesSplit(n_splits=3, test_size=5),
    )
    search.fit(y)
    assert search.best_params_ == {"bias": 0.5}
    assert search.best_score_ == pytest.approx(0.0, abs=1e-9)
    scores = search.cv_results_["mean_test_score"]
    assert scores[0] < 0 and scores[2] < scores[0]  # bias 3.0 is worst


def test_grid_search_multimetric_with_scorers_dict():
    y = _seasonal_series()
    search = GridSearchCV(
        SeasonalNaive(season_length=5),
        {"bias": [0.0, 0.5, 3.0]},
        scoring=SCORERS,
        refit="neg_mase",
        cv=TimeSeriesSplit(n_splits=3, test_size=5),
    )
    search.fit(y)
    assert search.best_params_ == {"bias": 0.5}
    for name in SCORERS:
        scores = search.cv_results_[f"mean_test_{name}"]
        assert np.all(np.isfinite(scores))
        assert np.argmax(scores) == 1


def test_mase_scorer_on_a_tsgate_forecaster():
    """tsgate's forecasters keep their training data as collection_, not y_:
    the MASE scorer scales by it (a wide frame's later-starting series by its
    own observed part)."""
    import tsgate
    from tests.conftest import SMALL

    y = tsgate.datasets.load_airline().iloc[:60]
    model = tsgate.GRUForecaster(horizon=4, **SMALL).fit(y.iloc[:-4])
    fc = model.predict()
    expected = mase(y.iloc[-4:], fc.to_numpy(), y.iloc[:-4].to_numpy(), model.season_length_)
    assert neg_mase_scorer(model, y.iloc[-4:]) == pytest.approx(-expected)
    wide = pd.DataFrame({"a": y.to_numpy(), "b": np.r_[np.full(10, np.nan), y.to_numpy()[10:]]},
                        index=y.index)
    model = tsgate.GRUForecaster(horizon=4, **SMALL).fit(wide.iloc[:-4])
    expected = mase(wide.iloc[-4:], model.predict().to_numpy(), wide.iloc[:-4].to_numpy(), 12)
    assert neg_mase_scorer(model, wide.iloc[-4:]) == pytest.approx(-expected)


def test_a_user_metric_with_y_train_gets_one_series_as_1d_arrays():
    """A metric of one's own with a ``y_train`` parameter was given a
    one-series model's test and training values as (h, 1) and (n, 1)
    columns: a plain 1-D MASE took np.diff along the wrong axis and scored
    NaN, and a search ranked every candidate NaN (session 53's sweep)."""
    import tsgate
    from tests.conftest import SMALL

    shapes = []

    def my_mase(y_true, y_pred, y_train):
        shapes.append((np.shape(y_true), np.shape(y_pred), np.shape(y_train)))
        return np.mean(np.abs(y_true - y_pred)) / np.mean(np.abs(np.diff(y_train)))

    y = tsgate.datasets.load_airline().iloc[:60]
    model = tsgate.GRUForecaster(horizon=4, **SMALL).fit(y.iloc[:-4])
    test = y.iloc[-4:].copy()
    test.iloc[1] = np.nan  # a missing test value: left out, as for a metric without y_train
    kept = test.notna().to_numpy()
    expected = my_mase(test.to_numpy()[kept], model.predict().to_numpy()[kept],
                       y.iloc[:-4].to_numpy())
    assert make_forecast_scorer(my_mase)(model, test) == pytest.approx(-expected)
    assert shapes[-1] == ((3,), (3,), (56,))


def test_scorers_on_the_long_and_multiindex_layouts():
    """Matched by series and time step as the forecasters' score: the MAE
    scorer equals score in every layout; MASE scales each series by its own
    training data."""
    import tsgate
    from tests.conftest import SMALL

    y = tsgate.datasets.load_airline().iloc[:60]
    wide = pd.DataFrame({"a": y.to_numpy(), "b": 2.0 * y.to_numpy()}, index=y.index)
    long = wide.rename_axis(index="ds", columns="unique_id").stack().rename("y").reset_index()
    train, test = long[long.ds <= y.index[-4]], long[long.ds > y.index[-4]]
    stacked = long.set_index(["unique_id", "ds"])["y"]
    for tr, te in ((train, test), (stacked[stacked.index.get_level_values(1) <= y.index[-4]],
                                   stacked[stacked.index.get_level_values(1) > y.index[-4]])):
        model = tsgate.GRUForecaster(horizon=3, **SMALL).fit(tr)
        assert neg_mae_scorer(model, te) == pytest.approx(model.score(te))
        fc = model.predict()
        values = fc["y"].to_numpy() if isinstance(fc, pd.DataFrame) else fc.to_numpy()
        pred = values.reshape(2, 3).T  # (h, series)
        actual = wide.iloc[-3:].to_numpy()
        expected = mase(actual, pred, wide.iloc[:-3].to_numpy(), model.season_length_)
        assert neg_mase_scorer(model, te) == pytest.approx(-expected)


def test_msis_scorer_reads_the_band_of_each_series_and_step():
    """neg_msis_scorer: the 95% band of a tsgate forecaster, matched by series
    and time step, scored by msis with each series' training data; any
    coverage through make_forecast_scorer; a grid search can select on it."""
    import tsgate
    from tests.conftest import SMALL
    from tsgate.distributed import PerSeriesForecaster

    y = tsgate.datasets.load_airline().iloc[:60]
    wide = pd.DataFrame({"a": y.to_numpy(), "b": 2.0 * y.to_numpy()}, index=y.index)
    train, test = wide.iloc[:-3], wide.iloc[-3:]
    for model in (tsgate.GRUForecaster(horizon=3, **SMALL).fit(train),
                  PerSeriesForecaster(tsgate.GRUForecaster(horizon=3, **SMALL)).fit(train)):
        for c, scorer in ((0.95, neg_msis_scorer), (0.8, make_forecast_scorer(msis, coverage=0.8))):
            band = model.predict_interval(c)
            expected = msis(test, band.xs("lower", axis=1, level=1), band.xs("upper", axis=1, level=1),
                            train, coverage=c, season_length=getattr(model, "season_length_", 1))
            assert scorer(model, test) == pytest.approx(-expected)
    # steps 2 and 3 only: matched by time step, not by position
    one = tsgate.GRUForecaster(horizon=3, **SMALL).fit(y.iloc[:-3])
    band = one.predict_interval(0.95)
    expected = msis(y.iloc[-2:], band["lower"].iloc[1:], band["upper"].iloc[1:], y.iloc[:-3],
                    season_length=one.season_length_)
    assert neg_msis_scorer(one, y.iloc[-2:]) == pytest.approx(-expected)
    assert "coverage=0.8" in repr(make_forecast_scorer(msis, coverage=0.8))
    with pytest.raises(TypeError, match="needs a tsgate forecaster"):
        neg_msis_scorer(SeasonalNaive().fit(y), y.iloc[-3:])
    with pytest.raises(ValueError, match="coverage must be a number in \\(0, 1\\)"):
        make_forecast_scorer(msis, coverage=95)
    search = GridSearchCV(tsgate.GRUForecaster(horizon=3, **SMALL), {"hidden_size": [4, 8]},
                          scoring=neg_msis_scorer, cv=TimeSeriesSplit(n_splits=2, test_size=3))
    search.fit(y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_pinball_scorer_scores_the_quantile_forecast():
    """A scorer of pinball_loss compares y_test with predict_quantiles([q]),
    matched by series and time step (it compared the point forecast, and
    without a quantile failed at score time); the quantile is asked for."""
    import functools

    import tsgate
    from tests.conftest import SMALL
    from tsgate.distributed import PerSeriesForecaster

    y = tsgate.datasets.load_airline().iloc[:60]
    wide = pd.DataFrame({"a": y.to_numpy(), "b": 2.0 * y.to_numpy()}, index=y.index)
    train, test = wide.iloc[:-3], wide.iloc[-3:]
    for model in (tsgate.GRUForecaster(horizon=3, **SMALL).fit(train),
                  PerSeriesForecaster(tsgate.GRUForecaster(horizon=3, **SMALL)).fit(train)):
        quantiles = model.predict_quantiles([0.1, 0.5, 0.9])
        for q in (0.1, 0.5, 0.9):
            got = quantiles.xs(f"q_{q}", axis=1, level=1)
            expected = pinball_loss(test, got, quantile=q)
            assert make_forecast_scorer(pinball_loss, quantile=q)(model, test) == pytest.approx(-expected)
        point = model.predict()[["a", "b"]]  # (3, 2): the median, not the 0.9 quantile
        assert expected != pytest.approx(pinball_loss(test, point, quantile=0.9))
    bound = make_forecast_scorer(functools.partial(pinball_loss, quantile=0.9))
    assert "quantile=0.9" in repr(bound) and "pinball_loss" in repr(bound)
    one = tsgate.GRUForecaster(horizon=3, **SMALL).fit(y.iloc[:-3])
    q9 = one.predict_quantiles([0.9])["q_0.9"]
    assert bound(one, y.iloc[-3:]) == pytest.approx(-pinball_loss(y.iloc[-3:], q9, quantile=0.9))
    with pytest.raises(ValueError, match=r"pinball_loss scores a quantile forecast.*quantile=0\.9"):
        make_forecast_scorer(pinball_loss)
    with pytest.raises(ValueError, match="mae takes no quantile"):
        make_forecast_scorer(mae, quantile=0.9)
    with pytest.raises(ValueError, match=r"quantile must be"):
        make_forecast_scorer(pinball_loss, quantile=1.5)
    with pytest.raises(TypeError, match="has no predict_quantiles"):
        make_forecast_scorer(pinball_loss, quantile=0.9)(SeasonalNaive().fit(y), y.iloc[-3:])


def test_scorers_on_a_per_series_forecaster():
    import tsgate
    from tests.conftest import SMALL
    from tsgate.distributed import PerSeriesForecaster

    y = tsgate.datasets.load_airline().iloc[:60]
    wide = pd.DataFrame({"a": y.to_numpy(), "b": 2.0 * y.to_numpy()}, index=y.index)
    model = PerSeriesForecaster(tsgate.GRUForecaster(horizon=3, **SMALL)).fit(wide.iloc[:-3])
    test = wide.iloc[-3:]
    assert neg_mae_scorer(model, test) == pytest.approx(model.score(test))
    # scaled at the members' season, as a global model's score is (lag 1 before session 32)
    assert model.season_length_ == 12
    expected = mase(test.to_numpy(), model.predict().to_numpy(), wide.iloc[:-3].to_numpy(), 12)
    assert neg_mase_scorer(model, test) == pytest.approx(-expected)


def test_long_frames_are_scored_on_their_values_by_series_and_time():
    """A long frame's numeric id and time columns were scored as values of
    0 error (mae 0.47 where the values' was 1.42), and a test frame sorted
    by time was refused as labelled differently."""
    import tsgate.metrics as m

    rng = np.random.default_rng(0)
    test = pd.DataFrame({"unique_id": np.repeat([1, 2], 4), "ds": np.tile(np.arange(10, 14), 2),
                         "y": rng.normal(size=8)})
    forecast = test.assign(y=test["y"] + rng.normal(size=8))
    train = pd.DataFrame({"unique_id": np.repeat([1, 2], 10), "ds": np.tile(np.arange(10), 2),
                          "y": rng.normal(size=20)})
    err = (test["y"] - forecast["y"]).to_numpy()
    by_time = forecast.sort_values(["ds", "unique_id"])
    for f in (forecast, by_time):
        assert m.mae(test, f) == pytest.approx(np.abs(err).mean())
        assert m.rmse(test, f) == pytest.approx(np.sqrt(np.mean(err ** 2)))
    scale = [np.abs(np.diff(train["y"][train["unique_id"] == k])).mean() for k in (1, 2)]
    expected = np.mean(np.abs(err) / np.repeat(scale, 4))
    assert m.mase(test, by_time, train) == pytest.approx(expected)
    assert m.mase(test.sort_values("ds"), forecast, train) == pytest.approx(expected)
    with pytest.raises(ValueError, match="collections of other .series id, time. labels"):
        m.mae(test, forecast.assign(ds=forecast["ds"] + 1))  # other labels: refused
    as_text = by_time.assign(ds=by_time["ds"].astype(str))  # other types: not by position
    with pytest.raises(ValueError, match="of the same types"):
        m.mae(test, as_text)
    # a y_train without series ids: one scale for every series was used (session 44's
    # sweep: 0.089 or 0.5 where each series' own scale gives 0.275); one series is unambiguous
    for plain in (train["y"].to_numpy(), train["y"][train["unique_id"] == 1]):
        with pytest.raises(ValueError, match="y_true is a collection .* of 2 series, but "
                                             "y_train is not"):
            m.mase(test, forecast, plain)
        with pytest.raises(ValueError, match="pass y_train in the same layout"):
            m.msis(test, forecast, forecast.assign(y=forecast["y"] + 1), plain)
    one = test[test["unique_id"] == 1]
    assert m.mase(one, forecast[forecast["unique_id"] == 1],
                  train["y"][train["unique_id"] == 1].to_numpy()) == pytest.approx(
        np.abs(err[:4]).mean() / scale[0])


# ---------------------------------------------- pyarrow dates (read_parquet's)

def _date32(times):
    pa = pytest.importorskip("pyarrow")
    return pd.array(pd.DatetimeIndex(times).date, dtype=pd.ArrowDtype(pa.date32()))


def _long(ids, times, values):
    return pd.DataFrame({"unique_id": ids, "ds": times, "y": values})


def test_date32_observations_pair_with_a_forecasts_datetimes():
    """ds as date32[pyarrow] (read_parquet's) is what fit reads as datetimes,
    and predict gives datetimes back: the metrics refused to pair the user's
    own test data with them ("collections of other (series id, time)
    labels"; one Series: "labelled differently ... datetime.date against
    Timestamp")."""
    train_t = pd.date_range("2020-01", periods=8, freq="MS")
    test_t = pd.date_range("2020-09", periods=3, freq="MS")
    ids = np.repeat(["a", "b"], 3)
    train = _long(np.repeat(["a", "b"], 8), np.tile(train_t, 2), np.arange(16.0) ** 1.5)
    test = _long(ids, np.tile(test_t, 2), [30.0, 31, 35, 70, 72, 71])
    fc = _long(ids, np.tile(test_t, 2), [29.0, 33, 34, 69, 75, 70])  # as predict returns it
    arrow_train = train.assign(ds=_date32(train.ds))
    arrow_test = test.assign(ds=_date32(test.ds))
    assert mae(arrow_test, fc) == mae(test, fc)
    assert mase(arrow_test, fc, arrow_train) == mase(test, fc, train)
    on_index = [f.set_index(["unique_id", "ds"]).y for f in (test, arrow_test, fc)]
    assert mae(on_index[1], on_index[2]) == mae(on_index[0], on_index[2])
    one = [f[f.unique_id == "a"].set_index("ds").y for f in (test, arrow_test, fc, train,
                                                             arrow_train)]
    assert mase(one[1], one[2], one[4]) == mase(one[0], one[2], one[3])


def test_collections_of_other_labels_name_the_label_the_other_lacks():
    """The message quoted each side's first label, equal where a series was
    missing from the forecast ("('a', 2001-09-01) against ('a', 2001-09-01)
    first"); it names the first label one side lacks."""
    t = pd.date_range("2001-09", periods=2, freq="MS")
    true = _long(np.repeat(["a", "b"], 2), np.tile(t, 2), [1.0, 2, 3, 4])
    with pytest.raises(ValueError, match=r"y_true has \('b', Timestamp\('2001-09-01"):
        mae(true, true[true.unique_id == "a"])
    # a forecast of more rows than y_true has: those y_true lacks are missing values
    # (session 51; they were refused, "the forecast has ('c', ...)")
    extra = pd.concat([true, _long(["c"], t[:1], [5.0])])
    assert mae(true, extra) == 0.0


def test_a_date32_training_series_that_skips_a_month_goes_on_the_freq_grid():
    """freq= puts training dates on their grid; for pyarrow dates it said
    "freq applies to dates, but y_train's index is a Index"."""
    t = pd.date_range("2020-01", periods=10, freq="MS").delete(4)
    train = pd.Series(np.arange(9.0) ** 1.5, index=t)
    test_t = pd.date_range("2020-11", periods=2, freq="MS")
    y_true, y_pred = pd.Series([40.0, 41.0], index=test_t), pd.Series([39.0, 42.0], index=test_t)
    arrow = train.set_axis(pd.Index(_date32(t)))
    assert mase(y_true, y_pred, arrow, freq="MS") == mase(y_true, y_pred, train, freq="MS")


def test_training_times_that_the_scale_cannot_pair_by_row_are_refused_or_read():
    """Review of session 36's date pairing: business days were advised
    freq='D' (lags of 5 calendar days), text dates of a collection and
    repeated dates were paired by row, integer steps with a gap too."""
    rng = np.random.default_rng(0)
    days = pd.bdate_range("2023-01-02", periods=80)
    business = pd.Series(10 + rng.normal(size=80).cumsum(), index=days)
    with pytest.raises(ValueError, match=r"freq='B'"):
        mase([1.0], [2.0], business.drop(days[30]), 5)
    assert mase([1.0], [2.0], business.drop(days[30]), 5, freq="B") == pytest.approx(
        mase([1.0], [2.0], business.where(business.index != days[30]), 5))
    months = pd.date_range("2020-01-01", periods=40, freq="MS")
    values = 10 + 3 * np.sin(np.arange(40)) + rng.normal(size=40)
    text = pd.DataFrame({"unique_id": "a", "ds": months.strftime("%Y-%m-%d"), "y": values})
    true = pd.DataFrame({"unique_id": "a", "ds": ["2023-05-01", "2023-06-01"], "y": [1.0, 2.0]})
    pred = true.assign(y=true.y + 1)
    with pytest.raises(ValueError, match=r"series 'a' skip steps.*freq='MS'"):
        mase(true, pred, text.drop(index=10), 12)
    gap = text.assign(y=np.where(text.index == 10, np.nan, text.y))
    assert mase(true, pred, text.drop(index=10), 12, freq="MS") == pytest.approx(
        mase(true, pred, gap, 12))
    dated = pd.Series(values, index=months)
    with pytest.raises(ValueError, match=r"The times of y_train repeat"):
        mase([1.0], [2.0], pd.concat([dated.iloc[:5], dated.iloc[4:]]), 12)
    steps = pd.Series(values)  # integer steps: a dropped row is a missing one
    assert mase([1.0], [2.0], steps.drop(10), 12) == pytest.approx(
        mase([1.0], [2.0], steps.where(steps.index != 10), 12))
    with pytest.raises(ValueError, match=r"nearly all of them missing"):
        mase([1.0], [2.0], pd.Series([1.0, 2.0, 3.0], index=[0, 1, 10**9]))
    with pytest.raises(ValueError, match=r"freq='D' applies to dates"):
        mase([1.0], [2.0], pd.Series(values), 12, freq="D")


def test_a_forecast_in_a_long_frame_of_its_own_column_names_is_scored_by_series_and_time():
    """A forecaster fitted with id_col="store", time_col="week" answers in those
    columns; the metrics read only unique_id and ds as labels and scored the
    ids and weeks as values of 0 error (mae 3.33 where the values' was 10).
    The forecast names its columns in attrs; the metrics read y_true and
    y_train by them too."""
    import tsgate

    rows = [(s, w, 100.0 * s + w + 5 * np.sin(w)) for s in (1, 2) for w in range(30)]
    full = pd.DataFrame(rows, columns=["store", "week", "sales"])
    train, test = full[full["week"] < 27], full[full["week"] >= 27]
    model = tsgate.GRUForecaster(horizon=3, id_col="store", time_col="week", value_col="sales",
                                 n_models=1, max_iter=2, random_state=0).fit(train)
    forecast = model.predict()
    assert forecast.attrs["long_columns"] == ["store", "week"]
    err = test["sales"].to_numpy() - forecast["sales"].to_numpy()  # both by store, then week
    for scored in (test, test.sort_values(["week", "store"])):
        assert mae(scored, forecast) == pytest.approx(np.abs(err).mean())
    scale = [np.abs(np.diff(train["sales"][train["store"] == k])).mean() for k in (1, 2)]
    assert mase(test, forecast, train) == pytest.approx(np.mean(np.abs(err) / np.repeat(scale, 3)))
    # frames of other names without a forecast's attrs: text times are named as the fix
    with pytest.raises(TypeError, match="named unique_id and ds"):
        mae(test.astype({"week": str}), test.astype({"week": str}).assign(sales=0.0))


def test_custom_interval_and_scaled_metrics_get_the_observed_steps_only():
    """A fold's gap (TimeSeriesSplit(gap=2)) and missing test values reached a
    custom interval metric as NaN (coverage 0.33 where tsgate's gave 0.5), and
    a custom metric of y_train returned NaN; point metrics had them dropped."""
    from sklearn.model_selection import cross_validate

    import tsgate

    y = tsgate.datasets.load_airline().iloc[:48]
    seen = []

    def my_coverage(y_true, lower, upper):
        seen.append(np.asarray(y_true))
        return float(np.mean((y_true >= lower) & (y_true <= upper)))

    def my_scaled(y_true, y_pred, y_train):
        seen.append(np.asarray(y_true))
        return float(np.mean(np.abs(y_true - y_pred)) / np.nanmean(np.abs(np.diff(y_train, axis=0))))

    scoring = {"own": make_forecast_scorer(coverage, greater_is_better=True, coverage=0.8),
               "mine": make_forecast_scorer(my_coverage, greater_is_better=True, coverage=0.8),
               "scaled": make_forecast_scorer(my_scaled)}
    model = tsgate.GRUForecaster(horizon=4, n_models=1, hidden_size=4, max_iter=2, random_state=0)
    out = cross_validate(model, y, cv=TimeSeriesSplit(n_splits=2, test_size=4, gap=2),
                         scoring=scoring, error_score="raise")
    np.testing.assert_array_equal(out["test_mine"], out["test_own"])
    assert np.isfinite(out["test_scaled"]).all()
    assert all(not np.isnan(v).any() and len(v) == 4 for v in seen)  # the 4 after the gap


def test_a_score_of_the_training_steps_names_return_train_score():
    """GridSearchCV(return_train_score=True) scored the training fold, and
    the error said only that its steps are not after the training data; it
    names validation_curve too, which has no return_train_score."""
    import tsgate

    y = tsgate.datasets.load_airline().iloc[:48]
    model = tsgate.GRUForecaster(horizon=4, n_models=1, hidden_size=4, max_iter=2,
                                 random_state=0).fit(y.iloc[:40])
    with pytest.raises(ValueError, match="leave scikit-learn's return_train_score False; "
                                         "validation_curve and learning_curve"):
        model.score(y.iloc[:40])
    with pytest.raises(ValueError, match=r"is not one of them\.$"):  # past the steps: no hint
        model.score(y.iloc[45:48].set_axis(pd.date_range("1930-01-01", periods=3, freq="MS")))


def test_rmse_of_any_size():
    """Squared as they were, errors of 1e200 gave inf and of 1e-200 gave 0."""
    yt, yp = np.array([1.0, 2, 3]), np.array([1.5, 2, 2])
    for size in (1e200, 1e-200):
        np.testing.assert_allclose(rmse(yt * size, yp * size), rmse(yt, yp) * size, rtol=1e-12)


def test_numbers_written_as_text_are_refused_by_the_metrics():
    """An object array of "1.5", "2", "3" was scored as numbers, where text
    arrays and the regressors refuse text."""
    with pytest.raises(TypeError, match="holds text"):
        mae(np.array(["1.5", "2", "3"], dtype=object), [1.5, 2.0, 2.0])
    assert mae(np.array([1.5, 2.0, 3.0], dtype=object), [1.5, 2.0, 2.0]) == pytest.approx(1 / 3)


def test_a_long_y_true_without_some_of_the_forecasts_rows_scores_the_rows_it_has():
    """An observation left out of a long table is a missing one, as NaN is:
    the same y_true without that row was refused (session 51's sweep). A
    forecast without one of y_true's rows still is."""
    fut = pd.date_range("2001-01-01", periods=3, freq="MS")

    def long(a, b):
        return pd.DataFrame({"unique_id": np.repeat(["a", "b"], 3), "ds": list(fut) * 2,
                             "y": np.r_[a, b]})

    fc = long([1.5, 2, 2], [3.0, 5, 6])
    with_nan = long([1.0, 2, 3], [4.0, 5, np.nan])
    assert mae(with_nan.dropna(), fc) == mae(with_nan, fc) == 0.5
    with pytest.raises(ValueError, match="the forecast lacks"):
        mae(with_nan, fc.iloc[:-1])


def test_a_scorer_too_long_a_season_for_its_fold_names_the_scorers_fix():
    """The scorer supplies season_length_ (12) to mase; a training fold of 10
    months was told to pass a smaller season_length, which the user never
    passed (session 51's sweep)."""
    import tsgate
    from tests.conftest import FAST

    y = pd.Series(np.sin(np.arange(14.0)), index=pd.date_range("2000-01-01", periods=14, freq="MS"))
    model = tsgate.GRUForecaster(horizon=4, n_models=1, **FAST).fit(y.iloc[:10])
    assert model.season_length_ == 12
    with pytest.raises(ValueError, match=r"took season_length=12 .*partial\(mase, season_length=1\)"):
        neg_mase_scorer(model, y.iloc[10:])


def test_a_misspelt_freq_of_a_metric_is_named_as_such():
    """mase(..., freq='XYZ') was told of a clock time its zone skips, and to
    drop the dates' zone (the alias' parse error was caught as one)."""
    y_train = pd.Series(np.arange(10.0), pd.date_range("2021-01-01", periods=10))
    for call in (lambda: mase([1.0, 2.0], [1.5, 2.0], y_train, freq="XYZ"),
                 lambda: msis([1.0, 2.0], [0.0, 1.0], [2.0, 3.0], y_train, freq="XYZ")):
        with pytest.raises(ValueError, match=r"freq='XYZ' is not a pandas frequency alias"):
            call()


def test_scoring_dates_without_a_set_frequency_warns_of_no_deprecation():
    """On an index without freq (read from a file) the fitted step is an
    inferred offset, which on_grid tested with isinstance(freq, DateOffset):
    pandas 3 deprecates that for offsets that are no DateOffset (a
    Pandas4Warning, a DeprecationWarning, from score and every scorer)."""
    import warnings

    import tsgate
    from tests.conftest import SMALL

    y = tsgate.datasets.load_airline().iloc[:60]
    y.index = pd.DatetimeIndex(list(y.index))  # (no freq)
    model = tsgate.GRUForecaster(horizon=4, **SMALL).fit(y.iloc[:-4])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        warnings.simplefilter("error", FutureWarning)
        # (two steps: too few to infer their step, so the fitted one is taken)
        assert np.isfinite(model.score(y.iloc[-4:-2]))
        assert np.isfinite(neg_mase_scorer(model, y.iloc[-4:-2]))
