r"""More regression losses on the identity link, written in the residual :math:`r = z - y`:
asymmetric (quantile, expectile), Fair, and the bounded-influence Cauchy and Welsch losses."""

from __future__ import annotations

import math

import numpy as np

from .. import _math
from ._base import newton_root, real_number
from .labels import weighted_quantile
from .regression import _RegressionLoss, _scale_param, bracketed_start

__all__ = ["CauchyLoss", "ExpectileLoss", "FairLoss", "MAPELoss", "QuantileLoss",
           "SmoothQuantileLoss", "WelschLoss"]


def _level(value, name: str) -> float:
    value = real_number(value, name)
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value!r}")
    return value


class QuantileLoss(_RegressionLoss):
    r"""Pinball (quantile) loss at level ``alpha``; compare XGBoost ``reg:quantileerror`` and
    LightGBM ``quantile``.

    With :math:`r = z - y`:

    .. math::
        L = \begin{cases} \alpha\,(y - z) & y \ge z \\ (1 - \alpha)(z - y) & y < z \end{cases},
        \qquad \frac{\partial L}{\partial z} = \begin{cases} -\alpha & z < y \\ 1 - \alpha &
        z \ge y \end{cases}

    (at :math:`z = y` the libraries' choice, :math:`1 - \alpha`). ``init_score`` is the lower
    weighted ``alpha``-quantile of the labels.

    **The hessian is 0** wherever it exists, so no Newton weight is exact. The libraries
    receive the constant 1 (times the sample weight), ``hessian="bounded"``: each leaf then
    moves by the weighted *mean of the gradients* of its rows, :math:`-\sum w g / \sum w`,
    which is between :math:`-(1-\alpha)` and :math:`\alpha` times the learning rate: a
    sign-gradient step, not the exact weighted quantile of the leaf's residuals. The built-ins
    do more: after growing each tree they **renew the leaf values** to the weighted
    ``alpha``-quantile of the leaf's residuals (XGBoost's ``UpdateTreeLeaf``, LightGBM's
    ``RenewTreeOutput``), which a custom objective cannot. Expect slower convergence on targets
    far from their start and about the same accuracy with more rounds or a larger learning
    rate (checked: with twice the rounds and three times the learning rate, held-out pinball
    loss within 10% of both built-ins'). No parity is claimed with the built-ins.

    Parameters
    ----------
    alpha : float, default=0.5
        The quantile level, strictly between 0 and 1 (0.5: half the absolute error).

    References
    ----------
    .. [1] R. Koenker, G. Bassett, "Regression Quantiles", Econometrica 46 (1978).
    """

    name = "quantile"
    hessian_options = ("bounded",)
    #: not differentiable at a zero residual (``check`` probes beside it, not on it)
    kink_at_zero = True

    def __init__(self, *, alpha: float = 0.5) -> None:
        self.alpha = _level(alpha, "alpha")
        super().__init__()

    def _loss(self, y, z):
        r = z - y
        return np.where(r < 0, -self.alpha * r, (1.0 - self.alpha) * r)

    def _gradient_hessian(self, y, z):
        g = np.where(z < y, -self.alpha, 1.0 - self.alpha)
        return g, np.ones_like(g)

    def fast_kernel(self):
        return "quantile", {"alpha": self.alpha}

    def constant_start(self, labels):
        return labels.quantile(self.alpha)


#: ``MAPELoss(hessian="bounded")``: residuals below this fraction of ``max(1, |y|)`` weigh as one
#: at this fraction (the IRLS weight is finite at the label).
MAPE_RELATIVE_FLOOR = 0.1


