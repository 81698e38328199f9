"""scikit-learn scorers for forecasters: ``scorer(estimator, y_test, X_test=None)``
forecasts ``y_test``'s periods and scores them with a :mod:`tsgate.metrics`
metric (MASE and MSIS scaled by the training data the forecaster saw).
Importable from :mod:`tsgate.metrics` too, where they were defined until
session 35 (pickled scorers name ``tsgate.metrics._ForecastScorer``).
"""
import inspect

import numpy as np
import pandas as pd

from .matching import aligned
from .metrics import (
    _check_fraction,
    _end_aligned,
    _to_array,
    mae,
    mase,
    msis,
    rmse,
    smape,
)


class _ForecastScorer:
    """Callable ``scorer(estimator, y_test, X_test=None)`` for forecasters; see
    :func:`make_forecast_scorer`."""

    def __init__(self, metric, sign, coverage=None):
        self.metric = metric
        self.sign = sign
        self.coverage = coverage
        params = inspect.signature(metric).parameters
        self._needs_train = "y_train" in params
        self._needs_season = "season_length" in params
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
            actual = estimator._collection(y_test, fitted=True, drop_empty=True)
            if self._interval:  # the band at the scorer's coverage, matched the same way
                bands = {}  # h -> (lower, upper), each (k, h), computed once

                def band(h, side):
                    if h not in bands:
                        bands[h] = estimator._bands([self.coverage], h, X, None)[2][0]
                    return bands[h][side]

                y_true, lower = aligned(actual, coll, lambda h: band(h, 0))
                predicted = (lower, aligned(actual, coll, lambda h: band(h, 1))[1])
            else:
                y_true, y_pred = aligned(actual, coll, lambda h: estimator._forecast(h, X, None)[1])
                predicted = (y_pred,)
            own = getattr(self.metric, "__module__", None) == __name__  # tsgate's metrics
            if self._needs_train:
                # the series scored only (a short one not scored needs no scale),
                # named by id in the metric's messages
                scored = np.flatnonzero(~np.isnan(y_true).all(axis=0))  # (k',)
                kwargs["y_train"] = _end_aligned(coll.values)[:, scored]
                y_true, predicted = y_true[:, scored], tuple(p[:, scored] for p in predicted)
                if own:
                    y_true = pd.DataFrame(y_true, columns=[coll.ids[j] for j in scored])
                if self._needs_season:
                    kwargs["season_length"] = getattr(estimator, "season_length_", 1)
            elif not own and not self._interval:
                # a metric of (y_true, y_pred) gets the observed steps only: the
                # steps of a fold's gap, and missing values, are NaN here
                keep = ~np.isnan(y_true)
                y_true, predicted = y_true[keep], (predicted[0][keep],)
            if self._takes_coverage:
                kwargs["coverage"] = self.coverage
            return self.sign * self.metric(y_true, *predicted, **kwargs)
        if self._interval:
            raise TypeError(
                f"The {self.metric.__name__} scorer needs a tsgate forecaster (it reads the "
                f"bands of predict_interval by series and time step), got "
                f"{type(estimator).__name__}.")
        if "horizon" not in inspect.signature(estimator.predict).parameters:
            raise TypeError(
                f"The {getattr(self.metric, '__name__', 'forecast')} scorer scores forecasters "
                f"(predict(horizon=...)); {type(estimator).__name__}.predict takes no horizon. "
                "Score a regressor with scikit-learn's scorers ('neg_mean_absolute_error').")
        horizon = len(y_test)
        y_pred = (estimator.predict(horizon=horizon) if X is None
                  else estimator.predict(horizon=horizon, X=X))
        yp = _to_array(y_pred, "forecast")  # compared by position, not index label
        if yp.shape != np.shape(y_test) and yp.size == np.size(y_test):
            yp = yp.reshape(np.shape(y_test))  # e.g. a one-column DataFrame forecast for a Series
        if self._needs_train:
            if not hasattr(estimator, "y_"):
                raise ValueError(
                    f"{self.metric.__name__} needs the training series, but "
                    f"{type(estimator).__name__} has no attribute y_; store the "
                    f"training target as self.y_ in fit.")
            kwargs["y_train"] = estimator.y_
            if self._needs_season:
                kwargs["season_length"] = getattr(estimator, "season_length_", 1)
        return self.sign * self.metric(y_test, yp, **kwargs)

    def __repr__(self):
        name = getattr(self.metric, "__name__", repr(self.metric))
        extra = f", coverage={self.coverage}" if self._interval else ""
        return f"make_forecast_scorer({name}, greater_is_better={self.sign > 0}{extra})"


def make_forecast_scorer(metric, greater_is_better=False, coverage=0.95):
    """Wrap a metric into a scorer usable as ``GridSearchCV(scoring=...)``.

    The scorer is called as ``scorer(estimator, y_test, y=None)`` on a fitted
    forecaster (``fit(y, X=None)``, ``predict(horizon=None, X=None)``). For
    tsgate's forecasters, in any layout, each value of ``y_test`` is
    compared with the forecast of its own series and time step (as their
    ``score``), and metrics with a ``y_train`` parameter (such as
    :func:`mase`) get each series' training data. For other estimators it
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
    coverage : float in (0, 1), default=0.95
        For a metric of an interval (parameters ``lower`` and ``upper``, such
        as :func:`msis`): the band a tsgate forecaster is scored on
        (``predict_interval(coverage)``), also given to the metric's own
        ``coverage``. Ignored for point metrics.

    Returns
    -------
    callable
        ``scorer(estimator, y_test, y=None) -> float``.

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
    _check_fraction(coverage, "coverage")
    return _ForecastScorer(metric, 1.0 if greater_is_better else -1.0, float(coverage))


neg_mae_scorer = make_forecast_scorer(mae)
neg_rmse_scorer = make_forecast_scorer(rmse)
neg_smape_scorer = make_forecast_scorer(smape)
neg_mase_scorer = make_forecast_scorer(mase)
neg_msis_scorer = make_forecast_scorer(msis)  # the 95% band, as M4 scored it

SCORERS = {
    "neg_mae": neg_mae_scorer,
    "neg_rmse": neg_rmse_scorer,
    "neg_smape": neg_smape_scorer,
    "neg_mase": neg_mase_scorer,
}
