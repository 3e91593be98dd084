"""The fast float32 kernels behind every library call (boostobj/_kernels.py) against the exact
float64 math: every loss in ALL_LOSSES, float32 (XGBoost) and float64 (LightGBM) margins,
weighted and unweighted, at extreme margins and residuals, across several blocks. Every test
runs twice: with the compiled extension (when built) and with numpy only."""

import numpy as np
import pytest
from conftest import ALL_LOSSES, kernel_of, labels_for, margins_for

import boostobj
from boostobj import _kernels
from boostobj.received import library_gradient_hessian

TINY32 = float(np.finfo(np.float32).tiny)
#: 6 float32 ulp (2**-23 each) relative: the kernels' documented worst case is about 3 ulp.
RTOL = 12 * 2.0**-24
SINGLE = [loss for loss in ALL_LOSSES if loss.task != "multiclass"]
_COMPILED_MODULE = _kernels._ckernels
#: The kernels without a numpy version (their loss's float64 reference runs without the extension).
NO_NUMPY = frozenset(name for name, k in _kernels.KERNELS.items() if not k.numpy)


@pytest.fixture(autouse=True, params=["compiled", "numpy"])
def kernels(request, monkeypatch):
    """Run the test with the compiled extension, then with the numpy kernels alone."""
    if request.param == "compiled":
        if _COMPILED_MODULE is None:
            pytest.skip("boostobj._ckernels is not built here (numpy kernels only)")
        monkeypatch.setattr(_kernels, "_ckernels", _COMPILED_MODULE)
    else:
        monkeypatch.setattr(_kernels, "_ckernels", None)
    return request.param


def _reference(loss, y, z, w):
    """What the libraries received before the fast kernels: float64, floored, then weighted."""
    loss = loss.resolved(y, w)  # "auto" scales from the weighted labels, as the dispatcher does
    if loss.couples_rows:  # the weights inside the risk sums, the floor weighted
        g, h = loss.gradient_hessian(y, z.astype(np.float64), w)
        return g, np.maximum(h, boostobj.HESSIAN_FLOOR * (1.0 if w is None else w))
    g, h = loss.gradient_hessian(y, z.astype(np.float64))
    h = np.maximum(h, boostobj.HESSIAN_FLOOR)
    if w is not None:
        ww = w if g.ndim == 1 else w[:, None]
        g, h = g * ww, h * ww
    return g, h


def _data(loss, rng, n=2 * _kernels.BLOCK + 37):
    y = labels_for(loss, n, rng)
    z = margins_for(loss, n, rng)
    extremes = np.concatenate([[0.0, 1e-30, -1e-30, 36.0, -36.0, 88.0, -88.0, 90.0, -90.0],
                               np.outer([1.0, -1.0], 10.0 ** np.arange(-3, 7)).ravel()])
    if loss.task == "multiclass":
        z[: extremes.size, 0] = extremes
    elif loss.link.name == "identity":
        z[: extremes.size] = y[: extremes.size] + extremes  # residuals 0 .. ±1e6
        z[extremes.size: 2 * extremes.size] = extremes
    elif loss.link.name == "log":  # exp(z) overflows float32 past 88.7: the float32 kernels'
        # outputs too, where the float64 reference's do not (test_ckernels.py covers those)
        z[: extremes.size] = np.clip(extremes, -80.0, 80.0)
    else:
        z[: extremes.size] = extremes
    return y, z


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", ALL_LOSSES, ids=repr)
def test_fast_path_matches_float64_reference(loss, dtype, weighted, rng):
    y, z = _data(loss, rng)
    # the libraries hand float32 labels and weights
    y = y.astype(np.float32).astype(np.float64)
    w = rng.uniform(0.1, 3.0, y.shape[0]).astype(np.float32).astype(np.float64) if weighted else None
    z = z.astype(dtype)
    got = library_gradient_hessian(loss, y, z, w)
    want = _reference(loss, y, z, w)
    wmax = 1.0 if w is None else float(w.max())
    for a, b, what in zip(got, want, ("gradient", "hessian")):
        assert a.shape == b.shape
        assert np.all(np.isfinite(a)), what
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=TINY32 * wmax, err_msg=what)
    assert np.all(got[1] > 0)


