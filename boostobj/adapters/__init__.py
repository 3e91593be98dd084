"""Thin per-library adapters: they read labels, weights and margins in each library's form and
hand back gradients and hessians in the shape it wants. No formulas live here.
"""

from __future__ import annotations

import numpy as np

__all__ = ["as_stored", "library_of", "objective_call", "sklearn_library"]


def as_stored(y, sample_weight=None):
    """Numeric labels and weights rounded to float32, as XGBoost and LightGBM store them.

    Starting scores are computed from these, so they are optimal for the labels the objective
    sees every round (``1.1`` is ``1.100000023841858`` to both libraries, FACTS §7.4) and agree
    with the built-ins' own estimates. Non-numeric labels (strings) are returned unchanged.
    """
    y = np.asarray(y)
    if np.issubdtype(y.dtype, np.number) or y.dtype == bool:
        y = y.astype(np.float32).astype(np.float64)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float32).astype(np.float64)
    return y, sample_weight


def library_of(data) -> str | None:
    """``"xgboost"`` for a DMatrix, ``"lightgbm"`` for a Dataset, None for anything else.

    Decided by the defining module, so neither library is imported to find out.
    """
    module = type(data).__module__ or ""
    if module.startswith("xgboost") and hasattr(data, "get_label"):
        return "xgboost"
    if module.startswith("lightgbm") and hasattr(data, "get_label"):
        return "lightgbm"
    return None


def sklearn_library(y_pred) -> str:
    """Which sklearn wrapper made a ``(y_true, y_pred, weight)`` call.

    XGBoost's wrapper hands float32 predictions, LightGBM's float64 (FACTS §1). Both sklearn
    paths give the same exact gradients; this matters only for ``match_builtin`` and for the
    metric's return type (a float for XGBoost, a ``(name, value, is_higher_better)`` triple for
    LightGBM).
    """
    return "xgboost" if getattr(y_pred, "dtype", None) == np.float32 else "lightgbm"


def objective_call(loss, a, b, sample_weight):
    library = library_of(b)
    if library == "xgboost":
        from .xgboost import labels_weights
    elif library == "lightgbm":
        from .lightgbm import check_params, labels_weights

        check_params(loss, b.params)
    else:
        return loss._objective(sklearn_library(b), a, b, sample_weight)
    y, w = labels_weights(b)
    return loss._objective(library, y, a, w)
