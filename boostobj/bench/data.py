"""The benchmark's data: one synthetic task per kind of loss, with held-out rows."""

from __future__ import annotations

import numpy as np

__all__ = ["TASKS", "make_data"]

#: ``binary`` and ``imbalanced`` train the binary losses, ``regression`` and ``multiclass`` theirs,
#: ``counts`` (with zeros) and ``positive`` (amounts) the log-link losses that take such labels.
TASKS = ("binary", "imbalanced", "regression", "multiclass", "counts", "positive")


def _signal(X: np.ndarray) -> np.ndarray:
    """A fixed nonlinear function of the first ten features (interactions, kinks, a sine)."""
    return (X[:, 0] + 0.8 * X[:, 1] * X[:, 2] - np.abs(X[:, 3]) + np.sin(2.0 * X[:, 4])
            + 0.5 * X[:, 5] ** 2 - 0.5 + 0.6 * np.maximum(X[:, 6], 0.0) - 0.3 * X[:, 7] * X[:, 8]
            + 0.4 * np.tanh(X[:, 9]))


def make_data(task: str, rows: int, features: int, seed: int) -> dict[str, np.ndarray]:
    """Training and held-out data for ``task``: ``rows`` training rows and ``rows // 4`` held out.

    * ``binary``: labels drawn from ``sigmoid(signal)`` (about 45% positive);
    * ``imbalanced``: the same with the intercept moved so about 3% are positive;
    * ``regression``: ``2 * signal`` plus Student-t noise (3 degrees of freedom); 5% of the
      *training* labels get a gross error ``+U(20, 60)`` (one-sided, as a faulty sensor or data
      entry would), held-out labels are clean of them, so RMSE/MAE show what the outliers did to
      the fit;
    * ``multiclass``: three classes from a softmax of three signals;
    * ``counts``: Poisson counts of mean ``exp(0.5 * signal)`` (about 40% zeros);
    * ``positive``: gamma amounts (shape 2) of the same mean, all positive.
    """
    if features < 10:
        raise ValueError(f"features must be >= 10 (the signal uses ten), got {features}")
    rng = np.random.default_rng(seed)
    n_test = max(rows // 4, 200)
    X = rng.standard_normal((rows + n_test, features), dtype=np.float32)
    f = _signal(X.astype(np.float64))
    if task in ("binary", "imbalanced"):
        shift = 0.0 if task == "binary" else -4.6
        y = (rng.random(f.shape[0]) < 1.0 / (1.0 + np.exp(-(1.5 * f + shift)))).astype(np.float64)
    elif task == "regression":
        y = 2.0 * f + rng.standard_t(3, f.shape[0])
        bad = np.flatnonzero(rng.random(rows) < 0.05)
        y[bad] += rng.uniform(20.0, 60.0, bad.size)  # one-sided: they pull a mean upwards
    elif task == "multiclass":
        scores = np.column_stack([f, _signal(X[:, ::-1].astype(np.float64)), np.zeros_like(f)])
        scores += rng.gumbel(size=scores.shape)
        y = np.argmax(scores, axis=1).astype(np.float64)
    elif task == "counts":
        y = rng.poisson(np.exp(0.5 * f)).astype(np.float64)
    elif task == "positive":
        y = rng.gamma(2.0, np.exp(0.5 * f) / 2.0)
    else:
        raise ValueError(f"unknown task {task!r}; choose from {TASKS}")
    return {"X": X[:rows], "y": y[:rows], "X_test": X[rows:], "y_test": y[rows:]}

