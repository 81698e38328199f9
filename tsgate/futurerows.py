"""The rows of exogenous features X that each series of a collection needs.

A forecast needs, per series, X's rows at given time steps (the future
periods, or a new history followed by them), from an X in the layout of the
fitted y (:mod:`tsgate.collection`): one X on shared dates for a Series or a
wide frame, the rows of each series for a MultiIndex or long y.
:func:`exog_rows` takes them all or names the row X lacks;
:func:`exog_rows_or` takes each series' rows where X holds them and falls
back to rows already found where it does not.
"""
from types import SimpleNamespace

import numpy as np
import pandas as pd

from .collection import long_exog, series_rows, to_collection
from .featurerows import align_exog
from .grids import FittedSteps


def exog_rows(coll, X, indexes, id_col="unique_id", time_col="ds", value_col="y"):
    """Exogenous rows of ``X`` for each series on its own time index.

    Parameters
    ----------
    coll : Collection
        The series (their layout says how ``X`` is laid out).
    X : pd.DataFrame
        Exogenous features in that layout: rows on a shared time index for
        the series and wide layouts; for the MultiIndex and long layouts, the
        same layout as y with ``indexes``' periods.
    indexes : list of pd.Index
        Per series, the time steps whose rows are wanted (e.g. the future
        periods, or the history followed by them).
    id_col, time_col, value_col : str
        Column names of the long layout.

    Returns
    -------
    list of ndarray of shape (len(indexes[i]), m)

    Raises
    ------
    ValueError
        Where X lacks a wanted row (named by the alignment).
    """
    if coll.layout in ("series", "wide"):
        aligned = {}  # series of a wide frame share most indexes: align each once
        out = []
        for index in indexes:
            key = (index[0], len(index)) if len(index) else None
            if key not in aligned:
                aligned[key] = align_exog(X, index)
            out.append(aligned[key])
        return out
    frame = _empty_like(coll, indexes)
    # dates: each series' own step (the first series' put a month-start series' two future
    # dates on a month-end grid, refused)
    step = (FittedSteps(SimpleNamespace(ids=coll.ids, indexes=indexes))
            if len(indexes) and isinstance(indexes[0], (pd.DatetimeIndex, pd.PeriodIndex))
            else None)
    found = to_collection(frame, X, id_col, time_col, value_col, known_freq=step)
    # found lists the ids sorted as plain labels; coll may order them otherwise
    # (categorical ids in their categories' order)
    by_id = dict(zip(found.ids, found.exog))
    return [by_id[key] for key in coll.ids]


def exog_rows_or(coll, X, indexes, base, id_col="unique_id", time_col="ds"):
    """Per series, the rows of ``X`` at ``indexes[i]`` where X holds them all
    (complete), else ``base[i]`` (rows it holds, :func:`exog_rows`): each
    series on its own, whatever X holds for the others.

    Returns
    -------
    list of ndarray of shape (len(indexes[i]), m) or base[i].shape
    """
    if coll.layout in ("series", "wide"):
        parts = [X] * len(indexes)  # one X on the shared dates
    else:
        xs = long_exog(X, id_col, time_col) if coll.layout == "long" else (
            X.to_frame() if isinstance(X, pd.Series) else X)
        parts = [series_rows(xs, key) for key in coll.ids]
    out = []
    for part, index, rows in zip(parts, indexes, base):
        try:
            out.append(align_exog(part, index))
        except ValueError:
            out.append(rows)
    return out


def _empty_like(coll, indexes):
    """An empty y (zeros) in the collection's layout on the given per-series indexes."""
    labels = np.empty(len(coll.ids), dtype=object)  # (k,): a tuple id stays one label
    for i, key in enumerate(coll.ids):
        labels[i] = key
    ids = np.repeat(labels, [len(i) for i in indexes])
    times = indexes[0].append(indexes[1:]) if len(indexes) > 1 else indexes[0]
    if coll.layout == "long":
        return pd.DataFrame({coll.names["id_col"]: ids, coll.names["time_col"]: np.asarray(times),
                             coll.names["value_col"]: 0.0})
    return pd.Series(0.0, index=pd.MultiIndex.from_arrays([ids, times]))
