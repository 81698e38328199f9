"""The validation fits' out-of-sample errors: the forecasters' calibration
residuals and the weights of the forecast's parts.

:class:`HoldoutErrors` is a mixin of
:class:`tsgate.forecasters._BaseForecaster`. After the validation fits
(:mod:`tsgate.fitplan`), :meth:`HoldoutErrors._residuals` forecasts each
fold's cut tail, chooses the weights of the networks' correction and of the
Theta trend term on it (:mod:`tsgate.combination`), and keeps the combined
forecast's errors, each in its series' unit (:mod:`tsgate.bandunit`), for
the bands (:mod:`tsgate.calibration`, :mod:`tsgate.bands`).

The tail is forecast twice, by the same validation networks. For the
weights, the smoothing stage is the one fitted on the cut series: the
choice between the parts is made where none of them saw the tail. For the
bands, the smoothing coefficients (``alpha``, ``gamma``, ``delta``) are
those the final fit chose on the whole history, the stage's other choices
(scale, season, unit, the features' effect) the cut one's, with which the
networks trained; the levels and indices are filtered causally, so each
origin sees only its past. The bands are the errors of the final
forecast's procedure, whose stage follows a break in the level as the
whole history's coefficients do: a seasonal series shifted by 60 (noise
4) a year before its end was smoothed with alpha 0.05 before the shift and
0.6 over the whole history, and its cut tail's errors, made with the slow
level, gave an 80% band 116-152 wide at the first step around a forecast
5-7 off (3 draws); with the whole history's coefficients, 19-29 (133-145 at
the twelfth step, where origins before the shift forecast across it, as
before). On whole Tourism and M1 (3 seeds, GRU and LSTM) the point
forecasts are unchanged and the MSIS 1-3% lower on five subsets of six
(about 1% higher on M1 yearly), the 80% bands' over-coverage on Tourism
0.4-0.8 points smaller (``benchmarks/README.md``, session 43). The weights are not chosen on those parts, nor do the
validation networks train on them: with the whole history's stage for the
validation fit as well (tried first), the trend weight chosen on short
yearly series fell from 2 to 0.75-1.25 (the stage had seen the tail it was
scored on), and the geometric-mean MASE ratio to AutoETS of M1 yearly went
from 0.757 to 0.817. Nor is the whole stage's unit taken: the networks
trained in the cut one's, and the whole one's was 1.4-1.6 times larger on
three growing M1 yearly series whose bands it narrowed (their 95% bands
then covered 2-3 of 6 test years).
"""
from dataclasses import replace

import numpy as np

from . import combination, encoding, folds
from .bandunit import ROBUST_UNIT, STEP_UNIT, band_unit, noise, noise_floor
from .calibration import outlying_series
from .fitplan import FINAL_STAGES
from .trendterm import theta_drift

# robust units (few series): a cut's unit is taken at least the unit at the end over this
UNIT_RISE = 2.0


