"""Collections: MultiIndex and long layouts, ragged series, short series,
calibrated nested intervals, new histories with exogenous rows, warm start."""
import numpy as np
import pandas as pd
import pytest

import tsgate
from tsgate.calibration import CalibrationWarning
from tests.conftest import SMALL, ar1_seasonal



def ragged(freq="Q"):
    """Three series of different lengths and starts on a (id, period) MultiIndex."""
    rng = np.random.default_rng(0)
    parts = []
    for key, start, n in [("a", "2000Q1", 30), ("b", "2004Q3", 14), ("c", "1995Q2", 50)]:
        t = np.arange(n)
        values = 100 * np.exp(0.01 * t + 0.1 * np.sin(2 * np.pi * t / 4) + 0.02 * rng.normal(size=n))
        index = pd.MultiIndex.from_arrays([[key] * n, pd.period_range(start, periods=n, freq=freq)],
                                          names=["store", "quarter"])
        parts.append(pd.Series(values, index=index))
    return pd.concat(parts).rename("sales")


def test_multiindex_round_trip_on_ragged_series():
    y = ragged()
    model = tsgate.GRUForecaster(horizon=4, **SMALL).fit(y)
    fc = model.predict()
    assert isinstance(fc, pd.Series) and fc.name == "sales"
    assert fc.index.names == ["store", "quarter"]
    for key in ["a", "b", "c"]:
        last = y.loc[key].index[-1]
        assert fc.loc[key].index.equals(pd.period_range(last + 1, periods=4, freq="Q"))
    assert np.isfinite(fc).all()
    iv = model.predict_interval(0.8)
    assert list(iv.columns) == ["lower", "upper"] and iv.index.equals(fc.index)
    assert (iv["lower"] < fc).all() and (fc < iv["upper"]).all()
    assert len(model.regressors_) == model.n_models  # one global ensemble


def test_the_order_of_the_series_changes_no_forecast():
    """The series of a collection in another order (a wide frame's columns, a
    MultiIndex's ids) acted like another seed: forecasts 3% apart. The
    training windows are now stacked in an order of the series' values."""
    y = ragged()
    model = tsgate.GRUForecaster(horizon=4, **SMALL)
    expected = model.fit(y).predict()
    bands = model.predict_interval(coverage=0.8)
    order = ["c", "a", "b"]
    shuffled = pd.concat([y.loc[[key]] for key in order])
    got = tsgate.GRUForecaster(horizon=4, **SMALL).fit(shuffled)
    np.testing.assert_array_equal(got.predict().loc[expected.index], expected)
    np.testing.assert_array_equal(got.predict_interval(coverage=0.8).loc[bands.index], bands)
    wide = y.unstack(0).to_timestamp()
    ab = tsgate.GRUForecaster(horizon=4, **SMALL).fit(wide).predict()
    ba = tsgate.GRUForecaster(horizon=4, **SMALL).fit(wide[order]).predict()
    assert list(ba.columns) == order  # the forecast keeps the order given
    np.testing.assert_array_equal(ba[list(ab.columns)], ab)


def test_a_collection_times_a_factor_forecasts_its_scaled_copy():
    """The series' order was their working values' bytes, which change with
    the scale: the collection times 1000 stacked its windows in another
    order and forecast 1e-4 apart from its scaled copy (one series is
    exact to rounding). The order now reads the standardized values."""
    rng = np.random.default_rng(11)
    t = np.arange(40)
    wide = pd.DataFrame({k: 50 + 10 * np.sin(2 * np.pi * t / 12 + p) + rng.normal(0, 2, 40)
                         for k, p in zip("abcd", (0.0, 1.0, 2.0, 3.0))},
                        index=pd.date_range("2015-01", periods=40, freq="MS"))
    model = tsgate.GRUForecaster(horizon=4, **SMALL)
    base = model.fit(wide).predict()
    for factor in (1000.0, 3e-5):
        scaled = tsgate.GRUForecaster(horizon=4, **SMALL).fit(wide * factor).predict()
        np.testing.assert_allclose(scaled / factor, base, rtol=1e-8)


def test_long_layout_with_custom_columns():
    y = ragged()
    long = y.reset_index().rename(columns={"store": "id", "quarter": "when", "sales": "value"})
    long["when"] = long["when"].dt.to_timestamp()  # quarter starts as datetimes
    model = tsgate.LSTMForecaster(horizon=3, id_col="id", time_col="when", value_col="value",
                                  **SMALL).fit(long)
    fc = model.predict()
    assert list(fc.columns) == ["id", "when", "value"] and len(fc) == 9
    b = fc[fc["id"] == "b"]
    assert list(b["when"]) == list(pd.date_range("2008-01-01", periods=3, freq="QS"))
    iv = model.predict_interval(0.9)
    assert list(iv.columns) == ["id", "when", "lower", "upper"]
    # the same model fitted on the MultiIndex layout gives the same numbers
    same = tsgate.LSTMForecaster(horizon=3, **SMALL).fit(
        long.set_index(["id", "when"])["value"]).predict()
    np.testing.assert_allclose(fc["value"].to_numpy(), same.to_numpy())


def test_extra_columns_of_a_long_frame_are_named_as_unused():
    long = ragged().rename("y").reset_index().rename(columns={"store": "unique_id",
                                                              "quarter": "ds"})
    long["price"] = np.arange(len(long), dtype=float)
    model = tsgate.GRUForecaster(horizon=2, **SMALL)
    with pytest.warns(UserWarning, match=r"\['price'\] besides 'unique_id', 'ds' and 'y'.*"
                                          r"not used.*Exogenous features go in X") as caught:
        model.fit(long)
    assert any(w.filename == __file__ for w in caught)  # points at the caller's line
    # the same numbers as without the column
    plain = tsgate.GRUForecaster(horizon=2, **SMALL).fit(long.drop(columns="price"))
    np.testing.assert_allclose(model.predict()["y"], plain.predict()["y"])
    dead = long.assign(y=np.where(long.unique_id == "a", np.nan, long.y)).drop(columns="price")
    with pytest.raises(ValueError, match="no observed value.*'a'; drop it"):
        tsgate.GRUForecaster(horizon=2, **SMALL).fit(dead)


def test_layout_errors_name_the_fix():
    y = ragged()
    with pytest.raises(ValueError, match="no column"):
        tsgate.GRUForecaster(horizon=2, **SMALL).fit(y.reset_index().rename(columns={"store": "unique_id"}))
    with pytest.raises(ValueError, match="'d' has 3 observation\\(s\\).*at least 4 are needed"):
        tsgate.GRUForecaster(horizon=16, **SMALL).fit(pd.concat([y, pd.Series(
            [1.0, 2.0, 3.0], index=pd.MultiIndex.from_product([["d"], pd.period_range(
                "2001Q1", periods=3, freq="Q")]))]))
    with pytest.raises(ValueError, match="MultiIndex"):
        tsgate.GRUForecaster(horizon=2, **SMALL).fit(y, X=pd.DataFrame({"x": np.ones(len(y))}))


@pytest.mark.parametrize("n", [4, 10, 15, 16, 20, 28, 40])
def test_short_monthly_series_forecast_with_defaults(n):
    rng = np.random.default_rng(n)
    t = np.arange(n)
    y = pd.Series(50 + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(size=n),
                  index=pd.date_range("2020-01-01", periods=n, freq="MS"))
    model = tsgate.GRUForecaster(horizon=12, random_state=0, n_models=1).fit(y)
    assert model.windows_ == [24]  # padded and flagged where the history is shorter
    fc = model.predict()
    assert len(fc) == 12 and np.isfinite(fc).all()
    R = model.calibration_residuals_
    assert np.isfinite(R).sum() >= min(12, n - 3)  # the cut tail, from its first origin
    with pytest.warns(CalibrationWarning) if np.isfinite(R).sum() < 19 else _nothing():
        iv = model.predict_interval(0.95)
    assert np.isfinite(iv.to_numpy()).all()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_minimum_length_error_says_the_minimum():
    y = pd.Series(np.arange(3.0) + 1, index=pd.date_range("2020-01-01", periods=3, freq="MS"))
    with pytest.raises(ValueError, match="at least 4 are needed"):
        tsgate.GRUForecaster(horizon=12).fit(y)


