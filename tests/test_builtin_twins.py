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


# ----------------------------------------------------------------------------- squared log error
def test_squared_log_error_below_the_floor_follows_the_tangent():
    from boostobj.losses.regression import SQUARED_LOG_FLOOR as Z0

    loss = boostobj.SquaredLogErrorLoss(hessian="exact")
    y = np.full(4, 2.0)
    z = np.array([Z0, -1.0, -5.0, -np.inf])
    g, h = loss.gradient_hessian(y, z)
    assert np.all(g == g[0]) and g[0] < 0  # the gradient at the floor, as XGBoost's clip
    np.testing.assert_array_equal(h[1:], 0.0)  # the loss is linear there
    lo = loss.loss(y, z)
    np.testing.assert_allclose(lo[1:3], lo[0] + g[0] * (z[1:3] - Z0), rtol=1e-15)
    assert lo[3] == np.inf
    clipped = boostobj.SquaredLogErrorLoss(hessian="clipped").gradient_hessian(y, z)[1]
    np.testing.assert_array_equal(clipped, h[0])  # XGBoost's: the hessian at the floor
    assert h[0] > 1e12


def test_squared_log_error_labels_and_start():
    loss = boostobj.SquaredLogErrorLoss()
    with pytest.raises(ValueError, match=r">= -0.999999 .*got -0.9999999 at index 1"):
        loss.check_labels(np.array([0.0, -0.9999999]))
    loss.check_labels(np.array([-1.0 + 1e-6, 0.0]))  # the floor itself is a label
    rng = np.random.default_rng(0)
    y, w = rng.gamma(2.0, 50.0, 500), rng.uniform(0.1, 3.0, 500)
    want = np.expm1(np.average(np.log1p(y), weights=w))
    assert loss.init_score(y, w) == pytest.approx(want, rel=1e-14)


def test_squared_log_error_bounded_hessian_lands_a_row_on_its_label():
    y = np.array([0.0, 3.0, 100.0, 100.0, 2.5])
    z = np.array([5.0, 0.5, 1e4, -7.0, 2.5])  # above, below, far above, below the floor, at it
    g, h = boostobj.SquaredLogErrorLoss().gradient_hessian(y, z)
    assert np.all(h > 0)
    np.testing.assert_allclose(z - g / h, y, rtol=1e-14, atol=1e-14)  # one Newton step each
    assert h[-1] == 1.0 / 3.5**2


def test_xgboost_squaredlogerror_start_and_clip_as_documented():
    """The numbers in SquaredLogErrorLoss's docstring (xgboost 3.2.0)."""
    xgb = pytest.importorskip("xgboost")
    from sklearn.datasets import load_diabetes

    from boostobj.parity.compare import xgboost_intercept

    X, y = load_diabetes(return_X_y=True)
    d = xgb.DMatrix(X, label=y)
    own = xgboost_intercept(xgb.train({"objective": "reg:squaredlogerror", "eta": 0.0}, d, 1))[0]
    l1p = np.log1p(y.astype(np.float32).astype(np.float64))
    assert own == pytest.approx(l1p.sum() / (1 + l1p).sum(), rel=1e-6)  # one step from 0: 0.83
    assert boostobj.SquaredLogErrorLoss().init_score(y) == pytest.approx(132.0, abs=0.5)
    d = xgb.DMatrix(np.zeros((3, 1)), label=np.array([0.0, 1.0, 5.0]))
    params = {"objective": "reg:squaredlogerror", "base_score": -5.0, "eta": 1.0, "max_depth": 1,
              "lambda": 0.0, "min_child_weight": 0.0}
    moved = xgb.train(params, d, 1).predict(d, output_margin=True) + 5.0
    np.testing.assert_allclose(moved, 9.5e-7, rtol=0.01)  # stuck at the clip


# ----------------------------------------------------------------------------- MAPE
def test_mape_is_the_libraries_definition():
    y = np.array([0.0, 0.5, 2.0, -300.0, 7.0])
    z = np.array([1.0, 1.0, 1.0, 100.0, 7.0])
    loss = boostobj.MAPELoss()
    np.testing.assert_allclose(loss.loss(y, z), [1.0, 0.5, 0.5, 400.0 / 300.0, 0.0], rtol=1e-15)
    g, h = loss.gradient_hessian(y, z)
    np.testing.assert_array_equal(g, [1.0, 1.0, -0.5, 1.0 / 300.0, 1.0 / 7.0])  # +1/m at z = y
    np.testing.assert_array_equal(boostobj.MAPELoss(hessian="constant").gradient_hessian(y, z)[1],
                                  1.0)  # LightGBM's
    # the default: the IRLS weight 1 / (m max(|r|, 0.1 m)), finite at the label
    m = np.maximum(1.0, np.abs(y))
    np.testing.assert_allclose(h, 1.0 / (m * np.maximum(np.abs(z - y), 0.1 * m)), rtol=1e-15)
    pytest.importorskip("catboost")
    from catboost.utils import eval_metric

    metric = eval_metric(y[:4], z[:4], "MAPE")[0]
    assert metric == pytest.approx(loss.mean_loss(y[:4], z[:4]), rel=1e-12)


