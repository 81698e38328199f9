"""The parameters of a network: its shape (:class:`NetworkSpec`) and where
each weight lives in ONE flat vector (:class:`Layout`).

One flat vector means the optimizer, clipping and device copies are single
passes; named views give each kernel its matrices. Nothing here knows about
batches, tiles or kernels (``plan.py``), nor runs anything (``passes.py``).
"""
import math
from dataclasses import dataclass

import numpy as np

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

    def __post_init__(self):
        # plain Python numbers, whatever the settings came as (np.int64 from a
        # grid built with np.arange): the spec is saved as JSON and hashed
        for name, kind in (("cell", str), ("n_features", int), ("hidden_size", int),
                           ("n_outputs", int), ("num_layers", int), ("bidirectional", bool),
                           ("attention", bool), ("dropout", float)):
            object.__setattr__(self, name, kind(getattr(self, name)))

    def changes(self, other):
        """What differs from ``other``'s shape, as text ("n_outputs 3 -> 5");
        empty where nothing does. Dropout is no part of the shape: the
        weights carry over a change of it (a warm start that only set
        dropout trained from new weights, R^2 0.999 -> 0.08)."""
        names = ("cell", "n_features", "hidden_size", "n_outputs", "num_layers",
                 "bidirectional", "attention")
        return ", ".join(f"{n} {getattr(self, n)} -> {getattr(other, n)}" for n in names
                         if getattr(self, n) != getattr(other, n))

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

    @property
    def head_in(self):
        """Width of what the dense head reads: D, or 2D with attention."""
        return 2 * self.width if self.attention else self.width


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
    if spec.attention:
        a_bound = 1.0 / math.sqrt(D)
        entries += [("att.W_a", (D, H), True, a_bound), ("att.U_a", (D, H), True, a_bound),
                    ("att.b_a", (H,), False, a_bound), ("att.v", (H,), True, 1.0 / math.sqrt(H))]
    h_bound = 1.0 / math.sqrt(spec.head_in)
    entries += [("head.W", (spec.head_in, spec.n_outputs), True, h_bound),
                ("head.b", (spec.n_outputs,), False, h_bound)]
    return entries


class Layout:
    """Offsets of the named weights in the flat parameter vector of ``spec``.

    Attributes
    ----------
    entries : list of (name, shape, decays, init_bound)
    offsets : dict name -> (offset, shape)
    size : int
        P, the length of the flat vector.
    """

    def __init__(self, spec):
        if spec.cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {spec.cell!r}")
        self.spec = spec
        self.entries = parameter_layout(spec)
        self.offsets = {}
        offset = 0
        for name, shape, _, _ in self.entries:
            self.offsets[name] = (offset, shape)
            offset += math.prod(shape)
        self.size = offset

    def init_params(self, rng, dtype):
        """Initial parameters, host ndarray (P,) drawn from ``rng``.

        Uniform(-1/sqrt(H), 1/sqrt(H)) as PyTorch does, head and attention by
        fan-in; the LSTM forget-gate bias starts at 1 (Gers et al. 2000).
        """
        flat = np.empty(self.size, dtype=dtype)
        H = self.spec.hidden_size
        for name, shape, _, bound in self.entries:
            off, _ = self.offsets[name]
            n = math.prod(shape)
            flat[off:off + n] = rng.uniform(-bound, bound, size=n)
            if self.spec.cell == "lstm" and name.endswith(".b"):
                flat[off + H:off + 2 * H] = 1.0
        return flat

    def decay_mask(self, dtype):
        """Host vector (P,) with 1 on weight matrices and 0 on biases."""
        mask = np.zeros(self.size, dtype=dtype)
        for name, shape, decays, _ in self.entries:
            off, _ = self.offsets[name]
            if decays:
                mask[off:off + math.prod(shape)] = 1
        return mask

    def views(self, flat):
        """Dict of named, reshaped views into ``flat`` (P,), on any device.

        Key ``"layers"`` lists, per layer and direction, the weights a
        recurrent kernel takes, in its argument order; ``"layer_args"``, per
        layer, those weights grouped by name over the directions (what the
        layer kernels take); key ``"flat"`` is ``flat`` itself.
        """
        views = {name: flat[off:off + math.prod(shape)].reshape(shape)
                 for name, (off, shape) in self.offsets.items()}
        names = ("W_x", "W_h", "b") if self.spec.cell == "lstm" else ("W_x", "W_h", "b_x", "b_h")
        views["layers"] = [[tuple(views[f"l{layer}.d{d}.{n}"] for n in names)
                            for d in range(self.spec.ndir)] for layer in range(self.spec.num_layers)]
        # per layer, per weight name, the tuple over the directions: the
        # arguments of a layer kernel (``kernels/cpu/layers.py``), built once
        views["layer_args"] = [tuple(zip(*dirs)) for dirs in views["layers"]]
        views["flat"] = flat
        return views
