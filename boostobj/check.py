r"""Check any custom objective against its own loss: ``python -m boostobj check ...``.

:func:`check_objective` calls an objective the way XGBoost and LightGBM call it and compares what
comes back with finite differences of the loss, on random margins and on extreme ones
(:data:`EXTREME_MARGINS`, up to :math:`\pm 10^{20}`). It reports, each with the worst offending
input:

* ``finite``: NaN or inf in the gradient or hessian;
* ``gradient`` / ``hessian``: disagreement with the fourth-order central differences of the loss
  (Richardson-extrapolated from two steps, so the tolerance carries the differences' own error
  estimate); a gradient that is the negative of the true one is called out as a flipped sign;
* ``hessian sign``: negative hessians (fail: the leaf step :math:`-G/H` turns uphill) and zero
  hessians (warn: a leaf of such rows has no curvature);
* ``weights``: a weighted call that does not return ``w`` times the unweighted one (weights
  ignored, or applied to only one of gradient and hessian);
* ``output``: not a pair of float32/float64 ndarrays of the right shape (lists, float16, integer
  arrays, a flat multiclass array);
* ``in-place``: predictions, labels or weights changed by the call.

Hessian semantics. ``hessian="exact"`` compares with the second derivative of the loss; where
that is negative or tiny, a positive value at most ``hessian_floor`` (XGBoost's own logistic
clip, :data:`boostobj.HESSIAN_FLOOR`) is accepted as a floor and reported as ``info``.
``hessian="surrogate"`` is for objectives that deliberately return a curvature *bound* (the
boostobj losses with ``hessian="bounded"``): it must be finite and positive, the range of
``surrogate / exact`` is reported, and a surrogate below the exact curvature is a warning (a
bound that is too small over-steps). ``"auto"`` picks ``"exact"`` for user code and for boostobj
losses with ``loss.hessian == "exact"``, ``"surrogate"`` otherwise.

Examples
--------
>>> from boostobj import FocalLoss
>>> from boostobj.check import check_objective
>>> report = check_objective(FocalLoss(gamma=2.0), api="sklearn")
>>> report.ok
True
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .losses import HESSIAN_FLOOR, Loss

__all__ = ["EXTREME_MARGINS", "CheckReport", "Finding", "check_objective", "main"]

KINDS = ("binary", "regression", "multiclass")
APIS = ("xgboost", "lightgbm", "sklearn")

#: Magnitudes of the extreme margins tried (both signs): where ``exp`` overflows in float64 (711),
#: where float64 ``1 + exp(-z)`` rounds to 1 (37), and far beyond; all are exact in float32,
#: which is what XGBoost hands an objective.
EXTREME_MARGINS = (37.0, 711.0, 1e3, 1e4, 1e6, 1e10, 1e20)

_NATIVE_DATA_NAMES = ("dtrain", "dmatrix", "dtest", "dataset", "train_data", "train_set", "data", "ds", "dm")
_LABEL_NAMES = ("y", "y_true", "label", "labels", "target", "y_test", "targets")


# ---------------------------------------------------------------------------------------- report
@dataclass
class Finding:
    """One line of a :class:`CheckReport`.

    ``status`` is ``"FAIL"`` (makes the report fail), ``"WARN"``, ``"info"`` or ``"ok"``;
    ``worst`` describes the worst offending input (label, margin, value returned, value expected).
    """

    check: str
    status: str
    api: str
    message: str
    worst: str = ""

    def __str__(self) -> str:
        text = f"{self.status:<4}  {self.api:<8}  {self.check:<12}  {self.message}"
        return text + (f"\n{'':<30}worst: {self.worst}" if self.worst else "")


@dataclass
class CheckReport:
    """What :func:`check_objective` found; ``ok`` is False when any finding is ``FAIL``."""

    objective: str
    kind: str
    hessian: str
    n_rows: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.status == "FAIL" for f in self.findings)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "FAIL"]

    def failed(self, check: str) -> bool:
        """True if the named check (e.g. ``"weights"``) failed for some entry point."""
        return any(f.status == "FAIL" and f.check == check for f in self.findings)

    def __str__(self) -> str:
        head = (f"check {self.objective}  (kind={self.kind}, hessian={self.hessian}, "
                f"{self.n_rows} rows incl. margins up to ±{EXTREME_MARGINS[-1]:g})")
        n_fail = len(self.failures)
        tail = "PASSED" if self.ok else f"FAILED ({n_fail} failure{'s' * (n_fail != 1)})"
        return "\n".join([head, *map(str, self.findings), tail])


# ---------------------------------------------------------------------------------------- inputs
def _f32(a: np.ndarray) -> np.ndarray:
    # Both libraries keep labels and weights as float32 and XGBoost hands float32 margins: use
    # values that survive that cast, so every entry point sees the same numbers.
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def _inputs(kind: str, n_random: int, n_classes: int, rng) -> tuple[np.ndarray, np.ndarray]:
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


# ---------------------------------------------------------------------------------------- differences
def _eval_loss(lossf, y, m) -> np.ndarray:
    with np.errstate(all="ignore"):
        out = np.asarray(lossf(y, m), dtype=np.float64)
    if out.shape != (y.shape[0],):
        raise TypeError(
            f"the loss function must return one value per row, shape ({y.shape[0]},); got shape "
            f"{out.shape}. Pass the per-row loss (for a boostobj loss: loss.loss), not a mean"
        )
    return out


def _differences(lossf, y, m) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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


# ---------------------------------------------------------------------------------------- calling
def _signature_api(func) -> str:
    try:
        names = [p.name for p in inspect.signature(func).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    if len(names) >= 3 or "sample_weight" in names:
        return "sklearn"
    if len(names) == 2:
        first, second = names[0].lower(), names[1].lower()
        if second in _NATIVE_DATA_NAMES or any(s in second for s in ("train", "dmat", "dataset")):
            return "native"
        if first in _LABEL_NAMES:
            return "sklearn"
    raise ValueError(
        f"cannot tell from its signature {names} whether {func!r} is an XGBoost/LightGBM native "
        "objective (preds, dtrain) or an sklearn one (y_true, y_pred[, sample_weight]); pass "
        "api='xgboost', 'lightgbm' or 'sklearn' (--api on the command line)"
    )


def _takes_weights(func) -> str | None:
    """How an sklearn-style objective takes weights: "keyword", "positional" or None."""
    if isinstance(func, Loss):
        return "positional"
    params = list(inspect.signature(func).parameters.values())
    if any(p.name == "sample_weight" for p in params):
        return "keyword"
    if len(params) >= 3 or any(p.kind == p.VAR_POSITIONAL for p in params):
        return "positional"
    return None


class _Caller:
    """Calls ``func`` the way one entry point does, keeping the library's data objects."""

    def __init__(self, api: str, func, y: np.ndarray, w: np.ndarray, rng) -> None:
        self.api, self.func, self.y, self.w = api, func, y, w
        self.X = rng.normal(size=(y.shape[0], 2))
        self._data: dict[bool, Any] = {}

    def _dataset(self, weighted: bool):
        if weighted not in self._data:
            w = self.w if weighted else None
            if self.api == "xgboost":
                import xgboost as xgb

                self._data[weighted] = xgb.DMatrix(self.X, label=self.y, weight=w)
            else:
                import lightgbm as lgb

                self._data[weighted] = lgb.Dataset(
                    self.X, label=self.y, weight=w, params={"verbose": -1}, free_raw_data=False
                ).construct()
        return self._data[weighted]

    def call(self, m: np.ndarray, weighted: bool):
        """Return (output, {input name: (before, after)})."""
        if self.api == "xgboost":
            preds = np.ascontiguousarray(m, dtype=np.float32)
            inputs = {"preds": preds}
            before = {"preds": preds.copy()}
            out = self.func(preds, self._dataset(weighted))
        elif self.api == "lightgbm":
            preds = np.asfortranarray(m, dtype=np.float64)  # LightGBM hands (n, k) F-ordered
            inputs = {"preds": preds}
            before = {"preds": preds.copy()}
            out = self.func(preds, self._dataset(weighted))
        else:
            y_true = self.y.astype(np.float32)
            y_pred = np.array(m, dtype=np.float64)
            inputs = {"y_true": y_true, "y_pred": y_pred}
            # Both wrappers pass None as the weight of an unweighted fit (FACTS §1).
            how = _takes_weights(self.func)
            if how and weighted:
                inputs["sample_weight"] = self.w.copy()
            before = {k: v.copy() for k, v in inputs.items()}
            sw = inputs.get("sample_weight")
            if how == "keyword":
                out = self.func(y_true, y_pred, sample_weight=sw)
            elif how == "positional":
                out = self.func(y_true, y_pred, sw)
            else:
                out = self.func(y_true, y_pred)
        return out, {k: (before[k], inputs[k]) for k in inputs}


