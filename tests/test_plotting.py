"""tsgate.plot_forecast: history, forecast and interval band with matplotlib."""
import itertools
import sys

import numpy as np
import pandas as pd
import pytest

import tsgate
from tsgate.plotting import MAX_PANELS, plot_forecast
from tests.conftest import FAST
from tests.conftest import monthly as shared_monthly
from tsgate.datasets import load_airline
from tsgate.distributed import PerSeriesForecaster

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def monthly(n, columns=None, start="2000-01-01"):
    return shared_monthly(n, columns, start, name="sales")


def future(y, h):
    index = pd.date_range(y.index[-1] + y.index.freq, periods=h, freq=y.index.freq)
    if isinstance(y, pd.Series):
        return pd.Series(np.full(h, float(y.iloc[-1])), index=index, name=y.name)
    return pd.DataFrame(np.tile(y.iloc[-1].to_numpy(), (h, 1)), index=index, columns=y.columns)


def bands(forecast):
    if isinstance(forecast, pd.Series):
        return pd.DataFrame({"lower": forecast - 1, "upper": forecast + 1})
    cols = pd.MultiIndex.from_product([forecast.columns, ["lower", "upper"]])
    data = np.stack([forecast.to_numpy() - 1, forecast.to_numpy() + 1], axis=2)
    return pd.DataFrame(data.reshape(len(forecast), -1), index=forecast.index, columns=cols)


def test_series_history_and_forecast_lines():
    y = monthly(48)
    fc = future(y, 6)
    fig = plot_forecast(y, fc, title="sales")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    history, forecast = ax.get_lines()
    assert len(history.get_xdata()) == 48 and len(forecast.get_ydata()) == 6
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert ax.get_title() == "sales"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sales", "forecast"]


def test_series_interval_band_and_given_axes():
    y = monthly(30)
    fc = future(y, 4)
    fig, ax = plt.subplots()
    assert plot_forecast(y, fc, intervals=bands(fc), ax=ax) is fig
    assert len(ax.get_lines()) == 2
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert band.get_label() == "interval"  # a frame that does not say its coverage


def test_a_single_band_is_labelled_with_its_coverage():
    # predict_interval(0.9) has columns lower/upper only: the legend said "interval"
    y = load_airline()
    model = tsgate.GRUForecaster(horizon=3, **FAST).fit(y)
    iv = model.predict_interval(0.9)
    assert iv.attrs["coverage"] == 0.9
    assert "coverage" not in model.predict_interval([0.8, 0.9]).attrs  # its columns say it
    fig, ax = plt.subplots()
    plot_forecast(y, model.predict(), intervals=iv, ax=ax)
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert band.get_label() == "90% interval"
    long = y.rename("y").rename_axis("ds").reset_index().assign(unique_id="a")
    per = PerSeriesForecaster(tsgate.GRUForecaster(horizon=3, **FAST)).fit(long)
    iv = per.predict_interval(0.8)
    assert iv.attrs["coverage"] == 0.8
    fig = plot_forecast(long, per.predict(), intervals=iv)
    (band,) = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert band.get_label() == "80% interval"
    plt.close("all")


def test_a_list_of_coverages_draws_nested_bands():
    # predict_interval([0.8, 0.95]): one band each, the widest drawn first
    y = monthly(30)
    fc = future(y, 4)
    both = pd.DataFrame({"lower_80": fc - 1, "upper_80": fc + 1, "lower_95": fc - 2,
                         "upper_95": fc + 2})
    fig = plot_forecast(y, fc, intervals=both)
    drawn = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert [c.get_label() for c in drawn] == ["95% interval", "80% interval"]
    # the long layout of a collection: the pairs of every series
    model = tsgate.GRUForecaster(horizon=2, max_iter=1, early_stopping=False, random_state=0)
    long = tsgate.datasets.load_iowa_electricity().iloc[:, :2].stack().rename("y").reset_index()
    long.columns = ["ds", "unique_id", "y"]
    model.fit(long)
    fig = plot_forecast(long, model.predict(), intervals=model.predict_interval([0.5, 0.9]))
    assert all([c.get_label() for c in ax.collections] == ["90% interval", "50% interval"]
               for ax in fig.axes)


