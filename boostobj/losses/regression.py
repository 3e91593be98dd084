r"""Regression losses on the identity link, written in the residual :math:`r = z - y`."""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _math
from .._warnings import DegenerateWarning, user_stacklevel
from ..links import IdentityLink
from ._base import Loss, newton_root, real_number
from .labels import Labels

__all__ = ["HuberLoss", "LogCoshLoss", "PseudoHuberLoss", "SquaredErrorLoss", "SquaredLogErrorLoss"]


#: Huber's tuning constant: a Huber loss with this transition, in units of the noise's standard
#: deviation, keeps 95% asymptotic efficiency at normal noise (P. J. Huber, "Robust Statistics",
#: 1981, sec. 4.6).
HUBER_K = 1.345
#: 1 / Phi^-1(3/4): the median absolute deviation of normal data times this estimates sigma.
MAD_TO_SIGMA = 1.482602218505602
#: sqrt(pi / 2): the mean absolute deviation of normal data times this estimates sigma.
MEAN_AD_TO_SIGMA = 1.2533141373155001


def robust_scale(y, w=None) -> float:
    r"""The scale ``"auto"`` picks for :class:`PseudoHuberLoss` and :class:`LogCoshLoss`.

    :math:`k\,\hat\sigma` with :math:`k` = :data:`HUBER_K` and :math:`\hat\sigma` = 1.4826 x the
    weighted median absolute deviation of the labels around their weighted median (the start's
    neighbourhood: both losses start near the median). Where more than half the weight sits on
    one value (zero-inflated targets) the MAD is 0, and :math:`\hat\sigma` is 1.2533 x the
    weighted mean absolute deviation instead; labels that are all equal give 1.

    The medians are lower weighted medians and the mean a ratio of correctly rounded sums
    (:mod:`boostobj.losses.labels`), so the Dask reductions give the same number, bit for bit.

    >>> robust_scale(np.array([0.0, 1.0, 2.0, 3.0, 1000.0]))
    1.994...
    """
    return _robust_scale(Labels(np.asarray(y, dtype=np.float64), w))


def _robust_scale(labels) -> float:
    """:func:`robust_scale` of :class:`~boostobj.losses.labels.Labels` (or the Dask equivalent)."""
    dev = labels.deviations(labels.quantile(0.5))
    sigma = MAD_TO_SIGMA * dev.quantile(0.5)
    if not sigma > 0:
        sigma = MEAN_AD_TO_SIGMA * dev.mean()
    return HUBER_K * sigma if sigma > 0 and math.isfinite(sigma) else 1.0


def bracketed_start(loss, labels, x0: float | None = None) -> float:
    """The root of ``loss``'s summed gradient over the labels by safeguarded Newton steps from
    ``x0`` (default: the lower weighted median). The summed gradient of a residual loss is
    <= 0 at min(y) and >= 0 at max(y) (every residual has one sign there), so that is a valid
    starting bracket."""
    lo, hi = labels.extent()
    if lo == hi:
        return lo
    x0 = labels.quantile(0.5) if x0 is None else x0
    return newton_root(lambda c: labels.gradient_sums(loss, c), x0, lo, hi)


def _scale_param(value, name: str):
    if isinstance(value, str):
        if value != "auto":
            raise ValueError(f"{name} must be 'auto' or a number > 0, got {value!r}")
        return value
    value = real_number(value, name)
    if not value > 0:
        raise ValueError(f"{name} must be 'auto' or a number > 0, got {value!r}")
    return value


class _RegressionLoss(Loss):
    link = IdentityLink()
    task = "regression"
    #: The hyperparameter that may be "auto" (estimated by :func:`robust_scale`), if any.
    _auto_scale: str | None = None
    #: ``"auto"`` is this fraction of :func:`robust_scale`.
    _auto_fraction: float = 1.0

    def resolve(self, labels):
        if self._auto_scale is None or getattr(self, self._auto_scale) != "auto":
            return self
        scale = self._auto_fraction * _robust_scale(labels)
        return type(self)(**{**self.get_params(), self._auto_scale: scale})

    def constant_start(self, labels):
        # The default of the robust losses: safeguarded Newton steps from the weighted median.
        return bracketed_start(self, labels)


