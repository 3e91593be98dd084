"""Running a case: the custom objective of each mode, training the pair, judging the result.

The three modes are three objectives handed to the library through the dispatcher
(:class:`boostobj.FitObjective`), never a patched loss:

* ``float64``: ``FitObjective(loss, kernel=reference_gradient_hessian)``, the exact float64 math
  (:func:`boostobj.received.library_gradient_hessian` with ``reference=True``) with the
  library's multiclass hessian scale;
* ``default``: the loss itself (its fast kernel, as shipped);
* ``match_builtin``: :func:`boostobj.parity.mirror.match_builtin`, the built-in twin's own
  float32 arithmetic.
"""

from __future__ import annotations

import json
import math
import time

import numpy as np

from .._objective import FitObjective
from ..adapters import _versions
from ..received import hessian_scale, library_gradient_hessian
from ..registry import twin_named, twin_of
from . import mirror
from .cases import (
    CATBOOST_PARAMS,
    PINNED_INTERCEPT_XGB2,
    TOLERANCES,
    Case,
    Result,
    survival_labels,
)
from .compare import compare_catboost, compare_lightgbm, compare_xgboost, xgboost_intercept

__all__ = [
    "CATBOOST_WHOLE_SET_ROWS",
    "EXACT_INTERCEPT",
    "KeyedCatBoostObjective",
    "case_labels",
    "custom_objective",
    "detect_pseudohuber_hessian",
    "pinned_intercept",
    "reference_gradient_hessian",
    "run",
    "run_case",
    "same_start",
    "train_catboost",
    "train_lightgbm",
    "train_xgboost",
    "xgb_builtin_intercept",
    "xgb_softprob_intercept",
]


def xgb_builtin_intercept(objective: str, y, w=None) -> float:
    """The ``base_score`` (response scale) XGBoost's built-in ``objective`` estimates, read back
    from a one-round built-in model with ``eta = 0``, as the float32 it stores (XGBoost prints it
    in the shortest form that reads back as the same float32).

    What :data:`EXACT_INTERCEPT` uses for the single-target GLM built-ins (``binary:logistic``,
    ``reg:squarederror``, the log-link ones) on XGBoost 2.x, whose one Newton step from 0
    boostobj does not mirror (3.0+ estimates the label mean,
    :func:`boostobj.parity.mirror.xgb_mean_intercept`). The estimate reads the labels and weights
    only: on 200k rows (xgboost 2.1.0) it was the same float32 with the real features and
    ``hist``/``approx``/``exact`` at 2 threads as with one constant column at 1 or 2 threads.
    """
    import xgboost as xgb

    y = np.asarray(y)
    d = xgb.DMatrix(np.zeros((y.shape[0], 1)), label=y, weight=w)
    params = {"objective": objective, "eta": 0.0, "nthread": 1, "verbosity": 0}
    return xgboost_intercept(xgb.train(params, d, 1))[0]


def _xgb_glm_intercept(objective: str):
    """``EXACT_INTERCEPT``'s entry for a single-target XGBoost built-in: the mirror of the label
    mean where the installed XGBoost estimates that (>= 3.0), else its own estimate read back."""
    from ..adapters._versions import xgb_intercept_is_label_mean

    def exact(loss, y, w):
        if xgb_intercept_is_label_mean():
            return mirror.xgb_mean_intercept(y, w)
        return xgb_builtin_intercept(objective, y, w)

    return exact


def xgb_softprob_intercept(y, w=None) -> list[float]:
    """The vector ``base_score`` XGBoost's ``multi:softprob`` estimates (centred
    ``log(p_k + 1e-6)`` of the weighted class frequencies, in its float32 order), read back from
    a one-round built-in model with ``eta = 0``: that tree adds nothing, so its margin is the
    estimate itself, exactly (xgboost 3.2.0). Features do not enter the estimate, so a single
    constant column stands in for them."""
    import xgboost as xgb

    y = np.asarray(y)
    d = xgb.DMatrix(np.zeros((y.shape[0], 1)), label=y, weight=w)
    params = {"objective": "multi:softprob", "num_class": int(np.max(y)) + 1, "eta": 0.0,
              "nthread": 1}
    margin = xgb.train(params, d, 1).predict(d, output_margin=True)[0]
    return [float(v) for v in margin]


