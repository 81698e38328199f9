"""A forecaster's intervals and quantiles, from its calibrated half-widths.

:class:`ForecastBands` is a mixin of :class:`tsgate.forecasters._BaseForecaster`:
``predict_interval`` gives the bands of one or several coverages,
``predict_quantiles`` the quantiles of the same forecast distribution. Both
are made by :meth:`ForecastBands._bands`: per coverage, the conformal
half-width of each step (:func:`tsgate.calibration.half_widths`) times each
series' unit, around the forecast on the working scale. The bands are
symmetric there, so the forecast is their median: the quantile ``q`` is the
lower bound of the ``1 - 2q`` band below 0.5, the upper bound of the ``2q -
1`` band above it, and the forecast at 0.5. A higher coverage is never
narrower, so the quantiles never decrease with ``q``. A never-negative
series with many recent zeros (intermittent demand) has its lower bounds at
0 where its share of zeros at the step's phase exceeds the band's lower
tail (:func:`zero_shares`). A series that held one value throughout has a
band of width 0: its forecast, that value, is exact. A seasonal series fitted
among few whose every validation cut lacked its season has a band
no narrower than its smoothing stage's own model band
(:meth:`ForecastBands._model_floors`).
"""
from contextlib import nullcontext

import numpy as np
from sklearn.utils.validation import check_is_fitted

from . import encoding, segments
from ._callers import quiet
from .bandunit import STEP_UNIT, error_growth, recency_weights
from .calibration import (
    CalibrationWarning,
    bound_columns,
    fractions,
    half_widths,
    normal_quantile,
    quantile_coverage,
)
from .collection import trailing_gaps
from .frames import from_collection

RARE_NEGATIVE = 0.01  # a series at most this share of whose values are below 0 counts as never so


def _rarely_negative(v):
    """Whether at most ``RARE_NEGATIVE`` of the observed values of ``v`` are
    below 0: counts, sales or visitors with a return or a correction now and
    then (two returns in 400 days of a slow item turned off its floor and
    its zero bounds: 95% lower bounds of -2.5 where the 2.5% quantile is
    0)."""
    v = np.asarray(v, dtype=np.float64)
    ok = np.isfinite(v)
    return bool(ok.any()) and np.count_nonzero(v[ok] < 0) <= RARE_NEGATIVE * np.count_nonzero(ok)


def floors(values):
    """(k, 1): 0 for each series whose history is never (or rarely,
    :func:`_rarely_negative`) below 0 (counts, sales, visitors: forecasts and
    bounds are floored there), else -inf. An additive stage's forecast of
    such a series can fall below 0 (an intermittent 0/3 series, a declining
    yearly one)."""
    return np.array([[0.0 if _rarely_negative(v) else -np.inf] for v in values])


# zero_shares: fewer zeros at a phase are no atom at 0. One zero among readings near
# 100 (a sensor's dropout 3 steps back) set the 80% and 95% lower bounds to 0 at every
# step; one closed Monday, those of the next Mondays
MIN_ATOM_ZEROS = 2


def zero_shares(values, stages, h):
    """(k, h): each never (or rarely) negative series' recent share of zeros at each
    forecast step's phase of its season (values (n,) each; a series without
    a season: all its values), 0 for a series that goes below 0. The
    weights halve every :func:`tsgate.bandunit.noise_half_life` steps back,
    the recency of the band's unit.

    An intermittent series (sales of a slow item: mostly 0) has an atom at
    0: its ``q`` quantile is 0 wherever more than ``q`` of its values are,
    so the lower bound of a band whose lower tail ``(1 - c) / 2`` is below
    that share is 0 (:meth:`ForecastBands._bands`). The symmetric band put
    it above 0 and missed every 0: a series with 87% zeros, its 80% band
    covered 0.58 of holdouts, none of one of zeros. By phase, so that a
    seasonal series that is 0 in winter keeps its lower bounds in summer
    (with one share for all steps, such a series' 80% band covered 0.94).
    A phase with fewer than ``MIN_ATOM_ZEROS`` zeros has a share of 0: one
    zero is a dropout or a closed day, not an atom.
    """
    out = np.zeros((len(values), h))
    # a series without an observed value <= 0 has shares of 0 (0 / total) at every
    # phase: only the others are computed (10,000 series took 4 s, most of them that)
    flat = np.concatenate([np.asarray(v, dtype=np.float64) for v in values]) if len(values) else np.zeros(0)
    some = segments.maxima(np.isfinite(flat) & (flat <= 0),
                           segments.offsets_of([len(v) for v in values]))  # (k,)
    for i in np.flatnonzero(some):
        v, sm = np.asarray(values[i], dtype=np.float64), stages[i]  # (n,)
        ok = np.isfinite(v)
        if not _rarely_negative(v):
            continue
        n, m = len(v), max(int(sm.period), 1)
        w = np.where(ok, recency_weights(n - 1 - np.arange(n), sm.period), 0.0)  # (n,)
        zero = ok & (v <= 0)  # (n,) the atom at 0, a rare return with it
        phases = np.arange(n) % m  # (n,)
        for j in range(min(h, m)):  # the phase of step j + 1: that of time n + j
            phase = phases == (n + j) % m  # (n,)
            total = np.sum(w[phase])
            if total > 0 and np.count_nonzero(phase & zero) >= MIN_ATOM_ZEROS:
                out[i, j::m] = np.sum(w[phase & zero]) / total
    return out


