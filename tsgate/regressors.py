"""scikit-learn regressors on windows: :class:`LSTMRegressor`, :class:`GRURegressor`.

``X`` is ``(n_samples, window, n_features)``, or ``(n_samples, window)`` read
as one feature per step; ``y`` is 1-D, or 2-D for several outputs (direct
multi-step forecasting). The estimators follow scikit-learn's contract:
``__init__`` only stores, ``fit`` validates and starts from scratch unless
``warm_start=True``, learned attributes end in ``_``.
"""
import math
import threading
import warnings
import weakref
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._progress import EpochProgress
from .paramchecks import plain_numbers, reject_bool_integers
from ._regressor_doc import LSTM_REGRESSOR_DOC
from ._rollback import restored_on_failure
from .backend import DEVICES, aligned_copy, cuda_unavailable_reason, get_backend, resolve_device
from .encoding import F32_MAX  # (a Python float: a NumPy float32 bound casts what it meets)
from .engine.plan import work as epoch_work
from .engine import Network, NetworkSpec, TrainConfig, train
from .engine.training import r2_by_output
from .fitchecks import check_network_size, warn_unconverged
from .kernels.cellmath import LossKind
from .persistence import SaveMixin
from .savedstate import check_regressor_state
from .targets import check_targets, missing_as_nan, reject_text, target_moments

LOSSES = {"squared_error": int(LossKind.MSE), "absolute_error": int(LossKind.MAE),
          "huber": int(LossKind.HUBER), "quantile": int(LossKind.PINBALL)}

# The attention weights of each estimator's last ``predict`` in this thread,
# for the deprecated ``attention_weights_`` only: ``predict`` leaves the
# estimator unchanged (threads may share it), so they are kept off it.
_LAST_ATTENTION = threading.local()
# Each estimator's engine network (kernels, workspaces): rebuilt on demand.
_NETWORKS = weakref.WeakKeyDictionary()
_NETWORKS_LOCK = threading.Lock()


def _refuse_dimensions(shape):
    """Raise the error of windows X of more than 3 dimensions."""
    raise ValueError(f"X must be 2-D (n_samples, window) or 3-D (n_samples, window, n_features); "
                     f"got an array with {len(shape)} dimensions and shape {shape}.")


