"""Each kernel of a device against ``tests/naive.py``: one set of checks for both.

``tests/test_naive_reference.py`` runs them on ``tsgate.kernels.cpu`` (and its
serial twins), ``tests/cuda/test_cuda_naive.py`` on ``tsgate.kernels.cuda``
under a GPU or the simulator. A check takes the kernel module ``K``, ``dev``
(host array -> the array the kernels take) and ``host`` (the reverse).
Outputs start as NaN, so an element a kernel forgets to assign fails.
Parameter gradients are per-group partials; their sum over the groups is
compared.
"""
import numpy as np

from tests import naive
from tests.conftest import rand

# tile count, steps, rows per tile, features, hidden, attention width, outputs, groups
NT, T, BT, F, H, A, O, NG = 3, 4, 2, 3, 4, 3, 2, 2


def tolerance(dtype):
    """float64: the same math rounded differently; float32: against float64."""
    if np.dtype(dtype) == np.float64:
        return dict(rtol=1e-10, atol=1e-12)
    return dict(rtol=1e-4, atol=2e-5)


def _nans(dev, shape, dtype):
    return dev(np.full(shape, np.nan, dtype=dtype))


def _close(actual, expected, dtype, what):
    np.testing.assert_allclose(actual, expected, err_msg=what, **tolerance(dtype))


def check_lstm(K, dev, host, dtype, reverse, seed=0):
    rng = np.random.default_rng(seed)
    x = rand(rng, NT, T, BT, F, dtype=dtype, scale=0.7)
    W_x = rand(rng, F, 4 * H, dtype=dtype, scale=0.7)
    W_h = rand(rng, H, 4 * H, dtype=dtype, scale=0.7)
    b = rand(rng, 4 * H, dtype=dtype, scale=0.7)
    dhs = rand(rng, NT, T, BT, H, dtype=dtype, scale=0.7)
    d = {k: dev(v) for k, v in dict(x=x, W_x=W_x, W_h=W_h, b=b, dhs=dhs).items()}
    hs, cs = _nans(dev, (NT, T, BT, H), dtype), _nans(dev, (NT, T, BT, H), dtype)
    gates = _nans(dev, (NT, T, BT, 4 * H), dtype)
    K.lstm_forward(d["x"], d["W_x"], d["W_h"], d["b"], reverse, hs, cs, gates)
    ref_hs, ref_cs, ref_gates = naive.lstm_forward(naive.untile(x), W_x, W_h, b, reverse)
    _close(naive.untile(host(hs)), ref_hs, dtype, "hs")
    _close(naive.untile(host(cs)), ref_cs, dtype, "cs")
    _close(naive.untile(host(gates)), ref_gates, dtype, "gates")

    dgates, dx = _nans(dev, (NT, T, BT, 4 * H), dtype), _nans(dev, (NT, T, BT, F), dtype)
    dW_x, dW_h = _nans(dev, (NG, F, 4 * H), dtype), _nans(dev, (NG, H, 4 * H), dtype)
    db = _nans(dev, (NG, 4 * H), dtype)
    K.lstm_backward(d["x"], d["W_x"], d["W_h"], reverse, hs, cs, gates, d["dhs"],
                    dgates, dx, dW_x, dW_h, db)
    ref = naive.lstm_backward(naive.untile(x), W_x, W_h, b, reverse, naive.untile(dhs))
    _close(naive.untile(host(dx)), ref[0], dtype, "dx")
    _close(host(dW_x).sum(axis=0), ref[1], dtype, "dW_x")
    _close(host(dW_h).sum(axis=0), ref[2], dtype, "dW_h")
    _close(host(db).sum(axis=0), ref[3], dtype, "db")
    _close(naive.untile(host(dgates)), ref[4], dtype, "dgates")