def quantile_columns(quantiles):
    """The quantiles asked of ``predict_quantiles`` and their column names.

    Parameters
    ----------
    quantiles : float in (0, 1), or a sequence of them

    Returns
    -------
    list of (float, str)
        ``(q, "q_<q>")`` per quantile, in the order given: ``q_0.1``,
        ``q_0.5``, ``q_0.975``.

    Raises
    ------
    ValueError
        A bad quantile (:func:`tsgate.calibration.fractions`) or one given twice.
    """
    values, _ = fractions(quantiles, "quantiles")
    # the shortest text that reads back as q (":g" kept 6 digits: 0.500000001 was q_0.5)
    out = [(q, "q_" + np.format_float_positional(q, trim="-")) for q in values]
    if len({name for _, name in out}) < len(out):
        raise ValueError(f"quantiles lists a quantile twice: {quantiles!r}; give each once.")
    return out


def interval_frame(coll, asked, bands, horizon):
    """``predict_interval``'s frame: the bounds ``bands`` ((lower, upper)
    arrays (k, horizon) per coverage of ``asked``, from
    :func:`tsgate.calibration.bound_columns`) in ``coll``'s layout, with
    ``attrs["coverage"]`` set where it holds one band (columns
    ``lower``/``upper``, which do not name their coverage):
    :func:`tsgate.plot_forecast` labels the band with it."""
    frames = {}
    for (_, lower_name, upper_name), (lower, upper) in zip(asked, bands):
        frames[lower_name], frames[upper_name] = lower, upper
    return labelled(from_collection(coll, frames, horizon), asked)


def labelled(frame, asked):
    """``frame`` with ``attrs["coverage"]`` where ``asked``
    (:func:`tsgate.calibration.bound_columns`) is one band's."""
    if len(asked) == 1 and asked[0][1] == "lower":
        frame.attrs["coverage"] = asked[0][0]
    return frame


