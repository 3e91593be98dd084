"""``boostobj.XGBClassifier`` / ``boostobj.XGBRegressor``: XGBoost's estimators that start a
boostobj objective from its ``init_score``.

With a callable objective XGBoost's own estimators start from ``base_score=0.5`` (xgboost 3.2);
these subclasses set ``base_score`` from ``loss.init_score(y, sample_weight)`` for the one ``fit``
(unless you pass ``base_score`` or ``base_margin`` yourself). Everything else is XGBoost's:
``predict_proba`` already applies the sigmoid/softmax, because the wrapper configures
``binary:logistic`` / ``multi:softprob`` for callable objectives.
"""

from __future__ import annotations

import numpy as np
import xgboost as xgb

from ..losses import Loss
from . import neutral
from ._estimators import check_classes, temporarily
from .xgboost import xgboost_params

__all__ = ["XGBClassifier", "XGBRegressor"]


class _StartFromInitScore:
    def get_xgb_params(self):
        # A loss's own hyperparameters (objective__gamma, ...) are not booster parameters.
        return {k: v for k, v in super().get_xgb_params().items() if "__" not in k}

    def _boostobj_fit(self, fit, X, y, sample_weight, base_margin, kwargs):
        loss = self.objective
        if (isinstance(loss, Loss) and loss.task == "binary"
                and not neutral("scale_pos_weight", self.scale_pos_weight)):
            raise ValueError(
                f"scale_pos_weight={self.scale_pos_weight!r} is read only by XGBoost's built-in "
                f"logistic objectives; with {loss!r} it would change nothing. Weight the classes "
                "with sample weights instead: fit(X, y, sample_weight=np.where(y == 1, "
                f"{self.scale_pos_weight!r}, 1.0))"
            )
        if not isinstance(loss, Loss) or self.base_score is not None or base_margin is not None:
            return fit(X, y, sample_weight=sample_weight, base_margin=base_margin, **kwargs)
        params = self._boostobj_params(loss, y, sample_weight)
        with temporarily(self, base_score=params["base_score"]):
            return fit(X, y, sample_weight=sample_weight, base_margin=base_margin, **kwargs)

    def _boostobj_params(self, loss, y, sample_weight):
        """``xgboost_params`` from the labels; the Dask estimators reduce Dask collections instead."""
        if isinstance(self, xgb.XGBClassifier):
            check_classes(loss, np.unique(np.asarray(y)))
        return xgboost_params(loss, y, sample_weight)


class XGBClassifier(_StartFromInitScore, xgb.XGBClassifier):
    """``xgboost.XGBClassifier`` that starts ``objective=<boostobj loss>`` from its ``init_score``."""

    def fit(self, X, y, *, sample_weight=None, base_margin=None, **kwargs):
        return self._boostobj_fit(super().fit, X, y, sample_weight, base_margin, kwargs)


class XGBRegressor(_StartFromInitScore, xgb.XGBRegressor):
    """``xgboost.XGBRegressor`` that starts ``objective=<boostobj loss>`` from its ``init_score``."""

    def fit(self, X, y, *, sample_weight=None, base_margin=None, **kwargs):
        return self._boostobj_fit(super().fit, X, y, sample_weight, base_margin, kwargs)
