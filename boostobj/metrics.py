"""Evaluation metrics that match each objective, for every XGBoost and LightGBM entry point.

:class:`Metric` (``loss.metric``) reports the weighted mean of the objective's own loss,
computed from **raw margins** (what both libraries hand a metric when the objective is
custom); lower is better. :class:`Concordance` reports Harrell's C of a survival loss's
margins; higher is better.
"""

from __future__ import annotations

import numpy as np

from .adapters import adapter, adapter_for

__all__ = ["BUILTIN_METRIC_NAMES", "Concordance", "Metric"]

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

    ``keys``: a :class:`boostobj.keyed.KeyedLabels` whose row keys the library holds as the
    labels (AFT's bounds, see :mod:`boostobj.keyed`); the metric reads them back into labels.

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

    #: What a library's early stopping must know: lower values are better.
    higher_is_better = False

    def __init__(self, loss, library: str | None = None, predictions: str = "margin",
                 keys=None) -> None:
        if library is not None:
            adapter(library)
        if predictions not in ("margin", "response"):
            raise ValueError(f"predictions must be 'margin' or 'response', got {predictions!r}")
        self.loss = loss
        self.library = library
        self.predictions = predictions
        self.keys = keys

    def replace(self, **changes) -> Metric:
        """This metric (of the same kind) with ``loss``, ``library``, ``predictions`` or
        ``keys`` changed: what the estimators bind for one fit."""
        unknown = set(changes) - {"loss", "library", "predictions", "keys"}
        if unknown:
            raise TypeError(f"Metric.replace takes loss, library, predictions and keys, got "
                            f"{sorted(unknown)}")
        if changes.get("library") is not None:
            adapter(changes["library"])
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new

    # ------------------------------------------------------------------ what the adapters ask
    @property
    def label_columns(self) -> int:
        """The label columns to read from a library's data object: 1 when the labels are row
        keys, else the loss's."""
        return 1 if self.keys is not None else self.loss.label_columns

    def labels(self, raw_y):
        """The labels a library handed in, read back from row keys when the metric has them."""
        return raw_y if self.keys is None else self.keys.labels(raw_y)

    def value(self, y, margins, sample_weight=None) -> float:
        """The metric's value: the loss's weighted mean (per event for Cox)."""
        return self.loss.mean_loss(y, margins, sample_weight)

    @property
    def additive(self) -> bool:
        """Whether the value comes from sums over the rows that parts of the data can add
        (distributed workers, CatBoost's ranges): not for a loss that couples its rows."""
        return not self.loss.couples_rows

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
        return (type(other) is type(self) and self.loss == other.loss
                and self.library == other.library and self.predictions == other.predictions
                and self.keys is other.keys)

    def __hash__(self) -> int:
        return hash((type(self), self.loss, self.library, self.predictions))

    def __call__(self, a, b, sample_weight=None):
        lib = adapter_for(b)
        if lib is not None:  # the library's call (predictions, its data object)
            return lib.metric_from_data(self, a, b)
        preds = np.asarray(b)  # the scikit-learn signature (y_true, y_pred, weight)
        if self.predictions == "response":
            with np.errstate(divide="ignore"):
                preds = self.loss.link.link(preds)
        return adapter(self.library or "xgboost").metric_from_arrays(self, self.labels(a), preds,
                                                                     sample_weight)

    # ------------------------------------------------------------------ CatBoost's protocol
    # ``eval_metric=loss.metric`` in CatBoost; the adapter (boostobj.adapters.catboost) reads
    # CatBoost's layout.

    #: Tells CatBoost not to compile these methods with numba.
    no_jit = True

    def evaluate(self, approxes, target, weight):
        """``(weighted loss sum, weight sum)`` over the rows CatBoost hands (raw margins, one
        array per output)."""
        if not self.additive:
            raise ValueError(
                f"{self!r} is not a sum over rows ({self.loss!r} couples them), but CatBoost "
                "adds a metric over ranges of rows; use CatBoost's own metric of that loss, or "
                "score the predictions after training"
            )
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


class Concordance(Metric):
    """Harrell's concordance index of a survival loss's margins (``loss.concordance``: a Cox
    margin is a risk, an AFT margin a log time), as an evaluation metric: **higher is better**.

    The same calls as :class:`Metric` (``xgb.train(custom_metric=c)``, ``lgb.train(feval=c)``,
    the scikit-learn signature, ``Concordance(loss, "lightgbm")`` returning
    ``(name, value, True)``). Early stopping must be told the direction where the library does
    not ask the metric: LightGBM reads ``is_higher_better`` from the tuple; XGBoost's
    ``xgb.train`` needs ``maximize=True`` (xgboost 3.2.0 decides it from built-in metric names
    only), which boostobj's XGBoost estimators pass for it. Not a sum over rows: CatBoost,
    which adds a metric over ranges of rows, and distributed training are refused.
    """

    higher_is_better = True

    def __init__(self, loss, library: str | None = None, keys=None) -> None:
        if getattr(loss, "task", None) != "survival":
            raise ValueError(f"Concordance scores a survival loss's margins; {loss!r} is not a "
                             "survival loss")
        super().__init__(loss, library, "margin", keys)

    @property
    def __name__(self) -> str:
        return "concordance"

    def __repr__(self) -> str:
        return f"Concordance({self.loss!r})"

    def value(self, y, margins, sample_weight=None) -> float:
        """Harrell's C of the margins (the loss's ``concordance``)."""
        return self.loss.concordance(y, margins, sample_weight)

    @property
    def additive(self) -> bool:
        return False

    def evaluate(self, approxes, target, weight):
        raise ValueError("Concordance is a ranking over all the rows, but CatBoost adds a "
                         "metric over ranges of rows; score the predictions after training "
                         "(loss.concordance(y, margins))")

    def is_max_optimal(self) -> bool:
        """Higher is better."""
        return True
