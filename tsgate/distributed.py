"""Many series and searches on Dask: :class:`PerSeriesForecaster`, :func:`forecast_long`.

tsgate builds no cluster of its own. Its parallel work goes through joblib,
so ``with joblib.parallel_backend("dask"):`` sends it to a
``dask.distributed`` cluster unchanged, and long-format Dask DataFrames are
forecast partition by partition where they live. Dask is optional
(``pip install tsgate[dask]``); without it everything here runs on joblib's
local backends.

What is shipped per task
------------------------
The unfitted forecaster (its parameters: well under 1 kB pickled) and one
series, plus the function to run. Nothing else is shared between workers but
the installed code: each worker process loads the compiled kernels from the
Numba cache (``cache=True``) at its first fit, and returns a fitted forecaster.

Numba threads
-------------
The CPU kernels run batch tiles on Numba threads. Workers times threads must
not exceed the cores, or the threads fight over them. Each task started here
sets ``numba.set_num_threads(k)`` for its own thread and restores the old
value afterwards, with ``k = numba_threads_per_worker(n)``: the machine's
cores divided by ``n``, the tasks that can run at once on it -- on a Dask
cluster the sum of ``nthreads`` of the workers on the task's host, locally
the active number of joblib jobs (``joblib.effective_n_jobs``, which honours
``joblib.parallel_config``). The kernels give bit-identical results for any
number of threads, so the cap changes speed, never the forecasts.
Several tasks in one process (the threading backend, Dask workers with
``threads_per_worker > 1``) need Numba's ``omp`` or ``tbb`` threading layer;
the ``workqueue`` layer is not thread-safe.

Recipe: a grid search on a Dask cluster
---------------------------------------
``GridSearchCV`` fits the forecaster itself, so set the cap when the workers
start: ``NUMBA_NUM_THREADS`` in their environment (``dask worker`` inherits
the shell's; ``LocalCluster``/``Nanny`` take ``env=``)::

    import joblib
    from dask.distributed import Client, LocalCluster
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    import tsgate
    from tsgate.distributed import numba_threads_per_worker

    threads = numba_threads_per_worker(4)  # 4 single-threaded workers on this machine
    cluster = LocalCluster(n_workers=4, threads_per_worker=1,
                           env={"NUMBA_NUM_THREADS": str(threads)})
    client = Client(cluster)
    search = GridSearchCV(tsgate.GRUForecaster(horizon=12, random_state=0),
                          {"hidden_size": [16, 32], "window": [24, 36]},
                          cv=TimeSeriesSplit(n_splits=3, test_size=12), n_jobs=-1)
    with joblib.parallel_backend("dask"):
        search.fit(y)  # y: a pd.Series; one task per (candidate, fold)

Each task ships the unfitted estimator, the series and the fold's indices;
fixed seeds (``random_state``) give the same ``cv_results_`` scores as
``n_jobs=1``.
"""
import copy

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import (
    HasMethods,
    validate_parameter_constraints,
)
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from ._callers import kept_warnings, named_warnings
from ._series import check_freq_alias
from .bands import labelled, quantile_columns
from .calibration import bound_columns, bound_names
from .collection import (
    check_named,
    series_exog,
    to_collection,
)
from .exogenous import check_scoring_X, feature_names
from .frames import from_collection, series_list
from .grids import fitted_freq
from .longforecast import forecast_long
from .matching import score_on
from .paramchecks import (
    N_JOBS,
    check_instance,
    reject_bool_integers,
)
from .persistence import SaveMixin
from .threadplan import (
    _joblib_plan,
    _run_capped,
    available_cores,
    numba_threads_per_worker,
)

__all__ = ["PerSeriesForecaster", "forecast_long", "numba_threads_per_worker", "available_cores"]


