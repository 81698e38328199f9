"""Tunables of the kernels and the engine, in one place tests can patch.

TILE_ROWS: the most batch rows one CPU tile carries through all time steps
in training. Each step is then one product (BT, H) x (H, G*H)
(``kernels/cpu/matmul.py``); more rows per tile share each load of the
weights. Measured end to end when the products were OpenBLAS's
(benchmarks/bench_cpu.py, 2 cores, LSTM epoch s, tiles of 1/16/32/64 rows;
not re-measured since): W1 0.45/0.42/0.33/0.57 (64
leaves a batch of 64 one tile: one thread), W3 0.088/0.049/0.042/0.044,
W2 -/-/5.9/5.5.
Tests set it to 3 so that tiny batches still exercise multi-row tiles.
TILE_SPLIT_ROWS: a training batch of at least twice this many rows is cut
into at least two tiles, so that two threads can share it: W1's batch of 64
runs as 2 x 32 rows (0.33 s) rather than 1 x 64 (0.57 s), while W2's 128 runs
as 2 x 64 (LSTM 5.5 s, vs 5.9 s as 4 x 32). It depends on the batch alone,
never on the thread count, so results stay thread-count independent.
PREDICT_TILE_ROWS: the same at prediction time. One row per tile makes each
prediction independent of the other rows of the batch, which scikit-learn's
invariance checks require (the products in ``matmul.py`` are row-independent
too, but tiles of several rows were not measured faster for prediction); a
single window is one row anyway.
GRAD_GROUPS: the most per-group parameter-gradient partials a CPU backward
pass writes (memory NG x P, deterministic order; see kernels/cpu/_common.py).
CUDA_TILE_ROWS: the most batch rows per CUDA block (one tile per block). The
CUDA tiles take ``clamp(ceil(batch / multiprocessors), 1, CUDA_TILE_ROWS)``
rows, so that a batch first spreads over the GPU's multiprocessors
(``kernels/cuda/_config.py: tile_rows``).
CUDA_SIM_MULTIPROCESSORS: the multiprocessor count assumed under Numba's CUDA
simulator, which has none: 1, so that simulated tiles are CUDA_TILE_ROWS
high, as the CPU's are in the tests.
PARALLEL_MIN_WORK: multiply-adds per batch (rows x steps x 4H x H, roughly)
below which a pass runs on the serial builds of the CPU kernels
(``kernels/cpu/serial.py``), as does any pass of one tile (a single window).
Measured on the 2-core machine: small fits (the forecasters' defaults, W3)
gained nothing from a second thread when the machine was idle and ran up to
70x slower when another process kept a core busy (every parallel region then
waits for a descheduled thread); from W1's size (about 5e7) up, two threads
pay on an idle machine. Even on one thread a parallel region costs about
1 us to enter, a tenth of a small single-window prediction. Results are the
same bits either way.
PREDICT_CHUNK: rows per forward pass at prediction time, to bound memory.
PLANS_KEPT: pass plans (tile shape, kernels, workspace; ``engine/plan.py``) a
network keeps of each kind, training and prediction. Two serve a fit (full
batches and the last) and a chunked prediction (full chunks and the rest);
predicting many batch sizes then holds at most two prediction workspaces
(tested: memory stays flat over 400 sizes).
CUDA_THREADS: threads per block of the elementwise CUDA kernels.
CUDA_PREDICT_CHUNK: PREDICT_CHUNK on the GPU. A chunk of 256 rows is a few
blocks there; larger chunks fill the multiprocessors (memory per row is small:
the recurrent states of one window). Not yet measured on a GPU.
AUTO_CUDA_MIN_WORK: ``device="auto"`` trains on the GPU only when one epoch's
forward pass is at least this many multiply-adds (``engine/plan.py: work``
over all training windows: windows x steps x gates*H x (H + inputs) x layers
x directions); smaller fits run on the CPU, where they start at once and a
step costs no kernel launches. 1e9 is a first guess (the forecasters'
defaults on a few thousand windows stay below, W1 on 8192 windows, 6.5e9, is
above) until measured on a GPU (``benchmarks/gpu_check.py``).
MASK_BLOCK: the most dropout-mask floats a fit draws (and uploads) at once;
an epoch's masks come in blocks of whole steps up to this size (one block for
all but huge epochs), so memory stays bounded (``engine/training.py``).
"""
import math
import numbers

TILE_ROWS = 64
TILE_SPLIT_ROWS = 32
PREDICT_TILE_ROWS = 1
GRAD_GROUPS = 16
CUDA_TILE_ROWS = 32
CUDA_SIM_MULTIPROCESSORS = 1
PREDICT_CHUNK = 256
PLANS_KEPT = 2
PARALLEL_MIN_WORK = 20_000_000
CUDA_THREADS = 128
CUDA_PREDICT_CHUNK = 4096
AUTO_CUDA_MIN_WORK = 1_000_000_000
MASK_BLOCK = 2**22


def setting(name, least=1):
    """The tunable ``name`` of this module, checked where it is read: an
    integer of at least ``least``. A negative ``PREDICT_CHUNK`` returned an
    unfilled array as the prediction, and 0 for a tile size divided by
    zero, without naming the setting. A whole number written as a float
    (``AUTO_CUDA_MIN_WORK = 1e9``, as this module's notes write it) is one."""
    given = value = globals()[name]
    if type(value) is int and value >= least:  # the usual case, on predict's hot path
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral) \
            and math.isfinite(value) and float(value).is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise ValueError(f"tsgate.config.{name} must be an integer of at least {least}, got "
                         f"{given!r}; its default is {_DEFAULTS[name]!r}.")  # (as set: 0.0)
    return int(value)


_DEFAULTS = {name: value for name, value in globals().items()
             if name.isupper() and isinstance(value, int)}