# ---------------------------------------------------------------------------------------- checks
def _describe(y, m, i, j, got=None, expected=None) -> str:
    margin = f"{m[i]:.6g}" if m.ndim == 1 else "[" + ", ".join(f"{v:.6g}" for v in m[i]) + f"] column {j}"
    text = f"y={y[i]:g}, margin={margin}"
    if got is not None:
        text += f": got {got:.10g}"
    if expected is not None:
        text += f", expected {expected:.10g}"
    return text


def _unravel(mask_or_score, m):
    flat = int(np.argmax(mask_or_score))
    if m.ndim == 1:
        return flat, None
    return divmod(flat, m.shape[1])


def _normalize(out, api: str, n: int, shape: tuple, findings: list, grad_fd) -> tuple | None:
    """Turn the objective's return value into two float64 arrays of ``shape``, reporting problems."""
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        findings.append(Finding("output", "FAIL", api,
                                f"must return a pair (grad, hess); got {type(out).__name__}"))
        return None
    arrays = []
    for name, a in zip(("grad", "hess"), out):
        if not isinstance(a, np.ndarray):
            sev = "WARN" if api == "lightgbm" else "FAIL"
            findings.append(Finding("output", sev, api, (
                f"{name} is a {type(a).__name__}, not an np.ndarray (XGBoost raises TypeError; "
                "LightGBM converts it)")))
            a = np.asarray(a)
        if a.dtype == np.float16:
            findings.append(Finding("output", "FAIL", api, (
                f"{name} is float16: XGBoost accepts it silently and trains garbage (single "
                "leaf, then NaN; FACTS §7.2); return float32 or float64")))
        elif not np.issubdtype(a.dtype, np.floating):
            findings.append(Finding("output", "FAIL", api,
                                    f"{name} has dtype {a.dtype}; return float32 or float64"))
        if a.dtype == object:
            return None
        a = a.astype(np.float64)
        if len(shape) == 1 and a.shape == (n, 1):
            a = a[:, 0]
        if len(shape) == 2 and a.shape == (shape[0] * shape[1],):
            order = "F" if api == "lightgbm" else "C"
            findings.append(Finding("output", "FAIL", api, (
                f"{name} is flat {a.shape}; return shape {shape}. Flat arrays are read row-major "
                "by XGBoost (with a FutureWarning) and class-major by LightGBM, so one of the two "
                f"is silently wrong (FACTS §7.3); read here as {'class' if order == 'F' else 'row'}-major")))
            if name == "grad":
                errs = {o: np.nanmax(np.abs(a.reshape(shape, order=o) - grad_fd)) for o in "CF"}
                best = min(errs, key=errs.get)
                if best != order and errs[best] < errs[order]:
                    order = best
                    findings.append(Finding("output", "info", api, (
                        f"the flat gradient matches the {'class' if best == 'F' else 'row'}-major "
                        "reading")))
            a = a.reshape(shape, order=order)
        if a.shape != shape:
            findings.append(Finding("output", "FAIL", api,
                                    f"{name} has shape {a.shape}; expected {shape}"))
            return None
        arrays.append(a)
    return tuple(arrays)


