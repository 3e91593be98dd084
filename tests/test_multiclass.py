"""Multiclass: softmax and multiclass focal loss, identities, starting score, entry points."""

import warnings

import numpy as np
import pytest
from scipy.optimize import minimize

import boostobj
from boostobj.adapters._versions import xgb_vector_base_score

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")

MULTI = [boostobj.SoftmaxLoss(), boostobj.MulticlassFocalLoss(gamma=0.0),
         boostobj.MulticlassFocalLoss(gamma=2.0, alpha=[0.5, 1.0, 2.0]),
         boostobj.MulticlassFocalLoss(gamma=0.5, hessian="exact")]
LGB_PARAMS = {"num_leaves": 7, "min_data_in_leaf": 5, "verbose": -1, "deterministic": True,
              "force_col_wise": True, "num_threads": 1}
XGB_PARAMS = {"max_depth": 3, "nthread": 1}


def _data(n=300, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    X[rng.random((n, 5)) < 0.05] = np.nan
    logits = np.column_stack([np.nan_to_num(X[:, j]) * (j + 1) for j in range(k)])
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    y = np.array([rng.choice(k, p=row) for row in p], dtype=float)
    w = rng.uniform(0.2, 3.0, n)
    return X, y, w


def test_softmax_with_two_classes_is_binary_log_loss():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 20, 200)
    y = (rng.random(200) < 0.5).astype(float)
    zz = np.column_stack([-z / 2, z / 2])
    np.testing.assert_allclose(boostobj.SoftmaxLoss().loss(y, zz), boostobj.BinaryLogLoss().loss(y, z), rtol=1e-13)
    g2, _ = boostobj.SoftmaxLoss().gradient_hessian(y, zz)
    g1, _ = boostobj.BinaryLogLoss().gradient_hessian(y, z)
    np.testing.assert_allclose(g2[:, 1], g1, rtol=1e-13, atol=1e-300)  # dL/dz_1 = sigma(z) - y
    foc2 = boostobj.MulticlassFocalLoss(gamma=2.0).loss(y, zz)
    np.testing.assert_allclose(foc2, boostobj.FocalLoss(gamma=2.0).loss(y, z), rtol=1e-12)


def test_focal_gamma0_is_softmax():
    _X, y, w = _data(200)
    z = np.random.default_rng(1).normal(0, 5, (200, 3))
    a, b = boostobj.MulticlassFocalLoss(gamma=0.0), boostobj.SoftmaxLoss()
    np.testing.assert_allclose(a.loss(y, z), b.loss(y, z), rtol=1e-15)
    for u, v in zip(a.gradient_hessian(y, z, w), b.gradient_hessian(y, z, w)):
        np.testing.assert_allclose(u, v, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(a.init_score(y, w), b.init_score(y, w), atol=1e-7)


def test_extreme_margins_keep_relative_precision():
    y = np.array([0.0, 1.0])
    z = np.array([[50.0, 0.0, 0.0], [50.0, 0.0, 0.0]])
    loss, (g, h) = boostobj.SoftmaxLoss().loss(y, z), boostobj.SoftmaxLoss().gradient_hessian(y, z)
    np.testing.assert_allclose(loss[0], 2 * np.exp(-50), rtol=1e-14)  # log1p(2e^-50)
    np.testing.assert_allclose(g[0, 0], -2 * np.exp(-50), rtol=1e-14)
    np.testing.assert_allclose(h[0, 0], 2 * np.exp(-50), rtol=1e-13)
    np.testing.assert_allclose(loss[1], 50.0, rtol=1e-15)


@pytest.mark.parametrize("loss", MULTI, ids=repr)
@pytest.mark.parametrize("weighted", [False, True])
def test_init_score_is_the_argmin(loss, weighted):
    _, y, w = _data(300)
    w = w if weighted else None
    init = loss.init_score(y, w)
    assert init.shape == (3,) and abs(init.sum()) < 1e-12
    g = loss.gradient(y, np.tile(init, (300, 1)), w).sum(axis=0)
    assert np.max(np.abs(g)) <= 1e-7 * 300
    res = minimize(lambda c: loss.mean_loss(y, np.tile(c, (300, 1)), w), np.zeros(3), method="Nelder-Mead",
                   options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000})
    assert loss.mean_loss(y, np.tile(init, (300, 1)), w) <= res.fun + 1e-12


