"""Forecast intervals from out-of-sample residuals (split conformal).

The residuals come from a validation fit that never saw the last
``horizon`` steps of any series (:class:`tsgate.forecasters` cuts them off,
fits the same ensemble, and forecasts them from each origin inside the cut
tail; fewer than ``folds.POOLED_UNIT_MIN_SERIES`` series add earlier
folds, or cut a longer tail, :mod:`tsgate.folds`), its smoothing stage
filtered with the coefficients the final fit chose on the whole history
(:mod:`tsgate.holdout`: after a recent break, the cut series' coefficients
follow the level far more slowly than the final forecast does; the
networks never saw the tail, the stage's coefficients did). Each is
divided by its series' unit at its step on the working scale
(:func:`tsgate.bandunit.band_unit`: the recent one-step noise, the
in-sample error of the smoothing stage with weights halving every two
seasons back from the cut, what ETS's intervals scale with, times the
square root of the stage's error growth to the step), so residuals of
different series pool, and a series' band is the pooled half-width times
its own unit (normalized conformal prediction). Fewer than
``folds.POOLED_UNIT_MIN_SERIES`` series use the one-step noise of the
whole history, outlying errors clipped (:func:`tsgate.bandunit.noise`)
instead: with nothing to pool, the recent unit only added the noise of its
ratio at the cut and at the end, and an outlier after the cut inflated
both the residuals and the unit that scales them. Two to nine such series
each take the half-width of their own residuals, not the pooled one
(:meth:`tsgate.bands.ForecastBands._own_rows`): unlike series' errors set
each other's bands. The network's unit, the
series' typical seasonal change, was used before: it also grows with a
trend, and on M1 monthly it made the median series' band about 2.5 times
too wide (MSIS 26.0 -> 13.3 with the noise unit, 12.7 with the recent
noise, 9.8 with its growth over the steps; ``benchmarks/README.md``).

The residuals of a series whose errors are an order of magnitude beyond
the other series' (:func:`outlying_series`) are left out: its band, too,
is the others' quantile times its own unit.

For step ``j`` the half-width at coverage ``c`` is the finite-sample
conformal quantile of the absolute residuals of step ``j``: the
``ceil((n + 1) c)``-th smallest of ``n``, where at least ``TAIL_POINTS``
(10) of them lie beyond it (``n (1 - c) >= 10``: a global model's
thousands of rows). Fewer read the quantile off a handful of the largest,
or the largest alone (one series' 36 residuals a step at 95%): a step of
at least 10 residuals then takes the conformal quantile of the residuals
of the steps within ``NEAR_STEPS`` (2) of it, each divided by its step's
mean absolute residual, times its own mean (:func:`_step_sized`), never
below its own quantile at the highest coverage it reads alone,
``1 - 10 / n``. Single series, 20 draws of each of 6 simulated processes
(``benchmarks/step_quantiles.py``, session 54): the 95% band 1.12-1.29
times the true width instead of 1.32-1.51, its coverage .92-.95 instead
of .95-.97; competition series (84 alone, 128 in groups of 4): median
MSIS 6% and 2% lower, the mean 0.3% higher and 2% lower, 95% coverage
1.5 and 1.3 points lower. Where a step has too few residuals
for either (``n < 10`` and ``n < 1 / (1 - c) - 1``), all steps pool, each residual divided by
``sqrt(j)`` (errors of a random walk grow so), and the pooled quantile is
scaled back by ``sqrt(j)``; where even the pool is too small, a normal
quantile of the pool's root mean square is used and a warning says so.
Neither falls below the step's (or the pool's) largest residual scaled by
the normal tail from the coverage its ``n`` residuals support,
``n / (n + 1)``, to ``c`` (the step's own data at a lower coverage gave up
to that largest residual): so a higher coverage is wider at every step.
(Without that floor a step whose errors did not grow as ``sqrt(j)`` got a
98% band narrower than its 95% one: airline's step 1.)
Residuals in a unit that already grows with the step (``band_unit``, the
collections' "step noise") pool as they are, without the ``sqrt(j)``:
their growth is the unit's, and the random walk's on top of it would
count it twice. Steps beyond the residuals' ``H`` follow the same rule:
``sqrt(j / H)`` times the last step's width, or that width itself where
the unit grows.
Half-widths never shrink with the step: the per-step quantiles are replaced
by their least-squares non-decreasing fit, weighted by each step's number of
residuals (isotonic regression, pool adjacent violators), so the bands
widen with the horizon; the fit is monotone in its input, so a higher
coverage never gives a narrower band. (A running maximum, used before,
carried a quantile's upward noise to every later step: on whole Tourism and
M1 the isotonic fit gives the same coverage and an equal or lower MSIS, see
benchmarks/README.md.)
"""
import math
import warnings
from collections.abc import Iterable
from numbers import Real
from statistics import NormalDist

