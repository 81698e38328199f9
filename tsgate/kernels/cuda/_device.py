"""Device functions shared by the CUDA kernels: gate nonlinearities and a
deterministic block-wide sum.

On the GPU ``math.tanh``/``math.exp`` map to CUDA's ``tanhf``/``expf``
(float32) or ``tanh``/``exp`` (float64): fast and accurate there, so the CPU
kernels' rational approximation is not needed. The sigmoid takes ``exp`` of a
non-positive argument only, so it never overflows.
"""
import functools
import math

from numba import cuda

from ._config import numba_type


@functools.lru_cache(maxsize=None)
def activations(dtype_name):
    """(sigmoid, tanh) device functions for one float dtype."""
    nb = numba_type(dtype_name)
    one, zero = nb(1), nb(0)

    @cuda.jit(device=True, inline=True)
    def sigmoid(x):
        if x >= zero:
            return one / (one + math.exp(-x))
        e = math.exp(x)
        return e / (one + e)

    @cuda.jit(device=True, inline=True)
    def tanh(x):
        return math.tanh(x)

    return sigmoid, tanh


@cuda.jit(device=True)
def block_sum(buf, tid, nthreads):
    """Sum ``buf[0:nthreads]`` (shared memory) into ``buf[0]`` by a fixed tree.

    The pairing depends only on ``nthreads``, so the result is the same on
    every run. Every thread of the block must call it, after a
    ``syncthreads`` that follows its last write to ``buf``.
    """
    stride = 1
    while stride < nthreads:
        if tid % (2 * stride) == 0 and tid + stride < nthreads:
            buf[tid] += buf[tid + stride]
        cuda.syncthreads()
        stride *= 2
