"""pandas at the edge: every accepted input as one collection of series, and back.

The forecasters take one series or many, in four layouts; they convert the
input once into a :class:`Collection` (one float64 array per series, its
time index, and optional exogenous rows), work on arrays, and give the
forecasts back in the layout they were given (:mod:`tsgate.frames`):

=================  ==============================================  ===========================
layout             input                                           forecast
=================  ==============================================  ===========================
``"series"``       ``pd.Series`` on a time index                   ``pd.Series``
``"wide"``         ``pd.DataFrame``, one column per series          ``pd.DataFrame``, same columns
``"multiindex"``   ``pd.Series`` on a two-level MultiIndex          ``pd.Series`` on (id, future time)
                   ``(series id, time)``
``"long"``         ``pd.DataFrame`` with id, time and value         the same columns, ``horizon``
                   columns (``unique_id, ds, y`` by default)        rows per id
=================  ==============================================  ===========================

In the wide layout all series share one index; leading NaN (a series that
starts later) are cut off. In the MultiIndex and long layouts each series
has its own index, length and start: collections of series of different
lengths are the normal case. Time indexes are validated per series by
:func:`tsgate._series.check_index` (sorted, unique, regular).
"""
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ._series import (
    check_index,
    check_series,
    check_unique_labels,
    future_index,
    infer_step,
    not_numbers,
)
from .featurerows import align_exog
from .grids import (
    _needs_known_grid,
    _shared_freq,
    _short_undated,
    _step_of,
    on_grid,
)
from .timedtypes import kept_time_dtype, parsed_times, read_times

LAYOUTS = ("series", "wide", "multiindex", "long")


@dataclass
class Collection:
    """Series as arrays, with what is needed to give results back as pandas.

    Attributes
    ----------
    values : list of ndarray of shape (n_i,)
        float64 observations per series; NaN marks a missing value. Leading
        NaN are cut off; each series starts with an observation.
    indexes : list of pd.Index
        The time index of each series (length n_i).
    ids : list
        Series names (column names, or ids); ``[name]`` for one Series.
    layout : str
        One of :data:`LAYOUTS`.
    names : dict
        Layout details: ``name`` (Series name), ``id_col``, ``time_col``,
        ``value_col`` (long), ``index_names`` (MultiIndex level names),
        ``id_categories`` (categorical ids: their categories and order),
        ``id_dtype`` (other ids of a dtype other than object: its name),
        ``time_dtype`` (MultiIndex and long: the input's time dtype where
        the forecasts take it back, :func:`tsgate.timedtypes.kept_time_dtype`),
        ``columns`` (wide).
    exog : list of ndarray of shape (n_i, m) or None
        Exogenous features per series, aligned with ``values``.
    """

    values: list
    indexes: list
    ids: list
    layout: str
    names: dict = field(default_factory=dict)
    exog: list = None

    def __len__(self):
        return len(self.values)

    def future_indexes(self, horizon):
        """The ``horizon`` index values after each series' end: made once for
        the series that end together on one frequency (a date_range per
        series was nearly all of a 3,000-series predict)."""
        made, out = {}, []
        for index in self.indexes:
            try:  # (a step of one's own: the future_index below says what is wrong)
                freq = infer_step(index) if isinstance(index, pd.DatetimeIndex) else index.freq
            except (ValueError, AttributeError):
                freq = None
            if freq is None or not len(index):
                out.append(future_index(index, horizon))
                continue
            key = (type(index), index.dtype, freq, index[-1], index.name)
            if key not in made:
                made[key] = future_index(index, horizon)
            out.append(made[key])
        return out


