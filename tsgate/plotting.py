"""Plot a series, its forecast and a forecast interval with matplotlib.

matplotlib is an optional dependency (``pip install 'tsgate[plot]'``): it is
imported only when :func:`plot_forecast` is called, so ``import tsgate``
never needs it.
"""
from numbers import Real

import numpy as np
import pandas as pd

from .calibration import band_pairs, percent
from .frames import series_columns, to_wide

__all__ = ["plot_forecast"]

MAX_PANELS = 6  # a DataFrame forecast shows at most this many series, one panel each

_MISSING = "plot_forecast needs matplotlib: pip install 'tsgate[plot]'"
_NO_BANDS = ("intervals needs columns 'lower' and 'upper' (or 'lower_80', 'upper_80', ... per "
             "coverage; for several series, a column MultiIndex (series, column)), as "
             "predict_interval returns (predict_quantiles' q_ columns are not bands).")
HISTORY = 200  # plot_forecast's default window: the last max(HISTORY, 8 * steps) observations


def _pyplot():
    try:
        import matplotlib  # noqa: F401  (None in sys.modules also lands here)
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(_MISSING) from None
    return plt


def _x(index):
    """Index values matplotlib can draw (periods become their start timestamps)."""
    return index.to_timestamp() if isinstance(index, pd.PeriodIndex) else index


def _bounds(intervals, column, n_rows, coverage=None, n_series=1):
    """The bands of one series from a ``predict_interval`` frame, or None: a
    list of (label, lower, upper), the widest first (``lower``/``upper``, or
    the ``lower_80``/``upper_80`` pairs of a list of coverages). A single
    band is labelled by ``coverage`` where known (the frame's
    ``attrs["coverage"]``, which ``predict_interval`` sets)."""
    if intervals is None:
        return None
    if not isinstance(intervals, pd.DataFrame):
        raise TypeError(f"intervals must be the DataFrame of predict_interval, got "
                        f"{type(intervals).__name__}.")
    part = intervals
    if isinstance(intervals.columns, pd.MultiIndex):
        part = series_columns(intervals, column)
        if part is None:
            raise ValueError(f"intervals has no columns for series {column!r}.")
    elif n_series > 1:  # one series' band, drawn on every panel (9..11 beside a forecast of 1000)
        raise ValueError(f"intervals holds one series' bounds, but y has {n_series} series; "
                         + _NO_BANDS)
    pairs = band_pairs(part.columns)
    if not pairs:
        raise ValueError(_NO_BANDS)
    if len(part) != n_rows:
        raise ValueError(f"intervals has {len(part)} rows but the forecast has {n_rows}.")
    if coverage is not None:
        pairs = [(pct or percent(coverage), lo, hi) for pct, lo, hi in pairs]
    out = [(f"{pct}% interval" if pct else "interval", part[lo].to_numpy(dtype=float),
            part[hi].to_numpy(dtype=float)) for pct, lo, hi in pairs]
    def width(band):  # (a band of NaN only: no numpy warning of an empty mean)
        w = band[2] - band[1]
        return float(np.nanmean(w)) if np.isfinite(w).any() else 0.0

    return sorted(out, key=lambda band: -width(band))  # widest first


def _labelled_coverage(intervals):
    """The coverage ``predict_interval`` recorded in its frame's
    ``attrs["coverage"]`` (a single band's; its columns are only
    ``lower``/``upper``), or None."""
    c = intervals.attrs.get("coverage") if isinstance(intervals, pd.DataFrame) else None
    return float(c) if isinstance(c, Real) and not isinstance(c, bool) and 0 < c < 1 else None


def _times_by_id(obj, id_col, time_col):
    """Each series' own times in a MultiIndex or long object: {id: Index}."""
    if isinstance(obj.index, pd.MultiIndex):
        ids, times = obj.index.get_level_values(0), obj.index.get_level_values(1)
    elif isinstance(obj, pd.DataFrame) and id_col in obj.columns and time_col in obj.columns:
        ids, times = pd.Index(obj[id_col]), pd.Index(obj[time_col])
    else:
        return {}
    return {key: times[ids == key] for key in ids.unique()}


def _tint(color, share):
    """``color`` mixed with white, ``share`` of it kept: an opaque shade (PostScript
    has no transparency: bands drawn with alpha all came out one solid colour
    in EPS, the forecast line hidden in them)."""
    from matplotlib.colors import to_rgb

    return tuple(1.0 - share * (1.0 - c) for c in to_rgb(color))


