"""Bounded memory: a network keeps the last few pass plans (and their
workspaces), so predicting batches of many sizes does not grow memory."""
import tracemalloc

import numpy as np

import tsgate
from tsgate import config
from tests.conftest import workspace_bytes

MB = 2**20


def test_memory_after_400_batch_sizes_stays_within_50_mb_of_10():
    rng = np.random.default_rng(0)
    steps = 48
    X = rng.normal(size=(400, steps, 1)).astype(np.float32)
    reg = tsgate.LSTMRegressor(hidden_size=16, max_iter=1, batch_size=64, random_state=0)
    reg._planned_budget = True  # one epoch on purpose: no ConvergenceWarning
    reg.fit(X[:64], rng.normal(size=64))
    sizes = rng.permutation(np.arange(1, 401))  # 400 distinct batch sizes, in random order
    tracemalloc.start()
    try:
        for n in sizes[:10]:
            reg.predict(X[:n])
        after_10, _ = tracemalloc.get_traced_memory()
        for n in sizes[10:]:
            reg.predict(X[:n])
        after_400, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    growth = (after_400 - after_10) / MB
    assert growth < 50, f"memory grew by {growth:.0f} MB over 390 more batch sizes"
    # the test can fail: a cache of every size would hold far more than the bound
    net = reg._network()
    every_size = sum(workspace_bytes(net.plan(min(int(n), config.PREDICT_CHUNK), steps,
                                              training=False))
                     for n in sizes) / MB
    assert every_size > 4 * 50
    assert len(net._plans[False]) <= config.PLANS_KEPT
