"""The weights of the forecast's parts, chosen on the validation fit's cut tail.

A forecaster's forecast, in network units (the series' typical change on
the working scale), from the smoothing stage's own forecast::

    forecast = w * P + u * D + (1 - w) * S

where ``P`` is the networks' correction (the ensemble's median), ``D`` the
Theta method's trend term of the series without seasonality and ``S`` that
of the seasonal series (:func:`tsgate.trendterm.theta_drift`; each is zero
for the other kind). Both weights come from the out-of-sample errors of the
validation fit on the cut tail:

- ``u``, the trend weight: from the pair (correction weight, trend weight)
  of the least absolute error on a grid (``SHRINKAGE`` x ``DRIFT_WEIGHTS``);
  the forecast uses the networks' weight ``w`` below instead of the pair's,
  and where ``w`` with that trend weight errs on the tail by more than
  ``REPAIR`` times the pair's error, the trend weight is chosen again on
  ``DRIFT_WEIGHTS`` for ``w``. Networks that follow a trend and the trend
  term both carry it: the pairs along ``a + b / 2 = 1`` forecast a noisy
  line about equally well, and the grid's (0.25, 1.5) beside the
  inverse-MSE ``w`` of 0.11 had forecast 86% of its slope (6.8 below it 24
  months ahead; mean MASE 0.118 over 3 draws against AutoETS's 0.032, now
  0.057). Where ``w`` costs the tail little (0.6-2.3% on whole Tourism and
  M1, GRU, seed 0), the pair's trend weight stays: chosen again there
  anyway, it fitted the tail 0.5-1% better and forecast worse (M1
  quarterly's GM MASE ratio to AutoETS 0.948 -> 0.974, Tourism yearly's
  mean MASE 2.544 -> 2.560);
- ``w``, the networks' weight against the statistical forecast (smoothing
  plus ``u * D`` plus ``S``): the inverse-MSE combination weight of Bates & Granger
  (1969), ``mse_stat / (mse_stat + mse_net)``. It is near 0.5 when the two
  forecast about equally well and near 1 (or 0) when one is far better.
  Weights fitted to one short tail are noisy, and combinations near equal
  weights forecast better than fitted ones (the forecast combination
  puzzle): whole Tourism and M1, global GRU, 2 seeds, the GM MASE ratio to
  AutoETS fell on 11 of the 12 (subset, seed) pairs against the grid's
  weight (Tourism quarterly 0.965 -> 0.906), while a series whose network
  is far better (sunspots) keeps a weight near 1 (``benchmarks/README.md``).

A seasonal series' trend is in the statistical forecast only, at the
Theta method's own weight: the combination is then of the networks'
forecast (smoothing plus ``P``) and the Theta method's (smoothing plus
``S``), and the trend gets the statistical forecast's share ``1 - w``.
Without it, the statistical forecast of a seasonal series was its last
level, flat, however steady its trend. Whole subsets, global GRU, 3 seeds,
GM MASE ratio to AutoETS: M1 monthly 0.993 -> 0.968, quarterly 0.955 ->
0.946, M3 monthly 1.005 -> 0.982, quarterly 0.953 -> 0.920, but Tourism
monthly 0.897 -> 0.914 and quarterly 0.907 -> 0.938, whose test years grew
less than their past (``benchmarks/README.md``). In the networks'
forecast too, at a weight chosen on the cut tail as ``u`` is, the term cost
Tourism more (sessions 9 and 19): the tail's years grew faster than the
test's, and the networks already follow a trend a window shows.

The rows of every series are pooled, in network units, so one series
whose tail broke away from its past (a tenfold jump: errors of hundreds of
units) outweighed all the others: beside twelve seasonal series it set the
networks' weight to 0.5 and the trend weight to 2 (clipping such errors
at a bound still pulled the weight toward 0.5: they count alike for both
forecasts). Targets (the statistical forecast's errors before the trend
term) beyond ``TRIM`` times their median size are left out of both
choices; every error still enters the residuals. Whole Tourism and M1,
global GRU, 3 seeds: mean MASE within 0.002 of before on all six subsets,
the GM ratio to AutoETS 0.978 -> 0.959 on M1 quarterly and 0.987 -> 0.994
on M1 monthly, the others equal (``benchmarks/README.md``).

Where one series (or a few, fewer than ``folds.POOLED_UNIT_MIN_SERIES``)
is forecast fewer than ``folds.FOLD_MIN_STEP`` steps ahead
(:func:`pools_folds`), the first fold's tail holds only ``H`` origins of
each: the weights are then chosen on the rows of every validation fold
(such fits also calibrate on earlier folds, :mod:`tsgate.folds`), and the
trend weight is the Theta method's own (``THETA_WEIGHT``), not a choice
that follows whatever the last few origins did. One model per series,
whole subsets, seed 0, GM MASE ratio to AutoETS: Tourism yearly 0.998 ->
0.951 with the weights chosen on every fold, 0.937 with the Theta weight
too; M1 yearly 0.867 -> 0.847 -> 0.828; M1 quarterly 1.036 -> 1.025 ->
0.998; M3 yearly 1.078 -> 1.035 (both). A longer horizon keeps the first
fold's choice: its ``H`` origins are enough to choose on, and they are the
newest evidence. Applied there too, the earlier folds brought older
stretches (2010-2012, the recovery from the 2008 recession) into the
weights of US nonfarm employment (monthly, horizon 12; rolling MASE 0.147
-> 0.347), and the Theta weight halved the slope of a steady decline
(manufacturing, 0.088 -> 0.245 on top of the weights from every fold;
``benchmarks/README.md``).

Where the trend weight is chosen (not :func:`pools_folds`), a horizon near
the series' length leaves the validation fit a few points: its networks
learn no step past them, and the weights are chosen on their blind outputs
there. Past those steps (:func:`network_cells`) a series without
seasonality is forecast by the statistical forecast alone: the final
networks learn the far steps from the first origins' windows, and on a
trending series they carried the trend that ``u * D`` adds again (a noisy
line of 40 points forecast 36 ahead ran 15-22 above it).
"""
import numpy as np

