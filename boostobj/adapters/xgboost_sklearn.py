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

Across XGBoost versions (:mod:`boostobj.adapters._versions`):

* XGBoost < 3.1 has no vector ``base_score``: a multiclass loss then starts from ``base_margin``,
  passed to ``fit`` (and to every eval set); ``predict``/``predict_proba`` add the same start
  unless given a ``base_margin``. The start is kept on the estimator, not in the booster:
  ``get_booster().predict`` and a saved model file do not include it there (pass
  ``base_margin=np.tile(start, (n, 1))``, ``start = estimator.start_margin_``);
* the classes derive from XGBoost's estimator *first* (``__bases__[0]``): xgboost 2.1's
  ``get_params`` walks ``__bases__[0]`` and calls its ``get_params``; the boostobj behaviour
  sits in :class:`_StartFromInitScore`, itself an ``XGBModel``, after it in the MRO;
* a combination of versions broken upstream (XGBoost < 3.1.3 with scikit-learn >= 1.8; numpy 2
  with a scikit-learn or pandas built for numpy 1) is refused at ``fit`` with the fix.
"""

from __future__ import annotations

import numpy as np
import xgboost as xgb

from .. import records
from .._objective import FitObjective
from ..losses import Loss
from ..losses._base import plain
from ..metrics import Metric
from . import _versions, as_stored, neutral
from ._estimators import (
    LossParamsMixin,
    bind_builtin_metrics,
    check_classes,
    check_task,
    is_classifier,
    survival_score,
    temporarily,
    with_fitted_loss,
)
from .xgboost import XGB_OUTPUT, configured_objective, params_from_init, record_text

__all__ = ["XGBClassifier", "XGBRegressor"]


class _StartFromInitScore(LossParamsMixin, xgb.XGBModel):
    """What the boostobj XGBoost estimators add, as an ``XGBModel``: a boostobj estimator is
    ``class E(xgb.XGBClassifier, _StartFromInitScore)``, so its MRO is ``E, xgb.XGBClassifier,
    [scikit-learn's mixin,] _StartFromInitScore, LossParamsMixin, XGBModel, ...``: these methods
    override ``XGBModel``'s, and ``E.__bases__[0]`` is XGBoost's class (see the module
    docstring)."""

    #: what :func:`boostobj.adapters._versions.check_compatible` checks at ``fit``
    _boostobj_uses = ("xgboost",)

    def get_xgb_params(self):
        # A loss's own hyperparameters (objective__gamma, ...) are not booster parameters.
        return {k: v for k, v in super().get_xgb_params().items() if "__" not in k}

    #: The loss the model was trained with: ``objective`` with any ``"auto"`` hyperparameter
    #: resolved on the training labels (set by ``fit`` and ``load_model``; None otherwise).
    loss_ = None

    @property
    def start_margin_(self):
        """The start XGBoost < 3.1 needs in ``base_margin`` (a multiclass loss's
        ``init_score``, added by ``predict``), or None when the model holds its start."""
        return self.__dict__.get("_boostobj_start_margin")

    def _boostobj_margin(self, X, base_margin):
        """``base_margin`` for ``predict``: the user's, else the start kept by ``fit``."""
        start = self.start_margin_
        if base_margin is not None or start is None:
            return base_margin
        return self._boostobj_fill(start, X)

    def _boostobj_fill(self, start, X):
        """``start`` repeated for every row of ``X`` (the Dask estimators: partitioned alike)."""
        n = X.shape[0] if hasattr(X, "shape") else len(X)
        return np.tile(np.asarray(start, dtype=np.float64), (n, 1))

    def _boostobj_fit(self, fit, X, y, sample_weight, base_margin, kwargs):
        _versions.check_compatible(*self._boostobj_uses)
        metrics = self.eval_metric
        if (isinstance(metrics, (list, tuple)) and any(callable(m) for m in metrics)
                and not _versions.xgb_metric_list_takes_callables()):
            raise ValueError(
                f"eval_metric={metrics!r}: this XGBoost ({xgb.__version__}) takes a callable "
                "eval_metric only alone, not in a list with metric names (it would look the "
                "callable up as a metric name). Pass the callable alone, or upgrade XGBoost "
                "(3.2 takes the list)")
        self.__dict__["_boostobj_start_margin"] = None
        loss = self.objective
        if not isinstance(loss, Loss):
            with temporarily(self, **self._boostobj_builtin_metrics(y, sample_weight)):
                return fit(X, y, sample_weight=sample_weight, base_margin=base_margin, **kwargs)
        check_task(self, loss)
        if loss.task == "binary" and not neutral("scale_pos_weight", self.scale_pos_weight):
            spw = plain(self.scale_pos_weight)
            raise ValueError(
                f"scale_pos_weight={spw!r} is read only by XGBoost's built-in "
                f"logistic objectives; with {loss!r} it would change nothing. Weight the classes "
                "with sample weights instead: fit(X, y, sample_weight=np.where(y == 1, "
                f"{spw!r}, 1.0))"
            )
        if self.eval_metric is None and self.early_stopping_rounds and kwargs.get("eval_set"):
            # early stopping on the loss's own metric: XGBoost would watch its default metric
            # (log loss for a classifier), which a focal model does not minimise
            with temporarily(self, eval_metric=loss.metric):
                return self._boostobj_fit(fit, X, y, sample_weight, base_margin, kwargs)
        fitted = self._boostobj_resolved(loss, y, sample_weight)
        if fitted is not loss:  # "auto" hyperparameters: train with their values on all of y
            with temporarily(self, objective=fitted,
                             eval_metric=with_fitted_loss(self.eval_metric, loss, fitted)):
                return self._boostobj_fit(fit, X, y, sample_weight, base_margin, kwargs)
        # Continuing a model (xgb_model: Booster, estimator or path) keeps that model's start:
        # a base_score from the new labels would move every old tree's prediction.
        start = (self.base_score is None and base_margin is None
                 and kwargs.get("xgb_model") is None)
        init = self._boostobj_init(loss, y, sample_weight, start)
        n_classes = None
        if loss.task == "multiclass":  # one start per class, else counted from the labels
            n_classes = (np.size(init) if init is not None
                         else self._boostobj_n_classes(y, sample_weight))
        # XGBoost's estimators configure a callable objective as reg:squarederror (regressors)
        # whatever its link; the callback configures the loss's own (xgboost_params' choice), so
        # the booster predicts, evaluates built-in metrics and saves on the response scale.
        booster_params = configured_objective(loss, n_classes)
        keys = None
        attrs = {}
        if loss.task == "survival":
            y, kwargs, keys, attrs = self._boostobj_survival(loss, y, kwargs)
            if keys is not None:  # the DMatrix labels are row keys: no built-in metric reads them
                booster_params["disable_default_eval_metric"] = 1
        configure = ConfigureObjective(booster_params)
        callbacks = [*attrs.pop("callbacks", self.callbacks or ()), configure]
        attrs = {**attrs, "objective": FitObjective(loss, "xgboost", keys=keys),
                 "callbacks": callbacks}
        if start:
            params = params_from_init(loss, init)
            if "base_score" in params:
                attrs["base_score"] = params["base_score"]
            else:
                # XGBoost < 3.1 (no vector base_score): the multiclass start goes in base_margin
                base_margin, kwargs = self._boostobj_start_in_margin(init, X, kwargs)
        else:
            rec = records.loads(record_text(kwargs.get("xgb_model")))
            init = None if rec is None else rec["start"]
            if (rec is not None and not rec["folded"] and init is not None and base_margin is None
                    and loss.task == "multiclass"):
                # XGBoost < 3.1: the model's start lives in base_margin, so the old trees
                # continue from it, as when it was trained
                base_margin, kwargs = self._boostobj_start_in_margin(init, X, kwargs)
        with temporarily(self, **attrs):
            fit(X, y, sample_weight=sample_weight, base_margin=base_margin, **kwargs)
        in_margin = self.start_margin_ is not None
        self.loss_ = loss
        self.get_booster().set_attr(**{records.KEY: records.dumps(records.record(
            loss, start=init, folded=not in_margin and init is not None))})
        return self

    def load_model(self, fname) -> None:
        """XGBoost's ``load_model``, then the boostobj loss the model was trained with (its
        record, with any ``"auto"`` value as resolved on the training labels) as ``objective``,
        and the start XGBoost < 3.1 keeps in ``base_margin``: ``predict`` gives what it gave
        before saving."""
        super().load_model(fname)
        rec = records.loads(self.get_booster().attr(records.KEY))
        self.__dict__["_boostobj_start_margin"] = None
        if rec is None:
            return
        self.objective = self.loss_ = records.loss_of_record(rec)
        if not rec["folded"] and rec["start"] is not None and rec["task"] == "multiclass":
            self.__dict__["_boostobj_start_margin"] = np.asarray(rec["start"], dtype=np.float64)

    def _boostobj_survival(self, loss, y, kwargs):
        """``(y, kwargs, keys, attrs)`` for XGBoost from a survival loss's labels, checked first:
        a Cox label as signed times (XGBoost's form, ``loss.stored_labels``), in ``y`` and
        every ``eval_set``; an AFT label's bounds kept by row key (:mod:`boostobj.keyed`: the
        scikit-learn wrapper hands a callable objective ``DMatrix.get_label()`` only, xgboost
        3.2.0), the loss's metrics bound to the keys (XGBoost's built-in metrics, which would
        read the keys, are refused), ``loss.metric`` watching the eval sets unless another
        metric is given. ``attrs``: estimator attributes for the fit (``eval_metric``, and
        ``callbacks`` with early stopping told to maximise a
        :class:`~boostobj.metrics.Concordance`)."""
        from ..keyed import KeyedLabels
        from ..metrics import Concordance

        eval_set = kwargs.get("eval_set")
        for labels in [y, *(ye for _, ye in eval_set or ())]:
            loss.check_labels(labels)
        attrs = {}
        metrics = self.eval_metric
        if loss.label_columns == 1:
            keys = None
            y = loss.stored_labels(y)
            if eval_set is not None:
                kwargs = {**kwargs, "eval_set": [(Xe, loss.stored_labels(ye))
                                                 for Xe, ye in eval_set]}
        else:
            keys = KeyedLabels()
            y = keys.add(as_stored(y)[0])
            if eval_set is not None:
                kwargs = {**kwargs, "eval_set": [(Xe, keys.add(as_stored(ye)[0]))
                                                 for Xe, ye in eval_set]}
                if metrics is None:
                    metrics = loss.metric
            items = metrics if isinstance(metrics, (list, tuple)) else [metrics]
            named = [m for m in items if m is not None and not isinstance(m, Metric)]
            if named:
                raise ValueError(
                    f"eval_metric={plain(named[0])!r}: XGBoost's metrics read the DMatrix labels, "
                    f"which hold row keys in this fit ({loss!r}'s bounds stay with boostobj); use "
                    "loss.metric or boostobj.metrics.Concordance(loss)"
                )
            bound = [m.replace(keys=keys) if m.loss == loss else m for m in items
                     if m is not None]
            metrics = (bound if isinstance(metrics, (list, tuple))
                       else (bound[0] if bound else None))
            attrs["eval_metric"] = metrics
        items = metrics if isinstance(metrics, (list, tuple)) else [metrics]
        if self.early_stopping_rounds and any(isinstance(m, Concordance) for m in items):
            # XGBoost decides the direction from built-in metric names only (xgboost 3.2.0): the
            # concordance is watched (the custom metric comes last) and must go up
            stop = xgb.callback.EarlyStopping(rounds=self.early_stopping_rounds, maximize=True,
                                              save_best=False)
            attrs["callbacks"] = [*(self.callbacks or ()), stop]
            attrs["early_stopping_rounds"] = None
        return y, kwargs, keys, attrs

    def _boostobj_start_in_margin(self, start, X, kwargs):
        """``(base_margin, kwargs)`` carrying the multiclass ``start`` in ``base_margin`` (XGBoost
        < 3.1 has no vector ``base_score``): for training, for every eval set without one (their
        metrics and early stopping), and, kept as :attr:`start_margin_`, for ``predict``."""
        eval_set = kwargs.get("eval_set")
        if eval_set is not None and kwargs.get("base_margin_eval_set") is None:
            kwargs = {**kwargs, "base_margin_eval_set": [self._boostobj_fill(start, Xe)
                                                         for Xe, _ in eval_set]}
        self.__dict__["_boostobj_start_margin"] = np.asarray(start, dtype=np.float64)
        return self._boostobj_fill(start, X), kwargs

    def _boostobj_init(self, loss, y, sample_weight, start=True):
        """The starting margin from the labels as XGBoost stores them (None when ``start`` is
        False: the labels are checked only); the Dask estimators reduce Dask collections."""
        if is_classifier(self):
            check_classes(loss, np.unique(np.asarray(y)))
        return loss.init_score(*as_stored(y, sample_weight)) if start else None

    def _boostobj_n_classes(self, y, sample_weight) -> int:
        return int(np.unique(np.asarray(y)).shape[0])

    def _boostobj_resolved(self, loss, y, sample_weight):
        """``loss`` resolved on the training labels as XGBoost stores them (float32)."""
        return loss.resolved(*as_stored(y, sample_weight)) if loss.has_auto() else loss

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


class XGBClassifier(xgb.XGBClassifier, _StartFromInitScore):
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
                              base_margin=self._boostobj_margin(X, base_margin),
                              iteration_range=iteration_range)
        classes = self.__dict__.get("_boostobj_classes")
        if classes is None or output_margin:
            return out
        return classes[np.asarray(out).astype(np.intp)]

    def predict_proba(self, X, validate_features=True, base_margin=None, iteration_range=None):
        return super().predict_proba(X, validate_features=validate_features,
                                     base_margin=self._boostobj_margin(X, base_margin),
                                     iteration_range=iteration_range)


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
            f"eval_set has the label {plain(labels[np.flatnonzero(unseen)[0]])!r}, not seen in "
            f"training (classes {', '.join(repr(c) for c in classes.tolist())})"
        )
    return pos


