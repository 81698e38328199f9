"""Source trees side by side in one process (the ``--one-process`` modes of
``ab_cpu.py`` and ``bench_products.py``)."""
import re
import shutil
from pathlib import Path

IMPORT = re.compile(r"^(\s*(?:from|import)\s+)tsgate\b", re.MULTILINE)


def copy_as(tree, folder, name):
    """Copy ``tree``'s ``tsgate`` package into ``folder`` as the package
    ``name`` (``tsgate_ab0``, ...), its absolute imports of ``tsgate``
    renamed to it, so that two trees' kernels import side by side, each
    from its own files (and its own Numba cache entries: Numba keys them by
    file path). Returns the package's folder."""
    dest = Path(folder) / name
    shutil.copytree(Path(tree) / "tsgate", dest, ignore=shutil.ignore_patterns("__pycache__"))
    for f in dest.rglob("*.py"):
        f.write_text(IMPORT.sub(lambda m: m.group(1) + name, f.read_text()))
    return dest
