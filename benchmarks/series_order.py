"""How much the order of a collection's training windows alone moves the scores.

A global model stacks the windows of its series in one order and draws its
batches from it with its seed: another order is another draw, like another
seed. Since session 34 that order is fixed by the series' values
(``tsgate.encoding.content_order``), so the same series in any order give
the same forecast. This script runs ``collections.py`` with the windows
stacked in another order instead: ``--order K`` a random permutation of the
series (seed K), ``--order given`` the order the series come in (before
session 34), ``--order content`` the default. The spread over a few orders
is the noise a single order carries.

Usage (the rest of the arguments go to collections.py)::

    python benchmarks/series_order.py --order 1 --methods ets,gru-global \\
        --collections m1 --frequencies quarterly,monthly --seeds 0, \\
        --cache benchmarks/.cache --out benchmarks/.results/order1
"""
import argparse
import runpy
import sys
from pathlib import Path

import numpy as np

import tsgate.encoding as encoding

HERE = Path(__file__).resolve().parent


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], add_help=False)
    p.add_argument("--order", default="content",
                   help="content (the default order), given, or an integer seed")
    args, rest = p.parse_known_args(argv)
    if "-h" in rest or "--help" in rest:  # this script's option, then collections.py's
        print("series_order.py [--order content|given|SEED] [collections.py's options]\n\n"
              f"  --order  {p._actions[0].help}\n\ncollections.py's options:")
    default = encoding.content_order
    if args.order == "given":
        encoding.content_order = lambda zs, exogs=None: list(range(len(zs)))
    elif args.order != "content":
        seed = int(args.order)
        encoding.content_order = lambda zs, exogs=None: list(
            np.random.default_rng(seed).permutation(len(zs)))
    try:
        sys.argv = [str(HERE / "collections.py"), *rest]
        sys.path.insert(0, str(HERE))
        runpy.run_path(str(HERE / "collections.py"), run_name="__main__")
    finally:
        encoding.content_order = default


if __name__ == "__main__":
    main()
