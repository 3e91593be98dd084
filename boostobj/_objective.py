"""The dispatcher: from a boosting library's call to the loss's kernel and back.

Every objective call walks the same four steps, in this file:

1. **Who calls.** The second argument tells: an ``xgboost.DMatrix`` (``xgb.train(obj=loss)``), a
   ``lightgbm.Dataset`` (``lgb.train(params={"objective": loss})``), or anything else, which is the
   scikit-learn signature ``(y_true, y_pred, sample_weight)`` that XGBoost's estimators (and
   users) call. The library's adapter (:mod:`boostobj.adapters.xgboost`,
   :mod:`boostobj.adapters.lightgbm`) reads labels and weights from its data object and owns its
   conventions (the multiclass hessian scale, the parameters a custom objective cannot use).
   The scikit-learn signature uses XGBoost's conventions unless a :class:`FitObjective` binds
   another library (boostobj's LightGBM estimators do); a dtype never decides anything.
2. **Validation, once per training set.** Labels and weights are checked by the loss (a clear
   error names the first bad value) the first time a training set is seen, and a loss with
   ``"auto"`` hyperparameters is resolved on them (:meth:`boostobj.Loss.resolved`); the
   validated arrays and the resolved loss are kept while that set lives (a weak reference to
   the library's data object) and reused while the labels and weights are what they were
   (compared with private copies, also when the library hands the very same array), so a label
   changed in place, or by ``set_label``, is always seen.
   Calls without a data object (the scikit-learn signature) are validated on every call, unless
   they come through a :class:`FitObjective`, which keeps its own last training set (what the
   estimators hand the libraries for one ``fit``): nothing outlives the training it serves.
3. **The kernel.** The loss's fast kernel (:meth:`boostobj.Loss.fast_kernel`, float32 output)
   or, for a loss without one (or whose kernel exists only compiled while the extension is not
   in use: :func:`boostobj._kernels.available`), its exact float64 math.
4. **What the library receives.** Hessians floored at :data:`HESSIAN_FLOOR`, times the
   multiclass scale, then the sample weights on both gradient and hessian; a loss that
   :attr:`~boostobj.Loss.couples_rows` (Cox) gets the weights inside its own sums instead
   (:func:`boostobj.received.library_gradient_hessian`).

A :class:`FitObjective` with ``keys`` (:class:`boostobj.keyed.KeyedLabels`) reads the labels
the library hands in as row keys into a table of the fit's labels (AFT's two bounds per row,
which a LightGBM ``Dataset`` cannot hold) before step 2.
"""

from __future__ import annotations

import threading
import weakref

import numpy as np

from ._kernels import OutputBuffers, outputs_kept_in
from ._validation import check_weights
from .adapters import adapter, adapter_for
from .received import hessian_scale, library_gradient_hessian

__all__ = ["FitObjective", "Training", "objective_call", "training_set"]

class FitObjective:
    """A loss bound to one library's conventions and to one training, with the scikit-learn
    signature.

    ``FitObjective(loss, "lightgbm")`` is what boostobj's LightGBM estimators hand LightGBM's
    scikit-learn wrapper (LightGBM's multiclass hessian scale); the XGBoost estimators hand
    ``FitObjective(loss, "xgboost")``. It keeps the validated labels of the training set it is
    called with, so the calls of one training validate them once (a bare ``loss(y, preds)``
    validates on every call); a copy or a pickle starts without them. ``kernel`` replaces steps
    3 and 4 above: a function ``kernel(loss, library, y, preds, w)`` returning what the library
    receives (the parity harness's bit-exact mirrors use it); labels are validated as always.
    ``keys``: a :class:`boostobj.keyed.KeyedLabels` whose row keys the library holds as labels
    (see the module docstring).
    """

    def __init__(self, loss, library: str | None = None, kernel=None, keys=None) -> None:
        if library is not None:
            adapter(library)  # a clear error for an unknown name
        self.loss = loss
        self.library = library
        self.kernel = kernel
        self.keys = keys
        self._kept = Training()

    def __call__(self, y_true, y_pred, sample_weight=None):
        return objective_call(self.loss, y_true, y_pred, sample_weight, library=self.library,
                              kernel=self.kernel, kept=self._kept, keys=self.keys)

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_kept"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._kept = Training()

    def __deepcopy__(self, memo):
        import copy

        return FitObjective(copy.deepcopy(self.loss, memo), self.library, self.kernel,
                            self.keys)

    # CatBoost's protocol, as boostobj.Loss has it, with ``kernel`` (the parity harness's float64
    # mode hands ``loss_function=FitObjective(loss, kernel=...)``)
    no_jit = True

    def calc_ders_range(self, approxes, targets, weights):
        """CatBoost's call for one-dimensional models (:meth:`boostobj.Loss.calc_ders_range`)."""
        if self.keys is not None:
            targets = self.keys.labels(targets)
        return adapter("catboost").calc_ders_range(self.loss, approxes, targets, weights,
                                                   kernel=self.kernel)

    def calc_ders_multi(self, approxes, target, weight):
        """CatBoost's call for one row of a multiclass model (:meth:`boostobj.Loss.calc_ders_multi`)."""
        return adapter("catboost").calc_ders_multi(self.loss, approxes, target, weight,
                                                   kernel=self.kernel)

    def __repr__(self) -> str:
        extra = "" if self.kernel is None else f", kernel={getattr(self.kernel, '__name__', self.kernel)}"
        if self.keys is not None:
            extra += f", keys={self.keys!r}"
        return f"FitObjective({self.loss!r}, {self.library!r}{extra})"