def test_history_keeps_the_last_observations():
    y = monthly(100)
    fig = plot_forecast(y, future(y, 3), history=20)
    assert len(fig.axes[0].get_lines()[0].get_xdata()) == 20


def test_dataframe_one_panel_per_column():
    y = monthly(24, ["a", "b", "c"])
    fc = future(y, 5)
    fig = plot_forecast(y, fc, intervals=bands(fc), title="three")
    assert len(fig.axes) == 3
    for ax, column in zip(fig.axes, "abc"):
        assert len(ax.get_lines()) == 2
        assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 1
        assert ax.get_title(loc="left") == column
    assert fig._suptitle.get_text() == "three"


def test_dataframe_panels_are_capped():
    y = monthly(24, [f"s{i}" for i in range(MAX_PANELS + 3)])
    fig = plot_forecast(y, future(y, 2))
    assert len(fig.axes) == MAX_PANELS
    assert f"first {MAX_PANELS} of {MAX_PANELS + 3}" in fig._suptitle.get_text()


def test_period_and_range_indexes():
    y = pd.Series(np.arange(12.0), index=pd.period_range("2001Q1", periods=12, freq="Q"))
    fc = pd.Series([1.0, 2.0], index=pd.period_range("2004Q1", periods=2, freq="Q"))
    assert len(plot_forecast(y, fc).axes) == 1
    y = pd.Series(np.arange(10.0))
    fc = pd.Series([1.0, 2.0], index=pd.RangeIndex(10, 12))
    assert len(plot_forecast(y, fc).axes[0].get_lines()) == 2


def test_with_a_fitted_forecaster():
    y = tsgate.datasets.load_iowa_electricity()  # 3 series, yearly
    model = tsgate.GRUForecaster(horizon=3, max_iter=1, early_stopping=False,
                                 random_state=0).fit(y)
    fc = model.predict()
    fig = plot_forecast(y, fc, intervals=model.predict_interval(coverage=0.8))
    assert len(fig.axes) == 3
    assert all(len(ax.get_lines()) == 2 for ax in fig.axes)


def test_wrong_inputs():
    y = monthly(12)
    with pytest.raises(TypeError, match="Series or DataFrame"):
        plot_forecast(y.to_numpy(), future(y, 2))
    with pytest.raises(TypeError, match="forecast must be"):
        plot_forecast(y, future(y, 2).to_frame())
    with pytest.raises(ValueError, match="lower"):
        plot_forecast(y, future(y, 2), intervals=pd.DataFrame({"lo": [0, 1]}))
    frame = monthly(12, ["a", "b"])
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="Axes"):
        plot_forecast(frame, future(frame, 2), ax=ax)


def test_missing_matplotlib_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    y = monthly(12)
    with pytest.raises(ImportError) as info:
        plot_forecast(y, future(y, 2))
    assert str(info.value) == "plot_forecast needs matplotlib: pip install 'tsgate[plot]'"


def test_import_tsgate_does_not_import_matplotlib():
    import subprocess

    code = "import sys, tsgate; assert 'matplotlib' not in sys.modules; tsgate.plot_forecast"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_long_and_multiindex_layouts_draw_one_panel_per_series():
    y = tsgate.datasets.load_airline().iloc[:60]
    wide = pd.DataFrame({"a": y.to_numpy(), "b": 2.0 * y.to_numpy()}, index=y.index)
    long = wide.rename_axis(index="ds", columns="unique_id").stack().rename("y").reset_index()
    for data in (long, long.set_index(["unique_id", "ds"])["y"]):
        model = tsgate.GRUForecaster(horizon=3, n_models=1, max_iter=2, random_state=0).fit(data)
        fig = tsgate.plot_forecast(data, model.predict(), intervals=model.predict_interval(0.8))
        assert [ax.get_title(loc="left") for ax in fig.axes] == ["a", "b"]
        band = fig.axes[1].collections[0].get_paths()[0].vertices[:, 1]  # the fill of series b
        iv = model.predict_interval(0.8)
        b = iv[iv["unique_id"] == "b"] if isinstance(iv, pd.DataFrame) and "unique_id" in iv else iv.loc["b"]
        assert band.min() == pytest.approx(b["lower"].min()) and band.max() == pytest.approx(b["upper"].max())
        plt.close(fig)


