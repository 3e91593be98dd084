"""The seams between boostobj's estimators and the libraries: each test fails on the code
before its fix (linear trees, continued training, hyperparameter grids, a loss of the wrong kind,
metrics under built-in objectives, Dask class weights, cryptic LightGBM errors, label encoding,
messages and warnings)."""

import numpy as np
import pytest
from conftest import lgb_eval

import boostobj
from boostobj.adapters._versions import (
    xgb_metric_list_takes_callables,
    xgb_probability_start_range,
)

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


def _untrained(est) -> bool:
    return getattr(est, "_Booster", None) is None


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


# ------------------------------------------------------------------ 2. continued training
@pytest.mark.parametrize("form", ["booster", "estimator", "path"])
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_xgboost_continued_training_keeps_the_old_start(kind, form, tmp_path):
    if kind == "classifier":
        X, y = _binary(rate=0.5)
        X2, y2 = _binary(seed=1, rate=0.05)  # a new batch with another positive rate
        make, loss = boostobj.XGBClassifier, boostobj.FocalLoss(gamma=1.0)
    else:
        X, y = _regression(level=10.0)
        X2, y2 = _regression(seed=1, level=-50.0)
        make, loss = boostobj.XGBRegressor, boostobj.LogCoshLoss()
    old = make(objective=loss, n_estimators=5, **XGB_PARAMS).fit(X, y)
    model = {"booster": old.get_booster(), "estimator": old, "path": tmp_path / "old.json"}[form]
    if form == "path":
        old.save_model(model)
    new = make(objective=loss, n_estimators=1, learning_rate=0.0, **XGB_PARAMS)
    new.fit(X2, y2, xgb_model=model)
    assert new.get_booster().num_boosted_rounds() == 6
    before = old.predict_proba(X) if kind == "classifier" else old.predict(X)
    after = new.predict_proba(X) if kind == "classifier" else new.predict(X)
    np.testing.assert_allclose(after, before, rtol=1e-6, atol=1e-6)  # float32 precision


@pytest.mark.parametrize("loss", [boostobj.BinaryLogLoss(), boostobj.SoftmaxLoss(),
                                  boostobj.PseudoHuberLoss(delta=2.0)], ids=repr)
def test_xgboost_params_for_continued_training_leave_base_score_out(loss):
    if loss.task == "binary":
        (X, y), (X2, y2) = _binary(rate=0.5), _binary(seed=1, rate=0.05)
    elif loss.task == "multiclass":
        (X, y), (X2, y2) = _multiclass(), _multiclass(seed=1)
        y2[::3] = 0.0  # another class balance
    else:
        (X, y), (X2, y2) = _regression(level=10.0), _regression(seed=1, level=-50.0)
    d, d2 = xgb.DMatrix(X, y), xgb.DMatrix(X2, y2)
    old = xgb.train({**XGB_PARAMS, **boostobj.xgboost_params(loss, y)}, d, 5, obj=loss)
    params = boostobj.xgboost_params(loss, y2, xgb_model=old)
    assert "base_score" not in params
    new = xgb.train({**XGB_PARAMS, **params, "eta": 0.0}, d2, 1, obj=loss, xgb_model=old)
    np.testing.assert_allclose(new.predict(d), old.predict(d), rtol=1e-6, atol=1e-6)
    assert "base_score" in boostobj.xgboost_params.__doc__ and "xgb_model" in boostobj.xgboost_params.__doc__


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_lightgbm_continued_training_keeps_the_start_once(kind):
    if kind == "classifier":
        (X, y), (X2, y2) = _binary(rate=0.1), _binary(seed=1, rate=0.5)
        make, loss = boostobj.LGBMClassifier, boostobj.FocalLoss(gamma=1.0)
    else:
        (X, y), (X2, y2) = _regression(level=10.0), _regression(seed=1, level=-50.0)
        make, loss = boostobj.LGBMRegressor, boostobj.LogCoshLoss()
    old = make(objective=loss, n_estimators=5, **LGB_PARAMS).fit(X, y)
    assert abs(old.init_score_) > 0.5  # a start that would show if it were added twice
    for model in (old.booster_, old):
        new = make(objective=loss, n_estimators=1, learning_rate=1e-12, **LGB_PARAMS)
        new.fit(X2, y2, init_model=model)
        assert new.booster_.num_trees() == 6
        np.testing.assert_allclose(new.predict(X, raw_score=True), old.predict(X, raw_score=True),
                                   rtol=0, atol=1e-9)


