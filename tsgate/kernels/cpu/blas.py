"""Matrix products for the CPU kernels, on a private single-threaded OpenBLAS.

Numba's ``np.dot`` calls the BLAS that SciPy loaded, with the process's
settings for it: a thread pool that must be cut to one thread, process-wide,
or it fights the Numba threads; and a kernel family fixed when the library
first loaded, by CPU detection or by ``OPENBLAS_CORETYPE``. On the AVX-512
machines tsgate is benchmarked on, the environment sets
``OPENBLAS_CORETYPE=Haswell``, and SciPy's products run 256-bit kernels at
about half the speed of the AVX-512 ones OpenBLAS detects by itself (hidden
64, 64 rows, one core: 97 vs 166 GFLOP/s; 32 rows: 78 vs 188, measured).

So tsgate loads its own instance of the OpenBLAS that SciPy ships: a copy of
the library file in a cache folder (``dlopen`` of the same file again would
return the instance already loaded), loaded on one thread and with its kernel
family chosen by OpenBLAS's own CPU detection, or by
``TSGATE_OPENBLAS_CORETYPE`` when that is set. ``OPENBLAS_CORETYPE`` keeps
configuring the process's shared OpenBLAS (NumPy's, SciPy's), which tsgate
leaves exactly as it was; other ``OPENBLAS_*`` settings apply to both. The
products then do not depend on what the user imported first. Where SciPy's
BLAS is not OpenBLAS (MKL, Accelerate) or no copy can be made, its own CBLAS
is used, cut to one thread. ``INFO`` says which.

The kernels call ``gemm``; it reaches the library through two symbols
registered with LLVM (``tsgate_cblas_sgemm``, ``tsgate_cblas_dgemm``), bound
when compiled code is loaded, so the kernels can still be cached on disk.
"""
import ctypes
import hashlib
import os
import shutil
import tempfile

from llvmlite import binding as llvm
from numba import njit, types

from ._config import JIT

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112  # CBLAS enums
_PREFIXES = ("scipy_", "", "scipy_openblas_")  # symbol prefixes of SciPy's builds, plain builds

INFO = {}  # how the BLAS was loaded: mode, path, core, reason


def _signature(real):
    ptr, i32 = types.uintp, types.int32
    return types.void(i32, i32, i32, i32, i32, i32, real, ptr, i32, ptr, i32, real, ptr, i32)


_sgemm = types.ExternalFunction("tsgate_cblas_sgemm", _signature(types.float32))
_dgemm = types.ExternalFunction("tsgate_cblas_dgemm", _signature(types.float64))