#: (library, built-in) -> the intercept the built-in computes, reproduced exactly (mode
#: ``match_builtin``, and the twins whose start convention is ``"builtin"``). XGBoost: ``base_score`` on
#: the response scale (XGBoost applies its own float32 link); LightGBM: the raw ``init_score``.
#: Missing entries fall back to ``loss.init_score`` (and the intercept column says whether it
#: matched).
EXACT_INTERCEPT = {
    ("xgboost", "binary:logistic"): _xgb_glm_intercept("binary:logistic"),
    ("xgboost", "reg:squarederror"): _xgb_glm_intercept("reg:squarederror"),
    ("lightgbm", "binary"): lambda loss, y, w: mirror.lgb_binary_init_score(y, w),
    ("lightgbm", "regression"): lambda loss, y, w: mirror.lgb_l2_init_score(y, w),
    ("lightgbm", "multiclass"): lambda loss, y, w: mirror.lgb_multiclass_init_score(y, w),
    ("xgboost", "multi:softprob"): lambda loss, y, w: xgb_softprob_intercept(y, w),
    **{("xgboost", objective): _xgb_glm_intercept(objective)
       for objective in ("count:poisson", "reg:gamma", "reg:tweedie")},
    ("lightgbm", "cross_entropy"): lambda loss, y, w: mirror.lgb_xentropy_init_score(y, w),
    **dict.fromkeys([("lightgbm", "fair"), ("lightgbm", "huber")],
                    lambda loss, y, w: mirror.lgb_l2_init_score(y, w)),
    **dict.fromkeys([("lightgbm", "poisson"), ("lightgbm", "gamma"), ("lightgbm", "tweedie")],
                    lambda loss, y, w: mirror.lgb_log_mean_init_score(y, w)),
}


def _twin_start(library: str, builtin: str) -> str | None:
    """The registry twin's start convention for ``library`` (:attr:`boostobj.registry.Twin.start`)."""
    twin = twin_named(library, builtin)
    return None if twin is None else twin.start.get(library)


def same_start(library: str, builtin: str) -> bool:
    """Whether the built-in's own start is used on both sides in every mode: the twins whose
    start convention is ``"builtin"``, and on XGBoost 2.x ``binary:logistic`` too, whose
    intercept (one Newton step from 0) differs from ``loss.init_score`` (the log-odds of the
    label mean) by its estimator, not by the objective. Not on XGBoost 2.x for the log-link
    built-ins, whose own start is unusable there (:func:`pinned_intercept`)."""
    from ..adapters._versions import xgb_intercept_is_label_mean

    if (library, builtin) in PINNED_INTERCEPT_XGB2 and not xgb_intercept_is_label_mean():
        return False
    return (_twin_start(library, builtin) == "builtin"
            or ((library, builtin) == ("xgboost", "binary:logistic")
                and not xgb_intercept_is_label_mean()))


def pinned_intercept(library: str, builtin: str, mode: str) -> bool:
    """Whether the built-in is given the custom side's start as ``base_score`` instead of
    estimating its own: the twins whose start convention is ``"loss"``, and outside
    ``match_builtin`` on XGBoost 2.x the log-link built-ins
    (:data:`~boostobj.parity.cases.PINNED_INTERCEPT_XGB2`), whose own start there is one Newton
    step from margin 0 (xgboost 2.1.0, diabetes: ``count:poisson`` 3.93e32 for labels 25 to
    346), so both sides start from ``loss.init_score``. ``match_builtin`` keeps the built-in's
    own start on every version: it mirrors the built-in, bit for bit, from wherever that
    starts."""
    from ..adapters._versions import xgb_intercept_is_label_mean

    if _twin_start(library, builtin) == "loss":
        return True
    return (mode != "match_builtin" and (library, builtin) in PINNED_INTERCEPT_XGB2
            and not xgb_intercept_is_label_mean())