# ------------------------------------------------------------------ 3. a grid over a loss's hyperparameter
ESTIMATORS = {
    "XGBClassifier": lambda loss: boostobj.XGBClassifier(objective=loss, n_estimators=10, **XGB_PARAMS),
    "LGBMClassifier": lambda loss: boostobj.LGBMClassifier(objective=loss, n_estimators=10, **LGB_PARAMS),
}


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_grid_search_over_gamma_changes_the_model(name):
    from sklearn.model_selection import GridSearchCV

    X, y = _binary(400)
    loss = boostobj.FocalLoss(gamma=1.0)
    est = ESTIMATORS[name](loss)
    assert est.get_params(deep=True)["objective__gamma"] == 1.0
    gs = GridSearchCV(est, {"objective__gamma": [0.0, 4.0]}, cv=2, scoring="neg_log_loss").fit(X, y)
    scores = gs.cv_results_["mean_test_score"]
    assert abs(scores[0] - scores[1]) > 1e-3
    best = gs.best_estimator_
    assert best.objective.gamma == gs.best_params_["objective__gamma"]
    assert best.objective is not loss and loss.gamma == 1.0  # each candidate has its own loss
    # the two gammas give two models
    a = ESTIMATORS[name](boostobj.FocalLoss(gamma=1.0)).set_params(objective__gamma=0.0).fit(X, y)
    b = ESTIMATORS[name](boostobj.FocalLoss(gamma=1.0)).set_params(objective__gamma=4.0).fit(X, y)
    assert np.max(np.abs(a.predict_proba(X) - b.predict_proba(X))) > 1e-3


@pytest.mark.parametrize("make", [boostobj.XGBClassifier, boostobj.LGBMClassifier,
                                  lambda **kw: boostobj.DaskXGBClassifier(**kw),
                                  lambda **kw: boostobj.DaskLGBMClassifier(**kw)],
                         ids=["xgb", "lgb", "dask-xgb", "dask-lgb"])
def test_set_params_reaches_the_loss_and_validates(make):
    from sklearn.base import clone

    pytest.importorskip("dask")
    loss = boostobj.MulticlassFocalLoss(gamma=1.0, alpha=[0.5, 1.0, 2.0])
    est = make(objective=loss, n_estimators=2)
    assert est.set_params(objective__gamma=0.5, n_estimators=3) is est
    assert est.objective is loss and loss.gamma == 0.5 and est.n_estimators == 3
    with pytest.raises(ValueError, match="gamma must be >= 0"):
        est.set_params(objective__gamma=-1.0)
    assert loss.gamma == 0.5  # unchanged by the refused value
    with pytest.raises(ValueError, match="has no parameter 'delta'"):
        est.set_params(objective__delta=1.0)
    params = est.get_params(deep=True)
    assert params["objective__gamma"] == 0.5 and params["objective__alpha"] == (0.5, 1.0, 2.0)
    assert not any(k.startswith("objective__") for k in getattr(est, "kwargs", None) or {})
    assert not any(k.startswith("objective__") for k in getattr(est, "_other_params", {}))
    copy = clone(est)
    assert copy.objective == loss and copy.objective is not loss
    # objective and its hyperparameters in one call: the new loss gets them
    est.set_params(objective=boostobj.FocalLoss(), objective__gamma=3.0)
    assert est.objective == boostobj.FocalLoss(gamma=3.0)
    with pytest.raises(ValueError, match="not a boostobj loss"):
        make(n_estimators=2).set_params(objective__gamma=1.0)


def test_set_params_on_a_fitted_xgboost_estimator_reaches_the_booster_params():
    import warnings

    X, y = _binary()
    est = boostobj.XGBClassifier(objective=boostobj.FocalLoss(), n_estimators=2, **XGB_PARAMS).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "objective__gamma is not used" from XGBoost
        est.set_params(objective__gamma=0.5)
        est.fit(X, y)
    assert est.objective.gamma == 0.5


