"""CatBoost adapter: what CatBoost hands a Python objective and metric, what it expects back, and
folding a starting score into a model. Every CatBoost fact boostobj relies on is stated here, with
the version measured. No loss formulas live here, but for CatBoost's own convention for the twins of
its ``MultiClass``: the off-diagonal ``-p_i p_j`` of the softmax hessian (:func:`ders_multi`;
the losses give the diagonal).

Facts this relies on (measured with catboost 1.2.10):

* ``loss_function=obj`` is a custom objective when ``obj`` is not a string; CatBoost calls
  ``obj.calc_ders_range(approxes, targets, weights)`` for one-dimensional models with *views*
  into its own buffers: ``approxes`` float64 ``(m,)`` (the start, i.e. the Pool's ``baseline``,
  included), ``targets`` float32 ``(m,)``, ``weights`` float32 ``(m,)`` or None. Blocks have
  ``m`` of about 500 or 1000 rows (and the remainders), every row twice per iteration, and each
  call takes the GIL: with more than one thread CatBoost waits on Python, so what runs per
  block is what costs (the data path below).
* It expects the derivatives of the loss to be **maximised**: first ``-gradient``, second
  ``-hessian`` (its built-in ``Logloss`` hands its trees ``y - p`` and ``-p (1 - p)``). It does
  **not** apply the weights to a custom objective's derivatives (it passes them in), so they are
  applied here. A returned ``np.ndarray`` of shape ``(m, 2)`` and dtype float32 or float64 is
  read by a typed loop in compiled code (any strides, but writable: a typed memoryview);
  anything else, such as the documented list of tuples, is iterated in Python as
  ``(der1, der2)`` pairs, which is slower.
* Multiclass models call ``obj.calc_ders_multi(approxes, target, weight)`` **once per row**
  (twice per row per iteration): ``approxes`` float64 ``(K,)``, ``target`` and ``weight`` Python
  floats (weight 1.0 when the Pool has none). It reads ``der1`` (K values) and the **upper
  triangle, row by row**, of a symmetric ``K x K`` ``der2``. The Python call per row makes a
  Python multiclass objective slow in CatBoost whatever it computes. Its built-in
  ``MultiClass`` hands the full softmax hessian ``-(diag(p) - p p^T)``, not a diagonal (a
  custom objective returning that reproduces ``MultiClass`` to 1e-15):
  :func:`full_softmax_hessian`.
* A custom objective model is multiclass only with ``class_names`` (or ``classes_count``); without
  them CatBoost trains a one-dimensional model on any labels and calls ``calc_ders_range``, and
  the classifier's ``predict`` fails (no class labels recorded). String labels need
  ``class_names`` too (else "cannot be parsed as float"). With ``class_names`` the objective
  receives class indices ``0..K-1`` in that order.
* With a custom objective CatBoost requires ``eval_metric``; refuses ``boost_from_average``
  (only some built-ins) and ``scale_pos_weight`` (``Logloss`` only); starts every row from 0
  (or from the Pool's ``baseline``, which ``predict`` does not add back); chooses no learning rate
  automatically (0.03, where its built-ins pick one from the data size); defaults to
  ``leaf_estimation_method="Newton"`` with one iteration, as its ``Logloss``/``RMSE``/
  ``MultiClass`` do. ``class_weights`` and ``auto_class_weights`` reach the objective folded into
  ``weights`` (so the start must be computed with them).
* CatBoost refuses negative, NaN and all-zero weights and NaN labels itself; ``inf`` labels and
  weights reach the objective. It does not check that binary labels are 0/1 for a custom
  objective (a label 2 trains).
* ``model.set_scale_and_bias(scale, bias)`` sets the constant added to every raw prediction
  (``bias`` a float for one-dimensional models, one value per class for multiclass): it is what
  ``boost_from_average`` fills in for the built-ins (``Logloss``: ``(1.0, logit(mean y))``), is
  saved with the model and pickled, and ``predict``/``predict_proba`` include it. So
  :func:`fold_init_score` makes a model trained from ``baseline = init_score`` predict like a
  built-in one.
* An eval metric object gets ``evaluate(approxes, target, weight)``: ``approxes`` a tuple of
  float64 views, one per dimension (K for multiclass), ``target`` float32, ``weight`` float32 or
  None, over a range of rows (the whole learn set in one call, once per iteration, at 200k
  rows); it returns ``(error sum, weight sum)``, which CatBoost adds over ranges and hands to
  ``get_final_error(error, weight)``. ``is_max_optimal()`` says the direction. CatBoost names
  the metric after the object's *class* (``"Metric"``).
* Before training CatBoost tries to compile both objects' methods with numba, unless the object
  has an attribute ``no_jit`` (without numba it warns on every fit): boostobj's losses and
  metrics have ``no_jit = True`` (they call compiled kernels already).
* boostobj's estimators hook ``CatBoost._prepare_train_params`` (private, catboost 1.2.10): it
  returns the train and eval Pools after CatBoost has built them from ``X``/``eval_set`` (and
  split ``eval_fraction``) and the parameters ``_train`` will use.

How CatBoost's wrapper moves the data (read in the public ``_catboost.pyx`` and
``approx_calcer.cpp`` of the 1.2 line; the block sizes above measured with 1.2.10):

* ``_ObjectiveCalcDersRange`` is a ``with gil`` callback: every call takes the GIL. ``approxes``,
  ``targets`` and ``weights`` are numpy views on CatBoost's buffers (no copy). The result is
  first asked for ``len()``; when ``type(result) is np.ndarray`` (exactly: a subclass takes the
  slow path) with ``ndim == 2``, ``shape[1] == 2`` and dtype float32 or float64, it is bound to a
  typed 2-D memoryview (``np.float32_t[:, :]`` / ``np.float64_t[:, :]``: any strides, but a
  writable buffer) and copied into CatBoost's ``TDers`` by a C loop, no Python object per row.
  Anything else is iterated in Python as ``(der1, der2)`` pairs. boostobj always hands the fast
  path: an exact, writable ``np.ndarray`` (float64 from the compiled one-call path below; from
  :func:`ders_range` the kernel's dtype, the transpose of a ``(2, m)`` buffer).
* The C++ side calls it from CatBoost's thread pool (``LocalExecutor::ExecRange``): for the
  derivatives used to score splits, blocks of ``AdjustBlockSize(rows, APPROX_BLOCK_SIZE)``; for
  the leaf values, ``AdjustBlockCountLimit(rows, CB_THREAD_LIMIT)`` blocks, each walked in inner
  blocks of ``APPROX_BLOCK_SIZE`` rows. ``thread_count`` sets how many pool threads run blocks
  at once, not the block sizes; with more than one thread they queue for the GIL, and each
  release inside the call (numpy releases it for more than 500 elements) lets another block's
  Python code run before this call ends. The one-call path keeps the GIL for blocks of this
  size (about 1 us of work per 1000 rows).
* ``_ObjectiveCalcDersMultiClass`` (one row) reads ``der1`` with ``enumerate`` and ``der2``'s
  upper triangle with nested Python loops over ``line[indY:]``: lists are the fastest thing to
  return (a numpy array would make one numpy scalar per element), which :func:`ders_multi` does.
* So the fast data path is not in the return value (already the typed loop) but in what runs
  per block: CatBoost looks up ``obj.calc_ders_range`` and calls it, so an *attribute* holding
  a compiled callable runs no Python frame at all. :class:`ValidatedObjective` (what the
  estimators hand CatBoost, labels validated once) holds one
  (:func:`boostobj._kernels.catboost_ders`: CatBoost's float32 labels and weights read as they
  are, the kernel, the negated ``(m, 2)`` float64 result, one call). A Python method in its
  place (widening labels and weights, the kernel, two negations) trains slower, whether or not
  it holds the GIL through its compiled parts; the loss object handed to CatBoost directly runs
  a Python method too (it checks each block's labels before the same compiled call). The
  training metric, ``loss.metric`` on every training row every iteration, sums in blocks
  (:meth:`boostobj.Loss.loss_sums`). CatBoost gets the method (:func:`ders_range` of a kernel's
  output) for the numpy kernels (squared error, or no compiled extension) and the float64
  reference where float32 would overflow.

Built-in twins are declared in the registry (:attr:`~boostobj.registry.Twin.catboost`) and
checked by ``python -m boostobj parity``: both trained with ``boosting_type="Plain"``,
``bootstrap_type="No"``, ``random_strength=0`` and Newton leaves with one iteration, from the
same start, within :data:`boostobj.parity.cases.CATBOOST_TOLERANCE`. CatBoost's ``Logloss``
(``boost_from_average=True``), ``CrossEntropy``, ``RMSE``, ``MultiClass`` (the full softmax
hessian), ``Poisson``, ``Tweedie:variance_power=p`` and ``LogCosh`` (scale 1) use the exact
hessian, so their twins are the losses with ``hessian="exact"`` where they have the option.
``Huber:delta=d`` is ``HuberLoss(delta=d, hessian="exact")`` (1 for ``|r| < delta``, else 0).
``Focal:focal_alpha=a;focal_gamma=g`` is ``FocalLoss(alpha=a, gamma=g, hessian="exact")`` from
catboost 1.2.3 (1.2.0 to 1.2.2 train ``Focal`` on other derivatives: the twin's version floor
in :data:`boostobj.registry.REGISTRY`); CatBoost's ``Focal`` uses the unfloored hessian and
clamps ``p`` to ``[1e-13, 1 - 1e-13]``, where boostobj floors the hessian at
``HESSIAN_FLOOR``. Not twins (catboost 1.2.10):

* ``LogCosh`` at another scale: CatBoost's has none (``log(cosh(z - y))``); the default
  ``hessian="bounded"`` differs too.
* ``Quantile:alpha``: CatBoost refuses Newton leaves for it ("Newton leaves estimation method is
  not supported for Quantile loss function") and its ``Gradient`` leaves are not
  :class:`~boostobj.QuantileLoss`'s unit-hessian Newton step; its gradient is 0 within ``1e-6``
  of the label.
* ``Expectile:alpha``: its derivatives are twice :class:`~boostobj.ExpectileLoss`'s
  (``2 alpha e``, ``2 alpha``), and the models differ even with ``l2_leaf_reg`` halved on
  boostobj's side.
* ``FairLoss:smoothness``: a metric only; as ``loss_function`` CatBoost answers "Unknown loss
  function FairLoss".
* ``MAPE``: CatBoost refuses Newton leaves for it; its default ``Exact`` leaves are weighted
  medians (:class:`~boostobj.MAPELoss` says more).
* ``Focal`` with ``alpha=None``: CatBoost's needs ``focal_alpha``; ``focal_alpha=0.5`` weighs
  both classes alike but halves the derivatives, which ``l2_leaf_reg`` sees.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .. import _kernels, records
from ..received import hessian_scale, library_gradient_hessian
from ..registry import class_twin, twin_of
from .base import Adapter

__all__ = [
    "ADAPTER",
    "CHOSEN_FOR_BUILTINS",
    "NAME",
    "CatBoostAdapter",
    "ValidatedObjective",
    "block_labels_weights",
    "bound_kernel",
    "builtin_label_form",
    "builtin_labels",
    "builtin_loss_function",
    "calc_ders_multi",
    "calc_ders_range",
    "check_objective_params",
    "check_served",
    "ders_multi",
    "ders_range",
    "distributed",
    "drop_record",
    "effective_weights",
    "evaluate",
    "fold_init_score",
    "full_softmax_hessian",
    "fused_kernel",
    "labels_weights",
    "model_record",
    "multiclass_form",
    "multiclass_hessian_scale",
    "refuse_unresolved",
    "row_label",
    "store_record",
    "twin_defaults",
]

NAME = "catboost"


def multiclass_hessian_scale(n_classes: int) -> float:
    """The factor on a diagonal multiclass hessian under CatBoost: ``K/(K-1)`` (Friedman's).

    CatBoost's ``MultiClass`` uses the full softmax hessian (see :func:`full_softmax_hessian`,
    which boostobj hands for the losses that are its twin). For the other multiclass losses,
    which have a diagonal only, this scale gives the Newton step of the full hessian where the
    rows' gradients sum to zero (exactly so for two classes).
    """
    return n_classes / (n_classes - 1.0)


def full_softmax_hessian(loss) -> bool:
    """Whether ``loss`` hands CatBoost the full softmax hessian ``diag(p) - p p^T``: the losses
    whose registry twin is CatBoost's ``MultiClass`` (``hessian_scale="library"``)."""
    twin = twin_of(loss, "catboost")
    return twin is not None and twin.catboost == "MultiClass"


