"""Tiled shared-memory matrix products and column sums (numba.cuda has no cuBLAS).

Memory contract: outputs are assigned (``=``), never accumulated. Operands
are 3-D, ``(batch, rows, cols)``, any strides (sliced views are fine); an
operand with batch 1 is shared by every batch of the output. This covers the
products the layers need: one large product over all tiles and steps (input
projection, ``dx``, head), and one product per tile (weight-gradient
partials, see ``_partials.py``).

Mapping: block (GEMM_TILE, GEMM_TILE) computes a square of C, thread
(x, y) the element (row y, column x); grid x walks the row tiles (rows can be
T*B, hundreds of thousands), grid y the column tiles, grid z the batch. Each
step stages a GEMM_TILE-wide slice of K of both operands in shared memory
(2 * GEMM_TILE * (GEMM_TILE + 1) values; the +1 column avoids bank conflicts
on the transposed stores), loading along each operand's contiguous axis.
Each output element sums over K in ascending order: deterministic.

The two slices live in one dynamic shared buffer, not two static
``cuda.shared.array`` calls: Numba's CUDA simulator creates a static shared
array lazily, on a check-then-insert that is not atomic, so two threads of a
block preempted between the two could each get a private "shared" array and
never see each other's stores (seen: about one tiny fit in ten came out
different under a 50 us thread switch interval). The dynamic buffer is made
once per launch, before any thread starts. On a GPU both are the same.
"""
import functools

from numba import cuda

from . import _config
from ._config import CACHE, dtype_name, launch, numba_type


@functools.lru_cache(maxsize=None)
def _gemm_kernel(dtype, tile):
    nb = numba_type(dtype)
    zero = nb(0)
    width = tile + 1

    @cuda.jit(cache=CACHE)
    def gemm(A, B, bias, C, trans_a, trans_b, has_bias):
        # op(A[b]) (M, K) @ op(B[b]) (K, N) (+ bias (N,)) -> C[b] (M, N)
        smem = cuda.shared.array(0, nb)  # 2 * (tile, width): both slices
        sa = smem[:tile * width]  # (rows, K slice) of op(A), row-major
        sb = smem[tile * width:2 * tile * width]  # (K slice, cols) of op(B)
        tx = cuda.threadIdx.x
        ty = cuda.threadIdx.y
        batch = cuda.blockIdx.z
        ba = batch if A.shape[0] > 1 else 0
        bb = batch if B.shape[0] > 1 else 0
        M = C.shape[1]
        N = C.shape[2]
        K = A.shape[1] if trans_a else A.shape[2]
        row0 = cuda.blockIdx.x * tile
        col0 = cuda.blockIdx.y * tile
        acc = zero
        for p0 in range(0, K, tile):
            if trans_a:  # A[ba] is (K, M): x walks its contiguous M axis
                i = row0 + tx
                p = p0 + ty
                sa[tx * width + ty] = A[ba, p, i] if i < M and p < K else zero
            else:
                i = row0 + ty
                p = p0 + tx
                sa[ty * width + tx] = A[ba, i, p] if i < M and p < K else zero
            if trans_b:  # B[bb] is (N, K): x walks its contiguous K axis
                j = col0 + ty
                p = p0 + tx
                sb[tx * width + ty] = B[bb, j, p] if j < N and p < K else zero
            else:
                j = col0 + tx
                p = p0 + ty
                sb[ty * width + tx] = B[bb, p, j] if j < N and p < K else zero
            cuda.syncthreads()
            for q in range(tile):
                acc += sa[ty * width + q] * sb[q * width + tx]
            cuda.syncthreads()
        i = row0 + ty
        j = col0 + tx
        if i < M and j < N:
            if has_bias:
                acc += bias[j]
            C[batch, i, j] = acc

    return gemm


@functools.lru_cache(maxsize=None)
def _column_sums_kernel(dtype):
    zero = numba_type(dtype)(0)

    @cuda.jit(cache=CACHE)
    def column_sums(a, out):
        # a (NT, R, C) -> out (NT, C); rows added in order, like the CPU's row_sum
        c = cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x
        k = cuda.blockIdx.y
        if c < out.shape[1]:
            acc = zero
            for r in range(a.shape[1]):
                acc += a[k, r, c]
            out[k, c] = acc

    return column_sums


_dummies = {}


def _no_bias(dtype):
    if dtype not in _dummies:
        _dummies[dtype] = cuda.device_array(1, dtype=dtype)
    return _dummies[dtype]


def matmul(A, B, C, trans_a=False, trans_b=False, bias=None):
    """``C[b] = op(A[b]) @ op(B[b]) (+ bias)`` on 3-D device arrays.

    Parameters
    ----------
    A : device array of shape (BA, M, K), or (BA, K, M) with ``trans_a``
    B : device array of shape (BB, K, N), or (BB, N, K) with ``trans_b``
        BA and BB are 1 (shared by all batches) or equal to C's batch.
    C : device array of shape (batch, M, N)
        Assigned.
    bias : device array of shape (N,), optional
        Added to every row after the product.
    """
    batch, M, N = C.shape
    if batch == 0 or M == 0 or N == 0:
        return
    tile = int(_config.GEMM_TILE)
    dtype = dtype_name(C)
    kernel = _gemm_kernel(dtype, tile)
    grid = (-(-M // tile), -(-N // tile), batch)
    smem = 2 * tile * (tile + 1) * C.dtype.itemsize
    launch(kernel, grid, (tile, tile), smem)(A, B, _no_bias(C.dtype) if bias is None else bias, C,
                                        bool(trans_a), bool(trans_b), bias is not None)


def column_sums(a, out):
    """``out[k] = a[k].sum(axis=0)``, rows in order; a (NT, R, C), out (NT, C)."""
    NT, C = out.shape
    if NT == 0 or C == 0:
        return
    threads = _config.elementwise_threads()
    kernel = _column_sums_kernel(dtype_name(out))
    launch(kernel, (-(-C // threads), NT), threads)(a, out)
