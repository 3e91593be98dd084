"""CatBoost: every loss as ``loss_function=`` and through boostobj's estimators, the sign and
hessian conventions, weights, the start, parity with CatBoost's built-in twins, pickling and
save/load. Small data and few iterations throughout (single-threaded)."""

import pickle
import sys
import warnings

import numpy as np
import pytest
from conftest import ALL_LOSSES, accepts, labels_for

import boostobj
from boostobj import HESSIAN_FLOOR
from boostobj.adapters import as_stored
from boostobj.registry import REGISTRY

#: The losses CatBoost can train through a Python objective: not the survival ones (refused,
#: test_survival_losses_are_refused_naming_catboosts_own).
SERVED = [lo for lo in ALL_LOSSES if lo.task != "survival"]

cb = pytest.importorskip("catboost")

from boostobj.adapters import catboost as cba

FAST = {"iterations": 8, "depth": 3, "learning_rate": 0.3, "thread_count": 1, "verbose": False,
        "random_seed": 0, "allow_writing_files": False}
#: CatBoost without randomness, Newton leaves: what the parity and weight tests need.
PLAIN = {**FAST, "boosting_type": "Plain", "bootstrap_type": "No", "random_strength": 0,
         "leaf_estimation_method": "Newton", "leaf_estimation_iterations": 1}
#: Measured max |raw prediction - built-in's| (catboost 1.2.10, 400 rows, 50 iterations, depth 4,
#: seeds 0-2, weighted and not): Logloss and RMSE 6e-8 (boostobj hands the float32 kernel
#: output, the built-ins float64 derivatives), MultiClass 3e-15 (float64 per row).
PARITY_TOL = {"binary": 1e-6, "regression": 1e-6, "multiclass": 1e-12}

pytestmark = pytest.mark.filterwarnings("ignore::boostobj.DegenerateWarning")


def _resolved(loss, y, w=None):
    return loss.resolved(*as_stored(y, w)) if loss.has_auto() else loss


def _data(task, n=240, seed=0):
    """Features, labels of a task (or of a loss: positive amounts for the log link, soft labels
    for BinaryCrossEntropy are not needed here) and weights."""
    # the log link, or labels bounded below (squared log error): positive amounts
    log_link = not isinstance(task, str) and (task.link.name == "log" or (
        task.task == "regression" and not accepts(task, -2.0)))
    task = task if isinstance(task, str) else task.task
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    if log_link:  # positive amounts (Gamma refuses zeros)
        y = rng.gamma(2.0, np.exp(0.5 * X[:, 0]) / 2.0)
    elif task == "binary":
        y = (X[:, 0] + rng.normal(size=n) > 0.3).astype(float)
    elif task == "multiclass":
        y = np.argmax(X[:, :3] + rng.normal(size=(n, 3)), axis=1).astype(float)
    else:
        y = 3.0 * X[:, 0] + X[:, 1] ** 2 + rng.standard_t(3, size=n)
    return X, y, rng.uniform(0.2, 3.0, n)


def _raw(model, X):
    return model.predict(X, prediction_type="RawFormulaVal")


def _bare(loss, **params):
    """CatBoost's own estimator with ``loss`` (classes named when it is multiclass)."""
    extra = {"class_names": [0, 1, 2]} if loss.task == "multiclass" else {}
    if loss.task == "binary":
        extra = {"class_names": [0, 1]}
    est = cb.CatBoostRegressor if loss.task == "regression" else cb.CatBoostClassifier
    return est(loss_function=loss, eval_metric=loss.metric, **extra, **params)


def _boostobj(loss, **params):
    est = boostobj.CatBoostRegressor if loss.task == "regression" else boostobj.CatBoostClassifier
    return est(loss_function=loss, **params)


# ----------------------------------------------------------------------------- the protocol
@pytest.mark.parametrize("loss", [lo for lo in SERVED if lo.task != "multiclass"], ids=repr)
def test_calc_ders_range_is_negated_floored_weighted(loss, rng):
    """CatBoost maximises: it gets -gradient and -hessian, weighted, hessian floored."""
    n = 700
    y = labels_for(loss, n, rng).astype(np.float32).astype(np.float64)  # as CatBoost holds them
    z = rng.normal(0, 3, n)
    # vanishing hessians get the floor; at 100 the log link's exp(z) is beyond float32, not
    # float64 (CatBoost keeps float64 derivatives: it gets them finite)
    z[:6] = [40.0, -40.0, 800.0, -800.0, 0.0, 100.0]
    w = rng.uniform(0.0, 2.0, n)
    fit = _resolved(loss, y)
    for weights in (None, w.astype(np.float32)):
        out = fit.calc_ders_range(z, y.astype(np.float32), weights)
        assert isinstance(out, np.ndarray) and out.shape == (n, 2)
        assert out.dtype in (np.float32, np.float64)
        ww = None if weights is None else weights.astype(np.float64)
        g, h = fit.gradient_hessian(y, z)
        h = np.maximum(h, HESSIAN_FLOOR)
        if ww is not None:
            g, h = g * ww, h * ww
        np.testing.assert_allclose(out[:, 0], -g, rtol=2e-6, atol=1e-30)
        np.testing.assert_allclose(out[:, 1], -h, rtol=2e-6, atol=1e-30)
        assert np.all(out[:, 1] <= 0)


