"""The Theta method's trend term of a series, from each forecast origin.

On the values' own scale the term is the Theta method's straight line. A
seasonal positive series whose season is multiplicative is smoothed on the
log scale (:func:`tsgate.smoothing.takes_log`), where the same term, a
straight line in the logs, compounds: right for growth at a steady rate,
and far off for a steady linear trend. A monthly series that rose from 5 to
97 in five years has its fastest relative growth at the start, so the logs'
least-squares slope over the history is about twice its relative growth
at the end; one that fell from 100 to 8 is falling ever faster in the logs.
So on the log scale each origin's term takes the trend's shape that fits
its history better, in the logs (the stage's error scale): a straight line
in the logs, or a straight line in the values, whose increment is then
taken relative to the level at the origin (:func:`_relative_to_logs`). A
values' line that would reach zero within the horizon cannot continue a
positive series: that origin keeps the logs' line (a series falling in a
straight line to near zero was otherwise forecast at 1e-49 and below).
"""
import numpy as np

# a falling straight line in the values is followed down to this fraction of
# the level at the origin, and decays at the rate it reached there after it,
# down to the zero it may not reach within the horizon: the term stays above
# log(HALF) - (1 - HALF) / HALF (a forecast of 18% of the level at HALF = 0.5)
HALF = 0.5


def theta_drift(z, sm, ends, H, shapes=True):
    """The Theta method's trend term (N, H) on the working scale, from each origin.

    Half the least-squares slope ``b`` of the deseasonalised values
    ``z - season`` over the observations up to each origin ``T`` (causal),
    times the Theta method's horizon factor for simple exponential smoothing
    with the stage's ``alpha`` (Hyndman & Billah, 2003)::

        drift_j = b / 2 * (j - 1 + 1 / alpha - (1 - alpha) ** n_T / alpha)

    where ``n_T`` counts the observations up to ``T``. Added to the
    smoothing's own forecast (level plus seasonal index) it gives the Theta
    method's forecast. Origins with fewer than two observations get 0.

    On the log scale (``sm.log``), an origin whose history up to it (two
    seasons or more, and six observations) a straight line in the values
    fits better than one in the logs (:func:`linear_in_values`) takes ``b``
    of the values (``exp(z - season)``), its term the increment relative
    to the level ``exp(level_T)`` (:func:`_relative_to_logs`), unless that
    increment reaches minus the level within ``H`` steps.

    Parameters
    ----------
    z : ndarray of shape (n,)
        Working-scale values (NaN: missing).
    sm : Smoothing
        The series' stage (season, level and alpha known up to the largest end).
    ends : ndarray of int of shape (N,)
        Origins, ``0 <= end < n``.
    H : int
        Steps ahead.
    shapes : bool, default=True
        Choose the shape on the log scale; False: the logs' line always (a
        model saved before the choice).

    Returns
    -------
    ndarray of shape (N, H)
    """
    n = len(z)
    ends = np.asarray(ends)
    d = z - sm.season[:n]  # (n,) deseasonalised
    ok = np.isfinite(d)
    slope, k = _slopes(d, ok, ends)  # (N,) each
    a = sm.alpha if sm.alpha > 0 else 1.0
    steps = np.arange(1, H + 1)
    factor = steps[None, :] - 1 + 1 / a - (1 - a) ** k[:, None] / a  # (N, H)
    drift = slope[:, None] / 2 * factor  # (N, H) the logs' line
    if not (shapes and sm.log and len(ends)):
        return drift
    least = max(6, 2 * sm.period)  # two seasons: what the stage's indices start from
    lines = np.array([linear_in_values(d, int(e), least) for e in ends], dtype=bool)  # (N,)
    if not lines.any():
        return drift
    # the values up to the last origin (the later ones no origin reads), divided
    # by their largest: an exact scaling, undone by the level's below
    seen = ok & (np.arange(n) <= ends.max())  # (n,)
    top = float(d[seen].max())
    values = np.where(seen, np.exp(np.where(seen, d, top) - top), 0.0)  # (n,) in (0, 1]
    with np.errstate(all="ignore"):  # a level far below the largest: no usable ratio
        level = np.exp(sm.level[ends] - top)  # (N,)
        x = _slopes(values, seen, ends)[0][:, None] / 2 * factor / level[:, None]  # (N, H)
    take = lines & np.isfinite(x).all(axis=1) & (x.min(axis=1) > -1.0)  # (N,)
    return np.where(take[:, None], _relative_to_logs(np.where(take[:, None], x, 0.0)), drift)


def linear_in_values(d, end, least=3):
    """Whether a straight line in the values ``exp(d)`` fits the logs ``d`` (n,)
    up to ``end`` better than a straight line in the logs: the sum of
    squared errors in the logs of each least-squares line (the values' line
    fitted to the values), the values' line only where it stays positive
    over the observations. Fewer than ``least`` (at least three)
    observations: False."""
    t = np.arange(end + 1, dtype=np.float64)
    d = d[: end + 1]
    ok = np.isfinite(d)
    if ok.sum() < max(3, least):
        return False
    t, d = t[ok], d[ok]
    t = t - t.mean()  # centred: the two fits' normal equations well conditioned
    logs = np.polyval(np.polyfit(t, d, 1), t)
    values = np.exp(d - d.max())
    line = np.polyval(np.polyfit(t, values, 1), t)
    if not (line > 0).all():
        return False
    return float(np.sum((d - d.max() - np.log(line)) ** 2)) < float(np.sum((d - logs) ** 2))


def _relative_to_logs(x):
    """The logs' term of a relative increment ``x`` of the level (any shape):
    ``log(1 + x)``, whose forecast is the straight line in the values; below
    ``HALF - 1`` (a fall past half the level) the tangent there, which
    decays at the rate the line reached (:func:`theta_drift` takes the
    values' line only where ``x`` stays above -1)."""
    floor = HALF - 1.0
    return np.where(x >= floor, np.log1p(np.maximum(x, floor)),
                    np.log(HALF) + (x - floor) / HALF)


def _slopes(d, ok, ends):
    """Least-squares slopes of d (n,) on time over the observations ``ok`` up
    to each of ``ends`` (N,), from prefix sums, and the observations' counts
    (N,) (slope 0 where fewer than two)."""
    n = len(d)
    t = np.arange(n, dtype=np.float64)
    # the sums of t * d run to about n**3 times the values: taken of d divided
    # by a power of two near its largest magnitude (an exact scaling, undone on
    # the slope), so that values near 1e300 / n**3 do not overflow to NaN
    observed = np.abs(d[ok])
    k_big = int(np.frexp(observed.max() if len(observed) else 0.0)[1])
    dz = np.where(ok, np.ldexp(d, -k_big), 0.0)
    tz = np.where(ok, t, 0.0)
    # prefix sums of the least-squares normal equations: count, t, d, t^2, t*d
    c1, ct, cd = np.cumsum(ok), np.cumsum(tz), np.cumsum(dz)  # (n,) each
    ctt, ctd = np.cumsum(tz * tz), np.cumsum(tz * dz)
    k, st, sd = c1[ends].astype(np.float64), ct[ends], cd[ends]  # (N,) each
    denom = k * ctt[ends] - st * st
    safe = np.where(denom > 0, denom, 1.0)
    slope = np.where((k >= 2) & (denom > 0), (k * ctd[ends] - st * sd) / safe, 0.0)  # (N,)
    return np.ldexp(slope, k_big), k
