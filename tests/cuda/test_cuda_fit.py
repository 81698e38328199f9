"""Whole tiny fits: ``Network`` + ``train`` on the CUDA backend against the CPU
backend with the same seeds. Tiles of 3 rows (conftest) on both, so batch
order, tiling and dropout masks are the same draws; only float32 rounding
(and the GPU's libm tanh/exp against the CPU's rational tanh) differs."""
import dataclasses

import numpy as np
import pytest

from tsgate import config
from tsgate.backend import get_backend
from tsgate.engine import Network, NetworkSpec, TrainConfig, train

N, T, F, O, H = 10, 4, 2, 2, 3


def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, T, F)).astype(np.float32)
    Y = (X[:, -1, :1] * np.array([[1.0, -0.5]]) + 0.1 * rng.standard_normal((N, O)))
    Y = Y.astype(np.float32)
    Y[3, 1] = np.nan  # a missing target
    return X, Y


CASES = {
    "lstm": (NetworkSpec("lstm", F, H, O), TrainConfig(max_iter=3, batch_size=5,
                                                       learning_rate=1e-2)),
    "gru-stacked-huber": (NetworkSpec("gru", F, H, O, num_layers=2),
                          TrainConfig(max_iter=2, batch_size=5, learning_rate=1e-2,
                                      loss_kind=2, loss_param=0.5, clip_norm=0.5)),
    "lstm-bi-attention-dropout": (
        NetworkSpec("lstm", F, H, O, bidirectional=True, attention=True, dropout=0.25),
        TrainConfig(max_iter=2, batch_size=5, learning_rate=1e-2, early_stopping=True,
                    validation_fraction=0.2, n_iter_no_change=5, weight_decay=1e-2)),
}


def fit(device, spec, cfg):
    net = Network(spec, get_backend(device))
    params = net.init_params(np.random.default_rng(1))
    X, Y = data()
    return net, train(net, params, X, Y, cfg, np.random.default_rng(2))


