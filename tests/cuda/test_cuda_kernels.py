"""Head, loss, optimizer and sequence CUDA kernels against their CPU twins."""
import inspect
import math

import numpy as np
import pytest

from tsgate.kernels import cpu
from tests.conftest import rand

RTOL, ATOL = 1e-4, 1e-5


def run_both(gpu, name, inputs, outputs, *scalars, where=None):
    """Call kernel ``name`` on CPU (numpy) and CUDA (device copies) with the
    same inputs; outputs start as NaN (or their given value for kernels that
    accumulate) and are compared. ``where`` places scalars among the arrays."""
    cuda, kernels = gpu
    host_in = {k: v.copy() for k, v in inputs.items()}
    host_out = {k: v.copy() for k, v in outputs.items()}
    dev_in = {k: cuda.to_device(v) for k, v in inputs.items()}
    dev_out = {k: cuda.to_device(v) for k, v in outputs.items()}
    order = where or (list(inputs) + list(scalars) + list(outputs))

    def args(arrays_in, arrays_out):
        values = dict(arrays_in, **arrays_out)
        return [values[a] if isinstance(a, str) and a in values else a for a in order]

    r_cpu = getattr(cpu, name)(*args(host_in, host_out))
    r_gpu = getattr(kernels, name)(*args(dev_in, dev_out))
    for k in outputs:
        np.testing.assert_allclose(dev_out[k].copy_to_host(), host_out[k], rtol=RTOL, atol=ATOL,
                                   err_msg=f"{name}: {k}")
    return r_cpu, r_gpu


def nan(*shape):
    return np.full(shape, np.nan, np.float32)


# ------------------------------------------------------------------- head
def test_dense_forward(gpu):
    rng = np.random.default_rng(1)
    NT, BT, D, O = 3, 3, 5, 2
    run_both(gpu, "dense_forward", dict(z=rand(rng, NT, BT, D), W=rand(rng, D, O), b=rand(rng, O)),
             dict(out=nan(NT, BT, O)))


@pytest.mark.parametrize("NG", [3, 2, 1])
def test_dense_backward(gpu, NG):
    rng = np.random.default_rng(2)
    NT, BT, D, O = 3, 3, 5, 2
    run_both(gpu, "dense_backward",
             dict(z=rand(rng, NT, BT, D), W=rand(rng, D, O), dout=rand(rng, NT, BT, O)),
             dict(dz=nan(NT, BT, D), dW=nan(NG, D, O), db=nan(NG, O)))


def attention_state(rng, NT=3, T=4, BT=3, D=5, A=3):
    p = dict(hseq=rand(rng, NT, T, BT, D), q=rand(rng, NT, BT, D), W_a=rand(rng, D, A),
             U_a=rand(rng, D, A), b_a=rand(rng, A), v=rand(rng, A))
    out = dict(u=np.zeros((NT, T, BT, A), np.float32), alpha=np.zeros((NT, BT, T), np.float32),
               ctx=np.zeros((NT, BT, D), np.float32))
    cpu.attention_forward(*p.values(), *out.values())
    return p, out


def test_attention_forward(gpu):
    rng = np.random.default_rng(3)
    p, expected = attention_state(rng)
    run_both(gpu, "attention_forward", p, {k: nan(*v.shape) for k, v in expected.items()})


@pytest.mark.parametrize("NG", [3, 2])
def test_attention_backward(gpu, NG):
    rng = np.random.default_rng(4)
    p, state = attention_state(rng)
    NT, T, BT, D = p["hseq"].shape
    A = p["W_a"].shape[1]
    inputs = dict(hseq=p["hseq"], q=p["q"], W_a=p["W_a"], U_a=p["U_a"], v=p["v"], u=state["u"],
                  alpha=state["alpha"], dctx=rand(rng, NT, BT, D))
    outputs = dict(du=nan(NT, T, BT, A), dhseq=nan(NT, T, BT, D), dq=nan(NT, BT, D),
                   dW_a=nan(NG, D, A), dU_a=nan(NG, D, A), db_a=nan(NG, A), dv=nan(NG, A))
    run_both(gpu, "attention_backward", inputs, outputs)


# ------------------------------------------------------------------- loss
@pytest.mark.parametrize("kind, param", [(0, 0.0), (1, 0.0), (2, 0.3), (3, 0.8)])
def test_loss_forward_backward(gpu, kind, param):
    rng = np.random.default_rng(5)
    NT, BT, O = 3, 3, 2
    pred, target = rand(rng, NT, BT, O), rand(rng, NT, BT, O)
    target[0, 1, 0] = target[2, 2, :] = np.nan  # missing values and a padded row
    pred[1, 0, 1] = target[1, 0, 1]  # zero error: sign(0) = 0
    r_cpu, r_gpu = run_both(gpu, "loss_forward_backward", dict(pred=pred, target=target),
                            dict(dpred=nan(NT, BT, O)), kind, param)
    assert isinstance(r_gpu, float)
    assert r_gpu == pytest.approx(r_cpu, rel=1e-6)


def test_loss_with_no_finite_target(gpu):
    r_cpu, r_gpu = run_both(gpu, "loss_forward_backward",
                            dict(pred=np.ones((2, 2, 1), np.float32), target=nan(2, 2, 1)),
                            dict(dpred=nan(2, 2, 1)), 0, 0.0)
    assert r_gpu == r_cpu == 0.0


# -------------------------------------------------------------- optimizer
def test_reduce_tiles_is_exact(gpu):
    rng = np.random.default_rng(6)
    cuda, kernels = gpu
    parts = rand(rng, 5, 11)
    out = cuda.to_device(nan(11))
    kernels.reduce_tiles(cuda.to_device(parts), out)
    expected = nan(11)
    cpu.reduce_tiles(parts, expected)
    np.testing.assert_array_equal(out.copy_to_host(), expected)  # same order, same rounding