def test_softmax_init_is_centred_log_frequency():
    y = np.array([0, 0, 1, 2, 2, 2.0])
    p = np.array([2, 1, 3]) / 6
    np.testing.assert_allclose(boostobj.SoftmaxLoss().init_score(y), np.log(p) - np.log(p).mean(), rtol=1e-14)


@pytest.mark.parametrize("loss", [MULTI[0], MULTI[2]], ids=repr)
def test_native_entry_points_train_with_weights(loss):
    X, y, w = _data()
    params = {**XGB_PARAMS, **boostobj.xgboost_params(loss, y, w)}
    assert params["objective"] == "multi:softprob" and params["num_class"] == 3
    # XGBoost < 3.1 has no vector base_score: the start goes in base_margin (the docstring's way)
    assert ("base_score" in params) == xgb_vector_base_score()
    margin = None if "base_score" in params else loss.init_raw_prediction(y, w)
    d = xgb.DMatrix(X, y, weight=w, base_margin=margin)
    res = {}
    bst = xgb.train(params, d, 10, obj=loss, custom_metric=loss.metric, evals=[(d, "t")],
                    evals_result=res, verbose_eval=False)
    p = bst.predict(d)
    assert p.shape == (300, 3)
    np.testing.assert_allclose(p.sum(1), 1, rtol=1e-5)
    margin = bst.predict(d, output_margin=True)
    assert res["t"][loss.metric.__name__][-1] == pytest.approx(loss.mean_loss(y, margin, w), rel=1e-5)
    b1 = xgb.train({**params, "eta": 0.0}, d, 1, obj=loss)
    np.testing.assert_allclose(b1.predict(d, output_margin=True)[0], loss.init_score(y, w), rtol=1e-6, atol=1e-6)
    unweighted = xgb.train(params, xgb.DMatrix(X, y, base_margin=margin), 10, obj=loss)
    assert np.max(np.abs(unweighted.predict(d) - p)) > 1e-4

    init = loss.init_score(y, w)
    ds = lgb.Dataset(X, y, weight=w, init_score=loss.init_raw_prediction(y, w))
    res = {}
    m = lgb.train({**LGB_PARAMS, "objective": loss, "num_class": 3, "metric": "None"}, ds, 10,
                  valid_sets=[ds], valid_names=["t"], feval=loss.metric, callbacks=[lgb.record_evaluation(res)])
    raw = m.predict(X) + init
    assert raw.shape == (300, 3)
    assert res["t"][loss.metric.__name__][-1] == pytest.approx(loss.mean_loss(y, raw, w), rel=1e-6)
    boostobj.fold_init_score(m, init)
    np.testing.assert_allclose(m.predict(X), raw, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("loss", [MULTI[0], MULTI[2]], ids=repr)
def test_classifiers_give_probabilities(loss):
    X, y, w = _data()
    labels = np.array(["ant", "bee", "cat"])[y.astype(int)]
    est = boostobj.LGBMClassifier(objective=loss, n_estimators=10, **LGB_PARAMS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est.fit(X, labels, sample_weight=w)
    p = est.predict_proba(X)
    np.testing.assert_allclose(p.sum(1), 1, rtol=1e-12)
    assert set(est.predict(X)) <= set(labels)
    assert est.init_score_.shape == (3,)
    xest = boostobj.XGBClassifier(objective=loss, n_estimators=10, **XGB_PARAMS).fit(X, y, sample_weight=w)
    px = xest.predict_proba(X)
    np.testing.assert_allclose(px.sum(1), 1, rtol=1e-5)
    first = boostobj.XGBClassifier(objective=loss, n_estimators=1, learning_rate=1e-9, **XGB_PARAMS).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(np.log(first.predict_proba(X)[0]) - np.log(first.predict_proba(X)[0]).mean(),
                               loss.init_score(y, w), atol=1e-5)


@pytest.mark.parametrize("weighted", [False, True])
def test_library_calls_scale_the_hessian_and_keep_precision(weighted):
    """What each library receives: float32, its own hessian factor, weights, the memory order of
    the margins it handed in; equal to the float64 math to float32 precision."""
    X, y, w = _data(500)
    w = w if weighted else None
    rng = np.random.default_rng(7)
    z = rng.normal(0, 5, (500, 3))
    z[:20, 0] = 60.0  # confident rows: 1 - p is about 1e-26
    _ref_g, _ref_h = boostobj.SoftmaxLoss().gradient_hessian(y, z, w)
    ds = lgb.Dataset(X, y, weight=w, free_raw_data=False).construct()
    d = xgb.DMatrix(X, y, weight=w)
    w32 = None if w is None else np.float32(w).astype(float)
    for loss_call, preds, scale in ((lambda p: boostobj.SoftmaxLoss()(p, d), z.astype(np.float32), 2.0),
                                    (lambda p: boostobj.SoftmaxLoss()(p, ds), np.asfortranarray(z), 1.5)):
        g, h = loss_call(preds)
        assert g.dtype == h.dtype == np.float32 and g.shape == (500, 3)
        if preds.flags.f_contiguous:
            assert g.flags.f_contiguous
        want_g, want_h = boostobj.SoftmaxLoss().gradient_hessian(y, preds.astype(float), w32)
        np.testing.assert_allclose(g, want_g, rtol=3e-7, atol=1e-30)
        np.testing.assert_allclose(h, np.maximum(want_h, 1e-16 * (1 if w is None else w32[:, None])) * scale,
                                   rtol=3e-7, atol=1e-30)
    right = np.flatnonzero(y[:20] == 0)  # confidently right rows: gradient -(1 - p) ~ -1e-26
    assert right.size and np.all((g[right, 0] < 0) & (g[right, 0] > -1e-20))


def test_softmax_trains_like_the_builtins():
    """Normal (float64) mode with the library's hessian scale: close to the built-in softmax."""
    X, y, w = _data(400)
    loss = boostobj.SoftmaxLoss()
    params = {**XGB_PARAMS, **boostobj.xgboost_params(loss, y, w)}
    margin = None if "base_score" in params else loss.init_raw_prediction(y, w)  # XGBoost < 3.1
    d = xgb.DMatrix(X, y, weight=w, base_margin=margin)
    custom = xgb.train(params, d, 20, obj=loss).predict(d)
    builtin = xgb.train(params, d, 20).predict(d)
    assert np.max(np.abs(custom - builtin)) < 1e-5
    ds = lgb.Dataset(X, y, weight=w, init_score=loss.init_raw_prediction(y, w), free_raw_data=False)
    m = lgb.train({**LGB_PARAMS, "objective": loss, "num_class": 3}, ds, 20)
    boostobj.fold_init_score(m, loss.init_score(y, w))
    ref = lgb.train({**LGB_PARAMS, "objective": "multiclass", "num_class": 3},
                    lgb.Dataset(X, y, weight=w), 20)
    # LightGBM starts from log(prior_k) uncentred, boostobj from the centred log-priors: the raw
    # scores differ by one constant per model, which softmax ignores.
    diff = m.predict(X) - ref.predict(X, raw_score=True)
    assert np.ptp(diff) < 1e-7  # float64 rounding order vs LightGBM; bit-exact with the parity mirror
    np.testing.assert_allclose(loss.link.inverse(m.predict(X)), ref.predict(X), rtol=1e-7, atol=1e-12)
    # without the library's scale the models differ materially (xgboost 3.2)
    plain = boostobj.SoftmaxLoss(hessian_scale=1.0)
    other = xgb.train(params, d, 20, obj=plain).predict(d)
    assert np.max(np.abs(other - builtin)) > 1e-3


@pytest.mark.parametrize(
    ("make", "exc", "match"),
    [
        (lambda: boostobj.SoftmaxLoss(n_classes=1), ValueError, "n_classes must be >= 2"),
        (lambda: boostobj.SoftmaxLoss(n_classes=2.5), TypeError, "n_classes must be an integer"),
        (lambda: boostobj.SoftmaxLoss(hessian_scale=0), ValueError, "hessian_scale"),
        (lambda: boostobj.MulticlassFocalLoss(alpha=[1.0, -1.0]), ValueError, r"alpha\[1\] must be > 0"),
        (lambda: boostobj.MulticlassFocalLoss(alpha=[1.0, 2.0], n_classes=3), ValueError, "alpha has 2"),
        (lambda: boostobj.MulticlassFocalLoss(gamma=-0.1), ValueError, "gamma must be >= 0"),
    ],
)
def test_bad_hyperparameters(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_bad_labels_and_num_class():
    loss = boostobj.SoftmaxLoss()
    X, y, _ = _data(60)
    z = np.zeros((60, 3))
    with pytest.raises(ValueError, match="integers 0..K-1"):
        loss.gradient_hessian(y + 0.5, z)
    with pytest.raises(ValueError, match="integers 0..K-1"):
        loss.gradient_hessian(y - 1, z)
    with pytest.raises(ValueError, match="at least 3 classes"):
        loss.gradient_hessian(y, z[:, :2])
    with pytest.raises(ValueError, match="loss has 4 classes"):
        boostobj.SoftmaxLoss(n_classes=4).gradient_hessian(y, z)
    with pytest.raises(ValueError, match="set num_class"):  # num_class missing: 1-D predictions
        xgb.train(XGB_PARAMS, xgb.DMatrix(X, y), 2, obj=loss)
    with pytest.raises(ValueError, match="set num_class"):
        lgb.train({**LGB_PARAMS, "objective": loss}, lgb.Dataset(X, y), 2)
    with pytest.raises(ValueError, match="at least 3 classes"):  # num_class disagrees with labels
        lgb.train({**LGB_PARAMS, "objective": loss, "num_class": 2}, lgb.Dataset(X, y), 2)
    with pytest.raises(ValueError, match="at least 3 classes"):
        xgb.train({**XGB_PARAMS, "num_class": 2, "objective": "multi:softprob"}, xgb.DMatrix(X, y), 2, obj=loss)
    with pytest.raises(ValueError, match="loss has 4 classes"):  # num_class disagrees with n_classes
        lgb.train({**LGB_PARAMS, "objective": boostobj.SoftmaxLoss(n_classes=4), "num_class": 3},
                  lgb.Dataset(X, y), 2)


@pytest.mark.parametrize("make", [lambda: boostobj.MulticlassFocalLoss(n_classes=3),
                                  lambda: boostobj.MulticlassFocalLoss(alpha=[0.2, 0.3, 0.5]),
                                  lambda: boostobj.SoftmaxLoss(n_classes=3)])
def test_init_score_with_a_class_absent_from_the_labels(make):
    # the class count comes from the loss (n_classes or alpha), not from the labels seen
    from scipy.optimize import minimize

    loss = make()
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0])
    c = loss.init_score(y)
    assert c.shape == (3,) and np.all(np.isfinite(c)) and c[2] < c[0] and c[2] < c[1]

    def total(v):
        return loss.loss(y, np.tile(v, (5, 1))).sum()

    assert total(c) <= minimize(total, c, method="Nelder-Mead").fun + 1e-12
