"""The CPU kernels for passes with nothing to share between threads.

Every kernel compiled with ``parallel=True`` gets a twin here, compiled from
the same Python function without it (with the kernel's ``fastmath`` flag,
``CELL_JIT``'s fused multiply-adds): ``prange`` then runs as ``range``, so
the twin does the same arithmetic in the same order and gives the same bits
(tested), without entering Numba's thread pool. Opening and closing a
parallel region costs about 1 us even on one thread -- as much as the whole
recurrence of a single-window prediction of a small network -- and on a busy
machine it waits for a descheduled thread (measured up to 70x slower). The
backend picks these twins for passes of one tile or of little work
(``backend.py``); every other name is the parallel module's own object.

The twins have their own qualified names (``lstm_forward_serial``): Numba's
on-disk cache is keyed by a function's name and bytecode, not by its compile
options, so a twin under the original name would load the parallel build.
Numba compiles lazily, so a process only compiles the flavours it runs.
"""
from types import FunctionType

from tsgate.kernels import cpu as _parallel

from ._config import JIT, njit
from .layers import bind as _bind_layers


def _serial_twin(kernel):
    """``kernel`` itself unless it is a parallel dispatcher, else its serial twin."""
    if not getattr(kernel, "targetoptions", {}).get("parallel"):
        return kernel
    f = kernel.py_func
    twin = FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)
    twin.__qualname__ = f.__qualname__ + "_serial"
    twin.__doc__ = f.__doc__
    twin.__module__ = f.__module__
    fastmath = kernel.targetoptions.get("fastmath")  # the same arithmetic (CELL_JIT)
    return njit(**JIT, **({"fastmath": fastmath} if fastmath else {}))(twin)


# One line per name of ``kernels.cpu.__all__`` (a test checks the two lists agree).
lstm_forward = _serial_twin(_parallel.lstm_forward)
lstm_backward = _serial_twin(_parallel.lstm_backward)
gru_forward = _serial_twin(_parallel.gru_forward)
gru_backward = _serial_twin(_parallel.gru_backward)
dense_forward = _serial_twin(_parallel.dense_forward)
dense_backward = _serial_twin(_parallel.dense_backward)
attention_forward = _serial_twin(_parallel.attention_forward)
attention_backward = _serial_twin(_parallel.attention_backward)
loss_forward_backward = _serial_twin(_parallel.loss_forward_backward)
reduce_tiles = _serial_twin(_parallel.reduce_tiles)
reduce_partials = _serial_twin(_parallel.reduce_partials)
global_norm = _serial_twin(_parallel.global_norm)
adam_step = _serial_twin(_parallel.adam_step)
pack_windows = _serial_twin(_parallel.pack_windows)
pack_targets = _serial_twin(_parallel.pack_targets)
unpack_rows = _serial_twin(_parallel.unpack_rows)
concat_features = _serial_twin(_parallel.concat_features)
split_features = _serial_twin(_parallel.split_features)
final_state = _serial_twin(_parallel.final_state)
final_state_backward = _serial_twin(_parallel.final_state_backward)
apply_mask = _serial_twin(_parallel.apply_mask)
add_into = _serial_twin(_parallel.add_into)
copy_into = _serial_twin(_parallel.copy_into)
fill = _serial_twin(_parallel.fill)
MSE, MAE, HUBER, PINBALL = _parallel.MSE, _parallel.MAE, _parallel.HUBER, _parallel.PINBALL
# the layer entry points (every direction per call) over the twins above
(lstm_layer_forward, lstm_layer_backward, gru_layer_forward,
 gru_layer_backward) = _bind_layers(lstm_forward, lstm_backward, gru_forward, gru_backward)

__all__ = [
    "lstm_forward", "lstm_backward", "gru_forward", "gru_backward", "dense_forward",
    "dense_backward", "attention_forward", "attention_backward", "loss_forward_backward",
    "MSE", "MAE", "HUBER", "PINBALL", "reduce_tiles", "reduce_partials", "global_norm",
    "adam_step",
    "pack_windows", "pack_targets", "unpack_rows", "concat_features", "split_features",
    "final_state", "final_state_backward", "apply_mask", "add_into", "copy_into", "fill",
    "lstm_layer_forward", "lstm_layer_backward", "gru_layer_forward",
    "gru_layer_backward",
]