def test_mape_start_is_the_weighted_median_with_weights_over_m():
    from boostobj.losses.labels import weighted_quantile

    rng = np.random.default_rng(0)
    y, w = rng.gamma(2.0, 50.0, 301), rng.uniform(0.1, 3.0, 301)
    assert boostobj.MAPELoss().init_score(y, w) == weighted_quantile(y, w / np.maximum(1, y), 0.5)
    # CatBoost's own MAPE start (boost_from_average) on diabetes: the same number, 90.0
    from sklearn.datasets import load_diabetes

    _, yd = load_diabetes(return_X_y=True)
    assert boostobj.MAPELoss().init_score(yd) == 90.0


def _catboost_mape(X, y, start, loss_function):
    import catboost as cb

    params = {"boosting_type": "Plain", "bootstrap_type": "No", "random_strength": 0, "depth": 6,
              "learning_rate": 0.1, "iterations": 100, "random_seed": 0, "verbose": False,
              "allow_writing_files": False, "leaf_estimation_method": "Gradient",
              "loss_function": loss_function}
    if not isinstance(loss_function, str):
        params["eval_metric"] = loss_function.metric
    model = cb.CatBoost(params)
    model.fit(cb.Pool(X, y, baseline=np.full(y.shape[0], start)))
    return model.predict(X, prediction_type="RawFormulaVal")


def test_catboost_mape_with_gradient_leaves_is_this_loss():
    """The gradients are CatBoost's: with leaf_estimation_method="Gradient" on both sides the
    built-in and the loss give the same model (catboost 1.2.10: 1.8e-9 of labels to 346). Its
    default, "Exact" leaves, differs by up to 183: no twin is declared."""
    pytest.importorskip("catboost")
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    y = y.astype(np.float32).astype(np.float64)
    start = boostobj.MAPELoss().init_score(y)
    want = _catboost_mape(X, y, start, "MAPE")
    got = _catboost_mape(X, y, start, boostobj.MAPELoss())
    assert np.max(np.abs(got - want)) < 1e-7 * np.max(np.abs(y))


def test_lightgbm_mape_first_tree_splits_as_this_loss_then_renews_its_leaves():
    lgb = pytest.importorskip("lightgbm")
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    y = y.astype(np.float32).astype(np.float64)
    start = boostobj.MAPELoss().init_score(y) + 0.5  # no row on its label (LightGBM's gradient 0)
    params = {"verbose": -1, "num_leaves": 63, "learning_rate": 0.1, "deterministic": True,
              "force_col_wise": True, "num_threads": 1}

    def train(objective):
        ds = lgb.Dataset(X, y, init_score=np.full(y.shape[0], start))
        return lgb.train({**params, "objective": objective}, ds, 1)

    def splits(booster):
        out = []

        def walk(node):
            if "split_feature" in node:
                out.append((node["split_feature"], node["threshold"]))
                walk(node["left_child"])
                walk(node["right_child"])

        walk(booster.dump_model()["tree_info"][0]["tree_structure"])
        return out

    builtin, custom = train("mape"), train(boostobj.MAPELoss(hessian="constant"))  # LightGBM's
    assert splits(builtin) == splits(custom)
    renewed = np.max(np.abs(builtin.predict(X, raw_score=True)))
    newton = np.max(np.abs(custom.predict(X, raw_score=True)))
    assert renewed > 100 * newton  # leaves renewed to weighted medians of the residuals


def test_mape_default_learns_on_large_targets():
    """The IRLS hessian moves leaves toward weighted medians: on diabetes (labels 25 to 346)
    LightGBM with MAPELoss() gets close to its own mape (which renews leaves), where the constant
    hessian hardly leaves the start."""
    lgb = pytest.importorskip("lightgbm")
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)

    def train_mape(loss):
        model = boostobj.LGBMRegressor(objective=loss, n_estimators=100, verbose=-1).fit(X, y)
        return loss.mean_loss(y, model.predict(X))

    builtin = lgb.LGBMRegressor(objective="mape", n_estimators=100, verbose=-1).fit(X, y)
    own = boostobj.MAPELoss().mean_loss(y, builtin.predict(X))
    start = boostobj.MAPELoss().mean_loss(y, np.full(y.shape, boostobj.MAPELoss().init_score(y)))
    assert train_mape(boostobj.MAPELoss()) < 1.2 * own
    assert train_mape(boostobj.MAPELoss(hessian="constant")) > 0.95 * start