def test_tuple_ids_draw_their_own_bands():
    """Ids such as ("s", 1) were read as two column levels' labels: "intervals
    has no columns for series ('s', 1)"."""
    ids = np.empty(2, dtype=object)
    ids[:] = [("s", 1), ("s", 2)]
    times = pd.date_range("2020-01-01", periods=12, freq="MS")
    y = pd.DataFrame({"unique_id": np.repeat(ids, 10), "ds": list(times[:10]) * 2,
                      "y": np.r_[np.arange(10.0), 50 + np.arange(10.0)]})
    fc = pd.DataFrame({"unique_id": np.repeat(ids, 2), "ds": list(times[10:]) * 2,
                       "y": [10.0, 11.0, 60.0, 61.0]})
    iv = fc.assign(lower=fc["y"] - [1, 2, 3, 4], upper=fc["y"] + 1).drop(columns="y")
    fig = plot_forecast(y, fc, intervals=iv)
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["('s', 1)", "('s', 2)"]
    band = fig.axes[1].collections[0].get_paths()[0].vertices[:, 1]  # the fill of ("s", 2)
    assert band.min() == pytest.approx(57.0) and band.max() == pytest.approx(62.0)


def test_series_on_different_dates_each_draw_on_their_own():
    """A collection of month starts beside month ends: on the union of their
    dates each series was NaN at every other row and no line was drawn
    (session 32)."""
    rng = np.random.default_rng(0)
    starts = pd.Series(10 + rng.normal(size=30).cumsum(),
                       index=pd.date_range("2020-01-01", periods=30, freq="MS"))
    ends = pd.Series(20 + rng.normal(size=30).cumsum(),
                     index=pd.date_range("2020-01-31", periods=30, freq="ME"))
    y = pd.concat({"starts": starts, "ends": ends})
    forecast = pd.concat({"starts": pd.Series(1.0, index=pd.date_range("2022-07-01", periods=3,
                                                                        freq="MS")),
                          "ends": pd.Series(2.0, index=pd.date_range("2022-07-31", periods=3,
                                                                      freq="ME"))})
    bands = pd.DataFrame({"lower": forecast - 1, "upper": forecast + 1})
    fig = plot_forecast(y, forecast, intervals=bands)
    for panel in fig.axes:
        history, future = panel.get_lines()[:2]
        assert np.isfinite(history.get_ydata().astype(float)).all() and len(history.get_ydata()) == 30
        assert np.isfinite(future.get_ydata().astype(float)).all() and len(future.get_ydata()) == 3
    plt.close(fig)


def test_default_window_keeps_the_forecast_readable_and_bands_are_opaque(caplog):
    """A 10,000-point history left the forecast 0.1% of the width; bands drawn
    with alpha came out one solid colour in PostScript (forecast hidden)."""
    y = monthly(1000)
    fc = future(y, 6)
    fig = plot_forecast(y, fc, intervals=bands(fc))
    assert len(fig.axes[0].get_lines()[0].get_xdata()) == 200  # max(200, 8 x 6)
    assert len(plot_forecast(y, fc, history=1000).axes[0].get_lines()[0].get_xdata()) == 1000
    (band,) = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert band.get_alpha() is None and band.get_facecolor()[0][3] == 1.0
    assert fig.axes[0].get_lines()[1].get_zorder() > band.get_zorder()  # the line on top
    import io

    fig.savefig(io.BytesIO(), format="eps")
    assert "transparency" not in caplog.text  # matplotlib's PostScript backend logs it


