"""The survival objectives (boostobj.losses.survival): Cox partial likelihood, AFT and Harrell's C.

References are computed with mpmath at 60 digits from the textbook definitions (the partial
likelihood as a double sum, the AFT likelihood from the distribution functions), derivatives by
mpmath's numerical differentiation; the Cox gradient is also checked against its O(n^2) formula
and the concordance against an O(n^2) count.
"""

import math
import pickle

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boostobj.losses.survival import AFTLoss, CoxPHLoss, concordance_index, cox_labels

mp.mp.dps = 60


# ===================================================================================== Cox
def _cox_data(rng, n, n_times=None, weights=True):
    t = (rng.integers(1, n_times + 1, n) if n_times else rng.permutation(n) + 1).astype(float)
    e = (rng.random(n) < 0.6).astype(float)
    w = rng.uniform(0.2, 2.0, n) if weights else None
    return np.column_stack([t, e]), w


def _mp_npll(t, e, w, m, efron):
    """The negative log partial likelihood at 60 digits, straight from its definition."""
    n = len(t)
    w = [mp.mpf(1)] * n if w is None else [mp.mpf(x) for x in w]
    total = mp.mpf(0)
    for time in sorted(set(t)):
        risk = [j for j in range(n) if t[j] >= time]
        dead = [j for j in range(n) if t[j] == time and e[j] and w[j] > 0]
        if not dead:
            continue
        s = mp.fsum(w[j] * mp.exp(m[j]) for j in risk)
        total -= mp.fsum(w[j] * m[j] for j in dead)
        if efron:
            d = len(dead)
            big_d = mp.fsum(w[j] * mp.exp(m[j]) for j in dead)
            wbar = mp.fsum(w[j] for j in dead) / d
            total += wbar * mp.fsum(mp.log(s - mp.mpf(r) / d * big_d) for r in range(d))
        else:
            total += mp.fsum(w[j] for j in dead) * mp.log(s)
    return total


def _mp_cox_reference(y, w, m, efron):
    t, e = list(y[:, 0]), list(y[:, 1])
    mm = [mp.mpf(float(x)) for x in m]
    value = _mp_npll(t, e, w, mm, efron)
    grads, hesses = [], []
    for i in range(len(mm)):
        def f(x, i=i):
            return _mp_npll(t, e, w, mm[:i] + [x] + mm[i + 1:], efron)
        grads.append(mp.diff(f, mm[i]))
        hesses.append(mp.diff(f, mm[i], 2))
    return value, grads, hesses


@pytest.mark.parametrize("ties", ["breslow", "efron"])
@pytest.mark.parametrize("case", ["untied", "tied", "tied-weighted", "large", "huge"])
def test_cox_matches_60_digit_reference(ties, case):
    rng = np.random.default_rng(["untied", "tied", "tied-weighted", "large", "huge"].index(case))
    n = 9
    y, w = _cox_data(rng, n, n_times=None if case == "untied" else 3,
                     weights=case in ("tied-weighted", "huge"))
    scale = {"large": 300.0, "huge": 1e4}.get(case, 1.0)
    m = rng.normal(size=n) * scale
    if case == "huge":
        m[:3] = [1e4, -1e4, 1e4]
    value, grads, hesses = _mp_cox_reference(y, w, m, ties == "efron")
    loss = CoxPHLoss(ties=ties)
    g, h = loss.gradient_hessian(y, m, w)
    total = math.fsum(loss.loss(y, m, w))
    # the margins' own rounding is eps * |m|: that sets the absolute precision of everything
    tol = 1e-13 * max(1.0, np.max(np.abs(m))) * (1.0 if w is None else w.sum())
    assert abs(total - float(value)) <= tol * n
    np.testing.assert_allclose(g, [float(x) for x in grads], rtol=0, atol=tol)
    np.testing.assert_allclose(h, [float(x) for x in hesses], rtol=0, atol=tol)
    assert np.all(h >= 0)


def _brute_breslow(y, m, w):
    """g_i = w_i e^{m_i} sum_{k: T_k <= T_i} w_k d_k / S_k - w_i d_i (and the hessian), O(n^2)."""
    t, d = y[:, 0], y[:, 1]
    w = np.ones_like(t) if w is None else w
    r = w * np.exp(m)
    risk = t[None, :] >= t[:, None]  # risk[k, j]: j at risk at T_k
    s = (risk * r[None, :]).sum(axis=1)
    before = t[:, None] <= t[None, :]  # before[k, i]: T_k <= T_i
    live = w * d > 0  # an event of weight 0 has no term (its risk set may weigh 0)
    s = np.where(live, s, 1.0)
    a = (before * np.where(live, w * d / s, 0.0)[:, None]).sum(axis=0)
    b = (before * np.where(live, w * d / s**2, 0.0)[:, None]).sum(axis=0)
    return r * a - w * d, r * a - r * r * b


