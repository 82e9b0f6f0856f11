"""Theano's optimizer tags and rewrite names, as Theon's (Mode.including / excluding,
optimizer_including / optimizer_excluding). The one table of docs/debugging.md.

A name in THEANO_TO_THEON selects the Theon rewrites or tags listed for it, which serve
the same purpose. A name in IGNORED is one Theano had with no Theon counterpart (GPU,
in-place, and other machinery Theon does differently): accepted, and selects nothing.
Any other name must be a Theon rewrite name or tag; else ValueError.
"""
from . import _theon

THEANO_TO_THEON = {
    # phases
    "merge": ("merge",),
    "constant_folding": ("constant_fold",),
    "topo_constant_folding": ("constant_fold",),
    "canonicalize": ("canonicalize",),
    "stabilize": ("stabilize",),
    "specialize": ("specialize",),
    "fusion": ("fusion",),
    "elemwise_fusion": ("fusion",),
    "local_elemwise_fusion": ("fuse_elemwise",),
    "composite_elemwise_fusion": ("fuse_elemwise",),
    "local_careduce_fusion": ("fuse_reduce",),
    "BlasOpt": ("blas",),
    "blas_opt": ("blas",),
    "gemm_optimizer": ("blas",),
    "local_gemm_to_gemv": ("blas",),
    "local_dot_to_dot22": ("blas",),
    "scan": ("scan",),
    "scanOp_pushout_seqs_ops": ("scan_hoist_invariant",),
    "scanOp_pushout_nonseqs_ops": ("scan_hoist_invariant",),
    "scanOp_merge": ("scan_merge",),
    "scanOp_merge_inouts": ("scan_dedupe",),
    "scanOp_save_mem": ("scan_save_memory",),
    # single rules
    "local_log_softmax": ("log_softmax_from_log_softmax",),
    "local_logsoftmax": ("log_softmax_from_log_softmax",),
    "local_log1p": ("log1p_from_log",),
    "local_expm1": ("expm1_from_exp_minus_one",),
    "local_log_sum_exp": ("logsumexp_from_log_sum_exp",),
    "local_exp_over_1_plus_exp": ("sigmoid_from_one_over_one_plus_exp",),
    "log1p_sigmoid": ("softplus_from_log1p_neg_sigmoid",),
    "local_log_sigmoid": ("softplus_from_log_sigmoid",),
    "local_softmax_with_bias": ("softmax_from_exp_ratio",),
    "crossentropy_to_crossentropy_with_softmax": ("crossentropy_softmax_fused",),
    "crossentropy_to_crossentropy_with_softmax_with_bias": ("crossentropy_softmax_fused",),
    "local_pow_specialize": ("specialize_pow",),
    "local_mul_canonizer": ("canonicalize_product",),
    "local_add_canonizer": ("canonicalize_sum",),
    "local_useless_reshape": ("remove_useless_reshape",),
    "local_reshape_chain": ("merge_reshapes",),
    "local_dimshuffle_lift": ("merge_dimshuffles",),
    "local_useless_dimshuffle": ("remove_identity_dimshuffle",),
    "local_useless_fill": ("remove_useless_fill",),
    "local_cut_useless_reduce": ("remove_trivial_reduce",),
    "local_remove_useless_cast": ("remove_useless_cast",),
    "local_cast_cast": ("merge_lossless_casts",),
}

IGNORED = frozenset([
    "inplace", "inplace_opt", "add_destroy_handler", "elemwise_inplace", "local_inplace_setsubtensor",
    "gemm_inplace", "local_inplace_incsubtensor", "scan_inplace", "cxx_only", "c_blas",
    "scipy_blas", "uncanonicalize", "ShapeOpt", "shape_opt", "local_shape_to_shape_i",
    "local_remove_all_assert", "local_elemwise_alloc", "local_useless_alloc", "local_fill_to_alloc",
    "local_useless_elemwise", "local_subtensor_make_vector", "local_track_shape_i", "gpu",
    "gpuarray", "gpuarray_opt", "gpu_opt", "cudnn", "conv_dnn", "conv_gemm", "conv_meta",
    "local_conv2d_cpu", "local_abstractconv_check", "fast_run_stable", "unsafe", "local_sigm_times_exp",
    "local_1msigmoid", "random_make_inplace", "local_upcast_elemwise_constant_inputs",
])


def theon_names(names, where="optimizer tags"):
    """`names` (Theano's or Theon's) as the Theon names they select."""
    out = []
    for name in names:
        if name in THEANO_TO_THEON:
            out.extend(THEANO_TO_THEON[name])
        elif name in IGNORED:
            continue
        elif _theon._is_rewrite_name(name) or name in ("fast_run", "fast_compile"):
            out.append(name)
        else:
            raise ValueError("%s: unknown rewrite name or tag %r (neither a Theon rewrite nor a "
                             "Theano tag Theon knows; see docs/debugging.md)" % (where, name))
    return tuple(out)


__all__ = ["THEANO_TO_THEON", "IGNORED", "theon_names"]
