"""The checks: what comes back from one call (output, in-place changes), the gradient and hessian
against the finite differences, their signs, the weights; and :func:`check_objective`, which
runs them all through every entry point."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._kernels import HESSIAN_FLOOR
from ..losses import Loss
from .calls import Caller, takes_weights
from .numeric import _f32, differences, inputs
from .options import _base_loss, resolve_options
from .report import CheckReport, Finding

__all__ = ["check_objective"]


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
                f"{name} is float16: XGBoost accepts it silently and trains garbage (trees of a "
                "single leaf, measured with xgboost 3.2.0); return float32 or float64")))
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
                "is silently wrong (xgboost 3.2.0, lightgbm 4.7.0); read here as "
                f"{'class' if order == 'F' else 'row'}-major")))
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
                f"bounded (not the exact d2L/dm2): bounded/exact in [{ratio.min():.3g}, "
                f"{ratio.max():.3g}] where the exact hessian is positive")))
        under = ok_h & (h < d2 - tol)
        if under.any():
            i, j = _unravel(np.where(under, d2 - h, 0.0), m)
            hi, di = (h[i], d2[i]) if j is None else (h[i, j], d2[i, j])
            findings.append(Finding("hessian", "WARN", api, (
                f"the bounded hessian is below the exact one on {int(under.sum())} entries (steps "
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
    if api == "sklearn" and takes_weights(caller.func) is None:
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


def _takes_labels(objective, y) -> bool:
    """Whether the boostobj loss behind ``objective`` (if any) takes labels ``y``."""
    base = _base_loss(objective)
    try:
        base is None or base.check_labels(y)
    except ValueError:
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
    objective : boostobj Loss, boostobj FitObjective or callable
        A boostobj loss or :class:`~boostobj.FitObjective` (checked through every installed entry
        point), or your own objective with the XGBoost ``(preds, dtrain)``, LightGBM
        ``(preds, train_data)`` or sklearn ``(y_true, y_pred[, sample_weight])`` signature.
    loss : callable, optional
        ``loss(y, margin) -> (n,)`` per-row, unweighted loss (float64 arrays; ``margin`` is
        ``(n, k)`` for multiclass). Default for a boostobj loss: ``objective.loss``. Required
        otherwise.
    kind : {"binary", "regression", "multiclass", "log"}, optional
        Which labels to try (0/1, real, ``0..k-1``, positive amounts on the log link). Default
        for a boostobj loss: its ``task`` (``"log"`` for the log-link losses).
    api : {"auto", "xgboost", "lightgbm", "sklearn"} or tuple of them
        Entry point(s) to call through. ``"auto"``: every installed one for a boostobj loss
        (for :func:`boostobj.parity.mirror.match_builtin`: the native APIs of the libraries it
        has a twin in); for a callable, read from its signature (native: XGBoost, else LightGBM
        if that call raises).
    hessian : {"auto", "exact", "bounded"}
        See the module docstring.
    n_classes : int >= 2, optional
        Classes for multiclass objectives (default: the number the loss's hyperparameters fix,
        else 3); refused for the other kinds.
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
    opts = resolve_options(objective, loss, kind=kind, api=api, hessian=hessian,
                           n_classes=n_classes)
    rng = np.random.default_rng(seed)
    y, m = inputs(opts.kind, n_random, opts.n_classes, rng)
    if opts.kind == "regression" and not _takes_labels(objective, y):
        # labels bounded below (squared log error's y > -1): the same residuals at labels |y|
        y, m = np.abs(y), _f32(m - np.minimum(2.0 * y, 0.0))
    if getattr(objective, "kink_at_zero", False) and opts.kind == "regression":
        # a loss not smooth at a zero residual (quantile, expectile, Fair): finite differences
        # cannot check it there, so the zero-residual rows sit just beside the kink
        m = np.where(m == y, m + 0.25 * (1.0 + np.abs(y)), m)
    w = _f32(rng.uniform(0.1, 3.0, y.shape[0]))
    name = opts.name
    if isinstance(objective, Loss) and objective.has_auto():
        # an "auto" scale is estimated from the training labels (and weights): check the loss it
        # gives on these labels, for which weights then multiply as for any fixed loss
        objective = objective.resolved(y)
        opts = resolve_options(objective, loss, kind=kind, api=api, hessian=hessian,
                               n_classes=n_classes)
    report = CheckReport(name, opts.kind, opts.hessian, y.shape[0])
    ref = differences(opts.loss, y, m)

    tried_native: list[str] = []
    apis, native_auto = opts.apis, opts.native_auto
    for a in apis:
        if native_auto and tried_native and tried_native[-1] == "passed":
            break
        caller = Caller(a, objective, y, w, rng)
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
            _check_values(g, h, y, m, ref, a, opts.hessian, rtol, hessian_rtol, atol, hessian_floor,
                          report.findings)
        if weights:
            with np.errstate(all="ignore"):
                _check_weights(caller, m, g, h, a, rtol, atol, y, report.findings)
    return report
