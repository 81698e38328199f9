"""Small dense matrix products for the CPU kernels, written in Numba.

The kernels multiply 1 to about 64 rows by small weights, e.g. (BT, H) x
(H, G*H) once per step; at these shapes a library BLAS spends most of a call
on dispatch (SciPy's OpenBLAS: 13-17 us for (1 x 64) x (64 x 256) on an AVX2
Zen 3, against about 1 us here), and reaching a BLAS from compiled code means
either loading a private copy of it (a security and portability problem) or
sharing the process's thread pool with it. So tsgate multiplies on its own.

How: blocks of ``PANEL_ROWS`` rows by 16 columns of ``out`` (``_panel``)
keep their sums in vector registers over a block of ``K_BLOCK`` k: per k,
one vector of ``b`` and one broadcast of ``a`` per row feed one fused
multiply-add per row. Numba cannot say that ``out`` does not alias ``a`` or
``b``, so a loop that updates ``out`` in memory stores and reloads it every
few k (the former row-update kernel, 45-75 GFLOP/s on Zen 4); the panel is
written in LLVM IR instead, its sums SSA values that never touch memory:
85-100 GFLOP/s at the kernels' shapes on Zen 4, with AVX-512 (8 rows, one
zmm each) and AVX2 (4 rows, two ymm each) alike (measured December 2026).
Leftover rows and columns go through the row updates (four rows, or one,
from four consecutive rows of ``b``). Every element, whatever path computes
it, is ONE chain of fused multiply-adds in k order,
``o = fma(a[i, k], b[k, j], o)``.

A product with ``op(b) = b.T`` and few columns (``DOT_MAX_N``: a layer's
input gradient with one feature, a backward recurrent product at hidden 16)
is a set of dot products over contiguous rows instead, compiled with
``fastmath`` reassociation so LLVM vectorizes the sums (without it they ran
scalar, 7-10x slower, measured).

Every element of ``out`` is computed by the same operations whatever the
number of rows or the row's place in a block, so a row's product never depends
on the rows beside it (scikit-learn's batch-invariance checks) nor on the
thread count, and results do not depend on a BLAS library. (The reassociated
dot products may round differently on AVX2 and AVX-512.)

Operands are C-contiguous 2-D arrays; a transposed operand is passed as its
C-contiguous storage with a flag, so ``gemm`` compiles one signature per
float dtype (each signature costs compile time on a user's first run).
"""
import numpy as np
from llvmlite import binding as llvm
from llvmlite import ir
from numba import carray, cfunc, njit, types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from ._config import INNER, JIT

K_BLOCK = 128  # rows of b per pass over the row blocks of a (a multiple of 4)
DOT_MAX_N = 32  # op(b) with fewer columns than this and trans_b: dot-product form
FAST_SUMS = dict(INNER, fastmath={"reassoc", "contract", "nsz", "arcp"})  # no nnan/ninf: NaN stays NaN
FMA = dict(INNER, fastmath={"contract"})  # a * b + c as one fused multiply-add, nothing reordered
# The transpose flags that kernels pass to ``gemm``. NumPy bools, not the
# literals False/True: Numba types a literal argument as Literal[bool] and
# compiles ``gemm`` once per combination of literal flags it sees (three in
# the default network, about 0.5 CPU s each), where a NumPy bool is a plain
# ``bool`` and one signature serves them all. The flags are tested at run
# time either way (a few branches per call, next to the product).
PLAIN = np.False_  # op(x) = x
TRANS = np.True_  # op(x) = x.T


@njit(**JIT)
def gemm(a, trans_a, b, trans_b, out, beta):
    """``out = op(a) @ op(b) + beta * out`` with beta 0 (assign) or 1 (accumulate).

    Parameters
    ----------
    a : ndarray of shape (M, K), or (K, M) when ``trans_a`` (then op(a) = a.T)
    trans_a : bool
    b : ndarray of shape (K, N), or (N, K) when ``trans_b`` (then op(b) = b.T)
    trans_b : bool
    out : ndarray of shape (M, N)
    beta : float
        0.0 or 1.0.

    All arrays are C-contiguous and of one float dtype; ``out`` must not
    overlap ``a`` or ``b``.
    """
    M, N = out.shape
    K = a.shape[0] if trans_a else a.shape[1]
    if beta == 0:
        out[:] = 0
    if M == 0 or N == 0 or K == 0:
        return
    dot = trans_b and N < DOT_MAX_N and not trans_a
    if trans_b and not dot:
        b = np.ascontiguousarray(b.T)  # (K, N): a small weight matrix, copied once a call
    a_row, a_col = (1, M) if trans_a else (K, 1)
    _multiply(a, a_row, a_col, b, out, M, N, K, dot)


