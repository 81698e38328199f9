"""Forecast accuracy metrics and scikit-learn scorers for forecasters.

All metrics accept array-likes, pandas Series or DataFrames (several series:
the metric is computed over all entries) and compare values by position, not
by index label. Where both are pandas objects whose labels are of one kind
(dates and dates, periods and periods, numbers and numbers) but differ (a
forecast a step off, rows in another order, a wide frame's columns in
another order), that is a misalignment, and a ``ValueError`` says so rather
than scoring the wrong pairs; labels of different kinds (a forecast's dates
against ``y_test.reset_index(drop=True)``) are compared by position.
Collections (a long frame ``unique_id, ds`` and one value column, or a
Series on a (series id, time) MultiIndex) are scored on their values,
paired by series and time in whatever row order. Pairs whose ``y_true`` is
NaN are ignored.

Besides numpy and pandas it imports nothing; the scikit-learn scorers
(``neg_mase_scorer``, ...) live in :mod:`tsgate.scorers` and are importable
from here too.
"""

import numbers

import numpy as np
import pandas as pd

__all__ = [
    "mae",
    "rmse",
    "smape",
    "mase",
    "coverage",
    "msis",
    "pinball_loss",
    "make_forecast_scorer",
    "neg_mae_scorer",
    "neg_rmse_scorer",
    "neg_smape_scorer",
    "neg_mase_scorer",
    "neg_msis_scorer",
    "SCORERS",
]


def _to_array(values, name):
    """Convert array-like/pandas input to a float64 ndarray of the same shape."""
    if isinstance(values, (pd.Series, pd.DataFrame)):
        frame = values.to_frame() if isinstance(values, pd.Series) else values
        for col in frame.columns:
            dtype = frame[col].dtype
            if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)) \
                    or pd.api.types.is_complex_dtype(dtype):
                raise TypeError(
                    f"{name} column {col!r} has non-numeric dtype {dtype}; convert it "
                    f"with pd.to_numeric before computing the metric."
                )
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    arr = np.asarray(values)
    try:
        if arr.dtype.kind not in "biufO":
            raise TypeError
        return arr.astype(np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be numeric, got dtype {arr.dtype}; convert it with "
            f".astype(float) before computing the metric."
        ) from None


def _label_kind(labels):
    """The kind of a pandas index's labels, for :func:`_check_labels`."""
    if isinstance(labels, pd.MultiIndex):
        return ("multi",) + tuple(_label_kind(level) for level in labels.levels)
    for kind, test in (("date", pd.api.types.is_datetime64_any_dtype),
                       ("period", lambda d: isinstance(d, pd.PeriodDtype)),
                       ("number", pd.api.types.is_numeric_dtype)):
        if test(labels.dtype):
            return kind
    return "text"


def _check_labels(y_true, y_pred, name, rows=True):
    """Raise a ValueError where pandas ``y_true`` and ``y_pred`` carry labels of
    one kind that differ: pairing them by position would score a forecast
    against the wrong observations. ``rows=False``: the columns only (a
    training part's rows are other times)."""
    axes = [("index", "rows")] if rows else []
    if isinstance(y_true, pd.DataFrame) and isinstance(y_pred, pd.DataFrame):
        axes.append(("columns", "columns"))
    for axis, what in axes:
        a, b = getattr(y_true, axis), getattr(y_pred, axis)
        if len(a) != len(b) or a.equals(b) or _label_kind(a) != _label_kind(b):
            continue
        # (the same instants in two time zones are not equal() but are the same labels)
        first = next((i for i, (u, v) in enumerate(zip(a, b)) if not (u == v or u is v)), None)
        if first is None:
            continue
        raise ValueError(
            f"y_true and {name} are labelled differently ({what}: {a[first]!r} against "
            f"{b[first]!r} at position {first}); metrics pair values by position, so they "
            f"would be misaligned. Align them ({name}.reindex(y_true.{axis}) where they "
            "cover the same labels), or pass .to_numpy() to compare by position on purpose.")


def _as_values(y_true, y_pred):
    """A collection (:func:`_collection_layout`: a long frame, or a Series on a
    (series id, time) MultiIndex) as its values, a Series on (series id,
    time): a long frame's id and time columns are labels, not values (they
    were scored as values of 0 error: mae 0.47 where the values' was 1.42).
    Two collections holding the same labels in another order (a test frame
    sorted by time) are aligned on them, y_pred on y_true's."""
    true, pred = _collection_layout(y_true), _collection_layout(y_pred)
    true = y_true if true is None else true
    pred = y_pred if pred is None else pred
    if (isinstance(getattr(true, "index", None), pd.MultiIndex)
            and isinstance(getattr(pred, "index", None), pd.MultiIndex)
            and len(true) == len(pred) and not true.index.equals(pred.index)
            and not true.index.has_duplicates and not pred.index.has_duplicates
            and true.index.isin(pred.index).all()):
        pred = pred.reindex(true.index)
    return true, pred