def test_forecasts_and_bands_that_do_not_fit_y_are_refused():
    """An integer-indexed forecast beside dates was drawn at 1970; bands of
    other dates at the forecast's; a long frame without id_col and
    predict_quantiles' columns got pandas' or misleading messages."""
    y = monthly(30)
    fc = future(y, 4)
    with pytest.raises(ValueError, match="forecast's index .* is not y's kind"):
        plot_forecast(y, fc.reset_index(drop=True))
    later = bands(fc).set_axis(fc.index + pd.DateOffset(years=1))
    with pytest.raises(ValueError, match="intervals' rows are on other times"):
        plot_forecast(y, fc, intervals=later)
    quantiles = pd.DataFrame({"q_0.1": fc - 1, "q_0.9": fc + 1})
    with pytest.raises(ValueError, match="predict_quantiles' q_ columns are not bands"):
        plot_forecast(y, fc, intervals=quantiles)
    long = pd.DataFrame({"store": "a", "month": y.index, "sales": y.to_numpy()})
    with pytest.raises(ValueError, match="need naming with id_col=, time_col=, value_col="):
        plot_forecast(long, fc)


def test_a_one_step_forecast_is_drawn_with_a_marker_and_its_bands_as_bars():
    """A forecast of one step was a line of one point and its band one of no
    width: the panel showed the history and the legend only."""
    y = monthly(40)
    fc = future(y, 1)
    band = pd.DataFrame({"lower_95": fc - 3, "upper_95": fc + 3, "lower_80": fc - 1,
                         "upper_80": fc + 1})
    ax = plot_forecast(y, fc, intervals=band).axes[0]
    line = ax.get_lines()[1]
    assert line.get_marker() == "o" and len(line.get_xdata()) == 1
    bars = [c.get_segments()[0][:, 1] for c in ax.collections]  # widest first
    assert [tuple(b) for b in bars] == [(fc.iloc[0] - 3, fc.iloc[0] + 3),
                                        (fc.iloc[0] - 1, fc.iloc[0] + 1)]


def test_history_is_each_series_own_last_observations():
    """history= cut the last rows of the union of a collection's dates: a
    series that ended two years before the others drew none of its past."""
    index = pd.date_range("2000-01-01", periods=120, freq="MS")
    y = pd.concat({"a": pd.Series(np.arange(120.0), index=index),
                   "b": pd.Series(np.arange(96.0), index=index[:96])})
    fc = pd.concat({"a": pd.Series([1.0, 2.0], index=pd.date_range("2010-01-01", periods=2,
                                                                    freq="MS")),
                    "b": pd.Series([1.0, 2.0], index=pd.date_range("2008-01-01", periods=2,
                                                                    freq="MS"))})
    fig = plot_forecast(y, fc, history=10)
    drawn = [ax.get_lines()[0].get_ydata().astype(float) for ax in fig.axes]
    assert [list(d[np.isfinite(d)]) for d in drawn] == [list(np.arange(110.0, 120.0)),
                                                        list(np.arange(86.0, 96.0))]


# ---------------------------------------------------------------- sweep, session 52
def _days(n, start="2020-01-01", tz=None, name="sales"):
    return pd.Series(np.arange(float(n)), index=pd.date_range(start, periods=n, freq="D", tz=tz),
                     name=name)


def test_one_series_band_is_not_drawn_on_every_panel():
    """A wide y of two series (10 and 1000) with plain lower/upper columns:
    series a's band was drawn on b's panel at 9..11."""
    index = pd.date_range("2020-01-01", periods=10, freq="D")
    y = pd.DataFrame({"a": np.full(10, 10.0), "b": np.full(10, 1000.0)}, index=index)
    future = pd.date_range("2020-01-11", periods=3, freq="D")
    forecast = pd.DataFrame({"a": np.full(3, 10.0), "b": np.full(3, 1000.0)}, index=future)
    band = pd.DataFrame({"lower": np.full(3, 9.0), "upper": np.full(3, 11.0)}, index=future)
    with pytest.raises(ValueError, match="one series' bounds, but y has 2 series"):
        plot_forecast(y, forecast, band)