def launched(coll, period, keep):
    """``coll`` with each series' zeros before its launch left out, as a
    series that starts later: a run of zeros at its start longer than a
    season ``period`` (a product not yet sold; zeros that recur each season
    are shorter), cut so that ``keep`` observations remain. A series of
    zeros until its launch, then sales near 100, was smoothed and windowed
    with the zeros: forecast 2-3x seasonal naive's error, with a 95% band
    200 wide at a noise of 3 (as a late starter: 0.75x, 37 wide)."""
    values, indexes = list(coll.values), list(coll.indexes)
    exog = None if coll.exog is None else list(coll.exog)
    for i, v in enumerate(values):
        # the first observed value that is not 0 (a missing reading among the zeros is
        # part of the run: it ended it, and the zeros stayed, a band 4 times as wide)
        sold = np.isfinite(v) & (v != 0)  # (n,)
        if not sold.any():  # zeros throughout: a constant series, no launch to wait for
            continue  # (cut to its last 4 zeros, its band had 1 residual and a warning)
        run = int(np.argmax(sold))
        if run <= max(int(period), 1):
            continue
        observed = np.cumsum(np.isfinite(v)[::-1])[::-1]  # (n,) observations from each step on
        cut = min(run, int(np.searchsorted(-observed, -keep, side="right")) - 1)
        if cut <= 0:
            continue
        values[i], indexes[i] = v[cut:], indexes[i][cut:]
        if exog is not None:
            exog[i] = exog[i][cut:]
    return replace(coll, values=values, indexes=indexes, exog=exog)


def _trim_leading(values, index, exog=None):
    """Cut leading NaN (None where nothing is observed). Dates keep the step
    the whole index shows: a new history of 4 NaN months and 2 values had 2
    dates left, too few to infer the forecast's dates from."""
    observed = np.flatnonzero(np.isfinite(values))
    if len(observed) == 0:
        return None
    start = observed[0]
    kept = index[start:]
    if start and isinstance(index, pd.DatetimeIndex) and index.freq is None and len(index) >= 3:
        try:
            kept = pd.DatetimeIndex(kept, freq=infer_step(index))
        except ValueError:  # no step of its own: its checks say what is wrong
            pass
    return values[start:], kept, None if exog is None else exog[start:]


def _finish(values, indexes, ids, layout, names, exog, name="y", drop_empty=False):
    keep_v, keep_i, keep_x, keep_ids = [], [], [], []
    for v, idx, x, key in zip(values, indexes, exog or [None] * len(values), ids):
        if np.isinf(v).any():
            raise ValueError(f"{name} contains inf values (series {key!r}); replace them with NaN or a cap.")
        trimmed = _trim_leading(v, idx, x)
        if trimmed is None:
            if drop_empty:
                continue
            raise ValueError(f"{name} has a series with no observed value (all NaN): {key!r}; "
                             "drop it, or give it at least one value.")
        keep_v.append(trimmed[0])
        keep_i.append(trimmed[1])
        keep_x.append(trimmed[2])
        keep_ids.append(key)
    if not keep_v:
        raise ValueError(f"{name} is empty (no rows)." if not len(values) else
                         f"{name} has no observed value (all NaN).")
    return Collection(keep_v, keep_i, keep_ids, layout, names, keep_x if exog is not None else None)


def trailing_gaps(values):
    """Per series, how many of its last values are missing: (k,) int."""
    return np.array([int(np.argmax(np.isfinite(v[::-1]))) if np.isfinite(v).any() else 0
                     for v in values])


def without_gaps(coll, future, gaps):
    """``coll`` with each series' last ``gaps`` (missing) steps cut off, and
    the exogenous rows of those steps put before its future rows."""
    cut = [len(v) - g for v, g in zip(coll.values, gaps)]
    for key, n in zip(coll.ids, cut):
        if n < 2:
            raise ValueError(f"Series {key!r} has {n} step(s) before its trailing missing "
                             "values; at least 2 are needed to forecast from it.")
    values = [v[:n] for v, n in zip(coll.values, cut)]
    indexes = [ix[:n] for ix, n in zip(coll.indexes, cut)]
    exog = None if coll.exog is None else [e[:n] for e, n in zip(coll.exog, cut)]
    if future is not None:
        future = [np.concatenate([e[n:], f]) for e, f, n in zip(coll.exog, future, cut)]
    return replace(coll, values=values, indexes=indexes, exog=exog), future