class MAPELoss(_RegressionLoss):
    r"""Absolute percentage error as LightGBM's ``mape`` and CatBoost's ``MAPE`` define it: the
    absolute error over :math:`\max(1, |y|)`. No twin: both built-ins set their leaves to
    weighted medians, which a custom objective cannot (below).

    With :math:`r = z - y` and :math:`m = \max(1, |y|)`:

    .. math::
        L = \frac{|r|}{m},\qquad \frac{\partial L}{\partial z} = \begin{cases} -1/m & z < y \\
        1/m & z \ge y \end{cases},\qquad \frac{\partial^2 L}{\partial z^2} = 0

    (at :math:`z = y` CatBoost's choice, :math:`1/m`; LightGBM's is 0). Both built-ins divide by
    :math:`\max(1, |y|)`, not :math:`|y|` (catboost 1.2.10 ``TMAPError`` and its ``MAPE`` metric,
    lightgbm 4.7.0 ``RegressionMAPELOSS``, both computing :math:`1/m` in float32), so a label 0
    is an absolute error, not a division by zero. The loss is a weighted absolute error, row
    weight :math:`1/m`: ``init_score`` is the lower weighted median of the labels with weights
    :math:`w/m` (on Dask collections from :meth:`~boostobj.adapters.dask.DaskLabels.arrays`,
    the distinct labels with their total weights).

    **The hessian is 0** wherever it exists, so no Newton weight is exact. The default,
    ``hessian="bounded"``, is the IRLS weight of an absolute error on the relative scale,
    :math:`1 / (m \max(|r|, 0.1\,m))` (:data:`MAPE_RELATIVE_FLOOR`): a leaf then moves toward
    the weighted median of its rows' residuals, as the built-ins' renewed leaves do, where rows
    within 10% of their label count as a row at 10%. ``hessian="constant"`` is 1 (times the
    sample weight), LightGBM's own hessian and :class:`QuantileLoss`'s: each leaf then moves by
    the weighted mean of its gradients, at most :math:`1/m` per round (times the learning rate),
    so on targets much larger than 1 the model hardly moves. Measured with LightGBM on diabetes
    (labels 25 to 346, 100 rounds, learning rate 0.1, from the same start): training MAPE 0.18
    with ``"bounded"``, 0.450 with ``"constant"`` (the start's 0.450), 0.175 for LightGBM's
    ``mape``. The exact 0 is no option: floored at 1e-16 it blocks every split in XGBoost and
    LightGBM (their minimum hessian per leaf) and makes CatBoost's Newton step
    :math:`\sum g / \lambda` (``l2_leaf_reg``): its weighted training MAPE rose from 0.80 to
    1.12 in 8 rounds (240 rows, learning rate 0.3).

    What the built-ins do beyond the gradient (measured with lightgbm 4.7.0 and catboost 1.2.10
    on diabetes, labels 25 to 346, both sides from the same start, 100 rounds, learning rate
    0.1): both start from the weighted median (90.0 here; CatBoost's is ``init_score``,
    LightGBM's ``BoostFromScore`` interpolates where the weight splits exactly at a label).
    LightGBM's ``mape`` grows each tree on these gradients with hessian 1 (its first tree is
    this loss's, split for split, unless a row sits exactly on its label, where LightGBM's
    gradient is 0 and this loss's :math:`1/m`), then **renews every leaf** to the weighted
    median of its rows' residuals (``IsRenewTreeOutput``, weights :math:`w/m`): its first leaves
    move by up to 4.0, this loss's by 0.0017; after 100 rounds the predictions differ by up to
    201 and the training MAPE is 0.175 against 0.450 (the start's: 0.450). CatBoost's ``MAPE``
    estimates its leaves with ``leaf_estimation_method="Exact"`` (the weighted median; it
    refuses ``"Newton"``): a custom objective differs from it by up to 183 after 100 rounds.
    Under ``leaf_estimation_method="Gradient"`` on both sides (``Plain``
    boosting, no randomness) the built-in and this loss give the same model to 1.8e-9 (5e-12 of
    the largest label): the gradients are CatBoost's. Neither built-in is a twin under its own
    leaf estimation, so none is declared (the parity harness compares Newton leaves). Train
    with the built-ins for a MAPE model; this loss is their metric and gradients.
    """

    name = "mape"
    hessian_options = ("bounded", "constant")
    #: not differentiable at a zero residual (``check`` probes beside it, not on it)
    kink_at_zero = True

    def __init__(self, *, hessian: str | None = None) -> None:
        super().__init__(hessian=hessian)

    def _loss(self, y, z):
        return np.abs(z - y) / np.maximum(1.0, np.abs(y))

    def _gradient_hessian(self, y, z):
        m = np.maximum(1.0, np.abs(y))
        g = np.where(z < y, -1.0, 1.0) / m
        if self.hessian == "constant":
            return g, np.ones_like(g)
        return g, 1.0 / (m * np.maximum(np.abs(z - y), MAPE_RELATIVE_FLOOR * m))

    def constant_start(self, labels):
        y, w = labels.arrays()
        inv = 1.0 / np.maximum(1.0, np.abs(y))
        return weighted_quantile(y, inv if w is None else w * inv, 0.5)


