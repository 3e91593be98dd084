"""The count, quantile, robust and soft-label losses beyond the generic suite: what their
docstrings promise."""

import pickle

import mpmath as mp
import numpy as np
import pytest

import boostobj

mp.mp.dps = 60


# ----------------------------------------------------------------------------- log link
@pytest.mark.parametrize("loss", [boostobj.PoissonLoss(), boostobj.GammaLoss(),
                                  boostobj.TweedieLoss(power=1.3)], ids=repr)
def test_log_link_deviance_keeps_its_digits_at_the_fit(loss):
    """Near mu = y the textbook forms cancel; the series keeps full relative precision."""
    y = 2.5
    for u in (1e-9, -1e-6, 1e-3, 0.5, -0.9, 1.5):
        z = float(mp.log(y) + u)
        got = loss.loss(np.array([y]), np.array([z]))[0]
        my, mz = mp.mpf(y), mp.mpf(z)
        mu = mp.exp(mz)
        if isinstance(loss, boostobj.PoissonLoss):
            want = my * mp.log(my / mu) - my + mu
        elif isinstance(loss, boostobj.GammaLoss):
            want = mp.log(mu / my) + my / mu - 1
        else:
            a, b = 1 - mp.mpf(loss.power), 2 - mp.mpf(loss.power)
            want = my**b / (a * b) - my * mu**a / a + mu**b / b
        assert got == pytest.approx(float(want), rel=1e-13), (u, got, float(want))


def test_log_link_labels_and_params_are_checked():
    with pytest.raises(ValueError, match=r"PoissonLoss labels must be finite and >= 0"):
        boostobj.PoissonLoss().gradient(np.array([1.0, -1.0]), np.zeros(2))
    with pytest.raises(ValueError, match=r"GammaLoss labels must be finite and > 0"):
        boostobj.GammaLoss().gradient(np.array([1.0, 0.0]), np.zeros(2))
    with pytest.raises(ValueError, match="every label is 0"):
        boostobj.TweedieLoss().init_score(np.zeros(5))
    with pytest.raises(ValueError, match="strictly between 1 and 2"):
        boostobj.TweedieLoss(power=2.0)
    with pytest.raises(ValueError, match="max_delta_step must be >= 0"):
        boostobj.PoissonLoss(max_delta_step=-0.1)


def test_log_link_starts_are_log_means_and_poisson_bounded_hessian_is_the_libraries():
    rng = np.random.default_rng(0)
    y = rng.poisson(3.0, 500).astype(float)
    w = rng.uniform(0.5, 2.0, 500)
    for loss in (boostobj.PoissonLoss(), boostobj.TweedieLoss(), boostobj.GammaLoss()):
        yy = y + 1.0 if isinstance(loss, boostobj.GammaLoss) else y
        assert loss.init_score(yy, w) == pytest.approx(np.log(np.average(yy, weights=w)), rel=1e-14)
    z = rng.normal(0.0, 1.0, 500)
    _, h = boostobj.PoissonLoss().gradient_hessian(y, z)
    np.testing.assert_allclose(h, np.exp(z + 0.7), rtol=1e-15)
    assert boostobj.builtin_twin(boostobj.PoissonLoss()) == {"xgboost": "count:poisson",
                                                             "lightgbm": "poisson"}
    # the exact hessian is CatBoost's Poisson (a further twin, registry Entry.more)
    assert boostobj.builtin_twin(boostobj.PoissonLoss(hessian="exact")) == {"catboost": "Poisson"}


def test_xgboost_predict_returns_the_mean_and_gets_max_delta_step():
    xgb = pytest.importorskip("xgboost")
    rng = np.random.default_rng(1)
    X = rng.normal(size=(600, 4))
    y = rng.poisson(np.exp(0.3 + 0.6 * X[:, 0])).astype(float)
    loss = boostobj.PoissonLoss()
    params = boostobj.xgboost_params(loss, y)
    assert params["objective"] == "count:poisson" and params["max_delta_step"] == 0.7
    assert params["base_score"] == pytest.approx(y.mean(), rel=1e-6)  # the mean, not its log
    d = xgb.DMatrix(X, label=y)
    bst = xgb.train({**params, "verbosity": 0}, d, 10, obj=loss)
    np.testing.assert_allclose(bst.predict(d), np.exp(bst.predict(d, output_margin=True)), rtol=1e-6)
    # a log-link loss without an XGBoost twin predicts through reg:gamma (no leaf clamp)
    other = boostobj.xgboost_params(boostobj.PoissonLoss(hessian="exact"), y)
    assert other["objective"] == "reg:gamma" and "max_delta_step" not in other
    tw = boostobj.xgboost_params(boostobj.TweedieLoss(power=1.2), y)
    assert tw["objective"] == "reg:tweedie" and tw["tweedie_variance_power"] == 1.2