def _check_inputs(changed: dict, api: str, findings: list, y, m) -> None:
    for name, (before, after) in changed.items():
        if before.shape != after.shape or not np.array_equal(before, after, equal_nan=True):
            diff = np.abs(np.asarray(after, np.float64) - before)
            i, j = _unravel(np.nan_to_num(diff, nan=np.inf), before)
            findings.append(Finding("in-place", "FAIL", api, (
                f"the objective modified {name} in place; work on a copy"),
                _describe(y, m, i, j) + f": {name} was {before[i] if j is None else before[i, j]:.6g}, "
                f"became {after[i] if j is None else after[i, j]:.6g}"))


def _check_values(g, h, y, m, ref, api, mode, rtol, hessian_rtol, atol, floor, findings) -> None:
    f0, d1, d2, e1, e2 = ref
    bad = ~(np.isfinite(g) & np.isfinite(h))
    if bad.any():
        score = np.where(bad, 1.0 / (1.0 + np.abs(m)), 0.0)  # the smallest margin where it happens
        i, j = _unravel(score, m)
        gi, hi = (g[i], h[i]) if j is None else (g[i, j], h[i, j])
        findings.append(Finding("finite", "FAIL", api,
                                f"NaN/inf in gradient or hessian on {int(bad.sum())} entries",
                                _describe(y, m, i, j) + f": grad {gi:.6g}, hess {hi:.6g}"))
    else:
        findings.append(Finding("finite", "ok", api, "gradient and hessian finite everywhere"))
    loss_ok = np.isfinite(f0) if m.ndim == 1 else np.isfinite(f0)[:, None] & np.ones(m.shape, bool)
    usable = loss_ok & np.isfinite(d1) & np.isfinite(d2)
    if not usable.all():
        i, j = _unravel(~usable & (np.abs(m) < np.inf), m)
        findings.append(Finding("loss", "WARN", api, (
            f"the loss function is not finite (or its differences are not) on {int((~usable).sum())} "
            "entries, so those derivatives are not checked; use a stable loss (e.g. "
            "np.logaddexp(0, x) for log(1 + exp(x)))"), _describe(y, m, i, j, got=f0[i])))
    # gradient
    ok_g = usable & np.isfinite(g)
    tol = atol + rtol * np.abs(d1) + 4 * e1
    score = np.where(ok_g, np.abs(g - d1) / tol, 0.0)
    if (score > 1).any():
        i, j = _unravel(score, m)
        wrong = score > 1
        flipped = np.all(np.abs(g[wrong] + d1[wrong]) <= tol[wrong])
        msg = (f"gradient has the wrong sign on {int(wrong.sum())} entries (it is -dL/dm)" if flipped
               else f"gradient differs from dL/dm on {int(wrong.sum())} entries")
        gi, di = (g[i], d1[i]) if j is None else (g[i, j], d1[i, j])
        findings.append(Finding("gradient", "FAIL", api, msg, _describe(y, m, i, j, gi, di)))
    else:
        findings.append(Finding("gradient", "ok", api,
                                f"matches dL/dm (worst error {score.max():.2g} of tolerance)"))
    # hessian against the exact second derivative
    ok_h = usable & np.isfinite(h)
    tol = atol + hessian_rtol * np.abs(d2) + 4 * e2
    if mode == "exact":
        # (1 + 1e-6): the floor may have been rounded to float32 (1e-16 -> 1.0000000168e-16)
        floored = ok_h & (d2 < floor + tol) & (h > 0) & (h <= floor * (1 + 1e-6))
        score = np.where(ok_h & ~floored, np.abs(h - d2) / tol, 0.0)
        if (score > 1).any():
            i, j = _unravel(score, m)
            hi, di = (h[i], d2[i]) if j is None else (h[i, j], d2[i, j])
            findings.append(Finding("hessian", "FAIL", api,
                                    f"hessian differs from d2L/dm2 on {int((score > 1).sum())} entries",
                                    _describe(y, m, i, j, hi, di)))
        else:
            findings.append(Finding("hessian", "ok", api,
                                    f"matches d2L/dm2 (worst error {score.max():.2g} of tolerance)"))
        below = floored & (d2 < -tol)
        if below.any():
            findings.append(Finding("hessian", "info", api, (
                f"floored at <= {floor:g} on {int(below.sum())} entries where the exact hessian is "
                "negative")))
    else:
        big = ok_h & (d2 > tol)
        if big.any():
            ratio = h[big] / d2[big]
            findings.append(Finding("hessian", "info", api, (
                f"surrogate (not the exact d2L/dm2): surrogate/exact in [{ratio.min():.3g}, "
                f"{ratio.max():.3g}] where the exact hessian is positive")))
        under = ok_h & (h < d2 - tol)
        if under.any():
            i, j = _unravel(np.where(under, d2 - h, 0.0), m)
            hi, di = (h[i], d2[i]) if j is None else (h[i, j], d2[i, j])
            findings.append(Finding("hessian", "WARN", api, (
                f"surrogate is below the exact hessian on {int(under.sum())} entries (steps "
                "over-shoot there)"), _describe(y, m, i, j, hi, di)))
    # sign
    neg, zero = np.isfinite(h) & (h < 0), h == 0
    if neg.any():
        i, j = _unravel(-np.where(neg, h, 0.0), m)
        findings.append(Finding("hessian sign", "FAIL", api, (
            f"negative hessian on {int(neg.sum())} entries: the leaf step -G/H points uphill; "
            "clip it (e.g. at 1e-16, as XGBoost's logistic does) or use a positive bound"),
            _describe(y, m, i, j, got=h[i] if j is None else h[i, j])))
    if zero.any():
        i, j = _unravel(np.where(zero, 1.0 / (1.0 + np.abs(m)), 0.0), m)
        findings.append(Finding("hessian sign", "WARN", api, (
            f"zero hessian on {int(zero.sum())} entries (underflow?): a leaf of such rows has no "
            "curvature; floor it at 1e-16 as XGBoost does"), _describe(y, m, i, j)))
    if not (neg.any() or zero.any()):
        findings.append(Finding("hessian sign", "ok", api, "hessian > 0 everywhere"))


