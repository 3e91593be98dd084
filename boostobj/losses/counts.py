r"""Counts and positive targets on the log link: Poisson, gamma and Tweedie deviances.

The margin :math:`z` is the log of the predicted mean, :math:`\mu = e^z`. Each loss is half the
unit deviance of its distribution (0 at :math:`\mu = y`, never negative), whose gradient on the
margin is the libraries' own (XGBoost's ``count:poisson``, ``reg:gamma``, ``reg:tweedie``,
LightGBM's ``poisson``, ``gamma``, ``tweedie``: ``src/objective/regression_obj.cu`` in XGBoost
3.2.0, ``src/objective/regression_objective.hpp`` in LightGBM 4.7.0).

All three are written with :math:`u = z - \log y` (:math:`y > 0`) as :math:`y^{b} D_{a,b}(u)`,
:math:`b - a = 1`, with

.. math::
    D_{a,b}(u) = \frac{e^{bu} - 1}{b} - \frac{e^{au} - 1}{a}
               = \sum_{k \ge 2} \left(b^{k-1} - a^{k-1}\right) \frac{u^k}{k!}

(Poisson :math:`a = 0, b = 1`; gamma :math:`a = -1, b = 0`; Tweedie :math:`a = 1 - p`,
:math:`b = 2 - p`; a quotient with a zero denominator is its limit :math:`u`). Near the fit
(:math:`|u| < 1`) the series is summed, so the loss keeps full relative precision where the
textbook form cancels (``y log(y/mu) - y + mu`` loses every digit at :math:`\mu \approx y`);
beyond, the terms are evaluated from :math:`z` and :math:`\log y` so that nothing overflows
unless the loss itself does (:math:`e^z` past :math:`z \approx 709.78`).

The best constant start of all three is the log of the weighted label mean (their summed
gradient vanishes there), which is what both libraries start from: XGBoost's intercept is the
weighted mean (``FitInterceptGlmLike``) read through ``log``; LightGBM's ``BoostFromScore`` is
``SafeLog`` of it.
"""

from __future__ import annotations

import math

import numpy as np

from ..links import LogLink
from ._base import Loss, real_number

__all__ = ["GammaLoss", "PoissonLoss", "TweedieLoss"]

#: Terms of the series of :math:`D_{a,b}` summed for :math:`|u| < 1` (the next is below
#: :math:`2/21! \approx 4\cdot10^{-20}` of the leading :math:`u^2/2`).
_TERMS = 20
_FACT = [float(math.factorial(k)) for k in range(_TERMS + 1)]


def _series(u: np.ndarray, a: float, b: float) -> np.ndarray:
    """:math:`\\sum_{k=2}^{20} (b^{k-1} - a^{k-1}) u^k / k!` by Horner's rule (for |u| < 1)."""
    coef = [(b ** (k - 1) - a ** (k - 1)) / _FACT[k] for k in range(2, _TERMS + 1)]
    acc = np.full_like(u, coef[-1])
    for c in reversed(coef[:-1]):
        acc = acc * u + c
    return acc * u * u


def _log_labels(y: np.ndarray):
    """``(positive, log y)`` with ``log y`` = 0 where ``y`` is 0 (masked by the callers)."""
    pos = y > 0
    return pos, np.log(np.where(pos, y, 1.0))


def _check_nonnegative(loss, y, strict: bool) -> None:
    bad = ~np.isfinite(y) | ((y <= 0) if strict else (y < 0))
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        what = "> 0 (positive amounts)" if strict else ">= 0 (counts or non-negative amounts)"
        raise ValueError(f"{type(loss).__name__} labels must be finite and {what}, got "
                         f"{float(y[i])!r} at index {i}")


class _LogLinkLoss(Loss):
    link = LogLink()
    task = "regression"

    def constant_start(self, labels):
        mean = labels.mean()
        if not mean > 0:
            raise ValueError(
                f"{self!r}: every label is 0, so the best start is a mean of 0 (the margin -inf) "
                "and the model would predict 0 everywhere; a log-link loss needs some positive "
                "labels (LightGBM refuses this too: 'sum of labels is zero')"
            )
        return math.log(mean)


