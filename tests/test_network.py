"""The network through ``Network(spec, get_backend("cpu"), dtype)``: gradients
against central finite differences in float64, parameter layout, prediction,
and (when torch is installed) parity with ``torch.nn.LSTM``/``torch.nn.GRU``.
"""
import numba
import numpy as np
import pytest

from tsgate import config
from tsgate.backend import get_backend
from tsgate.engine import Network, forward, loss_and_grad
from tsgate.kernels import cpu as K
from tests.conftest import make_net, one_thread

N, T, F, O = 7, 5, 2, 2  # 7 rows over tiles of 3: three tiles, the last with 2 padded rows
EPS = 1e-6
# 3 tiles in 2 gradient groups: one group sums the partials of two tiles
pytestmark = pytest.mark.usefixtures("small_tiles")


def make_data(dtype=np.float64, seed=1, n=N, n_features=F):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, T, n_features)).astype(dtype)
    Y = rng.standard_normal((n, O)).astype(dtype)
    return X, Y


def pack(net, X, Y=None):
    n = X.shape[0]
    NT, BT = net.tiles(n)
    idx = np.arange(n, dtype=np.int64)
    xb = np.empty((NT, X.shape[1], BT, X.shape[2]), net.dtype)
    K.pack_windows(X, idx, xb)
    if Y is None:
        return xb
    yb = np.empty((NT, BT, Y.shape[1]), net.dtype)
    K.pack_targets(Y, idx, yb)
    return xb, yb


def dropout_masks(net, xb, seed=3, p=0.3):
    rng = np.random.default_rng(seed)
    NT, _, BT, _ = xb.shape
    return [((rng.random((NT, BT, net.spec.width)) >= p) / (1 - p)).astype(net.dtype)
            for _ in range(net.spec.num_layers)]


def assert_gradient_matches_fd(net, params, xb, yb, kind=0, param=0.0, masks=None):
    grad = np.full(net.size, np.nan)
    loss = net.loss_and_grad(params, xb, yb, grad, kind, param, masks)
    grad = grad.copy()
    scratch = np.empty(net.size)
    p = params.copy()
    fd = np.empty(net.size)
    with one_thread():
        for i in range(net.size):
            old = p[i]
            p[i] = old + EPS
            up = net.loss_and_grad(p, xb, yb, scratch, kind, param, masks)
            p[i] = old - EPS
            down = net.loss_and_grad(p, xb, yb, scratch, kind, param, masks)
            p[i] = old
            fd[i] = (up - down) / (2 * EPS)
    # relative error with a floor of 1e-3 in the denominator (an absolute 1e-9 for
    # tiny entries): the float64 rounding of the loss, ~1e-16 / 2e-6, puts ~1e-10
    # of noise on every central difference
    rel = np.abs(grad - fd) / np.maximum(np.maximum(np.abs(grad), np.abs(fd)), 1e-3)
    worst = int(rel.argmax())
    assert rel.max() < 1e-6, (rel.max(), worst, grad[worst], fd[worst])
    assert np.abs(grad).max() > 1e-3  # the check was not vacuous
    assert np.count_nonzero(grad) > 0.9 * net.size or masks is not None
    assert np.isfinite(loss)
    return loss, grad


# ------------------------------------------------------------ finite differences

