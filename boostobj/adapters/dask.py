r"""Dask: the starting score and ``"auto"`` scales from Dask collections, for ``xgboost.dask``
and ``lightgbm.dask``.

The objective itself needs nothing global: both libraries ship the loss to every worker
(cloudpickle; a loss pickles as its hyperparameters) and call it on that worker's rows,
exactly as on one machine. What does need all rows is the start and the ``"auto"`` scale of the
robust losses. A loss writes those once against a few questions about the labels
(:mod:`boostobj.losses.labels`); :class:`DaskLabels` answers them with reductions whose results
are bounded in size whatever the number of rows:

* **weighted quantiles and medians** (the robust losses' start, :class:`~boostobj.QuantileLoss`,
  :func:`~boostobj.losses.regression.robust_scale`'s median and MAD): an exact distributed
  selection (:meth:`DaskLabels.quantile`). Each round every partition returns, for the labels
  in the current bracket ``(lo, hi]``, the count, float weight, smallest and largest label in
  each of at most :data:`QUANTILE_BINS` bins, plus the exact weight (an integer, see
  :func:`~boostobj.losses.labels.exact_sum`) of its labels up to ``lo``; a tree reduction sums
  them, and the client narrows the bracket to the bin(s) where the cumulative weight reaches
  the target (two bins where float rounding leaves it undecided). The bins are equally spaced
  in the order of the float64 bit patterns, so any distribution (heavy tails, values spread
  over many binades) narrows by a factor of about ``QUANTILE_BINS / 2`` per round. The search
  stops when one distinct value is left, or when at most :data:`QUANTILE_FETCH` labels are,
  which are then fetched and finished exactly. Rounds: the first spans every float; then about
  :math:`\log_B(n / m)` more for continuous labels, about 10 at most whatever the labels (64
  bits of key, about 9 a round; a round is repeated with exact bin sums where weights spread
  over many orders of magnitude leave more than one bin boundary undecided in floats). What
  reaches the client: at most ``4 B + 2`` numbers a round (``B`` = :data:`QUANTILE_BINS`) and
  ``2 m`` in the fetch (``m`` = :data:`QUANTILE_FETCH`). The result is the one-machine
  function's, **bit for bit** (exact cumulative weights, whatever the partitioning);
* **weighted means** (squared error, expectile, the log-link losses, the MAD fallback): exact
  sums, so the mean is bit-identical too;
* **gradient sums** (the Newton steps of the robust, expectile, Fair, combined and derived
  losses' starts from their median or mean): one reduction of two floats a step (about 10
  steps), equal to one machine's up to summation order;
* **classification** (binary, multiclass): the distinct labels with their total weight
  (:func:`label_totals`), one total per class.

Each round reads the label (and weight) partitions again: persist them (``y.persist()``) when
they are expensive to compute. The Dask estimators (``boostobj.DaskXGBClassifier``,
``DaskXGBRegressor``, ``DaskLGBMClassifier``, ``DaskLGBMRegressor``) use these; for
``xgboost.dask.train`` call :func:`xgboost_params`.
"""

from __future__ import annotations

import bisect
import itertools
import math
import struct

import numpy as np

from ..losses import Loss
from ..losses.labels import (
    exact,
    exact_group_sums,
    exact_sum,
    first_reaching,
    quantile_target,
    to_float,
)
from . import as_stored

__all__ = ["DaskLabels", "init_score", "label_totals", "repeat_like", "resolved",
           "xgboost_params"]

#: How many partial results one task merges in the tree reductions.
_FAN_IN = 8
#: Bins per round of :meth:`DaskLabels.quantile` (``B``).
QUANTILE_BINS = 1024
#: :meth:`DaskLabels.quantile` fetches the labels left in its bracket once there are at most
#: this many (``m``).
QUANTILE_FETCH = 4096


