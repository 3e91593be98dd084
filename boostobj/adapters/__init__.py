"""Thin per-library adapters: each reads labels, weights and margins in its library's form, owns
that library's conventions and quirks, and configures the library for a boostobj loss. No
formulas live here.

* :mod:`~boostobj.adapters.base`: the protocol, one :class:`~boostobj.adapters.base.Adapter`
  object per library (:func:`adapter`), which the dispatcher (:mod:`boostobj._objective`) and
  the metrics ask;
* :mod:`~boostobj.adapters.xgboost`, :mod:`~boostobj.adapters.lightgbm`,
  :mod:`~boostobj.adapters.catboost`: the native APIs;
* ``*_sklearn``, ``*_dask``: the estimators (``boostobj.XGBClassifier`` and friends);
* :mod:`~boostobj.adapters.dask`: starting scores from Dask collections.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LIBRARIES", "adapter", "adapter_for", "as_stored", "neutral"]

#: The libraries whose data objects the objective and metric calls are told apart by.
LIBRARIES = ("xgboost", "lightgbm")


def adapter(library: str):
    """The :class:`~boostobj.adapters.base.Adapter` object of ``library`` (``"xgboost"``,
    ``"lightgbm"`` or ``"catboost"``), imported when first asked for."""
    if library == "xgboost":
        from . import xgboost as module
    elif library == "lightgbm":
        from . import lightgbm as module
    elif library == "catboost":
        from . import catboost as module
    else:
        raise ValueError(f"library must be one of {(*LIBRARIES, 'catboost')}, got {library!r}")
    return module.ADAPTER


def adapter_for(data):
    """The adapter whose library owns the data object ``data`` (a ``DMatrix``, a ``Dataset``),
    or None (the scikit-learn signature). Decided by the object's defining module, so no
    library is imported to find out (CatBoost calls the loss's own methods, never with one)."""
    for library in LIBRARIES:
        lib = adapter(library)
        if lib.owns(data):
            return lib
    return None


def as_stored(y, sample_weight=None):
    """Numeric labels and weights rounded to float32, as XGBoost and LightGBM store them.

    Starting scores are computed from these, so they are optimal for the labels the objective
    sees every round (``1.1`` is ``1.100000023841858`` to both libraries) and agree with the
    built-ins' own estimates. Non-numeric labels (strings) are returned unchanged.
    """
    y = np.asarray(y)
    if np.issubdtype(y.dtype, np.number) or y.dtype == bool:
        y = y.astype(np.float32).astype(np.float64)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float32).astype(np.float64)
    return y, sample_weight


def neutral(name: str, value) -> bool:
    """Whether a ``scale_pos_weight``/``is_unbalance`` value leaves the classes alone (LightGBM
    also takes strings: "false", "1.0")."""
    if value is None:
        return True
    if isinstance(value, str):
        value = value.strip().lower()
        if name == "is_unbalance":
            return value in ("", "false", "0", "no", "-")
        try:
            return float(value) == 1.0
        except ValueError:
            return False
    return (value == 1) if name == "scale_pos_weight" else not value
