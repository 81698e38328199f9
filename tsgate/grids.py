"""The time grid a series is put on: a ``freq`` given at fit (``on_grid``:
every step from the first date to the last, missing ones NaN), and the
fitted steps that data given after a fit take where they show none of
their own (a history of 1 or 2 dates, or one without yesterday's row).
"""
import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from ._series import (
    WALL_CLOCK_ERRORS,
    clock_shift_advice,
    clock_shifted,
    date_offset,
    grid_fit,
    guess_freq,
    infer_freq,
    infer_step,
    valid_freq_alias,
)


class FittedSteps:
    """The steps of a fitted collection's dates, per series: ``known_freq``
    for the data given after the fit. A series of a collection mixing month
    starts and month ends keeps its own anchor; an id not fitted gets the
    first series' step. Each is inferred when first asked (about 0.2 ms a
    series: not at every call for every series of a large collection)."""

    def __init__(self, coll):
        self._coll = coll
        self._positions = None
        self._steps = {}

    def of(self, key=None):
        """The step of the fitted series ``key`` (a pandas offset)."""
        if self._positions is None:
            self._positions = {}
            for i, k in enumerate(self._coll.ids):
                self._positions.setdefault(k, i)
        i = self._positions.get(key, 0)
        if i not in self._steps:
            self._steps[i] = infer_step(self._coll.indexes[i])
        return self._steps[i]


def _step_of(known_freq, key=None, index=None):
    """``known_freq``'s step for the series ``key`` (:class:`FittedSteps`, or
    one step for all); for periods (``index`` a PeriodIndex) their own
    frequency, whatever the fit's dates were (month starts' step is no
    period frequency: a history of months skipping one was told of a
    ``freq=`` that predict does not take)."""
    if isinstance(index, pd.PeriodIndex):
        return index.freqstr
    step = known_freq.of(key) if isinstance(known_freq, FittedSteps) else known_freq
    return _anchored_like(step, index)


def _anchored_like(step, index):
    """``step``, or the same period's other anchor where every date of
    ``index`` lies on that one and not on ``step`` (month starts given to a
    model of month ends or of monthly periods: one frequency, as at fit; two
    such dates were put on the month ends' grid and refused)."""
    if step is None or not isinstance(index, pd.DatetimeIndex) or not len(index):
        return step
    off = to_offset(step)
    ends = (pd.offsets.MonthEnd, pd.offsets.QuarterEnd, pd.offsets.YearEnd)
    starts = (pd.offsets.MonthBegin, pd.offsets.QuarterBegin, pd.offsets.YearBegin)
    if type(off) in ends:
        kind = starts[ends.index(type(off))]
        month = getattr(off, "startingMonth", getattr(off, "month", None))
        other = (kind(off.n) if month is None else
                 kind(off.n, **{"startingMonth" if kind is not pd.offsets.YearBegin else "month":
                                month % 12 + 1}))
    elif type(off) in starts:
        kind = ends[starts.index(type(off))]
        month = getattr(off, "startingMonth", getattr(off, "month", None))
        other = (kind(off.n) if month is None else
                 kind(off.n, **{"startingMonth" if kind is not pd.offsets.YearEnd else "month":
                                (month - 2) % 12 + 1}))
    else:
        return step
    wall = index.tz_localize(None) if index.tz is not None else index  # (a zone's midnights)
    if (wall == wall.normalize()).all() and not all(off.is_on_offset(t) for t in wall) \
            and all(other.is_on_offset(t) for t in wall):
        return other
    return step


def fitted_freq(coll):
    """The steps of a fitted collection's dates (:class:`FittedSteps`), or
    None for an integer index: ``known_freq`` for the data given after the fit."""
    index = coll.indexes[0]
    if not isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        return None
    return FittedSteps(coll)


def _short_undated(index):
    """Dates too few (1 or 2) to infer a frequency from, none set."""
    return isinstance(index, pd.DatetimeIndex) and index.freq is None and len(index) < 3


def _needs_known_grid(index):
    """Dates given after the fit that show no frequency of their own: too
    few (:func:`_short_undated`), or with a missing date (a new history of
    the last days without yesterday's): put on the fitted frequency's
    grid, the missing dates NaN, as ``freq=`` does at fit. Periods that skip
    one count as missing dates too (the message asked for ``freq=``, which
    ``predict`` does not take)."""
    if isinstance(index, pd.PeriodIndex):
        steps = np.diff(index.asi8)  # (n-1,) in the periods' unit
        return bool(len(steps) and index.is_unique and (steps > 0).all()
                    and (steps != index.freq.n).any())
    if not isinstance(index, pd.DatetimeIndex) or index.freq is not None:
        return False
    if len(index) < 3:
        return True
    try:
        infer_step(index)
    except ValueError:
        return index.is_monotonic_increasing and index.is_unique  # else its own error
    return False


