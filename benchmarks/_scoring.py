"""Per-series scores and per-frequency tables for ``benchmarks/collections.py``.

Per series (test part ``y`` of length h, training part ``x``):

- MASE: ``tsgate.metrics.mase`` with lag m (1 for yearly; 1 as well when the
  training part is not longer than m), i.e. the mean absolute error divided
  by the in-sample mean absolute seasonal difference;
- sMAPE: ``tsgate.metrics.smape`` (M4's definition, percent, 0/0 = 0);
- coverage of the 80% and 95% intervals: the share of test points inside
  (``tsgate.metrics.coverage``);
- MSIS at 95% (M4, ``tsgate.metrics.msis``): mean over the test of ``(U -
  L) + 2/a (L - y) 1{y < L} + 2/a (y - U) 1{y > U}`` with a = 0.05, divided
  by the MASE scale.

Per frequency and method: mean MASE and sMAPE, the geometric mean over
series of MASE / MASE(AutoETS) (both floored at :data:`RATIO_FLOOR`),
coverage pooled over all test points, mean MSIS, wall time, fallbacks.
A collection scored on several frequencies also gets a row ``all`` per
method: the same over all its series (the issue's "geometric-mean MASE
ratio to AutoETS over all series"), the wall times summed.
"""
import math

import numpy as np
import pandas as pd

from tsgate.metrics import coverage, mase, msis, smape

RATIO_FLOOR = 1e-3  # MASE below this is raised to it before the ratio to AutoETS
MSIS_ALPHA = 0.05


def mase_scale(x, m):
    """In-sample mean absolute seasonal difference (lag m, lag 1 if len(x) <= m)."""
    lag = m if len(x) > m else 1
    return float(np.mean(np.abs(x[lag:] - x[:-lag]))), lag


def score_series(x, y, fc, lo80, hi80, lo95, hi95, m):
    """Scores of one series' forecast; see the module docstring.

    Parameters
    ----------
    x : ndarray of shape (n,)
        Training part.
    y : ndarray of shape (h,)
        Test part.
    fc, lo80, hi80, lo95, hi95 : ndarray of shape (h,)
        Point forecast and bounds (NaN bounds: no interval; those scores NaN).
    m : int
        Season length.

    Returns
    -------
    dict
        mase, smape, cov80, cov95, msis.
    """
    scale, lag = mase_scale(x, m)
    if scale > 0:
        out = {"mase": mase(y, fc, x, season_length=lag), "smape": smape(y, fc)}
    else:  # a training part constant at the lag: no scale (none in Tourism or M1)
        out = {"mase": math.nan, "smape": smape(y, fc)}
    for level, lo, hi in ((80, lo80, hi80), (95, lo95, hi95)):
        ok = np.isfinite(lo).all() and np.isfinite(hi).all()
        out[f"cov{level}"] = coverage(y, lo, hi) if ok else math.nan
    if np.isfinite(lo95).all() and np.isfinite(hi95).all() and scale > 0:
        out["msis"] = msis(y, lo95, hi95, x, coverage=1 - MSIS_ALPHA, season_length=lag)
    else:
        out["msis"] = math.nan
    return out


def score_subset(subset, forecasts, method, seed=None):
    """Per-series score rows (list of dicts) of one method's forecasts."""
    rows = []
    for i, uid in enumerate(subset.ids):
        s = score_series(subset.x[i], subset.xx[i], forecasts.mean[i], forecasts.lo80[i],
                         forecasts.hi80[i], forecasts.lo95[i], forecasts.hi95[i], subset.m)
        rows.append({"collection": subset.collection, "frequency": subset.frequency,
                     "unique_id": uid, "n": len(subset.x[i]), "h": subset.h, "method": method,
                     "seed": -1 if seed is None else seed, **s,
                     "fallback": bool(forecasts.fallback[i])})
    return rows


def geometric_ratio(scores, reference="ets"):
    """Geometric mean over series of MASE / MASE(reference), per (method, seed).

    ``scores``: the per-series rows of one collection and frequency. Both
    MASEs are floored at :data:`RATIO_FLOOR` so that a perfect forecast does
    not give log(0). Returns a Series indexed by (method, seed); NaN when
    the reference is absent.
    """
    ref = scores[scores.method == reference].set_index("unique_id")["mase"]
    if ref.empty:
        return pd.Series(np.nan, index=scores.groupby(["method", "seed"]).size().index)
    ref = ref[~ref.index.duplicated()]

    def one(g):
        r = np.maximum(g["mase"].to_numpy(), RATIO_FLOOR) / \
            np.maximum(ref.reindex(g["unique_id"]).to_numpy(), RATIO_FLOOR)
        r = r[np.isfinite(r)]
        return float(np.exp(np.mean(np.log(r)))) if len(r) else math.nan

    return scores.groupby(["method", "seed"]).apply(one, include_groups=False)