class XGBRegressor(xgb.XGBRegressor, _StartFromInitScore):
    """``xgboost.XGBRegressor`` that starts ``objective=<boostobj loss>`` from its ``init_score``;
    ``predict`` (and the booster's own ``predict``, also after saving and loading) returns the
    response: ``exp(margin)``, the mean, for the log-link losses.

    Survival losses (:class:`~boostobj.CoxPHLoss`, :class:`~boostobj.AFTLoss`) take ``y`` (and
    each ``eval_set`` label) in their own forms: Cox signed times or ``[time, event]`` columns,
    AFT ``[lower, upper]`` bounds (kept by row key: XGBoost's scikit-learn wrapper has no label
    bounds). ``predict`` returns ``exp(margin)``: a relative risk (Cox) or a predicted time
    (AFT); ``score`` returns Harrell's C (higher is better)."""

    def fit(self, X, y, *, sample_weight=None, base_margin=None, **kwargs):
        return self._boostobj_fit(super().fit, X, y, sample_weight, base_margin, kwargs)

    def score(self, X, y, sample_weight=None):
        """Harrell's C of the margins for a survival loss (``loss.concordance``); R^2 of
        ``predict`` otherwise (scikit-learn's)."""
        loss = self.loss_ if self.loss_ is not None else self.objective
        if isinstance(loss, Loss) and loss.task == "survival":
            return survival_score(self, X, y, sample_weight)
        return super().score(X, y, sample_weight=sample_weight)


class ConfigureObjective(xgb.callback.TrainingCallback):
    """A training callback that sets the booster parameters ``params`` (the loss's configured
    objective, :func:`boostobj.adapters.xgboost.configured_objective`) before the first round:
    XGBoost's estimators configure any callable objective as ``reg:squarederror`` (regressors),
    and the booster predicts through the configured objective's link."""

    def __init__(self, params: dict) -> None:
        super().__init__()
        self.params = dict(params)

    def before_training(self, model):
        model.set_param(self.params)
        return model
