"""Where a forecaster's validation fits cut each series: the calibration folds.

A validation fit (:mod:`tsgate.forecasters`) is trained on every series but
its last ``cut`` steps and forecasts that cut tail from each origin inside
it. Those out-of-sample errors calibrate the intervals
(:mod:`tsgate.calibration`) and, from the first fold, weigh the forecast's
parts (:mod:`tsgate.combination`).

A collection of many series pools plenty of such errors from one cut. One
series (or a few) gets only ``H (H + 1) / 2`` of them, all from one stretch
of time: fitted one series at a time (30 series per subset of Tourism and
M1), tsgate's 95% band covered 71% of Tourism yearly's test points, and one
outlier in the tail became the whole band of Tourism's Q7
(``benchmarks/README.md``). Such a collection therefore also calibrates on
earlier folds (:func:`earlier_cuts`): the same ensemble fitted again with
every cut moved back by one more horizon (at least ``FOLD_MIN_STEP``
steps), each fold adding the rows of its
origins before the next fold's first (rolling-origin evaluation, Tashman
2000).

A long series does not need the refits: where the last fold's cut is at
most a quarter of every series (``ONE_FOLD_MAX_SHARE``), one validation fit
cut there forecasts the same origins (:func:`validation_cuts`), trained on
three quarters of the data or more. Against the three folds, in half the
fit time: about neutral on the bundled series (geometric mean of rolling
MASE 1.002 of theirs, from -14% to +14% per series), and on 30 Tourism
monthly series fitted one by one mean MASE +0.6% and MSIS +3%
(``benchmarks/README.md``).
"""
import math

import numpy as np

# Collections of at least this many series get the recent, growing interval
# unit (bandunit.band_unit); fewer, the one-step noise of the whole history.
# The recent unit sizes each series' band among many pooled ones (whole
# Tourism and M1: MSIS below AutoETS's on every subset); for ONE series it
# only adds the noise of the ratio of its unit at the cut and at the end
# (30 series per subset fitted one by one: median MSIS higher on 5 of 6
# subsets, and a tail outlier blew bands up further; benchmarks/README.md).
# Fewer series, with the default cut, also calibrate on earlier folds
# (folds.earlier_cuts): one cut tail of one series holds too few errors.
POOLED_UNIT_MIN_SERIES = 10

MIN_HISTORY = 3            # observations a series keeps for the validation fit
MIN_OBSERVATIONS = MIN_HISTORY + 1  # and at least one to validate on
CALIBRATION_FOLDS = 3      # validation fits in all, the first included, where folds apply
FOLD_MIN_KEEP = 0.5        # share of a series' observations an earlier fold keeps before its cut
# each earlier fold moves the cuts back by the horizon, but by at least 10
# steps: with one series, the three folds then give at least 21 one-step
# errors where it is long enough (19 are the fewest for a 95% conformal
# quantile); one series forecast one step ahead had 1, and 3 with steps of 1
FOLD_MIN_STEP = 10
# a series whose earlier folds' last cut keeps 75% of it before the cut is
# long enough to be validated once, on that cut (validation_cuts)
ONE_FOLD_MAX_SHARE = 0.25


def cuts(values, horizon, validation_fraction=None):
    """Steps cut off the end of each series for the first validation fold.

    The last ``horizon`` (or ``validation_fraction`` of the series) steps,
    but never so many that fewer than ``MIN_HISTORY`` observations remain
    before the cut, and always enough that the cut tail holds an
    observation.

    Parameters
    ----------
    values : list of ndarray (n_i,)
        The series, NaN where missing (each with ``MIN_OBSERVATIONS`` at least).
    horizon : int
    validation_fraction : float in (0, 1), optional

    Returns
    -------
    list of int
    """
    out = []
    for v in values:
        n = len(v)
        observed = np.flatnonzero(np.isfinite(v))  # (n_obs,) positions
        want = horizon if validation_fraction is None else max(
            horizon, math.ceil(validation_fraction * n))
        c = min(want, n - 1 - observed[MIN_HISTORY - 1])
        if not np.isfinite(v[n - c:]).any():
            c = n - observed[-1]  # reach back to the last observation
        out.append(int(c))
    return out


def earlier_cuts(values, first, horizon):
    """The cuts of the earlier folds: a list, per fold a list of per-series cuts.

    Fold ``k`` (1 to ``CALIBRATION_FOLDS - 1``) moves every cut of the
    ``first`` fold back by ``k`` steps of ``max(horizon, FOLD_MIN_STEP)``,
    but keeps at least
    ``FOLD_MIN_KEEP`` of a series' observations (and ``MIN_HISTORY``)
    before it, never less than the cut of the fold before. The folds end at
    the first that moves no cut.
    """
    limits = []  # the longest cut of each series that keeps enough history
    for v in values:
        observed = np.flatnonzero(np.isfinite(v))  # (n_obs,) positions
        keep = max(MIN_HISTORY, math.ceil(FOLD_MIN_KEEP * len(observed)))
        limits.append(len(v) - 1 - observed[keep - 1])
    step = max(horizon, FOLD_MIN_STEP)
    folds, previous = [], list(first)
    for k in range(1, CALIBRATION_FOLDS):
        moved = [int(max(p, min(c + k * step, m))) for c, p, m in zip(first, previous, limits)]
        if moved == previous:
            break
        folds.append(moved)
        previous = moved
    return folds


def validation_cuts(values, horizon, validation_fraction=None, costly=None):
    """The cuts of every validation fold: a list, per fold a list of per-series cuts.

    The first fold's (:func:`cuts`); for fewer than
    ``POOLED_UNIT_MIN_SERIES`` series with the default cut,
    the earlier folds' too (:func:`earlier_cuts`), or, where the last of
    them cuts at most ``ONE_FOLD_MAX_SHARE`` of every series, that one cut
    alone: one validation fit then forecasts the same origins as the folds
    together, for a third of their training. ``costly``, a function of the
    folds' cuts, says where their training would take too long (a caller's
    estimate of its work): that one cut alone too.
    """
    first = cuts(values, horizon, validation_fraction)
    if validation_fraction is not None or len(values) >= POOLED_UNIT_MIN_SERIES:
        return [first]
    earlier = earlier_cuts(values, first, horizon)
    if earlier and (all(c <= ONE_FOLD_MAX_SHARE * len(v) for c, v in zip(earlier[-1], values))
                    or (costly is not None and costly([first] + earlier))):
        return [earlier[-1]]
    return [first] + earlier


def new_rows(cuts, newer=None):
    """Which rows (origins ``n - cut - 1 .. n - 2`` of each series, stacked)
    of a fold's cut tail the fold adds: those before the ``newer`` fold's
    first origin (all, for the first fold). Returns a bool mask (rows,)."""
    newer = [0] * len(cuts) if newer is None else newer
    return np.concatenate([np.arange(c) < c - n for c, n in zip(cuts, newer)])
