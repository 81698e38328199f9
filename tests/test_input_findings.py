"""Defects found by sweeps of inputs, the command line, metrics and the
scikit-learn contract (session 52), each with the test that would have
caught it: days stored in UTC advised onto an hourly grid, pandas' own
clock-change errors, values near float64's largest, dates given as values,
floats as times, long forecast columns refused by mase and msis, a float32
coverage scored as another band, per-series warnings without their series,
CSV files read wrong (zip, ISO times of varying precision, clock times
without dates) and command-line messages that blamed the wrong thing."""
import functools
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import InvalidParameterError

import tsgate
from tests.conftest import FAST
from tsgate import metrics
from tsgate.calibration import CalibrationWarning
from tsgate.cli import main
from tsgate.distributed import PerSeriesForecaster, forecast_long
from tsgate.timedtypes import read_times

TINY = dict(FAST, n_models=1)


def _fit(y, horizon=3, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (max_iter=2: not converged)
        return tsgate.GRUForecaster(horizon=horizon, **TINY, **kw).fit(y)


# ---------------------------------------------------------------- clock changes
def test_local_midnights_held_in_utc_are_told_to_take_their_zone():
    """Berlin's midnights stored in UTC (23:00, then 22:00 in summer) were
    told to take freq='h', which fitted 30 days on 696 hourly steps and
    forecast hours."""
    stamps = pd.date_range("2021-03-20", periods=30, freq="D", tz="Europe/Berlin")
    y = pd.Series(100 + np.arange(30.0), index=pd.DatetimeIndex(list(stamps.tz_convert("UTC"))))
    for kw in ({}, {"freq": "h"}, {"freq": "D"}):
        with pytest.raises(ValueError, match=r"whole days apart give or take an hour .*"
                                             r"tz_convert\('Europe/Berlin'\)"):
            _fit(y, **kw)
    naive = y.tz_localize(None)  # (the same times without their zone)
    with pytest.raises(ValueError, match=r"tz_localize\('UTC'\)\.tz_convert"):
        _fit(naive)
    forecast = _fit(y.tz_convert("Europe/Berlin")).predict()  # the advice works
    assert list(forecast.index.hour) == [0, 0, 0]


def test_daily_readings_at_varying_times_are_told_to_take_their_dates():
    """Readings once a day between 08:00 and 08:50 were told to take
    freq='min': a grid over 99% missing, refused in turn."""
    minutes = np.random.default_rng(0).integers(0, 50, 30)
    y = pd.Series(np.arange(30.0), index=pd.date_range("2020-01-01 08:00", periods=30, freq="D")
                  + pd.to_timedelta(minutes, unit="min"))
    with pytest.raises(ValueError, match=r"other times of day; take their dates, "
                                         r"y\.index = y\.index\.normalize\(\)"):
        _fit(y)
    y.index = y.index.normalize()
    assert _fit(y).predict().index.freqstr == "D"


def test_local_midnights_in_their_zone_are_days_with_or_without_freq():
    """Berlin's midnights across the spring change are 23 hours apart in
    absolute time but whole days on the wall clock: days, with freq='D' and
    a gap too (the clock-shift check reads the wall clock)."""
    days = pd.date_range("2021-03-15", periods=40, freq="D", tz="Europe/Berlin")
    for index, kw in ((days, {}), (days, {"freq": "D"}), (days.delete(5), {"freq": "D"})):
        forecast = _fit(pd.Series(np.arange(float(len(index))), index=index), **kw).predict()
        assert list(forecast.index.hour) == [0, 0, 0] and forecast.index.freqstr == "D"


def test_an_hour_missing_near_the_autumn_change_gets_tsgates_advice():
    """The repeated hour at the end of summer time made pandas'
    AmbiguousTimeError reach the user (the same gap in spring got tsgate's
    "set freq='h'")."""
    hours = pd.date_range("2021-10-30 12:00", periods=40, freq="h", tz="Europe/Berlin").delete(5)
    y = pd.Series(100 + np.sin(np.arange(39.0)), index=hours)
    with pytest.raises(ValueError, match=r"freq='h'"):
        _fit(y)
    assert len(_fit(y, freq="h").predict()) == 3


def test_a_midnight_a_zone_skips_is_told_to_become_a_plain_date():
    """Santiago skips midnight at its spring change (that day is stamped
    01:00): pandas' NonExistentTimeError came out, with and without
    freq='D'."""
    days = pd.date_range("2022-09-01", periods=30, freq="D").tz_localize(
        "America/Santiago", nonexistent="shift_forward")
    y = pd.Series(100 + np.arange(30.0), index=days)
    for kw in ({}, {"freq": "D"}):
        with pytest.raises(ValueError, match=r"tz_localize\(None\)\.normalize\(\)"):
            _fit(y, **kw)
    y.index = y.index.tz_localize(None).normalize()
    assert _fit(y).predict().index.freqstr == "D"


# ---------------------------------------------------------------- values
def test_values_up_to_float64s_largest_forecast_as_smaller_ones_do():
    """From 2**1023 (about 9e307) the stage's exact rescaling by 2**1024
    overflowed (OverflowError), and the windows' centre, a median of two
    values, reached inf."""
    t = 1 + 0.01 * np.arange(20.0)
    index = pd.date_range("2020-01-01", periods=20, freq="MS")
    small = _fit(pd.Series(1e307 * t, index=index)).predict().to_numpy()
    large = _fit(pd.Series(1e308 * t, index=index)).predict().to_numpy()
    np.testing.assert_allclose(large / 1e308, small / 1e307, rtol=1e-9)


def test_a_forecast_beyond_float64_says_so():
    """A series near float64's largest that goes on growing forecast inf
    without a word."""
    y = pd.Series(1.5e308 * (1 + 0.01 * np.arange(20.0)),
                  index=pd.date_range("2020-01-01", periods=20, freq="MS"))
    with pytest.raises(ValueError, match="passes float64's range"):
        _fit(y).predict()
    steady = pd.Series(np.linspace(1, 1.7, 30) * 1e308,  # recursive: the first block's inf
                       index=pd.date_range("2020-01-01", periods=30, freq="MS"))  # went on
    with pytest.raises(ValueError, match="passes float64's range"):  # (a NaN unit's message)
        _fit(steady, horizon=2).predict(horizon=10)


@pytest.mark.parametrize("values", [
    pd.date_range("2020-01-01", periods=24, freq="D"),
    pd.timedelta_range("1D", periods=24),
    pd.period_range("2020-01", periods=24, freq="M"),
])
def test_dates_as_values_are_not_told_to_become_numbers(values):
    """Dates given as y were told "convert them with pd.to_numeric", which
    made nanoseconds since 1970 of them, then forecast."""
    y = pd.Series(values, index=pd.date_range("2000-01-01", periods=24, freq="MS"))
    with pytest.raises(TypeError, match="dates, times or durations, not values") as err:
        _fit(y)
    assert "to_numeric" not in str(err.value)


def test_a_long_frames_float_times_are_named_with_their_column():
    """A time column of 0.0, 1.0, ... (read_csv's integers beside a blank)
    got advice for a Series' index, naming no column."""
    df = pd.DataFrame({"unique_id": ["a"] * 20 + ["b"] * 20, "ds": np.tile(np.arange(20.0), 2),
                       "y": np.arange(40.0)})
    with pytest.raises(ValueError, match=r"time column 'ds' holds floats \(e.g. 0.0\).*"
                                         r"df\['ds'\]\.astype\(int\)"):
        _fit(df)


def test_quarters_as_text_read_without_pandas_warning():
    """'2015Q1' read one by one, with pandas' "Could not infer format"
    UserWarning shown to the user."""
    text = pd.Series([f"{y}Q{q}" for y in (2015, 2016) for q in range(1, 5)], name="ds")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        times = read_times(text)
    assert times[1] == pd.Timestamp("2015-04-01")


def test_clock_times_without_dates_are_refused():
    """Times of day read as times of the day the code ran."""
    df = pd.DataFrame({"unique_id": "a", "ds": [f"00:{m:02d}" for m in range(0, 60, 5)],
                       "y": np.arange(12.0)})
    with pytest.raises(ValueError, match="clock times without dates"):
        _fit(df)


@pytest.mark.parametrize("freq", ["0D", "0MS", "-1h"])
def test_a_freq_that_does_not_step_forward_is_an_invalid_parameter(freq):
    """freq='0D' raised ZeroDivisionError from pandas."""
    y = pd.Series(np.arange(24.0), index=pd.date_range("2020-01-01", periods=24, freq="D"))
    with pytest.raises(InvalidParameterError, match="must step forward in time"):
        _fit(y, freq=freq)


# ---------------------------------------------------------------- metrics
def _long_fit():
    rng = np.random.default_rng(0)
    long = pd.concat([pd.DataFrame({"unique_id": i, "ds": pd.date_range("2020-01-01", periods=30,
                                                                          freq="MS"),
                                    "y": 50 + rng.normal(0, 2, 30).cumsum()}) for i in "ab"],
                     ignore_index=True)
    train = long.groupby("unique_id").head(26).reset_index(drop=True)
    test = long.groupby("unique_id").tail(4).reset_index(drop=True)
    return _fit(train, horizon=4), train, test


def test_mase_and_msis_take_a_long_forecasts_columns():
    """The README says a long forecast's column pairs with a long frame
    sorted by id and time; mase and msis (the metrics with y_train) refused
    it where coverage and mae took it."""
    model, train, test = _long_fit()
    band, point = model.predict_interval(0.8), model.predict()
    framed = metrics.msis(test, band[["unique_id", "ds", "lower"]],
                          band[["unique_id", "ds", "upper"]], train, coverage=0.8)
    assert metrics.msis(test, band["lower"], band["upper"], train, coverage=0.8) == framed
    assert metrics.mase(test, point["y"], train) == metrics.mase(test, point, train)
    shuffled = test.sample(frac=1.0, random_state=0)  # no order to pair a column by
    with pytest.raises(ValueError, match="not sorted so"):
        metrics.mase(shuffled, point["y"], train)


def test_a_float32_coverage_scores_the_band_predict_interval_gives():
    """The scorer kept np.float32(0.8) as 0.800000011920929, whose
    conformal rank is another band than predict_interval's 0.8."""
    model, _, test = _long_fit()
    scorer = metrics.make_forecast_scorer(metrics.msis, coverage=np.float32(0.8))
    assert scorer.coverage == 0.8
    assert scorer(model, test) == metrics.make_forecast_scorer(metrics.msis, coverage=0.8)(
        model, test)
    y_true, lower, upper = [1.0, 2.0], [0.5, 1.0], [1.5, 1.5]
    base = metrics.msis(y_true, lower, upper, [1.0, 2.0, 4.0], coverage=0.8)
    for c in (np.float32(0.8), np.array(0.8)):
        assert metrics.msis(y_true, lower, upper, [1.0, 2.0, 4.0], coverage=c) == base
    with pytest.raises(ValueError, match="quantile must be a number in"):
        metrics.pinball_loss(y_true, lower, quantile=np.True_)


def test_a_partial_metrics_scorer_shows_what_it_binds():
    """A lag-1 mase scorer printed as the default one, which scores at the
    forecaster's season."""
    lag1 = metrics.make_forecast_scorer(functools.partial(metrics.mase, season_length=1))
    assert repr(lag1) != repr(metrics.neg_mase_scorer)
    assert "season_length=1" in repr(lag1)


def test_per_series_calibration_warnings_name_their_series():
    """PerSeriesForecaster and forecast_long relayed their members'
    CalibrationWarning naming no series, pointing into tsgate; Python's
    default filter then showed the second series' identical one not at
    all."""
    rng = np.random.default_rng(0)
    wide = pd.DataFrame({"a": 50 + rng.normal(0, 2, 30).cumsum(),
                         "b": 20 + rng.normal(0, 1, 30).cumsum()},
                        index=pd.date_range("2020-01-01", periods=30, freq="MS"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = PerSeriesForecaster(tsgate.GRUForecaster(horizon=4, **TINY)).fit(wide)
    long = wide.stack().rename("y").rename_axis(["ds", "unique_id"]).reset_index()
    calls = [lambda: model.predict_interval(0.999),
             lambda: forecast_long(long[["unique_id", "ds", "y"]], 4, model="gru",
                                   coverage=0.999, **TINY)]
    for call, prefix in zip(calls, ("series", "id")):
        with warnings.catch_warnings(record=True) as caught:
            warnings.resetwarnings()
            warnings.simplefilter("default")
            call()
        named = [w for w in caught if issubclass(w.category, CalibrationWarning)]
        assert [str(w.message).split(":")[0] for w in named] == [f"{prefix} 'a'", f"{prefix} 'b'"]
        assert all(w.filename == __file__ for w in named)


# ---------------------------------------------------------------- the command line
QUICK = ["--max-iter", "2", "--quiet"]


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def monthly(tmp_path):
    frame = pd.DataFrame({"ds": pd.date_range("2018-01-01", periods=36, freq="MS"),
                          "y": 10 + np.sin(np.arange(36.0) * np.pi / 6)})
    return frame


def test_cli_reads_a_zipped_csv(tmp_path, monthly, capsys):
    """A .zip was read as text to sniff its separator: one of its bytes,
    '|', was taken as the separator and the file refused."""
    plain, packed = tmp_path / "data.csv", tmp_path / "data.csv.zip"
    monthly.to_csv(plain, index=False)
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(plain, "data.csv")
    results = [_run(capsys, "forecast", p, "--horizon", 2, "--output", "-", *QUICK)
               for p in (plain, packed)]
    assert results[0][0] == results[1][0] == 0
    assert results[0][1] == results[1][1]
    with zipfile.ZipFile(packed, "a") as archive:
        archive.writestr("other.csv", "x")
    code, _, err = _run(capsys, "forecast", packed, *QUICK)
    assert code == 2 and "zip archive of 2 files" in err


def test_cli_reads_iso_times_of_varying_precision(tmp_path, capsys):
    """isoformat leaves out zero microseconds ("00:00:00", then
    "00:00:00.500000"): the format pandas took from the first row refused
    the rest, and the message asked for the format the file used."""
    stamps = pd.date_range("2020-01-01", periods=40, freq="500ms")
    path = tmp_path / "ms.csv"
    path.write_text("ts,y\n" + "".join(f"{t.isoformat(sep=' ')},{i % 4}\n"
                                       for i, t in enumerate(stamps)))
    code, out, err = _run(capsys, "forecast", path, "--horizon", 2, "--output", "-", *QUICK)
    assert code == 0, err
    assert "2020-01-01 00:00:20" in out


def test_cli_refuses_clock_times_without_dates(tmp_path, capsys):
    path = tmp_path / "day.csv"
    path.write_text("time,y\n" + "".join(f"{h:02d}:{m:02d},{h}\n" for h in range(3)
                                         for m in (0, 15, 30, 45)))
    code, _, err = _run(capsys, "forecast", path, *QUICK)
    assert code == 2 and "clock times without dates (e.g. '00:00')" in err


@pytest.mark.parametrize("freq", ["0D", "0MS", "-1h"])
def test_cli_refuses_a_freq_that_does_not_step_forward(tmp_path, monthly, capsys, freq):
    """--freq 0D raised ZeroDivisionError with a traceback."""
    path = tmp_path / "data.csv"
    monthly.to_csv(path, index=False)
    code, _, err = _run(capsys, "forecast", path, f"--freq={freq}", *QUICK)
    assert code == 2 and "--freq must step forward in time" in err


def test_cli_names_a_repeated_percentage_not_the_range(capsys):
    code, _, err = _run(capsys, "forecast", "--dataset", "airline",
                        "--interval", "0.8,0.80000000000001", *QUICK)
    assert code == 2 and "percentage twice" in err and "between 0 and 1" not in err


def test_cli_long_file_with_a_repeated_time_names_its_series(tmp_path, capsys):
    """With --freq, pandas' "cannot reindex on an axis with duplicate
    labels"; without --horizon, a frequency message for y with Python
    advice, naming no series."""
    d = pd.date_range("2020-01-01", periods=30, freq="MS")
    rows = [("a", t, i) for i, t in enumerate(d)] + [("a", d[3], 5)]
    rows += [("b", t, i) for i, t in enumerate(d[10:])]
    path = tmp_path / "long.csv"
    pd.DataFrame(rows, columns=["id", "ds", "y"]).to_csv(path, index=False)
    for extra in ([], ["--freq", "MS"]):
        code, _, err = _run(capsys, "forecast", path, "--id-column", "id", *extra, *QUICK)
        assert code == 2
        assert "(series 'a')" in err or "series 'a' of" in err
        assert "2020-04-01 00:00:00 more than once" in err


def test_horizon_limit_message_does_not_round_to_the_limit():
    y = pd.Series(np.arange(24.0), index=pd.date_range("2020-01-01", periods=24, freq="MS"))
    model = _fit(y)
    with pytest.raises(ValueError, match=r"is 1,000.33 times the fitted horizon 3"):
        model.predict(horizon=3001)



def test_cli_reads_fields_after_a_space(tmp_path, capsys):
    """A header "month, sales" named its column " sales" (--value-column
    sales refused, the output's header " sales"), and a quoted field after
    the space was not read as quoted."""
    path = tmp_path / "spaced.csv"
    months = pd.date_range("2020-01-01", periods=24, freq="MS")
    path.write_text("month, sales\n" + "".join(f'{t:%Y-%m-%d}, "1,{100 + i}.5"\n'
                                               for i, t in enumerate(months)))
    code, out, err = _run(capsys, "forecast", path, "--value-column", "sales", "--horizon", 2,
                          "--output", "-", *QUICK)
    assert code == 0, err
    assert out.splitlines()[0] == "month,sales"
    assert float(out.splitlines()[1].split(",")[1]) > 1000  # read as 1,1xx.5, not text


def test_a_series_keeps_its_integer_time_dtype_as_collections_do():
    """int32 or Int64 steps came back as int64 for one series or a wide
    frame, where a collection's forecast kept them."""
    for dtype in ("int32", "Int64"):
        y = pd.Series(np.sin(np.arange(30.0)), index=pd.Index(np.arange(30), dtype=dtype))
        model = _fit(y)
        assert model.predict().index.dtype == dtype
        assert model.predict_interval().index.dtype == dtype
        wide = _fit(pd.DataFrame({"a": y, "b": 2 * y}))
        assert wide.predict().index.dtype == dtype
    near = pd.Series(np.sin(np.arange(30.0)), index=pd.Index(np.arange(224, 254), dtype="uint8"))
    assert list(_fit(near).predict().index) == [254, 255, 256]  # past uint8: as int64


def _monthly_long(key, start, n, freq, column="y", seed=0):
    values = (100 + np.random.default_rng(seed).normal(0, 1, n).cumsum() if column == "y"
              else np.sin(np.arange(n)))
    return pd.DataFrame({"unique_id": key, "ds": pd.date_range(start, periods=n, freq=freq),
                         column: values})


def test_month_starts_beside_month_ends_take_future_features_at_any_horizon():
    """Each series' future X rows were read on the first series' step: a
    month-start series' one or two future dates went on the month ends' grid
    and were refused, blaming y and a freq the user never gave."""
    y = pd.concat([_monthly_long("a", "2000-01-31", 30, "ME"),
                   _monthly_long("b", "2000-01-01", 30, "MS", seed=1)], ignore_index=True)
    X = pd.concat([_monthly_long("a", "2000-01-31", 40, "ME", "x"),
                   _monthly_long("b", "2000-01-01", 40, "MS", "x")], ignore_index=True)
    for horizon in (1, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = tsgate.GRUForecaster(horizon=horizon, **TINY).fit(y, X)
        forecast = model.predict(X=X)
        assert list(forecast.ds[forecast.unique_id == "b"].dt.day) == [1] * horizon
        assert list(forecast.ds[forecast.unique_id == "a"].dt.is_month_end) == [True] * horizon


def test_a_short_month_start_history_is_taken_by_a_month_end_model():
    """Two month starts (or month starts with one missing) given to a model
    fitted on month ends or monthly periods were put on the month ends' grid
    and refused; three were taken (README: one frequency)."""
    train = pd.concat([_monthly_long("a", "2000-01-31", 20, "ME"),
                       _monthly_long("b", "2003-01-31", 12, "ME", seed=1)], ignore_index=True)
    periods = train.assign(ds=train.ds.dt.to_period("M"))
    for fitted in (train, periods):
        model = _fit(fitted)
        for history in (_monthly_long("b", "2004-01-01", 2, "MS"),
                        _monthly_long("b", "2004-01-01", 5, "MS").drop(index=2)):
            forecast = model.predict(y=history)
            last = history.ds.iloc[-1]
            expected = pd.date_range(last, periods=4, freq="MS")[1:]
            assert list(forecast.ds) == list(expected)


def test_scoring_steps_after_a_stopped_series_says_where_the_frame_ends():
    """A wide frame's series that stopped reporting two years before the
    index end: its steps after its last observation were refused as 'a step
    of the training data', with advice on return_train_score."""
    rng = np.random.default_rng(0)
    index = pd.date_range("2000-01-01", periods=60, freq="MS")
    wide = pd.DataFrame({"a": 100 + rng.normal(0, 1, 60).cumsum(),
                         "b": 50 + rng.normal(0, 1, 60).cumsum()}, index=index)
    wide.loc["2003-01-01":, "b"] = np.nan
    model = _fit(wide)
    test = pd.DataFrame({"b": [50.0, 50.5]}, index=pd.date_range("2003-01-01", periods=2,
                                                                 freq="MS"))
    with pytest.raises(ValueError, match="a wide frame's rows run to 2004-12-01") as err:
        model.score(test)
    assert "return_train_score" not in str(err.value)
    inside = pd.DataFrame({"a": [100.0]}, index=pd.DatetimeIndex(["2003-01-01"]))
    with pytest.raises(ValueError, match="return_train_score"):  # a real training step
        model.score(inside)


def test_a_step_near_a_day_given_as_freq_is_honoured():
    """The clock-shift check refused, on any freq, dates whole days apart
    give or take an hour: a lunar day (1490 minutes) or 49 hours given as
    freq were refused where pandas infers them without it."""
    for step in ("1490min", "49h", "25h"):
        index = pd.date_range("2020-01-01", periods=30, freq=step)
        y = pd.Series(np.sin(np.arange(30.0)), index=index)
        future = _fit(y, freq=step).predict().index
        assert future[0] == index[-1] + pd.Timedelta(step)


def test_a_daily_grid_through_a_skipped_clock_time_says_so():
    """Daily 02:30 data in Berlin with freq='D': the grid's first steps ran
    into the 02:30 the spring change skips, and pytz's NonExistentTimeError
    came out."""
    days = pd.DatetimeIndex(  # (not appended: pandas 3 checks the step through 03-29 02:30)
        list(pd.date_range("2020-03-27 02:30", periods=2, freq="D", tz="Europe/Berlin"))
        + list(pd.date_range("2020-03-30 02:30", periods=20, freq="D", tz="Europe/Berlin")))
    y = pd.Series(np.arange(22.0), index=days)
    with pytest.raises(ValueError, match="onto a clock time that the zone skips or repeats"):
        _fit(y, freq="D")


def test_a_long_frames_iso_times_of_varying_precision_are_read():
    """isoformat leaves out zero microseconds: read by the CSV path, refused
    in a long frame ('unconverted data remains')."""
    stamps = pd.date_range("2020-01-01", periods=30, freq="500ms")
    df = pd.DataFrame({"unique_id": "a", "ds": [t.isoformat() for t in stamps],
                       "y": np.sin(np.arange(30.0))})
    assert df.ds[0] == "2020-01-01T00:00:00" and df.ds[1].endswith(".500000")
    forecast = _fit(df).predict()
    assert list(forecast.ds) == list(pd.date_range("2020-01-01 00:00:15", periods=3,
                                                   freq="500ms"))


def test_relayed_warnings_keep_their_class_their_filters_and_the_failed_calls():
    """named_warnings rebuilt every member warning from its message (a class
    of more arguments made predict fail), showed pandas' deprecations at the
    user's line under a series prefix, and lost the warnings of a call that
    raised."""
    from tsgate._callers import named_warnings

    class Coded(UserWarning):
        def __init__(self, message, code):
            super().__init__(message)
            self.code = code

    def member(fail=False):
        warnings.warn(Coded("stale input", 7))
        warnings.warn("old API", DeprecationWarning, stacklevel=1)
        warnings.warn("looks odd", UserWarning, stacklevel=1)
        if fail:
            raise ValueError("no band")
        return 1

    with warnings.catch_warnings(record=True) as seen:
        warnings.resetwarnings()
        warnings.simplefilter("always")
        assert named_warnings("series 'a'", member) == 1
        with pytest.raises(ValueError, match="no band"):
            named_warnings("series 'b'", member, fail=True)
    texts = [(w.category.__name__, str(w.message)) for w in seen]
    assert texts == [("Coded", "stale input"), ("DeprecationWarning", "old API"),
                     ("UserWarning", "series 'a': looks odd"),
                     ("Coded", "stale input"), ("DeprecationWarning", "old API"),
                     ("UserWarning", "series 'b': looks odd")]
    assert seen[0].message.code == 7 and seen[1].filename == __file__


def test_a_float32_0d_coverage_is_the_decimal_it_shows():
    from tsgate.calibration import fractions

    assert fractions(np.array(0.8, np.float32), "coverage") == ([0.8], True)


def test_mase_names_a_plain_column_of_another_length():
    _, train, test = _long_fit()
    with pytest.raises(ValueError, match=r"y_true has shape \(8,\) but the forecast has shape "
                                         r"\(7,\)"):
        metrics.mase(test, np.ones(7), train)
