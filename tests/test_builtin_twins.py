"""The losses added as twins of built-ins (HuberLoss, SquaredLogErrorLoss, MAPELoss): what their
hessian options and starts are, beyond the generic suites (which walk them from the registry)."""

import numpy as np
import pytest

import boostobj


# ----------------------------------------------------------------------------- Huber
def test_huber_hessian_options():
    r = np.array([-1e6, -3.0, -2.0, -0.5, 0.0, 1e-9, 1.0, 2.0, 50.0, np.inf])
    y = np.zeros_like(r)
    g, h = boostobj.HuberLoss(delta=2.0).gradient_hessian(y, r)
    np.testing.assert_array_equal(g, np.clip(r, -2.0, 2.0))
    nz = (r != 0) & np.isfinite(r)
    np.testing.assert_allclose(h[nz], g[nz] / r[nz], rtol=1e-15)  # gradient over residual
    assert h[r == 0][0] == 1.0 and h[-1] == 0.0 and np.all(h[:-1] > 0)
    exact = boostobj.HuberLoss(delta=2.0, hessian="exact").gradient_hessian(y, r)[1]
    np.testing.assert_array_equal(exact, (np.abs(r) < 2.0).astype(float))  # 0 at |r| = delta
    const = boostobj.HuberLoss(delta=2.0, hessian="constant").gradient_hessian(y, r)[1]
    np.testing.assert_array_equal(const, np.ones_like(r))


def test_huber_start_is_the_m_estimate_and_auto_delta_is_pseudo_hubers():
    y = np.array([0.0, 1.0, 2.0, 10.0, 100.0])
    assert boostobj.HuberLoss(delta=1.5).init_score(y) == 2.25  # 1.5 + 1.25 + 0.25 - 2 * 1.5 = 0
    assert boostobj.HuberLoss(delta=1e9).init_score(y) == pytest.approx(y.mean(), rel=1e-15)
    assert (boostobj.HuberLoss().resolved(y).delta
            == boostobj.PseudoHuberLoss().resolved(y).delta)


def test_huber_tiny_delta_warns_unless_the_hessian_is_constant():
    y = np.linspace(0.0, 1e6, 50)
    for hessian in ("bounded", "exact"):
        with pytest.warns(boostobj.DegenerateWarning, match="delta"):
            boostobj.HuberLoss(delta=1e-3, hessian=hessian).warn_degenerate(y, None)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        boostobj.HuberLoss(delta=1e-3, hessian="constant").warn_degenerate(y, None)
