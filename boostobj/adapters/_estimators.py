"""What the boostobj estimators share: parameters routed to the loss, parameters set for the
length of one ``fit``, the checks made before training, and binding ``loss.metric`` to what a
built-in objective hands a metric."""

from __future__ import annotations

import contextlib
import copy
import warnings

import numpy as np

from ..losses import Loss
from ..losses._base import plain
from ..metrics import Metric

#: ``set_params`` keys with this prefix are the loss's hyperparameters (scikit-learn's nesting).
_PREFIX = "objective__"
_MISSING = object()


class LossParamsMixin:
    """``set_params`` that hands ``objective__<name>`` keys to the loss.

    XGBoost's and LightGBM's ``set_params`` store keys they do not know as booster parameters,
    so ``GridSearchCV(..., {"objective__gamma": [...]})`` would change nothing. Here those keys
    go to ``self.objective.set_params`` (validated: an invalid value raises ``ValueError`` and
    changes nothing); every other key goes to the library's ``set_params``. As in scikit-learn,
    ``objective`` itself is set first, so ``set_params(objective=FocalLoss(),
    objective__gamma=1.0)`` sets the new loss's gamma.
    """

    def set_params(self, **params):
        nested = {k[len(_PREFIX):]: v for k, v in params.items() if k.startswith(_PREFIX)}
        rest = {k: v for k, v in params.items() if not k.startswith(_PREFIX)}
        if nested:
            loss = rest.get("objective", getattr(self, "objective", None))
            if not isinstance(loss, Loss):
                keys = ", ".join(_PREFIX + k for k in nested)
                raise ValueError(
                    f"{keys} set, but objective={plain(loss)!r} is not a boostobj loss, so it has "
                    "no such parameter; set objective to a boostobj loss (e.g. "
                    "objective=boostobj.FocalLoss()) first"
                )
            with warnings.catch_warnings():  # validate before changing anything (warn once)
                warnings.simplefilter("ignore")
                copy.deepcopy(loss).set_params(**nested)
        if rest:
            super().set_params(**rest)
        if nested:
            self.objective.set_params(**nested)
        return self


@contextlib.contextmanager
def temporarily(estimator, **attrs):
    """Set parameters for one ``fit`` and restore them, so ``get_params``/``clone`` stay as the
    user constructed the estimator (scikit-learn's rule that ``fit`` leaves params alone).

    LightGBM's estimators read ``_other_params`` over the attributes (``get_params``), and keep
    there the parameters that are not constructor arguments (``metric``): those are set and
    restored there too.
    """
    other = getattr(estimator, "_other_params", None)
    old = {k: estimator.__dict__.get(k, _MISSING) for k in attrs}
    old_other = ({k: other.get(k, _MISSING) for k in attrs} if isinstance(other, dict) else {})
    for k, v in attrs.items():
        setattr(estimator, k, v)
        if k in old_other and (old_other[k] is not _MISSING or old[k] is _MISSING):
            other[k] = v
    try:
        yield
    finally:
        for k, v in old.items():
            if v is _MISSING:
                estimator.__dict__.pop(k, None)
            else:
                setattr(estimator, k, v)
        other = getattr(estimator, "_other_params", None)
        for k, v in old_other.items():
            if v is _MISSING:
                other.pop(k, None)
            else:
                other[k] = v


def is_classifier(estimator) -> bool:
    from sklearn.base import ClassifierMixin

    return isinstance(estimator, ClassifierMixin)


def check_task(estimator, loss) -> None:
    """A classifier takes a binary or multiclass loss, a regressor a regression or survival
    loss (not a distributed one: ``estimator._boostobj_distributed``): else a clear error,
    before training, naming the estimator to use."""
    classifier = is_classifier(estimator)
    name = type(estimator).__name__
    if loss.task == "survival" and getattr(estimator, "_boostobj_distributed", False):
        raise ValueError(
            f"{loss!r} is a survival loss, but {name} trains on several workers, each with its "
            "own rows: a Cox gradient needs every row's risk set and AFT's bounds are a pair per "
            "row, which a Dask label does not hold. Train it on one machine with "
            f"boostobj.{name.removeprefix('Dask')}"
        )
    if loss.task in (("binary", "multiclass") if classifier else ("regression", "survival")):
        return
    other = (name.replace("Classifier", "Regressor") if classifier
             else name.replace("Regressor", "Classifier"))
    raise ValueError(
        f"{loss!r} is a {loss.task} loss, but {name} is a "
        f"{'classifier' if classifier else 'regressor'}: its predictions would mean nothing "
        f"({'probabilities from regression targets' if classifier else 'margins, not the response'}). "
        f"Use boostobj.{other}(objective={loss!r}), or a "
        + ("classification loss (BinaryLogLoss, FocalLoss, SoftmaxLoss, MulticlassFocalLoss)"
           if classifier else "regression loss (SquaredErrorLoss, LogCoshLoss, PseudoHuberLoss)")
        + f" with {name}"
    )


