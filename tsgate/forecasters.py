"""Forecasters on pandas time series: :class:`LSTMForecaster`, :class:`GRUForecaster`.

A forecaster turns a series into normalized windows, fits one (or a small
seed ensemble of) window regressor(s) from :mod:`tsgate.regressors`, and
turns the network's output back into levels with the series' future index.

Strategy (documented for users in the class docstring):

- direct multi-output forecasting of the trained ``horizon``: the network
  outputs all ``horizon`` steps at once;
- recursive forecasting beyond it: blocks of ``horizon`` steps are forecast,
  appended to the history and fed back;
- trend and level: with ``normalize="last"`` each window is expressed
  relative to its own last value and divided by the series' typical step
  size, so the network learns changes, not levels (a trending series does not
  come back flat, and raw levels in the millions train like small ones).
"""
import math
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from sklearn.utils.validation import check_is_fitted

from .persistence import SaveMixin
from ._series import align_exog, check_series, future_index, season_length
from .regressors import GRURegressor, LSTMRegressor, _BaseRNNRegressor

NORMALIZATIONS = ("last", "standard")


def default_window(n_obs, season, horizon):
    """A window of a few seasonal periods that still leaves enough windows.

    Three seasons (at least 8 steps; 10 for non-seasonal data), capped so
    that at least about a third of the series remains as training targets.
    """
    window = max(3 * season, 8) if season > 1 else 10
    cap = max(2, (n_obs - horizon) * 2 // 3)
    return int(max(2, min(window, cap)))


def conformal_quantiles(residuals, coverage):
    """Per-step split-conformal half-widths from absolute residuals (n, H).

    NaN residuals (missing targets) are ignored; a step without any finite
    residual borrows the pooled residuals of all steps.
    """
    pooled = residuals[np.isfinite(residuals)]
    out = np.empty(residuals.shape[1])
    for h in range(residuals.shape[1]):
        r = residuals[:, h]
        r = r[np.isfinite(r)]
        r = r if len(r) else pooled
        if len(r) == 0:
            raise ValueError("No finite calibration residual: the held-out targets are all NaN.")
        level = min(1.0, math.ceil((len(r) + 1) * coverage) / len(r))
        out[h] = np.quantile(r, level, method="higher")
    return out


class _BaseForecaster(SaveMixin, BaseEstimator):
    """Shared implementation; use :class:`LSTMForecaster` or :class:`GRUForecaster`."""

    _regressor = None

    _parameter_constraints = {
        **{k: v for k, v in _BaseRNNRegressor._parameter_constraints.items()
           if k not in ("scale_target",)},
        "window": [Interval(Integral, 1, None, closed="left"), None],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "normalize": [StrOptions(set(NORMALIZATIONS))],
        "season_length": [Interval(Integral, 1, None, closed="left"), None],
        "n_models": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, window=None, horizon=1, hidden_size=32, num_layers=1, bidirectional=False,
                 attention=False, dropout=0.0, loss="squared_error", huber_delta=1.0,
                 quantile=0.5, max_iter=200, batch_size=32, learning_rate_init=3e-3, alpha=1e-4,
                 weight_decay=0.0, clip_norm=1.0, early_stopping=True, validation_fraction=0.15,
                 n_iter_no_change=20, tol=1e-4, normalize="last", season_length=None, n_models=1,
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
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # ------------------------------------------------------------ scaling
    def _encode(self, levels, n_win, exog_past=None, exog_future=None):
        """Network inputs for the ``n_win`` windows starting at rows 0, 1, ...

        levels : (n_rows, k) filled levels. Without exogenous features the
        windows are a strided VIEW of the standardized series ``z`` (float32)
        and, with ``normalize="last"``, each window's own last value is passed
        as an offset that the engine subtracts per batch -- nothing of size
        windows x window is materialized. With exogenous features
        (exog_past (n_win, T, m), exog_future (n_win, H, m)) the sequence gets
        H future steps and is built whole.

        Returns X (n_win*k, L, F) float32 (rows time-major: window, then
        series), offsets (n_win*k, F) or None, and the reference levels
        (n_win, k) that the targets are expressed against.
        """
        T = self.window_
        k = levels.shape[1]
        last = self.normalize == "last"
        ref = levels[T - 1:T - 1 + n_win] if last else np.broadcast_to(self.center_, (n_win, k))
        if exog_past is None:
            z = np.ascontiguousarray((levels - self.center_) / self.scale_, dtype=np.float32)  # (n, k)
            item = z.itemsize
            X = np.lib.stride_tricks.as_strided(z, shape=(n_win * k, T, 1),
                                                strides=(item, k * item, item), writeable=False)
            offsets = z[T - 1:T - 1 + n_win].reshape(n_win * k, 1) if last else None
            return X, offsets, ref
        hist = np.lib.stride_tricks.sliding_window_view(levels, T, axis=0)[:n_win]  # (n_win, k, T)
        zw = (hist - ref[..., None]) / self.scale_[:, None]  # (n_win, k, T)
        H, m = exog_future.shape[1], exog_future.shape[2]
        seq = np.zeros((n_win, k, T + H, 2 + m))  # features: y, observed flag, exog
        seq[:, :, :T, 0] = zw
        seq[:, :, :T, 1] = 1.0
        seq[:, :, :T, 2:] = exog_past[:, None]
        seq[:, :, T:, 2:] = exog_future[:, None]
        return seq.reshape(n_win * k, T + H, 2 + m).astype(np.float32), None, ref

    # ----------------------------------------------------------------- fit
    def fit(self, y, X=None):
        """Fit on a series (Series) or several series (DataFrame, one per column).

        Parameters
        ----------
        y : pd.Series or pd.DataFrame
            Indexed by a DatetimeIndex/PeriodIndex with an inferable
            frequency, or a RangeIndex. NaN values are allowed: they are left
            out of the loss as targets and carried forward as inputs.
        X : pd.DataFrame or array-like of shape (len(y), n_exog), optional
            Exogenous features aligned with y. Their future values must then
            be given to ``predict``.

        Returns
        -------
        self
        """
        validate_parameter_constraints(self._parameter_constraints, self.get_params(deep=False),
                                       caller_name=type(self).__name__)
        frame, is_series = check_series(y)
        n, k = frame.shape
        values = frame.to_numpy()
        if np.isnan(values).all(axis=0).any():
            raise ValueError("y has a column with no observed value (all NaN).")
        H = self.horizon
        season = self.season_length or season_length(frame.index)
        T = self.window or default_window(n, season, H)
        if n < T + H:
            raise ValueError(
                f"y has {n} observations, but window ({T}) + horizon ({H}) = {T + H} are needed "
                "for one training window. Use a shorter window or horizon, or a longer series.")
        exog = align_exog(X, frame.index)
        filled = frame.ffill().bfill().to_numpy()  # (n, k) inputs never hold NaN
        self.center_ = np.nanmean(values, axis=0)  # (k,)
        if self.normalize == "last":
            steps = np.nanstd(np.diff(values, axis=0), axis=0) if n > 2 else np.zeros(k)
        else:
            steps = np.zeros(k)
        spread = np.nanstd(values, axis=0)
        scale = np.where(np.isfinite(steps) & (steps > 0), steps, spread)
        self.scale_ = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)  # (k,)
        if exog is not None:
            self.exog_mean_ = exog.mean(axis=0)
            self.exog_scale_ = np.where(exog.std(axis=0) > 0, exog.std(axis=0), 1.0)
            exog = (exog - self.exog_mean_) / self.exog_scale_  # (n, m)
        n_win = n - T - H + 1
        self.window_ = T
        future = np.lib.stride_tricks.sliding_window_view(values[T:], H, axis=0)[:n_win]  # (n_win, k, H)
        ex_past = ex_future = None
        if exog is not None:
            ex_past = np.lib.stride_tricks.sliding_window_view(exog, T, axis=0)[:n_win].transpose(0, 2, 1)
            ex_future = np.lib.stride_tricks.sliding_window_view(exog[T:], H, axis=0)[:n_win].transpose(0, 2, 1)
        Xw, offsets, ref = self._encode(filled, n_win, ex_past, ex_future)
        Yw = ((future - ref[..., None]) / self.scale_[:, None]).reshape(n_win * k, H)  # time-major rows
        if self.early_stopping and n_win * k < 4:
            raise ValueError(
                f"Only {n_win * k} training windows: too few to hold out a validation part for "
                "early_stopping. Use a shorter window/horizon or early_stopping=False.")
        self._fit_regressors(Xw, Yw.astype(np.float32), offsets)
        self.y_ = y.copy()
        self.exog_ = exog
        self.n_exog_ = 0 if exog is None else exog.shape[1]
        self.season_length_ = season
        self._is_series = is_series
        self._columns = frame.columns
        self._calibrate(Xw, Yw, offsets)
        return self

    def _fit_regressors(self, Xw, Yw, offsets):
        params = {name: getattr(self, name) for name in
                  _BaseRNNRegressor._parameter_constraints if name != "scale_target"}
        rs = check_random_state(self.random_state)
        seeds = rs.randint(2**31 - 1, size=self.n_models)
        old = getattr(self, "regressors_", None) if self.warm_start else None
        regs = []
        for i, seed in enumerate(seeds):
            reg = old[i] if old and i < len(old) else self._regressor(
                **{**params, "random_state": int(seed), "scale_target": False})
            reg.set_params(warm_start=self.warm_start)
            regs.append(reg._fit_arrays(Xw, Yw, 2, offsets))
        self.regressors_ = regs
        self.n_iter_ = max(r.n_iter_ for r in regs)  # epochs of the longest ensemble member

    def _predict_normalized(self, Xw, offsets=None):
        """Mean over the ensemble of the networks' outputs (n, H)."""
        return np.mean([r._predict_arrays(Xw, offsets).reshape(len(Xw), -1)
                        for r in self.regressors_], axis=0)

    def _calibrate(self, Xw, Yw, offsets):
        """Absolute residuals (normalized units) of the last windows, per step.

        With early stopping these windows were held out of the gradient
        steps, so the residuals are out-of-sample; see ``predict_interval``.
        """
        n_cal = max(1, int(math.ceil(self.validation_fraction * len(Xw))))
        rows = np.flatnonzero(np.isfinite(Yw).any(axis=1))[-n_cal:]  # skip all-NaN targets
        res = np.abs(Yw[rows] - self._predict_normalized(
            Xw[rows], None if offsets is None else offsets[rows]))  # (n_cal, H)
        self.calibration_residuals_ = res

    # ------------------------------------------------------------- predict
    def _history(self, y):
        if y is None:
            frame, _ = check_series(self.y_)
            return frame
        frame, _ = check_series(y)
        if list(frame.columns) != list(self._columns) and not (self._is_series and frame.shape[1] == 1):
            raise ValueError(f"y has columns {list(frame.columns)}, but the forecaster was fitted "
                             f"on {list(self._columns)}.")
        if len(frame) < self.window_:
            raise ValueError(f"y has {len(frame)} observations; at least window={self.window_} "
                             "are needed to forecast from it.")
        return frame

    def _future_exog(self, X, frame, h):
        """Standardized exog for the last window of ``frame`` and the next h steps."""
        if self.n_exog_ == 0:
            if X is not None:
                raise ValueError("X was given to predict, but the forecaster was fitted without "
                                 "exogenous features.")
            return None, None
        if X is None:
            raise ValueError(
                f"The forecaster was fitted with {self.n_exog_} exogenous feature(s): pass their "
                f"future values for the {h} forecast steps as predict(X=...).")
        fut_index = future_index(frame.index, h)
        if hasattr(X, "shape") and len(X) == self.window_ + h:  # history window + future rows
            whole = frame.index[-self.window_:].append(fut_index)
            ex = (align_exog(X, whole) - self.exog_mean_) / self.exog_scale_
            return ex[:self.window_], ex[self.window_:]
        ex = (align_exog(X, fut_index) - self.exog_mean_) / self.exog_scale_
        if ex.shape[1] != self.n_exog_:
            raise ValueError(f"X has {ex.shape[1]} columns; the forecaster was fitted on {self.n_exog_}.")
        return self.exog_[-self.window_:], ex

    def _forecast(self, horizon, X, y):
        check_is_fitted(self, "regressors_")
        h = self.horizon if horizon is None else horizon
        if not isinstance(h, (Integral, np.integer)) or isinstance(h, bool) or h < 1:
            raise ValueError(f"horizon must be a positive integer, got {horizon!r}.")
        frame = self._history(y)
        ex_past, ex_future = self._future_exog(X, frame, h)
        hist = frame.ffill().bfill().to_numpy()[-self.window_:]  # (T, k) levels
        H, out = self.horizon, []
        for start in range(0, h, H):
            past = fut = None
            if ex_past is not None:
                past = ex_past if start == 0 else np.concatenate([ex_past, ex_future[:start]])[-self.window_:]
                fut = ex_future[start:start + H]
                if len(fut) < H:  # last block: repeat the last known row (outputs beyond h dropped)
                    fut = np.concatenate([fut, np.repeat(fut[-1:], H - len(fut), axis=0)])
                past, fut = past[None], fut[None]
            Xw, offsets, ref = self._encode(hist, 1, past, fut)
            z = self._predict_normalized(Xw, offsets).reshape(-1, H)  # (k, H)
            block = ref[0][:, None] + z * self.scale_[:, None]  # (k, H) levels
            out.append(block)
            hist = np.concatenate([hist, block.T])[-self.window_:]
        levels = np.concatenate(out, axis=1)[:, :h].T  # (h, k)
        return levels, future_index(frame.index, h)

    def predict(self, horizon=None, X=None, y=None):
        """Forecast the ``horizon`` steps after the end of the series.

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast (default: the trained ``horizon``). Up to the
            trained horizon the network forecasts all steps at once (direct);
            beyond it, blocks are forecast and fed back (recursive).
        X : pd.DataFrame or array-like of shape (horizon, n_exog), optional
            Future exogenous values; required when fitted with X.
        y : pd.Series or pd.DataFrame, optional
            Forecast after the end of this history instead of the training
            series (same columns; at least ``window_`` observations), with the
            fitted weights and scaling: no refit.

        Returns
        -------
        pd.Series or pd.DataFrame
            Indexed by the next ``horizon`` periods, named like ``y``.
        """
        levels, index = self._forecast(horizon, X, y)
        if self._is_series:
            return pd.Series(levels[:, 0], index=index, name=self.y_.name)
        return pd.DataFrame(levels, index=index, columns=self._columns)

    def predict_interval(self, coverage=0.9, horizon=None, X=None, y=None):
        """Forecast intervals by split conformal prediction.

        The half-width for step h is the finite-sample-corrected ``coverage``
        quantile of the absolute residuals of the last training windows
        (``calibration_residuals_``, held out of training by early stopping),
        times the series' scale. Beyond the trained horizon (recursive
        blocks), block b's widths grow by sqrt(b + 1). With
        ``early_stopping=False`` the residuals are in-sample and the
        intervals too narrow.

        Returns
        -------
        pd.DataFrame
            Columns ``lower`` and ``upper`` for one series; for several, a
            column MultiIndex (series, lower/upper).
        """
        if not isinstance(coverage, Real) or not 0 < coverage < 1:
            raise ValueError(f"coverage must be a number in (0, 1), got {coverage!r}.")
        levels, index = self._forecast(horizon, X, y)
        q = conformal_quantiles(self.calibration_residuals_, coverage)  # (H,)
        H = len(q)
        steps = np.arange(len(index))
        half = (q[steps % H] * np.sqrt(steps // H + 1))[:, None] * self.scale_[None, :]  # (h, k)
        lower, upper = levels - half, levels + half
        if self._is_series:
            return pd.DataFrame({"lower": lower[:, 0], "upper": upper[:, 0]}, index=index)
        cols = pd.MultiIndex.from_product([self._columns, ["lower", "upper"]])
        data = np.stack([lower, upper], axis=2).reshape(len(index), -1)
        return pd.DataFrame(data, index=index, columns=cols)

    def score(self, y, X=None):
        """Negative mean absolute error of the forecast of the steps in ``y``.

        ``y`` is the stretch right after the training data (what
        ``TimeSeriesSplit`` gives as a test fold), so ``GridSearchCV`` picks
        by out-of-sample forecast error.
        """
        frame, _ = check_series(y)
        pred, _ = self._forecast(len(frame), X, None)
        actual = frame.to_numpy()
        ok = ~np.isnan(actual)
        return -float(np.mean(np.abs(pred[ok] - actual[ok])))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.non_deterministic = False
        return tags


_DOC = """{cell} forecaster for pandas time series.

    Hand it a ``pd.Series`` (or a ``pd.DataFrame`` of several series, one per
    column: ONE global model learns from the windows of all of them; for one
    model per series fit a forecaster per column,
    ``{{c: {name}().fit(df[c]) for c in df}}``) and get a forecast with the
    right future dates.

    Parameters
    ----------
    window : int or None, default=None
        Input steps per window. None picks three seasonal periods of the
        index's frequency (at least 8), capped by the series length.
    horizon : int, default=1
        Steps forecast at once (direct multi-output). Longer ``predict``
        horizons are forecast recursively in blocks of ``horizon``.
    normalize : {{"last", "standard"}}, default="last"
        "last": each window minus its last value, divided by the series'
        standard deviation of one-step changes -- handles trends and level
        shifts. "standard": the series' mean and standard deviation.
    season_length : int or None, default=None
        Seasonal period; None infers it from the frequency (12 for monthly,
        4 quarterly, 7 daily, 24 hourly, 52 weekly, 1 otherwise).
    n_models : int, default=1
        Seeds in the ensemble whose forecasts are averaged (small RNNs vary
        by seed).
    early_stopping : bool, default=True
        Hold out the last ``validation_fraction`` of the windows (time order)
        for early stopping; they also calibrate ``predict_interval``.
    validation_fraction : float, default=0.15
    learning_rate_init : float, default=3e-3
    **others
        hidden_size, num_layers, bidirectional, attention, dropout, loss,
        huber_delta, quantile, max_iter, batch_size, alpha, weight_decay,
        clip_norm, n_iter_no_change, tol, device, random_state, verbose,
        warm_start: as in :class:`tsgate.{cell}Regressor`.

    Attributes
    ----------
    regressors_ : list of {cell}Regressor
        The fitted network(s).
    window_, season_length_ : int
    n_iter_ : int
        Epochs run (the most over the ensemble; each regressor has its own).
    y_ : pd.Series or pd.DataFrame
        The training series.
    scale_ : ndarray of shape (n_series,)
    calibration_residuals_ : ndarray of shape (n_calibration, horizon)

    Notes
    -----
    NaN values in ``y`` are masked out of the loss as targets and carried
    forward (then backward, for leading NaN) as inputs; forecasts are never
    NaN. Exogenous features must be complete.

    Examples
    --------
    >>> import tsgate
    >>> from tsgate.datasets import load_airline
    >>> y = load_airline()
    >>> model = tsgate.{name}(horizon=12, max_iter=5, random_state=0).fit(y)
    >>> model.predict().index[0]
    Timestamp('1961-01-01 00:00:00')
    """


class LSTMForecaster(_BaseForecaster):
    __doc__ = _DOC.format(cell="LSTM", name="LSTMForecaster")
    _regressor = LSTMRegressor


class GRUForecaster(_BaseForecaster):
    __doc__ = _DOC.format(cell="GRU", name="GRUForecaster")
    _regressor = GRURegressor