#: ``SmoothQuantileLoss(scale="auto")`` smooths over this fraction of :func:`robust_scale`.
SMOOTH_QUANTILE_FRACTION = 0.1


class SmoothQuantileLoss(_RegressionLoss):
    r"""Smoothed pinball (quantile) loss at level ``alpha``, with smoothing scale ``s``.

    With :math:`r = z - y` (as :class:`QuantileLoss`), :math:`u = r / s` and
    :math:`\sigma` the logistic function:

    .. math::
        L = s\,\big(s\,\log(1 + e^{u}) - \alpha\, r\big),\qquad
        \frac{\partial L}{\partial z} = s\,\big(\sigma(u) - \alpha\big),\qquad
        \frac{\partial^2 L}{\partial z^2} = \sigma(u)\,\sigma(-u)

    :math:`L / s` is Zheng's smooth quantile function [1]_, the pinball loss
    :math:`\rho_\alpha(y - z)` with its kink replaced by a softplus:
    :math:`\rho_\alpha \le L/s \le \rho_\alpha + s\log 2`, the gap largest at :math:`r = 0` and
    vanishing like :math:`s\,e^{-|u|}` in the tails. The factor :math:`s` makes the hessian
    dimensionless (as for :class:`LogCoshLoss`), so the libraries' minimum hessian per leaf
    means the same thing whatever the units of the target; it does not move any minimiser.
    Convex, smooth, exact hessian; unlike :class:`QuantileLoss` every Newton step is a real
    one. The price is a bias: the best constant is the ``alpha``-quantile of
    :math:`y + s\,\varepsilon` with :math:`\varepsilon` standard logistic
    (:math:`\sum w\,\sigma((c - y)/s) = \alpha \sum w`), not of :math:`y`, so ``s`` should be
    small against the spread of the noise. ``init_score`` is that constant, solved by
    safeguarded Newton steps inside :math:`[\min y, \max y] + s\,\mathrm{logit}(\alpha)`, where
    the summed gradient changes sign.

    Parameters
    ----------
    alpha : float, default=0.5
        The quantile level, strictly between 0 and 1.
    scale : "auto" or float, default="auto"
        The smoothing scale ``s`` (> 0), in the units of the target. ``"auto"`` is
        :data:`SMOOTH_QUANTILE_FRACTION` (0.1) times :func:`robust_scale` of the training
        labels: about 0.13 robust standard deviations, small enough that the bias stays a
        fraction of the noise.
    hessian : {"bounded", "exact"}, default="bounded"
        ``"exact"`` is :math:`\sigma(u)\sigma(-u)`, which vanishes like :math:`e^{-|u|}`: a
        leaf of residuals beyond a few ``s`` gets a huge Newton step. ``"bounded"`` is the
        majorize-minimize weight :math:`\tanh(u/2)/(2u)` (:math:`1/4` at :math:`r = 0`, about
        :math:`s/(2|r|)` in the tails): :math:`L` is a linear term plus
        :math:`s^2\log\cosh(u/2)`, which is concave in :math:`r^2`, so the quadratic with this
        curvature touching it at the current residual lies above it (as for
        :class:`LogCoshLoss`).

    Notes
    -----
    Its real Newton weight helps most at the tail quantiles; at the median the smoothing bias
    can cost more than it gains (the robust-loss guide of the documentation compares it with
    :class:`QuantileLoss` and the built-ins). The loss is computed as
    :math:`s\,(\rho_\alpha(-r) + s\log1p(e^{-|u|}))` (non-negative terms, no cancellation).

    References
    ----------
    .. [1] S. Zheng, "Gradient descent algorithms for quantile regression with smooth
       approximation", Int. J. Mach. Learn. & Cyber. 2 (2011) 191-207 (the function
       :math:`\tau x + \alpha\log(1 + e^{-x/\alpha})`, here with :math:`x = y - z`,
       :math:`\tau` = ``alpha`` and :math:`\alpha` = ``s``).
    """

    name = "smooth_quantile"
    hessian_options = ("bounded", "exact")
    _auto_scale = "scale"
    _auto_fraction = SMOOTH_QUANTILE_FRACTION

    def __init__(self, *, alpha: float = 0.5, scale="auto", hessian: str | None = None) -> None:
        self.alpha = _level(alpha, "alpha")
        self.scale = _scale_param(scale, "scale")
        super().__init__(hessian=hessian)

    def _u(self, y, z):
        r = z - y
        with np.errstate(over="ignore"):
            return r, r / self.scale

    def _loss(self, y, z):
        r, u = self._u(y, z)
        s = self.scale
        pinball = np.where(r < 0, -self.alpha * r, (1.0 - self.alpha) * r)
        return s * (pinball + s * np.log1p(np.exp(-np.abs(u))))

    def _gradient_hessian(self, y, z):
        _, u = self._u(y, z)
        # sigma(u) - alpha = tanh(u/2)/2 + (1/2 - alpha): exact relative precision at a small
        # residual for the median, no 1 - p rounding in the tails
        th = np.tanh(0.5 * u)
        g = self.scale * (0.5 * th + (0.5 - self.alpha))
        if self.hessian == "exact":
            p, q, _ = _math.signed_sigmoid(u)
            return g, p * q
        # tanh(u/2)/u -> 1/2 at u = 0 (and is 1/inf = 0 at an infinite residual)
        return g, 0.5 * np.divide(th, u, out=np.full_like(u, 0.5), where=u != 0)

    def fast_kernel(self):
        # "auto" is resolved first (the dispatcher does)
        if self.scale == "auto":
            return None
        return "smooth_quantile", {"alpha": self.alpha, "scale": self.scale,
                                   "exact_hessian": self.hessian == "exact"}

    def constant_start(self, labels):
        # sum w sigma((c - y)/s) = alpha sum w: every term is <= alpha at min(y) + s logit(alpha)
        # and >= alpha at max(y) + s logit(alpha), a bracket; the exact hessian is positive.
        shift = self.scale * math.log(self.alpha / (1.0 - self.alpha))
        lo, hi = labels.extent()
        lo, hi = lo + shift, hi + shift
        if lo == hi:
            return lo
        exact = self if self.hessian == "exact" else type(self)(
            **{**self.get_params(), "hessian": "exact"})
        x0 = min(max(labels.quantile(self.alpha), lo), hi)
        return newton_root(lambda c: labels.gradient_sums(exact, c), x0, lo, hi)