def _check_weights(caller, m, g, h, api, rtol, atol, y, findings) -> None:
    if api == "sklearn" and _takes_weights(caller.func) is None:
        findings.append(Finding("weights", "WARN", api, (
            "the objective takes no sample_weight: XGBoost's sklearn wrapper refuses to fit with "
            "sample_weight and LightGBM's silently drops the weights; add a third parameter "
            "(y_true, y_pred, sample_weight) and multiply it into grad and hess")))
        return
    out, changed = caller.call(m, weighted=True)
    _check_inputs(changed, api, findings, y, m)
    sub: list[Finding] = []
    pair = _normalize(out, api, y.shape[0], m.shape, sub, g)
    if pair is None:
        findings.extend(sub)
        return
    w = caller.w if m.ndim == 1 else caller.w[:, None]
    with np.errstate(all="ignore"):
        res = []
        for name, got, base in (("gradient", pair[0], g), ("hessian", pair[1], h)):
            fin = np.isfinite(got) & np.isfinite(base)
            want = w * base
            tol = atol + rtol * np.abs(want)
            applied = np.all(np.abs(got - want)[fin] <= tol[fin])
            ignored = np.all(np.abs(got - base)[fin] <= atol + rtol * np.abs(base[fin]))
            res.append((name, applied, ignored, np.where(fin, np.abs(got - want) / tol, 0.0), got, want))
    if all(r[1] for r in res):
        findings.append(Finding("weights", "ok", api, "weighted call returns w * unweighted"))
        return
    if all(r[2] for r in res):
        msg = "weights ignored: the weighted call returns the unweighted gradient and hessian"
    else:
        wrong = [r[0] for r in res if not r[1]]
        msg = f"weights not applied as w * unweighted to the {' and '.join(wrong)}"
    name, _, _, score, got, want = max(res, key=lambda r: r[3].max())
    i, j = _unravel(score, m)
    findings.append(Finding("weights", "FAIL", api, msg, _describe(y, m, i, j) + (
        f", w={caller.w[i]:.6g}: {name} {got[i] if j is None else got[i, j]:.6g}, expected "
        f"{want[i] if j is None else want[i, j]:.6g}")))


