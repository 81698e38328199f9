"""Checks of estimator parameters that scikit-learn's declarative validation
(``_parameter_constraints``) lets through, shared by the regressors, the
forecasters and the per-series wrapper."""
from contextlib import contextmanager
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    validate_parameter_constraints,
)


def reject_bool_integers(est):
    """Refuse True/False for a number parameter: scikit-learn's
    ``Interval(Integral, ...)`` and ``Interval(Real, ...)`` take them (bool
    is an Integral), and ``horizon=True`` then failed deep inside NumPy,
    ``window=True`` ran a window of 1, ``learning_rate_init=True`` trained
    at a step of 1."""
    for name, constraints in est._parameter_constraints.items():
        value = getattr(est, name, None)
        if not isinstance(value, (bool, np.bool_)) or "boolean" in constraints:
            continue
        kinds = {c.type for c in constraints if isinstance(c, Interval)}
        if kinds:
            kind = "an int" if kinds == {Integral} else "a number"
            raise InvalidParameterError(
                f"The {name!r} parameter of {type(est).__name__} must be {kind}, got {value!r} "
                "(a bool).")


@contextmanager
def plain_numbers(est):
    """While ``est`` fits, its NumPy integer and float parameters as Python
    ints and floats, then as given again (a fit leaves its parameters as
    they were). scikit-learn takes ``np.uint8(32)`` or ``np.int32(12)`` for
    an int (a grid from ``np.arange``), and tsgate's sums in such types
    wrapped: a memory estimate of -1.36 GiB, an epoch counter that ended
    at 0, an OverflowError; and ``np.float16(1e-3)`` for a float, which
    the compiled optimizer could not take (a Numba typing error)."""
    given = {name: getattr(est, name) for name in est._parameter_constraints
             if isinstance(getattr(est, name, None), (np.integer, np.floating))
             and not isinstance(getattr(est, name), np.bool_)}
    for name, value in given.items():
        setattr(est, name, int(value) if isinstance(value, np.integer) else float(value))
    try:
        yield
    finally:
        for name, value in given.items():
            setattr(est, name, value)


# joblib's n_jobs: a positive count, or -1, -2, ... (all cores, all but one, ...);
# 0 means nothing
N_JOBS = [Interval(Integral, 1, None, closed="left"), Interval(Integral, None, -1, closed="right"),
          None]


def check_n_jobs(n_jobs, caller):
    """Raise scikit-learn's InvalidParameterError unless ``n_jobs`` is one
    :data:`N_JOBS` allows (a bool, which an Integral interval takes, too)."""
    validate_parameter_constraints({"n_jobs": N_JOBS}, {"n_jobs": n_jobs}, caller_name=caller)
    if isinstance(n_jobs, (bool, np.bool_)):
        raise InvalidParameterError(f"The 'n_jobs' parameter of {caller} must be an int or "
                                    f"None, got {n_jobs!r} (a bool).")


def check_instance(estimator, what):
    """Raise a TypeError for a class where an estimator is expected (the
    parentheses left out): its methods are there, unbound, and the first
    call failed with "get_params() missing 1 required positional argument"."""
    if isinstance(estimator, type):
        raise TypeError(f"{what} must be an estimator, not the class {estimator.__name__}: "
                        f"create one, e.g. {estimator.__name__}(horizon=12).")


# predict's horizon: at most this many fitted horizons (each a recursive block
# that filters the whole history again: 10**7 steps of a model of horizon 6 ran
# for hours)
MAX_HORIZONS = 1000


def check_horizon(horizon, fitted=None):
    """``horizon`` as an int: a positive integer, and with the ``fitted``
    horizon of a forecaster, at most ``MAX_HORIZONS`` times it."""
    if isinstance(horizon, (pd.Series, pd.DataFrame, np.ndarray, list)):
        # predict(X) of a scikit-learn Pipeline: its data arrive as the horizon (a
        # ValueError, as for any bad horizon: the README's table of errors)
        raise ValueError(  # noqa: TRY004
            f"horizon must be a positive integer, got a {type(horizon).__name__}: a forecaster's "
            "predict takes (horizon, X=future features, y=new history), not scikit-learn's X, "
            "so it cannot end a Pipeline; transform y before fit and call the forecaster "
            "directly.")
    if not isinstance(horizon, (Integral, np.integer)) or isinstance(horizon, bool) or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon!r}.")
    if fitted is not None and horizon > MAX_HORIZONS * fitted:
        raise ValueError(
            f"horizon={horizon} is {horizon / fitted:,.2f} times the fitted horizon {fitted}; "
            f"past it the forecast is recursive, for at most {MAX_HORIZONS} fitted horizons "
            f"({MAX_HORIZONS * fitted} steps). Fit with a longer horizon to forecast that far.")
    return int(horizon)
