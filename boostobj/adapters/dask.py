"""Dask: the starting score from Dask collections, for ``xgboost.dask`` and ``lightgbm.dask``.

The objective itself needs nothing global: both libraries ship the loss to every worker
(cloudpickle; a loss pickles as its hyperparameters) and call it on that worker's rows,
exactly as on one machine. What does need all rows is the starting score. :func:`init_score`
gets it by a reduction: every chunk sends its distinct labels with their total weight, and the
client minimises the loss over those weighted distinct labels, which is the same problem
(:math:`\\sum_i w_i L(y_i, c) = \\sum_u W_u L(u, c)`). So any loss works and the result equals
``loss.init_score`` on the gathered arrays up to summation order. The size of what travels:

* classification (binary, multiclass): one total per class, a reduction of k sums;
* regression with continuous targets: up to one (value, weight) pair per row. The closed form of
  squared error would need only two sums, but log-cosh and pseudo-Huber are solved by Newton
  steps from the weighted median, which need the labels themselves.

The Dask estimators (``boostobj.DaskXGBClassifier``, ``DaskXGBRegressor``,
``DaskLGBMClassifier``, ``DaskLGBMRegressor``) use it; for ``xgboost.dask.train`` call
:func:`xgboost_params`.
"""

from __future__ import annotations

import numpy as np

from ..losses import Loss
from . import as_stored

__all__ = ["init_score", "label_totals", "repeat_like", "resolved", "xgboost_params"]

#: How many partial results one task merges in the tree reduction of :func:`label_totals`.
_FAN_IN = 8


