"""Held-out values and new histories against a forecaster's training collection.

:func:`aligned` pairs held-out values with the forecasts of their series and
time steps (``score`` and the metrics' scorers); :func:`check_same_frequency`
refuses a new history (``predict(y=...)``) that steps otherwise than the
training data. Both read :class:`tsgate.collection.Collection` objects;
moved out of :mod:`tsgate.collection` (session 31), which converts layouts.
"""
import numpy as np
import pandas as pd

from ._series import future_index, infer_step, steps_after
from .featurerows import MissingRowsError


def aligned(actual, trained, forecast):
    """The values of ``actual`` and the forecasts of their time steps.

    Parameters
    ----------
    actual : Collection
        Values to score against: series of ``trained`` (matched by id; a
        Series fitted on a Series whatever its name), at time steps after its end.
    trained : Collection
        The training data.
    forecast : callable
        ``forecast(h)``, the (len(trained), h) forecasts of the first ``h``
        steps after the end of each training series.

    Returns
    -------
    y_true, y_pred : ndarray of shape (h, len(trained))
        Column j: training series j; ``y_true`` holds the values of
        ``actual`` at their forecast steps and NaN elsewhere (a metric
        leaves those out), ``y_pred`` the forecasts.

    Raises
    ------
    ValueError
        For a series that was not fitted or a time step that is not after
        the end of its training series.
    """
    where = {key: j for j, key in enumerate(trained.ids)}
    rows, positions = [], []
    for key, index in zip(actual.ids, actual.indexes):
        # one Series against one Series: matched whatever their names
        j = 0 if len(actual) == len(trained) == 1 and actual.layout == trained.layout == "series" \
            else where.get(key)
        if j is None:
            raise ValueError(f"y's series {key!r} is not one the forecaster was fitted on "
                             f"({list(trained.ids)[:5]}{' ...' if len(trained) > 5 else ''}).")
        index = _on_kind_of(index, trained.indexes[j], key)
        pos = steps_after(trained.indexes[j], index)  # (n_i,) forecast step of each value
        if (pos < 0).any():
            bad = index[int(np.argmax(pos < 0))]
            at = trained.indexes[j].get_indexer([bad])[0]  # (-1: not a training step)
            trained_on = (
                "" if at < 0 else
                f" (A step the training frame holds, series {key!r} missing there: a wide "
                f"frame's rows run to {trained.indexes[j][-1]} for every series, and a "
                "series that stopped earlier is forecast from that end; give its series in a "
                "long frame, where each ends at its last observation.)"
                if not np.isfinite(trained.values[j][at:]).any() else  # (after its end)
                " (A step of the training data: a forecaster scores forecasts only, "
                "so a training fold has no score: leave scikit-learn's "
                "return_train_score False; validation_curve and learning_curve, which "
                "always score the training folds, give NaN there with their default "
                "error_score=nan.)")
            raise ValueError(
                f"y (series {key!r}) must hold the steps after the training data, from "
                f"{future_index(trained.indexes[j], 1)[0]}; its step {bad} is not one of "
                f"them.{trained_on}")
        rows.append(j)
        positions.append(pos)
    h = max(int(p.max()) for p in positions) + 1
    try:
        y_pred = np.asarray(forecast(h), dtype=np.float64).T  # (h, k)
    except MissingRowsError as exc:  # (every fold of TimeSeriesSplit(gap=2) with X)
        if min(int(p.min()) for p in positions) == 0:
            raise
        raise MissingRowsError(
            f"{exc} y starts later than the step after the training data (a gap, as "
            "TimeSeriesSplit(gap=...) leaves): the forecast through the gap needs X's rows "
            "there too, which a splitter does not pass to the scorer; cross-validate with "
            "gap=0 where there are exogenous features, or backtest with "
            "tsgate.backtest(model, y, X=X).") from None
    y_true = np.full(y_pred.shape, np.nan)  # (h, k)
    for j, pos, v in zip(rows, positions, actual.values):
        y_true[pos, j] = v
    return y_true, y_pred


def _on_kind_of(index, ref, key):
    """``index`` as the kind of ``ref``: dates as periods or timestamps like
    the training data's; dates against integers (or back) are an error."""
    dated = (pd.DatetimeIndex, pd.PeriodIndex)
    if isinstance(index, pd.DatetimeIndex) and isinstance(ref, pd.PeriodIndex):
        return index.to_period(ref.freq)
    if isinstance(index, pd.PeriodIndex) and isinstance(ref, pd.DatetimeIndex):
        step = infer_step(ref)  # onto the training grid: month ends for "ME", ...
        stamps = index.to_timestamp(how="start").tz_localize(ref.tz)
        return pd.DatetimeIndex([step.rollforward(t) for t in stamps])
    if isinstance(index, dated) != isinstance(ref, dated):
        raise ValueError(
            f"y (series {key!r}) is indexed by {type(index).__name__} of dtype {index.dtype}, the "
            f"training data by {type(ref).__name__} of dtype {ref.dtype}; index both alike "
            "(dates, or integer steps).")
    if isinstance(index, pd.DatetimeIndex) and (index.tz is None) != (ref.tz is None):
        fix = (f"y.tz_localize({str(ref.tz)!r})" if index.tz is None
               else "y.tz_localize(None), which keeps its wall-clock times")
        raise ValueError(
            f"y (series {key!r}) has {'no time zone' if index.tz is None else index.tz} and "
            f"the training data {ref.tz or 'none'}; give both in one: {fix}.")
    return index


