"""The seasonal period from the index and the data (tsgate.seasons)."""
import numpy as np
import pandas as pd
import pytest

import tsgate
from tsgate import seasons


def _hourly(weeks, weekend=10.0, walk=0.0, seed=0, start="2024-01-01"):
    n = 24 * 7 * weeks
    idx = pd.date_range(start, periods=n, freq="h")  # 2024-01-01 is a Monday
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 100 + 20 * np.sin(2 * np.pi * t / 24) - weekend * (idx.dayofweek >= 5) \
        + np.cumsum(rng.normal(0, walk, n)) + rng.normal(0, 2, n)
    return idx, y


@pytest.mark.parametrize("freq, want", [("h", (24, 168)), ("2h", (12, 84)), ("30min", (48, 336)),
                                        ("15min", (96, 672)), ("5min", None), ("D", None),
                                        ("W", None), ("MS", None)])
def test_daily_and_weekly_cycles_of_sub_daily_steps(freq, want):
    assert seasons.daily_and_weekly(pd.date_range("2020-01-01", periods=30, freq=freq)) == want
    assert seasons.daily_and_weekly(pd.RangeIndex(30)) is None


def test_the_week_is_the_season_where_the_data_show_it():
    idx, y = _hourly(6)
    assert seasons.period([y], idx) == 168
    assert seasons.window_period(168, idx) == 24  # the windows still span days
    assert seasons.inner_period(168, idx) == 24  # and the stage smooths the day inside the week
    assert seasons.inner_period(24, idx) == 1
    # no weekly pattern, a wandering level: the day-ago value is the closer one
    idx2, calm = _hourly(6, weekend=0.0, walk=0.5)
    assert seasons.period([calm], idx2) == 24
    # three weeks are too few for the stage to find the week: the day stays
    assert seasons.period([y[:24 * 21]], idx[:24 * 21]) == 24
    # a series of a collection too short for the week does not decide for the others
    # (until session 56 it kept the day for all), nor one without a season at all
    noise = np.random.default_rng(1).normal(100, 2, len(y))
    assert seasons.period([y, y[:24 * 21]], idx) == 168
    assert seasons.period([y[:24 * 21], noise], idx) == 24  # none shows it: the day
    assert seasons.period([noise, y, noise], idx) == 168
    # other frequencies: their cycle, whatever the data
    days = pd.date_range("2020-01-01", periods=len(y), freq="D")
    assert seasons.period([y], days) == 7
    assert seasons.window_period(7, days) == 7
    assert seasons.inner_period(7, days) == 1


def test_hourly_forecast_of_a_weekend_uses_the_weekly_season():
    # 6 weeks and 5 days of hours with lower weekends; the forecast day is a
    # Saturday, which the day before (the day's season) does not show
    H, n = 24, 24 * (7 * 6 + 5)
    idx, y = _hourly(7)
    model = tsgate.GRUForecaster(horizon=H, n_models=1, random_state=0)
    fc = model.fit(pd.Series(y[:n], idx[:n])).predict().to_numpy()
    assert model.season_length_ == 168 and model.inner_period_ == 24 and model.windows_ == [48]
    assert idx[n].day_name() == "Saturday"
    test = y[n:n + H]
    error = np.abs(fc - test).mean()
    assert error < 0.3 * np.abs(y[n - 24:n] - test).mean()  # the day before: a weekday
    assert error < np.abs(y[n - 168:n - 144] - test).mean()  # the week before
    # a season given by the user is kept
    given = tsgate.GRUForecaster(horizon=H, n_models=1, season_length=24, max_iter=2,
                                 random_state=0).fit(pd.Series(y[:n], idx[:n]))
    assert given.season_length_ == 24 and given.inner_period_ == 1


def test_a_series_too_short_for_the_collections_week_smooths_the_day(tmp_path):
    """Twelve days of hours beside six weeks: the collection takes the week,
    the short series' stage the day alone (it had no season at all where the
    week was every series' candidate); the choice is saved with the model.
    Until session 56 the short series kept the day for all, and the long
    one's Saturday was forecast as a weekday."""
    from tsgate.smoothing import smooth

    idx, y = _hourly(7)
    short = y[:24 * 12]
    stage = smooth(short, 168, inner=24)
    assert (stage.period, stage.inner) == (24, 1) and stage.gamma > 0
    assert smooth(short, 168).period == 1  # (no inner cycle to fall back on)
    n = 24 * (7 * 6 + 5)  # the long series' forecast day is a Saturday
    y_long = pd.Series(y[:n], idx[:n])
    y_short = pd.Series(short, idx[n - len(short):n])
    coll = pd.concat({"long": y_long, "short": y_short})
    model = tsgate.GRUForecaster(horizon=24, n_models=1, random_state=0).fit(coll)
    assert model.season_length_ == 168 and model.inner_period_ == 24
    assert model.stage_choices_[:, 1].tolist() == [168, 24]
    fc = model.predict()
    test = y[n:n + 24]
    error = np.abs(fc.loc["long"].to_numpy() - test).mean()
    assert idx[n].day_name() == "Saturday"
    assert error < 0.3 * np.abs(y[n - 24:n] - test).mean()  # not the weekday before
    path = model.save(tmp_path / "two.npz")
    loaded = tsgate.load(path)
    np.testing.assert_array_equal(loaded.predict().to_numpy(), fc.to_numpy())
    assert loaded._saved_stages(loaded.collection_) is not None  # the saved choices are taken
    # what the stage is made of is judged at the day too (a sweep of the first version):
    # a peak at 03:00 each day is no spike in six days of hours (no week before it) ...
    peaky = 10 + 0.5 * np.random.default_rng(0).standard_normal(24 * 6)
    peaky[3::24] = 40.0
    np.testing.assert_array_equal(model._cleaned([peaky])[0], peaky)
    # ... the log scale is chosen at the day (a growing multiplicative day stayed on its
    # own scale, judged at the week alone) ...
    t = np.arange(24 * 10)
    growing = (50 + t) * (1 + 0.5 * np.sin(2 * np.pi * t / 24))
    stage = smooth(growing, 168, inner=24)
    assert stage.log and (stage.period, stage.inner) == (24, 1)
    # ... and a new history too short for its day's season is told of the day
    later = pd.Series(short[:40], pd.date_range(idx[n] + pd.Timedelta(days=30), periods=40,
                                                freq="h"))  # (after a gap: not joined)
    with pytest.warns(UserWarning, match="fewer than the 48 that show a season of 24 steps"):
        model.predict(y=pd.concat({"short": later}))


