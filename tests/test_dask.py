"""The same objectives on Dask: xgboost.dask and lightgbm.dask, on a two-worker LocalCluster.

Agreement asserted here (docs/guide/dask.md):

* custom objective vs the built-in under the same Dask setup: XGBoost squared error bit-identical;
  XGBoost log loss within 1e-6 in probability (measured 1.2e-7: the float64 gradients round
  differently in the last float32 bit); LightGBM log loss within 1e-6 (measured 1.2e-9).
* Dask vs one machine: the features are quantised to 16 equal-frequency levels, far fewer
  than ``max_bin``, so XGBoost's distributed quantile sketch finds the exact cut points and Dask
  XGBoost equals single-machine XGBoost (measured bit-identical; asserted to 1e-6). LightGBM's
  data-parallel learner still differs by design (measured max |dp| 0.41), so there the weighted
  log loss / RMSE must be close (asserted to 0.01 / 2% and 5%; measured 0.0007, 0% and 1%).
  Quantised features also make LightGBM's result independent of which worker gets which rank
  (repeated runs identical): with continuous features two identical fits differed by 0.53.
"""

import pickle

import numpy as np
import pytest
from conftest import ALL_LOSSES, labels_for

import boostobj

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install boostobj[dask])")
da = pytest.importorskip("dask.array", reason="dask.array is not installed (pip install boostobj[dask])")
dxgb = pytest.importorskip("xgboost.dask", reason="xgboost.dask needs dask and pyarrow (pip install boostobj[dask])")
dlgb = pytest.importorskip("lightgbm.dask", reason="lightgbm.dask needs dask (pip install boostobj[dask])")

import xgboost as xgb

from boostobj.adapters import as_stored
from boostobj.adapters import dask as bdask

pytestmark = [
    # lightgbm.dask warns about every n_jobs/num_threads alias it overrides per worker
    pytest.mark.filterwarnings("ignore:Parameter n_jobs will be ignored:UserWarning"),
    pytest.mark.filterwarnings("ignore:Parameter num_threads will be ignored:UserWarning"),
]

N, CHUNK, ROUNDS = 4000, 1000, 20
XGB_KW = {"tree_method": "hist", "max_depth": 4, "learning_rate": 0.3}
LGB_KW = {"num_leaves": 15, "learning_rate": 0.3, "deterministic": True, "force_col_wise": True,
          "verbose": -1}


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


