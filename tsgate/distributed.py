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
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import (
    HasMethods,
    validate_parameter_constraints,
)
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from ._series import check_freq_alias, check_unique_labels, valid_freq_alias
from .bands import labelled, quantile_columns
from .calibration import bound_columns, bound_names
from .collection import (
    check_long_names,
    check_named,
    series_exog,
    to_collection,
)
from .exogenous import check_scoring_X, feature_names
from .forecasters import GRUForecaster, LSTMForecaster
from .frames import from_collection
from .grids import fitted_freq
from .matching import score_on
from .paramchecks import (
    N_JOBS,
    check_horizon,
    check_instance,
    check_n_jobs,
    reject_bool_integers,
)
from .persistence import SaveMixin
from .threadplan import (
    _dask_plan,
    _joblib_plan,
    _run_capped,
    available_cores,
    numba_threads_per_worker,
)
from .timedtypes import read_times

MODELS = {"lstm": LSTMForecaster, "gru": GRUForecaster}

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


def _series_list(coll):
    """Each series of a collection as a pd.Series on its own index."""
    return [pd.Series(v, index=idx, name=key) for v, idx, key in zip(coll.values, coll.indexes, coll.ids)]


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
        columns = _series_list(coll)
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
        fitted = Parallel(n_jobs=jobs)(
            delayed(_run_capped)(plan, _fit_clone, self.forecaster, column, x, previous.get(key),
                                 key)
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
        unknown = [key for key in coll.ids if key not in self.estimators_]
        if unknown:  # a subset, in any order, is fine: the result follows y's series
            raise ValueError(f"y has columns/series {unknown} that the forecaster was not "
                             f"fitted on; it was fitted on {list(self.estimators_)}.")
        histories = [None] * len(coll) if y is None else _series_list(coll)
        cols = self._columns(fitted=True)[:2]
        parts = [getattr(self.estimators_[key], method)(
            y=history, horizon=horizon, X=series_exog(X, coll.layout, key, *cols), **kwargs)
            for key, history in zip(coll.ids, histories)]
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


# ------------------------------------------------------------- long format
def _is_dask_frame(df):
    return type(df).__module__.split(".")[0] in ("dask", "dask_expr") and hasattr(df, "map_partitions")


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
            a < b for a, b in zip(starts, starts[1:])):  # (repeated: an id in several parts)
        return ddf
    if id_col not in ddf.columns and ddf.index.name == id_col:
        ddf = ddf.reset_index()
    if id_col not in ddf.columns:
        return ddf  # (the first partition's _as_long names what is missing)
    seen = ddf[id_col].map_partitions(lambda ids: ids.drop_duplicates()).value_counts().compute()
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
    """The rows with ``id_col`` as a column (it may be the index, after ``set_index``)."""
    if id_col not in df.columns and df.index.name == id_col:
        df = df.reset_index()
    check_unique_labels(df.columns[df.columns.isin([id_col, time_col, value_col])], "df")
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
    try:
        model = clone(template).fit(series)
        forecast = model.predict().to_numpy()
        bounds = {}
        if coverage is not None:
            iv = model.predict_interval(coverage)
            bounds = {name: iv[name].to_numpy() for name in bound_names(coverage)}
    except ValueError as exc:  # say which id, also when it is raised on a remote worker
        raise ValueError(f"id {key!r}: {exc}") from exc
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
                        times=None):
    """Forecast every id of one pandas frame in turn (a Dask partition);
    ``times``: the dtype text times are read as (see :func:`_text_times`)."""
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
        return [_forecast_one(template, key, series, coverage)
                for key, series in zip(coll.ids, _series_list(coll))]

    return _assemble(coll, _run_capped(plan, run), df, id_col, time_col, value_col, coverage,
                     template.horizon)


def forecast_long(df, horizon, model="lstm", id_col=None, time_col=None, value_col=None,
                  freq=None, coverage=None, n_jobs=None, **forecaster_params):
    """Forecast a long-format frame, one model per id, into the same long format.

    Parameters
    ----------
    df : pd.DataFrame or dask.dataframe.DataFrame
        One row per (id, time) with columns ``id_col``, ``time_col`` and
        ``value_col`` (the id may instead be the index). Each id is a
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
    if _is_dask_frame(df):
        df = _by_id(df, id_col)
        plan = _dask_plan(df.npartitions)
        times = _text_times(df, time_col)
        meta = _forecast_partition(df._meta, template, *args, plan, times)
        # each partition's rows are new (0..n-1): the input's divisions by id no longer hold
        return df.map_partitions(_forecast_partition, template, *args, plan, times, meta=meta,
                                 clear_divisions=True)
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas or Dask DataFrame in long format, got {type(df).__name__}.")
    df = _as_long(df, id_col, time_col, value_col)
    coll = _long_collection(df, id_col, time_col, value_col, freq)
    if coll is None:
        return _empty_result(df, id_col, time_col, value_col, coverage)
    plan = _joblib_plan(n_jobs, len(coll))
    results = Parallel(n_jobs=n_jobs)(
        delayed(_run_capped)(plan, _forecast_one, template, key, series, coverage)
        for key, series in zip(coll.ids, _series_list(coll)))
    return _assemble(coll, results, df, id_col, time_col, value_col, coverage, template.horizon)
