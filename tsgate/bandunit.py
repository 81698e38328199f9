"""The unit of a series' forecast errors: the smoothing stage's one-step
noise and its growth with the step.

A forecaster's intervals are normalized conformal bands
(:mod:`tsgate.calibration`): each series' calibration residuals are
divided by its unit at the cut, pooled, and its band is the pooled
quantile times its unit at the end. The unit is the one-step error of
the series' smoothing stage (:mod:`tsgate.smoothing`) over its history,
what ETS's intervals scale with, grown to the step as the stage's own
forecast errors grow; no error is scored against seasonal indices it was
made into (:func:`first_scored`).
"""

import numpy as np

from .moments import MIN_SCALE, root_mean_square

NOISE_FLOOR = 0.05  # one-step noise never taken below this fraction of the unit
NOISE_HALF_LIFE_SEASONS = 2  # the recent noise's weights halve every 2 seasons ...
NOISE_HALF_LIFE_MIN = 4  # ... or every 4 steps where that is longer (no seasonality)
NOISE_CLIP = 3.0  # noise(robust=True): errors clipped to 3 robust standard deviations
MAD_TO_SD = 1.4826  # a normal sample's standard deviation over its median absolute deviation
# a forecaster's interval_unit_: band_unit (collections), noise(robust=True) (fewer series);
# files from tsgate 0.1 may hold "noise", the plain noise
STEP_UNIT, ROBUST_UNIT = "step noise", "robust noise"


def noise_half_life(period):
    """Half-life in steps of the weights of the recent :func:`noise` of a
    stage with this seasonal period: two seasons (two years of quarterly or
    monthly data), 4 steps without seasonality."""
    return max(NOISE_HALF_LIFE_SEASONS * int(period), NOISE_HALF_LIFE_MIN)


def recency_weights(ages, period):
    """Weights (k,) of values ``ages`` (k,) steps before the newest: halved
    every :func:`noise_half_life` steps of a stage with this period (the
    band unit's recent noise and the atom at zero of a band alike)."""
    return 0.5 ** (np.asarray(ages) / noise_half_life(period))


def first_scored(period):
    """The first step whose one-step error a stage's initial seasonal
    indices were not made of: 1 without seasonality, else one and a half
    seasons.

    The stage initialises each phase's index from the first two seasons'
    deviations from their centred moving average (:mod:`tsgate.smoothing`),
    those of the steps from half a season to one and a half: the second
    season's first half had made its own indices, and its errors were near
    0 (with two seasons of weekly data, half the scored errors; their
    median set the robust unit's clip, and a noise of 3 got a unit of 1.2
    and an 80% band covering half the test weeks). A later value of the
    first two seasons still enters the indices weakly, through the moving
    averages and their centring (a unit's change of it moves its own
    forecast by 0.03-0.13 for m = 24 to 3).

    Parameters
    ----------
    period : int
        The stage's seasonal period (1: none).

    Returns
    -------
    int
    """
    m = int(period)
    return m + m // 2 if m > 1 else 1


def one_step_errors(z, sm, end=None, start=None):
    """The stage's one-step forecast errors of z (n,) and their steps.

    The error at step ``t`` is ``z[t] - (level[t - 1] + season[t - m])``
    (with an inner cycle, its newest index: ``Smoothing.seasonal``), for
    ``t`` from ``start`` (default: :func:`first_scored`, the first error
    not scored against an initial index it made) to before ``end``
    (default: all of z); steps whose error is NaN are left out.

    Parameters
    ----------
    z : ndarray of shape (n,)
        The working-scale values the stage was filtered on.
    sm : tsgate.smoothing.Smoothing
    end, start : int, optional

    Returns
    -------
    steps : ndarray of shape (k,)
    errors : ndarray of shape (k,)
    """
    end = len(z) if end is None else end
    m = sm.period
    t = np.arange(max(first_scored(m) if start is None else start, 1), end)  # (k,) steps
    season = sm.seasonal(t - 1, 1) if m > 1 else 0.0
    e = z[t] - sm.level[t - 1] - season  # (k,)
    ok = np.isfinite(e)
    return t[ok], e[ok]


