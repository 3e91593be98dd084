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


def check_classes(loss, classes) -> None:
    """Whether a scikit-learn classifier's distinct labels ``classes`` suit ``loss``."""
    classes = np.asarray(classes)
    n = classes.shape[0]
    try:
        numeric = classes.astype(np.float64)
    except (TypeError, ValueError):  # strings: the wrappers that accept them encode them
        numeric = None
    if numeric is not None and not np.all(np.isfinite(numeric)):
        raise ValueError("y contains NaN or inf; drop or impute those rows")
    if loss.task == "multiclass":
        if n < 2:
            raise ValueError(f"{loss!r}: y has one class only; a classifier needs several")
        if n == 2:
            raise ValueError(
                f"{loss!r} on two classes: the classifier treats two classes as a binary task; "
                "use boostobj.BinaryLogLoss() (the same model as a two-class softmax) or "
                "boostobj.FocalLoss()"
            )
        return
    if n != 2:
        shown = ", ".join(repr(c) for c in classes[:5].tolist()) + (", ..." if n > 5 else "")
        soft = numeric is not None and np.any(numeric != np.floor(numeric))
        raise ValueError(
            f"{loss!r} is a binary objective but y has {n} distinct value(s) ({shown}); "
            + ("a classifier needs class labels, not probabilities (soft labels)" if soft else
               "use boostobj.SoftmaxLoss() for more than two classes" if n > 2 else
               "a classifier needs both classes in y")
        )