def builtin_loss_function(loss) -> str:
    """CatBoost's ``loss_function`` for the built-in twin of ``loss`` (registry
    :attr:`~boostobj.registry.Twin.catboost`, its parameters from ``catboost_params``):
    ``"Tweedie:variance_power=1.5"``. A loss without a CatBoost twin is a ``ValueError``."""
    twin = twin_of(loss, "catboost")
    if twin is None:
        raise ValueError(f"{loss!r} has no CatBoost built-in twin")
    params = ";".join(f"{name}={_param_text(getattr(loss, attr))}"
                      for name, attr in twin.catboost_params.items())
    return twin.catboost + (f":{params}" if params else "")


def _param_text(value) -> str:
    """A hyperparameter as CatBoost's ``loss_function`` string writes it: a float, or a name
    capitalised (``SurvivalAft``'s ``dist=Normal``, ``Logistic``, ``Extreme``)."""
    if isinstance(value, str):
        return value.capitalize()
    return repr(float(value))


#: The training parameters CatBoost chooses by itself for a built-in loss but not for a Python
#: objective (catboost 1.2.10: with none set, ``Logloss`` on 15,000 rows and 200 iterations gets
#: ``learning_rate`` 0.143 and 10 Newton leaf iterations, a Python objective 0.03 and 1).
CHOSEN_FOR_BUILTINS = ("learning_rate", "leaf_estimation_iterations", "leaf_estimation_method",
                       "bootstrap_type")
