"""Whether a series is seasonal at a period: the Theta method's 90% test on
its one-step changes or on its detrended values (:func:`is_seasonal`).

The smoothing stage (:mod:`tsgate.smoothing`) takes a seasonal component,
and the log scale, only where the test passes; :mod:`tsgate.seasons` asks it
of the candidate periods of sub-daily data.
"""
import math

import numpy as np

MIN_SEASONS = 2  # seasons of observed values below which no series is seasonal
LAG_SEASONS = 3  # seasons of values the lag test needs (of one-step changes: one more value)


def testable(z, m):
    """Whether z (n,) holds enough observed values to be tested at period m
    (``MIN_SEASONS`` seasons): a shorter one is never seasonal."""
    return m >= 2 and int(np.count_nonzero(np.isfinite(z))) >= MIN_SEASONS * m


def _dot(a, b):
    """The dot product of two (n,) arrays without BLAS (NumPy's own loop):
    np.dot's threads met the kernels' on two cores, and 168 of them on a
    series of 100,000 hours took 2.7 s instead of 7 ms."""
    return float(np.einsum("i,i->", a, b))


def lag_testable(z, m):
    """Whether z (n,) holds ``LAG_SEASONS`` seasons of one-step changes, what
    the lag test of :func:`is_seasonal` needs (shorter ones take the phases'
    F-test only, from ``MIN_SEASONS`` seasons on)."""
    return int(np.count_nonzero(np.isfinite(z))) - 1 >= LAG_SEASONS * m


def is_seasonal(z, m):
    """Whether z (n,) shows seasonality of period m: the Theta method's 90% test,
    on the one-step changes or on the series less its trend, else the
    phases' F-test on the series less its straight line.

    The test: the autocorrelation at lag ``m`` must exceed ``1.645 *
    sqrt((1 + 2 * sum_{k<m} r_k^2) / n)``, ``n`` the observed values tested.
    It runs on the one-step changes, so that a trend does not mask the
    pattern. Where they fail, it runs on z less its centered moving average
    over one season (2 x m for an even m: classical decomposition's
    detrending), which keeps the pattern at full strength where the
    changes double the noise (a monthly sine of amplitude 2 in noise of 1
    over 6 years passed 25% of the time on the changes, 95% so); there the
    seasons must also differ by phase (:func:`_phases_differ`): the moving
    average leaves a smooth series' residual a cycle of about m steps that
    is not tied to the phase (daily temperatures passed at the week).
    White noise, random walks and AR(1) series pass as often as on the
    changes alone, within half a point (1-8%;
    ``benchmarks/seasonality_test.py``). A missing value's neighbours are
    left out, the others keep their steps. A part with fewer than three
    seasons of values to test fails the lag test, as do constant series.

    Where both fail, the phases' F-test runs on z less its least-squares
    line (:func:`_off_line`), from two seasons of values on. The lag test
    needs three seasons of changes, and even then it rarely passes a short
    series: the lag-m autocorrelation of a season of amplitude 4 in noise of
    1 over 4 years is about 0.45, under the Theta limit of about 0.54 that
    the season's own autocorrelations at the shorter lags raise (it passed
    42% of 500 draws, the F-test 100%). Two and a half years of a strongly
    seasonal tourism series were forecast without their season: 40 Tourism
    monthly series cut to their last 30 months, horizon 24, one model per
    series, mean MASE 1.81 against seasonal naive's 1.04 (1.07 with this
    test); 40 quarterly ones cut to 12 quarters, 1.79 against 1.04 (1.08).
    At its level of 1% the F-test passes white noise, random walks, AR(1)
    series of 0.9 and trends in at most 2.5% of draws from two seasons on
    (``benchmarks/seasonality_test.py``).
    """
    if m < 2:
        return False
    z = np.asarray(z, dtype=np.float64)
    # variation within ROUNDING of the series' size is the arithmetic's, not the
    # data's: an exact line's changes and residuals (a line of 24 months was
    # seasonal on its rounding errors, its 80% band 0.003 wide and off the line)
    tol = ROUNDING * float(np.max(np.abs(z[np.isfinite(z)]), initial=0.0))
    d = np.diff(z)
    if _varies(d, tol) and _lag_test(d, m):
        return True
    x = _detrended(z, m)
    if _varies(x, tol) and _lag_test(x, m) and _phases_differ(x, m):
        return True
    r = _off_line(z)  # (n,) in units of the series' size
    # one value of a phase may be missing; the line's slope costs a degree of freedom
    return testable(z, m) and _varies(r, ROUNDING) and _phases_differ(r, m, least=1, fitted=1)


