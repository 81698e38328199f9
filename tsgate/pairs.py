"""How a metric pairs forecasts with observations (:mod:`tsgate.metrics`).

Values compare by position, not by index label. Where both are pandas
objects whose labels are of one kind (dates and dates, periods and periods,
numbers and numbers) but differ (a forecast a step off, rows in another
order, a wide frame's columns in another order), that is a misalignment,
and a ``ValueError`` says so rather than scoring the wrong pairs; labels of
different kinds (a forecast's dates against ``y_test.reset_index(drop=True)``)
are compared by position. pyarrow dates and timestamps (``read_parquet``'s
``date32``) are read as the datetimes the forecasters read them as, so a
forecast's dates pair with the user's own. Collections (a long frame ``unique_id, ds`` and
one value column, or a Series on a (series id, time) MultiIndex) are read
as their values, paired by series and time in whatever row order.
"""
import numpy as np
import pandas as pd

from ._series import numpy_backed, real_numbers


def _to_array(values, name):
    """Convert array-like/pandas input to a float64 ndarray of the same shape."""
    if isinstance(values, (pd.Series, pd.DataFrame)):
        frame = values.to_frame() if isinstance(values, pd.Series) else values
        for col in frame.columns:
            dtype = frame[col].dtype
            if not real_numbers(dtype):
                long = (" A long frame of several series is read by its id and time columns "
                        "where they are named unique_id and ds, or as a forecast from predict "
                        "names them: rename them so."
                        if isinstance(values, pd.DataFrame) and values.shape[1] == 3 else "")
                raise TypeError(
                    f"{name} column {col!r} has non-numeric dtype {dtype}; convert it "
                    f"with pd.to_numeric before computing the metric.{long}"
                )
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    arr = np.asarray(values)
    if arr.dtype.kind == "O" and any(isinstance(v, (str, bytes)) for v in arr.flat):
        # refused as text arrays are (NumPy converted "1.5" without a word)
        raise TypeError(f"{name} holds text (numbers written as text?); convert it with "
                        "pd.to_numeric or .astype(float) before computing the metric.")
    try:
        if arr.dtype.kind not in "biufO":
            raise TypeError
        return arr.astype(np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be numeric, got dtype {arr.dtype}; convert it with "
            f".astype(float) before computing the metric."
        ) from None


def _numpy_labels(labels):
    """A pandas index (or MultiIndex) with pyarrow dates and timestamps as
    datetimes (:func:`tsgate._series.numpy_backed`, what ``fit`` reads them
    as): ``datetime.date(2023, 8, 1)`` then pairs with a forecast's
    ``Timestamp('2023-08-01')``."""
    if isinstance(labels, pd.MultiIndex):
        levels = [numpy_backed(level) for level in labels.levels]
        if all(new is old for new, old in zip(levels, labels.levels)):
            return labels
        return labels.set_levels(levels)
    return numpy_backed(labels)


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
        a, b = _numpy_labels(getattr(y_true, axis)), _numpy_labels(getattr(y_pred, axis))
        if len(a) != len(b) or a.equals(b) or _label_kind(a) != _label_kind(b):
            continue
        # (the same instants in two time zones are not equal() but are the same labels)
        first = next((i for i, (u, v) in enumerate(zip(a, b)) if not (u == v or u is v)), None)
        if first is None:
            continue
        raise ValueError(
            f"y_true and {name} are labelled differently ({what}: {a[first]!r} against "
            f"{b[first]!r} at position {first}); metrics pair values by position, so they "
            f"would be misaligned. Align them ({name}.reindex({'columns=' if axis == 'columns' else ''}"
            f"y_true.{axis}) where they cover the same labels), or pass .to_numpy() to compare "
            "by position on purpose.")


def _as_values(y_true, y_pred):
    """A collection (:func:`_collection_layout`: a long frame, or a Series on a
    (series id, time) MultiIndex) as its values, a Series on (series id,
    time): a long frame's id and time columns are labels, not values (they
    were scored as values of 0 error: mae 0.47 where the values' was 1.42).
    Two collections holding the same labels in another order (a test frame
    sorted by time) are aligned on them, y_pred on y_true's; two holding
    other labels are refused (ids or times of another type paired by
    position: mae 18 where it was 1). y_true may lack some of the
    forecast's rows (a test stretch shorter than the horizon, a missing
    observation left out of a long table): they are missing values."""
    names = long_names(y_pred, y_true)
    true, pred = _collection_layout(y_true, names), _collection_layout(y_pred, names)
    true = y_true if true is None else true
    pred = y_pred if pred is None else pred
    both = (isinstance(getattr(true, "index", None), pd.MultiIndex)
            and isinstance(getattr(pred, "index", None), pd.MultiIndex))
    if not both or true.index.equals(pred.index):
        return true, pred
    only_true = true.index[~true.index.isin(pred.index)]
    repeated = true.index.has_duplicates or pred.index.has_duplicates
    if not len(only_true) and not repeated:
        # (fewer rows: an observation left out of a long table is a missing one, as NaN is)
        return true, pred.reindex(true.index)
    which = (f"y_true has {only_true[0]!r}, which the forecast lacks" if len(only_true)
             else "a label repeats")
    raise ValueError(
        f"y_true and the forecast are collections of other (series id, time) labels "
        f"({which}; {len(true)} and {len(pred)} rows); give both the same ids and times, of "
        "the same types (dates as dates, ids as predict returned them).")


