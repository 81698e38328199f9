"""pandas at the edge: validate a time series, read its frequency, build the
index of the future, and pick a seasonal period.

Accepted indexes: a DatetimeIndex or PeriodIndex with a frequency that is set
or can be inferred, or an integer index with a constant step (RangeIndex).
"""
import re

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from sklearn.utils._param_validation import InvalidParameterError

from ._callers import quiet
from .folds import MIN_OBSERVATIONS

_DAY_NANOS = 86400 * 10**9
_HOUR_NANOS = 3600 * 10**9
try:  # pandas 2 raises pytz's errors for wall-clock times a zone skips or repeats
    from pytz.exceptions import InvalidTimeError as _InvalidTime
except ImportError:  # pragma: no cover (pandas 3: ValueError)
    _InvalidTime = ValueError
WALL_CLOCK_ERRORS = (ValueError, _InvalidTime)


def is_dask_frame(df):
    """Whether ``df`` is a Dask DataFrame (or Series: partitions of pandas)."""
    return type(df).__module__.split(".")[0] in ("dask", "dask_expr") and hasattr(df, "map_partitions")


def check_series(y, name="y"):
    """Validate ``y`` and return it as a float64 DataFrame plus whether it was a Series.

    Raises
    ------
    TypeError
        ``y`` is not a pandas Series/DataFrame, or holds non-numeric values.
    ValueError
        Empty, duplicate or unsorted index, no inferable frequency, inf values.
    """
    if isinstance(y, pd.Series):
        # one column labelled by the name, whatever it is (a tuple's to_frame is a MultiIndex)
        label = pd.Index([0 if y.name is None else y.name], tupleize_cols=False)
        frame, is_series = y.to_frame(name=0).set_axis(label, axis=1), True
    elif isinstance(y, pd.DataFrame):
        frame, is_series = y, False
    elif isinstance(y, (list, tuple)) and y and all(isinstance(v, pd.Series) for v in y):
        raise TypeError(
            f"{name} must be a pandas Series or DataFrame, got a {type(y).__name__} of Series. "
            "For several series pass pd.concat(series, keys=ids), a Series on a (series id, "
            "time) MultiIndex, or pd.concat(series, axis=1), a wide DataFrame.")
    elif is_dask_frame(y):  # (its class's name: DataFrame)
        raise TypeError(
            f"{name} must be a pandas Series or DataFrame, got a Dask {type(y).__name__}: "
            "forecast one model per id where the partitions live with "
            "tsgate.distributed.forecast_long(ddf, horizon, ...), or bring the rows here "
            "with ddf.compute().")
    else:
        raise TypeError(
            f"{name} must be a pandas Series (one series) or DataFrame (one series per column), "
            f"got {type(y).__name__}. Wrap arrays as pd.Series(values, index=pd.date_range(...))"
            + ("; in a Pipeline, a transformer before a forecaster hands it such an array: a "
               "forecaster scales its series itself (the window regressors, LSTMRegressor and "
               "GRURegressor, go after transformers)." if isinstance(y, np.ndarray) else "."))
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ValueError(f"{name} is empty.")
    index = numpy_backed(frame.index)
    if index is not frame.index:  # (set_axis copies the values: only where it changes)
        frame = frame.set_axis(index, axis=0)
    if isinstance(frame.columns, pd.MultiIndex):
        raise ValueError(
            f"{name}'s columns are a MultiIndex; name each series by one label, e.g. "
            f"{name}.columns = ['_'.join(map(str, c)) for c in {name}.columns].")
    check_unique_labels(frame.columns, name, "series")
    # a NaN label is fitted, then never matched again (NaN equals nothing; None is a label)
    unnamed = [k for k, c in enumerate(frame.columns) if c is not None and pd.isna(c)] \
        if not is_series and frame.columns.hasnans else []
    if unnamed:
        raise ValueError(f"{name}'s column {unnamed[0]} has no name (NaN): a series needs an "
                         "id; name every column.")
    bad = [c for c in frame.columns if not_numbers(frame[c].dtype)]
    if bad and is_series:
        raise TypeError(f"{name} must hold numbers, it has dtype {frame.iloc[:, 0].dtype}: "
                        f"{not_numbers(frame.iloc[:, 0].dtype)}.")
    if bad:
        raise TypeError(
            f"{name} must hold numbers; column(s) {bad} have dtype "
            f"{[str(frame[c].dtype) for c in bad]}: {not_numbers(frame[bad[0]].dtype)}.")
    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isinf(values).any():
        raise ValueError(f"{name} contains inf values; replace them (e.g. with NaN or a cap).")
    check_index(frame.index, name)
    return pd.DataFrame(values, index=frame.index, columns=frame.columns), is_series


