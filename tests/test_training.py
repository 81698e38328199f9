"""The training loop ``tsgate.engine.train``: it learns, it is reproducible
bit for bit (same seed; 1 or 2 Numba threads), early stopping validates on the
LAST samples and restores the best weights, the divergence guard keeps the
last good weights, warm starts continue exactly, clipping is reported.
"""
import os
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import pytest

from tsgate.engine import TrainConfig, train
from tsgate.engine.training import evaluate, split_validation
from tests.conftest import make_net as shared_make_net
from tests.conftest import noisy_sine, one_thread

ROOT = pathlib.Path(__file__).resolve().parents[1]


# tiles of 3 rows, 2 gradient groups: tiny batches span several tiles and groups
pytestmark = pytest.mark.usefixtures("small_tiles")


@pytest.fixture(autouse=True)
def _one_thread():
    # Fits of tiny batches on one Numba thread: on a busy 2-core machine each
    # parallel region otherwise waits up to a scheduler slice for its second
    # thread (100x slower). The results are the same bits with 1 and 2 threads:
    # test_bit_identical_across_thread_counts runs a fit with each.
    with one_thread():
        yield


def make_net(cell="lstm", hidden_size=8, seed=1, **spec):
    """A float32 network of one feature and one output (``tests.conftest.make_net``)."""
    return shared_make_net(cell, 1, hidden_size, 1, np.float32, seed, **spec)


def fit(net, params, X, Y, seed=2, **cfg):
    cfg = TrainConfig(**{"max_iter": 3, "batch_size": 16, "learning_rate": 1e-2, **cfg})
    return train(net, params, X, Y, cfg, np.random.default_rng(seed))


# ------------------------------------------------------ memory on a line


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_weights_and_workspace_on_a_cache_line_whatever_the_input(cell):
    """The kernels read the weights and the plan's buffers from 64-byte
    boundaries (backend.ALIGNMENT; off one an epoch took 10-15% longer), and
    the result does not depend on where the caller's weights lie."""
    from tsgate.backend import ALIGNMENT, aligned_empty

    X, Y = noisy_sine()
    net, params = make_net(cell)
    results = []
    for shift in (0, 4):  # the caller's weights on a line and 16 bytes past one
        raw = aligned_empty(params.size + 16, params.dtype)
        given = raw[shift:shift + params.size]
        given[:] = params
        assert given.ctypes.data % ALIGNMENT == 4 * shift
        results.append(fit(net, given, X, Y))
    assert np.array_equal(results[0].params, results[1].params)
    assert all(r.params.ctypes.data % ALIGNMENT == 0 for r in results)
    plan = net.plan(16, X.shape[1], training=True)
    buffers = [a for layer in plan.work["layers"] for d in layer["dirs"] for a in d.values()]
    assert buffers and all(a.ctypes.data % ALIGNMENT == 0 for a in buffers if a.size)


# ---------------------------------------------------------------- it learns


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_learns_noisy_sine(cell):
    X, Y = noisy_sine()
    net, params = make_net(cell)
    result = fit(net, params, X, Y, max_iter=15, batch_size=32)
    assert result.n_iter == 15 and len(result.loss_curve) == 15
    assert result.loss_curve[-1] < 0.5 * result.loss_curve[0], result.loss_curve
    assert result.best_loss == min(result.loss_curve)
    assert result.params.dtype == np.float32 and np.isfinite(result.params).all()
    assert not np.array_equal(result.params, params)
    loss, r2 = evaluate(net, result.params, X, Y, TrainConfig())
    assert r2 > 0.5 and loss < result.loss_curve[0]


def test_same_seed_same_bits():
    X, Y = noisy_sine(60, 6)
    net, params = make_net("gru", hidden_size=4, num_layers=2, bidirectional=True, dropout=0.2)
    first = fit(net, params, X, Y)
    second = fit(net, params.copy(), X, Y)
    np.testing.assert_array_equal(first.params, second.params)
    assert first.loss_curve == second.loss_curve
    other = fit(net, params, X, Y, seed=3)  # batch order and dropout masks follow the seed
    assert not np.array_equal(first.params, other.params)
    np.testing.assert_array_equal(params, make_net("gru", hidden_size=4, num_layers=2, bidirectional=True,
                                                   dropout=0.2)[1])  # train left its input alone


