"""One model per id of a long frame, pandas or Dask: :func:`forecast_long`.

The statsforecast convention (rows ``unique_id, ds, y``) in, the same
out: each id is fitted by a clone of one forecaster, a pandas frame's ids
through joblib, a Dask frame's partition by partition where they live
(``map_partitions``). Re-exported by :mod:`tsgate.distributed`, whose
docstring says what is shipped per task and how Numba's threads are
capped.
"""
import warnings
from contextlib import nullcontext
from itertools import pairwise

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils.parallel import Parallel, delayed

from ._callers import kept_warnings, named_warnings, on_main_thread
from ._series import (
    check_freq_alias,
    check_unique_labels,
    is_dask_frame,
    valid_freq_alias,
)
from .calibration import bound_names
from .collection import check_long_names, to_collection
from .forecasters import GRUForecaster, LSTMForecaster
from .frames import from_collection, series_list
from .paramchecks import check_horizon, check_n_jobs
from .threadplan import _dask_plan, _joblib_plan, _run_capped
from .timedtypes import read_times

MODELS = {"lstm": LSTMForecaster, "gru": GRUForecaster}

LONG_COLUMNS = ("unique_id", "ds", "y")  # the forecasters' defaults
_FORMER_COLUMNS = ("id", "time", "value")  # forecast_long's defaults in tsgate 0.1


def _long_columns(df, given):
    """The id, time and value column names: those given, else the defaults,
    else (deprecated) the former defaults where the frame has those instead."""
    names = set(getattr(df, "columns", ())) | {getattr(getattr(df, "index", None), "name", None)}
    out, former = [], []
    for name, new, old in zip(given, LONG_COLUMNS, _FORMER_COLUMNS):
        if name is None and new not in names and old in names:
            name = old
            former.append(old)
        out.append(new if name is None else name)
    if former:
        warnings.warn(
            f"forecast_long's default columns are now {LONG_COLUMNS} (as the forecasters'); "
            f"{former} were read by their former default names. Pass them explicitly "
            f"(e.g. id_col='id', time_col='time', value_col='value'): the fallback will be "
            "removed in a future release.", FutureWarning, stacklevel=3)
    check_long_names(*out)
    return tuple(out)


def _by_id(ddf, id_col):
    """A Dask frame whose ids each lie in one partition: ``ddf`` itself where
    it is indexed by id with known divisions or where no id spans two
    partitions (one pass over the ids tells), else ``ddf`` shuffled on the id,
    with a warning. An id split over partitions was fitted once per part,
    on part of its rows, and came back with each future time twice (also
    where "known" divisions repeat an id: read_parquet of row groups)."""
    starts = ddf.divisions[:-1] if ddf.known_divisions else ()
    if ddf.index.name == id_col and ddf.known_divisions and all(
            a < b for a, b in pairwise(starts)):  # (repeated: an id in several parts)
        return ddf
    if id_col in ddf.columns:
        ids = ddf[id_col]
    elif ddf.index.name == id_col:
        # counted on the index itself: dask 2026.8's optimizer fails (IndexError) on a
        # column of reset_index() of a dd.concat's frame
        ids = ddf.index.to_series()
        ddf = ddf.reset_index()
    else:
        return ddf  # (the first partition's _as_long names what is missing)
    seen = ids.map_partitions(lambda part: part.drop_duplicates()).value_counts().compute()
    split = seen.index[seen.to_numpy() > 1]
    if len(split) == 0:
        return ddf
    warnings.warn(
        f"{len(split)} id(s) of the Dask frame have rows in more than one partition "
        f"(e.g. {list(split[:3])}); they were shuffled on {id_col!r} first, so that each id is "
        f"fitted once on all its rows. Partition by id beforehand to skip this pass: "
        f"ddf.set_index({id_col!r}) or ddf.shuffle(on={id_col!r}).", UserWarning, stacklevel=3)
    return ddf.shuffle(on=id_col)