ARCHS = {
    "1layer": dict(),
    "2layers-bidir": dict(num_layers=2, bidirectional=True),
    "attention": dict(attention=True),
    "2layers-bidir-attention-dropout": dict(num_layers=2, bidirectional=True, attention=True, dropout=0.3),
}


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("arch", list(ARCHS))
def test_gradient_finite_differences(cell, arch):
    net, params = make_net(cell=cell, **ARCHS[arch])
    xb, yb = pack(net, *make_data())
    masks = dropout_masks(net, xb) if net.spec.dropout > 0 else None
    assert_gradient_matches_fd(net, params, xb, yb, masks=masks)
    if masks is not None:  # the masks are really applied: other masks, other loss
        grad = np.empty(net.size)
        a = net.loss_and_grad(params, xb, yb, grad, masks=masks)
        b = net.loss_and_grad(params, xb, yb, grad, masks=dropout_masks(net, xb, seed=4))
        assert a != b


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bidir"])
@pytest.mark.parametrize("attention", [False, True], ids=["last", "attention"])
@pytest.mark.parametrize("dropout", [0.0, 0.3], ids=["nodrop", "dropout"])
def test_gradient_every_architecture(cell, num_layers, bidirectional, attention, dropout):
    """The whole grid of architectures at the tiniest sizes (hidden 2, 4 rows
    of 3 steps over 2 tiles, 1 feature): every combination of the layer,
    direction, head and dropout code paths meets finite differences."""
    net, params = make_net(cell=cell, n_features=1, hidden_size=2, num_layers=num_layers,
                           bidirectional=bidirectional, attention=attention, dropout=dropout)
    X, Y = make_data(n=4, n_features=1)
    xb, yb = pack(net, np.ascontiguousarray(X[:, :3]), Y)
    masks = dropout_masks(net, xb) if dropout > 0 else None
    assert_gradient_matches_fd(net, params, xb, yb, masks=masks)


@pytest.mark.parametrize("groups", [1, 3])
def test_gradient_does_not_depend_on_grouping_much(groups, monkeypatch):
    net, params = make_net(cell="gru", num_layers=2, bidirectional=True, attention=True)
    xb, yb = pack(net, *make_data())
    reference = np.empty(net.size)
    loss = net.loss_and_grad(params, xb, yb, reference)
    monkeypatch.setattr(config, "GRAD_GROUPS", groups)  # one group of 3 tiles; 3 groups of 1
    regrouped = Network(net.spec, net.backend, net.dtype)
    grad = np.empty(net.size)
    assert regrouped.loss_and_grad(params, xb, yb, grad) == loss
    np.testing.assert_allclose(grad, reference, rtol=1e-12, atol=1e-15)


def _targets_away_from_kinks(net, params, X, margin_sign_seed=5):
    """Targets at a distance 0.2 or 0.9 from the predictions, random sign."""
    pred = net.predict(params, X)
    rng = np.random.default_rng(margin_sign_seed)
    offset = rng.choice([0.2, 0.9], size=pred.shape) * rng.choice([-1.0, 1.0], size=pred.shape)
    return pred + offset


@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("kind,param", [(K.MSE, 0.0), (K.MAE, 0.0), (K.HUBER, 0.5), (K.PINBALL, 0.3)])
def test_gradient_each_loss(kind, param, cell):
    net, params = make_net(cell=cell, hidden_size=2)
    X, _ = make_data()
    Y = _targets_away_from_kinks(net, params, X)  # |error| in {0.2, 0.9}: both Huber regimes
    xb, yb = pack(net, X, Y)
    loss, _ = assert_gradient_matches_fd(net, params, xb, yb, kind, param)
    e = net.predict(params, X) - Y
    expected = {K.MSE: np.mean(e ** 2), K.MAE: np.mean(np.abs(e)),
                K.HUBER: np.mean(np.where(np.abs(e) <= param, 0.5 * e ** 2, param * (np.abs(e) - 0.5 * param))),
                K.PINBALL: np.mean(np.maximum(param * -e, (param - 1) * -e))}[kind]
    assert loss == pytest.approx(expected, rel=1e-12)