import numpy as np


class CalibrationWarning(UserWarning):
    """The calibration residuals are too few for the coverage asked."""


def fractions(value, what):
    """``value``, a number in (0, 1) or a sequence of them, as a list of floats.

    Returns
    -------
    values : list of float
    single : bool
        Whether ``value`` was one number.

    Raises
    ------
    ValueError
        Naming ``what``: a value outside (0, 1) or not a number (a bool
        neither), a string, or an empty sequence.
    """
    one = fraction(value)
    if one is not None:
        return [one], True
    values = (list(value) if isinstance(value, Iterable) and not isinstance(value, (str, bytes))
              else None)
    bad = [v for v in values or () if not _valid(v)]
    if values is None or bad or not values:
        # a ValueError, as for a number outside (0, 1): one error for any bad value
        raise ValueError(f"{what} must be a number in (0, 1) or a list of them, got {value!r}"
                         + (f" ({bad[0]!r} is not)." if bad else
                            " (an empty list)." if values == [] else "."))
    return [as_decimal(v) for v in values], False


def _valid(v):
    """Whether ``v`` is a number in (0, 1) (a bool is not)."""
    return isinstance(v, Real) and not isinstance(v, (bool, np.bool_)) and 0 < v < 1


def fraction(value):
    """``value`` as the float in (0, 1) it is, or None where it is none: a
    0-d array as its number (of its dtype: ``.item()`` made a float32 0.8 the
    float 0.800000011920929), a float32 as the decimal it shows
    (:func:`as_decimal`); what ``predict_interval`` and the metrics read."""
    if isinstance(value, np.ndarray) and value.ndim == 0:  # np.array(0.8): one number
        value = value[()]
    return as_decimal(value) if _valid(value) else None


def as_decimal(v):
    """``v`` as a float; a float32 (or float16) as the decimal it shows,
    ``np.float32(0.8)`` as 0.8: as 0.800000011920929 its conformal rank
    rounded up past the one of 0.8 (a band of 90% at some steps)."""
    if isinstance(v, np.floating) and v.dtype.itemsize < 8:
        return float(str(v))
    return float(v)


def bound_columns(coverage):
    """The coverages asked of ``predict_interval`` and their bounds' column names.

    Parameters
    ----------
    coverage : float in (0, 1), or a sequence of them

    Returns
    -------
    list of (float, str, str)
        One ``(coverage, lower name, upper name)`` per coverage asked. A
        number gives ``[(coverage, "lower", "upper")]``; a sequence gives
        one per coverage, in its order, named by its percentage:
        ``lower_80``/``upper_80`` for 0.8, ``lower_97.5`` for 0.975 (as
        statsforecast names its ``-lo-80``/``-hi-80`` columns).

    Raises
    ------
    ValueError
        A bad coverage (:func:`fractions`) or two of the same percentage.
    """
    values, single = fractions(coverage, "coverage")
    if single:
        return [(values[0], "lower", "upper")]
    out = [(c, f"lower_{percent(c)}", f"upper_{percent(c)}") for c in values]
    if len({lower for _, lower, _ in out}) < len(out):
        raise ValueError(f"coverage lists a percentage twice: {coverage!r}; give each once.")
    return out


def bound_names(coverage):
    """The bounds' column names of ``coverage`` (:func:`bound_columns`) in
    order, lower before upper; none for None (no interval asked)."""
    if coverage is None:
        return []
    return [name for _, lower, upper in bound_columns(coverage) for name in (lower, upper)]