# ------------------------------------------------------- one model per series
def _fit_clone(template, y, X, previous=None, key=None):
    """A clone of ``template`` fitted on y, or with the template's
    ``warm_start``, a copy of the series' ``previous`` model continued; its
    progress (``verbose``) names the series ``key``."""
    model = clone(template) if previous is None else \
        copy.deepcopy(previous).set_params(**template.get_params(deep=False))
    model._progress_name = f"PerSeriesForecaster, series {key!r}"
    try:
        return model.fit(y, X)
    finally:
        model.__dict__.pop("_progress_name", None)  # a display name, not part of the model


def _from_parts(coll, parts, names):
    """The columns ``names`` of every series' frame (``parts``, one per series,
    (h,) each) in the collection's layout."""
    frames = {k: np.stack([p[k].to_numpy() for p in parts]) for k in names}  # (k, h) each
    return from_collection(coll, frames, frames[names[0]].shape[1])


class PerSeriesForecaster(SaveMixin, BaseEstimator):
    """One forecaster per series: a clone of ``forecaster`` fitted on each column.

    The fits run through joblib, so ``with joblib.parallel_backend("dask"):``
    sends them to a Dask cluster unchanged; each task ships the unfitted
    forecaster and one column (see the module docstring for the Numba
    thread cap). Every clone keeps the template's ``random_state``, so the
    models equal those of a sequential loop
    ``{c: clone(forecaster).fit(y[c], X) for c in y}`` whatever ``n_jobs``
    and the backend.

    Parameters
    ----------
    forecaster : LSTMForecaster or GRUForecaster
        Unfitted template; it is cloned, never modified. Its parameters are
        reachable as ``forecaster__<name>`` (``GridSearchCV``, ``set_params``).
        With its ``warm_start=True`` a refit continues a copy of each
        series' fitted model (a series new to ``y`` starts afresh).
    n_jobs : int, optional
        Parallel fits (joblib semantics: None is 1 unless a
        ``joblib.parallel_config`` says otherwise, -1 all).

    Attributes
    ----------
    estimators_ : dict
        Column name -> fitted forecaster.
    collection_ : tsgate.collection.Collection
        The training data as arrays (ids, values, time indexes, layout).
    input_format_ : tuple
        ``(id_col, time_col, value_col, freq)`` of the template as the fit
        read its input: ``predict`` reads y and X so.
    season_length_ : int
        The members' season length where they share one, else 1 (the lag
        the MASE and MSIS scorers scale with).

    Examples
    --------
    >>> import joblib, tsgate
    >>> from tsgate.distributed import PerSeriesForecaster
    >>> model = PerSeriesForecaster(tsgate.GRUForecaster(horizon=12, random_state=0), n_jobs=-1)
    >>> with joblib.parallel_backend("dask"):  # doctest: +SKIP
    ...     model.fit(wide)                       # one column per series
    >>> model.predict()                         # doctest: +SKIP
    """

    _saved_as = "PerSeriesForecaster"
    _persisted_attributes = ("estimators_", "collection_", "input_format_")

    _parameter_constraints = {
        "forecaster": [HasMethods(["fit", "predict", "predict_interval"])],
        "n_jobs": N_JOBS,
    }

    def __init__(self, forecaster, n_jobs=None):
        self.forecaster = forecaster
        self.n_jobs = n_jobs

    def fit(self, y, X=None):
        """Fit a clone of ``forecaster`` to each column of ``y``.

        Parameters
        ----------
        y : pd.DataFrame or pd.Series
            One series per column (a Series is one series), indexed as the
            forecasters require.
        X : pd.DataFrame, optional
            Exogenous features in y's layout: rows on y's index shared by all
            series (Series, wide DataFrame), or per series (MultiIndex, long).

        Returns
        -------
        self
        """
        check_instance(self.forecaster, "PerSeriesForecaster's forecaster")
        validate_parameter_constraints(self._parameter_constraints, self.get_params(deep=False),
                                       caller_name=type(self).__name__)
        reject_bool_integers(self)
        check_freq_alias(self.forecaster)  # its freq converts y here, before any of its fits
        coll = self._collection(y, X)
        columns = series_list(coll)
        # each series' rows under X's own column labels: predict matches them by label
        names = feature_names(X, coll.layout, *self._columns()[:2])
        # (an array's columns go by position: so do the members', not by 0, 1, ...)
        exogs = [None] * len(coll) if coll.exog is None else [
            pd.DataFrame(e, index=idx, columns=names) if names is not None else e
            for e, idx in zip(coll.exog, coll.indexes)]
        plan = _joblib_plan(self.n_jobs, len(columns))
        warm = getattr(self.forecaster, "warm_start", False) and hasattr(self, "estimators_")
        previous = self.estimators_ if warm else {}  # a series new to y starts afresh
        jobs = self.n_jobs if self.n_jobs is None or self.n_jobs < 0 else min(self.n_jobs,
                                                                              len(columns))
        with kept_warnings():
            fitted = Parallel(n_jobs=jobs)(
                delayed(_run_capped)(plan, _fit_clone, self.forecaster, column, x,
                                     previous.get(key), key)
                for key, column, x in zip(coll.ids, columns, exogs))
        self.estimators_ = dict(zip(coll.ids, fitted))
        self.collection_ = coll
        self.input_format_ = self._columns()
        return self

    @property
    def season_length_(self):
        """The members' season length where they share one, else 1: the lag
        that the MASE and MSIS scorers scale with, as for one global model
        (without it they scaled per-series fits by the one-step naive error
        and a global model by the seasonal one)."""
        check_is_fitted(self, "estimators_")
        lengths = {int(getattr(e, "season_length_", 1)) for e in self.estimators_.values()}
        return lengths.pop() if len(lengths) == 1 else 1

    def _columns(self, fitted=False):
        """The forecaster template's ``id_col``, ``time_col``, ``value_col``
        and ``freq`` (their defaults where it has none); ``fitted``: as the
        last fit read them (``input_format_``), so that ``set_params`` after
        a fit changes how predict reads its input only at the next fit, as
        for the forecasters (files saved before have none: the template's)."""
        if fitted and hasattr(self, "input_format_"):
            return self.input_format_
        params = self.forecaster.get_params() if hasattr(self.forecaster, "get_params") else {}
        return tuple(params.get(name, default) for name, default in
                     (("id_col", "unique_id"), ("time_col", "ds"), ("value_col", "y"),
                      ("freq", None)))

    def _collection(self, y, X=None, fitted=False, drop_empty=False):
        """The layout conversion of the forecasters (their long-layout column
        names and ``freq``; ``fitted`` and ``drop_empty`` as theirs)."""
        *names, freq = self._columns(fitted)
        if fitted:
            check_named(y, len(self.collection_))
        return to_collection(y, X, *names, freq=freq,
                             known_freq=fitted_freq(self.collection_) if fitted else None,
                             drop_empty=drop_empty)

    def _parts(self, method, y, horizon, X, **kwargs):
        """Per-series results of ``method`` as arrays (k, h) keyed by column, and the layout."""
        check_is_fitted(self, "estimators_")
        coll = self.collection_ if y is None else self._collection(y, fitted=True)
        # a Series against a model fitted on a Series, whatever their names (as the
        # forecasters match them)
        one = coll.layout == self.collection_.layout == "series"
        fitted = list(self.estimators_) if one else list(coll.ids)
        unknown = [key for key in fitted if key not in self.estimators_]
        if unknown:  # a subset, in any order, is fine: the result follows y's series
            raise ValueError(f"y has columns/series {unknown} that the forecaster was not "
                             f"fitted on; it was fitted on {list(self.estimators_)}.")
        histories = [None] * len(coll) if y is None else series_list(coll)
        cols = self._columns(fitted=True)[:2]
        parts = [named_warnings(f"series {key!r}", getattr(self.estimators_[key], method),
                                y=history, horizon=horizon,
                                X=series_exog(X, coll.layout, key, *cols), **kwargs)
                 for key, history in zip(fitted, histories)]
        return coll, parts

    def predict(self, horizon=None, X=None, y=None):
        """Forecast every series, as the forecasters' ``predict``.

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast (default: the forecaster's ``horizon``).
        X : pd.DataFrame, optional
            Future exogenous features, in the layout of fit's X (per series
            for the MultiIndex and long layouts).
        y : optional
            New history to forecast from (the same series, any layout),
            weights unchanged.

        Returns
        -------
        pd.Series or pd.DataFrame
            In the layout of the training data, as the forecasters return.
        """
        coll, parts = self._parts("predict", y, horizon, X)
        values = np.stack([p.to_numpy() for p in parts])  # (k, h)
        return from_collection(coll, {"forecast": values}, values.shape[1])

    def predict_interval(self, coverage=0.9, horizon=None, X=None, y=None):
        """Forecast intervals of every series, as the forecasters'.

        Parameters
        ----------
        coverage, horizon, X, y
            As for the forecasters' ``predict_interval`` (``coverage``: a
            share in (0, 1), or a list of them, default 0.9).

        Returns
        -------
        pd.DataFrame
            Columns ``lower``/``upper`` (a pair per coverage for a list of
            them: ``lower_80``, ``upper_80``, ...) in the layout of the
            training data (for several wide columns, a column MultiIndex
            (series, column)); for one coverage, ``attrs["coverage"]``
            holds it.
        """
        coll, parts = self._parts("predict_interval", y, horizon, X, coverage=coverage)
        return labelled(_from_parts(coll, parts, bound_names(coverage)), bound_columns(coverage))

    def predict_quantiles(self, quantiles=(0.1, 0.5, 0.9), horizon=None, X=None, y=None):
        """Forecast quantiles of every series, as the forecasters' (columns
        ``q_0.1``, ... in the layout of the training data)."""
        coll, parts = self._parts("predict_quantiles", y, horizon, X, quantiles=quantiles)
        return _from_parts(coll, parts, [name for _, name in quantile_columns(quantiles)])

    def score(self, y, X=None):
        """Negative mean absolute error of the forecasts of the steps in ``y``.

        ``y`` is the stretch right after the training data, with the same
        series; values are matched by series and time step, and the mean
        runs over all observed values, as the forecasters' (:func:`score_on`).

        Parameters
        ----------
        y : pd.Series or pd.DataFrame
            The held-out values, in the layout of fit.
        X : pd.DataFrame, optional
            Future exogenous values for those steps, as for :meth:`predict`.

        Returns
        -------
        float
            Minus the mean absolute error.
        """
        check_is_fitted(self, "estimators_")
        check_scoring_X(self, X)
        return score_on(self._collection(y, fitted=True, drop_empty=True), self.collection_,
                        lambda h: self._forecast(h, X, None)[1])

    def _forecast(self, horizon, X, y):
        """The collection and its forecasts (k, horizon), as the forecasters'
        private method of that name (which the scorers of :mod:`tsgate.metrics` call)."""
        coll, parts = self._parts("predict", y, horizon, X)
        return coll, np.stack([np.asarray(p, dtype=float).reshape(-1) for p in parts]), None

    def _bands(self, coverages, horizon, X, y):
        """The collection, forecasts (k, horizon) and a (lower, upper) pair of
        (k, horizon) per coverage, as the forecasters' private method of that
        name (which the interval scorers of :mod:`tsgate.metrics` call)."""
        coll, parts = self._parts("_bands", y, horizon, X, coverages=coverages)
        levels = np.vstack([p[1] for p in parts])  # (k, h)
        bands = [tuple(np.vstack([p[2][i][side] for p in parts]) for side in (0, 1))
                 for i in range(len(coverages))]
        return coll, levels, bands

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.non_deterministic = False
        return tags