def _clip_limit(x):
    """Where :func:`noise` (robust) and :func:`noise_floor` clip values x
    (k,): ``NOISE_CLIP`` times their robust standard deviation about 0
    (``MAD_TO_SD`` times their median absolute value, their sd were they
    normal); 0 where that median is 0 (no clipping)."""
    return NOISE_CLIP * (MAD_TO_SD * float(np.median(np.abs(x))))


def noise(z, sm, end=None, recent=False, robust=False, start=None):
    """Root mean square of the stage's one-step errors of z (n,) before ``end``.

    The error at step ``t`` is ``z[t] - (level[t - 1] + season[t - m])``
    (with an inner cycle, its newest index: ``Smoothing.seasonal``), the
    smoothing's own one-step forecast error (what ETS's intervals scale
    with), for ``t`` from :func:`first_scored` on (one and a half seasons,
    1 without seasonality), NaN skipped. ``recent``: a weighted mean square
    whose weights halve every :func:`noise_half_life` steps back from
    ``end``, the noise of the recent past, so that a series that has
    calmed down (or grown wilder) gets a band of its present size (on whole Tourism and M1, MSIS up to 24% lower
    than with equal weights on five subsets, 3% higher on Tourism yearly;
    ``benchmarks/README.md``). ``robust``: each error is first clipped to
    ``NOISE_CLIP`` times the errors' robust standard deviation (``MAD_TO_SD``
    times their median absolute value), so that one outlier does not set
    the unit: one series' band is the quantile of its residuals in the unit
    at the cut times the unit at the end, and an outlier after the cut
    inflated both (one model per series, 30 series per subset of Tourism and
    M1: mean MSIS of Tourism quarterly 21.1 -> 15.4; no gain for collections,
    whose recent unit it made worse on all six subsets). Where fewer than two
    errors exist, the stage's unit ``sm.scale``; never below
    :func:`noise_floor`, ``NOISE_FLOOR`` times it (robust: times its
    changes' mean with outlying changes clipped), so that a series the
    smoothing fits almost exactly does not get a band of width zero.

    Parameters
    ----------
    z : ndarray of shape (n,)
        The working-scale values the stage was filtered on (or their first
        ``end``).
    sm : tsgate.smoothing.Smoothing
    end : int, optional
        Use steps before this one (default: all of z).
    recent : bool, default False
        Weigh recent errors more (above); default: all errors weigh the same.
    robust : bool, default False
        Clip outlying errors (above).
    start : int, optional
        The first step scored (default: :func:`first_scored`; a fit saved
        before it scored from one season, ``HoldoutErrors._unit``).

    Returns
    -------
    float
    """
    end = len(z) if end is None else end
    m = sm.period
    t, e = one_step_errors(z, sm, end, start)  # (k,) each
    if len(e) < 2:
        return float(sm.scale)
    if robust:
        limit = _clip_limit(e)
        if limit > 0:
            e = np.clip(e, -limit, limit)
    w = recency_weights(end - 1 - t, m) if recent else np.ones(len(e))  # (k,)
    return max(root_mean_square(e, w), noise_floor(z, sm, end, robust))