def _brute_efron(y, m, w):
    t, d = y[:, 0], y[:, 1] > 0
    n = len(t)
    w = np.ones(n) if w is None else w
    r = w * np.exp(m)
    g = -np.where(d, w, 0.0)
    h = np.zeros(n)
    for time in np.unique(t[d & (w > 0)]):
        dead = (t == time) & d & (w > 0)
        k = dead.sum()
        s = r[t >= time].sum()
        big_d = r[dead].sum()
        wbar = w[dead].sum() / k
        for q in range(k):
            x = s - q / k * big_d
            c = np.where(dead, 1.0 - q / k, (t >= time) * 1.0)  # d x / d(r_i), per row
            g += wbar * c * r / x
            h += wbar * (c * r / x - (c * r / x) ** 2)
    return g, h


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 60), n_times=st.integers(1, 12),
       weighted=st.booleans(), efron=st.booleans())
def test_cox_gradient_matches_the_quadratic_formula(seed, n, n_times, weighted, efron):
    rng = np.random.default_rng(seed)
    y, w = _cox_data(rng, n, n_times=n_times, weights=weighted)
    if weighted:
        w[rng.random(n) < 0.1] = 0.0
        if not w.sum() > 0:
            w[0] = 1.0
    m = rng.normal(size=n) * 2
    g, h = CoxPHLoss(ties="efron" if efron else "breslow").gradient_hessian(y, m, w)
    g_ref, h_ref = (_brute_efron if efron else _brute_breslow)(y, m, w)
    np.testing.assert_allclose(g, g_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h, h_ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_cox_derivatives_match_finite_differences(ties, rng):
    y, w = _cox_data(rng, 40, n_times=8)
    m = rng.normal(size=40)
    loss = CoxPHLoss(ties=ties)
    g, h = loss.gradient_hessian(y, m, w)
    eps = 1e-5
    for i in rng.choice(40, 10, replace=False):
        e = np.zeros(40)
        e[i] = eps
        total = [math.fsum(loss.loss(y, m + k * e, w)) for k in (-2, -1, 1, 2)]
        fd = (total[0] - 8 * total[1] + 8 * total[2] - total[3]) / (12 * eps)
        assert fd == pytest.approx(g[i], rel=1e-6, abs=1e-9)
        grads = [loss.gradient_hessian(y, m + k * e, w)[0][i] for k in (-2, -1, 1, 2)]
        fd2 = (grads[0] - 8 * grads[1] + 8 * grads[2] - grads[3]) / (12 * eps)
        assert fd2 == pytest.approx(h[i], rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_cox_invariances(ties, rng):
    loss = CoxPHLoss(ties=ties)
    y, w = _cox_data(rng, 50, n_times=10)
    m = rng.normal(size=50)
    g, h = loss.gradient_hessian(y, m, w)
    # shift invariance: the loss, gradient and hessian do not move, and the gradient sums to 0
    g2, h2 = loss.gradient_hessian(y, m + 3.0, w)
    np.testing.assert_allclose(g2, g, atol=1e-13)
    np.testing.assert_allclose(h2, h, atol=1e-13)
    assert abs(g.sum()) < 1e-12
    assert math.fsum(loss.loss(y, m + 3.0, w)) == pytest.approx(math.fsum(loss.loss(y, m, w)),
                                                                 rel=1e-13)
    # the rows' order does not matter (XGBoost's tie handling depends on it)
    p = rng.permutation(50)
    gp, hp = loss.gradient_hessian(y[p], m[p], w[p])
    np.testing.assert_allclose(gp, g[p], atol=1e-14)
    np.testing.assert_allclose(hp, h[p], atol=1e-14)
    # a row of weight 0 is a row absent
    w0 = w.copy()
    w0[[3, 7]] = 0.0
    keep = np.ones(50, dtype=bool)
    keep[[3, 7]] = False
    g0, h0 = loss.gradient_hessian(y, m, w0)
    gk, hk = loss.gradient_hessian(y[keep], m[keep], w0[keep])
    np.testing.assert_allclose(g0[keep], gk, atol=1e-14)
    np.testing.assert_allclose(h0[keep], hk, atol=1e-14)
    assert np.all(g0[~keep] == 0) and np.all(h0[~keep] == 0)
    # the 2-column labels and XGBoost's signed times are the same labels
    signed = np.where(y[:, 1] > 0, y[:, 0], -y[:, 0])
    gs, _ = loss.gradient_hessian(signed, m, w)
    np.testing.assert_array_equal(gs, g)


def test_cox_breslow_integer_weights_repeat_rows(rng):
    y, _ = _cox_data(rng, 30, n_times=6, weights=False)
    m = rng.normal(size=30)
    reps = rng.integers(1, 4, 30)
    loss = CoxPHLoss()
    g, _ = loss.gradient_hessian(y, m, reps.astype(float))
    yy, mm = np.repeat(y, reps, axis=0), np.repeat(m, reps)
    gg, _ = loss.gradient_hessian(yy, mm)
    owner = np.repeat(np.arange(30), reps)
    np.testing.assert_allclose(np.bincount(owner, weights=gg), g, atol=1e-13)
    assert math.fsum(loss.loss(yy, mm)) == pytest.approx(math.fsum(loss.loss(y, m, reps)),
                                                         rel=1e-13)


def test_cox_efron_equals_breslow_without_tied_events(rng):
    y, w = _cox_data(rng, 40)  # distinct times
    m = rng.normal(size=40)
    a = CoxPHLoss().gradient_hessian(y, m, w)
    b = CoxPHLoss(ties="efron").gradient_hessian(y, m, w)
    np.testing.assert_allclose(a, b, atol=1e-14)


def test_cox_efron_reference_values():
    """Efron on one time with two events and a censored row (Efron 1977's correction by hand):
    S = e^a + e^b + e^c, D = e^a + e^b, L = -(a + b) + log S + log(S - D/2)."""
    y = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 0.0]])
    m = np.array([0.3, -0.2, 0.5])
    s = np.exp(m).sum()
    d = np.exp(m[:2]).sum()
    want = -(m[0] + m[1]) + math.log(s) + math.log(s - d / 2)
    assert math.fsum(CoxPHLoss(ties="efron").loss(y, m)) == pytest.approx(want, rel=1e-15)
    assert math.fsum(CoxPHLoss().loss(y, m)) == pytest.approx(-(m[0] + m[1]) + 2 * math.log(s),
                                                              rel=1e-15)


