"""Label smoothing of BinaryLogLoss and SoftmaxLoss: exact values against 60-digit references,
the start, the twins, the kernels and training (the generic suites walk both losses too)."""

import mpmath as mp
import numpy as np
import pytest

import boostobj
from boostobj.registry import builtin_twin

mp.mp.dps = 60

MARGINS = [-1e6, -1e3, -711.0, -37.0, -3.0, -1e-8, 0.0, 1e-8, 3.0, 37.0, 711.0, 1e3, 1e6]


def _close(got, want, rtol=1e-12):
    want = float(want)
    if abs(want) < 1e-300:
        assert abs(got) < 1e-300, (got, want)
    else:
        assert abs(got - want) <= rtol * abs(want), (got, want)


def _softmax_reference(y, z, eps):
    """Cross-entropy with the smoothed targets and its gradient, textbook form in mpmath."""
    k = len(z)
    zs = [mp.mpf(v) for v in z]
    lse = mp.log(mp.fsum(mp.exp(v) for v in zs))
    target = [(1 - eps) * (j == y) + eps / k for j in range(k)]
    loss = mp.fsum(t * (lse - v) for t, v in zip(target, zs))
    grad = [mp.exp(v - lse) - t for v, t in zip(zs, target)]
    return loss, grad


@pytest.mark.parametrize("eps", [0.05, 0.3])
@pytest.mark.parametrize("a", MARGINS)
def test_softmax_exact_at_extreme_margins(eps, a):
    loss = boostobj.SoftmaxLoss(label_smoothing=eps)
    e = mp.mpf(eps)
    for z in ([a, 0.0, -a / 2], [0.0, a, a]):
        for y in (0, 1, 2):
            want_l, want_g = _softmax_reference(y, z, e)
            got_l = loss.loss(np.array([float(y)]), np.array([z]))[0]
            got_g = loss.gradient(np.array([float(y)]), np.array([z]))[0]
            _close(got_l, want_l)
            for gj, wj in zip(got_g, want_g):
                # the gradient p_j - y_j cancels near the optimum: absolute precision there
                assert abs(gj - float(wj)) <= 1e-15 + 1e-12 * abs(float(wj)), (y, z, gj, wj)


def test_binary_is_cross_entropy_with_the_smoothed_target_and_two_class_softmax():
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.3).astype(float)
    z = rng.normal(0, 8, 400)
    eps = 0.2
    smooth = boostobj.BinaryLogLoss(label_smoothing=eps)
    soft = boostobj.BinaryCrossEntropy()
    yt = y * (1 - eps) + eps / 2
    np.testing.assert_allclose(smooth.loss(y, z), soft.loss(yt, z), rtol=1e-13)
    for a, b in zip(smooth.gradient_hessian(y, z), soft.gradient_hessian(yt, z)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-16)
    two = boostobj.SoftmaxLoss(label_smoothing=eps)
    zz = np.column_stack([-z / 2, z / 2])
    np.testing.assert_allclose(two.loss(y, zz), smooth.loss(y, z), rtol=1e-13)
    np.testing.assert_allclose(two.gradient(y, zz)[:, 1], smooth.gradient(y, z), rtol=1e-12, atol=1e-16)
    assert smooth.init_score(y) == pytest.approx(np.diff(two.init_score(y))[0], rel=1e-12)


def test_zero_smoothing_is_the_plain_loss_bit_for_bit():
    rng = np.random.default_rng(1)
    y = (rng.random(300) < 0.4).astype(float)
    z = rng.normal(0, 20, 300)
    a, b = boostobj.BinaryLogLoss(label_smoothing=0.0), boostobj.BinaryLogLoss()
    assert a == b and repr(a) == "BinaryLogLoss()"
    yk = rng.integers(0, 3, 300).astype(float)
    zk = rng.normal(0, 20, (300, 3))
    c = boostobj.SoftmaxLoss(label_smoothing=1e-300)
    for u, v in zip(c.gradient_hessian(yk, zk), boostobj.SoftmaxLoss().gradient_hessian(yk, zk)):
        np.testing.assert_allclose(u, v, rtol=1e-15, atol=1e-299)
    np.testing.assert_array_equal(a.loss(y, z), b.loss(y, z))