def test_a_callers_figure_keeps_its_layout():
    """Panels drawn on the caller's Axes switched its figure to a tight layout
    (with a warning) and overwrote its subplots_adjust."""
    index = pd.date_range("2020-01-01", periods=10, freq="D")
    y = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0)}, index=index)
    forecast = pd.DataFrame({"a": [10.0], "b": [10.0]}, index=pd.date_range("2020-01-11",
                                                                             periods=1))
    fig, axes = plt.subplots(2, 1)
    fig.subplots_adjust(left=0.3)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_forecast(y, forecast, ax=axes)
    assert fig.subplotpars.left == pytest.approx(0.3)


def test_a_forecast_of_another_zone_name_or_order_is_refused_or_sorted():
    y = _days(30, tz="Asia/Tokyo")
    naive = pd.Series([30.0, 31.0], index=pd.date_range("2020-01-31", periods=2, freq="D"),
                      name="sales")
    with pytest.raises(ValueError, match="Asia/Tokyo but the forecast's in none"):
        plot_forecast(y, naive)
    other = _days(30).rename("temperature")
    with pytest.raises(ValueError, match="forecast is of series 'sales', y is 'temperature'"):
        plot_forecast(other, naive)
    shuffled = _days(60).iloc[::-1]  # newest first: its last rows were its first days
    fig = plot_forecast(shuffled, naive.set_axis(pd.date_range("2020-03-01", periods=2)),
                        history=10)
    drawn = fig.axes[0].lines[0].get_xdata()
    assert pd.Timestamp(drawn[0]) == pd.Timestamp("2020-02-20")


def test_history_keeps_its_legend_entry_and_bands_of_nan_warn_nothing():
    import warnings

    y = _days(20, name="_total")
    forecast = pd.Series([20.0, 21.0], index=pd.date_range("2020-01-21", periods=2),
                         name="_total")
    band = pd.DataFrame({"lower": [np.nan, np.nan], "upper": [np.nan, np.nan]},
                        index=forecast.index)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot_forecast(y, forecast, band)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[:2] == ["history: _total", "forecast"]


def test_date_labels_do_not_overlap():
    """30 days and 6 steps: every pair of neighbouring full-date labels overlapped."""
    fig = plot_forecast(_days(30), pd.Series(np.arange(6.0), name="sales",
                                             index=pd.date_range("2020-01-31", periods=6)))
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert boxes and all(a.x1 <= b.x0 for a, b in itertools.pairwise(boxes))


def test_a_wide_plot_says_what_ax_must_be():
    y = pd.DataFrame({"a": np.arange(10.0)}, index=pd.date_range("2020-01-01", periods=10))
    forecast = pd.DataFrame({"a": [10.0]}, index=pd.date_range("2020-01-11", periods=1))
    with pytest.raises(TypeError, match="ax must be a sequence of matplotlib Axes"):
        plot_forecast(y, forecast, ax="axes")


def test_a_nan_name_and_a_callers_date_labels_are_kept():
    """A Series named NaN beside its own forecast was refused (NaN != NaN);
    the caller's date locator and formatter were replaced."""
    import matplotlib.dates as mdates

    y = _days(20, name=np.nan)
    forecast = pd.Series([20.0, 21.0], index=pd.date_range("2020-01-21", periods=2), name=np.nan)
    plot_forecast(y, forecast)
    _, ax = plt.subplots()
    ax.xaxis.set_major_locator(mdates.WeekdayLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m"))
    plot_forecast(y, forecast, ax=ax)
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.DateFormatter)
    assert isinstance(ax.xaxis.get_major_locator(), mdates.WeekdayLocator)