def to_collection(y, X=None, id_col="unique_id", time_col="ds", value_col="y", freq=None,
                  known_freq=None, drop_empty=False):
    """Convert any accepted input into a :class:`Collection`.

    Parameters
    ----------
    y : pd.Series or pd.DataFrame
        One series (Series on a time index), several on one index (wide
        DataFrame), a Series on a two-level MultiIndex (series id, time), or
        a long DataFrame with columns ``id_col``, ``time_col``, ``value_col``.
    X : pd.DataFrame, optional
        Exogenous features: for a Series or wide DataFrame, rows aligned with
        y's index (shared by all series); for the MultiIndex layout, a
        DataFrame on the same MultiIndex; for the long layout, a DataFrame
        with ``id_col`` and ``time_col`` and one column per feature.
    id_col, time_col, value_col : str
        Column names of the long layout.
    freq : str, optional
        Put each series' dates on this pandas frequency's grid from its
        first to its last (``asfreq``: missing steps become NaN, which
        tsgate masks); default: each series must be regular already.
    known_freq : str or FittedSteps, optional
        The frequency of a fitted model's data (:func:`fitted_freq`: per
        series): a series of only 1 or 2 dates and no frequency set (a short
        test fold, the future rows of X) is put on its grid instead of
        failing to infer one.
    drop_empty : bool, default=False
        Leave out series without an observed value (a test fold's missing
        series) instead of raising.

    Returns
    -------
    Collection
    """
    grid = (freq, known_freq, drop_empty)
    if isinstance(y, pd.DataFrame) and id_col in y.columns:
        check_long_names(id_col, time_col, value_col)
    if isinstance(y, pd.Series) and isinstance(y.index, pd.MultiIndex):
        return _from_multiindex(y, X, *grid)
    if isinstance(y, pd.DataFrame) and id_col in y.columns:
        return _from_long(y, X, id_col, time_col, value_col, *grid)
    if isinstance(y, pd.DataFrame) and time_col in y.columns:
        raise ValueError(  # a long frame without ids: its times were forecast as a series
            f"y has a column {time_col!r} (time_col) but no {id_col!r} (id_col): a long frame "
            "needs a series id column. For one series pass "
            f"y.set_index({time_col!r})[{value_col!r}]; for several, name the id column with "
            "id_col= (or add one: y.assign(unique_id='a') and id_col='unique_id')"
            + ("; here the ids are y's index: pass y.reset_index()." if y.index.name == id_col
               else "."))
    if isinstance(y, pd.DataFrame) and isinstance(y.index, pd.MultiIndex):
        raise ValueError(
            "y is a DataFrame on a MultiIndex: pass the one value column as a Series "
            "(y['value']), or a long DataFrame with columns "
            f"{id_col!r}, {time_col!r}, {value_col!r} (set id_col/time_col/value_col).")
    if isinstance(y, (pd.Series, pd.DataFrame)):
        if freq is None and known_freq is not None and _needs_known_grid(y.index):
            freq = _step_of(known_freq, index=y.index)
        if freq is not None:
            given, y = len(y), on_grid(y, freq, density=known_freq is None)
            if (X is not None and not isinstance(X, (pd.Series, pd.DataFrame))
                    and len(y) != given and hasattr(X, "__len__") and len(X) == given):
                raise ValueError(  # by position it would shift every row after a gap
                    f"X is an array of {given} rows, one per date of y; on the grid of "
                    f"freq={freq!r} y has {len(y)} dates ({len(y) - given} more: its gaps) from "
                    f"{y.index[0]} to {y.index[-1]}, and X needs a row for each. Give X as a "
                    "DataFrame on those dates (its rows are then matched by date).")
    frame, is_series = check_shared(y, id_col, time_col, value_col)
    exog = _exog_from_first_value(X, frame)
    # copies: views of the caller's frame changed the fitted model with it
    values = [frame.iloc[:, j].to_numpy(copy=True) for j in range(frame.shape[1])]
    ids = list(frame.columns)
    layout = "series" if is_series else "wide"
    names = {"name": y.name} if is_series else {"columns": frame.columns}
    names["time_dtype"] = kept_time_dtype(frame.index.dtype)  # int32 steps stay int32
    return _finish(values, [frame.index] * len(values), ids, layout, names,
                   None if exog is None else [exog] * len(values), drop_empty=drop_empty)


def _exog_from_first_value(X, frame):
    """``align_exog`` of X on the frame's dates, from the first date any series
    is observed at: the rows before it, which the series' leading NaN cut
    (``_trim_leading``), are not needed (a y that starts late was refused
    for want of X rows it never uses). X on other labels, or an array,
    aligns on the whole index, by position."""
    index = frame.index
    by_date = (isinstance(X, (pd.Series, pd.DataFrame))
               and isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex))
               and type(X.index) is type(index))
    seen = frame.notna().any(axis=1).to_numpy()  # (n,)
    return _aligned_from(X, index, int(seen.argmax()) if by_date and seen.any() else 0)


