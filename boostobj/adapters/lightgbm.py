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

from ..losses._base import plain
from . import neutral
from .base import Adapter

__all__ = [
    "NAME",
    "builtin_output",
    "check_objective_params",
    "check_params",
    "check_start",
    "fold_init_score",
    "labels_weights",
    "margins_from_builtin",
    "multiclass_hessian_scale",
    "reads_raw_scores",
]

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


def labels_weights(dataset, columns: int = 1):
    """Labels and weights (None when unweighted) of a constructed ``lightgbm.Dataset``. A loss
    whose label is a pair (``columns=2``: AFT's bounds) is refused: a Dataset holds one float
    per row."""
    if columns != 1:
        raise ValueError(
            "this loss's label is a pair of bounds [lower, upper] per row, but a "
            "lightgbm.Dataset holds one label per row; use boostobj.LGBMRegressor(objective=loss)"
            ".fit(X, bounds), or keep the bounds by row key for lgb.train: "
            "boostobj.keyed.KeyedLabels (the Dataset's label: keys.add(bounds); the objective: "
            "FitObjective(loss, 'lightgbm', keys=keys))"
        )
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
#: ``boosting`` and its aliases.
_BOOSTING_ALIASES = ("boosting", "boosting_type", "boost")
#: ``objective`` and its aliases (the scikit-learn wrapper reads these over ``objective``).
OBJECTIVE_ALIASES = ("objective", "objective_type", "app", "application", "loss")


def check_params(loss, params) -> None:
    """Refuse LightGBM parameters that a custom objective would silently ignore or undermine.

    * ``scale_pos_weight`` / ``is_unbalance`` are applied by LightGBM's built-in binary objective
      only; with ``loss`` they would change nothing. The same class weighting is a sample weight.
    * A built-in metric is computed on raw scores when the objective is custom: a probability
      metric (``binary_logloss``, ``multi_logloss``, ``binary_error``, ``cross_entropy``...), or
      any metric of predictions under a non-identity link (``rmse``, ``l1``, ``poisson`` of a
      log-link loss), would then report, and drive early stopping with, a wrong value
      (:func:`reads_raw_scores`).
    * ``boosting="rf"`` (random forest) refuses a custom objective and an ``init_score``
      (LightGBM stops with "Check failed: init_score == nullptr" or "RF mode do not support
      custom objective function"): refused by name, with the way out. (In ``lgb.train``
      LightGBM stops before the objective is first called, so its own message is what you see.)
    """
    params = params or {}
    for alias in _BOOSTING_ALIASES:
        value = params.get(alias)
        if isinstance(value, str) and value.strip().lower() in ("rf", "random_forest"):
            raise ValueError(
                f"{alias}={value!r}: LightGBM's random forest mode cannot train {loss!r}: it "
                "refuses custom objectives and init_score (the start every boostobj loss needs). "
                "Use boosting='gbdt' with bagging (bagging_fraction / subsample < 1 with "
                "bagging_freq / subsample_freq = 1, feature_fraction < 1), or a built-in "
                "objective in rf mode"
            )
    for name, aliases in _BUILTIN_ONLY.items():
        for alias in aliases:
            value = params.get(alias)
            if neutral(name, value):
                continue
            value = plain(value)
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
        bad = [m for m in names if isinstance(m, str) and not reads_raw_scores(loss, m)]
        if bad and loss.task == "survival":
            raise ValueError(
                f"{alias}={value!r}: LightGBM has no survival metric; {bad[0]!r} would read the "
                f"labels of {loss!r} (signed times, or the row keys its bounds are kept by) as "
                "its own. Use loss.metric or boostobj.metrics.Concordance(loss) (feval= / "
                "eval_metric=) with metric='None'"
            )
        if bad:
            raise ValueError(
                f"{alias}={value!r}: with a custom objective LightGBM computes {bad[0]!r} on the "
                f"raw scores (margins of the {loss.link.name} link), not on predictions, so its "
                f"values would be wrong (and would drive early stopping). Use {loss!r}.metric "
                "(feval= / eval_metric=) with metric='None', or a metric of ranks such as 'auc'"
            )


#: LightGBM metrics of ranks (unchanged by a monotone link): right on raw scores.
_RANK_METRICS = {"auc", "average_precision", "ndcg", "lambdarank", "rank_xendcg", "xendcg",
                 "xe_ndcg", "xe_ndcg_mart", "xendcg_mart", "map", "mean_average_precision",
                 "none", "null", "custom", "na", ""}
#: LightGBM metrics of predictions on the label's scale: right on raw scores only where the
#: link is the identity.
_REGRESSION_METRICS = {"l1", "mean_absolute_error", "mae", "regression_l1", "l2",
                       "mean_squared_error", "mse", "regression_l2", "regression", "rmse",
                       "root_mean_squared_error", "l2_root", "quantile", "mape",
                       "mean_absolute_percentage_error", "huber", "fair"}


def reads_raw_scores(loss, metric: str) -> bool:
    """Whether LightGBM's built-in ``metric``, computed on the raw scores a custom objective
    leaves (lightgbm 4.7 applies no link for it), means what it says for ``loss``: the rank
    metrics always, the regression metrics under the identity link; every other metric
    (probabilities, deviances, ``poisson``, ``gamma``, ``tweedie``, ...) never; for a survival
    loss none (they would read its labels, signed times or row keys, as their own)."""
    name = metric.strip().lower()
    if loss.task == "survival":
        return name in ("none", "null", "custom", "na", "")
    return name in _RANK_METRICS or (loss.link.name == "identity" and name in _REGRESSION_METRICS)


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
    **dict.fromkeys(("poisson", "gamma", "tweedie"), "log"),
}


