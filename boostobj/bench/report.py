"""The benchmark's report: the tables printed, the chart (``bench.png``), and the versions and
machine recorded beside the figures."""

from __future__ import annotations

import math
import os
import platform
from typing import Any

import numpy as np

__all__ = ["LIBRARIES", "installed", "kernel_table", "machine", "plot", "training_table",
           "versions"]

#: The libraries the benchmark trains (CatBoost when it is installed: :func:`installed`).
LIBRARIES = ("xgboost", "lightgbm", "catboost")


def installed(library: str) -> bool:
    """Whether ``library`` imports (CatBoost is an optional extra, ``boostobj[catboost]``)."""
    import importlib

    try:
        importlib.import_module(library)
    except ImportError:
        return False
    return True


def versions() -> dict[str, str]:
    """Python's and the packages' versions ("not installed" for a missing one)."""
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("boostobj", "numpy", "scipy", "xgboost", "lightgbm", "catboost", "scikit-learn",
                "matplotlib"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def machine() -> dict[str, Any]:
    """Platform, CPU model, CPU count and load average."""
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"platform": platform.platform(), "machine": platform.machine(), "cpu": cpu,
            "cpu_count": os.cpu_count(), "load_average": list(os.getloadavg())
            if hasattr(os, "getloadavg") else None}


def _fmt(x, spec=".3f") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return format(x, spec)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(out)


def training_table(results: list[dict]) -> str:
    """One line per trained model: time, objective share, split work, ratio, target, quality."""
    headers = ["task", "library", "objective", "train s", "ms/round", "obj ms/round", "obj %",
               "split M rows/round", "ratio", "target", "log loss", "ROC AUC", "PR AUC", "RMSE", "MAE",
               "deviance"]
    rows = []
    for r in results:
        q = r["quality"]
        rows.append([r["task"], r["library"], r["objective"], _fmt(r["train_s"]),
                     _fmt(r["ms_per_round"], ".2f"), _fmt(r.get("objective_ms_per_round"), ".2f"),
                     _fmt(r.get("objective_share_pct"), ".1f"),
                     _fmt(r["split_rows_per_round"] / 1e6, ".3f"), _fmt(r.get("ratio")),
                     _fmt(r.get("target"), ".2f"), _fmt(q.get("log_loss"), ".4f"),
                     _fmt(q.get("roc_auc"), ".4f"), _fmt(q.get("pr_auc"), ".4f"),
                     _fmt(q.get("rmse"), ".3f"), _fmt(q.get("mae"), ".3f"),
                     _fmt(q.get("deviance"), ".4f")])
    return _table(headers, rows)


def _kernel_name(row: dict) -> str:
    if row.get("kernel") is None:
        return "float64 ref"
    return f'{row["kernel"]} ({"C" if row.get("compiled") else "numpy"})'


def kernel_table(kernels: list[dict], floor: dict) -> str:
    """One line per loss. ``kernel``: the fast kernel the loss names and whether the compiled
    extension runs it (C) or numpy does, or ``float64 ref`` for a loss without one. ``ms per
    1M`` and ``M rows/s`` are the slower of the two margin types; with several passes the last
    column gives ``ms per 1M`` in each pass."""
    headers = ["objective", "kernel", "f32 margins ms", "f64 margins ms", "ms per 1M", "best", "M rows/s",
               "floor M rows/s", "xgb call ms", "lgb call ms", "float64 ref ms", "numpy f32 ms",
               "target ms/1M"]
    passes = any(k.get("passes", 1) > 1 for k in kernels)
    if passes:
        headers.append("ms per 1M, each pass")
    rows = []
    for k in kernels:
        rows.append([k["loss"], _kernel_name(k), _fmt(k["kernel_f32_ms"], ".2f"), _fmt(k["kernel_f64_ms"], ".2f"),
                     _fmt(k["kernel_ms_per_1m"], ".2f"), _fmt(k["kernel_best_ms_per_1m"], ".2f"),
                     _fmt(min(k["rows_per_s_f32"], k["rows_per_s_f64"]) / 1e6, ".0f"),
                     _fmt(floor["floor_rows_per_s"] * 16 / k["bytes_per_row"] / 1e6, ".0f"),
                     _fmt(k.get("call_xgboost_ms"), ".2f"), _fmt(k.get("call_lightgbm_ms"), ".2f"),
                     _fmt(k["reference_f64_ms"], ".1f"), _fmt(k.get("numpy_f32_ms"), ".2f"),
                     _fmt(k.get("target_ms_per_1m"), ".0f")])
        if passes:
            rows[-1].append(" ".join(f"{v:.2f}" for v in k.get("kernel_ms_per_1m_passes", [])))
    return _table(headers, rows)