def objective_call(loss, a, b, sample_weight=None, *, library: str | None = None, kernel=None,
                   kept=None, keys=None):
    """Gradient and hessian for one call of a library (see the module docstring); ``kept``: the
    :class:`Training` of a :class:`FitObjective`, for calls without a data object;
    ``keys``: its :class:`~boostobj.keyed.KeyedLabels`, when the labels are row keys."""
    lib = adapter_for(b)
    if lib is not None:
        lib.check_objective_params(loss, b)
        raw_y, raw_w = lib.labels_weights(b, 1 if keys is not None else loss.label_columns)
        preds, key = a, b
    else:
        raw_y, preds, raw_w, key = a, b, sample_weight, None
        lib = adapter(library or "xgboost")
    if keys is not None:
        raw_y = keys.labels(raw_y)
    if loss.couples_rows and lib.distributed(b):
        raise ValueError(
            f"{loss!r} couples the rows (each row's gradient needs every row's risk set), but "
            f"this {lib.name} training is distributed and each worker sees only its own rows; "
            "train it in one process"
        )
    training = _training_of(key, kept)
    y, w, fit = training_set(loss, raw_y, raw_w, training)
    if fit is not loss and lib.distributed(b):
        raise ValueError(
            f"{loss!r} estimates its scale from the training labels, but this {lib.name} "
            "training is distributed and each worker sees only its own rows; resolve the loss on "
            "all labels first: loss = loss.resolved(y, w) (for Dask collections: "
            "boostobj.adapters.dask.resolved(loss, y, w)); the Dask estimators do it for you"
        )
    loss = fit
    preds = _check_preds(loss, preds, y)
    if kernel is not None:
        return kernel(loss, lib.name, y, preds, w)
    with outputs_kept_in(None if training is None else training.buffers):
        return library_gradient_hessian(loss, y, preds, w,
                                        scale=hessian_scale(loss, lib.name, preds.shape))


def _check_preds(loss, preds, y):
    preds = np.asarray(preds)
    multiclass = loss.task == "multiclass"
    if preds.ndim == 2 and not multiclass and preds.shape[1] == 1:
        preds = preds[:, 0]
    if preds.ndim != (2 if multiclass else 1) or preds.shape[0] != y.shape[0]:
        if loss.task == "survival" and preds.ndim == 2:
            hint = ("a single-output model is expected: the library made one output per label "
                    "column; hold Cox labels as signed times (one column: loss.stored_labels(y)) "
                    "and AFT bounds as XGBoost's label_lower_bound / label_upper_bound (or use "
                    "boostobj's estimators)")
        elif multiclass:
            hint = "set num_class (XGBoost and LightGBM) to the number of classes"
        else:
            hint = "a single-output model is expected (no num_class)"
        raise ValueError(f"{loss!r} got predictions of shape {preds.shape} for {y.shape[0]} "
                         f"labels; {hint}")
    loss.check_margins(y, preds)
    return preds


# ---------------------------------------------------------------------------------- labels
class Training:
    """What one training keeps between its objective calls: its validated training sets, by
    loss (``rule -> (raw y copy, raw w copy, y, w, resolved loss)``), and its output buffers.
    One per library data object while that object lives, and one per :class:`FitObjective`."""

    def __init__(self) -> None:
        self.sets: dict = {}
        self.lock = threading.Lock()
        self.buffers = OutputBuffers()


_lock = threading.Lock()
#: data object -> its :class:`Training`; an entry dies with its data object.
_by_data: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _training_of(data, kept: Training | None) -> Training | None:
    """The :class:`Training` a call belongs to: its data object's, else its
    :class:`FitObjective`'s (``kept``), else None (a bare call keeps nothing)."""
    if data is not None:
        try:
            with _lock:
                return _by_data.setdefault(data, Training())
        except TypeError:  # not weak-referenceable: treated like a scikit-learn call
            pass
    return kept


def _snapshot(raw):
    """A private copy of what the library handed in (None stays None), to tell later whether
    ``raw`` still holds it."""
    return None if raw is None else np.array(raw, copy=True)


def _same(snapshot, raw) -> bool:
    """Whether ``raw`` holds what ``snapshot`` held: compared by content even when it is the very
    array seen before, since its owner may have changed it in place."""
    if snapshot is None or raw is None:
        return snapshot is None and raw is None
    if not isinstance(raw, np.ndarray) or raw.dtype == object:
        return False
    return raw.shape == snapshot.shape and raw.dtype == snapshot.dtype and bool(
        np.array_equal(raw, snapshot))


def training_set(loss, raw_y, raw_w, training: Training | None = None):
    """Validated float64 labels, weights (None when unweighted) and the loss resolved on them
    (:meth:`boostobj.Loss.resolved`: itself unless it has "auto" hyperparameters), from the raw
    arrays a library hands in; kept in ``training`` (see :class:`Training`) and reused while the
    raw arrays hold what they held, else validated anew (see the module docstring).

    The returned arrays are boostobj's own (never views of the caller's), so the kernels' caches
    of label-derived arrays cannot go stale.
    """
    rule = (type(loss), repr(loss))
    if training is not None:
        with training.lock:
            entry = training.sets.get(rule)
        if entry is not None and _same(entry[0], raw_y) and _same(entry[1], raw_w):
            return entry[2:]
    y = _own(loss.check_labels(raw_y), raw_y)
    w = _own(check_weights(raw_w, y.shape[0]), raw_w)
    fit = loss.resolved(y, w)
    fit.warn_degenerate(y, w)
    if training is not None:
        with training.lock:
            training.sets[rule] = (_snapshot(raw_y), _snapshot(raw_w), y, w, fit)
    return y, w, fit


def _own(validated, raw):
    if validated is not None and isinstance(raw, np.ndarray) and np.may_share_memory(validated, raw):
        return validated.copy()
    return validated


def forget() -> None:
    """Drop every kept training set of the library data objects still alive (for tests)."""
    with _lock:
        _by_data.clear()
