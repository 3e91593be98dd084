"""``boostobj.CatBoostClassifier`` / ``boostobj.CatBoostRegressor``: CatBoost's estimators made whole
for a boostobj objective.

CatBoost's own estimators with ``loss_function=<boostobj loss>`` (measured with catboost 1.2.10,
see :mod:`boostobj.adapters.catboost`): start every row from 0, and ``predict`` adds nothing back;
require ``eval_metric``; train a multiclass model only with ``class_names`` and record no classes
without them (the classifier's ``predict`` fails); cannot estimate an ``"auto"`` scale from their
blocks of rows.

These subclasses, when ``loss_function`` (or ``objective``) is a boostobj loss:

* refuse a loss of the wrong task (a regression loss in the classifier, a classification loss in
  the regressor);
* validate the training labels and weights once, resolve ``"auto"`` hyperparameters on all of
  them (``loss.resolved(y, w)``), and hand CatBoost that loss for the one ``fit``
  (:class:`~boostobj.adapters.catboost.ValidatedObjective`: no per-block checks);
* start from ``loss.init_score(y, w)`` (``w`` times CatBoost's class weights, which it folds into
  the weights the objective sees): the train Pool's ``baseline``, and every eval set's that has
  none, then fold the start into the model's bias (``set_scale_and_bias``), so ``predict``,
  ``predict_proba`` (rows sum to 1) and a saved or pickled model include it; ``init_score_``
  keeps the value. A ``baseline`` you pass (in ``fit`` or the Pool), or ``init_model``, is left
  alone: then nothing is folded;
* use ``eval_metric=loss.metric`` unless you chose another (early stopping on the loss itself);
* the classifier sets ``class_names`` from ``y`` (sorted) unless you did, so string labels and
  multiclass losses work and ``classes_`` is set;
* ``set_params(loss_function__delta=2.0)`` (or ``objective__...``) changes the loss's
  hyperparameter (a new loss object), and ``get_params`` returns the parameters themselves, not
  deep copies, so :func:`sklearn.base.clone` and grid searches work.

A Pool you pass without a baseline is copied once (``Pool.slice``) to carry the start: pass
``baseline`` in it yourself to avoid the copy (then fold it yourself with
:func:`boostobj.adapters.catboost.fold_init_score`).
"""

from __future__ import annotations

import inspect

import catboost as cb
import numpy as np

from .._validation import check_weights
from ..losses import Loss
from ..metrics import Metric
from . import as_stored
from ._estimators import check_classes
from .catboost import (
    ValidatedObjective,
    check_objective_params,
    effective_weights,
    fold_init_score,
    labels_weights,
)

__all__ = ["CatBoostClassifier", "CatBoostRegressor"]

_LOSS_KEYS = ("loss_function", "objective")
#: Set on the instance for the length of one boostobj ``fit``.
_SESSION = "_boostobj_session"
_INIT_KEY = "_boostobj_init_score"


