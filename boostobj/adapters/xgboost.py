"""XGBoost adapter: reading a DMatrix, XGBoost's conventions, and the parameters that start
XGBoost right. Every XGBoost fact boostobj relies on is stated here, with the version measured.

Facts this relies on (measured with xgboost 3.2):

* ``xgb.train(obj=f)`` calls ``f(preds, dtrain)`` with float32 margins, ``(n,)`` or ``(n, k)``;
  labels and weights come from ``dtrain`` as float32 (weights empty when there are none) and
  XGBoost never applies the weights to a custom gradient.
* The scikit-learn wrapper calls ``f(y_true, y_pred, sample_weight=w)`` (keyword, because the
  signature has ``sample_weight``) and a metric ``m(y_true, y_pred[, sample_weight=w])``,
  expecting a float back.
* ``multi:softprob`` hands its trees the diagonal hessian ``2 p (1 - p)`` (XGBoost's
  ``src/objective/multiclass_obj.cu``): :data:`MULTICLASS_HESSIAN_SCALE`.
* With a custom objective XGBoost does not estimate the intercept: ``base_score`` stays 0.5, read
  through the *configured* objective's link (0.5 as a margin under the default
  ``reg:squarederror``). :func:`xgboost_params` sets the objective whose link matches the loss and
  ``base_score`` from the loss's ``init_score``, so predictions are on the response scale and the
  model starts where the built-in would.

Where XGBoost versions differ (decided in :mod:`boostobj.adapters._versions`, measured with
xgboost 2.1.0 and 3.2.0):

* a vector ``base_score`` (one start per class) exists from XGBoost 3.1
  (:func:`~boostobj.adapters._versions.xgb_vector_base_score`). On older versions the multiclass
  start goes in ``base_margin`` instead: :func:`xgboost_params` leaves ``base_score`` out and the
  estimators pass ``base_margin`` to ``fit``, the eval sets and ``predict``;
* a probability ``base_score`` is clamped to [1e-6, 1 - 1e-6] from 3.2 (measured:
  ``base_score=1e-8`` starts at logit(1e-6) = -13.8155); 2.1 starts exactly at logit(1e-8) =
  -18.4207 and only refuses a probability that rounds to 0 or 1 in float32
  (:func:`~boostobj.adapters._versions.xgb_probability_start_range`).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._warnings import user_stacklevel
from ..registry import class_twin, twin_of
from . import _versions
from .base import Adapter

__all__ = ["ADAPTER", "MULTICLASS_HESSIAN_SCALE", "NAME", "XGB_OUTPUT", "StartClampedWarning", "XGBoostAdapter",
           "check_objective_params", "configured_objective", "global_mean_loss", "global_value",
           "labels_weights", "multiclass_hessian_scale", "params_from_init", "record_text",
           "xgboost_params"]

NAME = "xgboost"
#: ``multi:softprob`` multiplies the diagonal hessian p (1 - p) by 2 (``multiclass_obj.cu``, 3.2).
MULTICLASS_HESSIAN_SCALE = 2.0

#: XGBoost's range for a probability ``base_score`` from 3.2 (clamped to it, measured with 3.2);
#: the installed version's range is :func:`boostobj.adapters._versions.xgb_probability_start_range`.
XGB_PROB_MIN = 1e-6
#: |init_score| of a one-class label set (the positive rate clamped to 1e-15, as LightGBM does):
#: no finite best start exists there, so the clamp is not worth a warning.
_ONE_CLASS_START = 34.0


class StartClampedWarning(UserWarning):
    """XGBoost will not start exactly from ``init_score`` (see :func:`xgboost_params`)."""


def labels_weights(dmatrix, columns: int = 1):
    """Labels and weights (None when unweighted) of an ``xgboost.DMatrix``; with ``columns=2``
    (a loss whose label is a pair: AFT) the ``(n, 2)`` bounds ``label_lower_bound``,
    ``label_upper_bound`` that ``survival:aft`` reads (``get_float_info`` returns an empty
    array for a bound that is not set, and ``get_label()`` is then empty: xgboost 3.2.0)."""
    w = dmatrix.get_weight()
    w = w if w.size else None
    if columns == 1:
        return dmatrix.get_label(), w
    lower = dmatrix.get_float_info("label_lower_bound")
    upper = dmatrix.get_float_info("label_upper_bound")
    n = dmatrix.num_row()
    if lower.size != n or upper.size != n:
        raise ValueError(
            f"the DMatrix has no label bounds for its {n} rows (label_lower_bound has "
            f"{lower.size}, label_upper_bound {upper.size}), but the loss's label is a pair "
            "[lower, upper]: xgb.DMatrix(X, label_lower_bound=lower, label_upper_bound=upper), "
            "or dmatrix.set_float_info('label_lower_bound', lower) and the same for the upper "
            "bound (np.inf: right-censored)"
        )
    return np.column_stack([lower, upper]), w


def check_objective_params(loss, dmatrix) -> None:
    """Nothing to check: ``xgb.train`` hands a custom objective no parameters."""


def distributed(data=None) -> bool:
    """Whether XGBoost is training distributed right now (Dask, Spark, Ray: each worker has
    only its own rows)."""
    import sys

    collective = sys.modules.get("xgboost.collective")  # loaded whenever XGBoost is training
    return collective is not None and bool(collective.is_distributed())


def multiclass_hessian_scale(n_classes: int) -> float:
    """XGBoost's factor on the multiclass diagonal hessian (:data:`MULTICLASS_HESSIAN_SCALE`)."""
    return MULTICLASS_HESSIAN_SCALE


