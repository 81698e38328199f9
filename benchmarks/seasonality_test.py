"""How often the smoothing stage's seasonality test passes, on simulated series.

``tsgate.seasonality.is_seasonal`` (the Theta method's 90% lag-m test on the
one-step changes, else on the values less their centered moving average
with the phases' F-test, else from two seasons on the phases' F-test on the
values less their straight line, session 38) against the test on the changes
alone, which the stage used until session 35. Series without a season (white noise, a random
walk, a linear trend, an AR(1) of 0.9) should pass rarely; seasonal ones (a
sine of amplitude 1 or 2 in noise of 1, and one on a random walk) often.
500 draws per cell, one seed; prints a Markdown table. Then the bundled
weekly CO2: how many of its five-year windows (every 28 weeks) pass at the
year (52 weeks), on the logs.

    python benchmarks/seasonality_test.py
"""
import numpy as np

from tsgate.datasets import load_co2
from tsgate.seasonality import _lag_test, is_seasonal

KINDS = ("white", "random walk", "trend", "AR(1) 0.9", "sine 1", "sine 2", "sine 2 + walk",
         "sine 4")


def draw(kind, n, m, rng):
    e, t = rng.normal(size=n), np.arange(n)
    if kind == "white":
        return e
    if kind == "random walk":
        return np.cumsum(e)
    if kind == "trend":
        return 0.3 * t + e
    if kind == "AR(1) 0.9":
        x = np.zeros(n)
        for i in range(1, n):
            x[i] = 0.9 * x[i - 1] + e[i]
        return x
    amplitude = {"sine 1": 1.0, "sine 4": 4.0}.get(kind, 2.0)
    base = np.cumsum(e) if kind.endswith("walk") else e
    return amplitude * np.sin(2 * np.pi * t / m) + base


def main():
    print("| m | n | series | changes alone | is_seasonal |")
    print("|---|---|---|---|---|")
    for m, n in ((12, 72), (12, 48), (12, 36), (12, 30), (12, 24), (4, 40), (4, 20), (4, 12),
                 (4, 8)):
        for kind in KINDS:
            rng = np.random.default_rng(1)
            draws = [draw(kind, n, m, rng) for _ in range(500)]
            alone = np.mean([_lag_test(np.diff(z), m) for z in draws])
            test = np.mean([is_seasonal(z, m) for z in draws])
            print(f"| {m} | {n} | {kind} | {alone:.3f} | {test:.3f} |")
    co2 = np.log(load_co2().to_numpy(dtype=float))
    windows = [co2[s:s + 260] for s in range(0, len(co2) - 259, 28)]
    alone = sum(_lag_test(np.diff(z), 52) for z in windows)
    test = sum(is_seasonal(z, 52) for z in windows)
    print(f"\nCO2, {len(windows)} five-year windows seasonal at 52 weeks: changes alone "
          f"{alone}, is_seasonal {test}")


if __name__ == "__main__":
    import argparse

    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()  # --help
    main()