def _as_long(df, id_col, time_col, value_col):
    """The rows with ``id_col`` as a column (it may be the index, after
    ``set_index``; the id and time may be a MultiIndex's levels)."""
    if id_col not in df.columns and df.index.name == id_col:
        df = df.reset_index()
    check_unique_labels(df.columns[df.columns.isin([id_col, time_col, value_col])], "df")
    levels = [c for c in (id_col, time_col) if c not in df.columns and c in df.index.names]
    if levels and isinstance(df.index, pd.MultiIndex):  # set_index(["unique_id", "ds"])
        df = df.reset_index(levels)
    missing = [c for c in (id_col, time_col, value_col) if c not in df.columns]
    if missing:
        raise ValueError(f"The long-format frame has no column(s) {missing}; it has "
                         f"{list(df.columns)}. Name them with id_col=, time_col=, value_col=.")
    return df


def _time_dtype(column, parsed=None):
    """The dtype of a long frame's future times: the input's, but text times
    come back as the datetimes they were read as (``parsed``, the dtype of
    the collection's time index; the forecasters' long layout does so too),
    naive ones at nanoseconds so that every Dask partition matches its empty
    template's."""
    text = pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(column.dtype)
    if not text:
        return column.dtype
    if isinstance(parsed, pd.DatetimeTZDtype):
        return parsed
    return np.dtype("datetime64[ns]") if parsed is None or parsed.kind == "M" else column.dtype


def _empty_result(df, id_col, time_col, value_col, coverage, times=None):
    """The result's columns and dtypes, no rows (``times``: the dtype of the
    time index the rows were read into, where there are rows)."""
    columns = {id_col: pd.Series(dtype=df[id_col].dtype),
               time_col: pd.Series(dtype=_time_dtype(df[time_col], times)),
               value_col: pd.Series(dtype=np.float64)}
    columns.update({name: pd.Series(dtype=np.float64) for name in bound_names(coverage)})
    return pd.DataFrame(columns)


def _forecast_one(template, key, series, coverage):
    """Fit a clone on one series; its forecast (h,) and bounds ({column: (h,)}, empty
    without ``coverage``)."""
    model = clone(template)
    # its warnings and progress name the id (as PerSeriesForecaster's name the series)
    model._progress_name = f"forecast_long, id {key!r}"
    try:
        model.fit(series)
        forecast = model.predict().to_numpy()
        bounds = {}
        if coverage is not None:
            iv = named_warnings(f"id {key!r}", model.predict_interval, coverage)
            bounds = {name: iv[name].to_numpy() for name in bound_names(coverage)}
    except ValueError as exc:  # say which id, also when it is raised on a remote worker
        raise ValueError(f"id {key!r}: {exc}") from exc
    finally:
        model.__dict__.pop("_progress_name", None)
    return forecast, bounds


def _assemble(coll, results, like, id_col, time_col, value_col, coverage, horizon):
    """Per-id forecasts as long rows with the input's id and time dtypes."""
    empty = _empty_result(like, id_col, time_col, value_col, coverage, coll.indexes[0].dtype)
    if not results:
        return empty
    frames = {"forecast": np.stack([f for f, _ in results])}
    frames.update({name: np.stack([b[name] for _, b in results])
                   for name in bound_names(coverage)})
    out = from_collection(coll, frames, horizon)
    return out.astype(empty.dtypes.to_dict())[list(empty.columns)]


def _text_times(ddf, time_col):
    """The dtype a Dask frame's text times are read as, from its first row
    (computing partitions until one has a row); None for times that are not
    text. An empty template cannot say whether the text carries a UTC offset:
    the lazy result's dtype would say naive where the partitions' are aware."""
    column = ddf._meta[time_col] if time_col in ddf._meta.columns else None
    if column is None or not (pd.api.types.is_object_dtype(column.dtype)
                              or pd.api.types.is_string_dtype(column.dtype)):
        return None
    for i in range(ddf.npartitions):
        first = ddf.get_partition(i)[time_col].head(1, npartitions=1)
        if len(first):
            return read_times(first).dtype
    return None


def _long_collection(df, id_col, time_col, value_col, freq):
    """The rows of a long frame as a collection (the forecasters' conversion)."""
    if len(df) == 0:
        return None
    return to_collection(df[[id_col, time_col, value_col]], None, id_col, time_col, value_col, freq)


