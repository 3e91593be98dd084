"""``boostobj.CatBoostClassifier`` / ``boostobj.CatBoostRegressor``: CatBoost's estimators made whole
for a boostobj objective.

CatBoost's own estimators with ``loss_function=<boostobj loss>`` (measured with catboost 1.2.10,
see :mod:`boostobj.adapters.catboost`): start every row from 0, and ``predict`` adds nothing back;
the regressor's ``predict`` returns raw margins (``exp`` only for its own ``Poisson`` and
``Tweedie``); require ``eval_metric``; train a multiclass model only with ``class_names`` and
record no classes without them (the classifier's ``predict`` fails); cannot estimate an
``"auto"`` scale from their blocks of rows; save a model whose parameters name the objective
``"PythonUserDefinedPerObject"``, which cannot train again.

These subclasses, when ``loss_function`` (or ``objective``) is a boostobj loss:

* refuse a loss of the wrong task (a regression loss in the classifier, a classification loss in
  the regressor), and the survival losses, which CatBoost cannot hand a Python objective's
  rows whole (:func:`~boostobj.adapters.catboost.check_served`: use its ``Cox`` and
  ``SurvivalAft``);
* validate the training labels and weights once, resolve ``"auto"`` hyperparameters on all of
  them (``loss.resolved(y, w)``), and hand CatBoost that loss for the one ``fit``
  (:class:`~boostobj.adapters.catboost.ValidatedObjective`: no per-block checks);
* start from ``loss.init_score(y, w)`` (``w`` times CatBoost's class weights, which it folds into
  the weights the objective sees): the train Pool's ``baseline``, and every eval set's that has
  none, then fold the start into the model's bias (``set_scale_and_bias``), so ``predict``,
  ``predict_proba`` (rows sum to 1) and a saved or pickled model include it; ``init_score_``
  keeps the value. A ``baseline`` you pass (in ``fit`` or the Pool) is left alone: then nothing
  is folded;
* record the objective in the model (:mod:`boostobj.records`: the resolved loss, the start,
  whether it is folded) in its metadata, which CatBoost saves and pickles with the model
  (:func:`~boostobj.adapters.catboost.model_record`). ``load_model`` (a file, a stream or a
  blob) and unpickling rebuild the loss from it: a loaded model predicts what the saved one did,
  trains again with its loss (``get_params()["loss_function"]``), and refuses a second
  :func:`~boostobj.adapters.catboost.fold_init_score`;
* the regressor's ``predict`` (and ``score``) is on the response scale:
  ``loss.link.inverse(raw)``, the mean for the log-link losses (:class:`~boostobj.PoissonLoss`,
  :class:`~boostobj.GammaLoss`, :class:`~boostobj.TweedieLoss`); ``prediction_type=
  "RawFormulaVal"`` still gives the margins. The classifier's ``predict``/``predict_proba`` are
  CatBoost's (the softmax or logistic of the margins, the link of every classification loss);
* continue a model given as ``init_model`` from where it ended. CatBoost (1.2.10) trains the new
  trees from the init model's predictions, scale and bias included, but the continued model has
  scale 1 and sometimes loses the bias: continuing the model object just trained, on the same
  training data and without an eval set, gave bias 0 (CatBoost resumes from the state it kept
  from that training, which started from the Pool's baseline, not the bias); on other data,
  from a copy, a loaded model or a path, or with an eval set, it kept the bias. The estimators
  set the continued model's bias to the init model's and record its start; they refuse an init
  model with a scale other than 1 (the old trees would lose it), one recorded with a loss of
  another link, and a ``baseline`` (CatBoost refuses one when continuing, after preparing the
  data);
* fitting the same estimator again trains a fresh model (CatBoost keeps a model object's
  metadata across fits: the old record is replaced);
* use ``eval_metric=loss.metric`` unless you chose another (early stopping on the loss itself);
* the classifier sets ``class_names`` from ``y`` (sorted) unless you did, so string labels and
  multiclass losses work and ``classes_`` is set;
* ``set_params(loss_function__delta=2.0)`` (or ``objective__...``) changes the loss's
  hyperparameter (a new loss object), and ``get_params`` returns the parameters themselves, not
  deep copies, so :func:`sklearn.base.clone` and grid searches work.

``fit`` declares catboost 1.2.10's ``fit`` arguments (scikit-learn sees ``sample_weight``:
:func:`sklearn.utils.validation.has_fit_parameter`) and forwards by keyword those you set; an
argument the installed catboost's ``fit`` does not take is refused before training.

A Pool you pass without a baseline is copied once (``Pool.slice``) to carry the start: pass
``baseline`` in it yourself to avoid the copy (then fold it yourself with
:func:`boostobj.adapters.catboost.fold_init_score`).
"""

