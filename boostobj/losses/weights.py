r"""Sample weights for classification: class-balanced weights by the effective number of
samples (Cui et al., 2019), usable with every binary and multiclass loss."""

from __future__ import annotations

import numpy as np

from .._validation import check_weights
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
        0/1 for the binary losses, ``0..k-1`` for the multiclass ones, or any other labels the
        estimators take: numbers, strings, ``bool`` or comparable objects, one per row.
    beta : float, default=0.999
        In [0, 1): the paper's hyperparameter (0.9, 0.99, 0.999, 0.9999 were tried there).
    sample_weight : array, optional
        Existing weights; :math:`n_c` is then their sum over the class, and the result is the
        class weight times them. A class whose rows all have weight 0 is absent from the
        weighted data: its rows keep weight 0 and the other classes are balanced among
        themselves.

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
    >>> class_balanced_weights(["cat", "cat", "cat", "dog"], beta=0.5)
    array([0.8421..., 0.8421..., 0.8421..., 1.4736...])
    """
    beta = real_number(beta, "beta")
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta!r}")
    classes, inverse = _classes(y)
    n = inverse.shape[0]
    base = check_weights(sample_weight, n)
    if base is None:  # none given (or empty, as XGBoost hands "no weights")
        base = np.ones(n)
    n_c = np.bincount(inverse, weights=base, minlength=classes.shape[0])
    present = n_c > 0
    # (1 - beta) / (1 - beta**n) with -expm1(n log beta): exact for beta near 1 and small n
    w_c = np.zeros_like(n_c)
    if beta > 0:
        with np.errstate(divide="ignore", over="ignore"):  # a subnormal total: checked below
            w_c[present] = (1.0 - beta) / -np.expm1(n_c[present] * np.log(beta))
    else:
        w_c[present] = 1.0
    if not np.all(np.isfinite(w_c)):
        bad = classes[int(np.flatnonzero(~np.isfinite(w_c))[0])]
        raise ValueError(f"the class {_plain(bad)!r} has a total weight of "
                         f"{float(n_c[classes == bad][0]):.3g}, too small for a finite class weight; "
                         "scale sample_weight up")
    w = w_c[inverse] * base
    return w * (base.sum() / w.sum())


def _plain(value):
    """Python scalars in messages: ``'cat'`` and ``2.0``, not ``np.str_('cat')``."""
    return value.item() if isinstance(value, np.generic) else value


def _classes(y) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct labels of ``y`` and each row's index into them; ``ValueError`` or
    ``TypeError`` for labels that are not one per row, not finite, or not comparable."""
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(f"y must hold one class label per row, shape (n_samples,); got shape "
                         f"{labels.shape}")
    if labels.shape[0] == 0:
        raise ValueError("y has no rows: there are no classes to balance")
    if labels.dtype.kind == "c":
        raise TypeError(f"class labels must be real numbers, strings or comparable objects, got "
                        f"dtype {labels.dtype}")
    if labels.dtype.kind in "fO":
        nan = (~np.isfinite(labels) if labels.dtype.kind == "f" else
               np.array([isinstance(v, (float, np.floating)) and not np.isfinite(v)
                         for v in labels], dtype=bool))
        if nan.any():
            raise ValueError(f"y contains NaN or inf (first at index {int(np.flatnonzero(nan)[0])});"
                             " class labels must be finite: drop or relabel those rows")
    try:
        return np.unique(labels, return_inverse=True)
    except TypeError:
        kinds = sorted({type(v).__name__ for v in labels})
        raise TypeError(f"class labels must be comparable with each other (all numbers or all "
                        f"strings), got a mix of {', '.join(kinds)}") from None
