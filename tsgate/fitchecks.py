"""The checks around a regressor's fit: its network's size before it, its
convergence after it.

A fit that cannot end well raises before it starts (a network of many GiB);
one that ended badly says so with a ``ConvergenceWarning`` whose advice
follows the loss curve.
"""
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .engine import evaluate, zero_prediction_loss
from .engine.layout import Layout
from .engine.training import split_validation

# a fit's windows and networks in float32 numbers: beyond 1 GiB, a clear error
# rather than numpy's MemoryError (horizon=10**7 asked for 1.5 TiB; hidden_size=10**5
# for 149 GiB); the forecasters count their windows too (fitplan)
MAX_FIT_FLOATS = 2**28


def check_network_size(spec):
    """Raise a ValueError where the network of ``spec`` (its weights, their
    gradients and Adam's two moments) would pass ``MAX_FIT_FLOATS``. (Its
    activations, which grow with the windows the caller chose, are left to
    the machine: the forecasters, which choose the windows, count them.)"""
    floats = 4 * Layout(spec).size
    if floats > MAX_FIT_FLOATS:
        raise ValueError(
            f"hidden_size={spec.hidden_size} with num_layers={spec.num_layers} makes a network "
            f"of about {4 * floats / 2**30:.3g} GiB to train (weights, gradients and Adam's "
            f"moments), beyond the {4 * MAX_FIT_FLOATS / 2**30:g} GiB tsgate "
            "allows; give a smaller hidden_size or fewer layers.")


UNSTABLE_LOSS = 10.0  # warn_unconverged: a fitted loss this many times the constant's
STILL = 0.01  # warn_unconverged: a loss curve whose best is within this share of its start
TINY_INPUTS = 1e-4  # warn_unconverged: inputs no larger than this read as nearly constant


def warn_unconverged(est, net, result, Xw, Ys, cfg):
    """A ConvergenceWarning where ``max_iter`` ended regressor ``est``'s
    fit, or where the fitted network predicts its training targets no better than the
    constant 0 (their mean with ``scale_target``): a learning rate far
    too high ended fits at R^2 -460, and unscaled targets of 1e20
    stalled at once, without a word. The advice follows the loss curve:
    a loss that rose from its best, or a fit far worse than the constant,
    asks for a lower learning rate; a fit no better than the constant whose
    loss barely moved from its first epoch, for a higher one."""
    worse = ""
    if result.n_iter:
        n = split_validation(len(Xw), cfg)[0]  # the training rows
        zero = zero_prediction_loss(Ys[:n], cfg)
        fitted = evaluate(net, result.params, Xw[:n], Ys[:n], cfg)[0]
        if zero > 0 and fitted >= zero:
            constant = "their mean" if est.scale_target else "0"
            worse = (f" It predicts its training targets no better than the constant "
                     f"{constant} (loss {fitted:.3g} against {zero:.3g}): not a usable model.")
    if result.stop_reason != "max_iter" and not worse:
        return
    curve = result.loss_curve
    rate = f"learning_rate_init (now {est.learning_rate_init:g})"
    spread = float(np.max(np.abs(Xw))) if worse and Xw.size else 1.0
    if worse and not est.scale_target:
        advice = "Set scale_target=True (the targets are not scaled)."
    elif worse and spread < TINY_INPUTS:  # (1e-20 times good inputs: R^2 0 where 1x gave 0.997)
        advice = (f"Its inputs X are all within +-{spread:.3g}, which the networks read as "
                  "nearly constant: scale X (e.g. StandardScaler, or divide by its spread).")
    elif len(curve) > 1 and curve[-1] > 1.5 * min(curve):
        advice = (f"The training loss rose from {min(curve):.3g} to {curve[-1]:.3g}: lower "
                  f"{rate}.")
    elif worse and fitted > UNSTABLE_LOSS * zero:  # steps too long to settle anywhere
        advice = (f"Its loss is {fitted / zero:.3g} times the constant's: lower {rate}.")
    elif (worse and len(curve) > 1 and min(curve) > (1 - STILL) * curve[0]
          and est.tol < STILL * curve[0]):  # (a tol that large: the stall rule ended it)
        # steps too short to move: 1e-9 was told to go lower still
        advice = (f"The training loss barely moved ({curve[0]:.4g} -> {min(curve):.4g}): "
                  f"raise {rate}, or check that the inputs vary.")
    elif result.stop_reason == "max_iter":
        advice = "Raise max_iter, or learning_rate_init."
    elif curve and curve[-1] <= min(curve) + est.tol:  # at its best (within tol): the stall rule
        advice = (f"The stall rule (tol={est.tol:g}, n_iter_no_change="
                  f"{est.n_iter_no_change}) ended it after {result.n_iter} epoch(s) at its "
                  "best loss: lower tol or raise n_iter_no_change.")
    else:
        advice = f"Lower {rate}, or check the data."
    stopped = (f"max_iter={est.max_iter} epochs ended the fit before "
               f"{'early stopping' if cfg.early_stopping else 'the training loss stalled'} "
               f"(no improvement by tol={est.tol} for n_iter_no_change="
               f"{est.n_iter_no_change} epochs); the fit may not have converged."
               if result.stop_reason == "max_iter" else "The fit ended.")
    warnings.warn(f"{est._display_name()}: {stopped}{worse} {advice}", ConvergenceWarning,
                  stacklevel=5)