# ----------------------------------------------------------- early stopping


def test_validation_is_the_last_fraction():
    cfg = TrainConfig(early_stopping=True, validation_fraction=0.2)
    assert split_validation(50, cfg) == (40, 10)
    assert split_validation(51, cfg) == (40, 11)  # rounded up
    assert split_validation(3, TrainConfig(early_stopping=True, validation_fraction=0.01)) == (2, 1)
    assert split_validation(50, TrainConfig(early_stopping=False)) == (50, 0)
    # the last 10 targets are far off: validation sees only them, training none of them
    X, Y = noisy_sine(50, 6)
    Y[40:] = 100.0
    net, params = make_net(hidden_size=4)
    result = fit(net, params, X, Y, early_stopping=True, validation_fraction=0.2)
    assert len(result.validation_loss_curve) == len(result.validation_scores) == result.n_iter == 3
    assert min(result.validation_loss_curve) > 50 ** 2
    assert max(result.loss_curve) < 10


def _best_weights_case(**cfg):
    # validation targets are the training relation negated: learning the
    # training data makes the validation loss worse after a while
    X, Y = noisy_sine(80, 6)
    Y[64:] = -Y[64:]
    net, params = make_net(hidden_size=4)
    result = fit(net, params, X, Y, early_stopping=True, validation_fraction=0.2, max_iter=30,
                 learning_rate=3e-2, **cfg)
    return net, X[64:], Y[64:], result


def test_early_stopping_restores_best_weights():
    net, X_val, Y_val, result = _best_weights_case(n_iter_no_change=3, tol=0.0)
    curve = result.validation_loss_curve
    best = int(np.argmin(curve))
    assert result.best_validation_loss == min(curve)
    assert best < len(curve) - 1  # the last epoch was not the best: restoring matters
    assert result.n_iter == best + 1 + 3  # stopped after 3 epochs without improvement
    assert result.n_iter < 30
    loss, _ = evaluate(net, result.params, X_val, Y_val, TrainConfig())
    assert loss == result.best_validation_loss


def test_best_weights_restored_whatever_tol():
    # tol only decides when to stop; the weights returned are those of the
    # lowest validation loss, even when it improved by less than tol
    X, Y = noisy_sine(80, 6)
    net, params = make_net(hidden_size=4)
    result = fit(net, params, X, Y, early_stopping=True, validation_fraction=0.2, max_iter=30,
                 n_iter_no_change=3, tol=1e9)
    assert result.n_iter == 4  # nothing improves by 1e9: 1 + n_iter_no_change epochs
    curve = result.validation_loss_curve
    assert int(np.argmin(curve)) > 0  # the validation loss did improve, by less than tol
    assert result.best_validation_loss == min(curve)
    loss, _ = evaluate(net, result.params, X[64:], Y[64:], TrainConfig())
    assert loss == result.best_validation_loss


def test_n_iter_no_change_and_tol_on_training_loss():
    X, Y = noisy_sine(40, 6)
    net, params = make_net(hidden_size=4)
    assert fit(net, params, X, Y, max_iter=20, n_iter_no_change=2, tol=1e9).n_iter == 3
    assert fit(net, params, X, Y, max_iter=5, n_iter_no_change=5, tol=1e9).n_iter == 5
    full = fit(net, params, X, Y, max_iter=6, n_iter_no_change=100, tol=0.0)
    assert full.n_iter == 6 and len(full.loss_curve) == 6
    assert full.validation_loss_curve == [] and full.best_validation_loss == np.inf


# --------------------------------------------------------------- divergence


def test_divergence_guard_high_learning_rate():
    X, Y = noisy_sine(60, 6)
    net, params = make_net(hidden_size=4)
    with pytest.warns(RuntimeWarning, match="epoch 1"):
        result = fit(net, params, X, Y, learning_rate=1e6, max_iter=5)
    assert result.diverged_at == 1
    assert np.isfinite(result.params).all()
    np.testing.assert_array_equal(result.params, params)  # the last good weights: the initial ones
    assert result.n_iter == 0 and result.loss_curve == []
    m, v, step = result.optimizer_state
    assert step == 0 and not m.any() and not v.any()  # the optimizer state is rolled back too


