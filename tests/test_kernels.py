"""Each CPU kernel's forward pass against a slow, obviously correct NumPy
reference (loops over time, the plain formulas of design/equations.md).

Only the two signatures the engine compiles anyway are used: float64 (checked
to rtol 1e-10) and float32 (checked against the float64 reference to ~1e-5),
C-contiguous arrays, Python ``bool`` for ``reverse``.
"""
import math

import numpy as np
import pytest
from numba import njit

from tsgate.kernels import cpu as K
from tsgate.kernels.cpu import activations
from tsgate.kernels.cpu._config import CELL_JIT
from tests.conftest import rand

DTYPES = [np.float64, np.float32]


def _tol(dtype):
    return dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# ------------------------------------------------------------------ references


def ref_lstm(x, W_x, W_h, b, reverse):
    """x (NT, T, BT, F) -> hs, cs (NT, T, BT, H), gates (NT, T, BT, 4H), in float64."""
    x, W_x, W_h, b = (np.asarray(a, dtype=np.float64) for a in (x, W_x, W_h, b))
    NT, T, BT, _ = x.shape
    H = W_h.shape[0]
    h = np.zeros((NT, BT, H))
    c = np.zeros((NT, BT, H))
    hs = np.zeros((NT, T, BT, H))
    cs = np.zeros((NT, T, BT, H))
    gates = np.zeros((NT, T, BT, 4 * H))
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        a = x[:, t] @ W_x + h @ W_h + b  # (NT, BT, 4H)
        i = _sigmoid(a[..., :H])
        f = _sigmoid(a[..., H:2 * H])
        g = np.tanh(a[..., 2 * H:3 * H])
        o = _sigmoid(a[..., 3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs[:, t], cs[:, t] = h, c
        gates[:, t] = np.concatenate([i, f, g, o], axis=-1)
    return hs, cs, gates


def ref_gru(x, W_x, W_h, b_x, b_h, reverse):
    """x (NT, T, BT, F) -> hs (NT, T, BT, H), gates (.., 3H) r z n, hn (.., H)."""
    x, W_x, W_h, b_x, b_h = (np.asarray(a, dtype=np.float64) for a in (x, W_x, W_h, b_x, b_h))
    NT, T, BT, _ = x.shape
    H = W_h.shape[0]
    h = np.zeros((NT, BT, H))
    hs = np.zeros((NT, T, BT, H))
    hn = np.zeros((NT, T, BT, H))
    gates = np.zeros((NT, T, BT, 3 * H))
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        gx = x[:, t] @ W_x + b_x  # (NT, BT, 3H)
        gh = h @ W_h + b_h
        r = _sigmoid(gx[..., :H] + gh[..., :H])
        z = _sigmoid(gx[..., H:2 * H] + gh[..., H:2 * H])
        n = np.tanh(gx[..., 2 * H:] + r * gh[..., 2 * H:])
        hn[:, t] = gh[..., 2 * H:]
        h = (1 - z) * n + z * h
        hs[:, t] = h
        gates[:, t] = np.concatenate([r, z, n], axis=-1)
    return hs, gates, hn


def ref_attention(hseq, q, W_a, U_a, b_a, v):
    """Slow Bahdanau attention, one sample at a time."""
    hseq, q, W_a, U_a, b_a, v = (np.asarray(a, dtype=np.float64) for a in (hseq, q, W_a, U_a, b_a, v))
    NT, T, BT, D = hseq.shape
    alpha = np.zeros((NT, BT, T))
    ctx = np.zeros((NT, BT, D))
    for k in range(NT):
        for r in range(BT):
            e = np.array([v @ np.tanh(hseq[k, t, r] @ W_a + q[k, r] @ U_a + b_a) for t in range(T)])
            w = np.exp(e - e.max())
            alpha[k, r] = w / w.sum()
            ctx[k, r] = sum(alpha[k, r, t] * hseq[k, t, r] for t in range(T))
    return alpha, ctx


# --------------------------------------------------------------- recurrent layers


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reverse", [False, True])
def test_lstm_forward(dtype, reverse):
    rng = np.random.default_rng(0)
    NT, T, BT, F, H = 3, 5, 2, 3, 4
    x = rand(rng, NT, T, BT, F, dtype=dtype, scale=1.0)
    W_x = rand(rng, F, 4 * H, dtype=dtype, scale=0.5)
    W_h = rand(rng, H, 4 * H, dtype=dtype, scale=0.5)
    b = rand(rng, 4 * H, dtype=dtype, scale=0.5)
    hs = np.full((NT, T, BT, H), np.nan, dtype)
    cs = np.full((NT, T, BT, H), np.nan, dtype)
    gates = np.full((NT, T, BT, 4 * H), np.nan, dtype)
    K.lstm_forward(x, W_x, W_h, b, reverse, hs, cs, gates)
    ref_hs, ref_cs, ref_gates = ref_lstm(x, W_x, W_h, b, reverse)
    np.testing.assert_allclose(hs, ref_hs, **_tol(dtype))
    np.testing.assert_allclose(cs, ref_cs, **_tol(dtype))
    np.testing.assert_allclose(gates, ref_gates, **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reverse", [False, True])
def test_gru_forward(dtype, reverse):
    rng = np.random.default_rng(1)
    NT, T, BT, F, H = 3, 5, 2, 3, 4
    x = rand(rng, NT, T, BT, F, dtype=dtype, scale=1.0)
    W_x = rand(rng, F, 3 * H, dtype=dtype, scale=0.5)
    W_h = rand(rng, H, 3 * H, dtype=dtype, scale=0.5)
    b_x = rand(rng, 3 * H, dtype=dtype, scale=0.5)
    b_h = rand(rng, 3 * H, dtype=dtype, scale=0.5)
    hs = np.full((NT, T, BT, H), np.nan, dtype)
    gates = np.full((NT, T, BT, 3 * H), np.nan, dtype)
    hn = np.full((NT, T, BT, H), np.nan, dtype)
    K.gru_forward(x, W_x, W_h, b_x, b_h, reverse, hs, gates, hn)
    ref_hs, ref_gates, ref_hn = ref_gru(x, W_x, W_h, b_x, b_h, reverse)
    np.testing.assert_allclose(hs, ref_hs, **_tol(dtype))
    np.testing.assert_allclose(gates, ref_gates, **_tol(dtype))
    np.testing.assert_allclose(hn, ref_hn, **_tol(dtype))


def test_reverse_sees_the_future_only():
    # the reverse state at step t depends on steps t..T-1 only
    rng = np.random.default_rng(2)
    NT, T, BT, F, H = 1, 4, 2, 2, 3
    x = rand(rng, NT, T, BT, F, dtype=np.float64, scale=1.0)
    W_x, W_h, b = rand(rng, F, 4 * H, dtype=np.float64, scale=1.0), rand(rng, H, 4 * H, dtype=np.float64, scale=1.0), np.zeros(4 * H)
    out = [np.empty((NT, T, BT, H)), np.empty((NT, T, BT, H)), np.empty((NT, T, BT, 4 * H))]
    K.lstm_forward(x, W_x, W_h, b, True, *out)
    before = out[0].copy()
    x[:, 0] += 1.0  # change the first step only
    K.lstm_forward(x, W_x, W_h, b, True, *out)
    np.testing.assert_array_equal(out[0][:, 1:], before[:, 1:])
    assert not np.array_equal(out[0][:, 0], before[:, 0])


# ------------------------------------------------------------------------ head


@pytest.mark.parametrize("dtype", DTYPES)
def test_dense_forward(dtype):
    rng = np.random.default_rng(3)
    NT, BT, D, O = 3, 2, 5, 3
    z = rand(rng, NT, BT, D, dtype=dtype, scale=1.0)
    W = rand(rng, D, O, dtype=dtype, scale=1.0)
    b = rand(rng, O, dtype=dtype, scale=1.0)
    out = np.full((NT, BT, O), np.nan, dtype)
    K.dense_forward(z, W, b, out)
    ref = np.einsum("kbd,do->kbo", z.astype(np.float64), W.astype(np.float64)) + b.astype(np.float64)
    np.testing.assert_allclose(out, ref, **_tol(dtype))


def test_dense_backward_groups_sum_their_tiles_in_order():
    """The dense backward's per-group partials, made by one product over a
    group's rows, equal bit for bit the per-tile accumulation the kernel
    did before (gemm into the group's partial, beta 1 after its first tile),
    and the bias partials the rows summed in order."""
    from tsgate.kernels.cpu.matmul import PLAIN, TRANS, gemm

    rng = np.random.default_rng(11)
    NT, BT, D, O, NG = 5, 3, 40, 7, 2  # D >= 32: dz through the register tiles
    z = rand(rng, NT, BT, D, dtype=np.float32, scale=1.0)
    W = rand(rng, D, O, dtype=np.float32, scale=1.0)
    dout = rand(rng, NT, BT, O, dtype=np.float32, scale=1.0)
    dz, dW, db = np.empty_like(z), np.empty((NG, D, O), np.float32), np.empty((NG, O), np.float32)
    K.dense_backward(z, W, dout, dz, dW, db)
    for g in range(NG):
        k0, k1 = g * NT // NG, (g + 1) * NT // NG
        want_W, want_b = np.empty((D, O), np.float32), np.zeros(O, np.float32)
        for k in range(k0, k1):
            gemm(z[k], TRANS, dout[k], PLAIN, want_W, 1.0 if k > k0 else 0.0)
            for r in range(BT):
                want_b += dout[k, r]  # float32, row by row
        np.testing.assert_array_equal(dW[g], want_W)
        np.testing.assert_array_equal(db[g], want_b)
    for k in range(NT):
        want = np.empty((BT, D), np.float32)
        gemm(dout[k], PLAIN, W, TRANS, want, 0.0)
        np.testing.assert_array_equal(dz[k], want)


def test_rows_of_is_the_reshaped_tile():
    """rows_of(a, k) is a[k].reshape(rows, W) itself: same values, shape and
    C order, and a view (a write through it lands in a), for 3- and 4-D
    arrays and a width of 0."""
    from numba import njit

    from tsgate.kernels.cpu._views import rows_of

    @njit(cache=False)
    def rows_then_write(a, k):
        v = rows_of(a, k)
        if v.shape[1] > 0:
            v[-1, -1] = -1.0
        return v.copy()

    for shape in [(3, 4, 5), (4, 3, 2, 5), (2, 3, 2, 0)]:
        a = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
        for k in range(shape[0]):
            rows = int(np.prod(shape[1:-1]))
            want = a[k].reshape(rows, shape[-1]).copy()
            if shape[-1]:
                want[-1, -1] = -1.0  # the write, seen through the view
            got = rows_then_write(a, k)
            assert got.shape == want.shape
            np.testing.assert_array_equal(got, want)
            np.testing.assert_array_equal(a[k].reshape(rows, shape[-1]), want)  # it landed in a


@pytest.mark.parametrize("dtype", DTYPES)
def test_attention_forward(dtype):
    rng = np.random.default_rng(4)
    NT, T, BT, D, A = 3, 5, 2, 4, 3
    hseq = rand(rng, NT, T, BT, D, dtype=dtype, scale=1.0)
    q = rand(rng, NT, BT, D, dtype=dtype, scale=1.0)
    W_a, U_a = rand(rng, D, A, dtype=dtype, scale=1.0), rand(rng, D, A, dtype=dtype, scale=1.0)
    b_a, v = rand(rng, A, dtype=dtype, scale=1.0), rand(rng, A, dtype=dtype, scale=2.0)
    u = np.full((NT, T, BT, A), np.nan, dtype)
    alpha = np.full((NT, BT, T), np.nan, dtype)
    ctx = np.full((NT, BT, D), np.nan, dtype)
    K.attention_forward(hseq, q, W_a, U_a, b_a, v, u, alpha, ctx)
    ref_alpha, ref_ctx = ref_attention(hseq, q, W_a, U_a, b_a, v)
    np.testing.assert_allclose(alpha.sum(axis=-1), 1.0, rtol=0, atol=10 * np.finfo(dtype).eps)
    assert (alpha > 0).all()
    np.testing.assert_allclose(alpha, ref_alpha, **_tol(dtype))
    np.testing.assert_allclose(ctx, ref_ctx, **_tol(dtype))
    ref_u = np.tanh(np.einsum("ktbd,da->ktba", hseq.astype(np.float64), W_a.astype(np.float64))
                    + (q.astype(np.float64) @ U_a.astype(np.float64))[:, None] + b_a.astype(np.float64))
    np.testing.assert_allclose(u, ref_u, **_tol(dtype))


# ------------------------------------------------------------------------ loss


def ref_loss(pred, target, kind, param):
    e = pred.astype(np.float64) - target.astype(np.float64)
    ok = ~np.isnan(target)
    if kind == K.MSE:
        value, grad = e ** 2, 2 * e
    elif kind == K.MAE:
        value, grad = np.abs(e), np.sign(e)
    elif kind == K.HUBER:
        small = np.abs(e) <= param
        value = np.where(small, 0.5 * e ** 2, param * (np.abs(e) - 0.5 * param))
        grad = np.where(small, e, param * np.sign(e))
    else:  # pinball on u = y - pred: u * (q - [u < 0])
        u = -e
        value = u * (param - (u < 0))
        grad = -(param - (u < 0))
    n = max(ok.sum(), 1)
    return np.where(ok, value, 0).sum() / n, np.where(ok, grad, 0) / n


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind,param", [(K.MSE, 0.0), (K.MAE, 0.0), (K.HUBER, 0.7), (K.PINBALL, 0.3)])
def test_loss_forward_backward(dtype, kind, param):
    rng = np.random.default_rng(5)
    NT, BT, O = 3, 2, 3
    pred = rand(rng, NT, BT, O, dtype=dtype, scale=1.0)
    target = rand(rng, NT, BT, O, dtype=dtype, scale=1.0)
    target[0, 1, :] = np.nan  # a padded row
    target[2, 0, 1] = np.nan  # a missing value
    dpred = np.full_like(pred, 7.0)
    loss = K.loss_forward_backward(pred, target, kind, param, dpred)
    ref_value, ref_grad = ref_loss(pred, target, kind, param)
    assert ((~np.isnan(target)).sum()) == 14
    np.testing.assert_allclose(loss, ref_value, rtol=1e-12)  # accumulated in float64 for both
    np.testing.assert_allclose(dpred, ref_grad, **_tol(dtype))
    assert (dpred[np.isnan(target)] == 0).all()
    # the masked entries do not count: changing their prediction changes nothing
    pred2 = pred.copy()
    pred2[np.isnan(target)] = 1e6
    assert K.loss_forward_backward(pred2, target, kind, param, dpred) == loss


@pytest.mark.parametrize("dtype", DTYPES)
def test_loss_all_targets_missing(dtype):
    pred = np.ones((2, 2, 1), dtype)
    target = np.full((2, 2, 1), np.nan, dtype)
    dpred = np.full_like(pred, 3.0)
    assert K.loss_forward_backward(pred, target, K.MSE, 0.0, dpred) == 0.0
    assert (dpred == 0).all()


def test_float32_loss_accumulates_in_float64():
    # errors whose float32 square overflows (> 1.8e19) still give a finite loss
    pred = np.array([[[3e20], [1.0]]], np.float32)
    target = np.array([[[0.0], [1.0 + 2 ** -20]]], np.float32)
    dpred = np.empty_like(pred)
    loss = K.loss_forward_backward(pred, target, K.MSE, 0.0, dpred)
    assert loss == pytest.approx((np.float64(pred[0, 0, 0]) ** 2 + 2.0 ** -40) / 2, rel=1e-12)
    pred[0, 0, 0] = 0.0
    assert K.loss_forward_backward(pred, target, K.MSE, 0.0, dpred) == 2.0 ** -41  # exact in float64


def test_huber_and_pinball_hand_values():
    pred = np.array([[[0.0, 3.0, -2.0]]])
    target = np.array([[[0.5, 0.0, 0.0]]])  # errors -0.5, 3, -2
    dpred = np.empty_like(pred)
    # Huber delta 1: 0.5*0.25, 1*(3-0.5), 1*(2-0.5) -> mean
    assert K.loss_forward_backward(pred, target, K.HUBER, 1.0, dpred) == pytest.approx((0.125 + 2.5 + 1.5) / 3)
    np.testing.assert_allclose(dpred, [[[-0.5 / 3, 1 / 3, -1 / 3]]])
    # pinball q=0.9: u = y - pred = 0.5, -3, 2 -> 0.45, 0.3, 1.8
    assert K.loss_forward_backward(pred, target, K.PINBALL, 0.9, dpred) == pytest.approx((0.45 + 0.3 + 1.8) / 3)
    np.testing.assert_allclose(dpred, [[[-0.9 / 3, 0.1 / 3, -0.9 / 3]]])


# ------------------------------------------------------------------- optimizer


@pytest.mark.parametrize("dtype", DTYPES)
def test_reduce_tiles(dtype):
    rng = np.random.default_rng(6)
    parts = rand(rng, 4, 11, dtype=dtype, scale=1.0)
    out = np.full(11, np.nan, dtype)
    K.reduce_tiles(parts, out)
    ref = parts[0].copy()
    for k in range(1, 4):  # the same order: bit-identical
        ref += parts[k]
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_allclose(out, parts.astype(np.float64).sum(axis=0), **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("NG", [1, 2, 3, 9])
def test_reduce_partials_is_reduce_tiles_per_block(dtype, NG):
    """One call over the flat partials (a (NG, n) block per parameter) gives
    the bits of ``reduce_tiles`` on each block, a block of one value (a
    contiguous reduction axis) and nine groups (past pairwise summation's
    unrolling) included."""
    rng = np.random.default_rng(7)
    sizes = [6, 1, 4]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    parts = rand(rng, NG * offsets[-1], dtype=dtype, scale=1.0)
    out = np.full(offsets[-1], np.nan, dtype)
    K.reduce_partials(parts, offsets, out)
    for off, n in zip(offsets, sizes):
        ref = np.full(n, np.nan, dtype)
        K.reduce_tiles(parts[NG * off:NG * (off + n)].reshape(NG, n), ref)
        np.testing.assert_array_equal(out[off:off + n], ref)


def test_global_norm():
    rng = np.random.default_rng(7)
    g = rand(rng, 257, dtype=np.float32, scale=3.0)
    assert K.global_norm(g) == pytest.approx(np.sqrt(np.sum(g.astype(np.float64) ** 2)), rel=1e-12)
    big = np.full(4, 3e30, np.float32)  # squares overflow float32, not float64
    assert K.global_norm(big) == pytest.approx(6e30, rel=1e-6)
    assert K.global_norm(np.zeros(3, np.float32)) == 0.0


def ref_adam(params, grads, mask, lr, beta1, beta2, eps, alpha, weight_decay, grad_scale):
    p = params.astype(np.float64)
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for step, grad in enumerate(grads, start=1):
        g = grad_scale * grad.astype(np.float64) + alpha * mask * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** step)
        v_hat = v / (1 - beta2 ** step)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps) - lr * weight_decay * mask * p
    return p, m, v


@pytest.mark.parametrize("alpha,weight_decay,grad_scale", [(0.0, 0.0, 1.0), (0.1, 0.0, 0.5), (0.0, 0.3, 1.0),
                                                           (0.05, 0.2, 0.25)])
def test_adam_step(alpha, weight_decay, grad_scale):
    rng = np.random.default_rng(8)
    n = 13
    params = rand(rng, n, dtype=np.float32, scale=1.0)
    mask = (rng.random(n) < 0.6).astype(np.float32)
    grads = [rand(rng, n, dtype=np.float32, scale=1.0) for _ in range(4)]
    lr, beta1, beta2, eps = 1e-2, 0.9, 0.999, 1e-8
    p, m, v = params.copy(), np.zeros(n, np.float32), np.zeros(n, np.float32)
    for step, grad in enumerate(grads, start=1):
        K.adam_step(p, grad, m, v, mask, step, lr, beta1, beta2, eps, alpha, weight_decay, grad_scale)
    ref_p, ref_m, ref_v = ref_adam(params, grads, mask.astype(np.float64), lr, beta1, beta2, eps,
                                   alpha, weight_decay, grad_scale)
    np.testing.assert_allclose(p, ref_p, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(m, ref_m, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(v, ref_v, rtol=1e-5, atol=1e-9)


def test_power_gives_the_bits_of_compiled_float_to_int_powers():
    """cellmath.power, which the host uses for Adam's bias correction, makes
    the multiplications Numba compiles for ``float ** int`` (by squaring,
    ``pow`` past 2**16): the same bits, where Python's ``**`` differs."""
    from numba import njit

    from tsgate.kernels.cellmath import adam_scales, power

    @njit(cache=False)
    def compiled(a, steps, out):  # (S,) a ** n as compiled code computes it
        for i in range(steps.shape[0]):
            out[i] = a ** steps[i]

    steps = np.concatenate([np.arange(0, 3000), [65535, 65536, 65537, 10 ** 6]]).astype(np.int64)
    differs = 0
    for a in (0.9, 0.999, 0.95, 0.8):
        out = np.empty(len(steps))
        compiled(a, steps, out)
        ours = np.array([power(a, int(n)) for n in steps])
        np.testing.assert_array_equal(ours, out)
        differs += int((np.array([a ** int(n) for n in steps]) != out).sum())
    assert differs > 0  # Python's own ** would not have done
    step_size, eps_hat = adam_scales(3, 1e-3, 0.9, 0.999, 1e-8)
    assert math.isclose(step_size, 1e-3 * math.sqrt(1 - 0.999 ** 3) / (1 - 0.9 ** 3), rel_tol=1e-14)
    assert math.isclose(eps_hat, 1e-8 * math.sqrt(1 - 0.999 ** 3), rel_tol=1e-14)


def test_adam_penalties_touch_masked_entries_only():
    n = 6
    params = np.linspace(-1, 1, n).astype(np.float32)
    mask = np.array([1, 0, 1, 0, 1, 0], np.float32)
    p, m, v = params.copy(), np.zeros(n, np.float32), np.zeros(n, np.float32)
    zero = np.zeros(n, np.float32)
    K.adam_step(p, zero, m, v, mask, 1, 1e-2, 0.9, 0.999, 1e-8, 0.5, 0.5, 1.0)
    np.testing.assert_array_equal(p[mask == 0], params[mask == 0])
    assert (np.abs(p[mask == 1]) < np.abs(params[mask == 1])).all()


# -------------------------------------------------------------- data movement


@pytest.mark.parametrize("dtype", DTYPES)
def test_pack_windows_targets_unpack(dtype):
    rng = np.random.default_rng(9)
    N, T, F, O = 9, 4, 2, 3
    X = rand(rng, N, T, F, dtype=dtype, scale=1.0)
    Y = rand(rng, N, O, dtype=dtype, scale=1.0)
    idx = np.array([4, 0, 7, 7, 2, 8, 1], dtype=np.int64)  # 7 rows -> 3 tiles of 3, 2 padded
    NT, BT = 3, 3
    xb = np.full((NT, T, BT, F), np.nan, dtype)
    yb = np.zeros((NT, BT, O), dtype)
    K.pack_windows(X, idx, xb)
    K.pack_targets(Y, idx, yb)
    for row, i in enumerate(idx):
        k, r = divmod(row, BT)
        np.testing.assert_array_equal(xb[k, :, r], X[i])
        np.testing.assert_array_equal(yb[k, r], Y[i])
    assert (xb[2, :, 1:] == 0).all()  # padded inputs are zeros
    assert np.isnan(yb[2, 1:]).all()  # padded targets are NaN
    rows = np.full((len(idx), O), np.nan, dtype)
    K.unpack_rows(yb, rows)
    np.testing.assert_array_equal(rows, Y[idx])


@pytest.mark.parametrize("dtype", DTYPES)
def test_concat_split_features(dtype):
    rng = np.random.default_rng(10)
    a = rand(rng, 2, 3, 2, 4, dtype=dtype, scale=1.0)
    b = rand(rng, 2, 3, 2, 3, dtype=dtype, scale=1.0)
    out = np.full((2, 3, 2, 7), np.nan, dtype)
    K.concat_features(a, b, out)
    np.testing.assert_array_equal(out, np.concatenate([a, b], axis=-1))
    da = np.full_like(a, np.nan)
    db = np.full_like(b, np.nan)
    K.split_features(out, da, db)
    np.testing.assert_array_equal(da, a)
    np.testing.assert_array_equal(db, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ndir", [1, 2])
def test_final_state_and_backward(dtype, ndir):
    rng = np.random.default_rng(11)
    NT, T, BT, H = 2, 4, 3, 2
    D = ndir * H
    seq = rand(rng, NT, T, BT, D, dtype=dtype, scale=1.0)
    q = np.full((NT, BT, D), np.nan, dtype)
    K.final_state(seq, ndir, q)
    np.testing.assert_array_equal(q[..., :H], seq[:, T - 1, :, :H])  # forward half: last step
    if ndir == 2:
        np.testing.assert_array_equal(q[..., H:], seq[:, 0, :, H:])  # reverse half: first step
    dq = rand(rng, NT, BT, D, dtype=dtype, scale=1.0)
    dseq = rand(rng, NT, T, BT, D, dtype=dtype, scale=1.0)
    expected = dseq.copy()
    expected[:, T - 1, :, :H] += dq[..., :H]
    if ndir == 2:
        expected[:, 0, :, H:] += dq[..., H:]
    K.final_state_backward(dq, ndir, dseq)
    np.testing.assert_array_equal(dseq, expected)


@pytest.mark.parametrize("dtype", DTYPES)
def test_apply_mask(dtype):
    rng = np.random.default_rng(12)
    NT, T, BT, F = 2, 3, 2, 4
    x = rand(rng, NT, T, BT, F, dtype=dtype, scale=1.0)
    mask = ((rng.random((NT, BT, F)) >= 0.5) / 0.5).astype(dtype)
    out = np.full_like(x, np.nan)
    K.apply_mask(x, mask, out)
    np.testing.assert_array_equal(out, x * mask[:, None])  # the same mask at every step
    head = np.full((NT, 1, BT, F), np.nan, dtype)
    K.apply_mask(np.ascontiguousarray(x[:, :1]), mask, head)
    np.testing.assert_array_equal(head[:, 0], x[:, 0] * mask)


# ----------------------------------------------------------------- activations


def _applier(fn, **options):
    @njit(**options)
    def apply(x, out):
        for i in range(x.shape[0]):
            out[i] = fn(x[i])

    return apply


# the activations as plain code compiles them, and as the gate kernels do
# (CELL_JIT: the polynomials' multiply-adds fused)
_APPLY = {fused: (_applier(activations.tanh, **opts), _applier(activations.sigmoid, **opts))
          for fused, opts in ((False, {}), (True, {"fastmath": CELL_JIT["fastmath"]}))}


def _float32_probe():
    tiny = np.logspace(-30, 1.3, 2001)
    x = np.concatenate([np.linspace(-20, 20, 400001), tiny, -tiny,
                        [3e38, -3e38, 1e-30, -1e-30, 0.0, np.finfo(np.float32).max,
                         -np.finfo(np.float32).max, 7.9053111, -7.9053111]])
    return x.astype(np.float32)


@pytest.mark.parametrize("fused", [False, True])
def test_float32_tanh_within_8_ulps(fused):
    x = _float32_probe()
    out = np.empty_like(x)
    _APPLY[fused][0](x, out)
    assert out.dtype == np.float32
    exact = np.tanh(x.astype(np.float64))
    ulp = np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)
    ulps = np.abs(out.astype(np.float64) - exact) / ulp
    assert ulps.max() <= 8, (x[ulps.argmax()], ulps.max())
    assert (np.abs(out) <= 1).all()
    assert (out[x == 0] == 0).all()
    np.testing.assert_array_equal(np.sign(out), np.sign(x))


@pytest.mark.parametrize("fused", [False, True])
def test_float32_sigmoid(fused):
    x = _float32_probe()
    out = np.empty_like(x)
    _APPLY[fused][1](x, out)
    with np.errstate(over="ignore"):
        exact = 1.0 / (1.0 + np.exp(-x.astype(np.float64)))
    assert np.abs(out.astype(np.float64) - exact).max() < 5e-7
    assert ((out >= 0) & (out <= 1)).all()


@pytest.mark.parametrize("fused", [False, True])
def test_float64_activations_are_exact(fused):
    x = np.linspace(-30, 30, 1001)
    out = np.empty_like(x)
    _apply_tanh, _apply_sigmoid = _APPLY[fused]
    _apply_tanh(x, out)
    np.testing.assert_allclose(out, np.tanh(x), rtol=1e-15, atol=0)
    _apply_sigmoid(x, out)
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-x)), rtol=1e-13, atol=2e-16)
    assert math.isclose(out[500], 0.5)


def test_serial_module_names_every_kernel_with_its_twin():
    from tsgate.kernels.cpu import serial

    assert serial.__all__ == K.__all__
    for name in K.__all__:
        kernel, twin = getattr(K, name), getattr(serial, name)
        if getattr(kernel, "targetoptions", {}).get("parallel"):
            assert twin is not kernel, name
            assert not twin.targetoptions.get("parallel"), name
            assert twin.py_func.__code__ is kernel.py_func.__code__, name
            assert twin.py_func.__qualname__ == kernel.py_func.__qualname__ + "_serial", name
            # the same arithmetic: CELL_JIT's fused multiply-adds too
            assert twin.targetoptions.get("fastmath") == kernel.targetoptions.get("fastmath"), name
        elif "_layer_" in name:  # Python functions over the per-direction kernels
            cell = name.split("_")[0]
            step = name.rsplit("_", 1)[1]
            inner = {c.cell_contents for c in twin.__closure__}
            assert getattr(serial, f"{cell}_{step}") in inner, name
            assert getattr(K, f"{cell}_{step}") not in inner, name
        else:
            assert twin is kernel, name
    assert sum(getattr(K, n) is not getattr(serial, n) for n in K.__all__) >= 8