def _aligned_from(X, index, first, name="X"):
    """``align_exog`` of X on ``index[first:]``, NaN rows before it (the
    steps ``_trim_leading`` cuts)."""
    exog = align_exog(X, index[first:], name)
    if exog is None or first == 0:
        return exog
    return np.concatenate([np.full((first, exog.shape[1]), np.nan), exog])  # (n, m)


def check_long_names(id_col, time_col, value_col):
    """Raise a ValueError where a long frame's id, time and value columns are
    not three different ones (``id_col="ds"`` read one date as a series)."""
    names = {"id_col": id_col, "time_col": time_col, "value_col": value_col}
    same = [(a, b) for i, a in enumerate(names) for b in list(names)[i + 1:]
            if names[a] == names[b]]
    if same:
        a, b = same[0]
        raise ValueError(f"{a} and {b} both name the column {names[a]!r}; a long frame needs "
                         "three different columns: series id, time and value.")


class LongColumnsError(ValueError, TypeError):
    """A DataFrame of text columns that may be a long frame under other
    column names: a ValueError, as for a long frame missing its columns,
    and a TypeError, as for a wide frame of text."""


def check_named(y, n_fitted):
    """Refuse ``y``, data given after a fit of ``n_fitted`` series, where it
    is one series (a Series on a time index) without a name: it was read as
    series 0, and given fitted series 0's past, band and score.

    Raises
    ------
    ValueError
    """
    if isinstance(y, pd.Series) and not isinstance(y.index, pd.MultiIndex) \
            and y.name is None and n_fitted > 1:
        raise ValueError(
            f"y is a Series without a name, and the forecaster was fitted on {n_fitted} "
            "series: name it by its series id (y.rename(id), a new id for a new series), or "
            "pass a collection.")


def check_shared(y, id_col="unique_id", time_col="ds", value_col="y"):
    """:func:`tsgate._series.check_series` of a Series or wide frame, whose
    error for text columns adds that a long frame's columns need naming
    (``id_col``, ``time_col``, ``value_col``: the forecaster's, now)."""
    try:
        return check_series(y)
    except TypeError as exc:
        if isinstance(y, pd.DataFrame) and y.shape[1] >= 2:
            raise LongColumnsError(
                f"{exc} If y is a long DataFrame (one row per series and time step), name its "
                f"columns: id_col=, time_col=, value_col= (now {id_col!r}, {time_col!r}, "
                f"{value_col!r}).") from None
        raise