@njit(**JIT)
def _operand(a):
    """(CBLAS transpose flag, leading dimension) of a 2D operand whose rows or
    columns are contiguous (a C array, or the ``.T`` view of one)."""
    s = a.itemsize
    if a.shape[1] == 1 or a.strides[1] == s:
        return NO_TRANS, max(a.strides[0] // s, a.shape[1], 1)
    if a.shape[0] == 1 or a.strides[0] == s:
        return TRANS, max(a.strides[1] // s, a.shape[0], 1)
    raise ValueError("gemm: an operand has neither contiguous rows nor contiguous columns")


@njit(**JIT)
def gemm(a, b, out, beta):
    """``out = a @ b + beta * out`` (beta 0: assign, 1: accumulate).

    a : (M, K), b : (K, N), out : (M, N), one float dtype; a and b may be C
    arrays or transposed views of C arrays, out has contiguous rows.
    """
    M, K = a.shape
    N = b.shape[1]
    if M == 0 or N == 0:
        return
    if K == 0:
        if beta == 0:
            out[:] = 0
        return
    if not (out.shape[1] == 1 or out.strides[1] == out.itemsize):
        raise ValueError("gemm: the output must have contiguous rows")
    ta, lda = _operand(a)
    tb, ldb = _operand(b)
    ldc = max(out.strides[0] // out.itemsize, N, 1)
    if out.itemsize == 4:
        _sgemm(ROW_MAJOR, ta, tb, M, N, K, types.float32(1.0), a.ctypes.data, lda,
               b.ctypes.data, ldb, types.float32(beta), out.ctypes.data, ldc)
    else:
        _dgemm(ROW_MAJOR, ta, tb, M, N, K, 1.0, a.ctypes.data, lda,
               b.ctypes.data, ldb, types.float64(beta), out.ctypes.data, ldc)


# ------------------------------------------------------------------ loading
def _scipy_blas():
    """threadpoolctl's record of the BLAS SciPy loaded (loading it first)."""
    import scipy
    import scipy.linalg.cython_blas  # noqa: F401  (loads the library and its dependencies)
    from threadpoolctl import threadpool_info

    libs = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    scipy_root = os.path.dirname(os.path.dirname(os.path.realpath(scipy.__file__)))
    # SciPy's own (LP64) library lives in scipy.libs/ (scipy/.dylibs on macOS);
    # NumPy's ILP64 OpenBLAS, in numpy.libs/, has other symbol names
    mine = [lib for lib in libs if os.path.realpath(lib["filepath"]).startswith(scipy_root)
            and os.path.basename(os.path.dirname(lib["filepath"])).lstrip(".").startswith(("scipy", "dylibs"))]
    if not (mine or libs):
        raise ImportError("tsgate: SciPy's BLAS library was not found (threadpoolctl lists none); "
                          "reinstall scipy")
    return (mine or libs)[0]


def _cache_dir():
    base = os.environ.get("TSGATE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "tsgate")
    for d in (base, os.path.join(tempfile.gettempdir(), f"tsgate-{os.getuid() if hasattr(os, 'getuid') else 0}")):
        try:
            os.makedirs(d, exist_ok=True)
            if os.access(d, os.W_OK):
                return d
        except OSError:
            continue
    return None


def _private_copy(path):
    """Path of a copy of the library file at ``path`` (made once, atomically)."""
    st = os.stat(path)
    key = hashlib.sha1(f"{os.path.realpath(path)}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:12]
    d = _cache_dir()
    if d is None:
        raise OSError("no writable cache folder (set TSGATE_CACHE_DIR)")
    name, ext = os.path.splitext(os.path.basename(path))
    dst = os.path.join(d, f"{name}-tsgate-{key}{ext}")
    if not os.path.exists(dst):
        fd, tmp = tempfile.mkstemp(dir=d, suffix=ext)
        os.close(fd)
        try:
            shutil.copyfile(path, tmp)
            os.chmod(tmp, 0o755)
            os.replace(tmp, dst)  # concurrent processes: last one wins, same bytes
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    return dst


def _load_with_env(path, env):
    """ctypes-load ``path`` with ``env`` set (None: unset) while its
    initializers run; the environment is restored afterwards."""
    saved = {k: os.environ.get(k) for k in env}
    for k, v in env.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    try:
        return ctypes.CDLL(path, mode=getattr(os, "RTLD_LOCAL", 0))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _symbol(lib, name):
    for prefix in _PREFIXES:
        try:
            return getattr(lib, prefix + name), prefix
        except AttributeError:
            continue
    return None, None


def _corename(lib, prefix):
    fn = getattr(lib, prefix + "openblas_get_corename", None)
    if fn is None:
        return None
    fn.restype = ctypes.c_char_p
    return fn().decode()


def _bind(lib):
    """Register the library's cblas_sgemm/dgemm under tsgate's symbol names."""
    s, prefix = _symbol(lib, "cblas_sgemm")
    d, _ = _symbol(lib, "cblas_dgemm")
    if s is None or d is None:
        raise OSError("the library exports no cblas_sgemm / cblas_dgemm")
    llvm.add_symbol("tsgate_cblas_sgemm", ctypes.cast(s, ctypes.c_void_p).value)
    llvm.add_symbol("tsgate_cblas_dgemm", ctypes.cast(d, ctypes.c_void_p).value)
    return prefix


def load():
    """Load and bind the BLAS (once per process); returns ``INFO``."""
    if INFO:
        return INFO
    info = _scipy_blas()
    path, arch = info["filepath"], (info.get("architecture") or "")
    if info.get("internal_api") == "openblas":
        env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "OPENBLAS_CORETYPE": os.environ.get("TSGATE_OPENBLAS_CORETYPE") or None}
        try:
            copy = _private_copy(path)
            lib = _load_with_env(copy, env)
            prefix = _bind(lib)
            INFO.update(mode="private", path=copy, source=path, detected=arch,
                        core=_corename(lib, prefix) or "unknown")
            return INFO
        except OSError as exc:
            reason = f"private copy failed ({exc}); using SciPy's BLAS on one thread"
    else:
        reason = f"SciPy's BLAS is {info.get('internal_api')}, not OpenBLAS"
    from threadpoolctl import ThreadpoolController

    for ctl in ThreadpoolController().lib_controllers:
        if ctl.filepath == path:
            ctl.set_num_threads(1)  # the Numba threads are the parallelism
    _bind(ctypes.CDLL(path))
    INFO.update(mode="shared", path=path, source=path, detected=arch, core=arch, reason=reason)
    return INFO


load()
