"""``boostobj.LGBMClassifier`` / ``boostobj.LGBMRegressor``: LightGBM's estimators made whole for a
boostobj objective.

LightGBM's own estimators with a callable objective (measured with lightgbm 4.7):

* add no starting score, and ``predict`` would not add one back;
* return raw scores from ``predict_proba`` (with a warning) and from ``predict``;
* silently register ``metric="binary_logloss"`` computed on raw scores, which then drives early
  stopping.

These subclasses, when ``objective`` is a boostobj loss: hand LightGBM the loss itself as its
native objective (so it is called with the Dataset and uses LightGBM's conventions, such as its
multiclass hessian scale); pass ``init_score`` (and ``eval_init_score``) from
``loss.init_score(y, sample_weight)`` and fold it into the first iteration's trees afterwards
(``init_score_`` keeps the value), so ``booster_`` predicts like a built-in model; use
``metric="None"`` and ``eval_metric=loss.metric`` (in LightGBM's form) unless you chose others;
and return probabilities from ``predict_proba`` and class labels from ``predict``.

Also, whatever the objective: ``set_params(objective__gamma=...)`` (``GridSearchCV``) reaches the
loss, validated; a loss of the wrong kind, a class count the loss cannot take, an ``init_score``
of the wrong width and random forest mode (``boosting_type="rf"``, which refuses custom
objectives) are refused before training; and ``eval_metric=loss.metric`` under a *built-in*
objective reads the probabilities LightGBM hands it through the loss's link (the table
``_LGB_OUTPUT`` of :mod:`boostobj.adapters.lightgbm`), or is refused when that objective's output
is on another scale. A combination of versions broken upstream (LightGBM < 4.6 with
scikit-learn >= 1.8; numpy 2 with a scikit-learn or pandas built for numpy 1) is refused at
``fit``, naming the fix (:func:`boostobj.adapters._versions.check_compatible`).
"""

from __future__ import annotations

import lightgbm as lgb
import numpy as np

from .._objective import FitObjective
from ..losses import Loss
from ..metrics import Metric
from . import _versions, as_stored
from ._estimators import (
    LossParamsMixin,
    bind_builtin_metrics,
    check_classes,
    check_task,
    encode_classes,
    is_classifier,
    survival_score,
    temporarily,
    with_fitted_loss,
)
from .lightgbm import OBJECTIVE_ALIASES, builtin_output, check_params, fold_init_score

__all__ = ["LGBMClassifier", "LGBMRegressor"]

_METRIC_ALIASES = ("metric", "metrics", "metric_types")