def _available(api: str) -> bool:
    if api == "sklearn":
        return True
    try:
        importlib.import_module(api)
    except ImportError:
        return False
    return True


def check_objective(objective, loss: Callable | None = None, *, kind: str | None = None,
                    api: str | tuple[str, ...] = "auto", hessian: str = "auto",
                    n_classes: int | None = None, n_random: int = 200, seed: int = 0,
                    rtol: float = 1e-5, hessian_rtol: float = 1e-4, atol: float = 1e-6,
                    hessian_floor: float = HESSIAN_FLOOR, weights: bool = True) -> CheckReport:
    """Check an objective's gradient, hessian, weights, output and side effects.

    Parameters
    ----------
    objective : boostobj Loss or callable
        A boostobj loss (checked through every installed entry point), or your own objective
        with the XGBoost ``(preds, dtrain)``, LightGBM ``(preds, train_data)`` or sklearn
        ``(y_true, y_pred[, sample_weight])`` signature.
    loss : callable, optional
        ``loss(y, margin) -> (n,)`` per-row, unweighted loss (float64 arrays; ``margin`` is
        ``(n, k)`` for multiclass). Default for a boostobj loss: ``objective.loss``. Required
        otherwise.
    kind : {"binary", "regression", "multiclass"}, optional
        Which labels to try (0/1, real, ``0..k-1``). Inferred for boostobj losses.
    api : {"auto", "xgboost", "lightgbm", "sklearn"} or tuple of them
        Entry point(s) to call through. ``"auto"``: every installed one for a boostobj loss
        (with ``match_builtin=True``: the native APIs of the libraries it has a twin in);
        for a callable, read from its signature (native: XGBoost, else LightGBM if that call raises).
    hessian : {"auto", "exact", "surrogate"}
        See the module docstring.
    n_classes : int, optional
        Classes for multiclass (default: ``objective.n_classes`` if present, else 3).
    n_random : int
        Number of random rows; the extreme rows come on top.
    rtol, hessian_rtol, atol : float
        Tolerances against the finite differences (whose own error estimate is added). The
        defaults admit float32 arithmetic (both libraries store gradients as float32: ``p - y``
        computed in float32 is off by ~6e-8 where ``p`` is near 1).
    hessian_floor : float
        A positive hessian up to this value is accepted where the exact one is smaller.
    weights : bool
        Also call with random weights and compare with ``w *`` the unweighted call.

    Returns
    -------
    CheckReport
        ``report.ok`` is False if anything failed; ``print(report)`` lists every finding.
    """
    is_loss = isinstance(objective, Loss)
    if loss is None:
        if not is_loss:
            raise TypeError("pass loss=<function (y, margin) -> per-row loss> for a custom objective "
                            "(--loss module:function on the command line)")
        loss = objective.loss
    elif isinstance(loss, Loss):
        loss = loss.loss
    if kind is None:
        if not is_loss:
            raise TypeError("pass kind='binary', 'regression' or 'multiclass' for a custom objective")
        kind = ("multiclass" if objective.is_multiclass
                else "binary" if objective.link.name == "logit" else "regression")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if hessian == "auto":
        hessian = "exact"
        if is_loss and (objective.hessian != "exact"
                        or getattr(objective, "hessian_scale", 1.0) != 1.0  # multiclass library scale
                        or (objective.match_builtin and objective.is_multiclass)):
            hessian = "surrogate"
    if hessian not in ("exact", "surrogate"):
        raise ValueError(f"hessian must be 'auto', 'exact' or 'surrogate', got {hessian!r}")
    if api == "auto":
        if is_loss:
            apis = tuple(a for a in APIS if _available(a))
            if objective.match_builtin:  # only the libraries whose arithmetic it reproduces
                apis = tuple(a for a in apis if a in objective.builtin_twin())
        else:
            detected = _signature_api(objective)
            apis = ("xgboost", "lightgbm") if detected == "native" else ("sklearn",)
            apis = tuple(a for a in apis if _available(a)) or ("sklearn",)
            if detected == "native" and apis == ("sklearn",):
                raise ImportError("a native objective needs xgboost or lightgbm installed")
            native_auto = detected == "native"
    else:
        apis = (api,) if isinstance(api, str) else tuple(api)
        native_auto = False
        for a in apis:
            if a not in APIS:
                raise ValueError(f"api must be 'auto' or one of {APIS}, got {a!r}")
    if is_loss:
        native_auto = False
    k = n_classes or getattr(objective, "n_classes", None) or 3
    rng = np.random.default_rng(seed)
    y, m = _inputs(kind, n_random, k, rng)
    w = _f32(rng.uniform(0.1, 3.0, y.shape[0]))
    name = repr(objective) if is_loss else getattr(objective, "__qualname__", repr(objective))
    report = CheckReport(name, kind, hessian, y.shape[0])
    ref = _differences(loss, y, m)

    tried_native: list[str] = []
    for a in apis:
        if native_auto and tried_native and tried_native[-1] == "passed":
            break
        caller = _Caller(a, objective, y, w, rng)
        try:
            with np.errstate(all="ignore"):
                out, changed = caller.call(m, weighted=False)
        except Exception as exc:  # noqa: BLE001 - the user's objective may raise anything
            status = "info" if native_auto and a == "xgboost" and "lightgbm" in apis else "FAIL"
            report.findings.append(Finding("call", status, a, f"raised {type(exc).__name__}: {exc}"))
            tried_native.append("raised")
            continue
        tried_native.append("passed")
        _check_inputs(changed, a, report.findings, y, m)
        pair = _normalize(out, a, y.shape[0], m.shape, report.findings, ref[1])
        if pair is None:
            continue
        g, h = pair
        with np.errstate(all="ignore"):  # NaN/inf are findings here, not numpy warnings
            _check_values(g, h, y, m, ref, a, hessian, rtol, hessian_rtol, atol, hessian_floor,
                          report.findings)
        if weights:
            with np.errstate(all="ignore"):
                _check_weights(caller, m, g, h, a, rtol, atol, y, report.findings)
    return report


