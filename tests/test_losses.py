"""Generic tests of the loss math: every test walks ALL_LOSSES (conftest)."""

import copy
import math
import pickle

import mpmath as mp
import numpy as np
import pytest
from conftest import ALL_LOSSES, accepts, labels_for, margins_for
from scipy.optimize import minimize_scalar

import boostobj
from boostobj.registry import LOSSES

LOSS_IDS = [repr(loss) for loss in ALL_LOSSES]
EXACT = [loss for loss in ALL_LOSSES if loss.hessian == "exact"]


def test_every_registered_loss_is_tested():
    tested = {type(loss) for loss in ALL_LOSSES}
    missing = [name for name, cls in LOSSES.items() if cls not in tested]
    assert not missing, f"add {missing} to tests/conftest.py ALL_LOSSES"


def _fd(f, z, eps):
    """Fourth-order central difference of an elementwise function (as sklearn's loss tests)."""
    return (-f(z + 2 * eps) + 8 * f(z + eps) - 8 * f(z - eps) + f(z - 2 * eps)) / (12 * eps)


def _check_columns(loss, z, func, want, rtol=5e-6, atol=1e-9):
    """``want`` against the finite differences of ``func(z)``, one class column at a time for
    multiclass margins (``func`` returns per-row values for that column)."""
    columns = range(z.shape[1]) if loss.task == "multiclass" else [None]
    for k in columns:
        def f(zk, k=k):
            if k is None:
                return func(zk, None)
            zz = z.copy()
            zz[:, k] = zk
            return func(zz, k)

        num = _fd(f, z if k is None else z[:, k], 1e-5)
        np.testing.assert_allclose(want if k is None else want[:, k], num, rtol=rtol, atol=atol)


def _check_coupled(z, total, want, rows=40, rtol=5e-6, atol=1e-7):
    """``want`` against the finite differences of ``total(z)`` (a sum over every row, for a loss
    that couples its rows) along each of the first ``rows`` margins, one at a time."""
    num = np.empty(rows)
    for i in range(rows):
        def f(v, i=i):
            zz = z.copy()
            zz[i] = v
            return total(zz)

        num[i] = (-f(z[i] + 2e-5) + 8 * f(z[i] + 1e-5) - 8 * f(z[i] - 1e-5)
                  + f(z[i] - 2e-5)) / 12e-5
    np.testing.assert_allclose(want[:rows], num, rtol=rtol, atol=atol)


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=LOSS_IDS)
def test_gradient_matches_finite_differences(loss, rng):
    y = labels_for(loss, 200, rng)
    z = margins_for(loss, 200, rng)
    g, _ = loss.gradient_hessian(y, z)
    if loss.couples_rows:  # the gradient of the summed loss, one margin at a time
        _check_coupled(z, lambda zz: math.fsum(loss.loss(y, zz)), g)
        return
    _check_columns(loss, z, lambda zz, k: loss.loss(y, zz), g)


# every loss whose hessian option is the true second derivative (FocalLoss(gamma=0)'s bounded
# hessian equals it too)
@pytest.mark.parametrize("loss", EXACT + [boostobj.FocalLoss(gamma=0.0)], ids=lambda loss: repr(loss))
def test_exact_hessian_matches_finite_differences(loss, rng):
    y = labels_for(loss, 200, rng)
    z = margins_for(loss, 200, rng)
    _, h = loss.gradient_hessian(y, z)
    if loss.couples_rows:  # the diagonal: row i's gradient in row i's margin
        rows = 40
        num = np.empty(rows)
        for i in range(rows):
            def gi(v, i=i):
                zz = z.copy()
                zz[i] = v
                return loss.gradient(y, zz)[i]

            num[i] = (-gi(z[i] + 2e-5) + 8 * gi(z[i] + 1e-5) - 8 * gi(z[i] - 1e-5)
                      + gi(z[i] - 2e-5)) / 12e-5
        np.testing.assert_allclose(h[:rows], num, rtol=5e-6, atol=1e-8)
        return

    def grad(zz, k):
        g = loss.gradient(y, zz)
        return g if k is None else g[:, k]

    _check_columns(loss, z, grad, h)


# ----------------------------------------------------------------------------- exact values
# References computed with mpmath at 60 digits from the textbook definitions (no rewriting),
# derivatives by mpmath's high-precision numerical differentiation.
mp.mp.dps = 60


def _ref_binary(loss, y, z):
    gamma = getattr(loss, "gamma", 0.0)
    alpha = getattr(loss, "alpha", None)
    eps = mp.mpf(getattr(loss, "label_smoothing", 0.0))
    if eps:  # cross-entropy with the smoothed target y (1 - eps) + eps / 2
        yt = y * (1 - eps) + eps / 2
        return lambda m: yt * mp.log1p(mp.exp(-m)) + (1 - yt) * mp.log1p(mp.exp(m))

    def L(m):
        p = 1 / (1 + mp.exp(-m))
        pt = p if y == 1 else 1 - p
        at = 1 if alpha is None else (alpha if y == 1 else 1 - alpha)
        # -log(pt) written as log1p(exp(-u)) so mpmath does not need absurd precision at 1e6
        u = m if y == 1 else -m
        return at * (1 - pt) ** gamma * mp.log1p(mp.exp(-u))

    return L