def _multiply(a, a_row, a_col, b, out, M, N, K, dot):
    """``out += op(a) @ b``, or ``a @ b.T`` with ``dot``; picked by dtype when compiled."""


@overload(_multiply, jit_options=INNER)
def _multiply_overload(a, a_row, a_col, b, out, M, N, K, dot):
    if out.dtype == types.float32:
        def impl(a, a_row, a_col, b, out, M, N, K, dot):
            _products_f32(a.ctypes.data, a_row, a_col, b.ctypes.data, out.ctypes.data,
                          M, N, K, dot)
    else:  # float64: the finite-difference tests only; plain loops compile quickly
        def impl(a, a_row, a_col, b, out, M, N, K, dot):
            if dot:
                _dot_rows(a, b, out)
            else:
                _plain_rows(a.reshape(-1), a_row, a_col, b, out, M, N, K)
    return impl


@njit(**INNER, inline="always")  # typed in its caller: no compile of its own (0.35 CPU s)
def gemm_bt(a, b, bT, out, beta):
    """``out = a @ b.T + beta * out`` given both b (N, K) and ``bT``, its
    C-contiguous transpose (K, N) made once per pass: the dot-product form
    for few columns, else the row updates on ``bT``."""
    if b.shape[0] < DOT_MAX_N:
        gemm(a, PLAIN, b, TRANS, out, beta)
    else:
        gemm(a, PLAIN, bT, PLAIN, out, beta)


# Inlined into the products cfunc (compiled with the same options): as a
# function of its own it was optimized and compiled on its own and then again
# inside the cfunc (about 0.5 CPU s at a first import). Its callees stay calls.
@njit(**FMA, inline="always")
def _update_rows(af, a_row, a_col, b, out, M, N, K):
    """``out += op(a) @ b`` for b (K, N).

    Blocks of ``PANEL_ROWS`` rows go through ``_panel`` (16 columns at a
    time, the sums held in registers over a k block), the other rows and
    columns through the row updates of ``_block4``/``_block1``. Every element
    is one chain of fused multiply-adds in k order, ``o = fma(a[i, k], b[k,
    j], o)``, whichever path computes it, so a row's result never depends on
    the rows beside it.
    """
    n16 = N - N % PANEL_COLS  # columns the panels cover
    bf = b.reshape(-1)  # (K*N,)
    for k0 in range(0, K, K_BLOCK):
        k1 = min(K, k0 + K_BLOCK)
        # np.int64(0), not 0: a literal 0 argument makes Numba compile each
        # callee twice (once for Literal[int](0)), about 3 CPU s more at import
        i = zero = np.int64(0)
        while i + PANEL_ROWS <= M:
            for j0 in range(0, n16, PANEL_COLS):
                _panel(af, a_row, a_col, bf, N, out, i, j0, k0, k1)
            if n16 < N:  # leftover columns (without this test, an empty k loop per row)
                for r in range(PANEL_ROWS):
                    _block1(af, a_row, a_col, b, out, i + r, n16, N, k0, k1)
            i += PANEL_ROWS
        while i + 4 <= M:
            _block4(af, a_row, a_col, b, out, i, zero, N, k0, k1)
            i += 4
        n_pair = N - N % PAIR_COLS  # columns the strips of two rows cover
        while i + 2 <= M:
            for j0 in range(0, n_pair, PAIR_COLS):
                _pair(af, a_row, a_col, bf, N, out, i, j0, k0, k1)
            if n_pair < N:
                _block1(af, a_row, a_col, b, out, i, n_pair, N, k0, k1)
                _block1(af, a_row, a_col, b, out, i + 1, n_pair, N, k0, k1)
            i += 2
        if i < M:
            n_wide = N - N % WIDE_COLS  # columns the strips of one row cover
            for j0 in range(0, n_wide, WIDE_COLS):
                _wide(af, a_row, a_col, bf, N, out, i, j0, k0, k1)
            if n_wide < N:
                _block1(af, a_row, a_col, b, out, i, n_wide, N, k0, k1)


