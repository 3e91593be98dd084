"""The inputs a check tries (random and extreme margins) and the finite differences of the loss
that the objective's gradient and hessian are compared with."""

from __future__ import annotations

import numpy as np

__all__ = ["EXTREME_MARGINS", "differences", "inputs"]

#: Magnitudes of the extreme margins tried (both signs): where ``exp`` overflows in float64 (711),
#: where float64 ``1 + exp(-z)`` rounds to 1 (37), and far beyond; all are exact in float32,
#: which is what XGBoost hands an objective.
EXTREME_MARGINS = (37.0, 711.0, 1e3, 1e4, 1e6, 1e10, 1e20)


def _f32(a: np.ndarray) -> np.ndarray:
    # Both libraries keep labels and weights as float32 and XGBoost hands float32 margins: use
    # values that survive that cast, so every entry point sees the same numbers.
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def inputs(kind: str, n_random: int, n_classes: int, rng) -> tuple[np.ndarray, np.ndarray]:
    ext = np.array([s * e for e in EXTREME_MARGINS for s in (1.0, -1.0)])
    if kind == "binary":
        y = (rng.random(n_random) < 0.4).astype(np.float64)
        m = rng.normal(0.0, 3.0, n_random)
        m[:4] = 0.0
        ye, me = np.repeat([0.0, 1.0], ext.size), np.tile(ext, 2)
        return np.concatenate([y, ye]), _f32(np.concatenate([m, me]))
    if kind == "regression":
        y = _f32(rng.normal(0.0, 3.0, n_random))
        m = y + rng.normal(0.0, 3.0, n_random)
        m[:4] = y[:4]  # zero residuals
        labels = np.array([-1.5, 0.0, 2.5])
        ye, me = np.repeat(labels, ext.size), np.tile(ext, labels.size)
        return np.concatenate([y, ye]), _f32(np.concatenate([m, me]))
    if kind == "log":
        # positive labels (GammaLoss refuses 0) and log-margins around them; the extremes stop
        # short of where float32 exp overflows (88.7), as the libraries' own log-link gradients
        # do: at 85, e^85 times a label (2.5) and a weight (3) is still below float32's largest
        # value. The libraries store float32 gradients: past it any log-link objective hands
        # them inf (gamma's y e^-z at z = -88 with y = 2.5, for one)
        y = _f32(rng.gamma(2.0, 1.5, n_random) + 1e-3)
        m = np.log(y) + rng.normal(0.0, 1.0, n_random)
        m[:4] = np.log(y[:4])  # at the fit
        lext = np.array([s * e for e in (10.0, 37.0, 85.0) for s in (1.0, -1.0)])
        labels = np.array([0.5, 2.5])
        ye, me = np.repeat(labels, lext.size), np.tile(lext, labels.size)
        return np.concatenate([y, ye]), _f32(np.concatenate([m, me]))
    k = n_classes
    y = rng.integers(0, k, n_random).astype(np.float64)
    m = rng.normal(0.0, 3.0, (n_random, k))
    rows, labels = [], []
    for e in ext:  # one column extreme, the others moderate, every label
        for j in range(k):
            for c in range(k):
                row = rng.normal(0.0, 1.0, k)
                row[j] = e
                rows.append(row)
                labels.append(c)
    return np.concatenate([y, labels]), _f32(np.vstack([m, rows]))


def _eval_loss(lossf, y, m) -> np.ndarray:
    with np.errstate(all="ignore"):
        out = np.asarray(lossf(y, m), dtype=np.float64)
    if out.shape != (y.shape[0],):
        raise TypeError(
            f"the loss function must return one value per row, shape ({y.shape[0]},); got shape "
            f"{out.shape}. Pass the per-row loss (for a boostobj loss: loss.loss), not a mean"
        )
    return out


def differences(lossf, y, m) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Loss, first and second derivative by fourth-order central differences, and error bounds.

    Per row the step is the power of two nearest ``2**-10 * max(1, |m|)`` (so ``m ± h`` is exact).
    Each derivative is taken with ``h`` and ``h/2`` and Richardson-extrapolated; its error bound is
    the extrapolation's correction plus the rounding bound ``eps * sum|c_k f_k| / h**p``.
    """
    eps = np.finfo(np.float64).eps
    f0 = _eval_loss(lossf, y, m)
    cols = [None] if m.ndim == 1 else list(range(m.shape[1]))
    shape = m.shape
    d1, d2, e1, e2 = (np.empty(shape) for _ in range(4))
    for j in cols:
        mj = m if j is None else m[:, j]
        h0 = np.exp2(np.round(np.log2(np.maximum(1.0, np.abs(mj)) * 2.0**-10)))
        est = []
        for h in (h0, h0 / 2):
            f = {0: f0}
            for k in (-2, -1, 1, 2):
                mk = m + k * h if j is None else m.copy()
                if j is not None:
                    mk[:, j] += k * h
                f[k] = _eval_loss(lossf, y, mk)
            with np.errstate(all="ignore"):
                g = (f[-2] - 8 * f[-1] + 8 * f[1] - f[2]) / (12 * h)
                hh = (-f[-2] + 16 * f[-1] - 30 * f[0] + 16 * f[1] - f[2]) / (12 * h * h)
                r1 = eps * (abs(f[-2]) + 8 * abs(f[-1]) + 8 * abs(f[1]) + abs(f[2])) / (12 * h)
                r2 = eps * (abs(f[-2]) + 16 * abs(f[-1]) + 30 * abs(f[0]) + 16 * abs(f[1])
                            + abs(f[2])) / (12 * h * h)
            est.append((g, hh, r1, r2))
        (ga, ha, _, _), (gb, hb, r1, r2) = est
        with np.errstate(all="ignore"):
            sel = (slice(None),) if j is None else (slice(None), j)
            d1[sel] = gb + (gb - ga) / 15
            d2[sel] = hb + (hb - ha) / 15
            e1[sel] = abs(gb - ga) / 15 + 2 * r1
            e2[sel] = abs(hb - ha) / 15 + 2 * r2
    return f0, d1, d2, e1, e2