def test_cox_hessian_is_positive_and_finite_at_extreme_margins(rng):
    n = 2000
    y, w = _cox_data(rng, n, n_times=40)
    for scale in (1.0, 50.0, 1e4):
        m = rng.normal(size=n) * scale
        m[:4] = [1e4, -1e4, 1e4, -1e4]
        for ties in ("breslow", "efron"):
            loss = CoxPHLoss(ties=ties)
            g, h = loss.gradient_hessian(y, m, w)
            lo = loss.loss(y, m, w)
            assert np.isfinite(g).all() and np.isfinite(h).all() and np.isfinite(lo).all()
            assert np.all(h >= 0)
            # each gradient lies in [-w_i, sum of the event weights]
            assert np.all(g >= -w - 1e-9) and np.all(g <= (w * y[:, 1]).sum() + 1e-9)


def test_cox_metric_is_per_event_and_start_is_zero(rng):
    loss = CoxPHLoss()
    y, w = _cox_data(rng, 30, n_times=5)
    m = rng.normal(size=30)
    total, events = loss.loss_sums(y, m, w)
    assert events == pytest.approx((w * y[:, 1]).sum())
    assert loss.mean_loss(y, m, w) == pytest.approx(total / events)
    assert loss.init_score(y, w) == 0.0
    np.testing.assert_array_equal(loss.init_raw_prediction(y), np.zeros(30))
    censored = y.copy()
    censored[:, 1] = 0.0
    g, h = loss.gradient_hessian(censored, m)
    assert np.all(g == 0) and np.all(h == 0)
    with pytest.raises(ValueError, match="no events"):
        loss.mean_loss(censored, m)


def test_cox_declares_coupled_rows_and_refuses_catboost_blocks():
    loss = CoxPHLoss(ties="efron")
    assert loss.couples_rows is True and loss.task == "survival" and loss.link.name == "log"
    assert AFTLoss.couples_rows is False
    assert pickle.loads(pickle.dumps(loss)) == loss and repr(loss) == "CoxPHLoss(ties='efron')"
    with pytest.raises(NotImplementedError, match="blocks of rows"):
        loss.calc_ders_range([np.zeros(3)], np.ones(3), None)
    with pytest.raises(ValueError, match="ties must be"):
        CoxPHLoss(ties="exact")


def test_cox_through_the_objective_call(rng):
    """The scikit-learn signature (``xgb.train(obj=loss)`` and ``lgb.train`` in
    tests/test_survival_libraries.py): the gradient as computed here (hessian floored), the
    weights inside the risk sums (``couples_rows``); a caller that would multiply them in
    afterwards is refused (``weigh``)."""
    y, w = _cox_data(rng, 40, n_times=8)
    m = rng.normal(size=40)
    loss = CoxPHLoss()
    g, h = loss(y, m)
    g_ref, h_ref = loss.gradient_hessian(y, m)
    np.testing.assert_array_equal(g, g_ref)
    np.testing.assert_array_equal(h, np.maximum(h_ref, 1e-16))
    gw, hw = loss(y, m, w)
    gw_ref, hw_ref = loss.gradient_hessian(y, m, w)
    np.testing.assert_array_equal(gw, gw_ref)
    np.testing.assert_array_equal(hw, np.maximum(hw_ref, 1e-16 * w))
    assert loss.weigh((g, h), None) == (g, h)
    with pytest.raises(ValueError, match="couples the rows"):
        loss.weigh((g, h), w)


@pytest.mark.parametrize("labels, match", [
    (np.array([1.0, 0.0, -2.0]), "nonzero"),
    (np.array([1.0, np.nan]), "nonzero"),
    (np.array([1.0, -np.inf]), "nonzero"),
    (np.array([[1.0, 1.0], [0.0, 1.0]]), r"times must be finite and > 0, got 0.0 at index 1"),
    (np.array([[1.0, 1.0], [-3.0, 0.0]]), "times must be finite and > 0"),
    (np.array([[1.0, 2.0], [3.0, 0.0]]), r"event must be 1 \(observed\) or 0"),
    (np.array([[1.0, np.nan]]), "event must be"),
    (np.zeros((2, 3)) + 1, "shape"),
])
def test_cox_labels_are_checked(labels, match):
    with pytest.raises(ValueError, match=match):
        CoxPHLoss().gradient(labels, np.zeros(labels.shape[0]))