def _draw(ax, history, forecast, bounds, label):
    """One panel: history (C0), forecast (C1) and the interval band."""
    label = label or "history"
    if label.startswith("_") or label == "forecast":  # (matplotlib hides "_" labels)
        label = f"history: {label}"
    ax.plot(_x(history.index), history.to_numpy(dtype=float), color="C0", lw=1.2, label=label)
    x = _x(forecast.index)
    one = len(forecast) == 1  # a line of one point and a band of no width show nothing:
    ax.plot(x, forecast.to_numpy(dtype=float), color="C1", lw=1.6, label="forecast", zorder=3,
            marker="o" if one else None)  # a marker, and the bands as error bars
    bounds = bounds or []
    # nested bands, widest first: each inner one darker, in the legend too
    shares = [0.25] if len(bounds) == 1 else np.linspace(0.12, 0.3, len(bounds))
    for i, ((band, lower, upper), share) in enumerate(zip(bounds, shares)):
        if one:
            ax.vlines(x, lower, upper, color=_tint("C1", share), lw=max(2, 8 - 2 * i), label=band)
        else:
            ax.fill_between(x, lower, upper, color=_tint("C1", share), lw=0, label=band)
    ax.grid(color="0.9")
    ax.set_axisbelow(True)
    import matplotlib.dates as mdates

    # concise date labels (full dates side by side overlapped: 30 days and 6 steps), where
    # the axis has matplotlib's own date labels, not a caller's
    if (isinstance(x, pd.DatetimeIndex) or isinstance(history.index, pd.PeriodIndex)) \
            and isinstance(ax.xaxis.get_major_formatter(), mdates.AutoDateFormatter):
        locator = mdates.AutoDateLocator(tz=getattr(x, "tz", None))
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator,
                                                                 tz=getattr(x, "tz", None)))


def _same_name(a, b):
    """Whether two Series' names may be one series': equal, NaN both (a
    column named NaN), or either unnamed."""
    if a is None or b is None:
        return True
    both_nan = isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b)
    try:
        return bool(a == b) or both_nan
    except (TypeError, ValueError):  # (names that do not compare: an array)
        return True


def _check_rows(y, forecast, intervals):
    """The forecast on y's kind of time labels, and bands on the forecast's
    rows: an integer-indexed forecast beside dates was drawn at 1970, and
    bands of other dates at the forecast's."""
    def kind(index):
        if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
            return "dates"
        return "numbers" if pd.api.types.is_numeric_dtype(index.dtype) else "labels"

    if kind(y.index) != kind(forecast.index):
        raise ValueError(f"forecast's index ({type(forecast.index).__name__}) is not y's kind of "
                         f"time labels ({type(y.index).__name__}): pass y and what predict "
                         "returned for it.")
    zones = [getattr(index, "tz", None) for index in (y.index, forecast.index)
             if isinstance(index, pd.DatetimeIndex)]
    if len(zones) == 2 and (zones[0] is None) != (zones[1] is None):  # (read as UTC: 10 h off)
        raise ValueError(f"y's times are in {zones[0] or 'no time zone'} but the forecast's in "
                         f"{zones[1] or 'none'}: pass y and what predict returned for it.")
    if (isinstance(intervals, pd.DataFrame) and kind(intervals.index) == kind(forecast.index)
            and len(intervals) == len(forecast) and not intervals.index.equals(forecast.index)):
        raise ValueError("intervals' rows are on other times than the forecast's "
                         f"({intervals.index[0]} against {forecast.index[0]}): pass the "
                         "predict_interval of the same forecast.")