def _forecast_partition(df, template, id_col, time_col, value_col, freq, coverage, plan,
                        times=None, filters=None):
    """Forecast every id of one pandas frame in turn (a Dask partition);
    ``times``: the dtype text times are read as (see :func:`_text_times`);
    ``filters``: the caller's ``warnings.filters``, kept on the worker as
    scikit-learn's ``Parallel`` keeps them (``map_partitions`` does not: a
    caller's "ignore" printed a warning per id)."""
    df = _as_long(df, id_col, time_col, value_col)
    coll = _long_collection(df, id_col, time_col, value_col, freq)
    if coll is None:
        return _empty_result(df, id_col, time_col, value_col, coverage, times)
    other = next((ix.dtype for ix in coll.indexes if times is not None and ix.dtype != times), None)
    if other is not None:  # pandas refuses such a column whole; here each partition reads its own
        raise ValueError(
            f"The time column {time_col!r} holds text times of different UTC offsets (or with "
            f"and without one): read as {times} in the first partition, as {other} in another "
            f"(local times across a daylight-saving change, or rows of several zones); parse "
            f"them into one zone first: df[{time_col!r}] = dd.to_datetime(df[{time_col!r}], "
            "utc=True).dt.tz_convert('Europe/Berlin') (your zone).")

    def run():
        # on a thread (Dask's threaded scheduler, a distributed worker's) the filters
        # are the process's own, and a catch_warnings there can leak into the
        # caller's (_callers.quiet); in a worker process's main thread, the caller's
        main = on_main_thread() and filters is not None
        with warnings.catch_warnings() if main else nullcontext():
            if main:
                warnings.filters[:] = filters
            return [_forecast_one(template, key, series, coverage)
                    for key, series in zip(coll.ids, series_list(coll))]

    return _assemble(coll, _run_capped(plan, run), df, id_col, time_col, value_col, coverage,
                     template.horizon)


