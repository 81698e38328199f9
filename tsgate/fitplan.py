"""The fits of a forecaster's ensemble: which networks, on which data, for how long.

A default fit trains the ensemble (``n_models`` members varying the seed,
the window length and the loss) once per validation fold, on every series
but its cut tail; then each member of the first fold goes on training on
all the data, its cut tail included, for ``FINAL_STEPS`` of its budget
(:mod:`tsgate.forecasters`, steps 2 and 3). This module builds those fits
as jobs (callables) and runs them (:func:`tsgate.ensemble.run_fits`); the
forecaster uses the fitted members. Each fit's length is its step budget:
``STEPS_PER_WINDOW`` steps per training window, within ``TRAIN_STEPS`` (or
``max_iter`` epochs), and never more steps than ``MAX_WINDOW_STEPS``
window time steps of work.

The final members continue the validation ones rather than start afresh:
those have learnt all but the newest ``horizon`` steps of every series, and
a quarter of the budget on all the data brings the newest steps in. The
forecasts are as accurate as from a fresh fit of the whole budget (11
bundled series, 3 seeds, 3 rolling origins; Tourism and M1 whole, 3 seeds;
M3 yearly 1% behind with the GRU, 0.4% ahead with the LSTM:
``benchmarks/README.md``, session 26), for about 40% fewer gradient
steps: the default forecast of airline takes 0.7 s (GRU) and 0.9 s (LSTM)
instead of 1.1 and 1.4 on 2 cores, a whole competition collection 21-28%
less time.

A series' windows count toward the budget up to ``SERIES_WINDOWS`` of
them: one series' windows overlap (neighbours share all their steps but
one), so the windows of a long history hold far fewer independent samples
than their number. Counted in full, a single series of 732 monthly points
(elnino) trained for 2928 steps and 1461 daily points for the whole 4000,
six to eight times airline's 520; counted up to 250, they train for 1000
steps, still over 40 passes over every window. Default GRU fit + forecast
on 2 cores, before -> after: elnino 7.1 -> 2.5 s, the daily temperatures
11.5 -> 3.0 s, the hourly ones 19.4 -> 4.7 s, CO2 (weekly, lookbacks of
65-156) 34.2 -> 10.4 s (``benchmarks/fit_times.py``); over the 11 bundled
series, 3 rolling origins and 3 seeds, the GM MASE ratio to ETS went
0.904 -> 0.889 (GRU) and stayed 0.892 (LSTM). A collection's budget,
where many series each bring their windows, is as before: it reaches its
cap (``benchmarks/README.md``, session 25).

A step's time grows with its windows' length, and the lookbacks grow with
the horizon (:func:`tsgate.encoding.window_lengths`): forecast a day of
5-minute data (288 steps), the members' windows are 360 to 864 steps long,
and 4000 steps each took 300-320 s for 14 days of data (2-core machine).
So a member's steps are also capped where its windows are long: at most
``MAX_WINDOW_STEPS`` (batch rows times window steps, summed over its
steps), the work of the full budget on windows of 160 steps. That fit then
took 80-90 s, and its MASE over three draws was 1.052 against 1.041
(seasonal naive 1.153; ``benchmarks/long_windows.py``); with the series'
windows counted as above, 63-64 s and 0.993. No fit of the other
benchmarks reaches the cap (the longest lookbacks there: 156 weeks of
CO2, 144 half-hours of Taylor's electricity demand).

That cap is the 4000-step budget's: a single series' 1000 steps met it
only on windows over 640 steps, and a year of daily data 200 days ahead
(lookbacks of 250-600) trained each member as long as on 14-step windows.
Every budget now keeps the work it has on windows of ``LONG_WINDOW``
steps, never below ``TRAIN_STEPS[0]`` steps: the 5-minute series above,
mean MASE over 3 seeds 1.092 -> 1.069 and 41 -> 14 s; a week of hourly
data ahead (lookbacks 210-504) 0.892 -> 0.852 and 23 -> 12 s
(``benchmarks/long_windows.py --data hourly``; session 48).
"""
import copy
import inspect
import math
import os
import warnings
import weakref
from functools import partial

from sklearn.exceptions import ConvergenceWarning

from . import config, encoding, folds
from .backend import numba_threads, runs_on_cpu
from .engine import NetworkSpec
from .engine.layout import Layout
from .ensemble import run_fits
from .fitchecks import MAX_FIT_FLOATS
from .regressors import _BaseRNNRegressor
from .smoothing import _scale_choice