class _LGBMLossMixin(LossParamsMixin):
    #: The loss the model was trained with: ``objective`` with any ``"auto"`` hyperparameter
    #: resolved on the training labels (set by ``fit``; None otherwise).
    loss_ = None

    def _process_params(self, stage):
        # A loss's own hyperparameters (objective__gamma, ...) are not LightGBM parameters.
        params = {k: v for k, v in super()._process_params(stage).items() if "__" not in k}
        if isinstance(self.objective, Loss):
            if stage == "fit":  # the native form: called with the Dataset, LightGBM's conventions
                # a leaf refiner in fit(callbacks=...) must also be the objective (refine.py);
                # labels kept by row key need the objective that reads them
                params["objective"] = (self.__dict__.get("_boostobj_refiner")
                                       or self.__dict__.get("_boostobj_native")
                                       or self.objective)
            if not any(k in self.get_params() for k in _METRIC_ALIASES):
                params["metric"] = "None"  # LightGBM would add a metric computed on raw scores
        return params

    def _boostobj_fit(self, fit, X, y, loss_y, sample_weight, init_score, eval_set,
                      eval_init_score, eval_metric, effective_weight, kwargs):
        _versions.check_compatible("lightgbm")  # LightGBM < 4.6 with scikit-learn >= 1.8, ...
        loss = self.objective
        self.init_score_ = None
        if not isinstance(loss, Loss):
            eval_metric = self._boostobj_builtin_metrics(eval_metric, y)
            return fit(X, y, sample_weight=sample_weight, init_score=init_score, eval_set=eval_set,
                       eval_init_score=eval_init_score, eval_metric=eval_metric, **kwargs)
        check_task(self, loss)
        fitted = self._boostobj_resolved(loss, loss_y, effective_weight)
        if fitted is not loss:  # "auto" hyperparameters: train with their values on all of y
            with temporarily(self, objective=fitted):
                return self._boostobj_fit(fit, X, y, loss_y, sample_weight, init_score, eval_set,
                                          eval_init_score,
                                          with_fitted_loss(eval_metric, loss, fitted),
                                          effective_weight, kwargs)
        check_params(loss, {**self.get_params(), "eval_metric": eval_metric})
        native = None
        if loss.task == "survival":
            y, eval_set, kwargs, keys = _survival_labels(loss, y, eval_set, kwargs)
            if keys is not None:
                native = FitObjective(loss, "lightgbm", keys=keys)
                eval_metric = _with_keys(eval_metric if eval_metric is not None or not
                                         _eval_labels(eval_set, kwargs.get("eval_y"))
                                         else loss.metric, loss, keys)
        eval_ys = _eval_labels(eval_set, kwargs.get("eval_y"))
        if init_score is not None and eval_ys and eval_init_score is None:
            raise ValueError(
                "init_score was given but eval_init_score was not: LightGBM adds each set's own "
                "init_score to its scores, so the eval sets would be scored without the start; "
                "pass eval_init_score (one array per eval set), or leave both out and let "
                "boostobj start from loss.init_score"
            )
        if eval_metric is None and eval_ys:
            eval_metric = loss.metric
        eval_metric = _lightgbm_form(eval_metric)
        init = None
        if init_score is None and kwargs.get("init_model") is None:
            init = self._boostobj_init(loss, loss_y, effective_weight)
            init_score = self._boostobj_repeat(init, loss_y)
            if eval_ys and eval_init_score is None:
                eval_init_score = [self._boostobj_repeat(init, ey) for ey in eval_ys]
        from .refine import LeafRefiner

        refiner = next((cb for cb in kwargs.get("callbacks") or () if isinstance(cb, LeafRefiner)),
                       None)
        self.__dict__["_boostobj_refiner"] = refiner  # not a parameter: read by _process_params
        self.__dict__["_boostobj_native"] = native
        try:
            fit(X, y, sample_weight=sample_weight, init_score=init_score, eval_set=eval_set,
                eval_init_score=eval_init_score, eval_metric=eval_metric, **kwargs)
        finally:
            del self.__dict__["_boostobj_refiner"]
            del self.__dict__["_boostobj_native"]
        if init is not None:
            fold_init_score(self.booster_, init)
            self.init_score_ = init
        self.loss_ = loss
        return self

    def _boostobj_builtin_metrics(self, eval_metric, y):
        """``eval_metric`` for a fit whose objective is not a boostobj loss: boostobj metrics in
        LightGBM's return form, reading what the objective hands them (margins from a custom
        callable; a built-in's predictions through the loss's link, or refused)."""
        if eval_metric is None:
            return None
        params = self.get_params()
        objective = next((params[a] for a in OBJECTIVE_ALIASES[1:] if params.get(a) is not None),
                         self.objective)
        if callable(objective):
            return _lightgbm_form(eval_metric)
        items = eval_metric if isinstance(eval_metric, (list, tuple)) else [eval_metric]
        if not any(isinstance(m, Metric) for m in items):
            return eval_metric
        if objective is None:  # what LightGBM's estimators train by default
            objective = (("multiclass" if self._boostobj_n_classes(y) > 2 else "binary")
                         if is_classifier(self) else "regression")
        return bind_builtin_metrics(eval_metric, objective, builtin_output(objective), "lightgbm")

    # The Dask estimators override these four to work on Dask collections.
    def _boostobj_init(self, loss, y, sample_weight):
        return loss.init_score(*as_stored(y, sample_weight))

    def _boostobj_resolved(self, loss, y, sample_weight):
        """``loss`` resolved on the training labels as LightGBM stores them (float32)."""
        return loss.resolved(*as_stored(y, sample_weight)) if loss.has_auto() else loss

    def _boostobj_repeat(self, init, like):
        return _repeat(init, len(like))

    def _boostobj_n_classes(self, y) -> int:
        return int(np.unique(np.asarray(y)).shape[0])


