"""CPU kernels (numba.njit; the plain copies ``fill``, ``copy_into``,
``add_into``, ``final_state`` and its backward are NumPy, see ``sequence.py``).
Same names and arguments as ``kernels.cuda``."""
from .gru import gru_backward, gru_forward
from .head import attention_backward, attention_forward, dense_backward, dense_forward
from .loss import HUBER, MAE, MSE, PINBALL, loss_forward_backward
from .layers import bind as _bind_layers
from .lstm import lstm_backward, lstm_forward
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
    "copy_into", "fill",
    "lstm_layer_forward", "lstm_layer_backward", "gru_layer_forward", "gru_layer_backward",
]
# the layer entry points (every direction per call) over the kernels above
(lstm_layer_forward, lstm_layer_backward, gru_layer_forward,
 gru_layer_backward) = _bind_layers(lstm_forward, lstm_backward, gru_forward, gru_backward)