# per forecaster, (its training collection, working values, stages) of the
# final fit: predict's first forecast of that collection smoothed every series
# again to the same stages (3 s of 5 s at 10,000 series); read only while the
# collection is the forecaster's collection_ (not saved, not pickled)
FINAL_STAGES = weakref.WeakKeyDictionary()

TRAIN_STEPS = (300, 4000)  # gradient steps of the default budget: at least, at most
STEPS_PER_WINDOW = 4       # default budget between those: 4 steps per training window ...
SERIES_WINDOWS = 250       # ... counting at most 250 windows of each series
FINAL_STEPS = 0.25         # a final fit continues its validation fit for this share of the budget
MAX_INPUT_FLOATS = 2**23   # newest windows kept per fit: inputs stay under 32 MiB
LONG_WINDOW = 160          # a budget's steps are for windows of at most this many steps ...
MAX_WINDOW_STEPS = TRAIN_STEPS[1] * 64 * LONG_WINDOW  # ... and any fit's work: 4000 batches of 64 x 160
# the calibration folds of a few series together at most this much work (windows x steps,
# over their epochs), else one fold at the last cut (folds.validation_cuts): three folds of
# windows of a year of weeks (or a year of days ahead) took minutes where one takes seconds
FOLDS_MOST_WORK = MAX_WINDOW_STEPS
_LOSSES = ("absolute_error", "huber")  # members alternate: MASE rewards the median


def _fit_member(reg, X, Y, validation=None):
    """Fit one ensemble member (float32 windows X, targets Y) for its budget."""
    return reg._fit_arrays(X, Y, 2, validation=validation)


def _nth(members, i):
    """Member ``i`` of a warm start's ``members`` (False: none), or None."""
    return members[i] if members and i < len(members) else None


def counted_windows(zs, max_windows):
    """The windows of the series ``zs`` that count toward a step budget: each
    series' training windows (one per step with a target, at most
    ``max_windows``), at most ``SERIES_WINDOWS`` of them."""
    return sum(min(max(len(z) - 1, 0), max_windows, SERIES_WINDOWS) for z in zs)


