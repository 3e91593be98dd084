"""``boostobj.XGBClassifier`` / ``boostobj.XGBRegressor``: XGBoost's estimators that start a
boostobj objective from its ``init_score``.

With a callable objective XGBoost's own estimators start from ``base_score=0.5`` (xgboost 3.2);
these subclasses set ``base_score`` from ``loss.init_score(y, sample_weight)`` for the one ``fit``
(unless you pass ``base_score`` or ``base_margin`` yourself, or continue training a model with
``xgb_model=``: that model keeps its own start). Everything else is XGBoost's: ``predict_proba``
already applies the sigmoid/softmax, because the wrapper configures ``binary:logistic`` /
``multi:softprob`` for callable objectives.

Also, whatever the objective:

* ``set_params(objective__gamma=...)`` (``GridSearchCV``) reaches the loss, validated;
* a loss of the wrong kind (a regression loss in the classifier, a classification loss in the
  regressor) is refused before training;
* ``eval_metric=loss.metric`` under a *built-in* objective reads the probabilities XGBoost hands
  it through the loss's link (:data:`boostobj.adapters.xgboost.XGB_OUTPUT`), or is refused when
  that objective's output is on another scale;
* the classifier takes any class labels, as ``boostobj.LGBMClassifier`` does: labels other than
  ``0..K-1`` (strings, ``-1/1``) are encoded, ``classes_`` holds them and ``predict`` returns
  them. Labels ``0..K-1`` (of any dtype, object 0/1 included) are XGBoost's own classes.
"""

from __future__ import annotations

import numpy as np
import xgboost as xgb

from ..losses import Loss
from ..losses._base import _plain
from ..metrics import Metric
from . import as_stored, neutral
from ._estimators import (
    LossParamsMixin,
    bind_builtin_metrics,
    check_classes,
    check_task,
    is_classifier,
    temporarily,
    with_fitted_loss,
)
from .xgboost import XGB_OUTPUT, xgboost_params

__all__ = ["XGBClassifier", "XGBRegressor"]


class _StartFromInitScore(LossParamsMixin):
    def get_xgb_params(self):
        # A loss's own hyperparameters (objective__gamma, ...) are not booster parameters.
        return {k: v for k, v in super().get_xgb_params().items() if "__" not in k}

    def _boostobj_fit(self, fit, X, y, sample_weight, base_margin, kwargs):
        loss = self.objective
        if not isinstance(loss, Loss):
            with temporarily(self, **self._boostobj_builtin_metrics(y, sample_weight)):
                return fit(X, y, sample_weight=sample_weight, base_margin=base_margin, **kwargs)
        check_task(self, loss)
        if loss.task == "binary" and not neutral("scale_pos_weight", self.scale_pos_weight):
            spw = _plain(self.scale_pos_weight)
            raise ValueError(
                f"scale_pos_weight={spw!r} is read only by XGBoost's built-in "
                f"logistic objectives; with {loss!r} it would change nothing. Weight the classes "
                "with sample weights instead: fit(X, y, sample_weight=np.where(y == 1, "
                f"{spw!r}, 1.0))"
            )
        fitted = self._boostobj_resolved(loss, y, sample_weight)
        if fitted is not loss:  # "auto" hyperparameters: train with their values on all of y
            with temporarily(self, objective=fitted,
                             eval_metric=with_fitted_loss(self.eval_metric, loss, fitted)):
                return self._boostobj_fit(fit, X, y, sample_weight, base_margin, kwargs)
        # Continuing a model (xgb_model: Booster, estimator or path) keeps that model's start:
        # a base_score from the new labels would move every old tree's prediction.
        start = (self.base_score is None and base_margin is None
                 and kwargs.get("xgb_model") is None)
        params = self._boostobj_params(loss, y, sample_weight, start)
        if not start:
            return fit(X, y, sample_weight=sample_weight, base_margin=base_margin, **kwargs)
        base_score = params["base_score"]
        if loss.link.name == "log":
            # XGBoost's estimators train a callable objective under reg:squarederror, which
            # reads base_score as a margin: the log of the mean xgboost_params gives
            base_score = float(np.log(base_score))
        with temporarily(self, base_score=base_score):
            return fit(X, y, sample_weight=sample_weight, base_margin=base_margin, **kwargs)

    def _boostobj_params(self, loss, y, sample_weight, start=True):
        """``xgboost_params`` from the labels (None when ``start`` is False: the labels are
        checked only); the Dask estimators reduce Dask collections instead."""
        if is_classifier(self):
            check_classes(loss, np.unique(np.asarray(y)))
        return xgboost_params(loss, y, sample_weight) if start else None

    def _boostobj_n_classes(self, y, sample_weight) -> int:
        return int(np.unique(np.asarray(y)).shape[0])

    def _boostobj_resolved(self, loss, y, sample_weight):
        """``loss`` resolved on the training labels as XGBoost stores them (float32)."""
        return loss.resolved(*as_stored(y, sample_weight)) if loss._has_auto() else loss

    def _boostobj_builtin_metrics(self, y, sample_weight) -> dict:
        """``eval_metric`` bound to the built-in objective's output, for the fit (see the
        module docstring); empty when there is nothing to bind."""
        items = (self.eval_metric if isinstance(self.eval_metric, (list, tuple))
                 else [self.eval_metric])
        objective = self.objective
        if callable(objective) or not any(isinstance(m, Metric) for m in items):
            return {}  # a custom objective: XGBoost hands metrics margins
        if objective is None:
            objective = "binary:logistic" if is_classifier(self) else "reg:squarederror"
        if (is_classifier(self) and objective != "multi:softmax"
                and self._boostobj_n_classes(y, sample_weight) > 2):
            objective = "multi:softprob"  # what XGBClassifier trains on more than two classes
        return {"eval_metric": bind_builtin_metrics(self.eval_metric, objective,
                                                    XGB_OUTPUT.get(objective))}


