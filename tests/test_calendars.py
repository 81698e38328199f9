"""Calendars a sweep of time indexes found mishandled (session 46): summer
time, anchored grids with a missing date, business against calendar days,
season lengths of rarer offsets, histories in another zone or skipping a
period, semi-month CSVs."""
import warnings

import numpy as np
import pandas as pd
import pytest

import tsgate
from tests.conftest import FAST
from tsgate._series import future_index, guess_freq, season_length


@pytest.mark.parametrize("end", ["2021-03-28", "2021-10-31"])
def test_days_after_a_change_of_summer_time_are_the_next_midnights(end):
    """``last + Day`` is 24 hours: 23:00 or 01:00 after a change."""
    idx = pd.date_range(end=end, periods=20, freq="D", tz="Europe/Berlin")
    want = pd.date_range(idx[-1], periods=4, freq="D")[1:]
    assert future_index(idx, 3).equals(want)
    assert (want.hour == 0).all()
    y = pd.Series(10 + np.sin(np.arange(20)), index=idx)
    assert tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y).predict().index.equals(want)


@pytest.mark.parametrize("freq, want", [
    ("W-WED", "W-WED"), ("QS-NOV", "QS-NOV"), ("QE-NOV", "QE-NOV"), ("YE-JUN", "YE-JUN"),
    ("2W", "2W-SUN"), ("3h", "3h"), ("2D", "2D"), ("BMS", "BMS"), ("B", "B"), ("MS", "MS")])
def test_dates_with_a_missing_one_are_told_their_own_frequency(freq, want):
    """Wednesdays with a missing week were told freq='B', quarters from
    November 'MS', 3-hourly steps 'h'."""
    idx = pd.date_range("2010-01-04", periods=40, freq=freq).delete(10)
    guess = guess_freq(idx)  # (pandas 3 names QS-NOV's grid QS-FEB: the same quarters)
    grid = pd.date_range(idx[0], idx[-1], freq=guess)
    assert grid.equals(pd.date_range(idx[0], idx[-1], freq=want)) and idx.isin(grid).all()


def test_a_much_denser_freq_is_refused_for_dates_with_a_gap():
    """Following the old advice, freq='B' for weekly dates with a gap, fitted
    a grid 80% NaN and forecast business days, silently."""
    idx = pd.date_range("2010-01-06", periods=40, freq="W-WED").delete(10)
    y = pd.Series(10 + np.sin(np.arange(39)), index=idx)
    with pytest.raises(ValueError, match=r"Give freq='W-WED'\.$"):
        tsgate.GRUForecaster(horizon=2, freq="B", **FAST).fit(y)
    assert tsgate.GRUForecaster(horizon=2, freq="W-WED", n_models=1, **FAST).fit(y) \
        .predict().index[0] == idx[-1] + pd.offsets.Week(weekday=2)


def test_business_and_calendar_days_are_not_one_collection():
    """Both step by a day in the median; the season (5 or 7) was that of
    whichever series came first."""
    b = pd.Series(np.arange(30.0), index=pd.bdate_range("2021-01-04", periods=30))
    d = pd.Series(np.arange(30.0), index=pd.date_range("2021-01-04", periods=30, freq="D"))
    for parts, keys in (([b, d], ["b", "d"]), ([d, b], ["d", "b"])):
        with pytest.raises(ValueError, match="one model learns one frequency"):
            tsgate.GRUForecaster(horizon=2, **FAST).fit(pd.concat(parts, keys=keys))


@pytest.mark.parametrize("freq, want", [("WOM-3FRI", 12), ("bh", 8), ("24h", 7), ("48h", 1),
                                        ("C", 5), ("3h", 8)])
def test_season_lengths_of_rarer_offsets(freq, want):
    assert season_length(pd.date_range("2021-01-04", periods=30, freq=freq)) == want


def test_a_short_history_in_another_time_zone_joins_the_fitted_past():
    """The same instants in UTC were not joined to the Berlin fit's past,
    and forecast without its season."""
    idx = pd.date_range("2021-01-04", periods=24 * 21, freq="h", tz="Europe/Berlin")
    t = np.arange(len(idx))
    y = pd.Series(10 + np.sin(2 * np.pi * t / 24), index=idx)
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y.iloc[:-24])
    berlin = model.predict(y=y.iloc[-24:])
    utc = model.predict(y=y.iloc[-24:].tz_convert("UTC"))
    np.testing.assert_allclose(utc.to_numpy(), berlin.to_numpy())
    assert str(utc.index.tz) == "UTC" and (utc.index == berlin.index).all()


def test_a_new_history_of_periods_skipping_one_is_put_on_the_fitted_grid():
    """It was refused with advice to set freq=, which predict does not take."""
    p = pd.Series(10 + np.sin(np.arange(30)), index=pd.period_range("2010Q1", periods=30,
                                                                   freq="Q-NOV"))
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(p.iloc[:-5])
    out = model.predict(y=p.drop(p.index[-3]))
    assert out.index.equals(pd.period_range(p.index[-1] + 1, periods=3, freq="Q-NOV"))


def test_the_cli_reads_semi_month_dates(tmp_path, capsys):
    """The API inferred SMS; the CLI said the frequency could not be inferred."""
    from tsgate.cli import main

    idx = pd.date_range("2018-01-01", periods=40, freq="SMS")
    path = tmp_path / "sms.csv"
    pd.DataFrame({"ds": idx.strftime("%Y-%m-%d"), "y": 10 + np.sin(np.arange(40))}).to_csv(
        path, index=False)
    assert main(["forecast", str(path), "--horizon", "2", "--max-iter", "2", "--quiet"]) in (0, None)
    assert "2019-09-01" in capsys.readouterr().out