def score_on(actual, trained, forecast):
    """Minus the mean absolute error over every observed value of ``actual``,
    each against the forecast of its own series and time step
    (:func:`aligned`, whose parameters it takes)."""
    y_true, y_pred = aligned(actual, trained, forecast)
    ok = np.isfinite(y_true)
    return -float(np.mean(np.abs(y_pred[ok] - y_true[ok])))


def check_same_frequency(coll, trained, name="y"):
    """Raise a ValueError where ``coll``'s dates step otherwise than the
    training data's (a quarterly history for networks fitted on months), or
    where one of them is dated and the other on an integer index. The same
    offset, or steps within 25% of each other (a monthly DatetimeIndex and
    PeriodIndex, month starts and month ends), pass. ``coll`` is
    ``trained`` itself at fit: its series against its first one."""
    dated = (pd.DatetimeIndex, pd.PeriodIndex)
    fitted = {} if coll is trained else dict(zip(trained.ids, trained.indexes))
    refs = {}  # id(ref) -> [its typical step, its day kind]: the first series is every one's

    def of_ref(ref, day_kind=False):
        facts = refs.setdefault(id(ref), [None, None])
        if facts[0] is None:
            facts[0] = _typical_step(ref)
        if day_kind and facts[1] is None:
            facts[1] = _day_kind(ref)
        return facts[1] if day_kind else facts[0]

    for index, key in zip(coll.indexes, coll.ids):
        ref = fitted.get(key, trained.indexes[0])  # the series' own, where it was fitted
        if isinstance(index, dated) != isinstance(ref, dated):
            kinds = [f"dates ({i.freqstr})" if isinstance(i, dated) else "an integer index"
                     for i in (index, ref)]
            raise ValueError(
                f"{name} (series {key!r}) is on {kinds[0]}, the training data on {kinds[1]}; "
                f"give {name} an index of the kind the model was fitted on, or fit a model on "
                f"{name}'s.")
        if not isinstance(index, dated) or len(index) < 2 or len(ref) < 2:
            continue
        if isinstance(index, pd.PeriodIndex) and isinstance(ref, pd.PeriodIndex) \
                and index.freq == ref.freq:
            continue  # one offset, one step (to_timestamp took 0.7 ms a series)
        # the time the dates step by, whatever freq is set (dates read from a file or a
        # long frame have none: comparing .freq let any step pass); no offset inferred
        # but to name it, as thousands of series took 0.3 ms each
        typical = _typical_step(index)
        ratio = typical / of_ref(ref)
        if 0.8 <= ratio <= 1.25 and not (
                typical == _DAY and _day_kind(index) * of_ref(ref, day_kind=True) < 0):
            continue
        step, ref_step = (_step_name(i) for i in (index, ref))
        if coll is trained:
            raise ValueError(
                f"{name}'s series {key!r} steps by {step}, its first series "
                f"{trained.ids[0]!r} by {ref_step}: one model learns one frequency "
                "(its season length and windows). Fit one model per frequency, or resample "
                "the series to one.")
        raise ValueError(
            f"{name} (series {key!r}) steps by {step}, the training data by {ref_step}: the "
            f"networks and the season length were fitted on {ref_step} steps. Resample "
            f"{name} to that frequency or fit a model on it.")


_PER_SECOND = {"s": 1, "ms": 1e3, "us": 1e6, "ns": 1e9}
_DAY = 86400.0


def _day_kind(index):
    """Of daily dates: -1 where they skip weekends (business days: no
    Saturday or Sunday, and a step over one), 1 where they hold a weekend
    day (calendar days), 0 where neither shows. Both step by a day in the
    median, but their seasons differ (5 and 7): a collection mixing them
    took the season of whichever came first."""
    if isinstance(index, pd.PeriodIndex):
        index = index.to_timestamp()
    weekend = index.day_of_week >= 5  # (n,)
    if weekend.any():
        return 1
    return -1 if (np.diff(index.asi8) > np.median(np.diff(index.asi8))).any() else 0


def _typical_step(index):
    """The median time between neighbouring dates of a date index, in
    seconds (a PeriodIndex: between its periods' starts): months 28-31
    days, and month starts beside month ends, are one step."""
    if isinstance(index, pd.PeriodIndex):
        index = index.to_timestamp()
    return float(np.median(np.diff(index.asi8))) / _PER_SECOND[index.unit]


def _step_name(index):
    """How messages name the step of a date index: its offset, set or
    inferred, else the median time between its dates."""
    try:
        return infer_step(index).freqstr
    except ValueError:
        return str(pd.Timedelta(seconds=_typical_step(index)))