ROUNDING = 1e-12  # relative to a series' size: variation below it is rounding


def _varies(x, tol):
    """Whether the observed values of x vary by more than ``tol`` about their mean."""
    x = x[np.isfinite(x)]
    return len(x) > 1 and float(np.max(np.abs(x - x.mean()))) > tol


def _off_line(z):
    """z (n,) less its least-squares straight line over the observed values,
    divided by the largest observed size (the F-test is the same; no product
    overflows at 1e300); NaN stays NaN."""
    z = np.asarray(z, dtype=np.float64)
    ok = np.isfinite(z)
    size = float(np.max(np.abs(z[ok]), initial=0.0))
    if ok.sum() < 2 or size == 0:
        return z
    z = z / size
    t = np.arange(len(z), dtype=np.float64)  # (n,)
    tc = t - t[ok].mean()
    slope = _dot(tc[ok], z[ok] - z[ok].mean()) / _dot(tc[ok], tc[ok])
    return z - z[ok].mean() - slope * tc


PHASE_LEVEL = 0.01  # _phases_differ: the F-test's level


def _phases_differ(x, m, least=2, fitted=0):
    """Whether the values x (N,) differ by their phase ``i % m``: one-way
    analysis of variance (the F-test of stable seasonality), at level
    ``PHASE_LEVEL``; NaN left out. False where a phase has fewer than
    ``least`` values. ``fitted``: parameters already fitted to x beyond the
    phases' means (a line's slope: 1), each one degree of freedom fewer
    within the phases."""
    from scipy.special import betainc  # (imported here: most fits never get this far)

    phases = np.arange(len(x)) % m  # (N,)
    ok = np.isfinite(x)
    x, phases = x[ok], phases[ok]
    size = float(np.max(np.abs(x), initial=0.0))
    x = x / size if size > 0 else x  # the F statistic is the same; no square overflows
    counts = np.bincount(phases, minlength=m)  # (m,)
    n = len(x)
    d1, d2 = m - 1, n - m - fitted
    if counts.min() < max(least, 1) or d2 < 1:
        return False
    means = np.bincount(phases, weights=x, minlength=m) / counts  # (m,)
    between = np.sum(counts * (means - x.mean()) ** 2) / d1
    within = np.sum((x - means[phases]) ** 2) / d2
    if within <= 0:
        return bool(between > 0)
    f = between / within
    return bool(betainc(d2 / 2, d1 / 2, d2 / (d2 + d1 * f)) < PHASE_LEVEL)  # P(F > f)


def _detrended(z, m):
    """z (n,) less its centered moving average over one season (equal
    weights over m values for an odd m; over m + 1 with halves at the ends
    for an even one), where that average exists: (n - 2 * (m // 2),); NaN
    where its window holds a missing value."""
    z = np.asarray(z, dtype=np.float64)
    w = np.ones(m) / m if m % 2 else np.r_[0.5, np.ones(m - 1), 0.5] / m  # (2k + 1,)
    k = len(w) // 2
    if len(z) <= 2 * k:
        return np.empty(0)
    return z[k:len(z) - k] - np.convolve(z, w, mode="valid")


def _lag_test(x, m):
    """The Theta method's 90% test of :func:`is_seasonal` on x (N,), NaN
    where missing."""
    ok = np.isfinite(x)
    n, N = int(ok.sum()), len(x)
    if m < 2 or n < LAG_SEASONS * m:
        return False
    # a missing value's two changes are left out of every sum, each sum
    # scaled up to the pairs it would have had, and the other changes keep
    # their steps (dropping the value shifted every later change by one,
    # and one gap in four years of a clean monthly season failed the test);
    # without a gap every factor is 1
    x = np.where(ok, x - (x[ok].mean() if n else 0.0), 0.0)
    size = float(np.max(np.abs(x), initial=0.0))
    x = x / size if size > 0 else x  # the autocorrelations are the same; no dot overflows
    denom = _dot(x, x) * (N / n)
    if denom <= 0:
        return False
    # (m,) factors, exactly 1 without a gap
    fill = [1.0] * m if n == N else [
        (N - k) / max(int(np.count_nonzero(ok[:N - k] & ok[k:])), 1) for k in range(1, m + 1)]
    acf = np.array([_dot(x[:N - k], x[k:]) / denom * f
                    for k, f in zip(range(1, m + 1), fill)])  # (m,)
    limit = 1.645 * math.sqrt((1 + 2 * np.sum(acf[:-1] ** 2)) / n)
    return bool(abs(acf[-1]) > limit)