def _check_rows_of_long(y_true, y_pred, name):
    """Refuse a long frame ``y_true`` beside a plain Series or frame (a
    column of a long forecast: ``fc['y']``), or the other way round,
    holding its row labels in another order: the long frame becomes its (series id, time) values, so
    the two were paired by position (a test frame sorted by time against
    the forecast's column: mae 30.3 where it is 1.0). The same labels in
    the same order pair by position, as before."""
    names = long_names(y_pred, y_true)

    def long(v):
        return isinstance(v, pd.DataFrame) and _collection_layout(v, names) is not None

    plain = [v for v in (y_true, y_pred)
             if isinstance(v, (pd.Series, pd.DataFrame)) and _collection_layout(v, names) is None]
    if not (long(y_true) or long(y_pred)) or len(plain) != 1:
        return  # (either way round: y_true's column beside the long forecast too)
    frame = y_true if long(y_true) else y_pred
    if LONG_COLUMNS in plain[0].attrs:  # a column of a long forecast: rows by id, then time
        _check_forecast_order(frame, names, name if frame is y_true else "y_true")
        return
    rows, labels = (y_true.index, y_pred.index) if long(y_true) else (y_pred.index, y_true.index)
    if len(rows) == len(labels) and not rows.equals(labels) and rows.is_unique \
            and labels.isin(rows).all():
        k = int(np.argmax(rows.to_numpy() != labels.to_numpy()))  # the first row that differs
        which = (f"y_true is a long frame and {name} a plain column" if long(y_true) else
                 f"{name} is a long frame and y_true a plain column")
        raise ValueError(
            f"{which} holding its row labels in "
            f"another order (row {rows[k]} against {labels[k]} at position {k}); metrics "
            "would pair them by position. Pass both as long frames (the forecast as predict "
            "returned it), whose values pair by series and time, or put both in the same row "
            "order.")


def _check_forecast_order(frame, names, name):
    """Refuse a long frame whose rows are not sorted by series id, then
    time, beside ``name``, a column of a long forecast (its ``attrs`` name
    the forecast's id and time columns, :data:`LONG_COLUMNS`): such a column
    holds no ids or times, only the forecast's order, which is that one,
    so the two pair by position. A test frame sorted by time, or a slice of
    one, was paired with it silently (two series at 10 and 1000: mae 499
    where it is 1.3; a row index reset hid it from the other check)."""
    index = _collection_layout(frame, names).index
    try:
        ordered = index.is_monotonic_increasing
    except TypeError:  # ids that do not compare (1 and "1"): no order to check
        return
    if ordered:
        return
    ids, times = names
    raise ValueError(
        f"{name} is a column of a long forecast, whose rows are sorted by series id and then "
        f"time, but the long frame beside it is not sorted so ({ids!r}, {times!r}); a column "
        "holds no ids or times to pair by. Pass the forecast with its id and time columns "
        f"(e.g. band[[{ids!r}, {times!r}, 'lower']]), whose values pair by series and time in "
        f"any row order, or sort the frame with .sort_values([{ids!r}, {times!r}]).")


def _valid_pairs(y_true, y_pred, name="y_pred"):
    """Return float64 ``(y_true, y_pred, mask)`` with ``mask`` = observed y_true
    (``name``: what the errors call ``y_pred``, e.g. "lower"). Collections
    pair by (series id, time) (:func:`_as_values`)."""
    _check_rows_of_long(y_true, y_pred, name)
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



LONG_COLUMNS = "long_columns"  # attrs key of a long forecast: its [id_col, time_col]


def long_names(*values):
    """The id and time columns of the long frames among ``values``: those a
    forecaster's long result (or a column of it) names in its ``attrs``
    (``id_col``, ``time_col`` as fitted), else the default ``unique_id``,
    ``ds``."""
    for v in values:  # (a forecast's column carries its frame's attrs)
        names = (getattr(v, "attrs", {}).get(LONG_COLUMNS)
                 if isinstance(v, (pd.Series, pd.DataFrame)) else None)
        if names is not None:
            return tuple(names)
    return "unique_id", "ds"


def _collection_layout(values, names=("unique_id", "ds")):
    """``values`` as one Series on a (series id, time) MultiIndex where it
    is a collection: such a Series (or a one-column DataFrame), or a long
    DataFrame with the id and time columns ``names`` (:func:`long_names`)
    and one value column; else None. Times of pyarrow dates or timestamps
    are read as datetimes (:func:`_numpy_labels`)."""
    if isinstance(values, pd.DataFrame) and values.shape[1] == 3 \
            and not isinstance(values.index, pd.MultiIndex) \
            and set(names) <= set(values.columns):
        values = values.set_index(list(names)).iloc[:, 0]
    elif isinstance(values, (pd.Series, pd.DataFrame)) and isinstance(values.index, pd.MultiIndex) \
            and values.index.nlevels == 2 \
            and (isinstance(values, pd.Series) or values.shape[1] == 1):
        values = values if isinstance(values, pd.Series) else values.iloc[:, 0]
    else:
        return None
    index = _numpy_labels(values.index)  # pyarrow dates as the forecast's datetimes
    return values if index is values.index else values.set_axis(index)