def _ref_regression(loss):
    """Loss, gradient and hessian of a residual loss: the textbook formulas in mpmath (the
    derivatives in closed form: numerical differentiation cannot reach a hessian of 1e-247 next
    to a loss of 1e3)."""
    if isinstance(loss, boostobj.LogCoshLoss):
        s = mp.mpf(loss.scale)
        return (lambda r: s * s * mp.log(mp.cosh(r / s)), lambda r: s * mp.tanh(r / s),
                lambda r: mp.sech(r / s) ** 2)
    if isinstance(loss, boostobj.PseudoHuberLoss):
        d = mp.mpf(loss.delta)
        return (lambda r: d * d * (mp.sqrt(1 + (r / d) ** 2) - 1),
                lambda r: r / mp.sqrt(1 + (r / d) ** 2), lambda r: (1 + (r / d) ** 2) ** -1.5)
    if isinstance(loss, boostobj.HuberLoss):
        d = mp.mpf(loss.delta)
        return (lambda r: r * r / 2 if abs(r) <= d else d * (abs(r) - d / 2),
                lambda r: max(-d, min(d, r)), lambda r: mp.mpf(1 if abs(r) < d else 0))
    if isinstance(loss, boostobj.QuantileLoss):
        a = mp.mpf(loss.alpha)
        return (lambda r: -a * r if r < 0 else (1 - a) * r, lambda r: -a if r < 0 else 1 - a,
                lambda r: mp.mpf(0))
    if isinstance(loss, boostobj.SmoothQuantileLoss):  # s times Zheng's smooth pinball
        a, s = mp.mpf(loss.alpha), mp.mpf(loss.scale)
        sig = lambda r: 1 / (1 + mp.exp(-r / s))
        return (lambda r: s * (a * -r + s * mp.log1p(mp.exp(r / s))), lambda r: s * (sig(r) - a),
                lambda r: sig(r) * sig(-r))
    if isinstance(loss, boostobj.ExpectileLoss):
        t = mp.mpf(loss.tau)
        om = lambda r: t if r < 0 else 1 - t
        return lambda r: om(r) * r * r / 2, lambda r: om(r) * r, lambda r: om(r)
    if isinstance(loss, boostobj.FairLoss):
        c = mp.mpf(loss.c)
        return (lambda r: c * c * (abs(r) / c - mp.log(1 + abs(r) / c)),
                lambda r: c * r / (abs(r) + c), lambda r: c * c / (abs(r) + c) ** 2)
    if isinstance(loss, boostobj.CauchyLoss):
        s = mp.mpf(loss.scale)
        return (lambda r: s * s / 2 * mp.log(1 + (r / s) ** 2), lambda r: r / (1 + (r / s) ** 2),
                lambda r: (1 - (r / s) ** 2) / (1 + (r / s) ** 2) ** 2)
    if isinstance(loss, boostobj.WelschLoss):
        s = mp.mpf(loss.scale)
        return (lambda r: s * s / 2 * (1 - mp.exp(-(r / s) ** 2)),
                lambda r: r * mp.exp(-(r / s) ** 2),
                lambda r: (1 - 2 * (r / s) ** 2) * mp.exp(-(r / s) ** 2))
    return lambda r: r * r / 2, lambda r: r, lambda r: mp.mpf(1)


def _ref_log(loss, y):
    """Loss, gradient and exact hessian of a log-link loss in the margin ``z``: half the unit
    deviance of its distribution in its textbook form, with closed-form derivatives."""
    y = mp.mpf(y)
    if isinstance(loss, boostobj.PoissonLoss):
        return (lambda z: (y * mp.log(y / mp.exp(z)) if y else 0) - y + mp.exp(z),
                lambda z: mp.exp(z) - y, lambda z: mp.exp(z))
    if isinstance(loss, boostobj.GammaLoss):
        return (lambda z: mp.log(mp.exp(z) / y) + y / mp.exp(z) - 1, lambda z: 1 - y / mp.exp(z),
                lambda z: y / mp.exp(z))
    p = mp.mpf(loss.power)
    a, b = 1 - p, 2 - p
    return (lambda z: y**b / (a * b) - y * mp.exp(a * z) / a + mp.exp(b * z) / b,
            lambda z: mp.exp(b * z) - y * mp.exp(a * z),
            lambda z: b * mp.exp(b * z) - a * y * mp.exp(a * z))


def _ref_squared_log(y):
    """Half squared log error in the margin ``z``, along its tangent below the floor."""
    from boostobj.losses.regression import SQUARED_LOG_FLOOR

    y, z0 = mp.mpf(y), mp.mpf(SQUARED_LOG_FLOOR)
    t = lambda z: mp.log(1 + z) - mp.log(1 + y)
    f, df = (lambda z: t(z) ** 2 / 2), (lambda z: t(z) / (1 + z))
    return (lambda z: f(z) if z >= z0 else f(z0) + df(z0) * (z - z0), lambda z: df(max(z, z0)),
            lambda z: (1 - t(z)) / (1 + z) ** 2 if z >= z0 else mp.mpf(0))


