"""XGBoost adapter: reading a DMatrix, and the parameters that start XGBoost right.

Facts this relies on (xgboost 3.2, see ``shared/FACTS.md`` §1-§3):

* ``xgb.train(obj=f)`` calls ``f(preds, dtrain)`` with float32 margins, ``(n,)`` or ``(n, k)``;
  labels and weights come from ``dtrain`` as float32 (weights empty when there are none) and
  XGBoost never applies the weights to a custom gradient.
* With a custom objective XGBoost does not estimate the intercept: ``base_score`` stays 0.5, read
  through the *configured* objective's link (0.5 as a margin under the default
  ``reg:squarederror``). :func:`xgboost_params` sets the objective whose link matches the loss and
  ``base_score`` from the loss's ``init_score``, so predictions are on the response scale and the
  model starts where the built-in would.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..links import IdentityLink, LogitLink, SoftmaxLink

__all__ = ["global_mean_loss", "labels_weights", "params_from_init", "xgboost_params"]


def labels_weights(dmatrix):
    """Labels and weights (None when unweighted) of an ``xgboost.DMatrix``."""
    w = dmatrix.get_weight()
    return dmatrix.get_label(), (w if w.size else None)


def xgboost_params(loss, y_true, sample_weight=None) -> dict[str, Any]:
    """Parameters for ``xgb.train`` / the XGBoost estimators that go with ``obj=loss``.

    * binary losses: ``objective="binary:logistic"`` and ``base_score`` = the probability
      ``sigmoid(init_score)``. XGBoost turns it into a margin with its own float32 logit, and
      ``booster.predict`` returns probabilities;
    * multiclass losses: ``objective="multi:softprob"``, ``num_class`` and the vector
      ``base_score`` (margins);
    * regression losses: the built-in twin's name when there is one (so XGBoost's ``approx``
      sketch weighs by hessian, FACTS §7.6) else ``reg:squarederror``, and
      ``base_score = init_score`` (identity link).

    The starting score is computed from the labels and weights rounded to float32, which is
    what XGBoost holds and what the objective sees.
    """
    from . import as_stored

    return params_from_init(loss, loss.init_score(*as_stored(y_true, sample_weight)))


def params_from_init(loss, init) -> dict[str, Any]:
    """:func:`xgboost_params` for a starting margin ``init`` computed elsewhere (e.g. from Dask
    collections by :func:`boostobj.adapters.dask.init_score`)."""
    if isinstance(loss.link, LogitLink):
        return {"objective": "binary:logistic", "base_score": float(loss.link.inverse(init))}
    if isinstance(loss.link, SoftmaxLink):
        init = np.asarray(init, dtype=np.float64)
        return {"objective": "multi:softprob", "num_class": int(init.shape[0]),
                "base_score": [float(v) for v in init]}
    assert isinstance(loss.link, IdentityLink)
    params: dict[str, Any] = {"objective": loss.builtin_twin().get("xgboost", "reg:squarederror"),
                              "base_score": float(init)}
    if params["objective"] == "reg:pseudohubererror":
        params["huber_slope"] = loss.delta
    return params


def global_mean_loss(loss, y, preds, w) -> float:
    """``loss.mean_loss`` over the rows of *all* workers when XGBoost trains distributed.

    In distributed training (``xgboost.dask``, Spark, Ray) XGBoost hands a custom metric the
    worker's own rows and reports one worker's value, while its built-in metrics are allreduced
    (measured: a local log loss 0.2056 beside the global 0.2071); workers would also disagree
    about early stopping. Here the weighted loss sum and the weight sum are allreduced, so every
    worker reports the global mean. Outside a distributed run this is ``loss.mean_loss``.
    """
    import sys

    collective = sys.modules.get("xgboost.collective")  # loaded whenever XGBoost is training
    if collective is None or not collective.is_distributed():
        return loss.mean_loss(y, preds, w)
    import math

    per_row = loss.loss(y, preds, w)  # already times w
    total = math.fsum(w) if w is not None and np.size(w) else float(np.shape(y)[0])
    sums = collective.allreduce(np.array([math.fsum(per_row), total]), collective.Op.SUM)
    return float(sums[0] / sums[1])