def _quantised(X):
    """16 equal-frequency levels per column: far fewer than max_bin, and every level on every
    worker, so each worker finds the same bins (LightGBM) and XGBoost's sketch is exact."""
    return (np.argsort(np.argsort(X, axis=0), axis=0) * 16 // X.shape[0]).astype(np.float64)


def _dask(client, X, y, w):
    """X, y, w as Dask arrays whose row chunks live together on one worker each."""
    data = client.persist(da.from_array(np.column_stack([X, y, w]), chunks=(CHUNK, -1)))
    distributed.wait(data)
    return data[:, :-2], data[:, -2], data[:, -1]


@pytest.fixture(scope="module")
def binary(client):
    from sklearn.datasets import make_classification

    X, y = make_classification(N, 10, random_state=0)
    X = _quantised(X)
    w = np.random.default_rng(0).uniform(0.1, 3.0, N)
    return (X, y, w), _dask(client, X, y, w)


@pytest.fixture(scope="module")
def regression(client):
    from sklearn.datasets import make_regression

    X, y = make_regression(N, 10, noise=10.0, random_state=0)
    X = _quantised(X)
    w = np.random.default_rng(1).uniform(0.1, 3.0, N)
    return (X, y, w), _dask(client, X, y, w)


def _logloss(y, p, w):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(np.average(-(y * np.log(p) + (1 - y) * np.log1p(-p)), weights=w))


def _rmse(y, p, w):
    return float(np.sqrt(np.average((y - p) ** 2, weights=w)))


# ---------------------------------------------------------------------- starting score, pickling
@pytest.mark.parametrize("loss", [lo for lo in ALL_LOSSES if lo.task != "survival"], ids=repr)
def test_init_score_reduction_matches_gathered_labels(client, loss):
    rng = np.random.default_rng(3)
    y = labels_for(loss, 1000, rng)
    w = rng.uniform(0.1, 3.0, y.shape[0])
    dy, dw = da.from_array(y, chunks=130), da.from_array(w, chunks=130)  # 8 chunks: a 2-level tree
    # Same minimisation, sums in another order: 1e-12, except where L-BFGS stops at its gradient
    # tolerance (multiclass focal, about 1e-8 relative: measured 6e-9 absolute here).
    tol = 1e-7 if isinstance(loss, boostobj.MulticlassFocalLoss) else 1e-12
    for weights, dweights in ((None, None), (w, dw)):
        got = bdask.init_score(loss, dy, dweights, client=client)
        np.testing.assert_allclose(got, loss.init_score(*as_stored(y, weights)), rtol=tol, atol=tol)


@pytest.mark.parametrize("loss", [boostobj.CoxPHLoss(), boostobj.AFTLoss()], ids=repr)
def test_survival_losses_are_not_trained_distributed(client, loss):
    y = labels_for(loss, 40, np.random.default_rng(0))
    with pytest.raises(ValueError, match="does not train distributed"):
        bdask.init_score(loss, da.from_array(y, chunks=(10, 2)), client=client)
    X = da.from_array(np.random.default_rng(1).normal(size=(40, 2)), chunks=(10, 2))
    for cls in (boostobj.DaskXGBRegressor, boostobj.DaskLGBMRegressor):
        with pytest.raises(ValueError, match="trains on several workers.*one machine"):
            cls(objective=loss, n_estimators=1).fit(X, da.from_array(y, chunks=(10, 2)))


def test_init_score_from_dask_series_and_repeat_like(client):
    dd = pytest.importorskip("dask.dataframe")
    import pandas as pd

    y = np.array([0, 1, 1, 0, 1, 1, 1, 0] * 50, dtype=float)
    w = np.linspace(0.5, 2.0, y.shape[0])
    sy = dd.from_pandas(pd.Series(y), npartitions=3)
    sw = dd.from_pandas(pd.Series(w), npartitions=3)
    loss = boostobj.BinaryLogLoss()
    init = bdask.init_score(loss, sy, sw, client=client)
    assert init == pytest.approx(loss.init_score(*as_stored(y, w)), rel=1e-12)
    filled = bdask.repeat_like(init, sy).compute()
    assert np.all(filled.to_numpy() == init) and filled.shape == (y.shape[0],)
    multi = bdask.repeat_like(np.array([0.1, -0.2, 0.3]), da.from_array(y, chunks=100)).compute()
    assert multi.shape == (y.shape[0], 3) and np.all(multi == [0.1, -0.2, 0.3])


def test_quantiles_and_scales_on_the_cluster_are_bit_identical(client):
    # the bounded selection of boostobj.adapters.dask on two worker processes, from Dask Arrays
    # and Series: the one-machine numbers, bit for bit (tests/test_quantile.py: many more cases)
    dd = pytest.importorskip("dask.dataframe")
    import pandas as pd

    from boostobj.losses.labels import weighted_quantile

    rng = np.random.default_rng(11)
    n = 30_000
    y = np.where(rng.uniform(size=n) < 0.3, 2.5, rng.standard_t(2, n) * 1e3)
    w = np.where(rng.uniform(size=n) < 0.2, 0.0, rng.uniform(0, 3, n))
    ys, ws = as_stored(y, w)
    arrays = da.from_array(y, chunks=4000), da.from_array(w, chunks=4000)
    series = dd.from_pandas(pd.Series(y), npartitions=5), dd.from_pandas(pd.Series(w), npartitions=5)
    for dy, dw in (arrays, series):
        labels = bdask.DaskLabels(dy, dw, client=client)
        assert labels.quantile(0.5) == weighted_quantile(ys, ws, 0.5)
        assert labels.quantile(0.9) == weighted_quantile(ys, ws, 0.9)
        assert labels.received < n  # two quantiles (the distinct-label reduction: 2 n)
        loss = boostobj.LogCoshLoss()
        assert bdask.resolved(loss, dy, dw, client=client) == loss.resolved(ys, ws)
        loss = boostobj.QuantileLoss(alpha=0.2)
        assert bdask.init_score(loss, dy, dw, client=client) == loss.init_score(ys, ws)


def test_init_score_rejects_in_memory_and_bad_weights(client):
    loss = boostobj.BinaryLogLoss()
    with pytest.raises(TypeError, match="Dask Array or Series"):
        bdask.init_score(loss, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="finite and >= 0"):
        bdask.init_score(loss, da.from_array(np.array([0.0, 1.0])),
                         da.from_array(np.array([1.0, -1.0])), client=client)
    with pytest.raises(ValueError, match=r"binary objective but y has 3 distinct value\(s\)"):
        boostobj.DaskXGBClassifier(objective=loss, n_estimators=1).fit(
            da.ones((30, 2), chunks=10), da.from_array(np.arange(30.0) % 3, chunks=10))


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=repr)
def test_losses_survive_shipping_to_workers(client, loss):
    import cloudpickle
    from distributed.protocol import deserialize, serialize

    y = labels_for(loss, 20, np.random.default_rng(0))
    z = np.zeros((20, 3)) if loss.task == "multiclass" else np.zeros(20)
    loss.gradient_hessian(y, z)
    loss(y, z)  # a call keeps validated labels in the dispatcher, never on the loss
    for copy in (cloudpickle.loads(cloudpickle.dumps(loss)), pickle.loads(pickle.dumps(loss)),
                 deserialize(*serialize(loss))):
        assert copy == loss and set(vars(copy)) == set(vars(loss))
        np.testing.assert_array_equal(copy.gradient_hessian(y, z)[0], loss.gradient_hessian(y, z)[0])
    # and a worker computes the same gradient as the client
    remote = client.submit(lambda lo, yy, zz: lo.gradient_hessian(yy, zz), loss, y, z, pure=False).result()
    np.testing.assert_array_equal(remote[1], loss.gradient_hessian(y, z)[1])