@pytest.mark.parametrize("loss", SINGLE, ids=repr)
def test_float64_labels_not_representable_in_float32(loss, rng):
    # the sklearn entry points may hand float64 labels: the residual must not be rounded first
    y, z = _data(loss, rng, n=5000)
    if loss.link.name == "identity":
        y = y + 1000.0 + 1e-9
        z = (z + 1000.0).astype(np.float32)
    for a, b in zip(library_gradient_hessian(loss, y, z, None), _reference(loss, y, z, None)):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=TINY32)


def test_output_dtype_is_float32_for_the_fast_kernels(rng, kernels):
    for loss in SINGLE:
        y, z = _data(loss, rng, n=100)
        spec = loss.resolved(y).fast_kernel()
        g, h = library_gradient_hessian(loss, y, z, None)
        if spec is None:  # no fast kernel: the float64 reference
            assert g.dtype == h.dtype == np.float64, loss
        elif _kernels.available(spec[0]):
            assert g.dtype == h.dtype == np.float32, loss
        else:  # a compiled-only kernel without the extension: the float64 reference itself
            assert kernels == "numpy" and spec[0] in NO_NUMPY, loss
            for a, b in zip((g, h), library_gradient_hessian(loss, y, z, None, reference=True)):
                assert a.dtype == np.float64
                np.testing.assert_array_equal(a, b)


#: Shipped losses that run their float64 reference (no fast kernel yet).
REFERENCE_ONLY: set[str] = {"HuberLoss", "SquaredLogErrorLoss", "MAPELoss", "CoxPHLoss",
                            "AFTLoss"}


def test_every_registry_loss_names_a_kernel_in_the_table(kernels):
    # walks the registry (each loss with each hessian option, as the kernel benchmark does):
    # every shipped loss but REFERENCE_ONLY has a fast kernel, named in the table (a loss
    # without one runs its float64 reference, several times slower: then say so there)
    from boostobj.bench import kernel_losses

    for loss in kernel_losses():
        name = kernel_of(loss)[1]
        if type(loss).__name__ in REFERENCE_ONLY:
            assert name is None, f"{loss!r} has a kernel now: remove it from REFERENCE_ONLY"
            continue
        assert name is not None, f"{loss!r} has no fast kernel"
        assert name in _kernels.KERNELS, loss
        assert _kernels.available(name) == (kernels == "compiled"
                                            or name not in NO_NUMPY), loss
    assert all(_kernels.KERNELS[name].compiled for name in NO_NUMPY)


@pytest.mark.parametrize("loss", SINGLE, ids=repr)
def test_results_kept_by_the_caller_are_never_overwritten(loss, rng):
    from boostobj._kernels import OutputBuffers, outputs_kept_in

    with outputs_kept_in(OutputBuffers()):  # the buffers of one training, reused when free
        _kept_results_survive(loss, rng)


def _kept_results_survive(loss, rng):
    y, z = _data(loss, rng, n=3000)
    g1, h1 = library_gradient_hessian(loss, y, z, None)
    keep = g1.copy(), h1.copy()
    g2, h2 = library_gradient_hessian(loss, y, z + 0.5, None)
    assert not np.shares_memory(g1, g2) and not np.shares_memory(h1, h2)
    np.testing.assert_array_equal(g1, keep[0])
    np.testing.assert_array_equal(h1, keep[1])
    # a view is a reference too
    view = g2[:10]
    del g2
    g3, _ = library_gradient_hessian(loss, y, z, None)
    assert not np.shares_memory(view, g3)


def test_dropped_outputs_are_reused_within_a_training():
    from boostobj._kernels import OutputBuffers, outputs_kept_in

    loss = boostobj.BinaryLogLoss()
    y = np.tile([0.0, 1.0], 500)
    z = np.linspace(-5, 5, 1000)
    buffers = OutputBuffers()  # what the dispatcher keeps per training set
    with outputs_kept_in(buffers):
        first = [id(a) for a in library_gradient_hessian(loss, y, z, None)]
        second = [id(a) for a in library_gradient_hessian(loss, y, z, None)]
    assert first == second
    assert buffers.pair is not None
    # outside a training, nothing is kept between calls
    with outputs_kept_in(None):
        kept = library_gradient_hessian(loss, y, z, None)
    assert all(k is not b for k, b in zip(kept, buffers.pair))


