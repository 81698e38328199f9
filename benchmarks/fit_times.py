"""Wall time of a default fit + forecast of each bundled series, warm cache.

What a user waits for once the kernels are compiled:
``GRUForecaster(horizon=h).fit(y).predict()`` (and the LSTM twin) on the
bundled series, with ``h`` as in ``accuracy.py``. Each source tree runs in
its own interpreter (``PYTHONPATH``) with its own Numba cache folder, which
an untimed one-epoch fit fills first; with several trees the series
alternate between them, so a busy spell of the shared machine falls on
both (compare ratios, not absolute times).

Usage::

    python benchmarks/fit_times.py [--trees .,/path/to/other/checkout]
        [--models gru,lstm] [--series elnino,co2,...] [--repeat 1]

Besides the bundled series, ``hourly_40k`` and ``hourly_100k`` (chosen
with ``--series``, not run by default) are simulated hourly series with a
daily and a weekly cycle, 40,000 and 100,000 hours: long single series,
whose epochs hold more batches than their fits' step budgets.
"""
import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# name -> (loader expression, horizon): the accuracy.py cases of the long series and airline
SERIES = {
    "airline": ("datasets.load_airline()", 12),
    "elnino": ("datasets.load_elnino()", 12),
    "co2": ("datasets.load_co2()", 13),
    "seattle_weather": ("datasets.load_seattle_weather()['temp_max']", 14),
    "seattle_temps": ("datasets.load_seattle_temps()", 24),
    "sunspots": ("datasets.load_sunspots()", 6),
}
# long simulated series: opt-in (--series), not in the default run
LONG = {f"hourly_{n // 1000}k": ((
    f"__import__('pandas').Series(10 + __import__('numpy').sin(__import__('numpy').arange({n}) "
    f"* 2 * 3.14159 / 24) + 2 * (__import__('numpy').arange({n}) // 24 % 7 >= 5) + "
    f"__import__('numpy').random.default_rng(0).normal(0, .3, {n}), "
    f"index=__import__('pandas').date_range('2010-01-01', periods={n}, freq='h'))"), 24)
    for n in (40_000, 100_000)}

CASE = r"""
import time, warnings
import tsgate
from tsgate import datasets
warnings.simplefilter("ignore")
cls = tsgate.{cls}
y = {load}
if hasattr(y, "columns"):
    y = y.iloc[:, 0]
cls(horizon={h}, max_iter=1, random_state=0).fit(y).predict()  # compile (untimed)
t = time.perf_counter()
cls(horizon={h}, random_state=0).fit(y).predict()
print(len(y), time.perf_counter() - t)
"""


def run(tree, cache, model, name):
    """(n, seconds) of one default fit + predict of ``name`` with ``tree``'s tsgate."""
    load, h = {**SERIES, **LONG}[name]
    code = CASE.format(cls=f"{model.upper()}Forecaster", load=load, h=h)
    env = dict(os.environ, PYTHONPATH=str(tree), NUMBA_CACHE_DIR=cache)
    # cwd: the cache folder, so that ``-c``'s current-directory entry on
    # sys.path (ahead of PYTHONPATH) holds no other tsgate
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=cache,
                         capture_output=True, text=True).stdout.split()
    return int(out[0]), float(out[1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trees", default=".", help="comma-separated source trees (default: .)")
    ap.add_argument("--models", default="gru,lstm")
    ap.add_argument("--series", default=",".join(SERIES))
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)
    trees = [Path(t).resolve() for t in args.trees.split(",")]
    names = args.series.split(",")
    unknown = set(names) - set(SERIES) - set(LONG)
    if unknown:
        ap.error(f"unknown series {sorted(unknown)}; choose from {','.join([*SERIES, *LONG])}")
    caches = [tempfile.mkdtemp(prefix="tsgate-fit-times-") for _ in trees]
    print("| model | series | n | " + " | ".join(f"{t.name or t} s" for t in trees) + " |")
    print("|---|---|---|" + "---|" * len(trees))
    for _ in range(args.repeat):
        for model in args.models.split(","):
            for name in names:
                cells = [run(tree, cache, model, name) for tree, cache in zip(trees, caches)]
                print(f"| {model.upper()} | {name} | {cells[0][0]} | "
                      + " | ".join(f"{s:.1f}" for _, s in cells) + " |", flush=True)


if __name__ == "__main__":
    main()
