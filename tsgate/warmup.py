"""Compile the CPU kernels of the common configurations ahead of time.

tsgate's kernels are compiled by Numba on first use and kept in Numba's
on-disk cache (``cache=True``: next to the installed modules, or in
``NUMBA_CACHE_DIR``). :func:`warmup` runs tiny fits and predictions through
the public estimators, so the kernels a default forecast or regressor uses --
and, with ``parallel=True``, the multi-threaded builds that large fits use --
are compiled into that cache once, e.g. while building a Docker image, rather
than on a user's first forecast. ``tsgate warmup`` on the command line calls it.
"""
import os
import time

import numpy as np
import pandas as pd

from . import backend, config
from ._callers import quiet
from ._jitcache import CACHE, cache_location, damaged_cache_files

MODELS = ("lstm", "gru")


def warmup(models=MODELS, parallel=True):
    """Compile the kernels of the common configurations into Numba's cache.

    Runs, for each model, a default-configured forecaster and regressor on
    tiny synthetic data (fit, predict, interval, single-window predict), and
    with ``parallel`` the same fit once more through the multi-threaded
    kernels; and one forecaster on hourly data, whose smoothing stage has a
    daily cycle inside its weekly season (a build of its own). Later
    processes load the compiled code from the cache.

    Parameters
    ----------
    models : {"lstm", "gru", "all"} or an iterable of "lstm" and "gru", default=("lstm", "gru")
        "all" is both, as the CLI's ``--model all``.
    parallel : bool, default=True
        Also compile the multi-threaded builds (used by fits of large
        batches, see ``tsgate.config.PARALLEL_MIN_WORK``).

    Returns
    -------
    dict
        ``{"models": [...], "parallel": bool, "seconds": float, "cached":
        bool, "where": str or None}``: what was warmed, how long it took
        (mostly compiling on a fresh install, well under a second once the
        cache is warm), whether the kernels were kept on disk (False where
        no cache location is writable, ``tsgate._jitcache``: then nothing
        outlives the process; set ``NUMBA_CACHE_DIR`` to a writable folder)
        and in which folder (:func:`tsgate._jitcache.cache_location`);
        ``"replaced"``: the cache files found damaged (emptied or cut off,
        as a full disk leaves them: every fit raised pickle's ``EOFError``
        from inside Numba), removed and compiled anew.
    """
    given = models
    if isinstance(given, str):
        models = list(MODELS) if given.lower() == "all" else [given]
    else:
        try:
            models = list(given)
        except TypeError:
            raise TypeError(f"models must be 'lstm', 'gru', 'all' or a list of them, got "
                            f"{given!r}.") from None
    unknown = [m for m in models if not isinstance(m, str) or m.lower() not in MODELS]
    if unknown or not models:
        raise ValueError(f"models must be 'all' or a list of some of {MODELS}, got "
                         f"{unknown or given!r}.")
    models = list(dict.fromkeys(m.lower() for m in models))  # each once: ["lstm", "LSTM"]
    if not isinstance(parallel, (bool, np.bool_)):
        raise TypeError(f"parallel must be True or False, got {parallel!r}.")
    started = time.perf_counter()
    damaged = damaged_cache_files()  # (compiled anew below, in their place)
    for path in damaged:
        try:
            os.remove(path)
        except FileNotFoundError:  # (another process's warmup removed it)
            pass
    with quiet(Warning):  # one- and two-epoch fits: not meant to converge
        _run_subdaily(models[0])
        for model in models:
            _run(model)
            if parallel:
                saved = config.PARALLEL_MIN_WORK
                config.PARALLEL_MIN_WORK = 0  # tiny batches through the parallel builds
                backend.WARMING[0] = True  # also with one thread (a build container)
                try:
                    _run(model, forecaster=False)
                finally:
                    config.PARALLEL_MIN_WORK = saved
                    backend.WARMING[0] = False
    return {"models": models, "parallel": bool(parallel),
            "seconds": time.perf_counter() - started, "cached": CACHE, "where": cache_location(),
            "replaced": damaged}


def _run(model, forecaster=True):
    """Fit and predict with ``model``'s estimators on tiny data."""
    from .forecasters import GRUForecaster, LSTMForecaster
    from .regressors import GRURegressor, LSTMRegressor

    t = np.arange(144, dtype=np.float64)
    values = 10 + t / 10 + np.sin(2 * np.pi * t / 12)  # (144,) monthly, seasonal
    if forecaster:
        cls = LSTMForecaster if model == "lstm" else GRUForecaster
        y = pd.Series(values, index=pd.date_range("2000-01-01", periods=144, freq="MS"))
        fitted = cls(horizon=3, max_iter=2, random_state=0).fit(y)
        fitted.predict()
        fitted.predict_interval(coverage=0.8)
    cls = LSTMRegressor if model == "lstm" else GRURegressor
    X = np.lib.stride_tricks.sliding_window_view(values, 12)[:-1, :, None]  # (132, 12, 1) view
    Y = values[12:]  # (132,)
    # batches of 64 rows: two tiles, which the parallel builds need
    reg = cls(hidden_size=8, max_iter=2, batch_size=64, random_state=0).fit(X, Y)
    reg.predict(X)
    reg.predict(np.ascontiguousarray(X[-1:], dtype=np.float32))  # the single-window path


def _run_subdaily(model):
    """A forecaster of ``model`` fitted to four weeks of hours (a day and a
    week), returned."""
    from .forecasters import GRUForecaster, LSTMForecaster

    t = np.arange(24 * 7 * 4, dtype=np.float64)
    weekend = (t // 24) % 7 >= 5
    values = 100 + 10 * np.sin(2 * np.pi * t / 24) - 20 * weekend + np.sin(t)  # (672,)
    y = pd.Series(values, index=pd.date_range("2000-01-03", periods=len(t), freq="h"))
    cls = LSTMForecaster if model == "lstm" else GRUForecaster
    return cls(horizon=3, max_iter=2, random_state=0).fit(y)
