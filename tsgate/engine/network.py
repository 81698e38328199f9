"""A stack of recurrent layers with a dense (optionally attention) head.

All parameters live in ONE flat vector; named views give each kernel its
matrices, so the optimizer, clipping and device copies are single passes.
The network runs on batches in the tile layout ``(NT, T, BT, F)`` (see
``kernels/cpu/lstm.py``); :meth:`Network.tiles` picks NT and BT.
"""
import math
import threading
from dataclasses import dataclass

import numpy as np

from .. import config

CELLS = ("lstm", "gru")


@dataclass(frozen=True)
class NetworkSpec:
    """Shape of a network; everything needed to rebuild it."""

    cell: str               # "lstm" or "gru"
    n_features: int         # F
    hidden_size: int        # H
    n_outputs: int          # O
    num_layers: int = 1
    bidirectional: bool = False
    attention: bool = False
    dropout: float = 0.0

    @property
    def ndir(self):
        return 2 if self.bidirectional else 1

    @property
    def width(self):
        """D, the feature width of the last layer's output."""
        return self.ndir * self.hidden_size

    @property
    def gates(self):
        return 4 if self.cell == "lstm" else 3


def parameter_layout(spec):
    """List of ``(name, shape, decays, init_bound)`` in storage order."""
    H, G = spec.hidden_size, spec.gates * spec.hidden_size
    bound = 1.0 / math.sqrt(H)
    entries = []
    for layer in range(spec.num_layers):
        n_in = spec.n_features if layer == 0 else spec.width
        for d in range(spec.ndir):
            p = f"l{layer}.d{d}."
            entries += [(p + "W_x", (n_in, G), True, bound), (p + "W_h", (H, G), True, bound)]
            if spec.cell == "lstm":
                entries.append((p + "b", (G,), False, bound))
            else:
                entries += [(p + "b_x", (G,), False, bound), (p + "b_h", (G,), False, bound)]
    D = spec.width
    head_in = 2 * D if spec.attention else D
    if spec.attention:
        a_bound = 1.0 / math.sqrt(D)
        entries += [("att.W_a", (D, H), True, a_bound), ("att.U_a", (D, H), True, a_bound),
                    ("att.b_a", (H,), False, a_bound), ("att.v", (H,), True, 1.0 / math.sqrt(H))]
    h_bound = 1.0 / math.sqrt(head_in)
    entries += [("head.W", (head_in, spec.n_outputs), True, h_bound),
                ("head.b", (spec.n_outputs,), False, h_bound)]
    return entries


