"""Labels that a library's data object cannot hold, kept by boostobj for one fit while the
library holds row keys as its labels.

An :class:`~boostobj.losses.survival.AFTLoss` label is a pair of bounds ``[lower, upper]``; a
LightGBM ``Dataset`` holds one float per row (lightgbm 4.7.0), and XGBoost's scikit-learn
wrapper hands a callable objective and metric ``DMatrix.get_label()`` only (xgboost 3.2.0), so
neither can carry them. :class:`KeyedLabels` keeps the labels of every set of one fit (the
training rows, then each evaluation set's) in one table and gives each row a key, its position
in that table, which the library holds as the row's label. The objective and the metrics bound
to the table (``FitObjective(loss, library, keys=table)``, ``Metric(loss, library,
keys=table)``, ``Concordance(loss, library, keys=table)``) read the keys back into labels, so
the training set and every evaluation set are scored with their own labels. The keys are whole
numbers below :data:`MAX_ROWS`, which float32 (the labels' type in both libraries) holds
exactly.

boostobj's XGBoost and LightGBM estimators do this for a loss with two label columns; with
``lgb.train`` it reads::

    keys = KeyedLabels()
    y_train, y_valid = keys.add(bounds_train), keys.add(bounds_valid)
    start = loss.init_score(bounds_train)
    dtrain = lgb.Dataset(X, y_train, init_score=np.full(len(X), start))
    dvalid = lgb.Dataset(X_valid, y_valid, init_score=np.full(len(X_valid), start), reference=dtrain)
    booster = lgb.train({"objective": FitObjective(loss, "lightgbm", keys=keys), "metric": "None"},
                        dtrain, 100, valid_sets=[dvalid],
                        feval=Metric(loss, "lightgbm", keys=keys))
"""

from __future__ import annotations

import numpy as np

__all__ = ["MAX_ROWS", "KeyedLabels"]

#: Rows a table may hold: every key below it is exact in float32 (2**24).
MAX_ROWS = 1 << 24


class KeyedLabels:
    """The labels of one fit's sets in one table, and the row keys that stand for them."""

    def __init__(self) -> None:
        self._parts: list[np.ndarray] = []
        self._rows = 0
        self._table: np.ndarray | None = None

    def __len__(self) -> int:
        return self._rows

    def __repr__(self) -> str:
        return f"KeyedLabels({self._rows} rows)"

    def add(self, y) -> np.ndarray:
        """Keep the labels ``y`` (one per row, any number of columns) and return their keys:
        float64 whole numbers, one per row, continuing after the rows kept so far."""
        arr = np.asarray(y, dtype=np.float64)
        if arr.ndim == 0:
            raise ValueError("labels must have one entry per row, got a scalar")
        n = arr.shape[0]
        if self._rows + n > MAX_ROWS:
            raise ValueError(
                f"{self._rows + n} rows of labels kept by row key, more than {MAX_ROWS} (2**24): "
                "the library holds the keys as float32 labels, exact only below that; train on "
                "fewer rows (or fewer and smaller evaluation sets)"
            )
        if self._parts and arr.shape[1:] != self._parts[0].shape[1:]:
            raise ValueError(f"labels of shape {arr.shape} after labels of shape "
                             f"{self._parts[0].shape}: every set needs the same columns")
        self._parts.append(arr.copy())
        self._table = None
        keys = np.arange(self._rows, self._rows + n, dtype=np.float64)
        self._rows += n
        return keys

    def labels(self, keys) -> np.ndarray:
        """The labels the row ``keys`` stand for (a ``ValueError`` when they are not keys of
        this table: labels that were not made by :meth:`add`)."""
        k = np.asarray(keys)
        idx = k.astype(np.int64) if k.size else np.zeros(0, dtype=np.int64)
        if k.ndim != 1 or not np.array_equal(idx, k) or (k.size and (
                idx.min() < 0 or idx.max() >= self._rows)):
            raise ValueError(
                f"the labels the library handed in are not row keys of this fit's {self._rows} "
                "rows: with labels kept by row key (KeyedLabels), each data set's label must be "
                "the keys KeyedLabels.add returned for it"
            )
        if self._table is None:
            self._table = np.concatenate(self._parts) if self._parts else np.zeros(0)
        return self._table[idx]
