"""A tile's rows as a 2-D view, without ``reshape``'s compile cost.

The kernels multiply all steps of a tile at once: ``x[k]``, a (T, BT, F)
block of a C-contiguous (NT, T, BT, F) array, as the (T*BT, F) matrix it
already is in memory. ``x[k].reshape(T * BT, F)`` says that, but Numba
lowers every ``reshape`` with its general machinery (a no-copy attempt in a
helper, two error paths): about 0.045 CPU s of compile per call site, and
the default GRU's kernels have eight (0.35 s of a first fit). ``rows_of``
builds the same view directly, as cheap to compile as an index.
"""
from numba import types
from numba.core import cgutils
from numba.core.imputils import impl_ret_borrowed
from numba.extending import intrinsic


@intrinsic
def rows_of(typingctx, a, k):
    """``a[k]`` of a C-contiguous (N, d1, ..., W) array, at least 3-D, as
    its C-contiguous 2-D view of shape (d1 * ... , W): what
    ``a[k].reshape(-1, W)`` gives, sharing ``a``'s memory. ``k`` is not
    bounds-checked (nor is an index in these kernels)."""
    if not (isinstance(a, types.Array) and a.layout == "C" and a.ndim >= 3
            and isinstance(k, types.Integer)):
        return None
    view = types.Array(a.dtype, 2, "C")
    ndim = a.ndim

    def codegen(context, builder, signature, args):
        arr_type = signature.args[0]
        arr = context.make_array(arr_type)(context, builder, args[0])
        index = context.cast(builder, args[1], signature.args[1], types.intp)
        shape = cgutils.unpack_tuple(builder, arr.shape, ndim)
        rows = shape[1]
        for extent in shape[2:-1]:
            rows = builder.mul(rows, extent)
        width = shape[-1]
        itemsize = context.get_constant(
            types.intp, context.get_abi_sizeof(context.get_data_type(arr_type.dtype)))
        # C-contiguous: a[k] starts k * rows * width elements in, an in-bounds
        # GEP on the data pointer (not integer arithmetic on its address, which
        # would hide from LLVM which array the view's pointer points into)
        start = builder.gep(arr.data, [builder.mul(index, builder.mul(rows, width))], inbounds=True)
        out = context.make_array(view)(context, builder)
        context.populate_array(
            out, data=start,
            shape=cgutils.pack_array(builder, [rows, width]),
            strides=cgutils.pack_array(builder, [builder.mul(width, itemsize), itemsize]),
            itemsize=itemsize, meminfo=arr.meminfo, parent=arr.parent)
        return impl_ret_borrowed(context, builder, view, out._getvalue())

    return view(a, k), codegen
