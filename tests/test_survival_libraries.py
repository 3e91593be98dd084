"""The survival losses in each library and entry point: what trains (and gives the numbers of
the loss's own math), what is refused before training and with which way out. The math itself
is tests/test_survival.py; the life-cycle and parity suites walk both losses through the
registry."""

import numpy as np
import pytest
from conftest import lgb_eval

import boostobj
from boostobj import AFTLoss, CoxPHLoss, FitObjective, Metric
from boostobj.keyed import KeyedLabels
from boostobj.metrics import Concordance

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    t = rng.exponential(np.exp(-(X[:, 0] - 0.5 * X[:, 1])))
    c = rng.exponential(2.0, n)
    time, event = np.minimum(t, c) + 0.01, (t <= c).astype(np.float64)
    return X, np.column_stack([time, event]), rng.uniform(0.5, 2.0, n)


def _bounds(y):
    return boostobj.losses.survival.event_bounds(y)


# ------------------------------------------------------------------ the dispatcher
def test_cox_weights_go_inside_the_risk_sums_in_every_entry_point():
    """xgb.train(obj=loss), lgb.train({"objective": loss}) and the scikit-learn signature hand
    the library the weighted partial likelihood's gradient (weights inside), not the unweighted
    one times the weight; the hessian floor is weighted too."""
    X, y, w = _data()
    loss = CoxPHLoss()
    signed = loss.stored_labels(y)
    z = np.random.default_rng(1).normal(size=y.shape[0])
    y32 = loss.check_labels(signed.astype(np.float32))
    w32 = w.astype(np.float32).astype(np.float64)
    g_want, h_want = loss.gradient_hessian(y32, z, w32)
    unweighted = loss.gradient_hessian(y32, z)[0] * w32
    assert np.max(np.abs(g_want - unweighted)) > 0.01  # the two differ
    for call in (lambda: loss(z.astype(np.float32), xgb.DMatrix(X, signed, weight=w)),
                 lambda: loss(z, lgb.Dataset(X, signed, weight=w,
                                             params={"verbose": -1}).construct()),
                 lambda: loss(signed.astype(np.float32), z, w32)):
        g, h = call()
        np.testing.assert_allclose(g, g_want, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(h, np.maximum(h_want, boostobj.HESSIAN_FLOOR * w32),
                                   rtol=1e-5, atol=1e-7)


def test_cox_is_refused_in_distributed_training(monkeypatch):
    from boostobj.adapters import xgboost as xgb_adapter

    X, y, _ = _data(50)
    loss = CoxPHLoss()
    monkeypatch.setattr(xgb_adapter.ADAPTER, "distributed", lambda data=None: True)
    with pytest.raises(ValueError, match="couples the rows.*distributed.*one process"):
        loss(np.zeros(50, np.float32), xgb.DMatrix(X, loss.stored_labels(y)))


def test_two_output_models_get_a_survival_hint():
    _, y, _ = _data(40)
    with pytest.raises(ValueError, match="one output per label column.*signed times"):
        CoxPHLoss()(y, np.zeros((40, 2)))


# ------------------------------------------------------------------ XGBoost
def test_xgboost_native_aft_reads_the_label_bounds():
    X, y, w = _data()
    loss = AFTLoss(distribution="logistic", scale=0.8)
    bounds = _bounds(y)
    d = xgb.DMatrix(X, weight=w, label_lower_bound=bounds[:, 0], label_upper_bound=bounds[:, 1])
    params = boostobj.xgboost_params(loss, bounds, w)
    assert params["objective"] == "survival:aft"
    assert params["aft_loss_distribution"] == "logistic"
    assert params["aft_loss_distribution_scale"] == 0.8
    stored = bounds.astype(np.float32).astype(np.float64)  # as XGBoost holds them
    w32 = w.astype(np.float32).astype(np.float64)
    assert params["base_score"] == pytest.approx(np.exp(loss.init_score(stored, w32)), rel=1e-12)
    history = {}
    booster = xgb.train({**params, "max_depth": 2, "nthread": 1}, d, 5, obj=loss,
                        evals=[(d, "train")], custom_metric=loss.metric, evals_result=history,
                        verbose_eval=False)
    margins = booster.predict(d, output_margin=True)
    np.testing.assert_allclose(booster.predict(d), np.exp(margins), rtol=1e-6)  # times
    reported = history["train"]["aft[distribution=logistic,scale=0.8]"][-1]
    assert reported == pytest.approx(loss.mean_loss(stored, margins, w32), rel=1e-6)
    g, _ = loss(margins, d)
    np.testing.assert_allclose(g, loss.gradient_hessian(stored, margins, w32)[0], rtol=1e-6,
                               atol=1e-7)


def test_xgboost_aft_without_bounds_is_refused_naming_them():
    X, y, _ = _data(40)
    with pytest.raises(ValueError, match="no label bounds.*label_lower_bound=lower"):
        xgb.train({"max_depth": 2}, xgb.DMatrix(X, y[:, 0]), 1, obj=AFTLoss())


def test_xgboost_native_cox_predicts_relative_risk_and_concordance_is_maximised():
    X, y, _ = _data()
    loss = CoxPHLoss(ties="efron")  # not the twin, still configured as survival:cox
    signed = loss.stored_labels(y)
    params = boostobj.xgboost_params(loss, signed)
    assert params == {"objective": "survival:cox", "base_score": 1.0}
    d = xgb.DMatrix(X, signed)
    history = {}
    booster = xgb.train({**params, "max_depth": 2, "nthread": 1}, d, 30, obj=loss,
                        evals=[(d, "train")], custom_metric=Concordance(loss),
                        evals_result=history, verbose_eval=False, maximize=True,
                        early_stopping_rounds=5)
    margins = booster.predict(d, output_margin=True)
    np.testing.assert_allclose(booster.predict(d), np.exp(margins), rtol=1e-6)
    c = history["train"]["concordance"]
    assert c[-1] == pytest.approx(loss.concordance(y, margins), rel=1e-6) and c[-1] > c[0] > 0.5


def test_xgboost_estimator_cox_forms_agree_and_score_is_harrells_c():
    X, y, w = _data()
    loss = CoxPHLoss()
    kw = {"objective": loss, "n_estimators": 10, "max_depth": 2, "n_jobs": 1}
    a = boostobj.XGBRegressor(**kw).fit(X, y, sample_weight=w)
    b = boostobj.XGBRegressor(**kw).fit(X, loss.stored_labels(y), sample_weight=w)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert a.score(X, y) == pytest.approx(loss.concordance(y, np.log(a.predict(X))), rel=1e-12)
    assert 0.5 < a.score(X, y) <= 1.0
    # the estimator trains the weighted partial likelihood: its first tree is the one xgb.train
    # grows from loss.gradient_hessian(y, 0, w)
    one = boostobj.XGBRegressor(**{**kw, "n_estimators": 1}).fit(X, y, sample_weight=w)
    d = xgb.DMatrix(X, loss.stored_labels(y), weight=w)
    ref = xgb.train({"max_depth": 2, "nthread": 1, "base_score": 1.0,
                     "objective": "survival:cox"}, d, 1,
                    obj=lambda p, dd: loss.gradient_hessian(y, p, w))
    np.testing.assert_allclose(one.predict(X), ref.predict(xgb.DMatrix(X)), rtol=1e-6)


def test_xgboost_estimator_aft_keeps_the_bounds_by_row_key():
    X, y, w = _data()
    bounds = _bounds(y)
    loss = AFTLoss()
    est = boostobj.XGBRegressor(objective=loss, n_estimators=40, max_depth=2, n_jobs=1,
                                early_stopping_rounds=3, eval_metric=Concordance(loss))
    est.fit(X[:200], bounds[:200], sample_weight=w[:200], eval_set=[(X[200:], bounds[200:])],
            verbose=False)
    history = est.evals_result()["validation_0"]["concordance"]
    assert est.best_iteration == int(np.argmax(history))  # maximised, not minimised
    times = est.predict(X[200:])
    assert history[est.best_iteration] == pytest.approx(
        loss.concordance(bounds[200:], np.log(est.predict(X[200:], iteration_range=(
            0, est.best_iteration + 1)))), rel=1e-6)
    assert np.all(times > 0) and est.score(X[200:], bounds[200:]) > 0.6
    default = boostobj.XGBRegressor(objective=loss, n_estimators=3, max_depth=2).fit(
        X, bounds, eval_set=[(X, bounds)], verbose=False)
    assert list(default.evals_result()["validation_0"]) == ["aft"]  # loss.metric by default
    with pytest.raises(ValueError, match="XGBoost's metrics read the DMatrix labels.*row keys"):
        boostobj.XGBRegressor(objective=loss, n_estimators=2, eval_metric="aft-nloglik").fit(
            X, bounds, eval_set=[(X, bounds)])


def test_xgboost_estimator_refuses_bad_survival_labels_before_training():
    X, y, _ = _data(40)
    with pytest.raises(ValueError, match="upper bounds must be > 0"):
        boostobj.XGBRegressor(objective=AFTLoss()).fit(X, np.column_stack([y[:, 0], -y[:, 0]]))
    with pytest.raises(ValueError, match="event must be 1 .* or 0"):
        boostobj.XGBRegressor(objective=CoxPHLoss()).fit(X, np.column_stack([y[:, 0],
                                                                              2 * y[:, 1]]))
    with pytest.raises(ValueError, match="survival loss, but XGBClassifier is a classifier"):
        boostobj.XGBClassifier(objective=CoxPHLoss()).fit(X, y[:, 1])


# ------------------------------------------------------------------ LightGBM
def test_lightgbm_native_cox_and_its_metrics():
    X, y, w = _data()
    loss = CoxPHLoss()
    signed = loss.stored_labels(y)
    d = lgb.Dataset(X, signed, weight=w)
    history = {}
    booster = lgb.train({"objective": loss, "metric": "None", "num_leaves": 4, "verbose": -1,
                         "num_threads": 1}, d, 10, valid_sets=[d], valid_names=["train"],
                        feval=[Metric(loss, "lightgbm"), Concordance(loss, "lightgbm")],
                        callbacks=[lgb.record_evaluation(history)])
    margins = booster.predict(X, raw_score=True)
    y32 = loss.check_labels(signed.astype(np.float32))
    w32 = w.astype(np.float32).astype(np.float64)
    assert history["train"]["coxph"][-1] == pytest.approx(loss.mean_loss(y32, margins, w32),
                                                          rel=1e-10)
    assert history["train"]["concordance"][-1] == pytest.approx(
        loss.concordance(y32, margins, w32), rel=1e-12)
    assert Concordance(loss, "lightgbm")(margins, d)[2] is True  # is_higher_better
    with pytest.raises(ValueError, match="LightGBM has no survival metric.*'auc'"):
        lgb.train({"objective": loss, "metric": "auc", "verbose": -1}, lgb.Dataset(X, signed), 1)


def test_lightgbm_native_aft_is_refused_and_works_by_row_key():
    X, y, _ = _data()
    bounds = _bounds(y)
    loss = AFTLoss()
    with pytest.raises(ValueError, match="Dataset holds one label per row.*LGBMRegressor"):
        lgb.train({"objective": loss, "verbose": -1}, lgb.Dataset(X, bounds[:, 0]), 1)
    keys = KeyedLabels()
    train, valid = keys.add(bounds[:200]), keys.add(bounds[200:])
    start = loss.init_score(bounds[:200])
    dtrain = lgb.Dataset(X[:200], train, init_score=np.full(200, start))
    dvalid = lgb.Dataset(X[200:], valid, init_score=np.full(100, start), reference=dtrain)
    history = {}
    booster = lgb.train({"objective": FitObjective(loss, "lightgbm", keys=keys), "metric": "None",
                         "num_leaves": 4, "verbose": -1, "num_threads": 1}, dtrain, 10,
                        valid_sets=[dvalid], valid_names=["valid"],
                        feval=Metric(loss, "lightgbm", keys=keys),
                        callbacks=[lgb.record_evaluation(history)])
    margins = booster.predict(X[200:], raw_score=True) + start
    assert history["valid"]["aft"][-1] == pytest.approx(loss.mean_loss(bounds[200:], margins),
                                                        rel=1e-10)


def test_lightgbm_estimator_survival():
    X, y, w = _data()
    bounds = _bounds(y)
    cox = boostobj.LGBMRegressor(objective=CoxPHLoss(), n_estimators=10, num_leaves=4,
                                 verbose=-1, n_jobs=1)
    cox.fit(X, y, sample_weight=w)
    signed = boostobj.LGBMRegressor(objective=CoxPHLoss(), n_estimators=10, num_leaves=4,
                                    verbose=-1, n_jobs=1).fit(X, CoxPHLoss().stored_labels(y),
                                                              sample_weight=w)
    np.testing.assert_array_equal(cox.predict(X), signed.predict(X))
    assert cox.init_score_ == 0.0 and 0.5 < cox.score(X, y) <= 1.0
    aft = boostobj.LGBMRegressor(objective=AFTLoss(), n_estimators=30, num_leaves=4, verbose=-1,
                                 n_jobs=1)
    aft.fit(X[:200], bounds[:200], **lgb_eval([X[200:]], [bounds[200:]]),
            eval_metric=[AFTLoss().metric, Concordance(AFTLoss())],
            callbacks=[lgb.early_stopping(3, first_metric_only=False, verbose=False)])
    history = aft.evals_result_["valid_0"]
    assert set(history) == {"aft", "concordance"}
    best = aft.best_iteration_  # the model LightGBM keeps after early stopping
    assert history["aft"][best - 1] == pytest.approx(
        AFTLoss().mean_loss(bounds[200:].astype(np.float32).astype(np.float64),
                            np.log(aft.predict(X[200:]))), rel=1e-10)
    assert aft.init_score_ == pytest.approx(AFTLoss().init_score(
        bounds[:200].astype(np.float32).astype(np.float64)), rel=1e-12)
    with pytest.raises(ValueError, match="LightGBM holds row keys as the labels"):
        boostobj.LGBMRegressor(objective=AFTLoss(), n_estimators=2, verbose=-1).fit(
            X, bounds, **lgb_eval([X], [bounds]), eval_metric=lambda yt, yp: ("x", 0.0, False))


# ------------------------------------------------------------------ CatBoost
@pytest.mark.parametrize(("loss", "builtin"), [(CoxPHLoss(), "'Cox'"),
                                               (AFTLoss(), "'SurvivalAft:dist=Normal;scale=1.0'")],
                         ids=["cox", "aft"])
def test_catboost_refuses_survival_losses_naming_its_own(loss, builtin):
    cb = pytest.importorskip("catboost")
    X, y, _ = _data(60)
    labels = _bounds(y) if loss.label_columns == 2 else y
    with pytest.raises(NotImplementedError, match=f"loss_function={builtin}"):
        boostobj.CatBoostRegressor(loss_function=loss, iterations=2).fit(X, labels)
    with pytest.raises(cb.CatBoostError, match=f"loss_function={builtin}"):  # the native API
        cb.CatBoost({"loss_function": loss, "eval_metric": "RMSE", "iterations": 2,
                     "verbose": False, "allow_writing_files": False}).fit(X, y[:, 0])
    with pytest.raises((NotImplementedError, ValueError), match="ranges of rows|one label per"):
        loss.metric.evaluate((np.zeros(60),), y[:, 0], None)
    with pytest.raises(ValueError, match="ranges of rows"):
        Concordance(loss).evaluate((np.zeros(60),), y[:, 0], None)
    assert Concordance(loss).is_max_optimal()


def test_catboost_builtin_labels():
    from boostobj.adapters.catboost import builtin_labels

    _, y, _ = _data(20)
    np.testing.assert_array_equal(builtin_labels(CoxPHLoss(), y), CoxPHLoss().stored_labels(y))
    aft = builtin_labels(AFTLoss(), _bounds(y))
    event = y[:, 1] == 1
    assert np.all(aft[~event, 1] == -1.0) and np.all(aft[event, 1] == y[event, 0])


# ------------------------------------------------------------------ row keys
def test_keyed_labels_refuse_what_they_cannot_read(monkeypatch):
    from boostobj import keyed

    keys = KeyedLabels()
    np.testing.assert_array_equal(keys.add(np.ones((3, 2))), [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(keys.add(2 * np.ones((2, 2))), [3.0, 4.0])
    np.testing.assert_array_equal(keys.labels(np.array([4.0, 0.0], np.float32)),
                                  [[2.0, 2.0], [1.0, 1.0]])
    for bad in (np.array([0.5]), np.array([5.0]), np.array([-1.0])):
        with pytest.raises(ValueError, match="not row keys of this fit's 5 rows"):
            keys.labels(bad)
    with pytest.raises(ValueError, match="same columns"):
        keys.add(np.ones(3))
    monkeypatch.setattr(keyed, "MAX_ROWS", 6)
    with pytest.raises(ValueError, match="more than 6 .*float32"):
        keys.add(np.ones((2, 2)))
