"""What the installed XGBoost, LightGBM and scikit-learn do, where it depends on their version:
every version or capability check of boostobj lives here, one function per quirk, each asking
the installed library (its version, its signature, or a tiny measurement) and saying what it
decides. The adapters and the parity mirrors call these; nothing else compares versions.

Measured with the oldest supported set (xgboost 2.1.0, lightgbm 4.0.0, scikit-learn 1.2.0,
numpy 1.23.2) and the newest (xgboost 3.2.0, lightgbm 4.7.0, scikit-learn 1.9.1).
"""

from __future__ import annotations

import functools
import re

__all__ = [
    "IncompatibleVersionsError",
    "check_compatible",
    "installed",
    "lgb_fit_takes_eval_X",
    "parse",
    "xgb_intercept_is_label_mean",
    "xgb_metric_list_takes_callables",
    "xgb_probability_start_range",
    "xgb_vector_base_score",
]


def parse(version: str | None) -> tuple[int, ...]:
    """``"3.1.0rc1"`` -> ``(3, 1, 0)``: the leading numeric release parts (``()`` for None)."""
    if not version:
        return ()
    parts = []
    for piece in version.split("."):
        m = re.match(r"\d+", piece)
        if m is None:
            break
        parts.append(int(m.group()))
        if m.end() != len(piece):  # "0rc1": a pre-release of this number; stop here
            break
    return tuple(parts)


@functools.cache
def _distribution_version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def installed(dist: str) -> tuple[int, ...] | None:
    """The installed version of the distribution ``dist`` (``"scikit-learn"``) as a tuple, or None
    when it is not installed. Read from the package metadata, without importing it (a package
    that cannot import still has a version)."""
    v = _distribution_version(dist)
    return None if v is None else parse(v)


# ---------------------------------------------------------------------------------- XGBoost
@functools.lru_cache(maxsize=1)
def xgb_vector_base_score() -> bool:
    """Whether the installed XGBoost takes a vector ``base_score`` (one start per class).

    Asked of the library: a ``multi:softprob`` booster configured with ``base_score=[...]``
    (xgboost 3.2.0: accepted, since 3.1; 2.1.0: ``XGBoostError: Invalid Parameter format for
    base_score expect float``). Without it a multiclass start goes in ``base_margin``.
    """
    import numpy as np
    import xgboost as xgb

    d = xgb.DMatrix(np.zeros((3, 1)), label=np.arange(3.0))
    params = {"objective": "multi:softprob", "num_class": 3, "base_score": "[0.1,0.2,0.3]",
              "nthread": 1, "verbosity": 0}
    try:
        xgb.Booster(params, [d]).save_config()  # configuring parses base_score
    except xgb.core.XGBoostError:
        return False
    return True


@functools.lru_cache(maxsize=1)
def xgb_probability_start_range() -> tuple[float, float]:
    """``(lo, hi)``: the probabilities XGBoost starts ``binary:logistic`` from exactly when given
    as ``base_score``; beyond them it starts elsewhere.

    Measured on the installed XGBoost (one round at ``eta = 0`` from ``base_score = 1e-8``):

    * xgboost 3.2.0 clamps to [1e-6, 1 - 1e-6]: it starts at logit(1e-6) = -13.8155;
    * xgboost 2.1.0 does not clamp: it starts at logit(1e-8) = -18.4207. Its only limit is the
      float32 it parses ``base_score`` into: a probability that rounds to 0 or 1 is an error
      (``base_score must be in (0,1)``), so the range is the float32 numbers strictly inside
      (0, 1): [2**-126, 1 - 2**-24] (smallest normal, largest below 1).
    """
    import math

    import numpy as np
    import xgboost as xgb

    probe = 1e-8
    d = xgb.DMatrix(np.zeros((2, 1)), label=np.array([0.0, 1.0]))
    params = {"objective": "binary:logistic", "base_score": probe, "eta": 0.0, "nthread": 1,
              "verbosity": 0, "max_depth": 1}
    margin = float(xgb.train(params, d, 1).predict(d, output_margin=True)[0])
    if abs(margin - math.log(probe / (1.0 - probe))) < 1e-3:  # no clamp
        return float(np.finfo(np.float32).tiny), 1.0 - 2.0**-24
    lo = float(f"{1.0 / (1.0 + math.exp(-margin)):.3g}")  # 1e-6 (read in float32)
    return lo, 1.0 - lo


@functools.lru_cache(maxsize=1)
def xgb_metric_list_takes_callables() -> bool:
    """Whether XGBoost's estimators take a callable among metric names in ``eval_metric``
    (``[name, callable]``). Measured by a one-round fit on four rows: xgboost 3.2.0 records both;
    2.1.0 hands the callable to the booster as a metric name (``XGBoostError: Unknown metric
    function``) and takes a callable only alone."""
    import numpy as np
    import xgboost as xgb

    def zero(y_true, y_pred):
        return 0.0

    X, y = np.arange(4.0).reshape(4, 1), np.array([0, 1, 0, 1])
    est = xgb.XGBClassifier(n_estimators=1, eval_metric=["logloss", zero], n_jobs=1, verbosity=0)
    try:
        est.fit(X, y, eval_set=[(X, y)], verbose=False)
    except xgb.core.XGBoostError:
        return False
    return True


