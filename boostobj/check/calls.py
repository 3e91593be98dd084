"""Calling an objective the way each entry point does: XGBoost's ``(preds, DMatrix)``, LightGBM's
``(preds, Dataset)`` and the scikit-learn signature ``(y_true, y_pred[, sample_weight])``."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ..losses import Loss

__all__ = ["Caller", "signature_api", "takes_weights"]

_NATIVE_DATA_NAMES = ("dtrain", "dmatrix", "dtest", "dataset", "train_data", "train_set", "data", "ds", "dm")
_LABEL_NAMES = ("y", "y_true", "label", "labels", "target", "y_test", "targets")


def signature_api(func) -> str:
    """``"native"`` (``(preds, dtrain)``) or ``"sklearn"`` (``(y_true, y_pred[, sample_weight])``),
    read from the parameter names; a ``ValueError`` when they do not tell."""
    try:
        names = [p.name for p in inspect.signature(func).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    if len(names) >= 3 or "sample_weight" in names:
        return "sklearn"
    if len(names) == 2:
        first, second = names[0].lower(), names[1].lower()
        if second in _NATIVE_DATA_NAMES or any(s in second for s in ("train", "dmat", "dataset")):
            return "native"
        if first in _LABEL_NAMES:
            return "sklearn"
    raise ValueError(
        f"cannot tell from its signature {names} whether {func!r} is an XGBoost/LightGBM native "
        "objective (preds, dtrain) or an sklearn one (y_true, y_pred[, sample_weight]); pass "
        "api='xgboost', 'lightgbm' or 'sklearn' (--api on the command line)"
    )


def takes_weights(func) -> str | None:
    """How an sklearn-style objective takes weights: "keyword", "positional" or None."""
    if isinstance(func, Loss):
        return "positional"
    params = list(inspect.signature(func).parameters.values())
    if any(p.name == "sample_weight" for p in params):
        return "keyword"
    if len(params) >= 3 or any(p.kind == p.VAR_POSITIONAL for p in params):
        return "positional"
    return None


class Caller:
    """Calls ``func`` the way one entry point does, keeping the library's data objects."""

    def __init__(self, api: str, func, y: np.ndarray, w: np.ndarray, rng) -> None:
        self.api, self.func, self.y, self.w = api, func, y, w
        self.X = rng.normal(size=(y.shape[0], 2))
        self._data: dict[bool, Any] = {}

    def _dataset(self, weighted: bool):
        if weighted not in self._data:
            w = self.w if weighted else None
            if self.api == "xgboost":
                import xgboost as xgb

                self._data[weighted] = xgb.DMatrix(self.X, label=self.y, weight=w)
            else:
                import lightgbm as lgb

                self._data[weighted] = lgb.Dataset(
                    self.X, label=self.y, weight=w, params={"verbose": -1}, free_raw_data=False
                ).construct()
        return self._data[weighted]

    def call(self, m: np.ndarray, weighted: bool):
        """Return (output, {input name: (before, after)})."""
        if self.api == "xgboost":
            preds = np.ascontiguousarray(m, dtype=np.float32)
            inputs = {"preds": preds}
            before = {"preds": preds.copy()}
            out = self.func(preds, self._dataset(weighted))
        elif self.api == "lightgbm":
            preds = np.asfortranarray(m, dtype=np.float64)  # LightGBM hands (n, k) F-ordered
            inputs = {"preds": preds}
            before = {"preds": preds.copy()}
            out = self.func(preds, self._dataset(weighted))
        else:
            y_true = self.y.astype(np.float32)
            y_pred = np.array(m, dtype=np.float64)
            inputs = {"y_true": y_true, "y_pred": y_pred}
            # Both wrappers pass None as the weight of an unweighted fit (xgboost 3.2.0,
            # lightgbm 4.7.0).
            how = takes_weights(self.func)
            if how and weighted:
                inputs["sample_weight"] = self.w.copy()
            before = {k: v.copy() for k, v in inputs.items()}
            sw = inputs.get("sample_weight")
            if how == "keyword":
                out = self.func(y_true, y_pred, sample_weight=sw)
            elif how == "positional":
                out = self.func(y_true, y_pred, sw)
            else:
                out = self.func(y_true, y_pred)
        return out, {k: (before[k], inputs[k]) for k in inputs}