class ExpectileLoss(_RegressionLoss):
    r"""Asymmetric squared error (expectile regression) at level ``tau``.

    With :math:`r = z - y` and :math:`\omega = \tau` where :math:`y > z`, :math:`1 - \tau`
    elsewhere:

    .. math::
        L = \tfrac12\,\omega\, r^2,\qquad \frac{\partial L}{\partial z} = \omega\, r,\qquad
        \frac{\partial^2 L}{\partial z^2} = \omega

    Continuous gradient, convex, exact hessian (its jump at :math:`r = 0` is the one-sided
    value). ``tau=0.5`` is half of :class:`SquaredErrorLoss`. ``init_score`` is the weighted
    ``tau``-expectile of the labels, solved by Newton steps (exact after finitely many: the
    summed gradient is piecewise linear).

    References
    ----------
    .. [1] W. K. Newey, J. L. Powell, "Asymmetric Least Squares Estimation and Testing",
       Econometrica 55 (1987).
    """

    name = "expectile"
    #: the hessian jumps at a zero residual (``check`` probes beside it, not on it)
    kink_at_zero = True

    def __init__(self, *, tau: float = 0.5) -> None:
        self.tau = _level(tau, "tau")
        super().__init__()

    def _omega(self, y, z):
        return np.where(y > z, self.tau, 1.0 - self.tau)

    def _loss(self, y, z):
        r = z - y
        return 0.5 * self._omega(y, z) * r * r

    def _gradient_hessian(self, y, z):
        om = self._omega(y, z)
        return om * (z - y), om

    def fast_kernel(self):
        return "expectile", {"tau": self.tau}

    def constant_start(self, labels):
        return bracketed_start(self, labels, labels.mean())


_FAIR_SERIES = [(-1.0) ** j / (j + 2) for j in range(17)]


def _x_minus_log1p(a):
    r""":math:`a - \log(1 + a)` for ``a >= 0`` without cancellation: below 0.1 the series
    :math:`a^2 \sum_j (-a)^j / (j + 2)` (17 terms, the next below 1e-18 of the sum)."""
    small = a < 0.1
    s = np.where(small, a, 0.0)
    acc = np.full_like(s, _FAIR_SERIES[-1])
    for c in reversed(_FAIR_SERIES[:-1]):
        acc = acc * s + c
    with np.errstate(invalid="ignore"):
        return np.where(small, s * s * acc, np.where(np.isinf(a), a, a - np.log1p(a)))