def xgb_intercept_is_label_mean() -> bool:
    """Whether ``binary:logistic``, ``reg:squarederror`` and the log-link built-ins
    (``count:poisson``, ``reg:gamma``, ``reg:tweedie``) estimate their intercept as the weighted
    label mean (XGBoost >= 3.0, ``FitInterceptGlmLike``). XGBoost 2.x takes one Newton step from
    margin 0 instead (the gradients at margin 0 summed, ``-G / H``, through the link's inverse),
    which for the logistic loss is not the mean (breast_cancer, xgboost 2.1.0: 0.6247282 where
    the label mean, 3.2.0's intercept, is 0.6274165); the parity mirror then reads its intercept
    back from a built-in model.

    For the log-link built-ins that step lands far from the mean: on diabetes (labels 25 to 346,
    mean 152.13) xgboost 2.1.0 starts ``count:poisson`` at ``base_score`` 3.927e32 (margin
    ``(mean - 1) / exp(max_delta_step = 0.7)`` = 75.05), ``reg:gamma`` at 2.700 (margin
    ``1 - 1 / mean`` = 0.993) and ``reg:tweedie`` (power 1.5) at 7.199 (margin 1.974), where
    3.2.0 starts all three at 152.13; the parity harness pins both sides to ``loss.init_score``
    there (:func:`boostobj.parity.runner.pinned_intercept`)."""
    return installed("xgboost") >= (3, 0)


# ---------------------------------------------------------------------------------- LightGBM
@functools.lru_cache(maxsize=1)
def lgb_fit_takes_eval_X() -> bool:
    """Whether LightGBM's estimators take ``fit(eval_X=..., eval_y=...)`` (4.6+, which deprecates
    ``eval_set``; 4.0-4.5 take ``eval_set`` only). Read from the signature."""
    import inspect

    import lightgbm as lgb

    return "eval_X" in inspect.signature(lgb.LGBMModel.fit).parameters


# ------------------------------------------------------------ combinations broken upstream
class IncompatibleVersionsError(RuntimeError):
    """Installed versions of two libraries that do not work together (a bug of theirs, not of
    boostobj); the message names them and the fix."""


#: Combinations pip resolves that fail upstream, one a row: ``(uses, (old, below), (new, from),
#: what breaks, the fix)`` reads "``old`` < ``below`` with ``new`` >= ``from`` is broken for the
#: estimators of ``uses``" (both installed).
_BROKEN = (
    (("lightgbm",), ("lightgbm", (4, 6)), ("scikit-learn", (1, 8)),
     ("LightGBM < 4.6 calls scikit-learn's check_array(force_all_finite=...), which scikit-learn "
     "1.8 removed (renamed ensure_all_finite in 1.6): its estimators fail in fit"),
     'pip install "lightgbm>=4.6" (or pin "scikit-learn<1.8")'),
    (("xgboost",), ("xgboost", (3, 1, 3)), ("scikit-learn", (1, 8)),
     ("XGBoost < 3.1.3 reads the estimator attribute _estimator_type, which scikit-learn 1.8 "
     "removed (dmlc/xgboost#11857, fixed in 3.1.3)"),
     'pip install "xgboost>=3.1.3" (or pin "scikit-learn<1.8")'),
    (("xgboost", "lightgbm"), ("scikit-learn", (1, 4, 2)), ("numpy", (2,)),
     "scikit-learn < 1.4.2 was built for numpy 1 and does not import with numpy 2",
     'pip install "scikit-learn>=1.4.2" (or pin "numpy<2")'),
    (("xgboost", "lightgbm"), ("pandas", (2, 2, 2)), ("numpy", (2,)),
     ("pandas < 2.2.2 was built for numpy 1 and does not import with numpy 2 (XGBoost and "
     "LightGBM import pandas when it is installed)"),
     'pip install "pandas>=2.2.2" (or pin "numpy<2")'),
    (("dask",), ("pyarrow", (16,)), ("numpy", (2,)),
     ("pyarrow < 16 was built for numpy 1 and does not import with numpy 2 (Dask's dataframes "
     "need it)"),
     'pip install "pyarrow>=16" (or pin "numpy<2")'),
    (("plot",), ("matplotlib", (3, 8, 4)), ("numpy", (2,)),
     "matplotlib < 3.8.4 was built for numpy 1 and does not import with numpy 2",
     'pip install "matplotlib>=3.8.4" (or pin "numpy<2")'),
)


def _broken(old, below, new, from_) -> bool:
    v_old, v_new = installed(old), installed(new)
    return v_old is not None and v_new is not None and v_old < below and v_new >= from_


def check_compatible(*uses: str) -> None:
    """Raise :class:`IncompatibleVersionsError` when the installed versions are a combination
    known to be broken upstream for ``uses`` (``"xgboost"``, ``"lightgbm"``, ``"dask"``,
    ``"plot"``); the boostobj estimators call this at the start of ``fit``."""
    problems = [(why, fix) for who, (old, below), (new, from_), why, fix in _BROKEN
                if set(who) & set(uses) and _broken(old, below, new, from_)]
    if problems:
        def shown(dist):
            v = _distribution_version(dist)
            return f"{dist} {v}" if v else f"{dist} (not installed)"

        names = ("numpy", "scikit-learn", "xgboost", "lightgbm", "pandas", "pyarrow", "matplotlib")
        raise IncompatibleVersionsError(
            "these installed versions do not work together: "
            + "; ".join(f"{why}. Fix: {fix}" for why, fix in problems)
            + ". Installed: " + ", ".join(shown(d) for d in names
                                          if _distribution_version(d) is not None)
        )
