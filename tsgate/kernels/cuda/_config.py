"""Tunables and launch helpers shared by the CUDA kernels.

Every tunable is read at call time, so tests can patch it small and tiny
inputs still span several blocks and several loop trips per thread:

- ``tsgate.config.CUDA_THREADS``: threads per block of the elementwise and
  reduction kernels.
- ``GEMM_TILE`` (here): side of the square tile of the matrix-product kernel,
  which runs ``GEMM_TILE**2`` threads per block.
- ``RECURRENT_THREADS`` (here): the most threads per block of the persistent
  recurrent kernels (one block per batch tile).
- ``ROWS_PER_THREAD`` (here): batch rows one recurrent thread carries, so each
  ``W_h`` element it loads is used that many times from registers.

Kernels are built per dtype (and per compile-time constant) by small cached
factories: shared and local arrays need their dtype and size at compile time,
and float32 kernels must use float32 constants, not Python floats (which
numba types as float64).
"""
import functools
import threading
import warnings
from collections import OrderedDict

import numba
import numpy as np
from numba import cuda

from ... import config
from ..._jitcache import CACHE  # noqa: F401  False where no cache location is writable

SIMULATOR = bool(numba.core.config.ENABLE_CUDASIM)  # Numba's own (backend.simulating)

GEMM_TILE = 16
RECURRENT_THREADS = 256
ROWS_PER_THREAD = 4
# Shared memory a block may use without the opt-in attribute (all CUDA GPUs).
MAX_SHARED_BYTES = 48 * 1024


LAUNCHES_KEPT = 4096  # configured launches remembered (bounded: shapes vary)
_launches = OrderedDict()
_launch_lock = threading.Lock()
# numba-cuda's wording (dispatcher._LaunchConfiguration); a regex matched at the start
# of the message, which numba's warning classes may wrap in terminal highlighting
_LOW_OCCUPANCY = r".*Grid size \d+ will likely result in GPU under-utilization"


def launch(kernel, grid, block, shared=0):
    """``kernel[grid, block, 0, shared]``, without numba-cuda's low-occupancy warning.

    numba-cuda warns (``NumbaPerformanceWarning``) when a launch
    configuration of fewer than 128 blocks is made; tsgate launches such
    grids on purpose (one block per batch tile, a one-block loss, small
    parameter vectors). The warning is emitted once, when the configuration
    object is built, so tsgate builds its configurations here, under a
    warning filter scoped to that call only, and keeps them: every later
    launch of the same kernel and shape reuses the object and warns about
    nothing. Neither numba's config nor the process's warning filters
    change, so the user's own kernels still warn. (``catch_warnings`` is
    process-wide while it is open: the lock keeps tsgate's threads from
    nesting it, and it is open only while numba builds one configuration.)

    Under the simulator, whose ``kernel[...]`` configures the kernel object
    itself and never warns, this is ``kernel[grid, block, 0, shared]``.
    """
    configure = getattr(kernel, "configure", None)
    if configure is None:  # the simulator
        return kernel[grid, block, 0, shared]
    key = (id(kernel), grid, block, shared)
    with _launch_lock:
        found = _launches.get(key)
        if found is not None and found[0] is kernel:
            _launches.move_to_end(key)
            return found[1]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_LOW_OCCUPANCY)
            configured = configure(grid, block, 0, shared)
        _launches[key] = (kernel, configured)
        while len(_launches) > LAUNCHES_KEPT:
            _launches.popitem(last=False)
    return configured


def multiprocessors():
    """Streaming multiprocessors of the current GPU; under the simulator
    ``tsgate.config.CUDA_SIM_MULTIPROCESSORS`` (1: tiles as large as
    ``CUDA_TILE_ROWS`` allows, the same tiles as the CPU's in the tests)."""
    if SIMULATOR:
        return config.setting("CUDA_SIM_MULTIPROCESSORS")
    return _device_multiprocessors()


@functools.lru_cache(maxsize=None)
def _device_multiprocessors():
    return int(cuda.get_current_device().MULTIPROCESSOR_COUNT)


def tile_rows(batch, row_bytes=0):
    """Batch rows per CUDA tile (one block per tile):
    ``clamp(ceil(batch / multiprocessors), 1, CUDA_TILE_ROWS)``, and at most
    ``MAX_SHARED_BYTES // row_bytes``: a recurrent kernel keeps the tile's
    (BT, H) state in shared memory, ``row_bytes = H * itemsize`` a row
    (``hidden_size`` 512 in float32: 24 rows, not 32).

    A block per tile of 32 rows would run W1's batch of 64 on 2 of an H100's
    132 multiprocessors; this spreads a batch over all of them first and
    only then grows the tiles (to share each ``W_h`` load among more rows).
    Deterministic given the batch and the GPU model.
    """
    per_sm = -(-int(batch) // multiprocessors())
    fits = MAX_SHARED_BYTES // int(row_bytes) if row_bytes else per_sm
    return max(1, min(config.setting("CUDA_TILE_ROWS"), per_sm, fits))


def elementwise_threads():
    """Threads per block of the elementwise kernels (``tsgate.config.CUDA_THREADS``)."""
    return config.setting("CUDA_THREADS")


def elementwise_blocks(n):
    """(blocks, threads) covering ``n`` items with one thread each."""
    threads = elementwise_threads()
    return max(1, -(-n // threads)), threads


@functools.lru_cache(maxsize=None)
def numba_type(dtype_name):
    """The numba scalar type of a NumPy dtype name (``"float32"``)."""
    return numba.from_dtype(np.dtype(dtype_name))


def dtype_name(array):
    return np.dtype(array.dtype).name


def check_device(*arrays):
    """Refuse host arrays: numba would copy them to the GPU and back on
    every launch, silently. The engine moves data once, through the Backend."""
    for a in arrays:
        if isinstance(a, np.ndarray):
            raise TypeError(
                "tsgate.kernels.cuda got a host numpy array of shape "
                f"{a.shape}; pass device arrays (Backend.to_device) so that "
                "nothing is copied between host and GPU per call.")


def check_shared(nbytes, what):
    """Raise a clear error when a kernel would need too much shared memory."""
    if nbytes > MAX_SHARED_BYTES:
        raise ValueError(
            f"{what} needs {nbytes} bytes of shared memory per block, more than "
            f"the {MAX_SHARED_BYTES} a CUDA block may use; lower hidden_size (the "
            "tiles' rows shrink to fit: one row of float32 holds hidden_size up to "
            f"{MAX_SHARED_BYTES // 4}).")


_scratch = {}
_scratch_lock = threading.Lock()
SCRATCH_SHAPES = 2  # shapes kept per (thread, name): a chunked prediction's two


def scratch(name, shape, dtype):
    """A device workspace reused between calls (per thread and name).

    For the few temporaries the contract gives no buffer for (attention's
    ``q U_a`` and score gradients). Each thread keeps the last
    ``SCRATCH_SHAPES`` shapes of each name, so device memory stays bounded
    however many batch sizes come (the engine's plans are bounded the same
    way); never copied.
    """
    shape = tuple(int(s) for s in shape)
    dtype = np.dtype(dtype)
    with _scratch_lock:
        kept = _scratch.setdefault((threading.get_ident(), name), [])
        for i, buf in enumerate(kept):
            if buf.shape == shape and buf.dtype == dtype:
                kept.append(kept.pop(i))  # last used last
                return buf
        buf = cuda.device_array(shape, dtype=dtype)
        kept.append(buf)
        del kept[:-SCRATCH_SHAPES]
    return buf