def test_a_new_history_of_two_dates_takes_its_own_series_anchor():
    """Month starts beside month ends: a new history of two month ends of
    the month-end series was put on the first series' grid and refused."""
    def part(key, start, freq):
        index = pd.MultiIndex.from_arrays([[key] * 36, pd.date_range(start, periods=36, freq=freq)])
        return pd.Series(10 + np.sin(np.arange(36.0)), index=index)

    y = pd.concat([part("s", "2000-01-01", "MS"), part("e", "2000-01-31", "ME")])
    model = tsgate.GRUForecaster(horizon=3, **SMALL).fit(y)
    dates = pd.DatetimeIndex(["2003-01-31", "2003-02-28"])  # no freq of their own
    new = pd.Series([10.0, 11.0], index=pd.MultiIndex.from_arrays([["e", "e"], dates]))
    got = model.predict(y=new).loc["e"]
    assert list(got.index) == list(pd.date_range("2003-03-31", periods=3, freq="ME"))
    starts = pd.DatetimeIndex(["2003-01-01", "2003-02-01"])
    new = pd.Series([10.0, 11.0], index=pd.MultiIndex.from_arrays([["s", "s"], starts]))
    assert model.predict(y=new).loc["s"].index[0] == pd.Timestamp("2003-03-01")


def test_a_series_of_two_dates_takes_the_collections_frequency():
    """One or two dates show no frequency: the collection's other series
    give it, so the error names what is wrong (too short, or off the grid)."""
    ds = list(pd.date_range("2000-01-01", periods=30, freq="MS"))
    y = pd.DataFrame({"unique_id": ["a"] * 30 + ["b"] * 2, "ds": ds + ds[:2],
                      "y": np.r_[np.arange(30.0), 1.0, 2.0]})
    with pytest.raises(ValueError, match="Series 'b' has 2 observation.*at least 4"):
        tsgate.GRUForecaster(horizon=3).fit(y)
    y.loc[y.unique_id == "b", "ds"] = [pd.Timestamp("2000-01-15"), pd.Timestamp("2000-02-15")]
    with pytest.raises(ValueError, match="series 'b'.*not on the <MonthBegin> grid"):
        tsgate.GRUForecaster(horizon=3).fit(y)


@pytest.mark.parametrize("fraction", [0.2, None])
def test_interval_levels_nest_strictly(fraction):
    """Up to levels the residuals of a step cannot support on their own (98%
    needs 49): the default cut's three folds give airline's steps 25-36."""
    import warnings

    y = tsgate.datasets.load_airline()
    model = tsgate.GRUForecaster(horizon=12, validation_fraction=fraction, **SMALL).fit(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalibrationWarning)
        bands = [model.predict_interval(c) for c in (0.5, 0.8, 0.95, 0.98, 0.99)]
    widths = np.array([(b["upper"] - b["lower"]).to_numpy() for b in bands])  # (levels, 12)
    assert (np.diff(widths, axis=0) > 0).all()


def test_a_list_of_coverages_gives_every_band_at_once():
    """``predict_interval([0.8, 0.95])``: a pair of columns per coverage, in
    the order given, each equal to its own single-coverage call, nested."""
    y = ragged()
    model = tsgate.GRUForecaster(horizon=4, **SMALL).fit(y)
    both = model.predict_interval([0.95, 0.8])
    assert list(both.columns) == ["lower_95", "upper_95", "lower_80", "upper_80"]
    for c, pct in ((0.8, "80"), (0.95, "95")):
        one = model.predict_interval(c)
        assert both.index.equals(one.index)
        np.testing.assert_array_equal(both[f"lower_{pct}"], one["lower"])
        np.testing.assert_array_equal(both[f"upper_{pct}"], one["upper"])
    assert (both["lower_95"] < both["lower_80"]).all() and (both["upper_80"] < both["upper_95"]).all()
    assert list(model.predict_interval(np.array([0.975])).columns) == ["lower_97.5", "upper_97.5"]
    # a wide frame: (series, column) pairs
    wide_fit = tsgate.GRUForecaster(horizon=2, **SMALL).fit(
        pd.DataFrame({"a": y.loc["a"].to_numpy(), "c": y.loc["c"].to_numpy()[-30:]},
                     index=pd.period_range("2000Q1", periods=30, freq="Q")))
    cols = wide_fit.predict_interval([0.5, 0.9]).columns
    assert list(cols) == [(s, k) for s in ("a", "c")
                          for k in ("lower_50", "upper_50", "lower_90", "upper_90")]
    for bad, message in (([], "an empty list"), ([0.8, 1.5], "1.5 is not"),
                         ([0.8, 0.80], "percentage twice"), ("0.8", "or a list of them"),
                         ([True], "True is not")):
        with pytest.raises(ValueError, match=message):
            model.predict_interval(bad)


def test_quantiles_are_the_bounds_of_the_bands_and_the_forecast():
    """``predict_quantiles``: q < 0.5 the lower bound of the 1 - 2q band, q >
    0.5 the upper bound of the 2q - 1 band, 0.5 the forecast; non-decreasing
    in q at every step."""
    import warnings

    y = ragged()
    model = tsgate.GRUForecaster(horizon=4, **SMALL).fit(y)
    qs = model.predict_quantiles([0.9, 0.1, 0.5, 0.3, 0.7])
    assert list(qs.columns) == ["q_0.9", "q_0.1", "q_0.5", "q_0.3", "q_0.7"]
    assert qs.index.equals(model.predict().index)
    np.testing.assert_array_equal(qs["q_0.5"], model.predict())
    band = model.predict_interval([0.8, 0.4])
    for low, high, pct in (("q_0.1", "q_0.9", "80"), ("q_0.3", "q_0.7", "40")):
        np.testing.assert_array_equal(qs[low], band[f"lower_{pct}"])
        np.testing.assert_array_equal(qs[high], band[f"upper_{pct}"])
    ordered = qs[["q_0.1", "q_0.3", "q_0.5", "q_0.7", "q_0.9"]].to_numpy()  # (rows, 5)
    assert (np.diff(ordered, axis=1) > 0).all()
    assert list(model.predict_quantiles().columns) == ["q_0.1", "q_0.5", "q_0.9"]
    assert list(model.predict_quantiles(0.25).columns) == ["q_0.25"]
    # a quantile beyond what the residuals support warns, at the caller's line
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CalibrationWarning)
        model.predict_quantiles([0.0001])
    assert any(w.category is CalibrationWarning and w.filename == __file__ for w in caught)
    for bad, message in (([], "got \\[\\]"), ([0.5, 1.0], "1.0 is not"),
                         ([0.1, 0.1], "twice"), ("0.5", "or a list of them")):
        with pytest.raises(ValueError, match=message):
            model.predict_quantiles(bad)


def test_empirical_coverage_within_a_binomial_band():
    """An AR(1) around a seasonal pattern: 90% bands cover 90% of new points."""
    n = 900
    y = ar1_seasonal(n, level=20.0)
    cut = 600
    model = tsgate.GRUForecaster(horizon=1, window=24, hidden_size=16, validation_fraction=0.3,
                                 n_models=1, random_state=0, season_length=12).fit(y[:cut])
    hits = []
    for origin in range(cut, n):
        iv = model.predict_interval(0.9, y=y[:origin])
        hits.append(iv["lower"].iloc[0] <= y.iloc[origin] <= iv["upper"].iloc[0])
    # 300 Bernoulli(0.9) trials: 3 standard deviations is about +-0.052
    assert abs(np.mean(hits) - 0.9) < 0.06, np.mean(hits)


def test_new_history_with_exogenous_rows_equals_the_matching_fit_data():
    n = 120
    idx = pd.date_range("2000-01-01", periods=n + 4, freq="D")
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"promo": rng.integers(0, 2, n + 4).astype(float)}, index=idx)
    y = pd.Series(5 + 3 * X["promo"].to_numpy() + 0.1 * rng.normal(size=n + 4), index=idx)
    model = tsgate.GRUForecaster(horizon=4, window=7, **SMALL).fit(y[:n], X[:n])
    direct = model.predict(X=X[n:])
    again = model.predict(y=y[:n], X=X)  # history rows, then the future rows
    pd.testing.assert_series_equal(direct, again)
    # two weeks (under three seasons) of the fitted series: extended back by
    # its training values and their exogenous rows
    pd.testing.assert_series_equal(direct, model.predict(y=y[n - 14:n], X=X[n - 14:]))
    # the history's own exogenous rows are used, not the training period's
    shifted = model.predict(y=y[:n - 10], X=X[:n - 6])
    other = X[:n - 6].copy()
    other.iloc[:n - 10] = 1.0 - other.iloc[:n - 10]
    assert not np.allclose(shifted, model.predict(y=y[:n - 10], X=other))
    with pytest.raises(ValueError, match="future steps"):
        model.predict(y=y[:n], X=X[n:])