def test_cox_label_forms():
    np.testing.assert_array_equal(cox_labels([2.0, -3.0]), [[2.0, 1.0], [3.0, 0.0]])
    np.testing.assert_array_equal(cox_labels([[2.0, 1], [3.0, 0]]), [[2.0, 1.0], [3.0, 0.0]])
    np.testing.assert_array_equal(cox_labels(np.array([[2.0], [-3.0]])), [[2.0, 1.0], [3.0, 0.0]])


# ===================================================================================== AFT
def _mp_dist(name):
    """Density, CDF and survival function in mpmath (each tail computed where it is small)."""
    if name == "normal":
        return mp.npdf, mp.ncdf, lambda z: mp.ncdf(-z)
    if name == "logistic":
        return (lambda z: mp.exp(-abs(z)) / (1 + mp.exp(-abs(z))) ** 2,
                lambda z: 1 / (1 + mp.exp(-z)), lambda z: 1 / (1 + mp.exp(z)))
    return (lambda z: mp.exp(z - mp.exp(z)), lambda z: -mp.expm1(-mp.exp(z)),
            lambda z: mp.exp(-mp.exp(z)))


def _mp_aft(name, sigma, lo, up):
    """The AFT negative log-likelihood of one label as a function of the mpmath margin."""
    f, big_f, big_s = _mp_dist(name)
    sigma = mp.mpf(sigma)
    lo = mp.mpf(lo)
    up = mp.inf if up == np.inf else mp.mpf(up)

    def log_s(z):
        return mp.log(big_s(z)) if z > 0 else mp.log1p(-big_f(z))

    def log_f(z):
        return mp.log(big_f(z)) if z < 0 else mp.log1p(-big_s(z))

    def loss(m):
        if lo == up:
            z = (mp.log(lo) - m) / sigma
            return -mp.log(f(z) / (sigma * lo))
        if up == mp.inf:
            return -log_s((mp.log(lo) - m) / sigma)
        if lo == 0:
            return -log_f((mp.log(up) - m) / sigma)
        zl, zu = (mp.log(lo) - m) / sigma, (mp.log(up) - m) / sigma
        return -mp.log(big_s(zl) - big_s(zu) if zl > 0 else big_f(zu) - big_f(zl))

    return loss


_KINDS = {"observed": (1.0, 1.0), "right": (1.0, np.inf), "left": (0.0, 1.0),
          "interval": (1.0, 1.7), "wide": (1.0, 40.0), "narrow": (1.0, 1 + 1e-9)}
_Z = [-40.0, -30.0, -12.0, -3.0, -1.0, -0.1, 0.2, 1.0, 3.0, 8.5, 12.0, 30.0, 40.0]


def _aft_cases():
    for name in ("normal", "logistic", "extreme"):
        for kind in _KINDS:
            for z in _Z:
                # the extreme value's right tail is exp(z): the true values overflow past ~709,
                # and mpmath's reference needs e^(e^z) digits beyond z ~ 5
                if name == "extreme" and z > 5 and kind != "left":
                    continue
                yield name, kind, z


@pytest.mark.parametrize("sigma", [1.0, 0.5, 2.0])
@pytest.mark.parametrize("name, kind, z", list(_aft_cases()))
def test_aft_matches_60_digit_reference(name, kind, z, sigma):
    scale = 2.5  # the labels' time unit
    lo, up = (b * scale for b in _KINDS[kind])
    anchor = lo if lo > 0 else up
    m = math.log(anchor) - z * sigma
    f = _mp_aft(name, sigma, lo, up)
    x = mp.mpf(m)
    want = [float(f(x)), float(mp.diff(f, x)), float(mp.diff(f, x, 2))]
    loss = AFTLoss(distribution=name, scale=sigma)
    y = np.array([[lo, up]])
    got = [loss.loss(y, [m])[0], *(a[0] for a in loss.gradient_hessian(y, [m]))]
    for value, ref, unit in zip(got, want, (1.0, 1 / sigma, 1 / sigma**2)):
        if abs(ref) < 1e-300:  # the true value underflows float64
            assert abs(value) < 1e-300
            continue
        # relative precision, against the derivative's natural unit where it crosses 0
        assert abs(value - ref) <= 1e-13 * max(abs(ref), 1e-3 * unit), (value, ref)


