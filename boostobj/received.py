"""What a library receives from a loss: its fast kernel or its exact float64 math, the hessian
floored at :data:`HESSIAN_FLOOR` and times the library's multiclass factor, then the sample
weights on gradient and hessian (inside the loss's own sums for a loss that
:attr:`~boostobj.Loss.couples_rows`). The dispatcher (:mod:`boostobj._objective`) and the CatBoost
adapter call it; the parity harness calls it with the reference math."""

from __future__ import annotations

import numpy as np

from . import _kernels
from ._kernels import HESSIAN_FLOOR
from .adapters import adapter

__all__ = ["hessian_scale", "library_gradient_hessian"]


def hessian_scale(loss, library, shape) -> float:
    """The factor ``library`` (a name or an adapter) applies to ``loss``'s hessian for margins of ``shape``: 1 for the
    single-output losses, the loss's number ``hessian_scale``, or the library's own multiclass
    factor (its adapter's ``multiclass_hessian_scale``) for ``hessian_scale="library"``; 1 where
    the adapter hands the full hessian instead of the diagonal (its ``full_softmax_hessian``:
    CatBoost, for the twins of ``MultiClass``)."""
    if loss.task != "multiclass":
        return 1.0
    lib = adapter(library) if isinstance(library, str) else library
    if lib.full_softmax_hessian(loss):  # the full hessian is exact: no factor on its diagonal
        return 1.0
    if loss.hessian_scale == "library":
        return float(lib.multiclass_hessian_scale(shape[1]))
    return float(loss.hessian_scale)


def library_gradient_hessian(loss, y, preds, w, *, scale: float = 1.0, reference: bool = False):
    """What a library receives for validated float64 labels ``y``, weights ``w`` (or None) and
    margins ``preds``: the loss's fast kernel (float32), or its exact float64 math when it has
    none that can run here (:func:`boostobj._kernels.available`) or ``reference`` is True;
    hessian floored at :data:`HESSIAN_FLOOR`, times ``scale``, then weighted (a loss that
    :attr:`~boostobj.Loss.couples_rows` applies the weights inside its own sums, and its floor is
    ``HESSIAN_FLOOR`` times the weight). The two agree to
    float32 precision (tested for every loss). A loss with "auto" hyperparameters is resolved on
    ``y`` and ``w`` first (a sort of the labels: resolve it once yourself,
    ``loss.resolved(y, w)``, to time or call this repeatedly)."""
    if loss.has_auto():
        loss = loss.resolved(y, w)
    spec = None if reference else loss.fast_kernel()
    if spec is not None and _kernels.available(spec[0]):
        name, params = spec
        if loss.task == "multiclass":
            params = {**params, "scale": scale}
        return _kernels.KERNELS[name](y, preds, w, **params)
    z = np.asarray(preds).astype(np.float64, copy=False)
    if loss.couples_rows:
        # the weights enter the loss's own sums (a Cox risk set); the floor is weighted like
        # everyone else's hessian, so a row of weight 0 still receives 0
        g, h = loss.float64_gradient_hessian(y, z, w)
        h = np.maximum(h, HESSIAN_FLOOR if w is None else HESSIAN_FLOOR * w)
        if scale != 1.0:
            h *= scale
        return g, h
    g, h = loss.float64_gradient_hessian(y, z)
    h = np.maximum(h, HESSIAN_FLOOR)
    if scale != 1.0:
        h *= scale
    return loss.weigh((g, h), w)
