"""Rolling-origin historical forecasts (backtest) for any tsgate forecaster."""
import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils.parallel import Parallel, delayed

from ._callers import kept_warnings, named_warnings
from ._series import check_freq_alias, check_series, future_index, real_numbers
from .bands import interval_frame
from .calibration import bound_columns, bound_names
from .collection import check_shared, to_collection
from .featurerows import align_exog, rows_on
from .folds import MIN_OBSERVATIONS
from .frames import from_collection, series_columns
from .grids import on_grid
from .paramchecks import check_instance, check_n_jobs
from .threadplan import _joblib_plan, _run_capped


def _origins(n, horizon, start, stride, earliest=MIN_OBSERVATIONS):
    """The origins' positions in a history of ``n`` steps: from ``start``,
    by default five horizons before the end or ``earliest`` (the first
    position where every series has the observations a fit needs) if that
    is later, every ``stride`` steps."""
    if n <= MIN_OBSERVATIONS:  # no start works: say so, not a range of starts refused next
        raise ValueError(f"y has {n} time steps; a backtest needs at least "
                         f"{MIN_OBSERVATIONS + 1}: {MIN_OBSERVATIONS} to fit on before its "
                         "first origin and 1 to forecast.")
    if start is None:  # five horizons before the end, where the history before allows
        start = min(max(earliest, n - 5 * horizon), n - 1)
    elif not isinstance(start, (Integral, np.integer)) or isinstance(start, bool):
        raise TypeError(f"start must be an integer position, got {start!r}.")
    given = start
    if start < 0:
        start += n
    if not 0 < start < n:
        counted = f" (position {start})" if given != start else ""
        low = min(MIN_OBSERVATIONS, n - 1)  # below it, the check after this one says why
        raise ValueError(f"start={given}{counted} leaves no training data or nothing to forecast "
                         f"in a series of {n} points; pass a start in {low}..{n - 1}, or "
                         f"-{n - low}..-1 counted from the end.")
    return list(range(start, n, stride))


def _wide(coll):
    """A collection's series as columns on the union of their times (NaN
    where a series has no row), named by their ids, sorted by time."""
    parts = [pd.Series(v, index=idx) for v, idx in zip(coll.values, coll.indexes)]
    wide = pd.concat(parts, axis=1).sort_index()
    wide.columns = pd.Index(coll.ids, tupleize_cols=False)
    return wide


