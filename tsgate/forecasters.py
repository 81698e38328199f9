"""Forecasters on pandas time series: :class:`LSTMForecaster`, :class:`GRUForecaster`.

The public methods convert any accepted input once into a
:class:`~tsgate.collection.Collection` (one array per series) and give the
results back in the input's layout; the private methods work on arrays:

1. **Normalisation** (:mod:`tsgate.smoothing`): per series, the log scale
   where positive, seasonal and multiplicative, and exponential smoothing of a level and
   seasonal indices; each window is expressed relative to the level at its end, in
   units of the series' typical change (:mod:`tsgate.encoding`). One network
   then serves series of any scale: a collection trains ONE global model.
   Exogenous features' linear effect is taken out first, per series
   (:mod:`tsgate.regression`), and added back to the forecast; the networks
   read the features too.
2. **Validation fit** with an embargo: the last steps of every series are
   cut off, the same ensemble is fitted on the rest, and forecasts the cut
   tail from each origin inside it. These residuals are out of sample; they
   calibrate ``predict_interval`` (:mod:`tsgate.calibration`) and, with
   ``early_stopping=True``, choose the number of epochs. They also weigh
   the networks' correction and, for series without seasonality, the
   Theta method's trend term (:func:`tsgate.trendterm.theta_drift`).
3. **Final fit** on all data (the newest observations are targets of
   partial windows): each validation member goes on training on all of it
   for a quarter of its budget (``fitplan.FINAL_STEPS``); an ensemble of
   ``n_models`` networks varying the seed, the window length and the loss,
   combined by their median.
4. **Forecast**: direct for the trained ``horizon``; recursive beyond it
   (blocks appended to the history and fed back).

The fits run at once on the Numba threads this thread may use, one thread
each, with the results of a run one after the other
(:func:`tsgate.ensemble.run_fits`); a member's step 3 starts from its step
2 fit (or, with ``early_stopping``, fits afresh for its best epochs) as
soon as that fit is done, beside the step 2 fits still running. Ctrl-C
stops them all within a batch. :mod:`tsgate.fitplan` builds those fits.
"""
import threading
import warnings
import weakref
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    Interval,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.validation import check_is_fitted

from . import combination, encoding, exogenous, seasons, smoothing
from ._forecaster_doc import FORECASTER_DOC
from ._progress import EnsembleProgress
from ._rollback import restored_on_failure
from ._series import check_freq_alias, future_index
from .backend import runs_on_cpu
from .bands import ForecastBands, floors
from .bandunit import ROBUST_UNIT, STEP_UNIT
from .collection import (
    check_named,
    launched,
    to_collection,
    trailing_gaps,
    without_gaps,
)
from .fitplan import FINAL_STAGES, EnsembleFits
from .folds import MIN_HISTORY, MIN_OBSERVATIONS, POOLED_UNIT_MIN_SERIES
from .frames import from_collection
from .grids import fitted_freq
from .histories import NewHistories
from .holdout import HoldoutErrors
from .matching import check_same_frequency, score_on
from .moments import mean_spread
from .paramchecks import check_horizon, plain_numbers, reject_bool_integers
from .persistence import SaveMixin
from .regressors import GRURegressor, LSTMRegressor, _BaseRNNRegressor
from .savedstages import saved_stages
from .savedstate import check_forecaster_state
from .smoothing import NORMALIZATIONS, first_period, stage
from .spikes import without_spikes

# Each fitted forecaster's forecast of its training data, per horizon asked
# last: ``predict()`` then ``predict_interval()`` of a collection of
# thousands of series smoothed every series and built its windows once per
# call (1.3 of Tourism's 30 s). Kept off the estimator, as the regressors
# keep their networks: a prediction changes nothing of the estimator, and
# the file format holds none of it. A fit drops its entry. It holds the
# stages and working values of every series (about three times the
# collection's own values) while the estimator lives.
_FORECASTS = weakref.WeakKeyDictionary()
_FORECASTS_LOCK = threading.Lock()
MAX_MODELS = 1000  # n_models: ensemble members at most