def test_sign_convention_trains_like_the_builtin():
    """One Newton step from the same start is the built-in's: the signs are CatBoost's."""
    X, y, _ = _data("binary")
    params = {**PLAIN, "iterations": 1}
    builtin = cb.CatBoostClassifier(loss_function="Logloss", boost_from_average=True, **params)
    builtin.fit(X, y)
    start = builtin.get_scale_and_bias()[1]
    ours = _bare(boostobj.BinaryLogLoss(), **params).fit(cb.Pool(X, y, baseline=np.full(len(y), start)))
    step = _raw(builtin, X) - start
    assert np.max(np.abs(step)) > 0.1
    np.testing.assert_allclose(_raw(ours, X), step, atol=1e-7)


def test_softmax_hands_the_full_hessian_and_focal_a_scaled_diagonal(rng):
    z = rng.normal(size=3)
    w = 2.0
    d1, d2 = boostobj.SoftmaxLoss().calc_ders_multi(z, 1.0, w)
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    np.testing.assert_allclose(d1, -w * (p - np.eye(3)[1]), rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(d2, -w * (np.diag(p) - np.outer(p, p)), rtol=1e-14, atol=1e-16)
    # a loss without a full hessian: the diagonal times K/(K-1), zeros elsewhere
    focal = boostobj.MulticlassFocalLoss(gamma=1.0)
    d1, d2 = focal.calc_ders_multi(z, 2.0, w)
    g, h = focal.gradient_hessian(np.array([2.0]), z[None, :])
    np.testing.assert_allclose(d1, -w * g[0], rtol=1e-14)
    np.testing.assert_allclose(np.diag(d2), -w * 1.5 * np.maximum(h[0], HESSIAN_FLOOR), rtol=1e-14)
    assert np.all(np.asarray(d2)[~np.eye(3, dtype=bool)] == 0)
    d2 = boostobj.SoftmaxLoss(hessian_scale=1.0).calc_ders_multi(z, 0.0, 1.0)[1]
    np.testing.assert_allclose(np.diag(d2), -p * (1 - p), rtol=1e-14)
    assert cba.multiclass_hessian_scale(4) == pytest.approx(4 / 3)


@pytest.mark.parametrize("loss", SERVED, ids=repr)
def test_metric_protocol(loss, rng):
    n = 300
    k = 3 if loss.task == "multiclass" else 1
    y = labels_for(loss, n, rng).astype(np.float32).astype(np.float64)  # as CatBoost holds them
    z = rng.normal(0, 2, (n, k))
    w = rng.uniform(0.5, 2.0, n)
    fit = _resolved(loss, y, w)
    metric = fit.metric
    assert metric.is_max_optimal() is False
    approxes = tuple(np.ascontiguousarray(z[:, j]) for j in range(k))
    zz = z if k > 1 else z[:, 0]
    for weights in (None, w.astype(np.float32)):
        err, wsum = metric.evaluate(approxes, y.astype(np.float32), weights)
        expected = fit.mean_loss(y, zz, None if weights is None else weights.astype(np.float64))
        assert metric.get_final_error(err, wsum) == pytest.approx(expected, rel=1e-12)


# ----------------------------------------------------------------------------- every loss
@pytest.mark.parametrize("loss", SERVED, ids=repr)
def test_every_loss_as_catboost_loss_function(loss):
    """``catboost.CatBoost*(loss_function=loss, eval_metric=loss.metric)`` trains, weighted,
    from the start given as the Pool's baseline, and the loss goes down."""
    X, y, w = _data(loss)
    fit = _resolved(loss, y, w)
    init = np.asarray(fit.init_score(*as_stored(y, w)))
    base = np.tile(init, (len(y), 1)) if init.ndim else np.full(len(y), float(init))
    model = _bare(fit, **FAST).fit(cb.Pool(X, y, weight=w, baseline=base))
    history = model.evals_result_["learn"]["Metric"]
    assert history[-1] < history[0]
    raw = _raw(model, X) + init
    assert history[-1] == pytest.approx(fit.mean_loss(y, raw, w), rel=1e-6)


@pytest.mark.parametrize("loss", SERVED, ids=repr)
def test_every_loss_through_the_estimators(loss, tmp_path):
    X, y, w = _data(loss)
    if loss.task != "regression":
        y = y.astype(int)
    model = _boostobj(loss, **FAST).fit(X, y, sample_weight=w)
    fit = _resolved(loss, y, w)
    init = fit.init_score(*as_stored(y.astype(float), w))
    np.testing.assert_allclose(model.init_score_, init, rtol=1e-12)
    np.testing.assert_allclose(model.get_scale_and_bias()[1], init, rtol=1e-12)
    raw = _raw(model, X)
    history = model.evals_result_["learn"]["Metric"]
    assert history[-1] == pytest.approx(fit.mean_loss(y, raw, w), rel=1e-6)  # raw includes it
    if loss.task == "regression":
        np.testing.assert_allclose(model.predict(X), loss.link.inverse(raw), rtol=1e-15)
        out = model.predict(X)
    else:
        proba = model.predict_proba(X)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
        expected = loss.link.inverse(raw)
        if loss.task == "binary":
            expected = np.column_stack([1 - expected, expected])
        np.testing.assert_allclose(proba, expected, rtol=1e-10)
        np.testing.assert_array_equal(np.ravel(model.predict(X)), np.argmax(proba, axis=1))
        out = proba
    # pickling and save/load keep the start
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(_raw(again, X), raw, rtol=0, atol=0)
    assert again.init_score_ is not None
    path = str(tmp_path / "model.cbm")
    model.save_model(path)
    loaded = (cb.CatBoostRegressor if loss.task == "regression" else cb.CatBoostClassifier)()
    loaded.load_model(path)
    np.testing.assert_allclose(_raw(loaded, X), raw, rtol=0, atol=0)
    if loss.task != "regression":
        np.testing.assert_allclose(loaded.predict_proba(X), out, rtol=1e-12)


# ----------------------------------------------------------------------------- weights
@pytest.mark.parametrize("loss", SERVED, ids=repr)
def test_weighted_equals_rows_repeated(loss):
    """Integer weights train the model that repeating the rows does. With CatBoost's randomness
    off, and two conditions its own built-ins need for this (measured): discrete features, so
    both data sets get the same borders, and a mean weight of 1, because CatBoost scales
    ``l2_leaf_reg`` by the mean weight."""
    rng = np.random.default_rng(3)
    n = 240
    X = rng.integers(0, 8, size=(n, 4)).astype(float)
    _, y, _ = _data(loss, n=n, seed=3)
    w = np.r_[np.zeros(60), np.full(60, 2.0), np.ones(120)]
    rng.shuffle(w)
    rows = np.repeat(np.arange(n), w.astype(int))
    if loss.task != "regression":
        y = y.astype(int)
    # an "auto" scale is a weighted median, which an even count of repeated rows averages: fix it
    loss = _resolved(loss, y, w)
    params = {**PLAIN, "iterations": 12}
    weighted = _boostobj(loss, **params).fit(X, y, sample_weight=w)
    repeated = _boostobj(loss, **params).fit(X[rows], y[rows])
    np.testing.assert_allclose(weighted.init_score_, repeated.init_score_, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(_raw(weighted, X), _raw(repeated, X), rtol=0, atol=1e-10)


def test_class_weights_are_in_the_start():
    """CatBoost folds class weights into the weights the objective sees: the start uses them
    (auto_class_weights as CatBoost computes them, checked against ``get_all_params``)."""
    X, y, w = _data("binary")
    y = y.astype(int)
    loss = boostobj.BinaryLogLoss()
    for params in ({"class_weights": [1.0, 3.0]}, {"class_weights": {0: 2.0, 1: 0.5}},
                   {"auto_class_weights": "Balanced"}, {"auto_class_weights": "SqrtBalanced"}):
        model = _boostobj(loss, **FAST, **params).fit(X, y, sample_weight=w)
        factors = np.asarray(model.get_all_params()["class_weights"], dtype=np.float32)
        effective = as_stored(y, w)[1] * factors[y]
        assert model.init_score_ == pytest.approx(loss.init_score(y, effective), rel=1e-12)


# ----------------------------------------------------------------------------- parity
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("loss,builtin,extra", [
    (boostobj.BinaryLogLoss(), "Logloss", {"boost_from_average": True}),
    (boostobj.SquaredErrorLoss(), "RMSE", {}),
    (boostobj.SoftmaxLoss(), "MultiClass", {}),
], ids=["Logloss", "RMSE", "MultiClass"])
def test_parity_with_builtin_twin(loss, builtin, extra, weighted):
    """Both boostobj paths reproduce CatBoost's twin (registry ``Twin.catboost``): the bare loss
    from the built-in's own start, the estimator from ``init_score`` (MultiClass, which starts
    at 0, is given the same start as a baseline)."""
    from boostobj.registry import twin_of

    assert twin_of(loss).catboost == builtin
    X, y, w = _data(loss, n=300)
    w = w if weighted else None
    params = {**PLAIN, "iterations": 30, "depth": 4, "learning_rate": 0.2}
    ref = cb.CatBoost({**params, "loss_function": builtin, **extra}).fit(X, y, sample_weight=w)
    start = np.asarray(ref.get_scale_and_bias()[1])
    n = len(y)
    base = np.tile(start, (n, 1)) if start.ndim else np.full(n, float(start))
    bare = _bare(loss, **params).fit(cb.Pool(X, y, weight=w, baseline=base))
    tol = PARITY_TOL[loss.task]
    assert np.max(np.abs(_raw(bare, X) + start - _raw(ref, X))) < tol
    ours = _boostobj(loss, **params).fit(X, y.astype(int) if loss.task != "regression" else y,
                                         sample_weight=w)
    if builtin == "MultiClass":
        init = ours.init_score_
        ref = cb.CatBoost({**params, "loss_function": builtin})
        ref.fit(cb.Pool(X, y, weight=w, baseline=np.tile(init, (n, 1))))
        expected = _raw(ref, X) + init
    else:
        expected = _raw(ref, X)
    assert np.max(np.abs(_raw(ours, X) - expected)) < tol


# ----------------------------------------------------------------------------- refusals
def test_unresolved_auto_loss_is_refused_on_the_bare_path():
    X, y, _ = _data("regression")
    loss = boostobj.PseudoHuberLoss()
    model = cb.CatBoostRegressor(loss_function=loss, eval_metric=loss.metric, **FAST)
    with pytest.raises(cb.CatBoostError, match=r"loss\.resolved\(y, w\)"):
        model.fit(X, y)
    # resolved, it trains; the estimator resolves on all labels itself
    fit = loss.resolved(*as_stored(y))
    cb.CatBoostRegressor(loss_function=fit, eval_metric=fit.metric, **FAST).fit(X, y)
    est = boostobj.CatBoostRegressor(loss_function=loss, **FAST).fit(X, y)
    assert est.get_params()["loss_function"] is loss  # the user's loss, untouched
    assert est.init_score_ == pytest.approx(fit.init_score(*as_stored(y)), rel=1e-12)


@pytest.mark.parametrize("est,loss", [
    (boostobj.CatBoostRegressor, boostobj.BinaryLogLoss()),
    (boostobj.CatBoostRegressor, boostobj.SoftmaxLoss()),
    (boostobj.CatBoostClassifier, boostobj.SquaredErrorLoss()),
])
def test_wrong_task_is_refused(est, loss):
    X, y, _ = _data("binary")
    with pytest.raises(ValueError, match="objective"):
        est(loss_function=loss, **FAST).fit(X, y)


def test_bare_path_checks_labels_and_model_shape():
    X, y, _ = _data("binary")
    y2 = y.copy()
    y2[3] = 2.0
    loss = boostobj.BinaryLogLoss()
    with pytest.raises(cb.CatBoostError, match="binary labels must be 0 or 1"):
        cb.CatBoost({**FAST, "loss_function": loss, "eval_metric": loss.metric}).fit(X, y2)
    X3, y3, _ = _data("multiclass")
    soft = boostobj.SoftmaxLoss()
    with pytest.raises(cb.CatBoostError, match="class_names"):  # CatBoost trains 1-D without
        cb.CatBoost({**FAST, "loss_function": soft, "eval_metric": soft.metric}).fit(X3, y3)
    with pytest.raises(cb.CatBoostError, match="SoftmaxLoss"):  # binary loss, 3 outputs
        cb.CatBoostClassifier(loss_function=loss, eval_metric=soft.metric, class_names=[0, 1, 2],
                              **FAST).fit(X3, y3)


# ----------------------------------------------------------------------------- estimators
def test_eval_set_and_early_stopping_use_the_start_and_the_metric():
    X, y, w = _data("binary", n=400)
    Xt, yt, Xv, yv = X[:300], y[:300], X[300:], y[300:]
    loss = boostobj.FocalLoss(gamma=1.0)
    model = boostobj.CatBoostClassifier(loss_function=loss,
                                        **{**FAST, "iterations": 200, "learning_rate": 0.5})
    pool_v = cb.Pool(Xv, yv)
    model.fit(Xt, yt, sample_weight=w[:300], eval_set=[pool_v, (Xv, yv)],
              early_stopping_rounds=5)
    assert model.get_best_iteration() < 199  # stopped early on the loss itself
    assert np.size(pool_v.get_baseline()) == 0  # the caller's Pool is not changed
    raw_v = _raw(model, Xv)  # the start is folded in, and use_best_model kept it
    assert model.get_best_score()["validation_0"]["Metric"] == pytest.approx(
        loss.mean_loss(yv, raw_v), rel=1e-6)
    assert model.get_best_score()["validation_1"]["Metric"] == pytest.approx(
        loss.mean_loss(yv, raw_v), rel=1e-6)
    # a baseline of one's own: nothing folded, the eval sets need theirs
    with pytest.raises(ValueError, match="baseline"):
        model.fit(Xt, yt, baseline=np.zeros(300), eval_set=(Xv, yv))


def test_pool_categorical_features_and_string_labels():
    pd = pytest.importorskip("pandas")
    X, y, w = _data("multiclass", n=300)
    frame = pd.DataFrame(X, columns=list("abcd"))
    frame["colour"] = np.where(X[:, 0] > 0, "red", np.where(X[:, 1] > 0, "blue", "green"))
    labels = np.array(["cat", "dog", "emu"])[y.astype(int)]
    loss = boostobj.SoftmaxLoss()
    by_arrays = boostobj.CatBoostClassifier(loss_function=loss, **FAST, cat_features=["colour"])
    by_arrays.fit(frame, labels, sample_weight=w)
    pool = cb.Pool(frame, labels, cat_features=["colour"], weight=w)
    by_pool = boostobj.CatBoostClassifier(loss_function=loss, **FAST).fit(pool)
    assert np.size(pool.get_baseline()) == 0  # copied, not changed
    assert list(by_pool.classes_) == ["cat", "dog", "emu"]
    np.testing.assert_allclose(by_pool.predict_proba(frame), by_arrays.predict_proba(frame),
                               rtol=1e-12)
    assert set(np.ravel(by_pool.predict(frame))) <= {"cat", "dog", "emu"}
    y_int = y.astype(int)
    init = loss.init_score(y_int, as_stored(y_int, w)[1])
    np.testing.assert_allclose(by_pool.init_score_, init, rtol=1e-12)


def test_params_clone_and_grid_search_reach_the_loss():
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV

    loss = boostobj.PseudoHuberLoss(delta=1.0)
    model = boostobj.CatBoostRegressor(loss_function=loss, **FAST)
    params = model.get_params()
    assert params["loss_function"] is loss and params["loss_function__delta"] == 1.0
    twin = clone(model)
    assert twin.get_params(deep=False)["loss_function"] == loss
    model.set_params(loss_function__delta=2.5)
    assert model.get_params()["loss_function"] == boostobj.PseudoHuberLoss(delta=2.5)
    assert loss.delta == 1.0  # the caller's loss is not changed
    with pytest.raises(ValueError, match="no parameter"):
        model.set_params(depth__x=1)
    with pytest.raises(ValueError, match="delta"):
        model.set_params(loss_function__delta=-1.0)
    X, y, _ = _data("regression", n=120)
    search = GridSearchCV(boostobj.CatBoostRegressor(loss_function=loss, **FAST),
                          {"loss_function__delta": [0.5, 3.0]}, cv=2).fit(X, y)
    assert search.best_estimator_.get_params()["loss_function"].delta in (0.5, 3.0)


def test_builtin_objectives_pass_through():
    X, y, _ = _data("binary")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = boostobj.CatBoostClassifier(**FAST).fit(X, y)
    plain = cb.CatBoostClassifier(**FAST).fit(X, y)
    np.testing.assert_allclose(model.predict_proba(X), plain.predict_proba(X))
    assert model.init_score_ is None


def test_fold_init_score_refuses_twice_and_wrong_shape():
    X, y, _ = _data("regression")
    loss = boostobj.SquaredErrorLoss()
    model = _bare(loss, **FAST).fit(X, y)
    cba.fold_init_score(model, 1.5)
    assert model.get_scale_and_bias()[1] == pytest.approx(1.5)
    with pytest.raises(ValueError, match="already folded"):
        cba.fold_init_score(model, 1.5)
    other = _bare(loss, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="value"):
        cba.fold_init_score(other, [1.0, 2.0])


@pytest.mark.parametrize("loss", SERVED, ids=repr)
def test_estimator_objective_is_the_bare_loss(loss, rng):
    """What the estimators hand CatBoost (labels validated once, kernel bound once) returns
    exactly what the loss itself does."""
    n = 600
    y = labels_for(loss, n, rng).astype(np.float32)
    fit = _resolved(loss, y.astype(np.float64))
    validated = cba.ValidatedObjective(fit)
    w = rng.uniform(0.5, 2.0, n).astype(np.float32)
    if loss.task == "multiclass":
        z = rng.normal(size=3)
        for weight in (1.0, 1.7):
            assert validated.calc_ders_multi(z, 2.0, weight) == fit.calc_ders_multi(z, 2.0, weight)
        return
    z = rng.normal(0, 3, n)
    z[:10] = [-1e6, 1e6, -800.0, 800.0, -90.0, 90.0, 0.0, -0.0, np.inf, -np.inf]
    spec = fit.fast_kernel()
    fused = (boostobj._kernels.COMPILED and spec is not None
             and spec[0] not in boostobj._kernels.FLOAT32_OVERFLOW and spec[0] != "squared_error")
    assert (not hasattr(validated.calc_ders_range, "__self__")) == fused  # compiled where it can
    for weights in (None, w):
        got = validated.calc_ders_range(z, y, weights)
        np.testing.assert_array_equal(got, fit.calc_ders_range(z, y, weights))
        assert type(got) is np.ndarray and got.shape == (n, 2)  # CatBoost's typed-copy path


@pytest.mark.parametrize("loss", [lo for lo in SERVED if lo.task != "multiclass"], ids=repr)
def test_one_call_path_equals_the_kernel_then_negation(loss, rng):
    """The compiled one-call path (CatBoost's arrays as they are) gives exactly what the kernel on
    float64 labels and weights followed by ``ders_range`` gives, at extreme margins too."""
    from boostobj.adapters.catboost import bound_kernel as catboost_kernel
    from boostobj.adapters.catboost import fused_kernel as catboost_fused

    n = 3000  # more than one of the compiled path's chunks
    y = labels_for(loss, n, rng).astype(np.float32)
    fit = _resolved(loss, y.astype(np.float64))
    fused = catboost_fused(fit)
    if fused is None:
        pytest.skip("no one-call path for this loss (numpy kernel or float64 reference)")
    kernel = catboost_kernel(fit)
    z = rng.normal(0, 3, n)
    z[:10] = [-1e6, 1e6, -800.0, 800.0, -90.0, 90.0, 0.0, -0.0, np.inf, -np.inf]
    w = rng.uniform(0.5, 2.0, n).astype(np.float32)
    for weights in (None, w):
        w64 = None if weights is None else weights.astype(np.float64)
        expected = cba.ders_range(*kernel(y.astype(np.float64), z, w64))
        got = fused(z, y, weights)
        assert got.dtype == np.float64 and got.shape == (n, 2)
        np.testing.assert_array_equal(got, expected)


def test_bare_calc_ders_range_takes_any_numeric_arrays(rng):
    """The loss's own ``calc_ders_range`` (the public, checked path) reads integer, strided and
    big-endian arrays as before; the compiled one-call path gets float64 copies."""
    loss = boostobj.BinaryLogLoss()
    z, y, w = rng.normal(size=12), (rng.random(12) < 0.5).astype(np.float64), rng.random(12) + 0.5
    expected = np.asarray(loss.calc_ders_range(z[::2].copy(), y[::2].copy(), w[::2].copy()))
    got = loss.calc_ders_range(z[::2], y[::2].astype(np.int64), w[::2].astype(">f8"))
    np.testing.assert_array_equal(got, expected)
    ints = loss.calc_ders_range(np.arange(3), np.array([0, 1, 1]), np.array([1, 2, 1]))
    np.testing.assert_array_equal(
        ints, loss.calc_ders_range(np.arange(3.0), np.array([0.0, 1, 1]), np.array([1.0, 2, 1])))


def test_catboost_ders_refuses_what_it_cannot_read():
    if not boostobj._kernels.COMPILED:
        pytest.skip("the compiled extension is not in use")
    from boostobj import _ckernels

    z, y = np.zeros(4), np.zeros(4, np.float32)
    with pytest.raises(ValueError, match="no kernel"):
        _ckernels.catboost_ders("softmax", 0.0, 0.0, 0.0, False, z, y, None)
    with pytest.raises(ValueError, match="labels: expected 4"):
        _ckernels.catboost_ders("log_loss", 0.0, 0.0, 0.0, False, z, y[:3], None)
    with pytest.raises(ValueError, match="weights: expected 4"):
        _ckernels.catboost_ders("log_loss", 0.0, 0.0, 0.0, False, z, y, y[:3])
    with pytest.raises(TypeError, match="float32 or float64"):
        _ckernels.catboost_ders("log_loss", 0.0, 0.0, 0.0, False, z, y.astype(np.int32), None)
    with pytest.raises((ValueError, BufferError)):
        _ckernels.catboost_ders("log_loss", 0.0, 0.0, 0.0, False, np.zeros(8)[::2], y, None)


def test_eval_fraction_starts_from_the_training_part():
    """CatBoost splits ``eval_fraction`` off the data it was given; the start comes from the
    training part only, and the split-off part is scored with it."""
    X, y, _ = _data("regression", n=300)
    loss = boostobj.SquaredErrorLoss()
    model = boostobj.CatBoostRegressor(loss_function=loss, eval_fraction=0.3, **FAST).fit(X, y)
    history = model.evals_result_["validation"]["Metric"]
    assert history[-1] < history[0]
    assert abs(model.init_score_ - loss.init_score(*as_stored(y))) > 1e-6


# ----------------------------------------------------------------------------- exact leaves
@pytest.mark.parametrize("loss", [boostobj.LogCoshLoss(), boostobj.PseudoHuberLoss(),
                                  boostobj.LogCoshLoss(scale=1.0)], ids=repr)
def test_leaf_iterations_solve_each_leaf(loss):
    """CatBoost's own leaf iterations are boostobj's exact leaves there: with the bounded (IRLS)
    hessian every Newton step lowers the leaf's loss, so many steps reach the leaf's minimum
    (weighted), where one step stops short on heavy-tailed labels."""
    rng = np.random.default_rng(3)
    n = 600
    X = rng.normal(size=(n, 3))
    y = 3.0 * X[:, 0] + rng.standard_t(1.5, n)
    y[rng.random(n) < 0.05] += 40.0
    w = rng.uniform(0.5, 2.0, n)
    lr = 0.5
    fit = _resolved(loss, y, w)
    gaps = {}
    for steps in (1, 60):
        model = boostobj.CatBoostRegressor(
            loss_function=loss, **{**PLAIN, "iterations": 3, "depth": 2, "learning_rate": lr,
                                   "l2_leaf_reg": 0, "leaf_estimation_iterations": steps})
        model.fit(X, y, sample_weight=w)
        bias = model.get_scale_and_bias()[1]
        leaves = model.calc_leaf_indexes(X)
        worst = 0.0
        for t in range(3):
            before = (model.predict(X, prediction_type="RawFormulaVal", ntree_end=t) if t
                      else np.full(n, bias))  # ntree_end=0 would mean every tree
            after = model.predict(X, prediction_type="RawFormulaVal", ntree_end=t + 1)
            for leaf in np.unique(leaves[:, t]):
                rows = leaves[:, t] == leaf
                v = (after[rows] - before[rows]) / lr  # the unshrunk leaf value
                assert np.ptp(v) < 1e-9
                g = fit.gradient(y[rows], before[rows] + v[0], w[rows])
                worst = max(worst, abs(np.sum(g)) / (np.sum(np.abs(g)) + 1e-12))
        gaps[steps] = worst
    assert gaps[60] < 1e-4  # the leaf's weighted gradient sum vanishes: its minimum
    assert gaps[1] > 1e-2  # one Newton step does not get there (so the check can fail)


# ----------------------------------------------------------------------------- response scale
@pytest.mark.parametrize("loss", [boostobj.PoissonLoss(), boostobj.GammaLoss(),
                                  boostobj.TweedieLoss()], ids=repr)
def test_regressor_predicts_the_mean_for_log_link_losses(loss):
    """``predict`` is ``exp`` of the margins (start included), as CatBoost's own ``Poisson``
    predicts; ``prediction_type="RawFormulaVal"`` gives the margins; ``score`` scores means."""
    X, y, _ = _data(loss, n=300)
    y = 3.0 * y  # label mean about 3.4: the log-mean (about 1.2) is far from it
    model = boostobj.CatBoostRegressor(loss_function=loss, **FAST).fit(X, y)
    raw = _raw(model, X)
    mean = model.predict(X)
    np.testing.assert_allclose(mean, np.exp(raw), rtol=1e-15)
    assert abs(mean.mean() / y.mean() - 1.0) < 0.05
    own = cb.CatBoostRegressor(loss_function="Poisson", **{**FAST, "iterations": 100}).fit(X, y)
    assert abs(mean.mean() / own.predict(X).mean() - 1.0) < 0.05  # CatBoost's own: means too
    assert model.predict(X[0]) == pytest.approx(mean[0], rel=1e-15)  # one row: a float
    r2 = 1.0 - np.sum((y - mean) ** 2) / np.sum((y - y.mean()) ** 2)
    assert model.score(X, y) == pytest.approx(r2, rel=1e-12)
    assert model.score(cb.Pool(X, y)) == pytest.approx(r2, rel=1e-6)  # float32 labels


# ----------------------------------------------------------------------------- the record
def _registry_case(entry):
    """A registry loss at its defaults, its estimator and small data (multiclass is slow in
    CatBoost: 60 rows, 3 iterations)."""
    loss = entry.cls()
    if loss.task == "multiclass":
        X, y, w = _data(loss, n=60)
        params = {**FAST, "iterations": 3}
    else:
        X, y, w = _data(loss, n=120)
        params = FAST
    if loss.task != "regression":
        y = y.astype(int)
    return loss, _boostobj(loss, **params), X, y, w


def _outputs(model, X):
    out = [model.predict(X)]
    if isinstance(model, cb.CatBoostClassifier):
        out.append(model.predict_proba(X))
    return out


@pytest.mark.parametrize("entry", [e for e in REGISTRY if e.cls.task != "survival"],
                         ids=lambda e: e.cls.__name__)
def test_saved_and_pickled_models_keep_their_objective(entry, tmp_path):
    """Every registry loss: a model saved and loaded into a new boostobj estimator (from a file
    and from a stream) or pickled predicts exactly what it did, knows its loss and start, and
    refuses a second fold of the start."""
    loss, model, X, y, w = _registry_case(entry)
    model.fit(X, y, sample_weight=w)
    before = _outputs(model, X)
    rec = cba.model_record(model)
    assert rec["folded"] and rec["link"] == loss.link.name
    np.testing.assert_array_equal(rec["start"], model.init_score_)
    path = tmp_path / "model.cbm"
    model.save_model(str(path))
    with open(path, "rb") as stream:
        from_stream = type(model)().load_model(stream=stream)
    copies = [type(model)().load_model(str(path)), from_stream,
              pickle.loads(pickle.dumps(model))]
    for again in copies:
        for got, expected in zip(_outputs(again, X), before):
            np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(again.init_score_, model.init_score_)
        assert type(again.get_params()["loss_function"]) is type(loss)
        with pytest.raises(ValueError, match="already folded"):
            cba.fold_init_score(again, model.init_score_)
    # a bare CatBoost model loaded from the file refuses the fold too
    bare = (cb.CatBoostRegressor if loss.task == "regression" else cb.CatBoostClassifier)()
    with pytest.raises(ValueError, match="already folded"):
        cba.fold_init_score(bare.load_model(str(path)), model.init_score_)


def test_loaded_model_trains_again_and_the_wrong_task_is_refused(tmp_path):
    X, y, w = _data("regression", n=150)
    loss = boostobj.PseudoHuberLoss()  # "auto": the record holds the resolved delta
    model = boostobj.CatBoostRegressor(loss_function=loss, **FAST).fit(X, y, sample_weight=w)
    path = str(tmp_path / "model.cbm")
    model.save_model(path)
    loaded = boostobj.CatBoostRegressor().load_model(path)
    fit = loss.resolved(*as_stored(y, w))
    assert loaded.get_params()["loss_function"] == fit
    assert "eval_metric" not in loaded.get_params()  # CatBoost's placeholder name is dropped
    loaded.fit(X, y, sample_weight=w)  # the resolved loss: the same model
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    with pytest.raises(ValueError, match="boostobj.CatBoostRegressor"):
        boostobj.CatBoostClassifier().load_model(path)


def test_fold_init_score_with_a_loss_writes_the_record(tmp_path):
    """The bare path: ``fold_init_score(model, init, loss=...)`` records the loss and start, so
    the saved model refuses a second fold; without a loss it refuses twice on the same model
    object only, and a refit of the object can be folded again."""
    X, y, _ = _data("regression")
    loss = boostobj.SquaredErrorLoss()
    model = _bare(loss, **FAST).fit(X, y)
    assert cba.model_record(model) is None
    cba.fold_init_score(model, 1.5, loss=loss)
    rec = cba.model_record(model)
    assert rec["loss"] == "squared_error" and rec["start"] == 1.5 and rec["folded"]
    path = str(tmp_path / "model.cbm")
    model.save_model(path)
    with pytest.raises(ValueError, match="already folded"):
        cba.fold_init_score(cb.CatBoostRegressor().load_model(path), 1.5)
    other = _bare(loss, **FAST).fit(X, y)
    cba.fold_init_score(other, 1.5)
    other.fit(X, y)  # a new trained model in the same object
    cba.fold_init_score(other, 1.5)
    assert other.get_scale_and_bias()[1] == pytest.approx(1.5)


# ----------------------------------------------------------------------------- fitting again
def test_continued_training_keeps_the_start(tmp_path):
    """``init_model``: CatBoost trains on from the old model's predictions but may drop its bias
    (catboost 1.2.10: continuing the object just trained, no eval set); the continued model
    keeps the start, from the object, a saved file, and with an eval set."""
    X, y, _ = _data("regression", n=300)
    y = y + 50.0
    loss = boostobj.SquaredErrorLoss()
    old = boostobj.CatBoostRegressor(loss_function=loss, **FAST).fit(X, y)
    before = old.predict(X)
    path = str(tmp_path / "old.cbm")
    old.save_model(path)
    few = {**FAST, "iterations": 3}
    cases = [{"init_model": old}, {"init_model": path},
             {"init_model": old, "eval_set": (X[:50], y[:50])}]
    for kwargs in cases:
        new = boostobj.CatBoostRegressor(loss_function=loss, **few).fit(X, y, **kwargs)
        after = new.predict(X)
        assert new.tree_count_ == old.tree_count_ + 3
        assert abs(np.mean(after - before)) < 0.5  # 50 lower without the start
        assert loss.mean_loss(y, after) < loss.mean_loss(y, before)
        assert new.get_scale_and_bias()[1] == pytest.approx(old.init_score_, rel=1e-12)
        assert new.init_score_ == pytest.approx(old.init_score_, rel=1e-12)
        with pytest.raises(ValueError, match="already folded"):
            cba.fold_init_score(new, old.init_score_)
    # the estimator continuing itself
    old.fit(X, y, init_model=old)
    assert abs(np.mean(old.predict(X) - before)) < 0.5
    assert loss.mean_loss(y, old.predict(X)) < loss.mean_loss(y, before)


def test_continued_training_refuses_what_it_cannot_keep():
    X, y, _ = _data(boostobj.PoissonLoss(), n=200)
    poisson = boostobj.CatBoostRegressor(loss_function=boostobj.PoissonLoss(), **FAST).fit(X, y)
    with pytest.raises(ValueError, match="link"):  # log-margins read as means
        boostobj.CatBoostRegressor(loss_function=boostobj.SquaredErrorLoss(), **FAST).fit(
            X, y, init_model=poisson)
    # the same link continues, on the response scale
    more = boostobj.CatBoostRegressor(loss_function=boostobj.GammaLoss(), **FAST).fit(
        X, y, init_model=poisson)
    assert np.max(np.abs(np.log(more.predict(X)) - np.log(poisson.predict(X)))) < 1.0
    scaled = poisson.copy()
    scaled.set_scale_and_bias(2.0, scaled.get_scale_and_bias()[1])
    with pytest.raises(ValueError, match="scale"):
        boostobj.CatBoostRegressor(loss_function=boostobj.PoissonLoss(), **FAST).fit(
            X, y, init_model=scaled)
    with pytest.raises(ValueError, match="baseline"):
        boostobj.CatBoostRegressor(loss_function=boostobj.PoissonLoss(), **FAST).fit(
            X, y, baseline=np.zeros(len(y)), init_model=poisson)


@pytest.mark.parametrize("task", ["regression", "binary"])
def test_second_fit_is_a_fresh_fit(task):
    X, y, w = _data(task, n=200)
    X2, y2, w2 = _data(task, n=150, seed=1)
    loss = boostobj.PseudoHuberLoss() if task == "regression" else boostobj.FocalLoss(gamma=1.0)
    model = _boostobj(loss, **FAST).fit(X, y, sample_weight=w)
    model.fit(X2, y2, sample_weight=w2)
    fresh = _boostobj(loss, **FAST).fit(X2, y2, sample_weight=w2)
    np.testing.assert_array_equal(_raw(model, X2), _raw(fresh, X2))
    np.testing.assert_array_equal(model.predict(X2), fresh.predict(X2))
    assert model.init_score_ == fresh.init_score_
    assert cba.model_record(model) == cba.model_record(fresh)


# ----------------------------------------------------------------------------- fit's arguments
def test_fit_declares_catboosts_arguments():
    """scikit-learn sees ``sample_weight``: ``CalibratedClassifierCV`` passes the weights on."""
    import inspect

    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.utils.validation import has_fit_parameter

    for ours, theirs in ((boostobj.CatBoostRegressor, cb.CatBoostRegressor),
                         (boostobj.CatBoostClassifier, cb.CatBoostClassifier)):
        assert has_fit_parameter(ours(), "sample_weight")
        declared = inspect.signature(ours.fit).parameters
        assert set(inspect.signature(theirs.fit).parameters) <= set(declared)
    X, y, w = _data("binary", n=200)
    loss = boostobj.BinaryLogLoss()
    calibrated = CalibratedClassifierCV(boostobj.CatBoostClassifier(loss_function=loss, **FAST),
                                        cv=2, ensemble=False).fit(X, y, sample_weight=w)
    inner = calibrated.calibrated_classifiers_[0].estimator
    assert inner.init_score_ == pytest.approx(loss.init_score(*as_stored(y, w)), rel=1e-12)


def test_fit_forwards_only_what_the_installed_catboost_takes(monkeypatch):
    """An older catboost's ``fit`` without some of 1.2.10's arguments: the estimator trains, and
    an argument it does not take is refused before training."""
    real = cb.CatBoostRegressor.fit

    def older_fit(self, X, y=None, cat_features=None, sample_weight=None, baseline=None,
                  use_best_model=None, eval_set=None, verbose=None, init_model=None):
        return real(self, X, y, cat_features=cat_features, sample_weight=sample_weight,
                    baseline=baseline, use_best_model=use_best_model, eval_set=eval_set,
                    verbose=verbose, init_model=init_model)

    monkeypatch.setattr(cb.CatBoostRegressor, "fit", older_fit)
    X, y, w = _data("regression", n=150)
    loss = boostobj.SquaredErrorLoss()
    model = boostobj.CatBoostRegressor(loss_function=loss, **FAST).fit(X, y, sample_weight=w)
    assert model.init_score_ == pytest.approx(loss.init_score(*as_stored(y, w)), rel=1e-12)
    fresh = boostobj.CatBoostRegressor(loss_function=loss, **FAST)
    with pytest.raises(TypeError, match="log_cout.*upgrade catboost"):
        fresh.fit(X, y, log_cout=sys.stdout)
    assert not fresh.is_fitted()
