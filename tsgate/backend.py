"""The backend switch: the only place that asks whether a GPU is usable.

A backend bundles a kernel module (``tsgate.kernels.cpu`` or
``tsgate.kernels.cuda``, same names and arguments) with the few array
functions the engine needs: allocate, copy to the device, copy back.
"""
import threading
from dataclasses import dataclass
from types import ModuleType
from typing import Callable

import numpy as np

from . import config

DEVICES = ("cpu", "cuda", "auto")


@dataclass(frozen=True)
class Backend:
    """Kernels plus array allocation and transfer for one device."""

    name: str
    kernels: ModuleType
    empty: Callable          # (shape, dtype) -> array on the device
    zeros: Callable          # (shape, dtype) -> zeroed array on the device
    to_device: Callable      # host ndarray -> device array (no copy on CPU)
    to_host: Callable        # device array -> host ndarray
    synchronize: Callable    # wait for queued device work
    tile_rows: Callable      # (training, batch, row_bytes) -> most batch rows per tile
    grad_groups: Callable    # (n_tiles) -> number of parameter-gradient partials
    kernels_for: Callable    # (work, n_tiles) -> the kernels to run a pass of that size with
    predict_chunk: Callable  # () -> rows per prediction pass (config.PREDICT_CHUNK / CUDA_...)


_HELD = threading.local()  # .one: this thread held to one Numba thread (hold_to_one_thread)


def hold_to_one_thread():
    """Keep this thread's passes on one Numba thread (each member of an
    ensemble trains on a Python thread of its own): ``set_num_threads(1)``
    where Numba's threading layer runs, else a flag :func:`numba_threads`
    reads, which starts no layer (see there)."""
    import numba
    from numba.np.ufunc import parallel as layer

    if getattr(layer, "_is_initialized", True):
        numba.set_num_threads(1)
    else:
        _HELD.one = True


def numba_threads():
    """This thread's Numba threads (``numba.get_num_threads()``, the caller's
    setting) without starting Numba's threading layer for the question:
    until something starts it (a parallel kernel, ``set_num_threads``), no
    count was set and it is ``NUMBA_NUM_THREADS``. Asked of the layer, the
    smallest fit started it: a ``fork`` child that ran parallel kernels
    then died ("fork() called from a process already using GNU OpenMP")
    and its Pool waited forever, and a ``NUMBA_THREADING_LAYER`` not
    installed failed fits that run no parallel kernel."""
    import numba
    from numba.np.ufunc import parallel as layer

    if getattr(_HELD, "one", False):
        return 1
    if not getattr(layer, "_is_initialized", True):  # (a Numba without the flag: ask)
        return numba.config.NUMBA_NUM_THREADS
    return numba.get_num_threads()


def _cpu_kernels(parallel, serial):
    """``kernels_for`` of the CPU: the serial twins (``kernels/cpu/serial.py``)
    for a pass of one tile, of less ``work`` (multiply-adds per batch) than
    ``config.PARALLEL_MIN_WORK``, or when the caller allows one Numba thread;
    else the parallel kernels, on the threads the caller allows
    (``numba.get_num_threads()``, which caps such as ``tsgate.distributed``
    set). Both give the same bits."""
    def kernels_for(work, n_tiles):
        if n_tiles < 2 or work < config.setting("PARALLEL_MIN_WORK", 0):
            return serial
        if numba_threads() < 2 and not WARMING[0]:  # one thread: the same bits, sooner
            return serial
        return parallel

    return kernels_for


# bytes: a cache line, and one AVX-512 register. The kernels' recurrent
# products read the weights and write the states once a step; from arrays
# off a line (NumPy's large allocations start 16 bytes past one, its small
# ones anywhere 16-byte aligned) an LSTM W1 epoch took 10-15% longer, on
# AVX-512 and on AVX2 alike (benchmarks/README.md, session 39)
ALIGNMENT = 64


def aligned_empty(shape, dtype=np.float32):
    """A host array of ``shape`` whose data start on an ``ALIGNMENT``-byte boundary."""
    dtype = np.dtype(dtype)
    shape = (shape,) if np.isscalar(shape) else tuple(shape)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if nbytes == 0:  # (NumPy does not offset an empty slice; nothing is read from it)
        return np.empty(shape, dtype=dtype)
    raw = np.empty(nbytes + ALIGNMENT, dtype=np.uint8)
    start = -raw.ctypes.data % ALIGNMENT
    return raw[start:start + nbytes].view(dtype).reshape(shape)


def aligned_copy(a):
    """A copy of the host array ``a`` (C order) on an ``ALIGNMENT``-byte boundary."""
    out = aligned_empty(np.shape(a), np.asarray(a).dtype)
    out[...] = a
    return out


def _aligned_zeros(shape, dtype=np.float32):
    out = aligned_empty(shape, dtype)
    out[...] = 0
    return out


# tsgate.warmup compiles the parallel builds even where this process has one
# thread (a build container): a later process on more cores uses them
WARMING = [False]


