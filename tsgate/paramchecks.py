"""Checks of estimator parameters that scikit-learn's declarative validation
(``_parameter_constraints``) lets through, shared by the regressors, the
forecasters and the per-series wrapper."""
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, InvalidParameterError


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


def check_instance(estimator, what):
    """Raise a TypeError for a class where an estimator is expected (the
    parentheses left out): its methods are there, unbound, and the first
    call failed with "get_params() missing 1 required positional argument"."""
    if isinstance(estimator, type):
        raise TypeError(f"{what} must be an estimator, not the class {estimator.__name__}: "
                        f"create one, e.g. {estimator.__name__}(horizon=12).")
