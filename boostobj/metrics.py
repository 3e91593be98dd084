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
            from .adapters.lightgbm import check_start, labels_weights, margins_from_builtin

            check_start(b)
        y, w = labels_weights(b)
        preds = np.asarray(a)
        if self.loss.is_multiclass and preds.ndim == 1:
            preds = preds.reshape(y.shape[0], -1, order="F" if library == "lightgbm" else "C")
        if library == "lightgbm":
            preds = margins_from_builtin(self.loss, (b.params or {}).get("objective"), preds)
        if library == "xgboost":  # allreduced when XGBoost trains distributed (Dask)
            return self.__name__, global_mean_loss(self.loss, y, preds, w)
        return self.__name__, self.loss.mean_loss(y, preds, w), False