@pytest.mark.parametrize("weighted", [False, True])
def test_starts_are_the_argmin_of_the_smoothed_loss(weighted):
    from scipy.optimize import minimize

    rng = np.random.default_rng(2)
    n = 500
    w = rng.uniform(0.2, 3.0, n) if weighted else None
    y = (rng.random(n) < 0.1).astype(float)
    b = boostobj.BinaryLogLoss(label_smoothing=0.15)
    c = b.init_score(y, w)
    assert abs(b.gradient(y, np.full(n, c), w).sum()) <= 1e-10 * n
    yk = rng.choice(4, n, p=[0.7, 0.2, 0.1, 0.0]).astype(float)  # class 3 absent
    m = boostobj.SoftmaxLoss(n_classes=4, label_smoothing=0.1)
    init = m.init_score(yk, w)
    assert np.all(np.isfinite(init)) and abs(init.sum()) < 1e-12
    assert np.max(np.abs(m.gradient(yk, np.tile(init, (n, 1)), w).sum(axis=0))) <= 1e-10 * n
    res = minimize(lambda v: m.mean_loss(yk, np.tile(v, (n, 1)), w), np.zeros(4),
                   method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-15, "maxiter": 20000})
    assert m.mean_loss(yk, np.tile(init, (n, 1)), w) <= res.fun + 1e-12


def test_one_class_only_has_a_finite_start_and_bounded_optimum():
    eps = 0.1
    loss = boostobj.BinaryLogLoss(label_smoothing=eps)
    assert loss.init_score(np.ones(10)) == pytest.approx(np.log((1 - eps / 2) / (eps / 2)), rel=1e-14)
    # a confidently right row is pushed back: the gradient at a huge margin is eps/2
    assert loss.gradient(np.ones(1), np.array([50.0]))[0] == pytest.approx(eps / 2, rel=1e-12)


def test_twins_kernels_and_metric():
    for loss in (boostobj.BinaryLogLoss(label_smoothing=0.1), boostobj.SoftmaxLoss(label_smoothing=0.1)):
        assert builtin_twin(loss) == {} and loss.fast_kernel() is None
        assert "label_smoothing=0.1" in loss.metric.__name__
    assert builtin_twin(boostobj.BinaryLogLoss()) == {"xgboost": "binary:logistic", "lightgbm": "binary",
                                                  "catboost": "Logloss"}
    assert builtin_twin(boostobj.SoftmaxLoss()) == {"xgboost": "multi:softprob", "lightgbm": "multiclass",
                                                "catboost": "MultiClass"}
    from boostobj.adapters.catboost import full_softmax_hessian

    assert full_softmax_hessian(boostobj.SoftmaxLoss())
    assert not full_softmax_hessian(boostobj.SoftmaxLoss(label_smoothing=0.1))  # p != g + e_y
    y, z = np.array([1.0, 0.0]), np.array([2.0, -1.0])
    loss = boostobj.BinaryLogLoss(label_smoothing=0.2)
    assert loss.metric(y, z) == pytest.approx(loss.mean_loss(y, z), rel=1e-15)  # the smoothed loss
    g, h = loss(y, z)  # what the libraries receive: the float64 reference, not a float32 kernel
    assert g.dtype == h.dtype == np.float64
    np.testing.assert_allclose(g, loss.gradient(y, z), rtol=1e-15)


@pytest.mark.parametrize(("value", "exc", "match"), [
    (1.0, ValueError, r"label_smoothing must be in \[0, 1\)"),
    (-0.1, ValueError, r"label_smoothing must be in \[0, 1\)"),
    (float("nan"), ValueError, "label_smoothing must be finite"),
    ("0.1", TypeError, "label_smoothing must be a real number"),
])
@pytest.mark.parametrize("make", [boostobj.BinaryLogLoss, boostobj.SoftmaxLoss])
def test_bad_values_are_refused(make, value, exc, match):
    with pytest.raises(exc, match=match):
        make(label_smoothing=value)


def test_smoothing_trains_in_both_libraries_and_bounds_the_probabilities():
    xgb = pytest.importorskip("xgboost")
    pytest.importorskip("lightgbm")
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 4))
    y = (X[:, 0] > 0).astype(float)  # separable: unsmoothed probabilities run to 0 and 1
    eps = 0.2
    loss = boostobj.BinaryLogLoss(label_smoothing=eps)
    for model in (boostobj.XGBClassifier(objective=loss, n_estimators=60, max_depth=2),
                  boostobj.LGBMClassifier(objective=loss, n_estimators=60, num_leaves=4,
                                          min_child_samples=5, verbose=-1)):
        p = model.fit(X, y).predict_proba(X)[:, 1]
        assert np.all(p > eps / 2 - 0.02) and np.all(p < 1 - eps / 2 + 0.02)
        assert np.mean((p > 0.5) == (y > 0)) > 0.97
    booster = xgb.train(boostobj.xgboost_params(loss, y), xgb.DMatrix(X, y), 20, obj=loss)
    p = booster.predict(xgb.DMatrix(X))
    assert p.min() > eps / 2 - 0.02 and p.max() < 1 - eps / 2 + 0.02