def test_divergence_guard_restores_start_of_epoch(monkeypatch):
    X, Y = noisy_sine(60, 6)
    net, params = make_net(hidden_size=4)
    batches_per_epoch = 4  # 60 rows, batches of 16
    calls = {"n": 0}
    from tsgate.engine import passes

    real = passes.loss_and_grad

    def nan_in_epoch_3(*args, **kwargs):
        # the loss goes into the epoch's slot (args: ..., masks, out, slot): write NaN there
        calls["n"] += 1
        result = real(*args, **kwargs)
        if calls["n"] == 2 * batches_per_epoch + 2:
            out, slot = args[-2], args[-1]
            out[slot] = np.nan
        return result

    monkeypatch.setattr("tsgate.engine.training.loss_and_grad", nan_in_epoch_3)
    with pytest.warns(RuntimeWarning, match="epoch 3"):
        result = fit(net, params, X, Y, max_iter=5)
    assert calls["n"] == 3 * batches_per_epoch  # the guard reads the slots once, after the epoch
    assert result.diverged_at == 3 and result.n_iter == 2 and len(result.loss_curve) == 2
    two_epochs = fit(make_net(hidden_size=4)[0], params, X, Y, max_iter=2)
    np.testing.assert_array_equal(result.params, two_epochs.params)
    for ours, theirs in zip(result.optimizer_state, two_epochs.optimizer_state):
        np.testing.assert_array_equal(ours, theirs)


