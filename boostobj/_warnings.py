"""boostobj's warnings, and where they point: at the user's line, not at boostobj's."""

from __future__ import annotations

import os
import sys

__all__ = ["DegenerateWarning", "user_stacklevel"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


class DegenerateWarning(UserWarning):
    """The hyperparameters leave the model almost nothing to learn from (the message says why)."""


#: Libraries whose frames lie between the user's line and boostobj's when they call a loss
#: (``XGBClassifier.fit`` -> ``xgb.train`` -> the objective; ``GridSearchCV.fit`` -> ...).
_CALLERS = ("xgboost", "lightgbm", "sklearn", "joblib", "dask", "distributed")


def _skipped() -> tuple[str, ...]:
    dirs = [_PACKAGE]
    for name in _CALLERS:
        file = getattr(sys.modules.get(name), "__file__", None)
        if file:
            dirs.append(os.path.dirname(os.path.abspath(file)))
    return tuple(d + os.sep for d in dirs)


def user_stacklevel() -> int:
    """``stacklevel`` for :func:`warnings.warn` that names the first frame outside boostobj and
    the libraries that call it (XGBoost, LightGBM, scikit-learn, Dask): the user's line, also
    when a library calls a loss during training."""
    skipped = _skipped()
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(skipped):
        frame, level = frame.f_back, level + 1
    return level
