"""Thin per-library adapters: each reads labels, weights and margins in its library's form, owns
that library's conventions and quirks, and configures the library for a boostobj loss. No
formulas live here.

* :mod:`~boostobj.adapters.xgboost`, :mod:`~boostobj.adapters.lightgbm`: the native APIs (what
  the dispatcher, :mod:`boostobj._objective`, asks them);
* ``*_sklearn``, ``*_dask``: the estimators (``boostobj.XGBClassifier`` and friends);
* :mod:`~boostobj.adapters.dask`: starting scores from Dask collections.
"""

from __future__ import annotations

import numpy as np

__all__ = ["as_stored", "neutral"]


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
