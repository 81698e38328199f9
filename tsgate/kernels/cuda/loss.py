"""Losses with their gradient in one launch, on the GPU: the twin of
``kernels/cpu/loss.py``. NaN targets are masked out.

The loss is the mean over the finite targets of the batch. The kinds are
``cellmath.LossKind``, the element formulas ``cellmath.loss_element``, shared
with the CPU; ``MSE, MAE, HUBER, PINBALL`` here are their int values. Memory
contract: ``dpred`` is assigned; the mean loss is written into a float64
device slot ``out[slot]`` (the training loop's per-epoch slots: nothing comes
back per step), or, without ``out``, comes back as a Python float (one scalar
copied to the host).

One block (``tsgate.config.CUDA_THREADS`` threads) covers the batch: it first
counts the finite targets (the gradient scale needs the count), then assigns
the gradients and sums the loss, in float64 like the CPU, with a fixed
reduction tree: deterministic, no atomics. A batch holds B * O values, small
next to the recurrent layers.
"""
import math

from numba import cuda, float64

from ..cellmath import LossKind
from . import _config
from ._cells import loss_element
from ._config import CACHE, check_device, launch, scratch
from ._device import block_sum

MSE, MAE, HUBER, PINBALL = (int(kind) for kind in LossKind)


@cuda.jit(cache=CACHE)
def _loss(pred, target, kind, param, dpred, result, slot):
    # pred, target, dpred flat (n,); result (S,) float64, the mean loss into result[slot]
    buf = cuda.shared.array(0, float64)  # (threads,)
    tid = cuda.threadIdx.x
    nth = cuda.blockDim.x
    n = pred.shape[0]
    count = 0.0
    for i in range(tid, n, nth):
        if not math.isnan(target[i]):
            count += 1.0
    buf[tid] = count
    cuda.syncthreads()
    block_sum(buf, tid, nth)
    scale = 1.0 / (buf[0] if buf[0] > 1.0 else 1.0)
    cuda.syncthreads()  # everyone has read the count before buf is reused
    total = 0.0
    for i in range(tid, n, nth):
        y = target[i]
        if math.isnan(y):
            dpred[i] = 0
            continue
        e = float64(pred[i]) - float64(y)
        value, g = loss_element(kind, e, param)
        total += value
        dpred[i] = g * scale
    buf[tid] = total
    cuda.syncthreads()
    block_sum(buf, tid, nth)
    if tid == 0:
        result[slot] = buf[0] * scale


def loss_forward_backward(pred, target, kind, param, dpred, out=None, slot=0):
    """Return the mean loss and assign its gradient to ``dpred``.

    Parameters
    ----------
    pred, target, dpred : device array of shape (NT, BT, O)
    kind : int
        A ``LossKind``.
    param : float
        Huber's delta or the pinball quantile; ignored otherwise.
    out : device array of shape (S,) float64, optional
        Write the loss into ``out[slot]`` and copy nothing back.
    slot : int

    Returns
    -------
    loss : float or None
        Without ``out``: the mean over finite targets (0.0 when there are
        none), a Python float. With ``out``: None.
    """
    check_device(pred, target, dpred)
    threads = _config.elementwise_threads()
    result = scratch("loss", (1,), "float64") if out is None else out
    launch(_loss, 1, threads, threads * 8)(
        pred.reshape(pred.size), target.reshape(target.size), int(kind), float(param),
        dpred.reshape(dpred.size), result, int(slot))
    if out is None:
        return float(result.copy_to_host()[0])
    return None
