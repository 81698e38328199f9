"""The cell math of ``kernels/cellmath.py`` compiled for the CPU kernels.

``njit`` functions with the kernels' options (``error_model="numpy"``
above all: a division check would stop the gate loops from vectorizing),
inlined by Numba into each kernel that calls them (``inline="always"``: the
formula's IR is typed in the caller as if written there). Each one compiled
as a function of its own costed a compile of its own on a first run (about
0.05 CPU s each, eleven on the default LSTM's path) for code that LLVM
inlined into the calling loop anyway; the kernels' machine code is the same
either way (they hold no calls), and so are the results, bit for bit.
One name per ``cellmath`` function.

Except the loss element and Adam's update: each called from one loop of
one kernel, with branches and returned tuples that Numba's IR inliner
copies slowly. Compiled as functions of their own (which LLVM then
inlines), the loss and Adam kernels compile in 0.27 s instead of 0.38 s
each on a first run, callees included (``benchmarks/README.md``), with the
same results. ``cellmath.adam_scales`` runs on the host, as on CUDA.

Numba's cache does not see an edit of ``cellmath.py`` in the kernels that
inline these: see ``_config.py`` for the cache files to delete.
"""

from .. import cellmath as _m
from ._config import INNER, njit


def _cpu(f, inline="always"):
    return njit(**INNER, inline=inline)(f)


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
loss_element = _cpu(_m.loss_element, inline="never")
adam_update = _cpu(_m.adam_update, inline="never")