def survival_score(estimator, X, y, sample_weight=None) -> float:
    """Harrell's C of a survival model's margins on ``X`` against the labels ``y``
    (``loss.concordance``): what a survival estimator's ``score`` returns (higher is better,
    as scikit-learn's model selection expects), in place of R^2 of ``predict``."""
    margins = np.log(np.asarray(estimator.predict(X), dtype=np.float64))
    return estimator.loss_.concordance(y, margins, sample_weight)


def encode_classes(y) -> tuple[np.ndarray, np.ndarray]:
    """Sorted classes and labels encoded as ``0..k-1``, as LightGBM's classifier encodes them."""
    classes, encoded = np.unique(np.asarray(y), return_inverse=True)
    return classes, encoded.astype(np.float64)


def check_classes(loss, classes) -> None:
    """Whether a scikit-learn classifier's distinct labels ``classes`` suit ``loss``."""
    classes = np.asarray(classes)
    n = classes.shape[0]
    try:
        numeric = classes.astype(np.float64)
    except (TypeError, ValueError):  # strings: the wrappers that accept them encode them
        numeric = None
    if numeric is not None and not np.all(np.isfinite(numeric)):
        raise ValueError("y contains NaN or inf; drop or impute those rows")
    if loss.task == "multiclass":
        if n < 2:
            raise ValueError(f"{loss!r}: y has one class only; a classifier needs several")
        if n == 2:
            raise ValueError(
                f"{loss!r} on two classes: the classifier treats two classes as a binary task; "
                "use boostobj.BinaryLogLoss() (the same model as a two-class softmax) or "
                "boostobj.FocalLoss()"
            )
        k = loss.fixed_classes  # the class count n_classes or alpha fixes
        if k is not None and k != n:
            fixed = ("n_classes" if getattr(loss, "n_classes", None) is not None
                     else "alpha (one weight per class)")
            raise ValueError(
                f"{loss!r} has {k} classes but y has {n} ({_shown(classes)}); LightGBM would "
                "stop with 'Number of class for initial score error' and XGBoost with a "
                f"shape error. Give {fixed} for the {n} classes of y, or leave n_classes=None "
                "to take the count from the labels"
            )
        return
    if n != 2:
        soft = numeric is not None and np.any(numeric != np.floor(numeric))
        raise ValueError(
            f"{loss!r} is a binary objective but y has {n} distinct value(s) ({_shown(classes)}); "
            + ("a classifier needs class labels, not probabilities (soft labels)" if soft else
               "use boostobj.SoftmaxLoss() for more than two classes" if n > 2 else
               "a classifier needs both classes in y")
        )


def _shown(classes) -> str:
    n = len(classes)
    return ", ".join(repr(c) for c in np.asarray(classes)[:5].tolist()) + (", ..." if n > 5 else "")


# ------------------------------------------------------------------ metrics under built-in objectives
def bind_builtin_metrics(eval_metric, objective, output, library: str | None = None):
    """``eval_metric`` with each boostobj :class:`~boostobj.Metric` bound to read what the
    built-in ``objective`` hands a custom metric.

    ``output`` is ``(link name, "response" | "margin")`` for that objective (the adapters'
    tables), or None when boostobj cannot read its predictions: then a boostobj metric is refused
    before training, since it would score those predictions as margins (and could drive early
    stopping). ``library="lightgbm"`` binds LightGBM's return form.
    """
    items = eval_metric if isinstance(eval_metric, (list, tuple)) else [eval_metric]
    if not any(isinstance(m, Metric) for m in items):
        return eval_metric
    bound = []
    for m in items:
        if isinstance(m, Metric):
            link = m.loss.link.name
            if output is None or output[0] != link:
                what = ("a scale boostobj cannot read" if output is None
                        else f"predictions of the {output[0]} link")
                raise ValueError(
                    f"{m.loss!r}.metric scores margins of its {link} link, but the built-in "
                    f"objective {objective!r} hands a metric {what}, so the values would be "
                    f"wrong (and could drive early stopping). Train with objective={m.loss!r}, or "
                    "use the metric with a built-in objective of the same link, or the "
                    "library's own metric"
                )
            m = m.replace(library=library or m.library, predictions=output[1])
        bound.append(m)
    return bound if isinstance(eval_metric, (list, tuple)) else bound[0]


def with_fitted_loss(eval_metric, loss, fit):
    """``eval_metric`` (one metric or a list) with every boostobj metric of ``loss`` scoring with
    ``fit``, the loss resolved on the training labels (its ``"auto"`` scale): validation sets
    are scored with the training set's scale, also on Dask workers."""
    if isinstance(eval_metric, (list, tuple)):
        return type(eval_metric)(with_fitted_loss(m, loss, fit) for m in eval_metric)
    if isinstance(eval_metric, Metric) and eval_metric.loss == loss:
        return eval_metric.replace(loss=fit)
    return eval_metric
