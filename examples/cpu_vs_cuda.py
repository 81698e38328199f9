"""Time the same small fit on the CPU and, when one is usable, on a CUDA GPU.

    python examples/cpu_vs_cuda.py [--out DIR]

The CUDA kernels need the extra ``pip install 'tsgate[cuda]'`` and an NVIDIA
GPU; without them the script says why CUDA is skipped. The first fit on each
device includes loading (or compiling) the Numba kernels, so it is timed
apart from the second. For small series like this one the CPU is usually the
faster device: a GPU pays off with many windows and larger hidden sizes.

The timings are written to timings.csv under --out (default: a new temporary
folder). TSGATE_EXAMPLE_BUDGET=small trains for a few epochs only (used by the tests).
"""
import argparse
import os
import tempfile
import time

import numpy as np
import pandas as pd

import tsgate
from tsgate.backend import cuda_unavailable_reason
from tsgate.datasets import load_elnino

SMALL = os.environ.get("TSGATE_EXAMPLE_BUDGET") == "small"
EPOCHS = 1 if SMALL else 20


def timed_fit(y, device):
    """Seconds of a first and a second fit (same seed), and the second model's forecast."""
    times = []
    for _ in range(2):
        model = tsgate.LSTMForecaster(horizon=12, window=36, hidden_size=32, max_iter=EPOCHS,
                                      early_stopping=False, device=device, random_state=0)
        started = time.perf_counter()
        model.fit(y)
        times.append(time.perf_counter() - started)
    return times, model.predict().to_numpy()


def output_folder():
    """--out, else $TSGATE_EXAMPLE_OUT, else a new temporary folder: the only place written to."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("TSGATE_EXAMPLE_OUT"),
                        help="folder for the output files (default: a temporary folder)")
    out = parser.parse_args().out or tempfile.mkdtemp(prefix="tsgate-example-")
    os.makedirs(out, exist_ok=True)
    return out


def main():
    out = output_folder()
    y = load_elnino()  # 732 months: 685 training windows of 36 steps
    print(f"LSTMForecaster(hidden_size=32, window=36), {EPOCHS} epochs on {len(y)} months")

    timings = {"cpu": timed_fit(y, "cpu")}
    reason = cuda_unavailable_reason()
    if reason is None and os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        reason = ("NUMBA_ENABLE_CUDASIM=1: the CUDA simulator runs the kernels in Python, "
                  "far too slowly to time")
    if reason is None:
        timings["cuda"] = timed_fit(y, "cuda")

    for device, ((first, second), _) in timings.items():
        print(f"{device:<4}: first fit {first:6.2f} s (kernels loaded or compiled), "
              f"second {second:6.2f} s")
    if reason is not None:
        print(f"cuda: skipped -- {reason}")
    else:
        (_, cpu_second), cpu_forecast = timings["cpu"]
        (_, gpu_second), gpu_forecast = timings["cuda"]
        print(f"second fit, cpu time / cuda time: {cpu_second / gpu_second:.2f}; largest forecast "
              f"difference {np.max(np.abs(cpu_forecast - gpu_forecast)):.3g} deg C (float32 sums "
              "run in a different order on each device)")
    table = pd.DataFrame([{"device": d, "first_fit_s": t[0], "second_fit_s": t[1], "epochs": EPOCHS}
                          for d, (t, _) in timings.items()])
    table.to_csv(os.path.join(out, "timings.csv"), index=False)

if __name__ == "__main__":
    main()