@njit(**FMA)
def _block4(af, a_row, a_col, b, out, i, j0, j1, k0, k1):
    """Rows i..i+3, columns j0..j1-1 of ``out += op(a) @ b`` over k0..k1-1,
    as row updates: four k at a time, the inner loop over the columns."""
    # views from column j0, indexed from 0: a loop index the compiler knows is
    # not negative needs no wraparound check, so the loops vectorize (with
    # range(j0, j1) and a run-time j0 a one-row product was 4-5x slower)
    o0, o1, o2, o3 = out[i, j0:], out[i + 1, j0:], out[i + 2, j0:], out[i + 3, j0:]
    p0, p1, p2, p3 = i * a_row, (i + 1) * a_row, (i + 2) * a_row, (i + 3) * a_row
    n = j1 - j0
    k = k0
    while k + 4 <= k1:
        b0, b1, b2, b3 = b[k, j0:], b[k + 1, j0:], b[k + 2, j0:], b[k + 3, j0:]
        c0, c1, c2, c3 = k * a_col, (k + 1) * a_col, (k + 2) * a_col, (k + 3) * a_col
        x0, x1, x2, x3 = af[p0 + c0], af[p0 + c1], af[p0 + c2], af[p0 + c3]
        y0, y1, y2, y3 = af[p1 + c0], af[p1 + c1], af[p1 + c2], af[p1 + c3]
        z0, z1, z2, z3 = af[p2 + c0], af[p2 + c1], af[p2 + c2], af[p2 + c3]
        w0, w1, w2, w3 = af[p3 + c0], af[p3 + c1], af[p3 + c2], af[p3 + c3]
        for j in range(n):
            v0, v1, v2, v3 = b0[j], b1[j], b2[j], b3[j]
            o0[j] = (((o0[j] + x0 * v0) + x1 * v1) + x2 * v2) + x3 * v3
            o1[j] = (((o1[j] + y0 * v0) + y1 * v1) + y2 * v2) + y3 * v3
            o2[j] = (((o2[j] + z0 * v0) + z1 * v1) + z2 * v2) + z3 * v3
            o3[j] = (((o3[j] + w0 * v0) + w1 * v1) + w2 * v2) + w3 * v3
        k += 4
    while k < k1:
        v = b[k, j0:]
        c0 = k * a_col
        x0, y0, z0, w0 = af[p0 + c0], af[p1 + c0], af[p2 + c0], af[p3 + c0]
        for j in range(n):
            o0[j] = o0[j] + x0 * v[j]
            o1[j] = o1[j] + y0 * v[j]
            o2[j] = o2[j] + z0 * v[j]
            o3[j] = o3[j] + w0 * v[j]
        k += 1


@njit(**FMA)
def _block1(af, a_row, a_col, b, out, i, j0, j1, k0, k1):
    """Row i, columns j0..j1-1 of ``out += op(a) @ b`` over k0..k1-1 (as ``_block4``)."""
    o0 = out[i, j0:]  # (N - j0,) views from column j0, as in _block4
    p0 = i * a_row
    n = j1 - j0
    k = k0
    while k + 4 <= k1:
        b0, b1, b2, b3 = b[k, j0:], b[k + 1, j0:], b[k + 2, j0:], b[k + 3, j0:]
        x0 = af[p0 + k * a_col]
        x1 = af[p0 + (k + 1) * a_col]
        x2 = af[p0 + (k + 2) * a_col]
        x3 = af[p0 + (k + 3) * a_col]
        for j in range(n):
            o0[j] = (((o0[j] + x0 * b0[j]) + x1 * b1[j]) + x2 * b2[j]) + x3 * b3[j]
        k += 4
    while k < k1:
        v = b[k, j0:]
        x0 = af[p0 + k * a_col]
        for j in range(n):
            o0[j] = o0[j] + x0 * v[j]
        k += 1