#: The parameters of each bootstrap type (copied with it; ``MultiClass`` gets ``Bayesian``).
_BOOTSTRAP_PARAMS = {"Bayesian": ("bagging_temperature",), "MVS": ("subsample",),
                     "Bernoulli": ("subsample",), "Poisson": ("subsample",), "No": ()}
#: Parameters of a fit that the probe of :func:`twin_defaults` leaves out.
_NOT_PROBED = ("loss_function", "objective", "eval_metric", "custom_metric", "custom_loss",
               "verbose", "logging_level", "allow_writing_files", "train_dir", "callbacks")


class _StopAtOnce:
    """A CatBoost callback that stops training after its first iteration."""

    def after_iteration(self, info) -> bool:
        return False


def twin_defaults(loss, params: dict, pool) -> dict:
    """The values of :data:`CHOSEN_FOR_BUILTINS` that CatBoost chooses for ``loss``'s built-in
    twin on ``pool`` with the training parameters ``params``, for those not set in ``params``;
    empty when ``loss`` has no CatBoost twin or all are set. CatBoost's own choice is read by
    training the twin for one iteration with the same parameters and data (a few milliseconds
    to a second), so that a boostobj loss and its twin train with the same defaults."""
    unset = [key for key in CHOSEN_FOR_BUILTINS if params.get(key) is None]
    if any(params.get(key) is not None for key in ("subsample", "bagging_temperature")):
        unset = [key for key in unset if key != "bootstrap_type"]  # the user's sampling
    if not unset or twin_of(loss, "catboost") is None:
        return {}
    import catboost as cb

    probe = {k: v for k, v in params.items() if k not in _NOT_PROBED}
    if loss.task != "multiclass":  # CrossEntropy takes no class names
        probe = {k: v for k, v in probe.items() if k not in ("class_names", "classes_count")}
    model = cb.CatBoost({**probe, "loss_function": builtin_loss_function(loss), "verbose": False,
                         "allow_writing_files": False})
    model.fit(pool, callbacks=[_StopAtOnce()])
    chosen = model.get_all_params()
    if chosen.get("leaf_estimation_method") not in ("Newton", "Gradient"):
        # CatBoost's Exact leaves (LogCosh, Quantile, ...) take no Python objective
        unset = [key for key in unset if key == "learning_rate"]
    out = {key: chosen[key] for key in unset if key in chosen}
    if "bootstrap_type" in out:
        out.update({key: chosen[key] for key in _BOOTSTRAP_PARAMS.get(out["bootstrap_type"], ())
                    if key in chosen})
    return out