def _shared_freq(indexes):
    """The step of the first of ``indexes`` (DatetimeIndex, 3 or more dates)
    it can be inferred from, or None: the step of a collection's series of
    only 1 or 2 dates, which cannot show their own."""
    for index in indexes:
        if isinstance(index, pd.DatetimeIndex) and len(index) >= 3:
            try:
                return infer_step(index)
            except ValueError:  # irregular: its own check will say so
                continue
    return None


_GRID_MOST = 10**6  # a freq grid beyond this and 100 steps per date is refused
SPARSEST = 100  # a freq grid of more steps per date than this is nearly all missing


def too_many_steps(steps, dates):
    """Whether a grid of ``steps`` steps for ``dates`` dates (or integer
    times) is refused before it is built: beyond a million steps and 100
    per date, nearly all of it missing (``--freq ms`` of monthly dates
    asked for 2.74 TiB)."""
    return steps > max(_GRID_MOST, SPARSEST * dates)


def coarser_step(index, n_grid):
    """The step the dates of ``index`` follow where a grid of ``n_grid``
    steps over them is at least 4 times as dense (monthly dates on a daily
    grid, 97% missing), else None. A step of their own is pandas' inferred
    frequency or, with a date missing, :func:`_coarser_guess`'s; a grid
    only as dense as gaps make it (16 months over 36) is not refused."""
    if n_grid < 4 * len(index):
        return None
    return _regular_step(index) or _coarser_guess(index, n_grid)


def sparse_grid(index, n_grid, density=True):
    """Whether a grid of ``n_grid`` steps over the dates of ``index`` is
    too sparse to forecast its steps from, and the step they follow
    instead (or None): a step of their own 4 times as coarse
    (:func:`coarser_step`), or, whatever their step, more than
    ``SPARSEST`` grid steps per date (10 irregular dates over 30 years on
    a daily grid, 99.9% missing, were fitted); ``density=False`` leaves that
    second rule out (data after a fit, on the grid it was fitted on)."""
    own = coarser_step(index, n_grid)
    return own is not None or (density and n_grid > SPARSEST * len(index)), own


def on_grid(y, freq, name="y", sparse=None, density=True):
    """``y`` (Series or DataFrame on a DatetimeIndex or PeriodIndex) on every
    step of ``freq`` from its first date to its last; new steps hold NaN.

    Dates of a regular step at least 4 times as coarse as ``freq`` are
    refused (monthly dates with freq='D'), unless ``sparse`` is given (a
    list): what is wrong is appended to it instead, for a collection to
    refuse only where every series is so, and to warn of the others (a
    series recorded each January beside monthly ones). Dates that fill
    less than 1% of the grid are refused too unless ``density`` is False:
    a history given after a fit, or a training series to score by, is
    taken on the fitted grid however sparse (:func:`sparse_grid`)."""
    index = y.index
    if not isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        kind = ("integer steps" if pd.api.types.is_integer_dtype(index.dtype) else
                f"an index of dtype {index.dtype}")
        raise ValueError(f"freq={freq!r} applies to dates, but {name}'s index holds {kind}; "
                         "leave freq=None for an integer index.")
    if not isinstance(freq, pd.offsets.BaseOffset) and not valid_freq_alias(freq):
        # (caught below as a clock the zone skips: a misspelt alias was told to drop its zone)
        raise ValueError(f"freq={freq!r} is not a pandas frequency alias; give one such as "
                         "'D', 'MS', 'QS', 'h' or '15min'.")
    if isinstance(index, pd.DatetimeIndex) and not isinstance(freq, pd.offsets.BaseOffset):
        offset, renamed = date_offset(freq)
        if offset is None:  # a period alias only (pandas 3's 'M', 'Q', 'Y' for dates)
            raise ValueError(f"freq={freq!r} is no frequency of dates, which {name}'s index "
                             "holds: " + (f"pandas names it {renamed!r} now." if renamed else
                                          "give one such as 'D', 'MS', 'QS' or 'h'."))
        freq = offset.freqstr  # pandas' own name ('d' -> 'D': pandas 3 deprecates 'd')
    if index.has_duplicates or len(index) == 0:
        return y  # the checks that follow say what is wrong
    y = y.sort_index()
    shifted = clock_shifted(y.index)
    if shifted and _under_a_day(freq):  # days on an hourly grid: 96% NaN, hours forecast
        raise ValueError(clock_shift_advice(y.index, name))
    first, last = y.index[0], y.index[-1]
    if isinstance(index, pd.PeriodIndex):
        try:
            first, last = first.asfreq(freq, "start"), last.asfreq(freq, "start")
        except ValueError as exc:  # "MS is not supported as period frequency"
            raise ValueError(f"freq={freq!r} is not a period frequency, and {name}'s index is "
                             f"a PeriodIndex ({index.freqstr}): give a period alias such as "
                             f"{index.freqstr!r}, or leave freq=None ({str(exc).strip()}).") from None
    if isinstance(first, pd.Period):  # pandas 3 reads "M" as a period alias only
        start, end = first.start_time, last.start_time
        three = pd.period_range(first, periods=3, freq=freq).to_timestamp()
    else:
        start, end = first, last
        try:
            three = pd.date_range(start, periods=3, freq=freq)  # the grid's typical step
        except WALL_CLOCK_ERRORS as exc:  # (a daily grid through a midnight the zone skips)
            raise ValueError(_skipped_clock(freq, name, index, exc)) from None
    steps = (end - start) / ((three[2] - three[0]) / 2) + 1
    if too_many_steps(steps, len(y)):
        raise ValueError(
            f"freq={freq!r} puts {name}'s {len(y)} dates from {y.index[0]} to {y.index[-1]} on a "
            f"grid of about {steps:.3g} steps, nearly all missing; give the frequency the dates "
            "follow (note: 'MS' is month start, 'ms' milliseconds; 'min' is minutes).")
    if isinstance(index, pd.DatetimeIndex):
        try:
            out = y.asfreq(freq)
        except WALL_CLOCK_ERRORS as exc:  # a daily grid through a midnight the zone skips
            raise ValueError(_skipped_clock(freq, name, index, exc)) from None
    else:
        out = y.reindex(pd.period_range(y.index[0], y.index[-1], freq=freq))
    off = ~y.index.isin(out.index)
    if off.any() and shifted:  # (days of moved clocks: not on a daily grid either)
        raise ValueError(clock_shift_advice(y.index, name))
    if off.any():
        raise ValueError(f"{name}'s dates are not on the {freq!r} grid ({y.index[off][0]} is off "
                         "it); choose the frequency the dates follow.")
    # monthly dates on a daily grid (97% NaN); a quarterly step on months (3 per date) passes
    refused, own = sparse_grid(y.index, len(out), density)
    if refused:
        regular = _regular_step(y.index) is not None
        what = (f"{name}'s dates step by {own!r}; freq={freq!r} puts them on a grid "
                f"{len(out) / len(y):.3g} times as dense, {1 - len(y) / len(out):.0%} of its "
                "dates missing" if own is not None else
                f"freq={freq!r} puts {name}'s {len(y)} dates on a grid of {len(out)} steps, "
                f"{1 - len(y) / len(out):.1%} of them missing")
        if sparse is None:
            raise ValueError(f"{what}, and the forecast would be of {freq!r} steps. Give "
                             + (f"freq={own!r}" + (" or leave freq=None." if regular else ".")
                                if own is not None else "the frequency the dates follow."))
        sparse.append(what)
    return out


