"""LightGBM adapter: reading a Dataset, LightGBM's conventions, the parameters a custom
objective cannot use, and folding the starting score into a booster. Every LightGBM fact boostobj
relies on is stated here, with the version measured.

Facts this relies on (measured with lightgbm 4.7):

* ``params["objective"] = f`` is called as ``f(preds, train_set)`` with float64 raw scores,
  ``(n,)`` or ``(n, k)`` F-ordered; labels are float32 and weights None or float32.
* The scikit-learn wrapper counts the parameters of a callable objective or metric and calls
  ``f(y_true, y_pred, weight)`` positionally for three; a metric must return
  ``(name, value, is_higher_better)``.
* ``multiclass`` scales the diagonal hessian by ``K/(K-1)`` (``MulticlassSoftmax``'s
  ``factor_``, Friedman's 2001 scale): :func:`multiclass_hessian_scale`.
* A feval receives raw scores under a custom objective but transformed predictions
  (probabilities) under a built-in one; built-in probability metrics are computed on whatever
  the objective outputs, so on raw scores under a custom objective.
* With a callable objective LightGBM adds no starting score (``boost_from_average`` needs a
  built-in objective). Pass ``Dataset(init_score=...)``; ``Booster.predict`` does *not* add it
  back, unless you fold it into the model with :func:`fold_init_score`, which does what the
  built-ins do (``Tree::AddBias`` on the first iteration's trees).
"""

from __future__ import annotations

import numpy as np

from . import neutral

__all__ = ["NAME", "check_objective_params", "check_params", "check_start", "fold_init_score",
           "labels_weights", "margins_from_builtin", "multiclass_hessian_scale"]

NAME = "lightgbm"


def multiclass_hessian_scale(n_classes: int) -> float:
    """LightGBM's factor on the multiclass diagonal hessian: ``K/(K-1)``."""
    return n_classes / (n_classes - 1.0)


def distributed(dataset) -> bool:
    """Whether LightGBM trains ``dataset`` on several machines (``lightgbm.dask`` sets
    ``num_machines`` and ``machines``): each worker has only its own rows."""
    params = getattr(dataset, "params", None) or {}
    try:
        return int(params.get("num_machines", 1)) > 1
    except (TypeError, ValueError):
        return False


def check_objective_params(loss, dataset) -> None:
    """:func:`check_params` on the parameters LightGBM trains ``dataset`` with."""
    check_params(loss, dataset.params)


#: LightGBM stores an infinite label or weight as +-1e38 (float32) and a NaN as 0 (``AvoidInf``
#: in ``src/io/metadata.cpp``), so an inf reaches a custom objective as this finite value.
_LGB_INF = np.float32(1e38)


def labels_weights(dataset):
    """Labels and weights (None when unweighted) of a constructed ``lightgbm.Dataset``."""
    y = dataset.get_label()
    w = dataset.get_weight()
    if w is not None:
        # LightGBM keeps weights as float32 internally, whatever was passed in.
        w = np.asarray(w, dtype=np.float32)
    for name, arr in (("label", y), ("weight", w)):
        if arr is not None and np.any(np.abs(arr) >= _LGB_INF):
            raise ValueError(
                f"a {name} of the lightgbm.Dataset is +-1e38, which is how LightGBM stores inf; "
                f"remove non-finite {name}s before building the Dataset (LightGBM also turns NaN into 0)"
            )
    return y, w


#: LightGBM parameters that only its built-in objectives read (a custom objective never sees
#: them), with their aliases.
_BUILTIN_ONLY = {"scale_pos_weight": ("scale_pos_weight",),
                 "is_unbalance": ("is_unbalance", "unbalance", "unbalanced_sets")}
#: LightGBM metrics that read probabilities: with a custom objective they get raw scores.
_PROBABILITY_METRICS = {"binary_logloss", "binary", "binary_error", "multi_logloss", "multiclass",
                        "softmax", "multiclassova", "multiclass_ova", "ova", "ovr",
                        "cross_entropy", "xentropy", "cross_entropy_lambda", "xentlambda",
                        "kullback_leibler", "kldiv"}