class PoissonLoss(_LogLinkLoss):
    r"""Poisson deviance on the log link, the twin of XGBoost ``count:poisson`` and LightGBM
    ``poisson``.

    With :math:`\mu = e^z` (half the Poisson unit deviance):

    .. math::
        L = y \log\frac{y}{\mu} - y + \mu,\qquad \frac{\partial L}{\partial z} = \mu - y,\qquad
        \frac{\partial^2 L}{\partial z^2} = \mu

    Domain: ``y >= 0`` (counts, or any non-negative amount); ``link.inverse`` gives :math:`\mu`.
    ``init_score`` is the log of the weighted label mean.

    Parameters
    ----------
    max_delta_step : float, default=0.7
        Both libraries' safeguard (XGBoost's ``max_delta_step``, LightGBM's
        ``poisson_max_delta_step``, default 0.7 in both). It enters the **hessian**: both
        built-ins hand their trees :math:`e^{z + \text{max\_delta\_step}}` (about 2.01
        :math:`\mu`), which halves every Newton step. XGBoost *also* clamps each leaf value to
        :math:`\pm` ``max_delta_step`` (its tree parameter, which the learner sets to 0.7 for
        ``count:poisson``); LightGBM does not (its ``max_delta_step`` stays 0).
        :func:`boostobj.xgboost_params` passes ``max_delta_step`` so that a custom model gets
        the same clamp. Over a step of at most ``max_delta_step`` the curvature
        :math:`e^{z + d}` never exceeds :math:`e^{z + \text{max\_delta\_step}}`: the bounded
        hessian is the curvature of a quadratic above the loss on that trust region, so each
        clamped Newton step decreases the loss (majorize-minimize).
    hessian : {"bounded", "exact"}, default="bounded"
        ``"bounded"``: :math:`e^{z + \text{max\_delta\_step}}`, the built-ins' (and what makes
        this the twin). ``"exact"``: :math:`\mu`, plain Newton steps; where a leaf's predictions
        are far below its labels that step is large (a leaf of labels 5 predicted 0.01 steps
        by :math:`\log`-scale 500), which is what the safeguard is for.

    Notes
    -----
    The loss is :math:`y\,D(u)`, :math:`u = z - \log y`, :math:`D(u) = e^u - 1 - u`, summed as
    a series for :math:`|u| < 1` (see the module docstring); :math:`y = 0` gives :math:`\mu`.

    References
    ----------
    .. [1] P. McCullagh, J. A. Nelder, "Generalized Linear Models", 2nd ed., 1989, ch. 6.
    """

    name = "poisson"
    hessian_options = ("bounded", "exact")

    def __init__(self, *, max_delta_step: float = 0.7, hessian: str | None = None) -> None:
        value = real_number(max_delta_step, "max_delta_step")
        if value < 0:
            raise ValueError(f"max_delta_step must be >= 0, got {value!r}")
        self.max_delta_step = value
        super().__init__(hessian=hessian)

    def check_label_values(self, y):
        _check_nonnegative(self, y, strict=False)

    def _loss(self, y, z):
        pos, ly = _log_labels(y)
        u = z - ly
        near = pos & (np.abs(u) < 1.0)
        with np.errstate(over="ignore", invalid="ignore"):
            mu = np.exp(z)
            far = np.where(pos, (mu - y) - y * u, mu)
            far = np.where(z == np.inf, np.inf, far)  # inf - inf at an infinite margin
            return np.where(near, y * _series(np.where(near, u, 0.0), 0.0, 1.0), far)

    def _gradient_hessian(self, y, z):
        with np.errstate(over="ignore"):
            mu = np.exp(z)
            h = mu if self.hessian == "exact" else np.exp(z + self.max_delta_step)
        return mu - y, h

    def fast_kernel(self):
        return "poisson", {"max_delta_step": self.max_delta_step,
                           "exact_hessian": self.hessian == "exact"}


