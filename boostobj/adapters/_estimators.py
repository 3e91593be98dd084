"""What the boostobj estimators share: setting a parameter for the length of one ``fit``."""

from __future__ import annotations

import contextlib

import numpy as np


@contextlib.contextmanager
def temporarily(estimator, **attrs):
    """Set attributes for one ``fit`` and restore them, so ``get_params``/``clone`` stay as the
    user constructed the estimator (scikit-learn's rule that ``fit`` leaves params alone)."""
    old = {k: getattr(estimator, k) for k in attrs}
    for k, v in attrs.items():
        setattr(estimator, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(estimator, k, v)


def encode_classes(y) -> tuple[np.ndarray, np.ndarray]:
    """Sorted classes and labels encoded as ``0..k-1``, as LightGBM's classifier encodes them."""
    classes, encoded = np.unique(np.asarray(y), return_inverse=True)
    return classes, encoded.astype(np.float64)


def check_classes(loss, n_classes: int) -> None:
    if loss.is_multiclass:
        return
    if n_classes != 2:
        raise ValueError(
            f"{loss!r} is a binary objective but y has {n_classes} classes; "
            "use boostobj.SoftmaxLoss() for more than two classes"
        )