def test_warm_start_continues_the_same_networks():
    y = ragged()
    model = tsgate.GRUForecaster(horizon=4, warm_start=True, **SMALL).fit(y)
    first = model.regressors_[0]
    steps = first._optimizer_state[2]
    params = first.params_.copy()
    model.fit(y)
    again = model.regressors_[0]  # continued from the refit's validation member ...
    assert again._optimizer_state[2] > steps  # ... which continued the first fit's
    assert not np.array_equal(again.params_, params)
    cold = tsgate.GRUForecaster(horizon=4, **SMALL).fit(y)
    assert cold.regressors_[0]._optimizer_state[2] == steps
    # settings changed since take effect: a new shape starts afresh, a new
    # learning rate applies to the continued network
    held = model.holdout_regressors_[0]
    held_steps = held._optimizer_state[2]
    model.set_params(learning_rate_init=0.01).fit(y)
    # a copy of the member continued (a fit that fails midway leaves the fitted one whole)
    assert model.holdout_regressors_[0]._optimizer_state[2] > held_steps
    assert held._optimizer_state[2] == held_steps
    assert all(r.learning_rate_init == 0.01 for r in model.regressors_ + model.holdout_regressors_)
    continued = model.holdout_regressors_[0]._optimizer_state[2]
    # ... and says so, once (a restart was silent; sweep, session 37)
    with pytest.warns(UserWarning, match=r"shape changed since the last fit \(hidden_size "
                                         r"\d+ -> \d+\): they trained from new weights") as caught:
        model.set_params(hidden_size=SMALL["hidden_size"] + 3, loss="squared_error").fit(y)
    assert sum("shape changed" in str(w.message) for w in caught) == 1
    assert all(r.hidden_size == SMALL["hidden_size"] + 3 and r.loss == "squared_error"
               for r in model.regressors_ + model.holdout_regressors_)
    # the new shape trained from the start
    assert model.holdout_regressors_[0]._optimizer_state[2] < continued


def test_global_model_saves_and_loads(tmp_path):
    y = ragged()
    model = tsgate.GRUForecaster(horizon=4, **SMALL).fit(y)
    model.save(tmp_path / "m.tsgate")
    back = tsgate.load(tmp_path / "m.tsgate")
    pd.testing.assert_series_equal(back.predict(), model.predict())
    pd.testing.assert_frame_equal(back.predict_interval(0.8), model.predict_interval(0.8))


@pytest.mark.parametrize("freq, period", [
    ("2W", 26), ("W-SUN", 52), ("SMS", 24), ("MS", 12), ("BMS", 12), ("QS-OCT", 4), ("YS", 1),
    ("D", 7), ("2D", 1), ("B", 5), ("h", 24), ("2h", 12), ("30min", 48), ("min", 60), ("s", 60),
])
def test_season_length_of_multiples_and_anchored_aliases(freq, period):
    from tsgate._series import season_length

    assert season_length(pd.date_range("2020-01-01", periods=30, freq=freq)) == period


def test_exogenous_features_per_series_in_a_collection():
    rng = np.random.default_rng(3)
    ys, xs, fut = [], [], []
    for key, n in [("a", 60), ("b", 45)]:
        periods = pd.period_range("2010-01", periods=n + 3, freq="M")
        promo = rng.integers(0, 2, n + 3).astype(float)
        values = 20 + (8 if key == "a" else 4) * promo + 0.1 * rng.normal(size=n + 3)
        index = pd.MultiIndex.from_arrays([[key] * (n + 3), periods])
        frame = pd.DataFrame({"promo": promo}, index=index)
        ys.append(pd.Series(values[:n], index=index[:n]))
        xs.append(frame.iloc[:n])
        fut.append((frame.iloc[n:], values[n:]))
    y, X = pd.concat(ys), pd.concat(xs)
    model = tsgate.GRUForecaster(horizon=3, window=6, hidden_size=16, max_iter=40, n_models=1,
                                 random_state=0).fit(y, X)
    fc = model.predict(X=pd.concat([f for f, _ in fut]))
    actual = np.concatenate([v for _, v in fut])
    plain = tsgate.GRUForecaster(horizon=3, window=6, hidden_size=16, max_iter=40, n_models=1,
                                 random_state=0).fit(y).predict()
    assert np.abs(fc.to_numpy() - actual).mean() < 0.7 * np.abs(plain.to_numpy() - actual).mean()
    with pytest.raises(ValueError, match="no rows for series 'b'"):
        model.predict(X=fut[0][0])


def test_global_model_forecasts_a_new_history_and_new_series():
    y = ragged()
    model = tsgate.GRUForecaster(horizon=4, **SMALL).fit(y)
    pd.testing.assert_series_equal(model.predict(y=y), model.predict())
    new = y.loc[["a"]].rename(index={"a": "z"}, level=0)  # an unseen id
    fc = model.predict(y=new)
    assert list(fc.index.get_level_values(0).unique()) == ["z"]
    np.testing.assert_allclose(fc.to_numpy(), model.predict().loc["a"].to_numpy())


def test_missing_values_at_the_end_still_calibrate():
    y = pd.Series(np.arange(20.0) + 5, index=pd.RangeIndex(20))
    y.iloc[-3:] = np.nan  # the last horizon holds no observation
    model = tsgate.GRUForecaster(horizon=2, **SMALL).fit(y)
    assert np.isfinite(model.calibration_residuals_).any()
    assert np.isfinite(model.predict_interval(0.8).to_numpy()).all()
    with pytest.raises(ValueError, match="3 observation\\(s\\) \\(not counting NaN\\)"):
        tsgate.GRUForecaster(horizon=2, **SMALL).fit(pd.Series([1.0, np.nan, 2.0, 3.0, np.nan]))


def test_planned_budgets_raise_no_convergence_warning():
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    budget = {k: v for k, v in SMALL.items() if k != "max_iter"}  # max_iter=None: planned
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        tsgate.GRUForecaster(horizon=2, **budget).fit(ragged())
    with pytest.warns(ConvergenceWarning, match="GRURegressor: max_iter=2"):
        tsgate.GRURegressor(max_iter=2, random_state=0).fit(np.random.default_rng(0).normal(size=(40, 5)),
                                                            np.zeros(40))


