"""Checks of a loaded model's fitted state: a damaged or edited file is
refused when it is read, with a message that says so, never later as
NumPy's reshape error, NaN forecasts, an AttributeError or corrupted memory.

The format itself (what is written and how) is :mod:`tsgate.persistence`;
these are the estimators' own rules of what a fitted one must hold.
"""
import numpy as np

from .engine.layout import Layout, NetworkSpec

# what a fitted regressor's predict reads, beside its weights
REGRESSOR_REQUIRED = ("spec_", "params_", "y_mean_", "y_scale_", "window_")
# what a fitted forecaster's predict reads, beside its networks
FORECASTER_REQUIRED = ("season_length_", "windows_", "calibration_residuals_", "shrinkage_",
                       "collection_")


def _damaged(text):
    return ValueError(f"The model file is damaged: {text}; save the model again.")


def check_regressor_state(name, state):
    """Refuse the saved ``state`` (a dict) of a regressor of class ``name``
    whose fitted attributes are missing or do not fit its network.

    The weights must be float32 (float64 ones were read as float32:
    forecasts off by 1e19), as many as its network has (a short vector
    failed in ``predict`` with NumPy's reshape error), and finite, as
    training leaves them; Adam's moments as many and float32 (a warm fit's
    kernels write them in place: short ones corrupted memory).

    Raises
    ------
    ValueError
        Naming what is wrong.
    """
    spec, weights = state.get("spec_"), state.get("params_")
    if weights is None:
        return  # not fitted
    missing = [k for k in REGRESSOR_REQUIRED if k not in state]
    if missing:
        raise _damaged(f"a fitted {name} without {missing}")
    if not isinstance(spec, NetworkSpec):
        raise _damaged(f"a {name}'s network shape is a {type(spec).__name__}")
    sizes = (spec.n_features, spec.hidden_size, spec.n_outputs, spec.num_layers)
    if spec.cell not in ("lstm", "gru") or min(sizes) < 1 or not 0 <= spec.dropout < 1:
        # (a hidden size of 0 divided by zero in Layout)
        raise _damaged(f"a {name}'s network shape is impossible ({spec})")
    if not isinstance(state.get("_scaled_targets", False), bool):
        raise _damaged(f"a {name}'s target scaling flag is {state['_scaled_targets']!r}")
    expected = Layout(spec).size
    if np.size(weights) != expected:
        raise _damaged(f"a {name}'s weights hold {np.size(weights)} numbers where its network "
                       f"has {expected}")
    if np.asarray(weights).dtype != np.float32:
        raise _damaged(f"a {name}'s weights are of dtype {np.asarray(weights).dtype}, where the "
                       "format stores float32")
    moments = [a for a in (state.get("_optimizer_state") or ())[:2] if a is not None]
    if any(np.size(a) != expected or np.asarray(a).dtype != np.float32 for a in moments):
        raise _damaged(f"a {name}'s optimizer state does not match its {expected} float32 "
                       "weights")
    if not all(np.isfinite(np.asarray(a, dtype=np.float64)).all() for a in (weights, *moments)):
        raise _damaged(f"a {name}'s weights or optimizer state hold NaN or inf, which training "
                       "never leaves")


def check_forecaster_state(name, state, horizon=None):
    """Refuse the saved ``state`` of a fitted forecaster of class ``name``
    without its networks or what its ``predict`` reads (an empty list of
    networks forecast NaN; a missing ``windows_`` failed with an
    AttributeError), or whose horizon (``horizon_``, else the parameter
    ``horizon`` of a file without it) is not the number of steps its
    networks forecast (an edited one failed in ``predict`` with NumPy's
    broadcast error), or whose window lengths are not whole numbers of
    at least 1, one per network.

    Raises
    ------
    ValueError
    """
    if "regressors_" not in state:
        return  # not fitted
    missing = [k for k in FORECASTER_REQUIRED if k not in state]
    if missing or not state["regressors_"]:
        raise _damaged(f"a fitted {name} without {missing or ['its networks']}")
    members = state["regressors_"]
    steps = sorted({getattr(getattr(r, "spec_", None), "n_outputs", None) for r in members},
                   key=str)
    H = state.get("horizon_", horizon)
    if steps != [H]:
        raise _damaged(f"a {name} of horizon {H!r} whose networks forecast {steps} steps")
    windows = state["windows_"]
    if not isinstance(windows, (list, tuple)) or len(windows) < len(members) or not all(
            isinstance(L, int) and not isinstance(L, bool) and L >= 1 for L in windows):
        raise _damaged(f"a {name} of {len(members)} networks whose windows are {windows!r}")
