"""Evaluation metrics that match each objective, for every XGBoost and LightGBM entry point.

A metric reports the weighted mean of the objective's own loss, computed from **raw margins**
(what both libraries hand a metric when the objective is custom; FACTS §6). Lower is better.
"""

from __future__ import annotations

import numpy as np

from .adapters import library_of, sklearn_library
from .adapters.xgboost import global_mean_loss

__all__ = ["Metric"]


class Metric:
    """``loss.metric``: the weighted mean loss, in the form each caller expects.

    * ``xgb.train(custom_metric=m)``: ``m(preds, dmatrix)`` returns ``(name, value)``;
    * ``lgb.train(feval=m)``: ``m(preds, dataset)`` returns ``(name, value, False)``;
    * ``XGBClassifier(eval_metric=m)``: ``m(y_true, y_pred[, sample_weight=w])`` returns a float;
    * ``LGBMClassifier.fit(eval_metric=m)``: ``m(y_true, y_pred, weight)`` returns the triple.
    """

    def __init__(self, loss) -> None:
        self.loss = loss
        self.__name__ = loss.name

    def __repr__(self) -> str:
        return f"{self.loss!r}.metric"

    def __call__(self, a, b, sample_weight=None):
        library = library_of(b)
        if library is None:  # sklearn wrappers: (y_true, y_pred, weight)
            if sklearn_library(b) == "xgboost":
                return global_mean_loss(self.loss, a, b, sample_weight)
            return self.__name__, self.loss.mean_loss(a, b, sample_weight), False
        if library == "xgboost":
            from .adapters.xgboost import labels_weights
        else:
            from .adapters.lightgbm import labels_weights

            _check_start(b)
        y, w = labels_weights(b)
        preds = np.asarray(a)
        if self.loss.is_multiclass and preds.ndim == 1:
            preds = preds.reshape(y.shape[0], -1, order="F" if library == "lightgbm" else "C")
        if library == "lightgbm":
            preds = _margins_from_builtin(self.loss, (b.params or {}).get("objective"), preds)
        if library == "xgboost":  # allreduced when XGBoost trains distributed (Dask)
            return self.__name__, global_mean_loss(self.loss, y, preds, w)
        return self.__name__, self.loss.mean_loss(y, preds, w), False


def _check_start(dataset) -> None:
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


#: LightGBM built-in objectives by what their feval predictions are (FACTS §6: transformed under
#: a built-in objective, raw under a custom one): probabilities through the sigmoid, class
#: probabilities through the softmax, or the raw score itself.
_LGB_OUTPUT = {
    **dict.fromkeys(("binary", "cross_entropy", "xentropy"), "logit"),
    **dict.fromkeys(("multiclass", "softmax"), "softmax"),
    **dict.fromkeys(("regression", "regression_l2", "l2", "mean_squared_error", "mse", "l2_root",
                     "root_mean_squared_error", "rmse", "regression_l1", "l1",
                     "mean_absolute_error", "mae", "huber", "fair", "quantile", "mape",
                     "mean_absolute_percentage_error"), "identity"),
}


def _margins_from_builtin(loss, objective, preds):
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
