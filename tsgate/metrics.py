"""Forecast accuracy metrics and scikit-learn scorers for forecasters.

All metrics accept array-likes, pandas Series or DataFrames (several series:
the metric is computed over all entries), paired as :mod:`tsgate.pairs`
says: by position, pandas labels of one kind checked to agree, and
collections (a long frame ``unique_id, ds`` and one value column, or of
the id and time columns a long forecast names in ``attrs``, or a Series on
a (series id, time) MultiIndex) by series and time in whatever row order.
Pairs whose ``y_true`` is NaN are ignored.

Besides numpy and pandas it imports :mod:`tsgate.pairs`,
:mod:`tsgate.naivescale` (the scale of MASE and MSIS),
:func:`tsgate.calibration.quantile_coverage` and
:func:`tsgate.matching.aligned` (the scorers pair a forecaster's forecasts,
bands and quantiles with held-out values by series and step).
"""

import inspect

import numpy as np
import pandas as pd

from .calibration import fraction, quantile_coverage
from .exogenous import check_scoring_X
from .matching import aligned
from .moments import root_mean_square
from .naivescale import NoScaleError, _by_series, _end_aligned, _naive_scales
from .pairs import _to_array, _valid_pairs

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
    e = yt[mask] - yp[mask]
    # (squared as they are, errors beyond about 1e154 overflowed to inf)
    return (root_mean_square(e) if e.size and np.isfinite(e).all()
            else float(np.sqrt(np.mean(e ** 2))))


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


def mase(y_true, y_pred, y_train, season_length=1, freq=None):
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
    freq : str, optional
        The frequency of ``y_train``'s dates (as given to the forecaster),
        for dates that skip steps: each training series goes on its grid,
        missing dates NaN, so that the naive errors pair values
        ``season_length`` steps apart rather than rows. Without it such
        dates are refused; a PeriodIndex uses its own frequency.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If a training column has no valid lag pair or is constant at that lag
        (scale 0).
    """
    y_true, (y_pred,), y_train = _by_series(y_true, (y_pred,), y_train, freq)
    yt, yp, mask = _valid_pairs(y_true, y_pred)
    scales = _naive_scales(y_train, season_length, yt, y_true)  # (k,)
    scaled = np.abs(yt - yp).reshape(len(yt), -1) / scales  # (h, k)
    return float(np.mean(scaled[mask.reshape(len(yt), -1)]))


def _check_fraction(value, name):
    """``value`` as a float, a float32 as the decimal it shows (as
    ``predict_interval`` reads it: the scorer of ``np.float32(0.8)`` scored
    a wider band than that of 0.8) and a 0-d array as its number; a
    ValueError naming ``name`` unless it is a number in (0, 1) (a bool is not)."""
    one = fraction(value)  # (calibration's reading, predict_interval's)
    if one is None:
        raise ValueError(f"{name} must be a number in (0, 1), got {value!r}.")
    return one


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


def msis(y_true, lower, upper, y_train, coverage=0.95, season_length=1, freq=None):
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
    freq : str, optional
        The frequency of ``y_train``'s dates, as for :func:`mase`.

    Returns
    -------
    float
    """
    coverage = _check_fraction(coverage, "coverage")
    y_true, (lower, upper), y_train = _by_series(y_true, (lower, upper), y_train, freq)
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
    quantile = _check_fraction(quantile, "quantile")
    yt, yp, mask = _valid_pairs(y_true, y_pred)
    e = yt[mask] - yp[mask]  # (n_valid,)
    return float(np.mean(np.maximum(quantile * e, (quantile - 1) * e)))


