"""The exponential-smoothing stage: level and seasonal indices per series.

Before the network sees a series, each series is put on a working scale
``z`` (the log of the values when every observed value is positive, the
logs are seasonal and the stage fits them better than the values, so that
multiplicative seasonality becomes additive and scale-free; the values
themselves otherwise, see :func:`takes_log`) and
filtered by additive exponential smoothing with a level and seasonal indices
(ETS(A,N,A) in error-correction form; Holt-Winters without a trend, as in
ES-RNN)::

    e_t   = z_t - (l_{t-1} + s_{t-m})        one-step error
    l_t   = l_{t-1} + alpha * e_t
    s_t   = s_{t-m} + gamma * (1 - alpha) * e_t

The filter is causal after its start: ``level[t]`` and ``season[t]`` use
observations up to ``t`` only, except in the first two seasons, whose
starting level (the first season's mean) and indices (a decomposition of
the first two seasons) read all of them; so a training window ending at
``t`` sees no later data through them from the third season on, and the
first ``2 m`` windows of each series see at most those two seasons (never
a validation or test step). Missing values (NaN) skip the update. The
smoothing coefficients are chosen per series on a small grid by the
one-step squared error, from one and a half seasons on: the steps before
made the initial indices (:func:`tsgate.bandunit.first_scored`, where the
band unit starts too); a series the Theta method's 90% seasonality test
does not find seasonal (:func:`tsgate.seasonality.is_seasonal`) gets no
seasonal component.

Sub-daily series whose season is the week (:mod:`tsgate.seasons`) also
get an inner cycle, the day: ``e_t`` is then taken against ``l_{t-1} +
d_{t-m1} + w_{t-m}``, and ``d`` (the day's indices) and ``w`` (the week's
deviations from them) are each updated as ``s`` above, with coefficients
``delta`` and ``gamma`` (double seasonal Holt-Winters, Taylor 2003), so
that the day's profile is learned every day rather than once a week;
their coefficients are chosen by the squared errors of the forecasts 1 to
``m1`` steps ahead (:func:`smooth`).

The network then learns what the smoothing misses (trend, changes of the
pattern, what the other series of a collection share); see
:mod:`tsgate.encoding`.
"""
import math
from dataclasses import dataclass, replace

import numpy as np

from ._jitcache import CACHE, njit
from .bandunit import first_scored, one_step_errors
from .moments import MIN_SCALE, mean_spread
from .regression import linear_effect
from .seasonality import is_seasonal, testable

ALPHAS = np.array([0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0])
GAMMAS = np.array([0.0, 0.05, 0.1, 0.2, 0.35])
# no C entry point (``dispatcher.cfunc``, never used): less to compile on a first fit
_JIT = dict(cache=CACHE, nogil=True, no_cfunc_wrapper=True)


