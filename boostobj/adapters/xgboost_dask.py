"""``boostobj.DaskXGBClassifier`` / ``boostobj.DaskXGBRegressor``: ``xgboost.dask``'s estimators that
start a boostobj objective from its ``init_score`` over all partitions.

As :mod:`boostobj.adapters.xgboost_sklearn` (whose fit logic they share), with the starting score
reduced from the Dask collections by :func:`boostobj.adapters.dask.init_score` (a regressor's by
reductions of bounded size, a classifier's from its class totals). The objective and
``eval_metric=loss.metric`` run on each worker's rows; the metric is allreduced so every worker
reports (and early-stops on) the global value. Needs a synchronous ``Client``. Continuing a model
(``xgb_model=``) keeps its start; ``objective__<name>`` parameters reach the loss; a loss of the
wrong kind is refused; ``loss.metric`` under a built-in objective reads its probabilities.
On XGBoost < 3.1 a multiclass start goes in ``base_margin`` (a Dask collection partitioned like
``X``, for ``fit``, the eval sets and ``predict``/``predict_proba``), as in the in-memory
estimators; the classes derive from XGBoost's first, for xgboost 2.1's ``get_params``.
"""

from __future__ import annotations

import xgboost.dask as dxgb

from ._estimators import check_classes
from .dask import init_score, label_totals, repeat_like, resolved
from .xgboost_sklearn import _StartFromInitScore

__all__ = ["DaskXGBClassifier", "DaskXGBRegressor"]


class _DaskStartFromInitScore(_StartFromInitScore):
    _boostobj_uses = ("xgboost", "dask")
    #: Trains on several workers: survival losses are refused (``check_task``).
    _boostobj_distributed = True

    def _boostobj_init(self, loss, y, sample_weight, start=True):
        if not isinstance(self, dxgb.DaskXGBClassifier):  # bounded reductions, no class check
            return init_score(loss, y, sample_weight, client=self.client) if start else None
        values, totals = label_totals(y, sample_weight, client=self.client)
        check_classes(loss, values)
        return loss.init_score(values, totals) if start else None

    def _boostobj_fill(self, start, X):
        return repeat_like(start, X)

    def _boostobj_n_classes(self, y, sample_weight) -> int:
        return int(label_totals(y, client=self.client)[0].shape[0])

    def _boostobj_resolved(self, loss, y, sample_weight):
        return resolved(loss, y, sample_weight, client=self.client)


class DaskXGBClassifier(dxgb.DaskXGBClassifier, _DaskStartFromInitScore):
    """``xgboost.dask.DaskXGBClassifier`` that starts ``objective=<boostobj loss>`` from its
    ``init_score``; ``predict_proba`` returns probabilities."""

    def fit(self, X, y, *, sample_weight=None, base_margin=None, **kwargs):
        return self._boostobj_fit(super().fit, X, y, sample_weight, base_margin, kwargs)

    def predict(self, X, output_margin=False, validate_features=True, base_margin=None,
                iteration_range=None):
        return super().predict(X, output_margin=output_margin,
                               validate_features=validate_features,
                               base_margin=self._boostobj_margin(X, base_margin),
                               iteration_range=iteration_range)

    def predict_proba(self, X, validate_features=True, base_margin=None, iteration_range=None):
        return super().predict_proba(X, validate_features=validate_features,
                                     base_margin=self._boostobj_margin(X, base_margin),
                                     iteration_range=iteration_range)


class DaskXGBRegressor(dxgb.DaskXGBRegressor, _DaskStartFromInitScore):
    """``xgboost.dask.DaskXGBRegressor`` that starts ``objective=<boostobj loss>`` from its
    ``init_score``; ``predict`` includes it and returns the response, as
    ``boostobj.XGBRegressor`` does: the mean ``exp(margin)`` for the log-link losses
    (``PoissonLoss``, ``GammaLoss``, ``TweedieLoss``; ``output_margin=True`` for the margin)."""

    def fit(self, X, y, *, sample_weight=None, base_margin=None, **kwargs):
        return self._boostobj_fit(super().fit, X, y, sample_weight, base_margin, kwargs)
