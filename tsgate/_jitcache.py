"""Whether Numba can keep tsgate's compiled code on disk here.

Numba's ``cache=True`` needs a writable cache location even to read a
cache: the ``__pycache__`` folder next to the function's source file, else
a folder under the user's home, else ``NUMBA_CACHE_DIR``. Where none is
writable (a container with a read-only file system and home), decorating a
function with ``cache=True`` raises ``RuntimeError: cannot cache function
...: no locator available``, and ``import tsgate`` failed with it.
:data:`CACHE` is then False: the kernels compile in memory, in every
process (a first forecast waits for the compiler each time; point
``NUMBA_CACHE_DIR`` at a writable folder to keep them).

The answer is per source folder, so every folder holding cached kernels is
probed: one of them read-only where the package's top folder is writable
(a partly read-only install) failed the import as well.

tsgate's kernels are compiled by :func:`njit` and :func:`cfunc` here, Numba's
decorators whose disk cache reads a damaged file as missing
(:class:`_MendingCache`).
"""
import os
import pickle
import warnings

import numba
from numba import __version__ as _numba_version
from numba import config as _numba_config
from numba.core.caching import FunctionCache

if _numba_config.DISABLE_JIT:  # the kernels' LLVM intrinsics and cfuncs need the compiler
    raise ImportError("tsgate's kernels are compiled by Numba and cannot run as plain Python: "
                      "unset NUMBA_DISABLE_JIT (it is set here) to use tsgate.")

_plain_njit = numba.njit  # the probes': nothing to mend
# tsgate's folders with cache=True kernels, relative to the package
KERNEL_FOLDERS = ("", "kernels", os.path.join("kernels", "cpu"), os.path.join("kernels", "cuda"))
_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _probe(folder):
    """A function whose source file is ``folder``'s ``__init__.py`` (or this
    module, for the package's own folder): Numba locates its cache there."""
    path = os.path.join(_PACKAGE, folder, "__init__.py") if folder else os.path.abspath(__file__)
    namespace = {}
    exec(compile("def _probe():\n    return 0\n", path, "exec"), namespace)  # noqa: S102
    return namespace["_probe"]


def can_cache():
    """Whether the functions of every kernel folder of this package can be
    compiled with ``cache=True``."""
    try:
        for folder in KERNEL_FOLDERS:
            _plain_njit(cache=True)(_probe(folder))
    except RuntimeError:  # no writable cache location
        return False
    return True


CACHE = can_cache()


def cache_location():
    """The folder where Numba keeps the compiled code of the CPU kernels (the
    ``__pycache__`` beside them, one under ``NUMBA_CACHE_DIR``, or the
    home's cache); None where nothing is kept (:data:`CACHE` False) or
    Numba does not say. Numba passes over a ``NUMBA_CACHE_DIR`` it cannot
    make or write without a word, so ``tsgate warmup`` compares the two."""
    if not CACHE:
        return None
    return _cache_folder(os.path.join("kernels", "cpu"))


def passed_over():
    """``(NUMBA_CACHE_DIR, the folder Numba keeps tsgate's kernels in)`` where
    Numba passed over a ``NUMBA_CACHE_DIR`` it cannot use (not a writable
    folder) for another location, without a word; else None."""
    wanted = _numba_config.CACHE_DIR
    where = cache_location() if wanted else None
    # (Numba's folder for it: NUMBA_CACHE_DIR/<source folder>_<hash>; a package
    # copy inside NUMBA_CACHE_DIR has its own __pycache__ under it too)
    if wanted and where and os.path.realpath(os.path.dirname(where)) != os.path.realpath(wanted):
        return wanted, where
    return None


def _cache_folder(folder):
    """Numba's cache folder for the kernels of the package's ``folder``, or None."""
    probe = _plain_njit(cache=True)(_probe(folder))
    return getattr(getattr(probe, "_cache", None), "_cache_path", None)


def _kernel_cache_folders():
    """Numba's cache folders of the package's kernels (a set)."""
    return {_cache_folder(folder) for folder in KERNEL_FOLDERS} - {None}


def _loads(path):
    """Whether a cache file loads as Numba reads it: an index (``.nbi``) is
    Numba's version, then, for this version, the pickled (stamp, overloads);
    a data file (``.nbc``) one pickle."""
    try:
        with open(path, "rb") as f:
            if path.endswith(".nbi") and pickle.load(f) != _numba_version:
                return True  # another Numba's: passed over
            pickle.loads(f.read())
    except OSError:
        return True  # (gone or unreadable: Numba reads it as missing)
    except Exception:  # noqa: BLE001 (EOFError, UnpicklingError, ...: damaged)
        return False
    return True


# said once, at the first kernel a fit loads or compiles (as a command's own
# warning in the CLI, which ``tsgate warmup`` words itself), not at import
_TOLD = [False]