def _has_avx512():
    """Whether Numba compiles for a CPU with AVX-512 (32 vector registers)."""
    from numba.core import config

    features = config.CPU_FEATURES
    if features is None:  # the host's, as Numba's code generator takes them
        features = llvm.get_host_cpu_features().flatten()
    return "+avx512f" in features


PANEL_COLS = 16  # one AVX-512 vector, two AVX2 ones
PANEL_ROWS = 8 if _has_avx512() else 4  # 8 (or 4 AVX2 x 2) accumulator registers


def _tile(rows, vecs):
    """An intrinsic for rows i..i+rows-1, columns j0..j0+vecs*PANEL_COLS-1 of
    ``out += op(a) @ b`` over k0..k1-1, the sums in vector registers.

    Written as LLVM IR: one ``<PANEL_COLS x float>`` sum per row and vector,
    per k ``vecs`` vector loads of ``b[k, j0:]``, one broadcast of ``a[i + r,
    k]`` per row and one ``llvm.fmuladd`` per sum -- the ``contract``
    semantics of the row updates (a fused multiply-add wherever the CPU has
    one), so every element is the same chain as theirs. As Python source of
    named sums for LLVM's SLP vectorizer to pack, the same loop cost about 2
    CPU s of Numba's passes and LLVM's on a first import; as IR, nothing
    measurable.
    """

    def typer(typingctx, af, a_row, a_col, bf, N, out, i, j0, k0, k1):
        sig = types.void(af, a_row, a_col, bf, N, out, i, j0, k0, k1)
        return sig, codegen

    def codegen(context, builder, signature, args):
        int64 = types.int64
        ints = [context.cast(builder, v, t, int64)
                for v, t in zip(args, signature.args) if isinstance(t, types.Integer)]
        a_row_, a_col_, n_, i_, j0_, k0_, k1_ = ints
        a_ptr = context.make_array(signature.args[0])(context, builder, args[0]).data
        b_ptr = context.make_array(signature.args[3])(context, builder, args[3]).data
        o_ptr = context.make_array(signature.args[5])(context, builder, args[5]).data
        i64 = ir.IntType(64)
        vec = ir.VectorType(a_ptr.type.pointee, PANEL_COLS)
        suffix = f"v{PANEL_COLS}f{8 * context.get_abi_sizeof(vec.element)}"  # v16f32
        fmuladd = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(vec, [vec, vec, vec]), f"llvm.fmuladd.{suffix}")
        splat = ir.Constant(ir.VectorType(ir.IntType(32), PANEL_COLS), [0] * PANEL_COLS)
        undef = ir.Constant(vec, ir.Undefined)

        def at(ptr, offset):
            return builder.gep(ptr, [offset], inbounds=True)

        cols = [builder.add(j0_, ir.Constant(i64, PANEL_COLS * v)) for v in range(vecs)]
        row_idx = [builder.add(i_, ir.Constant(i64, r)) for r in range(rows)]
        o_ptrs = [builder.bitcast(at(o_ptr, builder.add(builder.mul(row, n_), col)),
                                  vec.as_pointer())
                  for row in row_idx for col in cols]  # &out[i + r, j0 + 16 v], row-major
        a_rows = [builder.mul(row, a_row_) for row in row_idx]  # offset of op(a)[i + r, 0]
        start = [builder.load(p, align=4) for p in o_ptrs]
        entry = builder.block
        loop = builder.append_basic_block("tile.k")
        done = builder.append_basic_block("tile.done")
        builder.cbranch(builder.icmp_signed("<", k0_, k1_), loop, done)
        builder.position_at_end(loop)
        k = builder.phi(i64)
        sums = [builder.phi(vec) for _ in o_ptrs]
        row_k = builder.mul(k, n_)
        bs = [builder.load(builder.bitcast(at(b_ptr, builder.add(row_k, col)), vec.as_pointer()),
                           align=4) for col in cols]  # b[k, j0 + 16 v : ...]
        c = builder.mul(k, a_col_)
        new = []
        for r, a_r in enumerate(a_rows):
            x = builder.load(at(a_ptr, builder.add(a_r, c)))  # op(a)[i + r, k]
            first = builder.insert_element(undef, x, ir.Constant(ir.IntType(32), 0))
            xs = builder.shuffle_vector(first, undef, splat)  # x in every lane
            new.extend(builder.call(fmuladd, [xs, v, sums[r * vecs + q]]) for q, v in enumerate(bs))
        k_next = builder.add(k, ir.Constant(i64, 1))
        body = builder.block
        k.add_incoming(k0_, entry)
        k.add_incoming(k_next, body)
        for s_, s0, s1 in zip(sums, start, new):
            s_.add_incoming(s0, entry)
            s_.add_incoming(s1, body)
        builder.cbranch(builder.icmp_signed("<", k_next, k1_), loop, done)
        builder.position_at_end(done)
        final = [builder.phi(vec) for _ in o_ptrs]  # phis first in a block
        for s_, s0, s1, p in zip(final, start, new, o_ptrs):
            s_.add_incoming(s0, entry)
            s_.add_incoming(s1, body)
            builder.store(s_, p, align=4)
        return context.get_dummy_value()

    return intrinsic(typer)


