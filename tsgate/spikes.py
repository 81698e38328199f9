"""Isolated spikes in a series: data errors set missing before the fit
(:func:`without_spikes`)."""
import numpy as np

from .bandunit import MAD_TO_SD
from .regression import linear_effect

SPIKE_SIGMAS = 10.0  # without_spikes: a jump and its return, each beyond this many robust SDs
SPIKE_MIN_CHANGES = 8  # fewer observed one-step changes: no spike is looked for


def _median(a):
    """``np.median`` of a non-empty finite (k,), the same value, without its
    per-call overhead (1.8 of the 7.9 s of Python in a fit of Tourism)."""
    s = np.sort(a)
    k = len(s)
    return (s[(k - 1) // 2] + s[k // 2]) / 2.0


def _robust_sd(d):
    d = d[np.isfinite(d)]
    return MAD_TO_SD * float(_median(np.abs(d - _median(d)))) if len(d) else 0.0


def _neighbours(observed, reach):
    """Per step, its nearest observed step before it and after it, at most
    ``reach`` steps away, else -1: two (n,) int arrays."""
    n = len(observed)
    steps = np.arange(n)
    last = np.maximum.accumulate(np.where(observed, steps, -1))  # (n,) observed at or before
    nxt = np.minimum.accumulate(np.where(observed, steps, n)[::-1])[::-1]  # at or after
    before = np.concatenate([[-1], last[:-1]])  # (n,) strictly before
    after = np.concatenate([nxt[1:], [n]])  # (n,) strictly after
    before = np.where((before >= 0) & (steps - before <= reach), before, -1)
    after = np.where((after < n) & (after - steps <= reach), after, -1)
    return before, after


def without_spikes(y, period, exog=None):
    """y (n,), or where it has isolated spikes a copy with them set to NaN
    (missing).

    A spike is a value that jumps away from the one before it and back at
    the one after it, both changes more than ``SPIKE_SIGMAS`` robust
    standard deviations (median absolute deviation) of the series' one-step
    changes, in opposite directions, and, for ``period`` > 1, also that far
    from the value a season before (in the first season: a season after), so
    a seasonal peak that recurs is none. Changes are taken on the log scale where
    every value is positive. A data error such as one value 1000 times too
    large otherwise drove the smoothing level, the networks' inputs and the
    bands (forecasts of a series near 10 at 26-13,500). The last value is
    never one: nothing after it says whether it returns. Nor is anything
    in a series whose typical change is 0 (constant stretches, intermittent
    counts): there a jump is not unusual on this measure.

    At 10 SDs, on whole Tourism and M1 (1,311 + 1,001 series) 22 series have
    spikes, 47 values in all: 36 in 12 Tourism monthly series (moving
    holidays such as Easter, one-off events), 6 in 5 M1 monthly series, 5
    in Tourism yearly and quarterly, none in M1 yearly and quarterly
    (``benchmarks/README.md``).

    With exogenous features ``exog`` (n, m), their linear effect
    (:func:`tsgate.regression.linear_effect`) is taken out of the values
    first: a promotion's jump and return is the feature's doing, not a data
    error (as spikes they were set missing, and with them every step the
    effect could have been learnt from).
    """
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    finite = np.isfinite(y)
    if finite.sum() <= SPIKE_MIN_CHANGES:
        return y
    z = np.log(np.where(finite, y, 1.0)) if (y[finite] > 0).all() else y
    z = np.where(finite, z, np.nan)
    if exog is not None:
        z = z - exog @ linear_effect(z, exog, period)
    d1 = np.diff(z)  # (n-1,)
    s1 = _robust_sd(d1)
    if not s1 > 0:
        return y
    limit = SPIKE_SIGMAS * s1
    # the changes into and out of each t from its nearest observed neighbours, one
    # missing value away at most (a reading 100 times too large beside a missing one
    # was kept: its change to the NaN is no change); without gaps, d1 itself
    before, after = _neighbours(finite, 2)  # (n,) each; -1 where none
    t = np.flatnonzero(finite & (before >= 0) & (after >= 0))
    up, back = z[t] - z[before[t]], z[after[t]] - z[t]
    spike = np.zeros(n, dtype=bool)
    with np.errstate(invalid="ignore"):
        # opposite directions (signs, not a product: that overflows for values of size 1e200)
        spike[t] = (np.abs(up) > limit) & (np.abs(back) > limit) & (np.sign(up) != np.sign(back))
        if period > 1 and n > period:
            dm = z[period:] - z[:-period]  # (n-m,)
            sm = _robust_sd(dm)
            far = np.abs(dm) > SPIKE_SIGMAS * sm if sm > 0 else np.abs(dm) > 0  # (n-m,)
            # t against t - m; in the first season, which has none, against t + m
            # (where the series is shorter than two seasons, the rest of it: not tested);
            # where t - m is missing, against t + m too
            first = np.ones(period, dtype=bool)  # (m,)
            first[:min(period, n - period)] = far[:period]
            against = np.concatenate([first, far])  # (n,)
            gone = np.flatnonzero(np.isnan(dm)) + period  # (t,) whose t - m is missing
            ahead = gone[gone + period < n]
            against[ahead] = far[ahead]  # (far[t] compares t + m with t)
            spike &= against
    if not spike.any():
        return y
    out = y.copy()
    out[spike] = np.nan
    return out