from .folds import FOLD_MIN_STEP, POOLED_UNIT_MIN_SERIES

SHRINKAGE = np.linspace(0.0, 1.0, 5)  # correction weights searched with the trend weights
# weights of the Theta trend term, picked with them: from none (simple exponential
# smoothing) through the Theta method's half slope (1) to the whole least-squares
# slope (2), the range the Theta method's theta >= 1 spans
DRIFT_WEIGHTS = np.linspace(0.0, 2.0, 9)
# targets beyond this many times their median size are left out when the
# weights are chosen (one series' break must not choose for all)
TRIM = 10.0
# the trend weight is chosen again for the networks' weight w where w with the grid's
# trend weight errs on the tail by more than this times the grid pair's least error
REPAIR = 1.1
# the trend weight of the Theta method itself: taken, not chosen, where the
# weights pool the validation folds (pools_folds)
THETA_WEIGHT = 1.0


def pools_folds(n_series, horizon):
    """Whether a fit of ``n_series`` series forecast ``horizon`` steps
    chooses its weights on every validation fold's rows, with the trend
    weight ``THETA_WEIGHT`` (else on the first fold's, the trend weight
    chosen too): fewer series than ``POOLED_UNIT_MIN_SERIES`` and a
    horizon under ``FOLD_MIN_STEP``, where the first fold's tail holds fewer
    origins than each earlier fold adds."""
    return n_series < POOLED_UNIT_MIN_SERIES and horizon < FOLD_MIN_STEP


def network_cells(trended, seen, H):
    """Where the networks' forecast counts (rows, H): everywhere but past
    step ``seen`` (the steps the validation fit had targets for) of the
    rows ``trended`` (rows,), those of series without seasonality, whose
    trend is the Theta term ``D``. A seasonal series keeps the networks at
    every step: their far steps carry growth and season the smoothing's
    forecast lacks."""
    blind = np.arange(H) >= seen  # (H,)
    return ~(np.asarray(trended, dtype=bool)[:, None] & blind[None, :])  # (rows, H)


def weights(Y, P, D, drift=None, S=None):
    """The networks' weight ``w`` and the trend weight ``u`` from the cut tail.

    Parameters
    ----------
    Y : ndarray of shape (rows, H)
        Targets relative to the smoothing stage's forecast, in network
        units; NaN past a series' end.
    P : ndarray of shape (rows, H)
        The networks' forecast of them (the ensemble's median).
    D : ndarray of shape (rows, H)
        The trend term at weight 1 (zero for seasonal series).
    drift : float, optional
        Take this trend weight instead of choosing it (``w`` is still
        chosen, for the statistical forecast with it).
    S : ndarray of shape (rows, H), optional
        The seasonal series' trend term (zero for the others): part of the
        statistical forecast, so of the combined one at ``1 - w``.

    Returns
    -------
    w, u : float
        (The combined forecast's errors for them, on every row, are
        :func:`combined_errors`.)
    """
    size = np.abs(Y)  # (rows, H) NaN past a series' end
    finite = np.isfinite(size)
    limit = TRIM * float(np.median(size[finite])) if finite.any() else 0.0
    keep = finite & (size <= limit) if limit > 0 else finite  # (rows, H)
    y, p, d = Y[keep], P[keep], D[keep]  # (kept,) each
    s = np.zeros_like(y) if S is None else S[keep]
    if drift is None:
        grid = [(a, b) for a in SHRINKAGE for b in DRIFT_WEIGHTS]
        grid_errors = [np.mean(np.abs(y - combine(p, d, s, a, b))) if len(y) else 0.0
                       for a, b in grid]
        _, u = grid[int(np.argmin(grid_errors))]
    else:
        u = float(drift)
    statistical = y - u * d - s  # (kept,) errors of the statistical forecast
    mse_stat = float(np.mean(statistical ** 2)) if len(y) else 0.0
    mse_net = float(np.mean((y - u * d - p) ** 2)) if len(y) else 0.0
    total = mse_stat + mse_net
    w = mse_stat / total if total > 0 else 0.5
    # the trend weight again where w broke the grid's pair
    if drift is None and len(y) and np.mean(np.abs(y - combine(p, d, s, w, u))) > REPAIR * min(
            grid_errors):
        errors = [np.mean(np.abs(y - combine(p, d, s, w, b))) for b in DRIFT_WEIGHTS]
        u = float(DRIFT_WEIGHTS[int(np.argmin(errors))])
    return float(w), float(u)


def combine(P, D, S, w, u):
    """The combined forecast ``w * P + u * D + (1 - w) * S`` (rows, H), in
    network units from the smoothing stage's forecast: the one formula of
    the forecast, of its validation errors and of the weights' choice.

    ``w`` is a float or per cell (rows, H) (0 where :func:`network_cells`
    leaves the networks out: only series without seasonality, whose ``S``
    is zero); ``S`` None for files saved before the seasonal trend term.
    """
    out = w * P + u * D
    return out if S is None else out + (1 - w) * S


def combined_errors(Y, P, D, w, u, S=None):
    """The combined forecast's errors ``Y - combine(P, D, S, w, u)`` (rows, H)
    for the weights :func:`weights` chose: on every row, those left out of
    the choice too, and on an earlier validation fold's tail forecast."""
    return Y - combine(P, D, S, w, u)