# ============================================================================ the objectives
def reference_gradient_hessian(loss, library: str, y, preds, w):
    """The ``float64`` mode's kernel: the loss's exact float64 math (never its fast kernel) on
    float64 margins, floored, times ``library``'s multiclass hessian scale, weighted."""
    return library_gradient_hessian(loss, y, preds, w,
                                    scale=hessian_scale(loss, library, np.shape(preds)),
                                    reference=True)


def custom_objective(loss, mode: str):
    """What the custom side trains with in ``mode`` (see the module docstring)."""
    if mode == "float64":
        return FitObjective(loss, kernel=reference_gradient_hessian)
    if mode == "match_builtin":
        return mirror.match_builtin(loss)
    if mode == "default":
        return loss
    raise ValueError(f"unknown parity mode {mode!r}")


def case_labels(case: Case):
    """The labels ``case.loss`` takes from its dataset (a survival set's ``[time, event]``
    columns become AFT bounds for a loss whose label is a pair:
    :func:`~boostobj.parity.cases.survival_labels`)."""
    y = case.data.y
    return survival_labels(case.loss, y) if case.data.task == "survival" else y


def _custom_start(case: Case):
    """The custom side's starting point: (XGBoost params | LightGBM init score)."""
    from ..adapters.xgboost import xgboost_params

    loss, y, w = case.loss, case_labels(case), case.data.w
    exact = EXACT_INTERCEPT.get((case.library, case.builtin))
    builtin_start = exact is not None and (case.mode == "match_builtin"
                                           or same_start(case.library, case.builtin))
    if case.library == "xgboost":
        params = xgboost_params(loss, y, w)
        if builtin_start:
            params["base_score"] = exact(loss, y, w)
        elif loss.task == "multiclass" and "base_score" not in params:  # XGBoost < 3.1
            params["base_score"] = [float(v) for v in loss.init_score(y, w)]
        return params
    return exact(loss, y, w) if builtin_start else loss.init_score(y, w)


# ============================================================================ training
def _xgb_params(case: Case) -> dict:
    params = {"tree_method": case.tree_method, "max_depth": 6, "eta": 0.1, "verbosity": 0,
              "seed": case.seed}
    if case.threads:
        params["nthread"] = case.threads
    params.update(case.extra)
    return params


def _lgb_params(case: Case) -> dict:
    params = {"boosting": case.tree_method, "num_leaves": 63, "learning_rate": 0.1,
              "deterministic": True, "force_col_wise": True, "verbose": -1, "seed": case.seed,
              "metric": "None"}
    if case.threads:
        params["num_threads"] = case.threads
    if case.loss.task == "multiclass":
        params["num_class"] = int(np.max(case.data.y)) + 1
    params.update(case.extra)
    return params


def train_xgboost(case: Case, builtin: bool, cache: dict):
    """Train the built-in (``builtin=True``, kept in ``cache``) or the custom side of an XGBoost
    case; returns ``(booster, DMatrix)``."""
    import xgboost as xgb

    from ..adapters._versions import xgb_vector_base_score

    d = case.data
    params = _xgb_params(case)
    start = _custom_start(case)
    # XGBoost < 3.1 has no vector base_score: a multiclass start goes in base_margin, on both
    # sides (so the built-in starts from the same margins) and in the DMatrix compared on
    margin = None
    if isinstance(start.get("base_score"), list) and not xgb_vector_base_score():
        start = dict(start)
        margin = tuple(start.pop("base_score"))
    labels = case.loss.label_columns if d.task == "survival" else None
    key = ("dmatrix", id(d), margin, labels)
    if key not in cache:
        base_margin = None if margin is None else np.tile(np.asarray(margin), (d.y.shape[0], 1))
        cache[key] = (d, xgb.DMatrix(d.X, weight=d.w, base_margin=base_margin,
                                     **_xgb_labels(case)))
    dm = cache[key][1]
    if builtin:
        params.update({k: v for k, v in start.items() if k != "base_score"})
        params["objective"] = case.builtin
        if pinned_intercept(case.library, case.builtin, case.mode):
            params["base_score"] = start["base_score"]
        bkey = ("xgb", id(d), case.builtin, json.dumps(params, sort_keys=True, default=str),
                case.rounds, margin)
        if bkey not in cache:
            cache[bkey] = (d, xgb.train(params, dm, case.rounds))
        return cache[bkey][1], dm
    params.update(start)
    return xgb.train(params, dm, case.rounds, obj=custom_objective(case.loss, case.mode)), dm


