"""The training loop: epochs, seeded shuffling, minibatches, clipping, Adam,
early stopping on the LAST fraction of the samples, best-weights restore and
a guard that stops a diverging fit with the last good weights.

Divergence: a batch loss or gradient that is NaN/inf, or a batch loss above
``DIVERGENCE_FACTOR`` times the larger of the fit's first batch loss and the
loss of always predicting 0. Adam's steps are bounded by the learning rate and
the gates saturate, so a learning rate far too high rarely overflows: the
loss just grows by many orders of magnitude, which the second test catches.

Everything random (initialisation is the caller's; batch order and dropout
masks here) comes from one ``numpy.random.Generator``: the same seed gives
the same bits, whatever the number of threads.

A fit running in a thread of its own can be stopped from outside: run it
under :func:`stop_when` with a ``threading.Event``; once the event is set,
the fit raises :class:`Stopped` before its next batch.
"""
import contextlib
import math
import threading
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from .. import config
from .._callers import callers_level
from ..backend import aligned_copy
from .passes import loss_and_grad

DIVERGENCE_FACTOR = 1e6
_stop = threading.local()  # .event: the Event that stops this thread's fits


class Stopped(Exception):
    """A fit stopped from outside, before its next batch (see :func:`stop_when`)."""


@contextlib.contextmanager
def stop_when(event):
    """Within the block, the fits of THIS thread raise :class:`Stopped` once
    ``event`` (a ``threading.Event``) is set, before their next batch.

    For fits in worker threads, which Ctrl-C does not reach: the thread that
    waits on them sets the event when it is interrupted or one of them fails.
    """
    before = getattr(_stop, "event", None)
    _stop.event = event
    try:
        yield
    finally:
        _stop.event = before


@dataclass
class TrainConfig:
    """Training hyper-parameters (scikit-learn's MLP names where they exist)."""

    max_iter: int = 200
    batch_size: int = 32
    learning_rate: float = 1e-3
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    alpha: float = 0.0            # L2 penalty added to the gradient of weights
    weight_decay: float = 0.0     # decoupled weight decay (AdamW)
    clip_norm: float = 1.0        # global-norm clipping; None or 0 disables it
    loss_kind: int = 0
    loss_param: float = 0.0
    early_stopping: bool = False
    validation_fraction: float = 0.1
    n_iter_no_change: int = 10
    tol: float = 1e-4
    shuffle: bool = True
    max_steps: int = None         # gradient steps at most (a step budget): the last epoch stops
    # within itself (an epoch of more batches than the budget ran them all: 6 times a
    # long series' final budget)


@dataclass
class TrainResult:
    """What a fit learned and how it went."""

    params: np.ndarray
    loss_curve: list = field(default_factory=list)
    validation_loss_curve: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)
    grad_norm_curve: list = field(default_factory=list)
    clipped_fraction: float = 0.0
    best_loss: float = math.inf
    best_validation_loss: float = math.inf
    n_iter: int = 0
    best_epoch: int = 0
    optimizer_state: tuple = None
    diverged_at: int = None
    stop_reason: str = "max_iter"  # or "no_change" (early stopping, stalled loss), "diverged"


def split_validation(n_samples, cfg):
    """Rows for training and validation: the validation rows are the last
    ``validation_fraction`` of the samples in time order, never random."""
    if not cfg.early_stopping:
        return n_samples, 0
    n_val = max(1, int(math.ceil(cfg.validation_fraction * n_samples)))
    if n_val >= n_samples:  # scikit-learn's MLP refuses it too; the fit would not train
        raise ValueError(
            f"early_stopping holds out the last validation_fraction={cfg.validation_fraction:g} "
            f"of the {n_samples} samples ({n_val}), leaving none to train on; lower "
            "validation_fraction, give more samples, or set early_stopping=False.")
    return n_samples - n_val, n_val