from __future__ import annotations

import inspect

import catboost as cb
import numpy as np

from .. import records
from .._validation import check_weights
from ..losses import Loss
from ..metrics import Metric
from . import as_stored
from ._estimators import check_classes
from .catboost import (
    ValidatedObjective,
    check_objective_params,
    check_served,
    drop_record,
    effective_weights,
    fold_init_score,
    labels_weights,
    model_record,
    store_record,
    twin_defaults,
)

__all__ = ["CatBoostClassifier", "CatBoostRegressor"]

_LOSS_KEYS = ("loss_function", "objective")
#: Set on the instance for the length of one boostobj ``fit``.
_SESSION = "_boostobj_session"
_INIT_KEY = "_boostobj_init_score"
#: How a loaded model's parameters name a Python objective or metric (catboost 1.2.10:
#: ``"PythonUserDefinedPerObject"``, for one-dimensional and multiclass models alike).
_PLACEHOLDER = "PythonUserDefined"


class _CatBoostLossMixin:
    """The boostobj parts shared by both estimators (see the module docstring)."""

    _tasks: tuple[str, ...]
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

    # ------------------------------------------------------------------ the record
    @property
    def loss_(self):
        """The loss the model was trained with: ``loss_function`` with any ``"auto"``
        hyperparameter resolved on the training labels, rebuilt from the model's record (None
        for a model without one)."""
        rec = model_record(self) if self.is_fitted() else None
        return None if rec is None else records.loss_of_record(rec)

    def _model_loss(self):
        """The loss the trained model records (rebuilt from its record), else the boostobj loss
        of the parameters (a model pickled without a record), else None."""
        rec = model_record(self) if self.is_fitted() else None
        if rec is not None:
            return records.loss_of_record(rec)
        return self._boostobj_loss()[1]

    def load_model(self, fname=None, format="cbm", stream=None, blob=None):
        """CatBoost's ``load_model``; for a model with a boostobj record, the loss is rebuilt
        from it (and becomes ``loss_function`` when CatBoost's parameters name none),
        ``init_score_`` is its folded start, and a model of the other task is refused."""
        super().load_model(fname, format=format, stream=stream, blob=blob)
        self.init_score_ = None
        rec = model_record(self)
        if rec is None:
            return self
        loss = records.loss_of_record(rec)  # refused here if its class is not registered
        if loss.task not in self._tasks:
            other = "Regressor" if loss.task == "regression" else "Classifier"
            raise ValueError(
                f"the model was trained with {loss!r}, a {loss.task} objective; "
                f"{type(self).__name__} takes {self._task_word} models: load it into "
                f"boostobj.CatBoost{other}"
            )
        if self._boostobj_loss()[1] is None:
            params = self._init_params
            for key in (*_LOSS_KEYS, "eval_metric"):
                if str(params.get(key, "")).startswith(_PLACEHOLDER):
                    del params[key]
            params["loss_function"] = loss
            self._canonized_params = None  # CatBoost's cache of the parameters (1.2.10)
        if rec["folded"]:
            self.init_score_ = _start_value(rec["start"])
        return self

    # ------------------------------------------------------------------ pickling
    def __getstate__(self):
        state = super().__getstate__()
        init = getattr(self, "init_score_", None)
        if init is not None:
            state[_INIT_KEY] = init
        return state

    def __setstate__(self, state):
        # the record travels in the model's metadata: predict and fold_init_score read it
        state = dict(state)
        init = state.pop(_INIT_KEY, None)
        super().__setstate__(state)
        self.init_score_ = init

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None, cat_features=None, text_features=None, embedding_features=None,
            graph=None, sample_weight=None, baseline=None, use_best_model=None, eval_set=None,
            verbose=None, logging_level=None, plot=False, plot_file=None, column_description=None,
            verbose_eval=None, metric_period=None, silent=None, early_stopping_rounds=None,
            save_snapshot=None, snapshot_file=None, snapshot_interval=None, init_model=None,
            callbacks=None, log_cout=None, log_cerr=None):
        """CatBoost's ``fit``, with the arguments of catboost 1.2.10's (the same meanings); the
        boostobj parts for a boostobj loss are in :mod:`boostobj.adapters.catboost_sklearn`.
        Arguments left at their default are not forwarded, so the installed catboost's
        defaults apply."""
        kwargs = self._fit_arguments({
            "cat_features": cat_features, "text_features": text_features,
            "embedding_features": embedding_features, "graph": graph,
            "sample_weight": sample_weight, "baseline": baseline,
            "use_best_model": use_best_model, "eval_set": eval_set, "verbose": verbose,
            "logging_level": logging_level, "plot": plot, "plot_file": plot_file,
            "column_description": column_description, "verbose_eval": verbose_eval,
            "metric_period": metric_period, "silent": silent,
            "early_stopping_rounds": early_stopping_rounds, "save_snapshot": save_snapshot,
            "snapshot_file": snapshot_file, "snapshot_interval": snapshot_interval,
            "init_model": init_model, "callbacks": callbacks, "log_cout": log_cout,
            "log_cerr": log_cerr,
        })
        _, loss = self._boostobj_loss()
        if loss is not None:
            check_served(loss)  # the survival losses: CatBoost's blocks, one label per row
        if loss is not None and loss.task not in self._tasks:
            raise ValueError(
                f"{loss!r} is a {loss.task} objective; {type(self).__name__} takes "
                f"{self._task_word} losses" + (
                    " (use boostobj.CatBoostRegressor)" if loss.task == "regression"
                    else " (use boostobj.CatBoostClassifier)")
            )
        self.init_score_ = None
        session = None if loss is None else {"X": X, "eval_set": eval_set, "loss": None,
                                             "init": None, "continued": None}
        setattr(self, _SESSION, session)
        try:
            super().fit(X, y, **kwargs)
        finally:
            setattr(self, _SESSION, None)
        drop_record(self)  # CatBoost keeps the metadata of the model this object held before
        if session is not None:
            self._record_fit(session)
        return self

    def _fit_arguments(self, given):
        """The ``fit`` arguments to forward (by keyword): those not at their default, each one
        the installed catboost's ``fit`` takes."""
        ours = inspect.signature(_CatBoostLossMixin.fit).parameters
        accepted = inspect.signature(super().fit).parameters
        kwargs = {}
        for name, value in given.items():
            if value is ours[name].default:
                continue
            if name not in accepted:
                raise TypeError(
                    f"{type(self).__name__}.fit: the installed catboost {cb.__version__} takes "
                    f"no {name!r} argument (boostobj declares catboost 1.2.10's); leave {name} "
                    "out or upgrade catboost"
                )
            kwargs[name] = value
        return kwargs

    def _record_fit(self, session) -> None:
        """After training: the start into the model and the record into its metadata."""
        fit_loss = session["loss"]
        if session["continued"] is not None:
            bias, start, folded = session["continued"]
            self.set_scale_and_bias(1.0, bias)
            store_record(self, records.record(fit_loss, start=start, folded=folded))
            if folded:
                self.init_score_ = _start_value(start)
        elif session["init"] is not None:
            fold_init_score(self, session["init"], loss=fit_loss)
            self.init_score_ = session["init"]
        else:  # the caller's baseline: nothing folded
            store_record(self, records.record(fit_loss, folded=False))

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
        # a loss with a CatBoost twin trains with the defaults CatBoost picks for the twin
        params.update(twin_defaults(fit_loss, params, train))
        params["loss_function"] = ValidatedObjective(fit_loss)
        session["loss"] = fit_loss
        metric = params.get("eval_metric")
        if metric is None or (isinstance(metric, Metric) and metric.loss == loss):
            params["eval_metric"] = fit_loss.metric
        user_pools = _user_pools(session)
        evals = out["eval_sets"]
        has_start = _has_baseline(train)
        init_model = out.get("init_model")
        if init_model is not None:
            if has_start:
                raise ValueError(
                    "a baseline with init_model: CatBoost continues from init_model's "
                    "predictions and takes no baseline then; leave the baseline out"
                )
            session["continued"] = _continued_start(init_model, fit_loss)
            return out
        if has_start:
            missing = [i for i, p in enumerate(evals) if not _has_baseline(p)]
            if missing:
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


