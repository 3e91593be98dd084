r"""Multiclass losses on ``(n, K)`` margins with integer labels ``0..K-1``: softmax cross-entropy and
multiclass focal loss.

Both libraries take a *diagonal* hessian for multiclass objectives, and their built-ins scale it
(XGBoost by 2, LightGBM by ``K/(K-1)``): the diagonal alone overstates the Newton step, because
the gradient of every row sums to zero over the classes. ``hessian_scale="library"`` (the
default) asks for the calling library's own factor (:mod:`boostobj.adapters` owns them), so
boostobj's softmax trains like the built-in in either library; the math methods
(``gradient_hessian``) return the unscaled derivatives.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from .._validation import check_labels_finite
from ..links import SoftmaxLink
from ._base import Loss, class_weight, real_number
from .binary import PROB_CLAMP, focusing, smoothing
from .labels import Labels

__all__ = ["MulticlassFocalLoss", "SoftmaxLoss"]


def _softmax_gaps(z):
    r"""``(rows, top, gap, e, rest)`` of ``(n, K)`` margins: ``top`` the (first) largest column
    of each row, :math:`\mathrm{gap}_j = m - z_j \ge 0` with :math:`m` the row maximum (0 for
    columns tied with it, also an infinite one), :math:`e_j = e^{-\mathrm{gap}_j}` and ``rest``
    the sum of :math:`e_j` over every column but ``top``; so that
    :math:`-\log p_j = \mathrm{gap}_j + \log1p(\mathrm{rest})`, a sum of two non-negative terms.
    """
    n = z.shape[0]
    rows = np.arange(n)
    top = np.argmax(z, axis=1)
    m = z[rows, top]
    with np.errstate(invalid="ignore"):  # inf - inf: a column tied with an infinite maximum
        gap = m[:, None] - z
        gap[z == m[:, None]] = 0.0
    e = np.exp(-gap)
    e[rows, top] = 0.0
    rest = e.sum(axis=1)
    e[rows, top] = 1.0
    return rows, top, gap, e, rest


def _softmax_parts(y, z):
    r"""Row-wise softmax pieces with full relative precision.

    Returns ``(rows, yi, p, q, s)``: row indices, integer labels, probabilities ``p``,
    ``q = 1 - p`` and
    :math:`s = -\log p_y` (the cross-entropy). With :math:`m` the row maximum and
    :math:`e_j = e^{z_j - m}`, let ``rest`` be the sum of :math:`e_j` over every column except the
    (first) largest one (:func:`_softmax_gaps`). Then :math:`S = 1 + \mathrm{rest}`, and for the
    largest column :math:`1 - p = \mathrm{rest}/S` (computed directly: ``1 - p`` would round to
    0 for a confident row); every other column has :math:`p \le 1/2`, where ``1 - p`` is exact.
    Likewise :math:`-\log p_y = (m - z_y) + \log1p(\mathrm{rest})`.
    """
    rows, top, gap, e, rest = _softmax_gaps(z)
    yi = y.astype(np.intp)
    S = 1.0 + rest
    p = e / S[:, None]
    q = 1.0 - p
    q[rows, top] = rest / S
    s = gap[rows, yi] + np.log1p(rest)
    return rows, yi, p, q, s


class _MulticlassLoss(Loss):
    link = SoftmaxLink()
    task = "multiclass"

    def __init__(self, *, n_classes: int | None, hessian_scale, hessian=None):
        if n_classes is not None:
            if isinstance(n_classes, (bool, np.bool_)) or not isinstance(n_classes, (int, np.integer)):
                raise TypeError(f"n_classes must be an integer or None, got {n_classes!r}")
            if n_classes < 2:
                raise ValueError(f"n_classes must be >= 2, got {n_classes!r}")
            n_classes = int(n_classes)
        self.n_classes = n_classes
        if hessian_scale != "library":
            hessian_scale = real_number(hessian_scale, "hessian_scale")
            if not hessian_scale > 0:
                raise ValueError(f"hessian_scale must be 'library' or a number > 0, got {hessian_scale!r}")
        self.hessian_scale = hessian_scale
        super().__init__(hessian=hessian)

    @property
    def fixed_classes(self) -> int | None:
        """The number of classes the hyperparameters fix (``n_classes``, or alpha's length)."""
        if self.n_classes is not None:
            return self.n_classes
        alpha = getattr(self, "alpha", None)
        return None if alpha is None else len(alpha)

    def check_label_values(self, y):
        check_labels_finite(y)
        bad = (y < 0) | (y != np.floor(y))
        if self.fixed_classes is not None:
            bad |= y >= self.fixed_classes
        if np.any(bad):
            i = int(np.flatnonzero(bad)[0])
            k = "K-1" if self.fixed_classes is None else str(self.fixed_classes - 1)
            alpha = getattr(self, "alpha", None)
            if alpha is not None and y[i] >= 0 and y[i] == np.floor(y[i]):
                raise ValueError(
                    f"got the class label {float(y[i])!r} at index {i}, but alpha has {len(alpha)} "
                    f"weights, one per class (classes 0..{len(alpha) - 1}); give alpha one weight "
                    "for every class, or encode the classes as 0..K-1 (e.g. "
                    "sklearn.preprocessing.LabelEncoder)"
                )
            raise ValueError(
                f"multiclass labels must be integers 0..{k}, got {float(y[i])!r} at index {i}; "
                "encode the classes as 0..K-1 (e.g. sklearn.preprocessing.LabelEncoder)"
            )

    def check_raw(self, raw_prediction, n=None):
        z = super().check_raw(raw_prediction, n)
        if self.fixed_classes is not None and z.shape[1] != self.fixed_classes:
            raise ValueError(
                f"raw_prediction has {z.shape[1]} columns but the loss has {self.fixed_classes} classes; "
                "set num_class to the number of classes"
            )
        return z

    def check_margins(self, y, z) -> None:
        """The margins' columns against ``n_classes`` and every label against the columns."""
        self.check_raw(z)
        check_label_range(y, z.shape[1])

    def _prepare(self, y_true, raw_prediction, sample_weight):
        y, z, w = super()._prepare(y_true, raw_prediction, sample_weight)
        check_label_range(y, z.shape[1])
        return y, z, w

    def _n_classes_for(self, y) -> int:
        return self.fixed_classes if self.fixed_classes is not None else int(np.max(y)) + 1

    def _init_from_counts(self, y, w):
        """Class weights ``W_k`` (the total weight of each class) and ``K``."""
        k = self._n_classes_for(y)
        counts = np.bincount(y.astype(np.intp), weights=w, minlength=k).astype(np.float64)
        return counts, k


def check_label_range(y, k):
    """Every label names one of the ``k`` columns of the margins (``num_class`` is set right)."""
    if y.size and np.max(y) >= k:
        raise ValueError(
            f"label {int(np.max(y))} needs at least {int(np.max(y)) + 1} classes but the margins have "
            f"{k} columns; set num_class (XGBoost and LightGBM) to the number of classes"
        )


class SoftmaxLoss(_MulticlassLoss):
    r"""Softmax cross-entropy, the twin of XGBoost ``multi:softprob`` and LightGBM ``multiclass``.

    With :math:`p = \mathrm{softmax}(z)` row-wise and :math:`y \in \{0..K-1\}`:

    .. math::
        L = -\log p_y = \log\sum_j e^{z_j} - z_y,\qquad
        \frac{\partial L}{\partial z_j} = p_j - [j = y],\qquad
        \frac{\partial^2 L}{\partial z_j^2} = p_j (1 - p_j)

    (the diagonal of the hessian, which is what both libraries take).

    With ``label_smoothing`` :math:`\varepsilon > 0` the target of column :math:`j` is
    :math:`\tilde y_j = (1 - \varepsilon)[j = y] + \varepsilon/K` (Szegedy et al. 2016; Müller et
    al. 2019) and the loss the cross-entropy with it:

    .. math::
        L = -\sum_j \tilde y_j \log p_j = (1 - \varepsilon)(-\log p_y)
            + \frac{\varepsilon}{K}\sum_j (-\log p_j),\qquad
        \frac{\partial L}{\partial z_j} = p_j - \tilde y_j,

    same hessian (diagonal and full). :math:`K` is the number of columns of the margins. Its
    minimum is the entropy of :math:`\tilde y`, not 0, and the margins of a row stay within
    :math:`\log(1 + (1-\varepsilon)K/\varepsilon)` of each other at the optimum. ``init_score``
    is the centred log of the weighted mean smoothed target,
    :math:`\log((1-\varepsilon) W_k/W + \varepsilon/K)`. ``loss.metric`` reports this smoothed
    loss, the one training minimises. Only ``label_smoothing=0`` is the built-ins' twin (and,
    under CatBoost, gets ``MultiClass``'s full hessian; with :math:`\varepsilon > 0` the
    diagonal times ``K/(K-1)``).

    Parameters
    ----------
    n_classes : int or None, default=None
        Number of classes; None takes it from the margins' columns (and ``max(y) + 1`` in
        ``init_score``).
    hessian_scale : "library" or float, default="library"
        Factor on the hessian handed to a library: ``"library"`` uses the built-in's own (2 in
        XGBoost, ``K/(K-1)`` in LightGBM; the scikit-learn-signature call ``loss(y, z, w)``
        uses XGBoost's 2, and boostobj's LightGBM estimators bind LightGBM's), a number uses
        that everywhere (1 = plain diagonal).
    label_smoothing : float, default=0.0
        :math:`\varepsilon` in [0, 1).

    Notes
    -----
    ``1 - p`` of the most probable class and :math:`-\log p_y` are computed without cancellation
    (see ``_softmax_parts``), so a confidently right row keeps a gradient of ``-1e-300`` rather
    than 0, and nothing overflows at margins of ``1e6``. The smoothed loss is a sum of
    non-negative terms :math:`-\log p_j = (m - z_j) + \log1p(\mathrm{rest})`. The fast kernel
    computes the unsmoothed loss only; with :math:`\varepsilon > 0` the libraries receive the
    float64 reference.

    References
    ----------
    .. [1] C. Szegedy et al., "Rethinking the Inception Architecture for Computer Vision",
       CVPR 2016, arXiv:1512.00567; R. Müller, S. Kornblith, G. Hinton, "When Does Label
       Smoothing Help?", NeurIPS 2019, arXiv:1906.02629.

    Examples
    --------
    >>> import numpy as np
    >>> from boostobj import SoftmaxLoss
    >>> g, h = SoftmaxLoss().gradient_hessian(np.array([2]), np.array([[0.0, 0.0, 0.0]]))
    >>> np.round(g, 4), np.round(h, 4)
    (array([[ 0.3333,  0.3333, -0.6667]]), array([[0.2222, 0.2222, 0.2222]]))
    """

    name = "softmax_loss"

    def __init__(self, *, n_classes: int | None = None, hessian_scale="library",
                 label_smoothing: float = 0.0) -> None:
        self.label_smoothing = smoothing(label_smoothing)
        super().__init__(n_classes=n_classes, hessian_scale=hessian_scale)

    def fast_kernel(self):
        return None if self.label_smoothing else ("softmax", {})

    def _loss(self, y, z):
        eps = self.label_smoothing
        if not eps:
            return _softmax_parts(y, z)[4]
        rows, _, gap, _, rest = _softmax_gaps(z)
        l1r = np.log1p(rest)
        s_y = gap[rows, y.astype(np.intp)] + l1r
        # (eps/K) sum_j -log p_j = eps (mean_j gap_j + log1p(rest)): non-negative terms only
        return (1.0 - eps) * s_y + eps * (gap.mean(axis=1) + l1r)

    def _gradient_hessian(self, y, z):
        rows, yi, p, q, _ = _softmax_parts(y, z)
        eps = self.label_smoothing
        if not eps:
            g = p.copy()
            g[rows, yi] = -q[rows, yi]  # p_y - 1 = -(1 - p_y), exact
        else:
            share = eps / z.shape[1]
            g = p - share
            g[rows, yi] = (eps - share) - q[rows, yi]  # p_y - (1 - eps + eps/K)
        return g, p * q

    def constant_start(self, labels):
        y, w = labels.arrays()
        counts, k = self._init_from_counts(y, w)
        eps = self.label_smoothing
        if not eps:
            logp = np.log(np.maximum(counts / counts.sum(), PROB_CLAMP))
        else:  # the weighted mean smoothed target: positive for every class
            logp = np.log((1.0 - eps) * (counts / counts.sum()) + eps / k)
        return logp - logp.mean()


class MulticlassFocalLoss(_MulticlassLoss):
    r"""Multiclass focal loss (Lin et al., 2017) on softmax probabilities.

    With :math:`p = \mathrm{softmax}(z)`, :math:`q = 1 - p_y`, :math:`s = -\log p_y` and
    :math:`\alpha_y` the weight of the row's class (1 when ``alpha`` is None):

    .. math::
        L = \alpha_y\, q^{\gamma}\, s,\qquad
        \frac{\partial L}{\partial z_j} = (p_j - [j = y])\, F,\qquad
        F = \alpha_y\, q^{\gamma}\,(\gamma\, p_y\, s / q + 1)

    .. math::
        \frac{\partial^2 L}{\partial z_j^2} = p_j (1 - p_j)\, F
            - \Big(\frac{p_j - [j = y]}{q}\Big)^2 p_y\, G,\qquad
        G = \alpha_y\, q^{\gamma}\big[(1 - \gamma)(\gamma p_y s + q) + q(\gamma s - \gamma - 1)\big]

    ``gamma = 0`` with ``alpha = None`` is exactly :class:`SoftmaxLoss`.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter, ``>= 0``.
    alpha : None or sequence of float, default=None
        One weight per class (length ``K``), each > 0, or None for no class weighting. A weight
        of 0 is refused, as in :class:`FocalLoss`: that class would never be predicted.
    hessian : {"bounded", "exact"}, default="bounded"
        The exact diagonal hessian is negative for badly misclassified rows once ``gamma > 0``;
        ``"bounded"`` takes :math:`\max(\text{exact}, \alpha_y q^\gamma p_j(1-p_j))`, the
        focal-modulated softmax curvature, as :class:`FocalLoss` does.
    n_classes, hessian_scale
        As in :class:`SoftmaxLoss`.

    References
    ----------
    .. [1] T.-Y. Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017, arXiv:1708.02002.
    """

    name = "multiclass_focal_loss"
    hessian_options = ("bounded", "exact")

    def __init__(self, *, gamma: float = 2.0, alpha=None, n_classes: int | None = None,
                 hessian: str | None = None, hessian_scale="library") -> None:
        gamma = focusing(gamma)
        if alpha is not None:
            if isinstance(alpha, str) or np.ndim(alpha) != 1 or len(alpha) < 2:
                raise ValueError(f"alpha must be None or one weight per class, got {alpha!r}")
            weights = tuple(class_weight(a, f"alpha[{i}]") for i, a in enumerate(alpha))
            # a tuple of plain floats is kept as given: scikit-learn < 1.3's clone wants the very
            # object it passed back from get_params
            alpha = alpha if type(alpha) is tuple and alpha == weights else weights
            if n_classes is not None and len(alpha) != n_classes:
                raise ValueError(f"alpha has {len(alpha)} weights but n_classes={n_classes}")
        self.gamma = gamma
        self.alpha = alpha
        super().__init__(n_classes=n_classes, hessian_scale=hessian_scale, hessian=hessian)

    def fast_kernel(self):
        return "multiclass_focal", {"gamma": self.gamma, "alpha": self.alpha,
                                    "bounded": self.hessian == "bounded"}

    def _parts(self, y, z):
        rows, yi, p, q, s = _softmax_parts(y, z)
        py, qy = p[rows, yi], q[rows, yi]
        a = 1.0 if self.alpha is None else np.asarray(self.alpha)[yi]
        g = self.gamma
        if g:
            with np.errstate(divide="ignore"):
                aqg = a * np.exp(g * np.log(qy))  # q**gamma; 0 when q underflows to 0
        else:
            aqg = a * np.ones_like(qy)
        return rows, yi, p, q, s, py, qy, aqg

    def _loss(self, y, z):
        *_, s, _, _, aqg = self._parts(y, z)
        return aqg * s

    def _gradient_hessian(self, y, z):
        rows, yi, p, q, s, py, qy, aqg = self._parts(y, z)
        g = self.gamma
        pos = qy > 0
        s_over_q = np.divide(s, qy, out=np.ones_like(s), where=pos)  # -> 1 as q -> 0
        live = py > 0.0  # p s -> 0 and p G -> 0 as p -> 0; 0 * inf only at infinite margins
        with np.errstate(invalid="ignore"):
            F = aqg * (g * np.where(live, py * s_over_q, 0.0) + 1.0)
            G = aqg * ((1.0 - g) * (g * np.where(live, py * s, 0.0) + qy) + qy * (g * s - g - 1.0))
            pG = np.where(live, py * G, 0.0)
        soft = p.copy()
        soft[rows, yi] = -qy  # p_j - [j = y]
        grad = soft * F[:, None]
        ratio = np.divide(soft, qy[:, None], out=np.zeros_like(soft), where=pos[:, None])
        pq = p * q
        hess = pq * F[:, None] - ratio * ratio * pG[:, None]
        if self.hessian == "bounded":
            hess = np.maximum(hess, pq * aqg[:, None])
        return grad, hess

    def constant_start(self, labels):
        y, w = labels.arrays()
        counts, k = self._init_from_counts(y, w)
        if self.alpha is not None and len(self.alpha) != k:
            raise ValueError(f"alpha has {len(self.alpha)} weights but the labels have {k} classes")
        # The mean loss of a constant margin depends on the labels only through the class totals,
        # so the K-dimensional minimisation runs on K rows weighted by them.
        labels = np.arange(k, dtype=np.float64)
        start = SoftmaxLoss(n_classes=k).constant_start(Labels(y, w))
        if np.count_nonzero(counts) <= 1:
            return start

        def fun(c):
            z = np.tile(c, (k, 1))
            g, _ = self._gradient_hessian(labels, z)
            return float(counts @ self._loss(labels, z)), (counts[:, None] * g).sum(axis=0)

        total = counts.sum()
        res = minimize(fun, start, jac=True, method="L-BFGS-B",
                       options={"gtol": 1e-13 * total, "ftol": 1e-15, "maxiter": 1000})
        # L-BFGS-B also stops on its relative-reduction test (ftol); accept its point only where
        # the summed gradient has vanished to the precision the loss is computed with.
        if not np.all(np.isfinite(res.x)) or np.max(np.abs(fun(res.x)[1])) > 1e-8 * total:
            res = minimize(fun, res.x if np.all(np.isfinite(res.x)) else start, jac=True,
                           method="BFGS", options={"gtol": 1e-10 * total, "maxiter": 2000})
            if not np.all(np.isfinite(res.x)) or np.max(np.abs(fun(res.x)[1])) > 1e-8 * total:
                raise ValueError(
                    f"{self!r}.init_score did not converge on these class totals "
                    f"({_counts_text(counts)}): {res.message}; pass init_score yourself "
                    "(for example SoftmaxLoss().init_score(y, w), the log of the class shares)"
                )
        return res.x - res.x.mean()


def _counts_text(counts) -> str:
    return ", ".join(f"{float(c):.6g}" for c in counts)