def band_pairs(names):
    """The bands named among the columns ``names``: the reader of the names
    :func:`bound_columns` writes.

    Parameters
    ----------
    names : iterable of str
        Column names, e.g. of a ``predict_interval`` frame.

    Returns
    -------
    list of (str, str, str)
        ``("", "lower", "upper")`` where both are present, else one
        ``(percentage, lower name, upper name)`` per ``lower_<p>`` column
        whose ``upper_<p>`` is present (``("80", "lower_80", "upper_80")``),
        in the columns' order; empty where there is none.
    """
    names = [str(c) for c in names]
    if {"lower", "upper"} <= set(names):
        return [("", "lower", "upper")]
    return [(c[len("lower_"):], c, "upper_" + c[len("lower_"):]) for c in names
            if c.startswith("lower_") and "upper_" + c[len("lower_"):] in names]


def percent(coverage):
    """``coverage`` as the percentage that names its bounds: the shortest
    text that reads back as it, to 10 decimals ("80", "97.5", "80.000001";
    ":g" kept 6 digits: 0.80000001 was a second "80")."""
    return np.format_float_positional(round(100 * coverage, 10), trim="-")


def quantile_coverage(q):
    """The coverage of the band one of whose bounds is the quantile ``q``:
    ``|2q - 1|``, rounded to 12 digits so that q and 1 - q share one (1.4 -
    1 != 1 - 0.6), and a q within 5e-13 of 0.5 gets the band of coverage 0,
    the forecast itself; but never rounded to 1 (a q within 1e-12 of 0 or
    1: a coverage of 1 has no band)."""
    c = abs(2 * q - 1)
    rounded = round(c, 12)
    return rounded if rounded < 1 else c


def normal_quantile(coverage):
    """The standard normal quantile bounding ``coverage`` in its middle, from
    its tail ``(1 - coverage) / 2`` (``0.5 + coverage / 2`` is 1.0 in floats
    for a coverage within 1e-16 of 1)."""
    return -NormalDist().inv_cdf((1.0 - coverage) / 2)


def needed(coverage):
    """Fewest residuals for a finite conformal quantile at ``coverage``."""
    return max(1, int(math.ceil(coverage / (1.0 - coverage) - 1e-9)))  # (one: c near 0)


def _conformal(r, coverage):
    n = len(r)
    rank = int(math.ceil((n + 1) * coverage - 1e-9))  # (n + 1) c whole: 55.00000000000001
    # at least the smallest: a rank of 0 (coverage below 1e-9 / (n + 1)) read the
    # largest, and a coverage of 1e-12 was wider than one of 0.5
    return float(np.sort(r)[max(rank, 1) - 1])


def _beyond(r, coverage):
    """A quantile of ``r`` (n,) at a coverage above what its n values
    support: the largest, the conformal quantile at ``n / (n + 1)``, scaled
    by the normal tail from there to ``coverage``. It joins the conformal
    quantile at ``n / (n + 1)`` and grows strictly with ``coverage``."""
    n = len(r)
    return float(np.max(r)) * normal_quantile(coverage) / normal_quantile(n / (n + 1))


def increasing(values, weights):
    """The weighted least-squares non-decreasing fit to ``values`` (H,).

    Pool adjacent violators: a step whose value is below the one before is
    merged with it into one block at their weighted mean, until the blocks'
    means increase. Monotone in ``values``: where ``a <= b`` elementwise,
    ``increasing(a, w) <= increasing(b, w)``.
    """
    blocks = []  # [weighted mean, weight, steps] per block, in step order
    for v, w in zip(values, weights):
        blocks.append([float(v), float(w), 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, n2 = blocks.pop()
            m1, w1, n1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return np.concatenate([np.full(n, m) for m, _, n in blocks])


OUTLYING_FACTOR = 10.0  # outlying_series: a series' large residuals this many times the others'
OUTLYING_QUANTILE = 0.9  # ... its 90th percentile of absolute residuals (the band's tail, not its middle)


def _series_quantiles(R, owners, q):
    """Per series (the sorted labels of ``owners`` (n,)), ``np.nanquantile``
    of its rows of R (n, H) at ``q``, 0 where none of them is finite: (k,).

    The same numbers as a loop over the series (its rows' values, NaN left
    out, are one row of a matrix whose rows ``np.quantile`` takes at once,
    by their count), without a pass over all rows per series: 10,000
    series took 7 s that way.
    """
    labels, inverse = np.unique(owners, return_inverse=True)  # (k,), (n,)
    order = np.argsort(inverse, kind="stable")  # (n,) rows series by series
    values = R[order].ravel()  # (n * H,)
    owner = np.repeat(inverse[order], R.shape[1])  # (n * H,)
    known = ~np.isnan(values)  # np.nanquantile leaves NaN out, not inf
    counts = np.bincount(owner[known], minlength=len(labels))  # (k,)
    finite = np.bincount(owner[np.isfinite(values)], minlength=len(labels)) > 0  # (k,)
    values = values[known]  # series by series
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])  # (k,)
    out = np.zeros(len(labels))  # (k,)
    for c in np.unique(counts[finite]):
        group = np.flatnonzero(finite & (counts == c))  # (g,) series of c values
        out[group] = np.quantile(values[start[group][:, None] + np.arange(c)], q, axis=1)
    return out