def _under_a_day(freq):
    """Whether ``freq`` is a fixed step shorter than 23 hours (hours, minutes)."""
    try:
        offset = to_offset(freq)
    except (TypeError, ValueError):
        return False
    return isinstance(offset, pd.offsets.Tick) and offset.nanos < 23 * 3600 * 10**9


def _skipped_clock(freq, name, index, exc):
    """The message of a ``freq`` grid through a clock time the zone skips."""
    return (f"freq={freq!r} steps {name}'s dates in {index.tz} onto a clock time that the zone "
            f"skips or repeats ({exc}); give the dates as plain dates: {name}.index = "
            f"{name}.index.tz_localize(None).normalize() (a long frame's column: the same "
            "through .dt).")


def _regular_step(index):
    """The step of sorted dates that follow one (pandas' inferred frequency,
    from 3 dates), else None; None for a PeriodIndex, whose frequency the
    user set (periods a year apart on an 'M' index were told to take
    freq='M', which they had)."""
    if isinstance(index, pd.PeriodIndex) or len(index) < 3:
        return None
    try:
        return infer_freq(index)
    except (TypeError, ValueError):
        return None


def _coarser_guess(index, n_grid):
    """For dates with a missing one (no frequency of their own): the
    frequency they follow (:func:`tsgate._series.guess_freq`) where its grid
    is at least 4 times sparser than a grid of ``n_grid`` steps, else None
    (Wednesdays a week apart with one missing, given freq='B', were fitted
    on a grid 80% NaN and forecast business days)."""
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 3:
        return None
    guess = guess_freq(index)
    try:
        n_guess, on_guess = grid_fit(index, guess)
    except ValueError:
        return None
    return guess if on_guess and 4 * n_guess <= n_grid else None


def joined(past, index):
    """``past.append(index)`` with the frequency the two share kept
    (``append`` dropped it: a history of two months, short of the three
    dates a frequency is inferred from, could not be forecast)."""
    out = past.append(index)
    freq = getattr(index, "freq", None) or getattr(past, "freq", None)
    if isinstance(out, pd.DatetimeIndex) and out.freq is None and freq is not None:
        try:
            out = pd.DatetimeIndex(out, freq=freq)
        except ValueError:  # not on that grid: as appended
            pass
    return out