def test_step_budget_grows_with_the_windows_and_bounds_the_work():
    """4 steps per window within 300..4000; where the windows are long (a
    day of 5-minute steps ahead: lookbacks of 360-864), the steps also
    stop at MAX_WINDOW_STEPS window steps of work; lookbacks up to 160
    steps keep the whole budget."""
    from tsgate import fitplan

    model = tsgate.GRUForecaster(horizon=12)

    def steps(n, length):  # gradient steps the budget gives: epochs x batches
        return model._budget(n, length)["max_iter"] * -(-n // model.batch_size)

    assert steps(100, 36) == 400 and steps(20, 36) == 300
    assert steps(64 * 100, 36) == steps(64 * 100, 160) == 4000
    work = steps(64 * 100, 864) * 64 * 864
    epoch = 100 * 64 * 864  # one epoch's work: the budget rounds to whole epochs
    assert fitplan.MAX_WINDOW_STEPS - epoch < work <= fitplan.MAX_WINDOW_STEPS + epoch
    assert steps(64 * 100, 864) <= 4000 // 4  # 5.4 times fewer steps on windows 5.4 times longer

    # a single series' budget (1000 steps for 250 counted windows) shrinks the same way:
    # a year of days 200 ahead (lookbacks of 600) trained as long as on 14-step windows
    def single(length):
        budget = model._budget(1399, length, 250)
        return budget["max_iter"] * -(-1399 // model.batch_size)

    assert single(14) == single(160) >= 1000
    assert 1000 * 160 // 400 <= single(400) <= 1000 * 160 // 400 + 22  # (whole epochs of 22)
    assert single(600) == single(2000) >= fitplan.TRAIN_STEPS[0]  # never below 300 steps
    assert tsgate.GRUForecaster(horizon=12, max_iter=7)._budget(6400, 864) == {
        "max_iter": 7, "max_steps": None}


def test_a_long_series_counts_at_most_series_windows_toward_the_budget(monkeypatch):
    """One series' windows count up to SERIES_WINDOWS: a long single series
    trains for 4 x 250 steps, not 4 per window up to 4000; a collection of
    long series keeps the collection's budget."""
    from tsgate import fitplan

    assert fitplan.counted_windows([np.zeros(1000)], 10**6) == fitplan.SERIES_WINDOWS == 250
    assert fitplan.counted_windows([np.zeros(1000)], 100) == 100  # the newest-window cap binds
    assert fitplan.counted_windows([np.zeros(30), np.zeros(1)], 10**6) == 29
    model = tsgate.GRUForecaster(horizon=12)
    # 1000 steps in batches of 16: whole epochs
    assert model._budget(999, 36, 250) == {"max_iter": 63, "max_steps": None}
    # an epoch of more than twice the budget (a long series): cut at it
    assert model._budget(64 * 2001, 36, 250) == {"max_iter": 1, "max_steps": 1000}
    assert model._budget(64 * 2000, 36, 250) == {"max_iter": 1, "max_steps": None}
    # every window counted: 4000 steps
    assert model._budget(999, 36) == {"max_iter": 250, "max_steps": None}
    assert model._budget(40 * 999, 36, 40 * 250) == model._budget(40 * 999, 36)
    seen = []

    def spy(reg, X, Y, validation=None):  # the budget each member gets, without training
        seen.append((reg.max_iter, len(X)))
        raise _Stop

    class _Stop(Exception):
        pass

    monkeypatch.setattr(fitplan, "_fit_member", spy)
    y = pd.Series(np.sin(np.arange(600) / 5.0) + 10,
                  index=pd.date_range("1970-01", periods=600, freq="MS"))
    with pytest.raises(_Stop):
        tsgate.GRUForecaster(horizon=12, n_models=1).fit(y)
    assert len(seen) == 1  # the validation fit (587 windows); the final one continues it
    for epochs, n in seen:
        assert n > 500 and 1000 <= epochs * -(-n // 64) < 1000 + -(-n // 64)


def test_final_members_continue_the_validation_members(monkeypatch):
    """Each final member starts from its validation member's weights and
    Adam state and trains on all the data for FINAL_STEPS of its budget;
    the validation members stay as they were (they make the residuals)."""
    from tsgate import fitplan

    fits = []
    real = fitplan._fit_member

    def spy(reg, X, Y, validation=None):
        before = reg._optimizer_state[2] if hasattr(reg, "params_") else 0
        fitted = real(reg, X, Y, validation)
        fits.append((fitted, len(X), before, fitted._optimizer_state[2]))
        return fitted

    monkeypatch.setattr(fitplan, "_fit_member", spy)
    y = ragged()
    model = tsgate.GRUForecaster(horizon=4, n_models=2, random_state=0).fit(y)
    by_id = {id(fit[0]): fit for fit in fits}  # (member, windows, Adam steps before, after)
    v0, f0 = model.holdout_regressors_[0], model.regressors_[0]
    _, nv, _, sv = by_id[id(v0)]
    _, nf, start, sf = by_id[id(f0)]
    assert f0 is not v0 and not np.array_equal(f0.params_, v0.params_)
    assert start == sv and v0._optimizer_state[2] == sv  # Adam continued; v0 untouched
    full = model._budget(nf, model.windows_[0])["max_iter"]
    assert nf > nv and sf - start == round(fitplan.FINAL_STEPS * full) * -(-nf // 64)


def test_exogenous_columns_match_by_name_and_rows_in_any_order():
    """Reordered columns give the same forecast; renamed ones an error (as
    scikit-learn checks feature names). Long X rows in any order are sorted
    by (id, time) as y's are."""
    rng = np.random.default_rng(4)
    n, h = 40, 3
    index = pd.date_range("2015-01", periods=n + h, freq="MS")
    X = pd.DataFrame({"a": rng.normal(size=n + h), "b": np.arange(n + h, dtype=float)}, index=index)
    y = pd.Series(10 + X["a"].to_numpy()[:n] + 0.1 * rng.normal(size=n), index=index[:n])
    model = tsgate.GRUForecaster(horizon=h, **SMALL).fit(y, X.iloc[:n])
    assert model.exog_names_ == ["a", "b"]
    future = X.iloc[n:]
    pd.testing.assert_series_equal(model.predict(X=future[["b", "a"]]), model.predict(X=future))
    with pytest.raises(ValueError, match=r"missing \['a', 'b'\], not seen in fit \['p', 'q'\]"):
        model.predict(X=future.set_axis(["p", "q"], axis=1))
    with pytest.raises(ValueError, match=r"missing \['b'\]"):
        model.predict(X=future[["a"]])
    # the order of the columns at fit acts as no seed (it moved forecasts 2e-4)
    swapped = tsgate.GRUForecaster(horizon=h, **SMALL).fit(y, X.iloc[:n][["b", "a"]])
    assert swapped.exog_names_ == ["a", "b"]
    pd.testing.assert_series_equal(swapped.predict(X=future), model.predict(X=future))
    # an array goes by position, as the columns were given at fit (b, a)
    np.testing.assert_array_equal(swapped.predict(X=future[["b", "a"]].to_numpy()),
                                  model.predict(X=future))
    # a shorter horizon reads the block's rows where X has them: the first steps
    pd.testing.assert_series_equal(model.predict(1, X=future), model.predict(X=future).iloc[:1])

    long_y = pd.concat([pd.DataFrame({"unique_id": k, "ds": index[:n], "y": y.to_numpy() + i})
                        for i, k in enumerate("pq")])
    long_X = pd.concat([X.assign(unique_id=k, ds=index) for k in "pq"]).reset_index(drop=True)
    fut = long_X[long_X.ds > index[n - 1]]
    model = tsgate.GRUForecaster(horizon=h, **SMALL).fit(long_y, long_X[long_X.ds <= index[n - 1]])
    assert model.exog_names_ == ["a", "b"]
    expected = model.predict(X=fut)
    shuffled = fut.sample(frac=1.0, random_state=0)[["b", "ds", "a", "unique_id"]]
    pd.testing.assert_frame_equal(model.predict(X=shuffled), expected)


def test_long_frame_under_other_column_names_says_how_to_name_them():
    y = tsgate.datasets.load_airline().iloc[:30]
    frame = pd.DataFrame({"store": "a", "month": y.index, "sales": y.to_numpy()})
    with pytest.raises(TypeError, match="id_col=, time_col=, value_col="):
        tsgate.GRUForecaster(horizon=3).fit(frame)


def test_score_matches_values_by_time_step_and_series():
    """A missing first value is left out, not shifted onto the first
    forecast; a stretch that is not after the training data, or a series
    that was not fitted, is an error; a wide frame's columns go by name."""
    y = tsgate.datasets.load_airline()
    model = tsgate.GRUForecaster(horizon=6, **SMALL).fit(y.iloc[:-6])
    fc = model.predict().to_numpy()
    test = y.iloc[-6:].copy()
    test.iloc[0] = np.nan
    assert model.score(test) == pytest.approx(-np.mean(np.abs(fc[1:] - test.to_numpy()[1:])))
    later = y.iloc[-3:]  # steps 4-6 of the forecast
    assert model.score(later) == pytest.approx(-np.mean(np.abs(fc[3:] - later.to_numpy())))
    with pytest.raises(ValueError, match="steps after the training data, from 1960-07"):
        model.score(y.iloc[:6])

    wide = pd.DataFrame({"a": y.to_numpy(), "b": y.to_numpy()[::-1].copy()}, index=y.index)
    model = tsgate.GRUForecaster(horizon=4, **SMALL).fit(wide.iloc[:-4])
    test = wide.iloc[-4:]
    assert model.score(test[["b", "a"]]) == model.score(test)
    with pytest.raises(ValueError, match="'c' is not one the forecaster was fitted on"):
        model.score(test.rename(columns={"b": "c"}))


def test_per_series_score_matches_values_by_time_step():
    from tsgate.distributed import PerSeriesForecaster

    y = tsgate.datasets.load_airline()
    wide = pd.DataFrame({"a": y.to_numpy(), "b": y.to_numpy()[::-1].copy()}, index=y.index)
    model = PerSeriesForecaster(tsgate.GRUForecaster(horizon=3, **SMALL)).fit(wide.iloc[:-3])
    fc = model.predict().to_numpy()  # (3, 2)
    test = wide.iloc[-3:].copy()
    test.iloc[0, 0] = np.nan
    ok = np.isfinite(test.to_numpy())
    assert model.score(test) == pytest.approx(-np.mean(np.abs(fc - test.to_numpy())[ok]))
    with pytest.raises(ValueError, match="steps after the training data"):
        model.score(wide.iloc[:3])


def test_freq_puts_each_series_on_its_grid():
    """Missing dates: a clear error naming the frequency to set; with freq=
    they become masked NaN, in every layout, as if given as NaN."""
    y = tsgate.datasets.load_airline().iloc[:48]
    gappy = y.drop(y.index[[10, 30]])
    with pytest.raises(ValueError, match="freq='MS'"):
        tsgate.GRUForecaster(horizon=3, **SMALL).fit(gappy)
    as_nan = y.copy()
    as_nan.iloc[[10, 30]] = np.nan
    expected = tsgate.GRUForecaster(horizon=3, **SMALL).fit(as_nan).predict()
    got = tsgate.GRUForecaster(horizon=3, freq="MS", **SMALL).fit(gappy).predict()
    pd.testing.assert_series_equal(got, expected)
    periods = gappy.copy()
    periods.index = periods.index.to_period("M")
    got = tsgate.GRUForecaster(horizon=3, freq="M", **SMALL).fit(periods).predict()
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
    long = pd.DataFrame({"unique_id": "a", "ds": gappy.index, "y": gappy.to_numpy()})
    got = tsgate.GRUForecaster(horizon=3, freq="MS", **SMALL).fit(long).predict()
    np.testing.assert_array_equal(got["y"].to_numpy(), expected.to_numpy())
    with pytest.raises(ValueError, match="freq='MS' applies to dates, but y's index holds "
                                         "integer steps"):  # ("is a Index" before)
        tsgate.GRUForecaster(horizon=3, freq="MS", **SMALL).fit(y.reset_index(drop=True))


def test_integer_ids_come_back_as_integers():
    y = tsgate.datasets.load_airline().iloc[:40]
    long = pd.concat([pd.DataFrame({"unique_id": k, "ds": y.index, "y": y.to_numpy() * (k + 1)})
                      for k in (3, 7)])
    model = tsgate.GRUForecaster(horizon=2, **SMALL).fit(long)
    for out in (model.predict(), model.predict_interval(0.8)):
        assert out["unique_id"].dtype == long["unique_id"].dtype
        assert out["unique_id"].tolist() == [3, 3, 7, 7]
    stacked = long.set_index(["unique_id", "ds"])["y"]
    fc = tsgate.GRUForecaster(horizon=2, **SMALL).fit(stacked).predict()
    assert fc.index.get_level_values(0).dtype == np.int64


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string[python]"])
def test_string_ids_keep_their_storage(tmp_path, dtype):
    """string[pyarrow] ids came back as string[python]: the dtype was kept by
    its str, "string"."""
    pytest.importorskip("pyarrow")
    y = tsgate.datasets.load_airline().iloc[:40]
    long = pd.concat([pd.DataFrame({"unique_id": k, "ds": y.index, "y": y.to_numpy() * (i + 1)})
                      for i, k in enumerate("ab")]).astype({"unique_id": dtype})
    model = tsgate.GRUForecaster(horizon=2, **SMALL).fit(long)
    model.save(tmp_path / "m.npz")
    for out in (model.predict(), model.predict_interval(0.8), tsgate.load(tmp_path / "m.npz").predict()):
        assert out["unique_id"].dtype == long["unique_id"].dtype
        assert out["unique_id"].dtype.storage == dtype[7:-1]


def test_categorical_ids_keep_their_categories(tmp_path):
    y = tsgate.datasets.load_airline().iloc[:40]
    long = pd.concat([pd.DataFrame({"unique_id": k, "ds": y.index, "y": y.to_numpy() * (i + 1)})
                      for i, k in enumerate("ac")])
    dtype = pd.CategoricalDtype(["c", "b", "a"], ordered=True)
    long["unique_id"] = long["unique_id"].astype(dtype)
    model = tsgate.GRUForecaster(horizon=2, **SMALL).fit(long)
    for out in (model.predict(), model.predict_interval(0.8)):
        assert out["unique_id"].dtype == dtype
        assert out["unique_id"].tolist() == ["c", "c", "a", "a"]  # in the categories' order
    model.save(tmp_path / "m.npz")
    assert tsgate.load(tmp_path / "m.npz").predict()["unique_id"].dtype == dtype
    stacked = long.set_index(["unique_id", "ds"])["y"]
    fc = tsgate.GRUForecaster(horizon=2, **SMALL).fit(stacked).predict()
    assert fc.index.get_level_values(0).dtype == dtype


def test_categorical_ids_in_another_order_get_their_own_future_exogenous_rows():
    """Ids whose categories run z, y, x: the future X rows were looked up in
    the ids' sorted order and handed to the series of the categories' order
    (x got z's promotions) by predict(X=), predict_interval and predict(y=, X=)."""
    rows = []
    for k, key in enumerate("xyz"):
        promo = np.tile([0.0, 0.0, 1.0], 11)  # (33,)
        promo = 1 - promo if key == "z" else promo
        rows.append(pd.DataFrame({"unique_id": key, "y": 10 * (k + 1) + 20 * promo, "promo": promo,
                                  "ds": pd.date_range("2020-01-01", periods=33, freq="MS")}))
    full = pd.concat(rows, ignore_index=True)
    past, future = full.groupby("unique_id").head(30), full.groupby("unique_id").tail(3)
    y, X, Xf = past[["unique_id", "ds", "y"]], past[["unique_id", "ds", "promo"]], \
        future[["unique_id", "ds", "promo"]]
    tail, X_tail = y.groupby("unique_id").tail(9), pd.concat([X.groupby("unique_id").tail(9), Xf])
    cat = pd.CategoricalDtype(["z", "y", "x"])
    as_cat = {"unique_id": lambda d: d["unique_id"].astype(cat)}
    plain = tsgate.GRUForecaster(horizon=3, **SMALL).fit(y, X)
    coded = tsgate.GRUForecaster(horizon=3, **SMALL).fit(y.assign(**as_cat), X)

    def by_id(frame):
        return frame.astype({"unique_id": object}).sort_values(["unique_id", "ds"]) \
            .reset_index(drop=True)

    for want, got in [(plain.predict(X=Xf), coded.predict(X=Xf)),
                      (plain.predict_interval(0.8, X=Xf), coded.predict_interval(0.8, X=Xf)),
                      (plain.predict(y=tail, X=X_tail),
                       coded.predict(y=tail.assign(**as_cat), X=X_tail))]:
        assert got["unique_id"].tolist()[::3] == ["z", "y", "x"]
        pd.testing.assert_frame_equal(by_id(got), by_id(want))


@pytest.mark.parametrize("fmt, n, message", [
    ("%d/%m/%Y", 12, "month first (2020-01-01, 2020-01-02, ...) and day first"),
    ("%d/%m/%Y", 30, "read month first they fall on no regular steps"),
    ("%d.%m.%Y", 30, "read month first they fall on no regular steps"),
])
def test_text_dates_written_day_first_are_refused_with_the_fix(fmt, n, message):
    """Month starts written day first, as text: twelve of them were read as
    twelve days and forecast as days; thirty told to set freq='D'."""
    months = pd.date_range("2020-01-01", periods=n, freq="MS")
    y = pd.DataFrame({"unique_id": "a", "ds": months.strftime(fmt), "y": np.arange(n, dtype=float)})
    with pytest.raises(ValueError, match="dayfirst=True") as err:
        tsgate.GRUForecaster(horizon=2, **SMALL).fit(y)
    assert message in str(err.value)
    parsed = y.assign(ds=pd.to_datetime(y["ds"], dayfirst=True))  # the fix it gives
    fc = tsgate.GRUForecaster(horizon=2, **SMALL).fit(parsed).predict()
    assert fc["ds"].tolist() == list(pd.date_range(months[-1], periods=3, freq="MS")[1:])
    # written month first (more than twelve) or year first, they read as months
    for text in (months.strftime("%m/%d/%Y"), months.strftime("%Y-%m-%d")):
        if n > 12:
            fc = tsgate.GRUForecaster(horizon=2, **SMALL).fit(y.assign(ds=text)).predict()
            assert fc["ds"].iloc[0] == months[-1] + pd.offsets.MonthBegin()


@pytest.mark.parametrize("ids", [
    [pd.Timestamp("2020-01-01", tz="Europe/Paris"), pd.Timestamp("2021-06-30 12:00", tz="Europe/Paris")],
    [pd.Period("2019Q4"), pd.Period("2020Q1")],
])
def test_date_and_period_ids_are_saved_and_loaded(tmp_path, ids):
    # series ids that are time stamps (with their time zone) or periods:
    # saved with the model, and the loaded model's forecasts carry them
    y = tsgate.datasets.load_airline().iloc[:40]
    stacked = pd.concat({k: y * (i + 1) for i, k in enumerate(ids)}, names=["id", "t"])
    model = tsgate.GRUForecaster(horizon=2, **SMALL).fit(stacked)
    model.save(tmp_path / "m.npz")
    before, after = model.predict(), tsgate.load(tmp_path / "m.npz").predict()
    pd.testing.assert_series_equal(after, before)
    assert list(after.index.get_level_values(0).unique()) == ids


def _long_daily(n=40):
    rng = np.random.default_rng(0)
    ds = pd.date_range("2021-01-01", periods=n, freq="D")
    return pd.concat([pd.DataFrame({"unique_id": key, "ds": ds, "y": 10 + rng.normal(size=n),
                                    "x": rng.normal(size=n)}) for key in "ab"])


@pytest.mark.parametrize("steps", [1, 2])
def test_one_or_two_future_rows_take_the_fitted_frequency(steps):
    """A test fold or future X of 1 or 2 dates per series (no frequency to
    infer from them) is read on the fitted data's grid, in the long and
    MultiIndex layouts and for one Series."""
    full = _long_daily()
    last = full.ds.unique()[-steps:]
    train, test = full[~full.ds.isin(last)], full[full.ds.isin(last)]
    model = tsgate.GRUForecaster(horizon=steps, n_models=1, **SMALL).fit(
        train[["unique_id", "ds", "y"]], train[["unique_id", "ds", "x"]])
    fc = model.predict(X=test[["unique_id", "ds", "x"]])
    assert list(fc.ds.unique()) == list(last) and len(fc) == 2 * steps
    mae = np.mean(np.abs(fc.y.to_numpy() - test.y.to_numpy()))
    assert model.score(test[["unique_id", "ds", "y"]], test[["unique_id", "ds", "x"]]) \
        == pytest.approx(-mae)
    mi = train.set_index(["unique_id", "ds"])
    model = tsgate.GRUForecaster(horizon=steps, n_models=1, **SMALL).fit(mi.y, mi[["x"]])
    future = test.set_index(["unique_id", "ds"])
    assert np.array_equal(model.predict(X=future[["x"]]).to_numpy(), fc.y.to_numpy())
    one = pd.Series(train.y.to_numpy()[:len(train) // 2], index=train.ds.unique())
    model = tsgate.GRUForecaster(horizon=steps, n_models=1, **SMALL).fit(one)
    fold = pd.Series(1.0, index=pd.DatetimeIndex(last))  # no freq set
    assert fold.index.freq is None
    assert model.score(fold) == pytest.approx(-np.mean(np.abs(model.predict().to_numpy() - 1.0)))


def test_score_leaves_out_a_series_missing_from_the_test_fold():
    y = tsgate.datasets.load_airline()
    wide = pd.DataFrame({"a": y.to_numpy(), "b": y.to_numpy()[::-1].copy()}, index=y.index)
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **SMALL).fit(wide.iloc[:-3])
    test = wide.iloc[-3:].copy()
    test["a"] = np.nan
    fc = model.predict()
    assert model.score(test) == pytest.approx(-np.mean(np.abs(fc["b"] - test["b"])))
    with pytest.raises(ValueError, match="no observed value"):
        model.score(test * np.nan)


def test_scorers_pass_the_folds_exogenous_rows_on():
    """scikit-learn calls scorer(estimator, X_test, y_test): for a forecaster
    that is the series and its exogenous rows, which the forecast needs."""
    from sklearn.model_selection import TimeSeriesSplit, cross_val_score

    y = tsgate.datasets.load_airline()
    X = pd.DataFrame({"m": (np.arange(len(y)) % 12).astype(float)}, index=y.index)
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **SMALL)
    cv = TimeSeriesSplit(2, test_size=3)
    default = cross_val_score(model, y, X, cv=cv)
    by_mae = cross_val_score(model, y, X, cv=cv, scoring=tsgate.metrics.neg_mae_scorer)
    np.testing.assert_allclose(by_mae, default)
    assert np.isfinite(cross_val_score(model, y, X, cv=cv,
                                       scoring=tsgate.metrics.neg_mase_scorer)).all()


def test_per_series_forecaster_takes_freq_and_per_series_exogenous_rows():
    from tsgate.distributed import PerSeriesForecaster

    y = tsgate.datasets.load_airline()
    gappy = y.drop(y.index[18])
    wide = pd.DataFrame({"a": gappy, "b": 2 * gappy})
    model = PerSeriesForecaster(tsgate.GRUForecaster(horizon=3, freq="MS", n_models=1, **SMALL))
    assert model.fit(wide).predict().shape == (3, 2)
    mi = pd.DataFrame({"a": y, "b": 2 * y}).stack().swaplevel().sort_index() \
        .rename_axis(["unique_id", "ds"])
    X = pd.DataFrame({"x": np.arange(len(mi)) % 12 * 1.0}, index=mi.index)
    future = pd.MultiIndex.from_product(
        [["a", "b"], pd.date_range("1961-01-01", periods=3, freq="MS")], names=["unique_id", "ds"])
    Xf = pd.DataFrame({"x": [0., 1, 2, 5, 6, 7]}, index=future)
    template = tsgate.GRUForecaster(horizon=3, n_models=1, **SMALL)
    got = PerSeriesForecaster(template).fit(mi, X=X).predict(X=Xf)
    for key in "ab":
        alone = tsgate.GRUForecaster(horizon=3, n_models=1, **SMALL).fit(
            mi.loc[key], X=X.loc[key]).predict(X=Xf.loc[key])
        np.testing.assert_array_equal(got.loc[key].to_numpy(), alone.to_numpy())


# ------------------------------------------- the forecasts' times in the input's dtype

def _time_dtypes():
    pa = pytest.importorskip("pyarrow")
    return {"date32": (pd.ArrowDtype(pa.date32()), "MS"),
            "timestamp[ms]": (pd.ArrowDtype(pa.timestamp("ms")), "MS"),
            "timestamp[s, UTC]": (pd.ArrowDtype(pa.timestamp("s", tz="UTC")), "D"),
            "Int64": ("Int64", None), "int32": ("int32", None)}


@pytest.mark.parametrize("kind", ["date32", "timestamp[ms]", "timestamp[s, UTC]", "Int64",
                                  "int32"])
@pytest.mark.parametrize("layout", ["long", "multiindex"])
def test_forecast_times_come_back_in_the_input_time_dtype(kind, layout):
    """date32 (read_parquet's) came back from predict as datetime64[ns] and
    Int64 as int64, while forecast_long kept the input's dtype: the same
    frame gave two results. The times take the input's dtype back, as the
    ids do."""
    from tsgate.collection import to_collection
    from tsgate.frames import from_collection
    from tsgate.timedtypes import as_time_dtype

    dtype, freq = _time_dtypes()[kind]
    steps = (pd.date_range("2020-01-01", periods=12, freq=freq, tz="UTC" if "UTC" in kind
                           else None) if freq else pd.RangeIndex(5, 17))
    times = pd.Series(steps.append(steps)).astype(dtype)
    frame = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 12), "ds": times,
                          "y": np.arange(24.0)})
    y = frame if layout == "long" else frame.set_index(["unique_id", "ds"]).y
    coll = to_collection(y)
    out = from_collection(coll, {"forecast": np.zeros((2, 3))}, 3)
    got = out.ds if layout == "long" else out.index.get_level_values(1)
    future = coll.future_indexes(3)[0]  # the numpy-backed future steps
    assert got.dtype == times.dtype
    assert list(got[:3]) == list(pd.Series(future).astype(dtype))
    # times the input's dtype cannot hold stay as they are
    assert as_time_dtype(pd.date_range("2020-01-01", periods=3, freq="12h"),
                         "date32[day][pyarrow]").dtype.kind == "M"
    assert as_time_dtype(pd.RangeIndex(2**31 - 2, 2**31 + 1), "int32").dtype == "int64"


def test_forecast_times_past_the_inputs_integer_type_and_of_text():
    """Integer times ending near int32's (or uint8's) largest value met
    wrapped sums in future_index ("All arrays must be of the same
    length"); text times stored as string[pyarrow] came back as text, not
    as the dates they were read as."""
    pa = pytest.importorskip("pyarrow")
    from tsgate.collection import to_collection
    from tsgate.frames import from_collection

    for dtype, last in (("int32", 2**31 - 3), ("uint8", 249)):
        steps = pd.Series(np.arange(last - 11, last + 1)).astype(dtype)
        coll = to_collection(pd.DataFrame({"unique_id": "a", "ds": steps, "y": np.arange(12.0)}))
        out = from_collection(coll, {"forecast": np.zeros((1, 10))}, 10)
        assert list(out.ds) == list(range(last + 1, last + 11))  # int64 where the type ends
    text = pd.Series(pd.date_range("2020-01-01", periods=12, freq="MS").strftime("%Y-%m-%d"))
    frame = pd.DataFrame({"unique_id": "a", "ds": text.astype(pd.ArrowDtype(pa.string())),
                          "y": np.arange(12.0)})
    out = from_collection(to_collection(frame), {"forecast": np.zeros((1, 2))}, 2)
    assert out.ds.dtype.kind == "M" and out.ds.iloc[0] == pd.Timestamp("2021-01-01")


def test_wide_futures_are_shared_only_where_each_series_has_the_shared_one():
    from tsgate.collection import to_collection
    from tsgate.frames import _futures_shared
    idx = pd.date_range("2000-01-01", periods=10, freq="MS")
    df = pd.DataFrame({"a": np.arange(10.0) + 1, "b": [np.nan] * 6 + [1.0, 2.0, 3.0, 4.0]}, index=idx)
    assert _futures_shared(to_collection(df))
    # without a frequency a short series' own future cannot be made: it is made (and raises)
    bare = df.set_axis(pd.DatetimeIndex(idx.values))
    assert not _futures_shared(to_collection(bare))


def test_the_first_forecast_after_a_fit_reuses_the_final_fits_stages(monkeypatch):
    """predict smoothed every training series again to the stages the final
    fit had just made (3 s of 5 s at 10,000 series): it takes them, and the
    forecast and bands are those of stages made anew (after a load, a new y)."""
    from tsgate import fitplan, forecasters

    t = pd.date_range("2000-01-01", periods=44, freq="QS")
    X = pd.DataFrame({"promo": (np.arange(44) % 5 == 0).astype(float)}, index=t)
    wide = pd.DataFrame({"a": 50 + 5 * np.sin(np.arange(40)) + 3 * X.promo[:40].to_numpy(),
                         "b": 80 + 4 * np.cos(np.arange(40))}, index=t[:40])
    made, real = [], forecasters._BaseForecaster._stages

    def counted(self, *args, **kwargs):
        made.append(1)
        return real(self, *args, **kwargs)

    for data, fit_X, args in ((ragged(), None, {}), (wide, X.iloc[:40], {"X": X.iloc[40:]})):
        model = tsgate.GRUForecaster(horizon=4, **SMALL).fit(data, fit_X)
        monkeypatch.setattr(forecasters._BaseForecaster, "_stages", counted)
        kept = (model.predict(**args), model.predict_interval([0.8, 0.95], **args))
        assert made == []  # the fit's own stages
        monkeypatch.undo()
        fitplan.FINAL_STAGES.pop(model)
        forecasters._FORECASTS.pop(model, None)
        anew = (model.predict(**args), model.predict_interval([0.8, 0.95], **args))
        for a, b in zip(kept, anew):
            assert a.equals(b) and type(a) is type(b)


def test_a_small_collection_bands_each_series_from_its_own_rows(tmp_path):
    """Fewer than 10 series pooled their calibration rows into one quantile:
    in the bundled Iowa electricity data the broken trends of two series set
    the band of the steady third ([0, 27,933] around 5,600 where alone it
    was [3,427, 6,552]). Each series now has its own rows' band; a new
    series at predict, and a fit of many series, keep the pooled one."""
    rng = np.random.default_rng(0)
    t = np.arange(40)
    wide = pd.DataFrame({
        "steady": 100 + rng.normal(0, 1, 40),
        "up": 100 + np.where(t < 25, 0.0, 4.0 * (t - 25)) + rng.normal(0, 1, 40),
        "down": 100 - np.where(t < 25, 0.0, 4.0 * (t - 25)) + rng.normal(0, 1, 40),
    }, index=pd.period_range("1980", periods=40, freq="Y"))
    model = tsgate.GRUForecaster(horizon=6, **SMALL).fit(wide)
    owners = model.calibration_owners_
    assert owners.shape == (len(model.calibration_residuals_),)
    assert set(np.unique(owners)) <= {0, 1, 2}
    own = model.predict_interval(coverage=0.8)

    def width(band, col):
        return (band[(col, "upper")] - band[(col, "lower")]).to_numpy()

    model.save(tmp_path / "m.tsgate")
    loaded = tsgate.load(tmp_path / "m.tsgate")
    np.testing.assert_array_equal(loaded.calibration_owners_, owners)  # saved and loaded
    pd.testing.assert_frame_equal(loaded.predict_interval(coverage=0.8), own)
    del loaded.calibration_owners_  # as a file of an older tsgate: the pooled band
    pooled = loaded.predict_interval(coverage=0.8)
    assert (width(own, "steady") < 0.5 * width(pooled, "steady")).all()
    # each series' band is the quantile of its own rows times its unit
    from tsgate.calibration import half_widths
    rows = model.calibration_residuals_[owners == 0]
    assert not np.array_equal(half_widths(rows, 0.8), half_widths(model.calibration_residuals_, 0.8))
    # a series the fit did not see: the pooled rows
    new = wide[["steady"]].rename(columns={"steady": "other"})
    np.testing.assert_allclose(width(model.predict_interval(0.8, y=new), "other"),
                               width(loaded.predict_interval(0.8, y=new), "other"))
    # a level too high for the rows: one warning, at this call, of the fewest rows
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.predict_interval(coverage=0.995)
    calib = [w for w in caught if issubclass(w.category, CalibrationWarning)]
    assert len(calib) == 1 and calib[0].filename == __file__, [str(w.message) for w in calib]
    fewest = min(int(np.isfinite(model.calibration_residuals_[owners == j]).sum())
                 for j in range(3))
    assert str(calib[0].message).startswith(f"Only {fewest} out-of-sample residuals")
    # ... named (a short-series sweep, session 47: which of the series was it?)
    named = [j for j in range(3)
             if int(np.isfinite(model.calibration_residuals_[owners == j]).sum()) == fewest]
    assert f"the interval of series {list(wide.columns)[named[0]]!r};" in str(calib[0].message)
    many = tsgate.GRUForecaster(horizon=3, **SMALL).fit(
        pd.DataFrame({f"s{i}": 100 + rng.normal(0, 1, 30) for i in range(10)},
                     index=pd.period_range("1990", periods=30, freq="Y")))
    assert many.calibration_owners_ is None
    assert tsgate.GRUForecaster(horizon=3, **SMALL).fit(wide["up"]).calibration_owners_ is None


def test_a_series_of_one_value_has_a_band_of_width_0_at_any_scale():
    """Beside other series, a series of zeros got a band of about 0.1
    whatever the collection's scale (its unit at the floor of a unit of 1),
    10,000 times the data's size at 1e-6 (session 44's sweep); fitted
    alone its band was already [0, 0]. A constant's forecast is exact."""
    ix = pd.date_range("2020-01-01", periods=36, freq="MS")
    rng = np.random.default_rng(7)
    wide = pd.DataFrame({"a": 10 + np.sin(np.arange(36)) + rng.normal(0, .3, 36),
                         "zero": 0.0, "five": 5.0}, index=ix)
    bands = {}
    for scale in (1e-6, 1e6):
        model = tsgate.GRUForecaster(horizon=3, **SMALL).fit(wide * scale)
        band = model.predict_interval([0.8, 0.95])
        for col in ("zero", "five"):
            for bound in ("lower_80", "upper_80", "lower_95", "upper_95"):
                np.testing.assert_array_equal(band[(col, bound)], wide[col].iloc[:3] * scale)
        bands[scale] = band[("a", "upper_95")] - band[("a", "lower_95")]
        assert (bands[scale] > 0).all()
    np.testing.assert_allclose(bands[1e6] / 1e6, bands[1e-6] / 1e-6, rtol=1e-6)


def test_a_new_history_of_two_steps_forecasts_in_every_layout():
    """Two consecutive months of a fitted series, as a long frame or a
    MultiIndex, failed "2 timestamps are too few to infer" a frequency
    (session 44's sweep): joined to the fitted values before them, their
    index lost its frequency; a plain Series and two months a gap apart
    were forecast."""
    ix = pd.date_range("2020-01-01", periods=20, freq="MS")
    rng = np.random.default_rng(0)
    long = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 20), "ds": list(ix) * 2,
                         "y": rng.normal(10, 1, 40)})
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **SMALL).fit(long)
    for rows in ([0, 1], [5, 6]):
        new = long[long["unique_id"] == "b"].iloc[rows]
        out = model.predict(y=new)
        assert list(out["ds"]) == list(pd.date_range(new["ds"].iloc[-1], periods=4,
                                                     freq="MS")[1:])
        stacked = model.predict(y=new.set_index(["unique_id", "ds"])["y"])
        np.testing.assert_array_equal(stacked.to_numpy(), out["y"].to_numpy())
        assert np.isfinite(out["y"]).all()