def _check_targets_on_both_sides(Y, n_train, n_val, cfg):
    """Raise where the training rows or the validation rows of an
    early-stopping split hold no target (all NaN): a loss of no target is
    0, so the validation scored perfect at every epoch and the first
    epoch's weights were kept; or nothing trained."""
    if not n_val:
        return
    for part, rows, what in ((Y[n_train:], n_val, "last"), (Y[:n_train], n_train, "first")):
        if not np.isfinite(part).any():
            side = "validation" if what == "last" else "training"
            raise ValueError(
                f"early_stopping's {side} rows (the {what} {rows} of the {len(Y)} samples, "
                f"validation_fraction={cfg.validation_fraction:g}) have no target, only NaN: "
                "there is nothing to score on; change validation_fraction, order the samples "
                "in time with targets in both parts, or set early_stopping=False.")
    # an output whose targets all lie in the validation rows: nothing would train its
    # weights (they kept their random start), and its forecasts were noise
    untrained = np.flatnonzero(~np.isfinite(Y[:n_train]).any(axis=0))  # (k,) outputs
    if len(untrained):
        raise ValueError(
            f"y's output column {int(untrained[0])} has targets only in early_stopping's "
            f"validation rows (the last {n_val} of the {len(Y)} samples, validation_fraction="
            f"{cfg.validation_fraction:g}): nothing would train it. Change validation_fraction, "
            "order the samples in time with targets of every output in the first part, or set "
            "early_stopping=False.")


def evaluate(net, params, X, Y, cfg):
    """Loss and R^2 of the network on windows X (N, T, F), targets Y (N, O).

    R^2 as scikit-learn's ``r2_score`` (and the regressors' ``score``)
    gives it: per output, around that output's mean, then averaged over
    the outputs; NaN targets are left out of their output. An output with
    fewer than 2 targets has none (NaN, scikit-learn's answer for one
    sample); one whose targets are all equal scores 1 where they are
    predicted exactly, else 0. (One R^2 around the mean of every target
    pooled, used before, read -0.1 where ``score`` gave -8.5: outputs
    apart from each other made the pooled spread large.)
    """
    pred = net.predict(params, X)
    loss = _host_loss_value(pred, Y, cfg)
    return float(loss), r2_by_output(Y, pred)


def r2_by_output(Y, pred, weights=None):
    """R^2 of ``pred`` against ``Y`` (N, O), per output then averaged, targets
    that are not finite left out (:func:`evaluate`; the regressors'
    ``score``), each row weighted by ``weights`` (N,) if given, as
    scikit-learn's ``r2_score``; NaN where no output has 2 targets."""
    w = np.ones(len(Y)) if weights is None else np.asarray(weights, np.float64)  # (N,)
    scores = []
    for j in range(Y.shape[1]):
        ok = np.isfinite(Y[:, j])
        if ok.sum() < 2:
            continue
        y = Y[ok, j].astype(np.float64)  # (n,) float32 squares overflow
        p, wj = pred[ok, j].astype(np.float64), w[ok]  # (n,) each
        resid = np.sum(wj * (y - p) ** 2)
        spread = np.sum(wj * (y - np.average(y, weights=wj)) ** 2)
        scores.append(1.0 - resid / spread if spread > 0 else float(resid == 0))
    return float(np.mean(scores)) if scores else float("nan")


def zero_prediction_loss(Y, cfg):
    """The loss of predicting 0 for every target of Y (N, O): the scale of the data."""
    Y = np.ascontiguousarray(Y)
    zeros = np.zeros_like(Y)
    return _host_loss_value(zeros, Y, cfg)


def _host_loss_value(pred, Y, cfg):
    """Mean loss of pred against Y, both (N, O), on the host.

    The kernel also writes the loss into a scratch slot, as a training step
    has it do (``out``, ``slot``): called without them it compiles a second
    signature (about 0.5 CPU s on a first fit).
    """
    # imported at use, not with tsgate (see regressors._predict_arrays)
    from ..kernels.cpu import loss_forward_backward

    return float(loss_forward_backward(pred[None], Y[None], cfg.loss_kind, cfg.loss_param,
                                       np.empty_like(pred)[None], np.empty(1), 0))