def distributed(data=None) -> bool:
    """CatBoost calls a Python objective in one process only."""
    return False


def labels_weights(pool, columns: int = 1):
    """Labels and weights (None when unweighted) of a ``catboost.Pool``, the weights rounded to
    float32 as CatBoost stores them (and hands them to the objective). ``columns=2`` (a loss
    whose label is a pair) is refused (:func:`check_served`).

    ``Pool.get_weight()`` returns ones when the Pool has no weights; both mean the same here.
    """
    if columns != 1:
        raise NotImplementedError(_PAIR_LABELS)
    w = np.asarray(pool.get_weight(), dtype=np.float32).astype(np.float64)
    return np.asarray(pool.get_label()), (None if np.all(w == 1.0) else w)


def effective_weights(params, classes, w, n_classes: int):
    """The weights CatBoost hands the objective: ``w`` (or ones) times the class weights of
    ``params`` (canonical: ``class_weights`` a list by class index, or ``auto_class_weights``),
    for labels encoded as class indices ``classes``. None when there are neither.

    ``auto_class_weights`` (measured with catboost 1.2.10, against ``get_all_params()``): with
    ``S_k`` the class's weight sum *truncated to an integer*, ``Balanced`` gives
    ``max_k S_k / S_k`` and ``SqrtBalanced`` its square root.
    """
    factors = params.get("class_weights")
    auto = params.get("auto_class_weights")
    if factors is None and auto not in (None, "None"):
        sums = np.floor(np.bincount(classes, weights=w, minlength=n_classes))
        if not np.all(sums > 0):
            raise ValueError(f"auto_class_weights={auto!r} needs every class to have a weight "
                             "sum of at least 1")
        factors = sums.max() / sums
        if auto == "SqrtBalanced":
            factors = np.sqrt(factors)
        elif auto != "Balanced":
            raise ValueError(f"auto_class_weights={auto!r}: boostobj knows 'Balanced' and "
                             "'SqrtBalanced' (catboost 1.2.10)")
    if factors is None:
        return w
    factors = np.asarray(factors, dtype=np.float32).astype(np.float64)
    per_row = factors[classes]
    return per_row if w is None else per_row * w


_PAIR_LABELS = (
    "the loss's label is a pair of bounds [lower, upper] per row, but CatBoost hands a Python "
    "objective one label per row (catboost 1.2.10 refuses a 2-column label for a custom "
    "objective: only its multi-target and survival built-ins take one)"
)


def check_served(loss, targets=None) -> None:
    """Refuse a loss CatBoost cannot serve through a Python objective, naming its built-in
    (``NotImplementedError``): one that :attr:`~boostobj.Loss.couples_rows` (CatBoost calls the
    objective on blocks of about 500 rows, and a Cox gradient needs every row's risk sets), and
    one whose label is a pair (``label_columns == 2``) unless ``targets`` already are pairs (a
    :class:`boostobj.FitObjective` reading them from row keys)."""
    if loss.couples_rows:
        raise NotImplementedError(
            f"{loss!r} couples the rows through their risk sets, but CatBoost calls a custom "
            f"objective on blocks of rows{_builtin_hint(loss)}, or XGBoost / LightGBM with "
            "this loss"
        )
    if loss.label_columns == 2 and (targets is None or np.ndim(targets) != 2):
        raise NotImplementedError(f"{loss!r}: {_PAIR_LABELS}{_builtin_hint(loss)}, or XGBoost "
                                  "/ LightGBM with this loss")