def check_params(loss, params) -> None:
    """Refuse LightGBM parameters that a custom objective would silently ignore or undermine.

    * ``scale_pos_weight`` / ``is_unbalance`` are applied by LightGBM's built-in binary objective
      only; with ``loss`` they would change nothing. The same class weighting is a sample weight.
    * A probability metric (``binary_logloss``, ``multi_logloss``, ``binary_error``,
      ``cross_entropy``...) is computed on raw scores when the objective is custom, and would then
      drive early stopping with a meaningless value.
    """
    params = params or {}
    for name, aliases in _BUILTIN_ONLY.items():
        for alias in aliases:
            value = params.get(alias)
            if neutral(name, value):
                continue
            factor = (repr(value) if name == "scale_pos_weight"
                      else "(y == 0).sum() / (y == 1).sum()")
            raise ValueError(
                f"{alias}={value!r} is read only by LightGBM's built-in binary objective; with "
                f"{loss!r} it would change nothing. Weight the classes with sample weights "
                f"instead, w = np.where(y == 1, {factor}, 1.0) (times any weights you have), in "
                "the Dataset / fit(sample_weight=w) and in loss.init_score(y, w)"
            )
    for alias in ("metric", "metrics", "metric_types", "eval_metric"):
        value = params.get(alias)
        if callable(value):
            continue
        names = value.split(",") if isinstance(value, str) else list(value or ())
        bad = [m for m in names if isinstance(m, str) and m.strip().lower() in _PROBABILITY_METRICS]
        if bad:
            raise ValueError(
                f"{alias}={value!r}: LightGBM computes {bad[0]!r} on raw scores when the objective "
                f"is custom, so its values would be wrong. Use {loss!r}.metric (feval= / "
                "eval_metric=) with metric='None', or a metric of ranks such as 'auc'"
            )


def check_start(dataset) -> None:
    """A LightGBM validation set whose training set (``reference``) starts from an
    ``init_score`` needs its own: LightGBM adds each set's init_score to its scores, so without
    it the metric would score margins that lack the start (and drive early stopping wrongly)."""
    reference = getattr(dataset, "reference", None)
    if reference is None or dataset.get_init_score() is not None:
        return
    if reference.get_init_score() is not None:
        raise ValueError(
            "this validation Dataset has no init_score but its reference (the training set) "
            "has one, so its scores lack the starting score and the metric would be wrong; "
            "give it the training start: lgb.Dataset(X_val, y_val, reference=dtrain, "
            "init_score=np.full(len(y_val), loss.init_score(y_train, w_train))) (multiclass: "
            "np.tile(loss.init_score(y_train, w_train), (len(y_val), 1)))"
        )


#: LightGBM built-in objectives by what their feval predictions are (transformed under a
#: built-in objective, raw under a custom one): probabilities through the sigmoid, class
#: probabilities through the softmax, or the raw score itself.
_LGB_OUTPUT = {
    **dict.fromkeys(("binary", "cross_entropy", "xentropy"), "logit"),
    **dict.fromkeys(("multiclass", "softmax"), "softmax"),
    **dict.fromkeys(("regression", "regression_l2", "l2", "mean_squared_error", "mse", "l2_root",
                     "root_mean_squared_error", "rmse", "regression_l1", "l1",
                     "mean_absolute_error", "mae", "huber", "fair", "quantile", "mape",
                     "mean_absolute_percentage_error"), "identity"),
}


def margins_from_builtin(loss, objective, preds):
    """The margins ``loss.metric`` scores, when LightGBM trains a *built-in* objective and so
    hands a feval transformed predictions: probabilities become margins through the loss's own
    link (the loss depends on the probabilities only); a built-in objective whose output the
    loss's link cannot read raises."""
    if objective is None or callable(objective) or str(objective).lower() in ("none", "custom"):
        return preds  # a custom objective: raw margins
    kind = _LGB_OUTPUT.get(str(objective).lower())
    if kind != loss.link.name:
        raise ValueError(
            f"{loss!r}.metric scores margins of its {loss.link.name} link, but LightGBM's built-in "
            f"objective {objective!r} hands a feval predictions on its own scale; use the metric "
            "with a boostobj objective, or with a built-in objective of the same link"
        )
    with np.errstate(divide="ignore"):
        return loss.link.link(preds) if kind != "identity" else preds


def fold_init_score(booster, init_score):
    """Add the constant starting margin(s) to the first iteration's tree(s), in place.

    After this ``booster.predict(X, raw_score=True)`` includes the starting score, as it does
    for LightGBM's built-in objectives, and a saved model is self-contained. ``init_score`` is a
    scalar, or one value per class for multiclass models (trees ``0..k-1`` hold iteration 0).
    Returns the booster. Folding twice into the same booster object raises (a re-run notebook
    cell would otherwise add the start twice).
    """
    init = np.atleast_1d(np.asarray(init_score, dtype=np.float64))
    done = getattr(booster, "_boostobj_folded_init", None)
    if done is not None:
        raise ValueError(
            f"init_score {done} was already folded into this booster; folding again would add "
            "it twice (the booster already predicts with its start)"
        )
    k = booster.num_model_per_iteration()
    if init.shape != (k,):
        raise ValueError(f"init_score must have {k} value(s) for this model, got shape {init.shape}")
    if booster.num_trees() < k:
        raise ValueError("the booster has no trees to fold init_score into; train at least one round")
    info = booster.dump_model(num_iteration=1)["tree_info"]
    for tree in range(k):
        for leaf in range(info[tree]["num_leaves"]):
            booster.set_leaf_output(tree, leaf, booster.get_leaf_output(tree, leaf) + init[tree])
    booster._boostobj_folded_init = init.tolist()  # this object only: not saved with the model
    return booster
