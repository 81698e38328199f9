"""Missing values as real series have them (a sweep, session 47): a data
error beside a missing reading, a missing reading among a launch's zeros, a
collection with a series recorded once a year, a backtest's advice."""
import numpy as np
import pandas as pd
import pytest

import tsgate
from tsgate.spikes import without_spikes

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

MONTHS = pd.date_range("2000-01-01", periods=72, freq="MS")


def _seasonal(n=72, seed=0):
    t = np.arange(n)
    return 100 + 0.3 * t + 15 * np.sin(2 * np.pi * t / 12) + \
        np.random.default_rng(seed).normal(0, 2, n)


@pytest.mark.parametrize("gap", [None, 59, 61])
def test_a_spike_beside_a_missing_value_is_set_missing(gap):
    """Its change to the NaN is no change: a reading 100 times too large
    was kept, and drove the forecast (error 84 against 0.8)."""
    y = _seasonal()
    y[60] *= 100
    if gap is not None:
        y[gap] = np.nan
    out = without_spikes(y, 12)
    assert np.isnan(out[60])
    kept = np.isfinite(y) & (np.arange(72) != 60)
    np.testing.assert_array_equal(out[kept], y[kept])


def test_a_value_after_a_long_gap_is_no_spike():
    """Two missing values and more between neighbours: not compared."""
    y = _seasonal()
    y[57:60] = np.nan
    y[60] *= 100
    y[61:64] = np.nan
    assert np.isfinite(without_spikes(y, 12)[60])


@pytest.mark.parametrize("missing", [None, 10, 19])
def test_a_missing_reading_among_the_zeros_before_a_launch(missing):
    """The NaN ended the run of zeros: all 24 stayed (a band 4 times as
    wide), or 19 were cut and 4 zeros stayed (an error 10 times larger)."""
    y = pd.Series(_seasonal(), index=MONTHS)
    y.iloc[:24] = 0.0
    if missing is not None:
        y.iloc[missing] = np.nan
    model = tsgate.GRUForecaster(horizon=3, max_iter=2, n_models=1, random_state=0).fit(y)
    assert model.launch_zeros_.tolist() == [24]


def test_an_explicit_freq_takes_a_series_recorded_once_a_year_beside_monthly_ones():
    """Its dates step by a year: 'freq=MS puts them on a grid 9.8 times as
    dense', though the other series are monthly and the wide frame fits."""
    jan = MONTHS[MONTHS.month == 1]
    long = pd.DataFrame({"unique_id": ["a"] * 72 + ["b"] * len(jan),
                         "ds": list(MONTHS) + list(jan),
                         "y": list(_seasonal()) + list(50 + np.arange(len(jan), dtype=float))})
    model = tsgate.GRUForecaster(horizon=3, max_iter=2, n_models=1, random_state=0, freq="MS")
    with pytest.warns(UserWarning, match=r"series 'b'\)'s dates step by 'YS-JAN'; freq='MS' .*"
                                         r"kept, on the grid the other series follow"):
        out = model.fit(long).predict()
    assert len(out) == 6 and np.isfinite(out["y"]).all()
    yearly = long[long["unique_id"] == "b"]  # alone, or all series so: refused as before
    with pytest.raises(ValueError, match="times as dense.*every series of y is so"):
        tsgate.GRUForecaster(horizon=3, freq="MS").fit(yearly)


def test_backtest_does_not_advise_a_start_at_the_end():
    """A series starting at row 44 of 48: "start must be >= 48", which is
    then refused (a start in 4..47)."""
    y = pd.DataFrame({"a": _seasonal(48), "b": np.nan}, index=MONTHS[:48])
    y.iloc[44:, 1] = [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(ValueError, match="in every series: drop the series"):
        tsgate.backtest(tsgate.GRUForecaster(horizon=3), y, start=40)


def test_a_series_of_zeros_throughout_is_no_launch():
    """60 zeros were cut to their last 4 as a launch: one calibration
    residual, and a warning to give a longer series (a constant 5 has
    neither; a migration sweep, session 47)."""
    import warnings

    y = pd.Series(0.0, index=MONTHS[:60])
    model = tsgate.GRUForecaster(horizon=3, max_iter=2, n_models=1, random_state=0).fit(y)
    assert model.launch_zeros_.tolist() == [0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        band = model.predict_interval(0.9)
    assert (band["upper"] == band["lower"]).all() and (band["upper"] == 0).all()


def test_every_too_short_series_is_named():
    """Only the first was: a long frame with two too-short ids named 'a'
    alone (a short-series sweep, session 47)."""
    long = pd.concat([pd.DataFrame({"unique_id": key, "ds": MONTHS[:n], "y": np.arange(n, dtype=float)})
                      for key, n in (("a", 3), ("b", 2), ("c", 30))], ignore_index=True)
    with pytest.raises(ValueError, match=r"Series 'a' has 3 .* Drop the 2 too-short series "
                                         r"\(also 'b' \(2\)\) or give a longer history"):
        tsgate.GRUForecaster(horizon=3).fit(long)
