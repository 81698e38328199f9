"""Bounded device memory on the CUDA backend: the network keeps the last few
plans, the kernels' scratch the last few shapes per name, so predicting
batches of many sizes holds a few workspaces, not one per size."""
import gc
import threading
import tracemalloc

import numpy as np
from numba import cuda

from tsgate import config
from tsgate.backend import get_backend
from tsgate.engine import Network, NetworkSpec
from tests.conftest import workspace_bytes


def device_bytes():
    """Bytes of all live device arrays."""
    kind = type(cuda.device_array(1))
    gc.collect()
    total = 0
    for a in gc.get_objects():
        try:
            if type(a) is kind:
                total += a.nbytes
        except ReferenceError:  # a dead weak proxy
            pass
    return total


def test_predicting_many_batch_sizes_keeps_device_memory_bounded():
    from tsgate.kernels.cuda import _config

    steps, sizes = 4, np.random.default_rng(0).permutation(np.arange(1, 17))  # 16 sizes
    net = Network(NetworkSpec("gru", 1, 4, 1, attention=True), get_backend("cuda"))
    params = net.init_params(np.random.default_rng(1))
    X = np.random.default_rng(2).standard_normal((16, steps, 1)).astype(np.float32)
    tracemalloc.start()
    try:
        for n in sizes[:4]:
            net.predict(params, X[:n])
        after_few, traced_few = device_bytes(), tracemalloc.get_traced_memory()[0]
        for n in sizes[4:]:
            net.predict(params, X[:n])
        after_all, traced_all = device_bytes(), tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert (traced_all - traced_few) / 2**20 < 50  # the CPU test's bound
    assert len(net._plans[False]) <= config.PLANS_KEPT
    mine = [kept for (thread, _), kept in _config._scratch.items() if thread == threading.get_ident()]
    assert mine and all(len(kept) <= _config.SCRATCH_SHAPES for kept in mine)
    largest = workspace_bytes(net.plan(int(sizes.max()), steps, training=False))
    every_size = sum(workspace_bytes(net.plan(int(n), steps, training=False)) for n in sizes)
    growth = after_all - after_few
    # what stays is a few workspaces, not one per batch size
    assert growth < (config.PLANS_KEPT + 1) * largest < every_size / 2, (growth, largest, every_size)