class _ForecastScorer:
    """Callable ``scorer(estimator, y_test, X_test=None)`` for forecasters; see
    :func:`make_forecast_scorer`."""

    def __init__(self, metric, sign, coverage=None, quantile=None):
        self.metric = metric
        self.sign = sign
        self.coverage = coverage
        self.quantile = quantile  # a metric of one quantile forecast (pinball_loss): its q
        params = inspect.signature(metric).parameters
        bound = getattr(metric, "keywords", None) or {}  # a functools.partial's own choices
        self._needs_train = "y_train" in params
        # a season length the partial binds is kept (partial(mase, season_length=1))
        self._needs_season = "season_length" in params and "season_length" not in bound
        self._interval = "lower" in params and "upper" in params
        self._takes_coverage = self._interval and "coverage" in params

    def __call__(self, estimator, y_test, X=None):
        # scikit-learn calls scorer(estimator, X_test, y_test); for a forecaster
        # its "X" is the series and its "y" the exogenous features (fit(y, X))
        kwargs = {}
        # a fitted search (nested cross-validation): its refitted best model
        estimator = getattr(estimator, "best_estimator_", estimator)
        coll = getattr(estimator, "collection_", None)
        if coll is not None and hasattr(estimator, "_collection") and hasattr(estimator, "_forecast"):
            # a tsgate forecaster, any layout: values matched by series and time step
            check_scoring_X(estimator, X)
            actual = estimator._collection(y_test, fitted=True, drop_empty=True)
            bands = {}  # h -> (lower, upper) of the band asked, each (k, h), computed once

            def band(h, side, coverage):
                if h not in bands:
                    bands[h] = estimator._bands([coverage], h, X, None)[2][0]
                return bands[h][side]

            if self._interval:  # the band at the scorer's coverage, matched the same way
                y_true, lower = aligned(actual, coll, lambda h: band(h, 0, self.coverage))
                predicted = (lower, aligned(actual, coll, lambda h: band(h, 1, self.coverage))[1])
            elif self.quantile is not None and quantile_coverage(self.quantile) > 0:
                # the quantile forecast: a bound of the |2q - 1| band (predict_quantiles)
                side, c = int(self.quantile > 0.5), quantile_coverage(self.quantile)
                y_true, y_pred = aligned(actual, coll, lambda h: band(h, side, c))
                predicted = (y_pred,)
            else:
                y_true, y_pred = aligned(actual, coll, lambda h: estimator._forecast(h, X, None)[1])
                predicted = (y_pred,)
            own = getattr(self.metric, "__module__", None) == __name__  # tsgate's metrics
            if self._needs_train:
                # the series scored only (a short one not scored needs no scale),
                # named by id in the metric's messages
                scored = np.flatnonzero(~np.isnan(y_true).all(axis=0))  # (k',)
                # each series' training data as given: with the zeros before its
                # launch that fit leaves out (the scale of mase(y_test, ..., y_train))
                zeros = getattr(estimator, "launch_zeros_", None)
                given = coll.values if zeros is None else [
                    np.concatenate([np.zeros(int(c)), v]) for c, v in zip(zeros, coll.values)]
                kwargs["y_train"] = _end_aligned(given)[:, scored]
                y_true, predicted = y_true[:, scored], tuple(p[:, scored] for p in predicted)
                if own:
                    y_true = pd.DataFrame(y_true, columns=[coll.ids[j] for j in scored])
                if self._needs_season:
                    kwargs["season_length"] = getattr(estimator, "season_length_", 1)
                if not own and coll.layout == "series":  # one series: 1-D, as a metric
                    keep = ~np.isnan(y_true[:, 0])  # without y_train gets (its NaN before
                    y_true, predicted = y_true[keep, 0], tuple(p[keep, 0] for p in predicted)
                    kwargs["y_train"] = kwargs["y_train"][:, 0]  # were (h, 1): np.diff -> NaN)
                elif not own:  # (times, series) as y_train: the steps no series observed
                    rows = ~np.isnan(y_true).all(axis=1)  # (a fold's gap) go
                    y_true, predicted = y_true[rows], tuple(p[rows] for p in predicted)
            elif not own:
                # a metric of (y_true, y_pred) or (y_true, lower, upper) gets the observed
                # steps only: the steps of a fold's gap, and missing values, are NaN here
                keep = ~np.isnan(y_true)
                y_true, predicted = y_true[keep], tuple(p[keep] for p in predicted)
            if self._takes_coverage:
                kwargs["coverage"] = self.coverage
            if self.quantile is not None:
                kwargs["quantile"] = self.quantile
            try:
                return self.sign * self.metric(y_true, *predicted, **kwargs)
            except NoScaleError as exc:
                if "season_length" not in kwargs:
                    raise
                name = _metric_name(self.metric)  # (the season length was not the user's)
                raise NoScaleError(
                    f"{exc} The scorer took season_length={kwargs['season_length']} from the "
                    f"forecaster's season_length_; to score folds this short, make the scorer "
                    f"at another lag: make_forecast_scorer(functools.partial({name}, "
                    "season_length=1)).") from None
        if self._interval:
            raise TypeError(
                f"The {_metric_name(self.metric)} scorer needs a tsgate forecaster (it reads the "
                f"bands of predict_interval by series and time step), got "
                f"{type(estimator).__name__}.")
        if "horizon" not in inspect.signature(estimator.predict).parameters:
            raise TypeError(
                f"The {_metric_name(self.metric)} scorer scores forecasters "
                f"(predict(horizon=...)); {type(estimator).__name__}.predict takes no horizon. "
                "Score a regressor with scikit-learn's scorers ('neg_mean_absolute_error').")
        horizon = len(y_test)
        given = {} if X is None else {"X": X}
        if self.quantile is not None:
            if not hasattr(estimator, "predict_quantiles"):
                raise TypeError(
                    f"The {_metric_name(self.metric)} scorer scores the {self.quantile:g} quantile "
                    f"forecast, but {type(estimator).__name__} has no predict_quantiles.")
            y_pred = estimator.predict_quantiles([self.quantile], horizon=horizon, **given)
            kwargs["quantile"] = self.quantile
        else:
            y_pred = estimator.predict(horizon=horizon, **given)
        yp = _to_array(y_pred, "forecast")  # compared by position, not index label
        if yp.shape != np.shape(y_test) and yp.size == np.size(y_test):
            yp = yp.reshape(np.shape(y_test))  # e.g. a one-column DataFrame forecast for a Series
        if self._needs_train:
            if not hasattr(estimator, "y_"):
                raise ValueError(
                    f"{_metric_name(self.metric)} needs the training series, but "
                    f"{type(estimator).__name__} has no attribute y_; store the "
                    f"training target as self.y_ in fit.")
            kwargs["y_train"] = estimator.y_
            if self._needs_season:
                kwargs["season_length"] = getattr(estimator, "season_length_", 1)
        return self.sign * self.metric(y_test, yp, **kwargs)

    def __repr__(self):
        name = _metric_name(self.metric)
        bound = getattr(self.metric, "keywords", None)  # a functools.partial's
        if bound:  # (a lag-1 mase scorer printed as the default one)
            name = f"partial({name}, {', '.join(f'{k}={v!r}' for k, v in bound.items())})"
        extra = (f", coverage={self.coverage}" if self._interval else
                 f", quantile={self.quantile}" if self.quantile is not None else "")
        return f"make_forecast_scorer({name}, greater_is_better={self.sign > 0}{extra})"