def _from_multiindex(y, X, freq=None, known_freq=None, drop_empty=False):
    if y.index.nlevels != 2:
        raise ValueError(f"y's MultiIndex has {y.index.nlevels} levels; it needs two: "
                         "(series id, time).")
    if X is not None:
        check_x_layout(X, "multiindex")
    if not_numbers(y.dtype):  # (text or objects: refused, as in the other layouts)
        raise TypeError(f"y must hold numbers, it has dtype {y.dtype}: {not_numbers(y.dtype)}.")
    values = y.to_numpy(dtype=np.float64, na_value=np.nan)  # (rows,)
    y = pd.Series(values, index=y.index, name=y.name)
    given = y.index.levels[1]
    level = parsed_times(given)
    if level is not given:
        y.index = y.index.set_levels(level, level=1)
    ids, vals, indexes = [], [], []
    missing = np.asarray(pd.isna(y.index.get_level_values(0)))  # (rows,) no series id
    if missing.any():  # groupby would drop those rows without a word
        raise ValueError(f"y's MultiIndex has a missing series id (None/NaN) at row "
                         f"{int(np.flatnonzero(missing)[0])}; every row needs one: fill or drop "
                         "those rows.")
    times = y.index.get_level_values(1)
    if isinstance(y.index.get_level_values(0), (pd.DatetimeIndex, pd.PeriodIndex)) and not \
            isinstance(times, (pd.DatetimeIndex, pd.PeriodIndex)):
        raise ValueError("y's MultiIndex has the dates first: its levels must be (series id, "
                         "time); swap them with y.swaplevel().sort_index().")
    parts = [(key, part.droplevel(0))
             for key, part in y.groupby(level=0, sort=False, observed=True)]
    fitted_step = known_freq  # data after the fit: the fitted step
    if freq is None and known_freq is None and any(_short_undated(p.index) for _, p in parts):
        known_freq = _shared_freq(p.index for _, p in parts)  # the other series' step
    sparse = []  # the errors of series far coarser than freq: raised where all are
    for key, part in parts:
        own = (_needs_known_grid(part.index) if fitted_step is not None
               else _short_undated(part.index))  # no step of its own
        grid = _step_of(known_freq, key, part.index) if freq is None and own else freq
        if grid is not None:
            part = on_grid(part, grid, f"y (series {key!r})", sparse if freq is not None else None,
                           density=fitted_step is None)  # (after a fit: its grid, however sparse)
        index = part.index
        check_index(index, f"y (series {key!r})")
        ids.append(key)
        vals.append(part.to_numpy())
        indexes.append(index)
    if sparse and len(sparse) == len(parts):  # the whole collection on a coarser step
        raise ValueError(f"{sparse[0]}; every series of y is so. Give the frequency the dates "
                         "follow, or leave freq=None.")
    if sparse:  # beside series on the grid: kept, said (monthly among daily by mistake?)
        warnings.warn(f"{sparse[0]}" + (f" (and {len(sparse) - 1} other series)"
                                        if len(sparse) > 1 else "")
                      + f"; kept, on the grid the other series follow (freq={freq!r}).",
                      UserWarning, stacklevel=5)
    exog = None
    if X is not None:
        X = X.to_frame() if isinstance(X, pd.Series) else X
        # from each series' first observed value: the rows before it, which the trim
        # cuts, are not needed (as _exog_from_first_value; they were refused here)
        exog = []
        for key, v, index in zip(ids, vals, indexes):
            observed = np.isfinite(v)  # (n,)
            first = int(observed.argmax()) if observed.any() else 0
            exog.append(_aligned_from(series_rows(X, key), index, first, f"X (series {key!r})"))
    names = {"name": y.name, "index_names": list(y.index.names)}
    id_dtype = y.index.levels[0].dtype
    if isinstance(id_dtype, pd.CategoricalDtype):  # results keep the ids' categories
        names["id_categories"] = {"categories": id_dtype.categories.tolist(),
                                  "ordered": bool(id_dtype.ordered)}
    elif id_dtype != object:  # ... and their dtype (int32, Int64, string, float32)
        names["id_dtype"] = _dtype_name(id_dtype)
    names["time_dtype"] = kept_time_dtype(given.dtype)  # date32 stays date32
    return _finish(vals, indexes, ids, "multiindex", names, exog, drop_empty=drop_empty)


def series_rows(X, key):
    """The rows of series ``key`` of an X on the MultiIndex (id, time), in time order."""
    try:
        part = X.xs(key, level=0)
    except KeyError:
        if X.index.nlevels == 2 and key in X.index.get_level_values(1):
            raise ValueError(f"X's index levels are (time, series id): its series {key!r} is "
                             "on the second level. Put the series id first, as in y: "
                             "X.swaplevel().sort_index().") from None
        ids = X.index.get_level_values(0)
        alike = [k for k in ids.unique()[:100_000] if str(k) == str(key)]
        hint = (f" It has rows for {alike[0]!r} ({type(alike[0]).__name__}), which reads the "
                f"same: give X's ids y's type ({type(key).__name__})." if alike else "")
        raise ValueError(f"X has no rows for series {key!r}.{hint}") from None
    return part.sort_index(kind="stable")  # in time order, as y's rows are sorted