def _run_block(forecaster, y, X, origins, horizon, coverage, steps):
    """Fit at the first origin of the block, forecast at each of its origins
    (and their bands at ``coverage``, if given); ``steps``: the model's own
    horizon (a PerSeriesForecaster's, its forecaster's), the block of steps
    its networks forecast at once."""
    names = bound_names(coverage)
    rows = []
    model = clone(forecaster)
    first = origins[0]
    # warnings said again at the caller's line, naming the origin (and, through a
    # PerSeriesForecaster's own relay, the series)
    named_warnings(f"backtest origin {y.index[first - 1]}", model.fit, y.iloc[:first],
                   None if X is None else X.iloc[:first])
    for o in origins:
        h = min(horizon, len(y) - o)
        # the future rows of the model's whole blocks where X has them: its networks
        # read them all (a shorter horizon otherwise repeated the h-th row), as
        # predict takes them (exogenous._whole_block: 6 rows for 5 steps of 2)
        block = o + -(-h // steps) * steps
        ahead = block if X is not None and block <= len(X) else o + h  # (X: y's rows, then any after)
        if X is None:
            fX = None
        elif o == first:
            fX = X.iloc[o:ahead]
        else:
            fX = X.iloc[:ahead]  # y's rows, then the future rows
        history = None if o == first else y.iloc[:o]
        fc, band = named_warnings(f"backtest origin {y.index[o - 1]}", _forecast_and_band,
                                  model, h, fX, history, coverage)
        fc = fc.to_frame() if isinstance(fc, pd.Series) else fc
        actual = y.iloc[o:o + h]
        actual = actual.to_frame() if isinstance(actual, pd.Series) else actual
        for j, col in enumerate(fc.columns):  # ([col] * h below: a tuple id is one label)
            f = fc.iloc[:, j].to_numpy()
            a = actual.iloc[:, j].to_numpy(dtype=float)
            frame = {"origin": y.index[o - 1], "time": fc.index, "step": np.arange(1, h + 1),
                     "series": [col] * h, "forecast": f, "actual": a, "error": a - f,
                     "abs_error": np.abs(a - f)}
            part = series_columns(band, col) if names and isinstance(band.columns, pd.MultiIndex) \
                else band  # (by comparison: a tuple id is one label)
            for name in names:
                frame[name] = part[name].to_numpy()
            rows.append(pd.DataFrame(frame))
    return rows


def _warn_unscored(y, finite, origins, horizon):
    """Warn of the series with no actual value in any origin's forecast
    steps (``finite``: (n, k) observed values of the wide ``y``): series
    that end before the origins, counted on the union of the times (M4's
    integer times 1..n, each series from 1), came back with every actual NaN,
    and a metric of the rest read as the collection's."""
    ahead = np.zeros(len(finite), dtype=bool)  # (n,) the steps some origin forecasts
    for o in origins:
        ahead[o:o + horizon] = True
    unscored = np.flatnonzero(~finite[ahead].any(axis=0))  # (series,)
    if not len(unscored):
        return
    names = list(y.columns[unscored]) if isinstance(y, pd.DataFrame) else [y.name]
    warnings.warn(
        f"{len(unscored)} series have no actual value in the backtest's forecasts (e.g. "
        f"{names[:3]}): the origins are counted on the union of the series' times, from "
        f"{y.index[origins[0] - 1]} on, and these end before; their rows' actual is NaN and "
        "no metric scores them. Backtest series that end at other times one at a time "
        "(for each id), or give an earlier start.", UserWarning, stacklevel=3)


def _rows_at(X, index, steps):
    """X's rows at y's times ``index`` (:func:`rows_on`: a longer calendar
    of features is cut to them), and apart its rows at the first of the
    ``steps`` steps after y's end, as many as it has in a row: the future
    rows of the last origins' blocks, which the forecasts read (a model of
    3 steps backtested 2 before y's end repeated its 2nd row of X)."""
    on = rows_on(X, index)
    if steps < 1 or len(X) <= len(index):
        return on, on.iloc[:0]
    for k in range(steps, 0, -1):
        try:
            longer = rows_on(X, index.append(future_index(index, k)))
        except ValueError:  # no row for the k-th step after y (or no such date)
            continue
        if len(longer) == len(index) + k:  # (not X by position: its rows all count)
            return on, longer.iloc[len(index):]
    return on, on.iloc[:0]


def _forecast_and_band(model, h, X, history, coverage):
    """``model.predict(h, X=X, y=history)`` and, with ``coverage``, its
    ``predict_interval``: for a tsgate forecaster from ONE forecast
    (``_bands`` returns it beside the bands; two public calls computed it
    twice wherever the forecast is not cached: from a new history, or with
    X), for any other forecaster (a subclass overriding either method too)
    through its two public methods."""
    if coverage is None:
        return model.predict(h, X=X, y=history), None
    if not (hasattr(model, "_bands") and all(
            getattr(getattr(type(model), name, None), "__module__", "").startswith("tsgate.")
            for name in ("predict", "predict_interval"))):  # a subclass's own: called
        return (model.predict(h, X=X, y=history),
                model.predict_interval(coverage, h, X=X, y=history))
    asked = bound_columns(coverage)
    coll, levels, bands = model._bands([c for c, _, _ in asked], h, X, history)
    return (from_collection(coll, {"forecast": levels}, levels.shape[1]),
            interval_frame(coll, asked, bands, levels.shape[1]))


def backtest(forecaster, y, X=None, horizon=None, start=None, stride=None, refit=True, n_jobs=None,
             coverage=None):
    """Rolling-origin historical forecasts with their errors.

    At each origin o (positions ``start, start + stride, ...``) the forecaster
    trained on ``y[:o]`` forecasts the next ``horizon`` steps, which are
    compared with the actual values.

    Parameters
    ----------
    forecaster : LSTMForecaster or GRUForecaster
        Unfitted template; it is cloned, never modified.
    y : pd.Series or pd.DataFrame
        One series, a wide DataFrame, or (without X) a Series on a
        (series id, time) MultiIndex or a long DataFrame with the
        forecaster's ``id_col``, ``time_col``, ``value_col``: those are
        backtested as the wide frame of their series on the union of their
        times, origins counted on it.
    X : pd.DataFrame or pd.Series, optional
        Exogenous features aligned with y, rows matched by date as in
        ``fit`` (the actual future values are used, for the model's whole
        block of steps where X has them).
    horizon : int, optional
        Steps per forecast (default: the forecaster's ``horizon``).
    start : int, optional
        Position of the first origin (negative counts from the end); default
        five horizons before the end, or the first position with the
        history a fit needs (``folds.MIN_OBSERVATIONS``) if that is later.
    stride : int, optional
        Steps between origins (default: ``horizon``).
    refit : bool or int, default=True
        True refits at every origin; an int k refits every k origins; False
        fits once at the first origin and forecasts the later origins from
        their longer history with the same weights.
    n_jobs : int, optional
        Refit blocks run in parallel through joblib (so a
        ``joblib.parallel_backend("dask")`` context sends them to Dask).
    coverage : float in (0, 1) or list of them, optional
        Also the forecast's interval at each origin (``predict_interval``):
        columns ``lower`` and ``upper``, or ``lower_80``, ``upper_80``, ...
        for a list, so that the bands' coverage can be checked on the past
        (:func:`tsgate.metrics.coverage`, :func:`tsgate.metrics.msis`).

    Returns
    -------
    pd.DataFrame
        One row per (origin, step, series): ``origin`` (last training time),
        ``time``, ``step`` (1-based), ``series``, ``forecast``, ``actual``,
        ``error`` (actual - forecast) and ``abs_error``, then the bounds
        asked with ``coverage``.
    """
    bound_names(coverage)  # a clear error for a bad coverage before any fit
    check_n_jobs(n_jobs, "backtest")
    check_instance(forecaster, "backtest's forecaster")
    if hasattr(forecaster, "cv_results_") or hasattr(forecaster, "param_grid") \
            or hasattr(forecaster, "param_distributions"):  # (fitted or not)
        raise TypeError(
            f"backtest takes a forecaster, got a search ({type(forecaster).__name__}): it has no "
            "predict_interval, and would search again at every origin. Backtest the forecaster "
            "it chose, backtest(search.best_estimator_, y), or evaluate the search itself by "
            "nested cross-validation: cross_val_score(search, y, cv=TimeSeriesSplit(...)).")
    if not all(hasattr(forecaster, m) for m in ("fit", "predict", "predict_interval")):
        raise TypeError(f"backtest takes a forecaster (LSTMForecaster, GRUForecaster, "
                        f"PerSeriesForecaster, ...), got {type(forecaster).__name__}; a "
                        "regressor forecasts no steps.")
    if not isinstance(y, (pd.Series, pd.DataFrame)):
        raise TypeError(f"backtest takes y as a pd.Series or pd.DataFrame (one series, a wide "
                        f"frame, a (series id, time) MultiIndex or a long frame), got "
                        f"{type(y).__name__}; put arrays on a time index first.")
    # a PerSeriesForecaster's columns, freq and horizon are its template's
    template = getattr(forecaster, "forecaster", forecaster)
    check_freq_alias(template)
    # a long frame or a (series id, time) Series: the wide frame of its series,
    # on the union of their times, which the same global model fits
    columns = [getattr(template, name, default) for name, default in
               (("id_col", "unique_id"), ("time_col", "ds"), ("value_col", "y"))]
    y_given = y
    freq = getattr(template, "freq", None)
    # the forecaster's checks and messages first (ids, duplicate or text times,
    # values, a frame without its id column), before the union of the times
    coll = to_collection(y, None, *columns, freq=freq)
    wide = y if coll.layout in ("series", "wide") else _wide(coll)
    if wide is not y and X is not None:
        raise ValueError("backtest takes exogenous X with a Series or a wide DataFrame only; "
                         "give y and X one column per series on a shared time index.")
    y = wide
    try:
        if freq is not None:  # as fit does: on the grid, missing steps NaN
            y = on_grid(y, freq)
        check_shared(y, *columns)
    except ValueError:
        if wide is y_given or freq is not None:  # (the forecaster's freq: its error says why)
            raise
        # (not exc's advice: a frequency set for the union, 'D' for month starts
        # beside month ends, is refused as far denser than each series' own)
        shown = ", ".join(str(t) for t in y.index[:4])
        raise ValueError(
            f"backtest puts the series of a collection on the union of their times and counts "
            f"origins on it (one origin is one date for every series), and that union is not "
            f"a regular grid ({len(y)} times: {shown}, ...). Series on different dates of one "
            "frequency (month starts beside month ends) or far apart in time are best "
            "backtested one at a time, or moved onto shared dates.") from None
    if horizon is None:
        horizon = getattr(template, "horizon", None)
        if horizon is None:
            raise ValueError(f"{type(forecaster).__name__} has no horizon: pass backtest(..., "
                             "horizon=steps).")
    elif getattr(template, "horizon", 0) is None:  # the fits need one: the steps asked
        inner = "forecaster__" if template is not forecaster else ""  # PerSeriesForecaster's
        forecaster = clone(forecaster).set_params(**{inner + "horizon": int(horizon)})
    if not isinstance(horizon, (Integral, np.integer)) or isinstance(horizon, bool) or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon!r}.")
    stride = horizon if stride is None else stride
    if not isinstance(stride, (Integral, np.integer)) or isinstance(stride, bool) or stride < 1:
        raise ValueError(f"stride must be a positive integer, got {stride!r}.")
    if isinstance(X, pd.Series):  # one feature: on its dates too, as fit reads it
        X = X.to_frame()
    # the model's own horizon (set above where it had none): the block its networks forecast
    steps = getattr(template, "horizon", None) or horizon
    after = []  # X's rows after y's end: the last origins' future (a model's whole block)
    if isinstance(X, pd.DataFrame):
        # from the first step any series is observed at: the fits cut the rows before it
        seen = np.asarray(y.notna()).reshape(len(y), -1).any(axis=1)  # (n,)
        first = int(seen.argmax()) if seen.any() else 0
        X, after = _rows_at(X, y.index[first:], steps - 1)
        if first and len(X) == len(y) - first and X.index.equals(y.index[first:]):
            # NaN rows before it (on y's dates: rows by position are left to the count's
            # message); bools and nullable numbers as floats, anything else as it is (fit
            # names a column of no numbers)
            numbers = {c: np.float64 for c in X.columns if real_numbers(X[c].dtype)}
            try:
                X = X.astype(numbers)
            except (TypeError, ValueError):  # (pd.NA in an Int64 column: fit says NaN)
                pass
            X = X.reindex(y.index)
    if X is not None and not isinstance(X, pd.DataFrame):
        # checked as fit checks it (a scalar, a dict, a sparse or 3-D array: fit's messages)
        X = pd.DataFrame(align_exog(X, y.index), index=y.index)
    if X is not None and len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows; it must be aligned with y ({len(y)} rows).")
    if len(after):
        X = pd.concat([X, after])
    # every series needs MIN_OBSERVATIONS observed values before the first origin
    finite = np.isfinite(check_series(y)[0].to_numpy())  # (n, k)
    counts = np.cumsum(finite, axis=0)  # (n, k)
    reach = [np.flatnonzero(c >= MIN_OBSERVATIONS) for c in counts.T]  # per series
    earliest = max((int(r[0]) + 1 if len(r) else len(y) for r in reach), default=0)
    origins = _origins(len(y), horizon, start, stride, max(earliest, MIN_OBSERVATIONS))
    if origins[0] < MIN_OBSERVATIONS:  # (a start given: the default's is never so early)
        raise ValueError(
            f"The first origin, position {origins[0]}, leaves {origins[0]} training step(s); a "
            f"forecaster needs at least {MIN_OBSERVATIONS}: start must be >= "
            f"{MIN_OBSERVATIONS}.")
    short = np.flatnonzero(counts[origins[0] - 1] < MIN_OBSERVATIONS)
    if len(short):
        col = y.columns[short[0]] if isinstance(y, pd.DataFrame) else y.name
        which = f"series {col!r}" if col is not None else "y"
        reached = reach[short[0]]
        # (a start at the end leaves nothing to forecast: then only dropping it helps)
        fix = (f"start must be >= {int(reached[0]) + 1} (counted from the start of y), or drop "
               "the series" if len(reached) and reached[0] + 1 < len(y) else "drop the series")
        raise ValueError(
            f"At the first origin, position {origins[0]}, {which} has "
            f"{int(counts[origins[0] - 1, short[0]])} observed value(s); a forecaster needs at "
            f"least {MIN_OBSERVATIONS} in every series: {fix}.")
    if not (isinstance(refit, (bool, np.bool_))
            or (isinstance(refit, (Integral, np.integer)) and refit >= 1)):
        raise ValueError(f"refit must be True, False or a positive integer, got {refit!r}.")
    _warn_unscored(y, finite, origins, horizon)
    if isinstance(refit, (bool, np.bool_)):  # np.False_ is not False
        every = 1 if refit else len(origins)
    else:
        every = int(refit)
    blocks = [origins[i:i + every] for i in range(0, len(origins), every)]
    plan = _joblib_plan(n_jobs, len(blocks))  # each task caps its Numba threads
    with kept_warnings():
        parts = Parallel(n_jobs=n_jobs)(
            delayed(_run_capped)(plan, _run_block, forecaster, y, X, block, horizon, coverage,
                                 steps)
            for block in blocks)
    return pd.concat([r for part in parts for r in part], ignore_index=True)
