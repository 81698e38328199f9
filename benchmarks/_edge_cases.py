"""The cases of ``benchmarks/edge_cases.py``: synthetic series of the kinds
a user meets (multiplicative seasonality, a level shift, outliers,
intermittent demand, a random walk, hourly and weekly seasons, short
series, exponential and saturating growth, negative values, gaps, a trend
break, noise, counts) and the bundled datasets.

Each case: name -> (builder(draw) -> pd.Series, h, m, n_draws); ``m`` is
the season of seasonal naive, AutoETS and the MASE scale (1: none). Each
synthetic draw has its own seed, so a case's draws are fixed.
"""
import numpy as np
import pandas as pd

from tsgate import datasets


def _idx(start, n, freq):
    return pd.date_range(start, periods=n, freq=freq)


def monthly_mult_trend(n):
    def b(d):
        r = np.random.default_rng(100 + d)
        t = np.arange(n)
        season = 1 + 0.25 * np.sin(2 * np.pi * t / 12 + r.uniform(0, 6)) + 0.1 * np.cos(4 * np.pi * t / 12)
        trend = 100 * np.exp(0.008 * t)
        y = trend * season * np.exp(r.normal(0, 0.04, n))
        return pd.Series(y, _idx("2000-01-01", n, "MS"))
    return b


def monthly_mult_line(start, stop, n=60):
    """A straight line in the values (not compounding) times a season of
    +-30%, 3% noise: session 55's trend term on the log scale."""
    def b(d):
        r = np.random.default_rng(200 + d)
        t = np.arange(n)
        season = 1 + 0.3 * np.sin(2 * np.pi * t / 12 + r.uniform(0, 6))
        y = np.linspace(start, stop, n) * season * (1 + 0.03 * r.standard_normal(n))
        return pd.Series(y, _idx("2000-01-01", n, "MS"))
    return b


def monthly_level_shift(d, n=120, h=12):
    r = np.random.default_rng(200 + d)
    t = np.arange(n)
    y = 200 + 20 * np.sin(2 * np.pi * t / 12) + r.normal(0, 4, n)
    y[n - h - 12:] += 60  # shift 12 months before the end of the training data
    return pd.Series(y, _idx("2005-01-01", n, "MS"))


def monthly_outliers(d, n=120):
    r = np.random.default_rng(300 + d)
    t = np.arange(n)
    y = 500 + 1.0 * t + 50 * np.sin(2 * np.pi * t / 12) + r.normal(0, 10, n)
    pos = r.choice(np.arange(10, n - 20), 3, replace=False)
    y[pos] += r.choice([-1, 1], 3) * r.uniform(800, 2000, 3)
    return pd.Series(y, _idx("2005-01-01", n, "MS"))


def intermittent(d, n=365):
    r = np.random.default_rng(400 + d)
    occ = r.random(n) < 0.15
    y = np.where(occ, r.poisson(3, n) + 1, 0).astype(float)
    return pd.Series(y, _idx("2022-01-01", n, "D"))


def random_walk(d, n=200):
    r = np.random.default_rng(500 + d)
    y = 100 + np.cumsum(r.normal(0, 1, n))
    return pd.Series(y, _idx("2022-01-01", n, "D"))


def sine_hourly(d, n=24 * 20):
    r = np.random.default_rng(600 + d)
    t = np.arange(n)
    y = 10 * np.sin(2 * np.pi * t / 24) + r.normal(0, 0.2, n)
    return pd.Series(y, _idx("2023-01-01", n, "h"))


