"""Network inputs and targets from smoothed series (the ES-RNN normalisation).

A window ending at step ``T`` of a series with working-scale values ``z``,
smoothing level ``l`` and seasonal indices ``s`` (:mod:`tsgate.smoothing`)
becomes, for its ``L`` steps ``t = T-L+1 .. T``::

    u_t = (z_t - s_t - l_T) / scale          the deseasonalised window, relative
                                             to its own end's level
    observed_t = 1 (0 for missing or before the series' start: then u_t = 0)

and its targets, for ``j = 1 .. H``::

    v_j = (z_{T+j} - s_{T+j-m*ceil(j/m)} - l_T) / scale

with the seasonal index of the same phase as known at ``T``
(:meth:`tsgate.smoothing.Smoothing.seasonal`, which also carries an
inner daily cycle's newer indices). The forecast is
``z_hat_{T+j} = l_T + s_(...) + scale * v_hat_j``: a network that outputs 0
reproduces the smoothing's own forecast, and what it learns is relative to
the level and in units of the series' typical change, so one network serves
series of any scale. Targets past a series' end are NaN (masked in the
loss), so the newest observations are targets of partial windows; windows
that start before a series do are padded (``observed = 0``).

With exogenous features the sequence gets ``H`` more steps that carry the
future features (and ``u = 0, observed = 0``); every step carries the
standardized features in extra columns.
"""
import math

import numpy as np

from . import segments
from .smoothing import same_phase

N_BASE_FEATURES = 2  # u, observed
F32_MAX = float(np.finfo(np.float32).max)


def series_windows(z, sm, L, H, ends, exog=None):
    """Inputs and targets of the windows of one series that end at ``ends``.

    Parameters
    ----------
    z : ndarray of shape (n,)
        Working-scale values (NaN: missing).
    sm : tsgate.smoothing.Smoothing
        Its smoothing stage (level and season known at least up to the
        largest end).
    L, H : int
        Window length and horizon.
    ends : ndarray of int of shape (N,)
        Last step of each window, ``0 <= end < n``.
    exog : ndarray of shape (n + H, m), optional
        Standardized exogenous features; rows past ``n`` are the future.

    Returns
    -------
    X : ndarray of shape (N, L [+ H], 2 [+ m]) float32
    Y : ndarray of shape (N, H) float64; NaN past the series' end
    """
    n = len(z)
    observed = np.isfinite(z)
    ref = sm.level[ends]  # (N,)
    # float32 from here on (a fit's inputs are the biggest arrays tsgate
    # makes), after centring in float64 so that large levels keep precision,
    # and in units: divided in float64 before the cast, the inputs of c * y
    # round as those of y do, so the same data in grams and in kilograms
    # train the same networks (the float32 division after the cast trained
    # them as another seed would unless c was a power of two: MAE 9% apart)
    center = float(np.median(ref)) if len(ref) > 1 else float(ref[0]) if len(ref) else 0.0
    if not math.isfinite(center):  # the mean of the middle two passed float64's range (at 1e308)
        center = 2.0 * float(np.median(0.5 * ref))
    d = np.where(observed, z - sm.season[:n] - center, 0.0)  # (n,) float64
    d /= sm.scale
    shift = (ref - center) / sm.scale  # (N,) each window's level from the centre
    # a bound on the float32 inputs, d[t] - shift
    spread = ((float(np.max(np.abs(d))) if n else 0.0)
              + (float(np.max(np.abs(shift))) if len(shift) else 0.0))
    if math.isnan(spread):  # a unit of 0: the values' steps are below float64's normal numbers
        raise ValueError(
            "A series changes by less than float64 resolves (its steps below about 2.2e-308, "
            "where digits are lost), so it has no unit to scale it by; rescale it (e.g. "
            "multiply by 1e300).")
    if not spread < F32_MAX:  # it would overflow to inf in float32
        raise ValueError(
            f"A series varies by {spread * sm.scale:.3g} about its level, {spread:.3g} times "
            f"its typical change, beyond float32's range ({F32_MAX:.3g}), in which the "
            "networks compute; give a series whose changes are not so small beside its size.")
    d = d.astype(np.float32)  # (n,)
    back = ends[:, None] + np.arange(1 - L, 1)  # (N, L) the step of each input
    started = back >= 0  # (N, L); steps before the series' start are padding
    at = np.maximum(back, 0)  # (N, L)
    features = N_BASE_FEATURES + (0 if exog is None else exog.shape[1])
    X = np.zeros((len(ends), L + (0 if exog is None else H), features), np.float32)
    X[:, :L, 0] = np.where(started, d[at], np.float32(0))
    X[:, :L, 0] -= shift[:, None].astype(np.float32)
    X[:, :L, 1] = observed[at] & started
    X[:, :L, 0] *= X[:, :L, 1]  # padded and missing steps: u = 0
    steps = np.arange(1, H + 1)
    target_t = ends[:, None] + steps  # (N, H)
    inside = target_t < n
    zt = np.where(inside, z[np.minimum(target_t, n - 1)], np.nan)  # (N, H)
    Y = (zt - sm.seasonal(ends[:, None], steps) - ref[:, None]) / sm.scale  # (N, H)
    if exog is None:
        return X, Y
    rows = ends[:, None] + np.arange(-L + 1, H + 1)  # (N, L+H) step of each row
    X[:, :, 2:] = exog[np.clip(rows, 0, len(exog) - 1)]
    X[:, :, 2:] *= (rows >= 0)[..., None]
    return X, Y