@pytest.mark.parametrize("name", ["normal", "logistic", "extreme"])
def test_aft_narrow_intervals_keep_ten_digits(name):
    sigma = 1.0
    loss = AFTLoss(distribution=name, scale=sigma)
    for width in (1e-8, 1e-6, 1e-5, 3e-5, 1e-4, 1e-3):
        for z in (-20.0, -3.0, -0.5, 0.5, 2.0):
            lo, up = 1.0, 1.0 + width
            m = -z * sigma
            f = _mp_aft(name, sigma, lo, up)
            x = mp.mpf(m)
            want = [float(f(x)), float(mp.diff(f, x)), float(mp.diff(f, x, 2))]
            y = np.array([[lo, up]])
            got = [loss.loss(y, [m])[0], *(a[0] for a in loss.gradient_hessian(y, [m]))]
            for value, ref in zip(got, want):
                assert abs(value - ref) <= 1e-10 * max(abs(ref), 1e-3), (width, z, value, ref)


def _aft_rows(rng, n, scale=2.0):
    t = np.exp(rng.normal(1.0, 0.7, n))
    kind = rng.integers(0, 5, n)
    lo = np.choose(kind, [t, t * 0.8, np.zeros(n), t * 0.7, np.zeros(n)])
    up = np.choose(kind, [t, np.full(n, np.inf), t * 1.3, t * 1.5, np.full(n, np.inf)])
    return np.column_stack([lo, up])


@pytest.mark.parametrize("name", ["normal", "logistic", "extreme"])
def test_aft_derivatives_match_finite_differences(name, rng):
    y = _aft_rows(rng, 300)
    loss = AFTLoss(distribution=name, scale=0.8)
    m = np.log(np.where(np.isfinite(y[:, 1]), y[:, 1], y[:, 0] + 1)) + rng.normal(0, 1, 300)
    g, h = loss.gradient_hessian(y, m)

    def fd(func, eps=1e-5):
        return (-func(m + 2 * eps) + 8 * func(m + eps) - 8 * func(m - eps) + func(m - 2 * eps)) / (
            12 * eps)

    np.testing.assert_allclose(g, fd(lambda mm: loss.loss(y, mm)), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(h, fd(lambda mm: loss.gradient(y, mm)), rtol=1e-6, atol=1e-9)
    assert np.all(h >= 0)


@pytest.mark.parametrize("name", ["normal", "logistic", "extreme"])
@pytest.mark.parametrize("sigma", [1.0, 0.1])
def test_aft_no_nan_in_the_far_tails(name, sigma):
    z = np.linspace(-1e3, 1e3, 4001)
    for lo, up in [(3.0, 3.0), (3.0, np.inf), (0.0, 3.0), (3.0, 5.1), (3.0, 3.0 + 3e-9),
                   (0.0, np.inf)]:
        y = np.tile([lo, up], (z.size, 1))
        m = math.log(3.0) - z * sigma
        loss = AFTLoss(distribution=name, scale=sigma)
        with np.errstate(all="raise"):  # no warning either
            values = [loss.loss(y, m), *loss.gradient_hessian(y, m)]
        for v in values:
            assert not np.isnan(v).any()
            if name == "extreme":  # exp(z) itself: inf exactly where it exceeds float64
                assert np.isfinite(v[z < 700]).all()
            else:
                assert np.isfinite(v).all()
        assert np.all(values[2] >= 0)


@pytest.mark.parametrize("name", ["normal", "logistic", "extreme"])
def test_aft_start_zeroes_the_summed_gradient(name, rng):
    y = _aft_rows(rng, 500)
    w = rng.uniform(0.1, 3.0, 500)
    loss = AFTLoss(distribution=name, scale=0.7)
    for weights in (None, w):
        c = loss.init_score(y, weights)
        g, _ = loss.gradient_hessian(y, np.full(500, c), weights)
        assert abs(g.sum()) <= 1e-10 * np.abs(g).sum()
        best = loss.mean_loss(y, np.full(500, c), weights)
        for step in (-1e-3, 1e-3):
            assert loss.mean_loss(y, np.full(500, c + step), weights) > best


def test_aft_start_needs_both_bounds():
    loss = AFTLoss()
    with pytest.raises(ValueError, match="from above"):
        loss.init_score(np.array([[1.0, np.inf], [2.0, np.inf]]))
    with pytest.raises(ValueError, match="from below"):
        loss.init_score(np.array([[0.0, 1.0], [0.0, np.inf]]))
    # one interval bounds it both ways
    assert np.isfinite(loss.init_score(np.array([[1.0, 4.0], [2.0, np.inf]])))


def test_aft_weights_multiply_rows_and_uninformative_rows_are_zero(rng):
    y = _aft_rows(rng, 50)
    w = rng.uniform(0, 2, 50)
    m = rng.normal(1, 1, 50)
    loss = AFTLoss(distribution="logistic", scale=1.3)
    np.testing.assert_allclose(loss.loss(y, m, w), loss.loss(y, m) * w)
    for a, b in zip(loss.gradient_hessian(y, m, w), loss.gradient_hessian(y, m)):
        np.testing.assert_allclose(a, b * w)
    none = np.array([[0.0, np.inf]])
    assert loss.loss(none, [0.3])[0] == 0.0
    assert [a[0] for a in loss.gradient_hessian(none, [0.3])] == [0.0, 0.0]


def test_aft_normal_closed_forms():
    """Observed: (z^2/2 + log(sqrt(2 pi) sigma y), -z/sigma, 1/sigma^2)."""
    sigma, t, m = 0.6, 3.0, 0.4
    z = (math.log(t) - m) / sigma
    loss = AFTLoss(scale=sigma)
    y = np.array([[t, t]])
    assert loss.loss(y, [m])[0] == pytest.approx(
        z * z / 2 + math.log(math.sqrt(2 * math.pi) * sigma * t), rel=1e-15)
    g, h = (a[0] for a in loss.gradient_hessian(y, [m]))
    assert g == pytest.approx(-z / sigma, rel=1e-15) and h == pytest.approx(1 / sigma**2, rel=1e-15)


@pytest.mark.parametrize("labels, match", [
    (np.array([1.0, 2.0]), "2-column"),
    (np.array([[2.0, 1.0]]), "lower must be <= upper"),
    (np.array([[-1.0, 1.0]]), "lower bounds must be finite and >= 0"),
    (np.array([[np.inf, np.inf]]), "lower bounds must be finite"),
    (np.array([[1.0, np.nan]]), "contains NaN"),
    (np.array([[0.0, 0.0]]), r"upper bounds must be > 0"),
    (np.array([[1.0, 2.0], [0.0, -1.0]]), r"at index 1"),
])
def test_aft_labels_are_checked(labels, match):
    with pytest.raises(ValueError, match=match):
        AFTLoss().gradient(labels, np.zeros(np.atleast_2d(labels).shape[0]))


def test_aft_parameters_are_checked():
    with pytest.raises(ValueError, match="distribution must be"):
        AFTLoss(distribution="weibull")
    with pytest.raises(ValueError, match="scale must be > 0"):
        AFTLoss(scale=0.0)
    loss = AFTLoss(distribution="extreme", scale=2.0)
    assert repr(loss) == "AFTLoss(distribution='extreme', scale=2.0)"
    assert pickle.loads(pickle.dumps(loss)) == loss
    assert loss.task == "survival" and loss.link.name == "log"


# ===================================================================================== C-index
def _brute_concordance(t, e, r, w, pair_weight):
    n = len(t)
    w = np.ones(n) if w is None else w
    num = den = 0.0
    for i in range(n):
        if not e[i]:
            continue
        for j in range(n):
            if t[i] < t[j] or (t[i] == t[j] and not e[j]):
                pw = w[i] * (w[j] if pair_weight == "product" else 1.0)
                den += pw
                num += pw * (1.0 if r[i] > r[j] else 0.5 if r[i] == r[j] else 0.0)
    return num / den if den else None


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 70), n_times=st.integers(1, 15),
       n_risks=st.integers(1, 15), weighted=st.booleans(),
       pair_weight=st.sampled_from(["product", "event"]))
