"""Per-series throughput (series fitted per second): one process vs a local Dask cluster.

Fits one GRUForecaster per series with tsgate.distributed.PerSeriesForecaster
in these set-ups, each after a warm-up (the Numba cache is loaded and the
processes are started before the clock runs; the cold start is printed apart):

- loop, 1 thread: a plain loop in this process, numba.set_num_threads(1);
- 1 process: PerSeriesForecaster(n_jobs=1), Numba threads capped at all cores;
- loky x W: PerSeriesForecaster(n_jobs=W) on joblib's local process pool;
- dask W x 1: PerSeriesForecaster(n_jobs=-1) under joblib.parallel_backend("dask")
  on LocalCluster(n_workers=W, threads_per_worker=1) (loopback only).

Usage: python benchmarks/bench_dask.py [--series 64] [--obs 120] [--hidden 16] [--workers 2]
                                       [--repeats 3]
Needs the dask extra: pip install -e ".[dask]".
"""
import argparse
import os
import statistics
import time

import joblib
import numba
import numpy as np
import pandas as pd
from sklearn.base import clone

import tsgate
from tsgate.distributed import PerSeriesForecaster, available_cores, numba_threads_per_worker

PARAMS = dict(horizon=7, window=14, hidden_size=16, max_iter=20, batch_size=32, random_state=0)


def make_wide(n_series, n_obs, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n_obs)
    season = np.sin(2 * np.pi * t / 7)[:, None] * rng.uniform(0.5, 2, size=n_series)
    values = 50 + np.cumsum(rng.normal(size=(n_obs, n_series)), axis=0) + season
    index = pd.date_range("2022-01-01", periods=n_obs, freq="D")
    return pd.DataFrame(values, index=index, columns=[f"s{i:04d}" for i in range(n_series)])


def timed(run, repeats):
    """Median seconds of ``repeats`` runs and the last result."""
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=64)
    parser.add_argument("--obs", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hidden", type=int, default=PARAMS["hidden_size"])
    args = parser.parse_args()
    wide = make_wide(args.series, args.obs)
    template = tsgate.GRUForecaster(**{**PARAMS, "hidden_size": args.hidden})
    W = args.workers
    print(f"{args.series} series x {args.obs} points, {template}; "
          f"cores={available_cores()}, load average {os.getloadavg()[0]:.1f}")
    results, notes, reference = {}, [], None

    def record(name, run):
        nonlocal reference
        seconds, model = timed(run, args.repeats)
        pred = model.predict().to_numpy()
        if reference is None:
            reference = pred
        same = np.array_equal(pred, reference)
        results[name] = seconds
        print(f"| {name:<16} | {args.series / seconds:8.1f} | {seconds:7.2f} | {same} |", flush=True)

    print("| set-up           | series/s | seconds | same forecasts |")
    print("|---|---:|---:|---|")
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    clone(template).fit(wide.iloc[:, 0])  # warm-up: compile or load the kernels

    class Loop:
        def fit(self, y):
            self.models = {c: clone(template).fit(y[c]) for c in y}
            return self

        def predict(self):
            return pd.DataFrame({c: m.predict() for c, m in self.models.items()})

    record("loop, 1 thread", lambda: Loop().fit(wide))
    numba.set_num_threads(before)
    record("1 process", lambda: PerSeriesForecaster(template, n_jobs=1).fit(wide))
    start = time.perf_counter()
    PerSeriesForecaster(template, n_jobs=W).fit(wide.iloc[:, :W])
    notes.append(f"loky cold start ({W} processes, first fits): {time.perf_counter() - start:.1f} s")
    record(f"loky x {W}", lambda: PerSeriesForecaster(template, n_jobs=W).fit(wide))

    from dask.distributed import Client, LocalCluster

    start = time.perf_counter()
    env = {"NUMBA_NUM_THREADS": str(numba_threads_per_worker(W))}
    with LocalCluster(n_workers=W, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, env=env) as cluster, Client(cluster):
        with joblib.parallel_backend("dask"):
            PerSeriesForecaster(template, n_jobs=-1).fit(wide.iloc[:, :2 * W])
            notes.append(f"dask cold start (cluster of {W} workers, first fits): "
                         f"{time.perf_counter() - start:.1f} s")
            record(f"dask {W} x 1", lambda: PerSeriesForecaster(template, n_jobs=-1).fit(wide))
    base = results["1 process"]
    print("\n".join(notes))
    print("speed-up over 1 process: " + ", ".join(f"{k} {base / v:.2f}x" for k, v in results.items()))


if __name__ == "__main__":
    main()
