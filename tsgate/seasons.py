"""The seasonal period of a forecaster: the frequency's cycle, or the week.

The frequency gives the natural cycle (:func:`tsgate._series.season_length`:
a day for hours, for half-hours and quarter-hours). Sub-daily series often
repeat by the week too (electricity load, traffic, footfall: weekends
differ from weekdays). With the day as its season, the smoothing stage
folds each weekend into its level and seasonal indices, and the networks'
windows of one to three days never see a week: on an hourly series of 26
weeks with a daily cycle and lower weekends, the default forecast of the
next day scored MASE 1.11 and 0.96 (two draws) against 0.53 and 0.67 for
repeating the last day, and 0.36 and 0.56 with the week as the season
(``benchmarks/README.md``).

So where the steps are sub-daily and the day is their cycle, the week is
taken instead when the data show it: among the series of the collection
long and seasonal enough at the week for the smoothing stage to use it
(:func:`tsgate.seasonality.is_seasonal` on the scale it would choose; at
least one), the week-ago value closer than the day-ago one on the typical
series (the median over them of their mean absolute weekly difference over
their mean absolute daily difference below ``WEEK_RATIO``). The others'
stages smooth the day alone where they are seasonal at it. The networks'
windows still span days (:func:`tsgate.encoding.window_lengths` of the
day): the stage's weekly indices carry the week, and its daily indices
(:func:`inner_period`, double seasonal smoothing in
:func:`tsgate.smoothing.smooth`) the day's profile as it changes from day
to day.
"""
import numpy as np
import pandas as pd

from ._series import infer_step, season_length
from .seasonality import is_seasonal, lag_testable
from .smoothing import change_scale, takes_log

DAYS_PER_WEEK = 7
WEEK_RATIO = 0.9  # the week is the season where its differences are this much smaller, ...
WEEK_SHOWN = 0.97  # ... or this, where the days' means are seasonal at the week


def daily_and_weekly(index):
    """(day, week): steps per day and per week of a sub-daily index whose
    cycle is the day (hours, half-hours, quarter-hours, "2h"), else None."""
    if not isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        return None
    step = infer_step(index)
    offsets = pd.tseries.offsets
    if not isinstance(step, (offsets.Hour, offsets.Minute)):
        return None
    day = season_length(index)
    per_day = pd.Timedelta(days=1) / pd.Timedelta(step.nanos, "ns")
    if day < 2 or day != per_day:  # e.g. 5-minute steps: their cycle is the hour
        return None
    return day, DAYS_PER_WEEK * day


def daily_means(v, day):
    """The means of ``v`` (n,) over its whole days of ``day`` steps, counted
    back from its last value (k,) (NaN where a day has no value)."""
    k = len(v) // day
    days = np.asarray(v[len(v) - k * day:], dtype=np.float64).reshape(k, day)  # (k, day)
    seen = np.isfinite(days).sum(axis=1)  # (k,)
    total = np.where(np.isfinite(days), days, 0.0).sum(axis=1)  # (k,)
    return np.where(seen > 0, total / np.maximum(seen, 1), np.nan)


def period(values, index):
    """The seasonal period for series ``values`` (a list of (n_i,)) on
    ``index``'s frequency: the week where the module's test takes it, else
    :func:`tsgate._series.season_length`.

    Besides the change ratio below ``WEEK_RATIO``, a ratio below
    ``WEEK_SHOWN`` takes the week where most series' daily means are
    seasonal at 7 days (:func:`tsgate.seasonality.is_seasonal`): weekend
    peaks 45% lower, with a slow trend and noise that wanders from hour to
    hour (AR(1), 0.7), kept the ratio at 0.88-0.98, and the day was the
    season. A day ahead of 8 and 16 weeks of such hours (3 seeds, 7
    origins), mean MASE 0.900 -> 0.657 and 0.708 -> 0.632 (MSTL 0.765 and
    0.693); the other cases of ``benchmarks/subdaily.py`` keep their
    season and scores. A ratio up to 1.0 took the week on more of those
    (0.580 on 16 weeks) but on 3.3% of 600 hourly series without a week
    (daily sines in white or AR noise), against 1.3% at 0.97 and 0.3%
    with the ratio alone (session 48)."""
    cycles = daily_and_weekly(index)
    if cycles is None:
        return season_length(index)
    day, week = cycles
    shown = []  # the series that can show the week
    for v in values:
        # three weeks of one-step changes (more than three weeks of data: 505
        # hourly values, not 504), and the stage's own test on the scale it would
        # choose. (The test takes two seasons from session 38 on; with two weeks
        # the week's 168 hourly indices are little more than the data, and the
        # change ratio below that picks the week against the day is a noisy
        # comparison.) A series that cannot show it (too short, or no season at
        # the week) does not decide: its stage smooths the day alone, or no
        # season (:func:`tsgate.smoothing.smooth`'s inner cycle). Until session
        # 56 one such series kept the day for all: a collection of eleven
        # hourly series of 60 days and one of 20 forecast the weekend like
        # weekdays, mean MASE 2.25 against 0.39, its 80% bands covering none.
        if lag_testable(v, week) and (takes_log(v, week) or is_seasonal(v, week)):
            shown.append(v)
    if not shown:
        return day
    # mean absolute changes (a constant series: both its spread, ratio 1)
    ratio = np.median([change_scale(v, week) / change_scale(v, day) for v in shown])
    if ratio < WEEK_RATIO or ratio >= WEEK_SHOWN:  # the ratio decides alone
        return week if ratio < WEEK_RATIO else day
    weekly = sum(is_seasonal(daily_means(v, day), DAYS_PER_WEEK) for v in shown)
    return week if 2 * weekly > len(shown) else day


def inner_period(chosen, index):
    """The inner cycle of a stage of period ``chosen``: the day where the
    week was chosen for sub-daily steps, else 1 (none)."""
    cycles = daily_and_weekly(index)
    return cycles[0] if cycles is not None and chosen == cycles[1] else 1


def window_period(chosen, index):
    """The cycle the networks' windows span for a stage of period ``chosen``:
    the day where the week was chosen, else ``chosen`` itself."""
    inner = inner_period(chosen, index)
    return inner if inner > 1 else chosen