def _xgb_labels(case: Case) -> dict:
    """The ``DMatrix`` keyword arguments that hold the case's labels: ``label``, or for a
    survival loss the form XGBoost's ``survival:`` objectives read (signed times for Cox,
    ``label_lower_bound`` / ``label_upper_bound`` for AFT)."""
    y = case_labels(case)
    if case.data.task != "survival":
        return {"label": y}
    if case.loss.label_columns == 2:
        return {"label_lower_bound": y[:, 0], "label_upper_bound": y[:, 1]}
    return {"label": case.loss.stored_labels(y)}


def train_lightgbm(case: Case, builtin: bool, cache: dict):
    """:func:`train_xgboost` for LightGBM; returns ``(booster, None)``. The custom side's start
    is folded into its first trees (:func:`boostobj.fold_init_score`)."""
    import lightgbm as lgb

    from ..adapters.lightgbm import fold_init_score

    d = case.data
    params = _lgb_params(case)
    if builtin:
        params["objective"] = case.builtin
        twin = twin_of(case.loss, "lightgbm")  # the built-in's own parameters (tweedie_variance_power, ...)
        params.update({k: getattr(case.loss, a) for k, a in twin.lightgbm_params.items()})
        bkey = ("lgb", id(d), json.dumps(params, sort_keys=True, default=str), case.rounds)
        if bkey not in cache:
            ds = lgb.Dataset(d.X, label=d.y, weight=d.w, params=params)
            cache[bkey] = (d, lgb.train(params, ds, case.rounds))
        return cache[bkey][1], None
    init = _custom_start(case)
    objective = custom_objective(case.loss, case.mode)
    n = d.y.shape[0]
    init_raw = (np.tile(np.asarray(init, np.float64), (n, 1)) if case.loss.task == "multiclass"
                else np.full(n, float(init)))
    ds = lgb.Dataset(d.X, label=d.y, weight=d.w, init_score=init_raw, params=params)
    if not case.skip_objective_reset:
        bst = lgb.train({**params, "objective": objective}, ds, case.rounds)
        return fold_init_score(bst, init), None
    # Workaround for LightGBM#6053: Booster.update(fobj=...) first calls
    # reset_parameter({"objective": "none"}), which makes the column sampler draw once more
    # (ColSampler::ResetByTree), so every later tree sees the next tree's feature subset. A
    # booster created with objective "none" needs no reset; skip it (private flag of
    # python-package/lightgbm/basic.py, checked to exist) and round-trip the model through
    # text as lgb.train does.
    bst = lgb.Booster({**params, "objective": "none"}, ds)
    if not hasattr(bst, "_Booster__set_objective_to_none"):  # pragma: no cover - other versions
        raise NotImplementedError("this LightGBM has no objective-reset flag to skip")
    bst._Booster__set_objective_to_none = True
    for _ in range(case.rounds):
        if bst.update(fobj=objective):
            break
    fold_init_score(bst, init)
    return lgb.Booster(model_str=bst.model_to_string()), None


def _cb_params(case: Case) -> dict:
    params = {**CATBOOST_PARAMS, "iterations": case.rounds, "random_seed": case.seed}
    if case.threads:
        params["thread_count"] = case.threads
    if case.loss.task == "multiclass":
        params["classes_count"] = int(np.max(case.data.y)) + 1
    params.update(case.extra)
    return params


