"""The smoothing choices a fitted forecaster saves, and their check at load.

A fit's final stages (:mod:`tsgate.smoothing`) are chosen per series: the
log scale, the season, the coefficients' grid, about 2 ms a series. A
loaded model has no cached stages, and its first ``predict`` chose them all
anew (11 s for 5000 series, 0.6 s right after the fit). The fit saves its
choices (``stage_choices_``, ``stage_betas_``: :func:`tsgate.smoothing.choices`)
and a loaded model filters its training data with them (the same bits).
Choices no fit makes (an edited file) are made anew.
"""
import numpy as np

from .smoothing import from_choices


def saved_stages(model, coll):
    """Per series of ``coll`` (the training data), a stage holding the
    fit's choices (``stage_choices_``) for ``model._stages`` to reuse, or
    None where the file has none that fit (files before them)."""
    rows, betas = getattr(model, "stage_choices_", None), getattr(model, "stage_betas_", None)
    if not choices_fit(model, rows, betas, coll):
        return None  # (an edited file: the choices are made anew)
    return [from_choices(r, None if betas is None else betas[i]) for i, r in enumerate(rows)]


def choices_fit(model, rows, betas, coll):
    """Whether saved stage choices are ones the fit of ``model`` can have
    made for ``coll``: float64 rows of a log flag (1 only for a positive
    series), a period of the fitted season, its inner cycle or 1, an inner
    cycle of the fitted one or 1, coefficients in [0, 1], a positive unit;
    the features' effects one row of ``coll``'s features per series. An
    edited file's impossible ones forecast garbage (alpha 2: 4.5e9) or
    raised NumPy's errors."""
    k = len(coll)
    if not (isinstance(rows, np.ndarray) and rows.dtype == np.float64 and rows.shape == (k, 8)
            and np.isfinite(rows).all()):
        return False
    m = None if coll.exog is None or not getattr(model, "exog_effect_", False) else \
        coll.exog[0].shape[1]
    if (betas is None) != (m is None) or betas is not None and not (
            isinstance(betas, np.ndarray) and betas.dtype == np.float64
            and betas.shape == (k, m) and np.isfinite(betas).all()):
        return False
    log, period, alpha, gamma, scale, inner, delta, _ = rows.T
    coefficients = np.stack([alpha, gamma, delta])
    day = getattr(model, "inner_period_", 1)  # (a series too short for the week: the day alone)
    if not (np.isin(log, (0.0, 1.0)).all() and np.isin(period, (1, day, model.season_length_)).all()
            and np.isin(inner, (1, day)).all()
            and (period % inner == 0).all() and (scale > 0).all()
            and ((coefficients >= 0) & (coefficients <= 1)).all()):
        return False
    return all(v[np.isfinite(v)].min(initial=1.0) > 0 for v, flag in zip(coll.values, log) if flag)
