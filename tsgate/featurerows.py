"""X's rows on y's times: exogenous features matched to a series' steps by
label (dates, periods or integer steps, in any order, with more rows than
needed), their labels read as y's kind where written otherwise (dates as
text), and checked to be numbers. Used by the forecasters' collections,
the backtests and the window helpers alike.
"""
import datetime

import numpy as np
import pandas as pd

from ._callers import quiet
from ._series import check_unique_labels, not_numbers, numpy_backed, real_numbers


class MissingRowsError(ValueError):
    """X on dates or steps lacks a row for some of the steps asked
    (:func:`rows_on`): a scorer tells its own cause (a fold's gap)."""


class RowCountError(ValueError):
    """X aligned by position has another number of rows than the steps
    asked (:func:`align_exog`): the caller may say which other counts it
    takes."""


def rows_on(X, index, name="X"):
    """The rows of ``X`` (a DataFrame) at the dates ``index``, where X is on
    dates of the same kind that cover them, in any order (a calendar of
    features longer than needed, rows shuffled); otherwise X itself, for
    the caller's checks.

    Integer time steps (y on a RangeIndex or years as integers) are labels
    as dates are: X's rows are picked by them, and a step without a row is
    an error (X on steps 90..93 for the forecast of steps 40..43 was taken
    row by row). Only X on pandas' default labels 0, 1, ... that do not
    cover ``index`` (a future frame built without an index) is taken in
    row order. Dates in another time zone than ``index``'s are its
    instants in that zone (X in UTC for y in Europe/Berlin).

    Raises
    ------
    ValueError
        X is on such dates or steps but has no row for some of
        ``index``'s: the message names the first (a count of rows said
        less); or has a step twice.
    """
    dates = numpy_backed(X.index)
    X = X if dates is X.index else X.set_axis(dates)
    X = _labels_of_kind(X, index, name)
    if isinstance(X.index, pd.DatetimeIndex) and isinstance(index, pd.DatetimeIndex) \
            and X.index.unit != index.unit:
        try:  # the same dates at another resolution (parquet and Arrow give us or ms)
            X = X.set_axis(X.index.as_unit(index.unit))
        except ValueError:  # not losslessly: X's times are not y's steps, said below
            pass
    dated = isinstance(X.index, (pd.DatetimeIndex, pd.PeriodIndex)) \
        and isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex))
    if dated:
        if type(X.index) is not type(index):
            to = "to_timestamp()" if isinstance(X.index, pd.PeriodIndex) else "to_period()"
            fix = (f"X.{to}" if name == "X" else  # one series' rows of a collection's X
                   f"for a long X, X['ds'] = X['ds'].dt.{to} (its time column); on a "
                   f"MultiIndex, X.index = X.index.set_levels(X.index.levels[1].{to}, level=1)")
            raise ValueError(f"{name} is indexed by {type(X.index).__name__} where y has a "
                             f"{type(index).__name__}; put X on y's kind of time index: {fix}.")
        if isinstance(X.index, pd.PeriodIndex) and X.index.freq != index.freq:
            raise ValueError(f"{name}'s periods are of frequency {X.index.freqstr!r}, y's of "
                             f"{index.freqstr!r}; give {name} at y's frequency (e.g. "
                             f"{name}.groupby({name}.index.asfreq({index.freqstr!r})).mean()).")
        if isinstance(X.index, pd.DatetimeIndex) and None not in (X.index.tz, index.tz) \
                and str(X.index.tz) != str(index.tz):  # the same instants in y's zone
            X = X.set_axis(X.index.tz_convert(index.tz))
        if isinstance(X.index, pd.DatetimeIndex) and (X.index.tz is None) != (index.tz is None):
            zones = ["naive" if i.tz is None else f"in {i.tz}" for i in (X.index, index)]
            zone = repr(str(index.tz)) if X.index.tz is None else "None"
            fix = (f"X.tz_localize({zone}), or for a long X the same on its time column: "
                   f"X['ds'] = X['ds'].dt.tz_localize({zone})")
            raise ValueError(f"{name}'s times are {zones[0]} and y's {zones[1]}; give both the "
                             f"same time zone, e.g. {fix}.")
    steps = _integer_steps(X.index) and _integer_steps(index)
    if not (dated or steps):
        return X
    if not X.index.is_unique:
        dup = X.index[X.index.duplicated()][0]
        raise ValueError(f"{name} has the time {dup} more than once; give one row per time "
                         "step (aggregate or drop the duplicates).")
    if X.index.equals(index):
        return X
    missing = index[~index.isin(X.index)]
    if steps and len(missing) and unlabelled(X.index):
        return X  # a frame built without an index (0, 1, ...) and not on y's steps: in step order
    if len(missing):
        others = f" (nor for {len(missing) - 1} other step(s))" if len(missing) > 1 else ""
        raise MissingRowsError(
            f"{name} has no row for {missing[0]}{others}; it needs one per time step from "
            f"{index[0]} to {index[-1]} (it may also cover more)"
            + ("; or give its rows in step order without labels of their own: "
               "X.reset_index(drop=True)." if steps else "."))
    return X.loc[index]


