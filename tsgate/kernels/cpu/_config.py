"""Compile options shared by every CPU kernel.

``error_model="numpy"`` drops Python's division checks, which otherwise stop the
gate loops from vectorizing; ``cache=True`` keeps compile time to the first run
on a machine; ``nogil`` lets two fits in two threads run at once;
``no_cfunc_wrapper`` spares the C entry point Numba otherwise builds for
every compiled function (for ``dispatcher.cfunc`` and first-class function
use, which tsgate never makes): less code to lower and compile on a first run.

Numba's cache checks only the source file of the kernel it compiled, not the
files of the functions it inlined: after editing a helper module (``matmul``,
``_common``, ``activations``, ``_cells``, ``fpmode``,
``kernels/cellmath.py``) in a checkout, delete the ``*.nbi``/``*.nbc`` files under
``tsgate/kernels/__pycache__`` and ``tsgate/kernels/cpu/__pycache__`` or
kernels in other files keep their old machine code. (An installed upgrade
rewrites every file, so the whole cache is renewed.)
"""
from tsgate._jitcache import (  # noqa: F401  Numba's, mending a damaged cache file
    CACHE,  # False where no cache location is writable
    cfunc,
    njit,
)

JIT = dict(cache=CACHE, nogil=True, error_model="numpy", no_cfunc_wrapper=True)
PARALLEL_JIT = dict(JIT, parallel=True)
# The recurrent and attention kernels: ``a * b + c`` in their gate math
# (the rational tanh's polynomials above all) compiles to one fused
# multiply-add, as the products already do (``matmul.py``).
CELL_JIT = dict(PARALLEL_JIT, fastmath={"contract"})
# Helpers that only compiled code calls (cell math, tile bookkeeping, the
# product's internals): without the CPython entry point (unboxing each
# argument) either, each helper lowers and compiles less code. Called from
# Python, such a helper raises; the kernels never do.
INNER = dict(JIT, no_cpython_wrapper=True)