def test_concordance_matches_the_quadratic_count(seed, n, n_times, n_risks, weighted,
                                                 pair_weight):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, n_times, n).astype(float)
    e = (rng.random(n) < 0.5).astype(float)
    r = rng.integers(0, n_risks, n) * 0.25
    w = rng.uniform(0.0, 2.0, n) if weighted else None
    if w is not None and not w.sum() > 0:
        w = None
    want = _brute_concordance(t, e, r, w, pair_weight)
    if want is None:
        with pytest.raises(ValueError, match="no comparable pairs"):
            concordance_index(t, e, r, w, pair_weight=pair_weight)
    else:
        got = concordance_index(t, e, r, w, pair_weight=pair_weight)
        assert got == pytest.approx(want, rel=1e-12, abs=1e-14)


def test_concordance_extremes_and_large_inputs(rng):
    n = 20000
    t = rng.exponential(size=n)
    e = (rng.random(n) < 0.7).astype(float)
    assert concordance_index(t, e, -t) == 1.0
    assert concordance_index(t, e, t) == 0.0
    assert concordance_index(t, e, np.zeros(n)) == 0.5
    # integer product weights are repeated rows
    reps = rng.integers(1, 4, 300)
    tt, ee, rr = t[:300], e[:300], rng.normal(size=300)
    assert concordance_index(tt, ee, rr, reps) == pytest.approx(
        concordance_index(np.repeat(tt, reps), np.repeat(ee, reps), np.repeat(rr, reps)),
        rel=1e-14)


