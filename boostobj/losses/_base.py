"""The ``Loss`` base class: the exact math of an objective, and nothing about its callers.

A subclass supplies pointwise float64 kernels (``_loss``, ``_gradient_hessian``), its best
constant start (``_init_score``), its link and, optionally, the name of a fast kernel
(:meth:`Loss.fast_kernel`). Hyperparameters are the constructor's keyword arguments: they are
validated there, and ``get_params``/``set_params``, ``repr``, equality and pickling all derive
from them (scikit-learn's estimator conventions, so ``set_params(objective__gamma=0.5)`` on an
estimator reaches the loss).

What XGBoost, LightGBM and the scikit-learn wrappers call is :meth:`Loss.__call__`, which hands
the call to the dispatcher :mod:`boostobj._objective`; what each library needs lives in
:mod:`boostobj.adapters`. Nothing in this package imports either.
"""

from __future__ import annotations

import functools
import inspect
import math
from typing import Any, ClassVar

import numpy as np

from .._validation import as_float_array, check_labels_finite, check_weights
from ..links import Link
from .labels import Labels

__all__ = ["Loss", "class_weight", "newton_root", "plain", "real_number"]

#: Entries (rows times outputs) per block of :meth:`Loss.loss_sums`.
SUM_BLOCK = 32768


def _fsum(values) -> float:
    """``math.fsum``, or the float sum where that overflows or meets ``inf - inf`` (``inf`` or
    NaN then, as numpy's sums give: a diverging model's metric reports, it does not raise)."""
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):
        with np.errstate(over="ignore", invalid="ignore"):
            return float(np.sum(values))