def xgboost_params(loss, y_true, sample_weight=None, *, xgb_model=None) -> dict[str, Any]:
    """Parameters for ``xgb.train`` / the XGBoost estimators that go with ``obj=loss``.

    * binary losses: ``objective="binary:logistic"`` and ``base_score`` = the probability
      ``sigmoid(init_score)``. XGBoost turns it into a margin with its own float32 logit, and
      ``booster.predict`` returns probabilities;
    * multiclass losses: ``objective="multi:softprob"``, ``num_class`` and the vector
      ``base_score`` (margins). XGBoost < 3.1 has no vector ``base_score``: there the result
      has none, and the start goes in ``base_margin`` of every DMatrix, for training and for
      predicting (``loss.init_raw_prediction(y, w)`` for the training rows,
      ``np.tile(loss.init_score(y, w), (n, 1))`` for ``n`` new rows); code for any version
      tests ``"base_score" not in params``. Without it training starts from 0 margins (uniform
      probabilities): it works, only from a worse start;
    * regression losses: the built-in twin's name when there is one (so XGBoost's ``approx``
      sketch weighs by the same hessian) else ``reg:squarederror``, and
      ``base_score = init_score`` (identity link);
    * log-link losses (:class:`~boostobj.PoissonLoss`, ``GammaLoss``, ``TweedieLoss``): the twin
      (``count:poisson``, ``reg:gamma``, ``reg:tweedie``) with its parameters
      (``max_delta_step``, ``tweedie_variance_power``), else ``reg:gamma``, and ``base_score`` =
      ``exp(init_score)``, the mean: XGBoost takes its log, and ``booster.predict`` returns
      ``exp(margin)``, the predicted mean (with ``obj=`` a custom objective, prediction follows
      the configured ``objective``; measured with xgboost 3.2). ``count:poisson`` also makes
      XGBoost clamp every leaf value to ``max_delta_step`` (0.7 unless given), which the
      parameter returned here states explicitly.

    The starting score is computed from the labels and weights rounded to float32, which is
    what XGBoost holds and what the objective sees.

    XGBoost >= 3.2 clamps a probability ``base_score`` to [1e-6, 1 - 1e-6] (measured with xgboost
    3.2: ``base_score=1e-8`` starts at the margin -13.8155 = logit(1e-6)); older versions start
    exactly from any probability that is a float32 strictly inside (0, 1) (measured with 2.1).
    When the start of a binary loss lies beyond the installed version's range (with 3.2 a
    weighted positive rate below about 1e-6 with both classes present) this warns
    (:class:`StartClampedWarning`) and says how to start exactly: ``base_margin``. The
    ``base_score`` returned is always one the installed XGBoost accepts.

    **Continued training** (``xgb.train(params, dtrain, obj=loss, xgb_model=booster)``): do not
    pass a new ``base_score``. A model's start is its ``base_score``, and one computed from the
    new batch would move every old tree's prediction (one extra round at learning rate 0 moved
    probabilities by up to 0.37). Pass the model as ``xgb_model=`` here too: ``base_score`` is
    then left out of the result, so XGBoost keeps the model's own start (the objective and
    ``num_class`` are still set). boostobj's XGBoost estimators do this when ``fit`` gets
    ``xgb_model``.
    """
    from . import as_stored

    y, w = as_stored(y_true, sample_weight)
    fit = loss.resolved(y, w)  # "auto" hyperparameters estimated on these labels
    params = params_from_init(fit, fit.init_score(y, w), warn=xgb_model is None)
    if xgb_model is not None:
        params.pop("base_score", None)  # the model keeps its own start
    return params