def _cb_pool(d, start, label=None):
    import catboost as cb

    n = d.y.shape[0]
    label = d.y if label is None else label
    if start is None:
        return cb.Pool(d.X, label=label, weight=d.w)
    start = np.asarray(start, np.float64)
    base = np.tile(start, (n, 1)) if start.ndim else np.full(n, float(start))
    return cb.Pool(d.X, label=label, weight=d.w, baseline=base)


#: CatBoost hands a Python objective every row of the learn set in each call up to this many
#: rows (catboost 1.2.10, measured at 300 and 442 rows; from 569 rows it scores splits on blocks
#: of 500): what a loss that couples its rows needs in the harness.
CATBOOST_WHOLE_SET_ROWS = 500


class KeyedCatBoostObjective:
    """The parity harness's CatBoost objective for a survival loss, which CatBoost cannot hand a
    Python objective as it is (one label per row; blocks of rows): the Pool's labels are row
    keys, read back here into the case's labels, and ``kernel`` (``float64`` mode's) computes
    what CatBoost receives. A loss that couples its rows needs every row in each call: a call
    with fewer raises (a set of at most :data:`CATBOOST_WHOLE_SET_ROWS` rows gets them all)."""

    no_jit = True

    def __init__(self, loss, y, kernel) -> None:
        self.loss, self.y, self.kernel = loss, y, kernel

    def calc_ders_range(self, approxes, targets, weights):
        from ..adapters.catboost import ders_range

        keys = np.asarray(targets).astype(np.intp)
        if self.loss.couples_rows and np.unique(keys).size != self.y.shape[0]:
            raise ValueError(f"CatBoost handed {keys.size} of {self.y.shape[0]} rows, but "
                             f"{self.loss!r} needs every row in each call")
        w = None if weights is None else np.asarray(weights, dtype=np.float64)
        return ders_range(*self.kernel(self.loss, "catboost", self.y[keys],
                                       np.asarray(approxes, dtype=np.float64), w))


def train_catboost(case: Case, builtin: bool, cache: dict):
    """:func:`train_xgboost` for CatBoost (:data:`~boostobj.parity.cases.CATBOOST_PARAMS`);
    returns ``(model, start)``, the start folded into the model's bias
    (:func:`boostobj.adapters.catboost.fold_init_score`), so raw predictions include it. The
    built-in trains first: the custom side starts where it does
    (a twin whose CatBoost start convention is ``"builtin"``), else both from
    ``loss.init_score``."""
    import catboost as cb

    from ..adapters.catboost import builtin_labels, builtin_loss_function, fold_init_score

    d, loss = case.data, case.loss
    params = _cb_params(case)
    name = builtin_loss_function(loss)
    own = _twin_start("catboost", case.builtin) == "builtin"
    y = case_labels(case)
    survival = d.task == "survival"
    if survival and loss.couples_rows and y.shape[0] > CATBOOST_WHOLE_SET_ROWS:
        raise NotImplementedError(
            f"{loss!r} couples its rows, and above {CATBOOST_WHOLE_SET_ROWS} rows CatBoost "
            "hands a Python objective blocks of rows (catboost 1.2.10): no custom side to compare")
    bkey = ("cb", id(d), name, json.dumps(params, sort_keys=True, default=str))
    if bkey not in cache:
        start = None if own else loss.init_score(y, d.w)
        extra = {"boost_from_average": True} if own else {}
        model = cb.CatBoost({**params, **extra, "loss_function": name})
        model.fit(_cb_pool(d, start, builtin_labels(loss, y) if survival else None))
        if own:
            start = np.asarray(model.get_scale_and_bias()[1], np.float64)
        else:
            fold_init_score(model, start)
        cache[bkey] = (d, model, start)
    model, start = cache[bkey][1:]
    if builtin:
        return model, start
    if survival:  # row keys as the labels (a survival loss's own are refused by CatBoost)
        if case.mode != "float64":
            raise NotImplementedError(f"{loss!r} trains in CatBoost only through the harness's "
                                      "float64 objective")
        # CatBoost needs an eval_metric beside a Python objective; RMSE of the keys is never
        # looked at (no eval set, no early stopping)
        custom = cb.CatBoost({**params, "eval_metric": "RMSE", "loss_function":
                              KeyedCatBoostObjective(loss, y, reference_gradient_hessian)})
        custom.fit(_cb_pool(d, start, np.arange(y.shape[0], dtype=np.float64)))
        return fold_init_score(custom, start), start
    custom = cb.CatBoost({**params, "loss_function": custom_objective(loss, case.mode),
                          "eval_metric": loss.metric})
    custom.fit(_cb_pool(d, start))
    return fold_init_score(custom, start), start