# ---------------------------------------------------------------------------------------- command line
def _value(text: str):
    low = text.strip().lower()
    if low == "none":
        return None
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def parse_params(items) -> dict[str, Any]:
    """``["gamma=2", "alpha=0.25"]`` -> ``{"gamma": 2, "alpha": 0.25}``."""
    params = {}
    for item in items or ():
        key, sep, val = item.partition("=")
        if not sep or not key:
            raise ValueError(f"parameters are written name=value, got {item!r}")
        params[key.strip()] = _value(val)
    return params


def resolve(spec: str, params: dict | None = None):
    """A registry name (``focal_loss``) or an importable ``module:attribute``.

    A ``Loss`` subclass is instantiated with ``params``; anything else is returned as it is.
    """
    from .registry import LOSSES, get_loss

    params = params or {}
    if ":" not in spec:
        if spec in LOSSES:
            return get_loss(spec, **params)
        raise ValueError(f"unknown objective {spec!r}: use a registry name {sorted(LOSSES)} "
                         "or module:attribute")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())  # like python -m: find the user's module in the cwd
    module_name, _, attr = spec.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if isinstance(obj, type) and issubclass(obj, Loss):
        return obj(**params)
    if params:
        raise ValueError(f"--param applies to a registry name or Loss class, not to {spec}")
    return obj