class FairLoss(_RegressionLoss):
    r"""Fair loss with scale ``c``, the twin of LightGBM ``fair`` (``fair_c``).

    With :math:`r = z - y` and :math:`a = |r| / c`:

    .. math::
        L = c^2\,\big(a - \log(1 + a)\big),\qquad
        \frac{\partial L}{\partial z} = \frac{c\, r}{|r| + c},\qquad
        \frac{\partial^2 L}{\partial z^2} = \frac{c^2}{(|r| + c)^2}

    Quadratic near 0 (:math:`r^2/2`), :math:`c|r|` in the tails; convex, exact hessian
    (LightGBM's formulas, ``regression_objective.hpp`` in 4.7.0). The gradient keeps its sign
    on both sides of the label (a known bug elsewhere: a Fair gradient written as ``c x / (x +
    c)`` without the absolute value is wrong wherever the prediction is below the target).
    ``init_score`` is the exact minimiser (LightGBM starts ``fair`` from the weighted mean).

    Parameters
    ----------
    c : float, default=1.0
        The scale (> 0), in the units of the target; LightGBM's ``fair_c``.

    References
    ----------
    .. [1] R. C. Fair, "On the Robust Estimation of Econometric Models", Annals of Economic and
       Social Measurement 3 (1974).
    """

    name = "fair"
    #: the third derivative jumps at a zero residual, which finite differences of the hessian
    #: there feel (``check`` probes beside it, not on it)
    kink_at_zero = True

    def __init__(self, *, c: float = 1.0) -> None:
        value = real_number(c, "c")
        if not value > 0:
            raise ValueError(f"c must be > 0, got {value!r}")
        self.c = value
        super().__init__()

    def _loss(self, y, z):
        c = self.c
        return (c * c) * _x_minus_log1p(np.abs(z - y) / c)

    def _gradient_hessian(self, y, z):
        c = self.c
        r = z - y
        d = np.abs(r) + c
        with np.errstate(invalid="ignore"):
            g = np.where(np.isinf(r), c * np.sign(r), c * r / d)  # inf / inf at an infinite margin
        return g, (c / d) * (c / d)

    def fast_kernel(self):
        return "fair", {"c": self.c}


class _RedescendingLoss(_RegressionLoss):
    """A bounded-influence loss of ``u = r / s`` with ``scale="auto"`` (:func:`robust_scale`)."""

    hessian_options = ("bounded", "exact")
    _auto_scale = "scale"

    def __init__(self, *, scale="auto", hessian: str | None = None) -> None:
        self.scale = _scale_param(scale, "scale")
        super().__init__(hessian=hessian)

    def fast_kernel(self):
        # the kernel named like the loss; "auto" is resolved first (the dispatcher does)
        if self.scale == "auto":
            return None
        return self.name, {"scale": self.scale, "exact_hessian": self.hessian == "exact"}

    # The start is the base class's: non-convex, but the summed gradient is <= 0 at min(y) and
    # >= 0 at max(y) (every residual has one sign there), so safeguarded Newton steps with the
    # bounded (IRLS) weight from the weighted median converge to a root where it crosses upward,
    # a local minimum (IRLS from the median, the usual M-estimator start).