# ============================================================================ one case
def _tolerance(case: Case):
    """(tolerance, require) of a case: the twin's own float64 tolerance for the library
    (:attr:`boostobj.registry.Twin.tolerance`; None: not judged), else the mode's."""
    key = (case.mode, case.library, case.tree_method)
    twin = twin_named(case.library, case.builtin)
    if case.mode == "float64" and twin is not None and case.library in twin.tolerance:
        own = twin.tolerance[case.library]
        return (None, None) if own is None else own
    return TOLERANCES.get(key, (None, None))


def _below_floor(case: Case) -> bool:
    """Whether the installed library is older than the twin's version floor
    (:attr:`boostobj.registry.Twin.floor`)."""
    twin = twin_named(case.library, case.builtin)
    if twin is None or case.library not in twin.floor:
        return False
    installed = _versions.installed(case.library)
    return installed is not None and installed < _versions.parse(twin.floor[case.library])


def _judge(case: Case, dpred, dmargin, trees, identical, same):
    """(status, note, tolerance, require) of a trained case."""
    tol, require = _tolerance(case)
    status, note = "info", ""
    # survival predictions are exp(margin), relative risks or times of any size: judged on the
    # margins, whose differences are the relative differences of the predictions
    diff = dmargin if case.data.task == "survival" else dpred / case.data.scale
    twin = twin_named(case.library, case.builtin)
    if tol == 0.0:
        status = "pass" if dpred == dmargin == 0.0 and identical == trees else "FAIL"
    elif tol is not None:
        agree = {"identical": identical, "structure": same}.get(require, trees)
        status = "pass" if diff <= tol and agree == trees else "FAIL"
    if case.library == "lightgbm" and case.extra.get("feature_fraction", 1.0) < 1.0:
        if case.skip_objective_reset:
            note = "LightGBM#6053 worked around: no objective reset before round 1"
        else:
            note = "LightGBM#6053: lgb.train draws one extra feature subset for custom objectives"
            if status == "FAIL":
                status = "known"
    elif case.data.w is not None and twin is not None and case.library in twin.unweighted:
        note = (f"weighted: {case.library}'s {case.builtin} weighs rows otherwise by design; "
                "the twin holds unweighted")
        if status == "FAIL":
            status = "known"
    elif _below_floor(case):
        floor = twin_named(case.library, case.builtin).floor[case.library]
        note = f"{case.library} < {floor}: its {case.builtin} is not this loss's twin"
        if status == "FAIL":
            status = "known"
    elif (case.mode == "float64" and tol is None
          and case.library in getattr(twin_named(case.library, case.builtin), "tolerance", {})):
        status = "info"
        note = "float64 vs the float32 built-in: a near-tie split may flip; see match_builtin"
    elif case.mode == "float64" and case.library == "lightgbm" and case.data.w is not None:
        # (g * w) in float64 rounds to float32 differently from LightGBM's own order in a few
        # rows (lightgbm 4.7.0, weighted breast_cancer with the plain log loss: 79/100 trees
        # identical); match_builtin is exact.
        tol, require, status = None, None, "info"
        note = "weighted: last-bit float32 differences, see match_builtin"
    return status, note, tol, require