def _labels_of_kind(X, index, name):
    """``X`` with its labels read as ``index``'s kind where they are written
    otherwise (dates as text or as Timestamps of an object index; steps as
    integral floats); a ValueError where they cannot be: such labels were
    passed over and X taken row by row (shuffled text-dated rows moved the
    forecast by 8.7). A MultiIndex X beside one series is refused too."""
    labels = X.index
    if labels.nlevels > 1 and index.nlevels == 1:  # (a layout mismatch: a ValueError)
        raise ValueError(
            f"{name} has a {labels.nlevels}-level MultiIndex, the layout of a collection's "
            f"features (series id, time), but y is on a time index (one series, or a wide "
            f"frame whose series share one X): give {name} on y's times (one series' rows: "
            f"X.xs(id, level=0)), or y in the (series id, time) layout for features of each "
            "series.")
    dated = isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex))
    if dated and not isinstance(labels, (pd.DatetimeIndex, pd.PeriodIndex)) \
            and not pd.api.types.is_integer_dtype(labels.dtype) and len(labels):
        parsed = _as_dates(labels)
        if parsed is not None:
            if isinstance(index, pd.PeriodIndex):
                return X.set_axis(parsed.to_period(index.freq))
            return X.set_axis(parsed)
        raise ValueError(
            f"{name} is indexed by labels of dtype {labels.dtype} ({labels[0]!r}, ...) where y "
            f"has dates; {name}'s rows are matched to y's by date: give it dates, e.g. "
            f"{name}.index = pd.to_datetime({name}.index) (pd.read_csv(..., index_col=0, "
            "parse_dates=True)).")
    if dated and _integer_steps(labels) and len(labels) > 1 and labels.is_unique \
            and not labels.is_monotonic_increasing:
        # integers beside dates are row numbers (a frame built or reset without dates, a
        # slice or a filter of one, or two such concatenated: labels repeat): rows whose
        # numbers run out of order (a reset frame sorted later) were still taken by position
        first, second = (int(v) for v in labels[:2])
        raise ValueError(
            f"{name} is indexed by integers in another order than its rows' ({first}, "
            f"{second}, ...) where y has dates; {name}'s rows are matched to y's by date: give "
            f"it y's dates as its index, or its rows in time order ({name}.sort_index(), or "
            f"{name}.reset_index(drop=True) for rows already so).")
    if _integer_steps(index) and pd.api.types.is_float_dtype(labels.dtype):
        values = labels.to_numpy()  # (n,)
        if np.isfinite(values).all() and (values == np.round(values)).all():
            return X.set_axis(pd.Index(values.astype(np.int64), name=labels.name))
        raise ValueError(f"{name} is indexed by non-integer numbers ({labels[0]!r}, ...) where "
                         f"y has integer time steps; give {name} y's steps as its index.")
    return X