@pytest.mark.parametrize("case", list(CASES))
def test_cuda_fit_matches_cpu(case, monkeypatch):
    monkeypatch.setattr(config, "GRAD_GROUPS", 64, raising=False)  # CPU: a partial per tile too
    spec, cfg = CASES[case]
    _, cpu = fit("cpu", spec, cfg)
    net, gpu = fit("cuda", spec, cfg)
    assert gpu.n_iter == cpu.n_iter == cfg.max_iter
    np.testing.assert_allclose(gpu.loss_curve, cpu.loss_curve, rtol=1e-4)
    np.testing.assert_allclose(gpu.grad_norm_curve, cpu.grad_norm_curve, rtol=1e-4)
    np.testing.assert_allclose(gpu.validation_loss_curve, cpu.validation_loss_curve, rtol=1e-4)
    np.testing.assert_allclose(gpu.params, cpu.params, rtol=1e-4, atol=1e-5)
    for ours, theirs in zip(gpu.optimizer_state[:2], cpu.optimizer_state[:2]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-3, atol=1e-6)
    assert gpu.optimizer_state[2] == cpu.optimizer_state[2]
    assert isinstance(gpu.params, np.ndarray)
    X, _ = data()
    if spec.attention:
        pred, alpha = net.predict(gpu.params, X, return_attention=True)
        cpu_net = Network(spec, get_backend("cpu"))
        cpu_pred, cpu_alpha = cpu_net.predict(cpu.params, X, return_attention=True)
        np.testing.assert_allclose(alpha, cpu_alpha, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(pred, cpu_pred, rtol=1e-4, atol=1e-5)


def test_no_host_transfers_inside_a_training_step(monkeypatch):
    """Once the plan exists, a step (loss and gradient, norm, Adam) with its
    loss and norm in device slots copies nothing back and moves nothing to
    the device; without slots, the loss and the norm come back as floats
    (one scalar each)."""
    from numba import cuda

    device_array_type = type(cuda.device_array(1, np.float32))
    counts = {"to_host": 0, "to_device": 0}
    original_copy, original_to_device = device_array_type.copy_to_host, cuda.to_device

    def counting_copy(self, *args, **kwargs):
        counts["to_host"] += 1
        return original_copy(self, *args, **kwargs)

    def counting_to_device(*args, **kwargs):
        counts["to_device"] += 1
        return original_to_device(*args, **kwargs)

    monkeypatch.setattr(device_array_type, "copy_to_host", counting_copy)
    monkeypatch.setattr(cuda, "to_device", counting_to_device)
    spec = NetworkSpec("gru", F, H, O, bidirectional=True, attention=True)
    net = Network(spec, get_backend("cuda"))
    bk = net.backend
    k = bk.kernels
    X, Y = data()
    p_dev, grad = bk.to_device(net.init_params(np.random.default_rng(1))), bk.zeros((net.size,))
    m, v, decay = bk.zeros((net.size,)), bk.zeros((net.size,)), bk.to_device(net.decay_mask())
    NT, BT = net.tiles(5)
    xb, yb = bk.empty((NT, T, BT, F)), bk.empty((NT, BT, O))
    idx = bk.to_device(np.arange(5, dtype=np.int64))
    k.pack_windows(bk.to_device(X), idx, xb)
    k.pack_targets(bk.to_device(Y), idx, yb)
    loss = net.loss_and_grad(p_dev, xb, yb, grad)  # makes the plan; the loss comes back
    norm = k.global_norm(grad)
    assert np.isfinite(loss) and np.isfinite(norm)
    slots = bk.zeros((2, 3), np.float64)
    before = dict(counts)
    assert net.loss_and_grad(p_dev, xb, yb, grad, out=slots[0], slot=1) is None
    assert k.global_norm(grad, slots[1], 1) is None
    k.adam_step(p_dev, grad, m, v, decay, 1, 1e-3, 0.9, 0.999, 1e-8, 0.0, 0.0, 1.0,
                slots[1], 1, 0.5)
    assert counts == before  # nothing moved
    host = bk.to_host(slots)
    assert host[0, 1] == pytest.approx(loss, rel=1e-12) and host[1, 1] == pytest.approx(norm)


@pytest.mark.parametrize("spec", [NetworkSpec("gru", F, H, O, bidirectional=True, attention=True),
                                  NetworkSpec("lstm", F, H, O, num_layers=2, dropout=0.3)],
                         ids=["gru-bi-attention", "lstm-stacked-dropout"])
def test_float64_loss_and_gradient_agree_closely(spec):
    """In float64 both sides use exact tanh/exp: only summation order differs."""
    X, Y = data()
    X, Y = X[:5].astype(np.float64), Y[:5].astype(np.float64)
    results = []
    for device in ("cpu", "cuda"):
        bk = get_backend(device)
        net = Network(spec, bk, dtype=np.float64)
        NT, BT = net.tiles(len(X))
        xb, yb = bk.empty((NT, T, BT, F), np.float64), bk.empty((NT, BT, O), np.float64)
        idx = bk.to_device(np.arange(len(X), dtype=np.int64))
        bk.kernels.pack_windows(bk.to_device(X), idx, xb)
        bk.kernels.pack_targets(bk.to_device(Y), idx, yb)
        mask_rng = np.random.default_rng(3)
        masks = None if not spec.dropout else [
            bk.to_device((mask_rng.random((NT, BT, spec.width)) >= spec.dropout) / 0.7)
            for _ in range(spec.num_layers)]
        grad = bk.zeros((net.size,), np.float64)
        params = bk.to_device(net.init_params(np.random.default_rng(1)))
        loss = net.loss_and_grad(params, xb, yb, grad, 0, 0.0, masks)
        results.append((loss, bk.to_host(grad)))
    (cpu_loss, cpu_grad), (gpu_loss, gpu_grad) = results
    assert gpu_loss == pytest.approx(cpu_loss, rel=1e-12)
    np.testing.assert_allclose(gpu_grad, cpu_grad, rtol=1e-9, atol=1e-12)


def test_cuda_fit_is_deterministic(monkeypatch):
    """Same seeds, same bits, fit after fit (the simulator runs each block's
    threads preemptively, so a kernel race would show up here)."""
    spec, cfg = CASES["lstm-bi-attention-dropout"]
    cfg = dataclasses.replace(cfg, max_iter=1)  # (a race shows in one epoch's batches as in two)
    fits = [fit("cuda", spec, cfg)[1] for _ in range(2)]
    for other in fits[1:]:
        np.testing.assert_array_equal(other.params, fits[0].params)
        assert other.loss_curve == fits[0].loss_curve