def test_reduce_partials_is_exact(gpu):
    rng = np.random.default_rng(7)
    cuda, kernels = gpu
    NG, sizes = 3, [6, 1, 4]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    parts = rand(rng, NG * int(offsets[-1]))
    out = cuda.to_device(nan(int(offsets[-1])))
    kernels.reduce_partials(cuda.to_device(parts), cuda.to_device(offsets), out)
    expected = nan(int(offsets[-1]))
    cpu.reduce_partials(parts, offsets, expected)
    np.testing.assert_array_equal(out.copy_to_host(), expected)


@pytest.mark.parametrize("scale", [1.0, 1e20])
def test_global_norm(gpu, scale):
    """float64 accumulation: float32 squares of 1e20 would overflow."""
    cuda, kernels = gpu
    grad = rand(np.random.default_rng(7), 37, scale=scale)
    norm = kernels.global_norm(cuda.to_device(grad))
    assert isinstance(norm, float)
    assert norm == pytest.approx(cpu.global_norm(grad), rel=1e-12)
    assert math.isfinite(norm)


@pytest.mark.parametrize("alpha, weight_decay, grad_scale", [(0.0, 0.0, 1.0), (1e-3, 1e-2, 0.5)])
def test_adam_step(gpu, alpha, weight_decay, grad_scale):
    rng = np.random.default_rng(8)
    P = 23
    mask = (rng.random(P) > 0.3).astype(np.float32)
    inputs = dict(grad=rand(rng, P), decay_mask=mask)
    state = dict(params=rand(rng, P), m=rand(rng, P, scale=0.1), v=np.abs(rand(rng, P, scale=0.1)))
    order = ["params", "grad", "m", "v", "decay_mask", 3, 1e-2, 0.9, 0.999, 1e-8, alpha,
             weight_decay, grad_scale]
    run_both(gpu, "adam_step", inputs, state, where=order)


# ---------------------------------------------------------------- sequence
def test_pack_windows_and_targets(gpu):
    rng = np.random.default_rng(9)
    N, T, F, O, NT, BT = 9, 4, 2, 3, 3, 3
    X, Y = rand(rng, N, T, F), rand(rng, N, O)
    idx = np.array([4, 0, 8, 2, 7, 1, 3], dtype=np.int64)  # 7 rows: 2 padded
    run_both(gpu, "pack_windows", dict(X=X, idx=idx), dict(out=nan(NT, T, BT, F)))
    run_both(gpu, "pack_targets", dict(Y=Y, idx=idx), dict(out=np.zeros((NT, BT, O), np.float32)))


def test_unpack_rows(gpu):
    rng = np.random.default_rng(10)
    run_both(gpu, "unpack_rows", dict(a=rand(rng, 3, 3, 2)), dict(out=nan(7, 2)))


def test_concat_and_split(gpu):
    rng = np.random.default_rng(11)
    NT, T, BT = 2, 3, 3
    run_both(gpu, "concat_features", dict(a=rand(rng, NT, T, BT, 3), b=rand(rng, NT, T, BT, 2)),
             dict(out=nan(NT, T, BT, 5)))
    run_both(gpu, "split_features", dict(dout=rand(rng, NT, T, BT, 5)),
             dict(da=nan(NT, T, BT, 3), db=nan(NT, T, BT, 2)))


@pytest.mark.parametrize("ndir", [1, 2])
def test_final_state_and_backward(gpu, ndir):
    rng = np.random.default_rng(12)
    NT, T, BT, D = 2, 3, 3, 2 * ndir
    order = ["seq", ndir, "q"]
    run_both(gpu, "final_state", dict(seq=rand(rng, NT, T, BT, D)), dict(q=nan(NT, BT, D)),
             where=order)
    # final_state_backward accumulates into dseq
    run_both(gpu, "final_state_backward", dict(dq=rand(rng, NT, BT, D)),
             dict(dseq=rand(rng, NT, T, BT, D)), where=["dq", ndir, "dseq"])


@pytest.mark.parametrize("T", [3, 1])
def test_apply_mask(gpu, T):
    rng = np.random.default_rng(13)
    NT, BT, F = 2, 3, 4
    mask = ((rng.random((NT, BT, F)) > 0.5) / 0.5).astype(np.float32)
    run_both(gpu, "apply_mask", dict(x=rand(rng, NT, T, BT, F), mask=mask),
             dict(out=nan(NT, T, BT, F)))


def test_add_copy_fill(gpu):
    rng = np.random.default_rng(14)
    src = rand(rng, 2, 3, 5)
    run_both(gpu, "add_into", dict(src=src), dict(dst=rand(rng, 2, 3, 5)), where=["dst", "src"])
    run_both(gpu, "copy_into", dict(src=src), dict(dst=nan(2, 3, 5)), where=["dst", "src"])
    run_both(gpu, "fill", {}, dict(dst=nan(3, 7)), where=["dst", 0])
    run_both(gpu, "fill", {}, dict(dst=nan(3, 7)), where=["dst", 2.5])


# ---------------------------------------------------------------- contract
@pytest.mark.cuda_optional
def test_same_names_and_positional_arguments():
    from tsgate.kernels import cuda as kernels

    for name in cpu.__all__:
        assert hasattr(kernels, name), name
        ours, theirs = getattr(kernels, name), getattr(cpu, name)
        if isinstance(theirs, int):
            assert ours == theirs, name
            continue
        cpu_params = list(inspect.signature(getattr(theirs, "py_func", theirs)).parameters)
        assert list(inspect.signature(ours).parameters) == cpu_params, name
        assert ours.__doc__, name
    assert sorted(kernels.__all__) == sorted(cpu.__all__)