def _valid_pairs(y_true, y_pred, name="y_pred"):
    """Return float64 ``(y_true, y_pred, mask)`` with ``mask`` = observed y_true
    (``name``: what the errors call ``y_pred``, e.g. "lower"). Collections
    pair by (series id, time) (:func:`_as_values`)."""
    y_true, y_pred = _as_values(y_true, y_pred)
    if isinstance(y_true, (pd.Series, pd.DataFrame)) and isinstance(y_pred, (pd.Series, pd.DataFrame)):
        _check_labels(y_true, y_pred, name)
    yt = _to_array(y_true, "y_true")
    yp = _to_array(y_pred, name)
    if yt.shape != yp.shape:
        raise ValueError(
            f"y_true has shape {yt.shape} but {name} has shape {yp.shape}; pass "
            f"forecasts with one value per observation (same shape as y_true)."
        )
    mask = ~np.isnan(yt)  # same shape as yt
    if not mask.any():
        raise ValueError(
            "No valid pair: y_true is empty or all NaN; pass at least one observed value."
        )
    if not np.isfinite(yt[mask]).all():
        raise ValueError("y_true contains inf; replace it with NaN to ignore it or with a finite value.")
    if not np.isfinite(yp[mask]).all():
        raise ValueError(
            f"{name} contains NaN/inf where y_true is observed; the forecast is invalid, "
            "check the model (e.g. diverged training) or fill the forecast."
        )
    return yt, yp, mask


def mae(y_true, y_pred):
    """Mean absolute error over all observed entries.

    Parameters
    ----------
    y_true : array-like, pandas Series or DataFrame
        Observed values; NaN entries are ignored.
    y_pred : array-like, pandas Series or DataFrame
        Forecasts, same shape as ``y_true``.

    Returns
    -------
    float
    """
    yt, yp, mask = _valid_pairs(y_true, y_pred)
    return float(np.mean(np.abs(yt[mask] - yp[mask])))


def rmse(y_true, y_pred):
    """Root mean squared error over all observed entries.

    Parameters
    ----------
    y_true : array-like, pandas Series or DataFrame
        Observed values; NaN entries are ignored.
    y_pred : array-like, pandas Series or DataFrame
        Forecasts, same shape as ``y_true``.

    Returns
    -------
    float
    """
    yt, yp, mask = _valid_pairs(y_true, y_pred)
    return float(np.sqrt(np.mean((yt[mask] - yp[mask]) ** 2)))


def smape(y_true, y_pred):
    """Symmetric mean absolute percentage error, in percent (0..200).

    ``200 * mean(|y - f| / (|y| + |f|))`` with the convention ``0/0 = 0``.

    Parameters
    ----------
    y_true : array-like, pandas Series or DataFrame
        Observed values; NaN entries are ignored.
    y_pred : array-like, pandas Series or DataFrame
        Forecasts, same shape as ``y_true``.

    Returns
    -------
    float
    """
    yt, yp, mask = _valid_pairs(y_true, y_pred)
    num = np.abs(yt[mask] - yp[mask])  # (n_valid,)
    den = np.abs(yt[mask]) + np.abs(yp[mask])  # (n_valid,)
    ratio = np.divide(num, den, out=np.zeros_like(num), where=den > 0)  # 0/0 -> 0
    return float(200.0 * np.mean(ratio))


def _naive_scales(y_train, season_length, yt, y_true=None):
    """Per column of ``yt`` (h,) or (h, k), the in-sample mean absolute
    seasonal-naive error of ``y_train``: (k,), the unit of :func:`mase` and
    :func:`msis`; a clear error for a bad season length, a training
    column with no scale, or training columns labelled otherwise than
    ``y_true``'s (DataFrames: each column is scaled by the training column
    at its position)."""
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
    for j, label in enumerate(labels):
        col = naive_err[:, j]
        col = col[~np.isnan(col)]
        where = "y_train" if tr.ndim == 1 else f"y_train's series {label!r}"
        if col.size == 0:
            observed = int(np.isfinite(tr2[:, j]).sum())
            raise ValueError(
                f"{where} has no pair of observed values {season_length} steps apart "
                f"({observed} observed), so it has no MASE scale; pass a longer training "
                "series, or a smaller season_length, or score it with another metric (mae)."
            )
        scales[j] = col.mean()
        if not np.isfinite(scales[j]):
            raise ValueError(f"{where} contains inf; replace it with NaN or a finite value.")
        if scales[j] == 0:
            raise ValueError(
                f"MASE scale is 0: {where} is constant at lag {season_length} "
                f"(the seasonal-naive forecast is perfect in-sample); use another "
                f"metric such as mae, or a different season_length."
            )
    return scales