def params_from_init(loss, init, *, warn: bool = True) -> dict[str, Any]:
    """:func:`xgboost_params` for a starting margin ``init`` computed elsewhere (e.g. from Dask
    collections by :func:`boostobj.adapters.dask.init_score`). ``warn=False`` leaves out the
    :class:`StartClampedWarning` (continued training does not use the start)."""
    if loss.task == "binary":
        p = float(loss.link.inverse(init))
        if XGB_PROB_MIN <= p <= 1.0 - XGB_PROB_MIN:  # every XGBoost starts exactly from these
            return {"objective": "binary:logistic", "base_score": p}
        lo, hi = _versions.xgb_probability_start_range()
        if warn and (p < lo or p > hi) and abs(init) < _ONE_CLASS_START:
            clamped = float(loss.link.link(min(max(p, lo), hi)))
            warnings.warn(
                f"{loss!r}: the best start is the margin {float(init):.6g} (probability {p:.3g}), "
                f"beyond what this XGBoost accepts as base_score (it starts from probabilities "
                f"in [{lo:.3g}, 1 - {1.0 - hi:.3g}]), so XGBoost will start from about "
                f"{clamped:.6g}. To start exactly, leave base_score out and give every DMatrix "
                f"base_margin=np.full(n_rows, {float(init)!r}) (for training and for predict; "
                f"scikit-learn: fit(X, y, base_margin=...) and predict(X, base_margin=...)).",
                StartClampedWarning, stacklevel=user_stacklevel())
        # a probability the installed XGBoost accepts (older versions refuse one that rounds to
        # 0 or 1 in float32, e.g. the start 34.5 of labels all 1)
        return {"objective": "binary:logistic", "base_score": min(max(p, lo), hi)}
    if loss.task == "multiclass":
        init = np.asarray(init, dtype=np.float64)
        params = configured_objective(loss, int(init.shape[0]))
        if _versions.xgb_vector_base_score():
            params["base_score"] = [float(v) for v in init]
        return params  # XGBoost < 3.1: the start goes in base_margin (see xgboost_params)
    # XGBoost reads base_score on the response scale of the configured objective: the mean
    # itself for the log-link objectives (it takes their log), the margin for the identity ones.
    base = float(np.exp(init)) if loss.link.name == "log" else float(init)
    return {**configured_objective(loss), "base_score": base}


def configured_objective(loss, n_classes: int | None = None) -> dict[str, Any]:
    """The booster parameters that go with a custom ``loss`` beside ``obj=``: the built-in
    objective XGBoost is configured with (its link is what ``predict``, the built-in metrics and
    a saved model apply to the margin), its twin's parameters, and ``num_class`` (multiclass,
    ``n_classes`` classes). See :func:`xgboost_params`.

    * binary: ``binary:logistic``; multiclass: ``multi:softprob``;
    * regression: the built-in twin when there is one (with its parameters:
      ``max_delta_step`` of ``count:poisson``, ``tweedie_variance_power``), else
      ``reg:gamma`` for a log link (``exp`` on predict, and none of the tree parameters
      ``count:poisson`` sets behind the scenes) or ``reg:squarederror`` (identity);
    * survival: the registry's XGBoost survival objective of the loss's class (``survival:cox``
      for any ``CoxPHLoss``, Efron's ties included; ``survival:aft`` with
      ``aft_loss_distribution`` and ``aft_loss_distribution_scale``), so ``predict`` returns
      ``exp(margin)``: a relative risk (Cox) or a predicted time (AFT), and the built-in
      survival metrics read the same labels.
    """
    if loss.task == "binary":
        return {"objective": "binary:logistic"}
    if loss.task == "multiclass":
        if n_classes is None:
            raise ValueError(f"{loss!r}: the class count is needed for multi:softprob")
        return {"objective": "multi:softprob", "num_class": int(n_classes)}
    if loss.task == "survival":
        twin = twin_of(loss, "xgboost") or class_twin(type(loss), "xgboost")
        if twin is None:
            raise ValueError(f"{loss!r}: no XGBoost survival objective is registered for "
                             f"{type(loss).__name__}")
        return {"objective": twin.xgboost,
                **{name: getattr(loss, attr) for name, attr in twin.xgboost_params.items()}}
    twin = twin_of(loss, "xgboost")
    if twin is None or twin.xgboost is None:
        return {"objective": "reg:gamma" if loss.link.name == "log" else "reg:squarederror"}
    return {"objective": twin.xgboost,
            **{name: getattr(loss, attr) for name, attr in twin.xgboost_params.items()}}


