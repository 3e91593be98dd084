"""``python -m boostobj bench``: boostobj objectives against the built-in objectives they stand in
for, in XGBoost and LightGBM — training speed, model quality on held-out data, and the
gradient/hessian kernels beside the machine's memory bandwidth.

What is measured (all in one run, so ratios compare like with like):

* **Training speed.** For each library and objective: wall time of ``xgboost.train`` /
  ``lightgbm.train`` (data already binned), per round, and the share of each round spent in the
  custom objective's callback; the median over ``--repeat`` runs. ``ratio`` is custom time over
  the built-in reference on the same data in the same run (built-in logistic for the binary
  losses, built-in squared error for the regression losses).
* **Quality** on held-out rows: log loss, ROC AUC and PR AUC (binary and an imbalanced set where
  focal loss is the point), RMSE and MAE (a regression target with heavy-tailed noise and gross
  outliers in the training labels, where log-cosh and pseudo-Huber are the point).
* **Kernels**: rows per second of each objective's gradient/hessian at ``--kernel-rows`` rows
  (float32 margins as XGBoost hands them, float64 as LightGBM does), the full objective call
  through a real ``DMatrix`` / ``Dataset``, the float64 reference path, and the memory-bandwidth
  floor measured in the same run (read margins and labels, write gradients and hessians: 16 bytes
  per row in float32).

Every custom model starts from its loss's ``init_score`` (``loss.xgboost_params`` for XGBoost,
``Dataset(init_score=...)`` folded into the first trees for LightGBM), as the built-ins start
from theirs. ``OMP_WAIT_POLICY=PASSIVE`` is set before the libraries are imported unless you set
it (spin-waiting OpenMP threads made LightGBM 11x slower on a shared 2-core machine).

Outputs go to ``--out`` (default ``bench-results/``): ``bench.json`` (every figure, library
versions and machine), ``bench.png`` (speed ratios, quality, kernels) and the table on stdout.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["main"]

LIBRARIES = ("xgboost", "lightgbm")
TASKS = ("binary", "imbalanced", "regression", "multiclass")
DEFAULT_TASKS = ("binary", "imbalanced", "regression", "multiclass")

#: Training-time targets (issue 4), custom / built-in at 1M rows x 28 features, 200 rounds, hist,
#: 2 threads: (XGBoost, LightGBM).
TRAIN_TARGETS = {"BinaryLogLoss": (1.08, 1.02), "FocalLoss": (1.12, 1.05),
                 "LogCoshLoss": (1.12, 1.05), "PseudoHuberLoss": (1.12, 1.05)}
#: Objective-call targets in ms per 1M rows, one core (issue 4).
KERNEL_TARGETS = {"BinaryLogLoss": 3.0, "LogCoshLoss": 3.0, "PseudoHuberLoss": 3.0, "FocalLoss": 10.0}
#: Scale of the pseudo-Huber / Huber transition on the regression task (noise scale is 1).
DELTA = 1.0


# ------------------------------------------------------------------------------------ data
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
    * ``multiclass``: three classes from a softmax of three signals.
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
    else:
        raise ValueError(f"unknown task {task!r}; choose from {TASKS}")
    return {"X": X[:rows], "y": y[:rows], "X_test": X[rows:], "y_test": y[rows:]}


# ------------------------------------------------------------------------------------ cases
@dataclass
class Case:
    """One model to train: a built-in objective (``builtin`` set) or a boostobj loss."""

    task: str
    library: str
    name: str
    builtin: dict[str, Any] | None = None
    loss: Any = None
    reference: str | None = None  # the built-in case name this one's speed is compared to
    times: list[float] = field(default_factory=list)
    objective_times: list[float] = field(default_factory=list)
    split_rows: float | None = None
    quality: dict[str, float] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return "built-in" if self.builtin is not None else "custom"


def _builtins(task: str, library: str) -> list[tuple[str, dict[str, Any]]]:
    """(name, params) of the built-in objectives compared on ``task``; the first is the reference."""
    xgb = library == "xgboost"
    if task in ("binary", "imbalanced"):
        return [("binary:logistic" if xgb else "binary",
                 {"objective": "binary:logistic" if xgb else "binary"})]
    if task == "regression":
        return [("reg:squarederror" if xgb else "regression",
                 {"objective": "reg:squarederror" if xgb else "regression"}),
                ("reg:pseudohubererror" if xgb else "huber",
                 {"objective": "reg:pseudohubererror", "huber_slope": DELTA} if xgb
                 else {"objective": "huber", "alpha": DELTA})]
    return [("multi:softprob" if xgb else "multiclass",
             {"objective": "multi:softprob" if xgb else "multiclass", "num_class": 3})]


def _losses(task: str) -> list:
    """The boostobj losses compared on ``task``: every registry entry whose link fits it."""
    import boostobj

    if task == "binary":
        return [boostobj.BinaryLogLoss(), boostobj.FocalLoss(gamma=2.0)]
    if task == "imbalanced":
        return [boostobj.BinaryLogLoss(), boostobj.FocalLoss(gamma=2.0)]
    if task == "regression":
        return [boostobj.SquaredErrorLoss(), boostobj.PseudoHuberLoss(delta=DELTA),
                boostobj.LogCoshLoss()]
    return [loss_cls() for loss_cls in boostobj.LOSSES.values()
            if getattr(loss_cls, "is_multiclass", False)]


def make_cases(tasks, libraries) -> list[Case]:
    cases = []
    for task in tasks:
        for library in libraries:
            built = _builtins(task, library)
            ref = built[0][0]
            for name, params in built:
                cases.append(Case(task, library, name, builtin=params))
            for loss in _losses(task):
                cases.append(Case(task, library, repr(loss), loss=loss, reference=ref))
    return cases


# ------------------------------------------------------------------------------------ training
class _Timed:
    """The loss as the objective, with the time spent in each call added up."""

    def __init__(self, loss) -> None:
        self.loss = loss
        self.seconds = 0.0

    def __deepcopy__(self, memo):
        return self  # lightgbm.train deep-copies its params; keep adding up here

    def __call__(self, preds, data):
        t0 = time.perf_counter()
        out = self.loss(preds, data)
        self.seconds += time.perf_counter() - t0
        return out


def _xgb_params(threads: int) -> dict[str, Any]:
    return {"tree_method": "hist", "max_depth": 6, "eta": 0.1, "max_bin": 256, "nthread": threads,
            "verbosity": 0, "seed": 0}


def _lgb_params(threads: int) -> dict[str, Any]:
    return {"num_leaves": 63, "learning_rate": 0.1, "max_bin": 255, "num_threads": threads,
            "verbose": -1, "force_col_wise": True, "seed": 0, "deterministic": True}


class _Prepared:
    """Library data for one task, built once (binning is outside every timing)."""

    def __init__(self, task, library, data, threads) -> None:
        self.task, self.library, self.data, self.threads = task, library, data, threads
        X, y = data["X"], data["y"]
        if library == "xgboost":
            import xgboost as xgb

            self.train = xgb.QuantileDMatrix(X, y, max_bin=256, nthread=threads)
        else:
            import lightgbm as lgb

            ds_params = {"max_bin": 255, "verbose": -1, "num_threads": threads}
            self.plain = lgb.Dataset(X, y, params=ds_params, free_raw_data=False).construct()
            # one starting score per row and class; set_init_score later must keep this size
            # (a different size corrupted LightGBM 4.7's heap)
            k = 3 if task == "multiclass" else 1
            self.with_init = lgb.Dataset(X, y, params=ds_params, free_raw_data=False,
                                         init_score=np.zeros(len(y) * k)).construct()

    def fit(self, case: Case, rounds: int):
        """Train ``case``; return (seconds, objective seconds, held-out raw margins, booster)."""
        X_test, y = self.data["X_test"], self.data["y"]
        if self.library == "xgboost":
            import xgboost as xgb

            params = _xgb_params(self.threads)
            if case.builtin is not None:
                params.update(case.builtin)
                obj = None
            else:
                params.update(case.loss.xgboost_params(y))
                obj = _Timed(case.loss)
            t0 = time.perf_counter()
            booster = xgb.train(params, self.train, rounds, obj=obj)
            seconds = time.perf_counter() - t0
            margin = booster.predict(xgb.DMatrix(X_test), output_margin=True)
            return seconds, (obj.seconds if obj else 0.0), np.asarray(margin, np.float64), booster
        import lightgbm as lgb

        from .adapters.lightgbm import fold_init_score

        params = _lgb_params(self.threads)
        if case.builtin is not None:
            params.update(case.builtin)
            ds, obj, init = self.plain, None, None
        else:
            init = case.loss.init_score(y)
            ds = self.with_init
            ds.set_init_score(case.loss.init_raw_prediction(y).ravel(order="F"))
            obj = _Timed(case.loss)
            params["objective"] = obj
            if case.loss.is_multiclass:
                params["num_class"] = int(np.size(init))
        t0 = time.perf_counter()
        booster = lgb.train(params, ds, rounds)
        seconds = time.perf_counter() - t0
        if init is not None:
            fold_init_score(booster, init)
        margin = booster.predict(X_test, raw_score=True)
        return seconds, (obj.seconds if obj else 0.0), np.asarray(margin, np.float64), booster


def split_rows(booster, X: np.ndarray, sample: int = 50_000, per_tree: bool = False):
    """Rows in the smaller child of every split, summed over the model's trees (or one sum per
    tree, in training order, with ``per_tree=True``).

    This is the histogram work of tree building: at every split both libraries scan the rows of
    one child to build its histogram and get the other child's by subtraction, so two models
    with the same number of leaves can differ several-fold in cost when one splits off small
    groups and the other splits evenly. LightGBM builds the child with fewer rows
    (``SerialTreeLearner::SplitInner``: ``left_count < right_count``); the count here is exact,
    from the training counts in ``dump_model()``. XGBoost's ``hist`` builds the child with the
    smaller hessian sum (``AssignNodes`` in ``src/tree/hist/histogram.cc``), the smaller child
    when hessians are alike, so rows in the smaller child are a proxy for its work; XGBoost
    keeps no row counts (``cover`` is a hessian sum), so they come from ``pred_leaf`` on an
    evenly spaced sample of at most ``sample`` training rows, scaled up: an estimate.
    """
    def smaller_children(node, count, children) -> tuple[float, float]:
        kids = children(node)
        if not kids:
            return count(node), 0.0
        (a, wa), (b, wb) = (smaller_children(k, count, children) for k in kids)
        return a + b, wa + wb + min(a, b)

    if type(booster).__module__.startswith("lightgbm"):
        work = np.array([
            smaller_children(tree["tree_structure"], lambda nd: nd.get("leaf_count", 0),
                             lambda nd: [nd[k] for k in ("left_child", "right_child") if k in nd])[1]
            for tree in booster.dump_model()["tree_info"]])
        return work if per_tree else float(work.sum())
    import xgboost as xgb

    step = max(1, X.shape[0] // sample)
    rows = X[::step]
    leaves = booster.predict(xgb.DMatrix(rows), pred_leaf=True).astype(np.int64)
    leaves = leaves.reshape(rows.shape[0], -1)
    def index(nd, nodes):
        nodes[nd["nodeid"]] = nd
        for child in nd.get("children", ()):
            index(child, nodes)
        return nodes

    work = []
    for j, text in enumerate(booster.get_dump(dump_format="json")):
        nodes = index(json.loads(text), {})
        counts = np.bincount(leaves[:, j], minlength=max(nodes) + 1).astype(np.float64)
        kids = {i: [nd["yes"], nd["no"]] if "children" in nd else [] for i, nd in nodes.items()}
        work.append(smaller_children(0, counts.__getitem__, kids.__getitem__)[1])
    work = np.array(work) * (X.shape[0] / rows.shape[0])
    return work if per_tree else float(work.sum())


def _quality(task: str, margin: np.ndarray, y_test: np.ndarray) -> dict[str, float]:
    from sklearn import metrics

    if task == "regression":
        err = margin - y_test
        return {"rmse": float(np.sqrt(np.mean(err * err))), "mae": float(np.mean(np.abs(err)))}
    if task == "multiclass":
        from .links import SoftmaxLink

        p = SoftmaxLink().inverse(margin.reshape(len(y_test), -1))
        return {"log_loss": float(metrics.log_loss(y_test, p, labels=[0, 1, 2])),
                "accuracy": float(np.mean(np.argmax(p, axis=1) == y_test))}
    from scipy.special import expit

    p = expit(margin)
    return {"log_loss": float(metrics.log_loss(y_test, p, labels=[0, 1])),
            "roc_auc": float(metrics.roc_auc_score(y_test, p)),
            "pr_auc": float(metrics.average_precision_score(y_test, p))}


# ------------------------------------------------------------------------------------ kernels
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
    """One instance per registry entry (defaults), plus the non-default hessians."""
    import boostobj

    out = [cls() for cls in boostobj.LOSSES.values()]
    out += [boostobj.FocalLoss(gamma=2.0, alpha=0.25), boostobj.LogCoshLoss(hessian="exact"),
            boostobj.PseudoHuberLoss(hessian="exact")]
    return out


#: The losses whose kernels the compiled extension runs (boostobj/_kernels.py).
_COMPILED_LOSSES = ("BinaryLogLoss", "FocalLoss", "LogCoshLoss", "PseudoHuberLoss")


def kernel_rows_for(loss, rows: int, reps: int, libraries) -> dict[str, Any]:
    """Time one loss's gradient/hessian at ``rows`` rows: the fast path, the float64 reference and
    the whole objective call through each library's data object; with the compiled extension in
    use, also the numpy kernel it replaces (float32 margins)."""
    from . import _kernels
    from .losses._base import Loss

    rng = np.random.default_rng(7)
    k = 3 if loss.is_multiclass else 1
    if loss.is_multiclass:
        y = rng.integers(0, k, rows).astype(np.float32)
        z64 = rng.normal(0.0, 2.0, (rows, k))
    elif loss.link.name == "logit":
        y = (rng.random(rows) < 0.3).astype(np.float32)
        z64 = rng.normal(0.0, 3.0, rows)
    else:
        y = rng.standard_t(3, rows).astype(np.float32)
        z64 = y + rng.normal(0.0, 2.0, rows)
    z32 = z64.astype(np.float32)
    y64 = y.astype(np.float64)
    row = {"loss": repr(loss), "name": type(loss).__name__, "rows": rows, "outputs": k,
           "bytes_per_row": 4 + 12 * k}
    med, best = _median_seconds(lambda: loss._library_gradient_hessian(y64, z32, None), reps)
    row.update(kernel_f32_ms=med * 1e3, kernel_f32_best_ms=best * 1e3)
    med, best = _median_seconds(lambda: loss._library_gradient_hessian(y64, z64, None), reps)
    row.update(kernel_f64_ms=med * 1e3, kernel_f64_best_ms=best * 1e3)
    if _kernels.COMPILED and type(loss).__name__ in _COMPILED_LOSSES:
        with _kernels.numpy_kernels():  # the same kernel without the compiled extension
            med, _ = _median_seconds(lambda: loss._library_gradient_hessian(y64, z32, None), reps)
        row["numpy_f32_ms"] = med * 1e3
    med, _ = _median_seconds(lambda: Loss._library_gradient_hessian(loss, y64, z64, None),
                             max(3, reps // 4))
    row["reference_f64_ms"] = med * 1e3
    X = np.zeros((rows, 1), dtype=np.float32)
    if "xgboost" in libraries:
        import xgboost as xgb

        d = xgb.DMatrix(X, y, nthread=1)
        loss(z32, d)  # validate and cache the labels, as the first boosting round does
        med, best = _median_seconds(lambda: loss(z32, d), reps)
        row.update(call_xgboost_ms=med * 1e3, call_xgboost_best_ms=best * 1e3)
    if "lightgbm" in libraries:
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


# ------------------------------------------------------------------------------------ report
def _versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("boostobj", "numpy", "scipy", "xgboost", "lightgbm", "scikit-learn", "matplotlib"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _compiled() -> bool:
    from . import _kernels

    return _kernels.COMPILED


def _machine() -> dict[str, Any]:
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
    headers = ["task", "library", "objective", "train s", "ms/round", "obj ms/round", "obj %",
               "split M rows/round", "ratio", "target", "log loss", "ROC AUC", "PR AUC", "RMSE", "MAE"]
    rows = []
    for r in results:
        q = r["quality"]
        rows.append([r["task"], r["library"], r["objective"], _fmt(r["train_s"]),
                     _fmt(r["ms_per_round"], ".2f"), _fmt(r.get("objective_ms_per_round"), ".2f"),
                     _fmt(r.get("objective_share_pct"), ".1f"),
                     _fmt(r["split_rows_per_round"] / 1e6, ".3f"), _fmt(r.get("ratio")),
                     _fmt(r.get("target"), ".2f"), _fmt(q.get("log_loss"), ".4f"),
                     _fmt(q.get("roc_auc"), ".4f"), _fmt(q.get("pr_auc"), ".4f"),
                     _fmt(q.get("rmse"), ".3f"), _fmt(q.get("mae"), ".3f")])
    return _table(headers, rows)


def kernel_table(kernels: list[dict], floor: dict) -> str:
    """``ms per 1M`` and ``M rows/s`` are the slower of the two margin types; with several passes
    the last column gives ``ms per 1M`` in each pass."""
    headers = ["objective", "f32 margins ms", "f64 margins ms", "ms per 1M", "best", "M rows/s",
               "floor M rows/s", "xgb call ms", "lgb call ms", "float64 ref ms", "numpy f32 ms",
               "target ms/1M"]
    passes = any(k.get("passes", 1) > 1 for k in kernels)
    if passes:
        headers.append("ms per 1M, each pass")
    rows = []
    for k in kernels:
        rows.append([k["loss"], _fmt(k["kernel_f32_ms"], ".2f"), _fmt(k["kernel_f64_ms"], ".2f"),
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
    colors = {"xgboost": "tab:blue", "lightgbm": "tab:orange"}

    ax = axes[0, 0]
    custom = [r for r in results if r["kind"] == "custom"]
    labels = sorted({f'{r["task"]}\n{r["objective"]}' for r in custom})
    x = np.arange(len(labels))
    for i, lib in enumerate(LIBRARIES):
        vals = {f'{r["task"]}\n{r["objective"]}': r["ratio"] for r in custom if r["library"] == lib}
        if vals:
            ax.bar(x + (i - 0.5) * 0.38, [vals.get(lbl, np.nan) for lbl in labels], 0.38,
                   label=lib, color=colors[lib])
    ax.axhline(1.0, color="k", lw=0.8)
    for i, lib in enumerate(LIBRARIES):  # targets (issue 4, stated at 1M rows x 200 rounds)
        for j, lbl in enumerate(labels):
            tgt = [r.get("target") for r in custom if r["library"] == lib
                   and f'{r["task"]}\n{r["objective"]}' == lbl]
            if tgt and tgt[0]:
                ax.plot([j + (i - 0.5) * 0.38 - 0.17, j + (i - 0.5) * 0.38 + 0.17], [tgt[0]] * 2,
                        color="k", lw=1.5)
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


# ------------------------------------------------------------------------------------ main
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m boostobj bench", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=100_000, help="training rows per task (default 100000)")
    p.add_argument("--rounds", type=int, default=100, help="boosting rounds (default 100)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per model; the median is reported")
    p.add_argument("--features", type=int, default=28, help="features (default 28, >= 10)")
    p.add_argument("--threads", type=int, default=2, help="library threads (default 2)")
    p.add_argument("--kernel-rows", type=int, default=1_000_000,
                   help="rows for the kernel timings (default 1000000; 0 skips them)")
    p.add_argument("--kernel-repeat", type=int, default=21, help="timed calls per kernel (median)")
    p.add_argument("--kernel-passes", type=int, default=1,
                   help="times over the whole kernel list; each figure is the median over the "
                        "passes (default 1; more spreads the samples over a noisy machine's phases)")
    p.add_argument("--tasks", default=",".join(DEFAULT_TASKS),
                   help=f"comma-separated, from {','.join(TASKS)} (default {','.join(DEFAULT_TASKS)})")
    p.add_argument("--libraries", default=",".join(LIBRARIES), help="xgboost,lightgbm or one of them")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="bench-results", help="directory for bench.json and bench.png")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def _split(text: str, allowed, what: str) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    bad = [t for t in items if t not in allowed]
    if bad or not items:
        raise SystemExit(f"--{what}: unknown {bad or text!r}; choose from {','.join(allowed)}")
    return items


def run(args) -> dict:
    """Run everything ``args`` asks for and return the report (a JSON-able dict)."""
    from tqdm.auto import tqdm

    tasks = _split(args.tasks, TASKS, "tasks")
    libraries = _split(args.libraries, LIBRARIES, "libraries")
    for name in ("rows", "rounds", "repeat", "threads", "kernel_repeat", "kernel_passes"):
        if getattr(args, name) < 1:
            raise SystemExit(f"--{name.replace('_', '-')} must be >= 1, got {getattr(args, name)}")
    cases = make_cases(tasks, libraries)
    kernels = kernel_losses() if args.kernel_rows > 0 else []
    total = (len(tasks) * len(libraries) + len(cases) * args.repeat
             + len(kernels) * args.kernel_passes + 1)
    bar = tqdm(total=total, disable=args.no_progress, unit="step", file=sys.stderr)
    report: dict[str, Any] = {"settings": {k: v for k, v in vars(args).items()}, "training": [],
                              "kernels": []}

    by_name = {}
    for task in tasks:
        data = make_data(task, args.rows, args.features, args.seed)
        for library in libraries:
            bar.set_description(f"{library} {task}: binning")
            prep = _Prepared(task, library, data, args.threads)
            mine = [c for c in cases if c.task == task and c.library == library]
            prep.fit(mine[0], 2)  # warm-up: first-use costs stay out of the timings
            bar.update()
            for rep in range(args.repeat):
                for case in mine:
                    bar.set_description(f"{library} {task}: {case.name[:40]} ({rep + 1}/{args.repeat})")
                    seconds, obj_seconds, margin, booster = prep.fit(case, args.rounds)
                    case.times.append(seconds)
                    case.objective_times.append(obj_seconds)
                    if rep == args.repeat - 1:  # outside the timing
                        case.quality = _quality(task, margin, data["y_test"])
                        case.split_rows = split_rows(booster, data["X"])
                    del booster
                    bar.update()
            for case in mine:
                by_name[(task, library, case.name)] = case

    for case in cases:
        med = statistics.median(case.times)
        row = {"task": case.task, "library": case.library, "objective": case.name, "kind": case.kind,
               "train_s": med, "train_s_all": case.times, "ms_per_round": med / args.rounds * 1e3,
               "split_rows_per_round": case.split_rows / args.rounds, "quality": case.quality}
        if case.kind == "custom":
            obj = statistics.median(case.objective_times)
            ref = by_name[(case.task, case.library, case.reference)]
            ratios = [c / b for c, b in zip(case.times, ref.times)]
            row.update(objective_ms_per_round=obj / args.rounds * 1e3,
                       objective_share_pct=100.0 * obj / med, reference=case.reference,
                       ratio=med / statistics.median(ref.times), ratio_per_repeat=ratios)
            target = TRAIN_TARGETS.get(type(case.loss).__name__)
            if target is not None:
                row["target"] = target[LIBRARIES.index(case.library)]
                row["target_applies"] = args.rows >= 1_000_000 and args.rounds >= 200
                row["target_met"] = row["ratio"] <= row["target"]
        report["training"].append(row)

    bar.set_description("memory bandwidth")
    report["memory"] = memory_floor()
    bar.update()
    def progress(loss):
        bar.set_description(f"kernel {loss!r}"[:60])
        bar.update()

    rows = kernel_rows(kernels, args.kernel_rows, args.kernel_repeat, libraries,
                       args.kernel_passes, progress)
    for row in rows:
        target = KERNEL_TARGETS.get(row["name"])
        if target is not None:
            row["target_ms_per_1m"] = target
            row["target_met"] = row["kernel_ms_per_1m"] <= target
            row["target_applies"] = args.kernel_rows >= 1_000_000
        report["kernels"].append(row)
    bar.close()
    return report


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    preset = os.environ.get("OMP_WAIT_POLICY")
    already = sorted(m for m in ("xgboost", "lightgbm") if m in sys.modules)
    if preset is None:
        # must happen before the libraries (and their OpenMP runtime) are loaded
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    os.makedirs(args.out, exist_ok=True)
    started = time.time()
    report = run(args)
    report["environment"] = {
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY"),
        "OMP_WAIT_POLICY_set_by": "user" if preset is not None else "boostobj bench",
        "libraries_imported_before_setting": already,
        "versions": _versions(), "machine": _machine(),
        "compiled_kernels": _compiled(),
        "command": "python -m boostobj bench " + " ".join(sys.argv[2:] if argv is None else argv),
        "wall_seconds": time.time() - started,
    }
    json_path = os.path.join(args.out, "bench.json")
    with open(json_path, "w") as fh:
        json.dump(report, fh, indent=1)
    png_path = os.path.join(args.out, "bench.png")
    plot(report, png_path)
    env = report["environment"]
    print(f"\nboostobj bench: {args.rows:,} rows x {args.features} features, {args.rounds} rounds, "
          f"{args.threads} threads, median of {args.repeat}; OMP_WAIT_POLICY={env['OMP_WAIT_POLICY']} "
          f"(set by {env['OMP_WAIT_POLICY_set_by']})")
    print(f"{env['machine']['cpu']}, {env['machine']['cpu_count']} CPUs; "
          + ", ".join(f"{k} {v}" for k, v in env["versions"].items())
          + "; compiled kernels: "
          + ("yes" if env["compiled_kernels"] else "no (numpy kernels)"))
    print("\nTraining (ratio = custom time / the built-in reference of the same library and task, "
          "same run; target: issue 4, at 1M rows x 28, 200 rounds)\n")
    print(training_table(report["training"]))
    if report["kernels"]:
        mem = report["memory"]
        passes = f", median of {args.kernel_passes} passes" if args.kernel_passes > 1 else ""
        print(f"\nKernels at {args.kernel_rows:,} rows, one thread (median of {args.kernel_repeat}"
              f"{passes}); "
              f"memory: {mem['copy_gb_per_s']:.1f} GB/s copy -> floor {mem['floor_rows_per_s'] / 1e6:.0f} "
              f"M rows/s = {mem['floor_ms_per_1m_rows']:.2f} ms per 1M rows at 16 B/row\n")
        print(kernel_table(report["kernels"], mem))
    missed = [f'{r["library"]} {r["objective"]} ratio {r["ratio"]:.3f} > {r["target"]}'
              for r in report["training"] if r.get("target_met") is False and r.get("target_applies")]
    missed += [f'{k["loss"]} {k["kernel_ms_per_1m"]:.2f} ms/1M > {k["target_ms_per_1m"]}'
               for k in report["kernels"] if k.get("target_met") is False and k.get("target_applies")]
    print("\nTargets " + ("missed: " + "; ".join(missed) if missed else "met (where they apply)"))
    print(f"\nwrote {json_path} and {png_path} ({env['wall_seconds']:.0f} s)")
    return 0