class SquaredErrorLoss(_RegressionLoss):
    r"""Half squared error, the twin of ``reg:squarederror`` and LightGBM ``regression``.

    .. math::
        L = \tfrac12 (z - y)^2,\qquad \frac{\partial L}{\partial z} = z - y,\qquad
        \frac{\partial^2 L}{\partial z^2} = 1

    ``init_score`` is the weighted mean of the labels.
    """

    name = "squared_error"

    def __init__(self) -> None:
        super().__init__()

    def _loss(self, y, z):
        r = z - y
        return 0.5 * r * r

    def _gradient_hessian(self, y, z):
        return z - y, np.ones_like(z)

    def fast_kernel(self):
        return "squared_error", {}

    def constant_start(self, labels):
        return labels.mean()


class LogCoshLoss(_RegressionLoss):
    r"""Log-cosh loss with scale ``s``: quadratic near zero, linear (slope ``s``) in the tails.

    With :math:`r = z - y` and :math:`u = r/s`:

    .. math::
        L = s^2 \log\cosh u,\qquad \frac{\partial L}{\partial z} = s \tanh u,\qquad
        \frac{\partial^2 L}{\partial z^2} = \operatorname{sech}^2 u

    :math:`L \approx r^2/2` for :math:`|r| \ll s` and :math:`s|r| - s^2\log 2` for
    :math:`|r| \gg s`, like pseudo-Huber with :math:`\delta = s`; ``scale=1`` is the plain
    :math:`\log\cosh r`. The hessian is dimensionless (1 at the start's neighbourhood), so the
    libraries' minimum hessian per leaf means the same thing whatever the units of the target.

    Parameters
    ----------
    scale : "auto" or float, default="auto"
        The transition scale ``s``, in the units of the target. ``"auto"`` estimates it from the
        training labels and weights, once per training set: :func:`robust_scale` (1.345 x a
        robust standard deviation, Huber's 95%-efficiency choice). A plain ``log cosh`` on a
        dollar-scale target is a scaled absolute error and trains poorly; with the scale right,
        the loss gains over squared error where the target has outliers.
    hessian : {"bounded", "exact"}, default="bounded"
        ``"exact"`` is :math:`\operatorname{sech}^2 u`, which vanishes like :math:`4e^{-2|u|}`:
        a leaf of large residuals gets a tiny hessian sum and a huge Newton step, and training
        diverges on heavy-tailed targets (measured with LightGBM 4.7 on a dollar-scale target:
        held-out MAE 12,709, far worse than squared error). ``"bounded"`` uses the
        majorize-minimize (IRLS) weight :math:`\tanh(u)/u` (gradient over residual, 1 at
        :math:`r = 0`, about :math:`s/|r|` in the tails): the curvature of a quadratic that lies
        above the loss and touches it at the current residual, so each Newton step decreases the
        loss.

    Attributes
    ----------
    After :meth:`resolved` (which the estimators and the dispatcher call), the loss it returns
    has the number in ``scale``.

    Notes
    -----
    The loss uses :func:`boostobj._math.log_cosh` (no ``np.cosh`` overflow past 710); the exact
    hessian is :math:`4e/(1+e)^2` with :math:`e = e^{-2|u|}` (``1 - tanh(u)**2`` is exactly 0 for
    :math:`|u| > 19`).
    """

    name = "log_cosh"
    hessian_options = ("bounded", "exact")
    _auto_scale = "scale"

    def __init__(self, *, scale="auto", hessian: str | None = None) -> None:
        self.scale = _scale_param(scale, "scale")
        super().__init__(hessian=hessian)

    def _loss(self, y, z):
        s = self.scale
        return _math.log_cosh(z - y) if s == 1.0 else (s * s) * _math.log_cosh((z - y) / s)

    def _gradient_hessian(self, y, z):
        s = self.scale
        u = (z - y) if s == 1.0 else (z - y) / s
        t = np.tanh(u)
        if self.hessian == "exact":
            e = np.exp(-2.0 * np.abs(u))
            h = 4.0 * e / ((1.0 + e) * (1.0 + e))
        else:
            nz = u != 0
            h = np.divide(t, u, out=np.ones_like(u), where=nz)  # tanh(u)/u -> 1 as u -> 0
        return (t if s == 1.0 else s * t), h

    def fast_kernel(self):
        if self.scale == "auto" or not 1e-30 <= self.scale <= 1e30:  # float32 range: reference
            return None
        return "log_cosh", {"exact_hessian": self.hessian == "exact", "scale": self.scale}