def _builtin_hint(loss) -> str:
    twin = class_twin(type(loss), NAME)
    if twin is None:
        return ""
    name = builtin_loss_function(loss) if twin_of(loss, NAME) is not None else twin.catboost
    return (f"; use CatBoost's built-in loss_function={name!r} (labels: "
            f"{builtin_label_form(loss)})")


def builtin_label_form(loss) -> str:
    """How CatBoost's survival built-in twin of ``loss`` takes its labels (catboost 1.2.10,
    measured; :func:`builtin_labels` converts)."""
    if loss.label_columns == 2:
        return "[lower, upper] columns, upper = -1 for right-censored rows"
    return "signed times, negative for censored rows"


def builtin_labels(loss, y):
    """``loss``'s labels ``y`` in the form CatBoost's built-in twin takes (catboost 1.2.10):
    ``Cox`` signed times (``loss.stored_labels``); ``SurvivalAft`` ``[lower, upper]`` with
    ``upper = -1`` for an unbounded upper bound (it also takes ``inf`` but warns of an "unsafe
    target value"; measured: the same model). Other losses: ``y`` as it is."""
    if loss.task != "survival":
        return y
    if loss.label_columns == 2:
        bounds = loss.check_labels(y)
        return np.column_stack([bounds[:, 0], np.where(np.isinf(bounds[:, 1]), -1.0,
                                                       bounds[:, 1])])
    return loss.stored_labels(y)


def refuse_unresolved(loss) -> None:
    """A loss with ``"auto"`` hyperparameters cannot train on CatBoost's blocks of rows."""
    if loss.has_auto():
        raise ValueError(
            f"{loss!r} estimates its scale from all the training labels, but CatBoost hands a "
            "Python objective blocks of about 1000 rows, which cannot estimate a global scale; "
            "resolve the loss on all labels first: loss = loss.resolved(y, w), then "
            "loss_function=loss, eval_metric=loss.metric (boostobj.CatBoostRegressor does it "
            "for you)"
        )


def check_objective_params(loss, params) -> None:
    """Refuse CatBoost parameters that would not do what they say with a boostobj loss.

    ``params`` are CatBoost's canonical parameters (``loss_function``, ``eval_metric``...).
    """
    params = params or {}
    k = _classes_in(params)
    if loss.task == "multiclass" and k is None:
        raise ValueError(
            f"{loss!r} needs a multiclass CatBoost model: pass class_names=[...] (or "
            "classes_count=K); without them CatBoost trains one output per row "
            "(boostobj.CatBoostClassifier sets class_names from y)"
        )
    if loss.task != "multiclass" and k is not None and k > 2:
        raise ValueError(
            f"{loss!r} is a {loss.task} objective but the CatBoost model has {k} classes "
            "(class_names / classes_count); use boostobj.SoftmaxLoss() for more than two classes"
        )


def _classes_in(params):
    names = params.get("class_names")
    if names is not None:
        return len(names)
    count = params.get("classes_count")
    return None if count is None else int(count)


# ------------------------------------------------------------------------- the objective
def block_labels_weights(loss, targets, weights, validated: bool):
    """float64 labels and weights (or None) of one block CatBoost hands ``calc_ders_range``.

    Labels are checked by the loss unless ``validated`` (boostobj's estimators validate the whole
    training set once before ``fit``). CatBoost has refused negative and NaN weights already; an
    infinite weight (which it lets through) is refused here with one reduction.
    """
    refuse_unresolved(loss)
    check_served(loss, targets)
    if loss.task == "multiclass":
        raise ValueError(
            f"{loss!r} needs a multiclass CatBoost model, but CatBoost trains one output per row: "
            "pass class_names=[...] (or classes_count=K) "
            "(boostobj.CatBoostClassifier sets class_names from y)"
        )
    y = targets.astype(np.float64)
    if not validated:
        loss.check_label_values(y)
    if weights is None:
        return y, None
    w = weights.astype(np.float64)
    if not validated and not math.isfinite(w.sum()):
        raise ValueError("a sample weight is inf or NaN; weights must be finite")
    return y, w


def ders_range(g, h) -> np.ndarray:
    """CatBoost's form of a gradient and hessian: an ``(m, 2)`` array of ``-g, -h``.

    Built as the transpose of a ``(2, m)`` array, so both negations write contiguous rows
    (CatBoost reads any strides), in the kernel's dtype (float32 from the fast kernels: CatBoost
    reads float32 and float64 alike). The losses with a compiled one-call path skip this
    (:func:`boostobj._kernels.catboost_ders`, float64 out, the same values).
    """
    out = np.empty((2, g.shape[0]), dtype=g.dtype)
    np.negative(g, out=out[0])
    np.negative(h, out=out[1])
    return out.T