def test_a_multiindex_y_of_text_is_refused_as_the_other_layouts_refuse_it():
    """Numbers written as text ("12.5") were converted and fitted on a
    (series id, time) MultiIndex, and refused in the long, wide and series
    layouts."""
    times = pd.date_range("2020-01-01", periods=20, freq="MS")
    long = pd.DataFrame({"unique_id": ["a"] * 20 + ["b"] * 20, "ds": list(times) * 2,
                         "y": [f"{v:.1f}" for v in range(40)]})
    stacked = long.set_index(["unique_id", "ds"])["y"]
    for y in (long, stacked, stacked.astype(float).astype(object),
              stacked.loc["a"].rename(None)):
        with pytest.raises(TypeError, match="pd.to_numeric"):
            tsgate.GRUForecaster(horizon=2, **SMALL).fit(y)


def test_datetime_date_times_on_a_multiindex_are_dates_as_in_a_long_frame():
    """datetime.date times were read in a long frame's column, and refused on
    a MultiIndex level with a fix (y.index = pd.to_datetime(y.index)) that
    cannot work on a MultiIndex."""
    times = pd.date_range("2020-01-01", periods=20, freq="MS")
    long = pd.DataFrame({"unique_id": ["a"] * 20 + ["b"] * 20, "ds": list(times.date) * 2,
                         "y": np.r_[np.arange(20.0), 5 + np.arange(20.0)]})
    want = tsgate.GRUForecaster(horizon=2, **SMALL).fit(long).predict()
    got = tsgate.GRUForecaster(horizon=2, **SMALL).fit(long.set_index(["unique_id", "ds"])["y"]) \
        .predict()
    assert list(got.index.get_level_values(1)[:2]) == list(pd.date_range("2021-09-01", periods=2,
                                                                         freq="MS"))
    np.testing.assert_array_equal(got.to_numpy(), want["y"].to_numpy())