def make_forecast_scorer(metric, greater_is_better=False, coverage=None, quantile=None):
    """Wrap a metric into a scorer usable as ``GridSearchCV(scoring=...)``.

    The scorer is called as ``scorer(estimator, y_test, X=None)`` on a fitted
    forecaster (``fit(y, X=None)``, ``predict(horizon=None, X=None)``). For
    tsgate's forecasters, in any layout, each value of ``y_test`` is
    compared with the forecast of its own series and time step (as their
    ``score``), and metrics with a ``y_train`` parameter (such as
    :func:`mase`) get each series' training data: a model of one series
    gives a metric 1-D arrays (the observed test steps, the training
    values); a collection gives one of ``y_train`` 2-D arrays (steps,
    series), its series' training values aligned at their ends with NaN
    before a shorter one's start, and ``y_test``'s steps with NaN where a
    series has no value: such a metric skips NaN (``np.nanmean``). For
    other estimators it
    forecasts ``len(y_test)`` steps after the training data and compares
    them with ``y_test`` by position; ``y_train`` is ``estimator.y_``. Either
    way, metrics that take ``season_length`` get ``estimator.season_length_``
    (default 1).

    Because the MASE scale comes from each fitted candidate's own
    ``season_length_``, MASE scores are only comparable between candidates
    that share the same season length; use MAE/RMSE/sMAPE to tune
    ``season_length`` itself.

    Parameters
    ----------
    metric : callable
        ``metric(y_true, y_pred, ...) -> float``.
    greater_is_better : bool, default=False
        If False (an error metric) the scorer returns ``-metric(...)`` so that
        greater is better, as scikit-learn expects.
    coverage : float in (0, 1), optional
        For a metric of an interval (parameters ``lower`` and ``upper``, such
        as :func:`msis`): the band a tsgate forecaster is scored on
        (``predict_interval(coverage)``), also given to the metric's own
        ``coverage``. Default: the metric's own default (``msis``: 0.95;
        ``functools.partial(msis, coverage=0.8)``: 0.8), else 0.95. Ignored
        for point metrics. A ``season_length`` a partial binds is kept too,
        not replaced by the estimator's.
    quantile : float in (0, 1), optional
        For a metric of one quantile forecast (a ``quantile`` parameter,
        such as :func:`pinball_loss`): the quantile scored. The scorer
        compares ``y_test`` with ``predict_quantiles([quantile])`` (not the
        point forecast) and gives the metric ``quantile``. Default: the
        metric's own default (``functools.partial(pinball_loss,
        quantile=0.9)``); a metric with none needs it.

    Returns
    -------
    callable
        ``scorer(estimator, y_test, X=None) -> float``.

    Examples
    --------
    >>> scorer = make_forecast_scorer(mae)  # doctest: +SKIP
    >>> GridSearchCV(model, grid, scoring=scorer, cv=TimeSeriesSplit(3))  # doctest: +SKIP
    """
    if not callable(metric):
        raise TypeError(
            f"metric must be a callable such as tsgate.metrics.mae, got "
            f"{type(metric).__name__}; pass the function itself."
        )
    if not isinstance(greater_is_better, (bool, np.bool_)):
        raise TypeError(
            f"greater_is_better must be a bool, got {type(greater_is_better).__name__}; "
            f"pass True or False."
        )
    params = inspect.signature(metric).parameters
    interval = "lower" in params and "upper" in params
    if coverage is None:  # an interval metric's own (a partial's bound value), else 0.95
        param = params.get("coverage") if interval else None
        own = None if param is None or param.default is inspect.Parameter.empty else param.default
        coverage = 0.95 if own is None else own
    return _ForecastScorer(metric, 1.0 if greater_is_better else -1.0,
                           _check_fraction(coverage, "coverage"),
                           _scored_quantile(metric, quantile))


