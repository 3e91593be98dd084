"""The four entry points of each library, weights, starting score, metrics and predictions."""

import inspect
import warnings

import numpy as np
import pytest
from conftest import ALL_LOSSES, accepts, lgb_eval

import boostobj
from boostobj.adapters import as_stored
from boostobj.adapters._versions import xgb_probability_start_range

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")

BINARY = [lo for lo in ALL_LOSSES if lo.link.name == "logit"]
REGRESSION = [lo for lo in ALL_LOSSES if lo.link.name == "identity"]
SINGLE = BINARY + REGRESSION
LGB_PARAMS = {"num_leaves": 7, "min_data_in_leaf": 5, "verbose": -1, "deterministic": True,
              "force_col_wise": True, "num_threads": 1}
XGB_PARAMS = {"max_depth": 3, "nthread": 1}


def _data(loss, n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    X[rng.random((n, 5)) < 0.05] = np.nan
    signal = X[:, 0] - 0.5 * np.nan_to_num(X[:, 1]) ** 2
    if loss.link.name == "logit":
        y = (rng.random(n) < 1 / (1 + np.exp(-2 * np.nan_to_num(signal)))).astype(float)
    elif not accepts(loss, -2.0):  # labels bounded below (squared log error): positive amounts
        y = rng.gamma(2.0, np.exp(0.5 * np.nan_to_num(signal)))
    else:
        y = 3 * np.nan_to_num(signal) + rng.standard_t(2, n)
    w = rng.uniform(0.2, 3.0, n)
    return X, y, w


def test_signatures_fit_both_sklearn_wrappers():
    params = inspect.signature(boostobj.FocalLoss()).parameters
    assert len(params) == 3  # LightGBM's wrapper passes (y_true, y_pred, weight) by count
    assert "sample_weight" in params  # XGBoost's wrapper passes weights only to this name
    metric = boostobj.FocalLoss().metric
    assert len(inspect.signature(metric).parameters) == 3 and metric.__name__ == "focal_loss"


@pytest.mark.parametrize("loss", SINGLE, ids=repr)
def test_native_calls_match_the_math(loss):
    X, y, w = _data(loss, 100)
    z = np.random.default_rng(1).normal(size=100)
    want = loss.gradient_hessian(y, z, w)
    want = (want[0], np.maximum(want[1], boostobj.HESSIAN_FLOOR * w))
    d = xgb.DMatrix(X, y, weight=w)
    got = loss(z.astype(np.float32), d)
    floor = boostobj.HESSIAN_FLOOR * np.float32(w)  # exact non-convex hessians can be < 0
    ref = loss.gradient_hessian(np.float32(y), z.astype(np.float32), np.float32(w))
    ref = (ref[0], np.maximum(ref[1], floor))
    for a, b in zip(got, ref):
        assert a.shape == (100,)
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-12)
    ds = lgb.Dataset(X, y, weight=w, free_raw_data=False).construct()
    got = loss(z, ds)
    ref = loss.gradient_hessian(np.float32(y), z, np.float32(w))
    ref = (ref[0], np.maximum(ref[1], floor))
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-12)
    # the sklearn calls
    for a, b in zip(loss(y, z, w), want):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-12)


def _changed(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b))) > 1e-6