# ------------------------------------------------------------------ 4. a loss of the wrong kind
@pytest.mark.parametrize(("make", "loss", "match"), [
    (boostobj.LGBMClassifier, boostobj.LogCoshLoss(), "regression loss.*LGBMRegressor"),
    (boostobj.XGBClassifier, boostobj.SquaredErrorLoss(), "regression loss.*XGBRegressor"),
    (boostobj.XGBRegressor, boostobj.FocalLoss(), "binary loss.*XGBClassifier"),
    (boostobj.LGBMRegressor, boostobj.SoftmaxLoss(), "multiclass loss.*LGBMClassifier"),
])
def test_estimators_refuse_a_loss_of_the_wrong_kind(make, loss, match):
    X, y = _binary()
    est = make(objective=loss, n_estimators=2)
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)
    assert _untrained(est)  # refused before training


@pytest.mark.parametrize(("make", "loss", "match"), [
    (lambda **kw: boostobj.DaskLGBMClassifier(**kw), boostobj.PseudoHuberLoss(), "DaskLGBMRegressor"),
    (lambda **kw: boostobj.DaskXGBRegressor(**kw), boostobj.BinaryLogLoss(), "DaskXGBClassifier"),
])
def test_dask_estimators_refuse_a_loss_of_the_wrong_kind(make, loss, match):
    da = pytest.importorskip("dask.array")
    X, y = _binary(40)
    with pytest.raises(ValueError, match=match):
        make(objective=loss, n_estimators=2).fit(da.from_array(X, chunks=20), da.from_array(y, chunks=20))


# ------------------------------------------------------------------ 5. loss.metric under a built-in objective
def _hist(est):
    res = est.evals_result_ if hasattr(est, "evals_result_") else est.evals_result()
    return next(iter(res.values()))


@pytest.mark.parametrize(("task", "loss", "builtin"), [
    ("binary", boostobj.BinaryLogLoss(), "binary_logloss"),
    ("multiclass", boostobj.SoftmaxLoss(), "multi_logloss"),
])
def test_lightgbm_estimator_builtin_objective_metric_reads_probabilities(task, loss, builtin):
    X, y = _binary() if task == "binary" else _multiclass()
    est = boostobj.LGBMClassifier(n_estimators=5, **LGB_PARAMS)
    est.fit(X, y, **lgb_eval([X], [y]), eval_metric=[loss.metric, builtin])
    hist = _hist(est)
    np.testing.assert_allclose(hist[loss.metric.__name__], hist[builtin], rtol=1e-6)
    # and the objective's own start: the built-in metric's value of the predictions
    p = est.predict_proba(X)
    margins = loss.link.link(p if task == "multiclass" else p[:, 1])
    assert hist[loss.metric.__name__][-1] == pytest.approx(loss.mean_loss(y, margins), rel=1e-6)


@pytest.mark.parametrize(("task", "loss", "builtin"), [
    ("binary", boostobj.BinaryLogLoss(), "logloss"),
    ("multiclass", boostobj.SoftmaxLoss(), "mlogloss"),
])
def test_xgboost_estimator_builtin_objective_metric_reads_probabilities(task, loss, builtin):
    X, y = _binary() if task == "binary" else _multiclass()
    est = boostobj.XGBClassifier(n_estimators=5, eval_metric=[builtin, loss.metric], **XGB_PARAMS)
    if not xgb_metric_list_takes_callables():  # XGBoost 2.1: a callable metric only alone
        with pytest.raises(ValueError, match="only alone"):
            est.fit(X, y, eval_set=[(X, y)], verbose=False)
        pytest.skip(f"XGBoost {xgb.__version__} takes a callable eval_metric only alone")
    est.fit(X, y, eval_set=[(X, y)], verbose=False)
    hist = _hist(est)
    # XGBoost records a custom metric as printed, with 6 decimals ("%f"): 5e-7 apart at most
    np.testing.assert_allclose(hist[loss.metric.__name__], hist[builtin], rtol=0, atol=6e-7)
    p = est.predict_proba(X)
    want = -np.mean(np.log(p[np.arange(len(y)), y.astype(int)].astype(np.float64)))
    assert hist[loss.metric.__name__][-1] == pytest.approx(want, rel=0, abs=5e-7)
    assert est.eval_metric[1] == loss.metric  # as the user set it (margins): bound for the fit only