def builtin_output(objective):
    """``(link name, "response")`` for what a built-in LightGBM objective hands a metric, or
    None when boostobj cannot read it (see :data:`_LGB_OUTPUT`)."""
    kind = _LGB_OUTPUT.get(str(objective).lower())
    return None if kind is None else (kind, "response")


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


class LightGBMAdapter(Adapter):
    """LightGBM's side of the :class:`~boostobj.adapters.base.Adapter` protocol (the facts in
    the module docstring)."""

    name = NAME
    data_module = "lightgbm"

    labels_weights = staticmethod(labels_weights)
    check_objective_params = staticmethod(check_objective_params)
    distributed = staticmethod(distributed)
    multiclass_hessian_scale = staticmethod(multiclass_hessian_scale)

    def metric_from_data(self, metric, preds, data):
        """``(name, value, is_higher_better)``: margins (F-ordered when flat), or a built-in
        objective's predictions read through the loss's link; a validation set without the
        training set's start is refused (:func:`check_start`)."""
        y, w = labels_weights(data, metric.label_columns)
        y = metric.labels(y)
        preds = self.as_margins(metric.loss, preds, y.shape[0], "F")
        check_start(data)
        preds = margins_from_builtin(metric.loss, (data.params or {}).get("objective"), preds)
        return metric.__name__, metric.value(y, preds, w), metric.higher_is_better

    def metric_from_arrays(self, metric, y, preds, sample_weight):
        """``(name, value, is_higher_better)``, LightGBM's scikit-learn form."""
        return metric.__name__, metric.value(y, preds, sample_weight), metric.higher_is_better



#: The LightGBM adapter the core asks.
ADAPTER = LightGBMAdapter()


def fold_init_score(booster, init_score):
    """Add the constant starting margin(s) to the first iteration's tree(s), in place.

    After this ``booster.predict(X, raw_score=True)`` includes the starting score, as it does
    for LightGBM's built-in objectives, and a saved model is self-contained. ``init_score`` is a
    scalar, or one value per class for multiclass models (trees ``0..k-1`` hold iteration 0).
    Returns the booster. Folding twice into the same booster object raises (a re-run notebook
    cell would otherwise add the start twice).

    * Linear trees (``linear_tree=True``) predict from each leaf's constant and coefficients
      (``leaf_const``, ``leaf_coeff``), and from the leaf value only for rows with a missing
      feature; both are moved (LightGBM's ``set_leaf_output`` moves the leaf value only), by
      editing the model text and reloading it into the same ``Booster`` object
      (``model_from_string``), which then predicts but no longer trains with ``update()``.
    * A ``lightgbm.CVBooster`` (``lgb.cv(..., return_cvbooster=True)``) gets the start folded
      into every fold's booster: give the start computed on the data passed to ``lgb.cv``,
      which is the ``init_score`` every fold trained from.
    """
    boosters = getattr(booster, "boosters", None)
    if type(booster).__name__ == "CVBooster" and isinstance(boosters, list):
        for one in boosters:  # check every fold before changing any
            _check_fold(one, init_score)
        for one in boosters:
            fold_init_score(one, init_score)
        return booster
    init = _check_fold(booster, init_score)
    k = init.shape[0]
    info = booster.dump_model(num_iteration=1)["tree_info"]
    if any(_is_linear(info[tree]["tree_structure"]) for tree in range(k)):
        booster.model_from_string(_shift_linear_trees(booster.model_to_string(num_iteration=-1), init))
    else:
        for tree in range(k):
            for leaf in range(info[tree]["num_leaves"]):
                booster.set_leaf_output(tree, leaf, booster.get_leaf_output(tree, leaf) + init[tree])
    booster._boostobj_folded_init = init.tolist()  # this object only: not saved with the model
    return booster


def _check_fold(booster, init_score) -> np.ndarray:
    """``init_score`` as an array of one value per tree of an iteration, or a clear error."""
    init = np.atleast_1d(np.asarray(init_score, dtype=np.float64))
    done = booster.__dict__.get("_boostobj_folded_init")
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
    return init


def _is_linear(node) -> bool:
    """Whether a tree of ``dump_model`` is linear (its leaves carry ``leaf_const``)."""
    while "leaf_value" not in node:
        node = node["left_child"]
    return "leaf_const" in node


def _shift_linear_trees(model: str, init: np.ndarray) -> str:
    """The model text with ``init[t]`` added to the leaf values and leaf constants of trees
    ``0..k-1`` (LightGBM's ``Tree::AddBias`` moves both for a linear tree), and the header's
    ``tree_sizes`` (the length of every tree's text, which LightGBM parses by) updated."""
    head, sep, rest = model.partition("\nTree=")
    body, end, tail = rest.partition("\nend of trees")
    if not sep or not end:
        raise ValueError("LightGBM's model text has no trees where expected; cannot fold init_score")
    blocks = ("Tree=" + body + "\n").split("\nTree=")
    blocks = [b if i == 0 else "Tree=" + b for i, b in enumerate(blocks)]
    for t in range(init.shape[0]):
        lines = blocks[t].split("\n")
        for i, line in enumerate(lines):
            key, _, values = line.partition("=")
            if key in ("leaf_value", "leaf_const"):
                lines[i] = key + "=" + " ".join(repr(float(v) + float(init[t])) for v in values.split())
        blocks[t] = "\n".join(lines)
    sizes = " ".join(str(len(b.encode()) + (1 if i < len(blocks) - 1 else 0))
                     for i, b in enumerate(blocks))
    head = "\n".join("tree_sizes=" + sizes if line.startswith("tree_sizes=") else line
                      for line in head.split("\n"))
    return head + "\n" + "\n".join(blocks) + "end of trees" + tail
