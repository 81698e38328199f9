"""The seasonal-naive scale of :func:`tsgate.metrics.mase` and
:func:`tsgate.metrics.msis`: each series' in-sample mean absolute error of
repeating the value ``season_length`` steps before, its training values
paired by time (a missing date is a missing value, not a shorter step), and
a collection's series each scaled by its own.
"""
import numbers

import numpy as np
import pandas as pd

from ._series import guess_freq, infer_step
from .grids import on_grid, too_many_steps
from .pairs import (
    _as_values,
    _check_labels,
    _check_rows_of_long,
    _collection_layout,
    _to_array,
    long_names,
)
from .timedtypes import parsed_times


class NoScaleError(ValueError):
    """A training series without a seasonal-naive scale at the season length
    asked (too short for it, or constant at that lag): the scorers, which
    take the season length from the forecaster, name their own fix."""


def _on_own_grid(train, freq, name):
    """A training Series or DataFrame on dates with every step of its grid,
    missing steps NaN, so that the naive errors pair values
    ``season_length`` steps apart, not rows: ``freq``'s grid where given,
    a PeriodIndex's own; dates that skip steps without ``freq`` are refused
    (their step is a guess), as are times that repeat; integer times on the
    grid of their common step. Anything else as given."""
    if not isinstance(train, (pd.Series, pd.DataFrame)):
        return train
    index = parsed_times(train.index)  # text and pyarrow dates as the forecasters read them
    train = train if index is train.index else train.set_axis(index)
    dated = isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex))
    integer = isinstance(index, pd.RangeIndex) or (
        not dated and pd.api.types.is_integer_dtype(index.dtype))
    if freq is not None and not dated:
        raise ValueError(f"freq={freq!r} applies to dates, but the times of {name} are "
                         f"{index.dtype} values, not dates; leave freq=None.")
    if (dated or integer) and index.has_duplicates:
        raise ValueError(f"The times of {name} repeat ({index[index.duplicated()][0]} more than "
                         "once); give one training value per time.")
    if integer:  # on the grid of their common step: a dropped row counts as missing
        train = train.sort_index()
        labels = train.index.to_numpy().astype(np.int64)  # (n,)
        steps = np.diff(labels)  # (n-1,)
        if not len(steps) or (steps == steps[0]).all():
            return train
        step = int(np.gcd.reduce(steps))
        if too_many_steps((labels[-1] - labels[0]) // step + 1, len(labels)):
            raise ValueError(f"The integer times of {name} run from {labels[0]} to {labels[-1]} "
                             f"in steps of {step}, nearly all of them missing; give the times "
                             "as steps 0, 1, 2, ... (NaN where a value is missing).")
        return train.reindex(pd.RangeIndex(labels[0], labels[-1] + 1, step))
    if not dated:
        return train
    if freq is not None:
        return on_grid(train, freq, name, density=False)  # (the forecaster's kept series too)
    train = train.sort_index()
    if isinstance(index, pd.PeriodIndex):
        return train.reindex(pd.period_range(train.index[0], train.index[-1], freq=index.freq))
    if len(index) < 3 or index.freq is not None:
        return train
    try:
        infer_step(train.index, name)
    except ValueError:
        guess = guess_freq(train.index)
        raise ValueError(
            f"The dates of {name} skip steps (missing dates between {train.index[0]} and "
            f"{train.index[-1]}), so its rows are not season_length steps apart; pass the "
            f"data's frequency, e.g. freq={guess!r} (as given to the forecaster): missing "
            "dates then count as missing values.") from None
    return train


def _naive_scales(y_train, season_length, yt, y_true=None):
    """Per column of ``yt`` (h,) or (h, k), the in-sample mean absolute
    seasonal-naive error of ``y_train``: (k,), the unit of :func:`mase` and
    :func:`msis`; a clear error for a bad season length, a training
    column with no scale, or training columns labelled otherwise than
    ``y_true``'s (DataFrames: each column is scaled by the training column
    at its position). A column of ``yt`` without an observed value is not
    scored: its scale is NaN, unchecked (a wide frame's series not yet
    launched was refused for a training column of zeros)."""
    _check_labels(y_true, y_train, "y_train", rows=False)
    if isinstance(season_length, (bool, np.bool_)) or not isinstance(season_length, numbers.Integral):
        raise TypeError(
            f"season_length must be an int, got {type(season_length).__name__} "
            f"{season_length!r}; pass a whole number such as season_length=12."
        )
    if season_length < 1:
        raise ValueError(f"season_length must be >= 1, got {season_length}; pass season_length>=1.")
    tr = _to_array(y_train, "y_train")
    if tr.size == 0:
        raise ValueError("y_train is empty; pass the training series the forecast was made from.")
    if tr.ndim != yt.ndim or tr.ndim not in (1, 2) or tr.shape[1:] != yt.shape[1:]:
        raise ValueError(
            f"y_train has shape {tr.shape} but y_true has shape {yt.shape}; pass a "
            f"training series with the same columns as y_true (1-D with 1-D)."
        )
    tr2 = tr.reshape(len(tr), -1)  # (T, k)
    naive_err = np.abs(tr2[season_length:] - tr2[:-season_length])  # (T-m, k)
    scales = np.empty(tr2.shape[1])  # (k,)
    labels = y_true.columns if isinstance(y_true, pd.DataFrame) else range(tr2.shape[1])
    scored = np.isfinite(yt.reshape(len(yt), -1)).any(axis=0)  # (k,)
    for j, label in enumerate(labels):
        if not scored[j]:
            scales[j] = np.nan
            continue
        col = naive_err[:, j]
        col = col[~np.isnan(col)]
        where = "y_train" if tr.ndim == 1 else f"y_train's series {label!r}"
        if col.size == 0:
            observed = int(np.isfinite(tr2[:, j]).sum())
            raise NoScaleError(
                f"{where} has no pair of observed values {season_length} steps apart "
                f"({observed} observed), so it has no MASE scale; pass a longer training "
                "series, or a smaller season_length, or score it with another metric (mae)."
            )
        scales[j] = col.mean()
        if not np.isfinite(scales[j]):
            raise ValueError(f"{where} contains inf; replace it with NaN or a finite value.")
        if scales[j] == 0:
            raise NoScaleError(
                f"MASE scale is 0: {where} is constant at lag {season_length} "
                f"(the seasonal-naive forecast is perfect in-sample); use another "
                f"metric such as mae, or a different season_length."
            )
    return scales


def _by_series(y_true, forecasts, y_train, freq=None):
    """Where ``y_train`` is a collection (:func:`_collection_layout`): y_true
    and each forecast as wide frames (time, series), and y_train as a
    (T, k) matrix of each series' own values aligned at their ends, in
    y_true's series order; so each series is scaled by its own naive errors
    (pooled, one series' differences crossed into the next's). A collection
    y_true of one series takes a y_train without ids as that series'; of
    several, such a y_train is refused (one scale for every series was
    used). Else all as given."""
    names = long_names(*forecasts, y_true, y_train)
    train = _collection_layout(y_train, names)
    own = None  # the one series' training values, where y_train has no ids
    if train is None:
        scored = _collection_layout(y_true, names)
        if scored is None:
            return y_true, forecasts, _on_own_grid(y_train, freq, "y_train")
        ids = scored.index.get_level_values(0).unique()
        values = np.asarray(_on_own_grid(y_train, freq, "y_train"), dtype=np.float64)
        if len(ids) > 1 or values.ndim != 1:
            raise ValueError(
                "y_true is a collection (a Series on a (series id, time) MultiIndex, or a long "
                f"DataFrame unique_id, ds, y) of {len(ids)} series, but y_train is not: each "
                "series is scaled by its own training values, so pass y_train in the same "
                "layout, with the series ids (e.g. the y the forecaster was fitted on).")
        own = {ids[0]: values}
    parts = [_collection_layout(v, names) for v in (y_true, *forecasts)]
    for i, f in enumerate(forecasts, 1):  # a column of a long forecast (band["lower"]), or
        # values without labels, pair with y_true's rows by position, as in the other metrics
        if parts[0] is not None and parts[i] is None and _plain_column(f, len(parts[0])):
            _check_rows_of_long(y_true, f, "the forecast")
            parts[i] = pd.Series(_to_array(f, "the forecast"), index=parts[0].index)
        elif parts[0] is not None and parts[i] is None and np.ndim(f) == 1 \
                and _plain_column(f, np.shape(f)[0]):  # (of another length)
            raise ValueError(f"y_true has shape ({len(parts[0])},) but the forecast has shape "
                             f"{np.shape(f)}; pass forecasts with one value per observation "
                             "(same shape as y_true).")
    if any(p is None for p in parts):
        raise ValueError(
            "y_train is a collection (a Series on a (series id, time) MultiIndex, or a long "
            "DataFrame unique_id, ds, y), so y_true and the forecasts must be too: pass "
            "them in the same layout (as predict returns them).")
    parts = [parts[0]] + [_as_values(parts[0], p)[1] for p in parts[1:]]
    for p in parts[1:]:
        _check_labels(parts[0], p, "the forecast")
    for what, p in [("y_true", parts[0])] + ([("y_train", train)] if own is None else []):
        if p.index.has_duplicates:  # (backtest rows of origins less than a horizon apart)
            key = p.index[p.index.duplicated()][0]
            raise ValueError(
                f"{what} holds (series, time) {key!r} more than once; a metric scores one "
                "forecast per series and time: score each forecast origin on its own (e.g. "
                "backtest rows grouped by origin).")
    # (times, series) each, on y_true's times and ids: unstack orders each by its
    # MultiIndex's levels, which differ between equal labels (a groupby's
    # y_true against a forecast built from its tuples: "labelled differently")
    first = parts[0].unstack(level=0).sort_index()
    wide = [first] + [p.unstack(level=0).reindex(index=first.index, columns=first.columns)
                      for p in parts[1:]]
    series = own or {
        key: _on_own_grid(part.droplevel(0).sort_index(), freq, f"y_train's series {key!r}")
        .to_numpy(dtype=np.float64, na_value=np.nan)
        for key, part in train.groupby(level=0, sort=False, observed=True)}
    missing = [key for key in wide[0].columns if key not in series]
    if missing:
        raise ValueError(f"y_train has no series {missing[0]!r}, which y_true has; pass the "
                         "training data of every series scored.")
    return wide[0], wide[1:], _end_aligned([series[key] for key in wide[0].columns])


def _plain_column(values, n):
    """Whether ``values`` are ``n`` values without series ids or times: a
    plain Series (a long forecast's column) or a 1-D array or list."""
    if isinstance(values, pd.DataFrame) or (isinstance(values, pd.Series)
                                            and isinstance(values.index, pd.MultiIndex)):
        return False
    shape = np.shape(values)
    return len(shape) == 1 and shape[0] == n


def _end_aligned(values):
    """Series of any lengths (a list of (n_i,)) as one (T, k) matrix, aligned
    at their ends (NaN before a later start): the training data a metric's
    ``y_train`` holds for a collection."""
    T = max(len(v) for v in values)
    out = np.full((T, len(values)), np.nan)  # (T, k)
    for j, v in enumerate(values):
        out[T - len(v):, j] = v
    return out
