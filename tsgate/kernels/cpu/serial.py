"""The CPU kernels for passes with nothing to share between threads.

Every kernel compiled with ``parallel=True`` gets a twin here, compiled from
the same Python function without it: ``prange`` then runs as ``range``, so
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

from numba import njit

from tsgate.kernels import cpu as _parallel

from ._config import JIT
from .layers import NAMES as _LAYER_NAMES
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
    return njit(**JIT)(twin)


__all__ = list(_parallel.__all__)
globals().update({name: _serial_twin(getattr(_parallel, name)) for name in __all__
                  if name not in _LAYER_NAMES})
globals().update(_bind_layers(globals()))  # layer functions over the twins