def _ref_mape(y):
    """Absolute error over max(1, |y|); the gradient at z = y is 1/m (CatBoost's choice)."""
    y = mp.mpf(y)
    m = max(1, abs(y))
    return (lambda z: abs(z - y) / m, lambda z: (-1 if z < y else 1) / m, lambda z: mp.mpf(0))


def _extreme_labels(loss):
    if loss.link.name == "logit":
        return [0.0, 1.0]
    if loss.link.name == "log":
        return [0.0, 2.5] if accepts(loss, 0.0) else [0.5, 2.5]
    return [0.0, 2.5]


def _reference(loss, y, z):
    """Loss, gradient and hessian of ``loss`` at label ``y`` as functions of the mpmath margin
    (a combination: the weighted sums of its parts')."""
    if isinstance(loss, boostobj.CombinedLoss):
        refs = [(mp.mpf(w), _reference(part, y, z)) for w, part in loss.losses]
        return tuple((lambda m, i=i: sum(w * r[i](m) for w, r in refs)) for i in range(3))
    if loss.link.name == "logit":
        f = _ref_binary(loss, y, z)
        return f, (lambda m: mp.diff(f, m)), (lambda m: mp.diff(f, m, 2))
    if loss.link.name == "log":
        return _ref_log(loss, y)
    if isinstance(loss, boostobj.SquaredLogErrorLoss):  # a function of y and z, not of z - y
        return _ref_squared_log(y)
    if isinstance(loss, boostobj.MAPELoss):
        return _ref_mape(y)
    refs = _ref_regression(loss.resolved(np.array([y])))  # "auto" on one label: 1
    return tuple((lambda m, r=r: r(m - mp.mpf(y))) for r in refs)


EXTREME_MARGINS = [-1e6, -1e3, -711.0, -37.0, -3.0, -1e-8, 0.0, 1e-8, 3.0, 37.0, 711.0, 1e3, 1e6]


def _close(got, want, rtol=1e-12):
    want = float(want)
    if not np.isfinite(want):  # the true value overflows float64 (exp of a huge margin)
        assert got == want, (got, want)
        return
    assert np.isfinite(got)
    if abs(want) < 1e-300:  # the true value underflows float64
        assert abs(got) < 1e-300, (got, want)
    else:
        assert abs(got - want) <= rtol * abs(want), (got, want)


# (the survival losses' 60-digit references are in tests/test_survival.py)
@pytest.mark.parametrize("loss", [lo for lo in ALL_LOSSES if lo.task in ("binary", "regression")],
                         ids=lambda lo: repr(lo))
@pytest.mark.parametrize("z", EXTREME_MARGINS)
def test_exact_values_at_extremes(loss, z):
    for y in _extreme_labels(loss):
        f, df, d2f = _reference(loss, y, z)
        at = mp.mpf(z)
        lo = loss.loss(np.array([y]), np.array([z]))[0]
        g, h = (a[0] for a in loss.gradient_hessian(np.array([y]), np.array([z])))
        _close(lo, f(at))
        _close(g, df(at))
        if loss.hessian == "exact":
            _close(h, d2f(at), rtol=1e-10)
        else:  # a positive surrogate; it may underflow to 0, or overflow where the exact one does
            assert h >= 0 and (np.isfinite(h) or not np.isfinite(float(d2f(at))))


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_finite_everywhere(loss, dtype, rng):
    n = 2001
    y = labels_for(loss, n, rng)
    if loss.link.name == "identity" and accepts(loss, -1e6):
        y = np.linspace(-1e6, 1e6, n)[::-1].copy()
    # log link: exp(z) itself overflows float64 past 709.78, and so does the loss
    z = np.linspace(-700.0, 700.0, n) if loss.link.name == "log" else np.linspace(-1e6, 1e6, n)
    if loss.task == "multiclass":
        z = np.column_stack([z, -z, z[::-1]])
    z = z.astype(dtype)
    lo = loss.loss(y, z)
    g, h = loss.gradient_hessian(y, z)
    for arr in (lo, g, h):
        assert arr.dtype == np.float64
        assert np.all(np.isfinite(arr))
    assert np.all(lo >= 0)


@pytest.mark.parametrize("loss", [lo for lo in ALL_LOSSES if lo.link.name == "log"], ids=repr)
def test_log_link_beyond_overflow_is_inf_never_nan(loss, rng):
    y = labels_for(loss, 4, rng)
    z = np.array([-1e6, -800.0, 800.0, 1e6])
    for arr in (loss.loss(y, z), *loss.gradient_hessian(y, z)):
        assert not np.isnan(arr).any()