def row_label(loss, approxes, target, weight, validated: bool):
    """The one-row label of a ``calc_ders_multi`` call as a float64 array, checked (and the
    weight: CatBoost passes 1.0 when the Pool has none)."""
    refuse_unresolved(loss)
    if loss.task != "multiclass":
        raise ValueError(
            f"{loss!r} is a {loss.task} objective but CatBoost trains a multiclass model "
            f"({approxes.shape[0]} outputs: class_names / classes_count has more than two "
            "classes); use boostobj.SoftmaxLoss() for more than two classes"
        )
    y = np.array([target], dtype=np.float64)
    if not validated:
        loss.check_label_values(y)
        if not math.isfinite(weight):
            raise ValueError("a sample weight is inf or NaN; weights must be finite")
    k = approxes.shape[0]
    if loss.fixed_classes is not None and loss.fixed_classes != k:
        raise ValueError(f"{loss!r} has {loss.fixed_classes} classes but the CatBoost model has {k} outputs")
    if not target < k:
        raise ValueError(f"label {target!r} needs more than the model's {k} classes")
    return y


def multiclass_form(loss, n_classes: int) -> tuple[bool, float]:
    """``(full, scale)`` for a multiclass loss under CatBoost: whether it hands the full softmax
    hessian (:func:`full_softmax_hessian`, then the diagonal is unscaled: the full hessian is
    exact) and the factor on its diagonal otherwise (the dispatcher's rule,
    :func:`boostobj.received.hessian_scale`: :func:`multiclass_hessian_scale`, or the loss's
    own ``hessian_scale``)."""
    return full_softmax_hessian(loss), hessian_scale(loss, ADAPTER, (1, n_classes))


def ders_multi(full: bool, label: int, g, h, weight: float):
    """CatBoost's form of one row: ``(-w g, -w H)`` as lists, ``H`` the ``K x K`` hessian.

    ``g``, ``h`` are the row's unweighted ``(1, K)`` gradient and floored, scaled diagonal. With
    ``full`` (a twin of ``MultiClass``, whose gradient is ``p - e_y``) the off-diagonal
    ``-p_i p_j`` of the softmax hessian is added, ``p`` read back from the gradient (exact to
    1 float64 ulp in absolute terms); otherwise the hessian is diagonal.
    """
    g, h = g[0], h[0]
    if full:
        p = g.copy()
        p[label] += 1.0
        d2 = np.outer(p, p)  # -H off the diagonal
    else:
        d2 = np.zeros((h.shape[0], h.shape[0]))
    np.fill_diagonal(d2, -h)
    d1 = -g
    if weight != 1.0:
        d1 *= weight
        d2 *= weight
    return d1.tolist(), d2.tolist()


# ------------------------------------------------------------------------- the metric
def evaluate(loss, approxes, target, weight):
    """``(weighted loss sum, weight sum)`` of one range of rows, CatBoost's metric protocol."""
    refuse_unresolved(loss)
    check_served(loss, target)
    z = approxes[0] if len(approxes) == 1 else np.column_stack(approxes)
    if loss.task == "multiclass" and z.ndim == 1:
        raise ValueError(f"{loss!r}.metric needs a multiclass CatBoost model (class_names)")
    if loss.task != "multiclass" and z.ndim == 2:
        raise ValueError(f"{loss!r}.metric is a {loss.task} metric but the model has "
                         f"{z.shape[1]} outputs")
    return loss.loss_sums(target, z, weight)  # validated labels, in cache-sized blocks


# ------------------------------------------------------------------------- the start
def model_record(model):
    """The boostobj record of a CatBoost model (:func:`boostobj.records.record`: its loss, start
    and whether the start is folded in), or None for a model without one.

    The record is a string in the model's metadata under :data:`boostobj.records.KEY`. CatBoost
    (measured with catboost 1.2.10) saves the metadata with the model (``cbm`` and ``json``),
    pickles it, and keeps a model object's metadata when the object is fitted again.
    """
    return records.loads(model.get_metadata().get(records.KEY))


def store_record(model, rec) -> None:
    """Write ``rec`` (a :func:`boostobj.records.record`) into the model's metadata."""
    model.get_metadata()[records.KEY] = records.dumps(rec)


def drop_record(model) -> None:
    """Remove the record from the model's metadata (a model object fitted again keeps it)."""
    metadata = model.get_metadata()
    if records.KEY in metadata:
        del metadata[records.KEY]