@pytest.mark.parametrize("loss", SINGLE, ids=repr)
def test_inputs_unchanged_and_strided_margins(loss, rng):
    y, z = _data(loss, rng, n=4000)
    w = rng.uniform(0.5, 2.0, y.shape[0])
    zz = np.repeat(z, 2)[::2]  # strided view with the same values
    before = y.copy(), zz.copy(), w.copy()
    got = library_gradient_hessian(loss, y, zz, w)
    for a, b in zip((y, zz, w), before):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(got, _reference(loss, y, z, w)):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=TINY32 * 2)


def test_new_weights_are_seen(rng):
    # the per-label cache is keyed by the arrays themselves
    loss = boostobj.FocalLoss(gamma=2.0, alpha=0.25)
    y = (rng.random(1000) < 0.3).astype(np.float64)
    z = rng.normal(size=1000)
    w1 = np.ones(1000)
    w2 = np.full(1000, 2.0)
    g1 = library_gradient_hessian(loss, y, z, w1)[0].copy()
    g2 = library_gradient_hessian(loss, y, z, w2)[0]
    np.testing.assert_allclose(g2, 2 * g1, rtol=RTOL)


def test_objective_calls_go_through_the_fast_path(rng):
    # the library-facing call returns float32 that matches the float64 math
    loss = boostobj.LogCoshLoss()
    y = rng.normal(size=500).astype(np.float32)
    z = rng.normal(size=500)
    g, h = loss(y, z)  # LightGBM's sklearn signature
    assert g.dtype == np.float32
    want = _reference(loss, y.astype(np.float64), z, None)
    np.testing.assert_allclose(g, want[0], rtol=RTOL)
    np.testing.assert_allclose(h, want[1], rtol=RTOL)



@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", ALL_LOSSES, ids=repr)
def test_infinite_margins_give_the_limits_not_nan(loss, dtype, rng):
    # a diverged booster can hand +-inf: the reference and the kernels give the limits (equal to
    # each other), and only squared error's unbounded gradient may be infinite
    inf = np.inf
    if loss.task == "multiclass":
        y = np.array([1.0, 0.0, 2.0, 1.0, 0.0, 0.0])
        z = np.array([[inf, 0, 0], [0, -inf, 0], [inf, inf, inf], [inf, -inf, 0],
                      [-inf, -inf, -inf], [inf, 0, 0]])
    else:
        y = labels_for(loss, 8, rng)
        z = np.array([inf, -inf, inf, -inf, 0.0, 1.0, inf, -inf])
        if loss.link.name == "logit":
            y = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0])
    with np.errstate(over="ignore", invalid="ignore"):
        g, h = loss.gradient_hessian(y, z)
        value = loss.loss(y, z)
    assert not np.isnan(value).any() and not np.isnan(g).any() and not np.isnan(h).any()
    gf, hf = loss(y, z.astype(dtype))
    # squared error's gradient and the log link's exp(z) are unbounded: infinite, never NaN
    parts = [p for _, p in loss.losses] if isinstance(loss, boostobj.CombinedLoss) else [loss]
    unbounded = (any(isinstance(p, (boostobj.SquaredErrorLoss, boostobj.ExpectileLoss))
                     for p in parts)
                 or loss.link.name == "log")
    assert not np.isnan(hf).any() and np.all(hf > 0)
    assert loss.link.name == "log" or np.all(np.isfinite(hf))
    assert not np.isnan(gf).any() and (unbounded or np.all(np.isfinite(gf)))
    want = g.astype(np.float32)
    np.testing.assert_allclose(gf, want, rtol=RTOL, atol=0)
    if not unbounded:  # the exact limits where they are plain numbers
        if loss.link.name == "logit":
            a = sum(w * (1.0 if getattr(p, "alpha", None) is None
                         else np.where(y > 0, p.alpha, 1 - p.alpha))
                    for w, p in (loss.losses if isinstance(loss, boostobj.CombinedLoss)
                                 else [(1.0, loss)]))
            wrong = (y > 0) != (z > 0)  # infinitely confident and wrong: |g| = alpha_t
            half = 0.5 * getattr(loss, "label_smoothing", 0.0)  # smoothed: 1 - eps/2 and eps/2
            np.testing.assert_array_equal(np.abs(g)[:4], np.where(wrong, a - half, half)[:4])
        elif loss.link.name == "identity":
            fit = loss.resolved(y)
            zi = z[np.isinf(z)]
            want = np.array([_limit(fit, 1.0 if v > 0 else -1.0) for v in zi])
            if isinstance(fit, boostobj.SquaredLogErrorLoss):  # 0 above, the floor's gradient below
                from boostobj.losses.regression import SQUARED_LOG_FLOOR

                floor = fit.gradient(y[np.isinf(z)], np.full(zi.shape, SQUARED_LOG_FLOOR))
                want = np.where(zi > 0, 0.0, floor)
            if isinstance(fit, boostobj.MAPELoss):  # +-1 / max(1, |y|)
                want = np.sign(zi) / np.maximum(1.0, np.abs(y[np.isinf(z)]))
            np.testing.assert_array_equal(g[np.isinf(z)], want)