def forecast_long(df, horizon, model="lstm", id_col=None, time_col=None, value_col=None,
                  freq=None, coverage=None, n_jobs=None, **forecaster_params):
    """Forecast a long-format frame, one model per id, into the same long format.

    Parameters
    ----------
    df : pd.DataFrame or dask.dataframe.DataFrame
        One row per (id, time) with columns ``id_col``, ``time_col`` and
        ``value_col`` (the id may instead be the index, or id and time a
        MultiIndex's levels). Each id is a
        regular series (datetime or evenly spaced integer times); with
        ``freq`` missing timestamps become NaN, which tsgate masks.
        **A Dask DataFrame is best partitioned by id**: all rows of an id in
        one partition, e.g. after ``ddf.set_index(id_col)`` or
        ``ddf.shuffle(on=id_col)``. Each partition is then forecast where it
        lives (``map_partitions``), without gathering the data on one node.
        Unless the frame is indexed by id with known divisions, the ids of
        each partition are computed at the call (one pass over the id
        column); where an id spans partitions, the frame is shuffled on the
        id first, with a warning.
    horizon : int
        Steps to forecast (the forecaster's direct ``horizon``).
    model : {"lstm", "gru"} or forecaster, default="lstm"
        The model, or an unfitted forecaster used as template.
    id_col, time_col, value_col : str, optional
        Column names, in the input and the output; default "unique_id",
        "ds", "y", as the forecasters'. (A frame without one of those but
        with tsgate 0.1's default, "id", "time" or "value", is still read
        with it, with a ``FutureWarning``; that fallback will be removed.)
    freq : str, optional
        pandas frequency to regularize each id's datetime index with
        (``Series.asfreq``); default: a forecaster template's own ``freq``,
        else inferred per id.
    coverage : float in (0, 1) or list of them, optional
        Add conformal ``lower`` and ``upper`` bounds at this coverage (for
        a list, ``lower_80``, ``upper_80``, ... per coverage, as
        ``predict_interval``).
    n_jobs : int, optional
        Parallel ids for pandas input, through joblib (so
        ``joblib.parallel_backend("dask")`` applies). Dask input is computed
        by Dask's own scheduler and ignores it.
    **forecaster_params
        Parameters of the forecaster (``hidden_size``, ``max_iter``,
        ``random_state``, ...). Every id's model gets the same
        ``random_state``, so the result does not depend on how the ids are
        split among jobs, workers or partitions.

    Returns
    -------
    pd.DataFrame or dask.dataframe.DataFrame
        Columns ``id_col``, ``time_col``, ``value_col`` (the forecast) and,
        with ``coverage``, ``lower`` and ``upper``: ``horizon`` rows per id,
        sorted by id then time (per partition for Dask, lazily, with unknown
        divisions: each partition's rows are numbered anew). Text times come
        back as the datetimes they are read as; for a Dask frame, the first
        of its rows is computed at the call, to learn whether they carry a
        UTC offset.

    Examples
    --------
    >>> import dask.dataframe as dd                              # doctest: +SKIP
    >>> ddf = dd.read_parquet("sales/").set_index("store")       # doctest: +SKIP
    >>> out = forecast_long(ddf, 14, model="gru", id_col="store", random_state=0)  # doctest: +SKIP
    >>> out.to_parquet("forecasts/")  # each partition forecast on its worker  # doctest: +SKIP
    """
    horizon = check_horizon(horizon)
    bounds = bound_names(coverage)  # a clear error for a bad coverage before any fit
    check_n_jobs(n_jobs, "forecast_long")
    given = (id_col, time_col, value_col)
    if not isinstance(model, str):  # a template's own column names, as PerSeriesForecaster reads
        given = tuple(g if g is not None or getattr(model, p, d) == d else getattr(model, p)
                      for g, p, d in zip(given, ("id_col", "time_col", "value_col"),
                                         LONG_COLUMNS))
    id_col, time_col, value_col = _long_columns(df, given)
    clash = [c for c in (id_col, time_col, value_col) if c in bounds]
    if clash:  # the bound's column would replace it in the result (a Dask frame's at compute)
        raise ValueError(
            f"df's column {clash[0]!r} has the name of a bound's column of coverage={coverage!r} "
            f"({bounds}); rename it (df.rename(columns={{{clash[0]!r}: ...}})) and pass its new "
            "name as id_col=, time_col= or value_col=.")
    if isinstance(model, str) and model.lower() in MODELS:
        known = MODELS[model.lower()]._get_param_names()
        unknown = sorted(set(forecaster_params) - set(known))
        if unknown:  # the constructor's TypeError named a private base class
            raise ValueError(f"forecast_long got unknown parameter(s) {unknown} of "
                             f"{MODELS[model.lower()].__name__}; valid ones: {sorted(known)}.")
        template = MODELS[model.lower()](horizon=int(horizon), **forecaster_params)
    elif hasattr(model, "fit") and hasattr(model, "predict_interval"):
        template = clone(model).set_params(horizon=int(horizon), **forecaster_params)
    else:
        raise ValueError(f"model must be one of {sorted(MODELS)} or an unfitted forecaster, got {model!r}.")
    if hasattr(template, "_validate_params"):
        template._validate_params()  # fail here, not in every remote task
    check_freq_alias(template)
    if freq is None:  # a template's own freq puts each id on its grid, as in PerSeriesForecaster
        freq = getattr(template, "freq", None)
    elif getattr(template, "freq", None) not in (None, freq):  # the call's freq, for every fit
        template = template.set_params(freq=freq)
    if freq is not None and not valid_freq_alias(freq):
        raise ValueError(f"freq must be a pandas frequency alias ('D', 'MS', 'h', ...) or None, "
                         f"got {freq!r}.")
    args = (id_col, time_col, value_col, freq, coverage)
    dask = is_dask_frame(df)
    if not isinstance(df._meta if dask else df, pd.DataFrame):  # (a Dask Series: its _meta is one)
        raise TypeError(f"df must be a pandas or Dask DataFrame in long format, got {type(df).__name__}.")
    if dask:
        df = _by_id(df, id_col)
        plan = _dask_plan(df.npartitions)
        times = _text_times(df, time_col)
        meta = _forecast_partition(df._meta, template, *args, plan, times)
        # each partition's rows are new (0..n-1): the input's divisions by id no longer hold
        return df.map_partitions(_forecast_partition, template, *args, plan, times,
                                 list(warnings.filters), meta=meta, clear_divisions=True)
    df = _as_long(df, id_col, time_col, value_col)
    coll = _long_collection(df, id_col, time_col, value_col, freq)
    if coll is None:
        return _empty_result(df, id_col, time_col, value_col, coverage)
    plan = _joblib_plan(n_jobs, len(coll))
    with kept_warnings():
        results = Parallel(n_jobs=n_jobs)(
            delayed(_run_capped)(plan, _forecast_one, template, key, series, coverage)
            for key, series in zip(coll.ids, series_list(coll)))
    return _assemble(coll, results, df, id_col, time_col, value_col, coverage, template.horizon)