# PANEL_ROWS rows x 16 columns: the blocks of 8 (AVX-512) or 4 (AVX2) rows
_panel = _tile(PANEL_ROWS, 1)
# The rows left over (fewer than four: x^T dgates for a layer's 1-3 input
# features, (F x T*BT) @ (T*BT x G*H)): two at a time, PAIR_COLS columns at a
# time, so that b streams from L2 once per pair of rows; a last single row
# WIDE_COLS columns at a time (one broadcast feeding 8 sums). As row updates
# they ran at 16-28 GFLOP/s (b read once per row, out loaded and stored every
# four k); measured in ``benchmarks/README.md``.
PAIR_COLS = 2 * PANEL_COLS
WIDE_COLS = (8 if PANEL_ROWS == 8 else 4) * PANEL_COLS  # 8 zmm sums, or 8 ymm (AVX2)
_pair = _tile(2, PAIR_COLS // PANEL_COLS)
_wide = _tile(1, WIDE_COLS // PANEL_COLS)


@njit(**INNER)
def _plain_rows(af, a_row, a_col, b, out, M, N, K):
    """``out += op(a) @ b`` in the plainest loops: the float64 products."""
    for i in range(M):
        for k in range(K):
            x = af[i * a_row + k * a_col]
            for j in range(N):
                out[i, j] += x * b[k, j]


@njit(**FAST_SUMS)
def _dot_rows(a, b, out):
    """``out += a @ b.T`` for a (M, K), b (N, K): one dot product per element."""
    M, K = a.shape
    N = b.shape[0]
    for i in range(M):
        ai = a[i]  # (K,)
        for j in range(N):
            bj = b[j]  # (K,)
            s = out.dtype.type(0)
            for k in range(K):
                s += ai[k] * bj[k]
            out[i, j] += s


# ----------------------------------------------------------------- linking
# The float32 loops are compiled ONCE, as a C-callable function whose address
# is registered with LLVM under a fixed name; the kernels reach it through
# ``gemm`` as an external function. Linked in as ordinary Numba calls, every
# kernel that multiplies re-optimized its own copy of them: the first default
# forecast then compiled for 22 s instead of 13 s (measured). The name is
# bound when compiled code is loaded, so kernels still cache on disk; the
# function itself is in Numba's cache too (about 2 CPU s to compile, once).
def _products(real):
    ptr = types.CPointer(real)
    i64 = types.int64
    signature = types.void(ptr, i64, i64, ptr, ptr, i64, i64, i64, types.int64)

    def products(a_ptr, a_row, a_col, b_ptr, out_ptr, M, N, K, dot):
        out = carray(out_ptr, (M, N))
        if dot:
            _dot_rows(carray(a_ptr, (M, K)), carray(b_ptr, (N, K)), out)
        else:
            _update_rows(carray(a_ptr, (M * K,)), a_row, a_col, carray(b_ptr, (K, N)), out, M, N, K)

    # FMA's options: ``_update_rows`` is inlined here and keeps its fused multiply-adds
    compiled = cfunc(signature, cache=True, error_model="numpy",
                     fastmath=FMA["fastmath"])(products)
    name = f"tsgate_matmul_{real}"
    llvm.add_symbol(name, compiled.address)
    uintp = types.uintp
    return types.ExternalFunction(name, types.void(uintp, i64, i64, uintp, uintp, i64, i64, i64, types.int64))


_products_f32 = _products(types.float32)