def test_huge_inputs_stay_finite():
    # float32 inputs of 1e30 saturate every gate: no overflow, no NaN; the loss
    # stays finite and the weights too (the guard has nothing to catch)
    X, Y = noisy_sine(40, 6)
    net, params = make_net(hidden_size=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = fit(net, params, X * np.float32(1e30), Y, max_iter=2)
    assert np.isfinite(result.params).all()
    assert result.diverged_at is not None or np.isfinite(result.loss_curve).all()


def test_nan_target_row_does_not_trip_the_guard():
    X, Y = noisy_sine(40, 6)
    Y[5] = np.nan
    net, params = make_net(hidden_size=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = fit(net, params, X, Y, max_iter=2)
    assert result.diverged_at is None and np.isfinite(result.loss_curve).all()


# ----------------------------------------------------- warm start, clipping


def test_warm_start_continues_exactly():
    X, Y = noisy_sine(40, 6)
    net, params = make_net(hidden_size=4)
    cfg = dict(batch_size=16, learning_rate=1e-2, n_iter_no_change=100)
    straight = train(net, params, X, Y, TrainConfig(max_iter=4, **cfg), np.random.default_rng(2))
    rng = np.random.default_rng(2)  # one generator across both calls, as a warm-started estimator
    first = train(net, params, X, Y, TrainConfig(max_iter=2, **cfg), rng)
    second = train(net, first.params, X, Y, TrainConfig(max_iter=2, **cfg), rng,
                   state=first.optimizer_state)
    np.testing.assert_array_equal(second.params, straight.params)
    assert first.loss_curve + second.loss_curve == straight.loss_curve
    assert second.optimizer_state[2] == straight.optimizer_state[2] == 4 * 3  # 3 batches per epoch
    cold = train(net, first.params, X, Y, TrainConfig(max_iter=2, **cfg), np.random.default_rng(2))
    assert not np.array_equal(cold.params, straight.params)  # without the state: another path


def test_clipping_statistics():
    X, Y = noisy_sine(40, 6)
    net, params = make_net(hidden_size=4)
    always = fit(net, params, X, Y, clip_norm=1e-6)
    never = fit(net, params, X, Y, clip_norm=None)
    default = fit(net, params, X, Y)
    assert always.clipped_fraction == 1.0
    assert never.clipped_fraction == 0.0
    for result in (always, never, default):
        assert 0.0 <= result.clipped_fraction <= 1.0
        assert len(result.grad_norm_curve) == result.n_iter == 3
        assert all(np.isfinite(g) and g > 0 for g in result.grad_norm_curve)
    # the curve reports the norms before clipping
    assert always.grad_norm_curve[0] > 1e-3
    assert not np.array_equal(always.params, never.params)


# ----------------------------------------------------- threads, bit for bit

_FIT_SCRIPT = """
import sys
import numba
import numpy as np
from tsgate import config
config.TILE_ROWS = 3
config.GRAD_GROUPS = 4
config.PARALLEL_MIN_WORK = 0  # the parallel kernels on 2 threads, the serial twins on 1
from tsgate.backend import get_backend
from tsgate.engine import Network, NetworkSpec, TrainConfig, train
OUT, THREADS = sys.argv[1], int(sys.argv[2])
assert numba.get_num_threads() == THREADS, numba.get_num_threads()
rng = np.random.default_rng(0)
series = np.sin(0.3 * np.arange(70)) + 0.1 * rng.standard_normal(70)
X = np.stack([series[i:i + 6] for i in range(64)])[:, :, None].astype(np.float32)
Y = series[6:70, None].astype(np.float32)
blobs = []
for cell in ("lstm", "gru"):
    net = Network(NetworkSpec(cell, 1, 4, 1, num_layers=2, bidirectional=True, attention=True,
                              dropout=0.1), get_backend("cpu"), np.float32)
    params = net.init_params(np.random.default_rng(1))
    result = train(net, params, X, Y, TrainConfig(max_iter=2, batch_size=32, learning_rate=1e-2),
                   np.random.default_rng(2))
    blobs.append(result.params.tobytes())
open(OUT, "wb").write(b"".join(blobs))
"""


def test_bit_identical_across_thread_counts(tmp_path):
    # this process first (one thread): compiles and caches what the
    # subprocesses then load, and gives a third copy to compare
    here = tmp_path / "params_here.bin"
    argv = sys.argv
    try:
        sys.argv = ["-c", str(here), "1"]
        exec(compile(_FIT_SCRIPT, "<fit>", "exec"), {"__name__": "__fit__"})
    finally:
        sys.argv = argv
    outputs = {}
    for threads in (1, 2):
        env = dict(os.environ, NUMBA_NUM_THREADS=str(threads),
                   PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        out = tmp_path / f"params_{threads}.bin"
        subprocess.run([sys.executable, "-c", _FIT_SCRIPT, str(out), str(threads)], env=env, cwd=ROOT,
                       check=True, timeout=300)
        outputs[threads] = out.read_bytes()
    assert len(outputs[1]) > 0
    assert outputs[1] == outputs[2] == here.read_bytes()


def test_dropout_masks_in_blocks_give_the_same_fit(monkeypatch):
    # an epoch's masks drawn in many small blocks (bounded memory) are the
    # same numbers as in one block: the fit is the same, bit for bit
    from tsgate import config

    X, Y = noisy_sine(40, 6)
    net, params = make_net(hidden_size=4, dropout=0.3)
    one_block = fit(net, params, X, Y, max_iter=2)
    monkeypatch.setattr(config, "MASK_BLOCK", 10)  # a block per step
    blocks = fit(make_net(hidden_size=4, dropout=0.3)[0], params, X, Y, max_iter=2)
    np.testing.assert_array_equal(blocks.params, one_block.params)
    assert blocks.loss_curve == one_block.loss_curve
    # the check bites: other masks (another seed) give another fit
    other = fit(make_net(hidden_size=4, dropout=0.3)[0], params, X, Y, seed=5, max_iter=2)
    assert not np.array_equal(other.params, one_block.params)


def test_max_steps_stops_within_an_epoch():
    """A step budget of 7 on 4 batches an epoch: two epochs, the second cut
    after 3 batches (whole epochs ran a long series' final fit for 6 times
    its budget: a performance sweep, session 47)."""
    X, Y = noisy_sine()
    X, Y = X[:64], Y[:64]
    net, params = make_net("gru")
    cut = fit(net, params, X, Y, max_iter=5, max_steps=7)
    assert cut.n_iter == 2 and cut.optimizer_state[2] == 7 and len(cut.loss_curve) == 2
    whole = fit(net, params, X, Y, max_iter=2)
    assert whole.optimizer_state[2] == 8
    one = fit(net, params, X, Y, max_iter=1)
    assert cut.loss_curve[0] == one.loss_curve[0]  # the same first epoch
    assert not np.array_equal(cut.params, whole.params)