# ----------------------------------------------------------------------------- combinations
def test_combination_is_exact_and_round_trips():
    rng = np.random.default_rng(2)
    y = rng.normal(0.0, 3.0, 200)
    z = rng.normal(0.0, 3.0, 200)
    a, b = boostobj.LogCoshLoss(scale=1.5), boostobj.PseudoHuberLoss(delta=2.0, hessian="exact")
    both = 0.7 * a + 0.3 * b
    assert both == boostobj.combine((0.7, a), (0.3, b)) == boostobj.CombinedLoss(
        losses=((0.7, a), (0.3, b)))
    np.testing.assert_allclose(both.loss(y, z), 0.7 * a.loss(y, z) + 0.3 * b.loss(y, z), rtol=1e-15)
    for got, pa, pb in zip(both.gradient_hessian(y, z), a.gradient_hessian(y, z), b.gradient_hessian(y, z)):
        np.testing.assert_allclose(got, 0.7 * pa + 0.3 * pb, rtol=1e-15)
    init = both.init_score(y)
    assert abs(both.gradient(y, np.full(200, init)).sum()) < 1e-9 * 200  # solved on the sum
    assert both.get_params() == {"losses": ((0.7, a), (0.3, b))}
    assert pickle.loads(pickle.dumps(both)) == both
    assert both.set_params(losses=((1.0, a),)).losses == ((1.0, a),)
    assert (2 * (a + b)).losses == ((2.0, a), (2.0, b))  # flattened, weights multiplied
    assert both.metric.__name__ == "1*log_cosh[scale=1.5]"


def test_combination_refuses_mixed_tasks_and_bad_weights():
    with pytest.raises(ValueError, match="same task on the same link"):
        boostobj.SquaredErrorLoss() + boostobj.BinaryLogLoss()
    with pytest.raises(ValueError, match="same task on the same link"):
        boostobj.SquaredErrorLoss() + boostobj.PoissonLoss()
    with pytest.raises(ValueError, match="weight in a combination must be > 0"):
        -1.0 * boostobj.SquaredErrorLoss()
    with pytest.raises(ValueError, match="multiclass"):
        boostobj.SoftmaxLoss() + boostobj.SoftmaxLoss()
    with pytest.raises(TypeError):
        boostobj.SquaredErrorLoss() * boostobj.SquaredErrorLoss()


# ----------------------------------------------------------------------------- robust, asymmetric
@pytest.mark.parametrize("make", [boostobj.CauchyLoss, boostobj.WelschLoss])
def test_redescending_start_ignores_gross_outliers(make):
    rng = np.random.default_rng(3)
    y = np.r_[rng.normal(10.0, 1.0, 950), rng.normal(1e4, 10.0, 50)]
    loss = make()
    init = loss.init_score(y)
    assert 9.8 < init < 10.2  # the mean is 509
    _, h = loss.resolved(y).gradient_hessian(y, np.full(y.size, init))
    assert np.all(h >= 0) and h.max() == pytest.approx(1.0, abs=1e-3)


def test_fair_gradient_has_the_sign_of_the_residual_on_both_sides():
    g = boostobj.FairLoss(c=2.0).gradient(np.zeros(4), np.array([-5.0, -0.1, 0.1, 5.0]))
    np.testing.assert_allclose(g, 2.0 * np.array([-5.0, -0.1, 0.1, 5.0]) / (np.abs([-5.0, -0.1, 0.1, 5.0]) + 2.0))


def test_quantile_and_expectile_starts():
    rng = np.random.default_rng(4)
    y = rng.exponential(2.0, 1001)
    assert boostobj.QuantileLoss(alpha=0.9).init_score(y) == np.sort(y)[900]
    e = boostobj.ExpectileLoss(tau=0.5).init_score(y)
    assert e == pytest.approx(y.mean(), rel=1e-12)  # tau = 0.5 is the mean
    assert boostobj.ExpectileLoss(tau=0.9).init_score(y) > y.mean()


