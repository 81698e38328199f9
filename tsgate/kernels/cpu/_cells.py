"""The cell math of ``kernels/cellmath.py`` compiled for the CPU kernels.

Plain ``njit`` functions with the kernels' options (``error_model="numpy"``
above all: a division check would stop the gate loops from vectorizing).
They hold no calls, so LLVM inlines each into the loop that calls it and the
loop vectorizes as if the formula were written there: the kernels that call
them compile to as many calls and as many scalar float instructions as when
the formulas were written in place, with bit-identical results, so Numba's
own ``inline="always"`` (IR inlining, retyped per call site) is not needed.
One name per ``cellmath`` function.

Numba's cache does not see an edit of ``cellmath.py`` in the kernels that
inline these: see ``_config.py`` for the cache files to delete.
"""
from numba import njit

from .. import cellmath as _m
from ._config import INNER


def _cpu(f):
    return njit(**INNER)(f)


lstm_c = _cpu(_m.lstm_c)
lstm_h = _cpu(_m.lstm_h)
lstm_dc = _cpu(_m.lstm_dc)
lstm_do = _cpu(_m.lstm_do)
lstm_di = _cpu(_m.lstm_di)
lstm_dg = _cpu(_m.lstm_dg)
lstm_df = _cpu(_m.lstm_df)
lstm_dc_prev = _cpu(_m.lstm_dc_prev)
gru_n_input = _cpu(_m.gru_n_input)
gru_h = _cpu(_m.gru_h)
gru_dn = _cpu(_m.gru_dn)
gru_dhn = _cpu(_m.gru_dhn)
gru_dr = _cpu(_m.gru_dr)
gru_dz = _cpu(_m.gru_dz)
gru_dh_prev = _cpu(_m.gru_dh_prev)
attention_dscore = _cpu(_m.attention_dscore)
attention_du = _cpu(_m.attention_du)
loss_element = _cpu(_m.loss_element)
adam_scales = _cpu(_m.adam_scales)
adam_update = _cpu(_m.adam_update)
