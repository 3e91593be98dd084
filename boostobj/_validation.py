"""Input checks shared by the losses and adapters: clear errors before any training starts."""

from __future__ import annotations

import numpy as np

__all__ = ["as_float_array", "check_labels_finite", "check_weights"]


def as_float_array(x, name: str, *, ndim: int = 1) -> np.ndarray:
    """Return ``x`` as a float64 array with ``ndim`` dimensions, never a view that we write to.

    ``(n, 1)`` is accepted where ``(n,)`` is wanted, as scikit-learn does. Non-numeric input is a
    ``TypeError``; a wrong number of dimensions is a ``ValueError``.
    """
    arr = np.asarray(x)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(
            f"{name} must be a numeric array, got dtype {arr.dtype}; encode class labels as "
            "numbers 0..K-1 first (e.g. sklearn.preprocessing.LabelEncoder)"
        )
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real, got dtype {arr.dtype}")
    if ndim == 1 and arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != ndim:
        want = "(n_samples,)" if ndim == 1 else "(n_samples, n_classes)"
        raise ValueError(f"{name} must have shape {want}, got shape {arr.shape}")
    return arr.astype(np.float64, copy=False)


def check_labels_finite(y: np.ndarray, name: str = "y_true") -> None:
    if not np.isfinite(y).all():  # the method: numpy's np.all wrapper costs 2 us a call
        bad = int(np.flatnonzero(~np.isfinite(y))[0])
        raise ValueError(f"{name} contains NaN or inf (first at index {bad}); drop or impute those rows")


def check_weights(sample_weight, n: int) -> np.ndarray | None:
    """Validate sample weights: None, or finite, non-negative, length ``n``, with a positive sum.

    An empty array (what ``xgboost.DMatrix.get_weight()`` returns without weights) means None.
    """
    if sample_weight is None:
        return None
    w = as_float_array(sample_weight, "sample_weight")
    if w.size == 0:
        return None
    if w.shape[0] != n:
        raise ValueError(f"sample_weight has {w.shape[0]} entries but there are {n} samples")
    if not np.all(np.isfinite(w)):
        raise ValueError("sample_weight contains NaN or inf; weights must be finite")
    if np.any(w < 0):
        bad = int(np.flatnonzero(w < 0)[0])
        raise ValueError(f"sample_weight must be >= 0, got {float(w[bad])!r} at index {bad}")
    if not w.sum() > 0:
        raise ValueError("sample_weight sums to 0; at least one weight must be positive")
    return w