def test_concordance_inputs_are_checked():
    with pytest.raises(ValueError, match="same length"):
        concordance_index([1.0, 2.0], [1, 0], [0.1])
    with pytest.raises(ValueError, match="risk contains NaN"):
        concordance_index([1.0, 2.0], [1, 0], [0.1, np.nan])
    with pytest.raises(ValueError, match="event must be 0 or 1"):
        concordance_index([1.0, 2.0], [1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="no comparable pairs"):
        concordance_index([1.0, 2.0], [0, 0], [0.1, 0.2])
    with pytest.raises(ValueError, match="pair_weight"):
        concordance_index([1.0, 2.0], [1, 0], [0.1, 0.2], pair_weight="pair")


# ===================================================================================== XGBoost
def _xgboost_cox_transcription(y, p, w):
    """XGBoost 3.2.0's CoxRegression::GetGradient (src/objective/regression_obj.cu), as a loop:
    rows in a stable sort by |label|; the risk-set sum drops the rows of earlier times only
    when the time advances (Breslow), but the 1/S sums grow row by row."""
    order = np.argsort(np.abs(y), kind="stable")
    exp_p = np.exp(p.astype(np.float64))
    exp_p_sum = exp_p.sum()
    r_k = s_k = last_exp_p = last_abs_y = acc = 0.0
    g, h = np.empty(len(p)), np.empty(len(p))
    for ind in order:
        e, yy = exp_p[ind], float(y[ind])
        acc += last_exp_p
        if last_abs_y < abs(yy):
            exp_p_sum -= acc
            acc = 0.0
        if yy > 0:
            r_k += 1.0 / exp_p_sum
            s_k += 1.0 / (exp_p_sum * exp_p_sum)
        ww = 1.0 if w is None else w[ind]
        g[ind] = (e * r_k - (yy > 0)) * ww
        h[ind] = (e * r_k - e * e * s_k) * ww
        last_abs_y, last_exp_p = abs(yy), e
    return g, h


def _cox_survival_data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    hazard = np.exp(x[:, 0] - 0.5 * x[:, 1])
    t, c = rng.exponential(1 / hazard), rng.exponential(2.0, n)
    return x, np.minimum(t, c), (t <= c).astype(float), rng


_PARAMS = {"max_depth": 3, "eta": 0.3, "tree_method": "hist", "nthread": 1,
           "min_child_weight": 0}


def _train_pair(xgb, x, dtrain_kwargs, builtin_params, obj, rounds=10, margin=None):
    """Margins of the built-in objective and of a custom one from the same start."""
    def dmatrix():
        d = xgb.DMatrix(x, **dtrain_kwargs)
        if margin is not None:
            d.set_base_margin(margin)
        return d
    d1, d2 = dmatrix(), dmatrix()
    b1 = xgb.train({**_PARAMS, **builtin_params}, d1, rounds)
    b2 = xgb.train({**_PARAMS, "base_score": 0.0}, d2, rounds, obj=obj)
    return b1.predict(d1, output_margin=True), b2.predict(d2, output_margin=True)


def test_xgboost_cox_parity_without_ties():
    xgb = pytest.importorskip("xgboost")
    x, t, e, _ = _cox_survival_data()
    signed = np.where(e > 0, t, -t).astype(np.float32)
    for ties in ("breslow", "efron"):
        loss = CoxPHLoss(ties=ties)
        p1, p2 = _train_pair(
            xgb, x, {"label": signed}, {"objective": "survival:cox", "base_score": 1.0},
            lambda p, d, loss=loss: loss.gradient_hessian(signed, p.astype(np.float64)))
        # measured: 3.6e-7 on margins up to 3.8 (float32 rounding)
        assert np.max(np.abs(p1 - p2)) <= 1e-6 * max(1.0, np.max(np.abs(p1)))


def test_xgboost_cox_parity_through_obj_loss():
    xgb = pytest.importorskip("xgboost")
    x, t, e, _ = _cox_survival_data()
    signed = np.where(e > 0, t, -t).astype(np.float32)
    p1, p2 = _train_pair(xgb, x, {"label": signed},
                         {"objective": "survival:cox", "base_score": 1.0}, CoxPHLoss())
    assert np.max(np.abs(p1 - p2)) <= 1e-6 * max(1.0, np.max(np.abs(p1)))


def test_xgboost_cox_ties_and_weights_differ_by_design():
    """XGBoost's built-in is its own loop (transcribed above) on tied and weighted data, and
    that is not the exact Breslow gradient: the differences the docstring reports."""
    xgb = pytest.importorskip("xgboost")
    x, t, e, rng = _cox_survival_data()
    tied = np.ceil(t * 4) / 4
    signed = np.where(e > 0, tied, -tied).astype(np.float32)
    w = rng.uniform(0.5, 2.0, t.size)
    p1, p2 = _train_pair(xgb, x, {"label": signed, "weight": w},
                         {"objective": "survival:cox", "base_score": 1.0},
                         lambda p, d: _xgboost_cox_transcription(signed, p, w))
    assert np.max(np.abs(p1 - p2)) <= 1e-6 * max(1.0, np.max(np.abs(p1)))
    loss = CoxPHLoss()
    p1, p3 = _train_pair(xgb, x, {"label": signed}, {"objective": "survival:cox",
                                                     "base_score": 1.0},
                         lambda p, d: loss.gradient_hessian(signed, p.astype(np.float64)))
    assert np.max(np.abs(p1 - p3)) > 0.1  # measured: 2.3
    g_x, _ = _xgboost_cox_transcription(signed, np.zeros(t.size), None)
    g_b, _ = loss.gradient_hessian(signed, np.zeros(t.size))
    assert np.max(np.abs(g_x - g_b)) > 0.1  # measured: 0.29 at margin 0


def test_xgboost_cox_metric_is_the_unweighted_mean_per_event():
    xgb = pytest.importorskip("xgboost")
    x, t, e, rng = _cox_survival_data()
    signed = np.where(e > 0, t, -t).astype(np.float32)
    d = xgb.DMatrix(x, label=signed)
    history = {}
    b = xgb.train({**_PARAMS, "objective": "survival:cox"}, d, 5, evals=[(d, "train")],
                  evals_result=history, verbose_eval=False)
    p = b.predict(d, output_margin=True).astype(np.float64)
    reported = history["train"]["cox-nloglik"][-1]
    assert reported == pytest.approx(CoxPHLoss().mean_loss(signed, p), rel=1e-9)
    w = rng.uniform(0.5, 2.0, t.size)
    weighted = float(b.eval(xgb.DMatrix(x, label=signed, weight=w)).split(":")[1])
    assert weighted == pytest.approx(reported, rel=1e-12)  # XGBoost ignores the weights
    assert abs(CoxPHLoss().mean_loss(signed, p, w) - reported) > 1e-3


def _aft_survival_data(n=400, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    t = np.exp(1.0 + 0.5 * x[:, 0] - 0.3 * x[:, 1] + 0.4 * rng.normal(size=n))
    kind = rng.integers(0, 4, n)
    lo = np.choose(kind, [t, t * 0.8, np.zeros(n), t * 0.7])
    up = np.choose(kind, [t, np.full(n, np.inf), t * 1.3, t * 1.5])
    # XGBoost keeps the bounds as float32: both sides see the same numbers
    return x, np.column_stack([lo, up]).astype(np.float32).astype(np.float64)


@pytest.mark.parametrize("name, sigma", [("normal", 1.0), ("normal", 0.5), ("logistic", 1.0),
                                         ("logistic", 2.0), ("extreme", 1.0),
                                         ("extreme", 2.0)])
def test_xgboost_aft_parity(name, sigma):
    xgb = pytest.importorskip("xgboost")
    x, y = _aft_survival_data()
    loss = AFTLoss(distribution=name, scale=sigma)
    start = loss.init_score(y)
    bounds = {"label_lower_bound": y[:, 0], "label_upper_bound": y[:, 1]}
    p1, p2 = _train_pair(
        xgb, x, bounds, {"objective": "survival:aft", "aft_loss_distribution": name,
                         "aft_loss_distribution_scale": sigma},
        lambda p, d: loss.gradient_hessian(y, p.astype(np.float64)),
        margin=np.full(y.shape[0], start))
    # measured: bit-identical margins (no gradient or hessian reaches XGBoost's clips here)
    assert np.max(np.abs(p1 - p2)) <= 1e-6 * max(1.0, np.max(np.abs(p1)))


def test_xgboost_aft_clips_where_ours_is_exact():
    """The extreme value at scale 0.5 reaches XGBoost's clips (hessians up to 82): clipping our
    derivatives to [-15, 15] and [1e-16, 15] reproduces it; without, the margins differ."""
    xgb = pytest.importorskip("xgboost")
    x, y = _aft_survival_data()
    loss = AFTLoss(distribution="extreme", scale=0.5)
    start = np.full(y.shape[0], loss.init_score(y))
    builtin = {"objective": "survival:aft", "aft_loss_distribution": "extreme",
               "aft_loss_distribution_scale": 0.5}
    bounds = {"label_lower_bound": y[:, 0], "label_upper_bound": y[:, 1]}

    def clipped(p, d):
        g, h = loss.gradient_hessian(y, p.astype(np.float64))
        return np.clip(g, -15, 15), np.clip(h, 1e-16, 15)

    p1, p2 = _train_pair(xgb, x, bounds, builtin, clipped, margin=start)
    assert np.max(np.abs(p1 - p2)) <= 1e-6 * max(1.0, np.max(np.abs(p1)))
    _, p3 = _train_pair(xgb, x, bounds, builtin,
                        lambda p, d: loss.gradient_hessian(y, p.astype(np.float64)), margin=start)
    assert np.max(np.abs(p1 - p3)) > 0.05  # measured: 0.47


def test_xgboost_aft_metric_uses_scale_one_until_set_param():
    """XGBoost 3.2.0's aft-nloglik, as xgb.train reports it, ignores the objective's scale."""
    xgb = pytest.importorskip("xgboost")
    x, y = _aft_survival_data()
    d = xgb.DMatrix(x, base_margin=np.full(y.shape[0], 1.0))
    d.set_float_info("label_lower_bound", y[:, 0])
    d.set_float_info("label_upper_bound", y[:, 1])
    history = {}
    b = xgb.train({**_PARAMS, "objective": "survival:aft", "aft_loss_distribution": "logistic",
                   "aft_loss_distribution_scale": 2.0}, d, 3, evals=[(d, "train")],
                  evals_result=history, verbose_eval=False)
    p = b.predict(d, output_margin=True).astype(np.float64)
    reported = history["train"]["aft-nloglik"][-1]
    assert reported == pytest.approx(AFTLoss(distribution="logistic").mean_loss(y, p), rel=1e-12)
    b.set_param({"aft_loss_distribution_scale": 2.0})
    after = float(b.eval(d).split(":")[1])
    assert after == pytest.approx(AFTLoss(distribution="logistic", scale=2.0).mean_loss(y, p),
                                  rel=1e-12)
