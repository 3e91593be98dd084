"""Kernel timings: each loss's gradient/hessian (the fast kernel the loss names, compiled or numpy,
and its float64 reference), the whole objective call through each library's data object, and
the memory-bandwidth floor measured in the same run."""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np

from .. import _kernels
from ..received import library_gradient_hessian
from ..registry import REGISTRY

__all__ = ["KERNEL_TARGETS", "kernel_losses", "kernel_rows", "kernel_rows_for", "memory_floor"]

#: Objective-call targets in ms per 1M rows (3 classes for the multiclass kernels), one core, by
#: kernel name: each kernel's declared ``target_ms`` (:class:`boostobj._kernels.Kernel`).
KERNEL_TARGETS = {name: k.target_ms for name, k in _kernels.KERNELS.items()
                  if k.target_ms is not None}


def _median_seconds(fn, reps: int, budget: float = 3.0) -> tuple[float, float]:
    """Median and best of ``reps`` timed calls (fewer, at least 3, once ``budget`` seconds pass)."""
    times: list[float] = []
    while len(times) < reps and (len(times) < 3 or sum(times) < budget):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        del out
    return statistics.median(times), min(times)


def memory_floor(reps: int = 7) -> dict[str, float]:
    """Single-thread memory bandwidth from a 64 MiB float32 copy (bytes read + written per second),
    and the fastest a 1-D objective could run: 16 bytes per row (margin and label read, gradient
    and hessian written, float32)."""
    src = np.ones(16 * 1024 * 1024, dtype=np.float32)
    dst = np.empty_like(src)
    np.copyto(dst, src)  # fault the pages in before timing
    med, best = _median_seconds(lambda: np.copyto(dst, src), reps)
    gbps = 2 * src.nbytes / med / 1e9
    return {"copy_gb_per_s": gbps, "copy_gb_per_s_best": 2 * src.nbytes / best / 1e9,
            "bytes_per_row": 16, "floor_rows_per_s": gbps * 1e9 / 16,
            "floor_ms_per_1m_rows": 16 * 1e6 / (gbps * 1e9) * 1e3}


def kernel_losses() -> list:
    """One instance per registry entry and hessian option (defaults otherwise)."""
    return [entry.cls(hessian=option) if len(entry.cls.hessian_options) > 1 else entry.cls()
            for entry in REGISTRY for option in entry.cls.hessian_options]