def _from_long(df, X, id_col, time_col, value_col, freq=None, known_freq=None, drop_empty=False):
    check_unique_labels(df.columns[df.columns.isin([id_col, time_col, value_col])], "y")
    missing = [c for c in (time_col, value_col) if c not in df.columns]
    if missing:
        raise ValueError(f"The long DataFrame has no column(s) {missing}; it has "
                         f"{list(df.columns)}. Name them with id_col=, time_col=, value_col=.")
    extra = [c for c in df.columns if c not in (id_col, time_col, value_col)]
    if extra:  # statsforecast reads such columns as exogenous features: say they are not
        warnings.warn(
            f"y has column(s) {extra} besides {id_col!r}, {time_col!r} and {value_col!r}; they "
            f"are not used. Exogenous features go in X (a long DataFrame with {id_col!r}, "
            f"{time_col!r} and one column per feature), their future values in "
            "predict(X=...).", UserWarning, stacklevel=5)
    if not_numbers(df[value_col].dtype):
        raise TypeError(f"Column {value_col!r} must hold numbers, it has dtype "
                        f"{df[value_col].dtype}: {not_numbers(df[value_col].dtype)}.")
    # rows are named by their label in the frame (a Dask partition's position is
    # not the frame's), a missing time also by its series
    if id_col in df and df[id_col].isna().any():
        row = int(np.flatnonzero(df[id_col].isna().to_numpy())[0])
        raise ValueError(f"Column {id_col!r} has a missing series id (row {df.index[row]} of "
                         "the frame); every row needs one: fill or drop those rows.")
    times = read_times(df[time_col])
    if isinstance(times, (pd.DatetimeIndex, pd.PeriodIndex)) and times.hasnans:
        row = int(np.flatnonzero(times.isna())[0])  # (told after sorting, its row was lost)
        raise ValueError(f"Column {time_col!r} has a missing time (NaT) in row {df.index[row]} "
                         f"of the frame (series {df[id_col].iloc[row]!r}); every row needs "
                         "one: give its time or drop the row.")
    series = pd.Series(df[value_col].to_numpy(dtype=np.float64, na_value=np.nan),
                       index=pd.MultiIndex.from_arrays([df[id_col].array, times],
                                                       names=[id_col, time_col]), name=value_col)
    series = series.sort_index(kind="stable")  # by id, then time
    xs = None
    if X is not None:
        check_x_layout(X, "long", id_col, time_col)
        xs = long_exog(X, id_col, time_col)
    out = _from_multiindex(series, xs, freq, known_freq, drop_empty)
    out.layout = "long"
    kept = {k: v for k, v in out.names.items() if k in ("id_categories", "id_dtype")}
    kept["time_dtype"] = kept_time_dtype(df[time_col].dtype)
    out.names = {**kept, "id_col": id_col, "time_col": time_col, "value_col": value_col}
    return out


def long_exog(X, id_col, time_col):
    """A long X as a DataFrame on the MultiIndex (id, time)."""
    xs = X.set_index([id_col, X[time_col].pipe(read_times).rename(time_col)]) \
        .drop(columns=[time_col], errors="ignore")
    xs.index = xs.index.set_names([id_col, time_col])
    return xs


def series_exog(X, layout, key, id_col="unique_id", time_col="ds"):
    """The rows of series ``key`` of an X in the MultiIndex or long layout, on
    its time index (the X of one series); X itself for the shared layouts."""
    if X is None or layout not in ("multiindex", "long"):
        return X
    check_x_layout(X, layout, id_col, time_col)
    if layout == "long":
        X = long_exog(X, id_col, time_col)
    return series_rows(X.to_frame() if isinstance(X, pd.Series) else X, key)


def check_x_layout(X, layout, id_col="unique_id", time_col="ds"):
    """Raise unless X is in the layout of a MultiIndex or long y."""
    if layout == "long" and not (isinstance(X, pd.DataFrame) and id_col in X and time_col in X):
        has = f" (it has {list(X.columns)})" if isinstance(X, pd.DataFrame) else ""
        raise ValueError(f"With a long y, X must be a long DataFrame with columns {id_col!r}, "
                         f"{time_col!r} and one column per feature{has}.")
    if layout == "multiindex" and not (isinstance(X, (pd.DataFrame, pd.Series))
                                       and isinstance(X.index, pd.MultiIndex)):
        raise ValueError("With y on a (series id, time) MultiIndex, X must be a DataFrame on "
                         "the same MultiIndex.")
    if layout == "multiindex" and X.index.nlevels != 2:  # (a row of one series read as X)
        raise ValueError(f"X's MultiIndex has {X.index.nlevels} levels "
                         f"({list(X.index.names)}); it needs two, (series id, time), as y's.")


def _dtype_name(dtype):
    """The name ``pd.api.types.pandas_dtype`` reads back as ``dtype``: a
    string dtype's storage too ("string[pyarrow]"; its ``str`` says
    "string", which reads back as "string[python]")."""
    if isinstance(dtype, pd.StringDtype) and getattr(dtype, "na_value", pd.NA) is pd.NA:
        return f"string[{dtype.storage}]"
    return str(dtype)
