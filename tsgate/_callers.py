"""The ``stacklevel`` of a warning that names the user's line."""
import os
import sys
import threading
import warnings
from contextlib import contextmanager, nullcontext

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _skipped():
    """tsgate's folder, and scikit-learn's and joblib's where they are
    loaded (scikit-learn's fit wrapper, a search or a pipeline calling
    tsgate; joblib running a model per series; not imported here: the
    engine below the estimators uses this too)."""
    wheres = (getattr(sys.modules.get(name), "__file__", None) for name in ("sklearn", "joblib"))
    return (_PACKAGE,) + tuple(os.path.dirname(os.path.abspath(w)) + os.sep for w in wheres if w)


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


def named_warnings(prefix, method, *args, **kwargs):
    """``method(*args, **kwargs)``, its warnings said again with ``prefix``
    (``"series 'a'"``) before their text and at the user's line: a model per
    series relays its members' warnings so (a CalibrationWarning named no
    series and pointed into tsgate, and Python's default filter showed the
    second series' identical one not at all). Deprecation warnings (a
    library's, hidden by Python's default filters where they point) and a
    warning class that takes more than a message are said again as they
    were, where they were. The warnings of a call that raises are said too,
    before its error reaches the caller.

    Only on the main thread: on another (joblib's threading backend, a Dask
    worker's or threaded scheduler's) the method's warnings reach the
    process's filters as they are, without the prefix (:func:`quiet`)."""
    if not on_main_thread():
        return method(*args, **kwargs)
    caught = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # the caller's filters act on the relayed ones
            return method(*args, **kwargs)
    finally:  # (after the with: the caller's filters again)
        _relay(prefix, caught)


def _relay(prefix, caught):
    """Say the recorded warnings ``caught`` again (:func:`named_warnings`)."""
    level = callers_level()
    for w in caught:
        message = None
        if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning)):
            try:
                message = w.category(f"{prefix}: {w.message}")
            except Exception:  # noqa: BLE001 (a class of other arguments: as it was)
                message = None
        if message is not None:
            warnings.warn(message, stacklevel=level)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


@contextmanager
def kept_warnings():
    """The caller's warnings filters and ``showwarning``, put back when the
    block ends, whatever its tasks did to them.

    Around a block whose tasks run on threads (joblib's threading backend):
    before Python 3.14 the filters are the process's, and
    ``warnings.catch_warnings`` saves and restores them, so two threads'
    blocks that interleave restore each other's state. One of 20
    ``forecast_long`` calls on joblib threads left ``('ignore', Warning)``
    behind, and every later warning of the process was silenced. (tsgate's
    own blocks change nothing off the main thread, :func:`quiet`; this
    guards against the rest, scikit-learn's per-task ``catch_warnings``.)
    """
    filters, show = warnings.filters[:], warnings.showwarning
    try:
        yield
    finally:
        warnings.filters[:] = filters
        mutated = getattr(warnings, "_filters_mutated", None)  # (the registries' version)
        if mutated is not None:
            mutated()
        warnings.showwarning = show


def on_main_thread():
    """Whether this runs on the process's main thread."""
    return threading.current_thread() is threading.main_thread()


def quiet(*categories, messages=()):
    """A block in which warnings of ``categories`` (and those whose text
    matches a regex of ``messages``, pairs ``(regex, category)``) are not
    shown: ``warnings.catch_warnings`` with those filters, on the main
    thread only.

    Before Python 3.14 the filters are the process's, and catch_warnings
    saves and restores them: threads whose blocks interleave restore each
    other's filters. A pandas call quieted so on Dask's threads left
    ``('ignore', Warning)`` in the caller's process in 5 and 7 of two rounds
    of 30 runs of 6 ids, silencing every later warning, and lost or doubled
    ids' warnings (a concurrency sweep, session 54; none since). On another thread the block changes
    nothing, and a library's warning it would have hidden can show.
    """
    if not on_main_thread():
        return nullcontext()
    return _quieted(categories, messages)


@contextmanager
def _quieted(categories, messages):
    with warnings.catch_warnings():
        for category in categories:
            warnings.simplefilter("ignore", category)
        for message, category in messages:
            warnings.filterwarnings("ignore", message, category)
        yield