def check_unique_labels(labels, name, what="column"):
    """Raise a ValueError naming the repeated ones of ``labels`` (a frame's
    column names): ``X[c]`` of one is a DataFrame, which failed further on
    with pandas' AttributeError or was picked at random.

    Parameters
    ----------
    labels : pd.Index
    name : str
        What holds them, for the message ("y", "X").
    what : str, default "column"
        What each names ("series", "feature").
    """
    if labels.has_duplicates:
        dup = labels[labels.duplicated()].unique().tolist()
        raise ValueError(f"{name} has duplicate column names {dup}; give each {what} a unique "
                         "name.")


def real_numbers(dtype):
    """Whether values of ``dtype`` are real numbers or booleans (0/1
    features): pandas counts numpy's and "boolean" as numeric, not pyarrow's
    bool[pyarrow] (read_parquet's), which means the same; complex is not."""
    return ((pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
            and not pd.api.types.is_complex_dtype(dtype))


def not_numbers(dtype):
    """How to make values of ``dtype`` real numbers, or None where they are."""
    if pd.api.types.is_bool_dtype(dtype):
        return "booleans; if 0/1 is meant, convert them with .astype(float)"
    if pd.api.types.is_complex_dtype(dtype):
        return "complex numbers; pass their real part (.real) or modulus (abs())"
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(dtype) \
            or pd.api.types.is_string_dtype(dtype):
        return ("convert numbers held as text or as Python objects (Decimal, ...) with "
                "pd.to_numeric or .astype(float); encode categories as numbers, e.g. "
                "pd.get_dummies(X, columns=[...], dtype=float) for features (one 0/1 column "
                "per category)")
    if (pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype)
            or isinstance(dtype, pd.PeriodDtype)):  # (pd.to_numeric made nanoseconds of them)
        return ("dates, times or durations, not values: the times belong in the index (or a "
                "long frame's time column) and the values in y; a feature of time needs a "
                "numeric encoding of your choice, e.g. .dt.dayofweek")
    if not pd.api.types.is_numeric_dtype(dtype):
        return "convert them with pd.to_numeric"
    return None


def numpy_backed(index):
    """``index``, with pyarrow-backed timestamps or dates (``read_parquet`` or
    ``read_csv(dtype_backend="pyarrow")``) as the DatetimeIndex they mean;
    any other index as it is."""
    if isinstance(index.dtype, pd.ArrowDtype):
        import pyarrow as pa  # installed wherever an ArrowDtype exists

        kind = index.dtype.pyarrow_dtype
        if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
            return pd.DatetimeIndex(pd.to_datetime(index), name=index.name)
    return index


