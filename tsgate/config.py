"""Tunables of the kernels and the engine, in one place tests can patch.

TILE_ROWS: the most batch rows one tile (one Numba thread, one CUDA block)
carries through all time steps. Small enough that a tile's per-step working
set stays in cache, large enough for efficient matrix products; tests set it
to 2-3 so that tiny batches still span several tiles.
PREDICT_CHUNK: rows per forward pass at prediction time, to bound memory.
CUDA_THREADS: threads per block of the elementwise CUDA kernels.
"""
TILE_ROWS = 32
PREDICT_CHUNK = 256
CUDA_THREADS = 128