def test_nan_targets_are_masked():
    net, params = make_net(cell="lstm")
    X, Y = make_data()
    Y[1, 0] = np.nan
    Y[4, :] = np.nan
    Y[6, 1] = np.nan
    xb, yb = pack(net, X, Y)
    loss, grad = assert_gradient_matches_fd(net, params, xb, yb)
    ok = ~np.isnan(Y)
    pred = net.predict(params, X)
    assert loss == pytest.approx(np.mean((pred[ok] - Y[ok]) ** 2), rel=1e-12)
    # a window whose targets are all missing contributes nothing to the gradient
    X2 = X.copy()
    X2[4] = 100.0
    grad2 = np.empty(net.size)
    assert net.loss_and_grad(params, pack(net, X2), yb, grad2) == loss
    np.testing.assert_allclose(grad2, grad, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------ parameters


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_parameter_layout_and_views(cell):
    net, params = make_net(cell=cell, num_layers=2, bidirectional=True, attention=True)
    layout = net.layout.entries
    names = [name for name, _, _, _ in layout]
    assert len(set(names)) == len(names)
    assert net.size == sum(int(np.prod(shape)) for _, shape, _, _ in layout) == params.size
    views = net.views(params)
    offset = 0
    for name, shape, _, _ in layout:  # storage order, no gaps
        assert net.layout.offsets[name] == (offset, shape)
        assert views[name].shape == shape
        assert np.shares_memory(views[name], params)
        offset += int(np.prod(shape))
    G = net.spec.gates * net.spec.hidden_size
    assert views["l0.d0.W_x"].shape == (F, G)
    assert views["l1.d1.W_x"].shape == (2 * net.spec.hidden_size, G)
    assert views["head.W"].shape == (4 * net.spec.hidden_size, O)  # [q ; ctx], 2 directions
    flat = np.zeros(net.size)
    net.views(flat)["l1.d0.W_h"][...] = 1.0
    off, shape = net.layout.offsets["l1.d0.W_h"]
    assert flat[off:off + int(np.prod(shape))].all() and flat.sum() == np.prod(shape)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_decay_mask_zero_exactly_on_biases(cell):
    net, _ = make_net(cell=cell, num_layers=2, bidirectional=True, attention=True)
    mask = net.decay_mask()
    views = net.views(mask)
    bias_names = {"b", "b_x", "b_h", "b_a"}
    for name, _, _, _ in net.layout.entries:
        leaf = name.split(".")[-1]
        expected = 0.0 if leaf in bias_names else 1.0
        assert (views[name] == expected).all(), name
    assert set(np.unique(mask)) == {0.0, 1.0}


def test_initialisation():
    net, params = make_net(cell="lstm", num_layers=2, bidirectional=True, hidden_size=4, seed=11)
    H = net.spec.hidden_size
    views = net.views(params)
    for name, _, _, bound in net.layout.entries:
        v = views[name]
        if name.endswith(".b"):
            np.testing.assert_array_equal(v[H:2 * H], 1.0)  # forget gate
            v = np.concatenate([v[:H], v[2 * H:]])
        assert (np.abs(v) <= bound).all(), name
        assert np.abs(v).max() > 0.2 * bound, name
    assert views["l0.d0.W_x"].std() > 0
    _, again = make_net(cell="lstm", num_layers=2, bidirectional=True, hidden_size=4, seed=11)
    np.testing.assert_array_equal(params, again)
    gru, gru_params = make_net(cell="gru", hidden_size=4)
    assert not (gru.views(gru_params)["l0.d0.b_x"] == 1).any()


# ------------------------------------------------------------------ prediction


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_predict_equals_forward_and_chunking(dtype, monkeypatch):
    net, params = make_net(dtype=dtype, cell="gru", num_layers=2, bidirectional=True, attention=True)
    X, _ = make_data(dtype=dtype, n=9)  # 9 rows: three full tiles of 3
    tiled = net.forward(params, pack(net, X)).copy()  # (NT, BT, O)
    pred, alpha = net.predict(params, X, return_attention=True)
    np.testing.assert_array_equal(pred, tiled.reshape(-1, O))
    np.testing.assert_allclose(alpha.sum(axis=1), 1.0, rtol=1e-6)
    assert alpha.shape == (9, T) and (alpha > 0).all()
    monkeypatch.setattr(config, "PREDICT_CHUNK", 3)  # three chunks of one tile of 3 rows
    chunked, chunked_alpha = net.predict(params, X, return_attention=True)
    np.testing.assert_array_equal(chunked, pred)
    np.testing.assert_array_equal(chunked_alpha, alpha)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_one_row_prediction_tiles_make_rows_independent(cell, monkeypatch):
    # the default: each prediction is a function of its own window alone, bit
    # for bit, whatever else is in the batch and in whatever order
    monkeypatch.setattr(config, "PREDICT_TILE_ROWS", 1)
    net, params = make_net(dtype=np.float32, cell=cell, num_layers=2, hidden_size=8)
    X, _ = make_data(dtype=np.float32, n=9)
    pred = net.predict(params, X)
    perm = np.random.default_rng(0).permutation(9)
    np.testing.assert_array_equal(net.predict(params, X[perm]), pred[perm])
    for i in range(9):
        np.testing.assert_array_equal(net.predict(params, X[i:i + 1])[0], pred[i])
    # C-ordered windows are used in place as one-row tiles; strided ones are packed
    strided = np.repeat(X, 2, axis=0)[::2]
    assert not strided.flags.c_contiguous
    np.testing.assert_array_equal(net.predict(params, strided), pred)
    # and agrees with the multi-row training tiles up to rounding
    tiled = net.forward(params, pack(net, X)).copy().reshape(-1, O)[:9]
    np.testing.assert_allclose(pred, tiled, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_predict_partial_tiles_and_chunks(dtype, monkeypatch):
    net, params = make_net(dtype=dtype, cell="lstm", num_layers=2, bidirectional=True)
    X, _ = make_data(dtype=dtype)  # 7 rows: tiles of 3, 3, 1 (+2 padded rows)
    tiled = net.forward(params, pack(net, X)).copy()
    pred = net.predict(params, X)
    np.testing.assert_array_equal(pred, tiled.reshape(-1, O)[:N])
    monkeypatch.setattr(config, "PREDICT_CHUNK", 3)  # chunks of 3, 3 and 1 rows
    chunked = net.predict(params, X)
    np.testing.assert_array_equal(chunked[:6], pred[:6])
    # the 1-row chunk runs as a (1, H) x (H, 4H) product, which BLAS rounds
    # differently from the same row inside a 3-row tile: equal up to rounding
    np.testing.assert_allclose(chunked[6], pred[6], rtol=8 * np.finfo(dtype).eps, atol=0)
    # every row alone equals its row in the batch, up to rounding
    for i in range(N):
        np.testing.assert_allclose(net.predict(params, X[i:i + 1])[0], pred[i],
                                   rtol=8 * np.finfo(dtype).eps, atol=0)


# ---------------------------------------------------- serial and parallel kernels


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_serial_twins_give_the_parallel_kernels_bits(cell):
    # Small passes run on the serial twins (Backend.kernels_for): a forecast and
    # a fit must not depend on which flavour a pass's size picked
    from tsgate.kernels.cpu import serial

    net, params = make_net(dtype=np.float32, cell=cell, num_layers=2, bidirectional=True,
                           attention=True, dropout=0.2)
    X, Y = make_data(dtype=np.float32)
    idx = np.arange(N, dtype=np.int64)[::-1].copy()
    runs = []
    for kernels in (K, serial):  # 3 tiles: the parallel kernels share them between threads
        plan = net.plan(N, T, kernels=kernels)
        assert plan.kernels is kernels
        xb = plan.pack(X, idx).copy()
        yb = plan.pack_targets(Y, idx).copy()
        p = net.views(params)
        pred = forward(plan, p, xb).copy()
        grad = np.full(net.size, np.nan, np.float32)
        loss = loss_and_grad(plan, p, net.views(grad), xb, yb, masks=dropout_masks(net, xb))
        runs.append((xb, pred, loss, grad))
    for parallel, twin in zip(*runs):
        np.testing.assert_array_equal(parallel, twin)


def test_kernels_for_picks_the_serial_twins_for_small_passes(monkeypatch):
    from tsgate.kernels.cpu import serial

    bk = get_backend("cpu")
    big = 10 * config.PARALLEL_MIN_WORK
    assert bk.kernels_for(big, 1) is serial  # one tile: nothing to share
    assert bk.kernels_for(config.PARALLEL_MIN_WORK - 1, 8) is serial
    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)
    assert bk.kernels_for(big, 8) is K
    monkeypatch.setattr(numba, "get_num_threads", lambda: 1)
    assert bk.kernels_for(big, 8) is serial
    # twins only where a kernel is parallel, each under its own cache name
    assert serial.lstm_forward is not K.lstm_forward
    assert serial.lstm_forward.py_func.__qualname__ == "lstm_forward_serial"
    assert not serial.lstm_forward.targetoptions.get("parallel")
    assert serial.final_state is K.final_state
    assert sorted(serial.__all__) == sorted(K.__all__)


@pytest.mark.parametrize("rows,expected", [(1, "serial"), (9, "parallel")])
def test_a_pass_runs_the_kernels_its_plan_picked(rows, expected, monkeypatch):
    from tsgate.engine import passes
    from tsgate.kernels.cpu import serial

    monkeypatch.setattr(config, "PARALLEL_MIN_WORK", 0)
    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)
    net, params = make_net(dtype=np.float32)
    seen = []
    forward_ = passes.forward
    monkeypatch.setattr("tsgate.engine.network.forward",
                        lambda plan, *a, **kw: seen.append(plan.kernels) or forward_(plan, *a, **kw))
    net.predict(params, make_data(dtype=np.float32, n=rows)[0])
    assert seen and all(k is {"serial": serial, "parallel": K}[expected] for k in seen)