class _BaseRNNRegressor(SaveMixin, RegressorMixin, BaseEstimator):
    """Shared implementation; use :class:`LSTMRegressor` or :class:`GRURegressor`."""

    _cell = None

    # what ``fit`` learns, all that ``predict`` and a warm-started ``fit``
    # read (with the parameters); written by ``save`` (tsgate/persistence.py)
    _persisted_attributes = (
        "n_features_in_", "feature_names_in_", "window_", "n_step_features_", "n_outputs_",
        "_y_ndim", "spec_", "device_", "y_mean_", "y_scale_", "params_",
        "_optimizer_state",  # Adam's (m, v, step): a warm start continues exactly
        "_scaled_targets",  # the units the weights learnt in (scale_target of the last fit)
        "loss_curve_", "best_loss_", "n_iter_", "best_epoch_", "grad_norm_curve_",
        "clipped_fraction_", "diverged_at_", "validation_scores_", "validation_loss_curve_",
        "best_validation_loss_",
    )

    @classmethod
    def _restore_state(cls, params, state):
        """A loaded regressor, its fitted state checked
        (:func:`tsgate.savedstate.check_regressor_state`)."""
        check_regressor_state(cls.__name__, state)
        est = super()._restore_state(params, state)
        est._align_weights()
        return est

    def _align_weights(self):
        """``params_`` on a cache line, as a fit leaves it: the kernels read
        it there (``backend.ALIGNMENT``)."""
        if isinstance(self.__dict__.get("params_"), np.ndarray):
            self.params_ = aligned_copy(self.params_)

    _parameter_constraints = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "attention": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "loss": [StrOptions(set(LOSSES))],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "clip_norm": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "scale_target": ["boolean"],
        "device": [StrOptions(set(DEVICES))],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    def __init__(self, hidden_size=32, num_layers=1, bidirectional=False, attention=False,
                 dropout=0.0, loss="squared_error", huber_delta=1.0, quantile=0.5, max_iter=200,
                 batch_size=32, learning_rate_init=5e-3, alpha=1e-4, weight_decay=0.0,
                 clip_norm=1.0, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-4, scale_target=True, device="cpu",
                 random_state=None, verbose=False, warm_start=False):
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
        self.scale_target = scale_target
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # ------------------------------------------------------------- validation
    def _check_X(self, X, reset):
        """Validate X and return float32 windows (n, T, F)."""
        ndim = getattr(X, "ndim", 0)  # (not np.ndim: array-likes may refuse NumPy's functions)
        if ndim > 3:  # before scikit-learn, which would count its features oddly
            _refuse_dimensions(X.shape)
        reject_text(X, "X")
        X = missing_as_nan(X)
        try:
            X = validate_data(self, X, reset=reset, allow_nd=True, dtype=(np.float32, np.float64),
                              ensure_min_features=1)
        except ValueError as exc:
            if "got 1D array" in str(exc) or "got scalar array" in str(exc):
                # (scikit-learn's advice, reshape(-1, 1), makes windows of one step)
                raise ValueError(
                    "X must be 2-D (n_samples, window) or 3-D (n_samples, window, n_features), "
                    f"got {'a 1-D array' if 'got 1D' in str(exc) else 'a scalar'}. Reshape your "
                    "data: one window to predict from is X[None] (shape (1, window)); the "
                    "windows of a series come from tsgate.make_windows(y, window=..., "
                    "horizon=...), or forecast the series itself with a forecaster "
                    "(tsgate.GRUForecaster).") from None
            if reset or "features, but" not in str(exc):
                raise
            # scikit-learn counts a window's steps as its features: say it in windows
            raise ValueError(
                f"{exc} (Its 'features' are a window's steps: it was fitted on windows of "
                f"{self.window_} steps with {self.n_step_features_} feature(s) each; pass "
                "windows of the same shape.)") from None
        if X.ndim > 3:  # a nested list: no ndim before scikit-learn read it
            _refuse_dimensions(X.shape)
        if X.ndim == 2:
            X = X[:, :, None]  # (n, T) -> (n, T, 1): one feature per step
        if X.shape[1] < 1 or X.shape[2] < 1:
            raise ValueError(f"X has an empty window or no features: shape {X.shape}.")
        # float64 X (any X in fit): its range; NaN or inf only where scikit-learn's
        # assume_finite=True skipped validate_data's check
        big = (max(-float(X.min()), float(X.max()))
               if (reset or X.dtype != np.float32) and X.size else 0.0)
        if not math.isfinite(big):
            raise ValueError(f"X holds NaN or inf; {'fit' if reset else 'predict'} needs finite "
                             "windows (fill or interpolate the missing values).")
        if big > F32_MAX:
            raise ValueError(
                f"X holds values up to {big:.3g}, beyond float32's range (about 3.4e38), in which "
                "the networks compute; rescale X (e.g. standardize each feature).")
        if reset:
            self.window_, self.n_step_features_ = X.shape[1], X.shape[2]
        elif (X.shape[1], X.shape[2]) != (self.window_, self.n_step_features_):
            raise ValueError(
                f"X has windows of {X.shape[1]} steps with {X.shape[2]} features, but "
                f"{type(self).__name__} was fitted on {self.window_} steps with "
                f"{self.n_step_features_} features. Pass windows of the same shape as in fit.")
        return X.astype(np.float32, copy=False)  # views stay views: pack_windows takes any strides

    # -------------------------------------------------------------------- fit
    def _predicting_device(self):
        """The device predictions run on: the fitted one, or the CPU for a
        model fitted on a GPU on a machine without one."""
        if self.device_ == "cuda" and cuda_unavailable_reason() is not None:
            return "cpu"
        return self.device_

    def _network(self, device=None):
        """The engine network on ``device`` (default: the fitted one).

        A cache kept off the estimator (``_NETWORKS``): building it in
        ``predict`` changes nothing of the estimator, and it is never saved.
        """
        device = device or self.device_
        net = _NETWORKS.get(self)  # a read needs no lock; building one does
        if net is None or net.backend.name != device or net.spec != self.spec_:
            with _NETWORKS_LOCK:
                net = _NETWORKS.get(self)
                if net is None or net.backend.name != device or net.spec != self.spec_:
                    net = _NETWORKS[self] = Network(self.spec_, get_backend(device))
        return net

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, **fit_params):
        """Fit the network to windows X and targets y.

        Parameters
        ----------
        X : array-like of shape (n_samples, window, n_features) or (n_samples, window)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            NaN targets are left out of the loss; an output with no observed
            target in any sample is refused (nothing would train its
            weights).

        **fit_params
            None is taken: ``sample_weight`` is not supported (every window
            weighs the same in the loss; repeat windows to weigh them more).

        Returns
        -------
        self
        """
        if fit_params:  # Python's TypeError named a private base class
            keras = {"epochs": "max_iter=", "batch_size": "batch_size=",
                     "validation_data": "early_stopping=True (validation_fraction=)",
                     "validation_split": "early_stopping=True, validation_fraction=",
                     "verbose": "verbose=", "callbacks": "n_iter_no_change=, tol="}
            named = [f"{k}: {keras[k]}" for k in sorted(fit_params) if k in keras]
            raise TypeError(
                f"{type(self).__name__}.fit() takes X and y only, got {sorted(fit_params)}"
                + ("; sample_weight is not supported: every window weighs the same in the loss "
                   "(repeat the windows that should weigh more, or drop those that should not "
                   "count)." if "sample_weight" in fit_params else
                   f"; training settings are the estimator's parameters ({'; '.join(named)})."
                   if named else "."))
        # an interrupt or a refusal midway leaves the model as it was (the
        # weights and Adam's moments change in place in a warm fit)
        warm = ("params_", "_optimizer_state") if self.warm_start else ()
        with restored_on_failure(self, deep=warm), plain_numbers(self):
            reject_bool_integers(self)
            Xw = self._check_X(X, reset=True)
            y, Y = check_targets(y, Xw.shape[0])
            return self._fit_arrays(Xw, Y, y.ndim)

    def _fit_arrays(self, Xw, Y, y_ndim, validation=None):
        """Fit on validated float32 windows Xw (n, T, F) and targets Y (n, O).

        ``validation``, optional, is a separate pair (windows, targets) to early-stop on instead of the
        last ``validation_fraction`` of the samples (the forecasters pass
        windows whose targets no training window reaches).
        """
        if self.early_stopping and Xw.shape[0] < 2:
            raise ValueError("early_stopping needs at least 2 samples (one to validate on); got "
                             "1 sample: fit without early_stopping, or give more.")
        spec = NetworkSpec(self._cell, Xw.shape[2], self.hidden_size, Y.shape[1],
                           self.num_layers, self.bidirectional, self.attention, self.dropout)
        check_network_size(spec)
        # "auto" runs small fits on the CPU: the work of one epoch decides
        device = resolve_device(self.device, work=epoch_work(spec, Xw.shape[0], Xw.shape[1]))
        fitted = hasattr(self, "params_") and hasattr(self, "spec_")
        changed = self.spec_.changes(spec) if fitted else ""  # (a new dropout keeps the weights)
        what = "the network's shape"
        # the targets' units the weights learnt in: the last fit's scale_target (saved
        # with the model since session 51; an older file's: scaled unless the units are 0
        # and 1, which standardized targets have too)
        scaled = fitted and getattr(self, "_scaled_targets", not (
            np.all(self.y_mean_ == 0) and np.all(self.y_scale_ == 1)))
        if fitted and scaled != bool(self.scale_target):
            what = f"{what} and target scaling" if changed else "the target scaling"
            changed = ", ".join(filter(None, [changed, (f"scale_target {scaled} -> "
                                                        f"{bool(self.scale_target)}")]))
        warm = self.warm_start and fitted and not changed
        # a warm start whose network changed starts from new weights, and says so (a
        # forecaster's members: the forecaster, once)
        self._warm_restart = changed if self.warm_start and not warm and fitted else ""
        if self._warm_restart and not getattr(self, "_planned_budget", False):
            warnings.warn(f"warm_start=True, but {what} changed since the last fit "
                          f"({self._warm_restart}): training starts from new weights.",
                          UserWarning, stacklevel=4)
        rng = np.random.default_rng(check_random_state(self.random_state).randint(2**31 - 1))
        if not warm:
            self.y_mean_, self.y_scale_ = target_moments(Y, self.scale_target)  # (O,) each
            self._scaled_targets = bool(self.scale_target)
        self.spec_, self.device_ = spec, device
        getattr(_LAST_ATTENTION, "weights", {}).pop(self, None)  # the fit before's predict's
        self.window_, self.n_step_features_ = Xw.shape[1], Xw.shape[2]
        net = self._network()
        params = self.params_ if warm else net.init_params(rng)
        state = self._optimizer_state if warm else None
        cfg = TrainConfig(  # Python ints: -np.uint64(3) wraps around (the plan's tile count)
            max_iter=self.max_iter, batch_size=int(self.batch_size),
            learning_rate=self.learning_rate_init, alpha=self.alpha,
            weight_decay=self.weight_decay, clip_norm=self.clip_norm,
            loss_kind=LOSSES[self.loss],
            loss_param=self.huber_delta if self.loss == "huber" else self.quantile,
            early_stopping=self.early_stopping, validation_fraction=self.validation_fraction,
            n_iter_no_change=int(self.n_iter_no_change), tol=self.tol,
            max_steps=getattr(self, "_max_steps", None))  # (a forecaster's member: its budget)
        Ys = ((Y - self.y_mean_) / self.y_scale_).astype(np.float32)
        if validation is not None:
            cfg.early_stopping = True
            validation = (validation[0], ((validation[1] - self.y_mean_) / self.y_scale_)
                          .astype(np.float32))
        log = self._logger()
        done = False  # (not sys.exc_info(): a fit inside the caller's except block ends well)
        try:
            result = train(net, params, Xw, Ys, cfg, rng, state=state, log=log,
                           validation=validation)
            done = True
        finally:
            if log is not None:
                log.close(done)
            self.__dict__.pop("_shared_progress", None)  # a bar is not part of the model
            # the training plans' buffers (activations and gradients of whole
            # batches) are not needed to predict: a week-ahead hourly model
            # kept 470 MB of them, 1.3 MB pickled (a warm start makes them again)
            net.release_training()
        if not getattr(self, "_planned_budget", False):  # a forecaster's member: its own checks
            warn_unconverged(self, net, result, Xw, Ys, cfg)
        self._stop_reason = result.stop_reason  # (not saved: a forecaster's warning reads it)
        self.params_ = result.params
        # an output no target reached kept its random initial weights (a
        # forecaster's step beyond every training window's reach): it predicts
        # what the last output before it that was trained predicts, the
        # correction to the statistical forecast carried on (0, "no
        # correction", where none before it was: a line of 4 points forecast
        # 7 ahead followed the line for 3 steps, then fell back by the slope)
        unseen = np.flatnonzero(np.isnan(Y).all(axis=0))  # (k,) output columns
        if len(unseen):
            head = net.views(self.params_)
            trained = np.flatnonzero(~np.isnan(Y).all(axis=0))  # (O - k,)
            for j in unseen:
                before = trained[trained < j]
                head["head.W"][:, j] = head["head.W"][:, before[-1]] if len(before) else 0
                head["head.b"][j] = head["head.b"][before[-1]] if len(before) else 0
        self._optimizer_state = result.optimizer_state
        # a warm fit continues the curves and the epoch count, as scikit-learn's
        # MLP does; best_epoch_ counts epochs into THIS fit (the forecasters give
        # it to their final fits as a number of epochs to run)
        before = warm and self.n_iter_
        self.loss_curve_ = self._continued("loss_curve_", result.loss_curve, before)
        self.best_loss_ = min(self.best_loss_, result.best_loss) if before else result.best_loss
        self.grad_norm_curve_ = self._continued("grad_norm_curve_", result.grad_norm_curve,
                                               before)
        self.clipped_fraction_ = (
            (self.clipped_fraction_ * self.n_iter_ + result.clipped_fraction * result.n_iter)
            / max(self.n_iter_ + result.n_iter, 1) if before else result.clipped_fraction)
        self.n_iter_ = (self.n_iter_ if before else 0) + result.n_iter
        self.diverged_at_ = result.diverged_at
        self.best_epoch_ = result.best_epoch
        if cfg.early_stopping:
            go_on = before and self.validation_scores_ is not None
            self.validation_scores_ = self._continued("validation_scores_",
                                                      result.validation_scores, go_on)
            self.validation_loss_curve_ = self._continued("validation_loss_curve_",
                                                          result.validation_loss_curve, go_on)
            self.best_validation_loss_ = (min(self.best_validation_loss_, result.best_validation_loss)
                                          if go_on else result.best_validation_loss)
        else:  # nor the curves of an earlier fit's early stopping
            self.validation_scores_ = None
            for name in ("validation_loss_curve_", "best_validation_loss_"):
                self.__dict__.pop(name, None)
        self.n_outputs_ = Y.shape[1]
        self._y_ndim = y_ndim
        return self

    def _continued(self, name, new, go_on):
        """A fit's per-epoch ``new`` values after those of the previous fit in
        attribute ``name`` (a warm fit, ``go_on``), or alone."""
        return (list(getattr(self, name)) if go_on else []) + list(new)

    def _display_name(self):
        """What progress and warnings call this fit: ``_progress_name``, which an
        estimator owning several regressors sets on them (e.g. "LSTMForecaster,
        model 2/5"), else the class name."""
        return getattr(self, "_progress_name", None) or type(self).__name__

    def _logger(self):
        """The per-epoch callback of ``verbose`` (see ``tsgate/_progress.py``), or None."""
        if not self.verbose:
            return None
        shared = getattr(self, "_shared_progress", None)  # an ensemble's one bar
        if shared is not None:
            return shared.member(self._display_name(), self.max_iter)
        return EpochProgress(self._display_name(), self.max_iter, self.verbose)

    # ---------------------------------------------------------------- predict
    def predict(self, X):
        """Predict targets for windows X.

        Leaves the estimator unchanged, so threads may share it.

        Parameters
        ----------
        X : array-like of shape (n_samples, window, n_features) or (n_samples, window)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        pred, weights = self._predict_arrays(self._predict_input(X), return_attention=True)
        if weights is not None:  # for the deprecated attention_weights_ (this thread's)
            if not hasattr(_LAST_ATTENTION, "weights"):
                _LAST_ATTENTION.weights = weakref.WeakKeyDictionary()
            _LAST_ATTENTION.weights[self] = weights
        return pred

    def predict_attention(self, X):
        """Attention weights over the steps of each window (``attention=True``).

        Parameters
        ----------
        X : array-like of shape (n_samples, window, n_features) or (n_samples, window)

        Returns
        -------
        weights : ndarray of shape (n_samples, window)
            Each row sums to 1: how much each step of the window weighs in
            the prediction of that sample.
        """
        Xw = self._predict_input(X)
        if not self.spec_.attention:  # as fitted: set_params acts at the next fit
            raise ValueError(f"{type(self).__name__} has no attention: fit it with attention=True "
                             "to get attention weights.")
        return self._predict_arrays(Xw, return_attention=True)[1]

    @property
    def attention_weights_(self):
        """Deprecated: the attention weights of the last ``predict`` in this thread.

        Use ``predict_attention(X)``; removed in the next release.
        """
        warnings.warn("attention_weights_ is deprecated and will be removed in the next release: "
                      "use predict_attention(X), which returns the weights of the windows X.",
                      FutureWarning, stacklevel=2)
        weights = getattr(_LAST_ATTENTION, "weights", {}).get(self)
        if weights is None:
            raise AttributeError(f"{type(self).__name__} has no attention_weights_: they exist "
                                 "after predict with attention=True; use predict_attention(X).")
        return weights

    def _predict_input(self, X):
        """Windows X as validated float32 (n, T, F)."""
        if (type(X) is np.ndarray and X.dtype == np.float32 and X.flags.c_contiguous
                and hasattr(self, "params_") and not hasattr(self, "feature_names_in_")
                and X.shape[1:] in self._fast_shapes()
                and X.shape[0] > 0 and np.isfinite(X).all()):
            # already what validation would return: skip scikit-learn's checks,
            # which cost several times a small network's forward pass
            return X if X.ndim == 3 else X[:, :, None]
        check_is_fitted(self, "params_")
        return self._check_X(X, reset=False)

    def _fast_shapes(self):
        """Per-sample shapes of windows ``predict`` takes without validation."""
        shape = (self.window_, self.n_step_features_)
        return (shape, (self.window_,)) if self.n_step_features_ == 1 else (shape,)

    def _predict_arrays(self, Xw, return_attention=False):
        """Predict for validated float32 windows Xw (n, T, F); see ``_fit_arrays``.

        Returns the predictions, or with ``return_attention`` (and
        ``attention=True``) the pair (predictions, weights (n, T)); the pair
        has None for weights without attention.
        """
        net = self._network(self._predicting_device())
        weights = None
        if return_attention and self.spec_.attention:  # the fitted network's, not set_params
            out, weights = net.predict(self.params_, Xw, return_attention=True)
        else:
            out = net.predict(self.params_, Xw)
        # imported here: tsgate's import leaves the compiled kernels (and the
        # matrix product that a cold Numba cache compiles) to the first fit
        from .kernels.cpu.sequence import unscale_rows

        pred = np.empty(out.shape, np.float64)  # (n, O) in the targets' units
        if not unscale_rows(out, self.y_scale_, self.y_mean_, pred):
            if not np.isfinite(Xw).all():  # sklearn's assume_finite=True skipped the check
                raise ValueError("X holds NaN or inf; predict needs finite windows (fill or "
                                 "interpolate the missing values).")
            raise ValueError(
                "The prediction overflowed float32 (inf/NaN) although X is finite: X holds "
                f"values up to {np.abs(Xw).max():.3g}; scale the inputs (e.g. StandardScaler).")
        pred = pred.ravel() if self._y_ndim == 1 else pred
        return (pred, weights) if return_attention else pred

    # ----------------------------------------------------------------- pickle
    def score(self, X, y, sample_weight=None):
        """R^2 of ``predict(X)`` against y, NaN targets left out as in ``fit``
        (per output, then their mean, as scikit-learn's ``r2_score``).

        Parameters
        ----------
        X : array-like of shape (n_samples, window, n_features) or (n_samples, window)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        float
        """
        from sklearn.metrics import r2_score

        reject_text(y, "y")  # as fit does: "1.5" or dates read as numbers
        pred = np.asarray(self.predict(X), np.float64)
        y = np.asarray(missing_as_nan(y), np.float64)
        outputs = pred.shape[1] if pred.ndim == 2 else 1
        if len(y) != len(pred) or y.ndim > 2 or (y.shape[1] if y.ndim == 2 else 1) != outputs:
            raise ValueError(f"y has shape {y.shape}; X has {len(pred)} samples and the model "
                             f"{outputs} output(s): give y of shape "
                             f"{(len(pred),) if outputs == 1 else (len(pred), outputs)}.")
        y = y.reshape(pred.shape)
        if sample_weight is not None:  # (checked here too: the NaN path indexes by it)
            sample_weight = _check_sample_weight(sample_weight, pred, dtype=np.float64)
        if np.isfinite(y).all():
            return float(r2_score(y, pred, sample_weight=sample_weight))
        if np.isinf(y).any():  # (r2_by_output leaves out what is not finite: NaN only here)
            raise ValueError("y holds inf; score needs finite targets (NaN marks a missing one, "
                             "left out as in fit).")
        ys, ps = (y[:, None], pred[:, None]) if y.ndim == 1 else (y, pred)
        score = r2_by_output(ys, ps, sample_weight)
        if np.isnan(score):
            raise ValueError("y has fewer than 2 observed (not NaN) targets in every output: "
                             "there is nothing to score.")
        return score

    def __getstate__(self):
        # the instance dict, as before (the engine network is cached off the
        # instance, in _NETWORKS, so there is nothing to drop)
        return self.__dict__.copy()

    def __setstate__(self, state):
        super().__setstate__(state)  # (scikit-learn's version check)
        self._align_weights()  # unpickled arrays start anywhere

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.input_tags.three_d_array = True
        return tags


class LSTMRegressor(_BaseRNNRegressor):
    __doc__ = LSTM_REGRESSOR_DOC

    _cell = "lstm"
    _saved_as = "LSTMRegressor"


class GRURegressor(_BaseRNNRegressor):
    """GRU network regressor on windows, trained with Adam.

    Same parameters and attributes as :class:`LSTMRegressor`, with GRU
    layers (gates r, z, n) instead of LSTM layers.

    Examples
    --------
    >>> import numpy as np, tsgate
    >>> X, Y = tsgate.make_windows(np.sin(np.arange(200) / 5), window=12, horizon=3)
    >>> reg = tsgate.GRURegressor(hidden_size=8, max_iter=5, random_state=0).fit(X, Y)
    >>> reg.predict(X[-1:]).shape
    (1, 3)
    """

    _cell = "gru"
    _saved_as = "GRURegressor"