def _continued_start(init_model, fit_loss):
    """``(bias, start, folded)`` for continuing ``init_model`` with ``fit_loss``: the bias the
    continued model must keep and the start its record carries on (the init model's record's,
    else its bias when non-zero). Refuses what the continued model could not reproduce."""
    scale, bias = init_model.get_scale_and_bias()
    if scale != 1.0:
        raise ValueError(
            f"init_model has scale {scale}: CatBoost trains on from its scaled predictions but "
            "the continued model has scale 1, so its old trees would lose the scale; continue "
            "a model of scale 1"
        )
    rec = model_record(init_model)
    if rec is None:
        folded = bool(np.any(np.asarray(bias) != 0.0))
        return bias, (bias if folded else None), folded
    if rec["link"] != fit_loss.link.name:
        raise ValueError(
            f"init_model was trained with the loss {rec['loss']!r} (link {rec['link']!r}); "
            f"{fit_loss!r} (link {fit_loss.link.name!r}) would read its margins on another "
            "scale; continue it with a loss of the same link"
        )
    return bias, rec["start"], rec["folded"]


def _start_value(start):
    """A record's start as ``init_score_`` holds it: a float, or an array (multiclass)."""
    return None if start is None else (start if np.ndim(start) == 0 else np.asarray(start))


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
    includes the start and is on the response scale (see
    :mod:`boostobj.adapters.catboost_sklearn`)."""

    _tasks = ("regression",)
    _task_word = "regression"

    def _boostobj_labels(self, loss, train, params):
        labels, w = labels_weights(train)
        y = loss.check_labels(as_stored(labels)[0])
        return y, check_weights(w, y.shape[0])

    def predict(self, data, prediction_type=None, ntree_start=0, ntree_end=0, thread_count=-1,
                verbose=None, task_type="CPU"):
        """CatBoost's ``predict``; for a boostobj loss without a ``prediction_type``,
        ``loss.link.inverse`` of the raw margins (the start included): the response scale."""
        loss = self._model_loss() if prediction_type is None else None
        if loss is None:
            return super().predict(data, prediction_type=prediction_type,
                                   ntree_start=ntree_start, ntree_end=ntree_end,
                                   thread_count=thread_count, verbose=verbose, task_type=task_type)
        raw = super().predict(data, prediction_type="RawFormulaVal", ntree_start=ntree_start,
                              ntree_end=ntree_end, thread_count=thread_count, verbose=verbose,
                              task_type=task_type)
        out = loss.link.inverse(raw)
        return float(out) if np.ndim(raw) == 0 else out

    def score(self, X, y=None):
        """R^2 of ``predict`` (for a boostobj loss the response scale, where CatBoost's
        ``score`` scores the raw margins); CatBoost's ``score`` otherwise."""
        if self._model_loss() is None:
            return super().score(X, y)
        if isinstance(X, cb.Pool):
            if y is not None:
                raise ValueError("y must be None when X is a catboost.Pool (its label is used)")
            y = X.get_label()
        if y is None:
            raise ValueError("score needs the labels y (or a catboost.Pool with a label)")
        pred = np.asarray(self.predict(X), dtype=np.float64)
        y = np.asarray(y, dtype=np.float64).reshape(pred.shape)
        return 1.0 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)