def _survival_labels(loss, y, eval_set, kwargs):
    """``(y, eval_set, kwargs, keys)`` for LightGBM from a survival loss's labels, checked
    first: a Cox label as signed times (one column, ``loss.stored_labels``) in ``y`` and every
    eval set (``eval_set`` or ``eval_y``); an AFT label's bounds kept by row key
    (:class:`boostobj.keyed.KeyedLabels`, as LightGBM stores them: float32), the keys being what
    LightGBM holds (a Dataset holds one float per row, lightgbm 4.7.0)."""
    from ..keyed import KeyedLabels

    eval_y = kwargs.get("eval_y")
    ys = _eval_labels(eval_set, eval_y)
    for labels in [y, *ys]:
        loss.check_labels(labels)
    if loss.label_columns == 1:
        keys = None
        convert = loss.stored_labels
    else:
        keys = KeyedLabels()

        def convert(labels):
            return keys.add(as_stored(labels)[0])
    y = convert(y)
    if eval_set is not None:
        pairs = [eval_set] if isinstance(eval_set, tuple) else eval_set
        eval_set = [(Xe, convert(ye)) for Xe, ye in pairs]
    elif eval_y is not None:
        converted = tuple(convert(ye) for ye in ys)
        kwargs = {**kwargs, "eval_y": converted if isinstance(eval_y, tuple) else converted[0]}
    return y, eval_set, kwargs, keys


def _with_keys(eval_metric, loss, keys):
    """``eval_metric`` with every boostobj metric of ``loss`` reading its labels from ``keys``
    (other callables would read the keys as labels: refused)."""
    items = eval_metric if isinstance(eval_metric, list) else [eval_metric]
    out = []
    for m in items:
        if m is None:
            continue
        if not (isinstance(m, Metric) and m.loss == loss):
            raise ValueError(
                f"eval_metric={m!r}: in this fit LightGBM holds row keys as the labels "
                f"({loss!r}'s bounds stay with boostobj), which this metric would read as labels; "
                "use loss.metric or boostobj.metrics.Concordance(loss)"
            )
        out.append(m.replace(keys=keys))
    return out if isinstance(eval_metric, list) else (out[0] if out else None)


def _lightgbm_form(eval_metric):
    """boostobj metrics in ``eval_metric`` (one or a list) bound to LightGBM's return form."""
    if isinstance(eval_metric, list):
        return [_lightgbm_form(m) for m in eval_metric]
    if isinstance(eval_metric, Metric) and eval_metric.library is None:
        return eval_metric.replace(library="lightgbm")
    return eval_metric


def _eval_labels(eval_set, eval_y) -> list:
    """Labels of every evaluation set, from ``eval_set`` (deprecated in 4.7) or ``eval_y``."""
    if eval_set is not None:
        return [ey for _, ey in ([eval_set] if isinstance(eval_set, tuple) else eval_set)]
    if eval_y is None:
        return []
    return list(eval_y) if isinstance(eval_y, tuple) else [eval_y]


def _check_init_width(init_score, k, n) -> None:
    """A multiclass ``init_score`` has one column per class (or ``n * k`` values, LightGBM's
    flat column-major form): else LightGBM stops with "Number of class for initial score
    error"."""
    if init_score is None or k <= 2:
        return
    shape = np.shape(init_score)
    if (len(shape) == 2 and shape[1] != k) or (len(shape) == 1 and shape[0] != n * k):
        has = f"{shape[1]} columns" if len(shape) == 2 else f"{shape[0]} values (not {n} x {k})"
        raise ValueError(
            f"init_score has {has} but y has {k} classes: give one column per class, "
            f"shape ({n}, {k}), or leave init_score out to start from loss.init_score"
        )


def _repeat(init, n):
    init = np.asarray(init, dtype=np.float64)
    return np.tile(init, (n, 1)) if init.ndim else np.full(n, float(init))