def test_pseudo_huber_and_log_cosh_hessians_are_positive_and_bounded():
    r = np.array([-1e6, -50.0, -1.0, 0.0, 1e-9, 1.0, 50.0, 1e6])
    y = np.zeros_like(r)
    for loss in (boostobj.LogCoshLoss(), boostobj.PseudoHuberLoss(delta=1.0)):
        g, h = loss.gradient_hessian(y, r)
        assert np.all(h > 0) and np.all(h <= 1)
        nz = r != 0
        np.testing.assert_allclose(h[nz], g[nz] / r[nz], rtol=1e-15)  # gradient / residual
        assert h[r == 0][0] == 1.0


def test_focal_bounded_hessian_is_positive_where_exact_is_negative():
    y = np.array([1.0, 1.0, 0.0, 0.0])
    z = np.array([-8.0, 8.0, 8.0, -8.0])  # two confidently wrong, two confidently right rows
    exact = boostobj.FocalLoss(gamma=2.0, hessian="exact").gradient_hessian(y, z)[1]
    bounded = boostobj.FocalLoss(gamma=2.0).gradient_hessian(y, z)[1]
    assert exact[0] < 0 and exact[2] < 0  # the exact hessian is negative on confidently wrong rows
    assert np.all(bounded > 0)
    np.testing.assert_array_equal(bounded[[1, 3]], exact[[1, 3]])


def test_focal_exact_hessian_sign_threshold():
    """gamma=2: the exact hessian changes sign at p_t = 0.0578 (the number in the docs)."""
    loss = boostobj.FocalLoss(gamma=2.0, hessian="exact")
    pt = np.array([0.055, 0.060])
    z = np.log(pt / (1 - pt))  # y = 1, so p_t = sigmoid(z)
    h = loss.gradient_hessian(np.ones(2), z)[1]
    assert h[0] < 0 < h[1]


# ----------------------------------------------------------------------------- identities
def test_focal_gamma0_equals_log_loss(rng):
    y = (rng.random(500) < 0.4).astype(float)
    z = rng.normal(0, 10, 500)
    a, b = boostobj.FocalLoss(gamma=0.0), boostobj.BinaryLogLoss()
    np.testing.assert_allclose(a.loss(y, z), b.loss(y, z), rtol=1e-15)
    for u, v in zip(a.gradient_hessian(y, z), b.gradient_hessian(y, z)):
        np.testing.assert_allclose(u, v, rtol=1e-15)
    assert a.init_score(y) == pytest.approx(b.init_score(y), rel=1e-12)


def test_focal_is_below_log_loss_and_ratio(rng):
    y = (rng.random(500) < 0.4).astype(float)
    z = rng.normal(0, 4, 500)
    foc, ll = boostobj.FocalLoss(gamma=2.0).loss(y, z), boostobj.BinaryLogLoss().loss(y, z)
    assert np.all(foc <= ll)
    pt = np.where(y == 1, 1 / (1 + np.exp(-z)), 1 / (1 + np.exp(z)))
    np.testing.assert_allclose(foc / ll, (1 - pt) ** 2, rtol=1e-10)  # torchvision's identity


def test_regression_limits():
    r = np.array([1e-4, 1e-3, 30.0, 40.0])
    lc = boostobj.LogCoshLoss().loss(np.zeros(4), r)
    np.testing.assert_allclose(lc[:2], r[:2] ** 2 / 2, rtol=1e-6)
    np.testing.assert_allclose(lc[2:], r[2:] - np.log(2), rtol=1e-15)
    ph = boostobj.PseudoHuberLoss(delta=1e4).loss(np.zeros(4), r)
    np.testing.assert_allclose(ph, r**2 / 2, rtol=1e-5)


# ----------------------------------------------------------------------------- init_score
@pytest.mark.parametrize("loss", [lo for lo in ALL_LOSSES if lo.task != "multiclass"], ids=lambda lo: repr(lo))
@pytest.mark.parametrize("weighted", [False, True])
def test_init_score_is_the_argmin(loss, weighted, rng):
    """Single-output losses; the multiclass ones are checked in test_multiclass.py."""
    n = 300
    y = labels_for(loss, n, rng)
    w = rng.uniform(0.1, 3.0, n) if weighted else None
    init = loss.init_score(y, w)
    g = loss.gradient(y, np.full(n, init), w)
    kinked = (boostobj.QuantileLoss, boostobj.MAPELoss)
    if not isinstance(loss, kinked):  # a kink at its minimiser: a subgradient
        assert abs(g.sum()) <= 1e-9 * n
    res = minimize_scalar(lambda c: loss.mean_loss(y, np.full(n, c), w), bracket=(init - 1, init + 1),
                          tol=1e-12)
    assert loss.mean_loss(y, np.full(n, init), w) <= res.fun + 1e-12
    # a kinked loss's minimisers can be an interval; a Cox partial likelihood ignores a common
    # shift, so every constant is one
    if not isinstance(loss, (*kinked, boostobj.CoxPHLoss)):
        assert init == pytest.approx(res.x, abs=1e-5)