def fold_init_score(model, init_score, loss=None):
    """Add the constant starting margin(s) to a trained CatBoost model's bias, in place.

    After this ``model.predict(X, prediction_type="RawFormulaVal")``, ``predict_proba`` and a
    saved model include the start, as for CatBoost's ``boost_from_average``. ``init_score`` is a
    scalar, or one value per class for multiclass models. Returns the model.

    The model's record (:func:`model_record`) says the start is folded afterwards: written from
    ``loss`` (the resolved loss the model was trained with) when given, else updated when the
    model has one. Folding is refused when the record says the start is folded already (so also
    after saving and loading the model), and into the same trained model object twice.
    """
    init = np.atleast_1d(np.asarray(init_score, dtype=np.float64))
    rec = model_record(model)
    if rec is not None and rec["folded"]:
        raise ValueError(
            f"the start {rec['start']} is already folded into this model (its boostobj record "
            "says so); folding again would add it twice (the model already predicts with its "
            "start)"
        )
    guid = model.get_metadata().get("model_guid")
    done = getattr(model, "_boostobj_folded_init", None)
    if done is not None and done[0] == guid:
        raise ValueError(
            f"init_score {done[1]} was already folded into this model; folding again would add it "
            "twice (the model already predicts with its start)"
        )
    scale, bias = model.get_scale_and_bias()
    bias = np.atleast_1d(np.asarray(bias, dtype=np.float64))
    if bias.shape != init.shape:
        raise ValueError(f"init_score must have {bias.shape[0]} value(s) for this model, got "
                         f"shape {init.shape}")
    start = float(init[0]) if init.shape == (1,) else init.tolist()
    if loss is not None:
        rec = records.record(loss, start=start, folded=True)
    elif rec is not None:
        rec = {**rec, "start": start, "folded": True}
    new = bias + init
    model.set_scale_and_bias(scale, float(new[0]) if new.shape == (1,) else new.tolist())
    if rec is not None:
        store_record(model, rec)
    # for a model without a record: CatBoost gives every trained model a new "model_guid" in its
    # metadata (catboost 1.2.10), so a refit of this object may be folded again
    model._boostobj_folded_init = (guid, init.tolist())
    return model


# ------------------------------------------------------------------------- the objective calls
# CatBoost calls the loss itself (Loss.calc_ders_range / calc_ders_multi) with bare arrays, in
# blocks of about 1000 rows or one row at a time: far too small for the dispatcher's
# per-training-set cache (validating a block costs less than comparing it with a kept copy), and
# too small to estimate an "auto" scale, which is refused (the estimators resolve the loss on all
# labels first).
def calc_ders_range(loss, approxes, targets, weights, *, validated: bool = False, kernel=None):
    """CatBoost's ``calc_ders_range`` for a one-dimensional model: the block's labels and weights
    read and checked (labels skipped when ``validated``: the estimators check the whole training
    set once), the kernel, then CatBoost's form (``(m, 2)`` of ``-gradient, -hessian``,
    weighted, hessian floored). ``kernel``: a replacement ``kernel(loss, library, y, preds, w)``
    (:class:`boostobj.FitObjective`'s)."""
    y, w = block_labels_weights(loss, targets, weights, validated)
    if kernel is not None:
        return ders_range(*kernel(loss, NAME, y, approxes, w))
    spec = loss.fast_kernel()
    fused = _fused(spec)
    if fused is not None:  # the block's labels and weights are checked: one compiled call
        return fused(np.ascontiguousarray(_kernels.as_float(np.asarray(approxes))), y, w)
    return ders_range(*library_gradient_hessian(loss, y, approxes, w,
                                                reference=_gets_reference(spec)))


def _fused(spec):
    """:func:`boostobj._kernels.catboost_ders` for the fast kernel ``spec`` (``loss.fast_kernel()``),
    or None (no kernel, or CatBoost gets the reference: :func:`_gets_reference`); bound once
    per kernel and parameters (CatBoost calls a loss object itself hundreds of times an
    iteration)."""
    if spec is None or _gets_reference(spec):
        return None
    name, params = spec
    return _bound_fused(_kernels.compiled(name), name, tuple(sorted(params.items())))


@functools.lru_cache(maxsize=64)
def _bound_fused(compiled: bool, name: str, params: tuple):
    # ``compiled`` is in the key so that switching to the numpy kernels binds anew
    return _kernels.catboost_ders(name, dict(params))


def _gets_reference(spec) -> bool:
    """Whether CatBoost gets the float64 reference of a loss whose fast kernel is ``spec``
    (``loss.fast_kernel()``) instead of that float32 kernel: CatBoost keeps float64
    derivatives, so a kernel whose float32 output overflows where the float64 one is finite
    (:data:`boostobj._kernels.FLOAT32_OVERFLOW`) would change what it trains on at large
    margins. The others' outputs are bounded or linear in the residual: their rounding is a
    relative change of 6e-8 at most."""
    return spec is not None and spec[0] in _kernels.FLOAT32_OVERFLOW


def bound_kernel(loss):
    """:func:`boostobj.received.library_gradient_hessian` for a one-dimensional loss without
    "auto" hyperparameters, bound once: ``kernel(y, preds, w) -> (g, h)``. For CatBoost's
    thousands of small blocks per fit, where looking the kernel up again on every call costs as
    much as running it (the estimators bind it once per ``fit``)."""
    if loss.task == "multiclass" or loss.has_auto():
        raise ValueError(f"bound_kernel needs a one-dimensional resolved loss, got {loss!r}")
    spec = loss.fast_kernel()
    if spec is None or not _kernels.available(spec[0]) or _gets_reference(spec):
        return functools.partial(library_gradient_hessian, loss, reference=True)
    name, params = spec
    return functools.partial(_kernels.KERNELS[name], **params)