def test_a_daily_time_the_spring_change_skips_still_forecasts():
    """date_range from 02:30 on the day before the change raised pytz's
    NonExistentTimeError; the fit checks the future dates, so it failed."""
    idx = pd.date_range("2024-03-01 02:30", "2024-03-30 02:30", freq="D", tz="Europe/Berlin")
    y = pd.Series(10 + np.sin(np.arange(len(idx))), index=idx)
    out = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y).predict()
    assert len(out) == 3 and out.index[0].day == 31


def test_features_written_by_to_csv_across_a_change_are_read_by_instant():
    """X read back from CSV holds offsets +01:00 and +02:00: pd.to_datetime
    refused them, and X was refused as 'labels of dtype object'."""
    import io

    idx = pd.date_range("2024-02-01", "2024-04-30", freq="D", tz="Europe/Berlin")
    X = pd.DataFrame({"promo": (np.arange(len(idx)) % 5 == 0).astype(float)}, index=idx)
    buf = io.StringIO()
    X.to_csv(buf)
    buf.seek(0)
    back = pd.read_csv(buf, index_col=0)
    from tsgate.featurerows import align_exog

    np.testing.assert_array_equal(align_exog(back, idx), X.to_numpy())


def test_zoned_daily_dates_with_a_gap_are_told_days():
    """Counted in absolute time, a day across a change is not 24 hours: the
    advice was freq='h', and following it fitted an hourly grid 96% NaN."""
    idx = pd.date_range("2024-03-01 12:00", "2024-04-30 12:00", freq="D",
                        tz="Europe/Berlin").delete(20)
    assert guess_freq(idx) == "D"


def test_a_period_history_skipping_a_month_after_a_fit_on_month_starts():
    """It was told of a freq=<MonthBegin>, an argument predict has not."""
    y = pd.Series(np.sin(np.arange(40)) + 5, index=pd.date_range("2020-01-01", periods=40,
                                                                 freq="MS"))
    model = tsgate.GRUForecaster(horizon=2, n_models=1, **FAST).fit(y)
    history = y.to_period("M").drop(y.index[-5].to_period("M"))
    assert len(model.predict(y=history)) == 2


@pytest.mark.parametrize("step, want", [
    (pd.offsets.BusinessHour(start="08:00", end="18:00"), 10),
    (pd.offsets.BusinessHour(start="09:00", end="13:00"), 4),
    (pd.offsets.CustomBusinessDay(weekmask="Mon Tue Wed Thu Fri Sat"), 6)])
def test_seasons_of_business_hours_and_custom_weeks(step, want):
    assert season_length(pd.date_range("2021-01-04 10:00", periods=60, freq=step)) == want


def test_anchored_dates_with_a_gap_are_told_their_frequency_not_periods():
    idx = pd.date_range("2010-02-01", periods=30, freq="QS-NOV").delete(10)
    y = pd.Series(np.arange(29.0), index=idx)
    with pytest.raises(ValueError, match="freq='QS-(NOV|FEB)'"):  # (pandas 3 names it QS-FEB)
        tsgate.GRUForecaster(horizon=2, **FAST).fit(y)


def test_the_cli_names_pandas_new_alias_for_a_renamed_one(monkeypatch):
    """Under pandas 3, --freq M was 'not a pandas frequency alias' (it is
    one of periods; pandas names the month ends ME now)."""
    from tsgate import _series

    def renamed(freq):  # pandas 3's error, whatever pandas runs here
        raise ValueError("Invalid frequency: M. Failed to parse with error message: "
                         "ValueError(\"'M' is no longer supported for offsets. Please use "
                         "'ME' instead.\")")

    monkeypatch.setattr(_series, "to_offset", renamed)
    assert _series.date_offset("M") == (None, "ME")
    monkeypatch.undo()
    offset, new = _series.date_offset("MS")
    assert offset is not None and new is None
    assert _series.date_offset("bogus") == (None, None)


PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3


@pytest.mark.skipif(not PANDAS_3, reason="pandas 2 still reads these aliases (with a warning)")
def test_aliases_pandas_3_renamed_are_told_by_their_new_name():
    """pandas 3 reads 'M' as periods only: freq='M' on dates was told of a
    clock time its zone skips; '15T' and 'A' got no new name ('A''s guess,
    'Y', is refused too)."""
    from sklearn.utils._param_validation import InvalidParameterError

    y = pd.Series(np.arange(30.0), index=pd.date_range("2020-01-31", periods=30, freq="ME"))
    with pytest.raises(ValueError, match=r"freq='M' is no frequency of dates, which y's index "
                                         r"holds: pandas names it 'ME' now"):
        tsgate.GRUForecaster(horizon=2, freq="M", max_iter=1).fit(y)
    for alias, new in (("15T", "15min"), ("A", "YE"), ("H", "h")):
        with pytest.raises(InvalidParameterError, match=rf"got '{alias}'; pandas names it "
                                                        rf"'{new}' now"):
            tsgate.GRUForecaster(horizon=2, freq=alias, max_iter=1).fit(y)


def test_a_lowercase_day_alias_warns_of_no_pandas_deprecation():
    """freq='d' (pandas 3 deprecates it for 'D') raised pandas' warning
    from tsgate's own parsing and gridding, an error under -W error."""
    y = pd.Series(np.sin(np.arange(39.0)) + 5,  # (a missing day: the grid of freq fills it)
                  index=pd.date_range("2020-01-01", periods=40, freq="D").delete(7))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("error", DeprecationWarning)
        warnings.simplefilter("error", FutureWarning)
        model = tsgate.GRUForecaster(horizon=2, freq="d", max_iter=1, hidden_size=4,
                                     n_models=1, random_state=0).fit(y)
    assert len(model.predict()) == 2