class HoldoutErrors:
    """Mixin of the forecasters: residuals, weights, units and the trend term."""

    def _residuals(self, coll, fold_list, exogs):
        """Out-of-sample residuals (rows, H) of the validation ensemble's median
        and each row's series (rows,), a position in ``coll``,
        in the unit ``interval_unit_`` names, on the cut series: for a
        collection of ``POOLED_UNIT_MIN_SERIES`` or more series ("step
        noise"), each series' recent one-step noise times the square root of
        its smoothing stage's error growth to the step
        (:func:`tsgate.bandunit.band_unit`); for fewer ("robust noise"),
        its one-step noise over the whole history, outlying errors clipped
        (:func:`tsgate.bandunit.noise`). Where a series' unit at a cut is
        at its floor (:func:`tsgate.bandunit.noise_floor`: the smoothing fitted its
        history before the cut almost exactly, as a constant before a level
        shift), its rows are read in its unit at the end instead, the one
        its band is made of: in the floored unit a shift of 45 after a
        constant became 900 units, and the 80% band ran to 4,100 around a
        forecast of 50. Nor do such rows choose the weights below (unless
        every series' do): in network units they are as extreme, and one
        such series among ten set the trend weight of all to its maximum.
        Rows of a history that held one value and stayed at it (errors
        exactly 0: a product before its launch) are left out, unless every
        row is such (a constant series), and so are the rows of a series
        whose errors are an order of magnitude beyond the others'
        (:func:`tsgate.calibration.outlying_series`): its band is the
        others' quantile times its own unit, as every series' is.

        The residuals are those of the tail forecast with the whole
        history's smoothing coefficients (:meth:`_band_stages`; module
        docstring), the weights below chosen on the cut stages' forecast.

        Also sets the weights of the forecast's parts
        (:func:`tsgate.combination.weights`): ``shrinkage_``, the networks'
        weight against the statistical forecast (inverse MSE), and
        ``drift_weight_``, the weight of the Theta trend term
        (:meth:`_drift`). They are chosen on the first fold's cut tail, but
        where few series are forecast few steps
        (:func:`tsgate.combination.pools_folds`) on the rows of every fold,
        with the Theta method's own trend weight
        (``combination.THETA_WEIGHT``).

        ``fold_list``: per validation fold, newest first, its members, its
        cut series' stages (see :meth:`_validation_jobs`) and its cuts. An
        earlier fold adds the rows of its origins before the next fold's.
        """
        self.trend_shapes_ = True  # the trend term's shape chosen on the log scale (_drift)
        finals = None  # each series' unit at the end, made where a cut's is floored
        parts, bands = [], []  # per fold: its new rows' parts for the weights and for the bands
        for k, (members, stages_cut, cuts) in enumerate(fold_list):
            new = folds.new_rows(cuts, fold_list[k - 1][2] if k else None)  # (rows,)
            # the whole series filtered with the cut stages, one fold at a time
            zs, stages = self._stages(coll.values, coll.exog, like=stages_cut)
            part, finals = self._tail_parts(coll, members, zs, stages, cuts, exogs, finals)
            parts.append([a[new] for a in part])
            like = self._band_stages(stages_cut)
            if like is not None:  # filtered with the whole history's coefficients
                part, finals = self._tail_parts(coll, members,
                                                *self._stages(coll.values, coll.exog, like=like),
                                                cuts, exogs, finals)
            bands.append([a[new] for a in part[:6]])
        pooled = combination.pools_folds(len(coll), self.horizon_)
        Y, P, D, S, ratio, _, choose, owners, flat = (np.concatenate(a) for a in zip(*parts))
        # the rows that choose: every fold's, or the first fold's (all its rows
        # are new); of those, the unfloored ones (all floored: all of them)
        rows = np.full(len(Y), True) if pooled else np.arange(len(Y)) < len(parts[0][0])
        chosen = rows & choose if (rows & choose).any() else rows  # (rows,)
        self.season_drift_ = True
        self.shrinkage_, self.drift_weight_ = combination.weights(
            Y[chosen], P[chosen], D[chosen], combination.THETA_WEIGHT if pooled else None,
            S[chosen])
        # the steps the first fold's networks had targets for where the trend weight
        # was chosen on that fold: the longest cut series' origin 0 reaches n - cut - 1
        self.network_steps_ = self.horizon_ if pooled else int(min(self.horizon_, max(
            len(v) - c - 1 for v, c in zip(coll.values, fold_list[0][2]))))
        used = self.shrinkage_  # the networks' weight: per cell where some steps are blind
        if self.network_steps_ < self.horizon_:  # by the stages the final fit made of coll
            used = self._network_weights(FINAL_STAGES[self][2])[owners]  # (rows, H)
        Y, P, D, S, ratio, seasonless = (np.concatenate(a) for a in zip(*bands))  # the bands' parts
        residuals = combination.combined_errors(Y, P, D, used, self.drift_weight_, S)
        residuals = residuals * ratio  # (rows, H); NaN past the series' end
        # a history of one value that stayed at it: its constant forecast is exact,
        # whatever the band; the rows of a product before its launch were most of
        # its rows, and made its 80% band after the launch of width 0. Each such
        # zero is left out, not only rows of nothing else: a constant series that
        # moved at its last value had one error a row, and the rest of each step's
        # zeros made its 80% band of width 0 around a value it never took
        still = flat[:, None] & (residuals == 0)  # (rows, H)
        told = np.isfinite(residuals) & ~still  # (rows, H) the errors that say something
        if told.any():  # (a constant series: every zero kept, its band of width 0)
            residuals = np.where(still, np.nan, residuals)
            keep = told.any(axis=1)  # (rows,)
        else:
            keep = np.full(len(residuals), True)
        # nor the rows of a series whose errors are outlying (calibration.outlying_series)
        apart = outlying_series(residuals[keep], owners[keep])
        if apart:
            keep &= ~np.isin(owners, sorted(apart))
        keep_known = keep & np.isfinite(residuals).any(axis=1)  # the rows a band reads
        self.model_band_floor_ = self._model_band_floors(seasonless[keep_known],
                                                         owners[keep_known], len(coll))
        return residuals[keep], owners[keep]

    def _model_band_floors(self, seasonless, owners, k):
        """Per series of the fit (bool (k,)), whether every one of its kept
        calibration rows that holds an error is ``seasonless`` (rows,): of
        a cut whose stage had no season where the whole history's has one
        (the cut too short for it, or its test failed there); False for a
        series without such rows. None for a fit of
        ``POOLED_UNIT_MIN_SERIES`` or more series ("step noise"), whose
        bands are the pooled rows' quantile. The bands of flagged series
        are floored at their stage's own model band
        (:meth:`tsgate.bands.ForecastBands._model_floors`): their rows are
        the errors of a level smoothing in that stage's unit, which the
        season's swing dominates, read in the seasonal stage's unit at the
        end, the units of two procedures; nothing out of sample speaks for
        the seasonal one there."""
        if self.interval_unit_ != ROBUST_UNIT:
            return None
        rows = np.bincount(owners, minlength=k)  # (k,) rows per series
        return (rows > 0) & (np.bincount(owners, weights=seasonless, minlength=k) == rows)

    def _band_stages(self, stages_cut):
        """The stages whose tail forecasts make the bands' residuals (module
        docstring): each cut stage with the smoothing coefficients of the
        series' final stage, where the two have the same seasonal form (the
        cut series may be too short for the season the whole one shows: its
        indices would start from values after the origins). None where the
        cut stages themselves serve: the same coefficients throughout, or a
        normalisation other than "smooth", which has none to choose
        ("standard"'s center, the whole history's mean, would be a future
        level)."""
        if self.normalize_ != "smooth":
            return None
        whole = FINAL_STAGES[self][2]
        like = [replace(c, alpha=w.alpha, gamma=w.gamma, delta=w.delta)
                if (w.period, w.inner) == (c.period, c.inner) else c
                for c, w in zip(stages_cut, whole)]
        coefficients = [(s.alpha, s.gamma, s.delta) for s in stages_cut]
        return None if [(s.alpha, s.gamma, s.delta) for s in like] == coefficients else like

    def _tail_parts(self, coll, members, zs, stages, cuts, exogs, finals):
        """The tail forecasts' parts of one fold: (Y, P, D, S, unit ratio,
        seasonless rows, choosing rows, owner, flat), each (rows, ...), and
        ``finals``. Seasonless rows are those of a series whose cut stage has
        no season where its final stage has one (the cut too short for it)."""
        Y = None

        def windows(L):
            nonlocal Y
            X, Y = encoding.tail_windows(zs, stages, cuts, L, self.horizon_, exogs)
            return X

        P = self._members_median(members, windows)  # (rows, H)
        ends = encoding.tail_ends(zs, cuts)
        D = self._drift(zs, stages, ends)  # (rows, H)
        S = self._drift(zs, stages, ends, seasonal=True)  # (rows, H)
        flat = encoding.unchanged(coll.values, ends)  # (rows,) forecast as in _forecast_from
        P[flat], D[flat], S[flat] = 0.0, 0.0, 0.0
        H = Y.shape[1]
        units = [self._unit(z, sm, H, len(z) - c) for z, sm, c in zip(zs, stages, cuts)]
        # a cut too short for the season its whole series has (bands.ForecastBands._bands)
        whole = FINAL_STAGES[self][2]
        seasonless = np.repeat([sm.period == 1 < w.period for sm, w in zip(stages, whole)],
                               [len(e) for e in ends])  # (rows,)
        # the noise itself is step 1's unit: at its floor, the history before the cut was
        # fitted exactly, and the series' network unit says nothing of its errors either
        robust = getattr(self, "interval_unit_", None) == ROBUST_UNIT
        floored = [u[0] <= noise_floor(z, sm, len(z) - c, robust)
                   for u, z, sm, c in zip(units, zs, stages, cuts)]
        choose = np.repeat(np.logical_not(floored), [len(e) for e in ends])  # (rows,)
        # network units (each series' typical seasonal change) -> noise units
        if (robust or any(floored)) and finals is None:
            finals = [self._unit(z, s, H) for z, s in zip(*self._stages(coll.values, coll.exog))]
        for i in np.flatnonzero(floored):
            units[i] = finals[i]
        if robust:  # a series calm before the cut and noisy after it (a stretch of one value):
            # its errors after the cut in the calm unit, times the noisy unit at the end, made
            # its band 4-14 times too wide; the cut's unit is taken at least 1/UNIT_RISE of it
            units = [np.maximum(u, f / UNIT_RISE) for u, f in zip(units, finals)]
        ratio = np.concatenate([np.tile(sm.scale / u, (len(e), 1))  # (rows, H)
                                for sm, u, e in zip(stages, units, ends)])
        owner = np.repeat(np.arange(len(ends)), [len(e) for e in ends])  # (rows,) series
        return (Y, P, D, S, ratio, seasonless, choose, owner, flat), finals

    def _members_median(self, members, windows):
        """The ensemble's forecast (rows, H): the median over ``members`` of
        their outputs on ``windows(L)`` (rows, L, F), each at its lookback
        ``L`` (``windows_``); the networks' part of the forecast and of its
        validation errors alike."""
        outs = []
        for reg, L in zip(members, self.windows_):
            X = windows(L)
            outs.append(reg._predict_arrays(X).reshape(len(X), -1))
            # one member's workspace at a time: each kept its plans, and lookbacks of
            # 200,000 steps held 1.3 GB per member (the fit's memory check counts one)
            # (the device it predicted on: a GPU's model on a machine without one, the CPU)
            reg._network(reg._predicting_device()).release_predicting()
        return np.median(outs, axis=0)

    def _network_weights(self, stages):
        """The networks' weight (k, H) in the forecast of the series of
        ``stages``: ``shrinkage_``, but 0 where
        :func:`tsgate.combination.network_cells` leaves them out, past
        ``network_steps_`` for series without seasonality (files saved
        before it: every step counts)."""
        seen = getattr(self, "network_steps_", self.horizon_)
        trended = [self.normalize_ == "smooth" and sm.period == 1 for sm in stages]
        return self.shrinkage_ * combination.network_cells(trended, seen, self.horizon_)

    def _unit(self, z, sm, h, end=None):
        """The unit (h,) of the calibration residuals of one series (working
        values z (n,), stage sm) at steps 1..h, from its errors before ``end``.

        By ``interval_unit_``: "step noise", :func:`tsgate.bandunit.band_unit`;
        "robust noise" (fewer than ``POOLED_UNIT_MIN_SERIES`` series), the
        one-step noise of the whole history with outlying errors clipped;
        "noise" (such files of tsgate 0.1's first noise unit), the same
        unclipped; files written before the noise unit (no such attribute),
        the network's unit ``sm.scale``. The noise's errors are scored from
        :func:`tsgate.bandunit.first_scored` on (``noise_from_``), but from
        one season on for files saved before it, whose residuals were
        divided by such units.
        """
        kind = getattr(self, "interval_unit_", "change")
        start = None if getattr(self, "noise_from_", None) else max(sm.period, 1)
        if kind == STEP_UNIT:
            return band_unit(z, sm, h, end, start)
        if kind == "change":
            return np.full(h, sm.scale)
        return np.full(h, noise(z, sm, end, robust=kind == ROBUST_UNIT, start=start))

    def _drift(self, zs, stages, ends, seasonal=False):
        """The Theta trend term (rows, H) in network units from each series' ``ends``.

        Of the series without seasonality (the Theta method's home ground:
        yearly and other short trending series), or with ``seasonal``, of
        those with it; zero for the others. The two enter the forecast
        differently (:mod:`tsgate.combination`): the first at the weight
        ``drift_weight_`` chosen on the cut tail, the second in the
        statistical forecast only, which the networks' forecast is
        combined with (``season_drift_``). On the log scale the term takes
        the trend's shape that fits the history better
        (:mod:`tsgate.trendterm`), except in files saved before that
        (no ``trend_shapes_``), which forecast as they were fitted.
        """
        H = self.horizon_
        shapes = getattr(self, "trend_shapes_", False)
        return np.concatenate([
            theta_drift(z, sm, e, H, shapes=shapes) / sm.scale
            if self.normalize_ == "smooth" and (sm.period > 1) == seasonal
            else np.zeros((len(e), H)) for z, sm, e in zip(zs, stages, ends)])
