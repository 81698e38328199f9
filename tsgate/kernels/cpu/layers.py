"""A recurrent layer, all its directions in one call: the entry points the
engine runs (``engine/passes.py``), with the same names and arguments on
every backend.

Each weight and buffer argument is a sequence with one entry per direction
(one, or two for a bidirectional layer); direction 1 runs from the last step
to the first. The CUDA backend runs both directions of each recurrence in
ONE launch (a grid of tiles x directions); the CPU runs its per-direction
kernels one after the other, which keeps their arithmetic, and their bits,
as they were.

``bind`` builds these functions over one set of per-direction kernels, so
the serial twins (``serial.py``) get layer functions that call serial
kernels only.
"""


def _wanted(dx, need_dx):
    """``dx`` (NT, T, BT, F), or its view of width 0 when not needed."""
    return dx if need_dx else dx[:, :, :, :0]


def bind(lstm_forward, lstm_backward, gru_forward, gru_backward):
    """The layer functions ``(lstm_layer_forward, lstm_layer_backward,
    gru_layer_forward, gru_layer_backward)`` over these per-direction kernels."""

    def lstm_layer_forward(x, W_x, W_h, b, hs, cs, gates):
        """``lstm_forward`` of every direction d (reversed for d == 1).

        x (NT, T, BT, F) is shared; the others are sequences over the
        directions of the arrays ``lstm_forward`` takes.
        """
        for d in range(len(W_h)):
            lstm_forward(x, W_x[d], W_h[d], b[d], d == 1, hs[d], cs[d], gates[d])

    def lstm_layer_backward(x, W_x, W_h, hs, cs, gates, dhs, dgates, dx, dW_x, dW_h, db,
                            need_dx=True):
        """``lstm_backward`` of every direction d (sequences as in
        ``lstm_layer_forward``). ``need_dx=False`` skips the input gradient
        (layer 0's is never read): the kernel gets a view of ``dx`` of width 0,
        which has the same Numba type (a C array of size 0), so nothing else
        compiles."""
        for d in range(len(W_h)):
            lstm_backward(x, W_x[d], W_h[d], d == 1, hs[d], cs[d], gates[d], dhs[d], dgates[d],
                          _wanted(dx[d], need_dx), dW_x[d], dW_h[d], db[d])

    def gru_layer_forward(x, W_x, W_h, b_x, b_h, hs, gates, hn):
        """``gru_forward`` of every direction d (reversed for d == 1)."""
        for d in range(len(W_h)):
            gru_forward(x, W_x[d], W_h[d], b_x[d], b_h[d], d == 1, hs[d], gates[d], hn[d])

    def gru_layer_backward(x, W_x, W_h, hs, gates, hn, dhs, dgx, dgh, dx, dW_x, dW_h, db_x,
                           db_h, need_dx=True):
        """``gru_backward`` of every direction d (see ``lstm_layer_backward``)."""
        for d in range(len(W_h)):
            gru_backward(x, W_x[d], W_h[d], d == 1, hs[d], gates[d], hn[d], dhs[d], dgx[d],
                         dgh[d], _wanted(dx[d], need_dx), dW_x[d], dW_h[d], db_x[d], db_h[d])

    return lstm_layer_forward, lstm_layer_backward, gru_layer_forward, gru_layer_backward