#: A pseudo-Huber ``delta`` below this fraction of the labels' standard deviation warns.
DEGENERATE_DELTA = 1e-6


class PseudoHuberLoss(_RegressionLoss):
    r"""Pseudo-Huber loss with scale ``delta``, the twin of XGBoost ``reg:pseudohubererror``.

    With :math:`r = z - y` and :math:`\rho = \sqrt{1 + (r/\delta)^2}`:

    .. math::
        L = \delta^2(\rho - 1),\qquad \frac{\partial L}{\partial z} = \frac{r}{\rho},\qquad
        \frac{\partial^2 L}{\partial z^2} = \rho^{-3}

    Parameters
    ----------
    delta : "auto" or float, default="auto"
        Transition scale (> 0), XGBoost's ``huber_slope``: quadratic for :math:`|r| \ll \delta`,
        linear with slope :math:`\delta` beyond, in the units of the target. ``"auto"``
        estimates it from the training labels and weights, once per training set:
        :func:`robust_scale` (1.345 x a robust standard deviation, Huber's 95%-efficiency
        choice). A fixed ``delta=1`` on a dollar-scale target is a scaled absolute error whose
        hessians are tiny against the libraries' minimum per leaf: it trains poorly.
    hessian : {"bounded", "exact"}, default="bounded"
        ``"exact"`` is :math:`\rho^{-3}`, which vanishes like :math:`(\delta/|r|)^3`; on
        heavy-tailed data XGBoost 3.2's built-in, which uses it, diverged (predictions near
        1e8 on a dollar-scale target).
        ``"bounded"`` is the IRLS weight :math:`1/\rho` (gradient over residual), the curvature of
        a majorizing quadratic, which converged. Use ``"exact"`` to reproduce the built-in.

    Notes
    -----
    The loss is evaluated as :math:`r^2 / (\rho + 1)`, algebraically equal to
    :math:`\delta^2(\rho - 1)` but without the cancellation for :math:`|r| \ll \delta`, and
    :math:`\rho` as ``hypot(1, r/delta)`` so nothing overflows.

    References
    ----------
    .. [1] P. J. Huber, "Robust Estimation of a Location Parameter", Ann. Math. Statist. 35 (1964);
       pseudo-Huber form: R. Hartley, A. Zisserman, "Multiple View Geometry", 2nd ed., A6.8.

    Examples
    --------
    >>> import numpy as np
    >>> from boostobj import PseudoHuberLoss
    >>> PseudoHuberLoss(delta=1.0).gradient(np.array([0.0]), np.array([3.0]))
    array([0.9486833])
    """

    name = "pseudo_huber"
    hessian_options = ("bounded", "exact")
    _auto_scale = "delta"

    def __init__(self, *, delta="auto", hessian: str | None = None) -> None:
        self.delta = _scale_param(delta, "delta")
        super().__init__(hessian=hessian)

    def warn_degenerate(self, y, w):
        # Both libraries refuse a split whose hessian sum is below min_child_weight (XGBoost, 1)
        # or min_sum_hessian_in_leaf (LightGBM, 1e-3). A delta far below the spread of the
        # labels makes every hessian about delta/|r|, so no split is ever allowed.
        spread = float(np.std(y)) if y.size else 0.0
        if self.delta != "auto" and spread > 0 and self.delta < DEGENERATE_DELTA * spread:
            warnings.warn(
                f"delta={self.delta!r} is {self.delta / spread:.1g} times the spread of the labels "
                f"(standard deviation {spread:.6g}): every hessian is about delta/|residual|, "
                "far below the libraries' minimum hessian per leaf, so the trees cannot split "
                "and the model learns next to nothing; choose delta on the scale of the "
                "residuals (for example a robust standard deviation of the labels)",
                DegenerateWarning, stacklevel=user_stacklevel())

    def _scaled(self, y, z):
        # t = delta/|r| and rho = (|r|/delta) * hypot(1, t): written this way nothing overflows
        # even when r/delta would (tiny delta), and r = 0 gives t = inf, handled by hypot.
        r = z - y
        a = np.abs(r)
        with np.errstate(divide="ignore", over="ignore"):
            t = self.delta / a
        return r, a, t, np.hypot(1.0, t)

    def _loss(self, y, z):
        # delta^2 (rho - 1) = delta |r| / (hypot(1, t) + t): no cancellation for |r| << delta
        # (where it is r^2/2), no overflow for |r| >> delta (where it is delta |r|)
        _, a, t, ht = self._scaled(y, z)
        with np.errstate(over="ignore"):  # |r| < delta / 1e308: inf here, the value is 0 (r^2/2)
            return (self.delta * a) / (ht + t)

    def _gradient_hessian(self, y, z):
        r, _, t, ht = self._scaled(y, z)
        tiny = np.isinf(t)  # r = 0, or |r| so small that delta/|r| overflows: rho = 1
        with np.errstate(invalid="ignore"):
            g = np.where(tiny, r, np.sign(r) * (self.delta / ht))  # r / rho
            inv_rho = np.where(tiny, 1.0, t / ht)  # 1 / rho
        h = inv_rho * inv_rho * inv_rho if self.hessian == "exact" else inv_rho
        return g, h

    def fast_kernel(self):
        if self.delta == "auto" or not 1e-30 <= self.delta <= 1e30:  # float32 range: reference
            return None
        return "pseudo_huber", {"delta": self.delta, "exact_hessian": self.hessian == "exact"}


