"""Error messages that tell a fix: applying the fix they tell must work
(session 34's sweep found three that named values or calls the code then
refused)."""
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import tsgate
from tests.conftest import FAST
from tsgate.folds import MIN_OBSERVATIONS

MONTHS = pd.date_range("2020-01-01", periods=40, freq="MS")
Y = pd.Series(np.sin(np.arange(40) / 3) + 10, index=MONTHS)


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def test_backtest_start_advice_names_starts_that_work():
    """It said "a start in 1..39, or -39..-1", then refused 1 and -39."""
    model = tsgate.GRUForecaster(**dict(FAST, horizon=3))
    with pytest.raises(ValueError, match=r"start in (\d+)\.\.39, or -(\d+)\.\.-1") as info:
        tsgate.backtest(model, Y, start=0)
    low, high = map(int, re.search(r"start in (\d+)\.\.39, or -(\d+)\.\.-1", str(info.value)).groups())
    assert low == MIN_OBSERVATIONS and high == len(Y) - MIN_OBSERVATIONS
    for start in (low, -high):  # the advised bounds themselves
        out = _quiet(tsgate.backtest, model, Y, start=start, refit=False)
        assert out["origin"].iloc[0] == Y.index[low - 1]


@pytest.mark.parametrize("per_series", [False, True])
def test_backtest_horizon_advice_works_for_a_forecaster_without_one(per_series):
    """"pass backtest(..., horizon=steps)": then the clones were fitted with
    horizon=None, which their parameter check refuses."""
    model = tsgate.GRUForecaster(**dict(FAST, horizon=None))
    if per_series:
        model = tsgate.distributed.PerSeriesForecaster(model)
    with pytest.raises(ValueError, match=r"pass backtest\(\.\.\., horizon=steps\)"):
        tsgate.backtest(model, Y)
    out = _quiet(tsgate.backtest, model, Y, horizon=3, start=-6)
    assert len(out) == 6 and set(out["step"]) == {1, 2, 3}
    assert model.get_params()["forecaster__horizon" if per_series else "horizon"] is None


def test_too_few_dates_to_infer_a_frequency_says_the_series_is_too_short_to_fit():
    """Two dates without freq: the advice (set a freq) led only to "too short"."""
    y = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2020-01-01", "2020-02-01"]))
    model = tsgate.GRUForecaster(**dict(FAST, horizon=3))
    with pytest.raises(ValueError, match=f"too few to infer one.*at least {MIN_OBSERVATIONS} "
                                         "observations"):
        model.fit(y)
    y.index.freq = "MS"
    with pytest.raises(ValueError, match=f"at least {MIN_OBSERVATIONS} are needed"):
        model.fit(y)