def check_gru(K, dev, host, dtype, reverse, seed=1):
    rng = np.random.default_rng(seed)
    x = rand(rng, NT, T, BT, F, dtype=dtype, scale=0.7)
    W_x = rand(rng, F, 3 * H, dtype=dtype, scale=0.7)
    W_h = rand(rng, H, 3 * H, dtype=dtype, scale=0.7)
    b_x, b_h = rand(rng, 3 * H, dtype=dtype, scale=0.7), rand(rng, 3 * H, dtype=dtype, scale=0.7)
    dhs = rand(rng, NT, T, BT, H, dtype=dtype, scale=0.7)
    d = {k: dev(v) for k, v in dict(x=x, W_x=W_x, W_h=W_h, b_x=b_x, b_h=b_h, dhs=dhs).items()}
    hs, hn = _nans(dev, (NT, T, BT, H), dtype), _nans(dev, (NT, T, BT, H), dtype)
    gates = _nans(dev, (NT, T, BT, 3 * H), dtype)
    K.gru_forward(d["x"], d["W_x"], d["W_h"], d["b_x"], d["b_h"], reverse, hs, gates, hn)
    ref_hs, ref_gates, ref_hn = naive.gru_forward(naive.untile(x), W_x, W_h, b_x, b_h, reverse)
    _close(naive.untile(host(hs)), ref_hs, dtype, "hs")
    _close(naive.untile(host(gates)), ref_gates, dtype, "gates")
    _close(naive.untile(host(hn)), ref_hn, dtype, "hn")

    dgx, dgh = _nans(dev, (NT, T, BT, 3 * H), dtype), _nans(dev, (NT, T, BT, 3 * H), dtype)
    dx = _nans(dev, (NT, T, BT, F), dtype)
    dW_x, dW_h = _nans(dev, (NG, F, 3 * H), dtype), _nans(dev, (NG, H, 3 * H), dtype)
    db_x, db_h = _nans(dev, (NG, 3 * H), dtype), _nans(dev, (NG, 3 * H), dtype)
    K.gru_backward(d["x"], d["W_x"], d["W_h"], reverse, hs, gates, hn, d["dhs"], dgx, dgh,
                   dx, dW_x, dW_h, db_x, db_h)
    ref = naive.gru_backward(naive.untile(x), W_x, W_h, b_x, b_h, reverse, naive.untile(dhs))
    _close(naive.untile(host(dx)), ref[0], dtype, "dx")
    _close(host(dW_x).sum(axis=0), ref[1], dtype, "dW_x")
    _close(host(dW_h).sum(axis=0), ref[2], dtype, "dW_h")
    _close(host(db_x).sum(axis=0), ref[3], dtype, "db_x")
    _close(host(db_h).sum(axis=0), ref[4], dtype, "db_h")
    _close(naive.untile(host(dgx)), ref[5], dtype, "dgx")
    _close(naive.untile(host(dgh)), ref[6], dtype, "dgh")


def check_dense(K, dev, host, dtype, seed=2):
    rng = np.random.default_rng(seed)
    D = 2 * H
    z, W, b = rand(rng, NT, BT, D, dtype=dtype, scale=0.7), rand(rng, D, O, dtype=dtype, scale=0.7), rand(rng, O, dtype=dtype, scale=0.7)
    dout = rand(rng, NT, BT, O, dtype=dtype, scale=0.7)
    out = _nans(dev, (NT, BT, O), dtype)
    K.dense_forward(dev(z), dev(W), dev(b), out)
    _close(naive.untile(host(out)), naive.dense_forward(naive.untile(z), W, b), dtype, "out")
    dz, dW, db = _nans(dev, (NT, BT, D), dtype), _nans(dev, (NG, D, O), dtype), _nans(dev, (NG, O), dtype)
    K.dense_backward(dev(z), dev(W), dev(dout), dz, dW, db)
    ref = naive.dense_backward(naive.untile(z), W, naive.untile(dout))
    _close(naive.untile(host(dz)), ref[0], dtype, "dz")
    _close(host(dW).sum(axis=0), ref[1], dtype, "dW")
    _close(host(db).sum(axis=0), ref[2], dtype, "db")


def check_attention(K, dev, host, dtype, seed=3):
    rng = np.random.default_rng(seed)
    D = H
    hseq, q = rand(rng, NT, T, BT, D, dtype=dtype, scale=0.7), rand(rng, NT, BT, D, dtype=dtype, scale=0.7)
    W_a, U_a = rand(rng, D, A, dtype=dtype, scale=0.7), rand(rng, D, A, dtype=dtype, scale=0.7)
    b_a, v = rand(rng, A, dtype=dtype, scale=0.7), rand(rng, A, dtype=dtype, scale=2.0)
    dctx = rand(rng, NT, BT, D, dtype=dtype, scale=0.7)
    d = {k: dev(a) for k, a in dict(hseq=hseq, q=q, W_a=W_a, U_a=U_a, b_a=b_a, v=v, dctx=dctx).items()}
    u, weights = _nans(dev, (NT, T, BT, A), dtype), _nans(dev, (NT, BT, T), dtype)
    ctx = _nans(dev, (NT, BT, D), dtype)
    K.attention_forward(d["hseq"], d["q"], d["W_a"], d["U_a"], d["b_a"], d["v"], u, weights, ctx)
    H_, Q = naive.untile(hseq), naive.untile(q)
    ref_u, ref_w, ref_ctx = naive.attention_forward(H_, Q, W_a, U_a, b_a, v)
    _close(naive.untile(host(u)), ref_u, dtype, "u")
    _close(naive.untile(host(weights)), ref_w, dtype, "weights")  # (NT, BT, T) rows
    _close(naive.untile(host(ctx)), ref_ctx, dtype, "ctx")

    du, dhseq = _nans(dev, (NT, T, BT, A), dtype), _nans(dev, (NT, T, BT, D), dtype)
    dq = _nans(dev, (NT, BT, D), dtype)
    dW_a, dU_a = _nans(dev, (NG, D, A), dtype), _nans(dev, (NG, D, A), dtype)
    db_a, dv = _nans(dev, (NG, A), dtype), _nans(dev, (NG, A), dtype)
    K.attention_backward(d["hseq"], d["q"], d["W_a"], d["U_a"], d["v"], u, weights, d["dctx"],
                         du, dhseq, dq, dW_a, dU_a, db_a, dv)
    ref = naive.attention_backward(H_, Q, W_a, U_a, b_a, v, naive.untile(dctx))
    _close(naive.untile(host(dhseq)), ref[0], dtype, "dhseq")
    _close(naive.untile(host(dq)), ref[1], dtype, "dq")
    _close(host(dW_a).sum(axis=0), ref[2], dtype, "dW_a")
    _close(host(dU_a).sum(axis=0), ref[3], dtype, "dU_a")
    _close(host(db_a).sum(axis=0), ref[4], dtype, "db_a")
    _close(host(dv).sum(axis=0), ref[5], dtype, "dv")
    _close(naive.untile(host(du)), ref[6], dtype, "du")


