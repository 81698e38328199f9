"""Tunables of the kernels and the engine, in one place tests can patch.

TILE_ROWS: the most batch rows one CPU tile carries through all time steps.
Measured (benchmarks/bench_cpu.py shapes, 2 cores): 1 row per tile was the
fastest of 1/4/8/16/32 on W1, W2 and W3 -- each step is then a BLAS
matrix-vector product with no packing of W_h, and a tile's states stay in L1
-- and it makes each prediction independent of the other rows of the batch.
Tests set it to 2-3 so that tiny batches still exercise multi-row tiles.
GRAD_GROUPS: the most per-group parameter-gradient partials a CPU backward
pass writes (memory NG x P, deterministic order; see kernels/cpu/_common.py).
CUDA_TILE_ROWS: batch rows per CUDA block (one tile per block).
PARALLEL_MIN_WORK: multiply-adds per batch (rows x steps x 4H x H, roughly)
below which the CPU kernels run on ONE Numba thread. Measured on the 2-core
machine: small fits (the forecasters' defaults, W3) gained nothing from a
second thread when the machine was idle and ran up to 70x slower when another
process kept a core busy (every parallel region then waits for a descheduled
thread); from W1's size (about 5e7) up, two threads pay on an idle machine.
Results do not depend on the thread count either way.
PREDICT_CHUNK: rows per forward pass at prediction time, to bound memory.
CUDA_THREADS: threads per block of the elementwise CUDA kernels.
"""
TILE_ROWS = 1
GRAD_GROUPS = 16
CUDA_TILE_ROWS = 32
PREDICT_CHUNK = 256
PARALLEL_MIN_WORK = 20_000_000
CUDA_THREADS = 128