def main(argv: list[str] | None = None) -> int:
    """``python -m boostobj check``: exit status 1 when a check fails (for CI), 2 on bad usage."""
    parser = argparse.ArgumentParser(
        prog="python -m boostobj check",
        description="Check a custom objective's gradient, hessian, weights and outputs against "
                    "finite differences of its loss, on random and extreme margins.",
        epilog="examples: check focal_loss --param gamma=2 | check --all | "
               "check mymodule:my_obj --loss mymodule:my_loss --kind binary")
    parser.add_argument("objective", nargs="?", help="registry name or module:attribute")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="parameter of a registry loss or Loss class (repeatable)")
    parser.add_argument("--loss", help="per-row loss (y, margin) for a custom objective: "
                                       "module:function or a registry name")
    parser.add_argument("--kind", choices=KINDS, help="labels to try (required for custom objectives)")
    parser.add_argument("--api", default="auto", choices=("auto", *APIS))
    parser.add_argument("--hessian", default="auto", choices=("auto", "exact", "surrogate"))
    parser.add_argument("--hessian-floor", type=float, default=HESSIAN_FLOOR)
    parser.add_argument("--n-classes", type=int)
    parser.add_argument("--rows", type=int, default=200, help="random rows (extreme rows are added)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-weights", action="store_true", help="skip the weights check")
    parser.add_argument("--all", action="store_true",
                        help="check every registry loss with each of its hessian options")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only failures and the verdict")
    args = parser.parse_args(argv)
    try:
        if args.all:
            from .registry import LOSSES

            targets = [cls(hessian=opt) if len(cls.hessian_options) > 1 else cls()
                       for cls in LOSSES.values() for opt in cls.hessian_options]
        elif args.objective:
            targets = [resolve(args.objective, parse_params(args.param))]
        else:
            parser.error("give an objective or --all")
        loss = resolve(args.loss) if args.loss else None
    except (ValueError, TypeError, ImportError, AttributeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    status = 0
    for target in targets:
        try:
            report = check_objective(
                target, loss, kind=args.kind, api=args.api, hessian=args.hessian,
                n_classes=args.n_classes, n_random=args.rows, seed=args.seed,
                hessian_floor=args.hessian_floor, weights=not args.no_weights)
        except (ValueError, TypeError, ImportError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args.quiet:
            lines = [str(f) for f in report.findings if f.status == "FAIL"]
            print("\n".join([f"check {report.objective}", *lines,
                             "PASSED" if report.ok else "FAILED"]))
        else:
            print(report)
        status = status or (0 if report.ok else 1)
    return status
