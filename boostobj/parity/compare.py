"""Comparing two trained models: tree dumps (identical, same structure) and predictions."""

from __future__ import annotations

import json
import math
import re

import numpy as np

__all__ = ["compare_catboost", "compare_lightgbm", "compare_xgboost", "max_abs_diff",
           "xgboost_intercept"]

_LEAF = re.compile(r"leaf=[^,\s]+")


def compare_xgboost(b, c, dm):
    """``(trees, identical dumps, same structure, max |Δ prediction|, max |Δ margin|)`` of two
    XGBoost boosters on the DMatrix ``dm``."""
    dump_b, dump_c = b.get_dump(with_stats=True), c.get_dump(with_stats=True)
    plain_b, plain_c = b.get_dump(), c.get_dump()
    identical = sum(x == y for x, y in zip(dump_b, dump_c))
    same = sum(_LEAF.sub("leaf=", x) == _LEAF.sub("leaf=", y) for x, y in zip(plain_b, plain_c))
    margin_b = b.predict(dm, output_margin=True)
    margin_c = c.predict(dm, output_margin=True)
    pred_b, pred_c = b.predict(dm), c.predict(dm)  # same objective: the library's own link
    return (len(dump_b), identical, same, max_abs_diff(pred_b, pred_c),
            max_abs_diff(margin_b, margin_c))


_LGB_VALUES = ("leaf_value", "internal_value", "internal_weight", "split_gain", "leaf_weight")


def _strip(node, drop):
    if isinstance(node, dict):
        return {k: _strip(v, drop) for k, v in node.items() if k not in drop}
    return node


def compare_lightgbm(b, c, X, link):
    """:func:`compare_xgboost` for two LightGBM boosters on the features ``X``; predictions are
    the raw scores through ``link``."""
    trees_b, trees_c = b.dump_model()["tree_info"], c.dump_model()["tree_info"]
    k = b.num_model_per_iteration()
    identical = same = 0
    for i, (tb, tc) in enumerate(zip(trees_b, trees_c)):
        if i < k:
            # Tree::AddBias (built-in) also shifts internal values and sets shrinkage 1;
            # set_leaf_output (fold_init_score) changes leaves only. Neither affects predictions.
            tb, tc = (_strip(t, {"internal_value", "shrinkage"}) for t in (tb, tc))
        identical += tb == tc
        same += _strip(tb, _LGB_VALUES + ("shrinkage",)) == _strip(tc, _LGB_VALUES + ("shrinkage",))
    raw_b, raw_c = b.predict(X, raw_score=True), c.predict(X, raw_score=True)
    return (len(trees_b), identical, same, max_abs_diff(link.inverse(raw_b), link.inverse(raw_c)),
            max_abs_diff(raw_b, raw_c))


def _catboost_trees(model) -> list:
    """A CatBoost model's oblivious trees as its JSON export has them (splits, leaf values and
    weights; catboost 1.2.10 exports JSON to a file only)."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.json")
        model.save_model(path, format="json")
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)["oblivious_trees"]


def compare_catboost(b, c, X, link):
    """:func:`compare_xgboost` for two CatBoost models on the features ``X``: identical trees
    have equal splits, leaf values and leaf weights; the same structure, equal splits.
    Predictions are the raw formula values (the bias, i.e. the start, included) through
    ``link``."""
    trees_b, trees_c = _catboost_trees(b), _catboost_trees(c)
    identical = sum(tb == tc for tb, tc in zip(trees_b, trees_c))
    same = sum(tb["splits"] == tc["splits"] for tb, tc in zip(trees_b, trees_c))
    raw_b = b.predict(X, prediction_type="RawFormulaVal")
    raw_c = c.predict(X, prediction_type="RawFormulaVal")
    return (len(trees_b), identical, same, max_abs_diff(link.inverse(raw_b), link.inverse(raw_c)),
            max_abs_diff(raw_b, raw_c))


def max_abs_diff(a, b) -> float:
    """``max |a - b|`` as a Python float (inf for different shapes, 0 for empty arrays)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        return math.inf
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def xgboost_intercept(booster) -> list[float]:
    """The ``base_score`` an XGBoost booster holds, as the float32 values it stores."""
    # The config prints base_score with 8 significant digits; compare as the float32 it holds.
    cfg = json.loads(booster.save_config())
    text = cfg["learner"]["learner_model_param"]["base_score"]
    return [float(np.float32(v)) for v in text.strip("[]").split(",")]
