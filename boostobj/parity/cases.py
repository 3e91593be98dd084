"""What the parity harness compares: the pairs (from the registry), the datasets, the cases, and
the tolerance each case is judged by."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..registry import REGISTRY, builtin_twin

__all__ = [
    "CATBOOST_PARAMS",
    "CATBOOST_TOLERANCE",
    "LIBRARY_MODES",
    "MODES",
    "PINNED_INTERCEPT_XGB2",
    "TOLERANCES",
    "TREE_METHODS",
    "VARIANTS",
    "Case",
    "Dataset",
    "Result",
    "build_cases",
    "load_datasets",
    "parity_losses",
    "runnable",
    "survival_labels",
]

#: Built-ins given ``loss.init_score`` (as a twin with ``start="loss"``) on XGBoost 2.x only, and outside
#: ``match_builtin`` (:func:`boostobj.parity.runner.pinned_intercept`): the log-link ones, whose
#: 2.x start is one Newton step from margin 0
#: (:func:`boostobj.adapters._versions.xgb_intercept_is_label_mean`), far from the label mean.
#: From there the float64 comparison measures float32 rounding, not the gradients. Measured with
#: xgboost 2.1.0 on diabetes, 10 rounds: ``count:poisson`` starts at ``base_score`` 3.93e32,
#: where the float32 spacing is 3.9e25, so the gradient ``exp(margin) - y`` rounds to
#: ``exp(margin)`` for every label: all rows get one gradient, every leaf is
#: ``-eta / exp(max_delta_step)`` = -0.0497, the built-in predicts one constant (2.39e32) and its
#: splits follow rounding noise (1 of 10 trees alike with the float64 gradients). ``reg:gamma``
#: starts at 2.70; on diabetes+w+nan it predicts 7.07 to 7.18 after 10 rounds, and its split
#: gains are a few float32 steps apart (two different splits both score 0.53125: 5 of 10 trees
#: alike, 4.3e-5 of ``max |y|``). Started from ``loss.init_score`` on both sides, all three
#: match as with xgboost 3.2.0: every tree's structure alike, within 3.5e-7 of ``max |y|`` at
#: 10 rounds, 1.15e-6 at 100 (Tweedie; Poisson 6.2e-7, gamma 7.9e-7; ``hist``).
PINNED_INTERCEPT_XGB2 = {("xgboost", "count:poisson"), ("xgboost", "reg:gamma"),
                         ("xgboost", "reg:tweedie")}

#: CatBoost without randomness, one Newton step per leaf, as a Python objective gets it (catboost
#: 1.2.10): ``Plain`` boosting (no ordered permutations), no bootstrap, no random score
#: perturbation. Borders come from the features alone, so both sides get the same ones.
CATBOOST_PARAMS = {"boosting_type": "Plain", "bootstrap_type": "No", "random_strength": 0,
                   "leaf_estimation_method": "Newton", "leaf_estimation_iterations": 1,
                   "depth": 6, "learning_rate": 0.1, "verbose": False,
                   "allow_writing_files": False}

#: CatBoost's float64 twins (its built-ins compute double derivatives, as the float64 mode), judged
#: on predictions alone. Measured max |Δ prediction| (catboost 1.2.10, 100 rounds, depth 6, the
#: real sets in every variant and 20,000-row synthetic ones, plain and w+nan; regression relative
#: to max |y|): ``Logloss``/``CrossEntropy`` 2.6e-9 (it keeps ``exp(margin)`` and updates it by
#: products), ``LogCosh`` 7e-9, the others 2e-12 or less (``RMSE`` 0, every tree identical). The
#: trees' splits are reported, not required: on the small sets CatBoost's 254 borders per feature
#: include several between the same two training values, and a last-bit difference in the
#: derivatives picks another of these equal-score borders (``MultiClass`` on weighted wine: 8 of 10
#: trees; ``Poisson`` on diabetes: 99 of 100), which splits the training rows alike.
CATBOOST_TOLERANCE = 1e-7

#: (mode, library, tree method) -> (max |Δ prediction| allowed, trees that must agree).
#: ``"prediction"``: none (the predictions alone are judged);
#: ``"structure"``: same splits (thresholds, features, missing-value directions) in every tree;
#: ``"identical"``: every tree dump equal, statistics included (LightGBM: tree 0's
#: ``internal_value``/``shrinkage``, which its ``AddBias`` rewrites, excepted). Regression
#: differences are relative to ``max(1, max |y|)``. A case with no entry is reported, not judged
#: (``info``): with float64 gradients, XGBoost's ``approx`` and ``exact`` can flip a near-tie
#: split against the float32 built-in (measured with xgboost 3.2.0 on the 200k-row sets).
TOLERANCES: dict[tuple[str, str, str], tuple[float, str]] = {
    ("float64", "xgboost", "hist"): (2e-7, "structure"),
    ("float64", "lightgbm", "gbdt"): (1e-12, "structure"),
    ("match_builtin", "xgboost", "hist"): (0.0, "identical"),
    ("match_builtin", "xgboost", "approx"): (0.0, "identical"),
    ("match_builtin", "xgboost", "exact"): (0.0, "identical"),
    ("match_builtin", "lightgbm", "gbdt"): (0.0, "identical"),
    ("float64", "catboost", "SymmetricTree"): (CATBOOST_TOLERANCE, "prediction"),
}

#: ``float64``: the exact float64 reference math; ``default``: the loss as shipped (its fast
#: kernel); ``match_builtin``: the built-in's own float32 arithmetic (:mod:`.mirror`).
MODES = ("float64", "default", "match_builtin")
TREE_METHODS = {"xgboost": ("hist", "approx", "exact"), "lightgbm": ("gbdt",),
                "catboost": ("SymmetricTree",)}
#: The modes each library has: CatBoost's built-ins are not mirrored bit for bit (its
#: ``Logloss`` and ``Poisson`` keep ``exp(margin)`` and update it by products), so no
#: ``match_builtin``.
LIBRARY_MODES = {"xgboost": MODES, "lightgbm": MODES, "catboost": ("float64", "default")}
VARIANTS = ("plain", "w", "nan", "w+nan")


# ============================================================================ data
@dataclasses.dataclass
class Dataset:
    """Training data of one case: ``X`` (may hold NaN), labels ``y``, weights ``w`` or None."""

    name: str
    task: str
    X: np.ndarray
    y: np.ndarray
    w: np.ndarray | None = None

    @property
    def scale(self) -> float:
        """What differences are measured against: ``max(1, max|y|)`` for regression, else 1
        (survival cases are judged on margins, the log of their predictions)."""
        return 1.0 if self.task != "regression" else max(1.0, float(np.max(np.abs(self.y))))


def survival_labels(loss, y):
    """The labels of ``loss`` from a survival :class:`Dataset`'s ``[time, event]`` columns: those
    for Cox, their AFT bounds (:func:`boostobj.losses.survival.event_bounds`) for a loss whose
    label is a pair."""
    from ..losses.survival import event_bounds

    return event_bounds(y) if loss.label_columns == 2 else y


def _survival_data(X, signal, seed: int):
    """``[time, event]`` labels from a per-row ``signal``: event times ``exp(signal)``, about 30%
    of the rows censored at a uniform fraction (0.3 to 1) of their time, every time distinct in
    float32 (a Cox twin holds on untied times only)."""
    rng = np.random.default_rng([seed, 777])
    n = signal.shape[0]
    t = np.exp((signal - signal.mean()) / signal.std())
    censored = rng.random(n) < 0.3
    t = np.where(censored, t * rng.uniform(0.3, 1.0, n), t)
    order = np.argsort(t, kind="stable")
    ts = t[order].astype(np.float32)
    for i in range(1, n):  # each time above the one before, in float32
        if ts[i] <= ts[i - 1]:
            ts[i] = np.nextafter(ts[i - 1], np.float32(np.inf))
    t[order] = ts
    return X, np.column_stack([t, (~censored).astype(np.float64)])


def _base_data(task: str, source: str, rows: int, seed: int):
    from sklearn import datasets as skd

    if task == "survival":
        # survival times driven by scikit-learn's regression sets: diabetes' disease
        # progression (442 rows: CatBoost hands a Python objective all of them in one call),
        # or make_regression's target
        if source == "real":
            X, y = skd.load_diabetes(return_X_y=True)
            X, y = _survival_data(X.astype(np.float64), y.astype(np.float64), seed)
            return "diabetes/surv", X, y
        X, y = skd.make_regression(n_samples=rows, n_features=50, n_informative=20, noise=10.0,
                                   random_state=seed)
        X, y = _survival_data(X, y, seed)
        return f"synthetic{rows // 1000}k/surv", X, y
    if source == "real":
        loader = {"binary": skd.load_breast_cancer, "regression": skd.load_diabetes,
                  "multiclass": skd.load_wine}[task]
        X, y = loader(return_X_y=True)
        name = loader.__name__.removeprefix("load_")
        return name, X.astype(np.float64), y.astype(np.float64)
    if task == "regression":
        X, y = skd.make_regression(n_samples=rows, n_features=50, n_informative=20, noise=10.0,
                                   random_state=seed)
    else:
        X, y = skd.make_classification(n_samples=rows, n_features=50, n_informative=20,
                                       n_redundant=10, n_classes=2 if task == "binary" else 4,
                                       random_state=seed)
    return f"synthetic{rows // 1000}k", X, y.astype(np.float64)


def load_datasets(task: str, *, sources=("real", "synthetic"), rows: int = 200_000,
                  seed: int = 0, variants=VARIANTS) -> list[Dataset]:
    """The parity datasets of a task, each in the requested variants.

    ``sources``: ``"real"`` (scikit-learn's breast_cancer / diabetes / wine, shipped with it)
    and ``"synthetic"`` (``make_classification`` / ``make_regression`` with ``rows`` rows and 50
    features). Variants: ``"w"`` adds weights uniform in [0.1, 3), ``"nan"`` blanks 10% of the
    feature entries; ``seed`` (>= 0) drives both and the synthetic data (real data: seed 0 is the
    published set, other seeds only change weights and NaN positions).
    """
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    out = []
    for source in sources:
        name, X, y = _base_data(task, source, rows, seed)
        # Both libraries hold labels as float32; start every side from those same labels
        # (a float64 mean of the unrounded labels can differ from theirs in the last bit).
        y = y.astype(np.float32).astype(np.float64)
        if seed:
            name = f"{name}/s{seed}"
        for variant in variants:
            rng = np.random.default_rng([seed, 12345])
            w = rng.uniform(0.1, 3.0, y.shape[0]) if "w" in variant.split("+") else None
            Xv = X
            if "nan" in variant.split("+"):
                Xv = X.copy()
                Xv[rng.random(X.shape) < 0.1] = np.nan
            label = name if variant == "plain" else f"{name}+{variant}"
            out.append(Dataset(label, task, Xv, y, w))
    return out


def positive_labels(data: Dataset) -> Dataset:
    """``data`` for the log-link losses and the others that need labels > 0 (squared log error
    needs y > -1): itself when its labels are positive
    (diabetes, 25 to 346), else the same features with labels ``exp((y - mean) / sd)`` (the
    synthetic regression set), rounded to float32 as the libraries hold them."""
    if np.min(data.y) > 0:
        return data
    y = np.exp((data.y - data.y.mean()) / data.y.std())
    return Dataset(data.name + "/exp", data.task, data.X, y.astype(np.float32).astype(np.float64),
                   data.w)


# ============================================================================ pairs
def parity_losses(names=None) -> list:
    """Every loss instance with a built-in twin: each registry entry that declares a twin, built
    with the twin's ``when`` parameters plus each of its ``examples`` (``names``: only these
    registry keys)."""
    return [loss for entry in REGISTRY if names is None or entry.cls.name in names
            for loss, _ in entry.twin_losses()]


@dataclasses.dataclass
class Case:
    """One comparison: ``loss`` in ``mode`` against its ``library`` twin on ``data``."""

    loss: Any
    library: str
    tree_method: str
    data: Dataset
    mode: str = "float64"
    rounds: int = 100
    extra: dict = dataclasses.field(default_factory=dict)  # e.g. {"feature_fraction": 0.8}
    threads: int | None = None
    seed: int = 0
    #: LightGBM only: train through ``Booster.update`` without its objective reset (the
    #: LightGBM#6053 workaround, see :func:`boostobj.parity.runner.train_lightgbm`).
    skip_objective_reset: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")

    @property
    def builtin(self) -> str:
        """The built-in objective of ``library`` that ``loss`` is the twin of."""
        return builtin_twin(self.loss)[self.library]


@dataclasses.dataclass
class Result:
    """One line of the report (``dataclasses.asdict`` gives the ``--json`` form)."""

    loss: str
    library: str
    builtin: str
    tree_method: str
    dataset: str
    mode: str
    rounds: int
    extra: dict
    max_abs_diff_pred: float  # probability (binary/multiclass) or prediction (regression)
    max_abs_diff_margin: float
    trees: int
    identical_trees: int
    same_structure: int
    intercept_equal: bool | None  # custom start == the built-in's own (None: not readable)
    tolerance: float | None
    require: str | None
    status: str  # "pass", "FAIL", "known" (documented impossibility), "info" (not judged), "n/a"
    note: str = ""
    seconds: float = 0.0


def runnable(loss, library: str, builtin: str, mode: str) -> bool:
    """Whether a pair has a ``mode`` in ``library``: the library's modes
    (:data:`LIBRARY_MODES`); ``match_builtin`` only for a built-in with a mirror
    (:func:`boostobj.parity.mirror.has_mirror`); in CatBoost a survival loss only in ``float64``
    (the harness's own objective reads every row by key: the loss as shipped is refused there,
    :func:`boostobj.adapters.catboost.check_served`)."""
    from .mirror import has_mirror

    if mode not in LIBRARY_MODES[library]:
        return False
    if mode == "match_builtin":
        return has_mirror(library, builtin)
    return not (library == "catboost" and loss.task == "survival" and mode != "float64")


def build_cases(losses, datasets: dict, *, libraries=("xgboost", "lightgbm", "catboost"),
                tree_methods=None,
                modes=MODES, rounds=100, threads=None, seed=0, sampling=True) -> list[Case]:
    """Every (loss, library, tree method, dataset, mode) combination, plus sampling cases.

    ``datasets``: task (``loss.task``) -> list of :class:`Dataset`. ``sampling`` adds, for the
    first binary loss on the first binary dataset in ``match_builtin`` mode: XGBoost
    ``subsample`` and ``colsample_bytree`` 0.8; LightGBM ``feature_fraction`` 0.8 through
    ``lgb.train`` (the LightGBM#6053 case) and through the workaround; LightGBM bagging 0.8.
    """
    cases = []
    positive: dict = {}
    for loss in losses:
        sets = datasets.get(loss.task, [])
        if loss.task == "regression" and (
                loss.link.name == "log"
                or (sets and not loss.accepts(np.min([d.y.min() for d in sets])))):
            # the log link, or labels bounded below (squared log error: y > -1)
            sets = [positive.setdefault(id(d), positive_labels(d)) for d in sets]
        for library, builtin in builtin_twin(loss).items():
            if library not in libraries:
                continue
            for method in TREE_METHODS[library]:
                if tree_methods and library == "xgboost" and method not in tree_methods:
                    continue
                for data in sets:
                    for mode in modes:
                        if runnable(loss, library, builtin, mode):
                            cases.append(Case(loss, library, method, data, mode, rounds,
                                              threads=threads, seed=seed))
    binary = [loss for loss in losses if loss.task == "binary"]
    if sampling and binary and datasets.get("binary"):
        loss, data = binary[0], datasets["binary"][0]
        extra_cases = []
        if "xgboost" in libraries:
            extra_cases.append(("xgboost", "hist", {"subsample": 0.8, "colsample_bytree": 0.8},
                                False))
        if "lightgbm" in libraries:
            extra_cases += [("lightgbm", "gbdt", {"feature_fraction": 0.8}, False),
                            ("lightgbm", "gbdt", {"feature_fraction": 0.8}, True),
                            ("lightgbm", "gbdt", {"bagging_fraction": 0.8, "bagging_freq": 1},
                             False)]
        for library, method, extra, skip in extra_cases:
            cases.append(Case(loss, library, method, data, "match_builtin", rounds, extra,
                              threads=threads, seed=seed, skip_objective_reset=skip))
    return cases