def fused_kernel(loss):
    """CatBoost's whole ``calc_ders_range`` for a resolved one-dimensional loss in one compiled
    call (:func:`boostobj._kernels.catboost_ders`): ``ders(approxes, targets, weights)`` giving
    the ``(m, 2)`` array of ``-g, -h``, or None where the loss has no such path (then
    :func:`bound_kernel`). The same values as :func:`bound_kernel` followed by
    :func:`ders_range` (as float64: CatBoost reads float32 and float64 alike)."""
    if loss.task == "multiclass" or loss.has_auto():
        raise ValueError(f"fused_kernel needs a one-dimensional resolved loss, got {loss!r}")
    return _fused(loss.fast_kernel())


def calc_ders_multi(loss, approxes, target, weight, *, validated: bool = False, form=None,
                    kernel=None):
    """CatBoost's ``calc_ders_multi`` for one row of a multiclass model: ``(der1, der2)`` with
    ``der2`` the ``K x K`` hessian, negated (:func:`ders_multi`). The exact float64 math: one row
    costs the same either way, and CatBoost sums float64 derivatives. ``form`` is
    :func:`multiclass_form` when the caller has it already; ``kernel``: as in
    :func:`calc_ders_range` (its hessian scale is CatBoost's)."""
    y = row_label(loss, approxes, target, weight, validated)
    z = approxes.reshape(1, -1)
    full, scale = form or multiclass_form(loss, z.shape[1])
    if kernel is not None:
        g, h = kernel(loss, NAME, y, z, None)
    else:
        g, h = library_gradient_hessian(loss, y, z, None, scale=scale, reference=True)
    return ders_multi(full, int(target), g, h, weight)


class CatBoostAdapter(Adapter):
    """CatBoost's side of the :class:`~boostobj.adapters.base.Adapter` protocol (the facts in
    the module docstring). CatBoost calls the loss's and metric's own methods
    (``calc_ders_range``, ``calc_ders_multi``, ``evaluate``), which hand the call here."""

    name = NAME

    def labels_weights(self, data, columns: int = 1):
        return labels_weights(data, columns)

    def multiclass_hessian_scale(self, n_classes: int) -> float:
        return multiclass_hessian_scale(n_classes)

    def full_softmax_hessian(self, loss) -> bool:
        return full_softmax_hessian(loss)

    def calc_ders_range(self, loss, approxes, targets, weights, *, kernel=None):
        return calc_ders_range(loss, approxes, targets, weights, kernel=kernel)

    def calc_ders_multi(self, loss, approxes, target, weight, *, kernel=None):
        return calc_ders_multi(loss, approxes, target, weight, kernel=kernel)

    def evaluate(self, loss, approxes, target, weight):
        return evaluate(loss, approxes, target, weight)


#: The CatBoost adapter the core asks.
ADAPTER = CatBoostAdapter()


# ------------------------------------------------------------------------- the estimators
class ValidatedObjective:
    """What boostobj's estimators hand CatBoost as ``loss_function`` for one ``fit``: ``loss``
    (resolved), whose training labels and weights were validated as a whole before training, so
    the blocks skip the per-block checks (CatBoost does not change its labels while it trains)
    and the kernel is looked up once.

    ``calc_ders_range`` is an attribute: the compiled one-call path where the loss has one
    (:func:`fused_kernel`; CatBoost then runs no Python code per block),
    else a method running the kernel (:func:`bound_kernel`) and
    :func:`ders_range`.
    """

    no_jit = True
    __slots__ = ("_forms", "_kernel", "calc_ders_range", "loss")

    def __init__(self, loss) -> None:
        refuse_unresolved(loss)
        self.loss = loss
        one_dim = loss.task != "multiclass"
        fused = fused_kernel(loss) if one_dim else None
        # the kernel only for the method (None for a multiclass loss: its message)
        self._kernel = bound_kernel(loss) if one_dim and fused is None else None
        self.calc_ders_range = self._ders_range if fused is None else fused
        self._forms: dict = {}  # n_classes -> multiclass_form

    def _ders_range(self, approxes, targets, weights):
        if self._kernel is None:  # a multiclass loss in a one-dimensional model: the message
            return calc_ders_range(self.loss, approxes, targets, weights)
        w = None if weights is None else weights.astype(np.float64)
        return ders_range(*self._kernel(targets.astype(np.float64), approxes, w))

    def calc_ders_multi(self, approxes, target, weight):
        k = approxes.shape[0]
        form = self._forms.get(k)
        if form is None and self.loss.task == "multiclass":
            form = self._forms[k] = multiclass_form(self.loss, k)
        return calc_ders_multi(self.loss, approxes, target, weight, validated=True, form=form)

    def __repr__(self) -> str:
        return f"ValidatedObjective({self.loss!r})"
