"""Per-group parameter-gradient partials, as the CPU kernels write them.

The contract (``kernels/cpu/_common.py``): a backward kernel writes its
parameter gradients as ``(NG, ...)`` partials, NG <= NT, group g owning tiles
``g*NT//NG .. (g+1)*NT//NG - 1`` summed in tile order; NG is read from the
output's shape. The CUDA backend asks for NG == NT (one partial per tile, one
block per tile): the per-tile products then go straight into the output. For
NG < NT they go to a scratch ``(NT, ...)`` first, then ``to_groups`` adds
each group's tiles in order. No atomics either way.
"""
from numba import cuda

from ._config import CACHE, elementwise_blocks, launch, scratch


@cuda.jit(cache=CACHE)
def _group_sums(tiles, out):
    # tiles (NT, m) -> out (NG, m): group g = tiles g*NT//NG .. (g+1)*NT//NG - 1, in order
    NT, m = tiles.shape
    NG = out.shape[0]
    i = cuda.grid(1)
    if i < NG * m:
        g = i // m
        c = i % m
        k0 = g * NT // NG
        k1 = (g + 1) * NT // NG
        if k0 == k1:  # a group with no tiles (NG > NT)
            out[g, c] = 0
        else:
            acc = tiles[k0, c]
            for k in range(k0 + 1, k1):
                acc += tiles[k, c]
            out[g, c] = acc


def tile_partials(out, n_tiles, name):
    """Where to write one partial per tile for ``out`` (NG, ...).

    ``out`` itself when NG == NT, else a reused scratch of shape (NT, ...).
    """
    if out.shape[0] == n_tiles:
        return out
    return scratch("partials:" + name, (n_tiles,) + tuple(out.shape[1:]), out.dtype)


def to_groups(tiles, out):
    """Sum per-tile partials ``tiles`` (NT, ...) into ``out`` (NG, ...) in tile
    order; nothing to do when they are the same buffer."""
    if tiles is out:
        return
    NT, NG = tiles.shape[0], out.shape[0]
    m = out.size // NG if NG else 0
    if NG == 0 or m == 0:
        return
    blocks, threads = elementwise_blocks(NG * m)
    launch(_group_sums, blocks, threads)(tiles.reshape(NT, m), out.reshape(NG, m))