def machine_memory():
    """Bytes of memory this process may use: the machine's physical memory,
    or a container's (cgroup) limit below it; None where the system does
    not say (Windows)."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                limit = f.read().strip()
        except OSError:
            continue
        if limit.isdigit():
            memory = min(memory, int(limit))
        break
    return memory


class EnsembleFits:
    """Mixin of :class:`tsgate.forecasters._BaseForecaster`: its ensemble's fits."""

    def _shown_as(self):
        """What progress calls this forecaster: its class, or the name a
        caller gave it (``PerSeriesForecaster, series 'a'``)."""
        return getattr(self, "_progress_name", None) or type(self).__name__

    def _check_size(self, coll):
        """Raise a ValueError where one member's windows (inputs and targets)
        or its network (weights, gradients, Adam's two moments and one
        batch's activations) would pass ``MAX_FIT_FLOATS``: a horizon,
        window or season far beyond the data, or a network far beyond any
        series' need. The message names the parameters that make it big.
        Returns whether the members may train at once (:meth:`_check_memory`)."""
        H, L = self.horizon_, max(self.windows_)
        features = 2 + (0 if coll.exog is None else coll.exog[0].shape[1])
        length = L + (H if coll.exog is not None else 0)
        most = self._max_windows(L, coll)
        windows = sum(min(max(len(v) - 1, 0), most) for v in coll.values)  # (training_ends)
        inputs = data = windows * (length * features + 2 * H)  # windows and targets
        h, dirs = self.hidden_size, 2 if self.bidirectional else 1
        gates = 4 if self._regressor._cell == "lstm" else 3
        weights = Layout(NetworkSpec(self._regressor._cell, features, h, H, self.num_layers,
                                     self.bidirectional, self.attention, self.dropout)).size
        activations = min(self.batch_size, windows) * length * (gates + 2) * h * dirs * self.num_layers
        network = 4 * weights
        if length > h * self.num_layers:  # activations grow with both: blame the larger
            data += activations
        else:
            network += activations
        if data + network <= MAX_FIT_FLOATS:
            return self._check_memory(inputs, windows, length, features, weights, gates)
        gib = 4 * (data + network) / 2**30
        if network > data:
            raise ValueError(
                f"hidden_size={h} with num_layers={self.num_layers} makes a network of about "
                f"{4 * network / 2**30:.3g} GiB to train (weights, gradients, Adam's moments and "
                f"a batch's activations), beyond the {4 * MAX_FIT_FLOATS / 2**30:g} GiB tsgate "
                "allows; give a smaller hidden_size or fewer layers.")
        source = f"windows of {L} steps"
        if self.window is None and self.season_length is not None:
            source += f" (from season_length={self.season_length}: set a shorter window=)"
        raise ValueError(
            f"horizon={H} with {source} makes a fit of about {gib:.3g} GiB ({windows} windows "
            f"of {length} steps, an output layer of {H} steps), beyond the "
            f"{4 * MAX_FIT_FLOATS / 2**30:g} GiB tsgate allows; give a shorter horizon (or "
            "window).")

    def _check_memory(self, inputs, windows, length, features, weights, gates):
        """Raise a ValueError where the fit's peak memory would pass this
        machine's: the members training at once each build their windows and
        keep ``PLANS_KEPT`` training plans, whose activations and their gradients take about
        13 floats per hidden unit, step and row (``engine/plan.py``), and a
        plan to forecast the validation tail. A horizon of 5000 on 1000
        points passed the 1 GiB check and took 10.5 GB. ``inputs``,
        ``weights``: the floats :meth:`_check_size` counted for the windows
        and the network.

        Returns whether the members may train at once: False where only one
        at a time fits in the machine's memory (they then train one after
        the other, each on every thread: the same forecast, bit for bit,
        rather than a refusal).
        """
        memory = machine_memory()
        if memory is None:
            return True
        h, dirs, layers = self.hidden_size, 2 if self.bidirectional else 1, self.num_layers
        dgh = gates if gates == 3 else 0  # a GRU plan's extra gate gradients (engine/plan.py)
        step = sum(dirs * ((3 + 2 * gates + dgh) * h
                           + (features if layer == 0 else h * dirs)) + 2 * h * dirs
                   for layer in range(layers))  # per row and step, with dseq and seq
        train = config.setting("PLANS_KEPT", 0) * min(self.batch_size, windows) * length * step
        forecast = min(windows, 256) * length * (2 + gates) * h * dirs * layers
        # on the CPU members train at once on the threads; elsewhere one after the other
        at_once = max(1, min(self.n_models, numba_threads())) if runs_on_cpu(self.device) else 1
        def peak(members):  # bytes with this many members training at once, each on the
            # windows it builds (counted once, 1000 series of 200 features peaked 5 times over)
            return 4 * members * (inputs + 4 * weights + train + forecast)

        if peak(at_once) <= memory:
            return True
        if peak(1) <= memory:
            return False
        raise ValueError(
            f"horizon={self.horizon_} with windows of {length} steps and hidden_size={h} "
            f"would take about {peak(1) / 2**30:.3g} GiB of memory to train, one member at a "
            f"time with a batch's activations over {length} steps, more than this machine's "
            f"{memory / 2**30:.3g} GiB; give a shorter horizon (or window), a smaller "
            "hidden_size or batch_size.")

    def _fit_members(self, coll, exogs, seeds, warm, concurrent):
        """Fit the validation folds' members and the final ones (``concurrent``:
        on a thread pool). Returns the validation members (fold by fold),
        the final members, each fold's cut stages and its cuts."""
        H = self.horizon_
        defaults = inspect.signature(type(self).__init__).parameters
        if self.max_iter is None and (self.n_iter_no_change, self.tol) != tuple(
                getattr(defaults.get(k), "default", v)
                for k, v in (("n_iter_no_change", self.n_iter_no_change), ("tol", self.tol))):
            warnings.warn(  # _member: the budget's fits run whole
                f"n_iter_no_change={self.n_iter_no_change} and tol={self.tol} act only with "
                "max_iter set: max_iter=None trains each network for its step budget. Set "
                "max_iter (epochs) to stop fits whose loss stalls.", UserWarning, stacklevel=3)
        # (folds, series) steps cut off; earlier folds (or a longer cut) for few series
        fold_cuts = folds.validation_cuts(
            coll.values, H, self.validation_fraction,
            costly=lambda plan: self.max_iter is None and sum(
                self._fold_work(coll, cuts) for cuts in plan) > FOLDS_MOST_WORK)
        # each series' scale, chosen once on its whole history, and the stages fitted for it
        logs, fitted = self._logs(coll)
        # the final fit's stages, each chosen once on its whole history (before
        # the folds: a cut takes no season its whole series has not)
        whole = self._stages(coll.values, coll.exog, logs=logs, known=fitted)[1]
        holdout, cut_stages = [], []
        for k, cut in enumerate(fold_cuts):  # only the first fold's members are kept
            jobs, cut_stage = self._validation_jobs(coll, exogs, seeds[0], warm and k == 0, cut,
                                                    "validation " if k == 0 else f"fold {k + 1} ",
                                                    logs, whole)
            holdout.append(jobs)
            cut_stages.append(cut_stage)
        holdout = [job for jobs in holdout for job in jobs]
        # a fit's time goes with its window length times its windows (its
        # step budget): the longest start first
        observed = sum(len(v) for v in coll.values)
        # each member's final fit starts once its validation fit is done (run_fits' then)
        checked, final = run_fits(
            holdout, concurrent, [L * (observed - sum(c)) for c in fold_cuts for L in self.windows_],
            then=self._final_jobs(coll, exogs, seeds[1], warm and self.regressors_, logs, whole))
        return checked, final[:self.n_models], cut_stages, fold_cuts

    def _validation_jobs(self, coll, exogs, seeds, warm, cuts, label, logs, whole=None):
        """The fits of the ensemble on all but the cut tail of every series
        (``cuts``: steps cut off each; ``label`` names the fits in progress;
        ``logs``: each series' scale, :meth:`_logs`; ``whole``: each whole
        series' stage, the final fit's).

        Returns
        -------
        jobs : list of callables
            One per member: builds its windows, fits it (for the step
            budget; with ``early_stopping``, keeping the best epoch on the
            cut tail) and returns it.
        stages : list of Smoothing
            The cut series' stages, for the residuals of the cut tail
            (:meth:`_residuals`).
        """
        H = self.horizon_
        # the log scale is chosen on the whole series, as the final fit does:
        # the cut tail is filtered on that scale too (a tail value <= 0 after a
        # positive history has no log)
        # and where the whole series is not seasonal, nor is its cut: the tail's
        # residuals are of the final fit's form (a cut of 3 years of weekly counts
        # found a noisy 52-week season the whole series has not, and its
        # residuals sized a 95% band 1.7 times as wide)
        # (and one whose stage smooths the day alone, too short for the collection's week,
        # has the day as its cut's candidate)
        periods = None if whole is None or self.normalize_ != "smooth" else [
            w.period if w.period < self.season_length_ else None for w in whole]
        zs_cut, stages_cut = self._stages([v[:len(v) - c] for v, c in zip(coll.values, cuts)],
                                          coll.exog and [e[:len(e) - c]
                                                         for e, c in zip(coll.exog, cuts)],
                                          logs=logs, periods=periods)
        exogs_cut = exogs and [e[:len(z) + H] for e, z in zip(exogs, zs_cut)]  # tail rows are known
        # the whole series filtered with the cut stages (causal: each origin
        # in the tail sees only its past), once for every member
        extended = (self._stages(coll.values, coll.exog, like=stages_cut) if self.early_stopping
                    else None)
        order = encoding.content_order(zs_cut, exogs_cut)  # the windows' order, for every member

        def job(reg, L):
            Xw, Yw, budget = self._windows(zs_cut, stages_cut, L, coll, exogs_cut, order)
            reg.set_params(max_iter=budget["max_iter"])
            reg._max_steps = budget["max_steps"]
            validation = None
            if self.early_stopping:
                validation = encoding.tail_windows(*extended, cuts, L, H, exogs)
            return _fit_member(reg, Xw, Yw, validation)

        previous = warm and self.holdout_regressors_
        jobs = [partial(job, self._member(i, seeds[i], _nth(previous, i), label), L)
                for i, L in enumerate(self.windows_)]
        return jobs, stages_cut

    def _logs(self, coll):
        """Per series, whether its whole history goes on the log scale
        (:func:`tsgate.smoothing.takes_log`, after its spikes and the features'
        effect), and the stage the choice fitted on that scale on the way
        (None where it fitted none there), which is the final fit's stage
        (:meth:`_final_jobs`) where the stages are the smoothing's without an
        inner cycle; else None throughout (a stage of the scale not chosen,
        or one the final fit cannot reuse, is not held through the fit)."""
        exog = self._effect_rows(coll.exog) or [None] * len(coll)
        choices = [_scale_choice(v, self.season_length_, e, self.inner_period_)
                   for v, e in zip(self._cleaned(coll.values, coll.exog), exog)]
        reusable = self.normalize_ == "smooth" and self.inner_period_ == 1
        return ([log for log, _ in choices],
                [stages.get(log) if reusable else None for log, stages in choices])

    def _final_jobs(self, coll, exogs, seeds, previous, logs, fitted=None):
        """The fits of the ensemble on all the data, one per member, each made
        from the member's validation fit: ``then(i, validated)`` returns the
        final fit of member ``i`` (None for the members of earlier folds,
        ``i >= n_models``; :func:`tsgate.ensemble.run_fits`).

        With early stopping, member ``i`` trains for its validation fit's
        best epoch, from ``previous`` (the members of a warm start, or
        False: afresh); without, it continues its validation fit (its
        weights and optimizer state) for ``FINAL_STEPS`` of the step
        budget. ``fitted``: per series, its whole history's stage on the
        chosen scale, fitted before the folds (:meth:`_fit_members`), or
        None (fitted here)."""
        zs, stages = self._stages(coll.values, coll.exog, logs=logs, known=fitted)  # scales chosen once
        FINAL_STAGES[self] = (coll, zs, stages)
        order = encoding.content_order(zs, exogs)  # the windows' order, for every member

        def job(reg, L, epochs, steps=None):
            Xw, Yw, budget = self._windows(zs, stages, L, coll, exogs, order,
                                           1.0 if epochs is not None else FINAL_STEPS)
            if epochs is not None:  # the validation fit's best epochs, within its steps
                budget = {"max_iter": max(1, epochs), "max_steps": steps}
            reg._max_steps = budget["max_steps"]
            return _fit_member(reg.set_params(max_iter=budget["max_iter"]), Xw, Yw)

        def then(i, validated):
            if i >= self.n_models:  # an earlier fold's member: calibration only
                return None
            if self.early_stopping:  # the validation fit's best epochs, from the start
                return partial(job, self._member(i, seeds[i], _nth(previous, i), ""),
                               self.windows_[i], validated.best_epoch_,
                               getattr(validated, "_max_steps", None))
            # (_member copies it: the validation member stays as it was fitted)
            return partial(job, self._member(i, seeds[i], validated, ""), self.windows_[i], None)

        return then

    def _windows(self, zs, stages, L, coll, exogs, order=None, share=1.0):
        """The training windows ``(X, Y)`` of the series ``zs`` (stages
        ``stages``, of the collection ``coll``) for lookback ``L``, and the
        epochs and steps of ``share`` of their step budget (:meth:`_budget`);
        ``order``: the series' :func:`tsgate.encoding.content_order`, where
        known."""
        most = self._max_windows(L, coll)
        Xw, Yw = encoding.collection_windows(zs, stages, L, self.horizon_, most, exogs, order=order)
        return Xw, Yw, self._budget(*Xw.shape[:2], counted_windows(zs, most), share)

    def _fold_work(self, coll, cuts):
        """The training work of one validation fold's members (``cuts``:
        steps cut off each series): windows times their steps, over the
        epochs of each member's step budget, summed over the members."""
        work = 0
        kept = [v[:len(v) - c] for v, c in zip(coll.values, cuts)]  # the fold's training parts
        ahead = self.horizon_ if coll.exog is not None else 0  # X's future rows in each window
        for L in self.windows_:
            most = self._max_windows(L, coll)
            windows = sum(min(max(len(v) - 1, 0), most) for v in kept)
            if windows:
                counted = counted_windows(kept, most)
                # (whole epochs: the measure FOLDS_MOST_WORK was set by; the windows'
                # steps as the fit's, _windows)
                work += self._budget(windows, L + ahead, counted)["max_iter"] * windows * (L + ahead)
        return work

    def _max_windows(self, L, coll):
        """Newest windows kept per series so that a fit's inputs stay bounded."""
        per_window = (L + (self.horizon_ if coll.exog is not None else 0)) * (2 + self.n_exog_)
        return max(self.horizon_, MAX_INPUT_FLOATS // (per_window * len(coll)))

    def _budget(self, n_windows, length, counted=None, share=1.0):
        """Epochs (``max_iter``) and gradient steps (``max_steps``, None for
        whole epochs) of a fit on ``n_windows`` windows of ``length`` steps:
        ``max_iter`` epochs, or ``share`` of the step budget for ``counted``
        windows (default all; :func:`counted_windows`), on windows over
        ``LONG_WINDOW`` steps cut to the work it has on windows that long
        (at least ``TRAIN_STEPS[0]`` steps) and never beyond
        ``MAX_WINDOW_STEPS``: the whole epochs that hold its steps, or,
        where one epoch holds more than twice them (a long series), that
        epoch cut at the budget. (Whole epochs ran a 100,000-point series'
        final fit for 6 times its budget; cutting every last epoch short
        lost on whole M1 and Tourism, M1 quarterly's GM ratio to AutoETS
        0.956 -> 0.969: the rounding up is part of the tuned budget.)"""
        if self.max_iter is not None:
            return {"max_iter": max(1, round(share * self.max_iter)), "max_steps": None}
        counted = n_windows if counted is None else min(counted, n_windows)
        batches = math.ceil(n_windows / self.batch_size)
        steps = min(max(STEPS_PER_WINDOW * counted, TRAIN_STEPS[0]), TRAIN_STEPS[1])
        # windows longer than LONG_WINDOW steps: the work of the budget on windows that
        # long, within TRAIN_STEPS[0] steps (a collection's 4000: MAX_WINDOW_STEPS)
        steps = min(steps, max(steps * LONG_WINDOW // length, TRAIN_STEPS[0]),
                    MAX_WINDOW_STEPS // (min(self.batch_size, n_windows) * length))
        epochs = max(1, round(share * math.ceil(steps / batches)))  # (share of whole epochs)
        steps = max(1, round(share * steps))
        if batches > 2 * steps:
            return {"max_iter": math.ceil(steps / batches), "max_steps": steps}
        return {"max_iter": epochs, "max_steps": None}

    def _warn_unconverged(self, validated):
        """A ConvergenceWarning where the user's ``max_iter`` ended validation
        fits (``validated``, the members) before early stopping chose their
        best epoch (the last was the best) or before the stall rule ended
        them, as the regressors warn; the step budget (``max_iter=None``)
        is a plan, not a cut."""
        if self.max_iter is None:
            return
        if self.early_stopping:
            cut = [r for r in validated if r.best_epoch_ >= self.max_iter]
            rule = "early stopping chose their best epoch (the last one was)"
        else:
            cut = [r for r in validated if getattr(r, "_stop_reason", None) == "max_iter"]
            rule = (f"the training loss stalled (no improvement by tol={self.tol} for "
                    f"n_iter_no_change={self.n_iter_no_change} epochs)")
        if cut:
            warnings.warn(
                f"{self._shown_as()}: max_iter={self.max_iter} epochs ended {len(cut)} of "
                f"{len(validated)} validation fits before {rule}; the networks may not have "
                "converged. Raise max_iter, or leave max_iter=None (a budget of gradient steps "
                "that grows with the data).", ConvergenceWarning, stacklevel=3)

    def _member(self, i, seed, start, label):
        """The regressor of ensemble member ``i``: a copy of ``start`` (a fitted
        member: a warm start's, or the validation fit a final fit continues)
        with the current settings, or a new one (``start`` None)."""
        params = {name: getattr(self, name) for name in _BaseRNNRegressor._parameter_constraints
                  if name not in ("scale_target", "max_iter", "early_stopping", "validation_fraction")}
        loss = self.loss if self.n_models == 1 or self.loss != "absolute_error" else _LOSSES[i % 2]
        params.update(loss=loss, random_state=int(seed), scale_target=False, early_stopping=False,
                      n_iter_no_change=10**9 if self.max_iter is None else self.n_iter_no_change)
        if start is not None:
            # the current settings, changed since or not; the member keeps its
            # weights only where its network's shape is unchanged (the
            # regressor's warm-start rule), else it starts afresh; a copy,
            # so that a fit that fails midway leaves the fitted members whole
            reg = copy.deepcopy(start).set_params(**{**params, "warm_start": True})
        else:
            reg = self._regressor(**params)
        # set on reused members too: these labels are not saved with the model
        reg._progress_name = f"{self._shown_as()}, {label}model {i + 1}/{self.n_models}"
        reg._shared_progress = getattr(self, "_bar", None)  # the fit's one bar, if any
        # members train for a chosen number of epochs (the step budget, or the
        # validation fit's best): reaching it is the plan, not a failure to
        # converge, so the regressor raises no ConvergenceWarning for it
        reg._planned_budget = True
        return reg