def test_init_score_closed_forms(rng):
    y = (rng.random(1000) < 0.2).astype(float)
    w = rng.uniform(0.5, 2, 1000)
    p = np.average(y, weights=w)
    assert boostobj.BinaryLogLoss().init_score(y, w) == pytest.approx(np.log(p / (1 - p)), rel=1e-14)
    yr = rng.normal(5, 2, 1000)
    assert boostobj.SquaredErrorLoss().init_score(yr, w) == pytest.approx(np.average(yr, weights=w), rel=1e-14)
    assert np.isfinite(boostobj.BinaryLogLoss().init_score(np.ones(10)))
    assert np.isfinite(boostobj.FocalLoss().init_score(np.zeros(10)))


# ----------------------------------------------------------------------------- weights, shapes
@pytest.mark.parametrize("loss", ALL_LOSSES, ids=LOSS_IDS)
def test_weights_multiply_and_inputs_are_not_modified(loss, rng):
    n = 100
    y = labels_for(loss, n, rng)
    z = margins_for(loss, n, rng)
    w = rng.uniform(0, 3, n)
    y0, z0, w0 = y.copy(), z.copy(), w.copy()
    loss = loss.resolved(y, w)  # "auto" scales are estimated with the weights: fix them first
    g, h = loss.gradient_hessian(y, z)
    gw, hw = loss.gradient_hessian(y, z, w)
    if not loss.couples_rows:  # (Cox: the weights enter the risk sums, tests/test_survival.py)
        ww = w[:, None] if loss.task == "multiclass" else w
        np.testing.assert_allclose(gw, g * ww, rtol=1e-15)
        np.testing.assert_allclose(hw, h * ww, rtol=1e-15)
        np.testing.assert_allclose(loss.loss(y, z, w), loss.loss(y, z) * w, rtol=1e-15)
    for out in (g, h, gw, hw):
        assert not np.shares_memory(out, z) and not np.shares_memory(out, y)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(z, z0)
    np.testing.assert_array_equal(w, w0)


@pytest.mark.parametrize("loss", [lo for lo in ALL_LOSSES if lo.task != "multiclass"], ids=lambda lo: repr(lo))
def test_column_vectors_and_float32(loss, rng):
    n = 50
    y = labels_for(loss, n, rng)
    z = margins_for(loss, n, rng)
    g, _h = loss.gradient_hessian(y, z)
    g2, _h2 = loss.gradient_hessian(y if y.ndim == 2 else y[:, None], z[:, None])
    np.testing.assert_array_equal(g, g2)
    g3, _ = loss.gradient_hessian(y.astype(np.float32), z.astype(np.float32))
    np.testing.assert_allclose(g3, g, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=LOSS_IDS)
def test_pickle_copy_repr_equality(loss, rng):
    y = labels_for(loss, 20, rng)
    z = margins_for(loss, 20, rng)
    loss(y, z)  # fills the validation cache, which must not travel
    for clone in (pickle.loads(pickle.dumps(loss)), copy.deepcopy(loss), eval(repr(loss), vars(boostobj))):
        assert clone == loss and hash(clone) == hash(loss)
        for a, b in zip(clone.gradient_hessian(y, z), loss.gradient_hessian(y, z)):
            np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: boostobj.FocalLoss(gamma=-1), "gamma must be >= 0"),
        (lambda: boostobj.FocalLoss(gamma=float("nan")), "gamma must be finite"),
        (lambda: boostobj.FocalLoss(alpha=1.5), r"1 - alpha \(the weight of the negatives\) must be > 0"),
        (lambda: boostobj.FocalLoss(alpha=0.0), r"alpha must be > 0.*never predicts it"),
        (lambda: boostobj.FocalLoss(alpha=1.0), r"1 - alpha .* must be > 0.*never predicts it"),
        (lambda: boostobj.MulticlassFocalLoss(alpha=[0, 1, 1]), r"alpha\[0\] must be > 0.*never predicts it"),
        (lambda: boostobj.FocalLoss(alpha=float("inf")), "alpha must be finite"),
        (lambda: boostobj.PseudoHuberLoss(delta=0), "delta must be 'auto' or a number > 0"),
        (lambda: boostobj.PseudoHuberLoss(delta=float("inf")), "delta must be finite"),
        (lambda: boostobj.LogCoshLoss(hessian="newton"), "hessian must be one of"),
        (lambda: boostobj.FocalLoss().set_params(gamma=-1), "gamma must be >= 0"),
        (lambda: boostobj.FocalLoss().set_params(beta=1), "has no parameter 'beta'"),
        (lambda: setattr(boostobj.PseudoHuberLoss(), "delta", -1.0), "delta must be 'auto' or a number > 0"),
    ],
)
def test_bad_hyperparameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_hyperparameters_are_keyword_only_and_typed():
    with pytest.raises(TypeError):
        boostobj.FocalLoss(2.0)  # type: ignore[misc]
    with pytest.raises(TypeError, match="gamma must be a real number"):
        boostobj.FocalLoss(gamma="2")


