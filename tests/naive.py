"""Slow, obviously correct references for every kernel, in float64 NumPy.

Written from design/equations.md, independently of ``tsgate.kernels`` (and of
``kernels/cellmath.py``, which both devices compile): the CPU and the CUDA
kernels are each compared with these, never with each other, so a bug in one
device's kernel cannot become the other's reference. The backward passes are
themselves checked against finite differences of the forward passes
(``tests/test_naive_reference.py``).

Layout: batch-major ``(N, T, X)`` sequences and ``(N, X)`` rows, the plain
layout of the math; ``tile``/``untile`` convert to and from the kernels'
``(NT, T, BT, X)`` tiles. Gate order i, f, g, o (LSTM) and r, z, n (GRU),
as in the kernels and PyTorch. ``reverse`` runs a layer from the last step to
the first. Every function returns new float64 arrays.
"""
import numpy as np

# ------------------------------------------------------------------ layout


def untile(a):
    """(NT, T, BT, X) tiles -> (NT*BT, T, X); (NT, BT, X) -> (NT*BT, X), as float64."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 4:
        NT, T, BT, X = a.shape
        return a.transpose(0, 2, 1, 3).reshape(NT * BT, T, X)
    NT, BT, X = a.shape
    return a.reshape(NT * BT, X)


def tile(a, NT, dtype=np.float64):
    """Inverse of ``untile`` for NT tiles, as a C-contiguous ``dtype`` array."""
    a = np.asarray(a)
    if a.ndim == 3:
        N, T, X = a.shape
        out = a.reshape(NT, N // NT, T, X).transpose(0, 2, 1, 3)
    else:
        N, X = a.shape
        out = a.reshape(NT, N // NT, X)
    return np.ascontiguousarray(out, dtype=dtype)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _steps(T, reverse):
    """Steps in processing order."""
    return list(range(T - 1, -1, -1)) if reverse else list(range(T))


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


# ------------------------------------------------------------------ LSTM


def lstm_forward(x, W_x, W_h, b, reverse):
    """One LSTM layer. x (N, T, F), W_x (F, 4H), W_h (H, 4H), b (4H,).

    Returns hs, cs (N, T, H) and the activated gates (N, T, 4H).
    """
    x, W_x, W_h, b = _f64(x, W_x, W_h, b)
    N, T, _ = x.shape
    H = W_h.shape[0]
    h = np.zeros((N, H))
    c = np.zeros((N, H))
    hs = np.zeros((N, T, H))
    cs = np.zeros((N, T, H))
    gates = np.zeros((N, T, 4 * H))
    for t in _steps(T, reverse):
        a = x[:, t] @ W_x + h @ W_h + b  # (N, 4H)
        i = sigmoid(a[:, :H])
        f = sigmoid(a[:, H:2 * H])
        g = np.tanh(a[:, 2 * H:3 * H])
        o = sigmoid(a[:, 3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs[:, t], cs[:, t] = h, c
        gates[:, t] = np.concatenate([i, f, g, o], axis=1)
    return hs, cs, gates


def lstm_backward(x, W_x, W_h, b, reverse, dhs):
    """Gradients of ``sum(dhs * hs)`` for ``hs = lstm_forward(...)``.

    Returns dx (N, T, F), dW_x, dW_h, db, and the gate pre-activation
    gradients da (N, T, 4H).
    """
    x, W_x, W_h, b, dhs = _f64(x, W_x, W_h, b, dhs)
    hs, cs, gates = lstm_forward(x, W_x, W_h, b, reverse)
    N, T, _ = x.shape
    H = W_h.shape[0]
    dx = np.zeros_like(x)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    da = np.zeros((N, T, 4 * H))
    dh_next = np.zeros((N, H))  # gradient reaching h_t from step t+1 (in processing order)
    dc_next = np.zeros((N, H))  # gradient reaching c_t from step t+1
    order = _steps(T, reverse)
    for n, t in reversed(list(enumerate(order))):
        h_prev = hs[:, order[n - 1]] if n > 0 else np.zeros((N, H))
        c_prev = cs[:, order[n - 1]] if n > 0 else np.zeros((N, H))
        i, f, g, o = (gates[:, t, q * H:(q + 1) * H] for q in range(4))
        tc = np.tanh(cs[:, t])
        dh = dhs[:, t] + dh_next
        dc = dh * o * (1 - tc ** 2) + dc_next
        d_i = dc * g * i * (1 - i)
        d_f = dc * c_prev * f * (1 - f)
        d_g = dc * i * (1 - g ** 2)
        d_o = dh * tc * o * (1 - o)
        a = np.concatenate([d_i, d_f, d_g, d_o], axis=1)  # (N, 4H)
        da[:, t] = a
        dx[:, t] = a @ W_x.T
        dW_x += x[:, t].T @ a
        dW_h += h_prev.T @ a
        db += a.sum(axis=0)
        dh_next = a @ W_h.T
        dc_next = dc * f
    return dx, dW_x, dW_h, db, da


# ------------------------------------------------------------------ GRU


def gru_forward(x, W_x, W_h, b_x, b_h, reverse):
    """One GRU layer (PyTorch's form). x (N, T, F), W_x (F, 3H), W_h (H, 3H).

    Returns hs (N, T, H), the activated gates r, z, n (N, T, 3H) and the
    hidden-side candidate term hn = h_{t-1} W_hn + b_hn (N, T, H).
    """
    x, W_x, W_h, b_x, b_h = _f64(x, W_x, W_h, b_x, b_h)
    N, T, _ = x.shape
    H = W_h.shape[0]
    h = np.zeros((N, H))
    hs = np.zeros((N, T, H))
    hn = np.zeros((N, T, H))
    gates = np.zeros((N, T, 3 * H))
    for t in _steps(T, reverse):
        gx = x[:, t] @ W_x + b_x  # (N, 3H)
        gh = h @ W_h + b_h
        r = sigmoid(gx[:, :H] + gh[:, :H])
        z = sigmoid(gx[:, H:2 * H] + gh[:, H:2 * H])
        n = np.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
        h = (1 - z) * n + z * h
        hs[:, t], hn[:, t] = h, gh[:, 2 * H:]
        gates[:, t] = np.concatenate([r, z, n], axis=1)
    return hs, gates, hn


def gru_backward(x, W_x, W_h, b_x, b_h, reverse, dhs):
    """Gradients of ``sum(dhs * hs)`` for ``hs = gru_forward(...)[0]``.

    Returns dx, dW_x, dW_h, db_x, db_h, and the input-side and hidden-side
    pre-activation gradients dgx, dgh (N, T, 3H).
    """
    x, W_x, W_h, b_x, b_h, dhs = _f64(x, W_x, W_h, b_x, b_h, dhs)
    hs, gates, hn = gru_forward(x, W_x, W_h, b_x, b_h, reverse)
    N, T, _ = x.shape
    H = W_h.shape[0]
    dx = np.zeros_like(x)
    dW_x, dW_h = np.zeros_like(W_x), np.zeros_like(W_h)
    db_x, db_h = np.zeros_like(b_x), np.zeros_like(b_h)
    dgx = np.zeros((N, T, 3 * H))
    dgh = np.zeros((N, T, 3 * H))
    dh_next = np.zeros((N, H))
    order = _steps(T, reverse)
    for k, t in reversed(list(enumerate(order))):
        h_prev = hs[:, order[k - 1]] if k > 0 else np.zeros((N, H))
        r, z, n = (gates[:, t, q * H:(q + 1) * H] for q in range(3))
        dh = dhs[:, t] + dh_next
        d_n = dh * (1 - z) * (1 - n ** 2)  # pre-activation of n
        d_z = dh * (h_prev - n) * z * (1 - z)
        d_r = d_n * hn[:, t] * r * (1 - r)
        ax = np.concatenate([d_r, d_z, d_n], axis=1)  # (N, 3H)
        ah = np.concatenate([d_r, d_z, d_n * r], axis=1)
        dgx[:, t], dgh[:, t] = ax, ah
        dx[:, t] = ax @ W_x.T
        dW_x += x[:, t].T @ ax
        dW_h += h_prev.T @ ah
        db_x += ax.sum(axis=0)
        db_h += ah.sum(axis=0)
        dh_next = dh * z + ah @ W_h.T
    return dx, dW_x, dW_h, db_x, db_h, dgx, dgh


# ------------------------------------------------------------------ head


def dense_forward(z, W, b):
    """out = z W + b; z (N, D)."""
    z, W, b = _f64(z, W, b)
    return z @ W + b


def dense_backward(z, W, dout):
    """dz, dW, db of ``sum(dout * dense_forward(z, W, b))``."""
    z, W, dout = _f64(z, W, dout)
    return dout @ W.T, z.T @ dout, dout.sum(axis=0)


def attention_forward(hseq, q, W_a, U_a, b_a, v):
    """Additive attention: ``u_t = tanh(h_t W_a + q U_a + b_a)``, ``e_t = v . u_t``,
    ``w = softmax_t(e)``, ``ctx = sum_t w_t h_t``. hseq (N, T, D), q (N, D).

    Returns u (N, T, A), w (N, T), ctx (N, D).
    """
    hseq, q, W_a, U_a, b_a, v = _f64(hseq, q, W_a, U_a, b_a, v)
    N, T, D = hseq.shape
    u = np.tanh(hseq @ W_a + (q @ U_a)[:, None, :] + b_a)  # (N, T, A)
    e = u @ v  # (N, T)
    w = np.exp(e - e.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    ctx = np.zeros((N, D))
    for t in range(T):
        ctx += w[:, t:t + 1] * hseq[:, t]
    return u, w, ctx


def attention_backward(hseq, q, W_a, U_a, b_a, v, dctx):
    """Gradients of ``sum(dctx * ctx)``.

    Returns dhseq (N, T, D), dq (N, D), dW_a, dU_a (D, A), db_a, dv (A,),
    and the pre-activation gradients du (N, T, A).
    """
    hseq, q, W_a, U_a, b_a, v, dctx = _f64(hseq, q, W_a, U_a, b_a, v, dctx)
    u, w, _ = attention_forward(hseq, q, W_a, U_a, b_a, v)
    N, T, D = hseq.shape
    dw = np.einsum("nd,ntd->nt", dctx, hseq)  # (N, T) gradient of the weights
    de = np.zeros((N, T))  # softmax Jacobian, written out: dw_s/de_t = w_s (delta_st - w_t)
    for n in range(N):
        J = np.diag(w[n]) - np.outer(w[n], w[n])
        de[n] = J.T @ dw[n]
    dv = np.einsum("nt,nta->a", de, u)
    du = de[:, :, None] * v * (1 - u ** 2)  # (N, T, A)
    dhseq = du @ W_a.T + w[:, :, None] * dctx[:, None, :]
    S = du.sum(axis=1)  # (N, A)
    dq = S @ U_a.T
    dW_a = np.einsum("ntd,nta->da", hseq, du)
    dU_a = q.T @ S
    db_a = S.sum(axis=0)
    return dhseq, dq, dW_a, dU_a, db_a, dv, du


# ------------------------------------------------------------------ loss

MSE, MAE, HUBER, PINBALL = 0, 1, 2, 3


def loss(pred, target, kind, param):
    """Mean loss over the finite targets and its gradient w.r.t. ``pred``.

    ``e = pred - target``; MSE ``e^2``, MAE ``|e|``, Huber (delta = param)
    ``e^2/2`` if ``|e| <= delta`` else ``delta (|e| - delta/2)``, pinball
    (quantile = param) on ``y - pred``: ``max(q (y - pred), (q - 1) (y - pred))``.
    NaN targets count for nothing and get a zero gradient. Returns (value, grad).
    """
    pred, target = _f64(pred, target)
    ok = ~np.isnan(target)
    e = np.where(ok, pred - np.where(ok, target, 0.0), 0.0)
    if kind == MSE:
        val, der = e ** 2, 2 * e
    elif kind == MAE:
        val, der = np.abs(e), np.sign(e)
    elif kind == HUBER:
        small = np.abs(e) <= param
        val = np.where(small, 0.5 * e ** 2, param * (np.abs(e) - 0.5 * param))
        der = np.where(small, e, param * np.sign(e))
    elif kind == PINBALL:
        y_minus_pred = -e
        val = np.maximum(param * y_minus_pred, (param - 1) * y_minus_pred)
        der = np.where(y_minus_pred > 0, -param, 1 - param)  # d/dpred
        der = np.where(y_minus_pred == 0, -param, der)  # the kernels' side of the kink
    else:
        raise ValueError(kind)
    count = max(int(ok.sum()), 1)
    return float(val[ok].sum() / count), np.where(ok, der, 0.0) / count


# ------------------------------------------------------------------ optimizer


def global_norm(grad):
    """sqrt(sum grad^2)."""
    return float(np.sqrt(np.sum(np.asarray(grad, dtype=np.float64) ** 2)))


def adam(params, grad, m, v, decay_mask, step, lr, beta1, beta2, eps,
         alpha, weight_decay, grad_scale):
    """Textbook Adam/AdamW step; returns new (params, m, v).

    ``g = grad_scale * grad + alpha * mask * params`` (clip factor, L2
    penalty), bias-corrected moments ``m_hat = m / (1 - beta1^t)``, ``v_hat =
    v / (1 - beta2^t)``, ``params -= lr * m_hat / (sqrt(v_hat) + eps)``, and
    decoupled decay ``params -= lr * weight_decay * mask * params_old``.
    """
    p, grad, m, v, mask = _f64(params, grad, m, v, decay_mask)
    g = grad_scale * grad + alpha * mask * p
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat = m / (1 - beta1 ** step)
    v_hat = v / (1 - beta2 ** step)
    new = p - lr * m_hat / (np.sqrt(v_hat) + eps) - lr * weight_decay * mask * p
    return new, m, v