def _collection_layout(values):
    """``values`` as one Series on a (series id, time) MultiIndex where it
    is a collection: such a Series (or a one-column DataFrame), or a long
    DataFrame with columns ``unique_id``, ``ds`` and one value column (the
    forecasters' default names); else None."""
    if isinstance(values, pd.DataFrame) and values.shape[1] == 3 \
            and not isinstance(values.index, pd.MultiIndex) \
            and {"unique_id", "ds"} <= set(values.columns):
        return values.set_index(["unique_id", "ds"]).iloc[:, 0]
    if isinstance(values, (pd.Series, pd.DataFrame)) and isinstance(values.index, pd.MultiIndex) \
            and values.index.nlevels == 2 \
            and (isinstance(values, pd.Series) or values.shape[1] == 1):
        return values if isinstance(values, pd.Series) else values.iloc[:, 0]
    return None


def _by_series(y_true, forecasts, y_train):
    """Where ``y_train`` is a collection (:func:`_collection_layout`): y_true
    and each forecast as wide frames (time, series), and y_train as a
    (T, k) matrix of each series' own values aligned at their ends, in
    y_true's series order; so each series is scaled by its own naive errors
    (pooled, one series' differences crossed into the next's). Else all
    as given."""
    train = _collection_layout(y_train)
    if train is None:
        return y_true, forecasts, y_train
    parts = [_collection_layout(v) for v in (y_true, *forecasts)]
    if any(p is None for p in parts):
        raise ValueError(
            "y_train is a collection (a Series on a (series id, time) MultiIndex, or a long "
            "DataFrame unique_id, ds, y), so y_true and the forecasts must be too: pass "
            "them in the same layout (as predict returns them).")
    parts = [parts[0]] + [_as_values(parts[0], p)[1] for p in parts[1:]]
    for p in parts[1:]:
        _check_labels(parts[0], p, "the forecast")
    for what, p in (("y_true", parts[0]), ("y_train", train)):
        if p.index.has_duplicates:  # (backtest rows of origins less than a horizon apart)
            key = p.index[p.index.duplicated()][0]
            raise ValueError(
                f"{what} holds (series, time) {key!r} more than once; a metric scores one "
                "forecast per series and time: score each forecast origin on its own (e.g. "
                "backtest rows grouped by origin).")
    wide = [p.unstack(level=0) for p in parts]  # (times, series) each
    series = {key: part.droplevel(0).sort_index().to_numpy(dtype=np.float64, na_value=np.nan)
              for key, part in train.groupby(level=0, sort=False)}
    missing = [key for key in wide[0].columns if key not in series]
    if missing:
        raise ValueError(f"y_train has no series {missing[0]!r}, which y_true has; pass the "
                         "training data of every series scored.")
    return wide[0], wide[1:], _end_aligned([series[key] for key in wide[0].columns])


def mase(y_true, y_pred, y_train, season_length=1):
    """Mean absolute scaled error.

    Absolute errors are divided by the in-sample mean absolute error of the
    seasonal-naive forecast on ``y_train`` (``|y_t - y_{t-season_length}|``).
    With several columns each column is scaled by its own training scale, and
    the scaled errors are averaged over all observed entries.

    Parameters
    ----------
    y_true : array-like of shape (h,) or (h, k), pandas Series or DataFrame
        Observed values; NaN entries are ignored.
    y_pred : array-like, pandas Series or DataFrame
        Forecasts, same shape as ``y_true``.
    y_train : array-like of shape (T,) or (T, k), pandas Series or DataFrame
        Training series (same number of columns as ``y_true``); NaN lag pairs
        are ignored when computing the scale. A collection (a Series on a
        (series id, time) MultiIndex, or a long DataFrame ``unique_id``,
        ``ds``, ``y``) scales each series by its own training values;
        ``y_true`` and ``y_pred`` are then in the same layout, matched by
        series and time.
    season_length : int, default=1
        Seasonal period of the naive benchmark (1 = random walk).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If a training column has no valid lag pair or is constant at that lag
        (scale 0).
    """
    y_true, (y_pred,), y_train = _by_series(y_true, (y_pred,), y_train)
    yt, yp, mask = _valid_pairs(y_true, y_pred)
    scales = _naive_scales(y_train, season_length, yt, y_true)  # (k,)
    scaled = np.abs(yt - yp).reshape(len(yt), -1) / scales  # (h, k)
    return float(np.mean(scaled[mask.reshape(len(yt), -1)]))