def test_a_changing_day_is_smoothed_inside_the_week_and_saved(tmp_path):
    """Hours whose daily swing grows: the stage smooths the day inside the
    week (delta > 0, its daily indices learning every day); the inner cycle
    is saved, and a file without it (saved before) forecasts with one season."""
    idx, y = _hourly(6)
    t = np.arange(len(y))
    y = y + 20 * (t / len(y)) * np.sin(2 * np.pi * t / 24)  # the daily swing doubles
    model = tsgate.GRUForecaster(horizon=24, n_models=1, max_iter=3, random_state=0)
    fc = model.fit(pd.Series(y, idx)).predict().to_numpy()
    assert model.season_length_ == 168 and model.inner_period_ == 24
    stage = model._stages(model.collection_.values)[1][0]
    assert stage.inner == 24 and stage.delta > 0
    path = model.save(tmp_path / "hourly.npz")
    np.testing.assert_array_equal(tsgate.load(path).predict().to_numpy(), fc)
    older = tsgate.load(path)
    del older.inner_period_  # as a file written before the inner cycle reads
    assert not np.allclose(older.predict().to_numpy(), fc)


def test_the_seasonality_test_uses_no_blas(monkeypatch):
    """np.dot's BLAS threads met the kernels' on two cores: 168 dot products
    of a 100,000-hour series took 2.7 s (a performance sweep, session 47)."""
    from tsgate.seasonality import is_seasonal

    x = np.sin(np.arange(2000) * 2 * np.pi / 24) + np.random.default_rng(0).normal(size=2000)
    x[5] = np.nan
    expected = is_seasonal(x, 24)

    def no_blas(*args, **kwargs):
        raise AssertionError("np.dot called")

    monkeypatch.setattr(np, "dot", no_blas)
    assert is_seasonal(x, 24) == expected is True


def _ar_hours(weeks, weekend, seed):
    """Hours of a slow trend and a daily profile (a morning and an evening
    peak) whose weekend peaks are ``weekend`` (a share) lower, in AR(1)
    noise (0.7, sd 5): the trend and the noise hide the week from the
    change ratio."""
    n = 24 * 7 * weeks
    idx = pd.date_range("2024-01-01", periods=n, freq="h")  # a Monday
    rng = np.random.default_rng(seed)
    noise = np.zeros(n)
    for i in range(1, n):
        noise[i] = 0.7 * noise[i - 1] + rng.normal(0, 5)
    hour = (np.arange(n) % 24) / 24
    peaks = 40 * np.exp(-(hour - 0.375) ** 2 / 0.01) + 55 * np.exp(-(hour - 0.79) ** 2 / 0.015)
    weekly = np.where(idx.dayofweek >= 5, 1 - weekend, 1.0)
    return idx, 100 + 0.02 * np.arange(n) + peaks * weekly + noise


def test_the_week_is_taken_where_the_days_means_show_it_though_the_hours_wander():
    """A weekend 45% lower in noise wandering from hour to hour kept the
    week-ago to day-ago change ratio at 0.90-0.98, above WEEK_RATIO: the
    day was the season (17-20% more error than the week's); the days'
    means are plainly seasonal at 7 days."""
    from tsgate.seasonality import is_seasonal
    from tsgate.smoothing import change_scale

    idx, y = _ar_hours(8, weekend=0.45, seed=1)
    ratio = change_scale(y, 168) / change_scale(y, 24)
    assert seasons.WEEK_RATIO <= ratio < seasons.WEEK_SHOWN  # the ratio alone keeps the day
    assert is_seasonal(seasons.daily_means(y, 24), 7)
    assert seasons.period([y], idx) == 168
    for seed in range(3):  # no week: the day stays
        idx, calm = _ar_hours(8, weekend=0.0, seed=seed)
        assert seasons.period([calm], idx) == 24
    # means of whole days counted back from the last value, NaN left out
    v = np.r_[5.0, np.arange(48.0)]
    v[1] = np.nan
    np.testing.assert_allclose(seasons.daily_means(v, 24), [np.mean(np.arange(1.0, 24)), 35.5])