def _metric_name(metric):
    """A metric's name for messages: its ``__name__``, that of the function a
    ``functools.partial`` wraps, or its repr."""
    return getattr(metric, "__name__", None) or getattr(
        getattr(metric, "func", None), "__name__", None) or repr(metric)


def _scored_quantile(metric, quantile):
    """The quantile a scorer of ``metric`` scores: ``quantile``, or the
    default of the metric's own ``quantile`` parameter; None for a metric
    without one.

    Raises
    ------
    ValueError
        A metric of a quantile forecast without one, a quantile outside
        (0, 1), or a quantile given to a metric that takes none.
    """
    name = _metric_name(metric)
    param = inspect.signature(metric).parameters.get("quantile")
    if param is None:
        if quantile is not None:
            raise ValueError(f"quantile={quantile!r} was given, but {name} takes no quantile; "
                             "leave it out, or pass a metric of a quantile forecast "
                             "(tsgate.metrics.pinball_loss).")
        return None
    if quantile is None:
        quantile = None if param.default is inspect.Parameter.empty else param.default
    if quantile is None:
        raise ValueError(f"{name} scores a quantile forecast: say which, e.g. "
                         f"make_forecast_scorer({name}, quantile=0.9).")
    return _check_fraction(quantile, "quantile")


neg_mae_scorer = make_forecast_scorer(mae)
neg_rmse_scorer = make_forecast_scorer(rmse)
neg_smape_scorer = make_forecast_scorer(smape)
neg_mase_scorer = make_forecast_scorer(mase)
neg_msis_scorer = make_forecast_scorer(msis)  # the 95% band, as M4 scored it

# the point forecasts' scorers, for scoring=SCORERS (neg_msis_scorer, of predict_interval's
# band, is apart: a forecaster without bands could not take the dict)
SCORERS = {
    "neg_mae": neg_mae_scorer,
    "neg_rmse": neg_rmse_scorer,
    "neg_smape": neg_smape_scorer,
    "neg_mase": neg_mase_scorer,
}