def _check_fraction(value, name):
    """Raise a ValueError naming ``name`` unless ``value`` is a number in (0, 1)
    (a bool is not)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:
        raise ValueError(f"{name} must be a number in (0, 1), got {value!r}.")


def _valid_band(y_true, lower, upper):
    """``(y_true, lower, upper, mask)`` as float64, checked as :func:`_valid_pairs`
    checks a forecast, and the bounds in order where ``y_true`` is observed."""
    yt, lo, mask = _valid_pairs(y_true, lower, "lower")
    _, hi, _ = _valid_pairs(y_true, upper, "upper")
    if (lo[mask] > hi[mask]).any():
        raise ValueError("lower is above upper at some step; pass the bounds in order "
                         "(predict_interval's lower and upper columns).")
    return yt, lo, hi, mask


def coverage(y_true, lower, upper):
    """Share of the observed values inside their interval ``[lower, upper]``.

    Parameters
    ----------
    y_true : array-like, pandas Series or DataFrame
        Observed values; NaN entries are ignored.
    lower, upper : array-like, pandas Series or DataFrame
        The bounds (e.g. ``predict_interval``'s columns), same shape as ``y_true``.

    Returns
    -------
    float in [0, 1]
        To compare with the interval's nominal coverage.
    """
    yt, lo, hi, mask = _valid_band(y_true, lower, upper)
    return float(np.mean((yt[mask] >= lo[mask]) & (yt[mask] <= hi[mask])))


def msis(y_true, lower, upper, y_train, coverage=0.95, season_length=1):
    """Mean scaled interval score (M4 competition), lower is better.

    Per observed value, the interval score at ``a = 1 - coverage``,
    ``(U - L) + 2 / a * (L - y) * [y < L] + 2 / a * (y - U) * [y > U]``:
    the band's width plus a penalty for each miss, divided by the
    :func:`mase` scale of the series' training data, then averaged over all
    observed entries (each column by its own scale).

    Parameters
    ----------
    y_true : array-like of shape (h,) or (h, k), pandas Series or DataFrame
        Observed values; NaN entries are ignored.
    lower, upper : array-like, pandas Series or DataFrame
        The bounds of the ``coverage`` interval, same shape as ``y_true``.
    y_train : array-like of shape (T,) or (T, k), pandas Series or DataFrame
        Training series, as for :func:`mase`.
    coverage : float in (0, 1), default=0.95
        The interval's nominal coverage (M4 scored the 95% interval).
    season_length : int, default=1
        Seasonal period of the naive scale, as for :func:`mase`.

    Returns
    -------
    float
    """
    _check_fraction(coverage, "coverage")
    y_true, (lower, upper), y_train = _by_series(y_true, (lower, upper), y_train)
    yt, lo, hi, mask = _valid_band(y_true, lower, upper)
    scales = _naive_scales(y_train, season_length, yt, y_true)  # (k,)
    a = 1.0 - coverage
    score = (hi - lo) + 2 / a * np.maximum(lo - yt, 0) + 2 / a * np.maximum(yt - hi, 0)
    scaled = np.where(mask, score, 0.0).reshape(len(yt), -1) / scales  # (h, k)
    return float(np.mean(scaled[mask.reshape(len(yt), -1)]))


def pinball_loss(y_true, y_pred, quantile):
    """Mean pinball (quantile) loss of ``y_pred`` as the ``quantile`` quantile.

    ``quantile * (y - f)`` where ``y >= f``, ``(1 - quantile) * (f - y)``
    otherwise: the loss a forecast of that quantile minimizes (at 0.5, half
    the absolute error).

    Parameters
    ----------
    y_true : array-like, pandas Series or DataFrame
        Observed values; NaN entries are ignored.
    y_pred : array-like, pandas Series or DataFrame
        The quantile forecasts (e.g. a ``predict_quantiles`` column), same
        shape as ``y_true``.
    quantile : float in (0, 1)

    Returns
    -------
    float
    """
    _check_fraction(quantile, "quantile")
    yt, yp, mask = _valid_pairs(y_true, y_pred)
    e = yt[mask] - yp[mask]  # (n_valid,)
    return float(np.mean(np.maximum(quantile * e, (quantile - 1) * e)))


def _end_aligned(values):
    """Series of any lengths (a list of (n_i,)) as one (T, k) matrix, aligned
    at their ends (NaN before a later start): the training data a metric's
    ``y_train`` holds for a collection."""
    T = max(len(v) for v in values)
    out = np.full((T, len(values)), np.nan)  # (T, k)
    for j, v in enumerate(values):
        out[T - len(v):, j] = v
    return out


# the scorers (their own module; here as before, and for pickled scorers)
from .scorers import (  # noqa: E402, F401
    SCORERS,
    _ForecastScorer,
    make_forecast_scorer,
    neg_mae_scorer,
    neg_mase_scorer,
    neg_msis_scorer,
    neg_rmse_scorer,
    neg_smape_scorer,
)