def _as_dates(labels):
    """Labels that are dates written as text, or Timestamps and
    ``datetime.date`` values in an object index, as a DatetimeIndex; else
    None. (Text read month first as pandas reads it: dates that read
    otherwise are not y's dates, and the caller says which are missing.)"""
    if not all(isinstance(v, (str, datetime.date, np.datetime64)) for v in labels):
        return None
    for utc in (False, True):  # times with UTC offsets that change (a summer-time
        try:  # change, written by to_csv): their instants, in UTC
            with quiet(UserWarning):  # "Could not infer format": each parsed alone
                return pd.DatetimeIndex(pd.to_datetime(labels, utc=utc), name=labels.name)
        except (ValueError, TypeError):
            continue
    return None


def _integer_steps(index):
    """Whether ``index`` labels time steps by integers (a RangeIndex or an
    integer Index, not a MultiIndex)."""
    return (not isinstance(index, pd.MultiIndex) and pd.api.types.is_integer_dtype(index.dtype)
            and not pd.api.types.is_bool_dtype(index.dtype))


def unlabelled(index):
    """Whether ``index`` is pandas' default row labels 0 .. len - 1 (a frame
    built without an index), which say nothing of the time steps."""
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def _check_numbers(X, name):
    """Raise a TypeError naming the columns of ``X`` that hold no real numbers."""
    bad = [c for c in X.columns if not real_numbers(X[c].dtype)]  # (booleans: 0/1 features)
    if not bad:
        return
    times = [c for c in bad if pd.api.types.is_datetime64_any_dtype(X[c].dtype)
             or isinstance(X[c].dtype, pd.PeriodDtype)]
    others = [c for c in bad if c not in times]
    long = (f" Its other column(s) {others} hold no numbers either: a long frame's series "
            "ids? Features of each series need y in the same layout (a long frame, or a "
            "(series id, time) MultiIndex); one X on y's times serves all of a wide y's "
            "series." if times and others else "")
    raise TypeError(f"{name} must hold numbers; column(s) {bad} are not real numbers: "
                    + (f"{times[0]!r} holds times; put {name} on them: "
                       f"{name}.set_index({times[0]!r})." if times else
                       f"{not_numbers(X[bad[0]].dtype)}.") + long)


def align_exog(X, index, name="X"):
    """Validate exogenous features against ``index``; return float64 (len(index), m)."""
    if X is None:
        return None
    if isinstance(X, pd.Series):
        X = X.to_frame()
    if not isinstance(X, pd.DataFrame):
        if isinstance(X, dict) or not hasattr(X, "__len__") or hasattr(X, "tocsr"):
            raise TypeError(f"{name} must be a DataFrame (one column per feature, rows on y's "
                            f"times) or a 2-D array (time steps, features), got "
                            f"{type(X).__name__}; for a dict of columns pass pd.DataFrame(X), "
                            "for a sparse matrix X.toarray().")
        arr = np.asarray(X)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise ValueError(f"{name} must be 2-D (time steps, features), got shape {arr.shape}; "
                             "give one row per time step and one column per feature.")
        if len(arr) < len(index):  # (put on index[:len], it was told of a missing date)
            raise ValueError(f"{name} is an array of {len(arr)} rows; it needs one per time step "
                             f"from {index[0]} to {index[-1]}: {len(index)} rows.")
        X = pd.DataFrame(arr, index=index[:len(arr)] if len(arr) <= len(index) else None)
    if X.shape[1] == 0:
        raise ValueError(f"{name} has no feature columns; give one column per exogenous feature, "
                         "or leave X out (X=None).")
    check_unique_labels(X.columns, name, "feature")
    _check_numbers(X, name)  # (before the rows: a long X beside a wide y was told its count)
    X = rows_on(X, index, name)
    if len(X) != len(index):
        raise RowCountError(f"{name} has {len(X)} rows but needs exactly {len(index)}, one per time "
                         f"step from {index[0]} to {index[-1]} (a DataFrame on those dates may "
                         "also cover more).")
    if isinstance(X.index, (pd.DatetimeIndex, pd.PeriodIndex)) and not X.index.equals(index):
        raise ValueError(f"{name}'s index does not match the expected time steps "
                         f"{index[0]} .. {index[-1]}; align it (X.reindex(...)).")
    # a copy: a float64 frame's (or array's) values are otherwise a view of the caller's,
    # and a fitted model then changed with the caller's later edits of X
    values = X.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or inf; exogenous features must be complete "
                         "(fill or interpolate them).")
    return values