@pytest.mark.parametrize(
    ("loss", "y", "z", "w", "exc", "match"),
    [
        (boostobj.BinaryLogLoss(), [0, 1, 2], [0, 0, 0], None, ValueError, "binary labels must be 0 or 1"),
        (boostobj.BinaryLogLoss(), [0, 1, np.nan], [0, 0, 0], None, ValueError, "binary labels"),
        (boostobj.LogCoshLoss(), [0, 1, np.inf], [0, 0, 0], None, ValueError, "NaN or inf"),
        (boostobj.LogCoshLoss(), [0, 1, 2], [0, 0], None, ValueError, "must match"),
        (boostobj.LogCoshLoss(), [0, 1, 2], [0, 0, 0], [1, -1, 1], ValueError, "must be >= 0"),
        (boostobj.LogCoshLoss(), [0, 1, 2], [0, 0, 0], [1, np.nan, 1], ValueError, "finite"),
        (boostobj.LogCoshLoss(), [0, 1, 2], [0, 0, 0], [1, 1], ValueError, "2 entries"),
        (boostobj.LogCoshLoss(), [0, 1, 2], [0, 0, 0], [0, 0, 0], ValueError, "sums to 0"),
        (boostobj.LogCoshLoss(), [[0, 1], [2, 3]], [0, 0], None, ValueError, "shape"),
        (boostobj.LogCoshLoss(), [0, 1], [[0, 1], [2, 3]], None, ValueError, "shape"),
        (boostobj.LogCoshLoss(), ["a", "b"], [0, 0], None, TypeError, "numeric.*LabelEncoder"),
        (boostobj.MulticlassFocalLoss(alpha=[0.2, 0.8]), [0, 1, 2], np.zeros((3, 2)), None,
         ValueError, "alpha has 2 weights, one per class"),
    ],
)
def test_bad_inputs_raise_clear_errors(loss, y, z, w, exc, match):
    with pytest.raises(exc, match=match):
        loss.gradient_hessian(np.array(y), np.array(z), None if w is None else np.array(w))