class Loss:
    """Base class of every boostobj objective.

    An instance is the exact math (``loss``, ``gradient_hessian``, ``init_score``, ``link``) and,
    through :meth:`__call__`, the objective of every XGBoost and LightGBM entry point.
    """

    #: Registry key and metric name.
    name: ClassVar[str] = "loss"
    link: ClassVar[Link]
    #: ``"binary"``, ``"regression"``, ``"multiclass"`` or ``"survival"``: what the loss models
    #: (and so which estimators accept it).
    task: ClassVar[str]
    #: Whether the gradient of one row depends on the other rows (a Cox partial likelihood's
    #: risk sets): then sample weights enter inside the loss's sums, so the float64 math takes
    #: them (``float64_gradient_hessian(y, z, w)`` returns the weighted gradient and hessian),
    #: nothing may multiply them in afterwards (:meth:`weigh` refuses), and a caller that hands
    #: the loss part of the rows (CatBoost's blocks, a distributed worker) cannot be served.
    couples_rows: ClassVar[bool] = False
    #: The columns of one label: 1, or 2 for a loss whose label is a pair (the ``[lower, upper]``
    #: bounds of :class:`~boostobj.losses.survival.AFTLoss`), which a library's data object
    #: holding one label per row cannot carry (the adapters and estimators see to it).
    label_columns: ClassVar[int] = 1
    #: Names accepted by the ``hessian`` option, the first being the default. ``"exact"`` is the
    #: second derivative; ``"bounded"`` a positive Newton weight that bounds the curvature.
    hessian_options: ClassVar[tuple[str, ...]] = ("exact",)

    def __init__(self, *, hessian: str | None = None) -> None:
        if hessian is None:
            hessian = self.hessian_options[0]
        if hessian not in self.hessian_options:
            raise ValueError(f"hessian must be one of {self.hessian_options}, got {hessian!r}")
        self.hessian = hessian
        self.__dict__["_frozen"] = True

    # ------------------------------------------------------------------ hyperparameters
    @classmethod
    def _param_names(cls) -> tuple[str, ...]:
        return _param_names(cls)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's arguments as they stand (scikit-learn's convention)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params) -> Loss:
        """Change hyperparameters, validated as the constructor validates them; returns self.

        An invalid value raises and leaves the loss unchanged.
        """
        names = self._param_names()
        unknown = sorted(set(params) - set(names))
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no parameter {unknown[0]!r}; its parameters are "
                f"{list(names)}"
            )
        fresh = type(self)(**{**self.get_params(), **params})
        self.__dict__.update(fresh.__dict__)
        return self

    def __setattr__(self, name: str, value) -> None:
        # After construction a hyperparameter changes only through validation.
        if self.__dict__.get("_frozen") and name in self._param_names():
            self.set_params(**{name: value})
        else:
            object.__setattr__(self, name, value)

    @property
    def params(self) -> dict[str, Any]:
        """The hyperparameters that differ from their defaults (``repr`` shows these)."""
        sig = inspect.signature(type(self).__init__).parameters
        defaults = {k: p.default for k, p in sig.items()}
        defaults["hessian"] = self.hessian_options[0]
        return {k: v for k, v in self.get_params().items() if not _same_value(v, defaults.get(k))}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={plain(v)!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.get_params() == other.get_params()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), repr(self)))

    def __reduce__(self):
        return (_rebuild, (type(self), self.get_params()))

    def __sklearn_clone__(self) -> Loss:
        """A new loss with the same hyperparameters: what ``sklearn.base.clone`` returns (for
        each ``GridSearchCV`` candidate). scikit-learn's generic clone would refuse a loss
        whose constructor normalises a value (``alpha=[...]`` is kept as a tuple)."""
        import copy

        return copy.deepcopy(self)

    # ------------------------------------------------------------------ arithmetic
    def __mul__(self, weight):
        """``0.7 * loss``: a :class:`~boostobj.losses.combined.CombinedLoss` (see there)."""
        if isinstance(weight, (Loss, bool, np.bool_)) or not isinstance(
                weight, (int, float, np.integer, np.floating)):
            return NotImplemented
        from .combined import CombinedLoss

        return CombinedLoss(losses=((weight, self),))

    __rmul__ = __mul__

    def __add__(self, other):
        """``loss_a + loss_b``: their sum (weights 1 unless given by ``*``)."""
        if not isinstance(other, Loss):
            return NotImplemented
        from .combined import CombinedLoss

        return CombinedLoss(losses=(self, other))

    def __radd__(self, other):
        if isinstance(other, (int, float)) and other == 0:  # sum([...]) starts from 0
            return self
        return NotImplemented

    # ------------------------------------------------------------------ kernels (subclasses)
    def check_label_values(self, y: np.ndarray) -> None:
        """Raise a ``ValueError`` naming the first label this loss cannot take, in float64 labels
        ``y`` (the hook a loss with a restricted label set overrides; adapters call it on
        blocks of labels already converted)."""
        check_labels_finite(y)

    def _loss(self, y: np.ndarray, z: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _gradient_hessian(self, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError  # pragma: no cover - abstract

    def constant_start(self, labels):  # pragma: no cover - abstract
        """The constant margin minimising the weighted mean loss of a resolved loss, from
        :class:`~boostobj.losses.labels.Labels` (or the Dask reductions that answer the same
        questions): a float, or one value per class. The one start hook a loss implements;
        the regression losses ask only bounded questions (quantiles, sums, gradient sums), so
        their starts are exact on Dask collections without gathering the labels."""
        raise NotImplementedError

    def float64_gradient_hessian(self, y: np.ndarray, z: np.ndarray):
        """The exact float64 gradient and hessian (the ``hessian`` option applied), unweighted
        and unfloored, for validated float64 labels ``y`` and margins ``z``: what the
        dispatcher hands a library when no fast kernel runs. (A loss that :attr:`couples_rows`
        takes the weights as a third argument and returns them applied.)"""
        return self._gradient_hessian(y, z)

    def stored_labels(self, y_true):
        """``y_true`` in the one-column form a library's data object holds (XGBoost's
        ``DMatrix`` label, LightGBM's ``Dataset`` label): ``y_true`` itself unless the loss has
        a label form of its own (Cox: ``[time, event]`` columns become signed times). A loss
        with :attr:`label_columns` 2 has none: its estimators keep the labels themselves
        (:mod:`boostobj.keyed`)."""
        return y_true

    #: The number of classes the hyperparameters fix (multiclass losses), else None.
    fixed_classes: int | None = None

    def fast_kernel(self) -> tuple[str, dict[str, Any]] | None:
        """``(name, keyword arguments)`` of the kernel in :data:`boostobj._kernels.KERNELS` that
        computes what the libraries receive for this loss, or None for the float64 reference.

        The kernel must agree with :meth:`gradient_hessian` (floored at
        :data:`~boostobj.HESSIAN_FLOOR`, weighted) to the libraries' float32 precision; the
        tests walk every loss and check that it does.
        """
        return None

    def resolved(self, y_true, sample_weight=None) -> Loss:
        """This loss with every ``"auto"`` hyperparameter replaced by its estimate from the
        training labels ``y_true`` and weights (a new object); the loss itself when it has none.

        The estimate is a deterministic function of the labels and weights, so the dispatcher
        (once per training set), ``init_score`` and the estimators all get the same value.
        """
        if not self.has_auto():
            return self
        y = self.check_labels(y_true)
        return self.resolve(Labels(y, check_weights(sample_weight, y.shape[0])))

    def resolve(self, labels) -> Loss:
        """The one resolve hook: this loss with its ``"auto"`` hyperparameters estimated from
        :class:`~boostobj.losses.labels.Labels` (or the Dask reductions); itself by default
        (a loss without ``"auto"`` values)."""
        return self

    def has_auto(self) -> bool:
        """Whether a hyperparameter is ``"auto"`` (estimated from the training labels)."""
        return any(isinstance(v, str) and v == "auto" for v in self.get_params().values())

    def _for(self, y: np.ndarray, w: np.ndarray | None) -> Loss:
        """The loss whose numbers apply to labels ``y``: resolved from them if it has "auto"
        hyperparameters (the math methods' rule; training goes through the dispatcher)."""
        return self.resolved(y, w) if self.has_auto() else self

    def warn_degenerate(self, y: np.ndarray, w: np.ndarray | None) -> None:
        """Warn when these hyperparameters cannot learn from labels ``y`` (called once per
        training set by the dispatcher). Nothing by default."""

    # ------------------------------------------------------------------ validation
    def check_raw(self, raw_prediction, n: int | None = None) -> np.ndarray:
        """``raw_prediction`` as validated float margins of this loss's shape (``n`` rows when
        given), or a clear ``ValueError``."""
        z = as_float_array(raw_prediction, "raw_prediction",
                           ndim=2 if self.task == "multiclass" else 1)
        if n is not None and z.shape[0] != n:
            raise ValueError(
                f"raw_prediction has {z.shape[0]} rows but y_true has {n}; they must match"
            )
        return z

    def accepts(self, label: float) -> bool:
        """Whether this loss takes the label ``label`` (a count loss takes 0, ``GammaLoss`` not)."""
        try:
            self.check_labels(np.array([label], dtype=np.float64))
        except ValueError:
            return False
        return True

    def check_margins(self, y: np.ndarray, z: np.ndarray) -> None:
        """Raise a ``ValueError`` when validated labels ``y`` and margins ``z`` of the right
        shape cannot go together (a multiclass label beyond the margins' columns); nothing by
        default."""

    def check_labels(self, y_true) -> np.ndarray:
        """``y_true`` as validated float64 labels (a ``ValueError`` names the first bad one)."""
        y = as_float_array(y_true, "y_true")
        self.check_label_values(y)
        return y

    def _prepare(self, y_true, raw_prediction, sample_weight):
        y = self.check_labels(y_true)
        z = self.check_raw(raw_prediction, y.shape[0])
        w = check_weights(sample_weight, y.shape[0])
        return y, z, w

    @staticmethod
    def weigh(arrays, w):
        """``arrays`` (gradient, hessian) times the sample weights ``w`` (per row; None: as they are)."""
        if w is None:
            return arrays
        ww = w if arrays[0].ndim == 1 else w[:, None]
        return tuple(a * ww for a in arrays)

    # ------------------------------------------------------------------ public math
    def loss(self, y_true, raw_prediction, sample_weight=None) -> np.ndarray:
        """Per-row loss (times ``sample_weight`` when given), float64 of shape ``(n,)``."""
        y, z, w = self._prepare(y_true, raw_prediction, sample_weight)
        out = self._for(y, w)._loss(y, z)
        return out if w is None else out * w

    def gradient_hessian(self, y_true, raw_prediction, sample_weight=None):
        """Gradient and hessian with respect to the raw margin, each times ``sample_weight``.

        The hessian is the one chosen by the ``hessian`` option (``"exact"`` is the true second
        derivative, which can be negative or vanish for some losses; the libraries never receive
        it below :data:`~boostobj.HESSIAN_FLOOR`). Multiclass: the diagonal, unscaled.
        """
        y, z, w = self._prepare(y_true, raw_prediction, sample_weight)
        return self.weigh(self._for(y, w)._gradient_hessian(y, z), w)

    def gradient(self, y_true, raw_prediction, sample_weight=None) -> np.ndarray:
        """Gradient with respect to the raw margin (see :meth:`gradient_hessian`)."""
        return self.gradient_hessian(y_true, raw_prediction, sample_weight)[0]

    def mean_loss(self, y_true, raw_prediction, sample_weight=None) -> float:
        """Weighted mean of the per-row loss: the value the matching metric reports."""
        total, weight = self.loss_sums(y_true, raw_prediction, sample_weight)
        if weight == 0.0:
            raise ValueError("no rows, or the weights sum to zero: the weighted mean loss is "
                             "undefined")
        return total / weight

    def loss_sums(self, y_true, raw_prediction, sample_weight=None) -> tuple[float, float]:
        """``(sum of w * loss, sum of w)`` over the rows (the row count unweighted): what a
        metric adds over data parts (CatBoost's ranges, distributed workers).

        Computed in blocks of :data:`SUM_BLOCK` entries, so each temporary stays in cache and
        its memory is reused: whole-array temporaries cost a page fault per 4 KiB on every
        call, and a metric is evaluated on every round (numpy 2.4, 200k rows: about 1.2 ms
        against 6 ms for a binary log loss). The block sums are added with ``math.fsum`` (a plain
        sum where that overflows).
        """
        y, z, w = self._prepare(y_true, raw_prediction, sample_weight)
        n = y.shape[0]
        if n == 0:  # nothing to resolve an "auto" scale from, nothing to add
            return 0.0, 0.0
        loss = self._for(y, w)
        rows = max(1, SUM_BLOCK // (z.shape[1] if z.ndim == 2 else 1))
        parts, weights = [], []
        for a in range(0, n, rows):
            per_row = loss._loss(y[a:a + rows], z[a:a + rows])
            if w is None:
                parts.append(float(np.sum(per_row)))
            else:
                parts.append(float(np.sum(per_row * w[a:a + rows])))
                weights.append(float(np.sum(w[a:a + rows])))
        return _fsum(parts), (float(n) if w is None else _fsum(weights))

    def init_score(self, y_true, sample_weight=None):
        """The constant margin that minimises the weighted mean loss.

        A float, or an ``(n_classes,)`` array for multiclass losses. Start every library from it
        (the estimators and :func:`boostobj.xgboost_params` do): with a custom objective, both
        libraries start elsewhere.
        """
        y = self.check_labels(y_true)
        w = check_weights(sample_weight, y.shape[0])
        if y.shape[0] == 0:
            raise ValueError("y_true is empty; init_score needs at least one sample")
        return self._for(y, w).constant_start(Labels(y, w))

    def init_raw_prediction(self, y_true, sample_weight=None) -> np.ndarray:
        """:meth:`init_score` repeated for every row: ``(n,)``, or ``(n, n_classes)`` for multiclass.

        Ready for ``lightgbm.Dataset(init_score=...)`` or ``xgboost.DMatrix(base_margin=...)``.
        """
        init = self.init_score(y_true, sample_weight)
        n = np.shape(y_true)[0]
        if self.task == "multiclass":
            return np.tile(np.asarray(init, dtype=np.float64), (n, 1))
        return np.full(n, init)

    # ------------------------------------------------------------------ what callers use
    def __call__(self, y_true, y_pred, sample_weight=None):
        """Gradient and hessian in the form the calling library expects.

        The calls an instance answers (:func:`boostobj._objective.objective_call` tells them
        apart by the type of the second argument, never by a dtype):

        * ``xgboost.train(obj=loss)``: ``loss(preds, dtrain)`` with an ``xgboost.DMatrix``;
        * ``lightgbm.train({"objective": loss})``: ``loss(preds, train_set)`` with a
          ``lightgbm.Dataset``;
        * the scikit-learn signature ``loss(y_true, y_pred, sample_weight)``: what
          ``xgboost.XGBClassifier(objective=loss)`` calls, and what you call. It uses one
          convention whatever the dtype: XGBoost's multiclass hessian scale (see
          :class:`~boostobj.SoftmaxLoss`). boostobj's LightGBM estimators bind LightGBM's.

        Weights are applied to both gradient and hessian (neither library does that for custom
        objectives) and the hessian is floored at :data:`~boostobj.HESSIAN_FLOOR`.
        """
        from .._objective import objective_call

        return objective_call(self, y_true, y_pred, sample_weight)

    # ------------------------------------------------------------------ CatBoost's protocol
    # ``catboost.CatBoostClassifier(loss_function=loss, eval_metric=loss.metric)`` calls these;
    # they only hand the call to the dispatcher (CatBoost's conventions live in
    # boostobj.adapters.catboost).

    #: Tells CatBoost not to compile these methods with numba (they run boostobj's kernels).
    no_jit = True

    def calc_ders_range(self, approxes, targets, weights):
        """CatBoost's objective call for one-dimensional models (binary, regression).

        Returns an ``(m, 2)`` float64 array of the *negated* gradient and hessian (CatBoost
        maximises), weighted (CatBoost does not weigh a custom objective), hessian floored at
        :data:`~boostobj.HESSIAN_FLOOR`. A loss with ``"auto"`` hyperparameters must be
        resolved on all labels first (``loss.resolved(y, w)``): CatBoost hands blocks of rows.
        """
        from ..adapters import adapter

        return adapter("catboost").calc_ders_range(self, approxes, targets, weights)

    def calc_ders_multi(self, approxes, target, weight):
        """CatBoost's objective call for one row of a multiclass model (``class_names`` set):
        the negated gradient and ``K x K`` hessian (see :mod:`boostobj.adapters.catboost`)."""
        from ..adapters import adapter

        return adapter("catboost").calc_ders_multi(self, approxes, target, weight)

    @property
    def metric(self):
        """The matching evaluation metric (weighted mean loss on raw margins), see
        :class:`boostobj.Metric`."""
        from ..metrics import Metric

        return Metric(self)

    # ------------------------------------------------------------------ helpers for subclasses
    def _solve_constant(self, y, w, x0: float, lo: float, hi: float) -> float:
        """Minimise the weighted mean loss over a constant margin by safeguarded Newton steps
        (:func:`newton_root` of the summed gradient)."""
        return newton_root(lambda c: self.gradient_sums(y, w, c), x0, lo, hi)

    def gradient_sums(self, y, w, c: float) -> tuple[float, float]:
        """The weighted sums of the gradient and hessian at the constant margin ``c``."""
        g, h = self._gradient_hessian(y, np.full(y.shape, c))
        if w is not None:
            g, h = g * w, h * w
        return float(np.sum(g)), float(np.sum(h))

def newton_root(gsum, x0: float, lo: float, hi: float) -> float:
    """A root of the summed gradient ``gsum(c) -> (sum of gradients, sum of hessian weights)``
    by safeguarded Newton steps from ``x0``.

    Newton uses the loss's own gradient and its ``hessian`` weight, or the secant slope of the
    last two steps where that is smaller (the bounded weights overestimate the curvature, and
    IRLS steps alone converge only linearly); a bracket ``[lo, hi]`` on
    which the summed gradient changes sign is kept and widened first, and a step that leaves
    it is replaced by bisection, so the iteration always converges to a root of the summed
    gradient (the minimiser for the convex losses, a stationary point otherwise).
    """
    for _ in range(60):  # widen until the summed gradient changes sign
        g_lo, g_hi = gsum(lo)[0], gsum(hi)[0]
        if g_lo <= 0 <= g_hi:
            break
        width = hi - lo
        lo, hi = (lo - width, hi) if g_lo > 0 else (lo, hi + width)
    else:  # pragma: no cover - only for a loss without a minimiser
        raise ValueError("init_score: the loss has no finite minimiser on these labels")
    x = min(max(x0, lo), hi)
    previous = None
    for _ in range(200):
        g, h = gsum(x)
        if g == 0:
            return x
        if g < 0:
            lo = x
        else:
            hi = x
        if previous is not None and previous[0] != x:
            # the secant slope of the summed gradient, where it is below the Newton weight
            # (the bounded weights overestimate the curvature): superlinear, not linear, steps
            secant = (g - previous[1]) / (x - previous[0])
            if 0 < secant < h:
                h = secant
        previous = x, g
        x_new = x - g / h if h > 0 else math.nan
        if abs(x_new - x) <= 4 * np.finfo(float).eps * max(1.0, abs(x)):
            return x_new if lo <= x_new <= hi else x  # converged (x_new may round onto lo or hi)
        if not lo < x_new < hi:
            x_new = 0.5 * (lo + hi)
            if abs(x_new - x) <= 4 * np.finfo(float).eps * max(1.0, abs(x)) or hi - lo <= 0:
                return x_new
        x = x_new
    return x


@functools.cache
def _param_names(cls) -> tuple[str, ...]:
    sig = inspect.signature(cls.__init__)
    return tuple(p.name for p in sig.parameters.values()
                 if p.name != "self" and p.kind == p.KEYWORD_ONLY)


def _rebuild(cls, params):
    return cls(**params)


def _same_value(a, b) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return type(a) is type(b) and bool(a == b)
    except (TypeError, ValueError):
        return False


def plain(value):
    """Python scalars for messages and reprs: ``2.0``, not ``np.float64(2.0)``."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    return value


def real_number(value, name: str) -> float:
    """``value`` as a finite Python float, or a clear ``TypeError``/``ValueError`` naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {plain(value)!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def class_weight(value, name: str) -> float:
    """One class weight (``alpha`` of both focal losses): finite and > 0, or a clear error.

    A weight of 0 gives that class no say in the loss, so the best start is infinite and the
    model predicts the other classes only; both focal losses refuse it with this message.
    """
    value = real_number(value, name)
    if not value > 0:
        raise ValueError(
            f"{name} must be > 0, got {value!r}: a class weight of 0 gives that class no weight, "
            "so the best start is infinite and the model never predicts it; drop the class from "
            "the data instead, or give it a small positive weight"
        )
    return value