class _CatBoostLossMixin:
    """The boostobj parts shared by both estimators (see the module docstring)."""

    _task_word: str

    # ------------------------------------------------------------------ parameters
    def _boostobj_loss(self):
        for key in _LOSS_KEYS:
            loss = self._init_params.get(key)
            if isinstance(loss, Loss):
                return key, loss
        return None, None

    def get_params(self, deep=True, **_unused):
        """The constructor's parameters as set (not copies, so scikit-learn's ``clone`` works);
        with ``deep``, also the loss's hyperparameters as ``loss_function__<name>``."""
        params = dict(self._init_params)
        key, loss = self._boostobj_loss()
        if deep and loss is not None:
            params.update({f"{key}__{k}": v for k, v in loss.get_params().items()})
        return params

    def set_params(self, **params):
        """CatBoost's ``set_params``; ``loss_function__<name>`` (or ``objective__<name>``)
        changes a hyperparameter of the boostobj loss (validated; a new loss object)."""
        nested = {k: params.pop(k) for k in list(params) if "__" in k}
        if nested:
            key, loss = self._boostobj_loss()
            for name in nested:
                prefix = name.split("__", 1)[0]
                if loss is None or prefix not in _LOSS_KEYS:
                    raise ValueError(
                        f"{type(self).__name__} has no parameter {name!r}: only a boostobj loss "
                        "(loss_function=...) takes nested hyperparameters, as "
                        "loss_function__<name>"
                    )
            sub = {name.split("__", 1)[1]: v for name, v in nested.items()}
            fresh = type(loss)(**loss.get_params())
            fresh.set_params(**sub)
            params[key] = fresh
        return super().set_params(**params)

    # ------------------------------------------------------------------ pickling
    def __getstate__(self):
        state = super().__getstate__()
        init = getattr(self, "init_score_", None)
        if init is not None:
            state[_INIT_KEY] = init
        return state

    def __setstate__(self, state):
        state = dict(state)
        init = state.pop(_INIT_KEY, None)
        super().__setstate__(state)
        self.init_score_ = init

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None, *args, **kwargs):
        self.init_score_ = None
        _, loss = self._boostobj_loss()
        if loss is None:
            return super().fit(X, y, *args, **kwargs)
        if loss.task not in self._tasks:
            raise ValueError(
                f"{loss!r} is a {loss.task} objective; {type(self).__name__} takes "
                f"{self._task_word} losses" + (
                    " (use boostobj.CatBoostRegressor)" if loss.task == "regression"
                    else " (use boostobj.CatBoostClassifier)")
            )
        bound = inspect.signature(super().fit).bind(X, y, *args, **kwargs).arguments
        session = {"X": X, "eval_set": bound.get("eval_set"), "init": None}
        setattr(self, _SESSION, session)
        try:
            super().fit(X, y, *args, **kwargs)
        finally:
            setattr(self, _SESSION, None)
        if session["init"] is not None:
            fold_init_score(self, session["init"])
            self.init_score_ = session["init"]
        return self

    def _prepare_train_params(self, **kwargs):
        # CatBoost (1.2.10) builds the Pools here and returns them with the parameters that
        # _train uses: the one place to give them the start and the validated loss.
        out = super()._prepare_train_params(**kwargs)
        session = getattr(self, _SESSION, None)
        if session is None:
            return out
        params = out["params"]
        loss = params["loss_function"]
        train = out["train_pool"]
        y, w = self._boostobj_labels(loss, train, params)
        fit_loss = loss.resolved(y, w)
        fit_loss.warn_degenerate(y, w)
        check_objective_params(fit_loss, params)
        params["loss_function"] = ValidatedObjective(fit_loss)
        metric = params.get("eval_metric")
        if metric is None or (isinstance(metric, Metric) and metric.loss == loss):
            params["eval_metric"] = fit_loss.metric
        user_pools = _user_pools(session)
        evals = out["eval_sets"]
        has_start = _has_baseline(train)
        if has_start or out.get("init_model") is not None:
            missing = [i for i, p in enumerate(evals) if not _has_baseline(p)]
            if has_start and missing:
                raise ValueError(
                    "the training data has a baseline but eval set(s) "
                    f"{missing} have none, so they would be scored without the start; give them "
                    "Pool(..., baseline=...), or leave every baseline out and let boostobj start "
                    "from loss.init_score"
                )
            return out
        init = fit_loss.init_score(y, w)
        out["train_pool"] = _with_baseline(train, init, user_pools)
        out["eval_sets"] = [p if _has_baseline(p) else _with_baseline(p, init, user_pools)
                            for p in evals]
        session["init"] = init
        return out


def _has_baseline(pool) -> bool:
    return np.size(pool.get_baseline()) > 0


def _user_pools(session) -> set:
    evals = session["eval_set"]
    evals = evals if isinstance(evals, list) else [evals]
    return {id(p) for p in [session["X"], *evals] if isinstance(p, cb.Pool)}


def _with_baseline(pool, init, user_pools):
    """``pool`` with the start as its baseline; a Pool the caller passed is copied first."""
    if id(pool) in user_pools:
        pool = pool.slice(np.arange(pool.num_row()))
    init = np.asarray(init, dtype=np.float64)
    n = pool.num_row()
    pool.set_baseline(np.tile(init, (n, 1)) if init.ndim else np.full(n, float(init)))
    return pool


class CatBoostClassifier(_CatBoostLossMixin, cb.CatBoostClassifier):
    """``catboost.CatBoostClassifier`` with start, classes, metric and probabilities for boostobj
    losses (see :mod:`boostobj.adapters.catboost_sklearn`)."""

    _tasks = ("binary", "multiclass")
    _task_word = "binary and multiclass"

    def _boostobj_labels(self, loss, train, params):
        labels, sample_weight = labels_weights(train)
        names = params.get("class_names")
        if names is None:
            if params.get("classes_count") is not None:
                raise ValueError(
                    "classes_count without class_names: give class_names (or neither, and "
                    "boostobj takes the classes from y)"
                )
            classes, encoded = np.unique(labels, return_inverse=True)
            check_classes(loss, classes)
            params["class_names"] = classes.tolist()
        else:
            check_classes(loss, np.asarray(names))
            index = {name: i for i, name in enumerate(names)}
            try:
                encoded = np.array([index[v] for v in labels.tolist()])
            except KeyError as err:
                raise ValueError(f"label {err.args[0]!r} is not in class_names {list(names)}") from None
        y = loss.check_labels(encoded.astype(np.float64))
        w = effective_weights(params, encoded, sample_weight, len(params["class_names"]))
        return y, check_weights(w, y.shape[0])


class CatBoostRegressor(_CatBoostLossMixin, cb.CatBoostRegressor):
    """``catboost.CatBoostRegressor`` with start and metric for boostobj losses; ``predict``
    includes the start (see :mod:`boostobj.adapters.catboost_sklearn`)."""

    _tasks = ("regression",)
    _task_word = "regression"

    def _boostobj_labels(self, loss, train, params):
        labels, w = labels_weights(train)
        y = loss.check_labels(as_stored(labels)[0])
        return y, check_weights(w, y.shape[0])