def test_core_needs_neither_boosting_library():
    """numpy and scipy are the only hard dependencies: the math, the metric and even a native-call
    dispatch decision work with xgboost and lightgbm made unimportable."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['xgboost'] = None; sys.modules['lightgbm'] = None\n"
        "from boostobj import *\n"
        "import numpy as np\n"
        "g, h = FocalLoss(gamma=2.0).gradient_hessian(np.array([0.0, 1.0]), np.array([0.5, -3.0]))\n"
        "assert np.all(h > 0)\n"
        "print(BinaryLogLoss()(np.array([0.0, 1.0]), np.array([0.5, -3.0]))[0].shape)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "(2,)"


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=repr)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_labels_and_weights_changed_in_place_are_seen(loss, dtype, rng):
    # the validated-labels cache compares contents, also for the very array seen before, and
    # keeps its own copies, so the kernels' label-derived arrays cannot go stale either
    n = 300
    y = labels_for(loss, n, rng).astype(dtype)
    w = rng.uniform(0.5, 2.0, n).astype(dtype)
    z = margins_for(loss, n, rng)
    for weights in (None, w):
        fresh = copy.deepcopy(loss)  # no cache travels
        loss(y, z, weights)
        y[:] = labels_for(loss, n, rng)  # new valid labels, same array
        if weights is not None:
            weights *= 1.5
        want = fresh(y.copy(), z, None if weights is None else weights.copy())
        for got, ref in zip(loss(y, z, weights), want):
            np.testing.assert_array_equal(got, ref)
    y[0] = {"identity": np.nan, "log": -1.0}.get(loss.link.name, 7.5)
    with pytest.raises(ValueError):
        loss(y, z)


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=repr)
def test_link_and_inverse_round_trip_including_certain_predictions(loss, rng):
    z = margins_for(loss, 50, rng)
    if loss.task == "multiclass":
        z = z - z.mean(axis=1, keepdims=True)  # the link's margins are centred
        edge = np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0], [0.2, 0.3, 0.5]])
    elif loss.link.name == "logit":
        edge = np.array([0.0, 1.0, 0.25])
    elif loss.link.name == "log":
        edge = np.array([0.0, 1.0, 3.5, 1e300])
    else:
        edge = np.array([-1e300, 0.0, 3.5])
    np.testing.assert_allclose(loss.link.link(loss.link.inverse(z)), z, rtol=1e-12, atol=1e-12)
    back = loss.link.inverse(loss.link.link(edge))
    assert not np.isnan(back).any()
    np.testing.assert_allclose(back, edge, rtol=1e-12, atol=0)


# ----------------------------------------------------------------------------- "auto" scales
@pytest.mark.parametrize("make", [boostobj.PseudoHuberLoss, boostobj.LogCoshLoss])
def test_auto_scale_is_a_robust_spread_of_the_weighted_labels(make, rng):
    from boostobj.losses.regression import robust_scale

    attr = "delta" if make is boostobj.PseudoHuberLoss else "scale"
    y = rng.standard_t(1.5, 4001) * 7.0 + 1000.0
    y[:40] += 1e6  # gross outliers barely move it
    w = rng.uniform(0.5, 2.0, y.size)
    fit = make().resolved(y, w)
    value = getattr(fit, attr)
    assert value == pytest.approx(robust_scale(y, w), rel=0, abs=0)
    # Huber's k times 1.4826 x the weighted MAD around the weighted median, by brute force
    order = np.argsort(y)
    cw = np.cumsum(w[order])
    med = y[order][np.searchsorted(cw, cw[-1] / 2)]
    dev = np.abs(y - med)
    o2 = np.argsort(dev)
    mad = dev[o2][np.searchsorted(np.cumsum(w[o2]), w.sum() / 2)]
    assert value == pytest.approx(1.345 * 1.482602218505602 * mad, rel=1e-12)
    assert 5.0 < value < 30.0  # on the scale of the noise, not of the outliers
    # unweighted and weighted differ; repr, equality and the registry keep "auto"
    assert getattr(make().resolved(y), attr) != value
    assert repr(make()) == f"{make.__name__}()" and make() == make(**{attr: "auto"})
    # a set of all-equal labels gets 1, a zero-inflated one the mean absolute deviation
    assert getattr(make().resolved(np.full(10, 3.0)), attr) == 1.0
    zi = np.r_[np.zeros(80), rng.exponential(100.0, 20)]
    expected = 1.345 * np.sqrt(np.pi / 2) * np.mean(np.abs(zi))
    assert getattr(make().resolved(zi), attr) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("make", [boostobj.PseudoHuberLoss, boostobj.LogCoshLoss])
def test_auto_loss_trains_with_the_scale_of_its_training_labels(make, rng):
    y = rng.normal(5000.0, 800.0, 500)
    z = np.full(y.size, 5000.0, dtype=np.float32)
    loss = make()
    y32 = y.astype(np.float32).astype(np.float64)  # the labels the libraries hold
    fit = loss.resolved(y32)
    g, h = loss(y.astype(np.float32), z)  # what XGBoost's estimators call
    g_ref, h_ref = fit.gradient_hessian(y.astype(np.float32), z)
    np.testing.assert_allclose(g, g_ref, rtol=1e-6, atol=1e-3)
    np.testing.assert_allclose(h, np.maximum(h_ref, 1e-16), rtol=1e-6)
    assert np.median(h) > 0.3  # O(1) hessians near the start: min_child_weight means something
    # no process-wide state: the metric scores with the loss resolved on the rows it is handed,
    # as mean_loss does (the estimators bind the training scale: fit.metric)
    assert loss.metric(y[:50], z[:50]) == loss.mean_loss(y[:50], z[:50])
    assert loss.metric(y[:50], z[:50]) != pytest.approx(fit.mean_loss(y[:50], z[:50]), rel=1e-6)
    assert fit.metric(y[:50], z[:50]) == pytest.approx(fit.mean_loss(y[:50], z[:50]), rel=1e-12)
    assert loss.init_score(y32) == fit.init_score(y32)
    for copy_ in (pickle.loads(pickle.dumps(loss)), copy.deepcopy(loss)):
        assert copy_ == loss and copy_.has_auto()


def test_log_cosh_scale_is_squared_error_near_zero_and_linear_in_the_tails():
    loss = boostobj.LogCoshLoss(scale=50.0)
    r = np.array([1e-3, 0.5, 5e3, -5e4])
    lo = loss.loss(np.zeros(4), r)
    np.testing.assert_allclose(lo[:2], r[:2] ** 2 / 2, rtol=1e-4)
    np.testing.assert_allclose(lo[2:], 50.0 * np.abs(r[2:]) - 2500.0 * np.log(2), rtol=1e-12)
    g, h = loss.gradient_hessian(np.zeros(4), r)
    np.testing.assert_allclose(g[2:], 50.0 * np.sign(r[2:]), rtol=1e-12)
    np.testing.assert_allclose(h[0], 1.0, rtol=1e-9)


# ----------------------------------------------------------------------------- hyperparameters
def test_hyperparameters_follow_scikit_learn_conventions():
    from sklearn.base import clone

    loss = boostobj.FocalLoss(gamma=1.0, alpha=0.75)
    assert loss.get_params() == {"gamma": 1.0, "alpha": 0.75, "hessian": "bounded"}
    assert loss.set_params(gamma=0.5) is loss and loss.gamma == 0.5
    twin = clone(loss)
    assert twin == loss and twin is not loss
    with pytest.raises(ValueError, match="gamma must be >= 0"):
        loss.gamma = -1.0  # validated like the constructor
    with pytest.raises(ValueError, match="alpha must be > 0"):
        loss.set_params(alpha=0.0)
    assert loss.get_params() == {"gamma": 0.5, "alpha": 0.75, "hessian": "bounded"}  # unchanged
    with pytest.raises(ValueError, match="SoftmaxLoss has no parameter 'hessian'"):
        boostobj.SoftmaxLoss().set_params(hessian="bounded")


def test_metric_names_carry_the_hyperparameters():
    names = {boostobj.FocalLoss(gamma=g).metric.__name__ for g in (1.0, 2.0, 3.0)}
    assert len(names) == 3 and "focal_loss" in names  # the default keeps the plain name
    assert boostobj.FocalLoss(gamma=1.0, alpha=0.25).metric.__name__ == "focal_loss[gamma=1,alpha=0.25]"


def test_messages_and_reprs_print_plain_numbers():
    loss = boostobj.FocalLoss(gamma=np.float64(1.5), alpha=np.float32(0.5))
    assert repr(loss) == "FocalLoss(gamma=1.5, alpha=0.5)"
    with pytest.raises(ValueError) as info:
        boostobj.PseudoHuberLoss(delta=np.float64(-2.0))
    assert "np." not in str(info.value) and "-2.0" in str(info.value)
    with pytest.raises(TypeError) as info:
        boostobj.FocalLoss(gamma=np.array([1.0, 2.0]))
    assert "np." not in str(info.value)


def test_degenerate_hyperparameters_warn_once_naming_why():
    with pytest.warns(boostobj.DegenerateWarning, match="learns next to nothing") as record:
        loss = boostobj.FocalLoss(gamma=50.0)
    assert len(record) == 1 and record[0].filename == __file__  # points at the user's line
    with pytest.warns(boostobj.DegenerateWarning, match="learns next to nothing"):
        boostobj.MulticlassFocalLoss(gamma=30.0)
    rng = np.random.default_rng(0)
    y = rng.normal(0.0, 1.0, 200)
    tiny = boostobj.FitObjective(boostobj.PseudoHuberLoss(delta=1e-12))  # one training's calls
    with pytest.warns(boostobj.DegenerateWarning, match="cannot split") as record:
        tiny(y, np.zeros(200, np.float32))
    assert len(record) == 1
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tiny(y, np.ones(200, np.float32))  # the same training set: no second warning
        boostobj.PseudoHuberLoss(delta=0.5)(y, np.zeros(200, np.float32))
    assert loss.gamma == 50.0


def test_multiclass_focal_start_is_checked_not_taken_from_a_stalled_solver(monkeypatch):
    import scipy.optimize

    from boostobj.losses import multiclass

    y = np.array([0.0] * 50 + [1.0] * 30 + [2.0] * 20)
    loss = boostobj.MulticlassFocalLoss(gamma=2.0)
    good = loss.init_score(y)
    real = scipy.optimize.minimize

    def stalled(fun, x0, **kw):  # a solver that gives up at its starting point
        if kw.get("method") == "L-BFGS-B":
            return scipy.optimize.OptimizeResult(x=np.asarray(x0), success=False, message="stalled")
        return real(fun, x0, **kw)

    monkeypatch.setattr(multiclass, "minimize", stalled)
    np.testing.assert_allclose(loss.init_score(y), good, atol=1e-8)  # BFGS finished the job
    monkeypatch.setattr(multiclass, "minimize", lambda fun, x0, **kw: scipy.optimize.OptimizeResult(
        x=np.asarray(x0), success=False, message="stalled"))
    with pytest.raises(ValueError, match="did not converge"):
        loss.init_score(y)


@pytest.mark.parametrize("make", [boostobj.PseudoHuberLoss, boostobj.LogCoshLoss])
def test_auto_scale_validates_the_weights(make):
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):
        make().resolved(np.arange(5.0), -np.ones(5))
    with pytest.raises(ValueError, match="entries but there are 5 samples"):
        make().resolved(np.arange(5.0), np.ones(4))


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=LOSS_IDS)
def test_loss_sums_are_the_per_row_sums_over_blocks(loss, rng, monkeypatch):
    """``loss_sums`` (what every metric adds up) equals the plain sums of ``loss`` over rows that
    span several blocks, weighted and not; ``mean_loss`` is their ratio."""
    from boostobj.losses import _base

    monkeypatch.setattr(_base, "SUM_BLOCK", 64)  # many blocks, a partial last one
    n = 1000
    y = labels_for(loss, n, rng)
    z = margins_for(loss, n, rng)
    w = rng.uniform(0.0, 3.0, n)
    cox = isinstance(loss, boostobj.CoxPHLoss)  # its metric is per (weighted) event
    for weights in (None, w):
        per_row = loss.loss(y, z, weights)
        total, weight = loss.loss_sums(y, z, weights)
        assert total == pytest.approx(float(np.sum(per_row)), rel=1e-13)
        rows = y[:, 1] if cox else np.ones(n)
        assert weight == pytest.approx(float(np.sum(rows if weights is None else rows * w)),
                                       rel=1e-15)
        assert loss.mean_loss(y, z, weights) == total / weight
    with pytest.raises(ValueError, match="sums to 0"):  # refused by the weight check
        loss.mean_loss(y, z, np.zeros(n))
    with pytest.raises(ValueError, match="no events" if cox else "sum to zero"):  # no rows
        loss.mean_loss(y[:0], z[:0])


def test_loss_sums_overflow_to_inf_not_an_error():
    """A diverging model's metric reports inf (as numpy's sums do), it does not raise."""
    from boostobj.losses import _base

    n = 8 * _base.SUM_BLOCK
    assert boostobj.SquaredErrorLoss().mean_loss(np.zeros(n), np.full(n, 5e151)) == np.inf