class CauchyLoss(_RedescendingLoss):
    r"""Cauchy (Lorentzian) loss with scale ``s``: bounded influence, non-convex.

    With :math:`r = z - y` and :math:`u = r / s`:

    .. math::
        L = \frac{s^2}{2}\log(1 + u^2),\qquad \frac{\partial L}{\partial z} = \frac{r}{1 + u^2},
        \qquad \frac{\partial^2 L}{\partial z^2} = \frac{1 - u^2}{(1 + u^2)^2}

    The influence (gradient) peaks at :math:`|r| = s` and falls like :math:`s^2 / r`: gross
    outliers barely pull the model.

    Parameters
    ----------
    scale : "auto" or float, default="auto"
        ``s`` (> 0), in the units of the target; ``"auto"`` is :func:`robust_scale` of the
        training labels (as for :class:`PseudoHuberLoss`).
    hessian : {"bounded", "exact"}, default="bounded"
        ``"exact"`` is negative for :math:`|r| > s`, useless as a Newton weight (the libraries
        receive it floored at 1e-16: huge steps). ``"bounded"`` is the IRLS weight
        :math:`g / r = 1 / (1 + u^2)`: the curvature of a quadratic that lies above the loss and
        touches it at the current residual (the loss is concave in :math:`r^2`), so each Newton
        step decreases it (majorize-minimize), as for pseudo-Huber.

    Notes
    -----
    For :math:`|u| > 1` everything is written in :math:`t = 1/u` (:math:`L = s^2(\log|u| +
    \tfrac12\log(1 + t^2))`, :math:`g = s/(u + t)`), so nothing overflows.

    References
    ----------
    .. [1] P. W. Holland, R. E. Welsch, "Robust regression using iteratively reweighted
       least-squares", Commun. Statist. A 6 (1977); J. T. Barron, "A General and Adaptive
       Robust Loss Function", CVPR 2019.
    """

    name = "cauchy"

    def _parts(self, y, z):
        s = self.scale
        with np.errstate(over="ignore"):
            u = (z - y) / s
        a = np.abs(u)
        big = a > 1.0
        with np.errstate(divide="ignore"):
            t = np.where(big, 1.0 / u, 0.0)
        return s, u, a, big, t

    def _loss(self, y, z):
        s, u, a, big, t = self._parts(y, z)
        small = np.log1p(np.where(big, 0.0, u) ** 2)
        with np.errstate(divide="ignore"):
            large = 2.0 * np.log(np.where(big, a, 1.0)) + np.log1p(t * t)
        return 0.5 * s * s * np.where(big, large, small)

    def _gradient_hessian(self, y, z):
        s, u, _, big, t = self._parts(y, z)
        us = np.where(big, 0.0, u)
        q = 1.0 + us * us
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(big, s / (u + t), s * us / q)
        t2 = t * t
        if self.hessian == "exact":
            h = np.where(big, t2 * (t2 - 1.0) / ((1.0 + t2) * (1.0 + t2)), (1.0 - us * us) / (q * q))
        else:
            h = np.where(big, t2 / (1.0 + t2), 1.0 / q)
        return g, h


class WelschLoss(_RedescendingLoss):
    r"""Welsch (Leclerc) loss with scale ``s``: bounded, redescending, non-convex.

    With :math:`r = z - y` and :math:`u = r / s`:

    .. math::
        L = \frac{s^2}{2}\left(1 - e^{-u^2}\right),\qquad
        \frac{\partial L}{\partial z} = r\,e^{-u^2},\qquad
        \frac{\partial^2 L}{\partial z^2} = (1 - 2u^2)\,e^{-u^2}

    The loss is bounded by :math:`s^2/2` and the influence vanishes beyond a few ``s``: rows
    with :math:`|r| > 6s` hardly move the model at all (their weight is below :math:`10^{-15}`).
    Start from a sensible model (the median start here, or an ``init_score`` of a convex
    loss): residuals that begin far beyond the scale are ignored, not fitted.

    Parameters
    ----------
    scale : "auto" or float, default="auto"
        ``s`` (> 0), in the units of the target; ``"auto"`` is :func:`robust_scale`.
    hessian : {"bounded", "exact"}, default="bounded"
        ``"exact"`` is negative for :math:`|u| > 1/\sqrt2`. ``"bounded"`` is the IRLS weight
        :math:`g / r = e^{-u^2}` (the loss is concave in :math:`r^2`: majorize-minimize steps,
        as for :class:`CauchyLoss`); it underflows to 0 for :math:`|u| > 27`, where the
        libraries receive the floor 1e-16 and a gradient of 0.

    Notes
    -----
    :math:`1 - e^{-u^2}` is ``-expm1(-u**2)`` (no cancellation for small :math:`u`).

    References
    ----------
    .. [1] J. E. Dennis, R. E. Welsch, "Techniques for nonlinear least squares and robust
       regression", Commun. Statist. B 7 (1978).
    """

    name = "welsch"

    def _u2(self, y, z):
        with np.errstate(over="ignore"):
            u = (z - y) / self.scale
            return u, u * u

    def _loss(self, y, z):
        _, u2 = self._u2(y, z)
        s = self.scale
        return 0.5 * s * s * -np.expm1(-u2)

    def _gradient_hessian(self, y, z):
        u, u2 = self._u2(y, z)
        e = np.exp(-u2)
        with np.errstate(invalid="ignore"):
            g = np.where(e > 0, self.scale * u * e, 0.0)
            h = np.where(e > 0, (1.0 - 2.0 * u2) * e, 0.0) if self.hessian == "exact" else e
        return g, h