def label_totals(y, sample_weight=None, *, client=None,
                 rounded: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Distinct labels of a Dask collection (sorted) and the total weight of each.

    ``y`` and ``sample_weight`` are Dask Arrays or Series/DataFrames with matching partitions
    (as ``xgboost.dask`` and ``lightgbm.dask`` require). Without weights the totals are counts.
    Numeric labels are rounded to float32 as the libraries store them (``rounded=False``: the
    labels as given, which is what a classifier encodes and looks ``class_weight`` up with);
    weights always are. Computed by ``client`` (default: the current Dask client or scheduler).
    """
    return _reduce(_pairs(y, sample_weight), _chunk_totals, (rounded,), _merge_totals, client)


def init_score(loss: Loss, y, sample_weight=None, *, client=None):
    """``loss.init_score(y, sample_weight)`` for Dask collections (see the module docstring).
    A survival loss is refused: boostobj does not train one distributed (a Cox gradient needs
    every row's risk set; AFT's labels are pairs)."""
    if loss.task == "survival":
        raise ValueError(f"{loss!r} is a survival loss, which boostobj does not train "
                         "distributed; compute loss.init_score(y, w) on the gathered labels")
    return _fit_and_start(loss, DaskLabels(y, sample_weight, client=client, loss=loss))[1]


def resolved(loss: Loss, y, sample_weight=None, *, client=None) -> Loss:
    """``loss.resolved(y, w)`` for Dask collections: a loss with ``"auto"`` hyperparameters
    (the robust losses' scale) estimated on all rows by bounded reductions, the same value as
    on one machine (see the module docstring). Train distributed with the result: each worker
    sees only its own rows, so an unresolved loss is refused there."""
    if not loss.has_auto():
        return loss
    return loss.resolve(DaskLabels(y, sample_weight, client=client, loss=loss))


def _fit_and_start(loss: Loss, labels: DaskLabels):
    fit = loss.resolve(labels)
    return fit, fit.constant_start(labels)


def xgboost_params(loss: Loss, y, sample_weight=None, *, client=None, xgb_model=None) -> dict:
    """:func:`boostobj.xgboost_params` for Dask collections: merge into the params of
    ``xgboost.dask.train(client, params, dtrain, obj=fit, custom_metric=fit.metric)`` with
    ``fit = resolved(loss, y, w)`` (the same loss when it has no "auto" hyperparameter). With
    ``xgb_model`` (continued training) ``base_score`` is left out, so the model keeps its own
    start (see :func:`boostobj.xgboost_params`)."""
    from .xgboost import params_from_init

    fit, start = _fit_and_start(loss, DaskLabels(y, sample_weight, client=client, loss=loss))
    params = params_from_init(fit, start, warn=xgb_model is None)
    if xgb_model is not None:
        params.pop("base_score", None)  # absent for multiclass on XGBoost < 3.1
    return params


class DaskLabels:
    """The labels (and weights) of Dask collections answering what a start needs, by bounded
    reductions (:class:`boostobj.losses.labels.Labels` in memory; see the module docstring).

    ``y`` and ``sample_weight`` are Dask Arrays or Series/DataFrames with matching partitions;
    the labels and weights are read as the libraries store them (float32). ``loss`` checks the
    labels of every partition (its ``check_labels``). ``rounds`` and ``received`` count the
    computations and the numbers that reached the client.
    """

    def __init__(self, y, sample_weight=None, *, client=None, loss: Loss | None = None,
                 center: float | None = None, _parts=None) -> None:
        self._y, self._w, self.client, self.loss, self.center = y, sample_weight, client, loss, center
        self._parts = _pairs(y, sample_weight) if _parts is None else _parts
        self._arrays = None
        self.rounds = 0
        self.received = 0

    def _reduce(self, func, args, merge):
        out = _reduce(self._parts, _on_values, (func, self.center, self.loss, *args), merge,
                      self.client)
        self.rounds += 1
        self.received += sum(np.size(x) for x in out)
        return out

    def arrays(self):
        """The distinct labels with their total weights (:func:`label_totals`): the start of a
        loss written on arrays. Bounded for class labels only."""
        if self.center is not None:  # pragma: no cover - the losses never ask this
            raise NotImplementedError("arrays() of deviations")
        if self._arrays is None:
            self._arrays = label_totals(self._y, self._w, client=self.client)
            self.rounds += 1
            self.received += sum(np.size(x) for x in self._arrays)
        return self._arrays

    def deviations(self, center: float) -> DaskLabels:
        """The absolute deviations :math:`|y - c|` with the same weights (for the MAD)."""
        return DaskLabels(self._y, self._w, client=self.client, center=center, _parts=self._parts)

    def extent(self) -> tuple[float, float]:
        n, lo, hi = self._reduce(_extent_part, (), _merge_extent)
        if n == 0:
            raise ValueError("y is empty; a start needs at least one sample")
        return lo, hi

    def mean(self) -> float:
        """The weighted mean from exact sums (the same number as in memory)."""
        weighted, total = self._reduce(_sums_part, (), _merge_sums)
        _check_total(total)
        return to_float(weighted) / to_float(total)

    def gradient_sums(self, loss: Loss, c: float) -> tuple[float, float]:
        return self._reduce(_gradient_part, (loss, c), _merge_sums)

    def quantile(self, alpha: float) -> float:
        """The lower weighted ``alpha``-quantile, bit-identical to one machine's (see the module
        docstring for the rounds and what reaches the client)."""
        lo, hi = -math.inf, math.inf
        pivots = _key_pivots(-np.finfo(np.float64).max, np.finfo(np.float64).max)
        target = None
        exact_bins = False
        for _ in range(100):  # about 10 (see the module docstring); a bound, not a budget
            below, upto, counts, weights, mins, maxs = self._reduce(
                _histogram_part, (lo, hi, pivots, exact_bins), _merge_histograms)
            if target is None:  # the first round spans every float: upto is the total weight
                if counts.sum() == 0:
                    raise ValueError("y is empty; a start needs at least one sample")
                _check_total(upto)
                target = quantile_target(upto, alpha)
                if target > upto:  # alpha * total rounded above the total: the largest label
                    return float(maxs.max())
            rest = target - below  # > 0 once lo is a finite bin edge
            if rest <= 0:
                return float(mins.min())
            if exact_bins:
                first = last = min(bisect.bisect_left(list(itertools.accumulate(weights)), rest),
                                   counts.shape[0] - 1)
            else:
                running = np.cumsum(weights)
                goal = to_float(rest)
                slack = ((counts.sum() + counts.shape[0] + len(self._parts) + 2) * 2.0 ** -51
                         * max(float(running[-1]), goal))
                first = int(np.searchsorted(running, goal - slack, side="left"))
                last = min(int(np.searchsorted(running, goal + slack, side="left")),
                           counts.shape[0] - 1)
                if last - first > 1 or last - first + 1 == counts.shape[0]:
                    # float rounding leaves more than one bin boundary open (weights spread
                    # over many orders of magnitude), or every bin (two: adjacent floats)
                    exact_bins = True
                    continue
            exact_bins = False
            # the labels up to bin first - 1 weigh less than the target, those up to bin last
            # at least the target: the answer is in bins first..last
            if first > 0:
                lo = float(pivots[first - 1])
            occupied = counts[first:last + 1] > 0
            smallest = float(mins[first:last + 1][occupied].min())
            hi = float(maxs[first:last + 1][occupied].max())
            if smallest == hi:
                return hi
            if int(counts[first:last + 1].sum()) <= QUANTILE_FETCH:
                below, values, weights = self._reduce(_fetch_part, (lo, hi), _merge_fetched)
                order = np.argsort(values, kind="stable")
                found = first_reaching(values[order], None if weights is None else weights[order],
                                       below, target)
                return hi if found is None else found  # pragma: no branch - found by invariant
            pivots = _key_pivots(smallest, hi)
        raise RuntimeError("the distributed quantile did not close in on the labels")  # pragma: no cover


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


def _stored(y, w, rounded=True):
    """A partition's labels (string labels too: LightGBM's classifier encodes them) and weights
    as the libraries store them (float32; see :func:`boostobj.adapters.as_stored`), checked."""
    y = np.asarray(y).reshape(-1)
    stored_y, w = as_stored(y, None if w is None else np.asarray(w).reshape(-1))
    if w is not None:
        if w.shape != y.shape:
            raise ValueError(f"a partition has {w.shape[0]} weights for {y.shape[0]} labels")
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError("sample_weight must be finite and >= 0")
    return (stored_y if rounded else y), w


def _chunk_totals(y, w, rounded=True):
    y, w = _stored(y, w, rounded)
    values, inverse = np.unique(y, return_inverse=True)
    if w is None:
        return values, np.bincount(inverse, minlength=values.shape[0]).astype(np.float64)
    return values, np.bincount(inverse, weights=w, minlength=values.shape[0])


def _pairs(y, sample_weight) -> list:
    """``(label block, weight block or None)`` per row partition, as delayed objects."""
    ys = _blocks(y, "y")
    ws = [None] * len(ys) if sample_weight is None else _blocks(sample_weight, "sample_weight", like=y)
    if len(ws) != len(ys):
        raise ValueError(
            f"sample_weight has {len(ws)} partitions but y has {len(ys)}; partition them alike"
        )
    return list(zip(ys, ws))


def _reduce(pairs, func, args, merge, client):
    """``merge`` of ``func(y block, w block, *args)`` over every partition: a tree reduction
    in which no task holds more than ``_FAN_IN`` partial results; computed by ``client``
    (default: the current Dask client or scheduler)."""
    import dask

    parts = [dask.delayed(func, pure=True)(yb, wb, *args) for yb, wb in pairs]
    while len(parts) > 1:
        parts = [dask.delayed(merge, pure=True)(*parts[i:i + _FAN_IN])
                 for i in range(0, len(parts), _FAN_IN)]
    if client is None:
        return dask.compute(parts[0])[0]
    _check_sync(client)
    return client.compute(parts[0]).result()


def _on_values(y, w, func, center, loss, *args):
    """``func(v, w, *args)`` on a partition's stored labels ``v`` (their distances to
    ``center`` if given), checked by ``loss``."""
    v, w = _stored(y, w)
    if loss is not None and center is None:
        loss.check_labels(v)
    elif not np.all(np.isfinite(v)):
        raise ValueError("y contains NaN or inf; drop or impute those rows")
    if center is not None:
        v = np.abs(v - center)
    return func(v, w, *args)


def _weight_of(w, mask) -> int:
    """The exact weight (:func:`~boostobj.losses.labels.exact_sum`) of the rows in ``mask``."""
    return exact(int(np.count_nonzero(mask))) if w is None else exact_sum(w[mask])


def _extent_part(v, w):
    if v.shape[0] == 0:
        return 0, math.inf, -math.inf
    return v.shape[0], float(np.min(v)), float(np.max(v))


def _merge_extent(*parts):
    return (sum(p[0] for p in parts), min(p[1] for p in parts), max(p[2] for p in parts))


def _sums_part(v, w):
    if w is None:
        return exact_sum(v), exact(v.shape[0])
    return exact_sum(w * v), exact_sum(w)


def _gradient_part(v, w, loss, c):
    return loss.gradient_sums(v, w, c) if v.shape[0] else (0.0, 0.0)


def _merge_sums(*parts):
    return tuple(sum(p[i] for p in parts) for i in range(len(parts[0])))


def _histogram_part(v, w, lo, hi, pivots, exact_bins):
    """The exact weight of the labels <= lo and <= hi, and for those in (lo, hi] the count,
    weight (float, or exact with ``exact_bins``), smallest and largest label of each bin (bin j:
    pivots[j-1] < v <= pivots[j])."""
    up_to_lo, up_to_hi = v <= lo, v <= hi
    inside = up_to_hi & ~up_to_lo
    vi = v[inside]
    b = np.searchsorted(pivots, vi, side="left")
    nb = pivots.shape[0] + 1
    counts = np.bincount(b, minlength=nb)
    if exact_bins:
        wi = np.ones(vi.shape[0]) if w is None else w[inside]
        weights = np.empty(nb, dtype=object)
        weights[:] = exact_group_sums(wi, b, nb)  # Python ints
    else:
        weights = counts if w is None else np.bincount(b, w[inside], minlength=nb)
        weights = weights.astype(np.float64)  # (bincount of no rows is int64 even with weights)
    mins = np.full(nb, math.inf)
    maxs = np.full(nb, -math.inf)
    np.minimum.at(mins, b, vi)
    np.maximum.at(maxs, b, vi)
    return _weight_of(w, up_to_lo), _weight_of(w, up_to_hi), counts, weights, mins, maxs


def _merge_histograms(*parts):
    below, upto, counts, weights, mins, maxs = parts[0]
    counts, weights, mins, maxs = counts.copy(), weights.copy(), mins.copy(), maxs.copy()
    for p in parts[1:]:
        below, upto = below + p[0], upto + p[1]
        counts += p[2]
        weights += p[3]
        np.minimum(mins, p[4], out=mins)
        np.maximum(maxs, p[5], out=maxs)
    return below, upto, counts, weights, mins, maxs


def _fetch_part(v, w, lo, hi):
    """The exact weight of the labels <= lo, and the labels in (lo, hi] with their weights."""
    up_to_lo = v <= lo
    inside = (v <= hi) & ~up_to_lo
    return _weight_of(w, up_to_lo), v[inside], None if w is None else w[inside]


def _merge_fetched(*parts):
    weights = None if parts[0][2] is None else np.concatenate([p[2] for p in parts])
    return sum(p[0] for p in parts), np.concatenate([p[1] for p in parts]), weights


def _key(x: float) -> int:
    """An integer in the order of the floats: the bit pattern of ``|x|``, negated for x < 0."""
    bits = struct.unpack("<q", struct.pack("<d", abs(x)))[0]
    return -bits if x < 0 else bits


def _key_pivots(a: float, b: float) -> np.ndarray:
    """``QUANTILE_BINS - 1`` distinct floats from ``a`` to below ``b``, equally spaced in the
    order of their bit patterns (:func:`_key`): bin 0 is ``a`` alone."""
    ka, span, n = _key(a), _key(b) - _key(a), QUANTILE_BINS - 1
    keys = sorted({ka + (j * span) // n for j in range(n)})
    return np.array([math.copysign(struct.unpack("<d", struct.pack("<q", abs(k)))[0], k)
                     for k in keys])


def _check_total(total: int) -> None:
    if not total > 0:
        raise ValueError("sample_weight sums to 0; at least one weight must be positive")


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