# ---------------------------------------------------------------------- XGBoost
def test_xgboost_dask_train_matches_builtin_single_machine_and_global_metric(client, binary):
    (X, y, w), (dX, dy, dw) = binary
    loss = boostobj.BinaryLogLoss()
    params = {"tree_method": "hist", "max_depth": 4, "eta": 0.3, **bdask.xgboost_params(loss, dy, dw)}
    local = boostobj.xgboost_params(loss, y, w)
    assert params["objective"] == local["objective"]
    assert params["base_score"] == pytest.approx(local["base_score"], rel=1e-12)
    dtrain = dxgb.DaskDMatrix(client, dX, dy, weight=dw)
    custom = dxgb.train(client, {**params, "eval_metric": "logloss"}, dtrain, ROUNDS, obj=loss,
                        custom_metric=loss.metric, evals=[(dtrain, "train")], verbose_eval=False)
    builtin = dxgb.train(client, params, dtrain, ROUNDS, verbose_eval=False)
    p_custom = dxgb.predict(client, custom["booster"], dX).compute()
    p_builtin = dxgb.predict(client, builtin["booster"], dX).compute()
    assert np.max(np.abs(p_custom - p_builtin)) <= 1e-6  # measured 1.2e-7

    # the metric is the global weighted loss (allreduced), not one worker's share
    hist = custom["history"]["train"]
    np.testing.assert_allclose(hist["log_loss"], hist["logloss"], rtol=0, atol=1e-6)  # measured 4.6e-7
    assert hist["log_loss"][-1] == pytest.approx(_logloss(y, p_custom, w), abs=1e-6)

    single = xgb.train(params, xgb.DMatrix(X, y, weight=w), ROUNDS, obj=loss)
    p_single = single.predict(xgb.DMatrix(X))
    assert np.max(np.abs(p_custom - p_single)) <= 1e-6  # measured 0 (bit-identical)


