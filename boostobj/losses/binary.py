r"""Binary classification losses on the logit scale: log loss and focal loss.

Both are written in the *signed margin* :math:`u = t z` with :math:`t = 2y - 1 \in \{-1, +1\}`, so
that :math:`p_t = \sigma(u)` is the probability given to the true class and
:math:`1 - p_t = \sigma(-u)` is computed directly, never as ``1 - p`` (which rounds to 0 and kills
the gradient of a confidently wrong row).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _math
from .._warnings import DegenerateWarning, user_stacklevel
from ..links import LogitLink
from ._base import Loss, class_weight, real_number

__all__ = ["BinaryCrossEntropy", "BinaryLogLoss", "FocalLoss"]

#: Clamp of the positive rate before the logit in ``init_score``; LightGBM's ``BoostFromScore``
#: (``src/objective/binary_objective.hpp``) uses the same ``kEpsilon = 1e-15``.
PROB_CLAMP = 1e-15


def _check_binary(y: np.ndarray) -> None:
    bad = (y != 0) & (y != 1)
    if bad.any():  # the method: CatBoost checks ~1000-row blocks, where np.any's wrapper shows
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"binary labels must be 0 or 1, got {float(y[i])!r} at index {i}; encode the classes as 0/1 "
            "(or use SoftmaxLoss for more than two classes)"
        )


def _positive_rate(y: np.ndarray, w: np.ndarray | None) -> float:
    if w is None:
        return float(np.mean(y))
    return math.fsum(w * y) / math.fsum(w)


def smoothing(value) -> float:
    r"""The classification losses' ``label_smoothing`` :math:`\varepsilon`: a real number in
    [0, 1), or a clear error. :math:`\varepsilon = 1` would make every target uniform, so the
    labels would not matter."""
    value = real_number(value, "label_smoothing")
    if not 0.0 <= value < 1.0:
        raise ValueError(
            f"label_smoothing must be in [0, 1), got {value!r}: the targets are "
            "y (1 - label_smoothing) + label_smoothing / K, which ignore the labels at 1; values "
            "of 0.05 to 0.2 are usual"
        )
    return value


class _BinaryLoss(Loss):
    link = LogitLink()
    task = "binary"

    def check_label_values(self, y):
        _check_binary(y)

    def _signed(self, y, z):
        t = 2.0 * y - 1.0
        return t, t * z


class BinaryLogLoss(_BinaryLoss):
    r"""Binary log loss (cross-entropy) on the logit scale, the twin of ``binary:logistic``/``binary``.

    .. math::
        L(y, z) = \log(1 + e^{z}) - y z,\qquad
        \frac{\partial L}{\partial z} = \sigma(z) - y,\qquad
        \frac{\partial^2 L}{\partial z^2} = \sigma(z)(1 - \sigma(z))

    Domain: ``y`` in {0, 1}; link: logit (``link.inverse`` gives probabilities).

    With ``label_smoothing`` :math:`\varepsilon > 0` the target is the smoothed
    :math:`\tilde y = y(1 - \varepsilon) + \varepsilon/2` (Szegedy et al. 2016; Müller et al.
    2019), and the loss is the cross-entropy with it:

    .. math::
        L = \tilde y\,\log(1 + e^{-z}) + (1 - \tilde y)\log(1 + e^{z}),\qquad
        \frac{\partial L}{\partial z} = \sigma(z) - \tilde y,

    same hessian. Its minimum over :math:`z` is the entropy of :math:`\tilde y`, not 0, and the
    best margin of a row is bounded (:math:`\pm\log(2/\varepsilon - 1)`): the model never
    becomes certain. ``init_score`` is the logit of the weighted mean of :math:`\tilde y`
    (finite even when one class is absent). ``loss.metric`` reports this smoothed loss, the
    one training minimises; score probabilities against the plain labels with
    ``BinaryLogLoss().metric``. Only ``label_smoothing=0`` is the built-ins' twin.

    Parameters
    ----------
    label_smoothing : float, default=0.0
        :math:`\varepsilon` in [0, 1).

    Notes
    -----
    With :math:`u = (2y-1)z` the loss is
    :math:`(1 - \varepsilon/2)\,\mathrm{softplus}(-u) + (\varepsilon/2)\,\mathrm{softplus}(u)`
    (two non-negative terms: no cancellation), the gradient
    :math:`(2y-1)(\varepsilon/2 - \sigma(-u))` and the hessian :math:`\sigma(u)\sigma(-u)`, all
    from one :math:`e^{-|z|}`: full relative precision at every margin, e.g. ``z = 40, y = 1``
    gives loss and gradient ``4.2e-18`` instead of 0. The fast kernel computes the unsmoothed
    loss only; with :math:`\varepsilon > 0` the libraries receive the float64 reference.

    References
    ----------
    .. [1] C. Szegedy, V. Vanhoucke, S. Ioffe, J. Shlens, Z. Wojna, "Rethinking the Inception
       Architecture for Computer Vision", CVPR 2016 (sec. 7), arXiv:1512.00567.
    .. [2] R. Müller, S. Kornblith, G. Hinton, "When Does Label Smoothing Help?", NeurIPS 2019,
       arXiv:1906.02629.

    Examples
    --------
    >>> import numpy as np
    >>> from boostobj import BinaryLogLoss
    >>> g, h = BinaryLogLoss().gradient_hessian(np.array([1.0, 0.0]), np.array([0.0, 800.0]))
    >>> g, h
    (array([-0.5,  1. ]), array([0.25, 0.  ]))
    """

    name = "log_loss"

    def __init__(self, *, label_smoothing: float = 0.0) -> None:
        self.label_smoothing = smoothing(label_smoothing)
        super().__init__()

    def _loss(self, y, z):
        _, u = self._signed(y, z)
        if not self.label_smoothing:
            return _math.softplus(-u)
        half = 0.5 * self.label_smoothing
        l1pe = np.log1p(np.exp(-np.abs(u)))
        return ((1.0 - half) * _math.softplus_from(-u, l1pe)
                + half * _math.softplus_from(u, l1pe))

    def _gradient_hessian(self, y, z):
        t, u = self._signed(y, z)
        p, q, _ = _math.signed_sigmoid(u)
        if not self.label_smoothing:
            return -t * q, p * q
        return t * (0.5 * self.label_smoothing - q), p * q

    def fast_kernel(self):
        return None if self.label_smoothing else ("log_loss", {})

    def constant_start(self, labels):
        y, w = labels.arrays()
        eps = self.label_smoothing
        if not eps:
            pavg = min(max(_positive_rate(y, w), PROB_CLAMP), 1.0 - PROB_CLAMP)
            return math.log(pavg / (1.0 - pavg))
        # the logit of the smoothed mean target, both shares computed directly (no 1 - p)
        pos, neg = _positive_rate(y, w), _positive_rate(1.0 - y, w)
        return math.log(((1.0 - eps) * pos + 0.5 * eps) / ((1.0 - eps) * neg + 0.5 * eps))


class BinaryCrossEntropy(_BinaryLoss):
    r"""Cross-entropy with **soft labels** in [0, 1], the twin of LightGBM ``cross_entropy``
    (and of XGBoost ``binary:logistic``, which accepts labels in [0, 1] too).

    .. math::
        L = y\,\log(1 + e^{-z}) + (1 - y)\log(1 + e^{z}),\qquad
        rac{\partial L}{\partial z} = \sigma(z) - y,\qquad
        rac{\partial^2 L}{\partial z^2} = \sigma(z)\,(1 - \sigma(z))

    Domain: ``y`` in [0, 1] (probabilities, label-smoothed or distilled targets, rates);
    with 0/1 labels it is :class:`BinaryLogLoss`. The minimum over :math:`z` is the entropy of
    ``y``, not 0. ``init_score`` is the logit of the weighted label mean (clamped to
    [1e-15, 1 - 1e-15], as LightGBM's ``BoostFromScore``).

    Notes
    -----
    Both softplus terms and :math:`\sigma(\pm z)` come from one :math:`e^{-|z|}`; the gradient
    is :math:`\sigma(z) - y` for :math:`z < 0` and :math:`(1 - y) - \sigma(-z)` otherwise, so
    a confidently right row keeps its tiny gradient (no ``1 - p`` rounding to 0). boostobj's
    classifiers take class labels; train soft labels through ``xgb.train``/``lgb.train``.
    """

    name = "cross_entropy"

    def __init__(self) -> None:
        super().__init__()

    def check_label_values(self, y):
        bad = ~((y >= 0) & (y <= 1))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"BinaryCrossEntropy labels must be probabilities in [0, 1], got "
                             f"{float(y[i])!r} at index {i}")

    def _loss(self, y, z):
        e = np.exp(-np.abs(z))
        l1pe = np.log1p(e)
        sp_pos, sp_neg = _math.softplus_from(z, l1pe), _math.softplus_from(-z, l1pe)
        # y softplus(-z) + (1 - y) softplus(z), with a zero weight never times an infinite term
        with np.errstate(invalid="ignore"):
            mixed = y * sp_neg + (1.0 - y) * sp_pos
        return np.where(y == 1.0, sp_neg, np.where(y == 0.0, sp_pos, mixed))

    def _gradient_hessian(self, y, z):
        p, q, _ = _math.signed_sigmoid(z)
        g = np.where(z < 0, p - y, (1.0 - y) - q)
        return g, p * q

    def fast_kernel(self):
        return "cross_entropy", {}

    def constant_start(self, labels):
        y, w = labels.arrays()
        pavg = min(max(_positive_rate(y, w), PROB_CLAMP), 1.0 - PROB_CLAMP)
        return math.log(pavg / (1.0 - pavg))


class FocalLoss(_BinaryLoss):
    r"""Focal loss (Lin et al., 2017) on the logit scale, for imbalanced binary classification.

    With :math:`p_t = \sigma(u)`, :math:`u = (2y-1)z`, :math:`q = 1 - p_t = \sigma(-u)`,
    :math:`s = -\log p_t = \mathrm{softplus}(-u)` and :math:`\alpha_t = \alpha` for positives,
    :math:`1 - \alpha` for negatives (1 when ``alpha`` is None):

    .. math::
        L = \alpha_t\, q^{\gamma}\, s,\qquad
        \frac{\partial L}{\partial z} = -(2y-1)\,\alpha_t\, q^{\gamma}\,(\gamma\, p_t\, s + q),

    .. math::
        \frac{\partial^2 L}{\partial z^2} = \alpha_t\, q^{\gamma}\, p_t\,
            \big[\gamma\, s\,(\gamma p_t - q) + (1 + 2\gamma)\, q\big]

    Domain: ``y`` in {0, 1}; link: logit. ``gamma = 0, alpha = None`` is exactly
    :class:`BinaryLogLoss`.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter, ``>= 0``. Larger values down-weight well-classified rows.
    alpha : float or None, default=None
        Weight of the positive class in (0, 1) (negatives get ``1 - alpha``); None weighs both 1.
        Real tables with rare positives want ``alpha`` near the positives' side (e.g. 0.75);
        0 or 1 would give one class no weight and is refused, as in :class:`MulticlassFocalLoss`.
    hessian : {"bounded", "exact"}, default="bounded"
        The exact hessian is negative for badly misclassified rows once ``gamma > 0``
        (e.g. ``gamma=2``: whenever :math:`p_t < 0.058`). ``"bounded"`` uses
        :math:`\max(\partial^2 L, \alpha_t q^{\gamma} p_t q)`: the exact value where it exceeds
        the focal-modulated log-loss curvature, that curvature elsewhere; always positive and
        equal to the exact hessian for ``gamma = 0``. ``"exact"`` gives the true second
        derivative (libraries receive it floored at :data:`~boostobj.HESSIAN_FLOOR`).

    Notes
    -----
    :math:`q^\gamma` is computed as :math:`\exp(-\gamma\,\mathrm{softplus}(u))`, so it is exact for
    tiny :math:`q` and has no ``0 ** 0`` or ``(1 - p) ** gamma`` cancellation.

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollar, "Focal Loss for Dense Object
       Detection", ICCV 2017, arXiv:1708.02002.
    """

    name = "focal_loss"
    hessian_options = ("bounded", "exact")

    def __init__(self, *, gamma: float = 2.0, alpha: float | None = None,
                 hessian: str | None = None) -> None:
        self.gamma = focusing(gamma)
        if alpha is not None:
            alpha = class_weight(alpha, "alpha")
            class_weight(1.0 - alpha, "1 - alpha (the weight of the negatives)")
        self.alpha = alpha
        super().__init__(hessian=hessian)

    def _alpha_t(self, y):
        if self.alpha is None:
            return None
        return np.where(y > 0, self.alpha, 1.0 - self.alpha)

    def _parts(self, y, z):
        t, u = self._signed(y, z)
        p, q, e = _math.signed_sigmoid(u)
        log1pe = np.log1p(e)
        s = _math.softplus_from(-u, log1pe)  # -log p_t
        # q**gamma = exp(-gamma * softplus(u)): exact for tiny q, no 0**0 at gamma = 0
        qg = np.exp(-self.gamma * _math.softplus_from(u, log1pe)) if self.gamma else np.ones_like(u)
        a = self._alpha_t(y)
        return t, p, q, s, (qg if a is None else a * qg)

    def _loss(self, y, z):
        _, _, _, s, aqg = self._parts(y, z)
        return aqg * s

    def _gradient_hessian(self, y, z):
        t, p, q, s, aqg = self._parts(y, z)
        g = self.gamma
        live = p > 0.0  # p s -> 0 and p (...) -> 0 as p -> 0; 0 * inf only at a margin of -+inf
        with np.errstate(invalid="ignore"):
            ps = np.where(live, p * s, 0.0)
            hess = aqg * np.where(live, p * (g * s * (g * p - q) + (1.0 + 2.0 * g) * q), 0.0)
        grad = -t * aqg * (g * ps + q)
        if self.hessian == "bounded":
            hess = np.maximum(hess, aqg * p * q)
        return grad, hess

    def fast_kernel(self):
        return "focal", {"gamma": self.gamma, "alpha": self.alpha,
                         "bounded": self.hessian == "bounded"}

    def constant_start(self, labels):
        y, w = labels.arrays()
        rate = _positive_rate(y, w)
        pavg = min(max(rate, PROB_CLAMP), 1.0 - PROB_CLAMP)
        x0 = math.log(pavg / (1.0 - pavg))
        if rate in (0.0, 1.0):  # one class only: no finite minimiser, clamp as log loss does
            return x0
        # The summed gradient of a constant margin depends on the labels only through the class
        # totals, so the 1-D solve runs on two rows weighted by them.
        total = float(y.shape[0]) if w is None else math.fsum(w)
        totals = np.array([total * (1.0 - rate), total * rate])
        return self._solve_constant(np.array([0.0, 1.0]), totals, x0, x0 - 1.0, x0 + 1.0)


#: Beyond this focusing parameter even an undecided row (p_t = 1/2) is weighted below
#: 0.5**20 ~ 1e-6 against log loss: the gradients vanish and the model learns next to nothing.
DEGENERATE_GAMMA = 20.0


def focusing(gamma) -> float:
    """The focal losses' ``gamma``: a real number >= 0 (warns when it is degenerate)."""
    gamma = real_number(gamma, "gamma")
    if gamma < 0:
        raise ValueError(f"gamma must be >= 0, got {gamma!r}")
    if gamma > DEGENERATE_GAMMA:
        warnings.warn(
            f"gamma={gamma!r} weighs every row by (1 - p_t)**{gamma!r}, below "
            f"{0.5 ** gamma:.1g} already for an undecided row (p_t = 1/2): the gradients "
            "vanish and the model learns next to nothing; gamma between 0.5 and 5 is usual",
            DegenerateWarning, stacklevel=user_stacklevel())
    return gamma