def _limit(fit, sign):
    """The gradient at the residual ``sign * inf``: pseudo-Huber's delta, log-cosh's scale,
    Fair's c, the pinball slopes, 0 for the redescending losses, the weighted sum of the
    parts' for a combination."""
    if isinstance(fit, boostobj.CombinedLoss):
        return sum(w * _limit(part, sign) for w, part in fit.losses)
    if isinstance(fit, (boostobj.CauchyLoss, boostobj.WelschLoss)):
        return 0.0 * sign
    if isinstance(fit, boostobj.QuantileLoss):
        return 1.0 - fit.alpha if sign > 0 else -fit.alpha
    if isinstance(fit, boostobj.SmoothQuantileLoss):
        return fit.scale * (1.0 - fit.alpha if sign > 0 else -fit.alpha)
    if isinstance(fit, boostobj.FairLoss):
        return fit.c * sign
    return getattr(fit, "delta", getattr(fit, "scale", 1.0)) * sign


#: The losses whose kernels exist only compiled, every form in ALL_LOSSES.
COMPILED_ONLY = [loss for loss in SINGLE if kernel_of(loss)[1] in NO_NUMPY]


def _reference_objective(loss):
    """``loss`` as an objective that hands the libraries the float64 reference (the path these
    losses took before their kernels, and still take without the compiled extension)."""
    def reference(loss, library, y, preds, w):
        return library_gradient_hessian(loss, y, preds, w, reference=True)

    return boostobj.FitObjective(loss, kernel=reference)


def _training_data(loss, rng, n=600):
    X = rng.normal(size=(n, 4))
    y = labels_for(loss, n, rng)
    if loss.link.name == "identity":  # labels that depend on the features, with outliers
        y = y + 3.0 * X[:, 0] - X[:, 1]
    return X, y, rng.uniform(0.5, 2.0, n)


@pytest.mark.parametrize("loss", COMPILED_ONLY, ids=repr)
def test_kernel_trains_the_reference_model(loss, kernels, rng):
    # XGBoost and LightGBM store gradients as float32: the kernel's float32 (the reference rounded
    # once) gives the model the float64 reference gives, to float32 rounding
    if kernels == "numpy":
        pytest.skip("without the extension both sides run the float64 reference")
    xgb = pytest.importorskip("xgboost")
    lgb = pytest.importorskip("lightgbm")
    assert _kernels.compiled(kernel_of(loss)[1])
    X, y, w = _training_data(loss, rng)
    params = {"max_depth": 3, "eta": 0.3, "nthread": 1, **boostobj.xgboost_params(loss, y, w)}
    out = []
    for obj in (loss, _reference_objective(loss)):
        bst = xgb.train(params, xgb.DMatrix(X, label=y, weight=w), 10, obj=obj)
        out.append(bst.predict(xgb.DMatrix(X), output_margin=True))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-5, atol=1e-5)
    out = []
    for obj in (loss, _reference_objective(loss)):
        ds = lgb.Dataset(X, label=y, weight=w, init_score=loss.init_raw_prediction(y, w))
        lgb_params = {"objective": obj, "num_leaves": 7, "verbose": -1, "num_threads": 1,
                      "deterministic": True, "force_col_wise": True}
        out.append(lgb.train(lgb_params, ds, 10).predict(X, raw_score=True))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------------- multiclass