def _overflowed(future):
    """Raise the error of a forecast past float64's range (``future``: the
    future features, whose linear effect took it there, or None)."""
    raise ValueError("The forecast overflowed (inf) with these future X values: their "
                     "linear effect, taken far beyond the range it was fitted on, "
                     "passes the float64 range. Give future values within (or near) "
                     "the training rows' range." if future is not None else
                     "The forecast passes float64's range (about 1.8e308; a series near "
                     "it that goes on growing): divide the series by a power of 10 "
                     "before the fit and multiply the forecasts back.")


class _BaseForecaster(ForecastBands, HoldoutErrors, NewHistories, EnsembleFits, SaveMixin,
                      BaseEstimator):
    """Shared implementation; use :class:`LSTMForecaster` or :class:`GRUForecaster`."""

    _regressor = None

    # fitted state that predict(_interval) and a warm fit read: what save writes
    _persisted_attributes = ("season_length_", "inner_period_", "windows_", "n_exog_",
                             "exog_names_", "exog_order_", "exog_mean_", "exog_scale_",
                             "exog_effect_",
                             "holdout_regressors_", "calibration_residuals_",
                             "calibration_owners_", "shrinkage_", "network_steps_",
                             "drift_weight_", "interval_unit_", "regressors_", "n_iter_",
                             "collection_", "horizon_", "normalize_", "season_drift_",
                             "input_format_", "launch_zeros_", "model_band_floor_",
                             "noise_from_", "stage_choices_", "stage_betas_",
                             "trend_shapes_")

    @classmethod
    def _restore_state(cls, params, state):
        check_forecaster_state(cls.__name__, state, params.get("horizon"))
        est = super()._restore_state(params, state)
        est._fill_fitted_parameters()
        return est

    def __setstate__(self, state):
        super().__setstate__(state)
        self._fill_fitted_parameters()

    def _fill_fitted_parameters(self):
        """``horizon_`` and ``normalize_`` of a model saved or pickled by a
        tsgate that did not keep them: its parameters, as they were fitted."""
        if "regressors_" in vars(self) and "horizon_" not in vars(self):
            self.horizon_, self.normalize_ = self.horizon, self.normalize

    _parameter_constraints = {
        **{k: v for k, v in _BaseRNNRegressor._parameter_constraints.items()
           if k not in ("scale_target", "max_iter", "validation_fraction")},
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "window": [Interval(Integral, 1, None, closed="left"), None],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "normalize": [StrOptions(set(NORMALIZATIONS))],
        "season_length": [Interval(Integral, 1, None, closed="left"), None],
        # (each member a network trained in turn: 2**40 hung building their list)
        "n_models": [Interval(Integral, 1, MAX_MODELS, closed="both")],
        "id_col": [str], "time_col": [str], "value_col": [str], "freq": [str, None],
    }

    def __init__(self, window=None, horizon=1, hidden_size=32, num_layers=1, bidirectional=False,
                 attention=False, dropout=0.0, loss="absolute_error", huber_delta=1.0,
                 quantile=0.5, max_iter=None, batch_size=64, learning_rate_init=3e-3, alpha=1e-4,
                 weight_decay=0.0, clip_norm=1.0, early_stopping=False, validation_fraction=None,
                 n_iter_no_change=20, tol=1e-4, normalize="smooth", season_length=None,
                 n_models=3, id_col="unique_id", time_col="ds", value_col="y", freq=None,
                 device="cpu", random_state=None, verbose=False, warm_start=False):
        self.window = window
        self.horizon = horizon
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.attention = attention
        self.dropout = dropout
        self.loss = loss
        self.huber_delta = huber_delta
        self.quantile = quantile
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.alpha = alpha
        self.weight_decay = weight_decay
        self.clip_norm = clip_norm
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.normalize = normalize
        self.season_length = season_length
        self.n_models = n_models
        self.id_col = id_col
        self.time_col = time_col
        self.value_col = value_col
        self.freq = freq
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # ------------------------------------------------------------ conversion
    def _columns(self, fitted=False):
        """``id_col``, ``time_col``, ``value_col`` and ``freq``; ``fitted``: as
        the last fit read them (``input_format_``), so that ``set_params``
        after a fit changes how predict reads its input only at the next fit
        (files saved before have no ``input_format_``: the parameters)."""
        if fitted and hasattr(self, "input_format_"):
            return self.input_format_
        return self.id_col, self.time_col, self.value_col, self.freq

    def _collection(self, y, X=None, fitted=False, drop_empty=False):
        """``y`` (and X) as a Collection; ``fitted``: data given after the fit
        (a test fold, a new history), whose series of 1 or 2 dates take the
        training data's frequency; ``drop_empty``: series without an
        observed value are left out (scoring)."""
        known = fitted_freq(self.collection_) if fitted else None
        if fitted:
            check_named(y, len(self.collection_))
        *names, freq = self._columns(fitted)
        return to_collection(y, X, *names, freq=freq, known_freq=known, drop_empty=drop_empty)

    def _effect_rows(self, exog):
        """``exog`` (per series, its features' rows) where the stages take
        the features' linear effect out, else None: files saved before that
        effect (no ``exog_effect_``) leave the features to the networks, as
        they were fitted."""
        return exog if getattr(self, "exog_effect_", False) else None

    def _cleaned(self, values, exog=None):
        """The series with their isolated spikes missing (:func:`without_spikes`;
        ``exog``: per series, its features' rows, whose effect is no spike)."""
        exog, inner = self._effect_rows(exog) or [None] * len(values), getattr(self, "inner_period_", 1)
        return [without_spikes(v, first_period(v, self.season_length_, inner), e)  # (short: the day)
                for v, e in zip(values, exog)]

    def _stages(self, values, exog=None, like=None, logs=None, known=None, periods=None):
        """Working-scale values and normalisation stages of each series, its
        isolated spikes missing and, with its features' rows ``exog`` (a
        list of (n_i, m)), their linear effect taken out
        (:mod:`tsgate.regression`; ``like``: per series, a stage whose
        choices to reuse; ``logs``: per series, force or forbid the log
        scale; ``known``: per series, its stage fitted already with these
        very arguments, or None; ``periods``: per series, a candidate
        seasonal period in place of ``season_length_``, or None)."""
        values = self._cleaned(values, exog)
        exog = self._effect_rows(exog) or [None] * len(values)
        # (files saved before the inner cycle have no inner_period_: 1, as they were fitted)
        inner = getattr(self, "inner_period_", 1)
        stages = [known[i] if known is not None and known[i] is not None else
                  stage(v, self.normalize_, self.season_length_ if periods is None or
                        periods[i] is None else periods[i], None if like is None else like[i],
                        None if logs is None else logs[i], exog[i], inner)
                  for i, v in enumerate(values)]
        return [s.to_working(v, e) for s, v, e in zip(stages, values, exog)], stages

    def _saved_stages(self, coll):
        """Per series of ``coll`` (the training data), a stage holding its
        fit's choices for :meth:`_stages` to reuse, or None
        (:func:`tsgate.savedstages.saved_stages`)."""
        return saved_stages(self, coll)

    # ------------------------------------------------------------------- fit
    def fit(self, y, X=None):
        """Fit on one series or a collection (one global model).

        Parameters
        ----------
        y : pd.Series or pd.DataFrame
            One series on a DatetimeIndex/PeriodIndex with a frequency, or a
            RangeIndex; a wide DataFrame (one column per series); a Series on
            a (series id, time) MultiIndex; or a long DataFrame with columns
            ``id_col``, ``time_col``, ``value_col``. Series may differ in
            length and start. NaN values are missing observations: masked as
            targets, flagged as inputs.
        X : pd.DataFrame, optional
            Exogenous features aligned with ``y`` (same layout; for a Series
            or wide DataFrame, rows on y's index shared by all series). Their
            future values must then be given to ``predict``. Rows on dates
            are matched by time, so one calendar of features covering the
            training and future dates (or more) serves fit and predict.

        Returns
        -------
        self

        Notes
        -----
        A fit that raises (a refused input, a setting the data cannot
        meet, an interrupt) leaves a fitted model as it was before the call:
        its forecasts and files are unchanged.
        """
        # in this frame, not a helper's: warnings keep pointing at the caller's line
        with restored_on_failure(self), plain_numbers(self):
            validate_parameter_constraints(self._parameter_constraints, self.get_params(deep=False),
                                           caller_name=type(self).__name__)
            reject_bool_integers(self)
            check_freq_alias(self)
            with _FORECASTS_LOCK:
                _FORECASTS.pop(self, None)
            continued = self.warm_start and hasattr(self, "regressors_")
            before = getattr(self, "exog_names_", None) if continued else None
            before_n = getattr(self, "n_exog_", None) if continued else None
            X, order = exogenous.in_name_order(  # the order of X's columns acts as no seed
                X, self.id_col, self.time_col, like=before)
            coll = self._collection(y, X)
            check_same_frequency(coll, coll)  # one frequency: one season length
            # what predict reads: fitted, so that set_params after a fit changes
            # nothing until the next fit (scikit-learn's contract)
            self.horizon_, self.normalize_ = self.horizon, self.normalize
            H = self.horizon_
            short = [(key, int(np.isfinite(v).sum())) for key, v in zip(coll.ids, coll.values)
                     if np.isfinite(v).sum() < MIN_OBSERVATIONS]
            if short:
                key, n = short[0]
                others = ", ".join(f"{k!r} ({m})" for k, m in short[1:6]) + (
                    ", ..." if len(short) > 6 else "")
                raise ValueError(
                    f"Series {key!r} has {n} observation(s) (not counting NaN); at least "
                    f"{MIN_OBSERVATIONS} are needed ({MIN_HISTORY} to fit on, 1 to validate on). "
                    f"Drop the {len(short)} too-short series"
                    + (f" (also {others})" if others else "") + " or give a longer history.")
            self.season_length_ = self.season_length or seasons.period(coll.values, coll.indexes[0])
            given = [len(v) for v in coll.values]
            coll = launched(coll, self.season_length_, MIN_OBSERVATIONS)  # zeros before a launch
            # (the scorers' y_train puts them back: the training data as given)
            self.launch_zeros_ = np.array([n - len(v) for n, v in zip(given, coll.values)])
            longest = max(len(v) for v in coll.values)
            if self.season_length is not None and 2 * self.season_length > longest:
                warnings.warn(
                    f"season_length={self.season_length} is more than half of the longest series "
                    f"({longest} observations): no seasonal cycle repeats to be learned"
                    + (", and the windows of 1.25 to 3 seasons make the fit slow"
                       if self.window is None else "")
                    + ". Give a shorter season_length or leave it None (from the frequency).",
                    UserWarning, stacklevel=2)
            self.inner_period_ = seasons.inner_period(self.season_length_, coll.indexes[0])
            windows = encoding.window_lengths(seasons.window_period(self.season_length_, coll.indexes[0]),
                                              H, self.n_models, self.window)
            self.windows_ = windows
            if coll.exog is not None:
                rows = np.concatenate(coll.exog)  # (sum n_i, m)
                self.exog_mean_, spread = mean_spread(rows, axis=0)  # (m,) each, any size
                self.exog_scale_ = np.where(spread > 0, spread, 1.0)
            else:  # a refit without features keeps no statistics of an earlier fit's
                for name in ("exog_mean_", "exog_scale_"):
                    self.__dict__.pop(name, None)
            self.n_exog_ = 0 if coll.exog is None else coll.exog[0].shape[1]
            together = self._check_size(coll)  # False: memory for one member at a time
            # the future dates exist (pandas' datetimes end in 2262), before the fit
            last = max(range(len(coll)), key=lambda i: coll.indexes[i][-1])
            future_index(coll.indexes[last], H)
            self.exog_effect_ = coll.exog is not None  # the stages take the features' effect out
            self.exog_names_ = exogenous.feature_names(X, coll.layout, self.id_col, self.time_col)
            self.exog_order_ = order  # an array X at predict: its columns as given at fit
            if coll.exog is not None:
                exogenous.warn_constant(spread, self.exog_names_)
            self.input_format_ = self._columns()
            exogs = exogenous.standardized(self, coll.exog, [np.repeat(e[-1:], H, axis=0)
                                                             for e in coll.exog]
                                           if coll.exog is not None else None)
            # features of other names (as many: the networks' shape is the same) would
            # feed the kept weights' inputs of others: the networks start afresh; so do
            # features added or dropped (said in the user's terms, not the networks'
            # input channels: value, flag and features)
            renamed = continued and (
                (before_n is not None and before_n != self.n_exog_)
                or (before is not None and self.exog_names_ is not None
                    and list(before) != list(self.exog_names_)))
            warm = continued and not renamed
            seeds = check_random_state(self.random_state).randint(2**31 - 1, size=(2, self.n_models))
            # off the CPU ("cuda", or "auto" where a GPU is usable) the members
            # fit one after the other; on it two or more at once, with a progress
            # display too (one bar on a terminal for all: _progress.EnsembleProgress)
            self._bar = EnsembleProgress(self._shown_as()) if EnsembleProgress.wanted(
                self.verbose) else None
            done = False  # (not sys.exc_info(): a fit inside the caller's except block ends well)
            try:
                checked, final, cut_stages, fold_cuts = self._fit_members(
                    coll, exogs, seeds, warm, runs_on_cpu(self.device) and together)
                done = True
            finally:
                if self._bar is not None:
                    self._bar.close(done)
                del self._bar
            self.holdout_regressors_, self.regressors_ = checked[:self.n_models], final
            self._warn_unconverged(checked)
            restart = warm and next((r._warm_restart for r in checked + final
                                     if getattr(r, "_warm_restart", "")), "")
            if restart:  # (the horizon, the features in X, or the network's settings)
                restart = f"the networks' shape changed since the last fit ({restart})"
            elif renamed:
                restart = (f"the features in X changed since the last fit "
                           f"({exogenous.described(before, before_n)} -> "
                           f"{exogenous.described(self.exog_names_, self.n_exog_)})")
            if restart:
                warnings.warn(f"warm_start=True, but {restart}: they trained from new weights.",
                              UserWarning, stacklevel=2)
            # the unit that lets many series' residuals pool (see _residuals)
            self.interval_unit_ = STEP_UNIT if len(coll) >= POOLED_UNIT_MIN_SERIES else ROBUST_UNIT
            self.noise_from_ = "first_scored"  # (bandunit.first_scored; older files: one season)
            n = self.n_models
            self.calibration_residuals_, owners = self._residuals(
                coll, [(checked[k * n:(k + 1) * n], cut_stages[k], c) for k, c in enumerate(fold_cuts)],
                exogs)
            # a few series: each one's band from its own rows (bands.ForecastBands._own_rows)
            self.calibration_owners_ = (owners if self.interval_unit_ == ROBUST_UNIT
                                        and len(coll) > 1 else None)
            self.n_iter_ = max(r.n_iter_ for r in self.regressors_)
            self.collection_ = coll
            # the final stages' choices, which a loaded model filters its history with again
            # (choosing them anew took 2 ms a series: 11 s at a first predict of 5000)
            self.stage_choices_, self.stage_betas_ = smoothing.choices(FINAL_STAGES[self][2])
            return self

    # --------------------------------------------------------------- predict
    def _predict_normalized(self, zs, stages, exogs):
        """The combined forecast (k, H) in network units from the smoothing
        stage's (:func:`tsgate.combination.combine`): the ensemble's median
        of the last windows, the trend terms, at the fitted weights."""
        H = self.horizon_
        P = self._members_median(self.regressors_, lambda L: encoding.last_windows(
            zs, stages, L, H, exogs))  # (k, H)
        last = [np.array([len(z) - 1]) for z in zs]
        D = self._drift(zs, stages, last)  # (k, H)
        # (files written before the trend terms: no drift_weight_, no season_drift_)
        S = (self._drift(zs, stages, last, seasonal=True)
             if getattr(self, "season_drift_", False) else None)
        return combination.combine(P, D, S, self._network_weights(stages),
                                   getattr(self, "drift_weight_", 0.0))

    def _forecast(self, horizon, X, y):
        """Forecasts (k, h), their working-scale stages and the history's
        working values (a list of (n_i,)), for the collection; that of the
        training data (no ``y``, no ``X``) computed once per fit and
        ``horizon`` (``_FORECASTS``)."""
        check_is_fitted(self, "regressors_")  # before any argument: scikit-learn's order
        h = self.horizon_ if horizon is None else check_horizon(horizon, self.horizon_)
        key = (h, self.horizon_, self.normalize_) if y is None and X is None else None
        if key is None:
            return self._forecast_from(h, X, y)
        kept = _FORECASTS.get(self)
        if kept is None or kept[0] is not self.regressors_ or kept[1] != key:
            kept = (self.regressors_, key, self._forecast_from(h, X, y))
            with _FORECASTS_LOCK:
                _FORECASTS[self] = kept
        coll, levels, stages, history = kept[2]
        return coll, levels.copy(), stages, history  # the caller's copy of the forecast

    def _forecast_from(self, h, X, y):
        """:meth:`_forecast`, computed: ``h`` steps after ``y`` (or the training data).

        A series whose last ``g`` steps are missing (one that stopped
        reporting, in a wide frame) is forecast ``g + h`` steps from its
        last observation, and its last ``h`` are the forecast: the steps
        after the end of the index, as labelled, with the trend carried
        across the gap (they were the steps right after its last
        observation). Its history (for the bands' unit) is the observed
        part; :meth:`_bands` takes the steps ``g + 1 .. g + h`` too.
        """
        coll, future = self._history(y, X, h)
        if h > self.horizon_:  # future dates pandas cannot hold: said before the recursion
            future_index(max(coll.indexes, key=lambda ix: ix[-1]), h)
        gaps = trailing_gaps(coll.values)  # (k,)
        steps = h + int(gaps.max())  # from the earliest last observation
        full = coll
        if gaps.any():
            coll, future = without_gaps(coll, future, gaps)
        if future is not None:  # (steps, m) each: a series with a shorter gap runs on past its
            # h, on its last features (those steps are not its forecast)
            future = [np.concatenate([f, np.repeat(f[-1:], max(steps - len(f), 0), axis=0)])
                      for f in future]
        kept = FINAL_STAGES.get(self) if y is None else None  # the fit's, where unchanged
        if kept is not None and kept[0] is coll:
            zs, stages = kept[1:]
        else:  # (a loaded model's training data: filtered with its fit's choices)
            like = self._saved_stages(coll) if y is None else None
            zs, stages = self._stages(coll.values, coll.exog, like=like)
            if like is not None:
                FINAL_STAGES[self] = (coll, zs, stages)
        # the bands' unit is the observed history's: the stages of a history
        # extended by forecasts (a horizon beyond H, a gap) clean their spikes
        # anew, and an intermittent series' band at step 1 moved with the horizon
        history, history_stages = zs, stages
        if y is not None:
            self._warn_unseasonal(coll, stages)
        H = self.horizon_
        values = [v.copy() for v in coll.values]
        floor = floors(coll.values)  # (k, 1): 0 for a history never below 0, else -inf
        flat = encoding.unchanged(coll.values, [[len(v) - 1] for v in coll.values])  # (k,)
        exog_hist = coll.exog
        out = []
        for start in range(0, steps, H):
            fut = None
            if future is not None:
                fut = [f[start:start + H] for f in future]
                fut = [np.concatenate([f, np.repeat(f[-1:], H - len(f), axis=0)]) for f in fut]
                exogs = exogenous.standardized(self, exog_hist, fut)
            else:
                fut = exogs = None
            v = self._predict_normalized(zs, stages, exogs)  # (k, H)
            v[flat] = 0.0  # a history that never changed: its value (encoding.unchanged)
            with np.errstate(over="ignore"):  # (past float64's range: said below)
                block = np.stack([sm.from_working(encoding.forecast_base(sm, len(z), H)
                                                  + sm.scale * v[i], None if fut is None else fut[i])
                                  for i, (z, sm) in enumerate(zip(zs, stages))])  # (k, H)
            block = np.maximum(block, floor)
            if not np.isfinite(block).all():  # (said here: a recursive block's inf went into
                _overflowed(future)           # the next one's history, a NaN unit's message)
            out.append(block)
            if start + H < steps:
                values = [np.concatenate([val, b]) for val, b in zip(values, block)]
                if exog_hist is not None:
                    exog_hist = [np.concatenate([e, f]) for e, f in zip(exog_hist, fut)]
                zs, stages = self._stages(values, exog_hist, like=stages)
        levels = np.concatenate(out, axis=1)  # (k, >= steps)
        levels = np.stack([row[g:g + h] for row, g in zip(levels, gaps)])  # (k, h)
        return full, levels, history_stages, history

    def predict(self, horizon=None, X=None, y=None):
        """Forecast the ``horizon`` steps after the end of each series.

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast (default: the trained ``horizon``). Up to the
            trained horizon the networks forecast all steps at once (direct);
            beyond it, blocks are forecast and fed back (recursive).
        X : pd.DataFrame, optional
            Future exogenous values (required when fitted with X), in y's
            layout, on the future dates (rows on other dates are not used).
            With ``y`` given, X covers y's steps and then the future.
            A DataFrame's columns are matched by label to those of fit
            (``exog_names_``); an array's go by position. The networks read the exogenous
            rows of all ``self.horizon_`` steps of a block, so a shorter
            ``horizon`` takes X's rows of the whole block where X has them
            (its forecasts are then the first steps of the full one), else
            repeats the last row given.
        y : pd.Series or pd.DataFrame, optional
            Forecast after the end of this history instead of the training
            data, in any accepted layout (new series of a collection too):
            the normalisation stage is estimated on it, the networks are not
            refit. A history under three seasons that continues or overlaps
            the fitted series of the same id (or the one series fitted,
            whatever its name) is extended back by that series' training
            values before its first step. Other histories
            under two seasons cannot show their seasonality, so their
            forecasts have none: a ``UserWarning`` says so where the fitted
            series of the same id (or the one series fitted) was seasonal.

        Returns
        -------
        pd.Series or pd.DataFrame
            In the layout of the input: indexed by the next ``horizon``
            periods of each series.
        """
        coll, levels, _, _ = self._forecast(horizon, X, y)
        return from_collection(coll, {"forecast": levels}, levels.shape[1])

    def score(self, y, X=None):
        """Negative mean absolute error of the forecast of the steps in ``y``.

        ``y`` is the stretch right after the training data (what
        ``TimeSeriesSplit`` gives as a test fold), so ``GridSearchCV`` picks
        by out-of-sample forecast error. Its values are matched to the
        forecast by time step and series (one series: whatever its name);
        missing values are left out. For other metrics pass a scorer of
        :mod:`tsgate.metrics` (``neg_mase_scorer``, ...) as ``scoring``;
        scikit-learn's named scorers need a separate ``y_true``.

        Parameters
        ----------
        y : pd.Series or pd.DataFrame
            Held-out values after the training data, in the layout of fit.
        X : pd.DataFrame, optional
            Their exogenous values (required when fitted with X).

        Returns
        -------
        float
        """
        check_is_fitted(self, "regressors_")
        exogenous.check_scoring_X(self, X)
        return score_on(self._collection(y, fitted=True, drop_empty=True), self.collection_,
                        lambda h: self._forecast(h, X, None)[1])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.non_deterministic = False
        return tags


class LSTMForecaster(_BaseForecaster):
    __doc__ = FORECASTER_DOC.format(cell="LSTM", name="LSTMForecaster")
    _regressor = LSTMRegressor
    _saved_as = "LSTMForecaster"


class GRUForecaster(_BaseForecaster):
    __doc__ = FORECASTER_DOC.format(cell="GRU", name="GRUForecaster")
    _regressor = GRURegressor
    _saved_as = "GRUForecaster"
