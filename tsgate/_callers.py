"""The ``stacklevel`` of a warning that names the user's line."""
import os
import sys

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _skipped():
    """tsgate's folder, and scikit-learn's where it is loaded (its fit
    wrapper, a search or a pipeline calling tsgate; not imported here: the
    engine below the estimators uses this too)."""
    sklearn = sys.modules.get("sklearn")
    where = getattr(sklearn, "__file__", None)
    return (_PACKAGE,) + ((os.path.dirname(os.path.abspath(where)) + os.sep,) if where else ())


def callers_level():
    """The ``stacklevel`` that names the first line outside tsgate (and
    scikit-learn) for a warning raised by this function's caller:
    ``predict`` and ``predict_interval`` reach the same check through
    different depths, and a fixed level named a line of tsgate (a
    training's divergence warning named ``regressors.py``, which a filter
    on the user's module missed)."""
    skipped = _skipped()
    frame, level = sys._getframe(1), 1  # (the caller: the function that warns)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(skipped):
        frame, level = frame.f_back, level + 1
    return level