def test_a_long_series_trains_for_its_step_budget_not_whole_epochs():
    """An epoch of more than twice a fit's budget is cut at the budget: 9,000
    windows in batches of 8 are 1,125 an epoch, and the final fit's budget,
    a quarter of 1000 steps, ran all of them (2.5 to 6 times the budget on
    longer series; a performance sweep, session 47). The validation fit's
    1000 steps keep their whole epoch (not twice the budget)."""
    y = pd.Series(np.sin(np.arange(9000) / 7.0) + np.random.default_rng(0).normal(0, .1, 9000))
    model = tsgate.GRUForecaster(horizon=1, window=4, hidden_size=2, n_models=1, batch_size=8,
                                 random_state=0).fit(y)
    validated, final = model.holdout_regressors_[0], model.regressors_[0]
    epoch = validated._optimizer_state[2]  # one whole epoch
    assert validated.n_iter_ == 1 and 1000 < epoch <= 2000
    assert final._optimizer_state[2] == epoch + 250 and final.n_iter_ == 2


def test_future_indexes_made_once_per_end_are_each_series_own():
    """Series that end together on one frequency share one future (a
    date_range per series was nearly all of a 3,000-series predict); each
    equals the series' own future_index."""
    from tsgate._series import future_index
    from tsgate.collection import to_collection

    parts = {"a": pd.date_range("2020-01-01", periods=30, freq="MS"),
             "b": pd.date_range("2019-07-01", periods=36, freq="MS"),
             "c": pd.date_range("2020-03-01", periods=27, freq="MS"),
             "d": pd.date_range("2019-01-01", periods=24, freq="QS")}
    y = pd.concat([pd.Series(np.arange(len(ix), dtype=float),
                             index=pd.MultiIndex.from_arrays([[k] * len(ix), ix]))
                   for k, ix in parts.items()])
    coll = to_collection(y)
    made = coll.future_indexes(5)
    for index, future in zip(coll.indexes, made):
        pd.testing.assert_index_equal(future, future_index(index, 5))
    assert made[0] is made[1] and made[2] is not made[0]