def label_totals(y, sample_weight=None, *, client=None,
                 rounded: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Distinct labels of a Dask collection (sorted) and the total weight of each.

    ``y`` and ``sample_weight`` are Dask Arrays or Series/DataFrames with matching partitions
    (as ``xgboost.dask`` and ``lightgbm.dask`` require). Without weights the totals are counts.
    Numeric labels are rounded to float32 as the libraries store them (``rounded=False``: the
    labels as given, which is what a classifier encodes and looks ``class_weight`` up with);
    weights always are. Computed by ``client`` (default: the current Dask client or scheduler).
    """
    import dask

    ys = _blocks(y, "y")
    ws = [None] * len(ys) if sample_weight is None else _blocks(sample_weight, "sample_weight", like=y)
    if len(ws) != len(ys):
        raise ValueError(
            f"sample_weight has {len(ws)} partitions but y has {len(ys)}; partition them alike"
        )
    parts = [dask.delayed(_chunk_totals, pure=True)(yb, wb, rounded) for yb, wb in zip(ys, ws)]
    while len(parts) > 1:  # tree reduction: no task holds more than _FAN_IN partial results
        parts = [dask.delayed(_merge_totals, pure=True)(*parts[i:i + _FAN_IN])
                 for i in range(0, len(parts), _FAN_IN)]
    if client is None:
        return dask.compute(parts[0])[0]
    _check_sync(client)
    return client.compute(parts[0]).result()


def init_score(loss: Loss, y, sample_weight=None, *, client=None):
    """``loss.init_score(y, sample_weight)`` for Dask collections (see the module docstring)."""
    values, totals = label_totals(y, sample_weight, client=client)
    return loss.init_score(values, totals)


def resolved(loss: Loss, y, sample_weight=None, *, client=None) -> Loss:
    """``loss.resolved(y, w)`` for Dask collections: a loss with ``"auto"`` hyperparameters
    (the robust losses' scale) estimated on all rows, from the same reduction as
    :func:`init_score` (a weighted median of the distinct labels with their total weights is the
    weighted median of the rows). Train distributed with the result: each worker sees only its
    own rows, so an unresolved loss is refused there."""
    if not loss._has_auto():
        return loss
    values, totals = label_totals(y, sample_weight, client=client)
    return loss.resolved(values, totals)


def xgboost_params(loss: Loss, y, sample_weight=None, *, client=None, xgb_model=None) -> dict:
    """:func:`boostobj.xgboost_params` for Dask collections: merge into the params of
    ``xgboost.dask.train(client, params, dtrain, obj=fit, custom_metric=fit.metric)`` with
    ``fit = resolved(loss, y, w)`` (the same loss when it has no "auto" hyperparameter). With
    ``xgb_model`` (continued training) ``base_score`` is left out, so the model keeps its own
    start (see :func:`boostobj.xgboost_params`)."""
    from .xgboost import params_from_init

    values, totals = label_totals(y, sample_weight, client=client)
    fit = loss.resolved(values, totals)
    params = params_from_init(fit, fit.init_score(values, totals), warn=xgb_model is None)
    if xgb_model is not None:
        params.pop("base_score", None)  # absent for multiclass on XGBoost < 3.1
    return params


def repeat_like(init, like):
    """The constant ``init`` for every row of the Dask collection ``like``, partitioned alike:
    ``(n,)``, or ``(n, k)`` when ``init`` has k values (multiclass). For LightGBM's
    ``init_score`` / ``eval_init_score``."""
    import dask.array as da

    init = np.asarray(init, dtype=np.float64)
    if isinstance(like, da.Array):
        rows = like[:, 0] if like.ndim > 1 else like  # one entry per row, the same row chunks
        if init.ndim == 0:
            return rows.map_blocks(_fill_array, float(init), dtype=np.float64)
        return rows.map_blocks(_fill_array, init, chunks=(rows.chunks[0], (init.shape[0],)),
                               new_axis=1, dtype=np.float64)
    if hasattr(like, "map_partitions"):  # Dask Series or DataFrame
        import pandas as pd

        if init.ndim == 0:
            meta = pd.Series([], dtype=np.float64)
        else:
            meta = pd.DataFrame({i: pd.Series([], dtype=np.float64) for i in range(init.shape[0])})
        return like.map_partitions(_fill_pandas, init, meta=meta)
    raise TypeError(f"expected a Dask Array, Series or DataFrame, got {type(like).__name__}")


def _blocks(x, name, like=None) -> list:
    """One delayed numpy/pandas object per row partition."""
    import dask.array as da

    if isinstance(x, da.Array):
        if isinstance(like, da.Array) and x.chunks[0] != like.chunks[0]:
            x = x.rechunk({0: like.chunks[0]})
        if x.ndim > 1:
            x = x.rechunk({i: -1 for i in range(1, x.ndim)})
        return list(x.to_delayed().ravel())
    if hasattr(x, "to_delayed"):  # Dask Series / DataFrame
        return list(x.to_delayed())
    raise TypeError(
        f"{name} must be a Dask Array or Series for the Dask estimators, got {type(x).__name__}; "
        "use boostobj.XGBClassifier/LGBMClassifier etc. for in-memory data"
    )


def _chunk_totals(y, w, rounded=True):
    # labels (string labels too: LightGBM's classifier encodes them) and weights as the
    # libraries store them (float32; see boostobj.adapters.as_stored)
    y = np.asarray(y).reshape(-1)
    stored_y, w = as_stored(y, None if w is None else np.asarray(w).reshape(-1))
    if rounded:
        y = stored_y
    values, inverse = np.unique(y, return_inverse=True)
    if w is None:
        return values, np.bincount(inverse, minlength=values.shape[0]).astype(np.float64)
    if w.shape != y.shape:
        raise ValueError(f"a partition has {w.shape[0]} weights for {y.shape[0]} labels")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("sample_weight must be finite and >= 0")
    return values, np.bincount(inverse, weights=w, minlength=values.shape[0])


def _merge_totals(*parts):
    values = np.concatenate([p[0] for p in parts])
    totals = np.concatenate([p[1] for p in parts])
    merged, inverse = np.unique(values, return_inverse=True)
    return merged, np.bincount(inverse, weights=totals, minlength=merged.shape[0])


def _fill_array(block, init):
    n = block.shape[0]
    return np.full(n, init) if np.ndim(init) == 0 else np.tile(init, (n, 1))


def _fill_pandas(part, init):
    import pandas as pd

    values = _fill_array(np.empty(len(part)), init)
    return pd.Series(values, index=part.index) if values.ndim == 1 else pd.DataFrame(values, index=part.index)


def _check_sync(client) -> None:
    if getattr(client, "asynchronous", False):
        raise TypeError(
            "boostobj's Dask helpers need a synchronous dask.distributed.Client; compute the "
            "starting score with a synchronous client, or await the training yourself with "
            "params from boostobj.adapters.dask.xgboost_params"
        )
