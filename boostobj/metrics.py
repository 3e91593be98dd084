"""Evaluation metrics that match each objective, for every XGBoost and LightGBM entry point.

A metric reports the weighted mean of the objective's own loss, computed from **raw margins**
(what both libraries hand a metric when the objective is custom). Lower is better.
"""

from __future__ import annotations

import numpy as np

from .adapters import adapter, adapter_for

__all__ = ["BUILTIN_METRIC_NAMES", "Metric"]

#: The built-in metric names (and aliases) of XGBoost 3.2 and LightGBM 4.7 (their docs' lists of
#: ``eval_metric`` / ``metric`` values): a boostobj metric is never named as one of them.
BUILTIN_METRIC_NAMES = frozenset((
    # XGBoost
    "rmse", "rmsle", "mae", "mape", "mphe", "logloss", "error", "merror", "mlogloss", "auc",
    "aucpr", "pre", "ndcg", "map", "poisson-nloglik", "gamma-nloglik", "cox-nloglik",
    "gamma-deviance", "tweedie-nloglik", "aft-nloglik", "interval-regression-accuracy",
    "quantile", "expectile",
    # LightGBM
    "l1", "mean_absolute_error", "regression_l1", "l2", "mean_squared_error", "mse",
    "regression_l2", "regression", "rmse", "root_mean_squared_error", "l2_root", "quantile",
    "mean_absolute_percentage_error", "huber", "fair", "poisson", "gamma", "gamma_deviance",
    "tweedie", "ndcg", "lambdarank", "rank_xendcg", "xendcg", "xe_ndcg", "xe_ndcg_mart",
    "xendcg_mart", "map", "mean_average_precision", "average_precision", "binary_logloss",
    "binary", "binary_error", "auc_mu", "multi_logloss", "multiclass", "softmax",
    "multiclassova", "multiclass_ova", "ova", "ovr", "multi_error", "cross_entropy", "xentropy",
    "cross_entropy_lambda", "xentlambda", "kullback_leibler", "kldiv",
))


class Metric:
    """``loss.metric``: the weighted mean loss, in the form each caller expects.

    * ``xgb.train(custom_metric=m)``: ``m(preds, dmatrix)`` returns ``(name, value)``;
    * ``lgb.train(feval=m)``: ``m(preds, dataset)`` returns ``(name, value, False)``;
    * the scikit-learn signature ``m(y_true, y_pred, sample_weight=None)`` returns a float (what
      ``XGBClassifier(eval_metric=m)`` and scikit-learn expect);
    * bound to LightGBM (``Metric(loss, library="lightgbm")``, what boostobj's LightGBM
      estimators pass), the same call returns ``(name, value, False)``.

    A loss with ``"auto"`` hyperparameters scores with them resolved on the rows it is handed
    (the estimators bind the metric to the loss resolved on the training labels instead, so
    that validation sets are scored with the training scale). A metric keeps nothing between
    calls.

    ``predictions="response"`` reads ``y_pred`` of the scikit-learn signature as predictions on
    the response scale (probabilities), turned into margins through the loss's link: what the
    estimators pass when their objective is a built-in one. The name carries the loss's
    non-default hyperparameters, so two metrics of one loss class never share a history entry,
    and ends in ``_loss`` where the loss's name is one of XGBoost's or LightGBM's built-in metric
    names (:data:`BUILTIN_METRIC_NAMES`: ``poisson_loss``), so it never shares one with a built-in
    metric either.
    """

    def __init__(self, loss, library: str | None = None, predictions: str = "margin") -> None:
        if library is not None:
            adapter(library)
        if predictions not in ("margin", "response"):
            raise ValueError(f"predictions must be 'margin' or 'response', got {predictions!r}")
        self.loss = loss
        self.library = library
        self.predictions = predictions

    @property
    def __name__(self) -> str:  # XGBoost's estimators name a callable metric by __name__
        name = self.loss.name
        if name in BUILTIN_METRIC_NAMES:  # a history entry of its own, never a built-in's
            name += "_loss"
        params = self.loss.params
        if not params:
            return name
        return name + "[" + ",".join(f"{k}={_short(v)}" for k, v in params.items()) + "]"

    def __repr__(self) -> str:
        return f"{self.loss!r}.metric"

    def __eq__(self, other: object) -> bool:
        return (type(other) is Metric and self.loss == other.loss and self.library == other.library
                and self.predictions == other.predictions)

    def __hash__(self) -> int:
        return hash((self.loss, self.library, self.predictions))

    def __call__(self, a, b, sample_weight=None):
        lib = adapter_for(b)
        if lib is not None:  # the library's call (predictions, its data object)
            return lib.metric_from_data(self, a, b)
        preds = np.asarray(b)  # the scikit-learn signature (y_true, y_pred, weight)
        if self.predictions == "response":
            with np.errstate(divide="ignore"):
                preds = self.loss.link.link(preds)
        return adapter(self.library or "xgboost").metric_from_arrays(self, a, preds, sample_weight)

    # ------------------------------------------------------------------ CatBoost's protocol
    # ``eval_metric=loss.metric`` in CatBoost; the adapter (boostobj.adapters.catboost) reads
    # CatBoost's layout.

    #: Tells CatBoost not to compile these methods with numba.
    no_jit = True

    def evaluate(self, approxes, target, weight):
        """``(weighted loss sum, weight sum)`` over the rows CatBoost hands (raw margins, one
        array per output)."""
        return adapter("catboost").evaluate(self.loss, approxes, target, weight)

    def is_max_optimal(self) -> bool:
        """Lower is better."""
        return False

    def get_final_error(self, error: float, weight: float) -> float:
        """The weighted mean loss from CatBoost's sums."""
        return error / weight


def _short(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "(" + ",".join(_short(v) for v in value) + ")"
    return str(value)