def noise_floor(z, sm, end=None, robust=False):
    """The least one-step noise of a stage (:func:`noise`): ``NOISE_FLOOR``
    times its unit ``sm.scale``, the mean absolute seasonal change of z (n,)
    before ``end``. ``robust``: of those changes clipped as :func:`noise`
    clips errors (to ``NOISE_CLIP`` times their robust standard deviation),
    where that is smaller and above ``MIN_SCALE``: the clipped errors and an
    unclipped floor made one jump count twice. A near-constant series (noise
    1e-3) whose last value jumped by 30 had the noise at its cut (the jump
    one calibration residual of 38,663 units) and a floor at the end set by
    the jump's share of the mean change (0.032, 41 times the noise): its 95%
    band ran to 1,290 around a forecast of 52.

    Parameters
    ----------
    z : ndarray of shape (n,)
    sm : tsgate.smoothing.Smoothing
    end : int, optional
        Use the values before this step (default: all of z).
    robust : bool, default False

    Returns
    -------
    float
    """
    scale = float(sm.scale)
    if robust:
        v = np.asarray(z[:len(z) if end is None else end], dtype=np.float64)  # (end,)
        lag = max(int(sm.period), 1)
        d = np.abs(v[lag:] - v[:-lag]) if len(v) > lag else np.zeros(0)
        d = d[np.isfinite(d)]  # (k,)
        limit = _clip_limit(d) if len(d) > 1 else 0.0
        if limit > 0:
            clipped = float(np.mean(np.minimum(d, limit)))
            if clipped > MIN_SCALE:
                scale = min(scale, clipped)
    return NOISE_FLOOR * scale


def error_growth(sm, h):
    """How the stage's forecast error grows with the step: (h,) factors.

    For exponential smoothing with a level and seasonal indices (ETS(A,N,A),
    Hyndman et al. 2008, class 1), the variance of the ``j``-step forecast
    error is the one-step variance times ``1 + sum_{i<j} c_i ** 2``, with
    ``c_i = alpha + gamma * (1 - alpha)`` where ``i`` is a whole number of
    seasons and ``alpha`` otherwise (plus ``delta * (1 - alpha)`` where
    ``i`` is a whole number of inner cycles). The factor is its square root: 1 at
    step 1, then growing fast for a series the smoothing follows closely
    (``alpha`` near 1, a random walk's ``sqrt(j)``) and hardly at all for a
    stable level (``alpha`` near 0).

    Parameters
    ----------
    sm : tsgate.smoothing.Smoothing
    h : int
        Steps ahead.

    Returns
    -------
    ndarray of shape (h,)
    """
    i = np.arange(1, h)  # (h-1,)
    seasonal = sm.gamma * (1.0 - sm.alpha) if sm.period > 1 else 0.0
    c = sm.alpha + seasonal * (i % max(sm.period, 1) == 0)  # (h-1,)
    if sm.inner > 1:  # and the inner cycle's indices, once per inner cycle
        c = c + sm.delta * (1.0 - sm.alpha) * (i % sm.inner == 0)
    return np.sqrt(1.0 + np.concatenate([[0.0], np.cumsum(c * c)]))


GROWTH_POWER = 0.5  # band_unit: the square root of error_growth (see there)


def band_unit(z, sm, h, end=None, start=None):
    """The unit of a series' forecast errors at steps 1..h: (h,).

    Its recent one-step noise (:func:`noise` with ``recent=True``) times
    ``error_growth(sm, h) ** GROWTH_POWER``. The calibration residuals of
    every series are divided by it, pooled, and a series' band is the
    pooled quantile times its own unit, so that a series whose smoothing
    follows it closely (errors growing fast with the step) gets a band that
    widens faster than a series with a stable level. The square root: the
    forecast is about half the networks' (their weight on competition data),
    whose errors need not grow as the smoothing's do. On whole Tourism and
    M1 (GRU, seed 0), MSIS against no growth: the whole growth gave M1
    monthly -29% and quarterly -11%, but Tourism monthly +13%; its square
    root -23%, -8% and +1.4%, the same geometric mean over the six subsets
    (-6%) with a smaller worst case (``benchmarks/README.md``).

    Parameters
    ----------
    z : ndarray of shape (n,)
        The working-scale values the stage was filtered on.
    sm : tsgate.smoothing.Smoothing
    h : int
        Steps ahead.
    end : int, optional
        Use the one-step errors before this step (default: all of z).
    start : int, optional
        The first step scored (:func:`noise`).

    Returns
    -------
    ndarray of shape (h,)
    """
    return noise(z, sm, end, recent=True, start=start) * error_growth(sm, h) ** GROWTH_POWER