def test_dask_xgb_classifier(client, binary):
    (X, y, w), (dX, dy, dw) = binary
    loss = boostobj.BinaryLogLoss()
    clf = boostobj.DaskXGBClassifier(objective=loss, n_estimators=ROUNDS, eval_metric=loss.metric, **XGB_KW)
    clf.fit(dX, dy, sample_weight=dw, eval_set=[(dX, dy)], sample_weight_eval_set=[dw], verbose=False)
    assert clf.get_params()["base_score"] is None  # set for the fit only
    p = clf.predict_proba(dX).compute()
    assert p.shape == (N, 2)
    ref = dxgb.DaskXGBClassifier(n_estimators=ROUNDS, base_score=boostobj.xgboost_params(loss, y, w)["base_score"],
                                 **XGB_KW).fit(dX, dy, sample_weight=dw, verbose=False)
    assert np.max(np.abs(p - ref.predict_proba(dX).compute())) <= 1e-6  # measured 1.2e-7
    assert clf.evals_result()["validation_0"]["log_loss"][-1] == pytest.approx(_logloss(y, p[:, 1], w), abs=1e-6)
    single = boostobj.XGBClassifier(objective=loss, n_estimators=ROUNDS, **XGB_KW).fit(X, y, sample_weight=w)
    assert np.max(np.abs(p - single.predict_proba(X))) <= 1e-6  # measured 0
    np.testing.assert_array_equal(clf.predict(dX).compute(), (p[:, 1] > 0.5).astype(int))


def test_dask_xgb_regressor_bit_identical_to_builtin(client, regression):
    (X, y, w), (dX, dy, dw) = regression
    loss = boostobj.SquaredErrorLoss()
    reg = boostobj.DaskXGBRegressor(objective=loss, n_estimators=ROUNDS, **XGB_KW).fit(dX, dy, sample_weight=dw)
    ref = dxgb.DaskXGBRegressor(objective="reg:squarederror", n_estimators=ROUNDS,
                                base_score=float(np.average(y, weights=w)), **XGB_KW)
    ref.fit(dX, dy, sample_weight=dw)
    pred = reg.predict(dX).compute()
    np.testing.assert_array_equal(pred, ref.predict(dX).compute())  # measured bit-identical
    single = boostobj.XGBRegressor(objective=loss, n_estimators=ROUNDS, **XGB_KW).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(pred, single.predict(X), rtol=1e-5, atol=1e-3)  # measured 0


@pytest.mark.parametrize("loss", [boostobj.PoissonLoss(), boostobj.GammaLoss(),
                                  boostobj.TweedieLoss(power=1.5)], ids=repr)
def test_dask_regressors_predict_the_mean_for_log_link_losses(client, loss):
    # as the in-memory regressors: exp(margin), not the margin
    import dask.dataframe as dd

    rng = np.random.default_rng(5)
    X = _quantised(rng.normal(size=(2000, 4)))
    y = rng.poisson(np.exp(0.1 * X[:, 0] - 0.3)).astype(np.float64)
    if isinstance(loss, boostobj.GammaLoss):
        y = y + 0.5  # gamma: positive amounts
    w = rng.uniform(0.5, 2.0, y.size)
    dX, dy, dw = _dask(client, X, y, w)
    xreg = boostobj.DaskXGBRegressor(objective=loss, n_estimators=ROUNDS, **XGB_KW).fit(dX, dy, sample_weight=dw)
    lreg = boostobj.DaskLGBMRegressor(objective=loss, n_estimators=ROUNDS, **LGB_KW).fit(dX, dy, sample_weight=dw)
    xmean, lmean = xreg.predict(dX).compute(), lreg.predict(dX).compute()
    xmargin = xreg.predict(dX, output_margin=True).compute()
    np.testing.assert_allclose(xmean, np.exp(xmargin.astype(np.float64)), rtol=1e-6)
    assert xmean.dtype == xmargin.dtype
    np.testing.assert_allclose(lmean, np.exp(lreg.predict(dX, raw_score=True).compute()), rtol=1e-12)
    for pred in (xmean, lmean):  # the scale of the labels (a mean near exp(-0.3)), not of log
        assert np.all(pred > 0)
        assert np.average(pred, weights=w) == pytest.approx(np.average(y, weights=w), rel=0.05)
    single = boostobj.XGBRegressor(objective=loss, n_estimators=ROUNDS, **XGB_KW).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(xmean, single.predict(X), rtol=1e-5)
    frame = dd.from_dask_array(dX)  # a Dask DataFrame in, a Dask Series out
    np.testing.assert_allclose(np.asarray(xreg.predict(frame).compute()), xmean, rtol=1e-6)


