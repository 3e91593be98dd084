"""The ``Loss`` base class: exact math, weights, starting score, and the call that every entry
point of XGBoost and LightGBM makes.

A subclass supplies only pointwise float64 kernels (``_loss``, ``_gradient_hessian``) and its
starting score; everything about shapes, weights, validation and libraries lives here or in
:mod:`boostobj.adapters`.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from .._validation import as_float_array, check_labels_finite, check_weights
from ..links import Link

__all__ = ["HESSIAN_FLOOR", "Loss"]


def _same(snapshot, raw) -> bool:
    """Whether ``raw`` holds what ``snapshot`` (a private copy, or None) held. Compared by content
    even when ``raw`` is the very array seen before, since its owner may have changed it in place
    (0.1 ms per 1M float32 labels)."""
    if snapshot is None or raw is None:
        return snapshot is raw
    if not isinstance(raw, np.ndarray):
        return False
    return (raw.shape == snapshot.shape and raw.dtype == snapshot.dtype
            and bool(np.array_equal(raw, snapshot)))


#: Training sets whose validated labels a loss keeps (lgb.cv's default is 5 folds).
_CACHE_SIZE = 5


def _snapshot(raw):
    return np.array(raw, copy=True) if isinstance(raw, np.ndarray) else None


def _own(validated, raw):
    """``validated``, copied if it is (a view of) the caller's array: what the caches keep and key
    on (here and in ``_kernels``) must not change behind them."""
    if validated is not None and isinstance(raw, np.ndarray) and np.may_share_memory(validated, raw):
        return validated.copy()
    return validated


#: Smallest hessian handed to a boosting library. XGBoost's own logistic objective clips at the
#: same value (``src/objective/regression_loss.h``: ``fmaxf(p * (1 - p), 1e-16f)``); it keeps a
#: leaf's Newton step ``-G / H`` finite when a loss's curvature underflows or is negative.
HESSIAN_FLOOR = 1e-16


class Loss:
    """Base class of every boostobj objective.

    An instance is at once the exact math (``loss``, ``gradient_hessian``, ``init_score``, ``link``)
    and the objective callable of every XGBoost and LightGBM entry point (see :meth:`__call__`).
    """

    #: Registry key and metric name.
    name: ClassVar[str] = "loss"
    link: ClassVar[Link]
    is_multiclass: ClassVar[bool] = False
    #: Names accepted by the ``hessian`` option, the first being the default.
    hessian_options: ClassVar[tuple[str, ...]] = ("exact",)

    def __init__(self, *, hessian: str | None = None, match_builtin: bool = False) -> None:
        if hessian is None:
            hessian = self.hessian_options[0]
        if hessian not in self.hessian_options:
            raise ValueError(
                f"hessian must be one of {self.hessian_options}, got {hessian!r}"
            )
        self.hessian = hessian
        if not isinstance(match_builtin, (bool, np.bool_)):
            raise TypeError(f"match_builtin must be True or False, got {match_builtin!r}")
        self.match_builtin = bool(match_builtin)
        if self.match_builtin and not self.builtin_twin():
            raise ValueError(
                f"match_builtin=True needs a built-in twin; {self!r} has none in XGBoost or LightGBM"
            )
        self._cache: tuple = ()  # (snapshot y, snapshot w, y, w) of the last few training sets

    # ------------------------------------------------------------------ description
    @property
    def params(self) -> dict[str, Any]:
        """Hyperparameters as passed to the constructor (used by ``repr``, equality and pickling)."""
        params = dict(self._own_params())
        if self.hessian != self.hessian_options[0]:
            params["hessian"] = self.hessian
        if self.match_builtin:
            params["match_builtin"] = True
        return params

    def _own_params(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.params == other.params  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), repr(self)))

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_cache"] = ()  # the validated-labels cache never travels
        return state

    def builtin_twin(self) -> dict[str, str]:
        """The built-in objectives this loss reproduces: ``{"xgboost": ..., "lightgbm": ...}``.

        Empty when there is none. The parity harness walks these.
        """
        return {}

    # ------------------------------------------------------------------ kernels (subclasses)
    def _check_labels(self, y: np.ndarray) -> None:
        check_labels_finite(y)

    def _loss(self, y: np.ndarray, z: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _gradient_hessian(self, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError  # pragma: no cover - abstract

    def _init_score(self, y: np.ndarray, w: np.ndarray | None):  # pragma: no cover - abstract
        raise NotImplementedError

    def _builtin_gradient_hessian(self, library: str, y, z, w):
        """The library's own arithmetic (``match_builtin=True``); see the subclasses."""
        raise NotImplementedError  # pragma: no cover - abstract

    # ------------------------------------------------------------------ validation
    def _check_raw(self, raw_prediction, n: int | None = None) -> np.ndarray:
        z = as_float_array(raw_prediction, "raw_prediction", ndim=2 if self.is_multiclass else 1)
        if n is not None and z.shape[0] != n:
            raise ValueError(
                f"raw_prediction has {z.shape[0]} rows but y_true has {n}; they must match"
            )
        return z

    def _check_y(self, y_true) -> np.ndarray:
        y = as_float_array(y_true, "y_true")
        self._check_labels(y)
        return y

    def _prepare(self, y_true, raw_prediction, sample_weight):
        y = self._check_y(y_true)
        z = self._check_raw(raw_prediction, y.shape[0])
        w = check_weights(sample_weight, y.shape[0])
        return y, z, w

    @staticmethod
    def _weigh(arrays, w):
        if w is None:
            return arrays
        ww = w if arrays[0].ndim == 1 else w[:, None]
        return tuple(a * ww for a in arrays)

    # ------------------------------------------------------------------ public math
    def loss(self, y_true, raw_prediction, sample_weight=None) -> np.ndarray:
        """Per-row loss (times ``sample_weight`` when given), float64 of shape ``(n,)``."""
        y, z, w = self._prepare(y_true, raw_prediction, sample_weight)
        out = self._loss(y, z)
        return out if w is None else out * w

    def gradient_hessian(self, y_true, raw_prediction, sample_weight=None):
        """Gradient and hessian with respect to the raw margin, each times ``sample_weight``.

        The hessian is the one chosen by the ``hessian`` option (``"exact"`` is the true second
        derivative, which can be negative or vanish for some losses; the libraries never receive
        it below :data:`HESSIAN_FLOOR`).
        """
        y, z, w = self._prepare(y_true, raw_prediction, sample_weight)
        return self._weigh(self._gradient_hessian(y, z), w)

    def gradient(self, y_true, raw_prediction, sample_weight=None) -> np.ndarray:
        """Gradient with respect to the raw margin (see :meth:`gradient_hessian`)."""
        return self.gradient_hessian(y_true, raw_prediction, sample_weight)[0]

    def mean_loss(self, y_true, raw_prediction, sample_weight=None) -> float:
        """Weighted mean of the per-row loss: the value the matching metric reports."""
        y, z, w = self._prepare(y_true, raw_prediction, sample_weight)
        return float(np.average(self._loss(y, z), weights=w))

    def init_score(self, y_true, sample_weight=None):
        """The constant margin that minimises the weighted mean loss.

        A float, or an ``(n_classes,)`` array for multiclass losses. Start every library from it
        (see the README, "Starting score"): both libraries start custom objectives elsewhere.
        """
        y = self._check_y(y_true)
        w = check_weights(sample_weight, y.shape[0])
        if y.shape[0] == 0:
            raise ValueError("y_true is empty; init_score needs at least one sample")
        return self._init_score(y, w)

    def init_raw_prediction(self, y_true, sample_weight=None) -> np.ndarray:
        """:meth:`init_score` repeated for every row: ``(n,)``, or ``(n, n_classes)`` for multiclass.

        Ready for ``lightgbm.Dataset(init_score=...)`` or ``xgboost.DMatrix(base_margin=...)``.
        """
        init = self.init_score(y_true, sample_weight)
        n = np.shape(y_true)[0]
        return np.tile(np.asarray(init, dtype=np.float64), (n, 1)) if self.is_multiclass else np.full(n, init)

    # ------------------------------------------------------------------ what the libraries get
    def _labels_weights(self, raw_y, raw_w):
        """Validated float64 labels and weights, cached for the training data the library hands in.

        Both libraries hand the same labels every round (LightGBM the same array object, XGBoost
        a fresh copy); validation is a full pass, so the last few validated pairs are kept and
        reused while the raw arrays hold what they held then (``np.array_equal`` against private
        copies, also for the same array object): a label or weight changed in place, or a new
        array, is always seen. The validated arrays are boostobj's own (never views of the
        caller's), so the kernels' label-derived caches cannot go stale either.
        """
        cache = self._cache or ()
        for entry in cache:
            if _same(entry[0], raw_y) and _same(entry[1], raw_w):
                return entry[2], entry[3]
        y = _own(self._check_y(raw_y), raw_y)
        w = _own(check_weights(raw_w, y.shape[0]), raw_w)
        # a few entries: lgb.cv trains every fold with one loss object, round by round
        self._cache = ((_snapshot(raw_y), _snapshot(raw_w), y, w), *cache[: _CACHE_SIZE - 1])
        return y, w

    def _objective(self, library: str, raw_y, preds, raw_w):
        """Gradient and hessian for ``library`` ("xgboost" or "lightgbm"), weights applied.

        The hessian is floored at :data:`HESSIAN_FLOOR` before weighting (as XGBoost does for its
        logistic objective), so no library ever receives a negative, zero-by-underflow or NaN
        hessian from an unweighted row.
        """
        y, w = self._labels_weights(raw_y, raw_w)
        preds = np.asarray(preds)
        want_ndim = 2 if self.is_multiclass else 1
        if preds.ndim == 2 and not self.is_multiclass and preds.shape[1] == 1:
            preds = preds[:, 0]
        if preds.ndim != want_ndim or preds.shape[0] != y.shape[0]:
            raise ValueError(
                f"{self!r} got predictions of shape {preds.shape} for {y.shape[0]} labels; "
                + ("set num_class (XGBoost) / num_class (LightGBM) to the number of classes"
                   if self.is_multiclass else "a single-output model is expected (no num_class)")
            )
        if self.match_builtin:
            return self._builtin_gradient_hessian(library, y, preds, w)
        return self._for_library(library, y, preds, w)

    def _for_library(self, library, y, preds, w):
        """Hook for losses whose library-facing hessian depends on the library (multiclass)."""
        return self._library_gradient_hessian(y, preds, w)

    def _library_gradient_hessian(self, y, preds, w):
        """The hot path: what a library receives for validated labels/weights and raw ``preds``
        (float32 from XGBoost, float64 from LightGBM).

        This reference version runs the exact float64 kernel, floors the hessian and applies the
        weights. A subclass may override it with a faster kernel that agrees with this one to the
        libraries' float32 storage precision.
        """
        g, h = self._gradient_hessian(y, preds.astype(np.float64, copy=False))
        h = np.maximum(h, HESSIAN_FLOOR)
        return self._weigh((g, h), w)

    # ------------------------------------------------------------------ the objective call
    def __call__(self, a, b, sample_weight=None):
        """Gradient and hessian in whatever form the calling library expects.

        The four calls an instance answers, told apart by the type of the second argument:

        * ``xgboost.train(obj=loss)``: ``loss(preds, dtrain)`` with an ``xgboost.DMatrix``;
        * ``lightgbm.train({"objective": loss})``: ``loss(preds, train_set)`` with a ``lightgbm.Dataset``;
        * ``XGBClassifier/XGBRegressor(objective=loss)``: ``loss(y_true, y_pred, sample_weight=w)``;
        * ``LGBMClassifier/LGBMRegressor(objective=loss)``: ``loss(y_true, y_pred, weight)``.

        Weights from the data are applied to both gradient and hessian (neither library does
        that for custom objectives). Both sklearn calls give the same numbers; where a library's
        conventions differ (``match_builtin``, multiclass hessian scale) XGBoost's float32
        ``y_pred`` tells the two apart.
        """
        from ..adapters import objective_call

        return objective_call(self, a, b, sample_weight)

    @property
    def metric(self):
        """The matching evaluation metric (weighted mean loss on raw margins) for every entry point."""
        from ..metrics import Metric

        return Metric(self)

    def xgboost_params(self, y_true, sample_weight=None) -> dict[str, Any]:
        """Parameters that start ``xgboost.train`` from :meth:`init_score` and give it the right link.

        ``params = {**my_params, **loss.xgboost_params(y, w)}``; then ``booster.predict`` returns
        probabilities for the binary losses. See :func:`boostobj.adapters.xgboost.xgboost_params`.
        """
        from ..adapters.xgboost import xgboost_params

        return xgboost_params(self, y_true, sample_weight)

    # ------------------------------------------------------------------ helpers for subclasses
    def _solve_constant(self, y, w, x0: float, lo: float, hi: float) -> float:
        """Minimise the weighted mean loss over a constant margin by safeguarded Newton steps.

        Newton uses the loss's own gradient and its ``hessian`` weight; a bracket ``[lo, hi]`` on
        which the summed gradient changes sign is kept and widened first, and a step that leaves
        it is replaced by bisection, so the iteration always converges to a root of the summed
        gradient (the minimiser for the convex losses, a stationary point otherwise).
        """

        def gsum(c: float) -> tuple[float, float]:
            g, h = self._gradient_hessian(y, np.full(y.shape, c))
            if w is not None:
                g, h = g * w, h * w
            return float(np.sum(g)), float(np.sum(h))

        for _ in range(60):  # widen until the summed gradient changes sign
            g_lo, g_hi = gsum(lo)[0], gsum(hi)[0]
            if g_lo <= 0 <= g_hi:
                break
            width = hi - lo
            lo, hi = (lo - width, hi) if g_lo > 0 else (lo, hi + width)
        else:  # pragma: no cover - only for a loss without a minimiser
            raise ValueError("init_score: the loss has no finite minimiser on these labels")
        x = min(max(x0, lo), hi)
        for _ in range(200):
            g, h = gsum(x)
            if g == 0:
                return x
            if g < 0:
                lo = x
            else:
                hi = x
            x_new = x - g / h if h > 0 else math.nan
            if not lo < x_new < hi:
                x_new = 0.5 * (lo + hi)
            if abs(x_new - x) <= 4 * np.finfo(float).eps * max(1.0, abs(x)) or hi - lo <= 0:
                return x_new
            x = x_new
        return x
