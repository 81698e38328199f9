"""The cell math of ``kernels/cellmath.py`` compiled as CUDA device functions.

Each is inlined into the kernels that call it (``inline=True``), so a kernel
is the same code as when the formulas were written in it. Under Numba's CUDA
simulator these are the plain Python functions, run per simulated thread.
``cellmath.adam_scales`` runs on the host (``optim.py``) and is not compiled.
"""
from numba import cuda

from .. import cellmath as _m


def _device(f):
    return cuda.jit(device=True, inline=True)(f)


lstm_c = _device(_m.lstm_c)
lstm_h = _device(_m.lstm_h)
lstm_dc = _device(_m.lstm_dc)
lstm_do = _device(_m.lstm_do)
lstm_di = _device(_m.lstm_di)
lstm_dg = _device(_m.lstm_dg)
lstm_df = _device(_m.lstm_df)
lstm_dc_prev = _device(_m.lstm_dc_prev)
gru_n_input = _device(_m.gru_n_input)
gru_h = _device(_m.gru_h)
gru_dn = _device(_m.gru_dn)
gru_dhn = _device(_m.gru_dhn)
gru_dr = _device(_m.gru_dr)
gru_dz = _device(_m.gru_dz)
gru_dh_prev = _device(_m.gru_dh_prev)
attention_dscore = _device(_m.attention_dscore)
attention_du = _device(_m.attention_du)
loss_element = _device(_m.loss_element)
adam_update = _device(_m.adam_update)