def plot_forecast(y, forecast, intervals=None, ax=None, title=None, history=None,
                  id_col="unique_id", time_col="ds", value_col="y"):
    """Draw the history, the forecast and (optionally) its interval band.

    Parameters
    ----------
    y : pd.Series or pd.DataFrame
        The observed series (several series: one column each, a Series on a
        (series id, time) MultiIndex, or a long frame with ``id_col``,
        ``time_col`` and ``value_col``; the forecasts and bands in the same
        layout, as the forecasters return them).
    forecast : pd.Series or pd.DataFrame
        What ``predict`` returned; same kind and columns as ``y``.
    intervals : pd.DataFrame, optional
        What ``predict_interval`` returned: columns ``lower``/``upper`` for a
        Series, a column MultiIndex (series, lower/upper) for a DataFrame.
    ax : matplotlib Axes or sequence of Axes, optional
        Where to draw: one Axes for a Series (of a sequence, the first), one
        per panel for a DataFrame.
        By default a new figure is made with ``matplotlib.pyplot``.
    title : str, optional
        Title of the plot (of the figure, for several panels).
    history : int, optional
        Show only the last ``history`` observations. Default: the last
        ``max(200, 8 * forecast steps)`` (as the CLI draws), so that the
        forecast is not a sliver beside a long history (10,000 days and
        14 steps: 0.1% of the width); ``history=len(y)`` shows all.
    id_col, time_col, value_col : str
        Column names of the long layout.

    Returns
    -------
    matplotlib.figure.Figure
        For a DataFrame, one panel per column; at most ``MAX_PANELS`` (6),
        the first columns.

    Raises
    ------
    ImportError
        When matplotlib is not installed.
    """
    if not isinstance(y, (pd.Series, pd.DataFrame)):
        raise TypeError(f"y must be a pandas Series or DataFrame, got {type(y).__name__}.")
    coverage = _labelled_coverage(intervals)  # before a long frame's conversion drops attrs
    own = None  # a collection's own times per series: the wide frame's union has the others'
    if (isinstance(y, pd.DataFrame) and id_col not in y.columns
            and not isinstance(y.index, pd.MultiIndex)
            and (time_col in y.columns or not all(map(pd.api.types.is_numeric_dtype, y.dtypes)))):
        raise ValueError(f"y has columns {list(y.columns)}: a long frame's id, time and value "
                         f"columns need naming with id_col=, time_col=, value_col= (now "
                         f"{id_col!r}, {time_col!r}, {value_col!r}); a wide frame holds numbers.")
    if isinstance(y.index, pd.MultiIndex) or (isinstance(y, pd.DataFrame) and id_col in y.columns):
        own = [_times_by_id(obj, id_col, time_col) for obj in (y, forecast)]
        y = to_wide(y, id_col, time_col, value_col)
        if isinstance(forecast, (pd.Series, pd.DataFrame)):
            forecast = to_wide(forecast, id_col, time_col, value_col)
        if isinstance(intervals, pd.DataFrame):  # (bound, series) -> (series, bound)
            bounds = [c for _, lower, upper in band_pairs(intervals.columns) for c in (lower, upper)]
            if not bounds:
                raise ValueError(_NO_BANDS)
            intervals = to_wide(intervals, id_col, time_col, bounds).swaplevel(
                axis=1).sort_index(axis=1, level=0, sort_remaining=False)
    if isinstance(y, pd.Series) != isinstance(forecast, pd.Series) or not isinstance(
            forecast, (pd.Series, pd.DataFrame)):
        raise TypeError("forecast must be what predict returned: a Series for a Series y, "
                        "a DataFrame for a DataFrame y.")
    _check_rows(y, forecast, intervals)
    if history is None:
        history = max(HISTORY, 8 * len(forecast))
    elif not isinstance(history, (int, np.integer)) or isinstance(history, bool) or history < 1:
        raise ValueError(f"history must be a positive integer, got {history!r}.")
    if isinstance(y, pd.Series):
        if not _same_name(y.name, forecast.name):
            raise ValueError(f"forecast is of series {forecast.name!r}, y is {y.name!r}: pass "
                             "y and what predict returned for it.")
        if not y.index.is_monotonic_increasing:  # (its last rows were not its last times)
            y = y.sort_index()
        y = y.iloc[-history:]  # (a frame's series each keep their own last observations)
    plt = _pyplot()

    if isinstance(y, pd.Series):
        if ax is None:
            fig, ax = plt.subplots(figsize=(9, 4))
        elif not hasattr(ax, "figure"):  # an array of Axes (plt.subplots(2)): its first
            axes = list(np.ravel(ax))
            if not axes or not hasattr(axes[0], "figure"):
                raise TypeError(f"ax must be a matplotlib Axes (or a sequence of them), got "
                                f"{type(ax).__name__}.")
            ax = axes[0]
        fig = ax.figure
        _draw(ax, y, forecast, _bounds(intervals, None, len(forecast), coverage),
              None if y.name is None else str(y.name))
        ax.legend(loc="best", fontsize=8, framealpha=1.0)
        if title:
            ax.set_title(title)
        return fig

    missing = [c for c in y.columns if c not in forecast.columns]
    if missing:
        raise ValueError(f"forecast has no column(s) {missing} of y.")
    columns = list(y.columns[:MAX_PANELS])
    if ax is None:
        fig, axes = plt.subplots(len(columns), 1, figsize=(9, 2.4 * len(columns) + 0.6),
                                 sharex=True, squeeze=False)
        axes = list(axes[:, 0])
    else:
        axes = list(np.ravel(ax)) if not hasattr(ax, "figure") else [ax]
        if not all(hasattr(a, "figure") for a in axes):
            raise TypeError(f"ax must be a sequence of matplotlib Axes, one per panel, got "
                            f"{type(ax).__name__}.")
        if len(axes) < len(columns):
            raise ValueError(f"ax has {len(axes)} Axes but {len(columns)} panels are drawn "
                             f"(one per column, at most {MAX_PANELS}).")
        fig = axes[0].figure
    for panel, column in zip(axes, columns):
        past, future = y[column], forecast[column]
        bounds = _bounds(intervals, column, len(forecast), coverage, len(y.columns))
        if own is not None:  # a series on its own dates (month starts beside month ends)
            past = past[past.index.isin(own[0].get(column, past.index))]
            mine = future.index.isin(own[1].get(column, future.index))  # (rows,)
            future = future[mine]
            bounds = bounds and [(label, lo[mine], hi[mine]) for label, lo, hi in bounds]
        # the series' own last observations: on the union of a collection's dates, a
        # series that ended two years before the others had none in the last rows
        end = past.last_valid_index()
        past = past.iloc[:0] if end is None else past.loc[:end].iloc[-history:]
        _draw(panel, past, future, bounds, "history")
        panel.set_title(str(column), fontsize=10, loc="left")
    axes[0].legend(loc="best", fontsize=8, framealpha=1.0)
    if title or len(y.columns) > len(columns):
        shown = f" (first {len(columns)} of {len(y.columns)} series)" if len(y.columns) > len(columns) else ""
        fig.suptitle(f"{title or ''}{shown}".strip())
    if ax is None:  # (a caller's figure keeps its own layout)
        fig.tight_layout()
    return fig
