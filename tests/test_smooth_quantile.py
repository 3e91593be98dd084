"""SmoothQuantileLoss: its bounds against the pinball loss, its start, its scale and its hessians
(the generic suites and the 60-digit references in test_losses.py walk it too)."""

import numpy as np
import pytest

import boostobj
from boostobj.losses.regression import robust_scale


def _pinball(y, z, alpha):
    r = y - z
    return np.where(r >= 0, alpha * r, (alpha - 1) * r)


@pytest.mark.parametrize("alpha", [0.1, 0.5, 0.9])
def test_is_the_pinball_loss_smoothed_within_s_log2(alpha):
    s = 0.7
    loss = boostobj.SmoothQuantileLoss(alpha=alpha, scale=s)
    r = np.concatenate([np.linspace(-30, 30, 2001), [-1e6, 1e6]])
    y = np.zeros_like(r)
    pin = _pinball(y, r, alpha)
    gap = loss.loss(y, r) / s - pin  # rounding of the large terms aside: in (0, s log 2]
    assert np.all(gap >= -4e-16 * pin) and np.all(gap <= s * np.log(2) * (1 + 1e-15))
    assert np.all(gap[np.abs(r) <= 10] > 0)
    assert gap[1000] == pytest.approx(s * np.log(2), rel=1e-15)  # largest at r = 0
    assert abs(gap[-1]) <= 4e-16 * pin[-1] and gap[0] < 1e-13  # vanishes in the tails
    g = loss.gradient(y, r) / s
    np.testing.assert_allclose(g[[-2, -1]], [-alpha, 1 - alpha], rtol=1e-15)  # pinball slopes


def test_bounded_hessian_majorizes_the_exact_one():
    r = np.array([-1e6, -40.0, -3.0, -1e-9, 0.0, 1e-9, 3.0, 40.0, 1e6])
    y = np.zeros_like(r)
    _, exact = boostobj.SmoothQuantileLoss(scale=1.0, hessian="exact").gradient_hessian(y, r)
    _, bounded = boostobj.SmoothQuantileLoss(scale=1.0).gradient_hessian(y, r)
    assert np.all(bounded >= exact) and bounded[4] == exact[4] == 0.25
    np.testing.assert_allclose(bounded[[1, 7]], 1.0 / (2 * 40.0), rtol=1e-15)  # s / (2|r|)


def test_start_solves_the_smoothed_problem():
    s, alpha = 0.5, 0.9
    loss = boostobj.SmoothQuantileLoss(alpha=alpha, scale=s)
    # equal labels: sigma((c - y)/s) = alpha exactly
    assert loss.init_score(np.full(7, 3.0)) == pytest.approx(3.0 + s * np.log(9.0), rel=1e-15)
    rng = np.random.default_rng(0)
    y = rng.normal(0, 5, 3000)
    w = rng.uniform(0.2, 2.0, 3000)
    c = loss.init_score(y, w)
    assert np.sum(w / (1 + np.exp(-(c - y) / s))) == pytest.approx(alpha * w.sum(), rel=1e-12)
    # small s: close to the weighted quantile (what the pinball loss would start from)
    q = boostobj.QuantileLoss(alpha=alpha).init_score(y, w)
    assert abs(c - q) < 0.1
    assert boostobj.SmoothQuantileLoss(alpha=alpha, scale=0.5, hessian="exact").init_score(y, w) == c


def test_auto_scale_is_a_tenth_of_the_robust_scale():
    rng = np.random.default_rng(1)
    y = rng.standard_t(2, 500) * 100.0
    w = rng.uniform(0.5, 2.0, 500)
    fit = boostobj.SmoothQuantileLoss(alpha=0.3).resolved(y, w)
    assert fit.scale == 0.1 * robust_scale(y, w) and fit.alpha == 0.3
    assert repr(boostobj.SmoothQuantileLoss()) == "SmoothQuantileLoss()"


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"alpha": 1.0}, "alpha must be strictly between 0 and 1"),
    ({"scale": 0.0}, "scale must be 'auto' or a number > 0"),
    ({"scale": "robust"}, "scale must be 'auto' or a number > 0"),
    ({"hessian": "newton"}, "hessian must be one of"),
])
def test_bad_hyperparameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        boostobj.SmoothQuantileLoss(**kwargs)


@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
def test_trains_to_the_conditional_quantile(library):
    pytest.importorskip(library)
    rng = np.random.default_rng(2)
    n = 3000
    X = rng.uniform(-1, 1, (n, 3))
    y = 3 * X[:, 0] + (1 + X[:, 1] + 1) * rng.normal(size=n)  # heteroscedastic
    loss = boostobj.SmoothQuantileLoss(alpha=0.9)
    if library == "xgboost":
        model = boostobj.XGBRegressor(objective=loss, n_estimators=150, max_depth=3, nthread=1)
    else:
        model = boostobj.LGBMRegressor(objective=loss, n_estimators=150, num_leaves=7,
                                       verbose=-1, n_jobs=1)
    pred = model.fit(X[:2000], y[:2000]).predict(X[2000:])
    coverage = np.mean(y[2000:] <= pred)
    assert 0.85 < coverage < 0.95
    const = boostobj.QuantileLoss(alpha=0.9).init_score(y[:2000])
    assert _pinball(y[2000:], pred, 0.9).mean() < 0.85 * _pinball(y[2000:], const, 0.9).mean()