class HuberLoss(_RegressionLoss):
    r"""Huber loss with transition ``delta``, the twin of LightGBM ``huber`` (``alpha``) and
    CatBoost ``Huber`` (``delta``).

    With :math:`r = z - y`:

    .. math::
        L = \begin{cases} \tfrac12 r^2 & |r| \le \delta \\ \delta\,(|r| - \tfrac12\delta) &
        |r| > \delta \end{cases},\qquad
        \frac{\partial L}{\partial z} = \operatorname{clip}(r, -\delta, \delta),\qquad
        \frac{\partial^2 L}{\partial z^2} = \begin{cases} 1 & |r| < \delta \\ 0 & |r| > \delta
        \end{cases}

    Convex, with a continuous gradient; the second derivative jumps at :math:`|r| = \delta`
    (there the exact hessian takes the outer value, 0, as CatBoost does). ``init_score`` is the
    exact minimiser (Huber's M-estimate of location), solved by safeguarded Newton steps from
    the weighted median (exact after finitely many: the summed gradient is piecewise linear).

    What the built-ins hand their trees (read in their sources, measured with lightgbm 4.7.0
    and catboost 1.2.10 by training beside them, ``python -m boostobj parity``):

    * LightGBM ``huber`` (``RegressionHuberLoss``): the gradient above (``|r| <= alpha`` inside)
      and the hessian **1** everywhere (the sample weight when weighted), started from the
      weighted label mean (``boost_from_average``); its leaves are one Newton step, not renewed.
      That is ``hessian="constant"``.
    * CatBoost ``Huber`` (``THuberError``): the same gradient and the exact hessian (1 for
      ``|r| < delta``, else 0), Newton leaves (its default), started from 0 (no
      ``boost_from_average``): ``hessian="exact"``.

    Parameters
    ----------
    delta : "auto" or float, default="auto"
        The transition (> 0), in the units of the target; LightGBM's ``alpha``, CatBoost's
        ``delta``. ``"auto"`` is :func:`robust_scale` of the training labels, as for
        :class:`PseudoHuberLoss` (1.345 robust standard deviations, Huber's 95%-efficiency
        choice); LightGBM's default ``alpha=0.9`` is a scaled absolute error on most targets.
    hessian : {"bounded", "exact", "constant"}, default="bounded"
        ``"bounded"`` is the IRLS weight :math:`\min(1, \delta/|r|)` (gradient over residual, 1
        at :math:`r = 0`): the curvature of the quadratic that majorizes the loss and touches it
        at the current residual (Huber's own iteration), so every step lowers the loss, and a
        leaf of rows far outside ``delta`` still moves by a weighted mean of its residuals.
        ``"exact"`` is 1 inside and 0 outside: a leaf whose rows all lie outside gets no
        curvature (XGBoost's ``min_child_weight`` and LightGBM's ``min_sum_hessian_in_leaf``
        then refuse the split; CatBoost's ``l2_leaf_reg`` alone sizes the step); use it to
        reproduce CatBoost's ``Huber``. ``"constant"`` is 1 everywhere, the loss's largest
        curvature (also a majorizer, looser: a leaf outside moves by at most ``delta`` per
        round); use it to reproduce LightGBM's ``huber``.

    Notes
    -----
    No compiled kernel: the libraries receive the float64 reference (three ``np.where`` on the
    residual).
    """

    name = "huber"
    hessian_options = ("bounded", "exact", "constant")
    _auto_scale = "delta"

    def __init__(self, *, delta="auto", hessian: str | None = None) -> None:
        self.delta = _scale_param(delta, "delta")
        super().__init__(hessian=hessian)

    def warn_degenerate(self, y, w):
        # a delta far below the spread makes the bounded hessians about delta/|r| and the exact
        # ones 0: pseudo-Huber's warning (its rule and message) applies as it stands
        if self.hessian != "constant":
            PseudoHuberLoss.warn_degenerate(self, y, w)

    def _loss(self, y, z):
        d = self.delta
        a = np.abs(z - y)
        with np.errstate(over="ignore"):  # 0.5 a^2 beyond 1.3e154 only when delta is as large
            return np.where(a <= d, 0.5 * a * a, d * (a - 0.5 * d))

    def _gradient_hessian(self, y, z):
        d = self.delta
        r = z - y
        g = np.clip(r, -d, d)
        if self.hessian == "exact":
            h = (np.abs(r) < d).astype(np.float64)
        elif self.hessian == "constant":
            h = np.ones_like(g)
        else:  # min(1, delta/|r|): 1 at r = 0 (delta/0 = inf), 0 at an infinite residual
            with np.errstate(divide="ignore"):
                h = np.minimum(1.0, d / np.abs(r))
        return g, h

    def constant_start(self, labels):
        exact = self if self.hessian == "exact" else type(self)(delta=self.delta, hessian="exact")
        return bracketed_start(exact, labels)