# ---------------------------------------------------------------------- LightGBM
def test_dask_lgbm_classifier(client, binary):
    (X, y, w), (dX, dy, dw) = binary
    loss = boostobj.BinaryLogLoss()
    clf = boostobj.DaskLGBMClassifier(objective=loss, n_estimators=ROUNDS, **LGB_KW)
    clf.fit(dX, dy, sample_weight=dw)
    assert "metric" not in clf.get_params()  # "None" was set for the fit only
    assert clf.init_score_ == pytest.approx(loss.init_score(*as_stored(y, w)), rel=1e-12)
    assert isinstance(clf.to_local(), boostobj.LGBMClassifier)
    p = clf.predict_proba(dX).compute()
    assert p.shape == (N, 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(dX).compute(), clf.classes_[np.argmax(p, axis=1)])

    ref = dlgb.DaskLGBMClassifier(objective="binary", n_estimators=ROUNDS, **LGB_KW)
    ref.fit(dX, dy, sample_weight=dw)
    assert np.max(np.abs(p - ref.predict_proba(dX).compute())) <= 1e-6  # measured 1.2e-9
    single = boostobj.LGBMClassifier(objective=loss, n_estimators=ROUNDS, **LGB_KW).fit(X, y, sample_weight=w)
    # data-parallel LightGBM differs from serial by design; quality is close (measured 0.1689 vs 0.1683)
    assert _logloss(y, p[:, 1], w) == pytest.approx(_logloss(y, single.predict_proba(X)[:, 1], w), abs=0.01)


def test_dask_lgbm_regressor(client, regression):
    (X, y, w), (dX, dy, dw) = regression
    loss = boostobj.SquaredErrorLoss()
    reg = boostobj.DaskLGBMRegressor(objective=loss, n_estimators=ROUNDS, **LGB_KW)
    reg.fit(dX, dy, sample_weight=dw)
    pred = reg.predict(dX).compute()
    ref = dlgb.DaskLGBMRegressor(objective="regression", n_estimators=ROUNDS, **LGB_KW)
    ref.fit(dX, dy, sample_weight=dw)
    # the same trees: measured 5.9e-6 = 3e-8 of std(y) apart, float64 rounding of the weighted
    # gradient. The built-in's own start can move by a constant (measured once 9.8e-4 = 4.6e-6 of
    # std(y) with lightgbm 4.0.0, same offset on every row; it depends on which worker holds which
    # partitions), so the constant part is checked separately
    d = pred - ref.predict(dX).compute()
    np.testing.assert_allclose(d, np.median(d), rtol=0, atol=1e-6 * np.std(y))
    assert abs(np.median(d)) <= 2e-5 * np.std(y)
    single = boostobj.LGBMRegressor(objective=loss, n_estimators=ROUNDS, **LGB_KW).fit(X, y, sample_weight=w)
    assert _rmse(y, pred, w) == pytest.approx(_rmse(y, single.predict(X), w), rel=0.02)  # measured 52.01 vs 52.01

    robust = boostobj.PseudoHuberLoss(delta=20.0)
    rob = boostobj.DaskLGBMRegressor(objective=robust, n_estimators=ROUNDS, **LGB_KW).fit(dX, dy, sample_weight=dw)
    rob_single = boostobj.LGBMRegressor(objective=robust, n_estimators=ROUNDS, **LGB_KW).fit(X, y, sample_weight=w)
    assert rob.init_score_ == pytest.approx(rob_single.init_score_, rel=1e-9)
    rmse, rmse_single = _rmse(y, rob.predict(dX).compute(), w), _rmse(y, rob_single.predict(X), w)
    assert rmse == pytest.approx(rmse_single, rel=0.05)  # measured 85.12 vs 84.29