def hourly_dw(d, n=24 * 7 * 8):
    r = np.random.default_rng(700 + d)
    t = np.arange(n)
    day = 30 * np.sin(2 * np.pi * t / 24 - 1.5) + 10 * np.sin(4 * np.pi * t / 24)
    dow = (t // 24) % 7
    week = np.where(dow >= 5, -40.0, 0.0) * (np.sin(2 * np.pi * t / 24 - 1.5) > 0)
    e = np.zeros(n)
    eps = r.normal(0, 5, n)
    for i in range(1, n):
        e[i] = 0.7 * e[i - 1] + eps[i]
    y = 300 + day + week + e
    return pd.Series(y, _idx("2023-01-02", n, "h"))


def weekly52(d, n=260):
    r = np.random.default_rng(800 + d)
    t = np.arange(n)
    y = 1000 + 1.5 * t + 150 * np.sin(2 * np.pi * t / 52.18) + 60 * np.cos(4 * np.pi * t / 52.18) + r.normal(0, 30, n)
    return pd.Series(y, _idx("2018-01-06", n, "W-SAT"))


def quarterly_short(d, n=20):
    r = np.random.default_rng(900 + d)
    t = np.arange(n)
    y = 50 + 0.8 * t + np.tile([5, -3, 8, -10], n // 4 + 1)[:n] + r.normal(0, 2, n)
    return pd.Series(y, _idx("2015-01-01", n, "QS"))


def yearly_short(d, n=12):
    r = np.random.default_rng(1000 + d)
    t = np.arange(n)
    y = 300 + 12 * t + r.normal(0, 10, n)
    return pd.Series(y, _idx("2010-01-01", n, "YS"))


def exp_growth(d, n=96):
    r = np.random.default_rng(1100 + d)
    t = np.arange(n)
    y = 50 * np.exp(0.04 * t) * np.exp(r.normal(0, 0.03, n))
    return pd.Series(y, _idx("2015-01-01", n, "MS"))


def logistic(d, n=104):
    r = np.random.default_rng(1200 + d)
    t = np.arange(n)
    y = 1000 / (1 + np.exp(-(t - 75) / 8)) + r.normal(0, 10, n)
    return pd.Series(y, _idx("2020-01-04", n, "W-SAT"))


def temp_anomaly(d, n=240):
    r = np.random.default_rng(1300 + d)
    t = np.arange(n)
    e = np.zeros(n)
    eps = r.normal(0, 0.3, n)
    for i in range(1, n):
        e[i] = 0.6 * e[i - 1] + eps[i]
    y = -1.0 + 0.004 * t + 0.8 * np.sin(2 * np.pi * t / 12) + e
    return pd.Series(y, _idx("2000-01-01", n, "MS"))


def with_nans(d, n=144):
    r = np.random.default_rng(1400 + d)
    t = np.arange(n)
    y = 300 + 1.5 * t + 40 * np.sin(2 * np.pi * t / 12) + r.normal(0, 8, n)
    miss = r.random(n) < 0.1
    miss[60:66] = True
    miss[n - 12:] = False  # keep the holdout observed
    miss[n - 13] = False   # and the last training value
    y[miss] = np.nan
    return pd.Series(y, _idx("2008-01-01", n, "MS"))


def trend_break(d, n=120, h=12):
    r = np.random.default_rng(1500 + d)
    t = np.arange(n).astype(float)
    k = n - h - 24
    y = 100 + 2.0 * t - 3.0 * np.clip(t - k, 0, None)  # slope +2, then -1 from 24 months before the end of training
    y += r.normal(0, 4, n)
    return pd.Series(y, _idx("2010-01-01", n, "MS"))


def white_noise(d, n=120):
    r = np.random.default_rng(1600 + d)
    return pd.Series(50 + r.normal(0, 5, n), _idx("2010-01-01", n, "MS"))


def daily_retail(d, n=730):
    r = np.random.default_rng(1700 + d)
    t = np.arange(n)
    dow = np.array([0.9, 0.95, 1.0, 1.05, 1.2, 1.5, 0.7])[t % 7]
    yr = 1 + 0.2 * np.sin(2 * np.pi * t / 365.25)
    y = r.poisson(40 * dow * yr * (1 + 0.0005 * t)).astype(float)
    return pd.Series(y, _idx("2022-01-01", n, "D"))


def low_counts(d, n=120):
    r = np.random.default_rng(1800 + d)
    return pd.Series(r.poisson(3, n).astype(float), _idx("2010-01-01", n, "MS"))


def seasonal_with_zeros(d, n=96):
    # positive seasonal demand that is zero in winter months
    r = np.random.default_rng(1900 + d)
    t = np.arange(n)
    base = np.clip(80 * np.sin(2 * np.pi * (t % 12) / 12 - 0.5), 0, None)
    y = np.where(base > 0, base + r.normal(0, 6, n), 0).clip(0)
    return pd.Series(y, _idx("2015-01-01", n, "MS"))


def _real(name, col=None):
    def b(d):
        data = datasets.load_dataset(name)
        return (data if col is None else data[col]).astype(float)
    return b


SYN = 3
CASES = {
    "mult_trend_n72": (monthly_mult_trend(72), 12, 12, SYN),
    "mult_trend_n120": (monthly_mult_trend(120), 12, 12, SYN),
    "mult_trend_n240": (monthly_mult_trend(240), 12, 12, SYN),
    "mult_line_up": (monthly_mult_line(5.0, 97.0), 12, 12, SYN),
    "mult_line_down": (monthly_mult_line(100.0, 8.0), 12, 12, SYN),
    "level_shift": (monthly_level_shift, 12, 12, SYN),
    "outliers": (monthly_outliers, 12, 12, SYN),
    "intermittent_daily": (intermittent, 14, 7, SYN),
    "random_walk": (random_walk, 10, 1, SYN),
    "sine_hourly": (sine_hourly, 24, 24, SYN),
    "hourly_daily_weekly": (hourly_dw, 48, 24, SYN),
    "weekly_m52": (weekly52, 13, 52, SYN),
    "quarterly_short": (quarterly_short, 8, 4, SYN),
    "yearly_short": (yearly_short, 4, 1, SYN),
    "exp_growth": (exp_growth, 12, 1, SYN),
    "logistic_weekly": (logistic, 13, 1, SYN),
    "temp_anomaly_neg": (temp_anomaly, 12, 12, SYN),
    "nan_gaps": (with_nans, 12, 12, SYN),
    "trend_break": (trend_break, 12, 1, SYN),
    "white_noise": (white_noise, 12, 1, SYN),
    "daily_retail": (daily_retail, 14, 7, SYN),
    "low_counts": (low_counts, 12, 1, SYN),
    "seasonal_zeros": (seasonal_with_zeros, 12, 12, SYN),
    "ds_airline": (_real("airline"), 12, 12, 1),
    "ds_co2": (_real("co2"), 13, 52, 1),
    "ds_elnino": (_real("elnino"), 12, 12, 1),
    "ds_nonfarm": (_real("us_employment", "nonfarm"), 12, 12, 1),
    "ds_manufacturing": (_real("us_employment", "manufacturing"), 12, 12, 1),
    "ds_woolyrnq": (_real("woolyrnq"), 8, 4, 1),
    "ds_realcons": (_real("macrodata", "realcons"), 8, 4, 1),
    "ds_seattle_temps": (_real("seattle_temps"), 24, 24, 1),
    "ds_seattle_tmax": (_real("seattle_weather", "temp_max"), 14, 7, 1),
    "ds_sunspots": (_real("sunspots"), 6, 1, 1),
    "ds_nile": (_real("nile"), 6, 1, 1),
    "ds_iowa_fossil": (_real("iowa_electricity", "fossil_fuels"), 4, 1, 1),
}