def check_index(index, name="y"):
    """Raise a ValueError unless ``index`` is sorted, unique and regular."""
    if not (isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex))
            or pd.api.types.is_integer_dtype(index.dtype)):
        dates = (pd.api.types.is_object_dtype(index.dtype)
                 or pd.api.types.is_string_dtype(index.dtype))
        obj = name.split()[0]  # "y (series 'a')": y
        raise ValueError(
            f"{name} needs a DatetimeIndex, PeriodIndex or integer (Range) index, got "
            f"{type(index).__name__} of dtype {index.dtype}. "
            + ("Dates held as text or datetime.date values: parse them with "
               f"{obj}.index = pd.to_datetime({obj}.index). " if dates else "")
            + f"Or set one with {obj}.index = pd.date_range(start, periods=len({obj}), "
            "freq=...).")
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)) and index.hasnans:
        k = int(np.flatnonzero(index.isna())[0])
        raise ValueError(f"{name}'s index has a missing timestamp (NaT) at position {k}; drop "
                         "those rows or give their times.")
    if index.has_duplicates:
        dup = index[index.duplicated()][:3].tolist()
        raise ValueError(f"{name} has duplicate timestamps, e.g. {dup}; aggregate or drop them.")
    if not index.is_monotonic_increasing:
        raise ValueError(f"{name}'s index is not sorted in increasing time order; "
                         f"call .sort_index() first.")
    if isinstance(index, pd.PeriodIndex):  # its freq is set even where periods are missing
        steps = np.diff(index.asi8)  # (n-1,) in the base unit: freq.n between neighbours
        if (steps != index.freq.n).any():
            k = int(np.flatnonzero(steps != index.freq.n)[0])
            f = index.freqstr
            raise ValueError(
                f"{name}'s PeriodIndex skips periods ({index[k + 1]} follows {index[k]}); "
                f"give every period, with NaN where a value is missing: y = y.reindex("
                f"pd.period_range(y.index[0], y.index[-1], freq={f!r})), or set the "
                f"forecasters' freq={f!r} (on the command line --freq {f}): missing steps "
                "become NaN, which tsgate masks.")
    infer_step(index, name)


def infer_step(index, name="y"):
    """The index's step: a pandas offset (datetime/period) or an int (integer index)."""
    if isinstance(index, pd.PeriodIndex):
        return index.freq
    if isinstance(index, pd.DatetimeIndex):
        if index.freq is not None:
            return index.freq
        if len(index) < 3:
            raise ValueError(
                f"{name}'s DatetimeIndex has no freq and {len(index)} timestamps are too few to "
                "infer one; set it, e.g. y.index.freq = 'MS' or y = y.asfreq('MS'). (To fit "
                f"on, a series needs at least {MIN_OBSERVATIONS} observations.)")
        freq = infer_freq(index)
        if freq is None:
            if clock_shifted(index):
                raise ValueError(clock_shift_advice(index, name))
            guess = guess_freq(index)
            grid = pd.date_range(index[0], index[-1], freq=guess)
            if len(grid) == len(index) and bool((grid == index).all()):  # (any unit)
                # every date of a calendar grid that pandas does not infer
                # (semi-month starts: 1st and 15th) is a regular index
                return to_offset(guess)
            period = period_of(index, guess)
            if period is not None:
                raise ValueError(
                    f"{name}'s dates step by one {PERIOD_NAMES[period]}, on a day no pandas "
                    f"frequency falls on (e.g. {index[0]:%Y-%m-%d}, {index[1]:%Y-%m-%d}); "
                    f"give them as periods: y.index = y.index.to_period({period!r}) (a long "
                    f"frame's column: df['ds'] = df['ds'].dt.to_period({period!r})); the "
                    "forecasts then come as periods too.")
            raise ValueError(
                f"The frequency of {name}'s DatetimeIndex cannot be inferred (irregular or "
                f"missing timestamps). Set the frequency: the forecasters' freq={guess!r} "
                f"(on the command line --freq {guess}); missing steps become NaN, which tsgate "
                f"masks. Or make it regular, e.g. y = y.asfreq({guess!r}) or "
                f"y.resample({guess!r}).mean().")
        return to_offset(freq)
    if pd.api.types.is_integer_dtype(index.dtype):
        if isinstance(index, pd.RangeIndex):
            return index.step
        steps = np.diff(index.to_numpy())
        if len(steps) and (steps != steps[0]).any():
            k = int(np.flatnonzero(steps != steps[0])[0])
            raise ValueError(
                f"{name}'s integer index is not evenly spaced (it steps by {steps[0]}, then "
                f"{steps[k]} from {index[k]} to {index[k + 1]}); give every step, with NaN "
                "where a value is missing.")
        return int(steps[0]) if len(steps) else 1
    raise ValueError(
        f"{name} needs a DatetimeIndex, PeriodIndex or integer (Range) index, got "
        f"{type(index).__name__}. Set one with y.index = pd.date_range(start, periods=len(y), freq=...).")


