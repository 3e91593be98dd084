"""Property tests (hypothesis): finiteness, symmetry and convexity on arbitrary margins."""

import numpy as np
from conftest import ALL_LOSSES, accepts, survival_labels
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import boostobj

margins = arrays(np.float64, st.integers(1, 40), elements=st.floats(-1e6, 1e6, allow_nan=False))
SETTINGS = settings(max_examples=60, deadline=None, print_blob=True, derandomize=True)


@SETTINGS
@given(margins, st.integers(0, 2**32 - 1))
def test_every_loss_is_finite_and_nonnegative(z, seed):
    rng = np.random.default_rng(seed)
    for loss in ALL_LOSSES:
        if loss.task == "survival":  # an AFT row's loss is a log density, an Efron tie's term
            # a share of the tie's: either may be < 0 (and a Breslow one rounds to -1e-16)
            zz, y = np.clip(z, -300.0, 300.0), survival_labels(loss, z.shape[0], rng)
        elif loss.task == "multiclass":
            zz = np.column_stack([z, -z, np.roll(z, 1)])
            y = rng.integers(0, 3, z.shape[0]).astype(float)
        elif loss.link.name == "logit":
            zz, y = z, rng.integers(0, 2, z.shape[0]).astype(float)
        elif loss.link.name == "log":  # positive amounts; exp(z) overflows float64 past 709.78
            zz, y = np.clip(z, -700.0, 700.0), rng.uniform(1e-3, 1e3, z.shape[0])
        elif not accepts(loss, -1e6):  # labels bounded below (squared log error: y > -1)
            zz, y = z, rng.uniform(0.0, 1e6, z.shape[0])
        else:
            zz, y = z, rng.uniform(-1e6, 1e6, z.shape[0])
        lo = loss.loss(y, zz)
        g, h = loss.gradient_hessian(y, zz)
        assert np.all(np.isfinite(lo)) and (loss.task == "survival" or np.all(lo >= 0))
        assert np.all(np.isfinite(g)) and np.all(np.isfinite(h))
        nonconvex = (boostobj.FocalLoss, boostobj.MulticlassFocalLoss, boostobj.CauchyLoss,
                     boostobj.WelschLoss, boostobj.SquaredLogErrorLoss)
        if loss.hessian != "exact" or not isinstance(loss, nonconvex):
            assert np.all(h >= 0)  # only the exact non-convex hessians may be negative


@SETTINGS
@given(margins)
def test_symmetries(z):
    ll = boostobj.BinaryLogLoss()
    one, zero = np.ones_like(z), np.zeros_like(z)
    np.testing.assert_array_equal(ll.loss(one, z), ll.loss(zero, -z))
    np.testing.assert_array_equal(ll.gradient(one, z), -ll.gradient(zero, -z))
    for loss in (boostobj.LogCoshLoss(scale=1.0), boostobj.LogCoshLoss(scale=7.0), boostobj.PseudoHuberLoss(delta=3.0),
                 boostobj.SquaredErrorLoss()):
        np.testing.assert_array_equal(loss.loss(zero, z), loss.loss(zero, -z))
        np.testing.assert_array_equal(loss.gradient(zero, z), -loss.gradient(zero, -z))


@SETTINGS
@given(st.floats(-50, 50), st.floats(1e-3, 5))
def test_convex_losses_lie_above_their_tangents(z0, step):
    """Convexity of the losses with non-negative exact hessians, checked by the tangent rule."""
    for loss, y in ((boostobj.BinaryLogLoss(), 1.0), (boostobj.LogCoshLoss(scale=1.0), 0.3),
                    (boostobj.PseudoHuberLoss(delta=0.7), -2.0)):
        yy = np.array([y, y])
        pts = np.array([z0, z0 + step])
        lo = loss.loss(yy, pts)
        g = loss.gradient(yy, pts)
        assert lo[1] >= lo[0] + g[0] * step - 1e-9 * (1 + abs(lo[1]))