def kernel_rows_for(loss, rows: int, reps: int, libraries) -> dict[str, Any]:
    """Time one loss's gradient/hessian at ``rows`` rows: the kernel the loss names
    (:meth:`boostobj.Loss.fast_kernel`; without one, its float64 reference), the float64
    reference and the whole objective call through each library's data object; when the
    compiled extension runs the loss's kernel (:func:`boostobj._kernels.compiled`), also what
    runs without it (float32 margins): the numpy kernel it replaces, or the float64 reference
    for the kernels that exist only compiled. The row carries the kernel's target
    (:data:`KERNEL_TARGETS`) as ``target_ms_per_1m``, whether the slower margin type met it
    (``target_met``) and whether the run is large enough for it to apply (1M rows or more)."""
    rng = np.random.default_rng(7)
    multiclass = loss.task == "multiclass"
    k = 3 if multiclass else 1
    if multiclass:
        y = rng.integers(0, k, rows).astype(np.float32)
        z64 = rng.normal(0.0, 2.0, (rows, k))
    elif loss.task == "binary":
        y = (rng.random(rows) < 0.3).astype(np.float32)
        z64 = rng.normal(0.0, 3.0, rows)
    elif loss.task == "survival":  # times, 30% right-censored; log-margins around them
        t = rng.gamma(2.0, 1.5, rows) + 0.05
        event = rng.random(rows) >= 0.3
        y = np.column_stack([t, np.where(event, t, np.inf)]) if loss.label_columns == 2 \
            else np.where(event, t, -t)  # AFT bounds, or Cox's signed times
        y = y.astype(np.float32)
        z64 = np.log(t) + rng.normal(0.0, 1.0, rows)
    elif loss.link.name == "log":  # positive amounts and log-margins around them
        y = rng.gamma(2.0, 1.5, rows).astype(np.float32)
        z64 = np.log(y.astype(np.float64)) + rng.normal(0.0, 1.0, rows)
    else:
        y = rng.standard_t(3, rows).astype(np.float32)
        try:
            loss.check_labels(y.astype(np.float64))
        except ValueError:  # labels bounded below (squared log error: y > -1)
            y = np.abs(y)
        z64 = y + rng.normal(0.0, 2.0, rows)
    z32 = z64.astype(np.float32)
    y64 = loss.check_labels(y.astype(np.float64))  # validated, as the dispatcher hands them
    fit = loss.resolved(y64)  # an "auto" scale as training on these labels would estimate it
    spec = fit.fast_kernel()
    kernel = spec[0] if spec is not None else None
    compiled = kernel is not None and _kernels.compiled(kernel)
    row = {"loss": repr(loss), "name": type(loss).__name__, "rows": rows, "outputs": k,
           "bytes_per_row": 4 + 12 * k, "kernel": kernel, "compiled": compiled}
    if kernel in KERNEL_TARGETS:
        row["target_ms_per_1m"] = KERNEL_TARGETS[kernel]
    med, best = _median_seconds(lambda: library_gradient_hessian(fit, y64, z32, None), reps)
    row.update(kernel_f32_ms=med * 1e3, kernel_f32_best_ms=best * 1e3)
    med, best = _median_seconds(lambda: library_gradient_hessian(fit, y64, z64, None), reps)
    row.update(kernel_f64_ms=med * 1e3, kernel_f64_best_ms=best * 1e3)
    if compiled:
        with _kernels.numpy_kernels():  # the same kernel without the compiled extension
            med, _ = _median_seconds(lambda: library_gradient_hessian(fit, y64, z32, None), reps)
        row["numpy_f32_ms"] = med * 1e3
    med, _ = _median_seconds(
        lambda: library_gradient_hessian(fit, y64, z64, None, reference=True), max(3, reps // 4))
    row["reference_f64_ms"] = med * 1e3
    X = np.zeros((rows, 1), dtype=np.float32)
    if "xgboost" in libraries:
        import xgboost as xgb

        d = (xgb.DMatrix(X, label_lower_bound=y[:, 0], label_upper_bound=y[:, 1], nthread=1)
             if y.ndim == 2 else xgb.DMatrix(X, y, nthread=1))  # AFT: XGBoost's label bounds
        loss(z32, d)  # validate and cache the labels, as the first boosting round does
        med, best = _median_seconds(lambda: loss(z32, d), reps)
        row.update(call_xgboost_ms=med * 1e3, call_xgboost_best_ms=best * 1e3)
    if "lightgbm" in libraries and y.ndim == 1:  # (a Dataset holds no AFT bounds)
        import lightgbm as lgb

        ds = lgb.Dataset(X, y, params={"verbose": -1, "num_threads": 1}).construct()
        zl = np.asfortranarray(z64)
        loss(zl, ds)
        med, best = _median_seconds(lambda: loss(zl, ds), reps)
        row.update(call_lightgbm_ms=med * 1e3, call_lightgbm_best_ms=best * 1e3)
    return _kernel_derived(row)


def _kernel_derived(row: dict[str, Any]) -> dict[str, Any]:
    """Add the per-1M-row and rows-per-second figures to a kernel row of timings."""
    rows = row["rows"]
    scale = 1e6 / rows
    row["kernel_ms_per_1m"] = max(row["kernel_f32_ms"], row["kernel_f64_ms"]) * scale  # the slower form
    row["kernel_best_ms_per_1m"] = max(row["kernel_f32_best_ms"], row["kernel_f64_best_ms"]) * scale
    row["rows_per_s_f32"] = rows / (row["kernel_f32_ms"] / 1e3)
    row["rows_per_s_f64"] = rows / (row["kernel_f64_ms"] / 1e3)
    if row.get("target_ms_per_1m") is not None:
        row["target_met"] = row["kernel_ms_per_1m"] <= row["target_ms_per_1m"]
        row["target_applies"] = rows >= 1_000_000
    return row


def kernel_rows(losses, rows: int, reps: int, libraries, passes: int = 1, progress=None) -> list[dict]:
    """:func:`kernel_rows_for` for every loss, ``passes`` times over the whole list, then per loss
    the median of each timing over the passes (the best: the minimum).

    On a shared machine the speed moves in phases of seconds to minutes (measured here: the same
    kernel at 1.9 ms and 3.5 ms a minute apart), longer than one loss's ``reps`` calls, which all
    fall in one phase; passes spread each kernel's samples over the whole measurement. Each row
    keeps ``kernel_ms_per_1m_passes``, the figure of every pass."""
    per_pass = []
    for _ in range(passes):
        one = []
        for loss in losses:
            if progress is not None:
                progress(loss)
            one.append(kernel_rows_for(loss, rows, reps, libraries))
        per_pass.append(one)
    out = []
    for runs in zip(*per_pass):
        row = dict(runs[0])
        for key in runs[0]:
            if key.endswith("_ms") and all(key in r for r in runs):
                row[key] = (min if key.endswith("_best_ms") else statistics.median)(r[key] for r in runs)
        row["passes"] = passes
        row["kernel_ms_per_1m_passes"] = [r["kernel_ms_per_1m"] for r in runs]
        out.append(_kernel_derived(row))
    return out