def _say_passed_over():
    """Warn, once, where Numba passed over ``NUMBA_CACHE_DIR`` (the kernels
    then went into the package's folders, say, without a word)."""
    if _TOLD[0]:
        return
    _TOLD[0] = True
    skipped = passed_over()
    if skipped:
        warnings.warn(f"NUMBA_CACHE_DIR={skipped[0]} is not a folder Numba can write: "
                      f"tsgate's compiled kernels are kept in {skipped[1]} instead. Make it a "
                      "writable folder, or unset it.", RuntimeWarning, stacklevel=3)


def damaged_cache_files():
    """tsgate's files in Numba's cache that do not load (emptied or cut off
    by a full disk): ``tsgate warmup`` removes them and compiles anew, and
    says so (a fit does the same for a function whose file it reads,
    :class:`_MendingCache`)."""
    if not CACHE:
        return []
    return sorted(os.path.join(d, name) for d in _kernel_cache_folders()
                  for name in _names(d, "") if not _loads(os.path.join(d, name)))


class _MendingCache(FunctionCache):
    """Numba's disk cache of one function, reading a damaged file as missing.

    Numba passes over a missing cache file but not a damaged one: a file
    emptied or cut off (a full disk, a killed process) made every later
    call of the function raise pickle's ``EOFError`` or ``UnpicklingError``
    from inside Numba, in every process, until ``tsgate warmup`` replaced
    it. Here, on pickle's errors or where one of the function's files does
    not unpickle, its files are removed instead, with a warning, and it
    compiles anew (and is saved again); any other error of a load (a
    threading layer that a parallel kernel's code cannot start) is raised
    as before. A save that fails (a full disk) warns and keeps the compiled
    code in memory, as where no cache is writable.
    """

    def _load_overload(self, sig, target_context):
        _say_passed_over()
        try:
            return super()._load_overload(sig, target_context)
        except Exception as exc:  # (EOFError, UnpicklingError, ...)
            files = _files_of(self)
            # pickle's own errors are damage as such (read again, the files may
            # already be mended by another process); any other only where a file
            # does not unpickle (a threading layer missing, ...: not ours)
            if files is None or not (isinstance(exc, (EOFError, pickle.UnpicklingError))
                                     or _damaged(*files)):
                raise
            _forget(*files, self._py_func, exc)
            return None

    def _save_overload(self, sig, data):
        try:
            super()._save_overload(sig, data)
        except Exception as exc:  # noqa: BLE001 (a full disk, a damaged index left)
            warnings.warn(f"tsgate's compiled code of {self._py_func.__qualname__} was not "
                          f"kept in Numba's cache ({type(exc).__name__}: {exc}); it is "
                          "compiled again in the next process.", RuntimeWarning, stacklevel=2)


def _files_of(cache):
    """(folder, the name its files start with) of a Numba cache of one
    function, e.g. ``module.qualname-line.py311.``; None where Numba's
    layout is not the one known here (another Numba version)."""
    try:
        index = cache._cache_file._index_name
        return cache._cache_file._cache_path, index[: -len(".nbi")] + "."
    except AttributeError:
        return None


def _names(folder, base):
    """The names of one function's cache files in ``folder``."""
    return [name for name in (os.listdir(folder) if os.path.isdir(folder) else ())
            if name.startswith(base) and name.endswith((".nbi", ".nbc"))]


def _forget(folder, base, func, exc):
    """Remove a function's cache files (in ``folder``, named ``base``...),
    which did not load (``exc``), with a warning."""
    removed = 0
    for name in _names(folder, base):
        try:
            os.remove(os.path.join(folder, name))
            removed += 1
        except OSError:
            pass
    warnings.warn(f"Numba's cached code of tsgate's {func.__qualname__} did not load "
                  f"({type(exc).__name__}: {exc}): removed {removed} damaged cache file(s) "
                  f"from {folder} and compiling it anew.", RuntimeWarning, stacklevel=3)


def _damaged(folder, base):
    """Whether a cache file of one function does not load."""
    return any(not _loads(os.path.join(folder, name)) for name in _names(folder, base))


def _mend(dispatcher):
    """``dispatcher`` (a Numba Dispatcher or CFunc), its disk cache made a
    :class:`_MendingCache` (where it has one)."""
    if type(getattr(dispatcher, "_cache", None)) is FunctionCache:
        dispatcher._cache.__class__ = _MendingCache
    return dispatcher


def njit(**options):
    """``numba.njit(**options)`` whose disk cache mends a damaged file."""
    def decorate(func):
        return _mend(numba.njit(**options)(func))
    return decorate


def cfunc(signature, cache=False, **options):
    """``numba.cfunc(signature, cache=cache, **options)`` whose disk cache
    mends a damaged file. ``numba.cfunc`` compiles in the decorator, before
    its cache could be swapped: its steps are taken here instead (Numba's
    ``CFunc``, its cache enabled and swapped, then compiled)."""
    from numba.core import sigutils
    from numba.core.ccallback import CFunc

    def decorate(func):
        compiled = CFunc(func, sigutils.normalize_signature(signature), locals={},
                         options=options)
        if cache:
            compiled.enable_caching()
            _mend(compiled)
        compiled.compile()
        return compiled
    return decorate