# the multiclass losses with a fast kernel (a smoothed softmax hands the float64 reference)
MULTI = [loss for loss in ALL_LOSSES if loss.task == "multiclass" and loss.fast_kernel() is not None]


def _multiclass_loss(loss, k):
    """``loss`` with alpha resized to ``k`` classes (the same hyperparameters otherwise)."""
    alpha = getattr(loss, "alpha", None)
    if alpha is None:
        return loss
    return type(loss)(**{**loss.get_params(), "alpha": list(np.linspace(0.5, 2.0, k))})


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("k", [2, 10])
@pytest.mark.parametrize("loss", MULTI, ids=repr)
def test_multiclass_fast_path_other_class_counts_and_scale(loss, k, order, rng):
    # K = 3 is walked above; here 2 and 10 classes, both memory orders, weights and a scale
    loss = _multiclass_loss(loss, k)
    n = 3 * _kernels.BLOCK // k + 17  # several blocks of the numpy kernel too
    y = rng.integers(0, k, n).astype(np.float64)
    z = rng.normal(0.0, 3.0, (n, k))
    z[:10] = np.array([0.0, 1e-30, 36.0, -88.0, 700.0, -745.0, 1e6, -1e6, np.inf, -np.inf])[:, None]
    z[:10, 0] = 0.0  # rows of one extreme against a 0
    w = rng.uniform(0.1, 3.0, n).astype(np.float32).astype(np.float64)
    for dtype in (np.float32, np.float64):
        zz = np.asarray(z.astype(dtype), order=order)
        got = library_gradient_hessian(loss, y, zz, w, scale=1.25)
        with np.errstate(all="ignore"):
            want = library_gradient_hessian(loss, y, zz, w, scale=1.25, reference=True)
        for a, b, what in zip(got, want, ("gradient", "hessian")):
            assert a.dtype == np.float32 and a.shape == (n, k), what
            assert a.flags.f_contiguous == (order == "F"), what  # the margins' memory order
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=TINY32 * float(w.max()), err_msg=what)
        assert np.all(got[1] > 0)


@pytest.mark.parametrize("loss", MULTI, ids=repr)
def test_multiclass_results_kept_by_the_caller_are_never_overwritten(loss, rng):
    from boostobj._kernels import OutputBuffers, outputs_kept_in

    with outputs_kept_in(OutputBuffers()):  # the buffers of one training, reused when free
        _multiclass_kept_results_survive(loss, rng)


def _multiclass_kept_results_survive(loss, rng):
    y, z = _data(loss, rng, n=3000)
    z = np.asfortranarray(z)
    g1, h1 = library_gradient_hessian(loss, y, z, None)
    keep = g1.copy(), h1.copy()
    g2, h2 = library_gradient_hessian(loss, y, z + 0.5, None)
    assert not np.shares_memory(g1, g2) and not np.shares_memory(h1, h2)
    np.testing.assert_array_equal(g1, keep[0])
    np.testing.assert_array_equal(h1, keep[1])
    del g1, h1, g2, h2
    first = [a.__array_interface__["data"][0] for a in library_gradient_hessian(loss, y, z, None)]
    second = [a.__array_interface__["data"][0] for a in library_gradient_hessian(loss, y, z, None)]
    assert first == second  # dropped outputs are reused


@pytest.mark.parametrize("loss", MULTI, ids=repr)
def test_multiclass_strided_margins(loss, rng):
    # neither C- nor F-contiguous margins (a column slice) take the numpy kernel
    y, z = _data(loss, rng, n=2000)
    wide = np.repeat(z, 2, axis=1)[:, ::2]
    got = library_gradient_hessian(loss, y, wide, None)
    for a, b in zip(got, _reference(loss, y, z, None)):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=TINY32)


def test_multiclass_kernels_are_named_and_compiled(kernels):
    assert boostobj.SoftmaxLoss().fast_kernel() == ("softmax", {})
    name, params = boostobj.MulticlassFocalLoss(gamma=1.5, alpha=[1.0, 2.0],
                                                hessian="exact").fast_kernel()
    assert name == "multiclass_focal" and params == {"gamma": 1.5, "alpha": (1.0, 2.0),
                                                     "bounded": False}
    for name in ("softmax", "multiclass_focal"):
        assert name in _kernels.KERNELS
        assert _kernels.compiled(name) == (kernels == "compiled")
