"""``boostobj.DaskLGBMClassifier`` / ``boostobj.DaskLGBMRegressor``: ``lightgbm.dask``'s estimators
made whole for a boostobj objective.

As :mod:`boostobj.adapters.lightgbm_sklearn` (whose fit logic they share): the starting score,
reduced from the Dask collections by :func:`boostobj.adapters.dask.init_score`, goes in as a Dask
``init_score`` partitioned like ``y`` and is folded into the first tree afterwards;
``metric="None"`` keeps LightGBM from adding a built-in metric computed on raw scores (the workers
fit plain ``lightgbm`` estimators, which would) and the workers get the loss bound to LightGBM's
conventions (``FitObjective(loss, "lightgbm")``, the multiclass hessian scale); ``to_local()`` returns a
``boostobj.LGBMClassifier`` / ``LGBMRegressor``, so ``predict_proba`` returns probabilities and
``predict`` class labels.

LightGBM evaluates every metric, its own and custom ones, on each worker's rows only and reports
one worker's values (lightgbm-org/LightGBM#6963), so ``evals_result_`` is not the global metric.
"""

from __future__ import annotations

import lightgbm.dask as dlgb
import numpy as np

from .._objective import FitObjective
from ..losses import Loss
from ._estimators import check_classes, check_task, temporarily
from .dask import init_score, label_totals, repeat_like, resolved
from .lightgbm_sklearn import _METRIC_ALIASES, LGBMClassifier, LGBMRegressor, _LGBMLossMixin

__all__ = ["DaskLGBMClassifier", "DaskLGBMRegressor"]


class _DaskLGBMLossMixin(_LGBMLossMixin):
    #: Trains on several workers: survival losses are refused (``check_task``).
    _boostobj_distributed = True

    def _boostobj_dask_fit(self, fit, X, y, sample_weight, init_score, eval_set, eval_init_score,
                           eval_metric, kwargs):
        loss = self.objective
        if isinstance(loss, Loss):
            check_task(self, loss)

        def worker_fit(*args, **kw):
            # The workers build plain lightgbm estimators from get_params(), so what they need
            # is a parameter for the length of the fit (lightgbm.dask copies the params back
            # afterwards): the loss bound to LightGBM's conventions (they call it with the
            # scikit-learn signature, which is XGBoost's otherwise: the multiclass hessian
            # scale), and metric="None" (they would add a metric computed on raw scores).
            if not isinstance(loss, Loss):
                return fit(*args, **kw)
            attrs = {"objective": FitObjective(self.objective, "lightgbm")}  # resolved by now
            if not any(k in self.get_params() for k in _METRIC_ALIASES):
                attrs["metric"] = "None"
            with temporarily(self, **attrs):
                return fit(*args, **kw)

        return self._boostobj_fit(worker_fit, X, y, y, sample_weight, init_score, eval_set,
                                  eval_init_score, eval_metric, sample_weight, kwargs)

    def _boostobj_init(self, loss, y, sample_weight):
        return init_score(loss, y, sample_weight, client=self.client)

    def _boostobj_repeat(self, init, like):
        return repeat_like(init, like)

    def _boostobj_resolved(self, loss, y, sample_weight):
        return resolved(loss, y, sample_weight, client=self.client)

    def _boostobj_n_classes(self, y) -> int:
        return int(label_totals(y, client=self.client)[0].shape[0])


class DaskLGBMClassifier(_DaskLGBMLossMixin, dlgb.DaskLGBMClassifier):
    """``lightgbm.dask.DaskLGBMClassifier`` with starting score, metric and probabilities for
    boostobj losses."""

    def fit(self, X, y, sample_weight=None, init_score=None, eval_set=None, eval_init_score=None,
            eval_metric=None, **kwargs):
        return self._boostobj_dask_fit(super().fit, X, y, sample_weight, init_score, eval_set,
                                       eval_init_score, eval_metric, kwargs)

    def _boostobj_init(self, loss, y, sample_weight):
        # The workers' LGBMClassifier encodes the sorted distinct labels as 0..k-1 and looks
        # class_weight up with the labels as given (not rounded to float32: a key 0.1 is 0.1).
        values, totals = label_totals(y, sample_weight, client=self.client, rounded=False)
        check_classes(loss, values)
        if self.class_weight is not None:  # folded into the weights on every worker
            if not isinstance(self.class_weight, dict):
                raise ValueError(
                    f"class_weight={self.class_weight!r} is computed by each worker from its own "
                    "rows under lightgbm.dask; pass a dict {label: weight} instead"
                )
            totals = totals * np.array([self.class_weight.get(v, 1.0) for v in values.tolist()])
        return loss.init_score(np.arange(values.shape[0], dtype=np.float64), totals)

    def get_params(self, deep=True):
        return _own_params(self, super().get_params(deep))

    def to_local(self) -> LGBMClassifier:
        """A ``boostobj.LGBMClassifier`` with this model (what ``predict``/``predict_proba`` use)."""
        return self._lgb_dask_to_local(LGBMClassifier)


class DaskLGBMRegressor(_DaskLGBMLossMixin, dlgb.DaskLGBMRegressor):
    """``lightgbm.dask.DaskLGBMRegressor`` with starting score and metric for boostobj losses;
    ``predict`` includes the starting score."""

    def fit(self, X, y, sample_weight=None, init_score=None, eval_set=None, eval_init_score=None,
            eval_metric=None, **kwargs):
        return self._boostobj_dask_fit(super().fit, X, y, sample_weight, init_score, eval_set,
                                       eval_init_score, eval_metric, kwargs)

    def get_params(self, deep=True):
        return _own_params(self, super().get_params(deep))

    def to_local(self) -> LGBMRegressor:
        """A ``boostobj.LGBMRegressor`` with this model (what ``predict`` uses)."""
        return self._lgb_dask_to_local(LGBMRegressor)


def _own_params(estimator, params: dict) -> dict:
    """``params`` with the estimator's own objects. LightGBM's ``get_params`` works on copies
    of the estimator (``copy.copy``), which lightgbm.dask's ``__getstate__`` makes deep: the
    loss in ``get_params()`` was a copy, so scikit-learn's ``clone`` refused the estimator ("the
    constructor either does not set or modifies parameter objective")."""
    own = estimator.__dict__
    for key in params:
        if key in own:
            params[key] = own[key]
    params.update(estimator._other_params)
    return params
