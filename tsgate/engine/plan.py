"""A plan: one pass shape -- batch rows, steps, tiles, kernels -- and the
workspace it owns.

The network runs on batches in the tile layout ``(NT, T, BT, F)``: NT tiles
of BT rows, time-major inside a tile (``kernels/cpu/lstm.py``). A plan fixes
NT, BT and T for one batch size, picks the kernels once (the CPU's serial
twins for small passes, ``Backend.kernels_for``), and allocates every buffer
a pass of that shape needs, up front. ``Network`` keeps the last few plans,
so memory stays bounded whatever batch sizes come (``Network.plan``).

Names: ``batch`` is rows in a batch, ``tile_rows`` (BT) rows per tile.
"""
import math

import numpy as np

from .. import config


def tiles(backend, batch, training, row_bytes=0):
    """(NT, BT) for ``batch`` rows: tiles of at most the backend's tile rows
    (for training or for prediction; on CUDA they depend on the batch too, so
    that a batch spreads over the multiprocessors, and on ``row_bytes``, a
    row's hidden state, so that a tile's state fits in shared memory), as
    even as possible.
    Depends on the batch (and the GPU model) alone, never on the thread
    count, so results are bit-identical whatever ``NUMBA_NUM_THREADS`` is."""
    n_tiles = max(1, -(-batch // backend.tile_rows(training, batch, row_bytes)))
    if training:  # a batch of two split-sizes or more: at least two tiles, for two threads
        n_tiles = max(n_tiles, min(2, batch // config.setting("TILE_SPLIT_ROWS")))
    return n_tiles, -(-batch // n_tiles)


def work(spec, batch, steps):
    """Rough multiply-adds of one pass over ``batch`` windows of ``steps``:
    what ``Backend.kernels_for`` picks serial or parallel kernels by."""
    per_step = spec.gates * spec.hidden_size * (spec.hidden_size + max(spec.n_features, spec.width))
    return batch * steps * per_step * spec.num_layers * spec.ndir


class Plan:
    """One pass shape and its workspace.

    Parameters
    ----------
    layout : Layout
        The network's parameter layout (and, as ``layout.spec``, its shape).
    backend : tsgate.backend.Backend
    dtype : numpy dtype
    n_tiles, tile_rows, steps : int
        NT, BT and T of the batches this plan runs.
    grads : bool
        Also allocate the buffers of the backward pass.
    kernels : module
        The kernels every pass of this plan runs.

    Attributes
    ----------
    work : dict
        The forward (and backward) buffers, read by ``passes.py``.
    """

    def __init__(self, layout, backend, dtype, n_tiles, tile_rows, steps, grads, kernels):
        self.layout, self.spec = layout, layout.spec
        self.backend, self.dtype = backend, np.dtype(dtype)
        self.n_tiles, self.tile_rows, self.steps = n_tiles, tile_rows, steps
        self.grads, self.kernels = grads, kernels
        self.work = self._workspace()
        self._extra = {}

    @property
    def shape(self):
        """(NT, T, BT): the tile shape of this plan's batches."""
        return self.n_tiles, self.steps, self.tile_rows

    def buffer(self, name, *shape):
        """A named buffer of the plan beyond the workspace (packed inputs,
        targets, unpacked rows), allocated on first use and then reused."""
        buf = self._extra.get(name)
        if buf is None or buf.shape != shape:
            buf = self.backend.empty(shape, self.dtype)
            self._extra[name] = buf
        return buf

    def pack(self, X, idx):
        """Gather windows ``X[idx]`` (X (N, T, F) on the device, any strides)
        into the plan's input tiles (NT, T, BT, F)."""
        k = self.kernels
        NT, T, BT = self.shape
        F = X.shape[2]
        xb = self.buffer("x", NT, T, BT, F)
        k.pack_windows(X, idx, xb)
        return xb

    def pack_targets(self, Y, idx):
        """Targets ``Y[idx]`` (Y (N, O) on the device) as tiles (NT, BT, O);
        padded rows are NaN (left out of the loss)."""
        yb = self.buffer("y", self.n_tiles, self.tile_rows, Y.shape[1])
        self.kernels.pack_targets(Y, idx, yb)
        return yb

    def _workspace(self):
        s, bk = self.spec, self.backend
        NT, T, BT = self.shape
        H, G, D = s.hidden_size, s.gates * s.hidden_size, s.width
        alloc = lambda *shape: bk.empty(shape, self.dtype)  # noqa: E731
        grads = self.grads
        w = {"layers": [], "q": alloc(NT, BT, D), "pred": alloc(NT, BT, s.n_outputs)}
        for layer in range(s.num_layers):
            n_in = s.n_features if layer == 0 else D
            dirs = []
            for _ in range(s.ndir):
                buf = {"hs": alloc(NT, T, BT, H), "gates": alloc(NT, T, BT, G)}
                buf["cs" if s.cell == "lstm" else "hn"] = alloc(NT, T, BT, H)
                if grads:
                    buf.update(dhs=alloc(NT, T, BT, H), dgx=alloc(NT, T, BT, G),
                               dx=alloc(NT, T, BT, n_in))
                    if s.cell == "gru":
                        buf["dgh"] = alloc(NT, T, BT, G)
                dirs.append(buf)
            entry = {"dirs": dirs, "seq": dirs[0]["hs"] if s.ndir == 1 else alloc(NT, T, BT, D)}
            # the state buffers the layer kernels take, each a tuple over the directions
            keys = ("hs", "cs", "gates") if s.cell == "lstm" else ("hs", "gates", "hn")
            entry["states"] = tuple(tuple(buf[key] for buf in dirs) for key in keys)
            if s.dropout > 0:
                entry["dropped"] = alloc(NT, T, BT, D)
            if grads:
                entry["dseq"] = alloc(NT, T, BT, D)
                entry["dmasked"] = alloc(NT, T, BT, D) if s.dropout > 0 else None
            w["layers"].append(entry)
        if s.attention:  # "weights": the attention weights over the steps
            w.update(u=alloc(NT, T, BT, H), weights=alloc(NT, BT, T), ctx=alloc(NT, BT, D),
                     z=alloc(NT, BT, 2 * D))
        if grads:
            # the parameter-gradient partials: one flat buffer (NG*P,), each
            # parameter's (NG, ...) partials a contiguous block of it, so that
            # one reduce_partials call (one launch) sums them all
            NG, layout = bk.grad_groups(NT), self.layout
            offsets = np.array([off for off, _ in layout.offsets.values()] + [layout.size],
                               np.int64)  # (B+1,) storage order
            flat = alloc(NG * layout.size)
            w.update(dpred=alloc(NT, BT, s.n_outputs), dz=alloc(NT, BT, s.head_in),
                     parts_flat=flat, part_offsets=bk.to_device(offsets),
                     parts={name: flat[NG * off:NG * (off + math.prod(shape))].reshape(NG, *shape)
                            for name, (off, shape) in layout.offsets.items()})
            if s.attention:
                w.update(du=alloc(NT, T, BT, H), dq=alloc(NT, BT, D), dq_att=alloc(NT, BT, D),
                         dctx=alloc(NT, BT, D))
        return w
