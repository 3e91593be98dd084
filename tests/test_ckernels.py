"""The optional compiled extension (boostobj/_csrc): log loss and focal equal to the numpy kernels
to 1 float32 ulp, log-cosh and pseudo-Huber within 1 float32 ulp of the float64 reference, its
argument checks, and the switches around it. The reference comparisons in test_kernels.py run
with it and without it."""

import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import ALL_LOSSES, accepts, kernel_of, labels_for

import boostobj
from boostobj import _kernels

_COMPILED = _kernels._ckernels
needs_compiled = pytest.mark.skipif(_COMPILED is None,
                                    reason="boostobj._ckernels is not built here (numpy kernels only)")

def _ulps(a, b):
    ia, ib = a.view(np.int32).astype(np.int64), b.view(np.int32).astype(np.int64)
    return np.abs(ia - ib)


@needs_compiled
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kernel", [
    ("log_loss", {}),
    ("focal", {"gamma": 2.0, "alpha": None, "bounded": False}),
    ("focal", {"gamma": 2.0, "alpha": 0.25, "bounded": True}),
    ("focal", {"gamma": 0.5, "alpha": 0.9, "bounded": False}),
    ("focal", {"gamma": 1.0, "alpha": None, "bounded": True}),
    ("focal", {"gamma": 0.0, "alpha": 0.25, "bounded": False}),
    ("focal", {"gamma": 3.7, "alpha": None, "bounded": True}),
], ids=repr)
def test_compiled_equals_numpy_to_one_ulp(kernel, dtype, weighted, rng, monkeypatch):
    # the same float64 formulas in the same order; only exp/log1p differ (libmvec, <= 4 float64
    # ulp), which shows after rounding to float32 in a rare row, by 1 ulp
    name, kw = kernel
    n = 3 * _kernels.BLOCK + 11
    z = np.concatenate([rng.normal(0, 3, n - 1200), rng.normal(0, 60, 600),
                        rng.uniform(-800, 800, 580),
                        [0.0, 1e-30, -1e-30, 36.0, -36.0, 88.0, -88.0, 700.0, -700.0, 710.0,
                         -710.0, 745.0, -745.0, 1e6, -1e6, np.inf, -np.inf, 1e-45, 2e38, -2e38]])
    z = z.astype(dtype)
    y = (rng.random(n) < 0.4).astype(np.float64)
    w = rng.uniform(0.1, 3.0, n).astype(np.float32).astype(np.float64) if weighted else None
    fn = getattr(_kernels, name)
    got = [a.copy() for a in fn(y, z, w, **kw)]
    monkeypatch.setattr(_kernels, "_ckernels", None)
    want = fn(y, z, w, **kw)
    for a, b, what in zip(got, want, ("gradient", "hessian")):
        assert a.dtype == np.float32 and np.all(np.isfinite(a)), what
        d = _ulps(a, b)
        assert d.max() <= 1, what
        assert np.count_nonzero(d) <= 10, what  # rare: a handful in 100k rows