def test_plans_are_bounded_and_reused(monkeypatch):
    monkeypatch.setattr(config, "PREDICT_CHUNK", 4)
    net, params = make_net(dtype=np.float32)
    X, _ = make_data(dtype=np.float32, n=9)
    for n in range(1, 10):  # chunks of 4 and the rest: many shapes
        net.predict(params, X[:n])
    kept = net._plans[False]
    assert len(kept) == config.PLANS_KEPT
    before = list(kept.values())
    net.predict(params, X[:9])  # 4 + 4 + 1: plans of 4 and 1 rows, both kept again
    assert len(kept) == config.PLANS_KEPT
    again = net.predict(params, X[:9])
    assert [id(p) for p in kept.values()] == [id(p) for p in net._plans[False].values()]
    np.testing.assert_array_equal(again, net.predict(params, X[:9]))
    assert not net._plans[True] and before


# --------------------------------------------------------------- torch parity


def _tiles_to_samples(a, n):
    """(NT, T, BT, X) tile layout -> (n, T, X)."""
    NT, steps, BT, width = a.shape
    return a.transpose(0, 2, 1, 3).reshape(NT * BT, steps, width)[:n]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_torch_parity(cell, num_layers):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    H, n_features, n = 4, 3, 7
    net, params = make_net(dtype=np.float32, cell=cell, hidden_size=H, num_layers=num_layers, n_features=n_features,
                           bidirectional=True, seed=21)
    X, _ = make_data(dtype=np.float32, n_features=n_features)
    p = net.views(params)
    module_cls = torch.nn.LSTM if cell == "lstm" else torch.nn.GRU
    module = module_cls(n_features, H, num_layers=num_layers, bidirectional=True, batch_first=True)
    state = {}
    for layer in range(num_layers):
        for d, suffix in enumerate(["", "_reverse"]):
            pre = f"l{layer}.d{d}."
            state[f"weight_ih_l{layer}{suffix}"] = torch.tensor(p[pre + "W_x"].T.copy())
            state[f"weight_hh_l{layer}{suffix}"] = torch.tensor(p[pre + "W_h"].T.copy())
            if cell == "lstm":
                state[f"bias_ih_l{layer}{suffix}"] = torch.tensor(p[pre + "b"].copy())
                state[f"bias_hh_l{layer}{suffix}"] = torch.zeros(4 * H)
            else:
                state[f"bias_ih_l{layer}{suffix}"] = torch.tensor(p[pre + "b_x"].copy())
                state[f"bias_hh_l{layer}{suffix}"] = torch.tensor(p[pre + "b_h"].copy())
    module.load_state_dict(state)
    head = torch.nn.Linear(2 * H, O)
    head.load_state_dict({"weight": torch.tensor(p["head.W"].T.copy()), "bias": torch.tensor(p["head.b"].copy())})
    with torch.no_grad():
        seq, _ = module(torch.tensor(X))
        q = torch.cat([seq[:, -1, :H], seq[:, 0, H:]], dim=1)  # [h_fwd[T-1] ; h_bwd[0]]
        torch_pred = head(q).numpy()
    seq = seq.numpy()
    xb = pack(net, X)
    ours = net.forward(params, xb).copy()
    work = net.plan_of(xb).work
    np.testing.assert_allclose(_tiles_to_samples(work["layers"][-1]["seq"], n), seq, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours.reshape(-1, O)[:n], torch_pred, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(net.predict(params, X), torch_pred, rtol=1e-5, atol=1e-5)