def _epoch_masks(net, rng, sizes):
    """Dropout masks of one epoch, step by step: for each step a list with one
    mask (NT, BT, D) per layer, in the tile shape of that step's plan (None
    without dropout).

    Drawn for the step's rows only (rows x D per layer), row ``r`` into
    tile ``r // BT``, slot ``r % BT``, as the batch's windows are packed;
    padded rows keep every unit (their targets are NaN). The draws then do
    not depend on the tiling, which differs between the CPU (tiles of up to
    64 rows) and a GPU (up to 32, by its multiprocessors): drawn for the
    padded tiles, a batch of 33 drew 33 rows' worth on the CPU (one tile)
    and 34 under CUDA (two of 17), and every later mask differed (parameters 4e-3 apart after one
    epoch, where without dropout they agree).

    Drawn in as few ``rng.random`` calls as ``config.MASK_BLOCK`` floats
    allow (one for all but huge epochs), each uploaded in one copy, then
    sliced per step: the same numbers, in the same order, as one draw per
    step and layer (a Generator's stream does not depend on how it is cut),
    and memory stays bounded however many windows an epoch has.
    """
    p, spec, bk = net.spec.dropout, net.spec, net.backend
    if p <= 0:
        yield from [None] * len(sizes)
        return
    D, layers = spec.width, spec.num_layers
    shapes = [net.tiles(rows) + (D,) for rows in sizes]  # (NT, BT, D) per step
    padded = [math.prod(shape) for shape in shapes]  # NT*BT*D: what each layer's mask holds
    first = 0
    while first < len(sizes):
        last, total = first, 0  # steps first..last-1 form one block
        while last < len(sizes) and (last == first or
                                     total + padded[last] * layers <= config.setting("MASK_BLOCK")):
            total += padded[last] * layers
            last += 1
        drawn = rng.random(sum(sizes[first:last]) * D * layers)  # (steps x layers x rows*D,)
        kept = ((drawn >= p) / (1 - p)).astype(net.dtype)
        host = np.ones(total, net.dtype)  # (steps x layers x NT*BT*D,) padded rows: 1
        into = taken = 0
        for rows, n in zip(sizes[first:last], padded[first:last]):
            for _ in range(layers):
                host[into:into + rows * D] = kept[taken:taken + rows * D]
                into += n
                taken += rows * D
        flat = bk.to_device(host)
        offset = 0
        for shape, n in zip(shapes[first:last], padded[first:last]):
            step_masks = []
            for _ in range(layers):
                step_masks.append(flat[offset:offset + n].reshape(shape))
                offset += n
            yield step_masks
        first = last


def _divergence_causes(cfg):
    """The likely causes of a diverged fit, for its warning: the learning
    rate or unscaled data, and a weight decay large enough to overshoot
    (decoupled decay shrinks the weights by ``learning_rate * weight_decay``
    a step: 1e6 diverged in the first epoch, and the message blamed the
    learning rate alone)."""
    decay = cfg.learning_rate * cfg.weight_decay
    if decay >= 0.1:
        return (f"Likely causes: weight_decay={cfg.weight_decay:g}, which shrinks the weights "
                f"by {decay:.3g} of themselves a step (lower it), a learning rate that is too "
                "high, or unscaled data.")
    return ("Likely causes: a learning rate that is too high, or unscaled data; lower "
            "learning_rate_init or scale the inputs.")


def train(net, params, X, Y, cfg, rng, state=None, log=None, validation=None):
    """Fit ``net`` on windows ``X`` (N, T, F) and targets ``Y`` (N, O).

    Parameters
    ----------
    net : tsgate.engine.Network
    params : ndarray of shape (P,)
        Initial parameters (host); not modified.
    X : ndarray of shape (N, T, F)
        float32 windows, any strides (they may be views of one series).
    Y : ndarray of shape (N, O)
        float32 targets; NaN entries are left out of the loss.
    cfg : TrainConfig
    rng : numpy.random.Generator
        Drives batch order and dropout masks.
    state : tuple (m, v, step), optional
        Adam state to continue from (warm start).
    log : callable, optional
        Called as ``log(epoch, loss, val_loss, seconds)`` after each epoch.
    validation : tuple (X_val (V, T, F), Y_val (V, O)), optional
        Early-stop on these instead of the last ``validation_fraction`` of
        the samples (which then all train); needs ``cfg.early_stopping``.

    Returns
    -------
    TrainResult
    """
    with net.lock:  # the plans' workspaces serve one pass at a time
        return _train(net, params, X, Y, cfg, rng, state, log, validation)