def record_text(model) -> str | None:
    """The boostobj record (JSON) of an XGBoost model (a ``Booster``, an estimator, or a path to
    a saved model), or None when it has none."""
    from .. import records

    if model is None:
        return None
    if hasattr(model, "get_booster"):
        model = model.get_booster()
    if not hasattr(model, "attr"):
        import xgboost as xgb

        model = xgb.Booster(model_file=model)
    return model.attr(records.KEY)


#: What XGBoost hands a custom metric under a built-in objective (``output_margin=False``): the
#: link whose inverse made it and whether it is that response or the margin itself
#: (``survival:cox`` and ``survival:aft``: ``exp(margin)``, measured with xgboost 3.2.0).
#: Objectives not listed (``multi:softmax`` class indices, ``binary:hinge`` 0/1, ``rank:``)
#: cannot be read by a loss's metric.
XGB_OUTPUT = {
    "binary:logistic": ("logit", "response"),
    "reg:logistic": ("logit", "response"),
    "binary:logitraw": ("logit", "margin"),
    "multi:softprob": ("softmax", "response"),
    **dict.fromkeys(("reg:squarederror", "reg:squaredlogerror", "reg:pseudohubererror",
                     "reg:absoluteerror", "reg:quantileerror"), ("identity", "response")),
    **dict.fromkeys(("count:poisson", "reg:gamma", "reg:tweedie", "survival:cox",
                     "survival:aft"), ("log", "response")),
}


def global_value(metric, y, preds, w) -> float:
    """``metric.value`` over the rows of *all* workers when XGBoost trains distributed
    (:func:`global_mean_loss`); a metric that is not a sum over rows (``Concordance``, the
    metric of a loss that couples its rows) is refused there."""
    if not distributed():
        return metric.value(y, preds, w)
    if not metric.additive:
        raise ValueError(f"{metric!r} is not a sum over rows, but XGBoost trains distributed and "
                         "hands each worker's metric its own rows only; score the predictions "
                         "after training")
    return global_mean_loss(metric.loss, y, preds, w)


def global_mean_loss(loss, y, preds, w) -> float:
    """``loss.mean_loss`` over the rows of *all* workers when XGBoost trains distributed.

    In distributed training (``xgboost.dask``, Spark, Ray) XGBoost hands a custom metric the
    worker's own rows and reports one worker's value, while its built-in metrics are allreduced
    (measured: a local log loss 0.2056 beside the global 0.2071); workers would also disagree
    about early stopping. Here the weighted loss sum and the weight sum are allreduced, so every
    worker reports the global mean. Outside a distributed run this is ``loss.mean_loss``.
    """
    if not distributed():
        return loss.mean_loss(y, preds, w)
    import sys

    collective = sys.modules["xgboost.collective"]
    sums = collective.allreduce(np.array(loss.loss_sums(y, preds, w)), collective.Op.SUM)
    return float(sums[0] / sums[1])


class XGBoostAdapter(Adapter):
    """XGBoost's side of the :class:`~boostobj.adapters.base.Adapter` protocol (the facts in the
    module docstring)."""

    name = NAME
    data_module = "xgboost"

    labels_weights = staticmethod(labels_weights)
    check_objective_params = staticmethod(check_objective_params)
    distributed = staticmethod(distributed)
    multiclass_hessian_scale = staticmethod(multiclass_hessian_scale)

    def metric_from_data(self, metric, preds, data):
        """``(name, value)``, the value allreduced when XGBoost trains distributed."""
        y, w = labels_weights(data, metric.label_columns)
        y = metric.labels(y)
        preds = self.as_margins(metric.loss, preds, y.shape[0], "C")
        return metric.__name__, global_value(metric, y, preds, w)

    def metric_from_arrays(self, metric, y, preds, sample_weight):
        """A float (what XGBoost's estimators expect), allreduced when distributed."""
        return global_value(metric, y, preds, sample_weight)


#: The XGBoost adapter the core asks.
ADAPTER = XGBoostAdapter()
