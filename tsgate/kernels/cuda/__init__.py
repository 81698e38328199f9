"""CUDA kernels (numba.cuda). Same names and arguments as ``kernels.cpu``.

Every function takes numba device arrays (and Python scalars) with the CPU
twin's shapes and memory contract, and launches its work asynchronously;
``loss_forward_backward`` and ``global_norm`` write their scalar into a
device slot ``out[slot]`` (the training loop's per-epoch slots, read back
once an epoch), or, without ``out``, copy one scalar back. Every launch goes
through ``_config.launch`` (no low-occupancy warnings for tsgate's small
grids); every kernel is compiled with ``cache=True`` where a cache folder
is writable (``tsgate._jitcache``), in memory elsewhere. Host numpy arrays
are refused (TypeError) rather than silently copied on every call.
Tunables: ``tsgate.config.CUDA_THREADS`` and ``kernels/cuda/_config.py``. Runs on Numba's CUDA simulator too
(``NUMBA_ENABLE_CUDASIM=1``), which is how the tests check it without a GPU.
"""
from .gru import gru_backward, gru_forward, gru_layer_backward, gru_layer_forward
from .head import attention_backward, attention_forward, dense_backward, dense_forward
from .loss import HUBER, MAE, MSE, PINBALL, loss_forward_backward
from .lstm import lstm_backward, lstm_forward, lstm_layer_backward, lstm_layer_forward
from .optim import adam_step, global_norm, reduce_partials, reduce_tiles
from .sequence import (add_into, apply_mask, concat_features, copy_into, fill, final_state,
                       final_state_backward, pack_targets, pack_windows,
                       split_features, unpack_rows)

__all__ = [
    "lstm_forward", "lstm_backward", "gru_forward", "gru_backward",
    "dense_forward", "dense_backward", "attention_forward", "attention_backward",
    "loss_forward_backward", "MSE", "MAE", "HUBER", "PINBALL",
    "reduce_tiles", "reduce_partials", "global_norm", "adam_step",
    "pack_windows", "pack_targets", "unpack_rows", "concat_features",
    "split_features", "final_state", "final_state_backward", "apply_mask", "add_into",
    "copy_into", "fill", "lstm_layer_forward", "lstm_layer_backward", "gru_layer_forward",
    "gru_layer_backward",
]
