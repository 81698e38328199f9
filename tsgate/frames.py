"""Per-series results given back as pandas, in the layout the input came in.

:func:`tsgate.collection.to_collection` reads any accepted input into a
:class:`tsgate.collection.Collection`; :func:`from_collection` turns arrays
of per-series results (forecasts, bounds) into the pandas object of that
input's layout (the table in :mod:`tsgate.collection`), with the ids' dtype,
the future time index of each series and the input's time dtype.
:func:`to_wide` lays a collection-shaped pandas object out as one column per
series (for plots).
"""
import numpy as np
import pandas as pd

from ._series import future_index
from .pairs import LONG_COLUMNS
from .timedtypes import as_time_dtype


def from_collection(coll, frames, horizon):
    """Give per-series results back in the collection's layout.

    Parameters
    ----------
    coll : Collection
    frames : dict of str to ndarray of shape (n_series, horizon)
        Columns of the result, e.g. ``{"forecast": F}`` or
        ``{"lower": L, "upper": U}``.
    horizon : int

    Returns
    -------
    pd.Series or pd.DataFrame
        For a single column ``forecast``: a Series (series, multiindex
        layouts), a DataFrame (wide: one column per series; long: id, time
        and value columns). For several columns: a DataFrame with one column
        each (series, multiindex, long) or a column MultiIndex (series,
        column) for wide.
    """
    keys = list(frames)
    point = keys == ["forecast"]
    if coll.layout == "series":
        future = as_time_dtype(coll.future_indexes(horizon)[0], coll.names.get("time_dtype"))
        if point:
            return pd.Series(frames["forecast"][0], index=future, name=coll.names.get("name"))
        return pd.DataFrame({k: frames[k][0] for k in keys}, index=future)
    if coll.layout == "wide":
        index = as_time_dtype(future_index(_wide_index(coll), horizon),
                              coll.names.get("time_dtype"))
        if not _futures_shared(coll):  # each series' own future, for the errors it raises
            coll.future_indexes(horizon)
        columns = coll.names["columns"]
        if point:
            return pd.DataFrame(frames["forecast"].T, index=index, columns=columns)
        data = np.stack([frames[k] for k in keys], axis=2)  # (k, h, c)
        cols = pd.MultiIndex.from_product([columns, keys])
        return pd.DataFrame(data.transpose(1, 0, 2).reshape(horizon, -1), index=index, columns=cols)
    # the ids' own dtype (integer ids stay integers, categories categories); tuples stay whole ids
    cat = coll.names.get("id_categories")
    ids = (pd.Index(coll.ids, tupleize_cols=False, dtype=_id_dtype(coll)) if cat is None else
           pd.CategoricalIndex(coll.ids, categories=cat["categories"], ordered=cat["ordered"]))
    ids = ids.repeat(horizon)
    futures = coll.future_indexes(horizon)  # (not for the wide layout: one index for all)
    times = futures[0].append(futures[1:]) if len(futures) > 1 else futures[0]
    numpy_times = times
    times = as_time_dtype(times, coll.names.get("time_dtype"))  # the input's time dtype
    if coll.layout == "multiindex":
        index = pd.MultiIndex.from_arrays([ids, times], names=coll.names.get("index_names"))
        if point:
            return pd.Series(frames["forecast"].ravel(), index=index, name=coll.names.get("name"))
        return pd.DataFrame({k: frames[k].ravel() for k in keys}, index=index)
    names = coll.names
    point_and_bounds = "forecast" in keys and len(keys) > 1  # (forecast_long's with coverage)
    taken = [names["id_col"], names["time_col"]] + ([names["value_col"]] if point_and_bounds
                                                     else [])
    clash = [k for k in keys if k != "forecast" and k in taken]
    if clash:  # the bound's column would replace the ids, the times or the forecast
        which = {names["id_col"]: "id_col", names["time_col"]: "time_col"}.get(clash[0],
                                                                               "value_col")
        raise ValueError(
            f"The long frame's {which} is named {clash[0]!r}, the name of a result column; "
            "rename that column of y (and set the forecaster's id_col/time_col/value_col) before "
            "fitting.")
    out = {names["id_col"]: ids.array,
           names["time_col"]: np.asarray(times) if times is numpy_times else times.array}
    for k in keys:
        out[names["value_col"] if k == "forecast" else k] = frames[k].ravel()
    frame = pd.DataFrame(out)
    # the metrics read a long frame by these columns (tsgate.pairs.long_names)
    frame.attrs[LONG_COLUMNS] = [names["id_col"], names["time_col"]]
    return frame


def to_wide(obj, id_col="unique_id", time_col="ds", values="y"):
    """A Series/DataFrame on a (series id, time) MultiIndex, or a long frame
    with ``id_col``, ``time_col`` and the ``values`` column(s), as one
    column per series on the union of their times (NaN where a series has
    no row); several value columns give columns (value column, series).
    Any other object comes back as it is.
    """
    if isinstance(obj.index, pd.MultiIndex):
        wide = obj.unstack(level=0)
    elif isinstance(obj, pd.DataFrame) and id_col in obj.columns:
        missing = [c for c in [time_col, *np.atleast_1d(values)] if c not in obj.columns]
        if missing:
            raise ValueError(f"The long frame has no column(s) {missing}; name its columns with "
                             "id_col=, time_col=, value_col=.")
        wide = obj.pivot(index=time_col, columns=id_col, values=values)
    else:
        return obj
    wide.columns.names = [None] * wide.columns.nlevels
    return wide.sort_index()


def _futures_shared(coll):
    """Whether each series of a wide collection has the future of the shared
    index (:func:`_wide_index`), without making each (a ``date_range`` per
    series: 3.5 s of a 10,000-series forecast): each index is one of a
    frequency (or a range), of the shared one's type, step and end."""
    shared = _wide_index(coll)

    def same(ix):
        if type(ix) is not type(shared) or ix.dtype != shared.dtype:
            return False
        if isinstance(ix, pd.RangeIndex):
            return ix.step == shared.step and ix[-1] == shared[-1]
        if isinstance(ix, (pd.DatetimeIndex, pd.PeriodIndex)):
            return ix.freq is not None and ix.freq == shared.freq and ix[-1] == shared[-1]
        return False

    return all(same(ix) for ix in coll.indexes)


def _wide_index(coll):
    """The shared index of a wide collection (the longest series' index ends it)."""
    return max(coll.indexes, key=len)


def _id_dtype(coll):
    """The dtype the ids had (``names["id_dtype"]``), or None: inferred again
    (collections saved before it was kept, and ids of dtype object)."""
    dtype = coll.names.get("id_dtype")
    if dtype is None:
        return None
    try:
        return pd.api.types.pandas_dtype(dtype)
    except (TypeError, ImportError):  # a dtype this pandas does not name so, or pyarrow's
        return None  # without pyarrow: inferred


def series_columns(frame, key):
    """The columns of series ``key`` of a wide result with columns (series,
    column), e.g. ``predict_interval``'s, without the series level; None
    where it has none. Labels are compared one by one: pandas reads a tuple
    id ``("s", 1)`` given to ``frame[...]`` or ``in`` as one label per level."""
    mine = np.array([label == key for label in frame.columns.get_level_values(0)],
                    dtype=bool)  # (columns,)
    return frame.loc[:, mine].droplevel(0, axis=1) if mine.any() else None


def series_list(coll):
    """Each series of a collection as a pd.Series on its own index, named by its id."""
    return [pd.Series(v, index=idx, name=key)
            for v, idx, key in zip(coll.values, coll.indexes, coll.ids)]