class Network:
    """Parameters layout, initialisation, forward pass, loss and gradient.

    Parameters
    ----------
    spec : NetworkSpec
    backend : tsgate.backend.Backend
    dtype : numpy dtype
        float32 for training; float64 for the gradient tests.
    """

    def __init__(self, spec, backend, dtype=np.float32):
        if spec.cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {spec.cell!r}")
        self.spec = spec
        self.backend = backend
        self.k = backend.kernels
        self.dtype = np.dtype(dtype)
        self.layout = parameter_layout(spec)
        self.offsets = {}
        offset = 0
        for name, shape, _, _ in self.layout:
            self.offsets[name] = (offset, shape)
            offset += int(np.prod(shape))
        self.size = offset
        self._work = {}
        self._views = []  # [(flat vector, its named views)]: the last two asked for
        # Workspaces are reused from call to call, so one pass at a time:
        # predict and train hold this (re-entrant: training predicts).
        self.lock = threading.RLock()

    # ------------------------------------------------------------------ params
    def init_params(self, rng):
        """Draw initial parameters (host ndarray of shape (P,)) from ``rng``.

        Uniform(-1/sqrt(H), 1/sqrt(H)) as PyTorch does, head and attention by
        fan-in; the LSTM forget-gate bias starts at 1 (Gers et al. 2000).
        """
        flat = np.empty(self.size, dtype=self.dtype)
        H = self.spec.hidden_size
        for name, shape, _, bound in self.layout:
            off, _ = self.offsets[name]
            n = int(np.prod(shape))
            flat[off:off + n] = rng.uniform(-bound, bound, size=n)
            if self.spec.cell == "lstm" and name.endswith(".b"):
                flat[off + H:off + 2 * H] = 1.0
        return flat

    def decay_mask(self):
        """Host vector (P,) with 1 on weight matrices and 0 on biases."""
        mask = np.zeros(self.size, dtype=self.dtype)
        for name, shape, decays, _ in self.layout:
            off, _ = self.offsets[name]
            if decays:
                mask[off:off + int(np.prod(shape))] = 1
        return mask

    def views(self, flat):
        """Dict of named, reshaped views into the flat vector ``flat`` (those of
        the last two vectors are kept: views see in-place updates, prediction
        asks again and again for the same vector, training alternates the
        parameters and the gradient). Key ``"layers"`` lists, per layer and
        direction, the weights a recurrent kernel takes, in its argument order."""
        for last, views in self._views:
            if last is flat:
                return views
        views = {name: flat[off:off + math.prod(shape)].reshape(shape)
                 for name, (off, shape) in self.offsets.items()}
        names = ("W_x", "W_h", "b") if self.spec.cell == "lstm" else ("W_x", "W_h", "b_x", "b_h")
        views["layers"] = [[tuple(views[f"l{layer}.d{d}.{n}"] for n in names)
                            for d in range(self.spec.ndir)] for layer in range(self.spec.num_layers)]
        self._views = [(flat, views), *self._views[:1]]  # training alternates params and grad
        return views

    def work(self, rows, steps):
        """Rough multiply-adds of one pass over ``rows`` windows of ``steps``:
        what ``Backend.kernels_for`` picks serial or parallel kernels by."""
        s = self.spec
        per_step = s.gates * s.hidden_size * (s.hidden_size + max(s.n_features, s.width))
        return rows * steps * per_step * s.num_layers * s.ndir

    def running(self, rows, steps, training):
        """Context of one pass (a fit, a prediction) over batches of ``rows``
        windows of ``steps``: holds the lock and sets ``self.k`` to the
        kernels the backend picks for that size (``Backend.kernels_for``)."""
        n_tiles = self.tiles(rows, training)[0]
        return _Pass(self, self.backend.kernels_for(self.work(rows, steps), n_tiles))

    # ------------------------------------------------------------------- tiles
    def tiles(self, batch, training=True):
        """(NT, BT) for a batch of ``batch`` rows: tiles of at most the
        backend's tile rows (for training or for prediction), as even as
        possible. Depends on the batch alone, never on the thread count, so
        results are bit-identical whatever ``NUMBA_NUM_THREADS`` is."""
        n_tiles = max(1, -(-batch // self.backend.tile_rows(training)))
        if training:  # a batch of two split-sizes or more: at least two tiles, for two threads
            n_tiles = max(n_tiles, min(2, batch // config.TILE_SPLIT_ROWS))
        return n_tiles, -(-batch // n_tiles)

    def workspace(self, n_tiles, rows, steps, grads):
        """Buffers for batches of shape (NT, T, BT); allocated once, reused."""
        key = (n_tiles, rows, steps, grads)
        if key in self._work:
            return self._work[key]
        s, bk = self.spec, self.backend
        NT, T, BT, H, G, D = n_tiles, steps, rows, s.hidden_size, s.gates * s.hidden_size, s.width
        alloc = lambda *shape: bk.empty(shape, self.dtype)  # noqa: E731
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
            if s.dropout > 0:
                entry["dropped"] = alloc(NT, T, BT, D)
            if grads:
                entry["dseq"] = alloc(NT, T, BT, D)
                entry["dmasked"] = alloc(NT, T, BT, D) if s.dropout > 0 else None
            w["layers"].append(entry)
        if s.attention:
            w.update(u=alloc(NT, T, BT, H), alpha=alloc(NT, BT, T), ctx=alloc(NT, BT, D),
                     z=alloc(NT, BT, 2 * D))
        if grads:
            head_in = 2 * D if s.attention else D
            w.update(dpred=alloc(NT, BT, s.n_outputs), dz=alloc(NT, BT, head_in),
                     parts={name: alloc(bk.grad_groups(NT), *shape)
                            for name, (_, shape) in self.offsets.items()})
            if s.attention:
                w.update(du=alloc(NT, T, BT, H), dq=alloc(NT, BT, D), dq_att=alloc(NT, BT, D),
                         dctx=alloc(NT, BT, D))
        self._work[key] = w
        return w

    # ----------------------------------------------------------------- forward
    def forward(self, params, xb, masks=None, grads=False):
        """Run the network on one tiled batch.

        Parameters
        ----------
        params : array of shape (P,)
        xb : array of shape (NT, T, BT, F)
        masks : list of arrays of shape (NT, BT, D), optional
            Dropout masks, one per layer output (training only).
        grads : bool
            Use the workspace that also holds gradient buffers.

        Returns
        -------
        pred : array of shape (NT, BT, O)
            A workspace buffer: copy it before the next call.
        """
        s, k = self.spec, self.k
        NT, T, BT, _ = xb.shape
        w = self.workspace(NT, BT, T, grads)
        p = self.views(params)
        inp = xb
        for layer, (entry, weights) in enumerate(zip(w["layers"], p["layers"])):
            for d, (buf, wts) in enumerate(zip(entry["dirs"], weights)):
                if s.cell == "lstm":  # wts: W_x, W_h, b; reverse for the second direction
                    k.lstm_forward(inp, *wts, d == 1, buf["hs"], buf["cs"], buf["gates"])
                else:  # wts: W_x, W_h, b_x, b_h
                    k.gru_forward(inp, *wts, d == 1, buf["hs"], buf["gates"], buf["hn"])
            if s.ndir == 2:
                k.concat_features(entry["dirs"][0]["hs"], entry["dirs"][1]["hs"], entry["seq"])
            inp = entry["seq"]
            if masks is not None:
                k.apply_mask(inp, masks[layer], entry["dropped"])
                inp = entry["dropped"]
        w["top"] = inp  # (NT, T, BT, D) what the head reads
        k.final_state(inp, s.ndir, w["q"])
        z = w["q"]
        if s.attention:
            k.attention_forward(inp, w["q"], p["att.W_a"], p["att.U_a"], p["att.b_a"],
                                p["att.v"], w["u"], w["alpha"], w["ctx"])
            k.concat_features(w["q"].reshape(NT, 1, BT, s.width), w["ctx"].reshape(NT, 1, BT, s.width),
                              w["z"].reshape(NT, 1, BT, 2 * s.width))
            z = w["z"]
        w["zin"] = z
        k.dense_forward(z, p["head.W"], p["head.b"], w["pred"])
        return w["pred"]

    # ---------------------------------------------------------------- backward
    def loss_and_grad(self, params, xb, yb, grad, loss_kind=0, loss_param=0.0, masks=None):
        """Mean loss over finite targets and its gradient.

        Parameters
        ----------
        params, grad : arrays of shape (P,)
            ``grad`` is assigned.
        xb : array of shape (NT, T, BT, F)
        yb : array of shape (NT, BT, O)
            NaN targets (padding, missing values) are masked out.
        loss_kind, loss_param : int, float
            See ``kernels/cpu/loss.py``.
        masks : list of dropout masks, optional

        Returns
        -------
        loss : float
        """
        s, k = self.spec, self.k
        NT, T, BT, _ = xb.shape
        pred = self.forward(params, xb, masks, grads=True)
        w = self.workspace(NT, BT, T, True)
        p, parts = self.views(params), w["parts"]
        loss = k.loss_forward_backward(pred, yb, loss_kind, loss_param, w["dpred"])
        k.dense_backward(w["zin"], p["head.W"], w["dpred"], w["dz"], parts["head.W"], parts["head.b"])
        top_grad = w["layers"][-1]["dmasked" if masks is not None else "dseq"]
        D = s.width
        if s.attention:
            k.split_features(w["dz"].reshape(NT, 1, BT, 2 * D), w["dq"].reshape(NT, 1, BT, D),
                             w["dctx"].reshape(NT, 1, BT, D))
            k.attention_backward(w["top"], w["q"], p["att.W_a"], p["att.U_a"], p["att.v"], w["u"],
                                 w["alpha"], w["dctx"], w["du"], top_grad, w["dq_att"],
                                 parts["att.W_a"], parts["att.U_a"], parts["att.b_a"], parts["att.v"])
            k.add_into(w["dq"], w["dq_att"])
            dq = w["dq"]
        else:
            k.fill(top_grad, 0)
            dq = w["dz"]
        k.final_state_backward(dq, s.ndir, top_grad)
        for layer in range(s.num_layers - 1, -1, -1):
            entry = w["layers"][layer]
            if masks is not None:
                k.apply_mask(entry["dmasked"], masks[layer], entry["dseq"])
            dirs = entry["dirs"]
            if s.ndir == 2:
                k.split_features(entry["dseq"], dirs[0]["dhs"], dirs[1]["dhs"])
                dh = [dirs[0]["dhs"], dirs[1]["dhs"]]
            else:
                dh = [entry["dseq"]]
            inp = xb if layer == 0 else w["layers"][layer - 1]["dropped" if masks is not None else "seq"]
            for d, buf in enumerate(dirs):
                pre = f"l{layer}.d{d}."
                reverse = d == 1
                if s.cell == "lstm":
                    k.lstm_backward(inp, p[pre + "W_x"], p[pre + "W_h"], reverse, buf["hs"], buf["cs"],
                                    buf["gates"], dh[d], buf["dgx"], buf["dx"],
                                    parts[pre + "W_x"], parts[pre + "W_h"], parts[pre + "b"])
                else:
                    k.gru_backward(inp, p[pre + "W_x"], p[pre + "W_h"], reverse, buf["hs"], buf["gates"],
                                   buf["hn"], dh[d], buf["dgx"], buf["dgh"], buf["dx"],
                                   parts[pre + "W_x"], parts[pre + "W_h"],
                                   parts[pre + "b_x"], parts[pre + "b_h"])
            if layer > 0:
                below = w["layers"][layer - 1]
                target = below["dmasked"] if masks is not None else below["dseq"]
                if s.ndir == 2:
                    k.copy_into(target, dirs[0]["dx"])
                    k.add_into(target, dirs[1]["dx"])
                else:
                    k.copy_into(target, dirs[0]["dx"])
        g = self.views(grad)
        for name, part in parts.items():
            k.reduce_tiles(part.reshape(part.shape[0], -1), g[name].reshape(-1))
        return loss

    # ------------------------------------------------------------- prediction
    def predict(self, params, X, return_attention=False, offsets=None):
        """Forward pass over sample windows X (N, T, F) -> host array (N, O).

        Runs in chunks of ``config.PREDICT_CHUNK`` rows to bound memory. With
        ``return_attention`` (attention networks only) also returns the
        attention weights, host array (N, T). ``offsets`` (N, F), optional,
        are subtracted from every step of each window (see ``pack_batch``).
        """
        bk = self.backend
        N, T, _ = X.shape
        O = self.spec.n_outputs
        chunk = config.PREDICT_CHUNK
        params = bk.to_device(params)  # once per call (no copy on the CPU, none if already there)
        out = np.empty((N, O), dtype=self.dtype)
        alpha = np.empty((N, T), dtype=self.dtype) if return_attention else None
        X_dev = bk.to_device(X)
        off_dev = None if offsets is None else bk.to_device(offsets)
        with self.running(min(N, chunk), T, training=False):
            self._predict_chunks(params, X_dev, off_dev, out, alpha, chunk)
        return (out, alpha) if return_attention else out

    def _predict_chunks(self, params, X_dev, off_dev, out, alpha, chunk):
        k, bk = self.k, self.backend
        N, T, _ = X_dev.shape
        O = self.spec.n_outputs
        in_place = (bk.tile_rows(False) == 1 and off_dev is None
                    and isinstance(X_dev, np.ndarray) and X_dev.dtype == self.dtype
                    and X_dev.flags.c_contiguous)
        for start in range(0, N, chunk):
            stop = min(N, start + chunk)
            if in_place:  # one-row tiles of C-ordered windows: (N, T, F) is (NT, T, 1, F)
                xb = X_dev[start:stop].reshape(stop - start, T, 1, X_dev.shape[2])
            else:
                xb = self.pack_batch(X_dev, off_dev, bk.to_device(np.arange(start, stop, dtype=np.int64)),
                                     stop - start, "x", training=False)
            NT, _, BT, _ = xb.shape
            pred = self.forward(params, xb)
            if BT == 1:  # one row per tile: the tiles are the rows, in order
                out[start:stop] = bk.to_host(pred).reshape(stop - start, O)
            else:
                rows = self._buffer("rows", (stop - start, O))
                k.unpack_rows(pred, rows)
                out[start:stop] = bk.to_host(rows)
            if alpha is not None:
                rows = self._buffer("alpha", (stop - start, T))
                k.unpack_rows(self.workspace(NT, BT, T, False)["alpha"], rows)
                alpha[start:stop] = bk.to_host(rows)

    def pack_batch(self, X_dev, offsets_dev, idx_dev, batch, name="xb", training=True):
        """Gather windows ``X[idx]`` into a tile buffer (NT, T, BT, F), tiled
        for training or for prediction (``tiles``).

        With ``offsets`` (N, F), each window's offset is subtracted from all
        its steps: windows normalized by their own last value are then built
        here, per batch, from a view of one standardized series.
        """
        k = self.k
        N, T, F = X_dev.shape
        NT, BT = self.tiles(batch, training)
        xb = self._buffer(name, (NT, T, BT, F))
        k.pack_windows(X_dev, idx_dev, xb)
        if offsets_dev is not None:
            ob = self._buffer(name + "_offsets", (NT, BT, F))
            k.pack_targets(offsets_dev, idx_dev, ob)
            k.shift_windows(xb, ob)
        return xb

    def _buffer(self, name, shape):
        key = (name,) + tuple(shape)
        if key not in self._work:
            self._work[key] = self.backend.empty(shape, self.dtype)
        return self._work[key]


class _Pass:
    """What ``Network.running`` returns: a context manager that holds the
    network's lock and swaps in the pass's kernels (a plain class: cheaper to
    enter than a generator, which matters at a few microseconds a prediction)."""

    __slots__ = ("net", "kernels", "before")

    def __init__(self, net, kernels):
        self.net, self.kernels, self.before = net, kernels, None

    def __enter__(self):
        self.net.lock.acquire()
        self.before, self.net.k = self.net.k, self.kernels
        return self.kernels

    def __exit__(self, *exc):
        self.net.k = self.before
        self.net.lock.release()