def _cpu_backend():
    from .kernels import cpu
    from .kernels.cpu import serial

    return Backend(
        name="cpu",
        kernels=cpu,
        empty=aligned_empty,
        zeros=_aligned_zeros,
        to_device=np.asarray,  # no copy: windows may stay strided views of one series
        to_host=lambda a: np.asarray(a),
        synchronize=lambda: None,
        tile_rows=lambda training, batch, row_bytes: config.setting(
            "TILE_ROWS" if training else "PREDICT_TILE_ROWS"),
        grad_groups=lambda n_tiles: max(1, min(n_tiles, config.setting("GRAD_GROUPS"))),
        kernels_for=_cpu_kernels(cpu, serial),
        predict_chunk=lambda: config.setting("PREDICT_CHUNK"),
    )


def simulating():
    """Whether Numba runs its CUDA simulator: its own setting, read from
    ``NUMBA_ENABLE_CUDASIM`` when Numba was imported (the variable set or
    removed after that changes nothing of Numba's, and tsgate reading it then
    disagreed with Numba: a CUDA device "usable" without a GPU)."""
    from numba.core import config as numba_config

    return bool(numba_config.ENABLE_CUDASIM)


def cuda_unavailable_reason():
    """Why ``device="cuda"`` cannot run here, or None when it can."""
    try:
        from numba import cuda
    except Exception as exc:  # pragma: no cover - depends on the install
        return (f"numba.cuda cannot be imported ({exc}); install the CUDA extra "
                "with `pip install tsgate[cuda]`")
    if simulating():
        return None  # the simulator runs the CUDA kernels on the CPU
    try:
        if not cuda.is_available():
            return ("no usable NVIDIA GPU or driver was found (numba.cuda.is_available() "
                    "is False); use device='cpu' or device='auto'")
    except Exception as exc:  # pragma: no cover
        return f"the CUDA driver could not be initialised ({exc}); use device='cpu'"
    return None


def _cuda_backend():
    reason = cuda_unavailable_reason()
    if reason is not None:
        raise RuntimeError(f"device='cuda' is not usable: {reason}.")
    from numba import cuda

    from .kernels import cuda as cuda_kernels
    from .kernels.cuda import _config as cuda_config

    def zeros(shape, dtype=np.float32):
        out = cuda.device_array(shape, dtype=dtype)
        cuda_kernels.fill(out, 0)
        return out

    return Backend(
        name="cuda",
        kernels=cuda_kernels,
        empty=lambda shape, dtype=np.float32: cuda.device_array(shape, dtype=dtype),
        zeros=zeros,
        to_device=lambda a: a if hasattr(a, "copy_to_host") else cuda.to_device(np.ascontiguousarray(a)),
        to_host=lambda a: a.copy_to_host() if hasattr(a, "copy_to_host") else np.asarray(a),
        synchronize=cuda.synchronize,
        tile_rows=lambda training, batch, row_bytes: cuda_config.tile_rows(batch, row_bytes),
        grad_groups=lambda n_tiles: n_tiles,  # one partial per tile (per block)
        kernels_for=lambda work, n_tiles: cuda_kernels,
        predict_chunk=lambda: config.setting("CUDA_PREDICT_CHUNK"),
    )


def resolve_device(device, work=None):
    """Map ``"cpu"``, ``"cuda"`` or ``"auto"`` to the device that will run.

    ``"auto"`` picks the GPU when one is usable (never the simulator) and the
    fit is big enough to gain from it: ``work``, the multiply-adds of one
    epoch's forward pass (``engine.plan.work`` over all the training
    windows), at least ``config.AUTO_CUDA_MIN_WORK``. Without ``work`` (the
    CLI's early check) the size is not known and any usable GPU is picked.

    Raises
    ------
    ValueError
        For an unknown device name.
    RuntimeError
        For ``"cuda"`` when no GPU is usable, saying why.
    """
    if not isinstance(device, str) or device not in DEVICES:  # as the estimators' check:
        raise ValueError(f"device must be one of {DEVICES}, got {device!r}.")  # "CPU" is not
    if device == "auto":
        if work is not None and work < config.setting("AUTO_CUDA_MIN_WORK", 0):
            return "cpu"
        return "cuda" if cuda_unavailable_reason() is None and _real_gpu() else "cpu"
    if device == "cuda":
        reason = cuda_unavailable_reason()
        if reason is not None:
            raise RuntimeError(f"device='cuda' is not usable: {reason}.")
    return device


def runs_on_cpu(device):
    """Whether every fit of ``device`` runs on the CPU: ``"cpu"``, or
    ``"auto"`` where no GPU is usable (it may pick one otherwise)."""
    return device == "cpu" or (device == "auto" and resolve_device("auto") == "cpu")


def _real_gpu():
    """``"auto"`` picks the GPU only when it is real, never the simulator."""
    return not simulating()


_cache = {}


def get_backend(device="cpu"):
    """Return the :class:`Backend` for ``device`` (``"cpu"``, ``"cuda"``, ``"auto"``)."""
    name = resolve_device(device)
    if name not in _cache:
        _cache[name] = _cpu_backend() if name == "cpu" else _cuda_backend()
    return _cache[name]