def summarize(scores, timings):
    """One row per (collection, frequency, method, seed) of aggregated scores.

    ``timings`` maps (collection, frequency, method, seed) to a dict with
    ``seconds``, ``cached`` and ``errors``. Coverage is pooled over test
    points: each series' share weighs by its h (within a frequency all have
    the same h, so it is the mean of the shares). With several frequencies
    in a collection, rows ``frequency="all"`` too (module docstring).
    """
    groups = list(scores.groupby(["collection", "frequency"], sort=False))
    for coll, g in scores.groupby("collection", sort=False):
        if g["frequency"].nunique() > 1:  # the whole collection: ids are unique per frequency
            groups.append(((coll, "all"), g.assign(unique_id=g["frequency"] + "/" + g["unique_id"])))
    rows = []
    for (coll, freq), g in groups:
        ratio = geometric_ratio(g)
        for (method, seed), gm in g.groupby(["method", "seed"], sort=False):
            if freq == "all":  # every frequency's time, where each is known
                t = [timings.get((coll, f, method, seed), {}) for f in gm["frequency"].unique()]
                t = {"seconds": sum(x.get("seconds", math.nan) for x in t),
                     "cached": any(x.get("cached", False) for x in t)}
            else:
                t = timings.get((coll, freq, method, seed), {})
            points = gm["h"].to_numpy()  # (series,) each share's test points
            rows.append({
                "collection": coll, "frequency": freq, "method": method, "seed": seed,
                "series": len(gm), "mase": gm["mase"].mean(), "smape": gm["smape"].mean(),
                "gm_ratio_ets": ratio.get((method, seed), math.nan),
                "cov80": _pooled(gm["cov80"], points), "cov95": _pooled(gm["cov95"], points),
                "msis": gm["msis"].mean(), "seconds": t.get("seconds", math.nan),
                "cached": t.get("cached", False), "fallbacks": int(gm["fallback"].sum())})
    return pd.DataFrame(rows)


def _pooled(shares, points):
    """The share of all test points inside: per-series shares (series,)
    weighed by their points (series,), series without an interval left out."""
    shares = shares.to_numpy(dtype=float)
    ok = np.isfinite(shares)
    return float(np.sum(shares[ok] * points[ok]) / np.sum(points[ok])) if ok.any() else math.nan


COLUMNS = [("mase", "MASE", 3), ("smape", "sMAPE %", 2), ("gm_ratio_ets", "GM MASE / ETS", 3),
           ("cov80", "cov 80%", 3), ("cov95", "cov 95%", 3), ("msis", "MSIS", 2),
           ("seconds", "wall s", 1)]


def _cell(values, digits):
    """'mean' for one value; 'mean [min, max]' over seeds for several."""
    v = np.asarray(values, dtype=float)
    if np.isnan(v).all():
        return "-"
    if len(v) == 1:
        return f"{v[0]:.{digits}f}"
    return f"{np.nanmean(v):.{digits}f} [{np.nanmin(v):.{digits}f}, {np.nanmax(v):.{digits}f}]"


def markdown_tables(summary, methods, frequencies, failures=None):
    """Markdown tables, one per collection: a row per (frequency, method).

    Methods with seeds show the mean over seeds of the per-seed values and
    [min, max] over seeds. ``failures`` maps (collection, frequency, method)
    to an error message for methods that failed as a whole.
    """
    failures = failures or {}
    lines = []
    for coll in dict.fromkeys(list(summary.get("collection", [])) +
                              [k[0] for k in failures]):
        s = summary[summary.collection == coll] if len(summary) else summary
        lines += [f"### {coll}", "",
                  "| frequency | method | series | " + " | ".join(c[1] for c in COLUMNS)
                  + " | fallbacks |", "|---|---|---|" + "---|" * len(COLUMNS) + "---|"]
        for freq in list(frequencies) + ["all"]:
            for method in methods:
                fail = failures.get((coll, freq, method))
                g = s[(s.frequency == freq) & (s.method == method)] if len(s) else s
                if fail and g.empty:
                    lines.append(f"| {freq} | {method} | - | error: {fail[:120]} |"
                                 + " |" * len(COLUMNS))
                    continue
                if g.empty:
                    continue
                cells = [_cell(g[c], d) for c, _, d in COLUMNS]
                if g["cached"].any():
                    cells[-1] += " (cached)"
                fb = _cell(g["fallbacks"], 0) if g["fallbacks"].any() else "0"
                lines.append(f"| {freq} | {method} | {int(g['series'].iloc[0])} | "
                             + " | ".join(cells) + f" | {fb} |")
        lines.append("")
    return "\n".join(lines)
