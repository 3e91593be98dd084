"""Issue 14, the seams between boostobj's estimators and the libraries: each test fails on the code
before its fix (linear trees, continued training, hyperparameter grids, a loss of the wrong kind,
metrics under built-in objectives, Dask class weights, cryptic LightGBM errors, label encoding,
messages and warnings)."""

import numpy as np
import pytest

import boostobj

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")

LGB_PARAMS = {"num_leaves": 7, "min_data_in_leaf": 5, "verbose": -1, "deterministic": True,
              "force_col_wise": True, "num_threads": 1}
XGB_PARAMS = {"max_depth": 3, "nthread": 1}


def _binary(n=300, seed=0, rate=0.3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] + rng.normal(size=n) > 1.0 - 2 * rate).astype(float)
    return X, y


def _multiclass(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.digitize(X[:, 0] + 0.5 * rng.normal(size=n), [-0.5, 0.7]).astype(float)
    return X, y


def _regression(n=300, seed=0, level=1000.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = level + 5 * X[:, 0] + 2 * X[:, 1] ** 2 + rng.normal(size=n)
    return X, y


# ------------------------------------------------------------------ 1. linear trees keep the start
def _with_nans(X, seed=1):
    X = X.copy()
    X[np.random.default_rng(seed).random(X.shape) < 0.05] = np.nan  # rows that use leaf_value
    return X


def test_linear_tree_regressor_keeps_the_start():
    X, y = _regression()
    X = _with_nans(X)
    kw = {**LGB_PARAMS, "n_estimators": 20, "linear_tree": True}
    ours = boostobj.LGBMRegressor(objective=boostobj.SquaredErrorLoss(), **kw).fit(X, y)
    builtin = lgb.LGBMRegressor(objective="regression", **kw).fit(X, y)
    assert abs(np.mean(ours.predict(X)) - np.mean(y)) < 1.0  # was about 0: the start was lost
    np.testing.assert_allclose(ours.predict(X), builtin.predict(X), rtol=0, atol=1e-3)


def test_linear_tree_classifier_keeps_the_start():
    X, y = _binary(rate=0.1)
    X = _with_nans(X)
    kw = {**LGB_PARAMS, "n_estimators": 20, "linear_tree": True}
    ours = boostobj.LGBMClassifier(objective=boostobj.BinaryLogLoss(), **kw).fit(X, y)
    builtin = lgb.LGBMClassifier(objective="binary", **kw).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), builtin.predict_proba(X), rtol=0, atol=1e-5)


def test_fold_init_score_on_a_linear_tree_booster():
    X, y = _regression()
    X = _with_nans(X)
    loss = boostobj.LogCoshLoss()
    init = loss.init_score(y)
    booster = lgb.train({**LGB_PARAMS, "objective": loss, "linear_tree": True},
                        lgb.Dataset(X, y, init_score=loss.init_raw_prediction(y)), 10)
    want = booster.predict(X) + init
    boostobj.fold_init_score(booster, init)
    np.testing.assert_allclose(booster.predict(X), want, rtol=1e-12, atol=1e-9)
    # the folded model is self-contained: saved and loaded, it predicts the same
    reloaded = lgb.Booster(model_str=booster.model_to_string())
    np.testing.assert_allclose(reloaded.predict(X), want, rtol=1e-12, atol=1e-9)
    with pytest.raises(ValueError, match="already folded"):
        boostobj.fold_init_score(booster, init)


def test_fold_init_score_on_a_cvbooster_folds_every_fold():
    X, y = _binary()
    loss = boostobj.BinaryLogLoss()
    init = loss.init_score(y)
    res = lgb.cv({**LGB_PARAMS, "objective": loss, "metric": "auc"},
                 lgb.Dataset(X, y, init_score=loss.init_raw_prediction(y)), num_boost_round=3,
                 nfold=3, stratified=False, return_cvbooster=True)
    cvb = res["cvbooster"]
    want = [b.predict(X) + init for b in cvb.boosters]
    assert boostobj.fold_init_score(cvb, init) is cvb
    for b, w in zip(cvb.boosters, want):
        np.testing.assert_allclose(b.predict(X), w, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="already folded"):
        boostobj.fold_init_score(cvb, init)
    for b, w in zip(cvb.boosters, want):  # the refused call changed nothing
        np.testing.assert_allclose(b.predict(X), w, rtol=1e-12, atol=1e-12)