def test_builtin_regression_objectives_metric_and_early_stopping():
    X, y = _regression(level=0.0)
    loss = boostobj.SquaredErrorLoss()
    lest = boostobj.LGBMRegressor(n_estimators=5, **LGB_PARAMS)
    lest.fit(X, y, **lgb_eval([X], [y]), eval_metric=loss.metric)
    assert _hist(lest)["squared_error"][-1] == pytest.approx(loss.mean_loss(y, lest.predict(X)), rel=1e-9)
    xest = boostobj.XGBRegressor(n_estimators=5, eval_metric=loss.metric, **XGB_PARAMS)
    xest.fit(X, y, eval_set=[(X, y)], verbose=False)
    assert _hist(xest)["squared_error"][-1] == pytest.approx(loss.mean_loss(y, xest.predict(X)), rel=1e-6)
    # binary:logitraw hands the metric margins
    Xb, yb = _binary()
    raw = boostobj.XGBClassifier(objective="binary:logitraw", n_estimators=3, eval_metric="logloss",
                                 **XGB_PARAMS).fit(Xb, yb, eval_set=[(Xb, yb)], verbose=False)
    ours = boostobj.XGBClassifier(objective="binary:logitraw", n_estimators=3,
                                  eval_metric=boostobj.BinaryLogLoss().metric, **XGB_PARAMS)
    ours.fit(Xb, yb, eval_set=[(Xb, yb)], verbose=False)
    margin = ours.predict(Xb, output_margin=True)
    assert _hist(ours)["log_loss"][-1] == pytest.approx(boostobj.BinaryLogLoss().mean_loss(yb, margin), rel=1e-6)
    del raw


@pytest.mark.parametrize(("make", "data", "metric_loss", "match"), [
    (lambda: boostobj.LGBMRegressor(objective="poisson", n_estimators=2, **LGB_PARAMS), "positive",
     boostobj.SquaredErrorLoss(), "'poisson'"),
    (lambda: boostobj.LGBMClassifier(n_estimators=2, **LGB_PARAMS), "binary", boostobj.LogCoshLoss(),
     "'binary'"),
    (lambda: boostobj.XGBRegressor(objective="reg:gamma", n_estimators=2), "positive",
     boostobj.SquaredErrorLoss(), "'reg:gamma'"),
    (lambda: boostobj.XGBClassifier(objective="multi:softmax", n_estimators=2), "multiclass",
     boostobj.SoftmaxLoss(), "'multi:softmax'"),
    (lambda: boostobj.XGBClassifier(n_estimators=2), "multiclass", boostobj.BinaryLogLoss(),
     "'multi:softprob'"),
])
def test_metric_under_a_builtin_objective_of_another_scale_is_refused(make, data, metric_loss, match):
    X, y = _multiclass() if data == "multiclass" else _binary()
    if data == "positive":
        y = y + 1.0  # positive targets for poisson / gamma
    est = make()
    with pytest.raises(ValueError, match=match):
        if isinstance(est, lgb.LGBMModel):
            est.fit(X, y, **lgb_eval([X], [y]), eval_metric=metric_loss.metric)
        else:
            est.set_params(eval_metric=metric_loss.metric).fit(X, y, eval_set=[(X, y)], verbose=False)
    assert _untrained(est)


def test_lightgbm_builtin_objective_metric_drives_early_stopping_on_probabilities():
    X, y = _binary(600)
    loss = boostobj.BinaryLogLoss()
    est = boostobj.LGBMClassifier(n_estimators=200, learning_rate=0.3, **LGB_PARAMS)
    est.fit(X[:400], y[:400], **lgb_eval([X[400:]], [y[400:]]),
            eval_metric=[loss.metric, "binary_logloss"],
            callbacks=[lgb.early_stopping(5, first_metric_only=True, verbose=False)])
    hist = _hist(est)
    assert est.best_iteration_ == int(np.argmin(hist["binary_logloss"])) + 1


# ------------------------------------------------------------------ 6. metric names per hyperparameter
def test_two_focal_metrics_in_one_eval_metric_list_keep_two_histories():
    X, y = _binary()
    a, b = boostobj.FocalLoss(gamma=1.0), boostobj.FocalLoss(gamma=3.0)
    est = boostobj.LGBMClassifier(objective=boostobj.FocalLoss(), n_estimators=6, **LGB_PARAMS)
    est.fit(X, y, **lgb_eval([X], [y]), eval_metric=[a.metric, b.metric])
    hist = _hist(est)
    assert set(hist) == {a.metric.__name__, b.metric.__name__} and len(set(hist)) == 2
    raw = est.predict(X, raw_score=True)
    for loss in (a, b):
        assert len(hist[loss.metric.__name__]) == 6
        assert hist[loss.metric.__name__][-1] == pytest.approx(loss.mean_loss(y, raw), rel=1e-6)