LOSSES = [(naive.MSE, 0.0), (naive.MAE, 0.0), (naive.HUBER, 0.6), (naive.PINBALL, 0.3)]


def check_loss(K, dev, host, dtype, kind, param, seed=4):
    rng = np.random.default_rng(seed)
    pred = rand(rng, NT, BT, O, dtype=dtype, scale=0.7)
    target = rand(rng, NT, BT, O, dtype=dtype, scale=0.7)
    target[0, 1, 0] = np.nan  # one missing value
    target[2, 0, :] = np.nan  # a row with none (like a padded row)
    dpred = _nans(dev, (NT, BT, O), dtype)
    value = K.loss_forward_backward(dev(pred), dev(target), kind, param, dpred)
    ref_value, ref_grad = naive.loss(naive.untile(pred), naive.untile(target), kind, param)
    assert isinstance(value, float)
    assert value == np.float64(ref_value) or abs(value - ref_value) <= 1e-12 * abs(ref_value)
    _close(naive.untile(host(dpred)), ref_grad, dtype, "dpred")


ADAM_SETTINGS = [(0.0, 0.0, 1.0), (0.1, 0.0, 0.5), (0.0, 0.05, 1.0), (0.2, 0.05, 0.3)]


def check_adam(K, dev, host, dtype, alpha, weight_decay, grad_scale, seed=5):
    rng = np.random.default_rng(seed)
    n = 37
    p = rand(rng, n, dtype=dtype, scale=0.7)
    m = rand(rng, n, dtype=dtype, scale=0.1)
    v = np.abs(rand(rng, n, dtype=dtype, scale=0.1))
    mask = (rng.random(n) < 0.7).astype(dtype)
    hyper = dict(lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8, alpha=alpha,
                 weight_decay=weight_decay, grad_scale=grad_scale)
    d = dict(p=dev(p), m=dev(m), v=dev(v), mask=dev(mask))
    ref_p, ref_m, ref_v = p, m, v
    for step in (3, 4):  # bias correction away from 1; moments carried over
        grad = rand(rng, n, dtype=dtype, scale=0.7)
        K.adam_step(d["p"], dev(grad), d["m"], d["v"], d["mask"], step, *hyper.values())
        ref_p, ref_m, ref_v = naive.adam(ref_p, grad, ref_m, ref_v, mask, step, *hyper.values())
        # the kernels round to dtype after each step: follow them
        ref_p, ref_m, ref_v = (np.asarray(a, dtype=dtype) for a in (ref_p, ref_m, ref_v))
    tol = dict(rtol=1e-12, atol=1e-15) if np.dtype(dtype) == np.float64 else dict(rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(host(d["p"]), ref_p, err_msg="params", **tol)
    np.testing.assert_allclose(host(d["m"]), ref_m, err_msg="m", **tol)
    np.testing.assert_allclose(host(d["v"]), ref_v, err_msg="v", **tol)


def check_global_norm(K, dev, host, dtype, seed=6):
    rng = np.random.default_rng(seed)
    grad = rand(rng, 101, dtype=dtype, scale=3.0)
    norm = K.global_norm(dev(grad))
    assert isinstance(norm, float)
    assert abs(norm - naive.global_norm(grad)) <= 1e-13 * naive.global_norm(grad)
