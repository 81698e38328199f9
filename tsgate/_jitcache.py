"""Whether Numba can keep tsgate's compiled code on disk here.

Numba's ``cache=True`` needs a writable cache location even to read a
cache: the package's ``__pycache__`` folders, else a folder under the
user's home, else ``NUMBA_CACHE_DIR``. Where none is writable (a
container with a read-only file system and home), decorating a function
with ``cache=True`` raises ``RuntimeError: cannot cache function ...: no
locator available``, and ``import tsgate`` failed with it. :data:`CACHE`
is then False: the kernels compile in memory, in every process (a first
forecast waits for the compiler each time; point ``NUMBA_CACHE_DIR`` at a
writable folder to keep them).
"""
from numba import njit


def _probe():  # a function in tsgate's own folder: its cache location is tsgate's
    return 0


def can_cache():
    """Whether a function of this package can be compiled with ``cache=True``."""
    try:
        njit(cache=True)(_probe)
    except RuntimeError:  # no writable cache location
        return False
    return True


CACHE = can_cache()