def test_quantile_trains_close_to_the_builtins():
    """Quality only (no parity): the custom pinball objective has no leaf renewal, so it gets
    more rounds; held-out pinball loss within 10% of XGBoost's and LightGBM's built-ins."""
    xgb = pytest.importorskip("xgboost")
    lgb = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(5)
    X = rng.normal(size=(4000, 5))
    y = 3.0 * X[:, 0] + np.sin(2 * X[:, 1]) + rng.standard_t(3, 4000)
    Xt, yt, Xv, yv = X[:3000], y[:3000], X[3000:], y[3000:]
    loss = boostobj.QuantileLoss(alpha=0.8)

    def pinball(pred):
        return loss.mean_loss(yv, pred)

    base = {"max_depth": 4, "eta": 0.1, "verbosity": 0}
    dt, dv = xgb.DMatrix(Xt, label=yt), xgb.DMatrix(Xv)
    builtin = xgb.train({**base, "objective": "reg:quantileerror", "quantile_alpha": 0.8}, dt, 200)
    custom = xgb.train({**base, **boostobj.xgboost_params(loss, yt), "eta": 0.3}, dt, 400, obj=loss)
    assert pinball(custom.predict(dv)) <= 1.1 * pinball(builtin.predict(dv))
    lp = {"num_leaves": 15, "learning_rate": 0.1, "verbose": -1}
    lb = lgb.train({**lp, "objective": "quantile", "alpha": 0.8}, lgb.Dataset(Xt, yt), 200)
    init = loss.init_score(yt)
    lc = lgb.train({**lp, "learning_rate": 0.3, "objective": loss},
                   lgb.Dataset(Xt, yt, init_score=np.full(yt.size, init)), 400)
    assert pinball(lc.predict(Xv) + init) <= 1.1 * pinball(lb.predict(Xv))


# ----------------------------------------------------------------------------- classification
def test_binary_cross_entropy_takes_soft_labels():
    loss = boostobj.BinaryCrossEntropy()
    y = np.array([0.0, 0.25, 0.5, 1.0])
    z = np.array([-40.0, 0.3, 2.0, 40.0])
    g, h = loss.gradient_hessian(y, z)
    p = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(g[:3], (p - y)[:3], rtol=1e-12)  # p - y rounds to 0 at z = 40
    np.testing.assert_allclose(h[:3], (p * (1 - p))[:3], rtol=1e-12)
    assert g[-1] < 0 and g[-1] == pytest.approx(-np.exp(-40.0), rel=1e-12)  # not rounded to 0
    assert loss.init_score(y) == pytest.approx(np.log(0.4375 / 0.5625), rel=1e-14)
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        loss.gradient(np.array([1.5]), np.zeros(1))
    assert boostobj.builtin_twin(loss) == {"xgboost": "binary:logistic", "lightgbm": "cross_entropy",
                                           "catboost": "CrossEntropy"}


def test_class_balanced_weights():
    y = np.array([0] * 90 + [1] * 10)
    w = boostobj.class_balanced_weights(y, beta=0.99)
    e0, e1 = (1 - 0.99**90) / 0.01, (1 - 0.99**10) / 0.01  # effective numbers
    assert w[-1] / w[0] == pytest.approx(e0 / e1, rel=1e-12)
    assert w.sum() == pytest.approx(100.0, rel=1e-12)
    np.testing.assert_allclose(boostobj.class_balanced_weights(y, beta=0.0), np.ones(100))
    inv = boostobj.class_balanced_weights(y, beta=1 - 1e-12)  # -> inverse class frequency
    assert inv[-1] / inv[0] == pytest.approx(9.0, rel=1e-6)
    sw = np.linspace(0.5, 1.5, 100)
    ws = boostobj.class_balanced_weights(y, beta=0.99, sample_weight=sw)
    assert ws.sum() == pytest.approx(sw.sum(), rel=1e-12)
    three = boostobj.class_balanced_weights([0, 1, 1, 2, 2, 2], beta=0.9)
    assert three[0] > three[1] > three[3]
    loss = boostobj.FocalLoss()
    assert np.isfinite(loss.init_score(y.astype(float), w))
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\)"):
        boostobj.class_balanced_weights(y, beta=1.0)


def test_estimators_start_from_the_log_mean_and_predict_the_mean():
    pytest.importorskip("sklearn")
    pytest.importorskip("xgboost")
    pytest.importorskip("lightgbm")
    rng = np.random.default_rng(6)
    X = rng.normal(size=(2000, 4))
    y = rng.poisson(np.exp(0.3 + 0.6 * X[:, 0])).astype(float)
    for est in (boostobj.XGBRegressor(objective=boostobj.PoissonLoss(), n_estimators=30),
                boostobj.LGBMRegressor(objective=boostobj.PoissonLoss(), n_estimators=30,
                                       verbose=-1)):
        pred = est.fit(X, y).predict(X)
        assert pred.min() > 0 and pred.mean() == pytest.approx(y.mean(), rel=0.05), est
    # no trees that can split: the prediction is the start, the mean itself
    stump = boostobj.XGBRegressor(objective=boostobj.GammaLoss(), n_estimators=1, max_depth=1,
                                  learning_rate=0.0).fit(X, y + 1.0)
    assert stump.predict(X[:3]) == pytest.approx(np.full(3, (y + 1.0).mean()), rel=1e-6)