def test_dask_multiclass_both_libraries(client):
    from sklearn.datasets import make_classification

    X, y = make_classification(1500, 8, n_informative=5, n_classes=3, random_state=2)
    X = _quantised(X)
    w = np.random.default_rng(2).uniform(0.1, 3.0, y.shape[0])
    dX, dy, dw = _dask(client, X, y, w)
    loss = boostobj.SoftmaxLoss()
    xclf = boostobj.DaskXGBClassifier(objective=loss, n_estimators=10, **XGB_KW).fit(dX, dy, sample_weight=dw)
    xsingle = boostobj.XGBClassifier(objective=loss, n_estimators=10, **XGB_KW).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(xclf.predict_proba(dX).compute(), xsingle.predict_proba(X), atol=1e-6)
    lclf = boostobj.DaskLGBMClassifier(objective=loss, n_estimators=10, **LGB_KW).fit(dX, dy, sample_weight=dw)
    np.testing.assert_allclose(lclf.init_score_, loss.init_score(*as_stored(y, w)), rtol=1e-9, atol=1e-12)
    p = lclf.predict_proba(dX).compute()
    assert p.shape == (y.shape[0], 3)
    assert np.mean(np.argmax(p, axis=1) == y) > 0.7


# ---------------------------------------------------------------------- the seams
def test_dask_lgbm_softmax_uses_lightgbms_hessian_scale(client):
    # The workers call the loss with the scikit-learn signature: bound to LightGBM's conventions
    # (K/(K-1)) it trains the built-in multiclass model; with XGBoost's (2) it would not.
    from sklearn.datasets import make_classification

    X, y = make_classification(1500, 8, n_informative=5, n_classes=3, random_state=2)
    X = _quantised(X)
    w = np.random.default_rng(2).uniform(0.1, 3.0, y.shape[0])
    dX, dy, dw = _dask(client, X, y, w)
    ours = boostobj.DaskLGBMClassifier(objective=boostobj.SoftmaxLoss(), n_estimators=10, **LGB_KW)
    ours.fit(dX, dy, sample_weight=dw)
    assert isinstance(ours.objective, boostobj.SoftmaxLoss)  # the FitObjective was for the fit only
    assert "objective" not in ours._other_params or ours._other_params["objective"] is ours.objective
    builtin = dlgb.DaskLGBMClassifier(objective="multiclass", n_estimators=10, **LGB_KW)
    builtin.fit(dX, dy, sample_weight=dw)
    p = ours.predict_proba(dX).compute()
    assert np.max(np.abs(p - builtin.predict_proba(dX).compute())) <= 1e-6
    local = ours.to_local()
    assert isinstance(local, boostobj.LGBMClassifier) and local.objective == boostobj.SoftmaxLoss()
    np.testing.assert_allclose(local.predict_proba(X), p, rtol=0, atol=1e-12)


def test_dask_lgbm_class_weight_keys_match_the_labels(client):
    (X, y01, _w), (dX, _, _) = _binary_small()
    big = 2**24 + 1  # class labels (ids) that float32 cannot hold: a float32 lookup missed them
    y = np.where(y01 > 0, big + 2, big)
    dy = da.from_array(y, chunks=CHUNK)
    loss = boostobj.BinaryLogLoss()
    cw = {big: 3.0, big + 2: 1.0}
    clf = boostobj.DaskLGBMClassifier(objective=loss, class_weight=cw, n_estimators=2, **LGB_KW)
    clf.fit(dX, dy)
    local = boostobj.LGBMClassifier(objective=loss, class_weight=cw, n_estimators=2, **LGB_KW).fit(X, y)
    assert clf.init_score_ == pytest.approx(local.init_score_, rel=1e-12)
    assert clf.init_score_ == pytest.approx(loss.init_score(y01, np.where(y01 > 0, 1.0, 3.0)), rel=1e-12)