def outlying_series(residuals, owners):
    """The series whose calibration residuals are an order of magnitude
    beyond the others': the 90th percentile (``OUTLYING_QUANTILE``) of a
    series' absolute residuals (in its unit) over ``OUTLYING_FACTOR`` times
    the median of the other series' 90th percentiles.

    Such a series broke (a level shift, growth the smoothing did not
    follow) where the others did not: pooled with them, its rows set the
    pooled 95% quantile of every series (one shifted series of 3 or 10 made
    each clean series' 95% band 7-13 times its width alone, while its 80%
    band barely moved). Its rows are left out of the calibration
    (:meth:`tsgate.holdout.HoldoutErrors._residuals`): its own band is then
    the others' quantile times its unit, which has grown with its break.
    On whole Tourism and M1 (GRU, seed 0) the ratio's 99th percentile is
    4.2-7.1 and its largest 7.2-14.0: 4 of 2,312 series pass 10, and
    leaving them out lowered the mean MSIS of Tourism yearly by 2% and of
    M1 monthly by 1% over 3 seeds (a band of their own residuals instead
    raised it about 1%, seed 0; ``benchmarks/README.md``, session 33).

    Parameters
    ----------
    residuals : ndarray of shape (n_residuals, H)
    owners : ndarray of shape (n_residuals,)
        Each row's series (an integer label).

    Returns
    -------
    set
        The labels of the outlying series; empty for fewer than 2 series.
    """
    labels = np.unique(owners)
    if len(labels) < 2:
        return set()
    tail = _series_quantiles(np.abs(np.asarray(residuals, dtype=np.float64)), owners,
                             OUTLYING_QUANTILE)  # (k,)
    order = np.argsort(tail, kind="stable")
    ranked = tail[order]  # (k,) ascending
    rank = np.empty(len(labels), dtype=int)  # (k,) each series' place in ranked
    rank[order] = np.arange(len(labels))
    # the median of the other series: of the ranking without the series' own place,
    # whose i-th value is ranked[i] before that place and ranked[i + 1] from it
    others = len(labels) - 1
    middle = [np.where(i < rank, i, i + 1) for i in ((others - 1) // 2, others // 2)]
    median_others = (ranked[middle[0]] + ranked[middle[1]]) / 2.0  # (k,)
    return {int(labels[i]) for i in np.flatnonzero(tail > OUTLYING_FACTOR * median_others)}


# a step takes its own conformal quantile where at least this many of its residuals lie
# beyond it; below, that of its own and its neighbours' residuals, each in its step's size,
NEAR_STEPS = 2  # ... the neighbours within this many steps of it
TAIL_POINTS = 10


def _step_sized(steps_r, sizes, j, coverage):
    """The conformal quantile at ``coverage`` of the residuals of the steps
    within ``NEAR_STEPS`` of step ``j``, each divided by its step's mean
    absolute residual (``sizes``; 0 for a step of fewer than
    ``TAIL_POINTS``), over those of a finite mean above 0 (whatever the coverage, so that the quantile
    grows with it; past the coverage they support, their largest on the
    normal tail, :func:`_beyond`); None where none has them. (A step of
    zeros keeps its own quantile, or the pooled one where it has too few:
    in its size of 0 every band was 0.)

    A conformal quantile read from few residuals is their largest or
    nearly: 36 residuals a step give the 95% band their largest (rank
    ``ceil(37 * 0.95) = 36``), which expects 97.3% coverage and swings with
    one draw (single series, white noise: 1.37 times the true 95% width,
    1.47 times under t(3) noise). In their steps' sizes, five neighbouring
    steps' residuals make one sample five times as large, whose tail is
    still the tail of those steps (pooled over every step, the near steps'
    lighter tails set the far steps' bands too: M1 quarterly's MSIS 18.7 ->
    24.9 in groups of 4 series, 20.7 with the neighbours).
    """
    near = slice(max(0, j - NEAR_STEPS), j + NEAR_STEPS + 1)
    usable = [(r, s) for r, s in zip(steps_r[near], sizes[near])
              if 0 < s < np.inf]  # (a mean past float64: none)
    if not usable:
        return None
    scaled = np.concatenate([r / s for r, s in usable])
    return _conformal(scaled, coverage) if len(scaled) >= needed(coverage) else _beyond(
        scaled, coverage)


def half_widths(residuals, coverage, horizon=None, unit_grows=False, stacklevel=3, name=None):
    """Half-widths (horizon,) of the ``coverage`` band from residuals (n, H).

    Parameters
    ----------
    residuals : ndarray of shape (n_residuals, H)
        Out-of-sample errors, each in its series' unit; NaN where a step has none.
    coverage : float in (0, 1)
    horizon : int, optional
        Steps wanted (default H); steps beyond H grow as ``sqrt(step / H)``
        times the last step's width, the random-walk rate.
    unit_grows : bool, default False
        The residuals' unit already grows with the step (``band_unit``):
        the pooled fallback and the steps beyond H then add no growth of
        their own.
    stacklevel : int, default 3
        Of the ``CalibrationWarning`` (3: the caller of this function's caller).
    name : str, optional
        Whose residuals these are ("series 'b'"), for the warning: one
        series' among several.

    Returns
    -------
    ndarray of shape (horizon,)
    """
    R = np.abs(np.asarray(residuals, dtype=np.float64))  # (n, H)
    H = R.shape[1]
    horizon = H if horizon is None else horizon
    steps = np.ones(H) if unit_grows else np.arange(1, H + 1)  # (H,) the growth to take out
    pooled = (R / np.sqrt(steps)).ravel()
    pooled = pooled[np.isfinite(pooled)]
    if len(pooled) == 0:
        raise ValueError("No finite calibration residual: the held-out targets are all NaN.")
    k = needed(coverage)
    if len(pooled) >= k:
        pooled_q = _conformal(pooled, coverage)
    else:
        rms = math.sqrt(float(np.mean(pooled ** 2)))
        # never below the pool's largest residual (what a lower coverage gets)
        pooled_q = max(rms * normal_quantile(coverage), _beyond(pooled, coverage))
        n = len(pooled)
        warnings.warn(
            f"Only {n} out-of-sample residual{'s' if n != 1 else ''} calibrate"
            f"{'' if n != 1 else 's'} the interval"
            + (f" of {name}" if name else "")
            + f"; a {100 * coverage:g}% conformal band needs {k}. The band uses a normal "
            f"quantile of {'their spread' if n != 1 else 'its size'} instead and may be off; "
            "give a longer series or ask for a lower coverage.", CalibrationWarning,
            stacklevel=stacklevel)
    out = np.empty(H)
    counts = np.empty(H)  # (H,) residuals behind each step's quantile
    steps_r = [R[:, j][np.isfinite(R[:, j])] for j in range(H)]  # (n_j,) per step
    # (H,) each step's mean absolute residual, where it has TAIL_POINTS or more
    sizes = [float(np.mean(r)) if len(r) >= TAIL_POINTS else 0.0 for r in steps_r]
    for j in range(H):
        r = steps_r[j]
        if len(r) * (1.0 - coverage) >= TAIL_POINTS:
            out[j] = _conformal(r, coverage)
        elif sizes[j] > 0 and (sized := _step_sized(steps_r, sizes, j, coverage)) is not None:
            # the near steps' quantile in the step's size, never below the step's
            # own quantile at the highest coverage it reads alone (so never below a
            # lower coverage's)
            own = _conformal(r, 1.0 - TAIL_POINTS / len(r))
            out[j] = max(sized * sizes[j], own)
        elif len(r) >= k:
            out[j] = _conformal(r, coverage)
        else:  # never below the step's largest residual, a lower coverage's quantile
            out[j] = max(pooled_q * math.sqrt(steps[j]), _beyond(r, coverage) if len(r) else 0.0)
        counts[j] = max(len(r), 1)
    out = increasing(out, counts)
    if horizon > H:
        beyond = np.arange(H + 1, horizon + 1)  # (horizon - H,)
        extra = out[-1] * (np.ones(len(beyond)) if unit_grows else np.sqrt(beyond / H))
        out = np.concatenate([out, extra])
    return out[:horizon]