class XGBClassifier(_StartFromInitScore, xgb.XGBClassifier):
    """``xgboost.XGBClassifier`` that starts ``objective=<boostobj loss>`` from its ``init_score``
    (and takes any class labels, see the module docstring)."""

    def fit(self, X, y, *, sample_weight=None, base_margin=None, **kwargs):
        if isinstance(self.objective, Loss):
            check_task(self, self.objective)
        self._boostobj_classes = None  # XGBoost's fit compares its classes with classes_
        classes, y, kwargs = _encode(self.objective, y, kwargs)
        self._boostobj_fit(super().fit, X, y, sample_weight, base_margin, kwargs)
        self._boostobj_classes = classes
        return self

    @property
    def classes_(self) -> np.ndarray:
        classes = self.__dict__.get("_boostobj_classes")
        return np.arange(self.n_classes_) if classes is None else classes

    def predict(self, X, *, output_margin=False, validate_features=True, base_margin=None,
                iteration_range=None):
        out = super().predict(X, output_margin=output_margin, validate_features=validate_features,
                              base_margin=base_margin, iteration_range=iteration_range)
        classes = self.__dict__.get("_boostobj_classes")
        if classes is None or output_margin:
            return out
        return classes[np.asarray(out).astype(np.intp)]


def _encode(objective, y, kwargs):
    """``(classes or None, y, kwargs)`` for XGBoost: labels ``0..K-1`` (numbers of any dtype)
    pass as numbers, as XGBoost takes them; any other labels are encoded as the indices of the
    sorted classes, in ``y`` and in ``eval_set`` (LightGBM's classifier does the same)."""
    arr = np.asarray(y)
    try:
        classes = np.unique(arr)
    except TypeError:  # labels of mixed types: XGBoost's own message
        return None, y, kwargs
    try:
        numeric = classes.astype(np.float64)
    except (TypeError, ValueError):
        numeric = None
    if numeric is not None:
        if np.array_equal(numeric, np.arange(classes.shape[0])):
            if arr.dtype == object:  # object 0/1: numbers for boostobj's start, as XGBoost reads them
                y = arr.astype(np.float64)
            return None, y, kwargs
        if not np.all(np.isfinite(numeric)):
            return None, y, kwargs  # a NaN label: refused by name further on
    if isinstance(objective, Loss):
        check_classes(objective, classes)  # soft labels, a class count: named before encoding
    eval_set = kwargs.get("eval_set")
    if eval_set is not None:
        kwargs = {**kwargs, "eval_set": [(Xe, _indices(classes, ye)) for Xe, ye in eval_set]}
    return classes, _indices(classes, y), kwargs


def _indices(classes, labels) -> np.ndarray:
    labels = np.asarray(labels)
    pos = np.clip(np.searchsorted(classes, labels), 0, classes.shape[0] - 1)
    unseen = classes[pos] != labels
    if np.any(unseen):
        raise ValueError(
            f"eval_set has the label {_plain(labels[np.flatnonzero(unseen)[0]])!r}, not seen in "
            f"training (classes {', '.join(repr(c) for c in classes.tolist())})"
        )
    return pos


class XGBRegressor(_StartFromInitScore, xgb.XGBRegressor):
    """``xgboost.XGBRegressor`` that starts ``objective=<boostobj loss>`` from its ``init_score``;
    ``predict`` returns the response (``exp(margin)``, the mean, for the log-link losses)."""

    def fit(self, X, y, *, sample_weight=None, base_margin=None, **kwargs):
        return self._boostobj_fit(super().fit, X, y, sample_weight, base_margin, kwargs)

    def predict(self, X, *, output_margin=False, **kwargs):
        pred = super().predict(X, output_margin=output_margin, **kwargs)
        loss = self.objective
        if isinstance(loss, Loss) and loss.link.name == "log" and not output_margin:
            return loss.link.inverse(pred).astype(pred.dtype, copy=False)
        return pred