def _binary_small(n=2000):
    rng = np.random.default_rng(5)
    X = _quantised(rng.normal(size=(n, 4)))
    y = (X[:, 0] + 4 * rng.random(n) > 14).astype(float)
    w = rng.uniform(0.5, 2.0, n)
    return (X, y, w), (da.from_array(X, chunks=(CHUNK, -1)), da.from_array(y, chunks=CHUNK),
                       da.from_array(w, chunks=CHUNK))


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_dask_xgb_continued_training_keeps_the_old_start(client, binary, regression, kind):
    (_X, y, _w), (dX, dy, dw) = binary if kind == "classifier" else regression
    if kind == "classifier":
        make, loss = boostobj.DaskXGBClassifier, boostobj.FocalLoss(gamma=1.0)
        y2 = (np.arange(N) % 10 == 0).astype(float)  # a new batch with another positive rate
    else:
        make, loss = boostobj.DaskXGBRegressor, boostobj.LogCoshLoss()
        y2 = y - 500.0
    dy2 = da.from_array(y2, chunks=CHUNK)
    old = make(objective=loss, n_estimators=3, **XGB_KW).fit(dX, dy, sample_weight=dw)
    new = make(objective=loss, n_estimators=1, **{**XGB_KW, "learning_rate": 0.0})
    new.fit(dX, dy2, xgb_model=old.get_booster())

    def predict(m):
        return m.predict_proba(dX).compute() if kind == "classifier" else m.predict(dX).compute()

    np.testing.assert_allclose(predict(new), predict(old), rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------------- the life cycle
# (the survival losses are refused by the Dask estimators:
# test_survival_losses_are_not_trained_distributed)
_DASK_ENTRIES = [entry for entry in boostobj.registry.REGISTRY if entry.cls.task != "survival"]


@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
@pytest.mark.parametrize("loss", [entry.cls() for entry in _DASK_ENTRIES],
                         ids=[entry.cls.__name__ for entry in _DASK_ENTRIES])
def test_dask_estimators_keep_their_objective(client, library, loss):
    """Every registry loss through the Dask estimators: predictions on the response scale, the
    same after pickling, and (XGBoost) after save_model/load_model into a new Dask estimator;
    LightGBM's to_local() estimator predicts alike."""
    rng = np.random.default_rng(3)
    X = _quantised(rng.normal(size=(600, 4)))
    y = labels_for(loss, 600, rng)
    if loss.task == "binary":
        y = (y > 0.5).astype(np.float64)  # class labels: a classifier takes no soft labels
    if loss.task == "regression" and loss.link.name == "identity":
        y = y + 50.0  # a start far from 0
    dX, dy, _ = _dask(client, X, y, np.ones_like(y))
    kind = "Regressor" if loss.task == "regression" else "Classifier"
    if library == "xgboost":
        est = getattr(boostobj, f"DaskXGB{kind}")(objective=loss, n_estimators=3, **XGB_KW)
    else:
        est = getattr(boostobj, f"DaskLGBM{kind}")(objective=loss, n_estimators=3, **LGB_KW)
    est.fit(dX, dy)

    def response(model):
        out = model.predict_proba(dX) if kind == "Classifier" else model.predict(dX)
        return np.asarray(out.compute())

    before = response(est)
    if kind == "Regressor":  # the response scale: the labels' mean, not a margin's
        assert np.mean(before) == pytest.approx(np.mean(y), rel=0.2, abs=0.5)
    again = pickle.loads(pickle.dumps(est))
    again.client = client
    np.testing.assert_array_equal(response(again), before)
    if library == "xgboost":
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            est.save_model(f"{tmp}/m.json")
            loaded = type(est)()
            loaded.load_model(f"{tmp}/m.json")
        loaded.client = client
        np.testing.assert_allclose(response(loaded), before, rtol=1e-6, atol=1e-7)
        assert type(loaded.loss_) is type(loss)
    else:
        local = est.to_local()
        out = local.predict_proba(X) if kind == "Classifier" else local.predict(X)
        np.testing.assert_allclose(out, before, rtol=1e-12, atol=1e-12)