def _train(net, params, X, Y, cfg, rng, state, log, validation):
    bk = net.backend
    N, T, F = X.shape
    if validation is not None and cfg.early_stopping:
        n_train, n_val = N, len(validation[0])
        X_val, Y_val = validation
    else:
        n_train, n_val = split_validation(N, cfg)
        X_val, Y_val = X[n_train:], Y[n_train:]
        _check_targets_on_both_sides(Y, n_train, n_val, cfg)
    batch_size = max(1, min(cfg.batch_size, n_train))
    full = net.plan(batch_size, T)  # the last batch may be shorter: its own plan
    k = full.kernels  # the elementwise passes over the parameters run on these
    X_dev, Y_dev = bk.to_device(X), bk.to_device(Y)
    p_dev = bk.to_device(aligned_copy(params))  # on a cache line (backend.ALIGNMENT)
    # weights (and Adam's state) at the start of this epoch and of the one
    # before: a batch's loss checks the weights before its step, so the
    # start of an epoch is checked by its first batch only
    good = bk.to_device(params.copy())
    checked = bk.to_device(params.copy())
    grad = bk.zeros((net.size,), net.dtype)
    if state is None:
        m, v, step = bk.zeros((net.size,), net.dtype), bk.zeros((net.size,), net.dtype), 0
    else:
        m, v, step = bk.to_device(state[0].copy()), bk.to_device(state[1].copy()), int(state[2])
    good_m, good_v = bk.to_device(bk.to_host(m).copy()), bk.to_device(bk.to_host(v).copy())
    checked_m, checked_v = bk.to_device(bk.to_host(m).copy()), bk.to_device(bk.to_host(v).copy())
    good_step = checked_step = step
    limit = None  # divergence threshold, set by the first batch
    data_scale = zero_prediction_loss(Y[:n_train], cfg)
    decay = bk.to_device(net.decay_mask())
    result = TrainResult(params=params)
    best_dev = bk.to_device(params.copy()) if n_val else None
    best_score, no_improve = math.inf, 0
    n_clipped = n_steps = 0
    p_views, g_views = net.views(p_dev), net.views(grad)
    starts = range(0, n_train, batch_size)
    sizes = [min(batch_size, n_train - start) for start in starts]
    # per-epoch slots: the loss and the gradient norm of each step, on the device
    slots = bk.zeros((2, len(sizes)), np.float64)
    losses, norms = slots[0], slots[1]  # (S,) each
    clip = float(cfg.clip_norm or 0.0)
    stop = getattr(_stop, "event", None)
    taken_steps = 0  # this fit's gradient steps (cfg.max_steps bounds them)
    for epoch in range(1, cfg.max_iter + 1):
        t0 = time.perf_counter()
        if epoch > 1:  # the last epoch's start, checked by its first batch
            good, checked = checked, good
            good_m, checked_m, good_v, checked_v = checked_m, good_m, checked_v, good_v
            good_step, checked_step = checked_step, good_step
        k.copy_into(good, p_dev)
        k.copy_into(good_m, m)
        k.copy_into(good_v, v)
        good_step = step
        order = rng.permutation(n_train) if cfg.shuffle else np.arange(n_train)
        order_dev = bk.to_device(order.astype(np.int64, copy=False))  # (n_train,) one upload
        epoch_masks = _epoch_masks(net, rng, sizes)
        # (S,) the batches this epoch runs: all, or those left of the step budget
        batches = len(sizes) if cfg.max_steps is None else min(len(sizes),
                                                               cfg.max_steps - taken_steps)
        taken_steps += batches
        for i, (start, rows, masks) in enumerate(zip(starts[:batches], sizes, epoch_masks)):
            if stop is not None and stop.is_set():
                raise Stopped(f"Fit stopped from outside in epoch {epoch}.")
            plan = full if rows == batch_size else net.plan(rows, T)
            idx_dev = order_dev[start:start + rows]
            xb = plan.pack(X_dev, idx_dev)
            yb = plan.pack_targets(Y_dev, idx_dev)
            loss_and_grad(plan, p_views, g_views, xb, yb, cfg.loss_kind, cfg.loss_param,
                          masks, losses, i)
            k.global_norm(grad, norms, i)
            step += 1
            k.adam_step(p_dev, grad, m, v, decay, step, cfg.learning_rate, cfg.beta_1, cfg.beta_2,
                        cfg.epsilon, cfg.alpha, cfg.weight_decay, 1.0, norms, i, clip)
        # the epoch's losses and norms, copied back once; the guard reads them in step order
        epoch_losses, epoch_norms = bk.to_host(slots)
        total, weight, taken, bad = 0.0, 0, [], None
        for j, (loss, norm, rows) in enumerate(zip(epoch_losses[:batches].tolist(),
                                                   epoch_norms[:batches].tolist(), sizes)):
            if limit is None and math.isfinite(loss):
                limit = DIVERGENCE_FACTOR * max(loss, data_scale)
            if not (math.isfinite(loss) and math.isfinite(norm)) or (limit and loss > limit):
                total, bad = math.nan, j
                break
            n_clipped += bool(clip and norm > clip)
            n_steps += 1
            total += loss * rows
            weight += rows
            taken.append(norm)
        epoch_loss = total / max(weight, 1)
        if not math.isfinite(epoch_loss):
            # the first batch's loss judged the epoch's starting weights: if it
            # is the bad one, they are bad too, and the epoch before's start
            # (checked by its own first batch) comes back
            back = bad == 0 and epoch > 1
            step = checked_step if back else good_step
            k.copy_into(p_dev, checked if back else good)
            k.copy_into(m, checked_m if back else good_m)
            k.copy_into(v, checked_v if back else good_v)
            if back:  # that epoch's own curve entries go: its end is not what comes back
                del result.loss_curve[-1:], result.grad_norm_curve[-1:]
                del result.validation_loss_curve[-1:], result.validation_scores[-1:]
                result.n_iter = epoch - 2
                result.best_loss = min(result.loss_curve, default=math.inf)
                if n_val and result.best_epoch > result.n_iter:  # that end was the best
                    k.copy_into(best_dev, p_dev)
                    result.best_epoch = result.n_iter
                    best_score = min(result.validation_loss_curve, default=math.inf)
            result.diverged_at = epoch
            result.stop_reason = "diverged"
            warnings.warn(
                f"Training diverged in epoch {epoch}: the loss or its gradient became NaN/inf "
                f"or exploded (over {DIVERGENCE_FACTOR:g} times its initial value). "
                f"The weights and optimizer state from the start of epoch "
                f"{epoch - 1 if back else epoch}, the last a loss checked, were restored "
                "and training stopped. "
                f"{_divergence_causes(cfg)}", RuntimeWarning, stacklevel=callers_level())
            break
        result.loss_curve.append(epoch_loss)
        result.grad_norm_curve.append(float(np.mean(taken)) if taken else 0.0)
        result.best_loss = min(result.best_loss, epoch_loss)
        result.n_iter = epoch
        val_loss = None
        if n_val:
            params_host = bk.to_host(p_dev)
            val_loss, r2 = evaluate(net, params_host, X_val, Y_val, cfg)
            result.validation_loss_curve.append(val_loss)
            result.validation_scores.append(r2)
            score = val_loss
        else:
            score = epoch_loss
        if log is not None:
            log(epoch, epoch_loss, val_loss, time.perf_counter() - t0)
        if n_val and score < best_score:  # the best weights: any improvement counts
            k.copy_into(best_dev, p_dev)
            result.best_epoch = epoch
        if score < best_score - cfg.tol:  # patience: only improvements by more than tol
            no_improve = 0
        else:
            no_improve += 1
        best_score = min(best_score, score)
        if no_improve >= cfg.n_iter_no_change:
            result.stop_reason = "no_change"
            break
        if cfg.max_steps is not None and taken_steps >= cfg.max_steps:
            break  # (the budget's end: stop_reason "max_iter", as at max_iter epochs)
    if n_val and result.n_iter:
        k.copy_into(p_dev, best_dev)
        result.best_validation_loss = best_score
    elif result.n_iter and result.stop_reason != "diverged":
        # no batch checked the last step's weights (a fit of one batch an
        # epoch at learning_rate_init=1e6 ended at weights of 1e6): the
        # first batch's rows check them as a next epoch's first batch would
        rows = min(batch_size, n_train)
        end_loss, _ = evaluate(net, bk.to_host(p_dev), X[:rows], Y[:rows], cfg)
        if not (math.isfinite(end_loss) and end_loss <= limit):
            epoch = result.n_iter
            step = good_step
            k.copy_into(p_dev, good)
            k.copy_into(m, good_m)
            k.copy_into(v, good_v)
            del result.loss_curve[-1:], result.grad_norm_curve[-1:]
            result.n_iter = epoch - 1
            result.best_loss = min(result.loss_curve, default=math.inf)
            result.diverged_at = epoch
            result.stop_reason = "diverged"
            warnings.warn(
                f"Training diverged in epoch {epoch}: its last step's weights give a loss that "
                f"is NaN/inf or exploded (over {DIVERGENCE_FACTOR:g} times its initial value). "
                f"The weights and optimizer state from the start of epoch {epoch} were "
                f"restored. {_divergence_causes(cfg)}", RuntimeWarning,
                stacklevel=callers_level())
    result.params = aligned_copy(bk.to_host(p_dev))  # predict reads it as it is
    result.clipped_fraction = n_clipped / max(n_steps, 1)
    result.optimizer_state = (bk.to_host(m).copy(), bk.to_host(v).copy(), step)
    return result
