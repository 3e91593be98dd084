"""boostobj: exact, numerically stable custom objectives for XGBoost and LightGBM.

Each objective is one object that is at once the math (``loss``, ``gradient_hessian``,
``init_score``, ``link``) and the callable every XGBoost and LightGBM entry point takes.
"""

from __future__ import annotations

from .links import IdentityLink, LogitLink, SoftmaxLink
from .losses import (
    HESSIAN_FLOOR,
    BinaryLogLoss,
    FocalLoss,
    LogCoshLoss,
    Loss,
    MulticlassFocalLoss,
    PseudoHuberLoss,
    SoftmaxLoss,
    SquaredErrorLoss,
)
from .metrics import Metric
from .registry import LOSSES, get_loss

__version__ = "0.1.0"

_LAZY = {
    "XGBClassifier": "boostobj.adapters.xgboost_sklearn",
    "XGBRegressor": "boostobj.adapters.xgboost_sklearn",
    "LGBMClassifier": "boostobj.adapters.lightgbm_sklearn",
    "LGBMRegressor": "boostobj.adapters.lightgbm_sklearn",
    "DaskXGBClassifier": "boostobj.adapters.xgboost_dask",
    "DaskXGBRegressor": "boostobj.adapters.xgboost_dask",
    "DaskLGBMClassifier": "boostobj.adapters.lightgbm_dask",
    "DaskLGBMRegressor": "boostobj.adapters.lightgbm_dask",
    "StartClampedWarning": "boostobj.adapters.xgboost",
}

# The estimators (boostobj.XGBClassifier, LGBMClassifier, Dask*) and fold_init_score load lazily
# through __getattr__ below and stay out of __all__, so that ``from boostobj import *`` needs only
# numpy and scipy.
__all__ = [
    "HESSIAN_FLOOR",
    "LOSSES",
    "BinaryLogLoss",
    "FocalLoss",
    "IdentityLink",
    "LogCoshLoss",
    "LogitLink",
    "Loss",
    "Metric",
    "MulticlassFocalLoss",
    "PseudoHuberLoss",
    "SoftmaxLink",
    "SoftmaxLoss",
    "SquaredErrorLoss",
    "get_loss",
]


def __getattr__(name: str):
    # The estimators subclass XGBoost's / LightGBM's, so import those only when asked for.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    if name == "fold_init_score":
        from .adapters.lightgbm import fold_init_score

        return fold_init_score
    raise AttributeError(f"module 'boostobj' has no attribute {name!r}")