class ForecastBands:
    """Mixin of the forecasters: ``predict_interval`` and ``predict_quantiles``."""

    def _bands(self, coverages, horizon, X, y):
        """The collection, the forecast (k, h) and, per coverage, its band:
        a list of (lower, upper), (k, h) each, floored as the forecast is."""
        coll, levels, stages, history = self._forecast(horizon, X, y)
        h = levels.shape[1]
        # a series whose last g steps are missing is forecast g + 1 .. g + h steps
        # after its last observation (_forecast_from): its band is of those steps
        gaps = trailing_gaps(coll.values)  # (k,)
        # the history's steps of a stage extended by recursive blocks are its own
        units = [self._unit(history[i], sm, h + g)[g:]
                 for i, (sm, g) in enumerate(zip(stages, gaps))]  # (h,) each
        # a history of one value throughout: its forecast is that value, exact
        # (as fitted alone, whose errors are all 0); in a collection its unit
        # at the floor gave a band of a fixed size (0.1 around a series of zeros,
        # whatever the others' scale)
        for i in np.flatnonzero(encoding.unchanged(coll.values,
                                                   [[len(v) - 1] for v in coll.values])):
            units[i] = np.zeros_like(units[i])
        # (the features' effect, in the forecast, is no part of the band: none taken out)
        centers = [sm.to_working(levels[i]) for i, sm in enumerate(stages)]  # (h,) each
        floor = floors(coll.values)  # (k, 1)
        zeros = zero_shares(coll.values, stages, h)  # (k, h) recent zeros by phase, if never < 0
        own = self._own_rows(coll)  # (k,) each series' calibration rows, or None: pooled
        floored = self._model_floors(coll, stages, units, h, gaps, own)  # (k,) of (h,) or None
        steps = h + int(gaps.max())  # from the earliest last observation
        bands = []
        for c in coverages:
            halves = self._own_half_widths(own, c, steps, coll.ids)  # (k,) of (steps,) or None
            if any(hw is None for hw in halves):  # the pooled rows' (warning only where used)
                # stacklevel: the warning points at the caller of predict_interval/_quantiles
                half = half_widths(self.calibration_residuals_, c, steps,  # (steps,)
                                   unit_grows=getattr(self, "interval_unit_", None) == STEP_UNIT,
                                   stacklevel=4)
            lower, upper = np.empty_like(levels), np.empty_like(levels)  # (k, h)
            for i, (sm, g) in enumerate(zip(stages, gaps)):
                hw = half if halves[i] is None else halves[i]
                width = hw[g:g + h] * units[i]  # (h,) on the working scale
                if floored[i] is not None:  # the model band's normal quantile
                    width = np.maximum(width, normal_quantile(c) * floored[i])
                lower[i] = sm.from_working(centers[i] - width)
                upper[i] = sm.from_working(centers[i] + width)
            lower = np.where(zeros > (1 - c) / 2, 0.0, lower)  # an atom at 0 below the tail
            bands.append((np.maximum(lower, floor), np.maximum(upper, floor)))
        return coll, levels, bands

    def _model_floors(self, coll, stages, units, h, gaps, own):
        """Per series of ``coll``, the standard deviations (h,) of its
        stage's own model band, or None where its band is not floored.

        A series is floored where its stage is seasonal and the rows its
        band is made of were all flagged at the fit (``model_band_floor_``):
        its own rows (``own``, :meth:`_own_rows`), the flag of its fitted
        series; the pooled rows (the one series fitted, whatever the new
        history; a new id or a series left out of a few), every fitted
        series with rows flagged. The model band is ETS's: the stage's
        one-step noise times its :func:`tsgate.bandunit.error_growth` to
        the step; the noise is the series' unit (``units``, (h,) each:
        flags exist only for fits of few series, whose unit is the robust
        one-step noise throughout); :meth:`_bands` takes the normal
        quantile of it for a floor.

        Every validation cut of such a series lacked the season of its
        whole history (mostly: too short for it), so its calibration rows
        were a level
        smoothing's errors, in a unit the season's swing dominated, read in
        the seasonal stage's unit at the end. A random-walk level plus a
        season, 25 months forecast 18 ahead: its 80% and 95% bands covered
        .43 and .75 of the test months over 8 draws (AutoETS .67 and .84),
        and .66 and .85 with the floor. Series whose rows include a seasonal
        cut's are left as they are: on them the floor would widen
        calibrated bands (48 months of it, h = 12: .77 / .98 -> .83 / .98).
        """
        flags = getattr(self, "model_band_floor_", None)  # (files saved before it: none)
        if flags is None:
            return [None] * len(coll)
        owners = getattr(self, "calibration_owners_", None)
        pooled = bool(flags.all() if owners is None else flags[np.unique(owners)].all())
        where = self._fitted_positions()
        out = []
        for key, unit, sm, g, rows in zip(coll.ids, units, stages, gaps, own):
            flagged = pooled if rows is None else bool(flags[where[key]])
            out.append(unit * error_growth(sm, h + g)[g:] if flagged and sm.period > 1 else None)
        return out

    def _own_rows(self, coll):
        """Per series of ``coll``, the rows of ``calibration_residuals_`` of the
        fitted series of its id (bool (rows,)), or None where it has none;
        all None where the fit pooled every series' rows.

        A fit of fewer than ``folds.POOLED_UNIT_MIN_SERIES`` series keeps
        each row's series (``calibration_owners_``): pooled, such a few
        series' residuals made one band quantile for unlike series. In the
        bundled Iowa electricity data (3 yearly series, horizon 10) the
        fossil and renewable series' broken trends set the band of the
        steady nuclear one: [0, 27,933] around 5,600 at step 10, against
        [3,427, 6,552] fitted alone. Each series then has the rows a fit of
        it alone would have (its own folds), and one whose rows were left out
        as outlying (:func:`tsgate.calibration.outlying_series`) keeps the
        pooled quantile of the others."""
        owners = getattr(self, "calibration_owners_", None)
        if owners is None:
            return [None] * len(coll)
        where = self._fitted_positions()
        known = np.isfinite(self.calibration_residuals_).any(axis=1)  # (rows,) with an error
        out = []
        for key in coll.ids:
            j = where.get(key)
            rows = None if j is None else (owners == j) & known
            out.append(rows if rows is not None and rows.any() else None)
        return out

    def _own_half_widths(self, own, coverage, steps, ids):
        """Per series (``ids``), the half-widths (steps,) of its own rows
        (``own``, from :meth:`_own_rows`), or None. A calibration set too
        small for the level warns once, for the series with the fewest
        residuals, named where there are several: the others' sets are no
        smaller, so their warnings would only repeat it."""
        R = self.calibration_residuals_
        counted = [(int(np.isfinite(R[rows]).sum()), i) for i, rows in enumerate(own)
                   if rows is not None]  # (residuals, series)
        fewest = min(counted)[1] if counted else None
        out = []
        for i, rows in enumerate(own):
            if rows is None:
                out.append(None)
                continue
            with quiet(CalibrationWarning) if i != fewest else nullcontext():
                # stacklevel 5: half_widths, this, _bands, predict_interval, the user's call
                out.append(half_widths(R[rows], coverage, steps, stacklevel=5,
                                       name=f"series {ids[i]!r}" if len(own) > 1 else None))
        return out

    def predict_interval(self, coverage=0.9, horizon=None, X=None, y=None):
        """Forecast intervals calibrated on out-of-sample residuals.

        The half-width for step ``j`` comes from the residuals of the
        validation fit on the cut tail of every series
        (``calibration_residuals_``, each divided by its series' unit at
        its step: for a collection of ``POOLED_UNIT_MIN_SERIES`` or more
        series, the smoothing stage's one-step noise over the recent past
        times the square root of its error growth to the step,
        :func:`tsgate.bandunit.band_unit`; for fewer, the one-step noise of
        the whole history with outlying errors clipped,
        :func:`tsgate.bandunit.noise`, and earlier validation folds add
        residuals, :mod:`tsgate.folds`; see :mod:`tsgate.calibration`).
        Two to nine series each take the half-width of their own rows
        (``calibration_owners_``), one series or ten and more that of all
        the rows. A series' band is that half-width times its own unit, applied around
        the forecast on the working scale, so on the log scale the band is
        relative and asymmetric in levels; among fewer than ten series, one
        whose rows all came from validation cuts without its season has a
        band no narrower than its smoothing stage's model band
        (``model_band_floor_``). Bands widen with the horizon and
        nest: a lower coverage is never wider.

        Parameters
        ----------
        coverage : float in (0, 1) or list of them, default=0.9
            The share of future values each band is to hold.
        horizon, X, y
            As for :meth:`predict`.

        Returns
        -------
        pd.DataFrame
            Columns ``lower`` and ``upper``; for a list of coverages, a pair
            per coverage in its order, ``lower_80``, ``upper_80``, ...
            (:func:`tsgate.calibration.bound_columns`). In the layout of
            the input (for a wide DataFrame, a column MultiIndex (series,
            column)). For one coverage, ``attrs["coverage"]`` holds it
            (:func:`tsgate.plot_forecast` labels the band with it).
        """
        check_is_fitted(self, "regressors_")
        asked = bound_columns(coverage)
        coll, levels, bands = self._bands([c for c, _, _ in asked], horizon, X, y)
        return interval_frame(coll, asked, bands, levels.shape[1])

    def predict_quantiles(self, quantiles=(0.1, 0.5, 0.9), horizon=None, X=None, y=None):
        """Quantiles of the forecast distribution that ``predict_interval`` bounds.

        The quantile ``q`` is the lower bound of the ``1 - 2q`` band for
        ``q < 0.5``, the upper bound of the ``2q - 1`` band for ``q > 0.5``
        and the forecast itself for 0.5 (the bands are symmetric around it
        on the working scale), so the quantiles of one step never decrease
        with ``q``, and ``q`` and ``1 - q`` bound the ``|2q - 1|`` interval.

        Parameters
        ----------
        quantiles : float in (0, 1) or list of them, default=(0.1, 0.5, 0.9)
        horizon, X, y
            As for :meth:`predict`.

        Returns
        -------
        pd.DataFrame
            One column per quantile, in the order given, named ``q_0.1``,
            ``q_0.5``, ... (:func:`quantile_columns`), in the layout of the
            input (for a wide DataFrame, a column MultiIndex (series, column)).
        """
        check_is_fitted(self, "regressors_")
        asked = quantile_columns(quantiles)
        band_for = {q: quantile_coverage(q) for q, _ in asked}
        coverages = sorted(set(band_for.values()) - {0.0})
        coll, levels, bands = self._bands(coverages, horizon, X, y)
        band_of = dict(zip(coverages, bands))
        frames = {name: levels if band_for[q] == 0.0 else band_of[band_for[q]][0 if q < 0.5 else 1]
                  for q, name in asked}
        return from_collection(coll, frames, levels.shape[1])