def test_an_early_stopped_long_series_refits_within_its_validation_steps():
    """9,000 windows in batches of 4 are 2,250 an epoch, more than twice the
    budget: the validation fit stops at 1000 steps, and the refit for its
    best epoch ran the whole epoch (a review, session 47)."""
    y = pd.Series(np.sin(np.arange(9000) / 7.0) + np.random.default_rng(0).normal(0, .1, 9000))
    model = tsgate.GRUForecaster(horizon=1, window=4, hidden_size=2, n_models=1, batch_size=4,
                                 early_stopping=True, random_state=0).fit(y)
    validated, final = model.holdout_regressors_[0], model.regressors_[0]
    assert validated._optimizer_state[2] == 1000 and validated.best_epoch_ == 1
    assert final._optimizer_state[2] == 1000


def test_a_series_times_three_trains_the_same_networks():
    """The inputs were cast to float32 in the series' own units and divided
    by the unit after: times 3 (no power of two) they rounded otherwise,
    and the networks trained as another seed's would (MAE 9% apart on a
    default LSTM). Alone, and as one series of a collection whose others
    must not move at all (a sweep, session 49)."""
    rng = np.random.default_rng(5)
    t = np.arange(48)
    wide = pd.DataFrame({k: 50 + 0.4 * t + 10 * np.sin(2 * np.pi * t / 12 + p)
                         + rng.normal(0, 2, 48) for k, p in zip("abc", (0.0, 1.0, 2.0))},
                        index=pd.date_range("2015-01", periods=48, freq="MS"))
    params = dict(SMALL, max_iter=20)
    one = tsgate.GRUForecaster(horizon=4, **params).fit(wide["a"]).predict()
    three = tsgate.GRUForecaster(horizon=4, **params).fit(wide["a"] * 3.0).predict()
    np.testing.assert_allclose(three / 3.0, one, rtol=1e-12)
    base = tsgate.GRUForecaster(horizon=4, **params).fit(wide).predict()
    scaled = tsgate.GRUForecaster(horizon=4, **params).fit(wide.assign(b=wide["b"] * 3.0))
    got = scaled.predict()
    np.testing.assert_array_equal(got[["a", "c"]], base[["a", "c"]])
    np.testing.assert_allclose(got["b"] / 3.0, base["b"], rtol=1e-12)
