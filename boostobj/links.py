"""Link functions: what a raw margin means on the response scale.

``link.inverse(raw_prediction)`` turns margins into predictions (probabilities for the binary
and multiclass losses, the margin itself for regression); ``link.link`` goes the other way.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

from . import _math

__all__ = ["IdentityLink", "Link", "LogLink", "LogitLink", "SoftmaxLink"]


class Link:
    """Base class: a bijection between margins and the response scale."""

    name = "link"

    def link(self, y_pred: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def inverse(self, raw_prediction: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))


class IdentityLink(Link):
    """Regression: the margin is the prediction."""

    name = "identity"

    def link(self, y_pred):
        return np.asarray(y_pred, dtype=np.float64)

    def inverse(self, raw_prediction):
        return np.asarray(raw_prediction, dtype=np.float64)


class LogLink(Link):
    """Counts and positive targets: ``mu = exp(margin)``, ``margin = log(mu)``.

    The link of XGBoost's ``count:poisson``, ``reg:gamma`` and ``reg:tweedie`` and of LightGBM's
    ``poisson``, ``gamma`` and ``tweedie``: ``link.inverse`` gives the predicted mean. A mean of
    0 is the margin ``-inf`` (and back), without a warning.
    """

    name = "log"

    def link(self, y_pred):
        with np.errstate(divide="ignore"):
            return np.log(np.asarray(y_pred, dtype=np.float64))

    def inverse(self, raw_prediction):
        return np.exp(np.asarray(raw_prediction, dtype=np.float64))


class LogitLink(Link):
    """Binary classification: ``p = sigmoid(margin)``, ``margin = log(p / (1 - p))``."""

    name = "logit"

    def link(self, y_pred):
        return logit(np.asarray(y_pred, dtype=np.float64))

    def inverse(self, raw_prediction):
        return expit(np.asarray(raw_prediction, dtype=np.float64))


class SoftmaxLink(Link):
    """Multiclass: ``p_k = exp(z_k) / sum_j exp(z_j)`` row-wise; ``link`` returns centred log-probabilities."""

    name = "softmax"

    def link(self, y_pred):
        """Log-probabilities centred on the mean of the finite ones in each row: a class of
        probability 0 gets the margin -inf and leaves the others finite (inverse gives them back)."""
        with np.errstate(divide="ignore"):
            logp = np.log(np.asarray(y_pred, dtype=np.float64))
        finite = np.isfinite(logp)
        count = finite.sum(axis=-1, keepdims=True)
        total = np.where(finite, logp, 0.0).sum(axis=-1, keepdims=True)
        centre = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
        return logp - centre

    def inverse(self, raw_prediction):
        return _math.softmax(np.atleast_2d(np.asarray(raw_prediction, dtype=np.float64)))