# ------------------------------------------------------------------ 9. Dask class_weight keys
@pytest.mark.parametrize("labels", [(0.1, 0.2), (2**24 + 1, 2**24 + 3)], ids=["0.1", "2**24+1"])
def test_dask_lgbm_class_weight_keys_are_the_labels_as_given(labels):
    # Neither pair is float32 numbers. (LightGBM's classifier refuses labels 0.1/0.2 as
    # "continuous", so large integer labels are the case met in training: see test_dask.py.)
    da = pytest.importorskip("dask.array")
    pytest.importorskip("lightgbm.dask")
    _X, y01 = _binary(200)
    y = np.where(y01 > 0, labels[1], labels[0])
    loss = boostobj.BinaryLogLoss()
    est = boostobj.DaskLGBMClassifier(objective=loss, class_weight={labels[0]: 3.0, labels[1]: 1.0})
    init = est._boostobj_init(loss, da.from_array(y, chunks=50), None)
    assert init == pytest.approx(loss.init_score(y01, np.where(y01 > 0, 1.0, 3.0)), rel=1e-12)


# ------------------------------------------------------------------ 13. clear errors before training
@pytest.mark.parametrize("make", [boostobj.LGBMClassifier, boostobj.XGBClassifier])
@pytest.mark.parametrize("loss", [boostobj.SoftmaxLoss(n_classes=4),
                                  boostobj.MulticlassFocalLoss(alpha=[1.0, 1.0, 1.0, 2.0])], ids=repr)
def test_classifiers_name_a_class_count_mismatch(make, loss):
    X, y = _multiclass()
    est = make(objective=loss, n_estimators=2)
    with pytest.raises(ValueError, match="4 classes but y has 3"):
        est.fit(X, y)
    assert _untrained(est)


def test_lightgbm_estimator_refuses_a_user_init_score_of_the_wrong_width():
    X, y = _multiclass()
    with pytest.raises(ValueError, match="init_score has 2 columns.*3 classes"):
        boostobj.LGBMClassifier(objective=boostobj.SoftmaxLoss(), n_estimators=2,
                                **LGB_PARAMS).fit(X, y, init_score=np.zeros((len(y), 2)))


@pytest.mark.parametrize("key", ["boosting_type", "boosting", "boost"])
def test_lightgbm_random_forest_with_a_loss_is_refused_clearly(key):
    X, y = _binary()
    est = boostobj.LGBMClassifier(objective=boostobj.BinaryLogLoss(), n_estimators=2,
                                  subsample=0.5, subsample_freq=1, **LGB_PARAMS, **{key: "rf"})
    with pytest.raises(ValueError, match="random forest.*gbdt"):
        est.fit(X, y)
    # a built-in objective in RF mode is LightGBM's business
    boostobj.LGBMClassifier(n_estimators=2, subsample=0.5, subsample_freq=1, **LGB_PARAMS,
                            **{key: "rf"}).fit(X, y)


# ------------------------------------------------------------------ 14. labels in XGBClassifier
def test_xgb_classifier_object_01_labels_as_in_xgboost():
    X, y = _binary()
    loss = boostobj.FocalLoss(gamma=1.0)
    objs = y.astype(int).astype(object)
    ours = boostobj.XGBClassifier(objective=loss, n_estimators=5, **XGB_PARAMS).fit(X, objs)
    ref = boostobj.XGBClassifier(objective=loss, n_estimators=5, **XGB_PARAMS).fit(X, y)
    np.testing.assert_array_equal(ours.predict_proba(X), ref.predict_proba(X))
    plain = xgb.XGBClassifier(n_estimators=2, **XGB_PARAMS).fit(X, objs)
    np.testing.assert_array_equal(ours.classes_, plain.classes_)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_xgb_classifier_encodes_labels_as_lgbm_classifier_does(task):
    if task == "binary":
        (X, y), loss = _binary(), boostobj.BinaryLogLoss()
        names = np.array(["no", "yes"])
    else:
        (X, y), loss = _multiclass(), boostobj.SoftmaxLoss()
        names = np.array(["ant", "bee", "cat"])
    labels = names[y.astype(int)]
    ours = boostobj.XGBClassifier(objective=loss, n_estimators=5, **XGB_PARAMS)
    ours.fit(X, labels, eval_set=[(X, labels)], verbose=False)
    ref = boostobj.XGBClassifier(objective=loss, n_estimators=5, **XGB_PARAMS).fit(X, y)
    lgbm = boostobj.LGBMClassifier(objective=loss, n_estimators=5, **LGB_PARAMS).fit(X, labels)
    np.testing.assert_array_equal(ours.classes_, names)
    np.testing.assert_array_equal(ours.classes_, lgbm.classes_)
    np.testing.assert_array_equal(ours.predict_proba(X), ref.predict_proba(X))
    np.testing.assert_array_equal(ours.predict(X), names[ref.predict(X)])
    assert ours.n_classes_ == len(names)
    # other numbers than 0..K-1 are classes too, as in LGBMClassifier
    signs = np.where(y > 0, 1, -1) if task == "binary" else y * 10
    enc = boostobj.XGBClassifier(objective=loss, n_estimators=5, **XGB_PARAMS).fit(X, signs)
    np.testing.assert_array_equal(enc.classes_, np.unique(signs))
    np.testing.assert_array_equal(enc.predict_proba(X), ref.predict_proba(X))
    with pytest.raises(ValueError, match="not seen in training"):
        ours.fit(X, labels, eval_set=[(X, np.r_[labels[:-1], ["owl"]])], verbose=False)