#: The lowest margin :class:`SquaredLogErrorLoss` evaluates, XGBoost's clip
#: (``fmaxf(predt, -1 + 1e-6)`` in ``SquaredLogError``, xgboost 3.2.0): below it the loss goes on
#: along its tangent there.
SQUARED_LOG_FLOOR = -1.0 + 1e-6
#: XGBoost's lower bound on the ``reg:squaredlogerror`` hessian (``hessian="clipped"``).
SQUARED_LOG_HESSIAN_CLIP = 1e-6


class SquaredLogErrorLoss(_RegressionLoss):
    r"""Half squared log error, the twin of XGBoost ``reg:squaredlogerror``.

    On the identity-link margin :math:`z` (the prediction itself), with
    :math:`t = \log(1 + z) - \log(1 + y)`:

    .. math::
        L = \tfrac12 t^2,\qquad \frac{\partial L}{\partial z} = \frac{t}{1 + z},\qquad
        \frac{\partial^2 L}{\partial z^2} = \frac{1 - t}{(1 + z)^2}

    for :math:`z \ge z_0 = -1 + 10^{-6}` (:data:`SQUARED_LOG_FLOOR`). **Margins below** :math:`z_0`
    (where :math:`\log(1 + z)` is undefined or nearly so) get the gradient at :math:`z_0`, as
    XGBoost does (it clips the prediction there), and the loss goes on along its tangent:
    :math:`L(z) = L(z_0) + L'(z_0)(z - z_0)`, so the loss, its gradient and every hessian stay
    finite, positive where they should and consistent with one another for every margin. Not
    convex: the exact hessian is negative where :math:`1 + z > e\,(1 + y)`.

    **Labels** must be :math:`\ge z_0`: :math:`\log(1 + y)` needs :math:`y > -1` (XGBoost refuses
    :math:`y \le -1`), and a label below :math:`z_0` would put the minimum below the margins the
    loss evaluates (its tangent there slopes downwards forever), so labels in
    :math:`(-1, z_0)`, which XGBoost accepts, are refused too. ``init_score`` is the exact
    minimiser :math:`\operatorname{expm1}` of the weighted mean of :math:`\log(1 + y)`, solved by
    safeguarded Newton steps on the summed gradient (exact on Dask collections too).

    What XGBoost's built-in does (``regression_loss.h``, measured with xgboost 3.2.0): the
    gradient above in float32 at the prediction clipped at ``-1 + 1e-6`` (float32), the exact
    hessian at that clipped prediction floored at ``1e-6``, times the weight; it starts from
    **one Newton step from margin 0** (``FitIntercept``), not from the minimiser (on diabetes,
    labels 25 to 346: ``base_score`` 0.83 against the minimiser 132), so the parity harness
    gives it ``init_score``. A model whose margin reaches :math:`z_0` stays there: the clipped
    hessian is about :math:`10^{12}` times the others (one round from ``base_score=-5`` on labels
    0, 1, 5 moved the margin by 9.5e-7).

    Parameters
    ----------
    hessian : {"bounded", "exact", "clipped"}, default="bounded"
        ``"bounded"`` is the IRLS weight, gradient over residual :math:`\frac{t}{(1 + z)(z -
        y)}` (:math:`1/(1 + y)^2` at :math:`z = y`): positive for every margin, so a leaf moves
        by a weighted mean of its rows' residuals and a row alone lands on its label in one
        step, also from below :math:`z_0`. ``"exact"`` is the second derivative (0 below
        :math:`z_0`); where it is negative or tiny the libraries receive it floored at 1e-16 and
        take huge steps. ``"clipped"`` is XGBoost's: the exact hessian at
        :math:`\max(z, z_0)`, at least 1e-6; use it to reproduce ``reg:squaredlogerror``.

    Notes
    -----
    :math:`t` is ``log1p((z - y) / (1 + y))`` where the ratio :math:`(1 + z)/(1 + y)` is within
    [1/2, 3/2] (no cancellation for :math:`z \approx y`), else ``log`` of the ratio (``log(1 +
    z) - log(1 + y)`` where the ratio overflows): a few ulp everywhere. The exact hessian's
    ``1 - t`` is accurate to a few ulp of 1 only (absolute), not relative where it crosses 0.
    No compiled kernel: the libraries receive the float64 reference.
    """

    name = "squared_log_error"
    hessian_options = ("bounded", "exact", "clipped")

    def __init__(self, *, hessian: str | None = None) -> None:
        super().__init__(hessian=hessian)

    def check_label_values(self, y):
        bad = ~np.isfinite(y) | ~(y >= SQUARED_LOG_FLOOR)
        if np.any(bad):
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"SquaredLogErrorLoss labels must be finite and >= {SQUARED_LOG_FLOOR!r} (-1 + "
                f"1e-6): log(1 + y) needs y > -1, and margins below -1 + 1e-6 are clipped there, "
                f"got {float(y[i])!r} at index {i}")

    @staticmethod
    def _parts(y, z):
        """``a = 1 + zc`` (``zc`` the margin clipped at the floor), ``b = 1 + y``,
        ``q = a / b - 1``, whether ``|q| <= 1/2``, and ``t = log(a / b)``."""
        zc = np.maximum(z, SQUARED_LOG_FLOOR)
        a, b = 1.0 + zc, 1.0 + y
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            q = (zc - y) / b  # a / b - 1
            near = np.abs(q) <= 0.5
            ratio = a / b
            far = np.where(np.isfinite(ratio), np.log(ratio), np.log(a) - np.log(b))
            t = np.where(near, np.log1p(np.where(near, q, 0.0)), far)
        return a, b, q, near, t

    @staticmethod
    def _slope(a, t):
        with np.errstate(invalid="ignore"):  # inf / inf at an infinite margin: the limit 0
            return np.where(np.isinf(a), 0.0, t / a)

    def _loss(self, y, z):
        a, _, _, _, t = self._parts(y, z)
        below = z < SQUARED_LOG_FLOOR
        tangent = self._slope(a, t) * np.where(below, z - SQUARED_LOG_FLOOR, 0.0)
        with np.errstate(over="ignore"):
            return 0.5 * t * t + tangent

    def _gradient_hessian(self, y, z):
        a, b, q, near, t = self._parts(y, z)
        g = self._slope(a, t)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            if self.hessian == "bounded":
                # t / ((z - y) a) = (t / q) / (a b) where t = log1p(q) (t / q -> 1 as q -> 0);
                # g / (z - y) elsewhere (below the floor, far from the label: 0 at +-inf)
                inner = near & (z >= SQUARED_LOG_FLOOR)
                h = np.where(inner, np.where(q != 0, t / q, 1.0) / (a * b), g / (z - y))
            else:
                curv = np.where(np.isinf(a), 0.0, (1.0 - t) / a / a)  # -> 0 as z -> inf
                if self.hessian == "exact":
                    h = np.where(z < SQUARED_LOG_FLOOR, 0.0, curv)
                else:
                    h = np.maximum(curv, SQUARED_LOG_HESSIAN_CLIP)
        return g, h

    def constant_start(self, labels):
        exact = self if self.hessian == "exact" else type(self)(hessian="exact")
        return bracketed_start(exact, labels)