# calendar grids, coarsest first, that a frequency guess tries (see _grid_of)
_GRIDS = ("YS", "YE", "QS", "QE", "MS", "ME", "BMS", "BME", "SMS", "SME", "W-SUN", "W-MON", "W-SAT",
          "B", "D", "h", "min", "s")


def _grid_of(index):
    """The coarsest common calendar grid on which every date of ``index``
    lies (daily dates with gaps of 1-3 days: 'D', not the '3D' of their
    first steps; month starts with a missing month: 'MS'), or None. Zoned
    dates are read on their wall clock (a zoned ``floor`` refused the hour
    repeated at the end of summer time, and a midnight that a zone skips)."""
    wall = index.tz_localize(None) if index.tz is not None else index
    for name in _GRIDS:
        off = to_offset(name)
        if isinstance(off, pd.tseries.offsets.Tick):
            on = (wall == wall.floor(off)).all()
        else:
            on = (wall == wall.normalize()).all() and all(off.is_on_offset(t) for t in wall)
        if on:
            return name
    return None


def _day_offsets(index):
    """Each step of a DatetimeIndex (n-1,) on its wall clock, in nanoseconds
    from its nearest whole number of days, and that number of days (local
    midnights in a zone with summer time are whole days apart there)."""
    wall = index.tz_localize(None) if index.tz is not None else index
    steps = np.diff(wall.asi8) * pd.Timedelta(1, unit=index.unit).value  # (n-1,) ns
    days = np.rint(steps / _DAY_NANOS)
    return steps - days * _DAY_NANOS, days


def clock_shifted(index):
    """Whether the dates of a DatetimeIndex are whole days apart give or
    take an hour, and not all whole days: dates whose clock time moved with
    summer time (local midnights held in UTC, a midnight a zone skips
    stamped 01:00), on no grid pandas or :func:`guess_freq` finds (its guess
    was hours, which put 30 days on 696 hourly steps and forecast hours)."""
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 3:
        return False
    off, days = _day_offsets(index)
    return bool((days >= 1).all() and (np.abs(off) <= _HOUR_NANOS).all() and (off != 0).any())


def clock_shift_advice(index, name="y"):
    """What :func:`clock_shifted` dates are and how to give them."""
    off, _ = _day_offsets(index)
    k = int(np.flatnonzero(off != 0)[0])
    obj = name.split()[0]  # "y (series 'a')": y
    dates = f"{obj}.index = {obj}.index.tz_localize(None).normalize()"
    if index.tz is None:
        how = (f"take their dates, {obj}.index = {obj}.index.normalize(), or, for local "
               f"midnights held in UTC, their zone's: {obj}.index = {obj}.index.tz_localize("
               "'UTC').tz_convert('Europe/Berlin') (your zone)")
    elif len(set(index.tz_localize(None) - index.tz_convert("UTC").tz_localize(None))) == 1:
        how = (f"convert them to the time zone they were recorded in, {obj}.index = "  # UTC, fixed
               f"{obj}.index.tz_convert('Europe/Berlin') (your zone), or take their dates "
               f"after that conversion: {dates}")
    else:
        how = f"take their dates: {dates}"
    return (f"{name}'s dates are whole days apart give or take an hour ({index[k + 1]} follows "
            f"{index[k]}): days whose clock time moved, with summer time (local midnights held "
            "in UTC, a midnight that a time zone skips) or as readings taken at other times of "
            f"day; {how} (a long frame's column: the same through .dt).")