@needs_compiled
def test_compiled_binding_checks_its_arguments():
    ck = _COMPILED
    n = 8
    z, y = np.zeros(n, np.float32), np.zeros(n)
    g, h = np.empty(n, np.float32), np.empty(n, np.float32)
    ck.log_loss(z, y, None, g, h)  # the right call works
    np.testing.assert_array_equal(g, np.float32(0.5))  # y = 0, z = 0: p - y = 1/2
    with pytest.raises(TypeError, match="labels"):
        ck.log_loss(z, y.astype(np.float32), None, g, h)
    with pytest.raises(TypeError, match="margins"):
        ck.log_loss(z.astype(np.int32), y, None, g, h)
    with pytest.raises(ValueError, match="weights: expected 8 items"):
        ck.log_loss(z, y, np.ones(7), g, h)
    with pytest.raises(TypeError, match="gradient"):
        ck.focal(z, y, None, g.astype(np.float64), h, 2.0, 1.0, 1.0, False)
    with pytest.raises(ValueError, match="not C-contiguous"):
        ck.log_loss(np.zeros(2 * n, np.float32)[::2], y, None, g, h)
    ro = np.empty(n, np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        ck.log_loss(z, y, None, g, ro)


def test_compiled_extension_is_built_where_required():
    # CI sets BOOSTOBJ_REQUIRE_COMPILED=1: there the optional extension must have been built
    if os.environ.get("BOOSTOBJ_REQUIRE_COMPILED") != "1":
        pytest.skip("set BOOSTOBJ_REQUIRE_COMPILED=1 to require boostobj._ckernels")
    assert _COMPILED is not None


def test_environment_variable_turns_the_extension_off():
    code = "from boostobj import _kernels; print(_kernels.COMPILED)"
    env = {**os.environ, "BOOSTOBJ_NUMPY_KERNELS": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


@needs_compiled
def test_numpy_kernels_sets_the_extension_aside_for_a_block(monkeypatch):
    monkeypatch.setattr(_kernels, "_ckernels", _COMPILED)
    with _kernels.numpy_kernels():
        assert _kernels._ckernels is None
    assert _kernels._ckernels is _COMPILED


def _reference(loss, y, z, w):
    """The float64 reference, floored, then weighted (what the kernels round to float32)."""
    import boostobj

    g, h = loss.gradient_hessian(y, z.astype(np.float64))
    h = np.maximum(h, boostobj.HESSIAN_FLOOR)
    return (g, h) if w is None else (g * w, h * w)


@needs_compiled
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make", [
    lambda b: b.LogCoshLoss(scale=1.0), lambda b: b.LogCoshLoss(scale=1.0, hessian="exact"),
    lambda b: b.LogCoshLoss(scale=37.5), lambda b: b.LogCoshLoss(scale=0.013, hessian="exact"),
    lambda b: b.PseudoHuberLoss(delta=1.0), lambda b: b.PseudoHuberLoss(delta=0.05, hessian="exact"),
    lambda b: b.PseudoHuberLoss(delta=1e-30), lambda b: b.PseudoHuberLoss(delta=1e30),
], ids=["logcosh", "logcosh-exact", "logcosh-37.5", "logcosh-exact-0.013", "huber", "huber-exact-0.05", "huber-1e-30", "huber-1e30"])
def test_compiled_regression_kernels_are_the_float64_reference_rounded(make, dtype, weighted, rng):
    # float64 arithmetic rounded once: within 1 float32 ulp of the reference everywhere,
    # including residuals of 0, subnormal, huge, and labels not representable in float32
    import boostobj

    loss = make(boostobj)
    n = 2 * _kernels.BLOCK + 5
    y = rng.standard_t(3, n) * 10.0
    y[: n // 2] = y[: n // 2].astype(np.float32)  # half as the libraries store labels
    extremes = np.array([0.0, 1e-45, -1e-45, 1e-30, -1e-30, 1e-8, -1e-8, 0.5, 20.0, -20.0, 400.0,
                         -400.0, 1e6, -1e6, 1e15, -1e15, 1e17, -1e17, 3e38, -3e38])
    z = y + rng.normal(0.0, 3.0, n)
    z[: extremes.size] = extremes
    z[extremes.size: 2 * extremes.size] = y[extremes.size: 2 * extremes.size] + extremes
    z = z.astype(dtype)
    w = rng.uniform(0.1, 3.0, n).astype(np.float32).astype(np.float64) if weighted else None
    got = _kernels.log_cosh(y, z, w, exact_hessian=loss.hessian == "exact", scale=loss.scale) \
        if isinstance(loss, boostobj.LogCoshLoss) else \
        _kernels.pseudo_huber(y, z, w, delta=loss.delta, exact_hessian=loss.hessian == "exact")
    want = _reference(loss, y, z, w)
    for a, b, what in zip(got, want, ("gradient", "hessian")):
        assert a.dtype == np.float32 and np.all(np.isfinite(a)), what
        b32 = b.astype(np.float32)
        assert np.all(np.abs(a.astype(np.float64) - b) <= np.spacing(np.abs(b32)).astype(np.float64)), what
    assert np.all(got[1] > 0)


# ---------------------------------------------------------------------------------- multiclass
def _multiclass_data(rng, n, k):
    """Margins with every hard case: wide spreads, +-1e6, +-inf in any pair of columns, ties
    (all columns, two columns), differences of 1e-30; several blocks of both implementations."""
    z = rng.normal(0.0, 3.0, (n, k))
    z[: n // 10] = rng.normal(0.0, 60.0, (n // 10, k))
    z[n // 10: n // 5] = rng.uniform(-800.0, 800.0, (n // 10, k))
    extremes = [0.0, 1e-30, -1e-30, 36.0, -36.0, 88.0, -88.0, 700.0, -700.0, 745.0, -745.0, 1e6,
                -1e6, np.inf, -np.inf]
    i = n // 5
    for a in extremes:
        for b in extremes:
            z[i] = 0.0
            z[i, 0], z[i, 1] = a, b
            i += 1
    z[i: i + 20] = 5.0  # all tied
    z[i + 20: i + 40, :2] = 7.0  # two tied maxima
    y = rng.integers(0, k, n).astype(np.float64)
    return y, z


_MULTICLASS_KERNELS = [
    ("softmax", {}),
    ("multiclass_focal", {"gamma": 2.0, "alpha": "random", "bounded": True}),
    ("multiclass_focal", {"gamma": 0.5, "alpha": None, "bounded": False}),
    ("multiclass_focal", {"gamma": 0.0, "alpha": None, "bounded": True}),
    ("multiclass_focal", {"gamma": 1.0, "alpha": "random", "bounded": False}),
    ("multiclass_focal", {"gamma": 3.7, "alpha": "random", "bounded": False}),
]


@needs_compiled
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted-scale1.5"])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", [2, 3, 10])
@pytest.mark.parametrize("kernel", _MULTICLASS_KERNELS, ids=repr)
def test_compiled_multiclass_equals_numpy_to_one_ulp(kernel, k, dtype, order, weighted, rng,
                                                     monkeypatch):
    # the same float64 formulas rounded once; exp/log1p/log differ (libmvec), and the numpy
    # kernel sums a tie's entries differently: 1 float32 ulp in a rare entry
    name, kw = kernel
    kw = dict(kw)
    if kw.get("alpha") == "random":
        kw["alpha"] = tuple(rng.uniform(0.2, 2.0, k))
    n = 7000
    y, z = _multiclass_data(rng, n, k)
    z = np.asarray(z.astype(dtype), order=order)
    w = rng.uniform(0.1, 3.0, n).astype(np.float32).astype(np.float64) if weighted else None
    scale = 1.5 if weighted else 1.0
    fn = getattr(_kernels, name)
    got = [a.copy(order="K") for a in fn(y, z, w, scale=scale, **kw)]
    monkeypatch.setattr(_kernels, "_ckernels", None)
    want = fn(y, z, w, scale=scale, **kw)
    for a, b, what in zip(got, want, ("gradient", "hessian")):
        assert a.dtype == np.float32 and a.shape == (n, k) and np.all(np.isfinite(a)), what
        assert a.flags.f_contiguous == b.flags.f_contiguous == (order == "F"), what
        d = _ulps(a, b)
        assert d.max() <= 1, what
        assert np.count_nonzero(d) <= 10, what
    assert np.all(got[1] > 0)


@needs_compiled
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("k", [2, 3, 5, 10, 17])
def test_compiled_multiclass_is_the_float64_reference_rounded(k, order, rng):
    # within half a float32 ulp of the float64 reference (correctly rounded) in these rows;
    # any class count (the C-ordered transposes have special cases for 2, 3, 4, 8, 16)
    import boostobj

    n = 3000
    y, z = _multiclass_data(rng, n, k)
    z = np.asarray(z.astype(np.float32), order=order)
    w = rng.uniform(0.1, 3.0, n)
    alpha = tuple(rng.uniform(0.2, 2.0, k))
    for loss, fn, kw in (
        (boostobj.SoftmaxLoss(), _kernels.softmax, {}),
        (boostobj.MulticlassFocalLoss(gamma=2.0, alpha=alpha), _kernels.multiclass_focal,
         {"gamma": 2.0, "alpha": alpha, "bounded": True}),
        (boostobj.MulticlassFocalLoss(gamma=0.7, hessian="exact"), _kernels.multiclass_focal,
         {"gamma": 0.7, "alpha": None, "bounded": False}),
    ):
        got = fn(y, z, w, scale=2.0, **kw)
        with np.errstate(all="ignore"):
            g, h = loss._gradient_hessian(y, z.astype(np.float64))
        want = (g * w[:, None], np.maximum(h, boostobj.HESSIAN_FLOOR) * 2.0 * w[:, None])
        for a, b, what in zip(got, want, ("gradient", "hessian")):
            spacing = np.spacing(np.maximum(np.abs(b.astype(np.float32)), np.float32(2.0**-126)))
            assert np.all(np.abs(a - b) <= 0.5001 * spacing.astype(np.float64)), (loss, what)


@needs_compiled
def test_compiled_multiclass_binding_checks_its_arguments():
    ck = _COMPILED
    n, k = 6, 3
    z, y = np.zeros((n, k), np.float32), np.full(n, 2.0)
    g, h = np.empty((n, k), np.float32), np.empty((n, k), np.float32)
    ck.softmax(z, y, None, g, h, 1.5)  # the right calls work
    np.testing.assert_allclose(g, np.tile(np.float32([1 / 3, 1 / 3, -2 / 3]), (n, 1)), rtol=1e-7)
    np.testing.assert_allclose(h, np.float32(2 / 9 * 1.5), rtol=1e-7)
    ck.multiclass_focal(z, y, np.ones(n), g, h, 1.0, 2.0, np.ones(k), True)
    zf, gf, hf = (np.asfortranarray(a) for a in (z, g, h))
    ck.softmax(zf, y, None, gf, hf, 1.0)
    with pytest.raises(TypeError, match="labels"):
        ck.softmax(z, y.astype(np.float32), None, g, h, 1.0)
    with pytest.raises(TypeError, match="margins"):
        ck.softmax(z.astype(np.int64), y, None, g, h, 1.0)
    with pytest.raises(ValueError, match="margins: expected a 2-D array"):
        ck.softmax(z.ravel(), y, None, g, h, 1.0)
    with pytest.raises(ValueError, match="margins: not C- or Fortran-contiguous"):
        ck.softmax(np.zeros((n, 2 * k), np.float32)[:, ::2], y, None, g, h, 1.0)
    with pytest.raises(ValueError, match="labels: expected 6 items"):
        ck.softmax(z, y[:5], None, g, h, 1.0)
    with pytest.raises(ValueError, match="weights: expected 6 items"):
        ck.multiclass_focal(z, y, np.ones(7), g, h, 1.0, 2.0, None, True)
    with pytest.raises(TypeError, match="gradient"):
        ck.softmax(z, y, None, g.astype(np.float64), h, 1.0)
    with pytest.raises(ValueError, match=r"hessian: expected shape \(6, 3\)"):
        ck.softmax(z, y, None, g, np.empty((n, k + 1), np.float32), 1.0)
    with pytest.raises(ValueError, match="gradient: not Fortran-contiguous like the margins"):
        ck.softmax(zf, y, None, g, hf, 1.0)
    with pytest.raises(ValueError, match="hessian: not C-contiguous like the margins"):
        ck.multiclass_focal(z, y, None, g, hf, 1.0, 2.0, None, False)
    with pytest.raises(ValueError, match="alpha: expected 3 items"):
        ck.multiclass_focal(z, y, None, g, h, 1.0, 2.0, np.ones(2), False)
    with pytest.raises(TypeError, match="alpha"):
        ck.multiclass_focal(z, y, None, g, h, 1.0, 2.0, np.ones(k, np.float32), False)
    ro = np.empty((n, k), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        ck.softmax(z, y, None, g, ro, 1.0)
    # no rows, or labels outside 0..k-1 (never an index): nothing read or written out of bounds
    ck.softmax(np.zeros((0, k)), np.zeros(0), None, np.empty((0, k), np.float32),
               np.empty((0, k), np.float32), 1.0)
    ck.multiclass_focal(z, np.array([-1.0, 3.0, 1e9, np.nan, 0.5, 2.0]), None, g, h, 1.0, 2.0,
                        np.ones(k), True)
    assert np.all(np.isfinite(g)) and np.all(h > 0)


# ---------------------------------------------------------------------------------- compiled only
#: The kernels without a numpy version: compiled only.
NO_NUMPY = frozenset(name for name, k in _kernels.KERNELS.items() if not k.numpy)
K = _kernels.KERNELS


def _compiled_only_losses():
    """Every form in ALL_LOSSES of a loss whose kernel exists only compiled (counts, robust and
    asymmetric regression, soft-label cross-entropy), "auto" scales resolved, and a few more
    hyperparameters at the edges of their ranges."""
    extra = [boostobj.PoissonLoss(max_delta_step=3.0, hessian="exact"),
             boostobj.TweedieLoss(power=1.0 + 1e-6), boostobj.QuantileLoss(alpha=0.02),
             boostobj.ExpectileLoss(tau=0.01), boostobj.FairLoss(c=1e-3),
             boostobj.CauchyLoss(scale=1e-3, hessian="exact"), boostobj.WelschLoss(scale=1e3),
             boostobj.SmoothQuantileLoss(alpha=0.999, scale=1e-3, hessian="exact"),
             boostobj.SmoothQuantileLoss(alpha=1e-3, scale=1e4)]
    out = []
    for loss in [*ALL_LOSSES, *extra]:
        fit, name = kernel_of(loss)
        if name in NO_NUMPY:
            out.append(fit)
    return out


COMPILED_ONLY = _compiled_only_losses()


def test_the_compiled_only_losses_cover_every_compiled_only_kernel():
    named = {loss.fast_kernel()[0] for loss in COMPILED_ONLY}
    assert named == NO_NUMPY
    for loss in COMPILED_ONLY:  # every hessian option of each
        assert {other.hessian for other in COMPILED_ONLY if type(other) is type(loss)} == \
            set(loss.hessian_options), loss


_EXTREME_MARGINS = np.array([0.0, 1e-45, -1e-45, 1e-30, -1e-30, 1e-8, -1e-8, 0.5, -0.5, 1.0, -1.0,
                             20.0, -20.0, 88.0, -88.0, 89.0, -89.0, 400.0, -400.0, 700.0, -700.0,
                             709.7, 709.8, -709.8, 745.0, -745.0, 746.0, -746.0, 1e6, -1e6, 1e15,
                             -1e15, 3e38, -3e38, np.inf, -np.inf])


def _extreme_data(loss, rng, n):
    """Labels and margins at every edge: margins (log link, soft labels) or residuals (identity)
    from 0 and subnormal to +-1e6, +-3e38 and +-inf; labels 0 (where valid), tiny, huge, soft
    labels at 0, 1 and in between; labels half float32-representable."""
    y = labels_for(loss, n, rng)
    m = _EXTREME_MARGINS.size
    if loss.link.name == "log":
        special = [1e-30, 1e-8, 0.5, 1.0, 7.0, 1e10, 1e30] + ([0.0] if accepts(loss, 0.0) else [])
        z = np.log(np.maximum(y, 1e-3)) + rng.normal(0.0, 2.0, n)
    elif loss.task == "binary":
        special = [0.0, 1.0, 0.5, 1e-10, 1.0 - 1e-10, 0.25]
        z = rng.normal(0.0, 4.0, n)
    else:
        special = [0.0, 1e-30, 3.0, -7.5, 1e6, -1e6]
        y = y * 10.0 + 0.1 * rng.standard_t(1, n)  # heavy tails
        y[: n // 2] = y[: n // 2].astype(np.float32)
        z = y + rng.normal(0.0, 3.0, n)
    i = 0
    for label in special:  # every special label against every extreme margin (or residual)
        y[i: i + m] = label
        z[i: i + m] = _EXTREME_MARGINS + (label if loss.link.name == "identity" else 0.0)
        i += m
    z[i: i + m] = _EXTREME_MARGINS  # margins themselves extreme against ordinary labels
    return y, z


def _terms(loss, y, z):
    """The size of the terms the float64 reference subtracts to form the gradient, where they can
    be nearly equal (mu - y, y mu^a against mu^b, sigma(z) - y): there the reference's own
    absolute error is a few 1e-16 times this, and libmvec's exp may differ from numpy's by as
    much. 0 for the losses whose gradient has no such difference."""
    with np.errstate(over="ignore", invalid="ignore"):
        if loss.name == "poisson":
            return np.exp(z) + y
        if loss.name == "tweedie":
            return np.exp((2.0 - loss.power) * z) + y * np.exp((1.0 - loss.power) * z)
        if loss.name == "cross_entropy":
            return 1.0 + y
    return np.zeros_like(z)


#: The compiled-only kernels without exp: nothing but the reference's own IEEE operations.
_NO_EXP = {"quantile", "expectile", "fair", "cauchy"}


@needs_compiled
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", COMPILED_ONLY, ids=repr)
def test_compiled_only_kernels_are_the_float64_reference_rounded(loss, dtype, weighted, rng):
    # the reference's operations in its order, rounded once: within 1 float32 ulp of the float64
    # reference (equal where the reference overflows float32 or is infinite; equal everywhere
    # for the kernels without exp), the hessian floored
    # at 1e-16 before the weights exactly as the reference, at every margin and label edge
    n = 2 * _kernels.BLOCK + 5
    y, z = _extreme_data(loss, rng, n)
    z = z.astype(dtype)
    w = rng.uniform(0.1, 3.0, n).astype(np.float32).astype(np.float64) if weighted else None
    name, params = loss.fast_kernel()
    got = _kernels.KERNELS[name](y, z, w, **params)
    z64 = z.astype(np.float64)
    with np.errstate(all="ignore"):
        _, h_raw = loss._gradient_hessian(y, z64)
        want = _reference(loss, y, z, w)
        slack = 16 * 2.0**-52 * _terms(loss, y, z64) * (1.0 if w is None else w)
    ww = 1.0 if w is None else w
    for a, b, what in zip(got, want, ("gradient", "hessian")):
        assert a.dtype == np.float32 and a.shape == (n,), what
        assert not np.isnan(a).any(), what
        with np.errstate(over="ignore", invalid="ignore"):
            b32 = b.astype(np.float32)  # where the reference is beyond float32, so is the kernel
            ulp = np.spacing(np.abs(b32)).astype(np.float64)
            close = np.abs(a.astype(np.float64) - b) <= ulp + (slack if what == "gradient" else 0.0)
        bad = ~((a == b32) | close)
        assert not bad.any(), (what, y[bad][:5], z[bad][:5], a[bad][:5], b[bad][:5])
        if name in _NO_EXP:  # the same IEEE operations in the same order: bit for bit
            np.testing.assert_array_equal(a, b32, err_msg=what)
    # floored exactly as the reference: the floor, times the weight, rounded once
    floored = ~(h_raw > boostobj.HESSIAN_FLOOR)
    np.testing.assert_array_equal(got[1][floored],
                                  np.float32(boostobj.HESSIAN_FLOOR * ww)[floored]
                                  if w is not None else np.float32(boostobj.HESSIAN_FLOOR))
    assert np.all(got[1] > 0)
    if loss.hessian == "exact" and loss.name in ("cauchy", "welsch"):  # negative curvature
        assert floored.any()


@needs_compiled
def test_compiled_only_kernels_keep_the_references_limits(rng):
    # a few values by hand: overflow, infinite margins, a label 0, the floor
    inf = np.inf
    floor = np.float32(boostobj.HESSIAN_FLOOR)
    y = np.array([0.0, 0.0, 2.0, 2.0, 1.0])
    z = np.array([-inf, inf, 1e6, -1e6, 0.0], np.float32)
    g, h = K["poisson"](y, z, None, max_delta_step=0.7, exact_hessian=False)
    np.testing.assert_array_equal(g, [0.0, inf, inf, -2.0, 0.0])
    np.testing.assert_array_equal(h[:4], [floor, inf, inf, floor])
    g, h = K["tweedie"](y, z, None, power=1.5)  # y = 0: y mu^a is 0, even at z = -inf
    np.testing.assert_array_equal(g[:4], [0.0, inf, inf, -inf])
    np.testing.assert_array_equal(h[:4], [floor, inf, inf, inf])
    g, h = K["gamma"](np.array([1.0, 1.0, 3.0]), np.array([inf, -inf, np.log(3.0)]), None)
    np.testing.assert_array_equal(g, [1.0, -inf, 0.0])
    np.testing.assert_array_equal(h, [floor, inf, 1.0])
    g, h = K["cross_entropy"](np.array([0.3, 0.3, 1.0]), np.array([inf, -inf, 800.0]), None)
    np.testing.assert_array_equal(g, np.float32([0.7, -0.3, 0.0]))
    np.testing.assert_array_equal(h, [floor, floor, floor])
    r = np.array([inf, -inf, 1e300])
    for kernel, kw, g_inf in ((K["fair"], {"c": 2.0}, 2.0),
                              (K["cauchy"], {"scale": 1.0, "exact_hessian": True}, 0.0),
                              (K["welsch"], {"scale": 1.0, "exact_hessian": True}, 0.0)):
        g, h = kernel(np.zeros(3), r, np.full(3, 2.0), **kw)
        np.testing.assert_array_equal(g[:2], [2.0 * g_inf, -2.0 * g_inf])
        assert np.all(h[:2] == (np.float32(2e-16) if g_inf == 0.0 else h[:2])) and np.all(h > 0)
    g, h = K["quantile"](np.zeros(3), np.array([-1.0, 0.0, 1.0]), np.array([1.0, 2.0, 3.0]),
                         alpha=0.25)
    np.testing.assert_array_equal(g, [-0.25, 1.5, 2.25])
    np.testing.assert_array_equal(h, [1.0, 2.0, 3.0])
    g, h = K["expectile"](np.zeros(2), np.array([-2.0, 2.0]), None, tau=0.75)
    np.testing.assert_array_equal(g, [-1.5, 0.5])
    np.testing.assert_array_equal(h, [0.75, 0.25])
    z = np.array([inf, -inf, 0.0, 1e300])
    for exact in (False, True):  # the slopes s (1 - alpha), -s alpha; h 1/4 at the label, 0 far off
        g, h = K["smooth_quantile"](np.zeros(4), z, None, alpha=0.25, scale=2.0,
                                    exact_hessian=exact)
        np.testing.assert_array_equal(g, [1.5, -0.5, 0.5, 1.5])
        np.testing.assert_array_equal(h, [floor, floor, 0.25, floor])


def _accepts(fn, z, y, g, h, param):
    try:
        fn(z, y, None, g, h, param, 0.5, False)
    except ValueError:
        return False
    return True


@needs_compiled
def test_compiled_1d_binding_checks_its_parameter():
    ck = _COMPILED
    n = 4
    z, y = np.zeros(n, np.float32), np.ones(n)
    g, h = np.empty(n, np.float32), np.empty(n, np.float32)
    ck.tweedie(z, np.zeros(n), None, g, h, 1.5, 0.0, False)  # the right call works
    np.testing.assert_array_equal(g, np.float32(0.0))  # y = 1, z = 0: at the fit
    for name, bad, match in (("tweedie", 2.0, "power must be strictly between 1 and 2, got 2.0"),
                             ("tweedie", 1.0, "power must be strictly between 1 and 2"),
                             ("quantile", 1.0, "alpha must be strictly between 0 and 1"),
                             ("expectile", 0.0, "tau must be strictly between 0 and 1"),
                             ("fair", 0.0, "c must be > 0"),
                             ("cauchy", -1.0, "scale must be > 0"),
                             ("welsch", np.nan, "scale must be > 0, got nan"),
                             ("log_cosh", 0.0, "scale must be > 0"),
                             ("poisson", -0.1, "max_delta_step must be >= 0"),
                             ("gamma", np.inf, "param must be finite"),
                             ("smooth_quantile", 0.0, "scale must be > 0")):
        with pytest.raises(ValueError, match=f"{name}: {match}"):
            getattr(ck, name)(z, y, None, g, h, bad, 0.5, False)
    for bad in (0.0, 1.0, np.nan):  # the second parameter has its own rule
        with pytest.raises(ValueError, match="smooth_quantile: alpha must be strictly between 0 and 1"):
            ck.smooth_quantile(z, y, None, g, h, 1.0, bad, False)
    with pytest.raises(ValueError, match="cauchy: param2 must be finite"):
        ck.cauchy(z, y, None, g, h, 1.0, np.inf, False)
    with pytest.raises(TypeError, match="cauchy"):
        ck.cauchy(z, y, None, g, h, 1.0)  # a missing argument names the kernel
    with pytest.raises(ValueError, match="weights: expected 4 items"):
        ck.poisson(z, y, np.ones(3), g, h, 0.7, 0.0, False)
    for name, params, *_ in ck.TABLE:  # every 1-D binding checks both parameters, by name
        if params is None:
            continue
        fn = getattr(ck, name)
        with pytest.raises(ValueError, match=f"{name}: {params[0]} must be"):
            fn(z, y, None, g, h, np.nan, 0.5, False)
        good = next(p for p in (0.5, 1.5) if _accepts(fn, z, y, g, h, p))
        with pytest.raises(ValueError, match=f"{name}: {params[1]} must be"):
            fn(z, y, None, g, h, good, np.nan, False)


def test_compiled_only_kernels_need_the_extension(monkeypatch):
    # without it the dispatcher runs the float64 reference (available() says so); a direct call
    # of the kernel is refused with a clear message rather than run wrong
    monkeypatch.setattr(_kernels, "_ckernels", None)
    for name in NO_NUMPY:
        assert not _kernels.available(name) and not _kernels.compiled(name)
    assert _kernels.available("log_loss") and _kernels.available("squared_error")
    with pytest.raises(RuntimeError, match="'gamma' has no numpy version"):
        K["gamma"](np.ones(3), np.zeros(3), None)


# ---------------------------------------------------------------------------------- the table
@needs_compiled
def test_the_kernel_table_and_the_extension_list_agree():
    # each compiled kernel is declared twice, in Python (KERNELS) and in kernels.h's lists (the
    # extension's TABLE): names, parameter names, the labels' logarithms, the hessian switch and
    # CatBoost's one-call path must be the same in both
    table = {row[0]: row[1:] for row in _COMPILED.TABLE}
    assert len(table) == len(_COMPILED.TABLE)
    assert set(table) == {name for name, k in K.items() if k.compiled}
    for name, (params, log_labels, exact, catboost) in table.items():
        kernel = K[name]
        assert callable(getattr(_COMPILED, name)) and getattr(_COMPILED, name).__doc__, name
        assert kernel.catboost_fused is catboost, name
        assert kernel.log_labels is log_labels, name
        if params is None:  # another signature: the kernel's function calls it itself
            assert kernel.function is not None, name
            continue
        args = kernel.args
        assert isinstance(args, _kernels.Args), name
        assert (args.param or "param", args.param2 or "param2") == params, name
        assert (args.flag is not None) is exact, name
        if log_labels:
            assert "log_y" in getattr(_COMPILED, name).__doc__


@needs_compiled
def test_catboost_binds_exactly_the_declared_kernels():
    kw = {"log_loss": {}, "focal": {"gamma": 2.0, "alpha": 0.25, "bounded": True},
          "multiclass_focal": {"gamma": 2.0, "alpha": None, "bounded": True}}
    for name, kernel in K.items():
        if isinstance(kernel.args, _kernels.Args):
            args = kernel.args
            params = {n: 0.5 for n in (args.param, args.param2) if n is not None}
            if args.flag is not None:
                params[args.flag] = True
        else:
            params = kw.get(name, {})
        fused = _kernels.catboost_ders(name, params)
        assert (fused is not None) is kernel.catboost_fused, name
        if fused is not None:
            assert fused.args[1:] == tuple(float(a) for a in kernel.args(**params)[:3]) + (
                bool(kernel.args(**params)[3]),), name
    assert _kernels.catboost_ders("focal", kw["focal"]).args[1:] == (2.0, 0.25, 0.75, True)
    assert _kernels.FLOAT32_OVERFLOW == {"poisson", "gamma", "tweedie"}
    assert not any(K[name].catboost_fused for name in _kernels.FLOAT32_OVERFLOW)


def test_a_declaration_that_contradicts_itself_is_refused():
    Kernel, Args = _kernels.Kernel, _kernels.Args
    with pytest.raises(ValueError, match="neither compiled nor numpy"):
        Kernel("x", lambda y, z, w: None, compiled=False)
    with pytest.raises(ValueError, match="needs args=Args"):
        Kernel("x")
    with pytest.raises(ValueError, match="catboost_fused"):
        Kernel("x", args=Args("c"), float32_overflow=True, catboost_fused=True)
    with pytest.raises(ValueError, match="catboost_fused"):
        Kernel("x", args=Args(), log_labels=True, catboost_fused=True)
    with pytest.raises(ValueError, match="log_labels"):
        Kernel("x", lambda y, z, w: None, Args(), log_labels=True)
    args = Args("scale", "alpha", flag="exact_hessian")
    assert args(alpha=0.25, scale=2.0, exact_hessian=True) == (2.0, 0.25, 0.0, True)
    assert Args()() == (0.0, 0.0, 0.0, False)
    with pytest.raises(TypeError, match="expected the keyword arguments"):
        args(scale=2.0, exact_hessian=True)  # alpha missing
    with pytest.raises(TypeError, match="expected the keyword arguments"):
        Args("c")(c=1.0, d=2.0)