def run_case(case: Case, cache: dict | None = None) -> Result:
    """Train ``case`` on both sides and compare (``cache`` shares built-in models and DMatrix)."""
    cache = {} if cache is None else cache
    t0 = time.perf_counter()
    base = {"loss": repr(case.loss), "library": case.library, "builtin": case.builtin,
            "tree_method": case.tree_method, "dataset": case.data.name, "mode": case.mode,
            "rounds": case.rounds, "extra": dict(case.extra)}
    try:
        if case.library == "xgboost":
            b, dm = train_xgboost(case, True, cache)
            c, _ = train_xgboost(case, False, cache)
            trees, identical, same, dpred, dmargin = compare_xgboost(b, c, dm)
            intercept_equal = xgboost_intercept(b) == xgboost_intercept(c)
        elif case.library == "catboost":
            b, start = train_catboost(case, True, cache)
            c, _ = train_catboost(case, False, cache)
            trees, identical, same, dpred, dmargin = compare_catboost(b, c, case.data.X,
                                                                      case.loss.link)
            intercept_equal = (bool(np.array_equal(start, case.loss.init_score(case_labels(case),
                                                                               case.data.w)))
                               if _twin_start("catboost", case.builtin) == "builtin" else None)
        else:
            b, _ = train_lightgbm(case, True, cache)
            c, _ = train_lightgbm(case, False, cache)
            trees, identical, same, dpred, dmargin = compare_lightgbm(b, c, case.data.X,
                                                                      case.loss.link)
            intercept_equal = None
    except NotImplementedError as exc:
        tol, require = _tolerance(case)
        return Result(**base, max_abs_diff_pred=math.nan, max_abs_diff_margin=math.nan, trees=0,
                      identical_trees=0, same_structure=0, intercept_equal=None, tolerance=tol,
                      require=require, status="n/a", note=str(exc),
                      seconds=time.perf_counter() - t0)
    status, note, tol, require = _judge(case, dpred, dmargin, trees, identical, same)
    return Result(**base, max_abs_diff_pred=dpred, max_abs_diff_margin=dmargin, trees=trees,
                  identical_trees=identical, same_structure=same,
                  intercept_equal=intercept_equal, tolerance=tol, require=require,
                  status=status, note=note, seconds=time.perf_counter() - t0)


def run(cases, *, progress=None) -> list[Result]:
    """Run ``cases`` (sharing built-in models between them); ``progress(result)`` after each."""
    cache: dict = {}
    results = []
    for case in cases:
        result = run_case(case, cache)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def detect_pseudohuber_hessian(*, slope: float = 5.0, rows: int = 2000, seed: int = 0) -> str:
    """Which hessian the installed XGBoost's ``reg:pseudohubererror`` uses.

    Trains two rounds of the built-in and of custom objectives computing each candidate in
    XGBoost's float32 arithmetic (:func:`boostobj.parity.mirror.xgb_pseudohuber_grad_hess`), and
    returns the one whose tree dumps are identical: ``"exact"`` (XGBoost <= 3.2,
    ``(1 + z^2/slope^2)^(-3/2)``), ``"bounded"`` (dmlc/xgboost PR #12576,
    ``(1 + z^2/slope^2)^(-1/2)``) or ``"unknown"``.
    """
    import xgboost as xgb

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 5))
    y = 10.0 * X[:, 0] + 5.0 * rng.standard_t(2, rows)  # large residuals: the two differ most
    dm = xgb.DMatrix(X, label=y)
    params = {"objective": "reg:pseudohubererror", "huber_slope": slope, "base_score": 0.0,
              "max_depth": 3, "eta": 1.0, "tree_method": "exact", "verbosity": 0}
    want = xgb.train(params, dm, 2).get_dump(with_stats=True)
    for variant in ("exact", "bounded"):
        def obj(preds, dtrain, variant=variant):
            return mirror.xgb_pseudohuber_grad_hess(dtrain.get_label(), preds, None,
                                                    slope=slope, variant=variant)

        if xgb.train(params, dm, 2, obj=obj).get_dump(with_stats=True) == want:
            return variant
    return "unknown"