@pytest.mark.parametrize("loss", SINGLE, ids=repr)
def test_xgboost_native_trains_with_weights_and_start(loss):
    X, y, w = _data(loss)
    d = xgb.DMatrix(X, y, weight=w)
    d0 = xgb.DMatrix(X, y)
    params = {**XGB_PARAMS, **boostobj.xgboost_params(loss, y, w)}
    res = {}
    bst = xgb.train(params, d, 10, obj=loss, custom_metric=loss.metric, evals=[(d, "train")],
                    evals_result=res, verbose_eval=False)
    bst0 = xgb.train({**XGB_PARAMS, **boostobj.xgboost_params(loss, y)}, d0, 10, obj=loss)
    assert _changed(bst.predict(d), bst0.predict(d0))  # weights change the model
    metric = res["train"][loss.metric.__name__]
    assert metric[-1] < metric[0]
    # the metric is the weighted mean loss on margins
    margin = bst.predict(d, output_margin=True)
    assert metric[-1] == pytest.approx(loss.mean_loss(y, margin, w), rel=1e-5)
    # predictions are on the response scale
    np.testing.assert_allclose(bst.predict(d), loss.link.inverse(margin), rtol=2e-6, atol=1e-7)
    # the start is init_score (one round with eta 0 predicts it everywhere)
    b1 = xgb.train({**params, "eta": 0.0}, d, 1, obj=loss)
    np.testing.assert_allclose(b1.predict(d, output_margin=True), loss.init_score(y, w), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("loss", SINGLE, ids=repr)
def test_lightgbm_native_trains_with_weights_and_start(loss):
    X, y, w = _data(loss)
    init = loss.init_score(y, w)
    ds = lgb.Dataset(X, y, weight=w, init_score=loss.init_raw_prediction(y, w))
    res = {}
    bst = lgb.train({**LGB_PARAMS, "objective": loss, "metric": "None"}, ds, 10, valid_sets=[ds],
                    valid_names=["train"], feval=loss.metric, callbacks=[lgb.record_evaluation(res)])
    raw = bst.predict(X) + init
    metric = res["train"][loss.metric.__name__]
    assert metric[-1] < metric[0]
    assert metric[-1] == pytest.approx(loss.mean_loss(y, raw, w), rel=1e-6)  # float32 weights
    boostobj.fold_init_score(bst, init)
    np.testing.assert_allclose(bst.predict(X), raw, rtol=1e-12, atol=1e-12)
    ds0 = lgb.Dataset(X, y, init_score=loss.init_raw_prediction(y))
    bst0 = lgb.train({**LGB_PARAMS, "objective": loss}, ds0, 10)
    assert _changed(bst0.predict(X) + loss.init_score(y), raw)


@pytest.mark.parametrize("loss", BINARY, ids=repr)
def test_classifiers_give_probabilities_and_use_weights(loss):
    X, y, w = _data(loss)
    for est in (boostobj.XGBClassifier(objective=loss, n_estimators=10, **XGB_PARAMS),
                boostobj.LGBMClassifier(objective=loss, n_estimators=10, **LGB_PARAMS)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            est.fit(X, y, sample_weight=w)
            p = est.predict_proba(X)
        assert p.shape == (len(y), 2)
        np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
        assert np.all((p >= 0) & (p <= 1))
        np.testing.assert_array_equal(est.predict(X), est.classes_[np.argmax(p, axis=1)])
        unweighted = type(est)(**est.get_params()).fit(X, y)
        assert _changed(unweighted.predict_proba(X), p)


def test_lgbm_classifier_string_labels_and_probabilities_match_native():
    loss = boostobj.FocalLoss(gamma=1.0)
    X, y, w = _data(loss)
    labels = np.where(y > 0, "yes", "no")
    est = boostobj.LGBMClassifier(objective=loss, n_estimators=10, **LGB_PARAMS).fit(X, labels, sample_weight=w)
    assert list(est.classes_) == ["no", "yes"]
    init = loss.init_score(*as_stored(y, w))  # from the float32 labels/weights LightGBM holds
    assert est.init_score_ == init
    ds = lgb.Dataset(X, y, weight=w, init_score=np.full(len(y), init))
    bst = lgb.train({**LGB_PARAMS, "objective": loss}, ds, 10)
    p = loss.link.inverse(bst.predict(X) + init)
    np.testing.assert_allclose(est.predict_proba(X)[:, 1], p, rtol=1e-12, atol=1e-15)
    assert set(est.predict(X)) <= {"no", "yes"}


def test_lgbm_classifier_metric_defaults_and_early_stopping():
    loss = boostobj.BinaryLogLoss()
    X, y, _w = _data(loss, 400)
    est = boostobj.LGBMClassifier(objective=loss, n_estimators=200, learning_rate=0.3, **LGB_PARAMS)
    est.fit(X[:300], y[:300], **lgb_eval([X[300:]], [y[300:]]),
            callbacks=[lgb.early_stopping(5, verbose=False)])
    hist = est.evals_result_["valid_0"]
    assert list(hist) == ["log_loss"]  # no built-in metric computed on raw scores
    assert est.best_iteration_ == int(np.argmin(hist["log_loss"])) + 1


@pytest.mark.parametrize("loss", REGRESSION, ids=repr)
def test_regressors_use_weights_and_start(loss):
    X, y, w = _data(loss)
    for cls in (boostobj.XGBRegressor, boostobj.LGBMRegressor):
        params = XGB_PARAMS if cls is boostobj.XGBRegressor else LGB_PARAMS
        est = cls(objective=loss, n_estimators=10, **params).fit(X, y, sample_weight=w)
        assert est.get_params()["objective"] is loss
        unweighted = cls(objective=loss, n_estimators=10, **params).fit(X, y)
        assert _changed(est.predict(X), unweighted.predict(X))
        # a model with one tree whose leaves are all 0 predicts the starting score everywhere
        first = cls(objective=loss, n_estimators=1, learning_rate=1e-9, **params).fit(X, y, sample_weight=w)
        np.testing.assert_allclose(first.predict(X), loss.init_score(y, w), rtol=1e-6, atol=1e-6)
    assert boostobj.XGBRegressor(objective=loss).get_params()["base_score"] is None


def test_plain_library_estimators_also_honour_weights():
    loss = boostobj.LogCoshLoss()
    X, y, w = _data(loss)
    a = lgb.LGBMRegressor(objective=loss, n_estimators=5, **LGB_PARAMS).fit(X, y, sample_weight=w)
    b = lgb.LGBMRegressor(objective=loss, n_estimators=5, **LGB_PARAMS).fit(X, y)
    assert _changed(a.predict(X), b.predict(X))
    with warnings.catch_warnings():
        # XGBoost's estimators hand the loss's own hyperparameters (objective__hessian, from
        # scikit-learn's deep get_params) to the booster, which says it does not use them
        warnings.filterwarnings("ignore", "(?s).*objective__hessian.*not used", UserWarning)
        a = xgb.XGBRegressor(objective=loss, n_estimators=5, **XGB_PARAMS).fit(X, y, sample_weight=w)
        b = xgb.XGBRegressor(objective=loss, n_estimators=5, **XGB_PARAMS).fit(X, y)
    assert _changed(a.predict(X), b.predict(X))


def test_sklearn_metric_forms():
    loss = boostobj.BinaryLogLoss()
    y = np.array([0.0, 1.0, 1.0])
    z = np.array([-1.0, 2.0, 0.5])
    # the scikit-learn signature returns a float whatever the dtype; bound to LightGBM, a triple
    assert loss.metric(y, z.astype(np.float32)) == pytest.approx(loss.mean_loss(y, z), rel=1e-6)
    assert loss.metric(y, z, None) == loss.mean_loss(y, z)
    name, value, higher = boostobj.Metric(loss, "lightgbm")(y, z, None)
    assert (name, higher) == ("log_loss", False) and value == loss.mean_loss(y, z)


@pytest.mark.parametrize("entry", ["xgb", "lgb", "xgb_skl", "lgb_skl"])
def test_bad_labels_fail_before_training(entry):
    loss = boostobj.LogCoshLoss()
    X, y, _ = _data(loss, 50)
    y = y.copy()
    y[3] = np.inf
    with pytest.raises(ValueError, match="NaN or inf|NaN, infinity|how LightGBM stores inf"):
        if entry == "xgb":  # XGBoost's DMatrix refuses it itself
            xgb.train(XGB_PARAMS, xgb.DMatrix(X, y), 3, obj=loss)
        elif entry == "lgb":
            lgb.train({**LGB_PARAMS, "objective": loss}, lgb.Dataset(X, y), 3)
        elif entry == "xgb_skl":
            boostobj.XGBRegressor(objective=loss, n_estimators=3).fit(X, y)
        else:
            boostobj.LGBMRegressor(objective=loss, n_estimators=3, **LGB_PARAMS).fit(X, y)


def test_binary_labels_checked_in_every_entry_point():
    loss = boostobj.BinaryLogLoss()
    X, y, _ = _data(loss, 50)
    y3 = y.copy()
    y3[3] = 2.0
    with pytest.raises(ValueError, match="binary labels must be 0 or 1"):
        xgb.train(XGB_PARAMS, xgb.DMatrix(X, y3), 3, obj=loss)
    with pytest.raises(ValueError, match="binary labels must be 0 or 1"):
        lgb.train({**LGB_PARAMS, "objective": loss}, lgb.Dataset(X, y3), 3)
    with pytest.raises(ValueError, match=r"binary objective but y has 3 distinct value\(s\)"):
        boostobj.LGBMClassifier(objective=loss, n_estimators=3, **LGB_PARAMS).fit(X, y3)
    with pytest.raises(ValueError, match=r"binary objective but y has 3 distinct value\(s\)"):
        boostobj.XGBClassifier(objective=loss, n_estimators=3).fit(X, y3)
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):
        boostobj.XGBClassifier(objective=loss, n_estimators=3).fit(X, y, sample_weight=-np.ones(50))


def test_bad_weights_and_shapes_fail_clearly():
    loss = boostobj.LogCoshLoss()
    X, y, w = _data(loss, 50)
    w[0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        boostobj.LGBMRegressor(objective=loss, n_estimators=3, **LGB_PARAMS).fit(X, y, sample_weight=w)
    with pytest.raises(ValueError, match="single-output"):
        xgb.train({**XGB_PARAMS, "num_class": 3, "objective": "multi:softprob"},
                  xgb.DMatrix(X, np.zeros(50)), 2, obj=loss)


def test_labels_are_revalidated_when_they_change():
    loss = boostobj.BinaryLogLoss()
    X, y, _ = _data(loss, 50)
    d = xgb.DMatrix(X, y)
    xgb.train(XGB_PARAMS, d, 2, obj=loss)
    d.set_label(np.full(50, 3.0))
    with pytest.raises(ValueError, match="binary labels"):
        xgb.train(XGB_PARAMS, d, 2, obj=loss)


def test_xgboost_start_beyond_its_base_score_range_warns_and_base_margin_starts_exactly():
    X = np.random.default_rng(0).random((200, 3))
    y = (np.arange(200) == 0).astype(float)
    w = np.where(y > 0, 1e-5, 1.0)  # weighted positive rate 5e-8: both classes, a finite best start
    loss = boostobj.BinaryLogLoss()
    init = loss.init_score(y, w)
    assert init < np.log(1e-6)
    lo, _hi = xgb_probability_start_range()
    d = xgb.DMatrix(X, y, weight=w)
    if lo == pytest.approx(1e-6):  # XGBoost >= 3.2 clamps base_score to [1e-6, 1 - 1e-6]
        with pytest.warns(boostobj.StartClampedWarning, match="base_margin"):
            params = boostobj.xgboost_params(loss, y, w)
        flat = {**XGB_PARAMS, **params, "eta": 0.0}
        start = xgb.train(flat, d, 1, obj=loss).predict(xgb.DMatrix(X[:1]), output_margin=True)[0]
        assert start == pytest.approx(np.log(1e-6), abs=1e-4)  # XGBoost's clamp, as warned
    else:  # older XGBoost starts exactly from any probability float32 holds: no warning
        assert lo < 1e-30
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            params = boostobj.xgboost_params(loss, y, w)
        flat = {**XGB_PARAMS, **params, "eta": 0.0}
        start = xgb.train(flat, d, 1, obj=loss).predict(xgb.DMatrix(X[:1]), output_margin=True)[0]
        assert start == pytest.approx(init, abs=1e-4)
    # the way the warning gives: base_margin on every DMatrix
    d = xgb.DMatrix(X, y, weight=w, base_margin=np.full(200, init))
    flat = {**XGB_PARAMS, "objective": "binary:logistic", "eta": 0.0}
    b = xgb.train(flat, d, 1, obj=loss)
    got = b.predict(xgb.DMatrix(X[:1], base_margin=np.full(1, init)), output_margin=True)[0]
    assert got == pytest.approx(init, abs=1e-5)
    # no warning where the start is in range, or for one class only (no finite best start)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        boostobj.xgboost_params(loss, np.r_[np.zeros(100), np.ones(2)])
        for one_class in (np.zeros(100), np.ones(100)):
            params = boostobj.xgboost_params(loss, one_class)
            # a base_score this XGBoost accepts (2.1 refuses one that rounds to 1 in float32)
            xgb.train({**XGB_PARAMS, **params}, xgb.DMatrix(X[:100], one_class), 1, obj=loss)


@pytest.mark.parametrize("make", [
    lambda loss: boostobj.XGBClassifier(objective=loss, n_estimators=2, **XGB_PARAMS),
    lambda loss: boostobj.LGBMClassifier(objective=loss, n_estimators=2, **LGB_PARAMS),
], ids=["xgboost", "lightgbm"])
@pytest.mark.parametrize(("loss", "y_last", "match"), [
    (boostobj.FocalLoss(), np.nan, "NaN or inf"),
    (boostobj.FocalLoss(), np.inf, "NaN or inf"),
    (boostobj.FocalLoss(), 0.3, "not probabilities"),
    (boostobj.BinaryLogLoss(), 2.0, "SoftmaxLoss"),
    (boostobj.SoftmaxLoss(), 1.0, "two classes.*BinaryLogLoss"),
])
def test_classifiers_name_the_real_problem_with_the_labels(make, loss, y_last, match):
    X = np.random.default_rng(0).random((60, 3))
    y = np.r_[np.zeros(30), np.ones(29), y_last]
    with pytest.raises(ValueError, match=match):
        make(loss).fit(X, y)


@pytest.mark.parametrize("extra", [{"scale_pos_weight": 5}, {"is_unbalance": True},
                                   {"is_unbalance": "true"}, {"scale_pos_weight": "2"},
                                   {"unbalance": True}, {"metric": "binary_logloss"},
                                   {"metric": ["auc", "binary_error"]}, {"metrics": "xentropy"}])
def test_lightgbm_params_a_custom_objective_would_ignore_are_refused(extra):
    loss = boostobj.FocalLoss()
    X, y, _ = _data(loss, 80)
    with pytest.raises(ValueError, match="sample weights|raw scores"):
        lgb.train({**LGB_PARAMS, "objective": loss, **extra}, lgb.Dataset(X, y), 2)
    with pytest.raises(ValueError, match="sample weights|raw scores"):
        boostobj.LGBMClassifier(objective=loss, n_estimators=2, **LGB_PARAMS, **extra).fit(X, y)
    # neutral values and rank metrics pass
    lgb.train({**LGB_PARAMS, "objective": loss, "scale_pos_weight": 1.0, "is_unbalance": False,
               "metric": "auc"}, lgb.Dataset(X, y), 2)
    lgb.train({**LGB_PARAMS, "objective": loss, "scale_pos_weight": "1.0", "unbalance": "false",
               "metric": "auc,None"}, lgb.Dataset(X, y), 2)


def test_xgboost_classifier_refuses_scale_pos_weight_and_weights_do_the_same():
    loss = boostobj.BinaryLogLoss()
    X, y, _ = _data(loss, 80)
    with pytest.raises(ValueError, match="sample_weight=np.where"):
        boostobj.XGBClassifier(objective=loss, n_estimators=2, scale_pos_weight=5.0).fit(X, y)
    # the recipe reproduces the built-in's scale_pos_weight (same start on both sides)
    w = np.where(y == 1, 5.0, 1.0)
    start = loss.init_score(y, w)
    base = 1.0 / (1.0 + np.exp(-start))
    ours = boostobj.XGBClassifier(objective=loss, n_estimators=5, **XGB_PARAMS).fit(X, y, sample_weight=w)
    theirs = xgb.XGBClassifier(n_estimators=5, scale_pos_weight=5.0, base_score=base,
                               **XGB_PARAMS).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=2e-6)


def test_lightgbm_validation_set_without_the_training_start_is_refused():
    loss = boostobj.BinaryLogLoss()
    X, y, _ = _data(loss, 80)
    init = loss.init_score(y)
    dtrain = lgb.Dataset(X, y, init_score=loss.init_raw_prediction(y))
    params = {**LGB_PARAMS, "objective": loss, "metric": "None"}
    with pytest.raises(ValueError, match="no init_score but its reference"):
        lgb.train(params, dtrain, 2, valid_sets=[lgb.Dataset(X, y, reference=dtrain)],
                  feval=loss.metric)
    log = {}
    dvalid = lgb.Dataset(X, y, reference=dtrain, init_score=np.full(len(y), init))
    booster = lgb.train(params, dtrain, 3, valid_sets=[dvalid], valid_names=["v"],
                        feval=loss.metric, callbacks=[lgb.record_evaluation(log)])
    boostobj.fold_init_score(booster, init)
    assert log["v"][loss.metric.__name__][-1] == pytest.approx(loss.mean_loss(y, booster.predict(X)), rel=1e-6)


def test_fold_init_score_twice_is_refused():
    loss = boostobj.LogCoshLoss()
    X, y, _ = _data(loss, 80)
    init = loss.init_score(y)
    booster = lgb.train({**LGB_PARAMS, "objective": loss},
                        lgb.Dataset(X, y, init_score=loss.init_raw_prediction(y)), 3)
    once = boostobj.fold_init_score(booster, init).predict(X)
    with pytest.raises(ValueError, match="already folded"):
        boostobj.fold_init_score(booster, init)
    np.testing.assert_array_equal(booster.predict(X), once)  # unchanged by the refused call


def test_lightgbm_estimators_refuse_probability_eval_metrics_and_a_start_without_eval_start():
    loss = boostobj.BinaryLogLoss()
    X, y, _ = _data(loss, 80)
    est = boostobj.LGBMClassifier(objective=loss, n_estimators=2, **LGB_PARAMS)
    with pytest.raises(ValueError, match="raw scores"):
        est.fit(X, y, **lgb_eval([X], [y]), eval_metric=["auc", "binary_logloss"])
    with pytest.raises(ValueError, match="eval_init_score"):
        est.fit(X, y, init_score=np.full(80, 0.3), **lgb_eval([X], [y]))
    est.fit(X, y, init_score=np.full(80, 0.3), **lgb_eval([X], [y]),
            eval_init_score=[np.full(80, 0.3)], eval_metric=["auc", loss.metric])


def test_scale_pos_weight_only_refused_for_binary_losses_in_xgboost_estimators():
    loss = boostobj.PseudoHuberLoss()
    X, y, _ = _data(loss, 80)
    boostobj.XGBRegressor(objective=loss, n_estimators=2, scale_pos_weight=3.0).fit(X, y)
    b = boostobj.BinaryLogLoss()
    X, y, _ = _data(b, 80)
    boostobj.XGBClassifier(objective=b, n_estimators=2, scale_pos_weight="1").fit(X, y)


def test_one_class_for_a_multiclass_loss_is_named():
    X = np.random.default_rng(0).random((60, 3))
    with pytest.raises(ValueError, match="one class only"):
        boostobj.LGBMClassifier(objective=boostobj.SoftmaxLoss(), n_estimators=2,
                                **LGB_PARAMS).fit(X, np.ones(60))


def test_lgb_cv_validates_each_folds_labels_once(monkeypatch):
    # one loss object serves every fold, round by round: the cache keeps several training sets
    loss = boostobj.FocalLoss()
    X, y, _ = _data(loss, 300)
    calls = []
    check = type(loss).check_labels
    monkeypatch.setattr(type(loss), "check_labels", lambda self, raw: calls.append(1) or check(self, raw))
    data = lgb.Dataset(X, y, init_score=loss.init_raw_prediction(y))
    calls.clear()
    lgb.cv({**LGB_PARAMS, "objective": loss, "metric": "auc"}, data, num_boost_round=4, nfold=3,
           stratified=False)
    assert len(calls) == 3  # once per training fold, not once per fold and round


def test_loss_metric_under_a_lightgbm_builtin_objective_reads_its_probabilities():
    # LightGBM hands a feval transformed predictions under a built-in objective (lightgbm 4.7)
    rng = np.random.default_rng(0)
    X = rng.random((300, 3))
    y = (X[:, 0] + 0.3 * rng.random(300) > 0.6).astype(float)
    y3 = rng.integers(0, 3, 300).astype(float)
    for objective, labels, loss, builtin_metric, extra in (
            ("binary", y, boostobj.BinaryLogLoss(), "binary_logloss", {}),
            ("multiclass", y3, boostobj.SoftmaxLoss(), "multi_logloss", {"num_class": 3})):
        log = {}
        lgb.train({**LGB_PARAMS, "objective": objective, "metric": builtin_metric, **extra},
                  lgb.Dataset(X, labels), 4, valid_sets=[lgb.Dataset(X, labels)], valid_names=["v"],
                  feval=loss.metric, callbacks=[lgb.record_evaluation(log)])
        assert log["v"][loss.metric.__name__][-1] == pytest.approx(log["v"][builtin_metric][-1], rel=1e-9)
    with pytest.raises(ValueError, match="on its own scale"):
        lgb.train({**LGB_PARAMS, "objective": "regression"}, lgb.Dataset(X, y), 2,
                  valid_sets=[lgb.Dataset(X, y)], feval=boostobj.BinaryLogLoss().metric)
