"""The exogenous features' linear effect on a series (regression with ETS errors).

The smoothing stage (:mod:`tsgate.smoothing`) forecasts a series from its
own past; a feature such as a promotion, a price or a holiday moves the
series in ways its past cannot show. Left to the stage, a promotion's jump
enters the level and the seasonal indices (and is carried into the next
steps as if it were news), and the networks learn the effect weakly from a
short series: 72 monthly points with a promotion worth +15 (noise 1) gave a
learnt effect of about +3, and forecasts WORSE than without the feature.

So the effect is taken out first, as regression with ARIMA or ETS errors
does: per series, on the working scale ``z`` (n,) with raw features
``X`` (n, m)::

    z_t = x_t . beta + w_t

where ``w`` is what the stage smooths and the networks correct; the
forecast adds ``x_{T+j} . beta`` back. ``beta`` is estimated by least
squares on differences of ``z`` and ``X`` (with an intercept, the drift),
which a wandering level, a trend and -- at the seasonal lag -- the
seasonal pattern do not bias, as Hyndman and Khandakar's ``auto.arima``
starts its regression on differenced data. Lag 1 and, for a seasonal
period, lag ``period`` are tried; the one with the smaller residual
variance is kept (the seasonal lag where the season dominates the one-step
changes, lag 1 where a wandering level dominates the seasonal ones).

Each coefficient is shrunk by its evidence, ``beta * max(0, 1 - 1 / t**2)``
(``t``: its least-squares t statistic), so a feature the data cannot
support adds no noise to the forecast: at ``|t| = 1`` nothing is kept, at
``|t| = 2`` three quarters, at ``|t| = 5`` 96%. A feature that does not
change within the series (a static attribute, or one constant over the
history) has no difference to learn from and gets 0: the networks still
read every feature.
"""
import numpy as np

MIN_ROWS_PER_COEFFICIENT = 2  # differenced rows per estimated coefficient, at the least


def _fit(z, X, lag):
    """Least squares of the ``lag``-differences of z (n,) on those of X (n, m)
    and an intercept: (beta (m,), t statistics (m,), residual variance), or
    None where too few rows are observed."""
    dz = z[lag:] - z[:-lag]  # (n - lag,)
    dX = X[lag:] - X[:-lag]  # (n - lag, m)
    ok = np.isfinite(dz)
    dz, dX = dz[ok], dX[ok]
    m = X.shape[1]
    moving = np.flatnonzero(np.abs(dX).max(axis=0, initial=0.0) > 0)  # columns that change
    rows = len(dz)
    if len(moving) == 0 or rows < MIN_ROWS_PER_COEFFICIENT * (len(moving) + 1):
        return None
    A = np.column_stack([dX[:, moving], np.ones(rows)])  # (rows, k + 1)
    coef, _, rank, _ = np.linalg.lstsq(A, dz, rcond=None)
    resid = dz - A @ coef
    dof = rows - rank
    if dof < 1:
        return None
    var = float(resid @ resid) / dof
    cov = var * np.linalg.pinv(A.T @ A)  # (k + 1, k + 1)
    se = np.sqrt(np.maximum(np.diag(cov)[:-1], 0.0))  # (k,)
    beta, t = np.zeros(m), np.zeros(m)
    beta[moving] = coef[:-1]
    t[moving] = np.where(se > 0, np.abs(coef[:-1]) / np.where(se > 0, se, 1.0), np.inf)
    return beta, t, var


def linear_effect(z, X, period=1):
    """The coefficients (m,) of the features' linear effect on z.

    Parameters
    ----------
    z : ndarray of shape (n,)
        Working-scale values (NaN: missing).
    X : ndarray of shape (n, m)
        The features' raw values at the same steps (finite).
    period : int, default 1
        Seasonal period; above 1 the seasonal differences are tried too.

    Returns
    -------
    ndarray of shape (m,)
        Zero for every feature where the series is too short to estimate
        them (fewer than ``MIN_ROWS_PER_COEFFICIENT`` observed differences
        per coefficient).
    """
    z = np.asarray(z, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    n, m = X.shape
    # least squares on z and each feature divided by its largest size: the
    # same coefficients and t statistics, but no square overflows (a feature
    # of size 1e155 was otherwise fitted as inf and NaN, and dropped)
    z_size = float(np.nanmax(np.abs(z), initial=0.0)) or 1.0
    x_size = np.max(np.abs(X), axis=0, initial=0.0)  # (m,)
    x_size = np.where(x_size > 0, x_size, 1.0)
    best = None
    for lag in sorted({1, int(period)}):
        if lag >= n:
            continue
        fit = _fit(z / z_size, X / x_size, lag)
        if fit is not None and (best is None or fit[2] < best[2]):
            best = fit
    if best is None:
        return np.zeros(m)
    beta, t = best[0] * z_size / x_size, best[1]
    with np.errstate(divide="ignore"):
        keep = np.where(t > 1, 1.0 - 1.0 / np.square(t), 0.0)  # (m,) in [0, 1)
    return beta * keep