# ------------------------------------------------------------------ 16. plain numbers, warnings at the user's line
def test_messages_print_plain_numbers():
    X, y = _binary()
    with pytest.raises(ValueError, match=r"scale_pos_weight=2\.0 ") as info:
        boostobj.XGBClassifier(objective=boostobj.BinaryLogLoss(), n_estimators=2,
                               scale_pos_weight=np.float64(2.0)).fit(X, y)
    assert "np.float64" not in str(info.value)
    with pytest.raises(ValueError, match=r"scale_pos_weight=2\.0 ") as info:
        boostobj.LGBMClassifier(objective=boostobj.FocalLoss(), n_estimators=2, **LGB_PARAMS,
                                scale_pos_weight=np.float64(2.0)).fit(X, y)
    assert "np.float64" not in str(info.value)


def test_warnings_point_at_the_users_line():
    from boostobj import _objective

    _objective.forget()  # each training set warns once
    X = np.random.default_rng(0).random((200, 3))
    y = (np.arange(200) == 0).astype(float)
    w = np.where(y > 0, 1e-5, 1.0)
    if xgb_probability_start_range()[0] > 1e-7:  # XGBoost >= 3.2 clamps the start: a warning
        with pytest.warns(boostobj.StartClampedWarning) as rec:
            boostobj.XGBClassifier(objective=boostobj.BinaryLogLoss(), n_estimators=1).fit(X, y, sample_weight=w)
        assert {r.filename for r in rec if r.category is boostobj.StartClampedWarning} == {__file__}
    Xr, yr = _regression()
    for make in (boostobj.LGBMRegressor, boostobj.XGBRegressor):
        with pytest.warns(boostobj.DegenerateWarning) as rec:
            make(objective=boostobj.PseudoHuberLoss(delta=1e-9), n_estimators=1).fit(Xr, yr)
        assert {r.filename for r in rec if r.category is boostobj.DegenerateWarning} == {__file__}
    with pytest.warns(boostobj.DegenerateWarning) as rec:
        xgb.train({"objective": "reg:squarederror"}, xgb.DMatrix(Xr, yr), 1,
                  obj=boostobj.PseudoHuberLoss(delta=1e-9))
    assert {r.filename for r in rec if r.category is boostobj.DegenerateWarning} == {__file__}


def test_xgboost_early_stopping_defaults_to_the_loss_metric():
    # without eval_metric, XGBoost would watch log loss, which a focal model does not minimise
    # (measured before: 499 of 500 rounds); the estimator watches the loss's own metric
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 5))
    y = (X[:, 0] + rng.normal(size=600) > 1.0).astype(float)
    loss = boostobj.FocalLoss(gamma=2.0)
    clf = boostobj.XGBClassifier(objective=loss, n_estimators=300, learning_rate=0.3,
                                 early_stopping_rounds=5, max_depth=4)
    clf.fit(X[:400], y[:400], eval_set=[(X[400:], y[400:])], verbose=False)
    history = clf.evals_result()["validation_0"]
    assert list(history)[-1] == loss.metric.__name__  # XGBoost early-stops on the last metric
    assert clf.best_iteration < 299
    assert clf.eval_metric is None  # the parameter is left as the user set it