class GammaLoss(_LogLinkLoss):
    r"""Gamma deviance on the log link, the twin of XGBoost ``reg:gamma`` and LightGBM ``gamma``.

    With :math:`\mu = e^z` (half the gamma unit deviance):

    .. math::
        L = \log\frac{\mu}{y} + \frac{y}{\mu} - 1,\qquad
        \frac{\partial L}{\partial z} = 1 - \frac{y}{\mu},\qquad
        \frac{\partial^2 L}{\partial z^2} = \frac{y}{\mu}

    Domain: ``y > 0`` (XGBoost refuses 0; LightGBM accepts it, where the loss is infinite);
    ``init_score`` is the log of the weighted label mean. The loss is convex in :math:`z`; the
    hessian is exact (the built-ins' too).

    Notes
    -----
    With :math:`u = z - \log y`: :math:`L = u + e^{-u} - 1` (a series for :math:`|u| < 1`),
    gradient :math:`-\operatorname{expm1}(-u)` (no cancellation at the fit), hessian
    :math:`e^{-u}`.

    References
    ----------
    .. [1] P. McCullagh, J. A. Nelder, "Generalized Linear Models", 2nd ed., 1989, ch. 8.
    """

    name = "gamma"

    def __init__(self) -> None:
        super().__init__()

    def check_label_values(self, y):
        _check_nonnegative(self, y, strict=True)

    def _loss(self, y, z):
        u = z - np.log(y)
        near = np.abs(u) < 1.0
        with np.errstate(over="ignore", invalid="ignore"):
            far = np.where(u == -np.inf, np.inf, u + np.expm1(-u))  # -inf + inf at z = -inf
        return np.where(near, _series(np.where(near, u, 0.0), -1.0, 0.0), far)

    def _gradient_hessian(self, y, z):
        u = z - np.log(y)
        with np.errstate(over="ignore"):
            return -np.expm1(-u), np.exp(-u)

    def fast_kernel(self):
        return "gamma", {}


class TweedieLoss(_LogLinkLoss):
    r"""Tweedie deviance with variance power ``power`` on the log link, the twin of XGBoost
    ``reg:tweedie`` and LightGBM ``tweedie`` (``tweedie_variance_power``).

    With :math:`\mu = e^z`, :math:`p` = ``power``, :math:`a = 1 - p`, :math:`b = 2 - p` (half the
    Tweedie unit deviance):

    .. math::
        L = \frac{y^{b}}{a b} - \frac{y\,\mu^{a}}{a} + \frac{\mu^{b}}{b},\qquad
        \frac{\partial L}{\partial z} = \mu^{b} - y\,\mu^{a},\qquad
        \frac{\partial^2 L}{\partial z^2} = b\,\mu^{b} - a\,y\,\mu^{a}

    Domain: ``y >= 0``: the compound Poisson-gamma family (a mass at 0 and a continuous positive
    part: insurance claims, rainfall). ``power`` -> 1 is :class:`PoissonLoss` (without its
    ``max_delta_step``), -> 2 :class:`GammaLoss`. The hessian is positive (both terms are, as
    :math:`a < 0`) and exact; ``init_score`` is the log of the weighted label mean.

    Parameters
    ----------
    power : float, default=1.5
        The variance power :math:`p`, strictly between 1 and 2 (both libraries' default 1.5).

    Notes
    -----
    :math:`L = y^{b} D_{a,b}(z - \log y)` summed as a series near the fit; :math:`y = 0` gives
    :math:`\mu^b / b`. The libraries compute the same gradient and hessian; XGBoost in float32.

    References
    ----------
    .. [1] B. Jorgensen, "The Theory of Dispersion Models", 1997, ch. 4; Y. Yang, W. Qian,
       H. Zou, "Insurance Premium Prediction via Gradient Tree-Boosted Tweedie Compound Poisson
       Models", J. Bus. Econ. Stat. 36 (2018).
    """

    name = "tweedie"

    def __init__(self, *, power: float = 1.5) -> None:
        value = real_number(power, "power")
        if not 1.0 < value < 2.0:
            raise ValueError(
                f"power must be strictly between 1 and 2, got {value!r} (1 is PoissonLoss, 2 "
                "GammaLoss)"
            )
        self.power = value
        super().__init__()

    def check_label_values(self, y):
        _check_nonnegative(self, y, strict=False)

    def _loss(self, y, z):
        a, b = 1.0 - self.power, 2.0 - self.power
        pos, ly = _log_labels(y)
        u = z - ly
        near = pos & (np.abs(u) < 1.0)
        with np.errstate(over="ignore", invalid="ignore"):
            yb = np.exp(b * ly)
            t1 = (np.exp(b * z) - yb) / b  # y^b expm1(b u) / b
            t2 = (np.exp(ly + a * z) - yb) / a  # y^b expm1(a u) / a
            far = np.where(pos, t1 - t2, np.exp(b * z) / b)
            return np.where(near, yb * _series(np.where(near, u, 0.0), a, b), far)

    def _gradient_hessian(self, y, z):
        a, b = 1.0 - self.power, 2.0 - self.power
        pos, ly = _log_labels(y)
        with np.errstate(over="ignore"):
            eb = np.exp(b * z)
            ya = np.where(pos, np.exp(ly + a * z), 0.0)  # y mu^a without overflow of mu^a alone
        return eb - ya, b * eb - a * ya

    def fast_kernel(self):
        return "tweedie", {"power": self.power}
