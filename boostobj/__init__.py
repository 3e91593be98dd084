"""boostobj: exact, numerically stable custom objectives for XGBoost and LightGBM.

Each objective is one object that is at once the math (``loss``, ``gradient_hessian``,
``init_score``, ``link``) and the callable every XGBoost and LightGBM entry point takes.

The layout: :mod:`boostobj.losses` is the math (no library in sight); :mod:`boostobj._objective`
dispatches a library's call to it; :mod:`boostobj.adapters` owns each library's conventions and
its estimators; :mod:`boostobj.registry` is the one list of losses (and their built-in twins)
that the tests and tools walk; ``check``, ``derive`` and ``plot`` are tools, ``bench`` and
``parity`` harnesses.
"""

from __future__ import annotations

from ._kernels import HESSIAN_FLOOR
from ._objective import FitObjective
from ._warnings import DegenerateWarning
from .links import IdentityLink, LogitLink, LogLink, SoftmaxLink
from .losses import CombinedLoss, Loss, class_balanced_weights, combine
from .metrics import Metric
from .registry import LOSSES, REGISTRY, builtin_twin, get_loss

# every loss class of the registry, by class name (the registry is the one list of them)
globals().update({entry.cls.__name__: entry.cls for entry in REGISTRY})

def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("boostobj")  # pyproject.toml's [project].version, its one place
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


__version__ = _installed_version()

_LAZY = {
    "XGBClassifier": "boostobj.adapters.xgboost_sklearn",
    "XGBRegressor": "boostobj.adapters.xgboost_sklearn",
    "LGBMClassifier": "boostobj.adapters.lightgbm_sklearn",
    "LGBMRegressor": "boostobj.adapters.lightgbm_sklearn",
    "CatBoostClassifier": "boostobj.adapters.catboost_sklearn",
    "CatBoostRegressor": "boostobj.adapters.catboost_sklearn",
    "DaskXGBClassifier": "boostobj.adapters.xgboost_dask",
    "DaskXGBRegressor": "boostobj.adapters.xgboost_dask",
    "DaskLGBMClassifier": "boostobj.adapters.lightgbm_dask",
    "DaskLGBMRegressor": "boostobj.adapters.lightgbm_dask",
    "StartClampedWarning": "boostobj.adapters.xgboost",
    "xgboost_params": "boostobj.adapters.xgboost",
    "fold_init_score": "boostobj.adapters.lightgbm",
    "refine_leaves": "boostobj.adapters.refine",
}

# What each lazy name needs beyond numpy and scipy, checked before its module is imported: XGBoost
# and LightGBM import without scikit-learn or dask and fail only later, or not at all.
_NEEDS = {
    "XGBClassifier": ("xgboost", "sklearn"),
    "XGBRegressor": ("xgboost", "sklearn"),
    "LGBMClassifier": ("lightgbm", "sklearn"),
    "LGBMRegressor": ("lightgbm", "sklearn"),
    "DaskXGBClassifier": ("xgboost", "sklearn", "dask", "distributed"),
    "DaskXGBRegressor": ("xgboost", "sklearn", "dask", "distributed"),
    "DaskLGBMClassifier": ("lightgbm", "sklearn", "dask", "distributed"),
    "DaskLGBMRegressor": ("lightgbm", "sklearn", "dask", "distributed"),
    "CatBoostClassifier": ("catboost", "sklearn"),
    "CatBoostRegressor": ("catboost", "sklearn"),
}

# top-level module -> (distribution, the boostobj extra that installs it)
_EXTRAS = {
    "xgboost": ("xgboost", "xgboost"),
    "lightgbm": ("lightgbm", "lightgbm"),
    "catboost": ("catboost", "catboost"),
    "sklearn": ("scikit-learn", "sklearn"),
    "dask": ("dask", "dask"),
    "distributed": ("distributed", "dask"),
    "pandas": ("pandas", "dask"),
    "pyarrow": ("pyarrow", "dask"),
}


def _import_error(name: str, absent) -> ImportError:
    """The ImportError naming every optional dependency of ``boostobj.<name>`` in ``absent``
    (top-level module names), with the one ``pip install`` line of the extras that bring them."""
    dists = ", ".join(_EXTRAS[m][0] for m in absent)
    extras = ",".join(dict.fromkeys(_EXTRAS[m][1] for m in absent))
    verb = "which is" if len(absent) == 1 else "which are"
    return ImportError(f"boostobj.{name} needs {dists}, {verb} not installed: "
                       f'pip install "boostobj[{extras}]"', name=absent[0])


# The estimators (boostobj.XGBClassifier, LGBMClassifier, Dask*), xgboost_params and
# fold_init_score load lazily through __getattr__ below and stay out of __all__, so that
# ``from boostobj import *`` needs only numpy and scipy.
__all__ = [
    "HESSIAN_FLOOR",
    "LOSSES",
    "CombinedLoss",
    "DegenerateWarning",
    "FitObjective",
    "IdentityLink",
    "LogLink",
    "LogitLink",
    "Loss",
    "Metric",
    "SoftmaxLink",
    "builtin_twin",
    "class_balanced_weights",
    "combine",
    "get_loss",
    "show_config",
]
__all__ += [entry.cls.__name__ for entry in REGISTRY]


def show_config(file=None) -> None:
    """Print the versions of boostobj, Python, numpy, scipy, XGBoost, LightGBM, CatBoost,
    scikit-learn and dask ("not installed" for those missing), and whether the compiled kernels
    are in use (``python -m boostobj --version`` prints the same)."""
    from . import _config

    print(_config.text(), file=file)


def __getattr__(name: str):
    # The estimators subclass XGBoost's / LightGBM's, so import those only when asked for.
    if name in _LAZY:
        import importlib

        absent, cause = [], None
        for needed in _NEEDS.get(name, ()):  # every missing one named at once
            try:
                importlib.import_module(needed)
            except ModuleNotFoundError as exc:
                absent.append(needed)
                cause = cause or exc
        if absent:
            raise _import_error(name, absent) from cause
        try:
            return getattr(importlib.import_module(_LAZY[name]), name)
        except ModuleNotFoundError as exc:  # a dependency's own optional one (pyarrow for dask)
            top = (exc.name or "").partition(".")[0]
            if top not in _EXTRAS:
                raise
            raise _import_error(name, [top]) from exc
    if name == "fold_init_score":
        from .adapters.lightgbm import fold_init_score

        return fold_init_score
    raise AttributeError(f"module 'boostobj' has no attribute {name!r}")