# stacked_windows: window steps built at once, times 1 + the features (its index arrays:
# 2 MiB; 200 features gathered for 2**18 steps took 420 MB)
CHUNK_STEPS = 2**18
GROUP_STEPS = 2**18  # ... and series values (flat arrays of 2 MiB each) at most, unless one is longer


def _seasonal_rows(season, daily, starts, period, inner, ends, steps):
    """:meth:`tsgate.smoothing.Smoothing.seasonal` of many series' rows at
    once: (R, H) from the flat ``season`` and ``daily`` (of the series of
    inner cycles; else unread), each row's series' start in them ``starts``
    (R,), its ``period`` and ``inner`` (R,), origins ``ends`` (R,) and
    ``steps`` (H,)."""
    back = starts[:, None] + same_phase(ends[:, None], steps, period[:, None])  # (R, H)
    out = season[back]  # (R, H)
    cycled = inner > 1  # (R,) rows of series with an inner cycle
    if cycled.any():
        b, s = back[cycled], starts[cycled, None]
        out[cycled] = season[b] - daily[b] + daily[
            s + same_phase(ends[cycled, None], steps, inner[cycled, None])]
    return out


def stacked_windows(zs, smoothings, L, H, ends, exogs=None):
    """:func:`series_windows` of many series at once, stacked: the same
    numbers, bit for bit, without a loop over the series.

    The series go in groups of at most ``GROUP_STEPS`` values (a longer
    series alone): the flat arrays of a group's values and stages are a few
    times its values, so a collection of long series, of which ``predict``
    reads one window each, does not hold all of them at once (200 series of
    20,000 steps: 187 MiB).

    Parameters
    ----------
    zs, smoothings : list
        Working-scale values (n_i,) and smoothing stages per series.
    L, H : int
    ends : list of ndarray of int of shape (N_i,)
        Each series' window ends, ``0 <= end < n_i``.
    exogs : list of ndarray of shape (n_i + H, m), optional

    Returns
    -------
    X : ndarray of shape (sum N_i, L [+ H], 2 [+ m]) float32
    Y : ndarray of shape (sum N_i, H) float64
        Series after series, as ``np.concatenate`` of each's
        :func:`series_windows`.
    """
    features = N_BASE_FEATURES + (0 if exogs is None else exogs[0].shape[1])
    counts = [len(e) for e in ends]  # (k,) windows per series
    X = np.zeros((sum(counts), L + (0 if exogs is None else H), features), np.float32)
    Y = np.empty((sum(counts), H))
    row, a = 0, 0
    while a < len(zs):
        b, steps = a + 1, len(zs[a])  # a group: series a..b-1
        while b < len(zs) and steps + len(zs[b]) <= GROUP_STEPS:
            steps += len(zs[b])
            b += 1
        rows = slice(row, row + sum(counts[a:b]))
        _stacked_group(zs[a:b], smoothings[a:b], L, H, ends[a:b],
                       None if exogs is None else exogs[a:b], X[rows], Y[rows])
        row, a = rows.stop, b
    return X, Y


