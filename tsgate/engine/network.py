"""A network on one backend: its parameter layout, the plans of the pass
shapes it has run (bounded), and chunked prediction.

The pieces live apart: ``layout.py`` (where each weight is in the flat
vector), ``plan.py`` (one pass shape, its kernels and workspace) and
``passes.py`` (forward and backward as free functions of a plan). This class
ties them to a backend and keeps the last few plans of each kind, so a fit
or a service predicting batches of many sizes holds a bounded workspace.
"""
import threading
from collections import OrderedDict

import numpy as np

from .. import config
from .layout import CELLS, Layout, NetworkSpec, parameter_layout
from .passes import forward, loss_and_grad
from .plan import Plan, tiles, work

__all__ = ["CELLS", "Network", "NetworkSpec", "parameter_layout"]


class Network:
    """Parameters layout, initialisation, plans and prediction.

    Parameters
    ----------
    spec : NetworkSpec
    backend : tsgate.backend.Backend
    dtype : numpy dtype
        float32 for training; float64 for the gradient tests.

    Attributes
    ----------
    layout : Layout
    size : int
        P, the number of parameters.
    lock : threading.RLock
        Plans' workspaces serve one pass at a time: ``predict`` and
        ``engine.train`` hold this (re-entrant: training predicts).
    """

    def __init__(self, spec, backend, dtype=np.float32):
        self.spec = spec
        self.backend = backend
        self.dtype = np.dtype(dtype)
        self.layout = Layout(spec)
        self.size = self.layout.size
        self.lock = threading.RLock()
        self._plans = {True: OrderedDict(), False: OrderedDict()}  # by grads, last used last
        self._views = []  # [(flat vector, its named views)]: the last two asked for

    # ------------------------------------------------------------------ params
    def init_params(self, rng):
        """Draw initial parameters (host ndarray of shape (P,)) from ``rng``
        (see ``Layout.init_params``)."""
        return self.layout.init_params(rng, self.dtype)

    def decay_mask(self):
        """Host vector (P,) with 1 on weight matrices and 0 on biases."""
        return self.layout.decay_mask(self.dtype)

    def views(self, flat):
        """Named views into ``flat`` (``Layout.views``); those of the last two
        vectors are kept: views see in-place updates, prediction asks again
        and again for the same vector, training alternates the parameters and
        the gradient."""
        for last, views in self._views:
            if last is flat:
                return views
        views = self.layout.views(flat)
        self._views = [(flat, views), *self._views[:1]]
        return views

    # ------------------------------------------------------------------- plans
    def plan(self, batch, steps, training=True, kernels=None):
        """The plan of a pass over ``batch`` windows of ``steps``.

        Parameters
        ----------
        batch, steps : int
        training : bool
            Tile for training (``config.TILE_ROWS``), with the backward
            buffers, or for prediction, without.
        kernels : module, optional
            Default: what the backend picks for the pass's size.

        Plans are kept per kind (with or without gradients), the last
        ``config.PLANS_KEPT`` used of each: a fit alternates full batches and
        the last, a chunked prediction full chunks and the rest.
        """
        n_tiles, tile_rows = self.tiles(batch, training)
        if kernels is None:
            kernels = self.backend.kernels_for(work(self.spec, batch, steps), n_tiles)
        return self._plan(n_tiles, tile_rows, steps, training, kernels)

    def _plan(self, n_tiles, tile_rows, steps, grads, kernels):
        key = (n_tiles, tile_rows, steps, kernels)
        kept = self._plans[grads]
        plan = kept.get(key)
        if plan is None:
            plan = Plan(self.layout, self.backend, self.dtype, n_tiles, tile_rows, steps, grads,
                        kernels)
            kept[key] = plan
            while len(kept) > config.setting("PLANS_KEPT", 0):
                kept.popitem(last=False)
        else:
            kept.move_to_end(key)
        return plan

    def release_training(self):
        """Drop the plans with backward buffers (a fit's workspace); the
        prediction plans stay."""
        with self.lock:
            self._plans[True].clear()

    def release_predicting(self):
        """Drop the prediction plans (their workspace: a batch's activations)."""
        with self.lock:
            self._plans[False].clear()

    def tiles(self, batch, training=True):
        """(NT, BT) of a batch of ``batch`` rows (``plan.tiles``)."""
        return tiles(self.backend, batch, training, self.spec.hidden_size * self.dtype.itemsize)

    def plan_of(self, xb, grads=False):
        """The plan of tiled batches shaped like ``xb`` (NT, T, BT, F), with
        the kernels the backend picks for that size."""
        NT, T, BT, _ = xb.shape
        return self._plan(NT, BT, T, grads,
                          self.backend.kernels_for(work(self.spec, NT * BT, T), NT))

    def forward(self, params, xb, masks=None):
        """``passes.forward`` of one tiled batch xb (NT, T, BT, F) with the plan
        of its shape: the network's output tiles (NT, BT, O), a workspace
        buffer."""
        return forward(self.plan_of(xb), self.views(params), xb, masks)

    def loss_and_grad(self, params, xb, yb, grad, loss_kind=0, loss_param=0.0, masks=None,
                      out=None, slot=0):
        """``passes.loss_and_grad`` of one tiled batch with the plan of its
        shape; assigns ``grad`` (P,) and returns the loss (or, with ``out``,
        writes it into ``out[slot]`` on the device and returns None)."""
        plan = self.plan_of(xb, grads=True)
        return loss_and_grad(plan, self.views(params), self.views(grad), xb, yb, loss_kind,
                             loss_param, masks, out, slot)

    # ------------------------------------------------------------- prediction
    def predict(self, params, X, return_attention=False):
        """Forward pass over sample windows X (N, T, F) -> host array (N, O).

        Runs in chunks of ``Backend.predict_chunk()`` rows to bound memory
        (``config.PREDICT_CHUNK``, or ``CUDA_PREDICT_CHUNK`` on the GPU). With
        ``return_attention`` (attention networks only) also returns the
        attention weights, host array (N, T).
        """
        bk = self.backend
        N, T, F = X.shape
        O = self.spec.n_outputs
        chunk = bk.predict_chunk()
        out = np.empty((N, O), dtype=self.dtype)
        weights = np.empty((N, T), dtype=self.dtype) if return_attention else None
        with self.lock:
            p = self.views(bk.to_device(params))  # once per call (no copy on the CPU)
            X_dev = bk.to_device(X)
            for start in range(0, N, chunk):
                stop = min(N, start + chunk)
                rows = stop - start
                plan = self.plan(rows, T, training=False)
                if (plan.tile_rows == 1 and isinstance(X_dev, np.ndarray)
                        and X_dev.dtype == self.dtype and X_dev.flags.c_contiguous):
                    xb = X_dev[start:stop].reshape(rows, T, 1, F)  # one-row tiles, in place
                else:
                    idx = bk.to_device(np.arange(start, stop, dtype=np.int64))
                    xb = plan.pack(X_dev, idx)
                pred = forward(plan, p, xb)
                out[start:stop] = self._rows(plan, pred, "rows", rows, O)
                if weights is not None:
                    weights[start:stop] = self._rows(plan, plan.work["weights"], "weight_rows",
                                                     rows, T)
        return (out, weights) if return_attention else out

    def _rows(self, plan, tiled, name, rows, width):
        """Host rows (rows, width) of a tiled array (NT, BT, width), in sample order."""
        bk = self.backend
        if plan.tile_rows == 1:  # one row per tile: the tiles are the rows, in order
            return bk.to_host(tiled).reshape(rows, width)
        buf = plan.buffer(name, rows, width)
        plan.kernels.unpack_rows(tiled, buf)
        return bk.to_host(buf)
