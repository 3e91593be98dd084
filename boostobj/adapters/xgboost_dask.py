"""``boostobj.DaskXGBClassifier`` / ``boostobj.DaskXGBRegressor``: ``xgboost.dask``'s estimators that
start a boostobj objective from its ``init_score`` over all partitions.

As :mod:`boostobj.adapters.xgboost_sklearn` (whose fit logic they share), with the starting score
reduced from the Dask collections by :func:`boostobj.adapters.dask.init_score`. The objective and
``eval_metric=loss.metric`` run on each worker's rows; the metric is allreduced so every worker
reports (and early-stops on) the global value. Needs a synchronous ``Client``. Continuing a model
(``xgb_model=``) keeps its start; ``objective__<name>`` parameters reach the loss; a loss of the
wrong kind is refused; ``loss.metric`` under a built-in objective reads its probabilities.
"""

from __future__ import annotations

import xgboost.dask as dxgb

from ._estimators import check_classes
from .dask import label_totals, resolved
from .xgboost import params_from_init
from .xgboost_sklearn import _StartFromInitScore

__all__ = ["DaskXGBClassifier", "DaskXGBRegressor"]


class _DaskStartFromInitScore(_StartFromInitScore):
    def _boostobj_params(self, loss, y, sample_weight, start=True):
        values, totals = label_totals(y, sample_weight, client=self.client)
        if isinstance(self, dxgb.DaskXGBClassifier):
            check_classes(loss, values)
        return params_from_init(loss, loss.init_score(values, totals)) if start else None

    def _boostobj_n_classes(self, y, sample_weight) -> int:
        return int(label_totals(y, client=self.client)[0].shape[0])

    def _boostobj_resolved(self, loss, y, sample_weight):
        return resolved(loss, y, sample_weight, client=self.client)


class DaskXGBClassifier(_DaskStartFromInitScore, dxgb.DaskXGBClassifier):
    """``xgboost.dask.DaskXGBClassifier`` that starts ``objective=<boostobj loss>`` from its
    ``init_score``; ``predict_proba`` returns probabilities."""

    def fit(self, X, y, *, sample_weight=None, base_margin=None, **kwargs):
        return self._boostobj_fit(super().fit, X, y, sample_weight, base_margin, kwargs)


class DaskXGBRegressor(_DaskStartFromInitScore, dxgb.DaskXGBRegressor):
    """``xgboost.dask.DaskXGBRegressor`` that starts ``objective=<boostobj loss>`` from its
    ``init_score``; ``predict`` includes it."""

    def fit(self, X, y, *, sample_weight=None, base_margin=None, **kwargs):
        return self._boostobj_fit(super().fit, X, y, sample_weight, base_margin, kwargs)
