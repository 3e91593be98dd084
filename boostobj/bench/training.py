"""Training timings and model quality: each boostobj loss beside the built-in objectives it stands
in for, on the same binned data, in the same run."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..registry import REGISTRY

__all__ = ["CATBOOST_MULTICLASS_SHARE", "DELTA", "LOSS_PARAMS", "TRAIN_TARGETS", "Case", "Prepared",
           "bench_losses", "catboost_data", "cb_params", "lgb_params", "make_cases", "quality",
           "split_rows", "xgb_params"]

#: Training-time targets, custom / built-in at 1M rows x 28 features, 200 rounds, hist,
#: 2 threads: (XGBoost, LightGBM), by loss class.
TRAIN_TARGETS = {"BinaryLogLoss": (1.08, 1.02), "FocalLoss": (1.12, 1.05),
                 "LogCoshLoss": (1.12, 1.05), "PseudoHuberLoss": (1.12, 1.05)}
#: Scale of the built-in pseudo-Huber / Huber transition on the regression task (noise scale 1).
DELTA = 1.0
#: Constructor parameters of a registry loss on the benchmark's data, by registry key (every
#: other loss, and by default every loss: its defaults, which is what users get).
LOSS_PARAMS: dict[str, dict[str, Any]] = {}


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


#: CatBoost's built-ins on each task (``loss_function``), the reference first: its own
#: ``Logloss``, ``Focal`` (``focal_alpha=0.5`` weighs both classes alike, as
#: ``FocalLoss(alpha=None)``, up to a factor 0.5 that only ``l2_leaf_reg`` sees), ``CrossEntropy``
#: (``BinaryCrossEntropy``'s twin), ``RMSE``, ``Huber`` (true Huber at :data:`DELTA`),
#: ``LogCosh`` (``LogCoshLoss(scale=1, hessian="exact")``'s twin), ``MultiClass``, ``Poisson`` and
#: ``Tweedie``.
_CATBOOST_BUILTINS = {
    "binary": ["Logloss", "Focal:focal_alpha=0.5;focal_gamma=2.0", "CrossEntropy"],
    "regression": ["RMSE", f"Huber:delta={DELTA}", "LogCosh"],
    "multiclass": ["MultiClass"],
    "counts": ["Poisson", "Tweedie:variance_power=1.5"],
    "positive": [],  # CatBoost has no gamma objective: the task is left out for CatBoost
}


def _builtins(task: str, library: str) -> list[tuple[str, dict[str, Any]]]:
    """(name, params) of the built-in objectives compared on ``task``; the first is the reference."""
    if library == "catboost":
        kind = "binary" if task == "imbalanced" else task
        return [(name, {"loss_function": name}) for name in _CATBOOST_BUILTINS[kind]]
    xgb = library == "xgboost"
    if task in ("binary", "imbalanced"):
        return [("binary:logistic" if xgb else "binary",
                 {"objective": "binary:logistic" if xgb else "binary"})]
    if task == "regression":
        return [("reg:squarederror" if xgb else "regression",
                 {"objective": "reg:squarederror" if xgb else "regression"}),
                ("reg:pseudohubererror" if xgb else "huber",
                 {"objective": "reg:pseudohubererror", "huber_slope": DELTA} if xgb
                 else {"objective": "huber", "alpha": DELTA}),
                # beside QuantileLoss() and SmoothQuantileLoss() (alpha=0.5: MAE is the pinball)
                ("reg:quantileerror" if xgb else "quantile",
                 {"objective": "reg:quantileerror", "quantile_alpha": 0.5} if xgb
                 else {"objective": "quantile", "alpha": 0.5})]
    if task == "counts":
        return [("count:poisson" if xgb else "poisson",
                 {"objective": "count:poisson" if xgb else "poisson"}),
                ("reg:tweedie" if xgb else "tweedie",
                 {"objective": "reg:tweedie" if xgb else "tweedie", "tweedie_variance_power": 1.5})]
    if task == "positive":
        return [("reg:gamma" if xgb else "gamma", {"objective": "reg:gamma" if xgb else "gamma"})]
    return [("multi:softprob" if xgb else "multiclass",
             {"objective": "multi:softprob" if xgb else "multiclass", "num_class": 3})]


def bench_losses(task: str) -> list:
    """The boostobj losses compared on ``task``: every registry entry of its kind (``binary`` and
    ``imbalanced`` both train the binary losses), with :data:`LOSS_PARAMS`. The log-link losses
    (whose labels are >= 0) train on ``counts`` when they take a label 0 (Poisson, Tweedie), on
    ``positive`` when they do not (gamma), never on ``regression`` (negative labels). An
    identity-link loss that refuses negative labels (``SquaredLogErrorLoss``: y > -1) trains on
    none: the regression labels go below -1, and the count and amount tasks score log-link
    margins (it has kernel rows only). The survival losses have no task here yet."""
    losses = [entry.cls(**LOSS_PARAMS.get(entry.cls.name, {})) for entry in REGISTRY]
    if task in ("counts", "positive"):
        return [loss for loss in losses if loss.task == "regression" and loss.link.name == "log"
                and loss.accepts(0.0) == (task == "counts")]
    kind = "binary" if task in ("binary", "imbalanced") else task
    return [loss for loss in losses if loss.task == kind and loss.link.name != "log"
            and (kind != "regression" or loss.accepts(-2.0))]


def make_cases(tasks, libraries) -> list[Case]:
    """The built-in and custom models of every task and library, the reference built-in first."""
    cases = []
    for task in tasks:
        for library in libraries:
            built = _builtins(task, library)
            if not built:  # no built-in of the library to compare with on this task
                continue
            ref = built[0][0]
            for name, params in built:
                cases.append(Case(task, library, name, builtin=params))
            for loss in bench_losses(task):
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


def xgb_params(threads: int) -> dict[str, Any]:
    """The XGBoost parameters every benchmark model shares."""
    return {"tree_method": "hist", "max_depth": 6, "eta": 0.1, "max_bin": 256, "nthread": threads,
            "verbosity": 0, "seed": 0}


def lgb_params(threads: int) -> dict[str, Any]:
    """The LightGBM parameters every benchmark model shares."""
    return {"num_leaves": 63, "learning_rate": 0.1, "max_bin": 255, "num_threads": threads,
            "verbose": -1, "force_col_wise": True, "seed": 0, "deterministic": True}


def cb_params(threads: int) -> dict[str, Any]:
    """The CatBoost parameters every benchmark model shares (borders: the Pool's, 254 per
    feature, CatBoost's default on CPU). ``Plain`` boosting, as CatBoost picks for large data;
    each objective keeps CatBoost's own leaf estimation (``Newton`` for a Python objective)."""
    return {"depth": 6, "learning_rate": 0.1, "boosting_type": "Plain", "thread_count": threads,
            "random_seed": 0, "verbose": False, "allow_writing_files": False}


#: CatBoost calls a multiclass Python objective once per row (twice per row per round, about
#: 10 us a call, catboost 1.2.10): its multiclass models train on this share of
#: ``--catboost-rows``.
CATBOOST_MULTICLASS_SHARE = 0.1


def catboost_data(task: str, data: dict, rows: int) -> dict:
    """The training rows CatBoost gets: the first ``rows`` (a :data:`CATBOOST_MULTICLASS_SHARE`
    of them for multiclass), the same held-out rows. CatBoost calls a Python objective per block
    of about 1000 rows (per row for multiclass) under the GIL (see
    :mod:`boostobj.adapters.catboost`): the benchmark's other sizes would make its rows cost
    minutes."""
    n = int(rows * CATBOOST_MULTICLASS_SHARE) if task == "multiclass" else rows
    n = max(min(n, data["X"].shape[0]), 100)
    return {**data, "X": data["X"][:n], "y": data["y"][:n]}


class _TimedCatBoost:
    """:class:`boostobj.adapters.catboost.ValidatedObjective` (what boostobj's CatBoost
    estimators hand CatBoost) with the time spent in its calls added up."""

    no_jit = True

    def __init__(self, loss) -> None:
        from ..adapters.catboost import ValidatedObjective

        self.objective = ValidatedObjective(loss)
        self.seconds = 0.0

    def __deepcopy__(self, memo):
        return self  # CatBoost deep-copies its params; keep adding up here

    def _timed(self, method, *args):
        t0 = time.perf_counter()
        out = method(*args)
        self.seconds += time.perf_counter() - t0
        return out

    def calc_ders_range(self, approxes, targets, weights):
        return self._timed(self.objective.calc_ders_range, approxes, targets, weights)

    def calc_ders_multi(self, approxes, target, weight):
        return self._timed(self.objective.calc_ders_multi, approxes, target, weight)


class Prepared:
    """Library data for one task, built once (binning is outside every timing)."""

    def __init__(self, task, library, data, threads) -> None:
        self.task, self.library, self.data, self.threads = task, library, data, threads
        X, y = data["X"], data["y"]
        if library == "catboost":
            import catboost as cb

            # quantized once; the custom models' Pool gets each loss's start as its baseline
            self.plain = cb.Pool(X, y)
            self.plain.quantize(border_count=254)
            self.with_init = cb.Pool(X, y)
            self.with_init.quantize(border_count=254)
        elif library == "xgboost":
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
        if self.library == "catboost":
            return self._fit_catboost(case, rounds)
        if self.library == "xgboost":
            import xgboost as xgb

            from ..adapters.xgboost import xgboost_params

            params = xgb_params(self.threads)
            if case.builtin is not None:
                params.update(case.builtin)
                obj = None
            else:
                params.update(xgboost_params(case.loss, y))
                obj = _Timed(case.loss)
            t0 = time.perf_counter()
            booster = xgb.train(params, self.train, rounds, obj=obj)
            seconds = time.perf_counter() - t0
            margin = booster.predict(xgb.DMatrix(X_test), output_margin=True)
            return seconds, (obj.seconds if obj else 0.0), np.asarray(margin, np.float64), booster
        import lightgbm as lgb

        from ..adapters.lightgbm import fold_init_score

        params = lgb_params(self.threads)
        if case.builtin is not None:
            params.update(case.builtin)
            ds, obj, init = self.plain, None, None
        else:
            init = case.loss.init_score(y)
            ds = self.with_init
            ds.set_init_score(case.loss.init_raw_prediction(y).ravel(order="F"))
            obj = _Timed(case.loss)
            params["objective"] = obj
            if case.loss.task == "multiclass":
                params["num_class"] = int(np.size(init))
        t0 = time.perf_counter()
        booster = lgb.train(params, ds, rounds)
        seconds = time.perf_counter() - t0
        if init is not None:
            fold_init_score(booster, init)
        margin = booster.predict(X_test, raw_score=True)
        return seconds, (obj.seconds if obj else 0.0), np.asarray(margin, np.float64), booster

    def _fit_catboost(self, case: Case, rounds: int):
        """:meth:`fit` for CatBoost: a built-in, or the resolved loss from its ``init_score``
        (the Pool's baseline, folded into the model's bias afterwards), as boostobj's CatBoost
        estimators train it."""
        import catboost as cb

        from ..adapters.catboost import fold_init_score

        y = self.data["y"]
        params = {**cb_params(self.threads), "iterations": rounds}
        obj = init = None
        if case.builtin is not None:
            params.update(case.builtin)
            pool = self.plain
        else:
            loss = case.loss.resolved(y) if case.loss.has_auto() else case.loss
            init = loss.init_score(y)
            pool = self.with_init
            pool.set_baseline(loss.init_raw_prediction(y))
            obj = _TimedCatBoost(loss)
            params.update(loss_function=obj, eval_metric=loss.metric)
            if loss.task == "multiclass":
                params["classes_count"] = int(np.size(init))
        t0 = time.perf_counter()
        model = cb.CatBoost(params).fit(pool)
        seconds = time.perf_counter() - t0
        if init is not None:
            fold_init_score(model, init)
        margin = model.predict(self.data["X_test"], prediction_type="RawFormulaVal")
        return seconds, (obj.seconds if obj else 0.0), np.asarray(margin, np.float64), model


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

    if type(booster).__module__.startswith("catboost"):
        return _catboost_split_rows(booster, X, sample, per_tree)
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


def _catboost_split_rows(model, X, sample, per_tree):
    """:func:`split_rows` for CatBoost's symmetric trees: every node of a level splits on the
    level's condition; rows in the smaller child of each, from the leaf indices of an evenly
    spaced sample of at most ``sample`` training rows, scaled up (the leaf index's bit ``k`` is
    the side of the tree's ``k``-th split, catboost 1.2.10)."""
    import catboost as cb

    step = max(1, X.shape[0] // sample)
    rows = X[::step]
    leaves = np.asarray(model.calc_leaf_indexes(cb.Pool(rows)), dtype=np.int64)
    work = []
    for j in range(leaves.shape[1]):
        leaf, total = leaves[:, j], 0.0
        depth = int(leaf.max()).bit_length()
        for k in range(depth):
            node = leaf & ((1 << k) - 1)
            right = (leaf >> k) & 1
            counts = np.bincount(node * 2 + right, minlength=2 << k).reshape(-1, 2)
            total += float(counts.min(axis=1).sum())
        work.append(total)
    work = np.array(work) * (X.shape[0] / rows.shape[0])
    return work if per_tree else float(work.sum())


def quality(task: str, margin: np.ndarray, y_test: np.ndarray) -> dict[str, float]:
    """Held-out quality of raw margins: RMSE and MAE (regression), log loss and accuracy
    (multiclass), log loss, ROC AUC and PR AUC (binary), mean deviance of the labels'
    distribution (Poisson for ``counts``, gamma for ``positive``) and RMSE and MAE of the mean
    ``exp(margin)`` (the log-link tasks)."""
    from sklearn import metrics

    if task in ("counts", "positive"):
        mean = np.exp(margin)
        deviance = (metrics.mean_poisson_deviance if task == "counts"
                    else metrics.mean_gamma_deviance)(y_test, mean)
        err = mean - y_test
        return {"deviance": float(deviance), "rmse": float(np.sqrt(np.mean(err * err))),
                "mae": float(np.mean(np.abs(err)))}

    if task == "regression":
        err = margin - y_test
        return {"rmse": float(np.sqrt(np.mean(err * err))), "mae": float(np.mean(np.abs(err)))}
    if task == "multiclass":
        from ..links import SoftmaxLink

        p = SoftmaxLink().inverse(margin.reshape(len(y_test), -1))
        return {"log_loss": float(metrics.log_loss(y_test, p, labels=[0, 1, 2])),
                "accuracy": float(np.mean(np.argmax(p, axis=1) == y_test))}
    from scipy.special import expit

    p = expit(margin)
    return {"log_loss": float(metrics.log_loss(y_test, p, labels=[0, 1])),
            "roc_auc": float(metrics.roc_auc_score(y_test, p)),
            "pr_auc": float(metrics.average_precision_score(y_test, p))}