def guess_freq(index):
    """A frequency for dates that pandas infers none for (missing dates):
    that of their first regular stretch where every date lies on its grid
    from the first date and that grid is coarser than the coarsest calendar
    grid they all lie on (Wednesdays a week apart: 'W-WED', not 'B';
    quarters from November: 'QS-NOV', not 'MS'; '3h', not 'h'), else that
    calendar grid, else the stretch's, else 'D'; what the messages advise
    as ``freq=``."""
    grid, lead = _grid_of(index), _leading_freq(index)
    if lead is not None and grid is not None and lead != grid and _on_coarser(index, lead, grid):
        return lead
    return grid or lead or "D"


def _on_coarser(index, lead, grid):
    """Whether every date of ``index`` lies on the grid of ``lead`` from its
    first date, and that grid holds fewer dates than ``grid``'s."""
    n_lead, on_lead = grid_fit(index, lead)
    return on_lead and n_lead < grid_fit(index, grid)[0]


def grid_fit(index, freq):
    """The number of steps of ``freq``'s grid from the first date of
    ``index`` to its last, and whether every date lies on that grid. Fixed
    steps (hours, seconds) of dates without a time zone are counted, not
    listed: a year of seconds listed 31 million dates (in a zone with summer
    time a day is not 24 hours of absolute time: listed)."""
    offset = to_offset(freq)
    per = (offset.nanos // pd.Timedelta(1, unit=index.unit).value  # (in the index's unit)
           if isinstance(offset, pd.tseries.offsets.Tick) and index.tz is None else 0)
    if per > 0:
        since = index.asi8 - index.asi8[0]  # (n,) in the index's unit
        return int(since[-1] // per) + 1, bool((since % per == 0).all())
    dates = pd.date_range(index[0], index[-1], freq=offset)
    return len(dates), bool(index.isin(dates).all())


PERIOD_NAMES = {"Y": "year", "Q": "quarter", "M": "month"}
_CALENDAR = ("YS", "YE", "QS", "QE", "MS", "ME")  # grids of those periods' first or last days


def period_of(index, guess):
    """The coarsest of year, quarter and month (a pandas period alias) of
    which ``index``'s dates, of no frequency pandas infers, hold at most one
    each, mostly one after another (months on the 4th or the 15th: "M"),
    where the grid ``guess`` (:func:`guess_freq`) is not that period's
    first or last days, and would be mostly missing; else None."""
    offsets = pd.tseries.offsets
    off = to_offset(guess)
    calendar = (offsets.YearBegin, offsets.YearEnd, offsets.QuarterBegin, offsets.QuarterEnd,
                offsets.MonthBegin, offsets.MonthEnd, offsets.BusinessMonthBegin,
                offsets.BusinessMonthEnd, offsets.BQuarterBegin, offsets.BQuarterEnd,
                offsets.BYearBegin, offsets.BYearEnd)
    if guess in _CALENDAR or isinstance(off, calendar):  # (anchored too: 'QS-NOV', 'BMS')
        return None
    for alias in PERIOD_NAMES:
        with quiet(Warning):  # "will drop timezone information"
            ordinals = index.to_period(alias).asi8  # (n,)
        steps = np.diff(ordinals)  # (n-1,)
        if len(steps) and (steps >= 1).all() and np.median(steps) == 1:
            return alias
    return None


def _leading_freq(index):
    """The frequency of the first four consecutive regular timestamps, or None."""
    for start in range(min(len(index) - 3, 50)):
        freq = infer_freq(index[start:start + 4])
        if freq is not None:
            return freq
    return None


def future_index(index, horizon, name="y"):
    """The ``horizon`` index values after the last one of ``index``."""
    step = infer_step(index, name)
    last = index[-1]
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(last + 1, periods=horizon, freq=index.freq, name=index.name)
    if isinstance(index, pd.DatetimeIndex):
        try:
            # from ``last`` itself, not ``last + step``: in a time zone with
            # summer time a day from midnight is the next midnight to
            # date_range, but 24 hours to ``+`` (23:00 after a change)
            try:
                future = pd.date_range(last, periods=horizon + 1, freq=step, name=index.name,
                                       tz=index.tz, unit=index.unit)  # the input's resolution: s reaches 1600 and 2300
            except (pd.errors.OutOfBoundsDatetime, OverflowError):
                raise
            except WALL_CLOCK_ERRORS:  # a wall-clock time that does not exist that day
                future = None  # (02:30 on a spring change day): steps from last + step
            if future is not None and future[0] == last:
                return future[1:]
            if future is None:  # the wall-clock steps, each moved past a time the zone skips
                wall = pd.date_range(last.tz_localize(None), periods=horizon + 1, freq=step,
                                     name=index.name, unit=index.unit)[1:]
                return wall.tz_localize(index.tz, nonexistent="shift_forward",
                                        ambiguous=np.ones(len(wall), dtype=bool))
            return pd.date_range(last + step, periods=horizon, freq=step, name=index.name,
                                 tz=index.tz, unit=index.unit)
        except (pd.errors.OutOfBoundsDatetime, OverflowError):
            raise ValueError(
                f"{horizon} steps of {step.freqstr} after {last} pass the latest time pandas "
                f"holds at the index's resolution, {index.unit!r} (2262-04-11 for 'ns'); give "
                "a shorter horizon, or times of a coarser unit "
                f"({name}.index = {name}.index.as_unit('s')) or periods "
                f"({name}.to_period()).") from None
    last = int(last)  # not an int32 or uint8 scalar, whose sums wrap past its largest value
    return pd.RangeIndex(last + step, last + step * (horizon + 1), step, name=index.name)


def steps_after(index, times, name="y"):
    """Where each of ``times`` falls among the steps after the end of
    ``index``: 0 for the first future step, -1 for a time that is none of them."""
    n = max(len(times), 1)
    while True:
        future = future_index(index, n, name)
        pos = future.get_indexer(times)
        if (pos >= 0).all() or not times[-1] > future[-1] or n >= 2**20:
            return pos
        n *= 2


def season_length(index):
    """Seasonal period implied by the index's frequency (1 if none).

    Steps per natural cycle: a year for quarters (4), months (12),
    half-months (24) and weeks (52); a week for days (7; 5 business days); a
    day for hours (24) and for minutes when that is at most 96 steps, else an
    hour; a minute for seconds; a day for business hours (8). A multiple
    of the base unit divides the cycle ("2W": 26, "2h": 12, "24h" a day: 7)
    and gives 1 where it does not divide it. Anchored and business variants
    ("QS-OCT", "SMS", "BMS", "WOM-3FRI") count as their base unit.
    """
    if not isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        return 1
    step = infer_step(index)
    offsets = pd.tseries.offsets
    n = abs(getattr(step, "n", 1)) or 1
    cycles = [
        ((offsets.YearBegin, offsets.YearEnd, offsets.BYearBegin, offsets.BYearEnd), 1),
        ((offsets.QuarterBegin, offsets.QuarterEnd, offsets.BQuarterBegin, offsets.BQuarterEnd), 4),
        ((offsets.SemiMonthBegin, offsets.SemiMonthEnd), 24),
        ((offsets.MonthBegin, offsets.MonthEnd, offsets.BusinessMonthBegin,
          offsets.BusinessMonthEnd, offsets.WeekOfMonth, offsets.LastWeekOfMonth), 12),
        ((offsets.FY5253Quarter,), 4),
        ((offsets.Week,), 52),
        ((offsets.BusinessDay,), 5),
        ((offsets.Day,), 7),
        ((offsets.Hour,), 24),
        ((offsets.Second,), 60),
    ]
    if isinstance(step, offsets.Tick) and step.nanos % _DAY_NANOS == 0:  # "24h": days
        cycle, n = 7, step.nanos // _DAY_NANOS
    elif isinstance(step, offsets.BusinessHour):  # the hours of its day (9-17: 8)
        cycle = _business_hours(step)
    elif isinstance(step, offsets.BusinessDay) and getattr(step, "weekmask", None):
        cycle = _weekdays(step.weekmask)  # a custom week (Mon-Sat: 6)
    elif isinstance(step, offsets.Minute):
        cycle = 24 * 60 if 24 * 60 // n <= 96 else 60
    else:
        cycle = next((c for kinds, c in cycles if isinstance(step, kinds)), 1)
    return cycle // n if cycle % n == 0 else 1


def _business_hours(step):
    """Hours in a business-hour offset's day (its opening spans)."""
    minutes = 0
    for start, end in zip(step.start, step.end):
        span = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        minutes += span if span > 0 else span + 24 * 60  # (a span past midnight)
    return max(minutes // 60, 1)


def _weekdays(weekmask):
    """Days in a weekmask ("Mon Tue Wed", or "1110000")."""
    mask = str(weekmask)
    return mask.count("1") if set(mask) <= {"0", "1"} else len(mask.split())


def check_freq_alias(est):
    """Refuse a ``freq`` parameter that is no pandas frequency alias ("Z"):
    its string constraint takes any text, and pandas' own error came from
    deep inside ``asfreq``."""
    freq = getattr(est, "freq", None)
    if freq is None:
        return
    if not valid_freq_alias(freq):
        renamed = date_offset(freq)[1]
        raise InvalidParameterError(
            f"The 'freq' parameter of {type(est).__name__} must be a pandas frequency alias "
            f"('D', 'MS', 'QS', 'h', '15min', ...) or None, got {freq!r}"
            + (f"; pandas names it {renamed!r} now." if renamed else "."))
    if not forward_step(freq):
        raise InvalidParameterError(
            f"The 'freq' parameter of {type(est).__name__} must step forward in time, got "
            f"{freq!r} (a step of {date_offset(freq)[0].n}); give e.g. 'D' or '2h'.")


def forward_step(freq):
    """Whether the frequency alias ``freq`` steps forward ('0D' divided by
    zero deep inside pandas, and '-1h' put dates "off its grid")."""
    offset = date_offset(freq)[0]
    return offset is None or offset.n > 0


def valid_freq_alias(freq):
    """Whether ``freq`` names a pandas frequency: an offset of dates ("MS",
    "ME") or a period frequency ("M", "Q": pandas 3 knows them only as
    periods). Silent: pandas' deprecation warning for a lowercase alias
    ("'bogus' is deprecated ..., use 'BOGUS'") came before the error that
    says the alias is unknown."""
    if date_offset(freq)[0] is not None:
        return True
    try:
        with quiet(FutureWarning, DeprecationWarning):
            pd.PeriodDtype(freq)
        return True
    except (ValueError, TypeError):
        return False


def date_offset(freq, depth=0):
    """``freq`` as a pandas offset of dates, and None; or None and pandas'
    own name for a renamed alias (pandas 3: "M" -> "ME", "H" -> "h"), or
    None and None for no alias. Silent: pandas 2's deprecation warning of
    such an alias came before any message of tsgate's."""
    try:
        # (pandas 3's Pandas4Warning is a DeprecationWarning)
        with quiet(FutureWarning, DeprecationWarning):
            return to_offset(freq), None
    except (ValueError, TypeError) as exc:
        renamed = re.search(r"[Pp]lease use '([^']+)'|Did you mean ([^?\s]+)\?", str(exc))
        renamed = renamed and (renamed.group(1) or renamed.group(2))
        multiple = re.match(r"\d+", freq) if isinstance(freq, str) else None
        if renamed and multiple and not renamed[0].isdigit():  # '15T': '15min', not 'min'
            renamed = multiple.group(0) + renamed
        if renamed and renamed != freq and depth < 2:  # pandas' guess may be renamed too
            offset, again = date_offset(renamed, depth + 1)  # ('A': "Did you mean Y?", 'YE')
            return None, renamed if offset is not None else again
        return None, renamed


def infer_freq(index):
    """pandas' inferred frequency alias, or None (also for fewer than 3 dates)."""
    if len(index) < 3:
        return None
    with quiet(Warning):  # pandas 3 warns it will return an offset, not a str
        freq = pd.infer_freq(index)
    return getattr(freq, "freqstr", freq)