class LGBMClassifier(_LGBMLossMixin, lgb.LGBMClassifier):
    """``lightgbm.LGBMClassifier`` with starting score, metric and probabilities for boostobj losses."""

    def fit(self, X, y, sample_weight=None, init_score=None, eval_set=None, eval_init_score=None,
            eval_metric=None, **kwargs):
        loss_y, effective = y, sample_weight
        if isinstance(self.objective, Loss):
            check_task(self, self.objective)
            classes, loss_y = encode_classes(y)
            check_classes(self.objective, classes)
            _check_init_width(init_score, len(classes), loss_y.shape[0])
            if self.class_weight is not None:  # LightGBM folds class weights into the Dataset weights
                from sklearn.utils.class_weight import compute_sample_weight

                cw = compute_sample_weight(self.class_weight, y)
                effective = cw if sample_weight is None else cw * np.asarray(sample_weight)
        return self._boostobj_fit(super().fit, X, y, loss_y, sample_weight, init_score, eval_set,
                                  eval_init_score, eval_metric, effective, kwargs)

    def predict_proba(self, X, raw_score=False, start_iteration=0, num_iteration=None,
                      pred_leaf=False, pred_contrib=False, validate_features=False, **kwargs):
        if not isinstance(self.objective, Loss) or raw_score or pred_leaf or pred_contrib:
            return super().predict_proba(X, raw_score=raw_score, start_iteration=start_iteration,
                                         num_iteration=num_iteration, pred_leaf=pred_leaf,
                                         pred_contrib=pred_contrib,
                                         validate_features=validate_features, **kwargs)
        raw = lgb.LGBMModel.predict(self, X, raw_score=True, start_iteration=start_iteration,
                                    num_iteration=num_iteration,
                                    validate_features=validate_features, **kwargs)
        if self.objective.task == "multiclass":
            return self.objective.link.inverse(raw)
        link = self.objective.link
        return np.column_stack([link.inverse(-raw), link.inverse(raw)])

    def predict(self, X, raw_score=False, start_iteration=0, num_iteration=None, pred_leaf=False,
                pred_contrib=False, validate_features=False, **kwargs):
        if not isinstance(self.objective, Loss) or raw_score or pred_leaf or pred_contrib:
            return super().predict(X, raw_score=raw_score, start_iteration=start_iteration,
                                   num_iteration=num_iteration, pred_leaf=pred_leaf,
                                   pred_contrib=pred_contrib,
                                   validate_features=validate_features, **kwargs)
        proba = self.predict_proba(X, start_iteration=start_iteration, num_iteration=num_iteration,
                                   validate_features=validate_features, **kwargs)
        return self.classes_[np.argmax(proba, axis=1)]


class LGBMRegressor(_LGBMLossMixin, lgb.LGBMRegressor):
    """``lightgbm.LGBMRegressor`` with starting score and metric for boostobj losses; ``predict``
    returns predictions including the starting score.

    Survival losses take ``y`` (and each eval set's labels) in their own forms: Cox signed
    times or ``[time, event]`` columns (LightGBM holds the signed times), AFT ``[lower, upper]``
    bounds (LightGBM holds row keys, :mod:`boostobj.keyed`; no LightGBM metric may then read
    them). ``score`` returns Harrell's C (higher is better)."""

    def fit(self, X, y, sample_weight=None, init_score=None, eval_set=None, eval_init_score=None,
            eval_metric=None, **kwargs):
        return self._boostobj_fit(super().fit, X, y, y, sample_weight, init_score, eval_set,
                                  eval_init_score, eval_metric, sample_weight, kwargs)

    def score(self, X, y, sample_weight=None):
        """Harrell's C of the margins for a survival loss (``loss.concordance``); R^2 of
        ``predict`` otherwise (scikit-learn's)."""
        loss = self.loss_ if self.loss_ is not None else self.objective
        if isinstance(loss, Loss) and loss.task == "survival":
            return survival_score(self, X, y, sample_weight)
        return super().score(X, y, sample_weight=sample_weight)

    def predict(self, X, raw_score=False, start_iteration=0, num_iteration=None, pred_leaf=False,
                pred_contrib=False, validate_features=False, **kwargs):
        """Predictions including the starting score; the mean ``exp(margin)`` for the log-link
        losses (LightGBM returns the raw score of a custom objective): for a survival loss a
        relative risk (Cox) or a predicted time (AFT)."""
        pred = super().predict(X, raw_score=raw_score, start_iteration=start_iteration,
                               num_iteration=num_iteration, pred_leaf=pred_leaf,
                               pred_contrib=pred_contrib, validate_features=validate_features,
                               **kwargs)
        loss = self.objective
        if (isinstance(loss, Loss) and loss.link.name == "log"
                and not (raw_score or pred_leaf or pred_contrib)):
            return loss.link.inverse(pred)
        return pred