@njit(**_JIT)
def _run(z, m, m1, alphas, gammas, deltas, level, season, daily, first):
    """Smooth z (n,) with the coefficients (alpha, gamma, delta) of the grid
    with the least SSE, writing its level (n,), season (n,) and, with an
    inner season, its part daily (n,); a grid of one point is run as given.
    Returns (alpha, gamma, delta, sse). The SSE is of the one-step errors
    from step ``first`` on (:func:`tsgate.bandunit.first_scored`), or with an
    inner season of the 1..m1-step forecasts.

    ``daily`` is None exactly when there is no inner season (``m1 == 1``):
    Numba then prunes every branch of the inner season before compiling
    (a branch on ``arg is not None`` of a None argument), so a series
    without one -- nearly every series -- compiles about a quarter less
    code on a first fit (0.24 CPU s, measured); sub-daily data compile the
    second specialization when they first need it.

    Each grid point runs the filter over the whole series. The first two
    seasons initialize the indices, the first season the level; the steps
    before ``first`` are not scored (the first season, and the second's
    first half, whose values made their own initial indices: their errors
    are near 0 at any coefficient). With an inner season (``m1 > 1``, ``m % m1 ==
    0``), the first two seasons' indices split into the mean profile of the
    inner cycle and the outer season's deviations from it.

    One function, not a filter and a horizon score called from a grid loop:
    Numba compiles a called function on its own (and again inside its
    caller), and inlining one as big as the filter copies its IR at a cost
    that grows with its size; either way about 0.4-0.9 s more of a first
    fit's compile (measured).
    """
    n = z.shape[0]
    n_gammas = len(gammas) if m > 1 else 1
    n_deltas = len(deltas) if m1 > 1 else 1
    n_grid = len(alphas) * n_gammas * n_deltas
    if n_grid == 1:  # nothing to choose
        best_a, best_g, best_d, n_grid = alphas[0], gammas[0], deltas[0], 0
    else:
        best_a, best_g, best_d = alphas[-1], 0.0, 0.0
    best = np.inf
    sse = 0.0
    # (m,) current seasonal index per phase; (m1,) the inner cycle's
    ring = np.empty(m)
    inner = np.empty(m1)
    for c in range(n_grid + 1):  # the grid, then the best again for its level and season
        if c < n_grid:
            alpha = alphas[c // (n_gammas * n_deltas)]
            gamma = gammas[(c // n_deltas) % n_gammas]
            delta = deltas[c % n_deltas]
        else:
            alpha, gamma, delta = best_a, best_g, best_d
        if c < n_grid and m > 1 and alpha >= 1.0:  # alpha = 1 would freeze the seasonal indices
            continue
        # np.empty and loops, not np.zeros: one overload fewer to compile on a first fit
        for j in range(m):
            ring[j] = 0.0
        for j in range(m1):
            inner[j] = 0.0
        if m > 1 and n >= 2 * m:
            # classical decomposition of the first two seasons: each phase's
            # deviation from the centred moving average (2 x m for even m), one
            # per phase, so that a trend does not leak into the indices
            half = m // 2
            total = 0.0
            for t in range(half, half + m):
                acc = weight = 0.0
                for j in range(t - half, t + half + 1):
                    w = 0.5 if (m % 2 == 0 and (j == t - half or j == t + half)) else 1.0
                    if not math.isnan(z[j]):
                        acc += w * z[j]
                        weight += w
                if weight > 0 and not math.isnan(z[t]):
                    ring[t % m] = z[t] - acc / weight
                total += ring[t % m]
            for j in range(m):
                ring[j] -= total / m
            if daily is not None:  # the inner cycle's mean profile, and the rest of each phase
                for j in range(m):
                    inner[j % m1] += ring[j] * m1 / m
                for j in range(m):
                    ring[j] -= inner[j % m1]
        lev = acc_level = 0.0
        count = 0
        for t in range(n if n < m else m):  # not min(): one overload fewer to compile
            if not math.isnan(z[t]):
                acc_level += z[t] - ring[t % m] - inner[t % m1]
                count += 1
        lev = acc_level / (count if count > 0 else 1)
        sse = 0.0  # the one-step errors
        for t in range(n):
            if not math.isnan(z[t]):
                e = z[t] - (lev + inner[t % m1] + ring[t % m])
                if t >= first:
                    sse += e * e
                lev += alpha * e
                ring[t % m] += gamma * (1.0 - alpha) * e
                if daily is not None:
                    inner[t % m1] += delta * (1.0 - alpha) * e
            level[t] = lev
            if daily is not None:
                daily[t] = inner[t % m1]
            season[t] = inner[t % m1] + ring[t % m]
        if daily is not None:
            # the 1..m1-step forecasts (:meth:`Smoothing.seasonal`) of every
            # observation from the third season on
            sse = 0.0
            for t in range(2 * m, n):
                if math.isnan(z[t]):
                    continue
                for k in range(1, m1 + 1):
                    back = t - m * ((k + m - 1) // m)  # latest step of t's phase at or before t - k
                    back1 = t - m1 * ((k + m1 - 1) // m1)
                    e = z[t] - (level[t - k] + season[back] - daily[back] + daily[back1])
                    sse += e * e
        if c < n_grid and sse < best:
            best, best_a, best_g, best_d = sse, alpha, gamma, delta
    return best_a, best_g, best_d, sse


def _filter(z, m, alpha, gamma, level, season, m1=1, delta=0.0, daily=None):
    """Run the smoothing over z (n,) with the given coefficients; write level
    (n,), season (n,) and, with an inner season ``m1``, its part ``daily``
    (n,); return the SSE. ``daily`` is given exactly when ``m1 > 1``."""
    if (daily is not None) != (m1 > 1):
        raise ValueError(f"daily must be given exactly with an inner season; m1={m1}, "
                         f"daily {'given' if daily is not None else 'None'}.")
    return _run(z, m, m1, np.array([float(alpha)]), np.array([float(gamma)]),
                np.array([float(delta)]), level, season, daily, first_scored(m))[3]


def same_phase(end, steps, period):
    """The latest step at or before ``end`` in the same seasonal phase as
    ``end + steps``; for steps of the first season, its phase's position
    (the indices there come from the initial two seasons)."""
    back = end + steps - period * np.ceil(steps / period).astype(int)
    return np.where(back >= 0, back, back % period)


@dataclass
class Smoothing:
    """The smoothing stage of one series, on its working scale.

    Attributes
    ----------
    log : bool
        Whether ``z = log(y)`` (:func:`takes_log`: positive, seasonal, multiplicative) or ``z = y``.
    period : int
        Seasonal period used (1: no seasonal component).
    alpha, gamma : float
        Smoothing coefficients of the level and the seasonal indices.
    level, season : ndarray of shape (n,)
        Causal level and seasonal index after each step.
    scale : float
        Mean absolute ``period``-step change of z (lag 1 without
        seasonality): the unit the network's inputs and targets are
        expressed in, as MASE's denominator is the error's unit.
    beta : ndarray of shape (m,) or None
        The exogenous features' linear effect on the working scale
        (:func:`tsgate.regression.linear_effect`), taken out of ``z``
        before the smoothing; None without features.
    inner : int
        Period of an inner seasonal cycle that divides ``period`` (the day
        of a weekly season of sub-daily data), 1 for none.
    delta : float
        Smoothing coefficient of the inner cycle's indices.
    daily : ndarray of shape (n,) or None
        The inner cycle's part of ``season`` after each step (None without one).
    """

    log: bool
    period: int
    alpha: float
    gamma: float
    level: np.ndarray
    season: np.ndarray
    scale: float
    beta: np.ndarray = None
    inner: int = 1
    delta: float = 0.0
    daily: np.ndarray = None

    def times(self, factor):
        """This stage of the series times ``factor`` (not on the log scale):
        its level, indices, unit and features' effect scaled."""
        def scaled(a):
            return None if a is None else a * factor
        return replace(self, level=self.level * factor, season=self.season * factor,
                       scale=self.scale * factor, beta=scaled(self.beta), daily=scaled(self.daily))

    def seasonal(self, ends, steps):
        """The seasonal part of the forecasts (N, H) of the steps ``steps``
        (H,) ahead of each origin ``ends`` (N, 1) (or broadcastable), as
        known at the origin: the index of the same phase, and with an inner
        cycle, the outer deviation as last updated plus the inner index as
        last updated (each updated once per its own cycle)."""
        back = same_phase(ends, steps, self.period)
        if self.inner <= 1:
            return self.season[back]
        return self.season[back] - self.daily[back] + self.daily[same_phase(ends, steps, self.inner)]

    def to_working(self, y, exog=None):
        """Values y (n,) on the working scale; with the features' rows
        ``exog`` (n, m) of a stage with ``beta``, their effect taken out."""
        z = np.log(y) if self.log else np.asarray(y, dtype=np.float64)
        return z if exog is None or self.beta is None else z - exog @ self.beta

    def from_working(self, z, exog=None):
        """Working-scale values z (n,) back to the series' scale; with the
        features' rows ``exog`` (n, m), their effect added back first."""
        if exog is not None and self.beta is not None:
            z = z + exog @ self.beta
        return np.exp(z) if self.log else z


def takes_log(y, period, exog=None):
    """Whether series y (n,) goes on the log scale: every observed value
    positive, the logs seasonal at ``period`` (:func:`is_seasonal`), and
    the stage fitting the logs better than the values by the likelihood of
    its one-step errors on the values' scale (Box and Cox's comparison of
    their lambda 0 and 1, with Laplace errors, which one spike sways less
    than normal ones): the errors' mean absolute value on the log scale
    times the values' geometric mean below that on their own scale, both
    from one and a half seasons on (:func:`tsgate.bandunit.first_scored`).
    With exogenous features ``exog`` (n, m) their linear effect on
    each scale is taken out first (promotions' jumps otherwise hid the
    season of a multiplicative series: it stayed on its own scale, where a
    lift of 30% is no constant effect).

    Seasonal logs alone sent series with a few deep dips (M3 N2117: months
    of 300 among 2,000-7,000) to the log scale, where each dip is an error
    of 2-3 units: their 95% bands reached 40,000-170,000 (MSIS 350 against
    AutoETS's 8); the likelihood keeps them on their own scale.

    The log makes multiplicative seasonality (most business and tourism
    series) additive. A series without seasonality stays on its own scale,
    where the Theta trend term (:func:`theta_drift`) is the Theta method's
    straight line; on the log scale the same term compounds as growth, which
    overshot on yearly competition series (whole Tourism and M1 yearly,
    global models: mean MASE 2.752 -> 2.569 and 3.52 -> 3.26 with the
    straight line and a trend weight up to 2; ``benchmarks/README.md``).
    A seasonal series on the log scale takes the trend's shape, compounding
    or straight in the values, that fits its history better
    (:mod:`tsgate.trendterm`).
    """
    return _scale_choice(y, period, exog)[0]


def inner_cycle(period, inner):
    """``inner`` where it is an inner cycle of ``period`` (shorter, dividing
    it: the day of a week of hours), else 1 (none)."""
    period, inner = int(period), int(inner)
    return inner if 1 < inner < period and period % inner == 0 else 1


def first_period(y, period, inner=1):
    """The period a series' stage tries first: ``period``, or its inner
    cycle ``inner`` where y (n,) holds too few values to show ``period``
    (two seasons: :func:`tsgate.seasonality.testable`): ten days of hours
    in a collection that takes the week. Its spikes, features' effect and
    scale are then judged at the day, which the stage will smooth."""
    day = inner_cycle(period, inner)
    return day if day > 1 and not testable(y, period) else int(period)


def _scale_choice(y, period, exog=None, inner=1):
    """:func:`takes_log`'s answer for y (n,), and the stages (without an
    inner cycle) it fitted on the way, by scale: ``{True: on the logs,
    False: on the values}`` (some or none), which :func:`smooth` reuses.
    With an inner cycle candidate ``inner``, the choice is made at the
    cycle the stage will smooth (:func:`smooth`): the inner one where the
    logs are not seasonal at ``period`` (a short series' day; until session
    56 its logs were judged at the week alone, and it stayed on its own
    scale)."""
    y = np.asarray(y, dtype=np.float64)
    observed = y[np.isfinite(y)]
    if not len(observed) or not (observed > 0).all():
        return False, {}
    period = first_period(y, period, inner)
    logs = smooth(y, period, log=True, exog=exog)
    day = inner_cycle(period, inner)  # (1 where the day is tried first already)
    if logs.period == 1 and day > 1:  # the day alone
        period = day
        logs = smooth(y, period, log=True, exog=exog)
    if logs.period == 1:  # the logs are not seasonal
        return False, {True: logs}
    own = smooth(y, period, log=False, exog=exog)
    fitted = {True: logs, False: own}
    # mean absolute errors on each scale (Laplace likelihoods), of the same steps:
    # those the seasonal stage's initial indices were not made of
    start = first_scored(period)
    steps, e_log = one_step_errors(logs.to_working(y, exog), logs, start=start)
    _, e_own = one_step_errors(own.to_working(y, exog), own, start=start)
    if not len(e_log) or not len(e_own):
        return False, fitted
    geometric_mean = math.exp(float(np.mean(np.log(y[steps]))))
    return float(np.mean(np.abs(e_log))) * geometric_mean < float(np.mean(np.abs(e_own))), fitted


LARGEST_FITTED = 2.0 ** 330  # smooth: largest |value| fitted as it is (about 2e99)
SMALLEST_FITTED = 2.0 ** -60  # smooth: smallest largest |value| whose coefficients are chosen as it is


def _largest(z):
    """The largest absolute observed value of z (n,), 0 for none."""
    observed = np.abs(z[np.isfinite(z)])
    return float(observed.max()) if len(observed) else 0.0


def _tiny_exponent(z):
    """0 unless the largest absolute value of z is below ``SMALLEST_FITTED``
    (and above 0), else the power of 2 that brings it to [0.5, 1)."""
    big = _largest(z)
    return -int(np.frexp(big)[1]) if 0.0 < big < SMALLEST_FITTED else 0


def _extreme_exponent(y):
    """0 for a series whose largest absolute value is from half of
    ``MIN_SCALE`` to ``LARGEST_FITTED`` (or that has none), else the power
    of 2 that brings it to [0.5, 1): :func:`smooth` fits such a series
    scaled by it, an exact scaling in floats, as the squared errors that
    choose its coefficients overflow beyond about 1e150, and the unit of a
    series below float32's range was floored at ``MIN_SCALE`` (at 1e-50: a
    unit of 1, the networks' correction lost and the band 24 times too
    narrow). (A history of changes of 1e-38 followed by a 2 is fitted as it
    is: the floor keeps the 2 within float32 in units of that history.)"""
    big = _largest(y)
    return int(np.frexp(big)[1]) if big > LARGEST_FITTED or 0.0 < big < MIN_SCALE / 2 else 0


CONSTANT_UNIT = 0.01  # change_scale of a constant series: this fraction of its size


def change_scale(z, lag):
    """Mean absolute ``lag``-step change of z (n,), ignoring NaN; lag 1 if too
    short. Where that is not above ``MIN_SCALE`` (a constant series), the
    spread, else ``CONSTANT_UNIT`` times the mean absolute value (a change
    of 1% of its size), else 1 (a series of zeros).

    The unit of a constant series scales with it, as every other unit does:
    a unit of 1 whatever the series' size made the networks' correction an
    absolute amount (in a collection, a constant series at 0.001 forecast
    0.015 three steps ahead, and its band was 0.1 wide).
    """
    if np.isfinite(z).sum() <= lag:
        lag = 1
    d = np.abs(z[lag:] - z[:-lag]) if len(z) > lag else np.array([])
    d = d[np.isfinite(d)]
    scale = float(d.mean()) if len(d) else 0.0
    if not scale > MIN_SCALE:
        observed = z[np.isfinite(z)]
        spread = mean_spread(observed)[1] if len(observed) > 1 else 0.0
        size = CONSTANT_UNIT * mean_spread(np.abs(observed))[0] if len(observed) else 0.0
        scale = spread if spread > MIN_SCALE else size if size > MIN_SCALE else 1.0
    return scale


def smooth(y, period, log=None, like=None, exog=None, inner=1):
    """Fit the smoothing stage to one series.

    Parameters
    ----------
    y : ndarray of shape (n,)
        The series' values; NaN marks a missing value.
    period : int
        Candidate seasonal period (1: none). It is used only if the series
        holds two seasons and passes :func:`is_seasonal`.
    log : bool, optional
        Force or forbid the log scale; default: :func:`takes_log` (every
        observed value positive, the logs seasonal and fitted better).
    like : Smoothing, optional
        Reuse this stage's scale choice, period, coefficients, unit and
        features' effect instead of choosing them (to extend a series by its
        own forecasts, or to filter a whole series with a cut one's stage).
    exog : ndarray of shape (n, m), optional
        Exogenous features' raw values at y's steps: their linear effect
        (:func:`tsgate.regression.linear_effect`, estimated on the working
        scale) is taken out before the seasonality test and the smoothing.
    inner : int, default 1
        Candidate period of an inner cycle that divides ``period`` (the day
        of a weekly season of sub-daily data). A series not seasonal at
        ``period`` (too short to show the week, of a collection that takes
        it) is smoothed at ``inner`` alone where it is seasonal there.
        Where the series is seasonal
        at ``period`` and at ``inner``, the stage smooths both (double
        seasonal Holt-Winters, Taylor 2003): the inner indices follow a
        daily profile that changes from day to day, which weekly indices,
        each updated once a week, follow seven times slower. Its
        coefficients are then chosen by the squared errors of the forecasts
        1 to ``inner`` steps ahead: chosen by one-step errors alone, a
        stage that nearly repeats yesterday wins, whose forecasts of the
        rest of the day drift.

    Returns
    -------
    Smoothing
    """
    y = np.asarray(y, dtype=np.float64)
    if like is not None:  # filtered at the scale the choices were made at (below): at 1e307
        # the sums overflowed, near 1e-307 the steps went subnormal (a loaded model's forecast
        # differed from the fitted one's in its last bits)
        k = 0 if like.log else _extreme_exponent(y)
        if k:
            half, rest = 2.0 ** (k // 2), 2.0 ** (k - k // 2)
            return smooth(np.ldexp(y, -k), period, False, like.times(1 / half).times(1 / rest),
                          exog, inner).times(half).times(rest)
        z = like.to_working(y, exog)  # (n,)
        level, season = np.empty(len(z)), np.empty(len(z))
        daily = np.empty(len(z)) if like.inner > 1 else None
        k = _tiny_exponent(z)
        _filter(np.ldexp(z, k) if k else z, like.period, like.alpha, like.gamma, level, season,
                like.inner, like.delta, daily)
        for a in (level, season) + ((daily,) if daily is not None else ()):
            np.ldexp(a, -k, out=a)
        return Smoothing(like.log, like.period, like.alpha, like.gamma, level, season, like.scale,
                         like.beta, like.inner, like.delta, daily)
    if log is None:
        log, fitted = _scale_choice(y, period, exog, inner)
        if int(inner) == 1 and log in fitted:  # the stage the choice fitted already
            return fitted[log]
    k = 0 if log else _extreme_exponent(y)
    if k:  # fitted on y / 2**k, exactly: the squared errors overflowed (an additive
        # random walk at 1e200 chose alpha 1 where at 1 it chose 0.8)
        # (in two exact halves: 2.0 ** 1024, for values from 2 ** 1023, overflows)
        return smooth(np.ldexp(y, -k), period, False, None, exog, inner).times(
            2.0 ** (k // 2)).times(2.0 ** (k - k // 2))
    z = np.log(y) if log else y.copy()  # (n,)
    period = first_period(z, period, inner)  # (a short series: the day alone)
    beta = None
    if exog is not None:
        beta = linear_effect(z, exog, period)  # (m,)
        z = z - exog @ beta
    inner = inner_cycle(period, inner)
    if is_seasonal(z, period):  # (first_period: an int)
        m = period
        inner = inner if inner > 1 and is_seasonal(z, inner) else 1
    else:  # the inner cycle alone, where the series shows it (too short for the week)
        m, inner = (inner if inner > 1 and is_seasonal(z, inner) else 1), 1
    level, season = np.empty(len(z)), np.empty(len(z))
    daily = np.empty(len(z)) if inner > 1 else None
    # a tiny series' coefficients are chosen on it times 2**k (its squared errors underflowed:
    # at 1e-300 alpha 0.05 where at 1 it is 0.8), its level and indices scaled back exactly
    k = _tiny_exponent(z)
    alpha, gamma, delta, _ = _run(np.ldexp(z, k) if k else z, m, inner, ALPHAS, GAMMAS, GAMMAS,
                                  level, season, daily, first_scored(m))
    for a in (level, season) + ((daily,) if daily is not None else ()):
        np.ldexp(a, -k, out=a)
    return Smoothing(log=log, period=m, alpha=float(alpha), gamma=float(gamma), level=level,
                     season=season, scale=change_scale(z, m), beta=beta, inner=inner,
                     delta=float(delta), daily=daily)


def choices(stages):
    """What :func:`stage` reuses of each fitted stage (``like=``), as arrays
    a saved model holds: (k, 8) rows of log, period, alpha, gamma, scale,
    inner, delta and the first level (``"standard"``'s centre), and the
    features' effects (k, m), or None without features."""
    rows = np.array([[float(s.log), s.period, s.alpha, s.gamma, s.scale, s.inner, s.delta,
                      s.level[0] if len(s.level) else 0.0] for s in stages], dtype=np.float64)
    betas = ([s.beta for s in stages] if stages and all(s.beta is not None for s in stages)
             else None)
    return rows.reshape(len(stages), 8), None if betas is None else np.stack(betas)


def from_choices(row, beta=None):
    """A stage that :func:`stage` takes as ``like``: the choices of one row of
    :func:`choices` (its level and indices are not read)."""
    log, period, alpha, gamma, scale, inner, delta, first = row
    return Smoothing(bool(log), int(period), float(alpha), float(gamma), np.array([first]),
                     np.zeros(1), float(scale), beta, int(inner), float(delta))


NORMALIZATIONS = ("smooth", "last", "standard")


def stage(y, normalize, period, like=None, log=None, exog=None, inner=1):
    """The normalisation stage of one series, by name.

    ``"smooth"``: :func:`smooth` (log scale where :func:`takes_log`,
    level and seasonal indices). ``"last"``: no log, no season; the level is the last
    observed value (smoothing with alpha = 1) and the unit the standard
    deviation of one-step changes. ``"standard"``: the level is the series'
    mean and the unit its standard deviation, for every window.

    ``like`` reuses a fitted stage's choices on a longer or newer history;
    ``log`` forces or forbids the log scale of ``"smooth"`` (default:
    :func:`takes_log`); ``exog`` (n, m), the features' rows, has its linear
    effect taken out by ``"smooth"`` (the other two leave the features to
    the networks); ``inner``, an inner cycle's candidate period for
    ``"smooth"`` (:func:`smooth`).
    """
    if normalize == "smooth":
        return smooth(y, period, log=log, like=like, exog=exog, inner=inner)
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    if normalize == "last":
        level, season = np.empty(n), np.empty(n)
        _filter(y, 1, 1.0, 0.0, level, season)
        if like is not None:
            return Smoothing(False, 1, 1.0, 0.0, level, season, like.scale)
        d = np.diff(y)
        d = d[np.isfinite(d)]
        scale = mean_spread(d)[1] if len(d) > 1 else 0.0
        scale = scale if scale > MIN_SCALE else change_scale(y, 1)
        return Smoothing(False, 1, 1.0, 0.0, level, season, scale)
    if like is not None:
        center, scale = like.level[0], like.scale
    else:
        center, spread = mean_spread(y)
        # a constant series' unit is a share of its size, as change_scale's
        scale = spread if spread > MIN_SCALE else change_scale(y, 1)
    return Smoothing(False, 1, 0.0, 0.0, np.full(n, center), np.zeros(n), scale)
