r"""Sample weights for classification: class-balanced weights by the effective number of
samples (Cui et al., 2019), usable with every binary and multiclass loss."""

from __future__ import annotations

import numpy as np

from .._validation import as_float_array
from ._base import real_number

__all__ = ["class_balanced_weights"]


def class_balanced_weights(y, beta: float = 0.999, *, sample_weight=None) -> np.ndarray:
    r"""Per-row weights that balance the classes of ``y`` by their effective number of samples.

    A class with :math:`n_c` rows has the effective number :math:`E_c = (1 - \beta^{n_c}) /
    (1 - \beta)` and gets the weight :math:`w_c = 1 / E_c = (1 - \beta) / (1 - \beta^{n_c})`,
    normalised so that the weights sum to the number of rows (the scale of unweighted
    training: the libraries' ``min_child_weight`` / ``min_sum_hessian_in_leaf`` keep their
    meaning). :math:`\beta \to 0` weighs every class alike (no balancing); :math:`\beta \to 1`
    approaches inverse class frequency.

    Parameters
    ----------
    y : array of class labels
        0/1 for the binary losses, ``0..k-1`` for the multiclass ones (any hashable numbers).
    beta : float, default=0.999
        In [0, 1): the paper's hyperparameter (0.9, 0.99, 0.999, 0.9999 were tried there).
    sample_weight : array, optional
        Existing weights; :math:`n_c` is then their sum over the class, and the result is the
        class weight times them.

    Returns
    -------
    ndarray of float64, one weight per row: pass it as the sample weight to training *and* to
    ``loss.init_score(y, w)`` (the estimators do both with ``fit(sample_weight=w)``).

    References
    ----------
    .. [1] Y. Cui, M. Jia, T.-Y. Lin, Y. Song, S. Belongie, "Class-Balanced Loss Based on
       Effective Number of Samples", CVPR 2019, arXiv:1901.05555.

    Examples
    --------
    >>> import numpy as np
    >>> from boostobj import class_balanced_weights
    >>> class_balanced_weights(np.array([0, 0, 0, 1]), beta=0.5)
    array([0.8421..., 0.8421..., 0.8421..., 1.4736...])
    """
    beta = real_number(beta, "beta")
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta!r}")
    y = as_float_array(y, "y")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or inf; class labels must be finite")
    classes, inverse = np.unique(y, return_inverse=True)
    if sample_weight is None:
        base = np.ones(y.shape[0])
    else:
        base = np.asarray(sample_weight, dtype=np.float64)
        if base.shape != y.shape or not np.all(np.isfinite(base)) or np.any(base < 0):
            raise ValueError("sample_weight must be finite, >= 0 and one per row of y")
    n_c = np.bincount(inverse, weights=base, minlength=classes.shape[0])
    # (1 - beta) / (1 - beta**n) with -expm1(n log beta): exact for beta near 1 and small n
    with np.errstate(divide="ignore"):
        denom = -np.expm1(n_c * np.log(beta)) if beta > 0 else np.ones_like(n_c)
    w_c = (1.0 - beta) / denom
    w = w_c[inverse] * base
    total = w.sum()
    if not total > 0:
        raise ValueError("the weights sum to 0")
    return w * (base.sum() / total)