def _stacked_group(zs, smoothings, L, H, ends, exogs, X, Y):
    """:func:`stacked_windows` of one group of series, into its rows of X
    (N, L [+ H], F) and Y (N, H), zero and empty."""
    k = len(zs)
    lens = np.array([len(z) for z in zs], dtype=np.int64)  # (k,)
    at0 = segments.offsets_of(lens)  # (k + 1,) each series' start in the flat arrays
    counts = np.array([len(e) for e in ends], dtype=np.int64)  # (k,)
    first = segments.offsets_of(counts)  # (k + 1,) each series' first row
    N = int(first[-1])
    owner = np.repeat(np.arange(k), counts)  # (N,) each row's series
    end = (np.concatenate(ends).astype(np.int64) if N else np.zeros(0, np.int64))  # (N,)

    def flat(arrays):  # the series' arrays end to end
        return np.concatenate(arrays) if k else np.zeros(0)

    z = flat([np.asarray(v, dtype=np.float64) for v in zs])  # (T,)
    # the stages' arrays whole (a stage may run past its series' values: a cut
    # series' targets read no further, but a season's phase can), at st0 each
    st0 = segments.offsets_of([len(sm.season) for sm in smoothings])  # (k + 1,)
    level = flat([sm.level for sm in smoothings])  # (S,)
    season = flat([sm.season for sm in smoothings])  # (S,)
    inner = np.array([sm.inner for sm in smoothings], dtype=np.int64)  # (k,)
    daily = (flat([sm.daily if sm.inner > 1 else np.zeros(len(sm.season)) for sm in smoothings])
             if (inner > 1).any() else None)  # (S,)
    period = np.array([sm.period for sm in smoothings], dtype=np.int64)  # (k,)
    scale = np.array([sm.scale for sm in smoothings], dtype=np.float64)  # (k,)
    observed = np.isfinite(z)  # (T,)
    ref = level[st0[owner] + end]  # (N,) each window's level at its end
    # series_windows' centre: the median of its windows' levels (one window: that level)
    center = segments.medians(ref, first)  # (k,)
    single = counts == 1
    center[single] = ref[first[:-1][single]]
    season_z = flat([sm.season[:n] for sm, n in zip(smoothings, lens)])  # (T,) at z's steps
    # in units, in float64 before the cast, as series_windows does
    d = np.where(observed, z - season_z - np.repeat(center, lens), 0.0)  # (T,) float64
    d /= np.repeat(scale, lens)
    shift = (ref - center[owner]) / scale[owner]  # (N,)
    spread = segments.maxima(np.abs(d), at0) + segments.maxima(np.abs(shift), first)  # (k,)
    plain = spread < F32_MAX  # (k,) else series_windows' error
    with np.errstate(over="ignore"):  # (the series that overflow are not plain: unread)
        d = d.astype(np.float32)  # (T,)
    if exogs is not None:
        ex_len = np.array([len(e) for e in exogs], dtype=np.int64)  # (k,)
        ex_at = segments.offsets_of(ex_len)  # (k + 1,)
        # (sum, m) float32: gathered in float64, each chunk's rows took twice the memory (the
        # same values: the cast before the gather rounds each value as the one after did)
        ex = np.concatenate(exogs, dtype=np.float32)
    steps = np.arange(1, H + 1)  # (H,)
    per_row = max(L + (0 if exogs is None else H), 1) * (1 if exogs is None else 1 + ex.shape[1])
    i = 0
    while i < k:
        if not plain[i]:  # beyond float32 in units: series_windows' error
            r = slice(first[i], first[i + 1])
            X[r], Y[r] = series_windows(zs[i], smoothings[i], L, H, ends[i],
                                        None if exogs is None else exogs[i])
            i += 1
            continue
        j = i + 1  # a run of plain series of at most CHUNK_STEPS window steps and
        # features (or one series, in chunks of as many rows)
        while j < k and plain[j] and (first[j + 1] - first[i]) * per_row <= CHUNK_STEPS:
            j += 1
        chunk = max(1, CHUNK_STEPS // per_row)  # rows
        for r0 in range(first[i], first[j], chunk):
            r = slice(r0, min(r0 + chunk, first[j]))
            s, e = owner[r], end[r]  # (R,) each
            start = at0[s]  # (R,)
            back = e[:, None] + np.arange(1 - L, 1)  # (R, L) the step of each input
            started = back >= 0  # (R, L)
            at = start[:, None] + np.maximum(back, 0)  # (R, L) in the flat arrays
            x = X[r]  # (R, L [+ H], F) view
            x[:, :L, 0] = np.where(started, d[at], np.float32(0))
            x[:, :L, 0] -= shift[r, None].astype(np.float32)
            x[:, :L, 1] = observed[at] & started
            x[:, :L, 0] *= x[:, :L, 1]  # padded and missing steps: u = 0
            n = lens[s][:, None]  # (R, 1)
            target_t = e[:, None] + steps  # (R, H)
            zt = np.where(target_t < n, z[start[:, None] + np.minimum(target_t, n - 1)], np.nan)
            # (R, H)
            seasonal = _seasonal_rows(season, daily, st0[s], period[s], inner[s], e, steps)
            Y[r] = (zt - seasonal - ref[r, None]) / scale[s][:, None]
            if exogs is not None:
                rows = e[:, None] + np.arange(-L + 1, H + 1)  # (R, L+H) step of each row
                x[:, :, 2:] = ex[ex_at[s][:, None] + np.clip(rows, 0, ex_len[s][:, None] - 1)]
                x[:, :, 2:] *= (rows >= 0)[..., None]
        i = j
    return X, Y


def training_ends(n, max_windows):
    """Ends of a series' training windows: every step with a target, newest
    first kept when there are more than ``max_windows``.

    A window needs one observed step before it and one target after it, so
    ends run over ``0 .. n-2``.
    """
    first = max(0, n - 1 - max_windows)
    return np.arange(first, n - 1)


def content_order(zs, exogs=None):
    """The series' positions ordered by their values: an order that depends on
    the series themselves, not on how the caller happened to list them.
    Stacked in it, a collection's training windows are the same rows in the
    same order for any order of its series, so the same seed draws the same
    batches (the order of a wide frame's columns acted like a seed:
    forecasts 3% apart).

    The key: the length, then the values standardized (their mean and
    spread out, rounded to float32, in big-endian bytes: the leading digits
    first), then the mean and spread, then the features' rows ``exogs``
    (each (n_i [+ H], m), optional). Standardized, the order is the same for
    the collection times any positive factor or plus any constant (the working
    values' raw bytes changed order with the scale: a collection times 1000
    forecast 1e-4 apart from its scaled copy); the features part ties
    series of the same values.
    """
    def key(i):
        z = np.asarray(zs[i], dtype=np.float64)  # (n,)
        ok = np.isfinite(z)
        size = float(np.max(np.abs(z[ok]), initial=0.0))
        u = z / size if size > 0 else z  # (n,) no square overflows (values of 1e200)
        mean = float(u[ok].mean()) if ok.any() else 0.0
        spread = float(u[ok].std()) if ok.any() else 0.0
        shape = np.where(ok, (u - mean) / (spread if spread > 0 else 1.0), -np.inf)  # (n,)
        features = b"" if exogs is None else np.ascontiguousarray(exogs[i]).tobytes()
        return len(z), shape.astype(">f4").tobytes(), mean * size, spread * size, features

    return sorted(range(len(zs)), key=key)


def collection_windows(zs, smoothings, L, H, max_windows, exogs=None, cut=0, order=None):
    """Training windows of every series of a collection, stacked.

    Parameters
    ----------
    zs, smoothings : list
        Working-scale values and smoothing stages per series.
    L, H : int
    max_windows : int
        At most this many (the newest) windows per series.
    exogs : list of ndarray of shape (n_i + H, m), optional
    cut : int
        Leave the last ``cut`` steps of every series out of the targets and
        inputs (the holdout of a validation fit; series too short for it are
        dropped).
    order : list of int, optional
        ``content_order(zs, exogs)``, where the caller has it (the members
        of an ensemble share it).

    Returns
    -------
    X : ndarray of shape (N, L [+ H], F) float32
        Series by series in :func:`content_order`.
    Y : ndarray of shape (N, H) float32
    """
    order = content_order(zs, exogs) if order is None else order  # (same order, any order)
    order = [i for i in order if len(zs[i]) - cut >= 2]
    if not order:
        raise ValueError("No series is long enough to make a training window.")
    cut_zs = [zs[i][:len(zs[i]) - cut] for i in order]
    X, Y = stacked_windows(cut_zs, [smoothings[i] for i in order], L, H,
                           [training_ends(len(z), max_windows) for z in cut_zs],
                           None if exogs is None else [exogs[i] for i in order])
    keep = np.isfinite(Y).any(axis=1)  # (N,) windows with a target
    if not keep.all():
        X, Y = X[keep], Y[keep]
    return X, Y.astype(np.float32)


def tail_ends(zs, cuts):
    """Per series, the origins inside its cut tail: ``n - cut - 1 .. n - 2``."""
    return [np.arange(len(z) - c - 1, len(z) - 1) for z, c in zip(zs, cuts)]


def unchanged(values, ends):
    """Whether each series' history up to each of its ``ends`` holds a single
    value: bool (rows,), series by series in ``ends``' order (NaN skipped).

    Such a window is all zeros to a network, whose output for it, times the
    series' floored unit, is noise; the forecasters forecast the value
    itself there, as every statistical method does (a discontinued item's
    zeros forecast 0.005-0.02 before).
    """
    rows = [np.fmax.accumulate(v)[e] == np.fmin.accumulate(v)[e] for v, e in zip(values, ends)]
    return np.concatenate(rows) if rows else np.zeros(0, dtype=bool)


def tail_windows(zs, smoothings, cuts, L, H, exogs=None):
    """Windows ending at each origin inside every series' cut tail, stacked.

    ``zs`` and ``smoothings`` cover the whole series (the stages filtered
    causally, so each origin sees only its past); the targets are the tail's
    observations (NaN past the series' end). These are the validation fit's
    out-of-sample forecasts.

    Returns
    -------
    X : ndarray of shape (rows, L [+ H], F) float32
    Y : ndarray of shape (rows, H) float32
    """
    X, Y = stacked_windows(zs, smoothings, L, H, tail_ends(zs, cuts), exogs)
    return X, Y.astype(np.float32)


def last_windows(zs, smoothings, L, H, exogs=None):
    """The window ending at each series' last step.

    Returns X of shape (k, L [+ H], F) float32.
    """
    return stacked_windows(zs, smoothings, L, H, [np.array([len(z) - 1]) for z in zs],
                           None if exogs is None else [e[:len(z) + H]
                                                       for e, z in zip(exogs, zs)])[0]


def forecast_base(sm, n, H):
    """The smoothing's own forecast (H,) on the working scale from step n-1.

    Level at the last step plus the seasonal index of each future step's
    phase, as known at the last step.
    """
    return sm.level[n - 1] + sm.seasonal(n - 1, np.arange(1, H + 1))


def window_lengths(period, horizon, n_models, window=None):
    """Window length of each ensemble member.

    ``window`` (the user's) for all of them; else lookbacks of 2, 1.25 and 3
    times the longer of a season and the horizon, in turn (one member: 2; N-BEATS and
    Hewamalage et al. found lookbacks of one to several horizons best).
    """
    if window is not None:
        return [int(window)] * n_models
    base = max(period, horizon)
    factors = (2.0, 1.25, 3.0)
    return [max(2, int(math.ceil(factors[i % len(factors)] * base))) for i in range(n_models)]