def plot(report: dict, path: str) -> None:
    """Four panels: training-time ratios, binary quality, regression quality, kernel throughput."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = report["training"]
    fig, axes = plt.subplots(2, 2, figsize=(15, 10))
    colors = {"xgboost": "tab:blue", "lightgbm": "tab:orange", "catboost": "tab:purple"}

    ax = axes[0, 0]
    custom = [r for r in results if r["kind"] == "custom"]
    labels = sorted({f'{r["task"]}\n{r["objective"]}' for r in custom})
    x = np.arange(len(labels))
    libs = [lib for lib in LIBRARIES if any(r["library"] == lib for r in custom)]
    width = 0.76 / max(1, len(libs))

    def offset(i):
        return (i - (len(libs) - 1) / 2) * width

    for i, lib in enumerate(libs):
        vals = {f'{r["task"]}\n{r["objective"]}': r["ratio"] for r in custom if r["library"] == lib}
        ax.bar(x + offset(i), [vals.get(lbl, np.nan) for lbl in labels], width,
               label=lib, color=colors[lib])
    ax.axhline(1.0, color="k", lw=0.8)
    for i, lib in enumerate(libs):  # targets (stated at 1M rows x 200 rounds)
        for j, lbl in enumerate(labels):
            tgt = [r.get("target") for r in custom if r["library"] == lib
                   and f'{r["task"]}\n{r["objective"]}' == lbl]
            if tgt and tgt[0]:
                ax.plot([j + offset(i) - width * 0.45, j + offset(i) + width * 0.45],
                        [tgt[0]] * 2, color="k", lw=1.5)
    ax.set_xticks(x, labels, fontsize=6, rotation=30, ha="right")
    ax.set_ylabel("training time, custom / built-in (black ticks: targets)")
    ax.set_title(f'Speed ({report["settings"]["rows"]:,} rows, {report["settings"]["rounds"]} rounds, '
                 f'median of {report["settings"]["repeat"]})', fontsize=10)
    ax.legend(fontsize=8)

    for ax, tasks, metric_names, title in (
            (axes[0, 1], ("binary", "imbalanced"), ("roc_auc", "pr_auc"), "Binary quality (held out)"),
            (axes[1, 0], ("regression",), ("rmse", "mae"), "Regression quality (held out)")):
        sel = [r for r in results if r["task"] in tasks]
        if not sel:
            ax.set_visible(False)
            continue
        names = [f'{r["library"][:3]} {r["task"][:5]}\n{r["objective"]}' for r in sel]
        x = np.arange(len(sel))
        for j, m in enumerate(metric_names):
            ax.bar(x + (j - 0.5) * 0.38, [r["quality"].get(m, np.nan) for r in sel], 0.38, label=m)
        ax.set_xticks(x, names, fontsize=5.5, rotation=45, ha="right")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8)
        vals = [r["quality"].get(m) for r in sel for m in metric_names]
        vals = [v for v in vals if v is not None and np.isfinite(v)]
        if vals and tasks != ("regression",):
            ax.set_ylim(max(0.0, min(vals) - 0.05), min(1.0, max(vals) + 0.02))
        elif vals:
            ax.set_ylim(0.9 * min(vals), 1.02 * max(vals))

    ax = axes[1, 1]
    ks = report["kernels"]
    if ks:
        names = [k["loss"] for k in ks]
        x = np.arange(len(ks))
        ax.barh(x, [max(k["rows_per_s_f32"], k["rows_per_s_f64"]) / 1e6 for k in ks],
                color="tab:green", label="fast kernel")
        floor = report["memory"]["floor_rows_per_s"] / 1e6
        ax.axvline(floor, color="k", ls="--", lw=1, label=f"memory floor ({floor:.0f} M rows/s)")
        ax.set_yticks(x, names, fontsize=6)
        ax.set_xscale("log")
        ax.set_xlabel(f'M rows/s (grad+hess, {ks[0]["rows"]:,} rows, one thread)')
        ax.legend(fontsize=8)
        ax.set_title("Gradient/hessian kernels", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
