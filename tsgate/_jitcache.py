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
"""
import os
import pickle

from numba import __version__ as _numba_version
from numba import config as _numba_config
from numba import njit

if _numba_config.DISABLE_JIT:  # the kernels' LLVM intrinsics and cfuncs need the compiler
    raise ImportError("tsgate's kernels are compiled by Numba and cannot run as plain Python: "
                      "unset NUMBA_DISABLE_JIT (it is set here) to use tsgate.")

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
            njit(cache=True)(_probe(folder))
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


def _cache_folder(folder):
    """Numba's cache folder for the kernels of the package's ``folder``, or None."""
    probe = njit(cache=True)(_probe(folder))
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


def damaged_cache_files():
    """tsgate's files in Numba's cache that do not load: a file emptied or
    cut off (a full disk) made every later fit raise pickle's ``EOFError``
    from inside Numba, which passes over a missing file but not a damaged
    one; ``tsgate warmup`` removes them and compiles anew."""
    if not CACHE:
        return []
    folders = _kernel_cache_folders()
    return sorted(os.path.join(d, name) for d in folders if os.path.isdir(d)
                  for name in os.listdir(d) if name.endswith((".nbi", ".nbc"))
                  and not _loads(os.path.join(d, name)))
